//! Performances: seat states, booked-seat guards, seat-limit guards and
//! seat counts against confirmed bookings, live holds and seat documents.

use std::collections::{BTreeSet, HashMap};

use bson::oid::ObjectId;
use bson::{Document, doc};

use super::seat_check::{PerformanceView, check, guard_id, guard_performance};
use super::{Finding, Tally, read_all, read_in};
use crate::error::ApiError;
use crate::store::Store;
use crate::store::bookings::BookingDoc;
use crate::store::holds::{HoldDoc, HoldStatus};
use crate::store::indexes::{BOOKED_SEATS, BOOKINGS, HOLDS, PERFORMANCES, SEAT_GUARDS, SEATS};
use crate::store::seats::SeatDoc;
use crate::store::shows::PerformanceDoc;
use shared::BookingStatus;

/// The ids the first look saw for one performance; the second look reads
/// these and whatever its seats name.
#[derive(Clone, Default)]
struct Seen {
    bookings: BTreeSet<ObjectId>,
    holds: BTreeSet<ObjectId>,
    guards: BTreeSet<String>,
}

impl Store {
    pub(super) async fn reconcile_performances(&self, tally: &mut Tally) -> Result<(), ApiError> {
        let now = self.server_time().await?;
        let performances: Vec<PerformanceDoc> = read_all(self, PERFORMANCES, doc! {}).await?;
        let mut views: HashMap<ObjectId, PerformanceView> = performances
            .iter()
            .map(|p| {
                let view = PerformanceView {
                    total_seats: p.total_seats,
                    ..PerformanceView::default()
                };
                (p.id, view)
            })
            .collect();
        let seats: Vec<SeatDoc> = read_all(self, SEATS, doc! {}).await?;
        let bookings: Vec<BookingDoc> =
            read_all(self, BOOKINGS, doc! { "status": "confirmed" }).await?;
        let holds: Vec<HoldDoc> = read_all(self, HOLDS, doc! { "status": "active" }).await?;
        let booked: Vec<Document> = read_all(self, BOOKED_SEATS, doc! {}).await?;
        let guards: Vec<Document> = read_all(self, SEAT_GUARDS, doc! {}).await?;
        tally.checked.performances += performances.len() as u64;
        tally.checked.seats += seats.len() as u64;
        tally.checked.bookings += bookings.len() as u64;
        tally.checked.holds += holds.len() as u64;
        for seat in seats {
            views
                .entry(seat.performance_id)
                .or_default()
                .seats
                .push(seat);
        }
        for booking in bookings {
            views
                .entry(booking.performance_id)
                .or_default()
                .bookings
                .push(booking);
        }
        for hold in holds {
            views
                .entry(hold.performance_id)
                .or_default()
                .holds
                .push(hold);
        }
        for entry in booked {
            if let Ok(performance) = entry.get_object_id("performance_id") {
                views.entry(performance).or_default().booked.push(entry);
            }
        }
        for guard in guards {
            if let Some(performance) = guard.get_str("_id").ok().and_then(guard_performance) {
                views.entry(performance).or_default().guards.push(guard);
            }
        }
        let known: BTreeSet<ObjectId> = performances.iter().map(|p| p.id).collect();
        // Their bookings are in the archive and their seats gone (or going).
        let archived: BTreeSet<ObjectId> = performances
            .iter()
            .filter(|p| p.archived_at.is_some())
            .map(|p| p.id)
            .collect();
        for (performance, mut view) in views {
            if archived.contains(&performance) {
                continue;
            }
            if !known.contains(&performance) {
                // Data naming a performance that does not exist is judged
                // like any other (a guard with no booking is reported), but
                // there is no seat count to compare.
                view.total_seats = u32::try_from(view.seats.len()).unwrap_or(u32::MAX);
            }
            if check(performance, &view, now).is_empty() {
                continue;
            }
            let seen = Seen {
                bookings: view.bookings.iter().map(|b| b.id).collect(),
                holds: view.holds.iter().map(|h| h.id).collect(),
                guards: view
                    .guards
                    .iter()
                    .filter_map(|g| g.get_str("_id").ok().map(str::to_owned))
                    .collect(),
            };
            let (findings, repaired) = self.look_again(performance, seen, tally.repair).await?;
            tally.add("performance", performance, findings, repaired);
        }
        Ok(())
    }

    /// Reads one performance again in a snapshot transaction, judges it,
    /// and with `repair` fixes it in the same transaction.
    async fn look_again(
        &self,
        performance: ObjectId,
        seen: Seen,
        repair: bool,
    ) -> Result<(Vec<Finding>, bool), ApiError> {
        let store = self.clone();
        self.transaction(async move |session| {
            let now = store.server_time().await?;
            let view = read_view(&store, session, performance, &seen).await?;
            let findings = check(performance, &view, now);
            if repair {
                super::repair(&store, session, &findings).await?;
            }
            Ok((findings, repair))
        })
        .await
    }
}

async fn read_view(
    store: &Store,
    session: &mut mongodb::ClientSession,
    performance: ObjectId,
    seen: &Seen,
) -> Result<PerformanceView, ApiError> {
    let found: Vec<PerformanceDoc> =
        read_in(store, session, PERFORMANCES, doc! { "_id": performance }).await?;
    let seats: Vec<SeatDoc> = read_in(
        store,
        session,
        SEATS,
        doc! { "performance_id": performance },
    )
    .await?;
    let mut booking_ids = seen.bookings.clone();
    booking_ids.extend(seats.iter().filter_map(|s| s.booking_id));
    let mut hold_ids = seen.holds.clone();
    hold_ids.extend(seats.iter().filter_map(|s| s.hold_id));
    let bookings: Vec<BookingDoc> = read_in(store, session, BOOKINGS, ids(booking_ids)).await?;
    let bookings: Vec<BookingDoc> = bookings
        .into_iter()
        .filter(|b| b.performance_id == performance && b.status == BookingStatus::Confirmed)
        .collect();
    let holds: Vec<HoldDoc> = read_in(store, session, HOLDS, ids(hold_ids)).await?;
    let holds: Vec<HoldDoc> = holds
        .into_iter()
        .filter(|h| h.performance_id == performance && h.status == HoldStatus::Active)
        .collect();
    let booked = read_in(
        store,
        session,
        BOOKED_SEATS,
        doc! { "performance_id": performance },
    )
    .await?;
    let mut guard_ids = seen.guards.clone();
    guard_ids.extend(bookings.iter().map(|b| guard_id(b.user_id, performance)));
    guard_ids.extend(holds.iter().map(|h| guard_id(h.user_id, performance)));
    let guard_ids: Vec<String> = guard_ids.into_iter().collect();
    let guards = read_in(
        store,
        session,
        SEAT_GUARDS,
        doc! { "_id": { "$in": guard_ids } },
    )
    .await?;
    Ok(PerformanceView {
        total_seats: found
            .first()
            .map_or(u32::try_from(seats.len()).unwrap_or(u32::MAX), |p| {
                p.total_seats
            }),
        seats,
        bookings,
        holds,
        booked,
        guards,
    })
}

fn ids(ids: BTreeSet<ObjectId>) -> Document {
    let ids: Vec<ObjectId> = ids.into_iter().collect();
    doc! { "_id": { "$in": ids } }
}
