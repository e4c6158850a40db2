//! The agenda: what is due to happen, as two kinds of thing.
//!
//! - **Messages on the wire** between two nodes: WAL records going down a link, a standby's
//!   status report coming up, a replication connection request and its answer. Each has a
//!   sender, a receiver, a size, when it was sent and when it arrives, so
//!   [`Cluster::in_flight_numbered`](super::Cluster::in_flight_numbered) can say what is travelling right now
//!   (the page draws it).
//! - **Named timers**: one per purpose and subject (a node's next free core, an op's statement
//!   finishing, the next health check). Setting a timer that is already set moves it:
//!   rescheduling replaces, so nothing ever searches the queue for duplicates.
//!
//! Both fire in one order: by time, then by when they were put on the agenda. Nothing is ever
//! scheduled in the past.
//!
//! ```text
//!   wire:    (arrives 1.5s, #41) pg1 → pg2  WAL xid 7..8, 212 bytes
//!            (arrives 1.6s, #44) pg3 → pg1  feedback write 0/30001E2 replay 0/3000178
//!   timers:  (2s, #45) HealthCheck    (1.7s, #43) Pump(pg2)    (1.5s, #40) StatementDone(op 9)
//!   next:    the smallest (time, #) of both
//! ```

use std::rc::Rc;

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

use super::super::wal::{Lsn, WalRecord};
use super::super::{Millis, NodeId};
use super::OpId;

/// Bytes of a standby status update (PostgreSQL's `r` message: three LSNs, a time, a flag).
pub const FEEDBACK_BYTES: u64 = 34;
/// Bytes of a `START_REPLICATION` request, roughly.
pub const CONNECT_REQUEST_BYTES: u64 = 48;
/// Bytes of the primary's answer to it, roughly.
pub const CONNECT_ANSWER_BYTES: u64 = 24;

/// A message travelling between two nodes.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub from: NodeId,
    pub to: NodeId,
    /// The replication connection it belongs to: a message of an older connection is dropped
    /// on arrival.
    pub conn: u64,
    pub sent_ms: Millis,
    pub arrives_ms: Millis,
    pub payload: Payload,
}

/// What a message carries.
#[derive(Clone, Debug, PartialEq)]
pub enum Payload {
    /// WAL records, primary → replica.
    Wal { records: Vec<Rc<WalRecord>> },
    /// A standby's status update, replica → primary: what it has written and replayed.
    Feedback { write: Lsn, replay: Lsn },
    /// A replica asks to stream from `from`, where its history's digest is `chain`.
    ConnectRequest { from: Lsn, chain: u64 },
    /// The primary's answer to a connection request.
    ConnectAnswer { answer: Answer },
}

/// What a replica hears back when it asks to stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Streaming starts from the position asked for.
    Accepted,
    /// The WAL asked for is recycled; the oldest kept starts at `oldest`.
    WalRemoved { oldest: Lsn },
    /// The replica's history diverged from the primary's (it is on an old timeline).
    Diverged,
}

impl Message {
    /// Bytes on the wire.
    pub fn bytes(&self) -> u64 {
        match &self.payload {
            Payload::Wal { records } => records.iter().map(|r| r.end.bytes_since(r.start())).sum(),
            Payload::Feedback { .. } => FEEDBACK_BYTES,
            Payload::ConnectRequest { .. } => CONNECT_REQUEST_BYTES,
            Payload::ConnectAnswer { .. } => CONNECT_ANSWER_BYTES,
        }
    }

    /// What it is, in a word: `wal`, `feedback`, `connect`, `answer`.
    pub fn kind(&self) -> &'static str {
        match self.payload {
            Payload::Wal { .. } => "wal",
            Payload::Feedback { .. } => "feedback",
            Payload::ConnectRequest { .. } => "connect",
            Payload::ConnectAnswer { .. } => "answer",
        }
    }
}

/// A named timer: one per purpose and subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timer {
    /// A node's next core frees up: it may start queued work.
    Pump(NodeId),
    /// An op's statement finishes its CPU work (and local flush).
    StatementDone(OpId),
    /// A replay job finishes on a replica.
    ReplayDone(NodeId),
    /// A replica's next record becomes due for replay (apply delay).
    ReplayWake(NodeId),
    /// A disconnected replica tries to connect.
    ConnectRetry(NodeId),
    /// A replica's connection attempt has waited long enough for an answer.
    ConnectTimeout(NodeId),
    /// The WAL writer flushes (only while unflushed WAL exists).
    WalWriter(NodeId),
    /// Crash recovery is over.
    Started(NodeId),
    /// A base backup is complete.
    BackupDone(NodeId),
    /// A semi-sync commit waited `rpl_semi_sync_source_timeout`.
    SemiSyncTimeout(OpId),
    /// A read waiting for a replica to replay its session's last commit gives up.
    RouteTimeout(OpId),
    /// Metrics sampling, walsender timeouts, checkpoints.
    Housekeeping,
    /// The load generator's next request.
    LoadArrival,
    /// The load generator's archiver deletes old orders.
    LoadArchive,
    /// The failover manager checks the primary.
    HealthCheck,
}

/// Something that fell due.
#[derive(Clone, Debug, PartialEq)]
pub enum Due {
    Arrival(Message),
    Timer(Timer),
}

/// When something is due and when it was put on the agenda: the order things fire in.
type Key = (Millis, u64);

/// Messages on the wire and named timers, fired in (time, order put on the agenda) order.
///
/// Both are binary heaps (smallest key on top). A timer that is moved or cancelled leaves its
/// old entry in the heap, stale: [`Agenda::timer_keys`] holds each set timer's one live key,
/// and stale entries are skipped when they come up. Keys are unique, so the order is exactly
/// that of a sorted map.
#[derive(Clone, Debug, Default)]
pub struct Agenda {
    /// Shared with snapshots of the cluster: a second of messages is on the wire at the
    /// default link delay, and a snapshot copies one pointer for each.
    wire: BinaryHeap<Reverse<(Key, WireEntry)>>,
    timers: BinaryHeap<Reverse<(Key, Timer)>>,
    timer_keys: BTreeMap<Timer, Key>,
    next_seq: u64,
}

/// A message in the wire's heap, ordered by its key alone (keys are unique).
#[derive(Clone, Debug)]
struct WireEntry(Rc<Message>);

impl PartialEq for WireEntry {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for WireEntry {}

impl PartialOrd for WireEntry {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for WireEntry {
    fn cmp(&self, _: &Self) -> std::cmp::Ordering {
        std::cmp::Ordering::Equal
    }
}

impl Agenda {
    /// Puts a message on the wire.
    pub fn send(&mut self, now_ms: Millis, message: Message) {
        assert!(message.sent_ms == now_ms, "a message is sent now");
        assert!(message.arrives_ms >= now_ms, "a message never arrives before it is sent");
        let key = (message.arrives_ms, self.seq());
        self.wire.push(Reverse((key, WireEntry(Rc::new(message)))));
    }

    /// Sets `timer` to fire at `at_ms`, replacing where it was set before (unchanged if it was
    /// already set for that very time).
    pub fn set_timer(&mut self, now_ms: Millis, timer: Timer, at_ms: Millis) {
        assert!(at_ms >= now_ms, "{timer:?} scheduled in the past: {at_ms} < {now_ms}");
        if self.timer_keys.get(&timer).is_some_and(|(t, _)| *t == at_ms) {
            return;
        }
        let key = (at_ms, self.seq());
        self.timers.push(Reverse((key, timer)));
        self.timer_keys.insert(timer, key);
    }

    /// Unsets a timer (nothing happens if it was not set).
    pub fn cancel_timer(&mut self, timer: Timer) {
        self.timer_keys.remove(&timer);
    }

    /// When a timer will fire, if it is set.
    pub fn timer_at(&self, timer: Timer) -> Option<Millis> {
        self.timer_keys.get(&timer).map(|(t, _)| *t)
    }

    /// Whether a timer entry is the timer's live one (not moved or cancelled since).
    fn is_live(&self, key: Key, timer: Timer) -> bool {
        self.timer_keys.get(&timer) == Some(&key)
    }

    /// Drops stale timer entries from the top of the heap.
    fn drop_stale_timers(&mut self) {
        while let Some(Reverse((key, timer))) = self.timers.peek() {
            if self.is_live(*key, *timer) {
                return;
            }
            self.timers.pop();
        }
    }

    /// Takes the next thing due at or before `until_ms`, with its time.
    pub fn pop_due(&mut self, until_ms: Millis) -> Option<(Millis, Due)> {
        self.drop_stale_timers();
        let wire = self.wire.peek().map(|Reverse((key, _))| *key);
        let timer = self.timers.peek().map(|Reverse((key, _))| *key);
        let next = match (wire, timer) {
            (Some(w), Some(t)) => w.min(t),
            (Some(w), None) => w,
            (None, Some(t)) => t,
            (None, None) => return None,
        };
        if next.0 > until_ms {
            return None;
        }
        if Some(next) == wire {
            let Reverse((_, WireEntry(message))) = self.wire.pop().expect("just seen");
            return Some((next.0, Due::Arrival(Rc::unwrap_or_clone(message))));
        }
        let Reverse((_, timer)) = self.timers.pop().expect("just seen");
        self.timer_keys.remove(&timer);
        Some((next.0, Due::Timer(timer)))
    }

    /// When the next thing is due.
    pub fn next_at(&self) -> Option<Millis> {
        let wire = self.wire.peek().map(|Reverse((key, _))| key.0);
        let timer = self.timer_keys.values().map(|key| key.0).min();
        wire.into_iter().chain(timer).min()
    }

    /// Messages on the wire, by arrival (for tests: the page needs no order).
    #[cfg(test)]
    pub fn in_flight(&self) -> impl Iterator<Item = &Message> {
        let mut wire: Vec<&(Key, WireEntry)> = self.wire.iter().map(|Reverse(e)| e).collect();
        wire.sort_unstable_by_key(|(key, _)| *key);
        wire.into_iter().map(|(_, WireEntry(message))| message.as_ref())
    }

    /// Messages on the wire in no particular order (the page draws thousands a frame: sorting
    /// them all would be wasted), each with the number it was put on the agenda with: unique
    /// in the run, so a drawing can follow one message from frame to frame.
    pub fn in_flight_numbered(&self) -> impl Iterator<Item = (u64, &Message)> {
        self.wire
            .iter()
            .map(|Reverse(((_, number), WireEntry(message)))| (*number, message.as_ref()))
    }

    fn seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feedback(sent_ms: Millis, arrives_ms: Millis) -> Message {
        let payload = Payload::Feedback { write: Lsn::START, replay: Lsn::START };
        Message { from: NodeId(1), to: NodeId(0), conn: 1, sent_ms, arrives_ms, payload }
    }

    #[test]
    fn messages_and_timers_fire_in_time_then_insertion_order() {
        let mut agenda = Agenda::default();
        agenda.set_timer(0, Timer::Housekeeping, 10);
        agenda.send(0, feedback(0, 5));
        agenda.set_timer(0, Timer::Pump(NodeId(1)), 5);
        let order: Vec<(Millis, Due)> = std::iter::from_fn(|| agenda.pop_due(100)).collect();
        assert_eq!(order.len(), 3);
        assert!(matches!(order[0], (5, Due::Arrival(_))));
        assert_eq!(order[1], (5, Due::Timer(Timer::Pump(NodeId(1)))));
        assert_eq!(order[2], (10, Due::Timer(Timer::Housekeeping)));
    }

    #[test]
    fn rescheduling_a_timer_replaces_it() {
        let mut agenda = Agenda::default();
        agenda.set_timer(0, Timer::HealthCheck, 10);
        agenda.set_timer(0, Timer::HealthCheck, 30);
        assert_eq!(agenda.timer_at(Timer::HealthCheck), Some(30));
        assert_eq!(agenda.pop_due(20), None);
        assert_eq!(agenda.pop_due(30), Some((30, Due::Timer(Timer::HealthCheck))));
        assert_eq!(agenda.pop_due(100), None);
        agenda.set_timer(0, Timer::LoadArrival, 40);
        agenda.cancel_timer(Timer::LoadArrival);
        assert_eq!(agenda.next_at(), None);
    }

    #[test]
    fn the_wire_lists_by_arrival_and_moved_timers_fire_once() {
        let mut agenda = Agenda::default();
        agenda.send(0, feedback(0, 9));
        agenda.send(0, feedback(0, 3));
        agenda.send(0, feedback(0, 6));
        let arrivals: Vec<Millis> = agenda.in_flight().map(|m| m.arrives_ms).collect();
        assert_eq!(arrivals, [3, 6, 9]);
        // Moved back and forth: only the last setting fires, once.
        agenda.set_timer(0, Timer::HealthCheck, 4);
        agenda.set_timer(0, Timer::HealthCheck, 8);
        agenda.set_timer(0, Timer::HealthCheck, 5);
        assert_eq!(agenda.next_at(), Some(3));
        let fired: Vec<(Millis, Due)> = std::iter::from_fn(|| agenda.pop_due(100)).collect();
        let timers: Vec<Millis> =
            fired.iter().filter(|(_, d)| matches!(d, Due::Timer(_))).map(|(t, _)| *t).collect();
        assert_eq!(timers, [5]);
        let times: Vec<Millis> = fired.iter().map(|(t, _)| *t).collect();
        assert_eq!(times, [3, 5, 6, 9]);
        assert_eq!(agenda.next_at(), None);
    }

    #[test]
    fn the_wire_lists_what_travels() {
        let mut agenda = Agenda::default();
        agenda.send(0, feedback(0, 7));
        let listed: Vec<&Message> = agenda.in_flight().collect();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].bytes(), FEEDBACK_BYTES);
        assert_eq!(listed[0].kind(), "feedback");
    }

    #[test]
    #[should_panic(expected = "scheduled in the past")]
    fn nothing_is_scheduled_in_the_past() {
        let mut agenda = Agenda::default();
        agenda.set_timer(10, Timer::Housekeeping, 5);
    }
}
