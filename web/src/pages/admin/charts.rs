//! The reports' charts, drawn as SVG in the page (no chart service, no
//! script): bars of seats per performance, a timeline of sales, and a
//! heatmap of a room's week. Colours come from classes in `style.css`;
//! every mark carries its figure as a `<title>` for a pointer or a screen
//! reader, and each chart has a table beside it with the same numbers.

use leptos::prelude::*;
use shared::{HeatCell, PerformanceSales, SalesPoint};

use crate::i18n::use_i18n;
use crate::numbers;
use crate::time;

/// Width of the drawing's coordinate space; the SVG scales to its box.
const WIDTH: f64 = 600.0;

/// One row per performance: its show and start (in the venue's time
/// zone), a bar of sold, held and free seats, and the three figures.
#[component]
pub fn SeatBars(performances: Vec<PerformanceSales>) -> impl IntoView {
    let i18n = use_i18n();
    let rows = performances
        .into_iter()
        .map(|p| {
            let total = f64::from(p.seats.max(1));
            let sold = 100.0 * f64::from(p.sold) / total;
            let held = 100.0 * f64::from(p.held) / total;
            let when = move || time::format_occasion_zoned(p.starts_at, &p.time_zone, i18n.lang());
            view! {
                <tr data-performance=p.performance_id.0.clone() data-sold=p.sold data-held=p.held data-free=p.free>
                    <td>{p.show_title.clone()}<br /><span class="muted">{when} " · " {p.venue_name.clone()}</span></td>
                    <td class="bar-cell">
                        <svg class="chart bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img"
                            aria-label=move || format!("{} {}, {} {}, {} {}", p.sold, i18n.t().report_sold, p.held, i18n.t().report_held, p.free, i18n.t().report_free)>
                            <rect class="free" x="0" y="0" width="100" height="10" />
                            <rect class="sold" x="0" y="0" width=sold height="10" />
                            <rect class="held" x=sold y="0" width=held height="10" />
                        </svg>
                    </td>
                    <td class="num">{p.sold}</td>
                    <td class="num">{p.held}</td>
                    <td class="num">{p.free}</td>
                    <td class="num">{move || numbers::points(p.revenue as i64, i18n.lang())}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="scroll">
            <table class="list" id="sales-performances">
                <thead><tr>
                    <th scope="col">{move || i18n.t().report_performance}</th>
                    <th scope="col" class="bar-cell">{move || i18n.t().report_seats_chart}</th>
                    <th scope="col" class="num">{move || i18n.t().report_sold}</th>
                    <th scope="col" class="num">{move || i18n.t().report_held}</th>
                    <th scope="col" class="num">{move || i18n.t().report_free}</th>
                    <th scope="col" class="num">{move || i18n.t().report_revenue}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <p class="chart-legend">
            <span class="key sold"></span>{move || i18n.t().report_sold}
            <span class="key held"></span>{move || i18n.t().report_held}
            <span class="key free"></span>{move || i18n.t().report_free}
        </p>
    }
}

/// Seats sold (up) and cancelled (down) per step of the timeline, with
/// the first and last step's dates and the tallest bar's figure.
#[component]
pub fn SalesTimeline(points: Vec<SalesPoint>, zone: String) -> impl IntoView {
    let i18n = use_i18n();
    const HEIGHT: f64 = 200.0;
    const LEFT: f64 = 40.0;
    const BOTTOM: f64 = 20.0;
    let top = points.iter().map(|p| p.seats_sold).max().unwrap_or(0);
    let bottom = points.iter().map(|p| p.seats_cancelled).max().unwrap_or(0);
    let scale = (HEIGHT - BOTTOM - 10.0) / f64::from((top + bottom).max(1));
    let axis = 10.0 + f64::from(top) * scale;
    let step = (WIDTH - LEFT) / points.len().max(1) as f64;
    let bar = (step * 0.8).min(24.0);
    let ends = points
        .first()
        .map(|p| p.at)
        .zip(points.last().map(|p| p.at));
    let label_zone = zone.clone();
    let labels = move || {
        ends.map(|(first, last)| {
            let (first, last) = (
                time::format_date_time(first, &label_zone, i18n.lang()),
                time::format_date_time(last, &label_zone, i18n.lang()),
            );
            view! {
                <text class="label" x=LEFT y=HEIGHT - 4.0>{first}</text>
                <text class="label end" x=WIDTH y=HEIGHT - 4.0>{last}</text>
            }
        })
    };
    let bars = points
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let x = LEFT + i as f64 * step + (step - bar) / 2.0;
            let up = f64::from(p.seats_sold) * scale;
            let down = f64::from(p.seats_cancelled) * scale;
            let zone = zone.clone();
            let title = move || {
                let t = i18n.t();
                format!(
                    "{}: {} {} · {} · {} {}",
                    time::format_date_time(p.at, &zone, i18n.lang()),
                    p.seats_sold,
                    t.report_sold,
                    numbers::points(p.revenue as i64, i18n.lang()),
                    p.seats_cancelled,
                    t.report_cancelled
                )
            };
            view! {
                <g class="step" data-sold=p.seats_sold data-cancelled=p.seats_cancelled>
                    <title>{title}</title>
                    <rect class="sold" x=x y=axis - up width=bar height=up />
                    <rect class="cancelled" x=x y=axis width=bar height=down />
                </g>
            }
        })
        .collect_view();
    view! {
        <svg class="chart timeline" id="sales-timeline" role="img" viewBox=format!("0 0 {WIDTH} {HEIGHT}")
            aria-label=move || i18n.t().report_timeline>
            <line class="axis" x1=LEFT x2=WIDTH y1=axis y2=axis />
            <text class="label" x="0" y="18">{top}</text>
            {labels}
            {bars}
        </svg>
        <p class="chart-legend">
            <span class="key sold"></span>{move || i18n.t().report_sold}
            <span class="key cancelled"></span>{move || i18n.t().report_cancelled}
        </p>
    }
}

/// A week of one room: a row per weekday (Monday first), a column per
/// hour, darker for more minutes reserved.
#[component]
pub fn Heatmap(cells: Vec<HeatCell>) -> impl IntoView {
    let i18n = use_i18n();
    const LEFT: f64 = 40.0;
    const CELL: f64 = (WIDTH - LEFT) / 24.0;
    let most = cells.iter().map(|c| c.minutes).max().unwrap_or(0).max(1);
    let hours = (0..24)
        .step_by(3)
        .map(|h| {
            view! { <text class="label" x=LEFT + f64::from(h) * CELL y="12">{format!("{h:02}")}</text> }
        })
        .collect_view();
    let days = (1..=7u8)
        .map(|d| {
            let y = 16.0 + f64::from(d - 1) * CELL;
            view! { <text class="label" x="0" y=y + CELL * 0.7>{move || weekday(i18n.t().report_weekdays, d)}</text> }
        })
        .collect_view();
    let marks = cells
        .into_iter()
        .map(|c| {
            // Five shades, so a screenshot and a screen agree on what is busy.
            let shade = 1 + (c.minutes * 4).div_ceil(most).min(4);
            let title = move || {
                format!(
                    "{} {:02}:00 · {}",
                    weekday(i18n.t().report_weekdays, c.weekday),
                    c.hour,
                    (i18n.t().report_minutes)(&numbers::number(c.minutes as i64, i18n.lang()))
                )
            };
            view! {
                <rect class=format!("heat shade{shade}") data-weekday=c.weekday data-hour=c.hour data-minutes=c.minutes
                    x=LEFT + f64::from(c.hour) * CELL y=16.0 + f64::from(c.weekday - 1) * CELL
                    width=CELL - 1.0 height=CELL - 1.0>
                    <title>{title}</title>
                </rect>
            }
        })
        .collect_view();
    view! {
        <svg class="chart heatmap" id="occupancy-heatmap" role="img"
            viewBox=format!("0 0 {WIDTH} {}", 16.0 + 7.0 * CELL)
            aria-label=move || i18n.t().report_heatmap>
            <rect class="heat-ground" x=LEFT y="16" width=WIDTH - LEFT height=7.0 * CELL />
            {hours}
            {days}
            {marks}
        </svg>
    }
}

/// The short name of weekday `d` (1 = Monday) from a list of seven.
fn weekday(names: [&'static str; 7], d: u8) -> &'static str {
    names[usize::from(d.clamp(1, 7) - 1)]
}
