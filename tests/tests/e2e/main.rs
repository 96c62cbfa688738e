//! End-to-end journeys in a real browser: headless Chromium, driven through
//! chromedriver, against the real API (serving the built `web/dist`) on its
//! own database. Screenshots of the main pages land in `target/screenshots/`.

mod admin;
mod auth;
mod booking;
mod browser;
mod language;
mod rooms;

use browser::Browser;

/// Logs in through the form on the current page.
pub async fn log_in(browser: &Browser, email: &str, password: &str) {
    browser.find("#login-form").await;
    browser.fill("#login-email", email).await;
    browser.fill("#login-password", password).await;
    browser.click("#login-form button[type=submit]").await;
}
