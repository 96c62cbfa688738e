//! Waiting-room rules: valid settings, how many buyers a tick may admit,
//! and what a waiting buyer is told.

use serde::{Deserialize, Serialize};
use shared::QueueSettings;

use super::FieldError;

/// Settings that passed validation; stored as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueRules {
    pub enabled: bool,
    pub admit_per_minute: Option<u32>,
    pub max_active: Option<u32>,
    pub shop_seconds: u32,
    pub grace_seconds: u32,
    pub pre_queue: bool,
}

fn within(field: &'static str, value: u32, min: u32, max: u32) -> Result<u32, FieldError> {
    if value < min || value > max {
        return Err(FieldError::new(
            field,
            format!("must be between {min} and {max}"),
        ));
    }
    Ok(value)
}

impl TryFrom<QueueSettings> for QueueRules {
    type Error = FieldError;

    fn try_from(s: QueueSettings) -> Result<Self, FieldError> {
        let admit_per_minute = s
            .admit_per_minute
            .map(|v| within("admit_per_minute", v, 1, 100_000))
            .transpose()?;
        let max_active = s
            .max_active
            .map(|v| within("max_active", v, 1, 100_000))
            .transpose()?;
        if admit_per_minute.is_none() && max_active.is_none() {
            return Err(FieldError::rule(
                "admit_per_minute",
                "set admit_per_minute, max_active or both: the queue needs a pace",
            ));
        }
        Ok(Self {
            enabled: s.enabled,
            admit_per_minute,
            max_active,
            shop_seconds: within("shop_seconds", s.shop_seconds, 10, 7200)?,
            grace_seconds: within("grace_seconds", s.grace_seconds, 5, 3600)?,
            pre_queue: s.pre_queue,
        })
    }
}

impl From<QueueRules> for QueueSettings {
    fn from(r: QueueRules) -> Self {
        Self {
            enabled: r.enabled,
            admit_per_minute: r.admit_per_minute,
            max_active: r.max_active,
            shop_seconds: r.shop_seconds,
            grace_seconds: r.grace_seconds,
            pre_queue: r.pre_queue,
        }
    }
}

/// Admission by rate accrues credit with time: `credit` carried over from
/// the last tick plus `rate` per minute over `elapsed_ms`, capped at five
/// seconds' worth (at least one buyer) so a pause does not end in a burst.
pub fn accrue(credit: f64, admit_per_minute: u32, elapsed_ms: i64) -> f64 {
    let per_ms = f64::from(admit_per_minute) / 60_000.0;
    let cap = (per_ms * 5_000.0).max(1.0);
    (credit + per_ms * elapsed_ms.max(0) as f64).min(cap)
}

/// How many buyers one tick may admit, given the accrued `credit` (by
/// rate) and the buyers `active` now (against `max_active`).
pub fn admissible(rules: &QueueRules, credit: f64, active: u64) -> u64 {
    let by_rate = rules
        .admit_per_minute
        .map(|_| credit.max(0.0).floor() as u64);
    let by_room = rules
        .max_active
        .map(|m| u64::from(m).saturating_sub(active));
    match (by_rate, by_room) {
        (Some(a), Some(b)) => a.min(b),
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => 0,
    }
}

/// Seconds until `ahead` more buyers are admitted at `per_minute`; none
/// while nobody has been admitted lately (no rate to go by).
pub fn estimated_wait(ahead: u64, per_minute: f64) -> Option<u64> {
    (per_minute > 0.0).then(|| (ahead as f64 * 60.0 / per_minute).ceil() as u64)
}

/// When a waiting buyer should poll again: often near the front, rarely
/// far back, always well inside the grace period.
pub fn poll_after_ms(ahead: u64, grace_seconds: u32) -> u64 {
    let wanted = match ahead {
        0..=20 => 1_000,
        21..=200 => 2_000,
        201..=2_000 => 5_000,
        _ => 10_000,
    };
    wanted.min(u64::from(grace_seconds) * 1000 / 3).max(500)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> QueueSettings {
        QueueSettings {
            enabled: true,
            admit_per_minute: Some(60),
            max_active: None,
            shop_seconds: 600,
            grace_seconds: 30,
            pre_queue: false,
        }
    }

    #[test]
    fn a_queue_without_a_pace_is_refused() {
        let s = QueueSettings {
            admit_per_minute: None,
            ..settings()
        };
        let err = QueueRules::try_from(s).unwrap_err();
        assert_eq!(err.field, "admit_per_minute");
    }

    #[test]
    fn out_of_range_settings_name_their_field() {
        let s = QueueSettings {
            grace_seconds: 1,
            ..settings()
        };
        assert_eq!(QueueRules::try_from(s).unwrap_err().field, "grace_seconds");
        let s = QueueSettings {
            max_active: Some(0),
            ..settings()
        };
        assert_eq!(QueueRules::try_from(s).unwrap_err().field, "max_active");
    }

    #[test]
    fn credit_accrues_at_the_rate_and_is_capped() {
        assert!((accrue(0.0, 60, 1_000) - 1.0).abs() < 1e-9);
        assert!((accrue(0.5, 600, 60_000) - 50.0).abs() < 1e-9);
        assert!((accrue(0.0, 6, 3_600_000) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn the_smaller_of_rate_and_room_wins() {
        let mut rules = QueueRules::try_from(settings()).unwrap();
        rules.max_active = Some(10);
        assert_eq!(admissible(&rules, 4.7, 0), 4);
        assert_eq!(admissible(&rules, 40.0, 8), 2);
        rules.admit_per_minute = None;
        assert_eq!(admissible(&rules, 0.0, 3), 7);
        assert_eq!(admissible(&rules, 0.0, 12), 0);
    }

    #[test]
    fn waits_follow_the_measured_rate() {
        assert_eq!(estimated_wait(120, 60.0), Some(120));
        assert_eq!(estimated_wait(5, 0.0), None);
    }

    #[test]
    fn buyers_near_the_front_poll_sooner_but_within_the_grace() {
        assert_eq!(poll_after_ms(3, 30), 1_000);
        assert_eq!(poll_after_ms(50_000, 30), 10_000);
        assert_eq!(poll_after_ms(50_000, 6), 2_000);
    }
}
