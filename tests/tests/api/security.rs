//! Browser safety and abuse limits: security headers, cross-site changes
//! refused, rate limits answered `429` with `Retry-After`, and failed
//! logins slowing an account down without locking its owner out.

use reqwest::Method;
use serde_json::json;
use shared::{ErrorCode, Page, Reservation};
use tests::{PASSWORD, TestApp, room_body, spawn_app, spawn_app_changed};

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = spawn_app_changed(|s| s.security.hsts_seconds = 31_536_000).await;

    for path in ["/api/v1/rooms", "/api/v1/no-such-thing", "/metrics"] {
        let response = app.get(path, None).await;

        assert_eq!(
            response.header("x-content-type-options"),
            "nosniff",
            "{path}"
        );
        assert_eq!(response.header("referrer-policy"), "same-origin", "{path}");
        assert_eq!(response.header("x-frame-options"), "DENY", "{path}");
        assert_eq!(
            response.header("content-security-policy"),
            "default-src 'none'; frame-ancestors 'none'",
            "{path}"
        );
        assert_eq!(
            response.header("strict-transport-security"),
            "max-age=31536000; includeSubDomains",
            "{path}"
        );
    }
    let docs = app.get("/api/docs/", None).await;
    assert!(
        docs.header("content-security-policy")
            .contains("frame-ancestors 'none'"),
        "{:?}",
        docs.headers
    );
}

#[tokio::test]
async fn without_configuration_there_is_no_hsts() {
    let app = spawn_app().await;

    let response = app.get("/api/v1/health/live", None).await;

    assert!(response.headers.get("strict-transport-security").is_none());
}

/// Logs in like a browser and returns the session cookie's `name=value`.
async fn cookie_session(app: &TestApp, email: &str) -> String {
    let login = app.login(email, PASSWORD).await;
    login.assert_status(200);
    let cookie = login.set_cookie("session").expect("a session cookie");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    cookie.split(';').next().expect("name=value").to_owned()
}

#[tokio::test]
async fn a_cross_site_form_post_with_the_session_cookie_is_refused() {
    // Arrange: a user logged in in the browser, and a room.
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let room = app.create_room(&admin, &room_body("A101")).await;
    let (user, token) = app.new_user().await;
    let session = cookie_session(&app, &user.email).await;
    let form = |hour: i64| {
        json!({
            "room_id": room.id,
            "start": tests::at(2, hour as f64),
            "end": tests::at(2, hour as f64 + 0.5),
            "purpose": "Forged",
        })
    };

    // Act: another site's page posts with the cookie (old and new browsers).
    let forged = [
        vec![
            ("Cookie", session.as_str()),
            ("Origin", "https://evil.example"),
        ],
        vec![
            ("Cookie", session.as_str()),
            ("Origin", "https://evil.example"),
            ("Sec-Fetch-Site", "cross-site"),
        ],
        vec![
            ("Cookie", session.as_str()),
            ("Sec-Fetch-Site", "same-site"),
        ],
        vec![("Cookie", session.as_str()), ("Origin", "null")],
    ];
    for (n, headers) in forged.iter().enumerate() {
        let response = app
            .request_with(
                Method::POST,
                "/api/v1/reservations",
                None,
                Some(&form(n as i64)),
                headers,
            )
            .await;

        // Assert: refused by name, and nothing was stored.
        response.assert_error(403, ErrorCode::CrossSiteRequest);
        assert!(
            response
                .header("content-security-policy")
                .contains("default-src 'none'")
        );
    }
    let mine: Page<Reservation> = app.get("/api/v1/reservations", Some(&token)).await.json();
    assert!(mine.items.is_empty(), "{:?}", mine.items);
    let stored = app.documents("reservations", mongodb::bson::doc! {}).await;
    assert!(stored.is_empty(), "{stored:?}");
    let login = app
        .request_with(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(&json!({ "email": user.email, "password": PASSWORD })),
            &[("Origin", "https://evil.example")],
        )
        .await;
    login.assert_error(403, ErrorCode::CrossSiteRequest);

    // Our own pages, scripts without browser headers, and bearer tokens
    // from anywhere still work.
    let own = app.address.clone();
    let allowed = [
        vec![("Cookie", session.as_str()), ("Origin", own.as_str())],
        vec![
            ("Cookie", session.as_str()),
            ("Sec-Fetch-Site", "same-origin"),
        ],
        vec![("Cookie", session.as_str())],
    ];
    for (n, headers) in allowed.iter().enumerate() {
        app.request_with(
            Method::POST,
            "/api/v1/reservations",
            None,
            Some(&form(10 + n as i64)),
            headers,
        )
        .await
        .assert_status(201);
    }
    app.request_with(
        Method::POST,
        "/api/v1/reservations",
        Some(&token),
        Some(&form(20)),
        &[
            ("Origin", "https://integration.example"),
            ("Sec-Fetch-Site", "cross-site"),
        ],
    )
    .await
    .assert_status(201);
    assert_eq!(
        app.documents("reservations", mongodb::bson::doc! {})
            .await
            .len(),
        4
    );
}

#[tokio::test]
async fn an_allowed_origin_may_post_with_the_cookie() {
    let app =
        spawn_app_changed(|s| s.security.allowed_origins = "https://book.example.com".into()).await;
    let (user, _) = app.new_user().await;
    let session = cookie_session(&app, &user.email).await;

    for (origin, status) in [
        ("https://book.example.com", 200),
        ("https://evil.example", 403),
    ] {
        let response = app
            .request_with(
                Method::POST,
                "/api/v1/wallet/charge",
                None,
                Some(&json!({ "amount": 100 })),
                &[
                    ("Cookie", session.as_str()),
                    ("Origin", origin),
                    ("Sec-Fetch-Site", "same-site"),
                ],
            )
            .await;

        response.assert_status(status);
    }
}
