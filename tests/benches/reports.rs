//! Reports benchmark: prints figures, asserts nothing about speed.
//!
//! Fills one database with a year of meeting-room use (100 rooms by
//! default, six reservations a working day each, one in ten cancelled),
//! written straight to the collection, seals its days into the occupancy
//! roll-ups (timed), checks that the report from the roll-ups equals the
//! one read from every reservation, then times the occupancy report over
//! that year for every room, through the HTTP API and through the store,
//! over one month for one room, and over the year without the roll-ups.
//!
//!   cargo bench -p tests --bench reports [-- --rooms N --runs R]
//!
//! Uses MONGODB_URI when set, else starts its own SecantusDB.

// Shared with the booking benchmark, which uses all of it.
#[allow(dead_code)]
#[path = "booking/figures.rs"]
mod figures;

use std::time::{Duration as StdDuration, Instant};

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use figures::numeric_options;
use mongodb::bson::Document;
use mongodb::bson::oid::ObjectId;
use shared::{OccupancyReport, Room};
use tests::{DbServer, occupancy_figures, room_body, spawn_app_with, test_settings};

/// Local working hours of each day's reservations: (start, end) minutes.
const DAY: [(u32, u32); 6] = [
    (9 * 60, 10 * 60),
    (10 * 60 + 30, 11 * 60 + 30),
    (13 * 60, 14 * 60),
    (14 * 60 + 30, 16 * 60),
    (16 * 60, 16 * 60 + 30),
    (17 * 60, 18 * 60),
];

fn summary(label: &str, mut times: Vec<StdDuration>) {
    times.sort();
    let ms = |d: StdDuration| d.as_secs_f64() * 1000.0;
    println!(
        "{label:<44} min {:>7.1} ms   median {:>7.1} ms   max {:>7.1} ms   ({} runs)",
        ms(times[0]),
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1]),
        times.len()
    );
}

/// A year of reservations for `room`, as stored documents.
fn year_of(room: &Room, user: ObjectId, first_day: NaiveDate) -> Vec<Document> {
    let zone: chrono_tz::Tz = room.time_zone.parse().unwrap_or(chrono_tz::Asia::Seoul);
    let mut docs = Vec::new();
    for day in 0..365 {
        let date = first_day + Duration::days(day);
        if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            continue;
        }
        for (i, (from, to)) in DAY.iter().enumerate() {
            let at = |minutes: u32| {
                let local = date
                    .and_hms_opt(minutes / 60, minutes % 60, 0)
                    .expect("time");
                zone.from_local_datetime(&local)
                    .earliest()
                    .expect("local time")
                    .with_timezone(&Utc)
            };
            let cancelled = (day as usize + i).is_multiple_of(10);
            let (start, end) = (at(*from), at(*to));
            docs.push(tests::stored_reservation(
                room,
                user,
                (start, end),
                if cancelled { "cancelled" } else { "approved" },
            ));
        }
    }
    docs
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let given = numeric_options();
    let rooms_wanted = given.get("--rooms").copied().unwrap_or(100);
    let runs = given.get("--runs").copied().unwrap_or(7).max(1);
    let server = std::env::var("MONGODB_URI")
        .is_err()
        .then(DbServer::started);
    let uri = match &server {
        Some(s) => s.uri(),
        None => std::env::var("MONGODB_URI").unwrap_or_default(),
    };
    let settings = test_settings(&uri);
    let app = spawn_app_with(settings.clone()).await;
    let admin = app.admin_token().await;
    let (user, _) = app.new_user().await;
    let user = ObjectId::parse_str(&user.id.0).expect("user id");

    // A year that ended yesterday, in rooms of two time zones.
    let first_day = (Utc::now() - Duration::days(366)).date_naive();
    let started = Instant::now();
    let mut written = 0;
    let mut rooms = Vec::new();
    for i in 0..rooms_wanted {
        let mut body = room_body(&format!("Room {i:03}"));
        body.time_zone = Some(
            if i % 4 == 3 {
                "America/New_York"
            } else {
                "Asia/Seoul"
            }
            .into(),
        );
        rooms.push(app.create_room(&admin, &body).await);
    }
    let metrics = api::metrics::Metrics::new().expect("metrics");
    let store = api::store::Store::connect(&settings.database, metrics)
        .await
        .expect("store");
    let reservations = store.database().collection::<Document>("reservations");
    for room in &rooms {
        let docs = year_of(room, user, first_day);
        written += docs.len();
        reservations
            .insert_many(docs)
            .await
            .expect("reservations written");
    }
    println!(
        "{} rooms, {written} reservations over 365 days written in {:.1} s",
        rooms.len(),
        started.elapsed().as_secs_f64()
    );
    // Written straight into the collection, so the roll-ups start over
    // (as after an import), and are sealed once, timed.
    let ids: Vec<ObjectId> = rooms
        .iter()
        .map(|r| ObjectId::parse_str(&r.id.0).expect("room id"))
        .collect();
    store.reset_occupancy(&ids).await.expect("roll-ups reset");
    let sealing = Instant::now();
    let days = store
        .seal_occupancy(Utc::now(), Duration::hours(12))
        .await
        .expect("sealed");
    println!(
        "sealed {days} room-days in {:.1} s",
        sealing.elapsed().as_secs_f64()
    );

    let to = Utc::now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc();
    let from = to - Duration::days(365);
    let query = format!(
        "/api/v1/reports/occupancy?from={}&to={}",
        from.to_rfc3339(),
        to.to_rfc3339()
    )
    .replace('+', "%2B");
    let filter = api::store::reports::OccupancyFilter {
        rooms: None,
        from,
        to,
        longest: Duration::hours(12),
        rolled: true,
    };
    let unrolled = api::store::reports::OccupancyFilter {
        rolled: false,
        ..filter.clone()
    };
    let one_room = api::store::reports::OccupancyFilter {
        rooms: Some(vec![ids[0]]),
        from: to - Duration::days(30),
        ..filter.clone()
    };

    // One untimed run of each first (caches, connections).
    let first = app.get(&query, Some(&admin)).await;
    first.assert_status(200);
    let report: OccupancyReport = first.json();
    let minutes: u64 = report.rooms.iter().map(|r| r.minutes).sum();
    println!(
        "the report: {} rooms, {} reservations, {:.0} hours reserved; busiest {} at {:.1}%",
        report.rooms.len(),
        report
            .rooms
            .iter()
            .map(|r| u64::from(r.reservations))
            .sum::<u64>(),
        minutes as f64 / 60.0,
        report.rooms[0].room_name,
        report.rooms[0].share * 100.0
    );
    let mut http = Vec::new();
    let mut direct = Vec::new();
    let mut month = Vec::new();
    let mut live = Vec::new();
    let from_rollups = store
        .occupancy_report(&filter, Utc::now())
        .await
        .expect("report");
    let from_reservations = store
        .occupancy_report(&unrolled, Utc::now())
        .await
        .expect("report");
    assert_eq!(
        occupancy_figures(&from_rollups),
        occupancy_figures(&from_reservations),
        "the roll-ups agree with the reservations"
    );
    for _ in 0..runs {
        let t = Instant::now();
        app.get(&query, Some(&admin)).await.assert_status(200);
        http.push(t.elapsed());
        let t = Instant::now();
        store
            .occupancy_report(&filter, Utc::now())
            .await
            .expect("report");
        direct.push(t.elapsed());
        let t = Instant::now();
        store
            .occupancy_report(&one_room, Utc::now())
            .await
            .expect("report");
        month.push(t.elapsed());
        let t = Instant::now();
        store
            .occupancy_report(&unrolled, Utc::now())
            .await
            .expect("report");
        live.push(t.elapsed());
    }
    summary("occupancy, a year, every room, HTTP", http);
    summary("occupancy, a year, every room, store", direct);
    summary("occupancy, a month, one room, store", month);
    summary("occupancy, a year, every room, store, no roll-ups", live);
    // The year was written without the cells a reservation claims (the
    // report does not read them), which the check of derived data every
    // test app makes when dropped would report: the database goes first.
    app.db
        .drop()
        .await
        .expect("the benchmark's database dropped");
}
