//! End-to-end journeys in a real browser: headless Chromium, driven through
//! chromedriver, against the real API (serving the built `web/dist`) on its
//! own database. Screenshots of the main pages land in `target/screenshots/`.

mod admin;
mod archive;
mod auth;
mod booking;
mod browser;
mod events;
mod import;
mod language;
mod notifications;
mod queue;
mod reports;
mod rooms;
mod seats;
mod security;
mod sessions;
mod show_admin;
mod shows;
mod sso;
mod venue_editor;
mod wallet;

use browser::Browser;
use chrono::{DateTime, Duration, FixedOffset, NaiveTime, Utc};
use shared::{CreateRoom, Room};
use tests::events::StageSpec;
use tests::{PASSWORD, TestApp, room_body};

/// Logs in through the form on the current page.
pub async fn log_in(browser: &Browser, email: &str, password: &str) {
    browser.find("#login-form").await;
    browser.fill("#login-email", email).await;
    browser.fill("#login-password", password).await;
    browser.click("#login-form button[type=submit]").await;
}

/// A new account called `name` with `points` in its wallet: its email
/// (`kim.minji@example.com` for "Kim Minji", to log in with [`PASSWORD`] in
/// the browser) and an API token. Names are unique within a test.
pub async fn account(app: &TestApp, name: &str, points: i64) -> (String, String) {
    let email = format!(
        "{}@example.com",
        name.to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(".")
    );
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

/// A meeting room as an office lists them, e.g. "A101 회의실" on "본관 1층".
pub async fn meeting_room(
    app: &TestApp,
    admin: &str,
    name: &str,
    location: &str,
    capacity: u32,
) -> Room {
    app.create_room(
        admin,
        &CreateRoom {
            location: location.into(),
            capacity,
            ..room_body(name)
        },
    )
    .await
}

/// The rooms of a small office, for pages that list rooms.
pub async fn office(app: &TestApp, admin: &str) -> Vec<Room> {
    let mut rooms = Vec::new();
    for (name, location, capacity) in [
        ("A101 회의실", "본관 1층", 8),
        ("A102 회의실", "본관 1층", 6),
        ("B201 세미나실", "별관 2층", 24),
    ] {
        rooms.push(meeting_room(app, admin, name, location, capacity).await);
    }
    rooms
}

/// `days` from today at `hour:minute` in Seoul (UTC+9 all year), the
/// default zone of rooms and venues.
pub fn seoul_at(days: i64, hour: u32, minute: u32) -> DateTime<Utc> {
    let seoul = FixedOffset::east_opt(9 * 3600).expect("offset");
    let date = Utc::now().with_timezone(&seoul).date_naive() + Duration::days(days);
    date.and_time(NaiveTime::from_hms_opt(hour, minute, 0).expect("time"))
        .and_local_timezone(seoul)
        .single()
        .expect("fixed offsets are unambiguous")
        .to_utc()
}

/// A production as a box office lists it: `title` at `venue` in Seoul,
/// curtain up at 19:30 a month ahead, `rows` of `seats_per_row` in tier R
/// at `price`.
pub fn production(
    title: &str,
    venue: &str,
    poster: u32,
    rows: u32,
    seats_per_row: u32,
    price: u32,
) -> StageSpec {
    StageSpec {
        title: title.into(),
        location: "Seoul".into(),
        poster,
        venue: venue.into(),
        section: "Orchestra".into(),
        ..StageSpec::new(rows, seats_per_row, price, seoul_at(30, 19, 30))
    }
}
