//! Faults and operator actions: crash, restart, partition, heal, replay control, membership.
//!
//! - **Crash**: the node stops at once. Its clients' statements fail (a commit that was
//!   waiting for standbys has an unknown outcome to its client). A primary running
//!   `synchronous_commit = off` loses the WAL it had not flushed, and the data with it; a
//!   replica loses nothing it had flushed and later replays on from where it was.
//! - **Restart**: crash recovery takes `restart_ms`; then a replica reconnects and catches up.
//! - **Partition**: a link is cut one way or both. Both ways breaks the replication
//!   connection at once; one way silently drops that direction's messages until
//!   `wal_sender_timeout` notices.

use super::super::event::{DisconnectReason, EventKind, LostWal, SettingScope, Way};
use super::super::link::{Flow, Link};
use super::super::node::{Node, NodeState, Receiver, Role};
use super::super::{Error, Millis, NodeId};
use super::{Cluster, LinkState, Timer, MAX_REPLICAS};

impl Cluster {
    /// Crashes a node.
    pub fn crash(&mut self, id: NodeId) -> Result<(), Error> {
        if matches!(self.node(id).state, NodeState::Crashed | NodeState::Removed) {
            return Err(Error::invalid(format!("{id} is already down")));
        }
        let lost = self.lose_unflushed(id);
        let node = &mut self.nodes[id.0];
        node.state = NodeState::Crashed;
        node.crashes += 1;
        node.incarnation += 1;
        node.queue.clear();
        node.sessions.clear();
        node.replay_busy = false;
        self.events.push(self.now_ms, EventKind::Crashed { node: id, lost: lost.map(Box::new) });
        self.fail_ops_on(id);
        if id == self.primary() && self.node(id).role == Role::Primary {
            for replica in self.replicas() {
                self.disconnect(replica, DisconnectReason::PrimaryClosed);
            }
        } else if self.node(id).role == Role::Replica {
            self.disconnect(id, DisconnectReason::StandbyCrashed);
        }
        // (A promotion whose candidate just went down is abandoned by the reconcile pass.)
        self.reconcile();
        Ok(())
    }

    /// A crashing primary throws away unflushed WAL and returns to its durable data.
    fn lose_unflushed(&mut self, id: NodeId) -> Option<LostWal> {
        let node = &mut self.nodes[id.0];
        let durable = node.durable.take()?;
        if node.role != Role::Primary {
            return None; // a replica's WAL is flushed as it arrives
        }
        let flushed = node.flushed_lsn;
        let lost = node.wal.discard_after(flushed);
        node.db = durable;
        node.replay_lsn = flushed;
        node.replayed_chain = node.wal.end_chain();
        let (first, last) = (lost.first()?, lost.last()?);
        Some(LostWal {
            first_xid: first.xid,
            last_xid: last.xid,
            start: first.start(),
            end: last.end,
        })
    }

    /// Restarts a crashed node; it accepts connections after crash recovery.
    pub fn restart(&mut self, id: NodeId) -> Result<(), Error> {
        if self.node(id).state != NodeState::Crashed {
            return Err(Error::invalid(format!(
                "{id} is not crashed (it is {})",
                self.node(id).state.as_str()
            )));
        }
        let until_ms = self.now_ms + self.settings.restart_ms;
        let node = &mut self.nodes[id.0];
        node.state = NodeState::Starting { until_ms };
        node.cores_free_us.iter_mut().for_each(|t| *t = 0);
        self.events.push(self.now_ms, EventKind::Restarting { node: id });
        self.set_timer(Timer::Started(id), until_ms);
        Ok(())
    }

    pub(super) fn started(&mut self, id: NodeId) {
        if !matches!(self.node(id).state, NodeState::Starting { .. }) {
            return;
        }
        self.nodes[id.0].state = NodeState::Running;
        self.events.push(self.now_ms, EventKind::Started { node: id });
        match self.node(id).role {
            Role::Replica => {
                self.nodes[id.0].receiver = Receiver::Disconnected;
                self.try_connect(id);
            }
            // Replicas find it on their next retry — unless the manager has promoted another
            // node meanwhile: then the reconcile pass demotes it as soon as the manager sees
            // it. Without a manager nothing does: it is back as a second primary.
            Role::Primary if id != self.primary() && !self.failover_config().auto => {
                let (stale_timeline, leader) = (self.node(id).timeline, self.primary());
                let timeline = self.node(leader).timeline;
                let kind = EventKind::SplitBrain { stale: id, stale_timeline, leader, timeline };
                self.events.push(self.now_ms, kind);
            }
            Role::Primary => {}
        }
    }

    /// Cuts a replica's link: `down` drops primary→replica traffic, `up` replica→primary.
    pub fn partition(&mut self, replica: NodeId, down: bool, up: bool) -> Result<(), Error> {
        assert!(down || up, "a partition cuts at least one direction");
        let state = self.link_state_mut(replica)?;
        if down {
            state.down = Flow::Cut;
        }
        if up {
            state.up = Flow::Cut;
        }
        let way = Way::of(state.down == Flow::Cut, state.up == Flow::Cut).expect("cut just now");
        self.events.push(self.now_ms, EventKind::LinkCut { replica, way });
        if way == Way::Both {
            self.disconnect(replica, DisconnectReason::Partitioned);
        }
        self.reconcile();
        Ok(())
    }

    /// Heals one node's partitions (its link, its connection to the failover manager), or
    /// every partition. Links first, so a node the manager then demotes can reach the primary.
    pub fn heal(&mut self, node: Option<NodeId>) -> Result<(), Error> {
        let links: Vec<NodeId> = match node {
            Some(id) if !self.links.contains_key(&id) && self.manager_cut.contains_key(&id) => {
                vec![]
            }
            Some(id) => vec![id],
            None => self.links.iter().filter(|(_, l)| l.is_cut()).map(|(id, _)| *id).collect(),
        };
        for id in links {
            let state = self.link_state_mut(id)?;
            if state.is_cut() {
                (state.down, state.up) = (Flow::Open, Flow::Open);
                self.events.push(self.now_ms, EventKind::LinkHealed { replica: id });
            }
        }
        self.ship_all();
        let cut: Vec<NodeId> = match node {
            Some(id) => vec![id],
            None => self.manager_partitions().collect(),
        };
        for id in cut {
            self.heal_manager(id);
        }
        self.reconcile();
        Ok(())
    }

    /// Sets a replica's link delay (both directions).
    pub fn set_link_delay(&mut self, replica: NodeId, delay_ms: Millis) -> Result<(), Error> {
        self.link_state_mut(replica)?.link.delay_ms = delay_ms;
        self.note_setting(replica, "link delay", super::super::format_millis(delay_ms));
        Ok(())
    }

    /// Sets a replica's link jitter: up to this much extra delay per message.
    pub fn set_link_jitter(&mut self, replica: NodeId, jitter_ms: Millis) -> Result<(), Error> {
        self.link_state_mut(replica)?.link.jitter_ms = jitter_ms;
        self.note_setting(replica, "link jitter", super::super::format_millis(jitter_ms));
        Ok(())
    }

    /// Sets a replica's packet loss probability (each loss costs a retransmission).
    pub fn set_link_loss(&mut self, replica: NodeId, loss: f64) -> Result<(), Error> {
        if !(0.0..1.0).contains(&loss) {
            return Err(Error::invalid("loss must be a probability from 0 to below 1"));
        }
        self.link_state_mut(replica)?.link.loss = loss;
        self.note_setting(replica, "link loss", loss.to_string());
        Ok(())
    }

    /// Sets a replica's `recovery_min_apply_delay`.
    pub fn set_apply_delay(&mut self, replica: NodeId, delay_ms: Millis) -> Result<(), Error> {
        self.replica_mut(replica)?.apply_delay_ms = delay_ms;
        self.note_setting(
            replica,
            "recovery_min_apply_delay",
            super::super::format_millis(delay_ms),
        );
        self.kick_replay(replica);
        Ok(())
    }

    /// Makes replay on a replica `factor` times as costly (1 = normal).
    pub fn set_replay_slowdown(&mut self, replica: NodeId, factor: u32) -> Result<(), Error> {
        if !(1..=1_000).contains(&factor) {
            return Err(Error::invalid("slow= takes a factor from 1 to 1000"));
        }
        self.replica_mut(replica)?.replay_slowdown = factor;
        self.note_setting(replica, "replay slowdown", format!("{factor}×"));
        Ok(())
    }

    /// `pg_wal_replay_pause()` / `pg_wal_replay_resume()`.
    pub fn set_replay_paused(&mut self, replica: NodeId, paused: bool) -> Result<(), Error> {
        self.replica_mut(replica)?.replay_paused = paused;
        self.events.push(self.now_ms, EventKind::ReplayPaused { node: replica, paused });
        self.kick_replay(replica);
        self.reconcile();
        Ok(())
    }

    /// Adds a replica, built from a base backup of the primary; returns its id.
    pub fn add_replica(&mut self) -> Result<NodeId, Error> {
        if self.replicas().len() >= MAX_REPLICAS {
            return Err(Error::invalid(format!("a cluster has at most {MAX_REPLICAS} replicas")));
        }
        let id = self.push_replica();
        self.events.push(self.now_ms, EventKind::Membership { node: id, added: true });
        self.resync(id)?;
        self.reconcile();
        Ok(id)
    }

    /// Takes a replica out of the cluster for good.
    pub fn remove_replica(&mut self, id: NodeId) -> Result<(), Error> {
        if self.node(id).role != Role::Replica || id == self.primary() {
            return Err(Error::invalid(format!(
                "{id} is the primary: promote another node before removing it"
            )));
        }
        self.disconnect(id, DisconnectReason::Removed);
        self.fail_ops_on(id);
        let node = &mut self.nodes[id.0];
        node.state = NodeState::Removed;
        node.queue.clear();
        self.links.remove(&id);
        self.events.push(self.now_ms, EventKind::Membership { node: id, added: false });
        self.reconcile();
        Ok(())
    }

    /// Creates a replica node and its link (not yet connected).
    pub(super) fn push_replica(&mut self) -> NodeId {
        let id = NodeId(self.nodes.len());
        self.nodes.push(Node::new(id, Role::Replica, self.settings.cores));
        let link = Link::with_delay(self.config.link_delay_ms);
        self.links.insert(id, LinkState::open(link));
        id
    }

    fn link_state_mut(&mut self, replica: NodeId) -> Result<&mut LinkState, Error> {
        self.links
            .get_mut(&replica)
            .ok_or_else(|| Error::invalid(format!("{replica} is not a replica, so it has no link")))
    }

    fn replica_mut(&mut self, id: NodeId) -> Result<&mut Node, Error> {
        let node = &mut self.nodes[id.0];
        if node.role != Role::Replica || node.state == NodeState::Removed {
            return Err(Error::invalid(format!("{id} is not a replica")));
        }
        Ok(node)
    }

    fn note_setting(&mut self, node: NodeId, name: &'static str, value: String) {
        let kind = EventKind::setting(SettingScope::Node(node), name, value);
        self.events.push(self.now_ms, kind);
        self.reconcile();
    }
}
