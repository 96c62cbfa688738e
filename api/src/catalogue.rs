//! The in-process read model behind the hot pages: the show list and the
//! seat maps. Snapshots live at most `ttl` (so several instances disagree
//! for at most that long), and a seat change made through this instance
//! drops the affected snapshots at once. One request at a time refreshes a
//! snapshot; the others wait for it instead of piling onto the database.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex as SyncMutex};
use std::time::{Duration, Instant};

use bson::oid::ObjectId;
use chrono::Utc;
use shared::{Availability, Performance, PerformanceId, Show, ShowId, VenueId};
use tokio::sync::Mutex;

use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::store::Store;
use crate::store::seats::SeatDoc;
use crate::store::shows::{PerformanceDoc, SeatCounts, ShowDoc};

/// One cached value. A change bumps `generation`; a snapshot taken under an
/// older generation, or older than the ttl, is reloaded by the next reader.
struct Cached<T> {
    generation: AtomicU64,
    slot: Mutex<Option<Snapshot<T>>>,
}

struct Snapshot<T> {
    generation: u64,
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
        // after another (during a sale every seat change drops the show
        // list, and readers queued behind serial reloads timed out at 30 s
        // in the 600-user load test).
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

/// Every show with its performances and seat counts, as of one moment.
pub struct ShowsView {
    /// Newest first.
    pub latest: Vec<ShowEntry>,
    /// Indexes into `latest`, most booked seats first.
    pub popular: Vec<usize>,
    by_show: HashMap<ObjectId, usize>,
    by_performance: HashMap<ObjectId, (usize, usize)>,
}

pub struct ShowEntry {
    pub id: ObjectId,
    pub show: Show,
    pub performances: Vec<PerformanceEntry>,
}

pub struct PerformanceEntry {
    pub doc: PerformanceDoc,
    pub dto: Performance,
}

impl ShowsView {
    pub fn show(&self, id: ObjectId) -> Option<&ShowEntry> {
        self.by_show.get(&id).map(|&i| &self.latest[i])
    }

    pub fn performance(&self, id: ObjectId) -> Option<&PerformanceEntry> {
        self.by_performance
            .get(&id)
            .map(|&(s, p)| &self.latest[s].performances[p])
    }
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

    fn seat_map(&self, performance: ObjectId) -> Arc<Cached<Vec<SeatDoc>>> {
        let mut maps = self
            .seat_maps
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(maps.entry(performance).or_default())
    }

    /// Drops what a seat change in `performance` made stale.
    pub fn invalidate(&self, performance: ObjectId) {
        self.seat_map(performance).invalidate();
        self.shows.invalidate();
    }

    /// Passes on the outcome of a seat change in `performance`, first
    /// dropping what it may have made stale. A refusal changed nothing, so
    /// the losers of a rush leave the cache warm; a database error might
    /// have committed, so it drops the cache like a success.
    pub fn settle<T>(
        &self,
        performance: ObjectId,
        outcome: Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        if matches!(
            outcome,
            Ok(_) | Err(ApiError::Database(_) | ApiError::Internal(_) | ApiError::Unavailable(_))
        ) {
            self.invalidate(performance);
        }
        outcome
    }

    /// Drops the show list (after a catalogue change).
    pub fn invalidate_shows(&self) {
        self.shows.invalidate();
    }

    pub async fn shows(&self, store: &Store) -> Result<Arc<ShowsView>, ApiError> {
        self.shows
            .get(self.ttl, (&self.metrics, "shows"), async || {
                load_shows(store).await
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

fn availability(total: u32, counts: SeatCounts) -> Availability {
    let remaining = total.saturating_sub(counts.busy);
    Availability {
        total_seats: total,
        remaining_seats: remaining,
        booked_seats: counts.booked,
        sold_out: total > 0 && remaining == 0,
    }
}

/// A show as clients see it, before its performances are counted in.
pub fn show_dto(doc: ShowDoc) -> Show {
    Show {
        id: ShowId(doc.id.to_hex()),
        title: doc.title,
        poster_url: doc.poster_url,
        description: doc.description,
        location: doc.location,
        running_minutes: doc.running_minutes,
        created_at: doc.created_at.to_chrono(),
        min_price: None,
        availability: Availability::default(),
        booked_by_me: None,
    }
}

/// A performance as clients see it, with `counts` of its taken seats.
pub fn performance_dto(doc: &PerformanceDoc, counts: SeatCounts) -> Performance {
    Performance {
        id: PerformanceId(doc.id.to_hex()),
        show_id: ShowId(doc.show_id.to_hex()),
        show_title: doc.show_title.clone(),
        venue_id: VenueId(doc.venue_id.to_hex()),
        venue_name: doc.venue_name.clone(),
        time_zone: doc.time_zone.clone(),
        starts_at: doc.starts_at.to_chrono(),
        ends_at: doc.ends_at.to_chrono(),
        sale_opens_at: doc.sale_opens_at.to_chrono(),
        prices: doc.prices.clone(),
        availability: availability(doc.total_seats, counts),
    }
}

async fn load_shows(store: &Store) -> Result<ShowsView, ApiError> {
    let now = Utc::now();
    let (shows, performances, counts) = futures::try_join!(
        store.all_shows(),
        store.all_performances(),
        store.seat_counts(now),
    )?;
    let mut by_show: HashMap<ObjectId, usize> = HashMap::new();
    let mut latest: Vec<ShowEntry> = shows
        .into_iter()
        .enumerate()
        .map(|(i, doc)| {
            by_show.insert(doc.id, i);
            ShowEntry {
                id: doc.id,
                show: show_dto(doc),
                performances: Vec::new(),
            }
        })
        .collect();
    let mut by_performance = HashMap::new();
    for doc in performances {
        let Some(&show_index) = by_show.get(&doc.show_id) else {
            continue;
        };
        let counts = counts.get(&doc.id).copied().unwrap_or_default();
        let dto = performance_dto(&doc, counts);
        let entry = &mut latest[show_index];
        let sum = &mut entry.show.availability;
        sum.total_seats += dto.availability.total_seats;
        sum.remaining_seats += dto.availability.remaining_seats;
        sum.booked_seats += dto.availability.booked_seats;
        sum.sold_out = sum.total_seats > 0 && sum.remaining_seats == 0;
        let cheapest = doc.prices.values().min().copied();
        entry.show.min_price = match (entry.show.min_price, cheapest) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        by_performance.insert(doc.id, (show_index, entry.performances.len()));
        entry.performances.push(PerformanceEntry { doc, dto });
    }
    let mut popular: Vec<usize> = (0..latest.len()).collect();
    popular.sort_by(|&a, &b| {
        latest[b]
            .show
            .availability
            .booked_seats
            .cmp(&latest[a].show.availability.booked_seats)
            .then(a.cmp(&b))
    });
    Ok(ShowsView {
        latest,
        popular,
        by_show,
        by_performance,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generations(catalogue: &Catalogue, performance: ObjectId) -> (u64, u64) {
        (
            catalogue.shows.generation.load(Ordering::Acquire),
            catalogue
                .seat_map(performance)
                .generation
                .load(Ordering::Acquire),
        )
    }

    #[test]
    fn refusals_keep_the_cache_and_changes_drop_it() {
        let catalogue = Catalogue::new(Duration::from_secs(60), Metrics::new().unwrap());
        let id = ObjectId::new();

        let refused: Result<(), _> = catalogue.settle(id, Err(ApiError::SeatsTaken(vec![])));
        assert!(refused.is_err());
        assert_eq!(
            generations(&catalogue, id),
            (0, 0),
            "a refusal changed nothing"
        );
        catalogue.settle(id, Ok(())).unwrap();
        assert_eq!(generations(&catalogue, id), (1, 1));
        let unsure: Result<(), _> = catalogue.settle(id, Err(ApiError::Internal("lost".into())));
        assert!(unsure.is_err());
        assert_eq!(generations(&catalogue, id), (2, 2), "it may have committed");
    }
}
