//! # Views for the diagram, the charts and the load generator
//!
//! Plain data cut from the engine each frame for the components' props: what is on the wire,
//! who answered each session, what the router, the endpoint and the failover manager are
//! doing, the monitoring series of the last minute. No Yew here: tested natively.

use crate::engine::vecmap::VecMap;

use crate::engine::cluster::{LoadGen, Message, Payload};
use crate::engine::metrics::Series;
use crate::engine::node::Role;
use crate::engine::wal::Lsn;
use crate::engine::{format_millis, Cluster, Millis, NodeId, OpId, Reply, StatementReply, Target};

/// A lane with up to this many messages draws each; a busier one draws about this many, one
/// per slice of send time, and counts the rest.
pub const DRAWN_PER_LANE: usize = 10;

/// How much history the charts show.
pub const CHART_WINDOW_MS: Millis = 60_000;

/// A message on the wire.
#[derive(Clone, Debug, PartialEq)]
pub struct WireView {
    /// Unique in the run: the diagram keys the message's circle by it.
    pub id: u64,
    pub from: NodeId,
    pub to: NodeId,
    /// `wal`, `feedback`, `connect` or `answer`.
    pub kind: &'static str,
    pub bytes: u64,
    /// WAL records it carries.
    pub records: usize,
    pub sent_ms: Millis,
    pub arrives_ms: Millis,
}

/// The messages of one lane: the newest few to draw, and how many more there are.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LaneView {
    pub drawn: Vec<WireView>,
    pub more: usize,
}

/// Every message on the wire, by (sender, receiver).
pub fn wire(cluster: &Cluster) -> VecMap<(NodeId, NodeId), LaneView> {
    let mut lanes: VecMap<(NodeId, NodeId), Vec<(u64, &Message)>> = VecMap::new();
    for (id, message) in cluster.in_flight_numbered() {
        lanes.entry((message.from, message.to)).or_default().push((id, message));
    }
    let mut views = VecMap::new();
    for (key, messages) in lanes.iter() {
        views.insert(*key, thinned(messages));
    }
    views
}

/// A lane's messages to draw: all of a quiet lane's, by arrival; a busy lane's thinned to one
/// per slice of send time (the first sent in each), so the dots spread evenly along the link
/// and each crosses all of it, frame after frame, at any rate (at 1 000 writes a second a new
/// message every millisecond would otherwise push every dot off the drawing on every frame).
/// Either way in the order they were sent.
/// The slice is a power of two of milliseconds, about a [`DRAWN_PER_LANE`]th of the flight
/// time, so it holds still while the link does. Only the drawn messages are described.
fn thinned(messages: &[(u64, &Message)]) -> LaneView {
    if messages.len() <= DRAWN_PER_LANE {
        let mut drawn: Vec<WireView> = messages.iter().map(|(id, m)| wire_view(*id, m)).collect();
        // A few: sorted by insertion, written out, which keeps another instance of the
        // standard sort out of the bundle.
        for i in 1..drawn.len() {
            let mut j = i;
            while j > 0 && (drawn[j - 1].sent_ms, drawn[j - 1].id) > (drawn[j].sent_ms, drawn[j].id)
            {
                drawn.swap(j - 1, j);
                j -= 1;
            }
        }
        return LaneView { drawn, more: 0 };
    }
    let flight_ms = messages.iter().map(|(_, m)| m.arrives_ms - m.sent_ms).max().unwrap_or(0);
    let slice_ms = flight_ms.div_ceil(DRAWN_PER_LANE as Millis).max(1).next_power_of_two();
    let mut firsts: VecMap<Millis, (Millis, u64, &Message)> = VecMap::new();
    for &(id, m) in messages.iter() {
        let first = firsts.entry(m.sent_ms / slice_ms).or_insert((m.sent_ms, id, m));
        if (m.sent_ms, id) < (first.0, first.1) {
            *first = (m.sent_ms, id, m);
        }
    }
    // By slice, so in the order they were sent.
    let drawn: Vec<WireView> = firsts.values().map(|(_, id, m)| wire_view(*id, m)).collect();
    LaneView { more: messages.len() - drawn.len(), drawn }
}

fn wire_view(id: u64, message: &Message) -> WireView {
    let records = match &message.payload {
        Payload::Wal { records } => records.len(),
        _ => 0,
    };
    WireView {
        id,
        from: message.from,
        to: message.to,
        kind: message.kind(),
        bytes: message.bytes(),
        records,
        sent_ms: message.sent_ms,
        arrives_ms: message.arrives_ms,
    }
}

/// A client session as the diagram shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionView {
    pub name: String,
    /// The node that answered its last statement, and whether through the router.
    pub last: Option<(NodeId, bool)>,
    /// The last answer came from the read cache.
    pub cached: bool,
    /// The last answer missed a write acknowledged before it was sent.
    pub stale: bool,
    /// Why the router sent it there, when that was not the plain policy choice.
    pub route: Option<String>,
    /// Its cached answer for the endpoint, while fresh: (node, expires).
    pub resolved: Option<(NodeId, Millis)>,
}

/// The console's sessions, each with its last answer.
pub fn sessions(
    cluster: &Cluster,
    names: &[&str],
    replies: &[Reply],
    stale: &Staleness,
) -> Vec<SessionView> {
    let cached: VecMap<String, (NodeId, Millis)> = cluster
        .cached_endpoint_answers()
        .into_iter()
        .map(|(name, r)| (name, (r.node, r.expires_ms)))
        .collect();
    names
        .iter()
        .map(|name| {
            let last =
                replies.iter().rev().filter(|r| *r.session == **name).find_map(|r| {
                    Some((r.target, r.statements.last()?, r.op, r.statements.len() - 1))
                });
            SessionView {
                name: name.to_string(),
                last: last.map(|(target, s, _, _)| (s.node, target == Target::Router)),
                cached: last.is_some_and(|(_, s, _, _)| s.cached_at_ms.is_some()),
                stale: last.is_some_and(|(_, _, op, i)| stale.contains_key(&(op, i))),
                route: last.and_then(|(_, s, _, _)| s.route.clone()),
                resolved: cached.get(*name).copied(),
            }
        })
        .collect()
}

/// Why an answer is stale, keyed by (op, statement index).
pub type Staleness = VecMap<(OpId, usize), String>;

/// A write the console saw acknowledged: when, where in the WAL, on which tables.
struct SeenWrite<'a> {
    session: &'a str,
    statement: &'a StatementReply,
    commit: Lsn,
    tables: Vec<String>,
}

fn tables_of(sql: &str) -> Vec<String> {
    crate::engine::sql::parse(sql)
        .map(|statements| statements.iter().flat_map(|s| s.tables().to_vec()).collect())
        .unwrap_or_default()
}

/// Which of the console's reads answered without a write that was acknowledged before they
/// were sent, to a table they read: the answering replica (or the cache entry) had not
/// replayed it. Each says why, in positions, bytes and time, as the lesson explains lag.
pub fn staleness(cluster: &Cluster, replies: &[Reply]) -> Staleness {
    let writes: Vec<SeenWrite> = replies
        .iter()
        .flat_map(|r| r.statements.iter().map(move |s| (&*r.session, s)))
        .filter(|(_, s)| s.result.is_ok())
        .filter_map(|(session, s)| {
            let commit = s.commit_lsn?;
            Some(SeenWrite { session, statement: s, commit, tables: tables_of(&s.sql) })
        })
        .collect();
    let mut out = Staleness::new();
    for reply in replies {
        for (i, read) in reply.statements.iter().enumerate() {
            let from_a_copy = read.role == Role::Replica || read.cached_at_ms.is_some();
            if read.commit_lsn.is_some() || read.result.is_err() || !from_a_copy {
                continue;
            }
            let tables = tables_of(&read.sql);
            let missed = writes.iter().rev().find(|w| {
                w.statement.done_ms <= read.sent_ms
                    && w.statement.timeline == read.timeline
                    && w.commit > read.node_lsn
                    && w.tables.iter().any(|t| tables.contains(t))
            });
            if let Some(write) = missed {
                out.insert((reply.op, i), explain(cluster, &reply.session, read, write));
            }
        }
    }
    out
}

fn explain(cluster: &Cluster, reader: &str, read: &StatementReply, write: &SeenWrite) -> String {
    let whose =
        if write.session == reader { "your".to_string() } else { format!("{}'s", write.session) };
    let verb =
        write.statement.sql.split_whitespace().next().unwrap_or("write").to_ascii_uppercase();
    let source = match read.cached_at_ms {
        Some(at) => format!(
            "the cache held {}'s answer from t = {}, when it had replayed up to {}",
            read.node,
            format_millis(at),
            read.node_lsn
        ),
        None => format!("{} had replayed up to {}", read.node, read.node_lsn),
    };
    let node = cluster.nodes().get(read.node.0);
    let arrived = node.is_some_and(|n| n.timeline == read.timeline && n.replay_lsn >= write.commit);
    // The WAL message carrying it, if it is on the wire to that node now.
    let carrying = cluster.in_flight_numbered().map(|(_, m)| m).find(|m| {
        m.to == read.node
            && matches!(&m.payload, Payload::Wal { records } if records.iter().any(|r| r.end >= write.commit))
    });
    let since = match (arrived, carrying) {
        (true, _) => "it has arrived there since".to_string(),
        (false, Some(m)) => format!(
            "it is on the wire and arrives in {}",
            format_millis(m.arrives_ms.saturating_sub(cluster.now_ms()))
        ),
        (false, None) => "it has not arrived there yet".to_string(),
    };
    format!(
        "stale: {source}; {whose} {verb} committed at {}, {} bytes and {} earlier — {since}",
        write.commit,
        write.commit.bytes_since(read.node_lsn),
        format_millis(read.sent_ms - write.statement.done_ms),
    )
}

/// The failover manager as the diagram shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ManagerView {
    pub auto: bool,
    pub fencing: bool,
    pub loop_wait_ms: Millis,
    /// Consecutive failed health checks.
    pub missed: u32,
    /// Until the leader lease runs out, while checks fail.
    pub lease_left_ms: Option<Millis>,
    /// Until the next health check.
    pub next_check_in_ms: Option<Millis>,
    /// What it is doing, in words ("promoting pg2", "switchover pg1 → pg3").
    pub doing: Option<String>,
}

impl ManagerView {
    pub fn of(cluster: &Cluster) -> Self {
        let config = cluster.failover_config();
        let status = cluster.manager_status();
        let now = cluster.now_ms();
        let doing = match (status.promoting, status.switchover) {
            (Some(node), _) => Some(format!("promoting {node}")),
            (None, Some((from, to))) => Some(format!("switchover {from} → {to}")),
            (None, None) => None,
        };
        Self {
            auto: config.auto,
            fencing: config.fencing,
            loop_wait_ms: config.loop_wait_ms,
            missed: status.missed,
            lease_left_ms: (config.auto && status.missed > 0)
                .then(|| status.lease_expires_ms.saturating_sub(now)),
            next_check_in_ms: status.next_check_ms.map(|at| at.saturating_sub(now)),
            doing,
        }
    }

    /// One line for the diagram.
    pub fn summary(&self) -> String {
        if !self.auto {
            return "auto failover off".to_string();
        }
        if let Some(doing) = &self.doing {
            return doing.clone();
        }
        match (self.missed, self.lease_left_ms) {
            (0, _) => {
                format!("primary healthy · checks every {}", format_millis(self.loop_wait_ms))
            }
            (missed, Some(left)) => format!(
                "{missed} missed check{} · lease expires in {}",
                if missed == 1 { "" } else { "s" },
                format_millis(left.div_ceil(1_000) * 1_000)
            ),
            (missed, None) => format!("{missed} missed checks"),
        }
    }
}

/// One line of a chart.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesView {
    pub label: String,
    /// (simulated ms, value), oldest first.
    pub points: Vec<(f64, f64)>,
}

/// What every chart shows: the last [`CHART_WINDOW_MS`] up to the newest sample.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartsView {
    /// (from, to) simulated ms.
    pub window: (Millis, Millis),
    pub lag_ms: Vec<SeriesView>,
    pub lag_bytes: Vec<SeriesView>,
    pub write_latency_ms: Vec<SeriesView>,
    pub statements_per_s: Vec<SeriesView>,
    pub cpu: Vec<SeriesView>,
    /// Only while the read cache is on.
    pub cache_hit_ratio: Option<SeriesView>,
    /// `log_min_duration_statement` (None: the slow-query log is off).
    pub slow_threshold_ms: Option<Millis>,
    /// The slow-query log, newest first (at most [`SLOW_SHOWN`]).
    pub slow: Vec<crate::engine::metrics::SlowQuery>,
    /// One row per replica: is it healthy, and if not, why.
    pub health: Vec<HealthRow>,
}

/// A streaming replica this far behind is flagged "behind" (a little lag is normal: WAL is
/// always on its way).
pub const BEHIND_MS: Millis = 1_000;

/// How healthy a replica is, in one word, with what the word rests on.
#[derive(Clone, Debug, PartialEq)]
pub struct HealthRow {
    pub name: String,
    /// `healthy`, `behind`, `catching up`, `shunned`, `replay paused`, `not streaming`, `down`.
    pub verdict: &'static str,
    /// Why, when not healthy.
    pub why: String,
    pub receiver: &'static str,
    pub replay_lsn: String,
    pub lag_bytes: u64,
    pub lag_ms: Millis,
    pub timeline: u64,
}

impl HealthRow {
    /// The first thing wrong with a replica, worst first.
    pub fn of(node: &crate::ui::state::NodeView) -> Self {
        use crate::engine::node::{NodeState, Receiver};
        let (verdict, why) = if node.state != NodeState::Running {
            ("down", format!("the server is {}", node.state.as_str()))
        } else if node.receiver != Receiver::Streaming {
            ("not streaming", format!("its WAL receiver is {}", node.receiver.as_str()))
        } else if node.replay_paused {
            ("replay paused", "pg_wal_replay_pause(): WAL arrives, nothing is applied".into())
        } else if node.shunned {
            ("shunned", "the router sends it no reads: over its maximum lag".into())
        } else if node.catching_up {
            ("catching up", "connected behind the primary; the walsender is in catchup".into())
        } else if node.lag_ms >= BEHIND_MS {
            ("behind", format!("{} behind the primary", format_millis(node.lag_ms)))
        } else {
            ("healthy", String::new())
        };
        Self {
            name: node.name.clone(),
            verdict,
            why,
            receiver: node.receiver.as_str(),
            replay_lsn: node.replay_lsn.clone(),
            lag_bytes: node.lag_bytes,
            lag_ms: node.lag_ms,
            timeline: node.timeline,
        }
    }
}

/// Slow queries the monitoring panel lists.
pub const SLOW_SHOWN: usize = 12;

fn cut(series: &Series, from_ms: Millis) -> Vec<(f64, f64)> {
    series.points().filter(|(t, _)| *t >= from_ms).map(|(t, v)| (*t as f64, *v)).collect()
}

impl ChartsView {
    pub fn of(cluster: &Cluster) -> Self {
        let metrics = cluster.metrics();
        let members: Vec<NodeId> = cluster.members().map(|n| n.id).collect();
        let newest = members
            .iter()
            .filter_map(|id| metrics.node_ref(*id)?.cpu.points().last().map(|p| p.0))
            .max()
            .unwrap_or(0);
        let to_ms = newest.max(CHART_WINDOW_MS);
        let from_ms = to_ms - CHART_WINDOW_MS;
        let per_node = |pick: fn(&crate::engine::metrics::NodeMetrics) -> &Series,
                        replicas_only: bool| {
            members
                .iter()
                .filter(|id| !replicas_only || cluster.node(**id).role.as_str() == "replica")
                .filter_map(|id| {
                    let m = metrics.node_ref(*id)?;
                    Some(SeriesView {
                        label: id.name().into_owned(),
                        points: cut(pick(m), from_ms),
                    })
                })
                .collect::<Vec<_>>()
        };
        let primary = metrics.node_ref(cluster.primary());
        let write_latency_ms = primary
            .map(|m| {
                vec![
                    SeriesView { label: "p50".into(), points: cut(&m.write_p50_ms, from_ms) },
                    SeriesView { label: "p99".into(), points: cut(&m.write_p99_ms, from_ms) },
                ]
            })
            .unwrap_or_default();
        Self {
            window: (from_ms, to_ms),
            lag_ms: per_node(|m| &m.lag_ms, true),
            lag_bytes: per_node(|m| &m.lag_bytes, true),
            write_latency_ms,
            statements_per_s: per_node(|m| &m.statements_per_s, false),
            cpu: per_node(|m| &m.cpu, false),
            cache_hit_ratio: cluster.cache_config().enabled.then(|| SeriesView {
                label: "hit ratio".into(),
                points: cut(&metrics.cache_hit_ratio, from_ms),
            }),
            slow_threshold_ms: cluster.settings().log_min_duration_statement_ms,
            slow: metrics.slow_queries().rev().take(SLOW_SHOWN).cloned().collect(),
            health: members
                .iter()
                .filter(|id| cluster.node(**id).role == Role::Replica)
                .map(|id| HealthRow::of(&crate::ui::state::NodeView::of(cluster, *id)))
                .collect(),
        }
    }
}

/// The load generator panel's view.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadView {
    pub running: bool,
    pub rate_per_s: u64,
    pub read_ratio: f64,
    pub heavy_ratio: f64,
    pub sessions: usize,
    /// Where its statements go: the router (reads to the replicas) or all to the primary.
    pub target: Target,
    /// The load's summary (counts and latencies per kind), when one ran.
    pub summary: Option<String>,
}

impl LoadView {
    pub fn of(load: Option<&LoadGen>) -> Self {
        match load {
            Some(load) => Self {
                running: !load.finished,
                rate_per_s: load.spec.rate_per_s,
                read_ratio: load.spec.read_ratio,
                heavy_ratio: load.spec.heavy_ratio,
                sessions: load.spec.sessions,
                target: load.spec.target,
                summary: Some(load.render()),
            },
            None => Self {
                running: false,
                rate_per_s: 100,
                read_ratio: 0.85,
                heavy_ratio: 0.0,
                sessions: 10,
                target: Target::Router,
                summary: None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ClusterConfig;

    #[test]
    fn replica_health_names_the_worst_thing_first() {
        let mut cluster = Cluster::new(ClusterConfig { replicas: 2, ..ClusterConfig::default() });
        cluster.advance(2_000);
        let rows = ChartsView::of(&cluster).health;
        assert_eq!(
            rows.iter().map(|r| (r.name.as_str(), r.verdict)).collect::<Vec<_>>(),
            [("pg2", "healthy"), ("pg3", "healthy")]
        );
        let mut node = crate::ui::state::NodeView::of(&cluster, cluster.replicas()[0]);
        node.lag_bytes = 114;
        node.lag_ms = 200;
        assert_eq!(HealthRow::of(&node).verdict, "healthy", "WAL on its way is normal");
        node.lag_ms = BEHIND_MS;
        assert_eq!(HealthRow::of(&node).verdict, "behind");
        node.shunned = true;
        assert_eq!(HealthRow::of(&node).verdict, "shunned");
        node.replay_paused = true;
        assert_eq!(HealthRow::of(&node).verdict, "replay paused");
        node.receiver = crate::engine::node::Receiver::Disconnected;
        assert_eq!(HealthRow::of(&node).why, "its WAL receiver is disconnected");
        node.state = crate::engine::node::NodeState::Crashed;
        assert_eq!(HealthRow::of(&node).verdict, "down");
    }

    fn cluster_with_table() -> Cluster {
        let mut cluster = Cluster::new(ClusterConfig::default());
        cluster.submit("alice", Target::Router, "CREATE TABLE t (a INT)");
        cluster.advance(3_000);
        cluster
    }

    #[test]
    fn the_wire_shows_wal_on_each_replica_link_until_it_arrives() {
        let mut cluster = cluster_with_table();
        cluster.submit("alice", Target::Router, "INSERT INTO t VALUES (1)");
        cluster.advance(10);
        let lanes = wire(&cluster);
        for replica in [NodeId(1), NodeId(2)] {
            let lane = &lanes[&(NodeId(0), replica)];
            assert_eq!(lane.drawn.len(), 1);
            assert_eq!(lane.drawn[0].kind, "wal");
            assert_eq!(lane.drawn[0].records, 1);
            assert!(lane.drawn[0].bytes > 0);
        }
        cluster.advance(1_000);
        assert!(wire(&cluster).values().flat_map(|l| &l.drawn).all(|m| m.kind != "wal"));
    }

    #[test]
    fn a_quiet_lane_draws_every_message() {
        let mut cluster = cluster_with_table();
        for i in 0..DRAWN_PER_LANE {
            cluster.submit("alice", Target::Primary, &format!("INSERT INTO t VALUES ({i})"));
            cluster.advance(20);
        }
        let lane = &wire(&cluster)[&(NodeId(0), NodeId(1))];
        assert_eq!((lane.drawn.len(), lane.more), (DRAWN_PER_LANE, 0));
    }

    #[test]
    fn a_busy_lane_draws_one_message_per_slice_of_the_link_and_keeps_drawing_it() {
        let mut cluster = cluster_with_table();
        let insert = |cluster: &mut Cluster, i: usize| {
            cluster.submit("alice", Target::Primary, &format!("INSERT INTO t VALUES ({i})"));
            cluster.advance(5);
        };
        (0..300).for_each(|i| insert(&mut cluster, i));
        let lane = wire(&cluster)[&(NodeId(0), NodeId(1))].clone();
        let in_flight = lane.drawn.len() + lane.more;
        assert!(in_flight > 150, "a second's WAL is on the link: {in_flight}");
        assert!((DRAWN_PER_LANE - 2..=DRAWN_PER_LANE + 2).contains(&lane.drawn.len()), "{lane:?}");
        let sent: Vec<Millis> = lane.drawn.iter().map(|m| m.sent_ms).collect();
        // (The oldest slice is partly arrived: its first dot left now may be close to the next.)
        let spread = sent.windows(2).skip(1).all(|w| w[1] - w[0] >= 32);
        assert!(spread, "spread along the link: {sent:?}");
        // Ten frames later the dots still on the link are the same messages.
        (300..310).for_each(|i| insert(&mut cluster, i));
        let later = &wire(&cluster)[&(NodeId(0), NodeId(1))];
        let now_ms = cluster.now_ms();
        for m in lane.drawn.iter().filter(|m| m.arrives_ms > now_ms) {
            assert!(later.drawn.iter().any(|l| l.id == m.id), "{m:?} is still drawn");
        }
    }

    #[test]
    fn a_session_points_at_the_node_that_answered_it() {
        let mut cluster = cluster_with_table();
        cluster.submit("bob", Target::Router, "SELECT * FROM t");
        cluster.advance(100);
        let replies = cluster.take_finished();
        let views = sessions(&cluster, &["alice", "bob"], &replies, &Staleness::new());
        assert_eq!(views[0].last, Some((NodeId(0), true)), "alice's CREATE went to the primary");
        let (node, routed) = views[1].last.expect("bob was answered");
        assert!(routed && node != NodeId(0), "a routed read lands on a replica");
    }

    #[test]
    fn a_read_that_misses_an_acknowledged_write_says_where_the_replica_was() {
        let mut cluster = cluster_with_table();
        cluster.submit("alice", Target::Router, "INSERT INTO t VALUES (1)");
        cluster.advance(10);
        cluster.submit("bob", Target::Router, "SELECT * FROM t");
        cluster.submit("bob", Target::Router, "SELECT 1");
        cluster.advance(10);
        let mut replies = cluster.take_finished();
        let stale = staleness(&cluster, &replies);
        assert_eq!(stale.len(), 1, "only the read of t: {stale:?}");
        let why = stale.values().next().expect("one");
        assert!(why.starts_with("stale: pg") && why.contains("had replayed up to 0/"), "{why}");
        assert!(why.contains("alice's INSERT committed at 0/"), "{why}");
        assert!(why.ends_with("it is on the wire and arrives in 980ms"), "{why}");
        cluster.advance(2_000);
        let why = staleness(&cluster, &replies)
            .into_iter()
            .map(|(_, why)| why)
            .next()
            .expect("still stale");
        assert!(why.ends_with("it has arrived there since"), "{why}");
        // Read after the lag: fresh.
        cluster.submit("bob", Target::Router, "SELECT * FROM t");
        cluster.advance(10);
        let (op, _) = stale.keys().next().copied().expect("one");
        replies.retain(|r| r.op != op);
        replies.extend(cluster.take_finished());
        assert!(staleness(&cluster, &replies).is_empty());
    }

    #[test]
    fn the_manager_counts_down_its_lease_while_checks_fail() {
        let mut cluster = cluster_with_table();
        let config = crate::engine::cluster::FailoverConfig {
            auto: true,
            ..cluster.failover_config().clone()
        };
        cluster.set_failover(config).expect("valid");
        assert!(ManagerView::of(&cluster).summary().starts_with("primary healthy"));
        cluster.crash(NodeId(0)).expect("up");
        cluster.advance(12_000);
        let view = ManagerView::of(&cluster);
        assert!(view.missed >= 1, "{view:?}");
        assert!(view.summary().contains("lease expires in"), "{}", view.summary());
    }

    #[test]
    fn charts_cover_the_last_minute_of_every_node() {
        let mut cluster = cluster_with_table();
        cluster.advance(70_000);
        let charts = ChartsView::of(&cluster);
        assert_eq!(charts.window.1 - charts.window.0, CHART_WINDOW_MS);
        assert_eq!(charts.cpu.len(), 3);
        assert_eq!(charts.lag_ms.len(), 2, "lag is a replica's");
        assert!(charts.cpu.iter().all(|s| s.points.len() >= 55), "{:?}", charts.cpu[0]);
        assert_eq!(charts.write_latency_ms.len(), 2);
        assert!(charts.cache_hit_ratio.is_none(), "the cache is off");
        assert_eq!(
            charts.slow_threshold_ms,
            Some(100),
            "PostgreSQL's log_min_duration_statement, as set here"
        );
        cluster.set("log_min_duration_statement", "0").expect("a setting");
        cluster.submit("bob", Target::Router, "SELECT * FROM t");
        cluster.advance(100);
        let charts = ChartsView::of(&cluster);
        assert_eq!(charts.slow.first().map(|q| q.sql.as_str()), Some("SELECT * FROM t"));
    }
}
