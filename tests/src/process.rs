//! Real `api` processes, for tests that signal or kill them.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The `api` binary: `API_BIN`, or the workspace's debug build, which
/// `scripts/test.sh` makes before the tests run.
pub fn api_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("API_BIN") {
        return path.into();
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let path = target.join("debug/api");
    assert!(
        path.is_file(),
        "{} is missing: build it first (`cargo build -p api`; scripts/test.sh does), or set API_BIN",
        path.display()
    );
    path
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `api serve`, killed when dropped.
pub struct ApiProcess {
    pub child: Child,
    pub port: u16,
}

impl Drop for ApiProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The request rate limits, by their environment variables.
pub const RATE_LIMITS: [&str; 4] = [
    "APP_RATE_LIMITS__LOGIN_PER_ADDRESS",
    "APP_RATE_LIMITS__REGISTER_PER_ADDRESS",
    "APP_RATE_LIMITS__BOOKING_PER_USER",
    "APP_RATE_LIMITS__PUBLIC_READS_PER_ADDRESS",
];

impl ApiProcess {
    /// Starts `api serve` on a free port against `MONGODB_URI` = `db_uri`,
    /// with `env` added (e.g. `APP_DATABASE__NAME`), and waits until it is
    /// ready.
    pub async fn start(db_uri: &str, env: &[(&str, String)]) -> Self {
        let port = free_port();
        let mut command = Command::new(api_binary());
        command
            .arg("serve")
            .env("MONGODB_URI", db_uri)
            .env("APP_APPLICATION__PORT", port.to_string())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null());
        // The cluster tests send many users' requests from one address.
        for limit in RATE_LIMITS {
            command.env(limit, "off");
        }
        for (name, value) in env {
            command.env(name, value);
        }
        let child = command.spawn().expect("the api binary starts");
        let process = Self { child, port };
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = http.get(process.url("/api/v1/health/ready")).send().await;
            if ready.is_ok_and(|r| r.status() == 200) {
                return process;
            }
            assert!(Instant::now() < deadline, "the api never became ready");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends `signal` (e.g. `TERM`, `KILL`) to the process.
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([format!("-{signal}"), self.pid().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    }
}
