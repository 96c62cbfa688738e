//! Reconciliation: derived data edited behind the API's back is reported
//! with its ids and repaired, nothing is reported or changed while
//! bookings race it, and the periodic job runs once at a time across
//! instances.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::future::join_all;
use mongodb::bson::oid::ObjectId;
use mongodb::bson::{DateTime, Document, doc};
use shared::{DriftKind, ErrorCode, Reconciliation};
use tests::events::{Stage, stage};
use tests::{
    TestApp, at, invariants, shared_server_uri, spawn_app, spawn_app_with, spawn_cluster,
    test_settings,
};

async fn reconcile(app: &TestApp, admin: &str, repair: bool) -> Reconciliation {
    let response = app
        .post(
            "/api/v1/reconciliations",
            Some(admin),
            &serde_json::json!({ "repair": repair }),
        )
        .await;
    response.assert_status(201);
    response.json()
}

fn oid(id: &str) -> ObjectId {
    ObjectId::parse_str(id).unwrap()
}

fn kinds(run: &Reconciliation) -> BTreeMap<DriftKind, u64> {
    run.drift_by_kind.clone()
}

fn details(run: &Reconciliation, kind: DriftKind) -> Vec<String> {
    run.drifts
        .iter()
        .filter(|d| d.kind == kind)
        .map(|d| format!("{} {}: {}", d.target_type, d.target_id, d.detail))
        .collect()
}

async fn set_seat(app: &TestApp, stage: &Stage, label: &str, update: Document) {
    let changed = app
        .db
        .collection::<Document>("seats")
        .update_one(
            doc! { "performance_id": oid(&stage.performance.id.0), "label": label },
            update,
        )
        .await
        .unwrap();
    assert_eq!(changed.modified_count, 1, "seat {label} edited");
}

#[tokio::test]
async fn drift_edited_behind_the_apis_back_is_reported_with_its_ids_and_repaired() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let stage = stage(&app, 1, 6, 10).await;
    let buyer = app.buyer(100).await;
    let booking = app.book_ok(&buyer, &stage, &["A1", "A2"]).await;
    let hold = app.hold_ok(&buyer, &stage, &["A3"]).await;
    let room = app.room(&admin).await;
    let (_, user) = app.new_user().await;
    let reservation = app
        .reserve_ok(&user, &room.id, at(1, 10.0), at(1, 11.0))
        .await;
    let clean = reconcile(&app, &admin, false).await;
    assert_eq!(clean.drift_count, 0, "{:?}", clean.drifts);
    assert_eq!(clean.checked.performances, 1);
    assert_eq!(clean.checked.seats, 6);
    assert_eq!(clean.checked.bookings, 1);
    assert_eq!(clean.checked.holds, 1);
    assert_eq!(clean.checked.reservations, 1);
    assert_eq!(clean.checked.wallets, 1);

    // Behind the API's back: a booked seat freed, a free seat booked by
    // nothing, a held seat freed, a booked-seat guard and a room cell
    // lost, a cell claimed by nothing, a wallet, a seat-limit guard and a
    // seat count changed.
    set_seat(
        &app,
        &stage,
        "A1",
        doc! { "$set": { "state": "available" }, "$unset": { "booking_id": "", "holder": "" } },
    )
    .await;
    let phantom = ObjectId::new();
    set_seat(
        &app,
        &stage,
        "A5",
        doc! { "$set": { "state": "booked", "booking_id": phantom } },
    )
    .await;
    set_seat(&app, &stage, "A3", doc! { "$set": { "state": "available" }, "$unset": { "hold_id": "", "hold_expires_at": "", "holder": "" } }).await;
    let db = &app.db;
    let gone = db
        .collection::<Document>("booked_seats")
        .delete_one(doc! { "label": "A2" })
        .await
        .unwrap();
    assert_eq!(gone.deleted_count, 1);
    let lost_cell = db
        .collection::<Document>("room_slots")
        .find_one_and_delete(doc! { "reservation_id": oid(&reservation.id.0) })
        .await
        .unwrap()
        .unwrap();
    db.collection::<Document>("room_slots")
        .insert_one(doc! {
            "room_id": oid(&room.id.0),
            "cell": DateTime::from_chrono(at(2, 9.0)),
            "reservation_id": phantom,
        })
        .await
        .unwrap();
    db.collection::<Document>("wallets")
        .update_many(doc! {}, doc! { "$inc": { "balance": 50 } })
        .await
        .unwrap();
    db.collection::<Document>("seat_guards")
        .update_many(doc! {}, doc! { "$set": { "live": [] } })
        .await
        .unwrap();
    db.collection::<Document>("performances")
        .update_many(doc! {}, doc! { "$inc": { "total_seats": 1 } })
        .await
        .unwrap();
    assert!(!invariants::violations(db).await.unwrap().is_empty());

    let found = reconcile(&app, &admin, false).await;

    let expected: BTreeMap<DriftKind, u64> = [
        (DriftKind::SeatState, 3),
        (DriftKind::BookedSeat, 1),
        (DriftKind::SeatGuard, 1),
        (DriftKind::SeatCount, 1),
        (DriftKind::RoomCell, 2),
        (DriftKind::WalletBalance, 1),
    ]
    .into();
    assert_eq!(kinds(&found), expected, "{:#?}", found.drifts);
    assert_eq!(found.drift_count, 9);
    assert_eq!(found.repaired_count, 0);
    assert!(found.drifts.iter().all(|d| !d.repaired));
    let seats = details(&found, DriftKind::SeatState).join("\n");
    let performance = &stage.performance.id.0;
    assert!(
        seats.contains(&format!(
            "performance {performance}: seat A1 is available but booking {}",
            booking.id.0
        )),
        "{seats}"
    );
    assert!(
        seats.contains(&format!(
            "seat A5 is booked by booking {phantom}, which is no confirmed booking"
        )),
        "{seats}"
    );
    assert!(
        seats.contains(&format!("seat A3 is available but hold {}", hold.id.0)),
        "{seats}"
    );
    let cells = details(&found, DriftKind::RoomCell).join("\n");
    let cell_at = lost_cell
        .get_datetime("cell")
        .unwrap()
        .to_chrono()
        .to_rfc3339();
    assert!(
        cells.contains(&format!(
            "room {}: cell {cell_at} of reservation {} is not claimed",
            room.id.0, reservation.id.0
        )),
        "{cells}"
    );
    assert!(
        cells.contains(&format!(
            "is claimed by {phantom}, which is no active reservation"
        )),
        "{cells}"
    );
    let wallet = details(&found, DriftKind::WalletBalance).join("\n");
    assert!(
        wallet.contains("holds 130 points but its ledger sums to 80"),
        "{wallet}"
    );

    let repaired = reconcile(&app, &admin, true).await;

    assert_eq!(kinds(&repaired), expected);
    assert_eq!(repaired.repaired_count, 9);
    assert!(repaired.drifts.iter().all(|d| d.repaired));
    let after = reconcile(&app, &admin, false).await;
    assert_eq!(after.drift_count, 0, "{:#?}", after.drifts);
    assert_eq!(
        invariants::violations(db).await.unwrap(),
        Vec::<String>::new()
    );
    // The repaired data decides again: A1 is taken, A5 is free, the
    // wallet holds what its ledger says.
    assert_eq!(app.balance(&buyer).await, 80);
    let other = app.buyer(100).await;
    app.book(&other, &stage, &["A1"])
        .await
        .assert_error(409, ErrorCode::SeatTaken);
    app.book(&other, &stage, &["A3"])
        .await
        .assert_error(409, ErrorCode::SeatTaken);
    app.book_ok(&other, &stage, &["A5"]).await;
    let runs: Vec<Reconciliation> = app
        .get("/api/v1/reconciliations?limit=3", Some(&admin))
        .await
        .json();
    let ids: Vec<&str> = runs.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        [after.id.as_str(), repaired.id.as_str(), found.id.as_str()]
    );
}

#[tokio::test]
async fn only_admins_run_or_read_reconciliations_and_bad_requests_are_named() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, user) = app.new_user().await;

    app.get("/api/v1/reconciliations", None)
        .await
        .assert_error(401, ErrorCode::Unauthenticated);
    app.get("/api/v1/reconciliations", Some(&user))
        .await
        .assert_error(403, ErrorCode::Forbidden);
    app.post(
        "/api/v1/reconciliations",
        Some(&user),
        &serde_json::json!({}),
    )
    .await
    .assert_error(403, ErrorCode::Forbidden);
    let bad = app
        .get("/api/v1/reconciliations?limit=0", Some(&admin))
        .await;
    bad.assert_error(400, ErrorCode::InvalidInput);
    assert_eq!(bad.error_field().as_deref(), Some("limit"));
    app.post(
        "/api/v1/reconciliations",
        Some(&admin),
        &serde_json::json!({ "repair": true, "fix": true }),
    )
    .await
    .assert_status(400);
    let empty: Vec<Reconciliation> = app
        .get("/api/v1/reconciliations", Some(&admin))
        .await
        .json();
    assert!(empty.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn repairs_racing_bookings_and_cancellations_find_and_change_nothing() {
    // Holds expire and are swept while the repairs run.
    let mut settings = test_settings(&shared_server_uri().await);
    settings.events.hold_ttl_seconds = 1;
    settings.events.sweep_interval_seconds = 1;
    let app = spawn_app_with(settings).await;
    let admin = app.admin_token().await;
    let stage = stage(&app, 2, 10, 10).await;
    let buyers = join_all((0..8).map(|_| app.buyer(1_000))).await;
    let traffic = join_all(buyers.iter().enumerate().map(|(i, buyer)| {
        let (app, stage) = (&app, &stage);
        async move {
            for round in 0..4 {
                let seat = format!("{}{}", if round % 2 == 0 { "A" } else { "B" }, i + 1);
                let response = app.book(buyer, stage, &[seat.as_str()]).await;
                if response.status.as_u16() == 201 {
                    let booking: shared::Booking = response.json();
                    if round % 2 == 0 {
                        app.post_empty(
                            &format!("/api/v1/bookings/{}/cancel", booking.id.0),
                            Some(buyer),
                        )
                        .await
                        .assert_status(200);
                    }
                }
                let held = app.hold(buyer, stage, &[&format!("B{}", i + 2)]).await;
                assert!(
                    matches!(held.status.as_u16(), 201 | 409),
                    "hold: {}",
                    held.body
                );
                if held.status.as_u16() == 201 && round == 1 {
                    let hold: shared::Hold = held.json();
                    let confirmed = app
                        .post_empty(&format!("/api/v1/holds/{}/confirm", hold.id.0), Some(buyer))
                        .await;
                    assert!(
                        matches!(confirmed.status.as_u16(), 201 | 409),
                        "confirm: {}",
                        confirmed.body
                    );
                }
            }
        }
    }));
    let runs = async {
        let mut runs = Vec::new();
        for _ in 0..6 {
            runs.push(reconcile(&app, &admin, true).await);
        }
        runs
    };
    let (_, runs) = tokio::join!(traffic, runs);

    for run in &runs {
        assert_eq!(
            run.drift_count, 0,
            "false drift under traffic: {:#?}",
            run.drifts
        );
    }
    // The invariant checker reads events and documents one after the
    // other, not in one snapshot: let every hold expire and be swept
    // first, so nothing changes while it reads.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !app
        .documents("holds", doc! { "status": "active" })
        .await
        .is_empty()
    {
        assert!(std::time::Instant::now() < deadline, "holds never swept");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        invariants::violations(&app.db).await.unwrap(),
        Vec::<String>::new()
    );
    let last = reconcile(&app, &admin, false).await;
    assert_eq!(last.drift_count, 0, "{:#?}", last.drifts);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_periodic_job_runs_once_at_a_time_across_instances_and_shows_in_metrics() {
    let mut settings = test_settings(&shared_server_uri().await);
    settings.reconcile.every_seconds = 1;
    settings.reconcile.repair = true;
    let cluster = spawn_cluster(2, settings).await;
    let admin = cluster[0].admin_token().await;
    let stage = stage(&cluster[0], 1, 4, 10).await;
    cluster[0]
        .db
        .collection::<Document>("seats")
        .update_one(
            doc! { "label": "A2" },
            doc! { "$set": { "state": "booked", "booking_id": ObjectId::new() } },
        )
        .await
        .unwrap();

    // Some run finds and repairs it; later runs find nothing.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let runs = loop {
        let runs: Vec<Reconciliation> = cluster[1]
            .get("/api/v1/reconciliations?limit=100", Some(&admin))
            .await
            .json();
        let repaired = runs.iter().position(|r| r.repaired_count == 1);
        if repaired.is_some_and(|i| i >= 2) {
            break runs;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no repair seen: {runs:#?}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    let repaired = runs.iter().find(|r| r.repaired_count == 1).unwrap();
    assert_eq!(repaired.drifts[0].kind, DriftKind::SeatState);
    assert_eq!(repaired.drifts[0].target_id, stage.performance.id.0);
    assert!(runs[0].drift_count == 0 && runs[0].trigger == shared::ReconcileTrigger::Schedule);
    // One at a time, and at most one per period.
    let mut chronological = runs.clone();
    chronological.reverse();
    for pair in chronological.windows(2) {
        assert!(
            pair[1].started_at >= pair[0].finished_at,
            "runs overlap: {pair:#?}"
        );
        assert!(
            pair[1].started_at - pair[0].started_at >= chrono::Duration::milliseconds(900),
            "two runs in one period: {pair:#?}"
        );
    }
    // Every instance shows the latest run.
    for app in &cluster {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let text = app.metrics_text().await;
            if text.contains("reservations_reconcile_drift{kind=\"seat_state\"} 0")
                && text.contains("reservations_reconcile_last_run_timestamp_seconds 1")
            {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "{text}");
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }
}

/// `api reconcile` against `app`'s database: (success, stdout, stderr).
async fn command(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let mut command = std::process::Command::new(tests::process::api_binary());
    command
        .arg("reconcile")
        .args(args)
        .env("MONGODB_URI", &app.db_uri)
        .env("APP_DATABASE__NAME", &app.db_name)
        .env("RUST_LOG", "error");
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn the_reconcile_command_reports_drift_fails_until_repaired_and_prints_json() {
    let app = spawn_app().await;
    let stage = stage(&app, 1, 4, 10).await;
    let buyer = app.buyer(100).await;
    let booking = app.book_ok(&buyer, &stage, &["A1"]).await;

    let (ok, out, err) = command(&app, &[]).await;
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("1 performances (4 seats, 1 confirmed bookings"),
        "{out}"
    );
    assert!(out.contains("no drift"), "{out}");

    set_seat(
        &app,
        &stage,
        "A1",
        doc! { "$set": { "state": "available" }, "$unset": { "booking_id": "", "holder": "" } },
    )
    .await;
    let (ok, out, err) = command(&app, &[]).await;
    assert!(!ok, "drift must fail the command: {out}");
    let line = format!(
        "seat_state performance {}: seat A1 is available but booking {} confirmed it",
        stage.performance.id.0, booking.id.0
    );
    assert!(out.contains(&line), "{out}");
    assert!(err.contains("1 drift(s) remain"), "{err}");

    let (ok, out, err) = command(&app, &["--repair"]).await;
    assert!(ok, "{out}{err}");
    assert!(out.contains(&format!("{line} [repaired]")), "{out}");
    let (ok, out, err) = command(&app, &["--json"]).await;
    assert!(ok, "{out}{err}");
    let run: Reconciliation = serde_json::from_str(&out).unwrap();
    assert_eq!(run.drift_count, 0);
    assert_eq!(run.trigger, shared::ReconcileTrigger::Command);

    let (ok, _, err) = command(&app, &["--fix"]).await;
    assert!(!ok);
    assert!(
        err.contains("unknown option --fix") && err.contains("usage:"),
        "{err}"
    );
}

#[tokio::test]
async fn a_deleted_room_keeps_its_past_reservations_without_cells_and_no_drift() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let room = app.room(&admin).await;
    let (_, user) = app.new_user().await;
    let reservation = app
        .reserve_ok(&user, &room.id, at(1, 9.0), at(1, 10.0))
        .await;
    // Ten days pass: the reservation and its cells move into the past
    // together, as if it had been made back then.
    let shift = chrono::Duration::days(10);
    let id = oid(&reservation.id.0);
    let back = |at: chrono::DateTime<chrono::Utc>| DateTime::from_chrono(at - shift);
    app.db
        .collection::<Document>("reservations")
        .update_one(
            doc! { "_id": id },
            doc! { "$set": { "start": back(reservation.start), "end": back(reservation.end) } },
        )
        .await
        .unwrap();
    let cells = app.db.collection::<Document>("room_slots");
    for cell in app
        .documents("room_slots", doc! { "reservation_id": id })
        .await
    {
        let at = cell.get_datetime("cell").unwrap().to_chrono();
        cells
            .update_one(
                doc! { "_id": cell.get_object_id("_id").unwrap() },
                doc! { "$set": { "cell": back(at) } },
            )
            .await
            .unwrap();
    }
    // Written straight into the collection, the past starts the room's
    // occupancy roll-ups over, as an import does.
    let room_id = oid(&room.id.0);
    app.store().await.reset_occupancy(&[room_id]).await.unwrap();
    assert_eq!(reconcile(&app, &admin, false).await.drift_count, 0);

    app.request::<()>(
        reqwest::Method::DELETE,
        &format!("/api/v1/rooms/{}", room.id.0),
        Some(&admin),
        None,
    )
    .await
    .assert_status(204);

    assert_eq!(app.documents("room_slots", doc! {}).await.len(), 0);
    assert_eq!(
        app.documents("reservations", doc! { "_id": id })
            .await
            .len(),
        1
    );
    let after = reconcile(&app, &admin, true).await;
    assert_eq!(after.drift_count, 0, "{:#?}", after.drifts);
}
