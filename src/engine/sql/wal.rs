//! The write-ahead log payload: row-level changes, grouped per commit.
//!
//! A replica never re-runs SQL. The primary evaluates each statement once
//! (`NOW()`, `DEFAULT`s, `SERIAL` numbers, `WHERE` clauses) and records
//! what it did to rows; a replica replays exactly that:
//!
//! ```text
//!  primary                                   replica
//!  INSERT INTO orders (user_id, amount)      Commit { changes: [
//!    VALUES (101, 19.99)          ──WAL──►     Insert orders (1, 101, 19.99, '2026-01-05 09:00:00')
//!                                            ] }  ──apply──► same row, same timestamp
//! ```
//!
//! A [`Commit`] is what becomes durable atomically: one autocommit statement,
//! or everything between `BEGIN` and `COMMIT`. Its [`Commit::size_bytes`] is
//! a plausible WAL volume (a 24-byte record header per change plus the
//! tuple data, and a commit record), which the cluster uses to advance LSNs.

use std::fmt;
use std::rc::Rc;

use super::schema::{IndexSchema, TableSchema};
use super::storage::Database;
use super::value::{Row, SqlLiteral, Value};

/// Bytes of a WAL record header (PostgreSQL's `XLogRecord` is 24 bytes).
const RECORD_HEADER_BYTES: u64 = 24;
/// Bytes of the commit record that ends a transaction.
const COMMIT_RECORD_BYTES: u64 = 32;

/// One row-level or schema change.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// A table was created (with its constraint indexes).
    CreateTable {
        /// The new table's definition (boxed: rare, and row changes are kept small).
        schema: Box<TableSchema>,
    },
    /// A table was dropped.
    DropTable {
        /// The dropped table.
        table: Rc<str>,
    },
    /// An index was created.
    CreateIndex {
        /// The indexed table.
        table: Rc<str>,
        /// The index definition (boxed, as a table's).
        index: Box<IndexSchema>,
    },
    /// A row was inserted.
    Insert {
        /// The table.
        table: Rc<str>,
        /// The new row, defaults and serial numbers filled in.
        row: Row,
    },
    /// A row changed from `before` to `after`.
    Update {
        /// The table.
        table: Rc<str>,
        /// The row as it was (how a replica finds it).
        before: Row,
        /// The row as it is now.
        after: Row,
    },
    /// A row was deleted.
    Delete {
        /// The table.
        table: Rc<str>,
        /// The row as it was (how a replica finds it).
        before: Row,
    },
}

/// The changes of one committed transaction, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Commit {
    /// The changes, in the order they were made.
    pub changes: Changes,
}

/// A transaction's changes: one inline — a statement in autocommit that touched one row, most
/// of the WAL — or a list. Every WAL record holds one, so the single change is kept in the
/// record itself rather than in an allocation of its own.
#[derive(Clone, Debug, PartialEq)]
pub enum Changes {
    One(Change),
    Many(Box<[Change]>),
}

impl From<Vec<Change>> for Changes {
    fn from(mut changes: Vec<Change>) -> Self {
        if changes.len() == 1 {
            if let Some(one) = changes.pop() {
                return Changes::One(one);
            }
        }
        Changes::Many(changes.into_boxed_slice())
    }
}

impl std::ops::Deref for Changes {
    type Target = [Change];

    fn deref(&self) -> &[Change] {
        match self {
            Changes::One(one) => std::slice::from_ref(one),
            Changes::Many(many) => many,
        }
    }
}

impl<'a> IntoIterator for &'a Changes {
    type Item = &'a Change;
    type IntoIter = std::slice::Iter<'a, Change>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

fn row_bytes(row: &[Value]) -> u64 {
    // PostgreSQL's heap tuple header is 23 bytes, rounded to 24.
    24 + row.iter().map(Value::size_bytes).sum::<u64>()
}

impl Change {
    /// Approximate WAL bytes for this change.
    pub fn size_bytes(&self) -> u64 {
        let payload = match self {
            Change::CreateTable { schema } => {
                64 * (1 + schema.columns.len() as u64 + schema.indexes.len() as u64)
            }
            Change::DropTable { .. } => 64,
            Change::CreateIndex { index, .. } => 64 * (1 + index.columns.len() as u64),
            Change::Insert { row, .. } => row_bytes(row),
            Change::Update { before, after, .. } => row_bytes(after) + row_bytes(before) / 4,
            Change::Delete { .. } => 8,
        };
        RECORD_HEADER_BYTES + payload
    }

    /// The table this change touches.
    pub fn table(&self) -> &str {
        match self {
            Change::CreateTable { schema } => &schema.name,
            Change::DropTable { table }
            | Change::CreateIndex { table, .. }
            | Change::Insert { table, .. }
            | Change::Update { table, .. }
            | Change::Delete { table, .. } => table,
        }
    }
}

impl Commit {
    /// Approximate WAL bytes for the whole transaction, commit record included.
    pub fn size_bytes(&self) -> u64 {
        COMMIT_RECORD_BYTES + self.changes.iter().map(Change::size_bytes).sum::<u64>()
    }
}

/// A row as a tuple of SQL literals: `(1, 101, 19.99, '2026-01-05 09:00:00')`.
struct Tuple<'a>(&'a [Value]);

impl fmt::Display for Tuple<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        for (i, value) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            fmt::Display::fmt(&SqlLiteral(value), f)?;
        }
        f.write_str(")")
    }
}

impl Change {
    /// What the change carries besides its verb and table: the tuple(s) of a row change
    /// (`(1, 101, 19.99)`, `(…) -> (…)`), the definition of an index, nothing for table DDL.
    pub fn data(&self) -> String {
        self.data_display().to_string()
    }

    /// [`Change::data`] as a value to format, without building its string.
    pub fn data_display(&self) -> ChangeData<'_> {
        ChangeData(self)
    }
}

/// A change's data, formatted on demand (see [`Change::data`]).
pub struct ChangeData<'a>(&'a Change);

impl fmt::Display for ChangeData<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Change::CreateTable { .. } | Change::DropTable { .. } => Ok(()),
            Change::CreateIndex { table, index } => {
                write!(f, "{} ON {table} ({})", index.name, index.columns.join(", "))
            }
            Change::Insert { row, .. } => write!(f, "{}", Tuple(row)),
            Change::Update { before, after, .. } => {
                write!(f, "{} -> {}", Tuple(before), Tuple(after))
            }
            Change::Delete { before, .. } => write!(f, "{}", Tuple(before)),
        }
    }
}

/// Short, like a `pg_waldump` line: `INSERT orders (1, 101, 19.99, '2026-01-05 09:00:00')`.
/// Rows carry no column names; [`Database::describe`] adds them.
impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::CreateTable { schema } => write!(f, "CREATE TABLE {}", schema.name),
            Change::DropTable { table } => write!(f, "DROP TABLE {table}"),
            Change::CreateIndex { .. } => write!(f, "CREATE INDEX {}", self.data()),
            Change::Insert { table, row } => write!(f, "INSERT {table} {}", Tuple(row)),
            Change::Update { table, before, after } => {
                write!(f, "UPDATE {table} {} -> {}", Tuple(before), Tuple(after))
            }
            Change::Delete { table, before } => write!(f, "DELETE {table} {}", Tuple(before)),
        }
    }
}

impl Change {
    /// The change that undoes this one (DDL is not undone: only rows are hidden).
    fn inverse(&self) -> Option<Change> {
        Some(match self {
            Change::Insert { table, row } => {
                Change::Delete { table: table.clone(), before: row.clone() }
            }
            Change::Update { table, before, after } => Change::Update {
                table: table.clone(),
                before: after.clone(),
                after: before.clone(),
            },
            Change::Delete { table, before } => {
                Change::Insert { table: table.clone(), row: before.clone() }
            }
            Change::CreateTable { .. } | Change::DropTable { .. } | Change::CreateIndex { .. } => {
                return None
            }
        })
    }
}

impl Database {
    /// Replays one committed transaction's row-level changes, as a replica
    /// does with WAL. Never re-runs SQL.
    ///
    /// # Panics
    /// If a change does not fit (missing table or row): the caller applied
    /// commits out of order or to the wrong database, which is a bug.
    pub fn apply(&mut self, commit: &Commit) {
        for change in &commit.changes {
            let applied = self.apply_change(change, None);
            assert!(applied.is_ok(), "WAL replay of `{change}` failed: {applied:?}");
        }
    }

    /// The database as others see it while `commits` (applied last, in this order) wait for
    /// their synchronous standbys: PostgreSQL makes a commit visible only once its wait ends.
    /// Each change is undone from its before image; one that no longer fits (a later commit
    /// changed the same row) is left as it is.
    pub fn without(&self, commits: &[&Commit]) -> Database {
        let mut db = self.clone();
        for change in commits.iter().rev().flat_map(|c| c.changes.iter().rev()) {
            if let Some(inverse) = change.inverse() {
                let _ = db.apply_change(&inverse, None);
            }
        }
        db
    }

    /// A change with column names, e.g. `INSERT orders id=1 user_id=101 amount=19.99`.
    /// Falls back to the positional [`Change`] display when the table is unknown.
    pub fn describe(&self, change: &Change) -> String {
        let Some(schema) = self.schema(change.table()) else { return change.to_string() };
        let named = |row: &[Value]| -> String {
            let pairs: Vec<String> = schema
                .columns
                .iter()
                .zip(row)
                .map(|(c, v)| format!("{}={}", c.name, v.to_sql_literal()))
                .collect();
            pairs.join(" ")
        };
        match change {
            Change::Insert { table, row } => format!("INSERT {table} {}", named(row)),
            Change::Delete { table, before } => format!("DELETE {table} {}", named(before)),
            Change::Update { table, before, after } => {
                let key: Vec<String> = schema
                    .primary_key()
                    .map(|pk| pk.columns.clone())
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|c| schema.column_index(c).map(|i| (c, i)))
                    .filter_map(|(c, i)| {
                        before.get(i).map(|v| format!("{c}={}", v.to_sql_literal()))
                    })
                    .collect();
                let changed: Vec<String> = schema
                    .columns
                    .iter()
                    .zip(before.iter().zip(after.iter()))
                    .filter(|(_, (b, a))| b != a)
                    .map(|(c, (b, a))| {
                        format!("{}: {} -> {}", c.name, b.to_sql_literal(), a.to_sql_literal())
                    })
                    .collect();
                format!("UPDATE {table} {} {}", key.join(" "), changed.join(", "))
                    .replace("  ", " ")
            }
            other => other.to_string(),
        }
    }
}
