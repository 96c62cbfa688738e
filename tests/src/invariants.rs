//! The booking invariants, checked by reading a database directly: what
//! must hold after any storm, race or fault, whatever the API answered.

use std::collections::{HashMap, HashSet};

use futures::TryStreamExt;
use mongodb::Database;
use mongodb::bson::oid::ObjectId;
use mongodb::bson::{Bson, Document, doc};

/// Reads every document of `collection` matching `filter`.
pub async fn documents(
    db: &Database,
    collection: &str,
    filter: Document,
) -> Result<Vec<Document>, String> {
    db.collection::<Document>(collection)
        .find(filter)
        .await
        .map_err(|e| format!("reading {collection}: {e}"))?
        .try_collect()
        .await
        .map_err(|e| format!("reading {collection}: {e}"))
}

fn id(doc: &Document, key: &str) -> String {
    doc.get_object_id(key)
        .map(|id| id.to_hex())
        .unwrap_or_else(|_| format!("<no {key}>"))
}

/// An integer field; anything else is a broken document, reported.
fn number(doc: &Document, key: &str) -> Result<i64, String> {
    match doc.get(key) {
        Some(Bson::Int64(n)) => Ok(*n),
        Some(Bson::Int32(n)) => Ok(i64::from(*n)),
        other => Err(format!("{key} is not an integer in {doc}: {other:?}")),
    }
}

/// Every violation found: no seat in two confirmed bookings, seat
/// documents agreeing with the bookings, no room cell claimed twice, every
/// active reservation holding exactly its cells, every wallet equal to
/// the sum of its ledger and never negative, and every change with its
/// event and no event without its change. Empty when all hold.
pub async fn violations(db: &Database) -> Result<Vec<String>, String> {
    let mut problems = Vec::new();
    seats(db, &mut problems).await?;
    rooms(db, &mut problems).await?;
    problems.extend(wallet_violations(db).await?);
    problems.extend(outbox_violations(db).await?);
    Ok(problems)
}

/// The collections whose documents record their changes as events, with
/// the events' target type.
const RECORDED: [(&str, &str); 9] = [
    ("reservations", "reservation"),
    ("holds", "hold"),
    ("bookings", "booking"),
    ("wallets", "wallet"),
    ("rooms", "room"),
    ("users", "user"),
    ("performances", "performance"),
    ("venues", "venue"),
    ("shows", "show"),
];

/// The outbox against the documents: each document's events are numbered
/// 1 to its version with none missing or extra (a venue or show, never
/// changed, has one), the last one carries its current status, a wallet
/// has one event per ledger entry, and every event's target exists unless
/// its last event removed it.
pub async fn outbox_violations(db: &Database) -> Result<Vec<String>, String> {
    let mut problems = Vec::new();
    let mut seqs: HashMap<(String, ObjectId), Vec<(i64, Document)>> = HashMap::new();
    for event in documents(db, "events", doc! {}).await? {
        let kind = event
            .get_str("target_type")
            .map_err(|e| e.to_string())?
            .to_owned();
        let target = event
            .get_object_id("target_id")
            .map_err(|e| e.to_string())?;
        let seq = number(&event, "seq")?;
        seqs.entry((kind, target)).or_default().push((seq, event));
    }
    for events in seqs.values_mut() {
        events.sort_by_key(|(seq, _)| *seq);
    }
    let mut ledger: HashMap<ObjectId, i64> = HashMap::new();
    for entry in documents(db, "ledger", doc! {}).await? {
        if let Ok(user) = entry.get_object_id("user_id") {
            *ledger.entry(user).or_default() += 1;
        }
    }
    let mut seen: HashSet<(String, ObjectId)> = HashSet::new();
    for (collection, kind) in RECORDED {
        for doc in documents(db, collection, doc! {}).await? {
            let target = doc.get_object_id("_id").map_err(|e| e.to_string())?;
            let version = match doc.get("version") {
                None => 1,
                Some(_) => number(&doc, "version")?,
            };
            let key = (kind.to_owned(), target);
            seen.insert(key.clone());
            let numbers: Vec<i64> = seqs
                .get(&key)
                .map(|events| events.iter().map(|(seq, _)| *seq).collect())
                .unwrap_or_default();
            if numbers != (1..=version).collect::<Vec<_>>() {
                problems.push(format!(
                    "{kind} {target} is at version {version} but its events are numbered {numbers:?}"
                ));
                continue;
            }
            let last = seqs.get(&key).and_then(|events| events.last());
            if let (Some(status), Some((_, event))) = (doc.get_str("status").ok(), last) {
                let recorded = event
                    .get_document("data")
                    .ok()
                    .and_then(|data| data.get_str("status").ok());
                if recorded.is_some_and(|recorded| recorded != status) {
                    problems.push(format!(
                        "{kind} {target} is {status} but its last event says {recorded:?}"
                    ));
                }
            }
            if kind == "wallet" && ledger.get(&target).copied().unwrap_or(0) != version {
                problems.push(format!(
                    "wallet {target} has {} ledger entries but {version} events",
                    ledger.get(&target).copied().unwrap_or(0)
                ));
            }
        }
    }
    for (key, events) in &seqs {
        if seen.contains(key) {
            continue;
        }
        let removed = events.last().is_some_and(|(_, event)| {
            matches!(
                event.get_str("type"),
                Ok("room.deleted"
                    | "reservation.withdrawn"
                    | "reservation.archived"
                    | "booking.archived")
            )
        });
        if !removed {
            problems.push(format!(
                "{} {} has {} event(s) but no document, and was not removed",
                key.0,
                key.1,
                events.len()
            ));
        }
    }
    Ok(problems)
}

async fn seats(db: &Database, problems: &mut Vec<String>) -> Result<(), String> {
    let bookings = documents(db, "bookings", doc! { "status": "confirmed" }).await?;
    let mut owner: HashMap<(String, String), String> = HashMap::new();
    for booking in &bookings {
        let booking_id = id(booking, "_id");
        let performance = id(booking, "performance_id");
        for seat in booking.get_array("seats").map_err(|e| e.to_string())? {
            let label = seat.as_str().unwrap_or_default().to_owned();
            if let Some(other) =
                owner.insert((performance.clone(), label.clone()), booking_id.clone())
            {
                problems.push(format!(
                    "seat {label} of performance {performance} is in bookings {other} and {booking_id}"
                ));
            }
        }
    }
    let booked = documents(db, "seats", doc! { "state": "booked" }).await?;
    let mut seen = HashSet::new();
    for seat in &booked {
        let key = (
            id(seat, "performance_id"),
            seat.get_str("label").unwrap_or_default().to_owned(),
        );
        let booking = id(seat, "booking_id");
        if owner.get(&key) != Some(&booking) {
            problems.push(format!(
                "seat {} of performance {} is booked by {booking}, which is no confirmed booking of it",
                key.1, key.0
            ));
        }
        seen.insert(key);
    }
    for (performance, label) in owner.keys() {
        if !seen.contains(&(performance.clone(), label.clone())) {
            problems.push(format!(
                "seat {label} of performance {performance} is in a confirmed booking but not marked booked"
            ));
        }
    }
    Ok(())
}

async fn rooms(db: &Database, problems: &mut Vec<String>) -> Result<(), String> {
    let cells = documents(db, "room_slots", doc! {}).await?;
    let mut claimed: HashMap<(String, i64), String> = HashMap::new();
    let mut per_reservation: HashMap<String, usize> = HashMap::new();
    for cell in &cells {
        let room = id(cell, "room_id");
        let at = cell
            .get_datetime("cell")
            .map(|t| t.timestamp_millis())
            .unwrap_or_default();
        let reservation = id(cell, "reservation_id");
        if let Some(other) = claimed.insert((room.clone(), at), reservation.clone()) {
            problems.push(format!(
                "cell {at} of room {room} is claimed by {other} and {reservation}"
            ));
        }
        *per_reservation.entry(reservation).or_default() += 1;
    }
    let active = documents(
        db,
        "reservations",
        doc! { "status": { "$in": ["pending", "approved"] } },
    )
    .await?;
    let mut active_ids = HashSet::new();
    for reservation in &active {
        let reservation_id = id(reservation, "_id");
        let (Ok(start), Ok(end)) = (
            reservation.get_datetime("start"),
            reservation.get_datetime("end"),
        ) else {
            problems.push(format!("reservation {reservation_id} has no range"));
            continue;
        };
        // Cells are five minutes on a UTC grid.
        let first = start.timestamp_millis().div_euclid(300_000);
        let last = (end.timestamp_millis() + 299_999).div_euclid(300_000);
        let expected = usize::try_from(last - first).unwrap_or(0);
        let held = per_reservation.get(&reservation_id).copied().unwrap_or(0);
        if held != expected {
            problems.push(format!(
                "reservation {reservation_id} holds {held} cells instead of {expected}"
            ));
        }
        active_ids.insert(reservation_id);
    }
    for reservation in per_reservation.keys() {
        if !active_ids.contains(reservation) {
            problems.push(format!(
                "cells are claimed by {reservation}, which is no active reservation"
            ));
        }
    }
    Ok(())
}

/// Every wallet that is negative or disagrees with the sum of its ledger.
pub async fn wallet_violations(db: &Database) -> Result<Vec<String>, String> {
    let mut problems = Vec::new();
    let mut sums: HashMap<ObjectId, i64> = HashMap::new();
    for entry in documents(db, "ledger", doc! {}).await? {
        if let Ok(user) = entry.get_object_id("user_id") {
            *sums.entry(user).or_default() += number(&entry, "amount")?;
        }
    }
    for wallet in documents(db, "wallets", doc! {}).await? {
        let user = wallet.get_object_id("_id").map_err(|e| e.to_string())?;
        let balance = number(&wallet, "balance")?;
        let ledger = sums.get(&user).copied().unwrap_or(0);
        if balance < 0 {
            problems.push(format!("wallet {user} is negative: {balance}"));
        }
        if balance != ledger {
            problems.push(format!(
                "wallet {user} holds {balance} but its ledger sums to {ledger}"
            ));
        }
    }
    Ok(problems)
}
