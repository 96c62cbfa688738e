//! A show's performances in the admin: each with its sales and a way to
//! cancel it (every booking refunded), and a form to add one in a venue,
//! its times typed in the venue's own time zone.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use leptos::prelude::*;
use shared::{CancelPerformance, CreatePerformance, Performance, ShowId, Venue};

use crate::api::{self, ApiError};
use crate::components::{ErrorNotice, FieldError, MaybeError, invalid};
use crate::i18n::use_i18n;
use crate::{numbers, time};

#[component]
pub fn Performances(
    show: ShowId,
    performances: Vec<Performance>,
    version: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let empty = performances.is_empty();
    view! {
        <section class="card" aria-labelledby="admin-performances-title">
            <h3 id="admin-performances-title">{move || i18n.t().performances}</h3>
            {empty.then(|| view! { <p class="empty">{move || i18n.t().no_performances_yet}</p> })}
            <ul class="admin-performances" id="admin-performances">
                {performances.into_iter().map(|p| view! { <PerformanceRow p /> }).collect_view()}
            </ul>
        </section>
        <NewPerformance show version />
    }
}

#[component]
fn PerformanceRow(p: Performance) -> impl IntoView {
    let i18n = use_i18n();
    let confirming = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let id = p.id.clone();
    let cancel =
        Action::new_local(move |body: &CancelPerformance| api::cancel_performance(&id, body));
    let (starts_at, zone) = (p.starts_at, p.time_zone.clone());
    let when = move || time::format_occasion_zoned(starts_at, &zone, i18n.lang());
    let seats = p.availability;
    let cancelled = p.cancelled_at.is_some();
    let error = move || cancel.value().get().and_then(Result::err);
    let done = move || cancel.value().get().and_then(Result::ok);
    let reason_id = StoredValue::new(format!("cancel-reason-{}", p.id));
    view! {
        <li data-performance=p.id.0.clone() class:cancelled=cancelled>
            <div class="when">
                <strong>{when}</strong>
                <span class="muted">{p.venue_name.clone()}</span>
            </div>
            <span class="sales">{move || (i18n.t().seats_sold)(seats.booked_seats, seats.total_seats)}</span>
            {if cancelled {
                let why = p.cancel_reason.clone().unwrap_or_default();
                view! {
                    <span class="badge sold-out">{move || i18n.t().performance_cancelled}</span>
                    <span class="muted">{why}</span>
                }.into_any()
            } else {
                view! {
                    <Show when=move || done().is_none() fallback=move || view! {
                        <span class="badge sold-out">{move || i18n.t().performance_cancelled}</span>
                    }>
                    <Show when=move || confirming.get() fallback=move || view! {
                        <button type="button" class="secondary danger cancel-performance"
                            on:click=move |_| confirming.set(true)>
                            {move || i18n.t().cancel_performance}
                        </button>
                    }>
                        <span class="confirm" role="group">
                            <label for=reason_id.get_value()>{move || i18n.t().cancel_reason}</label>
                            <input id=reason_id.get_value() class="cancel-reason" maxlength="500" prop:value=move || reason.get()
                                on:input=move |ev| reason.set(event_target_value(&ev)) />
                            <button type="button" class="danger confirm-cancel" disabled=move || cancel.pending().get()
                                on:click=move |_| { cancel.dispatch(CancelPerformance { reason: reason.get_untracked() }); }>
                                {move || i18n.t().cancel_performance_yes}
                            </button>
                            <button type="button" class="secondary" on:click=move |_| confirming.set(false)>
                                {move || i18n.t().cancel_keep}
                            </button>
                        </span>
                    </Show>
                    </Show>
                }.into_any()
            }}
            {move || done().map(|d| view! {
                <p class="notice success cancel-summary" role="status">
                    {(i18n.t().cancelled_summary)(
                        d.bookings_cancelled,
                        &numbers::points(i64::try_from(d.points_refunded).unwrap_or(i64::MAX), i18n.lang()),
                        d.bookings_left,
                    )}
                </p>
            })}
            {move || error().map(|error| view! { <ErrorNotice error /> })}
        </li>
    }
}

/// The add-a-performance form's fields, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
struct Draft {
    venue: Option<Venue>,
    starts: String,
    sale_opens: String,
    prices: BTreeMap<String, String>,
}

fn local(text: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M").ok()
}

impl Draft {
    fn to_body(&self, t: &crate::i18n::Texts) -> Result<CreatePerformance, ApiError> {
        let venue = self
            .venue
            .as_ref()
            .ok_or_else(|| ApiError::local("venue_id", t.venue_missing))?;
        let at = |text: &str, field: &str| {
            local(text)
                .and_then(|l| time::from_zone(l, &venue.time_zone))
                .ok_or_else(|| ApiError::local(field, t.start_missing))
        };
        let starts_at = at(&self.starts, "starts_at")?;
        let sale_opens_at = match self.sale_opens.trim() {
            "" => None,
            text => Some(at(text, "sale_opens_at")?),
        };
        let mut prices = BTreeMap::new();
        for tier in &venue.tiers {
            let price = self
                .prices
                .get(tier)
                .and_then(|p| p.trim().parse().ok())
                .ok_or_else(|| ApiError::local("prices", t.price_missing))?;
            prices.insert(tier.clone(), price);
        }
        Ok(CreatePerformance {
            venue_id: venue.id.clone(),
            starts_at,
            prices,
            sale_opens_at,
        })
    }
}

#[component]
fn NewPerformance(show: ShowId, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let venues = LocalResource::new(api::list_venues);
    let draft = RwSignal::new(Draft::default());
    let error = RwSignal::new(None::<ApiError>);
    let add =
        Action::new_local(move |body: &CreatePerformance| api::create_performance(&show, body));
    Effect::new(move || match add.value().get() {
        Some(Ok(_)) => version.update(|v| *v += 1),
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match draft.get_untracked().to_body(i18n.t()) {
            Ok(body) => {
                error.set(None);
                add.dispatch(body);
            }
            Err(e) => error.set(Some(e)),
        }
    };
    let pick = move |id: String| {
        let venue = venues
            .get_untracked()
            .and_then(Result::ok)
            .and_then(|all| all.into_iter().find(|v| v.id.0 == id));
        draft.update(|d| d.venue = venue);
    };
    let err = Signal::derive(move || error.get());
    let general = Signal::derive(move || error.get().filter(|e| e.field.is_none()));
    let zone = move || {
        draft.with(|d| {
            d.venue
                .as_ref()
                .map(|v| v.time_zone.clone())
                .unwrap_or_default()
        })
    };
    view! {
        <form class="card form-grid" id="performance-form" on:submit=submit novalidate>
            <h3 class="wide">{move || i18n.t().add_performance}</h3>
            <div class="field">
                <label for="performance-venue">{move || i18n.t().venue}</label>
                <select id="performance-venue" on:change=move |ev| pick(event_target_value(&ev))
                    aria-invalid=invalid(err, "venue_id") aria-describedby="venue_id-error">
                    <option value="">{move || i18n.t().choose_venue}</option>
                    {move || venues.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|v| view! {
                        <option value=v.id.0.clone()>{format!("{} ({})", v.name, v.time_zone)}</option>
                    }).collect_view()}
                </select>
                <FieldError error=err field="venue_id" />
            </div>
            <div class="field">
                <label for="performance-starts">{move || i18n.t().starts_local}</label>
                <input id="performance-starts" type="datetime-local" prop:value=move || draft.with(|d| d.starts.clone())
                    on:input=move |ev| draft.update(|d| d.starts = event_target_value(&ev))
                    aria-invalid=invalid(err, "starts_at") aria-describedby="performance-zone starts_at-error" />
                <p class="hint" id="performance-zone">{zone}</p>
                <FieldError error=err field="starts_at" />
            </div>
            <div class="field">
                <label for="performance-sale">{move || i18n.t().sale_opens_local}</label>
                <input id="performance-sale" type="datetime-local" prop:value=move || draft.with(|d| d.sale_opens.clone())
                    on:input=move |ev| draft.update(|d| d.sale_opens = event_target_value(&ev))
                    aria-invalid=invalid(err, "sale_opens_at") aria-describedby="sale_opens_at-error" />
                <FieldError error=err field="sale_opens_at" />
            </div>
            {move || draft.with(|d| d.venue.as_ref().map(|v| v.tiers.clone()).unwrap_or_default()).into_iter().map(|tier| {
                let input = format!("price-{tier}");
                let (get, set) = (tier.clone(), tier.clone());
                view! {
                    <div class="field">
                        <label for=input.clone()>{move || (i18n.t().tier_price_label)(&tier)}</label>
                        <input id=input type="number" min="0" class="tier-price"
                            prop:value=move || draft.with(|d| d.prices.get(&get).cloned().unwrap_or_default())
                            on:input=move |ev| { let value = event_target_value(&ev); draft.update(|d| { d.prices.insert(set.clone(), value); }); } />
                    </div>
                }
            }).collect_view()}
            <div class="wide"><FieldError error=err field="prices" /><MaybeError error=general /></div>
            <div class="actions wide">
                <button type="submit" class="primary" id="performance-add" disabled=move || add.pending().get()>
                    {move || if add.pending().get() { i18n.t().saving } else { i18n.t().add_performance }}
                </button>
            </div>
        </form>
    }
}
