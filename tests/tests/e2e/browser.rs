//! A headless Chromium driven through the Debian `chromedriver`, which each
//! test starts on a free port with a fresh profile. Every lookup waits for
//! its element (up to [`WAIT`]); nothing sleeps for a fixed time.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

/// How long any one expectation may take to come true.
pub const WAIT: Duration = Duration::from_secs(30);

fn binary(env: &str, default: &str) -> PathBuf {
    std::env::var_os(env)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default))
}

fn on_path(binary: &Path) -> bool {
    binary.is_absolute() && binary.is_file()
        || std::env::var_os("PATH")
            .is_some_and(|paths| std::env::split_paths(&paths).any(|p| p.join(binary).is_file()))
}

/// Where screenshots go: `target/screenshots/` under the workspace root.
pub fn screenshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots")
}

pub struct Browser {
    pub client: Client,
    /// chromedriver's port and the session, to end it even after a panic.
    port: u16,
    session: Option<String>,
    /// The app's base URL, e.g. `http://127.0.0.1:41234`.
    base: String,
    driver: Child,
    profile: PathBuf,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium. Fails loudly, naming
    /// what to install, when either is missing.
    pub async fn start(base: &str) -> Self {
        let driver_bin = binary("CHROMEDRIVER", "chromedriver");
        let chrome_bin = binary("CHROME_BIN", "/usr/bin/chromium");
        assert!(
            on_path(&driver_bin),
            "{} not found: install Debian's chromium-driver (scripts/test.sh does) or set CHROMEDRIVER",
            driver_bin.display()
        );
        assert!(
            on_path(&chrome_bin),
            "{} not found: install Debian's chromium (scripts/test.sh does) or set CHROME_BIN",
            chrome_bin.display()
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        // Chromium inherits the zone; UTC keeps it far from the rooms' and
        // venues' zones on every machine, so a time shown in the browser's
        // zone by mistake shows as wrong.
        let driver = Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .env("TZ", "UTC")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", driver_bin.display()));
        let deadline = Instant::now() + WAIT;
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on {port}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile =
            std::env::temp_dir().join(format!("e2e-chrome-{}", uuid::Uuid::new_v4().simple()));
        let capabilities = json!({
            "goog:chromeOptions": {
                "binary": chrome_bin,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--lang=en-US",
                    "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.display()),
                ],
                "prefs": { "intl.accept_languages": "en-US,en" }
            }
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!("capabilities are an object")
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .unwrap_or_else(|e| panic!("chromedriver could not start Chromium: {e}"));
        let session = client.session_id().await.ok().flatten();
        Self {
            client,
            port,
            session,
            base: base.trim_end_matches('/').to_owned(),
            driver,
            profile,
        }
    }

    pub async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("cannot open {path}: {e}"));
    }

    /// The element matching `css`, once it exists.
    pub async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element `{css}` within {WAIT:?}: {e}"))
    }

    pub async fn click(&self, css: &str) {
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("cannot click `{css}`: {e}"));
    }

    /// Replaces the text of the input matching `css`.
    pub async fn fill(&self, css: &str, text: &str) {
        let input = self.find(css).await;
        input.clear().await.expect("input clears");
        input
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("cannot type into `{css}`: {e}"));
    }

    pub async fn select(&self, css: &str, value: &str) {
        self.find(css)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("`{css}` has no option {value}: {e}"));
    }

    /// Sets an input's value as a date picker would, firing `change`.
    pub async fn set_value(&self, css: &str, value: &str) {
        self.find(css).await;
        self.client
            .execute(
                "const el = document.querySelector(arguments[0]); el.value = arguments[1];
                 el.dispatchEvent(new Event('input', { bubbles: true }));
                 el.dispatchEvent(new Event('change', { bubbles: true }));",
                vec![json!(css), json!(value)],
            )
            .await
            .expect("script runs");
    }

    /// Waits until the element matching `css` contains `needle`; returns its text.
    pub async fn wait_text(&self, css: &str, needle: &str) -> String {
        let deadline = Instant::now() + WAIT;
        let mut last = String::new();
        loop {
            if let Ok(element) = self.client.find(Locator::Css(css)).await
                && let Ok(text) = element.text().await
            {
                if text.contains(needle) {
                    return text;
                }
                last = text;
            }
            assert!(
                Instant::now() < deadline,
                "`{css}` did not come to contain {needle:?} within {WAIT:?}; it said {last:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the element matching `css` has `attr` containing `needle`.
    pub async fn wait_attr(&self, css: &str, attr: &str, needle: &str) {
        let deadline = Instant::now() + WAIT;
        let mut last = None;
        loop {
            if let Ok(element) = self.client.find(Locator::Css(css)).await
                && let Ok(value) = element.attr(attr).await
            {
                if value.as_deref().is_some_and(|v| v.contains(needle)) {
                    return;
                }
                last = value;
            }
            assert!(
                Instant::now() < deadline,
                "`{css}` [{attr}] did not come to contain {needle:?} within {WAIT:?}; it was {last:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until nothing matches `css`.
    pub async fn wait_gone(&self, css: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let found = self
                .client
                .find_all(Locator::Css(css))
                .await
                .map(|f| f.len());
            if found.is_ok_and(|n| n == 0) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "`{css}` still there after {WAIT:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the input matching `css` holds `expected`.
    pub async fn wait_value(&self, css: &str, expected: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let value = self.value(css).await;
            if value == expected {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "`{css}` holds {value:?}, expected {expected:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The page's path.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("current url");
        url.path().to_owned()
    }

    /// Waits until the page's path (and query) is `path`.
    pub async fn wait_path(&self, path: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let url = self.client.current_url().await.expect("current url");
            let here = match url.query() {
                Some(q) => format!("{}?{q}", url.path()),
                None => url.path().to_owned(),
            };
            if here == path {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "still at {here}, expected {path}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn value(&self, css: &str) -> String {
        self.find(css)
            .await
            .prop("value")
            .await
            .expect("value property")
            .unwrap_or_default()
    }

    /// Saves a PNG of the viewport as `target/screenshots/{name}.png`.
    /// Brings the element with `id` to the top of the viewport, just
    /// below the sticky header, for a screenshot or a click.
    pub async fn scroll_to(&self, id: &str) {
        self.client
            .execute(
                "const el = document.getElementById(arguments[0]);
                 const header = document.querySelector('header');
                 const below = header ? header.getBoundingClientRect().height + 8 : 0;
                 window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - below);",
                vec![json!(id)],
            )
            .await
            .expect("script runs");
    }

    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("screenshot directory");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("screenshot written");
    }

    /// Ends the session (Chromium quits); dropping the browser cleans up regardless.
    pub async fn close(mut self) {
        if self.client.clone().close().await.is_ok() {
            self.session = None;
        }
    }

    /// `DELETE /session/{id}` over a plain socket: Drop cannot await the
    /// client, and a session left open would leave Chromium running.
    fn quit_session(&self, session: &str) {
        let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", self.port)) else {
            return;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
        let request = format!(
            "DELETE /session/{session} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\
             Content-Length: 0\r\nConnection: close\r\n\r\n",
            self.port
        );
        if stream.write_all(request.as_bytes()).is_ok() {
            let _ = stream.read_to_end(&mut Vec::new());
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(session) = self.session.take() {
            self.quit_session(&session);
        }
        // Only the chromedriver this test started, by its own handle.
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}
