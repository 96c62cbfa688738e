//! `api archive --before DATE`: finished reservations and the bookings of
//! past performances leave the live collections for the archive, verified
//! by counts, readable through the API, with reports, wallets and
//! reconciliation unchanged.

use chrono::{TimeZone, Utc};
use mongodb::bson::{Document, doc};
use shared::{ArchivedBooking, ArchivedReservation, ErrorCode, OccupancyReport, Page};
use tests::archive::{History, past_history, run_archive as archive};
use tests::{TestApp, invariants, spawn_app};

async fn count(app: &TestApp, collection: &str, filter: Document) -> u64 {
    app.db
        .collection::<Document>(collection)
        .count_documents(filter)
        .await
        .unwrap()
}

async fn minutes(app: &TestApp, admin: &str) -> Vec<(String, u64)> {
    let report: OccupancyReport = app
        .get(
            "/api/v1/reports/occupancy?from=2025-01-01T00:00:00Z&to=2025-12-31T00:00:00Z",
            Some(admin),
        )
        .await
        .json();
    let mut rooms: Vec<(String, u64)> = report
        .rooms
        .into_iter()
        .map(|r| (r.room_name, r.minutes))
        .collect();
    rooms.sort();
    rooms
}

#[tokio::test]
async fn an_archive_run_moves_finished_records_verifies_them_and_keeps_them_readable() {
    // Arrange: ten reservations from the browser slice of the Orion export
    // (five finished in 2025), and a performance played in November 2025
    // with two seats sold to one buyer and a booking cancelled by another.
    let app = spawn_app().await;
    let store = app.store().await;
    let History {
        performance,
        played,
        buyer,
        booked,
        ..
    } = past_history(&app).await;
    let admin = app.admin_token().await;
    let finished = doc! { "end": { "$lte": mongodb::bson::DateTime::from_chrono(
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()) } };
    let older = count(&app, "reservations", finished.clone()).await;
    let live_before = count(&app, "reservations", doc! {}).await;
    assert_eq!(older, 5);
    let occupancy_before = minutes(&app, &admin).await;
    let balance = app.balance(&buyer).await;

    // Act + Assert: a date too recent is refused, naming why; nothing moves.
    let recent = archive(&app, &Utc::now().format("%Y-%m-%d").to_string());
    assert!(!recent.status.success());
    let err = String::from_utf8_lossy(&recent.stderr);
    assert!(err.contains("must be at least 2 days ago"), "{err}");
    assert!(!archive(&app, "01/01/2026").status.success());
    assert_eq!(count(&app, "reservations", doc! {}).await, live_before);

    // Act
    let run = archive(&app, "2026-01-01");

    // Assert: the verification printed, the live data and the archive.
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    println!("{out}");
    assert!(
        out.contains("verified: every archived record was read back"),
        "{out}"
    );
    assert!(
        out.contains(
            "reservations         5 older         5 archived      0 left         5 in archive"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "bookings             2 older         2 archived      0 left         2 in archive"
        ),
        "{out}"
    );
    assert_eq!(count(&app, "reservations", finished).await, 0);
    assert_eq!(count(&app, "reservations", doc! {}).await, live_before - 5);
    assert_eq!(count(&app, "reservations_archive", doc! {}).await, 5);
    assert_eq!(
        count(&app, "bookings", doc! { "performance_id": performance }).await,
        0
    );
    assert_eq!(
        count(&app, "seats", doc! { "performance_id": performance }).await,
        0
    );
    assert_eq!(
        count(&app, "booked_seats", doc! { "performance_id": performance }).await,
        0
    );
    assert_eq!(
        count(&app, "events", doc! { "type": "reservation.archived" }).await,
        5
    );
    assert_eq!(
        count(&app, "events", doc! { "type": "booking.archived" }).await,
        2
    );
    let marked = &app
        .documents("performances", doc! { "_id": performance })
        .await[0];
    assert!(marked.get_datetime("archived_at").is_ok());
    assert_eq!(app.balance(&buyer).await, balance, "the ledger stays");
    assert_eq!(
        minutes(&app, &admin).await,
        occupancy_before,
        "the reports keep the archived days"
    );
    let problems = invariants::violations(&app.db).await.unwrap();
    assert!(problems.is_empty(), "{problems:#?}");
    let reconciled = api::reconcile::run_once(&store, false, shared::ReconcileTrigger::Command)
        .await
        .unwrap();
    assert_eq!(reconciled.drift_count, 0, "{:#?}", reconciled.drifts);

    // Assert: read back through the API, self-contained.
    let (user, _) = app.new_user().await;
    let mine = app.get("/api/v1/archive/reservations", Some(&buyer)).await;
    mine.assert_status(403);
    let _ = user;
    let all: Page<ArchivedReservation> = app
        .get("/api/v1/archive/reservations", Some(&admin))
        .await
        .json();
    assert_eq!(all.items.len(), 5);
    assert!(
        all.items.windows(2).all(|w| w[0].start >= w[1].start),
        "newest first"
    );
    let one = &all.items[0];
    assert!(!one.user.email.is_empty() && !one.room.name.is_empty());
    let by_user: Page<ArchivedReservation> = app
        .get(
            &format!(
                "/api/v1/archive/reservations?user={}",
                one.user.email.to_uppercase()
            ),
            Some(&admin),
        )
        .await
        .json();
    assert!(by_user.items.iter().all(|r| r.user.email == one.user.email));
    assert!(!by_user.items.is_empty());
    let by_room: Page<ArchivedReservation> = app
        .get(
            &format!(
                "/api/v1/archive/reservations?room={}&limit=1",
                one.room.name
            ),
            Some(&admin),
        )
        .await
        .json();
    assert_eq!(by_room.items[0].room.name, one.room.name);
    let got: ArchivedReservation = app
        .get(
            &format!("/api/v1/archive/reservations/{}", one.id),
            Some(&admin),
        )
        .await
        .json();
    assert_eq!(&got, one);
    app.get(
        "/api/v1/archive/reservations?from=2025-06-01T00:00:00Z&to=2025-01-01T00:00:00Z",
        Some(&admin),
    )
    .await
    .assert_error(422, ErrorCode::InvalidInput);
    let sold: ArchivedBooking = app
        .get(
            &format!("/api/v1/archive/bookings/{}", booked.id),
            Some(&admin),
        )
        .await
        .json();
    assert_eq!(sold.show.title, "Les Misérables");
    assert_eq!(sold.performance.starts_at, played);
    let seats: Vec<(&str, &str, u32)> = sold
        .seats
        .iter()
        .map(|s| (s.label.as_str(), s.tier.as_str(), s.price))
        .collect();
    assert_eq!(seats, [("A1", "R", 100), ("A2", "R", 100)]);
    assert_eq!(sold.total, 200);
    let by_show: Page<ArchivedBooking> = app
        .get(
            "/api/v1/archive/bookings?show=les%20mis%C3%A9rables",
            Some(&admin),
        )
        .await
        .json();
    assert_eq!(by_show.items.len(), 2);

    // Act + Assert: a date inside days the roll-ups do not hold yet is
    // refused, naming the latest date taken.
    let marks = app.documents("occupancy_marks", doc! {}).await;
    let sealed = marks
        .iter()
        .map(|m| m.get_datetime("until").unwrap().to_chrono())
        .min()
        .unwrap();
    let too_late = archive(&app, &(sealed + chrono::Duration::seconds(1)).to_rfc3339());
    assert!(!too_late.status.success());
    let err = String::from_utf8_lossy(&too_late.stderr);
    assert!(err.contains(&sealed.to_rfc3339()), "{err}");
    assert_eq!(count(&app, "reservations_archive", doc! {}).await, 5);

    // Act + Assert: again, nothing more to move; still verified.
    let again = archive(&app, "2026-01-01");
    let out = String::from_utf8_lossy(&again.stdout);
    assert!(again.status.success(), "{out}");
    assert!(
        out.contains(
            "reservations         0 older         0 archived      0 left         5 in archive"
        ),
        "{out}"
    );
}
