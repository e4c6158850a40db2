//! The selected node's controls: its card (crash, restart, promote, switchover, re-sync, pause
//! replay, link delay) and, for a replica, its link (jitter, loss, partitions) and apply delay,
//! and removing it. Every change is a command.

use yew::prelude::*;

use super::cluster_view::NodeCard;
use super::draft_input::DraftInput;
use crate::engine::command::{parse, Command, LinkChange, NodeRef, ReplicaChange};
use crate::engine::event::Way;
use crate::engine::format_millis;
use crate::engine::link::Flow;
use crate::engine::node::Role;
use crate::ui::state::{Action, NodeView};

#[derive(Properties, PartialEq)]
pub struct NodePanelProps {
    pub node: NodeView,
    /// The replica's link jitter and loss, and its apply delay.
    pub jitter_ms: u64,
    pub loss: f64,
    pub apply_delay_ms: u64,
    pub on_action: Callback<Action>,
}

#[function_component(NodePanel)]
pub fn node_panel(props: &NodePanelProps) -> Html {
    let node = &props.node;
    let close = {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(Action::Select(None)))
    };
    html! {
        <section class="panel node-panel" data-testid="node-panel" data-node={node.name.clone()}
            aria-label={format!("Controls of {}", node.name)}>
            <h2>{format!("{} — controls", node.name)}
                <button class="small close" aria-label="Close the node's controls" onclick={close}>{"×"}</button>
            </h2>
            <NodeCard node={node.clone()} on_action={props.on_action.clone()} />
            if node.role == Role::Replica {
                <ReplicaControls ..props.clone_props() />
            }
        </section>
    }
}

impl NodePanelProps {
    fn clone_props(&self) -> NodePanelProps {
        NodePanelProps {
            node: self.node.clone(),
            jitter_ms: self.jitter_ms,
            loss: self.loss,
            apply_delay_ms: self.apply_delay_ms,
            on_action: self.on_action.clone(),
        }
    }
}

#[function_component(ReplicaControls)]
fn replica_controls(props: &NodePanelProps) -> Html {
    let node = NodeRef::Id(props.node.id);
    let act = |command: Command| {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(Action::Apply(command.clone())))
    };
    let link_field = |apply: fn(&mut LinkChange, &str) -> bool| {
        let on_action = props.on_action.clone();
        Callback::from(move |text: String| {
            let mut change = LinkChange { node, delay_ms: None, jitter_ms: None, loss: None };
            let ok = apply(&mut change, &text);
            if ok {
                on_action.emit(Action::Apply(Command::Link(change)));
            }
            ok
        })
    };
    let on_jitter = link_field(|c, text| {
        c.jitter_ms = parse::parse_millis(text).filter(|ms| *ms <= 600_000);
        c.jitter_ms.is_some()
    });
    let on_loss = link_field(|c, text| {
        // The engine's limit: PostgreSQL would give up on a link losing more.
        c.loss = parse::percent_or_fraction(text).filter(|p| (0.0..=0.9).contains(p));
        c.loss.is_some()
    });
    let on_apply_delay = {
        let on_action = props.on_action.clone();
        Callback::from(move |text: String| match parse::parse_millis(&text) {
            Some(ms) if ms <= 3_600_000 => {
                let change =
                    ReplicaChange { node, apply_delay_ms: Some(ms), pause: None, slow: None };
                on_action.emit(Action::Apply(Command::Replica(change)));
                true
            }
            _ => false,
        })
    };
    let cut = props.node.link_down == Some(Flow::Cut) || props.node.link_up == Some(Flow::Cut);
    let partition = |way: Way, label: &'static str, testid: &'static str, title: &'static str| {
        html! {
            <button class="small" data-testid={testid} {title}
                onclick={act(Command::Partition { node, way })}>{label}</button>
        }
    };
    html! {
        <div class="replica-controls">
            <label title="Extra delay per message, drawn uniformly up to this (e.g. 200ms)">{"jitter "}
                <DraftInput testid="link-jitter" size=6 value={format_millis(props.jitter_ms)}
                    title="Extra delay per message, drawn uniformly up to this (e.g. 200ms)" on_commit={on_jitter} />
            </label>
            <label title="Share of packets lost and retransmitted (0.1 or 10%)">{"loss "}
                <DraftInput testid="link-loss" size=5 value={format!("{}%", (props.loss * 100.0).round())}
                    title="Share of packets lost and retransmitted (0.1 or 10%)" on_commit={on_loss} />
            </label>
            <label title="recovery_min_apply_delay: replay each commit only this long after it was made">{"apply delay "}
                <DraftInput testid="apply-delay" size=6 value={format_millis(props.apply_delay_ms)}
                    title="recovery_min_apply_delay: replay each commit only this long after it was made (e.g. 5s)" on_commit={on_apply_delay} />
            </label>
            <div class="node-actions">
                {partition(Way::Both, "partition", "partition-both", "Cut the link both ways")}
                {partition(Way::Down, "cut WAL (down)", "partition-down", "Cut only primary → replica: WAL stops, feedback still flows")}
                {partition(Way::Up, "cut feedback (up)", "partition-up", "Cut only replica → primary: WAL arrives, the primary hears nothing back")}
                if cut {
                    <button class="small" data-testid="heal" title="Mend this replica's partitions"
                        onclick={act(Command::Heal(Some(node)))}>{"heal"}</button>
                }
                <button class="small danger" data-testid="remove-replica" title="Take this replica out of the cluster for good"
                    onclick={act(Command::RemoveReplica(node))}>{"remove"}</button>
            </div>
        </div>
    }
}
