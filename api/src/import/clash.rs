//! Double bookings: reservations of one source that overlap each other,
//! and those that overlap what their room already holds. Neither kind is
//! imported; both are reported with the other party.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::plan::{KnownRoom, Planned, invalid};
use super::records::{Invalid, Place};
use crate::domain::reservation::ReservationRules;
use crate::error::ApiError;
use crate::store::Store;

/// Of the `new` reservations holding time, those overlapping another of
/// the source (new or imported before), with where that other one is.
pub(super) fn overlaps(present: &[Planned], new: &[Planned]) -> HashMap<String, Place> {
    let mut by_room: HashMap<&str, Vec<&Planned>> = HashMap::new();
    for r in present.iter().chain(new).filter(|r| r.status.holds_slots()) {
        by_room.entry(&r.room_key).or_default().push(r);
    }
    let mut found = HashMap::new();
    for list in by_room.values_mut() {
        list.sort_by_key(|r| (r.start, r.end));
        // The one reaching furthest so far: any later start before its
        // end overlaps it.
        let mut reach: Option<&Planned> = None;
        for r in list.iter() {
            if let Some(before) = reach.filter(|b| r.start < b.end) {
                found
                    .entry(r.reference.clone())
                    .or_insert_with(|| before.at.clone());
                found
                    .entry(before.reference.clone())
                    .or_insert_with(|| r.at.clone());
            }
            if reach.is_none_or(|b| r.end > b.end) {
                reach = Some(r);
            }
        }
    }
    let new_refs: HashSet<&str> = new.iter().map(|r| r.reference.as_str()).collect();
    found.retain(|reference, _| new_refs.contains(reference.as_str()));
    found
}

/// Keeps the candidates whose time their (stored) room has free; the
/// others go to `conflicting`.
pub(super) async fn conflicts(
    store: &Store,
    candidates: Vec<Planned>,
    rooms: &HashMap<String, KnownRoom>,
    rules: &ReservationRules,
    refs: &[String],
    conflicting: &mut Vec<Invalid>,
) -> Result<Vec<Planned>, ApiError> {
    let ours: HashSet<&str> = refs.iter().map(String::as_str).collect();
    let mut by_room: HashMap<&str, Vec<Planned>> = HashMap::new();
    let mut keep = Vec::new();
    for r in candidates {
        if !r.status.holds_slots() {
            keep.push(r);
            continue;
        }
        match rooms.get(&r.room_key) {
            Some(known) if known.stored.is_some() => {
                by_room.entry(known.key.as_str()).or_default().push(r);
            }
            _ => keep.push(r),
        }
    }
    for (key, list) in by_room {
        let Some(id) = rooms.get(key).and_then(|k| k.stored) else {
            continue;
        };
        let from = list.iter().map(|r| r.start).min().unwrap_or_else(Utc::now);
        let to = list.iter().map(|r| r.end).max().unwrap_or_else(Utc::now);
        let held: Vec<_> = store
            .reservations_holding(id, (from, to), rules.max_duration.max(Duration::hours(24)))
            .await?
            .into_iter()
            .filter(|h| h.import_ref.as_deref().is_none_or(|r| !ours.contains(r)))
            .collect();
        for r in list {
            let clash = held
                .iter()
                .find(|h| h.start.to_chrono() < r.end && r.start < h.end.to_chrono());
            match clash {
                Some(h) => conflicting.push(invalid(
                    "reservation",
                    &r.at,
                    format!(
                        "{} overlaps reservation {} already in room {} ({})",
                        span(&r),
                        h.id.to_hex(),
                        r.room_name,
                        format_span(h.start.to_chrono(), h.end.to_chrono(), r.zone)
                    ),
                )),
                None => keep.push(r),
            }
        }
    }
    Ok(keep)
}

pub(super) fn span(r: &Planned) -> String {
    format_span(r.start, r.end, r.zone)
}

/// `2025-03-04 09:00 to 10:00 Asia/Seoul`, in the room's zone.
fn format_span(start: DateTime<Utc>, end: DateTime<Utc>, zone: Tz) -> String {
    let (start, end) = (start.with_timezone(&zone), end.with_timezone(&zone));
    let end = if end.date_naive() == start.date_naive() {
        end.format("%H:%M").to_string()
    } else {
        end.format("%Y-%m-%d %H:%M").to_string()
    };
    format!("{} to {end} {zone}", start.format("%Y-%m-%d %H:%M"))
}
