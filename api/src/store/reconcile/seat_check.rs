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
use crate::store::indexes::{BOOKINGS, HOLDS};
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

pub(super) use crate::store::seat_limit::guard_id;

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

/// Holds this close to their expiry are not judged, nor the seats and
/// guard entries naming them: instances judge expiry by their own clocks,
/// and the hold sweep frees seats before it marks their holds expired, so
/// around that moment either state is right.
const MARGIN: chrono::Duration = chrono::Duration::seconds(30);

/// What one look at a performance knows about its claims at `now`.
struct Claims<'a> {
    now: DateTime<Utc>,
    /// Each seat's confirmed booking.
    owner: HashMap<&'a str, &'a BookingDoc>,
    /// Seats in more than one confirmed booking: reported, never fixed.
    contested: HashSet<&'a str>,
    /// Holds certainly live at `now`, per seat.
    live: HashMap<&'a str, Vec<&'a HoldDoc>>,
    /// Seats named by a hold at the edge of its expiry.
    uncertain: HashSet<&'a str>,
}

fn near(at: bson::DateTime, now: DateTime<Utc>) -> bool {
    (at.to_chrono() - now).abs() < MARGIN
}

/// Every disagreement in `view` at `now`, each with its fix when one
/// exists.
pub(super) fn check(
    performance: ObjectId,
    view: &PerformanceView,
    now: DateTime<Utc>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut claims = Claims {
        now,
        owner: HashMap::new(),
        contested: HashSet::new(),
        live: HashMap::new(),
        uncertain: HashSet::new(),
    };
    for booking in &view.bookings {
        for label in &booking.seats {
            if let Some(other) = claims.owner.insert(label, booking) {
                claims.contested.insert(label);
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
    for hold in &view.holds {
        for label in &hold.seats {
            if near(hold.expires_at, now) {
                claims.uncertain.insert(label);
            } else if hold.expires_at.to_chrono() > now {
                claims.live.entry(label).or_default().push(hold);
            }
        }
    }
    seat_states(view, &claims, &mut findings);
    booked_seats(performance, view, &claims, &mut findings);
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

fn seat_states(view: &PerformanceView, claims: &Claims, findings: &mut Vec<Finding>) {
    let now = claims.now;
    let mut labels = HashSet::new();
    for seat in &view.seats {
        let label = seat.label.as_str();
        labels.insert(label);
        if claims.contested.contains(label) {
            continue;
        }
        if let Some(booking) = claims.owner.get(label) {
            let right = seat.state == SeatStateDoc::Booked
                && seat.booking_id == Some(booking.id)
                && seat.holder == Some(booking.user_id);
            if !right {
                findings.push(
                    Finding::new(
                        DriftKind::SeatState,
                        format!("seat {label} is {} but booking {} confirmed it", describe(seat), booking.id),
                        Some(Fix::Seat {
                            id: seat.id,
                            set: doc! { "state": "booked", "booking_id": booking.id, "holder": booking.user_id },
                            unset: vec!["hold_id", "hold_expires_at"],
                        }),
                    )
                    .relying_on(BOOKINGS, booking.id),
                );
            }
            continue;
        }
        if seat.state == SeatStateDoc::Booked {
            findings.push(Finding::new(
                DriftKind::SeatState,
                format!(
                    "seat {label} is {}, which is no confirmed booking of it",
                    describe(seat)
                ),
                Some(free(seat)),
            ));
            continue;
        }
        if claims.uncertain.contains(label) || seat.hold_expires_at.is_some_and(|t| near(t, now)) {
            continue;
        }
        match claims.live.get(label).map(Vec::as_slice) {
            Some([hold]) => {
                let right = seat.state == SeatStateDoc::Held
                    && seat.hold_id == Some(hold.id)
                    && seat.holder == Some(hold.user_id)
                    && seat.hold_expires_at == Some(hold.expires_at);
                // A seat another live claim holds is never moved.
                let fix = (!seat.is_busy(now)).then(|| Fix::Seat {
                    id: seat.id,
                    set: doc! {
                        "state": "held",
                        "hold_id": hold.id,
                        "holder": hold.user_id,
                        "hold_expires_at": hold.expires_at,
                    },
                    unset: vec!["booking_id"],
                });
                if !right {
                    let detail = format!(
                        "seat {label} is {} but hold {} holds it until {}",
                        describe(seat),
                        hold.id,
                        hold.expires_at.to_chrono().to_rfc3339()
                    );
                    findings.push(
                        Finding::new(DriftKind::SeatState, detail, fix).relying_on(HOLDS, hold.id),
                    );
                }
            }
            Some(holds) if holds.len() > 1 => {
                let ids: Vec<String> = holds.iter().map(|h| h.id.to_hex()).collect();
                findings.push(Finding::new(
                    DriftKind::SeatState,
                    format!(
                        "seat {label} is named by live holds {}; a person must decide",
                        ids.join(" and ")
                    ),
                    None,
                ));
            }
            _ if seat.is_busy(now) => findings.push(Finding::new(
                DriftKind::SeatState,
                format!(
                    "seat {label} is {}, which is no live hold of it",
                    describe(seat)
                ),
                Some(free(seat)),
            )),
            _ => {}
        }
    }
    let claimed = claims
        .owner
        .iter()
        .map(|(label, b)| (*label, b.id, "booking"));
    let held = claims
        .live
        .iter()
        .flat_map(|(label, holds)| holds.iter().map(move |h| (*label, h.id, "hold")));
    for (label, id, what) in claimed.chain(held) {
        if !labels.contains(label) {
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
    claims: &Claims,
    findings: &mut Vec<Finding>,
) {
    let owner = &claims.owner;
    let mut present: HashMap<&str, (ObjectId, Option<ObjectId>)> = HashMap::new();
    for booked in &view.booked {
        let (Ok(id), Ok(label)) = (booked.get_object_id("_id"), booked.get_str("label")) else {
            continue;
        };
        present.insert(label, (id, booked.get_object_id("booking_id").ok()));
    }
    for (label, booking) in owner {
        if claims.contested.contains(label) {
            continue;
        }
        let finding = match present.get(label) {
            None => Finding::new(
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
            ),
            Some((id, recorded)) if *recorded != Some(booking.id) => Finding::new(
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
            ),
            Some(_) => continue,
        };
        findings.push(finding.relying_on(BOOKINGS, booking.id));
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
    // Claims at the edge of expiry count on neither side.
    let mut uncertain: HashSet<ObjectId> = HashSet::new();
    for hold in view.holds.iter().filter(|h| h.expires_at.to_chrono() > now) {
        let (counted, entries) = expected.entry(hold.user_id).or_default();
        if near(hold.expires_at, now) {
            uncertain.insert(hold.id);
        } else {
            counted.insert(hold.id, hold.seats.len() as i64);
        }
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
                Some(Bson::DateTime(until)) => until.to_chrono() > now && !near(*until, now),
                _ => true,
            })
            .filter(|e| {
                e.get_object_id("id")
                    .is_ok_and(|id| !uncertain.contains(&id))
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
                let finding = Finding::new(
                    DriftKind::SeatGuard,
                    format!("buyer {user} has live claims but no seat-limit guard"),
                    Some(Fix::Guard {
                        id,
                        live: entries.clone(),
                    }),
                );
                findings.push(relying_on_claims(finding, view, user));
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
            let finding = Finding::new(
                DriftKind::SeatGuard,
                format!(
                    "buyer {user}'s seat-limit guard counts [{}] but their live claims are [{}]",
                    list(counted),
                    list(&want)
                ),
                Some(Fix::Guard { id, live: entries }),
            );
            findings.push(relying_on_claims(finding, view, user));
        }
    }
}

/// A guard's fix stands only while the buyer's bookings and holds it was
/// made from do not change.
fn relying_on_claims(mut finding: Finding, view: &PerformanceView, user: ObjectId) -> Finding {
    for booking in view.bookings.iter().filter(|b| b.user_id == user) {
        finding = finding.relying_on(BOOKINGS, booking.id);
    }
    for hold in view.holds.iter().filter(|h| h.user_id == user) {
        finding = finding.relying_on(HOLDS, hold.id);
    }
    finding
}
