//! The side panel: the picks and their total, then a confirmation that
//! books them in one step (hold and pay together: `POST
//! /performances/{id}/bookings`), so no hold is left behind when a tab is
//! closed halfway.

use leptos::prelude::*;
use shared::{Booking, ErrorCode, Performance, SeatRequest, SeatState, Show, Wallet};

use super::board::Board;
use super::line::Line;
use crate::api::{self, ApiError, IdempotencyKey};
use crate::components::ErrorNotice;
use crate::i18n::use_i18n;
use crate::numbers;
use crate::session::use_session;
use crate::time;

/// What the confirmation shows and, on confirm, books. The key stays the
/// same while the user retries this very order.
#[derive(Debug, Clone, PartialEq)]
struct Order {
    seats: Vec<String>,
    total: u32,
    key: IdempotencyKey,
}

/// Whether seats can be bought now.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Sale {
    Open,
    NotYet(chrono::DateTime<chrono::Utc>),
    Started,
    Cancelled,
}

fn sale_of(performance: &Performance) -> Sale {
    let now = time::now();
    if performance.cancelled_at.is_some() {
        Sale::Cancelled
    } else if performance.starts_at <= now {
        Sale::Started
    } else if performance.sale_opens_at > now {
        Sale::NotYet(performance.sale_opens_at)
    } else {
        Sale::Open
    }
}

#[component]
pub fn Checkout(
    show: Show,
    performance: Performance,
    board: Board,
    /// Asks for a fresh seat map now.
    refresh: Callback<()>,
    /// The waiting room: the admission to book with, and the way back in
    /// line when it is refused.
    line: Line,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let sale = sale_of(&performance);
    let sale_zone = performance.time_zone.clone();
    let wallet_version = RwSignal::new(0u32);
    let wallet = LocalResource::new(move || {
        wallet_version.track();
        let call = session.user().map(|_| api::wallet());
        async move {
            match call {
                Some(call) => call.await.ok(),
                None => None,
            }
        }
    });
    let balance = move || wallet.get().flatten().map(|w: Wallet| w.balance);
    let order = RwSignal::new(None::<Order>);
    let error = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(None::<Booking>);
    let performance_id = performance.id.clone();
    let book = Action::new_local(move |o: &Order| {
        let body = SeatRequest {
            seats: o.seats.clone(),
        };
        api::book_seats(&performance_id, &body, &o.key, line.admission())
    });
    Effect::new(move || match book.value().get() {
        Some(Ok(booking)) => {
            line.finish();
            board.mark(&booking.seats, SeatState::Booked, true);
            board.selected.set(Vec::new());
            done.set(Some(booking));
            order.set(None);
            wallet_version.update(|v| *v += 1);
            refresh.run(());
        }
        Some(Err(e)) if e.code == Some(ErrorCode::SeatTaken) && !e.seats.is_empty() => {
            board.mark(&e.seats, SeatState::Held, false);
            order.set(None);
            refresh.run(());
        }
        Some(Err(e))
            if matches!(
                e.code,
                Some(
                    ErrorCode::AdmissionRequired
                        | ErrorCode::AdmissionInvalid
                        | ErrorCode::AdmissionExpired
                        | ErrorCode::AdmissionRevoked
                )
            ) =>
        {
            // The turn is over (or the waiting room just opened): back in line.
            line.rejoin();
        }
        Some(Err(e)) => {
            if e.code == Some(ErrorCode::InsufficientPoints) {
                wallet_version.update(|v| *v += 1);
            }
            error.set(Some(e));
        }
        None => {}
    });

    let open = move |_| {
        let seats = board.selected.get_untracked();
        if seats.is_empty() {
            return;
        }
        board.lost.set(Vec::new());
        done.set(None);
        error.set(None);
        order.set(Some(Order {
            seats,
            total: board.total(),
            key: IdempotencyKey::new(),
        }));
    };
    let lang = move || i18n.lang();
    let points = move |n: u32| numbers::points(n.into(), lang());
    let login_href = move || {
        let here = format!("/shows/{}/performances/{}", show.id, performance.id);
        format!("/login?next={}", js_sys::encode_uri_component(&here))
    };

    view! {
        <aside class="card checkout" aria-labelledby="selection-title">
            <h2 id="selection-title">{move || i18n.t().selection}</h2>
            {move || board.limit.get().map(|max| view! {
                <p class="hint" id="seat-limit">{move || (i18n.t().seat_limit)(max, board.owned())}</p>
            })}
            <Show when=move || board.selected.with(|s| !s.is_empty())
                fallback=move || view! { <p class="muted" id="nothing-selected">{move || i18n.t().nothing_selected}</p> }>
                <ul class="picks" id="selection">
                    <For each=move || board.selected.get() key=|l| l.clone() let:label>
                        <Pick label board />
                    </For>
                </ul>
            </Show>
            <p class="total">
                <span>{move || i18n.t().total}</span>
                <strong id="total">{move || points(board.total())}</strong>
            </p>
            {move || balance().map(|b| view! {
                <p class="balance muted">
                    <span>{move || i18n.t().balance}</span>
                    <span id="balance">{move || numbers::points(b, lang())}</span>
                </p>
            })}
            <div id="checkout-messages" aria-live="polite">
                {move || board.refused.get().then(|| board.limit.get()).flatten().map(|max| view! {
                    <p class="notice warn" role="alert" id="seat-limit-reached">{move || (i18n.t().seat_limit_reached)(max)}</p>
                })}
                {move || {
                    let lost = board.lost.get();
                    (!lost.is_empty()).then(|| view! {
                        <p class="notice warn" role="alert" id="seats-gone">{move || (i18n.t().seats_gone)(&lost.join(", "))}</p>
                    })
                }}
                {move || done.get().map(|b| view! {
                    <div class="notice success" role="status" id="booking-done">
                        <strong>{move || (i18n.t().reserved)(&b.seats.join(", "), &points(b.total))}</strong>
                        <a href="/bookings">{move || i18n.t().see_bookings}</a>
                    </div>
                })}
                {match sale {
                    Sale::Open => None,
                    Sale::NotYet(at) => Some(view! {
                        <p class="notice warn">{move || (i18n.t().on_sale_from)(&time::format_occasion_zoned(at, &sale_zone, lang()))}</p>
                    }.into_any()),
                    Sale::Started => Some(view! { <p class="notice warn">{move || i18n.t().started}</p> }.into_any()),
                    Sale::Cancelled => Some(view! {
                        <p class="notice warn" id="performance-cancelled">{move || i18n.t().performance_cancelled_refunded}</p>
                    }.into_any()),
                }}
            </div>
            {move || if session.user().is_some() {
                view! {
                    <button type="button" class="primary wide" id="reserve" on:click=open
                        disabled=move || sale != Sale::Open || board.selected.with(Vec::is_empty)>
                        {move || i18n.t().reserve}
                    </button>
                }.into_any()
            } else {
                view! {
                    <p>{move || i18n.t().login_to_book}</p>
                    <a class="button primary wide" id="reserve-login" href=login_href.clone()>{move || i18n.t().log_in}</a>
                }.into_any()
            }}
        </aside>
        <Confirm show_title=show.title.clone() venue=performance.venue_name.clone()
            starts_at=performance.starts_at zone=performance.time_zone.clone()
            order book error balance=Signal::derive(balance) />
    }
}

#[component]
fn Pick(label: String, board: Board) -> impl IntoView {
    let i18n = use_i18n();
    let name = StoredValue::new(label.clone());
    let seat = move || board.seats.with(|s| name.with_value(|l| s.get(l).cloned()));
    view! {
        <li data-seat=label.clone()>
            <span class="pick-seat">{label.clone()}</span>
            <span class="muted">{move || seat().map(|s| s.tier).unwrap_or_default()}</span>
            <span class="pick-price">{move || seat().map(|s| numbers::points(s.price.into(), i18n.lang())).unwrap_or_default()}</span>
            <button type="button" class="icon remove" aria-label=move || (i18n.t().remove_seat)(&name.get_value())
                on:click=move |_| name.with_value(|l| board.toggle(l))>
                <span aria-hidden="true">"×"</span>
            </button>
        </li>
    }
}

/// The confirmation, as a modal `<dialog>` (Escape closes it).
#[component]
fn Confirm(
    show_title: String,
    venue: String,
    starts_at: chrono::DateTime<chrono::Utc>,
    /// The venue's zone, which `starts_at` is shown in.
    zone: String,
    order: RwSignal<Option<Order>>,
    book: Action<Order, Result<Booking, ApiError>>,
    error: RwSignal<Option<ApiError>>,
    balance: Signal<Option<i64>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    Effect::new(move || {
        let Some(dialog) = dialog.get() else { return };
        match (order.with(Option::is_some), dialog.open()) {
            (true, false) => {
                let _ = dialog.show_modal();
            }
            (false, true) => dialog.close(),
            _ => {}
        }
    });
    let lang = move || i18n.lang();
    let points = move |n: i64| numbers::points(n, lang());
    let total = move || order.with(|o| o.as_ref().map_or(0, |o| o.total));
    let short = move || balance.get().filter(|b| *b < i64::from(total()));
    let confirm = move |_| {
        if let Some(o) = order.get_untracked() {
            error.set(None);
            book.dispatch(o);
        }
    };
    view! {
        <dialog node_ref=dialog id="confirm-booking" class="card dialog" aria-labelledby="confirm-title"
            on:close=move |_| order.set(None)>
            <h2 id="confirm-title">{move || i18n.t().confirm_title}</h2>
            <dl class="summary">
                <dt>{move || i18n.t().show}</dt><dd>{show_title}</dd>
                <dt>{move || i18n.t().date_time}</dt><dd>{move || time::format_occasion_zoned(starts_at, &zone, lang())}</dd>
                <dt>{move || i18n.t().venue}</dt><dd>{venue}</dd>
                <dt>{move || i18n.t().seats}</dt>
                <dd id="confirm-seats">{move || order.with(|o| o.as_ref().map(|o| o.seats.join(", ")).unwrap_or_default())}</dd>
                <dt>{move || i18n.t().total}</dt><dd><strong id="confirm-total">{move || points(total().into())}</strong></dd>
                {move || balance.get().map(|b| view! {
                    <dt>{move || i18n.t().balance}</dt><dd>{move || points(b)}</dd>
                    <dt>{move || i18n.t().balance_after}</dt><dd>{move || points(b - i64::from(total()))}</dd>
                })}
            </dl>
            {move || short().map(|b| view! {
                <div class="notice warn" id="not-enough">
                    <span>{move || (i18n.t().not_enough)(&points(b), &points(total().into()))}</span>
                    <a href="/wallet">{move || i18n.t().charge_wallet}</a>
                </div>
            })}
            {move || error.get().map(|error| view! { <ErrorNotice error id="confirm-error" /> })}
            <div class="actions">
                <button type="button" class="primary" id="confirm-book" on:click=confirm
                    disabled=move || book.pending().get() || short().is_some()>
                    {move || if book.pending().get() { i18n.t().paying } else { i18n.t().confirm_pay }}
                </button>
                <button type="button" class="secondary" id="confirm-back" on:click=move |_| order.set(None)>
                    {move || i18n.t().back}
                </button>
            </div>
        </dialog>
    }
}
