//! Korean and English. Every string the app shows lives in a [`Texts`]
//! table, one per language, so a missing translation does not compile.
//! The choice is kept in localStorage; the first visit follows the browser.

mod en;
mod ko;

use leptos::prelude::*;
use shared::{ErrorCode, ReservationStatus, Role};

use crate::api::ApiError;

const STORAGE_KEY: &str = "lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Ko,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Ko => "ko",
        }
    }

    /// The locale `Intl` formats dates for.
    pub fn locale(self) -> &'static str {
        match self {
            Self::En => "en-US",
            Self::Ko => "ko-KR",
        }
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Self::En => &en::TEXTS,
            Self::Ko => &ko::TEXTS,
        }
    }

    fn from_code(code: &str) -> Option<Self> {
        let code = code.to_ascii_lowercase();
        if code.starts_with("ko") {
            Some(Self::Ko)
        } else if code.starts_with("en") {
            Some(Self::En)
        } else {
            None
        }
    }
}

/// The language in force, shared through context.
#[derive(Debug, Clone, Copy)]
pub struct I18n {
    lang: RwSignal<Lang>,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

impl I18n {
    /// Reads the saved choice, else the browser's languages, and provides it.
    pub fn provide() -> Self {
        let saved = storage()
            .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
            .and_then(|code| Lang::from_code(&code));
        let browser = || {
            let languages = web_sys::window()?.navigator().languages();
            languages
                .iter()
                .filter_map(|l| l.as_string())
                .find_map(|l| Lang::from_code(&l))
        };
        let lang = saved.or_else(browser).unwrap_or(Lang::En);
        let i18n = Self {
            lang: RwSignal::new(lang),
        };
        i18n.mark_document(lang);
        provide_context(i18n);
        i18n
    }

    pub fn lang(&self) -> Lang {
        self.lang.get()
    }

    /// The texts of the language in force (tracked: views re-render on a switch).
    pub fn t(&self) -> &'static Texts {
        self.lang.get().texts()
    }

    pub fn set(&self, lang: Lang) {
        if let Some(storage) = storage() {
            let _ = storage.set_item(STORAGE_KEY, lang.code());
        }
        self.mark_document(lang);
        self.lang.set(lang);
    }

    fn mark_document(&self, lang: Lang) {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", lang.code());
        }
        document().set_title(lang.texts().app_name);
    }
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// A person-readable summary of an error in the chosen language. The API's
/// own message (English) is shown beside it when it adds detail.
pub fn error_title(t: &Texts, error: &ApiError) -> &'static str {
    match error.code {
        None if error.status == 0 => t.err_network,
        None => t.err_unexpected,
        Some(code) => match code {
            ErrorCode::InvalidInput | ErrorCode::InvalidJson | ErrorCode::InvalidQuery => {
                t.err_invalid
            }
            ErrorCode::Unauthenticated => t.err_unauthenticated,
            ErrorCode::InvalidCredentials => t.err_credentials,
            ErrorCode::Forbidden => t.err_forbidden,
            ErrorCode::NotFound => t.err_not_found,
            ErrorCode::EmailTaken => t.err_email_taken,
            ErrorCode::RoomNameTaken => t.err_room_name_taken,
            ErrorCode::SlotTaken => t.err_slot_taken,
            ErrorCode::InvalidStatus => t.err_invalid_status,
            ErrorCode::RoomInUse => t.err_room_in_use,
            ErrorCode::LastAdmin => t.err_last_admin,
            ErrorCode::Unavailable => t.err_unavailable,
            _ => t.err_unexpected,
        },
    }
}

pub fn status_label(t: &Texts, status: ReservationStatus) -> &'static str {
    match status {
        ReservationStatus::Pending => t.status_pending,
        ReservationStatus::Approved => t.status_approved,
        ReservationStatus::Rejected => t.status_rejected,
        ReservationStatus::Cancelled => t.status_cancelled,
    }
}

pub fn role_label(t: &Texts, role: Role) -> &'static str {
    match role {
        Role::User => t.role_user,
        Role::Admin => t.role_admin,
    }
}

/// Every string of the interface, in one language.
pub struct Texts {
    pub app_name: &'static str,
    pub skip_to_content: &'static str,
    pub nav_rooms: &'static str,
    pub nav_my: &'static str,
    pub nav_admin: &'static str,
    pub nav_main: &'static str,
    pub language: &'static str,
    pub log_in: &'static str,
    pub log_out: &'static str,
    pub register: &'static str,
    pub signed_in_as: &'static str,
    pub loading: &'static str,
    pub not_found_title: &'static str,
    pub not_found_body: &'static str,
    pub back_to_rooms: &'static str,
    // Sign in and registration.
    pub login_title: &'static str,
    pub login_needed: &'static str,
    pub email: &'static str,
    pub password: &'static str,
    pub name: &'static str,
    pub password_hint: &'static str,
    pub no_account: &'static str,
    pub have_account: &'static str,
    pub register_title: &'static str,
    pub registered: &'static str,
    pub logging_in: &'static str,
    // Rooms.
    pub rooms_title: &'static str,
    pub filters: &'static str,
    pub min_capacity: &'static str,
    pub projector: &'static str,
    pub projector_any: &'static str,
    pub projector_yes: &'static str,
    pub projector_no: &'static str,
    pub location: &'static str,
    pub free_between: &'static str,
    pub free_from: &'static str,
    pub free_to: &'static str,
    pub free_hint: fn(&str) -> String,
    pub apply: &'static str,
    pub clear: &'static str,
    pub no_rooms: &'static str,
    pub rooms_count: fn(usize) -> String,
    pub capacity: &'static str,
    pub people: fn(u32) -> String,
    pub notes: &'static str,
    pub needs_approval: &'static str,
    pub load_more: &'static str,
    pub view_room: &'static str,
    // One room: timeline and booking.
    pub room_details: &'static str,
    pub time_zone: &'static str,
    pub slot_size: &'static str,
    pub minutes: fn(u32) -> String,
    pub day: &'static str,
    pub week: &'static str,
    pub today: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub go_to_date: &'static str,
    pub timeline_title: &'static str,
    pub timeline_own_only: &'static str,
    pub timeline_all: &'static str,
    pub timeline_empty: &'static str,
    pub book_title: &'static str,
    pub book_login: &'static str,
    pub date: &'static str,
    pub start: &'static str,
    pub end: &'static str,
    pub purpose: &'static str,
    pub purpose_hint: &'static str,
    pub times_in_zone: fn(&str) -> String,
    pub book: &'static str,
    pub booking: &'static str,
    pub booked: fn(&str, &str) -> String,
    pub check_free: &'static str,
    pub is_free: &'static str,
    pub is_not_free: &'static str,
    pub end_after_start: &'static str,
    pub purpose_required: &'static str,
    pub bad_local_time: &'static str,
    // My reservations.
    pub my_title: &'static str,
    pub upcoming: &'static str,
    pub past: &'static str,
    pub no_upcoming: &'static str,
    pub no_past: &'static str,
    pub room: &'static str,
    pub when: &'static str,
    pub status: &'static str,
    pub actions: &'static str,
    pub cancel: &'static str,
    pub cancel_confirm: &'static str,
    pub cancel_yes: &'static str,
    pub cancel_keep: &'static str,
    pub status_pending: &'static str,
    pub status_approved: &'static str,
    pub status_rejected: &'static str,
    pub status_cancelled: &'static str,
    // Administration.
    pub admin_title: &'static str,
    pub admin_only: &'static str,
    pub admin_rooms: &'static str,
    pub approvals: &'static str,
    pub users: &'static str,
    pub new_room: &'static str,
    pub edit_room: &'static str,
    pub edit: &'static str,
    pub delete: &'static str,
    pub delete_confirm: fn(&str) -> String,
    pub delete_yes: &'static str,
    pub save: &'static str,
    pub saving: &'static str,
    pub saved: &'static str,
    pub create: &'static str,
    pub back: &'static str,
    pub has_projector: &'static str,
    pub requires_approval: &'static str,
    pub time_zone_hint: &'static str,
    pub unknown_zone: &'static str,
    pub no_pending: &'static str,
    pub requested_by: &'static str,
    pub approve: &'static str,
    pub reject: &'static str,
    pub approved_msg: &'static str,
    pub rejected_msg: &'static str,
    pub role: &'static str,
    pub role_user: &'static str,
    pub role_admin: &'static str,
    pub member_since: &'static str,
    pub you: &'static str,
    // Errors by API code.
    pub err_network: &'static str,
    pub err_unexpected: &'static str,
    pub err_invalid: &'static str,
    pub err_unauthenticated: &'static str,
    pub err_credentials: &'static str,
    pub err_forbidden: &'static str,
    pub err_not_found: &'static str,
    pub err_email_taken: &'static str,
    pub err_room_name_taken: &'static str,
    pub err_slot_taken: &'static str,
    pub err_invalid_status: &'static str,
    pub err_room_in_use: &'static str,
    pub err_last_admin: &'static str,
    pub err_unavailable: &'static str,
    pub server_said: &'static str,
}
