//! Small pieces every page uses: error notices, field errors, badges.

mod rounds;

pub use rounds::Rounds;

use leptos::prelude::*;
use shared::{ErrorCode, ReservationStatus};

use crate::api::ApiError;
use crate::i18n::{error_title, status_label, use_i18n};

/// The API's own message adds nothing for these codes.
fn detail_worth_showing(error: &ApiError) -> bool {
    !matches!(
        error.code,
        Some(
            ErrorCode::InvalidCredentials
                | ErrorCode::Unauthenticated
                | ErrorCode::Forbidden
                | ErrorCode::NotFound
                | ErrorCode::Unavailable
        )
    ) && !error.message.is_empty()
}

/// The API's message, prefixed with the field it is about unless it says so.
fn detail(error: &ApiError) -> String {
    match &error.field {
        Some(field) if !field.is_empty() && !error.message.starts_with(field.as_str()) => {
            format!("{field}: {}", error.message)
        }
        _ => error.message.clone(),
    }
}

/// An error as a sentence in the chosen language, with the API's detail.
#[component]
pub fn ErrorNotice(error: ApiError, #[prop(optional)] id: Option<&'static str>) -> impl IntoView {
    let i18n = use_i18n();
    let show_detail = detail_worth_showing(&error);
    let login_link = (error.code == Some(ErrorCode::Unauthenticated))
        .then(|| view! { <a href="/login">{move || i18n.t().log_in}</a> });
    let title = error.clone();
    view! {
        <div class="notice error" role="alert" id=id>
            <strong>{move || error_title(i18n.t(), &title)}</strong>
            {show_detail
                .then(|| {
                    view! {
                        <span class="detail">
                            <span class="sr-only">{move || i18n.t().server_said} ": "</span>
                            {detail(&error)}
                        </span>
                    }
                })}
            {login_link}
        </div>
    }
}

/// Shows `error` if there is one.
#[component]
pub fn MaybeError(#[prop(into)] error: Signal<Option<ApiError>>) -> impl IntoView {
    move || error.get().map(|error| view! { <ErrorNotice error /> })
}

/// The fallback of every `<ErrorBoundary>`: each error, as a notice.
pub fn error_fallback(errors: ArcRwSignal<Errors>) -> impl IntoView {
    move || {
        errors
            .get()
            .into_iter()
            .map(|(_, error)| {
                let error = error
                    .downcast_ref::<ApiError>()
                    .cloned()
                    .unwrap_or_else(|| ApiError::local("", error.to_string()));
                view! { <ErrorNotice error /> }
            })
            .collect_view()
    }
}

/// The message next to one input, when the last error names that field.
/// Its id is `{field}-error`, for the input's `aria-describedby`.
#[component]
pub fn FieldError(
    #[prop(into)] error: Signal<Option<ApiError>>,
    field: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("{field}-error");
    view! {
        <p class="field-error" id=id aria-live="polite">
            {move || {
                error
                    .get()
                    .filter(|e| e.is_for(field))
                    .map(|e| format!("{} {}", error_title(i18n.t(), &e), e.message))
            }}
        </p>
    }
}

/// Whether `error` is about `field` (for `aria-invalid`).
pub fn invalid(error: Signal<Option<ApiError>>, field: &'static str) -> impl Fn() -> &'static str {
    move || {
        if error.get().is_some_and(|e| e.is_for(field)) {
            "true"
        } else {
            "false"
        }
    }
}

#[component]
pub fn StatusBadge(status: ReservationStatus) -> impl IntoView {
    let i18n = use_i18n();
    let class = format!("badge status-{}", status.as_str());
    view! { <span class=class data-status=status.as_str()>{move || status_label(i18n.t(), status)}</span> }
}

#[component]
pub fn Loading() -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="loading" role="status">{move || i18n.t().loading}</p> }
}

mod paged;
mod tabs;

pub use paged::PagedList;
pub use tabs::{When, WhenTabs};
