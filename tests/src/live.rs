//! A client of the live seat map (`GET .../seats/events`): reads the
//! server-sent events as a browser's `EventSource` would.

use std::time::{Duration, Instant};

use serde_json::Value;
use shared::{SeatEvent, SeatMap, SeatState};

use crate::TestApp;
use crate::events::Stage;

/// One event of the stream.
#[derive(Debug)]
pub enum LiveEvent {
    Map(SeatMap),
    Seat(SeatEvent),
}

pub struct SeatStream {
    response: reqwest::Response,
    buffer: String,
    /// The server ended the stream (or the connection broke).
    pub ended: bool,
}

impl SeatStream {
    /// Opens the stream (as `token`'s user, or anonymously); a refusal
    /// comes back as its status and body.
    pub async fn open(
        app: &TestApp,
        stage: &Stage,
        token: Option<&str>,
    ) -> Result<Self, (u16, Value)> {
        Self::connect(&app.url(&stage.perf_path("/seats/events")), token).await
    }

    /// The same at any URL, e.g. an API process of its own.
    pub async fn connect(url: &str, token: Option<&str>) -> Result<Self, (u16, Value)> {
        // A client of its own: the stream keeps its connection.
        let client = reqwest::Client::new();
        let mut request = client.get(url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("live seat map request");
        let status = response.status().as_u16();
        if status != 200 {
            return Err((status, response.json().await.unwrap_or(Value::Null)));
        }
        let content_type = response.headers()["content-type"].to_str().unwrap_or("");
        assert!(
            content_type.starts_with("text/event-stream"),
            "{content_type}"
        );
        Ok(Self {
            response,
            buffer: String::new(),
            ended: false,
        })
    }

    /// The next event within `patience`; `None` if none came or the
    /// stream ended.
    pub async fn next(&mut self, patience: Duration) -> Option<LiveEvent> {
        let deadline = Instant::now() + patience;
        loop {
            if let Some(event) = self.take_event() {
                return Some(event);
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            let chunk = tokio::time::timeout(left, self.response.chunk())
                .await
                .ok()?;
            let Ok(Some(bytes)) = chunk else {
                self.ended = true;
                return None;
            };
            self.buffer.push_str(&String::from_utf8_lossy(&bytes));
        }
    }

    /// The next `seat` event for `label` within `patience`, skipping others.
    pub async fn seat(&mut self, label: &str, patience: Duration) -> Option<SeatEvent> {
        let deadline = Instant::now() + patience;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            if let LiveEvent::Seat(seat) = self.next(left).await?
                && seat.label == label
            {
                return Some(seat);
            }
        }
    }

    /// The next `seat` event showing `label` in `state` within `patience`.
    pub async fn seat_becomes(
        &mut self,
        label: &str,
        state: SeatState,
        patience: Duration,
    ) -> Option<SeatEvent> {
        let deadline = Instant::now() + patience;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            let seat = self.seat(label, left).await?;
            if seat.state == state {
                return Some(seat);
            }
        }
    }

    /// The stream's first event, which must be the whole map.
    pub async fn map(&mut self) -> SeatMap {
        match self.next(Duration::from_secs(10)).await {
            Some(LiveEvent::Map(map)) => map,
            other => panic!("expected the seat map first, got {other:?}"),
        }
    }

    fn take_event(&mut self) -> Option<LiveEvent> {
        loop {
            let end = self.buffer.find("\n\n")?;
            let block: String = self.buffer.drain(..end + 2).collect();
            let (mut name, mut data) = ("message", String::new());
            for line in block.lines() {
                if let Some(value) = line.strip_prefix("event: ") {
                    name = match value {
                        "map" => "map",
                        "seat" => "seat",
                        other => panic!("unknown event {other}"),
                    };
                } else if let Some(value) = line.strip_prefix("data: ") {
                    data.push_str(value);
                }
            }
            match name {
                "map" => return Some(LiveEvent::Map(parse(&data))),
                "seat" => return Some(LiveEvent::Seat(parse(&data))),
                // `retry:` and `: keep-alive` blocks carry no event.
                _ => continue,
            }
        }
    }
}

fn parse<T: serde::de::DeserializeOwned>(data: &str) -> T {
    serde_json::from_str(data).unwrap_or_else(|e| panic!("event data {data}: {e}"))
}
