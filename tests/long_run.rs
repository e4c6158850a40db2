//! A long run of the standard load (1 primary + 3 replicas, 1 000 statements/s, 85 % reads)
//! with orders archived after a retention window: every structure the engine keeps stays
//! under its cap, and the data stays the size of the window, so memory stays flat.
//!
//! `make test` runs a few simulated minutes; `make bench` runs the full hour in release
//! (`cargo test --release --test long_run -- --ignored`).

use replica_playground::engine::cluster::{Footprint, LoadSpec};
use replica_playground::engine::{Cluster, ClusterConfig};

const WRITES_PER_S: u64 = 150; // 15 % of 1 000

fn standard_load(minutes: u64, retain_minutes: u64) -> Cluster {
    let mut cluster = Cluster::new(ClusterConfig { replicas: 3, ..ClusterConfig::default() });
    let spec = LoadSpec {
        rate_per_s: 1_000,
        read_ratio: 0.85,
        duration_ms: minutes * 60_000,
        retain_ms: Some(retain_minutes * 60_000),
        ..LoadSpec::default()
    };
    cluster.start_load(spec).expect("a valid load");
    cluster
}

fn assert_bounded(footprint: &Footprint, retain_minutes: u64, at_minute: u64) {
    for held in &footprint.held {
        assert!(held.within_cap(), "minute {at_minute}: {held:?} is over its cap");
    }
    // The window's orders, with room for the rate's randomness and the last second's archive.
    let window_rows = (WRITES_PER_S * 60 * retain_minutes) as usize;
    for (node, rows) in footprint.rows_per_node.iter().enumerate() {
        assert!(
            *rows <= window_rows * 6 / 5,
            "minute {at_minute}: pg{} holds {rows} rows, the {retain_minutes}-minute window is ~{window_rows}",
            node + 1
        );
    }
    let keep_bytes = 16 * 1024 * 1024 * 11 / 10;
    for (node, bytes) in footprint.wal_bytes_per_node.iter().enumerate() {
        assert!(
            *bytes <= keep_bytes,
            "minute {at_minute}: pg{} keeps {bytes} bytes of WAL",
            node + 1
        );
    }
}

fn run(minutes: u64, retain_minutes: u64) {
    let mut cluster = standard_load(minutes, retain_minutes);
    let mut rows_seen = Vec::new();
    for minute in 1..=minutes {
        cluster.advance(60_000);
        let footprint = cluster.footprint();
        assert_bounded(&footprint, retain_minutes, minute);
        rows_seen.push(footprint.rows_per_node[0]);
    }
    let load = cluster.load().expect("the load ran");
    assert!(load.errors() == 0, "the load answered every request:\n{}", load.render());
    // Past the window the table stops growing: the archiver keeps up with the writes.
    let after_window = &rows_seen[retain_minutes as usize..];
    let (least, most) = (after_window.iter().min(), after_window.iter().max());
    if let (Some(least), Some(most)) = (least, most) {
        assert!(most - least <= most / 10, "rows after the window: {after_window:?}");
    }
}

#[test]
fn a_few_minutes_with_retention_stay_under_every_cap() {
    run(4, 1);
}

#[test]
#[ignore = "one simulated hour: run by `make bench` in release"]
fn one_hour_of_the_standard_load_stays_under_every_cap() {
    run(60, 10);
}
