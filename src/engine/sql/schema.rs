//! Column types, table and index definitions, and the casts between types.
//!
//! A [`TableSchema`] is what `CREATE TABLE` produces and what the WAL's
//! `CreateTable` record carries to replicas. Constraints become indexes the
//! way PostgreSQL names them:
//!
//! ```text
//! CREATE TABLE orders (id SERIAL PRIMARY KEY, email TEXT UNIQUE, user_id INT)
//!   index orders_pkey       (id)       unique, primary
//!   index orders_email_key  (email)    unique
//! CREATE INDEX ON orders (user_id)
//!   index orders_user_id_idx (user_id)
//! ```
//!
//! [`DataType::cast`] converts a value to a column's type: it is both the
//! explicit `CAST(x AS t)` / `x::t` and the assignment conversion on
//! `INSERT`/`UPDATE`, with PostgreSQL's messages (`invalid input syntax for
//! type integer: "abc"`, `integer out of range`, `value too long for type
//! character varying(5)`).

use std::rc::Rc;

use std::fmt;

use super::ast::Expr;
use super::error::SqlError;
use super::numeric::Numeric;
use super::time::{Interval, Timestamp};
use super::value::Value;

/// The column types the playground knows.
#[derive(Clone, Debug, PartialEq)]
pub enum DataType {
    /// `integer` / `int` / `int4` / `serial`: 32-bit.
    Integer,
    /// `bigint` / `int8` / `bigserial`: 64-bit.
    BigInt,
    /// `numeric(p,s)` / `decimal(p,s)`; `None` for unconstrained `numeric`.
    Numeric(Option<(u32, u32)>),
    /// `text`.
    Text,
    /// `varchar(n)` / `character varying(n)`; `None` for no limit.
    Varchar(Option<u32>),
    /// `boolean`.
    Boolean,
    /// `timestamp` (without time zone).
    Timestamp,
    /// `date`.
    Date,
    /// `interval` (casts only; not a column type).
    Interval,
}

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataType::Integer => f.write_str("integer"),
            DataType::BigInt => f.write_str("bigint"),
            DataType::Numeric(None) => f.write_str("numeric"),
            DataType::Numeric(Some((p, s))) => write!(f, "numeric({p},{s})"),
            DataType::Text => f.write_str("text"),
            DataType::Varchar(None) => f.write_str("character varying"),
            DataType::Varchar(Some(n)) => write!(f, "character varying({n})"),
            DataType::Boolean => f.write_str("boolean"),
            DataType::Timestamp => f.write_str("timestamp without time zone"),
            DataType::Date => f.write_str("date"),
            DataType::Interval => f.write_str("interval"),
        }
    }
}

impl DataType {
    /// The short type name PostgreSQL gives a cast's result column (`int4`, `numeric`, ...).
    pub fn column_label(&self) -> &'static str {
        match self {
            DataType::Integer => "int4",
            DataType::BigInt => "int8",
            DataType::Numeric(_) => "numeric",
            DataType::Text => "text",
            DataType::Varchar(_) => "varchar",
            DataType::Boolean => "bool",
            DataType::Timestamp => "timestamp",
            DataType::Date => "date",
            DataType::Interval => "interval",
        }
    }

    /// Converts `value` to this type, with PostgreSQL's errors.
    pub fn cast(&self, value: Value) -> Result<Value, SqlError> {
        if value.is_null() {
            return Ok(Value::Null);
        }
        match self {
            DataType::Integer => {
                cast_int(value, "integer", i64::from(i32::MIN), i64::from(i32::MAX))
            }
            DataType::BigInt => cast_int(value, "bigint", i64::MIN, i64::MAX),
            DataType::Numeric(limits) => cast_numeric(value, *limits),
            DataType::Text => Ok(Value::text(text_of(value))),
            DataType::Varchar(limit) => cast_varchar(value, *limit),
            DataType::Boolean => cast_bool(value),
            DataType::Timestamp => match value {
                Value::Timestamp(t) | Value::Date(t) => Ok(Value::Timestamp(t)),
                Value::Text(s) => Ok(Value::Timestamp(Timestamp::parse(&s)?)),
                other => Err(cannot_cast(&other, self)),
            },
            DataType::Date => match value {
                Value::Timestamp(t) | Value::Date(t) => Ok(Value::Date(t.day())),
                Value::Text(s) => Ok(Value::Date(Timestamp::parse_date(&s)?)),
                other => Err(cannot_cast(&other, self)),
            },
            DataType::Interval => match value {
                Value::Interval(i) => Ok(Value::Interval(i)),
                Value::Text(s) => Ok(Value::interval(Interval::parse(&s)?)),
                other => Err(cannot_cast(&other, self)),
            },
        }
    }
}

impl DataType {
    /// Converts a value being stored into a column of this type. Stricter than
    /// [`DataType::cast`]: PostgreSQL has no *assignment* cast from boolean to
    /// integer, or from numbers to boolean, so those are `42804` errors.
    pub fn assign(&self, value: Value, column: &str) -> Result<Value, SqlError> {
        let compatible = matches!(
            (&value, self),
            (Value::Null | Value::Text(_), _)
                | (_, DataType::Text | DataType::Varchar(_))
                | (
                    Value::Int(_) | Value::Numeric(_),
                    DataType::Integer | DataType::BigInt | DataType::Numeric(_)
                )
                | (Value::Bool(_), DataType::Boolean)
                | (Value::Timestamp(_) | Value::Date(_), DataType::Timestamp | DataType::Date)
                | (Value::Interval(_), DataType::Interval)
        );
        if !compatible {
            return Err(SqlError::datatype_mismatch(format!(
                "column \"{column}\" is of type {self} but expression is of type {}",
                value.type_name()
            ))
            .hint("You will need to rewrite or cast the expression."));
        }
        self.cast(value)
    }
}

/// 42846: `cannot cast type boolean to timestamp without time zone`.
fn cannot_cast(value: &Value, to: &DataType) -> SqlError {
    SqlError::new("42846", format!("cannot cast type {} to {to}", value.type_name()))
}

fn text_of(value: Value) -> Rc<str> {
    match value {
        Value::Text(s) => s,
        Value::Bool(b) => if b { "true" } else { "false" }.into(),
        other => other.to_string().into(),
    }
}

fn cast_int(value: Value, name: &str, min: i64, max: i64) -> Result<Value, SqlError> {
    let int = match value {
        Value::Int(i) => i,
        Value::Numeric(n) => n.to_i64().ok_or_else(|| SqlError::integer_out_of_range(name))?,
        Value::Bool(b) => i64::from(b),
        Value::Text(s) => {
            let int = s.trim().parse::<i64>().map_err(|_| int_parse_error(&s, name))?;
            if !(min..=max).contains(&int) {
                return Err(int_parse_error(&s, name));
            }
            int
        }
        other => return Err(cannot_cast(&other, &DataType::Integer)),
    };
    if (min..=max).contains(&int) {
        Ok(Value::Int(int))
    } else {
        Err(SqlError::integer_out_of_range(name))
    }
}

/// `'99999999999'::int` is out of range; `'abc'::int` is bad syntax.
fn int_parse_error(text: &str, name: &str) -> SqlError {
    let trimmed = text.trim();
    let digits = trimmed.strip_prefix(['-', '+']).unwrap_or(trimmed);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        SqlError::new("22003", format!("value \"{text}\" is out of range for type {name}"))
    } else {
        SqlError::invalid_input(name, text)
    }
}

fn cast_numeric(value: Value, limits: Option<(u32, u32)>) -> Result<Value, SqlError> {
    let number = match value {
        Value::Int(i) => Numeric::from_i64(i),
        Value::Numeric(n) => n,
        Value::Text(s) => Numeric::parse_input(&s)?,
        other => return Err(cannot_cast(&other, &DataType::Numeric(None))),
    };
    let Some((precision, scale)) = limits else { return Ok(Value::Numeric(number)) };
    let number = number.rescale(scale)?;
    if number.integer_digits() > precision - scale {
        return Err(SqlError::new("22003", "numeric field overflow").detail(format!(
            "A field with precision {precision}, scale {scale} must round to an absolute value less than {}.",
            if precision == scale { "1".to_string() } else { format!("10^{}", precision - scale) }
        )));
    }
    Ok(Value::Numeric(number))
}

fn cast_varchar(value: Value, limit: Option<u32>) -> Result<Value, SqlError> {
    let text = text_of(value);
    match limit {
        Some(max) if text.chars().count() > max as usize => Err(SqlError::string_too_long(max)),
        _ => Ok(Value::text(text)),
    }
}

fn cast_bool(value: Value) -> Result<Value, SqlError> {
    match value {
        Value::Bool(b) => Ok(Value::Bool(b)),
        Value::Int(i) => Ok(Value::Bool(i != 0)),
        Value::Text(s) => {
            parse_bool(&s).map(Value::Bool).ok_or_else(|| SqlError::invalid_input("boolean", &s))
        }
        other => Err(cannot_cast(&other, &DataType::Boolean)),
    }
}

/// PostgreSQL's boolean input: `t`, `true`, `yes`, `on`, `1` and their opposites
/// (any unambiguous prefix of the words, case-insensitive).
fn parse_bool(text: &str) -> Option<bool> {
    let word = text.trim().to_ascii_lowercase();
    let is_prefix = |full: &str, min: usize| word.len() >= min && full.starts_with(word.as_str());
    if is_prefix("true", 1) || is_prefix("yes", 1) || word == "on" || word == "1" {
        Some(true)
    } else if is_prefix("false", 1) || is_prefix("no", 1) || is_prefix("off", 2) || word == "0" {
        Some(false)
    } else {
        None
    }
}

/// One column of a table.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnSchema {
    /// Column name (lower-cased unless it was quoted).
    pub name: String,
    /// Its type.
    pub data_type: DataType,
    /// `NOT NULL` (implied by `PRIMARY KEY` and `SERIAL`).
    pub not_null: bool,
    /// `DEFAULT expr`, evaluated on the primary at insert time.
    pub default: Option<Expr>,
    /// For `SERIAL`/`BIGSERIAL`: the sequence feeding the default, e.g. `orders_id_seq`.
    pub sequence: Option<String>,
}

/// An index: a sorted map from column values to rows.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexSchema {
    /// Index name, e.g. `orders_pkey`, `orders_user_id_idx`.
    pub name: Rc<str>,
    /// Indexed columns, leading column first.
    pub columns: Vec<String>,
    /// Rejects duplicate keys (PRIMARY KEY, UNIQUE, CREATE UNIQUE INDEX).
    pub unique: bool,
    /// Backs the PRIMARY KEY.
    pub primary: bool,
}

/// A table definition: columns and the indexes its constraints created.
#[derive(Clone, Debug, PartialEq)]
pub struct TableSchema {
    /// Table name (shared: every WAL change names its table).
    pub name: Rc<str>,
    /// Columns in order.
    pub columns: Vec<ColumnSchema>,
    /// Indexes, constraint indexes first, then `CREATE INDEX` ones in creation order.
    pub indexes: Vec<IndexSchema>,
}

impl TableSchema {
    /// Position of a column by name.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// The primary key's index, if the table has one.
    pub fn primary_key(&self) -> Option<&IndexSchema> {
        self.indexes.iter().find(|i| i.primary)
    }

    /// Column names in order.
    pub fn column_names(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.name.clone()).collect()
    }
}
