//! SIGTERM to a real `api` process: it stops accepting connections, lets
//! the requests in flight finish within `application.shutdown_grace_seconds`,
//! then exits. Live seat-map streams end at once instead of holding the
//! grace period up.

use std::time::{Duration, Instant};

use serde_json::json;
use tests::process::ApiProcess;
use tests::shared_server_uri;

/// Starts the API with slow password hashing (so a registration stays in
/// flight for a while) and `grace` seconds of shutdown grace, and waits
/// until it is ready.
async fn start_api(grace: u64) -> ApiProcess {
    let name = format!("test_shutdown_{}", uuid::Uuid::new_v4().simple());
    start_api_on(name, grace).await
}

async fn start_api_on(name: String, grace: u64) -> ApiProcess {
    ApiProcess::start(
        &shared_server_uri().await,
        &[
            ("APP_DATABASE__NAME", name),
            ("APP_APPLICATION__SHUTDOWN_GRACE_SECONDS", grace.to_string()),
            ("APP_AUTH__ARGON2_MEMORY_KIB", "65536".into()),
            ("APP_AUTH__ARGON2_ITERATIONS", SLOW_ITERATIONS.into()),
        ],
    )
    .await
}

/// argon2id passes over 64 MiB that keep one registration busy for
/// seconds in a debug build.
const SLOW_ITERATIONS: &str = "5";

fn terminate(process: &ApiProcess) {
    process.signal("TERM");
}

/// Sends SIGTERM and waits for the process to exit: how it exited, and
/// how long that took.
async fn terminate_and_wait(mut api: ApiProcess) -> (std::process::ExitStatus, Duration) {
    let terminated = Instant::now();
    terminate(&api);
    let exit = tokio::task::spawn_blocking(move || api.child.wait())
        .await
        .unwrap()
        .unwrap();
    (exit, terminated.elapsed())
}

fn accepts_connections(port: u16) -> bool {
    std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
}

async fn slow_registration(port: u16) -> Result<u16, reqwest::Error> {
    reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/api/v1/auth/register"))
        .json(
            &json!({ "email": format!("slow-{}@example.com", uuid::Uuid::new_v4().simple()),
            "name": "Slow", "password": "a long slow password" }),
        )
        .send()
        .await
        .map(|r| r.status().as_u16())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_requests_in_flight_and_refuses_new_connections() {
    let _turn = tests::heavy_test_turn().await;
    let mut api = start_api(30).await;
    let in_flight = tokio::spawn(slow_registration(api.port));
    tokio::time::sleep(Duration::from_millis(300)).await;

    terminate(&api);
    let deadline = Instant::now() + Duration::from_secs(2);
    while accepts_connections(api.port) {
        assert!(Instant::now() < deadline, "still accepting after SIGTERM");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        !in_flight.is_finished(),
        "the registration must still be in flight once new connections are refused"
    );

    let status = in_flight
        .await
        .unwrap()
        .expect("the request in flight is answered");
    assert_eq!(status, 201, "the request in flight finished normally");
    let exit = tokio::task::spawn_blocking(move || api.child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(exit.success(), "exited with {exit}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_waiting_for_requests_after_the_grace_period() {
    let _turn = tests::heavy_test_turn().await;
    let api = start_api(1).await;
    let in_flight = tokio::spawn(slow_registration(api.port));
    tokio::time::sleep(Duration::from_millis(300)).await;

    let (exit, took) = terminate_and_wait(api).await;

    assert!(exit.success(), "exited with {exit}");
    assert!(
        took < Duration::from_secs(4),
        "the process outlived its 1 s grace by far: {took:?}"
    );
    assert!(
        in_flight.await.unwrap().is_err(),
        "a request still running after the grace period is cut off"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_ends_live_seat_maps_at_once_instead_of_waiting_out_the_grace() {
    let _turn = tests::heavy_test_turn().await;
    let settings = tests::test_settings(&shared_server_uri().await);
    let api = start_api_on(settings.database.name.clone(), 30).await;
    let app = tests::spawn_app_with(settings).await;
    let stage = tests::events::stage(&app, 1, 2, 10).await;
    let url = api.url(&stage.perf_path("/seats/events"));
    let mut stream = tests::live::SeatStream::connect(&url, None).await.unwrap();
    stream.map().await;

    let (exit, took) = terminate_and_wait(api).await;

    assert!(exit.success(), "exited with {exit}");
    assert!(
        took < Duration::from_secs(5),
        "an open live stream held the shutdown up for {took:?} (grace 30 s)"
    );
    assert!(
        stream.next(Duration::from_secs(2)).await.is_none(),
        "the stream ended with the server"
    );
    assert!(stream.ended, "the stream was closed, not merely quiet");
}
