//! An administrator draws a venue's seat map in the browser: rows, an
//! aisle, a coloured tier, each mistake named on its row, the map
//! previewed as buyers see it; then finds it locked once on sale.

use serde_json::json;
use shared::{Performance, Venue};
use tests::{ADMIN_EMAIL, ADMIN_PASSWORD, spawn_app_serving_web};

use crate::browser::Browser;
use crate::log_in;

#[tokio::test]
async fn an_admin_draws_a_seat_map_with_an_aisle_and_a_coloured_tier() {
    // Arrange
    let app = spawn_app_serving_web().await;
    let admin = app.admin_token().await;
    let browser = Browser::start(&app.address).await;
    browser.goto("/admin/venues").await;
    log_in(&browser, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    browser.click("#new-venue").await;
    browser.fill("#venue-name", "Arko Theatre").await;

    // Act + Assert: an aisle outside the row is named on that row, and the
    // preview leaves the row out until it is right.
    browser.fill("#row-0-1-gaps", "10").await;
    browser
        .wait_text("#row-0-1-problem", "not between two seats of this row")
        .await;
    browser.wait_text("#venue-seat-total", "10 seats").await;
    browser.click("#venue-save").await;
    browser
        .wait_text("#venue-form", "Fix the rows marked in red first")
        .await;

    // Act: an aisle after B5, row B the VIP tier in crimson, a row C of 12.
    browser.fill("#row-0-1-gaps", "5").await;
    browser.fill("#row-0-1-tier", "VIP").await;
    browser.set_value("#color-VIP", "#c2255c").await;
    browser.click("#add-row-0").await;
    browser.wait_value("#row-0-2-label", "C").await;
    browser.fill("#row-0-2-seats", "12").await;

    // Assert: the preview is the buyers' map.
    browser.wait_text("#venue-seat-total", "32 seats").await;
    browser
        .wait_attr(
            "#venue-preview button[data-seat='B5']",
            "class",
            "gap-after",
        )
        .await;
    browser
        .wait_attr("#venue-preview button[data-seat='B1']", "style", "#c2255c")
        .await;
    browser
        .wait_text("#venue-preview #tier-legend", "VIP")
        .await;
    browser.screenshot("venue-editor-en").await;

    // Act
    browser.click("#venue-save").await;

    // Assert: stored as drawn.
    browser.wait_text("h2", "Edit venue").await;
    let id = browser.path().await.rsplit('/').next().unwrap().to_owned();
    let venue: Venue = app.get(&format!("/api/v1/venues/{id}"), None).await.json();
    assert_eq!(venue.name, "Arko Theatre");
    assert_eq!(venue.seat_count, 32);
    assert_eq!(venue.sections[0].rows[1].gaps_after, [5]);
    assert_eq!(venue.tier_colors["VIP"], "#c2255c");
    assert_eq!(venue.tiers, ["R", "VIP"]);

    // Act: a performance goes on sale there.
    let show = app
        .post(
            "/api/v1/shows",
            Some(&admin),
            &json!({ "title": "Hamlet", "running_minutes": 150 }),
        )
        .await;
    show.assert_status(201);
    let show: shared::Show = show.json();
    let starts = chrono::Utc::now() + chrono::Duration::days(30);
    let performance = app
        .post(
            &format!("/api/v1/shows/{}/performances", show.id),
            Some(&admin),
            &json!({ "venue_id": id, "starts_at": starts.to_rfc3339(), "prices": { "R": 50000, "VIP": 90000 } }),
        )
        .await;
    performance.assert_status(201);
    let performance: Performance = performance.json();

    // Assert: buyers see the same aisle and colour, with the prices.
    browser
        .goto(&format!(
            "/shows/{}/performances/{}",
            show.id, performance.id
        ))
        .await;
    browser
        .wait_attr("button[data-seat='B5']", "class", "gap-after")
        .await;
    browser
        .wait_attr("button[data-seat='B1']", "style", "#c2255c")
        .await;
    browser.wait_text("#tier-legend", "90,000").await;
    browser.scroll_to("seat-map").await;
    browser.screenshot("venue-buyers-map-en").await;

    // Act + Assert: on sale, the seats are locked; the editor says why.
    browser.goto(&format!("/admin/venues/{id}")).await;
    browser.fill("#row-0-0-seats", "8").await;
    browser.click("#venue-save").await;
    browser
        .wait_text("#venue-form", "performances on sale or to come")
        .await;
    let unchanged: Venue = app.get(&format!("/api/v1/venues/{id}"), None).await.json();
    assert_eq!(unchanged.seat_count, 32);

    // Korean.
    browser.click("button[data-lang='ko']").await;
    browser.goto(&format!("/admin/venues/{id}")).await;
    browser.wait_text("#venue-form", "구역과 열").await;
    browser.fill("#row-0-2-gaps", "0").await;
    browser
        .wait_text("#row-0-2-problem", "이 열의 두 좌석 사이가 아닙니다")
        .await;
    browser.screenshot("venue-editor-ko").await;
    browser.close().await;
}
