//! The sales report, checked against bookings, holds and cancellations the
//! test made itself.

use chrono::{DateTime, Datelike, Duration, SecondsFormat, TimeZone, Utc, Weekday};
use shared::{Bucket, ErrorCode, OccupancyReport, SalesReport};

use tests::events::{stage, stage_titled};
use tests::{room_body, spawn_app};

#[tokio::test]
async fn the_sales_report_counts_what_buyers_did() {
    // Arrange: 2 rows x 5 seats at 100 points, and a second show that
    // sells nothing.
    let app = spawn_app().await;
    let stage = stage(&app, 2, 5, 100).await;
    let quiet = stage_titled(
        &app,
        "=Quiet Night",
        1,
        4,
        50,
        Utc::now() + Duration::days(30),
    )
    .await;
    let (one, two, three) = (
        app.buyer(1_000).await,
        app.buyer(1_000).await,
        app.buyer(1_000).await,
    );

    // Act: three seats booked, two more booked then cancelled, one held.
    app.book_ok(&one, &stage, &["A1", "A2", "A3"]).await;
    let cancelled = app.book_ok(&two, &stage, &["B1", "B2"]).await;
    app.post_empty(
        &format!("/api/v1/bookings/{}/cancel", cancelled.id),
        Some(&two),
    )
    .await
    .assert_status(200);
    app.hold_ok(&three, &stage, &["B5"]).await;
    let response = app
        .get("/api/v1/reports/sales?bucket=hour", Some(&stage.admin))
        .await;

    // Assert
    response.assert_status(200);
    let report: SalesReport = response.json();
    assert_eq!(report.bucket, Bucket::Hour);
    let sold = report
        .performances
        .iter()
        .find(|p| p.performance_id.0 == stage.performance.id.0)
        .expect("the performance is in the report");
    assert_eq!((sold.seats, sold.sold, sold.held, sold.free), (10, 3, 1, 6));
    assert_eq!((sold.revenue, sold.refunded), (300, 200));
    let none = report
        .performances
        .iter()
        .find(|p| p.performance_id.0 == quiet.performance.id.0)
        .expect("the quiet performance is in the report");
    assert_eq!((none.sold, none.free, none.revenue), (0, 4, 0));
    assert_eq!(
        report.shows[0].show_id.0, stage.show.id.0,
        "most revenue first"
    );
    let booked: u32 = report.timeline.iter().map(|p| p.seats_sold).sum();
    let cancelled: u32 = report.timeline.iter().map(|p| p.seats_cancelled).sum();
    let paid: u64 = report.timeline.iter().map(|p| p.revenue).sum();
    assert_eq!((booked, cancelled, paid), (5, 2, 500));

    // One show only, as CSV: a header and one line, with a title a
    // spreadsheet would take for a formula made harmless.
    let csv = app
        .get(
            &format!("/api/v1/reports/sales?format=csv&show_id={}", quiet.show.id),
            Some(&stage.admin),
        )
        .await;
    csv.assert_status(200);
    assert!(
        csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = csv.body.as_str().expect("CSV text");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].starts_with("performance_id,show_id,show_title"),
        "{text}"
    );
    assert!(lines[1].contains(",'=Quiet Night,"), "{text}");
    assert!(lines[1].ends_with(",4,0,0,4,0,0"), "{text}");
}

#[tokio::test]
async fn the_sales_report_is_for_admins_and_names_a_bad_filter() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, user) = app.new_user().await;

    app.get("/api/v1/reports/sales", None)
        .await
        .assert_error(401, ErrorCode::Unauthenticated);
    app.get("/api/v1/reports/sales", Some(&user))
        .await
        .assert_error(403, ErrorCode::Forbidden);
    for (query, field, status) in [
        ("show_id=nope", "show_id", 400),
        ("bucket=week", "bucket", 400),
        ("format=pdf", "format", 400),
        (
            "from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z",
            "to",
            422,
        ),
    ] {
        let response = app
            .get(&format!("/api/v1/reports/sales?{query}"), Some(&admin))
            .await;
        assert_eq!(
            response.status.as_u16(),
            status,
            "{query}: {}",
            response.body
        );
        let named = response.error_field().unwrap_or_default();
        let message = response.body["error"]["message"]
            .as_str()
            .unwrap_or_default();
        assert!(
            named == field || message.contains(field),
            "{query}: {}",
            response.body
        );
    }
}

/// The next `weekday` at least `days` ahead, at `hour:minute` in `zone`.
fn local(
    zone: chrono_tz::Tz,
    days: i64,
    weekday: Weekday,
    hour: u32,
    minute: u32,
) -> DateTime<Utc> {
    let mut date = (Utc::now() + Duration::days(days))
        .with_timezone(&zone)
        .date_naive();
    while date.weekday() != weekday {
        date = date.succ_opt().unwrap();
    }
    zone.from_local_datetime(&date.and_hms_opt(hour, minute, 0).unwrap())
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

#[tokio::test]
async fn occupancy_is_counted_per_local_hour_of_the_week() {
    // Arrange: a room in Seoul, one in New York, one that needs approval.
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, user) = app.new_user().await;
    let room = |name: &str, zone: &str, approval: bool| {
        let mut body = room_body(&format!("{name} {}", uuid::Uuid::new_v4().simple()));
        body.time_zone = Some(zone.into());
        body.requires_approval = approval;
        body
    };
    let seoul = app
        .create_room(&admin, &room("Seoul", "Asia/Seoul", false))
        .await;
    let york = app
        .create_room(&admin, &room("York", "America/New_York", false))
        .await;
    let vetted = app
        .create_room(&admin, &room("Vetted", "Asia/Seoul", true))
        .await;
    let tuesday = |h, m| local(chrono_tz::Asia::Seoul, 8, Weekday::Tue, h, m);
    let monday = |h, m| local(chrono_tz::America::New_York, 8, Weekday::Mon, h, m);

    // Act: Tuesday 10:00-11:30 and 17:45-18:00 in Seoul, one more there
    // cancelled; Monday 09:30-10:00 in New York; a pending one.
    app.reserve_ok(&user, &seoul.id, tuesday(10, 0), tuesday(11, 30))
        .await;
    app.reserve_ok(&user, &seoul.id, tuesday(17, 45), tuesday(18, 0))
        .await;
    let gone = app
        .reserve_ok(&user, &seoul.id, tuesday(13, 0), tuesday(14, 0))
        .await;
    app.post_empty(
        &format!("/api/v1/reservations/{}/cancel", gone.id),
        Some(&user),
    )
    .await
    .assert_status(200);
    app.reserve_ok(&user, &york.id, monday(9, 30), monday(10, 0))
        .await;
    app.reserve_ok(&user, &vetted.id, tuesday(10, 0), tuesday(11, 0))
        .await;
    let (from, to) = (
        (Utc::now() + Duration::days(7)).to_rfc3339_opts(SecondsFormat::Secs, true),
        (Utc::now() + Duration::days(17)).to_rfc3339_opts(SecondsFormat::Secs, true),
    );
    let response = app
        .get(
            &format!("/api/v1/reports/occupancy?from={from}&to={to}"),
            Some(&admin),
        )
        .await;

    // Assert: hours in each room's own zone; cancelled and pending left out.
    response.assert_status(200);
    let report: OccupancyReport = response.json();
    let of = |id: &shared::RoomId| {
        report
            .rooms
            .iter()
            .find(|r| &r.room_id == id)
            .expect("every room is in the report")
    };
    let cells = |id| {
        of(id)
            .heatmap
            .iter()
            .map(|c| (c.weekday, c.hour, c.minutes))
            .collect::<Vec<_>>()
    };
    assert_eq!(cells(&seoul.id), [(2, 10, 60), (2, 11, 30), (2, 17, 15)]);
    assert_eq!(
        (of(&seoul.id).reservations, of(&seoul.id).minutes),
        (2, 105)
    );
    assert_eq!(cells(&york.id), [(1, 9, 30)]);
    assert_eq!(of(&vetted.id).minutes, 0, "pending is not occupancy");
    assert_eq!(report.rooms[0].room_id, seoul.id, "busiest first");
    let share = of(&seoul.id).share;
    assert!(
        (share - 105.0 / (10.0 * 24.0 * 60.0)).abs() < 1e-3,
        "{share}"
    );

    // As CSV: one line per room, weekday and hour.
    let csv = app
        .get(
            &format!(
                "/api/v1/reports/occupancy?from={from}&to={to}&room_id={}&format=csv",
                york.id
            ),
            Some(&admin),
        )
        .await;
    csv.assert_status(200);
    let text = csv.body.as_str().expect("CSV text");
    assert_eq!(
        text.lines().collect::<Vec<_>>(),
        [
            "room_id,room_name,time_zone,weekday,hour,minutes".to_owned(),
            format!("{},{},America/New_York,1,9,30", york.id, york.name),
        ]
    );
    app.get(
        &format!("/api/v1/reports/occupancy?from={to}&to={from}"),
        Some(&admin),
    )
    .await
    .assert_error(422, ErrorCode::InvalidInput);
}
