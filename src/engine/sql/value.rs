//! Values: what a cell holds, how it prints, and how values sort.
//!
//! | SQL type                         | [`Value`] variant | psql prints |
//! |----------------------------------|-------------------|-------------|
//! | (any) NULL                       | `Null`            | empty       |
//! | `boolean`                        | `Bool`            | `t` / `f`   |
//! | `integer`, `bigint`, `serial`    | `Int`             | `42`        |
//! | `numeric(p,s)`, `decimal`        | `Numeric`         | `19.99`     |
//! | `text`, `varchar(n)`             | `Text`            | as is       |
//! | `timestamp`                      | `Timestamp`       | `2026-01-05 09:00:00` |
//! | `interval` (expressions only)    | `Interval`        | `1 day 02:00:00` |
//!
//! Two orders exist. SQL comparison (`=`, `<`) is three-valued and lives in
//! the evaluator. The *total* order here, [`Value::total_cmp`], is what
//! indexes, `ORDER BY`, `GROUP BY` and `DISTINCT` use: numbers compare by
//! value across `Int`/`Numeric`, text compares bytewise (PostgreSQL's `C`
//! collation), and NULL sorts after everything, as in PostgreSQL's default
//! `ASC NULLS LAST`.

use std::cmp::Ordering;
use std::fmt;
use std::rc::Rc;

use super::numeric::Numeric;
use super::time::{Interval, Timestamp};

/// One cell of a row.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// `boolean`.
    Bool(bool),
    /// `integer` / `bigint` (range-checked against the column type on write).
    Int(i64),
    /// `numeric`: an exact decimal.
    Numeric(Numeric),
    /// `text` / `varchar` (shared: copying a value never copies its text).
    Text(Rc<str>),
    /// `timestamp without time zone`.
    Timestamp(Timestamp),
    /// `date`: a day, held as the midnight that starts it (so it compares with timestamps).
    Date(Timestamp),
    /// `interval` (arises in expressions such as `NOW() - INTERVAL '1 day'`;
    /// boxed, being rare in rows and larger than the other variants).
    Interval(Box<Interval>),
}

/// A row: one value per column, in the table's column order.
///
/// Immutable and shared: the row a primary stores is the one its WAL record
/// carries and the one every replica stores, and `SELECT *` returns it
/// without copying.
pub type Row = Rc<[Value]>;

impl Value {
    /// A text value.
    pub fn text(text: impl Into<Rc<str>>) -> Value {
        Value::Text(text.into())
    }

    /// An interval value.
    pub fn interval(interval: Interval) -> Value {
        Value::Interval(Box::new(interval))
    }

    /// True for SQL NULL.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// PostgreSQL's name for this value's type, as used in error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "unknown",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Numeric(_) => "numeric",
            Value::Text(_) => "text",
            Value::Timestamp(_) => "timestamp without time zone",
            Value::Date(_) => "date",
            Value::Interval(_) => "interval",
        }
    }

    /// True for numbers, which psql right-aligns.
    pub fn is_numeric(&self) -> bool {
        matches!(self, Value::Int(_) | Value::Numeric(_))
    }

    /// Rank of the type in the total order, for values of different types.
    fn rank(&self) -> u8 {
        match self {
            Value::Bool(_) => 0,
            Value::Int(_) | Value::Numeric(_) => 1,
            Value::Text(_) => 2,
            Value::Timestamp(_) | Value::Date(_) => 3,
            Value::Interval(_) => 4,
            Value::Null => 5,
        }
    }

    /// The total order used by indexes, sorting, grouping and DISTINCT.
    pub fn total_cmp(&self, other: &Value) -> Ordering {
        match (self, other) {
            (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
            (Value::Int(a), Value::Int(b)) => a.cmp(b),
            (Value::Int(a), Value::Numeric(b)) => Numeric::from_i64(*a).cmp(b),
            (Value::Numeric(a), Value::Int(b)) => a.cmp(&Numeric::from_i64(*b)),
            (Value::Numeric(a), Value::Numeric(b)) => a.cmp(b),
            (Value::Text(a), Value::Text(b)) => a.cmp(b),
            (Value::Timestamp(a) | Value::Date(a), Value::Timestamp(b) | Value::Date(b)) => {
                a.cmp(b)
            }
            (Value::Interval(a), Value::Interval(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }

    /// A literal for this value as SQL would write it (used in WAL descriptions and DETAIL lines).
    pub fn to_sql_literal(&self) -> String {
        SqlLiteral(self).to_string()
    }

    /// Approximate stored size in bytes, for WAL size accounting.
    pub fn size_bytes(&self) -> u64 {
        match self {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Date(_) => 4,
            Value::Int(_) | Value::Timestamp(_) => 8,
            Value::Numeric(n) => 8 + u64::from(n.integer_digits() + n.scale()) / 2,
            Value::Text(s) => 4 + s.len() as u64,
            Value::Interval(_) => 16,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => Ok(()),
            Value::Bool(true) => f.write_str("t"),
            Value::Bool(false) => f.write_str("f"),
            Value::Int(i) => write_int(f, *i),
            Value::Numeric(n) => write!(f, "{n}"),
            Value::Text(s) => f.write_str(s),
            Value::Timestamp(t) => write!(f, "{t}"),
            Value::Date(d) => f.write_str(&d.date_text()),
            Value::Interval(i) => write!(f, "{i}"),
        }
    }
}

/// `n`'s decimal digits, written into the back of `buf` (u128 has at most 39), as `{n}`
/// writes them: numbers written out often (ints, numerics, command tags) are written without
/// format arguments.
pub fn decimal_digits(n: u128, buf: &mut [u8; 40]) -> &str {
    let mut at = buf.len();
    let mut rest = n;
    // 128-bit division is slow; most numbers fit 64 bits, and the rest soon do.
    while rest > u128::from(u64::MAX) {
        at -= 1;
        buf[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    let mut rest = rest as u64;
    loop {
        at -= 1;
        buf[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[at..]).expect("ASCII digits")
}

/// `i` in decimal, as `{i}` writes it.
fn write_int(f: &mut fmt::Formatter<'_>, i: i64) -> fmt::Result {
    if i < 0 {
        f.write_str("-")?;
    }
    f.write_str(decimal_digits(i.unsigned_abs().into(), &mut [0; 40]))
}

/// A value written as SQL would write it: `NULL`, `19.99`, `'it''s'`, `'2026-01-05 09:00:00'`
/// (written straight into the formatter: WAL records are described and digested this way).
pub struct SqlLiteral<'a>(pub &'a Value);

impl fmt::Display for SqlLiteral<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Value::Null => f.write_str("NULL"),
            Value::Text(s) => {
                f.write_str("'")?;
                for (i, part) in s.split('\'').enumerate() {
                    if i > 0 {
                        f.write_str("''")?;
                    }
                    f.write_str(part)?;
                }
                f.write_str("'")
            }
            // Straight into the formatter (every WAL record is written out for its digest):
            // none of these reads the formatter's width or flags, so no new arguments are
            // needed to drop them.
            Value::Timestamp(t) => {
                f.write_str("'")?;
                fmt::Display::fmt(t, f)?;
                f.write_str("'")
            }
            Value::Date(d) => write!(f, "'{}'", d.date_text()),
            Value::Interval(i) => write!(f, "'{i}'"),
            other => fmt::Display::fmt(other, f),
        }
    }
}

/// An index or sort key: values compared with [`Value::total_cmp`], left to right.
#[derive(Clone, Debug)]
pub struct Key(pub Vec<Value>);

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Key {}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        for (a, b) in self.0.iter().zip(&other.0) {
            let ordering = a.total_cmp(b);
            if ordering != Ordering::Equal {
                return ordering;
            }
        }
        self.0.len().cmp(&other.0.len())
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Key {
    /// True if any part is NULL: such keys never collide in a unique index.
    pub fn has_null(&self) -> bool {
        self.0.iter().any(Value::is_null)
    }

    /// `(a, b)` as in PostgreSQL's `Key (id)=(1)` detail lines.
    pub fn display_tuple(&self) -> String {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|v| if v.is_null() { "null".into() } else { v.to_string() })
            .collect();
        format!("({})", parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Ints and literals are written by hand as `{}` would write them.
        #[test]
        fn values_are_written_as_format_writes_them(i in any::<i64>(), ms in -1i64 << 45..1 << 45) {
            prop_assert_eq!(Value::Int(i).to_string(), i.to_string());
            prop_assert_eq!(SqlLiteral(&Value::Int(i)).to_string(), i.to_string());
            let at = Timestamp(ms);
            prop_assert_eq!(SqlLiteral(&Value::Timestamp(at)).to_string(), format!("'{at}'"));
        }
    }

    proptest! {
        #[test]
        fn decimal_digits_are_what_format_writes(n in any::<u128>()) {
            let mut buf = [0; 40];
            prop_assert_eq!(decimal_digits(n, &mut buf), n.to_string());
        }
    }

    #[test]
    fn extreme_ints_are_written_whole() {
        assert_eq!(decimal_digits(u128::MAX, &mut [0; 40]), u128::MAX.to_string());
        for i in [i64::MIN, i64::MAX, 0, -1, 10] {
            assert_eq!(Value::Int(i).to_string(), i.to_string());
        }
    }
}
