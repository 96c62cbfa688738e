//! A user sees where they are logged in, logs out another device and
//! changes their password; an admin disables an account.

use shared::ErrorCode;
use tests::{ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, spawn_app_serving_web};

use crate::browser::Browser;
use crate::{account, log_in};

#[tokio::test]
async fn a_user_logs_out_another_device_and_changes_the_password() {
    // Arrange: logged in from a script already (another "device").
    let app = spawn_app_serving_web().await;
    let (email, script) = account(&app, "Kim Minji", 0).await;
    let browser = Browser::start(&app.address).await;
    browser.goto("/login").await;
    log_in(&browser, &email, PASSWORD).await;
    browser.wait_text("#current-user", "Kim Minji").await;

    // Act: open the account's page from its name in the header.
    browser.click("#current-user").await;

    // Assert: both sessions, this browser marked.
    browser
        .wait_text("#sessions tr[data-current='true']", "This device")
        .await;
    let rows = browser
        .client
        .find_all(fantoccini::Locator::Css("#sessions tbody tr"))
        .await
        .expect("rows");
    assert_eq!(rows.len(), 2);
    browser.screenshot("security").await;

    // The script's session ends; its token no longer works.
    browser
        .click("#sessions tr[data-current='false'] .end-session")
        .await;
    browser
        .wait_gone("#sessions tr[data-current='false']")
        .await;
    app.get("/api/v1/me", Some(&script))
        .await
        .assert_error(401, ErrorCode::Unauthenticated);

    // A wrong current password is named; the right one changes it.
    browser.fill("#password-current", "not my password").await;
    browser.fill("#password-new", "a new password").await;
    browser.click("#password-save").await;
    browser
        .wait_text("#password-form .notice.error", "current_password")
        .await;
    browser.fill("#password-current", PASSWORD).await;
    browser.fill("#password-new", "a new password").await;
    browser.click("#password-save").await;
    browser
        .wait_text("#password-changed", "Password changed")
        .await;
    app.login(&email, "a new password").await.assert_status(200);

    // In Korean.
    browser.click("button[data-lang='ko']").await;
    browser.wait_text("main h1", "세션과 비밀번호").await;
    browser
        .wait_text("#sessions tr[data-current='true']", "이 기기")
        .await;
    browser.screenshot("security-ko").await;
    browser.close().await;
}

#[tokio::test]
async fn an_admin_disables_an_account_and_it_is_logged_out() {
    let app = spawn_app_serving_web().await;
    let (email, token) = account(&app, "Park Jiho", 0).await;
    let browser = Browser::start(&app.address).await;
    browser.goto("/admin/users").await;
    log_in(&browser, ADMIN_EMAIL, ADMIN_PASSWORD).await;

    let row = format!("#users tr[data-user='{email}']");
    browser.click(&format!("{row} .toggle-disabled")).await;

    browser
        .wait_text(&format!("{row} .badge.warn"), "Disabled")
        .await;
    browser
        .wait_text(&format!("{row} .toggle-disabled"), "Enable")
        .await;
    app.get("/api/v1/me", Some(&token))
        .await
        .assert_error(401, ErrorCode::Unauthenticated);
    app.login(&email, PASSWORD)
        .await
        .assert_error(403, ErrorCode::Forbidden);
    browser.screenshot("admin-users-disabled").await;
    browser.click("button[data-lang='ko']").await;
    browser
        .wait_text(&format!("{row} .badge.warn"), "사용 중지됨")
        .await;
    browser.screenshot("admin-users-disabled-ko").await;
    browser.close().await;
}

#[tokio::test]
async fn a_user_creates_an_api_key_uses_it_and_revokes_it() {
    let app = spawn_app_serving_web().await;
    let (email, _) = account(&app, "Lee Seoyeon", 0).await;
    let browser = Browser::start(&app.address).await;
    browser.goto("/security").await;
    log_in(&browser, &email, PASSWORD).await;
    browser.find("#api-keys-empty").await;

    // Act: a read-only key for a room display, until a date.
    browser
        .fill("#api-key-name", "Room display, 3rd floor")
        .await;
    browser.set_value("#api-key-expires", "2030-06-30").await;
    browser.click("#api-key-create").await;

    // Assert: the secret, shown once, works as a bearer token.
    let secret = browser.wait_text("#api-key-secret", "rk_").await;
    let me = app.get("/api/v1/me", Some(secret.trim())).await;
    me.assert_status(200);
    browser
        .wait_text("#api-keys", "Room display, 3rd floor")
        .await;
    browser.wait_text("#api-keys", "Read").await;
    browser
        .client
        .execute(
            "document.getElementById('api-key-created').scrollIntoView()",
            vec![],
        )
        .await
        .expect("script runs");
    browser.screenshot("api-keys").await;
    browser.click("button[data-lang='ko']").await;
    browser.wait_text("#api-keys", "읽기").await;
    browser.screenshot("api-keys-ko").await;

    // Revoked from the page: the key stops.
    browser.click("#api-keys .revoke").await;
    browser.find("#api-keys-empty").await;
    app.get("/api/v1/me", Some(secret.trim()))
        .await
        .assert_error(401, ErrorCode::Unauthenticated);
    browser.close().await;
}
