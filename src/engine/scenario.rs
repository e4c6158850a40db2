//! # Scenario scripts: a small line-based language that drives the engine
//!
//! The same commands drive the browser, the `replica-sim` CLI and the golden tests, so a run
//! can be shared as text. One command per line; `#` starts a comment (outside SQL quotes).
//! Durations read `500ms`, `2s`, `1.5s`, `1m`; nodes are `pg1`, `pg2`, … or `primary`.
//! The full reference, with examples, is `docs/scenarios.md`.
//!
//! | command | what it does |
//! |---------|--------------|
//! | `cluster [replicas=2] [seed=1] [delay=1s] [commit=MODE] [cores=2]` | start over; MODE: `async`, `semi-sync`, or a `synchronous_commit` value (remote ones make every standby a candidate: `FIRST 1 (*)`) |
//! | `sql [TARGET] [session=NAME]: SQL` | run SQL; TARGET: `router` (default), `primary` (the endpoint, as the session resolves it), a node, `replica-N`; `@primary` works too |
//! | `session NAME [synchronous_commit=MODE] [ryw=none\|primary\|sticky\|lsn\|sync] [window=5s] [timeout=1s]` | a session's own commit mode and read-after-write strategy |
//! | `router [policy=round-robin\|least-lag\|weights] [weights=pg2:3,pg3:1] [max_lag=DUR] [max_lag_bytes=SIZE]` | how reads are routed; lagging replicas are shunned |
//! | `failover [auto=on\|off] [fencing=on\|off] [ttl=30s] [loop_wait=10s] [maximum_lag_on_failover=1MB]` / `promote NODE` / `switchover NODE` | the Patroni-style failover manager (`priority=pg2:0,pg3:2` too) / `pg_promote()` / a planned switchover |
//! | `endpoint [ttl=DUR]` | the primary's DNS name: where it points, clients' cached answers; TTL of those answers |
//! | `cache [on\|off] [ttl=5s] [invalidate=on\|off]` | the read cache in front of the router; alone: hits, misses, hit ratio |
//! | `check` | the consistency checker: stale reads, read-your-writes and monotonic-read violations, lost writes, refused writes |
//! | `set NAME = VALUE` / `show NAME` / `show all` | cluster settings, by their PostgreSQL / MySQL names |
//! | `link NODE [delay=DUR] [jitter=DUR] [loss=P]` | change a replica's link |
//! | `partition NODE [way=both\|down\|up]` / `partition NODE from=manager` / `heal [NODE]` | cut a link (down: primary→replica) / cut a node off from the failover manager / mend |
//! | `crash NODE` / `restart NODE` | fail a node / bring it back after crash recovery |
//! | `replica NODE [apply_delay=DUR] [replay=pause\|resume] [slow=N]` | replay controls |
//! | `add-replica` / `remove-replica NODE` / `resync NODE` | membership; rebuild from a base backup |
//! | `load rate=N [read_ratio=0.8] [heavy=0] [sessions=10] [duration=10s] [target=router]` / `load stop` / `load` | generate traffic / stop it / its summary |
//! | `advance DUR` | let time pass; prints answers that arrive meanwhile |
//! | `settle [max=DUR]` | advance until no statement is in flight and replicas caught up |
//! | `status` | `pg_stat_replication`, as the primary sees it |
//! | `nodes` / `events` / `metrics NODE` / `metrics cache` / `slowlog` | node table / new events / time series / cache hit ratio / slow queries |
//!
//! A line that does not parse, or names a node that does not exist, is an error reported with
//! its line number; [`Scenario::run_script`] stops there unless asked to keep going. SQL
//! errors are not script errors: they are output, as they would be in psql.

use std::fmt::Write as _;

use super::checker;
use super::cluster::{
    parse_bytes, Cluster, ClusterConfig, LoadSpec, Policy, Reply, Ryw, Target, SETTINGS,
};
use super::commit::StandbyNames;
use super::{format_millis, parse_millis, Error, Millis, NodeId};

/// A scenario being run: the cluster and the position in its event log.
#[derive(Clone, Debug)]
pub struct Scenario {
    cluster: Cluster,
    events_seen: u64,
    /// How many times a `cluster` command started over.
    generation: u64,
}

/// A script line that failed.
#[derive(Clone, Debug, PartialEq)]
pub struct ScriptError {
    /// 1-based line number.
    pub line: usize,
    pub error: Error,
}

impl std::fmt::Display for ScriptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.error)
    }
}

impl Default for Scenario {
    fn default() -> Self {
        Self::new(ClusterConfig::default())
    }
}

impl Scenario {
    /// A scenario on a fresh cluster.
    pub fn new(config: ClusterConfig) -> Self {
        Self { cluster: Cluster::new(config), events_seen: 0, generation: 0 }
    }

    /// The cluster as it stands.
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// Counts the `cluster` commands run so far: a change means a fresh cluster.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The cluster, for drivers that mix scripted and direct inputs (the UI).
    pub fn cluster_mut(&mut self) -> &mut Cluster {
        &mut self.cluster
    }

    /// Runs a whole script, returning a transcript (each command, then its output). Stops at
    /// the first bad line unless `keep_going`; every bad line is returned as an error.
    pub fn run_script(&mut self, script: &str, keep_going: bool) -> (String, Vec<ScriptError>) {
        let mut transcript = String::new();
        let mut errors = Vec::new();
        for (index, line) in script.lines().enumerate() {
            let command = strip_comment(line).trim();
            if command.is_empty() {
                continue;
            }
            let _ = writeln!(transcript, "> {command}");
            match self.run_line(command) {
                Ok(output) => transcript.push_str(&output),
                Err(error) => {
                    let error = ScriptError { line: index + 1, error };
                    let _ = writeln!(transcript, "error: {error}");
                    errors.push(error);
                    if !keep_going {
                        break;
                    }
                }
            }
        }
        (transcript, errors)
    }

    /// Runs one command and returns its output (each line ends in a newline).
    pub fn run_line(&mut self, line: &str) -> Result<String, Error> {
        let line = strip_comment(line).trim();
        // `> command` is how golden files write some lines; a script copied from one still runs.
        let line = line.strip_prefix('>').map_or(line, str::trim_start);
        let (verb, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let rest = rest.trim();
        match verb {
            "" => Ok(String::new()),
            "cluster" => self.cmd_cluster(rest),
            "sql" | "sql:" => self.cmd_sql(line.strip_prefix("sql").unwrap_or_default()),
            "session" => self.cmd_session(rest),
            "router" => self.cmd_router(rest),
            "failover" => self.cmd_failover(rest),
            "promote" => self
                .on_node(rest, |c, id| c.promote(id))
                .map(|id| format!("{id}: promotion started\n")),
            "switchover" => self
                .on_node(rest, |c, id| c.switchover(id))
                .map(|id| format!("{id}: switchover started\n")),
            "check" => no_args(rest, verb).map(|()| self.cmd_check()),
            "endpoint" => self.cmd_endpoint(rest),
            "cache" => self.cmd_cache(rest),
            "set" => self.cmd_set(rest),
            "show" => self.cmd_show(rest),
            "link" => self.cmd_link(rest),
            "partition" => self.cmd_partition(rest),
            "heal" => self.cmd_heal(rest),
            "crash" => self.on_node(rest, |c, id| c.crash(id)).map(|id| format!("{id} crashed\n")),
            "restart" => {
                self.on_node(rest, |c, id| c.restart(id)).map(|id| format!("{id} restarting\n"))
            }
            "resync" => self
                .on_node(rest, |c, id| c.resync(id))
                .map(|id| format!("{id}: base backup started\n")),
            "replica" => self.cmd_replica(rest),
            "add-replica" => no_args(rest, verb)
                .and_then(|()| self.cluster.add_replica())
                .map(|id| format!("{id} added; base backup started\n")),
            "remove-replica" => {
                self.on_node(rest, |c, id| c.remove_replica(id)).map(|id| format!("{id} removed\n"))
            }
            "load" => self.cmd_load(rest),
            "advance" => self.cmd_advance(rest),
            "settle" => self.cmd_settle(rest),
            "status" => no_args(rest, verb).map(|()| self.cluster.render_status() + "\n"),
            "nodes" => no_args(rest, verb).map(|()| self.cluster.render_nodes() + "\n"),
            "events" => no_args(rest, verb).map(|()| self.render_new_events()),
            "metrics" => self.cmd_metrics(rest),
            "slowlog" => no_args(rest, verb).map(|()| self.cluster.render_slow_log() + "\n"),
            other => Err(Error::invalid(format!(
                "unknown command \"{other}\" (see docs/scenarios.md for the commands)"
            ))),
        }
    }

    fn cmd_cluster(&mut self, rest: &str) -> Result<String, Error> {
        let mut config = ClusterConfig::default();
        for (key, value) in parse_options(rest)? {
            match key {
                "replicas" => config.replicas = parse_number(key, value, 0, 8)? as usize,
                "seed" => config.seed = parse_number(key, value, 0, u64::MAX)?,
                "delay" => config.link_delay_ms = parse_duration(key, value)?,
                "cores" => config.settings.cores = parse_number(key, value, 1, 64)? as usize,
                "commit" => apply_commit_preset(&mut config, value)?,
                _ => {
                    return Err(unknown_option(
                        "cluster",
                        key,
                        "replicas, seed, delay, commit, cores",
                    ))
                }
            }
        }
        *self = Scenario { generation: self.generation + 1, ..Scenario::new(config) };
        let c = self.cluster.config();
        let s = self.cluster.settings();
        let semi = if s.semi_sync.enabled { ", semi-sync on" } else { "" };
        Ok(format!(
            "cluster: 1 primary + {} replica{}, link delay {}, seed {}, synchronous_commit = {}, synchronous_standby_names = {}{semi}\n",
            c.replicas,
            if c.replicas == 1 { "" } else { "s" },
            format_millis(c.link_delay_ms),
            c.seed,
            s.synchronous_commit,
            s.synchronous_standby_names
        ))
    }

    /// `sql [TARGET] [session=NAME]: SQL`; the text after `sql`.
    fn cmd_sql(&mut self, rest: &str) -> Result<String, Error> {
        let (head, sql) = rest
            .split_once(':')
            .ok_or_else(|| Error::invalid("expected `sql [TARGET] [session=NAME]: SQL`"))?;
        let mut target = Target::Router;
        let mut session = "default".to_string();
        for word in head.split_whitespace() {
            match word.split_once('=') {
                Some(("session", name)) if !name.is_empty() => session = name.to_string(),
                Some((key, _)) => return Err(unknown_option("sql", key, "session")),
                None => target = self.parse_target(word)?,
            }
        }
        let op = self.cluster.submit(&session, target, sql.trim());
        self.cluster.advance(0);
        let mut out = self.render_finished(false);
        if self.cluster.in_progress().iter().any(|r| r.op == op) {
            let waiting = self.cluster.waiting_for(op).unwrap_or_default();
            let _ = writeln!(out, "… op {} in progress: {waiting}", op.0);
        }
        Ok(out)
    }

    /// `router`, `primary` (the endpoint), a node (`pg2`), or `replica-N` (the N-th replica in
    /// name order); each may be written with a leading `@`, as in ProxySQL-style hints.
    fn parse_target(&self, word: &str) -> Result<Target, Error> {
        let word = word.strip_prefix('@').unwrap_or(word);
        if let Some(n) = word.strip_prefix("replica-") {
            let replicas = self.cluster.replicas();
            let index = n.parse::<usize>().ok().filter(|i| (1..=replicas.len()).contains(i));
            return index.map(|i| Target::Node(replicas[i - 1])).ok_or_else(|| {
                Error::invalid(format!(
                    "no replica-{n}: the cluster has {} replica{} (replica-1 … replica-{})",
                    replicas.len(),
                    if replicas.len() == 1 { "" } else { "s" },
                    replicas.len()
                ))
            });
        }
        match word {
            "router" => Ok(Target::Router),
            "primary" => Ok(Target::Primary),
            name => Ok(Target::Node(self.cluster.find_node(name)?)),
        }
    }

    /// `session NAME [synchronous_commit=MODE] [ryw=STRATEGY] [window=DUR] [timeout=DUR]`.
    fn cmd_session(&mut self, rest: &str) -> Result<String, Error> {
        let (name, options) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        if name.is_empty() || name.contains('=') {
            return Err(Error::invalid(
                "expected `session NAME [synchronous_commit=MODE] [ryw=STRATEGY]`",
            ));
        }
        let options = parse_options(options)?;
        if options.is_empty() {
            return Err(Error::invalid("session needs synchronous_commit=MODE or ryw=STRATEGY"));
        }
        let option = |key: &str| options.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
        // window= and timeout= tune a strategy: the one given, or the session's current one.
        let strategy = option("ryw").unwrap_or(self.cluster.client_session(name).ryw.name());
        for (key, _) in options.iter().filter(|(k, _)| matches!(*k, "window" | "timeout")) {
            strategy_option_fits(strategy, key)?;
        }
        let tunes_only =
            option("ryw").is_none() && (option("window").or(option("timeout")).is_some());
        if tunes_only {
            let ryw = Ryw::parse(strategy, option("window"), option("timeout"))?;
            self.cluster.set_session_ryw(name, ryw);
        }
        for (key, value) in &options {
            match *key {
                "synchronous_commit" if *value == "default" => {
                    self.cluster.set_session_commit(name, None)
                }
                "synchronous_commit" => self.cluster.set_session_commit(name, Some(value.parse()?)),
                "ryw" => {
                    let ryw = Ryw::parse(value, option("window"), option("timeout"))?;
                    self.cluster.set_session_ryw(name, ryw);
                }
                "window" | "timeout" => {}
                _ => {
                    return Err(unknown_option(
                        "session",
                        key,
                        "synchronous_commit, ryw, window, timeout",
                    ))
                }
            }
        }
        let state = self.cluster.client_session(name);
        Ok(format!(
            "session {name}: synchronous_commit = {}, read-after-write = {}\n",
            self.cluster.session_commit(name),
            state.ryw
        ))
    }

    /// `router [policy=round-robin|least-lag|weights] [weights=pg2:3,pg3:1] [max_lag=DUR] [max_lag_bytes=N]`.
    fn cmd_router(&mut self, rest: &str) -> Result<String, Error> {
        let mut config = self.cluster.router().clone();
        for (key, value) in parse_options(rest)? {
            match key {
                "policy" => config.policy = value.parse()?,
                "max_lag" if value == "off" => config.max_lag_ms = None,
                "max_lag" => config.max_lag_ms = Some(parse_duration(key, value)?),
                "max_lag_bytes" if value == "off" => config.max_lag_bytes = None,
                "max_lag_bytes" => {
                    config.max_lag_bytes = Some(parse_bytes(value).ok_or_else(|| {
                        Error::invalid(format!(
                            "max_lag_bytes: expected a size such as 64kB, got \"{value}\""
                        ))
                    })?)
                }
                "weights" => config.weights = self.cluster.parse_node_numbers(key, value, 1_000)?,
                _ => {
                    return Err(unknown_option(
                        "router",
                        key,
                        "policy, weights, max_lag, max_lag_bytes",
                    ))
                }
            }
        }
        self.cluster.set_router(config)?;
        let c = self.cluster.router();
        let weights: Vec<String> = match c.policy {
            Policy::Weighted => c.weights.iter().map(|(id, w)| format!("{id}:{w}")).collect(),
            _ => Vec::new(),
        };
        Ok(format!(
            "router: policy {}{}, max_replication_lag {}, max lag bytes {}\n",
            c.policy,
            if weights.is_empty() { String::new() } else { format!(" ({})", weights.join(",")) },
            c.max_lag_ms.map_or("off".to_string(), format_millis),
            c.max_lag_bytes.map_or("off".to_string(), |b| b.to_string()),
        ))
    }

    /// `failover [auto=on|off] [ttl=DUR] [loop_wait=DUR] [maximum_lag_on_failover=SIZE]`.
    fn cmd_failover(&mut self, rest: &str) -> Result<String, Error> {
        let mut config = self.cluster.failover_config().clone();
        for (key, value) in parse_options(rest)? {
            match key {
                "auto" => config.auto = parse_switch(key, value)?,
                "fencing" => config.fencing = parse_switch(key, value)?,
                "ttl" => config.ttl_ms = parse_duration(key, value)?,
                "loop_wait" => config.loop_wait_ms = parse_duration(key, value)?,
                "priority" => {
                    let priorities = self.cluster.parse_node_numbers(key, value, 1_000)?;
                    config.priorities.extend(priorities);
                }
                "maximum_lag_on_failover" => {
                    config.maximum_lag_on_failover = parse_bytes(value).ok_or_else(|| {
                        Error::invalid(format!("{key}: expected a size, got \"{value}\""))
                    })?
                }
                _ => {
                    return Err(unknown_option(
                        "failover",
                        key,
                        "auto, fencing, ttl, loop_wait, maximum_lag_on_failover, priority",
                    ))
                }
            }
        }
        self.cluster.set_failover(config)?;
        let c = self.cluster.failover_config();
        Ok(format!(
            "failover: auto {}, fencing {}, ttl {}, loop_wait {}, maximum_lag_on_failover {}; primary {} on timeline {}\n",
            if c.auto { "on" } else { "off" },
            if c.fencing { "on" } else { "off" },
            format_millis(c.ttl_ms),
            format_millis(c.loop_wait_ms),
            super::cluster::format_bytes(c.maximum_lag_on_failover),
            self.cluster.primary(),
            self.cluster.timeline()
        ))
    }

    /// `endpoint [ttl=DUR]`: the primary's DNS name, where it points, and clients' cached answers.
    fn cmd_endpoint(&mut self, rest: &str) -> Result<String, Error> {
        for (key, value) in parse_options(rest)? {
            match key {
                "ttl" => self.cluster.set_endpoint_ttl(parse_duration(key, value)?),
                _ => return Err(unknown_option("endpoint", key, "ttl")),
            }
        }
        let endpoint = self.cluster.endpoint();
        let mut out = format!(
            "endpoint {} → {} (ttl {})\n",
            endpoint.name,
            endpoint.target,
            format_millis(endpoint.ttl_ms)
        );
        for (session, cached) in self.cluster.cached_endpoint_answers() {
            let _ = writeln!(
                out,
                "  {session} cached {} until {}",
                cached.node,
                format_millis(cached.expires_ms)
            );
        }
        Ok(out)
    }

    /// `cache [on|off] [ttl=DUR] [invalidate=on|off]`: the read cache; alone, its counters.
    fn cmd_cache(&mut self, rest: &str) -> Result<String, Error> {
        let (switch, options) = match rest.split_once(char::is_whitespace) {
            Some((first, others)) if !first.contains('=') => (Some(first), others),
            None if !rest.is_empty() && !rest.contains('=') => (Some(rest), ""),
            _ => (None, rest),
        };
        let mut config = self.cluster.cache_config().clone();
        let options = parse_options(options)?;
        if let Some(switch) = switch {
            config.enabled = parse_switch("cache", switch)?;
        }
        for (key, value) in &options {
            match *key {
                "ttl" => config.ttl_ms = parse_duration(key, value)?,
                "invalidate" => config.invalidate_on_write = parse_switch(key, value)?,
                _ => return Err(unknown_option("cache", key, "ttl, invalidate")),
            }
        }
        if switch.is_some() || !options.is_empty() {
            self.cluster.set_cache(config);
        }
        let c = self.cluster.cache_config();
        if !c.enabled {
            return Ok("read cache: off\n".to_string());
        }
        Ok(format!(
            "read cache: on, ttl {}, invalidate on write {}; {}\n",
            format_millis(c.ttl_ms),
            if c.invalidate_on_write { "on" } else { "off" },
            self.cluster.cache_stats()
        ))
    }

    /// `check`: the consistency checker over the history so far.
    fn cmd_check(&self) -> String {
        let findings = checker::check(self.cluster.history(), &self.cluster);
        if findings.is_empty() {
            let ops = self.cluster.history().records().len();
            return format!("no anomalies in {ops} operations\n");
        }
        let mut out = String::new();
        for finding in &findings {
            out.push_str(&finding.to_string());
        }
        out
    }

    fn cmd_set(&mut self, rest: &str) -> Result<String, Error> {
        let (name, value) = rest
            .split_once('=')
            .or_else(|| rest.split_once(" to "))
            .ok_or_else(|| Error::invalid("expected `set NAME = VALUE`"))?;
        let name = name.trim();
        let shown = self.cluster.set(name, value.trim())?;
        let mut out = format!("{name} = {shown}\n");
        out.push_str(&self.render_finished(true));
        Ok(out)
    }

    fn cmd_show(&mut self, rest: &str) -> Result<String, Error> {
        if rest == "all" {
            let mut out = String::new();
            for (name, _) in SETTINGS {
                let _ = writeln!(out, "{name} = {}", self.cluster.show(name)?);
            }
            return Ok(out);
        }
        Ok(format!("{rest} = {}\n", self.cluster.show(rest)?))
    }

    fn cmd_link(&mut self, rest: &str) -> Result<String, Error> {
        let (name, options) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let replica = self.cluster.find_node(name)?;
        let options = parse_options(options)?;
        if options.is_empty() {
            return Err(Error::invalid("link needs at least one of delay=, jitter=, loss="));
        }
        for (key, value) in options {
            match key {
                "delay" => self.cluster.set_link_delay(replica, parse_duration(key, value)?)?,
                "jitter" => self.cluster.set_link_jitter(replica, parse_duration(key, value)?)?,
                "loss" => self.cluster.set_link_loss(replica, parse_probability(key, value)?)?,
                _ => return Err(unknown_option("link", key, "delay, jitter, loss")),
            }
        }
        let link = &self.cluster.link(replica).expect("checked by the setters").link;
        Ok(format!(
            "link {replica}: delay {}, jitter {}, loss {}\n",
            format_millis(link.delay_ms),
            format_millis(link.jitter_ms),
            link.loss
        ))
    }

    fn cmd_partition(&mut self, rest: &str) -> Result<String, Error> {
        let (name, options) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let replica = self.cluster.find_node(name)?;
        let (mut down, mut up) = (true, true);
        for (key, value) in parse_options(options)? {
            match (key, value) {
                ("from", "manager") => {
                    self.cluster.partition_from_manager(replica)?;
                    return Ok(format!(
                        "{replica} cut off from the failover manager (clients still reach it)\n"
                    ));
                }
                ("from", other) => {
                    return Err(Error::invalid(format!(
                        "from: expected manager (or no from= for the replication link), got \"{other}\""
                    )))
                }
                ("way", "both") => (down, up) = (true, true),
                ("way", "down") => (down, up) = (true, false),
                ("way", "up") => (down, up) = (false, true),
                ("way", other) => {
                    return Err(Error::invalid(format!(
                        "way: expected both, down or up, got \"{other}\""
                    )))
                }
                _ => return Err(unknown_option("partition", key, "way, from")),
            }
        }
        self.cluster.partition(replica, down, up)?;
        Ok(format!(
            "link to {replica} cut ({})\n",
            match (down, up) {
                (true, true) => "both ways",
                (true, false) => "primary → replica",
                _ => "replica → primary",
            }
        ))
    }

    fn cmd_heal(&mut self, rest: &str) -> Result<String, Error> {
        let replica = match rest {
            "" => None,
            name => Some(self.cluster.find_node(name)?),
        };
        let manager_cut: Vec<NodeId> = self.cluster.manager_partitions().collect();
        let has_link =
            replica.and_then(|id| self.cluster.link(id)).is_some_and(|link| link.is_cut());
        self.cluster.heal(replica)?;
        let mut out = match replica {
            Some(id) if has_link => format!("link to {id} healed\n"),
            Some(_) => String::new(),
            None => "all links healed\n".to_string(),
        };
        for id in manager_cut.into_iter().filter(|id| replica.is_none_or(|r| r == *id)) {
            let _ = writeln!(out, "{id} reachable by the failover manager again");
        }
        out.push_str(&self.render_finished(true));
        Ok(out)
    }

    fn cmd_replica(&mut self, rest: &str) -> Result<String, Error> {
        let (name, options) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let id = self.cluster.find_node(name)?;
        let options = parse_options(options)?;
        if options.is_empty() {
            return Err(Error::invalid("replica needs apply_delay=, replay=pause|resume or slow="));
        }
        for (key, value) in options {
            match (key, value) {
                ("apply_delay", v) => self.cluster.set_apply_delay(id, parse_duration(key, v)?)?,
                ("replay", "pause") => self.cluster.set_replay_paused(id, true)?,
                ("replay", "resume") => self.cluster.set_replay_paused(id, false)?,
                ("replay", other) => {
                    return Err(Error::invalid(format!(
                        "replay: expected pause or resume, got \"{other}\""
                    )))
                }
                ("slow", v) => {
                    self.cluster.set_replay_slowdown(id, parse_number(key, v, 1, 1_000)? as u32)?
                }
                _ => return Err(unknown_option("replica", key, "apply_delay, replay, slow")),
            }
        }
        let node = self.cluster.node(id);
        Ok(format!(
            "{id}: recovery_min_apply_delay {}, replay {}, slowdown {}×\n",
            format_millis(node.apply_delay_ms),
            if node.replay_paused { "paused" } else { "running" },
            node.replay_slowdown
        ))
    }

    fn cmd_load(&mut self, rest: &str) -> Result<String, Error> {
        match rest {
            "" => {
                return Ok(self
                    .cluster
                    .load()
                    .map_or("no load has run\n".to_string(), |l| l.render()));
            }
            "stop" => {
                self.cluster.stop_load();
                return Ok("load stopped\n".to_string());
            }
            _ => {}
        }
        let mut spec = LoadSpec::default();
        for (key, value) in parse_options(rest)? {
            match key {
                "rate" => {
                    spec.rate_per_s = parse_number(key, value.trim_end_matches("/s"), 1, 100_000)?
                }
                "read_ratio" => spec.read_ratio = parse_share(key, value)?,
                "heavy" => spec.heavy_ratio = parse_share(key, value)?,
                "sessions" => spec.sessions = parse_number(key, value, 1, 10_000)? as usize,
                "duration" => spec.duration_ms = parse_duration(key, value)?,
                "users" => spec.users = parse_number(key, value, 1, 1_000_000_000)?,
                "target" => spec.target = self.parse_target(value)?,
                "prefill" => spec.prefill_rows = parse_number(key, value, 0, 1_000_000)?,
                _ => {
                    return Err(unknown_option(
                        "load",
                        key,
                        "rate, read_ratio, heavy, sessions, duration, users, target, prefill",
                    ))
                }
            }
        }
        self.cluster.start_load(spec)?;
        self.cluster.take_finished(); // the setup DDL
        Ok("load started\n".to_string())
    }

    fn cmd_advance(&mut self, rest: &str) -> Result<String, Error> {
        let ms = parse_duration("advance", rest)?;
        self.cluster.advance(ms);
        let mut out = format!("t = {}\n", format_millis(self.cluster.now_ms()));
        out.push_str(&self.render_finished(true));
        Ok(out)
    }

    fn cmd_settle(&mut self, rest: &str) -> Result<String, Error> {
        let mut max_ms: Millis = 600_000;
        for (key, value) in parse_options(rest)? {
            match key {
                "max" => max_ms = parse_duration(key, value)?,
                _ => return Err(unknown_option("settle", key, "max")),
            }
        }
        let deadline = self.cluster.now_ms() + max_ms;
        while !self.is_settled() && self.cluster.now_ms() < deadline {
            self.cluster.advance(100.min(deadline - self.cluster.now_ms()));
        }
        let state = if self.is_settled() { "settled" } else { "not settled (max reached)" };
        let mut out = format!("t = {}: {state}\n", format_millis(self.cluster.now_ms()));
        out.push_str(&self.render_finished(true));
        Ok(out)
    }

    /// No client statement in flight, no load running, every streaming replica caught up.
    fn is_settled(&self) -> bool {
        let c = &self.cluster;
        let end = c.node(c.primary()).wal.end();
        let replicas_done = c.members().filter(|n| n.id != c.primary()).all(|n| {
            n.replay_lsn == end
                || !n.is_running()
                || n.receiver != super::node::Receiver::Streaming
                || n.replay_paused
        });
        let load_done = c.load().is_none_or(|l| l.finished);
        c.in_progress().is_empty() && replicas_done && load_done
    }

    fn cmd_metrics(&mut self, rest: &str) -> Result<String, Error> {
        if rest == "cache" {
            let ratios: Vec<String> = self
                .cluster
                .metrics()
                .cache_hit_ratio
                .points()
                .rev()
                .take(10)
                .rev()
                .map(|(_, r)| format!("{:.0}%", r * 100.0))
                .collect();
            let shown = if ratios.is_empty() { "-".to_string() } else { ratios.join(" ") };
            return Ok(format!("   hit ratio: {shown}\n{}\n", self.cluster.cache_stats()));
        }
        let id = self.cluster.find_node(rest)?;
        let m = self.cluster.metrics().node(id);
        let mut out = String::new();
        let series = [
            ("lag_ms", &m.lag_ms),
            ("lag_bytes", &m.lag_bytes),
            ("stmts/s", &m.statements_per_s),
            ("cpu", &m.cpu),
            ("write_p50_ms", &m.write_p50_ms),
            ("write_p99_ms", &m.write_p99_ms),
        ];
        for (name, s) in series {
            let show =
                |v: f64| if name == "cpu" { format!("{:.0}%", v * 100.0) } else { format_value(v) };
            let recent: Vec<String> =
                s.points().rev().take(10).rev().map(|(_, v)| show(*v)).collect();
            let _ = writeln!(
                out,
                "{name:>12}: {}",
                if recent.is_empty() { "-".to_string() } else { recent.join(" ") }
            );
        }
        Ok(out)
    }

    fn on_node(
        &mut self,
        name: &str,
        action: impl FnOnce(&mut Cluster, NodeId) -> Result<(), Error>,
    ) -> Result<NodeId, Error> {
        let id = self.cluster.find_node(name)?;
        action(&mut self.cluster, id)?;
        Ok(id)
    }

    /// Renders replies that finished since last asked; `timed` adds when each arrived.
    fn render_finished(&mut self, timed: bool) -> String {
        let mut out = String::new();
        for reply in self.cluster.take_finished() {
            if timed {
                let at = reply.done_ms.map(format_millis).unwrap_or_default();
                let _ = writeln!(out, "[{at}] op {} ({}):", reply.op.0, reply.session);
            }
            out.push_str(&render_reply(&reply));
        }
        out
    }

    fn render_new_events(&mut self) -> String {
        let log = self.cluster.events();
        let mut out = String::new();
        for event in log.since(self.events_seen) {
            let _ = writeln!(out, "{event}");
        }
        self.events_seen = log.total();
        if out.is_empty() {
            out.push_str("(no new events)\n");
        }
        out
    }
}

/// `on` or `off`.
fn parse_switch(key: &str, value: &str) -> Result<bool, Error> {
    match value {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(Error::invalid(format!("{key}: expected on or off, got \"{value}\""))),
    }
}

/// `commit=` presets for `cluster`.
fn apply_commit_preset(config: &mut ClusterConfig, value: &str) -> Result<(), Error> {
    let s = &mut config.settings;
    match value {
        "async" => s.synchronous_standby_names = StandbyNames::default(),
        "semi-sync" => s.semi_sync.enabled = true,
        mode => {
            s.synchronous_commit = mode.parse()?;
            if s.synchronous_commit.standby_position().is_some() {
                s.synchronous_standby_names = StandbyNames::parse("FIRST 1 (*)")?;
            }
        }
    }
    Ok(())
}

/// Renders a reply like a psql transcript, naming the node that answered each statement and
/// how long an answer took when it was not instant.
pub fn render_reply(reply: &Reply) -> String {
    let mut out = String::new();
    if let Some(error) = &reply.error {
        let _ = writeln!(out, "{}", error.render_with_source(&reply.input));
    }
    for statement in &reply.statements {
        let latency = match statement.latency_ms() {
            0 => String::new(),
            ms => format!(" after {}", format_millis(ms)),
        };
        let source = match statement.cached_at_ms {
            Some(stored_ms) => format!(", from the cache, stored at {}", format_millis(stored_ms)),
            None => String::new(),
        };
        let route = statement.route.as_ref().map_or(String::new(), |why| format!(" [{why}]"));
        let who =
            format!("{} ({}{source}){latency}{route}", statement.node, statement.role.as_str());
        match &statement.result {
            Ok(outcome) => {
                let _ = writeln!(out, "{who}: {}", outcome.render().trim_end());
            }
            Err(error) => {
                let _ = writeln!(out, "{who}: {}", error.render_with_source(&statement.sql));
            }
        }
    }
    out
}

fn format_value(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

fn strip_comment(line: &str) -> &str {
    // A `#` inside SQL quotes is SQL, not a comment.
    let mut in_quote = false;
    for (i, c) in line.char_indices() {
        match c {
            '\'' => in_quote = !in_quote,
            '#' if !in_quote => return &line[..i],
            _ => {}
        }
    }
    line
}

fn no_args(rest: &str, verb: &str) -> Result<(), Error> {
    match rest.trim() {
        "" => Ok(()),
        extra => Err(Error::invalid(format!("{verb} takes no arguments, got \"{extra}\""))),
    }
}

fn parse_options(text: &str) -> Result<Vec<(&str, &str)>, Error> {
    text.split_whitespace()
        .map(|word| {
            word.split_once('=')
                .filter(|(k, v)| !k.is_empty() && !v.is_empty())
                .ok_or_else(|| Error::invalid(format!("expected key=value, got \"{word}\"")))
        })
        .collect()
}

fn unknown_option(verb: &str, key: &str, known: &str) -> Error {
    Error::invalid(format!("{verb}: unknown option \"{key}\" (expected {known})"))
}

/// `window=` tunes `ryw=primary` and `timeout=` tunes `ryw=lsn`; either with another strategy
/// would be silently ignored, so it is an error instead.
fn strategy_option_fits(strategy: &str, key: &str) -> Result<(), Error> {
    let (fits, what) = match key {
        "window" => ("primary", "how long reads go to the primary after a write"),
        _ => ("lsn", "how long a read waits for a replica to replay the session's last commit"),
    };
    if strategy == fits {
        return Ok(());
    }
    Err(Error::invalid(format!(
        "session: {key}= goes with ryw={fits} ({what}), not with ryw={strategy}"
    )))
}

fn parse_number(key: &str, value: &str, min: u64, max: u64) -> Result<u64, Error> {
    value.parse::<u64>().ok().filter(|n| (min..=max).contains(n)).ok_or_else(|| {
        Error::invalid(format!(
            "{key}: expected a whole number from {min} to {max}, got \"{value}\""
        ))
    })
}

fn parse_duration(key: &str, value: &str) -> Result<Millis, Error> {
    parse_millis(value).ok_or_else(|| {
        Error::invalid(format!(
            "{key}: expected a duration such as 500ms, 2s or 1m, got \"{value}\""
        ))
    })
}

fn parse_probability(key: &str, value: &str) -> Result<f64, Error> {
    value.parse::<f64>().ok().filter(|p| (0.0..=0.9).contains(p)).ok_or_else(|| {
        Error::invalid(format!("{key}: expected a probability from 0 to 0.9, got \"{value}\""))
    })
}

fn parse_share(key: &str, value: &str) -> Result<f64, Error> {
    value.parse::<f64>().ok().filter(|p| (0.0..=1.0).contains(p)).ok_or_else(|| {
        Error::invalid(format!("{key}: expected a share from 0 to 1, got \"{value}\""))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_outside_quotes_are_dropped() {
        assert_eq!(strip_comment("advance 1s # wait"), "advance 1s ");
        assert_eq!(strip_comment("sql: SELECT '#1' # c"), "sql: SELECT '#1' ");
    }

    #[test]
    fn bad_lines_carry_their_line_number() {
        let mut scenario = Scenario::default();
        let (out, errors) = scenario.run_script("cluster\n\nfly away\nadvance 1s\n", false);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 3);
        assert!(out.contains("line 3: unknown command \"fly\""), "{out}");
        assert!(!out.contains("advance"), "stops at the first error");
        let (_, errors) = Scenario::default().run_script("fly\nadvance x\nadvance 1s", true);
        assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), vec![1, 2]);
    }

    #[test]
    fn options_are_checked() {
        let mut scenario = Scenario::default();
        for bad in [
            "cluster replicas=9",
            "cluster colour=red",
            "cluster commit=sometimes",
            "link pg9 delay=1s",
            "link pg1 delay=1s",
            "link pg2 loss=2",
            "sql pg2 colour=red: SELECT 1",
            "sql SELECT 1",
            "partition pg2 way=sideways",
            "replica pg1 replay=pause",
            "replica pg2 slow=0",
            "set fsync = off",
            "set synchronous_commit = sometimes",
            "load rate=0",
            "crash pg7",
            "restart pg2",
        ] {
            assert!(scenario.run_line(bad).is_err(), "{bad} should be refused");
        }
    }
}
