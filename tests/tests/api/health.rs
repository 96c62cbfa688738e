use shared::{Health, Readiness};
use tests::spawn_app;

#[tokio::test]
async fn health_answers_ok() {
    let app = spawn_app().await;

    let response = app.get("/api/v1/health", None).await;

    response.assert_status(200);
    assert_eq!(response.json::<Health>().status, "ok");
}

#[tokio::test]
async fn readiness_reports_the_replica_set_and_its_primary() {
    let app = spawn_app().await;

    let response = app.get("/api/v1/health/ready", None).await;

    response.assert_status(200);
    let ready: Readiness = response.json();
    assert_eq!(ready.status, "ready");
    assert!(ready.database_reachable && ready.indexes_ready);
    assert!(ready.replica_set.is_some(), "{ready:?}");
    let primary = ready.primary.clone().expect("a primary");
    assert!(
        ready
            .members
            .iter()
            .any(|m| m.host == primary && m.role == "primary" && m.state == "PRIMARY"),
        "{ready:?}"
    );
    assert!(ready.members_source.is_some(), "{ready:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_answers_503_during_an_election_and_names_the_primary_after_it() {
    let server = tests::DbServer::started();
    let app = tests::spawn_app_with(tests::test_settings(&server.uri())).await;
    app.get("/api/v1/health/ready", None)
        .await
        .assert_status(200);
    let watch = tests::failover::Watch::connect(&server.uri())
        .await
        .unwrap();

    watch.step_down(2).await.unwrap();
    let during = app.get("/api/v1/health/ready", None).await;
    watch
        .until(true, std::time::Duration::from_secs(60))
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let after = loop {
        let response = app.get("/api/v1/health/ready", None).await;
        if response.status == 200 || std::time::Instant::now() > deadline {
            break response;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };

    during.assert_status(503);
    assert!(during.headers.contains_key("retry-after"));
    let during: Readiness = during.json();
    assert_eq!(during.primary, None, "{during:?}");
    assert!(during.database_reachable, "the member still answers");
    assert!(
        during.members.iter().any(|m| m.state == "SECONDARY"),
        "{during:?}"
    );
    after.assert_status(200);
    assert!(after.json::<Readiness>().primary.is_some());
}

#[tokio::test]
async fn the_limits_are_published() {
    let mut settings = tests::test_settings(&tests::shared_server_uri().await);
    settings.events.max_seats_per_user = 3;
    settings.events.max_charge = 5000;
    let app = tests::spawn_app_with(settings).await;

    let limits: shared::Limits = app.get("/api/v1/limits", None).await.json();

    assert_eq!(limits.max_seats_per_user, 3);
    assert_eq!(limits.max_charge, 5000);
    assert_eq!(limits.hold_ttl_seconds, 300);
    assert_eq!(limits.max_reservation_minutes, 720);
    assert_eq!(limits.max_days_ahead, 365);
}

#[tokio::test]
async fn unknown_api_paths_get_a_json_404() {
    let app = spawn_app().await;

    let response = app.get("/api/v1/no-such-thing", None).await;

    response.assert_error(404, shared::ErrorCode::NotFound);
}
