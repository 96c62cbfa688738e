//! The booking form. Times are picked in the room's own time zone, on its
//! slot grid, and sent as RFC 3339 with that zone's offset at that moment.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Timelike};
use leptos::prelude::*;
use shared::{BusyQuery, BusyRange, CreateReservation, ErrorCode, Limits, Reservation, Room};

use crate::api::{self, ApiError};
use crate::components::{ErrorNotice, FieldError, invalid};
use crate::i18n::{Texts, status_label, use_i18n};
use crate::limits::use_limits;
use crate::time;

/// A sensible first suggestion: the next full hour today, else 09:00 tomorrow.
fn suggested(zone: &str) -> (NaiveDate, u32) {
    let now = time::to_zone(time::now(), zone);
    match now {
        Some(now) => {
            let next_hour = (now.hour() + 1) * 60;
            if next_hour + 60 <= 1440 {
                (now.date(), next_hour)
            } else {
                (now.date() + Duration::days(1), 9 * 60)
            }
        }
        None => (time::now().date_naive(), 9 * 60),
    }
}

/// A length of time in words, e.g. "12 hours" or "1 h 30 min".
fn span(t: &Texts, minutes: i64) -> String {
    (t.span)(minutes / 60, minutes % 60)
}

/// What the form holds, resolved to instants (or the field that is wrong).
/// With the server's limits known, a reservation too long or too far
/// ahead is named here, before the API would refuse it.
fn resolve(
    t: &Texts,
    zone: &str,
    limits: Option<Limits>,
    date: &str,
    start: u32,
    end: u32,
) -> Result<(DateTime<FixedOffset>, DateTime<FixedOffset>), ApiError> {
    let date: NaiveDate = date
        .parse()
        .map_err(|_| ApiError::local("date", t.err_invalid))?;
    if end <= start {
        return Err(ApiError::local("end", t.end_after_start));
    }
    let at = |minutes, field| {
        time::from_zone(time::at_minutes(date, minutes), zone)
            .ok_or_else(|| ApiError::local(field, t.bad_local_time))
    };
    let (from, to) = (at(start, "start")?, at(end, "end")?);
    if let Some(limits) = limits {
        if from.to_utc() > time::now() + Duration::days(limits.max_days_ahead) {
            return Err(ApiError::local(
                "date",
                (t.too_far_ahead)(limits.max_days_ahead),
            ));
        }
        if (to - from).num_minutes() > limits.max_reservation_minutes {
            return Err(ApiError::local(
                "end",
                (t.too_long)(&span(t, limits.max_reservation_minutes)),
            ));
        }
    }
    Ok((from, to))
}

#[component]
pub fn BookingForm(room: Room, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let limits = use_limits();
    let zone = StoredValue::new(room.time_zone.clone());
    let slot = room.slot_minutes.max(5);
    let (first_date, first_start) = suggested(&room.time_zone);
    let date = RwSignal::new(first_date.to_string());
    let start = RwSignal::new(first_start);
    let end = RwSignal::new(first_start + 60);
    let purpose = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let booked = RwSignal::new(None::<Reservation>);
    // The answer of "Check availability": what is in the way, if anything.
    let free = RwSignal::new(None::<Vec<BusyRange>>);
    let room = StoredValue::new(room);

    let book = Action::new_local(|body: &CreateReservation| api::create_reservation(body));
    Effect::new(move || match book.value().get() {
        Some(Ok(reservation)) => {
            error.set(None);
            booked.set(Some(reservation));
            free.set(None);
            purpose.set(String::new());
            version.update(|v| *v += 1);
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let check = Action::new_local(
        move |(from, to): &(DateTime<FixedOffset>, DateTime<FixedOffset>)| {
            let query = BusyQuery {
                from: *from,
                to: *to,
            };
            room.with_value(|r| api::room_busy(&r.id, &query))
        },
    );
    Effect::new(move || match check.value().get() {
        Some(Ok(in_the_way)) => free.set(Some(in_the_way)),
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    // A new choice of time makes the last answer stale.
    Effect::new(move || {
        date.track();
        start.track();
        end.track();
        free.set(None);
    });

    let current = move || {
        resolve(
            i18n.t(),
            &zone.get_value(),
            limits.get(),
            &date.get_untracked(),
            start.get_untracked(),
            end.get_untracked(),
        )
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        booked.set(None);
        let text = purpose.get_untracked();
        if text.trim().is_empty() {
            return error.set(Some(ApiError::local("purpose", i18n.t().purpose_required)));
        }
        match current() {
            Ok((from, to)) => {
                error.set(None);
                book.dispatch(CreateReservation {
                    room_id: room.with_value(|r| r.id.clone()),
                    start: from,
                    end: to,
                    purpose: text,
                });
            }
            Err(e) => error.set(Some(e)),
        }
    };
    let check_free = move |_| match current() {
        Ok(range) => {
            error.set(None);
            check.dispatch(range);
        }
        Err(e) => error.set(Some(e)),
    };

    let err = Signal::derive(move || error.get());
    let conflict = move || error.get().filter(|e| e.code == Some(ErrorCode::SlotTaken));
    let general = move || {
        error.get().filter(|e| {
            e.code != Some(ErrorCode::SlotTaken)
                && !matches!(
                    e.field.as_deref(),
                    Some("date" | "start" | "end" | "purpose")
                )
        })
    };
    let options = move |from: u32, to: u32| {
        (from..=to)
            .step_by(slot as usize)
            .map(|m| view! { <option value=m.to_string()>{time::hhmm(m)}</option> })
            .collect_view()
    };
    // Ranges in the room's zone, in the chosen language.
    let ranges =
        move |list: &[(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)]| {
            let zone = zone.get_value();
            list.iter()
                .map(|(start, end)| time::format_range(*start, *end, &zone, i18n.lang()))
                .collect::<Vec<_>>()
                .join(", ")
        };
    let zone_label = move || time::zone_label(&zone.get_value(), time::now(), i18n.lang());
    let last_date = move || {
        limits
            .get()
            .map(|l| (first_date + Duration::days(l.max_days_ahead)).to_string())
    };
    let limits_hint = move || {
        limits.get().map(|l| {
            let t = i18n.t();
            (t.booking_limits)(&span(t, l.max_reservation_minutes), l.max_days_ahead)
        })
    };

    view! {
        <form id="booking-form" on:submit=submit novalidate>
            <fieldset class="times" aria-describedby="times-hint limits-hint times-error">
                <legend class="sr-only">{move || i18n.t().when}</legend>
                <div class="field">
                    <label for="book-date">{move || i18n.t().date}</label>
                    <input id="book-date" type="date" required prop:value=move || date.get()
                        min=first_date.to_string() max=last_date aria-invalid=invalid(err, "date")
                        on:change=move |ev| date.set(event_target_value(&ev)) />
                    <FieldError error=err field="date" />
                </div>
                <div class="pair">
                    <div class="field">
                        <label for="book-start">{move || i18n.t().start}</label>
                        <select id="book-start" prop:value=move || start.get().to_string()
                            aria-invalid=invalid(err, "start")
                            on:change=move |ev| {
                                let m: u32 = event_target_value(&ev).parse().unwrap_or(0);
                                start.set(m);
                                if end.get_untracked() <= m { end.set((m + 60).min(1440)); }
                            }>
                            {options(0, 1440 - slot)}
                        </select>
                    </div>
                    <div class="field">
                        <label for="book-end">{move || i18n.t().end}</label>
                        <select id="book-end" prop:value=move || end.get().to_string()
                            aria-invalid=invalid(err, "end")
                            on:change=move |ev| end.set(event_target_value(&ev).parse().unwrap_or(0))>
                            {options(slot, 1440)}
                        </select>
                    </div>
                </div>
                <FieldError error=err field="start" />
                <FieldError error=err field="end" />
                <p class="hint" id="times-hint">{move || (i18n.t().times_in_zone)(&zone_label())}</p>
                <p class="hint" id="limits-hint">{limits_hint}</p>
                <div id="times-error" aria-live="polite">
                    {move || conflict().map(|error| match error.conflict {
                        Some(range) => view! {
                            <div class="notice error" role="alert" id="conflict">
                                <strong>{move || (i18n.t().slot_taken_at)(&ranges(&[(range.start, range.end)]))}</strong>
                            </div>
                        }.into_any(),
                        None => view! { <ErrorNotice error id="conflict" /> }.into_any(),
                    })}
                    {move || free.get().map(|in_the_way| {
                        let is_free = in_the_way.is_empty();
                        let taken: Vec<_> = in_the_way.iter().map(|b| (b.start, b.end)).collect();
                        view! {
                            <p class=if is_free { "notice success" } else { "notice warn" } id="free-result" role="status">
                                {move || if is_free { i18n.t().is_free.to_owned() } else { (i18n.t().is_not_free)(&ranges(&taken)) }}
                            </p>
                        }
                    })}
                </div>
                <button type="button" class="secondary" id="check-free" on:click=check_free
                    disabled=move || check.pending().get()>
                    {move || i18n.t().check_free}
                </button>
            </fieldset>
            <div class="field">
                <label for="book-purpose">{move || i18n.t().purpose}</label>
                <input id="book-purpose" maxlength="200" required bind:value=purpose
                    placeholder=move || i18n.t().purpose_hint aria-invalid=invalid(err, "purpose")
                    aria-describedby="purpose-error" />
                <FieldError error=err field="purpose" />
            </div>
            {move || general().map(|error| view! { <ErrorNotice error /> })}
            {move || booked.get().map(|r| {
                let zone = zone.get_value();
                view! {
                    <p class="notice success" role="status" id="booked">
                        {move || (i18n.t().booked)(&time::format_range(r.start, r.end, &zone, i18n.lang()), status_label(i18n.t(), r.status))}
                    </p>
                }
            })}
            <button type="submit" class="primary" id="book-submit" disabled=move || book.pending().get()>
                {move || if book.pending().get() { i18n.t().booking } else { i18n.t().book }}
            </button>
        </form>
    }
}
