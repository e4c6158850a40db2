//! Streaming replication: WAL from the primary's disk to each replica's, then into its data.
//!
//! - **Commit**: the primary appends a record to its WAL. It is flushed at once unless the
//!   session runs `synchronous_commit = off`, in which case the WAL writer flushes it within
//!   `wal_writer_delay`. Only flushed WAL is sent, as in PostgreSQL.
//! - **Send**: each connected walsender pushes the records past its `sent_lsn` down its link.
//! - **Receive**: the replica writes and flushes them to its own WAL, reports its position
//!   (feedback), and queues them for replay.
//! - **Replay**: one record at a time, as a job on the replica's cores (so a busy replica
//!   replays late), never before `commit time + recovery_min_apply_delay`, not while paused.
//! - **Connect**: a disconnected replica retries every `wal_retrieve_retry_interval`, asking
//!   to stream from its flush position; if the primary has already recycled that WAL
//!   (`wal_keep_size`), the replica needs a base backup.
//! - **Checkpoint**: once a second the primary recycles WAL every standby has and WAL older
//!   than `wal_keep_size`; a replica recycles what it has replayed, beyond the same window.

use std::rc::Rc;

use super::super::commit::SyncCommit;
use super::super::event::{ChangeSummary, DisconnectReason, EventKind};
use super::super::link::{Direction, Flow};
use super::super::node::{Job, NodeState, Receiver, Role};
use super::super::sql::Commit;
use super::super::wal::{Lsn, Wal, WalRecord};
use super::super::{Millis, NodeId};
use super::{Answer, Backup, Cluster, Payload, Timer, Walsender};

/// CPU the primary spends sending one record to one standby (µs).
const SEND_CPU_US: u64 = 5;

/// PostgreSQL's default `wal_receiver_status_interval`: how long an idle, caught-up standby's
/// lags stay shown in `pg_stat_replication` before they read NULL.
const WAL_RECEIVER_STATUS_INTERVAL_MS: Millis = 10_000;

/// CPU a replica spends replaying one record: a fixed part plus a part per change (µs).
fn replay_cpu_us(commit: &Commit) -> u64 {
    10 + 15 * commit.changes.len() as u64
}

impl Cluster {
    /// Appends a commit to the primary's WAL (flushed unless `off`) and streams what is flushed.
    pub(super) fn commit_on_primary(
        &mut self,
        id: NodeId,
        commit: Commit,
        mode: SyncCommit,
    ) -> (u64, Lsn) {
        let (first, more) = summarize(&commit);
        let now_ms = self.now_ms;
        let node = &mut self.nodes[id.0];
        assert!(
            node.role == Role::Primary && node.is_running(),
            "{id} commits only as a running primary"
        );
        let record = node.wal.append(commit, now_ms);
        let (xid, end) = (record.xid, record.end);
        node.replay_lsn = end;
        node.replayed_commit_ms = now_ms;
        node.replayed_chain = node.wal.end_chain();
        let flush_now = mode.waits_for_local_flush() || node.durable.is_none();
        self.events.push(now_ms, EventKind::Committed { node: id, xid, end, first, more });
        if flush_now {
            self.flush_primary(id);
        } else if self.agenda.timer_at(Timer::WalWriter(id)).is_none() {
            let at = now_ms + self.settings.wal_writer_delay_ms;
            self.set_timer(Timer::WalWriter(id), at);
        }
        (xid, end)
    }

    /// Flushes the primary's WAL to disk and sends the newly flushed records.
    fn flush_primary(&mut self, id: NodeId) {
        let node = &mut self.nodes[id.0];
        node.flushed_lsn = node.wal.end();
        node.durable = None;
        self.ship_all();
    }

    pub(super) fn wal_writer(&mut self, id: NodeId) {
        if self.node(id).is_running() && self.node(id).role == Role::Primary {
            self.flush_primary(id);
        }
    }

    /// Every connected walsender sends what it has not sent yet.
    pub(super) fn ship_all(&mut self) {
        let standbys: Vec<NodeId> = self.walsenders.keys().copied().collect();
        for standby in standbys {
            self.ship(standby);
        }
    }

    /// Sends a standby the flushed records past its `sent_lsn`, as one message.
    fn ship(&mut self, standby: NodeId) {
        let primary = self.primary();
        let Some(sender) = self.walsenders.get(&standby) else { return };
        let (conn, sent) = (sender.conn, sender.sent_lsn);
        let p = &self.nodes[primary.0];
        if !p.is_running() || sent >= p.flushed_lsn {
            return;
        }
        if sent < p.wal.oldest() {
            return self.disconnect(standby, DisconnectReason::WalRemoved);
        }
        let flushed = p.flushed_lsn;
        let records: Vec<Rc<WalRecord>> =
            p.wal.shared_from(sent).take_while(|r| r.end <= flushed).cloned().collect();
        let (Some(first), Some(last)) = (records.first(), records.last()) else { return };
        let (first_xid, last_xid, last_end) = (first.xid, last.xid, last.end);
        // A cut link delivers nothing; like TCP, the walsender sends it again later (the next
        // commit, a heal, or the once-a-second housekeeping), from where it got to.
        let Some(arrives_ms) = self.travel(standby, Direction::Downstream) else { return };
        let cpu_us = SEND_CPU_US * records.len() as u64;
        self.charge_background(primary, cpu_us);
        assert!(last_end > sent, "a walsender only sends forward");
        self.walsenders.get_mut(&standby).expect("checked").sent_lsn = last_end;
        let kind = EventKind::Sent { from: primary, to: standby, first_xid, last_xid, arrives_ms };
        self.events.push(self.now_ms, kind);
        self.send(primary, standby, conn, arrives_ms, Payload::Wal { records });
    }

    /// When a message sent now over a replica's link arrives, or `None` if the link is cut
    /// that way (the message is lost).
    pub(super) fn travel(&mut self, replica: NodeId, direction: Direction) -> Option<Millis> {
        let state = self.links.get_mut(&replica)?;
        let flow = match direction {
            Direction::Downstream => state.down,
            Direction::Upstream => state.up,
        };
        if flow == Flow::Cut {
            return None;
        }
        Some(state.link.arrival_ms(self.now_ms, direction, &mut self.rng))
    }

    /// Background CPU (sending, housekeeping) taken on the least busy core.
    fn charge_background(&mut self, id: NodeId, cpu_us: u64) {
        let now_us = self.now_ms * 1_000;
        let node = &mut self.nodes[id.0];
        let (core, free_us) = node.next_free_core();
        node.cores_free_us[core] = free_us.max(now_us) + cpu_us;
        self.metrics.record_cpu(id, cpu_us);
    }

    pub(super) fn receive_wal(&mut self, id: NodeId, conn: u64, records: Vec<Rc<WalRecord>>) {
        let node = &self.nodes[id.0];
        if !node.is_running() || node.conn != conn || node.receiver != Receiver::Streaming {
            return; // a stale connection, or the node went down meanwhile
        }
        assert!(node.role == Role::Replica, "{id} streams WAL only as a replica");
        for record in records {
            if record.end <= node_end(self, id) {
                continue; // already have it (a resend after reconnecting)
            }
            let kind = EventKind::Received { node: id, xid: record.xid, end: record.end };
            self.nodes[id.0].wal.push_received(record);
            self.events.push(self.now_ms, kind);
        }
        self.send_feedback(id);
        self.kick_replay(id);
    }

    /// Queues the next record for replay if it is due; otherwise wakes up when it will be.
    pub(super) fn kick_replay(&mut self, id: NodeId) {
        let now_ms = self.now_ms;
        let node = &self.nodes[id.0];
        if node.role != Role::Replica
            || !node.is_running()
            || node.replay_paused
            || node.replay_busy
        {
            return;
        }
        let Some(next) = node.pending_replay().next() else { return };
        let due_ms = next.commit_time_ms + node.apply_delay_ms;
        if due_ms > now_ms {
            return self.set_timer(Timer::ReplayWake(id), due_ms);
        }
        let node = &mut self.nodes[id.0];
        node.replay_busy = true;
        node.queue.push_back(Job::Replay);
        self.pump(id);
    }

    /// Replays the next record on a replica now; returns the CPU it takes (µs).
    pub(super) fn replay_next(&mut self, id: NodeId) -> u64 {
        let now_ms = self.now_ms;
        let node = &mut self.nodes[id.0];
        let Some(record) = node.pending_replay().next().cloned() else { return 0 };
        assert_eq!(record.start(), node.replay_lsn, "{id} replays the WAL in order, without gaps");
        node.db.apply(&record.commit);
        node.replay_lsn = record.end;
        node.replayed_commit_ms = record.commit_time_ms;
        node.replayed_chain = record.chain;
        let cpu_us = replay_cpu_us(&record.commit) * u64::from(node.replay_slowdown.max(1));
        self.metrics.record_cpu(id, cpu_us);
        let lag_ms = now_ms.saturating_sub(record.commit_time_ms);
        let kind = EventKind::Replayed { node: id, xid: record.xid, end: record.end, lag_ms };
        self.events.push(now_ms, kind);
        cpu_us
    }

    pub(super) fn replay_done(&mut self, id: NodeId) {
        self.nodes[id.0].replay_busy = false;
        if !self.node(id).is_running() {
            return;
        }
        self.send_feedback(id);
        self.kick_replay(id);
    }

    /// A standby's status report travels up its link.
    pub(super) fn send_feedback(&mut self, id: NodeId) {
        let node = &self.nodes[id.0];
        if node.receiver != Receiver::Streaming || !node.is_running() {
            return;
        }
        let (conn, write, replay) = (node.conn, node.wal.end(), node.replay_lsn);
        assert!(replay <= write, "{id} cannot replay what it has not written");
        let primary = self.primary();
        if let Some(arrives_ms) = self.travel(id, Direction::Upstream) {
            self.send(id, primary, conn, arrives_ms, Payload::Feedback { write, replay });
        }
    }

    pub(super) fn receive_feedback(&mut self, from: NodeId, conn: u64, write: Lsn, replay: Lsn) {
        let primary = self.primary();
        if !self.node(primary).is_running() {
            return;
        }
        let now_ms = self.now_ms;
        let lag = |lsn: Lsn| -> Option<Millis> {
            let wal = &self.nodes[primary.0].wal;
            let record = wal.last_record_upto(lsn)?;
            Some(now_ms.saturating_sub(record.commit_time_ms))
        };
        let (write_lag, replay_lag) = (lag(write), lag(replay));
        let Some(sender) = self.walsenders.get_mut(&from).filter(|s| s.conn == conn) else {
            return;
        };
        sender.last_reply_ms = now_ms;
        assert!(write <= sender.sent_lsn, "{from} reports WAL it was never sent");
        // walsender.c: when an idle standby's next status-interval report again says it has
        // replayed everything sent, the lags last measured are forgotten (NULL in
        // pg_stat_replication) rather than shown stale; a report that measures new ones wins.
        let caught_up = replay == sender.sent_lsn;
        let since_ms = sender.fully_applied_since_ms.filter(|_| caught_up);
        if since_ms.is_some_and(|since| now_ms - since >= WAL_RECEIVER_STATUS_INTERVAL_MS) {
            sender.write_lag_ms = None;
            sender.flush_lag_ms = None;
            sender.replay_lag_ms = None;
        }
        sender.fully_applied_since_ms = since_ms.or(caught_up.then_some(now_ms));
        if write > sender.write_lsn {
            sender.write_lsn = write;
            sender.flush_lsn = write;
            sender.write_lag_ms = write_lag;
            sender.flush_lag_ms = write_lag;
        }
        if replay > sender.replay_lsn {
            sender.replay_lsn = replay;
            sender.replay_lag_ms = replay_lag;
        }
        if !sender.streaming && sender.flush_lsn >= sender.catchup_target {
            sender.streaming = true;
            self.events.push(now_ms, EventKind::Streaming { replica: from });
        }
        self.maybe_restore_semi_sync(from);
    }

    /// MySQL turns semi-sync back on once a replica has caught up with the source.
    fn maybe_restore_semi_sync(&mut self, from: NodeId) {
        let semi = &self.settings.semi_sync;
        if !semi.enabled || semi.active {
            return;
        }
        let primary_end = self.node(self.primary()).flushed_lsn;
        if self.walsenders.get(&from).is_some_and(|w| w.flush_lsn >= primary_end) {
            self.settings.semi_sync.active = true;
            self.events.push(self.now_ms, EventKind::SemiSyncOn { replica: from });
        }
    }

    /// A new cluster's replicas start connected and streaming, as after `initdb` + clone.
    pub(super) fn connect_at_start(&mut self, replica: NodeId) {
        let conn = self.next_conn;
        self.next_conn += 1;
        let node = &mut self.nodes[replica.0];
        node.conn = conn;
        node.receiver = Receiver::Streaming;
        let at = Lsn::START;
        self.walsenders.insert(replica, new_walsender(conn, at, at, true, 0));
    }

    /// A replica asks the primary to stream from its flush position.
    pub(super) fn try_connect(&mut self, replica: NodeId) {
        let node = &self.nodes[replica.0];
        if node.role != Role::Replica
            || !node.is_running()
            || node.receiver != Receiver::Disconnected
            || replica == self.primary()
        {
            return; // (a fenced primary waits for the promotion to know whom to follow)
        }
        let (from, chain) = (node.wal.end(), node.wal.end_chain());
        let conn = self.next_conn;
        self.next_conn += 1;
        let node = &mut self.nodes[replica.0];
        node.conn = conn;
        node.receiver = Receiver::Connecting;
        // Whatever happens to the request or its answer, the attempt ends in time.
        let delay_ms = self.links.get(&replica).map_or(0, |l| l.link.delay_ms + l.link.jitter_ms);
        let timeout_at = self.now_ms + self.settings.wal_retrieve_retry_interval_ms + 2 * delay_ms;
        self.set_timer(Timer::ConnectTimeout(replica), timeout_at);
        let primary = self.primary();
        if let Some(arrives_ms) = self.travel(replica, Direction::Upstream) {
            let payload = Payload::ConnectRequest { from, chain };
            self.send(replica, primary, conn, arrives_ms, payload);
        }
    }

    /// A connection attempt that got no answer gives up and retries later.
    pub(super) fn connect_timeout(&mut self, replica: NodeId) {
        if self.nodes[replica.0].receiver == Receiver::Connecting {
            self.connection_failed(replica);
        }
    }

    /// The attempt failed (no route, or the primary is down): try again later.
    fn connection_failed(&mut self, replica: NodeId) {
        let node = &mut self.nodes[replica.0];
        if node.receiver == Receiver::Connecting {
            node.receiver = Receiver::Disconnected;
        }
        let at = self.now_ms + self.settings.wal_retrieve_retry_interval_ms;
        self.set_timer(Timer::ConnectRetry(replica), at);
    }

    pub(super) fn accept_connection(&mut self, replica: NodeId, conn: u64, from: Lsn, chain: u64) {
        let primary = self.primary();
        let p = &self.nodes[primary.0];
        // Streaming may resume only from a point of the primary's own history; a position it
        // cannot vouch for (another timeline, or forgotten) calls for a rewind.
        let same_history = p.wal.chain_at(from) == Some(chain);
        let answer = if !p.is_running() || p.role != Role::Primary {
            return; // no answer at all: the replica's attempt times out
        } else if from > p.wal.end() || !same_history {
            Answer::Diverged
        } else if from < p.wal.oldest() {
            Answer::WalRemoved { oldest: p.wal.oldest() }
        } else {
            Answer::Accepted
        };
        if answer == Answer::Accepted {
            let target = p.flushed_lsn;
            let streaming = from >= target;
            let walsender = new_walsender(conn, from, target, streaming, self.now_ms);
            self.walsenders.insert(replica, walsender);
            let catchup_bytes = target.bytes_since(from);
            self.events.push(self.now_ms, EventKind::Connected { replica, from, catchup_bytes });
        }
        match self.travel(replica, Direction::Downstream) {
            Some(arrives_ms) => {
                self.send(primary, replica, conn, arrives_ms, Payload::ConnectAnswer { answer })
            }
            None => {
                self.walsenders.remove(&replica);
            }
        }
    }

    /// The primary's answer (or its silence) reaches the replica.
    pub(super) fn connection_answered(&mut self, replica: NodeId, conn: u64, answer: Answer) {
        let node = &self.nodes[replica.0];
        if node.conn != conn || node.receiver != Receiver::Connecting || !node.is_running() {
            return;
        }
        match answer {
            Answer::Accepted => {
                let timeline = self.timeline();
                assert!(timeline >= node.timeline, "{replica} never follows an older timeline");
                self.nodes[replica.0].receiver = Receiver::Streaming;
                self.nodes[replica.0].timeline = timeline;
                self.ship(replica);
                self.send_feedback(replica);
                self.kick_replay(replica);
            }
            Answer::Diverged => self.rewind(replica),
            Answer::WalRemoved { oldest } => {
                let requested = self.nodes[replica.0].wal.end();
                self.nodes[replica.0].receiver = Receiver::NeedsResync;
                self.events.push(self.now_ms, EventKind::WalRemoved { replica, requested, oldest });
            }
        }
    }

    /// Drops a replica's replication connection at both ends (it will retry if it can).
    pub(super) fn disconnect(&mut self, replica: NodeId, reason: DisconnectReason) {
        let had_sender = self.walsenders.remove(&replica).is_some();
        let node = &mut self.nodes[replica.0];
        let was_connected = matches!(node.receiver, Receiver::Streaming | Receiver::Connecting);
        if was_connected {
            node.receiver = Receiver::Disconnected;
            node.conn = 0;
        }
        if had_sender || was_connected {
            let kind = EventKind::Disconnected { replica, reason };
            self.events.push(self.now_ms, kind);
        }
        if was_connected && node.is_running() {
            let at = self.now_ms + self.settings.wal_retrieve_retry_interval_ms;
            self.set_timer(Timer::ConnectRetry(replica), at);
        }
    }

    /// `wal_sender_timeout`: a standby that has not reported for that long is cut off.
    pub(super) fn time_out_silent_standbys(&mut self) {
        let timeout = self.settings.wal_sender_timeout_ms;
        let silent: Vec<NodeId> = self
            .walsenders
            .iter()
            .filter(|(_, w)| self.now_ms.saturating_sub(w.last_reply_ms) > timeout)
            .map(|(id, _)| *id)
            .collect();
        for replica in silent {
            self.disconnect(replica, DisconnectReason::ReplicationTimeout);
        }
    }

    /// Recycles WAL: on the primary, what every standby has or what is older than
    /// `wal_keep_size`; on a replica, what it has replayed beyond the same window.
    pub(super) fn checkpoint(&mut self) {
        let keep = self.settings.wal_keep_size_bytes;
        let primary = self.primary();
        let standby_min = self
            .replicas()
            .into_iter()
            .filter(|id| self.node(*id).receiver != Receiver::NeedsResync)
            .map(|id| {
                self.walsenders
                    .get(&id)
                    .map_or(self.node(id).wal.end(), |w| w.flush_lsn.min(self.node(id).wal.end()))
            })
            .min();
        let p = &self.nodes[primary.0];
        let window_start = Lsn(p.wal.end().0.saturating_sub(keep));
        let cutoff = standby_min.map_or(p.flushed_lsn, |m| m.max(window_start)).min(p.flushed_lsn);
        assert!(cutoff <= self.nodes[primary.0].flushed_lsn, "a checkpoint keeps unflushed WAL");
        self.nodes[primary.0].wal.truncate_before(cutoff);
        for id in self.replicas() {
            let node = &mut self.nodes[id.0];
            let cutoff = node.replay_lsn.min(Lsn(node.wal.end().0.saturating_sub(keep)));
            node.wal.truncate_before(cutoff);
        }
    }

    /// `resync NODE`: rebuilds a replica from a base backup of the primary.
    pub fn resync(&mut self, replica: NodeId) -> Result<(), super::super::Error> {
        let primary = self.primary();
        if self.node(replica).role != Role::Replica {
            return Err(super::super::Error::invalid(format!(
                "{replica} is the primary: only a replica can be re-synced"
            )));
        }
        if !self.node(primary).is_running() || self.node(primary).role != Role::Primary {
            return Err(super::super::Error::NodeDown { node: primary.name().into_owned() });
        }
        self.disconnect(replica, DisconnectReason::Rebuilding);
        self.fail_ops_on(replica);
        let p = self.node(primary);
        let rows: u64 =
            p.db.table_names().iter().map(|t| p.db.row_count(t).unwrap_or(0) as u64).sum();
        let backup = Backup {
            // What is on the primary's disk: unflushed commits are not in a base backup.
            db: p.durable.clone().unwrap_or_else(|| p.db.clone()),
            lsn: p.flushed_lsn,
            chain: p.wal.chain_at(p.flushed_lsn).unwrap_or(p.wal.end_chain()),
            next_xid: p.wal.next_xid(),
            commit_ms: p.replayed_commit_ms,
            timeline: p.timeline,
        };
        let delay = self.links.get(&replica).map_or(0, |l| l.link.delay_ms);
        // A checkpoint, then the copy at ~100 MB/s (100 bytes a row), over the link.
        let until_ms = self.now_ms + 1_000 + rows / 1_000 + 2 * delay;
        let lsn = backup.lsn;
        let node = &mut self.nodes[replica.0];
        node.state = NodeState::BaseBackup { until_ms };
        node.incarnation += 1;
        node.queue.clear();
        node.sessions.clear();
        self.events.push(self.now_ms, EventKind::BaseBackupStarted { replica, lsn, until_ms });
        self.backups.insert(replica, backup);
        self.set_timer(Timer::BackupDone(replica), until_ms);
        Ok(())
    }

    pub(super) fn backup_done(&mut self, id: NodeId) {
        let Some(backup) = self.backups.remove(&id) else { return };
        let node = &mut self.nodes[id.0];
        if !matches!(node.state, NodeState::BaseBackup { .. }) {
            return; // crashed or removed meanwhile
        }
        node.db = backup.db;
        node.wal = Wal::starting_at(backup.lsn, backup.chain, backup.next_xid);
        node.replay_lsn = backup.lsn;
        node.replayed_chain = backup.chain;
        node.replayed_commit_ms = backup.commit_ms;
        node.timeline = backup.timeline;
        node.replay_busy = false;
        node.state = NodeState::Running;
        node.receiver = Receiver::Disconnected;
        node.incarnation += 1; // its positions restart from the backup's
        node.cores_free_us.iter_mut().for_each(|t| *t = 0);
        self.events.push(self.now_ms, EventKind::BaseBackupDone { replica: id, lsn: backup.lsn });
        self.try_connect(id);
    }
}

fn node_end(cluster: &Cluster, id: NodeId) -> Lsn {
    cluster.node(id).wal.end()
}

fn new_walsender(conn: u64, from: Lsn, target: Lsn, streaming: bool, now_ms: Millis) -> Walsender {
    Walsender {
        conn,
        streaming,
        catchup_target: target,
        sent_lsn: from,
        write_lsn: from,
        flush_lsn: from,
        replay_lsn: from,
        write_lag_ms: None,
        flush_lag_ms: None,
        replay_lag_ms: None,
        fully_applied_since_ms: None,
        last_reply_ms: now_ms,
        started_ms: now_ms,
        start_lsn: from,
    }
}

/// A commit for the event log: its first change, and how many more.
fn summarize(commit: &Commit) -> (Option<ChangeSummary>, u32) {
    let more = commit.changes.len().saturating_sub(1) as u32;
    (commit.changes.first().map(ChangeSummary::new), more)
}
