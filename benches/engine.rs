//! `make bench`, part one: the SQL engine against SQLite in memory, on the lesson's workloads.
//!
//! Each engine gets the statement as text every time (ours: parse + execute; SQLite through
//! rusqlite: prepare + step, reading every value of every row), on the same data:
//!
//! | workload | statements | data |
//! |----------|-----------|------|
//! | INSERT | 100 000 | the lesson's `INSERT INTO orders (...) VALUES (...)` into an empty table |
//! | indexed point select | 100 000 | `SELECT * FROM orders WHERE user_id = k` (10 rows each) on 100 000 rows |
//! | unindexed point select | 2 000 | the same on a copy of the table without the index |
//! | full scan | 1 000 | `WHERE created_at > NOW() - INTERVAL '1 day'` (1 % of the rows) on 100 000 rows |
//!
//! The two engines alternate, two rounds each, and each engine's faster round counts. Figures
//! are printed and merged into `target/bench.json`. Build profile: `release` (what the browser
//! ships, size-optimised); SQLite is compiled by its own build script.

use std::hint::black_box;
use std::time::Instant;

use replica_playground::bench_report;
use replica_playground::engine::sql::{self, Database, Env, Session, Timestamp};

const ROWS: u64 = 100_000;
const USERS: u64 = 10_000;
/// Rows' creation times span 100 days; the scan's last day holds 1 % of them.
const DAYS: u64 = 100;
const DAY_MS: i64 = 86_400_000;
/// 2026-01-05 09:00:00 UTC, as the simulation's clock starts.
const START_MS: i64 = 1_767_603_600_000;

fn main() {
    let mut figures: Vec<(String, f64)> = Vec::new();
    println!(
        "SQL engine (statement text parsed every time) vs SQLite {} in memory:",
        rusqlite::version()
    );
    println!("  {:<34} {:>12} {:>12} {:>10}", "workload", "ours/s", "SQLite/s", "ratio");
    // `BENCH_ONLY=insert,full_scan` measures only those (for profiling one at a time).
    let only = std::env::var("BENCH_ONLY").ok();
    let chosen = |key: &str| only.as_deref().is_none_or(|keys| keys.split(',').any(|k| k == key));
    for workload in WORKLOADS.iter().filter(|w| chosen(w.key)) {
        let (mut ours, mut theirs) = (0.0_f64, 0.0_f64);
        // `BENCH_ONLY_OURS=1` skips SQLite (for profiling our engine alone).
        let peer = std::env::var_os("BENCH_ONLY_OURS").is_none();
        for _ in 0..2 {
            ours = ours.max(run_ours(workload));
            if peer {
                theirs = theirs.max(run_sqlite(workload));
            }
        }
        let ratio = ours / theirs;
        println!("  {:<34} {:>12.0} {:>12.0} {:>9.2}×", workload.label, ours, theirs, ratio);
        figures.push((format!("{}_ours_per_s", workload.key), ours.round()));
        figures.push((format!("{}_sqlite_per_s", workload.key), theirs.round()));
        figures.push((format!("{}_ratio", workload.key), (ratio * 1_000.0).round() / 1_000.0));
    }
    let figures: Vec<(&str, f64)> = figures.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    bench_report::merge(&figures);
}

/// One workload: how many statements, and the text of the i-th for each engine.
struct Workload {
    key: &'static str,
    label: &'static str,
    count: u64,
    /// Whether it runs on the 100 000-row tables (else on empty ones).
    on_rows: bool,
    ours: fn(u64) -> String,
    sqlite: fn(u64) -> String,
}

const WORKLOADS: [Workload; 4] = [
    Workload {
        key: "insert",
        label: "INSERT (100 000)",
        count: ROWS,
        on_rows: false,
        ours: insert_sql,
        sqlite: insert_sql,
    },
    Workload {
        key: "indexed_select",
        label: "indexed point select (100 000)",
        count: 100_000,
        on_rows: true,
        ours: |i| format!("SELECT * FROM orders WHERE user_id = {}", 1 + i * 7_919 % USERS),
        sqlite: |i| format!("SELECT * FROM orders WHERE user_id = {}", 1 + i * 7_919 % USERS),
    },
    Workload {
        key: "unindexed_select",
        label: "unindexed point select (2 000)",
        count: 2_000,
        on_rows: true,
        ours: |i| format!("SELECT * FROM orders_noidx WHERE user_id = {}", 1 + i * 7_919 % USERS),
        sqlite: |i| format!("SELECT * FROM orders_noidx WHERE user_id = {}", 1 + i * 7_919 % USERS),
    },
    Workload {
        key: "full_scan",
        label: "full scan, last day (1 000)",
        count: 1_000,
        on_rows: true,
        ours: |_| "SELECT * FROM orders WHERE created_at > NOW() - INTERVAL '1 day'".to_string(),
        sqlite: |_| {
            format!(
                "SELECT * FROM orders WHERE created_at > datetime('{}', '-1 day')",
                timestamp(now_ms())
            )
        },
    },
];

/// The lesson's insert, with a creation time spread over [`DAYS`].
fn insert_sql(i: u64) -> String {
    let created_ms = START_MS + (i * 7_877 % ROWS) as i64 * (DAYS as i64 * DAY_MS) / ROWS as i64;
    format!(
        "INSERT INTO orders (user_id, amount, created_at) VALUES ({}, {}.{:02}, '{}')",
        1 + i % USERS,
        1 + i % 97,
        i % 100,
        timestamp(created_ms)
    )
}

/// What `NOW()` says during the scans: the end of the rows' span.
fn now_ms() -> i64 {
    START_MS + DAYS as i64 * DAY_MS
}

fn timestamp(ms: i64) -> String {
    Timestamp(ms).to_string()
}

const OURS_DDL: &str = "CREATE TABLE orders (id SERIAL PRIMARY KEY, user_id INT NOT NULL, amount NUMERIC(10,2), created_at TIMESTAMP DEFAULT NOW()); CREATE INDEX orders_user_id_idx ON orders (user_id); CREATE TABLE orders_noidx (id SERIAL PRIMARY KEY, user_id INT NOT NULL, amount NUMERIC(10,2), created_at TIMESTAMP DEFAULT NOW())";
const SQLITE_DDL: &str = "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, amount NUMERIC(10,2), created_at TEXT DEFAULT CURRENT_TIMESTAMP); CREATE INDEX orders_user_id_idx ON orders (user_id); CREATE TABLE orders_noidx (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, amount NUMERIC(10,2), created_at TEXT DEFAULT CURRENT_TIMESTAMP)";

struct Ours {
    db: Database,
    session: Session,
    env: Env,
}

impl Ours {
    fn run(&mut self, text: &str) -> usize {
        let mut rows = 0;
        for statement in sql::parse(text).expect("benchmark SQL parses") {
            let outcome = self
                .db
                .execute(&mut self.session, &statement, &self.env)
                .expect("benchmark SQL runs");
            rows += outcome.rows.len();
            black_box(outcome);
        }
        rows
    }
}

fn ours_db(with_rows: bool) -> Ours {
    let env = Env { now: Timestamp(now_ms()), ..Env::default() };
    let mut ours = Ours { db: Database::new(), session: Session::default(), env };
    ours.run(OURS_DDL);
    if with_rows {
        for i in 0..ROWS {
            let insert = insert_sql(i);
            ours.run(&insert);
            ours.run(&insert.replace("INTO orders ", "INTO orders_noidx "));
        }
    }
    ours
}

fn sqlite_db(with_rows: bool) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open_in_memory().expect("SQLite opens");
    conn.execute_batch(SQLITE_DDL).expect("SQLite DDL");
    if with_rows {
        conn.execute_batch("BEGIN").expect("begin");
        for i in 0..ROWS {
            let insert = insert_sql(i);
            conn.execute(&insert, []).expect("insert");
            conn.execute(&insert.replace("INTO orders ", "INTO orders_noidx "), [])
                .expect("insert");
        }
        conn.execute_batch("COMMIT").expect("commit");
    }
    conn
}

/// Statements per second of our engine on one workload.
fn run_ours(workload: &Workload) -> f64 {
    thread_local!(static LOADED: std::cell::RefCell<Option<Ours>> = const { std::cell::RefCell::new(None) });
    let mut fresh = (!workload.on_rows).then(|| ours_db(false));
    let time = |ours: &mut Ours| {
        let started = Instant::now();
        let mut rows = 0;
        for i in 0..workload.count {
            rows += ours.run(&(workload.ours)(i));
        }
        black_box(rows);
        workload.count as f64 / started.elapsed().as_secs_f64()
    };
    match fresh.as_mut() {
        Some(ours) => time(ours),
        None => LOADED.with(|cell| {
            let mut loaded = cell.borrow_mut();
            time(loaded.get_or_insert_with(|| ours_db(true)))
        }),
    }
}

/// Statements per second of SQLite on one workload.
fn run_sqlite(workload: &Workload) -> f64 {
    thread_local!(static LOADED: std::cell::RefCell<Option<rusqlite::Connection>> = const { std::cell::RefCell::new(None) });
    let time = |conn: &rusqlite::Connection| {
        let started = Instant::now();
        let mut values = 0usize;
        for i in 0..workload.count {
            let text = (workload.sqlite)(i);
            let mut statement = conn.prepare(&text).expect("SQLite prepares");
            let columns = statement.column_count();
            let mut rows = statement.raw_query();
            while let Some(row) = rows.next().expect("SQLite steps") {
                for c in 0..columns {
                    black_box(row.get_ref(c).expect("a value"));
                    values += 1;
                }
            }
        }
        black_box(values);
        workload.count as f64 / started.elapsed().as_secs_f64()
    };
    if !workload.on_rows {
        return time(&sqlite_db(false));
    }
    LOADED.with(|cell| {
        let mut loaded = cell.borrow_mut();
        time(loaded.get_or_insert_with(|| sqlite_db(true)))
    })
}
