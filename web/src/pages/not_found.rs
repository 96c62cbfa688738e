//! Any address no route matches.

use leptos::prelude::*;

use crate::i18n::use_i18n;

#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card narrow">
            <h1>{move || i18n.t().not_found_title}</h1>
            <p>{move || i18n.t().not_found_body}</p>
            <a class="button" href="/">{move || i18n.t().back_to_rooms}</a>
        </section>
    }
}
