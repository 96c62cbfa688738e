//! Bookings: paid seats. Booking in one step, cancelling with a refund.

use bson::doc;
use bson::oid::ObjectId;
use chrono::{DateTime, Utc};
use mongodb::options::ReturnDocument;
use serde::{Deserialize, Serialize};
use shared::{
    Booking, BookingId, BookingStatus, ErrorCode, EventType, LedgerKind, Page, PerformanceId,
    ShowId, SortOrder,
};

use super::holds::SeatOrder;
use super::indexes::{BOOKED_SEATS, BOOKINGS};
use super::outbox::{Actor, Fact, next_version};
use super::page::{Order, SortField, keyset_page, newest_first};
use super::seat_limit::Claim;
use super::shows::PerformanceDoc;
use super::wallet::Movement;
use super::{Store, to_bson_time};
use crate::domain::booking::IdempotencyKey;
use crate::domain::page::PageRequest;
use crate::error::ApiError;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BookingDoc {
    #[serde(rename = "_id")]
    pub id: ObjectId,
    pub user_id: ObjectId,
    pub performance_id: ObjectId,
    pub show_id: ObjectId,
    pub show_title: String,
    pub venue_name: String,
    #[serde(default = "crate::store::default_time_zone")]
    pub time_zone: String,
    pub starts_at: bson::DateTime,
    pub seats: Vec<String>,
    pub total: u32,
    pub status: BookingStatus,
    pub created_at: bson::DateTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_at: Option<bson::DateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refunded: Option<u32>,
    /// Cancelled with its performance (`store/cancellation.rs`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub performance_cancelled: bool,
    /// Counts its changes; its events' `seq` (`store/outbox.rs`).
    #[serde(default)]
    pub version: i64,
}

impl BookingDoc {
    pub fn new(
        id: ObjectId,
        user_id: ObjectId,
        performance: &PerformanceDoc,
        seats: Vec<String>,
        total: u32,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            user_id,
            performance_id: performance.id,
            show_id: performance.show_id,
            show_title: performance.show_title.clone(),
            venue_name: performance.venue_name.clone(),
            time_zone: performance.time_zone.clone(),
            starts_at: performance.starts_at,
            seats,
            total,
            status: BookingStatus::Confirmed,
            created_at: to_bson_time(now),
            cancelled_at: None,
            refunded: None,
            performance_cancelled: false,
            version: 1,
        }
    }

    /// `booking.confirmed` for a booking just stored.
    pub fn confirmed(&self) -> Result<Fact, ApiError> {
        Fact::new(EventType::BookingConfirmed, self.id, 1, &self.to_dto())
    }

    pub fn to_dto(&self) -> Booking {
        Booking {
            id: BookingId(self.id.to_hex()),
            performance_id: PerformanceId(self.performance_id.to_hex()),
            show_id: ShowId(self.show_id.to_hex()),
            show_title: self.show_title.clone(),
            venue_name: self.venue_name.clone(),
            time_zone: self.time_zone.clone(),
            starts_at: self.starts_at.to_chrono(),
            seats: self.seats.clone(),
            total: self.total,
            status: self.status,
            created_at: self.created_at.to_chrono(),
            cancelled_at: self.cancelled_at.map(|t| t.to_chrono()),
            refunded: self.refunded,
            performance_cancelled: self.performance_cancelled,
        }
    }
}

/// Parsed filters of the booking list.
#[derive(Debug, Clone)]
pub struct BookingFilter {
    pub status: Option<BookingStatus>,
    /// `Some(true)`: not started at `now`; `Some(false)`: started.
    pub upcoming: Option<bool>,
    /// Sort by the performance's start instead of newest booking first.
    pub by_start: Option<SortOrder>,
    pub now: DateTime<Utc>,
}

impl Store {
    pub fn bookings(&self) -> mongodb::Collection<BookingDoc> {
        self.collection(BOOKINGS)
    }

    pub async fn booking(&self, id: ObjectId) -> Result<Option<BookingDoc>, ApiError> {
        Ok(self.bookings().find_one(doc! { "_id": id }).await?)
    }

    /// Holds, pays and books the seats in one transaction.
    pub async fn book_seats(&self, order: &SeatOrder<'_>) -> Result<Booking, ApiError> {
        let booking = BookingDoc::new(
            ObjectId::new(),
            order.user,
            order.performance,
            order.seats.to_vec(),
            order.total,
            order.now,
        );
        let claim = doc! { "state": "booked", "holder": order.user, "booking_id": booking.id };
        let result = self
            .transaction(async |session| {
                let mine = Claim {
                    id: booking.id,
                    seats: order.seats.len(),
                    until: None,
                };
                self.claim_for(
                    session,
                    order,
                    (claim.clone(), &["hold_id", "hold_expires_at"]),
                    &mine,
                )
                .await?;
                self.pay_and_store_booking(session, &booking, (order.actor, Vec::new()))
                    .await?;
                let dto = booking.to_dto();
                self.record_response(session, order.idempotency, 201, &dto)
                    .await?;
                Ok(dto)
            })
            .await;
        self.name_taken_seats(result, order).await
    }

    /// Cancels a confirmed booking: its seats are free again (unless its
    /// performance was cancelled: then they stay closed) and its price goes
    /// back to the buyer's wallet, in one transaction.
    pub async fn cancel_booking(
        &self,
        booking: &BookingDoc,
        now: DateTime<Utc>,
        (idempotency, actor): (Option<&IdempotencyKey>, &Actor),
        performance_cancelled: bool,
    ) -> Result<Booking, ApiError> {
        let id = booking.id;
        let total = booking.total;
        // Owned, so that the background sweep (`store/cancellation.rs`)
        // can run it on any thread.
        let (store, idempotency, actor) = (self.clone(), idempotency.cloned(), actor.clone());
        self.transaction(async move |session| {
            let cancelled = store
                .bookings()
                .find_one_and_update(
                    doc! { "_id": id, "status": "confirmed" },
                    doc! {
                        "$set": {
                            "status": "cancelled",
                            "cancelled_at": to_bson_time(now),
                            "refunded": total,
                            "performance_cancelled": performance_cancelled,
                        },
                        "$inc": next_version(),
                    },
                )
                .return_document(ReturnDocument::After)
                .session(&mut *session)
                .await?
                .ok_or_else(|| {
                    ApiError::conflict(
                        ErrorCode::InvalidStatus,
                        "this booking is already cancelled",
                    )
                })?;
            store
                .seats()
                .update_many(
                    doc! { "booking_id": id },
                    super::seats::release_from("booked"),
                )
                .session(&mut *session)
                .await?;
            store
                .collection::<bson::Document>(BOOKED_SEATS)
                .delete_many(doc! { "booking_id": id })
                .session(&mut *session)
                .await?;
            store
                .guard_forget(session, cancelled.user_id, cancelled.performance_id, id)
                .await?;
            let (_, refunded) = store
                .move_points(
                    session,
                    Movement {
                        user_id: cancelled.user_id,
                        amount: i64::from(cancelled.total),
                        kind: LedgerKind::Refund,
                        booking_id: Some(id),
                        entry_key: format!("refund:{}", id.to_hex()),
                    },
                )
                .await?;
            let dto = cancelled.to_dto();
            let fact = Fact::new(EventType::BookingCancelled, id, cancelled.version, &dto)?;
            store.record(session, &actor, vec![fact, refunded]).await?;
            store
                .record_response(session, idempotency.as_ref(), 200, &dto)
                .await?;
            Ok(dto)
        })
        .await
    }

    /// The user's bookings matching `filter`: by the performance's start
    /// when `filter.by_start` says so, else newest first.
    pub async fn user_bookings(
        &self,
        user_id: ObjectId,
        filter: &BookingFilter,
        page: &PageRequest,
    ) -> Result<Page<Booking>, ApiError> {
        let mut query = doc! { "user_id": user_id };
        if let Some(status) = filter.status {
            query.insert(
                "status",
                bson::to_bson(&status).map_err(|e| ApiError::Internal(e.to_string()))?,
            );
        }
        match filter.upcoming {
            Some(true) => {
                query.insert("starts_at", doc! { "$gt": to_bson_time(filter.now) });
            }
            Some(false) => {
                query.insert("starts_at", doc! { "$lte": to_bson_time(filter.now) });
            }
            None => {}
        }
        match filter.by_start {
            None => newest_first(self.bookings(), query, page, |b| b.id, BookingDoc::to_dto).await,
            Some(order) => {
                let order = Order {
                    field: SortField::Time("starts_at"),
                    descending: order == SortOrder::Desc,
                };
                keyset_page(
                    self.bookings(),
                    query,
                    page,
                    order,
                    |b| (b.starts_at.into(), b.id),
                    BookingDoc::to_dto,
                )
                .await
            }
        }
    }
}
