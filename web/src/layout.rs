//! The header: navigation, language switch, and who is signed in.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_location, use_navigate};

use crate::api;
use crate::components::ErrorNotice;
use crate::i18n::{Lang, use_i18n};
use crate::session::{here, use_session};

#[component]
pub fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    view! {
        <a class="skip" href="#content">{move || i18n.t().skip_to_content}</a>
        <header class="top">
            <A href="/" attr:class="brand">
                <span aria-hidden="true" class="logo">"▦"</span>
                {move || i18n.t().app_name}
            </A>
            <nav aria-label=move || i18n.t().nav_main>
                <A href="/" exact=true>{move || i18n.t().nav_rooms}</A>
                <A href="/shows">{move || i18n.t().nav_shows}</A>
                <Show when=move || session.user().is_some()>
                    <A href="/my">{move || i18n.t().nav_my}</A>
                    <A href="/bookings">{move || i18n.t().nav_bookings}</A>
                    <A href="/wallet">{move || i18n.t().nav_wallet}</A>
                    <A href="/notifications">{move || i18n.t().nav_mail}</A>
                </Show>
                <Show when=move || session.is_admin()>
                    <A href="/admin">{move || i18n.t().nav_admin}</A>
                </Show>
            </nav>
            <div class="tools">
                <LanguageSwitch />
                <UserArea />
            </div>
        </header>
    }
}

#[component]
fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let button = move |lang: Lang, label: &'static str| {
        view! {
            <button
                type="button"
                class="lang"
                lang=lang.code()
                data-lang=lang.code()
                aria-pressed=move || (i18n.lang() == lang).to_string()
                on:click=move |_| i18n.set(lang)
            >
                {label}
            </button>
        }
    };
    view! {
        <div class="lang-switch" role="group" aria-label=move || i18n.t().language>
            {button(Lang::En, "English")}
            {button(Lang::Ko, "한국어")}
        </div>
    }
}

#[component]
fn UserArea() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let location = use_location();
    let error = RwSignal::new(None);
    let log_out = move |_| {
        let call = api::log_out();
        let navigate = navigate.clone();
        spawn_local(async move {
            match call.await {
                Ok(()) => {
                    session.signed_out();
                    navigate("/", Default::default());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let login_href = move || {
        let path = location.pathname.get();
        if path == "/login" || path == "/register" {
            "/login".to_owned()
        } else {
            let next = here(&path, &location.search.get());
            format!("/login?next={}", js_sys::encode_uri_component(&next))
        }
    };
    move || {
        match session.user() {
        Some(user) => view! {
            // The account's own page: sessions, password, API keys.
            <A href="/security" attr:class="user" attr:id="current-user" attr:title=move || i18n.t().security_title>
                <span class="sr-only">{move || i18n.t().signed_in_as} " "</span>
                {user.name}
            </A>
            <button type="button" class="secondary" id="logout" on:click=log_out.clone()>
                {move || i18n.t().log_out}
            </button>
            {move || error.get().map(|error| view! { <ErrorNotice error /> })}
        }
        .into_any(),
        None => view! {
            <a class="button" id="login-link" href=login_href>
                {move || i18n.t().log_in}
            </a>
        }
        .into_any(),
    }
    }
}
