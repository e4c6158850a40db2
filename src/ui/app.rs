//! # The root component
//!
//! Owns the reducer, the animation clock and the page's keyboard shortcuts. While the clock
//! runs, every animation frame (`requestAnimationFrame`) dispatches [`Action::Tick`] with the
//! real time since the last frame, and the reducer advances the simulation by that × speed,
//! so a message on a 1 s link takes 1 s to cross at 1× and 0.1 s at 10×, within a budget of
//! wall time per frame that adapts to the frames the browser manages (past it the clock runs
//! slower than asked, and the toolbar says how fast it really runs). Pausing drops the loop.

use std::rc::Rc;

use yew::prelude::*;

use super::browser::{self, AnimationLoop};
use super::components::{
    Charts, CheckerPanel, ClusterView, Console, Diagram, DiagramBar, EventLogView,
    FailoverTimeline, Help, LessonPanel, LoadPanel, NodePanel, RecordingBar, Results, ScriptPanel,
    SettingsPanel, Toolbar,
};
use super::embed::{self, EmbedOptions, HostMessage};
use super::link;
use super::state::{Action, FrameBudget, FrameMeter, Model, FRAME_PHASES};
use crate::engine::share;

/// The panels below the diagram and the console, as last cut from the engine.
struct Below {
    events: Rc<Vec<(crate::engine::event::Category, String)>>,
    cards: Vec<super::state::NodeView>,
    charts: super::views::ChartsView,
    load: super::views::LoadView,
    settings: super::state::SettingsView,
    /// The learner's actions they were all cut after ([`Model::acted`]).
    acted: u64,
}

impl Below {
    fn cut(model: &Model) -> Self {
        Below {
            events: Self::events(model),
            cards: model.node_views(),
            charts: model.charts_view(),
            load: model.load_view(),
            settings: model.settings_view(),
            acted: model.acted,
        }
    }

    /// The newest events, for the log.
    fn events(model: &Model) -> Rc<Vec<(crate::engine::event::Category, String)>> {
        let cluster = model.cluster();
        let log = cluster.events().iter().rev().take(EVENTS_RENDERED);
        Rc::new(log.map(|e| (e.kind.category(), e.to_string())).collect())
    }

    /// Brings the panels up to date: all of them after an action of the learner; while the
    /// clock runs, one panel at a time, each every LOG_REFRESH_FRAMES frames, so their costs
    /// never add up in one frame.
    fn refresh(&mut self, model: &Model, frame: u64) {
        if model.acted != self.acted {
            *self = Self::cut(model);
            return;
        }
        let phase = LOG_REFRESH_FRAMES / 5;
        match frame % LOG_REFRESH_FRAMES {
            0 => self.events = Self::events(model),
            f if f == phase => self.cards = model.node_views(),
            f if f == 2 * phase => self.charts = model.charts_view(),
            f if f == 3 * phase => self.load = model.load_view(),
            f if f == 4 * phase => self.settings = model.settings_view(),
            _ => {}
        }
    }
}

/// What the diagram's boxes and the console show, as last cut from the engine: the messages on
/// the wire move on every frame, but the numbers in the boxes are read at 20 Hz.
struct Stage {
    nodes: Vec<super::state::NodeView>,
    sessions: Vec<super::views::SessionView>,
    manager: super::views::ManagerView,
    front: super::components::FrontView,
    acted: u64,
}

impl Stage {
    fn cut(model: &Model) -> Self {
        Stage {
            nodes: model.node_views(),
            sessions: model.session_views(),
            manager: model.manager_view(),
            front: model.front_view(),
            acted: model.acted,
        }
    }

    /// Cuts again after every action of the learner, whenever the clock is stopped, and while
    /// it runs every STAGE_REFRESH_FRAMES frames, on frames the panels below leave alone.
    fn refresh(&mut self, model: &Model, frame: u64) {
        let due = frame % STAGE_REFRESH_FRAMES == 1;
        if due || !model.running || model.acted != self.acted {
            *self = Self::cut(model);
        }
    }
}

/// What a host page's message asks for.
fn host_action(message: HostMessage) -> Action {
    match message {
        HostMessage::Play => Action::SetRunning(true),
        HostMessage::Pause => Action::SetRunning(false),
        HostMessage::Speed(speed) => Action::SetSpeed(speed),
        HostMessage::RunScript(script) => Action::RunScript(script),
        HostMessage::Check => Action::Check,
    }
}

/// Where `localStorage` keeps the lessons' progress.
const PROGRESS_KEY: &str = "replica-playground.lessons";

/// Newest events rendered for the log (its filters choose among them).
const EVENTS_RENDERED: usize = 200;

/// What the simulation may spend of each animation frame (16.7 ms at 60 Hz) at first, leaving
/// the rest to drawing; it adapts to the frames the browser manages.
const FRAME_BUDGET: FrameBudget =
    FrameBudget { now_ms: browser::now_ms, work_ms: 6.0, script_ms: 10.0 };

/// While the clock runs, the panels below are cut again every this many frames (4 a second),
/// one panel at a time, on frames that are multiples of 3 ...
const LOG_REFRESH_FRAMES: u64 = 15;

/// ... and the diagram's boxes every this many frames (20 a second), on the frames after: so
/// no frame pays for both, and the frame budget knows each kind of frame apart.
const STAGE_REFRESH_FRAMES: u64 = FRAME_PHASES;

/// The page's colour themes, in toggle order (None follows the system).
const THEMES: [Option<&str>; 3] = [None, Some("light"), Some("dark")];

/// The URL's parameters that act on the run: lesson, speed, autoplay; what was not
/// understood (`errors`, and a lesson id that is not one) says so in a notice.
fn apply_url_options(
    dispatcher: &UseReducerDispatcher<Model>,
    options: &EmbedOptions,
    errors: &[String],
    lessons: &[crate::lessons::Lesson],
) {
    let mut errors = errors.to_vec();
    if let Some(id) = &options.lesson {
        match crate::lessons::position(lessons, id) {
            Ok(index) => dispatcher.dispatch(Action::OpenLesson(index)),
            Err(error) => errors.push(error.to_string()),
        }
    }
    if let Some(speed) = options.speed {
        dispatcher.dispatch(Action::SetSpeed(speed));
    }
    if let Some(play) = options.autoplay {
        dispatcher.dispatch(Action::SetRunning(play));
    }
    if !errors.is_empty() {
        let text =
            format!("Some of the page's parameters were not understood: {}", errors.join("; "));
        dispatcher.dispatch(Action::Notice(text));
    }
}

/// The whole page.
#[function_component(App)]
pub fn app() -> Html {
    let model = use_reducer(|| {
        let touch_first = browser::media_matches("(pointer: coarse)");
        super::state::size_snapshots_for_device(browser::device_memory_gib(), touch_first);
        Model::default()
    });
    let options = use_memo((), |()| EmbedOptions::from_query(&browser::location_query()));
    let help = use_state(|| false);
    let theme = use_state(|| 0usize);
    // The run the URL asks for is open (a link is read asynchronously): the host hears
    // "ready" only then, so what it sends applies to that run.
    let started = use_state(|| false);
    {
        // A share link opens the run it carries (a broken one says why, over a fresh cluster);
        // then the URL's parameters apply — lesson, speed, autoplay — and what was not
        // understood says so. The link is decompressed asynchronously, so they wait for it.
        let (dispatcher, options, lessons) =
            (model.dispatcher(), options.clone(), model.guide.lessons.clone());
        let started = started.setter();
        use_effect_with((), move |()| {
            let fragment = browser::location_fragment().unwrap_or_default();
            let payload = share::payload_of(&fragment).map(str::to_string);
            let apply = move |dispatcher: UseReducerDispatcher<Model>| {
                apply_url_options(&dispatcher, &options.0, &options.1, &lessons);
                started.set(true);
            };
            match payload {
                Some(payload) => yew::platform::spawn_local(async move {
                    dispatcher.dispatch(link::open(&payload).await);
                    apply(dispatcher);
                }),
                None => apply(dispatcher),
            }
        });
    }
    {
        // A share link asked for: the browser compresses the run's script.
        let dispatcher = model.dispatcher();
        use_effect_with(model.share_request.clone(), move |request| {
            if let Some((_, script)) = request.clone() {
                yew::platform::spawn_local(async move {
                    dispatcher.dispatch(link::make(&script).await);
                });
            }
        });
    }
    {
        // The lessons' progress: read once, written whenever a step is done or forgotten.
        let dispatcher = model.dispatcher();
        use_effect_with((), move |()| {
            if let Some(saved) = browser::stored(PROGRESS_KEY) {
                dispatcher.dispatch(Action::RestoreProgress(saved));
            }
        });
        let restored = use_mut_ref(|| false);
        use_effect_with(model.guide.saved(), move |saved| {
            // The first render's (empty) progress must not overwrite what is stored.
            if *restored.borrow() {
                browser::store(PROGRESS_KEY, saved);
            }
            *restored.borrow_mut() = true;
        });
    }
    let host = use_memo((), {
        let options = options.clone();
        move |()| {
            browser::embedded_in_frame()
                .then(|| browser::host_origin(options.0.origin.as_deref()))
                .flatten()
        }
    });
    {
        // The host page drives the playground with postMessage, once the run is open.
        let (dispatcher, host) = (model.dispatcher(), host.clone());
        use_effect_with(*started, move |started| {
            let origin = (*host).clone().filter(|_| *started);
            let listener = origin.and_then(|origin| {
                browser::post_to_host(&origin, "replica-playground:ready", &[]);
                let reply_to = origin.clone();
                browser::listen_messages(origin, move |(kind, speed, script)| {
                    match embed::host_message(&kind, speed, script) {
                        Ok(message) => dispatcher.dispatch(host_action(message)),
                        Err(error) => browser::post_to_host(
                            &reply_to,
                            "replica-playground:error",
                            &[("message", error.into())],
                        ),
                    }
                })
            });
            move || drop(listener)
        });
    }
    {
        // ... and hears what happened.
        let cursor = use_mut_ref(|| 0u64);
        let total = model.cluster().events().total();
        let (model, host) = (model.clone(), host.clone());
        use_effect_with(total, move |total| {
            if let Some(origin) = &*host {
                let cluster = model.cluster();
                let start = (*cursor.borrow()).min(*total);
                for event in cluster.events().since(start) {
                    if let Some(name) = embed::announced(&event.kind) {
                        let fields = [
                            ("kind", name.into()),
                            ("at_ms", (event.at_ms as f64).into()),
                            ("text", event.kind.to_string().into()),
                        ];
                        browser::post_to_host(origin, "replica-playground:event", &fields);
                    }
                }
            }
            *cursor.borrow_mut() = *total;
        });
    }
    {
        let (completed, host) = (model.completed.clone(), host.clone());
        use_effect_with(completed, move |completed| {
            if let Some(origin) = &*host {
                for step in completed {
                    let fields = [
                        ("lesson", step.lesson.as_str().into()),
                        ("step", (step.step as f64).into()),
                    ];
                    browser::post_to_host(origin, "replica-playground:step-completed", &fields);
                }
            }
        });
    }
    {
        let (findings, host) = (model.findings.clone(), host.clone());
        use_effect_with(findings, move |findings| {
            let found = findings.as_ref().filter(|f| !f.is_empty());
            if let (Some(origin), Some(found)) = (&*host, found) {
                let titles = js_sys::Array::new();
                for finding in found {
                    titles.push(&finding.title.as_str().into());
                }
                let fields = [("count", (found.len() as f64).into()), ("findings", titles.into())];
                browser::post_to_host(origin, "replica-playground:anomaly-found", &fields);
            }
        });
    }
    {
        // A jump (rewind, undo) frees the cluster it replaced once the page shows the new one.
        let model = model.clone();
        use_effect_with(model.acted, move |_| {
            browser::after_next_paint(move || {
                model.drop_replaced();
            })
        });
    }
    // How long drawing takes after each tick: the frame budget leaves room for it.
    let meter = use_mut_ref(FrameMeter::default);
    {
        let (dispatcher, meter) = (model.dispatcher(), meter.clone());
        use_effect_with(model.running, move |running| {
            let frames = running.then(|| {
                let mut budget = FRAME_BUDGET;
                AnimationLoop::start(move |real_ms| {
                    budget = budget.adapted(real_ms, meter.borrow().next_render_ms());
                    dispatcher.dispatch(Action::Tick { real_ms, budget: Some(budget) });
                    meter.borrow_mut().ticked(browser::now_ms());
                })
            });
            move || drop(frames)
        });
    }
    {
        let (dispatcher, help) = (model.dispatcher(), help.clone());
        use_effect_with((), move |()| {
            let keys = browser::listen_keys(move |event| match event.key().as_str() {
                " " => {
                    event.prevent_default();
                    dispatcher.dispatch(Action::TogglePlay);
                }
                "." => dispatcher.dispatch(Action::Step { sim_ms: 1_000 }),
                "?" => help.set(!*help),
                "Escape" => {
                    help.set(false);
                    dispatcher.dispatch(Action::Select(None));
                }
                _ => {}
            });
            move || drop(keys)
        });
    }
    {
        let current = THEMES[*theme % THEMES.len()];
        use_effect_with(current, |theme| browser::set_theme(*theme));
    }
    // One callback for the page's lifetime, so components whose data did not change are not
    // re-rendered on every frame.
    let on_action =
        use_callback(model.dispatcher(), |action: Action, dispatcher| dispatcher.dispatch(action));
    let on_help = {
        let help = help.clone();
        Callback::from(move |()| help.set(!*help))
    };
    let on_theme = {
        let theme = theme.clone();
        Callback::from(move |()| theme.set((*theme + 1) % THEMES.len()))
    };
    // The first frame shows the toolbar, the diagram and the console; the panels below them
    // (tables and charts: more than half of the page's elements) follow once it is painted.
    let unfolded = use_state(|| false);
    {
        let unfolded = unfolded.clone();
        use_effect_with((), move |()| browser::after_next_paint(move || unfolded.set(true)));
    }
    // The panels below the diagram and the console change on every frame under load, and
    // nobody reads them at 60 Hz: while the clock runs they are cut from the engine again
    // every LOG_REFRESH_FRAMES frames and after every action of the learner.
    let frame = use_mut_ref(|| 0u64);
    *frame.borrow_mut() += 1;
    {
        let frame = *frame.borrow();
        use_effect(move || meter.borrow_mut().rendered(browser::now_ms(), frame));
    }
    let below = use_mut_ref(|| Below::cut(&model));
    below.borrow_mut().refresh(&model, *frame.borrow());
    let below = below.borrow();
    let stage = use_mut_ref(|| Stage::cut(&model));
    stage.borrow_mut().refresh(&model, *frame.borrow());
    let stage = stage.borrow();
    let nodes = &stage.nodes;
    let events = below.events.clone();
    let dropped = model.cluster().events().dropped();
    let clock = model.clock_view();
    let nodes_names: Vec<String> = nodes.iter().map(|n| n.name.clone()).collect();
    let selected = model.selected.and_then(|id| nodes.iter().find(|n| n.id == id).cloned());
    let (jitter_ms, loss, apply_delay_ms) = model.selected_link();
    let (highlight_ops, highlight_nodes) = model.highlight();
    let shows = |panel: &str| options.0.shows(panel);
    html! {
        <div class={classes!("app", options.0.embed.then_some("embed"), model.running.then_some("running"))}>
            <Toolbar now_ms={clock.now_ms} running={model.running} speed={model.speed}
                achieved_speed={model.achieved_speed}
                commit={model.commit_preset()} notice={model.notice.clone()}
                branched={model.branched} auto_failover={model.auto_failover()}
                theme={THEMES[*theme % THEMES.len()].unwrap_or("system")}
                on_theme={on_theme} on_help={on_help.clone()}
                on_action={on_action.clone()} />
            <RecordingBar {clock} share={model.share.clone()} download={model.download.clone()}
                on_action={on_action.clone()} />
            if shows("lessons") {
                <LessonPanel guide={model.guide.clone()} on_action={on_action.clone()} />
            }
            <main class="layout">
                <section class="stage" aria-label="The cluster">
                    <Diagram now_ms={model.cluster().now_ms()} nodes={nodes.clone()} lanes={model.lanes()}
                        sessions={stage.sessions.clone()} manager={stage.manager.clone()}
                        front={stage.front.clone()} selected={model.selected} highlight={highlight_nodes} on_action={on_action.clone()} />
                    <DiagramBar nodes={nodes.len()} on_action={on_action.clone()} />
                    if let Some(node) = selected {
                        <NodePanel {node} {jitter_ms} {loss} {apply_delay_ms} on_action={on_action.clone()} />
                    }
                </section>
                <section class="side" aria-label="Console">
                    <Console nodes={nodes.clone()} ryw={model.ryw()} session={model.session.clone()} sessions={model.sessions.clone()} on_action={on_action.clone()} />
                    <Results replies={model.replies.clone()} pending={model.pending()} stale={model.staleness()} highlight={highlight_ops}
                        on_cancel={on_action.reform(|session| Action::Apply(crate::engine::command::Command::Cancel { session }))} />
                </section>
                <section class="below">
                    if *unfolded {
                    if shows("charts") { <Charts charts={below.charts.clone()} /> }
                    if shows("load") { <LoadPanel load={below.load.clone()} on_action={on_action.clone()} /> }
                    if shows("timeline") {
                        <FailoverTimeline entries={model.failover_timeline()} split_brain={model.split_brain()}
                            last_failover={model.last_failover()} />
                    }
                    if shows("settings") { <SettingsPanel settings={below.settings.clone()} on_action={on_action.clone()} /> }
                    if shows("checker") {
                        <CheckerPanel findings={model.findings.clone()} highlighted={model.highlighted} on_action={on_action.clone()} />
                    }
                    if shows("nodes") { <ClusterView nodes={below.cards.clone()} on_action={on_action.clone()} /> }
                    if shows("script") { <ScriptPanel output={model.script_output.clone()} on_action={on_action.clone()} /> }
                    if shows("log") { <EventLogView {events} nodes={nodes_names} {dropped} /> }
                    }
                </section>
            </main>
            if *help {
                <Help on_close={on_help} />
            }
        </div>
    }
}
