//! The one typed API client. Every call goes through [`send`], which
//! decodes the API's error shape into [`ApiError`] so pages can show it, and
//! ties the request to the reactive owner that started it: when that owner
//! is cleaned up (the page is left, or a resource re-runs) the request is
//! aborted.

mod calls;
mod idempotency;

pub use calls::*;
pub use idempotency::IdempotencyKey;

use gloo_net::http::{Method, RequestBuilder, Response};
use leptos::prelude::on_cleanup;
use send_wrapper::SendWrapper;
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::{ErrorBody, ErrorCode, TimeRange};

/// Every path is relative to this, on the page's own origin, so the session
/// cookie goes along and `trunk serve` can proxy it.
const BASE: &str = "/api/v1";

/// A failed call, ready to show.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// The API's error code; `None` when the request never got an API answer.
    pub code: Option<ErrorCode>,
    /// The API's message (English), or what went wrong on the way.
    pub message: String,
    /// The request field at fault, for validation errors.
    pub field: Option<String>,
    /// HTTP status, 0 when there was no response.
    pub status: u16,
    /// The seats someone else has, for `seat_taken`.
    pub seats: Vec<String>,
    /// The reserved range in the way, for `slot_taken`.
    pub conflict: Option<TimeRange>,
}

impl ApiError {
    fn network(error: impl std::fmt::Display) -> Self {
        Self::unexpected(0, error.to_string())
    }

    fn unexpected(status: u16, message: String) -> Self {
        Self {
            code: None,
            message,
            field: None,
            status,
            seats: Vec::new(),
            conflict: None,
        }
    }

    /// Something the page looked for and did not find.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self {
            code: Some(ErrorCode::NotFound),
            ..Self::unexpected(404, message.into())
        }
    }

    /// A problem found before sending, reported like the API would.
    pub fn local(field: &str, message: impl Into<String>) -> Self {
        Self {
            code: Some(ErrorCode::InvalidInput),
            field: Some(field.to_owned()),
            ..Self::unexpected(0, message.into())
        }
    }

    /// Whether this error belongs next to the input named `field`.
    pub fn is_for(&self, field: &str) -> bool {
        self.field.as_deref() == Some(field)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

/// Aborts its request when the owner that created it is cleaned up, or when
/// the request's future is dropped before finishing.
struct Abort(Option<web_sys::AbortController>);

impl Abort {
    fn register() -> Self {
        let controller = web_sys::AbortController::new().ok();
        if let Some(controller) = &controller {
            let on_leave = SendWrapper::new(controller.clone());
            on_cleanup(move || on_leave.abort());
        }
        Self(controller)
    }

    fn signal(&self) -> Option<web_sys::AbortSignal> {
        self.0.as_ref().map(|c| c.signal())
    }
}

impl Drop for Abort {
    fn drop(&mut self) {
        // Aborting a finished request does nothing.
        if let Some(controller) = &self.0 {
            controller.abort();
        }
    }
}

/// One request to send: where, what, and the extra headers.
struct Request {
    method: Method,
    path: String,
    body: Option<Result<String, ApiError>>,
    /// A file sent as the body, with its own type (instead of JSON).
    file: Option<web_sys::File>,
    headers: Vec<(&'static str, String)>,
}

impl Request {
    fn new(method: Method, path: String, body: Option<Result<String, ApiError>>) -> Self {
        Self {
            method,
            path,
            body,
            file: None,
            headers: Vec::new(),
        }
    }

    fn header(mut self, name: &'static str, value: Option<String>) -> Self {
        if let Some(value) = value {
            self.headers.push((name, value));
        }
        self
    }

    /// Sends it, and reads the response with `read`. Called synchronously
    /// so the abort is registered with the caller's owner; the returned
    /// future does the network work.
    fn send_then<T, F, Fut>(self, read: F) -> impl Future<Output = Result<T, ApiError>> + 'static
    where
        F: FnOnce(Response) -> Fut + 'static,
        Fut: Future<Output = Result<T, ApiError>>,
    {
        let abort = Abort::register();
        async move {
            let signal = abort.signal();
            let mut builder = RequestBuilder::new(&format!("{BASE}{}", self.path))
                .method(self.method)
                .header("accept", "application/json")
                .abort_signal(signal.as_ref());
            for (name, value) in &self.headers {
                builder = builder.header(name, value);
            }
            let request = match (self.body, self.file) {
                (_, Some(file)) => builder
                    .header("content-type", &file.type_())
                    .body(wasm_bindgen::JsValue::from(file)),
                (Some(json), None) => builder
                    .header("content-type", "application/json")
                    .body(json?),
                (None, None) => builder.build(),
            }
            .map_err(ApiError::network)?;
            let response = request.send().await.map_err(ApiError::network)?;
            let result = read(response).await;
            drop(abort);
            result
        }
    }
}

/// Sends one request and decodes its JSON answer.
fn send<T: DeserializeOwned + 'static>(
    method: Method,
    path: String,
    body: Option<Result<String, ApiError>>,
) -> impl Future<Output = Result<T, ApiError>> + 'static {
    Request::new(method, path, body).send_then(decode)
}

/// Sends `file` as the body, typed as the browser knows it.
fn send_file<T: DeserializeOwned + 'static>(
    method: Method,
    path: String,
    file: web_sys::File,
) -> impl Future<Output = Result<T, ApiError>> + 'static {
    let mut request = Request::new(method, path, None);
    request.file = Some(file);
    request.send_then(decode)
}

/// Like [`send`], with an `Idempotency-Key`: a repeat with the same key
/// gets the first answer instead of acting twice.
fn send_once<T: DeserializeOwned + 'static>(
    method: Method,
    path: String,
    body: Option<Result<String, ApiError>>,
    key: &IdempotencyKey,
) -> impl Future<Output = Result<T, ApiError>> + 'static {
    Request::new(method, path, body)
        .header("Idempotency-Key", Some(key.to_string()))
        .send_then(decode)
}

/// What a conditional GET found.
#[derive(Debug, Clone, PartialEq)]
pub enum Fresh<T> {
    /// Changed (or first asked): the value and its `ETag`.
    Changed(T, Option<String>),
    /// `304`: still what the given `ETag` named.
    Unchanged,
}

/// A GET with `If-None-Match`, so an unchanged answer costs no body.
fn get_if_changed<T: DeserializeOwned + 'static>(
    path: String,
    etag: Option<String>,
) -> impl Future<Output = Result<Fresh<T>, ApiError>> + 'static {
    Request::new(Method::GET, path, None)
        .header("if-none-match", etag)
        .send_then(|response| async move {
            if response.status() == 304 {
                return Ok(Fresh::Unchanged);
            }
            let etag = response.headers().get("etag");
            decode(response)
                .await
                .map(|value| Fresh::Changed(value, etag))
        })
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let status = response.status();
    let text = response.text().await.map_err(ApiError::network)?;
    if response.ok() {
        // Empty answers (204) decode as JSON `null`, i.e. `()`.
        let text = if text.is_empty() { "null" } else { &text };
        return serde_json::from_str(text).map_err(|e| {
            ApiError::unexpected(status, format!("unexpected answer from the server: {e}"))
        });
    }
    Err(match serde_json::from_str::<ErrorBody>(&text) {
        Ok(body) => ApiError {
            code: Some(body.error.code),
            message: body.error.message,
            field: body.error.field,
            status,
            seats: body.error.seats,
            conflict: body.error.conflict,
        },
        Err(_) => ApiError::unexpected(status, format!("the server answered {status}")),
    })
}

fn json(body: &impl Serialize) -> Option<Result<String, ApiError>> {
    Some(serde_json::to_string(body).map_err(ApiError::network))
}

fn with_query(path: &str, query: &impl Serialize) -> String {
    match serde_urlencoded::to_string(query) {
        Ok(q) if !q.is_empty() => format!("{path}?{q}"),
        _ => path.to_owned(),
    }
}

/// Encodes one path segment (ids come from URLs the user can edit).
fn segment(id: &str) -> String {
    String::from(js_sys::encode_uri_component(id))
}
