//! Transactions: snapshot reads, majority commits, and the retries the
//! driver's documentation prescribes, bounded so that neither a rush of
//! write conflicts nor an election makes a request hang.

use std::time::{Duration, Instant};

use mongodb::ClientSession;
use mongodb::bson::doc;
use mongodb::error::{TRANSIENT_TRANSACTION_ERROR, UNKNOWN_TRANSACTION_COMMIT_RESULT};
use mongodb::options::ReadConcern;

use super::Store;
use crate::error::{ApiError, is_unavailable};
use crate::metrics::TransactionEvent;

impl Store {
    /// Runs `body` in a snapshot transaction with a majority, journaled
    /// commit, retrying the whole body on transient errors (write
    /// conflicts, elections) and the commit on unknown results, as the
    /// driver's documentation prescribes. Gives up with `503` after the
    /// configured timeout, or sooner once no primary has answered for the
    /// server-selection timeout, so a request never hangs through an
    /// election: it either finishes on the new primary or is refused
    /// within a few seconds.
    pub async fn transaction<R>(
        &self,
        mut body: impl AsyncFnMut(&mut ClientSession) -> Result<R, ApiError>,
    ) -> Result<R, ApiError> {
        let deadline = Instant::now() + self.transaction_timeout;
        let mut outage = Outage::new(self.outage_patience);
        let mut session = self.client.start_session().await?;
        let mut attempt: u32 = 0;
        'attempt: loop {
            if attempt > 0 {
                let backoff = backoff(attempt);
                if Instant::now() + backoff >= deadline {
                    self.metrics.transaction_giveup(TransactionEvent::Busy);
                    return Err(ApiError::Unavailable(
                        "the database is too busy to finish this change; retry shortly",
                    ));
                }
                tokio::time::sleep(backoff).await;
            }
            attempt += 1;
            let attempt_started = Instant::now();
            // The commit inherits the client's write concern: majority, journaled.
            session
                .start_transaction()
                .read_concern(ReadConcern::snapshot())
                .await?;
            let value = match body(&mut session).await {
                Ok(value) => value,
                Err(error) => {
                    // This attempt is over; the next runs on a fresh
                    // session while the failed one is aborted in the
                    // background. Aborting here would wait for a primary
                    // when there is none.
                    let failed =
                        std::mem::replace(&mut session, self.client.start_session().await?);
                    if no_primary(&error) || !self.topology.writable() {
                        self.end_once_primary_is_back(failed);
                    }
                    if !is_labelled(&error, TRANSIENT_TRANSACTION_ERROR) {
                        return Err(error);
                    }
                    let since = attempt_started;
                    self.retry_or_give_up(error, &mut outage, since, deadline, Retry::Attempt)?;
                    continue 'attempt;
                }
            };
            loop {
                let commit_started = Instant::now();
                let error = match session.commit_transaction().await {
                    Ok(()) => return Ok(value),
                    Err(e) => ApiError::Database(e),
                };
                let since = commit_started;
                let retry = if is_labelled(&error, UNKNOWN_TRANSACTION_COMMIT_RESULT) {
                    Retry::Commit
                } else if is_labelled(&error, TRANSIENT_TRANSACTION_ERROR) {
                    Retry::Attempt
                } else {
                    return Err(error);
                };
                let unreached = no_primary(&error);
                if let Err(refusal) =
                    self.retry_or_give_up(error, &mut outage, since, deadline, retry)
                {
                    // A commit that never reached a primary leaves the
                    // transaction open on the server, holding what it
                    // wrote, and the driver will not abort a transaction
                    // it has tried to commit: the session is killed.
                    if unreached {
                        self.end_once_primary_is_back(session);
                    }
                    return Err(refusal);
                }
                match retry {
                    Retry::Commit => tokio::time::sleep(Duration::from_millis(20)).await,
                    Retry::Attempt => continue 'attempt,
                }
            }
        }
    }

    /// Ends `session`'s transaction on the server once a primary is known
    /// again (or after a minute), by killing the session: `killSessions`
    /// aborts whatever transaction it still has open, whatever the
    /// driver believes. A server may keep a transaction open through a
    /// step-down (SecantusDB does; mongod aborts it), and an abort sent
    /// while there is no primary is lost, as is the commit the driver
    /// could not deliver (after which it sends no abort at all): the
    /// transaction would then hold its seat, guard, cell and wallet
    /// documents until its lifetime ran out, and the client's next
    /// attempts at the same change would meet write conflicts. (A session
    /// dropped while the primary is there aborts in the background, which
    /// is enough then.)
    fn end_once_primary_is_back(&self, session: ClientSession) {
        let topology = self.topology.clone();
        let client = self.client.clone();
        tokio::spawn(async move {
            let deadline = Instant::now() + Duration::from_secs(60);
            while !topology.writable() && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            let lsid = session.id().clone();
            let kill = doc! { "killSessions": [lsid] };
            if let Err(error) = client.database("admin").run_command(kill).await {
                // The transaction's lifetime limit ends it in the end.
                tracing::warn!(error = %error, "a transaction left by an outage could not be ended");
            }
            drop(session);
        });
    }

    /// Decides whether a transaction that failed with a retryable `error`
    /// runs (or commits) again, counting the retry; otherwise answers
    /// with the `503` to give. `since` is when the failed step began: the
    /// driver may already have spent the server-selection timeout on it.
    fn retry_or_give_up(
        &self,
        error: ApiError,
        outage: &mut Outage,
        since: Instant,
        deadline: Instant,
        retry: Retry,
    ) -> Result<(), ApiError> {
        let in_time = Instant::now() < deadline;
        let unavailable = no_primary(&error);
        if unavailable {
            if outage.may_retry(since) && in_time {
                self.metrics
                    .transaction_retry(TransactionEvent::Unavailable);
                return Ok(());
            }
            self.metrics
                .transaction_giveup(TransactionEvent::Unavailable);
            // Answered as 503 "the database is unreachable".
            return Err(error);
        }
        let why = match retry {
            Retry::Attempt => TransactionEvent::WriteConflict,
            Retry::Commit => TransactionEvent::UnknownCommitResult,
        };
        if in_time {
            self.metrics.transaction_retry(why);
            return Ok(());
        }
        tracing::warn!(error = ?error, "transaction abandoned at its deadline");
        Err(match retry {
            Retry::Attempt => {
                self.metrics.transaction_giveup(TransactionEvent::Busy);
                ApiError::Unavailable(
                    "the database is too busy to finish this change; retry shortly",
                )
            }
            Retry::Commit => {
                self.metrics.transaction_giveup(why);
                ApiError::Unavailable(
                    "the database did not confirm this change in time; retry shortly \
                     (a repeat with the same Idempotency-Key gets the first outcome)",
                )
            }
        })
    }
}

/// What a retry repeats: the whole transaction, or only its commit.
#[derive(Debug, Clone, Copy)]
enum Retry {
    Attempt,
    Commit,
}

/// How long a change has gone without a primary.
struct Outage {
    since: Option<Instant>,
    patience: Duration,
}

impl Outage {
    fn new(patience: Duration) -> Self {
        Self {
            since: None,
            patience,
        }
    }

    /// Whether to try again: only within `patience` of the start of the
    /// first step that failed to reach a primary (`since`), so an election
    /// costs a change at most that much more.
    fn may_retry(&mut self, since: Instant) -> bool {
        self.since.get_or_insert(since).elapsed() < self.patience
    }
}

/// Whether the database could not be reached (no primary, a lost
/// connection), as opposed to a conflict or a refusal.
fn no_primary(error: &ApiError) -> bool {
    matches!(error, ApiError::Database(e) if is_unavailable(e))
}

fn is_labelled(error: &ApiError, label: &str) -> bool {
    matches!(error, ApiError::Database(e) if e.contains_label(label))
}

/// Exponential backoff with full jitter: up to 5 ms x 1.5^attempt, capped at 250 ms.
fn backoff(attempt: u32) -> Duration {
    let ceiling = (5.0 * 1.5f64.powi(attempt.min(20) as i32)).min(250.0);
    Duration::from_micros((rand::random::<f64>() * ceiling * 1000.0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_but_stays_bounded() {
        for attempt in 1..50 {
            assert!(backoff(attempt) <= Duration::from_millis(250));
        }
    }
}
