//! Commands print their canonical line and read it back as the same command; bad lines say
//! what is wrong.

use proptest::prelude::*;
use proptest::test_runner::Config;

use super::*;

fn node_id() -> impl Strategy<Value = NodeId> {
    (0usize..12).prop_map(NodeId)
}

fn node_ref() -> impl Strategy<Value = NodeRef> {
    prop_oneof![
        node_id().prop_map(NodeRef::Id),
        Just(NodeRef::Primary),
        (1usize..9).prop_map(NodeRef::Replica),
    ]
}

fn sql_target() -> impl Strategy<Value = SqlTarget> {
    prop_oneof![
        Just(SqlTarget::Router),
        Just(SqlTarget::Endpoint),
        node_id().prop_map(|id| SqlTarget::Node(NodeRef::Id(id))),
        (1usize..9).prop_map(|n| SqlTarget::Node(NodeRef::Replica(n))),
    ]
}

fn millis() -> impl Strategy<Value = Millis> {
    prop_oneof![0u64..5_000, (0u64..600).prop_map(|s| s * 1_000), 0u64..parse::MAX_DURATION_MS]
}

fn name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_.-]{0,10}"
}

fn sync_commit() -> impl Strategy<Value = SyncCommit> {
    prop::sample::select(SyncCommit::ALL.to_vec())
}

fn preset() -> impl Strategy<Value = CommitPreset> {
    prop_oneof![
        Just(CommitPreset::Async),
        Just(CommitPreset::SemiSync),
        sync_commit().prop_map(CommitPreset::Mode),
        (1u32..9).prop_map(CommitPreset::Quorum),
    ]
}

fn node_list() -> impl Strategy<Value = Vec<(NodeId, u32)>> {
    prop::collection::btree_map(0usize..12, 0u32..1_000, 0..4)
        .prop_map(|m| m.into_iter().map(|(id, n)| (NodeId(id), n)).collect())
}

/// Any SQL text: one-liners, several lines, quotes, `#`, control characters, nothing.
fn sql_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{0,40}",
        prop::collection::vec(any::<char>(), 0..30).prop_map(|c| c.into_iter().collect()),
        Just("SELECT *\nFROM orders\nWHERE user_id = 101;".to_string()),
        Just("SELECT '#1' # not SQL".to_string()),
        Just("\"quoted\" start".to_string()),
    ]
}

fn command() -> impl Strategy<Value = Command> {
    let setup = prop_oneof![
        (
            prop::option::of(0usize..9),
            prop::option::of(any::<u64>()),
            prop::option::of(millis()),
            prop::option::of(preset()),
            prop::option::of(1usize..65),
        )
            .prop_map(|(replicas, seed, delay_ms, commit, cores)| {
                Command::Cluster(ClusterSpec { replicas, seed, delay_ms, commit, cores })
            }),
        (sql_target(), prop::option::of(name()), sql_text())
            .prop_map(|(target, session, text)| Command::Sql { target, session, text }),
        preset().prop_map(Command::Commit),
        session_change().prop_map(Command::Session),
        name().prop_map(|session| Command::Cancel { session }),
        (
            prop::option::of(prop::sample::select(vec![
                Policy::RoundRobin,
                Policy::LeastLag,
                Policy::Weighted
            ])),
            prop::option::of(node_list()),
            prop::option::of(prop::option::of(millis())),
            prop::option::of(prop::option::of(0u64..(1 << 40))),
        )
            .prop_map(|(policy, weights, max_lag_ms, max_lag_bytes)| {
                Command::Router(RouterChange { policy, weights, max_lag_ms, max_lag_bytes })
            }),
        (
            prop::option::of(any::<bool>()),
            prop::option::of(any::<bool>()),
            prop::option::of(millis()),
            prop::option::of(millis()),
            prop::option::of(0u64..(1 << 40)),
            prop::option::of(node_list()),
        )
            .prop_map(|(auto, fencing, ttl_ms, loop_wait_ms, lag, priorities)| {
                Command::Failover(FailoverChange {
                    auto,
                    fencing,
                    ttl_ms,
                    loop_wait_ms,
                    maximum_lag_on_failover: lag,
                    priorities,
                })
            }),
    ];
    let nodes = prop_oneof![
        node_ref().prop_map(Command::Promote),
        node_ref().prop_map(Command::Switchover),
        node_ref().prop_map(Command::Crash),
        node_ref().prop_map(Command::Restart),
        node_ref().prop_map(Command::Resync),
        node_ref().prop_map(Command::RemoveReplica),
        node_ref().prop_map(Command::PartitionManager),
        node_ref().prop_map(Command::HealManager),
        prop::option::of(node_ref()).prop_map(Command::Heal),
        (node_ref(), prop::sample::select(vec![Way::Both, Way::Down, Way::Up]))
            .prop_map(|(node, way)| Command::Partition { node, way }),
        (node_ref(), prop::option::of(millis()), prop::option::of(millis()), 0u32..=90).prop_map(
            |(node, delay_ms, jitter_ms, loss)| {
                // At least one option, as the language demands.
                let loss = (delay_ms.is_none() || loss % 2 == 0).then(|| f64::from(loss) / 100.0);
                Command::Link(LinkChange { node, delay_ms, jitter_ms, loss })
            }
        ),
        (node_ref(), prop::option::of(millis()), prop::option::of(any::<bool>()), 1u32..=1_000)
            .prop_map(|(node, apply_delay_ms, pause, slow)| {
                let slow = (apply_delay_ms.is_none() && pause.is_none()).then_some(slow);
                Command::Replica(ReplicaChange { node, apply_delay_ms, pause, slow })
            }),
        Just(Command::AddReplica),
    ];
    let rest = prop_oneof![
        prop::option::of(millis()).prop_map(|ttl_ms| Command::Endpoint { ttl_ms }),
        (
            prop::option::of(any::<bool>()),
            prop::option::of(millis()),
            prop::option::of(any::<bool>())
        )
            .prop_map(|(enabled, ttl_ms, invalidate)| {
                Command::Cache(CacheChange { enabled, ttl_ms, invalidate })
            }),
        (name(), "[a-zA-Z0-9_' (),*]{0,20}")
            .prop_map(|(name, value)| Command::Set { name, value: value.trim().to_string() }),
        load_options().prop_map(Command::Load),
        Just(Command::LoadStop),
        millis().prop_map(Command::Advance),
        prop::option::of(millis()).prop_map(|max_ms| Command::Settle { max_ms }),
        prop::option::of(name().prop_filter("all means every setting", |n| n != "all"))
            .prop_map(Command::Show),
        prop::sample::select(vec![
            Command::Check,
            Command::Status,
            Command::Nodes,
            Command::Events,
            Command::Slowlog,
            Command::LoadSummary,
            Command::Metrics(MetricsOf::Cache),
        ]),
        node_ref().prop_map(|n| Command::Metrics(MetricsOf::Node(n))),
    ];
    prop_oneof![setup, nodes, rest]
}

fn session_change() -> impl Strategy<Value = SessionChange> {
    let strategy = prop::sample::select(vec![
        RywStrategy::None,
        RywStrategy::Primary,
        RywStrategy::Sticky,
        RywStrategy::Lsn,
        RywStrategy::Sync,
    ]);
    (
        name(),
        prop::option::of(prop::option::of(sync_commit())),
        prop::option::of(strategy),
        millis(),
    )
        .prop_map(|(name, commit, ryw, ms)| {
            // Durations only with the strategy they tune; at least one option.
            let window_ms = (ryw == Some(RywStrategy::Primary)).then_some(ms);
            let timeout_ms =
                (ryw == Some(RywStrategy::Lsn) || ryw.is_none() && commit.is_none()).then_some(ms);
            SessionChange { name, commit, ryw, window_ms, timeout_ms }
        })
}

fn load_options() -> impl Strategy<Value = LoadOptions> {
    (
        prop::option::of(1u64..=100_000),
        prop::option::of((0u32..=100).prop_map(|p| f64::from(p) / 100.0)),
        prop::option::of((0u32..=20).prop_map(|p| f64::from(p) / 20.0)),
        prop::option::of(1usize..=10_000),
        prop::option::of(millis()),
        prop::option::of(1u64..=1_000_000_000),
        prop::option::of(sql_target()),
        (prop::option::of(0u64..=1_000_000), prop::option::of(millis())),
    )
        .prop_map(
            |(rate, read, heavy, sessions, duration, users, target, (prefill, retain))| {
                LoadOptions {
                    rate_per_s: rate,
                    read_ratio: read,
                    heavy_ratio: heavy,
                    sessions,
                    duration_ms: duration,
                    users,
                    target,
                    prefill_rows: prefill,
                    retain_ms: retain,
                }
            },
        )
}

proptest! {
    #![proptest_config(Config { cases: crate::engine::fuzz_cases(5_000), failure_persistence: None, ..Config::default() })]

    /// `parse(display(c)) == c` for every command.
    #[test]
    fn every_command_reads_back_from_its_line(command in command()) {
        let line = command.to_string();
        prop_assert!(!line.contains('\n'), "one line: {line:?}");
        let parsed: Command = line.parse().map_err(|e: Error| {
            TestCaseError::fail(format!("{line:?} does not parse: {e}"))
        })?;
        prop_assert_eq!(parsed, command, "{}", line);
    }

    /// Garbage never panics: it parses or says why not.
    #[test]
    fn any_line_parses_or_is_refused(line in prop_oneof![
        "[ -~]{0,60}",
        prop::collection::vec(any::<char>(), 0..40).prop_map(|c| c.into_iter().collect::<String>()),
        command().prop_map(|c| c.to_string()).prop_flat_map(|line| {
            let len = line.len();
            (Just(line), 0..=len).prop_map(|(line, cut)| {
                line.char_indices().take_while(|(i, _)| *i < cut).map(|(_, c)| c).collect()
            })
        }),
    ]) {
        let _ = line.parse::<Command>();
    }
}

fn parses(line: &str) -> Command {
    line.parse().unwrap_or_else(|e| panic!("{line}: {e}"))
}

fn refused(line: &str) -> String {
    match line.parse::<Command>() {
        Ok(command) => panic!("{line} should be refused, parsed as {command:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn script_lines_read_as_people_write_them() {
    assert_eq!(
        parses("sql pg2 session=alice: SELECT 1 # why"),
        Command::Sql {
            target: SqlTarget::Node(NodeRef::Id(NodeId(1))),
            session: Some("alice".into()),
            text: "SELECT 1".into()
        }
    );
    assert_eq!(parses("> crash primary"), Command::Crash(NodeRef::Primary));
    assert_eq!(parses("sql @replica-2: SELECT 1").to_string(), "sql replica-2: SELECT 1");
    assert_eq!(parses("sql: SELECT '#1'").to_string(), "sql: SELECT '#1'");
    assert_eq!(
        parses("set synchronous_standby_names = 'FIRST 1 (pg2)'"),
        Command::Set { name: "synchronous_standby_names".into(), value: "'FIRST 1 (pg2)'".into() }
    );
    assert_eq!(parses("partition pg2 way=down").to_string(), "partition pg2 way=down");
    assert_eq!(parses("load").to_string(), "load");
    assert_eq!(parses("load start").to_string(), "load start");
    assert_eq!(parses("cluster commit=remote_apply").to_string(), "cluster commit=remote_apply");
    assert_eq!(parses("advance 1500").to_string(), "advance 1.5s");
    assert_eq!(parses("router weights=").to_string(), "router weights=none");
    assert!(!parses("status").changes_run());
    assert!(!parses("cache").changes_run());
    assert!(parses("cache on").changes_run());
}

#[test]
fn multi_line_sql_prints_quoted_and_reads_back() {
    let command = Command::Sql {
        target: SqlTarget::Router,
        session: Some("bob".into()),
        text: "SELECT *\nFROM orders\nWHERE user_id = 101;".into(),
    };
    let line = command.to_string();
    assert_eq!(line, r#"sql session=bob: "SELECT *\nFROM orders\nWHERE user_id = 101;""#);
    assert_eq!(parses(&line), command);
    assert_eq!(parses(&format!("{line} # a comment after")), command);
}

#[test]
fn bad_lines_say_what_is_wrong() {
    assert_eq!(
        refused("fly away"),
        "unknown command \"fly\" (see docs/scenarios.md for the commands)"
    );
    assert_eq!(
        refused("cluster replicas=9"),
        "replicas: expected a whole number from 0 to 8, got \"9\""
    );
    assert_eq!(
        refused("cluster colour=red"),
        "cluster: unknown option \"colour\" (expected replicas, seed, delay, commit, cores)"
    );
    assert!(refused("cluster commit=sometimes").starts_with("commit: expected async, semi-sync"));
    assert_eq!(refused("link pg9x delay=1s"), "no node named \"pg9x\"");
    assert_eq!(refused("link pg2 loss=2"), "loss: expected a probability from 0 to 0.9, got \"2\"");
    assert_eq!(
        refused("sql pg2 colour=red: SELECT 1"),
        "sql: unknown option \"colour\" (expected session)"
    );
    assert_eq!(refused("sql SELECT 1"), "expected `sql [TARGET] [session=NAME]: SQL`");
    assert_eq!(
        refused("partition pg2 way=sideways"),
        "way: expected both, down or up, got \"sideways\""
    );
    assert_eq!(
        refused("replica pg2 slow=0"),
        "slow: expected a whole number from 1 to 1000, got \"0\""
    );
    assert_eq!(refused("load rate=0"), "rate: expected a whole number from 1 to 100000, got \"0\"");
    assert_eq!(
        refused("advance soon"),
        "advance: expected a duration such as 500ms, 2s or 1m, got \"soon\""
    );
    assert_eq!(refused("session a ryw=none window=2s"), "session: window= goes with ryw=primary (how long reads go to the primary after a write), not with ryw=none");
    assert_eq!(refused("sql: \"unclosed"), "quoted text: no closing double quote");
    assert_eq!(refused("check now"), "check takes no arguments, got \"now\"");
}
