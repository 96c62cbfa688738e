//! Reservation rules, and the time cells a reservation claims.
//!
//! Overlap is prevented by the database: a reservation claims every
//! five-minute cell of its range under a unique (room, cell) index. Cells sit
//! on a fixed UTC grid, independent of each room's granularity and time zone,
//! so changing a room's settings can never make two claims miss each other.

use chrono::{DateTime, Duration, FixedOffset, Timelike, Utc};
use chrono_tz::Tz;
use shared::{CreateReservation, ReservationStatus};

use super::{FieldError, bounded_text};

/// Size of one claimed cell. Every allowed room granularity is a multiple of it.
pub const CELL_MINUTES: i64 = 5;

/// Limits from configuration.
#[derive(Debug, Clone, Copy)]
pub struct ReservationRules {
    pub max_duration: Duration,
    pub max_ahead: Duration,
}

/// A reservation request whose own fields are valid; its alignment to the
/// room is checked with [`ReservationRequest::check_alignment`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReservationRequest {
    pub room_id: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub purpose: String,
}

impl ReservationRequest {
    pub fn parse(
        body: CreateReservation,
        rules: &ReservationRules,
        now: DateTime<Utc>,
    ) -> Result<Self, FieldError> {
        let purpose = bounded_text("purpose", &body.purpose, 1, 200)?;
        let start = body.start.with_timezone(&Utc);
        let end = body.end.with_timezone(&Utc);
        if end <= start {
            return Err(FieldError::rule("end", "must be after start"));
        }
        if start < now {
            return Err(FieldError::rule("start", "must not be in the past"));
        }
        check_horizon_and_length((start, end), rules, now)?;
        Ok(Self {
            room_id: body.room_id.0,
            start,
            end,
            purpose,
        })
    }

    /// Start and end must fall on the room's slot boundaries in its local time.
    pub fn check_alignment(&self, time_zone: Tz, slot_minutes: u32) -> Result<(), FieldError> {
        for (field, instant) in [("start", self.start), ("end", self.end)] {
            if !is_aligned(instant, time_zone, slot_minutes) {
                return Err(FieldError::rule(
                    field,
                    format!(
                        "must be on a {slot_minutes}-minute boundary in the room's time zone ({time_zone})"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The cells this reservation claims: each cell start in [start, end).
    pub fn cells(&self) -> Vec<DateTime<Utc>> {
        cells_between(self.start, self.end)
    }
}

/// A range that starts by the booking horizon and lasts at most the
/// longest a reservation may (`end` after `start` already checked).
pub fn check_horizon_and_length(
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    rules: &ReservationRules,
    now: DateTime<Utc>,
) -> Result<(), FieldError> {
    if start > now + rules.max_ahead {
        return Err(FieldError::rule(
            "start",
            format!("must be at most {} days ahead", rules.max_ahead.num_days()),
        ));
    }
    if end - start > rules.max_duration {
        return Err(FieldError::rule(
            "end",
            format!(
                "a reservation may last at most {} minutes",
                rules.max_duration.num_minutes()
            ),
        ));
    }
    Ok(())
}

fn is_aligned(instant: DateTime<Utc>, time_zone: Tz, slot_minutes: u32) -> bool {
    let local = instant.with_timezone(&time_zone);
    let on_local_grid = local.second() == 0
        && local.nanosecond() == 0
        && local.minute().is_multiple_of(slot_minutes);
    // Guards the UTC cell grid for zones whose offset is not a multiple of a cell.
    let on_cell_grid = instant.timestamp() % (CELL_MINUTES * 60) == 0;
    on_local_grid && on_cell_grid
}

/// Cell starts covering [from, to): from the cell containing `from` to the
/// last cell starting before `to`.
pub fn cells_between(from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let step = Duration::minutes(CELL_MINUTES);
    let mut cell = cell_floor(from);
    let mut cells = Vec::new();
    while cell < to {
        cells.push(cell);
        cell += step;
    }
    cells
}

/// Start of the cell containing `instant`.
pub fn cell_floor(instant: DateTime<Utc>) -> DateTime<Utc> {
    let cell_seconds = CELL_MINUTES * 60;
    let floored = instant.timestamp().div_euclid(cell_seconds) * cell_seconds;
    DateTime::from_timestamp(floored, 0).unwrap_or(instant)
}

/// A status change someone asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Approve,
    Reject,
    Cancel,
}

impl Transition {
    /// Statuses the change may start from.
    pub fn allowed_from(self) -> &'static [ReservationStatus] {
        match self {
            Self::Approve | Self::Reject => &[ReservationStatus::Pending],
            Self::Cancel => &[ReservationStatus::Pending, ReservationStatus::Approved],
        }
    }

    pub fn target(self) -> ReservationStatus {
        match self {
            Self::Approve => ReservationStatus::Approved,
            Self::Reject => ReservationStatus::Rejected,
            Self::Cancel => ReservationStatus::Cancelled,
        }
    }

    /// The event the change records.
    pub fn event(self) -> shared::EventType {
        match self {
            Self::Approve => shared::EventType::ReservationApproved,
            Self::Reject => shared::EventType::ReservationRejected,
            Self::Cancel => shared::EventType::ReservationCancelled,
        }
    }

    /// Whether the change gives the reservation's cells back.
    pub fn frees_slots(self) -> bool {
        !self.target().holds_slots()
    }

    /// Why the change is refused from `current`, if it is.
    pub fn refusal(self, current: ReservationStatus) -> Option<String> {
        if self.allowed_from().contains(&current) {
            return None;
        }
        let verb = match self {
            Self::Approve => "approved",
            Self::Reject => "rejected",
            Self::Cancel => "cancelled",
        };
        Some(format!(
            "the reservation is {}; only {} reservations can be {verb}",
            current.as_str(),
            self.allowed_from()
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" or ")
        ))
    }
}

/// Parses an RFC 3339 instant for filters that need one.
pub fn to_utc(instant: DateTime<FixedOffset>) -> DateTime<Utc> {
    instant.with_timezone(&Utc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::RoomId;

    fn rules() -> ReservationRules {
        ReservationRules {
            max_duration: Duration::hours(12),
            max_ahead: Duration::days(365),
        }
    }

    fn now() -> DateTime<Utc> {
        "2030-01-01T00:00:00Z".parse().unwrap()
    }

    fn body(start: &str, end: &str) -> CreateReservation {
        CreateReservation {
            room_id: RoomId("r".into()),
            start: DateTime::parse_from_rfc3339(start).unwrap(),
            end: DateTime::parse_from_rfc3339(end).unwrap(),
            purpose: "weekly sync".into(),
        }
    }

    fn parse(start: &str, end: &str) -> Result<ReservationRequest, FieldError> {
        ReservationRequest::parse(body(start, end), &rules(), now())
    }

    #[test]
    fn an_end_before_the_start_is_refused_naming_end() {
        let err = parse("2030-01-02T10:00:00Z", "2030-01-02T09:00:00Z").unwrap_err();
        assert_eq!(err.field, "end");
    }

    #[test]
    fn an_empty_range_is_refused() {
        assert!(parse("2030-01-02T10:00:00Z", "2030-01-02T10:00:00Z").is_err());
    }

    #[test]
    fn a_start_in_the_past_is_refused_naming_start() {
        let err = parse("2029-12-31T10:00:00Z", "2029-12-31T11:00:00Z").unwrap_err();
        assert_eq!(err.field, "start");
    }

    #[test]
    fn a_reservation_longer_than_the_maximum_is_refused() {
        let err = parse("2030-01-02T00:00:00Z", "2030-01-02T12:05:00Z").unwrap_err();
        assert_eq!(err.field, "end");
    }

    #[test]
    fn a_start_too_far_ahead_is_refused() {
        assert_eq!(
            parse("2031-06-01T00:00:00Z", "2031-06-01T01:00:00Z")
                .unwrap_err()
                .field,
            "start"
        );
    }

    #[test]
    fn offsets_are_normalised_to_utc() {
        let r = parse("2030-01-02T10:00:00+09:00", "2030-01-02T11:00:00+09:00").unwrap();
        assert_eq!(
            r.start,
            "2030-01-02T01:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
    }

    #[test]
    fn alignment_is_checked_in_the_rooms_local_time() {
        let r = parse("2030-01-02T10:15:00+09:00", "2030-01-02T11:00:00+09:00").unwrap();
        assert!(r.check_alignment(chrono_tz::Asia::Seoul, 15).is_ok());
        assert_eq!(
            r.check_alignment(chrono_tz::Asia::Seoul, 30)
                .unwrap_err()
                .field,
            "start"
        );
    }

    #[test]
    fn half_hour_offsets_align_on_local_half_hours() {
        // India is UTC+05:30: local 10:00 is 04:30 UTC.
        let r = parse("2030-01-02T04:30:00Z", "2030-01-02T05:30:00Z").unwrap();
        assert!(r.check_alignment(chrono_tz::Asia::Kolkata, 60).is_ok());
        assert!(r.check_alignment(chrono_tz::Asia::Seoul, 60).is_err());
    }

    #[test]
    fn seconds_break_alignment() {
        let r = parse("2030-01-02T10:00:30Z", "2030-01-02T11:00:00Z").unwrap();
        assert!(r.check_alignment(chrono_tz::UTC, 5).is_err());
    }

    #[test]
    fn an_hour_claims_twelve_cells_and_touching_ranges_share_none() {
        let a = parse("2030-01-02T10:00:00Z", "2030-01-02T11:00:00Z").unwrap();
        let b = parse("2030-01-02T11:00:00Z", "2030-01-02T12:00:00Z").unwrap();
        assert_eq!(a.cells().len(), 12);
        assert!(a.cells().iter().all(|c| !b.cells().contains(c)));
    }

    #[test]
    fn overlapping_ranges_share_cells() {
        let a = parse("2030-01-02T10:00:00Z", "2030-01-02T11:00:00Z").unwrap();
        let b = parse("2030-01-02T10:55:00Z", "2030-01-02T11:30:00Z").unwrap();
        assert!(a.cells().iter().any(|c| b.cells().contains(c)));
    }

    #[test]
    fn a_free_range_query_covers_partly_overlapped_cells() {
        let from = "2030-01-02T10:02:00Z".parse().unwrap();
        let to = "2030-01-02T10:06:00Z".parse().unwrap();
        let cells = cells_between(from, to);
        assert_eq!(cells.len(), 2);
        assert_eq!(
            cells[0],
            "2030-01-02T10:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
    }

    #[test]
    fn only_pending_reservations_can_be_approved() {
        assert!(
            Transition::Approve
                .refusal(ReservationStatus::Pending)
                .is_none()
        );
        let msg = Transition::Approve
            .refusal(ReservationStatus::Cancelled)
            .unwrap();
        assert!(msg.contains("cancelled"), "{msg}");
    }

    #[test]
    fn cancel_and_reject_free_the_slots_but_approve_keeps_them() {
        assert!(Transition::Cancel.frees_slots());
        assert!(Transition::Reject.frees_slots());
        assert!(!Transition::Approve.frees_slots());
    }
}
