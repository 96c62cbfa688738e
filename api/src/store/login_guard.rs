//! Failed logins per account, counted in the database so that every
//! instance sees the same count, and the browsers that logged in to an
//! account before ("trusted devices"), which failed logins by others do
//! not hold up: an attacker guessing passwords can slow and lock an
//! account for strangers, never for its owner's own browser.

use bson::doc;
use bson::oid::ObjectId;
use chrono::{DateTime, Duration, Utc};
use mongodb::options::ReturnDocument;
use serde::{Deserialize, Serialize};

use super::indexes::{LOGIN_DEVICES, LOGIN_FAILURES};
use super::{Store, to_bson_time};
use crate::error::ApiError;

/// The failures recorded for one account, keyed by its normalised e-mail
/// (whether or not an account has it, so a lock tells nothing about
/// which accounts exist).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct FailureDoc {
    #[serde(rename = "_id")]
    email_key: String,
    failures: i64,
    /// No attempt (from an untrusted browser) is judged before this.
    #[serde(default)]
    next_attempt_at: Option<bson::DateTime>,
    /// The record is forgotten (TTL) then.
    #[serde(default)]
    expires_at: Option<bson::DateTime>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct DeviceDoc {
    #[serde(rename = "_id")]
    token_hash: String,
    user_id: ObjectId,
    created_at: bson::DateTime,
    expires_at: bson::DateTime,
}

/// How failures slow an account down: after `slow_after` failures each
/// further one makes the next attempt wait twice as long (from 1 s), and
/// after `lock_after` the wait is `lock` (and the count starts over once
/// it has passed).
#[derive(Debug, Clone, Copy)]
pub struct FailurePolicy {
    pub slow_after: i64,
    pub lock_after: i64,
    pub lock: Duration,
}

impl FailurePolicy {
    /// How long the next attempt must wait after `failures` failures.
    pub fn wait_after(&self, failures: i64) -> Duration {
        if failures >= self.lock_after {
            return self.lock;
        }
        if failures < self.slow_after {
            return Duration::zero();
        }
        let doublings = u32::try_from(failures - self.slow_after).unwrap_or(u32::MAX);
        let seconds = 2i64.checked_pow(doublings).unwrap_or(i64::MAX);
        Duration::seconds(seconds).min(self.lock)
    }
}

impl Store {
    fn login_failures(&self) -> mongodb::Collection<FailureDoc> {
        self.collection(LOGIN_FAILURES)
    }

    fn login_devices(&self) -> mongodb::Collection<DeviceDoc> {
        self.collection(LOGIN_DEVICES)
    }

    /// When the next attempt for `email_key` may be judged, if it must wait.
    pub async fn login_blocked_until(
        &self,
        email_key: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, ApiError> {
        let found = self
            .login_failures()
            .find_one(doc! { "_id": email_key })
            .await?;
        Ok(found
            .and_then(|f| f.next_attempt_at)
            .map(|at| at.to_chrono())
            .filter(|at| *at > now))
    }

    /// Counts one more failure for `email_key`, atomically across
    /// instances, and returns how many there are now.
    pub async fn record_login_failure(
        &self,
        email_key: &str,
        policy: &FailurePolicy,
        now: DateTime<Utc>,
    ) -> Result<i64, ApiError> {
        let counted = self
            .login_failures()
            .find_one_and_update(
                doc! { "_id": email_key },
                doc! {
                    "$inc": { "failures": 1_i64 },
                    // Replaced below; set here so the record can never
                    // outlive its purpose.
                    "$set": { "expires_at": to_bson_time(now + policy.lock) },
                },
            )
            .upsert(true)
            .return_document(ReturnDocument::After)
            .await?;
        let failures = counted.map_or(1, |f| f.failures);
        let wait = policy.wait_after(failures);
        let mut set = doc! {
            "next_attempt_at": to_bson_time(now + wait),
            "expires_at": to_bson_time(now + wait + policy.lock),
        };
        if failures >= policy.lock_after {
            // The lock is the last word: once it has passed, the count
            // starts over (the document expires with it).
            set.insert("expires_at", to_bson_time(now + wait));
        }
        self.login_failures()
            .update_one(doc! { "_id": email_key }, doc! { "$set": set })
            .await?;
        Ok(failures)
    }

    /// Forgets the failures after a successful login.
    pub async fn clear_login_failures(&self, email_key: &str) -> Result<(), ApiError> {
        self.login_failures()
            .delete_one(doc! { "_id": email_key })
            .await?;
        Ok(())
    }

    /// Whether the browser holding the device token hashed `token_hash`
    /// logged in to `user_id` before.
    pub async fn is_trusted_device(
        &self,
        token_hash: &str,
        user_id: ObjectId,
        now: DateTime<Utc>,
    ) -> Result<bool, ApiError> {
        let found = self
            .login_devices()
            .find_one(doc! {
                "_id": token_hash,
                "user_id": user_id,
                "expires_at": { "$gt": to_bson_time(now) },
            })
            .await?;
        Ok(found.is_some())
    }

    pub async fn trust_device(
        &self,
        token_hash: String,
        user_id: ObjectId,
        expires_at: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        self.login_devices()
            .insert_one(DeviceDoc {
                token_hash,
                user_id,
                created_at: bson::DateTime::now(),
                expires_at: to_bson_time(expires_at),
            })
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_slow_down_then_lock_for_a_bounded_time() {
        let policy = FailurePolicy {
            slow_after: 5,
            lock_after: 10,
            lock: Duration::minutes(15),
        };
        let waits: Vec<i64> = (1..=12)
            .map(|n| policy.wait_after(n).num_seconds())
            .collect();

        assert_eq!(waits, [0, 0, 0, 0, 1, 2, 4, 8, 16, 900, 900, 900]);
        assert_eq!(policy.wait_after(i64::MAX).num_seconds(), 900);
    }
}
