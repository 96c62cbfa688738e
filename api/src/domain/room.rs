//! Room rules.

use chrono_tz::Tz;
use shared::{CreateRoom, UpdateRoom};

use super::{FieldError, bounded_text};

/// Time zone of rooms created without one.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Seoul";
/// Slot granularity of rooms created without one.
pub const DEFAULT_SLOT_MINUTES: u32 = 15;
/// Granularities a room may use. Each divides an hour and is a multiple of the
/// five-minute claim cell (see `reservation::CELL_MINUTES`).
pub const SLOT_MINUTES_ALLOWED: [u32; 6] = [5, 10, 15, 20, 30, 60];
pub const MAX_CAPACITY: u32 = 10_000;

/// A validated room, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRoom {
    pub name: String,
    pub location: String,
    pub capacity: u32,
    pub has_projector: bool,
    pub notes: String,
    pub time_zone: Tz,
    pub requires_approval: bool,
    pub slot_minutes: u32,
}

/// A validated partial change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoomChanges {
    pub name: Option<String>,
    pub location: Option<String>,
    pub capacity: Option<u32>,
    pub has_projector: Option<bool>,
    pub notes: Option<String>,
    pub time_zone: Option<Tz>,
    pub requires_approval: Option<bool>,
    pub slot_minutes: Option<u32>,
}

impl RoomChanges {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// The case-folded form of a room name that must be unique.
pub fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

fn name(value: &str) -> Result<String, FieldError> {
    bounded_text("name", value, 1, 100)
}

fn location(value: &str) -> Result<String, FieldError> {
    bounded_text("location", value, 0, 200)
}

fn notes(value: &str) -> Result<String, FieldError> {
    bounded_text("notes", value, 0, 2000)
}

fn capacity(value: u32) -> Result<u32, FieldError> {
    if value == 0 || value > MAX_CAPACITY {
        return Err(FieldError::new(
            "capacity",
            format!("must be between 1 and {MAX_CAPACITY}"),
        ));
    }
    Ok(value)
}

pub fn time_zone(value: &str) -> Result<Tz, FieldError> {
    value.parse::<Tz>().map_err(|_| {
        FieldError::new(
            "time_zone",
            format!("`{value}` is not an IANA time zone such as Asia/Seoul"),
        )
    })
}

fn slot_minutes(value: u32) -> Result<u32, FieldError> {
    if !SLOT_MINUTES_ALLOWED.contains(&value) {
        return Err(FieldError::new(
            "slot_minutes",
            format!("must be one of {SLOT_MINUTES_ALLOWED:?}"),
        ));
    }
    Ok(value)
}

impl TryFrom<CreateRoom> for NewRoom {
    type Error = FieldError;

    fn try_from(body: CreateRoom) -> Result<Self, Self::Error> {
        Ok(Self {
            name: name(&body.name)?,
            location: location(&body.location)?,
            capacity: capacity(body.capacity)?,
            has_projector: body.has_projector,
            notes: notes(&body.notes)?,
            time_zone: time_zone(body.time_zone.as_deref().unwrap_or(DEFAULT_TIME_ZONE))?,
            requires_approval: body.requires_approval,
            slot_minutes: slot_minutes(body.slot_minutes.unwrap_or(DEFAULT_SLOT_MINUTES))?,
        })
    }
}

impl TryFrom<UpdateRoom> for RoomChanges {
    type Error = FieldError;

    fn try_from(body: UpdateRoom) -> Result<Self, Self::Error> {
        Ok(Self {
            name: body.name.as_deref().map(name).transpose()?,
            location: body.location.as_deref().map(location).transpose()?,
            capacity: body.capacity.map(capacity).transpose()?,
            has_projector: body.has_projector,
            notes: body.notes.as_deref().map(notes).transpose()?,
            time_zone: body.time_zone.as_deref().map(time_zone).transpose()?,
            requires_approval: body.requires_approval,
            slot_minutes: body.slot_minutes.map(slot_minutes).transpose()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create(name: &str) -> CreateRoom {
        CreateRoom {
            name: name.into(),
            location: "1층".into(),
            capacity: 10,
            has_projector: true,
            notes: String::new(),
            time_zone: None,
            requires_approval: false,
            slot_minutes: None,
        }
    }

    #[test]
    fn a_new_room_defaults_to_seoul_and_fifteen_minute_slots() {
        let room = NewRoom::try_from(create("A101")).unwrap();
        assert_eq!(room.time_zone, chrono_tz::Asia::Seoul);
        assert_eq!(room.slot_minutes, 15);
    }

    #[test]
    fn an_unknown_time_zone_is_refused_naming_the_field() {
        let mut body = create("A101");
        body.time_zone = Some("Mars/Olympus".into());
        assert_eq!(NewRoom::try_from(body).unwrap_err().field, "time_zone");
    }

    #[test]
    fn zero_capacity_is_refused() {
        let mut body = create("A101");
        body.capacity = 0;
        assert_eq!(NewRoom::try_from(body).unwrap_err().field, "capacity");
    }

    #[test]
    fn a_granularity_that_does_not_divide_an_hour_is_refused() {
        let mut body = create("A101");
        body.slot_minutes = Some(7);
        assert_eq!(NewRoom::try_from(body).unwrap_err().field, "slot_minutes");
    }

    #[test]
    fn room_names_are_unique_regardless_of_case_and_padding() {
        assert_eq!(name_key(" a101 "), name_key("A101"));
    }

    #[test]
    fn an_empty_patch_changes_nothing() {
        assert!(
            RoomChanges::try_from(UpdateRoom::default())
                .unwrap()
                .is_empty()
        );
    }
}
