//! A performance's seat map and checkout, behind the performance's
//! waiting room when it has one. The map follows the live stream of seat
//! changes; when the stream is down it refreshes itself every few seconds
//! instead (a conditional GET: an unchanged map costs a `304`), so seats
//! others take turn grey without a reload either way.

mod board;
mod checkout;
mod line;
mod live;
mod map;

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use shared::{Performance, PerformanceId, SeatMap, Show, ShowId};

use crate::api::{self, ApiError, Fresh};
use crate::components::{Loading, Rounds, error_fallback};
use crate::i18n::use_i18n;
use crate::limits::use_limits;
use crate::pages::show::price_list;
use crate::time;
pub use board::Board;
use checkout::Checkout;
use line::{Line, Phase, QueueScreen, TurnEnded, TurnTimer, follow_line};
pub use map::SeatGrid;

/// How often the open map asks for changes.
const POLL_EVERY: Duration = Duration::from_millis(2500);
/// The wait after a failed refresh.
const RETRY_AFTER: Duration = Duration::from_secs(5);

#[component]
pub fn SeatsPage() -> impl IntoView {
    let params = use_params_map();
    let show_id = move || ShowId(params.with(|p| p.get("show").unwrap_or_default()));
    let performance_id = move || params.with(|p| p.get("performance").unwrap_or_default());
    let detail = LocalResource::new(move || api::get_show(&show_id()));
    let found = move || {
        detail.get().map(|result| {
            result.and_then(|detail| {
                let id = performance_id();
                let performance = detail
                    .performances
                    .iter()
                    .find(|p| p.id.0 == id)
                    .cloned()
                    .ok_or_else(|| ApiError::not_found("no such performance of this show"))?;
                Ok(view! { <SeatsView show=detail.show performance /> })
            })
        })
    };
    view! {
        <Transition fallback=Loading>
            <ErrorBoundary fallback=error_fallback>{found}</ErrorBoundary>
        </Transition>
    }
}

/// Remembers the picks of a performance for this tab, so a trip to log in
/// or to charge the wallet does not lose them.
fn saved_picks(id: &PerformanceId) -> (String, Vec<String>) {
    let key = format!("picks:{id}");
    let picks = crate::storage::session()
        .and_then(|s| s.get_item(&key).ok().flatten())
        .map(|text| {
            text.split(',')
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    (key, picks)
}

#[component]
fn SeatsView(show: Show, performance: Performance) -> impl IntoView {
    let i18n = use_i18n();
    let limits = use_limits();
    let (storage_key, picks) = saved_picks(&performance.id);
    let board = Board::new(
        picks,
        Signal::derive(move || limits.get().map(|l| l.max_seats_per_user)),
    );
    Effect::new(move || {
        let picks = board.selected.get().join(",");
        if let Some(storage) = crate::storage::session() {
            let _ = storage.set_item(&storage_key, &picks);
        }
    });
    let layout = RwSignal::new(None::<SeatMap>);
    let line = follow_line(performance.id.clone());
    let zone = performance.time_zone.clone();
    let starts_at = performance.starts_at;
    let p = StoredValue::new(performance.clone());
    let queue_zone = StoredValue::new(zone.clone());
    let shop = StoredValue::new((show.clone(), performance.clone()));
    view! {
        <nav class="crumbs">
            <a href="/shows">{move || i18n.t().nav_shows}</a> " / "
            <a href=format!("/shows/{}", show.id)>{show.title.clone()}</a> " / "
        </nav>
        <header class="room-head">
            <h1 id="show-title">{show.title.clone()}</h1>
            <dl class="facts">
                <div>
                    <dt>{move || i18n.t().date_time}</dt>
                    <dd id="performance-time">{move || time::format_occasion_zoned(starts_at, &zone, i18n.lang())}</dd>
                </div>
                <div><dt>{move || i18n.t().venue}</dt><dd>{performance.venue_name.clone()}</dd></div>
                <div>
                    <dt>{move || i18n.t().prices}</dt>
                    <dd>{move || p.with_value(|p| price_list(p, i18n.lang()))}</dd>
                </div>
                <div>
                    <dt>{move || i18n.t().remaining}</dt>
                    <dd id="seats-left">{move || layout.with(Option::is_some).then(|| (i18n.t().seats_left)(board.available(), board.seats.with(|s| s.len() as u32)))}</dd>
                </div>
            </dl>
            <QueueSettingsLink id=performance.id.clone() />
        </header>
        {move || match line.phase.get() {
            Phase::Checking => view! { <Loading /> }.into_any(),
            Phase::Waiting => view! { <QueueScreen line zone=queue_zone.get_value() /> }.into_any(),
            Phase::Ended => view! { <TurnEnded line /> }.into_any(),
            Phase::Shopping => {
                let (show, performance) = shop.get_value();
                view! { <Shop show performance board layout line /> }.into_any()
            }
        }}
    }
}

/// For admins: the way to this performance's waiting-room settings.
#[component]
fn QueueSettingsLink(id: PerformanceId) -> impl IntoView {
    let i18n = use_i18n();
    let session = crate::session::use_session();
    let href = format!("/admin/performances/{id}/queue");
    move || {
        session.is_admin().then(|| {
            view! { <a class="button" id="queue-settings-link" href=href.clone()>{move || i18n.t().queue_settings_link}</a> }
        })
    }
}

/// The map and checkout, live while shown.
#[component]
fn Shop(
    show: Show,
    performance: Performance,
    board: Board,
    layout: RwSignal<Option<SeatMap>>,
    line: Line,
) -> impl IntoView {
    let i18n = use_i18n();
    let live = RwSignal::new(false);
    live::follow(&performance.id, board, layout, live);
    let (refresh, poll_error) = poll_seats(performance.id.clone(), board, layout, live);
    let admitted = line
        .ticket
        .with_untracked(|t| t.as_ref().is_some_and(|t| t.admission.is_some()));
    view! {
        {admitted.then(|| view! { <TurnTimer line /> })}
        <div class="seat-layout">
            <section class="card" aria-labelledby="map-title">
                <h2 id="map-title">
                    {move || i18n.t().seat_map}
                    <span class="live-badge" id="live-badge" hidden=move || !live.get()>{move || i18n.t().live_updates}</span>
                </h2>
                <Legend />
                {move || poll_error.get().map(|_| view! {
                    <p class="notice warn" role="status">{move || i18n.t().refresh_failed}</p>
                })}
                {move || match layout.get() {
                    Some(map) => view! { <SeatGrid map board /> }.into_any(),
                    None => view! { <Loading /> }.into_any(),
                }}
            </section>
            <Checkout show performance board refresh line />
        </div>
    }
}

#[component]
fn Legend() -> impl IntoView {
    let i18n = use_i18n();
    let item = move |class: &'static str, label: fn(&crate::i18n::Texts) -> &'static str| {
        view! {
            <li><span class=format!("seat swatch {class}") aria-hidden="true"></span>{move || label(i18n.t())}</li>
        }
    };
    view! {
        <ul class="legend" aria-label=move || i18n.t().legend>
            {item("available", |t| t.seat_available)}
            {item("selected", |t| t.seat_selected)}
            {item("taken", |t| t.seat_taken)}
            {item("taken mine", |t| t.seat_yours)}
        </ul>
    }
}

/// Loads the seat map into `layout` (the shape to draw) and `board`, then
/// asks again every [`POLL_EVERY`] with the last `ETag` until the page is
/// left, standing by while the live stream delivers. Returns a way to
/// refresh at once and the last refresh error.
fn poll_seats(
    id: PerformanceId,
    board: Board,
    layout: RwSignal<Option<SeatMap>>,
    live: RwSignal<bool>,
) -> (Callback<()>, RwSignal<Option<ApiError>>) {
    let error = RwSignal::new(None::<ApiError>);
    let etag = StoredValue::new(None::<String>);
    let rounds = Rounds::new();
    let handled = StoredValue::new(None::<u32>);
    // Each round is one request, none while the stream is live; leaving
    // the page aborts the one in flight.
    let fetched = LocalResource::new(move || {
        let n = rounds.get();
        let call = (!live.get_untracked()).then(|| api::seat_map(&id, etag.get_value()));
        async move {
            match call {
                Some(call) => (n, call.await),
                None => (n, Ok(Fresh::Unchanged)),
            }
        }
    });
    Effect::new(move || {
        let Some((n, result)) = fetched.get() else {
            return;
        };
        if handled.get_value() == Some(n) {
            return;
        }
        handled.set_value(Some(n));
        let wait = match result {
            Ok(Fresh::Changed(map, tag)) => {
                etag.set_value(tag);
                // While the stream delivers, it is newer than any poll (a
                // poll may come from a cache or another instance).
                if !live.get_untracked() {
                    board.apply(&map);
                }
                if layout.with_untracked(Option::is_none) {
                    layout.set(Some(map));
                }
                error.set(None);
                POLL_EVERY
            }
            Ok(Fresh::Unchanged) => {
                error.set(None);
                POLL_EVERY
            }
            Err(e) => {
                error.set(Some(e));
                RETRY_AFTER
            }
        };
        rounds.next_in(wait);
    });
    // After the user's own booking: at once (the stream, when live, brings
    // the change anyway).
    let refresh = Callback::new(move |()| rounds.next_in(Duration::ZERO));
    (refresh, error)
}
