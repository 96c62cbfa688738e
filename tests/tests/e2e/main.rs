//! End-to-end journeys in a real browser: headless Chromium, driven through
//! chromedriver, against the real API (serving the built `web/dist`) on its
//! own database. Screenshots of the main pages land in `target/screenshots/`.

mod admin;
mod auth;
mod booking;
mod browser;
mod language;
mod rooms;
mod seats;
mod shows;
mod wallet;

use browser::Browser;
use tests::{PASSWORD, TestApp};

/// Logs in through the form on the current page.
pub async fn log_in(browser: &Browser, email: &str, password: &str) {
    browser.find("#login-form").await;
    browser.fill("#login-email", email).await;
    browser.fill("#login-password", password).await;
    browser.click("#login-form button[type=submit]").await;
}

/// A new account with `points` in its wallet: its email (to log in with
/// [`PASSWORD`] in the browser) and an API token.
pub async fn account(app: &TestApp, name: &str, points: i64) -> (String, String) {
    let email = format!("e2e-{}@example.com", uuid::Uuid::new_v4().simple());
    app.register(&email, name, PASSWORD)
        .await
        .assert_status(201);
    let token = app
        .login(&email, PASSWORD)
        .await
        .json::<shared::LoginResponse>()
        .token;
    if points > 0 {
        app.charge(&token, points).await.assert_status(200);
    }
    (email, token)
}
