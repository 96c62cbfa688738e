//! Room reservations: through the API on one room or many, and the raw
//! transaction a reservation needs.

use chrono::{DateTime, Duration, Utc};
use mongodb::bson::oid::ObjectId;
use shared::Room;
use tests::{TestApp, at};

use crate::figures::{Figures, drive};
use crate::raw::Raw;

/// Minutes per reservation: six five-minute cells.
const LENGTH: i64 = 30;

/// The `i`-th reservation's start: back to back from a few days ahead, so
/// no two requests of a run overlap, whichever room they go to.
fn start(i: usize) -> DateTime<Utc> {
    at(1, 0.0) + Duration::minutes(LENGTH * i as i64)
}

/// `total` reservations over `tokens.len()` clients, client `w` reserving
/// in `rooms[w % rooms.len()]`.
pub async fn via_http(app: &TestApp, tokens: &[String], rooms: &[Room], total: usize) -> Figures {
    drive(total, tokens.len(), |worker, i| {
        let (token, room) = (&tokens[worker], &rooms[worker % rooms.len()]);
        async move {
            let from = start(i);
            let response = app
                .reserve(token, &room.id, from, from + Duration::minutes(LENGTH))
                .await;
            response.status == 201
        }
    })
    .await
}

/// The same shape of work as [`via_http`] in raw transactions.
pub async fn via_raw(raw: &Raw, clients: usize, rooms: usize, total: usize) -> Figures {
    let ids: Vec<ObjectId> = (0..rooms).map(|_| ObjectId::new()).collect();
    drive(total, clients, |worker, i| {
        let room = ids[worker % ids.len()];
        async move { raw.reserve(room, start(i), LENGTH / 5).await }
    })
    .await
}
