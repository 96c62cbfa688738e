//! Typed, layered settings: built-in `base.toml`, then `{environment}.toml`
//! from the configuration directory, then `APP_SECTION__KEY` environment
//! variables, then `MONGODB_URI`.

use std::path::PathBuf;

use config::{Config, ConfigError, Environment, File, FileFormat};
use secrecy::SecretString;
use serde::Deserialize;

const BASE: &str = include_str!("../configuration/base.toml");

#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub application: ApplicationSettings,
    pub database: DatabaseSettings,
    pub auth: AuthSettings,
    pub reservations: ReservationSettings,
    pub events: EventSettings,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ApplicationSettings {
    pub host: String,
    pub port: u16,
    pub workers: usize,
    pub static_dir: String,
    pub cookie_secure: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseSettings {
    /// May carry credentials, so it never prints.
    pub uri: SecretString,
    pub name: String,
    pub server_selection_timeout_ms: u64,
    pub connect_timeout_ms: u64,
    pub transaction_timeout_ms: u64,
    pub max_pool_size: u32,
}

#[derive(Debug, Clone, Deserialize)]
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
pub struct ReservationSettings {
    pub max_duration_minutes: i64,
    pub max_days_ahead: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EventSettings {
    pub hold_ttl_seconds: i64,
    pub max_seats_per_user: u32,
    pub max_charge: i64,
    pub cache_ttl_ms: u64,
    pub sweep_interval_seconds: u64,
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

    /// Settings from the built-in defaults only, for tools and tests that
    /// adjust fields themselves.
    pub fn defaults() -> Result<Self, ConfigError> {
        Config::builder()
            .add_source(File::from_str(BASE, FileFormat::Toml))
            .build()?
            .try_deserialize()
    }
}
