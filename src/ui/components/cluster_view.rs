//! The cluster diagram: the primary, then each replica behind its link.

use yew::prelude::*;

use crate::engine::node::Role;
use crate::engine::{format_millis, parse_millis};
use crate::ui::state::{Action, NodeView};

#[derive(Properties, PartialEq)]
pub struct ClusterViewProps {
    pub nodes: Vec<NodeView>,
    pub on_action: Callback<Action>,
}

/// All nodes as cards.
#[function_component(ClusterView)]
pub fn cluster_view(props: &ClusterViewProps) -> Html {
    html! {
        <div class="cluster" data-testid="cluster">
            { for props.nodes.iter().map(|node| html! {
                <NodeCard key={node.name.clone()} node={node.clone()} on_action={props.on_action.clone()} />
            }) }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct NodeCardProps {
    pub node: NodeView,
    pub on_action: Callback<Action>,
}

/// One node: role, replay position, lag, its tables, and (for a replica) its link delay.
#[function_component(NodeCard)]
pub fn node_card(props: &NodeCardProps) -> Html {
    let node = &props.node;
    let role = node.role.as_str();
    let lagging = node.lag_bytes > 0;
    let class = classes!("node", role, lagging.then_some("lagging"));
    html! {
        <article {class} data-testid="node" data-node={node.name.clone()} data-role={role}>
            <header>
                <span class="node-name">{&node.name}</span>
                <span class={classes!("badge", role)}>{role}</span>
            </header>
            <dl>
                <dt>{"replay LSN"}</dt><dd data-testid="replay-lsn">{&node.replay_lsn}</dd>
                if node.role == Role::Replica {
                    <dt>{"lag"}</dt>
                    <dd data-testid="lag">{
                        if lagging { format!("{} · {} bytes", format_millis(node.lag_ms), node.lag_bytes) }
                        else { "caught up".to_string() }
                    }</dd>
                }
            </dl>
            <TableList tables={node.tables.clone()} />
            if let Some(delay_ms) = node.link_delay_ms {
                <DelayInput replica={node.clone()} {delay_ms} on_action={props.on_action.clone()} />
            }
        </article>
    }
}

#[derive(Properties, PartialEq)]
struct TableListProps {
    tables: Vec<(String, usize)>,
}

#[function_component(TableList)]
fn table_list(props: &TableListProps) -> Html {
    if props.tables.is_empty() {
        return html! { <p class="muted tables">{"no tables"}</p> };
    }
    html! {
        <ul class="tables">
            { for props.tables.iter().map(|(name, rows)| html! {
                <li data-table={name.clone()}>
                    <span>{name}</span>
                    <span class="rows">{format!("{rows} row{}", if *rows == 1 { "" } else { "s" })}</span>
                </li>
            }) }
        </ul>
    }
}

#[derive(Properties, PartialEq)]
struct DelayInputProps {
    replica: NodeView,
    delay_ms: u64,
    on_action: Callback<Action>,
}

/// The link delay of one replica; takes `1500`, `1500ms` or `1.5s`.
#[function_component(DelayInput)]
fn delay_input(props: &DelayInputProps) -> Html {
    let replica = props.replica.id;
    let invalid = use_state(|| false);
    let on_change = {
        let (on_action, invalid) = (props.on_action.clone(), invalid.clone());
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            match parse_millis(&input.value()) {
                Some(delay_ms) if delay_ms <= 600_000 => {
                    invalid.set(false);
                    on_action.emit(Action::SetLinkDelay { replica, delay_ms });
                }
                _ => invalid.set(true),
            }
        })
    };
    html! {
        <label class="delay" title="One-way network delay from the primary (e.g. 1500ms, 2s; at most 10 min)">
            {"link delay "}
            <input data-testid="link-delay" class={classes!((*invalid).then_some("invalid"))}
                value={format_millis(props.delay_ms)} onchange={on_change} size="7" />
        </label>
    }
}
