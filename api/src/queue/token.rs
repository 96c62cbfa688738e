//! Signed queue tickets and admission tokens: HMAC-SHA256 under one key
//! the instances share, so any instance can read a token without asking
//! the database.
//!
//! Both are `base64url(payload || mac)`. A ticket's payload is the kind
//! byte `q`, the performance, the ticket's id and its position (0 while
//! undrawn); an admission's is `a`, the performance, the ticket, the buyer
//! and the end of the shopping time.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bson::oid::ObjectId;
use chrono::{DateTime, TimeZone, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;
const MAC_LEN: usize = 32;

/// The shared signing key.
#[derive(Clone)]
pub struct Key(HmacSha256);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(..)")
    }
}

/// What a valid ticket says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketClaims {
    pub performance: ObjectId,
    pub ticket: ObjectId,
    pub position: Option<u64>,
}

/// What a valid admission token says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdmissionClaims {
    pub performance: ObjectId,
    pub ticket: ObjectId,
    pub user: ObjectId,
    pub expires_at: DateTime<Utc>,
}

impl Key {
    /// A key from at least 32 secret bytes.
    pub fn new(bytes: &[u8]) -> Result<Self, String> {
        if bytes.len() < 32 {
            return Err(format!(
                "the queue signing key has {} bytes; it needs at least 32",
                bytes.len()
            ));
        }
        HmacSha256::new_from_slice(bytes)
            .map(Self)
            .map_err(|e| format!("queue signing key: {e}"))
    }

    fn mac(&self) -> HmacSha256 {
        self.0.clone()
    }

    fn sign(&self, mut payload: Vec<u8>) -> String {
        let mut mac = self.mac();
        mac.update(&payload);
        payload.extend_from_slice(&mac.finalize().into_bytes());
        URL_SAFE_NO_PAD.encode(payload)
    }

    /// The payload of a token signed with this key, if it is one.
    fn open(&self, token: &str, kind: u8, len: usize) -> Option<Vec<u8>> {
        let bytes = URL_SAFE_NO_PAD.decode(token.trim()).ok()?;
        if bytes.len() != len + MAC_LEN || bytes.first() != Some(&kind) {
            return None;
        }
        let (payload, tag) = bytes.split_at(len);
        let mut mac = self.mac();
        mac.update(payload);
        mac.verify_slice(tag).ok()?;
        Some(payload.to_vec())
    }

    pub fn ticket(&self, claims: &TicketClaims) -> String {
        let mut p = vec![b'q'];
        p.extend_from_slice(&claims.performance.bytes());
        p.extend_from_slice(&claims.ticket.bytes());
        p.extend_from_slice(&claims.position.unwrap_or(0).to_be_bytes());
        self.sign(p)
    }

    pub fn read_ticket(&self, token: &str) -> Option<TicketClaims> {
        let p = self.open(token, b'q', 1 + 12 + 12 + 8)?;
        let position = u64::from_be_bytes(p[25..33].try_into().ok()?);
        Some(TicketClaims {
            performance: oid(&p[1..13])?,
            ticket: oid(&p[13..25])?,
            position: (position > 0).then_some(position),
        })
    }

    pub fn admission(&self, claims: &AdmissionClaims) -> String {
        let mut p = vec![b'a'];
        p.extend_from_slice(&claims.performance.bytes());
        p.extend_from_slice(&claims.ticket.bytes());
        p.extend_from_slice(&claims.user.bytes());
        p.extend_from_slice(&claims.expires_at.timestamp_millis().to_be_bytes());
        self.sign(p)
    }

    pub fn read_admission(&self, token: &str) -> Option<AdmissionClaims> {
        let p = self.open(token, b'a', 1 + 36 + 8)?;
        let millis = i64::from_be_bytes(p[37..45].try_into().ok()?);
        Some(AdmissionClaims {
            performance: oid(&p[1..13])?,
            ticket: oid(&p[13..25])?,
            user: oid(&p[25..37])?,
            expires_at: Utc.timestamp_millis_opt(millis).single()?,
        })
    }
}

fn oid(bytes: &[u8]) -> Option<ObjectId> {
    Some(ObjectId::from_bytes(bytes.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: u8) -> Key {
        Key::new(&[b; 32]).unwrap()
    }

    #[test]
    fn a_ticket_reads_back_what_was_signed() {
        let claims = TicketClaims {
            performance: ObjectId::new(),
            ticket: ObjectId::new(),
            position: Some(1234),
        };
        let token = key(1).ticket(&claims);
        assert_eq!(key(1).read_ticket(&token), Some(claims));
        let undrawn = TicketClaims {
            position: None,
            ..claims
        };
        assert_eq!(key(1).read_ticket(&key(1).ticket(&undrawn)), Some(undrawn));
    }

    #[test]
    fn another_key_or_a_changed_byte_is_refused() {
        let claims = TicketClaims {
            performance: ObjectId::new(),
            ticket: ObjectId::new(),
            position: Some(7),
        };
        let token = key(1).ticket(&claims);
        assert_eq!(key(2).read_ticket(&token), None);
        let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        bytes[32] ^= 1; // the position's last byte: 7 becomes 6
        assert_eq!(key(1).read_ticket(&URL_SAFE_NO_PAD.encode(bytes)), None);
        assert_eq!(key(1).read_ticket("not a ticket"), None);
    }

    #[test]
    fn tickets_and_admissions_are_not_interchangeable() {
        let k = key(3);
        let admission = k.admission(&AdmissionClaims {
            performance: ObjectId::new(),
            ticket: ObjectId::new(),
            user: ObjectId::new(),
            expires_at: Utc.timestamp_millis_opt(1_800_000_000_000).unwrap(),
        });
        assert!(k.read_admission(&admission).is_some());
        assert_eq!(k.read_ticket(&admission), None);
    }
}
