//! An administrator watches a sale on the reports page: seats bought
//! elsewhere move its figures and chart without a reload; room occupancy
//! shows as a week's heatmap; both reports download as CSV.

use shared::{CreateReservation, Reservation, ReservationStatus};
use tests::events::stage_with;
use tests::{ADMIN_EMAIL, ADMIN_PASSWORD, reservation_body, spawn_app_serving_web};

use crate::browser::Browser;
use crate::{account, log_in, meeting_room, production, seoul_at};

#[tokio::test]
async fn an_admin_watches_a_sale_and_the_rooms_week_on_the_reports_page() {
    // Arrange: a performance a month ahead with two seats sold, and a room
    // reserved from 10:00 to 11:30 tomorrow in Seoul.
    let app = spawn_app_serving_web().await;
    let stage = stage_with(
        &app,
        &production("Hamlet", "Charlotte Theater", 3, 2, 5, 50_000),
    )
    .await;
    let (_, buyer) = account(&app, "Lee Seoyeon", 500_000).await;
    let (_, other) = account(&app, "Kim Minji", 500_000).await;
    app.book_ok(&buyer, &stage, &["A1", "A2"]).await;
    let room = meeting_room(&app, &stage.admin, "A101 회의실", "본관 1층", 8).await;
    let reserved = app
        .post(
            "/api/v1/reservations",
            Some(&buyer),
            &CreateReservation {
                purpose: "Weekly review".into(),
                ..reservation_body(&room.id, seoul_at(1, 10, 0), seoul_at(1, 11, 30))
            },
        )
        .await;
    reserved.assert_status(201);
    assert_eq!(
        reserved.json::<Reservation>().status,
        ReservationStatus::Approved
    );
    let browser = Browser::start(&app.address).await;

    // Act: the admin opens the reports.
    browser.goto("/admin/reports").await;
    log_in(&browser, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    browser.wait_attr("#sales-totals", "data-sold", "2").await;
    let bar = format!(
        "#sales-performances tr[data-performance='{}']",
        stage.performance.id
    );
    browser.wait_attr(&bar, "data-sold", "2").await;
    browser.wait_text("#sales-shows", "Hamlet").await;
    // Seats bought in another tab show up without a reload.
    app.book_ok(&other, &stage, &["B1", "B2", "B3"]).await;
    browser.wait_attr("#sales-totals", "data-sold", "5").await;
    browser.wait_attr(&bar, "data-sold", "5").await;
    browser.screenshot("admin-reports-en").await;

    // Assert: the room's 90 minutes, in Seoul's hours of that weekday.
    let weekday = seoul_at(1, 10, 0)
        .with_timezone(&chrono::FixedOffset::east_opt(9 * 3600).unwrap())
        .format("%u")
        .to_string();
    let row = format!("#occupancy-rooms tr[data-room='{}']", room.id);
    browser.wait_attr(&row, "data-minutes", "90").await;
    let ten = format!("#occupancy-heatmap rect[data-weekday='{weekday}'][data-hour='10']");
    let eleven = format!("#occupancy-heatmap rect[data-weekday='{weekday}'][data-hour='11']");
    browser.wait_attr(&ten, "data-minutes", "60").await;
    browser.wait_attr(&eleven, "data-minutes", "30").await;
    // The download links give the same figures as CSV.
    let sales = csv_behind(&browser, &app, &stage.admin, "#sales-csv").await;
    assert!(sales.contains("Hamlet"), "{sales}");
    let rooms = csv_behind(&browser, &app, &stage.admin, "#occupancy-csv").await;
    assert!(rooms.contains(&format!("{},10,60", weekday)), "{rooms}");

    browser.scroll_to("occupancy-report").await;
    browser.screenshot("admin-reports-rooms-en").await;

    // The same page in Korean.
    browser.click("button[data-lang='ko']").await;
    browser.wait_text("#sales-report h3", "공연 판매").await;
    browser
        .wait_text("#occupancy-report h3", "회의실 사용률")
        .await;
    browser.screenshot("admin-reports-rooms-ko").await;
    browser.scroll_to("sales-report").await;
    browser.screenshot("admin-reports-ko").await;
    browser.close().await;
}

/// The CSV the link `css` downloads, fetched as the admin.
async fn csv_behind(browser: &Browser, app: &tests::TestApp, admin: &str, css: &str) -> String {
    let href = browser.find(css).await.attr("href").await.unwrap().unwrap();
    assert!(
        href.starts_with("/api/v1/reports/") && href.contains("format=csv"),
        "{href}"
    );
    let answer = app.get(&href, Some(admin)).await;
    answer.assert_status(200);
    answer.body.as_str().expect("CSV text").to_owned()
}
