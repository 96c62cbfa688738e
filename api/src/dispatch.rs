//! The webhook dispatcher every instance runs: fans new events out into
//! deliveries, then claims deliveries that are due and sends them, signed
//! as the Standard Webhooks specification says, retrying with exponential
//! backoff and jitter until the retry period ends (`store/deliveries.rs`
//! for the claims and the order per target).

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use shared::DeliveryStatus;
use standardwebhooks::Webhook;
use tokio::sync::Semaphore;

use crate::background::Stopped;
use crate::configuration::WebhookSettings;
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::store::Store;
use crate::store::deliveries::{AttemptDoc, DeliveryDoc, Outcome};
use crate::store::outbox::EventDoc;

/// Events fanned out per round.
const FAN_OUT_BATCH: i64 = 500;
/// How soon a delivery to a disabled endpoint looks again.
const WAIT_WHILE_DISABLED: chrono::Duration = chrono::Duration::seconds(30);
/// Longest error text kept with an attempt.
const MAX_ERROR_CHARS: usize = 300;

#[derive(Clone)]
struct Dispatcher {
    store: Store,
    metrics: Metrics,
    client: reqwest::Client,
    settings: WebhookSettings,
}

/// Starts this instance's dispatcher, unless `webhooks.dispatch` is off.
pub fn spawn(
    store: Store,
    metrics: Metrics,
    settings: WebhookSettings,
    stopped: Stopped,
) -> Result<(), String> {
    if !settings.dispatch {
        return Ok(());
    }
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(settings.timeout_seconds.max(1)))
        .connect_timeout(Duration::from_secs(settings.timeout_seconds.clamp(1, 10)))
        // A redirect is an answer to fix the URL, not to follow blindly.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("reservations-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("webhook client: {e}"))?;
    let dispatcher = Dispatcher {
        store,
        metrics,
        client,
        settings,
    };
    tokio::spawn(dispatcher.run(stopped));
    Ok(())
}

impl Dispatcher {
    fn claim_length(&self) -> chrono::Duration {
        chrono::Duration::seconds(i64::try_from(self.settings.timeout_seconds).unwrap_or(60) + 10)
    }

    async fn run(self, mut stopped: Stopped) {
        let permits = Arc::new(Semaphore::new(self.settings.concurrency.max(1)));
        let poll = Duration::from_millis(self.settings.poll_ms.max(10));
        loop {
            let busy = if self.store.indexes_ready() {
                self.round(&permits).await
            } else {
                false
            };
            let carry_on = if busy {
                // Every permit is out: go on as soon as one comes back.
                tokio::select! {
                    _ = permits.acquire() => true,
                    () = stopped.wait() => false,
                }
            } else {
                stopped.sleep(poll).await
            };
            if !carry_on {
                return;
            }
        }
    }

    /// Fans out, then starts deliveries while permits last. `true` if it
    /// stopped for lack of permits (there may be more due).
    async fn round(&self, permits: &Arc<Semaphore>) -> bool {
        if let Err(e) = self.store.fan_out(FAN_OUT_BATCH).await {
            tracing::debug!(error = %e, "webhook fan-out skipped");
        }
        // The database's clock judges claims, as every instance's does.
        let skew = match self.store.server_time().await {
            Ok(server) => server - Utc::now(),
            Err(e) => {
                tracing::debug!(error = %e, "webhook dispatch skipped");
                return false;
            }
        };
        loop {
            let Ok(permit) = Arc::clone(permits).try_acquire_owned() else {
                return true;
            };
            let now = Utc::now() + skew;
            match self
                .store
                .claim_delivery(now, now + self.claim_length())
                .await
            {
                Ok(Some(delivery)) => {
                    let this = self.clone();
                    tokio::spawn(async move {
                        if let Err(e) = this.deliver(&delivery, skew).await {
                            tracing::warn!(error = ?e, delivery = %delivery.id, "webhook delivery not recorded; it is retried once its claim ends");
                        }
                        drop(permit);
                    });
                }
                Ok(None) => return false,
                Err(e) => {
                    tracing::debug!(error = %e, "webhook claim failed");
                    return false;
                }
            }
        }
    }

    async fn deliver(
        &self,
        delivery: &DeliveryDoc,
        skew: chrono::Duration,
    ) -> Result<(), ApiError> {
        let now = || Utc::now() + skew;
        if let Some(until) = self.store.delivery_waits(delivery, now()).await? {
            return self.store.postpone_delivery(delivery, until).await;
        }
        let Some(endpoint) = self.store.webhook(delivery.endpoint_id).await? else {
            // Deleted: its deliveries go with it.
            return self.store.drop_delivery(delivery).await;
        };
        if !endpoint.enabled {
            return self
                .store
                .postpone_delivery(delivery, now() + WAIT_WHILE_DISABLED)
                .await;
        }
        let event = self
            .store
            .events()
            .find_one(bson::doc! { "_id": delivery.event_id })
            .await?
            .ok_or_else(|| ApiError::Internal(format!("event {} is gone", delivery.event_id)))?;
        let body = payload(&event)?;
        // The reads above may have been slow (an election): make sure the
        // claim still holds for a whole attempt before sending, so no other
        // instance sends this delivery meanwhile.
        if !self
            .store
            .renew_claim(delivery, now() + self.claim_length())
            .await?
        {
            tracing::info!(delivery = %delivery.id, "webhook claim lost before sending; left to its new holder");
            return Ok(());
        }
        let sent_at = now();
        let started = Instant::now();
        let result = self
            .send(&endpoint.url, &endpoint.secret, &event, &body, sent_at)
            .await;
        let latency_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        let (status, error) = match result {
            Ok(code) => (Some(code), None),
            Err(error) => (None, Some(error)),
        };
        let delivered = status.is_some_and(|code| (200..300).contains(&code));
        let first = delivery.first_attempt_at.map_or(sent_at, |t| t.to_chrono());
        let retry_for = chrono::Duration::seconds(
            i64::try_from(self.settings.retry_for_seconds).unwrap_or(i64::MAX / 1000),
        );
        let next = sent_at + backoff(&self.settings, delivery.attempts + 1);
        let (status_after, retry_at) = if delivered {
            (DeliveryStatus::Delivered, None)
        } else if next - first > retry_for {
            (DeliveryStatus::Dead, None)
        } else {
            (DeliveryStatus::Pending, Some(next))
        };
        match status_after {
            DeliveryStatus::Dead => {
                tracing::warn!(delivery = %delivery.id, url = %endpoint.url, "webhook delivery parked as a dead letter");
                self.metrics.webhook_delivery("dead");
            }
            DeliveryStatus::Pending => {
                tracing::info!(delivery = %delivery.id, status = ?status, error = ?error, "webhook delivery failed; retrying");
                self.metrics.webhook_delivery("retried");
            }
            DeliveryStatus::Delivered => self.metrics.webhook_delivery("delivered"),
        }
        let outcome = Outcome {
            attempt: AttemptDoc {
                at: crate::store::to_bson_time(sent_at),
                status,
                error,
                latency_ms,
            },
            status: status_after,
            retry_at,
        };
        if !self.store.finish_attempt(delivery, outcome).await? {
            tracing::warn!(delivery = %delivery.id, "webhook claim lost before the result was written");
        }
        Ok(())
    }

    /// POSTs one signed attempt; the status answered, or why there was none.
    async fn send(
        &self,
        url: &str,
        secret: &str,
        event: &EventDoc,
        body: &str,
        at: DateTime<Utc>,
    ) -> Result<u16, String> {
        let signer = Webhook::new(secret).map_err(|e| format!("endpoint secret: {e}"))?;
        let id = event.id.to_hex();
        let timestamp = at.timestamp();
        let signature = signer
            .sign(&id, timestamp, body.as_bytes())
            .map_err(|e| format!("signing: {e}"))?;
        let response = self
            .client
            .post(url)
            .header(standardwebhooks::HEADER_WEBHOOK_ID, &id)
            .header(
                standardwebhooks::HEADER_WEBHOOK_TIMESTAMP,
                timestamp.to_string(),
            )
            .header(standardwebhooks::HEADER_WEBHOOK_SIGNATURE, signature)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_owned())
            .send()
            .await
            .map_err(describe)?;
        Ok(response.status().as_u16())
    }
}

/// The JSON body: `{"type", "timestamp", "data"}` as the specification
/// suggests, `data` naming the target, its change number and its state.
pub fn payload(event: &EventDoc) -> Result<String, ApiError> {
    let mut actor = serde_json::Map::new();
    if let Some(user) = event.actor.user_id {
        actor.insert("user_id".into(), user.to_hex().into());
    }
    if let Some(job) = &event.actor.job {
        actor.insert("job".into(), job.clone().into());
    }
    let body = serde_json::json!({
        "type": event.event_type,
        "timestamp": event.occurred_at.to_chrono(),
        "data": {
            "target_type": event.target_type,
            "target_id": event.target_id.to_hex(),
            "seq": event.seq,
            "actor": actor,
            "state": bson::Bson::Document(event.data.clone()).into_relaxed_extjson(),
        },
    });
    serde_json::to_string(&body).map_err(|e| ApiError::Internal(format!("webhook body: {e}")))
}

/// Why a request got no answer, short enough to keep.
fn describe(error: reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    let mut text = format!("{kind}: {error}");
    if let Some(source) = std::error::Error::source(&error) {
        text.push_str(&format!(" ({source})"));
    }
    text.chars().take(MAX_ERROR_CHARS).collect()
}

/// The wait before attempt `attempt + 1`: `retry_base_ms` doubled per
/// attempt up to `retry_max_ms`, then a random part of it between half and
/// all, so endpoints coming back are not met by every retry at once.
pub fn backoff(settings: &WebhookSettings, attempt: u32) -> chrono::Duration {
    backoff_between(settings.retry_base_ms, settings.retry_max_ms, attempt)
}

/// The same backoff from a first delay and a longest one (e-mail uses it).
pub fn backoff_between(base_ms: u64, max_ms: u64, attempt: u32) -> chrono::Duration {
    let doubled = base_ms.saturating_mul(1u64 << attempt.saturating_sub(1).min(40));
    let ceiling = doubled.min(max_ms).max(1);
    let jittered = ceiling / 2 + rand::random_range(0..=ceiling - ceiling / 2);
    chrono::Duration::milliseconds(i64::try_from(jittered).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> WebhookSettings {
        WebhookSettings {
            dispatch: true,
            poll_ms: 250,
            concurrency: 4,
            timeout_seconds: 10,
            retry_base_ms: 1000,
            retry_max_ms: 60_000,
            retry_for_seconds: 3600,
        }
    }

    #[test]
    fn backoff_doubles_within_half_and_all_of_its_ceiling() {
        for (attempt, ceiling) in [(1, 1000), (2, 2000), (3, 4000), (10, 60_000), (60, 60_000)] {
            for _ in 0..50 {
                let wait = backoff(&settings(), attempt).num_milliseconds();
                assert!(
                    (ceiling / 2..=ceiling).contains(&wait),
                    "attempt {attempt}: {wait}"
                );
            }
        }
    }
}
