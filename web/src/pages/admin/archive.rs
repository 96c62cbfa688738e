//! The archive: finished reservations and bookings of past performances
//! that `api archive` moved out of the live data, searched by user, room
//! or show and dates.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use leptos::prelude::*;
use shared::{
    ArchivedBooking, ArchivedBookingQuery, ArchivedReservation, ArchivedReservationQuery,
    BookingStatus,
};

use crate::api;
use crate::components::{PagedList, StatusBadge};
use crate::i18n::use_i18n;
use crate::numbers;
use crate::time;

/// What the search form holds.
#[derive(Debug, Clone, Copy)]
struct Filters {
    user: RwSignal<String>,
    subject: RwSignal<String>,
    from: RwSignal<String>,
    to: RwSignal<String>,
}

impl Filters {
    fn text(signal: RwSignal<String>) -> Option<String> {
        Some(signal.get().trim().to_owned()).filter(|s| !s.is_empty())
    }

    /// The start of the day typed in `signal` (in the browser's zone),
    /// `days` later.
    fn day(signal: RwSignal<String>, days: i64) -> Option<DateTime<Utc>> {
        let day = NaiveDate::parse_from_str(&signal.get(), "%Y-%m-%d").ok()? + Duration::days(days);
        time::from_zone(day.and_time(chrono::NaiveTime::MIN), &time::browser_zone())
            .map(|t| t.with_timezone(&Utc))
    }
}

#[component]
pub fn ArchivePage() -> impl IntoView {
    let i18n = use_i18n();
    let bookings = RwSignal::new(false);
    let filters = Filters {
        user: RwSignal::new(String::new()),
        subject: RwSignal::new(String::new()),
        from: RwSignal::new(String::new()),
        to: RwSignal::new(String::new()),
    };
    let tab = move |is_bookings: bool,
                    id: &'static str,
                    label: fn(&crate::i18n::Texts) -> &'static str| {
        view! {
            <button type="button" id=id class="tab" role="tab"
                aria-selected=move || (bookings.get() == is_bookings).to_string()
                on:click=move |_| {
                    filters.subject.set(String::new());
                    bookings.set(is_bookings);
                }>
                {move || label(i18n.t())}
            </button>
        }
    };
    macro_rules! input {
        ($id:literal, $signal:expr, $kind:literal) => {
            view! {
                <input id=$id type=$kind prop:value=move || $signal.get()
                    on:change=move |ev| $signal.set(event_target_value(&ev)) />
            }
        };
    }
    view! {
        <h2>{move || i18n.t().admin_archive}</h2>
        <p class="muted">{move || i18n.t().archive_intro}</p>
        <div class="tabs" role="tablist">
            {tab(false, "archive-reservations-tab", |t| t.archive_reservations)}
            {tab(true, "archive-bookings-tab", |t| t.archive_bookings)}
        </div>
        <form class="card filters" id="archive-filters" on:submit=|ev| ev.prevent_default()>
            <label>{move || i18n.t().archive_user} " " {input!("archive-user", filters.user, "email")}</label>
            <label>
                {move || if bookings.get() { i18n.t().archive_show } else { i18n.t().archive_room }} " "
                {input!("archive-subject", filters.subject, "text")}
            </label>
            <label>{move || i18n.t().archive_from} " " {input!("archive-from", filters.from, "date")}</label>
            <label>{move || i18n.t().archive_to} " " {input!("archive-to", filters.to, "date")}</label>
        </form>
        <div class="card flush scroll">
            <Show when=move || bookings.get() fallback=move || view! { <Reservations filters /> }>
                <Bookings filters />
            </Show>
        </div>
    }
}

#[component]
fn Reservations(filters: Filters) -> impl IntoView {
    let i18n = use_i18n();
    let fetch = move |cursor: Option<String>| {
        api::archived_reservations(&ArchivedReservationQuery {
            user: Filters::text(filters.user),
            room: Filters::text(filters.subject),
            from: Filters::day(filters.from, 0),
            to: Filters::day(filters.to, 1),
            limit: Some(50),
            cursor,
        })
    };
    let render = move |items: Vec<ArchivedReservation>| {
        view! {
            <table class="list" id="archived-reservations">
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t().archive_when}</th>
                        <th scope="col">{move || i18n.t().archive_room_col}</th>
                        <th scope="col">{move || i18n.t().archive_user_col}</th>
                        <th scope="col">{move || i18n.t().archive_purpose}</th>
                        <th scope="col">{move || i18n.t().archive_status}</th>
                    </tr>
                </thead>
                <tbody>
                    {items.into_iter().map(|r| {
                        let zone = r.room.time_zone.clone();
                        let (start, end) = (r.start, r.end);
                        view! {
                            <tr data-reservation=r.id.0.clone()>
                                <td>{move || time::format_range_zoned(start, end, &zone, i18n.lang())}</td>
                                <td>{r.room.name.clone()} <div class="muted small">{r.room.location.clone()}</div></td>
                                <td>{r.user.name.clone()} <div class="muted small">{r.user.email.clone()}</div></td>
                                <td>{r.purpose.clone()}</td>
                                <td><StatusBadge status=r.status /></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        }
    };
    view! { <PagedList fetch render empty=Signal::derive(move || i18n.t().archive_empty) /> }
}

#[component]
fn Bookings(filters: Filters) -> impl IntoView {
    let i18n = use_i18n();
    let fetch = move |cursor: Option<String>| {
        api::archived_bookings(&ArchivedBookingQuery {
            user: Filters::text(filters.user),
            show: Filters::text(filters.subject),
            from: Filters::day(filters.from, 0),
            to: Filters::day(filters.to, 1),
            limit: Some(50),
            cursor,
        })
    };
    let render = move |items: Vec<ArchivedBooking>| {
        view! {
            <table class="list" id="archived-bookings">
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t().archive_when}</th>
                        <th scope="col">{move || i18n.t().archive_show_col}</th>
                        <th scope="col">{move || i18n.t().archive_user_col}</th>
                        <th scope="col">{move || i18n.t().archive_seats}</th>
                        <th scope="col" class="number">{move || i18n.t().archive_total}</th>
                        <th scope="col">{move || i18n.t().archive_status}</th>
                    </tr>
                </thead>
                <tbody>
                    {items.into_iter().map(|b| {
                        let zone = b.performance.time_zone.clone();
                        let at = b.performance.starts_at;
                        let seats: Vec<String> = b.seats.iter().map(|s| format!("{} ({})", s.label, s.tier)).collect();
                        let total = b.total;
                        view! {
                            <tr data-booking=b.id.0.clone()>
                                <td>{move || time::format_occasion_zoned(at, &zone, i18n.lang())}</td>
                                <td>{b.show.title.clone()} <div class="muted small">{b.performance.venue_name.clone()}</div></td>
                                <td>{b.user.name.clone()} <div class="muted small">{b.user.email.clone()}</div></td>
                                <td class="seats-cell">{seats.join(", ")}</td>
                                <td class="number">{move || numbers::points(total.into(), i18n.lang())}</td>
                                <td>{match b.status {
                                    BookingStatus::Confirmed => view! { <span class="badge status-approved">{move || i18n.t().booking_confirmed}</span> }.into_any(),
                                    BookingStatus::Cancelled => view! { <span class="badge status-cancelled">{move || i18n.t().booking_cancelled}</span> }.into_any(),
                                }}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        }
    };
    view! { <PagedList fetch render empty=Signal::derive(move || i18n.t().archive_empty) /> }
}
