//! Shows, performances and the seat counts the catalogue shows.

use std::collections::{BTreeMap, HashMap, HashSet};

use bson::oid::ObjectId;
use bson::{Document, doc};
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};

use super::indexes::{BOOKINGS, PERFORMANCES, SEATS, SHOWS};
use super::outbox::{Actor, Fact};
use super::seats::{SeatDoc, SeatStateDoc};
use super::venues::VenueDoc;
use super::{Store, to_bson_time};
use crate::domain::show::{NewPerformance, NewShow};
use crate::error::ApiError;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShowDoc {
    #[serde(rename = "_id")]
    pub id: ObjectId,
    pub title: String,
    pub poster_url: String,
    pub description: String,
    pub location: String,
    pub running_minutes: u32,
    pub created_at: bson::DateTime,
    /// Counts its changes; its events' `seq` (`store/outbox.rs`). Shows
    /// stored before it was kept had only their creation.
    #[serde(default = "first_version")]
    pub version: i64,
}

fn first_version() -> i64 {
    1
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PerformanceDoc {
    #[serde(rename = "_id")]
    pub id: ObjectId,
    pub show_id: ObjectId,
    pub show_title: String,
    pub venue_id: ObjectId,
    pub venue_name: String,
    #[serde(default = "crate::store::default_time_zone")]
    pub time_zone: String,
    pub starts_at: bson::DateTime,
    pub ends_at: bson::DateTime,
    pub sale_opens_at: bson::DateTime,
    pub prices: BTreeMap<String, u32>,
    pub total_seats: u32,
    pub created_at: bson::DateTime,
    /// Counts its changes; its events' `seq` (`store/outbox.rs`).
    #[serde(default)]
    pub version: i64,
    /// Set when cancelled (`store/cancellation.rs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_at: Option<bson::DateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_reason: Option<String>,
    /// Cancelled, and some of its bookings may not be refunded yet.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub refunds_pending: bool,
    /// The venue's tier colours when it was scheduled.
    #[serde(default)]
    pub tier_colors: BTreeMap<String, String>,
    /// Set when its bookings went to the archive (`store/archive/`); its
    /// seats are gone then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived_at: Option<bson::DateTime>,
}

/// Booked and busy (booked or actively held) seats of one performance.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeatCounts {
    pub booked: u32,
    pub busy: u32,
}

impl Store {
    pub fn shows(&self) -> mongodb::Collection<ShowDoc> {
        self.collection(SHOWS)
    }

    pub fn performances(&self) -> mongodb::Collection<PerformanceDoc> {
        self.collection(PERFORMANCES)
    }

    pub async fn insert_show(&self, show: NewShow, actor: &Actor) -> Result<ShowDoc, ApiError> {
        let doc = ShowDoc {
            id: ObjectId::new(),
            title: show.title,
            poster_url: show.poster_url,
            description: show.description,
            location: show.location,
            running_minutes: show.running_minutes,
            created_at: bson::DateTime::now(),
            version: 1,
        };
        let dto = crate::catalogue::view::show_dto(doc.clone());
        let fact = Fact::new(shared::EventType::ShowCreated, doc.id, 1, &dto)?;
        self.transaction(async |session| {
            self.shows().insert_one(&doc).session(&mut *session).await?;
            self.record_one(session, actor, fact.clone()).await
        })
        .await?;
        Ok(doc)
    }

    pub async fn show(&self, id: ObjectId) -> Result<Option<ShowDoc>, ApiError> {
        Ok(self.shows().find_one(doc! { "_id": id }).await?)
    }

    pub async fn performance(&self, id: ObjectId) -> Result<Option<PerformanceDoc>, ApiError> {
        Ok(self.performances().find_one(doc! { "_id": id }).await?)
    }

    /// Creates a performance and one seat document per seat of its venue,
    /// all or nothing.
    pub async fn insert_performance(
        &self,
        show: &ShowDoc,
        venue: ObjectId,
        performance: &NewPerformance,
        actor: &Actor,
    ) -> Result<PerformanceDoc, ApiError> {
        let performances = self.performances();
        let seat_coll = self.collection::<SeatDoc>(SEATS);
        self.transaction(async |session| {
            // The seats come from the venue as this transaction reads it,
            // and writing the venue makes it collide with a concurrent
            // change of its seats (`update_venue`): one sees the other.
            let venue = self.touch_venue(session, venue).await?;
            let (doc, seats) = scheduled(show, &venue, performance)?;
            // Every seat of a new performance is free.
            let dto = crate::catalogue::view::performance_dto(&doc, SeatCounts::default());
            let fact = Fact::new(shared::EventType::PerformanceCreated, doc.id, 1, &dto)?;
            performances.insert_one(&doc).session(&mut *session).await?;
            seat_coll.insert_many(&seats).session(&mut *session).await?;
            self.record_one(session, actor, fact).await?;
            Ok(doc)
        })
        .await
    }

    /// Every show, newest first. This and the next two are the catalogue's
    /// loads: public reads that may come from a secondary.
    pub async fn all_shows(&self) -> Result<Vec<ShowDoc>, ApiError> {
        Ok(self
            .catalogue_collection::<ShowDoc>(SHOWS)
            .find(doc! {})
            .sort(doc! { "created_at": -1, "_id": -1 })
            .await?
            .try_collect()
            .await?)
    }

    pub async fn all_performances(&self) -> Result<Vec<PerformanceDoc>, ApiError> {
        Ok(self
            .catalogue_collection::<PerformanceDoc>(PERFORMANCES)
            .find(doc! {})
            .sort(doc! { "starts_at": 1, "_id": 1 })
            .await?
            .try_collect()
            .await?)
    }

    /// Booked and busy seats per performance, counting only unexpired holds.
    /// Performances with every seat free are absent.
    pub async fn seat_counts(
        &self,
        now: DateTime<Utc>,
    ) -> Result<HashMap<ObjectId, SeatCounts>, ApiError> {
        let seats = self.catalogue_collection::<Document>(SEATS);
        count_seats(seats, doc! { "state": { "$in": ["held", "booked"] } }, now).await
    }

    /// [`Store::seat_counts`] of `performances` only, from the primary
    /// (they follow a change just made): read by the performance's index
    /// alone (see `seats::update_if`); free seats count as neither.
    pub async fn seat_counts_of(
        &self,
        now: DateTime<Utc>,
        performances: &[ObjectId],
    ) -> Result<HashMap<ObjectId, SeatCounts>, ApiError> {
        let seats = self.collection::<Document>(SEATS);
        count_seats(
            seats,
            doc! { "performance_id": { "$in": performances } },
            now,
        )
        .await
    }

    /// Shows the user holds a confirmed booking for.
    pub async fn shows_booked_by(&self, user_id: ObjectId) -> Result<HashSet<ObjectId>, ApiError> {
        let ids = self
            .collection::<Document>(BOOKINGS)
            .distinct(
                "show_id",
                doc! { "user_id": user_id, "status": "confirmed" },
            )
            .await?;
        Ok(ids.into_iter().filter_map(|b| b.as_object_id()).collect())
    }
}

async fn count_seats(
    seats: mongodb::Collection<Document>,
    matching: Document,
    now: DateTime<Utc>,
) -> Result<HashMap<ObjectId, SeatCounts>, ApiError> {
    let now = to_bson_time(now);
    let pipeline = vec![
        doc! { "$match": matching },
        doc! { "$project": {
            "performance_id": 1,
            "booked": { "$cond": [{ "$eq": ["$state", "booked"] }, 1, 0] },
            "busy": { "$cond": [
                { "$or": [
                    { "$eq": ["$state", "booked"] },
                    { "$gt": ["$hold_expires_at", now] },
                ] },
                1,
                0,
            ] },
        } },
        doc! { "$group": {
            "_id": "$performance_id",
            "booked": { "$sum": "$booked" },
            "busy": { "$sum": "$busy" },
        } },
    ];
    let mut cursor = seats.aggregate(pipeline).await?;
    let mut counts = HashMap::new();
    while let Some(row) = cursor.try_next().await? {
        let id = row
            .get_object_id("_id")
            .map_err(|e| ApiError::Internal(format!("seat count row: {e}")))?;
        let number = |key: &str| -> u32 {
            row.get_i32(key)
                .map(|n| n.max(0) as u32)
                .or_else(|_| row.get_i64(key).map(|n| n.max(0) as u32))
                .unwrap_or(0)
        };
        counts.insert(
            id,
            SeatCounts {
                booked: number("booked"),
                busy: number("busy"),
            },
        );
    }
    Ok(counts)
}

/// A new performance of `show` at `venue` and its seats, one per seat of
/// the venue's map, each priced by its tier.
fn scheduled(
    show: &ShowDoc,
    venue: &VenueDoc,
    performance: &NewPerformance,
) -> Result<(PerformanceDoc, Vec<SeatDoc>), ApiError> {
    let layout = venue.layout()?;
    let mut priced: Vec<&String> = performance.prices.keys().collect();
    let mut tiers: Vec<&String> = layout.tiers.iter().collect();
    priced.sort();
    tiers.sort();
    if priced != tiers {
        return Err(ApiError::Unacceptable {
            field: "prices".into(),
            message: format!(
                "the venue's tiers changed meanwhile; they are now {}",
                layout.tiers.join(", ")
            ),
        });
    }
    let doc = PerformanceDoc {
        id: ObjectId::new(),
        show_id: show.id,
        show_title: show.title.clone(),
        venue_id: venue.id,
        venue_name: venue.name.clone(),
        time_zone: venue.time_zone.clone(),
        starts_at: to_bson_time(performance.starts_at),
        ends_at: to_bson_time(
            performance.starts_at + chrono::Duration::minutes(i64::from(show.running_minutes)),
        ),
        sale_opens_at: to_bson_time(performance.sale_opens_at),
        prices: performance.prices.clone(),
        total_seats: layout.seats.len() as u32,
        created_at: bson::DateTime::now(),
        version: 1,
        cancelled_at: None,
        cancel_reason: None,
        refunds_pending: false,
        tier_colors: layout.tier_colors.clone(),
        archived_at: None,
    };
    let seats = layout
        .seats
        .iter()
        .enumerate()
        .map(|(position, seat)| SeatDoc {
            id: ObjectId::new(),
            performance_id: doc.id,
            label: seat.label.clone(),
            position: position as u32,
            section: seat.section.clone(),
            row: seat.row.clone(),
            number: seat.number,
            tier: seat.tier.clone(),
            price: performance
                .prices
                .get(&seat.tier)
                .copied()
                .unwrap_or_default(),
            state: SeatStateDoc::Available,
            holder: None,
            hold_id: None,
            hold_expires_at: None,
            booking_id: None,
            closed: false,
            gap_after: seat.gap_after,
        })
        .collect();
    Ok((doc, seats))
}
