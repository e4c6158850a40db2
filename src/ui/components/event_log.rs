//! The event log, newest first: commits, WAL sent and received, replays, refusals.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct EventLogProps {
    /// Rendered events, newest first.
    pub events: Vec<String>,
}

/// The recent events as a list.
#[function_component(EventLogView)]
pub fn event_log(props: &EventLogProps) -> Html {
    html! {
        <div class="events">
            <h2>{"event log"}</h2>
            if props.events.is_empty() {
                <p class="muted">{"Nothing has happened yet."}</p>
            } else {
                <ol data-testid="events">
                    { for props.events.iter().map(|e| html! { <li>{e}</li> }) }
                </ol>
            }
        </div>
    }
}
