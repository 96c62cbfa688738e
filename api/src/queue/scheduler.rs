//! Admits buyers, on whichever instance holds the scheduler's lease.

use std::time::{Duration, Instant};

use bson::oid::ObjectId;

use super::WaitingRoom;
use crate::background::Stopped;
use crate::store::Store;

const LEASE: &str = "queue-scheduler";

pub fn spawn(room: WaitingRoom, store: Store, mut stopped: Stopped) {
    let settings = room.settings().clone();
    let every = Duration::from_millis(settings.tick_ms.max(50));
    let lease = Duration::from_secs(settings.lease_seconds.max(1));
    // The process id tells an operator (and the tests) which instance
    // schedules; the random part tells restarts apart.
    let me = format!("{}:{}", std::process::id(), ObjectId::new().to_hex());
    tokio::spawn(async move {
        let mut gaps = crate::store::queue::Gaps::default();
        // Set while this instance holds the lease: from when it may admit.
        let mut admits_from: Option<Instant> = None;
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        while stopped.tick(&mut ticks).await {
            if !store.indexes_ready() {
                continue;
            }
            let ttl = chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::seconds(5));
            // The database's `now` comes from before the lease write; time
            // since is counted from here, so stamps err late, never early.
            let started = Instant::now();
            let now = match store.acquire_lease(LEASE, &me, ttl).await {
                Ok(Some(now)) => now,
                Ok(None) => {
                    admits_from = None;
                    continue;
                }
                Err(e) => {
                    admits_from = None;
                    tracing::debug!(error = %e, "queue scheduler lease not taken");
                    continue;
                }
            };
            // A new holder waits one lease period before its first tick:
            // whatever the previous holder still had in flight when its
            // lease ran out has landed by then, so the two never count
            // and admit at once.
            let from = *admits_from.get_or_insert_with(|| started + lease);
            if Instant::now() < from {
                continue;
            }
            let lines = match store.enabled_queues().await {
                Ok(lines) => lines,
                Err(e) => {
                    tracing::debug!(error = %e, "queue lines not read");
                    continue;
                }
            };
            for line in lines {
                // Stop well before the lease could run out under us; the
                // rest waits for the next tick.
                if started.elapsed() > lease / 4 {
                    break;
                }
                let now = now + chrono::Duration::from_std(started.elapsed()).unwrap_or_default();
                let deadline = started + lease / 4;
                match store.tick_queue(&line, now, &mut gaps, deadline).await {
                    Ok(o) if o == Default::default() => {}
                    Ok(o) => tracing::debug!(
                        performance = %line.id,
                        placed = o.placed,
                        admitted = o.admitted,
                        skipped = o.skipped,
                        timed_out = o.timed_out,
                        "queue tick"
                    ),
                    Err(e) => {
                        tracing::warn!(performance = %line.id, error = %e, "queue tick failed")
                    }
                }
            }
            // The board refresh picks the new frontier up within
            // `queue.board_refresh_ms`, here as on every instance.
        }
        // Stopping (SIGTERM): let another instance take over at once
        // instead of after the lease runs out.
        if let Err(e) = store.release_lease(LEASE, &me).await {
            tracing::debug!(error = %e, "queue scheduler lease not released");
        }
    });
}
