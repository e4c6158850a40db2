//! The server's side of SQL: the system views as PostgreSQL 16 lays them out, built from the
//! simulation for one statement, and the requests functions leave (`pg_promote()`, …).
//!
//! | view                   | rows                                                        |
//! |------------------------|-------------------------------------------------------------|
//! | `pg_stat_replication`  | on the primary: one per walsender (connected standby)       |
//! | `pg_stat_wal_receiver` | on a standby: its WAL receiver, while it is connected       |
//! | `pg_stat_activity`     | every connection (the console's sessions, the load's) and the server's own processes |
//! | `pg_settings`          | every parameter the playground knows ([`guc`](super::guc))    |
//!
//! Process ids are made up but stable: the same connection has the same pid in every run.

use std::hash::Hasher;
use std::rc::Rc;

use super::super::commit::sync_states;
use super::super::digest::StableHasher;
use super::super::node::{Receiver, Role};
use super::super::sql::{
    Catalog, DataType, Interval, ReplayPause, Request, Timestamp, Value, View,
};
use super::super::{Error, Millis, NodeId};
use super::{Cluster, EPOCH_UNIX_MS};

use DataType::{BigInt, Boolean, Integer, Text};

const TIMESTAMPTZ: DataType = DataType::Timestamp;
const INTERVAL: DataType = DataType::Interval;

const PG_STAT_REPLICATION: &[(&str, DataType)] = &[
    ("pid", Integer),
    ("usesysid", Integer),
    ("usename", Text),
    ("application_name", Text),
    ("client_addr", Text),
    ("client_hostname", Text),
    ("client_port", Integer),
    ("backend_start", TIMESTAMPTZ),
    ("backend_xmin", BigInt),
    ("state", Text),
    ("sent_lsn", Text),
    ("write_lsn", Text),
    ("flush_lsn", Text),
    ("replay_lsn", Text),
    ("write_lag", INTERVAL),
    ("flush_lag", INTERVAL),
    ("replay_lag", INTERVAL),
    ("sync_priority", Integer),
    ("sync_state", Text),
    ("reply_time", TIMESTAMPTZ),
];

const PG_STAT_WAL_RECEIVER: &[(&str, DataType)] = &[
    ("pid", Integer),
    ("status", Text),
    ("receive_start_lsn", Text),
    ("receive_start_tli", Integer),
    ("written_lsn", Text),
    ("flushed_lsn", Text),
    ("received_tli", Integer),
    ("last_msg_send_time", TIMESTAMPTZ),
    ("last_msg_receipt_time", TIMESTAMPTZ),
    ("latest_end_lsn", Text),
    ("latest_end_time", TIMESTAMPTZ),
    ("slot_name", Text),
    ("sender_host", Text),
    ("sender_port", Integer),
    ("conninfo", Text),
];

const PG_STAT_ACTIVITY: &[(&str, DataType)] = &[
    ("datid", Integer),
    ("datname", Text),
    ("pid", Integer),
    ("leader_pid", Integer),
    ("usesysid", Integer),
    ("usename", Text),
    ("application_name", Text),
    ("client_addr", Text),
    ("client_hostname", Text),
    ("client_port", Integer),
    ("backend_start", TIMESTAMPTZ),
    ("xact_start", TIMESTAMPTZ),
    ("query_start", TIMESTAMPTZ),
    ("state_change", TIMESTAMPTZ),
    ("wait_event_type", Text),
    ("wait_event", Text),
    ("state", Text),
    ("backend_xid", BigInt),
    ("backend_xmin", BigInt),
    ("query_id", BigInt),
    ("query", Text),
    ("backend_type", Text),
];

const PG_SETTINGS: &[(&str, DataType)] = &[
    ("name", Text),
    ("setting", Text),
    ("unit", Text),
    ("category", Text),
    ("short_desc", Text),
    ("extra_desc", Text),
    ("context", Text),
    ("vartype", Text),
    ("source", Text),
    ("min_val", Text),
    ("max_val", Text),
    ("enumvals", Text),
    ("boot_val", Text),
    ("reset_val", Text),
    ("sourcefile", Text),
    ("sourceline", Integer),
    ("pending_restart", Boolean),
];

/// A client connection's process id on a node: stable, from the two names.
pub fn backend_pid(node: NodeId, session: &str) -> i64 {
    let mut hasher = StableHasher::default();
    hasher.write(node.name().as_bytes());
    hasher.write(session.as_bytes());
    10_000 + (hasher.finish() % 50_000) as i64
}

/// A server process's id on a node (`slot` tells them apart).
fn server_pid(node: NodeId, slot: usize) -> i64 {
    (1 + node.0 as i64) * 1_000 + slot as i64
}

fn lsn(lsn: impl std::fmt::Display) -> Value {
    Value::text(lsn.to_string())
}

fn interval(ms: Option<Millis>) -> Value {
    ms.map_or(Value::Null, |ms| {
        Value::Interval(Box::new(Interval { months: 0, days: 0, millis: ms as i64 }))
    })
}

fn int(n: impl TryInto<i64>) -> Value {
    n.try_into().map_or(Value::Null, Value::Int)
}

fn text_or_null(text: Option<&str>) -> Value {
    text.map_or(Value::Null, Value::text)
}

impl Cluster {
    /// A simulated time as a `timestamptz` value.
    fn at(&self, ms: Millis) -> Value {
        Value::Timestamp(Timestamp(EPOCH_UNIX_MS + ms as i64))
    }

    /// The catalog for a statement of `session` on `node`.
    pub(super) fn catalog_for(&self, node: NodeId, session: &str) -> Catalog {
        let n = self.node(node);
        let standby = n.role == Role::Replica;
        Catalog {
            views: vec![
                View::new("pg_stat_replication", PG_STAT_REPLICATION, self.replication_rows(node)),
                View::new(
                    "pg_stat_wal_receiver",
                    PG_STAT_WAL_RECEIVER,
                    self.wal_receiver_rows(node),
                ),
                View::new("pg_stat_activity", PG_STAT_ACTIVITY, self.activity_rows(node, session)),
                View::new("pg_settings", PG_SETTINGS, self.pg_settings_rows(node, session)),
            ],
            settings: self.shown_settings(node, session),
            backend_pid: backend_pid(node, session),
            receive_lsn: standby.then(|| n.wal.end().0),
            last_replay: (standby && n.replayed_commit_ms > 0)
                .then(|| Timestamp(EPOCH_UNIX_MS + n.replayed_commit_ms as i64)),
            pause: if n.replay_paused { ReplayPause::Paused } else { ReplayPause::NotPaused },
            client_pids: n.sessions.keys().map(|s| backend_pid(node, s)).collect(),
            requests: Default::default(),
            notices: Default::default(),
        }
    }

    /// `pg_stat_replication`: the walsenders of the primary the standbys stream from.
    fn replication_rows(&self, node: NodeId) -> Vec<Vec<Value>> {
        if node != self.primary() || self.node(node).role != Role::Primary {
            return Vec::new();
        }
        let names = &self.settings.synchronous_standby_names;
        let states = sync_states(names, &self.standby_acks());
        self.walsenders
            .iter()
            .zip(states)
            .map(|((id, w), sync_state)| {
                vec![
                    int(server_pid(node, 100 + id.0)),
                    int(16_384),
                    Value::text("replicator"),
                    Value::text(id.name()),
                    Value::text(format!("10.0.0.{}", id.0 + 1)),
                    Value::Null,
                    int(40_000 + w.conn % 20_000),
                    self.at(w.started_ms),
                    Value::Null,
                    Value::text(if w.streaming { "streaming" } else { "catchup" }),
                    lsn(w.sent_lsn),
                    lsn(w.write_lsn),
                    lsn(w.flush_lsn),
                    lsn(w.replay_lsn),
                    interval(w.write_lag_ms),
                    interval(w.flush_lag_ms),
                    interval(w.replay_lag_ms),
                    int(names.priority(&id.name())),
                    Value::text(sync_state.as_str()),
                    self.at(w.last_reply_ms),
                ]
            })
            .collect()
    }

    /// `pg_stat_wal_receiver`: a standby's connection to its primary, while there is one.
    fn wal_receiver_rows(&self, node: NodeId) -> Vec<Vec<Value>> {
        let n = self.node(node);
        if n.role != Role::Replica
            || !matches!(n.receiver, Receiver::Streaming | Receiver::Connecting)
        {
            return Vec::new();
        }
        let primary = self.primary();
        let walsender = self.walsenders.get(&node).filter(|w| w.conn == n.conn);
        let status = if n.receiver == Receiver::Streaming { "streaming" } else { "starting" };
        let reply = walsender.map_or(Value::Null, |w| self.at(w.last_reply_ms));
        vec![vec![
            int(server_pid(node, 2)),
            Value::text(status),
            walsender.map_or(Value::Null, |w| lsn(w.start_lsn)),
            int(n.timeline),
            lsn(n.wal.end()),
            lsn(n.wal.end()),
            int(n.timeline),
            reply.clone(),
            reply.clone(),
            lsn(n.wal.end()),
            reply,
            Value::Null,
            Value::text(primary.name()),
            int(5_432),
            Value::text(format!(
                "user=replicator host={primary} port=5432 application_name={node}"
            )),
        ]]
    }

    /// `pg_stat_activity`: client connections, then the server's own processes.
    fn activity_rows(&self, node: NodeId, asking: &str) -> Vec<Vec<Value>> {
        let n = self.node(node);
        let mut rows: Vec<Vec<Value>> = n
            .sessions
            .iter()
            .map(|(name, connection)| self.client_backend_row(node, name, connection, asking))
            .collect();
        let standby = n.role == Role::Replica;
        let mut processes: Vec<(&str, &str, &str)> = Vec::new();
        if standby {
            let startup = if n.replay_paused {
                ("IPC", "RecoveryPause")
            } else if n.apply_delay_ms > 0 {
                ("Timeout", "RecoveryApplyDelay")
            } else {
                ("Activity", "RecoveryWalStream")
            };
            processes.push(("startup", startup.0, startup.1));
            if matches!(n.receiver, Receiver::Streaming | Receiver::Connecting) {
                processes.push(("walreceiver", "Activity", "WalReceiverMain"));
            }
        }
        processes.push(("checkpointer", "Activity", "CheckpointerMain"));
        processes.push(("background writer", "Activity", "BgWriterMain"));
        if !standby {
            processes.push(("walwriter", "Activity", "WalWriterMain"));
            processes.push(("autovacuum launcher", "Activity", "AutoVacuumMain"));
        }
        for (slot, (kind, wait_type, wait)) in processes.into_iter().enumerate() {
            rows.push(server_process_row(server_pid(node, slot + 1), kind, wait_type, wait));
        }
        if node == self.primary() && !standby {
            for (id, w) in &self.walsenders {
                let mut row = server_process_row(
                    server_pid(node, 100 + id.0),
                    "walsender",
                    "Activity",
                    "WalSenderMain",
                );
                row[4] = int(16_384);
                row[5] = Value::text("replicator");
                row[6] = Value::text(id.name());
                row[7] = Value::text(format!("10.0.0.{}", id.0 + 1));
                row[16] = Value::text("active");
                row[20] = Value::text(format!(
                    "START_REPLICATION {} TIMELINE {}",
                    w.start_lsn,
                    self.node(node).timeline
                ));
                rows.push(row);
            }
        }
        rows
    }

    /// One client connection's row: its state and what it waits for.
    fn client_backend_row(
        &self,
        node: NodeId,
        name: &str,
        connection: &super::super::sql::Session,
        asking: &str,
    ) -> Vec<Value> {
        let statement = self.statement_on(node, name);
        let (state, wait_type, wait) = if name == asking || statement.is_some() {
            let wait = statement.flatten();
            ("active", wait.map(|w| w.0), wait.map(|w| w.1))
        } else if connection.is_aborted() {
            ("idle in transaction (aborted)", Some("Client"), Some("ClientRead"))
        } else if connection.in_transaction() {
            ("idle in transaction", Some("Client"), Some("ClientRead"))
        } else {
            ("idle", Some("Client"), Some("ClientRead"))
        };
        let (query, started) = match &connection.query {
            Some((query, at)) => (Value::text(Rc::clone(query)), Value::Timestamp(*at)),
            None => (Value::text(""), Value::Null),
        };
        let application = self
            .sessions
            .get(name)
            .and_then(|s| s.gucs.get("application_name").cloned())
            .unwrap_or_else(|| "psql".to_string());
        vec![
            int(5),
            Value::text("postgres"),
            int(backend_pid(node, name)),
            Value::Null,
            int(10),
            Value::text("postgres"),
            Value::text(application),
            Value::text("127.0.0.1"),
            Value::Null,
            int(50_000 + backend_pid(node, name) % 10_000),
            self.at(0),
            if connection.in_transaction() { started.clone() } else { Value::Null },
            started.clone(),
            started,
            text_or_null(wait_type),
            text_or_null(wait),
            Value::text(state),
            Value::Null,
            Value::Null,
            Value::Null,
            query,
            Value::text("client backend"),
        ]
    }

    /// Carries out what functions of a statement asked for (`pg_promote()`, …); returns the
    /// extra time the statement takes (`pg_sleep()`).
    pub(super) fn serve_requests(
        &mut self,
        node: NodeId,
        caller: &str,
        requests: Vec<Request>,
    ) -> Millis {
        let mut sleep_ms = 0;
        for request in requests {
            let result = match request {
                Request::Promote => self.promote(node),
                Request::PauseReplay => self.set_replay_paused(node, true),
                Request::ResumeReplay => self.set_replay_paused(node, false),
                // A standby's own postgresql.auto.conf is empty: ALTER SYSTEM runs on the primary.
                Request::ReloadConf if self.node(node).role == Role::Primary => {
                    self.reload_conf();
                    Ok(())
                }
                Request::ReloadConf => Ok(()),
                Request::Sleep { ms } => {
                    sleep_ms += ms;
                    Ok(())
                }
                Request::CancelBackend { pid } => {
                    let session = self
                        .node(node)
                        .sessions
                        .keys()
                        .find(|s| backend_pid(node, s) == pid)
                        .cloned();
                    match session {
                        // Cancelling one's own statement from inside it: it is running, not
                        // waiting, and ends by itself.
                        Some(session) if session != caller => self.cancel(&session),
                        _ => Ok(()),
                    }
                }
            };
            // The functions checked what PostgreSQL checks; the simulation may still refuse
            // (a promotion while the node is down, say): that is the run's story, not an error.
            let _: Result<(), Error> = result;
        }
        sleep_ms
    }
}

/// A server process's row of `pg_stat_activity` (no database, no user, no query).
fn server_process_row(pid: i64, kind: &str, wait_type: &str, wait: &str) -> Vec<Value> {
    let mut row = vec![Value::Null; PG_STAT_ACTIVITY.len()];
    row[2] = int(pid);
    row[14] = Value::text(wait_type);
    row[15] = Value::text(wait);
    row[20] = Value::text("");
    row[21] = Value::text(kind);
    row
}
