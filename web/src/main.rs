//! The web app: a Leptos client-side-rendered single page talking to `/api`.

mod api;
mod components;
mod i18n;
mod layout;
mod limits;
mod numbers;
mod pages;
mod session;
mod storage;
mod time;

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

use crate::i18n::I18n;
use crate::limits::ServerLimits;
use crate::pages::{
    admin, auth, bookings, my, not_found, notifications, room, rooms, seats, security, show, shows,
    wallet,
};
use crate::session::Session;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

#[component]
fn App() -> impl IntoView {
    I18n::provide();
    Session::provide();
    ServerLimits::provide();
    view! {
        <Router>
            <layout::Header />
            <main id="content" tabindex="-1">
                <Routes fallback=not_found::NotFound>
                    <Route path=path!("/") view=rooms::RoomsPage />
                    <Route path=path!("/login") view=auth::LoginPage />
                    <Route path=path!("/register") view=auth::RegisterPage />
                    <Route path=path!("/rooms/:id") view=room::RoomPage />
                    <Route path=path!("/my") view=my::MyReservationsPage />
                    <Route path=path!("/shows") view=shows::ShowsPage />
                    <Route path=path!("/shows/:id") view=show::ShowPage />
                    <Route path=path!("/shows/:show/performances/:performance") view=seats::SeatsPage />
                    <Route path=path!("/bookings") view=bookings::BookingsPage />
                    <Route path=path!("/wallet") view=wallet::WalletPage />
                    <Route path=path!("/notifications") view=notifications::NotificationsPage />
                    <Route path=path!("/security") view=security::SecurityPage />
                    <ParentRoute path=path!("/admin") view=admin::AdminLayout>
                        <Route path=path!("") view=admin::approvals::ApprovalsPage />
                        <Route path=path!("rooms") view=admin::rooms::AdminRoomsPage />
                        <Route path=path!("rooms/new") view=admin::room_form::NewRoomPage />
                        <Route path=path!("rooms/:id") view=admin::room_form::EditRoomPage />
                        <Route path=path!("venues") view=admin::venues::AdminVenuesPage />
                        <Route path=path!("venues/new") view=admin::venue_form::NewVenuePage />
                        <Route path=path!("venues/:id") view=admin::venue_form::EditVenuePage />
                        <Route path=path!("shows") view=admin::shows::AdminShowsPage />
                        <Route path=path!("shows/new") view=admin::show_form::NewShowPage />
                        <Route path=path!("shows/:id") view=admin::show_form::EditShowPage />
                        <Route path=path!("users") view=admin::users::UsersPage />
                        <Route path=path!("webhooks") view=admin::webhooks::WebhooksPage />
                        <Route path=path!("audit") view=admin::audit::AuditPage />
                        <Route path=path!("reconciliation") view=admin::reconcile::ReconcilePage />
                        <Route path=path!("reports") view=admin::reports::ReportsPage />
                        <Route path=path!("import") view=admin::imports::ImportPage />
                        <Route path=path!("archive") view=admin::archive::ArchivePage />
                        <Route path=path!("performances/:id/queue") view=admin::queue::QueuePage />
                    </ParentRoute>
                </Routes>
            </main>
        </Router>
    }
}
