//! A room's schedule for a day or a week, drawn in the room's time zone.
//!
//! Everyone sees when the room is taken (`GET /rooms/{id}/busy`, without
//! who or why); the caller's own reservations (admins: everyone's) are drawn
//! with their details on top of that.

use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};
use leptos::prelude::*;
use shared::{BusyQuery, BusyRange, Reservation, ReservationQuery, ReservationStatus, Room};

use crate::api::{self, ApiError};
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
    let entries = LocalResource::new(move || {
        version.track();
        let (start, count) = (first_day(), days());
        let zone = zone.get_value();
        let window = midnight(start, &zone).zip(midnight(start + Duration::days(count), &zone));
        let (from, to) = window.unwrap_or_else(|| {
            let start = start.and_time(chrono::NaiveTime::MIN).and_utc();
            (start, start + Duration::days(count))
        });
        let busy = api::room_busy(
            &room_id,
            &BusyQuery {
                from: from.fixed_offset(),
                to: to.fixed_offset(),
            },
        );
        let sees_all = session.is_admin();
        let own = session.user().map(|_| {
            api::list_reservations(&ReservationQuery {
                room_id: Some(room_id.clone()),
                from: Some(from.fixed_offset()),
                to: Some(to.fixed_offset()),
                all: sees_all.then_some(true),
                limit: Some(200),
                ..Default::default()
            })
        });
        async move {
            let own = async move {
                match own {
                    Some(call) => call.await.map(|page| page.items),
                    None => Ok(Vec::new()),
                }
            };
            let (busy, own) = futures::join!(busy, own);
            Ok::<_, ApiError>(Entry::merge(busy?, own?, sees_all))
        }
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
            {move || match (session.user().is_some(), session.is_admin()) {
                (_, true) => i18n.t().timeline_all,
                (true, false) => i18n.t().timeline_own_only,
                (false, _) => i18n.t().timeline_public,
            }}
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
                    entries.get().map(|r| r.map(|entries| {
                        view! { <Grid start count entries zone=zone.get_value() lang=i18n.lang() /> }
                    }))
                }}
            </ErrorBoundary>
        </Transition>
    }
}

/// One taken range of the schedule, with its details when the caller may
/// see them.
#[derive(Debug, Clone, PartialEq)]
struct Entry {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    status: ReservationStatus,
    /// A busy range the busy view named as the caller's, drawn as theirs
    /// even without details.
    mine: bool,
    details: Option<Reservation>,
}

impl Entry {
    /// The caller's active reservations with their details, plus every
    /// busy range that is not one of them. The busy view names each range
    /// the caller may open by `reservation_id` (their own; every one for an
    /// admin, whose `own` lists everyone's). A named range missing from
    /// `own` is drawn without details, as the caller's unless they see all.
    fn merge(busy: Vec<BusyRange>, own: Vec<Reservation>, sees_all: bool) -> Vec<Self> {
        let own: Vec<Reservation> = own.into_iter().filter(|r| r.status.holds_slots()).collect();
        let listed = |b: &BusyRange| {
            b.reservation_id
                .as_ref()
                .is_some_and(|id| own.iter().any(|r| &r.id == id))
        };
        let others: Vec<Self> = busy
            .into_iter()
            .filter(|b| !listed(b))
            .map(|b| Self {
                start: b.start,
                end: b.end,
                status: b.status,
                mine: !sees_all && b.reservation_id.is_some(),
                details: None,
            })
            .collect();
        let mut entries: Vec<Self> = own
            .into_iter()
            .map(|r| Self {
                start: r.start,
                end: r.end,
                status: r.status,
                mine: false,
                details: Some(r),
            })
            .chain(others)
            .collect();
        entries.sort_by_key(|e| e.start);
        entries
    }
}

/// One block to draw: an entry's part within one day, in minutes.
struct Block {
    entry: Entry,
    from: u32,
    to: u32,
}

#[component]
fn Grid(
    start: NaiveDate,
    count: i64,
    entries: Vec<Entry>,
    zone: String,
    lang: Lang,
) -> impl IntoView {
    let i18n = use_i18n();
    let is_admin = use_session().is_admin();
    let columns: Vec<(NaiveDate, Vec<Block>)> = (0..count)
        .map(|offset| {
            let date = start + Duration::days(offset);
            let blocks = entries
                .iter()
                .filter_map(|e| {
                    let (from, to) = (
                        minute_of(date, e.start, &zone),
                        minute_of(date, e.end, &zone),
                    );
                    (to > from).then(|| Block {
                        entry: e.clone(),
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
    let empty = entries.is_empty();
    let hours = (first_hour..24)
        .map(|h| {
            view! {
                <div class="hour" style:top=format!("{:.3}%", percent(h * 60))>
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
                                let e = b.entry;
                                let range = format!("{}–{}", time::format_time(e.start, &zone, lang), time::format_time(e.end, &zone, lang));
                                // Set through the CSS object model: the Content-Security-Policy
                                // refuses inline `style` attributes.
                                let top = format!("{:.3}%", percent(b.from));
                                let height = format!("{:.3}%", percent(b.to) - percent(b.from));
                                let status = e.status;
                                let title = e.details.as_ref().map(|r| format!("{range} {}", r.purpose));
                                match (e.details, e.mine) {
                                    (Some(r), _) => view! {
                                        <li class=format!("block status-{}", status.as_str()) style:top=top.clone() style:height=height.clone()
                                            title=title data-reservation=r.id.0.clone()>
                                            <span class="time">{range}</span>
                                            <span class="purpose">{r.purpose.clone()}</span>
                                            {is_admin.then(|| view! { <span class="who">{r.user_name.clone()}</span> })}
                                            <StatusBadge status />
                                        </li>
                                    }.into_any(),
                                    (None, true) => view! {
                                        <li class=format!("block status-{}", status.as_str()) style:top=top.clone() style:height=height.clone() data-own="true">
                                            <span class="time">{range}</span>
                                            <span class="purpose">{move || i18n.t().your_reservation}</span>
                                            <StatusBadge status />
                                        </li>
                                    }.into_any(),
                                    (None, false) => view! {
                                        <li class=format!("block busy status-{}", status.as_str()) style:top=top.clone() style:height=height.clone()
                                            data-busy=status.as_str()>
                                            <span class="time">{range}</span>
                                            <span class="purpose">{move || if status == ReservationStatus::Pending { i18n.t().busy_pending } else { i18n.t().busy }}</span>
                                        </li>
                                    }.into_any(),
                                }
                            }).collect_view()}
                        </ol>
                    </section>
                }
            }).collect_view()}
        </div>
    }
}
