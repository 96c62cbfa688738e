//! Rooms: the claimed five-minute cells against the active reservations.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use bson::oid::ObjectId;
use bson::{Document, doc};
use futures::TryStreamExt;
use shared::DriftKind;

use super::fixes::Fix;
use super::{Finding, Tally, read_all, read_in};
use crate::domain::reservation::cells_between;
use crate::error::ApiError;
use crate::store::indexes::{RESERVATIONS, ROOM_SLOTS, ROOMS};
use crate::store::reservations::ReservationDoc;
use crate::store::{Store, to_bson_time};

/// One room as read at one moment: its active reservations and its cells.
#[derive(Default)]
struct RoomView {
    reservations: Vec<ReservationDoc>,
    cells: Vec<Document>,
}

fn active() -> Document {
    doc! { "status": { "$in": ["pending", "approved"] } }
}

fn check(room: ObjectId, view: &RoomView) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut expected: BTreeMap<bson::DateTime, ObjectId> = BTreeMap::new();
    for reservation in &view.reservations {
        let cells = cells_between(reservation.start.to_chrono(), reservation.end.to_chrono());
        for cell in cells.into_iter().map(to_bson_time) {
            if let Some(other) = expected.insert(cell, reservation.id) {
                findings.push(Finding::new(
                    DriftKind::RoomCell,
                    format!(
                        "active reservations {other} and {} both cover {}; a person must decide",
                        reservation.id,
                        cell.to_chrono().to_rfc3339()
                    ),
                    None,
                ));
            }
        }
    }
    let mut present: HashMap<bson::DateTime, (ObjectId, Option<ObjectId>)> = HashMap::new();
    for stored in &view.cells {
        let (Ok(id), Ok(cell)) = (stored.get_object_id("_id"), stored.get_datetime("cell")) else {
            continue;
        };
        present.insert(*cell, (id, stored.get_object_id("reservation_id").ok()));
    }
    let name = |id: Option<ObjectId>| id.map_or_else(|| "nothing".to_owned(), |id| id.to_hex());
    for (cell, reservation) in &expected {
        let at = cell.to_chrono().to_rfc3339();
        let finding = match present.get(cell) {
            None => Finding::new(
                DriftKind::RoomCell,
                format!("cell {at} of reservation {reservation} is not claimed"),
                Some(Fix::CellMissing {
                    room,
                    cell: *cell,
                    reservation: *reservation,
                }),
            ),
            Some((id, owner)) if *owner != Some(*reservation) => Finding::new(
                DriftKind::RoomCell,
                format!(
                    "cell {at} is claimed by {} instead of reservation {reservation}",
                    name(*owner)
                ),
                Some(Fix::CellOwner {
                    id: *id,
                    reservation: *reservation,
                }),
            ),
            Some(_) => continue,
        };
        findings.push(finding.relying_on(RESERVATIONS, *reservation));
    }
    for (cell, (id, owner)) in &present {
        if !expected.contains_key(cell) {
            findings.push(Finding::new(
                DriftKind::RoomCell,
                format!(
                    "cell {} is claimed by {}, which is no active reservation covering it",
                    cell.to_chrono().to_rfc3339(),
                    name(*owner)
                ),
                Some(Fix::CellExtra { id: *id }),
            ));
        }
    }
    findings
}

impl Store {
    pub(super) async fn reconcile_rooms(&self, tally: &mut Tally) -> Result<(), ApiError> {
        let rooms: BTreeSet<ObjectId> = self
            .collection::<Document>(ROOMS)
            .find(doc! {})
            .projection(doc! { "_id": 1 })
            .await?
            .try_collect::<Vec<_>>()
            .await?
            .iter()
            .filter_map(|r| r.get_object_id("_id").ok())
            .collect();
        let reservations: Vec<ReservationDoc> = read_all(self, RESERVATIONS, active()).await?;
        let cells: Vec<Document> = read_all(self, ROOM_SLOTS, doc! {}).await?;
        tally.checked.rooms += rooms.len() as u64;
        tally.checked.reservations += reservations.len() as u64;
        let mut views: BTreeMap<ObjectId, RoomView> = BTreeMap::new();
        // A deleted room keeps its past reservations for the record, but
        // no cells: only cells left behind are judged there.
        for reservation in reservations
            .into_iter()
            .filter(|r| rooms.contains(&r.room_id))
        {
            views
                .entry(reservation.room_id)
                .or_default()
                .reservations
                .push(reservation);
        }
        for cell in cells {
            if let Ok(room) = cell.get_object_id("room_id") {
                views.entry(room).or_default().cells.push(cell);
            }
        }
        let suspects: BTreeSet<ObjectId> = views
            .iter()
            .filter(|(room, view)| !check(**room, view).is_empty())
            .map(|(room, _)| *room)
            .collect();
        for room in suspects {
            let (findings, repaired) = self.look_at_room(room, tally.repair).await?;
            tally.add("room", room, findings, repaired);
        }
        Ok(())
    }

    async fn look_at_room(
        &self,
        room: ObjectId,
        repair: bool,
    ) -> Result<(Vec<Finding>, bool), ApiError> {
        let store = self.clone();
        self.transaction(async move |session| {
            let mut mine = active();
            mine.insert("room_id", room);
            let exists: Vec<Document> =
                read_in(&store, session, ROOMS, doc! { "_id": room }).await?;
            let reservations = if exists.is_empty() {
                Vec::new()
            } else {
                read_in(&store, session, RESERVATIONS, mine).await?
            };
            let view = RoomView {
                reservations,
                cells: read_in(&store, session, ROOM_SLOTS, doc! { "room_id": room }).await?,
            };
            let findings = check(room, &view);
            if repair {
                super::repair(&store, session, &findings).await?;
            }
            Ok((findings, repair))
        })
        .await
    }
}
