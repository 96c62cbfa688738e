//! Test helpers: a real MongoDB-compatible server, the real application on
//! a free port with its own database, and one typed request helper.

pub mod archive;
pub mod db;
pub mod events;
pub mod failover;
pub mod invariants;
pub mod live;
pub mod oidc;
pub mod process;
pub mod queue;
pub mod receiver;
pub mod smtp;
pub mod storm;

use std::sync::atomic::{AtomicU64, Ordering};

use api::configuration::Settings;
use api::startup::Application;
use chrono::{DateTime, Duration, DurationRound, Utc};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use shared::{
    CreateReservation, CreateRoom, ErrorCode, LoginResponse, Reservation, Room, RoomId, User,
};

pub use db::{DbServer, shared_server_uri};

/// The bootstrap admin every test app starts with.
pub const ADMIN_EMAIL: &str = "admin@example.com";
pub const ADMIN_PASSWORD: &str = "admin-password";
pub const PASSWORD: &str = "correct horse battery";

/// A running application on its own database.
pub struct TestApp {
    pub address: String,
    pub http: reqwest::Client,
    pub db_uri: String,
    pub db_name: String,
    pub db: mongodb::Database,
    handle: actix_web::dev::ServerHandle,
    database: api::configuration::DatabaseSettings,
}

/// What came back: status, headers and the JSON body (`Null` when empty).
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl TestResponse {
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_value(self.body.clone())
            .unwrap_or_else(|e| panic!("unexpected body {}: {e}", self.body))
    }

    /// The `error.code` of an error body.
    pub fn error_code(&self) -> ErrorCode {
        serde_json::from_value(self.body["error"]["code"].clone())
            .unwrap_or_else(|e| panic!("not an error body {}: {e}", self.body))
    }

    /// The whole `Set-Cookie` line for the cookie `name`, if one was set.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(&format!("{name}=")))
            .map(str::to_owned)
    }

    /// A header's value as text, empty when absent.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The `error.message` of an error body, empty when absent.
    pub fn message(&self) -> &str {
        self.body["error"]["message"].as_str().unwrap_or_default()
    }

    /// The `error.field` of an error body.
    pub fn error_field(&self) -> Option<String> {
        self.body["error"]["field"].as_str().map(str::to_owned)
    }

    /// Asserts the status and error code together, with the body on failure.
    pub fn assert_error(&self, status: u16, code: ErrorCode) {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(self.error_code(), code, "body: {}", self.body);
    }

    pub fn assert_status(&self, status: u16) {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
    }
}

/// Settings for a test app: cheap password hashing, two workers, its own database.
pub fn test_settings(db_uri: &str) -> Settings {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let mut settings = Settings::defaults().expect("built-in settings load");
    settings.application.port = 0;
    settings.application.workers = 2;
    settings.database.uri = db_uri.to_owned().into();
    settings.database.name = format!(
        "test_{}_{}",
        NEXT.fetch_add(1, Ordering::Relaxed),
        uuid::Uuid::new_v4().simple()
    );
    // The database timeouts stay at the product's defaults: shorter ones
    // made a fresh client's first server selection fail while a hundred
    // tests start at once on two cores (seen in CI).
    // Waiting rooms move fast enough for tests to watch them move.
    settings.queue.tick_ms = 200;
    settings.queue.board_refresh_ms = 100;
    settings.queue.heartbeat_flush_ms = 200;
    settings.queue.lease_seconds = 2;
    // Webhooks go out and retry fast enough for tests to watch.
    settings.webhooks.poll_ms = 100;
    settings.webhooks.retry_base_ms = 200;
    settings.webhooks.retry_max_ms = 1000;
    settings.webhooks.timeout_seconds = 3;
    // Each test checks its data once it is done (`TestApp`'s drop); tests of
    // the periodic job turn it on.
    settings.reconcile.every_seconds = 0;
    // E-mail goes out only in the tests that watch it (`api/mail.rs`).
    settings.mail.send = false;
    settings.mail.poll_ms = 100;
    settings.mail.retry_base_ms = 200;
    settings.mail.retry_max_ms = 1000;
    settings.mail.timeout_seconds = 3;
    // Every test runs from 127.0.0.1, many users at once; the tests of
    // the limits turn them on.
    settings.rate_limits.login_per_address = "off".into();
    settings.rate_limits.register_per_address = "off".into();
    settings.rate_limits.booking_per_user = "off".into();
    settings.rate_limits.public_reads_per_address = "off".into();
    settings.auth.argon2_memory_kib = 1024;
    settings.auth.argon2_iterations = 1;
    settings.auth.bootstrap_admin_email = ADMIN_EMAIL.into();
    settings.auth.bootstrap_admin_password = ADMIN_PASSWORD.to_owned().into();
    // The suite also runs with catalogue reads on secondaries
    // (scripts/test.sh runs it again so).
    if let Ok(preference) = std::env::var("APP_DATABASE__READ_PREFERENCE") {
        settings.database.read_preference = preference
            .clone()
            .try_into()
            .unwrap_or_else(|e| panic!("APP_DATABASE__READ_PREFERENCE={preference}: {e}"));
    }
    if let Ok(seconds) = std::env::var("APP_DATABASE__MAX_STALENESS_SECONDS") {
        settings.database.max_staleness_seconds = seconds
            .parse()
            .unwrap_or_else(|e| panic!("APP_DATABASE__MAX_STALENESS_SECONDS={seconds}: {e}"));
    }
    settings
}

/// Starts the app on the shared test server (or `MONGODB_URI`).
pub async fn spawn_app() -> TestApp {
    let uri = shared_server_uri().await;
    spawn_app_with(test_settings(&uri)).await
}

/// Starts the app like [`spawn_app`], with `change` applied to the
/// settings first (e.g. rate limits on).
pub async fn spawn_app_changed(change: impl FnOnce(&mut Settings)) -> TestApp {
    let mut settings = test_settings(&shared_server_uri().await);
    change(&mut settings);
    spawn_app_with(settings).await
}

/// The built web app (`web/dist`), which browser tests need the API to serve.
pub fn web_dist() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/dist")
}

/// Starts the app like [`spawn_app`], also serving the built web app at `/`.
/// Panics with what to do when the web app has not been built.
pub async fn spawn_app_serving_web() -> TestApp {
    spawn_app_serving_web_with(|_| {}).await
}

/// Like [`spawn_app_serving_web`], with `change` applied to the settings
/// first (e.g. other limits).
pub async fn spawn_app_serving_web_with(change: impl FnOnce(&mut Settings)) -> TestApp {
    let dist = web_dist();
    assert!(
        dist.join("index.html").is_file(),
        "{} has no index.html: build the web app first \
         (`cd web && trunk build --release --offline`; scripts/test.sh does it)",
        dist.display()
    );
    let mut settings = test_settings(&shared_server_uri().await);
    settings.application.static_dir = dist.display().to_string();
    change(&mut settings);
    spawn_app_with(settings).await
}

/// Prints what a test measured straight to stderr, past the test
/// harness's capture, so the figures show in every run's output, passing
/// or not.
pub fn report(figures: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{figures}");
}

/// Runs Prometheus's `promtool` (`PROMTOOL`, else from `PATH`; Debian's
/// `prometheus` package, which scripts/test.sh installs) with `args`,
/// feeding it `stdin`. Panics with what to do when it is missing.
pub fn promtool(args: &[&str], stdin: Option<&str>) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let tool = std::env::var("PROMTOOL").unwrap_or_else(|_| "promtool".into());
    let mut child = Command::new(&tool)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run {tool} ({e}): install Debian's prometheus package (scripts/test.sh does) or set PROMTOOL")
        });
    let mut input = child.stdin.take().expect("promtool stdin");
    input
        .write_all(stdin.unwrap_or_default().as_bytes())
        .expect("promtool reads its input");
    drop(input);
    child.wait_with_output().expect("promtool finishes")
}

/// `n` API instances on one database (the one `settings` names), started
/// at the same moment, as a cluster's instances are.
pub async fn spawn_cluster(n: usize, settings: Settings) -> Vec<TestApp> {
    futures::future::join_all((0..n).map(|_| spawn_app_with(settings.clone()))).await
}

/// Held by tests that load the machine heavily or measure waits (storms,
/// failovers, rushes over several instances), so they run one at a time.
pub async fn heavy_test_turn() -> tokio::sync::MutexGuard<'static, ()> {
    static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    TURN.lock().await
}

pub async fn spawn_app_with(settings: Settings) -> TestApp {
    if std::env::var_os("TEST_LOG").is_some() {
        api::telemetry::init("warn");
    }
    use secrecy::ExposeSecret;
    let db_uri = settings.database.uri.expose_secret().to_owned();
    let db_name = settings.database.name.clone();
    let database = settings.database.clone();
    let app = Application::build(settings).await.expect("app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    let client = mongodb::Client::with_uri_str(&db_uri)
        .await
        .expect("db client");
    TestApp {
        address,
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            // Below actix's 5 s keep-alive: a connection the server is
            // closing as idle is never picked for the next request.
            .pool_idle_timeout(std::time::Duration::from_secs(3))
            .build()
            .expect("http client"),
        db: client.database(&db_name),
        db_uri,
        db_name,
        handle,
        database,
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
        // The test's runtime is ending; check and drop the database from a
        // thread of its own.
        let (uri, name) = (self.db_uri.clone(), self.db_name.clone());
        let mut database = self.database.clone();
        let drift = std::thread::spawn(move || {
            // On a multi-threaded runtime the app's background jobs run on
            // meanwhile: give them a moment to see the stop, so none writes
            // to the database while it is dropped.
            std::thread::sleep(std::time::Duration::from_millis(300));
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                // A server the test stopped is not waited for long.
                database.server_selection_timeout_ms = 3000;
                let drift = reconciled(&database).await;
                if let Ok(client) = mongodb::Client::with_uri_str(&uri).await {
                    let _ = client.database(&name).drop().await;
                }
                drift
            })
        })
        .join()
        .unwrap_or_else(|_| Some("the reconciliation check panicked".into()));
        if let Some(drift) = drift
            && !std::thread::panicking()
        {
            panic!("the test left derived data that disagrees with its source:\n{drift}");
        }
    }
}

/// What the product's reconciliation (`api reconcile`) finds wrong in a
/// test's database once the test is done: every test must leave none.
/// `None` when all agrees, or when the database cannot be read (the test
/// stopped it).
async fn reconciled(database: &api::configuration::DatabaseSettings) -> Option<String> {
    let store = match api::metrics::Metrics::new() {
        Ok(metrics) => api::store::Store::connect(database, metrics).await,
        Err(e) => return Some(format!("metrics: {e}")),
    };
    let store = match store {
        Ok(store) => store,
        Err(e) => return Some(format!("connecting to check the database: {e}")),
    };
    match store
        .reconcile(false, shared::ReconcileTrigger::Command)
        .await
    {
        Ok(run) if run.drift_count > 0 => Some(api::reconcile::report(&run)),
        Ok(_) => None,
        // The test stopped (or killed) its database server.
        Err(e) if e.is_unavailable() => {
            report(&format!("{}: not reconciled: {e}", database.name));
            None
        }
        Err(e) => Some(format!("the reconciliation failed: {e}")),
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// The raw documents of `collection` matching `filter`, read straight
    /// from this test's database.
    pub async fn documents(
        &self,
        collection: &str,
        filter: mongodb::bson::Document,
    ) -> Vec<mongodb::bson::Document> {
        use futures::TryStreamExt;
        self.db
            .collection::<mongodb::bson::Document>(collection)
            .find(filter)
            .await
            .expect("find is sent")
            .try_collect()
            .await
            .expect("documents are read")
    }

    /// The one request helper: JSON in, JSON out, optional bearer token.
    pub async fn request<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&B>,
    ) -> TestResponse {
        self.request_with(method, path, token, body, &[]).await
    }

    /// [`TestApp::request`] with extra headers.
    pub async fn request_with<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&B>,
        headers: &[(&str, &str)],
    ) -> TestResponse {
        let mut request = self.http.request(method, self.url(path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.expect("request is sent");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("body is read");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        TestResponse {
            status,
            headers,
            body,
        }
    }

    /// The instance's `/metrics` text.
    pub async fn metrics_text(&self) -> String {
        self.http
            .get(self.url("/metrics"))
            .send()
            .await
            .expect("GET /metrics")
            .text()
            .await
            .expect("metrics text")
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> TestResponse {
        self.request::<()>(Method::GET, path, token, None).await
    }

    pub async fn post<B: Serialize + ?Sized>(
        &self,
        path: &str,
        token: Option<&str>,
        body: &B,
    ) -> TestResponse {
        self.request(Method::POST, path, token, Some(body)).await
    }

    /// A POST without a body (actions like cancel).
    pub async fn post_empty(&self, path: &str, token: Option<&str>) -> TestResponse {
        self.request::<()>(Method::POST, path, token, None).await
    }

    pub async fn register(&self, email: &str, name: &str, password: &str) -> TestResponse {
        self.post(
            "/api/v1/auth/register",
            None,
            &serde_json::json!({ "email": email, "name": name, "password": password }),
        )
        .await
    }

    pub async fn login(&self, email: &str, password: &str) -> TestResponse {
        self.post(
            "/api/v1/auth/login",
            None,
            &serde_json::json!({ "email": email, "password": password }),
        )
        .await
    }

    /// A store of its own on this app's database, as another process
    /// (a command, a job) would have.
    pub async fn store(&self) -> api::store::Store {
        let metrics = api::metrics::Metrics::new().expect("metrics");
        api::store::Store::connect_for_command(&self.database, metrics)
            .await
            .expect("the app's database")
    }

    /// Registers and logs in a fresh user; returns the account and its token.
    pub async fn new_user(&self) -> (User, String) {
        let email = format!("user-{}@example.com", uuid::Uuid::new_v4().simple());
        self.register(&email, "Test User", PASSWORD)
            .await
            .assert_status(201);
        let login = self.login(&email, PASSWORD).await;
        login.assert_status(200);
        let login: LoginResponse = login.json();
        (login.user, login.token)
    }

    /// `PUT /users/{id}/disabled` as `admin`.
    pub async fn set_disabled(
        &self,
        admin: &str,
        user: &shared::UserId,
        disabled: bool,
    ) -> TestResponse {
        self.request(
            Method::PUT,
            &format!("/api/v1/users/{}/disabled", user.0),
            Some(admin),
            Some(&serde_json::json!({ "disabled": disabled })),
        )
        .await
    }

    /// A token of the bootstrap admin.
    pub async fn admin_token(&self) -> String {
        let login = self.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        login.assert_status(200);
        login.json::<LoginResponse>().token
    }

    pub async fn create_room(&self, admin: &str, body: &CreateRoom) -> Room {
        let response = self.post("/api/v1/rooms", Some(admin), body).await;
        response.assert_status(201);
        response.json()
    }

    /// Creates a room with a fresh name and otherwise default settings.
    pub async fn room(&self, admin: &str) -> Room {
        self.create_room(
            admin,
            &room_body(&format!("Room {}", uuid::Uuid::new_v4().simple())),
        )
        .await
    }

    pub async fn reserve(
        &self,
        token: &str,
        room: &RoomId,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> TestResponse {
        self.post(
            "/api/v1/reservations",
            Some(token),
            &reservation_body(room, start, end),
        )
        .await
    }

    pub async fn reserve_ok(
        &self,
        token: &str,
        room: &RoomId,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Reservation {
        let response = self.reserve(token, room, start, end).await;
        response.assert_status(201);
        response.json()
    }
}

pub fn room_body(name: &str) -> CreateRoom {
    CreateRoom {
        name: name.into(),
        location: "1층".into(),
        capacity: 10,
        has_projector: true,
        notes: String::new(),
        time_zone: None,
        requires_approval: false,
        slot_minutes: None,
    }
}

pub fn reservation_body(
    room: &RoomId,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> CreateReservation {
    CreateReservation {
        room_id: room.clone(),
        start: start.fixed_offset(),
        end: end.fixed_offset(),
        purpose: "planning".into(),
    }
}

/// Midnight UTC a few days from now plus `hours`: in the future and on
/// every slot boundary (Asia/Seoul is UTC+9).
pub fn at(day: i64, hours: f64) -> DateTime<Utc> {
    let midnight = (Utc::now() + Duration::days(2 + day))
        .duration_trunc(Duration::days(1))
        .expect("truncates");
    midnight + Duration::minutes((hours * 60.0) as i64)
}

/// A room's figures in an occupancy report: its name, reservations,
/// minutes, and (weekday, hour, minutes) cells.
pub type RoomFigures = (String, u32, u64, Vec<(u8, u8, u64)>);

/// An occupancy report's figures without the instant it was made, to
/// compare two ways of making it.
pub fn occupancy_figures(report: &shared::OccupancyReport) -> Vec<RoomFigures> {
    report
        .rooms
        .iter()
        .map(|r| {
            let cells = r.heatmap.iter().map(|c| (c.weekday, c.hour, c.minutes));
            (
                r.room_name.clone(),
                r.reservations,
                r.minutes,
                cells.collect(),
            )
        })
        .collect()
}

/// A reservation of `room` as an import writes it, straight into the
/// collection: no cells claimed, no event, made a week before it starts.
pub fn stored_reservation(
    room: &shared::Room,
    user: mongodb::bson::oid::ObjectId,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    status: &str,
) -> mongodb::bson::Document {
    use mongodb::bson::DateTime as BsonTime;
    mongodb::bson::doc! {
        "room_id": mongodb::bson::oid::ObjectId::parse_str(&room.id.0).unwrap_or_default(),
        "room_name": &room.name,
        "time_zone": &room.time_zone,
        "user_id": user,
        "user_name": "Kim Minji",
        "start": BsonTime::from_chrono(start),
        "end": BsonTime::from_chrono(end),
        "purpose": "Weekly planning",
        "status": status,
        "created_at": BsonTime::from_chrono(start - Duration::days(7)),
        "updated_at": BsonTime::from_chrono(start - Duration::days(7)),
        "version": 1_i64,
    }
}
