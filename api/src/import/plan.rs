//! Meets a source with the database: joins reservations to their users
//! and rooms, finds what is already there, and which reservations overlap
//! each other or what the rooms already hold. Writes nothing.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use shared::ReservationStatus;

use super::clash;
use super::records::{
    Invalid, Place, ReservationRecord, RoomRecord, Source, UserRecord, Which, Who,
    check_reservation, problem,
};
use crate::domain::reservation::ReservationRules;
use crate::domain::room::name_key;
use crate::domain::user::Email;
use crate::error::ApiError;
use crate::store::Store;

/// A reservation ready to store: joined, resolved and checked.
#[derive(Debug, Clone)]
pub struct Planned {
    pub at: Place,
    pub reference: String,
    /// The user's e-mail key and the room's name key.
    pub email_key: String,
    pub room_key: String,
    /// The room's name as shown, and its zone: for messages.
    pub room_name: String,
    pub zone: Tz,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub purpose: String,
    pub status: ReservationStatus,
}

/// How many of an entity's valid records are there already.
#[derive(Debug, Default, Clone, Copy)]
pub struct Present {
    pub users: usize,
    pub rooms: usize,
    pub reservations: usize,
}

#[derive(Debug, Default)]
pub struct Plan {
    /// The source's name: imported records carry `source:key`.
    pub source: String,
    pub users: Vec<UserRecord>,
    pub rooms: Vec<RoomRecord>,
    pub reservations: Vec<Planned>,
    pub present: Present,
    /// Every valid record, there already or not: what the verification
    /// compares the database with.
    pub expected_users: Vec<UserRecord>,
    pub expected_rooms: Vec<RoomRecord>,
    pub expected_reservations: Vec<Planned>,
    pub invalid: Vec<Invalid>,
    /// Reservations of the source that overlap each other: none imported.
    pub overlapping: Vec<Invalid>,
    /// Reservations that overlap one the room already holds.
    pub conflicting: Vec<Invalid>,
}

/// A room as the plan knows it: from the source or the database.
pub(super) struct KnownRoom {
    pub key: String,
    pub name: String,
    pub zone: Tz,
    pub stored: Option<bson::oid::ObjectId>,
}

pub async fn plan(
    store: &Store,
    source: Source,
    rules: &ReservationRules,
    now: DateTime<Utc>,
) -> Result<Plan, ApiError> {
    let mut plan = Plan {
        source: source.name.clone(),
        invalid: source.invalid,
        ..Plan::default()
    };
    // Users: one per e-mail; accounts already there are linked, not changed.
    let mut user_keys: HashMap<String, String> = HashMap::new();
    let mut emails: HashMap<String, Place> = HashMap::new();
    for user in source.users {
        if let Some(first) = emails.get(&user.email.key) {
            plan.invalid.push(invalid(
                "user",
                &user.at,
                format!("e-mail {} is also on {first}", user.email.display),
            ));
            continue;
        }
        emails.insert(user.email.key.clone(), user.at.clone());
        user_keys.insert(user.key.clone(), user.email.key.clone());
        plan.expected_users.push(user);
    }
    let wanted: Vec<String> = emails.keys().cloned().collect();
    let stored_users: HashSet<String> = store
        .users_by_email_keys(&wanted)
        .await?
        .into_iter()
        .map(|u| u.email_key)
        .collect();
    for user in &plan.expected_users {
        if stored_users.contains(&user.email.key) {
            plan.present.users += 1;
        } else {
            plan.users.push(user.clone());
        }
    }
    // Rooms: one per name.
    let mut rooms: HashMap<String, KnownRoom> = HashMap::new();
    let mut room_keys: HashMap<String, String> = HashMap::new();
    let mut names: HashMap<String, Place> = HashMap::new();
    for room in source.rooms {
        let key = name_key(&room.room.name);
        if let Some(first) = names.get(&key) {
            plan.invalid.push(invalid(
                "room",
                &room.at,
                format!("name {:?} is also on {first}", room.room.name),
            ));
            continue;
        }
        names.insert(key.clone(), room.at.clone());
        room_keys.insert(room.key.clone(), key.clone());
        rooms.insert(
            key.clone(),
            KnownRoom {
                key,
                name: room.room.name.clone(),
                zone: room.room.time_zone,
                stored: None,
            },
        );
        plan.expected_rooms.push(room);
    }
    // Rooms named by reservations (by name) or by the source, as stored.
    let mut wanted: HashSet<String> = rooms.keys().cloned().collect();
    for r in &source.reservations {
        if let Which::Name(name) = &r.room {
            wanted.insert(name_key(name));
        }
    }
    let wanted: Vec<String> = wanted.into_iter().collect();
    for stored in store.rooms_by_name_keys(&wanted).await? {
        let zone = stored.time_zone.parse().unwrap_or(chrono_tz::UTC);
        let known = rooms.entry(stored.name_key.clone()).or_insert(KnownRoom {
            key: stored.name_key.clone(),
            name: stored.name.clone(),
            zone,
            stored: None,
        });
        // A stored room keeps its own name and zone.
        known.zone = zone;
        known.name = stored.name.clone();
        known.stored = Some(stored.id);
    }
    for room in &plan.expected_rooms {
        if rooms
            .get(&name_key(&room.room.name))
            .is_some_and(|k| k.stored.is_some())
        {
            plan.present.rooms += 1;
        } else {
            plan.rooms.push(room.clone());
        }
    }
    // Users named by e-mail (calendar organizers) may be stored already.
    let by_email: Vec<String> = source
        .reservations
        .iter()
        .filter_map(|r| match &r.user {
            Who::Email(e) => Email::parse(e).ok().map(|e| e.key),
            Who::Key(_) => None,
        })
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut known_emails: HashSet<String> = emails.keys().cloned().collect();
    known_emails.extend(
        store
            .users_by_email_keys(&by_email)
            .await?
            .into_iter()
            .map(|u| u.email_key),
    );
    // Reservations: joined, resolved in their room's zone, checked.
    let mut references: HashMap<String, Place> = HashMap::new();
    for record in source.reservations {
        if let Some(first) = references.get(&record.reference) {
            let problem = format!("key {} is also on {first}", record.reference);
            plan.invalid
                .push(invalid("reservation", &record.at, problem));
            continue;
        }
        references.insert(record.reference.clone(), record.at.clone());
        match resolve(
            &record,
            (&user_keys, &known_emails),
            (&room_keys, &rooms),
            rules,
            now,
        ) {
            Ok(planned) => plan.expected_reservations.push(planned),
            Err(problem) => plan
                .invalid
                .push(invalid("reservation", &record.at, problem)),
        }
    }
    let refs: Vec<String> = plan
        .expected_reservations
        .iter()
        .map(|r| r.reference.clone())
        .collect();
    let imported: HashSet<String> = store
        .reservations_imported_as(&refs)
        .await?
        .into_iter()
        .filter_map(|r| r.import_ref)
        .collect();
    let (present, new): (Vec<Planned>, Vec<Planned>) = plan
        .expected_reservations
        .iter()
        .cloned()
        .partition(|r| imported.contains(&r.reference));
    plan.present.reservations = present.len();
    let overlapping = clash::overlaps(&present, &new);
    let mut candidates = Vec::new();
    for r in new {
        match overlapping.get(&r.reference) {
            Some(other) => plan.overlapping.push(invalid(
                "reservation",
                &r.at,
                format!(
                    "overlaps {other} in room {} ({})",
                    r.room_name,
                    clash::span(&r)
                ),
            )),
            None => candidates.push(r),
        }
    }
    plan.reservations = clash::conflicts(
        store,
        candidates,
        &rooms,
        rules,
        &refs,
        &mut plan.conflicting,
    )
    .await?;
    Ok(plan)
}

fn resolve(
    record: &ReservationRecord,
    (user_keys, emails): (&HashMap<String, String>, &HashSet<String>),
    (room_keys, rooms): (&HashMap<String, String>, &HashMap<String, KnownRoom>),
    rules: &ReservationRules,
    now: DateTime<Utc>,
) -> Result<Planned, String> {
    let email_key = match &record.user {
        Who::Key(key) => user_keys
            .get(key)
            .cloned()
            .ok_or_else(|| format!("user {key} is not among the valid rows of the users table"))?,
        Who::Email(email) => {
            let email = Email::parse(email).map_err(|e| problem(&e))?;
            if !emails.contains(&email.key) {
                return Err(format!("{} is not a user", email.display));
            }
            email.key
        }
    };
    let room = match &record.room {
        Which::Key(key) => room_keys
            .get(key)
            .and_then(|k| rooms.get(k))
            .ok_or_else(|| format!("room {key} is not among the valid rows of the rooms table"))?,
        Which::Name(name) => rooms
            .get(&name_key(name))
            .ok_or_else(|| format!("no room is named {name:?}"))?,
    };
    let start = record
        .start
        .resolve(room.zone)
        .map_err(|e| format!("start: {e}"))?;
    let end = record
        .end
        .resolve(room.zone)
        .map_err(|e| format!("end: {e}"))?;
    let purpose =
        check_reservation((start, end), &record.purpose, rules, now).map_err(|e| problem(&e))?;
    Ok(Planned {
        at: record.at.clone(),
        reference: record.reference.clone(),
        email_key,
        room_key: room.key.clone(),
        room_name: room.name.clone(),
        zone: room.zone,
        start,
        end,
        purpose,
        status: record.status,
    })
}

pub(super) fn invalid(entity: &'static str, at: &Place, problem: String) -> Invalid {
    Invalid {
        entity,
        at: at.clone(),
        problem,
    }
}
