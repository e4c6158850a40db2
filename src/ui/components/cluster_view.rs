//! The cluster diagram: the primary, then each replica behind its link.

use yew::prelude::*;

use super::draft_input::DraftInput;
use crate::engine::command::{parse, Command, LinkChange, NodeRef, ReplicaChange};
use crate::engine::format_millis;
use crate::engine::node::{NodeState, Receiver, Role};
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
    let down = node.state != NodeState::Running;
    let class = classes!("node", role, lagging.then_some("lagging"), down.then_some("down"));
    html! {
        <article {class} data-testid="node" data-node={node.name.clone()} data-role={role}
            data-state={node.state.as_str()}>
            <header>
                <span class="node-name">{&node.name}</span>
                if down {
                    <span class="badge down" data-testid="state">{node.state.as_str()}</span>
                }
                if node.stale {
                    <span class="badge split" data-testid="stale-primary"
                        title="Still takes writes, but another node has been promoted: split brain">{"stale primary"}</span>
                }
                if node.manager_cut {
                    <span class="badge warn" data-testid="manager-cut"
                        title="The failover manager (Patroni's DCS) cannot reach this node; clients still can">{"no manager"}</span>
                }
                <span class={classes!("badge", role)}>{role}</span>
            </header>
            <dl>
                <dt title="How far this node has replayed the WAL">{"replayed"}</dt><dd data-testid="replay-lsn">{&node.replay_lsn}</dd>
                if node.timeline > 1 || node.stale {
                    <dt title="PostgreSQL's timeline: a new one starts at each promotion">{"timeline"}</dt>
                    <dd data-testid="timeline">{node.timeline}</dd>
                }
                if node.role == Role::Replica && !down {
                    <dt title="The replica's WAL receiver">{"stream"}</dt>
                    <dd class={classes!((node.receiver != Receiver::Streaming).then_some("warn"))}
                        data-testid="receiver">{node.receiver.as_str()}</dd>
                }
                if node.role == Role::Replica && node.replay_paused {
                    <dt title="pg_wal_replay_pause(): WAL still arrives but is not applied">{"replay"}</dt>
                    <dd class="warn" data-testid="replay-paused">{"paused"}</dd>
                }
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
            <NodeActions node={node.clone()} on_action={props.on_action.clone()} />
        </article>
    }
}

/// Faults and operations on one node: crash, restart, pause/resume replay, promote,
/// switchover, re-sync.
#[function_component(NodeActions)]
fn node_actions(props: &NodeCardProps) -> Html {
    let node = &props.node;
    let button =
        |label: &'static str, title: &'static str, testid: &'static str, command: Command| {
            let on_action = props.on_action.clone();
            let action = Action::Apply(command);
            let onclick = Callback::from(move |_: MouseEvent| on_action.emit(action.clone()));
            html! { <button class="small" data-testid={testid} {title} {onclick}>{label}</button> }
        };
    let id = NodeRef::Id(node.id);
    let replica = node.role == Role::Replica;
    let running = node.state == NodeState::Running;
    let replay = |pause: bool| {
        Command::Replica(ReplicaChange {
            node: id,
            apply_delay_ms: None,
            pause: Some(pause),
            slow: None,
        })
    };
    html! {
        <div class="node-actions">
            if running {
                {button("crash", "Stop this node at once, as a power cut would", "crash", Command::Crash(id))}
            }
            if node.state == NodeState::Crashed {
                {button("restart", "Start the node again (crash recovery takes 2 s)", "restart", Command::Restart(id))}
            }
            if replica && running && !node.replay_paused {
                {button("pause replay", "pg_wal_replay_pause(): WAL still arrives but is not applied", "pause-replay",
                    replay(true))}
            }
            if replica && node.replay_paused {
                {button("resume replay", "pg_wal_replay_resume()", "resume-replay", replay(false))}
            }
            if !node.manager_cut {
                {button("cut from manager", "Partition this node from the failover manager only: clients still reach it", "cut-manager",
                    Command::PartitionManager(id))}
            } else {
                {button("reconnect manager", "Heal the partition between this node and the failover manager", "heal-manager",
                    Command::HealManager(id))}
            }
            if replica && running {
                {button("promote", "pg_promote(): this replica replays what it has and becomes a primary on a new timeline. With auto failover on, the manager fences the old primary; without it, as in PostgreSQL, nobody tells the old primary, which keeps taking writes: split brain", "promote",
                    Command::Promote(id))}
                {button("switchover", "A planned switchover to this replica: the primary stops taking statements until this replica has all its WAL, then it is promoted and the old primary follows it; nothing is lost", "switchover",
                    Command::Switchover(id))}
            }
            if replica && node.receiver == Receiver::NeedsResync && running {
                {button("re-sync", "Rebuild this replica from a base backup of the primary", "resync", Command::Resync(id))}
            }
        </div>
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
    let node = NodeRef::Id(props.replica.id);
    let on_commit = {
        let on_action = props.on_action.clone();
        Callback::from(move |text: String| match parse::parse_millis(&text) {
            Some(delay_ms) if delay_ms <= 600_000 => {
                let change =
                    LinkChange { node, delay_ms: Some(delay_ms), jitter_ms: None, loss: None };
                on_action.emit(Action::Apply(Command::Link(change)));
                true
            }
            _ => false,
        })
    };
    html! {
        <label class="delay" title="One-way network delay from the primary (e.g. 1500ms, 2s; at most 10 min)">
            {"link delay "}
            <DraftInput testid="link-delay" size=7 value={format_millis(props.delay_ms)}
                title="One-way network delay from the primary (e.g. 1500ms, 2s; at most 10 min)" {on_commit} />
        </label>
    }
}
