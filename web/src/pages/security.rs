//! The caller's sessions (where they are logged in, ended one by one or
//! all at once) and their password.

use leptos::prelude::*;
use shared::{ChangePassword, Session};

use super::api_keys::ApiKeys;
use crate::api::{self, ApiError};
use crate::components::{Loading, MaybeError, error_fallback};
use crate::i18n::use_i18n;
use crate::session::RequireUser;
use crate::time;

#[component]
pub fn SecurityPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h1>{move || i18n.t().security_title}</h1>
        <RequireUser>
            <Sessions />
            <PasswordForm />
            <ApiKeys />
        </RequireUser>
    }
}

#[component]
fn Sessions() -> impl IntoView {
    let i18n = use_i18n();
    let sessions = LocalResource::new(api::my_sessions);
    let end_one = Action::new_local(move |id: &String| api::end_session(id));
    let end_others = Action::new_local(move |_: &()| api::end_other_sessions());
    let error = RwSignal::new(None::<ApiError>);
    Effect::new(move || {
        let outcome = match (end_one.value().get(), end_others.value().get()) {
            (Some(Err(e)), _) | (_, Some(Err(e))) => Some(e),
            _ => None,
        };
        error.set(outcome);
        sessions.refetch();
    });
    let ended = move || {
        end_others
            .value()
            .get()
            .and_then(Result::ok)
            .map(|e| e.ended)
    };
    view! {
        <section class="card" aria-labelledby="sessions-title">
            <h2 id="sessions-title">{move || i18n.t().sessions_title}</h2>
            <Transition fallback=Loading>
                <ErrorBoundary fallback=error_fallback>
                    {move || sessions.get().map(|result| result.map(|list| view! {
                        <SessionTable list end_one />
                    }))}
                </ErrorBoundary>
            </Transition>
            <MaybeError error=Signal::derive(move || error.get()) />
            <div class="actions">
                <button type="button" id="end-other-sessions" disabled=move || end_others.pending().get()
                    on:click=move |_| { end_others.dispatch(()); }>
                    {move || i18n.t().sessions_end_others}
                </button>
                {move || ended().map(|n| view! {
                    <span class="notice success" id="sessions-ended" role="status">
                        {move || i18n.t().sessions_ended} {n}
                    </span>
                })}
            </div>
        </section>
    }
}

#[component]
fn SessionTable(
    list: Vec<Session>,
    end_one: Action<String, Result<(), ApiError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let zone = time::browser_zone();
    let rows = list
        .into_iter()
        .map(|s| {
            let (zone_seen, zone_started) = (zone.clone(), zone.clone());
            let (seen, started) = (s.last_seen_at, s.created_at);
            let agent = s.user_agent.clone();
            let device = s.user_agent.as_deref().map(describe_agent);
            let id = s.id.clone();
            view! {
                <tr data-session=s.id.clone() data-current=s.current.to_string()>
                    <td title=agent>
                        {match device {
                            Some(device) => device.into_any(),
                            None => (move || i18n.t().session_unknown_device).into_any(),
                        }}
                        {s.current.then(|| view! { " " <span class="badge">{move || i18n.t().session_this_device}</span> })}
                    </td>
                    <td>{s.address.clone().unwrap_or_else(|| "—".into())}</td>
                    <td>{move || time::format_date_time(seen, &zone_seen, i18n.lang())}</td>
                    <td>{move || time::format_date_time(started, &zone_started, i18n.lang())}</td>
                    <td>
                        {(!s.current).then(|| view! {
                            <button type="button" class="end-session" disabled=move || end_one.pending().get()
                                on:click=move |_| { end_one.dispatch(id.clone()); }>
                                {move || i18n.t().session_end}
                            </button>
                        })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="list" id="sessions">
            <thead>
                <tr>
                    <th scope="col">{move || i18n.t().session_device}</th>
                    <th scope="col">{move || i18n.t().session_address}</th>
                    <th scope="col">{move || i18n.t().session_last_seen}</th>
                    <th scope="col">{move || i18n.t().session_started}</th>
                    <th scope="col"><span class="sr-only">{move || i18n.t().session_end}</span></th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// "Chrome on Linux" for a browser's `User-Agent`; other programs by
/// their first word ("curl/8.5.0").
fn describe_agent(agent: &str) -> String {
    const BROWSERS: [(&str, &str); 7] = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("SamsungBrowser/", "Samsung Internet"),
        ("Firefox/", "Firefox"),
        ("HeadlessChrome/", "Chrome (headless)"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ];
    const SYSTEMS: [(&str, &str); 7] = [
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ];
    let found = |table: &[(&str, &'static str)]| {
        table
            .iter()
            .find(|(needle, _)| agent.contains(needle))
            .map(|(_, name)| *name)
    };
    match (found(&BROWSERS), found(&SYSTEMS)) {
        (Some(browser), Some(system)) => format!("{browser} · {system}"),
        (Some(browser), None) => browser.to_owned(),
        _ => agent
            .split_whitespace()
            .next()
            .unwrap_or(agent)
            .chars()
            .take(40)
            .collect(),
    }
}

#[component]
fn PasswordForm() -> impl IntoView {
    let i18n = use_i18n();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let save = Action::new_local(move |body: &ChangePassword| api::change_password(body));
    let error = move || save.value().get().and_then(Result::err);
    let done = move || save.value().get().and_then(Result::ok).map(|e| e.ended);
    Effect::new(move || {
        if done().is_some() {
            current.set(String::new());
            new.set(String::new());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(ChangePassword {
            current_password: current.get_untracked(),
            new_password: new.get_untracked(),
        });
    };
    view! {
        <form class="card form-grid" id="password-form" on:submit=submit>
            <h2 class="wide">{move || i18n.t().password_title}</h2>
            <div class="field">
                <label for="password-current">{move || i18n.t().password_current}</label>
                <input id="password-current" type="password" autocomplete="current-password" required
                    prop:value=move || current.get() on:input=move |ev| current.set(event_target_value(&ev)) />
            </div>
            <div class="field">
                <label for="password-new">{move || i18n.t().password_new}</label>
                <input id="password-new" type="password" autocomplete="new-password" required minlength="8" maxlength="128"
                    prop:value=move || new.get() on:input=move |ev| new.set(event_target_value(&ev)) />
            </div>
            <div class="wide"><MaybeError error=Signal::derive(error) /></div>
            <div class="actions wide">
                <button type="submit" class="primary" id="password-save" disabled=move || save.pending().get()>
                    {move || i18n.t().password_save}
                </button>
                {move || done().map(|n| view! {
                    <span class="notice success" id="password-changed" role="status">
                        {move || i18n.t().password_changed} {n}
                    </span>
                })}
            </div>
        </form>
    }
}
