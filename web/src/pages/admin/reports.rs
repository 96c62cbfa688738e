//! Reports for admins: sales per performance and show, with a timeline,
//! and meeting-room occupancy as a heatmap per room, over a period picked
//! in the browser's time zone. The figures refresh every few seconds, so a
//! sale can be watched as it goes; each report downloads as CSV.

use std::time::Duration;

use chrono::{Days, NaiveDate};
use leptos::prelude::*;
use shared::{OccupancyQuery, OccupancyReport, ReportFormat, SalesQuery, SalesReport};

use super::charts::{Heatmap, SalesTimeline, SeatBars};
use crate::api::{self, ApiError};
use crate::components::{Loading, MaybeError};
use crate::i18n::use_i18n;
use crate::numbers;
use crate::time;

const REFRESH_EVERY: Duration = Duration::from_secs(3);

/// The period asked for, as typed: `[from, to]`, both days inclusive.
#[derive(Clone, PartialEq)]
struct Period {
    from: String,
    to: String,
}

impl Period {
    /// `from` 00:00 to the day after `to`, in `zone`; `None` when a date
    /// does not parse (the inputs only offer dates, so this is rare).
    fn bounds(
        &self,
        zone: &str,
    ) -> Option<(
        chrono::DateTime<chrono::FixedOffset>,
        chrono::DateTime<chrono::FixedOffset>,
    )> {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let from = time::from_zone(day(&self.from)?.and_hms_opt(0, 0, 0)?, zone)?;
        let to = day(&self.to)?.checked_add_days(Days::new(1))?;
        Some((from, time::from_zone(to.and_hms_opt(0, 0, 0)?, zone)?))
    }

    fn sales(&self, zone: &str, format: ReportFormat) -> SalesQuery {
        let (from, to) = self.bounds(zone).unzip();
        SalesQuery {
            from,
            to,
            format: (format == ReportFormat::Csv).then_some(format),
            ..SalesQuery::default()
        }
    }

    fn occupancy(&self, zone: &str, format: ReportFormat) -> OccupancyQuery {
        let (from, to) = self.bounds(zone).unzip();
        OccupancyQuery {
            from,
            to,
            format: (format == ReportFormat::Csv).then_some(format),
            ..OccupancyQuery::default()
        }
    }
}

#[component]
pub fn ReportsPage() -> impl IntoView {
    let i18n = use_i18n();
    let zone = StoredValue::new(time::browser_zone());
    let today = time::today_in(&zone.get_value());
    let day = |d: Option<NaiveDate>| d.unwrap_or(today).format("%Y-%m-%d").to_string();
    let from = RwSignal::new(day(today.checked_sub_days(Days::new(30))));
    let to = RwSignal::new(day(today.checked_add_days(Days::new(60))));
    let period = RwSignal::new(Period {
        from: from.get_untracked(),
        to: to.get_untracked(),
    });
    let round = RwSignal::new(0u32);
    if let Ok(handle) = set_interval_with_handle(
        move || {
            round.try_update(|n| *n += 1);
        },
        REFRESH_EVERY,
    ) {
        on_cleanup(move || handle.clear());
    }
    let sales_read = LocalResource::new(move || {
        round.track();
        api::sales_report(&period.get().sales(&zone.get_value(), ReportFormat::Json))
    });
    let occupancy_read = LocalResource::new(move || {
        api::occupancy_report(
            &period
                .get()
                .occupancy(&zone.get_value(), ReportFormat::Json),
        )
    });
    // The last answer stays on screen while the next is read.
    let sales = RwSignal::new(None::<Result<SalesReport, ApiError>>);
    let occupancy = RwSignal::new(None::<Result<OccupancyReport, ApiError>>);
    Effect::new(move || {
        if let Some(answer) = sales_read.get() {
            sales.set(Some(answer));
        }
    });
    Effect::new(move || {
        if let Some(answer) = occupancy_read.get() {
            occupancy.set(Some(answer));
        }
    });
    let sales_csv =
        move || api::sales_csv_href(&period.get().sales(&zone.get_value(), ReportFormat::Csv));
    let occupancy_csv = move || {
        api::occupancy_csv_href(&period.get().occupancy(&zone.get_value(), ReportFormat::Csv))
    };
    view! {
        <h2>{move || i18n.t().reports}</h2>
        <form class="card filters" id="report-period" on:submit=move |ev| {
            ev.prevent_default();
            period.set(Period { from: from.get(), to: to.get() });
        }>
            <label>{move || i18n.t().report_from}
                <input type="date" id="report-from" required prop:value=from on:input=move |ev| from.set(event_target_value(&ev)) />
            </label>
            <label>{move || i18n.t().report_to}
                <input type="date" id="report-to" required prop:value=to on:input=move |ev| to.set(event_target_value(&ev)) />
            </label>
            <button type="submit" class="primary">{move || i18n.t().report_show}</button>
            <span class="muted">{move || i18n.t().report_zone_note} " " {zone.get_value()}</span>
        </form>
        <section class="card" id="sales-report">
            <header class="report-head">
                <h3>{move || i18n.t().report_sales}</h3>
                <a class="button" id="sales-csv" href=sales_csv download="sales.csv">{move || i18n.t().report_csv}</a>
            </header>
            {move || match sales.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <MaybeError error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                Some(Ok(report)) => view! { <Sales report /> }.into_any(),
            }}
        </section>
        <section class="card" id="occupancy-report">
            <header class="report-head">
                <h3>{move || i18n.t().report_occupancy}</h3>
                <a class="button" id="occupancy-csv" href=occupancy_csv download="occupancy.csv">{move || i18n.t().report_csv}</a>
            </header>
            {move || match occupancy.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <MaybeError error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                Some(Ok(report)) => view! { <Occupancy report /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn Sales(report: SalesReport) -> impl IntoView {
    let i18n = use_i18n();
    if report.performances.is_empty() {
        return view! { <p class="empty" id="sales-none">{move || i18n.t().report_no_sales}</p> }
            .into_any();
    }
    let sold: u32 = report.performances.iter().map(|p| p.sold).sum();
    let revenue: u64 = report.shows.iter().map(|s| s.revenue).sum();
    let shows = report.shows.clone();
    view! {
        <p class="totals" id="sales-totals" data-sold=sold data-revenue=revenue>
            {move || (i18n.t().report_sold_total)(sold)} " · "
            {move || numbers::points(revenue as i64, i18n.lang())}
        </p>
        <SeatBars performances=report.performances />
        <h4>{move || i18n.t().report_timeline}</h4>
        <SalesTimeline points=report.timeline zone=report.time_zone />
        <div class="scroll">
            <table class="list" id="sales-shows">
                <thead><tr>
                    <th scope="col">{move || i18n.t().report_show_title}</th>
                    <th scope="col" class="num">{move || i18n.t().report_sold}</th>
                    <th scope="col" class="num">{move || i18n.t().report_held}</th>
                    <th scope="col" class="num">{move || i18n.t().report_free}</th>
                    <th scope="col" class="num">{move || i18n.t().report_revenue}</th>
                    <th scope="col" class="num">{move || i18n.t().report_refunded}</th>
                </tr></thead>
                <tbody>{shows.into_iter().map(|s| view! {
                    <tr data-show=s.show_id.0.clone()>
                        <td>{s.show_title.clone()}</td>
                        <td class="num">{s.sold}</td>
                        <td class="num">{s.held}</td>
                        <td class="num">{s.free}</td>
                        <td class="num">{move || numbers::points(s.revenue as i64, i18n.lang())}</td>
                        <td class="num">{move || numbers::points(s.refunded as i64, i18n.lang())}</td>
                    </tr>
                }).collect_view()}</tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn Occupancy(report: OccupancyReport) -> impl IntoView {
    let i18n = use_i18n();
    if report.rooms.is_empty() {
        return view! { <p class="empty">{move || i18n.t().report_no_rooms}</p> }.into_any();
    }
    let rooms = StoredValue::new(report.rooms);
    let chosen = RwSignal::new(0usize);
    let heat = move || {
        rooms.with_value(|r| {
            r.get(chosen.get())
                .map(|r| r.heatmap.clone())
                .unwrap_or_default()
        })
    };
    view! {
        <div class="scroll">
            <table class="list" id="occupancy-rooms">
                <thead><tr>
                    <th scope="col">{move || i18n.t().report_room}</th>
                    <th scope="col" class="num">{move || i18n.t().report_reservations}</th>
                    <th scope="col">{move || i18n.t().report_share}</th>
                </tr></thead>
                <tbody>{rooms.get_value().into_iter().enumerate().map(|(i, r)| {
                    let percent = r.share * 100.0;
                    let shown = if percent < 10.0 { format!("{percent:.1}%") } else { format!("{percent:.0}%") };
                    view! {
                        <tr data-room=r.room_id.0.clone() data-minutes=r.minutes class:chosen=move || chosen.get() == i>
                            <td><button type="button" class="link" on:click=move |_| chosen.set(i)>{r.room_name.clone()}</button></td>
                            <td class="num">{r.reservations}</td>
                            <td>
                                <svg class="chart share" viewBox="0 0 100 10" role="img" aria-label=shown.clone()>
                                    <rect class="free" x="0" y="0" width="100" height="10" />
                                    <rect class="sold" x="0" y="0" width=percent height="10" />
                                </svg>
                                " " {shown}
                            </td>
                        </tr>
                    }
                }).collect_view()}</tbody>
            </table>
        </div>
        <h4>
            {move || i18n.t().report_heatmap} ": "
            {move || rooms.with_value(|r| r.get(chosen.get()).map(|r| format!("{} ({})", r.room_name, r.time_zone)))}
        </h4>
        {move || view! { <Heatmap cells=heat() /> }}
    }
    .into_any()
}
