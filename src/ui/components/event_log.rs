//! The event log, newest first: commits, WAL sent and received, replays, refusals, failover
//! steps; filterable by node and by kind.

use yew::prelude::*;

use crate::engine::event::Category;

/// Events shown at most (after filtering).
const SHOWN: usize = 60;

#[derive(Properties, PartialEq)]
pub struct EventLogProps {
    /// Recent events, newest first: (kind, rendered text).
    pub events: std::rc::Rc<Vec<(Category, String)>>,
    /// Node names, for the node filter.
    pub nodes: Vec<String>,
    /// Events dropped from the log's start (it keeps the newest).
    pub dropped: u64,
}

/// Whether an event's text names `node` as a word (`pg1` but not `pg10`).
pub fn names_node(text: &str, node: &str) -> bool {
    text.match_indices(node).any(|(at, _)| {
        let after = text[at + node.len()..].chars().next();
        let before = text[..at].chars().next_back();
        !after.is_some_and(|c| c.is_ascii_alphanumeric())
            && !before.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

/// The recent events as a list, with filters.
#[function_component(EventLogView)]
pub fn event_log(props: &EventLogProps) -> Html {
    let node = use_state(String::new);
    let kind = use_state(String::new);
    let on_node = {
        let node = node.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            node.set(select.value());
        })
    };
    let on_kind = {
        let kind = kind.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            kind.set(select.value());
        })
    };
    let shown: Vec<&String> = props
        .events
        .iter()
        .filter(|(category, _)| kind.is_empty() || category.as_str() == kind.as_str())
        .filter(|(_, text)| node.is_empty() || names_node(text, &node))
        .map(|(_, text)| text)
        .take(SHOWN)
        .collect();
    html! {
        <div class="events">
            <h2>{"event log"}</h2>
            <div class="event-filters">
                <label>{"node "}
                    <select data-testid="events-node" onchange={on_node} aria-label="Show events of one node">
                        <option value="" selected={node.is_empty()}>{"all"}</option>
                        { for props.nodes.iter().map(|n| html! {
                            <option value={n.clone()} selected={*node == *n}>{n}</option>
                        }) }
                    </select>
                </label>
                <label>{"kind "}
                    <select data-testid="events-kind" onchange={on_kind} aria-label="Show events of one kind">
                        <option value="" selected={kind.is_empty()}>{"all"}</option>
                        { for Category::ALL.iter().map(|c| html! {
                            <option value={c.as_str()} selected={kind.as_str() == c.as_str()}>{c.as_str()}</option>
                        }) }
                    </select>
                </label>
            </div>
            if shown.is_empty() {
                <p class="muted">{ if props.events.is_empty() { "Nothing has happened yet." } else { "No event matches the filters." } }</p>
            } else {
                <ol data-testid="events">
                    { for shown.iter().map(|e| html! { <li>{*e}</li> }) }
                </ol>
            }
            if props.dropped > 0 {
                <p class="muted dropped">{format!("… {} earlier events dropped (the log keeps the newest)", props.dropped)}</p>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_node_is_named_as_a_whole_word() {
        assert!(names_node("pg1 → pg2 send xid=3", "pg2"));
        assert!(names_node("pg1 CRASHED", "pg1"));
        assert!(!names_node("pg10 CRASHED", "pg1"));
        assert!(!names_node("xpg1 y", "pg1"));
        assert!(names_node("(was pg1; ttl 0)", "pg1"));
    }
}
