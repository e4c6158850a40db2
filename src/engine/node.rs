//! # Nodes: a primary and its hot standbys
//!
//! Every node holds a full copy of the data (a [`Database`]) and a write-ahead log. The
//! primary appends to its log when it commits; a replica appends what it receives from the
//! primary and then *replays* it on its database. Positions tell how far each got, as in
//! PostgreSQL's `pg_stat_replication`:
//!
//! ```text
//!   primary WAL:  [xid1][xid2][xid3][xid4]     end = pg_current_wal_lsn(); flushed ≤ end
//!   replica WAL:  [xid1][xid2][xid3]           write_lsn = flush_lsn (received, on disk)
//!   replayed:     [xid1][xid2]                 replay_lsn (visible to queries)
//! ```
//!
//! A node also has a CPU: a few cores and a run queue. Statements and WAL replay take core
//! time from their cost, so a node that is busy answers late and, if it is a replica, replays
//! late. A node's [`NodeState`] says whether it is up at all.

use std::collections::VecDeque;

use super::cluster::OpId;
use super::sql::{Database, Session};
use super::vecmap::VecMap;
use super::wal::{Lsn, Wal, WalRecord};
use super::{Millis, NodeId};

/// What a node does in the cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Accepts writes and ships its WAL.
    Primary,
    /// A hot standby: replays the primary's WAL, serves reads, refuses writes.
    Replica,
}

impl Role {
    /// Lower-case name as shown to users.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Primary => "primary",
            Role::Replica => "replica",
        }
    }
}

/// Whether a node is up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NodeState {
    /// Serving.
    Running,
    /// Down: refuses connections; what it had not flushed is gone.
    Crashed,
    /// Restarting (crash recovery); up at the given time.
    Starting { until_ms: Millis },
    /// Being rebuilt from a base backup of the primary; up at the given time.
    BaseBackup { until_ms: Millis },
    /// Taken out of the cluster for good.
    Removed,
}

impl NodeState {
    /// Short name as shown to users.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeState::Running => "running",
            NodeState::Crashed => "crashed",
            NodeState::Starting { .. } => "starting",
            NodeState::BaseBackup { .. } => "base backup",
            NodeState::Removed => "removed",
        }
    }
}

/// A replica's WAL receiver: its connection to the primary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Receiver {
    /// Not connected; retries every `wal_retrieve_retry_interval`.
    Disconnected,
    /// Asked the primary to stream from its flush position; waiting for the answer.
    Connecting,
    /// Receiving WAL (PostgreSQL's walreceiver state `streaming`).
    Streaming,
    /// The primary no longer has the WAL it needs: only a base backup (`resync`) helps.
    NeedsResync,
}

impl Receiver {
    pub fn as_str(self) -> &'static str {
        match self {
            Receiver::Disconnected => "disconnected",
            Receiver::Connecting => "connecting",
            Receiver::Streaming => "streaming",
            Receiver::NeedsResync => "needs re-sync",
        }
    }
}

/// Work waiting for a core.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Job {
    /// A client's statement.
    Statement(OpId),
    /// Replay of the next WAL record (replicas).
    Replay,
}

/// CPU cores per node.
pub const DEFAULT_CORES: usize = 2;

/// One database server.
#[derive(Clone, Debug)]
pub struct Node {
    pub id: NodeId,
    pub role: Role,
    pub state: NodeState,
    /// The node's copy of the data.
    pub db: Database,
    /// The node's log: generated (primary) or received (replica).
    pub wal: Wal,
    /// How far the primary's WAL is on disk (only `synchronous_commit = off` leaves a gap).
    pub flushed_lsn: Lsn,
    /// How far this node has replayed (on a primary: everything it wrote).
    pub replay_lsn: Lsn,
    /// Commit time of the last replayed record.
    pub replayed_commit_ms: Millis,
    /// Chain digest of the last replayed record (see [`WalRecord::chain`]).
    pub replayed_chain: u64,
    /// PostgreSQL's `recovery_min_apply_delay`.
    pub apply_delay_ms: Millis,
    /// `pg_wal_replay_pause()` is in effect.
    pub replay_paused: bool,
    /// Replay costs this many times the normal CPU (a slow disk or an overloaded replica).
    pub replay_slowdown: u32,
    /// The replica's connection to the primary.
    pub receiver: Receiver,
    /// Id of the replica's current connection (stale messages of an older one are dropped).
    pub conn: u64,
    /// When each core is next free, in µs of simulated time.
    pub cores_free_us: Vec<u64>,
    /// Work waiting for a core, first come first served.
    pub queue: VecDeque<Job>,
    /// A replay job is queued or running.
    pub replay_busy: bool,
    /// Connections to this node, by client session name.
    pub sessions: VecMap<String, Session>,
    /// How many times the node crashed.
    pub crashes: u32,
    /// Bumped by every crash and base backup: positions may restart from there.
    pub incarnation: u32,
    /// The timeline this node's WAL belongs to (PostgreSQL's timeline id; 1 until a promotion).
    pub timeline: u64,
    /// With unflushed WAL: the database as of `flushed_lsn`, restored by a crash.
    pub durable: Option<Database>,
}

impl Node {
    /// A fresh, running node with an empty database.
    pub fn new(id: NodeId, role: Role, cores: usize) -> Self {
        Self {
            id,
            role,
            state: NodeState::Running,
            db: Database::new(),
            wal: Wal::default(),
            flushed_lsn: Lsn::START,
            replay_lsn: Lsn::START,
            replayed_commit_ms: 0,
            replayed_chain: 0,
            apply_delay_ms: 0,
            replay_paused: false,
            replay_slowdown: 1,
            receiver: Receiver::Disconnected,
            conn: 0,
            cores_free_us: vec![0; cores.max(1)],
            queue: VecDeque::new(),
            replay_busy: false,
            sessions: VecMap::new(),
            crashes: 0,
            incarnation: 0,
            timeline: 1,
            durable: None,
        }
    }

    /// The node's name (`pg1`, ...).
    pub fn name(&self) -> String {
        self.id.name().into_owned()
    }

    /// Up and serving.
    pub fn is_running(&self) -> bool {
        self.state == NodeState::Running
    }

    /// How far this node's WAL is safely on disk.
    pub fn flush_lsn(&self) -> Lsn {
        match self.role {
            Role::Primary => self.flushed_lsn,
            Role::Replica => self.wal.end(),
        }
    }

    /// Records received but not yet replayed, oldest first.
    pub fn pending_replay(&self) -> impl Iterator<Item = &WalRecord> {
        self.wal.records_from(self.replay_lsn)
    }

    /// The core that frees up first, and when (µs).
    pub fn next_free_core(&self) -> (usize, u64) {
        let (core, free_us) = self
            .cores_free_us
            .iter()
            .enumerate()
            .min_by_key(|(i, t)| (**t, *i))
            .expect("a node has at least one core");
        (core, *free_us)
    }
}
