//! A real OpenID Connect provider for the single sign-on tests: the npm
//! package `oidc-provider` (installed by `scripts/test.sh` into
//! `target/test-node`), run by `tests/oidc-provider/provider.mjs` as a
//! process of its own; and a client that walks its login page the way a
//! browser would, cookies and redirects included.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use api::configuration::Settings;
use api::oidc::settings::ProviderSettings;
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};

use crate::TestApp;

/// The provider, stopped when dropped.
pub struct TestProvider {
    pub issuer: String,
    child: Child,
}

impl Drop for TestProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `TEST_NODE_MODULES` (`scripts/test.sh` sets it), else `target/test-node`.
fn node_modules() -> std::path::PathBuf {
    if let Some(dir) = std::env::var_os("TEST_NODE_MODULES") {
        return dir.into();
    }
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/test-node/node_modules");
    assert!(
        dir.join("oidc-provider").exists(),
        "no test OpenID provider: run `bash scripts/test.sh` once (it installs \
         target/test-node), or set TEST_NODE_MODULES"
    );
    dir
}

impl TestProvider {
    /// Starts a provider whose client `reservations` may return to the
    /// callbacks of providers named `ids` in the API's settings.
    pub fn start(ids: &[&str]) -> Self {
        let script =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("oidc-provider/provider.mjs");
        let mut child = Command::new("node")
            .arg(script)
            .env("TEST_NODE_MODULES", node_modules())
            .env("OIDC_PROVIDER_IDS", ids.join(","))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs the test OpenID provider");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let port = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(port) = line.strip_prefix("listening on ") {
                        break port.trim().to_owned();
                    }
                }
                other => panic!("the test OpenID provider did not start: {other:?}"),
            }
        };
        // Keep reading, so its output never blocks it.
        std::thread::spawn(move || lines.map_while(Result::ok).for_each(drop));
        Self {
            issuer: format!("http://127.0.0.1:{port}"),
            child,
        }
    }

    /// Settings for a provider `id` of the API pointing here.
    pub fn settings(&self, name: &str, link_by_email: bool) -> ProviderSettings {
        ProviderSettings {
            preset: String::new(),
            name: name.into(),
            issuer: self.issuer.clone(),
            client_id: "reservations".into(),
            client_secret: Some("reservations-secret".to_owned().into()),
            scopes: String::new(),
            link_by_email,
        }
    }
}

/// Adds provider `id` to `settings`, with callbacks to `app_url`.
pub fn configure(
    settings: &mut Settings,
    provider: &TestProvider,
    id: &str,
    name: &str,
    link_by_email: bool,
) {
    settings
        .oidc
        .providers
        .insert(id.into(), provider.settings(name, link_by_email));
}

/// One browser: a cookie jar shared by the API and the provider (both on
/// 127.0.0.1, as a browser would keep them), following no redirect by
/// itself so each step can be checked.
pub struct Browser {
    pub client: reqwest::Client,
    jar: std::sync::Arc<reqwest::cookie::Jar>,
}

/// Where a walk through the provider ended: the API's last redirect.
#[derive(Debug)]
pub struct Landing {
    pub location: String,
    pub set_cookies: Vec<String>,
}

impl Landing {
    /// The `session` cookie the API set, if it signed in.
    pub fn session(&self) -> Option<String> {
        cookie_value(&self.set_cookies, "session")
    }
}

fn cookie_value(set_cookies: &[String], name: &str) -> Option<String> {
    set_cookies.iter().find_map(|c| {
        let value = c.strip_prefix(&format!("{name}="))?;
        let value = value.split(';').next()?;
        (!value.is_empty()).then(|| value.to_owned())
    })
}

impl Default for Browser {
    fn default() -> Self {
        Self::new()
    }
}

impl Browser {
    pub fn new() -> Self {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_provider(jar.clone())
            .build()
            .expect("client");
        Self { client, jar }
    }

    /// Everything this browser would send to `url` as cookies.
    pub fn cookies_for(&self, url: &str) -> String {
        use reqwest::cookie::CookieStore;
        let url = url.parse().expect("url");
        self.jar
            .cookies(&url)
            .and_then(|v| v.to_str().ok().map(str::to_owned))
            .unwrap_or_default()
    }

    /// `GET url`, answering with the status, headers and body.
    pub async fn get(&self, url: &str) -> (u16, HeaderMap, String) {
        let response = self.client.get(url).send().await.expect("GET");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (status, headers, response.text().await.unwrap_or_default())
    }

    /// Starts a sign-in at the API: the provider's authorization URL.
    pub async fn start(&self, app: &TestApp, provider: &str, return_to: Option<&str>) -> String {
        let mut url = app.url(&format!("/api/v1/auth/oidc/{provider}/start"));
        if let Some(path) = return_to {
            url.push_str("?return_to=");
            url.extend(form_urlencoded_byte_serialize(path));
        }
        let (status, headers, body) = self.get(&url).await;
        assert_eq!(status, 303, "start: {body}");
        location(&headers)
    }

    /// Follows redirects from `url` until one leaves the provider for the
    /// API, which it then calls; returns where the API sent the browser.
    /// `login` is typed into the provider's page when it asks.
    pub async fn through_provider(&self, url: &str, issuer: &str, login: &str) -> Landing {
        self.through_provider_with(url, issuer, &[("login", login)], "login")
            .await
    }

    /// As `through_provider`, posting `form` to the provider's page's
    /// `action` (`login`, or `abort` to cancel).
    pub async fn through_provider_with(
        &self,
        url: &str,
        issuer: &str,
        form: &[(&str, &str)],
        action: &str,
    ) -> Landing {
        let callback = self.to_callback(url, issuer, form, action).await;
        self.callback(&callback).await
    }

    /// Follows redirects from `url` through the provider (filling in its
    /// page with `form`) up to the redirect back to the API, not taken.
    pub async fn to_callback(
        &self,
        url: &str,
        issuer: &str,
        form: &[(&str, &str)],
        action: &str,
    ) -> String {
        let mut url = url.to_owned();
        for _ in 0..10 {
            if !url.starts_with(issuer) {
                return url;
            }
            let (status, headers, _) = self.get(&url).await;
            let next = if status == 200 {
                // The login page: fill it in.
                let response = self
                    .client
                    .post(format!("{url}/{action}"))
                    .form(form)
                    .send()
                    .await
                    .expect("POST the login form");
                assert_eq!(
                    response.status().as_u16(),
                    303,
                    "the provider takes the form"
                );
                location(response.headers())
            } else {
                assert!(
                    matches!(status, 302 | 303),
                    "provider answered {status} at {url}"
                );
                location(&headers)
            };
            url = absolute(&next, issuer);
        }
        panic!("too many redirects through the provider");
    }

    /// Calls the API's callback; where it sent the browser, and its cookies.
    pub async fn callback(&self, url: &str) -> Landing {
        let response = self.client.get(url).send().await.expect("callback");
        assert_eq!(response.status().as_u16(), 303, "the callback redirects");
        let set_cookies = response
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        Landing {
            location: location(response.headers()),
            set_cookies,
        }
    }
}

fn location(headers: &HeaderMap) -> String {
    headers
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .expect("a Location header")
        .to_owned()
}

fn absolute(location: &str, issuer: &str) -> String {
    if location.starts_with('/') {
        format!("{issuer}{location}")
    } else {
        location.to_owned()
    }
}

fn form_urlencoded_byte_serialize(text: &str) -> impl Iterator<Item = &str> {
    // reqwest re-exports no encoder; `url` does the same job.
    url::form_urlencoded::byte_serialize(text.as_bytes())
}

/// One provider entry of the API's settings: id, button name, and whether
/// its verified e-mail addresses link to existing accounts unasked.
pub type ProviderEntry<'a> = (&'a str, &'a str, bool);

/// Starts the app with `entries` pointing at `provider`. The port is
/// chosen first, since the callback URL the provider returns to is part of
/// the settings; `serve_web` also serves the built web app.
pub async fn spawn_app_with_sso(
    provider: &TestProvider,
    entries: &[ProviderEntry<'_>],
    serve_web: bool,
    change: impl FnOnce(&mut Settings),
) -> TestApp {
    let port = crate::process::free_port();
    let setup = |settings: &mut Settings| {
        settings.application.port = port;
        settings.oidc.base_url = format!("http://127.0.0.1:{port}");
        for (id, name, link_by_email) in entries {
            configure(settings, provider, id, name, *link_by_email);
        }
        change(settings);
    };
    if serve_web {
        crate::spawn_app_serving_web_with(setup).await
    } else {
        crate::spawn_app_changed(setup).await
    }
}
