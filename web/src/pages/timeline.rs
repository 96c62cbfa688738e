//! A room's schedule for a day or a week, drawn in the room's time zone.
//!
//! The API lists only the caller's own reservations (admins: everyone's with
//! `all=true`), so that is what is drawn; the notice above says so.

use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};
use leptos::prelude::*;
use shared::{Reservation, ReservationQuery, Room};

use crate::api;
use crate::components::{Loading, StatusBadge, error_fallback};
use crate::i18n::{Lang, use_i18n};
use crate::session::use_session;
use crate::time;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Span {
    Day,
    Week,
}

/// First hour drawn unless something starts earlier.
const DAY_START_HOUR: u32 = 7;

/// Start of `date` in `zone`, as an instant.
fn midnight(date: NaiveDate, zone: &str) -> Option<DateTime<Utc>> {
    time::from_zone(time::at_minutes(date, 0), zone).map(|t| t.to_utc())
}

/// Minutes after `date`'s midnight at which `instant` falls, clamped to the day.
fn minute_of(date: NaiveDate, instant: DateTime<Utc>, zone: &str) -> u32 {
    match time::to_zone(instant, zone) {
        Some(local) if local.date() < date => 0,
        Some(local) if local.date() > date => 1440,
        Some(local) => local.hour() * 60 + local.minute(),
        None => 0,
    }
}

#[component]
pub fn Timeline(room: Room, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let zone = StoredValue::new(room.time_zone.clone());
    let span = RwSignal::new(Span::Week);
    let anchor = RwSignal::new(time::today_in(&room.time_zone));
    let first_day = move || match span.get() {
        Span::Day => anchor.get(),
        Span::Week => time::week_start(anchor.get()),
    };
    let days = move || match span.get() {
        Span::Day => 1,
        Span::Week => 7,
    };
    let room_id = room.id.clone();
    let reservations = LocalResource::new(move || {
        version.track();
        let (start, count) = (first_day(), days());
        let zone = zone.get_value();
        api::list_reservations(&ReservationQuery {
            room_id: Some(room_id.clone()),
            from: midnight(start, &zone).map(|t| t.fixed_offset()),
            to: midnight(start + Duration::days(count), &zone).map(|t| t.fixed_offset()),
            all: session.is_admin().then_some(true),
            limit: Some(200),
            ..Default::default()
        })
    });
    let step = move |sign: i64| {
        let by = match span.get_untracked() {
            Span::Day => 1,
            Span::Week => 7,
        };
        anchor.update(|d| *d += Duration::days(sign * by));
    };
    let span_button = move |which: Span, label: fn(&crate::i18n::Texts) -> &'static str| {
        view! {
            <button type="button" class="segment" aria-pressed=move || (span.get() == which).to_string()
                on:click=move |_| span.set(which)>
                {move || label(i18n.t())}
            </button>
        }
    };
    view! {
        <p class="hint">
            {move || if session.is_admin() { i18n.t().timeline_all } else { i18n.t().timeline_own_only }}
        </p>
        <div class="toolbar">
            <div class="segmented" role="group">
                {span_button(Span::Day, |t| t.day)}
                {span_button(Span::Week, |t| t.week)}
            </div>
            <div class="nav-buttons">
                <button type="button" class="secondary" on:click=move |_| step(-1)>
                    <span aria-hidden="true">"‹ "</span>{move || i18n.t().previous}
                </button>
                <button type="button" class="secondary"
                    on:click=move |_| anchor.set(time::today_in(&zone.get_value()))>
                    {move || i18n.t().today}
                </button>
                <button type="button" class="secondary" on:click=move |_| step(1)>
                    {move || i18n.t().next}<span aria-hidden="true">" ›"</span>
                </button>
            </div>
            <label class="inline">
                <span class="sr-only">{move || i18n.t().go_to_date}</span>
                <input type="date" id="timeline-date" prop:value=move || anchor.get().to_string()
                    on:change=move |ev| {
                        if let Ok(date) = event_target_value(&ev).parse() {
                            anchor.set(date);
                        }
                    } />
            </label>
        </div>
        <Transition fallback=Loading>
            <ErrorBoundary fallback=error_fallback>
                {move || {
                    let (start, count) = (first_day(), days());
                    reservations.get().map(|r| r.map(|page| {
                        let active: Vec<Reservation> = page.items.into_iter()
                            .filter(|r| r.status.holds_slots()).collect();
                        view! { <Grid start count reservations=active zone=zone.get_value() lang=i18n.lang() /> }
                    }))
                }}
            </ErrorBoundary>
        </Transition>
    }
}

/// One block to draw: a reservation's part within one day, in minutes.
struct Block {
    reservation: Reservation,
    from: u32,
    to: u32,
}

#[component]
fn Grid(
    start: NaiveDate,
    count: i64,
    reservations: Vec<Reservation>,
    zone: String,
    lang: Lang,
) -> impl IntoView {
    let i18n = use_i18n();
    let is_admin = use_session().is_admin();
    let columns: Vec<(NaiveDate, Vec<Block>)> = (0..count)
        .map(|offset| {
            let date = start + Duration::days(offset);
            let blocks = reservations
                .iter()
                .filter_map(|r| {
                    let (from, to) = (
                        minute_of(date, r.start, &zone),
                        minute_of(date, r.end, &zone),
                    );
                    (to > from).then(|| Block {
                        reservation: r.clone(),
                        from,
                        to,
                    })
                })
                .collect();
            (date, blocks)
        })
        .collect();
    let first_hour = columns
        .iter()
        .flat_map(|(_, b)| b.iter().map(|b| b.from / 60))
        .min()
        .unwrap_or(DAY_START_HOUR)
        .min(DAY_START_HOUR);
    let top_minute = first_hour * 60;
    let length = (1440 - top_minute) as f64;
    let percent = move |minute: u32| (minute.saturating_sub(top_minute)) as f64 / length * 100.0;
    let empty = reservations.is_empty();
    let hours = (first_hour..24)
        .map(|h| {
            view! {
                <div class="hour" style=format!("top:{:.3}%", percent(h * 60))>
                    <span>{time::hhmm(h * 60)}</span>
                </div>
            }
        })
        .collect_view();
    let today = time::today_in(&zone);
    let timeline_class = if count > 1 {
        "timeline week"
    } else {
        "timeline"
    };
    view! {
        {empty.then(|| view! { <p class="empty" id="timeline-empty">{move || i18n.t().timeline_empty}</p> })}
        <div class=timeline_class id="timeline">
            <div class="hours" aria-hidden="true">{hours}</div>
            {columns.into_iter().map(|(date, blocks)| {
                let label = time::format_day(date, lang, false);
                let aria_label = label.clone();
                let day_class = if date == today { "day today" } else { "day" };
                view! {
                    <section class=day_class aria-label=aria_label>
                        <h3 class="day-label">{label}</h3>
                        <ol class="day-body">
                            {blocks.into_iter().map(|b| {
                                let r = b.reservation;
                                let range = format!("{}–{}", time::format_time(r.start, &zone, lang), time::format_time(r.end, &zone, lang));
                                let title = format!("{range} {}", r.purpose);
                                let style = format!("top:{:.3}%;height:{:.3}%", percent(b.from), percent(b.to) - percent(b.from));
                                view! {
                                    <li class=format!("block status-{}", r.status.as_str()) style=style
                                        title=title data-reservation=r.id.0.clone()>
                                        <span class="time">{range}</span>
                                        <span class="purpose">{r.purpose.clone()}</span>
                                        {is_admin.then(|| view! { <span class="who">{r.user_name.clone()}</span> })}
                                        <StatusBadge status=r.status />
                                    </li>
                                }
                            }).collect_view()}
                        </ol>
                    </section>
                }
            }).collect_view()}
        </div>
    }
}
