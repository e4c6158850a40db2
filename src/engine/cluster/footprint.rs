//! What the cluster holds in memory, counted: every log, history and sample the engine keeps
//! next to each capacity it is bounded by, so a long run can be checked to stay flat.

use super::client::ACKS_KEPT;
use super::{load, Cluster, FINISHED_KEPT};
use crate::engine::event::LOG_CAPACITY;
use crate::engine::history::HISTORY_CAPACITY;
use crate::engine::metrics::{SERIES_CAPACITY, SLOW_LOG_CAPACITY};
use crate::engine::wal::CHAIN_HISTORY;

/// One kept structure: how many entries it holds now, and the most it may hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held {
    pub what: &'static str,
    pub len: usize,
    pub cap: usize,
}

impl Held {
    fn new(what: &'static str, len: usize, cap: usize) -> Self {
        Self { what, len, cap }
    }

    /// Within its capacity.
    pub fn within_cap(&self) -> bool {
        self.len <= self.cap
    }
}

/// The cluster's kept structures, and its data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Footprint {
    /// Bounded structures with their capacities.
    pub held: Vec<Held>,
    /// Rows stored on each node (bounded only by what the workload keeps).
    pub rows_per_node: Vec<usize>,
    /// WAL bytes each node keeps (bounded by `wal_keep_size` plus what a lagging standby
    /// still needs).
    pub wal_bytes_per_node: Vec<u64>,
}

impl Cluster {
    /// Counts what the cluster holds in memory.
    pub fn footprint(&self) -> Footprint {
        let mut held = vec![
            Held::new("history records", self.history.records().len(), HISTORY_CAPACITY),
            Held::new("event log", self.events.iter().len(), LOG_CAPACITY),
            Held::new("acknowledged commits", self.acknowledged.len(), ACKS_KEPT),
            Held::new("finished replies", self.finished.len(), FINISHED_KEPT),
            Held::new("slow query log", self.metrics.slow_queries().count(), SLOW_LOG_CAPACITY),
            Held::new("cache entries", self.cache.len(), super::cache::CACHE_CAPACITY),
            Held::new(
                "cache eviction queue",
                self.cache.queued(),
                2 * super::cache::CACHE_CAPACITY,
            ),
        ];
        for node in &self.nodes {
            held.push(Held::new(
                "WAL chain history",
                node.wal.chain_history().count(),
                CHAIN_HISTORY,
            ));
            let series = self.metrics.node_ref(node.id).into_iter().flat_map(|m| m.series());
            let longest = series.map(|s| s.points().len()).max().unwrap_or(0);
            held.push(Held::new("metric series points", longest, SERIES_CAPACITY));
        }
        if let Some(load) = &self.load {
            held.push(Held::new("load latency samples", load.most_samples(), load::SAMPLES_KEPT));
        }
        Footprint {
            held,
            rows_per_node: self.nodes.iter().map(|n| n.db.total_rows()).collect(),
            wal_bytes_per_node: self
                .nodes
                .iter()
                .map(|n| n.wal.end().bytes_since(n.wal.oldest()))
                .collect(),
        }
    }
}
