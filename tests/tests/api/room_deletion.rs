//! Deleting a room while people reserve it: reservations no longer write
//! the room's document, so this race is decided by the tombstone protocol
//! (`api/src/store/room_deletion.rs`) and must stay as safe as before.

use std::time::Duration;

use futures::future::join_all;
use mongodb::bson::{Document, doc};
use reqwest::Method;
use shared::{ErrorCode, Reservation};
use tests::{at, spawn_app};

const ROUNDS: usize = 8;
const RESERVERS: usize = 12;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_room_deleted_while_people_reserve_it_keeps_either_its_bookings_or_none() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let tokens: Vec<String> = join_all((0..RESERVERS).map(|_| app.new_user()))
        .await
        .into_iter()
        .map(|(_, token)| token)
        .collect();
    let mut deleted_rounds = 0;
    let mut kept_rounds = 0;
    let mut outcomes = Vec::new();
    for round in 0..ROUNDS {
        let room = app.room(&admin).await;
        let path = format!("/api/v1/rooms/{}", room.id.0);
        // Reservations arrive 3 ms apart; the deletion is sent a little
        // later each round, so it lands ever later in the burst.
        let delay = Duration::from_millis(2 * round as u64);
        let deletion = async {
            tokio::time::sleep(delay).await;
            app.request::<()>(Method::DELETE, &path, Some(&admin), None)
                .await
        };
        let (app, room) = (&app, &room);
        let reservations = join_all(tokens.iter().enumerate().map(|(i, token)| {
            let start = at(2, 8.0 + i as f64 * 0.5);
            async move {
                tokio::time::sleep(Duration::from_millis(3 * i as u64)).await;
                app.reserve(
                    token,
                    &room.id,
                    start,
                    start + chrono::Duration::minutes(30),
                )
                .await
            }
        }));
        let (deletion, responses) = tokio::join!(deletion, reservations);

        let acknowledged: Vec<Reservation> = responses
            .iter()
            .filter(|r| r.status == 201)
            .map(|r| r.json())
            .collect();
        for response in &responses {
            assert!(
                [201, 404].contains(&response.status.as_u16()),
                "round {round}: a reservation answered {} {}",
                response.status,
                response.body
            );
        }
        let refused = responses.iter().filter(|r| r.status == 404).count();
        outcomes.push(format!(
            "{}:{}/{refused}",
            deletion.status.as_u16(),
            acknowledged.len()
        ));
        let room_id = mongodb::bson::oid::ObjectId::parse_str(&room.id.0).unwrap();
        let room_left = app.documents("rooms", doc! { "_id": room_id }).await.len();
        let stored = app
            .documents("reservations", doc! { "room_id": room_id })
            .await;
        let cells = app
            .documents("room_slots", doc! { "room_id": room_id })
            .await;
        match deletion.status.as_u16() {
            204 => {
                deleted_rounds += 1;
                assert!(
                    acknowledged.is_empty(),
                    "round {round}: the room was deleted under {} acknowledged reservation(s)",
                    acknowledged.len()
                );
                assert_eq!(room_left, 0);
                assert!(stored.is_empty(), "round {round}: left behind {stored:?}");
                assert!(cells.is_empty(), "round {round}: left behind {cells:?}");
            }
            409 => {
                kept_rounds += 1;
                deletion.assert_error(409, ErrorCode::RoomInUse);
                assert_eq!(room_left, 1);
                let rooms: Vec<Document> = app.documents("rooms", doc! { "_id": room_id }).await;
                assert!(
                    !rooms[0].contains_key("deleting"),
                    "round {round}: a refused deletion leaves no tombstone: {rooms:?}"
                );
            }
            other => panic!("round {round}: deletion answered {other} {}", deletion.body),
        }
        // Every acknowledged reservation is stored with its cells, and
        // nothing else is.
        assert_eq!(
            stored.len(),
            acknowledged.len(),
            "round {round}: stored {stored:?}"
        );
        for reservation in &acknowledged {
            let id = mongodb::bson::oid::ObjectId::parse_str(&reservation.id.0).unwrap();
            assert!(
                stored
                    .iter()
                    .any(|d| d.get_object_id("_id").ok() == Some(id))
            );
            let own = cells
                .iter()
                .filter(|c| c.get_object_id("reservation_id").ok() == Some(id))
                .count();
            assert_eq!(own, 6, "round {round}: 30 minutes are six cells");
        }
        assert_eq!(cells.len(), acknowledged.len() * 6, "round {round}");
    }
    tests::report(&format!(
        "room deletion races: {deleted_rounds} rounds deleted the room, {kept_rounds} kept it \
         (deletion status:reservations acknowledged/refused per round: {})",
        outcomes.join(" ")
    ));
}

#[tokio::test]
async fn the_sweep_removes_a_reservation_left_on_a_deleted_room_and_nothing_else() {
    let settings = tests::test_settings(&tests::shared_server_uri().await);
    let app = tests::spawn_app_with(settings.clone()).await;
    let admin = app.admin_token().await;
    let (_, user) = app.new_user().await;
    let kept_room = app.room(&admin).await;
    let kept = app
        .reserve_ok(&user, &kept_room.id, at(3, 9.0), at(3, 10.0))
        .await;
    let doomed_room = app.room(&admin).await;
    let left = app
        .reserve_ok(&user, &doomed_room.id, at(3, 9.0), at(3, 10.0))
        .await;
    // A cancelled reservation of that room stays for the record.
    let cancelled = app
        .reserve_ok(&user, &doomed_room.id, at(3, 11.0), at(3, 12.0))
        .await;
    app.post_empty(
        &format!("/api/v1/reservations/{}/cancel", cancelled.id),
        Some(&user),
    )
    .await
    .assert_status(200);
    // What a reservation that committed after a deletion's last count, and
    // then could not take itself back, leaves: its room is gone.
    let doomed = mongodb::bson::oid::ObjectId::parse_str(&doomed_room.id.0).unwrap();
    app.db
        .collection::<Document>("rooms")
        .delete_one(doc! { "_id": doomed })
        .await
        .unwrap();
    let store =
        api::store::Store::connect(&settings.database, api::metrics::Metrics::new().unwrap())
            .await
            .unwrap();

    assert_eq!(store.sweep_orphan_reservations().await.unwrap(), 1);
    assert_eq!(store.sweep_orphan_reservations().await.unwrap(), 0);

    let left_id = mongodb::bson::oid::ObjectId::parse_str(&left.id.0).unwrap();
    assert!(
        app.documents("reservations", doc! { "_id": left_id })
            .await
            .is_empty()
    );
    assert!(
        app.documents("room_slots", doc! { "room_id": doomed })
            .await
            .is_empty()
    );
    let cancelled_id = mongodb::bson::oid::ObjectId::parse_str(&cancelled.id.0).unwrap();
    assert_eq!(
        app.documents("reservations", doc! { "_id": cancelled_id })
            .await
            .len(),
        1
    );
    let kept_id = mongodb::bson::oid::ObjectId::parse_str(&kept.id.0).unwrap();
    assert_eq!(
        app.documents("reservations", doc! { "_id": kept_id })
            .await
            .len(),
        1
    );
    assert_eq!(
        app.documents("room_slots", doc! { "reservation_id": kept_id })
            .await
            .len(),
        12
    );
}
