//! An administrator puts a show on sale in the browser: creates it,
//! uploads its poster, adds a performance in a venue's local time with a
//! price per tier, watches it sell, then cancels it, refunding the buyer.

use chrono::{Duration, FixedOffset, NaiveTime, Utc};
use serde_json::json;
use shared::{ShowDetail, Venue};
use tests::events::Stage;
use tests::{ADMIN_EMAIL, ADMIN_PASSWORD, spawn_app_serving_web};

use crate::browser::Browser;
use crate::log_in;

const POSTER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/poster.png");

#[tokio::test]
async fn an_admin_puts_a_show_on_sale_then_cancels_a_performance() {
    // Arrange: a Seoul hall with two tiers.
    let app = spawn_app_serving_web().await;
    let admin = app.admin_token().await;
    let venue = app
        .post(
            "/api/v1/venues",
            Some(&admin),
            &json!({
                "name": "Grand Hall",
                "time_zone": "Asia/Seoul",
                "sections": [{ "name": "Stalls", "rows": [
                    { "label": "A", "seats": 4, "tier": "R" },
                    { "label": "B", "seats": 4, "tier": "S" },
                ] }],
            }),
        )
        .await;
    venue.assert_status(201);
    let venue: Venue = venue.json();
    let browser = Browser::start(&app.address).await;
    browser.goto("/admin/shows").await;
    log_in(&browser, ADMIN_EMAIL, ADMIN_PASSWORD).await;

    // Act: a new show.
    browser.click("#new-show").await;
    browser.fill("#show-title-input", "Hamlet").await;
    browser.fill("#show-location", "Seoul").await;
    browser.fill("#show-running", "150").await;
    browser.click("#show-save").await;

    // Assert: its page, where the poster goes up.
    browser.find("#poster-form").await;
    browser
        .find("#poster-file")
        .await
        .send_keys(POSTER)
        .await
        .expect("the poster is chosen");
    browser.click("#poster-upload").await;
    browser
        .wait_attr("#poster-preview", "src", "/poster?v=")
        .await;

    // Act + Assert: a performance without a venue is refused in place.
    browser.click("#performance-add").await;
    browser.wait_text("#venue_id-error", "Choose a venue").await;

    // Act: 19:30 in Seoul a month from now, R 70,000 and S 50,000 points.
    let seoul = FixedOffset::east_opt(9 * 3600).unwrap();
    let date = Utc::now().with_timezone(&seoul).date_naive() + Duration::days(30);
    let local = date.and_time(NaiveTime::from_hms_opt(19, 30, 0).unwrap());
    browser.select("#performance-venue", &venue.id.0).await;
    browser
        .set_value(
            "#performance-starts",
            &local.format("%Y-%m-%dT%H:%M").to_string(),
        )
        .await;
    browser.fill("#price-R", "70000").await;
    browser.fill("#price-S", "50000").await;
    browser.click("#performance-add").await;

    // Assert: listed, and stored at 10:30 UTC with both prices.
    browser
        .wait_text("#admin-performances", "0 of 8 seats sold")
        .await;
    let show_id = browser.path().await.rsplit('/').next().unwrap().to_owned();
    let detail: ShowDetail = app
        .get(&format!("/api/v1/shows/{show_id}"), None)
        .await
        .json();
    assert_eq!(detail.show.title, "Hamlet");
    assert!(detail.show.poster_url.contains("/poster?v="));
    let performance = detail.performances[0].clone();
    assert_eq!(
        performance.starts_at,
        local.and_local_timezone(seoul).unwrap().with_timezone(&Utc)
    );
    assert_eq!(performance.prices["R"], 70_000);
    assert_eq!(performance.prices["S"], 50_000);

    // A buyer books a seat; the admin sees it sold.
    let buyer = app.buyer(100_000).await;
    let stage = Stage {
        admin: admin.clone(),
        venue,
        show: detail.show.clone(),
        performance: performance.clone(),
    };
    app.book_ok(&buyer, &stage, &["A1"]).await;
    browser.goto(&format!("/admin/shows/{show_id}")).await;
    browser
        .wait_text("#admin-performances", "1 of 8 seats sold")
        .await;
    browser.scroll_to("poster-title").await;
    browser.screenshot("admin-show-en").await;

    // Act: cancel it, with a reason.
    let row = format!("li[data-performance='{}']", performance.id);
    browser.click(&format!("{row} .cancel-performance")).await;
    browser
        .fill(&format!("{row} .cancel-reason"), "Power cut at the hall")
        .await;
    browser.click(&format!("{row} .confirm-cancel")).await;

    // Assert: refunded, and said so.
    browser
        .wait_text(
            &format!("{row} .cancel-summary"),
            "Bookings refunded: 1 (70,000 points)",
        )
        .await;
    browser.wait_text(&row, "Cancelled").await;
    browser
        .wait_gone(&format!("{row} .cancel-performance"))
        .await;
    browser.screenshot("admin-show-cancelled-en").await;
    assert_eq!(app.balance(&buyer).await, 100_000);
    browser.click("button[data-lang='ko']").await;
    browser.goto(&format!("/admin/shows/{show_id}")).await;
    browser.wait_text(&row, "공연 취소").await;
    browser.wait_text(&row, "Power cut at the hall").await;
    browser.scroll_to("poster-title").await;
    browser.screenshot("admin-show-ko").await;
    browser.close().await;
}
