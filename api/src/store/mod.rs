//! MongoDB access: one client, majority writes, indexes, transactions.
//!
//! Storage documents live here and never leave: functions take domain values
//! and return `shared` DTOs.

pub mod bookings;
pub mod holds;
pub mod idempotency;
pub mod indexes;
pub mod page;
pub mod reservations;
pub mod rooms;
pub mod seats;
pub mod sessions;
pub mod shows;
pub mod users;
pub mod venues;
pub mod wallet;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use bson::oid::ObjectId;
use bson::{Document, doc};
use mongodb::error::{TRANSIENT_TRANSACTION_ERROR, UNKNOWN_TRANSACTION_COMMIT_RESULT};
use mongodb::options::{Acknowledgment, ClientOptions, ReadConcern, WriteConcern};
use mongodb::{Client, ClientSession, Collection, Database};
use secrecy::ExposeSecret;

use crate::configuration::DatabaseSettings;
use crate::error::ApiError;

/// Handle to the database, cheap to clone.
#[derive(Clone)]
pub struct Store {
    client: Client,
    db: Database,
    transaction_timeout: Duration,
    indexes_ready: Arc<AtomicBool>,
}

impl Store {
    /// Builds the client. Does not contact the server: an unreachable
    /// database shows up as `503`s, not as a failed start.
    pub async fn connect(settings: &DatabaseSettings) -> Result<Self, mongodb::error::Error> {
        let mut options = ClientOptions::parse(settings.uri.expose_secret()).await?;
        options.app_name = Some("reservations-api".into());
        options.server_selection_timeout =
            Some(Duration::from_millis(settings.server_selection_timeout_ms));
        options.connect_timeout = Some(Duration::from_millis(settings.connect_timeout_ms));
        options.max_pool_size = Some(settings.max_pool_size);
        options.retry_writes = Some(true);
        options.retry_reads = Some(true);
        options.write_concern = Some(
            WriteConcern::builder()
                .w(Acknowledgment::Majority)
                .journal(true)
                .w_timeout(Duration::from_secs(10))
                .build(),
        );
        options.read_concern = Some(ReadConcern::majority());
        let client = Client::with_options(options)?;
        Ok(Self {
            db: client.database(&settings.name),
            client,
            transaction_timeout: Duration::from_millis(settings.transaction_timeout_ms),
            indexes_ready: Arc::new(AtomicBool::new(false)),
        })
    }

    pub fn database(&self) -> &Database {
        &self.db
    }

    pub fn collection<T: Send + Sync>(&self, name: &str) -> Collection<T> {
        self.db.collection(name)
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

    /// Runs a command against the server; used by readiness.
    pub async fn run_command(&self, command: Document) -> Result<Document, ApiError> {
        Ok(self.db.run_command(command).await?)
    }

    /// Pings the server.
    pub async fn ping(&self) -> Result<(), ApiError> {
        self.run_command(doc! { "ping": 1 }).await.map(|_| ())
    }

    /// Runs `body` in a snapshot transaction with a majority, journaled commit, retrying
    /// the whole body on transient errors (write conflicts, elections) and
    /// the commit on unknown results, as the driver's documentation
    /// prescribes. Gives up with `503` after the configured timeout so a
    /// request never hangs.
    pub async fn transaction<R>(
        &self,
        mut body: impl AsyncFnMut(&mut ClientSession) -> Result<R, ApiError>,
    ) -> Result<R, ApiError> {
        let deadline = Instant::now() + self.transaction_timeout;
        let mut session = self.client.start_session().await?;
        let mut attempt: u32 = 0;
        'attempt: loop {
            if attempt > 0 {
                let backoff = backoff(attempt);
                if Instant::now() + backoff >= deadline {
                    return Err(ApiError::Unavailable(
                        "the database is too busy to finish this change; retry shortly",
                    ));
                }
                tokio::time::sleep(backoff).await;
            }
            attempt += 1;
            // The commit inherits the client's write concern: majority, journaled.
            session
                .start_transaction()
                .read_concern(ReadConcern::snapshot())
                .await?;
            let value = match body(&mut session).await {
                Ok(value) => value,
                Err(error) => {
                    // The server may already have aborted it; either way it is over.
                    let _ = session.abort_transaction().await;
                    if is_transient(&error) && Instant::now() < deadline {
                        continue 'attempt;
                    }
                    return Err(error);
                }
            };
            loop {
                match session.commit_transaction().await {
                    Ok(()) => return Ok(value),
                    Err(e)
                        if e.contains_label(UNKNOWN_TRANSACTION_COMMIT_RESULT)
                            && Instant::now() < deadline =>
                    {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    Err(e)
                        if e.contains_label(TRANSIENT_TRANSACTION_ERROR)
                            && Instant::now() < deadline =>
                    {
                        continue 'attempt;
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
    }
}

fn is_transient(error: &ApiError) -> bool {
    matches!(error, ApiError::Database(e) if e.contains_label(TRANSIENT_TRANSACTION_ERROR))
}

/// Exponential backoff with full jitter: up to 5 ms x 1.5^attempt, capped at 250 ms.
fn backoff(attempt: u32) -> Duration {
    let ceiling = (5.0 * 1.5f64.powi(attempt.min(20) as i32)).min(250.0);
    Duration::from_micros((rand::random::<f64>() * ceiling * 1000.0) as u64)
}

/// Time zone of documents stored before they carried one.
pub fn default_time_zone() -> String {
    crate::domain::room::DEFAULT_TIME_ZONE.to_owned()
}

/// Parses a path or body id; anything malformed simply names nothing.
pub fn object_id(id: &str, what: &'static str) -> Result<ObjectId, ApiError> {
    ObjectId::parse_str(id).map_err(|_| ApiError::NotFound(what))
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

    #[test]
    fn backoff_grows_but_stays_bounded() {
        for attempt in 1..50 {
            assert!(backoff(attempt) <= Duration::from_millis(250));
        }
    }
}
