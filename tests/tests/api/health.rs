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
async fn unknown_api_paths_get_a_json_404() {
    let app = spawn_app().await;

    let response = app.get("/api/v1/no-such-thing", None).await;

    response.assert_error(404, shared::ErrorCode::NotFound);
}
