//! # The cluster: a discrete-event simulation of streaming replication
//!
//! A [`Cluster`] owns the nodes, the link between the primary and each replica, the virtual
//! clock, the one seeded RNG, and a queue of things due to happen. It changes only through
//! its inputs — a client submits SQL, time advances, a setting or a fault is applied — and
//! everything it does is recorded in its event log.
//!
//! ```text
//!   submit ─▶ router ─▶ node run queue ─▶ core (cost from rows scanned) ─▶ commit?
//!                                                     │                    │
//!                  reply ◀── ack ◀── commit mode satisfied? ◀──feedback────┤
//!                                                                          ▼
//!            replica ◀── link (delay, jitter, loss, partition) ◀── WAL records (flushed)
//!              │ write+flush ─▶ replay (a job on its cores, after apply delay) ─▶ feedback
//! ```
//!
//! Submodules, one concern each:
//!
//! | module          | concern                                                              |
//! |-----------------|----------------------------------------------------------------------|
//! | [`agenda`]      | what is due: messages on the wire apart from named timers            |
//! | [`client`]      | client operations: routing, run queues and cores, commit waits, replies |
//! | [`replication`] | WAL shipping, receiving, replay, feedback, connections, base backups, truncation |
//! | [`faults`]      | crash, restart, partition, heal, membership                          |
//! | [`status`]      | `pg_stat_replication` and other tables for people; `SET`/`SHOW`     |
//! | [`load`]        | the load generator                                                   |
//!
//! **One reconcile pass.** After every input and every event, [`Cluster::reconcile`] settles,
//! in a fixed order, what may follow from it: a stale primary the manager reaches again, a
//! switchover whose target has all the WAL, a promotion whose candidate has replayed
//! everything, commits whose mode is now satisfied, `ryw=lsn` reads a replica can now answer,
//! the router shunning lagging replicas. No other code re-checks these by hand, so a new
//! path cannot forget one.
//!
//! Time: the clock counts milliseconds; CPU work is accounted in microseconds on each core,
//! and a statement's completion is rounded to the nearest millisecond, so a cheap query on an
//! idle node answers in the same instant and a full scan of 100 000 rows takes ~100 ms.

pub mod agenda;
mod cache;
mod catalog;
mod client;
mod endpoint;
mod failover;
mod faults;
mod footprint;
mod guc;
mod load;
mod optable;
mod replication;
mod router;
mod status;

use std::collections::VecDeque;
use std::hash::{Hash, Hasher};

pub use agenda::{Answer, Message, Payload, Timer};
pub use cache::{CacheConfig, CacheStats, CACHE_CAPACITY};
pub use client::{AckedCommit, OpId, Reply, StatementReply, Target};
pub use endpoint::{Endpoint, Resolved};
pub use failover::{FailoverConfig, FailoverRecord, ManagerStatus};
pub use footprint::{Footprint, Held};
pub use load::{is_load_session, Kind as LoadKind, LoadGen, LoadSpec};
pub use router::{ClientSession, CommitPosition, Policy, RouterConfig, Ryw};
pub use status::{format_bytes, parse_bytes, render_table, SETTINGS};

use super::commit::{SemiSync, StandbyNames, SyncCommit};
use super::digest::StableHasher;
use super::event::{EventKind, EventLog, SettingScope};
use super::history::History;
use super::link::{Flow, Link};
use super::metrics::{LagSample, Metrics};
use super::node::{Node, NodeState, Role, DEFAULT_CORES};
use super::rng::Rng;
use super::sql::Database;
use super::vecmap::VecMap;
use super::wal::Lsn;
use super::{Error, Millis, NodeId};

/// Simulated time 0 on the wall calendar: Monday 2026-01-05 09:00:00 UTC (what `NOW()` says).
pub const EPOCH_UNIX_MS: i64 = 1_767_603_600_000;

/// How a cluster starts.
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterConfig {
    /// Number of read replicas besides the primary (0–8).
    pub replicas: usize,
    /// Seed of the one RNG: the same seed and inputs replay the same run.
    pub seed: u64,
    /// One-way delay of each replica's link.
    pub link_delay_ms: Millis,
    /// Cluster-wide settings.
    pub settings: Settings,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        Self {
            replicas: 2,
            seed: 1,
            link_delay_ms: super::link::DEFAULT_DELAY_MS,
            settings: Settings::default(),
        }
    }
}

/// The most replicas a cluster may have.
pub const MAX_REPLICAS: usize = 8;

/// Cluster-wide settings, named after their PostgreSQL / MySQL counterparts.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// Default commit mode; a session may override it.
    pub synchronous_commit: SyncCommit,
    /// Which standbys are synchronous (empty: asynchronous replication).
    pub synchronous_standby_names: StandbyNames,
    /// MySQL-style semi-synchronous replication.
    pub semi_sync: SemiSync,
    /// `wal_keep_size`: WAL kept for standbys that are behind, in bytes.
    pub wal_keep_size_bytes: u64,
    /// `wal_writer_delay`: how often unflushed WAL (`synchronous_commit = off`) is flushed.
    pub wal_writer_delay_ms: Millis,
    /// `wal_sender_timeout`: a standby silent this long is disconnected.
    pub wal_sender_timeout_ms: Millis,
    /// `wal_retrieve_retry_interval`: how often a disconnected standby retries.
    pub wal_retrieve_retry_interval_ms: Millis,
    /// `log_min_duration_statement`: slower statements go to the slow-query log (None = off).
    pub log_min_duration_statement_ms: Option<Millis>,
    /// How long crash recovery takes when a node restarts.
    pub restart_ms: Millis,
    /// Time to flush WAL to the local disk (an fsync) before a commit is durable.
    pub wal_flush_us: u64,
    /// CPU cores per node.
    pub cores: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            synchronous_commit: SyncCommit::On,
            synchronous_standby_names: StandbyNames::default(),
            semi_sync: SemiSync::default(),
            wal_keep_size_bytes: 16 * 1024 * 1024,
            wal_writer_delay_ms: 200,
            wal_sender_timeout_ms: 60_000,
            wal_retrieve_retry_interval_ms: 5_000,
            log_min_duration_statement_ms: Some(100),
            restart_ms: 2_000,
            wal_flush_us: 300,
            cores: DEFAULT_CORES,
        }
    }
}

/// A link as the primary's end sees it: the network, and whether each direction flows.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkState {
    pub link: Link,
    /// Primary → replica (WAL, connection answers).
    pub down: Flow,
    /// Replica → primary (feedback, connection requests).
    pub up: Flow,
}

impl LinkState {
    /// A link with both directions open.
    pub fn open(link: Link) -> Self {
        Self { link, down: Flow::Open, up: Flow::Open }
    }

    /// Whether either direction is cut.
    pub fn is_cut(&self) -> bool {
        self.down == Flow::Cut || self.up == Flow::Cut
    }
}

/// What the primary's walsender knows of one connected standby (a `pg_stat_replication` row).
#[derive(Clone, Debug, PartialEq)]
pub struct Walsender {
    /// Connection id (matches the replica's `conn`).
    pub conn: u64,
    /// `catchup` until the standby has flushed what existed when it connected, then `streaming`.
    pub streaming: bool,
    /// Catch-up ends when the standby's flush reaches this.
    pub catchup_target: Lsn,
    pub sent_lsn: Lsn,
    pub write_lsn: Lsn,
    pub flush_lsn: Lsn,
    pub replay_lsn: Lsn,
    pub write_lag_ms: Option<Millis>,
    pub flush_lag_ms: Option<Millis>,
    pub replay_lag_ms: Option<Millis>,
    /// Since when the standby's reports have said it replayed everything sent: PostgreSQL
    /// forgets the measured lags once an idle standby's status-interval report says so again.
    pub fully_applied_since_ms: Option<Millis>,
    /// When the standby last reported.
    pub last_reply_ms: Millis,
    /// When this connection began, and the position streaming started from.
    pub started_ms: Millis,
    pub start_lsn: Lsn,
}

/// A copy of the primary taken by a base backup.
#[derive(Clone, Debug)]
struct Backup {
    db: Database,
    lsn: Lsn,
    chain: u64,
    next_xid: u64,
    commit_ms: Millis,
    /// The primary's timeline: a node restored from the backup is on it.
    timeline: u64,
}

/// The simulated cluster.
#[derive(Clone, Debug)]
pub struct Cluster {
    config: ClusterConfig,
    settings: Settings,
    now_ms: Millis,
    rng: Rng,
    nodes: Vec<Node>,
    links: VecMap<NodeId, LinkState>,
    walsenders: VecMap<NodeId, Walsender>,
    agenda: agenda::Agenda,
    /// Base backups being taken, by the node they will restore.
    backups: VecMap<NodeId, Backup>,
    next_conn: u64,
    ops: optable::OpTable,
    /// Ops whose commit waits for its mode (`synchronous_commit`, semi-sync, `ryw=sync`).
    commit_waits: VecMap<OpId, ()>,
    /// Statements waiting for the row locks of an op whose commit waits, by that op.
    lock_waits: VecMap<OpId, Vec<OpId>>,
    next_op: u64,
    finished: VecDeque<Reply>,
    sessions: VecMap<String, ClientSession>,
    router: RouterConfig,
    shunned_all: bool,
    weighted_scores: VecMap<NodeId, i64>,
    route_waits: VecMap<OpId, (router::CommitPosition, Millis)>,
    history: History,
    manager: failover::Manager,
    /// The primary the failover manager recognises (after a split brain, another node may
    /// still think it is primary too).
    leader: NodeId,
    /// Nodes the failover manager cannot reach, and since when.
    manager_cut: VecMap<NodeId, Millis>,
    /// When each timeline began (its promotion), for the single-writer checks.
    timeline_started_ms: VecMap<u64, Millis>,
    /// Each timeline's parent and the LSN where it branched off, as PostgreSQL's
    /// `0000000N.history` files record them: which commits a history includes.
    timeline_forks: VecMap<u64, (u64, Lsn)>,
    endpoint: Endpoint,
    cache: cache::ReadCache,
    lossy_timelines: std::collections::BTreeSet<u64>,
    next_read: usize,
    events: EventLog,
    metrics: Metrics,
    load: Option<LoadGen>,
    acknowledged: crate::engine::shared::SharedDeque<client::AckedCommit>,
    /// `postgresql.auto.conf`: what `ALTER SYSTEM` wrote (None: reset), applied by
    /// `pg_reload_conf()`.
    auto_conf: VecMap<String, Option<String>>,
}

/// Replies kept for callers that have not taken them (the rest are dropped, oldest first).
const FINISHED_KEPT: usize = 1_000;

impl Cluster {
    /// A cluster of one primary (`pg1`) and `config.replicas` replicas, all empty and
    /// connected, at time 0.
    pub fn new(config: ClusterConfig) -> Self {
        assert!(config.replicas <= MAX_REPLICAS, "at most {MAX_REPLICAS} replicas");
        let settings = config.settings.clone();
        let mut cluster = Self {
            rng: Rng::new(config.seed),
            settings,
            now_ms: 0,
            nodes: vec![Node::new(NodeId(0), Role::Primary, config.settings.cores)],
            links: VecMap::new(),
            walsenders: VecMap::new(),
            agenda: agenda::Agenda::default(),
            backups: VecMap::new(),
            next_conn: 1,
            ops: optable::OpTable::default(),
            commit_waits: VecMap::new(),
            lock_waits: VecMap::new(),
            next_op: 1,
            finished: VecDeque::new(),
            sessions: VecMap::new(),
            router: RouterConfig::default(),
            shunned_all: false,
            weighted_scores: VecMap::new(),
            route_waits: VecMap::new(),
            history: History::default(),
            manager: failover::Manager::default(),
            leader: NodeId(0),
            manager_cut: VecMap::new(),
            timeline_started_ms: VecMap::from([(1, 0)]),
            timeline_forks: VecMap::new(),
            endpoint: Endpoint::default(),
            cache: cache::ReadCache::default(),
            lossy_timelines: std::collections::BTreeSet::new(),
            next_read: 0,
            events: EventLog::default(),
            metrics: Metrics::default(),
            load: None,
            acknowledged: Default::default(),
            auto_conf: VecMap::new(),
            config,
        };
        cluster.metrics.slow_threshold_ms = cluster.settings.log_min_duration_statement_ms;
        for _ in 0..cluster.config.replicas {
            let id = cluster.push_replica();
            cluster.connect_at_start(id);
        }
        cluster.set_timer(Timer::Housekeeping, cluster.metrics.interval_ms);
        cluster
    }

    /// The configuration the cluster started with.
    pub fn config(&self) -> &ClusterConfig {
        &self.config
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The virtual clock.
    pub fn now_ms(&self) -> Millis {
        self.now_ms
    }

    /// All nodes ever created, by id (removed ones included, in state `Removed`).
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// Nodes still in the cluster.
    pub fn members(&self) -> impl Iterator<Item = &Node> {
        self.nodes.iter().filter(|n| n.state != NodeState::Removed)
    }

    /// One node. Panics on an id the cluster never issued (a bug, not a user error).
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0]
    }

    /// The current primary: the one the failover manager recognises, that replicas follow.
    /// (During a promotion it may already be fenced; during a split brain another node may
    /// still take writes as a primary too — see [`Cluster::primaries`].)
    pub fn primary(&self) -> NodeId {
        self.leader
    }

    /// Every running node that takes writes as a primary: one, unless split brain.
    pub fn primaries(&self) -> Vec<NodeId> {
        self.members().filter(|n| n.role == Role::Primary && n.is_running()).map(|n| n.id).collect()
    }

    /// Replicas still in the cluster, by id.
    pub fn replicas(&self) -> Vec<NodeId> {
        self.members().filter(|n| n.role == Role::Replica).map(|n| n.id).collect()
    }

    /// Looks a node up by name (`pg2`), or `primary` for the current primary.
    pub fn find_node(&self, name: &str) -> Result<NodeId, Error> {
        if name == "primary" {
            return Ok(self.primary());
        }
        self.members()
            .find(|n| n.name() == name)
            .map(|n| n.id)
            .ok_or_else(|| Error::UnknownNode { name: name.to_string() })
    }

    /// Parses a per-node list like `pg2:3, pg3:1` (router weights, failover priorities): each
    /// node once, each number from 0 to `max`. Empty text is an empty list.
    pub fn parse_node_numbers(
        &self,
        what: &str,
        text: &str,
        max: u32,
    ) -> Result<VecMap<NodeId, u32>, Error> {
        let mut numbers = VecMap::new();
        for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let invalid = || {
                Error::invalid(format!(
                    "{what}: expected NODE:N (N from 0 to {max}) like pg2:3, got \"{pair}\""
                ))
            };
            let (name, number) = pair.split_once(':').ok_or_else(invalid)?;
            let number = number.trim().parse::<u32>().ok().filter(|n| *n <= max);
            let node = self.find_node(name.trim())?;
            if numbers.insert(node, number.ok_or_else(invalid)?).is_some() {
                return Err(Error::invalid(format!("{what}: {node} is listed twice")));
            }
        }
        Ok(numbers)
    }

    /// Renders a per-node list as [`Cluster::parse_node_numbers`] reads it.
    pub fn format_node_numbers(numbers: &VecMap<NodeId, u32>) -> String {
        numbers.iter().map(|(id, n)| format!("{id}:{n}")).collect::<Vec<_>>().join(", ")
    }

    /// The link to a replica.
    pub fn link(&self, replica: NodeId) -> Option<&LinkState> {
        self.links.get(&replica)
    }

    /// The primary's walsenders: one per connected standby.
    pub fn walsenders(&self) -> &VecMap<NodeId, Walsender> {
        &self.walsenders
    }

    /// The event log.
    pub fn events(&self) -> &EventLog {
        &self.events
    }

    /// Every answered client statement (bounded), for the consistency checker.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// Metrics: time series and the slow-query log.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// Bytes of WAL a node has yet to replay, measured against the primary's log.
    pub fn replay_lag_bytes(&self, id: NodeId) -> u64 {
        if self.node(id).role == Role::Primary {
            return 0;
        }
        let primary_end = self.node(self.primary()).wal.end();
        primary_end.bytes_since(self.node(id).replay_lsn)
    }

    /// How long the oldest commit this node has not yet replayed has been waiting (0 when it
    /// has replayed everything the primary committed).
    pub fn replay_lag_ms(&self, id: NodeId) -> Millis {
        if self.node(id).role == Role::Primary {
            return 0;
        }
        let replay_lsn = self.node(id).replay_lsn;
        let primary = self.node(self.primary());
        match primary.wal.record_at(replay_lsn) {
            Some(oldest) => self.now_ms.saturating_sub(oldest.commit_time_ms),
            None if primary.wal.end() > replay_lsn => {
                self.now_ms.saturating_sub(self.node(id).replayed_commit_ms)
            }
            None => 0,
        }
    }

    /// Lets `ms` of simulated time pass, firing everything that falls due, in order.
    /// `advance(0)` fires what is due now.
    pub fn advance(&mut self, ms: Millis) {
        let until_ms = self.now_ms.saturating_add(ms);
        self.reconcile();
        while let Some((at_ms, due)) = self.agenda.pop_due(until_ms) {
            assert!(at_ms >= self.now_ms, "the clock never goes back");
            self.now_ms = at_ms;
            match due {
                agenda::Due::Arrival(message) => self.arrive(message),
                agenda::Due::Timer(timer) => self.fire(timer),
            }
            self.reconcile();
        }
        self.now_ms = until_ms;
    }

    /// Settles what follows from the last input or event, in a fixed order: an old primary the
    /// manager can reach again is demoted; a switchover whose target has all the WAL begins its
    /// promotion; a promotion whose candidate has replayed
    /// everything completes; commits whose mode is now satisfied are acknowledged; `ryw=lsn`
    /// reads that a replica can now answer are sent; the router notes when every replica went
    /// over (or came back within) its lag limit. Every input and every event ends here.
    pub(super) fn reconcile(&mut self) {
        self.demote_stale_primaries();
        self.maybe_switch_over();
        self.maybe_finish_promotion();
        self.recheck_commit_waits();
        self.release_route_waits();
        self.update_shunning();
    }

    /// Messages on the wire right now, by arrival (for tests).
    #[cfg(test)]
    pub fn in_flight(&self) -> impl Iterator<Item = &Message> {
        self.agenda.in_flight()
    }

    /// Messages on the wire right now: WAL going down links, feedback and connection traffic
    /// coming up, each with its sender, receiver, size and send and arrival times, and a
    /// number unique in the run; in no particular order (see
    /// [`agenda::Agenda::in_flight_numbered`]).
    pub fn in_flight_numbered(&self) -> impl Iterator<Item = (u64, &Message)> {
        self.agenda.in_flight_numbered()
    }

    /// When a named timer will fire, if it is set (the failover manager's next health check,
    /// say).
    pub fn timer_at(&self, timer: Timer) -> Option<Millis> {
        self.agenda.timer_at(timer)
    }

    /// A stable digest of the run so far: every event ever logged, and each node's role,
    /// state, positions, timeline and row counts. The same seed and inputs give the same
    /// digest natively and in the browser (see [`super::digest`]).
    pub fn digest(&self) -> u64 {
        let mut hasher = StableHasher::continuing(self.events.digest());
        self.now_ms.hash(&mut hasher);
        for node in &self.nodes {
            (node.id, node.role, node.state, node.receiver, node.timeline).hash(&mut hasher);
            (node.wal.end(), node.flushed_lsn, node.replay_lsn).hash(&mut hasher);
            for table in node.db.table_names() {
                let rows = node.db.row_count(&table).unwrap_or(0);
                (table, rows).hash(&mut hasher);
            }
        }
        self.leader.hash(&mut hasher);
        hasher.finish()
    }

    /// Changes a cluster-wide setting by its PostgreSQL/MySQL name; returns the value as set.
    pub fn set(&mut self, name: &str, value: &str) -> Result<String, Error> {
        let shown = status::apply_setting(&mut self.settings, name, value)?;
        self.metrics.slow_threshold_ms = self.settings.log_min_duration_statement_ms;
        let name = status::setting_name(name).expect("a setting that was just applied");
        let kind = EventKind::setting(SettingScope::Cluster, name, shown.clone());
        self.events.push(self.now_ms, kind);
        // A weaker mode may release waiting commits.
        self.reconcile();
        Ok(shown)
    }

    /// Sets a named timer (rescheduling replaces it).
    fn set_timer(&mut self, timer: Timer, at_ms: Millis) {
        self.agenda.set_timer(self.now_ms, timer, at_ms);
    }

    /// Puts a message on the wire from `from` to `to`, arriving at `arrives_ms`.
    fn send(&mut self, from: NodeId, to: NodeId, conn: u64, arrives_ms: Millis, payload: Payload) {
        let sent_ms = self.now_ms;
        self.agenda.send(sent_ms, Message { from, to, conn, sent_ms, arrives_ms, payload });
    }

    fn arrive(&mut self, message: Message) {
        let Message { from, to, conn, payload, .. } = message;
        match payload {
            Payload::Wal { records } => self.receive_wal(to, conn, records),
            Payload::Feedback { write, replay } => self.receive_feedback(from, conn, write, replay),
            Payload::ConnectRequest { from: lsn, chain } => {
                self.accept_connection(from, conn, lsn, chain)
            }
            Payload::ConnectAnswer { answer } => self.connection_answered(to, conn, answer),
        }
    }

    fn fire(&mut self, timer: Timer) {
        match timer {
            Timer::Pump(node) => self.pump(node),
            Timer::StatementDone(op) => self.statement_done(op),
            Timer::ReplayDone(node) => self.replay_done(node),
            Timer::ReplayWake(node) => self.kick_replay(node),
            Timer::ConnectRetry(replica) => self.try_connect(replica),
            Timer::ConnectTimeout(replica) => self.connect_timeout(replica),
            Timer::WalWriter(node) => self.wal_writer(node),
            Timer::Started(node) => self.started(node),
            Timer::BackupDone(node) => self.backup_done(node),
            Timer::SemiSyncTimeout(op) => self.semi_sync_timeout(op),
            Timer::RouteTimeout(op) => self.route_timeout(op),
            Timer::Housekeeping => self.housekeeping(),
            Timer::LoadArrival => self.load_arrival(),
            Timer::LoadArchive => self.load_archive(),
            Timer::HealthCheck => self.health_check(),
        }
    }

    /// Once a second: sample metrics, time out silent standbys, recycle old WAL.
    fn housekeeping(&mut self) {
        let lags: Vec<LagSample> = (0..self.nodes.len())
            .map(|i| {
                let id = NodeId(i);
                match self.node(id).role {
                    Role::Replica => LagSample {
                        lag_ms: self.replay_lag_ms(id),
                        lag_bytes: self.replay_lag_bytes(id),
                    },
                    Role::Primary => LagSample::default(),
                }
            })
            .collect();
        let cores: Vec<u32> = self.nodes.iter().map(|n| n.cores_free_us.len() as u32).collect();
        self.metrics.sample(self.now_ms, &lags, &cores);
        for replica in self.replicas() {
            // wal_receiver_status_interval: standbys report even when idle.
            self.send_feedback(replica);
        }
        self.time_out_silent_standbys();
        self.ship_all();
        self.checkpoint();
        let next = self.now_ms + self.metrics.interval_ms;
        self.set_timer(Timer::Housekeeping, next);
    }

    /// The simulated wall-clock time, for `NOW()`.
    fn timestamp(&self) -> super::sql::Timestamp {
        super::sql::Timestamp(EPOCH_UNIX_MS + self.now_ms as i64)
    }

    /// The next event's time, if any (for tools that skip idle time).
    pub fn next_due_ms(&self) -> Option<Millis> {
        self.agenda.next_at()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cluster_with_table() -> Cluster {
        let mut cluster = Cluster::new(ClusterConfig::default());
        cluster.submit("t", Target::Router, "CREATE TABLE t (k INT PRIMARY KEY)");
        cluster.advance(3_000);
        cluster
    }

    #[test]
    fn in_flight_lists_the_wal_on_each_link_until_it_arrives() {
        let mut cluster = cluster_with_table();
        cluster.submit("t", Target::Router, "INSERT INTO t VALUES (1)");
        cluster.advance(0);
        let sent_ms = cluster.now_ms();
        let wal: Vec<&Message> =
            cluster.in_flight().filter(|m| matches!(m.payload, Payload::Wal { .. })).collect();
        let receivers: Vec<NodeId> = wal.iter().map(|m| m.to).collect();
        assert_eq!(receivers, vec![NodeId(1), NodeId(2)]);
        for message in &wal {
            assert_eq!(message.from, NodeId(0));
            assert_eq!((message.sent_ms, message.arrives_ms), (sent_ms, sent_ms + 1_000));
            assert!(message.bytes() > 0);
        }
        cluster.advance(999);
        assert_eq!(cluster.in_flight().filter(|m| m.kind() == "wal").count(), 2);
        cluster.advance(1);
        assert_eq!(cluster.in_flight().filter(|m| m.kind() == "wal").count(), 0);
        // Their arrival sends feedback back up each link.
        let up: Vec<NodeId> =
            cluster.in_flight().filter(|m| m.kind() == "feedback").map(|m| m.from).collect();
        assert!(up.contains(&NodeId(1)) && up.contains(&NodeId(2)), "{up:?}");
    }

    #[test]
    fn a_cut_link_carries_nothing_and_the_manager_has_one_health_check_set() {
        let mut cluster = cluster_with_table();
        cluster.partition(NodeId(1), true, false).expect("a replica");
        cluster.submit("t", Target::Router, "INSERT INTO t VALUES (2)");
        cluster.advance(0);
        assert!(cluster.in_flight().all(|m| m.to != NodeId(1)));
        let failover = FailoverConfig { auto: true, ..FailoverConfig::default() };
        cluster.set_failover(failover.clone()).expect("valid");
        assert_eq!(cluster.timer_at(Timer::HealthCheck), Some(cluster.now_ms() + 10_000));
        // Setting the same loop_wait again does not move it; switching off cancels it.
        cluster.set_failover(failover.clone()).expect("valid");
        assert_eq!(cluster.timer_at(Timer::HealthCheck), Some(cluster.now_ms() + 10_000));
        cluster.set_failover(FailoverConfig { auto: false, ..failover }).expect("valid");
        assert_eq!(cluster.timer_at(Timer::HealthCheck), None);
    }

    #[test]
    fn the_digest_follows_the_run() {
        let (a, b) = (cluster_with_table(), cluster_with_table());
        assert_eq!(a.digest(), b.digest());
        let mut c = cluster_with_table();
        c.submit("t", Target::Router, "INSERT INTO t VALUES (1)");
        c.advance(0);
        assert_ne!(a.digest(), c.digest());
    }
}
