//! Sales figures: performances by show or start, seats by performance,
//! bookings by performance.

use std::collections::HashMap;

use bson::oid::ObjectId;
use bson::{Document, doc};
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use shared::{Bucket, PerformanceSales, SalesPoint, SalesReport};

use super::{by_show, count, narrow};
use crate::error::ApiError;
use crate::store::shows::PerformanceDoc;
use crate::store::{Store, to_bson_time};

/// Most performances one report covers; a wider one is narrowed first.
pub const MAX_PERFORMANCES: usize = 2_000;

/// Which performances a sales report covers.
#[derive(Debug, Clone, Default)]
pub struct SalesFilter {
    pub show: Option<ObjectId>,
    /// Performances starting in `[from, to)`.
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// Money of one performance's bookings.
#[derive(Debug, Default, Clone, Copy)]
struct MoneyTally {
    revenue: u64,
    refunded: u64,
}

impl Store {
    /// The sales report of the performances `filter` names, as stored at
    /// `now`, with a timeline cut in `bucket`s in `time_zone`.
    pub async fn sales_report(
        &self,
        filter: &SalesFilter,
        bucket: Bucket,
        now: DateTime<Utc>,
    ) -> Result<SalesReport, ApiError> {
        let performances = self.report_performances(filter).await?;
        let ids: Vec<ObjectId> = performances.iter().map(|p| p.id).collect();
        // The same counts the show list uses: unexpired holds only.
        let seats = self.seat_counts_of(now, &ids).await?;
        let money = self.money_tallies(&ids).await?;
        let time_zone = performances
            .first()
            .map_or_else(crate::store::default_time_zone, |p| p.time_zone.clone());
        let timeline = self.sales_timeline(&ids, bucket, &time_zone).await?;
        let rows: Vec<PerformanceSales> = performances
            .iter()
            .map(|p| {
                let s = seats.get(&p.id).copied().unwrap_or_default();
                let held = s.busy.saturating_sub(s.booked);
                let m = money.get(&p.id).copied().unwrap_or_default();
                PerformanceSales {
                    performance_id: p.id.to_hex().into(),
                    show_id: p.show_id.to_hex().into(),
                    show_title: p.show_title.clone(),
                    venue_name: p.venue_name.clone(),
                    starts_at: p.starts_at.to_chrono(),
                    time_zone: p.time_zone.clone(),
                    seats: p.total_seats,
                    sold: s.booked,
                    held,
                    free: p.total_seats.saturating_sub(s.busy),
                    revenue: m.revenue,
                    refunded: m.refunded,
                }
            })
            .collect();
        Ok(SalesReport {
            shows: by_show(&rows),
            performances: rows,
            bucket,
            time_zone,
            timeline,
            generated_at: now,
        })
    }

    async fn report_performances(
        &self,
        filter: &SalesFilter,
    ) -> Result<Vec<PerformanceDoc>, ApiError> {
        let mut query = Document::new();
        if let Some(show) = filter.show {
            query.insert("show_id", show);
        }
        let mut starts = Document::new();
        if let Some(from) = filter.from {
            starts.insert("$gte", to_bson_time(from));
        }
        if let Some(to) = filter.to {
            starts.insert("$lt", to_bson_time(to));
        }
        if !starts.is_empty() {
            query.insert("starts_at", starts);
        }
        let found: Vec<PerformanceDoc> = self
            .performances()
            .find(query)
            .sort(doc! { "starts_at": 1, "_id": 1 })
            .limit(MAX_PERFORMANCES as i64 + 1)
            .await?
            .try_collect()
            .await?;
        if found.len() > MAX_PERFORMANCES {
            return Err(ApiError::unacceptable(
                "from",
                format!(
                    "the report would cover more than {MAX_PERFORMANCES} performances; \
                     narrow it with show_id, from and to"
                ),
            ));
        }
        Ok(found)
    }

    /// Points paid for standing bookings and refunded for cancelled ones.
    async fn money_tallies(
        &self,
        ids: &[ObjectId],
    ) -> Result<HashMap<ObjectId, MoneyTally>, ApiError> {
        let pipeline = vec![
            doc! { "$match": { "performance_id": { "$in": ids.to_vec() } } },
            doc! { "$group": {
                "_id": "$performance_id",
                "revenue": { "$sum": { "$cond": [
                    { "$eq": ["$status", "confirmed"] }, "$total", 0,
                ] } },
                "refunded": { "$sum": { "$ifNull": ["$refunded", 0] } },
            } },
        ];
        let mut tallies = HashMap::new();
        let mut cursor = self.bookings().aggregate(pipeline).await?;
        while let Some(row) = cursor.try_next().await? {
            let Ok(id) = row.get_object_id("_id") else {
                continue;
            };
            tallies.insert(
                id,
                MoneyTally {
                    revenue: count(&row, "revenue"),
                    refunded: count(&row, "refunded"),
                },
            );
        }
        Ok(tallies)
    }

    /// Seats sold and cancelled per step, cut in `time_zone`.
    async fn sales_timeline(
        &self,
        ids: &[ObjectId],
        bucket: Bucket,
        time_zone: &str,
    ) -> Result<Vec<SalesPoint>, ApiError> {
        let unit = match bucket {
            Bucket::Hour => "hour",
            Bucket::Day => "day",
        };
        let step = |field: &str| {
            doc! { "$dateTrunc": { "date": format!("${field}"), "unit": unit, "timezone": time_zone } }
        };
        // Each booking counts once where it was made and, if cancelled,
        // once more where it was cancelled.
        let pipeline = vec![
            doc! { "$match": { "performance_id": { "$in": ids.to_vec() } } },
            doc! { "$project": {
                "events": { "$concatArrays": [
                    [{ "at": step("created_at"), "sold": { "$size": "$seats" },
                       "paid": "$total", "cancelled": 0 }],
                    { "$cond": [
                        { "$eq": ["$status", "cancelled"] },
                        [{ "at": step("cancelled_at"), "sold": 0, "paid": 0,
                           "cancelled": { "$size": "$seats" } }],
                        [],
                    ] },
                ] },
            } },
            doc! { "$unwind": "$events" },
            doc! { "$match": { "events.at": { "$ne": null } } },
            doc! { "$group": {
                "_id": "$events.at",
                "sold": { "$sum": "$events.sold" },
                "paid": { "$sum": "$events.paid" },
                "cancelled": { "$sum": "$events.cancelled" },
            } },
            doc! { "$sort": { "_id": 1 } },
        ];
        let mut points = Vec::new();
        let mut cursor = self.bookings().aggregate(pipeline).await?;
        while let Some(row) = cursor.try_next().await? {
            let Ok(at) = row.get_datetime("_id") else {
                continue;
            };
            points.push(SalesPoint {
                at: at.to_chrono(),
                seats_sold: narrow(count(&row, "sold")),
                revenue: count(&row, "paid"),
                seats_cancelled: narrow(count(&row, "cancelled")),
            });
        }
        Ok(points)
    }
}
