//! The storm's account: what was acknowledged, what is stored, how long
//! anyone waited, and whether the invariants hold.

use std::time::{Duration, Instant};

use mongodb::Database;
use mongodb::bson::doc;
use mongodb::bson::oid::ObjectId;

use super::Record;
use crate::invariants;

/// The storm's account, checked against the database.
#[derive(Debug, Default)]
pub struct Report {
    pub requests: usize,
    pub acknowledged_seats: usize,
    pub acknowledged_rooms: usize,
    pub stored_seats: usize,
    pub stored_rooms: usize,
    pub conflicts: usize,
    pub unavailable: usize,
    pub unanswered: usize,
    pub replayed: usize,
    pub longest_wait: Duration,
    /// Median and 99th percentile of the `201`s' waits outside the window.
    pub usual_wait: (Duration, Duration),
    /// The three longest waits: what was asked and what came back.
    pub slowest: Vec<String>,
    /// From the fault to the primary's return.
    pub window: Duration,
    /// From the primary's return to each instance's first `201`.
    pub recovery: Vec<Option<Duration>>,
    /// Every request answered otherwise than `201`, a business `409` or a
    /// `503` with `Retry-After`.
    pub unexpected: Vec<String>,
    /// Acknowledged but not stored, and broken invariants.
    pub problems: Vec<String>,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let recovery: Vec<String> = self
            .recovery
            .iter()
            .enumerate()
            .map(|(i, r)| match r {
                Some(d) => format!("instance {i}: {} ms", d.as_millis()),
                None => format!("instance {i}: no 201 after the window"),
            })
            .collect();
        writeln!(f, "requests          {}", self.requests)?;
        writeln!(
            f,
            "acknowledged      {} seat bookings, {} reservations ({} of them replays of a first answer)",
            self.acknowledged_seats, self.acknowledged_rooms, self.replayed
        )?;
        writeln!(
            f,
            "stored            {} of those bookings, {} of those reservations",
            self.stored_seats, self.stored_rooms
        )?;
        writeln!(
            f,
            "refused           {} x 503 with Retry-After, {} x 409, {} unanswered",
            self.unavailable, self.conflicts, self.unanswered
        )?;
        writeln!(
            f,
            "longest wait      {} ms ({})",
            self.longest_wait.as_millis(),
            self.slowest.join("; ")
        )?;
        writeln!(f, "window            {} ms", self.window.as_millis())?;
        writeln!(
            f,
            "201s off window   p50 {} ms, p99 {} ms",
            self.usual_wait.0.as_millis(),
            self.usual_wait.1.as_millis()
        )?;
        writeln!(f, "first 201 after   {}", recovery.join(", "))?;
        writeln!(
            f,
            "unexpected        {}",
            if self.unexpected.is_empty() {
                "none".to_owned()
            } else {
                self.unexpected.join("; ")
            }
        )?;
        write!(
            f,
            "problems          {}",
            if self.problems.is_empty() {
                "none".to_owned()
            } else {
                self.problems.join("; ")
            }
        )
    }
}

/// Business refusals a storm may meet: a reservation retried after a `503`
/// whose first attempt was in fact stored meets itself.
const BUSINESS_CONFLICTS: [&str; 2] = ["slot_taken", "seat_taken"];

/// Accounts for `records` against the database `db` (the one the API
/// instances use): every acknowledged booking and reservation must be
/// stored, and the invariants must hold.
pub async fn account(
    db: &Database,
    records: &[Record],
    instances: usize,
    fault: Instant,
    back: Instant,
) -> Result<Report, String> {
    let mut report = Report {
        requests: records.len(),
        window: back.saturating_duration_since(fault),
        ..Report::default()
    };
    let mut seats = Vec::new();
    let mut rooms = Vec::new();
    for r in records {
        report.longest_wait = report.longest_wait.max(r.waited);
        match (r.status, r.code.as_deref()) {
            (201, _) => {
                report.replayed += usize::from(r.replayed);
                match (r.kind, &r.id) {
                    ("seat", Some(id)) => seats.push(id.clone()),
                    ("room", Some(id)) => rooms.push(id.clone()),
                    _ => report
                        .unexpected
                        .push(format!("a 201 for a {} without an id", r.kind)),
                }
            }
            (409, Some(code)) if BUSINESS_CONFLICTS.contains(&code) => report.conflicts += 1,
            (503, _) if r.retry_after.is_some() => report.unavailable += 1,
            (0, _) => report.unanswered += 1,
            (status, code) => report.unexpected.push(format!(
                "{} request of client {} answered {status} {}",
                r.kind,
                r.client,
                code.unwrap_or("")
            )),
        }
    }
    let mut by_wait: Vec<&Record> = records.iter().collect();
    by_wait.sort_by_key(|r| std::cmp::Reverse(r.waited));
    report.slowest = by_wait
        .iter()
        .take(3)
        .map(|r| {
            let sent = if r.started >= fault {
                format!("+{}", (r.started - fault).as_millis())
            } else {
                format!("-{}", (fault - r.started).as_millis())
            };
            let message = r
                .message
                .as_deref()
                .map(|m| format!(" (\"{m}\")"))
                .unwrap_or_default();
            format!(
                "{} ms: {} via instance {} sent at {sent} ms -> {} {}{message}",
                r.waited.as_millis(),
                r.kind,
                r.instance,
                r.status,
                r.code.as_deref().unwrap_or("")
            )
        })
        .collect();
    let mut usual: Vec<Duration> = records
        .iter()
        .filter(|r| r.status == 201 && (r.finished() < fault || r.started > back))
        .map(|r| r.waited)
        .collect();
    usual.sort();
    let quantile = |q: f64| {
        usual
            .get(((usual.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or_default()
    };
    report.usual_wait = (quantile(0.5), quantile(0.99));
    // Replays answer with the first booking, so count each booking once.
    seats.sort();
    seats.dedup();
    report.acknowledged_seats = seats.len();
    report.acknowledged_rooms = rooms.len();
    report.recovery = (0..instances)
        .map(|i| {
            records
                .iter()
                .filter(|r| r.instance == i && r.status == 201 && r.finished() >= back)
                .map(|r| r.finished() - back)
                .min()
        })
        .collect();

    let ids = |hex: &[String]| -> Result<Vec<ObjectId>, String> {
        hex.iter()
            .map(|id| ObjectId::parse_str(id).map_err(|e| format!("id {id}: {e}")))
            .collect()
    };
    let stored_seats = invariants::documents(
        db,
        "bookings",
        doc! { "_id": { "$in": ids(&seats)? }, "status": "confirmed" },
    )
    .await?;
    let stored_rooms = invariants::documents(
        db,
        "reservations",
        doc! { "_id": { "$in": ids(&rooms)? }, "status": "approved" },
    )
    .await?;
    report.stored_seats = stored_seats.len();
    report.stored_rooms = stored_rooms.len();
    if report.stored_seats != report.acknowledged_seats {
        report.problems.push(format!(
            "{} acknowledged bookings are missing",
            report.acknowledged_seats - report.stored_seats
        ));
    }
    if report.stored_rooms != report.acknowledged_rooms {
        report.problems.push(format!(
            "{} acknowledged reservations are missing",
            report.acknowledged_rooms - report.stored_rooms
        ));
    }
    report.problems.extend(invariants::violations(db).await?);
    Ok(report)
}
