//! Typed, layered settings: built-in `base.toml`, then `{environment}.toml`
//! from the configuration directory, then `APP_SECTION__KEY` environment
//! variables, then `MONGODB_URI`.

use std::collections::HashMap;
use std::path::PathBuf;

use config::{Config, ConfigError, Environment, File, FileFormat};
use secrecy::SecretString;
use serde::Deserialize;

const BASE: &str = include_str!("../configuration/base.toml");

/// Variables read other than through the settings sections.
const DIRECT_VARIABLES: [&str; 5] = [
    "APP_ENVIRONMENT",
    "APP_CONFIG_DIR",
    "APP_LOG_FORMAT",
    "MONGODB_URI",
    "RUST_LOG",
];

#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub application: ApplicationSettings,
    pub database: DatabaseSettings,
    pub auth: AuthSettings,
    pub reservations: ReservationSettings,
    pub events: EventSettings,
    pub queue: WaitingRoomSettings,
    pub webhooks: WebhookSettings,
    pub reconcile: ReconcileSettings,
    pub mail: MailSettings,
    pub security: SecuritySettings,
    pub rate_limits: RateLimitSettings,
    #[serde(default)]
    pub oidc: crate::oidc::settings::OidcSettings,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationSettings {
    pub host: String,
    pub port: u16,
    pub workers: usize,
    pub static_dir: String,
    pub cookie_secure: bool,
    pub shutdown_grace_seconds: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// May carry credentials, so it never prints.
    pub uri: SecretString,
    pub name: String,
    pub server_selection_timeout_ms: u64,
    pub connect_timeout_ms: u64,
    pub write_timeout_ms: u64,
    pub transaction_timeout_ms: u64,
    pub max_pool_size: u32,
    pub heartbeat_frequency_ms: u64,
    pub read_preference: ReadPreferenceSetting,
    pub max_staleness_seconds: u64,
}

/// Where public catalogue reads may go, in MongoDB's own names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum ReadPreferenceSetting {
    Primary,
    PrimaryPreferred,
    SecondaryPreferred,
    Nearest,
}

impl TryFrom<String> for ReadPreferenceSetting {
    type Error = String;

    fn try_from(name: String) -> Result<Self, Self::Error> {
        match name.as_str() {
            "primary" => Ok(Self::Primary),
            "primaryPreferred" => Ok(Self::PrimaryPreferred),
            "secondaryPreferred" => Ok(Self::SecondaryPreferred),
            "nearest" => Ok(Self::Nearest),
            // `secondary` alone would leave catalogue pages down whenever
            // no secondary answers, so it is not offered.
            other => Err(format!(
                "`{other}` is no read preference this API takes: use primary, \
                 primaryPreferred, secondaryPreferred or nearest"
            )),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    pub session_ttl_hours: i64,
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    pub argon2_parallelism: u32,
    pub bootstrap_admin_email: String,
    pub bootstrap_admin_password: SecretString,
    pub bootstrap_admin_name: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReservationSettings {
    pub max_duration_minutes: i64,
    pub max_days_ahead: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventSettings {
    pub hold_ttl_seconds: i64,
    pub max_seats_per_user: u32,
    pub max_charge: i64,
    pub cache_ttl_ms: u64,
    pub sweep_interval_seconds: u64,
    /// Live seat-map streams one instance serves at once; beyond it new
    /// ones get `503` and the web app polls instead.
    pub live_streams_max: usize,
    /// How often an idle live stream sends a comment, so proxies keep it open.
    pub live_keepalive_seconds: u64,
}

/// How the waiting rooms run; each performance's own settings are set
/// through the API.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaitingRoomSettings {
    /// How often the scheduler admits buyers.
    pub tick_ms: u64,
    /// How long the scheduler's lease lasts without renewal: after the
    /// holder dies, another instance takes over within this.
    pub lease_seconds: u64,
    /// How stale an instance's view of each line may be.
    pub board_refresh_ms: u64,
    /// How often an instance records its buyers' polls.
    pub heartbeat_flush_ms: u64,
    /// Base64 key (32 bytes or more) signing tickets and admissions; empty:
    /// one is made at random and kept in the database.
    pub signing_key: SecretString,
}

/// How webhooks are delivered; endpoints are registered through the API.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookSettings {
    /// Whether this instance delivers.
    pub dispatch: bool,
    /// How often an idle instance looks for work.
    pub poll_ms: u64,
    /// Deliveries one instance sends at once.
    pub concurrency: usize,
    /// How long an endpoint may take to answer.
    pub timeout_seconds: u64,
    /// Backoff: the first retry's delay, and the longest.
    pub retry_base_ms: u64,
    pub retry_max_ms: u64,
    /// How long after its first attempt a delivery becomes a dead letter.
    pub retry_for_seconds: u64,
}

/// E-mail to users (`mail/`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    /// Whether this instance sends (instances share the work).
    pub send: bool,
    /// The SMTP server; empty: e-mail is written to the log, not sent.
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_security: SmtpSecurity,
    /// Empty: no authentication.
    pub smtp_username: String,
    pub smtp_password: SecretString,
    /// The sender, e.g. `Reservations <no-reply@example.com>`.
    pub from: String,
    /// Where users reach the web app; links in e-mail point there.
    pub base_url: String,
    /// The language of e-mail to users who have not chosen one.
    pub default_language: shared::Language,
    /// Reminders this long before a reservation or performance; 0: none.
    pub reminder_minutes: u64,
    /// How often an idle instance looks for e-mail to send.
    pub poll_ms: u64,
    /// E-mail one instance sends per second at most (0: no limit), so a
    /// rush of bookings is not slowed by its own confirmations.
    pub max_per_second: u32,
    /// How long the SMTP server may take to answer.
    pub timeout_seconds: u64,
    /// Backoff between attempts, as for webhooks.
    pub retry_base_ms: u64,
    pub retry_max_ms: u64,
    /// How long after its first attempt an e-mail is given up.
    pub retry_for_seconds: u64,
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS, which must succeed (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a server on this machine or in tests.
    None,
}

/// Browser safety (`security/`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecuritySettings {
    /// `Strict-Transport-Security` max-age; 0 sends none.
    pub hsts_seconds: u64,
    /// Comma-separated origins, besides the API's own, whose pages may
    /// change things with the session cookie.
    pub allowed_origins: String,
    /// Comma-separated addresses or networks of reverse proxies whose
    /// `X-Forwarded-For` names the client.
    pub trusted_proxies: String,
}

/// Request rates (`security/limits.rs`): `"off"` or `"<n>/<second|minute|hour>"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitSettings {
    pub login_per_address: String,
    pub register_per_address: String,
    pub booking_per_user: String,
    pub public_reads_per_address: String,
    /// Failed logins for one account before each further one doubles the
    /// wait for the next attempt (from 1 s).
    pub login_slow_after: i64,
    /// Failed logins before the account is locked for `login_lock_minutes`.
    pub login_lock_after: i64,
    pub login_lock_minutes: i64,
    /// How long a browser that logged in stays exempt from those waits.
    pub trusted_device_days: i64,
}

/// The periodic reconciliation (`store/reconcile`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReconcileSettings {
    /// Seconds between runs across the cluster; 0: no periodic runs.
    pub every_seconds: u64,
    /// Whether periodic runs fix what they find.
    pub repair: bool,
}

impl Settings {
    /// Loads settings for `APP_ENVIRONMENT` (default `local`) from the
    /// directory in `APP_CONFIG_DIR` (default: this crate's `configuration/`).
    pub fn load() -> Result<Self, ConfigError> {
        let environment = std::env::var("APP_ENVIRONMENT").unwrap_or_else(|_| "local".into());
        let dir = std::env::var_os("APP_CONFIG_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("configuration"));
        let mut builder = Config::builder()
            .add_source(File::from_str(BASE, FileFormat::Toml))
            .add_source(File::from(dir.join(format!("{environment}.toml"))).required(false))
            .add_source(
                Environment::with_prefix("APP")
                    .prefix_separator("_")
                    .separator("__")
                    .try_parsing(true),
            );
        if let Ok(uri) = std::env::var("MONGODB_URI") {
            builder = builder.set_override("database.uri", uri)?;
        }
        builder.build()?.try_deserialize()
    }

    /// Every environment variable the API reads: `APP_<SECTION>__<KEY>` for
    /// each setting of `base.toml`, and the few read directly.
    pub fn environment_variables() -> Result<Vec<String>, ConfigError> {
        let base: HashMap<String, HashMap<String, config::Value>> = Config::builder()
            .add_source(File::from_str(BASE, FileFormat::Toml))
            .build()?
            .try_deserialize()?;
        let mut names: Vec<String> = DIRECT_VARIABLES.iter().map(|s| (*s).to_owned()).collect();
        for (section, keys) in base {
            for key in keys.into_keys() {
                names.push(format!("APP_{section}__{key}").to_uppercase());
            }
        }
        names.sort();
        Ok(names)
    }

    /// Settings from the built-in defaults only, for tools and tests that
    /// adjust fields themselves.
    pub fn defaults() -> Result<Self, ConfigError> {
        Config::builder()
            .add_source(File::from_str(BASE, FileFormat::Toml))
            .build()?
            .try_deserialize()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(extra: &str) -> Result<Settings, ConfigError> {
        Config::builder()
            .add_source(File::from_str(BASE, FileFormat::Toml))
            .add_source(File::from_str(extra, FileFormat::Toml))
            .build()?
            .try_deserialize()
    }

    #[test]
    fn a_mistyped_setting_is_refused_by_name() {
        let error = with("[database]\nread_preferences = \"nearest\"").unwrap_err();

        assert!(error.to_string().contains("read_preferences"), "{error}");
    }

    #[test]
    fn a_read_preference_outside_the_four_is_refused_naming_them() {
        let error = with("[database]\nread_preference = \"secondary\"").unwrap_err();

        let message = error.to_string();
        assert!(message.contains("`secondary`"), "{message}");
        assert!(message.contains("secondaryPreferred"), "{message}");
        assert_eq!(
            with("[database]\nread_preference = \"secondaryPreferred\"")
                .unwrap()
                .database
                .read_preference,
            ReadPreferenceSetting::SecondaryPreferred
        );
    }

    #[test]
    fn every_setting_has_its_environment_variable() {
        let names = Settings::environment_variables().unwrap();

        for name in [
            "APP_DATABASE__READ_PREFERENCE",
            "APP_APPLICATION__SHUTDOWN_GRACE_SECONDS",
            "APP_EVENTS__CACHE_TTL_MS",
            "MONGODB_URI",
        ] {
            assert!(names.iter().any(|n| n == name), "{name} missing: {names:?}");
        }
    }
}
