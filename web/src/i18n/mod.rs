//! Korean and English. Every string the app shows lives in a [`Texts`]
//! table, one per language, so a missing translation does not compile.
//! The choice is kept in localStorage; the first visit follows the browser.

mod en;
mod ko;
mod texts;

pub use texts::Texts;

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

impl I18n {
    /// Reads the saved choice, else the browser's languages, and provides it.
    pub fn provide() -> Self {
        let saved = crate::storage::local()
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
        if let Some(storage) = crate::storage::local() {
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
            ErrorCode::SeatTaken => t.err_seat_taken,
            ErrorCode::SeatLimitExceeded => t.err_seat_limit,
            ErrorCode::HoldExpired => t.err_hold_expired,
            ErrorCode::InsufficientPoints => t.err_insufficient_points,
            ErrorCode::SaleNotOpen => t.err_sale_not_open,
            ErrorCode::PerformanceStarted => t.err_performance_started,
            ErrorCode::PerformanceCancelled => t.err_performance_cancelled,
            ErrorCode::IdempotencyKeyReused => t.err_key_reused,
            ErrorCode::Unavailable => t.err_unavailable,
            ErrorCode::AdmissionRequired
            | ErrorCode::AdmissionInvalid
            | ErrorCode::AdmissionExpired
            | ErrorCode::AdmissionRevoked => t.err_admission,
            ErrorCode::RateLimited => t.err_rate_limited,
            ErrorCode::LoginThrottled => t.err_login_throttled,
            ErrorCode::CrossSiteRequest => t.err_cross_site,
            ErrorCode::IdentityLinked => t.err_identity_linked,
            ErrorCode::VenueInUse => t.err_venue_in_use,
            ErrorCode::VenueNameTaken => t.err_venue_name_taken,
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
