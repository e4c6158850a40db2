//! What the server tells a statement about itself: the system views (`pg_stat_replication`,
//! `pg_settings`, …), its settings (`current_setting()`), its recovery state, and the
//! functions that act on the server (`pg_promote()`, `pg_wal_replay_pause()`, `pg_sleep()`).
//!
//! The SQL engine knows nothing of replication. The cluster builds a [`Catalog`] for a
//! statement that needs one ([`needs_catalog`]) and passes it in [`Env::catalog`]; functions
//! that act on the server leave a [`Request`] in it, which the cluster carries out after the
//! statement ran:
//!
//! ```text
//!   cluster ──Catalog{views, settings, recovery}──► execute ──► rows
//!           ◄──────────requests: [PauseReplay]─────────┘
//! ```

use std::cell::RefCell;

use super::error::SqlError;
use super::functions::format_lsn;
use super::numeric::Numeric;
use super::schema::{ColumnSchema, DataType, TableSchema};
use super::storage::Table;
use super::time::Timestamp;
use super::value::{Row, Value};
use super::Env;

/// The system views the catalog can hold; writes to them are refused as PostgreSQL does.
pub const SYSTEM_VIEWS: &[&str] =
    &["pg_stat_replication", "pg_stat_wal_receiver", "pg_stat_activity", "pg_settings"];

/// A system view, materialised for one statement.
#[derive(Clone, Debug)]
pub struct View {
    pub(super) table: Table,
}

impl View {
    /// A view named `name` with typed columns and its rows (each as long as `columns`).
    pub fn new(name: &str, columns: &[(&str, DataType)], rows: Vec<Vec<Value>>) -> Self {
        let schema = TableSchema {
            name: name.into(),
            columns: columns
                .iter()
                .map(|(name, data_type)| ColumnSchema {
                    name: name.to_string(),
                    data_type: data_type.clone(),
                    not_null: false,
                    default: None,
                    sequence: None,
                })
                .collect(),
            indexes: Vec::new(),
        };
        for row in &rows {
            assert_eq!(row.len(), columns.len(), "a row of {name} has one value per column");
        }
        View { table: Table::with_rows(schema, rows.into_iter().map(Row::from).collect()) }
    }

    /// The view's name.
    pub fn name(&self) -> &str {
        &self.table.schema.name
    }
}

/// Where a standby's WAL replay stands (`pg_get_wal_replay_pause_state()`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReplayPause {
    #[default]
    NotPaused,
    Paused,
}

/// Something a function asked the server to do, carried out once the statement ran.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    /// `pg_promote()`.
    Promote,
    /// `pg_wal_replay_pause()`.
    PauseReplay,
    /// `pg_wal_replay_resume()`.
    ResumeReplay,
    /// `pg_reload_conf()`.
    ReloadConf,
    /// `pg_sleep(s)`: the statement takes this much longer.
    Sleep { ms: u64 },
    /// `pg_cancel_backend(pid)` of a client connection on this server.
    CancelBackend { pid: i64 },
}

/// The server's side of a statement.
#[derive(Debug, Default)]
pub struct Catalog {
    /// System views, by name.
    pub views: Vec<View>,
    /// Every setting as `SHOW` prints it, by lower-case name.
    pub settings: Vec<(String, String)>,
    /// This connection's process id (`pg_backend_pid()`).
    pub backend_pid: i64,
    /// On a standby: how far WAL has been received (`pg_last_wal_receive_lsn()`).
    pub receive_lsn: Option<u64>,
    /// On a standby: the commit time of the last transaction replayed.
    pub last_replay: Option<Timestamp>,
    /// On a standby: whether replay is paused.
    pub pause: ReplayPause,
    /// The client connections' process ids (`pg_cancel_backend()` accepts these).
    pub client_pids: Vec<i64>,
    /// What functions asked the server to do, in call order.
    pub requests: RefCell<Vec<Request>>,
    /// `WARNING:` lines functions raised, for the statement's output.
    pub notices: RefCell<Vec<String>>,
}

impl Catalog {
    /// A view by name.
    pub fn view(&self, name: &str) -> Option<&View> {
        self.views.iter().find(|v| v.name() == name)
    }

    /// A setting's value as `SHOW` prints it.
    pub fn setting(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.settings.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }

    /// The requests functions made, taking them out.
    pub fn take_requests(&self) -> Vec<Request> {
        self.requests.take()
    }
}

/// Whether a statement's text may need the catalog: it names a `pg_` view or function, or
/// `current_setting`. A false positive only costs building the catalog.
pub fn needs_catalog(sql: &str) -> bool {
    // Every statement is asked this: look closer only at underscores (both names hold one).
    let bytes = sql.as_bytes();
    let holds_at = |start: Option<usize>, word: &[u8]| {
        let range = start.map(|start| start..start + word.len());
        range.and_then(|r| bytes.get(r)).is_some_and(|w| w.eq_ignore_ascii_case(word))
    };
    let underscores = bytes.iter().enumerate().filter(|(_, &b)| b == b'_');
    underscores.map(|(at, _)| at).any(|at| {
        holds_at(at.checked_sub(2), b"pg_") || holds_at(at.checked_sub(7), b"current_setting")
    })
}

/// PostgreSQL catalogs and views the playground does not model, with what to use instead.
const UNMODELLED_VIEWS: &[(&str, &str)] = &[
    ("pg_replication_slots", "replication slots are not modelled: wal_keep_size decides what WAL a standby can still get"),
    ("pg_stat_database", "use pg_stat_activity and the monitoring charts"),
    ("pg_stat_user_tables", "the page's node cards show each table's rows"),
    ("pg_stat_statements", "the slow-query log shows statements over log_min_duration_statement"),
    ("pg_stat_wal", "pg_current_wal_lsn() and pg_stat_replication show WAL positions"),
    ("pg_stat_bgwriter", "there is no buffer cache in the playground"),
    ("pg_stat_archiver", "WAL archiving is not modelled"),
    ("pg_locks", "locks are not modelled: transactions conflict at COMMIT"),
    ("pg_class", "system catalogs are not modelled"),
    ("pg_tables", "system catalogs are not modelled"),
    ("pg_indexes", "system catalogs are not modelled"),
    ("pg_namespace", "system catalogs are not modelled"),
    ("pg_database", "the playground has one database"),
    ("pg_roles", "the playground has one user, postgres"),
    ("pg_user", "the playground has one user, postgres"),
];

/// PostgreSQL functions the playground does not model.
const UNMODELLED_FUNCTIONS: &[&str] = &[
    "pg_switch_wal",
    "pg_create_physical_replication_slot",
    "pg_drop_replication_slot",
    "pg_create_restore_point",
    "pg_backup_start",
    "pg_backup_stop",
    "pg_terminate_backend",
    "pg_current_wal_flush_lsn",
    "pg_current_wal_insert_lsn",
    "pg_walfile_name",
    "pg_size_pretty",
    "pg_relation_size",
    "pg_total_relation_size",
    "pg_database_size",
    "pg_table_size",
    "pg_postmaster_start_time",
    "pg_conf_load_time",
    "txid_current",
    "pg_current_xact_id",
];

/// Why a valid PostgreSQL relation the playground lacks is not supported, if it is one.
pub fn unmodelled_view(name: &str) -> Option<String> {
    UNMODELLED_VIEWS.iter().find(|(n, _)| *n == name).map(|(n, why)| format!("{n} ({why})"))
}

/// Why a valid PostgreSQL function the playground lacks is not supported, if it is one.
pub fn unmodelled_function(name: &str) -> Option<String> {
    UNMODELLED_FUNCTIONS.contains(&name).then(|| format!("the function {name}()"))
}

/// `ERROR: cannot insert into view "pg_settings"` for a write to a system view.
pub fn refuse_write(table: &str, verb: &str) -> Option<SqlError> {
    SYSTEM_VIEWS.contains(&table).then(|| {
        SqlError::new("55000", format!("cannot {verb} view \"{table}\"")).detail(
            "Views that do not select from a single table or view are not automatically updatable.",
        )
    })
}

/// Parses an LSN as PostgreSQL writes it (`0/3000148`).
pub fn parse_lsn(text: &str) -> Result<u64, SqlError> {
    let invalid =
        || SqlError::new("22P02", format!("invalid input syntax for type pg_lsn: \"{text}\""));
    let (high, low) = text.split_once('/').ok_or_else(invalid)?;
    let part = |s: &str| {
        (!s.is_empty() && s.len() <= 8).then(|| u32::from_str_radix(s, 16).ok()).flatten()
    };
    match (part(high), part(low)) {
        (Some(high), Some(low)) => Ok((u64::from(high) << 32) | u64::from(low)),
        _ => Err(invalid()),
    }
}

fn catalog<'a>(env: &'a Env, function: &str) -> Result<&'a Catalog, SqlError> {
    env.catalog
        .as_deref()
        .ok_or_else(|| SqlError::unsupported(format!("{function}() outside a server")))
}

/// PostgreSQL's refusal of a recovery-control function on a primary.
fn not_in_recovery() -> SqlError {
    SqlError::new("55000", "recovery is not in progress")
        .hint("Recovery control functions can only be executed during recovery.")
}

fn request(env: &Env, function: &str, request: Request) -> Result<(), SqlError> {
    catalog(env, function)?.requests.borrow_mut().push(request);
    Ok(())
}

fn recovery_catalog<'a>(env: &'a Env, function: &str) -> Result<&'a Catalog, SqlError> {
    let catalog = catalog(env, function)?;
    if !env.in_recovery {
        return Err(not_in_recovery());
    }
    Ok(catalog)
}

fn text(value: Option<&Value>) -> String {
    value.map(Value::to_string).unwrap_or_default()
}

/// `current_setting(name [, missing_ok])`.
pub fn current_setting(args: &[Value], env: &Env) -> Result<Value, SqlError> {
    let name = text(args.first());
    let missing_ok = matches!(args.get(1), Some(Value::Bool(true)));
    match catalog(env, "current_setting")?.setting(&name) {
        Some(value) => Ok(Value::text(value)),
        None if missing_ok => Ok(Value::Null),
        None => Err(unrecognized_parameter(&name)),
    }
}

/// `ERROR: unrecognized configuration parameter "x"`.
pub fn unrecognized_parameter(name: &str) -> SqlError {
    SqlError::new("42704", format!("unrecognized configuration parameter \"{name}\""))
}

pub fn pg_backend_pid(_: &[Value], env: &Env) -> Result<Value, SqlError> {
    Ok(Value::Int(catalog(env, "pg_backend_pid")?.backend_pid))
}

pub fn pg_last_wal_receive_lsn(_: &[Value], env: &Env) -> Result<Value, SqlError> {
    let catalog = catalog(env, "pg_last_wal_receive_lsn")?;
    Ok(match catalog.receive_lsn {
        Some(lsn) if env.in_recovery => Value::text(format_lsn(lsn)),
        _ => Value::Null,
    })
}

pub fn pg_last_xact_replay_timestamp(_: &[Value], env: &Env) -> Result<Value, SqlError> {
    let catalog = catalog(env, "pg_last_xact_replay_timestamp")?;
    Ok(match catalog.last_replay {
        Some(at) if env.in_recovery => Value::Timestamp(at),
        _ => Value::Null,
    })
}

pub fn pg_is_wal_replay_paused(_: &[Value], env: &Env) -> Result<Value, SqlError> {
    let catalog = recovery_catalog(env, "pg_is_wal_replay_paused")?;
    Ok(Value::Bool(catalog.pause == ReplayPause::Paused))
}

pub fn pg_get_wal_replay_pause_state(_: &[Value], env: &Env) -> Result<Value, SqlError> {
    let catalog = recovery_catalog(env, "pg_get_wal_replay_pause_state")?;
    Ok(Value::text(match catalog.pause {
        ReplayPause::NotPaused => "not paused",
        ReplayPause::Paused => "paused",
    }))
}

pub fn pg_wal_replay_pause(_: &[Value], env: &Env) -> Result<Value, SqlError> {
    recovery_catalog(env, "pg_wal_replay_pause")?;
    request(env, "pg_wal_replay_pause", Request::PauseReplay)?;
    Ok(Value::Null)
}

pub fn pg_wal_replay_resume(_: &[Value], env: &Env) -> Result<Value, SqlError> {
    recovery_catalog(env, "pg_wal_replay_resume")?;
    request(env, "pg_wal_replay_resume", Request::ResumeReplay)?;
    Ok(Value::Null)
}

/// `pg_promote(wait DEFAULT true, wait_seconds DEFAULT 60)`: the promotion happens at once.
pub fn pg_promote(args: &[Value], env: &Env) -> Result<Value, SqlError> {
    recovery_catalog(env, "pg_promote")?;
    if let Some(Value::Int(seconds)) = args.get(1) {
        if *seconds <= 0 {
            return Err(SqlError::new("22023", "\"wait_seconds\" must be greater than zero"));
        }
    }
    request(env, "pg_promote", Request::Promote)?;
    Ok(Value::Bool(true))
}

pub fn pg_reload_conf(_: &[Value], env: &Env) -> Result<Value, SqlError> {
    request(env, "pg_reload_conf", Request::ReloadConf)?;
    Ok(Value::Bool(true))
}

/// `pg_sleep(seconds)`: the statement waits that long in simulated time.
pub fn pg_sleep(args: &[Value], env: &Env) -> Result<Value, SqlError> {
    let Some(seconds) = args.first() else { return Ok(Value::Null) };
    let seconds = super::functions::numeric_arg(seconds, "pg_sleep")?;
    let ms = seconds.to_string().parse::<f64>().map_or(0.0, |s| (s * 1000.0).max(0.0));
    // At most a simulated day: a longer sleep is a typo, not a lesson.
    let ms = ms.min(86_400_000.0) as u64;
    request(env, "pg_sleep", Request::Sleep { ms })?;
    Ok(Value::Null)
}

/// `pg_cancel_backend(pid)`: true if `pid` is a client connection here (its statement in
/// progress is cancelled), else PostgreSQL's warning and false.
pub fn pg_cancel_backend(args: &[Value], env: &Env) -> Result<Value, SqlError> {
    let pid = match args.first() {
        Some(Value::Int(pid)) => *pid,
        Some(other) => {
            return Err(SqlError::undefined_function(&format!(
                "pg_cancel_backend({})",
                other.type_name()
            )))
        }
        None => return Ok(Value::Null),
    };
    let catalog = catalog(env, "pg_cancel_backend")?;
    if !catalog.client_pids.contains(&pid) {
        let warning = format!("WARNING:  PID {pid} is not a PostgreSQL backend process");
        catalog.notices.borrow_mut().push(warning);
        return Ok(Value::Bool(false));
    }
    catalog.requests.borrow_mut().push(Request::CancelBackend { pid });
    Ok(Value::Bool(true))
}

/// `pg_wal_lsn_diff(a, b)`: bytes from b to a, as numeric.
pub fn pg_wal_lsn_diff(args: &[Value], _: &Env) -> Result<Value, SqlError> {
    let (a, b) = (parse_lsn(&text(args.first()))?, parse_lsn(&text(args.get(1)))?);
    let diff = i128::from(a) - i128::from(b);
    let diff = i64::try_from(diff).map_err(|_| SqlError::integer_out_of_range("bigint"))?;
    Ok(Value::Numeric(Numeric::from_i64(diff)))
}
