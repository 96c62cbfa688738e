//! The caller's seat bookings: upcoming (soonest first) or past (most
//! recent first), cancelled ones marked, with cancelling (upcoming,
//! confirmed ones) and its refund.
//! Times are the venue's, with its zone named.

use leptos::prelude::*;
use shared::{Booking, BookingQuery, BookingStatus, SortOrder};

use crate::api::{self, IdempotencyKey};
use crate::components::{ErrorNotice, PagedList, When, WhenTabs};
use crate::i18n::use_i18n;
use crate::numbers;
use crate::session::RequireUser;
use crate::time;

#[component]
pub fn BookingsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="section-head">
            <h1>{move || i18n.t().bookings_title}</h1>
            <a class="button secondary" href="/shows">{move || i18n.t().browse_shows}</a>
        </div>
        <RequireUser>
            <Bookings />
        </RequireUser>
    }
}

#[component]
fn Bookings() -> impl IntoView {
    let i18n = use_i18n();
    let tab = RwSignal::new(When::Upcoming);
    let hide_cancelled = RwSignal::new(false);
    let fetch = move |cursor: Option<String>| {
        api::list_bookings(&BookingQuery {
            upcoming: Some(tab.get() == When::Upcoming),
            // Upcoming: the soonest first; past: the most recent first.
            order: Some(match tab.get() {
                When::Upcoming => SortOrder::Asc,
                When::Past => SortOrder::Desc,
            }),
            status: hide_cancelled.get().then_some(BookingStatus::Confirmed),
            limit: Some(20),
            cursor,
        })
    };
    let empty = Signal::derive(move || match tab.get() {
        When::Upcoming => i18n.t().no_upcoming_bookings,
        When::Past => i18n.t().no_past_bookings,
    });
    let render = move |items: Vec<Booking>| {
        view! {
            <table class="list" id="my-bookings">
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t().show}</th>
                        <th scope="col">{move || i18n.t().date_time}</th>
                        <th scope="col">{move || i18n.t().seats}</th>
                        <th scope="col" class="number">{move || i18n.t().paid}</th>
                        <th scope="col">{move || i18n.t().status}</th>
                        <th scope="col"><span class="sr-only">{move || i18n.t().actions}</span></th>
                    </tr>
                </thead>
                <tbody>
                    {items.into_iter().map(|b| view! { <Row b /> }).collect_view()}
                </tbody>
            </table>
        }
    };
    view! {
        <div class="tab-bar">
            <WhenTabs tab upcoming=|t| t.bookings_upcoming past=|t| t.bookings_past />
            <label class="check">
                <input type="checkbox" id="hide-cancelled" prop:checked=move || hide_cancelled.get()
                    on:change=move |ev| hide_cancelled.set(event_target_checked(&ev)) />
                {move || i18n.t().hide_cancelled}
            </label>
        </div>
        <div role="tabpanel" class="card flush">
            <PagedList fetch render empty />
        </div>
    }
}

#[component]
fn Row(b: Booking) -> impl IntoView {
    let i18n = use_i18n();
    // The row follows what the cancel answered, without reloading the list.
    let booking = RwSignal::new(b);
    let confirming = RwSignal::new(false);
    // One key per booking: a retry or a double click cancels (and refunds) once.
    let key = IdempotencyKey::new();
    let cancel = Action::new_local(move |_: &()| {
        let id = booking.with_untracked(|b| b.id.clone());
        api::cancel_booking(&id, &key)
    });
    Effect::new(move || {
        if let Some(Ok(cancelled)) = cancel.value().get() {
            booking.set(cancelled);
            confirming.set(false);
        }
    });
    let error = move || cancel.value().get().and_then(Result::err);
    let refunded = move || {
        cancel
            .value()
            .get()
            .and_then(Result::ok)
            .and_then(|b| b.refunded)
    };
    let lang = move || i18n.lang();
    let points = move |n: u32| numbers::points(n.into(), lang());
    let b = booking.get_untracked();
    let zone = b.time_zone.clone();
    let cancellable =
        move || booking.with(|b| b.status == BookingStatus::Confirmed && b.starts_at > time::now());
    let keep_ref = NodeRef::<leptos::html::Button>::new();
    Effect::new(move || {
        if let Some(button) = keep_ref.get() {
            let _ = button.focus();
        }
    });
    view! {
        <tr data-booking=b.id.0.clone()
            data-status=move || booking.with(|b| status_key(b.status))
            class=move || booking.with(|b| if b.status == BookingStatus::Cancelled { "cancelled" } else { "" })>
            <td>
                <a href=format!("/shows/{}", b.show_id)>{b.show_title.clone()}</a>
                <div class="muted small">{b.venue_name.clone()}</div>
            </td>
            <td class="when">{move || time::format_occasion_zoned(b.starts_at, &zone, lang())}</td>
            <td class="seats-cell">{b.seats.join(", ")}</td>
            <td class="number">{move || points(b.total)}</td>
            <td>
                {move || booking.with(|b| match b.status {
                    BookingStatus::Confirmed => view! {
                        <span class="badge status-approved">{move || i18n.t().booking_confirmed}</span>
                    }.into_any(),
                    BookingStatus::Cancelled => {
                        let refund = b.refunded;
                        view! {
                            <span class="badge status-cancelled">{move || i18n.t().booking_cancelled}</span>
                            {refund.map(|r| view! { <div class="muted small refund">{move || (i18n.t().refunded)(&points(r))}</div> })}
                        }.into_any()
                    }
                })}
            </td>
            <td class="row-actions">
                <Show when=cancellable>
                    <Show when=move || confirming.get() fallback=move || view! {
                        <button type="button" class="secondary danger cancel" on:click=move |_| confirming.set(true)>
                            {move || i18n.t().cancel}
                        </button>
                    }>
                        <div class="confirm" role="group">
                            <span>{move || (i18n.t().cancel_booking_confirm)(&points(booking.with(|b| b.total)))}</span>
                            <button type="button" class="danger confirm-cancel" disabled=move || cancel.pending().get()
                                on:click=move |_| { cancel.dispatch(()); }>
                                {move || i18n.t().cancel_yes}
                            </button>
                            <button type="button" class="secondary keep" node_ref=keep_ref
                                on:click=move |_| confirming.set(false)>
                                {move || i18n.t().cancel_keep}
                            </button>
                        </div>
                    </Show>
                </Show>
                {move || refunded().map(|r| view! {
                    <p class="notice success" role="status">
                        {move || (i18n.t().cancelled_refund)(&points(r))} " "
                        <a href="/wallet">{move || i18n.t().nav_wallet}</a>
                    </p>
                })}
                {move || error().map(|error| view! { <ErrorNotice error /> })}
            </td>
        </tr>
    }
}

fn status_key(status: BookingStatus) -> &'static str {
    match status {
        BookingStatus::Confirmed => "confirmed",
        BookingStatus::Cancelled => "cancelled",
    }
}
