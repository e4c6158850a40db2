//! # Metrics: what a monitoring dashboard would show
//!
//! The lesson's "monitoring you must mention" — replication delay, replica health, write
//! latency, the slow-query log — sampled on the virtual clock. Each node accumulates counters
//! during a sampling window (one simulated second by default); at the end of the window they
//! become one point in each time series and reset. Every series is a ring buffer, so memory
//! stays bounded however long the simulation runs.
//!
//! ```text
//!   window:  [ stmts, cpu µs, write latencies... ] --sample--> point in each Series
//!   series:  ring of (at_ms, value), oldest dropped beyond SERIES_CAPACITY
//! ```

use super::shared::SharedDeque;
use super::{Millis, NodeId};

/// Points kept per series (10 minutes at one sample per second).
pub const SERIES_CAPACITY: usize = 600;

/// Entries kept in the slow-query log.
pub const SLOW_LOG_CAPACITY: usize = 200;

/// A bounded time series.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Series {
    points: SharedDeque<(Millis, f64)>,
}

impl Series {
    /// Appends a point, dropping the oldest beyond [`SERIES_CAPACITY`].
    pub fn push(&mut self, at_ms: Millis, value: f64) {
        if self.points.len() == SERIES_CAPACITY {
            self.points.drop_front(1);
        }
        self.points.push_back((at_ms, value));
    }

    /// The points, oldest first.
    pub fn points(&self) -> impl DoubleEndedIterator<Item = &(Millis, f64)> + ExactSizeIterator {
        self.points.iter()
    }

    /// The newest value, if any.
    pub fn last(&self) -> Option<f64> {
        self.points.back().map(|p| p.1)
    }

    /// The largest value, if any.
    pub fn max(&self) -> Option<f64> {
        self.points.iter().map(|p| p.1).reduce(f64::max)
    }
}

/// The `q`-quantile (0..=1) of `values` by nearest rank; `None` when empty.
pub fn quantile(values: &mut [Millis], q: f64) -> Option<Millis> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let rank = (q.clamp(0.0, 1.0) * values.len() as f64).ceil() as usize;
    Some(values[rank.clamp(1, values.len()) - 1])
}

/// Counters of the current window for one node.
#[derive(Clone, Debug, Default, PartialEq)]
struct Window {
    statements: u64,
    cpu_busy_us: u64,
    write_latencies_ms: Vec<Millis>,
}

/// One node's series.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NodeMetrics {
    /// Replay lag in milliseconds (replicas).
    pub lag_ms: Series,
    /// Replay lag in bytes (replicas).
    pub lag_bytes: Series,
    /// Statements completed per second.
    pub statements_per_s: Series,
    /// CPU utilisation, 0..=1 across the node's cores.
    pub cpu: Series,
    /// Write latency percentiles over the window, in ms (the primary).
    pub write_p50_ms: Series,
    pub write_p99_ms: Series,
    window: Window,
}

impl NodeMetrics {
    /// Every series of the node.
    pub fn series(&self) -> impl Iterator<Item = &Series> {
        [
            &self.lag_ms,
            &self.lag_bytes,
            &self.statements_per_s,
            &self.cpu,
            &self.write_p50_ms,
            &self.write_p99_ms,
        ]
        .into_iter()
    }
}

/// A statement slower than the threshold (PostgreSQL's `log_min_duration_statement`).
#[derive(Clone, Debug, PartialEq)]
pub struct SlowQuery {
    pub at_ms: Millis,
    pub node: NodeId,
    pub session: String,
    pub duration_ms: Millis,
    pub sql: String,
    /// The plan's cost line (`Seq Scan on orders: ...`).
    pub cost: String,
}

/// All metrics of a cluster.
#[derive(Clone, Debug, PartialEq)]
pub struct Metrics {
    /// Length of a sampling window.
    pub interval_ms: Millis,
    /// Statements at least this slow are logged; `None` disables the log (PostgreSQL's -1).
    pub slow_threshold_ms: Option<Millis>,
    window_start_ms: Millis,
    nodes: Vec<NodeMetrics>,
    slow: SharedDeque<SlowQuery>,
    /// The read cache's hit ratio per window (0..=1), for windows with lookups.
    pub cache_hit_ratio: Series,
    cache_window: (u64, u64),
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            interval_ms: 1_000,
            slow_threshold_ms: Some(100),
            window_start_ms: 0,
            nodes: Vec::new(),
            slow: SharedDeque::new(),
            cache_hit_ratio: Series::default(),
            cache_window: (0, 0),
        }
    }
}

/// Lag of one node at sampling time, supplied by the cluster.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LagSample {
    pub lag_ms: Millis,
    pub lag_bytes: u64,
}

impl Metrics {
    fn node_mut(&mut self, node: NodeId) -> &mut NodeMetrics {
        if self.nodes.len() <= node.0 {
            self.nodes.resize_with(node.0 + 1, NodeMetrics::default);
        }
        &mut self.nodes[node.0]
    }

    /// One node's series (empty for a node never sampled).
    pub fn node(&self, node: NodeId) -> NodeMetrics {
        self.nodes.get(node.0).cloned().unwrap_or_default()
    }

    /// Borrows one node's series when it has any.
    pub fn node_ref(&self, node: NodeId) -> Option<&NodeMetrics> {
        self.nodes.get(node.0)
    }

    /// Counts a completed statement and the CPU it used.
    pub fn record_statement(&mut self, node: NodeId, cpu_us: u64) {
        let window = &mut self.node_mut(node).window;
        window.statements += 1;
        window.cpu_busy_us += cpu_us;
    }

    /// Counts CPU used by background work (WAL replay, WAL senders).
    pub fn record_cpu(&mut self, node: NodeId, cpu_us: u64) {
        self.node_mut(node).window.cpu_busy_us += cpu_us;
    }

    /// Records an acknowledged write's latency (submit to acknowledgement).
    pub fn record_write_latency(&mut self, node: NodeId, latency_ms: Millis) {
        self.node_mut(node).window.write_latencies_ms.push(latency_ms);
    }

    /// Counts a read-cache lookup.
    pub fn record_cache_lookup(&mut self, hit: bool) {
        if hit {
            self.cache_window.0 += 1;
        } else {
            self.cache_window.1 += 1;
        }
    }

    /// Whether a statement this long is logged (so the caller builds its entry only then).
    pub fn is_slow(&self, duration_ms: Millis) -> bool {
        self.slow_threshold_ms.is_some_and(|t| duration_ms >= t)
    }

    /// Logs a statement if it was at least the threshold slow.
    pub fn maybe_log_slow(&mut self, query: SlowQuery) {
        if self.is_slow(query.duration_ms) {
            if self.slow.len() == SLOW_LOG_CAPACITY {
                self.slow.drop_front(1);
            }
            self.slow.push_back(query);
        }
    }

    /// The slow-query log, oldest first.
    pub fn slow_queries(&self) -> impl DoubleEndedIterator<Item = &SlowQuery> {
        self.slow.iter()
    }

    /// Closes the window ending `now_ms`: one point per series per node, then fresh counters.
    /// `lags[i]` and `cores[i]` belong to node `i`.
    pub fn sample(&mut self, now_ms: Millis, lags: &[LagSample], cores: &[u32]) {
        let span_ms = now_ms.saturating_sub(self.window_start_ms).max(1);
        for (i, lag) in lags.iter().enumerate() {
            let cores = f64::from(cores.get(i).copied().unwrap_or(1).max(1));
            let node = self.node_mut(NodeId(i));
            let mut window = std::mem::take(&mut node.window);
            node.lag_ms.push(now_ms, lag.lag_ms as f64);
            node.lag_bytes.push(now_ms, lag.lag_bytes as f64);
            node.statements_per_s.push(now_ms, window.statements as f64 * 1_000.0 / span_ms as f64);
            let capacity_us = span_ms as f64 * 1_000.0 * cores;
            node.cpu.push(now_ms, (window.cpu_busy_us as f64 / capacity_us).min(1.0));
            if let Some(p50) = quantile(&mut window.write_latencies_ms, 0.50) {
                node.write_p50_ms.push(now_ms, p50 as f64);
            }
            if let Some(p99) = quantile(&mut window.write_latencies_ms, 0.99) {
                node.write_p99_ms.push(now_ms, p99 as f64);
            }
        }
        let (hits, misses) = std::mem::take(&mut self.cache_window);
        if hits + misses > 0 {
            self.cache_hit_ratio.push(now_ms, hits as f64 / (hits + misses) as f64);
        }
        self.window_start_ms = now_ms;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_by_nearest_rank() {
        let mut xs: Vec<Millis> = (1..=100).rev().collect();
        assert_eq!(quantile(&mut xs, 0.5), Some(50));
        assert_eq!(quantile(&mut xs, 0.99), Some(99));
        assert_eq!(quantile(&mut xs, 1.0), Some(100));
        assert_eq!(quantile(&mut [7], 0.99), Some(7));
        assert_eq!(quantile(&mut [], 0.5), None);
    }

    #[test]
    fn series_are_bounded() {
        let mut s = Series::default();
        for i in 0..(SERIES_CAPACITY as u64 + 10) {
            s.push(i, i as f64);
        }
        assert_eq!(s.points().len(), SERIES_CAPACITY);
        assert_eq!(s.points().next(), Some(&(10, 10.0)));
        assert_eq!(s.max(), Some((SERIES_CAPACITY + 9) as f64));
    }

    #[test]
    fn a_window_becomes_one_point_per_series() {
        let mut m = Metrics::default();
        m.record_statement(NodeId(0), 500_000);
        m.record_statement(NodeId(0), 500_000);
        m.record_write_latency(NodeId(0), 3);
        m.record_write_latency(NodeId(0), 9);
        let lags = [LagSample::default(), LagSample { lag_ms: 800, lag_bytes: 120 }];
        m.sample(1_000, &lags, &[2, 2]);
        let primary = m.node(NodeId(0));
        assert_eq!(primary.statements_per_s.last(), Some(2.0));
        assert_eq!(primary.cpu.last(), Some(0.5));
        assert_eq!(primary.write_p50_ms.last(), Some(3.0));
        assert_eq!(primary.write_p99_ms.last(), Some(9.0));
        assert_eq!(m.node(NodeId(1)).lag_ms.last(), Some(800.0));
        m.sample(2_000, &lags, &[2, 2]);
        assert_eq!(m.node(NodeId(0)).statements_per_s.last(), Some(0.0), "counters reset");
    }

    #[test]
    fn only_slow_statements_are_logged() {
        let mut m = Metrics::default();
        let q = |ms| SlowQuery {
            at_ms: 0,
            node: NodeId(1),
            session: "s".into(),
            duration_ms: ms,
            sql: "SELECT".into(),
            cost: String::new(),
        };
        m.maybe_log_slow(q(99));
        m.maybe_log_slow(q(100));
        assert_eq!(m.slow_queries().count(), 1);
        m.slow_threshold_ms = None;
        m.maybe_log_slow(q(1_000));
        assert_eq!(m.slow_queries().count(), 1);
    }
}
