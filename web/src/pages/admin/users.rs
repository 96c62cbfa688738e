//! Accounts and their roles.

use leptos::prelude::*;
use shared::{ChangeRole, PageQuery, Role, User};

use crate::api;
use crate::components::{ErrorNotice, PagedList};
use crate::i18n::{role_label, use_i18n};
use crate::session::use_session;
use crate::time;

#[component]
pub fn UsersPage() -> impl IntoView {
    let i18n = use_i18n();
    let fetch = move |cursor: Option<String>| {
        api::list_users(&PageQuery {
            limit: Some(100),
            cursor,
        })
    };
    let render = move |users: Vec<User>| {
        view! {
            <table class="list" id="users">
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t().name}</th>
                        <th scope="col">{move || i18n.t().email}</th>
                        <th scope="col">{move || i18n.t().member_since}</th>
                        <th scope="col">{move || i18n.t().role}</th>
                    </tr>
                </thead>
                <tbody>{users.into_iter().map(|user| view! { <UserRow user /> }).collect_view()}</tbody>
            </table>
        }
    };
    view! {
        <h2>{move || i18n.t().users}</h2>
        <div class="card flush">
            <PagedList fetch render empty=Signal::derive(|| "—") />
        </div>
    }
}

#[component]
fn UserRow(user: User) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let is_me = session.user().is_some_and(|me| me.id == user.id);
    let role = RwSignal::new(user.role);
    let id = user.id.clone();
    let save =
        Action::new_local(move |role: &Role| api::change_role(&id, &ChangeRole { role: *role }));
    Effect::new(move || {
        match save.value().get() {
            Some(Ok(saved)) => role.set(saved.role),
            // Puts the menu back on the role the account still has.
            Some(Err(_)) => role.set(role.get_untracked()),
            None => {}
        }
    });
    let error = move || save.value().get().and_then(Result::err);
    let select_id = format!("role-{}", user.id);
    let zone = time::browser_zone();
    let since = move || time::format_date_time(user.created_at, &zone, i18n.lang());
    let name = user.name.clone();
    view! {
        <tr data-user=user.email.clone()>
            <td>{user.name.clone()} {is_me.then(|| view! { <span class="muted">" (" {move || i18n.t().you} ")"</span> })}</td>
            <td>{user.email.clone()}</td>
            <td>{since}</td>
            <td>
                <label class="sr-only" for=select_id.clone()>{move || format!("{} — {}", i18n.t().role, name)}</label>
                <select id=select_id class="role"
                    prop:value=move || role.get().as_str()
                    disabled=move || save.pending().get()
                    on:change=move |ev| {
                        let chosen = if event_target_value(&ev) == "admin" { Role::Admin } else { Role::User };
                        save.dispatch(chosen);
                    }>
                    <option value="user">{move || role_label(i18n.t(), Role::User)}</option>
                    <option value="admin">{move || role_label(i18n.t(), Role::Admin)}</option>
                </select>
                {move || save.value().get().and_then(Result::ok).map(|_| view! { <span class="saved" role="status">" ✓ " {move || i18n.t().saved}</span> })}
                {move || error().map(|error| view! { <ErrorNotice error /> })}
            </td>
        </tr>
    }
}
