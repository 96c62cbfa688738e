//! A user chooses the language of their e-mail and turns a kind off; the
//! choice is kept, in Korean and English.

use shared::{Language, MailKind, NotificationSettings};
use tests::{PASSWORD, spawn_app_serving_web};

use crate::browser::Browser;
use crate::{account, log_in};

#[tokio::test]
async fn a_user_picks_the_mail_language_and_turns_reminders_off() {
    let app = spawn_app_serving_web().await;
    let (email, token) = account(&app, "Park Jiwoo", 0).await;
    let browser = Browser::start(&app.address).await;
    browser.goto("/login?next=%2Fnotifications").await;
    log_in(&browser, &email, PASSWORD).await;

    // Korean by default, every kind on.
    browser.click("button[data-lang='ko']").await;
    browser.wait_text("h1", "메일 알림").await;
    browser.wait_value("#mail-language", "ko").await;
    browser.find("input[data-kind='reminder']:checked").await;
    browser.screenshot("notifications-ko").await;

    browser.click("button[data-lang='en']").await;
    browser.wait_text("h1", "E-mail notifications").await;
    browser.select("#mail-language", "en").await;
    browser.click("input[data-kind='reminder']").await;
    browser.click("#notifications-save").await;
    browser.wait_text("#notifications-saved", "Saved").await;
    browser.screenshot("notifications").await;

    // Kept: the API says so, and so does the page after a reload.
    let stored: NotificationSettings = app
        .get("/api/v1/me/notifications", Some(&token))
        .await
        .json();
    assert_eq!(
        stored,
        NotificationSettings {
            language: Language::En,
            muted: vec![MailKind::Reminder],
        }
    );
    browser.goto("/notifications").await;
    browser.wait_value("#mail-language", "en").await;
    browser
        .find("input[data-kind='reminder']:not(:checked)")
        .await;
    browser
        .find("input[data-kind='booking_confirmed']:checked")
        .await;
    browser.close().await;
}
