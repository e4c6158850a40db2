//! # UI state: one reducer over the engine
//!
//! [`Model`] wraps the simulated run — a [`Run`]: the cluster, its recording and its
//! snapshots — with what the page needs besides it: whether the clock runs, at what speed, the
//! answers shown in the console. Every change goes through [`Action`]; every action that
//! changes the cluster is an engine [`Command`], applied by [`Run::apply`] — the same function
//! a script line goes through — so the recording (and with it rewind, share links and export)
//! sees every click. The reducer bumps [`Model::version`], which is what makes two models
//! unequal (the run is mutated in place rather than cloned per frame).
//!
//! The views ([`NodeView`], ...) are plain data cut from the engine for components' props.

use crate::engine::vecmap::VecMap;
use std::cell::{Ref, RefCell};
use std::rc::Rc;

use yew::Reducible;

use crate::engine::checker;
use crate::engine::cluster::{CacheConfig, CacheStats, FailoverConfig, Policy, Ryw};
use crate::engine::command::{
    ClusterSpec, Command, CommitPreset, RywStrategy, SessionChange, SqlTarget,
};
use crate::engine::digest::format_digest;
use crate::engine::event::{DemoteCause, EventKind};
use crate::engine::link::Flow;
use crate::engine::node::{NodeState, Receiver, Role};
use crate::engine::recording::{self, Run, LARGE_SNAPSHOT_BUDGET_BYTES, SNAPSHOT_BUDGET_BYTES};
use crate::engine::{format_millis, Cluster, Millis, NodeId, Reply, Target};
use crate::ui::components::FrontView;
use crate::ui::guide::{Completed, Guide};
use crate::ui::views::{self, ChartsView, LaneView, LoadView, ManagerView, SessionView};

/// How many answers the console keeps.
pub const REPLIES_KEPT: usize = 30;

/// Speeds the clock can run at, as multiples of real time.
pub const SPEEDS: [f64; 10] = [0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0];

/// The most real time one animation frame may stand for: a tab that was hidden for a minute
/// does not jump a minute ahead when it comes back.
pub const MAX_FRAME_MS: f64 = 100.0;

/// How long the simulation may work in one animation frame, by a wall clock: past it, the
/// frame's remaining simulated time is dropped and the clock runs slower than asked (the page
/// says so) rather than the frames stalling.
#[derive(Clone, Copy)]
pub struct FrameBudget {
    /// A wall clock in milliseconds (the browser's `performance.now()`).
    pub now_ms: fn() -> f64,
    /// What the simulation may spend.
    pub work_ms: f64,
    /// What the frame's script may spend in all, the simulation and the drawing after it: the
    /// rest of the 16.7 ms is the browser's (style, layout, paint).
    pub script_ms: f64,
}

impl PartialEq for FrameBudget {
    fn eq(&self, other: &Self) -> bool {
        self.work_ms == other.work_ms
    }
}

impl std::fmt::Debug for FrameBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FrameBudget({} ms)", self.work_ms)
    }
}

impl FrameBudget {
    /// The least and the most a frame may spend simulating.
    pub const WORK_MS: std::ops::RangeInclusive<f64> = 1.0..=10.0;
    /// The least and the most a frame's script may spend in all.
    pub const SCRIPT_MS: std::ops::RangeInclusive<f64> = 5.0..=13.0;

    /// The budget for the next frame, from how long the last one took and how long drawing
    /// takes (`render_ms`, the heaviest recent frame of the same kind: see [`FrameMeter`]). A frame
    /// that missed its vertical sync (over 20 ms at 60 Hz) cuts the script's share by 15 %,
    /// one that made it adds 0.02 ms; the simulation gets what drawing leaves of it. So the
    /// frames that also redraw a panel fit as well as the others, and the share settles just
    /// under what leaves the browser time to paint, on a fast laptop and a slow phone alike.
    pub fn adapted(self, real_ms: f64, render_ms: f64) -> FrameBudget {
        let script_ms = if real_ms > 20.0 { self.script_ms * 0.85 } else { self.script_ms + 0.02 };
        let script_ms = script_ms.clamp(*Self::SCRIPT_MS.start(), *Self::SCRIPT_MS.end());
        let work_ms = (script_ms - render_ms).clamp(*Self::WORK_MS.start(), *Self::WORK_MS.end());
        FrameBudget { work_ms, script_ms, ..self }
    }
}

/// The page redraws different parts on successive frames, in a cycle this long (the panels
/// below on the first, the diagram's boxes on the second, only what moves on the third):
/// [`FrameMeter`] times each kind of frame apart.
pub const FRAME_PHASES: u64 = 3;

/// Frames of each phase whose drawing [`FrameMeter`] remembers.
const RENDERS_KEPT: usize = 6;

/// How long the page took to draw its last frames, from the end of the simulation's share
/// to the end of the components' rendering, by phase.
#[derive(Debug, Default)]
pub struct FrameMeter {
    ticked_at_ms: Option<f64>,
    /// The page's count of its renders, as of the last one.
    frame: u64,
    renders_ms: [[f64; RENDERS_KEPT]; FRAME_PHASES as usize],
    next: [usize; FRAME_PHASES as usize],
}

impl FrameMeter {
    /// The clock's tick has been simulated; drawing starts.
    pub fn ticked(&mut self, now_ms: f64) {
        self.ticked_at_ms = Some(now_ms);
    }

    /// The page has rendered its `frame`th time (a render that no tick started is not timed).
    pub fn rendered(&mut self, now_ms: f64, frame: u64) {
        self.frame = frame;
        if let Some(ticked_at_ms) = self.ticked_at_ms.take() {
            let phase = (frame % FRAME_PHASES) as usize;
            self.renders_ms[phase][self.next[phase]] = (now_ms - ticked_at_ms).max(0.0);
            self.next[phase] = (self.next[phase] + 1) % RENDERS_KEPT;
        }
    }

    /// How long the next frame's drawing may take: the heaviest recent frame of its phase.
    pub fn next_render_ms(&self) -> f64 {
        let phase = ((self.frame + 1) % FRAME_PHASES) as usize;
        self.renders_ms[phase].iter().copied().fold(0.0, f64::max)
    }
}

/// A frame's simulated time is advanced in slices of at most this many milliseconds, the
/// budget checked between them, so the first slice, which always runs, stays small at 100×;
/// a short frame is cut in [`FRAME_SLICES`].
const SLICE_MS: Millis = 10;
const FRAME_SLICES: Millis = 4;

/// The clock is reported slow when it runs below this share of the speed asked for.
const SLOW_SHARE: f64 = 0.8;

/// Commit setups the toolbar offers: (preset, label).
pub const COMMIT_PRESETS: [(CommitPreset, &str); 5] = [
    (CommitPreset::Async, "async (default)"),
    (CommitPreset::Mode(crate::engine::commit::SyncCommit::On), "sync: on"),
    (CommitPreset::Mode(crate::engine::commit::SyncCommit::RemoteApply), "sync: remote_apply"),
    (CommitPreset::Quorum(2), "quorum: ANY 2 (*)"),
    (CommitPreset::SemiSync, "MySQL semi-sync"),
];

/// Read-after-write strategies the console offers: (strategy, label).
pub const RYW_CHOICES: [(RywStrategy, &str); 5] = [
    (RywStrategy::None, "none"),
    (RywStrategy::Primary, "read from the primary after a write"),
    (RywStrategy::Sticky, "sticky session"),
    (RywStrategy::Lsn, "version check (LSN), then wait"),
    (RywStrategy::Sync, "synchronous apply on every replica"),
];

/// The client sessions the console can act as (the lesson's story needs at least two: a user
/// who writes and reads back, and another who only reads). Each has its own strategy.
pub const SESSIONS: [&str; 3] = ["alice", "bob", "carol"];

/// Names for the sessions "+" adds, in order (then `user-N`).
const MORE_SESSIONS: [&str; 5] = ["dave", "erin", "frank", "grace", "heidi"];

/// The most sessions the console offers (the diagram has room for this many).
pub const MAX_SESSIONS: usize = 8;

/// Everything the page shows.
#[derive(Debug)]
pub struct Model {
    /// The run: the cluster, its recording, its snapshots.
    run: Rc<RefCell<Run>>,
    /// Bumped by every action that changed anything.
    pub version: u64,
    /// Bumped by every action but the clock's ticks: what the learner did, not time passing.
    pub acted: u64,
    /// Whether simulated time flows with real time.
    pub running: bool,
    /// Multiple of real time at which the clock runs.
    pub speed: f64,
    /// Simulated milliseconds owed to the clock (below one, carried to the next frame).
    carry_ms: f64,
    /// The speed the clock really ran at over the last frames (smoothed), while the
    /// simulation could not keep up with `speed` in its frame budget.
    pub achieved_speed: Option<f64>,
    /// The smoothed speed of the last frames, slow or not.
    smoothed_speed: f64,
    /// The node whose controls are open.
    pub selected: Option<NodeId>,
    /// The load generator's fields as typed while no load runs.
    pub load_draft: Option<LoadView>,
    /// The checker finding whose operations are highlighted (an index into `findings`).
    pub highlighted: Option<usize>,
    /// The console's answers, oldest first.
    pub replies: Vec<Reply>,
    /// The last thing the engine refused, or a warning, until dismissed.
    pub notice: Option<String>,
    /// The consistency checker's findings, as of the last check (None: not run yet).
    pub findings: Option<Vec<FindingView>>,
    /// The transcript of the last scenario script run in the page.
    pub script_output: Option<String>,
    /// The client session the console acts as (one of `sessions`).
    pub session: String,
    /// The console's sessions: [`SESSIONS`] and any the learner added.
    pub sessions: Vec<String>,
    /// The URL fragment of a share link made by the last action (`run=v1.…`).
    pub share: Option<String>,
    /// A script to make a share link of, asked for by the last action (with a number that
    /// differs per click): the page compresses it with the browser's own DEFLATE, then gives
    /// [`Action::Shared`].
    pub share_request: Option<(u64, Rc<str>)>,
    /// A script to download, made by the last action (with a number that differs per click).
    pub download: Option<(u64, Rc<str>)>,
    /// An action while rewound dropped this many later inputs (undo restores them).
    pub branched: Option<usize>,
    /// The lessons: which is open, which steps are done.
    pub guide: Guide,
    /// Steps the last action completed (for the host page's messages).
    pub completed: Vec<Completed>,
}

/// One checker finding, ready to show.
#[derive(Clone, Debug, PartialEq)]
pub struct FindingView {
    pub title: String,
    pub facts: Vec<String>,
    /// The statements involved that the history still holds: (session, sent at, node).
    pub ops: Vec<(String, Millis, NodeId)>,
}

impl PartialEq for Model {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.run, &other.run) && self.version == other.version
    }
}

impl Default for Model {
    fn default() -> Self {
        Self::new(Run::default())
    }
}

/// What the learner (or the clock) can do.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// The clock: `real_ms` of real time passed while running (one animation frame); the
    /// simulation works on it for at most `budget`, if given.
    Tick { real_ms: f64, budget: Option<FrameBudget> },
    /// Advance simulated time by a fixed step, running or not.
    Step { sim_ms: Millis },
    /// Start or stop the clock.
    SetRunning(bool),
    /// Start the clock if stopped, stop it if running.
    TogglePlay,
    /// Change the clock's speed.
    SetSpeed(f64),
    /// Open a node's controls (None: close them).
    Select(Option<NodeId>),
    /// The load generator's fields, typed while no load runs.
    LoadDraft(LoadView),
    /// Highlight a checker finding's operations in the console and the diagram (None: none).
    Highlight(Option<usize>),
    /// Anything that changes the cluster: a click turned into a command.
    Apply(Command),
    /// Run SQL from the console as its session.
    Run { target: Target, sql: String },
    /// Set the console session's read-after-write strategy.
    SetRyw(RywStrategy),
    /// Set the console session's strategy's duration: `primary`'s window, `lsn`'s timeout.
    SetRywDuration(Millis),
    /// Act as another client session (one of the console's).
    SetSession(String),
    /// Add a client session to the console (and act as it).
    AddSession,
    /// Run the consistency checker over the history.
    Check,
    /// Run a scenario script (the language of `docs/scenarios.md`) against the cluster.
    RunScript(String),
    /// Move to a moment of the recording (the run pauses there).
    Seek(Millis),
    /// Restore the inputs the last branch dropped.
    UndoBranch,
    /// Replace the run with a recording (a share link's script, an imported file).
    Open { script: String, from: &'static str },
    /// Make a share link of the run (asks the page to compress it: [`Model::share_request`]).
    Share,
    /// The share link made: its URL fragment (`run=v1.…`).
    Shared(String),
    /// Download the run as a scenario script.
    Export,
    /// Show a message (a component's own refusal, say).
    Notice(String),
    /// Hide the notice.
    Dismiss,
    /// Start over with a fresh cluster of the same shape.
    Reset,
    /// Open a lesson (by index): its setup replaces the run.
    OpenLesson(usize),
    /// Close the lesson (its progress stays).
    CloseLesson,
    /// Run a step's "show me" script.
    ShowStep(usize),
    /// Go back to where a step began (paused there).
    ReplayStep(usize),
    /// Forget a lesson's progress.
    ForgetLesson(usize),
    /// Progress saved by an earlier visit (from `localStorage`).
    RestoreProgress(String),
    /// An interview answer's experiment: open a lesson and play its first `steps` steps.
    Experiment { lesson: usize, steps: usize },
}

/// The snapshot budget for a device with `device_memory_gib` of memory (the browser's
/// `navigator.deviceMemory`, rounded down; only Chromium says) and a touch screen as its
/// main pointer or not. From 8 GiB, the larger budget: rewinds four times as fast, for twice
/// the memory. A browser that does not say gets it on a computer (a mouse), not on a phone
/// or tablet, where a tab runs out of memory first.
pub fn snapshot_budget_for(device_memory_gib: Option<f64>, touch_first: bool) -> u64 {
    match device_memory_gib {
        Some(gib) if gib >= 8.0 => LARGE_SNAPSHOT_BUDGET_BYTES,
        None if !touch_first => LARGE_SNAPSHOT_BUDGET_BYTES,
        _ => SNAPSHOT_BUDGET_BYTES,
    }
}

/// Sizes the snapshots of every run the page makes from now on to this device.
pub fn size_snapshots_for_device(device_memory_gib: Option<f64>, touch_first: bool) {
    let budget = snapshot_budget_for(device_memory_gib, touch_first);
    recording::set_snapshot_budget_for_new_runs(budget);
}

/// While the clock runs, the open lesson's steps are checked every this many frames.
const GUIDE_CHECK_FRAMES: u64 = 15;

impl Model {
    /// A model around a run, clock running at real speed.
    pub fn new(run: Run) -> Self {
        Self {
            run: Rc::new(RefCell::new(run)),
            version: 0,
            acted: 0,
            running: true,
            speed: 1.0,
            carry_ms: 0.0,
            achieved_speed: None,
            smoothed_speed: 1.0,
            selected: None,
            load_draft: None,
            highlighted: None,
            replies: Vec::new(),
            notice: None,
            findings: None,
            script_output: None,
            session: SESSIONS[0].to_string(),
            sessions: SESSIONS.iter().map(|s| s.to_string()).collect(),
            share: None,
            share_request: None,
            download: None,
            branched: None,
            guide: Guide::default(),
            completed: Vec::new(),
        }
    }

    /// The run, for reading.
    pub fn run(&self) -> Ref<'_, Run> {
        self.run.borrow()
    }

    /// Frees what the last jump replaced (see [`Run::drop_replaced`]); called once the jump is
    /// on screen. Whether there was anything.
    pub fn drop_replaced(&self) -> bool {
        self.run.borrow_mut().drop_replaced()
    }

    /// The cluster, for reading.
    pub fn cluster(&self) -> Ref<'_, Cluster> {
        Ref::map(self.run.borrow(), Run::cluster)
    }

    /// One view per node still in the cluster, in id order.
    pub fn node_views(&self) -> Vec<NodeView> {
        let cluster = self.cluster();
        cluster.members().map(|n| NodeView::of(&cluster, n.id)).collect()
    }

    /// The highlighted finding's statements (session, sent at) and nodes.
    pub fn highlight(&self) -> (Vec<(String, Millis)>, Vec<NodeId>) {
        let finding = self.highlighted.and_then(|i| self.findings.as_ref()?.get(i));
        let ops = finding.map(|f| f.ops.as_slice()).unwrap_or_default();
        let statements = ops.iter().map(|(s, at, _)| (s.clone(), *at)).collect();
        let mut nodes: Vec<NodeId> = ops.iter().map(|(_, _, n)| *n).collect();
        nodes.sort();
        nodes.dedup();
        (statements, nodes)
    }

    /// The messages on the wire, by (sender, receiver).
    pub fn lanes(&self) -> VecMap<(NodeId, NodeId), LaneView> {
        views::wire(&self.cluster())
    }

    /// The console's sessions with the node that answered each last.
    pub fn session_views(&self) -> Vec<SessionView> {
        let names: Vec<&str> = self.sessions.iter().map(String::as_str).collect();
        views::sessions(&self.cluster(), &names, &self.replies, &self.staleness())
    }

    /// The console's reads that missed an acknowledged write, and why.
    pub fn staleness(&self) -> views::Staleness {
        views::staleness(&self.cluster(), &self.replies)
    }

    /// What the failover manager is doing.
    pub fn manager_view(&self) -> ManagerView {
        ManagerView::of(&self.cluster())
    }

    /// The router, endpoint, cache and load as the diagram shows them.
    pub fn front_view(&self) -> FrontView {
        let cluster = self.cluster();
        let cache = cluster.cache_config().enabled.then(|| cluster.cache_stats().hit_ratio());
        FrontView {
            policy: cluster.router().policy.to_string(),
            endpoint_name: cluster.endpoint().name.clone(),
            endpoint_target: cluster.endpoint().target,
            endpoint_ttl_ms: cluster.endpoint().ttl_ms,
            cache_hit: cache,
            load: cluster
                .load()
                .filter(|l| !l.finished)
                .map(|l| (l.spec.rate_per_s, l.spec.sessions)),
        }
    }

    /// The monitoring charts' series.
    pub fn charts_view(&self) -> ChartsView {
        ChartsView::of(&self.cluster())
    }

    /// The load generator: the one running, else the fields as typed.
    pub fn load_view(&self) -> LoadView {
        let cluster = self.cluster();
        match (cluster.load(), &self.load_draft) {
            (Some(load), _) if !load.finished => LoadView::of(Some(load)),
            (load, Some(draft)) => {
                LoadView { summary: LoadView::of(load).summary, ..draft.clone() }
            }
            (load, None) => LoadView::of(load),
        }
    }

    /// The selected replica's link jitter and loss, and its apply delay.
    pub fn selected_link(&self) -> (u64, f64, u64) {
        let cluster = self.cluster();
        let Some(id) = self.selected else { return (0, 0.0, 0) };
        let link = cluster.link(id).map(|l| (l.link.jitter_ms, l.link.loss)).unwrap_or((0, 0.0));
        (link.0, link.1, cluster.node(id).apply_delay_ms)
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

    /// The clock, the recording and the run's digest, for the toolbar and its scrubber.
    pub fn clock_view(&self) -> ClockView {
        let run = self.run();
        ClockView {
            now_ms: run.now_ms(),
            end_ms: run.recording().end_ms,
            rewound: run.is_rewound(),
            inputs: run.recording().inputs.iter().map(|i| i.at_ms).collect(),
            digest: format_digest(run.digest()),
        }
    }

    /// The commit preset the cluster's settings match (None: set by hand to something else).
    pub fn commit_preset(&self) -> Option<CommitPreset> {
        CommitPreset::of(self.cluster().settings())
    }

    /// The run as an exported script (with its digest), for a download.
    pub fn export(&self) -> String {
        let run = self.run();
        run.recording().script(Some(run.digest()))
    }

    /// Runs the consistency checker over the history so far.
    fn check(&self) -> Vec<FindingView> {
        let cluster = self.cluster();
        checker::check(cluster.history(), &cluster)
            .iter()
            .map(|f| {
                let ops: Vec<String> =
                    f.ops.iter().filter(|id| **id > 0).map(|id| format!("#{id}")).collect();
                let involved = f
                    .ops
                    .iter()
                    .filter_map(|id| cluster.history().get(*id))
                    .map(|op| (op.session.to_string(), op.sent_ms, op.node))
                    .collect();
                FindingView {
                    title: format!("{} (ops {})", f.anomaly.as_str(), ops.join(", ")),
                    facts: f.because.clone(),
                    ops: involved,
                }
            })
            .collect()
    }

    /// The router, failover, endpoint and cache settings.
    pub fn settings_view(&self) -> SettingsView {
        let cluster = self.cluster();
        let endpoint = cluster.endpoint();
        let list = |m: &VecMap<NodeId, u32>| {
            m.iter().map(|(id, n)| format!("{id}:{n}")).collect::<Vec<_>>().join(", ")
        };
        SettingsView {
            policy: cluster.router().policy,
            max_lag_ms: cluster.router().max_lag_ms,
            max_lag_bytes: cluster.router().max_lag_bytes,
            weights: list(&cluster.router().weights),
            priorities: list(&cluster.failover_config().priorities),
            failover: cluster.failover_config().clone(),
            endpoint_name: endpoint.name.clone(),
            endpoint_target: endpoint.target.name().into_owned(),
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
        let recovery = last
            .recovery_ms
            .map_or(String::new(), |ms| format!(", recovery time {}", format_millis(ms)));
        Some(format!(
            "{} → {} at {} (timeline {}){recovery}; {count} promotion{} so far",
            last.old,
            last.new,
            format_millis(last.at_ms),
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
                Some(TimelineEntry { at: format_millis(e.at_ms), kind, text: e.kind.to_string() })
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
        self.cluster().client_session(&self.session).ryw
    }

    /// Advances the run by `ms`, in slices while the frame's budget lasts (at least one):
    /// returns how far it got.
    fn advance_within(&self, ms: Millis, budget: Option<FrameBudget>) -> Millis {
        let mut run = self.run.borrow_mut();
        let Some(budget) = budget.filter(|_| ms > 0) else {
            if ms > 0 {
                run.advance(ms);
            }
            return ms;
        };
        let started_ms = (budget.now_ms)();
        let slice_ms = ms.div_ceil(FRAME_SLICES).clamp(1, SLICE_MS);
        let mut done_ms = 0;
        while done_ms < ms && (done_ms == 0 || (budget.now_ms)() - started_ms < budget.work_ms) {
            let step_ms = slice_ms.min(ms - done_ms);
            run.advance(step_ms);
            done_ms += step_ms;
        }
        done_ms
    }

    /// Applies a command to the run; a refusal becomes the notice, a branch is noted.
    fn apply(&self, next: &mut Model, command: &Command) {
        let mut run = self.run.borrow_mut();
        let was_rewound = run.is_rewound();
        match run.apply(command) {
            Ok(_) if was_rewound && command.changes_run() && run.can_undo_branch() => {
                next.branched = Some(run.dropped_by_branch());
            }
            Ok(_) => {}
            Err(error) => next.notice = Some(error.to_string()),
        }
    }

    /// The command for the console's session choosing a strategy, or tuning its duration.
    fn session_command(&self, strategy: RywStrategy, duration_ms: Option<Millis>) -> Command {
        let mut change = SessionChange {
            name: self.session.to_string(),
            ryw: Some(strategy),
            ..SessionChange::default()
        };
        match strategy {
            RywStrategy::Primary => change.window_ms = duration_ms,
            RywStrategy::Lsn => change.timeout_ms = duration_ms,
            _ => {}
        }
        Command::Session(change)
    }

    /// Replaces the run with a recording; a bad one leaves a fresh cluster and says why.
    fn open(next: &mut Model, script: &str, from: &str) {
        // The counters go on: views memoised on them must see a new run; the lessons'
        // progress is the learner's, not the run's.
        let (version, acted) = (next.version, next.acted);
        let mut guide = std::mem::take(&mut next.guide);
        guide.close();
        Self::replace(next, script, from);
        (next.version, next.acted, next.guide) = (version, acted, guide);
    }

    /// Opens a lesson: its setup becomes the run, and the clock runs.
    fn open_lesson(next: &mut Model, index: usize) {
        let Some(lesson) = next.guide.lessons.get(index).cloned() else { return };
        Model::open(next, &lesson.setup, "lesson");
        next.guide.opened(index, &next.run.borrow());
        next.running = true;
    }

    fn replace(next: &mut Model, script: &str, from: &str) {
        match Run::from_export(script) {
            Ok((run, claimed)) => {
                let digest = run.digest();
                *next = Model { running: false, ..Model::new(run) };
                if claimed.is_some_and(|c| c != digest) {
                    next.notice = Some(format!(
                        "The {from} replayed to a different run than it was made from (digest {}, it says {}): it was made by another version of the playground, or edited.",
                        format_digest(digest),
                        claimed.map(format_digest).unwrap_or_default()
                    ));
                }
            }
            Err(error) => {
                *next = Model { running: false, ..Model::default() };
                next.notice =
                    Some(format!("Could not open the {from}: {error}. Here is a fresh cluster."));
            }
        }
    }
}

impl Reducible for Model {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = Self {
            run: self.run.clone(),
            version: self.version + 1,
            acted: self.acted + u64::from(!matches!(action, Action::Tick { .. })),
            running: self.running,
            speed: self.speed,
            carry_ms: self.carry_ms,
            achieved_speed: self.achieved_speed,
            smoothed_speed: self.smoothed_speed,
            selected: self.selected,
            load_draft: self.load_draft.clone(),
            highlighted: self.highlighted,
            replies: self.replies.clone(),
            notice: self.notice.clone(),
            findings: self.findings.clone(),
            script_output: self.script_output.clone(),
            session: self.session.clone(),
            sessions: self.sessions.clone(),
            share: None,
            share_request: None,
            download: None,
            branched: self.branched,
            guide: self.guide.clone(),
            completed: Vec::new(),
        };
        let ticked = matches!(action, Action::Tick { .. });
        match action {
            Action::Tick { real_ms, budget } => {
                if !self.running {
                    return self;
                }
                let real_ms = real_ms.clamp(0.0, MAX_FRAME_MS);
                let owed_ms = real_ms * self.speed + self.carry_ms;
                let whole_ms = owed_ms.floor() as Millis;
                let done_ms = self.advance_within(whole_ms, budget);
                next.carry_ms = if done_ms < whole_ms { 0.0 } else { owed_ms - whole_ms as f64 };
                if real_ms > 0.0 {
                    let sample = (done_ms as f64 + next.carry_ms - self.carry_ms) / real_ms;
                    next.smoothed_speed = 0.9 * self.smoothed_speed + 0.1 * sample;
                }
                next.achieved_speed =
                    (next.smoothed_speed < SLOW_SHARE * self.speed).then_some(next.smoothed_speed);
            }
            Action::Step { sim_ms } => self.apply(&mut next, &Command::Advance(sim_ms)),
            Action::SetRunning(on) => next.running = on,
            Action::TogglePlay => next.running = !self.running,
            Action::SetSpeed(multiple) if multiple.is_finite() => {
                next.speed = multiple.clamp(SPEEDS[0], SPEEDS[SPEEDS.len() - 1]);
                (next.smoothed_speed, next.achieved_speed) = (next.speed, None);
            }
            Action::SetSpeed(_) => return self,
            Action::Select(node) => next.selected = node,
            Action::LoadDraft(view) => next.load_draft = Some(view),
            Action::Highlight(finding) => {
                let known = self.findings.as_ref().map_or(0, Vec::len);
                next.highlighted = finding.filter(|i| *i < known);
            }
            Action::Apply(command) => self.apply(&mut next, &command),
            Action::Run { target, sql } => {
                let command = Command::Sql {
                    target: SqlTarget::of(target),
                    session: Some(self.session.to_string()),
                    text: sql,
                };
                self.apply(&mut next, &command);
            }
            Action::SetRyw(strategy) => {
                self.apply(&mut next, &self.session_command(strategy, None));
            }
            Action::SetRywDuration(ms) => {
                let strategy = crate::engine::scenario::strategy_of(self.ryw());
                self.apply(&mut next, &self.session_command(strategy, Some(ms)));
            }
            Action::SetSession(name) if self.sessions.contains(&name) => next.session = name,
            Action::SetSession(_) => return self,
            Action::AddSession if self.sessions.len() < MAX_SESSIONS => {
                let taken = |name: &String| self.sessions.contains(name);
                let name = MORE_SESSIONS
                    .iter()
                    .map(|n| n.to_string())
                    .chain((1..).map(|i| format!("user-{i}")))
                    .find(|n| !taken(n))
                    .expect("an endless list has a free name");
                next.sessions.push(name.clone());
                next.session = name;
            }
            Action::AddSession => return self,
            Action::Check => {
                next.findings = Some(self.check());
                next.highlighted = None;
            }
            Action::RunScript(script) => next.run_script(&script),
            Action::Seek(at_ms) => next.seek(at_ms),
            Action::UndoBranch => {
                self.run.borrow_mut().undo_branch();
                self.run.borrow_mut().take_replies();
                next.branched = None;
                next.replies.clear();
                next.findings = None;
                next.running = false;
            }
            Action::Open { script, from } => Model::open(&mut next, &script, from),
            Action::Share => next.share_request = Some((next.version, Rc::from(self.export()))),
            Action::Shared(fragment) => next.share = Some(fragment),
            Action::Export => next.download = Some((next.version, Rc::from(self.export()))),
            Action::Notice(text) => next.notice = Some(text),
            Action::Dismiss => {
                next.notice = None;
                next.branched = None;
            }
            Action::Reset if next.guide.open.is_some() => {
                let index = next.guide.open.as_ref().map_or(0, |o| o.index);
                Model::open_lesson(&mut next, index);
            }
            Action::Reset => {
                let spec: ClusterSpec = self.run().recording().cluster.clone();
                self.apply(&mut next, &Command::Cluster(spec));
                next.replies.clear();
                next.findings = None;
                next.branched = None;
            }
            Action::OpenLesson(index) => Model::open_lesson(&mut next, index),
            Action::CloseLesson => next.guide.close(),
            Action::ShowStep(step) => {
                let show =
                    next.guide.lesson().and_then(|l| l.steps.get(step)).map(|s| s.show.clone());
                if let Some(show) = show {
                    next.run_script(&show);
                }
            }
            Action::ReplayStep(step) => {
                if let Some(at_ms) = next.guide.step_start_ms(step) {
                    next.seek(at_ms);
                }
            }
            Action::ForgetLesson(index) if index < next.guide.lessons.len() => {
                next.guide.forget(index)
            }
            Action::ForgetLesson(_) => return self,
            Action::RestoreProgress(saved) => next.guide.restore(&saved),
            Action::Experiment { lesson, .. } if lesson >= next.guide.lessons.len() => return self,
            Action::Experiment { lesson, steps } => {
                Model::open_lesson(&mut next, lesson);
                let shows: Vec<String> = next.guide.lesson().map_or(Vec::new(), |l| {
                    l.steps.iter().take(steps).map(|s| s.show.clone()).collect()
                });
                for show in shows {
                    next.run_script(&show);
                }
            }
        }
        if !ticked || next.version.is_multiple_of(GUIDE_CHECK_FRAMES) {
            next.completed = next.guide.observe(&next.run.borrow());
        }
        let replies = next.run.borrow_mut().take_replies();
        next.replies.extend(replies);
        let excess = next.replies.len().saturating_sub(REPLIES_KEPT);
        next.replies.drain(..excess);
        Rc::new(next)
    }
}

impl Model {
    /// Runs a scenario script on the run (recorded, line by line), then pauses to show it.
    fn run_script(&mut self, script: &str) {
        let generation = self.run().scenario().generation();
        let (transcript, errors) = self.run.borrow_mut().run_script(script, false);
        if self.run().scenario().generation() != generation {
            // The script started a new cluster: answers and findings were about the old.
            self.replies.clear();
            self.findings = None;
        }
        self.notice = errors.first().map(|e| format!("script stopped at {e}"));
        self.script_output = Some(transcript);
        self.running = false; // a script sets the scene: look at it before time moves on
    }

    /// Moves the run to an earlier (or later) moment of its recording, paused there.
    fn seek(&mut self, at_ms: Millis) {
        self.run.borrow_mut().seek(at_ms);
        self.run.borrow_mut().take_replies();
        self.replies.clear();
        self.findings = None;
        self.running = false;
    }
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

/// The toolbar's clock and the recording under it.
#[derive(Clone, Debug, PartialEq)]
pub struct ClockView {
    pub now_ms: Millis,
    /// How far the recording goes.
    pub end_ms: Millis,
    /// The run stands before the recording's end.
    pub rewound: bool,
    /// When each recorded input happened (ticks on the scrubber).
    pub inputs: Vec<Millis>,
    /// The run's stable digest, as 16 hex digits.
    pub digest: String,
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
    /// A replica's position ladder: bytes its sent, written, flushed and replayed positions
    /// are behind the primary's WAL end (None: no walsender serves it).
    pub behind: Option<[u64; 4]>,
    /// The walsender is still in `catchup` (the replica connected behind).
    pub catching_up: bool,
    /// The router skips it for reads: too far behind (`max_replication_lag`).
    pub shunned: bool,
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
            behind: cluster.walsenders().get(&id).map(|w| {
                let end = cluster.node(cluster.primary()).wal.end();
                [w.sent_lsn, w.write_lsn, w.flush_lsn, w.replay_lsn].map(|lsn| end.bytes_since(lsn))
            }),
            catching_up: cluster.walsenders().get(&id).is_some_and(|w| !w.streaming),
            shunned: node.role == Role::Replica && cluster.is_shunned(id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::command::NodeRef;
    use crate::engine::share;

    fn run(model: Rc<Model>, target: Target, sql: &str) -> Rc<Model> {
        model.reduce(Action::Run { target, sql: sql.to_string() })
    }

    fn step(model: Rc<Model>, sim_ms: Millis) -> Rc<Model> {
        model.reduce(Action::Step { sim_ms })
    }

    #[test]
    fn devices_with_memory_to_spare_keep_more_snapshots() {
        let (small, large) = (SNAPSHOT_BUDGET_BYTES, LARGE_SNAPSHOT_BUDGET_BYTES);
        assert_eq!(snapshot_budget_for(Some(4.0), false), small, "a 4 GiB laptop");
        assert_eq!(snapshot_budget_for(Some(8.0), true), large, "an 8 GiB phone");
        assert_eq!(snapshot_budget_for(Some(16.0), false), large);
        assert_eq!(snapshot_budget_for(Some(f64::NAN), false), small);
        assert_eq!(snapshot_budget_for(None, false), large, "Firefox or Safari on a computer");
        assert_eq!(snapshot_budget_for(None, true), small, "Safari on an iPhone");
    }

    #[test]
    fn ticks_advance_the_clock_only_while_running() {
        let model = Rc::new(Model::default());
        let model = model
            .reduce(Action::SetSpeed(2.0))
            .reduce(Action::Tick { real_ms: 100.0, budget: None });
        assert_eq!(model.cluster().now_ms(), 200);
        let model = model
            .reduce(Action::SetRunning(false))
            .reduce(Action::Tick { real_ms: 100.0, budget: None });
        assert_eq!(model.cluster().now_ms(), 200);
        let model = step(model, 1_000);
        assert_eq!(model.cluster().now_ms(), 1_200);
    }

    #[test]
    fn slow_motion_carries_fractions_of_a_millisecond_and_a_long_frame_is_capped() {
        let mut model = Rc::new(Model::default()).reduce(Action::SetSpeed(0.1));
        for _ in 0..60 {
            model = model.reduce(Action::Tick { real_ms: 16.7, budget: None });
        }
        assert_eq!(model.cluster().now_ms(), 100, "60 frames of 16.7 ms at 0.1× are 100 ms");
        let model = model
            .reduce(Action::SetSpeed(1.0))
            .reduce(Action::Tick { real_ms: 60_000.0, budget: None });
        assert_eq!(model.cluster().now_ms(), 100 + MAX_FRAME_MS as u64);
        let model = model.reduce(Action::SetSpeed(f64::NAN));
        assert_eq!(model.speed, 1.0);
    }

    thread_local! {
        static FAKE_NOW_MS: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) };
    }

    /// A wall clock that moves 3 ms every time it is read.
    fn slow_clock() -> f64 {
        FAKE_NOW_MS.with(|now| {
            now.set(now.get() + 3.0);
            now.get()
        })
    }

    fn loaded(speed: f64) -> Rc<Model> {
        let load = "load rate=300 read_ratio=0.8 sessions=5".parse().expect("a load command");
        Rc::new(Model::default()).reduce(Action::SetSpeed(speed)).reduce(Action::Apply(load))
    }

    #[test]
    fn a_frame_over_budget_drops_the_rest_and_the_page_learns_the_speed_it_reached() {
        let budget = Some(FrameBudget { now_ms: slow_clock, work_ms: 8.0, script_ms: 10.0 });
        let mut model = loaded(10.0);
        for _ in 0..60 {
            model = model.reduce(Action::Tick { real_ms: 100.0, budget });
        }
        // 1 000 ms owed a frame, in slices of 10 ms; the clock reads 0, 3, 6, 9: three slices.
        assert_eq!(model.cluster().now_ms(), 60 * 3 * 10);
        let achieved = model.achieved_speed.expect("reported slow");
        assert!((0.25..0.35).contains(&achieved), "{achieved}");
        let model = model.reduce(Action::SetSpeed(1.0));
        assert_eq!(model.achieved_speed, None, "a new speed starts afresh");
    }

    #[test]
    fn the_frame_budget_shrinks_after_a_missed_frame_and_grows_back_slowly() {
        let budget = FrameBudget { now_ms: || 0.0, work_ms: 8.0, script_ms: 10.0 };
        let missed = budget.adapted(33.3, 2.0);
        assert!((missed.script_ms - 8.5).abs() < 1e-9, "{}", missed.script_ms);
        assert!((missed.work_ms - 6.5).abs() < 1e-9, "drawing's 2 ms come off: {}", missed.work_ms);
        assert!((missed.adapted(16.7, 2.0).work_ms - 6.52).abs() < 1e-9);
        let floor = (0..20).fold(budget, |b, _| b.adapted(50.0, 2.0));
        assert_eq!((floor.script_ms, floor.work_ms), (5.0, 3.0), "never below the floor");
        let ceiling = (0..10_000).fold(budget, |b, _| b.adapted(16.7, 0.5));
        assert_eq!((ceiling.script_ms, ceiling.work_ms), (13.0, 10.0), "nor above the ceiling");
        let heavy = budget.adapted(16.7, 12.0);
        assert_eq!(heavy.work_ms, 1.0, "a frame that only draws still simulates a little");
    }

    #[test]
    fn the_frame_meter_expects_each_kind_of_frame_to_draw_as_long_as_it_did_lately() {
        let mut meter = FrameMeter::default();
        meter.rendered(5.0, 1);
        assert_eq!(meter.next_render_ms(), 0.0, "a render no tick started is not timed");
        let mut at_ms = 0.0;
        let cost_ms = |frame: u64| [7.5, 4.0, 2.0][(frame % FRAME_PHASES) as usize];
        for frame in 2..40 {
            at_ms += 16.7;
            meter.ticked(at_ms);
            meter.rendered(at_ms + cost_ms(frame), frame);
            if frame > 5 {
                assert_eq!(meter.next_render_ms(), cost_ms(frame + 1), "after frame {frame}");
            }
        }
        for frame in 40..(40 + FRAME_PHASES * RENDERS_KEPT as u64) {
            meter.ticked(at_ms);
            meter.rendered(at_ms + 1.0, frame);
        }
        assert_eq!(meter.next_render_ms(), 1.0, "a heavy frame is forgotten after a while");
    }

    #[test]
    fn slicing_a_frame_does_not_change_the_run() {
        let unbounded = Some(FrameBudget { now_ms: || 0.0, work_ms: 1.0, script_ms: 10.0 });
        let (mut whole, mut sliced) = (loaded(5.0), loaded(5.0));
        for _ in 0..30 {
            whole = whole.reduce(Action::Tick { real_ms: 33.0, budget: None });
            sliced = sliced.reduce(Action::Tick { real_ms: 33.0, budget: unbounded });
        }
        assert_eq!(whole.cluster().now_ms(), sliced.cluster().now_ms());
        assert_eq!(whole.run().digest(), sliced.run().digest());
        assert_eq!(sliced.achieved_speed, None, "it kept up");
    }

    #[test]
    fn a_routed_insert_reaches_replicas_after_the_link_delay() {
        let model = Rc::new(Model::default());
        let model =
            run(model, Target::Router, "CREATE TABLE orders (id INT PRIMARY KEY, user_id INT)");
        let model = step(model, 2_000);
        let model = run(model, Target::Router, "INSERT INTO orders VALUES (1, 101)");
        let rows = |m: &Model| m.node_views().iter().map(|v| v.tables[0].1).collect::<Vec<_>>();
        assert_eq!(rows(&model), vec![1, 0, 0]);
        assert!(model.node_views()[1].lag_bytes > 0);
        let model = step(model, 1_000);
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
    fn every_click_is_recorded_as_a_command() {
        let model = Rc::new(Model::default());
        let model = run(model, Target::Router, "CREATE TABLE t (a INT)");
        let model = step(model, 1_500);
        let model = model.reduce(Action::Apply(Command::Crash(NodeRef::Id(NodeId(2)))));
        let model = model.reduce(Action::SetRyw(RywStrategy::Lsn));
        let lines: Vec<String> = model
            .run()
            .recording()
            .inputs
            .iter()
            .map(|i| format!("{} {}", i.at_ms, i.command))
            .collect();
        assert_eq!(
            lines,
            vec![
                "0 sql session=alice: CREATE TABLE t (a INT)",
                "1500 crash pg3",
                "1500 session alice ryw=lsn",
            ]
        );
        // A refused click is not recorded, and says why.
        let model = model.reduce(Action::Apply(Command::Crash(NodeRef::Id(NodeId(2)))));
        assert_eq!(model.notice.as_deref(), Some("pg3 is already down"));
        assert_eq!(model.run().recording().inputs.len(), 3);
    }

    #[test]
    fn the_checker_runs_on_demand_and_the_console_can_change_strategy() {
        let model = Rc::new(Model::default());
        let model = run(model, Target::Router, "CREATE TABLE t (a INT)");
        let model = step(model, 2_000);
        let model = run(model, Target::Router, "INSERT INTO t VALUES (1)");
        let model = run(model, Target::Router, "SELECT a FROM t");
        assert_eq!(model.findings, None);
        let model = model.reduce(Action::Check);
        let findings = model.findings.clone().expect("checked");
        assert_eq!(findings.len(), 1);
        assert!(findings[0].title.starts_with("read-your-writes violation"), "{findings:?}");
        let marked = model.clone().reduce(Action::Highlight(Some(0)));
        let (statements, nodes) = marked.highlight();
        assert_eq!(statements.len(), 2, "the write and the read: {statements:?}");
        assert!(nodes.contains(&NodeId(0)) && nodes.len() == 2, "{nodes:?}");
        let unknown = model.clone().reduce(Action::Highlight(Some(5)));
        assert_eq!(unknown.highlighted, None, "no such finding");
        let model = model.reduce(Action::SetRyw(RywStrategy::Primary));
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
        assert!(model.run().recording().inputs.is_empty());
    }

    #[test]
    fn rewinding_shows_the_past_and_acting_there_starts_a_branch_that_can_be_undone() {
        let model = Rc::new(Model::default());
        let model = run(model, Target::Router, "CREATE TABLE t (a INT)");
        let model = step(model, 3_000);
        let model = model.reduce(Action::Apply(Command::Crash(NodeRef::Id(NodeId(0)))));
        let model = step(model, 2_000);
        assert_eq!(model.node_views()[0].state, NodeState::Crashed);
        let end_digest = model.clock_view().digest;
        let model = model.reduce(Action::Seek(1_000));
        assert!(model.clock_view().rewound && !model.running);
        assert_eq!(model.node_views()[0].state, NodeState::Running);
        // Time moves on through the recording: the crash happens again at 3 s.
        let model = step(model, 4_000);
        assert_eq!(model.node_views()[0].state, NodeState::Crashed);
        assert_eq!(model.clock_view().digest, end_digest);
        // Acting while rewound drops what came later; undo brings it back.
        let model = model.reduce(Action::Seek(2_000));
        let model = model.reduce(Action::Apply(Command::Crash(NodeRef::Id(NodeId(1)))));
        assert_eq!(model.branched, Some(1));
        assert_eq!(model.run().recording().inputs.len(), 2);
        let model = model.reduce(Action::UndoBranch);
        assert_eq!(model.run().recording().inputs.len(), 2);
        assert_eq!(
            model.run().recording().inputs[1].command,
            Command::Crash(NodeRef::Id(NodeId(0)))
        );
        let model = model.reduce(Action::Seek(5_000));
        assert_eq!(model.clock_view().digest, end_digest);
    }

    #[test]
    fn a_share_link_opens_the_same_run_and_a_broken_one_says_why() {
        let model = Rc::new(Model::default());
        let model = run(model, Target::Router, "CREATE TABLE t (a INT)");
        let model = step(model, 1_250);
        let model = run(model, Target::Router, "INSERT INTO t VALUES (1)");
        let model = step(model, 400);
        let model = model.reduce(Action::Share);
        let (_, asked) = model.share_request.clone().expect("a link to make");
        let model = model.reduce(Action::Shared(share::fragment(&asked)));
        let fragment = model.share.clone().expect("a link");
        let script =
            share::decode(share::payload_of(&fragment).expect("a payload")).expect("decodes");
        let opened = Rc::new(Model::default()).reduce(Action::Open { script, from: "link" });
        assert_eq!(opened.notice, None);
        assert_eq!(opened.clock_view(), model.clock_view());
        assert!(!opened.running, "an opened link pauses there");
        let broken = Rc::new(Model::default())
            .reduce(Action::Open { script: "cluster\nfly away".into(), from: "link" });
        let notice = broken.notice.clone().expect("refused");
        assert!(notice.contains("line 2: unknown command \"fly\""), "{notice}");
        assert!(broken.node_views().len() == 3, "a fresh cluster");
    }

    #[test]
    fn a_lesson_opens_running_its_steps_turn_done_and_reset_plays_it_again() {
        let model = Rc::new(Model::default()).reduce(Action::OpenLesson(7));
        assert!(model.running, "a lesson opens with the clock running");
        assert_eq!(model.guide.lesson().map(|l| l.id.as_str()), Some("failover"));
        let model = model.reduce(Action::ShowStep(0));
        assert_eq!(model.completed.len(), 1, "the crash step is done");
        assert!(model.guide.is_done(7, 0) && !model.guide.is_done(7, 1));
        let crashed_ms = model.run().now_ms();
        let model = model.reduce(Action::ShowStep(1));
        assert!(model.guide.is_done(7, 1));
        let model = model.reduce(Action::ReplayStep(1));
        assert_eq!(model.run().now_ms(), crashed_ms, "step 2 began when step 1 was done");
        assert!(!model.running);
        let model = model.reduce(Action::Reset);
        assert_eq!(
            model.guide.lesson().map(|l| l.id.as_str()),
            Some("failover"),
            "reset replays the lesson"
        );
        assert!(model.guide.is_done(7, 1), "and keeps its progress");
        let model =
            model.reduce(Action::Open { script: "cluster replicas=1".into(), from: "link" });
        assert!(model.guide.open.is_none(), "another run closes the lesson");
        let version = model.version;
        assert_eq!(model.reduce(Action::Experiment { lesson: 99, steps: 1 }).version, version);
    }

    #[test]
    fn an_experiment_plays_a_lesson_up_to_its_step() {
        let model = Rc::new(Model::default()).reduce(Action::Experiment { lesson: 8, steps: 1 });
        assert_eq!(model.guide.lesson().map(|l| l.id.as_str()), Some("write-bottleneck"));
        assert_eq!(model.cluster().replicas().len(), 3, "its first step added two replicas");
        assert!(model.guide.is_done(8, 0) && !model.guide.is_done(8, 1));
    }
}
