//! A small JSON client for the API instances a storm or drill talks to.

use std::time::Duration;

use reqwest::Method;
use serde_json::Value;

/// One HTTP answer.
#[derive(Debug, Clone)]
pub struct Reply {
    /// 0 when no answer came (connection refused or reset).
    pub status: u16,
    pub retry_after: Option<u64>,
    pub replayed: bool,
    pub body: Value,
}

/// A JSON client for one or more instances of the API.
#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
}

impl Default for Http {
    fn default() -> Self {
        Self::new()
    }
}

impl Http {
    pub fn new() -> Self {
        Self {
            client: reqwest::Client::builder()
                .pool_max_idle_per_host(64)
                // Longer than any answer may take, so a hang shows as a failure.
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap_or_default(),
        }
    }

    pub async fn send(
        &self,
        method: Method,
        url: &str,
        token: Option<&str>,
        body: Option<&Value>,
        idempotency_key: Option<&str>,
    ) -> Reply {
        let key = idempotency_key.map(|key| ("Idempotency-Key", key));
        self.send_with(method, url, token, body, key.as_slice())
            .await
    }

    /// [`Http::send`] with any extra headers.
    pub async fn send_with(
        &self,
        method: Method,
        url: &str,
        token: Option<&str>,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut request = self.client.request(method, url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let Ok(response) = request.send().await else {
            return Reply {
                status: 0,
                retry_after: None,
                replayed: false,
                body: Value::Null,
            };
        };
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let retry_after = header("retry-after").and_then(|v| v.parse().ok());
        let replayed = header("idempotent-replayed").is_some();
        let body = response.json().await.unwrap_or(Value::Null);
        Reply {
            status,
            retry_after,
            replayed,
            body,
        }
    }

    /// Sends and insists on `expected`, for setting things up.
    pub async fn expect(
        &self,
        expected: u16,
        method: Method,
        url: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Result<Value, String> {
        let reply = self.send(method.clone(), url, token, body, None).await;
        if reply.status == expected {
            Ok(reply.body)
        } else {
            Err(format!(
                "{method} {url}: expected {expected}, got {} {}",
                reply.status, reply.body
            ))
        }
    }
}

/// The string at `key` of a JSON answer.
pub fn text(value: &Value, key: &str) -> Result<String, String> {
    value[key]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("no `{key}` in {value}"))
}
