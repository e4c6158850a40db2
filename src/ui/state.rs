//! # UI state: one reducer over the engine
//!
//! [`Model`] wraps the simulated [`Cluster`] with what the page needs besides it: whether the
//! clock runs, at what speed, and the answers shown in the console. Every change goes through
//! [`Action`]; the reducer calls the engine and bumps [`Model::version`], which is what makes
//! two models unequal (the cluster itself is mutated in place rather than cloned per tick).
//!
//! The views ([`NodeView`], ...) are plain data cut from the engine for components' props.

use std::cell::{Ref, RefCell};
use std::rc::Rc;

use yew::Reducible;

use crate::engine::node::Role;
use crate::engine::{Cluster, ClusterConfig, Millis, NodeId, Reply, Target};

/// How many answers the console keeps.
pub const REPLIES_KEPT: usize = 30;

/// Speeds the clock can run at, as multiples of real time.
pub const SPEEDS: [u32; 4] = [1, 2, 5, 10];

/// The client session the console uses.
pub const CONSOLE_SESSION: &str = "console";

/// Everything the page shows.
#[derive(Debug)]
pub struct Model {
    cluster: Rc<RefCell<Cluster>>,
    /// Bumped by every action that changed anything.
    pub version: u64,
    /// Whether simulated time flows with real time.
    pub running: bool,
    /// Multiple of real time at which the clock runs.
    pub speed: u32,
    /// The console's answers, oldest first.
    pub replies: Vec<Reply>,
}

impl PartialEq for Model {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.cluster, &other.cluster) && self.version == other.version
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
    /// Start over with a fresh cluster.
    Reset,
}

impl Model {
    /// A model around a fresh cluster, clock running at real speed.
    pub fn new(config: ClusterConfig) -> Self {
        Self {
            cluster: Rc::new(RefCell::new(Cluster::new(config))),
            version: 0,
            running: true,
            speed: 1,
            replies: Vec::new(),
        }
    }

    /// The cluster, for reading.
    pub fn cluster(&self) -> Ref<'_, Cluster> {
        self.cluster.borrow()
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

    fn changed(&self, running: bool, speed: u32, replies: Vec<Reply>) -> Rc<Self> {
        Rc::new(Self {
            cluster: self.cluster.clone(),
            version: self.version + 1,
            running,
            speed,
            replies,
        })
    }
}

impl Reducible for Model {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut replies = self.replies.clone();
        let (mut running, mut speed) = (self.running, self.speed);
        match action {
            Action::Tick { real_ms } => {
                if !running {
                    return self;
                }
                self.cluster.borrow_mut().advance(real_ms * u64::from(speed));
            }
            Action::Step { sim_ms } => self.cluster.borrow_mut().advance(sim_ms),
            Action::SetRunning(on) => running = on,
            Action::SetSpeed(multiple) => speed = multiple.clamp(1, 100),
            Action::Run { target, sql } => {
                let mut cluster = self.cluster.borrow_mut();
                cluster.submit(CONSOLE_SESSION, target, &sql);
                cluster.advance(0);
            }
            Action::SetLinkDelay { replica, delay_ms } => {
                let result = self.cluster.borrow_mut().set_link_delay(replica, delay_ms);
                debug_assert!(result.is_ok(), "the UI offers delays only for replicas");
            }
            Action::Reset => {
                let config = self.cluster().config().clone();
                return Rc::new(Self { version: self.version + 1, ..Self::new(config) });
            }
        }
        replies.extend(self.cluster.borrow_mut().take_finished());
        let excess = replies.len().saturating_sub(REPLIES_KEPT);
        replies.drain(..excess);
        self.changed(running, speed, replies)
    }
}

/// What a node card shows.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeView {
    pub id: NodeId,
    pub name: String,
    pub role: Role,
    /// `running`, `crashed`, ...
    pub state: &'static str,
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
            state: node.state.as_str(),
            replay_lsn: node.replay_lsn.to_string(),
            lag_bytes: cluster.replay_lag_bytes(id),
            lag_ms: cluster.replay_lag_ms(id),
            link_delay_ms: cluster.link(id).map(|l| l.link.delay_ms),
            tables,
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
    fn reset_starts_a_fresh_cluster() {
        let model = Rc::new(Model::default());
        let model = run(model, Target::Router, "CREATE TABLE t (a INT)").reduce(Action::Reset);
        assert!(model.node_views()[0].tables.is_empty());
        assert!(model.replies.is_empty());
    }
}
