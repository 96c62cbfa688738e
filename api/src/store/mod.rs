//! MongoDB access: one client, majority writes, indexes, transactions.
//!
//! Storage documents live here and never leave: functions take domain values
//! and return `shared` DTOs.

pub mod accounts;
pub mod api_keys;
pub mod archive;
pub mod audit;
pub mod bookings;
pub mod cancellation;
pub mod deliveries;
pub mod holds;
pub mod idempotency;
pub mod identities;
mod imports;
pub mod indexes;
mod lease;
pub mod login_guard;
pub mod mails;
pub mod outbox;
pub mod page;
pub mod queue;
pub mod reconcile;
pub mod reports;
pub mod reservations;
mod room_deletion;
pub mod rooms;
pub mod seat_limit;
pub mod seats;
mod secrets;
pub mod sessions;
pub mod show_edits;
pub mod shows;
mod together;
pub mod topology;
mod transaction;
pub mod users;
pub mod venues;
pub mod wallet;
pub mod webhooks;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bson::oid::ObjectId;
use mongodb::options::{
    Acknowledgment, ClientOptions, DatabaseOptions, ReadConcern, ReadPreference,
    ReadPreferenceOptions, SelectionCriteria, WriteConcern,
};
use mongodb::{Client, Collection, Database};
use secrecy::ExposeSecret;

use crate::configuration::{DatabaseSettings, ReadPreferenceSetting};
use crate::error::ApiError;
use crate::metrics::Metrics;

/// Handle to the database, cheap to clone.
#[derive(Clone)]
pub struct Store {
    client: Client,
    db: Database,
    /// The same database, read with `database.read_preference`: only for
    /// public catalogue reads, never for anything that decides.
    catalogue_db: Database,
    transaction_timeout: Duration,
    /// How long a change keeps retrying once no primary answers.
    outage_patience: Duration,
    indexes_ready: Arc<AtomicBool>,
    /// Whether the server takes one `bulkWrite` across collections
    /// (MongoDB 8.0 and later); asked once (`store/together.rs`).
    bulk_write: Arc<tokio::sync::OnceCell<bool>>,
    metrics: Metrics,
    topology: topology::TopologyWatch,
}

/// MongoDB refuses a `maxStalenessSeconds` below this.
pub const MIN_MAX_STALENESS_SECONDS: u64 = 90;

/// Where public catalogue reads go, from the settings.
pub fn catalogue_reads(settings: &DatabaseSettings) -> Result<SelectionCriteria, String> {
    let staleness = settings.max_staleness_seconds;
    let options = match staleness {
        0 => None,
        _ if settings.read_preference == ReadPreferenceSetting::Primary => {
            return Err(
                "database.max_staleness_seconds needs a read_preference other than primary".into(),
            );
        }
        s if s < MIN_MAX_STALENESS_SECONDS => {
            return Err(format!(
                "database.max_staleness_seconds must be 0 (no bound) or at least \
                 {MIN_MAX_STALENESS_SECONDS}, not {s}"
            ));
        }
        s => Some(
            ReadPreferenceOptions::builder()
                .max_staleness(Duration::from_secs(s))
                .build(),
        ),
    };
    let preference = match settings.read_preference {
        ReadPreferenceSetting::Primary => ReadPreference::Primary,
        ReadPreferenceSetting::PrimaryPreferred => ReadPreference::PrimaryPreferred { options },
        ReadPreferenceSetting::SecondaryPreferred => ReadPreference::SecondaryPreferred { options },
        ReadPreferenceSetting::Nearest => ReadPreference::Nearest { options },
    };
    Ok(SelectionCriteria::ReadPreference(preference))
}

impl Store {
    /// Builds the client. Does not contact the server: an unreachable
    /// database shows up as `503`s, not as a failed start.
    pub async fn connect(
        settings: &DatabaseSettings,
        metrics: Metrics,
    ) -> Result<Self, mongodb::error::Error> {
        let catalogue = catalogue_reads(settings).map_err(mongodb::error::Error::custom)?;
        let mut options = ClientOptions::parse(settings.uri.expose_secret()).await?;
        options.app_name = Some("reservations-api".into());
        options.server_selection_timeout =
            Some(Duration::from_millis(settings.server_selection_timeout_ms));
        options.connect_timeout = Some(Duration::from_millis(settings.connect_timeout_ms));
        options.heartbeat_freq = Some(Duration::from_millis(settings.heartbeat_frequency_ms));
        options.max_pool_size = Some(settings.max_pool_size);
        options.retry_writes = Some(true);
        options.retry_reads = Some(true);
        options.write_concern = Some(
            WriteConcern::builder()
                .w(Acknowledgment::Majority)
                .journal(true)
                .w_timeout(Duration::from_millis(settings.write_timeout_ms))
                .build(),
        );
        options.read_concern = Some(ReadConcern::majority());
        options.command_event_handler = Some(metrics.command_events());
        options.cmap_event_handler = Some(metrics.pool_events());
        let topology = topology::TopologyWatch::default();
        options.sdam_event_handler = Some(topology.events(metrics.clone()));
        let client = Client::with_options(options)?;
        Ok(Self {
            db: client.database(&settings.name),
            catalogue_db: client.database_with_options(
                &settings.name,
                DatabaseOptions::builder()
                    .selection_criteria(catalogue)
                    .build(),
            ),
            client,
            transaction_timeout: Duration::from_millis(settings.transaction_timeout_ms),
            outage_patience: Duration::from_millis(settings.server_selection_timeout_ms),
            indexes_ready: Arc::new(AtomicBool::new(false)),
            bulk_write: Arc::new(tokio::sync::OnceCell::new()),
            metrics,
            topology,
        })
    }

    /// For one-off commands (seed, reconcile, import, archive): connects
    /// and waits up to [`COMMAND_PATIENCE`] for a primary, so a database
    /// still starting or electing, or a machine too busy to answer the
    /// first `hello` in time, delays the command rather than failing it.
    pub async fn connect_for_command(
        settings: &DatabaseSettings,
        metrics: Metrics,
    ) -> Result<Self, ApiError> {
        let store = Self::connect(settings, metrics).await?;
        let deadline = std::time::Instant::now() + COMMAND_PATIENCE;
        loop {
            let ping = store
                .client
                .database("admin")
                .run_command(bson::doc! { "ping": 1 })
                .await;
            match ping {
                Ok(_) => return Ok(store),
                Err(e)
                    if matches!(*e.kind, mongodb::error::ErrorKind::ServerSelection { .. })
                        && std::time::Instant::now() < deadline =>
                {
                    tracing::info!(error = %e, "waiting for the database's primary");
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    pub fn database(&self) -> &Database {
        &self.db
    }

    pub fn collection<T: Send + Sync>(&self, name: &str) -> Collection<T> {
        self.db.collection(name)
    }

    /// A collection for public catalogue reads, which may be answered by a
    /// secondary (`database.read_preference`). Nothing that decides a
    /// booking, and no user's own data, may be read through it.
    pub fn catalogue_collection<T: Send + Sync>(&self, name: &str) -> Collection<T> {
        self.catalogue_db.collection(name)
    }

    /// Whether the unique indexes that guard bookings exist. Until they do,
    /// the API refuses requests rather than risk a double booking.
    pub fn indexes_ready(&self) -> bool {
        self.indexes_ready.load(Ordering::Acquire)
    }

    /// Creates every index; idempotent.
    pub async fn ensure_indexes(&self) -> Result<(), mongodb::error::Error> {
        indexes::ensure(&self.db).await
    }

    /// Called once startup preparation (indexes first) has finished.
    pub fn mark_ready(&self) {
        self.indexes_ready.store(true, Ordering::Release);
    }
}
/// How long a one-off command waits for the database's primary.
pub const COMMAND_PATIENCE: Duration = Duration::from_secs(60);

/// Time zone of documents stored before they carried one.
pub fn default_time_zone() -> String {
    crate::domain::room::DEFAULT_TIME_ZONE.to_owned()
}

/// Parses a path or body id; anything malformed simply names nothing.
pub fn object_id(id: &str, what: &'static str) -> Result<ObjectId, ApiError> {
    ObjectId::parse_str(id).map_err(|_| ApiError::NotFound(what))
}

/// A storage document as BSON, for writes that take plain documents.
pub fn to_document(value: &impl serde::Serialize) -> Result<bson::Document, ApiError> {
    bson::to_document(value).map_err(|e| ApiError::Internal(format!("storage document: {e}")))
}

pub fn to_bson_time(instant: chrono::DateTime<chrono::Utc>) -> bson::DateTime {
    bson::DateTime::from_chrono(instant)
}

/// Escapes text for use inside a MongoDB regular expression.
pub fn regex_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\^$.|?*+()[]{}-/".contains(c) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regex_metacharacters_are_escaped() {
        assert_eq!(regex_escape("1.층 (A)"), "1\\.층 \\(A\\)");
    }
}
