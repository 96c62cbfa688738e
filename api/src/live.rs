//! Live seat maps. Each instance opens one change stream on the seats
//! collection while anyone is watching a seat map through it, and fans
//! the changes out per performance. The stream is the database's, so a
//! seat booked through any instance reaches the watchers of every one.
//!
//! A watcher never trusts its own picture for long: it starts from a
//! snapshot read after the stream is open (so nothing written after the
//! snapshot can be missed), and it is told to read a new one when the
//! stream had to start afresh or the watcher fell behind.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use bson::oid::ObjectId;
use bson::{Document, doc};
use futures::StreamExt;
use mongodb::change_stream::event::ResumeToken;
use mongodb::options::FullDocumentType;
use tokio::sync::broadcast;

use crate::background::Stopped;
use crate::configuration::EventSettings;
use crate::store::Store;
use crate::store::seats::SeatDoc;

/// What the watchers of one performance receive.
#[derive(Debug, Clone)]
pub enum Change {
    /// A seat's document as it is now.
    Seat(Arc<SeatDoc>),
    /// The stream is open again and carried on where it stopped: watchers
    /// still waiting for it take their snapshot now.
    Opened,
    /// The stream started afresh and may have missed changes: every
    /// watcher takes a new snapshot.
    Resync,
}

/// Changes one slow watcher may fall behind by before it is told to
/// take a new snapshot instead.
const BACKLOG: usize = 1024;
/// How often the stream checks whether anyone still watches.
const IDLE_CHECK: Duration = Duration::from_secs(5);
/// Pause before reopening a stream that failed (a stepdown, an outage).
const RETRY: Duration = Duration::from_secs(1);

/// The instance's seat change feed. Cheap to clone.
#[derive(Clone)]
pub struct SeatFeed(Arc<Inner>);

struct Inner {
    store: Store,
    stopped: Stopped,
    state: Mutex<State>,
    /// Subscriptions alive now, and how many may be.
    streams: AtomicUsize,
    max_streams: usize,
    /// How often an idle stream sends a comment.
    keep_alive: Duration,
}

#[derive(Default)]
struct State {
    channels: HashMap<ObjectId, broadcast::Sender<Change>>,
    /// A task runs the change stream.
    watching: bool,
    /// The change stream is open: whatever is written from now on arrives.
    open: bool,
    /// Counts the watching tasks started, to tell the current one.
    generation: u64,
}

/// A watcher's end of the feed.
pub struct Subscription {
    pub changes: broadcast::Receiver<Change>,
    /// The stream is already open, so a snapshot read now misses nothing;
    /// otherwise wait for [`Change::Opened`] or [`Change::Resync`].
    pub open: bool,
    _slot: Slot,
}

/// One of the instance's `max_streams`, given back on drop.
struct Slot(Arc<Inner>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.streams.fetch_sub(1, Ordering::Relaxed);
    }
}

impl SeatFeed {
    pub fn new(store: Store, stopped: Stopped, settings: &EventSettings) -> Self {
        Self(Arc::new(Inner {
            store,
            stopped,
            state: Mutex::default(),
            streams: AtomicUsize::new(0),
            max_streams: settings.live_streams_max,
            keep_alive: Duration::from_secs(settings.live_keepalive_seconds.max(1)),
        }))
    }

    /// How often an idle stream sends a comment, so proxies keep it open.
    pub fn keep_alive(&self) -> Duration {
        self.0.keep_alive
    }

    /// Starts receiving the changes to `performance`'s seats, opening the
    /// change stream if nobody was watching; `None` when the instance
    /// already serves as many streams as it may.
    pub fn subscribe(&self, performance: ObjectId) -> Option<Subscription> {
        let taken = self.0.streams.fetch_add(1, Ordering::Relaxed);
        let slot = Slot(Arc::clone(&self.0));
        if taken >= self.0.max_streams {
            return None;
        }
        let mut state = self.0.lock();
        let changes = state
            .channels
            .entry(performance)
            .or_insert_with(|| broadcast::channel(BACKLOG).0)
            .subscribe();
        if !state.watching {
            state.watching = true;
            state.generation += 1;
            tokio::spawn(Arc::clone(&self.0).watch(state.generation));
        }
        Some(Subscription {
            changes,
            open: state.open,
            _slot: slot,
        })
    }

    /// Resolves when the server stops.
    pub fn stopped(&self) -> Stopped {
        self.0.stopped.clone()
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs the change stream until nobody watches or the server stops.
    async fn watch(self: Arc<Self>, generation: u64) {
        // Should the task end any other way (a panic, its worker gone), the
        // next subscriber must find the feed closed and start a new one.
        let _closed = CloseOnDrop(Arc::clone(&self), generation);
        let mut stopped = self.stopped.clone();
        let mut token: Option<ResumeToken> = None;
        let mut idle = tokio::time::interval(IDLE_CHECK);
        loop {
            let resumed = token.is_some();
            let opened = self
                .store
                .seats()
                .clone_with_type::<Document>()
                .watch()
                .pipeline([doc! {
                    "$match": { "operationType": { "$in": ["insert", "update", "replace"] } }
                }])
                .full_document(FullDocumentType::UpdateLookup)
                .resume_after(token.clone())
                .await;
            match opened {
                Ok(mut stream) => {
                    self.opened(if resumed {
                        Change::Opened
                    } else {
                        Change::Resync
                    });
                    loop {
                        tokio::select! {
                            next = stream.next() => match next {
                                Some(Ok(event)) => {
                                    token = stream.resume_token();
                                    if let Some(seat) = event
                                        .full_document
                                        .and_then(|d| bson::from_document::<SeatDoc>(d).ok())
                                    {
                                        self.publish(seat);
                                    }
                                }
                                Some(Err(e)) => {
                                    tracing::info!(error = %e, "seat change stream broke; reopening");
                                    break;
                                }
                                None => break,
                            },
                            _ = idle.tick() => if self.close_if_idle() {
                                return;
                            },
                            () = stopped.wait() => {
                                self.close();
                                return;
                            }
                        }
                    }
                }
                // The place to resume from is gone (too old, or the
                // collection was recreated): start afresh, with a resync.
                // Any other failure (no primary yet) keeps the token.
                Err(e) if resumed && history_lost(&e) => {
                    tracing::info!(error = %e, "seat change stream cannot resume; starting afresh");
                    token = None;
                    continue;
                }
                Err(e) => tracing::debug!(error = %e, "seat change stream not open"),
            }
            self.lock().open = false;
            if !stopped.sleep(RETRY).await {
                self.close();
                return;
            }
            if self.close_if_idle() {
                return;
            }
        }
    }

    fn opened(&self, change: Change) {
        let mut state = self.lock();
        state.open = true;
        for channel in state.channels.values() {
            let _nobody = channel.send(change.clone());
        }
    }

    fn publish(&self, seat: SeatDoc) {
        let state = self.lock();
        if let Some(channel) = state.channels.get(&seat.performance_id) {
            let _nobody = channel.send(Change::Seat(Arc::new(seat)));
        }
    }

    /// Forgets performances nobody watches; `true` (and the stream is to
    /// end) if that was all of them.
    fn close_if_idle(&self) -> bool {
        let mut state = self.lock();
        state.channels.retain(|_, c| c.receiver_count() > 0);
        let idle = state.channels.is_empty();
        if idle {
            state.close();
        }
        idle
    }

    fn close(&self) {
        self.lock().close();
    }
}

impl State {
    /// No task watches: watchers are let go, and the next subscriber
    /// starts a new stream.
    fn close(&mut self) {
        self.channels.clear();
        self.watching = false;
        self.open = false;
    }
}

/// Closes the feed if its watching task ends without closing it (a
/// panic, or its worker gone): orderly ends have set `watching` to false
/// already, and a newer task has another generation.
struct CloseOnDrop(Arc<Inner>, u64);

impl Drop for CloseOnDrop {
    fn drop(&mut self) {
        let mut state = self.0.lock();
        if state.watching && state.generation == self.1 {
            state.close();
        }
    }
}

/// The change stream's history no longer reaches the resume token.
fn history_lost(error: &mongodb::error::Error) -> bool {
    // ChangeStreamHistoryLost, ChangeStreamFatalError.
    matches!(&*error.kind, mongodb::error::ErrorKind::Command(c) if matches!(c.code, 280 | 286))
}
