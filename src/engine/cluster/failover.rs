//! Failover, modelled on Patroni: health checks, a leader lease, promotion, re-pointing, rewind.
//!
//! ```text
//!   every loop_wait:  manager checks the primary ──ok──▶ lease renewed (last_ok = now)
//!                                  │ missed
//!                                  ▼
//!   now - last_ok ≥ ttl ──▶ failure declared ──▶ candidate: healthy replica with the most WAL,
//!                                                 within maximum_lag_on_failover, then priority
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

use super::super::event::EventKind;
use super::super::link::Link;
use super::super::node::{NodeState, Receiver, Role};
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
}

impl Default for FailoverConfig {
    fn default() -> Self {
        Self {
            auto: false,
            ttl_ms: 30_000,
            loop_wait_ms: 10_000,
            maximum_lag_on_failover: 1 << 20,
            priorities: std::collections::BTreeMap::new(),
        }
    }
}

/// What the failover manager knows between checks.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Manager {
    pub config: FailoverConfig,
    /// When the primary was last seen healthy.
    pub last_ok_ms: Millis,
    /// Consecutive failed checks.
    pub missed: u32,
    /// A promotion waiting for its candidate to replay what it has: (node, when it started).
    pub promoting: Option<(NodeId, Millis)>,
    /// A switchover in progress: the primary takes no new statements until `target` has
    /// received all its WAL.
    pub switchover: Option<(NodeId, NodeId)>,
    /// When the primary that is being replaced went down, if known.
    pub failed_at_ms: Option<Millis>,
    /// A health check is scheduled.
    pub scheduled: bool,
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
        self.manager.config = config;
        self.manager.last_ok_ms = self.now_ms;
        self.manager.missed = 0;
        if self.manager.config.auto && !self.manager.scheduled {
            self.manager.scheduled = true;
            self.schedule(self.now_ms + self.manager.config.loop_wait_ms, Due::HealthCheck);
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
    pub(super) fn health_check(&mut self) {
        self.manager.scheduled = false;
        if !self.manager.config.auto {
            return;
        }
        let leader = self.primary();
        if self.node(leader).is_running() {
            self.manager.last_ok_ms = self.now_ms;
            self.manager.missed = 0;
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
        self.manager.scheduled = true;
        self.schedule(self.now_ms + self.manager.config.loop_wait_ms, Due::HealthCheck);
    }

    fn start_failover(&mut self, old: NodeId) {
        let Some(candidate) = self.failover_candidate() else {
            let message =
                "no healthy replica within maximum_lag_on_failover: cannot fail over".to_string();
            return self.events.push(self.now_ms, EventKind::Failover { message });
        };
        self.manager.failed_at_ms = self.crashed_at_ms(old);
        let message = format!(
            "{old} declared failed (lease expired after {}); promoting {candidate}, which has WAL up to {}",
            format_millis(self.manager.config.ttl_ms),
            self.node(candidate).wal.end()
        );
        self.events.push(self.now_ms, EventKind::Failover { message });
        self.begin_promotion(candidate);
    }

    /// The healthy replica with the most WAL, within `maximum_lag_on_failover` of the best.
    fn failover_candidate(&self) -> Option<NodeId> {
        let priority = |id: &NodeId| *self.manager.config.priorities.get(id).unwrap_or(&1);
        let healthy: Vec<NodeId> = self
            .replicas()
            .into_iter()
            .filter(|id| {
                self.node(*id).is_running() && self.node(*id).receiver != Receiver::NeedsResync
            })
            .filter(|id| priority(id) > 0)
            .collect();
        let best = healthy.iter().map(|id| self.node(*id).wal.end()).max()?;
        let limit = self.manager.config.maximum_lag_on_failover;
        healthy
            .into_iter()
            .filter(|id| best.bytes_since(self.node(*id).wal.end()) <= limit)
            .max_by_key(|id| (self.node(*id).wal.end(), priority(id), std::cmp::Reverse(*id)))
    }

    /// When a node last crashed, from the event log (for the recovery time).
    fn crashed_at_ms(&self, id: NodeId) -> Option<Millis> {
        self.events.iter().rev().find_map(|e| match e.kind {
            EventKind::Crashed { node, .. } if node == id => Some(e.at_ms),
            _ => None,
        })
    }

    /// `pg_promote()`: promotes a replica once it has replayed what it received.
    pub fn promote(&mut self, id: NodeId) -> Result<(), Error> {
        let node = self.node(id);
        if node.role != Role::Replica || node.state != NodeState::Running {
            return Err(Error::invalid(format!(
                "{id} is not a running replica: only a standby can be promoted"
            )));
        }
        if self.manager.promoting.is_some() {
            return Err(Error::invalid("a promotion is already under way"));
        }
        self.manager.failed_at_ms = None;
        self.begin_promotion(id);
        Ok(())
    }

    /// A planned switchover: the primary stops taking statements, the target receives all of its
    /// WAL, then is promoted; the old primary follows it. Nothing acknowledged is lost.
    pub fn switchover(&mut self, target: NodeId) -> Result<(), Error> {
        let primary = self.primary();
        let node = self.node(target);
        let streaming = node.state == NodeState::Running && node.receiver == Receiver::Streaming;
        if node.role != Role::Replica || !streaming {
            let message = format!("{target} is not a streaming replica: it cannot take over");
            return Err(Error::invalid(message));
        }
        if !self.node(primary).is_running() {
            let message = format!("{primary} is down: use promote (or automatic failover) instead");
            return Err(Error::invalid(message));
        }
        if self.manager.promoting.is_some() || self.manager.switchover.is_some() {
            return Err(Error::invalid("a promotion is already under way"));
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
            return self.events.push(self.now_ms, EventKind::Failover { message });
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
        // Does the new primary hold every write a synchronous standby confirmed? Not when the
        // confirming standby is gone, or when a lagging replica is promoted by hand.
        let new_wal = &self.node(new).wal;
        let old_timeline = self.node(old).timeline;
        let drops_confirmed = self.acknowledged.iter().any(|a| {
            let kept = new_wal.end() >= a.end
                && (!new_wal.remembers(a.end) || new_wal.chain_at(a.end) == Some(a.chain));
            a.timeline <= old_timeline && a.confirmed_by_standby && !kept
        });
        if drops_confirmed {
            self.lossy_timelines.insert(timeline);
        }
        self.ensure_link(old);
        let old_node = &mut self.nodes[old.0];
        old_node.role = Role::Replica;
        old_node.receiver = Receiver::Disconnected;
        old_node.durable = None;
        let old_running = old_node.is_running();
        let node = &mut self.nodes[new.0];
        node.role = Role::Primary;
        node.timeline = timeline;
        node.flushed_lsn = node.wal.end();
        node.durable = None;
        node.receiver = Receiver::Disconnected;
        node.sessions.retain(|_, s| !s.in_transaction());
        let lsn = node.wal.end();
        self.walsenders.clear();
        self.manager.last_ok_ms = self.now_ms;
        self.manager.missed = 0;
        self.events.push(self.now_ms, EventKind::Promoted { node: new, timeline, lsn });
        if let Some(failed_at) = self.manager.failed_at_ms.take() {
            let message = format!(
                "recovery time {}: {old} failed at {}, {new} accepts writes at {}",
                format_millis(self.now_ms - failed_at),
                format_millis(failed_at),
                format_millis(self.now_ms)
            );
            self.events.push(self.now_ms, EventKind::Failover { message });
        }
        if old_running {
            // The old primary learns of the newer timeline at once: fenced, it rejoins.
            self.nodes[old.0].queue.retain(|job| *job == super::super::node::Job::Replay);
            self.fail_ops_on(old);
            self.nodes[old.0].sessions.clear();
            let message = format!(
                "{old} sees timeline {timeline}: demoted to a replica (fenced), must rewind"
            );
            self.events.push(self.now_ms, EventKind::Failover { message });
        }
        for replica in self.replicas() {
            if self.node(replica).is_running() {
                self.nodes[replica.0].receiver = Receiver::Disconnected;
                self.nodes[replica.0].conn = 0;
                self.try_connect(replica);
            }
        }
        self.recheck_commit_waits();
    }

    /// A replica whose WAL diverged from the new primary's rewinds (here: a base backup).
    pub(super) fn rewind(&mut self, replica: NodeId) {
        let primary = self.node(self.primary());
        let node = self.node(replica);
        // The fork point: the newest position where both histories still agree.
        let mut diverged = 0;
        let mut fork = None;
        for (end, chain) in node.wal.chain_history() {
            if primary.wal.chain_at(end) == Some(chain) {
                fork = Some(end);
                break;
            }
            diverged += 1;
        }
        let fork =
            fork.map_or("an unknown point (history too old)".to_string(), |lsn| lsn.to_string());
        let message = format!(
            "pg_rewind {replica}: its WAL left timeline {} at {fork}; discarding {diverged} transaction{} the new primary never had, then resynchronising",
            self.timeline(),
            if diverged == 1 { "" } else { "s" }
        );
        self.events.push(self.now_ms, EventKind::Failover { message });
        // A base backup cannot fail here: the replica is a replica and the primary is up.
        let _ = self.resync(replica);
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
