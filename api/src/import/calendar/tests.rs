//! Reading calendars: zones, recurrences, exceptions and refusals.

use super::*;

fn horizon() -> DateTime<Utc> {
    "2027-01-01T00:00:00Z".parse().unwrap()
}

fn read_text(body: &str) -> Source {
    let text =
        format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{body}END:VCALENDAR\r\n");
    let defaults = CalendarDefaults {
        source: String::new(),
        room: Some("Room A".into()),
        user: Some("kim@example.com".into()),
    };
    read(&text, "team.ics", &defaults, horizon()).unwrap()
}

fn instants(source: &Source) -> Vec<String> {
    source
        .reservations
        .iter()
        .map(|r| match r.start {
            When::Instant(t) => t.to_rfc3339(),
            When::Local(t, _) => t.to_string(),
        })
        .collect()
}

#[test]
fn a_weekly_series_keeps_its_local_hour_across_a_daylight_saving_change() {
    // Berlin moves its clocks on 29 March 2026: 10:00 is 09:00 UTC
    // before and 08:00 UTC after.
    let source = read_text(
        "BEGIN:VEVENT\r\nUID:standup\r\nDTSTAMP:20260101T000000Z\r\n\
         DTSTART;TZID=Europe/Berlin:20260319T100000\r\n\
         DTEND;TZID=Europe/Berlin:20260319T103000\r\n\
         RRULE:FREQ=WEEKLY;COUNT=3\r\nSUMMARY:Stand-up\r\nLOCATION:Berlin 1\r\n\
         ORGANIZER:mailto:anna@example.com\r\nEND:VEVENT\r\n",
    );
    assert_eq!(
        instants(&source),
        [
            "2026-03-19T09:00:00+00:00",
            "2026-03-26T09:00:00+00:00",
            "2026-04-02T08:00:00+00:00"
        ]
    );
    assert_eq!(
        source.reservations[2].reference,
        "team:standup:20260402T080000Z"
    );
}

#[test]
fn an_exdate_is_left_out_and_a_moved_occurrence_replaces_its_original() {
    let source = read_text(
        "BEGIN:VEVENT\r\nUID:review\r\nDTSTAMP:20260101T000000Z\r\n\
         DTSTART:20260105T140000\r\nDURATION:PT1H\r\n\
         RRULE:FREQ=DAILY;COUNT=4\r\nEXDATE:20260106T140000\r\n\
         SUMMARY:Review\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:review\r\nDTSTAMP:20260101T000000Z\r\n\
         RECURRENCE-ID:20260107T140000\r\nDTSTART:20260107T160000\r\n\
         DTEND:20260107T170000\r\nSUMMARY:Review (moved)\r\nEND:VEVENT\r\n",
    );
    assert_eq!(
        instants(&source),
        [
            "2026-01-05 14:00:00",
            "2026-01-07 16:00:00",
            "2026-01-08 14:00:00"
        ]
    );
    assert_eq!(source.reservations[1].purpose, "Review (moved)");
    // No organizer or location: the file's defaults.
    assert_eq!(source.reservations[0].room, Which::Name("Room A".into()));
    assert_eq!(
        source.reservations[0].user,
        Who::Email("kim@example.com".into())
    );
}

#[test]
fn all_day_events_and_unknown_zones_are_refused_by_name() {
    let source = read_text(
        "BEGIN:VEVENT\r\nUID:holiday\r\nDTSTAMP:20260101T000000Z\r\n\
         DTSTART;VALUE=DATE:20260101\r\nDTEND;VALUE=DATE:20260102\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:win\r\nDTSTAMP:20260101T000000Z\r\n\
         DTSTART;TZID=Korea Standard Time:20260105T090000\r\n\
         DTEND;TZID=Korea Standard Time:20260105T100000\r\nEND:VEVENT\r\n",
    );
    assert!(source.reservations.is_empty());
    assert!(
        source.invalid[0].problem.contains("all-day"),
        "{:?}",
        source.invalid
    );
    assert!(
        source.invalid[1].problem.contains("IANA"),
        "{:?}",
        source.invalid
    );
}

#[test]
fn an_open_ended_series_stops_at_the_horizon_and_says_so() {
    // Weekly from 2 November 2026; the horizon is 1 January 2027.
    let source = read_text(
        "BEGIN:VEVENT\r\nUID:planning\r\nDTSTAMP:20261101T000000Z\r\n\
         DTSTART;TZID=Europe/Berlin:20261102T090000\r\nDURATION:PT1H\r\n\
         RRULE:FREQ=WEEKLY\r\nSUMMARY:Planning\r\nEND:VEVENT\r\n",
    );
    assert_eq!(source.reservations.len(), 9, "2 Nov to 28 Dec");
    assert_eq!(source.notes.len(), 1);
    assert!(source.notes[0].contains("planning"), "{:?}", source.notes);
}

#[test]
fn durations_read_as_icalendar_writes_them() {
    assert_eq!(parse_duration("PT1H30M").unwrap(), Duration::minutes(90));
    assert_eq!(parse_duration("P1W").unwrap(), Duration::weeks(1));
    assert_eq!(parse_duration("-PT15M").unwrap(), Duration::minutes(-15));
    assert!(parse_duration("PT1X").is_err());
    assert!(parse_duration("1H").is_err());
}
