//! # UI state: one reducer over the engine
//!
//! [`Model`] wraps the simulated [`Cluster`] with what the page needs besides it: whether the
//! clock runs, at what speed, and the answers shown in the console. Every change goes through
//! [`Action`]; the reducer calls the engine and bumps [`Model::version`], which is what makes
//! two models unequal (the cluster itself is mutated in place rather than cloned per tick).
//!
//! The views ([`NodeView`], ...) are plain data cut from the engine for components' props.

use std::cell::{Ref, RefCell, RefMut};
use std::rc::Rc;

use yew::Reducible;

use crate::engine::checker;
use crate::engine::cluster::{
    parse_bytes, CacheConfig, CacheStats, FailoverConfig, Policy, RouterConfig, Ryw,
};
use crate::engine::event::{DemoteCause, EventKind};
use crate::engine::link::Flow;
use crate::engine::node::{NodeState, Receiver, Role};
use crate::engine::scenario::Scenario;
use crate::engine::{Cluster, ClusterConfig, Millis, NodeId, Reply, Target};

/// How many answers the console keeps.
pub const REPLIES_KEPT: usize = 30;

/// Speeds the clock can run at, as multiples of real time.
pub const SPEEDS: [u32; 4] = [1, 2, 5, 10];

/// Commit setups the toolbar offers: (key, label).
pub const COMMIT_PRESETS: [(&str, &str); 4] = [
    ("async", "async (default)"),
    ("sync-on", "sync: on"),
    ("sync-apply", "sync: remote_apply"),
    ("semi-sync", "MySQL semi-sync"),
];

/// Read-after-write strategies the console offers: (key, label).
pub const RYW_CHOICES: [(&str, &str); 5] = [
    ("none", "none"),
    ("primary", "read from the primary after a write"),
    ("sticky", "sticky session"),
    ("lsn", "version check (LSN), then wait"),
    ("sync", "synchronous apply on every replica"),
];

/// The settings behind a commit preset, as (name, value) pairs for [`Cluster::set`].
fn commit_preset_settings(key: &str) -> [(&'static str, &'static str); 3] {
    let (commit, names, semi) = match key {
        "sync-on" => ("on", "FIRST 1 (*)", "off"),
        "sync-apply" => ("remote_apply", "FIRST 1 (*)", "off"),
        "semi-sync" => ("on", "", "on"),
        _ => ("on", "", "off"),
    };
    [
        ("synchronous_commit", commit),
        ("synchronous_standby_names", names),
        ("rpl_semi_sync_source_enabled", semi),
    ]
}

/// The client sessions the console can act as (the lesson's story needs at least two: a user
/// who writes and reads back, and another who only reads). Each has its own strategy.
pub const SESSIONS: [&str; 3] = ["alice", "bob", "carol"];

/// Everything the page shows.
#[derive(Debug)]
pub struct Model {
    /// The cluster, inside the scenario runner that scripts drive it through.
    scenario: Rc<RefCell<Scenario>>,
    /// Bumped by every action that changed anything.
    pub version: u64,
    /// Whether simulated time flows with real time.
    pub running: bool,
    /// Multiple of real time at which the clock runs.
    pub speed: u32,
    /// The console's answers, oldest first.
    pub replies: Vec<Reply>,
    /// The last action the engine refused, in its words.
    pub notice: Option<String>,
    /// The consistency checker's findings, as of the last check (None: not run yet).
    pub findings: Option<Vec<FindingView>>,
    /// The transcript of the last scenario script run in the page.
    pub script_output: Option<String>,
    /// The client session the console acts as (one of [`SESSIONS`]).
    pub session: &'static str,
}

/// One checker finding, ready to show.
#[derive(Clone, Debug, PartialEq)]
pub struct FindingView {
    pub title: String,
    pub facts: Vec<String>,
}

impl PartialEq for Model {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.scenario, &other.scenario) && self.version == other.version
    }
}

impl Default for Model {
    fn default() -> Self {
        Self::new(ClusterConfig::default())
    }
}

/// What the learner (or the clock) can do.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// The timer fired: `real_ms` of real time passed while running.
    Tick { real_ms: Millis },
    /// Advance simulated time by a fixed step, running or not.
    Step { sim_ms: Millis },
    /// Start or stop the clock.
    SetRunning(bool),
    /// Change the clock's speed.
    SetSpeed(u32),
    /// Run SQL from the console.
    Run { target: Target, sql: String },
    /// Change a replica's link delay.
    SetLinkDelay { replica: NodeId, delay_ms: Millis },
    /// Crash a node.
    Crash(NodeId),
    /// Restart a crashed node.
    Restart(NodeId),
    /// Pause or resume WAL replay on a replica.
    SetReplayPaused { replica: NodeId, paused: bool },
    /// Rebuild a replica from a base backup.
    Resync(NodeId),
    /// `pg_promote()` on a replica.
    Promote(NodeId),
    /// A planned switchover to a replica.
    Switchover(NodeId),
    /// Switch the cluster's commit setup (a key of [`COMMIT_PRESETS`]).
    SetCommitPreset(&'static str),
    /// Set the console session's read-after-write strategy (a key of [`RYW_CHOICES`]).
    SetRyw(&'static str),
    /// Set the console session's strategy's duration: `primary`'s window, `lsn`'s timeout.
    SetRywDuration(Millis),
    /// Act as another client session (one of [`SESSIONS`]).
    SetSession(&'static str),
    /// Run the consistency checker over the history.
    Check,
    /// Run a scenario script (the language of `docs/scenarios.md`) against the cluster.
    RunScript(String),
    /// Turn automatic failover (Patroni's defaults: ttl 30 s, loop_wait 10 s) on or off.
    SetAutoFailover(bool),
    /// Change the failover manager's settings (fencing, ttl, loop_wait, ...).
    SetFailover(FailoverConfig),
    /// Set `maximum_lag_on_failover` from text like `1MB` or `16kB`.
    SetFailoverMaxLag(String),
    /// Set the failover priorities from text like `pg2:0, pg3:2` (unlisted: 1).
    SetFailoverPriorities(String),
    /// Change how reads are routed and the lag over which replicas are shunned.
    SetRouter { policy: Policy, max_lag_ms: Option<Millis> },
    /// Set the router's weights from text like `pg2:3, pg3:1` (for the `weights` policy).
    SetRouterWeights(String),
    /// Set the router's lag limit in bytes from text like `64kB` (empty: off).
    SetRouterMaxLagBytes(String),
    /// Change how long clients cache the primary endpoint's DNS answer.
    SetEndpointTtl(Millis),
    /// Turn the read cache on or off, or change its TTL or invalidation.
    SetCache(CacheConfig),
    /// Cut a node off from the failover manager (its DCS), or reconnect it.
    SetManagerPartition { node: NodeId, cut: bool },
    /// Start over with a fresh cluster.
    Reset,
}

impl Model {
    /// A model around a fresh cluster, clock running at real speed.
    pub fn new(config: ClusterConfig) -> Self {
        Self {
            scenario: Rc::new(RefCell::new(Scenario::new(config))),
            version: 0,
            running: true,
            speed: 1,
            replies: Vec::new(),
            notice: None,
            findings: None,
            script_output: None,
            session: SESSIONS[0],
        }
    }

    /// The cluster, for reading.
    pub fn cluster(&self) -> Ref<'_, Cluster> {
        Ref::map(self.scenario.borrow(), Scenario::cluster)
    }

    /// The cluster, for changing.
    fn cluster_mut(&self) -> RefMut<'_, Cluster> {
        RefMut::map(self.scenario.borrow_mut(), Scenario::cluster_mut)
    }

    /// One view per node still in the cluster, in id order.
    pub fn node_views(&self) -> Vec<NodeView> {
        let cluster = self.cluster();
        cluster.members().map(|n| NodeView::of(&cluster, n.id)).collect()
    }

    /// The console's statements still running or waiting, with what they wait for.
    pub fn pending(&self) -> Vec<(Reply, String)> {
        let cluster = self.cluster();
        cluster
            .in_progress()
            .into_iter()
            .map(|r| {
                let waiting = cluster.waiting_for(r.op).unwrap_or_default();
                (r, waiting)
            })
            .collect()
    }

    fn changed(&self, next: Self) -> Rc<Self> {
        Rc::new(Self { scenario: self.scenario.clone(), version: self.version + 1, ..next })
    }

    /// Which commit preset the cluster's settings match (`custom` when none does).
    pub fn commit_preset(&self) -> &'static str {
        let cluster = self.cluster();
        let matches = |key: &str| {
            commit_preset_settings(key).iter().all(|(name, value)| {
                let shown = cluster.show(name).unwrap_or_default();
                shown == *value || (shown == "''" && value.is_empty())
            })
        };
        COMMIT_PRESETS.iter().map(|(key, _)| *key).find(|key| matches(key)).unwrap_or("custom")
    }

    /// Runs the consistency checker over the history so far.
    fn check(&self) -> Vec<FindingView> {
        let cluster = self.cluster();
        checker::check(cluster.history(), &cluster)
            .iter()
            .map(|f| {
                let ops: Vec<String> =
                    f.ops.iter().filter(|id| **id > 0).map(|id| format!("#{id}")).collect();
                FindingView {
                    title: format!("{} (ops {})", f.anomaly.as_str(), ops.join(", ")),
                    facts: f.because.clone(),
                }
            })
            .collect()
    }

    /// The router, failover, endpoint and cache settings.
    pub fn settings_view(&self) -> SettingsView {
        let cluster = self.cluster();
        let endpoint = cluster.endpoint();
        SettingsView {
            policy: cluster.router().policy,
            max_lag_ms: cluster.router().max_lag_ms,
            max_lag_bytes: cluster.router().max_lag_bytes,
            weights: Cluster::format_node_numbers(&cluster.router().weights),
            priorities: Cluster::format_node_numbers(&cluster.failover_config().priorities),
            failover: cluster.failover_config().clone(),
            endpoint_name: endpoint.name.clone(),
            endpoint_target: endpoint.target.name(),
            endpoint_ttl_ms: endpoint.ttl_ms,
            cache: cluster.cache_config().clone(),
            cache_stats: cluster.cache_stats(),
        }
    }

    /// The last promotion, in words: who replaced whom, when, and how long writes were down.
    pub fn last_failover(&self) -> Option<String> {
        let cluster = self.cluster();
        let count = cluster.failovers().len();
        let last = cluster.failovers().last()?;
        let recovery = last.recovery_ms.map_or(String::new(), |ms| {
            format!(", recovery time {}", crate::engine::format_millis(ms))
        });
        Some(format!(
            "{} → {} at {} (timeline {}){recovery}; {count} promotion{} so far",
            last.old,
            last.new,
            crate::engine::format_millis(last.at_ms),
            last.timeline,
            if count == 1 { "" } else { "s" }
        ))
    }

    /// During a split brain, which nodes take writes and how far they diverged.
    pub fn split_brain(&self) -> Option<String> {
        self.cluster().split_brain_report()
    }

    /// The steps of failovers so far (newest last, at most [`TIMELINE_KEPT`]).
    pub fn failover_timeline(&self) -> Vec<TimelineEntry> {
        let cluster = self.cluster();
        let mut entries: Vec<TimelineEntry> = cluster
            .events()
            .iter()
            .rev()
            .filter_map(|e| {
                let kind = timeline_kind(&e.kind)?;
                Some(TimelineEntry {
                    at: crate::engine::format_millis(e.at_ms),
                    kind,
                    text: e.kind.to_string(),
                })
            })
            .take(TIMELINE_KEPT)
            .collect();
        entries.reverse();
        entries
    }

    /// Whether automatic failover is on.
    pub fn auto_failover(&self) -> bool {
        self.cluster().failover_config().auto
    }

    /// The console session's read-after-write strategy.
    pub fn ryw(&self) -> Ryw {
        self.cluster().client_session(self.session).ryw
    }

    /// Applies a fault or setting to the engine; a refusal becomes the notice.
    fn operate(&self, action: Action) -> Result<(), crate::engine::Error> {
        let mut cluster = self.cluster_mut();
        match action {
            Action::SetLinkDelay { replica, delay_ms } => cluster.set_link_delay(replica, delay_ms),
            Action::Crash(id) => cluster.crash(id),
            Action::Restart(id) => cluster.restart(id),
            Action::SetReplayPaused { replica, paused } => {
                cluster.set_replay_paused(replica, paused)
            }
            Action::Resync(id) => cluster.resync(id),
            Action::Promote(id) => cluster.promote(id),
            Action::Switchover(id) => cluster.switchover(id),
            Action::SetAutoFailover(auto) => {
                let config = FailoverConfig { auto, ..cluster.failover_config().clone() };
                cluster.set_failover(config)
            }
            Action::SetFailover(config) => cluster.set_failover(config),
            Action::SetFailoverMaxLag(text) => {
                let maximum_lag_on_failover = parse_size("maximum_lag_on_failover", &text)?;
                let config =
                    FailoverConfig { maximum_lag_on_failover, ..cluster.failover_config().clone() };
                cluster.set_failover(config)
            }
            Action::SetFailoverPriorities(text) => {
                let priorities = cluster.parse_node_numbers("priority", &text, 1_000)?;
                let config = FailoverConfig { priorities, ..cluster.failover_config().clone() };
                cluster.set_failover(config)
            }
            Action::SetRouter { policy, max_lag_ms } => {
                let config = RouterConfig { policy, max_lag_ms, ..cluster.router().clone() };
                cluster.set_router(config)
            }
            Action::SetRouterWeights(text) => {
                let weights = cluster.parse_node_numbers("weights", &text, 1_000)?;
                let config = RouterConfig { weights, ..cluster.router().clone() };
                cluster.set_router(config)
            }
            Action::SetRouterMaxLagBytes(text) => {
                let max_lag_bytes = match text.trim() {
                    "" => None,
                    size => Some(parse_size("max lag bytes", size)?),
                };
                let config = RouterConfig { max_lag_bytes, ..cluster.router().clone() };
                cluster.set_router(config)
            }
            Action::SetEndpointTtl(ttl_ms) => {
                cluster.set_endpoint_ttl(ttl_ms);
                Ok(())
            }
            Action::SetCache(config) => {
                cluster.set_cache(config);
                Ok(())
            }
            Action::SetManagerPartition { node, cut: true } => cluster.partition_from_manager(node),
            Action::SetManagerPartition { node, cut: false } => cluster.reconnect_manager(node),
            Action::SetCommitPreset(key) => commit_preset_settings(key)
                .iter()
                .try_for_each(|(name, value)| cluster.set(name, value).map(drop)),
            other => unreachable!("not an engine operation: {other:?}"),
        }
    }
}

impl Reducible for Model {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = Self {
            scenario: self.scenario.clone(),
            version: self.version,
            running: self.running,
            speed: self.speed,
            replies: self.replies.clone(),
            notice: None,
            findings: self.findings.clone(),
            script_output: self.script_output.clone(),
            session: self.session,
        };
        match action {
            Action::Tick { real_ms } => {
                if !self.running {
                    return self;
                }
                self.cluster_mut().advance(real_ms * u64::from(self.speed));
            }
            Action::Step { sim_ms } => self.cluster_mut().advance(sim_ms),
            Action::SetRunning(on) => next.running = on,
            Action::SetSpeed(multiple) => next.speed = multiple.clamp(1, 100),
            Action::Run { target, sql } => {
                let mut cluster = self.cluster_mut();
                match target {
                    // The console's choice may predate a script that rebuilt the cluster.
                    Target::Node(id) if !cluster.members().any(|n| n.id == id) => {
                        next.notice = Some(format!("no node named \"{id}\" any more"));
                    }
                    _ => {
                        cluster.submit(self.session, target, &sql);
                        cluster.advance(0);
                    }
                }
            }
            Action::RunScript(script) => {
                let mut scenario = self.scenario.borrow_mut();
                let generation = scenario.generation();
                let (transcript, errors) = scenario.run_script(&script, false);
                if scenario.generation() != generation {
                    // The script started a new cluster: answers and findings were about the old.
                    next.replies.clear();
                    next.findings = None;
                }
                next.notice = errors.first().map(|e| format!("script stopped at {e}"));
                next.script_output = Some(transcript);
                next.running = false; // a script sets the scene: look at it before time moves on
            }
            Action::SetLinkDelay { .. }
            | Action::Crash(_)
            | Action::Restart(_)
            | Action::SetReplayPaused { .. }
            | Action::Resync(_)
            | Action::Promote(_)
            | Action::Switchover(_)
            | Action::SetAutoFailover(_)
            | Action::SetFailover(_)
            | Action::SetFailoverMaxLag(_)
            | Action::SetFailoverPriorities(_)
            | Action::SetRouter { .. }
            | Action::SetRouterWeights(_)
            | Action::SetRouterMaxLagBytes(_)
            | Action::SetEndpointTtl(_)
            | Action::SetCache(_)
            | Action::SetManagerPartition { .. }
            | Action::SetCommitPreset(_) => {
                next.notice = self.operate(action).err().map(|e| e.to_string());
            }
            Action::SetRyw(key) => {
                let ryw = Ryw::parse(key, None, None).expect("the UI offers valid strategies");
                self.cluster_mut().set_session_ryw(self.session, ryw);
            }
            Action::SetRywDuration(ms) => {
                let ryw = match self.ryw() {
                    Ryw::Primary { .. } => Ryw::Primary { window_ms: ms },
                    Ryw::Lsn { .. } => Ryw::Lsn { timeout_ms: ms },
                    other => other,
                };
                self.cluster_mut().set_session_ryw(self.session, ryw);
            }
            Action::SetSession(name) => next.session = name,
            Action::Check => next.findings = Some(self.check()),
            Action::Reset => {
                let config = self.cluster().config().clone();
                return Rc::new(Self { version: self.version + 1, ..Self::new(config) });
            }
        }
        next.replies.extend(self.cluster_mut().take_finished());
        let excess = next.replies.len().saturating_sub(REPLIES_KEPT);
        next.replies.drain(..excess);
        self.changed(next)
    }
}

/// Parses router weights written as `pg2:3, pg3:1`.
/// A size typed as `1048576`, `64kB` or `1MB`.
fn parse_size(what: &str, text: &str) -> Result<u64, crate::engine::Error> {
    parse_bytes(text).ok_or_else(|| {
        crate::engine::Error::invalid(format!(
            "{what}: expected a size like 1MB, 64kB or 4096, got \"{}\"",
            text.trim()
        ))
    })
}

/// Failover steps the timeline keeps.
pub const TIMELINE_KEPT: usize = 24;

/// One step of a failover, for the timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct TimelineEntry {
    /// When, as `12.5s`.
    pub at: String,
    /// `fault`, `check`, `promote`, `fence`, `split`, `endpoint` or `repair` (a CSS class).
    pub kind: &'static str,
    pub text: String,
}

/// The timeline's class for an event, or `None` for events that are not failover steps.
fn timeline_kind(kind: &EventKind) -> Option<&'static str> {
    use EventKind as E;
    Some(match kind {
        E::Crashed { .. } | E::ManagerPartition { cut: true, .. } => "fault",
        E::HealthCheckFailed { .. } => "check",
        E::Promoted { .. } => "promote",
        E::EndpointMoved { .. } | E::EndpointReresolved { .. } => "endpoint",
        E::SplitBrain { .. } | E::SplitBrainWrite { .. } => "split",
        E::Fenced { .. } | E::Demoted { cause: DemoteCause::StaleReachable { .. }, .. } => "fence",
        E::FailoverBlocked { .. }
        | E::FailureDeclared { .. }
        | E::PromoteBehind { .. }
        | E::SwitchoverStarted { .. }
        | E::SwitchoverAbandoned
        | E::PromotionAbandoned { .. }
        | E::RecoveryTime { .. }
        | E::Demoted { .. }
        | E::Unfenced { .. }
        | E::Rewind { .. } => "step",
        E::Restarting { .. }
        | E::ManagerPartition { cut: false, .. }
        | E::BaseBackupDone { .. } => "repair",
        _ => return None,
    })
}

/// The settings panel's view of the router, failover manager, endpoint and cache.
#[derive(Clone, Debug, PartialEq)]
pub struct SettingsView {
    pub policy: Policy,
    pub max_lag_ms: Option<Millis>,
    /// The router's lag limit in bytes (pgpool-II's `delay_threshold`).
    pub max_lag_bytes: Option<u64>,
    /// The router's weights as `pg2:3, pg3:1` (unlisted replicas weigh 1).
    pub weights: String,
    pub failover: FailoverConfig,
    /// Failover priorities as `pg2:0, pg3:2` (unlisted: 1).
    pub priorities: String,
    pub endpoint_name: String,
    pub endpoint_target: String,
    pub endpoint_ttl_ms: Millis,
    pub cache: CacheConfig,
    pub cache_stats: CacheStats,
}

/// What a node card shows.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeView {
    pub id: NodeId,
    pub name: String,
    pub role: Role,
    /// Up, crashed, restarting, being rebuilt.
    pub state: NodeState,
    /// The timeline the node's WAL is on (it changes with each promotion).
    pub timeline: u64,
    /// A replica's connection to the primary: streaming, disconnected, needs re-sync, ...
    pub receiver: Receiver,
    /// Whether the link from the primary carries WAL (replicas only).
    pub link_down: Option<Flow>,
    /// Whether the link to the primary carries feedback (replicas only).
    pub link_up: Option<Flow>,
    /// WAL replay is paused (replicas).
    pub replay_paused: bool,
    /// How far the node has replayed (`0/3000148`).
    pub replay_lsn: String,
    /// Bytes of the primary's WAL not yet replayed here.
    pub lag_bytes: u64,
    /// How long the oldest unreplayed commit has waited.
    pub lag_ms: Millis,
    /// One-way delay of the link from the primary (replicas only).
    pub link_delay_ms: Option<Millis>,
    /// `(table, rows)` for each table, by name.
    pub tables: Vec<(String, usize)>,
    /// The primary the failover manager recognises.
    pub leader: bool,
    /// Running and still taking writes as a primary, though another node is the primary now:
    /// split brain.
    pub stale: bool,
    /// Cut off from the failover manager.
    pub manager_cut: bool,
}

impl NodeView {
    /// Cuts the view of one node out of the cluster.
    pub fn of(cluster: &Cluster, id: NodeId) -> Self {
        let node = cluster.node(id);
        let tables = node
            .db
            .table_names()
            .into_iter()
            .map(|t| {
                let rows = node.db.row_count(&t).unwrap_or(0);
                (t, rows)
            })
            .collect();
        Self {
            id,
            name: node.name(),
            role: node.role,
            state: node.state,
            timeline: node.timeline,
            receiver: node.receiver,
            link_down: cluster.link(id).map(|l| l.down),
            link_up: cluster.link(id).map(|l| l.up),
            replay_paused: node.replay_paused,
            replay_lsn: node.replay_lsn.to_string(),
            lag_bytes: cluster.replay_lag_bytes(id),
            lag_ms: cluster.replay_lag_ms(id),
            link_delay_ms: cluster.link(id).map(|l| l.link.delay_ms),
            tables,
            leader: cluster.primary() == id,
            stale: id != cluster.primary() && cluster.primaries().contains(&id),
            manager_cut: cluster.manager_partitions().any(|n| n == id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(model: Rc<Model>, target: Target, sql: &str) -> Rc<Model> {
        model.reduce(Action::Run { target, sql: sql.to_string() })
    }

    #[test]
    fn ticks_advance_the_clock_only_while_running() {
        let model = Rc::new(Model::default());
        let model = model.reduce(Action::SetSpeed(2)).reduce(Action::Tick { real_ms: 100 });
        assert_eq!(model.cluster().now_ms(), 200);
        let model = model.reduce(Action::SetRunning(false)).reduce(Action::Tick { real_ms: 100 });
        assert_eq!(model.cluster().now_ms(), 200);
        let model = model.reduce(Action::Step { sim_ms: 1_000 });
        assert_eq!(model.cluster().now_ms(), 1_200);
    }

    #[test]
    fn a_routed_insert_reaches_replicas_after_the_link_delay() {
        let model = Rc::new(Model::default());
        let model =
            run(model, Target::Router, "CREATE TABLE orders (id INT PRIMARY KEY, user_id INT)");
        let model = model.reduce(Action::Step { sim_ms: 2_000 });
        let model = run(model, Target::Router, "INSERT INTO orders VALUES (1, 101)");
        let rows = |m: &Model| m.node_views().iter().map(|v| v.tables[0].1).collect::<Vec<_>>();
        assert_eq!(rows(&model), vec![1, 0, 0]);
        assert!(model.node_views()[1].lag_bytes > 0);
        let model = model.reduce(Action::Step { sim_ms: 1_000 });
        assert_eq!(rows(&model), vec![1, 1, 1]);
        assert_eq!(model.node_views()[2].lag_bytes, 0);
    }

    #[test]
    fn the_console_keeps_a_bounded_history() {
        let mut model = Rc::new(Model::default());
        for _ in 0..(REPLIES_KEPT + 5) {
            model = run(model, Target::Router, "SELECT 1");
        }
        assert_eq!(model.replies.len(), REPLIES_KEPT);
    }

    #[test]
    fn the_checker_runs_on_demand_and_the_console_can_change_strategy() {
        let model = Rc::new(Model::default());
        let model = run(model, Target::Router, "CREATE TABLE t (a INT)");
        let model = model.reduce(Action::Step { sim_ms: 2_000 });
        let model = run(model, Target::Router, "INSERT INTO t VALUES (1)");
        let model = run(model, Target::Router, "SELECT a FROM t");
        assert_eq!(model.findings, None);
        let model = model.reduce(Action::Check);
        let findings = model.findings.clone().expect("checked");
        assert_eq!(findings.len(), 1);
        assert!(findings[0].title.starts_with("read-your-writes violation"), "{findings:?}");
        let model = model.reduce(Action::SetRyw("primary"));
        assert_eq!(model.ryw().name(), "primary");
        let model = run(model, Target::Router, "SELECT a FROM t");
        assert_eq!(model.replies.last().expect("answered").statements[0].node, NodeId(0));
    }

    #[test]
    fn every_example_script_runs_and_the_split_brain_one_shows_two_primaries() {
        for (label, script) in crate::ui::components::SCRIPTS {
            let model = Rc::new(Model::default()).reduce(Action::RunScript(script.to_string()));
            assert_eq!(model.notice, None, "{label}: {:?}", model.script_output);
            assert!(!model.running, "a script pauses the clock");
        }
        let split = crate::ui::components::SCRIPTS[2].1.to_string();
        let model = Rc::new(Model::default()).reduce(Action::RunScript(split));
        assert!(model.split_brain().is_some_and(|r| r.contains("both take writes")));
        let stale: Vec<String> = model
            .node_views()
            .into_iter()
            .filter(|v| v.role == Role::Primary && !v.leader)
            .map(|v| v.name)
            .collect();
        assert_eq!(stale, vec!["pg1"]);
        assert!(model.failover_timeline().iter().any(|e| e.kind == "split"));
    }

    #[test]
    fn a_bad_script_line_stops_the_script_and_says_where() {
        let script = "cluster replicas=1\nadvance soon\nsql: CREATE TABLE t (a INT)".to_string();
        let model = Rc::new(Model::default()).reduce(Action::RunScript(script));
        let notice = model.notice.clone().expect("refused");
        assert!(notice.starts_with("script stopped at line 2"), "{notice}");
        assert_eq!(model.node_views().len(), 2, "the lines before it ran");
        assert!(model.node_views()[0].tables.is_empty(), "the lines after it did not");
    }

    #[test]
    fn reset_starts_a_fresh_cluster() {
        let model = Rc::new(Model::default());
        let model = run(model, Target::Router, "CREATE TABLE t (a INT)").reduce(Action::Reset);
        assert!(model.node_views()[0].tables.is_empty());
        assert!(model.replies.is_empty());
    }
}
