//! What an import reads, before it meets the database: one record per
//! source row or calendar occurrence, each checked by the product's own
//! rules, and every refused row with where it is and why.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use shared::{ReservationStatus, Role};

use crate::domain::FieldError;
use crate::domain::reservation::{
    CELL_MINUTES, ReservationRequest, ReservationRules, check_horizon_and_length,
};
use crate::domain::room::NewRoom;
use crate::domain::user::Email;

/// Where a record came from: `bookings.csv:17` (a row's line), or
/// `team.ics:UID 2025-03-04T09:30` (a calendar occurrence).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub file: String,
    pub spot: String,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.spot)
    }
}

#[derive(Debug, Clone)]
pub struct UserRecord {
    pub at: Place,
    pub key: String,
    pub email: Email,
    pub name: String,
    pub role: Role,
}

#[derive(Debug, Clone)]
pub struct RoomRecord {
    pub at: Place,
    pub key: String,
    pub room: NewRoom,
}

/// Who a reservation is for: a row of the users table, or an e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    Key(String),
    Email(String),
}

/// Which room: a row of the rooms table, or a room name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Which {
    Key(String),
    Name(String),
}

/// A time as the source wrote it: an instant, or a wall-clock time read
/// in a zone (the mapping's, or else the room's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Instant(DateTime<Utc>),
    Local(NaiveDateTime, Option<Tz>),
}

#[derive(Debug, Clone)]
pub struct ReservationRecord {
    pub at: Place,
    /// `source:key`: stored with the reservation, unique.
    pub reference: String,
    pub user: Who,
    pub room: Which,
    pub start: When,
    pub end: When,
    pub purpose: String,
    pub status: ReservationStatus,
}

/// A row or event the import refuses, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub entity: &'static str,
    pub at: Place,
    pub problem: String,
}

/// Everything read from one source.
#[derive(Debug, Default)]
pub struct Source {
    pub name: String,
    pub users: Vec<UserRecord>,
    pub rooms: Vec<RoomRecord>,
    pub reservations: Vec<ReservationRecord>,
    pub invalid: Vec<Invalid>,
    /// What the reader did that the operator should know (a series cut
    /// at the booking horizon).
    pub notes: Vec<String>,
    /// Rows (or calendar occurrences) read per entity.
    pub rows: Rows,
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Rows {
    pub users: usize,
    pub rooms: usize,
    pub reservations: usize,
}

impl When {
    /// Reads an RFC 3339 instant, or a wall-clock time
    /// (`2025-03-04 09:30[:00]`, `T` or space) to be read in `zone` (or
    /// the room's zone when `None`).
    pub fn parse(text: &str, zone: Option<Tz>) -> Result<Self, String> {
        let text = text.trim();
        if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
            return Ok(Self::Instant(instant.with_timezone(&Utc)));
        }
        for format in [
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%dT%H:%M",
        ] {
            if let Ok(local) = NaiveDateTime::parse_from_str(text, format) {
                return Ok(Self::Local(local, zone));
            }
        }
        Err(format!(
            "{text:?} is not a time (2025-03-04 09:30, or RFC 3339 with an offset)"
        ))
    }

    /// The instant, a wall-clock time read in its zone or `room_zone`.
    /// A time the zone skips or repeats (a daylight-saving change) is
    /// refused rather than guessed.
    pub fn resolve(self, room_zone: Tz) -> Result<DateTime<Utc>, String> {
        match self {
            Self::Instant(instant) => Ok(instant),
            Self::Local(local, zone) => {
                let zone = zone.unwrap_or(room_zone);
                match zone.from_local_datetime(&local) {
                    chrono::LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
                    chrono::LocalResult::Ambiguous(..) => Err(format!(
                        "{local} happens twice in {zone} (clocks go back): give an offset"
                    )),
                    chrono::LocalResult::None => Err(format!(
                        "{local} does not exist in {zone} (clocks go forward)"
                    )),
                }
            }
        }
    }
}

/// The product's rules for a stored reservation, minus "not in the past":
/// a purpose, an end after the start, at most the longest a reservation
/// may last, not beyond the booking horizon, and on the five-minute cells
/// the overlap guarantee is built on.
pub fn check_reservation(
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    purpose: &str,
    rules: &ReservationRules,
    now: DateTime<Utc>,
) -> Result<String, FieldError> {
    let request = ReservationRequest {
        room_id: String::new(),
        start,
        end,
        purpose: crate::domain::bounded_text("purpose", purpose, 1, 200)?,
    };
    if end <= start {
        return Err(FieldError::rule("end", "must be after start"));
    }
    check_horizon_and_length((start, end), rules, now)?;
    // The cells are on a UTC grid that every zone's five minutes share.
    request
        .check_alignment(chrono_tz::UTC, CELL_MINUTES as u32)
        .map_err(|e| {
            FieldError::rule(
                e.field,
                format!("must be on a {CELL_MINUTES}-minute boundary (no seconds)"),
            )
        })?;
    Ok(request.purpose)
}

/// `field: message`, as a row's problem.
pub fn problem(e: &FieldError) -> String {
    format!("{}: {}", e.field, e.message)
}

/// Reads yes/no the ways exports write it.
pub fn parse_bool(text: &str) -> Result<bool, String> {
    match text.trim().to_lowercase().as_str() {
        "1" | "y" | "yes" | "true" | "t" | "o" => Ok(true),
        "0" | "n" | "no" | "false" | "f" | "x" | "" => Ok(false),
        other => Err(format!("{other:?} is not yes or no")),
    }
}

pub fn parse_status(text: &str) -> Result<ReservationStatus, String> {
    match text.trim().to_lowercase().as_str() {
        "approved" => Ok(ReservationStatus::Approved),
        "pending" => Ok(ReservationStatus::Pending),
        "cancelled" | "canceled" => Ok(ReservationStatus::Cancelled),
        "rejected" => Ok(ReservationStatus::Rejected),
        other => Err(format!(
            "status {other:?} is none of approved, pending, cancelled, rejected"
        )),
    }
}

pub fn parse_role(text: &str) -> Result<Role, String> {
    match text.trim().to_lowercase().as_str() {
        "user" | "" => Ok(Role::User),
        "admin" => Ok(Role::Admin),
        other => Err(format!("role {other:?} is neither user nor admin")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn rules() -> ReservationRules {
        ReservationRules {
            max_duration: Duration::hours(12),
            max_ahead: Duration::days(365),
        }
    }

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn wall_clock_times_are_read_in_the_rooms_zone_unless_the_mapping_names_one() {
        let seoul = chrono_tz::Asia::Seoul;
        let room = When::parse("2025-03-04 09:30", None).unwrap();
        assert_eq!(room.resolve(seoul).unwrap(), at("2025-03-04T00:30:00Z"));
        let mapped = When::parse("2025-03-04T09:30:00", Some(chrono_tz::UTC)).unwrap();
        assert_eq!(mapped.resolve(seoul).unwrap(), at("2025-03-04T09:30:00Z"));
        let offset = When::parse("2025-03-04T09:30:00+01:00", None).unwrap();
        assert_eq!(offset.resolve(seoul).unwrap(), at("2025-03-04T08:30:00Z"));
    }

    #[test]
    fn times_a_daylight_saving_change_skips_or_repeats_are_refused() {
        let berlin = chrono_tz::Europe::Berlin;
        let skipped = When::parse("2025-03-30 02:30", None)
            .unwrap()
            .resolve(berlin);
        assert!(skipped.unwrap_err().contains("does not exist"));
        let twice = When::parse("2025-10-26 02:30", None)
            .unwrap()
            .resolve(berlin);
        assert!(twice.unwrap_err().contains("twice"));
        assert!(
            When::parse("4 March", None)
                .unwrap_err()
                .contains("not a time")
        );
    }

    #[test]
    fn past_reservations_pass_but_the_other_rules_hold() {
        let now = at("2026-01-01T00:00:00Z");
        let ok = check_reservation(
            (at("2020-01-01T09:00:00Z"), at("2020-01-01T10:00:00Z")),
            " Weekly ",
            &rules(),
            now,
        );
        assert_eq!(ok.unwrap(), "Weekly");
        let check = |start: &str, end: &str, purpose: &str| {
            check_reservation((at(start), at(end)), purpose, &rules(), now)
                .unwrap_err()
                .field
        };
        assert_eq!(
            check("2020-01-01T10:00:00Z", "2020-01-01T09:00:00Z", "x"),
            "end"
        );
        assert_eq!(
            check("2020-01-01T00:00:00Z", "2020-01-01T13:00:00Z", "x"),
            "end"
        );
        assert_eq!(
            check("2020-01-01T09:03:00Z", "2020-01-01T10:00:00Z", "x"),
            "start"
        );
        assert_eq!(
            check("2028-01-01T09:00:00Z", "2028-01-01T10:00:00Z", "x"),
            "start"
        );
        assert_eq!(
            check("2020-01-01T09:00:00Z", "2020-01-01T10:00:00Z", " "),
            "purpose"
        );
    }
}
