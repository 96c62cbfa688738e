//! Seat races with real parallel requests: the database decides every seat.

use std::collections::{HashMap, HashSet};

use futures::future::join_all;
use mongodb::bson::oid::ObjectId;
use mongodb::bson::{Document, doc};
use shared::{Booking, ErrorCode, Hold};
use tests::events::{Stage, stage};
use tests::{TestApp, invariants, spawn_app};

async fn buyers(app: &TestApp, n: usize, points: i64) -> Vec<String> {
    let mut tokens = Vec::with_capacity(n);
    // Batches keep registration from swamping the test server.
    for chunk in (0..n).collect::<Vec<_>>().chunks(50) {
        tokens.extend(join_all(chunk.iter().map(|_| app.buyer(points))).await);
    }
    tokens
}

/// Every confirmed booking's seats, asserting that none appears twice,
/// and that the seat documents agree.
async fn assert_no_seat_sold_twice(app: &TestApp, stage: &Stage) -> usize {
    let bookings: Vec<Document> = app
        .documents("bookings", doc! { "status": "confirmed" })
        .await;
    let mut owner: HashMap<String, String> = HashMap::new();
    for booking in &bookings {
        let id = booking.get_object_id("_id").unwrap().to_hex();
        for seat in booking.get_array("seats").unwrap() {
            let seat = seat.as_str().unwrap().to_owned();
            if let Some(previous) = owner.insert(seat.clone(), id.clone()) {
                panic!("seat {seat} is in bookings {previous} and {id}");
            }
        }
    }
    let performance = ObjectId::parse_str(&stage.performance.id.0).unwrap();
    let booked = app
        .documents(
            "seats",
            doc! { "performance_id": performance, "state": "booked" },
        )
        .await;
    assert_eq!(
        booked.len(),
        owner.len(),
        "seat documents agree with the bookings"
    );
    for seat in booked {
        let label = seat.get_str("label").unwrap();
        let booking = seat.get_object_id("booking_id").unwrap().to_hex();
        assert_eq!(owner.get(label), Some(&booking), "seat {label}");
    }
    owner.len()
}

/// Every wallet's balance equals the sum of its ledger and is never negative.
async fn assert_wallets_match_ledgers(app: &TestApp) {
    let problems = invariants::wallet_violations(&app.db)
        .await
        .expect("wallets and ledger are read");
    assert!(problems.is_empty(), "{problems:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_users_racing_for_one_seat_produce_exactly_one_booking() {
    let app = spawn_app().await;
    let stage = stage(&app, 1, 4, 100).await;
    let tokens = buyers(&app, 200, 100).await;

    let responses = join_all(tokens.iter().map(|t| app.book(t, &stage, &["A1"]))).await;

    let won = responses.iter().filter(|r| r.status == 201).count();
    let lost = responses
        .iter()
        .filter(|r| r.status == 409 && r.error_code() == ErrorCode::SeatTaken)
        .count();
    assert_eq!(
        (won, lost),
        (1, 199),
        "statuses: {:?}",
        responses
            .iter()
            .map(|r| r.status.as_u16())
            .collect::<Vec<_>>()
    );
    assert_eq!(assert_no_seat_sold_twice(&app, &stage).await, 1);
    let bookings = app
        .db
        .collection::<Document>("bookings")
        .count_documents(doc! {})
        .await
        .unwrap();
    assert_eq!(bookings, 1);
    assert_wallets_match_ledgers(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_users_racing_for_overlapping_seat_sets_never_share_a_seat() {
    let app = spawn_app().await;
    let stage = stage(&app, 2, 10, 10).await;
    let tokens = buyers(&app, 100, 1_000).await;
    let labels: Vec<String> = ["A", "B"]
        .iter()
        .flat_map(|row| (1..=10).map(move |n| format!("{row}{n}")))
        .collect();

    // User i wants three neighbouring seats starting at i mod 18: heavy overlap.
    let wanted: Vec<Vec<&str>> = (0..100)
        .map(|i| {
            labels[i % 18..i % 18 + 3]
                .iter()
                .map(String::as_str)
                .collect()
        })
        .collect();
    let (app_ref, stage_ref) = (&app, &stage);
    let responses = join_all(tokens.iter().zip(&wanted).enumerate().map(
        |(i, (t, seats))| async move {
            if i % 2 == 0 {
                app_ref.hold(t, stage_ref, seats).await
            } else {
                app_ref.book(t, stage_ref, seats).await
            }
        },
    ))
    .await;

    let mut taken: HashSet<String> = HashSet::new();
    for (response, seats) in responses.iter().zip(&wanted) {
        match response.status.as_u16() {
            201 => {
                for seat in seats {
                    assert!(taken.insert((*seat).to_owned()), "seat {seat} won twice");
                }
            }
            409 => assert_eq!(
                response.error_code(),
                ErrorCode::SeatTaken,
                "{}",
                response.body
            ),
            other => panic!("unexpected {other}: {}", response.body),
        }
    }
    assert!(!taken.is_empty());
    assert_no_seat_sold_twice(&app, &stage).await;
    let holds: Vec<Document> = app.documents("holds", doc! {}).await;
    for hold in holds {
        let id = hold.get_object_id("_id").unwrap();
        let seats = hold.get_array("seats").unwrap().len() as u64;
        let held = app
            .db
            .collection::<Document>("seats")
            .count_documents(doc! { "hold_id": id, "state": "held" })
            .await
            .unwrap();
        assert_eq!(held, seats, "hold {id} is whole");
    }
    let held_seats = app
        .db
        .collection::<Document>("seats")
        .count_documents(doc! { "state": "held" })
        .await
        .unwrap();
    let booked_seats = app
        .db
        .collection::<Document>("seats")
        .count_documents(doc! { "state": "booked" })
        .await
        .unwrap();
    assert_eq!(
        (held_seats + booked_seats) as usize,
        taken.len(),
        "no orphan claims"
    );
    assert_wallets_match_ledgers(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_confirms_by_one_user_never_overdraw_the_wallet() {
    let mut settings = tests::test_settings(&tests::shared_server_uri().await);
    settings.events.max_seats_per_user = 20;
    let app = tests::spawn_app_with(settings).await;
    let stage = stage(&app, 2, 10, 100).await;
    let buyer = app.buyer(100).await;
    let mut holds: Vec<Hold> = Vec::new();
    for row in ["A", "B"] {
        for n in 1..=10 {
            holds.push(app.hold_ok(&buyer, &stage, &[&format!("{row}{n}")]).await);
        }
    }

    let paths: Vec<String> = holds
        .iter()
        .map(|h| format!("/api/v1/holds/{}/confirm", h.id))
        .collect();
    let responses = join_all(paths.iter().map(|p| app.post_empty(p, Some(&buyer)))).await;

    let paid: Vec<Booking> = responses
        .iter()
        .filter(|r| r.status == 201)
        .map(|r| r.json())
        .collect();
    assert_eq!(
        paid.len(),
        1,
        "{:?}",
        responses.iter().map(|r| &r.body).collect::<Vec<_>>()
    );
    for r in responses.iter().filter(|r| r.status != 201) {
        r.assert_error(409, ErrorCode::InsufficientPoints);
    }
    assert_eq!(app.balance(&buyer).await, 0);
    assert_wallets_match_ledgers(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cancel_and_rebook_racing_never_sells_a_seat_twice() {
    let app = spawn_app().await;
    let stage = stage(&app, 1, 4, 100).await;
    let owner = app.buyer(1_000).await;
    let booking = app.book_ok(&owner, &stage, &["A1", "A2"]).await;
    let tokens = buyers(&app, 30, 1_000).await;

    let cancel_path = format!("/api/v1/bookings/{}/cancel", booking.id);
    let cancel = app.post_empty(&cancel_path, Some(&owner));
    let rebooks = join_all(tokens.iter().map(|t| app.book(t, &stage, &["A2", "A1"])));
    let (cancelled, rebooks) = tokio::join!(cancel, rebooks);

    cancelled.assert_status(200);
    let winners = rebooks.iter().filter(|r| r.status == 201).count();
    assert!(winners <= 1, "{winners} rebookings won");
    for r in rebooks.iter().filter(|r| r.status != 201) {
        r.assert_error(409, ErrorCode::SeatTaken);
    }
    assert_eq!(assert_no_seat_sold_twice(&app, &stage).await, 2 * winners);
    assert_eq!(app.balance(&owner).await, 1_000);
    assert_wallets_match_ledgers(&app).await;
}

#[tokio::test]
async fn the_database_refuses_a_seat_in_two_bookings_even_below_the_api() {
    // The unique (performance, label) index on booked seats is the second
    // line of defence: exercise it directly, as a buggy writer would.
    let app = spawn_app().await;
    let booked = app.db.collection::<Document>("booked_seats");
    let performance = mongodb::bson::oid::ObjectId::new();
    let seat = |label: &str| {
        doc! {
            "performance_id": performance,
            "label": label,
            "booking_id": mongodb::bson::oid::ObjectId::new(),
        }
    };

    booked.insert_one(seat("A1")).await.unwrap();
    let duplicate = booked.insert_one(seat("A1")).await;

    let error = duplicate.expect_err("a seat in two bookings must be refused");
    assert!(api::error::is_duplicate_key(&error), "{error}");
    booked.insert_one(seat("A2")).await.unwrap();
    // Guards of no booking are drift, which the check after every test
    // would rightly report.
    booked
        .delete_many(doc! { "performance_id": performance })
        .await
        .unwrap();
}

#[tokio::test]
async fn cancelled_seats_leave_the_booked_seat_index() {
    let app = spawn_app().await;
    let stage = stage(&app, 1, 2, 10).await;
    let buyer = app.buyer(100).await;
    let booking = app.book_ok(&buyer, &stage, &["A1", "A2"]).await;
    let booked = app.db.collection::<Document>("booked_seats");
    assert_eq!(booked.count_documents(doc! {}).await.unwrap(), 2);

    app.post_empty(
        &format!("/api/v1/bookings/{}/cancel", booking.id),
        Some(&buyer),
    )
    .await
    .assert_status(200);

    assert_eq!(booked.count_documents(doc! {}).await.unwrap(), 0);
    app.book_ok(&buyer, &stage, &["A2"]).await;
}
