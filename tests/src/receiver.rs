//! A webhook receiver for tests: a real HTTP server on a free port that
//! records every request (headers and body as received), answers as told,
//! and notes any two requests for one `webhook-id` that overlapped.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::Value;

/// How the receiver answers.
#[derive(Debug, Clone, Default)]
pub struct Behaviour {
    /// Answer `500` to the first this many attempts of each `webhook-id`.
    pub fail_first: usize,
    /// Take this long before answering each request.
    pub delay: Duration,
    /// Never answer the very first request (it waits until the sender gives up).
    pub hang_first: bool,
    /// Answer every request with `503`.
    pub always_fail: bool,
}

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: String,
    /// The status this receiver answered.
    pub answered: u16,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("webhook body is JSON")
    }
}

#[derive(Default)]
struct State {
    behaviour: Behaviour,
    requests: Vec<Received>,
    started: Vec<String>,
    attempts: HashMap<String, usize>,
    in_flight: HashSet<String>,
    overlaps: Vec<String>,
}

pub struct Receiver {
    pub url: String,
    state: Arc<Mutex<State>>,
    handle: actix_web::dev::ServerHandle,
}

async fn receive(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<Mutex<State>>,
) -> HttpResponse {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let id = header("webhook-id");
    let (behaviour, attempt, hang) = {
        let mut state = state.lock().expect("receiver state");
        let first_ever = state.started.is_empty();
        state.started.push(id.clone());
        if !state.in_flight.insert(id.clone()) {
            state.overlaps.push(id.clone());
        }
        let attempt = state.attempts.entry(id.clone()).or_default();
        *attempt += 1;
        let attempt = *attempt;
        (
            state.behaviour.clone(),
            attempt,
            state.behaviour.hang_first && first_ever,
        )
    };
    if hang {
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
    tokio::time::sleep(behaviour.delay).await;
    let answered = if behaviour.always_fail {
        503
    } else if attempt <= behaviour.fail_first {
        500
    } else {
        204
    };
    let mut state = state.lock().expect("receiver state");
    state.in_flight.remove(&id);
    state.requests.push(Received {
        id,
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        body: String::from_utf8_lossy(&body).into_owned(),
        answered,
    });
    HttpResponse::build(actix_web::http::StatusCode::from_u16(answered).expect("status")).finish()
}

impl Receiver {
    pub async fn start(behaviour: Behaviour) -> Self {
        let state = Arc::new(Mutex::new(State {
            behaviour,
            ..State::default()
        }));
        let data = web::Data::from(Arc::clone(&state));
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .default_service(web::post().to(receive))
        })
        .workers(2)
        .disable_signals()
        .bind(("127.0.0.1", 0))
        .expect("receiver binds");
        let port = server.addrs()[0].port();
        let server = server.run();
        let handle = server.handle();
        tokio::spawn(server);
        Self {
            url: format!("http://127.0.0.1:{port}/hooks"),
            state,
            handle,
        }
    }

    pub fn set_behaviour(&self, behaviour: Behaviour) {
        self.state.lock().expect("receiver state").behaviour = behaviour;
    }

    /// Every request so far, in the order answered.
    pub fn requests(&self) -> Vec<Received> {
        self.state.lock().expect("receiver state").requests.clone()
    }

    /// The `webhook-id` of every request that arrived, answered or not.
    pub fn started(&self) -> Vec<String> {
        self.state.lock().expect("receiver state").started.clone()
    }

    /// The requests answered 2xx.
    pub fn delivered(&self) -> Vec<Received> {
        self.requests()
            .into_iter()
            .filter(|r| (200..300).contains(&r.answered))
            .collect()
    }

    /// `webhook-id`s that two requests carried at the same moment.
    pub fn overlaps(&self) -> Vec<String> {
        self.state.lock().expect("receiver state").overlaps.clone()
    }

    /// Waits up to `limit` for `done` to hold over the requests so far.
    pub async fn wait_for(
        &self,
        limit: Duration,
        done: impl Fn(&[Received]) -> bool,
    ) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let requests = self.requests();
            if done(&requests) || tokio::time::Instant::now() >= deadline {
                return requests;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

/// The Python that runs the test tools installed from PyPI
/// (`scripts/test.sh` makes it): `TEST_PYTHON`, else `target/test-venv`.
pub fn test_python() -> std::path::PathBuf {
    if let Some(python) = std::env::var_os("TEST_PYTHON") {
        return python.into();
    }
    let venv =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/test-venv/bin/python");
    assert!(
        venv.exists(),
        "no test Python: run `bash scripts/test.sh` once (it makes target/test-venv), or set TEST_PYTHON"
    );
    venv
}

/// Verifies each request's signature with the `standardwebhooks` package
/// from PyPI (an implementation of the specification independent of the
/// API's), through `tests/webhooks/verify.py`. Returns its report per
/// request: `ok`, or why it failed.
pub fn verify_with_python(secret: &str, requests: &[Received]) -> Vec<String> {
    use std::io::Write;
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("webhooks/verify.py");
    let mut child = std::process::Command::new(test_python())
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python starts");
    {
        let mut stdin = child.stdin.take().expect("stdin");
        for request in requests {
            let line = serde_json::json!({
                "secret": secret,
                "id": request.id,
                "timestamp": request.timestamp,
                "signature": request.signature,
                "body": request.body,
            });
            writeln!(stdin, "{line}").expect("write to python");
        }
    }
    let output = child.wait_with_output().expect("python finishes");
    assert!(output.status.success(), "verify.py failed");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}
