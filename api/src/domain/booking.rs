//! Seat selection, wallet amounts and idempotency keys.

use std::collections::HashSet;

use sha2::{Digest, Sha256};
use shared::SeatRequest;

use super::FieldError;

/// Seats asked for in one request: non-empty, distinct, within the limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatSelection(pub Vec<String>);

impl SeatSelection {
    pub fn parse(body: SeatRequest, max_seats: u32) -> Result<Self, FieldError> {
        if body.seats.is_empty() {
            return Err(FieldError::new("seats", "must name at least one seat"));
        }
        if body.seats.len() > max_seats as usize {
            return Err(FieldError::rule(
                "seats",
                format!("at most {max_seats} seats per request"),
            ));
        }
        let (mut seen, mut sent) = (HashSet::new(), HashSet::new());
        let mut seats = Vec::with_capacity(body.seats.len());
        for raw in body.seats {
            let label = raw.trim().to_owned();
            if label.is_empty() {
                return Err(FieldError::new("seats", "a seat label is empty"));
            }
            if !seen.insert(label.clone()) {
                let twice = format!("seat {label} is listed twice");
                // Listed twice as sent, the document's `uniqueItems` says
                // no; only once trimmed (`"A1"`, `"A1 "`), a rule does.
                return Err(if sent.contains(&raw) {
                    FieldError::new("seats", twice)
                } else {
                    FieldError::rule("seats", twice)
                });
            }
            sent.insert(raw);
            seats.push(label);
        }
        Ok(Self(seats))
    }
}

/// A positive amount of points, at most `max`.
pub fn charge_amount(amount: i64, max: i64) -> Result<i64, FieldError> {
    if amount <= 0 {
        return Err(FieldError::new("amount", "must be at least 1 point"));
    }
    if amount > max {
        return Err(FieldError::rule(
            "amount",
            format!("must be at most {max} points (this deployment's limit)"),
        ));
    }
    Ok(amount)
}

/// A client's `Idempotency-Key`, scoped to the caller, with the fingerprint
/// of the request it was first used for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    /// `{user}:{key}`: keys of different users never collide.
    pub id: String,
    pub fingerprint: String,
}

impl IdempotencyKey {
    pub const MAX_LEN: usize = 255;

    /// `request` identifies the operation and its normalised body.
    pub fn parse(user: &str, key: &str, request: &str) -> Result<Self, FieldError> {
        if key.is_empty() || key.len() > Self::MAX_LEN {
            return Err(FieldError::new(
                "Idempotency-Key",
                format!("must be 1 to {} characters", Self::MAX_LEN),
            ));
        }
        if !key.chars().all(|c| c.is_ascii_graphic()) {
            return Err(FieldError::new(
                "Idempotency-Key",
                "may only contain visible ASCII characters",
            ));
        }
        let digest = Sha256::digest(request.as_bytes());
        Ok(Self {
            id: format!("{user}:{key}"),
            fingerprint: digest.iter().map(|b| format!("{b:02x}")).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seats(labels: &[&str]) -> SeatRequest {
        SeatRequest {
            seats: labels.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn a_selection_needs_a_seat() {
        assert_eq!(
            SeatSelection::parse(seats(&[]), 4).unwrap_err().field,
            "seats"
        );
    }

    #[test]
    fn a_seat_listed_twice_is_refused_by_name() {
        let err = SeatSelection::parse(seats(&["A1", " A1"]), 4).unwrap_err();
        assert!(err.message.contains("A1"));
    }

    #[test]
    fn too_many_seats_are_refused() {
        assert!(SeatSelection::parse(seats(&["A1", "A2", "A3"]), 2).is_err());
    }

    #[test]
    fn charges_must_be_positive_and_bounded() {
        assert!(charge_amount(0, 100).is_err());
        assert!(charge_amount(-5, 100).is_err());
        assert!(charge_amount(101, 100).is_err());
        assert_eq!(charge_amount(100, 100).unwrap(), 100);
    }

    #[test]
    fn the_same_key_of_two_users_never_collides() {
        let a = IdempotencyKey::parse("u1", "k", "r").unwrap();
        let b = IdempotencyKey::parse("u2", "k", "r").unwrap();
        assert_ne!(a.id, b.id);
        assert_eq!(a.fingerprint, b.fingerprint);
    }

    #[test]
    fn a_different_request_has_a_different_fingerprint() {
        let a = IdempotencyKey::parse("u", "k", "POST /a {}").unwrap();
        let b = IdempotencyKey::parse("u", "k", "POST /a {\"x\":1}").unwrap();
        assert_ne!(a.fingerprint, b.fingerprint);
    }

    #[test]
    fn keys_with_spaces_are_refused() {
        assert!(IdempotencyKey::parse("u", "a b", "r").is_err());
    }
}
