//! Moving the bookings of performances over to the archive, performance
//! by performance.

use bson::doc;
use bson::oid::ObjectId;
use chrono::{DateTime, Utc};
use shared::{
    ArchiveCount, ArchivedBooking, ArchivedPerformance, ArchivedSeat, ArchivedShow, BookingId,
    EventType, PerformanceId, ShowId,
};

use super::{ArchiveDoc, BATCH, BOOKINGS_ARCHIVE, archived_user, lower, record};
use crate::error::ApiError;
use crate::store::Store;
use crate::store::bookings::BookingDoc;
use crate::store::indexes::{BOOKED_SEATS, BOOKINGS, SEAT_GUARDS, SEATS, USERS};
use crate::store::outbox::Fact;
use crate::store::reconcile::read_in;
use crate::store::seat_limit::guard_id;
use crate::store::seats::SeatDoc;
use crate::store::shows::{PerformanceDoc, ShowDoc};
use crate::store::users::UserDoc;

fn over_by(before: DateTime<Utc>) -> bson::Document {
    doc! { "ends_at": { "$lte": bson::DateTime::from_chrono(before) } }
}

impl Store {
    /// Returns the counts and how many performances have every booking
    /// archived.
    pub(super) async fn archive_bookings(
        &self,
        before: DateTime<Utc>,
    ) -> Result<(ArchiveCount, u64), ApiError> {
        let mut cursor = self.performances().find(over_by(before)).await?;
        let mut over: Vec<PerformanceDoc> = Vec::new();
        while cursor.advance().await? {
            over.push(cursor.deserialize_current()?);
        }
        let ids: Vec<ObjectId> = over.iter().map(|p| p.id).collect();
        let of_them = doc! { "performance_id": { "$in": &ids } };
        let eligible = self.bookings().count_documents(of_them.clone()).await?;
        let mut archived = 0;
        for performance in &over {
            archived += self.archive_performance(performance).await?;
        }
        let count = ArchiveCount {
            eligible,
            archived,
            left: self.bookings().count_documents(of_them).await?,
            in_archive: self
                .archive(BOOKINGS_ARCHIVE)
                .count_documents(doc! {})
                .await?,
        };
        Ok((count, over.len() as u64))
    }

    /// Archives one performance's bookings, then drops its seats, which
    /// no one can buy or cancel any more.
    async fn archive_performance(&self, performance: &PerformanceDoc) -> Result<u64, ApiError> {
        // Marked first: reconciliation leaves a performance being archived be.
        self.performances()
            .update_one(
                doc! { "_id": performance.id, "archived_at": { "$exists": false } },
                doc! { "$set": { "archived_at": bson::DateTime::now() } },
            )
            .await?;
        let show = self
            .collection::<ShowDoc>(crate::store::indexes::SHOWS)
            .find_one(doc! { "_id": performance.show_id })
            .await?;
        let show = ArchivedShow {
            id: ShowId(performance.show_id.to_hex()),
            title: show
                .as_ref()
                .map_or_else(|| performance.show_title.clone(), |s| s.title.clone()),
            running_minutes: show.as_ref().map_or(0, |s| s.running_minutes),
        };
        let staged = ArchivedPerformance {
            id: PerformanceId(performance.id.to_hex()),
            starts_at: performance.starts_at.to_chrono(),
            ends_at: performance.ends_at.to_chrono(),
            venue_name: performance.venue_name.clone(),
            time_zone: performance.time_zone.clone(),
            cancelled: performance.cancelled_at.is_some(),
        };
        let mut archived = 0;
        let mut buyers = Vec::new();
        loop {
            let (moved, users) = self
                .archive_booking_batch(performance, &show, &staged)
                .await?;
            if moved == 0 {
                break;
            }
            archived += moved;
            buyers.extend(users);
        }
        let id = performance.id;
        let guards: Vec<String> = buyers.into_iter().map(|u| guard_id(u, id)).collect();
        self.collection::<bson::Document>(SEAT_GUARDS)
            .delete_many(doc! { "_id": { "$in": guards } })
            .await?;
        self.collection::<bson::Document>(BOOKED_SEATS)
            .delete_many(doc! { "performance_id": id })
            .await?;
        self.collection::<bson::Document>(SEATS)
            .delete_many(doc! { "performance_id": id })
            .await?;
        Ok(archived)
    }

    /// Moves up to [`BATCH`] of the performance's bookings in one
    /// transaction; returns how many, and their buyers.
    async fn archive_booking_batch(
        &self,
        performance: &PerformanceDoc,
        show: &ArchivedShow,
        staged: &ArchivedPerformance,
    ) -> Result<(u64, Vec<ObjectId>), ApiError> {
        self.transaction(async |session| {
            let now = Utc::now();
            let mut cursor = self
                .bookings()
                .find(doc! { "performance_id": performance.id })
                .limit(BATCH)
                .session(&mut *session)
                .await?;
            let mut batch: Vec<BookingDoc> = Vec::new();
            while let Some(b) = cursor.next(&mut *session).await.transpose()? {
                batch.push(b);
            }
            if batch.is_empty() {
                return Ok((0, Vec::new()));
            }
            let buyers: Vec<ObjectId> = batch.iter().map(|b| b.user_id).collect();
            let users: Vec<UserDoc> =
                read_in(self, session, USERS, doc! { "_id": { "$in": &buyers } }).await?;
            let labels: Vec<&String> = batch.iter().flat_map(|b| &b.seats).collect();
            let seats: Vec<SeatDoc> = read_in(
                self,
                session,
                SEATS,
                doc! { "performance_id": performance.id, "label": { "$in": labels } },
            )
            .await?;
            let mut docs = Vec::with_capacity(batch.len());
            let mut facts = Vec::with_capacity(batch.len());
            for b in &batch {
                let archived = ArchivedBooking {
                    id: BookingId(b.id.to_hex()),
                    user: archived_user(b.user_id, &users, ""),
                    show: show.clone(),
                    performance: staged.clone(),
                    seats: b
                        .seats
                        .iter()
                        .map(|label| archived_seat(label, &seats))
                        .collect(),
                    total: b.total,
                    status: b.status,
                    created_at: b.created_at.to_chrono(),
                    cancelled_at: b.cancelled_at.map(bson::DateTime::to_chrono),
                    refunded: b.refunded,
                    archived_at: now,
                };
                facts.push(Fact::new(
                    EventType::BookingArchived,
                    b.id,
                    b.version + 1,
                    &archived,
                )?);
                docs.push(ArchiveDoc {
                    id: b.id,
                    at: performance.starts_at,
                    user_key: lower(&archived.user.email),
                    subject_key: lower(&show.title),
                    record: record(&archived)?,
                });
            }
            self.move_verified(
                session,
                (BOOKINGS_ARCHIVE, BOOKINGS),
                &docs,
                (BOOKED_SEATS, "booking_id"),
                facts,
            )
            .await?;
            Ok((docs.len() as u64, buyers))
        })
        .await
    }
}

/// The seat `label` as sold; a label the performance no longer has keeps
/// its name only.
fn archived_seat(label: &str, seats: &[SeatDoc]) -> ArchivedSeat {
    let found = seats.iter().find(|s| s.label == label);
    ArchivedSeat {
        label: label.to_owned(),
        section: found.map(|s| s.section.clone()).unwrap_or_default(),
        row: found.map(|s| s.row.clone()).unwrap_or_default(),
        number: found.map_or(0, |s| s.number),
        tier: found.map(|s| s.tier.clone()).unwrap_or_default(),
        price: found.map_or(0, |s| s.price),
    }
}
