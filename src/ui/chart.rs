//! # Chart maths
//!
//! Scales, "nice" axis ticks, SVG paths and tick labels for the monitoring charts, without
//! Yew so they are tested natively. The components only place what these functions compute.

use crate::engine::Millis;

/// A linear map from a domain of values to a range of pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scale {
    pub domain: (f64, f64),
    pub range: (f64, f64),
}

impl Scale {
    pub fn new(domain: (f64, f64), range: (f64, f64)) -> Self {
        Self { domain, range }
    }

    /// The pixel of a value (a flat domain maps everything to the range's start).
    pub fn map(&self, value: f64) -> f64 {
        let (d0, d1) = self.domain;
        let (r0, r1) = self.range;
        if d1 == d0 {
            return r0;
        }
        r0 + (value - d0) / (d1 - d0) * (r1 - r0)
    }

    /// The value at a pixel.
    pub fn invert(&self, pixel: f64) -> f64 {
        let (d0, d1) = self.domain;
        let (r0, r1) = self.range;
        if r1 == r0 {
            return d0;
        }
        d0 + (pixel - r0) / (r1 - r0) * (d1 - d0)
    }
}

/// A step of 1, 2 or 5 times a power of ten that cuts `span` into about `count` pieces.
pub fn nice_step(span: f64, count: usize) -> f64 {
    if span <= 0.0 || !span.is_finite() {
        return 1.0;
    }
    let raw = span / count.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let fraction = raw / magnitude;
    let nice = if fraction <= 1.0 {
        1.0
    } else if fraction <= 2.0 {
        2.0
    } else if fraction <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// The y-axis for values up to `max`: from 0 to a nice round top, and the ticks on it.
/// An empty or zero series still gets an axis (0 to 1).
pub fn y_axis(max: f64, count: usize) -> (f64, Vec<f64>) {
    let max = if max.is_finite() && max > 0.0 { max } else { 1.0 };
    let step = nice_step(max, count);
    let top = (max / step).ceil() * step;
    let ticks = (0..=((top / step).round() as usize)).map(|i| i as f64 * step).collect();
    (top, ticks)
}

/// Time ticks every `step_ms` inside `[from_ms, to_ms]`, on multiples of the step.
pub fn time_ticks(from_ms: Millis, to_ms: Millis, step_ms: Millis) -> Vec<Millis> {
    let step_ms = step_ms.max(1);
    let first = from_ms.div_ceil(step_ms) * step_ms;
    (0..).map(|i| first + i * step_ms).take_while(|t| *t <= to_ms).collect()
}

/// A time step for a window of `span_ms`: about five ticks of 1, 2, 5, 10, 15, 30 s or minutes.
pub fn time_step_ms(span_ms: Millis) -> Millis {
    const STEPS_MS: [Millis; 9] =
        [1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000];
    STEPS_MS.into_iter().find(|s| span_ms / s <= 6).unwrap_or(600_000)
}

/// An SVG path through the points (`M x,y L x,y …`); empty without points.
pub fn line_path(points: &[(f64, f64)], x: &Scale, y: &Scale) -> String {
    let mut out = String::new();
    for (i, (px, py)) in points.iter().enumerate() {
        let command = if i == 0 { 'M' } else { 'L' };
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&format!("{command}{:.1},{:.1}", x.map(*px), y.map(*py)));
    }
    out
}

/// The unit a chart measures in, which decides its tick labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Millis,
    Bytes,
    PerSecond,
    /// 0..=1 shown as a percentage.
    Ratio,
}

/// A tick or hover label: `250 ms`, `1.5 s`, `4 kB`, `120/s`, `35%`.
pub fn format_value(value: f64, unit: Unit) -> String {
    match unit {
        Unit::Millis if value >= 1_000.0 => format!("{} s", trim(value / 1_000.0)),
        Unit::Millis => format!("{} ms", trim(value)),
        Unit::Bytes if value >= 1_048_576.0 => format!("{} MB", trim(value / 1_048_576.0)),
        Unit::Bytes if value >= 1_024.0 => format!("{} kB", trim(value / 1_024.0)),
        Unit::Bytes => format!("{} B", trim(value)),
        Unit::PerSecond => format!("{}/s", trim(value)),
        Unit::Ratio => format!("{}%", trim(value * 100.0)),
    }
}

/// A number with at most one decimal, without a trailing `.0`.
fn trim(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

/// The index of the point nearest in time to `at`, if any (points in time order).
pub fn nearest(points: &[(f64, f64)], at: f64) -> Option<usize> {
    if points.is_empty() {
        return None;
    }
    let after = points.partition_point(|(t, _)| *t < at);
    let candidates = [after.checked_sub(1), (after < points.len()).then_some(after)];
    candidates
        .into_iter()
        .flatten()
        .min_by(|a, b| (points[*a].0 - at).abs().total_cmp(&(points[*b].0 - at).abs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_map_and_invert() {
        let y = Scale::new((0.0, 100.0), (200.0, 0.0));
        assert_eq!(y.map(0.0), 200.0);
        assert_eq!(y.map(25.0), 150.0);
        assert_eq!(y.invert(150.0), 25.0);
        assert_eq!(Scale::new((5.0, 5.0), (0.0, 10.0)).map(5.0), 0.0, "a flat domain");
    }

    #[test]
    fn axes_end_on_round_numbers() {
        assert_eq!(y_axis(87.0, 5), (100.0, vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]));
        assert_eq!(y_axis(1_500.0, 3), (1_500.0, vec![0.0, 500.0, 1_000.0, 1_500.0]));
        assert_eq!(y_axis(0.0, 4).0, 1.0, "an idle series still has an axis");
        assert_eq!(y_axis(f64::NAN, 4).0, 1.0);
        assert_eq!(nice_step(0.37, 4), 0.1);
    }

    #[test]
    fn time_ticks_fall_on_multiples_of_their_step() {
        assert_eq!(time_ticks(1_200, 5_000, 1_000), vec![2_000, 3_000, 4_000, 5_000]);
        assert_eq!(time_step_ms(60_000), 10_000);
        assert_eq!(time_step_ms(5_000), 1_000);
    }

    #[test]
    fn paths_go_through_every_point() {
        let x = Scale::new((0.0, 10.0), (0.0, 100.0));
        let y = Scale::new((0.0, 1.0), (50.0, 0.0));
        assert_eq!(line_path(&[(0.0, 0.0), (5.0, 1.0)], &x, &y), "M0.0,50.0 L50.0,0.0");
        assert_eq!(line_path(&[], &x, &y), "");
    }

    #[test]
    fn values_read_like_a_monitoring_dashboard() {
        assert_eq!(format_value(250.0, Unit::Millis), "250 ms");
        assert_eq!(format_value(1_500.0, Unit::Millis), "1.5 s");
        assert_eq!(format_value(4_096.0, Unit::Bytes), "4 kB");
        assert_eq!(format_value(120.0, Unit::PerSecond), "120/s");
        assert_eq!(format_value(0.351, Unit::Ratio), "35.1%");
    }

    #[test]
    fn hovering_finds_the_nearest_point() {
        let points = [(0.0, 1.0), (10.0, 2.0), (20.0, 3.0)];
        assert_eq!(nearest(&points, 12.0), Some(1));
        assert_eq!(nearest(&points, 16.0), Some(2));
        assert_eq!(nearest(&points, -5.0), Some(0));
        assert_eq!(nearest(&points, 99.0), Some(2));
        assert_eq!(nearest(&[], 1.0), None);
    }
}
