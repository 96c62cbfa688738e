//! What every request that takes seats goes through: the caller's
//! session, the sale window, the price, the seat queue and the request's
//! idempotency key, around the store's transaction.

use std::sync::Arc;
use std::time::Instant;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use bson::oid::ObjectId;
use chrono::{DateTime, Utc};
use futures::future::LocalBoxFuture;
use shared::{ErrorCode, SeatRequest};

use super::AppConfig;
use crate::auth::AuthUser;
use crate::catalogue::{Catalogue, PerformanceInfo};
use crate::domain::booking::SeatSelection;
use crate::error::ApiError;
use crate::http::{IdempotencyHeader, replay_or};
use crate::queue::WaitingRoom;
use crate::seat_queue::SeatQueue;
use crate::security::limits::RateLimits;
use crate::store::holds::SeatOrder;
use crate::store::shows::PerformanceDoc;
use crate::store::{Store, object_id};

/// The performance, if seats may be sold for it at `now`.
pub async fn on_sale(
    store: &Store,
    catalogue: &Catalogue,
    id: ObjectId,
    now: DateTime<Utc>,
) -> Result<Arc<PerformanceInfo>, ApiError> {
    let performance = catalogue.existing_performance(store, id).await?;
    check_not_cancelled(&performance.doc)?;
    check_not_started(&performance.doc, now)?;
    let opens = performance.doc.sale_opens_at.to_chrono();
    if now < opens {
        return Err(ApiError::conflict(
            ErrorCode::SaleNotOpen,
            format!("seats go on sale at {}", opens.to_rfc3339()),
        ));
    }
    Ok(performance)
}

pub fn check_not_started(performance: &PerformanceDoc, now: DateTime<Utc>) -> Result<(), ApiError> {
    if performance.starts_at.to_chrono() <= now {
        return Err(ApiError::conflict(
            ErrorCode::PerformanceStarted,
            "the performance has started; its seats can no longer be sold or cancelled",
        ));
    }
    Ok(())
}

/// Refuses a cancelled performance (as the catalogue last saw it; the
/// seats themselves refuse a claim after the cancellation in any case).
pub fn check_not_cancelled(performance: &PerformanceDoc) -> Result<(), ApiError> {
    match performance.cancelled_at {
        Some(_) => Err(crate::store::cancellation::cancelled()),
        None => Ok(()),
    }
}

/// The total price of `labels`, refusing labels the venue does not have.
fn price_of(performance: &PerformanceInfo, labels: &[String]) -> Result<u32, ApiError> {
    let mut total: u32 = 0;
    let mut unknown = Vec::new();
    for label in labels {
        match performance.prices.get(label) {
            Some(price) => total = total.saturating_add(*price),
            None => unknown.push(label.as_str()),
        }
    }
    if !unknown.is_empty() {
        return Err(ApiError::unacceptable(
            "seats",
            format!("this performance has no seat {}", unknown.join(", ")),
        ));
    }
    Ok(total)
}

/// A logged-in caller about to take seats, with what taking them needs.
/// Extracting it answers `401` without a session.
/// What a sale request does with the seats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Take {
    Hold,
    Book,
}

/// The `Admission-Token` header: the waiting room's pass.
pub const ADMISSION_HEADER: &str = "admission-token";

pub struct Sale {
    pub store: web::Data<Store>,
    pub catalogue: web::Data<Catalogue>,
    pub queue: web::Data<SeatQueue>,
    pub config: web::Data<AppConfig>,
    pub room: web::Data<WaitingRoom>,
    pub limits: web::Data<RateLimits>,
    pub user: AuthUser,
    /// The `Admission-Token` header, if sent.
    pub admission: Option<String>,
}

impl FromRequest for Sale {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        fn data<T: 'static>(req: &HttpRequest) -> Result<web::Data<T>, ApiError> {
            req.app_data::<web::Data<T>>()
                .cloned()
                .ok_or_else(|| ApiError::Internal("app data missing".into()))
        }
        let parts = (
            data(req),
            data(req),
            data(req),
            data(req),
            data(req),
            data(req),
        );
        let admission = req
            .headers()
            .get(ADMISSION_HEADER)
            .map(|v| v.to_str().map(str::to_owned));
        let user = AuthUser::from_request(req, payload);
        Box::pin(async move {
            Ok(Sale {
                store: parts.0?,
                catalogue: parts.1?,
                queue: parts.2?,
                config: parts.3?,
                room: parts.4?,
                limits: parts.5?,
                user: user.await?,
                admission: match admission {
                    None => None,
                    Some(Ok(token)) => Some(token),
                    Some(Err(_)) => {
                        return Err(ApiError::Refused {
                            code: ErrorCode::AdmissionInvalid,
                            message: "the Admission-Token header is not plain text".into(),
                        });
                    }
                },
            })
        })
    }
}

impl Sale {
    /// Checks the request and the sale window, prices the seats, then runs
    /// `take` (the transaction) under the request's idempotency key.
    pub async fn run<T: serde::Serialize>(
        &self,
        operation: Take,
        performance: &str,
        idempotency: IdempotencyHeader,
        body: SeatRequest,
        take: impl AsyncFnOnce(&SeatOrder<'_>) -> Result<T, ApiError>,
    ) -> Result<HttpResponse, ApiError> {
        self.limits.booking(self.user.id())?;
        let id = object_id(performance, "performance")?;
        let name = match operation {
            Take::Hold => "hold",
            Take::Book => "book",
        };
        let key = idempotency.key(&self.user, &format!("{name} {id}"), &body)?;
        replay_or(&self.store, key.as_ref(), StatusCode::CREATED, async {
            let selection = SeatSelection::parse(body, self.config.events.max_seats_per_user)?;
            let performance = on_sale(&self.store, &self.catalogue, id, Utc::now()).await?;
            self.room
                .check_admission(&self.store, id, self.user.id(), self.admission.as_deref())
                .await?;
            let total = price_of(&performance, &selection.0)?;
            // The buyer takes turns too: one buyer's parallel claims all
            // write their seat-limit guard, and would otherwise conflict
            // until some ran out of retries.
            let mut turns = selection.0.clone();
            turns.push(format!("buyer {}", self.user.id()));
            let arrived = Instant::now();
            let turn = self.queue.turn(id, &turns).await;
            let now = Utc::now();
            if turn.waited {
                let seen = self.queue.taken_since(id, &selection.0, arrived);
                if !seen.is_empty() {
                    return Err(ApiError::SeatsTaken(seen));
                }
                let busy = self.store.busy_seats(id, &selection.0, now).await?;
                if !busy.is_empty() {
                    return Err(ApiError::SeatsTaken(busy));
                }
            }
            let actor = self.user.actor();
            let order = SeatOrder {
                user: self.user.id(),
                performance: &performance.doc,
                seats: &selection.0,
                total,
                seat_limit: self.config.events.max_seats_per_user,
                now,
                idempotency: key.as_ref(),
                actor: &actor,
            };
            let outcome = take(&order).await;
            if outcome.is_ok() {
                self.queue.record_taken(id, &selection.0);
                if operation == Take::Book {
                    self.room.finish(&self.store, id, self.user.id()).await;
                }
            }
            // The next in line may go while the show list is recounted.
            drop(turn);
            self.catalogue.settle(&self.store, id, outcome).await
        })
        .await
    }
}
