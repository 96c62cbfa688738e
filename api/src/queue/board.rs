//! Each instance's view of every open line: frontier, settings, pace.
//! Polls are answered from it; it is at most `queue.board_refresh_ms` old.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::Duration;

use bson::oid::ObjectId;
use chrono::{DateTime, Utc};

use super::WaitingRoom;
use crate::background::Stopped;
use crate::domain::queue::QueueRules;
use crate::error::ApiError;
use crate::store::Store;
use crate::store::queue::QueueStateDoc;

/// One performance's line as this instance last saw it.
#[derive(Debug, Clone, Copy)]
pub struct LineView {
    pub rules: QueueRules,
    pub frontier: u64,
    pub drawn: bool,
    pub sale_opens_at: DateTime<Utc>,
    /// Buyers admitted in the minute before the refresh.
    pub admitted_last_minute: u64,
}

impl LineView {
    fn of(state: &QueueStateDoc, now: DateTime<Utc>) -> Self {
        Self {
            rules: state.rules,
            frontier: u64::try_from(state.frontier).unwrap_or(0),
            drawn: state.drawn,
            sale_opens_at: state.sale_opens_at.to_chrono(),
            admitted_last_minute: state.admitted_last_minute(now),
        }
    }

    /// The pace to estimate waits with: measured over the last minute,
    /// else the configured rate.
    pub fn per_minute(&self) -> f64 {
        match (self.admitted_last_minute, self.rules.admit_per_minute) {
            (0, Some(rate)) => f64::from(rate),
            (measured, _) => measured as f64,
        }
    }
}

#[derive(Default)]
pub struct Board {
    lines: RwLock<HashMap<ObjectId, LineView>>,
}

impl Board {
    pub fn get(&self, performance: ObjectId) -> Option<LineView> {
        self.lines.read().ok()?.get(&performance).copied()
    }

    pub async fn reload(&self, store: &Store) -> Result<(), ApiError> {
        let now = chrono::Utc::now();
        let lines: HashMap<ObjectId, LineView> = store
            .enabled_queues()
            .await?
            .iter()
            .map(|state| (state.id, LineView::of(state, now)))
            .collect();
        if let Ok(mut board) = self.lines.write() {
            *board = lines;
        }
        Ok(())
    }
}

/// Refreshes the board and writes the polls heard, for ever.
pub fn spawn_refresh(room: WaitingRoom, store: Store, stopped: Stopped) {
    let refresh = Duration::from_millis(room.settings().board_refresh_ms.max(50));
    let flush = Duration::from_millis(room.settings().heartbeat_flush_ms.max(50));
    let reloader = (room.clone(), store.clone(), stopped.clone());
    tokio::spawn(async move {
        let (room, store, mut stopped) = reloader;
        let mut ticks = tokio::time::interval(refresh);
        while stopped.tick(&mut ticks).await {
            if !store.indexes_ready() {
                continue;
            }
            if let Err(e) = room.inner.board.reload(&store).await {
                tracing::debug!(error = %e, "waiting-room board not refreshed");
            }
        }
    });
    let mut stopped = stopped;
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(flush);
        while stopped.tick(&mut ticks).await {
            let heard = room.take_heard();
            if heard.is_empty() {
                continue;
            }
            if let Err(e) = store.queue_heartbeats(heard).await {
                // Lost heartbeats only matter past the grace period, which
                // is several flushes long; the next polls are recorded.
                tracing::debug!(error = %e, "queue heartbeats not written");
            }
        }
    });
}
