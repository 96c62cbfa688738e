//! Occupancy read straight from the reservations: each approved
//! reservation overlapping the period, cut to it and spread over the
//! local hours it touches.

use bson::doc;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;

use super::count;
use super::occupancy::{OccupancyFilter, Tallies};
use crate::error::ApiError;
use crate::store::{Store, to_bson_time};

const HOUR_MS: i64 = 3_600_000;

impl Store {
    /// Adds `filter`'s reservations to `tallies`: their minutes inside the
    /// period, and a count of them (only those starting at or after
    /// `counted_from` when given, as the days before it are counted
    /// elsewhere).
    pub(super) async fn tally_live(
        &self,
        filter: &OccupancyFilter,
        counted_from: Option<DateTime<Utc>>,
        tallies: &mut Tallies,
    ) -> Result<(), ApiError> {
        let mut counted = filter.matching();
        if let Some(from) = counted_from {
            counted.insert(
                "start",
                doc! { "$gte": to_bson_time(from), "$lt": to_bson_time(filter.to) },
            );
        }
        let pipeline = vec![
            doc! { "$match": counted },
            doc! { "$group": { "_id": "$room_id", "n": { "$sum": 1 } } },
        ];
        let mut cursor = self.reservations().aggregate(pipeline).await?;
        while let Some(row) = cursor.try_next().await? {
            if let Ok(room) = row.get_object_id("_id") {
                tallies.entry(room).or_default().reservations += count(&row, "n");
            }
        }
        // One pipeline per time zone the reservations were made in: the
        // zone is then a constant, which every server takes (SecantusDB
        // does not take a zone from a field).
        let zones = self
            .reservations()
            .distinct("time_zone", filter.matching())
            .await?;
        for zone in zones {
            if let Some(zone) = zone.as_str() {
                self.heat_cells_in(filter, zone, tallies).await?;
            }
        }
        Ok(())
    }

    /// Each reservation made in `zone`, cut to the period, spread over the
    /// local hours it touches (an hour is the room's own, whatever its
    /// offset), then summed per room, weekday and hour.
    async fn heat_cells_in(
        &self,
        filter: &OccupancyFilter,
        zone: &str,
        tallies: &mut Tallies,
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
            let cell = (
                u8::try_from(count(key, "weekday")).unwrap_or(0),
                u8::try_from(count(key, "hour")).unwrap_or(0),
            );
            *tallies
                .entry(room)
                .or_default()
                .cells
                .entry(cell)
                .or_default() += count(&row, "minutes");
        }
        Ok(())
    }
}
