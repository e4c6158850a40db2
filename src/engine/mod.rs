//! # The engine: a replicated database as a deterministic state machine
//!
//! Everything that happens in the playground happens here, and only when an input arrives:
//! a client statement, a fault, or "advance the clock by N ms". Nothing here reads the wall
//! clock or the operating system's randomness, and every collection whose order can leak into
//! results is ordered, so the same seed and the same inputs replay the same run, byte for byte.
//!
//! ```text
//!   client ──SQL──▶ router ──write──▶ primary ──WAL records──▶ link (delay) ──▶ replica
//!                     │                  │                                       │
//!                     └──read──────────────────────────────────────────────────▶ │ replay
//!                                        ▲                                       │
//!                                        └──── feedback: write/flush/replay LSN ◀┘
//! ```
//!
//! Vocabulary, used throughout:
//!
//! | name        | what it holds                                                        |
//! |-------------|----------------------------------------------------------------------|
//! | [`Millis`]  | a duration or a point on the virtual clock, in milliseconds          |
//! | [`NodeId`]  | index of a node; stable for the node's life; its name is `pg1`, `pg2`… |
//! | [`wal::Lsn`]| a byte position in the write-ahead log, printed like `0/3000148`     |
//! | [`node::Role`] | primary or replica (a replica is PostgreSQL's hot standby)        |

pub mod checker;
pub mod cluster;
pub mod commit;
pub mod digest;
pub mod error;
pub mod event;
pub mod history;
pub mod invariants;
pub mod link;
pub mod metrics;
pub mod node;
pub mod rng;
pub mod scenario;
pub mod sql;
pub mod wal;

pub use cluster::{Cluster, ClusterConfig, OpId, Reply, StatementReply, Target};
pub use error::Error;

/// Milliseconds of simulated time: a duration, or a point on the virtual clock (0 = start).
pub type Millis = u64;

/// Identifies a node for its whole life: its index in the cluster's node list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct NodeId(pub usize);

/// Hashed as a fixed 32-bit number, never as a `usize` (4 bytes in the browser, 8 natively), so
/// digests agree everywhere.
impl std::hash::Hash for NodeId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u32(u32::try_from(self.0).expect("at most a few nodes"));
    }
}

impl NodeId {
    /// The node's name as users see and type it: `pg1`, `pg2`, … (Patroni-style member names
    /// that stay the same when roles change in a failover).
    pub fn name(self) -> String {
        format!("pg{}", self.0 + 1)
    }
}

impl std::fmt::Display for NodeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "pg{}", self.0 + 1)
    }
}

/// Formats a duration like `1.5s`, `250ms`, `2m05s` for logs and tables.
pub fn format_millis(ms: Millis) -> String {
    match ms {
        0..1_000 => format!("{ms}ms"),
        1_000..60_000 if ms.is_multiple_of(1_000) => format!("{}s", ms / 1_000),
        1_000..60_000 => {
            let seconds = format!("{}.{:03}", ms / 1_000, ms % 1_000);
            format!("{}s", seconds.trim_end_matches('0'))
        }
        _ => format!("{}m{:02}s", ms / 60_000, (ms % 60_000) / 1_000),
    }
}

/// Parses a duration as users write it: `500ms`, `2s`, `1.5s`, `3m`, or a bare number of ms.
pub fn parse_millis(text: &str) -> Option<Millis> {
    let text = text.trim();
    let (number, unit_ms) = if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix("min") {
        (n, 60_000.0)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1_000.0)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, 60_000.0)
    } else {
        (text, 1.0)
    };
    let value: f64 = number.trim().parse().ok()?;
    let ms = value * unit_ms;
    (value.is_finite() && (0.0..=1e15).contains(&ms)).then(|| ms.round() as Millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_round_trip_through_text() {
        assert_eq!(parse_millis("500ms"), Some(500));
        assert_eq!(parse_millis("1.5s"), Some(1_500));
        assert_eq!(parse_millis("2m"), Some(120_000));
        assert_eq!(parse_millis("750"), Some(750));
        assert_eq!(parse_millis("-1s"), None);
        assert_eq!(parse_millis("fast"), None);
        assert_eq!(format_millis(250), "250ms");
        assert_eq!(format_millis(2_000), "2s");
        assert_eq!(format_millis(1_500), "1.5s");
        assert_eq!(format_millis(125_000), "2m05s");
    }

    #[test]
    fn node_names_start_at_one() {
        assert_eq!(NodeId(0).name(), "pg1");
        assert_eq!(NodeId(2).to_string(), "pg3");
    }
}
