//! What a statement returns: tag, rows, WAL commit and honest cost.
//!
//! ```text
//!   SELECT * FROM orders WHERE user_id = 101;
//!
//!    id | user_id | amount |     created_at
//!   ----+---------+--------+---------------------       <- render(): psql-style table
//!     1 |     101 |  19.99 | 2026-01-05 09:00:00
//!   (1 row)
//!
//!   tag    "SELECT 1"                                    <- PostgreSQL command tag
//!   commit None                                          <- reads write no WAL
//!   cost   Index Scan using orders_user_id_idx on orders: 1 rows scanned, 1 returned
//! ```
//!
//! [`Cost`] counts rows actually touched, so a missing index shows up as
//! `Seq Scan ... 10000 rows scanned`: the load a node carries and what the
//! slow-query log reports.

use std::fmt;
use std::rc::Rc;

use super::value::{Row, Value};
use super::wal::Commit;

/// How a statement reached its rows.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Access {
    /// No table was read (DDL, `INSERT ... VALUES`, `SELECT now()`).
    #[default]
    None,
    /// Every row of the table was read.
    FullScan {
        /// The table.
        table: Rc<str>,
    },
    /// An index narrowed the rows read.
    IndexScan {
        /// The table.
        table: Rc<str>,
        /// The index used.
        index: Rc<str>,
    },
}

/// Simulated CPU a statement costs to plan, in µs (whatever it does).
pub const PLANNING_US: u64 = 50;
/// Simulated CPU per row read from a table, in µs.
pub const ROW_READ_US: u64 = 1;
/// Simulated CPU per row sent to the client, in µs.
pub const ROW_SENT_US: u64 = 2;
/// Simulated CPU per row a statement writes (its WAL record and index entries).
pub const ROW_WRITE_US: u64 = 20;

/// The work a statement did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cost {
    /// Rows read from tables (including the inner side of a join).
    pub rows_scanned: u64,
    /// Rows produced (result rows, or rows written for DML).
    pub rows_returned: u64,
    /// The access path of the driving table.
    pub access: Access,
}

/// As EXPLAIN names the node: `Result`, `Seq Scan on t`, `Index Scan using i on t`.
impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Access::None => f.write_str("Result"),
            Access::FullScan { table } => write!(f, "Seq Scan on {table}"),
            Access::IndexScan { table, index } => write!(f, "Index Scan using {index} on {table}"),
        }
    }
}

impl Cost {
    /// The simulated CPU this work costs, in µs: planning, rows read, rows sent (a node adds
    /// the rows it writes).
    pub fn cpu_us(&self) -> u64 {
        PLANNING_US + self.rows_scanned * ROW_READ_US + self.rows_returned * ROW_SENT_US
    }
}

impl fmt::Display for Cost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} rows scanned, {} returned",
            self.access, self.rows_scanned, self.rows_returned
        )
    }
}

/// The result of executing one statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// PostgreSQL command tag: `INSERT 0 1`, `SELECT 2`, `UPDATE 3`, `BEGIN`, ...
    pub tag: String,
    /// Result column names; empty for statements without a result set.
    pub columns: Vec<String>,
    /// Result rows.
    pub rows: Vec<Row>,
    /// Rows the statement returned that were counted, not produced, because nobody reads
    /// them (the load generator's reads, [`super::Env::rows_unread`]); 0 otherwise.
    pub unread_rows: u64,
    /// The WAL record, exactly when this statement committed changes.
    pub commit: Option<Commit>,
    /// The work done.
    pub cost: Cost,
    /// `NOTICE:`/`WARNING:` lines (with their `DETAIL:`), printed before the result.
    pub notices: Vec<String>,
}

impl Outcome {
    /// An outcome with just a tag.
    pub fn tag(tag: impl Into<String>) -> Self {
        Outcome {
            tag: tag.into(),
            columns: Vec::new(),
            rows: Vec::new(),
            unread_rows: 0,
            commit: None,
            cost: Cost::default(),
            notices: Vec::new(),
        }
    }

    /// A result set under `tag` (`SHOW` prints one like a query's, without a row count tag).
    pub fn rows(tag: impl Into<String>, columns: Vec<String>, rows: Vec<Row>) -> Self {
        Outcome { columns, rows, ..Outcome::tag(tag) }
    }

    /// How many rows it returned, produced or only counted.
    pub fn row_count(&self) -> u64 {
        self.rows.len() as u64 + self.unread_rows
    }

    /// psql-style output: an aligned table and `(N rows)` for result sets
    /// (followed by the tag for `INSERT/UPDATE/DELETE ... RETURNING`), else the tag.
    pub fn render(&self) -> String {
        let mut out: String = self.notices.iter().map(|n| format!("{n}\n")).collect();
        if self.columns.is_empty() {
            out.push_str(&self.tag);
            return out;
        }
        out.push_str(&render_table(&self.columns, &self.rows));
        let count = self.row_count();
        out.push_str(&format!("({count} {})", if count == 1 { "row" } else { "rows" }));
        if !["SELECT", "EXPLAIN", "SHOW"].iter().any(|t| self.tag.starts_with(t)) {
            out.push('\n');
            out.push_str(&self.tag);
        }
        out
    }
}

/// Header, separator and rows, aligned like psql (numbers right, text left,
/// headers centred). Trailing spaces are trimmed.
pub fn render_table(columns: &[String], rows: &[impl AsRef<[Value]>]) -> String {
    let cells: Vec<Vec<String>> =
        rows.iter().map(|r| r.as_ref().iter().map(|v| v.to_string()).collect()).collect();
    let width = |i: usize, header: &str| {
        cells
            .iter()
            .filter_map(|r| r.get(i))
            .map(|c| c.chars().count())
            .chain([header.chars().count()])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = columns.iter().enumerate().map(|(i, h)| width(i, h)).collect();
    let numeric: Vec<bool> = (0..columns.len())
        .map(|i| rows.iter().filter_map(|r| r.as_ref().get(i)).any(Value::is_numeric))
        .collect();
    let mut out = String::new();
    let header: Vec<String> = columns.iter().zip(&widths).map(|(h, &w)| center(h, w)).collect();
    push_line(&mut out, &header);
    let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w + 2)).collect();
    out.push_str(&rule.join("+"));
    out.push('\n');
    for row in &cells {
        let padded: Vec<String> = row
            .iter()
            .zip(widths.iter().zip(&numeric))
            .map(|(cell, (&w, &right))| pad(cell, w, right))
            .collect();
        push_line(&mut out, &padded);
    }
    out
}

fn push_line(out: &mut String, cells: &[String]) {
    let line: Vec<String> = cells.iter().map(|c| format!(" {c} ")).collect();
    out.push_str(line.join("|").trim_end());
    out.push('\n');
}

/// `text` padded with spaces to `width` characters, on the left (`right`-aligned) or the
/// right. (Not `format!("{:>w$}")`, whose width must fit in 16 bits: a 70 000-character
/// value is a valid cell.)
pub fn pad(text: &str, width: usize, right: bool) -> String {
    let fill = " ".repeat(width.saturating_sub(text.chars().count()));
    if right {
        fill + text
    } else {
        format!("{text}{fill}")
    }
}

fn center(text: &str, width: usize) -> String {
    let len = text.chars().count();
    let left = (width.saturating_sub(len)) / 2;
    let right = width.saturating_sub(len + left);
    format!("{}{text}{}", " ".repeat(left), " ".repeat(right))
}
