//! My bookings with cancelling and its refund, and the wallet: balance,
//! charging with its checks, and the ledger.

use tests::events::stage;
use tests::{PASSWORD, spawn_app_serving_web};

use crate::browser::Browser;
use crate::{account, log_in};

#[tokio::test]
async fn a_buyer_cancels_a_booking_sees_the_refund_and_charges_the_wallet() {
    // Arrange: a booking of two seats at 120,000 points each.
    let app = spawn_app_serving_web().await;
    let stage = stage(&app, 2, 4, 120_000).await;
    let (email, buyer) = account(&app, "Yoon Seojin", 500_000).await;
    let booking = app.book_ok(&buyer, &stage, &["A1", "A2"]).await;
    let kept = app.book_ok(&buyer, &stage, &["B1"]).await;
    let browser = Browser::start(&app.address).await;

    // Act: My bookings lists it.
    browser.goto("/bookings").await;
    log_in(&browser, &email, PASSWORD).await;
    browser.wait_path("/bookings").await;
    let row = format!("#my-bookings tr[data-booking='{}']", booking.id);
    let text = browser.wait_text(&row, "Les Misérables").await;
    assert!(text.contains("A1, A2"), "{text}");
    assert!(text.contains("240,000 points"), "{text}");
    assert!(text.contains("Confirmed"), "{text}");

    // Cancel, after confirming what comes back.
    browser.click(&format!("{row} .cancel")).await;
    browser
        .wait_text(
            &format!("{row} .confirm"),
            "240,000 points will be refunded",
        )
        .await;
    browser.click(&format!("{row} .confirm-cancel")).await;

    // Assert: cancelled with the refund named, and the seats are free again.
    browser
        .find(&format!("{row}[data-status='cancelled']"))
        .await;
    browser.wait_text(&row, "240,000 points refunded").await;
    let other = format!("#my-bookings tr[data-booking='{}']", kept.id);
    browser.wait_text(&other, "Confirmed").await;
    browser.screenshot("bookings").await;
    assert_eq!(app.balance(&buyer).await, 380_000);

    // The wallet shows the balance and every movement, newest first.
    browser.click(&format!("{row} a[href='/wallet']")).await;
    browser.wait_text("#wallet-balance", "380,000 points").await;
    browser
        .wait_text("#ledger tbody tr:first-child", "Refund")
        .await;
    let refund = browser
        .wait_text("#ledger tbody tr:first-child", "+240,000")
        .await;
    assert!(refund.contains("380,000"), "balance after: {refund}");
    browser
        .wait_text("#ledger tbody tr:nth-child(2)", "-120,000")
        .await;
    browser
        .wait_text("#ledger tbody tr:nth-child(3)", "-240,000")
        .await;
    browser
        .wait_text("#ledger tbody tr:nth-child(4)", "Charge")
        .await;

    // Charging: a bad amount is named next to the field, and nothing moves.
    browser.fill("#charge-amount", "0").await;
    browser.click("#charge-submit").await;
    browser
        .wait_text("#amount-error", "from 1 to 1,000,000")
        .await;
    browser.fill("#charge-amount", "2000000").await;
    browser.click("#charge-submit").await;
    browser
        .wait_text("#amount-error", "from 1 to 1,000,000")
        .await;

    // A good one (a quick amount) is added once.
    browser.click(".quick button:nth-child(2)").await;
    browser.wait_value("#charge-amount", "50000").await;
    browser.click("#charge-submit").await;
    browser.wait_text("#charged", "Added 50,000 points").await;
    browser.wait_text("#wallet-balance", "430,000 points").await;
    browser
        .wait_text("#ledger tbody tr:first-child", "+50,000")
        .await;
    browser.screenshot("wallet").await;
    assert_eq!(app.balance(&buyer).await, 430_000);
    browser.close().await;
}
