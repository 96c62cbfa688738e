//! Background jobs end with the server: once it has stopped, each job
//! finishes the step it is on and returns, so nothing keeps writing to
//! the database after the process (or a test's app) is done.

use tokio::sync::watch;
use tokio::time::Interval;

/// Tells background jobs the server has stopped.
pub struct StopSignal(watch::Sender<bool>);

/// A job's view of the [`StopSignal`].
#[derive(Clone)]
pub struct Stopped(watch::Receiver<bool>);

pub fn stop_signal() -> (StopSignal, Stopped) {
    let (tx, rx) = watch::channel(false);
    (StopSignal(tx), Stopped(rx))
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
}
