//! The shows, to create and edit, with their performances.

use leptos::prelude::*;
use shared::{Show, ShowQuery};

use crate::api;
use crate::components::PagedList;
use crate::i18n::use_i18n;

#[component]
pub fn AdminShowsPage() -> impl IntoView {
    let i18n = use_i18n();
    let fetch = move |cursor: Option<String>| {
        api::list_shows(&ShowQuery {
            limit: Some(100),
            cursor,
            ..Default::default()
        })
    };
    let render = move |shows: Vec<Show>| {
        view! {
            <table class="list" id="admin-shows">
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t().show_title_label}</th>
                        <th scope="col">{move || i18n.t().location}</th>
                        <th scope="col" class="number">{move || i18n.t().running_time}</th>
                        <th scope="col" class="number">{move || i18n.t().status}</th>
                        <th scope="col"><span class="sr-only">{move || i18n.t().actions}</span></th>
                    </tr>
                </thead>
                <tbody>
                    {shows.into_iter().map(|show| {
                        let seats = show.availability;
                        let title = StoredValue::new(show.title.clone());
                        view! {
                            <tr data-show=show.title.clone()>
                                <td><a href=format!("/shows/{}", show.id)>{show.title.clone()}</a></td>
                                <td>{show.location.clone()}</td>
                                <td class="number">{move || (i18n.t().minutes)(show.running_minutes)}</td>
                                <td class="number">{move || (i18n.t().seats_sold)(seats.booked_seats, seats.total_seats)}</td>
                                <td class="row-actions">
                                    <a class="button secondary" href=format!("/admin/shows/{}", show.id)
                                        aria-label=move || format!("{} {}", i18n.t().edit, title.get_value())>
                                        {move || i18n.t().edit}
                                    </a>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        }
    };
    view! {
        <div class="section-head">
            <h2>{move || i18n.t().admin_shows}</h2>
            <a class="button primary" href="/admin/shows/new" id="new-show">{move || i18n.t().new_show}</a>
        </div>
        <div class="card flush">
            <PagedList fetch render empty=Signal::derive(move || i18n.t().no_shows) />
        </div>
    }
}
