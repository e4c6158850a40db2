//! Configuration in SQL, as PostgreSQL's GUC ("grand unified configuration") has it: `SET`,
//! `SHOW`, `RESET`, `ALTER SYSTEM`, `pg_reload_conf()`, `current_setting()` and
//! `pg_settings`, over one table of parameters.
//!
//! Each parameter has a *context* that says who may change it and when, with PostgreSQL's
//! errors for the rest:
//!
//! | context    | `SET` (a session)          | `ALTER SYSTEM` + `pg_reload_conf()`        |
//! |------------|----------------------------|--------------------------------------------|
//! | user       | yes                        | the cluster-wide default                    |
//! | superuser  | yes (the console is one)   | the cluster-wide default                    |
//! | sighup     | `cannot be changed now`    | yes, once the configuration is reloaded     |
//! | postmaster | `… without restarting`     | not modelled: the playground's are fixed    |
//! | internal   | `cannot be changed`        | `cannot be changed`                         |
//!
//! `ALTER SYSTEM` writes `postgresql.auto.conf` ([`Cluster::auto_conf`]); nothing changes
//! until `SELECT pg_reload_conf()`, which applies it through the same path as a script's
//! `set` line. Settings are cluster-wide in the playground, so `ALTER SYSTEM` on a standby
//! (which PostgreSQL allows, for that standby alone) is refused as not supported.

use super::super::node::Role;
use super::super::sql::{unrecognized_parameter, Outcome, Row, SqlError, Utility, Value};
use super::super::{Millis, NodeId};
use super::{status, Cluster};

/// Who may change a parameter, and when (`pg_settings.context`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    Internal,
    Postmaster,
    Sighup,
    Superuser,
    User,
}

impl Context {
    /// A session may `SET` it (the console's user is a superuser).
    const fn session_settable(self) -> bool {
        matches!(self, Context::User | Context::Superuser)
    }

    fn as_str(self) -> &'static str {
        match self {
            Context::Internal => "internal",
            Context::Postmaster => "postmaster",
            Context::Sighup => "sighup",
            Context::Superuser => "superuser",
            Context::User => "user",
        }
    }
}

/// A parameter's unit: values without one are in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unit {
    None,
    Ms,
    Mb,
}

/// One configuration parameter.
struct Param {
    name: &'static str,
    context: Context,
    vartype: &'static str,
    unit: Unit,
    category: &'static str,
    short_desc: &'static str,
    /// PostgreSQL's built-in default (`boot_val`).
    boot: &'static str,
    /// An enum's values, as `pg_settings.enumvals` lists them.
    enumvals: &'static str,
    /// Settable for a session, with effect in the playground (others refuse `SET`).
    session: bool,
}

const fn param(
    name: &'static str,
    context: Context,
    vartype: &'static str,
    unit: Unit,
    category: &'static str,
    short_desc: &'static str,
    boot: &'static str,
) -> Param {
    let session = context.session_settable();
    Param { name, context, vartype, unit, category, short_desc, boot, enumvals: "", session }
}

const WAL: &str = "Write-Ahead Log / Settings";
const SENDING: &str = "Replication / Sending Servers";
const PRIMARY: &str = "Replication / Primary Server";
const STANDBY: &str = "Replication / Standby Servers";
const PRESET: &str = "Preset Options";
const LOCALE: &str = "Client Connection Defaults / Locale and Formatting";
const STATEMENT: &str = "Client Connection Defaults / Statement Behavior";
const CONNECTIONS: &str = "Connections and Authentication / Connection Settings";

use Context::{Internal, Postmaster, Sighup, Superuser, User};

/// The parameters the playground knows, in `pg_settings` order (by name).
const PARAMS: &[Param] = &[
    param(
        "application_name",
        User,
        "string",
        Unit::None,
        "Reporting and Logging / What to Log",
        "Sets the application name to be reported in statistics and logs.",
        "",
    ),
    Param {
        session: false,
        ..param(
            "client_encoding",
            User,
            "string",
            Unit::None,
            LOCALE,
            "Sets the client's character set encoding.",
            "SQL_ASCII",
        )
    },
    Param {
        session: false,
        ..param(
            "DateStyle",
            User,
            "string",
            Unit::None,
            LOCALE,
            "Sets the display format for date and time values.",
            "ISO, MDY",
        )
    },
    Param {
        enumvals: "{serializable,\"repeatable read\",\"read committed\",\"read uncommitted\"}",
        session: false,
        ..param(
            "default_transaction_isolation",
            User,
            "enum",
            Unit::None,
            STATEMENT,
            "Sets the transaction isolation level of each new transaction.",
            "read committed",
        )
    },
    param(
        "hot_standby",
        Postmaster,
        "bool",
        Unit::None,
        STANDBY,
        "Allows connections and queries during recovery.",
        "on",
    ),
    param(
        "in_hot_standby",
        Internal,
        "bool",
        Unit::None,
        PRESET,
        "Shows whether hot standby is currently active.",
        "off",
    ),
    param(
        "is_superuser",
        Internal,
        "bool",
        Unit::None,
        PRESET,
        "Shows whether the current user is a superuser.",
        "off",
    ),
    param(
        "log_min_duration_statement",
        Superuser,
        "integer",
        Unit::Ms,
        "Reporting and Logging / When to Log",
        "Sets the minimum execution time above which all statements will be logged.",
        "-1",
    ),
    param(
        "max_connections",
        Postmaster,
        "integer",
        Unit::None,
        CONNECTIONS,
        "Sets the maximum number of concurrent connections.",
        "100",
    ),
    param(
        "max_wal_senders",
        Postmaster,
        "integer",
        Unit::None,
        SENDING,
        "Sets the maximum number of simultaneously running WAL sender processes.",
        "10",
    ),
    param(
        "port",
        Postmaster,
        "integer",
        Unit::None,
        CONNECTIONS,
        "Sets the TCP port the server listens on.",
        "5432",
    ),
    param(
        "primary_conninfo",
        Sighup,
        "string",
        Unit::None,
        STANDBY,
        "Sets the connection string to be used to connect to the sending server.",
        "",
    ),
    param(
        "recovery_min_apply_delay",
        Sighup,
        "integer",
        Unit::Ms,
        STANDBY,
        "Sets the minimum delay for applying changes during recovery.",
        "0",
    ),
    Param {
        session: false,
        ..param(
            "search_path",
            User,
            "string",
            Unit::None,
            STATEMENT,
            "Sets the schema search order for names that are not schema-qualified.",
            "\"$user\", public",
        )
    },
    param(
        "server_encoding",
        Internal,
        "string",
        Unit::None,
        PRESET,
        "Shows the server (database) encoding.",
        "SQL_ASCII",
    ),
    param(
        "server_version",
        Internal,
        "string",
        Unit::None,
        PRESET,
        "Shows the server version.",
        "16.4",
    ),
    param(
        "server_version_num",
        Internal,
        "integer",
        Unit::None,
        PRESET,
        "Shows the server version as an integer.",
        "160004",
    ),
    Param {
        enumvals: "{local,remote_write,remote_apply,on,off}",
        ..param(
            "synchronous_commit",
            User,
            "enum",
            Unit::None,
            WAL,
            "Sets the current transaction's synchronization level.",
            "on",
        )
    },
    param(
        "synchronous_standby_names",
        Sighup,
        "string",
        Unit::None,
        PRIMARY,
        "Number of synchronous standbys and list of names of potential synchronous ones.",
        "",
    ),
    Param {
        session: false,
        ..param(
            "TimeZone",
            User,
            "string",
            Unit::None,
            LOCALE,
            "Sets the time zone for displaying and interpreting time stamps.",
            "GMT",
        )
    },
    Param {
        enumvals: "{serializable,\"repeatable read\",\"read committed\",\"read uncommitted\"}",
        session: false,
        ..param(
            "transaction_isolation",
            User,
            "enum",
            Unit::None,
            STATEMENT,
            "Sets the current transaction's isolation level.",
            "read committed",
        )
    },
    Param {
        session: false,
        ..param(
            "transaction_read_only",
            User,
            "bool",
            Unit::None,
            STATEMENT,
            "Sets the current transaction's read-only status.",
            "off",
        )
    },
    param(
        "wal_keep_size",
        Sighup,
        "integer",
        Unit::Mb,
        SENDING,
        "Sets the size of WAL files held for standby servers.",
        "0",
    ),
    Param {
        enumvals: "{minimal,replica,logical}",
        ..param(
            "wal_level",
            Postmaster,
            "enum",
            Unit::None,
            WAL,
            "Sets the level of information written to the WAL.",
            "replica",
        )
    },
    param(
        "wal_retrieve_retry_interval",
        Sighup,
        "integer",
        Unit::Ms,
        STANDBY,
        "Sets the time to wait before retrying to retrieve WAL after a failed attempt.",
        "5000",
    ),
    param(
        "wal_sender_timeout",
        User,
        "integer",
        Unit::Ms,
        SENDING,
        "Sets the maximum time to wait for WAL replication.",
        "60000",
    ),
    param(
        "wal_writer_delay",
        Sighup,
        "integer",
        Unit::Ms,
        WAL,
        "Time between WAL flushes performed in the WAL writer.",
        "200",
    ),
];

/// The parameters `ALTER SYSTEM` + `pg_reload_conf()` change, as the cluster's settings.
const RELOADABLE: &[&str] = &[
    "synchronous_commit",
    "synchronous_standby_names",
    "wal_keep_size",
    "wal_writer_delay",
    "wal_sender_timeout",
    "wal_retrieve_retry_interval",
    "log_min_duration_statement",
];

/// Valid PostgreSQL parameters the playground does not model.
const UNMODELLED: &[&str] = &[
    "statement_timeout",
    "lock_timeout",
    "idle_in_transaction_session_timeout",
    "work_mem",
    "maintenance_work_mem",
    "shared_buffers",
    "effective_cache_size",
    "random_page_cost",
    "fsync",
    "full_page_writes",
    "hot_standby_feedback",
    "max_standby_streaming_delay",
    "max_replication_slots",
    "checkpoint_timeout",
    "max_wal_size",
    "archive_mode",
    "archive_command",
    "primary_slot_name",
    "enable_seqscan",
    "enable_indexscan",
    "jit",
    "log_statement",
    "client_min_messages",
    "extra_float_digits",
    "row_security",
];

fn lookup(name: &str) -> Option<&'static Param> {
    PARAMS.iter().find(|p| p.name.eq_ignore_ascii_case(name))
}

/// The error for a name that is no parameter the playground has.
fn unknown(name: &str) -> SqlError {
    if UNMODELLED.contains(&name) {
        SqlError::unsupported(format!("the setting {name}"))
    } else if name.starts_with("rpl_semi_sync") {
        unrecognized_parameter(name).hint(
            "rpl_semi_sync_* are MySQL's variables, not PostgreSQL's: set them with a script line such as `set rpl_semi_sync_source_enabled = on`.",
        )
    } else {
        unrecognized_parameter(name)
    }
}

fn cannot_change(param: &Param) -> SqlError {
    let name = param.name;
    match param.context {
        Context::Internal => {
            SqlError::new("55P02", format!("parameter \"{name}\" cannot be changed"))
        }
        Context::Postmaster => SqlError::new(
            "55P02",
            format!("parameter \"{name}\" cannot be changed without restarting the server"),
        ),
        _ => SqlError::new("55P02", format!("parameter \"{name}\" cannot be changed now")),
    }
}

/// A duration as `SHOW` prints it: the largest unit that divides it (`1min`, `5s`, `200ms`).
pub fn show_ms(ms: i64) -> String {
    const UNITS: [(i64, &str); 4] =
        [(86_400_000, "d"), (3_600_000, "h"), (60_000, "min"), (1_000, "s")];
    if ms <= 0 {
        return ms.to_string();
    }
    UNITS
        .iter()
        .find(|(size, _)| ms % size == 0)
        .map_or(format!("{ms}ms"), |(size, unit)| format!("{}{unit}", ms / size))
}

/// A size in MB as `SHOW` prints it (`16MB`, `1GB`).
fn show_mb(mb: i64) -> String {
    match mb {
        mb if mb > 0 && mb % (1 << 20) == 0 => format!("{}TB", mb >> 20),
        mb if mb > 0 && mb % (1 << 10) == 0 => format!("{}GB", mb >> 10),
        0 => "0".to_string(),
        mb => format!("{mb}MB"),
    }
}

/// Parses a value in `unit`: a number with an optional unit suffix, as PostgreSQL does.
fn parse_in_unit(param: &Param, value: &str) -> Result<i64, SqlError> {
    let invalid = || invalid_value(param.name, value);
    let text = value.trim();
    let split = text.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    let number: f64 = number.trim().parse().map_err(|_| invalid())?;
    let scale = match (param.unit, suffix.trim()) {
        (_, "") => 1.0,
        (Unit::Ms, "us") => 0.001,
        (Unit::Ms, "ms") => 1.0,
        (Unit::Ms, "s") => 1_000.0,
        (Unit::Ms, "min") => 60_000.0,
        (Unit::Ms, "h") => 3_600_000.0,
        (Unit::Ms, "d") => 86_400_000.0,
        (Unit::Mb, "kB") => 1.0 / 1024.0,
        (Unit::Mb, "MB") => 1.0,
        (Unit::Mb, "GB") => 1024.0,
        (Unit::Mb, "TB") => 1024.0 * 1024.0,
        (Unit::Ms, _) => return Err(invalid().hint(
            "Valid units for this parameter are \"us\", \"ms\", \"s\", \"min\", \"h\", and \"d\".",
        )),
        (Unit::Mb, _) => {
            return Err(invalid().hint(
                "Valid units for this parameter are \"B\", \"kB\", \"MB\", \"GB\", and \"TB\".",
            ))
        }
        (Unit::None, _) => return Err(invalid()),
    };
    let scaled = (number * scale).round();
    if !scaled.is_finite() || scaled.abs() > f64::from(i32::MAX) {
        return Err(invalid());
    }
    let scaled = scaled as i64;
    let (min, max) = match param.name {
        "log_min_duration_statement" => (-1, i64::from(i32::MAX)),
        "wal_writer_delay" => (1, 10_000),
        "wal_retrieve_retry_interval" => (1, i64::from(i32::MAX)),
        _ => (0, i64::from(i32::MAX)),
    };
    if !(min..=max).contains(&scaled) {
        let unit = match param.unit {
            Unit::Ms => " ms",
            Unit::Mb => " MB",
            Unit::None => "",
        };
        return Err(SqlError::new(
            "22023",
            format!(
                "{scaled}{unit} is outside the valid range for parameter \"{}\" ({min}{unit} .. {max}{unit})",
                param.name
            ),
        ));
    }
    Ok(scaled)
}

fn invalid_value(name: &str, value: &str) -> SqlError {
    SqlError::new("22023", format!("invalid value for parameter \"{name}\": \"{value}\""))
}

/// A value checked for `param`, in the form the cluster's settings take (`200ms`, `16MB`).
fn checked_value(param: &Param, value: &str) -> Result<String, SqlError> {
    match param.unit {
        Unit::Ms => {
            let ms = parse_in_unit(param, value)?;
            Ok(if ms < 0 { "-1".to_string() } else { format!("{ms}ms") })
        }
        Unit::Mb => Ok(format!("{}MB", parse_in_unit(param, value)?)),
        Unit::None => match param.name {
            "synchronous_commit" => {
                value.parse::<super::super::commit::SyncCommit>().map_err(|_| {
                    invalid_value(param.name, value)
                        .hint("Available values: local, remote_write, remote_apply, on, off.")
                })?;
                Ok(value.to_string())
            }
            "synchronous_standby_names" => {
                super::super::commit::StandbyNames::parse(value)
                    .map_err(|e| invalid_value(param.name, value).detail(e.to_string()))?;
                Ok(value.to_string())
            }
            _ => Ok(value.to_string()),
        },
    }
}

impl Cluster {
    /// Runs `SET`/`SHOW`/`RESET`/`ALTER SYSTEM`/`CHECKPOINT` for `session` on `node`.
    pub(super) fn run_utility(
        &mut self,
        node: NodeId,
        session: &str,
        utility: &Utility,
    ) -> Result<Outcome, SqlError> {
        let in_transaction =
            self.nodes[node.0].sessions.get(session).is_some_and(|s| s.in_transaction());
        match utility {
            Utility::Show { name } if name == "all" => Ok(self.show_all(node, session)),
            Utility::Show { name } => {
                let param = lookup(name).ok_or_else(|| unknown(name))?;
                let value = self.shown(param, node, session);
                Ok(Outcome::rows(
                    "SHOW",
                    vec![param.name.to_string()],
                    vec![Row::from([Value::text(value)])],
                ))
            }
            Utility::Set { .. } | Utility::Reset { .. } if in_transaction => {
                self.remember_settings(session);
                self.set_or_reset(session, utility)
            }
            Utility::Set { .. } | Utility::Reset { .. } => self.set_or_reset(session, utility),
            Utility::AlterSystem { .. } if in_transaction => {
                Err(SqlError::new("25001", "ALTER SYSTEM cannot run inside a transaction block"))
            }
            Utility::AlterSystem { name, value } => self.alter_system(node, name, value.as_deref()),
            Utility::Checkpoint => {
                if self.nodes[node.0].role == Role::Primary {
                    self.checkpoint();
                }
                Ok(Outcome::tag("CHECKPOINT"))
            }
        }
    }

    fn set_or_reset(&mut self, session: &str, utility: &Utility) -> Result<Outcome, SqlError> {
        match utility {
            Utility::Set { name, value } => self.set_for_session(session, name, value.as_deref()),
            Utility::Reset { name } => self.reset_for_session(session, name),
            _ => unreachable!("only SET and RESET come here"),
        }
    }

    /// The first `SET` in a transaction block remembers the session's settings, which a
    /// `ROLLBACK` restores: in PostgreSQL a rolled-back `SET` is undone too.
    fn remember_settings(&mut self, session: &str) {
        let state = self.sessions.get_or_default(session);
        if state.gucs_before_txn.is_none() {
            state.gucs_before_txn = Some((state.gucs.clone(), state.commit));
        }
    }

    /// A transaction block ended: its `SET`s stay if it committed, are undone if not.
    pub(super) fn end_settings_transaction(&mut self, session: &str, committed: bool) {
        let Some(state) = self.sessions.get_mut(session) else { return };
        if let Some((gucs, commit)) = state.gucs_before_txn.take() {
            if !committed {
                state.gucs = gucs;
                state.commit = commit;
            }
        }
    }

    fn set_for_session(
        &mut self,
        session: &str,
        name: &str,
        value: Option<&str>,
    ) -> Result<Outcome, SqlError> {
        let param = lookup(name).ok_or_else(|| unknown(name))?;
        if !param.context.session_settable() {
            return Err(cannot_change(param));
        }
        if param.name == "log_min_duration_statement" {
            return Err(SqlError::unsupported(
                "SET log_min_duration_statement for one session (the slow-query log is the cluster's: ALTER SYSTEM SET log_min_duration_statement = … and SELECT pg_reload_conf())",
            ));
        }
        let Some(value) = value else { return self.reset_for_session(session, name) };
        if !param.session {
            let current = self.shown(param, self.primary(), session);
            if !value.eq_ignore_ascii_case(&current) {
                return Err(SqlError::unsupported(format!("{} other than {current}", param.name)));
            }
            return Ok(Outcome::tag("SET"));
        }
        let value = checked_value(param, value)?;
        if param.name == "synchronous_commit" {
            let mode = value.parse().map_err(|_| invalid_value(param.name, &value))?;
            self.set_session_commit(session, Some(mode));
        }
        let stored = match param.unit {
            Unit::Ms => parse_in_unit(param, &value)?.to_string(),
            _ => value,
        };
        self.sessions
            .entry(session.to_string())
            .or_default()
            .gucs
            .insert(param.name.to_string(), stored);
        Ok(Outcome::tag("SET"))
    }

    fn reset_for_session(&mut self, session: &str, name: &str) -> Result<Outcome, SqlError> {
        let entry = self.sessions.get_or_default(session);
        if name == "all" {
            entry.gucs.clear();
            entry.commit = None;
            return Ok(Outcome::tag("RESET"));
        }
        let param = lookup(name).ok_or_else(|| unknown(name))?;
        if !param.context.session_settable() {
            return Err(cannot_change(param));
        }
        entry.gucs.remove(param.name);
        if param.name == "synchronous_commit" {
            entry.commit = None;
        }
        Ok(Outcome::tag("RESET"))
    }

    fn alter_system(
        &mut self,
        node: NodeId,
        name: &str,
        value: Option<&str>,
    ) -> Result<Outcome, SqlError> {
        if self.nodes[node.0].role == Role::Replica {
            return Err(SqlError::unsupported(
                "ALTER SYSTEM on a standby (the playground's settings are the cluster's: run it on the primary)",
            ));
        }
        if name == "all" {
            for name in RELOADABLE {
                self.auto_conf.insert(name.to_string(), None);
            }
            return Ok(Outcome::tag("ALTER SYSTEM"));
        }
        let param = lookup(name).ok_or_else(|| unknown(name))?;
        if param.context == Context::Internal {
            return Err(cannot_change(param));
        }
        if !RELOADABLE.contains(&param.name) {
            return Err(SqlError::unsupported(format!("ALTER SYSTEM SET {}", param.name)));
        }
        let value = value.map(|v| checked_value(param, v)).transpose()?;
        self.auto_conf.insert(param.name.to_string(), value);
        Ok(Outcome::tag("ALTER SYSTEM"))
    }

    /// `pg_reload_conf()`: what `ALTER SYSTEM` wrote takes effect; a reset parameter returns
    /// to the value the cluster started with.
    pub(super) fn reload_conf(&mut self) {
        let pending = std::mem::take(&mut self.auto_conf);
        for (name, value) in pending {
            let value = match value {
                Some(value) => value,
                None => status::show_setting(&self.config.settings, &name).unwrap_or_default(),
            };
            let current = status::show_setting(&self.settings, &name).unwrap_or_default();
            if current == value {
                continue;
            }
            let applied = self.set(&name, &value);
            assert!(applied.is_ok(), "a value ALTER SYSTEM checked applies: {name} = {value}");
        }
    }

    /// A parameter's value as `SHOW` prints it, for `session` on `node`.
    fn shown(&self, param: &Param, node: NodeId, session: &str) -> String {
        let raw = self.raw_value(param, node, session);
        match (param.unit, raw.parse::<i64>()) {
            (Unit::Ms, Ok(ms)) => show_ms(ms),
            (Unit::Mb, Ok(mb)) => show_mb(mb),
            _ => raw,
        }
    }

    /// A parameter's value in its unit, as `pg_settings.setting` shows it.
    fn raw_value(&self, param: &Param, node: NodeId, session: &str) -> String {
        if let Some(value) = self.sessions.get(session).and_then(|s| s.gucs.get(param.name)) {
            return value.clone();
        }
        self.server_value(param, node)
    }

    /// A parameter's value for the server, without a session's `SET`.
    fn server_value(&self, param: &Param, node: NodeId) -> String {
        let settings = &self.settings;
        let on_off = |b: bool| if b { "on" } else { "off" }.to_string();
        let ms = |ms: Millis| ms.to_string();
        let standby = self.nodes[node.0].role == Role::Replica;
        match param.name {
            "application_name" => "psql".to_string(),
            "client_encoding" | "server_encoding" => "UTF8".to_string(),
            "TimeZone" => "UTC".to_string(),
            "default_transaction_isolation" | "transaction_isolation" => {
                "repeatable read".to_string()
            }
            "in_hot_standby" | "transaction_read_only" => on_off(standby),
            "is_superuser" => "on".to_string(),
            "log_min_duration_statement" => {
                settings.log_min_duration_statement_ms.map_or("-1".to_string(), ms)
            }
            "primary_conninfo" if standby => format!(
                "host={} port=5432 user=replicator application_name={}",
                self.primary(),
                node
            ),
            "recovery_min_apply_delay" => ms(self.nodes[node.0].apply_delay_ms),
            "synchronous_commit" => settings.synchronous_commit.to_string(),
            "synchronous_standby_names" => {
                let names = settings.synchronous_standby_names.to_string();
                if names == "''" {
                    String::new()
                } else {
                    names
                }
            }
            "wal_keep_size" => (settings.wal_keep_size_bytes >> 20).to_string(),
            "wal_retrieve_retry_interval" => ms(settings.wal_retrieve_retry_interval_ms),
            "wal_sender_timeout" => ms(settings.wal_sender_timeout_ms),
            "wal_writer_delay" => ms(settings.wal_writer_delay_ms),
            _ => param.boot.to_string(),
        }
    }

    /// `SHOW ALL`: name, setting, description.
    fn show_all(&self, node: NodeId, session: &str) -> Outcome {
        let rows = PARAMS
            .iter()
            .map(|p| {
                Row::from([
                    Value::text(p.name),
                    Value::text(self.shown(p, node, session)),
                    Value::text(p.short_desc),
                ])
            })
            .collect();
        Outcome::rows("SHOW", vec!["name".into(), "setting".into(), "description".into()], rows)
    }

    /// Every parameter as `SHOW` prints it, by lower-case name (for `current_setting()`).
    pub(super) fn shown_settings(&self, node: NodeId, session: &str) -> Vec<(String, String)> {
        PARAMS.iter().map(|p| (p.name.to_ascii_lowercase(), self.shown(p, node, session))).collect()
    }

    /// The rows of `pg_settings` for `session` on `node`.
    pub(super) fn pg_settings_rows(&self, node: NodeId, session: &str) -> Vec<Vec<Value>> {
        let text = |s: &str| if s.is_empty() { Value::Null } else { Value::text(s) };
        PARAMS
            .iter()
            .map(|p| {
                let setting = self.raw_value(p, node, session);
                let reset = self.server_value(p, node);
                let overridden =
                    self.sessions.get(session).is_some_and(|s| s.gucs.contains_key(p.name));
                let source = if overridden {
                    "session"
                } else if p.context == Context::Internal {
                    "override"
                } else if reset != p.boot {
                    "configuration file"
                } else {
                    "default"
                };
                let unit = match p.unit {
                    Unit::None => "",
                    Unit::Ms => "ms",
                    Unit::Mb => "MB",
                };
                vec![
                    Value::text(p.name),
                    Value::text(setting),
                    text(unit),
                    Value::text(p.category),
                    Value::text(p.short_desc),
                    Value::Null,
                    Value::text(p.context.as_str()),
                    Value::text(p.vartype),
                    Value::text(source),
                    Value::Null,
                    Value::Null,
                    text(p.enumvals),
                    Value::text(p.boot),
                    Value::text(reset),
                    Value::Null,
                    Value::Null,
                    Value::Bool(false),
                ]
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_show_in_their_largest_exact_unit() {
        assert_eq!(show_ms(60_000), "1min");
        assert_eq!(show_ms(5_000), "5s");
        assert_eq!(show_ms(200), "200ms");
        assert_eq!(show_ms(1_500), "1500ms");
        assert_eq!(show_ms(-1), "-1");
        assert_eq!(show_ms(0), "0");
        assert_eq!(show_mb(16), "16MB");
        assert_eq!(show_mb(1024), "1GB");
    }

    #[test]
    fn values_parse_with_postgres_units() {
        let delay = lookup("wal_writer_delay").unwrap();
        assert_eq!(parse_in_unit(delay, "1s").unwrap(), 1_000);
        assert_eq!(parse_in_unit(delay, "250").unwrap(), 250);
        assert_eq!(
            parse_in_unit(delay, "0").unwrap_err().message,
            "0 ms is outside the valid range for parameter \"wal_writer_delay\" (1 ms .. 10000 ms)"
        );
        assert!(parse_in_unit(delay, "fast").is_err());
        let keep = lookup("wal_keep_size").unwrap();
        assert_eq!(parse_in_unit(keep, "1GB").unwrap(), 1024);
        assert!(parse_in_unit(keep, "1 parsec").unwrap_err().message.contains("Valid units"));
    }
}
