//! # Commit modes: what a write waits for before the client hears "COMMIT"
//!
//! PostgreSQL's `synchronous_commit` decides how durable a commit is when it is acknowledged;
//! `synchronous_standby_names` decides which standbys count. MySQL's semi-synchronous
//! replication is the other common answer: wait for one replica, but give up after a timeout.
//!
//! | `synchronous_commit` | the primary acknowledges once ...                         | survives |
//! |----------------------|-----------------------------------------------------------|----------|
//! | `off`                | the commit is in memory (WAL flushed up to 200 ms later)   | nothing: a crash can lose it |
//! | `local`              | the WAL is flushed on the primary's disk                   | a primary restart |
//! | `remote_write`       | ... and the synchronous standbys have *written* it          | a primary crash (not an OS crash on both) |
//! | `on` (default)       | ... and the synchronous standbys have *flushed* it          | losing the primary |
//! | `remote_apply`       | ... and the synchronous standbys have *replayed* it         | losing the primary, and reads there see it |
//!
//! With no synchronous standbys named, `remote_write`, `on` and `remote_apply` wait only for
//! the local flush — asynchronous replication, the usual setup.
//!
//! `synchronous_standby_names`: `FIRST n (a, b, c)` waits for the first `n` connected standbys
//! in list order (the rest are `potential`); `ANY n (a, b, c)` waits for any `n` of them (a
//! quorum); a plain list `a, b` means `FIRST 1 (a, b)`; `*` matches every standby.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use super::wal::Lsn;
use super::{Error, Millis};

/// PostgreSQL's `synchronous_commit`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SyncCommit {
    Off,
    Local,
    RemoteWrite,
    #[default]
    On,
    RemoteApply,
}

impl SyncCommit {
    /// All modes, weakest first.
    pub const ALL: [SyncCommit; 5] = [
        SyncCommit::Off,
        SyncCommit::Local,
        SyncCommit::RemoteWrite,
        SyncCommit::On,
        SyncCommit::RemoteApply,
    ];

    /// PostgreSQL's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SyncCommit::Off => "off",
            SyncCommit::Local => "local",
            SyncCommit::RemoteWrite => "remote_write",
            SyncCommit::On => "on",
            SyncCommit::RemoteApply => "remote_apply",
        }
    }

    /// Which standby position must reach the commit, if this mode waits for standbys at all.
    pub fn standby_position(self) -> Option<Position> {
        match self {
            SyncCommit::Off | SyncCommit::Local => None,
            SyncCommit::RemoteWrite => Some(Position::Write),
            SyncCommit::On => Some(Position::Flush),
            SyncCommit::RemoteApply => Some(Position::Replay),
        }
    }

    /// Whether the primary waits for its own WAL flush before acknowledging.
    pub fn waits_for_local_flush(self) -> bool {
        self != SyncCommit::Off
    }
}

impl fmt::Display for SyncCommit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SyncCommit {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().trim_matches('\'').to_ascii_lowercase().as_str() {
            "off" | "false" | "0" => Ok(SyncCommit::Off),
            "local" => Ok(SyncCommit::Local),
            "remote_write" => Ok(SyncCommit::RemoteWrite),
            "on" | "true" | "1" => Ok(SyncCommit::On),
            "remote_apply" => Ok(SyncCommit::RemoteApply),
            other => Err(Error::invalid(format!(
                "invalid value for parameter \"synchronous_commit\": \"{other}\"\nHINT:  Available values: local, remote_write, remote_apply, on, off."
            ))),
        }
    }
}

/// A standby's reported position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Position {
    Write,
    Flush,
    Replay,
}

impl Position {
    /// The word PostgreSQL's docs use for reaching this position.
    pub fn as_str(self) -> &'static str {
        match self {
            Position::Write => "write",
            Position::Flush => "flush",
            Position::Replay => "replay",
        }
    }
}

/// What a commit waits for before its client hears `COMMIT`: the parts of its commit mode and
/// the session's read-after-write strategy that apply. Displays as
/// `local flush + replay on FIRST 1 (*)`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct CommitWait {
    /// The primary's own WAL flush (every mode but `off`).
    pub local_flush: bool,
    /// Replay on every replica (the session's `ryw=sync` strategy).
    pub every_replica: bool,
    /// The position the synchronous standbys must reach, and which standbys those are.
    pub standbys: Option<(Position, StandbyNames)>,
    /// MySQL semi-sync: acknowledgements from this many replicas.
    pub semi_sync_replicas: Option<u32>,
}

impl fmt::Display for CommitWait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if self.local_flush {
            parts.push("local flush".to_string());
        }
        if self.every_replica {
            parts.push("replay on every replica (ryw=sync)".to_string());
        }
        if let Some((position, names)) = &self.standbys {
            parts.push(format!("{} on {names}", position.as_str()));
        }
        if let Some(count) = self.semi_sync_replicas {
            parts.push(format!("semi-sync ack from {count} replica(s)"));
        }
        if parts.is_empty() {
            return f.write_str("nothing: acknowledged before the WAL is flushed");
        }
        f.write_str(&parts.join(" + "))
    }
}

/// How `synchronous_standby_names` picks standbys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SyncMethod {
    /// Priority: the first `n` connected standbys in list order.
    First,
    /// Quorum: any `n` of the listed standbys.
    Any,
}

/// PostgreSQL's `synchronous_standby_names`, parsed. Empty means asynchronous replication.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct StandbyNames {
    pub method: Option<SyncMethod>,
    pub num_sync: usize,
    /// Listed names in priority order; `*` matches any standby.
    pub names: Vec<String>,
}

impl StandbyNames {
    /// Parses `''`, `a, b`, `FIRST n (a, b)`, `ANY n (a, b)`, `*`.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let text = text.trim().trim_matches('\'').trim();
        if text.is_empty() {
            return Ok(Self::default());
        }
        let bad = || {
            Error::invalid(format!(
                "invalid value for parameter \"synchronous_standby_names\": \"{text}\"\nHINT:  Use FIRST n (a, b), ANY n (a, b), or a plain list a, b."
            ))
        };
        let upper = text.to_ascii_uppercase();
        let (method, rest) = if upper.starts_with("FIRST ") {
            (SyncMethod::First, &text[6..])
        } else if upper.starts_with("ANY ") {
            (SyncMethod::Any, &text[4..])
        } else {
            let names = split_names(text).ok_or_else(bad)?;
            return Ok(Self { method: Some(SyncMethod::First), num_sync: 1, names });
        };
        let (count, list) = rest.trim().split_once('(').ok_or_else(bad)?;
        let num_sync: usize = count.trim().parse().ok().filter(|n| *n >= 1).ok_or_else(bad)?;
        let list = list.trim().strip_suffix(')').ok_or_else(bad)?;
        let names = split_names(list).ok_or_else(bad)?;
        if num_sync > names.len() && !names.iter().any(|n| n == "*") {
            return Err(Error::invalid(format!(
                "number of synchronous standbys ({num_sync}) must be at most the number of listed standbys ({})",
                names.len()
            )));
        }
        Ok(Self { method: Some(method), num_sync, names })
    }

    /// Whether any standby is synchronous.
    pub fn is_empty(&self) -> bool {
        self.method.is_none()
    }

    /// Where `name` stands in the list (1 = highest priority), like `sync_priority`; 0 if unlisted.
    pub fn priority(&self, name: &str) -> usize {
        self.names.iter().position(|n| n == name || n == "*").map_or(0, |i| i + 1)
    }
}

impl fmt::Display for StandbyNames {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.method {
            None => f.write_str("''"),
            Some(SyncMethod::First) => {
                write!(f, "FIRST {} ({})", self.num_sync, self.names.join(", "))
            }
            Some(SyncMethod::Any) => write!(f, "ANY {} ({})", self.num_sync, self.names.join(", ")),
        }
    }
}

fn split_names(list: &str) -> Option<Vec<String>> {
    let names: Vec<String> =
        list.split(',').map(|n| n.trim().trim_matches('"').to_string()).collect();
    names.iter().all(|n| !n.is_empty() && !n.contains(char::is_whitespace)).then_some(names)
}

/// What the primary knows of one standby when deciding whether a commit may be acknowledged.
#[derive(Clone, Debug, PartialEq)]
pub struct StandbyAck {
    pub name: Cow<'static, str>,
    /// Connected and streaming (a standby in startup/catchup or disconnected does not count).
    pub streaming: bool,
    pub write_lsn: Lsn,
    pub flush_lsn: Lsn,
    pub replay_lsn: Lsn,
}

impl StandbyAck {
    fn at(&self, position: Position) -> Lsn {
        match position {
            Position::Write => self.write_lsn,
            Position::Flush => self.flush_lsn,
            Position::Replay => self.replay_lsn,
        }
    }
}

/// A standby's `sync_state` in `pg_stat_replication`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncState {
    Async,
    Potential,
    Sync,
    Quorum,
}

impl SyncState {
    pub fn as_str(self) -> &'static str {
        match self {
            SyncState::Async => "async",
            SyncState::Potential => "potential",
            SyncState::Sync => "sync",
            SyncState::Quorum => "quorum",
        }
    }
}

/// Each standby's `sync_state`, in the order given.
pub fn sync_states(names: &StandbyNames, standbys: &[StandbyAck]) -> Vec<SyncState> {
    let chosen = chosen_sync(names, standbys);
    standbys
        .iter()
        .enumerate()
        .map(|(i, s)| match names.method {
            _ if names.priority(&s.name) == 0 => SyncState::Async,
            Some(SyncMethod::Any) => SyncState::Quorum,
            Some(SyncMethod::First) if chosen.contains(&i) => SyncState::Sync,
            Some(SyncMethod::First) => SyncState::Potential,
            None => SyncState::Async,
        })
        .collect()
}

/// Indexes of the standbys FIRST-n treats as synchronous: the first `n` streaming ones by priority.
fn chosen_sync(names: &StandbyNames, standbys: &[StandbyAck]) -> Vec<usize> {
    let mut listed: Vec<(usize, usize)> = standbys
        .iter()
        .enumerate()
        .filter(|(_, s)| s.streaming)
        .map(|(i, s)| (names.priority(&s.name), i))
        .filter(|(p, _)| *p > 0)
        .collect();
    listed.sort();
    listed.into_iter().take(names.num_sync).map(|(_, i)| i).collect()
}

/// Whether a commit ending at `lsn` may be acknowledged under `mode`, as far as standbys go.
pub fn standbys_satisfied(
    mode: SyncCommit,
    names: &StandbyNames,
    standbys: &[StandbyAck],
    lsn: Lsn,
) -> bool {
    let Some(position) = mode.standby_position() else { return true };
    match names.method {
        None => true,
        Some(SyncMethod::First) => {
            let chosen = chosen_sync(names, standbys);
            chosen.len() >= names.num_sync
                && chosen.iter().all(|&i| standbys[i].at(position) >= lsn)
        }
        Some(SyncMethod::Any) => {
            let acked = standbys
                .iter()
                .filter(|s| s.streaming && names.priority(&s.name) > 0 && s.at(position) >= lsn)
                .count();
            acked >= names.num_sync
        }
    }
}

/// MySQL's semi-synchronous replication (`rpl_semi_sync_source_*`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SemiSync {
    /// `rpl_semi_sync_source_enabled`.
    pub enabled: bool,
    /// `rpl_semi_sync_source_timeout`: after this long without enough acks, fall back to async.
    pub timeout_ms: Millis,
    /// `rpl_semi_sync_source_wait_for_replica_count`.
    pub wait_count: usize,
    /// False after a timeout, until a replica catches up again.
    pub active: bool,
}

impl Default for SemiSync {
    fn default() -> Self {
        Self { enabled: false, timeout_ms: 10_000, wait_count: 1, active: true }
    }
}

impl SemiSync {
    /// Whether a commit ending at `lsn` has its acks: `wait_count` replicas have received
    /// (written and flushed to their relay log) it. Always true when off or fallen back.
    pub fn satisfied(&self, standbys: &[StandbyAck], lsn: Lsn) -> bool {
        if !self.enabled || !self.active {
            return true;
        }
        standbys.iter().filter(|s| s.streaming && s.flush_lsn >= lsn).count() >= self.wait_count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ack(name: &str, streaming: bool, write: u64, flush: u64, replay: u64) -> StandbyAck {
        StandbyAck {
            name: name.to_string().into(),
            streaming,
            write_lsn: Lsn(write),
            flush_lsn: Lsn(flush),
            replay_lsn: Lsn(replay),
        }
    }

    #[test]
    fn standby_names_parse_like_postgresql() {
        let first = StandbyNames::parse("FIRST 2 (pg2, pg3, pg4)").unwrap();
        assert_eq!(
            (first.method, first.num_sync, first.names.len()),
            (Some(SyncMethod::First), 2, 3)
        );
        let any = StandbyNames::parse("any 1 (pg2,pg3)").unwrap();
        assert_eq!(any.method, Some(SyncMethod::Any));
        let plain = StandbyNames::parse("pg2, pg3").unwrap();
        assert_eq!((plain.method, plain.num_sync), (Some(SyncMethod::First), 1));
        assert!(StandbyNames::parse("''").unwrap().is_empty());
        assert!(StandbyNames::parse("FIRST x (pg2)").is_err());
        assert!(StandbyNames::parse("FIRST 3 (pg2, pg3)").is_err());
        assert!(StandbyNames::parse("FIRST 1 (pg2").is_err());
        assert_eq!(first.to_string(), "FIRST 2 (pg2, pg3, pg4)");
    }

    #[test]
    fn modes_parse_and_print() {
        for mode in SyncCommit::ALL {
            assert_eq!(mode.as_str().parse::<SyncCommit>().unwrap(), mode);
        }
        assert!("sometimes".parse::<SyncCommit>().is_err());
    }

    #[test]
    fn first_n_waits_for_the_highest_priority_streaming_standbys() {
        let names = StandbyNames::parse("FIRST 1 (pg2, pg3)").unwrap();
        let standbys = [ack("pg2", true, 50, 40, 30), ack("pg3", true, 99, 99, 99)];
        assert!(standbys_satisfied(SyncCommit::RemoteWrite, &names, &standbys, Lsn(50)));
        assert!(
            !standbys_satisfied(SyncCommit::On, &names, &standbys, Lsn(50)),
            "pg2 is the sync one"
        );
        assert!(standbys_satisfied(SyncCommit::Local, &names, &standbys, Lsn(50)));
        assert_eq!(sync_states(&names, &standbys), vec![SyncState::Sync, SyncState::Potential]);
        // pg2 disconnects: pg3 takes over as the synchronous standby.
        let standbys = [ack("pg2", false, 50, 40, 30), ack("pg3", true, 99, 99, 99)];
        assert!(standbys_satisfied(SyncCommit::RemoteApply, &names, &standbys, Lsn(50)));
        // Nobody streaming: the commit waits.
        let standbys = [ack("pg2", false, 0, 0, 0), ack("pg3", false, 0, 0, 0)];
        assert!(!standbys_satisfied(SyncCommit::On, &names, &standbys, Lsn(1)));
    }

    #[test]
    fn any_n_is_a_quorum() {
        let names = StandbyNames::parse("ANY 2 (pg2, pg3, pg4)").unwrap();
        let standbys =
            [ack("pg2", true, 9, 9, 9), ack("pg3", true, 1, 1, 1), ack("pg4", true, 9, 9, 9)];
        assert!(standbys_satisfied(SyncCommit::On, &names, &standbys, Lsn(9)));
        assert!(!standbys_satisfied(SyncCommit::On, &names, &standbys, Lsn(10)));
        assert!(sync_states(&names, &standbys).iter().all(|s| *s == SyncState::Quorum));
    }

    #[test]
    fn no_names_means_asynchronous() {
        let names = StandbyNames::default();
        assert!(standbys_satisfied(SyncCommit::RemoteApply, &names, &[], Lsn(100)));
        assert_eq!(sync_states(&names, &[ack("pg2", true, 0, 0, 0)]), vec![SyncState::Async]);
    }

    #[test]
    fn semi_sync_waits_for_received_until_it_falls_back() {
        let mut semi = SemiSync { enabled: true, ..SemiSync::default() };
        let standbys = [ack("pg2", true, 10, 10, 0)];
        assert!(semi.satisfied(&standbys, Lsn(10)));
        assert!(!semi.satisfied(&standbys, Lsn(11)));
        semi.active = false;
        assert!(semi.satisfied(&standbys, Lsn(11)));
    }
}
