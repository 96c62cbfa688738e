//! The rooms, to create, edit and delete.

use leptos::prelude::*;
use shared::{Room, RoomQuery};

use crate::api;
use crate::components::{ErrorNotice, PagedList};
use crate::i18n::use_i18n;

#[component]
pub fn AdminRoomsPage() -> impl IntoView {
    let i18n = use_i18n();
    let version = RwSignal::new(0u32);
    let fetch = move |cursor: Option<String>| {
        version.track();
        api::list_rooms(&RoomQuery {
            limit: Some(100),
            cursor,
            ..Default::default()
        })
    };
    let render = move |rooms: Vec<Room>| {
        view! {
            <table class="list" id="admin-rooms">
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t().name}</th>
                        <th scope="col">{move || i18n.t().location}</th>
                        <th scope="col" class="number">{move || i18n.t().capacity}</th>
                        <th scope="col">{move || i18n.t().time_zone}</th>
                        <th scope="col"><span class="sr-only">{move || i18n.t().actions}</span></th>
                    </tr>
                </thead>
                <tbody>{rooms.into_iter().map(|room| view! { <RoomRow room version /> }).collect_view()}</tbody>
            </table>
        }
    };
    view! {
        <div class="section-head">
            <h2>{move || i18n.t().admin_rooms}</h2>
            <a class="button primary" href="/admin/rooms/new" id="new-room">{move || i18n.t().new_room}</a>
        </div>
        <div class="card flush">
            <PagedList fetch render empty=Signal::derive(move || i18n.t().no_rooms) />
        </div>
    }
}

#[component]
fn RoomRow(room: Room, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let confirming = RwSignal::new(false);
    let id = room.id.clone();
    let delete = Action::new_local(move |_: &()| api::delete_room(&id));
    Effect::new(move || {
        if let Some(Ok(())) = delete.value().get() {
            version.update(|v| *v += 1);
        }
    });
    let error = move || delete.value().get().and_then(Result::err);
    let name = StoredValue::new(room.name.clone());
    view! {
        <tr data-room=room.name.clone()>
            <td><a href=format!("/rooms/{}", room.id)>{room.name.clone()}</a></td>
            <td>{room.location.clone()}</td>
            <td class="number">{room.capacity}</td>
            <td>{room.time_zone.clone()}</td>
            <td class="row-actions">
                <a class="button secondary" href=format!("/admin/rooms/{}", room.id)
                    aria-label=move || format!("{} {}", i18n.t().edit, name.get_value())>
                    {move || i18n.t().edit}
                </a>
                <Show when=move || confirming.get() fallback=move || view! {
                    <button type="button" class="secondary danger"
                        aria-label=move || format!("{} {}", i18n.t().delete, name.get_value())
                        on:click=move |_| confirming.set(true)>
                        {move || i18n.t().delete}
                    </button>
                }>
                    <span class="confirm" role="group">
                        <span>{move || (i18n.t().delete_confirm)(&name.get_value())}</span>
                        <button type="button" class="danger" disabled=move || delete.pending().get()
                            on:click=move |_| { delete.dispatch(()); }>
                            {move || i18n.t().delete_yes}
                        </button>
                        <button type="button" class="secondary" on:click=move |_| confirming.set(false)>
                            {move || i18n.t().cancel_keep}
                        </button>
                    </span>
                </Show>
                {move || error().map(|error| view! { <ErrorNotice error /> })}
            </td>
        </tr>
    }
}
