//! Room reservations and the time cells they claim.

use bson::oid::ObjectId;
use bson::{Document, doc};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use futures::TryStreamExt;
use mongodb::options::ReturnDocument;
use serde::{Deserialize, Serialize};
use shared::{
    BusyRange, ErrorCode, EventType, Page, Reservation, ReservationId, ReservationStatus, RoomId,
    SortOrder, TimeRange, UserId,
};

use super::indexes::{RESERVATIONS, ROOM_SLOTS};
use super::outbox::{Actor, Fact, event_inserts, next_version};
use super::page::{Order, SortField, keyset_page};
use super::rooms::RoomDoc;
use super::{Store, to_bson_time, to_document};
use crate::domain::page::PageRequest;
use crate::domain::reservation::{Transition, cells_between};
use crate::error::{ApiError, ResultExt};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReservationDoc {
    #[serde(rename = "_id")]
    pub id: ObjectId,
    pub room_id: ObjectId,
    pub room_name: String,
    /// The room's time zone when reserved.
    #[serde(default = "crate::store::default_time_zone")]
    pub time_zone: String,
    pub user_id: ObjectId,
    pub user_name: String,
    pub start: bson::DateTime,
    pub end: bson::DateTime,
    pub purpose: String,
    pub status: ReservationStatus,
    pub created_at: bson::DateTime,
    pub updated_at: bson::DateTime,
    /// The admin who approved or rejected it, or whoever cancelled it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<ObjectId>,
    /// Counts its changes; its events' `seq` (`store/outbox.rs`).
    #[serde(default)]
    pub version: i64,
    /// `source:key` of the export it was imported from (`api import`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub import_ref: Option<String>,
}

impl ReservationDoc {
    pub fn to_dto(&self) -> Reservation {
        Reservation {
            id: ReservationId(self.id.to_hex()),
            room_id: RoomId(self.room_id.to_hex()),
            room_name: self.room_name.clone(),
            time_zone: self.time_zone.clone(),
            user_id: UserId(self.user_id.to_hex()),
            user_name: self.user_name.clone(),
            start: self.start.to_chrono(),
            end: self.end.to_chrono(),
            purpose: self.purpose.clone(),
            status: self.status,
            created_at: self.created_at.to_chrono(),
            updated_at: self.updated_at.to_chrono(),
        }
    }
}

/// One claimed five-minute cell of a room.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SlotDoc {
    room_id: ObjectId,
    cell: bson::DateTime,
    reservation_id: ObjectId,
}

/// A reservation to store; its fields are already validated.
#[derive(Debug, Clone)]
pub struct ReservationDraft {
    pub room_id: ObjectId,
    pub user_id: ObjectId,
    pub user_name: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub purpose: String,
    /// `None` lets the room decide: pending when it requires approval.
    pub status: Option<ReservationStatus>,
    /// Set by an import: `source:key`, unique among reservations.
    pub import_ref: Option<String>,
}

/// Parsed filters of the reservation list.
#[derive(Debug, Default)]
pub struct ReservationFilter {
    /// `None` lists everyone's (admins only).
    pub user_id: Option<ObjectId>,
    pub room_id: Option<ObjectId>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub ends_before: Option<DateTime<Utc>>,
    pub status: Option<ReservationStatus>,
    pub order: SortOrder,
}

const ACTIVE: [&str; 2] = ["pending", "approved"];

/// Who is looking at a room's busy ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BusyViewer {
    Anonymous,
    User(ObjectId),
    /// Admins may open every reservation.
    Admin,
}

impl BusyViewer {
    fn may_open(self, owner: ObjectId) -> bool {
        match self {
            Self::Anonymous => false,
            Self::User(id) => id == owner,
            Self::Admin => true,
        }
    }
}

impl Store {
    pub(crate) fn reservations(&self) -> mongodb::Collection<ReservationDoc> {
        self.collection(RESERVATIONS)
    }

    /// Stores a reservation of `room` and claims its cells in one
    /// transaction. The unique (room, cell) index makes an overlap fail
    /// with `slot_taken`, whatever the concurrency. Nothing shared is
    /// written, so reservations of one room never wait for each other; a
    /// concurrent deletion of the room is caught after the commit (see
    /// `room_deletion`).
    pub async fn create_reservation(
        &self,
        draft: &ReservationDraft,
        room: &RoomDoc,
        check: impl Fn(&RoomDoc) -> Result<(), ApiError>,
        actor: &Actor,
    ) -> Result<Reservation, ApiError> {
        let id = ObjectId::new();
        let status = draft.status.unwrap_or(if room.requires_approval {
            ReservationStatus::Pending
        } else {
            ReservationStatus::Approved
        });
        let slots: Vec<SlotDoc> = if status.holds_slots() {
            cells_between(draft.start, draft.end)
                .into_iter()
                .map(|cell| SlotDoc {
                    room_id: draft.room_id,
                    cell: to_bson_time(cell),
                    reservation_id: id,
                })
                .collect()
        } else {
            Vec::new()
        };
        let now = bson::DateTime::now();
        let reservation = ReservationDoc {
            id,
            room_id: draft.room_id,
            room_name: room.name.clone(),
            time_zone: room.time_zone.clone(),
            user_id: draft.user_id,
            user_name: draft.user_name.clone(),
            start: to_bson_time(draft.start),
            end: to_bson_time(draft.end),
            purpose: draft.purpose.clone(),
            status,
            created_at: now,
            updated_at: now,
            decided_by: None,
            version: 1,
            import_ref: draft.import_ref.clone(),
        };
        let fact = Fact::new(EventType::ReservationCreated, id, 1, &reservation.to_dto())?;
        // The cells first: among racing requests the first writer of a
        // cell wins, and the others fail there before writing the rest.
        // All in one round trip (`store/together.rs`).
        let mut inserts = Vec::with_capacity(slots.len() + 2);
        for slot in &slots {
            inserts.push((ROOM_SLOTS, to_document(slot)?));
        }
        inserts.push((RESERVATIONS, to_document(&reservation)?));
        inserts.extend(event_inserts(actor, vec![fact])?);
        let created = self
            .transaction(async |session| {
                self.insert_together(session, inserts.clone(), false)
                    .await
                    .on_duplicate_key(|| ApiError::conflict(ErrorCode::SlotTaken, "slot taken"))
            })
            .await;
        match created {
            Ok(()) => {}
            Err(ApiError::Conflict {
                code: ErrorCode::SlotTaken,
                ..
            }) => return Err(self.slot_taken(draft).await),
            Err(other) => return Err(other),
        }
        let Some(now) = self.room_still_open(draft.room_id).await? else {
            self.withdraw_reservation(id, actor).await?;
            return Err(ApiError::NotFound("room"));
        };
        // Settings changed while reserving: the reservation must obey
        // the new ones, or it is taken back with the reason.
        if (now.requires_approval, now.slot_minutes, &now.time_zone)
            != (room.requires_approval, room.slot_minutes, &room.time_zone)
        {
            if let Err(refusal) = check(&now) {
                self.withdraw_reservation(id, actor).await?;
                return Err(refusal);
            }
            if draft.status.is_none()
                && now.requires_approval
                && status != ReservationStatus::Pending
            {
                return self.now_pending(id, actor).await;
            }
        }
        Ok(reservation.to_dto())
    }

    /// A reservation made as its room started requiring approval goes
    /// back to pending, unless it changed meanwhile (a cancellation must
    /// not come back as pending, without its cells).
    async fn now_pending(&self, id: ObjectId, actor: &Actor) -> Result<Reservation, ApiError> {
        let changed = self
            .transaction(async |session| {
                let Some(updated) = self
                    .reservations()
                    .find_one_and_update(
                        doc! { "_id": id, "status": "approved" },
                        doc! {
                            "$set": { "status": "pending", "updated_at": bson::DateTime::now() },
                            "$inc": next_version(),
                        },
                    )
                    .return_document(ReturnDocument::After)
                    .session(&mut *session)
                    .await?
                else {
                    return Ok(None);
                };
                let dto = updated.to_dto();
                let fact = Fact::new(EventType::ReservationPending, id, updated.version, &dto)?;
                self.record_one(session, actor, fact).await?;
                Ok(Some(dto))
            })
            .await?;
        match changed {
            Some(dto) => Ok(dto),
            None => Ok(self
                .reservations()
                .find_one(doc! { "_id": id })
                .await?
                .ok_or(ApiError::NotFound("reservation"))?
                .to_dto()),
        }
    }

    /// A `slot_taken` error naming the reservation in the way, when it can
    /// still be found.
    async fn slot_taken(&self, draft: &ReservationDraft) -> ApiError {
        let blocking = self
            .reservations()
            .find_one(doc! {
                "room_id": draft.room_id,
                "status": { "$in": ACTIVE.to_vec() },
                "start": { "$lt": to_bson_time(draft.end) },
                "end": { "$gt": to_bson_time(draft.start) },
            })
            .await;
        match blocking {
            Ok(Some(other)) => {
                let tz: Tz = other.time_zone.parse().unwrap_or(chrono_tz::UTC);
                let start = other.start.to_chrono().with_timezone(&tz);
                let end = other.end.to_chrono().with_timezone(&tz);
                ApiError::SlotTaken {
                    message: format!(
                        "{} is already reserved from {} to {} ({tz}); pick a time that does not overlap",
                        other.room_name,
                        start.format("%Y-%m-%d %H:%M"),
                        end.format(if start.date_naive() == end.date_naive() {
                            "%H:%M"
                        } else {
                            "%Y-%m-%d %H:%M"
                        }),
                    ),
                    conflict: Some(TimeRange {
                        start: other.start.to_chrono(),
                        end: other.end.to_chrono(),
                    }),
                }
            }
            _ => ApiError::SlotTaken {
                message: "the room is already reserved for part of this time".into(),
                conflict: None,
            },
        }
    }

    /// When a room is taken between `from` and `to`, without who or why;
    /// ranges the viewer may open carry the reservation's id. A public
    /// catalogue read: it may come from a secondary.
    pub async fn busy_ranges(
        &self,
        room_id: ObjectId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        viewer: BusyViewer,
    ) -> Result<Vec<BusyRange>, ApiError> {
        let docs: Vec<ReservationDoc> = self
            .catalogue_collection::<ReservationDoc>(RESERVATIONS)
            .find(doc! {
                "room_id": room_id,
                "status": { "$in": ACTIVE.to_vec() },
                "start": { "$lt": to_bson_time(to) },
                "end": { "$gt": to_bson_time(from) },
            })
            .sort(doc! { "start": 1 })
            .await?
            .try_collect()
            .await?;
        Ok(docs
            .iter()
            .map(|r| BusyRange {
                start: r.start.to_chrono(),
                end: r.end.to_chrono(),
                status: r.status,
                reservation_id: viewer
                    .may_open(r.user_id)
                    .then(|| ReservationId(r.id.to_hex())),
            })
            .collect())
    }

    pub async fn reservation(&self, id: ObjectId) -> Result<Option<ReservationDoc>, ApiError> {
        Ok(self.reservations().find_one(doc! { "_id": id }).await?)
    }

    pub async fn list_reservations(
        &self,
        filter: &ReservationFilter,
        page: &PageRequest,
    ) -> Result<Page<Reservation>, ApiError> {
        let mut query = Document::new();
        if let Some(user) = filter.user_id {
            query.insert("user_id", user);
        }
        if let Some(room) = filter.room_id {
            query.insert("room_id", room);
        }
        if let Some(to) = filter.to {
            query.insert("start", doc! { "$lt": to_bson_time(to) });
        }
        match (filter.from, filter.ends_before) {
            (Some(from), Some(before)) => {
                query.insert(
                    "end",
                    doc! { "$gt": to_bson_time(from), "$lte": to_bson_time(before) },
                );
            }
            (Some(from), None) => {
                query.insert("end", doc! { "$gt": to_bson_time(from) });
            }
            (None, Some(before)) => {
                query.insert("end", doc! { "$lte": to_bson_time(before) });
            }
            (None, None) => {}
        }
        if let Some(status) = filter.status {
            query.insert("status", status.as_str());
        }
        let order = Order {
            field: SortField::Time("start"),
            descending: filter.order == SortOrder::Desc,
        };
        keyset_page(
            self.reservations(),
            query,
            page,
            order,
            |r| (r.start.into(), r.id),
            ReservationDoc::to_dto,
        )
        .await
    }

    /// Moves a reservation to the transition's target status if its current
    /// status allows it, freeing its cells in the same transaction when the
    /// new status does not hold them, and recomputing the occupancy
    /// roll-ups of its days if they may be sealed (`reports/rollup.rs`;
    /// `longest` is the longest a reservation may last).
    pub async fn transition_reservation(
        &self,
        id: ObjectId,
        transition: Transition,
        actor: &Actor,
        longest: chrono::Duration,
    ) -> Result<Reservation, ApiError> {
        let reservations = self.reservations();
        let slots = self.collection::<Document>(ROOM_SLOTS);
        let allowed: Vec<&str> = transition
            .allowed_from()
            .iter()
            .map(|s| s.as_str())
            .collect();
        self.transaction(async |session| {
            let updated = reservations
                .find_one_and_update(
                    doc! { "_id": id, "status": { "$in": allowed.clone() } },
                    doc! {
                        "$set": {
                            "status": transition.target().as_str(),
                            "updated_at": bson::DateTime::now(),
                            "decided_by": actor.user_id,
                        },
                        "$inc": next_version(),
                    },
                )
                .return_document(ReturnDocument::After)
                .session(&mut *session)
                .await?;
            let Some(updated) = updated else {
                let current = reservations
                    .find_one(doc! { "_id": id })
                    .session(&mut *session)
                    .await?
                    .ok_or(ApiError::NotFound("reservation"))?;
                let message = transition
                    .refusal(current.status)
                    .unwrap_or_else(|| "the reservation changed meanwhile; retry".to_owned());
                return Err(ApiError::conflict(ErrorCode::InvalidStatus, message));
            };
            if transition.frees_slots() {
                slots
                    .delete_many(doc! { "reservation_id": id })
                    .session(&mut *session)
                    .await?;
            }
            self.refresh_occupancy_days(session, &updated, Utc::now(), longest)
                .await?;
            let dto = updated.to_dto();
            let fact = Fact::new(transition.event(), id, updated.version, &dto)?;
            self.record_one(session, actor, fact).await?;
            Ok(dto)
        })
        .await
    }

    /// Whether a reservation with exactly these fields exists; keeps the demo
    /// loader idempotent.
    pub async fn reservation_exists(
        &self,
        room_id: ObjectId,
        user_id: ObjectId,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<bool, ApiError> {
        Ok(self
            .reservations()
            .find_one(doc! {
                "room_id": room_id,
                "user_id": user_id,
                "start": to_bson_time(start),
                "end": to_bson_time(end),
            })
            .await?
            .is_some())
    }
}
