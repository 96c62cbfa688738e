//! The per-buyer seat limit, kept as one guard document per buyer and
//! performance (`api/src/store/seat_limit.rs`): what counts, what stops
//! counting, concurrent claims, and guards written by earlier versions.

use std::time::Duration;

use futures::future::join_all;
use mongodb::bson::doc;
use reqwest::Method;
use shared::{Booking, ErrorCode};
use tests::events::stage;
use tests::{shared_server_uri, spawn_app_with, test_settings};

async fn limit_of_two() -> api::configuration::Settings {
    let mut settings = test_settings(&shared_server_uri().await);
    settings.events.max_seats_per_user = 2;
    settings
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn released_cancelled_and_expired_claims_stop_counting_and_confirmed_ones_do_not() {
    let mut settings = limit_of_two().await;
    settings.events.hold_ttl_seconds = 2;
    let app = spawn_app_with(settings).await;
    let stage = stage(&app, 1, 8, 10).await;
    let buyer = app.buyer(1_000).await;

    // A hold and a booking fill the limit.
    let hold = app.hold_ok(&buyer, &stage, &["A1"]).await;
    let booking = app.book_ok(&buyer, &stage, &["A2"]).await;
    app.hold(&buyer, &stage, &["A3"])
        .await
        .assert_error(409, ErrorCode::SeatLimitExceeded);
    // Releasing the hold frees one place.
    app.request::<()>(
        Method::DELETE,
        &format!("/api/v1/holds/{}", hold.id),
        Some(&buyer),
        None,
    )
    .await
    .assert_status(204);
    let confirmed = app.hold_ok(&buyer, &stage, &["A3"]).await;
    // A confirmed hold keeps counting after the hold's own expiry.
    app.post_empty(
        &format!("/api/v1/holds/{}/confirm", confirmed.id),
        Some(&buyer),
    )
    .await
    .assert_status(201);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    app.hold(&buyer, &stage, &["A4"])
        .await
        .assert_error(409, ErrorCode::SeatLimitExceeded);
    // Cancelling a booking frees its place.
    app.post_empty(
        &format!("/api/v1/bookings/{}/cancel", booking.id),
        Some(&buyer),
    )
    .await
    .assert_status(200);
    app.hold_ok(&buyer, &stage, &["A4"]).await;
    // An expired hold stops counting without anyone tidying it.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    app.hold_ok(&buyer, &stage, &["A5"]).await;
    app.hold(&buyer, &stage, &["A6"])
        .await
        .assert_error(409, ErrorCode::SeatLimitExceeded);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_claims_by_one_buyer_never_pass_the_limit_together() {
    let app = spawn_app_with(limit_of_two().await).await;
    let stage = stage(&app, 1, 20, 10).await;
    let buyer = app.buyer(1_000).await;
    let labels: Vec<String> = (1..=20).map(|n| format!("A{n}")).collect();

    // Twenty claims on one buyer's guard contend; on a loaded machine one
    // may give up with 503 "too busy" (nothing written), and a client
    // tries it again, as the Retry-After header asks.
    let responses = join_all(labels.iter().enumerate().map(|(i, label)| {
        let (app, stage, buyer) = (&app, &stage, &buyer);
        async move {
            let mut attempts = 0;
            loop {
                attempts += 1;
                let response = if i % 2 == 0 {
                    app.hold(buyer, stage, &[label.as_str()]).await
                } else {
                    app.book(buyer, stage, &[label.as_str()]).await
                };
                if response.status != 503 || attempts == 5 {
                    return response;
                }
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        }
    }))
    .await;

    let taken = responses.iter().filter(|r| r.status == 201).count();
    for r in responses.iter().filter(|r| r.status != 201) {
        r.assert_error(409, ErrorCode::SeatLimitExceeded);
    }
    assert_eq!(
        taken,
        2,
        "statuses: {:?}",
        responses.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    let performance = mongodb::bson::oid::ObjectId::parse_str(&stage.performance.id.0).unwrap();
    let owned = app
        .documents(
            "seats",
            doc! { "performance_id": performance, "state": { "$ne": "available" } },
        )
        .await;
    assert_eq!(owned.len(), 2, "the database holds what was acknowledged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guards_written_before_entries_were_kept_still_count_the_seats() {
    let app = spawn_app_with(limit_of_two().await).await;
    let stage = stage(&app, 1, 6, 10).await;
    let buyer = app.buyer(1_000).await;
    let hold = app.hold_ok(&buyer, &stage, &["A1"]).await;
    let _: Booking = app.book_ok(&buyer, &stage, &["A2"]).await;
    // What an earlier version left: a claim counter and no entries.
    app.db
        .collection::<mongodb::bson::Document>("seat_guards")
        .update_many(
            doc! {},
            doc! { "$unset": { "live": "" }, "$set": { "claims": 2 } },
        )
        .await
        .unwrap();

    app.hold(&buyer, &stage, &["A3"])
        .await
        .assert_error(409, ErrorCode::SeatLimitExceeded);
    let guards = app.documents("seat_guards", doc! {}).await;
    assert_eq!(guards.len(), 1);
    assert_eq!(
        guards[0].get_array("live").map(Vec::len).ok(),
        None,
        "the refused claim was rolled back: {guards:?}"
    );

    // Released, the hold stops counting, and the next claim rebuilds the
    // guard from the seats: the booking and the new hold.
    app.request::<()>(
        Method::DELETE,
        &format!("/api/v1/holds/{}", hold.id),
        Some(&buyer),
        None,
    )
    .await
    .assert_status(204);
    app.hold_ok(&buyer, &stage, &["A3"]).await;
    let guards = app.documents("seat_guards", doc! {}).await;
    assert_eq!(
        guards[0].get_array("live").map(Vec::len).ok(),
        Some(2),
        "{guards:?}"
    );
    app.hold(&buyer, &stage, &["A4"])
        .await
        .assert_error(409, ErrorCode::SeatLimitExceeded);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_confirmed_hold_whose_entry_was_dropped_is_counted_again() {
    let app = spawn_app_with(limit_of_two().await).await;
    let stage = stage(&app, 1, 6, 10).await;
    let buyer = app.buyer(1_000).await;
    let hold = app.hold_ok(&buyer, &stage, &["A1"]).await;
    // What a claim on an instance whose clock runs ahead leaves: the live
    // hold's entry dropped as if it had expired.
    app.db
        .collection::<mongodb::bson::Document>("seat_guards")
        .update_many(doc! {}, doc! { "$set": { "live": [] } })
        .await
        .unwrap();
    app.hold_ok(&buyer, &stage, &["A2"]).await;

    app.post_empty(&format!("/api/v1/holds/{}/confirm", hold.id), Some(&buyer))
        .await
        .assert_status(201);

    app.hold(&buyer, &stage, &["A3"])
        .await
        .assert_error(409, ErrorCode::SeatLimitExceeded);
    let guards = app.documents("seat_guards", doc! {}).await;
    assert_eq!(
        guards[0].get_array("live").map(Vec::len).ok(),
        Some(2),
        "{guards:?}"
    );
}
