//! An administrator adds a webhook in the browser; a booking made elsewhere
//! reaches the receiver signed and verifiable, and shows in the delivery
//! history, the audit log and the reconciliation page, in English and
//! Korean. Drift made behind the API's back is found and repaired there.

use std::time::Duration;

use mongodb::bson::{Document, doc};
use tests::events::stage;
use tests::receiver::{Behaviour, Receiver, verify_with_python};
use tests::{ADMIN_EMAIL, ADMIN_PASSWORD, spawn_app_serving_web};

use crate::browser::Browser;
use crate::log_in;

#[tokio::test]
async fn an_admin_adds_a_webhook_and_sees_a_booking_delivered_and_audited() {
    // Arrange
    let app = spawn_app_serving_web().await;
    let stage = stage(&app, 2, 6, 100).await;
    let receiver = Receiver::start(Behaviour::default()).await;
    let browser = Browser::start(&app.address).await;
    browser.goto("/login?next=%2Fadmin%2Fwebhooks").await;
    log_in(&browser, ADMIN_EMAIL, ADMIN_PASSWORD).await;

    // Act: the webhook, registered through the form.
    browser.fill("#webhook-url", "ftp://nowhere").await;
    browser.click("#webhook-add").await;
    browser.wait_text("#url-error", "http").await;
    browser.fill("#webhook-url", &receiver.url).await;
    browser.fill("#webhook-description", "Box office CRM").await;
    browser.click("input[data-type='booking.confirmed']").await;
    browser.click("#webhook-add").await;
    let secret_text = browser.wait_text("#webhook-secret", "whsec_").await;
    let secret = secret_text
        .split_whitespace()
        .find(|w| w.starts_with("whsec_"))
        .expect("the secret is shown")
        .to_owned();
    browser
        .wait_text(
            &format!("#webhooks tr[data-endpoint='{}']", receiver.url),
            "booking.confirmed",
        )
        .await;
    browser.screenshot("admin-webhooks").await;

    // A booking made elsewhere (another tab, another buyer).
    let buyer = app.buyer(1_000).await;
    let booking = app.book_ok(&buyer, &stage, &["A3"]).await;

    // Assert: delivered, signed, verifiable.
    let delivered = receiver
        .wait_for(Duration::from_secs(20), |r| {
            r.iter().any(|r| r.answered == 204)
        })
        .await;
    let body = delivered[0].json();
    assert_eq!(body["type"], "booking.confirmed");
    assert_eq!(body["data"]["target_id"], booking.id.0);
    assert_eq!(verify_with_python(&secret, &delivered[..1]), ["ok"]);

    // The delivery history and the audit log show it.
    browser.goto("/admin/webhooks").await;
    browser
        .click(&format!(
            "#webhooks tr[data-endpoint='{}'] .open-deliveries",
            receiver.url
        ))
        .await;
    browser.wait_text("#deliveries", "booking.confirmed").await;
    browser.wait_text("#deliveries", "204").await;
    browser.screenshot("admin-webhook-deliveries").await;
    browser.goto("/admin/audit").await;
    let row = format!("#audit tr[data-target='{}']", booking.id);
    browser.wait_text(&row, "booking.confirmed").await;
    browser.select("#audit-target", "booking").await;
    browser.wait_text(&row, "status").await;
    browser.screenshot("admin-audit").await;

    // The same pages in Korean.
    browser.click("button[data-lang='ko']").await;
    browser.wait_text("h2", "감사 로그").await;
    browser.screenshot("admin-audit-ko").await;
    browser.goto("/admin/webhooks").await;
    browser.wait_text("h2", "웹훅").await;
    browser.screenshot("admin-webhooks-ko").await;
    // The reconciliation page sees the booking and no drift.
    browser.goto("/admin/reconciliation").await;
    browser
        .wait_text("#reconcile-none", "아직 점검한 적이")
        .await;
    browser.click("#reconcile-check").await;
    browser
        .wait_text("#reconcile-clean", "어긋난 곳이 없습니다")
        .await;
    browser.wait_text("#reconcile-latest", "1 예매").await;
    browser.click("button[data-lang='en']").await;
    browser.wait_text("#reconcile-latest", "1 bookings").await;
    browser.wait_text("#reconcile-clean", "No drift").await;
    browser.close().await;
}

#[tokio::test]
async fn an_admin_finds_drift_on_the_reconciliation_page_and_repairs_it() {
    let app = spawn_app_serving_web().await;
    let stage = stage(&app, 1, 6, 100).await;
    let buyer = app.buyer(1_000).await;
    let booking = app.book_ok(&buyer, &stage, &["A2"]).await;
    // Behind the API's back: the booked seat shows as free.
    app.db
        .collection::<Document>("seats")
        .update_one(
            doc! { "label": "A2" },
            doc! { "$set": { "state": "available" }, "$unset": { "booking_id": "", "holder": "" } },
        )
        .await
        .unwrap();
    let browser = Browser::start(&app.address).await;
    browser.goto("/login?next=%2Fadmin%2Freconciliation").await;
    log_in(&browser, ADMIN_EMAIL, ADMIN_PASSWORD).await;

    browser.click("#reconcile-check").await;
    let row = "#reconcile-drifts tr[data-kind='seat_state']";
    browser.wait_text(row, &booking.id.0).await;
    browser.wait_attr(row, "data-repaired", "false").await;
    browser.screenshot("admin-reconciliation").await;
    browser.click("button[data-lang='ko']").await;
    browser.wait_text("h2", "정합성 점검").await;
    browser.wait_text("#reconcile-latest", "어긋남: 1").await;
    browser.screenshot("admin-reconciliation-ko").await;
    browser.click("#reconcile-repair").await;
    browser
        .wait_attr("#reconcile-latest", "data-repaired", "1")
        .await;
    browser.wait_attr(row, "data-repaired", "true").await;
    browser.wait_text("#reconcile-history", "관리자").await;
    browser.click("button[data-lang='en']").await;
    browser.close().await;

    app.book(&buyer, &stage, &["A2"])
        .await
        .assert_error(409, shared::ErrorCode::SeatTaken);
}
