//! No one reads or changes what is not theirs: every route that takes an
//! id, walked from the OpenAPI document with the ids of one user's
//! things, as a second user and as an anonymous client. Each answer is
//! `401`, `403` or `404` and carries none of the owner's data; the
//! owner's things are read back unchanged afterwards.

use std::collections::BTreeMap;

use mongodb::bson::doc;
use reqwest::Method;
use serde_json::{Value, json};
use shared::{CreatedApiKey, LoginResponse, Session};
use tests::events::stage;
use tests::{PASSWORD, at, room_body, spawn_app};

const COMMITTED: &str = include_str!("../../../openapi/openapi.json");

/// Read by anyone on purpose: the catalogue, and seat maps.
fn is_public_read(method: &str, path: &str) -> bool {
    method == "get"
        && [
            "/api/v1/rooms",
            "/api/v1/venues",
            "/api/v1/shows",
            "/api/v1/performances/{id}",
        ]
        .iter()
        .any(|prefix| path.starts_with(prefix))
        && !path.ends_with("/queue")
}

/// Done by the caller for themselves on a public thing (holding seats of
/// a performance, joining its line): any user may; no one anonymously.
fn acts_for_the_caller(method: &str, path: &str) -> bool {
    method == "post"
        && [
            "/api/v1/performances/{id}/holds",
            "/api/v1/performances/{id}/bookings",
            "/api/v1/performances/{id}/queue",
        ]
        .contains(&path)
}

#[tokio::test]
async fn another_user_and_an_anonymous_client_get_nothing_of_someone_elses() {
    // Arrange: the owner has one of everything that has an id.
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let room = app.create_room(&admin, &room_body("A101")).await;
    let stage = stage(&app, 2, 5, 100).await;
    app.register("owner@example.com", "Owner Secretname", PASSWORD)
        .await
        .assert_status(201);
    let owner_login: LoginResponse = app.login("owner@example.com", PASSWORD).await.json();
    let owner = owner_login.token.clone();
    app.charge(&owner, 1000).await.assert_status(200);
    let purpose = "Owner's confidential planning";
    let reservation = app
        .post(
            "/api/v1/reservations",
            Some(&owner),
            &json!({ "room_id": room.id, "start": at(1, 10.0), "end": at(1, 11.0), "purpose": purpose }),
        )
        .await;
    reservation.assert_status(201);
    let reservation_id = reservation.body["id"].as_str().unwrap().to_owned();
    let booking = app.book_ok(&owner, &stage, &["A1"]).await;
    let hold = app.hold_ok(&owner, &stage, &["B1"]).await;
    let key: CreatedApiKey = app
        .post(
            "/api/v1/me/api-keys",
            Some(&owner),
            &json!({ "name": "Owner's key", "scopes": ["read"] }),
        )
        .await
        .json();
    let sessions: Vec<Session> = app.get("/api/v1/me/sessions", Some(&owner)).await.json();
    let webhook = app
        .post(
            "/api/v1/webhooks",
            Some(&admin),
            &json!({ "url": "http://127.0.0.1:9/hook" }),
        )
        .await;
    webhook.assert_status(201);
    let webhook_id = webhook.body["endpoint"]["id"].as_str().unwrap().to_owned();
    app.set_queue(&stage, &tests::queue::settings(Some(60), None))
        .await;
    let ticket = app.join_ok(&owner, &stage).await;
    let ids: BTreeMap<&str, String> = [
        ("/api/v1/reservations/{id}", reservation_id.clone()),
        ("/api/v1/bookings/{id}", booking.id.to_string()),
        // The archive is for admins: its ids never reach another user.
        ("/api/v1/archive/reservations/{id}", reservation_id.clone()),
        ("/api/v1/archive/bookings/{id}", booking.id.to_string()),
        ("/api/v1/holds/{id}", hold.id.to_string()),
        ("/api/v1/me/sessions/{id}", sessions[0].id.clone()),
        ("/api/v1/me/api-keys/{id}", key.key.id.clone()),
        ("/api/v1/webhooks/{id}", webhook_id.clone()),
        ("/api/v1/users/{id}", owner_login.user.id.0.clone()),
        ("/api/v1/rooms/{id}", room.id.0.clone()),
        ("/api/v1/venues/{id}", stage.venue.id.to_string()),
        ("/api/v1/shows/{id}", stage.show.id.to_string()),
        (
            "/api/v1/performances/{id}",
            stage.performance.id.to_string(),
        ),
    ]
    .into_iter()
    .collect();
    let fill = |path: &str| -> String {
        let mut concrete = path.to_owned();
        for (prefix, id) in &ids {
            let stem = prefix.trim_end_matches("{id}");
            if concrete.starts_with(stem) && concrete[stem.len()..].starts_with("{id}") {
                concrete = format!("{stem}{id}{}", &concrete[stem.len() + 4..]);
            }
        }
        concrete
            .replace("{user_id}", &owner_login.user.id.0)
            .replace("{delivery}", "6650f0f0f0f0f0f0f0f0f0f0")
            .replace("{ticket}", &format!("{}x", ticket.ticket))
    };
    let (_, stranger) = app.new_user().await;
    let secrets = [
        purpose,
        "Owner Secretname",
        "owner@example.com",
        "Owner's key",
    ];

    // Act: every operation with an id in its path, as both callers.
    let doc: Value = serde_json::from_str(COMMITTED).unwrap();
    let mut walked = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.contains('{') {
            continue;
        }
        for (method, _) in item.as_object().unwrap() {
            // Signing in through a provider ({provider} is a name from the
            // configuration, not someone's thing) is for anonymous callers.
            if is_public_read(method, path) || path.starts_with("/api/v1/auth/") {
                continue;
            }
            let concrete = fill(path);
            assert!(!concrete.contains('{'), "no id for {path}");
            let verb = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let body = (method != "get" && method != "delete").then(|| json!({}));
            for (who, token) in [
                ("anonymous", None),
                ("another user", Some(stranger.as_str())),
            ] {
                if token.is_some() && acts_for_the_caller(method, path) {
                    continue;
                }
                let response = app
                    .request(verb.clone(), &concrete, token, body.as_ref())
                    .await;

                // Assert: refused, and nothing of the owner's in the answer.
                let status = response.status.as_u16();
                let expected: &[u16] = match (token, path.as_str()) {
                    // A queue ticket is its own credential: a forged one is unknown.
                    (_, "/api/v1/queue/{ticket}") => &[404],
                    (None, _) => &[401],
                    // actix runs a handler's extractors side by side: the
                    // empty body may be refused (400) before the caller's
                    // rights are (403); either way nothing is read or changed.
                    (Some(_), _) if body.is_some() => &[400, 403, 404],
                    (Some(_), _) => &[403, 404],
                };
                assert!(
                    expected.contains(&status),
                    "{who}: {method} {concrete} answered {status}: {}",
                    response.body
                );
                let text = response.body.to_string();
                for secret in secrets {
                    assert!(
                        !text.contains(secret),
                        "{who}: {method} {concrete} leaked {secret}: {text}"
                    );
                }
                walked.push(format!("{method} {path}"));
            }
        }
    }

    // Everything else but the public pages and logging in needs a caller
    // (the wallet, the ledger, the caller's lists).
    for (path, item) in doc["paths"].as_object().unwrap() {
        let open = ["/api/v1/health", "/api/v1/limits", "/api/v1/auth/"];
        if path.contains('{') || open.iter().any(|p| path.starts_with(p)) {
            continue;
        }
        for (method, _) in item.as_object().unwrap() {
            if is_public_read(method, path) {
                continue;
            }
            let verb = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let body = (method != "get" && method != "delete").then(|| json!({}));
            let response = app.request(verb, path, None, body.as_ref()).await;
            assert_eq!(
                response.status, 401,
                "anonymous {method} {path}: {}",
                response.body
            );
            walked.push(format!("{method} {path}"));
        }
    }

    // The owner's things are as they were.
    assert!(walked.len() >= 60, "{walked:?}");
    let stored = app.documents("reservations", doc! {}).await;
    assert_eq!(
        stored[0].get_str("status").ok(),
        Some("approved"),
        "{stored:?}"
    );
    let booking_now = app
        .get(&format!("/api/v1/bookings/{}", booking.id), Some(&owner))
        .await;
    assert_eq!(
        booking_now.body["status"], "confirmed",
        "{}",
        booking_now.body
    );
    let holds = app.documents("holds", doc! {}).await;
    assert_eq!(holds.len(), 1, "{holds:?}");
    app.get("/api/v1/me", Some(&owner)).await.assert_status(200);
    app.get("/api/v1/me", Some(&key.secret))
        .await
        .assert_status(200);
    app.get(&format!("/api/v1/webhooks/{webhook_id}"), Some(&admin))
        .await
        .assert_status(200);
    assert_eq!(app.balance(&owner).await, 1000 - 100);
    let roles = app
        .documents("users", doc! { "email_key": "owner@example.com" })
        .await;
    assert_eq!(roles[0].get_str("role").ok(), Some("user"));
    assert_eq!(roles[0].get_bool("disabled").ok(), Some(false));
}
