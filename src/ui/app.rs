//! # The root component
//!
//! Owns the reducer, the animation clock and the page's keyboard shortcuts. While the clock
//! runs, every animation frame (`requestAnimationFrame`) dispatches [`Action::Tick`] with the
//! real time since the last frame, and the reducer advances the simulation by that × speed,
//! so a message on a 1 s link takes 1 s to cross at 1× and 0.1 s at 10×. Pausing drops the
//! loop.

use yew::prelude::*;

use super::browser::{self, AnimationLoop, KeyListener};
use super::components::{
    Charts, CheckerPanel, ClusterView, Console, Diagram, DiagramBar, EventLogView,
    FailoverTimeline, Help, LoadPanel, NodePanel, RecordingBar, Results, ScriptPanel,
    SettingsPanel, Toolbar,
};
use super::state::{Action, Model};
use crate::engine::share;

/// Newest events rendered for the log (its filters choose among them).
const EVENTS_RENDERED: usize = 200;

/// While the clock runs, the event log is rendered again every this many frames (4 a second).
const LOG_REFRESH_FRAMES: u64 = 15;

/// The page's colour themes, in toggle order (None follows the system).
const THEMES: [Option<&str>; 3] = [None, Some("light"), Some("dark")];

/// The whole page.
#[function_component(App)]
pub fn app() -> Html {
    let model = use_reducer(Model::default);
    let help = use_state(|| false);
    let theme = use_state(|| 0usize);
    {
        // A share link: open the run it carries (a broken one says why, over a fresh cluster).
        let dispatcher = model.dispatcher();
        use_effect_with((), move |()| {
            let fragment = browser::location_fragment().unwrap_or_default();
            if let Some(payload) = share::payload_of(&fragment) {
                let action = match share::decode(payload) {
                    Ok(script) => Action::Open { script, from: "link" },
                    Err(error) => Action::Notice(format!("Could not open the link: {error}")),
                };
                dispatcher.dispatch(action);
            }
        });
    }
    {
        let dispatcher = model.dispatcher();
        use_effect_with(model.running, move |running| {
            let frames = running.then(|| {
                AnimationLoop::start(move |real_ms| dispatcher.dispatch(Action::Tick { real_ms }))
            });
            move || drop(frames)
        });
    }
    {
        let (dispatcher, help) = (model.dispatcher(), help.clone());
        use_effect_with((), move |()| {
            let keys = KeyListener::start(move |event| match event.key().as_str() {
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
    let nodes = model.node_views();
    // Rendered only when the log changed, and while the clock runs at most every
    // LOG_REFRESH_FRAMES frames (under load it changes on every frame).
    let frame = use_mut_ref(|| 0u64);
    *frame.borrow_mut() += 1;
    let events = {
        let (total, digest) = {
            let cluster = model.cluster();
            (cluster.events().total(), cluster.events().digest())
        };
        let key = if model.running && total > 0 {
            (*frame.borrow() / LOG_REFRESH_FRAMES, 0)
        } else {
            (total, digest)
        };
        let model = model.clone();
        use_memo(key, move |_| {
            let cluster = model.cluster();
            let log = cluster.events().iter().rev().take(EVENTS_RENDERED);
            log.map(|e| (e.kind.category(), e.to_string())).collect::<Vec<_>>()
        })
    };
    let dropped = model.cluster().events().dropped();
    let clock = model.clock_view();
    let nodes_names: Vec<String> = nodes.iter().map(|n| n.name.clone()).collect();
    let selected = model.selected.and_then(|id| nodes.iter().find(|n| n.id == id).cloned());
    let (jitter_ms, loss, apply_delay_ms) = model.selected_link();
    let (highlight_ops, highlight_nodes) = model.highlight();
    html! {
        <div class="app">
            <Toolbar now_ms={clock.now_ms} running={model.running} speed={model.speed}
                commit={model.commit_preset()} notice={model.notice.clone()}
                branched={model.branched} auto_failover={model.auto_failover()}
                theme={THEMES[*theme % THEMES.len()].unwrap_or("system")}
                on_theme={on_theme} on_help={on_help.clone()}
                on_action={on_action.clone()} />
            <RecordingBar {clock} share={model.share.clone()} download={model.download.clone()}
                on_action={on_action.clone()} />
            <main class="layout">
                <section class="stage" aria-label="The cluster">
                    <Diagram now_ms={model.cluster().now_ms()} nodes={nodes.clone()} lanes={model.lanes()}
                        sessions={model.session_views()} manager={model.manager_view()}
                        front={model.front_view()} selected={model.selected} highlight={highlight_nodes} on_action={on_action.clone()} />
                    <DiagramBar nodes={nodes.len()} on_action={on_action.clone()} />
                    if let Some(node) = selected {
                        <NodePanel {node} {jitter_ms} {loss} {apply_delay_ms} on_action={on_action.clone()} />
                    }
                </section>
                <section class="side" aria-label="Console">
                    <Console nodes={nodes.clone()} ryw={model.ryw()} session={model.session.clone()} sessions={model.sessions.clone()} on_action={on_action.clone()} />
                    <Results replies={model.replies.clone()} pending={model.pending()} stale={model.staleness()} highlight={highlight_ops} />
                </section>
                <section class="below">
                    <Charts charts={model.charts_view()} />
                    <LoadPanel load={model.load_view()} on_action={on_action.clone()} />
                    <FailoverTimeline entries={model.failover_timeline()} split_brain={model.split_brain()}
                        last_failover={model.last_failover()} />
                    <SettingsPanel settings={model.settings_view()} on_action={on_action.clone()} />
                    <CheckerPanel findings={model.findings.clone()} highlighted={model.highlighted} on_action={on_action.clone()} />
                    <ClusterView nodes={nodes} on_action={on_action.clone()} />
                    <ScriptPanel output={model.script_output.clone()} on_action={on_action.clone()} />
                    <EventLogView {events} nodes={nodes_names} {dropped} />
                </section>
            </main>
            if *help {
                <Help on_close={on_help} />
            }
        </div>
    }
}
