//! Executing statements, and transactions as private copies.
//!
//! Outside a transaction every statement is its own transaction
//! (autocommit): its changes are applied at once and returned as one
//! [`Commit`]. Inside `BEGIN ... COMMIT` a session works on a private copy
//! of the database, so other sessions see nothing until it commits:
//!
//! ```text
//!   BEGIN      session.txn = copy of the database (a snapshot)
//!   INSERT ..  applied to the copy; changes remembered
//!   SELECT ..  reads the copy: own changes visible, others' commits not
//!   COMMIT     changes re-applied to the shared database, re-checked:
//!                a row someone else changed or deleted meanwhile
//!                  -> could not serialize access due to concurrent update
//!                a key someone else inserted meanwhile
//!                  -> duplicate key value violates unique constraint
//!              on success: one Commit with all changes (one WAL record)
//!   ROLLBACK   the copy is dropped
//! ```
//!
//! This is snapshot isolation with first-committer-wins, which is what
//! PostgreSQL's `REPEATABLE READ` gives. An error inside a transaction
//! leaves it *aborted*: every further statement fails with
//! `current transaction is aborted, commands ignored until end of
//! transaction block`, and `COMMIT` then reports `ROLLBACK`.
//!
//! On a hot standby ([`Env::in_recovery`]) writes fail with
//! `cannot execute INSERT in a read-only transaction`.

use super::ast::{InsertSource, StatementKind};
use super::dml::{self, Effect, SequenceSource, Sequences};
use super::error::SqlError;
use super::outcome::Outcome;
use super::query::run_select;
use super::storage::Database;
use super::wal::{Change, Commit};
use super::{Env, Statement};

use std::rc::Rc;

type Result<T> = std::result::Result<T, SqlError>;

/// What PostgreSQL warns on `COMMIT` or `ROLLBACK` outside a transaction block.
const NO_TRANSACTION: &str = "WARNING:  there is no transaction in progress";

/// Per-connection state: the open transaction, if any.
#[derive(Clone, Debug, Default)]
pub struct Session {
    txn: Option<Transaction>,
    /// The statement run last (or running), and when it started: `pg_stat_activity.query`
    /// (kept by the server that runs statements on this connection).
    pub query: Option<(Rc<str>, super::Timestamp)>,
}

/// An open transaction: a private working copy and the changes made to it.
#[derive(Clone, Debug)]
struct Transaction {
    work: Database,
    changes: Vec<Change>,
    aborted: bool,
}

impl Session {
    /// A session with no open transaction.
    pub fn new() -> Self {
        Self::default()
    }

    /// True between `BEGIN` and `COMMIT`/`ROLLBACK`.
    pub fn in_transaction(&self) -> bool {
        self.txn.is_some()
    }

    /// True if the open transaction hit an error and only accepts COMMIT/ROLLBACK.
    pub fn is_aborted(&self) -> bool {
        self.txn.as_ref().is_some_and(|t| t.aborted)
    }

    /// Marks an open transaction aborted (an error the server raised, not the database).
    pub fn abort(&mut self) {
        if let Some(txn) = &mut self.txn {
            txn.aborted = true;
        }
    }

    /// Changes made so far in the open transaction (not yet visible to others).
    pub fn pending_changes(&self) -> &[Change] {
        self.txn.as_ref().map_or(&[], |t| t.changes.as_slice())
    }
}

impl Database {
    /// Executes one statement for `session`. Returns its outcome; on error an
    /// open transaction becomes aborted.
    pub fn execute(
        &mut self,
        session: &mut Session,
        stmt: &Statement,
        env: &Env,
    ) -> Result<Outcome> {
        let mut result = self.dispatch(session, stmt, env);
        match &mut result {
            Ok(outcome) => {
                outcome.notices.splice(0..0, stmt.notices.iter().cloned()).for_each(drop)
            }
            Err(_) => session.abort(),
        }
        result
    }

    fn dispatch(&mut self, session: &mut Session, stmt: &Statement, env: &Env) -> Result<Outcome> {
        match &*stmt.kind {
            StatementKind::Commit => return self.commit(session),
            StatementKind::Rollback => {
                let mut outcome = Outcome::tag("ROLLBACK");
                if session.txn.take().is_none() {
                    outcome.notices.push(NO_TRANSACTION.to_string());
                }
                return Ok(outcome);
            }
            _ => {}
        }
        if session.is_aborted() {
            return Err(SqlError::in_failed_transaction());
        }
        if env.in_recovery && stmt.is_write() {
            return Err(SqlError::read_only_transaction(stmt.write_tag()));
        }
        if matches!(*stmt.kind, StatementKind::Begin) {
            let mut outcome = Outcome::tag("BEGIN");
            if session.txn.is_none() {
                session.txn =
                    Some(Transaction { work: self.clone(), changes: Vec::new(), aborted: false });
            } else {
                outcome.notices.push("WARNING:  there is already a transaction in progress".into());
            }
            return Ok(outcome);
        }
        match &mut session.txn {
            Some(txn) => {
                let (outcome, changes) =
                    run(&mut txn.work, Some(&mut self.sequences), &stmt.kind, env)?;
                txn.changes.extend(changes);
                Ok(outcome)
            }
            None => {
                let (mut outcome, changes) = run(self, None, &stmt.kind, env)?;
                if !changes.is_empty() {
                    outcome.commit = Some(Commit { changes: changes.into() });
                }
                Ok(outcome)
            }
        }
    }

    /// Ends the session's transaction, re-applying its changes to the shared database.
    fn commit(&mut self, session: &mut Session) -> Result<Outcome> {
        let Some(txn) = session.txn.take() else {
            let mut outcome = Outcome::tag("COMMIT");
            outcome.notices.push(NO_TRANSACTION.to_string());
            return Ok(outcome);
        };
        if txn.aborted {
            return Ok(Outcome::tag("ROLLBACK"));
        }
        if txn.changes.is_empty() {
            return Ok(Outcome::tag("COMMIT"));
        }
        *self = self.with_changes(&txn.changes)?;
        let mut outcome = Outcome::tag("COMMIT");
        outcome.commit = Some(Commit { changes: txn.changes.into() });
        Ok(outcome)
    }

    /// This database with `changes` (computed on another copy of it) applied and every key
    /// they wrote still unique, or why they no longer fit.
    pub(super) fn with_changes(&self, changes: &[Change]) -> Result<Database> {
        let mut next = self.clone();
        for change in changes {
            next.apply_change(change, None).map_err(conflict)?;
        }
        next.check_unique(changes)?;
        Ok(next)
    }
}

/// A change that no longer fits at COMMIT is a concurrent-update conflict,
/// except for DDL races, which keep their own message.
fn conflict(error: SqlError) -> SqlError {
    match error.code {
        "42P07" | "23505" => error,
        _ => SqlError::serialization_failure(),
    }
}

/// Runs a non-transaction-control statement against `work` and applies its
/// changes there. `shared` is the shared database's sequences inside a transaction.
fn run(
    work: &mut Database,
    shared: Option<&mut Sequences>,
    kind: &StatementKind,
    env: &Env,
) -> Result<(Outcome, Vec<Change>)> {
    match kind {
        StatementKind::Select(select) => {
            let result = run_select(work, select, env)?;
            let tag = counted_tag("SELECT ", result.rows.len() as u64 + result.unread);
            Ok((
                Outcome {
                    tag,
                    columns: result.columns,
                    rows: result.rows,
                    unread_rows: result.unread,
                    commit: None,
                    cost: result.cost,
                    notices: Vec::new(),
                },
                Vec::new(),
            ))
        }
        StatementKind::Explain(explain) => match explain.write.as_deref() {
            // ANALYZE runs the write; its plan is of the rows as they were.
            Some(write) if explain.analyze => {
                let before = work.clone();
                let (written, changes) = run(work, shared, write, env)?;
                let plan = super::explain::explain(
                    &before,
                    explain,
                    env,
                    Some((&written, changes.len())),
                )?;
                Ok((plan, changes))
            }
            Some(write) => {
                // Planning analyses the write as PostgreSQL does (names, literals' types),
                // without running it: only those errors, the ones with a position, count.
                match run(&mut work.clone(), None, write, env) {
                    Err(error) if error.position.is_some() || error.code.starts_with("42") => {
                        Err(error)
                    }
                    _ => Ok((super::explain::explain(work, explain, env, None)?, Vec::new())),
                }
            }
            None => Ok((super::explain::explain(work, explain, env, None)?, Vec::new())),
        },
        StatementKind::CreateTable(create) => {
            let Some(schema) = dml::create_table(work, create)? else {
                return Ok((Outcome::tag("CREATE TABLE"), Vec::new()));
            };
            apply(
                work,
                Outcome::tag("CREATE TABLE"),
                vec![(Change::CreateTable { schema: Box::new(schema) }, None)],
            )
        }
        StatementKind::DropTable { names, if_exists } => {
            let mut changes = Vec::new();
            let mut outcome = Outcome::tag("DROP TABLE");
            for name in names {
                let change = (Change::DropTable { table: name.name.as_str().into() }, None);
                match work.table(&name.name) {
                    Ok(_) if changes.contains(&change) => {}
                    Ok(_) => changes.push(change),
                    Err(_) if *if_exists => outcome
                        .notices
                        .push(format!("NOTICE:  table \"{}\" does not exist, skipping", name.name)),
                    // PostgreSQL names the kind of relation, and points at nothing.
                    Err(_) => {
                        let message = format!("table \"{}\" does not exist", name.name);
                        return Err(SqlError::new("42P01", message));
                    }
                }
            }
            apply(work, outcome, changes)
        }
        StatementKind::CreateIndex(create) => {
            let (index, cost) = dml::create_index(work, create)?;
            let Some(index) = index else { return Ok((Outcome::tag("CREATE INDEX"), Vec::new())) };
            let outcome = Outcome { cost, ..Outcome::tag("CREATE INDEX") };
            apply(
                work,
                outcome,
                vec![(
                    Change::CreateIndex {
                        table: create.table.name.as_str().into(),
                        index: Box::new(index),
                    },
                    None,
                )],
            )
        }
        StatementKind::Insert(insert) => {
            let selected = match &insert.source {
                InsertSource::Select(select) => {
                    let result = run_select(work, select, env)?;
                    Some((result.rows, result.cost))
                }
                _ => None,
            };
            let mut sequences = SequenceSource { work: &mut work.sequences, shared };
            let effect = dml::insert(&work.tables, &mut sequences, insert, selected, env)?;
            apply_effect(work, counted_tag("INSERT 0 ", effect.count as u64), effect)
        }
        StatementKind::Update(update) => {
            let mut sequences = SequenceSource { work: &mut work.sequences, shared };
            let effect = dml::update(&work.tables, &mut sequences, update, env)?;
            apply_effect(work, counted_tag("UPDATE ", effect.count as u64), effect)
        }
        StatementKind::Delete(delete) => {
            let effect = dml::delete(&work.tables, delete, env)?;
            apply_effect(work, counted_tag("DELETE ", effect.count as u64), effect)
        }
        StatementKind::Begin | StatementKind::Commit | StatementKind::Rollback => {
            Ok((Outcome::tag(kind_tag(kind)), Vec::new()))
        }
        // The server runs these (settings belong to it, not to the data).
        StatementKind::Utility(utility) => {
            Err(SqlError::unsupported(format!("{} without a server", utility.tag())))
        }
    }
}

fn kind_tag(kind: &StatementKind) -> &'static str {
    match kind {
        StatementKind::Begin => "BEGIN",
        StatementKind::Commit => "COMMIT",
        _ => "ROLLBACK",
    }
}

/// A command tag with its row count (`SELECT 10`, `INSERT 0 1`), written without format
/// arguments: every statement gets one.
fn counted_tag(verb: &str, count: u64) -> String {
    let mut buf = [0; 40];
    let digits = super::value::decimal_digits(count.into(), &mut buf);
    let mut tag = String::with_capacity(verb.len() + digits.len());
    tag.push_str(verb);
    tag.push_str(digits);
    tag
}

fn apply_effect(
    work: &mut Database,
    tag: String,
    effect: Effect,
) -> Result<(Outcome, Vec<Change>)> {
    let outcome = Outcome {
        tag,
        columns: effect.columns,
        rows: effect.rows,
        unread_rows: 0,
        commit: None,
        cost: effect.cost,
        notices: Vec::new(),
    };
    apply(work, outcome, effect.changes)
}

/// Applies computed changes to `work` through the one write path replicas use too.
fn apply(
    work: &mut Database,
    outcome: Outcome,
    changes: Vec<(Change, Option<u64>)>,
) -> Result<(Outcome, Vec<Change>)> {
    for (change, hint) in &changes {
        work.apply_change(change, *hint)?;
    }
    Ok((outcome, changes.into_iter().map(|(c, _)| c).collect()))
}

#[cfg(test)]
mod tag_tests {
    use super::counted_tag;

    #[test]
    fn tags_carry_their_counts() {
        assert_eq!(counted_tag("SELECT ", 0), "SELECT 0");
        assert_eq!(counted_tag("INSERT 0 ", 1), "INSERT 0 1");
        assert_eq!(counted_tag("DELETE ", u64::MAX), format!("DELETE {}", u64::MAX));
    }
}
