//! The show list as of one moment: every show with its performances and
//! their seat counts, built from the database and patched in place when
//! seats of one performance change.

use std::collections::HashMap;
use std::time::Instant;

use bson::oid::ObjectId;
use chrono::Utc;
use shared::{Availability, Performance, PerformanceId, Show, ShowId, VenueId};

use crate::error::ApiError;
use crate::store::Store;
use crate::store::shows::{PerformanceDoc, SeatCounts, ShowDoc};

/// Every show with its performances and seat counts, as of one moment.
#[derive(Clone)]
pub struct ShowsView {
    /// Newest first.
    pub latest: Vec<ShowEntry>,
    /// Indexes into `latest`, most booked seats first.
    pub popular: Vec<usize>,
    by_show: HashMap<ObjectId, usize>,
    by_performance: HashMap<ObjectId, (usize, usize)>,
}

#[derive(Clone)]
pub struct ShowEntry {
    pub id: ObjectId,
    pub show: Show,
    pub performances: Vec<PerformanceEntry>,
}

#[derive(Clone)]
pub struct PerformanceEntry {
    pub doc: PerformanceDoc,
    pub dto: Performance,
    /// When its counts were read, if after the view's load.
    counted: Option<Instant>,
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
/// A cancelled one has no seat left for sale (and is not sold out).
pub fn performance_dto(doc: &PerformanceDoc, counts: SeatCounts) -> Performance {
    let mut seats = availability(doc.total_seats, counts);
    if doc.cancelled_at.is_some() {
        seats.remaining_seats = 0;
        seats.sold_out = false;
    }
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
        availability: seats,
        cancelled_at: doc.cancelled_at.map(|t| t.to_chrono()),
        cancel_reason: doc
            .cancelled_at
            .map(|_| doc.cancel_reason.clone().unwrap_or_default()),
    }
}

pub async fn load_shows(store: &Store) -> Result<ShowsView, ApiError> {
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
        let cheapest = doc
            .cancelled_at
            .is_none()
            .then(|| doc.prices.values().min().copied())
            .flatten();
        entry.show.min_price = match (entry.show.min_price, cheapest) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        by_performance.insert(doc.id, (show_index, entry.performances.len()));
        entry.performances.push(PerformanceEntry {
            doc,
            dto,
            counted: None,
        });
    }
    for entry in &mut latest {
        entry.sum_up();
    }
    let popular = popular(&latest);
    Ok(ShowsView {
        latest,
        popular,
        by_show,
        by_performance,
    })
}

/// Indexes into `latest`, most booked seats first.
fn popular(latest: &[ShowEntry]) -> Vec<usize> {
    let mut popular: Vec<usize> = (0..latest.len()).collect();
    popular.sort_by(|&a, &b| {
        latest[b]
            .show
            .availability
            .booked_seats
            .cmp(&latest[a].show.availability.booked_seats)
            .then(a.cmp(&b))
    });
    popular
}

impl ShowEntry {
    /// The show's availability: its performances' added up.
    fn sum_up(&mut self) {
        let mut sum = Availability::default();
        // A cancelled performance sells nothing.
        for p in self
            .performances
            .iter()
            .filter(|p| p.doc.cancelled_at.is_none())
        {
            sum.total_seats += p.dto.availability.total_seats;
            sum.remaining_seats += p.dto.availability.remaining_seats;
            sum.booked_seats += p.dto.availability.booked_seats;
        }
        sum.sold_out = sum.total_seats > 0 && sum.remaining_seats == 0;
        self.show.availability = sum;
    }
}

impl ShowsView {
    /// This view with `performance`'s seats counted as `counts`, read at
    /// `at`; `None` if the view has no such performance or counts read
    /// later than `at`.
    pub fn recounted(
        &self,
        performance: ObjectId,
        counts: SeatCounts,
        at: Instant,
    ) -> Option<ShowsView> {
        let &(s, p) = self.by_performance.get(&performance)?;
        if self.latest[s].performances[p]
            .counted
            .is_some_and(|c| c >= at)
        {
            return None;
        }
        let mut view = self.clone();
        let entry = &mut view.latest[s].performances[p];
        entry.dto = performance_dto(&entry.doc, counts);
        entry.counted = Some(at);
        view.latest[s].sum_up();
        view.popular = popular(&view.latest);
        Some(view)
    }
}
