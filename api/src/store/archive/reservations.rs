//! Moving finished reservations to the archive.

use bson::doc;
use chrono::{DateTime, Utc};
use shared::{ArchiveCount, ArchivedReservation, ArchivedRoom, EventType, ReservationId, RoomId};

use super::{ARCHIVE_MARKS, ArchiveDoc, BATCH, RESERVATIONS_ARCHIVE, archived_user, lower, record};
use crate::error::ApiError;
use crate::store::Store;
use crate::store::indexes::{RESERVATIONS, ROOM_SLOTS, ROOMS, USERS};
use crate::store::outbox::Fact;
use crate::store::reconcile::read_in;
use crate::store::reservations::ReservationDoc;
use crate::store::rooms::RoomDoc;
use crate::store::users::UserDoc;

fn finished_by(before: DateTime<Utc>) -> bson::Document {
    doc! { "end": { "$lte": bson::DateTime::from_chrono(before) } }
}

fn archived_room(reservation: &ReservationDoc, rooms: &[RoomDoc]) -> ArchivedRoom {
    let found = rooms.iter().find(|r| r.id == reservation.room_id);
    ArchivedRoom {
        id: RoomId(reservation.room_id.to_hex()),
        name: found.map_or_else(|| reservation.room_name.clone(), |r| r.name.clone()),
        location: found.map(|r| r.location.clone()).unwrap_or_default(),
        capacity: found.map_or(0, |r| r.capacity),
        time_zone: reservation.time_zone.clone(),
    }
}

impl Store {
    pub(super) async fn archive_reservations(
        &self,
        before: DateTime<Utc>,
    ) -> Result<ArchiveCount, ApiError> {
        // The horizon goes first: from now on reconciliation leaves the
        // roll-ups of these days alone.
        self.collection::<bson::Document>(ARCHIVE_MARKS)
            .update_one(
                doc! { "_id": "reservations" },
                doc! { "$max": { "before": bson::DateTime::from_chrono(before) } },
            )
            .upsert(true)
            .await?;
        let live = self.reservations();
        let eligible = live.count_documents(finished_by(before)).await?;
        let mut archived = 0;
        loop {
            let moved = self.archive_reservation_batch(before).await?;
            if moved == 0 {
                break;
            }
            archived += moved;
        }
        Ok(ArchiveCount {
            eligible,
            archived,
            left: live.count_documents(finished_by(before)).await?,
            in_archive: self
                .archive(RESERVATIONS_ARCHIVE)
                .count_documents(doc! {})
                .await?,
        })
    }

    /// Moves up to [`BATCH`] reservations in one transaction; returns how
    /// many.
    async fn archive_reservation_batch(&self, before: DateTime<Utc>) -> Result<u64, ApiError> {
        self.transaction(async |session| {
            let now = Utc::now();
            let mut cursor = self
                .reservations()
                .find(finished_by(before))
                .limit(BATCH)
                .session(&mut *session)
                .await?;
            let mut batch: Vec<ReservationDoc> = Vec::new();
            while let Some(r) = cursor.next(&mut *session).await.transpose()? {
                batch.push(r);
            }
            if batch.is_empty() {
                return Ok(0);
            }
            let users: Vec<UserDoc> = read_in(
                self,
                session,
                USERS,
                doc! { "_id": { "$in": batch.iter().map(|r| r.user_id).collect::<Vec<_>>() } },
            )
            .await?;
            let rooms: Vec<RoomDoc> = read_in(
                self,
                session,
                ROOMS,
                doc! { "_id": { "$in": batch.iter().map(|r| r.room_id).collect::<Vec<_>>() } },
            )
            .await?;
            let mut docs = Vec::with_capacity(batch.len());
            let mut facts = Vec::with_capacity(batch.len());
            for r in &batch {
                let archived = ArchivedReservation {
                    id: ReservationId(r.id.to_hex()),
                    user: archived_user(r.user_id, &users, &r.user_name),
                    room: archived_room(r, &rooms),
                    start: r.start.to_chrono(),
                    end: r.end.to_chrono(),
                    purpose: r.purpose.clone(),
                    status: r.status,
                    created_at: r.created_at.to_chrono(),
                    archived_at: now,
                };
                facts.push(Fact::new(
                    EventType::ReservationArchived,
                    r.id,
                    r.version + 1,
                    &archived,
                )?);
                docs.push(ArchiveDoc {
                    id: r.id,
                    at: r.start,
                    user_key: lower(&archived.user.email),
                    subject_key: lower(&archived.room.name),
                    record: record(&archived)?,
                });
            }
            self.move_verified(
                session,
                (RESERVATIONS_ARCHIVE, RESERVATIONS),
                &docs,
                (ROOM_SLOTS, "reservation_id"),
                facts,
            )
            .await?;
            Ok(docs.len() as u64)
        })
        .await
    }
}
