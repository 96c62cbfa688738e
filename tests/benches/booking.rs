//! Booking benchmark: prints figures, asserts nothing about speed.
//!
//! In one run against one database it measures
//!   (a) confirmed bookings per second on distinct seats through the HTTP API,
//!       in two rounds alternating with (b) so neither always meets the fuller database,
//!   (b) the same bookings written directly through the store (the driver
//!       transaction the API runs, without HTTP, JSON and sessions): the ceiling,
//!   (c) the one-seat race: N users at once for one seat, with latencies,
//!   (d) hot reads: the show list and a seat map under many concurrent readers,
//! and prints a table with the ratio a/b.
//!
//!   cargo bench -p tests --bench booking [-- --bookings N --concurrency C --racers R --readers V]
//!
//! Uses MONGODB_URI when set, else starts its own SecantusDB.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use api::store::Store;
use api::store::holds::SeatOrder;
use futures::future::join_all;
use mongodb::bson::oid::ObjectId;
use shared::User;
use tests::events::{Stage, stage};
use tests::{DbServer, TestApp, spawn_app_with, test_settings};

struct Options {
    bookings: usize,
    concurrency: usize,
    racers: usize,
    readers: usize,
}

fn options() -> Options {
    let mut o = Options {
        bookings: 2000,
        concurrency: 32,
        racers: 200,
        readers: 200,
    };
    let args: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < args.len() {
        let value = args.get(i + 1).and_then(|v| v.parse().ok());
        match (args[i].as_str(), value) {
            ("--bookings", Some(v)) => o.bookings = v,
            ("--concurrency", Some(v)) => o.concurrency = v,
            ("--racers", Some(v)) => o.racers = v,
            ("--readers", Some(v)) => o.readers = v,
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    o
}

struct Figures {
    ops: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Figures {
    /// Two runs as one: their operations, times and latencies added up.
    fn merge(mut self, other: Figures) -> Figures {
        self.ops += other.ops;
        self.elapsed += other.elapsed;
        self.latencies.extend(other.latencies);
        self
    }

    fn rate(&self) -> f64 {
        self.ops as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&self, p: f64) -> f64 {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        if sorted.is_empty() {
            return 0.0;
        }
        let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted[index].as_secs_f64() * 1000.0
    }

    fn row(&self, name: &str) -> String {
        format!(
            "| {name:<46} | {:>6} | {:>7.2} | {:>8.1} | {:>7.1} | {:>7.1} | {:>7.1} | {:>7.1} |",
            self.ops,
            self.elapsed.as_secs_f64(),
            self.rate(),
            self.percentile(0.5),
            self.percentile(0.9),
            self.percentile(0.99),
            self.percentile(1.0),
        )
    }
}

fn seat_labels(stage: &Stage) -> Vec<String> {
    stage
        .venue
        .sections
        .iter()
        .flat_map(|s| &s.rows)
        .flat_map(|r| {
            (r.first_number..r.first_number + r.seats).map(move |n| format!("{}{n}", r.label))
        })
        .collect()
}

/// Runs `total` operations over `concurrency` workers; `op(worker, i)`.
async fn drive<F, Fut>(total: usize, concurrency: usize, op: F) -> Figures
where
    F: Fn(usize, usize) -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let next = AtomicUsize::new(0);
    let started = Instant::now();
    let per_worker = join_all((0..concurrency).map(|worker| {
        let (next, op) = (&next, &op);
        async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    return latencies;
                }
                let t = Instant::now();
                assert!(op(worker, i).await, "operation {i} failed");
                latencies.push(t.elapsed());
            }
        }
    }))
    .await;
    Figures {
        ops: total,
        elapsed: started.elapsed(),
        latencies: per_worker.into_iter().flatten().collect(),
    }
}

async fn users(app: &TestApp, n: usize) -> Vec<(User, String)> {
    let mut all = Vec::new();
    for chunk in (0..n).collect::<Vec<_>>().chunks(50) {
        all.extend(
            join_all(chunk.iter().map(|_| async {
                let (user, token) = app.new_user().await;
                app.charge(&token, 1_000_000).await.assert_status(200);
                (user, token)
            }))
            .await,
        );
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
    settings.events.max_seats_per_user = u32::MAX;
    settings.application.workers = 2;
    let app = spawn_app_with(settings.clone()).await;
    let seats_needed = (o.bookings / 2) as u32;
    let rows = seats_needed.div_ceil(100).clamp(1, 26);
    let per_row = seats_needed.div_ceil(rows).max(1);
    // Two rounds, the second in the opposite order, so neither side always
    // runs on the fuller database.
    let mut stages = Vec::new();
    for _ in 0..4 {
        stages.push(stage(&app, rows, per_row, 100).await);
    }
    let race_stage = stage(&app, 1, 4, 100).await;
    let buyers = users(&app, o.concurrency.max(o.racers)).await;
    let metrics = api::metrics::Metrics::new().expect("metrics");
    let store = Store::connect(&settings.database, metrics)
        .await
        .expect("store");
    let user_ids: Vec<ObjectId> = buyers
        .iter()
        .map(|(u, _)| ObjectId::parse_str(&u.id.0).expect("id"))
        .collect();

    // (a) HTTP: one-step bookings of distinct seats.
    let via_http = async |stage: &Stage| {
        let labels = seat_labels(stage);
        drive(o.bookings / 2, o.concurrency, |worker, i| {
            let (app, labels, token) = (&app, &labels, &buyers[worker].1);
            async move { app.book(token, stage, &[labels[i].as_str()]).await.status == 201 }
        })
        .await
    };
    // (b) The same transaction through the store, no HTTP.
    let via_driver = async |stage: &Stage| {
        let labels = seat_labels(stage);
        let performance = store
            .performance(ObjectId::parse_str(&stage.performance.id.0).expect("id"))
            .await
            .expect("performance")
            .expect("exists");
        drive(o.bookings / 2, o.concurrency, |worker, i| {
            let (store, performance, labels, user) =
                (&store, &performance, &labels, user_ids[worker]);
            async move {
                let seats = [labels[i].clone()];
                let order = SeatOrder {
                    user,
                    performance,
                    seats: &seats,
                    total: 100,
                    seat_limit: u32::MAX,
                    now: chrono::Utc::now(),
                    idempotency: None,
                };
                store.book_seats(&order).await.is_ok()
            }
        })
        .await
    };
    let http_1 = via_http(&stages[0]).await;
    let direct_1 = via_driver(&stages[1]).await;
    let direct_2 = via_driver(&stages[2]).await;
    let http_2 = via_http(&stages[3]).await;
    let http = http_1.merge(http_2);
    let direct = direct_1.merge(direct_2);
    let http_stage = &stages[0];

    // (c) The one-seat race.
    let started = Instant::now();
    let race = join_all(buyers.iter().take(o.racers).map(|(_, token)| {
        let (app, stage) = (&app, &race_stage);
        async move {
            let t = Instant::now();
            let status = app.book(token, stage, &["A1"]).await.status.as_u16();
            (status, t.elapsed())
        }
    }))
    .await;
    let race_figures = Figures {
        ops: race.len(),
        elapsed: started.elapsed(),
        latencies: race.iter().map(|(_, l)| *l).collect(),
    };
    let won = race.iter().filter(|(s, _)| *s == 201).count();
    let refused = race.iter().filter(|(s, _)| *s == 409).count();

    // (d) Hot reads while nothing changes: many readers at once.
    let seat_map = http_stage.perf_path("/seats");
    let read_figures = drive(o.readers * 10, o.readers, |_, i| {
        let (app, seat_map) = (&app, &seat_map);
        async move {
            let path = if i % 2 == 0 {
                "/api/v1/shows"
            } else {
                seat_map.as_str()
            };
            app.get(path, None).await.status == 200
        }
    })
    .await;

    println!();
    println!(
        "Booking benchmark: {} bookings of one seat each (two rounds, alternating a and b), {} concurrent clients, {} racers, {} readers; {}",
        o.bookings / 2 * 2,
        o.concurrency,
        o.racers,
        o.readers,
        if server.is_some() {
            "SecantusDB started by the benchmark (fsync on commit)"
        } else {
            "MONGODB_URI"
        }
    );
    println!();
    println!(
        "| {:<46} | {:>6} | {:>7} | {:>8} | {:>7} | {:>7} | {:>7} | {:>7} |",
        "measurement", "ops", "seconds", "ops/s", "p50 ms", "p90 ms", "p99 ms", "max ms"
    );
    println!(
        "|{:-<48}|{:-<8}|{:-<9}|{:-<10}|{:-<9}|{:-<9}|{:-<9}|{:-<9}|",
        "", "", "", "", "", "", "", ""
    );
    println!("{}", http.row("(a) bookings via HTTP API, distinct seats"));
    println!(
        "{}",
        direct.row("(b) same bookings via the driver (ceiling)")
    );
    println!(
        "{}",
        race_figures.row(&format!("(c) one-seat race: {won} won, {refused} got 409"))
    );
    println!(
        "{}",
        read_figures.row("(d) hot reads: show list + seat map")
    );
    println!();
    println!("a/b = {:.2}", http.rate() / direct.rate());
    assert_eq!(won, 1, "the race must have exactly one winner");
    assert_eq!(refused, race.len() - 1);
}
