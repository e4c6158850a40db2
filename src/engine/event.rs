//! # The event log
//!
//! Every notable step of the simulation is recorded as a typed [`Event`] with its simulated
//! time: a commit on the primary, WAL sent, written and replayed, a crash, a restart, a
//! connection made or lost, a fallback from semi-sync, a re-sync, each step of a failover.
//! Events are data: every field is a node id, an LSN, a timeline, a transaction id, a count or
//! a reason enum, and [`Display`](fmt::Display) renders the sentence a learner reads. The page
//! matches on variants (its failover timeline, badges, lessons' "try this" checks); golden
//! tests print the sentences; nothing in the engine reads the log back to make decisions.
//!
//! The log keeps the newest [`LOG_CAPACITY`] events (memory stays bounded) and a running
//! [stable digest](super::digest) of *every* event ever pushed, so two runs — natively and in
//! the 32-bit browser alike — can be compared without keeping both logs whole.

use super::shared::SharedDeque;
use std::fmt;
use std::hash::{Hash, Hasher};

use super::cluster::CommitPosition;
use super::commit::CommitWait;
use super::digest::StableHasher;
use super::sql::Change;
use super::wal::Lsn;
use super::{format_millis, Millis, NodeId};

/// How many events the log keeps; older ones are dropped.
pub const LOG_CAPACITY: usize = 5_000;

/// Something that happened at a point of simulated time.
#[derive(Clone, Debug, PartialEq, Hash)]
pub struct Event {
    pub at_ms: Millis,
    pub kind: EventKind,
}

/// What an event is about, for filtering the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Category {
    /// Commits, WAL sent, received and replayed.
    Wal,
    /// Replication connections, catch-up, base backups, membership, semi-sync.
    Replication,
    /// Crashes, restarts, partitions, paused replay.
    Fault,
    /// Health checks, promotions, fencing, split brain, rewinds, the endpoint.
    Failover,
    /// The router: shunning, read waits, refused writes.
    Router,
    /// Settings changed.
    Setting,
    /// The load generator.
    Load,
}

impl Category {
    pub const ALL: [Category; 7] = [
        Category::Wal,
        Category::Replication,
        Category::Fault,
        Category::Failover,
        Category::Router,
        Category::Setting,
        Category::Load,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Wal => "wal",
            Category::Replication => "replication",
            Category::Fault => "faults",
            Category::Failover => "failover",
            Category::Router => "router",
            Category::Setting => "settings",
            Category::Load => "load",
        }
    }
}

impl EventKind {
    /// What the event is about.
    pub fn category(&self) -> Category {
        use EventKind as E;
        match self {
            E::Committed { .. }
            | E::Acknowledged { .. }
            | E::Sent { .. }
            | E::Received { .. }
            | E::Replayed { .. } => Category::Wal,
            E::Connected { .. }
            | E::Streaming { .. }
            | E::Disconnected { .. }
            | E::WalRemoved { .. }
            | E::BaseBackupStarted { .. }
            | E::BaseBackupDone { .. }
            | E::SemiSyncOff { .. }
            | E::SemiSyncOn { .. }
            | E::Membership { .. } => Category::Replication,
            E::Crashed { .. }
            | E::Restarting { .. }
            | E::Started { .. }
            | E::LinkCut { .. }
            | E::LinkHealed { .. }
            | E::ReplayPaused { .. } => Category::Fault,
            E::RouterShunning { .. } | E::ReadWaitTimedOut { .. } | E::RefusedWrite { .. } => {
                Category::Router
            }
            E::SettingChanged(_) => Category::Setting,
            E::LoadStarted { .. } | E::LoadStopped | E::LoadFinished { .. } => Category::Load,
            E::HealthCheckFailed { .. }
            | E::FailoverBlocked { .. }
            | E::FailureDeclared { .. }
            | E::PromoteBehind { .. }
            | E::SwitchoverStarted { .. }
            | E::SwitchoverAbandoned
            | E::PromotionAbandoned { .. }
            | E::Promoted { .. }
            | E::RecoveryTime { .. }
            | E::Fenced { .. }
            | E::Demoted { .. }
            | E::Unfenced { .. }
            | E::SplitBrain { .. }
            | E::SplitBrainWrite { .. }
            | E::Rewind { .. }
            | E::ManagerPartition { .. }
            | E::EndpointMoved { .. }
            | E::EndpointReresolved { .. } => Category::Failover,
        }
    }
}

/// What happened.
#[derive(Clone, Debug, PartialEq, Hash)]
pub enum EventKind {
    /// The primary committed a transaction and wrote it to its WAL.
    Committed { node: NodeId, xid: u64, end: Lsn, first: Option<ChangeSummary>, more: u32 },
    /// A commit was acknowledged to its client after waiting `latency_ms` for `waited_for`.
    Acknowledged { node: NodeId, xid: u64, latency_ms: Millis, waited_for: Box<CommitWait> },
    /// The primary sent WAL records down a link.
    Sent { from: NodeId, to: NodeId, first_xid: u64, last_xid: u64, arrives_ms: Millis },
    /// A replica received the record and wrote and flushed it to its own WAL.
    Received { node: NodeId, xid: u64, end: Lsn },
    /// A replica replayed the record: its queries now see the change.
    Replayed { node: NodeId, xid: u64, end: Lsn, lag_ms: Millis },
    /// A node refused a write because it is a read-only standby.
    RefusedWrite { node: NodeId, command: &'static str },
    /// A setting changed (cluster-wide, on one node or link, or the endpoint's).
    SettingChanged(Box<SettingChange>),
    /// A node crashed, losing the WAL it had not flushed, if any.
    Crashed { node: NodeId, lost: Option<Box<LostWal>> },
    /// A node began restarting; it is up after crash recovery.
    Restarting { node: NodeId },
    /// A node finished starting and accepts connections.
    Started { node: NodeId },
    /// A replica connected to the primary and asked for WAL from `from`.
    Connected { replica: NodeId, from: Lsn, catchup_bytes: u64 },
    /// A replica caught up: its walsender state became `streaming`.
    Streaming { replica: NodeId },
    /// A replica's replication connection broke.
    Disconnected { replica: NodeId, reason: DisconnectReason },
    /// The WAL a replica asked for was already recycled.
    WalRemoved { replica: NodeId, requested: Lsn, oldest: Lsn },
    /// A base backup started (the replica is rebuilt from a copy of the primary).
    BaseBackupStarted { replica: NodeId, lsn: Lsn, until_ms: Millis },
    /// A base backup finished; the replica streams from `lsn`.
    BaseBackupDone { replica: NodeId, lsn: Lsn },
    /// Semi-sync replication timed out and fell back to asynchronous.
    SemiSyncOff { waited_ms: Millis },
    /// A replica caught up and semi-sync replication is back on.
    SemiSyncOn { replica: NodeId },
    /// Replay paused or resumed on a replica.
    ReplayPaused { node: NodeId, paused: bool },
    /// A replica's link was cut: the directions now cut.
    LinkCut { replica: NodeId, way: Way },
    /// A link was healed.
    LinkHealed { replica: NodeId },
    /// A replica was added or removed.
    Membership { node: NodeId, added: bool },
    /// The load generator was started; traffic begins at `starts_ms`.
    LoadStarted {
        starts_ms: Millis,
        rate_per_s: u64,
        read_pct: u32,
        heavy_pct: u32,
        sessions: u32,
        duration_ms: Millis,
    },
    /// The load generator was stopped early.
    LoadStopped,
    /// The load generator ran its course.
    LoadFinished { answered: u64, errors: u64 },
    /// Every replica went over the router's lag limit (reads fall back to the primary), or one
    /// came back within it.
    RouterShunning { all_shunned: bool },
    /// A `ryw=lsn` read gave up waiting for a replica and read from the primary.
    ReadWaitTimedOut { op: u64, waited_ms: Millis, commit: CommitPosition },
    /// The failover manager could not reach the primary.
    HealthCheckFailed { node: NodeId, missed: u32, down_ms: Millis, ttl_ms: Millis },
    /// The leader lease expired but no replica may be promoted.
    FailoverBlocked { why: NoCandidate },
    /// The leader lease expired: the old primary is declared failed and a candidate chosen.
    FailureDeclared { old: NodeId, ttl_ms: Millis, choice: Box<CandidateChoice> },
    /// A promotion by hand of a node with less WAL than another: what only the other has will
    /// be discarded when it follows.
    PromoteBehind { node: NodeId, end: Lsn, other: NodeId, other_end: Lsn },
    /// A planned switchover began: `from` stops taking statements until `to` has its WAL.
    SwitchoverStarted { from: NodeId, to: NodeId },
    /// A switchover was abandoned because a node went down.
    SwitchoverAbandoned,
    /// The node being promoted went down first.
    PromotionAbandoned { node: NodeId },
    /// A replica was promoted and writes on a new timeline.
    Promoted { node: NodeId, timeline: u64, lsn: Lsn },
    /// How long writes were down across a failover.
    RecoveryTime { old: NodeId, new: NodeId, stopped_ms: Millis, accepts_ms: Millis },
    /// A primary was made read-only (fencing).
    Fenced { node: NodeId, cause: FenceCause },
    /// An old primary was demoted to a replica once the manager saw it.
    Demoted { node: NodeId, cause: DemoteCause },
    /// A fenced leader took writes again: nobody else was promoted.
    Unfenced { node: NodeId, why: UnfenceReason },
    /// After a promotion an old primary the manager cannot reach (fencing off) still takes
    /// writes: two primaries.
    SplitBrain { stale: NodeId, stale_timeline: u64, leader: NodeId, timeline: u64 },
    /// A stale primary acknowledged a write while another node leads a newer timeline.
    SplitBrainWrite { node: NodeId, xid: u64, timeline: u64, leader: NodeId, leader_timeline: u64 },
    /// A node whose WAL diverged from the new primary's rewinds; `discarded` transactions only
    /// it had are thrown away.
    Rewind { node: NodeId, fork: Option<Lsn>, timeline: u64, discarded: u32 },
    /// The failover manager (Patroni's DCS) lost or regained its connection to a node.
    ManagerPartition { node: NodeId, cut: bool },
    /// The manager pointed the primary's endpoint at a new node; `stale_sessions` still have
    /// the old answer cached, the longest for `longest_ms` more.
    EndpointMoved {
        to: NodeId,
        from: NodeId,
        ttl_ms: Millis,
        stale_sessions: u32,
        longest_ms: Millis,
    },
    /// A session's cached answer for the endpoint expired and it resolved the name again.
    EndpointReresolved { session: String, from: NodeId, to: NodeId },
}

/// The first change of a commit, as a `pg_waldump` line shows it. It holds the change itself
/// (its table name and row are shared with the WAL record) and spells it out only when shown:
/// every commit logs one, and most are never read.
#[derive(Clone, Debug)]
pub struct ChangeSummary {
    /// Boxed: an event stays small (the log keeps thousands; a snapshot its own copies).
    change: Box<Change>,
}

impl ChangeSummary {
    pub fn new(change: &Change) -> Self {
        Self { change: Box::new(change.clone()) }
    }

    /// What the change did.
    pub fn op(&self) -> ChangeOp {
        match *self.change {
            Change::CreateTable { .. } => ChangeOp::CreateTable,
            Change::DropTable { .. } => ChangeOp::DropTable,
            Change::CreateIndex { .. } => ChangeOp::CreateIndex,
            Change::Insert { .. } => ChangeOp::Insert,
            Change::Update { .. } => ChangeOp::Update,
            Change::Delete { .. } => ChangeOp::Delete,
        }
    }

    /// The table it touched.
    pub fn table(&self) -> &str {
        self.change.table()
    }

    /// The change's data: the tuple(s) for row changes (`(1, 101, 19.99)`), the index name
    /// and columns for `CREATE INDEX`, nothing for table DDL.
    pub fn data(&self) -> String {
        self.change.data()
    }
}

/// Equal when they read the same (as when the summary held its text).
impl PartialEq for ChangeSummary {
    fn eq(&self, other: &Self) -> bool {
        self.op() == other.op() && self.table() == other.table() && self.data() == other.data()
    }
}

impl Eq for ChangeSummary {}

/// Hashes what a derived `Hash` of (op, table, data) hashed, writing the data straight into
/// the hasher rather than building its string: the event log's digest is unchanged.
impl Hash for ChangeSummary {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.op().hash(state);
        self.table().hash(state);
        let mut bytes = HashWriter(state);
        // Formatting into a hasher cannot fail.
        let _ = fmt::write(&mut bytes, format_args!("{}", self.change.data_display()));
        state.write_u8(0xff);
    }
}

/// Text written into a hasher, as `str`'s `Hash` writes it (without its end marker).
struct HashWriter<'a, H: Hasher>(&'a mut H);

impl<H: Hasher> fmt::Write for HashWriter<'_, H> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.write(s.as_bytes());
        Ok(())
    }
}

/// What a row-level or schema change did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChangeOp {
    CreateTable,
    DropTable,
    CreateIndex,
    Insert,
    Update,
    Delete,
}

/// Where a setting lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SettingScope {
    /// Cluster-wide (`SET` in the scenario language, the commit presets).
    Cluster,
    /// One node or its link.
    Node(NodeId),
    /// The primary's endpoint.
    Endpoint,
    /// The router and the read cache in front of it.
    Router,
}

/// The WAL a crashing primary had not flushed (`synchronous_commit = off`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LostWal {
    pub first_xid: u64,
    pub last_xid: u64,
    pub start: Lsn,
    pub end: Lsn,
}

/// A setting's new value, where it applies.
#[derive(Clone, Debug, PartialEq, Hash)]
pub struct SettingChange {
    pub scope: SettingScope,
    pub name: &'static str,
    pub value: String,
}

impl EventKind {
    /// A setting changed.
    pub fn setting(scope: SettingScope, name: &'static str, value: String) -> Self {
        EventKind::SettingChanged(Box::new(SettingChange { scope, name, value }))
    }
}

/// Why a replication connection broke, as PostgreSQL's logs put it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DisconnectReason {
    /// The primary crashed or went away.
    PrimaryClosed,
    /// The standby crashed.
    StandbyCrashed,
    /// The link was cut both ways.
    Partitioned,
    /// `wal_sender_timeout`: the standby was silent too long.
    ReplicationTimeout,
    /// The WAL the walsender needed next was recycled.
    WalRemoved,
    /// The standby is being rebuilt from a base backup.
    Rebuilding,
    /// The standby is being promoted.
    Promotion,
    /// The standby was removed from the cluster.
    Removed,
}

/// Which directions of a link are cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Way {
    Both,
    /// Primary → replica (WAL).
    Down,
    /// Replica → primary (feedback, connection requests).
    Up,
}

/// Why no replica may be promoted: each replica that was considered, and what ruled it out.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct NoCandidate {
    pub excluded: Vec<(NodeId, Exclusion)>,
}

/// What rules a replica out of a failover.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Exclusion {
    Down,
    CutFromManager,
    NeedsResync,
    /// Patroni's `failover_priority` 0 (`nofailover`).
    NoFailover,
    /// The most advanced replica, but further behind the leader's last known position than
    /// `maximum_lag_on_failover`.
    TooFarBehind {
        wal_end: Lsn,
        behind_bytes: u64,
        leader_lsn: Lsn,
        limit_bytes: u64,
    },
}

/// The replica a failover promotes, and why it: its WAL against the leader's last known
/// position and against the other candidates'.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CandidateChoice {
    pub node: NodeId,
    pub wal_end: Lsn,
    pub leader_lsn: Lsn,
    pub limit_bytes: u64,
    /// The other eligible replicas and their WAL ends.
    pub others: Vec<(NodeId, Lsn)>,
}

/// Why a primary was made read-only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FenceCause {
    /// It cannot reach the manager, so it cannot renew its leader lease (Patroni demotes it).
    LeaseLost,
    /// It is fenced before another node is promoted (a promotion by hand, or the manager's).
    BeforePromotion,
}

/// Why an old primary became a replica when the manager saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DemoteCause {
    /// The promotion just completed and the manager reaches it: it follows the new timeline,
    /// after a rewind unless its WAL is all on the new primary's history.
    NewTimeline { timeline: u64, leader: NodeId, must_rewind: bool },
    /// It came back (from a partition or a restart) still a primary on an old timeline.
    StaleReachable { timeline: u64, leader: NodeId, leader_timeline: u64 },
}

/// Why a fenced leader takes writes again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnfenceReason {
    /// It reaches the manager again and nobody else was promoted.
    ManagerBack,
    /// The promotion that fenced it was abandoned.
    PromotionAbandoned,
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:>8} ", format_millis(self.at_ms))?;
        self.kind.fmt(f)
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use EventKind::*;
        match self {
            Committed { node, xid, end, first, more } => {
                write!(f, "{node} commit xid={xid} lsn={end}: ")?;
                match (first, more) {
                    (None, _) => f.write_str("no changes"),
                    (Some(first), 0) => write!(f, "{first}"),
                    (Some(first), more) => write!(f, "{first} (+{more} more)"),
                }
            }
            Acknowledged { node, xid, latency_ms, waited_for } => {
                write!(f, "{node} ack xid={xid} after {} ({waited_for})", format_millis(*latency_ms))
            }
            Sent { from, to, first_xid, last_xid, arrives_ms } => {
                let xids = if first_xid == last_xid {
                    format!("xid={last_xid}")
                } else {
                    format!("xid={first_xid}..{last_xid}")
                };
                write!(f, "{from} → {to} send {xids}, arrives at {}", format_millis(*arrives_ms))
            }
            Received { node, xid, end } => write!(f, "{node} wrote+flushed xid={xid} lsn={end}"),
            Replayed { node, xid, end, lag_ms } => {
                write!(f, "{node} replayed xid={xid} lsn={end} ({} after commit)", format_millis(*lag_ms))
            }
            RefusedWrite { node, command } => write!(f, "{node} refused {command}: read-only standby"),
            SettingChanged(change) => match change.as_ref() {
                SettingChange { scope: SettingScope::Endpoint, name, value } => {
                    write!(f, "endpoint: {ENDPOINT_NAME} {name} = {value}")
                }
                SettingChange { scope, name, value } => write!(f, "{scope}: {name} = {value}"),
            },
            Crashed { node, lost: None } => write!(f, "{node} CRASHED"),
            Crashed { node, lost: Some(lost) } => write!(
                f,
                "{node} CRASHED, losing unflushed WAL: xid {}..={} ({} to {})",
                lost.first_xid, lost.last_xid, lost.start, lost.end
            ),
            Restarting { node } => write!(f, "{node} restarting (crash recovery)"),
            Started { node } => write!(f, "{node} ready to accept connections"),
            Connected { replica, from, catchup_bytes: 0 } => {
                write!(f, "{replica} connected, streaming from {from}")
            }
            Connected { replica, from, catchup_bytes } => {
                write!(f, "{replica} connected, catching up from {from} ({catchup_bytes} bytes behind)")
            }
            Streaming { replica } => write!(f, "{replica} caught up: streaming"),
            Disconnected { replica, reason } => write!(f, "{replica} replication connection lost: {reason}"),
            WalRemoved { replica, requested, oldest } => write!(
                f,
                "{replica} cannot stream: requested WAL {requested} has already been removed (oldest kept {oldest}); needs re-sync"
            ),
            BaseBackupStarted { replica, lsn, until_ms } => write!(
                f,
                "{replica} base backup from primary at {lsn} started, done at {}",
                format_millis(*until_ms)
            ),
            BaseBackupDone { replica, lsn } => write!(f, "{replica} base backup done, starting from {lsn}"),
            SemiSyncOff { waited_ms } => write!(
                f,
                "semi-sync: timeout after {} waiting for a replica ack; switched OFF (now asynchronous)",
                format_millis(*waited_ms)
            ),
            SemiSyncOn { replica } => write!(f, "semi-sync: {replica} caught up; switched ON"),
            ReplayPaused { node, paused: true } => write!(f, "{node} replay paused"),
            ReplayPaused { node, paused: false } => write!(f, "{node} replay resumed"),
            LinkCut { replica, way } => write!(f, "link to {replica} partitioned ({way})"),
            LinkHealed { replica } => write!(f, "link to {replica} healed"),
            Membership { node, added: true } => write!(f, "{node} added as a replica"),
            Membership { node, added: false } => write!(f, "{node} removed from the cluster"),
            LoadStarted { starts_ms, rate_per_s, read_pct, heavy_pct, sessions, duration_ms } => write!(
                f,
                "load: starts at {}: {rate_per_s}/s, {read_pct}% reads ({heavy_pct}% of them heavy), {sessions} sessions, for {}",
                format_millis(*starts_ms),
                format_millis(*duration_ms)
            ),
            LoadStopped => f.write_str("load: stopped"),
            LoadFinished { answered, errors } => {
                write!(f, "load: finished: {answered} requests answered, {errors} errors")
            }
            RouterShunning { all_shunned: true } => f.write_str(
                "router: every replica is over the router's lag limit (max_replication_lag / delay_threshold; ProxySQL's SHUNNED_REPLICATION_LAG): reads go to the primary",
            ),
            RouterShunning { all_shunned: false } => f.write_str(
                "router: a replica is back within the router's lag limit: reads go to replicas again",
            ),
            ReadWaitTimedOut { op, waited_ms, commit } => write!(
                f,
                "router: op {op} waited {} for a replica to replay {commit}; reading from the primary",
                format_millis(*waited_ms)
            ),
            HealthCheckFailed { node, missed, down_ms, ttl_ms } => write!(
                f,
                "failover: health check of {node} failed ({missed} missed; last healthy check {} ago, ttl {})",
                format_millis(*down_ms),
                format_millis(*ttl_ms)
            ),
            FailoverBlocked { why } => write!(f, "failover: cannot fail over: {why}"),
            FailureDeclared { old, ttl_ms, choice } => write!(
                f,
                "failover: {old} declared failed (lease expired after {}); promoting {choice}",
                format_millis(*ttl_ms)
            ),
            PromoteBehind { node, end, other, other_end } => write!(
                f,
                "failover: promote {node}: it has WAL up to {end}, but {other} has {other_end} ({} bytes more); what only {other} has will be discarded when it follows {node}",
                other_end.bytes_since(*end)
            ),
            SwitchoverStarted { from, to } => write!(
                f,
                "failover: switchover to {to}: {from} stops taking statements; waiting for {to} to receive all WAL"
            ),
            SwitchoverAbandoned => f.write_str("failover: switchover abandoned: a node went down"),
            PromotionAbandoned { node } => {
                write!(f, "failover: {node} went down before its promotion completed")
            }
            Promoted { node, timeline, lsn } => {
                write!(f, "{node} PROMOTED: primary on timeline {timeline}, WAL from {lsn}")
            }
            RecoveryTime { old, new, stopped_ms, accepts_ms } => write!(
                f,
                "failover: recovery time {}: {old} stopped taking writes at {}, {new} accepts writes at {}",
                format_millis(accepts_ms - stopped_ms),
                format_millis(*stopped_ms),
                format_millis(*accepts_ms)
            ),
            Fenced { node, cause: FenceCause::LeaseLost } => write!(
                f,
                "failover: {node} cannot renew its leader lease (the manager is unreachable): it demotes itself to read-only (fenced)"
            ),
            Fenced { node, cause: FenceCause::BeforePromotion } => write!(
                f,
                "failover: {node} is fenced: demoted to read-only before a new primary is promoted"
            ),
            Demoted { node, cause: DemoteCause::NewTimeline { timeline, leader, must_rewind } } => {
                write!(f, "failover: {node} sees timeline {timeline}: demoted to a replica; ")?;
                if *must_rewind {
                    f.write_str("it must rewind")
                } else {
                    write!(f, "its WAL is all on {leader}'s history, so it follows without a rewind")
                }
            }
            Demoted { node, cause: DemoteCause::StaleReachable { timeline, leader, leader_timeline } } => write!(
                f,
                "failover: {node} is reachable again and still a primary on timeline {timeline}, but {leader} leads timeline {leader_timeline}: demoted (fenced), must rewind"
            ),
            Unfenced { node, why: UnfenceReason::ManagerBack } => write!(
                f,
                "failover: {node} reaches the manager again and nobody else was promoted: it takes writes again"
            ),
            Unfenced { node, why: UnfenceReason::PromotionAbandoned } => write!(
                f,
                "failover: {node} is the primary again: the promotion was abandoned: it takes writes again"
            ),
            SplitBrain { stale, stale_timeline, leader, timeline } => write!(
                f,
                "failover: SPLIT BRAIN: {stale} is still a primary on timeline {stale_timeline} (the manager cannot reach it and fencing is off) while {leader} is primary on timeline {timeline}; clients that still resolve {stale} write to it"
            ),
            SplitBrainWrite { node, xid, timeline, leader, leader_timeline } => write!(
                f,
                "failover: SPLIT BRAIN: {node} acknowledged xid {xid} on timeline {timeline} while {leader} is primary on timeline {leader_timeline}"
            ),
            Rewind { node, fork, timeline, discarded } => {
                write!(f, "failover: pg_rewind {node}: servers diverged at ")?;
                match fork {
                    Some(lsn) => write!(f, "WAL location {lsn}")?,
                    None => f.write_str("an unknown WAL location (history too old)")?,
                }
                write!(
                    f,
                    " on timeline {timeline}; discarding {discarded} transaction{} the new primary never had",
                    if *discarded == 1 { "" } else { "s" }
                )
            }
            ManagerPartition { node, cut: true } => {
                write!(f, "{node} partitioned from the failover manager (DCS); clients still reach it")
            }
            ManagerPartition { node, cut: false } => {
                write!(f, "{node} reachable by the failover manager again")
            }
            EndpointMoved { to, from, ttl_ms: 0, .. } => write!(
                f,
                "endpoint: {ENDPOINT_NAME} → {to} (was {from}; ttl 0: clients follow at once)"
            ),
            EndpointMoved { to, from, stale_sessions, longest_ms, .. } => write!(
                f,
                "endpoint: {ENDPOINT_NAME} → {to} (was {from}); {stale_sessions} session{} cached {from} for up to {} more",
                if *stale_sessions == 1 { "" } else { "s" },
                format_millis(*longest_ms)
            ),
            EndpointReresolved { session, from, to } => write!(
                f,
                "endpoint: session {session} resolved {ENDPOINT_NAME} again: {from} → {to} (its cached answer expired)"
            ),
        }
    }
}

/// The name the primary's endpoint is published under (Patroni's Consul service name).
pub const ENDPOINT_NAME: &str = "primary.pg.service.consul";

impl fmt::Display for ChangeSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (table, data) = (self.table(), self.change.data_display());
        match self.op() {
            ChangeOp::CreateTable => write!(f, "CREATE TABLE {table}"),
            ChangeOp::DropTable => write!(f, "DROP TABLE {table}"),
            ChangeOp::CreateIndex => write!(f, "CREATE INDEX {data}"),
            ChangeOp::Insert => write!(f, "INSERT {table} {data}"),
            ChangeOp::Update => write!(f, "UPDATE {table} {data}"),
            ChangeOp::Delete => write!(f, "DELETE {table} {data}"),
        }
    }
}

impl fmt::Display for SettingScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SettingScope::Cluster => f.write_str("cluster"),
            SettingScope::Node(id) => write!(f, "{id}"),
            SettingScope::Endpoint => f.write_str("endpoint"),
            SettingScope::Router => f.write_str("router"),
        }
    }
}

impl fmt::Display for DisconnectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DisconnectReason::PrimaryClosed => "primary closed the connection",
            DisconnectReason::StandbyCrashed => "standby crashed",
            DisconnectReason::Partitioned => {
                "could not receive data from WAL stream: connection timed out"
            }
            DisconnectReason::ReplicationTimeout => {
                "terminating walsender process due to replication timeout"
            }
            DisconnectReason::WalRemoved => "requested WAL has already been removed",
            DisconnectReason::Rebuilding => "replica is being rebuilt from a base backup",
            DisconnectReason::Promotion => {
                "promotion: the standby stops streaming and finishes recovery"
            }
            DisconnectReason::Removed => "standby removed from the cluster",
        })
    }
}

impl Way {
    /// The way a link is cut, from which directions are: `None` when neither is.
    pub fn of(down: bool, up: bool) -> Option<Way> {
        match (down, up) {
            (true, true) => Some(Way::Both),
            (true, false) => Some(Way::Down),
            (false, true) => Some(Way::Up),
            (false, false) => None,
        }
    }

    /// Whether primary → replica traffic is cut.
    pub fn cuts_down(self) -> bool {
        self != Way::Up
    }

    /// Whether replica → primary traffic is cut.
    pub fn cuts_up(self) -> bool {
        self != Way::Down
    }

    /// The scenario language's word for it (`partition NODE way=...`).
    pub fn as_str(self) -> &'static str {
        match self {
            Way::Both => "both",
            Way::Down => "down",
            Way::Up => "up",
        }
    }
}

impl fmt::Display for Way {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Way::Both => "both ways",
            Way::Down => "primary → replica",
            Way::Up => "replica → primary",
        })
    }
}

impl fmt::Display for NoCandidate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.excluded.is_empty() {
            return f.write_str("there is no replica to promote");
        }
        f.write_str("no replica may be promoted: ")?;
        for (i, (node, why)) in self.excluded.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            match why {
                Exclusion::Down => write!(f, "{node} is down")?,
                Exclusion::CutFromManager => write!(f, "{node} is cut off from the manager")?,
                Exclusion::NeedsResync => {
                    write!(f, "{node} needs a base backup (its WAL was removed on the primary)")?
                }
                Exclusion::NoFailover => write!(f, "{node} has failover priority 0 (nofailover)")?,
                Exclusion::TooFarBehind { wal_end, behind_bytes, leader_lsn, limit_bytes } => write!(
                    f,
                    "{node}, the most advanced, has WAL up to {wal_end}: {behind_bytes} bytes behind the leader's last known position {leader_lsn}, over maximum_lag_on_failover ({limit_bytes} bytes)"
                )?,
            }
        }
        Ok(())
    }
}

impl CandidateChoice {
    /// Bytes the candidate is behind the leader's last known position.
    pub fn behind_bytes(&self) -> u64 {
        self.leader_lsn.bytes_since(self.wal_end)
    }
}

impl fmt::Display for CandidateChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (node, end) = (self.node, self.wal_end);
        write!(f, "{node} (WAL up to {end}: ")?;
        match self.behind_bytes() {
            0 => f.write_str("all the primary had when last seen healthy")?,
            behind => write!(
                f,
                "{behind} bytes behind the primary's last known position {} (maximum_lag_on_failover {} bytes)",
                self.leader_lsn, self.limit_bytes
            )?,
        }
        for (other, other_end) in &self.others {
            if *other_end == end {
                write!(f, "; {other} has as much, so priority, then name, decides")?;
            } else {
                write!(f, "; {other} has only {other_end}")?;
            }
        }
        f.write_str(")")
    }
}

/// A bounded log of events, oldest first, with a digest of all events ever recorded.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventLog {
    /// Shared with the cluster's snapshots, chunk by chunk.
    events: SharedDeque<Event>,
    dropped: u64,
    digest: u64,
}

impl EventLog {
    /// Records an event, dropping the oldest beyond [`LOG_CAPACITY`].
    pub fn push(&mut self, at_ms: Millis, kind: EventKind) {
        let event = Event { at_ms, kind };
        let mut hasher = StableHasher::continuing(self.digest);
        event.hash(&mut hasher);
        self.digest = hasher.finish();
        if self.events.len() == LOG_CAPACITY {
            self.events.drop_front(1);
            self.dropped += 1;
        }
        self.events.push_back(event);
    }

    /// The kept events, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Event> + ExactSizeIterator {
        self.events.iter()
    }

    /// How many events were ever recorded (kept or dropped): a cursor for "what's new".
    pub fn total(&self) -> u64 {
        self.dropped + self.events.len() as u64
    }

    /// How many of the oldest events were dropped to keep the log bounded.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Events recorded after the first `cursor` (see [`EventLog::total`]).
    pub fn since(&self, cursor: u64) -> impl Iterator<Item = &Event> {
        let skip = cursor.saturating_sub(self.dropped) as usize;
        self.events.iter_from(skip)
    }

    /// A digest of every event ever recorded, in order: equal digests, equal histories.
    pub fn digest(&self) -> u64 {
        self.digest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_covers_every_event_in_order() {
        let mut a = EventLog::default();
        let mut b = EventLog::default();
        a.push(1, EventKind::Started { node: NodeId(0) });
        a.push(2, EventKind::Restarting { node: NodeId(1) });
        b.push(2, EventKind::Restarting { node: NodeId(1) });
        b.push(1, EventKind::Started { node: NodeId(0) });
        assert_ne!(a.digest(), b.digest());
        let mut c = EventLog::default();
        c.push(1, EventKind::Started { node: NodeId(0) });
        c.push(2, EventKind::Restarting { node: NodeId(1) });
        assert_eq!(a.digest(), c.digest());
    }

    #[test]
    fn candidates_explain_themselves() {
        let choice = CandidateChoice {
            node: NodeId(1),
            wal_end: Lsn(0x0300_01E2),
            leader_lsn: Lsn(0x0300_01E2),
            limit_bytes: 1 << 20,
            others: vec![(NodeId(2), Lsn(0x0300_01E2))],
        };
        assert_eq!(
            choice.to_string(),
            "pg2 (WAL up to 0/30001E2: all the primary had when last seen healthy; pg3 has as much, so priority, then name, decides)"
        );
        let none = NoCandidate { excluded: vec![(NodeId(1), Exclusion::Down)] };
        assert_eq!(none.to_string(), "no replica may be promoted: pg2 is down");
        assert_eq!(NoCandidate::default().to_string(), "there is no replica to promote");
    }
}
