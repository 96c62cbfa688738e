//! The web app under its Content-Security-Policy: it runs without a single
//! inline script or style attribute, and the policy does stop one.

use std::time::Duration;

use serde_json::Value;
use tests::spawn_app_serving_web;

use crate::booking::{day_ahead, seoul};
use crate::browser::Browser;
use crate::{account, log_in, meeting_room};

/// Starts recording the page's policy violations (the page must stay
/// loaded: navigate by clicking, not with `goto`).
const RECORD_VIOLATIONS: &str = "window.violations = []; \
    document.addEventListener('securitypolicyviolation', \
      e => window.violations.push(e.violatedDirective + ' ' + e.blockedURI));";

async fn violations(browser: &Browser) -> Vec<String> {
    let found = browser
        .client
        .execute("return window.violations", vec![])
        .await
        .expect("script runs");
    serde_json::from_value(found).expect("a list of strings")
}

#[tokio::test]
async fn the_app_runs_under_its_policy_and_the_policy_blocks_inline_script() {
    // Arrange: a reservation, so the schedule draws positioned blocks.
    let app = spawn_app_serving_web().await;
    let admin = app.admin_token().await;
    let room = meeting_room(&app, &admin, "A101 회의실", "본관 1층", 8).await;
    let day = day_ahead();
    let (email, token) = account(&app, "Park Jiho", 0).await;
    app.reserve_ok(&token, &room.id, seoul(day, 10, 0), seoul(day, 11, 0))
        .await;
    let page = app
        .http
        .get(app.url("/"))
        .send()
        .await
        .expect("the app is served");
    let policy = page
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        policy.contains("script-src 'self' 'wasm-unsafe-eval'"),
        "{policy}"
    );
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    let html = page.text().await.expect("a page");
    assert!(
        !html.contains("<script>") && !html.contains("<script type=\"module\">"),
        "the page carries no inline script: {html}"
    );
    let browser = Browser::start(&app.address).await;

    // Act: log in and open the room's schedule, all in one page load.
    browser.goto("/login").await;
    browser
        .client
        .execute(RECORD_VIOLATIONS, vec![])
        .await
        .expect("script runs");
    log_in(&browser, &email, tests::PASSWORD).await;
    browser.wait_text("#current-user", "Park Jiho").await;
    browser.wait_path("/").await;
    browser.find("#room-list li").await;
    browser
        .click(&format!("a[href='/rooms/{}']", room.id))
        .await;
    browser.set_value("#timeline-date", &day.to_string()).await;
    browser.wait_text("#timeline .block", "10:00").await;

    // Assert: the blocks are placed (their styles were not refused)...
    let placed = browser
        .client
        .execute(
            "const b = document.querySelector('#timeline .block'); \
             return [b.style.top, b.style.height];",
            vec![],
        )
        .await
        .expect("script runs");
    let placed: Vec<String> = serde_json::from_value(placed).expect("two strings");
    assert!(
        placed.iter().all(|v| v.ends_with('%') && v != "0%"),
        "{placed:?}"
    );
    assert_eq!(violations(&browser).await, Vec::<String>::new());

    // ...and an injected inline handler does not run.
    browser
        .client
        .execute(
            "document.body.insertAdjacentHTML('beforeend', \
               '<img id=\"injected\" src=\"data:,\" onerror=\"window.injected = true\">');",
            vec![],
        )
        .await
        .expect("script runs");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let ran = browser
        .client
        .execute("return window.injected === true", vec![])
        .await
        .expect("script runs");
    assert_eq!(ran, Value::Bool(false), "the inline handler ran");
    let refused = violations(&browser).await;
    assert!(
        refused.iter().any(|v| v.starts_with("script-src")),
        "{refused:?}"
    );
    browser.close().await;
}
