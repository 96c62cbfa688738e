//! Logging in and creating an account.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::{LoginUser, RegisterUser, SsoError};

use super::sso::{LinkPanel, SsoButtons, sso_error_text};
use crate::api::{self, ApiError};
use crate::components::{FieldError, MaybeError, invalid};
use crate::i18n::use_i18n;
use crate::session::{safe_return_path, use_session};

/// `/login`; or, back from a provider with an existing account to link
/// (`?sso=link`), the page that asks for that account's password.
#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let linking = move || query.with(|q| q.get("sso").as_deref() == Some("link"));
    view! {
        <Show when=linking fallback=PasswordLogin>
            <LinkPanel />
        </Show>
    }
}

#[component]
fn PasswordLogin() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let query = use_query_map();
    let next = move || safe_return_path(query.with(|q| q.get("next")));
    let registered = move || query.with(|q| q.get("registered").is_some());
    let sso_error = move || {
        query
            .with(|q| q.get("sso_error"))
            .map(|name| SsoError::parse(&name))
    };
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());

    let log_in = Action::new_local(|body: &LoginUser| api::log_in(body));
    let error = Signal::derive(move || log_in.value().get().and_then(Result::err));
    Effect::new(move || {
        if let Some(Ok(login)) = log_in.value().get() {
            session.signed_in(login.user);
        }
    });
    // Signed in (just now, or already): go where the visitor was headed.
    Effect::new(move || {
        if session.user().is_some() {
            let options = NavigateOptions {
                replace: true,
                ..Default::default()
            };
            navigate(&next(), options);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        log_in.dispatch(LoginUser {
            email: email.get(),
            password: password.get(),
        });
    };
    let register_href = move || format!("/register?next={}", js_sys::encode_uri_component(&next()));

    view! {
        <section class="card narrow">
            <h1>{move || i18n.t().login_title}</h1>
            <Show when=move || query.with(|q| q.get("next").is_some())>
                <p class="notice info">{move || i18n.t().login_needed}</p>
            </Show>
            <Show when=registered>
                <p class="notice success" role="status">{move || i18n.t().registered}</p>
            </Show>
            {move || sso_error().map(|error| view! {
                <p class="notice error" role="alert" id="sso-error">
                    {error.map_or(i18n.t().sso_err_rejected, |e| sso_error_text(i18n.t(), e))}
                </p>
            })}
            <form id="login-form" on:submit=submit novalidate>
                <div class="field">
                    <label for="login-email">{move || i18n.t().email}</label>
                    <input id="login-email" type="email" autocomplete="username" required
                        bind:value=email />
                </div>
                <div class="field">
                    <label for="login-password">{move || i18n.t().password}</label>
                    <input id="login-password" type="password" autocomplete="current-password"
                        required bind:value=password />
                </div>
                <MaybeError error />
                <button type="submit" class="primary" disabled=move || log_in.pending().get()>
                    {move || if log_in.pending().get() { i18n.t().logging_in } else { i18n.t().log_in }}
                </button>
            </form>
            <SsoButtons next=Signal::derive(next) />
            <p class="muted">
                {move || i18n.t().no_account} " "
                <a href=register_href id="register-link">{move || i18n.t().register}</a>
            </p>
        </section>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let query = use_query_map();
    let next = move || safe_return_path(query.with(|q| q.get("next")));
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());

    let register = Action::new_local(|body: &RegisterUser| api::register(body));
    let error: Signal<Option<ApiError>> =
        Signal::derive(move || register.value().get().and_then(Result::err));
    Effect::new(move || {
        if let Some(Ok(_)) = register.value().get() {
            let next = js_sys::encode_uri_component(&next());
            navigate(
                &format!("/login?registered=1&next={next}"),
                Default::default(),
            );
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        register.dispatch(RegisterUser {
            email: email.get(),
            name: name.get(),
            password: password.get(),
        });
    };
    let general = Signal::derive(move || error.get().filter(|e| e.field.is_none()));

    view! {
        <section class="card narrow">
            <h1>{move || i18n.t().register_title}</h1>
            <form id="register-form" on:submit=submit novalidate>
                <div class="field">
                    <label for="register-name">{move || i18n.t().name}</label>
                    <input id="register-name" autocomplete="name" required bind:value=name
                        aria-invalid=invalid(error, "name") aria-describedby="name-error" />
                    <FieldError error field="name" />
                </div>
                <div class="field">
                    <label for="register-email">{move || i18n.t().email}</label>
                    <input id="register-email" type="email" autocomplete="email" required
                        bind:value=email aria-invalid=invalid(error, "email")
                        aria-describedby="email-error" />
                    <FieldError error field="email" />
                </div>
                <div class="field">
                    <label for="register-password">{move || i18n.t().password}</label>
                    <input id="register-password" type="password" autocomplete="new-password"
                        required bind:value=password aria-invalid=invalid(error, "password")
                        aria-describedby="password-hint password-error" />
                    <p class="hint" id="password-hint">{move || i18n.t().password_hint}</p>
                    <FieldError error field="password" />
                </div>
                <MaybeError error=general />
                <button type="submit" class="primary" disabled=move || register.pending().get()>
                    {move || i18n.t().register}
                </button>
            </form>
            <p class="muted">
                {move || i18n.t().have_account} " "
                <a href=move || format!("/login?next={}", js_sys::encode_uri_component(&next()))>
                    {move || i18n.t().log_in}
                </a>
            </p>
        </section>
    }
}
