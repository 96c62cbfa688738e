//! The show list: newest or most popular first, with what each costs and
//! how many seats remain.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use shared::{Show, ShowQuery, ShowSort};

use crate::api;
use crate::components::PagedList;
use crate::i18n::{Texts, use_i18n};
use crate::numbers;

#[component]
pub fn ShowsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    // The order lives in the address, so Back and a shared link keep it.
    let sort = Memo::new(move |_| match query.with(|q| q.get("sort")).as_deref() {
        Some("popular") => ShowSort::Popular,
        _ => ShowSort::Latest,
    });
    let fetch = move |cursor: Option<String>| {
        api::list_shows(&ShowQuery {
            sort: Some(sort.get()),
            limit: Some(24),
            cursor,
        })
    };
    let sort_link = move |which: ShowSort, key: &'static str, label: fn(&Texts) -> &'static str| {
        view! {
            <a href=format!("/shows?sort={key}") id=format!("sort-{key}")
                aria-current=move || (sort.get() == which).then_some("true")>
                {move || label(i18n.t())}
            </a>
        }
    };
    view! {
        <div class="section-head">
            <h1>{move || i18n.t().shows_title}</h1>
            <nav class="segmented" aria-label=move || i18n.t().sort_by>
                {sort_link(ShowSort::Latest, "latest", |t| t.sort_latest)}
                {sort_link(ShowSort::Popular, "popular", |t| t.sort_popular)}
            </nav>
        </div>
        <PagedList fetch render=show_cards empty=Signal::derive(move || i18n.t().no_shows) />
    }
}

fn show_cards(shows: Vec<Show>) -> impl IntoView {
    view! {
        <ul class="show-grid" id="show-list">
            {shows.into_iter().map(|show| view! { <ShowCard show /> }).collect_view()}
        </ul>
    }
}

#[component]
fn ShowCard(show: Show) -> impl IntoView {
    let i18n = use_i18n();
    let href = format!("/shows/{}", show.id);
    let availability = show.availability;
    let min_price = show.min_price;
    let booked = show.booked_by_me == Some(true);
    let title = show.title.clone();
    view! {
        <li class="show-card" data-show=show.id.0.clone() data-sold-out=availability.sold_out.to_string()>
            <a class="poster" href=href.clone() tabindex="-1" aria-hidden="true">
                <Poster url=show.poster_url.clone() />
            </a>
            <div class="show-body">
                <h2><a href=href>{show.title.clone()}</a></h2>
                <p class="muted">{show.location.clone()}</p>
                <p class="badges">
                    {availability.sold_out.then(|| view! { <span class="badge sold-out">{move || i18n.t().sold_out}</span> })}
                    {booked.then(|| view! { <span class="badge booked">{move || i18n.t().booked_badge}</span> })}
                </p>
                {min_price.map(|p| view! {
                    <p class="price">{move || (i18n.t().price_from)(&numbers::points(p.into(), i18n.lang()))}</p>
                })}
                <p class="remaining muted">
                    {move || (i18n.t().seats_left)(availability.remaining_seats, availability.total_seats)}
                </p>
                <a class="button secondary" href=format!("/shows/{}", show.id)
                    aria-label=move || format!("{} — {}", i18n.t().view_show, title)>
                    {move || i18n.t().view_show}
                </a>
            </div>
        </li>
    }
}

/// A show's poster, or a plain tile when it has none.
#[component]
pub fn Poster(url: String) -> impl IntoView {
    if url.is_empty() {
        view! { <span class="poster-blank"></span> }.into_any()
    } else {
        view! { <img src=url alt="" loading="lazy" width="300" height="420" /> }.into_any()
    }
}
