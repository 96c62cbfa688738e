//! `api import`: a relational export (three CSV tables joined by keys) and
//! an iCalendar file, each imported with its bad rows and double bookings
//! reported, verified against the database, and imported once however
//! often it runs.

use std::path::Path;

use api::configuration::Settings;
use api::import::calendar::CalendarDefaults;
use api::import::mapping::Mapping;
use api::import::{Report, rules};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use mongodb::bson::{Document, doc};
use tests::{room_body, spawn_app};

const MAPPING: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/import/orion/mapping.toml"
);
const CALENDAR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/import/calendar/team.ics"
);

fn invalid(report: &Report, entity: &str) -> usize {
    report.invalid.iter().filter(|i| i.entity == entity).count()
}

/// Whether some refused row's problem contains `text`.
fn refused_for(report: &Report, text: &str) -> bool {
    report.invalid.iter().any(|i| i.problem.contains(text))
}

async fn count(app: &tests::TestApp, collection: &str) -> u64 {
    app.db
        .collection::<Document>(collection)
        .count_documents(doc! {})
        .await
        .unwrap()
}

async fn counts(app: &tests::TestApp) -> (u64, u64, u64) {
    (
        count(app, "users").await,
        count(app, "rooms").await,
        count(app, "reservations").await,
    )
}

#[tokio::test]
async fn a_relational_export_is_imported_once_with_its_bad_rows_and_double_bookings_reported() {
    // Arrange: the Orion export (tests/fixtures/import/orion, made by its
    // generate.py): 406 member rows (6 bad), 43 room rows (3 bad) and
    // 2,992 bookings: 2,950 good, 3 cancelled at the time of a good one,
    // 10 double-booked pairs and 19 bad rows.
    let app = spawn_app().await;
    // M0001 already has an account, under another name: linked, kept.
    app.register(
        "Seoyeon.Smith1@orion.example",
        "스미스 서연",
        tests::PASSWORD,
    )
    .await
    .assert_status(201);
    let store = app.store().await;
    let rules = rules(&Settings::defaults().unwrap());
    let read = || api::import::tables::read(&Mapping::load(Path::new(MAPPING)).unwrap()).unwrap();
    let before = counts(&app).await;

    // Act: a dry run.
    let dry = api::import::run(&store, read(), &rules, Utc::now(), true)
        .await
        .unwrap();

    // Assert: everything counted, every bad row named, nothing written.
    println!("{}", dry.text());
    assert_eq!(
        (dry.rows.users, dry.rows.rooms, dry.rows.reservations),
        (406, 43, 2992)
    );
    assert_eq!(invalid(&dry, "user"), 6);
    assert_eq!(invalid(&dry, "room"), 3);
    assert_eq!(invalid(&dry, "reservation"), 19);
    assert_eq!(dry.overlapping.len(), 20, "both bookings of each pair");
    assert!(dry.conflicting.is_empty());
    assert_eq!(
        (dry.stored.users, dry.stored.rooms, dry.stored.reservations),
        (399, 40, 2953)
    );
    assert_eq!(dry.present.users, 1);
    for problem in [
        "must be an email address",
        "role \"guest\"",
        "is also on members.csv:",
        "capacity: \"many\"",
        "is also on rooms.csv:",
        "user M9999 is not among the valid rows",
        "user M0401 is not among the valid rows",
        "room R99 is not among the valid rows",
        "room R41 is not among the valid rows",
        "end: must be after start",
        "not a time",
        "5-minute boundary",
        "at most 720 minutes",
        "is also on bookings.csv:",
        "purpose: must not be empty",
        "status \"???\"",
        "does not exist in Europe/Berlin",
        "happens twice in America/New_York",
    ] {
        assert!(refused_for(&dry, problem), "no row refused for {problem:?}");
    }
    assert!(
        dry.overlapping
            .iter()
            .all(|o| o.problem.contains("overlaps bookings.csv:")),
        "{:?}",
        dry.overlapping
    );
    assert!(!dry.text().is_empty() && dry.checks.is_empty());
    assert_eq!(counts(&app).await, before, "a dry run writes nothing");

    // Act: the import.
    let first = api::import::run(&store, read(), &rules, Utc::now(), false)
        .await
        .unwrap();

    // Assert: stored, verified by counts and checksums, read back.
    println!("{}", first.text());
    let stored = &first.stored;
    assert_eq!(
        (stored.users, stored.rooms, stored.reservations),
        (399, 40, 2953)
    );
    assert!(first.verified(), "{}", first.text());
    let expected: Vec<(usize, usize, usize)> = first
        .checks
        .iter()
        .map(|c| (c.expected, c.stored, c.kept))
        .collect();
    assert_eq!(expected, [(399, 399, 1), (40, 40, 0), (2953, 2953, 0)]);
    assert_eq!(
        counts(&app).await,
        (before.0 + 399, before.1 + 40, before.2 + 2953)
    );
    // M0001's bookings are the existing account's, kept as it was.
    let kept = app
        .db
        .collection::<Document>("users")
        .find_one(doc! { "email_key": "seoyeon.smith1@orion.example" })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.get_str("name").unwrap(), "스미스 서연");
    let theirs = app
        .db
        .collection::<Document>("reservations")
        .count_documents(doc! { "user_id": kept.get_object_id("_id").unwrap() })
        .await
        .unwrap();
    assert!(theirs > 0);
    // The export's first booking: room R20 (Seoul), 11:30 to 12:00 local.
    let stored = app
        .db
        .collection::<Document>("reservations")
        .find_one(doc! { "import_ref": "orion-rms:B00595" })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.get_str("room_name").unwrap(), "Orion 4F-20");
    assert_eq!(stored.get_str("purpose").unwrap(), "Design review");
    assert_eq!(stored.get_str("status").unwrap(), "approved");
    assert_eq!(
        stored.get_datetime("start").unwrap().to_chrono(),
        "2025-06-11T02:30:00Z".parse::<DateTime<Utc>>().unwrap()
    );

    // Act: the same import again.
    let second = api::import::run(&store, read(), &rules, Utc::now(), false)
        .await
        .unwrap();

    // Assert: nothing twice.
    assert_eq!(
        (
            second.stored.users,
            second.stored.rooms,
            second.stored.reservations
        ),
        (0, 0, 0)
    );
    assert_eq!(
        (
            second.present.users,
            second.present.rooms,
            second.present.reservations
        ),
        (400, 40, 2953)
    );
    assert!(second.verified(), "{}", second.text());
    assert_eq!(
        counts(&app).await,
        (before.0 + 399, before.1 + 40, before.2 + 2953)
    );
}

/// The local start times of the reservations imported under `prefix`.
async fn local_starts(app: &tests::TestApp, prefix: &str, zone: chrono_tz::Tz) -> Vec<String> {
    let mut found: Vec<DateTime<Utc>> = Vec::new();
    let mut cursor = app
        .db
        .collection::<Document>("reservations")
        .find(doc! { "import_ref": { "$regex": format!("^{prefix}") } })
        .sort(doc! { "start": 1 })
        .await
        .unwrap();
    while cursor.advance().await.unwrap() {
        let doc = cursor.deserialize_current().unwrap();
        found.push(doc.get_datetime("start").unwrap().to_chrono());
    }
    found
        .iter()
        .map(|t| t.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string())
        .collect()
}

#[tokio::test]
async fn a_calendar_export_is_expanded_in_its_zones_and_imported_once() {
    // Arrange: the rooms and people the calendar names.
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let mut rooms = Vec::new();
    for (name, zone) in [("Spree 1", "Europe/Berlin"), ("Orion 2F-01", "Asia/Seoul")] {
        let mut body = room_body(name);
        body.time_zone = Some(zone.into());
        rooms.push(app.create_room(&admin, &body).await);
    }
    // Someone booked Spree 1 over one Monday's planning, in the app.
    let berlin = chrono_tz::Europe::Berlin;
    let now = Utc::now();
    let mut monday = (now + Duration::days(2))
        .with_timezone(&berlin)
        .date_naive();
    while monday.weekday() != Weekday::Mon {
        monday += Duration::days(1);
    }
    let at = |hour, minute| {
        berlin
            .from_local_datetime(&monday.and_hms_opt(hour, minute, 0).unwrap())
            .unwrap()
            .with_timezone(&Utc)
    };
    let booked = app
        .reserve_ok(&admin, &rooms[0].id, at(9, 30), at(10, 30))
        .await;
    for email in ["anna@example.test", "kim@example.test"] {
        app.register(email, "Calendar User", tests::PASSWORD)
            .await
            .assert_status(201);
    }
    let store = app.store().await;
    let rules = rules(&Settings::defaults().unwrap());
    let defaults = CalendarDefaults {
        source: "team".into(),
        room: None,
        user: Some("kim@example.test".into()),
    };
    let text = std::fs::read_to_string(CALENDAR).unwrap();
    let read = || {
        api::import::calendar::read(&text, "team.ics", &defaults, now + rules.max_ahead).unwrap()
    };

    // Act
    let first = api::import::run(&store, read(), &rules, now, false)
        .await
        .unwrap();

    // Assert: the weekly stand-up stays at 10:00 in Berlin across the
    // change to summer time on 29 March, without its EXDATE, with its
    // moved occurrence at 11:00.
    println!("{}", first.text());
    assert!(first.verified(), "{}", first.text());
    assert_eq!(
        local_starts(&app, "team:weekly-standup:", berlin).await,
        [
            "2026-03-12 10:00",
            "2026-03-19 10:00",
            "2026-03-26 10:00",
            "2026-04-09 11:00",
            "2026-04-16 10:00"
        ]
    );
    // Floating times are the room's (Seoul) wall clock.
    assert_eq!(
        local_starts(&app, "team:daily-review:", chrono_tz::Asia::Seoul).await,
        ["2026-01-05 14:00", "2026-01-06 14:00", "2026-01-07 14:00"]
    );
    // The open-ended series: every Monday 09:00 up to the horizon.
    let mut mondays = 0;
    let first_monday = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
    while berlin
        .from_local_datetime(
            &(first_monday + Duration::weeks(mondays))
                .and_hms_opt(9, 0, 0)
                .unwrap(),
        )
        .unwrap()
        <= now + rules.max_ahead
    {
        mondays += 1;
    }
    // All of them but the one the room already had booked.
    assert_eq!(
        local_starts(&app, "team:open-ended:", berlin).await.len() as i64,
        mondays - 1
    );
    assert_eq!(first.conflicting.len(), 1, "{:?}", first.conflicting);
    assert!(
        first.conflicting[0].problem.contains(&booked.id.0),
        "{:?}",
        first.conflicting
    );
    assert!(
        first.notes.iter().any(|n| n.contains("open-ended")),
        "{:?}",
        first.notes
    );
    // The double booking, the Outlook zone name and the all-day event.
    let mut clashing: Vec<&str> = first
        .overlapping
        .iter()
        .map(|o| o.at.spot.as_str())
        .collect();
    clashing.sort_unstable();
    assert_eq!(
        clashing,
        [
            "UID clash-a 20260120T010000Z",
            "UID clash-b 20260120T013000Z"
        ]
    );
    assert!(local_starts(&app, "team:clash-", berlin).await.is_empty());
    assert_eq!(first.invalid.len(), 2, "{:?}", first.invalid);
    assert!(refused_for(&first, "IANA"));
    assert!(refused_for(&first, "all-day"));
    let status = |reference: &'static str| {
        let db = app.db.clone();
        async move {
            db.collection::<Document>("reservations")
                .find_one(doc! { "import_ref": { "$regex": format!("^team:{reference}:") } })
                .await
                .unwrap()
                .unwrap()
                .get_str("status")
                .unwrap()
                .to_owned()
        }
    };
    assert_eq!(status("tentative-lunch").await, "pending");
    assert_eq!(status("called-off").await, "cancelled");

    // Act: again.
    let second = api::import::run(&store, read(), &rules, now, false)
        .await
        .unwrap();

    // Assert
    assert_eq!(second.stored.reservations, 0);
    assert_eq!(second.present.reservations, first.stored.reservations);
    assert!(second.verified(), "{}", second.text());
}

#[tokio::test]
async fn the_import_command_prints_its_dry_run_and_names_a_bad_mapping() {
    // Arrange
    let app = spawn_app().await;
    let run = |args: &[&str]| {
        std::process::Command::new(tests::process::api_binary())
            .arg("import")
            .args(args)
            .env("MONGODB_URI", app.db_uri.as_str())
            .env("APP_DATABASE__NAME", app.db_name.as_str())
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    };
    let broken =
        std::env::temp_dir().join(format!("mapping-{}.toml", uuid::Uuid::new_v4().simple()));
    std::fs::write(&broken, "source = \"x\"\n[users]\nfile = \"u.csv\"\n").unwrap();

    // Act
    let dry = run(&["--dry-run", "--mapping", MAPPING]);
    let bad = run(&["--mapping", broken.to_str().unwrap()]);
    let _ = std::fs::remove_file(&broken);

    // Assert
    let out = String::from_utf8_lossy(&dry.stdout);
    assert!(
        dry.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    assert!(out.contains("dry run: nothing written"), "{out}");
    assert!(out.contains("2953 would store"), "{out}");
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("missing field `key`"), "{err}");
    assert_eq!(count(&app, "reservations").await, 0);
}
