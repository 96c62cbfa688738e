//! Timestamp parsing with an error message that says what is expected.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Deserializer};

const EXPECTED: &str = "an RFC 3339 timestamp with an offset, like 2027-01-05T10:00:00+09:00";

fn parse<E: serde::de::Error>(text: &str) -> Result<DateTime<FixedOffset>, E> {
    DateTime::parse_from_rfc3339(text.trim())
        .map_err(|e| E::custom(format!("`{text}` is not {EXPECTED} ({e})")))
}

/// `deserialize_with` for a required timestamp.
pub fn rfc3339<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<FixedOffset>, D::Error> {
    let text = String::deserialize(d)?;
    parse(&text)
}

/// `deserialize_with` for an optional timestamp.
pub fn rfc3339_opt<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<DateTime<FixedOffset>>, D::Error> {
    match Option::<String>::deserialize(d)? {
        Some(text) => parse(&text).map(Some),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct At {
        #[serde(deserialize_with = "rfc3339")]
        at: DateTime<FixedOffset>,
    }

    #[test]
    fn a_timestamp_without_offset_is_refused_with_an_example() {
        let err = serde_json::from_str::<At>(r#"{"at": "2027-01-05T10:00:00"}"#).unwrap_err();
        assert!(
            err.to_string().contains("like 2027-01-05T10:00:00+09:00"),
            "{err}"
        );
    }

    #[test]
    fn offsets_are_kept() {
        let at: At = serde_json::from_str(r#"{"at": "2027-01-05T10:00:00+09:00"}"#).unwrap();
        assert_eq!(at.at.offset().local_minus_utc(), 9 * 3600);
    }
}
