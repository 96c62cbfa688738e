//! The driver's events, turned into metrics: command latency and the
//! connection pool.

use mongodb::event::EventHandler;
use mongodb::event::cmap::{CmapEvent, ConnectionCheckoutFailedReason};
use mongodb::event::command::CommandEvent;

use super::Metrics;

impl Metrics {
    /// The driver's command events: latency per command name and outcome.
    pub fn command_events(&self) -> EventHandler<CommandEvent> {
        let metrics = self.clone();
        EventHandler::callback(move |event| {
            let (name, outcome, duration) = match &event {
                CommandEvent::Succeeded(e) => (&e.command_name, "ok", e.duration),
                CommandEvent::Failed(e) => (&e.command_name, "error", e.duration),
                _ => return,
            };
            metrics
                .0
                .command_seconds
                .with_label_values(&[name.as_str(), outcome])
                .observe(duration.as_secs_f64());
        })
    }

    /// The driver's connection-pool events: open and checked-out
    /// connections per server, checkout failures, pool clears.
    pub fn pool_events(&self) -> EventHandler<CmapEvent> {
        let metrics = self.clone();
        EventHandler::callback(move |event| {
            let inner = &metrics.0;
            match &event {
                CmapEvent::ConnectionCreated(e) => inner
                    .pool_connections
                    .with_label_values(&[&e.address.to_string()])
                    .inc(),
                CmapEvent::ConnectionClosed(e) => inner
                    .pool_connections
                    .with_label_values(&[&e.address.to_string()])
                    .dec(),
                CmapEvent::ConnectionCheckedOut(e) => inner
                    .pool_in_use
                    .with_label_values(&[&e.address.to_string()])
                    .inc(),
                CmapEvent::ConnectionCheckedIn(e) => inner
                    .pool_in_use
                    .with_label_values(&[&e.address.to_string()])
                    .dec(),
                CmapEvent::ConnectionCheckoutFailed(e) => {
                    let reason = match e.reason {
                        ConnectionCheckoutFailedReason::Timeout => "timeout",
                        _ => "connection_error",
                    };
                    inner
                        .pool_checkout_failures
                        .with_label_values(&[reason])
                        .inc();
                }
                CmapEvent::PoolCleared(e) => inner
                    .pool_cleared
                    .with_label_values(&[&e.address.to_string()])
                    .inc(),
                _ => {}
            }
        })
    }
}
