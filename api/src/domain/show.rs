//! Show and performance rules.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use shared::{CreatePerformance, CreateShow};

use super::{FieldError, bounded_text};

pub const MAX_PRICE: u32 = 10_000_000;

/// A validated show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewShow {
    pub title: String,
    pub poster_url: String,
    pub description: String,
    pub location: String,
    pub running_minutes: u32,
}

/// A poster: empty, a path on this server or an `http(s)://` URL, with no
/// white space inside; stored trimmed.
pub fn poster_url(value: &str) -> Result<String, FieldError> {
    let poster_url = bounded_text("poster_url", value, 0, 2000)?;
    let acceptable = poster_url.is_empty()
        || poster_url.starts_with('/')
        || poster_url.starts_with("https://")
        || poster_url.starts_with("http://");
    if !acceptable || poster_url.contains(char::is_whitespace) {
        return Err(FieldError::new(
            "poster_url",
            "must be an http(s):// URL or a path starting with /",
        ));
    }
    Ok(poster_url)
}

impl TryFrom<CreateShow> for NewShow {
    type Error = FieldError;

    fn try_from(body: CreateShow) -> Result<Self, Self::Error> {
        let poster_url = poster_url(&body.poster_url)?;
        if body.running_minutes == 0 || body.running_minutes > 1440 {
            return Err(FieldError::new(
                "running_minutes",
                "must be between 1 and 1440",
            ));
        }
        Ok(Self {
            title: bounded_text("title", &body.title, 1, 200)?,
            poster_url,
            description: bounded_text("description", &body.description, 0, 5000)?,
            location: bounded_text("location", &body.location, 0, 200)?,
            running_minutes: body.running_minutes,
        })
    }
}

/// A validated performance, checked against its venue's tiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPerformance {
    pub venue_id: String,
    pub starts_at: DateTime<Utc>,
    pub sale_opens_at: DateTime<Utc>,
    pub prices: BTreeMap<String, u32>,
}

impl NewPerformance {
    pub fn parse(
        body: CreatePerformance,
        venue_tiers: &[String],
        now: DateTime<Utc>,
    ) -> Result<Self, FieldError> {
        let starts_at = body.starts_at.to_utc();
        if starts_at <= now {
            return Err(FieldError::rule("starts_at", "must be in the future"));
        }
        let sale_opens_at = body.sale_opens_at.map(|t| t.to_utc()).unwrap_or(now);
        if sale_opens_at >= starts_at {
            return Err(FieldError::rule(
                "sale_opens_at",
                "must be before the performance starts",
            ));
        }
        for tier in venue_tiers {
            if !body.prices.contains_key(tier) {
                return Err(FieldError::rule(
                    "prices",
                    format!("needs a price for tier `{tier}`"),
                ));
            }
        }
        for (tier, price) in &body.prices {
            if !venue_tiers.contains(tier) {
                return Err(FieldError::rule(
                    "prices",
                    format!(
                        "the venue has no tier `{tier}` (its tiers: {})",
                        venue_tiers.join(", ")
                    ),
                ));
            }
            if *price > MAX_PRICE {
                return Err(FieldError::new(
                    "prices",
                    format!("a price may be at most {MAX_PRICE} points"),
                ));
            }
        }
        Ok(Self {
            venue_id: body.venue_id.0,
            starts_at,
            sale_opens_at,
            prices: body.prices,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::VenueId;

    fn now() -> DateTime<Utc> {
        "2030-01-01T00:00:00Z".parse().unwrap()
    }

    fn body(starts: &str, prices: &[(&str, u32)]) -> CreatePerformance {
        CreatePerformance {
            venue_id: VenueId("v".into()),
            starts_at: DateTime::parse_from_rfc3339(starts).unwrap(),
            prices: prices.iter().map(|(t, p)| ((*t).to_owned(), *p)).collect(),
            sale_opens_at: None,
        }
    }

    fn tiers() -> Vec<String> {
        vec!["R".into(), "S".into()]
    }

    #[test]
    fn every_tier_needs_a_price() {
        let err = NewPerformance::parse(
            body("2030-02-01T19:00:00+09:00", &[("R", 10)]),
            &tiers(),
            now(),
        )
        .unwrap_err();
        assert_eq!(err.field, "prices");
        assert!(err.message.contains('S'));
    }

    #[test]
    fn unknown_tiers_are_refused() {
        let prices = [("R", 1), ("S", 1), ("VIP", 1)];
        let err =
            NewPerformance::parse(body("2030-02-01T19:00:00+09:00", &prices), &tiers(), now())
                .unwrap_err();
        assert!(err.message.contains("VIP"));
    }

    #[test]
    fn a_performance_in_the_past_is_refused() {
        let err = NewPerformance::parse(
            body("2029-02-01T19:00:00Z", &[("R", 1), ("S", 1)]),
            &tiers(),
            now(),
        )
        .unwrap_err();
        assert_eq!(err.field, "starts_at");
    }

    #[test]
    fn the_sale_opens_now_by_default() {
        let p = NewPerformance::parse(
            body("2030-02-01T19:00:00Z", &[("R", 1), ("S", 1)]),
            &tiers(),
            now(),
        )
        .unwrap();
        assert_eq!(p.sale_opens_at, now());
    }

    #[test]
    fn posters_must_be_web_urls_or_paths() {
        let show = |url: &str| CreateShow {
            title: "Cats".into(),
            poster_url: url.into(),
            description: String::new(),
            location: String::new(),
            running_minutes: 120,
        };
        assert!(NewShow::try_from(show("https://example.com/p.jpg")).is_ok());
        assert!(NewShow::try_from(show("/posters/1.svg")).is_ok());
        assert_eq!(
            NewShow::try_from(show("javascript:alert(1)"))
                .unwrap_err()
                .field,
            "poster_url"
        );
    }
}
