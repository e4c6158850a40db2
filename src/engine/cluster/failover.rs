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

use super::super::event::EventKind;
use super::super::link::Link;
use super::super::node::{NodeState, Receiver, Role};
use super::super::wal::Lsn;
use super::super::{format_millis, Error, Millis, NodeId};
use super::{Cluster, Due, LinkState};

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
    pub priorities: std::collections::BTreeMap<NodeId, u32>,
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
            priorities: std::collections::BTreeMap::new(),
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
    pub no_candidate: Option<String>,
    /// Consecutive failed checks.
    pub missed: u32,
    /// A promotion waiting for its candidate to replay what it has: (node, when it started).
    pub promoting: Option<(NodeId, Millis)>,
    /// A switchover in progress: the primary takes no new statements until `target` has
    /// received all its WAL.
    pub switchover: Option<(NodeId, NodeId)>,
    /// When the primary that is being replaced went down, if known.
    pub failed_at_ms: Option<Millis>,
    /// When the leader last fenced itself (stopped taking writes while still running).
    pub fenced_at_ms: Option<Millis>,
    /// Completed promotions, oldest first.
    pub history: Vec<FailoverRecord>,
    /// Identifies the current chain of health checks: a settings change starts a new one
    /// (with the new `loop_wait`), and checks of older chains do nothing when they fire.
    pub round: u64,
}

impl Cluster {
    /// The failover manager's settings.
    pub fn failover_config(&self) -> &FailoverConfig {
        &self.manager.config
    }

    /// Changes the failover manager's settings (and starts its health checks if now on).
    pub fn set_failover(&mut self, config: FailoverConfig) -> Result<(), Error> {
        if config.loop_wait_ms == 0 || config.ttl_ms < config.loop_wait_ms {
            return Err(Error::invalid("failover: need loop_wait > 0 and ttl ≥ loop_wait"));
        }
        let old = std::mem::replace(&mut self.manager.config, config);
        if self.manager.config.fencing && !old.fencing {
            self.fence_stale_primaries();
        }
        // Changing other settings keeps the lease running, as a Patroni config reload does: a
        // countdown to failover already under way is not restarted.
        let switched_on = self.manager.config.auto && !old.auto;
        if switched_on {
            self.lease_renewed();
        }
        if switched_on
            || (self.manager.config.auto && old.loop_wait_ms != self.manager.config.loop_wait_ms)
        {
            self.manager.round += 1;
            let round = self.manager.round;
            self.schedule(
                self.now_ms + self.manager.config.loop_wait_ms,
                Due::HealthCheck { round },
            );
        }
        Ok(())
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
    pub(super) fn health_check(&mut self, round: u64) {
        if !self.manager.config.auto || round != self.manager.round {
            return;
        }
        self.demote_stale_primaries();
        let leader = self.primary();
        if self.manager_sees_running(leader) {
            self.lease_renewed();
            if self.manager.promoting.is_none() {
                // Fenced when it lost the manager, but nobody was promoted meanwhile.
                self.unfence_leader("reaches the manager again and nobody else was promoted");
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
        self.schedule(self.now_ms + self.manager.config.loop_wait_ms, Due::HealthCheck { round });
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
                    let message = format!("cannot fail over: {why}");
                    self.events.push(self.now_ms, EventKind::Failover { message });
                }
                self.manager.no_candidate = Some(why);
                // Patroni's leader demotes itself when it cannot renew its lease, candidate or not.
                return self.fence_if_alive(old);
            }
        };
        self.manager.no_candidate = None;
        self.manager.failed_at_ms = self.outage_start(old);
        let message = format!(
            "{old} declared failed (lease expired after {}); promoting {}",
            format_millis(self.manager.config.ttl_ms),
            self.why_candidate(candidate)
        );
        self.events.push(self.now_ms, EventKind::Failover { message });
        self.fence_if_alive(old);
        self.begin_promotion(candidate);
    }

    /// The healthy replica with the most WAL (ties: the highest priority), as long as it is no
    /// more than `maximum_lag_on_failover` behind the leader's last known position — or why
    /// there is none, replica by replica.
    fn failover_candidate(&self) -> Result<NodeId, String> {
        let mut excluded = Vec::new();
        let mut eligible = Vec::new();
        for id in self.replicas() {
            match self.why_not_candidate(id) {
                Some(why) => excluded.push(format!("{id} {why}")),
                None => eligible.push(id),
            }
        }
        let priority = |id: &NodeId| self.failover_priority(*id);
        let best = eligible
            .into_iter()
            .max_by_key(|id| (self.node(*id).wal.end(), priority(id), std::cmp::Reverse(*id)));
        let Some(best) = best else {
            return Err(if excluded.is_empty() {
                "there is no replica to promote".to_string()
            } else {
                format!("no replica may be promoted: {}", excluded.join("; "))
            });
        };
        let behind_bytes = self.manager.leader_lsn.bytes_since(self.node(best).wal.end());
        let limit = self.manager.config.maximum_lag_on_failover;
        if behind_bytes > limit {
            excluded.push(format!(
                "{best}, the most advanced, has WAL up to {}: {behind_bytes} bytes behind the leader's last known position {}, over maximum_lag_on_failover ({limit} bytes)",
                self.node(best).wal.end(),
                self.manager.leader_lsn
            ));
            return Err(format!("no replica may be promoted: {}", excluded.join("; ")));
        }
        Ok(best)
    }

    /// The chosen candidate's WAL against the other candidates' and the leader's last known
    /// position, in words: why this replica, and how much it is behind.
    fn why_candidate(&self, candidate: NodeId) -> String {
        let end = self.node(candidate).wal.end();
        let others: Vec<String> = self
            .replicas()
            .into_iter()
            .filter(|id| *id != candidate && self.why_not_candidate(*id).is_none())
            .map(|id| match self.node(id).wal.end() {
                other if other == end => {
                    format!("{id} has as much, so priority, then name, decides")
                }
                other => format!("{id} has only {other}"),
            })
            .collect();
        let others =
            if others.is_empty() { String::new() } else { format!("; {}", others.join("; ")) };
        let behind_bytes = self.manager.leader_lsn.bytes_since(end);
        let leader = if behind_bytes == 0 {
            "all the primary had when last seen healthy".to_string()
        } else {
            format!(
                "{behind_bytes} bytes behind the primary's last known position {} (maximum_lag_on_failover {} bytes)",
                self.manager.leader_lsn, self.manager.config.maximum_lag_on_failover
            )
        };
        format!("{candidate} (WAL up to {end}: {leader}{others})")
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
            let message = format!(
                "promote {id}: it has WAL up to {end}, but {other} has {other_end} ({} bytes more); what only {other} has will be discarded when it follows {id}",
                other_end.bytes_since(end)
            );
            self.events.push(self.now_ms, EventKind::Failover { message });
        }
    }

    /// Why the manager may not promote a replica, whatever its WAL.
    fn why_not_candidate(&self, id: NodeId) -> Option<&'static str> {
        let node = self.node(id);
        if !node.is_running() {
            Some("is down")
        } else if self.manager_cut.contains_key(&id) {
            Some("is cut off from the manager")
        } else if node.receiver == Receiver::NeedsResync {
            Some("needs a base backup (its WAL was removed on the primary)")
        } else if self.failover_priority(id) == 0 {
            Some("has failover priority 0 (nofailover)")
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
            (true, Role::Primary) => self.manager.config.fencing.then_some(self.now_ms),
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
        let message = format!(
            "switchover to {target}: {primary} stops taking statements; waiting for {target} to receive all WAL"
        );
        self.events.push(self.now_ms, EventKind::Failover { message });
        self.maybe_switch_over();
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
            let message = "switchover abandoned: a node went down".to_string();
            return self.events.push(self.now_ms, EventKind::Failover { message });
        }
        let end = self.node(from).flushed_lsn;
        let caught_up = self.walsenders.get(&target).is_some_and(|w| w.flush_lsn >= end);
        if caught_up && !self.ops_in_flight_on(from) {
            self.manager.switchover = None;
            self.begin_promotion(target);
        }
    }

    fn begin_promotion(&mut self, id: NodeId) {
        self.manager.promoting = Some((id, self.now_ms));
        let node = &mut self.nodes[id.0];
        node.replay_paused = false;
        node.apply_delay_ms = 0;
        self.disconnect(id, "promotion: the standby stops streaming and finishes recovery");
        self.maybe_finish_promotion();
        self.kick_replay(id);
    }

    /// Completes a pending promotion once its node has replayed everything it received.
    pub(super) fn maybe_finish_promotion(&mut self) {
        let Some((id, _)) = self.manager.promoting else { return };
        let node = self.node(id);
        if !node.is_running() {
            self.manager.promoting = None;
            let message = format!("{id} went down before its promotion completed");
            self.events.push(self.now_ms, EventKind::Failover { message });
            return self.unfence_leader("is the primary again: the promotion was abandoned");
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
        let node = &mut self.nodes[new.0];
        self.timeline_forks.insert(timeline, (node.timeline, node.wal.end()));
        node.role = Role::Primary;
        node.timeline = timeline;
        node.flushed_lsn = node.wal.end();
        node.durable = None;
        node.receiver = Receiver::Disconnected;
        node.sessions.retain(|_, s| !s.in_transaction());
        let lsn = node.wal.end();
        self.leader = new;
        self.timeline_started_ms.insert(timeline, self.now_ms);
        self.walsenders.clear();
        self.lease_renewed();
        self.events.push(self.now_ms, EventKind::Promoted { node: new, timeline, lsn });
        self.report_recovery_time(old, new);
        self.retarget_endpoint(new);
        // The old primary reconnects by itself once demoted; the others are re-pointed here.
        let followers: Vec<NodeId> = self.replicas();
        self.settle_old_primary(old, timeline);
        for replica in followers {
            if self.node(replica).is_running() {
                self.nodes[replica.0].receiver = Receiver::Disconnected;
                self.nodes[replica.0].conn = 0;
                self.try_connect(replica);
            }
        }
        self.recheck_commit_waits();
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
        let Some(failed_at) = self.manager.failed_at_ms.take() else { return };
        let message = format!(
            "recovery time {}: {old} stopped taking writes at {}, {new} accepts writes at {}",
            format_millis(self.now_ms - failed_at),
            format_millis(failed_at),
            format_millis(self.now_ms)
        );
        self.events.push(self.now_ms, EventKind::Failover { message });
    }

    /// The old primary after a promotion: a crashed one will come back as a replica; one the
    /// manager reaches is demoted now; one it cannot reach (fencing off) stays a primary —
    /// split brain.
    fn settle_old_primary(&mut self, old: NodeId, timeline: u64) {
        self.ensure_link(old);
        if self.node(old).role != Role::Primary {
            return; // fenced already
        }
        if !self.node(old).is_running() {
            let node = &mut self.nodes[old.0];
            node.role = Role::Replica;
            node.receiver = Receiver::Disconnected;
            node.durable = None;
        } else if !self.manager_cut.contains_key(&old) {
            let (_, diverged) = self.divergence(old, self.primary());
            let then = if diverged == 0 {
                format!(
                    "its WAL is all on {}'s history, so it follows without a rewind",
                    self.primary()
                )
            } else {
                "it must rewind".to_string()
            };
            let message = format!("{old} sees timeline {timeline}: demoted to a replica; {then}");
            self.demote(old, message);
        } else if self.manager.config.fencing {
            let message = format!(
                "{old} cannot renew its leader lease (the manager is unreachable): it demotes itself to read-only (fenced)"
            );
            self.demote(old, message);
        } else {
            let message = format!(
                "SPLIT BRAIN: {old} is still a primary on timeline {} (the manager cannot reach it and fencing is off) while {} is primary on timeline {timeline}; clients that still resolve {old} write to it",
                self.node(old).timeline,
                self.primary()
            );
            self.events.push(self.now_ms, EventKind::Failover { message });
        }
    }

    /// A promotion was abandoned: a leader fenced for it, still running and still holding all
    /// its WAL (nobody else took over), goes back to taking writes. If the manager still cannot
    /// reach it, its next health check starts another failover.
    fn unfence_leader(&mut self, why: &str) {
        let leader = self.primary();
        let node = &mut self.nodes[leader.0];
        if node.role == Role::Primary || !node.is_running() {
            return;
        }
        node.role = Role::Primary;
        node.receiver = Receiver::Disconnected;
        node.flushed_lsn = node.wal.end();
        let message = format!("{leader} {why}: it takes writes again");
        self.events.push(self.now_ms, EventKind::Failover { message });
    }

    /// Fencing: before another node is promoted, a primary that is still running (only cut off
    /// from the manager) is made read-only, as Patroni demotes a leader whose lease expired.
    fn fence_if_alive(&mut self, old: NodeId) {
        let node = self.node(old);
        if !self.manager.config.fencing || node.role != Role::Primary || !node.is_running() {
            return;
        }
        self.manager.fenced_at_ms = Some(self.now_ms);
        let message = if self.manager_cut.contains_key(&old) {
            format!("{old} cannot renew its leader lease (the manager is unreachable): it demotes itself to read-only (fenced)")
        } else {
            format!("{old} is fenced: demoted to read-only before a new primary is promoted")
        };
        self.demote(old, message);
    }

    /// Fencing switched on during a split brain: an old primary still taking writes has long
    /// lost its leader lease, so it demotes itself now.
    fn fence_stale_primaries(&mut self) {
        let leader = self.primary();
        for old in self.primaries().into_iter().filter(|id| *id != leader) {
            self.fence_if_alive(old);
        }
    }

    /// Makes a primary a replica: its connections are terminated, it follows the current
    /// primary (after a rewind if its WAL went its own way).
    fn demote(&mut self, id: NodeId, message: String) {
        self.ensure_link(id);
        self.nodes[id.0].queue.retain(|job| *job == super::super::node::Job::Replay);
        self.fail_ops_on_with(id, Error::AdminShutdown { node: id.name() });
        let node = &mut self.nodes[id.0];
        node.role = Role::Replica;
        node.receiver = Receiver::Disconnected;
        node.conn = 0;
        node.durable = None;
        node.sessions.clear();
        self.events.push(self.now_ms, EventKind::Failover { message });
        if id != self.primary() {
            self.try_connect(id);
        }
    }

    /// Nodes still acting as primary that the manager can reach but that are not its leader
    /// (an old primary back from a partition or a restart) are demoted and rewind.
    pub(super) fn demote_stale_primaries(&mut self) {
        let leader = self.primary();
        let stale: Vec<NodeId> = self
            .primaries()
            .into_iter()
            .filter(|id| *id != leader && !self.manager_cut.contains_key(id))
            .collect();
        for id in stale {
            let message = format!(
                "{id} is reachable again and still a primary on timeline {}, but {leader} leads timeline {}: demoted (fenced), must rewind",
                self.node(id).timeline,
                self.timeline()
            );
            self.demote(id, message);
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
        Ok(())
    }

    /// Nodes cut off from the failover manager.
    pub fn manager_partitions(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.manager_cut.keys().copied()
    }

    /// Mends only a node's connection to the failover manager (not its replication link).
    pub fn reconnect_manager(&mut self, id: NodeId) -> Result<(), Error> {
        if self.heal_manager(id) {
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
        self.events.push(self.now_ms, EventKind::ManagerPartition { node: id, cut: false });
        self.demote_stale_primaries();
        true
    }

    /// Completed promotions (failovers, `promote`, switchovers), oldest first.
    pub fn failovers(&self) -> &[FailoverRecord] {
        &self.manager.history
    }

    /// When each timeline began.
    pub fn timeline_started_ms(&self) -> &std::collections::BTreeMap<u64, Millis> {
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
            .range(timeline + 1..)
            .find(|(_, started_ms)| **started_ms < at_ms)
            .map(|(t, started_ms)| (*t, *started_ms))
    }

    /// A replica whose WAL diverged from the new primary's rewinds (here: a base backup).
    pub(super) fn rewind(&mut self, replica: NodeId) {
        let (fork, diverged) = self.divergence(replica, self.primary());
        let fork = fork.map_or("an unknown WAL location (history too old)".to_string(), |lsn| {
            format!("WAL location {lsn}")
        });
        let message = format!(
            "pg_rewind {replica}: servers diverged at {fork} on timeline {}; discarding {diverged} transaction{} the new primary never had (modelled here as a fresh base backup from the new primary)",
            self.node(replica).timeline,
            if diverged == 1 { "" } else { "s" }
        );
        self.events.push(self.now_ms, EventKind::Failover { message });
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
        self.links.entry(id).or_insert_with(|| LinkState {
            link: Link::with_delay(delay_ms),
            cut_down: false,
            cut_up: false,
        });
    }
}
