//! The in-process read model behind the hot pages: the show list and the
//! seat maps. Snapshots live at most `ttl` (so several instances disagree
//! for at most that long). A seat change made through this instance drops
//! its performance's seat map at once, and the request that made it
//! recounts that performance's seats into the show list before answering,
//! so the change shows at once here and readers never wait for it.
//! (Reloading the whole list after every seat change, or recounting on the
//! next read, kept readers waiting 0.2-0.5 s during a sale in the 600-user
//! load test.) One request at a time refreshes a snapshot; the others wait
//! for it instead of piling onto the database.

pub mod view;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex as SyncMutex};
use std::time::{Duration, Instant};

use bson::oid::ObjectId;
use chrono::Utc;
use tokio::sync::Mutex;
pub use view::{PerformanceEntry, ShowEntry, ShowsView, performance_dto, show_dto};

use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::store::Store;
use crate::store::seats::SeatDoc;
use crate::store::shows::PerformanceDoc;

/// One cached value. A change bumps `generation`; a snapshot taken under an
/// older generation, or older than the ttl, is reloaded by the next reader.
struct Cached<T> {
    generation: AtomicU64,
    slot: Mutex<Option<Snapshot<T>>>,
}

struct Snapshot<T> {
    generation: u64,
    /// When its loading began.
    taken: Instant,
    value: Arc<T>,
}

impl<T> Default for Cached<T> {
    fn default() -> Self {
        Self {
            generation: AtomicU64::new(0),
            slot: Mutex::new(None),
        }
    }
}

impl<T> Cached<T> {
    fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    async fn get<F>(&self, ttl: Duration, counts: Counts<'_>, load: F) -> Result<Arc<T>, ApiError>
    where
        F: AsyncFnOnce() -> Result<T, ApiError>,
    {
        let arrived = Instant::now();
        let mut slot = self.slot.lock().await;
        let generation = self.generation.load(Ordering::Acquire);
        // A snapshot whose loading began after this reader arrived holds
        // every change made before the reader asked, even if later changes
        // have dropped it since: waiters take it instead of reloading one
        // after another (readers queued behind serial reloads timed out at
        // 30 s in the 600-user load test).
        if let Some(snapshot) = slot.as_ref().filter(|s| {
            s.taken >= arrived || (s.generation == generation && s.taken.elapsed() < ttl)
        }) {
            counts.0.cache_hit(counts.1);
            return Ok(Arc::clone(&snapshot.value));
        }
        counts.0.cache_miss(counts.1);
        let taken = Instant::now();
        let value = Arc::new(load().await?);
        *slot = Some(Snapshot {
            generation,
            taken,
            value: Arc::clone(&value),
        });
        Ok(value)
    }
}

/// Where a cache counts its hits and misses, under which name.
type Counts<'a> = (&'a Metrics, &'static str);

pub struct Catalogue {
    ttl: Duration,
    metrics: Metrics,
    shows: Cached<ShowsView>,
    seat_maps: SyncMutex<HashMap<ObjectId, Arc<Cached<Vec<SeatDoc>>>>>,
    performances: SyncMutex<HashMap<ObjectId, Arc<PerformanceInfo>>>,
}

/// What never changes about a performance once created: the document and
/// the price of each seat label. Cached without expiry.
pub struct PerformanceInfo {
    pub doc: PerformanceDoc,
    pub prices: HashMap<String, u32>,
}

impl Catalogue {
    pub fn new(ttl: Duration, metrics: Metrics) -> Self {
        Self {
            ttl,
            metrics,
            shows: Cached::default(),
            seat_maps: SyncMutex::new(HashMap::new()),
            performances: SyncMutex::new(HashMap::new()),
        }
    }

    /// The immutable part of a performance, or `None` if it does not exist.
    pub async fn performance(
        &self,
        store: &Store,
        id: ObjectId,
    ) -> Result<Option<Arc<PerformanceInfo>>, ApiError> {
        let known = self
            .performances
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&id)
            .cloned();
        if known.is_some() {
            self.metrics.cache_hit("performance");
            return Ok(known);
        }
        self.metrics.cache_miss("performance");
        let Some(doc) = store.performance(id).await? else {
            return Ok(None);
        };
        let prices = store.seat_prices(id).await?;
        let info = Arc::new(PerformanceInfo { doc, prices });
        self.performances
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(id, Arc::clone(&info));
        Ok(Some(info))
    }

    /// The same, with `404` when it does not exist.
    pub async fn existing_performance(
        &self,
        store: &Store,
        id: ObjectId,
    ) -> Result<Arc<PerformanceInfo>, ApiError> {
        self.performance(store, id)
            .await?
            .ok_or(ApiError::NotFound("performance"))
    }

    fn seat_map(&self, performance: ObjectId) -> Arc<Cached<Vec<SeatDoc>>> {
        let mut maps = self
            .seat_maps
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(maps.entry(performance).or_default())
    }

    /// After seats of `performance` changed through this instance: drops
    /// its seat map, and recounts its seats into the show list. Counts are
    /// read after the change, and a count only replaces one read earlier,
    /// so racing changes leave the latest. If the count cannot be read,
    /// the whole list goes instead.
    pub async fn changed(&self, store: &Store, performance: ObjectId) {
        self.seat_map(performance).invalidate();
        if self.shows.slot.lock().await.is_none() {
            // Nobody read the list yet; its first reader loads it whole.
            return;
        }
        let started = Instant::now();
        match store.seat_counts_of(Utc::now(), &[performance]).await {
            Ok(counts) => {
                let counts = counts.get(&performance).copied().unwrap_or_default();
                let mut slot = self.shows.slot.lock().await;
                if let Some(snapshot) = slot.as_mut().filter(|s| s.taken < started)
                    && let Some(view) = snapshot.value.recounted(performance, counts, started)
                {
                    snapshot.value = Arc::new(view);
                }
            }
            Err(error) => {
                tracing::warn!(%error, "recounting a performance failed; dropping the show list");
                self.shows.invalidate();
            }
        }
    }

    /// Passes on the outcome of a seat change in `performance`, first
    /// dropping what it may have made stale. A refusal changed nothing, so
    /// the losers of a rush leave the cache warm; a database error might
    /// have committed, so it drops the cache like a success.
    pub async fn settle<T>(
        &self,
        store: &Store,
        performance: ObjectId,
        outcome: Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        if may_have_changed(&outcome) {
            self.changed(store, performance).await;
        }
        outcome
    }

    /// Drops the show list (after a catalogue change).
    pub fn invalidate_shows(&self) {
        self.shows.invalidate();
    }

    /// The show list, reloaded when older than the ttl or after a
    /// catalogue change.
    pub async fn shows(&self, store: &Store) -> Result<Arc<ShowsView>, ApiError> {
        self.shows
            .get(self.ttl, (&self.metrics, "shows"), async || {
                view::load_shows(store).await
            })
            .await
    }

    pub async fn seats(
        &self,
        store: &Store,
        performance: ObjectId,
    ) -> Result<Arc<Vec<SeatDoc>>, ApiError> {
        self.seat_map(performance)
            .get(self.ttl, (&self.metrics, "seat_map"), async || {
                store.performance_seats(performance).await
            })
            .await
    }
}

/// Whether a seat change may have committed: it did, or its outcome is
/// unknown. A refusal changed nothing, so the losers of a rush leave the
/// caches warm.
fn may_have_changed<T>(outcome: &Result<T, ApiError>) -> bool {
    matches!(
        outcome,
        Ok(_) | Err(ApiError::Database(_) | ApiError::Internal(_) | ApiError::Unavailable(_))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_keep_the_caches_and_changes_or_doubts_drop_them() {
        assert!(!may_have_changed::<()>(&Err(ApiError::SeatsTaken(vec![]))));
        assert!(may_have_changed(&Ok(())));
        assert!(may_have_changed::<()>(&Err(ApiError::Internal(
            "lost".into()
        ))));
        assert!(may_have_changed::<()>(&Err(ApiError::Unavailable(
            "no primary"
        ))));
    }
}
