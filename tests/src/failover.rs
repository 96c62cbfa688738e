//! Faults for the storm: stepping the primary down, or losing the server
//! outright, with a watch on when a primary is back.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use mongodb::Client;
use mongodb::bson::{Document, doc};
use mongodb::options::{ClientOptions, ReadPreference, SelectionCriteria};

use crate::storm::{self, Cast, Http, ReadySample, Record};

/// A connection of its own to the deployment, for faults and for
/// watching whether a primary is known.
pub struct Watch {
    client: Client,
}

impl Watch {
    /// Connects to `uri` with short timeouts, so a look at the primary
    /// answers within half a second.
    pub async fn connect(uri: &str) -> Result<Self, String> {
        let mut options = ClientOptions::parse(uri)
            .await
            .map_err(|e| format!("database URI: {e}"))?;
        options.server_selection_timeout = Some(Duration::from_millis(500));
        options.connect_timeout = Some(Duration::from_millis(500));
        options.heartbeat_freq = Some(Duration::from_millis(500));
        options.app_name = Some("failover-watch".into());
        let client = Client::with_options(options).map_err(|e| format!("database client: {e}"))?;
        Ok(Self { client })
    }

    async fn hello(&self) -> Option<Document> {
        self.client
            .database("admin")
            .run_command(doc! { "hello": 1 })
            .selection_criteria(SelectionCriteria::ReadPreference(
                ReadPreference::PrimaryPreferred { options: None },
            ))
            .await
            .ok()
    }

    /// The primary some member names now, if any.
    pub async fn primary(&self) -> Option<String> {
        let hello = self.hello().await?;
        match hello.get_str("primary") {
            Ok(primary) => Some(primary.to_owned()),
            // A standalone or direct connection answers for itself.
            Err(_) if hello.get_bool("isWritablePrimary").unwrap_or(false) => {
                Some(hello.get_str("me").unwrap_or("this server").to_owned())
            }
            Err(_) => None,
        }
    }

    /// Whether some member answers and knows a writable primary.
    pub async fn primary_known(&self) -> bool {
        self.primary().await.is_some()
    }

    /// Steps the primary down for `seconds`: `{replSetStepDown: seconds,
    /// secondaryCatchUpPeriodSecs: 1, force: true}`. The server may drop
    /// the connection while it steps down, so success is judged by
    /// looking: the old primary must be one no longer (no primary yet, or
    /// another member elected already, as a real replica set may do
    /// within a second).
    pub async fn step_down(&self, seconds: u32) -> Result<(), String> {
        let before = self.primary().await.ok_or("no primary to step down")?;
        let answer = self
            .client
            .database("admin")
            .run_command(doc! {
                "replSetStepDown": seconds,
                "secondaryCatchUpPeriodSecs": 1,
                "force": true,
            })
            .await;
        if self.primary().await.as_deref() == Some(before.as_str()) {
            return Err(format!(
                "{before} is still primary after replSetStepDown: {answer:?}"
            ));
        }
        Ok(())
    }

    /// Waits, polling every 50 ms, until `known` says what is wanted;
    /// returns when it did.
    pub async fn until(&self, want_primary: bool, limit: Duration) -> Result<Instant, String> {
        let deadline = Instant::now() + limit;
        loop {
            let now = Instant::now();
            if self.primary_known().await == want_primary {
                return Ok(now);
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "no {} after {} s",
                    if want_primary {
                        "primary came back"
                    } else {
                        "loss of the primary was seen"
                    },
                    limit.as_secs()
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Everything a storm through a fault produced.
pub struct Storm {
    pub records: Vec<Record>,
    pub readiness: Vec<ReadySample>,
    /// When the fault struck.
    pub fault: Instant,
    /// When a primary was known again.
    pub back: Instant,
}

/// Runs the storm of `cast` against `bases`, lets it settle for `warmup`,
/// runs `fault` (which returns when the fault struck, once the primary is
/// gone), waits for a primary to be known again, then keeps the storm
/// going for `after`.
pub async fn storm_through<F, Fut>(
    http: &Http,
    bases: &[String],
    cast: &Cast,
    watch: &Watch,
    warmup: Duration,
    fault: F,
    after: Duration,
) -> Result<Storm, String>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Instant, String>>,
{
    let stop = Arc::new(AtomicBool::new(false));
    let conduct = async {
        tokio::time::sleep(warmup).await;
        let outcome = async {
            let struck = fault().await?;
            let back = watch.until(true, Duration::from_secs(180)).await?;
            tokio::time::sleep(after).await;
            Ok::<_, String>((struck, back))
        }
        .await;
        stop.store(true, Ordering::Relaxed);
        outcome
    };
    let (records, readiness, times) = futures::join!(
        storm::run(http, bases, cast, Arc::clone(&stop)),
        storm::watch_readiness(http, bases, Arc::clone(&stop)),
        conduct,
    );
    let (fault, back) = times?;
    Ok(Storm {
        records,
        readiness,
        fault,
        back,
    })
}

/// What readiness said about each instance: whether an answer that came
/// during the window was `503`, and how long after the primary's return
/// it first answered `200` naming a primary.
pub fn readiness_summary(storm: &Storm, instances: usize) -> Vec<(bool, Option<Duration>)> {
    (0..instances)
        .map(|i| {
            let samples = storm.readiness.iter().filter(|s| s.instance == i);
            let refused = samples
                .clone()
                .any(|s| s.at >= storm.fault && s.at < storm.back && s.status == 503);
            let ready_again = samples
                .filter(|s| s.at >= storm.back && s.status == 200 && s.primary.is_some())
                .map(|s| s.at - storm.back)
                .min();
            (refused, ready_again)
        })
        .collect()
}
