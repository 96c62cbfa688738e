//! One room: its details, a day or week schedule, and the booking form.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use shared::{Room, RoomId};

use crate::api;
use crate::components::{Loading, error_fallback};
use crate::i18n::use_i18n;
use crate::pages::booking::BookingForm;
use crate::pages::timeline::Timeline;
use crate::session::use_session;

#[component]
pub fn RoomPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || RoomId(params.with(|p| p.get("id").unwrap_or_default()));
    let room = LocalResource::new(move || api::get_room(&id()));
    view! {
        <Transition fallback=Loading>
            <ErrorBoundary fallback=error_fallback>
                {move || room.get().map(|r| r.map(|room| view! { <RoomView room /> }))}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn RoomView(room: Room) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    // Bumped after a booking so the schedule shows it.
    let version = RwSignal::new(0u32);
    let room = StoredValue::new(room);
    let r = room.get_value();
    let capacity = r.capacity;
    let slot = r.slot_minutes;
    view! {
        <nav class="crumbs"><a href="/">{move || i18n.t().nav_rooms}</a> " / "</nav>
        <header class="room-head">
            <h1 id="room-name">{r.name.clone()}</h1>
            <p class="muted">{r.location.clone()}</p>
            <dl class="facts" aria-label=move || i18n.t().room_details>
                <div><dt>{move || i18n.t().capacity}</dt><dd>{move || (i18n.t().people)(capacity)}</dd></div>
                <div>
                    <dt>{move || i18n.t().projector}</dt>
                    <dd>{move || if r.has_projector { i18n.t().projector_yes } else { i18n.t().projector_no }}</dd>
                </div>
                <div><dt>{move || i18n.t().time_zone}</dt><dd>{r.time_zone.clone()}</dd></div>
                <div><dt>{move || i18n.t().slot_size}</dt><dd>{move || (i18n.t().minutes)(slot)}</dd></div>
                {r.requires_approval.then(|| view! {
                    <div><dt class="sr-only">{move || i18n.t().needs_approval}</dt>
                    <dd><span class="chip warn">{move || i18n.t().needs_approval}</span></dd></div>
                })}
            </dl>
            {(!r.notes.is_empty()).then(|| view! { <p class="notes">{r.notes.clone()}</p> })}
        </header>
        <div class="room-layout">
            <section class="card" aria-labelledby="schedule-title">
                <h2 id="schedule-title">{move || i18n.t().timeline_title}</h2>
                <Timeline room=room.get_value() version />
            </section>
            <section class="card booking" aria-labelledby="book-title">
                <h2 id="book-title">{move || i18n.t().book_title}</h2>
                {move || {
                    if session.user().is_some() {
                        view! { <BookingForm room=room.get_value() version /> }.into_any()
                    } else {
                        let next = js_sys::encode_uri_component(&format!("/rooms/{}", room.with_value(|r| r.id.clone())));
                        view! {
                            <p>{move || i18n.t().book_login}</p>
                            <a class="button primary" id="book-login" href=format!("/login?next={next}")>
                                {move || i18n.t().log_in}
                            </a>
                        }.into_any()
                    }
                }}
            </section>
        </div>
    }
}
