//! Live seat maps across instances and through a failover: the change
//! stream is the database's, so a seat booked through one instance
//! reaches the watchers of another, and a stream that lost the primary
//! picks up again without anyone reloading the page.

use std::time::{Duration, Instant};

use shared::SeatState;
use tests::events::{buyers_across, stage};
use tests::failover::Watch;
use tests::live::{LiveEvent, SeatStream};
use tests::{DbServer, heavy_test_turn, report, shared_server_uri, spawn_cluster, test_settings};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_seat_booked_through_one_instance_reaches_the_live_maps_of_another_within_a_second() {
    let _turn = heavy_test_turn().await;
    let cluster = spawn_cluster(2, test_settings(&shared_server_uri().await)).await;
    let (a, b) = (&cluster[0], &cluster[1]);
    let stage = stage(a, 2, 10, 10).await;
    // One buyer per seat: a buyer may take only a few.
    let buyers = buyers_across(&[a], 10, 100).await;
    let mut stream = SeatStream::open(b, &stage, None).await.unwrap();
    assert_eq!(stream.map().await.available, 20);

    let mut delays = Vec::new();
    for (number, buyer) in (1..=10).zip(&buyers) {
        let label = format!("A{number}");
        a.book_ok(buyer, &stage, &[label.as_str()]).await;
        let answered = Instant::now();
        let seat = stream
            .seat(&label, Duration::from_secs(5))
            .await
            .unwrap_or_else(|| panic!("{label} booked through A never reached B's stream"));
        delays.push(answered.elapsed());
        assert_eq!(seat.state, SeatState::Booked);
    }

    let longest = delays.iter().max().copied().unwrap_or_default();
    report(&format!(
        "live map across instances: 10 bookings on A, seen on B after at most {} ms (mean {} ms)",
        longest.as_millis(),
        delays.iter().map(Duration::as_millis).sum::<u128>() / 10
    ));
    assert!(
        longest <= Duration::from_secs(1),
        "a booking reached the other instance's stream after {longest:?}"
    );
}

/// Reads `label`'s state from what the stream says next: a `seat` event
/// for it, or a whole map (after the feed restarted). Reconnects as a
/// browser's `EventSource` does when the stream ends or is refused.
async fn follow(
    app: &tests::TestApp,
    stage: &tests::events::Stage,
    stream: &mut Option<SeatStream>,
    label: &str,
    patience: Duration,
) -> Option<SeatState> {
    let deadline = Instant::now() + patience;
    while Instant::now() < deadline {
        let Some(open) = stream else {
            *stream = SeatStream::open(app, stage, None).await.ok();
            if stream.is_none() {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            continue;
        };
        match open.next(Duration::from_millis(500)).await {
            Some(LiveEvent::Seat(seat)) if seat.label == label => return Some(seat.state),
            Some(LiveEvent::Map(map)) => {
                let seat = map
                    .sections
                    .iter()
                    .flat_map(|s| &s.rows)
                    .flat_map(|r| &r.seats)
                    .find(|s| s.label == label)?;
                if seat.state != SeatState::Available {
                    return Some(seat.state);
                }
            }
            Some(LiveEvent::Seat(_)) => {}
            None if open.ended => *stream = None,
            None => {}
        }
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_live_map_follows_bookings_again_after_the_primary_steps_down_and_returns() {
    let _turn = heavy_test_turn().await;
    let server = DbServer::started();
    let watch = Watch::connect(&server.uri()).await.unwrap();
    let cluster = spawn_cluster(2, test_settings(&server.uri())).await;
    let (a, b) = (&cluster[0], &cluster[1]);
    let stage = stage(a, 1, 4, 10).await;
    let buyer = a.buyer(1_000).await;
    let mut stream = Some(SeatStream::open(b, &stage, None).await.unwrap());
    if let Some(open) = stream.as_mut() {
        open.map().await;
    }

    watch.step_down(5).await.unwrap();
    let back = watch.until(true, Duration::from_secs(30)).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let response = a.book(&buyer, &stage, &["A3"]).await;
        match response.status.as_u16() {
            201 => break,
            503 if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            other => panic!(
                "booking after the primary's return: {other} {:?}",
                response.body
            ),
        }
    }
    let acknowledged = Instant::now();

    let state = follow(b, &stage, &mut stream, "A3", Duration::from_secs(10)).await;
    report(&format!(
        "live map through a stepdown: booking acknowledged {} ms after the primary's return, \
         seen on the other instance's stream {} ms after that",
        acknowledged.saturating_duration_since(back).as_millis(),
        acknowledged.elapsed().as_millis()
    ));
    assert_eq!(
        state,
        Some(SeatState::Booked),
        "the live map never showed the seat booked after the failover"
    );
}
