//! The *Upcoming* / *Past* tab pair of the caller's reservations and
//! bookings.

use leptos::prelude::*;

use crate::i18n::{Texts, use_i18n};

/// Which side of now a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Upcoming,
    Past,
}

/// Two tabs switching `tab`, labelled by `upcoming` and `past` in the
/// chosen language.
#[component]
pub fn WhenTabs(
    tab: RwSignal<When>,
    upcoming: fn(&Texts) -> &'static str,
    past: fn(&Texts) -> &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let button = move |which: When, id: &'static str, label: fn(&Texts) -> &'static str| {
        view! {
            <button type="button" role="tab" id=id class="tab"
                aria-selected=move || (tab.get() == which).to_string()
                on:click=move |_| tab.set(which)>
                {move || label(i18n.t())}
            </button>
        }
    };
    view! {
        <div class="tabs" role="tablist">
            {button(When::Upcoming, "tab-upcoming", upcoming)}
            {button(When::Past, "tab-past", past)}
        </div>
    }
}
