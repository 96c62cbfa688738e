//! Webhooks: registered endpoints get every event, signed, at least once,
//! in order per target, with retries and dead letters.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use shared::{CreatedWebhook, DeliveryStatus, ErrorCode, Page, WebhookDelivery, WebhookEndpoint};
use tests::receiver::{Behaviour, Receiver, verify_with_python};
use tests::{TestApp, at, room_body, shared_server_uri, spawn_app, spawn_app_with, test_settings};

async fn register(app: &TestApp, admin: &str, url: &str, types: &[&str]) -> CreatedWebhook {
    let response = app
        .post(
            "/api/v1/webhooks",
            Some(admin),
            &json!({ "url": url, "description": "test receiver", "event_types": types }),
        )
        .await;
    response.assert_status(201);
    response.json()
}

async fn deliveries(
    app: &TestApp,
    admin: &str,
    endpoint: &str,
    query: &str,
) -> Vec<WebhookDelivery> {
    let response = app
        .get(
            &format!("/api/v1/webhooks/{endpoint}/deliveries{query}"),
            Some(admin),
        )
        .await;
    response.assert_status(200);
    response.json::<Page<WebhookDelivery>>().items
}

#[tokio::test]
async fn a_failing_receiver_gets_the_event_later_with_the_same_id_and_a_valid_signature() {
    // Arrange
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let receiver = Receiver::start(Behaviour {
        fail_first: 2,
        ..Behaviour::default()
    })
    .await;
    let hook = register(&app, &admin, &receiver.url, &["room.created"]).await;

    // Act
    let room = app.room(&admin).await;

    // Assert
    let requests = receiver
        .wait_for(Duration::from_secs(20), |r| {
            r.iter().any(|r| r.answered == 204)
        })
        .await;
    assert_eq!(
        requests.len(),
        3,
        "two failures, then the delivery: {requests:?}"
    );
    assert_eq!(
        requests.iter().map(|r| r.answered).collect::<Vec<_>>(),
        [500, 500, 204]
    );
    assert!(
        requests.iter().all(|r| r.id == requests[0].id),
        "one webhook-id throughout"
    );
    let body = requests[2].json();
    assert_eq!(body["type"], "room.created");
    assert_eq!(body["data"]["target_id"], room.id.0);
    assert_eq!(body["data"]["seq"], 1);
    assert_eq!(body["data"]["state"]["name"], room.name);
    for verdict in verify_with_python(&hook.secret, &requests) {
        assert_eq!(verdict, "ok");
    }
    let history = deliveries(&app, &admin, &hook.endpoint.id, "").await;
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].status, DeliveryStatus::Delivered);
    assert_eq!(history[0].attempts, 3);
    assert_eq!(history[0].last_status, Some(204));
    assert!(history[0].last_latency_ms.is_some());
    assert_eq!(
        history[0]
            .history
            .iter()
            .map(|a| a.status)
            .collect::<Vec<_>>(),
        [Some(500), Some(500), Some(204)]
    );
    assert_eq!(history[0].event_id, requests[0].id);
    let metrics = app.metrics_text().await;
    for line in [
        "reservations_webhook_deliveries_total{result=\"retried\"} 2",
        "reservations_webhook_deliveries_total{result=\"delivered\"} 1",
    ] {
        assert!(metrics.contains(line), "{line} missing from:\n{metrics}");
    }
}

#[tokio::test]
async fn a_tampered_body_or_another_secret_fails_verification() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let receiver = Receiver::start(Behaviour::default()).await;
    let hook = register(&app, &admin, &receiver.url, &[]).await;
    let other = register(&app, &admin, &receiver.url, &["venue.created"]).await;

    app.room(&admin).await;
    let requests = receiver
        .wait_for(Duration::from_secs(20), |r| !r.is_empty())
        .await;

    let mut tampered = requests[0].clone();
    tampered.body = tampered.body.replace("room.created", "room.deleted");
    let verdicts = verify_with_python(&hook.secret, &[requests[0].clone(), tampered]);
    assert_eq!(verdicts[0], "ok");
    assert!(verdicts[1].starts_with("refused"), "{verdicts:?}");
    let verdicts = verify_with_python(&other.secret, &requests[..1]);
    assert!(verdicts[0].starts_with("refused"), "{verdicts:?}");
}

#[tokio::test]
async fn one_targets_changes_arrive_in_order_even_when_attempts_fail() {
    // Arrange: a room needing approval, so a reservation changes three times.
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let receiver = Receiver::start(Behaviour {
        fail_first: 1,
        delay: Duration::from_millis(30),
        ..Behaviour::default()
    })
    .await;
    register(&app, &admin, &receiver.url, &[]).await;
    let mut body = room_body("Approval room");
    body.requires_approval = true;
    let room = app.create_room(&admin, &body).await;
    let (_, user) = app.new_user().await;

    // Act
    let reservation = app
        .reserve_ok(&user, &room.id, at(3, 10.0), at(3, 11.0))
        .await;
    let path = format!("/api/v1/reservations/{}", reservation.id);
    app.post_empty(&format!("{path}/approve"), Some(&admin))
        .await
        .assert_status(200);
    app.post_empty(&format!("{path}/cancel"), Some(&user))
        .await
        .assert_status(200);

    // Assert
    let of_it = |requests: &[tests::receiver::Received]| -> Vec<(i64, String)> {
        requests
            .iter()
            .filter(|r| r.answered == 204)
            .map(|r| r.json())
            .filter(|b| b["data"]["target_id"] == reservation.id.0)
            .map(|b| {
                (
                    b["data"]["seq"].as_i64().unwrap_or(0),
                    b["type"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect()
    };
    let requests = receiver
        .wait_for(Duration::from_secs(30), |r| of_it(r).len() == 3)
        .await;
    assert_eq!(
        of_it(&requests),
        [
            (1, "reservation.created".to_owned()),
            (2, "reservation.approved".to_owned()),
            (3, "reservation.cancelled".to_owned()),
        ]
    );
}

#[tokio::test]
async fn a_delivery_failing_past_its_retry_period_is_a_dead_letter_an_admin_can_redeliver() {
    // Arrange
    let mut settings = test_settings(&shared_server_uri().await);
    settings.webhooks.retry_for_seconds = 1;
    let app = spawn_app_with(settings).await;
    let admin = app.admin_token().await;
    let receiver = Receiver::start(Behaviour {
        always_fail: true,
        ..Behaviour::default()
    })
    .await;
    let hook = register(&app, &admin, &receiver.url, &["room.created"]).await;
    let endpoint = hook.endpoint.id.clone();
    app.room(&admin).await;

    // Act: it retries, then gives up.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let dead = loop {
        let dead = deliveries(&app, &admin, &endpoint, "?status=dead").await;
        if !dead.is_empty() || tokio::time::Instant::now() > deadline {
            break dead;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };

    // Assert
    assert_eq!(dead.len(), 1, "parked as a dead letter");
    assert!(dead[0].attempts >= 2, "retried first: {:?}", dead[0]);
    assert_eq!(dead[0].last_status, Some(503));
    let listed: WebhookEndpoint = app
        .get(&format!("/api/v1/webhooks/{endpoint}"), Some(&admin))
        .await
        .json();
    assert_eq!(listed.counts.dead, 1);
    let failed_id = receiver.requests()[0].id.clone();

    // Act: the receiver is fixed, and an admin redelivers.
    receiver.set_behaviour(Behaviour::default());
    let again = app
        .post_empty(
            &format!(
                "/api/v1/webhooks/{endpoint}/deliveries/{}/redeliver",
                dead[0].id
            ),
            Some(&admin),
        )
        .await;
    again.assert_status(200);
    assert_eq!(
        again.json::<WebhookDelivery>().status,
        DeliveryStatus::Pending
    );

    // Assert
    let requests = receiver
        .wait_for(Duration::from_secs(20), |r| {
            r.iter().any(|r| r.answered == 204)
        })
        .await;
    let delivered: Vec<_> = requests.iter().filter(|r| r.answered == 204).collect();
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].id, failed_id, "the same webhook-id");
    app.post_empty(
        &format!(
            "/api/v1/webhooks/{endpoint}/deliveries/{}/redeliver",
            dead[0].id
        ),
        Some(&admin),
    )
    .await
    .assert_status(200);
}

#[tokio::test]
async fn endpoints_are_admin_only_validated_and_their_secret_is_shown_once() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, user) = app.new_user().await;

    app.post(
        "/api/v1/webhooks",
        Some(&user),
        &json!({ "url": "http://example.com/" }),
    )
    .await
    .assert_error(403, ErrorCode::Forbidden);
    app.get("/api/v1/webhooks", None)
        .await
        .assert_error(401, ErrorCode::Unauthenticated);
    let bad = app
        .post(
            "/api/v1/webhooks",
            Some(&admin),
            &json!({ "url": "ftp://example.com/" }),
        )
        .await;
    bad.assert_error(400, ErrorCode::InvalidInput);
    assert_eq!(bad.error_field().as_deref(), Some("url"));
    app.post(
        "/api/v1/webhooks",
        Some(&admin),
        &json!({ "url": "http://example.com/", "event_types": ["booking.exploded"] }),
    )
    .await
    .assert_status(400);

    let created = register(&app, &admin, "http://127.0.0.1:9/", &["booking.confirmed"]).await;
    assert!(created.secret.starts_with("whsec_"));
    let shown = app
        .get(
            &format!("/api/v1/webhooks/{}", created.endpoint.id),
            Some(&admin),
        )
        .await;
    shown.assert_status(200);
    assert!(!shown.body.to_string().contains(&created.secret));
    let changed = app
        .request(
            Method::PATCH,
            &format!("/api/v1/webhooks/{}", created.endpoint.id),
            Some(&admin),
            Some(&json!({ "enabled": false })),
        )
        .await;
    changed.assert_status(200);
    assert!(!changed.json::<WebhookEndpoint>().enabled);
    app.request::<()>(
        Method::DELETE,
        &format!("/api/v1/webhooks/{}", created.endpoint.id),
        Some(&admin),
        None,
    )
    .await
    .assert_status(204);
    app.get(
        &format!("/api/v1/webhooks/{}", created.endpoint.id),
        Some(&admin),
    )
    .await
    .assert_error(404, ErrorCode::NotFound);
}
