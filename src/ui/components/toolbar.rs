//! The top bar: title, simulated clock, play/pause, step, speed and reset.

use yew::prelude::*;

use crate::engine::Millis;
use crate::ui::state::{Action, COMMIT_PRESETS, SPEEDS};

#[derive(Properties, PartialEq)]
pub struct ToolbarProps {
    pub now_ms: Millis,
    pub running: bool,
    pub speed: u32,
    /// The commit preset in force (a key of `COMMIT_PRESETS`, or `custom`).
    pub commit: &'static str,
    /// The last refusal, if any.
    pub notice: Option<String>,
    /// Automatic failover is on.
    pub auto_failover: bool,
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
            if let Ok(speed) = select.value().parse() {
                on_action.emit(Action::SetSpeed(speed));
            }
        })
    };
    let on_commit = {
        let on_action = props.on_action.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            let value = select.value();
            if let Some((key, _)) = COMMIT_PRESETS.iter().find(|(key, _)| *key == value) {
                on_action.emit(Action::SetCommitPreset(key));
            }
        })
    };
    let on_failover = {
        let (on_action, auto) = (props.on_action.clone(), props.auto_failover);
        Callback::from(move |_: Event| on_action.emit(Action::SetAutoFailover(!auto)))
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
            <button data-testid="play-toggle" title={play_title}
                onclick={act(Action::SetRunning(!props.running))}>{play_label}</button>
            <button data-testid="step" title="Advance simulated time by one second"
                onclick={act(Action::Step { sim_ms: 1_000 })}>{"+1 s"}</button>
            <label class="speed">{"speed "}
                <select data-testid="speed" onchange={on_speed}>
                    { for SPEEDS.iter().map(|s| html! {
                        <option value={s.to_string()} selected={*s == props.speed}>{format!("{s}×")}</option>
                    }) }
                </select>
            </label>
            <label class="commit" title="What a write waits for before COMMIT returns: sync modes set synchronous_standby_names = 'FIRST 1 (*)'; semi-sync falls back to async after 10 s">{"commit "}
                <select data-testid="commit-mode" onchange={on_commit}>
                    { for COMMIT_PRESETS.iter().map(|(key, label)| html! {
                        <option value={*key} selected={*key == props.commit}>{*label}</option>
                    }) }
                    if props.commit == "custom" {
                        <option value="custom" selected=true disabled=true>{"custom (set by a script)"}</option>
                    }
                </select>
            </label>
            <label class="failover" title="Patroni-style: the primary is checked every loop_wait and replaced after ttl without a successful check (both under failover; Patroni's defaults are 10 s and 30 s)">
                <input type="checkbox" data-testid="auto-failover" checked={props.auto_failover} onchange={on_failover} />
                {" auto failover"}
            </label>
            <button class="secondary" data-testid="reset" title="Start over with an empty cluster of the same shape"
                onclick={act(Action::Reset)}>{"Reset"}</button>
            if let Some(notice) = &props.notice {
                <div class="notice" data-testid="notice" role="alert">{notice}</div>
            }
        </header>
    }
}
