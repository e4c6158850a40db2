//! Writes while other transactions' commits are not yet visible.
//!
//! A commit that waits for its synchronous standbys is in the primary's WAL, but PostgreSQL
//! ends its transaction only when the wait ends: until then others do not see its rows, and
//! it still holds its locks. A write from another session therefore
//!
//! ```text
//!   runs on a snapshot without the waiting commits   UPDATE .. WHERE id = 3  -> UPDATE 0
//!                                                     (row 3 is a waiting INSERT: unseen)
//!   waits when it touches a row one of them wrote    UPDATE .. WHERE id = 1  -> waits on
//!     (or a key one of them inserted, or DDL on        the lock (Lock / transactionid),
//!     a table one of them changed)                     runs again once the commit ends
//!   else applies its changes to the shared database
//! ```

use super::exec::Session;
use super::outcome::Outcome;
use super::storage::Database;
use super::wal::{Change, Commit};
use super::{Env, SqlError, Statement};

use super::value::Value;

/// How a write went while other transactions' commits wait.
// Returned once and matched at once: boxing the outcome would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum PastWaits {
    /// It ran (or failed) without touching their rows.
    Ran(Result<Outcome, SqlError>),
    /// It touches what the waiting commit at this index wrote: it waits for that commit.
    Blocked(usize),
}

impl Database {
    /// Runs `stmt` (an autocommit statement) as PostgreSQL does while `waiting` (applied
    /// last, in this order) have not ended: see the module's comment.
    pub fn execute_past_waits(
        &mut self,
        session: &mut Session,
        stmt: &Statement,
        env: &Env,
        waiting: &[&Commit],
    ) -> PastWaits {
        assert!(!session.in_transaction(), "a transaction block keeps its own snapshot");
        let mut snapshot = self.without(waiting);
        let result = snapshot.execute(session, stmt, env);
        let changes = match &result {
            Ok(Outcome { commit: Some(commit), .. }) => &commit.changes,
            _ => return PastWaits::Ran(result),
        };
        if let Some(holder) = waiting.iter().position(|held| self.touches(changes, held)) {
            return PastWaits::Blocked(holder);
        }
        match self.with_changes(changes) {
            Ok(mut next) => {
                next.sequences = snapshot.sequences;
                *self = next;
                PastWaits::Ran(result)
            }
            // A unique key only a waiting commit holds (a secondary unique index, say):
            // the statement waits for it as it would on PostgreSQL's index tuple.
            Err(_) => PastWaits::Blocked(waiting.len() - 1),
        }
    }

    /// Whether `changes` touch a row or table `held` wrote, i.e. would wait on its locks.
    fn touches(&self, changes: &[Change], held: &Commit) -> bool {
        changes.iter().any(|change| {
            held.changes.iter().any(|other| {
                change.table() == other.table()
                    && (is_ddl(change) || is_ddl(other) || {
                        let mine = self.row_keys(change);
                        self.row_keys(other).iter().any(|k| mine.contains(k))
                    })
            })
        })
    }

    /// The identities of the rows a change writes: their primary key, or the whole row in a
    /// table without one.
    fn row_keys(&self, change: &Change) -> Vec<Vec<Value>> {
        let rows: Vec<&[Value]> = match change {
            Change::Insert { row, .. } => vec![row],
            Change::Update { before, after, .. } => vec![before, after],
            Change::Delete { before, .. } => vec![before],
            _ => Vec::new(),
        };
        let key_columns: Option<Vec<usize>> = self.schema(change.table()).and_then(|schema| {
            let key = schema.primary_key()?;
            key.columns.iter().map(|c| schema.column_index(c)).collect()
        });
        rows.into_iter()
            .map(|row| match &key_columns {
                Some(columns) => columns.iter().filter_map(|i| row.get(*i).cloned()).collect(),
                None => row.to_vec(),
            })
            .collect()
    }
}

fn is_ddl(change: &Change) -> bool {
    matches!(
        change,
        Change::CreateTable { .. } | Change::DropTable { .. } | Change::CreateIndex { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    /// A table of three rows, and a waiting commit (of another session) made by `held_sql`.
    fn scene(held_sql: &str) -> (Database, Commit) {
        let mut db = Database::new();
        let mut session = Session::new();
        let env = Env::default();
        let setup = "CREATE TABLE t (id INT PRIMARY KEY, v TEXT UNIQUE, n INT);
                     INSERT INTO t VALUES (1, 'a', 0), (2, 'b', 0)";
        for statement in parse(setup).expect("parses") {
            db.execute(&mut session, &statement, &env).expect("runs");
        }
        let statement = &parse(held_sql).expect("parses")[0];
        let outcome = db.execute(&mut session, statement, &env).expect("runs");
        (db, outcome.commit.expect("a write"))
    }

    fn run(db: &mut Database, held: &Commit, sql: &str) -> PastWaits {
        let statement = &parse(sql).expect("parses")[0];
        db.execute_past_waits(&mut Session::new(), statement, &Env::default(), &[held])
    }

    fn tag(waits: PastWaits) -> String {
        match waits {
            PastWaits::Ran(result) => result.map_or_else(|e| e.to_string(), |o| o.tag),
            PastWaits::Blocked(holder) => format!("blocked on {holder}"),
        }
    }

    #[test]
    fn a_write_waits_for_the_rows_and_tables_a_waiting_commit_wrote() {
        let (mut db, held) = scene("UPDATE t SET n = 1 WHERE id = 1");
        assert_eq!(tag(run(&mut db, &held, "UPDATE t SET n = n + 1 WHERE id = 1")), "blocked on 0");
        assert_eq!(tag(run(&mut db, &held, "DELETE FROM t WHERE v = 'a'")), "blocked on 0");
        assert_eq!(tag(run(&mut db, &held, "DROP TABLE t")), "blocked on 0");
        // Another row is free: the change lands on the shared database.
        assert_eq!(tag(run(&mut db, &held, "UPDATE t SET n = 5 WHERE id = 2")), "UPDATE 1");
        let rows = db.rows("t").expect("exists");
        assert_eq!(rows.iter().map(|r| r[2].to_string()).collect::<Vec<_>>(), ["1", "5"]);
    }

    #[test]
    fn a_waiting_insert_is_unseen_but_its_keys_are_held() {
        let (mut db, held) = scene("INSERT INTO t VALUES (3, 'c', 0)");
        let before = db.rows("t");
        assert_eq!(tag(run(&mut db, &held, "UPDATE t SET n = 9 WHERE id = 3")), "UPDATE 0");
        assert_eq!(tag(run(&mut db, &held, "INSERT INTO t VALUES (3, 'd', 0)")), "blocked on 0");
        // Same secondary unique key, other primary key: found when the change is re-applied.
        assert_eq!(tag(run(&mut db, &held, "INSERT INTO t VALUES (4, 'c', 0)")), "blocked on 0");
        assert_eq!(db.rows("t"), before, "nothing was applied");
    }
}
