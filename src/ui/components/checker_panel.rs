//! The consistency checker: run it over the history, read what it found and why.

use yew::prelude::*;

use crate::ui::state::{Action, FindingView};

#[derive(Properties, PartialEq)]
pub struct CheckerPanelProps {
    /// Findings of the last check (None: not run yet).
    pub findings: Option<Vec<FindingView>>,
    /// The finding whose operations are highlighted.
    pub highlighted: Option<usize>,
    pub on_action: Callback<Action>,
}

/// A button that runs the checker, and its findings with their chains of facts.
#[function_component(CheckerPanel)]
pub fn checker_panel(props: &CheckerPanelProps) -> Html {
    let on_check = {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(Action::Check))
    };
    html! {
        <div class="checker">
            <div class="checker-bar">
                <h2>{"consistency check"}</h2>
                <button data-testid="check" onclick={on_check}
                    title="Look through every answered statement for stale reads, read-your-writes and monotonic-read violations, lost and refused writes">
                    {"Check history"}
                </button>
            </div>
            { match &props.findings {
                None => html! { <p class="muted">{"Not checked yet."}</p> },
                Some(findings) if findings.is_empty() => html! {
                    <p class="ok-text" data-testid="no-findings">{"No anomalies so far."}</p>
                },
                Some(findings) => html! {
                    <ol class="findings">
                        { for findings.iter().enumerate().map(|(i, f)| {
                            let on = props.highlighted == Some(i);
                            let toggle = {
                                let on_action = props.on_action.clone();
                                Callback::from(move |_: MouseEvent| on_action.emit(Action::Highlight((!on).then_some(i))))
                            };
                            html! {
                            <li data-testid="finding" class={classes!(on.then_some("highlighted"))}>
                                <strong>{&f.title}</strong>
                                <button class="small" data-testid="highlight" aria-pressed={on.to_string()} onclick={toggle}
                                    title="Mark this finding's statements in the console and its nodes in the diagram">
                                    { if on { "unmark" } else { "show where" } }</button>
                                <ul>{ for f.facts.iter().map(|fact| html! { <li>{fact}</li> }) }</ul>
                            </li>
                        }}) }
                    </ol>
                },
            }}
        </div>
    }
}
