//! The SQL engine: a small, deterministic PostgreSQL look-alike in memory.
//!
//! Each node of the simulated cluster owns a [`Database`]. On the primary,
//! statements run through [`Database::execute`]; every write returns its
//! row-level changes as a [`Commit`], the WAL payload that replicas replay
//! with [`Database::apply`] without ever re-running SQL:
//!
//! ```text
//!   text ──parse──► Statement ──execute(session, env)──► Outcome { tag, rows, cost, commit }
//!                                                                             │
//!   replica Database ◄──────────────apply(commit)─────────────────────────────┘
//! ```
//!
//! The pipeline, one module per step:
//!
//! | module        | job                                                          |
//! |---------------|--------------------------------------------------------------|
//! | `lexer`       | text to tokens, PostgreSQL's lexical rules                   |
//! | `parser`      | tokens to our tree: PostgreSQL's grammar, errors and positions; "not supported" for valid SQL we do not run |
//! | `ast`         | our small statement and expression types                     |
//! | `eval`        | bind names to row slots, evaluate with three-valued logic    |
//! | `functions`   | the built-in function table (`now()`, `lower()`, ...)        |
//! | `plan`        | pick an index or a full scan; count rows touched             |
//! | `query`       | SELECT: join, filter, group, aggregate, sort, limit          |
//! | `explain`     | EXPLAIN [ANALYZE]: the plan tree in PostgreSQL's text format |
//! | `exec`        | statements and transactions (private copies, conflicts)      |
//! | `dml`         | INSERT/UPDATE/DELETE/DDL computed as [`Change`]s, then applied |
//! | `storage`     | tables, B-tree indexes, [`Database::apply_change`]-only writes |
//! | `wal`         | [`Commit`], [`Change`], WAL sizes, replay                     |
//! | `value`, `numeric`, `time`, `schema` | data types, exact decimals, timestamps |
//! | `outcome`     | [`Outcome`], [`Cost`], psql-style rendering                  |
//! | `error`       | [`SqlError`] with PostgreSQL's wording and SQLSTATEs         |
//!
//! Nothing here reads a clock or a random source: `NOW()` is [`Env::now`],
//! the simulation's time. The same statements in the same order give the
//! same results, byte for byte.
//!
//! [`Database::apply_change`]: storage::Database

mod ast;
mod bignum;
mod builtins;
mod catalog;
mod dml;
mod error;
mod eval;
mod exec;
mod explain;
mod functions;
mod lexer;
mod locks;
mod numeric;
mod outcome;
mod parser;
mod plan;
mod postings;
mod predicate;
mod query;
mod schema;
mod storage;
mod template;
mod time;
mod value;
mod wal;

#[cfg(test)]
mod tests;

pub use ast::Utility;
pub use catalog::{
    needs_catalog, parse_lsn, unrecognized_parameter, Catalog, ReplayPause, Request, View,
};
pub use error::SqlError;
pub use exec::Session;
pub use functions::format_lsn;
pub use locks::PastWaits;
pub use numeric::Numeric;
pub use outcome::{pad, Access, Cost, Outcome, ROW_WRITE_US};
pub use schema::{ColumnSchema, DataType, IndexSchema, TableSchema};
pub use storage::Database;
pub use template::Template;
pub use time::{Interval, Timestamp};
pub use value::{Row, Value};
pub use wal::{Change, Commit};

use std::cell::RefCell;
use std::hash::Hasher;
use std::rc::Rc;

use super::digest::StableHasher;

use ast::StatementKind;

/// What a statement runs against besides the data: the simulated clock and node facts.
#[derive(Clone, Debug, Default)]
pub struct Env {
    /// What `NOW()` / `CURRENT_TIMESTAMP` return.
    pub now: Timestamp,
    /// True on a replica: `pg_is_in_recovery()`, and writes are refused.
    pub in_recovery: bool,
    /// `pg_current_wal_lsn()` on a primary, `pg_last_wal_replay_lsn()` on a replica.
    pub wal_lsn: u64,
    /// The server's views, settings and recovery state, for statements that ask
    /// ([`needs_catalog`]); None for a bare database.
    pub catalog: Option<std::rc::Rc<Catalog>>,
    /// Nobody will look at a SELECT's rows (the load generator's reads): they may be counted
    /// instead of produced where that gives the same count, cost and errors
    /// ([`Outcome::unread_rows`]).
    pub rows_unread: bool,
}

/// One parsed SQL statement, ready to execute. Cheap to clone: its tree and text are shared.
#[derive(Clone, Debug)]
pub struct Statement {
    kind: Rc<StatementKind>,
    /// Its text and the tables it names, worked out once (every answer's history record
    /// keeps them).
    source: Rc<Source>,
    /// The text names a `pg_` view or function or `current_setting` ([`needs_catalog`]).
    catalog: bool,
    /// Notices parsing raised, printed with the statement's answer.
    notices: Vec<String>,
}

/// A statement's text as the user wrote it (without the trailing `;`) and the tables it
/// names, in order of appearance: what its answers' records keep of it.
#[derive(Debug, PartialEq)]
pub struct Source {
    pub text: Rc<str>,
    pub tables: Rc<[String]>,
}

/// Parses one or more `;`-separated statements. Empty input gives no statements.
///
/// A parse error's position counts characters of `sql`, the whole input;
/// errors from [`Database::execute`] count characters of [`Statement::sql`].
///
/// Parsing is a pure function of the text, so recent answers are remembered
/// ([`ParseCache`]): the load generator sends the same few hundred texts again and again.
pub fn parse(sql: &str) -> Result<Vec<Statement>, SqlError> {
    // A text that starts with a write is never kept: no need to look for it.
    let cached = (!starts_with_write(sql)).then(|| PARSED.with(|cache| cache.borrow().get(sql)));
    if let Some(statements) = cached.flatten() {
        return Ok(statements.to_vec());
    }
    let statements: Vec<Statement> = parser::parse(sql)?
        .into_iter()
        .map(|parsed| Statement {
            catalog: needs_catalog(&parsed.text),
            source: Rc::new(Source {
                tables: shared_tables(&parsed.kind.tables()),
                text: parsed.text,
            }),
            kind: Rc::new(parsed.kind),
            notices: parsed.notices,
        })
        .collect();
    // Writes are not kept: each INSERT of a load carries its own values.
    if !statements.iter().any(Statement::is_write) {
        PARSED.with(|cache| cache.borrow_mut().insert(sql, &statements.clone().into()));
    }
    Ok(statements)
}

/// Whether the text's first word is `INSERT`, `UPDATE` or `DELETE` (any case).
fn starts_with_write(sql: &str) -> bool {
    let text = sql.trim_start().as_bytes();
    let word = &text[..text.iter().position(|b| !b.is_ascii_alphabetic()).unwrap_or(text.len())];
    [&b"insert"[..], b"update", b"delete"].iter().any(|w| word.eq_ignore_ascii_case(w))
}

thread_local! {
    static PARSED: RefCell<ParseCache> = RefCell::default();
    /// The table list of the last statement parsed: the next one usually names the same.
    static LAST_TABLES: RefCell<Rc<[String]>> = RefCell::new(Rc::new([]));
}

/// `names` as a shared list, the last statement's own when it named the same tables.
fn shared_tables(names: &[&str]) -> Rc<[String]> {
    LAST_TABLES.with(|last| {
        let mut last = last.borrow_mut();
        if !last.iter().map(String::as_str).eq(names.iter().copied()) {
            *last = names.iter().map(|n| n.to_string()).collect();
        }
        last.clone()
    })
}

/// The statements of recently parsed texts, four-way set-associative: a text's hash (FNV-1a)
/// picks a set of four slots, and a new text takes the set's oldest slot. Only successes of
/// short texts that do not write are kept (each INSERT of a load has its own values); it never
/// changes an answer, only its speed. (Direct-mapped, a thousand users' point reads missed one
/// time in nine: texts sharing a slot kept evicting each other.)
#[derive(Default)]
struct ParseCache {
    slots: Vec<Option<ParsedText>>,
}

/// A text's hash, the text and its statements. The hash is compared first: the load's texts
/// differ only in their last few characters.
type ParsedText = (u64, Box<str>, Rc<[Statement]>);

impl ParseCache {
    const SLOTS: usize = 4_096;
    const WAYS: usize = 4;
    const LONGEST_TEXT: usize = 1_024;

    /// The text's hash, and where the set of slots it may be kept in starts.
    fn hash_and_set(sql: &str) -> (u64, usize) {
        let mut hasher = StableHasher::default();
        hasher.write(sql.as_bytes());
        let (hash, sets) = (hasher.finish(), (Self::SLOTS / Self::WAYS) as u64);
        (hash, (hash % sets) as usize * Self::WAYS)
    }

    fn get(&self, sql: &str) -> Option<Rc<[Statement]>> {
        let (hash, set) = Self::hash_and_set(sql);
        let ways = self.slots.get(set..set + Self::WAYS)?;
        let mut kept = ways.iter().flatten();
        kept.find(|(h, text, _)| *h == hash && **text == *sql).map(|(_, _, s)| s.clone())
    }

    fn insert(&mut self, sql: &str, statements: &Rc<[Statement]>) {
        if sql.len() > Self::LONGEST_TEXT {
            return;
        }
        if self.slots.is_empty() {
            self.slots = std::iter::repeat_with(|| None).take(Self::SLOTS).collect();
        }
        let (hash, set) = Self::hash_and_set(sql);
        let ways = &mut self.slots[set..set + Self::WAYS];
        // Newest first: the oldest moves to the end, and is replaced.
        ways.rotate_right(1);
        ways[0] = Some((hash, sql.into(), statements.clone()));
    }
}

impl Statement {
    /// Whether it opens a transaction block (`BEGIN`, `START TRANSACTION`): the only way one
    /// opens.
    pub fn opens_transaction(&self) -> bool {
        matches!(*self.kind, StatementKind::Begin)
    }

    /// True for anything a hot standby must refuse: INSERT/UPDATE/DELETE/CREATE/DROP, and
    /// `EXPLAIN ANALYZE` of a write (it runs it).
    pub fn is_write(&self) -> bool {
        match &*self.kind {
            StatementKind::Explain(explain) => explain.analyze && explain.write.is_some(),
            StatementKind::Insert(_)
            | StatementKind::Update(_)
            | StatementKind::Delete(_)
            | StatementKind::CreateTable(_)
            | StatementKind::DropTable { .. }
            | StatementKind::CreateIndex(_) => true,
            _ => false,
        }
    }

    /// The command a hot standby names when it refuses this write: `EXPLAIN ANALYZE UPDATE`
    /// is refused as `UPDATE`, as in PostgreSQL.
    pub fn write_tag(&self) -> &'static str {
        match &*self.kind {
            StatementKind::Explain(explain) => match explain.write.as_deref() {
                Some(StatementKind::Insert(_)) => "INSERT",
                Some(StatementKind::Update(_)) => "UPDATE",
                Some(StatementKind::Delete(_)) => "DELETE",
                _ => "EXPLAIN",
            },
            _ => self.command_tag(),
        }
    }

    /// The command name PostgreSQL uses for this statement (`INSERT`, `CREATE TABLE`, ...).
    pub fn command_tag(&self) -> &'static str {
        match &*self.kind {
            StatementKind::Insert(_) => "INSERT",
            StatementKind::Update(_) => "UPDATE",
            StatementKind::Delete(_) => "DELETE",
            StatementKind::Select(_) => "SELECT",
            StatementKind::Explain(_) => "EXPLAIN",
            StatementKind::CreateTable(_) => "CREATE TABLE",
            StatementKind::DropTable { .. } => "DROP TABLE",
            StatementKind::CreateIndex(_) => "CREATE INDEX",
            StatementKind::Begin => "BEGIN",
            StatementKind::Commit => "COMMIT",
            StatementKind::Rollback => "ROLLBACK",
            StatementKind::Utility(utility) => utility.tag(),
        }
    }

    /// The statement's text as the user wrote it (without the trailing `;`).
    pub fn sql(&self) -> Rc<str> {
        self.source.text.clone()
    }

    /// Its text and tables, shared rather than copied.
    pub fn source(&self) -> Rc<Source> {
        self.source.clone()
    }

    /// Whether the statement may read the server's catalog (views, settings, recovery state).
    pub fn needs_catalog(&self) -> bool {
        self.catalog
    }

    /// `SET`, `SHOW`, `RESET`, `ALTER SYSTEM` or `CHECKPOINT`: for the server to run.
    pub fn utility(&self) -> Option<&Utility> {
        match &*self.kind {
            StatementKind::Utility(utility) => Some(utility),
            _ => None,
        }
    }

    /// True for `BEGIN`, `COMMIT` and `ROLLBACK`.
    pub fn is_transaction_control(&self) -> bool {
        matches!(*self.kind, StatementKind::Begin | StatementKind::Commit | StatementKind::Rollback)
    }

    /// The tables the statement names (for routing and logs), in order of appearance.
    pub fn tables(&self) -> Rc<[String]> {
        self.source.tables.clone()
    }
}
