//! The top bar: title, simulated clock, play/pause, step, speed and reset.

use yew::prelude::*;

use crate::engine::command::{Command, CommitPreset, FailoverChange};
use crate::engine::Millis;
use crate::ui::state::{Action, COMMIT_PRESETS, SPEEDS};

#[derive(Properties, PartialEq)]
pub struct ToolbarProps {
    pub now_ms: Millis,
    pub running: bool,
    pub speed: f64,
    /// The speed the clock really reaches, while the simulation cannot keep up with `speed`.
    #[prop_or_default]
    pub achieved_speed: Option<f64>,
    /// The commit preset in force (None: settings a script chose).
    pub commit: Option<CommitPreset>,
    /// The last refusal or warning, until dismissed.
    pub notice: Option<String>,
    /// Acting while rewound dropped this many later inputs.
    pub branched: Option<usize>,
    /// Automatic failover is on.
    pub auto_failover: bool,
    /// The colour theme: `system`, `light` or `dark`.
    pub theme: AttrValue,
    pub on_theme: Callback<()>,
    pub on_help: Callback<()>,
    pub on_action: Callback<Action>,
}

/// Title and clock controls.
#[function_component(Toolbar)]
pub fn toolbar(props: &ToolbarProps) -> Html {
    let act = |action: Action| {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(action.clone()))
    };
    let on_speed = {
        let on_action = props.on_action.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let Ok(speed) = select.value().parse::<f64>() {
                on_action.emit(Action::SetSpeed(speed));
            }
        })
    };
    let on_commit = {
        let on_action = props.on_action.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            let value = select.value();
            if let Some((preset, _)) = COMMIT_PRESETS.iter().find(|(p, _)| p.to_string() == value) {
                on_action.emit(Action::Apply(Command::Commit(*preset)));
            }
        })
    };
    let on_failover = {
        let (on_action, auto) = (props.on_action.clone(), props.auto_failover);
        Callback::from(move |_: Event| {
            let change = FailoverChange { auto: Some(!auto), ..FailoverChange::default() };
            on_action.emit(Action::Apply(Command::Failover(change)))
        })
    };
    let (play_label, play_title) = if props.running {
        ("❚❚ Pause", "Stop the simulated clock")
    } else {
        ("▶ Play", "Let simulated time flow")
    };
    html! {
        <header class="toolbar">
            <h1>{"replica-playground"}<span class="subtitle">{"replication and read scaling"}</span></h1>
            <div class="clock" data-testid="clock" title="Simulated time since the cluster started">
                {format!("t = {:.1} s", props.now_ms as f64 / 1000.0)}
            </div>
            <button data-testid="play-toggle" title={format!("{play_title} (Space)")}
                onclick={act(Action::SetRunning(!props.running))}>{play_label}</button>
            <button data-testid="step" title="Advance simulated time by one second (.)"
                onclick={act(Action::Step { sim_ms: 1_000 })}>{"+1 s"}</button>
            <label class="speed"><span class="label-text">{"speed "}</span>
                <select data-testid="speed" onchange={on_speed} aria-label="Speed of the simulated clock">
                    { for SPEEDS.iter().map(|s| html! {
                        <option value={s.to_string()} selected={*s == props.speed}>{format!("{s}×")}</option>
                    }) }
                </select>
            </label>
            if let Some(achieved) = props.achieved_speed {
                <span class="slow" data-testid="speed-achieved" role="status"
                    title={format!("This browser can't simulate {}× and still draw every frame: the clock runs at {achieved:.1}× so the page stays smooth", props.speed)}>
                    {format!("⚠ {achieved:.1}×")}</span>
            }
            <label class="commit" title="What a write waits for before COMMIT returns: sync modes set synchronous_standby_names = 'FIRST 1 (*)'; semi-sync falls back to async after 10 s"><span class="label-text">{"commit "}</span>
                <select data-testid="commit-mode" onchange={on_commit} aria-label="Commit mode: what a write waits for">
                    { for COMMIT_PRESETS.iter().map(|(preset, label)| html! {
                        <option value={preset.to_string()} selected={Some(*preset) == props.commit}>{*label}</option>
                    }) }
                    if !COMMIT_PRESETS.iter().any(|(p, _)| Some(*p) == props.commit) {
                        <option value="custom" selected=true disabled=true>{"custom (set by a script)"}</option>
                    }
                </select>
            </label>
            <label class="failover" title="Patroni-style: the primary is checked every loop_wait and replaced after ttl without a successful check (both under failover; Patroni's defaults are 10 s and 30 s)">
                <input type="checkbox" data-testid="auto-failover" checked={props.auto_failover} onchange={on_failover} />
                {" auto failover"}
            </label>
            <button class="secondary small" data-testid="theme" title="Colour theme: follow the system, light or dark"
                aria-label={format!("Colour theme: {}", props.theme)} onclick={props.on_theme.reform(|_: MouseEvent| ())}>
                {"◐"}<span class="label-text">{format!(" {}", props.theme)}</span></button>
            <button class="secondary small" data-testid="help-open" title="Keyboard shortcuts (?)"
                aria-label="Keyboard shortcuts" onclick={props.on_help.reform(|_: MouseEvent| ())}>{"?"}</button>
            <button class="secondary" data-testid="reset" title="Start over with an empty cluster of the same shape"
                aria-label="Reset" onclick={act(Action::Reset)}>
                <span class="icon-only" aria-hidden="true">{"↺"}</span><span class="label-text">{"Reset"}</span></button>
            if let Some(dropped) = props.branched {
                <div class="notice branch" data-testid="branched" role="status">
                    {format!(
                        "You acted before the end of the recording: a new branch starts here, and the {dropped} later input{} of the old one {} dropped. ",
                        if dropped == 1 { "" } else { "s" },
                        if dropped == 1 { "was" } else { "were" }
                    )}
                    <button class="small" data-testid="undo-branch" onclick={act(Action::UndoBranch)}>{"Undo"}</button>
                    <button class="small close" aria-label="Dismiss" onclick={act(Action::Dismiss)}>{"×"}</button>
                </div>
            }
            if let Some(notice) = &props.notice {
                <div class="notice" data-testid="notice" role="alert">
                    <span>{notice}</span>
                    <button class="small close" data-testid="dismiss" aria-label="Dismiss"
                        onclick={act(Action::Dismiss)}>{"×"}</button>
                </div>
            }
        </header>
    }
}
