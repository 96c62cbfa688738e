//! My bookings, upcoming and past, with cancelling and its refund; and the
//! wallet: balance, charging within the server's limit, and the ledger.

use chrono::{Duration, Utc};
use tests::events::{StageSpec, stage_with};
use tests::{PASSWORD, spawn_app_serving_web_with};

use crate::browser::Browser;
use crate::{account, log_in, production};

#[tokio::test]
async fn a_buyer_cancels_a_booking_sees_the_refund_and_charges_the_wallet() {
    // Arrange: a server that allows charges of up to 500,000 points; a
    // booking of a performance that has just begun, then one of two seats
    // at 120,000 points each and another of one seat.
    let app = spawn_app_serving_web_with(|s| s.events.max_charge = 500_000).await;
    let (email, buyer) = account(&app, "Yoon Seojin", 500_000).await;
    let matinee = stage_with(
        &app,
        &StageSpec {
            // Time to build the stage and book before the curtain on a
            // loaded machine (5 s was once too short in CI).
            starts_at: Utc::now() + Duration::seconds(15),
            ..production("Mamma Mia!", "D-Cube Arts Center", 9, 1, 4, 50_000)
        },
    )
    .await;
    let past = app.book_ok(&buyer, &matinee, &["A1"]).await;
    let stage = stage_with(
        &app,
        &production("Les Misérables", "Charlotte Theater", 5, 2, 4, 120_000),
    )
    .await;
    let booking = app.book_ok(&buyer, &stage, &["A1", "A2"]).await;
    let kept = app.book_ok(&buyer, &stage, &["B1"]).await;
    let until_curtain = matinee.performance.starts_at - Utc::now() + Duration::milliseconds(200);
    tokio::time::sleep(until_curtain.to_std().unwrap_or_default()).await;
    let browser = Browser::start(&app.address).await;

    // Act: My bookings lists the upcoming ones, at the venue's local time.
    browser.goto("/bookings").await;
    log_in(&browser, &email, PASSWORD).await;
    browser.wait_path("/bookings").await;
    let row = format!("#my-bookings tr[data-booking='{}']", booking.id);
    let text = browser.wait_text(&row, "Les Misérables").await;
    assert!(text.contains("A1, A2"), "{text}");
    assert!(text.contains("240,000 points"), "{text}");
    assert!(text.contains("Confirmed"), "{text}");
    assert!(text.contains("7:30 PM GMT+9"), "{text}");
    let upcoming = browser
        .find("#my-bookings")
        .await
        .text()
        .await
        .expect("text");
    assert!(!upcoming.contains("Mamma Mia!"), "{upcoming}");

    // Cancel, after confirming what comes back.
    browser.click(&format!("{row} .cancel")).await;
    browser
        .wait_text(
            &format!("{row} .confirm"),
            "240,000 points will be refunded",
        )
        .await;
    browser.click(&format!("{row} .confirm-cancel")).await;

    // Assert: cancelled with the refund named, still listed and marked.
    browser
        .find(&format!("{row}[data-status='cancelled']"))
        .await;
    browser.wait_text(&row, "240,000 points refunded").await;
    browser.wait_gone(&format!("{row} .cancel")).await;
    let other = format!("#my-bookings tr[data-booking='{}']", kept.id);
    browser.wait_text(&other, "Confirmed").await;
    browser.screenshot("bookings").await;
    assert_eq!(app.balance(&buyer).await, 330_000);

    // The wallet shows the balance and every movement, newest first.
    browser.click(&format!("{row} a[href='/wallet']")).await;
    browser.wait_text("#wallet-balance", "330,000 points").await;
    browser
        .wait_text("#ledger tbody tr:first-child", "Refund")
        .await;
    let refund = browser
        .wait_text("#ledger tbody tr:first-child", "+240,000")
        .await;
    assert!(refund.contains("330,000"), "balance after: {refund}");
    browser
        .wait_text("#ledger tbody tr:nth-child(2)", "-120,000")
        .await;
    browser
        .wait_text("#ledger tbody tr:nth-child(3)", "-240,000")
        .await;
    browser
        .wait_text("#ledger tbody tr:nth-child(4)", "-50,000")
        .await;
    browser
        .wait_text("#ledger tbody tr:nth-child(5)", "Charge")
        .await;

    // Charging: the server's maximum is stated; a bad amount is named next
    // to the field, and nothing moves.
    browser
        .wait_text("#amount-hint", "From 1 to 500,000 points")
        .await;
    browser.fill("#charge-amount", "0").await;
    browser.click("#charge-submit").await;
    browser
        .wait_text("#amount-error", "from 1 to 500,000")
        .await;
    browser.fill("#charge-amount", "600000").await;
    browser.click("#charge-submit").await;
    browser
        .wait_text("#amount-error", "from 1 to 500,000")
        .await;

    // A good one (a quick amount) is added once.
    browser.click(".quick button:nth-child(2)").await;
    browser.wait_value("#charge-amount", "50000").await;
    browser.click("#charge-submit").await;
    browser.wait_text("#charged", "Added 50,000 points").await;
    browser.wait_text("#wallet-balance", "380,000 points").await;
    browser
        .wait_text("#ledger tbody tr:first-child", "+50,000")
        .await;
    browser.screenshot("wallet").await;
    assert_eq!(app.balance(&buyer).await, 380_000);

    // Past bookings are on their own tab, without a way to cancel them.
    browser.click("header nav a[href='/bookings']").await;
    browser.wait_text(&other, "Confirmed").await;
    browser.click("#tab-past").await;
    let past_row = format!("#my-bookings tr[data-booking='{}']", past.id);
    browser.wait_text(&past_row, "Mamma Mia!").await;
    browser.wait_gone(&row).await;
    browser.wait_gone("#my-bookings .cancel").await;
    browser.screenshot("bookings-past").await;

    // Cancelled bookings can be hidden.
    browser.click("#tab-upcoming").await;
    browser.wait_text(&row, "Cancelled").await;
    browser.click("#hide-cancelled").await;
    browser.wait_gone(&row).await;
    browser.wait_text(&other, "Confirmed").await;
    browser.close().await;
}
