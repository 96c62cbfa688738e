//! The room list, with filters.

use chrono::{DateTime, FixedOffset, NaiveDateTime};
use leptos::prelude::*;
use shared::{Room, RoomQuery};

use crate::api::{self, ApiError};
use crate::components::{FieldError, MaybeError, PagedList};
use crate::i18n::{Texts, use_i18n};
use crate::time;

/// The filter form's raw text, turned into a query on "Search".
#[derive(Debug, Clone, Default, PartialEq)]
struct Filters {
    min_capacity: String,
    projector: String,
    location: String,
    from: String,
    to: String,
}

fn local_instant(
    text: &str,
    field: &str,
    zone: &str,
) -> Result<Option<DateTime<FixedOffset>>, ApiError> {
    if text.is_empty() {
        return Ok(None);
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .ok()
        .and_then(|local| time::from_zone(local, zone))
        .map(Some)
        .ok_or_else(|| ApiError::local(field, text.to_owned()))
}

impl Filters {
    /// The query to send, or the field to correct first.
    fn query(&self, zone: &str, t: &Texts) -> Result<RoomQuery, ApiError> {
        let min_capacity = match self.min_capacity.trim() {
            "" => None,
            n => Some(n.parse().map_err(|_| ApiError::local("min_capacity", n))?),
        };
        let from = local_instant(&self.from, "from", zone)?;
        let to = local_instant(&self.to, "to", zone)?;
        match (from, to) {
            (Some(_), None) => return Err(ApiError::local("to", t.free_needs_both)),
            (None, Some(_)) => return Err(ApiError::local("from", t.free_needs_both)),
            (Some(from), Some(to)) if to <= from => {
                return Err(ApiError::local("to", t.end_after_start));
            }
            _ => {}
        }
        Ok(RoomQuery {
            min_capacity,
            has_projector: match self.projector.as_str() {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            },
            location: Some(self.location.trim().to_owned()).filter(|l| !l.is_empty()),
            from,
            to,
            limit: Some(50),
            cursor: None,
        })
    }
}

#[component]
pub fn RoomsPage() -> impl IntoView {
    let i18n = use_i18n();
    let zone = StoredValue::new(time::browser_zone());
    let form = RwSignal::new(Filters::default());
    let applied = RwSignal::new(RoomQuery {
        limit: Some(50),
        ..Default::default()
    });
    let error = RwSignal::new(None::<ApiError>);
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match form.get_untracked().query(&zone.get_value(), i18n.t()) {
            Ok(query) => {
                error.set(None);
                applied.set(query);
            }
            Err(e) => error.set(Some(e)),
        }
    };
    let clear = move |_| {
        form.set(Filters::default());
        error.set(None);
        applied.set(RoomQuery {
            limit: Some(50),
            ..Default::default()
        });
    };
    let fetch = move |cursor: Option<String>| {
        api::list_rooms(&RoomQuery {
            cursor,
            ..applied.get()
        })
    };
    let text = move |get: fn(&Filters) -> &String| move || form.with(|f| get(f).clone());
    let error_signal = Signal::derive(move || error.get());
    let general = Signal::derive(move || {
        error
            .get()
            .filter(|e| !matches!(e.field.as_deref(), Some("min_capacity" | "from" | "to")))
    });

    view! {
        <h1>{move || i18n.t().rooms_title}</h1>
        <form class="filters card" id="room-filters" on:submit=search
            aria-label=move || i18n.t().filters>
            <div class="field">
                <label for="f-capacity">{move || i18n.t().min_capacity}</label>
                <input id="f-capacity" type="number" min="1" inputmode="numeric"
                    prop:value=text(|f| &f.min_capacity)
                    on:input=move |ev| form.update(|f| f.min_capacity = event_target_value(&ev)) />
                <FieldError error=error_signal field="min_capacity" />
            </div>
            <div class="field">
                <label for="f-projector">{move || i18n.t().projector}</label>
                <select id="f-projector" prop:value=text(|f| &f.projector)
                    on:change=move |ev| form.update(|f| f.projector = event_target_value(&ev))>
                    <option value="">{move || i18n.t().projector_any}</option>
                    <option value="yes">{move || i18n.t().projector_yes}</option>
                    <option value="no">{move || i18n.t().projector_no}</option>
                </select>
            </div>
            <div class="field">
                <label for="f-location">{move || i18n.t().location}</label>
                <input id="f-location" type="search" prop:value=text(|f| &f.location)
                    on:input=move |ev| form.update(|f| f.location = event_target_value(&ev)) />
            </div>
            <fieldset class="field free">
                <legend>{move || i18n.t().free_between}</legend>
                <div class="pair">
                    <label>
                        <span>{move || i18n.t().free_from}</span>
                        <input id="f-from" type="datetime-local" prop:value=text(|f| &f.from)
                            on:input=move |ev| form.update(|f| f.from = event_target_value(&ev)) />
                    </label>
                    <label>
                        <span>{move || i18n.t().free_to}</span>
                        <input id="f-to" type="datetime-local" prop:value=text(|f| &f.to)
                            on:input=move |ev| form.update(|f| f.to = event_target_value(&ev)) />
                    </label>
                </div>
                <p class="hint">{move || (i18n.t().free_hint)(&zone.get_value())}</p>
                <FieldError error=error_signal field="from" />
                <FieldError error=error_signal field="to" />
            </fieldset>
            <div class="actions">
                <button type="submit" class="primary">{move || i18n.t().apply}</button>
                <button type="button" class="secondary" on:click=clear>{move || i18n.t().clear}</button>
            </div>
        </form>
        <MaybeError error=general />
        <PagedList fetch render=room_cards empty=Signal::derive(move || i18n.t().no_rooms) />
    }
}

fn room_cards(rooms: Vec<Room>) -> impl IntoView {
    let i18n = use_i18n();
    let count = rooms.len();
    view! {
        <p class="muted count" role="status">{move || (i18n.t().rooms_count)(count)}</p>
        <ul class="room-grid" id="room-list">
            {rooms.into_iter().map(|room| view! { <RoomCard room /> }).collect_view()}
        </ul>
    }
}

#[component]
fn RoomCard(room: Room) -> impl IntoView {
    let i18n = use_i18n();
    let href = format!("/rooms/{}", room.id);
    let capacity = room.capacity;
    let name = room.name.clone();
    view! {
        <li class="room-card" data-room=room.name.clone()>
            <h2><a href=href.clone()>{room.name.clone()}</a></h2>
            <p class="muted">{room.location.clone()}</p>
            <p>
                <span class="chip">{move || (i18n.t().people)(capacity)}</span>
                {room.has_projector.then(|| view! { <span class="chip">{move || i18n.t().projector}</span> })}
                {room.requires_approval.then(|| view! { <span class="chip warn">{move || i18n.t().needs_approval}</span> })}
            </p>
            {(!room.notes.is_empty()).then(|| view! { <p class="notes">{room.notes.clone()}</p> })}
            <a class="button secondary" href=href aria-label=move || format!("{} — {}", i18n.t().view_room, name)>
                {move || i18n.t().view_room}
            </a>
        </li>
    }
}
