//! Background jobs end with the server: once it has stopped, each job
//! finishes the step it is on and returns, so nothing keeps writing to
//! the database after the process (or a test's app) is done.

use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Interval;

use crate::store::Store;

/// Tells background jobs the server has stopped.
#[derive(Clone)]
pub struct StopSignal(std::sync::Arc<watch::Sender<bool>>);

/// A job's view of the [`StopSignal`].
#[derive(Clone)]
pub struct Stopped(watch::Receiver<bool>);

pub fn stop_signal() -> (StopSignal, Stopped) {
    let (tx, rx) = watch::channel(false);
    (StopSignal(std::sync::Arc::new(tx)), Stopped(rx))
}

impl StopSignal {
    pub fn stop(&self) {
        self.0.send_replace(true);
    }
}

impl Stopped {
    /// Waits for the next tick of `interval`; `false` once the server has
    /// stopped (at once if it already has).
    pub async fn tick(&mut self, interval: &mut Interval) -> bool {
        if *self.0.borrow() {
            return false;
        }
        tokio::select! {
            _ = interval.tick() => !*self.0.borrow(),
            _ = self.0.changed() => false,
        }
    }

    /// Sleeps for `period`; `false` once the server has stopped.
    pub async fn sleep(&mut self, period: std::time::Duration) -> bool {
        if *self.0.borrow() {
            return false;
        }
        tokio::select! {
            () = tokio::time::sleep(period) => !*self.0.borrow(),
            _ = self.0.changed() => false,
        }
    }

    /// Resolves once the server is stopping.
    pub async fn wait(&mut self) {
        // An error means the signal itself is gone: the server is too.
        let _gone = self.0.wait_for(|stopped| *stopped).await;
    }
}

/// Tidies expired holds now and then; correctness never waits for it.
/// Also removes reservations left on a room deleted as they were made
/// (`store/room_deletion.rs`), and refunds the bookings of cancelled
/// performances that the cancelling request left (`store/cancellation.rs`).
/// Every instance runs it: each sweep is a pair of idempotent conditional
/// updates, and "expired" is judged by the database's clock, so an
/// instance whose clock runs ahead cannot free seats of a live hold.
pub fn spawn_hold_sweep(store: Store, every: Duration, mut stopped: Stopped) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        while stopped.tick(&mut ticks).await {
            if !store.indexes_ready() {
                continue;
            }
            let swept = match store.server_time().await {
                Ok(now) => store.sweep_expired_holds(now).await,
                Err(e) => Err(e),
            };
            match swept {
                Ok((0, 0)) => {}
                Ok((seats, holds)) => tracing::debug!(seats, holds, "expired holds tidied"),
                Err(e) => tracing::debug!(error = %e, "hold sweep skipped"),
            }
            match store.sweep_orphan_reservations().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(n, "reservations of deleted rooms removed"),
                Err(e) => tracing::debug!(error = %e, "orphan sweep skipped"),
            }
            match store.finish_cancellations(every).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(n, "bookings of cancelled performances refunded"),
                Err(e) => tracing::warn!(error = %e, "cancellation refunds paused"),
            }
        }
    });
}

/// Seals the occupancy roll-ups of days long past (`store/reports/rollup.rs`)
/// soon after start and then every hour, so that reports over long periods
/// read one document per room and day. Every instance runs it: a room's
/// sealing is one transaction that checks the seal it extends.
pub fn spawn_occupancy_sealer(store: Store, longest: chrono::Duration, mut stopped: Stopped) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(Duration::from_secs(3600));
        let mut waiting_for_indexes = true;
        while waiting_for_indexes {
            if !stopped.sleep(Duration::from_secs(1)).await {
                return;
            }
            waiting_for_indexes = !store.indexes_ready();
        }
        while stopped.tick(&mut ticks).await {
            let sealed = match store.server_time().await {
                Ok(now) => store.seal_occupancy(now, longest).await,
                Err(e) => Err(e),
            };
            match sealed {
                Ok(0) => {}
                Ok(days) => tracing::info!(days, "occupancy days sealed"),
                Err(e) => tracing::warn!(error = %e, "occupancy sealing skipped"),
            }
        }
    });
}
