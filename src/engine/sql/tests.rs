//! Tests: golden scripts for every statement form, property tests for
//! robustness (no input panics) and for replication (WAL replay rebuilds the
//! primary's database exactly).
//!
//! Golden scripts live in `testscripts/`. SQL is given as literal lines
//! (`> SELECT ...`) so the runner receives it verbatim; a `s2:` prefix runs
//! it in a second session. Tags, written before the `>` (`[cost]> SELECT ..`),
//! add detail to a statement's output:
//! `[cost]` prints the cost line, `[wal]` the WAL records it committed.
//! A few runner commands set the scene:
//!
//! ```text
//! now "2026-01-05 09:00:00"  set Env::now
//! recovery true              act as a hot standby (Env::in_recovery)
//! lsn 50331976               set Env::wal_lsn
//! replay                     rebuild a replica from all WAL so far and compare
//! ```

use std::collections::BTreeMap;
use std::error::Error;
use std::fmt::Write as _;

use super::*;

/// 2026-01-05 09:00:00 UTC.
const LESSON_NOW: Timestamp = Timestamp(1_767_603_600_000);

fn run_all(
    db: &mut Database,
    session: &mut Session,
    sql: &str,
    env: &Env,
) -> Vec<Result<Outcome, SqlError>> {
    match parse(sql) {
        Ok(statements) => statements.iter().map(|s| db.execute(session, s, env)).collect(),
        Err(e) => vec![Err(e)],
    }
}

/// Runs SQL in a fresh database and returns the outcomes, panicking on errors.
fn run_ok(sql: &str) -> (Database, Vec<Outcome>) {
    let mut db = Database::new();
    let mut session = Session::default();
    let env = Env { now: LESSON_NOW, ..Env::default() };
    let outcomes = run_all(&mut db, &mut session, sql, &env)
        .into_iter()
        .map(|r| r.unwrap_or_else(|e| panic!("statement failed: {e}")))
        .collect();
    (db, outcomes)
}

#[test]
fn lesson_basics() {
    let sql = "CREATE TABLE orders (id SERIAL PRIMARY KEY, user_id INT NOT NULL, amount NUMERIC(10,2), created_at TIMESTAMP DEFAULT NOW());
               INSERT INTO orders (user_id, amount) VALUES (101, 19.99);
               SELECT * FROM orders WHERE user_id = 101;
               SELECT * FROM orders WHERE created_at > NOW() - INTERVAL 1 DAY;";
    let (db, outcomes) = run_ok(sql);
    assert_eq!(outcomes[0].tag, "CREATE TABLE");
    assert_eq!(outcomes[1].tag, "INSERT 0 1");
    assert_eq!(outcomes[2].tag, "SELECT 1");
    assert_eq!(outcomes[2].columns, ["id", "user_id", "amount", "created_at"]);
    assert_eq!(outcomes[2].rows[0][2].to_string(), "19.99");
    assert_eq!(outcomes[2].rows[0][3].to_string(), "2026-01-05 09:00:00");
    assert_eq!(outcomes[3].tag, "SELECT 1");
    assert_eq!(db.row_count("orders"), Some(1));
    assert_eq!(db.table_names(), ["orders"]);
}

/// Compiles only while the public API keeps the names the cluster code uses.
#[test]
fn api_contract() {
    let env = Env { now: Timestamp(0), ..Env::default() };
    let mut db = Database::new();
    let mut session = Session::default();
    let statements =
        parse("BEGIN; CREATE TABLE t (id INT PRIMARY KEY); COMMIT").unwrap_or_default();
    let mut commits = Vec::new();
    for statement in &statements {
        let Outcome { tag, columns, rows, commit, cost, .. } =
            match db.execute(&mut session, statement, &env) {
                Ok(outcome) => outcome,
                Err(SqlError { code, message, position }) => {
                    panic!("{code} {message} {position:?}")
                }
            };
        let Cost { rows_scanned, rows_returned, access } = cost;
        assert!(matches!(
            access,
            Access::None | Access::FullScan { .. } | Access::IndexScan { .. }
        ));
        assert_eq!((rows_scanned, rows_returned, columns.len(), rows.len()), (0, 0, 0, 0));
        assert_eq!(tag, statement.command_tag());
        commits.extend(commit);
        let _: (bool, Rc<str>) = (statement.is_write(), statement.sql());
    }
    assert!(!session.in_transaction());
    let [Commit { changes }] = commits.as_slice() else { panic!("one commit expected") };
    assert!(matches!(&changes[..], [Change::CreateTable { .. }]));
    let mut replica = Database::default();
    replica.apply(&commits[0]);
    assert_eq!(replica, db);
    assert_eq!(replica.table_names(), ["t"]);
    assert_eq!(replica.row_count("t"), Some(0));
    assert_eq!(replica.row_count("nope"), None);
    let error: Box<dyn std::error::Error> = Box::new(SqlError::undefined_table("x"));
    assert_eq!(error.to_string(), "ERROR:  relation \"x\" does not exist");
    let values = [
        Value::Null,
        Value::Bool(true),
        Value::Int(1),
        Value::Text("a".into()),
        Value::Timestamp(Timestamp(0)),
    ];
    let shown: Vec<String> = values.iter().map(Value::to_string).collect();
    assert_eq!(shown, ["", "t", "1", "a", "1970-01-01 00:00:00"]);
}

#[test]
fn statement_metadata() {
    let statements =
        parse("BEGIN; INSERT INTO t VALUES (1); select * from t ; COMMIT;").unwrap_or_default();
    let tags: Vec<&str> = statements.iter().map(Statement::command_tag).collect();
    assert_eq!(tags, ["BEGIN", "INSERT", "SELECT", "COMMIT"]);
    let writes: Vec<bool> = statements.iter().map(Statement::is_write).collect();
    assert_eq!(writes, [false, true, false, false]);
    assert_eq!(&*statements[2].sql(), "select * from t");
    assert!(parse("").is_ok_and(|s| s.is_empty()));
    assert!(parse("  ;; -- nothing\n").is_ok_and(|s| s.is_empty()));
}

#[test]
fn writes_return_one_commit_each() {
    let (_, outcomes) = run_ok(
        "CREATE TABLE t (id INT PRIMARY KEY); INSERT INTO t VALUES (1), (2); SELECT * FROM t; UPDATE t SET id = id + 10 WHERE id = 5;",
    );
    let commits: Vec<usize> =
        outcomes.iter().map(|o| o.commit.as_ref().map_or(0, |c| c.changes.len())).collect();
    assert_eq!(commits, [1, 2, 0, 0]);
    assert!(outcomes[1].commit.as_ref().is_some_and(|c| c.size_bytes() > 2 * 24));
}

#[test]
fn wal_records_describe_themselves() {
    let (db, outcomes) = run_ok(
        "CREATE TABLE orders (id SERIAL PRIMARY KEY, user_id INT, note TEXT);
         INSERT INTO orders (user_id, note) VALUES (101, 'it''s');
         UPDATE orders SET user_id = 102 WHERE id = 1;
         DELETE FROM orders;",
    );
    let changes: Vec<&Change> =
        outcomes.iter().filter_map(|o| o.commit.as_ref()).flat_map(|c| &c.changes).collect();
    let shown: Vec<String> = changes.iter().map(|c| c.to_string()).collect();
    assert_eq!(
        shown,
        [
            "CREATE TABLE orders",
            "INSERT orders (1, 101, 'it''s')",
            "UPDATE orders (1, 101, 'it''s') -> (1, 102, 'it''s')",
            "DELETE orders (1, 102, 'it''s')",
        ]
    );
    assert_eq!(db.describe(changes[1]), "INSERT orders id=1 user_id=101 note='it''s'");
    assert_eq!(db.describe(changes[2]), "UPDATE orders id=1 user_id: 101 -> 102");
    assert_eq!(outcomes[3].render(), "DELETE 1");
    assert_eq!(outcomes[3].cost.to_string(), "Seq Scan on orders: 1 rows scanned, 1 returned");
}

#[test]
fn timestamps_print_like_postgres() {
    assert_eq!(Timestamp(0).to_string(), "1970-01-01 00:00:00");
    assert_eq!(LESSON_NOW.to_string(), "2026-01-05 09:00:00");
    assert_eq!(Timestamp(LESSON_NOW.0 + 250).to_string(), "2026-01-05 09:00:00.25");
    assert_eq!(Timestamp(951_782_400_000).to_string(), "2000-02-29 00:00:00");
    assert_eq!(Timestamp(-1).to_string(), "1969-12-31 23:59:59.999");
    // Any i64 prints without panicking.
    let _ = Timestamp(i64::MIN).to_string();
    let _ = Timestamp(i64::MAX).to_string();
    for text in ["2026-01-05 09:00:00", "2000-02-29 23:59:59.5", "1999-12-31 00:00:00"] {
        assert_eq!(time::Timestamp::parse(text).map(|t| t.to_string()), Ok(text.to_string()));
    }
}

#[test]
fn lsn_format() {
    assert_eq!(format_lsn(0x0300_0148), "0/3000148");
    assert_eq!(format_lsn((1 << 32) + 0xA0), "1/A0");
}

#[test]
fn numeric_division_scale_matches_postgres() {
    let n = |s: &str| Numeric::parse(s).unwrap_or_else(|| Numeric::from_i64(0));
    let div = |a: &str, b: &str| n(a).div(&n(b)).map(|x| x.to_string()).unwrap_or_default();
    assert_eq!(div("1", "3"), "0.33333333333333333333");
    assert_eq!(div("10", "3"), "3.3333333333333333");
    assert_eq!(div("3", "2"), "1.5000000000000000");
    assert_eq!(div("25.00", "2"), "12.5000000000000000");
    assert_eq!(n("2.5").round_to(0).map(|x| x.to_string()), Ok("3".into()));
    assert_eq!(n("-2.5").round_to(0).map(|x| x.to_string()), Ok("-3".into()));
    assert_eq!(n("14.5").round_to(-1).map(|x| x.to_string()), Ok("10".into()));
    assert_eq!(n("15").round_to(-1).map(|x| x.to_string()), Ok("20".into()));
}

// ----- golden scripts -----

/// Runs goldenscript commands against one database and any number of sessions.
struct Runner {
    db: Database,
    sessions: BTreeMap<String, Session>,
    env: Env,
    wal: Vec<Commit>,
}

impl Runner {
    fn new() -> Self {
        Runner {
            db: Database::new(),
            sessions: BTreeMap::new(),
            env: Env { now: LESSON_NOW, ..Env::default() },
            wal: Vec::new(),
        }
    }

    /// Runs SQL text statement by statement, rendering outcomes and errors like psql.
    fn sql(&mut self, sql: &str, session: &str, context: &goldenscript::Context) -> String {
        let statements = match parse(sql) {
            Ok(s) => s,
            Err(e) => return e.render_with_source(sql) + "\n",
        };
        let mut out = String::new();
        for statement in statements {
            let session = self.sessions.entry(session.to_string()).or_default();
            match self.db.execute(session, &statement, &self.env) {
                Ok(outcome) => {
                    out.push_str(&outcome.render());
                    out.push('\n');
                    self.details(&outcome, context, &mut out);
                }
                Err(e) => {
                    out.push_str(&e.render_with_source(&statement.sql()));
                    out.push('\n');
                }
            }
        }
        out
    }

    fn details(&mut self, outcome: &Outcome, context: &goldenscript::Context, out: &mut String) {
        if context.tags.contains("cost") {
            let _ = writeln!(out, "cost: {}", outcome.cost);
        }
        if let Some(commit) = &outcome.commit {
            if context.tags.contains("wal") {
                let _ = writeln!(out, "wal: commit of {} bytes", commit.size_bytes());
                for change in &commit.changes {
                    let _ = writeln!(out, "wal:   {change}");
                }
            }
            self.wal.push(commit.clone());
        }
    }

    /// Rebuilds a replica from the WAL so far and compares it with the primary.
    fn replay(&self) -> String {
        let mut replica = Database::new();
        for commit in &self.wal {
            replica.apply(commit);
        }
        let verdict =
            if replica == self.db { "replica matches primary" } else { "REPLICA DIVERGED" };
        format!("replayed {} commits: {verdict}\n", self.wal.len())
    }
}

impl goldenscript::Runner for Runner {
    type Command = goldenscript::Command;

    fn run(
        &mut self,
        command: &goldenscript::Command,
        context: &goldenscript::Context,
    ) -> Result<String, Box<dyn Error>> {
        let mut args = command.consume_args();
        match command.name.as_str() {
            "now" => {
                self.env.now =
                    time::Timestamp::parse(args.next_pos().ok_or("now needs a timestamp")?)?;
                Ok(String::new())
            }
            "recovery" => {
                self.env.in_recovery =
                    args.next_pos().ok_or("recovery needs true/false")?.parse()?;
                Ok(String::new())
            }
            "lsn" => {
                self.env.wal_lsn = args.next_pos().ok_or("lsn needs a number")?.parse()?;
                Ok(String::new())
            }
            "replay" => Ok(self.replay()),
            sql => {
                let session = context.prefix.clone().unwrap_or_else(|| "s1".to_string());
                Ok(self.sql(sql, &session, context))
            }
        }
    }
}

test_each_file::test_each_path! { in "src/engine/sql/testscripts" as golden => run_golden }

fn run_golden(path: &std::path::Path) {
    if let Err(e) = goldenscript::run(&mut Runner::new(), path) {
        panic!("{e}");
    }
}

// ----- property tests -----

mod properties {
    use proptest::prelude::*;
    use proptest::test_runner::Config;

    use super::*;

    /// Words random statements are made of: keywords, names from the template
    /// database, literals (including ones that overflow), and punctuation.
    const TOKENS: &[&str] = &[
        "SELECT",
        "FROM",
        "WHERE",
        "INSERT",
        "INTO",
        "VALUES",
        "UPDATE",
        "SET",
        "DELETE",
        "CREATE",
        "TABLE",
        "INDEX",
        "ON",
        "DROP",
        "IF",
        "EXISTS",
        "BEGIN",
        "COMMIT",
        "ROLLBACK",
        "JOIN",
        "LEFT",
        "GROUP",
        "BY",
        "HAVING",
        "ORDER",
        "DESC",
        "LIMIT",
        "OFFSET",
        "DISTINCT",
        "AND",
        "OR",
        "NOT",
        "IN",
        "BETWEEN",
        "LIKE",
        "IS",
        "NULL",
        "AS",
        "count(*)",
        "sum(n)",
        "avg(id)",
        "min(v)",
        "max(ts)",
        "now()",
        "INTERVAL",
        "'1 day'",
        "1 DAY",
        "t",
        "u",
        "id",
        "v",
        "n",
        "ts",
        "t_id",
        "flag",
        "(",
        ")",
        ",",
        "*",
        "=",
        "<",
        ">=",
        "+",
        "-",
        "/",
        "%",
        "||",
        "::",
        "::int",
        "0",
        "1",
        "-1",
        "2.5",
        "9223372036854775807",
        "99999999999999999999999999999999999999999",
        "1e400",
        "'x'",
        "'2026-01-05'",
        "''",
        "TRUE",
        "FALSE",
        "RETURNING",
        "DEFAULT",
        "PRIMARY KEY",
        "UNIQUE",
        "NOT NULL",
        "SERIAL",
        "INT",
        "TEXT",
        "NUMERIC(5,2)",
        "TIMESTAMP",
        "BOOLEAN",
        ";",
        "lower(v)",
        "round(n, 2)",
        "coalesce(",
        "CASE WHEN",
        "THEN",
        "ELSE",
        "END",
        "$1",
        "\"Quoted\"",
        "é",
        "--",
        "/*",
    ];

    /// Valid statements that mutation starts from.
    const SEEDS: &[&str] = &[
        "SELECT * FROM t WHERE id = 1",
        "SELECT v, count(*) FROM t GROUP BY v HAVING count(*) > 1 ORDER BY 2 DESC LIMIT 3",
        "SELECT t.id, u.flag FROM t JOIN u ON u.t_id = t.id WHERE t.n BETWEEN 1 AND 5",
        "SELECT * FROM t LEFT JOIN u ON u.t_id = t.id AND u.flag ORDER BY t.id NULLS FIRST",
        "SELECT DISTINCT lower(v) AS l FROM t WHERE v LIKE 'a%' OR v IS NULL",
        "SELECT id * 2 + n / 3, ts - INTERVAL 1 DAY, now() - ts FROM t WHERE ts > now() - INTERVAL '2 days'",
        "INSERT INTO t (id, v, n) VALUES (10, 'x', 1.5), (11, NULL, -2) RETURNING *",
        "INSERT INTO u (t_id, flag) SELECT id, n > 1 FROM t",
        "UPDATE t SET n = n * 2, v = upper(v) WHERE id IN (1, 2, 3) RETURNING id, n",
        "UPDATE t SET id = id + 10",
        "DELETE FROM u WHERE flag = false RETURNING t_id",
        "CREATE TABLE w (a SERIAL PRIMARY KEY, b VARCHAR(3) UNIQUE NOT NULL DEFAULT 'z', c NUMERIC(4,1))",
        "CREATE INDEX ON t (v, n)",
        "DROP TABLE IF EXISTS u",
        "BEGIN; UPDATE t SET v = 'y' WHERE id = 2; COMMIT",
        "SELECT round(avg(n), 2), sum(id), min(ts), max(v) FROM t",
        "SELECT CAST(v AS INT), '12'::numeric, CASE WHEN n > 1 THEN 'big' ELSE 'small' END FROM t",
        "SELECT pg_is_in_recovery(), pg_current_wal_lsn(), coalesce(NULL, 1)",
    ];

    /// A small database every case starts from.
    fn template() -> Database {
        let (db, _) = run_ok(
            "CREATE TABLE t (id INT PRIMARY KEY, v TEXT, n NUMERIC(5,2), ts TIMESTAMP DEFAULT NOW());
             CREATE TABLE u (id SERIAL PRIMARY KEY, t_id INT, flag BOOLEAN);
             CREATE INDEX ON u (t_id);
             INSERT INTO t (id, v, n) VALUES (1, 'a', 1.5), (2, 'b', NULL), (3, NULL, 7), (4, 'a', -2.25);
             INSERT INTO u (t_id, flag) VALUES (1, true), (1, false), (3, NULL), (9, true);",
        );
        db
    }

    /// Runs arbitrary text in two sessions; nothing may panic, and the WAL
    /// produced must replay onto a copy of the starting database exactly.
    fn exercise(base: &Database, sql: &str) {
        let mut db = base.clone();
        let env = Env { now: LESSON_NOW, wal_lsn: 7, ..Env::default() };
        let mut commits = Vec::new();
        let statements = parse(sql).unwrap_or_default();
        let mut sessions = [Session::default(), Session::default()];
        for (i, statement) in statements.iter().enumerate() {
            let _ = statement.sql();
            let _ = statement.command_tag();
            let session = &mut sessions[i % 2];
            if let Ok(outcome) = db.execute(session, statement, &env) {
                let _ = outcome.render();
                let _ = outcome.cost.to_string();
                commits.extend(outcome.commit);
            }
        }
        if let Ok(commit) = parse("COMMIT") {
            for session in &mut sessions {
                if let Ok(Outcome { commit: Some(c), .. }) = db.execute(session, &commit[0], &env) {
                    commits.push(c);
                }
            }
        }
        let mut replica = base.clone();
        for commit in &commits {
            let _ = commit.size_bytes();
            commit.changes.iter().for_each(|c| drop(c.to_string()));
            replica.apply(commit);
        }
        assert_eq!(replica, db, "replaying the WAL of {sql:?} diverged");
    }

    fn token_soup() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(TOKENS), 1..24).prop_map(|words| words.join(" "))
    }

    fn mutated_seed() -> impl Strategy<Value = String> {
        let edit =
            (any::<prop::sample::Index>(), 0u8..4, prop::sample::select(TOKENS), any::<char>());
        (prop::sample::select(SEEDS), prop::collection::vec(edit, 1..4)).prop_map(
            |(seed, edits)| {
                let mut chars: Vec<char> = seed.chars().collect();
                for (at, kind, token, c) in edits {
                    let i = at.index(chars.len() + 1);
                    match kind {
                        0 => drop(chars.drain(i..(i + 5).min(chars.len()))),
                        1 => chars.splice(i..i, format!(" {token} ").chars()).for_each(drop),
                        2 if i < chars.len() => chars[i] = c,
                        _ => chars.insert(i, c),
                    }
                }
                chars.into_iter().collect()
            },
        )
    }

    fn random_text() -> impl Strategy<Value = String> {
        prop::collection::vec(any::<char>(), 0..40).prop_map(|c| c.into_iter().collect())
    }

    proptest! {
        #![proptest_config(Config { cases: crate::engine::fuzz_cases(10_000), failure_persistence: None, ..Config::default() })]

        /// Random and mutated SQL never panics, and its WAL always replays.
        #[test]
        fn sql_never_panics(sql in prop_oneof![token_soup(), mutated_seed(), random_text()]) {
            thread_local!(static TEMPLATE: Database = template());
            TEMPLATE.with(|base| exercise(base, &sql));
        }
    }

    /// One step of a random workload.
    #[derive(Clone, Debug)]
    enum Op {
        Create(u8),
        Drop(u8),
        Index(u8),
        Insert(u8, Vec<(i64, i64)>),
        Update(u8, i64, u8),
        Delete(u8, i64),
        Begin,
        Commit,
        Rollback,
        Tick(u16),
    }

    fn op() -> impl Strategy<Value = Op> {
        let table = 0u8..3;
        let rows = prop::collection::vec((0i64..40, 0i64..4), 1..4);
        prop_oneof![
            1 => table.clone().prop_map(Op::Create),
            1 => (table.clone(), 0u8..4).prop_filter_map("rarely", |(t, n)| (n == 0).then_some(Op::Drop(t))),
            1 => table.clone().prop_map(Op::Index),
            6 => (table.clone(), rows).prop_map(|(t, r)| Op::Insert(t, r)),
            4 => (table.clone(), 0i64..4, 0u8..4).prop_map(|(t, k, how)| Op::Update(t, k, how)),
            2 => (table, 0i64..40).prop_map(|(t, id)| Op::Delete(t, id)),
            2 => Just(Op::Begin),
            2 => Just(Op::Commit),
            1 => Just(Op::Rollback),
            1 => (1u16..5000).prop_map(Op::Tick),
        ]
    }

    fn op_sql(op: &Op) -> String {
        match op {
            Op::Create(t) => format!(
                "CREATE TABLE IF NOT EXISTS t{t} (id INT PRIMARY KEY, k INT, v TEXT, s SERIAL, at TIMESTAMP DEFAULT NOW())"
            ),
            Op::Drop(t) => format!("DROP TABLE IF EXISTS t{t}"),
            Op::Index(t) => format!("CREATE INDEX ON t{t} (k)"),
            Op::Insert(t, rows) => {
                let values: Vec<String> = rows.iter().map(|(id, k)| format!("({id}, {k}, 'v{k}')")).collect();
                format!("INSERT INTO t{t} (id, k, v) VALUES {}", values.join(", "))
            }
            Op::Update(t, k, 0) => format!("UPDATE t{t} SET v = v || '!' WHERE k = {k}"),
            Op::Update(t, k, 1) => format!("UPDATE t{t} SET k = k + 1 WHERE k >= {k}"),
            Op::Update(t, k, 2) => format!("UPDATE t{t} SET id = id + 20 WHERE k = {k}"),
            Op::Update(t, _, _) => format!("UPDATE t{t} SET at = NOW(), v = NULL WHERE id % 2 = 0"),
            Op::Delete(t, id) => format!("DELETE FROM t{t} WHERE id <= {id} AND k <> 1"),
            Op::Begin => "BEGIN".into(),
            Op::Commit => "COMMIT".into(),
            Op::Rollback => "ROLLBACK".into(),
            Op::Tick(_) => "SELECT now()".into(),
        }
    }

    /// Runs a workload in two sessions; returns every outcome, the WAL and the primary.
    fn run_workload(ops: &[(Op, bool)]) -> (Vec<Result<Outcome, SqlError>>, Vec<Commit>, Database) {
        let mut db = Database::new();
        let mut sessions = [Session::default(), Session::default()];
        let mut env = Env { now: LESSON_NOW, ..Env::default() };
        let mut outcomes = Vec::new();
        let mut wal = Vec::new();
        let setup = (0..3).map(|t| (Op::Create(t), false));
        for (op, second) in setup.chain(ops.iter().cloned()) {
            if let Op::Tick(ms) = op {
                env.now = Timestamp(env.now.0 + i64::from(ms));
            }
            let statements = parse(&op_sql(&op)).unwrap_or_default();
            assert_eq!(statements.len(), 1, "generated SQL must parse: {}", op_sql(&op));
            let outcome = db.execute(&mut sessions[usize::from(second)], &statements[0], &env);
            if let Ok(Outcome { commit: Some(commit), .. }) = &outcome {
                wal.push(commit.clone());
            }
            outcomes.push(outcome);
        }
        (outcomes, wal, db)
    }

    proptest! {
        #![proptest_config(Config { cases: 300, failure_persistence: None, ..Config::default() })]

        /// Applying the WAL records to an empty database yields the primary's
        /// database, and the same workload gives the same outcomes twice.
        #[test]
        fn wal_replay_rebuilds_the_primary(ops in prop::collection::vec((op(), any::<bool>()), 1..40)) {
            let (outcomes, wal, primary) = run_workload(&ops);
            let mut replica = Database::new();
            for commit in &wal {
                replica.apply(commit);
            }
            prop_assert_eq!(&replica, &primary);
            let (again, _, _) = run_workload(&ops);
            prop_assert_eq!(again, outcomes);
        }
    }
}

#[test]
fn deep_expressions_do_not_overflow_the_stack() {
    let run =
        |sql: &str| run_all(&mut Database::new(), &mut Session::default(), sql, &Env::default());
    let too_deep = [
        format!("SELECT {}1", "1+".repeat(100_000)),
        format!("SELECT {}1{}", "(".repeat(5_000), ")".repeat(5_000)),
        format!("SELECT {}1", "- ".repeat(9_000)),
        format!("SELECT 1 WHERE {}true", "NOT ".repeat(4_000)),
        format!("SELECT 1 WHERE {}", vec!["true"; 5_000].join(" AND ")),
    ];
    for sql in &too_deep {
        let results = run(sql);
        assert!(matches!(results.as_slice(), [Err(e)] if e.code == "54001"), "{results:?}");
    }
    // Well under the limit (PostgreSQL's own limit is its 2 MB stack), every pass over the
    // tree — binding, evaluation, dropping — fits the stack.
    let chain = format!("SELECT {}1 AS x WHERE 1 = {}1", "1+".repeat(900), "1*".repeat(900));
    assert!(matches!(run(&chain).as_slice(), [Ok(o)] if o.rows[0][0] == Value::Int(901)));
    let nested = format!("SELECT {}1{}", "(1+".repeat(400), ")".repeat(400));
    assert!(matches!(run(&nested).as_slice(), [Ok(o)] if o.rows[0][0] == Value::Int(401)));
    let unary = format!("SELECT {}1", "- ".repeat(800));
    assert!(matches!(run(&unary).as_slice(), [Ok(o)] if o.rows[0][0] == Value::Int(1)));
    let not = format!("SELECT 1 WHERE {}true", "NOT ".repeat(800));
    assert!(matches!(run(&not).as_slice(), [Ok(o)] if o.rows.len() == 1));
    let ands = format!("SELECT 1 WHERE {}", vec!["true"; 900].join(" AND "));
    assert!(matches!(run(&ands).as_slice(), [Ok(o)] if o.rows.len() == 1));
    // EXPLAIN prints each of them: its deparser's recursion fits the stack too.
    for query in [&chain, &nested, &unary, &not, &ands] {
        let explained = run(&format!("EXPLAIN ANALYZE {query}"));
        assert!(matches!(explained.as_slice(), [Ok(o)] if o.tag == "EXPLAIN"), "{explained:?}");
    }
    let rows: Vec<String> = (0..3_000).map(|i| format!("(-{i}, {i} * 2)")).collect();
    let insert = format!("CREATE TABLE w (a INT, b INT); INSERT INTO w VALUES {}", rows.join(", "));
    assert!(run(&insert).iter().all(Result::is_ok));
}

/// The shapes a hunt of a million mutated inputs found killing the page, and their kin: each
/// answers with a result or a PostgreSQL-style error, never a panic or an overflow.
#[test]
fn hostile_shapes_answer_without_panicking() {
    let mut db = Database::new();
    let mut session = Session::default();
    let env = Env::default();
    let mut run = |sql: &str| -> Vec<Result<String, SqlError>> {
        run_all(&mut db, &mut session, sql, &env)
            .into_iter()
            .map(|r| r.map(|outcome| outcome.render()))
            .collect()
    };
    run("CREATE TABLE t (a INT, b TEXT)");
    let huge = "x".repeat(70_000);
    let literal = run(&format!("SELECT '{huge}' AS long"));
    assert!(
        matches!(literal.as_slice(), [Ok(table)] if table.len() > 140_000),
        "a 70 000-character cell renders"
    );
    let joins: String = (0..400).map(|i| format!(" JOIN t AS j{i} ON true")).collect();
    let shapes = [
        format!("SELECT \"{huge}\" FROM t"),
        format!("SELECT 1 AS \"{huge}\""),
        format!("SELECT * FROM t{joins}"),
        format!("SELECT {}", vec!["'a'"; 3_000].join(" || ")),
        format!(
            "SELECT 1 WHERE 1 IN ({})",
            (0..10_000).map(|i| i.to_string()).collect::<Vec<_>>().join(", ")
        ),
        format!(
            "INSERT INTO t VALUES {}",
            (0..10_000).map(|i| format!("({i}, 'v')")).collect::<Vec<_>>().join(", ")
        ),
        format!("SELECT {}", "9".repeat(20_000)),
        format!("SELECT {}", vec!["a"; 5_000].join(" AND ")),
        format!("SELECT {}1{}", "(".repeat(20_000), ")".repeat(20_000)),
        format!("SELECT {}", "NOT ".repeat(20_000)),
        format!("SELECT '{}", "y".repeat(50_000)),
        format!("SELECT * FROM t WHERE b LIKE '{}'", "%_".repeat(10_000)),
        format!("SELECT count(*) FROM t GROUP BY {}", vec!["a"; 200].join(", ")),
        format!("SELECT * FROM t ORDER BY {}", vec!["b DESC"; 200].join(", ")),
    ];
    for sql in &shapes {
        let _ = run(sql); // answers, whatever it answers
    }
    let answers = run("SELECT count(*) FROM t");
    assert!(matches!(answers.as_slice(), [Ok(table)] if table.contains("10000")), "{answers:?}");
}

/// The slab keeps ids stable through deletes at the front and in the middle,
/// and an emptied table starts afresh at the next id.
#[test]
fn row_slab_keeps_ids_through_deletes() {
    let (mut db, _) = run_ok(
        "CREATE TABLE t (id INT PRIMARY KEY, v TEXT);
         INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd');
         DELETE FROM t WHERE id = 1;
         DELETE FROM t WHERE id = 3;",
    );
    let table = &db.tables[&"t".to_string()];
    let ids: Vec<u64> = table.rows.keys().collect();
    assert_eq!(ids, [1, 3], "row ids survive deletes around them");
    assert_eq!(table.rows.len(), 2);
    assert!(table.rows.get(&0).is_none() && table.rows.get(&2).is_none());
    let mut session = Session::default();
    let env = Env { now: LESSON_NOW, ..Env::default() };
    let later = "DELETE FROM t; INSERT INTO t VALUES (5, 'e'); SELECT * FROM t WHERE id = 5";
    let outcomes = run_all(&mut db, &mut session, later, &env);
    let rows = &outcomes[2].as_ref().expect("select runs").rows;
    assert_eq!(rows.len(), 1, "an emptied table takes new rows");
    assert_eq!(db.tables[&"t".to_string()].rows.keys().collect::<Vec<_>>(), [4]);
}

/// Index probes: exact keys, prefixes of multi-column keys and ranges all find
/// every row once, in key then id order, also with duplicate keys.
#[test]
fn index_probes_find_each_row_once() {
    let sql = "CREATE TABLE t (a INT, b INT, c TEXT);
               CREATE INDEX t_ab ON t (a, b);
               CREATE INDEX t_b ON t (b);
               INSERT INTO t VALUES (2, 1, 'x'), (1, 2, 'y'), (1, 1, 'z'), (1, 2, 'w'), (3, NULL, 'n');";
    let (db, _) = run_ok(sql);
    let mut session = Session::default();
    let env = Env { now: LESSON_NOW, ..Env::default() };
    let mut db = db;
    let mut texts = |sql: &str| -> Vec<String> {
        let outcome = run_all(&mut db, &mut session, sql, &env).remove(0).expect("runs");
        outcome.rows.iter().map(|r| r[2].to_string()).collect()
    };
    assert_eq!(texts("SELECT * FROM t WHERE a = 1"), ["z", "y", "w"]);
    assert_eq!(texts("SELECT * FROM t WHERE a = 1 AND b = 2"), ["y", "w"]);
    assert_eq!(texts("SELECT * FROM t WHERE b = 2"), ["y", "w"]);
    assert_eq!(texts("SELECT * FROM t WHERE b >= 1"), ["x", "z", "y", "w"]);
    assert_eq!(texts("SELECT * FROM t WHERE b > 1"), ["y", "w"]);
    assert_eq!(texts("SELECT * FROM t WHERE a IN (3, 2, 3)"), ["x", "n"]);
    texts("DELETE FROM t WHERE c = 'y'");
    assert_eq!(texts("SELECT * FROM t WHERE b = 2"), ["w"], "a deleted row leaves its index");
    texts("UPDATE t SET b = 2 WHERE c = 'x'");
    assert_eq!(texts("SELECT * FROM t WHERE b = 2"), ["x", "w"], "an updated row moves");
}

#[test]
fn the_parse_cache_remembers_texts_that_do_not_write_and_never_changes_an_answer() {
    let first = parse("SELECT 1; SELECT 2").expect("valid");
    let again = parse("SELECT 1; SELECT 2").expect("valid");
    assert_eq!(again.len(), 2);
    assert!(Rc::ptr_eq(&first[1].kind, &again[1].kind), "the second parse is remembered");
    assert_eq!(&*again[1].sql(), "SELECT 2");
    let write = "INSERT INTO t VALUES (1)";
    let (once, twice) = (parse(write).expect("valid"), parse(write).expect("valid"));
    assert!(!Rc::ptr_eq(&once[0].kind, &twice[0].kind), "writes are not kept");
    // Errors are answered afresh every time, with their positions.
    for _ in 0..2 {
        let error = parse("SELECT 1 FROM WHERE").map(|s| s.len()).expect_err("invalid");
        assert_eq!(
            (error.message.as_str(), error.position),
            ("syntax error at or near \"WHERE\"", Some(15))
        );
    }

    let mut cache = ParseCache::default();
    let statements: Rc<[Statement]> = parse("SELECT 3").expect("valid").into();
    assert!(cache.get("SELECT 3").is_none());
    for i in 0..ParseCache::SLOTS * 2 {
        cache.insert(&format!("SELECT {i}"), &statements);
    }
    assert_eq!(cache.slots.len(), ParseCache::SLOTS, "bounded");
    let kept = (0..ParseCache::SLOTS * 2).filter(|i| cache.get(&format!("SELECT {i}")).is_some());
    assert!(kept.count() > ParseCache::SLOTS / 2, "most slots hold a recent text");
    cache.insert(&"x".repeat(ParseCache::LONGEST_TEXT + 1), &statements);
    assert!(
        cache.get(&"x".repeat(ParseCache::LONGEST_TEXT + 1)).is_none(),
        "long texts are not kept"
    );
    // The load's point reads for its thousand users: nearly all stay (a set holds four).
    let read = |user: usize| format!("SELECT * FROM orders WHERE user_id = {user}");
    let mut cache = ParseCache::default();
    for user in 1..=1_000 {
        cache.insert(&read(user), &statements);
    }
    let kept = (1..=1_000).filter(|&user| cache.get(&read(user)).is_some()).count();
    assert!(kept >= 990, "{kept} of 1000 kept");
}

#[test]
fn statements_know_whether_they_ask_the_catalog_and_keep_their_text() {
    for (sql, asks) in [
        ("SELECT * FROM pg_stat_replication", true),
        ("select PG_IS_IN_RECOVERY()", true),
        ("SELECT current_setting('synchronous_commit')", true),
        ("SELECT CURRENT_SETTING", true),
        ("SELECT * FROM orders WHERE note = 'p'", false),
        ("SELECT currency FROM pgx", false),
        ("SELECT 'ÄpfelC'", false),
        ("_pg_ at the start, pg_", true),
        ("SELECT user_id, created_at FROM pg", false),
        ("SELECT é_current_settin", false),
        ("_", false),
    ] {
        assert_eq!(needs_catalog(sql), asks, "{sql}");
    }
    let texts: Vec<String> = parse("SELECT 'Äpfel' ;  SELECT 'ü', 2")
        .expect("valid")
        .iter()
        .map(|s| s.sql().to_string())
        .collect();
    assert_eq!(texts, ["SELECT 'Äpfel'", "SELECT 'ü', 2"]);
}

/// A read nobody looks at ([`Env::rows_unread`]) is counted, not produced: the same tag, row
/// count, cost and errors as producing its rows, for every shape of query; and an exact index
/// probe skips the `WHERE` recheck without changing any answer.
#[test]
fn counted_reads_answer_as_produced_ones() {
    let setup = "CREATE TABLE o (id SERIAL PRIMARY KEY, user_id INT NOT NULL, region TEXT, paid BOOLEAN, amount NUMERIC(10,2), day DATE);
        CREATE INDEX o_user ON o (user_id); CREATE INDEX o_region_paid ON o (region, paid);";
    let (mut db, _) = run_ok(setup);
    let mut session = Session::default();
    let env = Env { now: LESSON_NOW, ..Env::default() };
    for i in 0..300 {
        let region = ["eu", "us", "apac"][i % 3];
        let insert = format!(
            "INSERT INTO o (user_id, region, paid, amount, day) VALUES ({}, '{region}', {}, {}.50, DATE '2026-01-01' + {})",
            i % 17, i % 2 == 0, i % 50, i % 9
        );
        assert!(run_all(&mut db, &mut session, &insert, &env).iter().all(Result::is_ok));
    }
    run_all(&mut db, &mut session, "DELETE FROM o WHERE id % 7 = 0", &env);
    let queries = [
        "SELECT * FROM o WHERE user_id = 3",
        "SELECT * FROM o WHERE 3 = user_id",
        "SELECT * FROM o WHERE user_id = 99",
        "SELECT * FROM o WHERE user_id = 3 AND amount > 10",
        "SELECT * FROM o WHERE user_id = 3.0",
        "SELECT * FROM o WHERE user_id = '3'",
        "SELECT * FROM o WHERE user_id IN (3, 4)",
        "SELECT * FROM o WHERE user_id = 3 AND user_id = 4",
        "SELECT * FROM o WHERE region = 'eu'",
        "SELECT * FROM o WHERE region = 'eu' AND paid = true",
        "SELECT * FROM o WHERE paid = true AND region = 'us'",
        "SELECT * FROM o WHERE day = DATE '2026-01-03'",
        "SELECT * FROM o WHERE amount > 20",
        "SELECT * FROM o",
        "SELECT id, user_id FROM o WHERE user_id = 5",
        "SELECT id FROM o WHERE user_id = 5",
        "SELECT count(*) FROM o WHERE user_id = 5",
        "SELECT * FROM o WHERE user_id = 5 ORDER BY id DESC LIMIT 2",
        "SELECT DISTINCT region, paid FROM o",
        "SELECT * FROM o WHERE 1 / (amount - amount) > 0",
        "SELECT * FROM o WHERE nope = 1",
        "SELECT id, 1 / 0 FROM o WHERE user_id = 5",
        "SELECT * FROM o a JOIN o b ON a.id = b.id WHERE a.user_id = 2",
        "SELECT 1, 2",
    ];
    let counted_env = Env { rows_unread: true, ..env.clone() };
    for sql in queries {
        let statement = &parse(sql).unwrap_or_else(|e| panic!("{sql}: {e}"))[0];
        let produced = db.execute(&mut Session::default(), statement, &env);
        let counted = db.execute(&mut Session::default(), statement, &counted_env);
        match (&produced, &counted) {
            (Ok(p), Ok(c)) => {
                assert_eq!((&p.tag, &p.columns, &p.cost), (&c.tag, &c.columns, &c.cost), "{sql}");
                assert_eq!(p.row_count(), c.row_count(), "{sql}");
                assert_eq!(p.unread_rows, 0, "{sql}");
                if c.unread_rows > 0 {
                    assert!(c.rows.is_empty(), "{sql}");
                }
            }
            (Err(p), Err(c)) => assert_eq!(p, c, "{sql}"),
            _ => panic!("{sql}: {produced:?} vs {counted:?}"),
        }
    }
    // The load's read is the one counted without its rows.
    let statement = &parse("SELECT * FROM o WHERE user_id = 3").unwrap_or_default()[0];
    let counted = db.execute(&mut Session::default(), statement, &counted_env);
    assert!(matches!(counted, Ok(o) if o.rows.is_empty() && o.unread_rows > 10));
}
