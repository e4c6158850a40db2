//! Fuzzes the SQL engine: any input, parsed and executed in two sessions
//! against a small database, must neither panic nor overflow the stack, and
//! the WAL it produces must replay onto a copy of the starting database
//! exactly (the property replicas depend on).
//!
//! Run with `cargo fuzz run sql_never_panics` from `fuzz/` (nightly Rust).

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use replica_playground::engine::sql::{parse, Database, Env, Outcome, Session, Timestamp};

/// The database every input starts from.
fn template() -> Database {
    let mut db = Database::new();
    let mut session = Session::default();
    let env = Env::default();
    let setup =
        "CREATE TABLE t (id INT PRIMARY KEY, v TEXT, n NUMERIC(5,2), ts TIMESTAMP DEFAULT NOW());
                 CREATE TABLE u (id SERIAL PRIMARY KEY, t_id INT, flag BOOLEAN);
                 CREATE INDEX ON u (t_id);
                 INSERT INTO t (id, v, n) VALUES (1, 'a', 1.5), (2, 'b', NULL), (3, NULL, 7);
                 INSERT INTO u (t_id, flag) VALUES (1, true), (3, NULL), (9, false);";
    for statement in parse(setup).unwrap_or_default() {
        let _ = db.execute(&mut session, &statement, &env);
    }
    db
}

fuzz_target!(|data: &[u8]| {
    let Ok(sql) = std::str::from_utf8(data) else { return };
    static TEMPLATE: OnceLock<Database> = OnceLock::new();
    let base = TEMPLATE.get_or_init(template);
    let mut db = base.clone();
    let env = Env {
        now: Timestamp(1_767_603_600_000),
        in_recovery: data.len().is_multiple_of(7),
        wal_lsn: 42,
    };
    let mut sessions = [Session::default(), Session::default()];
    let mut wal = Vec::new();
    let statements = parse(sql).unwrap_or_default();
    for (i, statement) in statements.iter().enumerate() {
        if let Ok(outcome) = db.execute(&mut sessions[i % 2], statement, &env) {
            let _ = outcome.render();
            wal.extend(outcome.commit);
        }
    }
    for session in &mut sessions {
        if let Some(commit) = parse("COMMIT").ok().and_then(|s| s.into_iter().next()) {
            if let Ok(Outcome { commit: Some(c), .. }) = db.execute(session, &commit, &env) {
                wal.push(c);
            }
        }
    }
    let mut replica = base.clone();
    for commit in &wal {
        replica.apply(commit);
    }
    assert!(replica == db, "WAL replay diverged for {sql:?}");
});
