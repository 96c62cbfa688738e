use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::json;
use shared::{ErrorCode, LoginResponse, Role, User};
use tests::{PASSWORD, spawn_app};

#[tokio::test]
async fn registering_creates_a_user_account() {
    let app = spawn_app().await;

    let response = app.register("Hong@Example.com", "홍길동", PASSWORD).await;

    response.assert_status(201);
    let user: User = response.json();
    assert_eq!(user.email, "Hong@Example.com");
    assert_eq!(user.name, "홍길동");
    assert_eq!(user.role, Role::User);
    assert!(response.body.get("password_hash").is_none());
}

#[tokio::test]
async fn an_email_can_register_only_once_whatever_its_case() {
    let app = spawn_app().await;
    app.register("kim@example.com", "Kim", PASSWORD)
        .await
        .assert_status(201);

    let response = app.register("KIM@example.COM", "Kim again", PASSWORD).await;

    response.assert_error(409, ErrorCode::EmailTaken);
}

#[tokio::test]
async fn invalid_registrations_name_the_field() {
    let app = spawn_app().await;
    let cases = [
        (
            json!({"email": "not-an-email", "name": "A", "password": PASSWORD}),
            "email",
        ),
        (
            json!({"email": "a@example.com", "name": "  ", "password": PASSWORD}),
            "name",
        ),
        (
            json!({"email": "a@example.com", "name": "A", "password": "short"}),
            "password",
        ),
        (json!({"email": "a@example.com", "name": "A"}), "password"),
        (
            json!({"email": "a@example.com", "name": 7, "password": PASSWORD}),
            "name",
        ),
        (
            json!({"email": "a@example.com", "name": "A", "password": PASSWORD, "admin": true}),
            "admin",
        ),
    ];
    for (body, field) in cases {
        let response = app.post("/api/v1/auth/register", None, &body).await;

        response.assert_status(400);
        let message = response.body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            response.error_field().as_deref() == Some(field) || message.contains(field),
            "{body} should name {field}: {}",
            response.body
        );
    }
}

#[tokio::test]
async fn a_body_that_is_not_json_is_refused() {
    let app = spawn_app().await;

    let wrong_type = app
        .http
        .post(app.url("/api/v1/auth/register"))
        .body(r#"{"email":"a@example.com"}"#)
        .send()
        .await
        .unwrap();
    let broken = app
        .http
        .post(app.url("/api/v1/auth/register"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();

    assert_eq!(wrong_type.status(), 415);
    assert_eq!(broken.status(), 400);
    let body: serde_json::Value = broken.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_json");
}

#[tokio::test]
async fn login_returns_a_token_and_an_http_only_cookie() {
    let app = spawn_app().await;
    app.register("lee@example.com", "Lee", PASSWORD)
        .await
        .assert_status(201);

    let response = app.login("LEE@example.com", PASSWORD).await;

    response.assert_status(200);
    let login: LoginResponse = response.json();
    assert_eq!(login.user.email, "lee@example.com");
    assert!(login.token.len() >= 32);
    let cookie = response.headers[SET_COOKIE].to_str().unwrap();
    assert!(
        cookie.starts_with(&format!("session={}", login.token)),
        "{cookie}"
    );
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    // Strict: no other site's page makes the browser send it.
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
}

#[tokio::test]
async fn the_token_works_as_bearer_and_as_cookie() {
    let app = spawn_app().await;
    let (user, token) = app.new_user().await;

    let bearer = app.get("/api/v1/me", Some(&token)).await;
    let cookie = app
        .http
        .get(app.url("/api/v1/me"))
        .header(COOKIE, format!("session={token}"))
        .send()
        .await
        .unwrap();

    bearer.assert_status(200);
    assert_eq!(bearer.json::<User>(), user);
    assert_eq!(cookie.status(), 200);
    assert_eq!(cookie.json::<User>().await.unwrap(), user);
}

#[tokio::test]
async fn wrong_passwords_and_unknown_emails_get_the_same_answer() {
    let app = spawn_app().await;
    app.register("park@example.com", "Park", PASSWORD)
        .await
        .assert_status(201);

    let wrong_password = app.login("park@example.com", "not the password").await;
    let unknown_email = app.login("nobody@example.com", PASSWORD).await;

    wrong_password.assert_error(401, ErrorCode::InvalidCredentials);
    assert_eq!(wrong_password.body, unknown_email.body);
    assert_eq!(wrong_password.status, unknown_email.status);
}

#[tokio::test]
async fn a_login_without_a_password_names_the_field() {
    let app = spawn_app().await;

    let response = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"email": "a@example.com", "password": ""}),
        )
        .await;

    response.assert_error(400, ErrorCode::InvalidInput);
    assert_eq!(response.error_field().as_deref(), Some("password"));
}

#[tokio::test]
async fn me_needs_a_valid_session() {
    let app = spawn_app().await;

    app.get("/api/v1/me", None)
        .await
        .assert_error(401, ErrorCode::Unauthenticated);
    app.get("/api/v1/me", Some("forged-token"))
        .await
        .assert_error(401, ErrorCode::Unauthenticated);
}

#[tokio::test]
async fn logout_ends_the_session_and_clears_the_cookie() {
    let app = spawn_app().await;
    let (_, token) = app.new_user().await;

    let response = app.post_empty("/api/v1/auth/logout", Some(&token)).await;

    response.assert_status(204);
    let cookie = response.headers[SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with("session=;"), "{cookie}");
    app.get("/api/v1/me", Some(&token))
        .await
        .assert_error(401, ErrorCode::Unauthenticated);
}

#[tokio::test]
async fn passwords_and_sessions_are_stored_hashed() {
    let app = spawn_app().await;
    let (_, token) = app.new_user().await;

    let stored = app
        .db
        .collection::<mongodb::bson::Document>("sessions")
        .find_one(mongodb::bson::doc! {})
        .await
        .unwrap()
        .unwrap();

    let key = stored.get_str("_id").unwrap();
    assert_ne!(key, token);
    assert_eq!(key.len(), 64);
    let user = app
        .db
        .collection::<mongodb::bson::Document>("users")
        .find_one(mongodb::bson::doc! { "role": "user" })
        .await
        .unwrap()
        .unwrap();
    let hash = user.get_str("password_hash").unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
}
