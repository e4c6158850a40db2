//! # Commands: one typed input for everything a learner, a script or a test can do
//!
//! A click in the page, a line of a scenario script and a line of a golden test are all a
//! [`Command`]. Each parses from one script line ([`FromStr`]) and prints its canonical line
//! ([`Display`](fmt::Display)); printing and parsing again gives the same command. The scenario
//! runner ([`super::scenario::Scenario::apply`]) is the one place that applies them to a
//! cluster, so a run is fully described by its seed, its `cluster` line and its commands with
//! their simulated times — a [`super::recording::Recording`].
//!
//! ```text
//!   click "crash" on pg1 ──┐
//!   script line "crash pg1" ├──▶ Command::Crash(pg1) ──▶ Scenario::apply ──▶ Cluster::crash
//!   golden "crash pg1" ─────┘            │
//!                                        └──▶ Recording: (t = 4.5s, "crash pg1")
//! ```
//!
//! Queries that only look (`status`, `nodes`, `events`, `check`, `metrics`, `slowlog`, `show`,
//! `load`, `endpoint` and `cache` without options) are commands too;
//! [`Command::changes_run`] says they leave the run as it was, so recordings skip them.
//!
//! The language itself is documented, with examples, in `docs/scenarios.md`.

pub mod parse;

use std::fmt;
use std::str::FromStr;

use super::cluster::{Cluster, ClusterConfig, Policy, Settings, Target};
use super::commit::{StandbyNames, SyncCommit};
use super::event::Way;
use super::{Error, Millis, NodeId};
use parse::{print_millis, print_switch};

/// Every input.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// `cluster [replicas=2] [seed=1] [delay=1s] [commit=PRESET] [cores=2]`: start over.
    Cluster(ClusterSpec),
    /// `sql [TARGET] [session=NAME]: SQL` (the SQL may be a quoted string with `\n` escapes).
    Sql { target: SqlTarget, session: Option<String>, text: String },
    /// `session NAME [synchronous_commit=MODE|default] [ryw=STRATEGY] [window=DUR] [timeout=DUR]`.
    Session(SessionChange),
    /// `commit PRESET`: the cluster's commit setup in one go.
    Commit(CommitPreset),
    /// `router [policy=…] [weights=pg2:3,pg3:1] [max_lag=DUR|off] [max_lag_bytes=SIZE|off]`.
    Router(RouterChange),
    /// `failover [auto=on|off] [fencing=on|off] [ttl=DUR] [loop_wait=DUR]
    /// [maximum_lag_on_failover=SIZE] [priority=pg2:0,pg3:2]`.
    Failover(FailoverChange),
    /// `promote NODE`: `pg_promote()`.
    Promote(NodeRef),
    /// `switchover NODE`: a planned switchover.
    Switchover(NodeRef),
    /// `endpoint [ttl=DUR]`; without `ttl` it only shows the endpoint.
    Endpoint { ttl_ms: Option<Millis> },
    /// `cache [on|off] [ttl=DUR] [invalidate=on|off]`; alone it only shows the counters.
    Cache(CacheChange),
    /// `set NAME = VALUE`: a cluster setting by its PostgreSQL/MySQL name.
    Set { name: String, value: String },
    /// `link NODE [delay=DUR] [jitter=DUR] [loss=P]`.
    Link(LinkChange),
    /// `partition NODE [way=both|down|up]`: cut a replica's link.
    Partition { node: NodeRef, way: Way },
    /// `partition NODE from=manager`: cut a node off from the failover manager.
    PartitionManager(NodeRef),
    /// `heal [NODE]`: mend a node's partitions (link and manager), or all.
    Heal(Option<NodeRef>),
    /// `heal NODE from=manager`: mend only a node's connection to the failover manager.
    HealManager(NodeRef),
    /// `crash NODE`.
    Crash(NodeRef),
    /// `restart NODE`.
    Restart(NodeRef),
    /// `cancel [SESSION]`: what psql's Ctrl+C does — cancels the session's statement in
    /// progress (a commit waiting for its synchronous standby is then acknowledged, with
    /// PostgreSQL's warning that it may not have replicated).
    Cancel { session: String },
    /// `resync NODE`: rebuild a replica from a base backup.
    Resync(NodeRef),
    /// `replica NODE [apply_delay=DUR] [replay=pause|resume] [slow=N]`.
    Replica(ReplicaChange),
    /// `add-replica`.
    AddReplica,
    /// `remove-replica NODE`.
    RemoveReplica(NodeRef),
    /// `load rate=N [read_ratio=0.8] [heavy=0] [sessions=10] [duration=10s] [users=1000]
    /// [target=router] [prefill=0] [retain=DUR]`.
    Load(LoadOptions),
    /// `load stop`.
    LoadStop,
    /// `advance DUR`: let time pass.
    Advance(Millis),
    /// `settle [max=DUR]`: let time pass until nothing is in flight and replicas caught up.
    Settle { max_ms: Option<Millis> },
    /// `check`: the consistency checker.
    Check,
    /// `show NAME` / `show all` (None).
    Show(Option<String>),
    /// `status`: `pg_stat_replication`.
    Status,
    /// `nodes`: every node.
    Nodes,
    /// `events`: new events.
    Events,
    /// `metrics NODE` / `metrics cache`.
    Metrics(MetricsOf),
    /// `slowlog`.
    Slowlog,
    /// `load` alone: the load's summary.
    LoadSummary,
}

/// A node as a command names it: by name, as "the primary", or as the N-th replica.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeRef {
    /// `pg2`.
    Id(NodeId),
    /// `primary`: whatever node is the primary when the command runs.
    Primary,
    /// `replica-2`: the second replica in name order when the command runs.
    Replica(usize),
}

/// Where `sql` sends its statements.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SqlTarget {
    /// `router` (the default): writes to the primary, reads to replicas.
    #[default]
    Router,
    /// `primary`: whatever the session resolves the primary's endpoint to.
    Endpoint,
    /// A node: `pg2` or `replica-1`.
    Node(NodeRef),
}

/// What `cluster` starts with; unset fields keep their defaults.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClusterSpec {
    pub replicas: Option<usize>,
    pub seed: Option<u64>,
    pub delay_ms: Option<Millis>,
    pub commit: Option<CommitPreset>,
    pub cores: Option<usize>,
}

/// The commit setups the page offers and `cluster commit=` / `commit` take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommitPreset {
    /// `async`: no synchronous standbys (PostgreSQL's default), `synchronous_commit = on`.
    Async,
    /// `semi-sync`: MySQL semi-synchronous replication.
    SemiSync,
    /// A `synchronous_commit` value; `remote_write`, `on` and `remote_apply` also make every
    /// standby a candidate: `FIRST 1 (*)`.
    Mode(SyncCommit),
    /// `quorum-N`: `synchronous_commit = on` with `ANY N (*)`.
    Quorum(u32),
}

/// `session NAME …`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SessionChange {
    pub name: String,
    /// `synchronous_commit=MODE`; `Some(None)` is `default` (back to the cluster's).
    pub commit: Option<Option<SyncCommit>>,
    pub ryw: Option<RywStrategy>,
    pub window_ms: Option<Millis>,
    pub timeout_ms: Option<Millis>,
}

/// The read-after-write strategies by name (their durations come separately).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RywStrategy {
    None,
    Primary,
    Sticky,
    Lsn,
    Sync,
}

/// `router …`: what changes; the rest stays.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RouterChange {
    pub policy: Option<Policy>,
    pub weights: Option<Vec<(NodeId, u32)>>,
    /// `Some(None)` is `off`.
    pub max_lag_ms: Option<Option<Millis>>,
    /// `Some(None)` is `off`.
    pub max_lag_bytes: Option<Option<u64>>,
}

/// `failover …`: what changes; the rest stays.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FailoverChange {
    pub auto: Option<bool>,
    pub fencing: Option<bool>,
    pub ttl_ms: Option<Millis>,
    pub loop_wait_ms: Option<Millis>,
    pub maximum_lag_on_failover: Option<u64>,
    /// The whole list of priorities (unlisted nodes: 1).
    pub priorities: Option<Vec<(NodeId, u32)>>,
}

/// `cache …`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CacheChange {
    pub enabled: Option<bool>,
    pub ttl_ms: Option<Millis>,
    pub invalidate: Option<bool>,
}

/// `link NODE …`.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkChange {
    pub node: NodeRef,
    pub delay_ms: Option<Millis>,
    pub jitter_ms: Option<Millis>,
    pub loss: Option<f64>,
}

/// `replica NODE …`.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplicaChange {
    pub node: NodeRef,
    pub apply_delay_ms: Option<Millis>,
    /// `Some(true)`: `replay=pause`; `Some(false)`: `replay=resume`.
    pub pause: Option<bool>,
    pub slow: Option<u32>,
}

/// `load …`: unset fields keep the load generator's defaults.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LoadOptions {
    pub rate_per_s: Option<u64>,
    pub read_ratio: Option<f64>,
    pub heavy_ratio: Option<f64>,
    pub sessions: Option<usize>,
    pub duration_ms: Option<Millis>,
    pub users: Option<u64>,
    pub target: Option<SqlTarget>,
    pub prefill_rows: Option<u64>,
    /// `retain=DUR`: archive orders older than this.
    pub retain_ms: Option<Millis>,
}

/// What `metrics` shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricsOf {
    Node(NodeRef),
    Cache,
}

impl Command {
    /// Whether applying it can change the run (state, events, time). Queries that only look
    /// do not, and recordings leave them out.
    pub fn changes_run(&self) -> bool {
        !matches!(
            self,
            Command::Check
                | Command::Show(_)
                | Command::Status
                | Command::Nodes
                | Command::Events
                | Command::Metrics(_)
                | Command::Slowlog
                | Command::LoadSummary
                | Command::Endpoint { ttl_ms: None }
                | Command::Cache(CacheChange { enabled: None, ttl_ms: None, invalidate: None })
        )
    }

    /// Whether it only lets time pass (`advance`, `settle`).
    pub fn is_time(&self) -> bool {
        matches!(self, Command::Advance(_) | Command::Settle { .. })
    }
}

// ---- the words of a line ----------------------------------------------------------------

/// A line cut into its verb, positional words and `key=value` options — what goldenscript
/// hands the golden runner, too.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Words<'a> {
    pub verb: &'a str,
    pub positional: Vec<&'a str>,
    pub options: Vec<(&'a str, &'a str)>,
}

impl<'a> Words<'a> {
    /// Splits at whitespace; a word with `=` after its first character is an option (its
    /// value may be empty: `weights=` clears a list).
    pub fn split(text: &'a str) -> Self {
        let mut words = text.split_whitespace();
        let verb = words.next().unwrap_or("");
        let mut out = Words { verb, ..Words::default() };
        for word in words {
            match word.split_once('=') {
                Some((k, v)) if !k.is_empty() => out.options.push((k, v)),
                _ => out.positional.push(word),
            }
        }
        out
    }

    fn no_positional(&self) -> Result<(), Error> {
        match self.positional.as_slice() {
            [] => Ok(()),
            extra => Err(Error::invalid(format!(
                "{} takes no arguments, got \"{}\"",
                self.verb,
                extra.join(" ")
            ))),
        }
    }

    fn no_arguments(&self) -> Result<(), Error> {
        self.no_positional()?;
        match self.options.first() {
            None => Ok(()),
            Some((k, v)) => {
                Err(Error::invalid(format!("{} takes no arguments, got \"{k}={v}\"", self.verb)))
            }
        }
    }

    /// The one node a command is about, and nothing else positional.
    fn one_node(&self) -> Result<NodeRef, Error> {
        match self.positional.as_slice() {
            [name] => name.parse(),
            [] => {
                Err(Error::invalid(format!("{} needs a node, e.g. `{} pg2`", self.verb, self.verb)))
            }
            [_, extra @ ..] => Err(Error::invalid(format!(
                "{}: unexpected \"{}\" after the node",
                self.verb,
                extra.join(" ")
            ))),
        }
    }

    fn unknown(&self, key: &str, known: &str) -> Error {
        Error::invalid(format!("{}: unknown option \"{key}\" (expected {known})", self.verb))
    }
}

impl FromStr for Command {
    type Err = Error;

    /// Parses one script line (a `#` comment and a leading `>` are allowed).
    fn from_str(line: &str) -> Result<Self, Error> {
        let line = line.trim();
        // `> command` is how golden files write some lines; a script copied from one runs.
        let line = line.strip_prefix('>').map_or(line, str::trim_start);
        let verb = line.split(|c: char| c.is_whitespace() || c == ':').next().unwrap_or("");
        match verb {
            "sql" => parse_sql(line["sql".len()..].trim_start()),
            "set" => parse_set(strip_verb(parse::strip_comment(line), "set")),
            "show" => {
                let rest = strip_verb(parse::strip_comment(line), "show");
                match rest {
                    "" => Err(Error::invalid("show needs a setting's name, or all")),
                    "all" => Ok(Command::Show(None)),
                    name => Ok(Command::Show(Some(name.to_string()))),
                }
            }
            _ => Command::from_words(&Words::split(parse::strip_comment(line))),
        }
    }
}

fn strip_verb<'a>(line: &'a str, verb: &str) -> &'a str {
    line.trim().strip_prefix(verb).unwrap_or("").trim()
}

fn parse_set(rest: &str) -> Result<Command, Error> {
    let (name, value) = rest
        .split_once('=')
        .or_else(|| rest.split_once(" to "))
        .ok_or_else(|| Error::invalid("expected `set NAME = VALUE`"))?;
    let (name, value) = (name.trim(), value.trim());
    if name.is_empty() || name.contains(char::is_whitespace) {
        return Err(Error::invalid("expected `set NAME = VALUE`"));
    }
    Ok(Command::Set { name: name.to_string(), value: value.to_string() })
}

/// `[TARGET] [session=NAME]: SQL`, the text after `sql`.
fn parse_sql(rest: &str) -> Result<Command, Error> {
    let (head, text) = rest
        .split_once(':')
        .ok_or_else(|| Error::invalid("expected `sql [TARGET] [session=NAME]: SQL`"))?;
    let mut target = SqlTarget::Router;
    let mut session = None;
    for word in head.split_whitespace() {
        match word.split_once('=') {
            Some(("session", name)) => session = Some(parse::session_name(name)?),
            Some((key, _)) => {
                return Err(Error::invalid(format!(
                    "sql: unknown option \"{key}\" (expected session)"
                )))
            }
            None => target = word.parse()?,
        }
    }
    let text = text.trim_start();
    let text = if text.starts_with('"') {
        let (sql, after) = parse::unquote(text)?;
        let after = parse::strip_comment(after).trim();
        if !after.is_empty() {
            return Err(Error::invalid(format!(
                "sql: unexpected \"{after}\" after the quoted SQL"
            )));
        }
        sql
    } else {
        parse::strip_comment(text).trim().to_string()
    };
    Ok(Command::Sql { target, session, text })
}

impl Command {
    /// Builds a command from a line's words (every verb but `sql`, `set` and `show`, which
    /// take the rest of their line as text).
    pub fn from_words(w: &Words<'_>) -> Result<Self, Error> {
        Ok(match w.verb {
            "" => return Err(Error::invalid("empty command")),
            "cluster" => {
                w.no_positional()?;
                Command::Cluster(ClusterSpec::from_options(w)?)
            }
            "session" => Command::Session(SessionChange::from_words(w)?),
            "commit" => match (w.positional.as_slice(), w.options.as_slice()) {
                ([preset], []) => Command::Commit(preset.parse()?),
                _ => {
                    return Err(Error::invalid(format!(
                        "commit needs one of {}",
                        CommitPreset::NAMES
                    )))
                }
            },
            "router" => {
                w.no_positional()?;
                Command::Router(RouterChange::from_options(w)?)
            }
            "failover" => {
                w.no_positional()?;
                Command::Failover(FailoverChange::from_options(w)?)
            }
            "promote" => no_options(w).and_then(|()| w.one_node()).map(Command::Promote)?,
            "switchover" => no_options(w).and_then(|()| w.one_node()).map(Command::Switchover)?,
            "endpoint" => {
                w.no_positional()?;
                let mut ttl_ms = None;
                for &(key, value) in &w.options {
                    match key {
                        "ttl" => ttl_ms = Some(parse::duration(key, value)?),
                        _ => return Err(w.unknown(key, "ttl")),
                    }
                }
                Command::Endpoint { ttl_ms }
            }
            "cache" => Command::Cache(CacheChange::from_words(w)?),
            "link" => Command::Link(LinkChange::from_words(w)?),
            "partition" => parse_partition(w)?,
            "heal" => match (w.positional.as_slice(), w.options.as_slice()) {
                ([], []) => Command::Heal(None),
                ([name], []) => Command::Heal(Some(name.parse()?)),
                ([name], [("from", "manager")]) => Command::HealManager(name.parse()?),
                (_, [("from", other)]) => {
                    return Err(Error::invalid(format!(
                        "from: expected manager (or no from= for every partition), got \"{other}\""
                    )))
                }
                (_, [(key, _), ..]) => return Err(w.unknown(key, "from")),
                _ => return Err(Error::invalid("heal takes at most one node")),
            },
            "crash" => no_options(w).and_then(|()| w.one_node()).map(Command::Crash)?,
            "restart" => no_options(w).and_then(|()| w.one_node()).map(Command::Restart)?,
            "cancel" => match (w.positional.as_slice(), w.options.is_empty()) {
                ([], true) => Command::Cancel { session: "default".to_string() },
                ([name], true) => Command::Cancel { session: parse::session_name(name)? },
                _ => return Err(Error::invalid("expected `cancel [SESSION]`")),
            },
            "resync" => no_options(w).and_then(|()| w.one_node()).map(Command::Resync)?,
            "replica" => Command::Replica(ReplicaChange::from_words(w)?),
            "add-replica" => w.no_arguments().map(|()| Command::AddReplica)?,
            "remove-replica" => {
                no_options(w).and_then(|()| w.one_node()).map(Command::RemoveReplica)?
            }
            "load" => match (w.positional.as_slice(), w.options.is_empty()) {
                ([], true) => Command::LoadSummary,
                (["stop"], true) => Command::LoadStop,
                ([] | ["start"], _) => Command::Load(LoadOptions::from_options(w)?),
                _ => {
                    return Err(Error::invalid(
                        "expected `load [start] key=value ...`, `load stop` or `load`",
                    ))
                }
            },
            "advance" => match (w.positional.as_slice(), w.options.as_slice()) {
                ([duration], []) => Command::Advance(parse::duration("advance", duration)?),
                _ => {
                    let got = w.positional.join(" ");
                    return Err(parse::duration("advance", &got).err().unwrap_or_else(|| {
                        Error::invalid("advance takes one duration, e.g. `advance 2s`")
                    }));
                }
            },
            "settle" => {
                w.no_positional()?;
                let mut max_ms = None;
                for &(key, value) in &w.options {
                    match key {
                        "max" => max_ms = Some(parse::duration(key, value)?),
                        _ => return Err(w.unknown(key, "max")),
                    }
                }
                Command::Settle { max_ms }
            }
            "check" => w.no_arguments().map(|()| Command::Check)?,
            "status" => w.no_arguments().map(|()| Command::Status)?,
            "nodes" => w.no_arguments().map(|()| Command::Nodes)?,
            "events" => w.no_arguments().map(|()| Command::Events)?,
            "slowlog" => w.no_arguments().map(|()| Command::Slowlog)?,
            "metrics" => match (w.positional.as_slice(), w.options.as_slice()) {
                (["cache"], []) => Command::Metrics(MetricsOf::Cache),
                ([name], []) => Command::Metrics(MetricsOf::Node(name.parse()?)),
                _ => return Err(Error::invalid("expected `metrics NODE` or `metrics cache`")),
            },
            "show" => match (w.positional.as_slice(), w.options.as_slice()) {
                (["all"], []) => Command::Show(None),
                ([name], []) => Command::Show(Some(name.to_string())),
                _ => return Err(Error::invalid("show needs a setting's name, or all")),
            },
            "sql" | "set" => {
                return Err(Error::invalid(format!("{} takes the rest of its line", w.verb)))
            }
            other => {
                return Err(Error::invalid(format!(
                    "unknown command \"{other}\" (see docs/scenarios.md for the commands)"
                )))
            }
        })
    }
}

fn no_options(w: &Words<'_>) -> Result<(), Error> {
    match w.options.first() {
        None => Ok(()),
        Some((key, _)) => Err(w.unknown(key, "no options")),
    }
}

fn parse_partition(w: &Words<'_>) -> Result<Command, Error> {
    let node = w.one_node()?;
    let mut way = Way::Both;
    for &(key, value) in &w.options {
        match (key, value) {
            ("from", "manager") => {
                if w.options.len() > 1 {
                    return Err(Error::invalid("partition: from=manager takes no way="));
                }
                return Ok(Command::PartitionManager(node));
            }
            ("from", other) => {
                return Err(Error::invalid(format!(
                    "from: expected manager (or no from= for the replication link), got \"{other}\""
                )))
            }
            ("way", "both") => way = Way::Both,
            ("way", "down") => way = Way::Down,
            ("way", "up") => way = Way::Up,
            ("way", other) => {
                return Err(Error::invalid(format!(
                    "way: expected both, down or up, got \"{other}\""
                )))
            }
            _ => return Err(w.unknown(key, "way, from")),
        }
    }
    Ok(Command::Partition { node, way })
}

// ---- the parts --------------------------------------------------------------------------

impl FromStr for NodeRef {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self, Error> {
        if name == "primary" {
            return Ok(NodeRef::Primary);
        }
        if let Some(n) = name.strip_prefix("replica-") {
            let canonical = !n.starts_with('0') && n.bytes().all(|b| b.is_ascii_digit());
            return n
                .parse::<usize>()
                .ok()
                .filter(|n| canonical && (1..=1_000).contains(n))
                .map(NodeRef::Replica)
                .ok_or_else(|| Error::UnknownNode { name: name.to_string() });
        }
        parse::node_name(name).map(NodeRef::Id)
    }
}

impl fmt::Display for NodeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeRef::Id(id) => write!(f, "{id}"),
            NodeRef::Primary => f.write_str("primary"),
            NodeRef::Replica(n) => write!(f, "replica-{n}"),
        }
    }
}

impl NodeRef {
    /// The node it names in this cluster, as the command runs.
    pub fn resolve(self, cluster: &Cluster) -> Result<NodeId, Error> {
        match self {
            NodeRef::Id(id) => cluster
                .members()
                .any(|n| n.id == id)
                .then_some(id)
                .ok_or_else(|| Error::UnknownNode { name: id.name().into_owned() }),
            NodeRef::Primary => Ok(cluster.primary()),
            NodeRef::Replica(n) => {
                let replicas = cluster.replicas();
                replicas.get(n - 1).copied().ok_or_else(|| {
                    Error::invalid(format!(
                        "no replica-{n}: the cluster has {} replica{} (replica-1 … replica-{})",
                        replicas.len(),
                        if replicas.len() == 1 { "" } else { "s" },
                        replicas.len()
                    ))
                })
            }
        }
    }
}

impl FromStr for SqlTarget {
    type Err = Error;

    /// `router`, `primary` (the endpoint), a node or `replica-N`; a leading `@` is allowed, as
    /// in ProxySQL-style hints.
    fn from_str(word: &str) -> Result<Self, Error> {
        let word = word.strip_prefix('@').unwrap_or(word);
        match word {
            "router" => Ok(SqlTarget::Router),
            "primary" => Ok(SqlTarget::Endpoint),
            node => node.parse().map(SqlTarget::Node),
        }
    }
}

impl fmt::Display for SqlTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SqlTarget::Router => f.write_str("router"),
            SqlTarget::Endpoint => f.write_str("primary"),
            SqlTarget::Node(node) => write!(f, "{node}"),
        }
    }
}

impl SqlTarget {
    /// The engine's target in this cluster.
    pub fn resolve(self, cluster: &Cluster) -> Result<Target, Error> {
        Ok(match self {
            SqlTarget::Router => Target::Router,
            SqlTarget::Endpoint => Target::Primary,
            SqlTarget::Node(node) => Target::Node(node.resolve(cluster)?),
        })
    }

    /// The command's way of naming an engine target.
    pub fn of(target: Target) -> Self {
        match target {
            Target::Router => SqlTarget::Router,
            Target::Primary => SqlTarget::Endpoint,
            Target::Node(id) => SqlTarget::Node(NodeRef::Id(id)),
        }
    }
}

impl ClusterSpec {
    fn from_options(w: &Words<'_>) -> Result<Self, Error> {
        let mut spec = ClusterSpec::default();
        for &(key, value) in &w.options {
            match key {
                "replicas" => spec.replicas = Some(parse::number(key, value, 0, 8)? as usize),
                "seed" => spec.seed = Some(parse::number(key, value, 0, u64::MAX)?),
                "delay" => spec.delay_ms = Some(parse::duration(key, value)?),
                "cores" => spec.cores = Some(parse::number(key, value, 1, 64)? as usize),
                "commit" => spec.commit = Some(value.parse()?),
                _ => return Err(w.unknown(key, "replicas, seed, delay, commit, cores")),
            }
        }
        Ok(spec)
    }

    /// The configuration a fresh cluster starts from.
    pub fn config(&self) -> ClusterConfig {
        let mut config = ClusterConfig::default();
        if let Some(replicas) = self.replicas {
            config.replicas = replicas;
        }
        if let Some(seed) = self.seed {
            config.seed = seed;
        }
        if let Some(delay_ms) = self.delay_ms {
            config.link_delay_ms = delay_ms;
        }
        if let Some(cores) = self.cores {
            config.settings.cores = cores;
        }
        if let Some(preset) = self.commit {
            preset.apply(&mut config.settings);
        }
        config
    }
}

impl CommitPreset {
    /// How the presets are written.
    pub const NAMES: &'static str =
        "async, semi-sync, quorum-N, or a synchronous_commit value (off, local, remote_write, on, remote_apply)";

    /// The settings it stands for, as `SET` takes them.
    pub fn settings(self) -> [(&'static str, String); 3] {
        let (commit, names, semi) = match self {
            CommitPreset::Async => (SyncCommit::On, String::new(), false),
            CommitPreset::SemiSync => (SyncCommit::On, String::new(), true),
            CommitPreset::Mode(mode) if mode.standby_position().is_some() => {
                (mode, "FIRST 1 (*)".to_string(), false)
            }
            CommitPreset::Mode(mode) => (mode, String::new(), false),
            CommitPreset::Quorum(n) => (SyncCommit::On, format!("ANY {n} (*)"), false),
        };
        [
            ("synchronous_commit", commit.to_string()),
            ("synchronous_standby_names", names),
            ("rpl_semi_sync_source_enabled", print_switch(semi).to_string()),
        ]
    }

    /// Puts it into a cluster's starting settings.
    pub fn apply(self, settings: &mut Settings) {
        let [(_, commit), (_, names), (_, semi)] = self.settings();
        settings.synchronous_commit = commit.parse().expect("a preset's own mode");
        settings.synchronous_standby_names =
            StandbyNames::parse(&names).expect("a preset's own standby names");
        settings.semi_sync.enabled = semi == "on";
    }

    /// The preset the settings match, if any (`None`: set by hand to something else).
    pub fn of(settings: &Settings) -> Option<Self> {
        let presets = [
            CommitPreset::Async,
            CommitPreset::SemiSync,
            CommitPreset::Mode(SyncCommit::On),
            CommitPreset::Mode(SyncCommit::RemoteApply),
            CommitPreset::Mode(SyncCommit::RemoteWrite),
            CommitPreset::Mode(SyncCommit::Local),
            CommitPreset::Mode(SyncCommit::Off),
            CommitPreset::Quorum(1),
            CommitPreset::Quorum(2),
            CommitPreset::Quorum(3),
        ];
        presets.into_iter().find(|p| {
            let mut s = settings.clone();
            p.apply(&mut s);
            s.synchronous_commit == settings.synchronous_commit
                && s.synchronous_standby_names == settings.synchronous_standby_names
                && s.semi_sync.enabled == settings.semi_sync.enabled
        })
    }
}

impl FromStr for CommitPreset {
    type Err = Error;

    fn from_str(value: &str) -> Result<Self, Error> {
        match value {
            "async" => Ok(CommitPreset::Async),
            "semi-sync" => Ok(CommitPreset::SemiSync),
            quorum if quorum.starts_with("quorum-") => {
                parse::number("quorum", &quorum[7..], 1, 8).map(|n| CommitPreset::Quorum(n as u32))
            }
            mode => match mode.parse() {
                Ok(mode) => Ok(CommitPreset::Mode(mode)),
                Err(_) => Err(Error::invalid(format!(
                    "commit: expected {}, got \"{value}\"",
                    CommitPreset::NAMES
                ))),
            },
        }
    }
}

impl fmt::Display for CommitPreset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommitPreset::Async => f.write_str("async"),
            CommitPreset::SemiSync => f.write_str("semi-sync"),
            CommitPreset::Mode(mode) => write!(f, "{mode}"),
            CommitPreset::Quorum(n) => write!(f, "quorum-{n}"),
        }
    }
}

impl SessionChange {
    fn from_words(w: &Words<'_>) -> Result<Self, Error> {
        let [name] = w.positional.as_slice() else {
            return Err(Error::invalid(
                "expected `session NAME [synchronous_commit=MODE] [ryw=STRATEGY]`",
            ));
        };
        let mut change = SessionChange { name: parse::session_name(name)?, ..Default::default() };
        if w.options.is_empty() {
            return Err(Error::invalid("session needs synchronous_commit=MODE or ryw=STRATEGY"));
        }
        for &(key, value) in &w.options {
            match key {
                "synchronous_commit" if value == "default" => change.commit = Some(None),
                "synchronous_commit" => change.commit = Some(Some(value.parse()?)),
                "ryw" => change.ryw = Some(value.parse()?),
                "window" => change.window_ms = Some(parse::duration(key, value)?),
                "timeout" => change.timeout_ms = Some(parse::duration(key, value)?),
                _ => return Err(w.unknown(key, "synchronous_commit, ryw, window, timeout")),
            }
        }
        if let Some(strategy) = change.ryw {
            change.check_durations_fit(strategy)?;
        }
        Ok(change)
    }

    /// `window=` tunes `ryw=primary` and `timeout=` tunes `ryw=lsn`; either with another
    /// strategy would be silently ignored, so it is an error instead.
    pub fn check_durations_fit(&self, strategy: RywStrategy) -> Result<(), Error> {
        let misfit = |key: &str, fits: RywStrategy, what: &str| {
            Error::invalid(format!(
                "session: {key}= goes with ryw={fits} ({what}), not with ryw={strategy}"
            ))
        };
        if self.window_ms.is_some() && strategy != RywStrategy::Primary {
            return Err(misfit(
                "window",
                RywStrategy::Primary,
                "how long reads go to the primary after a write",
            ));
        }
        if self.timeout_ms.is_some() && strategy != RywStrategy::Lsn {
            return Err(misfit(
                "timeout",
                RywStrategy::Lsn,
                "how long a read waits for a replica to replay the session's last commit",
            ));
        }
        Ok(())
    }
}

impl FromStr for RywStrategy {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "none" => Ok(RywStrategy::None),
            "primary" => Ok(RywStrategy::Primary),
            "sticky" => Ok(RywStrategy::Sticky),
            "lsn" => Ok(RywStrategy::Lsn),
            "sync" => Ok(RywStrategy::Sync),
            other => Err(Error::invalid(format!(
                "ryw: expected none, primary, sticky, lsn or sync, got \"{other}\""
            ))),
        }
    }
}

impl fmt::Display for RywStrategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RywStrategy::None => "none",
            RywStrategy::Primary => "primary",
            RywStrategy::Sticky => "sticky",
            RywStrategy::Lsn => "lsn",
            RywStrategy::Sync => "sync",
        })
    }
}

impl RouterChange {
    fn from_options(w: &Words<'_>) -> Result<Self, Error> {
        let mut change = RouterChange::default();
        for &(key, value) in &w.options {
            match key {
                "policy" => change.policy = Some(value.parse()?),
                "max_lag" if value == "off" => change.max_lag_ms = Some(None),
                "max_lag" => change.max_lag_ms = Some(Some(parse::duration(key, value)?)),
                "max_lag_bytes" if value == "off" => change.max_lag_bytes = Some(None),
                "max_lag_bytes" => change.max_lag_bytes = Some(Some(parse::size(key, value)?)),
                "weights" => change.weights = Some(parse::node_numbers(key, value, 1_000)?),
                _ => return Err(w.unknown(key, "policy, weights, max_lag, max_lag_bytes")),
            }
        }
        Ok(change)
    }
}

impl FailoverChange {
    fn from_options(w: &Words<'_>) -> Result<Self, Error> {
        let mut change = FailoverChange::default();
        for &(key, value) in &w.options {
            match key {
                "auto" => change.auto = Some(parse::switch(key, value)?),
                "fencing" => change.fencing = Some(parse::switch(key, value)?),
                "ttl" => change.ttl_ms = Some(parse::duration(key, value)?),
                "loop_wait" => change.loop_wait_ms = Some(parse::duration(key, value)?),
                "maximum_lag_on_failover" => {
                    change.maximum_lag_on_failover = Some(parse::size(key, value)?)
                }
                "priority" => change.priorities = Some(parse::node_numbers(key, value, 1_000)?),
                _ => {
                    return Err(w.unknown(
                        key,
                        "auto, fencing, ttl, loop_wait, maximum_lag_on_failover, priority",
                    ))
                }
            }
        }
        Ok(change)
    }
}

impl CacheChange {
    fn from_words(w: &Words<'_>) -> Result<Self, Error> {
        let mut change = CacheChange::default();
        match w.positional.as_slice() {
            [] => {}
            [switch] => change.enabled = Some(parse::switch("cache", switch)?),
            _ => {
                return Err(Error::invalid(
                    "expected `cache [on|off] [ttl=DUR] [invalidate=on|off]`",
                ))
            }
        }
        for &(key, value) in &w.options {
            match key {
                "ttl" => change.ttl_ms = Some(parse::duration(key, value)?),
                "invalidate" => change.invalidate = Some(parse::switch(key, value)?),
                _ => return Err(w.unknown(key, "ttl, invalidate")),
            }
        }
        Ok(change)
    }
}

impl LinkChange {
    fn from_words(w: &Words<'_>) -> Result<Self, Error> {
        let node = w.one_node()?;
        let mut change = LinkChange { node, delay_ms: None, jitter_ms: None, loss: None };
        if w.options.is_empty() {
            return Err(Error::invalid("link needs at least one of delay=, jitter=, loss="));
        }
        for &(key, value) in &w.options {
            match key {
                "delay" => change.delay_ms = Some(parse::duration(key, value)?),
                "jitter" => change.jitter_ms = Some(parse::duration(key, value)?),
                "loss" => change.loss = Some(parse::probability(key, value)?),
                _ => return Err(w.unknown(key, "delay, jitter, loss")),
            }
        }
        Ok(change)
    }
}

impl ReplicaChange {
    fn from_words(w: &Words<'_>) -> Result<Self, Error> {
        let node = w.one_node()?;
        let mut change = ReplicaChange { node, apply_delay_ms: None, pause: None, slow: None };
        if w.options.is_empty() {
            return Err(Error::invalid("replica needs apply_delay=, replay=pause|resume or slow="));
        }
        for &(key, value) in &w.options {
            match (key, value) {
                ("apply_delay", v) => change.apply_delay_ms = Some(parse::duration(key, v)?),
                ("replay", "pause") => change.pause = Some(true),
                ("replay", "resume") => change.pause = Some(false),
                ("replay", other) => {
                    return Err(Error::invalid(format!(
                        "replay: expected pause or resume, got \"{other}\""
                    )))
                }
                ("slow", v) => change.slow = Some(parse::number(key, v, 1, 1_000)? as u32),
                _ => return Err(w.unknown(key, "apply_delay, replay, slow")),
            }
        }
        Ok(change)
    }
}

impl LoadOptions {
    fn from_options(w: &Words<'_>) -> Result<Self, Error> {
        let mut load = LoadOptions::default();
        for &(key, value) in &w.options {
            match key {
                "rate" => {
                    let rate = value.trim_end_matches("/s");
                    load.rate_per_s = Some(parse::number(key, rate, 1, 100_000)?)
                }
                "read_ratio" => load.read_ratio = Some(parse::share(key, value)?),
                "heavy" => load.heavy_ratio = Some(parse::share(key, value)?),
                "sessions" => load.sessions = Some(parse::number(key, value, 1, 10_000)? as usize),
                "duration" => load.duration_ms = Some(parse::duration(key, value)?),
                "users" => load.users = Some(parse::number(key, value, 1, 1_000_000_000)?),
                "target" => load.target = Some(value.parse()?),
                "prefill" => load.prefill_rows = Some(parse::number(key, value, 0, 1_000_000)?),
                "retain" => load.retain_ms = Some(parse::duration(key, value)?),
                _ => return Err(w.unknown(
                    key,
                    "rate, read_ratio, heavy, sessions, duration, users, target, prefill, retain",
                )),
            }
        }
        Ok(load)
    }
}

// ---- printing ---------------------------------------------------------------------------

/// Writes ` key=value` for each option that is set.
struct Options<'f, 'a> {
    f: &'f mut fmt::Formatter<'a>,
}

impl Options<'_, '_> {
    fn put(&mut self, key: &str, value: Option<impl fmt::Display>) -> fmt::Result {
        match value {
            Some(value) => write!(self.f, " {key}={value}"),
            None => Ok(()),
        }
    }

    fn duration(&mut self, key: &str, ms: Option<Millis>) -> fmt::Result {
        self.put(key, ms.map(print_millis))
    }

    fn switch(&mut self, key: &str, on: Option<bool>) -> fmt::Result {
        self.put(key, on.map(print_switch))
    }
}

/// SQL that prints as it is only if it reads back the same: one line, no surrounding space,
/// no `#` outside quotes, not starting with a double quote.
fn sql_is_plain(text: &str) -> bool {
    text == text.trim()
        && !text.contains(['\n', '\r'])
        && !text.starts_with('"')
        && parse::strip_comment(text) == text
        && !text.chars().any(char::is_control)
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Cluster(spec) => {
                f.write_str("cluster")?;
                let mut o = Options { f };
                o.put("replicas", spec.replicas)?;
                o.put("seed", spec.seed)?;
                o.duration("delay", spec.delay_ms)?;
                o.put("commit", spec.commit)?;
                o.put("cores", spec.cores)
            }
            Command::Sql { target, session, text } => {
                f.write_str("sql")?;
                if *target != SqlTarget::Router {
                    write!(f, " {target}")?;
                }
                if let Some(session) = session {
                    write!(f, " session={session}")?;
                }
                if sql_is_plain(text) {
                    write!(f, ": {text}")
                } else {
                    write!(f, ": {}", parse::quote(text))
                }
            }
            Command::Session(s) => {
                write!(f, "session {}", s.name)?;
                let mut o = Options { f };
                let commit = s.commit.map(|c| c.map_or("default".to_string(), |m| m.to_string()));
                o.put("synchronous_commit", commit)?;
                o.put("ryw", s.ryw)?;
                o.duration("window", s.window_ms)?;
                o.duration("timeout", s.timeout_ms)
            }
            Command::Commit(preset) => write!(f, "commit {preset}"),
            Command::Router(r) => {
                f.write_str("router")?;
                let mut o = Options { f };
                o.put("policy", r.policy)?;
                o.put("weights", r.weights.as_deref().map(parse::print_node_numbers))?;
                o.put("max_lag", r.max_lag_ms.map(|v| v.map_or("off".to_string(), print_millis)))?;
                let bytes =
                    r.max_lag_bytes.map(|v| v.map_or("off".to_string(), parse::format_bytes));
                o.put("max_lag_bytes", bytes)
            }
            Command::Failover(c) => {
                f.write_str("failover")?;
                let mut o = Options { f };
                o.switch("auto", c.auto)?;
                o.switch("fencing", c.fencing)?;
                o.duration("ttl", c.ttl_ms)?;
                o.duration("loop_wait", c.loop_wait_ms)?;
                o.put(
                    "maximum_lag_on_failover",
                    c.maximum_lag_on_failover.map(parse::format_bytes),
                )?;
                o.put("priority", c.priorities.as_deref().map(parse::print_node_numbers))
            }
            Command::Promote(node) => write!(f, "promote {node}"),
            Command::Switchover(node) => write!(f, "switchover {node}"),
            Command::Endpoint { ttl_ms } => {
                f.write_str("endpoint")?;
                Options { f }.duration("ttl", *ttl_ms)
            }
            Command::Cache(c) => {
                f.write_str("cache")?;
                if let Some(on) = c.enabled {
                    write!(f, " {}", print_switch(on))?;
                }
                let mut o = Options { f };
                o.duration("ttl", c.ttl_ms)?;
                o.switch("invalidate", c.invalidate)
            }
            Command::Set { name, value } => write!(f, "set {name} = {value}"),
            Command::Link(l) => {
                write!(f, "link {}", l.node)?;
                let mut o = Options { f };
                o.duration("delay", l.delay_ms)?;
                o.duration("jitter", l.jitter_ms)?;
                o.put("loss", l.loss)
            }
            Command::Partition { node, way: Way::Both } => write!(f, "partition {node}"),
            Command::Partition { node, way } => write!(f, "partition {node} way={}", way.as_str()),
            Command::PartitionManager(node) => write!(f, "partition {node} from=manager"),
            Command::Heal(None) => f.write_str("heal"),
            Command::Heal(Some(node)) => write!(f, "heal {node}"),
            Command::HealManager(node) => write!(f, "heal {node} from=manager"),
            Command::Crash(node) => write!(f, "crash {node}"),
            Command::Restart(node) => write!(f, "restart {node}"),
            Command::Cancel { session } => write!(f, "cancel {session}"),
            Command::Resync(node) => write!(f, "resync {node}"),
            Command::Replica(r) => {
                write!(f, "replica {}", r.node)?;
                let mut o = Options { f };
                o.duration("apply_delay", r.apply_delay_ms)?;
                o.put("replay", r.pause.map(|p| if p { "pause" } else { "resume" }))?;
                o.put("slow", r.slow)
            }
            Command::AddReplica => f.write_str("add-replica"),
            Command::RemoveReplica(node) => write!(f, "remove-replica {node}"),
            Command::Load(l) => {
                // Plain `load` is the summary: a load with every default says `start`.
                f.write_str(if *l == LoadOptions::default() { "load start" } else { "load" })?;
                let mut o = Options { f };
                o.put("rate", l.rate_per_s)?;
                o.put("read_ratio", l.read_ratio)?;
                o.put("heavy", l.heavy_ratio)?;
                o.put("sessions", l.sessions)?;
                o.duration("duration", l.duration_ms)?;
                o.put("users", l.users)?;
                o.put("target", l.target)?;
                o.put("prefill", l.prefill_rows)?;
                o.duration("retain", l.retain_ms)
            }
            Command::LoadStop => f.write_str("load stop"),
            Command::Advance(ms) => write!(f, "advance {}", print_millis(*ms)),
            Command::Settle { max_ms } => {
                f.write_str("settle")?;
                Options { f }.duration("max", *max_ms)
            }
            Command::Check => f.write_str("check"),
            Command::Show(None) => f.write_str("show all"),
            Command::Show(Some(name)) => write!(f, "show {name}"),
            Command::Status => f.write_str("status"),
            Command::Nodes => f.write_str("nodes"),
            Command::Events => f.write_str("events"),
            Command::Metrics(MetricsOf::Cache) => f.write_str("metrics cache"),
            Command::Metrics(MetricsOf::Node(node)) => write!(f, "metrics {node}"),
            Command::Slowlog => f.write_str("slowlog"),
            Command::LoadSummary => f.write_str("load"),
        }
    }
}

#[cfg(test)]
mod tests;
