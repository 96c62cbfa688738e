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
                        <th scope="col">{move || i18n.t().account_status}</th>
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
            <td><Standing user=user.clone() is_me /></td>
        </tr>
    }
}

/// Whether the account may log in, and ending its sessions.
#[component]
fn Standing(user: User, is_me: bool) -> impl IntoView {
    let i18n = use_i18n();
    let disabled = RwSignal::new(user.disabled);
    let (id, id2) = (user.id.clone(), user.id.clone());
    let toggle = Action::new_local(move |to: &bool| api::set_disabled(&id, *to));
    let end = Action::new_local(move |_: &()| api::end_user_sessions(&id2));
    Effect::new(move || {
        if let Some(Ok(saved)) = toggle.value().get() {
            disabled.set(saved.disabled);
        }
    });
    let error = move || {
        toggle
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| end.value().get().and_then(Result::err))
    };
    let ended = move || end.value().get().and_then(Result::ok).map(|e| e.ended);
    view! {
        {move || disabled.get().then(|| view! { <span class="badge warn">{move || i18n.t().account_disabled}</span> " " })}
        {(!is_me).then(|| view! {
            <button type="button" class="toggle-disabled" disabled=move || toggle.pending().get()
                on:click=move |_| { toggle.dispatch(!disabled.get_untracked()); }>
                {move || if disabled.get() { i18n.t().account_enable } else { i18n.t().account_disable }}
            </button>
            " "
            <button type="button" class="end-sessions" disabled=move || end.pending().get()
                on:click=move |_| { end.dispatch(()); }>
                {move || i18n.t().account_end_sessions}
            </button>
        })}
        {move || ended().map(|n| view! { <span class="saved" role="status">" ✓ " {move || i18n.t().sessions_ended} {n}</span> })}
        {move || error().map(|error| view! { <ErrorNotice error /> })}
    }
}
