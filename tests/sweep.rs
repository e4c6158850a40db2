//! Seed sweep: many short runs with random traffic and random faults, every named invariant
//! checked after every step (see `engine::invariants`), and one seed run twice to prove the
//! simulation deterministic. `make test` runs 1 000 seeds; set `SWEEP_SEEDS=100000` for more,
//! `SWEEP_FIRST=N` to start elsewhere. A failure names its seed and step so it can be replayed.

use replica_playground::engine::checker::{self, Anomaly};
use replica_playground::engine::cluster::{CacheConfig, FailoverConfig, Policy, RouterConfig, Ryw};
use replica_playground::engine::commit::SyncCommit;
use replica_playground::engine::invariants::{
    single_writer_violations, Checker, Expectation, INVARIANTS,
};
use replica_playground::engine::node::{NodeState, Receiver, Role};
use replica_playground::engine::rng::Rng;
use replica_playground::engine::{Cluster, ClusterConfig, NodeId, Target};

const STEPS: usize = 60;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Builds a random cluster for `seed`: size, delays and commit settings.
fn random_cluster(seed: u64, rng: &mut Rng) -> Cluster {
    let mut config = ClusterConfig {
        replicas: 1 + rng.below_or_equal(3) as usize,
        seed,
        link_delay_ms: 5 + rng.below_or_equal(400),
        ..ClusterConfig::default()
    };
    config.settings.restart_ms = 200 + rng.below_or_equal(1_000);
    let mut cluster = Cluster::new(config);
    let names = ["", "FIRST 1 (*)", "ANY 1 (*)", "FIRST 1 (pg2, pg3)", "ANY 2 (pg2, pg3, pg4)"];
    let name = names[rng.below_or_equal(names.len() as u64 - 1) as usize];
    let mode = SyncCommit::ALL[rng.below_or_equal(4) as usize];
    let keep = if rng.chance(0.5) { "1kB" } else { "16MB" };
    for (setting, value) in [("synchronous_standby_names", name), ("wal_keep_size", keep)] {
        cluster.set(setting, value).expect("valid setting");
    }
    cluster.set("synchronous_commit", mode.as_str()).expect("valid mode");
    if rng.chance(0.2) {
        cluster.set("rpl_semi_sync_source_enabled", "on").expect("valid");
        cluster.set("rpl_semi_sync_source_timeout", "1s").expect("valid");
    }
    if rng.chance(0.5) {
        let ttl_ms = 1_000 + rng.below_or_equal(3_000);
        // One run in five without fencing: split brains happen, and must still heal.
        let failover = FailoverConfig {
            auto: true,
            ttl_ms,
            loop_wait_ms: ttl_ms / 3,
            fencing: !rng.chance(0.2),
            ..FailoverConfig::default()
        };
        cluster.set_failover(failover).expect("valid failover settings");
    }
    if rng.chance(0.3) {
        let ttl_ms = 100 + rng.below_or_equal(3_000);
        let invalidate_on_write = rng.chance(0.5);
        cluster.set_cache(CacheConfig { enabled: true, ttl_ms, invalidate_on_write });
    }
    if rng.chance(0.3) {
        cluster.set_endpoint_ttl(rng.below_or_equal(5_000));
    }
    cluster.submit("setup", Target::Primary, "CREATE TABLE t (k INT PRIMARY KEY, v INT NOT NULL)");
    cluster
}

fn pick(rng: &mut Rng, ids: &[NodeId]) -> Option<NodeId> {
    (!ids.is_empty()).then(|| ids[rng.below_or_equal(ids.len() as u64 - 1) as usize])
}

/// One random input: traffic, a fault, a repair, a setting, or time passing.
fn random_step(cluster: &mut Cluster, rng: &mut Rng, next_key: &mut u64) {
    let all: Vec<NodeId> = cluster.members().map(|n| n.id).collect();
    let replicas = cluster.replicas();
    let session = format!("s{}", rng.below_or_equal(3));
    match rng.below_or_equal(99) {
        0..=29 => {
            *next_key += 1;
            let sql = format!("INSERT INTO t VALUES ({}, {})", next_key, rng.below_or_equal(100));
            cluster.submit(&session, Target::Router, &sql);
        }
        30..=39 => {
            let sql = format!("UPDATE t SET v = v + 1 WHERE k = {}", rng.below_or_equal(*next_key));
            cluster.submit(&session, Target::Router, &sql);
        }
        40..=44 => {
            let sql = format!("DELETE FROM t WHERE k = {}", rng.below_or_equal(*next_key));
            cluster.submit(&session, Target::Router, &sql);
        }
        45..=54 => {
            cluster.submit(&session, Target::Router, "SELECT count(*), sum(v) FROM t");
        }
        55..=59 => {
            if let Some(id) = pick(rng, &all) {
                let _ = cluster.crash(id);
            }
        }
        60..=66 => {
            let crashed: Vec<NodeId> = all
                .iter()
                .copied()
                .filter(|id| cluster.node(*id).state == NodeState::Crashed)
                .collect();
            if let Some(id) = pick(rng, &crashed) {
                cluster.restart(id).expect("restarting a crashed node");
            }
        }
        67..=71 => {
            if let Some(id) = pick(rng, &replicas) {
                let way = rng.below_or_equal(2);
                cluster.partition(id, way != 2, way != 1).expect("a replica's link");
            }
        }
        72..=76 => cluster.heal(None).expect("heal"),
        77..=79 => {
            if let Some(id) = pick(rng, &replicas) {
                cluster.set_link_delay(id, rng.below_or_equal(1_500)).expect("a replica's link");
                cluster.set_link_jitter(id, rng.below_or_equal(200)).expect("a replica's link");
            }
        }
        80..=81 => {
            if let Some(id) = pick(rng, &replicas) {
                cluster.set_apply_delay(id, rng.below_or_equal(2_000)).expect("a replica");
                let paused = rng.chance(0.3);
                cluster.set_replay_paused(id, paused).expect("a replica");
            }
        }
        82..=83 => {
            let stuck: Vec<NodeId> = replicas
                .iter()
                .copied()
                .filter(|id| cluster.node(*id).receiver == Receiver::NeedsResync)
                .collect();
            if let Some(id) = pick(rng, &stuck) {
                let _ = cluster.resync(id);
            }
        }
        84..=85 => {
            let mode = SyncCommit::ALL[rng.below_or_equal(4) as usize];
            cluster.set_session_commit(&session, Some(mode));
            let strategies = ["none", "primary", "sticky", "lsn", "sync"];
            let ryw = strategies[rng.below_or_equal(4) as usize];
            cluster.set_session_ryw(
                &session,
                Ryw::parse(ryw, Some("2s"), Some("500ms")).expect("valid"),
            );
        }
        90..=91 => {
            if let Some(id) = pick(rng, &all) {
                let _ = cluster.partition_from_manager(id);
            }
        }
        88..=89 => {
            if let Some(id) = pick(rng, &replicas) {
                let _ = if rng.chance(0.5) { cluster.promote(id) } else { cluster.switchover(id) };
            }
        }
        86..=87 => {
            let policies = [Policy::RoundRobin, Policy::LeastLag, Policy::Weighted];
            let policy = policies[rng.below_or_equal(2) as usize];
            let max_lag_ms = rng.chance(0.5).then(|| rng.below_or_equal(3_000));
            let config = RouterConfig { policy, max_lag_ms, ..RouterConfig::default() };
            cluster.set_router(config).expect("no weights for the primary");
        }
        // A run without fencing may switch it on mid-run: an old primary still taking writes
        // must fence itself at once.
        92 if !cluster.failover_config().fencing => {
            let failover = FailoverConfig { fencing: true, ..cluster.failover_config().clone() };
            cluster.set_failover(failover).expect("valid failover settings");
        }
        93..=95 => {
            // The server's side of SQL, on any node: views, recovery functions, settings.
            const CATALOG_SQL: [&str; 10] = [
                "SELECT * FROM pg_stat_replication",
                "SELECT * FROM pg_stat_wal_receiver",
                "SELECT pid, state, wait_event FROM pg_stat_activity",
                "SELECT pg_wal_replay_pause()",
                "SELECT pg_wal_replay_resume()",
                "SELECT pg_promote()",
                "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE wait_event = 'SyncRep'",
                "SET synchronous_commit = remote_apply",
                "ALTER SYSTEM SET synchronous_standby_names = 'ANY 1 (*)'; SELECT pg_reload_conf()",
                "SELECT pg_sleep(0.5)",
            ];
            let sql = CATALOG_SQL[rng.below_or_equal(CATALOG_SQL.len() as u64 - 1) as usize];
            let target = pick(rng, &all).map_or(Target::Router, Target::Node);
            cluster.submit(&session, target, sql);
        }
        96 => {
            let _ = cluster.cancel(&session);
        }
        _ => cluster.advance(rng.below_or_equal(2_000)),
    }
    cluster.advance(0);
    cluster.take_finished();
}

/// The last events, when `SWEEP_VERBOSE` is set (to see how a failing seed got there).
fn recent_events(cluster: &Cluster) -> String {
    if std::env::var_os("SWEEP_VERBOSE").is_none() {
        return String::new();
    }
    let events: Vec<String> =
        cluster.events().iter().rev().take(60).map(|e| e.to_string()).collect();
    format!("\n{}", events.into_iter().rev().collect::<Vec<_>>().join("\n"))
}

/// Heals every fault and lets replication finish.
fn repair(cluster: &mut Cluster) {
    cluster.heal(None).expect("heal");
    let ids: Vec<NodeId> = cluster.members().map(|n| n.id).collect();
    for id in ids {
        if cluster.node(id).state == NodeState::Crashed {
            cluster.restart(id).expect("restart");
        }
        if cluster.node(id).role == Role::Replica {
            cluster.set_replay_paused(id, false).expect("a replica");
            cluster.set_apply_delay(id, 0).expect("a replica");
        }
    }
    cluster.advance(15_000);
    // A re-sync can itself fall behind a tiny wal_keep_size while writes go on: try again.
    for _ in 0..3 {
        for id in cluster.replicas() {
            if cluster.node(id).receiver == Receiver::NeedsResync {
                cluster.resync(id).expect("the primary is up");
            }
        }
        cluster.advance(30_000);
    }
}

/// What the history checker must never report: a lost write that synchronous commit had
/// confirmed on a standby (unless the run knowingly promoted past it — a lossy timeline), or,
/// with fencing on, a split-brain write.
fn checker_contradictions(cluster: &Cluster) -> Vec<String> {
    checker::check(cluster.history(), cluster)
        .into_iter()
        .filter_map(|finding| {
            let record = finding.ops.first().and_then(|id| cluster.history().get(*id))?;
            // Two primaries of a split brain may each commit the same xid at the same LSN: the
            // timeline tells them apart.
            let ack = cluster
                .acknowledged()
                .iter()
                .find(|a| Some((a.xid, a.end)) == record.commit && a.timeline == record.timeline)?;
            match finding.anomaly {
                Anomaly::SplitBrainWrite if ack.fencing => Some(format!(
                    "split-brain write with fencing on: {}",
                    finding.because.join("; ")
                )),
                Anomaly::LostWrite => {
                    let lossy =
                        cluster.lossy_timelines().range(ack.timeline + 1..).next().is_some();
                    (ack.confirmed_by_standby && !lossy).then(|| {
                        format!(
                            "lost write under synchronous commit: {}",
                            finding.because.join("; ")
                        )
                    })
                }
                _ => None,
            }
        })
        .collect()
}

/// What a passing run leaves behind.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct RunSummary {
    digest: u64,
    acknowledged: usize,
    crashes: u32,
    /// A run without fencing in which two primaries took writes at some point.
    split_brain: bool,
    /// Lost writes the history checker reported (allowed ones: asynchronous commits).
    lost_writes: usize,
}

/// Runs one seed; returns a summary (with its event-log digest), or the first violation.
fn run_seed(seed: u64) -> Result<RunSummary, String> {
    let mut rng = Rng::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5EED);
    let mut cluster = random_cluster(seed, &mut rng);
    let mut checker = Checker::default();
    let mut next_key = 0;
    let mut split_brain = false;
    for step in 0..STEPS {
        let stepped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            random_step(&mut cluster, &mut rng, &mut next_key)
        }));
        if stepped.is_err() {
            return Err(format!(
                "seed {seed}, step {step}: the engine panicked{}",
                recent_events(&cluster)
            ));
        }
        if let Some(v) = checker.check(&cluster, Expectation::Always).first() {
            return Err(format!("seed {seed}, step {step}: {v}{}", recent_events(&cluster)));
        }
        split_brain |= !single_writer_violations(&cluster).is_empty();
    }
    repair(&mut cluster);
    let mut found = checker.check(&cluster, Expectation::Always);
    found.extend(checker.check(&cluster, Expectation::Eventually));
    if let Some(problem) = checker_contradictions(&cluster).first() {
        return Err(format!("seed {seed}, after repair: {problem}"));
    }
    let unconnected: Vec<String> = cluster
        .replicas()
        .into_iter()
        .filter(|id| cluster.node(*id).receiver != Receiver::Streaming)
        .map(|id| format!("{id} is {}", cluster.node(id).receiver.as_str()))
        .collect();
    match (found.first(), unconnected.is_empty()) {
        (Some(v), _) => Err(format!("seed {seed}, after repair: {v}")),
        (None, false) => Err(format!("seed {seed}, after repair: {}", unconnected.join(", "))),
        (None, true) => Ok(RunSummary {
            digest: cluster.digest(),
            acknowledged: cluster.acknowledged().len(),
            crashes: cluster.nodes().iter().map(|n| n.crashes).sum(),
            split_brain,
            lost_writes: checker::check(cluster.history(), &cluster)
                .iter()
                .filter(|f| f.anomaly == Anomaly::LostWrite)
                .count(),
        }),
    }
}

/// Runs a seed, turning a panic (a broken `assert!` inside the engine) into a failure too.
fn run_caught(seed: u64) -> Result<RunSummary, String> {
    std::panic::catch_unwind(|| run_seed(seed)).unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        Err(format!("seed {seed}: panicked: {message}"))
    })
}

#[test]
fn invariants_hold_over_a_seed_sweep() {
    let first = env_number("SWEEP_FIRST", 0);
    let seeds = env_number("SWEEP_SEEDS", 1_000);
    let runs: Vec<Result<RunSummary, String>> = (first..first + seeds).map(run_caught).collect();
    let failures: Vec<String> = runs.iter().filter_map(|r| r.as_ref().err().cloned()).collect();
    assert!(
        failures.is_empty(),
        "{} of {seeds} seeds failed; first ones:\n{}",
        failures.len(),
        failures[..failures.len().min(10)].join("\n")
    );
    // The sweep must exercise something: acknowledged writes and crashes in most runs.
    let passed: Vec<&RunSummary> = runs.iter().filter_map(|r| r.as_ref().ok()).collect();
    let acknowledged: usize = passed.iter().map(|r| r.acknowledged).sum();
    let crashes: u32 = passed.iter().map(|r| r.crashes).sum();
    assert!(
        acknowledged as u64 >= seeds * 5,
        "only {acknowledged} writes acknowledged in {seeds} runs"
    );
    assert!(u64::from(crashes) >= seeds, "only {crashes} crashes in {seeds} runs");
    // Without fencing, split brain must actually happen (so the check has teeth), and heal.
    let split_brains = passed.iter().filter(|r| r.split_brain).count();
    assert!(seeds < 500 || split_brains > 0, "no split brain in {seeds} runs without fencing");
    // Asynchronous failovers do lose writes: the checker's lost-write check must see some.
    let lost: usize = passed.iter().map(|r| r.lost_writes).sum();
    assert!(seeds < 500 || lost > 0, "the checker found no lost write in {seeds} runs");
    eprintln!("{seeds} seeds: {acknowledged} writes acknowledged, {crashes} crashes, {split_brains} split brains (fencing off), {lost} lost writes reported");
}

#[test]
fn the_sweep_checks_every_invariant_of_the_table() {
    // Each kind is checked somewhere above: always after every step, eventually after repair.
    assert!(INVARIANTS.iter().any(|i| i.expectation == Expectation::Always));
    assert!(INVARIANTS.iter().any(|i| i.expectation == Expectation::Eventually));
    let names: std::collections::BTreeSet<&str> = INVARIANTS.iter().map(|i| i.name).collect();
    assert_eq!(names.len(), INVARIANTS.len(), "invariant names are unique");
}

#[test]
fn the_same_seed_gives_the_identical_run() {
    for seed in [1, 42, 977] {
        let a = run_seed(seed).expect("seed passes");
        let b = run_seed(seed).expect("seed passes");
        assert_eq!(a, b, "seed {seed} ran differently twice");
    }
    let different: std::collections::BTreeSet<u64> =
        (1..6).map(|s| run_seed(s).expect("passes").digest).collect();
    assert!(different.len() > 1, "different seeds should give different runs");
}

/// One seed of the synchronous-visibility sweep: alice inserts one row at a time on the
/// primary under `synchronous_standby_names`; her standby's link is cut and healed at random,
/// and some waits are cancelled. bob counts the rows on the primary. A row must be invisible
/// to bob until alice's commit is acknowledged: bob's count is never more than the commits
/// alice had been told about when his answer came back, nor less than those before he asked.
fn sync_visibility_seed(seed: u64) -> Result<(), String> {
    let mut rng = Rng::new(seed ^ 0x51_4C);
    let config = ClusterConfig {
        replicas: 2,
        seed,
        link_delay_ms: 20 + rng.below_or_equal(300),
        ..ClusterConfig::default()
    };
    let mut cluster = Cluster::new(config);
    cluster.set("synchronous_standby_names", "FIRST 1 (pg2)").expect("valid");
    cluster.submit("setup", Target::Primary, "CREATE TABLE t (k INT PRIMARY KEY)");
    cluster.advance(2_000);
    let (primary, standby) = (NodeId(0), NodeId(1));
    let mut acks_ms: Vec<u64> = Vec::new();
    let (mut next_key, mut alice_busy) = (0, false);
    for step in 0..80 {
        match rng.below_or_equal(9) {
            0 => cluster.partition(standby, true, true).expect("a replica"),
            1 => cluster.heal(None).expect("heal"),
            2 => {
                let _ = cluster.cancel("alice");
            }
            3..=5 if !alice_busy => {
                next_key += 1;
                let sql = format!("INSERT INTO t VALUES ({next_key})");
                cluster.submit("alice", Target::Node(primary), &sql);
                alice_busy = true;
            }
            _ => {
                cluster.submit("bob", Target::Node(primary), "SELECT count(*) FROM t");
            }
        }
        cluster.advance(rng.below_or_equal(400));
        for reply in cluster.take_finished() {
            let Some(statement) = reply.statements.first() else { continue };
            match &*reply.session {
                "alice" => {
                    alice_busy = false;
                    if statement.result.is_ok() {
                        acks_ms.push(statement.done_ms);
                    }
                }
                "bob" => {
                    let Ok(outcome) = &statement.result else { continue };
                    let count = outcome.rows[0][0].to_string().parse::<usize>().expect("a count");
                    let before = acks_ms.iter().filter(|at| **at <= statement.sent_ms).count();
                    let by_answer = acks_ms.iter().filter(|at| **at <= statement.done_ms).count();
                    if count > by_answer || count < before {
                        return Err(format!(
                            "seed {seed}, step {step}: bob counted {count} rows at {}ms; alice had {before} acknowledged when he asked and {by_answer} when he was answered",
                            statement.done_ms
                        ));
                    }
                }
                _ => {}
            }
        }
    }
    Ok(())
}

#[test]
fn synchronous_commits_stay_invisible_until_acknowledged() {
    let seeds = env_number("SWEEP_SEEDS", 1_000) / 5;
    let failures: Vec<String> =
        (0..seeds).filter_map(|seed| sync_visibility_seed(seed).err()).take(3).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
