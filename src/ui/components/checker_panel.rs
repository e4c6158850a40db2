//! The consistency checker: run it over the history, read what it found and why.

use yew::prelude::*;

use crate::ui::state::{Action, FindingView};

#[derive(Properties, PartialEq)]
pub struct CheckerPanelProps {
    /// Findings of the last check (None: not run yet).
    pub findings: Option<Vec<FindingView>>,
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
                        { for findings.iter().map(|f| html! {
                            <li data-testid="finding">
                                <strong>{&f.title}</strong>
                                <ul>{ for f.facts.iter().map(|fact| html! { <li>{fact}</li> }) }</ul>
                            </li>
                        }) }
                    </ol>
                },
            }}
        </div>
    }
}
