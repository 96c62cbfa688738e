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
    let primary = ready.primary.expect("a primary");
    assert!(
        ready
            .members
            .iter()
            .any(|m| m.host == primary && m.role == "primary")
    );
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
