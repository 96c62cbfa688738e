//! Cancelling a performance: every booking refunded, every hold released,
//! nothing sold after it, even to buyers racing it, and a cancellation cut
//! short finished in the background.

use chrono::{Duration, Utc};
use mongodb::bson::{Document, doc, oid::ObjectId};
use serde_json::json;
use shared::{ErrorCode, Performance, PerformanceCancellation};
use tests::events::{Stage, stage};
use tests::{TestApp, spawn_app, spawn_app_changed};

fn oid(id: &str) -> ObjectId {
    ObjectId::parse_str(id).unwrap()
}

async fn cancel(app: &TestApp, stage: &Stage, token: &str, reason: &str) -> tests::TestResponse {
    app.post(
        &stage.perf_path("/cancel"),
        Some(token),
        &json!({ "reason": reason }),
    )
    .await
}

/// The performance's documents in `collection`.
async fn of_performance(app: &TestApp, collection: &str, stage: &Stage) -> Vec<Document> {
    let id = oid(&stage.performance.id.0);
    app.documents(collection, doc! { "performance_id": id })
        .await
}

#[tokio::test]
async fn an_admin_cancels_a_performance_and_every_buyer_is_refunded() {
    // Arrange: two bookings and a live hold on a 2 x 5 hall at 10 points.
    let app = spawn_app().await;
    let stage = stage(&app, 2, 5, 10).await;
    let (first, second, holder) = (
        app.buyer(100).await,
        app.buyer(100).await,
        app.buyer(100).await,
    );
    app.book_ok(&first, &stage, &["A1", "A2"]).await;
    app.book_ok(&second, &stage, &["B1"]).await;
    let hold = app.hold_ok(&holder, &stage, &["A3"]).await;

    // Act + Assert: buyers may not cancel it; the reason is bounded.
    cancel(&app, &stage, &first, "").await.assert_status(403);
    let long = "x".repeat(501);
    let refused = cancel(&app, &stage, &stage.admin, &long).await;
    refused.assert_error(400, ErrorCode::InvalidInput);
    assert_eq!(refused.error_field().as_deref(), Some("reason"));
    assert_eq!(of_performance(&app, "bookings", &stage).await.len(), 2);

    // Act: the admin cancels it.
    let response = cancel(&app, &stage, &stage.admin, "The lead actor is ill").await;

    // Assert: what the answer says ...
    response.assert_status(200);
    let done: PerformanceCancellation = response.json();
    assert_eq!(done.bookings_cancelled, 2);
    assert_eq!(done.points_refunded, 30);
    assert_eq!(done.holds_released, 1);
    assert_eq!(done.bookings_left, 0);
    assert!(done.performance.cancelled_at.is_some());
    assert_eq!(
        done.performance.cancel_reason.as_deref(),
        Some("The lead actor is ill")
    );
    assert_eq!(done.performance.availability.remaining_seats, 0);
    // ... the wallets ...
    for buyer in [&first, &second, &holder] {
        assert_eq!(app.balance(buyer).await, 100);
    }
    // ... and the database.
    let bookings = of_performance(&app, "bookings", &stage).await;
    assert!(bookings.iter().all(|b| {
        b.get_str("status") == Ok("cancelled") && b.get_bool("performance_cancelled") == Ok(true)
    }));
    assert!(
        of_performance(&app, "booked_seats", &stage)
            .await
            .is_empty()
    );
    let seats = of_performance(&app, "seats", &stage).await;
    assert_eq!(seats.len(), 10);
    assert!(seats.iter().all(|s| s.get_bool("closed") == Ok(true)));
    assert!(seats.iter().all(|s| s.get_str("state") == Ok("available")));
    let holds = of_performance(&app, "holds", &stage).await;
    assert!(holds.iter().all(|h| h.get_str("status") == Ok("released")));
    let target = oid(&stage.performance.id.0);
    let events = app
        .documents(
            "events",
            doc! { "type": "performance.cancelled", "target_id": target },
        )
        .await;
    assert_eq!(events.len(), 1);
    let cancelled = app
        .documents("events", doc! { "type": "booking.cancelled" })
        .await;
    assert_eq!(cancelled.len(), 2);

    // Nothing is sold any more, and the released hold cannot be paid.
    for response in [
        app.book(&first, &stage, &["A5"]).await,
        app.hold(&first, &stage, &["A1"]).await,
    ] {
        response.assert_error(409, ErrorCode::PerformanceCancelled);
    }
    app.post_empty(&format!("/api/v1/holds/{}/confirm", hold.id), Some(&holder))
        .await
        .assert_error(409, ErrorCode::PerformanceCancelled);
    let shown: Performance = app.get(&stage.perf_path(""), None).await.json();
    assert!(shown.cancelled_at.is_some());
    assert_eq!(app.balance(&holder).await, 100);

    // Sending it again changes nothing.
    let again = cancel(&app, &stage, &stage.admin, "another reason").await;
    again.assert_status(200);
    let again: PerformanceCancellation = again.json();
    assert_eq!(again.bookings_cancelled, 0);
    assert_eq!(
        again.performance.cancelled_at,
        done.performance.cancelled_at
    );
    assert_eq!(
        again.performance.cancel_reason.as_deref(),
        Some("The lead actor is ill")
    );
    assert_eq!(app.balance(&first).await, 100);
}

#[tokio::test]
async fn buyers_racing_a_cancellation_are_refunded_or_refused_never_charged() {
    // Arrange: 15 buyers, each booking one seat after another in their
    // own row (A to O, four seats each) while the admin cancels.
    const BUYERS: usize = 15;
    const EACH: u32 = 4;
    let app = spawn_app().await;
    let stage = stage(&app, BUYERS as u32, EACH, 10).await;
    let mut buyers = Vec::new();
    for _ in 0..BUYERS {
        buyers.push(app.buyer(50).await);
    }

    // Act
    let bookings = buyers.iter().enumerate().map(|(i, buyer)| {
        let (app, stage) = (&app, &stage);
        let row = (b'A' + i as u8) as char;
        async move {
            let mut answers = Vec::new();
            for n in 1..=EACH {
                answers.push(
                    app.book(buyer, stage, &[format!("{row}{n}").as_str()])
                        .await,
                );
            }
            answers
        }
    });
    // The admin cancels once some bookings are in, the rest to come.
    let cancelling = async {
        while of_performance(&app, "bookings", &stage).await.len() < BUYERS {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        cancel(&app, &stage, &stage.admin, "").await
    };
    let (answers, cancelled) = tokio::join!(futures::future::join_all(bookings), cancelling);
    let answers: Vec<tests::TestResponse> = answers.into_iter().flatten().collect();
    let total = answers.len();

    // Assert: each booking either went through (and was then refunded) or
    // was refused; none is left standing, no wallet is short.
    cancelled.assert_status(200);
    let done: PerformanceCancellation = cancelled.json();
    let sold = answers.iter().filter(|r| r.status == 201).count();
    for answer in answers.iter().filter(|r| r.status != 201) {
        assert!(
            answer.status == 503
                || [ErrorCode::PerformanceCancelled, ErrorCode::SeatTaken]
                    .contains(&answer.error_code()),
            "{} {}",
            answer.status,
            answer.body
        );
    }
    tests::report(&format!(
        "cancellation race: {sold} of {total} bookings went through and were refunded \
         ({} by the request, the rest by the sweep), {} refused",
        done.bookings_cancelled,
        total - sold
    ));
    assert!(sold >= BUYERS, "{sold}");
    // The request refunds what it finds; the sweep may take some.
    assert!(done.bookings_cancelled as usize <= sold, "{done:?}");
    assert_eq!(done.bookings_left, 0);
    let stored = of_performance(&app, "bookings", &stage).await;
    assert_eq!(stored.len(), sold);
    assert!(
        stored
            .iter()
            .all(|b| b.get_str("status") == Ok("cancelled"))
    );
    assert!(
        of_performance(&app, "booked_seats", &stage)
            .await
            .is_empty()
    );
    for buyer in &buyers {
        assert_eq!(app.balance(buyer).await, 50);
    }
    let seats = of_performance(&app, "seats", &stage).await;
    assert!(
        seats
            .iter()
            .all(|s| s.get_bool("closed") == Ok(true) && s.get_str("state") == Ok("available"))
    );
}

#[tokio::test]
async fn a_cancellation_cut_short_is_finished_in_the_background() {
    // Arrange: bookings, then a cancellation that stopped right after the
    // performance was closed (as if its instance had crashed).
    let app = spawn_app_changed(|s| s.events.sweep_interval_seconds = 1).await;
    let stage = stage(&app, 1, 4, 10).await;
    let buyer = app.buyer(100).await;
    app.book_ok(&buyer, &stage, &["A1", "A2"]).await;
    let store = app.store().await;
    let actor = api::store::outbox::Actor::system("test");
    store
        .close_performance(oid(&stage.performance.id.0), "", Utc::now(), &actor)
        .await
        .unwrap();
    app.book(&buyer, &stage, &["A3"])
        .await
        .assert_error(409, ErrorCode::PerformanceCancelled);

    // Act: nothing; the sweep runs every second.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while app.balance(&buyer).await != 100 {
        assert!(
            std::time::Instant::now() < deadline,
            "the booking was not refunded within 30 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }

    // Assert
    let bookings = of_performance(&app, "bookings", &stage).await;
    assert_eq!(bookings.len(), 1);
    assert_eq!(bookings[0].get_str("status"), Ok("cancelled"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let performance = app
            .documents("performances", doc! { "_id": oid(&stage.performance.id.0) })
            .await;
        if !performance[0].contains_key("refunds_pending") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "still pending");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_started_performance_cannot_be_cancelled() {
    // Arrange: a performance whose curtain went up a minute ago.
    let app = spawn_app().await;
    let stage = stage(&app, 1, 2, 10).await;
    let started = mongodb::bson::DateTime::from_chrono(Utc::now() - Duration::minutes(1));
    app.db
        .collection::<Document>("performances")
        .update_one(
            doc! { "_id": oid(&stage.performance.id.0) },
            doc! { "$set": { "starts_at": started } },
        )
        .await
        .unwrap();

    cancel(&app, &stage, &stage.admin, "")
        .await
        .assert_error(409, ErrorCode::PerformanceStarted);
    let missing = "/api/v1/performances/0123456789abcdef01234567/cancel";
    app.post(missing, Some(&stage.admin), &json!({}))
        .await
        .assert_status(404);
}
