//! # The write-ahead log
//!
//! Every committed transaction on the primary becomes one [`WalRecord`]: the row-level changes
//! the SQL engine produced (never the SQL text), stamped with the commit time and the byte
//! range it occupies in the log. Replicas receive these records in order and *replay* them on
//! their own copy of the data, which is why `NOW()` is evaluated once, on the primary.
//!
//! Positions in the log are [`Lsn`]s (log sequence numbers): byte offsets, printed the way
//! PostgreSQL prints them, as two hexadecimal halves: `0/3000148`.
//!
//! ```text
//!   LSN 0/3000000          0/30000A8            0/3000180
//!        | record xid 1    | record xid 2       | ...
//!        +-----------------+--------------------+
//!        start             end = next start
//! ```
//!
//! Each record also carries a *chain* digest: a hash of its predecessor's chain and its own
//! contents. Two nodes whose records at the same LSN have the same chain hold the same history
//! up to there — which is how the invariant "a replica's log is a prefix of the primary's" is
//! checked without keeping every record forever. Old records are truncated (memory stays
//! bounded); a short history of (end, chain) pairs is kept longer for the checks.

use super::shared::SharedDeque;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

use super::digest::StableHasher;
use super::sql::Commit;
use super::Millis;

/// How many record boundaries a log remembers the chain digest of: the newest, whether
/// their records are kept or were truncated.
pub const CHAIN_HISTORY: usize = 100_000;

/// A byte position in the write-ahead log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Lsn(pub u64);

impl Lsn {
    /// Where a new cluster's log starts (like a freshly initialised PostgreSQL's `0/3000000`).
    pub const START: Lsn = Lsn(0x0300_0000);

    /// Bytes from `earlier` to `self` (PostgreSQL's `pg_wal_lsn_diff`), 0 if `earlier` is ahead.
    pub fn bytes_since(self, earlier: Lsn) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

impl fmt::Display for Lsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:X}/{:X}", self.0 >> 32, self.0 & 0xFFFF_FFFF)
    }
}

/// One committed transaction in the log.
#[derive(Clone, Debug, PartialEq)]
pub struct WalRecord {
    /// Transaction id, counting from 1 on each cluster.
    pub xid: u64,
    /// One past the last byte: the position a node has reached once it holds this record.
    pub end: Lsn,
    /// When the primary committed it.
    pub commit_time_ms: Millis,
    /// Digest of the whole history up to and including this record.
    pub chain: u64,
    /// The row-level changes to replay (every node holds the same shared record).
    pub commit: Commit,
}

impl WalRecord {
    /// First byte of the record: its commit's size before its end (not stored: every node
    /// holds each record for as long as it keeps its WAL).
    pub fn start(&self) -> Lsn {
        Lsn(self.end.0 - self.commit.size_bytes().max(1))
    }
}

/// A node's log: records in LSN order; older ones may have been truncated.
#[derive(Clone, Debug, PartialEq)]
pub struct Wal {
    /// Shared: the records a replica receives are the primary's own. Pointers, in chunks
    /// of 128: a snapshot of the cluster copies one pointer per chunk.
    records: SharedDeque<Rc<WalRecord>, 128>,
    /// Where the first kept record starts (everything before it was truncated).
    oldest: Lsn,
    end: Lsn,
    end_chain: u64,
    next_xid: u64,
    /// (end, chain) of the boundaries no kept record holds, oldest first: where the log
    /// started and the records truncated since. A kept record holds its own.
    older_chains: SharedDeque<(Lsn, u64), 128>,
}

impl Default for Wal {
    fn default() -> Self {
        Self::starting_at(Lsn::START, 0, 1)
    }
}

impl Wal {
    /// An empty log that continues a history ending at `end` (a base backup's position).
    pub fn starting_at(end: Lsn, end_chain: u64, next_xid: u64) -> Self {
        Self {
            records: SharedDeque::new(),
            oldest: end,
            end,
            end_chain,
            next_xid,
            // The starting point is part of the history too (a base backup's position).
            older_chains: [(end, end_chain)].into_iter().collect(),
        }
    }

    /// Appends a committed transaction and returns its record.
    pub fn append(&mut self, commit: Commit, commit_time_ms: Millis) -> &WalRecord {
        let start = self.end;
        let end = Lsn(start.0 + commit.size_bytes().max(1));
        assert!(end > start, "a record takes room in the log");
        let xid = self.next_xid;
        let chain = chain_of(self.end_chain, xid, start, end, commit_time_ms, &commit);
        let record = WalRecord { xid, end, commit_time_ms, chain, commit };
        debug_assert_eq!(record.start(), start);
        self.push(Rc::new(record));
        self.records.back().expect("just pushed")
    }

    /// Appends a record received from the primary; it must continue this log exactly.
    pub fn push_received(&mut self, record: Rc<WalRecord>) {
        assert_eq!(record.start(), self.end, "WAL must arrive contiguously");
        self.push(record);
    }

    fn push(&mut self, record: Rc<WalRecord>) {
        self.end = record.end;
        self.end_chain = record.chain;
        self.next_xid = record.xid + 1;
        self.records.push_back(record);
    }

    /// The position just past the last record (PostgreSQL's `pg_current_wal_lsn()`).
    pub fn end(&self) -> Lsn {
        self.end
    }

    /// The chain digest at [`Wal::end`].
    pub fn end_chain(&self) -> u64 {
        self.end_chain
    }

    /// The xid the next commit will get.
    pub fn next_xid(&self) -> u64 {
        self.next_xid
    }

    /// Where the oldest kept record starts: a standby needing anything older needs a re-sync.
    pub fn oldest(&self) -> Lsn {
        self.oldest
    }

    /// Kept records, oldest first.
    pub fn records(&self) -> impl DoubleEndedIterator<Item = &WalRecord> {
        self.records.iter().map(|r| &**r)
    }

    /// Kept records that start at or after `from`, oldest first.
    pub fn records_from(&self, from: Lsn) -> impl Iterator<Item = &WalRecord> {
        self.shared_from(from).map(|r| &**r)
    }

    /// [`Wal::records_from`], as shared records to send to a standby.
    pub fn shared_from(&self, from: Lsn) -> impl Iterator<Item = &Rc<WalRecord>> {
        // Records are contiguous, so the first one starting at or after `from` is the first
        // ending past it, or the one after that when `from` falls inside it. Searching by the
        // stored end computes one record's start, not one per probe.
        let mut first = self.records.partition_point(|r| r.end <= from);
        if self.records.get(first).is_some_and(|r| r.start() < from) {
            first += 1;
        }
        self.records.iter_from(first)
    }

    /// The last kept record that ends at or before `lsn`: the newest a node holding `lsn` has.
    pub fn last_record_upto(&self, lsn: Lsn) -> Option<&WalRecord> {
        let after = self.records.partition_point(|r| r.end <= lsn);
        self.records.get(after.checked_sub(1)?).map(|r| &**r)
    }

    /// The first kept record starting at or after `from`.
    pub fn record_at(&self, from: Lsn) -> Option<&WalRecord> {
        self.records_from(from).next()
    }

    /// The chain digest of the record ending at `end`, while the history remembers it.
    pub fn chain_at(&self, end: Lsn) -> Option<u64> {
        if end == self.end {
            return Some(self.end_chain);
        }
        let kept_from = self.records.front().map_or(Lsn(u64::MAX), |r| r.end);
        let (at, chain) = if end >= kept_from {
            let i = self.records.partition_point(|r| r.end < end);
            let record = self.records.get(i).filter(|r| r.end == end)?;
            (self.older_chains.len() + i, record.chain)
        } else {
            let i = self.older_chains.partition_point(|(e, _)| *e < end);
            let (_, chain) = self.older_chains.get(i).filter(|(e, _)| *e == end)?;
            (i, *chain)
        };
        (at >= self.first_remembered()).then_some(chain)
    }

    /// Remembered (end, chain) pairs, newest first.
    pub fn chain_history(&self) -> impl Iterator<Item = (Lsn, u64)> + '_ {
        let kept = self.records.iter().rev().map(|r| (r.end, r.chain));
        kept.chain(self.older_chains.iter().rev().copied()).take(CHAIN_HISTORY)
    }

    /// Whether [`Wal::chain_at`] still knows every record boundary at or after `lsn`.
    pub fn remembers(&self, lsn: Lsn) -> bool {
        let first = self.first_remembered();
        let first_end = match first.checked_sub(self.older_chains.len()) {
            Some(kept) => self.records.get(kept).map(|r| r.end),
            None => self.older_chains.get(first).map(|(e, _)| *e),
        };
        first_end.is_some_and(|e| e <= lsn) || lsn == self.end
    }

    /// Where the remembered boundaries start, counting the older ones first, then the kept.
    fn first_remembered(&self) -> usize {
        (self.older_chains.len() + self.records.len()).saturating_sub(CHAIN_HISTORY)
    }

    /// Drops kept records that end at or before `upto` (a checkpoint recycling WAL).
    pub fn truncate_before(&mut self, upto: Lsn) {
        assert!(upto <= self.end, "a checkpoint recycles only WAL that exists");
        while self.records.front().is_some_and(|r| r.end <= upto) {
            let record = self.records.pop_front().expect("checked");
            self.oldest = record.end;
            if self.older_chains.len() == CHAIN_HISTORY {
                self.older_chains.drop_front(1);
            }
            self.older_chains.push_back((record.end, record.chain));
        }
    }

    /// Throws away records that end after `keep_upto` (a crash losing unflushed WAL); returns them.
    pub fn discard_after(&mut self, keep_upto: Lsn) -> Vec<Rc<WalRecord>> {
        assert!(keep_upto >= self.oldest, "a crash loses only WAL that was kept");
        let first = self.records.partition_point(|r| r.end <= keep_upto);
        let lost: Vec<Rc<WalRecord>> = self.records.iter_from(first).cloned().collect();
        self.records.truncate(first);
        if let Some(first_lost) = lost.first() {
            self.end = first_lost.start();
            self.next_xid = first_lost.xid;
            let last = match self.records.back() {
                Some(record) => Some((record.end, record.chain)),
                None => self.older_chains.back().copied(),
            };
            self.end_chain = last.filter(|(e, _)| *e == self.end).map_or(0, |(_, c)| c);
        }
        lost
    }
}

fn chain_of(
    previous: u64,
    xid: u64,
    start: Lsn,
    end: Lsn,
    time_ms: Millis,
    commit: &Commit,
) -> u64 {
    let mut hasher = StableHasher::default();
    (previous, xid, start, end, time_ms, commit.changes.len()).hash(&mut hasher);
    for change in &commit.changes {
        // The bytes `change.to_string().hash(..)` would feed, without building the string.
        fmt::Write::write_fmt(&mut hasher, format_args!("{change}")).expect("hashing never fails");
        hasher.write_u8(0xff);
    }
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn empty() -> Commit {
        Commit { changes: Vec::new().into() }
    }

    #[test]
    fn lsn_prints_like_postgresql() {
        assert_eq!(Lsn(0x0300_0148).to_string(), "0/3000148");
        assert_eq!(Lsn((1 << 32) | 0xA0).to_string(), "1/A0");
        assert_eq!(Lsn(10).bytes_since(Lsn(4)), 6);
        assert_eq!(Lsn(4).bytes_since(Lsn(10)), 0);
    }

    #[test]
    fn records_are_contiguous_and_found_by_position() {
        let mut wal = Wal::default();
        let first_end = wal.append(empty(), 5).end;
        wal.append(empty(), 9);
        let records: Vec<&WalRecord> = wal.records().collect();
        assert_eq!(records[0].start(), Lsn::START);
        assert_eq!(records[1].start(), first_end);
        assert_eq!(records[1].xid, 2);
        assert_ne!(records[0].chain, records[1].chain);
        assert_eq!(wal.records_from(first_end).count(), 1);
        assert_eq!(wal.records_from(Lsn::START).count(), 2);
        assert_eq!(wal.records_from(wal.end()).count(), 0);
    }

    #[test]
    fn the_last_record_up_to_a_position_is_the_newest_wholly_before_it() {
        let mut wal = Wal::default();
        assert!(wal.last_record_upto(Lsn(u64::MAX)).is_none());
        let ends: Vec<Lsn> = (0..300).map(|t| wal.append(empty(), t).end).collect();
        assert!(wal.last_record_upto(Lsn::START).is_none());
        for (i, end) in ends.iter().enumerate() {
            assert_eq!(wal.last_record_upto(*end).map(|r| r.xid), Some(i as u64 + 1));
            let inside = Lsn(end.0 - 1);
            assert_eq!(wal.last_record_upto(inside).map(|r| r.xid), (i > 0).then_some(i as u64));
        }
    }

    #[test]
    fn a_replica_copy_has_the_same_chain() {
        let mut primary = Wal::default();
        let mut replica = Wal::default();
        for t in 0..3 {
            let record = primary.append(empty(), t).clone();
            replica.push_received(Rc::new(record));
        }
        assert_eq!(primary.end_chain(), replica.end_chain());
        let mid = primary.records().nth(1).unwrap().end;
        assert_eq!(primary.chain_at(mid), replica.chain_at(mid));
    }

    #[test]
    fn truncation_keeps_positions_and_discard_rewinds() {
        let mut wal = Wal::default();
        let ends: Vec<Lsn> = (0..4).map(|t| wal.append(empty(), t).end).collect();
        wal.truncate_before(ends[1]);
        assert_eq!(wal.records().count(), 2);
        assert_eq!(wal.oldest(), ends[1]);
        assert!(wal.chain_at(ends[0]).is_some(), "history outlives the records");
        let lost = wal.discard_after(ends[2]);
        assert_eq!(lost.len(), 1);
        assert_eq!(wal.end(), ends[2]);
        assert_eq!(wal.next_xid(), 4);
        assert_eq!(Some(wal.end_chain()), wal.chain_at(ends[2]));
        let again = wal.append(empty(), 9);
        assert_eq!(again.start(), ends[2]);
    }

    /// The newest CHAIN_HISTORY boundaries are remembered, whether their records are kept
    /// or truncated; older ones are forgotten, and `remembers` says where memory starts.
    #[test]
    fn chains_are_remembered_for_the_newest_boundaries_kept_or_truncated() {
        let mut wal = Wal::default();
        let mut chains = vec![(wal.end(), wal.end_chain())];
        for t in 0..CHAIN_HISTORY as u64 + 10 {
            let (end, chain) = {
                let record = wal.append(empty(), t);
                (record.end, record.chain)
            };
            chains.push((end, chain));
            if t % 1000 == 999 {
                wal.truncate_before(Lsn(end.0 - 20_000));
            }
        }
        let forgotten = chains.len() - CHAIN_HISTORY;
        for (i, (end, chain)) in chains.iter().enumerate() {
            let expected = (i >= forgotten || *end == wal.end()).then_some(*chain);
            assert_eq!(wal.chain_at(*end), expected, "boundary {i} of {}", chains.len());
            assert_eq!(wal.remembers(*end), i >= forgotten, "boundary {i}");
        }
        assert!(wal.chain_at(Lsn(chains[forgotten].0 .0 + 1)).is_none(), "not a boundary");
        let newest_first: Vec<(Lsn, u64)> = chains[forgotten..].iter().rev().copied().collect();
        assert!(wal.chain_history().eq(newest_first));
    }
}
