//! Reads reservations from an iCalendar (`.ics`) export: each event, and
//! each occurrence of a recurring one, becomes a record. Recurrence rules
//! are expanded by `rrule` in the event's own zone, so a weekly 10:00
//! stays 10:00 across a daylight-saving change; times without a zone
//! ("floating") are wall-clock times in the room's zone. A moved or
//! changed occurrence (`RECURRENCE-ID`) replaces the one it names;
//! `EXDATE`s are left out.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use icalendar::{Component, Event, EventLike, EventStatus};
use shared::ReservationStatus;

use super::records::{Invalid, Place, ReservationRecord, Source, When, Which, Who};

/// Most occurrences one event may expand to.
const MOST_OCCURRENCES: u16 = 2000;

/// Who and where, for events that do not say.
#[derive(Debug, Clone, Default)]
pub struct CalendarDefaults {
    /// The source name; the file's name when empty.
    pub source: String,
    pub room: Option<String>,
    pub user: Option<String>,
}

/// A calendar time: an instant, or floating wall-clock time.
#[derive(Debug, Clone, Copy)]
enum Stamp {
    At(DateTime<Utc>),
    Floating(NaiveDateTime),
}

impl Stamp {
    /// The same text for the same occurrence, however it is reached.
    fn key(self) -> String {
        match self {
            Self::At(t) => t.format("%Y%m%dT%H%M%SZ").to_string(),
            Self::Floating(t) => t.format("%Y%m%dT%H%M%S").to_string(),
        }
    }

    fn when(self) -> When {
        match self {
            Self::At(t) => When::Instant(t),
            Self::Floating(t) => When::Local(t, None),
        }
    }

    fn plus(self, d: Duration) -> Self {
        match self {
            Self::At(t) => Self::At(t + d),
            Self::Floating(t) => Self::Floating(t + d),
        }
    }
}

/// Reads `text` (the file `file`). Occurrences later than `horizon`, or
/// past the [`MOST_OCCURRENCES`] of a series, are left out with a note.
pub fn read(
    text: &str,
    file: &str,
    defaults: &CalendarDefaults,
    horizon: DateTime<Utc>,
) -> Result<Source, String> {
    let calendar: icalendar::Calendar = text.parse().map_err(|e| format!("{file}: {e}"))?;
    let name = if defaults.source.is_empty() {
        file.trim_end_matches(".ics").to_owned()
    } else {
        defaults.source.clone()
    };
    let mut source = Source {
        name,
        ..Source::default()
    };
    // Moved or changed occurrences, by UID and the occurrence they replace.
    let mut overrides: HashMap<(String, String), &Event> = HashMap::new();
    for event in calendar.events() {
        if let (Some(uid), Some(id)) = (event.get_uid(), event.properties().get("RECURRENCE-ID"))
            && let Ok(stamp) = stamp(id)
        {
            overrides.insert((uid.to_owned(), stamp.key()), event);
        }
    }
    let masters: std::collections::HashSet<&str> = calendar
        .events()
        .filter(|e| !e.properties().contains_key("RECURRENCE-ID"))
        .filter_map(|e| e.get_uid())
        .collect();
    for event in calendar.events() {
        let uid = event.get_uid().unwrap_or_default().to_owned();
        let place = |spot: String| Place {
            file: file.to_owned(),
            spot,
        };
        if let Some(id) = event.properties().get("RECURRENCE-ID") {
            // Read with its series; it must name one of its occurrences.
            let problem = match stamp(id) {
                Err(problem) => Some(format!("RECURRENCE-ID: {problem}")),
                Ok(_) if !masters.contains(uid.as_str()) => {
                    Some("changes an occurrence of a series the file does not hold".to_owned())
                }
                Ok(_) => None,
            };
            if let Some(problem) = problem {
                source.rows.reservations += 1;
                source.invalid.push(Invalid {
                    entity: "reservation",
                    at: place(format!("UID {uid} {}", id.value())),
                    problem,
                });
            }
            continue;
        }
        let occurrences = match expand(event, horizon) {
            Ok((occurrences, cut)) => {
                if cut {
                    source.notes.push(format!(
                        "{file}: the series {uid} goes on after {} (or past {MOST_OCCURRENCES} \
                         occurrences); later occurrences are not imported",
                        horizon.date_naive()
                    ));
                }
                occurrences
            }
            Err(problem) => {
                source.rows.reservations += 1;
                source.invalid.push(Invalid {
                    entity: "reservation",
                    at: place(format!("UID {uid}")),
                    problem,
                });
                continue;
            }
        };
        for (start, end) in occurrences {
            source.rows.reservations += 1;
            let key = start.key();
            let (event, start, end) = match overrides.get(&(uid.clone(), key.clone())) {
                Some(moved) => match span(moved) {
                    Ok((start, end)) => (*moved, start, end),
                    Err(problem) => {
                        source.invalid.push(Invalid {
                            entity: "reservation",
                            at: place(format!("UID {uid} {key}")),
                            problem,
                        });
                        continue;
                    }
                },
                None => (event, start, end),
            };
            let record = record(event, (start, end), defaults, &source.name, (&uid, &key));
            match record {
                Ok(mut record) => {
                    record.at = place(format!("UID {uid} {key}"));
                    source.reservations.push(record);
                }
                Err(problem) => source.invalid.push(Invalid {
                    entity: "reservation",
                    at: place(format!("UID {uid} {key}")),
                    problem,
                }),
            }
        }
    }
    Ok(source)
}

fn record(
    event: &Event,
    (start, end): (Stamp, Stamp),
    defaults: &CalendarDefaults,
    source: &str,
    (uid, key): (&str, &str),
) -> Result<ReservationRecord, String> {
    if uid.is_empty() {
        return Err("the event has no UID, so a second import could not recognise it".into());
    }
    let organizer = event.property_value("ORGANIZER").map(|o| {
        o.trim_start_matches("mailto:")
            .trim_start_matches("MAILTO:")
            .to_owned()
    });
    let user = organizer
        .or_else(|| defaults.user.clone())
        .ok_or("no ORGANIZER, and no user was given for the file")?;
    let room = event
        .get_location()
        .map(str::to_owned)
        .filter(|l| !l.trim().is_empty())
        .or_else(|| defaults.room.clone())
        .ok_or("no LOCATION, and no room was given for the file")?;
    let status = match event.get_status() {
        Some(EventStatus::Cancelled) => ReservationStatus::Cancelled,
        Some(EventStatus::Tentative) => ReservationStatus::Pending,
        _ => ReservationStatus::Approved,
    };
    Ok(ReservationRecord {
        at: Place {
            file: String::new(),
            spot: String::new(),
        },
        reference: format!("{source}:{uid}:{key}"),
        user: Who::Email(user),
        room: Which::Name(room),
        start: start.when(),
        end: end.when(),
        purpose: event
            .get_summary()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or("(no title)")
            .to_owned(),
        status,
    })
}

/// An event's own start and end.
fn span(event: &Event) -> Result<(Stamp, Stamp), String> {
    let start = stamp(event.properties().get("DTSTART").ok_or("no DTSTART")?)?;
    let end = match (
        event.properties().get("DTEND"),
        event.property_value("DURATION"),
    ) {
        (Some(end), _) => stamp(end)?,
        (None, Some(duration)) => start.plus(parse_duration(duration)?),
        (None, None) => return Err("neither DTEND nor DURATION".into()),
    };
    Ok((start, end))
}

/// Every occurrence's start and end up to `horizon`, and whether the
/// series went on after it.
fn expand(event: &Event, horizon: DateTime<Utc>) -> Result<(Vec<(Stamp, Stamp)>, bool), String> {
    let (start, end) = span(event)?;
    let length = match (start, end) {
        (Stamp::At(s), Stamp::At(e)) => e - s,
        (Stamp::Floating(s), Stamp::Floating(e)) => e - s,
        _ => return Err("DTSTART and DTEND mix floating and zoned times".into()),
    };
    let Some(rule) = event.property_value("RRULE") else {
        return Ok((vec![(start, end)], false));
    };
    let dtstart = event.properties().get("DTSTART").ok_or("no DTSTART")?;
    // Floating times recur by the wall clock: expanded as if in UTC and
    // read in the room's zone later.
    let mut text = match dtstart.params().get("TZID") {
        Some(zone) => format!("DTSTART;TZID={}:{}\n", zone.value(), dtstart.value()),
        None => format!(
            "DTSTART:{}\n",
            dtstart.value().trim_end_matches('Z').to_owned() + "Z"
        ),
    };
    text.push_str(&format!("RRULE:{rule}\n"));
    if let Some(exdates) = event.multi_properties().get("EXDATE") {
        for exdate in exdates {
            let zone = exdate.params().get("TZID").map(|z| z.value().to_owned());
            for value in exdate.value().split(',') {
                match &zone {
                    Some(zone) => text.push_str(&format!("EXDATE;TZID={zone}:{value}\n")),
                    None => text.push_str(&format!("EXDATE:{}Z\n", value.trim_end_matches('Z'))),
                }
            }
        }
    }
    let set: rrule::RRuleSet = text
        .parse()
        .map_err(|e| format!("recurrence rule {rule:?}: {e}"))?;
    let limit = rrule::Tz::UTC.from_utc_datetime(&horizon.naive_utc());
    let goes_on = !set.clone().after(limit).all(1).dates.is_empty();
    let found = set.before(limit).all(MOST_OCCURRENCES);
    let zoned = matches!(start, Stamp::At(_));
    let occurrences = found
        .dates
        .iter()
        .map(|t| {
            let start = if zoned {
                Stamp::At(t.with_timezone(&Utc))
            } else {
                Stamp::Floating(t.naive_utc())
            };
            (start, start.plus(length))
        })
        .collect();
    Ok((occurrences, goes_on || found.limited))
}

/// A `DTSTART`, `DTEND` or `RECURRENCE-ID` value: UTC (`Z`), in an IANA
/// zone (`TZID`), or floating. Dates without a time are not reservations.
fn stamp(property: &icalendar::Property) -> Result<Stamp, String> {
    let value = property.value();
    let naive = |v: &str| NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S");
    if let Some(zone) = property.params().get("TZID") {
        let zone: Tz = zone.value().parse().map_err(|_| {
            format!(
                "time zone {:?} is not an IANA zone name (such as Europe/Berlin)",
                zone.value()
            )
        })?;
        let local = naive(value).map_err(|_| format!("{value:?} is not a date and time"))?;
        return When::Local(local, Some(zone)).resolve(zone).map(Stamp::At);
    }
    if let Some(utc) = value.strip_suffix('Z') {
        let t = naive(utc).map_err(|_| format!("{value:?} is not a date and time"))?;
        return Ok(Stamp::At(Utc.from_utc_datetime(&t)));
    }
    match naive(value) {
        Ok(t) => Ok(Stamp::Floating(t)),
        Err(_) => Err(format!(
            "{value:?} is a whole day or not a date and time: all-day events are not room reservations"
        )),
    }
}

/// An iCalendar duration: `PT1H30M`, `P1D`, `P1W`, `-PT15M`.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("DURATION {text:?} is not an iCalendar duration");
    let (sign, rest) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text.strip_prefix('+').unwrap_or(text)),
    };
    let rest = rest.strip_prefix('P').ok_or_else(bad)?;
    let mut total = Duration::zero();
    let mut number = String::new();
    let mut in_time = false;
    for c in rest.chars() {
        match c {
            'T' => in_time = true,
            '0'..='9' => number.push(c),
            unit => {
                let n: i64 = number.parse().map_err(|_| bad())?;
                number.clear();
                total += match (unit, in_time) {
                    ('W', false) => Duration::weeks(n),
                    ('D', false) => Duration::days(n),
                    ('H', true) => Duration::hours(n),
                    ('M', true) => Duration::minutes(n),
                    ('S', true) => Duration::seconds(n),
                    _ => return Err(bad()),
                };
            }
        }
    }
    if !number.is_empty() {
        return Err(bad());
    }
    Ok(total * sign)
}

#[cfg(test)]
mod tests;
