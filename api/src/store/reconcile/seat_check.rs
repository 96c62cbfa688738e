//! What one performance's derived seat data should be, judged from one
//! consistent view of it.

use std::collections::{BTreeMap, HashMap, HashSet};

use bson::oid::ObjectId;
use bson::{Bson, Document, doc};
use chrono::{DateTime, Utc};
use shared::DriftKind;

use super::Finding;
use super::fixes::Fix;
use crate::store::bookings::BookingDoc;
use crate::store::holds::HoldDoc;
use crate::store::seats::{SeatDoc, SeatStateDoc};

/// One performance as read at one moment.
#[derive(Default)]
pub(super) struct PerformanceView {
    pub total_seats: u32,
    pub seats: Vec<SeatDoc>,
    /// Its confirmed bookings.
    pub bookings: Vec<BookingDoc>,
    /// Its active holds (some may be past their expiry).
    pub holds: Vec<HoldDoc>,
    /// Its `booked_seats` documents.
    pub booked: Vec<Document>,
    /// Its buyers' seat-limit guards.
    pub guards: Vec<Document>,
}

/// A seat-limit guard's id: one per (buyer, performance).
pub(super) fn guard_id(user: ObjectId, performance: ObjectId) -> String {
    format!("{}:{}", user.to_hex(), performance.to_hex())
}

/// The performance a guard id names.
pub(super) fn guard_performance(id: &str) -> Option<ObjectId> {
    id.split_once(':')
        .and_then(|(_, performance)| ObjectId::parse_str(performance).ok())
}

fn describe(seat: &SeatDoc) -> String {
    let id = |id: Option<ObjectId>| id.map_or_else(|| "nothing".to_owned(), |id| id.to_hex());
    match seat.state {
        SeatStateDoc::Available => "available".to_owned(),
        SeatStateDoc::Held => format!(
            "held by hold {} until {}",
            id(seat.hold_id),
            seat.hold_expires_at
                .map_or_else(|| "no time".to_owned(), |t| t.to_chrono().to_rfc3339())
        ),
        SeatStateDoc::Booked => format!("booked by booking {}", id(seat.booking_id)),
    }
}

fn free(seat: &SeatDoc) -> Fix {
    Fix::Seat {
        id: seat.id,
        set: doc! { "state": "available" },
        unset: vec!["holder", "hold_id", "hold_expires_at", "booking_id"],
    }
}

/// Every disagreement in `view` at `now`, each with its fix when one
/// exists.
pub(super) fn check(
    performance: ObjectId,
    view: &PerformanceView,
    now: DateTime<Utc>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut owner: HashMap<&str, &BookingDoc> = HashMap::new();
    for booking in &view.bookings {
        for label in &booking.seats {
            if let Some(other) = owner.insert(label, booking) {
                findings.push(Finding::new(
                    DriftKind::SeatState,
                    format!(
                        "seat {label} is in confirmed bookings {} and {}; a person must decide",
                        other.id, booking.id
                    ),
                    None,
                ));
            }
        }
    }
    let mut live: HashMap<&str, &HoldDoc> = HashMap::new();
    for hold in view.holds.iter().filter(|h| h.expires_at.to_chrono() > now) {
        for label in &hold.seats {
            live.insert(label, hold);
        }
    }
    seat_states(view, &owner, &live, now, &mut findings);
    booked_seats(performance, view, &owner, &mut findings);
    guards(performance, view, now, &mut findings);
    if view.seats.len() != view.total_seats as usize {
        let total = u32::try_from(view.seats.len()).unwrap_or(u32::MAX);
        findings.push(Finding::new(
            DriftKind::SeatCount,
            format!(
                "the performance counts {} seats but has {} seat documents",
                view.total_seats, total
            ),
            Some(Fix::SeatCount { performance, total }),
        ));
    }
    findings
}

fn seat_states(
    view: &PerformanceView,
    owner: &HashMap<&str, &BookingDoc>,
    live: &HashMap<&str, &HoldDoc>,
    now: DateTime<Utc>,
    findings: &mut Vec<Finding>,
) {
    let mut labels = HashSet::new();
    for seat in &view.seats {
        let label = seat.label.as_str();
        labels.insert(label);
        if let Some(booking) = owner.get(label) {
            let right = seat.state == SeatStateDoc::Booked
                && seat.booking_id == Some(booking.id)
                && seat.holder == Some(booking.user_id);
            if !right {
                findings.push(Finding::new(
                    DriftKind::SeatState,
                    format!("seat {label} is {} but booking {} confirmed it", describe(seat), booking.id),
                    Some(Fix::Seat {
                        id: seat.id,
                        set: doc! { "state": "booked", "booking_id": booking.id, "holder": booking.user_id },
                        unset: vec!["hold_id", "hold_expires_at"],
                    }),
                ));
            }
        } else if seat.state == SeatStateDoc::Booked {
            findings.push(Finding::new(
                DriftKind::SeatState,
                format!(
                    "seat {label} is {}, which is no confirmed booking of it",
                    describe(seat)
                ),
                Some(free(seat)),
            ));
        } else if let Some(hold) = live.get(label) {
            let right = seat.state == SeatStateDoc::Held
                && seat.hold_id == Some(hold.id)
                && seat.holder == Some(hold.user_id)
                && seat.hold_expires_at == Some(hold.expires_at);
            if !right {
                findings.push(Finding::new(
                    DriftKind::SeatState,
                    format!(
                        "seat {label} is {} but hold {} holds it until {}",
                        describe(seat),
                        hold.id,
                        hold.expires_at.to_chrono().to_rfc3339()
                    ),
                    Some(Fix::Seat {
                        id: seat.id,
                        set: doc! {
                            "state": "held",
                            "hold_id": hold.id,
                            "holder": hold.user_id,
                            "hold_expires_at": hold.expires_at,
                        },
                        unset: vec!["booking_id"],
                    }),
                ));
            }
        } else if seat.is_busy(now) {
            findings.push(Finding::new(
                DriftKind::SeatState,
                format!(
                    "seat {label} is {}, which is no live hold of it",
                    describe(seat)
                ),
                Some(free(seat)),
            ));
        }
    }
    let claimed = owner.iter().map(|(label, b)| (label, b.id, "booking"));
    let held = live.iter().map(|(label, h)| (label, h.id, "hold"));
    for (label, id, what) in claimed.chain(held) {
        if !labels.contains(*label) {
            findings.push(Finding::new(
                DriftKind::SeatState,
                format!("{what} {id} names seat {label}, which the performance does not have"),
                None,
            ));
        }
    }
}

fn booked_seats(
    performance: ObjectId,
    view: &PerformanceView,
    owner: &HashMap<&str, &BookingDoc>,
    findings: &mut Vec<Finding>,
) {
    let mut present: HashMap<&str, (ObjectId, Option<ObjectId>)> = HashMap::new();
    for booked in &view.booked {
        let (Ok(id), Ok(label)) = (booked.get_object_id("_id"), booked.get_str("label")) else {
            continue;
        };
        present.insert(label, (id, booked.get_object_id("booking_id").ok()));
    }
    for (label, booking) in owner {
        match present.get(label) {
            None => findings.push(Finding::new(
                DriftKind::BookedSeat,
                format!(
                    "seat {label} of booking {} has no booked-seat guard",
                    booking.id
                ),
                Some(Fix::BookedSeatMissing {
                    performance,
                    label: (*label).to_owned(),
                    booking: booking.id,
                }),
            )),
            Some((id, recorded)) if *recorded != Some(booking.id) => findings.push(Finding::new(
                DriftKind::BookedSeat,
                format!(
                    "the booked-seat guard of seat {label} names {} instead of booking {}",
                    recorded.map_or_else(|| "nothing".to_owned(), |b| b.to_hex()),
                    booking.id
                ),
                Some(Fix::BookedSeatOwner {
                    id: *id,
                    booking: booking.id,
                }),
            )),
            Some(_) => {}
        }
    }
    for (label, (id, recorded)) in &present {
        if !owner.contains_key(label) {
            findings.push(Finding::new(
                DriftKind::BookedSeat,
                format!(
                    "seat {label} has a booked-seat guard (booking {}) but no confirmed booking",
                    recorded.map_or_else(|| "none".to_owned(), |b| b.to_hex())
                ),
                Some(Fix::BookedSeatExtra { id: *id }),
            ));
        }
    }
}

/// A guard entry: a claim's id, its seats and, for a hold, its expiry.
fn entry(id: ObjectId, seats: usize, until: Option<bson::DateTime>) -> Document {
    doc! {
        "id": id,
        "n": i64::try_from(seats).unwrap_or(i64::MAX),
        "until": until.map_or(Bson::Null, Bson::DateTime),
    }
}

fn guards(
    performance: ObjectId,
    view: &PerformanceView,
    now: DateTime<Utc>,
    findings: &mut Vec<Finding>,
) {
    // What each buyer's guard must count: (claim id, seats), and the
    // entries to write back.
    let mut expected: BTreeMap<ObjectId, (BTreeMap<ObjectId, i64>, Vec<Document>)> =
        BTreeMap::new();
    for booking in &view.bookings {
        let (counted, entries) = expected.entry(booking.user_id).or_default();
        counted.insert(booking.id, booking.seats.len() as i64);
        entries.push(entry(booking.id, booking.seats.len(), None));
    }
    for hold in view.holds.iter().filter(|h| h.expires_at.to_chrono() > now) {
        let (counted, entries) = expected.entry(hold.user_id).or_default();
        counted.insert(hold.id, hold.seats.len() as i64);
        entries.push(entry(hold.id, hold.seats.len(), Some(hold.expires_at)));
    }
    let mut stored: HashMap<String, BTreeMap<ObjectId, i64>> = HashMap::new();
    for guard in &view.guards {
        let Ok(id) = guard.get_str("_id") else {
            continue;
        };
        // A guard from before entries were kept is rebuilt on its next use.
        let Ok(live) = guard.get_array("live") else {
            continue;
        };
        let counted = live
            .iter()
            .filter_map(Bson::as_document)
            .filter(|e| match e.get("until") {
                Some(Bson::DateTime(until)) => until.to_chrono() > now,
                _ => true,
            })
            .filter_map(|e| {
                let n = e
                    .get_i64("n")
                    .or_else(|_| e.get_i32("n").map(i64::from))
                    .ok()?;
                Some((e.get_object_id("id").ok()?, n))
            })
            .collect();
        stored.insert(id.to_owned(), counted);
    }
    let mut users: Vec<ObjectId> = expected.keys().copied().collect();
    users.extend(view.guards.iter().filter_map(|g| {
        g.get_str("_id")
            .ok()?
            .split_once(':')
            .and_then(|(u, _)| ObjectId::parse_str(u).ok())
    }));
    users.sort();
    users.dedup();
    for user in users {
        let id = guard_id(user, performance);
        let Some(counted) = stored.get(&id) else {
            if view
                .guards
                .iter()
                .any(|g| g.get_str("_id") == Ok(id.as_str()))
            {
                continue; // kept in the old form
            }
            if let Some((_, entries)) = expected.get(&user) {
                findings.push(Finding::new(
                    DriftKind::SeatGuard,
                    format!("buyer {user} has live claims but no seat-limit guard"),
                    Some(Fix::Guard {
                        id,
                        live: entries.clone(),
                    }),
                ));
            }
            continue;
        };
        let (want, entries) = expected.get(&user).cloned().unwrap_or_default();
        if *counted != want {
            let list = |m: &BTreeMap<ObjectId, i64>| {
                m.iter()
                    .map(|(id, n)| format!("{id}×{n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            findings.push(Finding::new(
                DriftKind::SeatGuard,
                format!(
                    "buyer {user}'s seat-limit guard counts [{}] but their live claims are [{}]",
                    list(counted),
                    list(&want)
                ),
                Some(Fix::Guard { id, live: entries }),
            ));
        }
    }
}
