//! The load generator: statements per second, read ratio, heavy-query share and sessions;
//! start, stop, and "traffic ×10" (the lesson's question) to watch CPU, lag and latency move
//! on the charts. Orders older than ten minutes are archived so a long run stays flat.

use yew::prelude::*;

use super::draft_input::DraftInput;
use crate::engine::command::{parse, Command, LoadOptions, SqlTarget};
use crate::engine::Target;
use crate::ui::state::Action;
use crate::ui::views::LoadView;

/// How long a load started from the page runs (it can be stopped any time).
const PAGE_LOAD_MS: u64 = 3_600_000;
/// Orders kept by a load started from the page.
const PAGE_RETAIN_MS: u64 = 600_000;
/// The highest rate the engine accepts.
const MAX_RATE: u64 = 100_000;

#[derive(Properties, PartialEq)]
pub struct LoadPanelProps {
    pub load: LoadView,
    pub on_action: Callback<Action>,
}

fn start(view: &LoadView, rate_per_s: u64) -> Command {
    Command::Load(LoadOptions {
        rate_per_s: Some(rate_per_s.clamp(1, MAX_RATE)),
        read_ratio: Some(view.read_ratio),
        heavy_ratio: Some(view.heavy_ratio),
        sessions: Some(view.sessions),
        duration_ms: Some(PAGE_LOAD_MS),
        retain_ms: Some(PAGE_RETAIN_MS),
        target: (view.target != Target::Router).then(|| SqlTarget::of(view.target)),
        ..LoadOptions::default()
    })
}

#[function_component(LoadPanel)]
pub fn load_panel(props: &LoadPanelProps) -> Html {
    let view = &props.load;
    let act = |command: Command| {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(Action::Apply(command.clone())))
    };
    // Changing a field while the load runs restarts it with the new figure.
    let field = |apply: fn(&mut LoadView, &str) -> bool| {
        let (on_action, view) = (props.on_action.clone(), view.clone());
        Callback::from(move |text: String| {
            let mut next = view.clone();
            let ok = apply(&mut next, text.trim());
            if ok && next.running {
                on_action.emit(Action::Apply(start(&next, next.rate_per_s)));
            } else if ok {
                on_action.emit(Action::LoadDraft(next));
            }
            ok
        })
    };
    let on_rate = field(|v, t| {
        let rate = parse::number("rate", t.trim_end_matches("/s"), 1, MAX_RATE).ok();
        rate.map(|r| v.rate_per_s = r).is_some()
    });
    let on_read = field(|v, t| share(t).map(|s| v.read_ratio = s).is_some());
    let on_heavy = field(|v, t| share(t).map(|s| v.heavy_ratio = s).is_some());

    let on_sessions = field(|v, t| {
        let n = parse::number("sessions", t, 1, 10_000).ok();
        n.map(|n| v.sessions = n as usize).is_some()
    });
    let on_target = {
        let (on_action, view) = (props.on_action.clone(), view.clone());
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            let mut next = view.clone();
            next.target =
                if select.value() == "primary" { Target::Primary } else { Target::Router };
            if next.running {
                on_action.emit(Action::Apply(start(&next, next.rate_per_s)));
            } else {
                on_action.emit(Action::LoadDraft(next));
            }
        })
    };
    let to_primary = view.target == Target::Primary;
    let percent = |share: f64| format!("{}%", (share * 100.0).round());
    html! {
        <section class="panel load-panel" data-testid="load-panel" aria-label="Load generator">
            <h2>{"Load generator"}</h2>
            <div class="load-fields">
                <label>{"statements/s "}
                    <DraftInput testid="load-rate" size=6 value={view.rate_per_s.to_string()}
                        title="Requests per second, open loop (1 to 100000)" on_commit={on_rate} /></label>
                <label>{"reads "}
                    <DraftInput testid="load-read-ratio" size=4 value={percent(view.read_ratio)}
                        title="Share of requests that read (85% is a typical web app)" on_commit={on_read} /></label>
                <label>{"heavy "}
                    <DraftInput testid="load-heavy" size=4 value={percent(view.heavy_ratio)}
                        title="Share of reads that run the lesson's created_at > NOW() - INTERVAL 1 DAY scan" on_commit={on_heavy} /></label>
                <label>{"sessions "}
                    <DraftInput testid="load-sessions" size=4 value={view.sessions.to_string()}
                        title="Client connections the requests are spread over" on_commit={on_sessions} /></label>
                <label>{"send to "}
                    <select data-testid="load-target" onchange={on_target}
                        title="Through the router, reads (and the heavy report) go to the replicas; to the primary, everything lands on pg1">
                        <option value="router" selected={!to_primary}>{"router"}</option>
                        <option value="primary" selected={to_primary}>{"primary"}</option>
                    </select></label>
            </div>
            <div class="node-actions">
                if view.running {
                    <button data-testid="load-stop" onclick={act(Command::LoadStop)}>{"Stop load"}</button>
                    <button data-testid="traffic-x10" title="Traffic went up 10×: watch the primary's CPU, replica lag and write latency"
                        onclick={act(start(view, view.rate_per_s.saturating_mul(10)))}>{"traffic ×10"}</button>
                } else {
                    <button data-testid="load-start" title="Open-loop traffic on the lesson's orders table"
                        onclick={act(start(view, view.rate_per_s))}>{"Start load"}</button>
                }
            </div>
            if let Some(summary) = &view.summary {
                <pre class="load-summary" data-testid="load-summary">{summary}</pre>
            }
        </section>
    }
}

/// `85%` or `0.85` as a share from 0 to 1.
fn share(text: &str) -> Option<f64> {
    parse::percent_or_fraction(text).filter(|s| (0.0..=1.0).contains(s))
}
