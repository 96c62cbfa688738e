//! Browsing the shows: the list in both orders with its badges, and a
//! show's page with its performances in their venues' time zones.

use chrono::{DateTime, Utc};
use serde_json::json;
use shared::{Venue, VenueId};
use tests::events::{Stage, stage_with};
use tests::{PASSWORD, TestApp, spawn_app_serving_web};

use crate::browser::Browser;
use crate::{account, log_in, production, seoul_at};

/// Another performance of `stage`'s show at `venue`, whose seats are all tier R.
async fn add_date(
    app: &TestApp,
    stage: &Stage,
    venue: &VenueId,
    starts_at: DateTime<Utc>,
    price: u32,
) {
    let performance = app
        .post(
            &format!("/api/v1/shows/{}/performances", stage.show.id),
            Some(&stage.admin),
            &json!({ "venue_id": venue, "starts_at": starts_at.to_rfc3339(), "prices": { "R": price } }),
        )
        .await;
    performance.assert_status(201);
}

/// A new venue in `zone`, with one row of tier R.
async fn venue_in(app: &TestApp, stage: &Stage, name: &str, zone: &str) -> VenueId {
    let venue = app
        .post(
            "/api/v1/venues",
            Some(&stage.admin),
            &json!({
                "name": name,
                "time_zone": zone,
                "sections": [{ "name": "Stalls", "rows": [{ "label": "A", "seats": 4, "tier": "R" }] }],
            }),
        )
        .await;
    venue.assert_status(201);
    let venue: Venue = venue.json();
    assert_eq!(venue.time_zone, zone);
    venue.id
}

#[tokio::test]
async fn visitors_browse_shows_by_date_or_popularity_and_see_their_bookings_marked() {
    // Arrange: three shows; the newest is sold out, the oldest is the most
    // booked, and the buyer has a seat for the middle one.
    let app = spawn_app_serving_web().await;
    let hamlet = stage_with(
        &app,
        &production("Hamlet", "Charlotte Theater", 3, 2, 5, 50_000),
    )
    .await;
    let mut cats = production("Cats", "Blue Square", 7, 2, 4, 70_000);
    cats.description = "Andrew Lloyd Webber's musical of the Jellicle cats, \
        after T. S. Eliot's poems."
        .into();
    let cats = stage_with(&app, &cats).await;
    add_date(&app, &cats, &cats.venue.id, seoul_at(31, 14, 0), 70_000).await;
    add_date(&app, &cats, &cats.venue.id, seoul_at(31, 19, 30), 70_000).await;
    let tiny = stage_with(
        &app,
        &production("Don Giovanni", "Seoul Arts Center", 12, 1, 2, 90_000),
    )
    .await;
    let (_, fan) = account(&app, "Han Jiwoo", 1_000_000).await;
    app.book_ok(&fan, &hamlet, &["A1", "A2", "A3"]).await;
    app.book_ok(&fan, &tiny, &["A1", "A2"]).await;
    let (email, buyer) = account(&app, "Choi Yuna", 1_000_000).await;
    app.book_ok(&buyer, &cats, &["B4"]).await;
    let browser = Browser::start(&app.address).await;

    // Act: the list, newest first.
    browser.goto("/shows").await;
    let first = "#show-list li:first-child";
    browser.wait_text(first, "Don Giovanni").await;
    let sold_out = format!("li[data-show='{}']", tiny.show.id);
    browser.wait_text(&sold_out, "Sold out").await;
    browser.wait_text(&sold_out, "0 of 2 seats left").await;
    let hamlet_card = format!("li[data-show='{}']", hamlet.show.id);
    browser.wait_text(&hamlet_card, "From 50,000 points").await;
    browser.wait_text(&hamlet_card, "7 of 10 seats left").await;

    // Most booked first.
    browser.click("#sort-popular").await;
    browser.wait_path("/shows?sort=popular").await;
    browser.wait_text(first, "Hamlet").await;
    browser.screenshot("shows").await;

    // Logged in, the show the buyer booked is marked.
    browser.click("#login-link").await;
    log_in(&browser, &email, PASSWORD).await;
    browser.wait_path("/shows?sort=popular").await;
    let cats_card = format!("li[data-show='{}']", cats.show.id);
    browser.wait_text(&cats_card, "Booked").await;
    let hamlet_text = browser.wait_text(&hamlet_card, "Hamlet").await;
    assert!(!hamlet_text.contains("Booked"), "{hamlet_text}");

    // A show's page lists its performance at 19:30 in the venue's zone
    // (the browser runs in UTC), which links to the seat map.
    browser.click(&format!("{cats_card} h2 a")).await;
    browser.wait_text("#show-title", "Cats").await;
    browser.find("#booked-this").await;
    browser
        .wait_text(
            "#performances-zone",
            "venue's local time (Asia/Seoul, GMT+9)",
        )
        .await;
    let performance = format!("li[data-performance='{}']", cats.performance.id);
    let text = browser.wait_text(&performance, "7 of 8 seats left").await;
    assert!(text.contains("Blue Square"), "{text}");
    assert!(text.contains("7:30 PM"), "{text}");
    assert!(text.contains("R 70,000 points"), "{text}");
    browser.screenshot("show").await;
    browser.click(&format!("{performance} a.choose")).await;
    browser
        .wait_path(&format!(
            "/shows/{}/performances/{}",
            cats.show.id, cats.performance.id
        ))
        .await;
    browser.wait_attr("[data-seat='B4']", "class", "mine").await;

    // On tour: with venues in two zones, each date names its own.
    // 20:30 in Seoul is 19:30 in Singapore (UTC+8 all year).
    let sands = venue_in(&app, &hamlet, "Sands Theatre", "Asia/Singapore").await;
    add_date(&app, &hamlet, &sands, seoul_at(40, 20, 30), 60_000).await;
    browser.goto(&format!("/shows/{}", hamlet.show.id)).await;
    browser
        .wait_text("#performances-zone", "each venue's local time")
        .await;
    browser.wait_text("#performances", "7:30 PM GMT+9").await;
    let text = browser.wait_text("#performances", "7:30 PM GMT+8").await;
    assert!(text.contains("Sands Theatre"), "{text}");
    browser.close().await;
}

#[tokio::test]
async fn a_cancelled_performance_says_why_and_offers_no_seats() {
    // Arrange: a booked performance, then cancelled by the organiser.
    let app = spawn_app_serving_web().await;
    let macbeth = stage_with(&app, &production("Macbeth", "Grand Hall", 3, 2, 4, 50_000)).await;
    let (_, buyer) = app.new_user().await;
    app.charge(&buyer, 100_000).await.assert_status(200);
    app.book_ok(&buyer, &macbeth, &["A1"]).await;
    app.post(
        &macbeth.perf_path("/cancel"),
        Some(&macbeth.admin),
        &json!({ "reason": "The stage flooded; your points are back in your wallet." }),
    )
    .await
    .assert_status(200);

    // Act
    let browser = Browser::start(&app.address).await;
    browser.goto(&format!("/shows/{}", macbeth.show.id)).await;

    // Assert: the date says it is cancelled and why, with no way to seats.
    let performance = format!("li[data-performance='{}']", macbeth.performance.id);
    browser.wait_text(&performance, "Cancelled").await;
    browser.wait_text(&performance, "The stage flooded").await;
    browser.wait_gone(&format!("{performance} a.choose")).await;
    browser.screenshot("show-cancelled-en").await;
    // A link kept to its seat map says so too, and sells nothing.
    browser
        .goto(&format!(
            "/shows/{}/performances/{}",
            macbeth.show.id, macbeth.performance.id
        ))
        .await;
    browser
        .wait_text("#performance-cancelled", "every booking was refunded")
        .await;
    browser.goto(&format!("/shows/{}", macbeth.show.id)).await;
    browser.click("button[data-lang='ko']").await;
    browser.wait_text(&performance, "공연 취소").await;
    browser.screenshot("show-cancelled-ko").await;
    browser.close().await;
}
