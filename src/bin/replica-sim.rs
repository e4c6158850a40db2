//! `replica-sim`: runs scenario scripts natively and prints a transcript.
//!
//! ```text
//! cargo run --bin replica-sim -- examples/read-after-write.txt
//! cargo run --bin replica-sim -- --keep-going a.txt b.txt
//! echo "sql: SELECT 1" | cargo run --bin replica-sim -- -
//! cargo run --bin replica-sim -- --link 'http://127.0.0.1:8080/#run=v1.…'
//! ```
//!
//! After each script it prints the run's digest (`# digest … at t = …`), the same the page
//! shows for the same run. A script exported from the page says in its header which digest it
//! ended with; if this replay ends elsewhere, `replica-sim` says so.
//!
//! Exit status: 0 when every line ran (and an exported script's digest matched), 1 when a
//! line was bad (the transcript says which) or the digest differs, 2 on a usage or file error.
//!
//! `replica-sim --bench` (or `make bench`) prints throughput figures instead: the SQL engine's
//! statements per second, and how many simulated seconds the cluster runs per wall-clock
//! second under load. Build with `--release` for meaningful numbers.

use std::io::Read as _;
use std::process::ExitCode;

use replica_playground::engine::cluster::{CacheConfig, CacheStats, LoadSpec};
use replica_playground::engine::digest::format_digest;
use replica_playground::engine::recording::{Run, ScriptHeader};
use replica_playground::engine::sql::{self, Database, Env, Session, Timestamp};
use replica_playground::engine::{format_millis, share, Cluster, ClusterConfig};

const USAGE: &str = "usage: replica-sim [--keep-going] SCRIPT... (use - for standard input)\n       replica-sim --link URL\n       replica-sim --bench";

fn main() -> ExitCode {
    let mut keep_going = false;
    let mut paths = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--keep-going" | "-k" => keep_going = true,
            "--link" => {
                let Some(link) = args.next() else {
                    eprintln!("--link needs a share link\n{USAGE}");
                    return ExitCode::from(2);
                };
                let payload = share::payload_of(link.rsplit_once('#').map_or(&link, |(_, f)| f));
                return match payload.map(share::decode) {
                    Some(Ok(script)) => play("link", &script, false),
                    Some(Err(error)) => {
                        eprintln!("replica-sim: {error}");
                        ExitCode::from(1)
                    }
                    None => {
                        eprintln!("replica-sim: that is not a share link (no #run=… in it)");
                        ExitCode::from(2)
                    }
                };
            }
            "--bench" => {
                bench();
                return ExitCode::SUCCESS;
            }
            "--help" | "-h" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            flag if flag.starts_with("--") => {
                eprintln!("unknown option {flag}\n{USAGE}");
                return ExitCode::from(2);
            }
            _ => paths.push(arg),
        }
    }
    if paths.is_empty() {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let mut failed = false;
    for path in &paths {
        let script = match read_script(path) {
            Ok(script) => script,
            Err(e) => {
                eprintln!("replica-sim: cannot read {path}: {e}");
                return ExitCode::from(2);
            }
        };
        failed |= play(path, &script, keep_going) != ExitCode::SUCCESS;
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Plays one script and prints its transcript and final digest; checks the digest an exported
/// script claims.
fn play(path: &str, script: &str, keep_going: bool) -> ExitCode {
    let header = match ScriptHeader::read(script) {
        Ok(header) => header,
        Err(error) => {
            eprintln!("{path}: line 1: {error}");
            return ExitCode::from(1);
        }
    };
    let mut run = Run::default();
    let (transcript, errors) = run.run_script(script, keep_going);
    print!("{transcript}");
    for error in &errors {
        eprintln!("{path}: {error}");
    }
    let digest = run.digest();
    println!("# digest {} at t = {}", format_digest(digest), format_millis(run.now_ms()));
    match header.digest {
        Some(claimed) if claimed != digest => {
            eprintln!(
                "{path}: the run ended with digest {}, but the script says {}: it was made by another version, or edited",
                format_digest(digest),
                format_digest(claimed)
            );
            ExitCode::from(1)
        }
        _ if !errors.is_empty() => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    }
}

fn read_script(path: &str) -> std::io::Result<String> {
    if path == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        return Ok(text);
    }
    std::fs::read_to_string(path)
}

/// Parses and executes `count` statements made by `make_sql`; returns statements per second.
fn time_statements(db: &mut Database, count: u64, make_sql: impl Fn(u64) -> String) -> f64 {
    let mut session = Session::default();
    let env = Env { now: Timestamp(1_767_603_600_000), ..Env::default() };
    let started = std::time::Instant::now();
    for i in 0..count {
        let statements = sql::parse(&make_sql(i)).expect("benchmark SQL parses");
        for statement in &statements {
            let outcome = db.execute(&mut session, statement, &env).expect("benchmark SQL runs");
            std::hint::black_box(outcome);
        }
    }
    count as f64 / started.elapsed().as_secs_f64()
}

/// Runs a cluster of 3 replicas under load for `sim_s` simulated seconds; returns the
/// simulated seconds per wall-clock second and the requests answered.
fn time_simulation(
    rate_per_s: u64,
    read_ratio: f64,
    sim_s: u64,
    cache: Option<CacheConfig>,
) -> (f64, u64, CacheStats) {
    let mut cluster = Cluster::new(ClusterConfig { replicas: 3, ..ClusterConfig::default() });
    if let Some(cache) = cache {
        cluster.set_cache(cache);
    }
    let spec =
        LoadSpec { rate_per_s, read_ratio, duration_ms: sim_s * 1_000, ..LoadSpec::default() };
    cluster.start_load(spec).expect("valid load");
    let started = std::time::Instant::now();
    cluster.advance(sim_s * 1_000 + 2_000);
    let wall_s = started.elapsed().as_secs_f64();
    let load = cluster.load().expect("a load ran");
    let answered = [
        replica_playground::engine::cluster::LoadKind::Write,
        replica_playground::engine::cluster::LoadKind::Read,
    ]
    .iter()
    .filter_map(|k| load.stats(*k))
    .map(|s| s.completed)
    .sum();
    ((sim_s as f64 + 2.0) / wall_s, answered, cluster.cache_stats())
}

fn bench() {
    if cfg!(debug_assertions) {
        println!("(debug build: run `cargo run --release --bin replica-sim -- --bench` for real figures)");
    }
    let mut db = Database::new();
    let setup = "CREATE TABLE orders (id SERIAL PRIMARY KEY, user_id INT NOT NULL, amount NUMERIC(10,2), created_at TIMESTAMP DEFAULT NOW()); CREATE INDEX orders_user_id_idx ON orders (user_id)";
    time_statements(&mut db, 1, |_| setup.to_string());
    let inserts = time_statements(&mut db, 50_000, |i| {
        format!("INSERT INTO orders (user_id, amount) VALUES ({}, 19.99)", 100 + i % 1_000)
    });
    let selects = time_statements(&mut db, 50_000, |i| {
        format!("SELECT * FROM orders WHERE user_id = {}", 100 + i % 1_000)
    });
    println!("SQL engine (parse + execute), 50 000 each, table of 50 000 rows:");
    println!("  lesson INSERT:                       {inserts:>10.0} statements/s");
    println!("  indexed SELECT (50 rows each):       {selects:>10.0} statements/s");
    for (label, rate, reads) in
        [("1 000 writes/s", 1_000, 0.0), ("1 000 req/s, 80% reads", 1_000, 0.8)]
    {
        let (ratio, answered, _) = time_simulation(rate, reads, 60, None);
        println!("Simulation, 1 primary + 3 replicas, {label}, 60 s simulated:");
        println!("  {ratio:>10.1} simulated seconds per wall-clock second ({answered} requests answered)");
    }
    // The lesson's caching layer: how many reads still reach a database.
    let cache = CacheConfig { enabled: true, ttl_ms: 5_000, invalidate_on_write: false };
    let (ratio, answered, stats) = time_simulation(1_000, 0.9, 60, Some(cache));
    let reads = stats.hits + stats.misses;
    println!(
        "Simulation, 1 000 req/s, 90% reads over 1 000 users, 5 s read cache, 60 s simulated:"
    );
    println!(
        "  {ratio:>10.1} simulated seconds per wall-clock second ({answered} requests answered)"
    );
    println!(
        "  hit ratio {:.1}%: {} of {reads} reads reached a database ({:.1}× fewer than without the cache)",
        stats.hit_ratio().unwrap_or(0.0) * 100.0,
        stats.misses,
        reads as f64 / stats.misses.max(1) as f64
    );
    rewind(std::env::var("BENCH_REPLAY_MINUTES").ok().and_then(|m| m.parse().ok()).unwrap_or(10));
}

/// The standard load (1 primary + 3 replicas, 1 000 statements/s, 85 % reads) recorded as a
/// run for `minutes` simulated minutes, then a jump to moments spread over it: how long a
/// learner waits for rewind (natively; the browser is slower by the wasm factor).
fn rewind(minutes: u64) {
    use replica_playground::engine::command::{ClusterSpec, Command};
    let mut run = Run::new(ClusterSpec { replicas: Some(3), ..ClusterSpec::default() });
    let load: Command =
        format!("load rate=1000 read_ratio=0.85 duration={minutes}m").parse().expect("valid");
    run.apply(&load).expect("the load starts");
    let started = std::time::Instant::now();
    run.advance(minutes * 60_000);
    let live_s = started.elapsed().as_secs_f64();
    let end_ms = run.recording().end_ms;
    let mut jumps_ms: Vec<f64> = Vec::new();
    for share in [95, 50, 10, 75, 33, 90, 5, 60, 25, 99] {
        let started = std::time::Instant::now();
        run.seek(end_ms * share / 100);
        jumps_ms.push(started.elapsed().as_secs_f64() * 1_000.0);
    }
    jumps_ms.sort_by(f64::total_cmp);
    println!("Recording, 1 primary + 3 replicas, 1 000 statements/s, 85% reads, {minutes} simulated minutes:");
    println!(
        "  {live_s:>10.1} s of wall time to record ({:.1} simulated s per wall s, snapshots included)",
        (minutes * 60) as f64 / live_s
    );
    println!(
        "  rewind to any moment: median {:.0} ms, worst {:.0} ms (10 jumps, native)",
        jumps_ms[jumps_ms.len() / 2],
        jumps_ms[jumps_ms.len() - 1]
    );
}
