//! `replica-sim --bench`, the simulation's part of `make bench`:
//!
//! - **replay and rewind**: the standard load — 1 primary + 3 replicas, 1 000 statements/s,
//!   85 % reads — recorded as a run for `BENCH_REPLAY_MINUTES` simulated minutes (default 10),
//!   which is what opening a share link of it replays; then jumps to moments spread over it,
//!   each 1 ms before a whole second (as far from a snapshot as a second allows);
//! - **the read cache**: how many reads still reach a database behind a 5 s cache;
//! - **memory**: peak resident memory after `BENCH_MEMORY_MINUTES` simulated minutes of the
//!   standard load (default `10,60`), each in a fresh process.
//!
//! Every figure is printed and added to `target/bench.json`.

use std::time::Instant;

use replica_playground::bench_report;
use replica_playground::engine::cluster::{CacheConfig, LoadSpec};
use replica_playground::engine::command::{ClusterSpec, Command};
use replica_playground::engine::recording::{
    Run, LARGE_SNAPSHOT_BUDGET_BYTES, SNAPSHOT_BUDGET_BYTES,
};
use replica_playground::engine::{Cluster, ClusterConfig};

/// The standard load, for `minutes` simulated minutes, keeping orders for `retain_minutes`.
fn standard_load(minutes: u64, retain_minutes: Option<u64>) -> LoadSpec {
    LoadSpec {
        rate_per_s: 1_000,
        read_ratio: 0.85,
        duration_ms: minutes * 60_000,
        retain_ms: retain_minutes.map(|m| m * 60_000),
        ..LoadSpec::default()
    }
}

fn env_minutes(name: &str, default: &str) -> Vec<u64> {
    let text = std::env::var(name).unwrap_or_else(|_| default.to_string());
    text.split(',').filter_map(|m| m.trim().parse().ok()).collect()
}

/// Prints every figure of the simulation.
pub fn run() {
    if cfg!(debug_assertions) {
        println!("(debug build: run `cargo run --release --bin replica-sim -- --bench` for real figures)");
    }
    for minutes in env_minutes("BENCH_REPLAY_MINUTES", "10") {
        replay_and_rewind(minutes, LARGE_SNAPSHOT_BUDGET_BYTES);
        replay_and_rewind(minutes, SNAPSHOT_BUDGET_BYTES);
    }
    read_cache();
    for minutes in env_minutes("BENCH_MEMORY_MINUTES", "10,60") {
        memory(minutes, None);
    }
    for minutes in env_minutes("BENCH_RETAINED_MINUTES", "60") {
        memory(minutes, Some(10));
    }
}

/// Records the standard load as a run whose snapshots may hold `budget_bytes`, then rewinds
/// to moments spread over it. The page's budget is the larger one on a machine of 8 GiB or
/// more, which the figures without a suffix are; `_small_budget` ones are the other's.
fn replay_and_rewind(minutes: u64, budget_bytes: u64) {
    let mut run = Run::new(ClusterSpec { replicas: Some(3), ..ClusterSpec::default() });
    run.set_snapshot_budget(budget_bytes);
    let load: Command =
        format!("load rate=1000 read_ratio=0.85 duration={minutes}m").parse().expect("valid");
    run.apply(&load).expect("the load starts");
    let started = Instant::now();
    run.advance(minutes * 60_000);
    let replay_s = started.elapsed().as_secs_f64();
    let end_ms = run.recording().end_ms;
    let mut jumps_ms: Vec<f64> = Vec::new();
    let (snapshots, snapshot_every_ms) = run.snapshots();
    let snapshots_mib = run.snapshot_weight_bytes() as f64 / f64::from(1 << 20);
    let resident_mib = resident_kib("VmRSS:").map(|kib| kib / 1_024.0);
    for share in [95, 50, 10, 75, 33, 90, 5, 60, 25, 99] {
        let started = Instant::now();
        run.seek(end_ms * share / 100 - 1);
        jumps_ms.push(started.elapsed().as_secs_f64() * 1_000.0);
    }
    jumps_ms.sort_by(f64::total_cmp);
    let (median, worst) = (jumps_ms[jumps_ms.len() / 2], jumps_ms[jumps_ms.len() - 1]);
    let speed = (minutes * 60) as f64 / replay_s;
    let every_s = snapshot_every_ms as f64 / 1_000.0;
    let budget_mib = budget_bytes >> 20;
    println!("Replay: the standard load (1 primary + 3 replicas, 1 000 statements/s, 85% reads), {minutes} simulated minutes, as a recording (snapshot budget {budget_mib} MiB):");
    println!(
        "  {replay_s:>10.1} s of wall time ({speed:.1} simulated s per wall s, snapshots included)"
    );
    let resident = resident_mib.map_or(String::new(), |mib| format!(", {mib:.0} MiB resident"));
    println!(
        "  {snapshots} snapshots, {every_s} s apart, holding ~{snapshots_mib:.0} MiB{resident}"
    );
    println!(
        "  rewind to any moment: median {median:.0} ms, worst {worst:.0} ms (10 jumps, native)"
    );
    if budget_bytes != LARGE_SNAPSHOT_BUDGET_BYTES {
        bench_report::merge(&[
            ("rewind_median_ms_small_budget", median.round()),
            ("rewind_worst_ms_small_budget", worst.round()),
            ("replay_snapshot_every_s_small_budget", every_s),
            ("replay_snapshots_mib_small_budget", snapshots_mib.round()),
        ]);
        return;
    }
    bench_report::merge(&[
        ("replay_minutes", minutes as f64),
        ("replay_wall_s", round1(replay_s)),
        ("replay_sim_s_per_wall_s", round1(speed)),
        ("rewind_median_ms", median.round()),
        ("rewind_worst_ms", worst.round()),
        ("replay_snapshots", snapshots as f64),
        ("replay_snapshot_every_s", every_s),
        ("replay_snapshots_mib", snapshots_mib.round()),
    ]);
}

/// The lesson's caching layer under read-heavy load: how many reads still reach a database.
fn read_cache() {
    let mut cluster = Cluster::new(ClusterConfig { replicas: 3, ..ClusterConfig::default() });
    cluster.set_cache(CacheConfig { enabled: true, ttl_ms: 5_000, invalidate_on_write: false });
    let spec =
        LoadSpec { rate_per_s: 1_000, read_ratio: 0.9, duration_ms: 60_000, ..LoadSpec::default() };
    cluster.start_load(spec).expect("valid load");
    let started = Instant::now();
    cluster.advance(62_000);
    let speed = 62.0 / started.elapsed().as_secs_f64();
    let stats = cluster.cache_stats();
    let reads = stats.hits + stats.misses;
    let fewer = reads as f64 / stats.misses.max(1) as f64;
    println!("Read cache: 1 000 req/s, 90% reads over 1 000 users, 5 s TTL, 60 simulated s:");
    println!(
        "  hit ratio {:.1}%: {} of {reads} reads reached a database ({fewer:.1}× fewer than without the cache); {speed:.1} simulated s per wall s",
        stats.hit_ratio().unwrap_or(0.0) * 100.0,
        stats.misses
    );
    bench_report::merge(&[
        ("cache_hit_ratio", round1(stats.hit_ratio().unwrap_or(0.0) * 100.0)),
        ("cache_fewer_reads_x", round1(fewer)),
    ]);
}

/// Peak memory of a fresh process running the standard load for `minutes`, its orders
/// archived after `retain_minutes` when given.
fn memory(minutes: u64, retain_minutes: Option<u64>) {
    let started = Instant::now();
    let mut args = vec!["--bench-memory".to_string(), minutes.to_string()];
    args.extend(retain_minutes.map(|m| m.to_string()));
    let child = std::env::current_exe()
        .and_then(|exe| std::process::Command::new(exe).args(&args).output());
    let peak_kib = child.ok().and_then(|out| String::from_utf8(out.stdout).ok()).and_then(|text| {
        text.lines().find_map(|l| l.strip_prefix("peak_kib ")?.trim().parse::<f64>().ok())
    });
    let wall_s = started.elapsed().as_secs_f64();
    let (what, key) = match retain_minutes {
        None => (String::new(), format!("peak_mib_{minutes}min")),
        Some(r) => (
            format!(", orders kept {r} min (load retain={r}m)"),
            format!("peak_mib_{minutes}min_retain_{r}min"),
        ),
    };
    match peak_kib {
        Some(kib) => {
            let mib = kib / 1_024.0;
            println!("Memory: the standard load for {minutes} simulated minutes{what}: peak {mib:.0} MiB resident ({wall_s:.0} s of wall time)");
            bench_report::merge(&[(&key, mib.round())]);
        }
        None => println!("Memory: the standard load for {minutes} simulated minutes{what}: not measured (needs Linux's /proc)"),
    }
}

/// The `--bench-memory` child: runs the load and reports its own peak resident memory.
pub fn memory_child(minutes: u64, retain_minutes: Option<u64>) {
    let mut cluster = Cluster::new(ClusterConfig { replicas: 3, ..ClusterConfig::default() });
    cluster.start_load(standard_load(minutes, retain_minutes)).expect("valid load");
    cluster.advance(minutes * 60_000);
    std::hint::black_box(&cluster);
    if let Some(peak_kib) = resident_kib("VmHWM:") {
        println!("peak_kib {peak_kib}");
    }
}

/// A figure of this process's memory from Linux's `/proc/self/status` (`VmRSS:` resident
/// now, `VmHWM:` its peak), in KiB; `None` elsewhere.
fn resident_kib(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let value = status.lines().find_map(|l| l.strip_prefix(field))?;
    value.trim().trim_end_matches("kB").trim().parse().ok()
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}
