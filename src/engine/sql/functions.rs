//! Built-in scalar functions: one table, one line per function.
//!
//! ```text
//!   name                      args     implementation
//!   "now"                     0..=0    the simulated clock (Env::now)
//!   "pg_is_in_recovery"       0..=0    true on a replica
//!   "lower"                   1..=1    ...
//! ```
//!
//! Adding a function is one line in [`FUNCTIONS`] plus, if it is new logic,
//! a small `fn(&[Value], &Env) -> Result<Value, SqlError>`. Arguments arrive
//! evaluated; unless a function says otherwise in [`Function::null_in_null_out`],
//! a NULL argument makes the result NULL without calling it (PostgreSQL's
//! `STRICT`).
//!
//! Aggregates (`count`, `sum`, `avg`, `min`, `max`) are not here: they consume
//! many rows and live in the query executor.

use super::builtins;
use super::catalog;
use super::error::SqlError;
use super::numeric::Numeric;
use super::value::Value;
use super::Env;

/// A scalar function's implementation.
pub type FunctionImpl = fn(&[Value], &Env) -> Result<Value, SqlError>;

/// One built-in function.
pub struct Function {
    /// Lower-case name.
    pub name: &'static str,
    /// Fewest arguments accepted.
    pub min_args: usize,
    /// Most arguments accepted.
    pub max_args: usize,
    /// STRICT: any NULL argument gives NULL without calling `eval`.
    pub null_in_null_out: bool,
    /// The implementation.
    pub eval: FunctionImpl,
}

const MANY: usize = usize::MAX;

const fn strict(
    name: &'static str,
    min_args: usize,
    max_args: usize,
    eval: FunctionImpl,
) -> Function {
    Function { name, min_args, max_args, null_in_null_out: true, eval }
}

const fn lenient(
    name: &'static str,
    min_args: usize,
    max_args: usize,
    eval: FunctionImpl,
) -> Function {
    Function { name, min_args, max_args, null_in_null_out: false, eval }
}

/// Every scalar function the playground knows.
pub const FUNCTIONS: &[Function] = &[
    strict("now", 0, 0, now),
    strict("current_timestamp", 0, 0, now),
    strict("localtimestamp", 0, 0, now),
    strict("current_date", 0, 0, current_date),
    strict("transaction_timestamp", 0, 0, now),
    strict("statement_timestamp", 0, 0, now),
    strict("pg_is_in_recovery", 0, 0, pg_is_in_recovery),
    strict("pg_current_wal_lsn", 0, 0, pg_current_wal_lsn),
    strict("pg_last_wal_replay_lsn", 0, 0, pg_last_wal_replay_lsn),
    strict("version", 0, 0, version),
    strict("lower", 1, 1, lower),
    strict("upper", 1, 1, upper),
    strict("length", 1, 1, length),
    strict("char_length", 1, 1, length),
    strict("abs", 1, 1, abs),
    strict("round", 1, 2, round),
    lenient("coalesce", 1, MANY, coalesce),
    lenient("nullif", 2, 2, nullif),
    lenient("greatest", 1, MANY, greatest),
    lenient("least", 1, MANY, least),
    lenient("concat", 1, MANY, concat),
    strict("current_setting", 1, 2, catalog::current_setting),
    strict("pg_backend_pid", 0, 0, catalog::pg_backend_pid),
    strict("pg_last_wal_receive_lsn", 0, 0, catalog::pg_last_wal_receive_lsn),
    strict("pg_last_xact_replay_timestamp", 0, 0, catalog::pg_last_xact_replay_timestamp),
    strict("pg_is_wal_replay_paused", 0, 0, catalog::pg_is_wal_replay_paused),
    strict("pg_get_wal_replay_pause_state", 0, 0, catalog::pg_get_wal_replay_pause_state),
    strict("pg_wal_replay_pause", 0, 0, catalog::pg_wal_replay_pause),
    strict("pg_wal_replay_resume", 0, 0, catalog::pg_wal_replay_resume),
    strict("pg_promote", 0, 2, catalog::pg_promote),
    strict("pg_reload_conf", 0, 0, catalog::pg_reload_conf),
    strict("pg_sleep", 1, 1, catalog::pg_sleep),
    strict("pg_cancel_backend", 1, 1, catalog::pg_cancel_backend),
    strict("pg_wal_lsn_diff", 2, 2, catalog::pg_wal_lsn_diff),
    strict("replace", 3, 3, builtins::replace),
    strict("repeat", 2, 2, builtins::repeat),
    strict("substring", 2, 3, builtins::substring),
    strict("substr", 2, 3, builtins::substring),
    strict("strpos", 2, 2, builtins::strpos),
    strict("position", 2, 2, builtins::strpos),
    strict("btrim", 1, 2, builtins::btrim),
    strict("ltrim", 1, 2, builtins::ltrim),
    strict("rtrim", 1, 2, builtins::rtrim),
    strict("extract", 2, 2, builtins::extract),
    strict("date_part", 2, 2, builtins::extract),
    strict("to_char", 2, 2, builtins::to_char),
    strict("current_user", 0, 0, builtins::current_user),
    strict("session_user", 0, 0, builtins::current_user),
    strict("current_role", 0, 0, builtins::current_user),
    strict("current_catalog", 0, 0, builtins::current_user),
    strict("current_database", 0, 0, builtins::current_user),
];

/// Looks a function up by lower-case name.
pub fn lookup(name: &str) -> Option<&'static Function> {
    FUNCTIONS.iter().find(|f| f.name == name)
}

/// Calls `function` on evaluated arguments (arity was checked when binding).
pub fn call(function: &Function, args: &[Value], env: &Env) -> Result<Value, SqlError> {
    if function.null_in_null_out && args.iter().any(Value::is_null) {
        return Ok(Value::Null);
    }
    (function.eval)(args, env)
}

/// An LSN printed like PostgreSQL: `0/3000148`.
pub fn format_lsn(lsn: u64) -> String {
    format!("{:X}/{:X}", lsn >> 32, lsn & 0xFFFF_FFFF)
}

fn now(_: &[Value], env: &Env) -> Result<Value, SqlError> {
    Ok(Value::Timestamp(env.now))
}

fn current_date(_: &[Value], env: &Env) -> Result<Value, SqlError> {
    Ok(Value::Date(env.now.day()))
}

fn pg_is_in_recovery(_: &[Value], env: &Env) -> Result<Value, SqlError> {
    Ok(Value::Bool(env.in_recovery))
}

fn pg_current_wal_lsn(_: &[Value], env: &Env) -> Result<Value, SqlError> {
    if env.in_recovery {
        return Err(SqlError::recovery_in_progress());
    }
    Ok(Value::text(format_lsn(env.wal_lsn)))
}

fn pg_last_wal_replay_lsn(_: &[Value], env: &Env) -> Result<Value, SqlError> {
    Ok(if env.in_recovery { Value::text(format_lsn(env.wal_lsn)) } else { Value::Null })
}

fn version(_: &[Value], _: &Env) -> Result<Value, SqlError> {
    Ok(Value::Text("PostgreSQL 16 (replica-playground simulation)".into()))
}

/// A value as a text argument (`true`/`false` for booleans, as PostgreSQL's casts print them).
pub(super) fn text_arg(value: &Value) -> String {
    match value {
        Value::Bool(b) => if *b { "true" } else { "false" }.to_string(),
        other => other.to_string(),
    }
}

/// Case mapping as PostgreSQL's `upper`/`lower` do it under a UTF-8 locale: one character
/// at a time (`towupper`), so a letter whose case form is several characters (`ß` → `SS`)
/// stays as it is, and `Σ` lowers to `σ` wherever it stands.
fn map_case(text: &str, one: fn(char) -> Option<char>) -> String {
    text.chars().map(|c| one(c).unwrap_or(c)).collect()
}

fn single<I: Iterator<Item = char>>(mut chars: I) -> Option<char> {
    match (chars.next(), chars.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

fn lower(args: &[Value], _: &Env) -> Result<Value, SqlError> {
    let text = args.first().map(text_arg).unwrap_or_default();
    Ok(Value::text(lowercase(&text)))
}

/// `text` in lower case, every alphabet's (as `lower()` and `ILIKE` fold it).
pub(super) fn lowercase(text: &str) -> String {
    map_case(text, |c| single(c.to_lowercase()))
}

fn upper(args: &[Value], _: &Env) -> Result<Value, SqlError> {
    let text = args.first().map(text_arg).unwrap_or_default();
    Ok(Value::text(map_case(&text, |c| single(c.to_uppercase()))))
}

fn length(args: &[Value], _: &Env) -> Result<Value, SqlError> {
    let chars = args.first().map(text_arg).unwrap_or_default().chars().count();
    Ok(Value::Int(i64::try_from(chars).unwrap_or(i64::MAX)))
}

fn abs(args: &[Value], _: &Env) -> Result<Value, SqlError> {
    match args.first() {
        Some(Value::Int(i)) => {
            i.checked_abs().map(Value::Int).ok_or_else(|| SqlError::integer_out_of_range("bigint"))
        }
        Some(Value::Numeric(n)) => Ok(Value::Numeric(n.abs())),
        Some(other) => Err(SqlError::undefined_function(&format!("abs({})", other.type_name()))),
        None => Ok(Value::Null),
    }
}

/// `round(x)` to an integer value, `round(x, n)` to n decimal places (n may be negative).
fn round(args: &[Value], _: &Env) -> Result<Value, SqlError> {
    let places = match args.get(1) {
        None => 0,
        Some(Value::Int(n)) => *n,
        Some(other) => {
            return Err(SqlError::undefined_function(&format!(
                "round(numeric, {})",
                other.type_name()
            )))
        }
    };
    let Some(number) = args.first() else { return Ok(Value::Null) };
    let number = numeric_arg(number, "round")?;
    Ok(Value::Numeric(number.round_to(places)?))
}

fn coalesce(args: &[Value], _: &Env) -> Result<Value, SqlError> {
    Ok(args.iter().find(|v| !v.is_null()).cloned().unwrap_or(Value::Null))
}

fn nullif(args: &[Value], _: &Env) -> Result<Value, SqlError> {
    match args {
        [a, b] if !a.is_null() && !b.is_null() && a.total_cmp(b).is_eq() => Ok(Value::Null),
        [a, _] => Ok(a.clone()),
        _ => Ok(Value::Null),
    }
}

fn extreme(args: &[Value], want: std::cmp::Ordering) -> Value {
    let mut best: Option<&Value> = None;
    for value in args.iter().filter(|v| !v.is_null()) {
        if best.is_none_or(|b| value.total_cmp(b) == want) {
            best = Some(value);
        }
    }
    best.cloned().unwrap_or(Value::Null)
}

fn greatest(args: &[Value], _: &Env) -> Result<Value, SqlError> {
    Ok(extreme(args, std::cmp::Ordering::Greater))
}

fn least(args: &[Value], _: &Env) -> Result<Value, SqlError> {
    Ok(extreme(args, std::cmp::Ordering::Less))
}

fn concat(args: &[Value], _: &Env) -> Result<Value, SqlError> {
    Ok(Value::text(args.iter().filter(|v| !v.is_null()).map(text_arg).collect::<String>()))
}

/// A number argument as numeric, or PostgreSQL's `function f(type) does not exist`.
pub(super) fn numeric_arg(value: &Value, function: &str) -> Result<Numeric, SqlError> {
    match value {
        Value::Int(i) => Ok(Numeric::from_i64(*i)),
        Value::Numeric(n) => Ok(*n),
        other => Err(SqlError::undefined_function(&format!("{function}({})", other.type_name()))),
    }
}
