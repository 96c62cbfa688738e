//! The web app: a Leptos client-side-rendered single page talking to `/api`.

mod api;
mod rooms;

use leptos::prelude::*;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

#[component]
fn App() -> impl IntoView {
    view! {
        <header class="top">
            <h1>"Reservations"</h1>
        </header>
        <main>
            <rooms::RoomList />
        </main>
    }
}
