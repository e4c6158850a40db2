//! The cluster diagram (SVG): client sessions, the router, the endpoint, the failover manager,
//! the primary and its replicas; each link's two lanes with the messages on the wire moving
//! along them; each replica's position ladder. Every state has a label or icon as well as a
//! colour. Clicking (or Enter on) a node selects it.

use crate::engine::vecmap::VecMap;
use yew::prelude::*;

use crate::engine::link::Flow;
use crate::engine::node::{NodeState, Receiver, Role};
use crate::engine::{format_millis, Millis, NodeId};
use crate::ui::browser;
use crate::ui::geometry::{
    self, ladder_scale, ladder_widths, svg_number, Lane, Layout, Orientation, Point, Rect,
};
use crate::ui::state::{Action, NodeView};
use crate::ui::views::{LaneView, ManagerView, SessionView, WireView};

/// What the router, endpoint and cache look like now.
#[derive(Clone, Debug, PartialEq)]
pub struct FrontView {
    pub policy: String,
    pub endpoint_name: String,
    pub endpoint_target: NodeId,
    pub endpoint_ttl_ms: Millis,
    /// The read cache's hit ratio, while it is on.
    pub cache_hit: Option<Option<f64>>,
    /// A load generator is sending traffic: (statements/s, sessions).
    pub load: Option<(u64, usize)>,
}

#[derive(Properties, PartialEq)]
pub struct DiagramProps {
    pub now_ms: Millis,
    pub nodes: Vec<NodeView>,
    pub lanes: VecMap<(NodeId, NodeId), LaneView>,
    pub sessions: Vec<SessionView>,
    pub manager: ManagerView,
    pub front: FrontView,
    pub selected: Option<NodeId>,
    /// Nodes a checker finding points at.
    #[prop_or_default]
    pub highlight: Vec<NodeId>,
    pub on_action: Callback<Action>,
}

/// Where each node sits: the failover manager's primary in the middle, the rest on the right.
fn placed(nodes: &[NodeView], layout: &Layout) -> Vec<(NodeView, Rect)> {
    let mut out = Vec::new();
    let mut column = layout.replicas.iter();
    for node in nodes {
        let rect = if node.leader { Some(&layout.primary) } else { column.next() };
        if let Some(rect) = rect {
            out.push((node.clone(), *rect));
        }
    }
    out
}

/// Screens this narrow (a phone held upright) get the portrait layout.
const PORTRAIT_QUERY: &str = "(max-width: 560px)";

/// Whether a CSS media query matches, kept up to date as the window changes.
#[hook]
fn use_media_query(query: &'static str) -> bool {
    let matches = use_state(|| browser::media_matches(query));
    {
        let matches = matches.clone();
        use_effect_with(query, move |query| {
            let watch = browser::MediaWatch::start(query, move |now| matches.set(now));
            move || drop(watch)
        });
    }
    *matches
}

#[function_component(Diagram)]
pub fn diagram(props: &DiagramProps) -> Html {
    let orientation = if use_media_query(PORTRAIT_QUERY) {
        Orientation::Portrait
    } else {
        Orientation::Landscape
    };
    let others = props.nodes.iter().filter(|n| !n.leader).count();
    let clients = props.sessions.len() + usize::from(props.front.load.is_some());
    let layout = geometry::layout(clients, others.max(1), orientation);
    let nodes = placed(&props.nodes, &layout);
    let leader = nodes.iter().find(|(n, _)| n.leader);
    let paths: Vec<WirePath> = match leader {
        Some((leader, primary)) => nodes
            .iter()
            .filter(|(n, _)| !n.leader)
            .map(|(replica, r)| WirePath {
                leader: leader.id,
                replica: replica.id,
                down: geometry::lane(*primary, *r, Lane::Down),
                up: geometry::lane(*primary, *r, Lane::Up),
            })
            .collect(),
        None => Vec::new(),
    };
    let view_box = format!("0 0 {} {}", layout.width, layout.height);
    html! {
        // Between a phone and a laptop the landscape diagram keeps a legible size and scrolls
        // sideways in its own box.
        <div class="diagram-scroll" data-testid="diagram-scroll">
        <svg class={classes!("diagram", orientation.as_str())} data-testid="diagram"
            data-orientation={orientation.as_str()} viewBox={view_box} role="group"
            aria-label="The cluster: clients, router, failover manager, primary and replicas, with the messages on each link">
            <defs>
                <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
                    <path d="M0,0 L10,5 L0,10 z" class="arrowhead" />
                </marker>
            </defs>
            { diagram_body(props, &layout, &nodes) }
            { wire(props.now_ms, &props.lanes, &paths) }
        </svg>
        </div>
    }
}

/// Everything but the messages on the wire.
fn diagram_body(props: &DiagramProps, layout: &Layout, nodes: &[(NodeView, Rect)]) -> Html {
    let leader = nodes.iter().find(|(n, _)| n.leader).cloned();
    let rect_of = |id: NodeId| nodes.iter().find(|(n, _)| n.id == id).map(|(_, r)| *r);
    html! {
        <g class="body">
            { endpoint_box(&props.front, layout.endpoint, rect_of(props.front.endpoint_target).map(|t| layout.endpoint_path(t))) }
            { manager_box(&props.manager, layout.manager, leader.as_ref().map(|(_, r)| layout.check_path(*r))) }
            { for nodes.iter().filter(|(n, _)| !n.leader).filter_map(|(replica, rect)| {
                let (_, primary_rect) = leader.as_ref()?;
                Some(link(*primary_rect, replica, *rect))
            }) }
            { session_arrows(&props.sessions, layout, &rect_of) }
            { router_box(&props.front, layout.router) }
            { for props.sessions.iter().zip(&layout.clients).map(|(s, r)| session_box(s, *r)) }
            if let (Some((rate, sessions)), Some(rect)) = (props.front.load, layout.clients.get(props.sessions.len())) {
                { load_box(rate, sessions, *rect, layout.to_router(*rect)) }
            }
            { for nodes.iter().map(|(node, rect)| {
                let marks = Marks { selected: props.selected == Some(node.id), highlighted: props.highlight.contains(&node.id) };
                node_box(node, *rect, marks, &props.on_action)
            }) }
        </g>
    }
}

/// A replica's link: where its two lanes run.
struct WirePath {
    leader: NodeId,
    replica: NodeId,
    down: geometry::Segment,
    up: geometry::Segment,
}

/// The messages on the wire, each placed where it is now along its lane, over the boxes.
fn wire(now_ms: Millis, lanes: &VecMap<(NodeId, NodeId), LaneView>, paths: &[WirePath]) -> Html {
    let empty = LaneView::default();
    html! {
        <g class="wire">
            { for paths.iter().map(|path| {
                let wal = lanes.get(&(path.leader, path.replica)).unwrap_or(&empty);
                let feedback = lanes.get(&(path.replica, path.leader)).unwrap_or(&empty);
                let (down, up) = (path.down, path.up);
                let (more_at, more_ends_there) = down.label_end();
                html! {
                    <g class="lanes" data-testid="wire" data-replica={path.replica.name()}>
                        <g class="msgs down">{ for wal.drawn.iter().map(|m| message(now_ms, m, down, wal.more == 0)) }</g>
                        <g class="msgs up">{ for feedback.drawn.iter().map(|m| message(now_ms, m, up, feedback.more == 0)) }</g>
                        // Just before the replica, on the side its lane does not come from.
                        if wal.more > 0 {
                            <text x={svg_number(more_at.x)} y={svg_number(more_at.y)} class="more"
                                text-anchor={if more_ends_there { "end" } else { "start" }}>
                                {format!("+{}", wal.more)}
                                <title>{format!("{} more messages on the wire than the dots drawn", wal.more)}</title>
                            </text>
                        }
                    </g>
                }
            }) }
        </g>
    }
}

/// The most nodes a cluster may have (a primary and eight replicas would not fit a phone).
pub const MAX_NODES: usize = 9;

#[derive(Properties, PartialEq)]
pub struct DiagramBarProps {
    pub nodes: usize,
    pub on_action: Callback<Action>,
}

/// Under the diagram: add a replica, and what clicking does.
#[function_component(DiagramBar)]
pub fn diagram_bar(props: &DiagramBarProps) -> Html {
    let add = {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| {
            on_action.emit(Action::Apply(crate::engine::command::Command::AddReplica))
        })
    };
    let full = props.nodes >= MAX_NODES;
    html! {
        <div class="diagram-bar">
            <button class="small" data-testid="add-replica" onclick={add} disabled={full}
                title={if full { "At most 8 replicas" } else { "Add a replica: it starts from a base backup of the primary" }}>
                {"+ add replica"}</button>
            <span class="muted">{"Click a node (or Tab to it and press Enter) for its controls. Dots on a link are messages on the wire: WAL going out, feedback coming back."}</span>
        </div>
    }
}

fn text(p: Point, class: &'static str, content: String) -> Html {
    html! { <text x={svg_number(p.x)} y={svg_number(p.y)} class={class}>{content}</text> }
}

fn rect_el(r: Rect, class: Classes) -> Html {
    html! { <rect x={svg_number(r.x)} y={svg_number(r.y)} width={svg_number(r.w)} height={svg_number(r.h)} rx="6" class={class} /> }
}

fn line(a: Point, b: Point, class: Classes, arrow: bool) -> Html {
    html! {
        <line x1={svg_number(a.x)} y1={svg_number(a.y)} x2={svg_number(b.x)} y2={svg_number(b.y)} class={class}
            marker-end={arrow.then_some("url(#arrow)")} />
    }
}

/// The state of a node in words, with an icon: never colour alone.
pub fn state_label(node: &NodeView) -> (&'static str, String) {
    match node.state {
        NodeState::Crashed => ("bad", "✕ crashed".to_string()),
        NodeState::Starting { .. } => ("warn", "↻ restarting".to_string()),
        NodeState::BaseBackup { .. } => ("warn", "⧗ base backup".to_string()),
        NodeState::Removed => ("bad", "removed".to_string()),
        NodeState::Running if node.stale => ("bad", "⚠ split brain".to_string()),
        NodeState::Running if node.role == Role::Primary => ("ok", "● takes writes".to_string()),
        NodeState::Running if node.receiver == Receiver::NeedsResync => {
            ("bad", "⚠ needs re-sync".to_string())
        }
        NodeState::Running if node.receiver != Receiver::Streaming => {
            ("warn", format!("⚠ {}", node.receiver.as_str()))
        }
        NodeState::Running if node.replay_paused => ("warn", "⏸ replay paused".to_string()),
        NodeState::Running if node.catching_up => ("warn", "⇣ catching up".to_string()),
        NodeState::Running if node.shunned => ("warn", "⊘ shunned for lag".to_string()),
        NodeState::Running => ("ok", "● streaming".to_string()),
    }
}

/// How a node box is marked besides its state.
#[derive(Clone, Copy)]
struct Marks {
    selected: bool,
    /// A checker finding involves it.
    highlighted: bool,
}

fn node_box(node: &NodeView, r: Rect, marks: Marks, on_action: &Callback<Action>) -> Html {
    let selected = marks.selected;
    let (tone, label) = state_label(node);
    let select = {
        let (on_action, id) = (on_action.clone(), node.id);
        Callback::from(move |_: MouseEvent| on_action.emit(Action::Select(Some(id))))
    };
    let keyboard = {
        let (on_action, id) = (on_action.clone(), node.id);
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                on_action.emit(Action::Select(Some(id)));
            }
        })
    };
    let class = classes!(
        "dnode",
        node.role.as_str(),
        format!("tone-{tone}"),
        selected.then_some("selected"),
        marks.highlighted.then_some("highlighted"),
        node.manager_cut.then_some("manager-cut")
    );
    let role = if node.stale { "old primary" } else { node.role.as_str() };
    let lag = match (node.role, node.lag_bytes) {
        (Role::Replica, 0) => "caught up".to_string(),
        (Role::Replica, bytes) => format!("lag {} · {bytes} B", format_millis(node.lag_ms)),
        (Role::Primary, _) => format!("WAL at {}", node.replay_lsn),
    };
    // Drawn from its own corner and moved into place with a CSS transform, so that when the
    // roles swap (a promotion, a switchover) the box glides to its new place.
    let at = |dx: f64, dy: f64| Point { x: dx, y: dy };
    let place = format!("transform: translate({}px, {}px)", svg_number(r.x), svg_number(r.y));
    html! {
        <g key={node.name.clone()} class={class} style={place} data-testid="diagram-node"
            data-node={node.name.clone()} data-role={node.role.as_str()}
            data-state={node.state.as_str()} tabindex="0" role="button"
            aria-pressed={selected.to_string()} onclick={select} onkeydown={keyboard}>
            { rect_el(Rect { x: 0.0, y: 0.0, ..r }, classes!("box")) }
            { text(at(8.0, 16.0), "name", node.name.clone()) }
            { text(at(r.w - 8.0, 16.0), "role", format!("{role} · TL{}", node.timeline)) }
            <text x="8.0" y="32.0" class={classes!("state", format!("tone-{tone}"))}
                data-testid="diagram-state">{label}</text>
            { text(at(8.0, 47.0), "detail", lag) }
            if let Some(behind) = node.behind {
                { ladder(behind, at(8.0, 54.0), r.w - 16.0) }
            }
            if node.manager_cut {
                { text(at(8.0, 73.0), "tag", "✂ no manager".to_string()) }
            }
            if marks.highlighted {
                { text(at(r.w - 8.0, 73.0), "role", "◆ in the finding".to_string()) }
            }
        </g>
    }
}

/// The position ladder: four bands, from "sent" (shortest) to "replayed" (longest behind).
fn ladder(behind: [u64; 4], at: Point, width: f64) -> Html {
    let widths = ladder_widths(behind, ladder_scale(behind[3]), width);
    let names = ["sent", "written", "flushed", "replayed"];
    let title = names
        .iter()
        .zip(behind)
        .map(|(n, b)| format!("{n} {b} B behind"))
        .collect::<Vec<_>>()
        .join(", ");
    html! {
        <g class="ladder" data-testid="ladder" data-behind={behind[3].to_string()}>
            <title>{title}</title>
            <rect x={svg_number(at.x)} y={svg_number(at.y)} width={svg_number(width)} height="6" class="ladder-track" />
            { for (0..4).rev().map(|i| html! {
                <rect x={svg_number(at.x)} y={svg_number(at.y)} width={svg_number(widths[i])} height="6" class={format!("ladder-{}", names[i])} />
            }) }
        </g>
    }
}

fn link(primary: Rect, replica: &NodeView, r: Rect) -> Html {
    let down = geometry::lane(primary, r, Lane::Down);
    let up = geometry::lane(primary, r, Lane::Up);
    let cut_down = replica.link_down == Some(Flow::Cut);
    let cut_up = replica.link_up == Some(Flow::Cut);
    let lane_class = |cut: bool, dir: &'static str| classes!("lane", dir, cut.then_some("cut"));
    let delay = replica.link_delay_ms.map(format_millis).unwrap_or_default();
    let label = match (cut_down, cut_up) {
        (true, true) => "✕ partitioned".to_string(),
        (true, false) => "✕ WAL cut".to_string(),
        (false, true) => "✕ feedback cut".to_string(),
        (false, false) => delay,
    };
    let mid = down.mid();
    html! {
        <g class="link" data-testid="link" data-replica={replica.name.clone()}
            data-down={if cut_down { "cut" } else { "open" }} data-up={if cut_up { "cut" } else { "open" }}>
            { line(down.from, down.to, lane_class(cut_down, "down"), true) }
            { line(up.from, up.to, lane_class(cut_up, "up"), true) }
            { text(Point { x: mid.x, y: mid.y - 8.0 }, "link-label", label) }
        </g>
    }
}

/// A message's circle, titled with what it carries on a quiet lane; on a busy one, where each
/// circle stands for a slice of the stream and a new one appears every few frames, untitled.
fn message(now_ms: Millis, m: &WireView, lane: geometry::Segment, titled: bool) -> Html {
    let p = lane.at(geometry::progress(now_ms as f64, m.sent_ms, m.arrives_ms));
    let radius = if m.kind == "wal" { 5.0 } else { 3.0 };
    let title = titled.then(|| match m.kind {
        "wal" => format!(
            "WAL: {} record{}, {} bytes, arrives at {}",
            m.records,
            if m.records == 1 { "" } else { "s" },
            m.bytes,
            format_millis(m.arrives_ms)
        ),
        kind => format!("{kind}: {} bytes, arrives at {}", m.bytes, format_millis(m.arrives_ms)),
    });
    // Unkeyed: as the stream moves on, the lane's circles are reused in order, and a frame
    // changes one attribute of each, its position, instead of making and dropping circles.
    html! {
        <circle transform={format!("translate({},{})", svg_number(p.x), svg_number(p.y))}
            r={svg_number(radius)} class={classes!("msg", m.kind)} data-testid="message" data-kind={m.kind}>
            if let Some(title) = title { <title>{title}</title> }
        </circle>
    }
}

fn session_box(session: &SessionView, r: Rect) -> Html {
    let answer = match session.last {
        Some((node, _)) if session.stale => format!("stale ← {node}"),
        Some((node, _)) if session.cached => format!("← cache ({node})"),
        Some((node, _)) => format!("← {node}"),
        None => "idle".to_string(),
    };
    html! {
        <g class={classes!("client", session.stale.then_some("stale"))} data-testid="diagram-session"
            data-session={session.name.clone()} data-stale={session.stale.to_string()}>
            <title>{session.route.clone().unwrap_or_else(|| "The node that answered this session's last statement".into())}</title>
            { rect_el(r, classes!("box")) }
            { text(Point { x: r.x + 8.0, y: r.y + 13.0 }, "name", session.name.clone()) }
            { text(Point { x: r.x + 8.0, y: r.y + 25.0 }, "detail", answer) }
            if let Some((node, _)) = session.resolved {
                <text x={svg_number(r.x + 8.0)} y={svg_number(r.y + 36.0)} class="tag" data-testid="cached-dns">
                    <title>{"This client cached the endpoint's DNS answer: it keeps using that node until the TTL runs out"}</title>
                    {format!("dns → {node}")}
                </text>
            }
        </g>
    }
}

fn load_box(rate: u64, sessions: usize, r: Rect, to_router: (Point, Point)) -> Html {
    html! {
        <g class="client load" data-testid="diagram-load">
            { line(to_router.0, to_router.1, classes!("session-arrow", "load"), true) }
            { rect_el(r, classes!("box")) }
            { text(Point { x: r.x + 8.0, y: r.y + 13.0 }, "name", "load".to_string()) }
            { text(Point { x: r.x + 8.0, y: r.y + 25.0 }, "detail", format!("{rate}/s")) }
            { text(Point { x: r.x + 8.0, y: r.y + 36.0 }, "detail", format!("{sessions} conns")) }
        </g>
    }
}

fn session_arrows(
    sessions: &[SessionView],
    layout: &Layout,
    rect_of: &dyn Fn(NodeId) -> Option<Rect>,
) -> Html {
    html! {
        <g class="session-arrows">
            { for sessions.iter().zip(&layout.clients).filter_map(|(s, client)| {
                let (node, routed) = s.last?;
                let points = layout.session_path(*client, rect_of(node)?, routed);
                Some(html! {
                    <polyline points={geometry::polyline(&points)} data-session={s.name.clone()}
                        class={classes!("session-arrow", s.cached.then_some("cached"), s.stale.then_some("stale"))} marker-end="url(#arrow)" />
                })
            }) }
        </g>
    }
}

fn router_box(front: &FrontView, r: Rect) -> Html {
    let cache = match front.cache_hit {
        Some(Some(ratio)) => format!("cache {:.0}% hits", ratio * 100.0),
        Some(None) => "cache on".to_string(),
        None => "no read cache".to_string(),
    };
    html! {
        <g class="router" data-testid="diagram-router">
            { rect_el(r, classes!("box")) }
            { text(Point { x: r.x + 8.0, y: r.y + 16.0 }, "name", "router".to_string()) }
            <title>{format!("Writes go to the primary; reads go to a replica, chosen {}", front.policy)}</title>
            { text(Point { x: r.x + 8.0, y: r.y + 32.0 }, "detail", front.policy.clone()) }
            { text(Point { x: r.x + 8.0, y: r.y + 48.0 }, "detail", cache) }
        </g>
    }
}

fn path(points: &[Point], class: Classes) -> Html {
    html! { <polyline points={geometry::polyline(points)} class={class} marker-end="url(#arrow)" /> }
}

fn endpoint_box(front: &FrontView, r: Rect, arrow: Option<Vec<Point>>) -> Html {
    html! {
        <g class="endpoint" data-testid="diagram-endpoint" data-target={front.endpoint_target.name()}>
            <title>{"The DNS name clients use for the primary; clients cache its answer for the TTL"}</title>
            if let Some(arrow) = arrow {
                { path(&arrow, classes!("endpoint-arrow")) }
            }
            { rect_el(r, classes!("box")) }
            { text(Point { x: r.x + 8.0, y: r.y + 14.0 }, "name", "endpoint (DNS)".to_string()) }
            { text(Point { x: r.x + 8.0, y: r.y + 28.0 }, "detail", front.endpoint_name.clone()) }
            { text(Point { x: r.x + 8.0, y: r.y + 41.0 }, "detail",
                format!("→ {} · TTL {}", front.endpoint_target, format_millis(front.endpoint_ttl_ms))) }
        </g>
    }
}

fn manager_box(manager: &ManagerView, r: Rect, check_path: Option<Vec<Point>>) -> Html {
    let failing = manager.auto && manager.missed > 0;
    let check =
        classes!("health-check", failing.then_some("failing"), (!manager.auto).then_some("off"));
    html! {
        <g class={classes!("manager", failing.then_some("failing"))} data-testid="diagram-manager"
            data-missed={manager.missed.to_string()}>
            if let (Some(check_path), true) = (check_path, manager.auto) {
                { path(&check_path, check) }
            }
            { rect_el(r, classes!("box")) }
            { text(Point { x: r.x + 8.0, y: r.y + 17.0 }, "name", "failover manager".to_string()) }
            <text x={svg_number(r.x + 8.0)} y={svg_number(r.y + 35.0)} class={classes!("detail", failing.then_some("tone-bad"))}
                data-testid="manager-summary">
                { if failing { "✕ " } else { "" } }{manager.summary()}
            </text>
        </g>
    }
}
