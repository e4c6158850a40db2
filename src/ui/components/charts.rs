//! The monitoring charts: plain SVG line charts with axes, units and a legend; hovering shows
//! the values at that moment. The maths is in [`crate::ui::chart`].

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::engine::{format_millis, Millis};
use crate::ui::chart::{self, format_value, Scale, Unit};
use crate::ui::views::{ChartsView, SeriesView};

const W: f64 = 340.0;
const H: f64 = 150.0;
const LEFT: f64 = 50.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 22.0;

#[derive(Properties, PartialEq)]
pub struct ChartsProps {
    pub charts: ChartsView,
}

/// Every monitoring chart.
#[function_component(Charts)]
pub fn charts(props: &ChartsProps) -> Html {
    let c = &props.charts;
    html! {
        <section class="panel charts" data-testid="charts" aria-label="Monitoring">
            <h2>{"Monitoring"}</h2>
            <div class="chart-grid">
                <Chart title="Replication lag (time)" unit={Unit::Millis} window={c.window} series={c.lag_ms.clone()} />
                <Chart title="Replication lag (bytes)" unit={Unit::Bytes} window={c.window} series={c.lag_bytes.clone()} />
                <Chart title="Write latency on the primary" unit={Unit::Millis} window={c.window} series={c.write_latency_ms.clone()} />
                <Chart title="Statements per second" unit={Unit::PerSecond} window={c.window} series={c.statements_per_s.clone()} />
                <Chart title="CPU" unit={Unit::Ratio} window={c.window} series={c.cpu.clone()} max={Some(1.0)} />
                if let Some(cache) = &c.cache_hit_ratio {
                    <Chart title="Read cache hit ratio" unit={Unit::Ratio} window={c.window} series={vec![cache.clone()]} max={Some(1.0)} />
                }
            </div>
            <h3 class="slow-title">{"Replica health"}</h3>
            if c.health.is_empty() {
                <p class="muted">{"No replicas: add one to see its health."}</p>
            } else {
                <div class="table-scroll"><table class="rows health" data-testid="replica-health">
                    <thead><tr>
                        <th>{"replica"}</th><th>{"health"}</th><th>{"WAL receiver"}</th><th>{"replayed"}</th>
                        <th>{"behind"}</th><th>{"lag"}</th><th>{"timeline"}</th>
                    </tr></thead>
                    <tbody>
                        { for c.health.iter().map(|row| html! {
                            <tr data-testid="health-row" data-node={row.name.clone()} data-verdict={row.verdict}>
                                <td class="mono">{&row.name}</td>
                                <td class={classes!("verdict", (row.verdict != "healthy").then_some("warn"))} title={row.why.clone()}>
                                    { if row.verdict == "healthy" { "✓ healthy".to_string() } else { format!("⚠ {}", row.verdict) } }
                                </td>
                                <td>{row.receiver}</td>
                                <td class="mono">{&row.replay_lsn}</td>
                                <td class="mono">{format_value(row.lag_bytes as f64, Unit::Bytes)}</td>
                                <td class="mono">{format_millis(row.lag_ms)}</td>
                                <td class="mono">{row.timeline}</td>
                            </tr>
                        }) }
                    </tbody>
                </table></div>
            }
            <h3 class="slow-title">{ match c.slow_threshold_ms {
                Some(ms) => format!("Slow-query log (statements over {}, log_min_duration_statement)", format_millis(ms)),
                None => "Slow-query log: off (log_min_duration_statement = -1)".to_string(),
            }}</h3>
            if c.slow.is_empty() {
                <p class="muted">{"No slow statement yet: the load generator's heavy share, or a big scan, will show here."}</p>
            } else {
                <table class="rows slow-log" data-testid="slow-log">
                    <thead><tr><th>{"at"}</th><th>{"node"}</th><th>{"session"}</th><th>{"took"}</th><th>{"statement"}</th><th>{"plan"}</th></tr></thead>
                    <tbody>
                        { for c.slow.iter().map(|q| html! {
                            <tr><td>{format_millis(q.at_ms)}</td><td>{q.node.name()}</td><td>{&q.session}</td>
                                <td>{format_millis(q.duration_ms)}</td><td><code>{&q.sql}</code></td><td>{&q.cost}</td></tr>
                        }) }
                    </tbody>
                </table>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct ChartProps {
    pub title: AttrValue,
    pub unit: Unit,
    pub window: (Millis, Millis),
    pub series: Vec<SeriesView>,
    /// A fixed top for the y axis (CPU, ratios); otherwise it fits the data.
    #[prop_or_default]
    pub max: Option<f64>,
}

/// One line chart.
#[function_component(Chart)]
pub fn chart_view(props: &ChartProps) -> Html {
    let hover = use_state(|| None::<f64>);
    let (from_ms, to_ms) = props.window;
    let x = Scale::new((from_ms as f64, to_ms as f64), (LEFT, W - RIGHT));
    let data_max =
        props.series.iter().flat_map(|s| s.points.iter().map(|p| p.1)).fold(0.0, f64::max);
    let (top, ticks) = chart::y_axis(props.max.unwrap_or(data_max), 4);
    let y = Scale::new((0.0, top), (H - BOTTOM, TOP));
    let time_ticks = chart::time_ticks(from_ms, to_ms, chart::time_step_ms(to_ms - from_ms));
    let onmousemove = {
        let hover = hover.clone();
        Callback::from(move |e: MouseEvent| {
            let Some(svg) = e.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            else {
                return;
            };
            let bounds = svg.get_bounding_client_rect();
            if bounds.width() > 0.0 {
                let view_x = (f64::from(e.client_x()) - bounds.left()) / bounds.width() * W;
                hover.set(Some(x.invert(view_x)));
            }
        })
    };
    let onmouseleave = {
        let hover = hover.clone();
        Callback::from(move |_: MouseEvent| hover.set(None))
    };
    let empty = props.series.iter().all(|s| s.points.is_empty());
    html! {
        <figure class="chart" data-testid="chart" data-title={props.title.clone()}
            data-points={props.series.iter().map(|s| s.points.len()).sum::<usize>().to_string()}>
            <figcaption>{&props.title}</figcaption>
            <svg viewBox={format!("0 0 {W} {H}")} role="img" aria-label={props.title.clone()} {onmousemove} {onmouseleave}>
                { for ticks.iter().map(|t| {
                    let py = y.map(*t);
                    html! {
                        <g class="tick">
                            <line x1={LEFT.to_string()} x2={(W - RIGHT).to_string()} y1={format!("{py:.1}")} y2={format!("{py:.1}")} class="grid" />
                            <text x={(LEFT - 4.0).to_string()} y={format!("{:.1}", py + 3.0)} class="axis y">{format_value(*t, props.unit)}</text>
                        </g>
                    }
                }) }
                { for time_ticks.iter().map(|t| {
                    let px = x.map(*t as f64);
                    html! { <text x={format!("{px:.1}")} y={(H - 6.0).to_string()} class="axis x">{format_millis(*t)}</text> }
                }) }
                { for props.series.iter().enumerate().map(|(i, s)| html! {
                    <path d={chart::line_path(&s.points, &x, &y)} class={format!("series s{}", i % 8)} />
                }) }
                if empty {
                    <text x={(W / 2.0).to_string()} y={(H / 2.0).to_string()} class="axis empty">{"no data yet"}</text>
                }
                if let Some(at) = *hover {
                    { hover_mark(at, &props.series, &x, &y, props.unit) }
                }
            </svg>
            <ul class="legend">
                { for props.series.iter().enumerate().map(|(i, s)| html! {
                    <li><span class={format!("swatch s{}", i % 8)} aria-hidden="true"></span>{&s.label}</li>
                }) }
            </ul>
        </figure>
    }
}

/// The vertical line at the hovered moment and each series' value there.
fn hover_mark(at: f64, series: &[SeriesView], x: &Scale, y: &Scale, unit: Unit) -> Html {
    let values: Vec<(String, f64, f64)> = series
        .iter()
        .filter_map(|s| {
            let i = chart::nearest(&s.points, at)?;
            Some((s.label.clone(), s.points[i].0, s.points[i].1))
        })
        .collect();
    let Some((_, t, _)) = values.first().cloned() else { return html! {} };
    let px = x.map(t);
    let label = values
        .iter()
        .map(|(name, _, v)| format!("{name} {}", format_value(*v, unit)))
        .collect::<Vec<_>>()
        .join(" · ");
    html! {
        <g class="hover" data-testid="chart-hover">
            <line x1={format!("{px:.1}")} x2={format!("{px:.1}")} y1={TOP.to_string()} y2={(H - BOTTOM).to_string()} />
            { for values.iter().map(|(_, t, v)| html! {
                <circle cx={format!("{:.1}", x.map(*t))} cy={format!("{:.1}", y.map(*v))} r="3" />
            }) }
            <text x={(LEFT + 4.0).to_string()} y={(TOP + 10.0).to_string()} class="hover-label">
                {format!("{}: {label}", format_millis(t as Millis))}
            </text>
        </g>
    }
}
