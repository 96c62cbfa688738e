//! Request rate limits per client address, account or user (GCRA, from
//! the `governor` crate). Each instance counts on its own: behind a
//! balancer spreading a client over N instances it gets up to N times the
//! rate. Failed logins are counted in the database instead
//! (`store::login_failures`), so they add up across the cluster.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use bson::oid::ObjectId;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use shared::ErrorCode;

use crate::background::Stopped;
use crate::configuration::RateLimitSettings;
use crate::error::ApiError;
use crate::metrics::Metrics;

/// One limit: its name (in messages and metrics) and its counters, or
/// nothing when the limit is off.
struct Limit<K: Hash + Eq + Clone> {
    name: &'static str,
    what: &'static str,
    limiter: Option<DefaultKeyedRateLimiter<K>>,
}

impl<K: Hash + Eq + Clone> Limit<K> {
    fn new(name: &'static str, what: &'static str, rate: &str) -> Result<Self, String> {
        let limiter = parse_rate(rate)
            .map_err(|e| format!("rate_limits.{name}: {e}"))?
            .map(RateLimiter::keyed);
        Ok(Self {
            name,
            what,
            limiter,
        })
    }

    fn check(&self, key: &K, metrics: &Metrics) -> Result<(), ApiError> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        limiter.check_key(key).map_err(|not_until| {
            metrics.rate_limited(self.name);
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            let retry_after = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            ApiError::TooManyRequests {
                code: ErrorCode::RateLimited,
                message: format!(
                    "too many {}; try again in {} s",
                    self.what,
                    retry_after.max(1)
                ),
                retry_after,
            }
        })
    }

    fn tidy(&self) {
        if let Some(limiter) = &self.limiter {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

/// Every configured limit.
pub struct RateLimits {
    login_address: Limit<IpAddr>,
    register: Limit<IpAddr>,
    booking: Limit<ObjectId>,
    public_read: Limit<IpAddr>,
    metrics: Metrics,
}

impl RateLimits {
    pub fn from_settings(settings: &RateLimitSettings, metrics: Metrics) -> Result<Self, String> {
        Ok(Self {
            login_address: Limit::new(
                "login_per_address",
                "login attempts from this address",
                &settings.login_per_address,
            )?,
            register: Limit::new(
                "register_per_address",
                "registrations from this address",
                &settings.register_per_address,
            )?,
            booking: Limit::new(
                "booking_per_user",
                "bookings, holds and reservations by this user",
                &settings.booking_per_user,
            )?,
            public_read: Limit::new(
                "public_reads_per_address",
                "requests from this address",
                &settings.public_reads_per_address,
            )?,
            metrics,
        })
    }

    /// A login attempt from `address` (failures per account are counted
    /// in the database).
    pub fn login(&self, address: Option<IpAddr>) -> Result<(), ApiError> {
        match address {
            Some(address) => self.login_address.check(&address, &self.metrics),
            None => Ok(()),
        }
    }

    pub fn register(&self, address: Option<IpAddr>) -> Result<(), ApiError> {
        match address {
            Some(address) => self.register.check(&address, &self.metrics),
            None => Ok(()),
        }
    }

    /// A hold, booking or reservation by `user`.
    pub fn booking(&self, user: ObjectId) -> Result<(), ApiError> {
        self.booking.check(&user, &self.metrics)
    }

    /// A request without credentials from `address`.
    pub fn public_read(&self, address: IpAddr) -> Result<(), ApiError> {
        self.public_read.check(&address, &self.metrics)
    }

    /// Forgets clients that are back at their full allowance, every minute,
    /// so the counters' memory follows recent clients only.
    pub fn spawn_tidying(self: std::sync::Arc<Self>, mut stopped: Stopped) {
        tokio::spawn(async move {
            while stopped.sleep(Duration::from_secs(60)).await {
                self.login_address.tidy();
                self.register.tidy();
                self.booking.tidy();
                self.public_read.tidy();
            }
        });
    }
}

/// `"off"`, or `<requests>/<second|minute|hour>`: that many at once, then
/// one more each `period / requests`.
fn parse_rate(rate: &str) -> Result<Option<Quota>, String> {
    let rate = rate.trim();
    if rate == "off" {
        return Ok(None);
    }
    let explain = || format!("`{rate}` is not a rate such as \"10/minute\" or \"off\"");
    let (count, period) = rate.split_once('/').ok_or_else(explain)?;
    let count: u32 = count.trim().parse().map_err(|_| explain())?;
    let count = NonZeroU32::new(count).ok_or_else(explain)?;
    let period = match period.trim() {
        "second" => Duration::from_secs(1),
        "minute" => Duration::from_secs(60),
        "hour" => Duration::from_secs(3600),
        _ => return Err(explain()),
    };
    let quota = Quota::with_period(period / count.get()).ok_or_else(explain)?;
    Ok(Some(quota.allow_burst(count)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_or_are_refused_by_name() {
        assert!(parse_rate("off").unwrap().is_none());
        let quota = parse_rate("10/minute").unwrap().unwrap();
        assert_eq!(quota.burst_size().get(), 10);
        assert_eq!(quota.replenish_interval(), Duration::from_secs(6));
        for bad in ["10", "0/minute", "ten/minute", "10/fortnight", ""] {
            let error = parse_rate(bad).unwrap_err();
            assert!(error.contains(&format!("`{bad}`")), "{error}");
        }
    }

    #[test]
    fn a_limit_refuses_past_its_burst_with_a_wait() {
        let metrics = Metrics::new().unwrap();
        let limit: Limit<u8> = Limit::new("test", "tests", "2/hour").unwrap();

        assert!(limit.check(&1, &metrics).is_ok());
        assert!(limit.check(&1, &metrics).is_ok());
        match limit.check(&1, &metrics) {
            Err(ApiError::TooManyRequests { retry_after, .. }) => {
                assert!((1700..=1800).contains(&retry_after), "{retry_after}");
            }
            other => panic!("expected 429, got {other:?}"),
        }
        assert!(limit.check(&2, &metrics).is_ok(), "other keys are separate");
    }
}
