//! One show: its poster and description, and its performances with dates,
//! venues, prices and remaining seats, each linking to its seat map.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use shared::{Performance, ShowDetail, ShowId};

use crate::api;
use crate::components::{Loading, error_fallback};
use crate::i18n::use_i18n;
use crate::numbers;
use crate::pages::shows::Poster;
use crate::time;

#[component]
pub fn ShowPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || ShowId(params.with(|p| p.get("id").unwrap_or_default()));
    let show = LocalResource::new(move || api::get_show(&id()));
    view! {
        <Transition fallback=Loading>
            <ErrorBoundary fallback=error_fallback>
                {move || show.get().map(|r| r.map(|detail| view! { <ShowView detail /> }))}
            </ErrorBoundary>
        </Transition>
    }
}

/// "R 120,000 points · S 90,000 points", dearest first as box offices list them.
pub fn price_list(performance: &Performance, lang: crate::i18n::Lang) -> String {
    let mut prices: Vec<(&String, &u32)> = performance.prices.iter().collect();
    prices.sort_by_key(|(tier, price)| (std::cmp::Reverse(**price), (*tier).clone()));
    prices
        .into_iter()
        .map(|(tier, price)| {
            (lang.texts().tier_price)(tier, &numbers::points((*price).into(), lang))
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

#[component]
fn ShowView(detail: ShowDetail) -> impl IntoView {
    let i18n = use_i18n();
    let show = detail.show;
    let running = show.running_minutes;
    let booked = show.booked_by_me == Some(true);
    let performances = detail.performances;
    let empty = performances.is_empty();
    // One zone for every date is said once; several are named on each date.
    let first = performances
        .first()
        .map(|p| (p.time_zone.clone(), p.starts_at));
    let one_zone = performances
        .iter()
        .all(|p| Some(&p.time_zone) == first.as_ref().map(|(z, _)| z));
    let zone_hint = move || match &first {
        Some((zone, at)) if one_zone => Some((i18n.t().times_at_venue)(&time::zone_label(
            zone,
            *at,
            i18n.lang(),
        ))),
        Some(_) => Some(i18n.t().times_at_venues.to_owned()),
        None => None,
    };
    let show_id = show.id.clone();
    view! {
        <nav class="crumbs"><a href="/shows">{move || i18n.t().nav_shows}</a> " / "</nav>
        <article class="show-head">
            <div class="poster"><Poster url=show.poster_url.clone() /></div>
            <div class="show-about">
                <h1 id="show-title">{show.title.clone()}</h1>
                <p class="muted">{show.location.clone()}</p>
                <dl class="facts">
                    <div>
                        <dt>{move || i18n.t().running_time}</dt>
                        <dd>{move || (i18n.t().minutes)(running)}</dd>
                    </div>
                    {show.min_price.map(|p| view! {
                        <div>
                            <dt>{move || i18n.t().prices}</dt>
                            <dd>{move || (i18n.t().price_from)(&numbers::points(p.into(), i18n.lang()))}</dd>
                        </div>
                    })}
                </dl>
                {booked.then(|| view! { <p class="notice info" id="booked-this">{move || i18n.t().you_booked_this}</p> })}
                {(!show.description.is_empty()).then(|| view! { <p class="description">{show.description.clone()}</p> })}
            </div>
        </article>
        <section aria-labelledby="performances-title">
            <h2 id="performances-title">{move || i18n.t().performances}</h2>
            <p class="hint" id="performances-zone">{zone_hint}</p>
            {empty.then(|| view! { <p class="empty">{move || i18n.t().no_performances}</p> })}
            <ul class="performances" id="performances">
                {performances.into_iter().map(|p| {
                    view! { <PerformanceItem show_id=show_id.clone() p name_zone=!one_zone /> }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// One date; its times are in its venue's zone, named when `name_zone`.
#[component]
fn PerformanceItem(show_id: ShowId, p: Performance, name_zone: bool) -> impl IntoView {
    let i18n = use_i18n();
    let now = time::now();
    let started = p.starts_at <= now;
    let not_yet = (p.sale_opens_at > now).then_some(p.sale_opens_at);
    let availability = p.availability;
    let cancelled = p.cancelled_at.is_some();
    let reason = p.cancel_reason.clone().filter(|r| !r.is_empty());
    let href = format!("/shows/{show_id}/performances/{}", p.id);
    let starts_at = p.starts_at;
    let zone = p.time_zone.clone();
    let when_zone = zone.clone();
    let when = move || {
        if name_zone {
            time::format_occasion_zoned(starts_at, &when_zone, i18n.lang())
        } else {
            time::format_occasion(starts_at, &when_zone, i18n.lang())
        }
    };
    let prices = StoredValue::new(p.clone());
    view! {
        <li class="performance card" data-performance=p.id.0.clone()>
            <div class="when">
                <strong>{when}</strong>
                <span class="muted">{p.venue_name.clone()}</span>
            </div>
            <div class="prices">{move || prices.with_value(|p| price_list(p, i18n.lang()))}</div>
            <div class="availability">
                {if cancelled {
                    view! { <span class="badge sold-out cancelled">{move || i18n.t().performance_cancelled}</span> }.into_any()
                } else if availability.sold_out {
                    view! { <span class="badge sold-out">{move || i18n.t().sold_out}</span> }.into_any()
                } else {
                    view! { <span class="remaining">{move || (i18n.t().seats_left)(availability.remaining_seats, availability.total_seats)}</span> }.into_any()
                }}
            </div>
            <div class="go">
                {match (started || cancelled, not_yet) {
                    (true, _) if cancelled => view! {
                        <span class="muted cancel-reason">{reason.clone().unwrap_or_else(|| i18n.t().performance_cancelled_refunded.to_owned())}</span>
                    }.into_any(),
                    (true, _) => view! { <span class="muted">{move || i18n.t().started}</span> }.into_any(),
                    (false, Some(opens)) => view! {
                        <span class="chip warn">{move || (i18n.t().on_sale_from)(&time::format_occasion(opens, &zone, i18n.lang()))}</span>
                    }.into_any(),
                    (false, None) => view! {
                        <a class="button primary choose" href=href>{move || i18n.t().choose_seats}</a>
                    }.into_any(),
                }}
            </div>
        </li>
    }
}
