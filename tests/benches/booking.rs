//! Booking benchmark: prints figures, asserts nothing about speed.
//!
//! In one run against one database it measures
//!   (a) confirmed bookings per second on distinct seats of one performance
//!       through the HTTP API, in two rounds alternating with (b) so neither
//!       always meets the fuller database,
//!   (b) the same bookings written directly through the store (the driver
//!       transaction the API runs, without HTTP, JSON and sessions),
//!   (e) the minimal raw transaction a booking needs (seat, booking, wallet
//!       debit, ledger entry; nothing else): the database's limit,
//!   (c) the one-seat race: N users at once for one seat, with latencies,
//!   (g) room reservations through the API, every client on one room,
//!   (h) room reservations through the API, each client on its own room,
//!   (f) the minimal raw transaction a reservation needs (the reservation
//!       and its cells),
//!   (d) hot reads: the show list and a seat map under many concurrent
//!       readers, and (s) a static file of the seat map's size served by
//!       the same actix server under the same load,
//! and prints the table with the ratios a/b, a/e, g/f, h/f and d/s.
//!
//!   cargo bench -p tests --bench booking [-- --bookings N --concurrency C
//!       --racers R --readers V --reservations M --room-clients K]
//!
//! Uses MONGODB_URI when set, else starts its own SecantusDB.

#[path = "booking/figures.rs"]
mod figures;
#[path = "booking/raw.rs"]
mod raw;
#[path = "booking/reads.rs"]
mod reads;
#[path = "booking/rooms.rs"]
mod rooms;

use std::time::Instant;

use api::store::Store;
use api::store::holds::SeatOrder;
use api::store::outbox::Actor;
use figures::{Figures, drive, numeric_options};
use futures::future::join_all;
use mongodb::bson::oid::ObjectId;
use raw::Raw;
use shared::User;
use tests::events::{Stage, stage};
use tests::{DbServer, TestApp, spawn_app_with, test_settings};

struct Options {
    bookings: usize,
    concurrency: usize,
    racers: usize,
    readers: usize,
    reservations: usize,
    room_clients: usize,
}

fn options() -> Options {
    let given = numeric_options();
    let or = |name: &str, default: usize| given.get(name).copied().unwrap_or(default);
    Options {
        bookings: or("--bookings", 2000),
        concurrency: or("--concurrency", 32),
        racers: or("--racers", 1000),
        readers: or("--readers", 200),
        reservations: or("--reservations", 2000),
        room_clients: or("--room-clients", 16),
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
    settings.application.workers = 2;
    // E-mail as deployed by default: every booking makes an e-mail job,
    // which the mailer writes to the log (no SMTP server configured).
    settings.mail = api::configuration::Settings::defaults()
        .expect("default settings")
        .mail;
    if std::env::var_os("BENCH_MAIL_OFF").is_some() {
        settings.mail.send = false;
    }
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
    let buyers = users(&app, o.concurrency.max(o.racers).max(o.room_clients)).await;
    let metrics = api::metrics::Metrics::new().expect("metrics");
    let store = Store::connect(&settings.database, metrics.clone())
        .await
        .expect("store");
    let user_ids: Vec<ObjectId> = buyers
        .iter()
        .map(|(u, _)| ObjectId::parse_str(&u.id.0).expect("id"))
        .collect();
    let raw = Raw::connect(&uri, &format!("{}_raw", settings.database.name)).await;
    raw.prepare().await;

    // Booking `i` is made by buyer `i % buyers`: a rush of people buying a
    // seat each, within the default per-user seat limit.
    let seat_limit = settings.events.max_seats_per_user;
    let buyer = |i: usize| i % buyers.len();

    // (a) HTTP: one-step bookings of distinct seats.
    let via_http = async |stage: &Stage| {
        let labels = seat_labels(stage);
        drive(o.bookings / 2, o.concurrency, |_, i| {
            let (app, labels, token) = (&app, &labels, &buyers[buyer(i)].1);
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
        drive(o.bookings / 2, o.concurrency, |_, i| {
            let (store, performance, labels, user) =
                (&store, &performance, &labels, user_ids[buyer(i)]);
            async move {
                let seats = [labels[i].clone()];
                let actor = Actor::user(user, "bench@example.com");
                let order = SeatOrder {
                    user,
                    performance,
                    seats: &seats,
                    total: 100,
                    seat_limit,
                    now: chrono::Utc::now(),
                    idempotency: None,
                    actor: &actor,
                };
                store.book_seats(&order).await.is_ok()
            }
        })
        .await
    };
    // (e) The minimal raw transaction, on a performance of the same size.
    let via_raw = async |stage: &Stage| {
        let labels = seat_labels(stage);
        let performance = ObjectId::new();
        raw.seats(performance, &labels).await;
        for user in &user_ids {
            raw.fund(*user, 1_000_000).await;
        }
        drive(o.bookings / 2, o.concurrency, |_, i| {
            let (raw, labels, user) = (&raw, &labels, user_ids[buyer(i)]);
            async move { raw.book(performance, &labels[i], user, 100).await }
        })
        .await
    };
    let http_1 = via_http(&stages[0]).await;
    let direct_1 = via_driver(&stages[1]).await;
    let raw_1 = via_raw(&stages[1]).await;
    let raw_2 = via_raw(&stages[2]).await;
    let direct_2 = via_driver(&stages[2]).await;
    let http_2 = via_http(&stages[3]).await;
    let per_command =
        figures::command_times(&metrics.render().expect("metrics"), o.bookings / 2 * 2);
    let http = http_1.merge(http_2);
    let direct = direct_1.merge(direct_2);
    let minimal = raw_1.merge(raw_2);
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

    // (g), (h), (f): room reservations.
    let admin = app.admin_token().await;
    let mut rooms = Vec::new();
    for _ in 0..o.room_clients {
        rooms.push(app.room(&admin).await);
    }
    let tokens: Vec<String> = buyers
        .iter()
        .take(o.room_clients)
        .map(|(_, t)| t.clone())
        .collect();
    let one_room = rooms::via_http(&app, &tokens, &rooms[..1], o.reservations).await;
    let raw_rooms = rooms::via_raw(&raw, o.room_clients, o.room_clients, o.reservations).await;
    let many_rooms = rooms::via_http(&app, &tokens, &rooms[1..], o.reservations).await;

    // (d) Hot reads while nothing changes, and (s) the seat map's bytes as
    // a static file.
    let seat_map = http_stage.perf_path("/seats");
    let show_list = reads::hot(&app, "/api/v1/shows", o.readers).await;
    let map_reads = reads::hot(&app, &seat_map, o.readers).await;
    let body = app.get(&seat_map, None).await.body.to_string();
    let (twin, twin_dir) = reads::static_twin(&settings, body.as_bytes()).await;
    let static_reads = reads::hot(&twin, "/twin.json", o.readers).await;
    let _ = std::fs::remove_dir_all(twin_dir);

    println!();
    println!(
        "Booking benchmark: {} bookings of one seat each (two rounds, alternating a, b and e), {} concurrent clients, {} racers, {} reservations by {} clients, {} readers; {}",
        o.bookings / 2 * 2,
        o.concurrency,
        o.racers,
        o.reservations,
        o.room_clients,
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
    for (figures, name) in [
        (
            &http,
            "(a) bookings via HTTP API, distinct seats".to_owned(),
        ),
        (&direct, "(b) same bookings via the store".to_owned()),
        (&minimal, "(e) minimal raw booking transaction".to_owned()),
        (
            &race_figures,
            format!("(c) one-seat race: {won} won, {refused} got 409"),
        ),
        (
            &one_room,
            "(g) reservations via HTTP API, one room".to_owned(),
        ),
        (
            &many_rooms,
            format!("(h) reservations via HTTP API, {} rooms", rooms.len() - 1),
        ),
        (
            &raw_rooms,
            "(f) minimal raw reservation transaction".to_owned(),
        ),
        (&show_list, "(d1) hot reads: show list".to_owned()),
        (
            &map_reads,
            format!("(d2) hot reads: seat map ({} bytes)", body.len()),
        ),
        (
            &static_reads,
            "(s) the seat map's bytes as a static file".to_owned(),
        ),
    ] {
        println!("{}", figures.row(&name));
    }
    println!();
    println!(
        "a/b = {:.2}, a/e = {:.2}, g/f = {:.2}, h/f = {:.2}, d2/s = {:.2}",
        http.rate() / direct.rate(),
        http.rate() / minimal.rate(),
        one_room.rate() / raw_rooms.rate(),
        many_rooms.rate() / raw_rooms.rate(),
        map_reads.rate() / static_reads.rate(),
    );
    println!("(b) database time per command, and commands per booking: {per_command}");
    assert_eq!(won, 1, "the race must have exactly one winner");
    assert_eq!(refused, race.len() - 1);
}
