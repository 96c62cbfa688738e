//! The points wallet and idempotent retries.

use reqwest::Method;
use serde_json::json;
use shared::{Booking, ErrorCode, Hold, LedgerEntry, LedgerKind, Page, Wallet};
use tests::events::stage;
use tests::{TestApp, spawn_app};

async fn post_with_key(
    app: &TestApp,
    path: &str,
    token: &str,
    key: &str,
    body: serde_json::Value,
) -> tests::TestResponse {
    let response = app
        .http
        .request(Method::POST, app.url(path))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.json().await.unwrap_or(serde_json::Value::Null);
    tests::TestResponse {
        status,
        headers,
        body,
    }
}

#[tokio::test]
async fn charges_must_be_positive_and_bounded() {
    let app = spawn_app().await;
    let (_, user) = app.new_user().await;

    // Below 1 the document refuses (400); above the configured maximum,
    // this deployment's setting does (422).
    for (amount, status) in [
        (json!(0), 400),
        (json!(-5), 400),
        (json!(1_000_001), 422),
        (json!("ten"), 400),
    ] {
        let response = app
            .post(
                "/api/v1/wallet/charge",
                Some(&user),
                &json!({ "amount": amount }),
            )
            .await;

        response.assert_error(status, ErrorCode::InvalidInput);
        assert_eq!(response.error_field().as_deref(), Some("amount"));
    }
    assert_eq!(app.balance(&user).await, 0);
    app.get("/api/v1/wallet", None)
        .await
        .assert_error(401, ErrorCode::Unauthenticated);
}

#[tokio::test]
async fn the_ledger_explains_the_balance() {
    let app = spawn_app().await;
    let stage = stage(&app, 1, 4, 150).await;
    let buyer = app.buyer(1_000).await;
    let booking = app.book_ok(&buyer, &stage, &["A1", "A2"]).await;
    app.post_empty(
        &format!("/api/v1/bookings/{}/cancel", booking.id),
        Some(&buyer),
    )
    .await
    .assert_status(200);
    app.book_ok(&buyer, &stage, &["A3"]).await;

    let ledger: Page<LedgerEntry> = app.get("/api/v1/wallet/ledger", Some(&buyer)).await.json();
    let wallet: Wallet = app.get("/api/v1/wallet", Some(&buyer)).await.json();

    let kinds: Vec<_> = ledger.items.iter().map(|e| (e.kind, e.amount)).collect();
    assert_eq!(
        kinds,
        [
            (LedgerKind::Payment, -150),
            (LedgerKind::Refund, 300),
            (LedgerKind::Payment, -300),
            (LedgerKind::Charge, 1_000),
        ]
    );
    assert_eq!(wallet.balance, 850);
    assert_eq!(
        ledger.items.iter().map(|e| e.amount).sum::<i64>(),
        wallet.balance
    );
    assert_eq!(ledger.items[0].balance_after, wallet.balance);
}

#[tokio::test]
async fn a_repeated_charge_with_the_same_key_charges_once() {
    let app = spawn_app().await;
    let (_, user) = app.new_user().await;

    let first = post_with_key(
        &app,
        "/api/v1/wallet/charge",
        &user,
        "charge-1",
        json!({ "amount": 500 }),
    )
    .await;
    let repeat = post_with_key(
        &app,
        "/api/v1/wallet/charge",
        &user,
        "charge-1",
        json!({ "amount": 500 }),
    )
    .await;
    let reused = post_with_key(
        &app,
        "/api/v1/wallet/charge",
        &user,
        "charge-1",
        json!({ "amount": 501 }),
    )
    .await;

    first.assert_status(200);
    assert_eq!(repeat.body, first.body);
    assert_eq!(repeat.headers["idempotent-replayed"], "true");
    reused.assert_error(422, ErrorCode::IdempotencyKeyReused);
    assert_eq!(app.balance(&user).await, 500);
}

#[tokio::test]
async fn an_idempotent_replay_returns_the_same_booking() {
    let app = spawn_app().await;
    let stage = stage(&app, 1, 4, 100).await;
    let buyer = app.buyer(1_000).await;
    let path = stage.perf_path("/bookings");

    let first = post_with_key(&app, &path, &buyer, "book-7", json!({ "seats": ["A1"] })).await;
    let replay = post_with_key(&app, &path, &buyer, "book-7", json!({ "seats": ["A1"] })).await;
    let other_body = post_with_key(&app, &path, &buyer, "book-7", json!({ "seats": ["A2"] })).await;

    first.assert_status(201);
    replay.assert_status(201);
    assert_eq!(replay.json::<Booking>(), first.json::<Booking>());
    other_body.assert_error(422, ErrorCode::IdempotencyKeyReused);
    let bookings: Page<Booking> = app.get("/api/v1/bookings", Some(&buyer)).await.json();
    assert_eq!(bookings.items.len(), 1);
    assert_eq!(app.balance(&buyer).await, 900);
}

#[tokio::test]
async fn concurrent_repeats_of_one_key_change_things_once() {
    let app = spawn_app().await;
    let stage = stage(&app, 1, 4, 100).await;
    let buyer = app.buyer(1_000).await;
    let path = stage.perf_path("/holds");

    let responses = futures::future::join_all((0..10).map(|_| {
        post_with_key(
            &app,
            &path,
            &buyer,
            "hold-once",
            json!({ "seats": ["A1", "A2"] }),
        )
    }))
    .await;

    let holds: Vec<Hold> = responses
        .iter()
        .map(|r| {
            r.assert_status(201);
            r.json()
        })
        .collect();
    assert!(
        holds.iter().all(|h| h == &holds[0]),
        "every repeat answers the first hold"
    );
    let stored = app
        .db
        .collection::<mongodb::bson::Document>("holds")
        .count_documents(mongodb::bson::doc! {})
        .await
        .unwrap();
    assert_eq!(stored, 1);
}

#[tokio::test]
async fn confirm_and_cancel_replay_too() {
    let app = spawn_app().await;
    let stage = stage(&app, 1, 4, 100).await;
    let buyer = app.buyer(1_000).await;
    let hold = app.hold_ok(&buyer, &stage, &["A1"]).await;
    let confirm = format!("/api/v1/holds/{}/confirm", hold.id);

    let first = post_with_key(&app, &confirm, &buyer, "c", json!(null)).await;
    let again = post_with_key(&app, &confirm, &buyer, "c", json!(null)).await;
    let booking: Booking = first.json();
    let cancel = format!("/api/v1/bookings/{}/cancel", booking.id);
    let cancelled = post_with_key(&app, &cancel, &buyer, "x", json!(null)).await;
    let cancelled_again = post_with_key(&app, &cancel, &buyer, "x", json!(null)).await;

    first.assert_status(201);
    assert_eq!(again.body, first.body);
    cancelled.assert_status(200);
    assert_eq!(cancelled_again.body, cancelled.body);
    assert_eq!(app.balance(&buyer).await, 1_000);
}
