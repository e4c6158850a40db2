//! Scenario scripts in the page: the same language as the golden tests and the `replica-sim`
//! CLI (docs/scenarios.md), so a course author can hand a learner a scene as text — "crash the
//! primary under async", "split brain" — and the page plays it, then lets them take over.

use yew::prelude::*;

use crate::ui::state::Action;

/// Ready-made scripts, as (label, text): the files in `examples/`.
pub const SCRIPTS: [(&str, &str); 4] = [
    ("read-after-write", include_str!("../../../examples/read-after-write.txt")),
    ("async failover", include_str!("../../../examples/async-failover.txt")),
    ("split brain", include_str!("../../../examples/split-brain.txt")),
    ("read cache", include_str!("../../../examples/read-cache.txt")),
];

#[derive(Properties, PartialEq)]
pub struct ScriptPanelProps {
    /// The transcript of the last run, if any.
    pub output: Option<String>,
    pub on_action: Callback<Action>,
}

/// A folded panel: pick or type a script, run it, read its transcript.
#[function_component(ScriptPanel)]
pub fn script_panel(props: &ScriptPanelProps) -> Html {
    let text = use_state(|| SCRIPTS[2].1.to_string());
    let on_input = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            let area: web_sys::HtmlTextAreaElement = e.target_unchecked_into();
            text.set(area.value());
        })
    };
    let on_run = {
        let (text, on_action) = (text.clone(), props.on_action.clone());
        Callback::from(move |_: MouseEvent| on_action.emit(Action::RunScript((*text).clone())))
    };
    let on_open = {
        let (text, on_action) = (text.clone(), props.on_action.clone());
        Callback::from(move |_: MouseEvent| {
            on_action.emit(Action::Open { script: (*text).clone(), from: "pasted recording" })
        })
    };
    html! {
        <details class="script-panel" data-testid="script-panel">
            <summary>{"scenario script"}</summary>
            <div class="examples">
                { for SCRIPTS.iter().map(|(label, script)| {
                    let text = text.clone();
                    let onclick = Callback::from(move |_: MouseEvent| text.set(script.to_string()));
                    html! { <button class="chip" data-testid="script-example" {onclick}>{*label}</button> }
                }) }
            </div>
            <textarea data-testid="script-input" spellcheck="false" rows="10" value={(*text).clone()}
                oninput={on_input} aria-label="A scenario script, one command per line" />
            <div class="console-bar">
                <span class="muted hint">{"commands: docs/scenarios.md · the clock pauses after a run"}</span>
                <button data-testid="script-open" onclick={on_open}
                    title="Replace the run with this script from a fresh cluster (an exported recording, pasted)">{"Open as a new run"}</button>
                <button class="primary" data-testid="script-run" onclick={on_run}
                    title="Run these lines on the cluster as it is now">{"Run script"}</button>
            </div>
            if let Some(output) = &props.output {
                <pre class="transcript" data-testid="script-output">{output}</pre>
            }
        </details>
    }
}
