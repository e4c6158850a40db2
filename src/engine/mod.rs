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
pub mod command;
pub mod commit;
pub mod digest;
pub mod error;
pub mod event;
pub mod history;
pub mod invariants;
pub mod link;
pub mod metrics;
pub mod node;
pub mod recording;
pub mod rng;
pub mod scenario;
pub mod share;
pub mod shared;
pub mod sql;
pub mod vecmap;
pub mod wal;

pub use cluster::{Cluster, ClusterConfig, OpId, Reply, StatementReply, Target};
pub use error::Error;
use std::borrow::Cow;

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
    pub fn name(self) -> Cow<'static, str> {
        const NAMES: [&str; 16] = [
            "pg1", "pg2", "pg3", "pg4", "pg5", "pg6", "pg7", "pg8", "pg9", "pg10", "pg11", "pg12",
            "pg13", "pg14", "pg15", "pg16",
        ];
        match NAMES.get(self.0) {
            Some(name) => Cow::Borrowed(name),
            None => Cow::Owned(format!("pg{}", self.0 + 1)),
        }
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

pub use command::parse::parse_millis;

/// Cases for a property test that hunts for panics: `default` in `make test`, or `FUZZ_CASES`
/// when it is set (`make fuzz` runs far more).
#[cfg(test)]
pub(crate) fn fuzz_cases(default: u32) -> u32 {
    std::env::var("FUZZ_CASES").ok().and_then(|cases| cases.parse().ok()).unwrap_or(default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_format_for_people() {
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
