//! Administration: rooms, venues and their seat maps, shows and performances, the approvals queue, users and roles, webhooks,
//! the audit log, reconciliation, reports, import and the archive. The API refuses non-admins anyway;
//! these pages are hidden from them too.

pub mod approvals;
pub mod archive;
pub mod audit;
pub mod charts;
pub mod imports;
pub mod performances;
pub mod queue;
pub mod reconcile;
pub mod reports;
pub mod room_form;
pub mod rooms;
pub mod show_form;
pub mod shows;
pub mod users;
pub mod venue_draft;
pub mod venue_form;
pub mod venues;
pub mod webhooks;

use leptos::prelude::*;
use leptos_router::components::{A, Outlet};

use crate::i18n::use_i18n;
use crate::session::RequireAdmin;

#[component]
pub fn AdminLayout() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h1>{move || i18n.t().admin_title}</h1>
        <RequireAdmin>
            <nav class="subnav" aria-label=move || i18n.t().admin_title>
                <A href="/admin" exact=true>{move || i18n.t().approvals}</A>
                <A href="/admin/rooms">{move || i18n.t().admin_rooms}</A>
                <A href="/admin/venues">{move || i18n.t().admin_venues}</A>
                <A href="/admin/shows">{move || i18n.t().admin_shows}</A>
                <A href="/admin/users">{move || i18n.t().users}</A>
                <A href="/admin/webhooks">{move || i18n.t().webhooks}</A>
                <A href="/admin/audit">{move || i18n.t().audit}</A>
                <A href="/admin/reconciliation">{move || i18n.t().reconcile}</A>
                <A href="/admin/reports">{move || i18n.t().reports}</A>
                <A href="/admin/import">{move || i18n.t().import_title}</A>
                <A href="/admin/archive">{move || i18n.t().admin_archive}</A>
            </nav>
            <Outlet />
        </RequireAdmin>
    }
}
