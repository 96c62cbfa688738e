//! Switching between English and Korean, remembered across visits.

use tests::spawn_app_serving_web;

use crate::browser::Browser;
use crate::office;

#[tokio::test]
async fn the_language_switch_changes_every_text_and_is_remembered() {
    // Arrange
    let app = spawn_app_serving_web().await;
    let admin = app.admin_token().await;
    let room = office(&app, &admin).await.remove(0);
    let browser = Browser::start(&app.address).await;
    browser.goto("/").await;
    browser.wait_text("main h1", "Meeting rooms").await;

    // Act
    browser.click("button[data-lang='ko']").await;

    // Assert: Korean text and the document's language.
    browser.wait_text("main h1", "회의실").await;
    browser.wait_text("#login-link", "로그인").await;
    browser.wait_text("#room-list", "명").await;
    let lang = browser
        .client
        .execute("return document.documentElement.lang", vec![])
        .await
        .expect("script runs");
    assert_eq!(lang, "ko");
    browser.screenshot("rooms-ko").await;

    // A new visit keeps the choice; a room page on a phone-sized screen.
    browser.goto(&format!("/rooms/{}", room.id)).await;
    browser.wait_text("#book-title", "이 회의실 예약").await;
    browser.wait_text("#schedule-title", "일정").await;
    browser
        .client
        .set_window_size(390, 844)
        .await
        .expect("window resizes");
    browser.screenshot("room-ko-mobile").await;
    browser.goto("/").await;
    browser.wait_text("main h1", "회의실").await;

    browser.click("button[data-lang='en']").await;
    browser.wait_text("main h1", "Meeting rooms").await;
    browser.close().await;
}
