//! An administrator manages rooms through the forms; visitors filter them.

use tests::{ADMIN_EMAIL, ADMIN_PASSWORD, spawn_app_serving_web};

use crate::browser::Browser;
use crate::{log_in, office};

#[tokio::test]
async fn an_admin_creates_edits_and_deletes_a_room_that_visitors_can_filter() {
    // Arrange: an office of rooms for up to 24 people.
    let app = spawn_app_serving_web().await;
    let admin = app.admin_token().await;
    office(&app, &admin).await;
    let browser = Browser::start(&app.address).await;

    // Act: create a room.
    browser.goto("/admin/rooms/new").await;
    log_in(&browser, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    browser.wait_path("/admin/rooms/new").await;
    browser.fill("#room-name-input", "Seminar 7").await;
    browser.fill("#room-location", "7층").await;
    browser.fill("#room-capacity", "30").await;
    browser.select("#room-slot", "30").await;
    browser.click("#room-approval").await;
    browser.screenshot("admin-room-form").await;
    browser.click("#room-save").await;

    // Assert: listed.
    browser.wait_path("/admin/rooms").await;
    let row = "#admin-rooms tr[data-room='Seminar 7']";
    browser.wait_text(row, "30").await;

    // The same name again is refused with a message, the form kept.
    browser.goto("/admin/rooms/new").await;
    browser.fill("#room-name-input", "seminar 7").await;
    browser.click("#room-save").await;
    browser
        .wait_text("#room-form .notice.error", "already has this name")
        .await;
    assert_eq!(browser.value("#room-name-input").await, "seminar 7");

    // Edit: the form comes filled in; a bad capacity is named next to it.
    browser.goto("/admin/rooms").await;
    browser.click(&format!("{row} a.button")).await;
    browser.wait_value("#room-name-input", "Seminar 7").await;
    browser.wait_value("#room-capacity", "30").await;
    browser.fill("#room-capacity", "0").await;
    browser.click("#room-save").await;
    browser.wait_text("#capacity-error", "capacity").await;
    browser.fill("#room-capacity", "40").await;
    browser.click("#room-save").await;
    browser.wait_path("/admin/rooms").await;
    browser.wait_text(row, "40").await;

    // Visitors filter by capacity; a half-given range is named in place.
    browser.goto("/").await;
    browser.set_value("#f-from", "2030-01-07T10:00").await;
    browser.click("#room-filters button[type=submit]").await;
    browser
        .wait_text("#to-error", "both a start and an end")
        .await;
    browser.set_value("#f-from", "").await;
    browser.fill("#f-capacity", "35").await;
    browser.click("#room-filters button[type=submit]").await;
    browser.wait_text(".count", "1 room").await;
    browser.wait_text("#room-list", "Seminar 7").await;

    // Delete after confirming.
    browser.goto("/admin/rooms").await;
    browser.click(&format!("{row} button.danger")).await;
    browser
        .click(&format!("{row} .confirm button.danger"))
        .await;
    browser.wait_gone(row).await;
    browser.close().await;
}
