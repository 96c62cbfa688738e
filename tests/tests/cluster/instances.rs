//! Several API instances on one database are as safe as one: the database
//! decides every seat and every room cell, whichever instance asks.

use std::time::{Duration, Instant};

use futures::future::join_all;
use mongodb::bson::{Document, doc};
use shared::{ErrorCode, SeatMap, SeatState};
use tests::events::{buyers_across, stage};
use tests::{
    TestApp, TestResponse, at, heavy_test_turn, invariants, shared_server_uri, spawn_cluster,
    test_settings,
};

async fn assert_invariants(app: &TestApp) {
    let problems = invariants::violations(&app.db)
        .await
        .expect("database read");
    assert!(problems.is_empty(), "{problems:?}");
}

/// `n` users registered through the instances in turn; their sessions
/// work on every instance.
async fn users(cluster: &[TestApp], n: usize, points: i64) -> Vec<String> {
    let apps: Vec<&TestApp> = cluster.iter().collect();
    buyers_across(&apps, n, points).await
}

fn statuses(responses: &[TestResponse]) -> Vec<u16> {
    responses.iter().map(|r| r.status.as_u16()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn instances_starting_together_on_a_fresh_database_all_become_ready() {
    let _turn = heavy_test_turn().await;
    let cluster = spawn_cluster(3, test_settings(&shared_server_uri().await)).await;

    for app in &cluster {
        let deadline = Instant::now() + Duration::from_secs(20);
        while app.get("/api/v1/health/ready", None).await.status != 200 {
            assert!(
                Instant::now() < deadline,
                "{} never became ready",
                app.address
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let admins = cluster[0]
        .documents("users", doc! { "email_key": tests::ADMIN_EMAIL })
        .await;
    assert_eq!(admins.len(), 1, "one bootstrap admin, not one per instance");
    for app in &cluster {
        app.admin_token().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_hundred_users_racing_for_one_seat_over_three_instances_make_one_booking() {
    let _turn = heavy_test_turn().await;
    let cluster = spawn_cluster(3, test_settings(&shared_server_uri().await)).await;
    let stage = stage(&cluster[0], 1, 4, 100).await;
    let tokens = users(&cluster, 300, 100).await;

    let responses = join_all(
        tokens
            .iter()
            .enumerate()
            .map(|(i, t)| cluster[i % 3].book(t, &stage, &["A1"])),
    )
    .await;

    let won = responses.iter().filter(|r| r.status == 201).count();
    let lost = responses
        .iter()
        .filter(|r| r.status == 409 && r.error_code() == ErrorCode::SeatTaken)
        .count();
    assert_eq!((won, lost), (1, 299), "{:?}", statuses(&responses));
    let bookings = cluster[0].documents("bookings", doc! {}).await;
    assert_eq!(bookings.len(), 1);
    assert_invariants(&cluster[0]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_users_racing_for_one_room_over_three_instances_make_one_reservation() {
    let _turn = heavy_test_turn().await;
    let cluster = spawn_cluster(3, test_settings(&shared_server_uri().await)).await;
    let admin = cluster[0].admin_token().await;
    let room = cluster[0].room(&admin).await;
    let tokens = users(&cluster, 100, 0).await;

    // Every range overlaps every other: all cover 10:30-11:00.
    let responses = join_all(tokens.iter().enumerate().map(|(i, token)| {
        let start = at(1, 10.0 + 0.25 * (i % 3) as f64);
        let end = at(1, 11.0 + 0.25 * (i % 2) as f64);
        cluster[i % 3].reserve(token, &room.id, start, end)
    }))
    .await;

    let won = responses.iter().filter(|r| r.status == 201).count();
    let lost = responses
        .iter()
        .filter(|r| r.status == 409 && r.error_code() == ErrorCode::SlotTaken)
        .count();
    assert_eq!((won, lost), (1, 99), "{:?}", statuses(&responses));
    let reservations = cluster[0].documents("reservations", doc! {}).await;
    assert_eq!(reservations.len(), 1, "the losers left nothing behind");
    assert_invariants(&cluster[0]).await;
}

fn seat_state(map: &SeatMap, label: &str) -> SeatState {
    map.sections
        .iter()
        .flat_map(|s| &s.rows)
        .flat_map(|r| &r.seats)
        .find(|s| s.label == label)
        .map(|s| s.state)
        .unwrap_or_else(|| panic!("no seat {label}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_seat_booked_through_one_instance_is_taken_on_anothers_map_within_the_cache_ttl() {
    let _turn = heavy_test_turn().await;
    let settings = test_settings(&shared_server_uri().await);
    let ttl = Duration::from_millis(settings.events.cache_ttl_ms);
    let cluster = spawn_cluster(2, settings).await;
    let (a, b) = (&cluster[0], &cluster[1]);
    let stage = stage(a, 1, 4, 100).await;
    let buyer = a.buyer(100).await;
    let map_path = stage.perf_path("/seats");
    // B has the map cached, showing A1 free.
    let before: SeatMap = b.get(&map_path, None).await.json();
    assert_eq!(seat_state(&before, "A1"), SeatState::Available);

    a.book_ok(&buyer, &stage, &["A1"]).await;
    let booked = Instant::now();
    let seen = loop {
        let map: SeatMap = b.get(&map_path, None).await.json();
        if seat_state(&map, "A1") == SeatState::Booked {
            break booked.elapsed();
        }
        assert!(
            booked.elapsed() < ttl * 5,
            "B still shows A1 free after {:?}",
            booked.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };

    tests::report(&format!(
        "instance B showed the seat booked {} ms after A booked it (cache ttl {} ms)",
        seen.as_millis(),
        ttl.as_millis()
    ));
    // The ttl, plus one poll and one request of slack.
    assert!(seen <= ttl + Duration::from_millis(300), "{seen:?}");
}

/// Labels of the seats in `state`, sorted.
async fn seats_in(app: &TestApp, state: &str) -> Vec<String> {
    let mut labels: Vec<String> = app
        .documents("seats", doc! { "state": state })
        .await
        .iter()
        .map(|s| s.get_str("label").unwrap().to_owned())
        .collect();
    labels.sort();
    labels
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hold_sweeps_on_every_instance_free_expired_holds_and_spare_live_ones() {
    let _turn = heavy_test_turn().await;
    let mut settings = test_settings(&shared_server_uri().await);
    settings.events.hold_ttl_seconds = 3;
    settings.events.sweep_interval_seconds = 1;
    let cluster = spawn_cluster(3, settings).await;
    let stage = stage(&cluster[0], 2, 10, 10).await;
    let tokens = users(&cluster, 10, 100).await;
    let pairs: Vec<[String; 2]> = (0..10)
        .map(|i| [format!("A{}", i + 1), format!("B{}", i + 1)])
        .collect();

    // Ten holds through the three instances; every other one is paid
    // at once, through another instance.
    let (cluster, stage) = (&cluster, &stage);
    join_all(
        tokens
            .iter()
            .zip(&pairs)
            .enumerate()
            .map(|(i, (t, seats))| async move {
                let seats: Vec<&str> = seats.iter().map(String::as_str).collect();
                let hold = cluster[i % 3].hold_ok(t, stage, &seats).await;
                if i % 2 == 0 {
                    cluster[(i + 1) % 3]
                        .post_empty(&format!("/api/v1/holds/{}/confirm", hold.id), Some(t))
                        .await
                        .assert_status(201);
                }
            }),
    )
    .await;
    // Every instance sweeps each second; wait out the holds and a few sweeps.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let late = cluster[2].buyer(100).await;
    let live = cluster[2].hold_ok(&late, stage, &["B2", "B4"]).await;
    // Sweeps run on all three instances meanwhile; the new hold is live.
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let mut booked: Vec<String> = pairs.iter().step_by(2).flatten().cloned().collect();
    booked.sort();
    assert_eq!(
        seats_in(&cluster[0], "booked").await,
        booked,
        "paid holds stay booked"
    );
    assert_eq!(
        seats_in(&cluster[0], "held").await,
        vec!["B2".to_owned(), "B4".to_owned()],
        "only the live hold keeps seats"
    );
    let holds: Vec<Document> = cluster[0].documents("holds", doc! {}).await;
    let status_of = |id: &str| {
        holds
            .iter()
            .find(|h| h.get_object_id("_id").unwrap().to_hex() == id)
            .map(|h| h.get_str("status").unwrap().to_owned())
            .unwrap()
    };
    assert_eq!(status_of(&live.id.0), "active");
    let expired = holds
        .iter()
        .filter(|h| h.get_str("status").unwrap() == "expired")
        .count();
    assert_eq!(expired, 5, "each unpaid hold expired once");
    assert_invariants(&cluster[0]).await;
}
