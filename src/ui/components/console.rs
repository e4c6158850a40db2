//! The SQL console: a text box (Ctrl+Enter runs it), where to send it, and the lesson's
//! statements one click away.

use yew::prelude::*;

use super::settings_panel::DurationInput;
use crate::engine::cluster::Ryw;
use crate::engine::{Millis, Target};
use crate::ui::state::{Action, NodeView, MAX_SESSIONS, RYW_CHOICES};

/// The lesson's statements, as (button label, SQL).
pub const EXAMPLES: [(&str, &str); 4] = [
    (
        "create orders",
        "CREATE TABLE orders (\n  id SERIAL PRIMARY KEY,\n  user_id INT NOT NULL,\n  amount NUMERIC(10,2),\n  created_at TIMESTAMP DEFAULT NOW()\n);",
    ),
    ("insert order", "INSERT INTO orders (user_id, amount) VALUES (101, 19.99);"),
    ("user's orders", "SELECT *\nFROM orders\nWHERE user_id = 101;"),
    ("last day", "SELECT *\nFROM orders\nWHERE created_at > NOW() - INTERVAL 1 DAY;"),
];

#[derive(Properties, PartialEq)]
pub struct ConsoleProps {
    pub nodes: Vec<NodeView>,
    /// The console session's read-after-write strategy.
    pub ryw: Ryw,
    /// The client session the console acts as.
    pub session: String,
    /// Every session the console offers, as tabs.
    pub sessions: Vec<String>,
    pub on_action: Callback<Action>,
}

/// Where the console sends SQL, as the `<select>` value: `router`, `primary` or a node name.
fn parse_target(value: &str, nodes: &[NodeView]) -> Target {
    if value == "primary" {
        return Target::Primary;
    }
    nodes.iter().find(|n| n.name == value).map(|n| Target::Node(n.id)).unwrap_or(Target::Router)
}

fn target_value(target: Target) -> String {
    match target {
        Target::Router => "router".to_string(),
        Target::Primary => "primary".to_string(),
        Target::Node(id) => id.name().into_owned(),
    }
}

/// Text box, target and Run.
#[function_component(Console)]
pub fn console(props: &ConsoleProps) -> Html {
    let sql = use_state(|| EXAMPLES[0].1.to_string());
    let target = use_state(|| Target::Router);
    // What was run, oldest first, and where ↑/↓ stand in it (None: the text being typed).
    let history = use_mut_ref(Vec::<String>::new);
    let recalled = use_mut_ref(|| None::<usize>);
    let run = {
        let (sql, target, on_action) = (sql.clone(), target.clone(), props.on_action.clone());
        let (history, recalled) = (history.clone(), recalled.clone());
        let nodes: Vec<_> = props.nodes.iter().map(|n| n.id).collect();
        Callback::from(move |()| {
            // A node that is gone (a script rebuilt the cluster) falls back to the router, as
            // the select already shows.
            let target = match *target {
                Target::Node(id) if !nodes.contains(&id) => Target::Router,
                other => other,
            };
            if !sql.trim().is_empty() {
                let mut history = history.borrow_mut();
                if history.last() != Some(&*sql) {
                    history.push((*sql).clone());
                }
                *recalled.borrow_mut() = None;
                on_action.emit(Action::Run { target, sql: (*sql).clone() });
            }
        })
    };
    let on_input = {
        let sql = sql.clone();
        Callback::from(move |e: InputEvent| {
            let area: web_sys::HtmlTextAreaElement = e.target_unchecked_into();
            sql.set(area.value());
        })
    };
    let on_keydown = {
        let (run, sql) = (run.clone(), sql.clone());
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" && (e.ctrl_key() || e.meta_key()) {
                e.prevent_default();
                return run.emit(());
            }
            let area: web_sys::HtmlTextAreaElement = e.target_unchecked_into();
            let caret =
                (area.selection_start().ok().flatten(), area.selection_end().ok().flatten());
            let length = area.value().encode_utf16().count() as u32;
            let at_start = caret == (Some(0), Some(0));
            let at_end = caret == (Some(length), Some(length));
            let history = history.borrow();
            let mut recalled = recalled.borrow_mut();
            // Browsing: the recalled text is still as recalled, so ↑/↓ keep walking.
            let browsing = recalled.is_some_and(|i| history.get(i) == Some(&area.value()));
            let next = match (e.key().as_str(), *recalled) {
                ("ArrowUp", _) if !(at_start || browsing) || history.is_empty() => return,
                ("ArrowUp", Some(i)) if browsing => Some(i.saturating_sub(1)),
                ("ArrowUp", _) => Some(history.len() - 1),
                ("ArrowDown", Some(i)) if (at_end || browsing) && i + 1 < history.len() => {
                    Some(i + 1)
                }
                ("ArrowDown", Some(_)) if at_end || browsing => None,
                _ => return,
            };
            e.prevent_default();
            *recalled = next;
            sql.set(next.map_or_else(String::new, |i| history[i].clone()));
        })
    };
    let on_target = {
        let (target, nodes) = (target.clone(), props.nodes.clone());
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            target.set(parse_target(&select.value(), &nodes));
        })
    };
    let on_ryw = {
        let on_action = props.on_action.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            let value = select.value();
            if let Some((strategy, _)) = RYW_CHOICES.iter().find(|(s, _)| s.to_string() == value) {
                on_action.emit(Action::SetRyw(*strategy));
            }
        })
    };
    let tab = |name: &String| {
        let (on_action, name) = (props.on_action.clone(), name.clone());
        Callback::from(move |_: MouseEvent| on_action.emit(Action::SetSession(name.clone())))
    };
    let add_session = {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(Action::AddSession))
    };
    let on_duration = {
        let on_action = props.on_action.clone();
        Callback::from(move |ms: Option<Millis>| {
            on_action.emit(Action::SetRywDuration(ms.unwrap_or(0)))
        })
    };
    let selected = target_value(*target);
    html! {
        <div class="console">
            <div class="session-tabs">
            <div class="session-list" role="tablist" aria-label="The client session the console acts as: each has its own read-after-write strategy, and the checker tells a session's own writes from others'">
                { for props.sessions.iter().map(|name| {
                    let selected = *name == props.session;
                    html! {
                        <button role="tab" class={classes!("session-tab", selected.then_some("selected"))}
                            data-testid="session-tab" data-session={name.clone()} aria-selected={selected.to_string()}
                            onclick={tab(name)}>{name}</button>
                    }
                }) }
            </div>
                if props.sessions.len() < MAX_SESSIONS {
                    <button class="session-tab add" data-testid="add-session" aria-label="Add a client session"
                        title="Another client: its own connection, strategy and cached endpoint answer" onclick={add_session}>{"+"}</button>
                }
            </div>
            <div class="examples">
                <span class="muted">{"the lesson's SQL: "}</span>
                { for EXAMPLES.iter().map(|(label, text)| {
                    let sql = sql.clone();
                    let onclick = Callback::from(move |_: MouseEvent| sql.set(text.to_string()));
                    html! { <button class="chip" {onclick}>{*label}</button> }
                }) }
            </div>
            <textarea data-testid="sql-input" spellcheck="false" rows="6" value={(*sql).clone()}
                oninput={on_input} onkeydown={on_keydown}
                aria-label="SQL to run (Ctrl+Enter runs it; ↑ at the start recalls what ran before)" />
            <div class="console-bar">
                <label>{"send to "}
                    <select data-testid="sql-target" onchange={on_target}>
                        <option value="router" selected={selected == "router"}>
                            {"router (writes → primary, reads → replicas)"}
                        </option>
                        <option value="primary" selected={selected == "primary"}>
                            {"primary (whatever the endpoint resolves to)"}
                        </option>
                        { for props.nodes.iter().map(|n| html! {
                            <option value={n.name.clone()} selected={selected == n.name}>
                                {format!("{} ({})", n.name, n.role.as_str())}
                            </option>
                        }) }
                    </select>
                </label>
                <label title="How this session reads after its own writes">{"read-after-write "}
                    // Keyed by session: a new select for another session shows its strategy
                    // (a kept one would keep what the user last picked for the previous one).
                    <select key={props.session.clone()} data-testid="ryw" onchange={on_ryw}>
                        { for RYW_CHOICES.iter().map(|(strategy, label)| html! {
                            <option value={strategy.to_string()} selected={strategy.to_string() == props.ryw.name()}>{*label}</option>
                        }) }
                    </select>
                </label>
                { ryw_duration(props.ryw, on_duration) }
                <span class="muted hint">{"Ctrl+Enter"}</span>
                <button class="primary" data-testid="run" onclick={run.reform(|_: MouseEvent| ())}>{"Run"}</button>
            </div>
        </div>
    }
}

/// The strategy's one duration, where it has one: `primary`'s window, `lsn`'s wait.
fn ryw_duration(ryw: Ryw, on_change: Callback<Option<Millis>>) -> Html {
    let (label, title, value_ms) = match ryw {
        Ryw::Primary { window_ms } => {
            ("for", "How long after the session's last write its reads go to the primary", window_ms)
        }
        Ryw::Lsn { timeout_ms } => (
            "wait up to",
            "How long a read waits for a replica to replay the session's last commit before it reads from the primary",
            timeout_ms,
        ),
        _ => return Html::default(),
    };
    html! {
        <DurationInput key={label} {label} testid="ryw-duration" {title} value_ms={Some(value_ms)} {on_change} />
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::node::{NodeState, Receiver, Role};
    use crate::engine::NodeId;

    fn view(id: usize, role: Role) -> NodeView {
        NodeView {
            id: NodeId(id),
            name: NodeId(id).name().into_owned(),
            role,
            state: NodeState::Running,
            timeline: 1,
            receiver: Receiver::Streaming,
            link_down: None,
            link_up: None,
            replay_paused: false,
            replay_lsn: String::new(),
            lag_bytes: 0,
            lag_ms: 0,
            link_delay_ms: None,
            tables: vec![],
            leader: role == Role::Primary,
            stale: false,
            manager_cut: false,
            behind: None,
            catching_up: false,
            shunned: false,
        }
    }

    #[test]
    fn targets_round_trip_through_the_select_value() {
        let nodes = vec![view(0, Role::Primary), view(1, Role::Replica)];
        assert_eq!(parse_target("router", &nodes), Target::Router);
        assert_eq!(parse_target("pg2", &nodes), Target::Node(NodeId(1)));
        assert_eq!(parse_target("nonsense", &nodes), Target::Router);
        assert_eq!(target_value(Target::Node(NodeId(1))), "pg2");
    }
}
