//! Router: read/write splitting and read-after-write strategies.
//!
//! Modelled on ProxySQL and pgpool-II. Writes (and transactions) go to the current primary.
//! Reads go to a replica chosen by the [`Policy`], skipping replicas that are down or *shunned*
//! for replication lag (`max_replication_lag`); when every replica is shunned, reads fall back to
//! the primary, and the event log says so.
//!
//! Each client session may also follow a read-after-write strategy ([`Ryw`]) — the four
//! answers to the lesson's interview question:
//!
//! | strategy | reads after the session wrote go to ... | costs |
//! |----------|------------------------------------------|-------|
//! | `primary` | the primary, for `window` after the last write | primary read load |
//! | `sticky`  | the one node the session is pinned to (the primary once it has written) | no read scaling for writers |
//! | `lsn`     | a replica that has replayed the session's last commit; wait up to `timeout`, then the primary | waits |
//! | `sync`    | anywhere: the commit waited until *every* replica replayed it (`remote_apply` on all) | write latency |

use std::fmt;
use std::str::FromStr;

use super::super::commit::SyncCommit;
use super::super::node::{NodeState, Role};
use super::super::vecmap::VecMap;
use super::super::wal::Lsn;
use super::super::{format_millis, parse_millis, Error, Millis, NodeId};
use super::Cluster;

/// How reads are spread over eligible replicas.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Policy {
    /// In turn.
    #[default]
    RoundRobin,
    /// The replica with the fewest bytes left to replay.
    LeastLag,
    /// In proportion to configured weights (smooth weighted round-robin, as nginx does).
    Weighted,
}

impl FromStr for Policy {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "round-robin" => Ok(Policy::RoundRobin),
            "least-lag" => Ok(Policy::LeastLag),
            "weights" | "weighted" => Ok(Policy::Weighted),
            other => Err(Error::invalid(format!(
                "policy: expected round-robin, least-lag or weights, got \"{other}\""
            ))),
        }
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Policy::RoundRobin => "round-robin",
            Policy::LeastLag => "least-lag",
            Policy::Weighted => "weights",
        })
    }
}

/// The router's settings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RouterConfig {
    pub policy: Policy,
    /// Weights for [`Policy::Weighted`] (missing: 1).
    pub weights: VecMap<NodeId, u32>,
    /// ProxySQL's `max_replication_lag`, as time: replicas further behind get no reads.
    pub max_lag_ms: Option<Millis>,
    /// pgpool-II's `delay_threshold`, in bytes.
    pub max_lag_bytes: Option<u64>,
}

/// A session's read-after-write strategy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Ryw {
    #[default]
    None,
    /// Read from the primary for `window_ms` after the session's last write.
    Primary { window_ms: Millis },
    /// Pin the session to one node: a replica until it writes, then the primary.
    Sticky,
    /// Read only from a node that has replayed the session's last commit, waiting up to
    /// `timeout_ms` for one, then from the primary.
    Lsn { timeout_ms: Millis },
    /// Commit with `remote_apply` on every replica, then read anywhere.
    Sync,
}

impl fmt::Display for Ryw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ryw::None => f.write_str("none"),
            Ryw::Primary { window_ms } => {
                write!(f, "primary for {} after a write", format_millis(*window_ms))
            }
            Ryw::Sticky => f.write_str("sticky"),
            Ryw::Lsn { timeout_ms } => write!(f, "lsn (wait up to {})", format_millis(*timeout_ms)),
            Ryw::Sync => f.write_str("sync (remote_apply on every replica)"),
        }
    }
}

impl Ryw {
    /// The strategy's name, as `ryw=` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Ryw::None => "none",
            Ryw::Primary { .. } => "primary",
            Ryw::Sticky => "sticky",
            Ryw::Lsn { .. } => "lsn",
            Ryw::Sync => "sync",
        }
    }

    /// Parses `none`, `primary`, `sticky`, `lsn`, `sync`, with `window`/`timeout` options.
    pub fn parse(name: &str, window: Option<&str>, timeout: Option<&str>) -> Result<Self, Error> {
        let duration = |v: Option<&str>, default: Millis| -> Result<Millis, Error> {
            v.map_or(Ok(default), |t| {
                parse_millis(t)
                    .ok_or_else(|| Error::invalid(format!("expected a duration, got \"{t}\"")))
            })
        };
        match name {
            "none" => Ok(Ryw::None),
            "primary" => Ok(Ryw::Primary { window_ms: duration(window, 5_000)? }),
            "sticky" => Ok(Ryw::Sticky),
            "lsn" => Ok(Ryw::Lsn { timeout_ms: duration(timeout, 1_000)? }),
            "sync" => Ok(Ryw::Sync),
            other => Err(Error::invalid(format!(
                "ryw: expected none, primary, sticky, lsn or sync, got \"{other}\""
            ))),
        }
    }
}

/// What the cluster remembers about one client session.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClientSession {
    /// The session's own `synchronous_commit`, if set.
    pub commit: Option<SyncCommit>,
    pub ryw: Ryw,
    /// When the session's last write was acknowledged.
    pub last_write_ms: Option<Millis>,
    /// Where the session's last commit ends, and on which timeline.
    pub last_commit: CommitPosition,
    /// The node a sticky session is pinned to.
    pub pinned: Option<NodeId>,
    /// The session's cached answer for the primary's endpoint.
    pub resolved: Option<super::Resolved>,
    /// Parameters the session `SET`, in their units (`synchronous_commit` also in `commit`).
    pub gucs: VecMap<String, String>,
    /// The settings before the open transaction block's first `SET`, restored by `ROLLBACK`.
    pub gucs_before_txn: Option<(VecMap<String, String>, Option<SyncCommit>)>,
    /// The session has sent a `BEGIN` (the only way a transaction block opens): until it
    /// does, no node can hold a transaction of it, and the router need not ask each one.
    pub ever_began: bool,
}

/// Where a commit ends in the WAL, and the timeline it was written on. A node has it once it
/// has replayed that far *on that history*: a node still on an older timeline cannot have a
/// newer timeline's commit, however far its own WAL goes (past the fork it is the old
/// primary's WAL). Ordered by timeline first: a newer timeline's commit is the later one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CommitPosition {
    pub timeline: u64,
    pub lsn: Lsn,
}

impl fmt::Display for CommitPosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.timeline > 1 {
            write!(f, "{} on timeline {}", self.lsn, self.timeline)
        } else {
            write!(f, "{}", self.lsn)
        }
    }
}

/// Where the router sends a read, and why there when it is not the policy's plain choice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum ReadRoute {
    Node(NodeId, Option<String>),
    /// No eligible node has replayed the session's last commit yet: wait for one.
    Wait {
        commit: CommitPosition,
    },
}

impl Cluster {
    /// The router's settings.
    pub fn router(&self) -> &RouterConfig {
        &self.router
    }

    /// Replaces the router's settings. Weights are for replicas: one for the primary (which
    /// takes no routed reads) is refused.
    pub fn set_router(&mut self, config: RouterConfig) -> Result<(), Error> {
        if let Some(id) = config.weights.keys().find(|id| self.node(**id).role == Role::Primary) {
            return Err(Error::invalid(format!(
                "weights: {id} is the primary; weights spread reads over replicas"
            )));
        }
        self.router = config;
        self.shunned_all = false;
        Ok(())
    }

    /// A client session's state (defaults for a session never seen).
    pub fn client_session(&self, name: &str) -> ClientSession {
        self.sessions.get(name).cloned().unwrap_or_default()
    }

    /// Sets a session's read-after-write strategy.
    pub fn set_session_ryw(&mut self, name: &str, ryw: Ryw) {
        let session = self.sessions.get_or_default(name);
        session.ryw = ryw;
        session.pinned = None;
    }

    /// Replicas that may take reads now: up, not removed, not shunned for lag, and (under the
    /// `weights` policy) not weighted 0.
    pub fn eligible_replicas(&self) -> NodeList {
        self.members()
            .filter(|n| n.role == Role::Replica && n.state == NodeState::Running)
            .map(|n| n.id)
            .filter(|id| !self.is_shunned(*id) && !self.weighs_nothing(*id))
            .collect()
    }

    fn weighs_nothing(&self, id: NodeId) -> bool {
        self.router.policy == Policy::Weighted && self.router.weights.get(&id) == Some(&0)
    }

    /// Whether a replica is over the router's lag limits.
    pub fn is_shunned(&self, id: NodeId) -> bool {
        let over_ms = self.router.max_lag_ms.is_some_and(|max| self.replay_lag_ms(id) > max);
        let over_bytes =
            self.router.max_lag_bytes.is_some_and(|max| self.replay_lag_bytes(id) > max);
        over_ms || over_bytes
    }

    /// Chooses a node for a read by `session`, following its strategy and the policy.
    pub(super) fn route_read(&mut self, session: &str) -> ReadRoute {
        let state = self.client_session(session);
        let primary = self.resolve_primary(session);
        match state.ryw {
            Ryw::Primary { window_ms } => {
                if let Some(t) = state.last_write_ms.filter(|t| self.now_ms < t + window_ms) {
                    let why = format!(
                        "ryw=primary: within {} of the session's last write (at {})",
                        format_millis(window_ms),
                        format_millis(t)
                    );
                    return ReadRoute::Node(primary, Some(why));
                }
            }
            Ryw::Sticky => {
                if let Some(node) = state.pinned.filter(|n| self.node(*n).is_running()) {
                    return ReadRoute::Node(node, Some(format!("ryw=sticky: pinned to {node}")));
                }
                let node = self.pick_replica(&self.eligible_replicas()).unwrap_or(primary);
                self.sessions.get_or_default(session).pinned = Some(node);
                return ReadRoute::Node(node, Some(format!("ryw=sticky: now pinned to {node}")));
            }
            Ryw::Lsn { .. } if state.last_commit.lsn > Lsn::START => {
                let caught_up: NodeList = self
                    .eligible_replicas()
                    .iter()
                    .copied()
                    .filter(|id| self.has_replayed(*id, state.last_commit))
                    .collect();
                let why = |node| {
                    format!(
                        "ryw=lsn: {node} has replayed the session's last commit ({})",
                        state.last_commit
                    )
                };
                return match self.pick_replica(&caught_up) {
                    Some(node) => ReadRoute::Node(node, Some(why(node))),
                    None => ReadRoute::Wait { commit: state.last_commit },
                };
            }
            Ryw::Lsn { .. } | Ryw::None | Ryw::Sync => {}
        }
        let eligible = self.eligible_replicas();
        match self.pick_replica(&eligible) {
            Some(node) => ReadRoute::Node(node, None),
            None => {
                let why = if self.every_replica_shunned() {
                    "every replica is over the router's lag limit: read from the primary"
                } else {
                    "no replica can take reads: read from the primary"
                };
                ReadRoute::Node(primary, Some(why.to_string()))
            }
        }
    }

    /// Whether there are replicas to read from but every one is over the lag limits.
    fn every_replica_shunned(&self) -> bool {
        let mut running = self
            .members()
            .filter(|n| n.role == Role::Replica && n.is_running())
            .map(|n| n.id)
            .filter(|id| !self.weighs_nothing(*id))
            .peekable();
        running.peek().is_some() && running.all(|id| self.is_shunned(id))
    }

    /// Logs when reads start or stop falling back to the primary because every replica is over
    /// the lag limits (part of the reconcile pass: it follows lag as it grows and shrinks).
    pub(super) fn update_shunning(&mut self) {
        if self.router.max_lag_ms.is_none()
            && self.router.max_lag_bytes.is_none()
            && !self.shunned_all
        {
            return;
        }
        let all_shunned = self.every_replica_shunned();
        if all_shunned != self.shunned_all {
            self.shunned_all = all_shunned;
            let kind = super::super::event::EventKind::RouterShunning { all_shunned };
            self.events.push(self.now_ms, kind);
        }
    }

    /// One of `candidates` by the router's policy.
    fn pick_replica(&mut self, candidates: &[NodeId]) -> Option<NodeId> {
        if candidates.is_empty() {
            return None;
        }
        Some(match self.router.policy {
            Policy::RoundRobin => {
                let node = candidates[self.next_read % candidates.len()];
                self.next_read = self.next_read.wrapping_add(1);
                node
            }
            Policy::LeastLag => *candidates
                .iter()
                .min_by_key(|id| (self.replay_lag_bytes(**id), **id))
                .expect("non-empty"),
            Policy::Weighted => self.pick_weighted(candidates),
        })
    }

    /// Smooth weighted round-robin: each pick adds every weight to its current score, takes the
    /// highest, and subtracts the total from the winner.
    fn pick_weighted(&mut self, candidates: &[NodeId]) -> NodeId {
        let weight = |id: &NodeId| i64::from(*self.router.weights.get(id).unwrap_or(&1));
        let total: i64 = candidates.iter().map(weight).sum();
        for id in candidates {
            *self.weighted_scores.entry(*id).or_default() += weight(id);
        }
        let best = *candidates
            .iter()
            .max_by_key(|id| (self.weighted_scores[*id], std::cmp::Reverse(**id)))
            .expect("non-empty");
        *self.weighted_scores.get_mut(&best).expect("scored") -= total;
        best
    }

    /// Whether a node has replayed a commit: far enough, on the commit's history.
    pub(super) fn has_replayed(&self, id: NodeId, commit: CommitPosition) -> bool {
        let node = self.node(id);
        self.history_includes(node.timeline, node.replay_lsn, commit.timeline, commit.lsn)
    }

    /// Remembers a session's write, acknowledged by `primary`, for its read-after-write strategy.
    pub(super) fn note_session_write(&mut self, session: &str, end: Lsn, primary: NodeId) {
        let now_ms = self.now_ms;
        let commit = CommitPosition { timeline: self.node(primary).timeline, lsn: end };
        let state = self.sessions.get_or_default(session);
        state.last_write_ms = Some(now_ms);
        state.last_commit = state.last_commit.max(commit);
        if state.ryw == Ryw::Sticky {
            state.pinned = Some(primary);
        }
    }

    /// Whether every running replica has replayed `end` (the `sync` strategy's commit wait).
    pub(super) fn all_replicas_applied(&self, end: Lsn) -> bool {
        self.replicas_not_applied(end).is_empty()
    }

    /// Running replicas whose confirmation of replaying `end` has not reached the primary, with
    /// their receiver state (for the `sync` strategy's wait: a partitioned replica holds every
    /// commit until it returns or goes).
    pub(super) fn replicas_not_applied(&self, end: Lsn) -> Vec<String> {
        self.members()
            .filter(|n| n.role == Role::Replica && n.is_running())
            .filter(|n| self.walsenders.get(&n.id).is_none_or(|w| w.replay_lsn < end))
            .map(|n| format!("{} ({})", n.id, n.receiver.as_str()))
            .collect()
    }
}

/// Some of the cluster's nodes, kept inline: the router lists the replicas it may read from
/// for every read, and a cluster has at most a primary and [`super::MAX_REPLICAS`] replicas.
#[derive(Clone, Copy, Debug)]
pub struct NodeList {
    len: usize,
    ids: [NodeId; super::MAX_REPLICAS + 1],
}

impl FromIterator<NodeId> for NodeList {
    fn from_iter<I: IntoIterator<Item = NodeId>>(ids: I) -> Self {
        let mut list = NodeList { len: 0, ids: [NodeId(0); super::MAX_REPLICAS + 1] };
        for id in ids {
            assert!(list.len < list.ids.len(), "a cluster has at most {} nodes", list.ids.len());
            list.ids[list.len] = id;
            list.len += 1;
        }
        list
    }
}

impl std::ops::Deref for NodeList {
    type Target = [NodeId];

    fn deref(&self) -> &[NodeId] {
        &self.ids[..self.len]
    }
}
