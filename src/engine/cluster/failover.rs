//! Failover, modelled on Patroni: health checks, a leader lease, promotion, re-pointing, rewind.
//!
//! ```text
//!   every loop_wait:  manager checks the primary ──ok──▶ lease renewed (last_ok = now)
//!                                  │ missed
//!                                  ▼
//!                         (and the leader's WAL position is recorded, as Patroni's /optime/leader)
//!   now - last_ok ≥ ttl ──▶ failure declared ──▶ candidate: healthy replica with the most WAL,
//!                                                 then priority; none more than
//!                                                 maximum_lag_on_failover behind that position
//!                         ──▶ it replays what it has, is promoted: timeline + 1
//!                         ──▶ other replicas follow it (a replica with WAL the new primary
//!                             never had must rewind: pg_rewind, here a fresh base backup)
//!                         ──▶ the old primary, when it returns, is on an old timeline: it is
//!                             fenced (a replica now) and rewinds; writes it acknowledged that
//!                             never reached the new primary are lost — `check` lists them
//! ```
//!
//! `promote NODE` is `pg_promote()`: the same promotion, by hand. Automatic failover is off until
//! `failover auto=on`, so a scenario that crashes and restarts a primary keeps it.
//!
//! **Fencing.** A primary cut off from the manager (`partition pg1 from=manager`) is not
//! necessarily down: clients may still reach it. With fencing on (the default: Patroni demotes
//! a leader that cannot renew its lease, and its watchdog resets one that hangs), the old
//! primary is made read-only *before* another node is promoted, so at most one node ever takes
//! writes. With fencing off, it keeps taking writes from every client that still resolves it:
//! two primaries, two diverging histories — split brain — until the manager reaches it again,
//! demotes it, and its rewind throws away what only it had.
//!
//! **Role changes** happen in three methods only, each asserting what must hold before and
//! after: [`Cluster::become_primary`] (a promotion completes), [`Cluster::become_replica`] (a
//! demotion or fencing, or a crashed old primary that will come back as a standby), and
//! [`Cluster::unfence`] (a fenced leader nobody replaced takes writes again).
//!
//! **Where the model departs from Patroni and PostgreSQL:**
//! - The manager is one process that never fails; Patroni's DCS is itself a cluster (etcd,
//!   Consul) with its own quorum. A "partition from the manager" stands for losing the DCS.
//! - The candidate is chosen by WAL received (flushed), as Patroni does, then replays what it
//!   has before the promotion completes; `pg_promote()`'s `wait_seconds` is not modelled.
//! - `pg_rewind` is modelled as a fresh base backup from the new primary: same outcome (the
//!   old primary's divergent transactions are gone), without the page-level copy.
//! - Fencing is instant: a primary that loses its lease is read-only at once, where Patroni
//!   demotes within a loop and relies on a watchdog for a hung node.

use super::super::event::{
    CandidateChoice, DemoteCause, DisconnectReason, EventKind, Exclusion, FenceCause, NoCandidate,
    UnfenceReason,
};
use super::super::link::Link;
use super::super::node::{Job, NodeState, Receiver, Role};
use super::super::wal::Lsn;
use super::super::{Error, Millis, NodeId};
use super::{Cluster, LinkState, Timer};
use crate::engine::vecmap::VecMap;

/// Patroni's settings for the failover manager.
#[derive(Clone, Debug, PartialEq)]
pub struct FailoverConfig {
    /// Automatic failover on or off.
    pub auto: bool,
    /// The leader lease: a primary not seen healthy for this long is declared failed.
    pub ttl_ms: Millis,
    /// How often the manager checks the primary.
    pub loop_wait_ms: Millis,
    /// A replica further behind than this (bytes) is never promoted.
    pub maximum_lag_on_failover: u64,
    /// Patroni's `failover_priority` tag: among equally advanced replicas the highest wins;
    /// 0 means never promote (`nofailover`). Unlisted nodes have priority 1.
    pub priorities: VecMap<NodeId, u32>,
    /// Make an unreachable old primary read-only before promoting another node.
    pub fencing: bool,
}

impl Default for FailoverConfig {
    fn default() -> Self {
        Self {
            auto: false,
            ttl_ms: 30_000,
            loop_wait_ms: 10_000,
            maximum_lag_on_failover: 1 << 20,
            priorities: VecMap::new(),
            fencing: true,
        }
    }
}

/// One completed promotion, for a summary of failovers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailoverRecord {
    /// When the new primary started taking writes.
    pub at_ms: Millis,
    pub old: NodeId,
    pub new: NodeId,
    pub timeline: u64,
    /// From the old primary's failure to the new one taking writes (automatic failovers).
    pub recovery_ms: Option<Millis>,
}

/// Failovers remembered (the oldest are forgotten).
const FAILOVERS_KEPT: usize = 100;

/// What the failover manager knows between checks.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Manager {
    pub config: FailoverConfig,
    /// When the primary was last seen healthy.
    pub last_ok_ms: Millis,
    /// The primary's WAL position when it was last seen healthy (Patroni's `/optime/leader`):
    /// what `maximum_lag_on_failover` is measured from.
    pub leader_lsn: Lsn,
    /// Why the last failover attempt found no replica to promote (until one begins, or the
    /// primary is seen again).
    pub no_candidate: Option<NoCandidate>,
    /// Consecutive failed checks.
    pub missed: u32,
    /// A promotion waiting for its candidate to replay what it has: (node, when it started).
    pub promoting: Option<(NodeId, Millis)>,
    /// A switchover in progress: the primary takes no new statements until `target` has
    /// received all its WAL.
    pub switchover: Option<(NodeId, NodeId)>,
    /// The promotion under way was asked for by hand (`promote`, `pg_promote()`), not by the
    /// manager's failover or a switchover.
    pub by_hand: bool,
    /// When the primary that is being replaced went down, if known.
    pub failed_at_ms: Option<Millis>,
    /// When the leader last fenced itself (stopped taking writes while still running).
    pub fenced_at_ms: Option<Millis>,
    /// Completed promotions, oldest first.
    pub history: Vec<FailoverRecord>,
}

/// What the failover manager is doing now, for the diagram.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManagerStatus {
    /// Consecutive failed health checks of the primary.
    pub missed: u32,
    /// When the primary was last seen healthy.
    pub last_ok_ms: Millis,
    /// When the leader lease runs out (the primary is declared failed then).
    pub lease_expires_ms: Millis,
    /// The next health check.
    pub next_check_ms: Option<Millis>,
    /// A promotion under way: the candidate, replaying what it has.
    pub promoting: Option<NodeId>,
    /// A switchover under way: (from, to).
    pub switchover: Option<(NodeId, NodeId)>,
}

impl Cluster {
    /// The failover manager's settings.
    pub fn failover_config(&self) -> &FailoverConfig {
        &self.manager.config
    }

    /// What the failover manager is doing now.
    pub fn manager_status(&self) -> ManagerStatus {
        let manager = &self.manager;
        ManagerStatus {
            missed: manager.missed,
            last_ok_ms: manager.last_ok_ms,
            lease_expires_ms: manager.last_ok_ms + manager.config.ttl_ms,
            next_check_ms: self.timer_at(super::Timer::HealthCheck),
            promoting: manager.promoting.map(|(node, _)| node),
            switchover: manager.switchover,
        }
    }

    /// Changes the failover manager's settings (and starts its health checks if now on).
    pub fn set_failover(&mut self, config: FailoverConfig) -> Result<(), Error> {
        if config.loop_wait_ms == 0 || config.ttl_ms < config.loop_wait_ms {
            return Err(Error::invalid("failover: need loop_wait > 0 and ttl ≥ loop_wait"));
        }
        let old = std::mem::replace(&mut self.manager.config, config);
        if self.fencing_in_effect() && !(old.auto && old.fencing) {
            self.fence_stale_primaries();
        }
        // Changing other settings keeps the lease running, as a Patroni config reload does: a
        // countdown to failover already under way is not restarted.
        let switched_on = self.manager.config.auto && !old.auto;
        if switched_on {
            self.lease_renewed();
        }
        // A new loop_wait starts a new round of checks (the pending one is replaced).
        if switched_on
            || (self.manager.config.auto && old.loop_wait_ms != self.manager.config.loop_wait_ms)
        {
            self.set_timer(Timer::HealthCheck, self.now_ms + self.manager.config.loop_wait_ms);
        }
        if !self.manager.config.auto {
            self.agenda.cancel_timer(Timer::HealthCheck);
        }
        self.reconcile();
        Ok(())
    }

    /// Whether a primary that loses its leader is fenced: the manager runs (automatic failover
    /// on) with fencing on. Without a manager nothing fences anything.
    pub fn fencing_in_effect(&self) -> bool {
        self.manager.config.auto && self.manager.config.fencing
    }

    /// Timelines whose promotion left behind writes a synchronous standby had confirmed (the
    /// confirming standby was down, or a lagging replica was promoted by hand).
    pub fn lossy_timelines(&self) -> &std::collections::BTreeSet<u64> {
        &self.lossy_timelines
    }

    /// The timeline the current primary writes on (1 until the first promotion).
    pub fn timeline(&self) -> u64 {
        self.node(self.primary()).timeline
    }

    /// One round of the manager: check the primary, renew or expire its lease.
    pub(super) fn health_check(&mut self) {
        if !self.manager.config.auto {
            return;
        }
        let leader = self.primary();
        if self.manager_sees_running(leader) {
            self.lease_renewed();
            if self.manager.promoting.is_none() {
                // Fenced when it lost the manager, but nobody was promoted meanwhile.
                self.unfence(UnfenceReason::ManagerBack);
            }
        } else if self.manager.promoting.is_none() {
            self.manager.missed += 1;
            let down_ms = self.now_ms - self.manager.last_ok_ms;
            let ttl_ms = self.manager.config.ttl_ms;
            let kind = EventKind::HealthCheckFailed {
                node: leader,
                missed: self.manager.missed,
                down_ms,
                ttl_ms,
            };
            self.events.push(self.now_ms, kind);
            if down_ms >= ttl_ms {
                self.start_failover(leader);
            }
        }
        self.set_timer(Timer::HealthCheck, self.now_ms + self.manager.config.loop_wait_ms);
    }

    /// The manager saw the primary healthy: its lease and its last known WAL position.
    fn lease_renewed(&mut self) {
        self.manager.last_ok_ms = self.now_ms;
        self.manager.missed = 0;
        self.manager.no_candidate = None;
        let leader = self.node(self.primary());
        if leader.role == Role::Primary && leader.is_running() {
            self.manager.leader_lsn = leader.wal.end();
        }
    }

    fn start_failover(&mut self, old: NodeId) {
        let candidate = match self.failover_candidate() {
            Ok(candidate) => candidate,
            Err(why) => {
                // Said once, and again only when the reason changes.
                if self.manager.no_candidate.as_ref() != Some(&why) {
                    let kind = EventKind::FailoverBlocked { why: why.clone() };
                    self.events.push(self.now_ms, kind);
                }
                self.manager.no_candidate = Some(why);
                // Patroni's leader demotes itself when it cannot renew its lease, candidate or not.
                return self.fence_if_alive(old);
            }
        };
        self.manager.no_candidate = None;
        self.manager.failed_at_ms = self.outage_start(old);
        let (ttl_ms, choice) = (self.manager.config.ttl_ms, self.candidate_choice(candidate));
        self.events.push(
            self.now_ms,
            EventKind::FailureDeclared { old, ttl_ms, choice: Box::new(choice) },
        );
        self.fence_if_alive(old);
        self.begin_promotion(candidate);
    }

    /// The healthy replica with the most WAL (ties: the highest priority), as long as it is no
    /// more than `maximum_lag_on_failover` behind the leader's last known position — or why
    /// there is none, replica by replica.
    fn failover_candidate(&self) -> Result<NodeId, NoCandidate> {
        let mut excluded = Vec::new();
        let mut eligible = Vec::new();
        for id in self.replicas() {
            match self.why_not_candidate(id) {
                Some(why) => excluded.push((id, why)),
                None => eligible.push(id),
            }
        }
        let priority = |id: &NodeId| self.failover_priority(*id);
        let best = eligible
            .into_iter()
            .max_by_key(|id| (self.node(*id).wal.end(), priority(id), std::cmp::Reverse(*id)));
        let Some(best) = best else {
            return Err(NoCandidate { excluded });
        };
        let wal_end = self.node(best).wal.end();
        let leader_lsn = self.manager.leader_lsn;
        let behind_bytes = leader_lsn.bytes_since(wal_end);
        let limit_bytes = self.manager.config.maximum_lag_on_failover;
        if behind_bytes > limit_bytes {
            let why = Exclusion::TooFarBehind { wal_end, behind_bytes, leader_lsn, limit_bytes };
            excluded.push((best, why));
            return Err(NoCandidate { excluded });
        }
        Ok(best)
    }

    /// The chosen candidate's WAL against the other candidates' and the leader's last known
    /// position: why this replica, and how much it is behind.
    fn candidate_choice(&self, candidate: NodeId) -> CandidateChoice {
        let others = self
            .replicas()
            .into_iter()
            .filter(|id| *id != candidate && self.why_not_candidate(*id).is_none())
            .map(|id| (id, self.node(id).wal.end()))
            .collect();
        CandidateChoice {
            node: candidate,
            wal_end: self.node(candidate).wal.end(),
            leader_lsn: self.manager.leader_lsn,
            limit_bytes: self.manager.config.maximum_lag_on_failover,
            others,
        }
    }

    /// A promotion by hand of a node that has less WAL than another running node: what only
    /// that node has is discarded when it follows the new primary. Said before it happens.
    fn warn_if_behind(&mut self, id: NodeId) {
        let end = self.node(id).wal.end();
        let ahead = self
            .members()
            .filter(|n| n.id != id && n.is_running())
            .max_by_key(|n| (n.wal.end(), std::cmp::Reverse(n.id)))
            .filter(|n| n.wal.end() > end)
            .map(|n| (n.id, n.wal.end()));
        if let Some((other, other_end)) = ahead {
            let kind = EventKind::PromoteBehind { node: id, end, other, other_end };
            self.events.push(self.now_ms, kind);
        }
    }

    /// Why the manager may not promote a replica, whatever its WAL.
    fn why_not_candidate(&self, id: NodeId) -> Option<Exclusion> {
        let node = self.node(id);
        if !node.is_running() {
            Some(Exclusion::Down)
        } else if self.manager_cut.contains_key(&id) {
            Some(Exclusion::CutFromManager)
        } else if node.receiver == Receiver::NeedsResync {
            Some(Exclusion::NeedsResync)
        } else if self.failover_priority(id) == 0 {
            Some(Exclusion::NoFailover)
        } else {
            None
        }
    }

    /// Patroni's `failover_priority` tag of a node (1 unless set).
    fn failover_priority(&self, id: NodeId) -> u32 {
        *self.manager.config.priorities.get(&id).unwrap_or(&1)
    }

    /// When the primary being replaced stopped taking writes, for the recovery time: when it
    /// crashed; when it fenced itself (now, if fencing is about to); never, if it still takes
    /// writes (fencing off: a split brain has no write outage, it has two writers).
    fn outage_start(&self, old: NodeId) -> Option<Millis> {
        let node = self.node(old);
        match (node.is_running(), node.role) {
            (false, _) => self.crashed_at_ms(old),
            (true, Role::Primary) => self.fencing_in_effect().then_some(self.now_ms),
            (true, Role::Replica) => self.manager.fenced_at_ms.or(Some(self.now_ms)),
        }
    }

    /// When a node last crashed (if the event log still has it).
    fn crashed_at_ms(&self, id: NodeId) -> Option<Millis> {
        self.events.iter().rev().find_map(|e| match e.kind {
            EventKind::Crashed { node, .. } if node == id => Some(e.at_ms),
            _ => None,
        })
    }

    /// `pg_promote()`: promotes a replica once it has replayed what it received.
    pub fn promote(&mut self, id: NodeId) -> Result<(), Error> {
        let node = self.node(id);
        if node.state != NodeState::Running {
            let state = node.state.as_str();
            return Err(Error::invalid(format!(
                "{id} is not running ({state}): it cannot be promoted"
            )));
        }
        if node.role != Role::Replica {
            // What pg_promote() says on a server that is not a standby.
            return Err(Error::invalid(format!(
                "{id}: ERROR:  recovery is not in progress\nHINT:  Recovery control functions can only be executed during recovery."
            )));
        }
        if self.manager.promoting.is_some() {
            return Err(Error::invalid("a promotion is already under way"));
        }
        if let Some((_, target)) = self.manager.switchover {
            let message = format!("a switchover to {target} is under way: wait for it to finish");
            return Err(Error::invalid(message));
        }
        // Promoting because the primary failed: the recovery time runs from that failure.
        let old = self.primary();
        self.manager.failed_at_ms =
            (!self.manager_sees_running(old)).then(|| self.outage_start(old)).flatten();
        self.warn_if_behind(id);
        self.fence_if_alive(old);
        self.begin_promotion(id);
        self.manager.by_hand = true;
        self.reconcile();
        Ok(())
    }

    /// A planned switchover: the primary stops taking statements, the target receives all of its
    /// WAL, then is promoted; the old primary follows it. Nothing acknowledged is lost.
    pub fn switchover(&mut self, target: NodeId) -> Result<(), Error> {
        let primary = self.primary();
        if !self.node(primary).is_running() || self.node(primary).role != Role::Primary {
            let message = format!(
                "{primary} is not a healthy primary: a switchover needs one to hand over from; use promote (or automatic failover) instead"
            );
            return Err(Error::invalid(message));
        }
        let node = self.node(target);
        let streaming = node.state == NodeState::Running && node.receiver == Receiver::Streaming;
        if node.role != Role::Replica || !streaming {
            let message = format!("{target} is not a streaming replica: it cannot take over");
            return Err(Error::invalid(message));
        }
        if let Some(cut) =
            [primary, target].into_iter().find(|id| self.manager_cut.contains_key(id))
        {
            let message = format!(
                "{cut} is cut off from the failover manager: a switchover goes through the manager (heal {cut} first, or use promote)"
            );
            return Err(Error::invalid(message));
        }
        if self.manager.promoting.is_some() || self.manager.switchover.is_some() {
            return Err(Error::invalid("a promotion is already under way"));
        }
        if self.failover_priority(target) == 0 {
            let message = format!(
                "{target} has failover priority 0 (nofailover): it may not become the primary"
            );
            return Err(Error::invalid(message));
        }
        self.manager.switchover = Some((primary, target));
        let kind = EventKind::SwitchoverStarted { from: primary, to: target };
        self.events.push(self.now_ms, kind);
        self.reconcile();
        Ok(())
    }

    /// The node that is shutting down for a switchover, if any.
    pub(super) fn shutting_down(&self) -> Option<NodeId> {
        self.manager.switchover.map(|(from, _)| from)
    }

    /// Completes a switchover once its target has flushed everything the primary flushed and
    /// the primary's last statements are done.
    pub(super) fn maybe_switch_over(&mut self) {
        let Some((from, target)) = self.manager.switchover else { return };
        if !self.node(target).is_running() || !self.node(from).is_running() {
            self.manager.switchover = None;
            return self.events.push(self.now_ms, EventKind::SwitchoverAbandoned);
        }
        let end = self.node(from).flushed_lsn;
        let caught_up = self.walsenders.get(&target).is_some_and(|w| w.flush_lsn >= end);
        if caught_up && !self.ops_in_flight_on(from) {
            self.manager.switchover = None;
            self.begin_promotion(target);
        }
    }

    fn begin_promotion(&mut self, id: NodeId) {
        assert_eq!(self.node(id).role, Role::Replica, "only a replica is promoted");
        assert!(self.manager.promoting.is_none(), "one promotion at a time");
        self.manager.promoting = Some((id, self.now_ms));
        self.manager.by_hand = false;
        let node = &mut self.nodes[id.0];
        node.replay_paused = false;
        node.apply_delay_ms = 0;
        self.disconnect(id, DisconnectReason::Promotion);
        self.kick_replay(id);
    }

    /// Completes a pending promotion once its node has replayed everything it received.
    pub(super) fn maybe_finish_promotion(&mut self) {
        let Some((id, _)) = self.manager.promoting else { return };
        let node = self.node(id);
        if !node.is_running() {
            self.manager.promoting = None;
            self.events.push(self.now_ms, EventKind::PromotionAbandoned { node: id });
            return self.unfence(UnfenceReason::PromotionAbandoned);
        }
        if node.pending_replay().next().is_some() || node.replay_busy {
            return;
        }
        self.manager.promoting = None;
        self.finish_promotion(id);
    }

    fn finish_promotion(&mut self, new: NodeId) {
        let old = self.primary();
        let timeline = self.node(old).timeline.max(self.node(new).timeline) + 1;
        if self.drops_confirmed_writes(old, new) {
            self.lossy_timelines.insert(timeline);
        }
        self.become_primary(new, timeline);
        self.walsenders.clear();
        self.lease_renewed();
        let lsn = self.node(new).wal.end();
        self.events.push(self.now_ms, EventKind::Promoted { node: new, timeline, lsn });
        self.report_recovery_time(old, new);
        self.retarget_endpoint(new);
        // The old primary reconnects by itself once demoted; the others are re-pointed here.
        let followers: Vec<NodeId> = self.replicas();
        let by_hand = std::mem::take(&mut self.manager.by_hand);
        self.settle_old_primary(old, timeline, by_hand);
        for replica in followers {
            if self.node(replica).is_running() {
                self.nodes[replica.0].receiver = Receiver::Disconnected;
                self.nodes[replica.0].conn = 0;
                self.try_connect(replica);
            }
        }
        if self.fencing_in_effect() {
            let primaries = self.primaries();
            assert!(
                primaries.iter().all(|id| *id == new),
                "with fencing on, {new} is the only writable primary after its promotion, not {primaries:?}"
            );
        }
    }

    /// A promotion completes: `new` becomes the primary on a new `timeline`, the one the
    /// manager recognises and the endpoint will point at.
    fn become_primary(&mut self, new: NodeId, timeline: u64) {
        let node = self.node(new);
        assert!(
            node.role == Role::Replica && node.is_running(),
            "{new} is promoted from a running replica"
        );
        assert!(
            node.pending_replay().next().is_none() && !node.replay_busy,
            "{new} replays all it received before it is promoted"
        );
        assert!(timeline > node.timeline, "a promotion starts a newer timeline");
        let node = &mut self.nodes[new.0];
        self.timeline_forks.insert(timeline, (node.timeline, node.wal.end()));
        node.role = Role::Primary;
        node.timeline = timeline;
        node.flushed_lsn = node.wal.end();
        node.durable = None;
        node.receiver = Receiver::Disconnected;
        node.sessions.retain(|_, s| !s.in_transaction());
        self.leader = new;
        self.timeline_started_ms.insert(timeline, self.now_ms);
        let node = self.node(new);
        assert_eq!(node.replay_lsn, node.wal.end(), "a new primary's data is all its WAL");
        assert_eq!(self.primary(), new);
    }

    /// A primary becomes a replica (a demotion, fencing, or a crashed old primary that will
    /// return as a standby): its work is cut short, its connections terminated, and it will
    /// follow the current primary (after a rewind if its WAL went its own way).
    fn become_replica(&mut self, id: NodeId) {
        assert_eq!(self.node(id).role, Role::Primary, "only a primary is demoted");
        self.ensure_link(id);
        self.nodes[id.0].queue.retain(|job| *job == Job::Replay);
        self.fail_ops_on_with(id, Error::AdminShutdown { node: id.name().into_owned() });
        let node = &mut self.nodes[id.0];
        node.role = Role::Replica;
        node.receiver = Receiver::Disconnected;
        node.conn = 0;
        node.durable = None;
        node.sessions.clear();
        assert!(!self.ops_in_flight_on(id), "a demoted node keeps no client statement");
        assert!(!self.primaries().contains(&id));
    }

    /// Demotes a running primary and lets it look for the current one.
    fn demote(&mut self, id: NodeId, kind: EventKind) {
        self.become_replica(id);
        self.events.push(self.now_ms, kind);
        if id != self.primary() {
            self.try_connect(id);
        }
    }

    /// Does promoting `new` leave behind writes a synchronous standby had confirmed? It does
    /// when the confirming standby is gone, or when a lagging replica is promoted by hand.
    fn drops_confirmed_writes(&self, old: NodeId, new: NodeId) -> bool {
        let new_wal = &self.node(new).wal;
        let old_timeline = self.node(old).timeline;
        self.acknowledged.iter().any(|a| {
            let kept = new_wal.end() >= a.end
                && (!new_wal.remembers(a.end) || new_wal.chain_at(a.end) == Some(a.chain));
            a.timeline <= old_timeline && a.confirmed_by_standby && !kept
        })
    }

    fn report_recovery_time(&mut self, old: NodeId, new: NodeId) {
        let recovery_ms = self.manager.failed_at_ms.map(|failed_at| self.now_ms - failed_at);
        if self.manager.history.len() == FAILOVERS_KEPT {
            self.manager.history.remove(0);
        }
        let timeline = self.timeline();
        let record = FailoverRecord { at_ms: self.now_ms, old, new, timeline, recovery_ms };
        self.manager.history.push(record);
        let Some(stopped_ms) = self.manager.failed_at_ms.take() else { return };
        let kind = EventKind::RecoveryTime { old, new, stopped_ms, accepts_ms: self.now_ms };
        self.events.push(self.now_ms, kind);
    }

    /// The old primary after a promotion: a crashed one will come back as a replica; one the
    /// manager reaches is demoted now; one it cannot reach (fencing off) stays a primary —
    /// split brain. Without a manager (automatic failover off), a promotion by hand is
    /// PostgreSQL's `pg_promote()` alone: nothing tells the old primary, so it stays one —
    /// running, it keeps taking writes; crashed, it restarts as a primary.
    fn settle_old_primary(&mut self, old: NodeId, timeline: u64, by_hand: bool) {
        self.ensure_link(old);
        if self.node(old).role != Role::Primary {
            return; // fenced already
        }
        let leader = self.primary();
        if by_hand && !self.manager.config.auto {
            if self.node(old).is_running() {
                let stale_timeline = self.node(old).timeline;
                let kind = EventKind::SplitBrain { stale: old, stale_timeline, leader, timeline };
                self.events.push(self.now_ms, kind);
            }
            return;
        }
        if !self.node(old).is_running() {
            self.become_replica(old);
        } else if !self.manager_cut.contains_key(&old) {
            let (_, diverged) = self.divergence(old, leader);
            let cause = DemoteCause::NewTimeline { timeline, leader, must_rewind: diverged > 0 };
            self.demote(old, EventKind::Demoted { node: old, cause });
        } else if self.fencing_in_effect() {
            self.demote(old, EventKind::Fenced { node: old, cause: FenceCause::LeaseLost });
        } else {
            let stale_timeline = self.node(old).timeline;
            let kind = EventKind::SplitBrain { stale: old, stale_timeline, leader, timeline };
            self.events.push(self.now_ms, kind);
        }
    }

    /// A promotion was abandoned, or the leader reaches the manager again and nobody was
    /// promoted: a leader fenced meanwhile, still running and still holding all its WAL
    /// (nobody else took over), goes back to taking writes. If the manager still cannot reach
    /// it, its next health check starts another failover.
    fn unfence(&mut self, why: UnfenceReason) {
        let leader = self.primary();
        let node = &mut self.nodes[leader.0];
        if node.role == Role::Primary || !node.is_running() {
            return;
        }
        node.role = Role::Primary;
        node.receiver = Receiver::Disconnected;
        node.flushed_lsn = node.wal.end();
        self.events.push(self.now_ms, EventKind::Unfenced { node: leader, why });
        if self.fencing_in_effect() {
            assert_eq!(self.primaries(), vec![leader], "an unfenced leader is the only primary");
        }
    }

    /// Fencing: before another node is promoted, a primary that is still running (only cut off
    /// from the manager) is made read-only, as Patroni demotes a leader whose lease expired.
    fn fence_if_alive(&mut self, old: NodeId) {
        let node = self.node(old);
        if !self.fencing_in_effect() || node.role != Role::Primary || !node.is_running() {
            return;
        }
        self.manager.fenced_at_ms = Some(self.now_ms);
        let cause = if self.manager_cut.contains_key(&old) {
            FenceCause::LeaseLost
        } else {
            FenceCause::BeforePromotion
        };
        self.demote(old, EventKind::Fenced { node: old, cause });
    }

    /// Fencing switched on during a split brain: an old primary still taking writes has long
    /// lost its leader lease, so it demotes itself now.
    fn fence_stale_primaries(&mut self) {
        let leader = self.primary();
        for old in self.primaries().into_iter().filter(|id| *id != leader) {
            self.fence_if_alive(old);
        }
    }

    /// Nodes still acting as primary that the manager can reach but that are not its leader
    /// (an old primary back from a partition or a restart) are demoted and rewind. Without a
    /// manager (automatic failover off) nobody does: they stay primaries.
    pub(super) fn demote_stale_primaries(&mut self) {
        if !self.manager.config.auto {
            return;
        }
        let leader = self.primary();
        let stale: Vec<NodeId> = self
            .primaries()
            .into_iter()
            .filter(|id| *id != leader && !self.manager_cut.contains_key(id))
            .collect();
        for id in stale {
            let timeline = self.node(id).timeline;
            let leader_timeline = self.timeline();
            let cause = DemoteCause::StaleReachable { timeline, leader, leader_timeline };
            self.demote(id, EventKind::Demoted { node: id, cause });
        }
    }

    /// Whether the manager can see a node up (running, and not cut off from it).
    fn manager_sees_running(&self, id: NodeId) -> bool {
        self.node(id).is_running() && !self.manager_cut.contains_key(&id)
    }

    /// Cuts a node off from the failover manager (its DCS); clients still reach it.
    pub fn partition_from_manager(&mut self, id: NodeId) -> Result<(), Error> {
        if self.manager_cut.contains_key(&id) {
            return Err(Error::invalid(format!("{id} is already cut off from the manager")));
        }
        self.manager_cut.insert(id, self.now_ms);
        self.events.push(self.now_ms, EventKind::ManagerPartition { node: id, cut: true });
        self.reconcile();
        Ok(())
    }

    /// Nodes cut off from the failover manager.
    pub fn manager_partitions(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.manager_cut.keys().copied()
    }

    /// Mends only a node's connection to the failover manager (not its replication link).
    pub fn reconnect_manager(&mut self, id: NodeId) -> Result<(), Error> {
        if self.heal_manager(id) {
            self.reconcile();
            Ok(())
        } else {
            Err(Error::invalid(format!("{id} is not cut off from the manager")))
        }
    }

    /// Mends a node's connection to the manager; returns whether it was cut. A stale primary
    /// it now sees is demoted at once.
    pub(super) fn heal_manager(&mut self, id: NodeId) -> bool {
        if self.manager_cut.remove(&id).is_none() {
            return false;
        }
        // (A stale primary it now sees is demoted by the reconcile pass.)
        self.events.push(self.now_ms, EventKind::ManagerPartition { node: id, cut: false });
        true
    }

    /// Completed promotions (failovers, `promote`, switchovers), oldest first.
    pub fn failovers(&self) -> &[FailoverRecord] {
        &self.manager.history
    }

    /// When each timeline began.
    pub fn timeline_started_ms(&self) -> &super::super::vecmap::VecMap<u64, Millis> {
        &self.timeline_started_ms
    }

    /// Where the history of `timeline` leaves `ancestor`'s (the lowest branch point on the way
    /// back), or `None` if `ancestor` is not in its history. A timeline is its own ancestor,
    /// with no branch point.
    pub fn timeline_fork(&self, timeline: u64, ancestor: u64) -> Option<Option<Lsn>> {
        let (mut t, mut fork) = (timeline, None::<Lsn>);
        while t != ancestor {
            let &(parent, at) = self.timeline_forks.get(&t)?;
            fork = Some(fork.map_or(at, |f| f.min(at)));
            t = parent;
        }
        Some(fork)
    }

    /// Whether a node on `timeline` that has replayed up to `lsn` has a commit that ended at
    /// `end` on `commit_timeline`: far enough, and on a history that includes it (a commit past
    /// the point where the node's history left the commit's timeline is not there).
    pub fn history_includes(
        &self,
        timeline: u64,
        lsn: Lsn,
        commit_timeline: u64,
        end: Lsn,
    ) -> bool {
        end <= lsn
            && self
                .timeline_fork(timeline, commit_timeline)
                .is_some_and(|fork| fork.is_none_or(|at| end <= at))
    }

    /// The first timeline newer than `timeline` that had begun before `at_ms`, with when it
    /// began: something a primary on `timeline` did at `at_ms` happened during a split brain.
    pub fn newer_timeline_before(&self, timeline: u64, at_ms: Millis) -> Option<(u64, Millis)> {
        self.timeline_started_ms
            .range_from(&(timeline + 1))
            .find(|(_, started_ms)| **started_ms < at_ms)
            .map(|(t, started_ms)| (*t, *started_ms))
    }

    /// A replica whose WAL diverged from the new primary's rewinds (here: a base backup).
    pub(super) fn rewind(&mut self, replica: NodeId) {
        let (fork, discarded) = self.divergence(replica, self.primary());
        let timeline = self.node(replica).timeline;
        let discarded = discarded as u32;
        self.events
            .push(self.now_ms, EventKind::Rewind { node: replica, fork, timeline, discarded });
        // A base backup cannot fail here: the replica is a replica and the primary is up.
        let _ = self.resync(replica);
    }

    /// Where `node`'s history leaves `other`'s (the newest position where both agree, if still
    /// remembered) and how many of `node`'s transactions lie beyond it.
    fn divergence(&self, node: NodeId, other: NodeId) -> (Option<Lsn>, usize) {
        let (node, other) = (self.node(node), self.node(other));
        let mut diverged = 0;
        for (end, chain) in node.wal.chain_history() {
            if other.wal.chain_at(end) == Some(chain) {
                return (Some(end), diverged);
            }
            diverged += 1;
        }
        (None, diverged)
    }

    /// During a split brain: which nodes take writes, and how far their histories diverged.
    pub fn split_brain_report(&self) -> Option<String> {
        let leader = self.primary();
        let stale: Vec<NodeId> = self.primaries().into_iter().filter(|id| *id != leader).collect();
        if stale.is_empty() {
            return None;
        }
        let mut parts = Vec::new();
        for id in stale {
            let (fork, own) = self.divergence(id, leader);
            let (_, theirs) = self.divergence(leader, id);
            let fork = fork.map_or("an unknown point".to_string(), |lsn| lsn.to_string());
            parts.push(format!(
                "{id} (timeline {}) and {leader} (timeline {}) both take writes; since they forked at {fork}, {id} committed {own} transaction{} that {leader} never had, and {leader} committed {theirs} transaction{} that {id} never had",
                self.node(id).timeline,
                self.timeline(),
                if own == 1 { "" } else { "s" },
                if theirs == 1 { "" } else { "s" }
            ));
        }
        Some(format!("SPLIT BRAIN: {}", parts.join("; ")))
    }

    /// Gives a node that had none (the first primary) a link, for when it becomes a replica.
    fn ensure_link(&mut self, id: NodeId) {
        let delay_ms = self.config.link_delay_ms;
        self.links.entry(id).or_insert_with(|| LinkState::open(Link::with_delay(delay_ms)));
    }
}
