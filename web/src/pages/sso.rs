//! Signing in through a provider: the "Continue with ..." buttons, the
//! reason a provider sign-in failed, and linking a first provider sign-in
//! to an existing account with the account's password.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use shared::{ConfirmLink, SsoError};

use crate::api;
use crate::components::MaybeError;
use crate::i18n::{Texts, use_i18n};
use crate::session::{safe_return_path, use_session};

/// One button per configured provider; nothing when there are none (or
/// the list cannot be had: the password form still works).
#[component]
pub fn SsoButtons(#[prop(into)] next: Signal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let providers = LocalResource::new(api::sso_providers);
    let listed = move || {
        providers
            .get()
            .and_then(Result::ok)
            .filter(|list| !list.is_empty())
    };
    view! {
        {move || listed().map(|list| view! {
            <div class="sso" id="sso-providers">
                <p class="divider"><span>{move || i18n.t().sso_or}</span></p>
                {list.into_iter().map(|provider| {
                    // A full page load (rel=external): the browser leaves for
                    // the provider and comes back through the API.
                    let id = provider.id.clone();
                    let href = move || api::sso_start_href(&id, &next.get());
                    let name = provider.name;
                    view! {
                        <a class="button secondary sso-button" rel="external" href=href
                            data-provider=provider.id>
                            {move || i18n.t().sso_continue_with.replace("{name}", &name)}
                        </a>
                    }
                }).collect_view()}
            </div>
        })}
    }
}

/// Why the trip to a provider ended back here without a session.
pub fn sso_error_text(t: &Texts, error: SsoError) -> &'static str {
    match error {
        SsoError::ProviderUnavailable => t.sso_err_unavailable,
        SsoError::Denied => t.sso_err_denied,
        SsoError::Expired | SsoError::BrowserMismatch => t.sso_err_expired,
        SsoError::Rejected | SsoError::InvalidToken => t.sso_err_rejected,
        SsoError::EmailMissing => t.sso_err_email_missing,
        SsoError::EmailUnverified => t.sso_err_email_unverified,
        SsoError::Disabled => t.sso_err_disabled,
    }
}

/// The provider signed someone in whose e-mail belongs to an existing
/// account: the account's password links the two (once), or the visitor
/// declines and nothing is linked.
#[component]
pub fn LinkPanel() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let pending = LocalResource::new(api::pending_link);
    let password = RwSignal::new(String::new());
    let confirm = Action::new_local(|body: &ConfirmLink| api::confirm_link(body));
    let cancel = Action::new_local(|_: &()| api::cancel_link());
    let error = Signal::derive(move || confirm.value().get().and_then(Result::err));
    let return_to = move || {
        let path = pending
            .get()
            .and_then(Result::ok)
            .map(|link| link.return_to);
        safe_return_path(path)
    };
    Effect::new(move || {
        if let Some(Ok(login)) = confirm.value().get() {
            session.signed_in(login.user);
            let options = NavigateOptions {
                replace: true,
                ..Default::default()
            };
            navigate(&return_to(), options);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        confirm.dispatch(ConfirmLink {
            password: password.get(),
        });
    };
    let declined = move || cancel.value().get().is_some();

    view! {
        <section class="card narrow" id="sso-link" aria-labelledby="sso-link-title">
            <h1 id="sso-link-title">{move || i18n.t().sso_link_title}</h1>
            {move || match (declined(), pending.get()) {
                (true, _) => view! {
                    <p class="notice info" role="status">{i18n.t().sso_link_declined}</p>
                    <a href="/login" class="button secondary">{i18n.t().log_in}</a>
                }.into_any(),
                (false, None) => view! { <p class="loading">{i18n.t().loading}</p> }.into_any(),
                (false, Some(Err(_))) => view! {
                    <p class="notice error" role="alert">{i18n.t().sso_link_gone}</p>
                    <a href="/login" class="button secondary">{i18n.t().log_in}</a>
                }.into_any(),
                (false, Some(Ok(link))) => {
                    let intro = i18n
                        .t()
                        .sso_link_intro
                        .replace("{email}", &link.email)
                        .replace("{name}", &link.provider_name);
                    view! {
                        <p id="sso-link-intro">{intro}</p>
                        <form id="sso-link-form" on:submit=submit novalidate>
                            <div class="field">
                                <label for="sso-link-password">{i18n.t().password}</label>
                                <input id="sso-link-password" type="password"
                                    autocomplete="current-password" required bind:value=password />
                            </div>
                            <MaybeError error />
                            <button type="submit" class="primary"
                                disabled=move || confirm.pending().get()>
                                {i18n.t().sso_link_confirm}
                            </button>
                        </form>
                        <button type="button" class="secondary" id="sso-link-cancel"
                            on:click=move |_| { cancel.dispatch(()); }>
                            {i18n.t().sso_link_cancel}
                        </button>
                    }.into_any()
                }
            }}
        </section>
    }
}
