//! Booking a room, running into someone else's reservation, and cancelling.

use chrono::{Duration, FixedOffset, NaiveDate, NaiveTime, Utc};
use shared::{Page, Reservation, ReservationStatus};
use tests::{PASSWORD, spawn_app_serving_web};

use crate::browser::Browser;
use crate::{account, log_in, meeting_room};

const SEOUL: i32 = 9 * 3600;

/// A day a few days ahead, in Seoul (the rooms' default time zone).
pub fn day_ahead() -> NaiveDate {
    (Utc::now() + Duration::hours(9)).date_naive() + Duration::days(3)
}

pub fn seoul(date: NaiveDate, hour: u32, minute: u32) -> chrono::DateTime<Utc> {
    let offset = FixedOffset::east_opt(SEOUL).expect("offset");
    date.and_time(NaiveTime::from_hms_opt(hour, minute, 0).expect("time"))
        .and_local_timezone(offset)
        .single()
        .expect("fixed offsets are unambiguous")
        .to_utc()
}

#[tokio::test]
async fn a_user_books_a_room_sees_the_conflict_inline_and_cancels() {
    // Arrange: someone else holds 10:00-11:00 on that day.
    let app = spawn_app_serving_web().await;
    let admin = app.admin_token().await;
    let room = meeting_room(&app, &admin, "A101 회의실", "본관 1층", 8).await;
    let day = day_ahead();
    let (_, other) = account(&app, "Lee Seoyeon", 0).await;
    app.reserve_ok(&other, &room.id, seoul(day, 10, 0), seoul(day, 11, 0))
        .await;
    let (email, _) = account(&app, "Park Jiho", 0).await;
    let browser = Browser::start(&app.address).await;

    // Anyone sees when the room is taken, without whose it is.
    browser.goto(&format!("/rooms/{}", room.id)).await;
    browser.set_value("#timeline-date", &day.to_string()).await;
    let busy = browser.wait_text("#timeline .block.busy", "10:00").await;
    assert!(busy.contains("Busy"), "{busy}");
    assert!(
        !busy.contains("planning"),
        "the purpose stays private: {busy}"
    );

    // Act: the room page asks to log in, then comes back.
    browser.click("#book-login").await;
    log_in(&browser, &email, PASSWORD).await;
    browser.wait_path(&format!("/rooms/{}", room.id)).await;

    // The form suggests a time ahead (never midnight), in the room's zone,
    // and states the server's limits.
    browser.find("#booking-form").await;
    assert_ne!(browser.value("#book-start").await, "0");
    browser.wait_text("#times-hint", "Asia/Seoul").await;
    let limits = browser.wait_text("#limits-hint", "up to 12 hours").await;
    assert!(limits.contains("365 days ahead"), "{limits}");

    // Longer than the limit is named next to the end, before asking the API.
    browser.set_value("#book-date", &day.to_string()).await;
    browser.select("#book-start", "540").await;
    browser.select("#book-end", "1440").await;
    browser.fill("#book-purpose", "Design review").await;
    browser.click("#book-submit").await;
    browser.wait_text("#end-error", "at most 12 hours").await;

    // 10:30-11:30 overlaps the other reservation.
    browser.select("#book-start", "630").await;
    browser.select("#book-end", "690").await;
    browser.click("#book-submit").await;

    // Assert: the conflict names the blocking range, next to the times,
    // and the form keeps what was typed.
    let conflict = browser.wait_text("#times-error #conflict", "10:00").await;
    assert!(conflict.contains("11:00"), "{conflict}");
    assert!(
        conflict.contains("overlaps another reservation"),
        "{conflict}"
    );
    assert_eq!(browser.value("#book-purpose").await, "Design review");
    assert_eq!(browser.value("#book-start").await, "630");
    browser.screenshot("room-conflict").await;
    browser.click("#check-free").await;
    let taken = browser.wait_text("#free-result", "not free").await;
    assert!(taken.contains("10:00"), "names what is in the way: {taken}");

    // Act: right after the other reservation is free.
    browser.select("#book-start", "660").await;
    browser.select("#book-end", "720").await;
    browser.click("#check-free").await;
    browser.wait_text("#free-result", "This time is free").await;
    browser.click("#book-submit").await;
    browser.wait_text("#booked", "Approved").await;

    // The schedule shows it on that day, with its purpose, beside the
    // other reservation, which stays anonymous.
    browser.set_value("#timeline-date", &day.to_string()).await;
    browser
        .wait_text("#timeline .block[data-reservation]", "Design review")
        .await;
    browser.wait_text("#timeline .block.busy", "10:00").await;
    let busy = browser
        .client
        .find_all(fantoccini::Locator::Css("#timeline .block.busy"))
        .await
        .expect("lookup");
    assert_eq!(busy.len(), 1, "the caller's own range is not drawn twice");
    browser.screenshot("room").await;
    browser.click(".segmented button:first-child").await;
    browser.wait_gone("#timeline.week").await;
    browser
        .wait_text("#timeline .block[data-reservation]", "11:00")
        .await;

    // My reservations lists it; cancel it after confirming.
    browser.goto("/my").await;
    let row = "#my-reservations tr[data-status='approved']";
    browser.wait_text(row, "Design review").await;
    browser.screenshot("my-reservations").await;
    let id = browser
        .find(row)
        .await
        .attr("data-reservation")
        .await
        .expect("attribute")
        .expect("a reservation id");
    browser.click("#tab-past").await;
    browser.wait_text("main", "No past reservations").await;
    browser.click("#tab-upcoming").await;
    browser.click(&format!("{row} .cancel")).await;
    browser.find(".confirm").await;
    browser.click(".confirm-cancel").await;
    browser
        .find(&format!(
            "tr[data-reservation='{id}'][data-status='cancelled']"
        ))
        .await;

    // The API agrees.
    let token = app
        .login(&email, PASSWORD)
        .await
        .json::<shared::LoginResponse>()
        .token;
    let mine: Page<Reservation> = app.get("/api/v1/reservations", Some(&token)).await.json();
    assert_eq!(mine.items.len(), 1);
    assert_eq!(mine.items[0].status, ReservationStatus::Cancelled);
    browser.close().await;
}
