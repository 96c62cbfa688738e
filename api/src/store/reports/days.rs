//! Local days and hours of a time zone, and how much of each hour a set of
//! reservations took: the arithmetic of the occupancy roll-ups, kept apart
//! from the database so it can be tested on its own.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

/// How one local day of one room was used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayUse {
    /// The day's first instant (its local midnight, or the first instant
    /// after it where midnight does not exist).
    pub start: DateTime<Utc>,
    /// 1 (Monday) to 7 (Sunday).
    pub weekday: u8,
    /// Reservations that start in the day.
    pub starts: u32,
    /// Minutes reserved in each local hour (0 to 23) of the day. A
    /// daylight-saving day with an hour twice counts both in that hour.
    pub minutes: [u64; 24],
}

/// The first instant of `date` in `zone`.
pub fn day_start(zone: Tz, date: NaiveDate) -> DateTime<Utc> {
    let midnight = date.and_time(NaiveTime::MIN);
    // Where a zone skips midnight (a daylight-saving change at 00:00), the
    // day starts at the first local time that exists.
    (0..4)
        .find_map(|h| {
            zone.from_local_datetime(&(midnight + Duration::hours(h)))
                .earliest()
        })
        .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
}

/// The start of the local day `t` falls in.
pub fn day_floor(zone: Tz, t: DateTime<Utc>) -> DateTime<Utc> {
    let start = day_start(zone, t.with_timezone(&zone).date_naive());
    if start <= t {
        start
    } else {
        day_start(
            zone,
            t.with_timezone(&zone)
                .date_naive()
                .pred_opt()
                .unwrap_or(NaiveDate::MIN),
        )
    }
}

/// The first local day start at or after `t`.
pub fn day_ceil(zone: Tz, t: DateTime<Utc>) -> DateTime<Utc> {
    let floor = day_floor(zone, t);
    if floor == t {
        return t;
    }
    let next = t
        .with_timezone(&zone)
        .date_naive()
        .succ_opt()
        .unwrap_or(NaiveDate::MAX);
    day_start(zone, next)
}

/// The use of each local day of `[from, to)` by `reservations` (start,
/// end): minutes per local hour, cut to the period, and the reservations
/// starting in each day. Only days with either.
pub fn day_uses(
    zone: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    reservations: &[(DateTime<Utc>, DateTime<Utc>)],
) -> Vec<DayUse> {
    let mut days: BTreeMap<NaiveDate, DayUse> = BTreeMap::new();
    for &(start, end) in reservations {
        if start >= from && start < to {
            day(&mut days, zone, start.with_timezone(&zone).date_naive()).starts += 1;
        }
        let mut at = start.max(from);
        let end = end.min(to);
        while at < end {
            let local = at.with_timezone(&zone);
            // The local hour `at` falls in began its minutes, seconds and
            // nanoseconds earlier (a half-hour zone's hours too).
            let hour_began = at
                - Duration::minutes(i64::from(local.minute()))
                - Duration::seconds(i64::from(local.second()))
                - Duration::nanoseconds(i64::from(local.nanosecond()));
            let until = (hour_began + Duration::hours(1)).min(end);
            let minutes = u64::try_from((until - at).num_milliseconds() / 60_000).unwrap_or(0);
            let hour = usize::try_from(local.hour()).unwrap_or(0).min(23);
            day(&mut days, zone, local.date_naive()).minutes[hour] += minutes;
            at = until;
        }
    }
    days.into_values().collect()
}

fn day(days: &mut BTreeMap<NaiveDate, DayUse>, zone: Tz, date: NaiveDate) -> &mut DayUse {
    days.entry(date).or_insert_with(|| DayUse {
        start: day_start(zone, date),
        weekday: u8::try_from(date.weekday().number_from_monday()).unwrap_or(1),
        starts: 0,
        minutes: [0; 24],
    })
}

#[cfg(test)]
mod tests {
    use chrono_tz::America::New_York;
    use chrono_tz::Asia::Seoul;

    use super::*;

    fn at(zone: Tz, y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        zone.with_ymd_and_hms(y, m, d, h, min, 0)
            .earliest()
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_reservation_is_spread_over_the_local_hours_and_days_it_touches() {
        // 23:30 on Tuesday to 01:15 on Wednesday, in Seoul.
        let r = (
            at(Seoul, 2026, 12, 1, 23, 30),
            at(Seoul, 2026, 12, 2, 1, 15),
        );
        let from = at(Seoul, 2026, 12, 1, 0, 0);
        let days = day_uses(Seoul, from, from + Duration::days(7), &[r]);
        assert_eq!(days.len(), 2);
        assert_eq!(
            (days[0].weekday, days[0].starts, days[0].minutes[23]),
            (2, 1, 30)
        );
        assert_eq!(days[0].start, from);
        assert_eq!((days[1].weekday, days[1].starts), (3, 0));
        assert_eq!((days[1].minutes[0], days[1].minutes[1]), (60, 15));
        assert_eq!(days[1].minutes.iter().sum::<u64>(), 75);
    }

    #[test]
    fn the_period_cuts_minutes_but_counts_only_starts_inside_it() {
        let r = (at(Seoul, 2026, 12, 1, 9, 0), at(Seoul, 2026, 12, 1, 11, 0));
        let from = at(Seoul, 2026, 12, 1, 10, 0);
        let days = day_uses(Seoul, from, from + Duration::days(1), &[r]);
        assert_eq!(
            (days[0].starts, days[0].minutes[9], days[0].minutes[10]),
            (0, 0, 60)
        );
    }

    #[test]
    fn the_night_the_clocks_go_back_counts_its_repeated_hour_twice() {
        // 1 November 2026 in New York: 01:00-02:00 happens twice.
        let start = at(New_York, 2026, 11, 1, 0, 30);
        let r = (start, start + Duration::hours(3));
        let from = day_floor(New_York, start);
        let days = day_uses(New_York, from, from + Duration::days(1), &[r]);
        assert_eq!(days.len(), 1);
        assert_eq!(&days[0].minutes[0..3], &[30, 120, 30]);
        assert_eq!(days[0].weekday, 7);
    }

    #[test]
    fn day_bounds_are_local_midnights() {
        let noon = at(New_York, 2026, 3, 8, 12, 0);
        assert_eq!(day_floor(New_York, noon), at(New_York, 2026, 3, 8, 0, 0));
        assert_eq!(day_ceil(New_York, noon), at(New_York, 2026, 3, 9, 0, 0));
        let midnight = at(New_York, 2026, 3, 9, 0, 0);
        assert_eq!(day_ceil(New_York, midnight), midnight);
        assert_eq!(day_floor(New_York, midnight), midnight);
        // The day the clocks went forward had 23 hours.
        assert_eq!(
            at(New_York, 2026, 3, 9, 0, 0) - at(New_York, 2026, 3, 8, 0, 0),
            Duration::hours(23)
        );
    }
}
