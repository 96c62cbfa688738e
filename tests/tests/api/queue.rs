//! The waiting room on one instance: joining, polling, admission in
//! order, skipping the silent, the pre-queue draw and every refused token.

use std::collections::HashSet;
use std::time::Duration;

use chrono::Utc;
use mongodb::bson::doc;
use reqwest::Method;
use shared::{ErrorCode, QueueSettings, QueueStatus};
use tests::events::{StageSpec, stage, stage_with};
use tests::queue::settings;
use tests::spawn_app;

const TURN: Duration = Duration::from_secs(20);

#[tokio::test]
async fn joining_twice_keeps_the_place_and_the_line_admits_in_order() {
    // Arrange: one buyer shopping at a time.
    let app = spawn_app().await;
    let stage = stage(&app, 1, 10, 100).await;
    app.set_queue(&stage, &settings(None, Some(1))).await;
    let (first, second) = (app.buyer(1_000).await, app.buyer(1_000).await);

    // Act
    let a = app.join(&first, &stage).await;
    let again = app.join(&first, &stage).await;
    let b = app.join_ok(&second, &stage).await;

    // Assert: the second join is the same place; places follow arrival.
    a.assert_status(201);
    again.assert_status(200);
    let (a, again): (shared::QueueTicket, shared::QueueTicket) = (a.json(), again.json());
    assert_eq!(a.position, Some(1));
    assert_eq!(again.position, Some(1));
    assert_eq!(b.position, Some(2));
    assert_eq!(b.status, QueueStatus::Waiting);
    let a = app.wait_turn(a, 200, TURN).await;
    assert_eq!(a.status, QueueStatus::Admitted);
    let admission = a.admission.expect("an admitted buyer gets a token");
    // The second buyer waits while the first shops.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let b = app.poll(&b.ticket).await;
    assert_eq!(b.status, QueueStatus::Waiting);
    assert_eq!(b.ahead, Some(0));
    // Booking ends the first turn and lets the next buyer in.
    app.book_admitted(&first, &stage, &["A1"], Some(&admission.token))
        .await
        .assert_status(201);
    let b = app.wait_turn(b, 200, TURN).await;
    assert_eq!(b.status, QueueStatus::Admitted);
    let tickets = app.documents("queue_tickets", doc! {}).await;
    let statuses: HashSet<&str> = tickets
        .iter()
        .map(|t| t.get_str("status").unwrap())
        .collect();
    assert_eq!(statuses, HashSet::from(["done", "admitted"]));
}

#[tokio::test]
async fn every_request_without_a_valid_admission_is_refused_with_its_own_code() {
    let app = spawn_app().await;
    let stage = stage(&app, 1, 10, 100).await;
    let other = stage_with(
        &app,
        &StageSpec::new(1, 4, 100, Utc::now() + chrono::Duration::days(9)),
    )
    .await;
    app.set_queue(&stage, &settings(None, Some(10))).await;
    app.set_queue(&other, &settings(None, Some(10))).await;
    let (buyer, stranger) = (app.buyer(1_000).await, app.buyer(1_000).await);
    let mine = app.join_ok(&buyer, &stage).await;
    let theirs = app.join_ok(&stranger, &stage).await;
    let elsewhere = app.join_ok(&buyer, &other).await;
    let mine = app
        .wait_turn(mine, 200, TURN)
        .await
        .admission
        .unwrap()
        .token;
    let theirs = app
        .wait_turn(theirs, 200, TURN)
        .await
        .admission
        .unwrap()
        .token;
    let elsewhere = app
        .wait_turn(elsewhere, 200, TURN)
        .await
        .admission
        .unwrap()
        .token;

    // Missing, malformed, forged, another performance's, another buyer's.
    let cases = [
        (None, ErrorCode::AdmissionRequired),
        (Some("not-a-token"), ErrorCode::AdmissionInvalid),
        (Some(&mine[..mine.len() - 2]), ErrorCode::AdmissionInvalid),
        (Some(elsewhere.as_str()), ErrorCode::AdmissionInvalid),
        (Some(theirs.as_str()), ErrorCode::AdmissionInvalid),
    ];
    for (token, code) in cases {
        app.hold_admitted(&buyer, &stage, &["A1"], token)
            .await
            .assert_error(403, code);
        app.book_admitted(&buyer, &stage, &["A1"], token)
            .await
            .assert_error(403, code);
    }
    // Revoked by an admin.
    let stranger_id = app
        .get("/api/v1/me", Some(&stranger))
        .await
        .json::<shared::User>()
        .id;
    let revoke = format!("/queue/admissions/{stranger_id}");
    app.request::<()>(
        Method::DELETE,
        &stage.perf_path(&revoke),
        Some(&stage.admin),
        None,
    )
    .await
    .assert_status(204);
    app.book_admitted(&stranger, &stage, &["A2"], Some(&theirs))
        .await
        .assert_error(403, ErrorCode::AdmissionRevoked);
    // Used: a booking ends the turn, and the token with it.
    app.book_admitted(&buyer, &stage, &["A3"], Some(&mine))
        .await
        .assert_status(201);
    app.book_admitted(&buyer, &stage, &["A4"], Some(&mine))
        .await
        .assert_error(403, ErrorCode::AdmissionExpired);
    // Nothing refused was stored.
    let booked = app.documents("bookings", doc! {}).await;
    assert_eq!(booked.len(), 1);
}

#[tokio::test]
async fn an_admission_expires_with_its_shopping_time() {
    let app = spawn_app().await;
    let stage = stage(&app, 1, 4, 100).await;
    let quick = QueueSettings {
        shop_seconds: 10,
        ..settings(None, Some(5))
    };
    app.set_queue(&stage, &quick).await;
    let buyer = app.buyer(1_000).await;
    let ticket = app.join_ok(&buyer, &stage).await;
    let admitted = app.wait_turn(ticket, 200, TURN).await;
    let admission = admitted.admission.unwrap();

    let wait = admission.expires_at - Utc::now() + chrono::Duration::milliseconds(300);
    tokio::time::sleep(wait.to_std().unwrap_or_default()).await;

    app.hold_admitted(&buyer, &stage, &["A1"], Some(&admission.token))
        .await
        .assert_error(403, ErrorCode::AdmissionExpired);
    let polled = app.poll(&admitted.ticket).await;
    assert_eq!(polled.status, QueueStatus::Expired);
}

#[tokio::test]
async fn silent_buyers_are_skipped_and_the_line_does_not_stall() {
    // Arrange: one buyer shops; behind them one goes silent, one keeps polling.
    let app = spawn_app().await;
    let stage = stage(&app, 1, 4, 100).await;
    let grace = QueueSettings {
        grace_seconds: 5,
        ..settings(None, Some(1))
    };
    app.set_queue(&stage, &grace).await;
    let (shopper, silent, patient) = (
        app.buyer(1_000).await,
        app.buyer(1_000).await,
        app.buyer(1_000).await,
    );
    let shopping = app.join_ok(&shopper, &stage).await;
    let shopping = app.wait_turn(shopping, 200, TURN).await;
    let gone = app.join_ok(&silent, &stage).await;
    let mut waiting = app.join_ok(&patient, &stage).await;

    // Act: the patient buyer polls through the silent one's grace period,
    // then the shopper books.
    let quiet_until = std::time::Instant::now() + Duration::from_secs(7);
    while std::time::Instant::now() < quiet_until {
        tokio::time::sleep(Duration::from_millis(500)).await;
        waiting = app.poll(&waiting.ticket).await;
        assert_eq!(waiting.status, QueueStatus::Waiting);
        assert_eq!(
            waiting.ahead,
            Some(1),
            "the silent buyer still counts until reached"
        );
    }
    let token = shopping.admission.unwrap().token;
    app.book_admitted(&shopper, &stage, &["A1"], Some(&token))
        .await
        .assert_status(201);

    // Assert: the patient buyer is next; the silent one lost the place.
    let waiting = app.wait_turn(waiting, 200, TURN).await;
    assert_eq!(waiting.status, QueueStatus::Admitted);
    assert_eq!(app.poll(&gone.ticket).await.status, QueueStatus::Expired);
    // Joining again puts them at the back.
    let back = app.join(&silent, &stage).await;
    back.assert_status(201);
    assert_eq!(back.json::<shared::QueueTicket>().position, Some(4));
}

#[tokio::test]
async fn early_arrivals_are_drawn_at_random_at_the_opening_and_later_ones_follow() {
    // Arrange: the sale opens in six seconds, with a pre-queue. The
    // buyers register first, so a loaded machine cannot push their joins
    // past the opening.
    let app = spawn_app().await;
    let mut buyers = Vec::new();
    for _ in 0..13 {
        buyers.push(app.buyer(0).await);
    }
    let late_buyer = buyers.pop().unwrap();
    let opens = Utc::now() + chrono::Duration::seconds(6);
    let stage = stage_with(
        &app,
        &StageSpec {
            sale_opens_at: Some(opens),
            ..StageSpec::new(1, 4, 100, Utc::now() + chrono::Duration::days(3))
        },
    )
    .await;
    let pre = QueueSettings {
        pre_queue: true,
        ..settings(Some(60), None)
    };
    assert!(!app.set_queue(&stage, &pre).await.drawn);
    let mut early = Vec::new();
    for buyer in &buyers {
        early.push(app.join_ok(buyer, &stage).await);
    }
    assert!(
        early
            .iter()
            .all(|t| t.position.is_none() && t.sale_opens_at.is_some())
    );

    // Act: past the opening.
    let wait = opens - Utc::now() + chrono::Duration::milliseconds(1500);
    tokio::time::sleep(wait.to_std().unwrap_or_default()).await;
    let late = app.join_ok(&late_buyer, &stage).await;
    let mut places = Vec::new();
    for ticket in &early {
        let polled = app.poll(&ticket.ticket).await;
        places.push(polled.position.expect("drawn at the opening"));
    }

    // Assert: the early ones hold places 1..=12 in some order, not the
    // order they came in; the late one is 13th.
    let mut sorted = places.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (1..=12).collect::<Vec<u64>>());
    assert_ne!(places, sorted, "arrival order survived the draw");
    assert_eq!(late.position, Some(13));
    assert!(app.queue_overview(&stage).await.drawn);
}

#[tokio::test]
async fn without_a_waiting_room_seats_sell_as_before_and_joining_says_so() {
    let app = spawn_app().await;
    let stage = stage(&app, 1, 4, 100).await;
    let buyer = app.buyer(1_000).await;

    app.join(&buyer, &stage)
        .await
        .assert_error(409, ErrorCode::QueueClosed);
    app.book_ok(&buyer, &stage, &["A1"]).await;
    // Turned on, then off again.
    app.set_queue(&stage, &settings(Some(60), None)).await;
    app.book(&buyer, &stage, &["A2"])
        .await
        .assert_error(403, ErrorCode::AdmissionRequired);
    let off = QueueSettings {
        enabled: false,
        ..settings(Some(60), None)
    };
    app.set_queue(&stage, &off).await;
    app.book_ok(&buyer, &stage, &["A2"]).await;
}

#[tokio::test]
async fn queue_settings_are_checked_and_admin_only() {
    let app = spawn_app().await;
    let stage = stage(&app, 1, 4, 100).await;
    let buyer = app.buyer(0).await;
    let put = |token: String, body: serde_json::Value| {
        let app = &app;
        let path = stage.perf_path("/queue");
        async move {
            app.request(Method::PUT, &path, Some(&token), Some(&body))
                .await
        }
    };
    let good = serde_json::to_value(settings(Some(60), None)).unwrap();

    put(buyer.clone(), good.clone())
        .await
        .assert_error(403, ErrorCode::Forbidden);
    let mut no_pace = good.clone();
    no_pace["admit_per_minute"] = serde_json::Value::Null;
    let r = put(stage.admin.clone(), no_pace).await;
    r.assert_error(422, ErrorCode::InvalidInput);
    assert_eq!(r.error_field().as_deref(), Some("admit_per_minute"));
    let mut short = good.clone();
    short["grace_seconds"] = 1.into();
    let r = put(stage.admin.clone(), short).await;
    assert_eq!(r.error_field().as_deref(), Some("grace_seconds"));
    app.get("/api/v1/queue/not-a-ticket", None)
        .await
        .assert_error(404, ErrorCode::NotFound);
    assert!(app.queue_overview(&stage).await.settings.is_none());
}
