//! Browsing the shows: the list in both orders with its badges, and a
//! show's page with its performances.

use chrono::{Duration, Utc};
use tests::events::stage_titled;
use tests::{PASSWORD, spawn_app_serving_web};

use crate::browser::Browser;
use crate::{account, log_in};

#[tokio::test]
async fn visitors_browse_shows_by_date_or_popularity_and_see_their_bookings_marked() {
    // Arrange: three shows; the newest is sold out, the oldest is the most
    // booked, and the buyer has a seat for the middle one.
    let app = spawn_app_serving_web().await;
    let soon = Utc::now() + Duration::days(20);
    let hamlet = stage_titled(&app, "Hamlet", 2, 5, 50_000, soon).await;
    let cats = stage_titled(&app, "Cats", 2, 4, 70_000, soon).await;
    let tiny = stage_titled(&app, "Chamber Opera", 1, 2, 90_000, soon).await;
    let (_, fan) = account(&app, "Fan", 1_000_000).await;
    app.book_ok(&fan, &hamlet, &["A1", "A2", "A3"]).await;
    app.book_ok(&fan, &tiny, &["A1", "A2"]).await;
    let (email, buyer) = account(&app, "Choi Yuna", 1_000_000).await;
    app.book_ok(&buyer, &cats, &["B4"]).await;
    let browser = Browser::start(&app.address).await;

    // Act: the list, newest first.
    browser.goto("/shows").await;
    let first = "#show-list li:first-child";
    browser.wait_text(first, "Chamber Opera").await;
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

    // A show's page lists its performance, which links to the seat map.
    browser.click(&format!("{cats_card} h2 a")).await;
    browser.wait_text("#show-title", "Cats").await;
    browser.find("#booked-this").await;
    let performance = format!("li[data-performance='{}']", cats.performance.id);
    let text = browser.wait_text(&performance, "7 of 8 seats left").await;
    assert!(text.contains(&cats.venue.name), "{text}");
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
    browser.close().await;
}
