//! Dates and times through the browser's `Intl`, so no time-zone database
//! ships in the .wasm. Rooms and venues have an IANA zone; reservations,
//! performances and bookings are instants shown in their place's zone.
//! Calendar arithmetic on local dates uses chrono's naive types.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use js_sys::{Array, Date, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::i18n::Lang;

#[wasm_bindgen]
extern "C" {
    /// `Intl.DateTimeFormat`, bound with `catch` so a bad zone is an error,
    /// not a trap.
    #[wasm_bindgen(js_namespace = Intl)]
    type DateTimeFormat;

    #[wasm_bindgen(constructor, js_namespace = Intl, catch)]
    fn new(locale: &str, options: &Object) -> Result<DateTimeFormat, JsValue>;

    #[wasm_bindgen(method)]
    fn format(this: &DateTimeFormat, date: &Date) -> String;

    #[wasm_bindgen(method, js_name = formatRange, catch)]
    fn format_range(this: &DateTimeFormat, start: &Date, end: &Date) -> Result<String, JsValue>;

    #[wasm_bindgen(method, js_name = formatToParts)]
    fn format_to_parts(this: &DateTimeFormat, date: &Date) -> Array;

    #[wasm_bindgen(method, js_name = resolvedOptions)]
    fn resolved_options(this: &DateTimeFormat) -> Object;
}

fn options(pairs: &[(&str, &str)]) -> Object {
    let object = Object::new();
    for (key, value) in pairs {
        let _ = Reflect::set(&object, &(*key).into(), &(*value).into());
    }
    object
}

fn formatter(locale: &str, zone: &str, pairs: &[(&str, &str)]) -> Option<DateTimeFormat> {
    let options = options(pairs);
    let _ = Reflect::set(&options, &"timeZone".into(), &zone.into());
    DateTimeFormat::new(locale, &options).ok()
}

fn js_date(instant: DateTime<Utc>) -> Date {
    Date::new(&JsValue::from_f64(instant.timestamp_millis() as f64))
}

/// The current instant, from the browser's clock.
pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(Date::now() as i64).unwrap_or_default()
}

/// The browser's own IANA zone, e.g. `Asia/Seoul`.
pub fn browser_zone() -> String {
    DateTimeFormat::new("en-US", &Object::new())
        .ok()
        .and_then(|f| Reflect::get(&f.resolved_options(), &"timeZone".into()).ok())
        .and_then(|z| z.as_string())
        .unwrap_or_else(|| "UTC".into())
}

/// Whether the browser knows `zone`.
pub fn is_valid_zone(zone: &str) -> bool {
    !zone.trim().is_empty() && formatter("en-US", zone, &[]).is_some()
}

/// The wall-clock time of `instant` in `zone`.
pub fn to_zone(instant: DateTime<Utc>, zone: &str) -> Option<NaiveDateTime> {
    let numeric = "numeric";
    let format = formatter(
        "en-US",
        zone,
        &[
            ("year", numeric),
            ("month", numeric),
            ("day", numeric),
            ("hour", numeric),
            ("minute", numeric),
            ("second", numeric),
            ("hourCycle", "h23"),
        ],
    )?;
    let mut fields = [0i64; 6];
    for part in format.format_to_parts(&js_date(instant)).iter() {
        let kind = Reflect::get(&part, &"type".into()).ok()?.as_string()?;
        let value = Reflect::get(&part, &"value".into()).ok()?.as_string()?;
        let slot = ["year", "month", "day", "hour", "minute", "second"]
            .iter()
            .position(|k| *k == kind);
        if let Some(slot) = slot {
            fields[slot] = value.parse().ok()?;
        }
    }
    let [year, month, day, hour, minute, second] = fields;
    NaiveDate::from_ymd_opt(year as i32, month as u32, day as u32)?.and_hms_opt(
        (hour % 24) as u32,
        minute as u32,
        second as u32,
    )
}

/// How far `zone` is ahead of UTC at `instant`, in seconds.
fn offset_at(instant: DateTime<Utc>, zone: &str) -> Option<i64> {
    let whole_seconds = DateTime::from_timestamp(instant.timestamp(), 0)?;
    Some(to_zone(whole_seconds, zone)?.and_utc().timestamp() - whole_seconds.timestamp())
}

/// The instant a wall-clock time in `zone` names, with that zone's offset,
/// ready to send as RFC 3339. In a daylight-saving gap the later offset wins.
pub fn from_zone(local: NaiveDateTime, zone: &str) -> Option<DateTime<FixedOffset>> {
    let guess = local.and_utc();
    let first = offset_at(guess, zone)?;
    let mut offset = first;
    let second = offset_at(guess - Duration::seconds(first), zone)?;
    if second != first {
        offset = second;
    }
    let instant = guess - Duration::seconds(offset);
    Some(instant.with_timezone(&FixedOffset::east_opt(offset as i32)?))
}

/// Today's date in `zone`.
pub fn today_in(zone: &str) -> NaiveDate {
    to_zone(now(), zone)
        .map(|t| t.date())
        .unwrap_or_else(|| now().date_naive())
}

/// Monday of the week containing `date`.
pub fn week_start(date: NaiveDate) -> NaiveDate {
    date - Duration::days(date.weekday().num_days_from_monday() as i64)
}

/// `instant` as a date and time in `zone`, e.g. "Mar 2, 2027, 10:00 AM".
pub fn format_date_time(instant: DateTime<Utc>, zone: &str, lang: Lang) -> String {
    formatter(
        lang.locale(),
        zone,
        &[("dateStyle", "medium"), ("timeStyle", "short")],
    )
    .map(|f| f.format(&js_date(instant)))
    .unwrap_or_else(|| instant.to_rfc3339())
}

/// An occasion with its weekday, e.g. "Sat, Dec 12, 2026, 7:30 PM" or
/// "2026년 12월 12일 (토) 오후 7:30".
pub fn format_occasion(instant: DateTime<Utc>, zone: &str, lang: Lang) -> String {
    occasion(instant, zone, lang, &[])
}

/// Like [`format_occasion`], naming the zone, e.g. "Sat, Dec 12, 2026,
/// 7:30 PM GMT+9", for times read far from where they happen.
pub fn format_occasion_zoned(instant: DateTime<Utc>, zone: &str, lang: Lang) -> String {
    occasion(instant, zone, lang, &[("timeZoneName", "short")])
}

fn occasion(instant: DateTime<Utc>, zone: &str, lang: Lang, extra: &[(&str, &str)]) -> String {
    let mut pairs = vec![
        ("weekday", "short"),
        ("year", "numeric"),
        ("month", "short"),
        ("day", "numeric"),
        ("hour", "numeric"),
        ("minute", "2-digit"),
    ];
    pairs.extend_from_slice(extra);
    formatter(lang.locale(), zone, &pairs)
        .map(|f| f.format(&js_date(instant)))
        .unwrap_or_else(|| instant.to_rfc3339())
}

/// A zone as people recognise it: its IANA name and its short name at
/// `instant`, e.g. "Asia/Seoul, GMT+9".
pub fn zone_label(zone: &str, instant: DateTime<Utc>, lang: Lang) -> String {
    format!("{zone}, {}", zone_name(zone, instant, lang))
}

/// A range in `zone`, sharing the date when both ends fall on one day.
pub fn format_range(start: DateTime<Utc>, end: DateTime<Utc>, zone: &str, lang: Lang) -> String {
    formatter(
        lang.locale(),
        zone,
        &[("dateStyle", "medium"), ("timeStyle", "short")],
    )
    .and_then(|f| f.format_range(&js_date(start), &js_date(end)).ok())
    .unwrap_or_else(|| {
        format!(
            "{} – {}",
            format_date_time(start, zone, lang),
            format_date_time(end, zone, lang)
        )
    })
}

/// A range in `zone` followed by the zone's short name at `start`, e.g.
/// "Dec 1, 2026, 10:00 – 11:00 AM (GMT+9)".
pub fn format_range_zoned(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    zone: &str,
    lang: Lang,
) -> String {
    format!(
        "{} ({})",
        format_range(start, end, zone, lang),
        zone_name(zone, start, lang)
    )
}

/// Just the time of day, e.g. "10:00" or "오전 10:00".
pub fn format_time(instant: DateTime<Utc>, zone: &str, lang: Lang) -> String {
    formatter(lang.locale(), zone, &[("timeStyle", "short")])
        .map(|f| f.format(&js_date(instant)))
        .unwrap_or_default()
}

/// A calendar date with its weekday, e.g. "Tue, Mar 2" or "3월 2일 (화)".
pub fn format_day(date: NaiveDate, lang: Lang, with_year: bool) -> String {
    let mut pairs = vec![("weekday", "short"), ("month", "short"), ("day", "numeric")];
    if with_year {
        pairs.push(("year", "numeric"));
    }
    let noon = date.and_time(NaiveTime::MIN).and_utc() + Duration::hours(12);
    formatter(lang.locale(), "UTC", &pairs)
        .map(|f| f.format(&js_date(noon)))
        .unwrap_or_else(|| date.to_string())
}

/// The zone's short name at `instant`, e.g. "GMT+9".
pub fn zone_name(zone: &str, instant: DateTime<Utc>, lang: Lang) -> String {
    formatter(lang.locale(), zone, &[("timeZoneName", "short")])
        .map(|f| f.format_to_parts(&js_date(instant)))
        .and_then(|parts| {
            parts.iter().find_map(|p| {
                let kind = Reflect::get(&p, &"type".into()).ok()?.as_string()?;
                (kind == "timeZoneName")
                    .then(|| Reflect::get(&p, &"value".into()).ok()?.as_string())
                    .flatten()
            })
        })
        .unwrap_or_else(|| zone.to_owned())
}

/// Minutes since midnight, as "HH:MM" (1440 is "24:00").
pub fn hhmm(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// A wall-clock time: `date` plus `minutes` (up to 1440, the next midnight).
pub fn at_minutes(date: NaiveDate, minutes: u32) -> NaiveDateTime {
    date.and_time(NaiveTime::MIN) + Duration::minutes(minutes as i64)
}
