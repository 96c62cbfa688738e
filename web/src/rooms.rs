//! The room list.

use leptos::prelude::*;
use shared::{Room, RoomQuery};

use crate::api;

#[component]
pub fn RoomList() -> impl IntoView {
    let rooms = LocalResource::new(|| api::list_rooms(RoomQuery::default()));
    view! {
        <h2>"Rooms"</h2>
        <Transition fallback=|| view! { <p class="muted">"Loading rooms…"</p> }>
            {move || {
                rooms
                    .get()
                    .map(|result| match result {
                        Ok(page) if page.items.is_empty() => {
                            view! { <p class="muted">"No rooms yet."</p> }.into_any()
                        }
                        Ok(page) => view! { <RoomTable rooms=page.items /> }.into_any(),
                        Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                    })
            }}
        </Transition>
    }
}

#[component]
fn RoomTable(rooms: Vec<Room>) -> impl IntoView {
    view! {
        <table class="rooms">
            <thead>
                <tr>
                    <th>"Name"</th>
                    <th>"Location"</th>
                    <th>"Capacity"</th>
                    <th>"Projector"</th>
                    <th>"Notes"</th>
                </tr>
            </thead>
            <tbody>
                {rooms
                    .into_iter()
                    .map(|room| {
                        view! {
                            <tr>
                                <td>{room.name}</td>
                                <td>{room.location}</td>
                                <td class="number">{room.capacity}</td>
                                <td>
                                    {room.has_projector.then(|| view! { <span class="badge">"Projector"</span> })}
                                </td>
                                <td class="muted">{room.notes}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
