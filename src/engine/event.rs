//! # The event log
//!
//! Every notable step of the simulation is recorded as a typed [`Event`] with its simulated
//! time: a commit on the primary, WAL sent, written and replayed, a crash, a restart, a
//! connection made or lost, a fallback from semi-sync, a re-sync. The UI shows the log as a
//! timeline; golden tests print it; nothing in the engine reads it back to make decisions.
//!
//! The log keeps the newest [`LOG_CAPACITY`] events (memory stays bounded) and a running
//! digest of *every* event ever pushed, so two runs can be compared for determinism without
//! keeping both logs whole.

use std::collections::VecDeque;
use std::fmt;
use std::hash::{DefaultHasher, Hash, Hasher};

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

/// What happened.
#[derive(Clone, Debug, PartialEq, Hash)]
pub enum EventKind {
    /// The primary committed a transaction and wrote it to its WAL.
    Committed { node: NodeId, xid: u64, end: Lsn, summary: String },
    /// A commit was acknowledged to its client after waiting `latency_ms` for `waited_for`.
    Acknowledged { node: NodeId, xid: u64, latency_ms: Millis, waited_for: String },
    /// The primary sent WAL records down a link.
    Sent { from: NodeId, to: NodeId, first_xid: u64, last_xid: u64, arrives_ms: Millis },
    /// A replica received the record and wrote and flushed it to its own WAL.
    Received { node: NodeId, xid: u64, end: Lsn },
    /// A replica replayed the record: its queries now see the change.
    Replayed { node: NodeId, xid: u64, end: Lsn, lag_ms: Millis },
    /// A node refused a write because it is a read-only standby.
    RefusedWrite { node: NodeId, command: &'static str },
    /// A setting changed (cluster-wide, or on one node or link).
    SettingChanged { scope: String, name: String, value: String },
    /// A node crashed; `lost` names the WAL it had not flushed, if any.
    Crashed { node: NodeId, lost: Option<String> },
    /// A node began restarting; it is up after crash recovery.
    Restarting { node: NodeId },
    /// A node finished starting and accepts connections.
    Started { node: NodeId },
    /// A replica connected to the primary and asked for WAL from `from`.
    Connected { replica: NodeId, from: Lsn, catchup_bytes: u64 },
    /// A replica caught up: its walsender state became `streaming`.
    Streaming { replica: NodeId },
    /// A replica's replication connection broke.
    Disconnected { replica: NodeId, reason: String },
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
    /// A link was cut (`down`: primary→replica, `up`: replica→primary) or healed.
    LinkCut { replica: NodeId, down: bool, up: bool },
    /// A link was healed.
    LinkHealed { replica: NodeId },
    /// A replica was added or removed.
    Membership { node: NodeId, added: bool },
    /// A load generator started or finished.
    Load { message: String },
    /// The router changed how it sends reads.
    Router { message: String },
    /// The failover manager could not reach the primary.
    HealthCheckFailed { node: NodeId, missed: u32, down_ms: Millis, ttl_ms: Millis },
    /// A step of a failover (declared, candidate, recovery time, fencing, rewind).
    Failover { message: String },
    /// A replica was promoted and writes on a new timeline.
    Promoted { node: NodeId, timeline: u64, lsn: Lsn },
    /// The failover manager (Patroni's DCS) lost or regained its connection to a node.
    ManagerPartition { node: NodeId, cut: bool },
    /// The primary's endpoint (its DNS name) changed, or a client re-resolved it.
    Endpoint { message: String },
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
            Committed { node, xid, end, summary } => write!(f, "{node} commit xid={xid} lsn={end}: {summary}"),
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
            SettingChanged { scope, name, value } => write!(f, "{scope}: {name} = {value}"),
            Crashed { node, lost: None } => write!(f, "{node} CRASHED"),
            Crashed { node, lost: Some(lost) } => write!(f, "{node} CRASHED, losing unflushed WAL: {lost}"),
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
            LinkCut { replica, down, up } => {
                let which = match (down, up) {
                    (true, true) => "both ways",
                    (true, false) => "primary → replica",
                    _ => "replica → primary",
                };
                write!(f, "link to {replica} partitioned ({which})")
            }
            LinkHealed { replica } => write!(f, "link to {replica} healed"),
            Membership { node, added: true } => write!(f, "{node} added as a replica"),
            Membership { node, added: false } => write!(f, "{node} removed from the cluster"),
            Load { message } => write!(f, "load: {message}"),
            Router { message } => write!(f, "router: {message}"),
            HealthCheckFailed { node, missed, down_ms, ttl_ms } => write!(
                f,
                "failover: health check of {node} failed ({missed} missed; last healthy check {} ago, ttl {})",
                format_millis(*down_ms),
                format_millis(*ttl_ms)
            ),
            Failover { message } => write!(f, "failover: {message}"),
            Promoted { node, timeline, lsn } => {
                write!(f, "{node} PROMOTED: primary on timeline {timeline}, WAL from {lsn}")
            }
            ManagerPartition { node, cut: true } => {
                write!(f, "{node} partitioned from the failover manager (DCS); clients still reach it")
            }
            ManagerPartition { node, cut: false } => {
                write!(f, "{node} reachable by the failover manager again")
            }
            Endpoint { message } => write!(f, "endpoint: {message}"),
        }
    }
}

/// A bounded log of events, oldest first, with a digest of all events ever recorded.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventLog {
    events: VecDeque<Event>,
    dropped: u64,
    digest: u64,
}

impl EventLog {
    /// Records an event, dropping the oldest beyond [`LOG_CAPACITY`].
    pub fn push(&mut self, at_ms: Millis, kind: EventKind) {
        let event = Event { at_ms, kind };
        let mut hasher = DefaultHasher::new();
        (self.digest, &event).hash(&mut hasher);
        self.digest = hasher.finish();
        if self.events.len() == LOG_CAPACITY {
            self.events.pop_front();
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

    /// Events recorded after the first `cursor` (see [`EventLog::total`]).
    pub fn since(&self, cursor: u64) -> impl Iterator<Item = &Event> {
        let skip = cursor.saturating_sub(self.dropped) as usize;
        self.events.iter().skip(skip)
    }

    /// A digest of every event ever recorded, in order: equal digests, equal histories.
    pub fn digest(&self) -> u64 {
        self.digest
    }
}
