//! # Scenarios: commands applied to a cluster, with a transcript
//!
//! [`Scenario::apply`] is the one place where a [`Command`] — from a script line, a click in
//! the page or a golden test — changes the cluster; it returns what a person reads back, like
//! a psql session would. Scripts are one command per line (the language is in
//! [`super::command`] and `docs/scenarios.md`); `#` starts a comment outside SQL quotes.
//!
//! A line that does not parse, or names a node that does not exist, is an error reported with
//! its line number; [`Scenario::run_script`] stops there unless asked to keep going. SQL
//! errors are not script errors: they are output, as they would be in psql.

use crate::engine::vecmap::VecMap;
use std::collections::VecDeque;
use std::fmt::Write as _;

use super::checker;
use super::cluster::{Cluster, ClusterConfig, LoadSpec, Policy, Reply, Ryw, SETTINGS};
use super::command::parse::{self, format_bytes};
use super::command::{
    CacheChange, ClusterSpec, Command, CommitPreset, FailoverChange, LinkChange, LoadOptions,
    MetricsOf, NodeRef, ReplicaChange, RouterChange, RywStrategy, SessionChange,
};
use super::event::Way;
use super::node::Receiver;
use super::{format_millis, Error, Millis, NodeId};

/// Answers kept for a page that has not taken them yet.
const REPLIES_KEPT: usize = 1_000;

/// A scenario being run: the cluster and the position in its event log.
#[derive(Clone, Debug)]
pub struct Scenario {
    cluster: Cluster,
    events_seen: u64,
    /// How many times a `cluster` command started over.
    generation: u64,
    /// Answers rendered in transcripts, kept for a caller that shows them its own way.
    replies: VecDeque<Reply>,
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

/// Whether a script line holds a command at all (not blank, not only a comment or `>`).
pub fn is_command_line(line: &str) -> bool {
    let line = parse::strip_comment(line).trim();
    !line.is_empty() && line != ">"
}

impl Scenario {
    /// A scenario on a fresh cluster.
    pub fn new(config: ClusterConfig) -> Self {
        Self {
            cluster: Cluster::new(config),
            events_seen: 0,
            generation: 0,
            replies: VecDeque::new(),
        }
    }

    /// The cluster as it stands.
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// Counts the `cluster` commands run so far: a change means a fresh cluster.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Answers that finished since last asked, oldest first (the page shows them as cards).
    pub fn take_replies(&mut self) -> Vec<Reply> {
        self.collect_finished();
        self.replies.drain(..).collect()
    }

    /// Parses and applies one line; returns its output (each line ends in a newline).
    pub fn run_line(&mut self, line: &str) -> Result<String, Error> {
        if !is_command_line(line) {
            return Ok(String::new());
        }
        self.apply(&line.parse()?)
    }

    /// Applies one command and returns its output.
    pub fn apply(&mut self, command: &Command) -> Result<String, Error> {
        match command {
            Command::Cluster(spec) => Ok(self.start_cluster(spec)),
            Command::Sql { target, session, text } => {
                let target = target.resolve(&self.cluster)?;
                let session = session.as_deref().unwrap_or("default");
                let op = self.cluster.submit(session, target, text);
                self.cluster.advance(0);
                let mut out = self.render_finished(false);
                if self.cluster.in_progress().iter().any(|r| r.op == op) {
                    let waiting = self.cluster.waiting_for(op).unwrap_or_default();
                    let _ = writeln!(out, "… op {} in progress: {waiting}", op.0);
                }
                Ok(out)
            }
            Command::Session(change) => self.change_session(change),
            Command::Commit(preset) => self.set_commit(*preset),
            Command::Router(change) => self.change_router(change),
            Command::Failover(change) => self.change_failover(change),
            Command::Promote(node) => {
                let id = self.on_node(*node, Cluster::promote)?;
                Ok(format!("{id}: promotion started\n") + &self.render_finished(true))
            }
            Command::Switchover(node) => {
                let id = self.on_node(*node, Cluster::switchover)?;
                Ok(format!("{id}: switchover started\n"))
            }
            Command::Endpoint { ttl_ms } => Ok(self.endpoint(*ttl_ms)),
            Command::Cache(change) => Ok(self.cache(change)),
            Command::Set { name, value } => {
                let shown = self.cluster.set(name, value)?;
                Ok(format!("{name} = {shown}\n") + &self.render_finished(true))
            }
            Command::Show(None) => {
                let mut out = String::new();
                for (name, _) in SETTINGS {
                    let _ = writeln!(out, "{name} = {}", self.cluster.show(name)?);
                }
                Ok(out)
            }
            Command::Show(Some(name)) => Ok(format!("{name} = {}\n", self.cluster.show(name)?)),
            Command::Link(change) => self.change_link(change),
            Command::Partition { node, way } => {
                let id = node.resolve(&self.cluster)?;
                self.cluster.partition(id, way.cuts_down(), way.cuts_up())?;
                let shown = match way {
                    Way::Both => "both ways",
                    Way::Down => "primary → replica",
                    Way::Up => "replica → primary",
                };
                Ok(format!("link to {id} cut ({shown})\n"))
            }
            Command::PartitionManager(node) => {
                let id = self.on_node(*node, Cluster::partition_from_manager)?;
                Ok(format!("{id} cut off from the failover manager (clients still reach it)\n"))
            }
            Command::Heal(node) => self.heal(*node),
            Command::HealManager(node) => {
                let id = self.on_node(*node, Cluster::reconnect_manager)?;
                Ok(format!("{id} reachable by the failover manager again\n"))
            }
            Command::Crash(node) => {
                let id = self.on_node(*node, Cluster::crash)?;
                Ok(format!("{id} crashed\n"))
            }
            Command::Restart(node) => {
                let id = self.on_node(*node, Cluster::restart)?;
                Ok(format!("{id} restarting\n"))
            }
            Command::Cancel { session } => {
                self.cluster.cancel(session)?;
                self.cluster.advance(0);
                Ok(format!("cancel request sent for {session}\n") + &self.render_finished(true))
            }
            Command::Resync(node) => {
                let id = self.on_node(*node, Cluster::resync)?;
                Ok(format!("{id}: base backup started\n"))
            }
            Command::Replica(change) => self.change_replica(change),
            Command::AddReplica => {
                let id = self.cluster.add_replica()?;
                Ok(format!("{id} added; base backup started\n"))
            }
            Command::RemoveReplica(node) => {
                let id = self.on_node(*node, Cluster::remove_replica)?;
                Ok(format!("{id} removed\n"))
            }
            Command::Load(options) => self.start_load(options),
            Command::LoadStop => {
                self.cluster.stop_load();
                Ok("load stopped\n".to_string())
            }
            Command::LoadSummary => {
                Ok(self.cluster.load().map_or("no load has run\n".to_string(), |l| l.render()))
            }
            Command::Advance(ms) => {
                self.cluster.advance(*ms);
                let mut out = format!("t = {}\n", format_millis(self.cluster.now_ms()));
                out.push_str(&self.render_finished(true));
                Ok(out)
            }
            Command::Settle { max_ms } => Ok(self.settle(max_ms.unwrap_or(600_000))),
            Command::Check => Ok(self.check()),
            Command::Status => Ok(self.cluster.render_status() + "\n"),
            Command::Nodes => Ok(self.cluster.render_nodes() + "\n"),
            Command::Events => Ok(self.render_new_events()),
            Command::Metrics(of) => self.metrics(*of),
            Command::Slowlog => Ok(self.cluster.render_slow_log() + "\n"),
        }
    }

    fn start_cluster(&mut self, spec: &ClusterSpec) -> String {
        *self = Scenario { generation: self.generation + 1, ..Scenario::new(spec.config()) };
        let c = self.cluster.config();
        let s = self.cluster.settings();
        let semi = if s.semi_sync.enabled { ", semi-sync on" } else { "" };
        format!(
            "cluster: 1 primary + {} replica{}, link delay {}, seed {}, synchronous_commit = {}, synchronous_standby_names = {}{semi}\n",
            c.replicas,
            if c.replicas == 1 { "" } else { "s" },
            format_millis(c.link_delay_ms),
            c.seed,
            s.synchronous_commit,
            s.synchronous_standby_names
        )
    }

    fn change_session(&mut self, change: &SessionChange) -> Result<String, Error> {
        let name = change.name.as_str();
        let current = self.cluster.client_session(name).ryw;
        // window= and timeout= tune a strategy: the one given, or the session's current one.
        let strategy = change.ryw.unwrap_or_else(|| strategy_of(current));
        change.check_durations_fit(strategy)?;
        if change.ryw.is_some() || change.window_ms.is_some() || change.timeout_ms.is_some() {
            let ryw = ryw_of(strategy, change.window_ms, change.timeout_ms);
            self.cluster.set_session_ryw(name, ryw);
        }
        if let Some(commit) = change.commit {
            self.cluster.set_session_commit(name, commit);
        }
        let state = self.cluster.client_session(name);
        Ok(format!(
            "session {name}: synchronous_commit = {}, read-after-write = {}\n",
            self.cluster.session_commit(name),
            state.ryw
        ))
    }

    fn set_commit(&mut self, preset: CommitPreset) -> Result<String, Error> {
        let mut shown = Vec::new();
        for (name, value) in preset.settings() {
            shown.push(format!("{name} = {}", self.cluster.set(name, &value)?));
        }
        Ok(format!("commit {preset}: {}\n", shown.join(", ")) + &self.render_finished(true))
    }

    /// Nodes named in a per-node list must be in the cluster.
    fn members(&self, list: &[(NodeId, u32)]) -> Result<VecMap<NodeId, u32>, Error> {
        list.iter()
            .map(|(id, n)| NodeRef::Id(*id).resolve(&self.cluster).map(|id| (id, *n)))
            .collect()
    }

    fn change_router(&mut self, change: &RouterChange) -> Result<String, Error> {
        let mut config = self.cluster.router().clone();
        if let Some(policy) = change.policy {
            config.policy = policy;
        }
        if let Some(max_lag_ms) = change.max_lag_ms {
            config.max_lag_ms = max_lag_ms;
        }
        if let Some(max_lag_bytes) = change.max_lag_bytes {
            config.max_lag_bytes = max_lag_bytes;
        }
        if let Some(weights) = &change.weights {
            config.weights = self.members(weights)?;
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

    fn change_failover(&mut self, change: &FailoverChange) -> Result<String, Error> {
        let mut config = self.cluster.failover_config().clone();
        if let Some(auto) = change.auto {
            config.auto = auto;
        }
        if let Some(fencing) = change.fencing {
            config.fencing = fencing;
        }
        if let Some(ttl_ms) = change.ttl_ms {
            config.ttl_ms = ttl_ms;
        }
        if let Some(loop_wait_ms) = change.loop_wait_ms {
            config.loop_wait_ms = loop_wait_ms;
        }
        if let Some(bytes) = change.maximum_lag_on_failover {
            config.maximum_lag_on_failover = bytes;
        }
        if let Some(priorities) = &change.priorities {
            config.priorities = self.members(priorities)?;
        }
        self.cluster.set_failover(config)?;
        let c = self.cluster.failover_config();
        Ok(format!(
            "failover: auto {}, fencing {}, ttl {}, loop_wait {}, maximum_lag_on_failover {}; primary {} on timeline {}\n",
            parse::print_switch(c.auto),
            parse::print_switch(c.fencing),
            format_millis(c.ttl_ms),
            format_millis(c.loop_wait_ms),
            format_bytes(c.maximum_lag_on_failover),
            self.cluster.primary(),
            self.cluster.timeline()
        ))
    }

    /// The primary's DNS name, where it points, and clients' cached answers; `ttl` changes how
    /// long they cache it.
    fn endpoint(&mut self, ttl_ms: Option<Millis>) -> String {
        if let Some(ttl_ms) = ttl_ms {
            self.cluster.set_endpoint_ttl(ttl_ms);
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
        out
    }

    /// The read cache: changed if asked, then its counters.
    fn cache(&mut self, change: &CacheChange) -> String {
        let mut config = self.cluster.cache_config().clone();
        if let Some(enabled) = change.enabled {
            config.enabled = enabled;
        }
        if let Some(ttl_ms) = change.ttl_ms {
            config.ttl_ms = ttl_ms;
        }
        if let Some(invalidate) = change.invalidate {
            config.invalidate_on_write = invalidate;
        }
        if change != &CacheChange::default() {
            self.cluster.set_cache(config);
        }
        let c = self.cluster.cache_config();
        if !c.enabled {
            return "read cache: off\n".to_string();
        }
        format!(
            "read cache: on, ttl {}, invalidate on write {}; {}\n",
            format_millis(c.ttl_ms),
            parse::print_switch(c.invalidate_on_write),
            self.cluster.cache_stats()
        )
    }

    fn check(&self) -> String {
        let findings = checker::check(self.cluster.history(), &self.cluster);
        if findings.is_empty() {
            let ops = self.cluster.history().records().len();
            return format!("no anomalies in {ops} operations\n");
        }
        findings.iter().map(ToString::to_string).collect()
    }

    fn change_link(&mut self, change: &LinkChange) -> Result<String, Error> {
        let replica = change.node.resolve(&self.cluster)?;
        if let Some(delay_ms) = change.delay_ms {
            self.cluster.set_link_delay(replica, delay_ms)?;
        }
        if let Some(jitter_ms) = change.jitter_ms {
            self.cluster.set_link_jitter(replica, jitter_ms)?;
        }
        if let Some(loss) = change.loss {
            self.cluster.set_link_loss(replica, loss)?;
        }
        let link = &self.cluster.link(replica).expect("checked by the setters").link;
        Ok(format!(
            "link {replica}: delay {}, jitter {}, loss {}\n",
            format_millis(link.delay_ms),
            format_millis(link.jitter_ms),
            link.loss
        ))
    }

    fn heal(&mut self, node: Option<NodeRef>) -> Result<String, Error> {
        let replica = node.map(|n| n.resolve(&self.cluster)).transpose()?;
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

    fn change_replica(&mut self, change: &ReplicaChange) -> Result<String, Error> {
        let id = change.node.resolve(&self.cluster)?;
        if let Some(delay_ms) = change.apply_delay_ms {
            self.cluster.set_apply_delay(id, delay_ms)?;
        }
        if let Some(pause) = change.pause {
            self.cluster.set_replay_paused(id, pause)?;
        }
        if let Some(factor) = change.slow {
            self.cluster.set_replay_slowdown(id, factor)?;
        }
        let node = self.cluster.node(id);
        Ok(format!(
            "{id}: recovery_min_apply_delay {}, replay {}, slowdown {}×\n",
            format_millis(node.apply_delay_ms),
            if node.replay_paused { "paused" } else { "running" },
            node.replay_slowdown
        ))
    }

    fn start_load(&mut self, options: &LoadOptions) -> Result<String, Error> {
        let defaults = LoadSpec::default();
        let spec = LoadSpec {
            rate_per_s: options.rate_per_s.unwrap_or(defaults.rate_per_s),
            read_ratio: options.read_ratio.unwrap_or(defaults.read_ratio),
            heavy_ratio: options.heavy_ratio.unwrap_or(defaults.heavy_ratio),
            sessions: options.sessions.unwrap_or(defaults.sessions),
            duration_ms: options.duration_ms.unwrap_or(defaults.duration_ms),
            users: options.users.unwrap_or(defaults.users),
            target: match options.target {
                Some(target) => target.resolve(&self.cluster)?,
                None => defaults.target,
            },
            prefill_rows: options.prefill_rows.unwrap_or(defaults.prefill_rows),
            retain_ms: options.retain_ms.or(defaults.retain_ms),
        };
        self.cluster.start_load(spec)?;
        self.cluster.take_finished(); // the setup DDL
        Ok("load started\n".to_string())
    }

    fn settle(&mut self, max_ms: Millis) -> String {
        let deadline = self.cluster.now_ms().saturating_add(max_ms);
        while !self.is_settled() && self.cluster.now_ms() < deadline {
            self.cluster.advance(100.min(deadline - self.cluster.now_ms()));
        }
        let state = if self.is_settled() { "settled" } else { "not settled (max reached)" };
        let mut out = format!("t = {}: {state}\n", format_millis(self.cluster.now_ms()));
        out.push_str(&self.render_finished(true));
        out
    }

    /// No client statement in flight, no load running, every streaming replica caught up.
    fn is_settled(&self) -> bool {
        let c = &self.cluster;
        let end = c.node(c.primary()).wal.end();
        let replicas_done = c.members().filter(|n| n.id != c.primary()).all(|n| {
            n.replay_lsn == end
                || !n.is_running()
                || n.receiver != Receiver::Streaming
                || n.replay_paused
        });
        let load_done = c.load().is_none_or(|l| l.finished);
        c.in_progress().is_empty() && replicas_done && load_done
    }

    fn metrics(&self, of: MetricsOf) -> Result<String, Error> {
        let node = match of {
            MetricsOf::Cache => {
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
            MetricsOf::Node(node) => node,
        };
        let id = node.resolve(&self.cluster)?;
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
        node: NodeRef,
        action: impl FnOnce(&mut Cluster, NodeId) -> Result<(), Error>,
    ) -> Result<NodeId, Error> {
        let id = node.resolve(&self.cluster)?;
        action(&mut self.cluster, id)?;
        Ok(id)
    }

    /// Moves replies the cluster finished into the kept answers.
    fn collect_finished(&mut self) -> Vec<Reply> {
        let finished = self.cluster.take_finished();
        self.replies.extend(finished.iter().cloned());
        let excess = self.replies.len().saturating_sub(REPLIES_KEPT);
        self.replies.drain(..excess);
        finished
    }

    /// Lets time pass without rendering anything (replies wait for the next transcript, or
    /// for [`Scenario::take_replies`]).
    pub fn advance_quietly(&mut self, ms: Millis) {
        self.cluster.advance(ms);
    }

    /// Renders replies that finished since last asked; `timed` adds when each arrived.
    pub(super) fn render_finished(&mut self, timed: bool) -> String {
        let mut out = String::new();
        for reply in self.collect_finished() {
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

/// The strategy a session follows, by name.
pub fn strategy_of(ryw: Ryw) -> RywStrategy {
    match ryw {
        Ryw::None => RywStrategy::None,
        Ryw::Primary { .. } => RywStrategy::Primary,
        Ryw::Sticky => RywStrategy::Sticky,
        Ryw::Lsn { .. } => RywStrategy::Lsn,
        Ryw::Sync => RywStrategy::Sync,
    }
}

/// A strategy with its duration: the one given, else its default (`primary` 5 s, `lsn` 1 s).
/// Naming a strategy again resets a duration it was tuned to.
fn ryw_of(strategy: RywStrategy, window_ms: Option<Millis>, timeout_ms: Option<Millis>) -> Ryw {
    match strategy {
        RywStrategy::None => Ryw::None,
        RywStrategy::Sticky => Ryw::Sticky,
        RywStrategy::Sync => Ryw::Sync,
        RywStrategy::Primary => Ryw::Primary { window_ms: window_ms.unwrap_or(5_000) },
        RywStrategy::Lsn => Ryw::Lsn { timeout_ms: timeout_ms.unwrap_or(1_000) },
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_presets_set_the_three_settings() {
        let mut scenario = Scenario::default();
        let out = scenario.run_line("commit remote_apply").expect("a preset");
        assert_eq!(out, "commit remote_apply: synchronous_commit = remote_apply, synchronous_standby_names = FIRST 1 (*), rpl_semi_sync_source_enabled = off\n");
        let settings = scenario.cluster().settings();
        assert_eq!(
            CommitPreset::of(settings),
            Some(CommitPreset::Mode(super::super::commit::SyncCommit::RemoteApply))
        );
        scenario.run_line("commit quorum-2").expect("a preset");
        assert_eq!(
            scenario.cluster().show("synchronous_standby_names").as_deref(),
            Ok("ANY 2 (*)")
        );
        scenario.run_line("commit async").expect("a preset");
        assert_eq!(CommitPreset::of(scenario.cluster().settings()), Some(CommitPreset::Async));
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
