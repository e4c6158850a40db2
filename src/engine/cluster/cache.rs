//! The read cache: the lesson's "add a caching layer" answer to ten times the read traffic.
//!
//! A read-through cache in front of the router (what an application does with Redis or
//! memcached): a `SELECT` sent through the router is looked up by its text; a fresh entry
//! answers at once without touching a database; a miss goes to a node as usual and its answer
//! is stored for `ttl`. Writes do not update the cache — unless `invalidate_on_write` is on,
//! in which case an acknowledged write drops the entries that read the tables it wrote.
//!
//! What it costs is the point: an entry is as stale as the node that answered the miss (a
//! lagging replica) *plus* its age, and invalidation races with replication — a read that
//! misses just after a write may fetch the old row from a replica and cache it for a whole
//! TTL. The history records a cached answer with the WAL position of the node that produced
//! it, so the checker flags stale cached reads like any other stale read.

use std::collections::{BTreeMap, VecDeque};

use super::super::event::{EventKind, SettingScope};
use super::super::node::Role;
use super::super::sql::Outcome;
use super::super::wal::Lsn;
use super::super::{format_millis, Millis, NodeId};
use super::Cluster;

/// Entries kept at most; the oldest stored goes first.
pub const CACHE_CAPACITY: usize = 10_000;

/// The cache's settings.
#[derive(Clone, Debug, PartialEq)]
pub struct CacheConfig {
    pub enabled: bool,
    /// How long an entry answers reads.
    pub ttl_ms: Millis,
    /// Drop entries for a table when a write to it is acknowledged.
    pub invalidate_on_write: bool,
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self { enabled: false, ttl_ms: 5_000, invalidate_on_write: false }
    }
}

/// Counters since the cache was last configured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    pub hits: u64,
    pub misses: u64,
    pub invalidations: u64,
    pub entries: usize,
}

impl CacheStats {
    /// Hits over lookups, if there were any.
    pub fn hit_ratio(&self) -> Option<f64> {
        let lookups = self.hits + self.misses;
        (lookups > 0).then(|| self.hits as f64 / lookups as f64)
    }
}

impl std::fmt::Display for CacheStats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ratio = self.hit_ratio().map_or("-".to_string(), |r| format!("{:.1}%", r * 100.0));
        write!(
            f,
            "{} hits, {} misses (hit ratio {ratio}), {} entries, {} invalidated",
            self.hits, self.misses, self.entries, self.invalidations
        )
    }
}

/// A stored answer and where it came from.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct CachedRead {
    pub outcome: Outcome,
    pub node: NodeId,
    pub role: Role,
    /// How far the answering node had replayed.
    pub node_lsn: Lsn,
    /// Its timeline then.
    pub timeline: u64,
    pub stored_ms: Millis,
    pub tables: std::rc::Rc<[String]>,
}

/// The cache itself.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct ReadCache {
    pub config: CacheConfig,
    entries: BTreeMap<String, CachedRead>,
    /// Keys in the order they were stored, for eviction (stale pairs are skipped).
    order: VecDeque<(Millis, String)>,
    stats: CacheStats,
}

impl ReadCache {
    /// A fresh entry for `key`, if any (an expired one is dropped). Not counted: the reader
    /// decides whether it may use it, then calls [`ReadCache::count`].
    pub fn fresh(&mut self, key: &str, now_ms: Millis) -> Option<CachedRead> {
        let ttl_ms = self.config.ttl_ms;
        let fresh = self.entries.get(key).filter(|e| now_ms < e.stored_ms + ttl_ms).cloned();
        if fresh.is_none() {
            self.entries.remove(key);
        }
        fresh
    }

    /// Counts a lookup as a hit or a miss.
    pub fn count(&mut self, hit: bool) {
        match hit {
            true => self.stats.hits += 1,
            false => self.stats.misses += 1,
        }
    }

    /// Answers stored.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Keys queued for eviction (stale ones included).
    pub fn queued(&self) -> usize {
        self.order.len()
    }

    /// Stores an answer, evicting the oldest entries beyond [`CACHE_CAPACITY`].
    pub fn store(&mut self, key: String, entry: CachedRead) {
        self.order.push_back((entry.stored_ms, key.clone()));
        self.entries.insert(key, entry);
        while self.entries.len() > CACHE_CAPACITY || self.order.len() > 2 * CACHE_CAPACITY {
            let Some((stored_ms, key)) = self.order.pop_front() else { break };
            if self.entries.get(&key).is_some_and(|e| e.stored_ms == stored_ms) {
                self.entries.remove(&key);
            }
        }
    }

    /// Drops entries that read any of `tables` (all entries when `tables` is empty: a
    /// transaction's COMMIT does not say what it wrote). Returns how many.
    pub fn invalidate(&mut self, tables: &[String]) -> usize {
        let before = self.entries.len();
        self.entries
            .retain(|_, e| !tables.is_empty() && !e.tables.iter().any(|t| tables.contains(t)));
        let dropped = before - self.entries.len();
        self.stats.invalidations += dropped as u64;
        dropped
    }

    pub fn stats(&self) -> CacheStats {
        CacheStats { entries: self.entries.len(), ..self.stats }
    }

    /// New settings: the cache starts empty, counters from zero.
    pub fn reconfigure(&mut self, config: CacheConfig) {
        *self = ReadCache { config, ..ReadCache::default() };
    }
}

impl Cluster {
    /// The read cache's settings.
    pub fn cache_config(&self) -> &CacheConfig {
        &self.cache.config
    }

    /// The read cache's counters.
    pub fn cache_stats(&self) -> CacheStats {
        self.cache.stats()
    }

    /// Turns the read cache on or off, or changes its TTL or invalidation; it starts empty.
    pub fn set_cache(&mut self, config: CacheConfig) {
        let value = if config.enabled {
            format!(
                "on, ttl {}, invalidate on write {}",
                format_millis(config.ttl_ms),
                if config.invalidate_on_write { "on" } else { "off" }
            )
        } else {
            "off".to_string()
        };
        self.cache.reconfigure(config);
        let kind = EventKind::setting(SettingScope::Router, "read cache", value);
        self.events.push(self.now_ms, kind);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(stored_ms: Millis, table: &str) -> CachedRead {
        CachedRead {
            outcome: Outcome::tag("SELECT 0"),
            node: NodeId(1),
            role: Role::Replica,
            node_lsn: Lsn::START,
            timeline: 1,
            stored_ms,
            tables: vec![table.to_string()].into(),
        }
    }

    #[test]
    fn entries_expire_after_the_ttl() {
        let mut cache = ReadCache::default();
        cache.reconfigure(CacheConfig { enabled: true, ttl_ms: 1_000, invalidate_on_write: false });
        let lookup = |cache: &mut ReadCache, now_ms| {
            let hit = cache.fresh("q", now_ms).is_some();
            cache.count(hit);
            hit
        };
        assert!(!lookup(&mut cache, 0));
        cache.store("q".into(), entry(0, "t"));
        assert!(lookup(&mut cache, 999));
        assert!(!lookup(&mut cache, 1_000));
        let stats = cache.stats();
        assert_eq!((stats.hits, stats.misses, stats.entries), (1, 2, 0));
        assert_eq!(stats.hit_ratio(), Some(1.0 / 3.0));
    }

    #[test]
    fn invalidation_drops_only_the_written_tables() {
        let mut cache = ReadCache::default();
        cache.store("a".into(), entry(0, "orders"));
        cache.store("b".into(), entry(0, "users"));
        assert_eq!(cache.invalidate(&["orders".to_string()]), 1);
        assert_eq!(cache.stats().entries, 1);
        assert_eq!(cache.invalidate(&[]), 1, "an unknown write drops everything");
    }

    #[test]
    fn the_cache_is_bounded() {
        let mut cache = ReadCache::default();
        for i in 0..CACHE_CAPACITY as u64 + 5 {
            cache.store(format!("q{i}"), entry(i, "t"));
        }
        assert_eq!(cache.stats().entries, CACHE_CAPACITY);
        assert!(!cache.entries.contains_key("q0"), "the oldest went first");
    }
}
