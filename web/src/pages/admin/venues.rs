//! The venues, to create and redraw.

use leptos::prelude::*;
use shared::Venue;

use crate::api;
use crate::components::{Loading, error_fallback};
use crate::i18n::use_i18n;

#[component]
pub fn AdminVenuesPage() -> impl IntoView {
    let i18n = use_i18n();
    let venues = LocalResource::new(api::list_venues);
    let table = move |venues: Vec<Venue>| {
        if venues.is_empty() {
            return view! { <p class="empty">{move || i18n.t().no_venues}</p> }.into_any();
        }
        view! {
            <table class="list" id="admin-venues">
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t().name}</th>
                        <th scope="col">{move || i18n.t().location}</th>
                        <th scope="col">{move || i18n.t().row_tier_col}</th>
                        <th scope="col" class="number">{move || i18n.t().venue_seat_count}</th>
                        <th scope="col"><span class="sr-only">{move || i18n.t().actions}</span></th>
                    </tr>
                </thead>
                <tbody>
                    {venues.into_iter().map(|venue| {
                        let name = StoredValue::new(venue.name.clone());
                        view! {
                            <tr data-venue=venue.name.clone()>
                                <td>{venue.name.clone()}</td>
                                <td>{venue.location.clone()}</td>
                                <td>{venue.tiers.join(", ")}</td>
                                <td class="number">{venue.seat_count}</td>
                                <td class="row-actions">
                                    <a class="button secondary" href=format!("/admin/venues/{}", venue.id)
                                        aria-label=move || format!("{} {}", i18n.t().edit, name.get_value())>
                                        {move || i18n.t().edit}
                                    </a>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <div class="section-head">
            <h2>{move || i18n.t().admin_venues}</h2>
            <a class="button primary" href="/admin/venues/new" id="new-venue">{move || i18n.t().new_venue}</a>
        </div>
        <div class="card flush">
            <Transition fallback=Loading>
                <ErrorBoundary fallback=error_fallback>
                    {move || venues.get().map(|v| v.map(table))}
                </ErrorBoundary>
            </Transition>
        </div>
    }
}
