//! Room occupancy: minutes reserved per room and per hour of the week in
//! the room's own time zone, from approved reservations. Whole local days
//! a room has sealed come from its roll-ups (`rollup.rs`); the rest of the
//! period, from the reservations themselves (`live.rs`).

use std::collections::{BTreeMap, HashMap};

use bson::oid::ObjectId;
use bson::{Document, doc};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use futures::TryStreamExt;
use shared::{HeatCell, OccupancyReport, RoomOccupancy};

use super::days::{day_ceil, day_floor};
use super::{count, narrow};
use crate::error::ApiError;
use crate::store::{Store, to_bson_time};

/// Which rooms and which period an occupancy report covers.
#[derive(Debug, Clone)]
pub struct OccupancyFilter {
    /// Only these rooms; every room when `None`.
    pub rooms: Option<Vec<ObjectId>>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// The longest a reservation may last: one starting this long before
    /// `from` may still reach into the period.
    pub longest: Duration,
    /// Whether sealed days are read from the roll-ups (always, but for
    /// checking the roll-ups against the reservations).
    pub rolled: bool,
}

impl OccupancyFilter {
    /// Approved reservations overlapping the period, found through the
    /// `start` index (and `room_id` with rooms given).
    pub(super) fn matching(&self) -> Document {
        let mut filter = doc! {
            "start": {
                "$gte": to_bson_time(self.from - self.longest),
                "$lt": to_bson_time(self.to),
            },
            "end": { "$gt": to_bson_time(self.from) },
            "status": "approved",
        };
        if let Some(rooms) = &self.rooms {
            filter.insert("room_id", doc! { "$in": rooms });
        }
        filter
    }

    fn part(&self, rooms: Vec<ObjectId>, from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        Self {
            rooms: Some(rooms),
            from,
            to,
            ..self.clone()
        }
    }
}

/// One room's figures as they are summed: reservations, and minutes per
/// (weekday, hour).
#[derive(Debug, Default)]
pub(super) struct Tally {
    pub reservations: u64,
    pub cells: BTreeMap<(u8, u8), u64>,
}

pub(super) type Tallies = HashMap<ObjectId, Tally>;

/// A stretch of time, `[start, end)`.
type Span = (DateTime<Utc>, DateTime<Utc>);

impl Store {
    /// Occupancy of every room (or those asked for) over `filter`'s
    /// period, busiest first.
    pub async fn occupancy_report(
        &self,
        filter: &OccupancyFilter,
        now: DateTime<Utc>,
    ) -> Result<OccupancyReport, ApiError> {
        let mut rooms_query = Document::new();
        if let Some(rooms) = &filter.rooms {
            rooms_query.insert("_id", doc! { "$in": rooms });
        }
        let rooms: Vec<crate::store::rooms::RoomDoc> =
            self.rooms().find(rooms_query).await?.try_collect().await?;
        let ids: Vec<ObjectId> = rooms.iter().map(|r| r.id).collect();
        let marks: HashMap<_, _> = if filter.rolled {
            self.occupancy_marks_of(&ids).await?.into_iter().collect()
        } else {
            HashMap::new()
        };
        // Rooms whose sealed days in the period are the same are read
        // together: usually every room, as one zone's rooms share a seal.
        let mut parts: BTreeMap<Option<Span>, Vec<ObjectId>> = BTreeMap::new();
        for room in &rooms {
            let sealed = marks
                .get(&room.id)
                .filter(|mark| mark.zone == room.time_zone)
                .and_then(|mark| {
                    let zone: Tz = room.time_zone.parse().ok()?;
                    let first = day_ceil(zone, filter.from);
                    let last = mark.until.min(day_floor(zone, filter.to));
                    (first < last).then_some((first, last))
                });
            parts.entry(sealed).or_default().push(room.id);
        }
        let mut tallies = Tallies::new();
        for (sealed, ids) in parts {
            let Some((first, last)) = sealed else {
                let part = filter.part(ids, filter.from, filter.to);
                self.tally_live(&part, None, &mut tallies).await?;
                continue;
            };
            self.tally_rolled(&ids, first, last, &mut tallies).await?;
            if filter.from < first {
                let head = filter.part(ids.clone(), filter.from, first);
                self.tally_live(&head, None, &mut tallies).await?;
            }
            if last < filter.to {
                let tail = filter.part(ids, last, filter.to);
                self.tally_live(&tail, Some(last), &mut tallies).await?;
            }
        }
        let period = (filter.to - filter.from).num_minutes().max(1) as f64;
        let mut report: Vec<RoomOccupancy> = rooms
            .into_iter()
            .map(|room| {
                let tally = tallies.remove(&room.id).unwrap_or_default();
                let heatmap: Vec<HeatCell> = tally
                    .cells
                    .into_iter()
                    .filter(|(_, minutes)| *minutes > 0)
                    .map(|((weekday, hour), minutes)| HeatCell {
                        weekday,
                        hour,
                        minutes,
                    })
                    .collect();
                let minutes: u64 = heatmap.iter().map(|c| c.minutes).sum();
                RoomOccupancy {
                    room_id: room.id.to_hex().into(),
                    room_name: room.name,
                    time_zone: room.time_zone,
                    reservations: narrow(tally.reservations),
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

    /// Adds the sealed days `[first, last)` of `rooms` to `tallies`: one
    /// document per room and day with any use, summed per weekday.
    async fn tally_rolled(
        &self,
        rooms: &[ObjectId],
        first: DateTime<Utc>,
        last: DateTime<Utc>,
        tallies: &mut Tallies,
    ) -> Result<(), ApiError> {
        let mut group = doc! {
            "_id": { "room": "$room_id", "weekday": "$weekday" },
            "starts": { "$sum": "$starts" },
        };
        for hour in 0..24 {
            group.insert(format!("h{hour}"), doc! { "$sum": format!("$h{hour}") });
        }
        let pipeline = vec![
            doc! { "$match": {
                "room_id": { "$in": rooms },
                "start": { "$gte": to_bson_time(first), "$lt": to_bson_time(last) },
            } },
            doc! { "$group": group },
        ];
        let mut cursor = self.occupancy_days().aggregate(pipeline).await?;
        while let Some(row) = cursor.try_next().await? {
            let Ok(key) = row.get_document("_id") else {
                continue;
            };
            let Ok(room) = key.get_object_id("room") else {
                continue;
            };
            let weekday = u8::try_from(count(key, "weekday")).unwrap_or(0);
            let tally = tallies.entry(room).or_default();
            tally.reservations += count(&row, "starts");
            for hour in 0..24u8 {
                let minutes = count(&row, &format!("h{hour}"));
                if minutes > 0 {
                    *tally.cells.entry((weekday, hour)).or_default() += minutes;
                }
            }
        }
        Ok(())
    }
}
