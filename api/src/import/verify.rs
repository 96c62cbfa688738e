//! After an import: reads back every record the source says should be
//! stored and compares counts and checksums (SHA-256 over the sorted
//! records, field by field) with the source. Accounts and rooms that
//! existed before (matched by e-mail or name) are linked and counted, not
//! compared: the import does not change them.

use std::collections::{BTreeMap, HashMap};

use sha2::{Digest, Sha256};

use super::plan::Plan;
use crate::domain::room::name_key;
use crate::error::ApiError;
use crate::store::Store;
use crate::store::indexes::{ROOMS, USERS};

/// How many differing records a check lists.
const SHOWN: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub entity: &'static str,
    /// Records the source says should be stored, and those found.
    pub expected: usize,
    pub stored: usize,
    pub source_checksum: String,
    pub stored_checksum: String,
    /// The first few records that differ: `source` / `stored` lines.
    pub differing: Vec<String>,
    /// Records that were in the database before, from elsewhere: linked
    /// to, kept as they were, and not compared.
    pub kept: usize,
}

impl Check {
    pub fn passed(&self) -> bool {
        self.expected == self.stored && self.source_checksum == self.stored_checksum
    }
}

pub async fn verify(store: &Store, plan: &Plan) -> Result<Vec<Check>, ApiError> {
    // Users and rooms that were there before are linked, not changed:
    // only those this source created (or should have) are compared.
    let keys: Vec<String> = plan
        .expected_users
        .iter()
        .map(|u| u.email.key.clone())
        .collect();
    let made = store.import_refs(USERS, "email_key", &keys).await?;
    let ours = |key: &str, reference: String| made_here(&made, key, &reference);
    let (mut users, mut kept_users) = (BTreeMap::new(), 0);
    for u in &plan.expected_users {
        if ours(&u.email.key, format!("{}:{}", plan.source, u.key)) {
            let line = format!("{}\t{}\t{:?}", u.email.key, u.name, u.role);
            users.insert(u.email.key.clone(), line);
        } else {
            kept_users += 1;
        }
    }
    let keys: Vec<String> = users.keys().cloned().collect();
    let stored_users: BTreeMap<String, String> = store
        .users_by_email_keys(&keys)
        .await?
        .into_iter()
        .map(|u| {
            let line = format!("{}\t{}\t{:?}", u.email_key, u.name, u.role);
            (u.email_key, line)
        })
        .collect();
    let keys: Vec<String> = plan
        .expected_rooms
        .iter()
        .map(|r| name_key(&r.room.name))
        .collect();
    let made = store.import_refs(ROOMS, "name_key", &keys).await?;
    let ours = |key: &str, reference: String| made_here(&made, key, &reference);
    let (mut rooms, mut kept_rooms) = (BTreeMap::new(), 0);
    for r in &plan.expected_rooms {
        let room = &r.room;
        let key = name_key(&room.name);
        if ours(&key, format!("{}:{}", plan.source, r.key)) {
            let line = room_line(
                &key,
                (&room.name, &room.location, room.capacity),
                (room.has_projector, &room.notes, room.time_zone.name()),
            );
            rooms.insert(key, line);
        } else {
            kept_rooms += 1;
        }
    }
    let keys: Vec<String> = rooms.keys().cloned().collect();
    let stored_rooms: BTreeMap<String, String> = store
        .rooms_by_name_keys(&keys)
        .await?
        .into_iter()
        .map(|r| {
            let line = room_line(
                &r.name_key,
                (&r.name, &r.location, r.capacity),
                (r.has_projector, &r.notes, &r.time_zone),
            );
            (r.name_key, line)
        })
        .collect();
    let skipped: std::collections::HashSet<String> = plan
        .overlapping
        .iter()
        .chain(&plan.conflicting)
        .map(|i| i.at.to_string())
        .collect();
    let reservations: BTreeMap<String, String> = plan
        .expected_reservations
        .iter()
        .filter(|r| !skipped.contains(&r.at.to_string()))
        .map(|r| {
            let line = reservation_line(
                &r.reference,
                (&r.room_key, &r.email_key),
                (r.start, r.end),
                (&format!("{:?}", r.status), &r.purpose),
            );
            (r.reference.clone(), line)
        })
        .collect();
    let refs: Vec<String> = reservations.keys().cloned().collect();
    let found = store.reservations_imported_as(&refs).await?;
    let mut ids: Vec<_> = found.iter().map(|r| r.user_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let emails: HashMap<_, String> = store
        .users_by_ids(&ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u.email_key))
        .collect();
    let stored_reservations: BTreeMap<String, String> = found
        .into_iter()
        .filter_map(|r| {
            let reference = r.import_ref.clone()?;
            let email = emails.get(&r.user_id).cloned().unwrap_or_default();
            let line = reservation_line(
                &reference,
                (&name_key(&r.room_name), &email),
                (r.start.to_chrono(), r.end.to_chrono()),
                (&format!("{:?}", r.status), &r.purpose),
            );
            Some((reference, line))
        })
        .collect();
    Ok(vec![
        Check {
            kept: kept_users,
            ..check("users", &users, &stored_users)
        },
        Check {
            kept: kept_rooms,
            ..check("rooms", &rooms, &stored_rooms)
        },
        check("reservations", &reservations, &stored_reservations),
    ])
}

/// Whether the record stored under `key` is this source's `reference`
/// (or none is stored yet): one to compare, not one kept from before.
fn made_here(made: &HashMap<String, Option<String>>, key: &str, reference: &str) -> bool {
    match made.get(key) {
        Some(Some(found)) => found == reference,
        Some(None) => false,
        None => true,
    }
}

fn room_line(
    key: &str,
    (name, location, capacity): (&str, &str, u32),
    (projector, notes, zone): (bool, &str, &str),
) -> String {
    format!("{key}\t{name}\t{location}\t{capacity}\t{projector}\t{notes}\t{zone}")
}

fn reservation_line(
    reference: &str,
    (room, email): (&str, &str),
    (start, end): (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>),
    (status, purpose): (&str, &str),
) -> String {
    format!(
        "{reference}\t{room}\t{email}\t{}\t{}\t{status}\t{purpose}",
        start.to_rfc3339(),
        end.to_rfc3339()
    )
}

fn check(
    entity: &'static str,
    source: &BTreeMap<String, String>,
    stored: &BTreeMap<String, String>,
) -> Check {
    let mut differing = Vec::new();
    for (key, line) in source {
        match stored.get(key) {
            Some(found) if found == line => {}
            Some(found) => differing.push(format!("source {line:?}, stored {found:?}")),
            None => differing.push(format!("source {line:?}, not stored")),
        }
    }
    differing.truncate(SHOWN);
    Check {
        entity,
        expected: source.len(),
        stored: stored.len(),
        source_checksum: checksum(source.values()),
        stored_checksum: checksum(stored.values()),
        differing,
        kept: 0,
    }
}

/// SHA-256 over the lines in key order, each ended by a newline; hex.
fn checksum<'a>(lines: impl Iterator<Item = &'a String>) -> String {
    let mut hash = Sha256::new();
    for line in lines {
        hash.update(line.as_bytes());
        hash.update(b"\n");
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
