//! The caller's e-mail: the language it is written in, and which kinds
//! they want.

use leptos::prelude::*;
use shared::{Language, MailKind, NotificationSettings};

use crate::api::{self, ApiError};
use crate::components::{Loading, MaybeError, error_fallback};
use crate::i18n::{Texts, use_i18n};
use crate::session::RequireUser;

fn kind_label(t: &Texts, kind: MailKind) -> &'static str {
    match kind {
        MailKind::BookingConfirmed => t.mail_booking_confirmed,
        MailKind::BookingCancelled => t.mail_booking_cancelled,
        MailKind::ReservationApproved => t.mail_reservation_approved,
        MailKind::ReservationRejected => t.mail_reservation_rejected,
        MailKind::ReservationCancelled => t.mail_reservation_cancelled,
        MailKind::Reminder => t.mail_reminder,
    }
}

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h1>{move || i18n.t().mail_title}</h1>
        <RequireUser>
            <NotificationsForm />
        </RequireUser>
    }
}

#[component]
fn NotificationsForm() -> impl IntoView {
    let i18n = use_i18n();
    let current = LocalResource::new(api::notification_settings);
    view! {
        <p class="muted">{move || i18n.t().mail_intro}</p>
        <Transition fallback=Loading>
            <ErrorBoundary fallback=error_fallback>
                {move || current.get().map(|result| result.map(|settings| view! { <Editor settings /> }))}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn Editor(settings: NotificationSettings) -> impl IntoView {
    let i18n = use_i18n();
    let language = RwSignal::new(settings.language);
    let muted = RwSignal::new(settings.muted);
    let save =
        Action::new_local(move |body: &NotificationSettings| api::set_notification_settings(body));
    let saved = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    Effect::new(move || match save.value().get() {
        Some(Ok(stored)) => {
            muted.set(stored.muted);
            language.set(stored.language);
            error.set(None);
            saved.set(true);
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        save.dispatch(NotificationSettings {
            language: language.get_untracked(),
            muted: muted.get_untracked(),
        });
    };
    let toggle = move |kind: MailKind, wanted: bool| {
        saved.set(false);
        muted.update(|m| {
            m.retain(|k| *k != kind);
            if !wanted {
                m.push(kind);
            }
        });
    };
    view! {
        <form class="card form-grid" id="notifications-form" on:submit=submit>
            <div class="field wide">
                <label for="mail-language">{move || i18n.t().mail_language}</label>
                <select id="mail-language" on:change=move |ev| {
                    saved.set(false);
                    language.set(if event_target_value(&ev) == "en" { Language::En } else { Language::Ko });
                }>
                    <option value="ko" selected=move || language.get() == Language::Ko>"한국어"</option>
                    <option value="en" selected=move || language.get() == Language::En>"English"</option>
                </select>
            </div>
            <fieldset class="field wide checks">
                <legend>{move || i18n.t().mail_kinds}</legend>
                {MailKind::ALL.map(|kind| view! {
                    <label class="check">
                        <input type="checkbox" data-kind=kind.as_str()
                            prop:checked=move || muted.with(|m| !m.contains(&kind))
                            on:change=move |ev| toggle(kind, event_target_checked(&ev)) />
                        {move || kind_label(i18n.t(), kind)}
                    </label>
                }).collect_view()}
            </fieldset>
            <div class="wide"><MaybeError error=Signal::derive(move || error.get()) /></div>
            <div class="actions wide">
                <button type="submit" class="primary" id="notifications-save" disabled=move || save.pending().get()>
                    {move || i18n.t().mail_save}
                </button>
                {move || saved.get().then(|| view! {
                    <span class="notice success" id="notifications-saved">{move || i18n.t().mail_saved}</span>
                })}
            </div>
        </form>
    }
}
