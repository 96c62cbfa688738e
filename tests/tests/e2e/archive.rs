//! An administrator searches the archive in the browser after an
//! `api archive` run: reservations by user, bookings by show.

use tests::archive::{past_history, run_archive};
use tests::{ADMIN_EMAIL, ADMIN_PASSWORD, spawn_app_serving_web};

use crate::browser::Browser;
use crate::log_in;

#[tokio::test]
async fn an_admin_searches_archived_reservations_and_bookings() {
    // Arrange: 2025's reservations and a 2025 performance, archived.
    let app = spawn_app_serving_web().await;
    let history = past_history(&app).await;
    let run = run_archive(&app, "2026-01-01");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let browser = Browser::start(&app.address).await;
    browser.goto("/admin/archive").await;
    log_in(&browser, ADMIN_EMAIL, ADMIN_PASSWORD).await;

    // Assert: the five archived reservations, newest first.
    browser
        .wait_text("#archived-reservations", "Design review")
        .await;
    let rows = browser
        .client
        .find_all(fantoccini::Locator::Css("#archived-reservations tbody tr"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 5);

    // Act: by a user's e-mail address, in capitals.
    browser
        .fill("#archive-user", "MIA.JUNG118@ORION.EXAMPLE")
        .await;
    browser.click("#archive-from").await;

    // Assert
    browser.wait_text("#archived-reservations", "Orion").await;
    browser
        .wait_gone("#archived-reservations tbody tr:nth-child(2)")
        .await;
    browser.screenshot("archive-en").await;

    // Act: the bookings of the show.
    browser.click("#archive-bookings-tab").await;
    browser.fill("#archive-user", "").await;
    browser.fill("#archive-subject", "les misérables").await;
    browser.click("#archive-from").await;

    // Assert: both bookings, with their seats as sold.
    browser
        .wait_text("#archived-bookings", "A1 (R), A2 (R)")
        .await;
    browser.wait_text("#archived-bookings", "Cancelled").await;
    let row = format!("tr[data-booking='{}']", history.booked.id);
    browser.wait_text(&row, "200").await;
    browser.screenshot("archive-bookings-en").await;

    // Korean.
    browser.click("button[data-lang='ko']").await;
    browser.goto("/admin/archive").await;
    browser.wait_text("h2", "보관함").await;
    browser
        .wait_text("#archived-reservations", "Design review")
        .await;
    browser.screenshot("archive-ko").await;
    browser.close().await;
}
