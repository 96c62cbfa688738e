//! The waiting room's scheduler ticks driven by the test itself, through
//! the store: two at the same moments, and one whose clock reading is
//! earlier than the last tick's stamp.

use std::time::{Duration, Instant};

use mongodb::bson::doc;
use mongodb::bson::oid::ObjectId;
use tests::events::{buyers_across, stage};
use tests::queue::settings;
use tests::{heavy_test_turn, shared_server_uri, spawn_app_with, test_settings};

use super::queue::{assert_line, millis};

/// A store of its own, as a second scheduling process would have.
async fn connect(config: &api::configuration::Settings) -> api::store::Store {
    let metrics = api::metrics::Metrics::new().unwrap();
    api::store::Store::connect(&config.database, metrics)
        .await
        .unwrap()
}

/// One tick of `performance`'s line at the database's now plus `late`
/// seconds; returns how many it admitted.
async fn tick(store: &api::store::Store, performance: ObjectId, late: i64) -> u64 {
    let state = store.queue_state(performance).await.unwrap().unwrap();
    let now = store.server_time().await.unwrap() + chrono::Duration::seconds(late);
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut gaps = api::store::queue::Gaps::default();
    store
        .tick_queue(&state, now, &mut gaps, deadline)
        .await
        .unwrap()
        .admitted
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_schedulers_ticking_at_once_admit_nobody_twice() {
    // Arrange: the lease normally keeps a second scheduler out; here two
    // run the same line at the same moments, round after round.
    let _turn = heavy_test_turn().await;
    let mut config = test_settings(&shared_server_uri().await);
    config.queue.tick_ms = 3_600_000;
    let app = spawn_app_with(config.clone()).await;
    let stage = stage(&app, 1, 4, 10).await;
    app.set_queue(&stage, &settings(Some(600), None)).await;
    for token in buyers_across(&[&app], 120, 0).await {
        app.join_ok(&token, &stage).await;
    }
    let (one, two) = (connect(&config).await, connect(&config).await);
    let performance = ObjectId::parse_str(&stage.performance.id.0).unwrap();

    // Act
    let mut claimed = 0;
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let (a, b) = tokio::join!(tick(&one, performance, 0), tick(&two, performance, 0));
        claimed += a + b;
    }

    // Assert: every admission either scheduler counted is a distinct buyer.
    let admitted = app
        .documents("queue_tickets", doc! { "status": "admitted" })
        .await;
    assert!(!admitted.is_empty());
    assert_eq!(claimed, admitted.len() as u64, "a buyer was admitted twice");
    // (Order is the lease's job: without it, two schedulers may interleave.)
    let admitted_at: Vec<_> = admitted
        .iter()
        .filter_map(|t| millis(t, "admitted_at"))
        .collect();
    assert_eq!(admitted_at.len(), admitted.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_tick_whose_clock_reads_early_still_admits_after_the_last_one() {
    // Arrange: the test ticks the line; the app's own scheduler sleeps.
    // Two may shop at once, four wait.
    let _turn = heavy_test_turn().await;
    let mut config = test_settings(&shared_server_uri().await);
    config.queue.tick_ms = 3_600_000;
    let app = spawn_app_with(config.clone()).await;
    let stage = stage(&app, 1, 4, 10).await;
    app.set_queue(&stage, &settings(None, Some(2))).await;
    let tokens = buyers_across(&[&app], 4, 10).await;
    let mut tickets = Vec::new();
    for token in &tokens {
        tickets.push(app.join_ok(token, &stage).await);
    }
    let store = connect(&config).await;
    let performance = ObjectId::parse_str(&stage.performance.id.0).unwrap();

    // Act: a tick whose reading of the clock came back 5 s late admits the
    // first two, who buy; the next tick gets its reading at once, so its
    // clock is behind the last tick's stamp.
    assert_eq!(tick(&store, performance, 5).await, 2);
    for (i, ticket) in tickets.iter().take(2).enumerate() {
        let ticket = app
            .wait_turn(ticket.clone(), 200, Duration::from_secs(30))
            .await;
        let pass = ticket.admission.map(|a| a.token);
        app.book_admitted(
            &tokens[i],
            &stage,
            &[&format!("A{}", i + 1)],
            pass.as_deref(),
        )
        .await
        .assert_status(201);
    }
    assert_eq!(tick(&store, performance, 0).await, 2);

    // Assert: the stamps are in the order of the line, as the admissions were.
    let stored = app.documents("queue_tickets", doc! {}).await;
    assert_line(&stored, 4, 2);
    let stamps: Vec<i64> = stored
        .iter()
        .filter_map(|t| millis(t, "admitted_at"))
        .collect();
    assert_eq!(stamps.len(), 4, "everyone had a turn");
}
