//! # The history checker: consistency anomalies, caught and explained
//!
//! In the spirit of Jepsen's Elle and Knossos, the checker reads the [`History`] of client
//! operations and reports every anomaly with the chain of facts that proves it:
//!
//! | finding | what happened |
//! |---------|---------------|
//! | stale read | a read missed a write to its table that had been acknowledged before the read began |
//! | read-your-writes violation | ... and the missed write was the same session's own |
//! | monotonic-read violation | a session read from a node that was *behind* what it had already read |
//! | lost write | a write was acknowledged, and the primary's history no longer has it |
//! | refused write | a write went to a read-only standby |
//! | split-brain write | a write was acknowledged by an old primary after a newer one had been promoted |
//!
//! "Missed" is decided by WAL positions: a read ran on a node that had replayed up to `L`; a
//! write to a table the read names committed at `E > L`. That is exactly what the replica could
//! not yet see. (Whether the missing row would have matched the read's `WHERE` is not checked:
//! a finding says the read *could* have returned stale data, as Elle's "G-single" style checks
//! do for version orders.)

use std::collections::BTreeMap;
use std::fmt;

use super::commit::SyncCommit;
use super::history::{History, OpKind, OpRecord};
use super::node::Role;
use super::wal::Lsn;
use super::{format_millis, Cluster};

/// The kind of anomaly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Anomaly {
    StaleRead,
    ReadYourWrites,
    MonotonicRead,
    LostWrite,
    RefusedWrite,
    SplitBrainWrite,
}

impl Anomaly {
    pub fn as_str(self) -> &'static str {
        match self {
            Anomaly::StaleRead => "stale read",
            Anomaly::ReadYourWrites => "read-your-writes violation",
            Anomaly::MonotonicRead => "monotonic-read violation",
            Anomaly::LostWrite => "lost write",
            Anomaly::RefusedWrite => "write refused by a read-only node",
            Anomaly::SplitBrainWrite => "split-brain write",
        }
    }
}

/// One anomaly, the operations involved, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub anomaly: Anomaly,
    /// History ids of the operations involved (0 for a write no longer in the history).
    pub ops: Vec<u64>,
    /// The facts, in order.
    pub because: Vec<String>,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ops: Vec<String> =
            self.ops.iter().filter(|id| **id > 0).map(|id| format!("#{id}")).collect();
        writeln!(f, "{} (ops {})", self.anomaly.as_str(), ops.join(", "))?;
        for fact in &self.because {
            writeln!(f, "  - {fact}")?;
        }
        Ok(())
    }
}

/// A write acknowledged to its client, for the read checks.
#[derive(Clone, Debug)]
struct AckedWrite<'a> {
    record: &'a OpRecord,
    end: Lsn,
}

/// Every anomaly in the history, in the order the reads (or writes) happened.
pub fn check(history: &History, cluster: &Cluster) -> Vec<Finding> {
    let mut findings = Vec::new();
    let writes = acknowledged_writes(history);
    let mut last_read: BTreeMap<(&str, &str), &OpRecord> = BTreeMap::new();
    for record in history.records() {
        if record.refused_read_only() {
            findings.push(refused(record));
        }
        if let Some(finding) = split_brain_write(record, cluster) {
            findings.push(finding);
        }
        if record.kind != OpKind::Read || record.error().is_some() {
            continue;
        }
        if let Some(finding) = missed_write(record, &writes, cluster) {
            findings.push(finding);
        }
        for table in record.tables() {
            let key = (&*record.session, table.as_str());
            if let Some(previous) = last_read.get(&key) {
                if let Some(finding) = went_back(previous, record, table, &writes, cluster) {
                    findings.push(finding);
                }
            }
            let newer = last_read
                .get(&key)
                .is_none_or(|p| (p.timeline, p.node_lsn) <= (record.timeline, record.node_lsn));
            if newer {
                last_read.insert(key, record);
            }
        }
    }
    findings.extend(lost_writes(history, cluster));
    findings
}

fn acknowledged_writes(history: &History) -> Vec<AckedWrite<'_>> {
    history
        .records()
        .filter(|r| r.kind == OpKind::Write && r.error().is_none())
        .filter_map(|r| r.commit.map(|(_, end)| AckedWrite { record: r, end }))
        .collect()
}

/// The newest write to one of the read's tables, acknowledged before the read began, that the
/// read's node had not replayed — preferring the session's own (a read-your-writes violation).
fn missed_write(read: &OpRecord, writes: &[AckedWrite<'_>], cluster: &Cluster) -> Option<Finding> {
    let missed = |own: bool| {
        writes
            .iter()
            .filter(|w| !on_other_branch(w.record, read, cluster))
            .filter(|w| {
                w.record.done_ms < read.sent_ms
                    || (w.record.done_ms == read.sent_ms && w.record.id < read.id)
            })
            .filter(|w| (w.record.session == read.session) == own)
            .filter(|w| !had_replayed(read, w, cluster) && !lost_before(read, w, cluster))
            .filter(|w| shares_table(w.record, read))
            .max_by_key(|w| (w.record.timeline, w.end))
    };
    let (write, anomaly) = match (missed(true), missed(false)) {
        (Some(w), _) => (w, Anomaly::ReadYourWrites),
        (None, Some(w)) => (w, Anomaly::StaleRead),
        (None, None) => return None,
    };
    let who = if anomaly == Anomaly::ReadYourWrites { "the same session" } else { "session" };
    let because = vec![
        format!(
            "#{} {} ({}) committed at {} on {} and was acknowledged at {}",
            write.record.id,
            quote(write.record.sql()),
            write.record.session,
            write.end,
            write.record.node,
            format_millis(write.record.done_ms)
        ),
        if read.timeline == write.record.timeline {
            read_fact(read, who)
        } else {
            timeline_fact(read, who, write, cluster)
        },
    ];
    Some(Finding { anomaly, ops: vec![write.record.id, read.id], because })
}

/// Whether the node a read ran on had the write: it had replayed past the write's commit, on a
/// history that includes it. A node still on an older timeline than the write's cannot have
/// it, however far its WAL goes (past the fork it is the old primary's WAL); a node on a newer
/// timeline has it only if the write ended before its history branched off.
fn had_replayed(read: &OpRecord, write: &AckedWrite<'_>, cluster: &Cluster) -> bool {
    cluster.history_includes(read.timeline, read.node_lsn, write.record.timeline, write.end)
}

/// Whether the read ran on a newer history that had already left the write behind: the write
/// is lost there (reported as a lost write), not merely not yet replayed.
fn lost_before(read: &OpRecord, write: &AckedWrite<'_>, cluster: &Cluster) -> bool {
    read.timeline > write.record.timeline
        && cluster
            .timeline_fork(read.timeline, write.record.timeline)
            .is_none_or(|fork| fork.is_some_and(|at| write.end > at))
}

/// Where a read's source stood, when a timeline is why it could not have a write.
fn timeline_fact(read: &OpRecord, who: &str, write: &AckedWrite<'_>, cluster: &Cluster) -> String {
    let source = match read.cached_at_ms() {
        Some(stored_ms) => format!(
            "was answered by the read cache with what {} returned at {}",
            read.node,
            format_millis(stored_ms)
        ),
        None => format!("ran on {}", read.node),
    };
    let write_timeline = write.record.timeline;
    let why = match cluster.timeline_fork(read.timeline, write_timeline) {
        Some(Some(fork)) if read.timeline > write_timeline => format!(
            "its history left timeline {write_timeline} at {fork}, before the write ended at {}",
            write.end
        ),
        _ => format!(
            "it had not yet followed the new primary onto timeline {write_timeline}, so it could not have the write"
        ),
    };
    format!(
        "#{} {} ({who} {}) began at {} and {source}, which was {} timeline {} at {}: {why}",
        read.id,
        quote(read.sql()),
        read.session,
        format_millis(read.sent_ms),
        if read.timeline < write_timeline { "still on" } else { "on" },
        read.timeline,
        read.node_lsn
    )
}

/// Whether a write and a read ran on histories that split apart: one of them ran on an old
/// primary after a newer timeline began (split brain), on another node. Positions on two
/// branches cannot be compared; such writes are reported as split-brain and lost writes.
fn on_other_branch(write: &OpRecord, read: &OpRecord, cluster: &Cluster) -> bool {
    let stale_primary = |r: &OpRecord| {
        r.role == Role::Primary && cluster.newer_timeline_before(r.timeline, r.done_ms).is_some()
    };
    write.node != read.node && (stale_primary(write) || stale_primary(read))
}

/// Where a read got its answer and how far that source had replayed.
fn read_fact(read: &OpRecord, who: &str) -> String {
    let rows = read.answer();
    match read.cached_at_ms() {
        Some(stored_ms) => format!(
            "#{} {} ({who} {}) began at {} and was answered by the read cache with what {} returned at {}, when it had replayed only to {}: {rows}",
            read.id,
            quote(read.sql()),
            read.session,
            format_millis(read.sent_ms),
            read.node,
            format_millis(stored_ms),
            read.node_lsn
        ),
        None => format!(
            "#{} {} ({who} {}) began at {} on {}, which had replayed only to {}: {} returned {rows}",
            read.id,
            quote(read.sql()),
            read.session,
            format_millis(read.sent_ms),
            read.node,
            read.node_lsn,
            read.node
        ),
    }
}

/// A session's read from a node behind an earlier read of the same table, with a write in
/// between that the later read could not see.
fn went_back(
    earlier: &OpRecord,
    later: &OpRecord,
    table: &str,
    writes: &[AckedWrite<'_>],
    cluster: &Cluster,
) -> Option<Finding> {
    let between = writes
        .iter()
        .filter(|w| !on_other_branch(w.record, earlier, cluster))
        .filter(|w| had_replayed(earlier, w, cluster) && !had_replayed(later, w, cluster))
        .find(|w| w.record.tables().iter().any(|t| t == table))?;
    let where_later = if later.timeline < between.record.timeline {
        format!("which was still on timeline {} at {}", later.timeline, later.node_lsn)
    } else if later.timeline > between.record.timeline && between.end <= later.node_lsn {
        format!("whose history (timeline {}) does not include that commit", later.timeline)
    } else {
        format!("which had replayed only to {}", later.node_lsn)
    };
    let because = vec![
        format!(
            "#{} {} read {table} on {} at {}, which had replayed up to {}",
            earlier.id,
            quote(earlier.sql()),
            earlier.node,
            format_millis(earlier.sent_ms),
            earlier.node_lsn
        ),
        format!(
            "#{} ({}) wrote {table}, committing at {}: the first read saw it",
            between.record.id, between.record.session, between.end
        ),
        format!(
            "#{} in the same session read {table} on {} at {}, {where_later}: it went back in time",
            later.id,
            later.node,
            format_millis(later.sent_ms),
        ),
    ];
    Some(Finding {
        anomaly: Anomaly::MonotonicRead,
        ops: vec![earlier.id, between.record.id, later.id],
        because,
    })
}

fn refused(record: &OpRecord) -> Finding {
    Finding {
        anomaly: Anomaly::RefusedWrite,
        ops: vec![record.id],
        because: vec![format!(
            "#{} {} ({}) was sent to {}, a read-only standby, at {}: {}",
            record.id,
            quote(record.sql()),
            record.session,
            record.node,
            format_millis(record.sent_ms),
            record.error().unwrap_or_default()
        )],
    }
}

/// A write acknowledged on a timeline after a newer timeline had begun: the old primary was
/// still taking writes while another node was primary.
fn split_brain_write(record: &OpRecord, cluster: &Cluster) -> Option<Finding> {
    if record.kind != OpKind::Write || record.error().is_some() {
        return None;
    }
    let (timeline, started_ms) = cluster.newer_timeline_before(record.timeline, record.done_ms)?;
    let because = vec![
        format!(
            "#{} {} ({}) was acknowledged by {} on timeline {} at {}",
            record.id,
            quote(record.sql()),
            record.session,
            record.node,
            record.timeline,
            format_millis(record.done_ms)
        ),
        format!(
            "timeline {timeline} had begun at {}, when another node was promoted: two primaries were taking writes",
            format_millis(started_ms)
        ),
    ];
    Some(Finding { anomaly: Anomaly::SplitBrainWrite, ops: vec![record.id], because })
}

/// Acknowledged commits that the primary's history no longer holds.
fn lost_writes(history: &History, cluster: &Cluster) -> Vec<Finding> {
    let primary = cluster.node(cluster.primary());
    cluster
        .acknowledged()
        .iter()
        .filter(|ack| {
            primary.wal.end() < ack.end
                || (primary.wal.remembers(ack.end)
                    && primary.wal.chain_at(ack.end) != Some(ack.chain))
        })
        .map(|ack| {
            // Two primaries of a split brain may commit the same xid at the same LSN: the
            // timeline says which statement this was.
            let record = history
                .records()
                .find(|r| r.commit == Some((ack.xid, ack.end)) && r.timeline == ack.timeline);
            let what = record.map_or("a write".to_string(), |r| {
                format!("#{} {} ({})", r.id, quote(r.sql()), r.session)
            });
            let durability = if ack.mode == SyncCommit::Off {
                "synchronous_commit = off: acknowledged before its WAL was flushed".to_string()
            } else if !ack.confirmed_by_standby {
                format!(
                    "synchronous_commit = {} with no synchronous standby: acknowledged once flushed on the primary alone",
                    ack.mode
                )
            } else {
                format!("synchronous_commit = {}, confirmed by a synchronous standby", ack.mode)
            };
            Finding {
                anomaly: Anomaly::LostWrite,
                ops: vec![record.map_or(0, |r| r.id)],
                because: vec![
                    format!(
                        "{what} was acknowledged at {} as xid {} ending at {} ({durability})",
                        format_millis(ack.at_ms),
                        ack.xid,
                        ack.end
                    ),
                    if primary.wal.end() >= ack.end {
                        format!(
                            "{} (timeline {}) holds a different history up to {}: it never had this transaction",
                            primary.id,
                            primary.timeline,
                            ack.end
                        )
                    } else {
                        format!(
                            "{} now ends at {} and does not have it",
                            primary.id,
                            primary.wal.end()
                        )
                    },
                ],
            }
        })
        .collect()
}

fn shares_table(a: &OpRecord, b: &OpRecord) -> bool {
    a.tables().iter().any(|t| b.tables().contains(t))
}

fn quote(sql: &str) -> String {
    let short: String = sql.chars().take(60).collect();
    if short.len() < sql.len() {
        format!("`{short}…`")
    } else {
        format!("`{short}`")
    }
}
