//! A booking storm across several API instances while the database fails
//! over, and the accounting afterwards: what was acknowledged, what is
//! stored, how long anyone waited, how long the window was. Used by the
//! failover tests and by `failover-drill` against a running product.
//!
//! Every client is one user booking seats of its own (one seat a request,
//! on several performances so the per-user seat limit never refuses it)
//! and reserving half-hour slots of its own in a shared room, alternately,
//! through one of the instances. A `503` is retried after `Retry-After`
//! with the same `Idempotency-Key`, as a well-behaved client would: a
//! booking whose commit was in doubt is then answered with its first
//! outcome instead of being made twice.

mod http;
mod report;
mod setup;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures::future::join_all;
use reqwest::Method;
use serde_json::json;

pub use http::{Http, Reply, text};
pub use report::{Report, account};
pub use setup::{Cast, buyer, prepare};

/// Seats one user may hold per performance by default; the storm never
/// asks for more on one performance.
const SEATS_PER_CLIENT_AND_PERFORMANCE: usize = 4;
/// Clients sharing one room, each with a half-hour slot of its own per day.
const CLIENTS_PER_ROOM: usize = 4;

/// What one request was and how it went.
#[derive(Debug, Clone)]
pub struct Record {
    pub client: usize,
    pub instance: usize,
    /// `seat` or `room`.
    pub kind: &'static str,
    pub started: Instant,
    pub waited: Duration,
    pub status: u16,
    pub retry_after: Option<u64>,
    pub replayed: bool,
    pub code: Option<String>,
    /// The error's message: which of several ways to a `503` it was.
    pub message: Option<String>,
    /// The booking's or reservation's id, for a `201`.
    pub id: Option<String>,
}

impl Record {
    pub fn finished(&self) -> Instant {
        self.started + self.waited
    }
}

enum Op {
    Seat {
        performance: String,
        label: String,
        key: String,
    },
    Room {
        room: String,
        start: DateTime<Utc>,
    },
}

/// How far a client has got: seats booked so far, days reserved so far.
#[derive(Default)]
struct Progress {
    seats: usize,
    rooms: usize,
}

/// Client `c`'s next operation: seats and rooms alternately while its
/// seats last (four per performance), then rooms only.
fn next_op(cast: &Cast, c: usize, progress: &mut Progress) -> Op {
    let per = SEATS_PER_CLIENT_AND_PERFORMANCE;
    let seats_left = progress.seats < per * cast.performances.len();
    if seats_left && progress.seats <= progress.rooms {
        let (performance, labels) = &cast.performances[progress.seats / per];
        let label = labels[c * per + progress.seats % per].clone();
        progress.seats += 1;
        return Op::Seat {
            performance: performance.clone(),
            label,
            key: uuid::Uuid::new_v4().to_string(),
        };
    }
    // One half-hour a day per client; within the reservation horizon.
    let day = (progress.rooms % 300) as i64;
    progress.rooms += 1;
    let slot = (c % CLIENTS_PER_ROOM) as i64;
    Op::Room {
        room: cast.rooms[c / CLIENTS_PER_ROOM].clone(),
        start: cast.first_day + chrono::Duration::days(day) + chrono::Duration::minutes(30 * slot),
    }
}

/// Runs the storm until `stop` is set: every client through instance
/// `c % bases.len()`. Returns every request made.
pub async fn run(http: &Http, bases: &[String], cast: &Cast, stop: Arc<AtomicBool>) -> Vec<Record> {
    let clients = (0..cast.tokens.len()).map(|c| {
        let stop = Arc::clone(&stop);
        async move { client(http, bases, cast, c, &stop).await }
    });
    join_all(clients).await.into_iter().flatten().collect()
}

async fn client(
    http: &Http,
    bases: &[String],
    cast: &Cast,
    c: usize,
    stop: &AtomicBool,
) -> Vec<Record> {
    let instance = c % bases.len();
    let token = &cast.tokens[c];
    let mut records = Vec::new();
    let mut progress = Progress::default();
    // A little think time keeps the storm at a rate the machine serves
    // without the clients themselves becoming the bottleneck.
    let think = Duration::from_millis(20);
    while !stop.load(Ordering::Relaxed) {
        let operation = next_op(cast, c, &mut progress);
        loop {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            let (kind, url, body, key) = match &operation {
                Op::Seat {
                    performance,
                    label,
                    key,
                } => (
                    "seat",
                    format!(
                        "{}/api/v1/performances/{performance}/bookings",
                        bases[instance]
                    ),
                    json!({ "seats": [label] }),
                    Some(key.as_str()),
                ),
                Op::Room { room, start } => (
                    "room",
                    format!("{}/api/v1/reservations", bases[instance]),
                    json!({ "room_id": room, "start": start.to_rfc3339(),
                        "end": (*start + chrono::Duration::minutes(30)).to_rfc3339(),
                        "purpose": "storm" }),
                    None,
                ),
            };
            let started = Instant::now();
            let reply = http
                .send(Method::POST, &url, Some(token), Some(&body), key)
                .await;
            let record = Record {
                client: c,
                instance,
                kind,
                started,
                waited: started.elapsed(),
                status: reply.status,
                retry_after: reply.retry_after,
                replayed: reply.replayed,
                code: reply.body["error"]["code"].as_str().map(str::to_owned),
                message: reply.body["error"]["message"].as_str().map(str::to_owned),
                id: (reply.status == 201)
                    .then(|| reply.body["id"].as_str().map(str::to_owned))
                    .flatten(),
            };
            records.push(record);
            match reply.status {
                503 => {
                    let wait = reply.retry_after.unwrap_or(1).min(2);
                    tokio::time::sleep(Duration::from_secs(wait)).await;
                }
                0 => tokio::time::sleep(Duration::from_millis(500)).await,
                _ => break,
            }
        }
        tokio::time::sleep(think).await;
    }
    records
}

/// The readiness of each instance, sampled through the storm.
#[derive(Debug, Clone)]
pub struct ReadySample {
    pub instance: usize,
    /// When the answer came.
    pub at: Instant,
    pub status: u16,
    pub primary: Option<String>,
}

/// Asks every instance's `/health/ready`, each on its own, 100 ms after
/// its previous answer, until `stop`.
pub async fn watch_readiness(
    http: &Http,
    bases: &[String],
    stop: Arc<AtomicBool>,
) -> Vec<ReadySample> {
    let watchers = bases.iter().enumerate().map(|(instance, base)| {
        let stop = Arc::clone(&stop);
        async move {
            let mut samples = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let reply = http
                    .send(
                        Method::GET,
                        &format!("{base}/api/v1/health/ready"),
                        None,
                        None,
                        None,
                    )
                    .await;
                samples.push(ReadySample {
                    instance,
                    at: Instant::now(),
                    status: reply.status,
                    primary: reply.body["primary"].as_str().map(str::to_owned),
                });
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            samples
        }
    });
    join_all(watchers).await.into_iter().flatten().collect()
}
