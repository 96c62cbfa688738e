//! Waiting-room benchmark: prints figures, asserts nothing about speed.
//!
//! One API instance, one performance with its waiting room on and a pace
//! slow enough that the line hardly moves. It measures
//!   (j) joins: N buyers (10,000 by default) each taking a place, and
//!   (p) status polls (`GET /queue/{ticket}`, the heartbeat too) spread
//!       over all of them while N wait,
//! with throughput and latency percentiles, client and server sharing the
//! machine.
//!
//!   cargo bench -p tests --bench queue [-- --buyers N --polls P --concurrency C]
//!
//! Uses MONGODB_URI when set, else starts its own SecantusDB.

// Shared with the booking benchmark, which uses all of it.
#[allow(dead_code)]
#[path = "booking/figures.rs"]
mod figures;

use std::time::Instant;

use figures::{drive, numeric_options};
use futures::future::join_all;
use shared::{QueueSettings, QueueStatus, QueueTicket};
use tests::events::stage;
use tests::{DbServer, TestApp, spawn_app_with, test_settings};

struct Options {
    buyers: usize,
    polls: usize,
    concurrency: usize,
}

fn options() -> Options {
    let given = numeric_options();
    let or = |name: &str, default: usize| given.get(name).copied().unwrap_or(default);
    Options {
        buyers: or("--buyers", 10_000),
        polls: or("--polls", 50_000),
        concurrency: or("--concurrency", 64),
    }
}

/// `n` signed-in buyers, registered 100 at a time.
async fn buyers(app: &TestApp, n: usize) -> Vec<String> {
    let mut all = Vec::with_capacity(n);
    for chunk in (0..n).collect::<Vec<_>>().chunks(100) {
        all.extend(join_all(chunk.iter().map(|_| async { app.new_user().await.1 })).await);
    }
    all
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let o = options();
    let server = std::env::var("MONGODB_URI")
        .is_err()
        .then(DbServer::started);
    let uri = match &server {
        Some(s) => s.uri(),
        None => std::env::var("MONGODB_URI").unwrap_or_default(),
    };
    let mut settings = test_settings(&uri);
    settings.application.workers = 2;
    // The product's pace, not the tests' quick one.
    let defaults = api::configuration::Settings::defaults().expect("defaults");
    settings.queue = defaults.queue;
    let app = spawn_app_with(settings).await;
    let stage = stage(&app, 1, 10, 100).await;
    // One admission a minute and a long grace: the line stays put while
    // it is measured, and nobody drops out of it.
    app.set_queue(
        &stage,
        &QueueSettings {
            enabled: true,
            admit_per_minute: Some(1),
            max_active: None,
            shop_seconds: 600,
            grace_seconds: 3600,
            pre_queue: false,
        },
    )
    .await;
    let started = Instant::now();
    let tokens = buyers(&app, o.buyers).await;
    println!(
        "{} buyers registered and signed in in {:.1} s",
        o.buyers,
        started.elapsed().as_secs_f64()
    );

    let tickets = std::sync::Mutex::new(vec![None::<String>; o.buyers]);
    let joins = drive(o.buyers, o.concurrency, |_, i| {
        let (app, stage, token, tickets) = (&app, &stage, &tokens[i], &tickets);
        async move {
            let response = app.join(token, stage).await;
            let ok = response.status == 201;
            if ok {
                let ticket: QueueTicket = response.json();
                tickets.lock().expect("tickets")[i] = Some(ticket.ticket);
            }
            ok
        }
    })
    .await;
    let tickets: Vec<String> = tickets
        .into_inner()
        .expect("tickets")
        .into_iter()
        .map(|t| t.expect("every join answered with a ticket"))
        .collect();

    let statuses = std::sync::Mutex::new([0usize; 4]);
    let polls = drive(o.polls, o.concurrency, |_, i| {
        let (app, ticket, statuses) = (&app, &tickets[i % tickets.len()], &statuses);
        async move {
            let response = app.get(&format!("/api/v1/queue/{ticket}"), None).await;
            if response.status != 200 {
                return false;
            }
            let status = response.json::<QueueTicket>().status;
            statuses.lock().expect("statuses")[match status {
                QueueStatus::Waiting => 0,
                QueueStatus::Admitted => 1,
                QueueStatus::Expired => 2,
                QueueStatus::Closed => 3,
            }] += 1;
            true
        }
    })
    .await;
    let overview = app.queue_overview(&stage).await;

    println!();
    println!(
        "| {:<46} | {:>6} | {:>7} | {:>8} | {:>7} | {:>7} | {:>7} | {:>7} |",
        "row", "ops", "s", "ops/s", "p50 ms", "p90 ms", "p99 ms", "max ms"
    );
    println!(
        "|{:-<48}|{:->8}|{:->9}|{:->10}|{:->9}|{:->9}|{:->9}|{:->9}|",
        "", "", "", "", "", "", "", ""
    );
    println!("{}", joins.row(&format!("(j) joins, {} buyers", o.buyers)));
    println!(
        "{}",
        polls.row(&format!("(p) polls with {} waiting", overview.waiting))
    );
    let [waiting, admitted, expired, closed] = statuses.into_inner().expect("statuses");
    println!();
    println!(
        "polls answered: {waiting} waiting, {admitted} admitted, {expired} expired, {closed} closed; \
         line at the end: {} waiting, {} admitted in all",
        overview.waiting, overview.admitted_total
    );
    println!(
        "concurrency {}, one API instance with 2 workers",
        o.concurrency
    );
    drop(server);
}
