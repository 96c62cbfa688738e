//! Signing in through a real OpenID provider in the browser. The app is
//! opened as `localhost` and the provider runs on `127.0.0.1`: two sites,
//! so the trip out and back crosses sites as it does in production, and
//! the cookies' `SameSite` rules are really exercised.

use mongodb::bson::{Document, doc};
use tests::PASSWORD;
use tests::oidc::{TestProvider, spawn_app_with_sso};

use crate::account;
use crate::browser::Browser;

const PROVIDER: &str = "Company SSO";

/// An app with one provider, `local`, that calls itself `localhost`.
async fn app_with_provider(provider: &TestProvider, link_by_email: bool) -> tests::TestApp {
    spawn_app_with_sso(
        provider,
        &[("local", PROVIDER, link_by_email)],
        true,
        |settings| {
            settings.oidc.base_url = settings.oidc.base_url.replace("127.0.0.1", "localhost");
        },
    )
    .await
}

fn as_localhost(app: &tests::TestApp) -> String {
    app.address.replace("127.0.0.1", "localhost")
}

/// At the provider's login page: signs in as `email` called `name`.
async fn sign_in_at_provider(browser: &Browser, email: &str, name: &str) {
    browser.fill("#login", email).await;
    browser.fill("#name", name).await;
    browser.click("#sign-in").await;
}

#[tokio::test]
async fn a_visitor_continues_with_a_provider_and_lands_where_they_were_headed() {
    // Arrange
    let provider = TestProvider::start(&["local"]);
    let app = app_with_provider(&provider, false).await;
    let browser = Browser::start(&as_localhost(&app)).await;
    browser.goto("/login?next=%2Fsecurity").await;
    let button = "#sso-providers a[data-provider='local']";
    browser
        .wait_text(button, &format!("Continue with {PROVIDER}"))
        .await;
    browser.screenshot("login-sso").await;
    browser.click("button[data-lang='ko']").await;
    browser
        .wait_text(button, &format!("{PROVIDER}(으)로 계속하기"))
        .await;
    browser.screenshot("login-sso-ko").await;
    browser.click("button[data-lang='en']").await;

    // Act: out to the provider and back.
    browser.click(button).await;
    sign_in_at_provider(&browser, "kim.minji@example.com", "Kim Minji").await;

    // Assert: signed in, on the page asked for, with a same-site session.
    browser.wait_path("/security").await;
    browser.wait_text("#current-user", "Kim Minji").await;
    browser
        .wait_text("#sessions tr[data-current='true']", "This device")
        .await;
    let cookies = browser.client.get_all_cookies().await.expect("cookies");
    let session = cookies
        .iter()
        .find(|c| c.name() == "session")
        .expect("a session cookie");
    assert!(
        session.same_site().is_some_and(|s| s.is_strict()),
        "{session}"
    );
    assert_eq!(session.http_only(), Some(true));
    let user = app
        .db
        .collection::<Document>("users")
        .find_one(doc! { "email": "kim.minji@example.com" })
        .await
        .unwrap()
        .expect("the account was created");
    let identities = app
        .db
        .collection::<Document>("identities")
        .count_documents(doc! { "user_id": user.get("_id").unwrap().clone() })
        .await
        .unwrap();
    assert_eq!(identities, 1);
    browser.close().await;
}

#[tokio::test]
async fn a_provider_without_a_verified_email_is_refused_with_a_reason() {
    let provider = TestProvider::start(&["local"]);
    let app = app_with_provider(&provider, false).await;
    let browser = Browser::start(&as_localhost(&app)).await;
    browser.goto("/login").await;

    browser
        .click("#sso-providers a[data-provider='local']")
        .await;
    sign_in_at_provider(&browser, "unverified+lee@example.com", "Lee Seoyeon").await;

    browser.wait_text("#sso-error", "not verified").await;
    browser.find("#login-form").await;
    browser.click("button[data-lang='ko']").await;
    browser.wait_text("#sso-error", "인증되지 않았습니다").await;
    let users = app
        .db
        .collection::<Document>("users")
        .count_documents(doc! { "email": "unverified+lee@example.com" })
        .await
        .unwrap();
    assert_eq!(users, 0, "no account for an unverified address");
    browser.close().await;
}

#[tokio::test]
async fn an_existing_account_is_linked_only_with_its_password() {
    // Arrange: an account registered with a password, same e-mail.
    let provider = TestProvider::start(&["local"]);
    let app = app_with_provider(&provider, false).await;
    let (email, _) = account(&app, "Park Jiho", 0).await;
    let browser = Browser::start(&as_localhost(&app)).await;
    browser.goto("/login?next=%2Fsecurity").await;

    // Act: the provider signs in the same address.
    browser
        .click("#sso-providers a[data-provider='local']")
        .await;
    sign_in_at_provider(&browser, &email, "Park Jiho").await;

    // Assert: asked for the account's password, not signed in yet.
    browser.wait_text("#sso-link-intro", &email).await;
    browser.wait_text("#sso-link-intro", PROVIDER).await;
    browser.find("#login-link").await;
    browser.screenshot("sso-link").await;
    browser.click("button[data-lang='ko']").await;
    browser
        .wait_text("#sso-link-intro", "계정이 이미 있습니다")
        .await;
    browser.screenshot("sso-link-ko").await;
    browser.click("button[data-lang='en']").await;

    // A wrong password links nothing.
    browser.fill("#sso-link-password", "not my password").await;
    browser.click("#sso-link-form button[type=submit]").await;
    browser.find("#sso-link-form .notice.error").await;
    let identities = app.db.collection::<Document>("identities");
    assert_eq!(identities.count_documents(doc! {}).await.unwrap(), 0);

    // The right one links and signs in, on the page first asked for.
    browser.fill("#sso-link-password", PASSWORD).await;
    browser.click("#sso-link-form button[type=submit]").await;
    browser.wait_path("/security").await;
    browser.wait_text("#current-user", "Park Jiho").await;
    assert_eq!(identities.count_documents(doc! {}).await.unwrap(), 1);
    browser.close().await;
}
