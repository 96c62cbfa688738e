//! The caller's API keys: create one (its secret shown once), see when
//! each was last used, revoke.

use chrono::{NaiveDate, NaiveTime};
use leptos::prelude::*;
use shared::{ApiKey, ApiKeyScope, CreateApiKey};

use crate::api::{self, ApiError};
use crate::components::{Loading, MaybeError, error_fallback};
use crate::i18n::{Texts, use_i18n};
use crate::session::use_session;
use crate::time;

fn scope_label(t: &Texts, scope: ApiKeyScope) -> &'static str {
    match scope {
        ApiKeyScope::Read => t.scope_read,
        ApiKeyScope::Book => t.scope_book,
        ApiKeyScope::Admin => t.scope_admin,
    }
}

#[component]
pub fn ApiKeys() -> impl IntoView {
    let i18n = use_i18n();
    let keys = LocalResource::new(api::my_api_keys);
    let revoke = Action::new_local(move |id: &String| api::revoke_api_key(id));
    Effect::new(move || {
        if revoke.value().get().is_some() {
            keys.refetch();
        }
    });
    let revoke_error = move || revoke.value().get().and_then(Result::err);
    view! {
        <section class="card" id="api-keys-card" aria-labelledby="api-keys-title">
            <h2 id="api-keys-title">{move || i18n.t().api_keys_title}</h2>
            <p class="muted">{move || i18n.t().api_keys_intro}</p>
            <CreateForm on_created=move || keys.refetch() />
            <Transition fallback=Loading>
                <ErrorBoundary fallback=error_fallback>
                    {move || keys.get().map(|result| result.map(|list| view! { <KeyTable list revoke /> }))}
                </ErrorBoundary>
            </Transition>
            <MaybeError error=Signal::derive(revoke_error) />
        </section>
    }
}

#[component]
fn CreateForm(on_created: impl Fn() + Copy + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let name = RwSignal::new(String::new());
    let scopes = RwSignal::new(vec![ApiKeyScope::Read]);
    let expires = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let create = Action::new_local(move |body: &CreateApiKey| api::create_api_key(body));
    Effect::new(move || match create.value().get() {
        Some(Ok(_)) => {
            name.set(String::new());
            error.set(None);
            on_created();
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let secret = move || create.value().get().and_then(Result::ok).map(|c| c.secret);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // The end of the chosen day, UTC.
        let expires_at = NaiveDate::parse_from_str(&expires.get_untracked(), "%Y-%m-%d")
            .ok()
            .map(|day| {
                day.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default())
                    .and_utc()
            });
        create.dispatch(CreateApiKey {
            name: name.get_untracked(),
            scopes: scopes.get_untracked(),
            expires_at,
        });
    };
    let offered = move || {
        ApiKeyScope::ALL
            .into_iter()
            .filter(|s| *s != ApiKeyScope::Admin || session.is_admin())
            .collect::<Vec<_>>()
    };
    view! {
        <form class="form-grid" id="api-key-form" on:submit=submit>
            <div class="field">
                <label for="api-key-name">{move || i18n.t().name}</label>
                <input id="api-key-name" required maxlength="100"
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            </div>
            <div class="field">
                <label for="api-key-expires">{move || i18n.t().api_key_expires}</label>
                <input id="api-key-expires" type="date"
                    prop:value=move || expires.get() on:input=move |ev| expires.set(event_target_value(&ev)) />
            </div>
            <fieldset class="field wide checks">
                <legend>{move || i18n.t().api_key_scopes}</legend>
                {move || offered().into_iter().map(|scope| view! {
                    <label class="check">
                        <input type="checkbox" data-scope=scope.as_str()
                            prop:checked=move || scopes.with(|s| s.contains(&scope))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                scopes.update(|s| {
                                    s.retain(|x| *x != scope);
                                    if on { s.push(scope); }
                                });
                            } />
                        {move || scope_label(i18n.t(), scope)}
                    </label>
                }).collect_view()}
            </fieldset>
            <div class="wide"><MaybeError error=Signal::derive(move || error.get()) /></div>
            <div class="actions wide">
                <button type="submit" class="primary" id="api-key-create" disabled=move || create.pending().get()>
                    {move || i18n.t().api_key_create}
                </button>
            </div>
            {move || secret().map(|secret| view! {
                <div class="notice success wide" id="api-key-created" role="status">
                    {move || i18n.t().api_key_secret_once} " " <code id="api-key-secret">{secret}</code>
                </div>
            })}
        </form>
    }
}

#[component]
fn KeyTable(list: Vec<ApiKey>, revoke: Action<String, Result<(), ApiError>>) -> impl IntoView {
    let i18n = use_i18n();
    if list.is_empty() {
        return view! { <p class="empty" id="api-keys-empty">{move || i18n.t().api_keys_empty}</p> }.into_any();
    }
    let zone = time::browser_zone();
    let rows = list
        .into_iter()
        .map(|key| {
            let (z1, z2, z3) = (zone.clone(), zone.clone(), zone.clone());
            let (created, used, expires) = (key.created_at, key.last_used_at, key.expires_at);
            let scopes = key.scopes.clone();
            let id = key.id.clone();
            view! {
                <tr data-key=key.id.clone()>
                    <td>{key.name.clone()}</td>
                    <td>{move || scopes.iter().map(|s| scope_label(i18n.t(), *s)).collect::<Vec<_>>().join(", ")}</td>
                    <td><code>{key.prefix.clone()} "…"</code></td>
                    <td>{move || time::format_date_time(created, &z1, i18n.lang())}</td>
                    <td>{move || used.map_or(i18n.t().api_key_never.to_owned(), |u| time::format_date_time(u, &z2, i18n.lang()))}</td>
                    <td>{move || expires.map_or(i18n.t().api_key_never.to_owned(), |e| time::format_date_time(e, &z3, i18n.lang()))}</td>
                    <td>
                        <button type="button" class="revoke" disabled=move || revoke.pending().get()
                            on:click=move |_| { revoke.dispatch(id.clone()); }>
                            {move || i18n.t().api_key_revoke}
                        </button>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="list" id="api-keys">
            <thead>
                <tr>
                    <th scope="col">{move || i18n.t().name}</th>
                    <th scope="col">{move || i18n.t().api_key_scopes}</th>
                    <th scope="col">{move || i18n.t().api_key_prefix}</th>
                    <th scope="col">{move || i18n.t().api_key_created}</th>
                    <th scope="col">{move || i18n.t().session_last_seen}</th>
                    <th scope="col">{move || i18n.t().api_key_expiry}</th>
                    <th scope="col"><span class="sr-only">{move || i18n.t().api_key_revoke}</span></th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}
