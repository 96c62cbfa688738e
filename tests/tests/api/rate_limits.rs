//! Rate limits answer `429` with `Retry-After`; failed logins slow an
//! account down and then lock it, but never for its owner's own browser.

use reqwest::Method;
use serde_json::json;
use shared::ErrorCode;
use tests::{PASSWORD, TestApp, TestResponse, room_body, spawn_app_changed};

fn retry_after(response: &TestResponse) -> u64 {
    response
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no Retry-After: {response:?}"))
}

async fn login_with(
    app: &TestApp,
    email: &str,
    password: &str,
    headers: &[(&str, &str)],
) -> TestResponse {
    app.request_with(
        Method::POST,
        "/api/v1/auth/login",
        None,
        Some(&json!({ "email": email, "password": password })),
        headers,
    )
    .await
}

#[tokio::test]
async fn a_password_guessing_loop_is_slowed_then_locked_out_but_the_owner_gets_in() {
    // Arrange: slow down after 3 failures, lock after 6. The owner logged
    // in from their browser before, which keeps its `device` cookie.
    let app = spawn_app_changed(|s| {
        s.rate_limits.login_slow_after = 3;
        s.rate_limits.login_lock_after = 6;
        s.rate_limits.login_lock_minutes = 15;
    })
    .await;
    let (owner, _) = app.new_user().await;
    let first = app.login(&owner.email, PASSWORD).await;
    first.assert_status(200);
    let device = first.set_cookie("device").expect("a device cookie");
    assert!(device.contains("Path=/api/v1/auth"), "{device}");
    assert!(
        device.contains("HttpOnly") && device.contains("SameSite=Strict"),
        "{device}"
    );
    let device = device.split(';').next().expect("name=value").to_owned();

    // Act: an attacker guesses, waiting out each slow-down as told.
    let mut statuses = Vec::new();
    let mut waited = 0;
    let locked = loop {
        let guess = app
            .login(&owner.email, &format!("guess-{}", statuses.len()))
            .await;
        statuses.push(guess.status.as_u16());
        if guess.status == 429 {
            guess.assert_error(429, ErrorCode::LoginThrottled);
            let wait = retry_after(&guess);
            if wait > 60 {
                break guess;
            }
            waited += wait;
            tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
        }
        assert!(statuses.len() < 40, "never locked: {statuses:?}");
    };

    // Assert: three quick failures, then every guess had to wait (1, 2,
    // 4 s), and after the sixth failure the account is locked for 15 min.
    let failures = statuses.iter().filter(|s| **s == 401).count();
    assert_eq!(failures, 6, "{statuses:?}");
    assert_eq!(&statuses[..4], &[401, 401, 401, 429], "{statuses:?}");
    assert_eq!(waited, 1 + 2 + 4, "{statuses:?}");
    assert!((890..=900).contains(&retry_after(&locked)), "{locked:?}");
    let counted = app
        .documents(
            "login_failures",
            mongodb::bson::doc! { "_id": owner.email.to_lowercase() },
        )
        .await;
    assert_eq!(counted[0].get_i64("failures").ok(), Some(6), "{counted:?}");

    // The right password from the attacker's side is locked out too...
    login_with(&app, &owner.email, PASSWORD, &[])
        .await
        .assert_error(429, ErrorCode::LoginThrottled);
    // ...but the owner's browser is not, and its typo does not count.
    login_with(&app, &owner.email, "a typo", &[("Cookie", &device)])
        .await
        .assert_error(401, ErrorCode::InvalidCredentials);
    login_with(&app, &owner.email, PASSWORD, &[("Cookie", &device)])
        .await
        .assert_status(200);
    // A made-up device cookie earns nothing.
    login_with(&app, &owner.email, PASSWORD, &[("Cookie", "device=forged")])
        .await
        .assert_error(429, ErrorCode::LoginThrottled);
    let metrics = app.metrics_text().await;
    assert!(
        metrics.contains("reservations_rate_limited_total{limit=\"login_failures\"}"),
        "{metrics}"
    );
}

#[tokio::test]
async fn an_email_without_an_account_is_slowed_the_same_way() {
    let app = spawn_app_changed(|s| s.rate_limits.login_slow_after = 2).await;

    let answers = [
        app.login("nobody@example.com", "x").await,
        app.login("nobody@example.com", "x").await,
        app.login("nobody@example.com", "x").await,
    ];

    answers[0].assert_error(401, ErrorCode::InvalidCredentials);
    answers[1].assert_error(401, ErrorCode::InvalidCredentials);
    answers[2].assert_error(429, ErrorCode::LoginThrottled);
}

#[tokio::test]
async fn logins_per_address_are_limited_and_forwarded_addresses_count_only_behind_trusted_proxies()
{
    // Arrange: 3 login attempts per minute per address, and a balancer
    // on the loopback address that the second instance trusts.
    let direct = spawn_app_changed(|s| s.rate_limits.login_per_address = "3/minute".into()).await;
    let proxied = spawn_app_changed(|s| {
        s.rate_limits.login_per_address = "3/minute".into();
        s.security.trusted_proxies = "127.0.0.0/8".into();
    })
    .await;
    let email = "minji@example.com";
    for app in [&direct, &proxied] {
        app.register(email, "Minji", PASSWORD)
            .await
            .assert_status(201);
    }

    for app in [&direct, &proxied] {
        // Act: three attempts, each claiming another client address.
        for n in 0..3 {
            let spoofed = format!("203.0.113.{n}");
            let address = if std::ptr::eq(app, &direct) {
                spoofed.as_str()
            } else {
                "198.51.100.1"
            };
            login_with(app, email, "wrong", &[("X-Forwarded-For", address)])
                .await
                .assert_error(401, ErrorCode::InvalidCredentials);
        }
        let fourth = login_with(app, email, PASSWORD, &[("X-Forwarded-For", "198.51.100.1")]).await;

        // Assert: the fourth from that client waits about 20 s; a
        // forged X-Forwarded-For does not make a direct client new.
        fourth.assert_error(429, ErrorCode::RateLimited);
        assert!((1..=20).contains(&retry_after(&fourth)), "{fourth:?}");
    }
    // Behind the trusted proxy, another client is another address.
    login_with(
        &proxied,
        email,
        PASSWORD,
        &[("X-Forwarded-For", "198.51.100.2")],
    )
    .await
    .assert_status(200);
}

#[tokio::test]
async fn registrations_bookings_and_public_reads_have_their_limits() {
    let app = spawn_app_changed(|s| {
        s.rate_limits.register_per_address = "3/hour".into();
        s.rate_limits.booking_per_user = "2/minute".into();
        s.rate_limits.public_reads_per_address = "5/minute".into();
    })
    .await;
    let admin = app.admin_token().await;
    let room = app.create_room(&admin, &room_body("A101")).await;

    // Registrations from one address: the fourth waits.
    let (_, token) = app.new_user().await;
    let (_, other) = app.new_user().await;
    app.register("third@example.com", "Third", PASSWORD)
        .await
        .assert_status(201);
    let fourth = app.register("fourth@example.com", "Fourth", PASSWORD).await;
    fourth.assert_error(429, ErrorCode::RateLimited);
    assert!(retry_after(&fourth) > 60, "{fourth:?}");

    // Reservations by one user: the third within a minute waits and
    // stores nothing; another user is not held up.
    let body = |hour: i64| {
        json!({
            "room_id": room.id,
            "start": tests::at(2, hour as f64),
            "end": tests::at(2, hour as f64 + 0.5),
            "purpose": "Stand-up",
        })
    };
    for hour in 0..2 {
        app.post("/api/v1/reservations", Some(&token), &body(hour))
            .await
            .assert_status(201);
    }
    let third = app
        .post("/api/v1/reservations", Some(&token), &body(2))
        .await;
    third.assert_error(429, ErrorCode::RateLimited);
    assert!(retry_after(&third) <= 30, "{third:?}");
    app.post("/api/v1/reservations", Some(&other), &body(3))
        .await
        .assert_status(201);
    assert_eq!(
        app.documents("reservations", mongodb::bson::doc! {})
            .await
            .len(),
        3
    );

    // Anonymous reads: five, then 429; a logged-in reader and health
    // checks are not counted.
    for _ in 0..5 {
        app.get("/api/v1/rooms", None).await.assert_status(200);
    }
    app.get("/api/v1/rooms", None)
        .await
        .assert_error(429, ErrorCode::RateLimited);
    app.get("/api/v1/rooms", Some(&token))
        .await
        .assert_status(200);
    app.get("/api/v1/health/ready", None)
        .await
        .assert_status(200);
}
