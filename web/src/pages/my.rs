//! The caller's reservations: upcoming and past, with cancelling.

use leptos::prelude::*;
use shared::{Reservation, ReservationQuery, SortOrder};

use crate::api;
use crate::components::{ErrorNotice, PagedList, StatusBadge, When, WhenTabs};
use crate::i18n::use_i18n;
use crate::session::RequireUser;
use crate::time;

#[component]
pub fn MyReservationsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h1>{move || i18n.t().my_title}</h1>
        <RequireUser>
            <MyReservations />
        </RequireUser>
    }
}

#[component]
fn MyReservations() -> impl IntoView {
    let i18n = use_i18n();
    let tab = RwSignal::new(When::Upcoming);
    let version = RwSignal::new(0u32);
    let fetch = move |cursor: Option<String>| {
        version.track();
        let now = time::now().fixed_offset();
        let query = match tab.get() {
            When::Upcoming => ReservationQuery {
                from: Some(now),
                order: Some(SortOrder::Asc),
                ..Default::default()
            },
            When::Past => ReservationQuery {
                ends_before: Some(now),
                order: Some(SortOrder::Desc),
                ..Default::default()
            },
        };
        api::list_reservations(&ReservationQuery {
            cursor,
            limit: Some(50),
            ..query
        })
    };
    let render = move |items: Vec<Reservation>| view! { <ReservationTable items version /> };
    let empty = Signal::derive(move || match tab.get() {
        When::Upcoming => i18n.t().no_upcoming,
        When::Past => i18n.t().no_past,
    });
    view! {
        <WhenTabs tab upcoming=|t| t.upcoming past=|t| t.past />
        <div role="tabpanel" class="card flush">
            <PagedList fetch render empty />
        </div>
    }
}

#[component]
fn ReservationTable(items: Vec<Reservation>, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <table class="list" id="my-reservations">
            <thead>
                <tr>
                    <th scope="col">{move || i18n.t().room}</th>
                    <th scope="col">{move || i18n.t().when}</th>
                    <th scope="col">{move || i18n.t().purpose}</th>
                    <th scope="col">{move || i18n.t().status}</th>
                    <th scope="col"><span class="sr-only">{move || i18n.t().actions}</span></th>
                </tr>
            </thead>
            <tbody>
                {items.into_iter().map(|r| view! { <Row r version /> }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn Row(r: Reservation, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let confirming = RwSignal::new(false);
    let cancellable = r.status.holds_slots() && r.end > time::now();
    let id = r.id.clone();
    let cancel = Action::new_local(move |_: &()| api::cancel_reservation(&id));
    Effect::new(move || {
        if let Some(Ok(_)) = cancel.value().get() {
            version.update(|v| *v += 1);
        }
    });
    let error = move || cancel.value().get().and_then(Result::err);
    let zone = r.time_zone.clone();
    let when = move || time::format_range_zoned(r.start, r.end, &zone, i18n.lang());
    let keep_ref = NodeRef::<leptos::html::Button>::new();
    Effect::new(move || {
        if let Some(button) = keep_ref.get() {
            let _ = button.focus();
        }
    });
    view! {
        <tr data-reservation=r.id.0.clone() data-status=r.status.as_str()>
            <td><a href=format!("/rooms/{}", r.room_id)>{r.room_name.clone()}</a></td>
            <td>{when}</td>
            <td>{r.purpose.clone()}</td>
            <td><StatusBadge status=r.status /></td>
            <td class="row-actions">
                {cancellable.then(|| view! {
                    <Show when=move || confirming.get() fallback=move || view! {
                        <button type="button" class="secondary danger cancel" on:click=move |_| confirming.set(true)>
                            {move || i18n.t().cancel}
                        </button>
                    }>
                        <div class="confirm" role="group">
                            <span>{move || i18n.t().cancel_confirm}</span>
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
                })}
                {move || error().map(|error| view! { <ErrorNotice error /> })}
            </td>
        </tr>
    }
}
