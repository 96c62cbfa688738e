//! The database going away and coming back.

use std::time::{Duration, Instant};

use shared::{ErrorCode, Page, Room};
use tests::{DbServer, at, spawn_app_with, test_settings};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_database_gives_503_with_retry_after_and_the_api_recovers_by_itself() {
    let mut server = DbServer::started();
    let app = spawn_app_with(test_settings(&server.uri())).await;
    let admin = app.admin_token().await;
    let room = app.room(&admin).await;
    let (_, user) = app.new_user().await;
    let kept = app
        .reserve_ok(&user, &room.id, at(1, 9.0), at(1, 10.0))
        .await;

    server.kill();

    for (label, response) in [
        ("list rooms", {
            let started = Instant::now();
            let r = app.get("/api/v1/rooms", None).await;
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "answered in {:?}",
                started.elapsed()
            );
            r
        }),
        (
            "reserve",
            app.reserve(&user, &room.id, at(1, 10.0), at(1, 11.0)).await,
        ),
        ("me", app.get("/api/v1/me", Some(&user)).await),
        ("ready", app.get("/api/v1/health/ready", None).await),
    ] {
        assert_eq!(response.status, 503, "{label}: {}", response.body);
        let retry_after: u64 = response.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(retry_after >= 1, "{label}");
        if label != "ready" {
            assert_eq!(response.error_code(), ErrorCode::Unavailable, "{label}");
        }
    }
    app.get("/api/v1/health", None).await.assert_status(200);

    server.start();

    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let response = app.get("/api/v1/rooms", None).await;
        if response.status == 200 {
            assert_eq!(response.json::<Page<Room>>().items, vec![room.clone()]);
            break;
        }
        assert!(Instant::now() < deadline, "no recovery: {}", response.body);
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    app.reserve_ok(&user, &room.id, at(1, 10.0), at(1, 11.0))
        .await;
    let before: shared::Reservation = app
        .get(&format!("/api/v1/reservations/{}", kept.id), Some(&user))
        .await
        .json();
    assert_eq!(
        before, kept,
        "the acknowledged reservation survived the crash"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_starts_without_its_database_and_prepares_it_when_it_appears() {
    // Never started: killing a server that is still creating its store
    // can leave the store unusable, which is not what this test is about.
    let mut server = DbServer::new();
    let app = spawn_app_with(test_settings(&server.uri())).await;

    app.get("/api/v1/rooms", None)
        .await
        .assert_error(503, ErrorCode::Unavailable);
    server.start();

    let deadline = Instant::now() + Duration::from_secs(60);
    while app.get("/api/v1/health/ready", None).await.status != 200 {
        assert!(Instant::now() < deadline, "never became ready");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let admin = app.admin_token().await;
    app.room(&admin).await;
}
