//! Occupancy over days long past comes from the roll-ups once they are
//! sealed: the same figures as read from every reservation, and still the
//! same after an old pending reservation is approved.

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use mongodb::bson::oid::ObjectId;
use mongodb::bson::{Document, doc};
use shared::{DriftKind, OccupancyReport, ReconcileTrigger, Room};
use tests::{occupancy_figures, room_body, spawn_app};

/// `days` ago at `hour:minute` in `zone`.
fn ago(zone: Tz, days: i64, hour: u32, minute: u32) -> DateTime<Utc> {
    let date = (Utc::now() - Duration::days(days))
        .with_timezone(&zone)
        .date_naive();
    let time = NaiveTime::from_hms_opt(hour, minute, 0).unwrap();
    zone.from_local_datetime(&date.and_time(time))
        .earliest()
        .unwrap()
        .with_timezone(&Utc)
}

/// A reservation of `hours` from `start`, written as an import does.
fn stored(room: &Room, user: ObjectId, start: DateTime<Utc>, hours: f64, status: &str) -> Document {
    let end = start + Duration::minutes((hours * 60.0) as i64);
    tests::stored_reservation(room, user, (start, end), status)
}

/// Writes `docs` straight into the reservations, as an import does, then
/// does what an import must: claims their cells (a reconciliation's
/// repair), starts the rooms' roll-ups over, and seals them.
async fn imported(
    app: &tests::TestApp,
    docs: Vec<Document>,
    rooms: &[&Room],
) -> (api::store::Store, Vec<ObjectId>) {
    app.db
        .collection::<Document>("reservations")
        .insert_many(docs)
        .await
        .unwrap();
    let store = app.store().await;
    store
        .reconcile(true, ReconcileTrigger::Command)
        .await
        .unwrap();
    let ids: Vec<ObjectId> = rooms
        .iter()
        .map(|r| ObjectId::parse_str(&r.id.0).unwrap())
        .collect();
    store.reset_occupancy(&ids).await.unwrap();
    store
        .seal_occupancy(Utc::now(), Duration::hours(12))
        .await
        .unwrap();
    (store, ids)
}

#[tokio::test]
async fn sealed_days_report_what_the_reservations_say_and_follow_a_late_approval() {
    // Arrange: 21 days, 40 to 20 days ago, of 09:00-10:30 in Seoul and of
    // 23:00-01:00 across midnight in New York; a cancelled one, and one
    // still pending, in Seoul.
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (user, _) = app.new_user().await;
    let user = ObjectId::parse_str(&user.id.0).unwrap();
    let room = |name: &str, zone: &str| {
        let mut body = room_body(&format!("{name} {}", uuid::Uuid::new_v4().simple()));
        body.time_zone = Some(zone.into());
        body
    };
    let seoul = app.create_room(&admin, &room("Seoul", "Asia/Seoul")).await;
    let york = app
        .create_room(&admin, &room("York", "America/New_York"))
        .await;
    let (in_seoul, in_york) = (chrono_tz::Asia::Seoul, chrono_tz::America::New_York);
    let mut docs = Vec::new();
    for day in 20..=40 {
        docs.push(stored(
            &seoul,
            user,
            ago(in_seoul, day, 9, 0),
            1.5,
            "approved",
        ));
        docs.push(stored(
            &york,
            user,
            ago(in_york, day, 23, 0),
            2.0,
            "approved",
        ));
    }
    docs.push(stored(
        &seoul,
        user,
        ago(in_seoul, 25, 13, 0),
        1.0,
        "cancelled",
    ));
    let pending = ObjectId::new();
    let mut late = stored(&seoul, user, ago(in_seoul, 30, 14, 0), 1.0, "pending");
    late.insert("_id", pending);
    docs.push(late);
    let (store, ids) = imported(&app, docs, &[&seoul, &york]).await;

    // Act
    let filter = api::store::reports::OccupancyFilter {
        rooms: Some(ids.to_vec()),
        // Neither end on a midnight of either zone.
        from: Utc::now() - Duration::days(45) - Duration::minutes(7 * 60 + 5),
        to: Utc::now() - Duration::days(10) + Duration::minutes(5 * 60 + 3),
        longest: Duration::hours(12),
        rolled: true,
    };
    let unrolled = api::store::reports::OccupancyFilter {
        rolled: false,
        ..filter.clone()
    };
    let before = store.occupancy_report(&filter, Utc::now()).await.unwrap();

    // Assert: the sealed days were read, and agree with the reservations.
    // (The app's own sealer may have run too: the documents tell.)
    let days = app
        .db
        .collection::<Document>("occupancy_days")
        .count_documents(doc! { "room_id": { "$in": ids.to_vec() } })
        .await
        .unwrap();
    assert_eq!(days, 21 + 22, "Seoul's 21 days and New York's 22");
    assert_eq!(
        occupancy_figures(&before),
        occupancy_figures(&store.occupancy_report(&unrolled, Utc::now()).await.unwrap())
    );
    let of = |report: &OccupancyReport, room: &Room| {
        let r = report.rooms.iter().find(|r| r.room_id == room.id).unwrap();
        (r.reservations, r.minutes)
    };
    assert_eq!(of(&before, &seoul), (21, 21 * 90));
    assert_eq!(of(&before, &york), (21, 21 * 120));

    // Act: the old pending reservation is approved.
    app.post_empty(
        &format!("/api/v1/reservations/{pending}/approve"),
        Some(&admin),
    )
    .await
    .assert_status(200);

    // Assert: its hour is in the sealed days, through the API too.
    let after = store.occupancy_report(&filter, Utc::now()).await.unwrap();
    assert_eq!(of(&after, &seoul), (22, 21 * 90 + 60));
    assert_eq!(
        occupancy_figures(&after),
        occupancy_figures(&store.occupancy_report(&unrolled, Utc::now()).await.unwrap())
    );
    let query = format!(
        "/api/v1/reports/occupancy?from={}&to={}&room_id={}",
        filter.from.to_rfc3339(),
        filter.to.to_rfc3339(),
        seoul.id
    )
    .replace('+', "%2B");
    let answer = app.get(&query, Some(&admin)).await;
    answer.assert_status(200);
    let seen: OccupancyReport = answer.json();
    assert_eq!(of(&seen, &seoul), (22, 21 * 90 + 60));
}

#[tokio::test]
async fn reconciliation_finds_a_sealed_day_that_disagrees_and_recomputes_it() {
    // Arrange: a week long past in one room, sealed; then one day's
    // document changed behind the product's back.
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (user, _) = app.new_user().await;
    let user = ObjectId::parse_str(&user.id.0).unwrap();
    let mut body = room_body(&format!("Seoul {}", uuid::Uuid::new_v4().simple()));
    body.time_zone = Some("Asia/Seoul".into());
    let room = app.create_room(&admin, &body).await;
    let zone = chrono_tz::Asia::Seoul;
    let docs: Vec<Document> = (10..17)
        .map(|day| stored(&room, user, ago(zone, day, 15, 0), 2.0, "approved"))
        .collect();
    let (store, ids) = imported(&app, docs, &[&room]).await;
    let id = ids[0];
    let days = app.db.collection::<Document>("occupancy_days");
    days.update_one(
        doc! { "room_id": id, "h15": 60_i64 },
        doc! { "$inc": { "h15": 5_i64 }, "$set": { "starts": 2_i64 } },
    )
    .await
    .unwrap();

    // Act
    let found = store
        .reconcile(false, ReconcileTrigger::Command)
        .await
        .unwrap();
    let repaired = store
        .reconcile(true, ReconcileTrigger::Command)
        .await
        .unwrap();
    let after = store
        .reconcile(false, ReconcileTrigger::Command)
        .await
        .unwrap();

    // Assert
    assert_eq!(found.drift_by_kind.get(&DriftKind::OccupancyDay), Some(&1));
    let drift = found
        .drifts
        .iter()
        .find(|d| d.kind == DriftKind::OccupancyDay)
        .unwrap();
    assert_eq!(drift.target_id, room.id.0);
    assert!(
        drift
            .detail
            .contains("125 minutes and 2 reservations rolled up"),
        "{}",
        drift.detail
    );
    assert!(drift.detail.contains("make 120 and 1"), "{}", drift.detail);
    assert_eq!(repaired.repaired_count, 1);
    assert_eq!(after.drift_count, 0, "{:?}", after.drifts);
    assert_eq!(
        days.count_documents(doc! { "room_id": id }).await.unwrap(),
        7
    );
}

#[tokio::test]
async fn a_reset_racing_the_sealers_leaves_no_stale_day() {
    // Arrange: a room never sealed, and three sealers running without
    // pause, as every instance's background job might.
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (user, _) = app.new_user().await;
    let user = ObjectId::parse_str(&user.id.0).unwrap();
    let mut body = room_body(&format!("Seoul {}", uuid::Uuid::new_v4().simple()));
    body.time_zone = Some("Asia/Seoul".into());
    let room = app.create_room(&admin, &body).await;
    let id = ObjectId::parse_str(&room.id.0).unwrap();
    let zone = chrono_tz::Asia::Seoul;
    let store = app.store().await;
    let running = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sealers: Vec<_> = (0..3)
        .map(|_| {
            let (store, running) = (store.clone(), running.clone());
            tokio::spawn(async move {
                let mut passes = 0;
                while running.load(std::sync::atomic::Ordering::Relaxed) {
                    match store.seal_occupancy(Utc::now(), Duration::hours(12)).await {
                        Ok(_) => passes += 1,
                        // Outrun by the others for too long, as the
                        // background job may be: it tries again later.
                        Err(api::error::ApiError::Unavailable(_)) => {}
                        Err(e) => return Err(format!("sealing failed: {e}")),
                    }
                }
                Ok::<u32, String>(passes)
            })
        })
        .collect();

    // Act: reservations written straight into the collection, one day at
    // a time, each followed by the reset an import or the seed does.
    let reservations = app.db.collection::<Document>("reservations");
    for day in 10..40 {
        reservations
            .insert_one(stored(&room, user, ago(zone, day, 9, 0), 1.0, "approved"))
            .await
            .unwrap();
        store.reset_occupancy(&[id]).await.unwrap();
    }
    running.store(false, std::sync::atomic::Ordering::Relaxed);
    let mut passes = 0;
    for sealer in sealers {
        passes += sealer.await.unwrap().unwrap();
    }
    store
        .seal_occupancy(Utc::now(), Duration::hours(12))
        .await
        .unwrap();

    // Assert: every day is in the roll-ups, none sealed from a stale view.
    assert!(passes > 0);
    let found = store
        .reconcile(false, ReconcileTrigger::Command)
        .await
        .unwrap();
    let stale: Vec<_> = found
        .drifts
        .iter()
        .filter(|d| d.kind == DriftKind::OccupancyDay)
        .map(|d| &d.detail)
        .collect();
    assert!(stale.is_empty(), "{stale:?}");
    let days = app.db.collection::<Document>("occupancy_days");
    assert_eq!(
        days.count_documents(doc! { "room_id": id }).await.unwrap(),
        30
    );
    // The reservations skipped claiming their cells: claim them.
    store
        .reconcile(true, ReconcileTrigger::Command)
        .await
        .unwrap();
}
