//! HTTP routes, one module per resource, all under `/api/v1`.

pub mod api_keys;
pub mod archive;
pub mod audit;
pub mod auth;
pub mod bookings;
pub mod health;
pub mod imports;
pub mod limits;
pub mod live;
pub mod methods;
pub mod notifications;
pub mod oidc;
pub mod performances;
pub mod posters;
pub mod queue;
pub mod reconcile;
pub mod reports;
pub mod reservations;
pub mod rooms;
mod sale;
pub mod seats;
pub mod sessions;
pub mod show_edits;
pub mod shows;
pub mod users;
pub mod venues;
pub mod wallet;
pub mod webhooks;

use actix_web::web;

use crate::auth::password::HashCost;
use crate::configuration::Settings;
use crate::domain::reservation::ReservationRules;
use crate::store::login_guard::FailurePolicy;

/// Settings handlers need, shared read-only.
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub hash_cost: HashCost,
    pub session_ttl: chrono::Duration,
    pub cookie_secure: bool,
    pub reservation_rules: ReservationRules,
    pub events: EventRules,
    /// The e-mail language of users who have not chosen one.
    pub mail_language: shared::Language,
    /// How failed logins slow an account down.
    pub login_policy: FailurePolicy,
    /// How long a browser that logged in is exempt from those waits.
    pub trusted_device_ttl: chrono::Duration,
}

impl AppConfig {
    /// Checks and converts the settings handlers use.
    pub fn from_settings(settings: &Settings) -> Result<Self, String> {
        crate::store::catalogue_reads(&settings.database)?;
        let rules = &settings.reservations;
        if rules.max_duration_minutes <= 0 || rules.max_days_ahead <= 0 {
            return Err(
                "reservations.max_duration_minutes and max_days_ahead must be positive".into(),
            );
        }
        let events = &settings.events;
        if events.hold_ttl_seconds <= 0 || events.max_seats_per_user == 0 || events.max_charge <= 0
        {
            return Err(
                "events.hold_ttl_seconds, max_seats_per_user and max_charge must be positive"
                    .into(),
            );
        }
        let limits = &settings.rate_limits;
        if limits.login_slow_after < 1
            || limits.login_lock_after < limits.login_slow_after
            || limits.login_lock_minutes < 1
            || limits.trusted_device_days < 1
        {
            return Err("rate_limits: login_slow_after, login_lock_minutes and \
                 trusted_device_days must be positive, and login_lock_after at least \
                 login_slow_after"
                .into());
        }
        Ok(Self {
            login_policy: FailurePolicy {
                slow_after: limits.login_slow_after,
                lock_after: limits.login_lock_after,
                lock: chrono::Duration::minutes(limits.login_lock_minutes),
            },
            trusted_device_ttl: chrono::Duration::days(limits.trusted_device_days),
            events: EventRules {
                hold_ttl: chrono::Duration::seconds(events.hold_ttl_seconds),
                max_seats_per_user: events.max_seats_per_user,
                max_charge: events.max_charge,
            },
            hash_cost: HashCost::from_settings(&settings.auth),
            session_ttl: chrono::Duration::hours(settings.auth.session_ttl_hours),
            cookie_secure: settings.application.cookie_secure,
            mail_language: settings.mail.default_language,
            reservation_rules: ReservationRules {
                max_duration: chrono::Duration::minutes(rules.max_duration_minutes),
                max_ahead: chrono::Duration::days(rules.max_days_ahead),
            },
        })
    }
}

/// Seated-event limits from configuration.
#[derive(Debug, Clone)]
pub struct EventRules {
    pub hold_ttl: chrono::Duration,
    pub max_seats_per_user: u32,
    pub max_charge: i64,
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    health::configure(cfg);
    limits::configure(cfg);
    auth::configure(cfg);
    oidc::configure(cfg);
    users::configure(cfg);
    rooms::configure(cfg);
    reservations::configure(cfg);
    venues::configure(cfg);
    shows::configure(cfg);
    performances::configure(cfg);
    show_edits::configure(cfg);
    seats::configure(cfg);
    live::configure(cfg);
    queue::configure(cfg);
    bookings::configure(cfg);
    wallet::configure(cfg);
    webhooks::configure(cfg);
    audit::configure(cfg);
    archive::configure(cfg);
    reconcile::configure(cfg);
    imports::configure(cfg);
    reports::configure(cfg);
    notifications::configure(cfg);
    sessions::configure(cfg);
    api_keys::configure(cfg);
}
