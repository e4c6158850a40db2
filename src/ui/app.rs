//! # The root component
//!
//! Owns the reducer and the clock. The timer lives in an effect keyed on `running`: while the
//! clock runs, every [`TICK_MS`] of real time it dispatches [`Action::Tick`], and the reducer
//! turns that into "advance the simulation by tick × speed". Pausing drops the timer.

use gloo_timers::callback::Interval;
use yew::prelude::*;

use super::browser;
use super::components::{
    CheckerPanel, ClusterView, Console, EventLogView, FailoverTimeline, RecordingBar, Results,
    ScriptPanel, SettingsPanel, Toolbar,
};
use super::state::{Action, Model};
use crate::engine::share;

/// Real milliseconds between clock ticks.
pub const TICK_MS: u32 = 100;

/// The whole page.
#[function_component(App)]
pub fn app() -> Html {
    let model = use_reducer(Model::default);
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
    let running = model.running;
    {
        let dispatcher = model.dispatcher();
        use_effect_with(running, move |running| {
            let interval = running.then(|| {
                Interval::new(TICK_MS, move || {
                    dispatcher.dispatch(Action::Tick { real_ms: u64::from(TICK_MS) })
                })
            });
            move || drop(interval)
        });
    }
    // One callback for the page's lifetime, so components whose data did not change are not
    // re-rendered on every tick.
    let on_action =
        use_callback(model.dispatcher(), |action: Action, dispatcher| dispatcher.dispatch(action));
    let nodes = model.node_views();
    let events: Vec<String> =
        model.cluster().events().iter().rev().take(40).map(|e| e.to_string()).collect();
    let clock = model.clock_view();
    html! {
        <div class="app">
            <Toolbar now_ms={clock.now_ms} running={model.running} speed={model.speed}
                commit={model.commit_preset()} notice={model.notice.clone()}
                branched={model.branched} auto_failover={model.auto_failover()}
                on_action={on_action.clone()} />
            <RecordingBar {clock} share={model.share.clone()} download={model.download.clone()}
                on_action={on_action.clone()} />
            <main class="layout">
                <section class="left">
                    <ClusterView nodes={nodes.clone()} on_action={on_action.clone()} />
                    <SettingsPanel settings={model.settings_view()} on_action={on_action.clone()} />
                    <FailoverTimeline entries={model.failover_timeline()} split_brain={model.split_brain()}
                        last_failover={model.last_failover()} />
                    <CheckerPanel findings={model.findings.clone()} on_action={on_action.clone()} />
                    <EventLogView {events} />
                </section>
                <section class="right">
                    <Console nodes={nodes} ryw={model.ryw()} session={model.session} on_action={on_action.clone()} />
                    <ScriptPanel output={model.script_output.clone()} {on_action} />
                    <Results replies={model.replies.clone()} pending={model.pending()} />
                </section>
            </main>
        </div>
    }
}
