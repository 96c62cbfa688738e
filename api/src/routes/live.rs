//! `GET /performances/{id}/seats/events`: a seat map that updates itself,
//! as server-sent events.
//!
//! The stream starts with `event: map` (the whole seat map, read from the
//! primary once the change feed is open), then sends `event: seat` for
//! each seat that changes, through any instance. Another `event: map`
//! follows whenever the feed may have missed something (it restarted, or
//! this client fell behind), so a client that replaces its map on `map`
//! and patches it on `seat` is never wrong for long.

use std::convert::Infallible;
use std::time::Duration;

use actix_web::http::header::CACHE_CONTROL;
use actix_web::web::Bytes;
use actix_web::{HttpResponse, get, web};
use bson::oid::ObjectId;
use chrono::Utc;
use rand::Rng;
use serde::Serialize;
use shared::{ErrorBody, SeatEvent, SeatState};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;

use super::seats::{seat_map, shown};
use crate::auth::AuthUser;
use crate::catalogue::Catalogue;
use crate::error::ApiError;
use crate::http::MaybeUser;
use crate::live::{Change, SeatFeed, Subscription};
use crate::store::seats::SeatDoc;
use crate::store::{Store, object_id};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(seat_events);
}

/// How long a client waits before reconnecting a dropped stream.
const RECONNECT_MS: u32 = 2000;
/// How long a new stream waits for the change feed to open before it
/// gives up, so the client falls back to polling and tries again later.
const FEED_PATIENCE: Duration = Duration::from_secs(10);
/// Watchers told to read the map again spread their reads over this long,
/// so a restarted feed does not send every client to the database at once.
const RESYNC_SPREAD_MS: u64 = 2000;

/// The seat map, then its changes as they happen (`text/event-stream`).
///
/// Events: `map` carries a whole [`SeatMap`](shared::SeatMap) (first, and
/// again whenever changes may have been missed: replace the map); `seat`
/// carries a [`SeatEvent`] (replace that seat). Lines starting with `:`
/// only keep the connection open. `mine` marks the caller's own seats.
/// When the stream ends, reconnect or poll `GET .../seats`.
#[utoipa::path(
    tag = "seats",
    params(("id" = String, Path, description = "The performance's id")),
    responses(
        (status = 200, description = "Server-sent events: `map` (a SeatMap) then `seat` (a SeatEvent) per change",
            content_type = "text/event-stream", body = String),
        (status = 404, description = "No such performance", body = ErrorBody),
        (status = 503, description = "Database unavailable, or this instance serves as many live streams as it may: poll the seat map", body = ErrorBody),
    )
)]
#[get("/performances/{id}/seats/events")]
#[tracing::instrument(skip_all, fields(performance_id = %path))]
async fn seat_events(
    store: web::Data<Store>,
    catalogue: web::Data<Catalogue>,
    feed: web::Data<SeatFeed>,
    user: MaybeUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = object_id(&path, "performance")?;
    let performance = catalogue.existing_performance(&store, id).await?;
    let subscription = feed.subscribe(id).ok_or(ApiError::Unavailable(
        "this instance serves as many live seat maps as it may; poll the seat map instead",
    ))?;
    let (tx, rx) = mpsc::channel::<Bytes>(64);
    let watcher = Watcher {
        store: Store::clone(&store),
        performance: id,
        info: performance,
        caller: user.0.as_ref().map(AuthUser::id),
        tx,
    };
    tokio::spawn(watcher.relay(subscription, feed.stopped(), feed.keep_alive()));
    let body = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|bytes| (Ok::<_, Infallible>(bytes), rx))
    });
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((CACHE_CONTROL, "no-cache"))
        // Tells nginx not to buffer the stream.
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(body))
}

/// One client's stream.
struct Watcher {
    store: Store,
    performance: ObjectId,
    info: std::sync::Arc<crate::catalogue::PerformanceInfo>,
    caller: Option<ObjectId>,
    tx: mpsc::Sender<Bytes>,
}

impl Watcher {
    /// Sends the map and then the changes until the client leaves, the
    /// server stops, or the map cannot be read.
    async fn relay(
        self,
        mut subscription: Subscription,
        mut stopped: crate::background::Stopped,
        keep_alive: Duration,
    ) {
        if !self.send(format!("retry: {RECONNECT_MS}\n\n")).await {
            return;
        }
        let mut waiting = !subscription.open;
        if !waiting && !self.send_map().await {
            return;
        }
        let mut ticks = tokio::time::interval(keep_alive);
        ticks.tick().await;
        let gave_up = tokio::time::sleep(FEED_PATIENCE);
        tokio::pin!(gave_up);
        loop {
            let more = tokio::select! {
                () = &mut gave_up, if waiting => {
                    tracing::info!("the seat change feed did not open; ending the stream");
                    false
                }
                change = subscription.changes.recv() => match change {
                    Ok(Change::Seat(seat)) => waiting || self.send_seat(&seat).await,
                    Ok(Change::Opened) if !waiting => true,
                    Ok(Change::Opened) => {
                        waiting = false;
                        self.send_map().await
                    }
                    Ok(Change::Resync) => {
                        if !waiting {
                            let spread = rand::rng().random_range(0..RESYNC_SPREAD_MS);
                            tokio::time::sleep(Duration::from_millis(spread)).await;
                        }
                        waiting = false;
                        self.send_map().await
                    }
                    Err(RecvError::Lagged(missed)) => {
                        tracing::debug!(missed, "live seat map fell behind; sending the map");
                        waiting || self.send_map().await
                    }
                    Err(RecvError::Closed) => false,
                },
                _ = ticks.tick() => self.send(": keep-alive\n\n".to_owned()).await,
                () = stopped.wait() => false,
                () = self.tx.closed() => false,
            };
            if !more {
                return;
            }
        }
    }

    async fn send_map(&self) -> bool {
        match self.store.current_seats(self.performance).await {
            Ok(seats) => {
                let map = seat_map(&self.info.doc, &seats, self.caller, Utc::now());
                self.send_event("map", &map).await
            }
            Err(e) => {
                // The client reconnects (or polls) and is answered `503`
                // until the database is back.
                tracing::info!(error = %e, "live seat map unreadable; ending the stream");
                false
            }
        }
    }

    async fn send_seat(&self, seat: &SeatDoc) -> bool {
        let (state, mine) = shown(seat, Utc::now(), self.caller);
        let event = SeatEvent {
            label: seat.label.clone(),
            state,
            mine,
            held_until: (state == SeatState::Held)
                .then(|| seat.hold_expires_at.map(bson::DateTime::to_chrono))
                .flatten(),
        };
        self.send_event("seat", &event).await
    }

    async fn send_event(&self, name: &str, data: &impl Serialize) -> bool {
        match serde_json::to_string(data) {
            Ok(json) => self.send(format!("event: {name}\ndata: {json}\n\n")).await,
            Err(e) => {
                tracing::warn!(error = %e, "live seat event not encodable");
                false
            }
        }
    }

    async fn send(&self, text: String) -> bool {
        self.tx.send(Bytes::from(text)).await.is_ok()
    }
}
