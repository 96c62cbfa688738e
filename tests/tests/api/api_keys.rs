//! API keys: shown once, stored hashed, scoped, expiring and revocable;
//! they cannot manage keys, sessions or the password.

use mongodb::bson::doc;
use reqwest::Method;
use serde_json::json;
use shared::{ApiKey, CreatedApiKey, ErrorCode, Page, Reservation, Session, User};
use tests::{TestApp, TestResponse, at, room_body, spawn_app};

async fn create_key(app: &TestApp, token: &str, body: serde_json::Value) -> TestResponse {
    app.post("/api/v1/me/api-keys", Some(token), &body).await
}

async fn key(app: &TestApp, token: &str, scopes: &[&str]) -> CreatedApiKey {
    let created = create_key(
        app,
        token,
        json!({ "name": "Room display", "scopes": scopes }),
    )
    .await;
    created.assert_status(201);
    created.json()
}

fn reservation(room: &str, hour: f64) -> serde_json::Value {
    json!({ "room_id": room, "start": at(1, hour), "end": at(1, hour + 0.5), "purpose": "Sync" })
}

#[tokio::test]
async fn a_key_is_shown_once_stored_hashed_and_works_within_its_scopes() {
    // Arrange
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let room = app.create_room(&admin, &room_body("A101")).await;
    let (user, token) = app.new_user().await;

    // Act
    let read = key(&app, &token, &["read"]).await;
    let book = key(&app, &token, &["read", "book"]).await;

    // Assert: the secret only in the creation answer, never stored.
    assert!(
        read.secret.starts_with("rk_") && read.secret.len() > 40,
        "{}",
        read.secret
    );
    assert!(read.secret.starts_with(&read.key.prefix));
    let stored = app.documents("api_keys", doc! {}).await;
    assert_eq!(stored.len(), 2);
    for document in &stored {
        let text = document.to_string();
        assert!(
            !text.contains(&read.secret) && !text.contains(&book.secret),
            "{text}"
        );
    }
    let listed: Vec<ApiKey> = app.get("/api/v1/me/api-keys", Some(&token)).await.json();
    assert_eq!(listed.len(), 2);
    assert!(
        serde_json::to_string(&listed)
            .unwrap()
            .contains(&read.key.prefix)
    );
    assert!(
        !serde_json::to_string(&listed)
            .unwrap()
            .contains(&read.secret)
    );

    // A read key reads as its owner, and changes nothing.
    let me: User = app.get("/api/v1/me", Some(&read.secret)).await.json();
    assert_eq!(me.id, user.id);
    app.post(
        "/api/v1/reservations",
        Some(&read.secret),
        &reservation(&room.id.0, 10.0),
    )
    .await
    .assert_error(403, ErrorCode::Forbidden);
    // A book key books.
    app.post(
        "/api/v1/reservations",
        Some(&book.secret),
        &reservation(&room.id.0, 10.0),
    )
    .await
    .assert_status(201);
    let mine: Page<Reservation> = app
        .get("/api/v1/reservations", Some(&read.secret))
        .await
        .json();
    assert_eq!(mine.items.len(), 1);
    // Use is noted.
    let used: Vec<ApiKey> = app.get("/api/v1/me/api-keys", Some(&token)).await.json();
    assert!(used.iter().all(|k| k.last_used_at.is_some()), "{used:?}");

    // Keys cannot manage keys, sessions or the password.
    for (method, path) in [
        (Method::GET, "/api/v1/me/api-keys"),
        (Method::GET, "/api/v1/me/sessions"),
        (Method::DELETE, "/api/v1/me/sessions"),
    ] {
        app.request::<()>(method, path, Some(&book.secret), None)
            .await
            .assert_error(403, ErrorCode::Forbidden);
    }
    create_key(
        &app,
        &book.secret,
        json!({ "name": "more", "scopes": ["book"] }),
    )
    .await
    .assert_error(403, ErrorCode::Forbidden);

    // Revoked: it stops at once; the other key goes on.
    let path = format!("/api/v1/me/api-keys/{}", read.key.id);
    app.request::<()>(Method::DELETE, &path, Some(&token), None)
        .await
        .assert_status(204);
    app.get("/api/v1/me", Some(&read.secret))
        .await
        .assert_error(401, ErrorCode::Unauthenticated);
    app.get("/api/v1/me", Some(&book.secret))
        .await
        .assert_status(200);
    app.request::<()>(Method::DELETE, &path, Some(&token), None)
        .await
        .assert_error(404, ErrorCode::NotFound);
    let sessions: Vec<Session> = app.get("/api/v1/me/sessions", Some(&token)).await.json();
    assert_eq!(sessions.len(), 1, "keys are not sessions: {sessions:?}");
}

#[tokio::test]
async fn the_admin_scope_is_for_admins_and_needed_for_admin_routes() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, token) = app.new_user().await;

    create_key(&app, &token, json!({ "name": "x", "scopes": ["admin"] }))
        .await
        .assert_error(403, ErrorCode::Forbidden);
    let booking_only = key(&app, &admin, &["read", "book"]).await;
    let full = key(&app, &admin, &["admin"]).await;

    app.get("/api/v1/users", Some(&booking_only.secret))
        .await
        .assert_error(403, ErrorCode::Forbidden);
    app.get("/api/v1/users", Some(&full.secret))
        .await
        .assert_status(200);
    app.post("/api/v1/rooms", Some(&full.secret), &room_body("B202"))
        .await
        .assert_status(201);
}

#[tokio::test]
async fn bad_keys_are_refused_by_field_and_expired_or_disabled_keys_stop() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (user, token) = app.new_user().await;

    // 400 for what the document refuses, 422 for the clock's rules.
    for (body, field, status) in [
        (json!({ "name": "", "scopes": ["read"] }), "name", 400),
        (json!({ "name": " \t", "scopes": ["read"] }), "name", 400),
        (
            json!({ "name": "a\u{7}b", "scopes": ["read"] }),
            "name",
            400,
        ),
        (
            json!({ "name": "x".repeat(101), "scopes": ["read"] }),
            "name",
            400,
        ),
        (json!({ "name": "x", "scopes": [] }), "scopes", 400),
        (
            json!({ "name": "x", "scopes": ["read"], "expires_at": "2020-01-01T00:00:00Z" }),
            "expires_at",
            422,
        ),
        (
            json!({ "name": "x", "scopes": ["read"], "expires_at": "2099-01-01T00:00:00Z" }),
            "expires_at",
            422,
        ),
    ] {
        let refused = create_key(&app, &token, body).await;
        refused.assert_error(status, ErrorCode::InvalidInput);
        assert_eq!(refused.error_field().as_deref(), Some(field));
    }
    let unknown = create_key(&app, &token, json!({ "name": "x", "scopes": ["write"] })).await;
    unknown.assert_error(400, ErrorCode::InvalidInput);
    assert_eq!(unknown.error_field().as_deref(), Some("scopes[0]"));

    // Expiring in a second: works, then does not.
    let soon = chrono::Utc::now() + chrono::Duration::seconds(2);
    let expiring: CreatedApiKey = create_key(
        &app,
        &token,
        json!({ "name": "short", "scopes": ["read"], "expires_at": soon }),
    )
    .await
    .json();
    app.get("/api/v1/me", Some(&expiring.secret))
        .await
        .assert_status(200);
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    app.get("/api/v1/me", Some(&expiring.secret))
        .await
        .assert_error(401, ErrorCode::Unauthenticated);

    // A disabled account's keys stop too.
    let lasting = key(&app, &token, &["read"]).await;
    app.set_disabled(&admin, &user.id, true)
        .await
        .assert_status(200);
    app.get("/api/v1/me", Some(&lasting.secret))
        .await
        .assert_error(401, ErrorCode::Unauthenticated);
}
