//! # Where the diagram draws things
//!
//! Pure geometry for the cluster diagram, without Yew so it is tested natively: the boxes of
//! the client sessions, the router, the endpoint, the failover manager, the primary and each
//! replica in one SVG coordinate space; the two lanes of each replica's link (WAL down,
//! feedback up); where a message on the wire is now, from its send and arrival times; the
//! widths of a replica's position ladder.
//!
//! Two layouts: landscape (clients, router, primary and replicas side by side) for a laptop,
//! a projector or a course page's iframe, and portrait for a phone, where the clients and the
//! router sit above the primary and its replicas:
//!
//! ```text
//!   landscape                                portrait
//!   [endpoint]   [failover manager      ]    [endpoint                  ]
//!   [alice]                      [pg2]       [failover manager          ]
//!   [bob  ] [router] [pg1 ]══════[pg3]      ┊[alice] [bob] [carol] [load]
//!   [carol]                      [pg4]      ┊[router    ] │  [pg2       ]
//!                                           └[pg1       ]═╪══[pg3       ]
//!                                                         │  [pg4       ]
//! ```
//!
//! In portrait the router's arrows to replicas run down the gap between the two columns, and
//! the endpoint's arrow and the manager's health check down a gutter on the left.

use crate::engine::Millis;

/// Width of the diagram's coordinate space (the SVG scales it to its box).
pub const WIDTH: f64 = 590.0;
/// Width of the portrait layout's coordinate space: a phone's width, drawn about 1:1.
pub const PORTRAIT_WIDTH: f64 = 360.0;
/// Portrait: a gutter on the left where the endpoint's arrow and the manager's health check
/// run down to the primary, past the clients and the router.
const GUTTER: f64 = 14.0;
/// Portrait: a column's width (the primary and the router on the left, the replicas on the
/// right) and where the right one starts.
const COLUMN_W: f64 = 140.0;
const RIGHT_COLUMN_X: f64 = PORTRAIT_WIDTH - 4.0 - COLUMN_W;
/// Portrait: clients per row, and a client box's width.
const CLIENTS_PER_ROW: usize = 4;
const PORTRAIT_CLIENT_W: f64 = 81.0;
/// Height of one replica's row.
const REPLICA_ROW: f64 = 86.0;
/// Height of a replica's box: name, state, detail, ladder and a row of tags.
const REPLICA_H: f64 = 78.0;
/// Height of one client session's row.
const CLIENT_ROW: f64 = 46.0;
/// Height of a client session's box: name, last answer, cached DNS answer.
const CLIENT_H: f64 = 40.0;
/// Height of the diagram with few replicas.
const MIN_HEIGHT: f64 = 290.0;
/// Where the node column starts (below the manager and endpoint).
const TOP: f64 = 64.0;
/// Half the gap between a link's two lanes.
const LANE_GAP: f64 = 4.0;

/// A point in diagram coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// A box in diagram coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn left_mid(self) -> Point {
        Point { x: self.x, y: self.y + self.h / 2.0 }
    }

    pub fn right_mid(self) -> Point {
        Point { x: self.x + self.w, y: self.y + self.h / 2.0 }
    }

    pub fn bottom_mid(self) -> Point {
        Point { x: self.x + self.w / 2.0, y: self.y + self.h }
    }

    pub fn top_mid(self) -> Point {
        Point { x: self.x + self.w / 2.0, y: self.y }
    }
}

/// A straight piece of line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Segment {
    pub from: Point,
    pub to: Point,
}

impl Segment {
    /// The point `t` (0..=1) of the way along.
    pub fn at(self, t: f64) -> Point {
        let t = t.clamp(0.0, 1.0);
        Point {
            x: self.from.x + (self.to.x - self.from.x) * t,
            y: self.from.y + (self.to.y - self.from.y) * t,
        }
    }

    /// Where a short label for the segment's end stands (10 px type), off the segment: just
    /// before `to`, on the side it does not come from. A flat segment (landscape: across to a
    /// replica's left edge) has it above `to`, or below when the segment comes down; a steep
    /// one (portrait: down to a replica's top edge) beside `to`, away from where it comes
    /// from. The flag says whether the label ends at the point (else it starts there).
    pub fn label_end(self) -> (Point, bool) {
        let (dx, dy) = (self.to.x - self.from.x, self.to.y - self.from.y);
        if dy.abs() > dx.abs() {
            let ends_here = dx > 0.0;
            let x = if ends_here { self.to.x - 6.0 } else { self.to.x + 6.0 };
            return (Point { x, y: self.to.y - 6.0 }, ends_here);
        }
        let y = if dy > 1.0 { self.to.y + 14.0 } else { self.to.y - 7.0 };
        (Point { x: self.to.x - 5.0, y }, true)
    }

    /// The same segment moved `by` to its left (negative: right), looking from `from` to `to`.
    pub fn offset(self, by: f64) -> Segment {
        let (dx, dy) = (self.to.x - self.from.x, self.to.y - self.from.y);
        let length = (dx * dx + dy * dy).sqrt().max(f64::EPSILON);
        let (nx, ny) = (dy / length * by, -dx / length * by);
        let shift = |p: Point| Point { x: p.x + nx, y: p.y + ny };
        Segment { from: shift(self.from), to: shift(self.to) }
    }

    /// The middle.
    pub fn mid(self) -> Point {
        self.at(0.5)
    }
}

/// Which way the diagram is laid out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Orientation {
    /// Side by side: clients, router, primary, replicas from left to right.
    #[default]
    Landscape,
    /// Stacked for a phone: clients and router above the primary and its replicas.
    Portrait,
}

impl Orientation {
    pub fn as_str(self) -> &'static str {
        match self {
            Orientation::Landscape => "landscape",
            Orientation::Portrait => "portrait",
        }
    }
}

/// Where everything sits.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub orientation: Orientation,
    pub width: f64,
    pub height: f64,
    pub clients: Vec<Rect>,
    pub router: Rect,
    pub endpoint: Rect,
    pub manager: Rect,
    pub primary: Rect,
    pub replicas: Vec<Rect>,
}

/// The layout for `clients` session boxes and `replicas` replica boxes.
pub fn layout(clients: usize, replicas: usize, orientation: Orientation) -> Layout {
    match orientation {
        Orientation::Landscape => landscape(clients, replicas),
        Orientation::Portrait => portrait(clients, replicas),
    }
}

/// Clients on the left, the router next to them, the primary in the middle under the
/// failover manager, the replicas in a column on the right.
fn landscape(clients: usize, replicas: usize) -> Layout {
    let column = replicas as f64 * REPLICA_ROW - (REPLICA_ROW - REPLICA_H);
    let clients_column = clients as f64 * CLIENT_ROW - (CLIENT_ROW - CLIENT_H);
    let height = (TOP + column.max(clients_column) + 10.0).max(MIN_HEIGHT);
    let middle = TOP + (height - TOP - 10.0) / 2.0;
    let clients_top = middle - clients_column / 2.0;
    let replicas_top = middle - column / 2.0;
    Layout {
        orientation: Orientation::Landscape,
        width: WIDTH,
        height,
        clients: (0..clients)
            .map(|i| Rect { x: 4.0, y: clients_top + i as f64 * CLIENT_ROW, w: 82.0, h: CLIENT_H })
            .collect(),
        router: Rect { x: 100.0, y: middle - 30.0, w: 92.0, h: 60.0 },
        endpoint: Rect { x: 4.0, y: 6.0, w: 200.0, h: 46.0 },
        manager: Rect { x: 216.0, y: 6.0, w: 370.0, h: 46.0 },
        primary: Rect { x: 222.0, y: middle - 40.0, w: 156.0, h: 80.0 },
        replicas: (0..replicas)
            .map(|i| Rect {
                x: 430.0,
                y: replicas_top + i as f64 * REPLICA_ROW,
                w: 156.0,
                h: REPLICA_H,
            })
            .collect(),
    }
}

/// The endpoint and the failover manager in a row each, the clients in rows of four under
/// them, then two columns: the router above the primary on the left, the replicas on the
/// right (the primary level with their middle when they are many).
fn portrait(clients: usize, replicas: usize) -> Layout {
    let full_width = PORTRAIT_WIDTH - GUTTER - 4.0;
    let clients_top = 116.0;
    let client_rows = clients.div_ceil(CLIENTS_PER_ROW);
    let client_gap =
        (full_width - CLIENTS_PER_ROW as f64 * PORTRAIT_CLIENT_W) / (CLIENTS_PER_ROW - 1) as f64;
    let clients_bottom = clients_top + client_rows as f64 * CLIENT_ROW - (CLIENT_ROW - CLIENT_H);
    let lower_top = clients_bottom.max(clients_top) + 20.0;
    let column = replicas as f64 * REPLICA_ROW - (REPLICA_ROW - REPLICA_H);
    let router = Rect { x: GUTTER, y: lower_top, w: COLUMN_W, h: 60.0 };
    let under_router = router.y + router.h + 26.0;
    let primary_y = under_router.max(lower_top + column / 2.0 - 40.0);
    let primary = Rect { x: GUTTER, y: primary_y, w: COLUMN_W, h: 80.0 };
    let height = (primary.y + primary.h).max(lower_top + column) + 10.0;
    Layout {
        orientation: Orientation::Portrait,
        width: PORTRAIT_WIDTH,
        height,
        clients: (0..clients)
            .map(|i| {
                let (row, col) = ((i / CLIENTS_PER_ROW) as f64, (i % CLIENTS_PER_ROW) as f64);
                let x = GUTTER + col * (PORTRAIT_CLIENT_W + client_gap);
                let y = clients_top + row * CLIENT_ROW;
                Rect { x, y, w: PORTRAIT_CLIENT_W, h: CLIENT_H }
            })
            .collect(),
        router,
        endpoint: Rect { x: GUTTER, y: 6.0, w: full_width, h: 46.0 },
        manager: Rect { x: GUTTER, y: 58.0, w: full_width, h: 46.0 },
        primary,
        replicas: (0..replicas)
            .map(|i| Rect {
                x: RIGHT_COLUMN_X,
                y: lower_top + i as f64 * REPLICA_ROW,
                w: COLUMN_W,
                h: REPLICA_H,
            })
            .collect(),
    }
}

impl Layout {
    /// The endpoint's arrow to the node its name resolves to.
    pub fn endpoint_path(&self, target: Rect) -> Vec<Point> {
        self.line_down(self.endpoint, target, 5.0, 0.3)
    }

    /// The failover manager's health check of the primary.
    pub fn check_path(&self, primary: Rect) -> Vec<Point> {
        self.line_down(self.manager, primary, 9.0, 0.7)
    }

    /// A line from a box in the top rows to a node: straight down in landscape; in portrait
    /// out of the box's left side, down the gutter at `gutter_x`, and into the node's left
    /// side `at` (0..1) of its height.
    fn line_down(&self, from: Rect, to: Rect, gutter_x: f64, at: f64) -> Vec<Point> {
        match self.orientation {
            Orientation::Landscape => vec![from.bottom_mid(), to.top_mid()],
            Orientation::Portrait => {
                let (out, y) = (from.left_mid(), to.y + to.h * at);
                let into = Point { x: to.x, y };
                vec![out, Point { x: gutter_x, y: out.y }, Point { x: gutter_x, y }, into]
            }
        }
    }

    /// A client's arrow into the router: from the client's side facing it to the router's.
    pub fn to_router(&self, client: Rect) -> (Point, Point) {
        match self.orientation {
            Orientation::Landscape => (client.right_mid(), self.router.left_mid()),
            Orientation::Portrait => (client.bottom_mid(), self.router.top_mid()),
        }
    }

    /// The path of a session's arrow to the node that answered it, through the router if
    /// `routed`.
    pub fn session_path(&self, client: Rect, target: Rect, routed: bool) -> Vec<Point> {
        let (out, into_router) = self.to_router(client);
        match (self.orientation, routed) {
            (Orientation::Landscape, true) => {
                vec![out, into_router, self.router.right_mid(), target.left_mid()]
            }
            (Orientation::Landscape, false) => vec![out, target.left_mid()],
            (Orientation::Portrait, true) if target == self.primary => {
                vec![out, into_router, self.router.bottom_mid(), target.top_mid()]
            }
            (Orientation::Portrait, true) => {
                let from = self.router.right_mid();
                let mut path = vec![out, into_router];
                path.extend(self.down_the_gap(from, target));
                path
            }
            (Orientation::Portrait, false) if target == self.primary => {
                vec![out, target.top_mid()]
            }
            (Orientation::Portrait, false) => {
                let from = Point { x: out.x, y: self.router.y - 8.0 };
                let mut path = vec![out];
                path.extend(self.down_the_gap(from, target));
                path
            }
        }
    }

    /// Portrait: from `from` across to the gap between the columns, down it, and into a
    /// replica's left side.
    fn down_the_gap(&self, from: Point, target: Rect) -> [Point; 4] {
        let gap_x = (self.primary.x + self.primary.w + RIGHT_COLUMN_X) / 2.0 - 6.0;
        let into = target.left_mid();
        [from, Point { x: gap_x, y: from.y }, Point { x: gap_x, y: into.y }, into]
    }
}

/// Which way along a link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lane {
    /// Primary → replica: WAL, connection answers.
    Down,
    /// Replica → primary: feedback, connection requests.
    Up,
}

/// One lane of the link between the primary's box and a replica's box, drawn in the
/// direction its messages travel.
pub fn lane(primary: Rect, replica: Rect, lane: Lane) -> Segment {
    let centre = Segment { from: primary.right_mid(), to: replica.left_mid() };
    match lane {
        Lane::Down => centre.offset(LANE_GAP),
        Lane::Up => {
            let shifted = centre.offset(-LANE_GAP);
            Segment { from: shifted.to, to: shifted.from }
        }
    }
}

/// How far along its link a message is at `now_ms` (0 when sent, 1 on arrival).
pub fn progress(now_ms: f64, sent_ms: Millis, arrives_ms: Millis) -> f64 {
    if arrives_ms <= sent_ms {
        return 1.0;
    }
    ((now_ms - sent_ms as f64) / (arrives_ms - sent_ms) as f64).clamp(0.0, 1.0)
}

/// The widths of a replica's position ladder: how many bytes behind the primary's WAL end its
/// sent, written, flushed and replayed positions are, each on a scale where `scale_bytes` fills
/// `width` (longer lags are clipped to it). A position not behind has width 0.
pub fn ladder_widths(behind_bytes: [u64; 4], scale_bytes: u64, width: f64) -> [f64; 4] {
    let scale = scale_bytes.max(1) as f64;
    behind_bytes.map(|bytes| (bytes as f64 / scale).min(1.0) * width)
}

/// A scale for the ladders that fits the largest lag shown: the next power of two of at least
/// 256 bytes, so bars do not jump with every byte.
pub fn ladder_scale(largest_behind_bytes: u64) -> u64 {
    largest_behind_bytes.max(256).next_power_of_two()
}

/// A polyline's `points` attribute.
pub fn polyline(points: &[Point]) -> String {
    let mut out = String::new();
    for (i, p) in points.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&format!("{},{}", svg_number(p.x), svg_number(p.y)));
    }
    out
}

/// `v` to one decimal, as the diagram's attributes take it (`12.3`, `-0.5`). Integer
/// arithmetic: every moving message is placed with it on every frame, where `{:.1}`'s
/// float formatting showed up in the profile.
pub fn svg_number(v: f64) -> String {
    let tenths = (v * 10.0).round() as i64;
    let sign = if tenths < 0 { "-" } else { "" };
    let tenths = tenths.unsigned_abs();
    format!("{sign}{}.{}", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overlaps(a: Rect, b: Rect) -> bool {
        a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
    }

    #[test]
    fn a_lane_end_label_stays_off_its_lane() {
        let lane = |from: (f64, f64)| Segment {
            from: Point { x: from.0, y: from.1 },
            to: Point { x: 100.0, y: 100.0 },
        };
        // Landscape: across to the replica's left edge, from below, level, from above.
        assert_eq!(lane((30.0, 160.0)).label_end(), (Point { x: 95.0, y: 93.0 }, true));
        assert_eq!(lane((50.0, 100.0)).label_end(), (Point { x: 95.0, y: 93.0 }, true));
        assert_eq!(lane((30.0, 40.0)).label_end(), (Point { x: 95.0, y: 114.0 }, true));
        // Portrait: down to the replica's top edge, from the left, from the right.
        assert_eq!(lane((80.0, 20.0)).label_end(), (Point { x: 94.0, y: 94.0 }, true));
        assert_eq!(lane((120.0, 20.0)).label_end(), (Point { x: 106.0, y: 94.0 }, false));
    }

    #[test]
    fn boxes_never_overlap_and_fit_the_diagram_for_one_to_eight_replicas_and_nine_clients() {
        let cases = (1..=8).flat_map(|r| (0..=9).map(move |c| (r, c)));
        let both = [Orientation::Landscape, Orientation::Portrait];
        for ((replicas, clients), orientation) in cases.flat_map(|c| both.map(|o| (c, o))) {
            let l = layout(clients, replicas, orientation);
            let mut boxes = vec![l.router, l.endpoint, l.manager, l.primary];
            boxes.extend(&l.clients);
            boxes.extend(&l.replicas);
            for (i, a) in boxes.iter().enumerate() {
                assert!(a.x >= 0.0 && a.x + a.w <= l.width, "{replicas}: {a:?} is outside");
                assert!(a.y >= 0.0 && a.y + a.h <= l.height, "{replicas}: {a:?} is outside");
                for b in &boxes[i + 1..] {
                    assert!(!overlaps(*a, *b), "{replicas}: {a:?} overlaps {b:?}");
                }
            }
        }
    }

    #[test]
    fn svg_numbers_have_one_decimal_like_the_float_format() {
        for v in [0.0, 0.04, 0.06, 1.26, 12.34, 99.96, 640.0, -0.5, -12.34, 1e6 + 0.1] {
            assert_eq!(svg_number(v), format!("{v:.1}"), "{v}");
        }
        assert_eq!(svg_number(1.25), "1.3", "a tie rounds away from zero");
        assert_eq!(svg_number(-0.04), "0.0", "no negative zero");
    }

    #[test]
    fn a_message_moves_from_sender_to_receiver_in_its_flight_time() {
        let l = layout(3, 2, Orientation::Landscape);
        let down = lane(l.primary, l.replicas[0], Lane::Down);
        assert!(down.from.x < down.to.x, "WAL goes right, to the replica");
        let up = lane(l.primary, l.replicas[0], Lane::Up);
        assert!(up.from.x > up.to.x, "feedback goes left, to the primary");
        assert!((down.mid().y - up.mid().y).abs() > 1.0, "the lanes are apart");
        assert_eq!(progress(1_000.0, 1_000, 2_000), 0.0);
        assert_eq!(progress(1_500.0, 1_000, 2_000), 0.5);
        assert_eq!(progress(2_500.0, 1_000, 2_000), 1.0);
        assert_eq!(progress(5.0, 5, 5), 1.0, "an instant link");
        assert_eq!(down.at(1.0), down.to);
        assert_eq!(down.at(0.0), down.from);
    }

    #[test]
    fn portrait_fits_a_phone_and_keeps_the_replicas_right_of_the_primary() {
        for replicas in 1..=8 {
            let l = layout(4, replicas, Orientation::Portrait);
            assert_eq!(l.width, PORTRAIT_WIDTH);
            for r in &l.replicas {
                assert!(r.x > l.primary.x + l.primary.w, "{r:?} is right of the primary");
                let down = lane(l.primary, *r, Lane::Down);
                assert!(down.from.x < down.to.x, "WAL goes right, to the replica");
            }
            assert!(l.router.y + l.router.h < l.primary.y, "the router sits above the primary");
            assert!(l.clients.iter().all(|c| c.y + c.h < l.router.y), "clients above the router");
            let middle = (l.replicas[0].y + l.replicas[replicas - 1].y + REPLICA_H) / 2.0;
            let primary_mid = l.primary.y + l.primary.h / 2.0;
            assert!(primary_mid >= middle - 1.0 || replicas <= 2, "{replicas}: level with them");
        }
    }

    #[test]
    fn session_arrows_start_at_the_client_and_end_at_the_node_that_answered() {
        for orientation in [Orientation::Landscape, Orientation::Portrait] {
            let l = layout(4, 3, orientation);
            for (target, routed) in
                [(l.primary, true), (l.replicas[2], true), (l.replicas[1], false)]
            {
                let path = l.session_path(l.clients[3], target, routed);
                let (first, last) = (path[0], path[path.len() - 1]);
                let on_edge = |r: Rect, p: Point| {
                    (p.x - r.x).abs() < 0.01
                        || (p.x - r.x - r.w).abs() < 0.01
                        || (p.y - r.y).abs() < 0.01
                        || (p.y - r.y - r.h).abs() < 0.01
                };
                assert!(
                    on_edge(l.clients[3], first),
                    "{orientation:?}: {path:?} leaves the client"
                );
                assert!(on_edge(target, last), "{orientation:?}: {path:?} reaches the node");
                if routed {
                    assert!(
                        path.iter().any(|p| on_edge(l.router, *p)),
                        "{path:?} passes the router"
                    );
                }
            }
        }
    }

    #[test]
    fn the_endpoint_and_the_manager_point_at_the_primary_in_both_layouts() {
        for orientation in [Orientation::Landscape, Orientation::Portrait] {
            let l = layout(3, 2, orientation);
            for path in [l.endpoint_path(l.primary), l.check_path(l.primary)] {
                let end = path[path.len() - 1];
                let inside = |p: Point, r: Rect| {
                    p.x >= r.x && p.x <= r.x + r.w && p.y >= r.y && p.y <= r.y + r.h
                };
                assert!(inside(end, l.primary), "{orientation:?}: {path:?} ends on the primary");
                let boxes = l.clients.iter().chain([&l.router]);
                if orientation == Orientation::Portrait {
                    // Down the gutter: no box is crossed on the way.
                    for b in boxes {
                        assert!(
                            path[1].x < b.x && path[2].x < b.x,
                            "{path:?} passes left of {b:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn ladders_scale_to_the_largest_lag_and_clip() {
        assert_eq!(ladder_scale(0), 256);
        assert_eq!(ladder_scale(300), 512);
        assert_eq!(ladder_widths([0, 128, 256, 512], 256, 100.0), [0.0, 50.0, 100.0, 100.0]);
    }

    #[test]
    fn polylines_print_compactly() {
        let points = [Point { x: 1.0, y: 2.26 }, Point { x: 3.0, y: 4.0 }];
        assert_eq!(polyline(&points), "1.0,2.3 3.0,4.0");
    }
}
