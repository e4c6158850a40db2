//! # The history: every client operation, as a checker needs it
//!
//! Each answered statement becomes one [`OpRecord`]: who ran it (session), where (node), when
//! it was sent and answered, what it read or wrote (tables), how far the node had replayed
//! when it ran, and — for a write — the commit's WAL position. Jepsen-style checkers work on
//! exactly this: a history of invocations and completions. The log keeps the newest
//! [`HISTORY_CAPACITY`] records (memory stays bounded).

use std::rc::Rc;

use super::shared::SharedDeque;

use super::node::Role;
use super::sql::Source;
use super::wal::Lsn;
use super::{Millis, NodeId};

/// Records kept.
pub const HISTORY_CAPACITY: usize = 20_000;

/// What a statement did, for the checker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpKind {
    /// A SELECT.
    Read,
    /// A statement that committed changes (autocommit, or a COMMIT).
    Write,
    /// Anything else: DDL without data, BEGIN, a failed statement, ...
    Other,
}

/// One answered statement. Kept small (the history holds 20 000 of them, and a rewind's
/// snapshots each keep the ones answered since the snapshot before): the text and tables are
/// the statement's own, shared, and what few answers have is boxed apart.
#[derive(Clone, Debug, PartialEq)]
pub struct OpRecord {
    /// Position in the history (1, 2, ...), the id findings refer to.
    pub id: u64,
    pub session: Rc<str>,
    pub node: NodeId,
    pub role: Role,
    pub kind: OpKind,
    /// The statement's text and the tables it names (read through [`OpRecord::sql`] and
    /// [`OpRecord::tables`]).
    pub(crate) source: Rc<Source>,
    pub sent_ms: Millis,
    pub done_ms: Millis,
    /// How far the node had replayed (a primary: its WAL end) when the statement ran.
    pub node_lsn: Lsn,
    /// For a write: its transaction id and where its commit record ends.
    pub commit: Option<(u64, Lsn)>,
    /// Rows a read returned.
    pub rows: u32,
    /// The node's timeline when the statement ran (for a cached answer: when it was stored).
    pub timeline: u64,
    /// What few answers have ([`Unusual::boxed`]), read through the methods below.
    pub(crate) unusual: Option<Box<Unusual>>,
}

/// What few answers have: a single value, an error, or an answer from the read cache.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Unusual {
    /// What it returned when that was one value, briefly: `count = 0` (see [`OpRecord::answer`]).
    pub value: Option<Box<str>>,
    /// The error, if the statement failed.
    pub error: Option<Box<str>>,
    /// The failure was a write refused by a read-only standby.
    pub refused_read_only: bool,
    /// Answered by the read cache: when the answer was stored (the record's `node` and
    /// `node_lsn` are the node that produced it and how far it had replayed).
    pub cached_at_ms: Option<Millis>,
}

impl Unusual {
    /// Boxed, or nothing when there is nothing unusual (most answers).
    pub fn boxed(self) -> Option<Box<Unusual>> {
        (self != Unusual::default()).then(|| Box::new(self))
    }
}

impl OpRecord {
    /// The statement as the session sent it.
    pub fn sql(&self) -> &str {
        &self.source.text
    }

    /// Tables the statement names.
    pub fn tables(&self) -> &[String] {
        &self.source.tables
    }

    /// The error, if the statement failed.
    pub fn error(&self) -> Option<&str> {
        self.unusual.as_ref()?.error.as_deref()
    }

    /// The failure was a write refused by a read-only standby.
    pub fn refused_read_only(&self) -> bool {
        self.unusual.as_ref().is_some_and(|u| u.refused_read_only)
    }

    /// Answered by the read cache: when the answer was stored.
    pub fn cached_at_ms(&self) -> Option<Millis> {
        self.unusual.as_ref()?.cached_at_ms
    }

    /// What it returned, briefly: `count = 0` for one value, else `3 rows`.
    pub fn answer(&self) -> String {
        match self.unusual.as_ref().and_then(|u| u.value.as_ref()) {
            Some(value) => value.to_string(),
            None => format!("{} row{}", self.rows, if self.rows == 1 { "" } else { "s" }),
        }
    }
}

/// The bounded history.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// Shared with the cluster's snapshots, chunk by chunk.
    records: SharedDeque<OpRecord>,
    next_id: u64,
}

impl History {
    /// Appends a record, giving it the next id; drops the oldest beyond capacity.
    pub fn push(&mut self, mut record: OpRecord) -> u64 {
        self.next_id += 1;
        record.id = self.next_id;
        if self.records.len() == HISTORY_CAPACITY {
            self.records.drop_front(1);
        }
        self.records.push_back(record);
        self.next_id
    }

    /// How many records were ever pushed (kept or dropped).
    pub fn total(&self) -> u64 {
        self.next_id
    }

    /// Kept records, oldest first.
    pub fn records(&self) -> impl DoubleEndedIterator<Item = &OpRecord> + ExactSizeIterator {
        self.records.iter()
    }

    /// One record by id, while kept.
    pub fn get(&self, id: u64) -> Option<&OpRecord> {
        let first = self.records.front()?.id;
        self.records.get(id.checked_sub(first)? as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(session: &str, rows: u32, value: Option<&str>) -> OpRecord {
        OpRecord {
            id: 0,
            session: session.into(),
            node: NodeId(0),
            role: Role::Primary,
            kind: OpKind::Read,
            source: Rc::new(Source { text: "SELECT 1".into(), tables: Rc::from([]) }),
            sent_ms: 0,
            done_ms: 0,
            node_lsn: Lsn::START,
            commit: None,
            rows,
            timeline: 1,
            unusual: Unusual { value: value.map(Into::into), ..Unusual::default() }.boxed(),
        }
    }

    #[test]
    fn records_say_their_answer_briefly() {
        let mut history = History::default();
        history.push(record("alice", 3, None));
        history.push(record("load-1", 1, Some("count = 0")));
        let kept: Vec<String> = history.records().map(OpRecord::answer).collect();
        assert_eq!(kept, ["3 rows", "count = 0"]);
        assert_eq!(record("alice", 0, None).answer(), "0 rows");
        assert_eq!(record("x", 1, None).answer(), "1 row");
    }
}
