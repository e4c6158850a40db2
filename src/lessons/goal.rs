//! # Goals: what a "try this" step waits for, read from the run
//!
//! A [`Goal`] is one line of a lesson file (`goal: crashed primary`). It parses from and
//! prints to that line, and [`Goal::met`] decides it from the run alone — the typed events,
//! the history of statements and the recorded inputs since the step began — so a step turns
//! green whether the learner clicked, typed a script line or pressed "Show me", and the same
//! check runs natively in the lessons' tests.

use std::fmt;
use std::str::FromStr;

use crate::engine::checker::{self, Anomaly};
use crate::engine::cluster::is_load_session;
use crate::engine::command::parse::{duration, print_millis};
use crate::engine::command::RywStrategy;
use crate::engine::event::EventKind;
use crate::engine::history::{History, OpKind, OpRecord};
use crate::engine::node::{NodeState, Role};
use crate::engine::recording::Run;
use crate::engine::scenario::strategy_of;
use crate::engine::{Cluster, Error, Millis};

/// The anomaly checker looks back this far before a step began (a read in the step may miss a
/// write made just before it).
const CHECK_LOOKBACK_MS: Millis = 60_000;

/// The anomalies a goal can name, with their names in lesson files.
const ANOMALIES: [(Anomaly, &str); 6] = [
    (Anomaly::StaleRead, "stale-read"),
    (Anomaly::ReadYourWrites, "read-your-writes"),
    (Anomaly::MonotonicRead, "monotonic-read"),
    (Anomaly::LostWrite, "lost-write"),
    (Anomaly::RefusedWrite, "refused-write"),
    (Anomaly::SplitBrainWrite, "split-brain-write"),
];

/// The read-after-write strategies by their script names.
const STRATEGIES: [(RywStrategy, &str); 5] = [
    (RywStrategy::None, "none"),
    (RywStrategy::Primary, "primary"),
    (RywStrategy::Sticky, "sticky"),
    (RywStrategy::Lsn, "lsn"),
    (RywStrategy::Sync, "sync"),
];

/// What a step waits for.
#[derive(Clone, Debug, PartialEq)]
pub enum Goal {
    /// `did WORD…`: an input whose script line has every word (`key=` matches any value).
    Did(Vec<String>),
    /// `sql TEXT`: a statement that succeeded and whose text contains TEXT (any case).
    Sql(String),
    /// `read`, `write on primary`, `read on replica with TEXT`: a statement that succeeded
    /// (on a node of that role, its text containing TEXT in any case).
    Op { write: bool, on: Option<Role>, text: Option<String> },
    /// `crashed primary`: a primary stopped.
    CrashedPrimary,
    /// `promoted`: a replica became the primary.
    Promoted,
    /// `endpoint moved`: the primary's DNS name points somewhere new.
    EndpointMoved,
    /// `anomaly NAME`: the history checker finds it among the learner's statements of the step.
    Anomaly(Anomaly),
    /// `fresh own read [ryw=STRATEGY]`: a learner's session read a table right after writing
    /// it and saw its write (following that strategy now).
    FreshOwnRead(Option<RywStrategy>),
    /// `replicated`: every running replica has replayed a write made in the step.
    Replicated,
    /// `replicas N`: at least N replicas are running.
    Replicas(usize),
    /// `load N`: the load generator runs at N or more statements per second.
    LoadRate(u64),
    /// `commit waited DUR`: a commit was acknowledged only after waiting that long.
    SlowCommit(Millis),
}

impl FromStr for Goal {
    type Err = Error;

    fn from_str(line: &str) -> Result<Self, Error> {
        let line = line.trim();
        let (verb, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let rest = rest.trim();
        let goal = match (verb, rest) {
            ("did", words) if !words.is_empty() => {
                Goal::Did(words.split_whitespace().map(str::to_string).collect())
            }
            ("sql", text) if !text.is_empty() => Goal::Sql(text.to_string()),
            ("read" | "write", rest) => {
                let (on, text) = match rest.split_once("with ") {
                    Some((on, text)) if !text.trim().is_empty() => (on.trim(), Some(text.trim())),
                    _ => (rest, None),
                };
                Goal::Op { write: verb == "write", on: role(on)?, text: text.map(str::to_string) }
            }
            ("crashed", "primary") => Goal::CrashedPrimary,
            ("promoted", "") => Goal::Promoted,
            ("endpoint", "moved") => Goal::EndpointMoved,
            ("anomaly", name) => Goal::Anomaly(anomaly(name)?),
            ("fresh", rest) => fresh_own_read(rest)?,
            ("replicated", "") => Goal::Replicated,
            ("replicas", n) => Goal::Replicas(number(n)? as usize),
            ("load", n) => Goal::LoadRate(number(n)?),
            ("commit", rest) => match rest.strip_prefix("waited ") {
                Some(dur) => Goal::SlowCommit(duration("commit waited", dur.trim())?),
                None => return Err(unknown(line)),
            },
            _ => return Err(unknown(line)),
        };
        Ok(goal)
    }
}

fn unknown(line: &str) -> Error {
    Error::invalid(format!(
        "unknown goal \"{line}\": expected did, sql, read, write, crashed primary, promoted, endpoint moved, anomaly, fresh own read, replicated, replicas, load or commit waited"
    ))
}

fn role(on: &str) -> Result<Option<Role>, Error> {
    match on {
        "" => Ok(None),
        "on primary" => Ok(Some(Role::Primary)),
        "on replica" => Ok(Some(Role::Replica)),
        other => Err(Error::invalid(format!(
            "expected \"on primary\" or \"on replica\", got \"{other}\""
        ))),
    }
}

fn anomaly(name: &str) -> Result<Anomaly, Error> {
    let found = ANOMALIES.iter().find(|(_, n)| *n == name).map(|(a, _)| *a);
    found.ok_or_else(|| {
        let names: Vec<&str> = ANOMALIES.iter().map(|(_, n)| *n).collect();
        Error::invalid(format!("unknown anomaly \"{name}\": expected {}", names.join(", ")))
    })
}

fn anomaly_name(anomaly: Anomaly) -> &'static str {
    ANOMALIES.iter().find(|(a, _)| *a == anomaly).map_or("?", |(_, n)| n)
}

fn fresh_own_read(rest: &str) -> Result<Goal, Error> {
    let Some(strategy) = rest.strip_prefix("own read") else { return Err(unknown(rest)) };
    let strategy = match strategy.trim().strip_prefix("ryw=") {
        None if strategy.trim().is_empty() => None,
        None => return Err(unknown(rest)),
        Some(name) => Some(
            STRATEGIES
                .iter()
                .find(|(_, n)| *n == name)
                .map(|(s, _)| *s)
                .ok_or_else(|| Error::invalid(format!("unknown strategy \"{name}\"")))?,
        ),
    };
    Ok(Goal::FreshOwnRead(strategy))
}

fn number(text: &str) -> Result<u64, Error> {
    text.parse().map_err(|_| Error::invalid(format!("expected a number, got \"{text}\"")))
}

impl fmt::Display for Goal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Goal::Did(words) => write!(f, "did {}", words.join(" ")),
            Goal::Sql(text) => write!(f, "sql {text}"),
            Goal::Op { write, on, text } => {
                f.write_str(if *write { "write" } else { "read" })?;
                match on {
                    Some(Role::Primary) => f.write_str(" on primary")?,
                    Some(Role::Replica) => f.write_str(" on replica")?,
                    None => {}
                }
                text.as_ref().map_or(Ok(()), |text| write!(f, " with {text}"))
            }
            Goal::CrashedPrimary => f.write_str("crashed primary"),
            Goal::Promoted => f.write_str("promoted"),
            Goal::EndpointMoved => f.write_str("endpoint moved"),
            Goal::Anomaly(anomaly) => write!(f, "anomaly {}", anomaly_name(*anomaly)),
            Goal::FreshOwnRead(None) => f.write_str("fresh own read"),
            Goal::FreshOwnRead(Some(strategy)) => {
                let name = STRATEGIES.iter().find(|(s, _)| s == strategy).map_or("?", |(_, n)| n);
                write!(f, "fresh own read ryw={name}")
            }
            Goal::Replicated => f.write_str("replicated"),
            Goal::Replicas(n) => write!(f, "replicas {n}"),
            Goal::LoadRate(n) => write!(f, "load {n}"),
            Goal::SlowCommit(ms) => write!(f, "commit waited {}", print_millis(*ms)),
        }
    }
}

impl Goal {
    /// Whether the run has done it since `since_ms`.
    pub fn met(&self, run: &Run, since_ms: Millis) -> bool {
        let cluster = run.cluster();
        let events = || cluster.events().iter().filter(move |e| e.at_ms >= since_ms);
        let ops = || answered_since(cluster.history(), since_ms);
        match self {
            Goal::Did(words) => run
                .recording()
                .inputs
                .iter()
                .filter(|i| i.at_ms >= since_ms && i.at_ms <= run.now_ms())
                .any(|i| has_words(&i.command.to_string(), words)),
            Goal::Sql(text) => ops().any(|op| contains(op.sql(), text)),
            Goal::Op { write, on, text } => ops().any(|op| {
                let kind = if *write { OpKind::Write } else { OpKind::Read };
                op.kind == kind
                    && on.is_none_or(|role| op.role == role)
                    && text.as_ref().is_none_or(|text| contains(op.sql(), text))
            }),
            Goal::CrashedPrimary => events().any(|e| match e.kind {
                EventKind::Crashed { node, .. } => cluster.node(node).role == Role::Primary,
                _ => false,
            }),
            Goal::Promoted => events().any(|e| matches!(e.kind, EventKind::Promoted { .. })),
            Goal::EndpointMoved => {
                events().any(|e| matches!(e.kind, EventKind::EndpointMoved { .. }))
            }
            Goal::Anomaly(anomaly) => found(cluster, *anomaly, since_ms),
            Goal::FreshOwnRead(strategy) => {
                let following = |session: &str| {
                    strategy.is_none_or(|s| strategy_of(cluster.client_session(session).ryw) == s)
                };
                let ops: Vec<&OpRecord> =
                    ops().filter(|op| !is_load_session(&op.session)).collect();
                let found = fresh_own_reads(&ops).any(|read| following(&read.session));
                found
            }
            Goal::Replicated => replicated(cluster, since_ms),
            Goal::Replicas(n) => {
                let running = |id| cluster.node(id).state == NodeState::Running;
                cluster.replicas().into_iter().filter(|id| running(*id)).count() >= *n
            }
            Goal::LoadRate(n) => {
                cluster.load().is_some_and(|l| !l.finished && l.spec.rate_per_s >= *n)
            }
            Goal::SlowCommit(min_ms) => events().any(|e| match e.kind {
                EventKind::Acknowledged { latency_ms, .. } => latency_ms >= *min_ms,
                _ => false,
            }),
        }
    }
}

/// Whether every pattern word is one of the line's words (`key=` matches `key=anything`).
fn has_words(line: &str, words: &[String]) -> bool {
    let line_words: Vec<&str> = line.split_whitespace().collect();
    words.iter().all(|word| {
        line_words.iter().any(|w| match word.strip_suffix('=') {
            Some(key) => w.strip_prefix(key).is_some_and(|v| v.starts_with('=')),
            None => w.eq_ignore_ascii_case(word),
        })
    })
}

/// Whether `text` contains `part`, in any case.
fn contains(text: &str, part: &str) -> bool {
    text.to_ascii_lowercase().contains(&part.to_ascii_lowercase())
}

/// Statements sent since `since_ms` that succeeded, oldest first.
fn answered_since(history: &History, since_ms: Millis) -> impl Iterator<Item = &OpRecord> {
    history.records().filter(move |op| op.sent_ms >= since_ms && op.error().is_none())
}

/// Reads that came after their session's own write to the same table and saw it.
fn fresh_own_reads<'a>(ops: &'a [&'a OpRecord]) -> impl Iterator<Item = &'a OpRecord> {
    let writes = || ops.iter().filter(|op| op.kind == OpKind::Write);
    ops.iter().copied().filter(|op| op.kind == OpKind::Read).filter(move |read| {
        writes().any(|write| {
            let Some((_, end)) = write.commit else { return false };
            write.session == read.session
                && write.done_ms <= read.sent_ms
                && write.id < read.id
                && write.tables().iter().any(|t| read.tables().contains(t))
                && read.timeline == write.timeline
                && read.node_lsn >= end
        })
    })
}

/// Whether a write of the step has been replayed by every running replica.
fn replicated(cluster: &Cluster, since_ms: Millis) -> bool {
    let writes = answered_since(cluster.history(), since_ms).filter(|op| op.kind == OpKind::Write);
    let Some(end) = writes.filter_map(|op| op.commit.map(|(_, end)| end)).next() else {
        return false;
    };
    let replicas = cluster.replicas();
    let running: Vec<_> =
        replicas.into_iter().filter(|id| cluster.node(*id).state == NodeState::Running).collect();
    !running.is_empty() && running.iter().all(|id| cluster.node(*id).replay_lsn >= end)
}

/// Whether the checker finds the anomaly among the learner's statements sent since `since_ms`
/// (the load generator's thousands are left out: they are not what a step asks for, and
/// checking them a few times a second would cost frames).
fn found(cluster: &Cluster, anomaly: Anomaly, since_ms: Millis) -> bool {
    let from_ms = since_ms.saturating_sub(CHECK_LOOKBACK_MS);
    let mut history = History::default();
    let learners = cluster.history().records().filter(|op| !is_load_session(&op.session));
    for op in learners.filter(|op| op.sent_ms >= from_ms) {
        history.push(op.clone());
    }
    checker::check(&history, cluster)
        .iter()
        .filter(|f| f.anomaly == anomaly)
        .any(|f| f.ops.iter().filter_map(|id| history.get(*id)).any(|op| op.sent_ms >= since_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_goal_prints_the_line_it_was_read_from() {
        let lines = [
            "did crash pg1",
            "did session ryw=lsn",
            "did router max_lag=",
            "sql pg_stat_replication",
            "read",
            "write on primary",
            "read on replica",
            "read on replica with created_at >",
            "write with INSERT",
            "crashed primary",
            "promoted",
            "endpoint moved",
            "anomaly read-your-writes",
            "anomaly lost-write",
            "fresh own read",
            "fresh own read ryw=lsn",
            "replicated",
            "replicas 4",
            "load 2000",
            "commit waited 1s",
        ];
        for line in lines {
            let goal: Goal = line.parse().unwrap_or_else(|e| panic!("{line}: {e}"));
            assert_eq!(goal.to_string(), line);
        }
    }

    #[test]
    fn a_mistyped_goal_says_what_is_expected() {
        let error = "crash primary".parse::<Goal>().unwrap_err().to_string();
        assert!(error.contains("unknown goal \"crash primary\""), "{error}");
        let error = "anomaly stale".parse::<Goal>().unwrap_err().to_string();
        assert!(error.contains("expected stale-read, read-your-writes"), "{error}");
        assert!("read on standby".parse::<Goal>().is_err());
        assert!("fresh own read ryw=fast".parse::<Goal>().is_err());
        assert!("replicas many".parse::<Goal>().is_err());
    }

    #[test]
    fn words_match_whole_words_and_keys() {
        let words = |w: &str| w.split_whitespace().map(str::to_string).collect::<Vec<_>>();
        assert!(has_words("session alice ryw=lsn timeout=1s", &words("session ryw=lsn")));
        assert!(has_words("router max_lag=2s", &words("router max_lag=")));
        assert!(!has_words("router max_lag_bytes=1MB", &words("max_lag=")));
        assert!(!has_words("crash pg12", &words("crash pg1")));
    }

    fn run(script: &str) -> Run {
        Run::from_script(script).unwrap_or_else(|e| panic!("{e}"))
    }

    const ORDERS: &str = "cluster replicas=2 seed=3\nsql: CREATE TABLE orders (id SERIAL PRIMARY KEY, user_id INT)\nadvance 2s\n";

    #[test]
    fn a_read_that_misses_its_own_write_is_an_anomaly_of_the_step_only() {
        let script = format!(
            "{ORDERS}sql session=alice: INSERT INTO orders (user_id) VALUES (1)\nsql session=alice: SELECT * FROM orders WHERE user_id = 1\nadvance 2s\n"
        );
        let run = run(&script);
        let missed = Goal::Anomaly(Anomaly::ReadYourWrites);
        assert!(missed.met(&run, 2_000));
        assert!(!missed.met(&run, 3_000), "nothing happened after 3s");
        assert!(!Goal::FreshOwnRead(None).met(&run, 2_000));
        assert!(Goal::Replicated.met(&run, 2_000));
        assert!(Goal::Op { write: true, on: Some(Role::Primary), text: None }.met(&run, 2_000));
        assert!(Goal::Op { write: false, on: Some(Role::Replica), text: None }.met(&run, 2_000));
    }

    #[test]
    fn the_version_check_makes_the_same_read_fresh() {
        let script = format!(
            "{ORDERS}session alice ryw=lsn timeout=3s\nsql session=alice: INSERT INTO orders (user_id) VALUES (1)\nsql session=alice: SELECT * FROM orders WHERE user_id = 1\nadvance 3s\n"
        );
        let run = run(&script);
        assert!(Goal::FreshOwnRead(Some(RywStrategy::Lsn)).met(&run, 2_000));
        assert!(!Goal::FreshOwnRead(Some(RywStrategy::Primary)).met(&run, 2_000));
        assert!(!Goal::Anomaly(Anomaly::ReadYourWrites).met(&run, 2_000));
        assert!(Goal::Did(vec!["session".into(), "ryw=lsn".into()]).met(&run, 2_000));
    }

    #[test]
    fn a_crash_of_the_primary_is_seen_until_the_manager_replaces_it() {
        let script = format!("{ORDERS}failover auto=on ttl=10s loop_wait=2s\ncrash pg1\n");
        let mut run = run(&script);
        assert!(Goal::CrashedPrimary.met(&run, 2_000));
        assert!(!Goal::Promoted.met(&run, 2_000));
        run.advance(30_000);
        assert!(Goal::Promoted.met(&run, 2_000));
        assert!(Goal::EndpointMoved.met(&run, 2_000));
        assert!(!Goal::Replicas(2).met(&run, 2_000), "pg1 is down, pg3 is the only replica");
        assert!(Goal::Replicas(1).met(&run, 2_000));
    }
}
