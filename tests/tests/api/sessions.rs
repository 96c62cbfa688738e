//! A user's sessions: listed with where they are used from, ended one by
//! one or all at once, and ended by a password change; an admin ending a
//! user's sessions and disabling the account.

use mongodb::bson::doc;
use reqwest::Method;
use serde_json::json;
use shared::{ErrorCode, LoginResponse, Page, Session, SessionsEnded, User};
use tests::{PASSWORD, TestApp, spawn_app};

async fn login_as(app: &TestApp, email: &str, agent: &str) -> String {
    let response = app
        .request_with(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(&json!({ "email": email, "password": PASSWORD })),
            &[("User-Agent", agent)],
        )
        .await;
    response.assert_status(200);
    response.json::<LoginResponse>().token
}

async fn sessions(app: &TestApp, token: &str) -> Vec<Session> {
    let response = app.get("/api/v1/me/sessions", Some(token)).await;
    response.assert_status(200);
    response.json()
}

async fn events_of(app: &TestApp, kind: &str) -> usize {
    app.documents("events", doc! { "type": kind }).await.len()
}

#[tokio::test]
async fn a_user_sees_their_sessions_and_ends_one() {
    // Arrange: logged in from a laptop and a phone; someone else too.
    let app = spawn_app().await;
    let (user, _) = app.new_user().await;
    let laptop = login_as(&app, &user.email, "Mozilla/5.0 (X11; Linux) Firefox/140").await;
    let phone = login_as(&app, &user.email, "Mozilla/5.0 (iPhone) Safari/18").await;
    let (_, stranger) = app.new_user().await;

    // Act
    let listed = sessions(&app, &laptop).await;

    // Assert: every session, the current one marked, with its device.
    assert_eq!(listed.len(), 3, "{listed:?}");
    let current: Vec<&Session> = listed.iter().filter(|s| s.current).collect();
    assert_eq!(current.len(), 1, "{listed:?}");
    assert_eq!(
        current[0].user_agent.as_deref(),
        Some("Mozilla/5.0 (X11; Linux) Firefox/140")
    );
    assert_eq!(current[0].address.as_deref(), Some("127.0.0.1"));
    let on_phone = listed
        .iter()
        .find(|s| s.user_agent.as_deref() == Some("Mozilla/5.0 (iPhone) Safari/18"))
        .expect("the phone's session");

    // Someone else cannot end it, nor see it.
    let path = format!("/api/v1/me/sessions/{}", on_phone.id);
    app.request::<()>(Method::DELETE, &path, Some(&stranger), None)
        .await
        .assert_error(404, ErrorCode::NotFound);
    assert!(
        sessions(&app, &stranger)
            .await
            .iter()
            .all(|s| s.id != on_phone.id)
    );
    app.request::<()>(
        Method::DELETE,
        "/api/v1/me/sessions/not-an-id",
        Some(&laptop),
        None,
    )
    .await
    .assert_error(404, ErrorCode::NotFound);
    app.get("/api/v1/me", Some(&phone)).await.assert_status(200);

    // The owner ends it: the phone is logged out, the laptop is not.
    app.request::<()>(Method::DELETE, &path, Some(&laptop), None)
        .await
        .assert_status(204);
    app.get("/api/v1/me", Some(&phone))
        .await
        .assert_error(401, ErrorCode::Unauthenticated);
    app.get("/api/v1/me", Some(&laptop))
        .await
        .assert_status(200);
    let user_id = mongodb::bson::oid::ObjectId::parse_str(&user.id.0).unwrap();
    let stored = app.documents("sessions", doc! { "user_id": user_id }).await;
    assert_eq!(stored.len(), 2, "{stored:?}");
    app.request::<()>(Method::DELETE, &path, Some(&laptop), None)
        .await
        .assert_error(404, ErrorCode::NotFound);
}

#[tokio::test]
async fn ending_the_others_keeps_only_this_session() {
    let app = spawn_app().await;
    let (user, first) = app.new_user().await;
    let others = [
        login_as(&app, &user.email, "curl/8").await,
        login_as(&app, &user.email, "curl/8").await,
    ];

    let ended: SessionsEnded = app
        .request::<()>(Method::DELETE, "/api/v1/me/sessions", Some(&first), None)
        .await
        .json();

    assert_eq!(ended.ended, 2);
    for token in &others {
        app.get("/api/v1/me", Some(token))
            .await
            .assert_error(401, ErrorCode::Unauthenticated);
    }
    assert_eq!(sessions(&app, &first).await.len(), 1);
}

#[tokio::test]
async fn a_password_change_needs_the_old_one_and_ends_the_other_sessions() {
    // Arrange
    let app = spawn_app().await;
    let (user, here) = app.new_user().await;
    let elsewhere = login_as(&app, &user.email, "curl/8").await;
    let change =
        |current: &str, new: &str| json!({ "current_password": current, "new_password": new });

    // Wrong current password, or a new one too short: named, nothing changes.
    let wrong = app
        .request(
            Method::PUT,
            "/api/v1/me/password",
            Some(&here),
            Some(&change("nope", "new password 1")),
        )
        .await;
    wrong.assert_error(400, ErrorCode::InvalidInput);
    assert_eq!(wrong.error_field().as_deref(), Some("current_password"));
    let short = app
        .request(
            Method::PUT,
            "/api/v1/me/password",
            Some(&here),
            Some(&change(PASSWORD, "short")),
        )
        .await;
    short.assert_error(400, ErrorCode::InvalidInput);
    assert_eq!(short.error_field().as_deref(), Some("new_password"));
    app.get("/api/v1/me", Some(&elsewhere))
        .await
        .assert_status(200);

    // Act
    let changed = app
        .request(
            Method::PUT,
            "/api/v1/me/password",
            Some(&here),
            Some(&change(PASSWORD, "new password 1")),
        )
        .await;

    // Assert: the other session ended, this one goes on, the new password works.
    changed.assert_status(200);
    assert_eq!(changed.json::<SessionsEnded>().ended, 1);
    app.get("/api/v1/me", Some(&elsewhere))
        .await
        .assert_error(401, ErrorCode::Unauthenticated);
    app.get("/api/v1/me", Some(&here)).await.assert_status(200);
    app.login(&user.email, PASSWORD)
        .await
        .assert_error(401, ErrorCode::InvalidCredentials);
    app.login(&user.email, "new password 1")
        .await
        .assert_status(200);
    assert_eq!(events_of(&app, "user.password_changed").await, 1);
}

#[tokio::test]
async fn an_admin_ends_a_users_sessions_and_disables_the_account() {
    // Arrange
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (user, token) = app.new_user().await;
    let (_, other) = app.new_user().await;
    let path = |what: &str| format!("/api/v1/users/{}/{what}", user.id.0);

    // Only admins, and only existing accounts.
    app.post_empty(&path("sessions/end"), Some(&other))
        .await
        .assert_error(403, ErrorCode::Forbidden);
    app.post_empty(
        "/api/v1/users/6b0e6263cc21e58742f051ed/sessions/end",
        Some(&admin),
    )
    .await
    .assert_error(404, ErrorCode::NotFound);

    // Ending the sessions logs the user out everywhere.
    let ended: SessionsEnded = app
        .post_empty(&path("sessions/end"), Some(&admin))
        .await
        .json();
    assert_eq!(ended.ended, 1);
    app.get("/api/v1/me", Some(&token))
        .await
        .assert_error(401, ErrorCode::Unauthenticated);

    // Disabling: no session works, and the right password is refused.
    let token = app
        .login(&user.email, PASSWORD)
        .await
        .json::<LoginResponse>()
        .token;
    let disabled = app
        .request(
            Method::PUT,
            &path("disabled"),
            Some(&admin),
            Some(&json!({ "disabled": true })),
        )
        .await;
    disabled.assert_status(200);
    assert!(disabled.json::<User>().disabled);
    app.get("/api/v1/me", Some(&token))
        .await
        .assert_error(401, ErrorCode::Unauthenticated);
    app.login(&user.email, PASSWORD)
        .await
        .assert_error(403, ErrorCode::Forbidden);
    app.login(&user.email, "not the password")
        .await
        .assert_error(401, ErrorCode::InvalidCredentials);
    let listed: Page<User> = app
        .get("/api/v1/users?limit=100", Some(&admin))
        .await
        .json();
    assert!(listed.items.iter().any(|u| u.id == user.id && u.disabled));

    // An admin cannot disable themselves; enabling lets the user back in.
    let me: User = app.get("/api/v1/me", Some(&admin)).await.json();
    app.set_disabled(&admin, &me.id, true)
        .await
        .assert_error(409, ErrorCode::LastAdmin);
    app.request(
        Method::PUT,
        &path("disabled"),
        Some(&admin),
        Some(&json!({ "disabled": false })),
    )
    .await
    .assert_status(200);
    app.login(&user.email, PASSWORD).await.assert_status(200);
    assert_eq!(events_of(&app, "user.disabled").await, 1);
    assert_eq!(events_of(&app, "user.enabled").await, 1);
}
