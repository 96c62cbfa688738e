//! Pending reservations of every user, oldest first, to approve or reject.

use leptos::prelude::*;
use shared::{Reservation, ReservationQuery, ReservationStatus};

use crate::api::{self, ApiError, Call};
use crate::components::{ErrorNotice, PagedList};
use crate::i18n::use_i18n;
use crate::time;

#[component]
pub fn ApprovalsPage() -> impl IntoView {
    let i18n = use_i18n();
    let version = RwSignal::new(0u32);
    let fetch = move |cursor: Option<String>| {
        version.track();
        api::list_reservations(&ReservationQuery {
            all: Some(true),
            status: Some(ReservationStatus::Pending),
            cursor,
            limit: Some(50),
            ..Default::default()
        })
    };
    let render = move |items: Vec<Reservation>| {
        view! {
            <ul class="queue" id="approvals">
                {items.into_iter().map(|r| view! { <Pending r /> }).collect_view()}
            </ul>
        }
    };
    view! {
        <h2>{move || i18n.t().approvals}</h2>
        <PagedList fetch render empty=Signal::derive(move || i18n.t().no_pending) />
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    Approve,
    Reject,
}

#[component]
fn Pending(r: Reservation) -> impl IntoView {
    let i18n = use_i18n();
    let id = r.id.clone();
    let decide = Action::new_local(move |d: &Decision| -> Call<Reservation> {
        match d {
            Decision::Approve => api::approve_reservation(&id),
            Decision::Reject => api::reject_reservation(&id),
        }
    });
    let done = move || decide.value().get().and_then(Result::ok);
    let error = move || {
        decide
            .value()
            .get()
            .and_then(|r: Result<Reservation, ApiError>| r.err())
    };
    let zone = r.time_zone.clone();
    let when = move || time::format_range_zoned(r.start, r.end, &zone, i18n.lang());
    view! {
        <li class="queue-item card" data-reservation=r.id.0.clone()>
            <div class="what">
                <strong>{r.room_name.clone()}</strong>
                <span>{when}</span>
                <span class="muted">{move || i18n.t().requested_by} ": " {r.user_name.clone()}</span>
                <span>{r.purpose.clone()}</span>
            </div>
            <div class="row-actions">
                {move || match done() {
                    Some(decided) => view! {
                        <p class="notice success" role="status">
                            {move || if decided.status == ReservationStatus::Approved { i18n.t().approved_msg } else { i18n.t().rejected_msg }}
                        </p>
                    }.into_any(),
                    None => view! {
                        <button type="button" class="primary approve" disabled=move || decide.pending().get()
                            on:click=move |_| { decide.dispatch(Decision::Approve); }>
                            {move || i18n.t().approve}
                        </button>
                        <button type="button" class="secondary danger reject" disabled=move || decide.pending().get()
                            on:click=move |_| { decide.dispatch(Decision::Reject); }>
                            {move || i18n.t().reject}
                        </button>
                    }.into_any(),
                }}
                {move || error().map(|error| view! { <ErrorNotice error /> })}
            </div>
        </li>
    }
}
