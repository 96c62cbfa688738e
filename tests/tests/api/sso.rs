//! Single sign-on against a real OpenID Connect provider (npm
//! `oidc-provider`, run locally): a first sign-in makes an account, later
//! ones sign in to it; unverified addresses make nothing; an existing
//! account is linked only with its password, or unasked for a provider
//! trusted for it; a sign-in serves once, only in the browser that began
//! it, and only with the nonce and PKCE verifier it began with.

use mongodb::bson::doc;
use reqwest::Method;
use serde_json::json;
use shared::{ErrorCode, LoginResponse, PendingLink, SsoProvider, User};
use tests::oidc::{Browser, TestProvider, spawn_app_with_sso};
use tests::{PASSWORD, TestApp};

fn email(tag: &str) -> String {
    format!("{tag}-{}@example.com", uuid::Uuid::new_v4().simple())
}

async fn me(app: &TestApp, token: &str) -> User {
    let response = app.get("/api/v1/me", Some(token)).await;
    response.assert_status(200);
    response.json()
}

async fn count(app: &TestApp, collection: &str, filter: mongodb::bson::Document) -> usize {
    app.documents(collection, filter).await.len()
}

/// Signs `login` in through provider `id` in a fresh browser.
async fn sign_in(app: &TestApp, idp: &TestProvider, id: &str, login: &str) -> tests::oidc::Landing {
    let browser = Browser::new();
    let authorize = browser.start(app, id, Some("/rooms")).await;
    browser
        .through_provider(&authorize, &idp.issuer, login)
        .await
}

#[tokio::test]
async fn a_first_sign_in_makes_an_account_and_later_ones_sign_in_to_it() {
    // Arrange
    let idp = TestProvider::start(&["local"]);
    let app = spawn_app_with_sso(&idp, &[("local", "Local ID", false)], false, |_| {}).await;
    let address = email("sso");

    // Act: the provider list, then the first trip through the provider.
    let listed: Vec<SsoProvider> = app.get("/api/v1/auth/oidc/providers", None).await.json();
    let browser = Browser::new();
    let authorize = browser.start(&app, "local", Some("/rooms?day=2")).await;
    let form = [("login", address.as_str()), ("name", "Kim Minji")];
    let landing = browser
        .through_provider_with(&authorize, &idp.issuer, &form, "login")
        .await;

    // Assert: the request asked for what the flow needs.
    assert_eq!(
        listed,
        [SsoProvider {
            id: "local".into(),
            name: "Local ID".into()
        }]
    );
    assert!(
        authorize.starts_with(&format!("{}/auth?", idp.issuer)),
        "{authorize}"
    );
    for part in [
        "response_type=code",
        "code_challenge_method=S256",
        "code_challenge=",
        "state=",
        "nonce=",
        "scope=openid",
    ] {
        assert!(authorize.contains(part), "{part} missing from {authorize}");
    }
    // Signed in, at the page asked for, as a new account named as the
    // provider says.
    assert_eq!(landing.location, app.url("/rooms?day=2"));
    let token = landing.session().expect("a session cookie");
    let user = me(&app, &token).await;
    assert_eq!(
        (user.email.as_str(), user.name.as_str()),
        (address.as_str(), "Kim Minji")
    );
    assert_eq!(
        count(&app, "oidc_logins", doc! {}).await,
        0,
        "the sign-in served once"
    );

    // A second sign-in, from another browser, reaches the same account.
    let again = sign_in(&app, &idp, "local", &address).await;
    let second = me(&app, &again.session().expect("a session cookie")).await;
    assert_eq!(second.id, user.id);
    assert_eq!(count(&app, "users", doc! { "email": &address }).await, 1);
    assert_eq!(count(&app, "identities", doc! {}).await, 1);
    assert_eq!(
        count(&app, "events", doc! { "type": "user.created" }).await,
        2,
        "admin and this one"
    );

    // The account has no password: neither logging in nor changing it works.
    app.login(&address, "").await.assert_status(400);
    app.login(&address, PASSWORD)
        .await
        .assert_error(401, ErrorCode::InvalidCredentials);
    let change = app
        .request(
            Method::PUT,
            "/api/v1/me/password",
            Some(&token),
            Some(&json!({ "current_password": PASSWORD, "new_password": "a-new-password" })),
        )
        .await;
    change.assert_error(400, ErrorCode::InvalidInput);
    assert_eq!(change.error_field().as_deref(), Some("current_password"));
}

#[tokio::test]
async fn addresses_the_provider_has_not_verified_make_no_account() {
    // Arrange
    let idp = TestProvider::start(&["local"]);
    let app = spawn_app_with_sso(&idp, &[("local", "Local ID", false)], false, |_| {}).await;
    let users_before = count(&app, "users", doc! {}).await;

    // Act
    let unverified = sign_in(&app, &idp, "local", &email("unverified+x")).await;
    let no_address = sign_in(&app, &idp, "local", "noemail+someone").await;

    // Assert: back at the login page, told why, with no session and no account.
    assert_eq!(
        unverified.location,
        app.url("/login?sso_error=email_unverified&next=%2Frooms")
    );
    assert_eq!(
        no_address.location,
        app.url("/login?sso_error=email_missing&next=%2Frooms")
    );
    assert_eq!(unverified.session(), None);
    assert_eq!(no_address.session(), None);
    assert_eq!(count(&app, "users", doc! {}).await, users_before);
    assert_eq!(count(&app, "identities", doc! {}).await, 0);
}

#[tokio::test]
async fn an_existing_account_is_linked_only_with_its_password() {
    // Arrange: an account registered with a password.
    let idp = TestProvider::start(&["local"]);
    let app = spawn_app_with_sso(&idp, &[("local", "Local ID", false)], false, |_| {}).await;
    let address = email("owner");
    app.register(&address, "Owner", PASSWORD)
        .await
        .assert_status(201);
    let owner: User = app
        .login(&address, PASSWORD)
        .await
        .json::<LoginResponse>()
        .user;

    // Act: someone signs in at the provider with that address.
    let browser = Browser::new();
    let authorize = browser.start(&app, "local", Some("/bookings")).await;
    let landing = browser
        .through_provider(&authorize, &idp.issuer, &address)
        .await;

    // Assert: not signed in; asked for the account's password.
    assert_eq!(landing.location, app.url("/login?sso=link"));
    assert_eq!(landing.session(), None);
    assert_eq!(count(&app, "identities", doc! {}).await, 0);
    let link_url = app.url("/api/v1/auth/oidc/link");
    let pending: PendingLink = browser
        .client
        .get(&link_url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            pending.provider.as_str(),
            pending.provider_name.as_str(),
            pending.email.as_str(),
            pending.return_to.as_str()
        ),
        ("local", "Local ID", address.as_str(), "/bookings")
    );
    // Another browser has nothing waiting.
    let elsewhere = Browser::new().client.get(&link_url).send().await.unwrap();
    assert_eq!(elsewhere.status().as_u16(), 404);

    // A wrong password links nothing and counts as a failed login.
    let wrong = browser
        .client
        .post(&link_url)
        .json(&json!({ "password": "not-the-password" }))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 401);
    assert_eq!(count(&app, "identities", doc! {}).await, 0);
    assert_eq!(count(&app, "login_failures", doc! {}).await, 1);

    // The right one links and signs in as the existing account.
    let linked = browser
        .client
        .post(&link_url)
        .json(&json!({ "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(linked.status().as_u16(), 200);
    let login: LoginResponse = linked.json().await.unwrap();
    assert_eq!(login.user.id, owner.id);
    assert_eq!(
        count(
            &app,
            "identities",
            doc! { "user_id": mongodb::bson::oid::ObjectId::parse_str(&owner.id.0).unwrap() }
        )
        .await,
        1
    );
    assert_eq!(
        count(&app, "events", doc! { "type": "user.identity_linked" }).await,
        1
    );
    assert_eq!(count(&app, "oidc_links", doc! {}).await, 0);

    // From now on the provider signs straight in to it.
    let later = sign_in(&app, &idp, "local", &address).await;
    assert_eq!(
        me(&app, &later.session().expect("session")).await.id,
        owner.id
    );
}

#[tokio::test]
async fn a_provider_trusted_for_it_links_a_verified_address_unasked() {
    // Arrange
    let idp = TestProvider::start(&["corp"]);
    let app = spawn_app_with_sso(&idp, &[("corp", "Corp SSO", true)], false, |_| {}).await;
    let address = email("staff");
    app.register(&address, "Staff", PASSWORD)
        .await
        .assert_status(201);

    // Act
    let landing = sign_in(&app, &idp, "corp", &address).await;

    // Assert
    assert_eq!(landing.location, app.url("/rooms"));
    let user = me(&app, &landing.session().expect("session")).await;
    assert_eq!(user.email, address);
    assert_eq!(count(&app, "users", doc! { "email": &address }).await, 1);
    assert_eq!(
        count(&app, "events", doc! { "type": "user.identity_linked" }).await,
        1
    );
    // Still not for an unverified address.
    let other = email("unverified+staff");
    app.register(&other, "Other", PASSWORD)
        .await
        .assert_status(201);
    let refused = sign_in(&app, &idp, "corp", &other).await;
    assert!(
        refused
            .location
            .ends_with("sso_error=email_unverified&next=%2Frooms"),
        "{}",
        refused.location
    );
}

#[tokio::test]
async fn a_sign_in_serves_once_in_the_browser_that_began_it() {
    // Arrange
    let idp = TestProvider::start(&["local"]);
    let app = spawn_app_with_sso(&idp, &[("local", "Local ID", false)], false, |_| {}).await;
    let address = email("once");
    let form = [("login", address.as_str())];

    // Act: a callback taken in another browser (a link sent to a victim).
    let mine = Browser::new();
    let authorize = mine.start(&app, "local", None).await;
    let callback = mine
        .to_callback(&authorize, &idp.issuer, &form, "login")
        .await;
    let stolen = Browser::new().callback(&callback).await;
    // The same callback again, in the right browser, after that.
    let replayed = mine.callback(&callback).await;

    // Assert
    assert_eq!(
        stolen.location,
        app.url("/login?sso_error=browser_mismatch")
    );
    assert_eq!(replayed.location, app.url("/login?sso_error=expired"));
    assert_eq!(count(&app, "users", doc! { "email": &address }).await, 0);

    // A callback that was never started, or without a state.
    let forged = mine
        .callback(&app.url("/api/v1/auth/oidc/local/callback?code=abc&state=forged"))
        .await;
    assert_eq!(forged.location, app.url("/login?sso_error=expired"));
    let bare = mine
        .callback(&app.url("/api/v1/auth/oidc/local/callback"))
        .await;
    assert_eq!(bare.location, app.url("/login?sso_error=expired"));

    // A cancelled sign-in at the provider (in a browser it has not met,
    // so it asks).
    let fresh = Browser::new();
    let authorize = fresh.start(&app, "local", None).await;
    let cancelled = fresh
        .through_provider_with(&authorize, &idp.issuer, &[], "abort")
        .await;
    assert_eq!(cancelled.location, app.url("/login?sso_error=denied"));
}

#[tokio::test]
async fn the_id_token_and_code_are_checked_against_what_the_sign_in_began_with() {
    // Arrange
    let idp = TestProvider::start(&["local"]);
    let app = spawn_app_with_sso(&idp, &[("local", "Local ID", false)], false, |_| {}).await;
    let address = email("checked");
    let form = [("login", address.as_str())];
    let logins = app.db.collection::<mongodb::bson::Document>("oidc_logins");

    // Act: the nonce stored for the sign-in differs from the ID token's.
    let browser = Browser::new();
    let authorize = browser.start(&app, "local", None).await;
    logins
        .update_many(doc! {}, doc! { "$set": { "nonce": "another-nonce" } })
        .await
        .unwrap();
    let wrong_nonce = browser
        .through_provider_with(&authorize, &idp.issuer, &form, "login")
        .await;
    // The PKCE verifier differs from the challenge sent.
    let authorize = browser.start(&app, "local", None).await;
    logins
        .update_many(
            doc! {},
            doc! { "$set": { "pkce_verifier": "x".repeat(64) } },
        )
        .await
        .unwrap();
    let wrong_verifier = browser
        .through_provider_with(&authorize, &idp.issuer, &form, "login")
        .await;

    // Assert: the API refused the token, and the provider the code.
    assert_eq!(
        wrong_nonce.location,
        app.url("/login?sso_error=invalid_token")
    );
    assert_eq!(
        wrong_verifier.location,
        app.url("/login?sso_error=rejected")
    );
    assert_eq!(count(&app, "users", doc! { "email": &address }).await, 0);
}

#[tokio::test]
async fn a_disabled_account_cannot_sign_in_through_a_provider() {
    // Arrange: an account made by a sign-in, then disabled.
    let idp = TestProvider::start(&["local"]);
    let app = spawn_app_with_sso(&idp, &[("local", "Local ID", false)], false, |_| {}).await;
    let address = email("disabled");
    let first = sign_in(&app, &idp, "local", &address).await;
    let user = me(&app, &first.session().expect("session")).await;
    let admin = app.admin_token().await;
    app.set_disabled(&admin, &user.id, true)
        .await
        .assert_status(200);

    // Act
    let refused = sign_in(&app, &idp, "local", &address).await;

    // Assert
    assert!(
        refused
            .location
            .ends_with("/login?sso_error=disabled&next=%2Frooms"),
        "{}",
        refused.location
    );
    assert_eq!(refused.session(), None);
}

#[tokio::test]
async fn bad_starts_are_named_and_an_unreachable_provider_is_reported() {
    // Arrange: one provider that runs and one whose issuer answers nothing:
    // a port this test holds, closing every connection unanswered (a port
    // merely found free could be taken by another test's provider).
    let idp = TestProvider::start(&["local"]);
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!("http://{}", silent.local_addr().unwrap());
    std::thread::spawn(move || {
        for connection in silent.incoming() {
            drop(connection);
        }
    });
    let app = spawn_app_with_sso(&idp, &[("local", "Local ID", false)], false, |settings| {
        let mut down = settings.oidc.providers["local"].clone();
        down.issuer = closed.clone();
        down.name = "Down".into();
        settings.oidc.providers.insert("down".into(), down);
    })
    .await;

    // Act
    let unknown = app.get("/api/v1/auth/oidc/nobody/start", None).await;
    let elsewhere = app
        .get(
            "/api/v1/auth/oidc/local/start?return_to=https://evil.example/",
            None,
        )
        .await;
    let protocol_relative = app
        .get(
            "/api/v1/auth/oidc/local/start?return_to=//evil.example/",
            None,
        )
        .await;
    let down = Browser::new()
        .get(&app.url("/api/v1/auth/oidc/down/start?return_to=/shows"))
        .await;

    // Assert
    unknown.assert_error(404, ErrorCode::NotFound);
    elsewhere.assert_error(400, ErrorCode::InvalidInput);
    assert_eq!(elsewhere.error_field().as_deref(), Some("return_to"));
    protocol_relative.assert_error(400, ErrorCode::InvalidInput);
    assert_eq!(down.0, 303);
    assert_eq!(
        down.1.get("location").and_then(|v| v.to_str().ok()),
        Some(
            app.url("/login?sso_error=provider_unavailable&next=%2Fshows")
                .as_str()
        )
    );
    assert_eq!(count(&app, "oidc_logins", doc! {}).await, 0);
}
