//! Room occupancy: minutes reserved per room and per hour of the week in
//! the room's own time zone, from approved reservations found by start.

use std::collections::HashMap;

use bson::oid::ObjectId;
use bson::{Document, doc};
use chrono::{DateTime, Duration, Utc};
use futures::TryStreamExt;
use shared::{HeatCell, OccupancyReport, RoomOccupancy};

use super::{count, narrow};
use crate::error::ApiError;
use crate::store::{Store, to_bson_time};

const HOUR_MS: i64 = 3_600_000;

/// Which rooms and which period an occupancy report covers.
#[derive(Debug, Clone)]
pub struct OccupancyFilter {
    pub room: Option<ObjectId>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// The longest a reservation may last: one starting this long before
    /// `from` may still reach into the period.
    pub longest: Duration,
}

impl OccupancyFilter {
    /// Approved reservations overlapping the period, found through the
    /// `start` index (and `room_id` with one room).
    fn matching(&self) -> Document {
        let mut filter = doc! {
            "start": {
                "$gte": to_bson_time(self.from - self.longest),
                "$lt": to_bson_time(self.to),
            },
            "end": { "$gt": to_bson_time(self.from) },
            "status": "approved",
        };
        if let Some(room) = self.room {
            filter.insert("room_id", room);
        }
        filter
    }
}

impl Store {
    /// Occupancy of every room (or one) over `filter`'s period, busiest
    /// first.
    pub async fn occupancy_report(
        &self,
        filter: &OccupancyFilter,
        now: DateTime<Utc>,
    ) -> Result<OccupancyReport, ApiError> {
        let mut rooms_query = Document::new();
        if let Some(room) = filter.room {
            rooms_query.insert("_id", room);
        }
        let rooms: Vec<crate::store::rooms::RoomDoc> =
            self.rooms().find(rooms_query).await?.try_collect().await?;
        let counts = self.reservation_counts(filter).await?;
        let cells = self.heat_cells(filter).await?;
        let period = (filter.to - filter.from).num_minutes().max(1) as f64;
        let mut report: Vec<RoomOccupancy> = rooms
            .into_iter()
            .map(|room| {
                let mut heatmap = cells.get(&room.id).cloned().unwrap_or_default();
                heatmap.sort_by_key(|c| (c.weekday, c.hour));
                let minutes: u64 = heatmap.iter().map(|c| c.minutes).sum();
                RoomOccupancy {
                    room_id: room.id.to_hex().into(),
                    room_name: room.name,
                    time_zone: room.time_zone,
                    reservations: counts.get(&room.id).copied().unwrap_or(0),
                    minutes,
                    share: minutes as f64 / period,
                    heatmap,
                    no_shows: None,
                }
            })
            .collect();
        report.sort_by(|a, b| {
            b.minutes
                .cmp(&a.minutes)
                .then_with(|| a.room_name.cmp(&b.room_name))
        });
        Ok(OccupancyReport {
            from: filter.from,
            to: filter.to,
            rooms: report,
            generated_at: now,
        })
    }

    async fn reservation_counts(
        &self,
        filter: &OccupancyFilter,
    ) -> Result<HashMap<ObjectId, u32>, ApiError> {
        let pipeline = vec![
            doc! { "$match": filter.matching() },
            doc! { "$group": { "_id": "$room_id", "n": { "$sum": 1 } } },
        ];
        let mut counts = HashMap::new();
        let mut cursor = self.reservations().aggregate(pipeline).await?;
        while let Some(row) = cursor.try_next().await? {
            if let Ok(room) = row.get_object_id("_id") {
                counts.insert(room, narrow(count(&row, "n")));
            }
        }
        Ok(counts)
    }

    /// Each reservation, cut to the period, spread over the local hours
    /// it touches (an hour is the room's own, whatever its offset), then
    /// summed per room, weekday and hour. One pipeline per time zone the
    /// reservations were made in: the zone is then a constant, which every
    /// server takes (SecantusDB does not take a zone from a field).
    async fn heat_cells(
        &self,
        filter: &OccupancyFilter,
    ) -> Result<HashMap<ObjectId, Vec<HeatCell>>, ApiError> {
        let zones = self
            .reservations()
            .distinct("time_zone", filter.matching())
            .await?;
        let mut cells: HashMap<ObjectId, Vec<HeatCell>> = HashMap::new();
        for zone in zones {
            let Some(zone) = zone.as_str() else {
                continue;
            };
            self.heat_cells_in(filter, zone, &mut cells).await?;
        }
        Ok(cells)
    }

    async fn heat_cells_in(
        &self,
        filter: &OccupancyFilter,
        zone: &str,
        cells: &mut HashMap<ObjectId, Vec<HeatCell>>,
    ) -> Result<(), ApiError> {
        let (from, to) = (filter.from.timestamp_millis(), filter.to.timestamp_millis());
        let mut matching = filter.matching();
        matching.insert("time_zone", zone);
        // Times as milliseconds since the epoch: plain numbers add and
        // subtract on every server (SecantusDB does no date arithmetic).
        let local = |part: &str, millis: &str| {
            doc! { part: { "date": { "$toDate": millis }, "timezone": zone } }
        };
        let pipeline = vec![
            doc! { "$match": matching },
            doc! { "$project": {
                "room_id": 1,
                "s": { "$max": [{ "$toLong": "$start" }, from] },
                "e": { "$min": [{ "$toLong": "$end" }, to] },
            } },
            // The local hour `s` falls in began its minutes, seconds and
            // milliseconds earlier.
            doc! { "$set": {
                "first": { "$subtract": ["$s", { "$add": [
                    { "$multiply": [local("$minute", "$s"), 60_000] },
                    { "$multiply": [local("$second", "$s"), 1_000] },
                    local("$millisecond", "$s"),
                ] }] },
            } },
            doc! { "$set": {
                "slot": { "$map": {
                    "input": { "$range": [0, { "$toInt": { "$ceil": {
                        "$divide": [{ "$subtract": ["$e", "$first"] }, HOUR_MS],
                    } } }] },
                    "as": "i",
                    "in": { "$add": ["$first", { "$multiply": ["$$i", HOUR_MS] }] },
                } },
            } },
            doc! { "$unwind": "$slot" },
            doc! { "$project": {
                "room_id": 1,
                "minutes": { "$divide": [
                    { "$subtract": [
                        { "$min": ["$e", { "$add": ["$slot", HOUR_MS] }] },
                        { "$max": ["$s", "$slot"] },
                    ] },
                    60_000,
                ] },
                "weekday": local("$isoDayOfWeek", "$slot"),
                "hour": local("$hour", "$slot"),
            } },
            doc! { "$match": { "minutes": { "$gt": 0 } } },
            doc! { "$group": {
                "_id": { "room": "$room_id", "weekday": "$weekday", "hour": "$hour" },
                "minutes": { "$sum": "$minutes" },
            } },
        ];
        let mut cursor = self.reservations().aggregate(pipeline).await?;
        while let Some(row) = cursor.try_next().await? {
            let Ok(key) = row.get_document("_id") else {
                continue;
            };
            let Ok(room) = key.get_object_id("room") else {
                continue;
            };
            cells.entry(room).or_default().push(HeatCell {
                weekday: u8::try_from(count(key, "weekday")).unwrap_or(0),
                hour: u8::try_from(count(key, "hour")).unwrap_or(0),
                minutes: count(&row, "minutes"),
            });
        }
        Ok(())
    }
}
