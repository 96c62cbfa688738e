//! The seat map: picking seats up to the per-person limit, booking them,
//! seeing others' bookings turn grey while the page is open, losing a race
//! politely, and the keyboard.

use fantoccini::key::Key;
use shared::{Booking, Page};
use tests::events::{Stage, stage_with};
use tests::{PASSWORD, TestApp, spawn_app_serving_web};

use crate::browser::Browser;
use crate::{account, log_in, production};

fn seat(label: &str) -> String {
    format!("#seat-map [data-seat='{label}']")
}

async fn open_seat_map(browser: &Browser, stage: &Stage, email: &str) {
    let path = format!(
        "/shows/{}/performances/{}",
        stage.show.id, stage.performance.id
    );
    browser.goto(&path).await;
    browser.click("#reserve-login").await;
    log_in(browser, email, PASSWORD).await;
    browser.wait_path(&path).await;
    browser.find("#seat-map").await;
}

/// The body sizes of the seat-map requests this page has made; an
/// unchanged map (`304`) has none. (Chrome reports no status for 304s.)
async fn seat_map_requests(browser: &Browser) -> Vec<u64> {
    let sizes = browser
        .client
        .execute(
            "return performance.getEntriesByType('resource')
                .filter(e => e.name.includes('/seats'))
                .map(e => e.encodedBodySize);",
            vec![],
        )
        .await
        .expect("script runs");
    serde_json::from_value(sizes).expect("a list of sizes")
}

async fn bookings(app: &TestApp, token: &str) -> Vec<Booking> {
    let page: Page<Booking> = app.get("/api/v1/bookings", Some(token)).await.json();
    page.items
}

#[tokio::test]
async fn a_buyer_books_two_seats_and_sees_anothers_booking_turn_grey() {
    // Arrange
    let app = spawn_app_serving_web().await;
    let mut show = production("Les Misérables", "Charlotte Theater", 5, 2, 6, 120_000);
    show.tiers.push(("S".into(), 90_000, 1));
    let stage = stage_with(&app, &show).await;
    let (email, buyer) = account(&app, "Jung Hana", 1_000_000).await;
    let (_, other) = account(&app, "Lee Seoyeon", 1_000_000).await;
    let browser = Browser::start(&app.address).await;
    open_seat_map(&browser, &stage, &email).await;

    // Curtain up in the venue's zone, named; the per-person limit, stated.
    browser.wait_text("#performance-time", "7:30 PM").await;
    browser.wait_text("#performance-time", "GMT+9").await;
    browser
        .wait_text("#seat-limit", "Up to 4 seats per person")
        .await;

    // Act: pick two seats.
    browser.click(&seat("A1")).await;
    browser.click(&seat("A2")).await;

    // Assert: picked, listed, totalled, labelled for screen readers.
    browser.wait_attr(&seat("A1"), "class", "selected").await;
    browser.wait_text("#selection", "A2").await;
    browser.wait_text("#total", "240,000 points").await;
    browser.wait_text("#balance", "1,000,000 points").await;
    let label = browser
        .find(&seat("A3"))
        .await
        .attr("aria-label")
        .await
        .expect("attribute");
    assert_eq!(
        label.as_deref(),
        Some("A3, R tier, 120,000 points, available")
    );

    // Someone else books A3 through the API; the open map greys it.
    app.book_ok(&other, &stage, &["A3"]).await;
    browser.wait_attr(&seat("A3"), "class", "taken").await;
    browser
        .wait_attr(&seat("A3"), "aria-disabled", "true")
        .await;
    browser
        .wait_text("#seats-left", "17 of 18 seats left")
        .await;
    browser.click(&seat("A3")).await;
    browser.wait_text("#selection", "A2").await;
    let picked = browser.find("#selection").await.text().await.expect("text");
    assert!(
        !picked.contains("A3"),
        "a taken seat cannot be picked: {picked}"
    );
    browser.screenshot("seat-map").await;

    // Reserve: the confirmation sums it up; confirming books and pays.
    browser.click("#reserve").await;
    browser.wait_text("#confirm-seats", "A1, A2").await;
    browser
        .wait_text("#confirm-booking", "760,000 points")
        .await;
    browser.screenshot("seat-map-confirm").await;
    browser.click("#confirm-book").await;
    browser.wait_text("#booking-done", "A1, A2").await;
    browser.wait_attr(&seat("A1"), "class", "taken mine").await;
    browser.wait_attr(&seat("A2"), "class", "taken mine").await;
    browser.wait_text("#balance", "760,000 points").await;
    browser.find("#nothing-selected").await;

    // Two more seats fit under the limit of four; a third is refused in place.
    browser.wait_text("#seat-limit", "you already have 2").await;
    browser.click(&seat("C1")).await;
    browser.click(&seat("C2")).await;
    browser.wait_text("#selection", "C2").await;
    browser.click(&seat("C3")).await;
    browser
        .wait_text("#seat-limit-reached", "at most 4 seats")
        .await;
    browser.wait_attr(&seat("C3"), "class", "available").await;
    browser.screenshot("seat-map-limit").await;
    browser.click("#selection li[data-seat='C1'] .remove").await;
    browser.wait_gone("#seat-limit-reached").await;
    browser.click(&seat("C3")).await;
    browser.wait_text("#selection", "C3").await;

    // The API agrees: one booking of both seats, paid once.
    let mine = bookings(&app, &buyer).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].seats, ["A1", "A2"]);
    assert_eq!(app.balance(&buyer).await, 760_000);

    // The map polled with its ETag (unchanged answers are 304s), and stops
    // once the page is left.
    let deadline = std::time::Instant::now() + crate::browser::WAIT;
    while !seat_map_requests(&browser).await.contains(&0) {
        assert!(std::time::Instant::now() < deadline, "no 304 while polling");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    browser.click("#booking-done a").await;
    browser.wait_path("/bookings").await;
    let left_with = seat_map_requests(&browser).await.len();
    // Absence takes waiting: twice the polling interval.
    tokio::time::sleep(std::time::Duration::from_secs(6)).await;
    assert_eq!(seat_map_requests(&browser).await.len(), left_with);
    browser.close().await;
}

#[tokio::test]
async fn a_seat_taken_before_confirming_leaves_the_selection_with_a_message() {
    // Arrange: a buyer who can afford one seat, not two.
    let app = spawn_app_serving_web().await;
    let show = production("The Phantom of the Opera", "Blue Square", 8, 2, 4, 120_000);
    let stage = stage_with(&app, &show).await;
    let (email, buyer) = account(&app, "Kang Dohyun", 200_000).await;
    let (_, other) = account(&app, "Lee Seoyeon", 1_000_000).await;
    let browser = Browser::start(&app.address).await;
    open_seat_map(&browser, &stage, &email).await;

    // Keyboard: into the map at its first free seat, along the row, and
    // down to the next row; Space picks.
    let tab_stop = browser.find("#seat-map [tabindex='0']").await;
    assert_eq!(
        tab_stop
            .attr("data-seat")
            .await
            .expect("attribute")
            .as_deref(),
        Some("A1")
    );
    tab_stop
        .send_keys(&format!("{}{} ", Key::Right, Key::Down))
        .await
        .expect("keys are typed");
    browser.wait_attr(&seat("B2"), "class", "selected").await;
    let focused = browser
        .client
        .execute("return document.activeElement.dataset.seat", vec![])
        .await
        .expect("script runs");
    assert_eq!(focused, "B2");
    browser.click(&seat("B3")).await;

    // Two seats cost more than the balance: refused politely, with a way on.
    browser.click("#reserve").await;
    browser.wait_text("#not-enough", "200,000 points").await;
    browser.find("#not-enough a[href='/wallet']").await;
    let confirm = browser.find("#confirm-book").await;
    assert_eq!(
        confirm
            .attr("disabled")
            .await
            .expect("attribute")
            .as_deref(),
        Some("true")
    );
    browser.click("#confirm-back").await;

    // Act: with B3 alone, someone else books it while the buyer confirms.
    browser.click("#selection li[data-seat='B2'] .remove").await;
    browser.wait_gone("#selection li[data-seat='B2']").await;
    browser.click("#reserve").await;
    browser.wait_text("#confirm-seats", "B3").await;
    app.book_ok(&other, &stage, &["B3"]).await;
    browser.click("#confirm-book").await;

    // Assert: told which seat went, greyed, out of the selection, nothing paid.
    browser
        .wait_text("#seats-gone", "B3 has just been taken")
        .await;
    browser.wait_attr(&seat("B3"), "class", "taken").await;
    browser.find("#nothing-selected").await;
    browser.screenshot("seat-map-taken").await;
    assert!(bookings(&app, &buyer).await.is_empty());
    assert_eq!(app.balance(&buyer).await, 200_000);

    // Another seat goes through.
    browser.click(&seat("B4")).await;
    browser.click("#reserve").await;
    browser.click("#confirm-book").await;
    browser.wait_text("#booking-done", "B4").await;
    assert_eq!(app.balance(&buyer).await, 80_000);

    // In Korean, on a phone.
    browser.click("button[data-lang='ko']").await;
    browser.wait_text("#map-title", "좌석 배치도").await;
    browser.click(&seat("A4")).await;
    browser.wait_text("#total", "120,000포인트").await;
    browser.wait_text("#performance-time", "오후 7:30").await;
    browser
        .client
        .set_window_size(390, 844)
        .await
        .expect("window resizes");
    browser.screenshot("seat-map-ko-mobile").await;
    browser.close().await;
}

#[tokio::test]
async fn without_a_live_stream_the_map_falls_back_to_polling() {
    // Arrange: an instance that serves no live streams (as when it serves
    // as many as it may): the page's stream is refused with 503.
    let app = tests::spawn_app_serving_web_with(|s| s.events.live_streams_max = 0).await;
    let stage = stage_with(
        &app,
        &production("Cats", "Charlotte Theater", 2, 1, 4, 10_000),
    )
    .await;
    let (email, _) = account(&app, "Yoon Jisu", 0).await;
    let (_, other) = account(&app, "Kang Mirae", 100_000).await;
    let browser = Browser::start(&app.address).await;
    open_seat_map(&browser, &stage, &email).await;
    browser.wait_attr(&seat("A2"), "class", "available").await;

    // Act
    app.book_ok(&other, &stage, &["A2"]).await;

    // Assert: the poll greys the seat; the page never claimed to be live.
    browser.wait_attr(&seat("A2"), "class", "taken").await;
    let live = browser
        .client
        .execute(
            "return !document.getElementById('live-badge').hidden;",
            vec![],
        )
        .await
        .expect("script runs");
    assert_eq!(live, false, "the live badge shows without a stream");
    browser.close().await;
}

#[tokio::test]
async fn a_hold_that_runs_out_shows_free_on_the_live_map_before_any_sweep() {
    // Arrange: holds of three seconds, and no sweep to tidy them.
    let app = tests::spawn_app_serving_web_with(|s| {
        s.events.hold_ttl_seconds = 3;
        s.events.sweep_interval_seconds = 3600;
    })
    .await;
    let stage = stage_with(
        &app,
        &production("Chicago", "Chungmu Art Center", 2, 1, 4, 10_000),
    )
    .await;
    let (email, _) = account(&app, "Seo Hyejin", 0).await;
    let (_, other) = account(&app, "Nam Dohyun", 100_000).await;
    let browser = Browser::start(&app.address).await;
    open_seat_map(&browser, &stage, &email).await;
    browser.find("#live-badge:not([hidden])").await;

    // Act: someone holds A2 and lets the hold run out.
    app.hold_ok(&other, &stage, &["A2"]).await;

    // Assert: taken, then free again once the hold has run out, although
    // the database still has the seat marked held (nothing swept it).
    browser.wait_attr(&seat("A2"), "class", "taken").await;
    browser.wait_attr(&seat("A2"), "class", "available").await;
    let stored = app
        .documents("seats", mongodb::bson::doc! { "label": "A2" })
        .await;
    assert_eq!(stored[0].get_str("state").unwrap(), "held");
    browser.close().await;
}
