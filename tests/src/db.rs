//! A real MongoDB-compatible server for the tests.
//!
//! With `MONGODB_URI` set, tests use that server. Otherwise the first test
//! starts `secantusd-rs` (SecantusDB, see README) on a free port for the whole
//! test binary; it stops when the test process ends. Tests that stop and
//! start a server start their own with [`DbServer::start`].

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio::sync::OnceCell;

/// The binary tests start when no `MONGODB_URI` is given.
pub fn server_binary() -> String {
    std::env::var("SECANTUSD").unwrap_or_else(|_| "secantusd-rs".into())
}

/// A server process this test owns, on a fixed port and data directory so
/// it can be stopped and started again.
pub struct DbServer {
    pub port: u16,
    pub dir: PathBuf,
    child: Option<Child>,
}

impl DbServer {
    /// A server on a free port with a fresh data directory, not started yet.
    pub fn new() -> Self {
        let port = free_port();
        let dir =
            std::env::temp_dir().join(format!("secantus-test-{}", uuid::Uuid::new_v4().simple()));
        Self {
            port,
            dir,
            child: None,
        }
    }

    /// A new server, started. Commits are fsynced so a killed server keeps
    /// what it acknowledged.
    pub fn started() -> Self {
        let mut server = Self::new();
        server.start();
        server
    }

    pub fn uri(&self) -> String {
        format!("mongodb://127.0.0.1:{}/?replicaSet=secantus", self.port)
    }

    /// Starts (or restarts) the process on this port and data directory.
    pub fn start(&mut self) {
        assert!(self.child.is_none(), "server already running");
        std::fs::create_dir_all(&self.dir).expect("data directory");
        // A watchdog shell runs the server and kills it (and removes its
        // data) when the test process goes away, however it ends.
        let watchdog = format!(
            r#""$0" "$@" & child=$!; echo $child > "{pid}"; while kill -0 {parent} 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 0.5; done; kill -9 $child 2>/dev/null; kill -0 {parent} 2>/dev/null || rm -rf "{dir}""#,
            pid = self.pid_file().display(),
            parent = std::process::id(),
            dir = self.dir.display(),
        );
        let _ = std::fs::remove_file(self.pid_file());
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("server.log"))
            .expect("server log file");
        let child = Command::new("sh")
            .arg("-c")
            .arg(watchdog)
            .arg(server_binary())
            .args(["--host", "127.0.0.1", "--port", &self.port.to_string()])
            .arg("--storage-path")
            .arg(self.dir.join("data"))
            .args(["--cache-size", "256M", "--log-file-max", "32MB"])
            .args(["--log-level", "WARNING", "--sync-on-commit"])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start {} (install it, or set MONGODB_URI): {e}",
                    server_binary()
                )
            });
        self.child = Some(child);
        if !wait_for_port(self.port, Duration::from_secs(30)) {
            let log = std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
            panic!(
                "database server did not start on port {}:\n{log}",
                self.port
            );
        }
    }

    fn pid_file(&self) -> PathBuf {
        self.dir.join("server.pid")
    }

    /// Kills the server abruptly, as a crash would.
    pub fn kill(&mut self) {
        let Some(mut watchdog) = self.child.take() else {
            return;
        };
        if let Ok(pid) = std::fs::read_to_string(self.pid_file()) {
            let _ = Command::new("sh")
                .arg("-c")
                .arg(format!("kill -9 {}", pid.trim()))
                .status();
        }
        let _ = watchdog.wait();
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
            assert!(
                Instant::now() < deadline,
                "server on {} did not stop",
                self.port
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Default for DbServer {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for DbServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn wait_for_port(port: u16, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    true
}

/// The URI every ordinary test uses: `MONGODB_URI`, or one server started
/// for this test binary.
pub async fn shared_server_uri() -> String {
    static URI: OnceCell<String> = OnceCell::const_new();
    URI.get_or_init(|| async {
        if let Ok(uri) = std::env::var("MONGODB_URI") {
            return uri;
        }
        let server = DbServer::started();
        let uri = server.uri();
        // Lives as long as the test process; the watchdog stops it after.
        std::mem::forget(server);
        uri
    })
    .await
    .clone()
}
