//! The live seat map: `GET /performances/{id}/seats/events` starts with
//! the whole map and then pushes each seat's change, fed by the
//! database's change stream.

use std::time::Duration;

use shared::{ErrorCode, SeatState};
use tests::events::stage;
use tests::live::{LiveEvent, SeatStream};
use tests::{shared_server_uri, spawn_app, spawn_app_with, test_settings};

const PATIENCE: Duration = Duration::from_secs(5);

#[tokio::test]
async fn a_live_map_starts_whole_then_follows_holds_bookings_and_releases() {
    let app = spawn_app().await;
    let stage = stage(&app, 2, 3, 10).await;
    let buyer = app.buyer(100).await;
    let other = app.buyer(100).await;
    let mut mine = SeatStream::open(&app, &stage, Some(&buyer)).await.unwrap();
    let mut theirs = SeatStream::open(&app, &stage, Some(&other)).await.unwrap();
    let mut anonymous = SeatStream::open(&app, &stage, None).await.unwrap();

    for stream in [&mut mine, &mut theirs, &mut anonymous] {
        let map = stream.map().await;
        assert_eq!(map.available, 6);
        assert_eq!(map.performance_id, stage.performance.id);
    }

    let hold = app.hold_ok(&buyer, &stage, &["A1"]).await;
    let held = mine.seat("A1", PATIENCE).await.expect("hold pushed");
    assert_eq!(held.state, SeatState::Held);
    assert!(held.mine, "the holder's stream marks the seat as theirs");
    assert_eq!(held.held_until, Some(hold.expires_at));
    let seen = theirs.seat("A1", PATIENCE).await.expect("hold pushed");
    assert_eq!(seen.state, SeatState::Held);
    assert!(!seen.mine, "another buyer's stream does not");

    app.request::<()>(
        reqwest::Method::DELETE,
        &format!("/api/v1/holds/{}", hold.id),
        Some(&buyer),
        None,
    )
    .await
    .assert_status(204);
    let released = anonymous
        .seat_becomes("A1", SeatState::Available, PATIENCE)
        .await
        .expect("release pushed");
    assert_eq!(released.state, SeatState::Available);
    assert_eq!(released.held_until, None);

    app.book_ok(&other, &stage, &["B2", "B3"]).await;
    for label in ["B2", "B3"] {
        let booked = theirs
            .seat_becomes(label, SeatState::Booked, PATIENCE)
            .await
            .expect("booking pushed");
        assert_eq!(booked.state, SeatState::Booked);
        assert!(booked.mine);
        let seen = anonymous
            .seat_becomes(label, SeatState::Booked, PATIENCE)
            .await
            .expect("booking pushed");
        assert!(!seen.mine);
    }
}

#[tokio::test]
async fn a_live_map_carries_only_its_own_performance() {
    let app = spawn_app().await;
    let watched = stage(&app, 1, 2, 10).await;
    let elsewhere = stage(&app, 1, 2, 10).await;
    let buyer = app.buyer(100).await;
    let mut stream = SeatStream::open(&app, &watched, None).await.unwrap();
    stream.map().await;

    app.book_ok(&buyer, &elsewhere, &["A1"]).await;
    app.book_ok(&buyer, &watched, &["A2"]).await;

    match stream.next(PATIENCE).await {
        Some(LiveEvent::Seat(seat)) => {
            assert_eq!((seat.label.as_str(), seat.state), ("A2", SeatState::Booked));
        }
        other => panic!("expected only the watched performance's seat, got {other:?}"),
    }
}

#[tokio::test]
async fn a_live_map_of_an_unknown_performance_is_not_found() {
    let app = spawn_app().await;
    let response = app
        .get(
            "/api/v1/performances/5f0000000000000000000000/seats/events",
            None,
        )
        .await;
    response.assert_error(404, ErrorCode::NotFound);
    let response = app
        .get("/api/v1/performances/nope/seats/events", None)
        .await;
    response.assert_error(404, ErrorCode::NotFound);
}

#[tokio::test]
async fn an_instance_past_its_stream_limit_answers_503_and_frees_the_place_when_one_leaves() {
    let mut settings = test_settings(&shared_server_uri().await);
    settings.events.live_streams_max = 1;
    // A client that left is noticed at the next write: the keep-alive.
    settings.events.live_keepalive_seconds = 1;
    let app = spawn_app_with(settings).await;
    let stage = stage(&app, 1, 2, 10).await;
    let first = SeatStream::open(&app, &stage, None).await.unwrap();

    let (status, body) = match SeatStream::open(&app, &stage, None).await {
        Err(refused) => refused,
        Ok(_) => panic!("a second stream was served past the limit of one"),
    };
    assert_eq!(status, 503);
    assert_eq!(body["error"]["code"], "unavailable", "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("poll"), "{body}");

    drop(first);
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        match SeatStream::open(&app, &stage, None).await {
            Ok(mut again) => {
                again.map().await;
                break;
            }
            Err((503, _)) if std::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(other) => panic!("the place was never freed: {other:?}"),
        }
    }
}
