//! Registering, logging in and out, and being sent to log in and back.

use tests::{PASSWORD, spawn_app_serving_web};

use crate::browser::Browser;
use crate::{log_in, office};

#[tokio::test]
async fn a_visitor_registers_logs_in_and_out_and_comes_back_where_they_were() {
    // Arrange
    let app = spawn_app_serving_web().await;
    let admin = app.admin_token().await;
    office(&app, &admin).await;
    let browser = Browser::start(&app.address).await;
    let email = "kim.minji@example.com";

    // Act: register from the header's Login button.
    browser.goto("/").await;
    browser.find("#room-list li").await;
    browser.screenshot("rooms").await;
    browser.click("#login-link").await;
    browser.click("#register-link").await;
    browser.fill("#register-name", "Kim Minji").await;
    browser.fill("#register-email", email).await;
    browser.fill("#register-password", PASSWORD).await;
    browser.click("#register-form button[type=submit]").await;
    browser.find(".notice.success").await;

    // A wrong password is refused with a message, not silently.
    log_in(&browser, email, "not the password").await;
    browser.wait_text(".notice.error", "incorrect").await;
    browser.screenshot("login-error").await;

    log_in(&browser, email, PASSWORD).await;

    // Assert: signed in, named in the header, no admin link.
    browser.wait_text("#current-user", "Kim Minji").await;
    browser.wait_path("/").await;
    let admin_links = browser
        .client
        .find_all(fantoccini::Locator::Css("header nav a[href='/admin']"))
        .await
        .expect("lookup");
    assert!(admin_links.is_empty(), "a user sees no admin link");

    // Logging out brings the Login button back.
    browser.click("#logout").await;
    browser.find("#login-link").await;

    // A page that needs an account sends you to log in, then back.
    browser.goto("/my").await;
    browser.wait_path("/login?next=%2Fmy").await;
    log_in(&browser, email, PASSWORD).await;
    browser.wait_path("/my").await;
    browser
        .wait_text("main", "You have no upcoming reservations")
        .await;
    browser.close().await;
}
