//! Creating and editing a room.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use shared::{CreateRoom, Room, RoomId, UpdateRoom};

use crate::api::{self, ApiError, Call};
use crate::components::{FieldError, Loading, MaybeError, error_fallback, invalid};
use crate::i18n::use_i18n;
use crate::time;

const SLOT_CHOICES: [u32; 6] = [5, 10, 15, 20, 30, 60];
const DEFAULT_ZONE: &str = "Asia/Seoul";

/// The form's fields, as typed.
#[derive(Debug, Clone, PartialEq)]
struct Draft {
    name: String,
    location: String,
    capacity: String,
    has_projector: bool,
    notes: String,
    time_zone: String,
    requires_approval: bool,
    slot_minutes: u32,
}

impl Draft {
    fn new() -> Self {
        Self {
            name: String::new(),
            location: String::new(),
            capacity: "10".into(),
            has_projector: false,
            notes: String::new(),
            time_zone: DEFAULT_ZONE.into(),
            requires_approval: false,
            slot_minutes: 15,
        }
    }

    fn of(room: &Room) -> Self {
        Self {
            name: room.name.clone(),
            location: room.location.clone(),
            capacity: room.capacity.to_string(),
            has_projector: room.has_projector,
            notes: room.notes.clone(),
            time_zone: room.time_zone.clone(),
            requires_approval: room.requires_approval,
            slot_minutes: room.slot_minutes,
        }
    }

    fn to_create(&self, unknown_zone: &str) -> Result<CreateRoom, ApiError> {
        let capacity = self
            .capacity
            .trim()
            .parse()
            .map_err(|_| ApiError::local("capacity", self.capacity.clone()))?;
        if !time::is_valid_zone(&self.time_zone) {
            return Err(ApiError::local("time_zone", unknown_zone));
        }
        Ok(CreateRoom {
            name: self.name.clone(),
            location: self.location.clone(),
            capacity,
            has_projector: self.has_projector,
            notes: self.notes.clone(),
            time_zone: Some(self.time_zone.trim().to_owned()),
            requires_approval: self.requires_approval,
            slot_minutes: Some(self.slot_minutes),
        })
    }
}

fn to_update(room: CreateRoom) -> UpdateRoom {
    UpdateRoom {
        name: Some(room.name),
        location: Some(room.location),
        capacity: Some(room.capacity),
        has_projector: Some(room.has_projector),
        notes: Some(room.notes),
        time_zone: room.time_zone,
        requires_approval: Some(room.requires_approval),
        slot_minutes: room.slot_minutes,
    }
}

#[component]
pub fn NewRoomPage() -> impl IntoView {
    view! { <RoomForm existing=None /> }
}

#[component]
pub fn EditRoomPage() -> impl IntoView {
    let params = use_params_map();
    let room = LocalResource::new(move || {
        api::get_room(&RoomId(params.with(|p| p.get("id").unwrap_or_default())))
    });
    view! {
        <Transition fallback=Loading>
            <ErrorBoundary fallback=error_fallback>
                {move || room.get().map(|r| r.map(|room| view! { <RoomForm existing=Some(room) /> }))}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn RoomForm(existing: Option<Room>) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let id = existing.as_ref().map(|r| r.id.clone());
    let editing = id.is_some();
    let draft = RwSignal::new(existing.as_ref().map(Draft::of).unwrap_or_else(Draft::new));
    let error = RwSignal::new(None::<ApiError>);
    let save = Action::new_local(move |body: &CreateRoom| -> Call<Room> {
        match &id {
            Some(id) => api::update_room(id, &to_update(body.clone())),
            None => api::create_room(body),
        }
    });
    Effect::new(move || match save.value().get() {
        Some(Ok(_)) => navigate("/admin/rooms", Default::default()),
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match draft.get_untracked().to_create(i18n.t().unknown_zone) {
            Ok(body) => {
                error.set(None);
                save.dispatch(body);
            }
            Err(e) => error.set(Some(e)),
        }
    };
    let err = Signal::derive(move || error.get());
    let general = Signal::derive(move || error.get().filter(|e| e.field.is_none()));
    let text = move |get: fn(&Draft) -> &String| move || draft.with(|d| get(d).clone());
    macro_rules! edit {
        ($field:ident) => {
            move |ev| draft.update(|d| d.$field = event_target_value(&ev))
        };
    }
    view! {
        <h2>{move || if editing { i18n.t().edit_room } else { i18n.t().new_room }}</h2>
        <form class="card form-grid" id="room-form" on:submit=submit novalidate>
            <div class="field">
                <label for="room-name-input">{move || i18n.t().name}</label>
                <input id="room-name-input" required maxlength="100" prop:value=text(|d| &d.name)
                    on:input=edit!(name) aria-invalid=invalid(err, "name") aria-describedby="name-error" />
                <FieldError error=err field="name" />
            </div>
            <div class="field">
                <label for="room-location">{move || i18n.t().location}</label>
                <input id="room-location" maxlength="200" prop:value=text(|d| &d.location)
                    on:input=edit!(location) aria-invalid=invalid(err, "location") aria-describedby="location-error" />
                <FieldError error=err field="location" />
            </div>
            <div class="field">
                <label for="room-capacity">{move || i18n.t().capacity}</label>
                <input id="room-capacity" type="number" min="1" max="10000" required prop:value=text(|d| &d.capacity)
                    on:input=edit!(capacity) aria-invalid=invalid(err, "capacity") aria-describedby="capacity-error" />
                <FieldError error=err field="capacity" />
            </div>
            <div class="field">
                <label for="room-zone">{move || i18n.t().time_zone}</label>
                <input id="room-zone" list="zones" prop:value=text(|d| &d.time_zone) on:input=edit!(time_zone)
                    aria-invalid=invalid(err, "time_zone") aria-describedby="zone-hint time_zone-error" />
                <datalist id="zones">
                    {["Asia/Seoul", "Asia/Tokyo", "Asia/Shanghai", "Asia/Singapore", "Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "UTC"]
                        .map(|z| view! { <option value=z /> }).collect_view()}
                </datalist>
                <p class="hint" id="zone-hint">{move || i18n.t().time_zone_hint}</p>
                <FieldError error=err field="time_zone" />
            </div>
            <div class="field">
                <label for="room-slot">{move || i18n.t().slot_size}</label>
                <select id="room-slot" prop:value=move || draft.with(|d| d.slot_minutes.to_string())
                    on:change=move |ev| draft.update(|d| d.slot_minutes = event_target_value(&ev).parse().unwrap_or(15))>
                    {SLOT_CHOICES.map(|m| view! { <option value=m.to_string()>{move || (i18n.t().minutes)(m)}</option> }).collect_view()}
                </select>
                <FieldError error=err field="slot_minutes" />
            </div>
            <div class="field wide">
                <label for="room-notes">{move || i18n.t().notes}</label>
                <textarea id="room-notes" rows="3" maxlength="2000" prop:value=text(|d| &d.notes) on:input=edit!(notes) />
                <FieldError error=err field="notes" />
            </div>
            <div class="field wide checks">
                <label class="check">
                    <input type="checkbox" id="room-projector" prop:checked=move || draft.with(|d| d.has_projector)
                        on:change=move |ev| draft.update(|d| d.has_projector = event_target_checked(&ev)) />
                    {move || i18n.t().has_projector}
                </label>
                <label class="check">
                    <input type="checkbox" id="room-approval" prop:checked=move || draft.with(|d| d.requires_approval)
                        on:change=move |ev| draft.update(|d| d.requires_approval = event_target_checked(&ev)) />
                    {move || i18n.t().requires_approval}
                </label>
            </div>
            <div class="wide"><MaybeError error=general /></div>
            <div class="actions wide">
                <button type="submit" class="primary" id="room-save" disabled=move || save.pending().get()>
                    {move || if save.pending().get() { i18n.t().saving } else if editing { i18n.t().save } else { i18n.t().create }}
                </button>
                <a class="button secondary" href="/admin/rooms">{move || i18n.t().back}</a>
            </div>
        </form>
    }
}
