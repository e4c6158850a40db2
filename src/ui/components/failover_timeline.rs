//! The failover timeline: each step of every failover so far, with its simulated time — the
//! failure, the missed health checks, the promotion, the endpoint switch, fencing, split brain
//! and the rewind — so a learner can read back what happened and how long it took.

use yew::prelude::*;

use crate::ui::state::TimelineEntry;

#[derive(Properties, PartialEq)]
pub struct FailoverTimelineProps {
    pub entries: Vec<TimelineEntry>,
    /// During a split brain: which nodes take writes and how far they diverged.
    pub split_brain: Option<String>,
    /// The last promotion, in words.
    pub last_failover: Option<String>,
}

/// A vertical timeline of failover steps, and a banner while two primaries take writes.
#[function_component(FailoverTimeline)]
pub fn failover_timeline(props: &FailoverTimelineProps) -> Html {
    html! {
        <div class="failover-timeline" data-testid="failover-timeline">
            <h2>{"failover timeline"}</h2>
            if let Some(last) = &props.last_failover {
                <p class="last-failover" data-testid="last-failover">{format!("last: {last}")}</p>
            }
            if let Some(report) = &props.split_brain {
                <div class="split-brain" data-testid="split-brain" role="alert">{report}</div>
            }
            if props.entries.is_empty() {
                <p class="muted">{"No failures yet: crash the primary, or cut it off from the manager."}</p>
            } else {
                <ol>
                    { for props.entries.iter().map(|e| html! {
                        <li class={e.kind} data-testid="timeline-step">
                            <time>{&e.at}</time>
                            <span>{&e.text}</span>
                        </li>
                    }) }
                </ol>
            }
        </div>
    }
}
