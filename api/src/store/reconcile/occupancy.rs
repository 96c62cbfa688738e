//! Occupancy roll-ups: each room's sealed days (`reports/rollup.rs`)
//! against the approved reservations of the room.

use std::collections::{BTreeMap, BTreeSet};

use bson::oid::ObjectId;
use bson::{Bson, Document, doc};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use shared::DriftKind;

use super::fixes::Fix;
use super::{Finding, Tally, read_all, read_in};
use crate::error::ApiError;
use crate::store::Store;
use crate::store::indexes::{RESERVATIONS, ROOMS};
use crate::store::reports::days::{day_floor, day_uses};
use crate::store::reports::{OCCUPANCY_DAYS, OCCUPANCY_MARKS};
use crate::store::reservations::ReservationDoc;
use crate::store::rooms::RoomDoc;

/// A day's figures: reservations starting in it, minutes per local hour.
type Figures = (u64, [u64; 24]);

/// One room's seal as read: the zone its days were cut in and the end of
/// the sealed days.
struct Seal {
    zone: Tz,
    until: DateTime<Utc>,
}

fn number(doc: &Document, field: &str) -> u64 {
    match doc.get(field) {
        Some(Bson::Int32(n)) => u64::try_from(*n).unwrap_or(0),
        Some(Bson::Int64(n)) => u64::try_from(*n).unwrap_or(0),
        _ => 0,
    }
}

/// The first whole local day at or after `horizon`: days before it may
/// have lost reservations to the archive, so their roll-ups are the record.
fn judged_from(zone: Tz, horizon: DateTime<Utc>) -> DateTime<Utc> {
    let floor = day_floor(zone, horizon);
    if floor == horizon {
        return floor;
    }
    // A local day lasts 23 to 25 hours: 36 hours on is inside the next.
    day_floor(zone, floor + chrono::Duration::hours(36))
}

/// Judges `room`'s day documents before its seal (and from the archive's
/// `horizon`, if any) against what its approved reservations make of
/// those days. One fix, on the first finding, recomputes every judged day
/// of the room.
fn check(
    room: ObjectId,
    seal: &Seal,
    horizon: Option<DateTime<Utc>>,
    approved: &[ReservationDoc],
    stored: &[Document],
) -> Vec<Finding> {
    let spans: Vec<_> = approved
        .iter()
        .map(|r| (r.start.to_chrono(), r.end.to_chrono()))
        .collect();
    let mut found: BTreeMap<DateTime<Utc>, Figures> = BTreeMap::new();
    for day in stored {
        let Ok(start) = day.get_datetime("start") else {
            continue;
        };
        let mut minutes = [0; 24];
        for (hour, slot) in minutes.iter_mut().enumerate() {
            *slot = number(day, &format!("h{hour}"));
        }
        found.insert(start.to_chrono(), (number(day, "starts"), minutes));
    }
    found.retain(|start, _| *start < seal.until);
    // From the earliest reservation's day, or an earlier stray document.
    let first = spans
        .iter()
        .map(|s| day_floor(seal.zone, s.0))
        .chain(found.keys().copied())
        .min()
        .map_or(seal.until, |first| first.min(seal.until));
    let first = match horizon {
        Some(horizon) => first.max(judged_from(seal.zone, horizon).min(seal.until)),
        None => first,
    };
    found.retain(|start, _| *start >= first);
    let expected: BTreeMap<DateTime<Utc>, Figures> = day_uses(seal.zone, first, seal.until, &spans)
        .into_iter()
        .map(|u| (u.start, (u64::from(u.starts), u.minutes)))
        .collect();
    let days: BTreeSet<DateTime<Utc>> = expected.keys().chain(found.keys()).copied().collect();
    let none: Figures = (0, [0; 24]);
    let total = |f: &Figures| f.1.iter().sum::<u64>();
    let mut findings = Vec::new();
    for day in days {
        let want = expected.get(&day).unwrap_or(&none);
        let have = found.get(&day).unwrap_or(&none);
        if want != have {
            findings.push(Finding::new(
                DriftKind::OccupancyDay,
                format!(
                    "the day from {}: {} minutes and {} reservations rolled up, \
                     the reservations make {} and {}",
                    day.to_rfc3339(),
                    total(have),
                    have.0,
                    total(want),
                    want.0
                ),
                None,
            ));
        }
    }
    if let Some(finding) = findings.first_mut() {
        finding.fix = Some(Fix::OccupancyDays {
            room,
            zone: seal.zone,
            from: first,
            until: seal.until,
        });
    }
    findings
}

/// The seal of `room` from its mark, if its days were cut in the room's
/// current zone (otherwise the sealer starts the room over anyway).
fn seal_of(mark: &Document, room: &RoomDoc) -> Option<Seal> {
    let zone = mark.get_str("zone").ok()?;
    if zone != room.time_zone {
        return None;
    }
    Some(Seal {
        zone: zone.parse().ok()?,
        until: mark.get_datetime("until").ok()?.to_chrono(),
    })
}

impl Store {
    pub(super) async fn reconcile_occupancy(&self, tally: &mut Tally) -> Result<(), ApiError> {
        let marks: Vec<Document> = read_all(self, OCCUPANCY_MARKS, doc! {}).await?;
        if marks.is_empty() {
            return Ok(());
        }
        let horizon = self.reservations_archived_before().await?;
        let rooms: Vec<RoomDoc> = read_all(self, ROOMS, doc! {}).await?;
        let approved: Vec<ReservationDoc> =
            read_all(self, RESERVATIONS, doc! { "status": "approved" }).await?;
        let days: Vec<Document> = read_all(self, OCCUPANCY_DAYS, doc! {}).await?;
        let mut approved_by_room: BTreeMap<ObjectId, Vec<ReservationDoc>> = BTreeMap::new();
        for reservation in approved {
            approved_by_room
                .entry(reservation.room_id)
                .or_default()
                .push(reservation);
        }
        let mut days_by_room: BTreeMap<ObjectId, Vec<Document>> = BTreeMap::new();
        for day in days {
            if let Ok(room) = day.get_object_id("room_id") {
                days_by_room.entry(room).or_default().push(day);
            }
        }
        let mut suspects = Vec::new();
        for mark in &marks {
            let Ok(id) = mark.get_object_id("_id") else {
                continue;
            };
            let Some(room) = rooms.iter().find(|r| r.id == id) else {
                continue;
            };
            let Some(seal) = seal_of(mark, room) else {
                continue;
            };
            let approved = approved_by_room.get(&id).map_or(&[][..], Vec::as_slice);
            let stored = days_by_room.get(&id).map_or(&[][..], Vec::as_slice);
            if !check(id, &seal, horizon, approved, stored).is_empty() {
                suspects.push(id);
            }
        }
        for room in suspects {
            let (findings, repaired) = self.look_at_occupancy(room, tally.repair).await?;
            tally.add("room", room, findings, repaired);
        }
        Ok(())
    }

    /// Judges `room`'s sealed days again in one snapshot, and repairs them.
    async fn look_at_occupancy(
        &self,
        room: ObjectId,
        repair: bool,
    ) -> Result<(Vec<Finding>, bool), ApiError> {
        let store = self.clone();
        let horizon = self.reservations_archived_before().await?;
        self.transaction(async move |session| {
            let marks: Vec<Document> =
                read_in(&store, session, OCCUPANCY_MARKS, doc! { "_id": room }).await?;
            let rooms: Vec<RoomDoc> = read_in(&store, session, ROOMS, doc! { "_id": room }).await?;
            let (Some(mark), Some(found)) = (marks.first(), rooms.first()) else {
                return Ok((Vec::new(), repair));
            };
            let Some(seal) = seal_of(mark, found) else {
                return Ok((Vec::new(), repair));
            };
            let approved: Vec<ReservationDoc> = read_in(
                &store,
                session,
                RESERVATIONS,
                doc! { "room_id": room, "status": "approved" },
            )
            .await?;
            let stored: Vec<Document> =
                read_in(&store, session, OCCUPANCY_DAYS, doc! { "room_id": room }).await?;
            let findings = check(room, &seal, horizon, &approved, &stored);
            if repair {
                super::repair(&store, session, &findings).await?;
            }
            Ok((findings, repair))
        })
        .await
    }
}
