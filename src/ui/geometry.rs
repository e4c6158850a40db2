//! # Where the diagram draws things
//!
//! Pure geometry for the cluster diagram, without Yew so it is tested natively: the boxes of
//! the client sessions, the router, the endpoint, the failover manager, the primary and each
//! replica in one SVG coordinate space; the two lanes of each replica's link (WAL down,
//! feedback up); where a message on the wire is now, from its send and arrival times; the
//! widths of a replica's position ladder.

use crate::engine::Millis;

/// Width of the diagram's coordinate space (the SVG scales it to its box).
pub const WIDTH: f64 = 590.0;
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

/// Where everything sits.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    pub clients: Vec<Rect>,
    pub router: Rect,
    pub endpoint: Rect,
    pub manager: Rect,
    pub primary: Rect,
    pub replicas: Vec<Rect>,
}

/// The layout for `clients` session boxes and `replicas` replica boxes: clients on the left,
/// the router next to them, the primary in the middle under the failover manager, the
/// replicas in a column on the right.
pub fn layout(clients: usize, replicas: usize) -> Layout {
    let column = replicas as f64 * REPLICA_ROW - (REPLICA_ROW - REPLICA_H);
    let clients_column = clients as f64 * CLIENT_ROW - (CLIENT_ROW - CLIENT_H);
    let height = (TOP + column.max(clients_column) + 10.0).max(MIN_HEIGHT);
    let middle = TOP + (height - TOP - 10.0) / 2.0;
    let clients_top = middle - clients_column / 2.0;
    let replicas_top = middle - column / 2.0;
    Layout {
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
        out.push_str(&format!("{:.1},{:.1}", p.x, p.y));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overlaps(a: Rect, b: Rect) -> bool {
        a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
    }

    #[test]
    fn boxes_never_overlap_and_fit_the_diagram_for_one_to_eight_replicas_and_nine_clients() {
        for (replicas, clients) in (1..=8).flat_map(|r| (0..=9).map(move |c| (r, c))) {
            let l = layout(clients, replicas);
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
    fn a_message_moves_from_sender_to_receiver_in_its_flight_time() {
        let l = layout(3, 2);
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
