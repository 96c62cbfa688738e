//! Concurrency claims proven with real parallel requests.

use futures::future::join_all;
use mongodb::bson::{Document, doc};
use shared::{ErrorCode, Reservation};
use tests::{at, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_users_racing_for_one_slot_produce_exactly_one_reservation() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let room = app.room(&admin).await;
    let tokens: Vec<String> = join_all((0..100).map(|_| app.new_user()))
        .await
        .into_iter()
        .map(|(_, token)| token)
        .collect();

    // Every request overlaps every other: all cover 10:30-11:00.
    let requests = tokens.iter().enumerate().map(|(i, token)| {
        let start = at(1, 10.0 + 0.25 * (i % 3) as f64);
        let end = at(1, 11.0 + 0.25 * (i % 2) as f64);
        app.reserve(token, &room.id, start, end)
    });
    let responses = join_all(requests).await;

    let created: Vec<_> = responses.iter().filter(|r| r.status == 201).collect();
    let conflicts = responses
        .iter()
        .filter(|r| r.status == 409 && r.error_code() == ErrorCode::SlotTaken)
        .count();
    assert_eq!(
        created.len(),
        1,
        "statuses: {:?}",
        responses.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert_eq!(conflicts, 99);

    let winner: Reservation = created[0].json();
    let active = app
        .db
        .collection::<Document>("reservations")
        .count_documents(doc! { "status": { "$in": ["pending", "approved"] } })
        .await
        .unwrap();
    let all = app
        .db
        .collection::<Document>("reservations")
        .count_documents(doc! {})
        .await
        .unwrap();
    assert_eq!((active, all), (1, 1), "losers leave nothing behind");
    let slots = app.documents("room_slots", doc! {}).await;
    let expected_cells = (winner.end - winner.start).num_minutes() / 5;
    assert_eq!(slots.len() as i64, expected_cells);
    assert!(
        slots
            .iter()
            .all(|s| s.get_object_id("reservation_id").unwrap().to_hex() == winner.id.0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_reservations_of_distinct_times_in_one_room_all_succeed() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let room = app.room(&admin).await;
    let (_, token) = app.new_user().await;

    let responses = join_all((0..24).map(|hour| {
        app.reserve(
            &token,
            &room.id,
            at(1, hour as f64 * 0.5),
            at(1, hour as f64 * 0.5 + 0.5),
        )
    }))
    .await;

    for response in &responses {
        response.assert_status(201);
    }
    let stored = app
        .db
        .collection::<Document>("reservations")
        .count_documents(doc! { "status": "approved" })
        .await
        .unwrap();
    assert_eq!(stored, 24);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cancel_and_rebook_racing_never_leaves_two_holders() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let room = app.room(&admin).await;
    let (_, owner) = app.new_user().await;
    let original = app
        .reserve_ok(&owner, &room.id, at(1, 10.0), at(1, 11.0))
        .await;
    let tokens: Vec<String> = join_all((0..20).map(|_| app.new_user()))
        .await
        .into_iter()
        .map(|(_, t)| t)
        .collect();

    let cancel_path = format!("/api/v1/reservations/{}/cancel", original.id);
    let cancel = app.post_empty(&cancel_path, Some(&owner));
    let rebooks = join_all(
        tokens
            .iter()
            .map(|t| app.reserve(t, &room.id, at(1, 10.0), at(1, 11.0))),
    );
    let (cancelled, rebooks) = tokio::join!(cancel, rebooks);

    cancelled.assert_status(200);
    let winners = rebooks.iter().filter(|r| r.status == 201).count();
    assert!(winners <= 1, "at most one rebooking wins, got {winners}");
    for r in rebooks.iter().filter(|r| r.status != 201) {
        r.assert_error(409, ErrorCode::SlotTaken);
    }
    let active = app
        .db
        .collection::<Document>("reservations")
        .count_documents(doc! { "status": "approved" })
        .await
        .unwrap();
    assert_eq!(active as usize, winners);
}
