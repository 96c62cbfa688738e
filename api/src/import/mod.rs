//! `api import`: users, rooms and reservations from a relational export
//! (CSV tables joined by their keys, described by a mapping file) or from
//! an iCalendar file. A dry run says what would be stored, what is
//! invalid and which reservations overlap; a real run stores the rest,
//! recognises what an earlier run stored, and verifies counts and
//! checksums against the source.

pub mod calendar;
mod clash;
pub mod mapping;
pub mod plan;
pub mod records;
pub mod tables;
pub mod verify;
pub mod write;

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use crate::configuration::Settings;
use crate::domain::reservation::ReservationRules;
use crate::error::ApiError;
use crate::store::Store;
use records::{Invalid, Rows, Source};

/// The outcome of one run, printed by [`Report::text`].
#[derive(Debug)]
pub struct Report {
    pub source: String,
    pub dry_run: bool,
    pub rows: Rows,
    pub present: plan::Present,
    /// Would be (dry run) or were stored.
    pub stored: plan::Present,
    /// Found stored by another run while this one wrote.
    pub raced: usize,
    pub invalid: Vec<Invalid>,
    pub overlapping: Vec<Invalid>,
    pub conflicting: Vec<Invalid>,
    pub notes: Vec<String>,
    /// After a real run.
    pub checks: Vec<verify::Check>,
}

impl Report {
    /// Whether everything the source holds validly is stored as it says.
    pub fn verified(&self) -> bool {
        self.checks.iter().all(verify::Check::passed)
    }

    pub fn text(&self) -> String {
        let mut out = String::new();
        let verb = if self.dry_run {
            "would store"
        } else {
            "stored"
        };
        let _ = writeln!(
            out,
            "import of {:?}{}",
            self.source,
            if self.dry_run {
                " (dry run: nothing written)"
            } else {
                ""
            }
        );
        let count = |entity: &str| self.invalid.iter().filter(|i| i.entity == entity).count();
        for (entity, rows, present, stored) in [
            (
                "users",
                self.rows.users,
                self.present.users,
                self.stored.users,
            ),
            (
                "rooms",
                self.rows.rooms,
                self.present.rooms,
                self.stored.rooms,
            ),
            (
                "reservations",
                self.rows.reservations,
                self.present.reservations,
                self.stored.reservations,
            ),
        ] {
            let singular = entity.trim_end_matches('s');
            let _ = write!(
                out,
                "  {entity:<13} {rows:>6} read, {:>5} invalid, {present:>6} already there, {stored:>6} {verb}",
                count(singular)
            );
            if entity == "reservations" {
                let _ = write!(
                    out,
                    ", {} overlapping each other, {} clashing with stored ones",
                    self.overlapping.len(),
                    self.conflicting.len()
                );
            }
            out.push('\n');
        }
        for (title, list) in [
            ("invalid", &self.invalid),
            ("overlapping (none of them imported)", &self.overlapping),
            (
                "clashing with reservations already stored",
                &self.conflicting,
            ),
        ] {
            if list.is_empty() {
                continue;
            }
            let _ = writeln!(out, "{title}:");
            for i in list {
                let _ = writeln!(out, "  {} {}: {}", i.entity, i.at, i.problem);
            }
        }
        for note in &self.notes {
            let _ = writeln!(out, "note: {note}");
        }
        if self.raced > 0 {
            let _ = writeln!(
                out,
                "note: {} records were stored by another run meanwhile",
                self.raced
            );
        }
        if !self.checks.is_empty() {
            let _ = writeln!(out, "verification (source against database):");
            for c in &self.checks {
                let _ = writeln!(
                    out,
                    "  {:<13} {:>6} in source, {:>6} stored, checksum {} / {}  {}",
                    c.entity,
                    c.expected,
                    c.stored,
                    &c.source_checksum[..16.min(c.source_checksum.len())],
                    &c.stored_checksum[..16.min(c.stored_checksum.len())],
                    if c.passed() { "OK" } else { "DIFFERS" }
                );
                if c.kept > 0 {
                    let _ = writeln!(
                        out,
                        "    and {} that were there before, linked and kept as they were",
                        c.kept
                    );
                }
                for d in &c.differing {
                    let _ = writeln!(out, "    {d}");
                }
            }
        }
        out
    }
}

impl Report {
    /// The report as the API sends it.
    pub fn to_dto(&self) -> shared::ImportReport {
        use shared::{ImportCheck, ImportCounts, ImportProblem, ImportProblemKind};
        let invalid =
            |entity: &str| self.invalid.iter().filter(|i| i.entity == entity).count() as u64;
        let counts = [
            (
                "users",
                "user",
                self.rows.users,
                self.present.users,
                self.stored.users,
            ),
            (
                "rooms",
                "room",
                self.rows.rooms,
                self.present.rooms,
                self.stored.rooms,
            ),
            (
                "reservations",
                "reservation",
                self.rows.reservations,
                self.present.reservations,
                self.stored.reservations,
            ),
        ]
        .into_iter()
        .map(|(entity, one, rows, present, stored)| ImportCounts {
            entity: entity.to_owned(),
            rows: rows as u64,
            invalid: invalid(one),
            present: present as u64,
            stored: stored as u64,
        })
        .collect();
        let problems = [
            (ImportProblemKind::Invalid, &self.invalid),
            (ImportProblemKind::Overlapping, &self.overlapping),
            (ImportProblemKind::Conflicting, &self.conflicting),
        ]
        .into_iter()
        .flat_map(|(kind, list)| {
            list.iter().map(move |i| ImportProblem {
                kind,
                entity: i.entity.to_owned(),
                place: i.at.to_string(),
                problem: i.problem.clone(),
            })
        })
        .collect();
        let checks = self
            .checks
            .iter()
            .map(|c| ImportCheck {
                entity: c.entity.to_owned(),
                expected: c.expected as u64,
                stored: c.stored as u64,
                source_checksum: c.source_checksum.clone(),
                stored_checksum: c.stored_checksum.clone(),
                passed: c.passed(),
                differing: c.differing.clone(),
                kept: c.kept as u64,
            })
            .collect();
        shared::ImportReport {
            source: self.source.clone(),
            dry_run: self.dry_run,
            counts,
            problems,
            notes: self
                .notes
                .iter()
                .cloned()
                .chain((self.raced > 0).then(|| {
                    format!(
                        "{} records were stored by another run meanwhile",
                        self.raced
                    )
                }))
                .collect(),
            checks,
            verified: self.verified(),
        }
    }
}

/// The reservation rules of `settings`.
pub fn rules(settings: &Settings) -> ReservationRules {
    ReservationRules {
        max_duration: chrono::Duration::minutes(settings.reservations.max_duration_minutes),
        max_ahead: chrono::Duration::days(settings.reservations.max_days_ahead),
    }
}

/// Plans `source` against the database and, unless `dry_run`, stores it
/// and verifies the result.
pub async fn run(
    store: &Store,
    source: Source,
    rules: &ReservationRules,
    now: DateTime<Utc>,
    dry_run: bool,
) -> Result<Report, ApiError> {
    let (name, rows, notes) = (source.name.clone(), source.rows, source.notes.clone());
    let mut plan = plan::plan(store, source, rules, now).await?;
    let mut report = Report {
        source: name,
        dry_run,
        rows,
        present: plan.present,
        stored: plan::Present {
            users: plan.users.len(),
            rooms: plan.rooms.len(),
            reservations: plan.reservations.len(),
        },
        raced: 0,
        invalid: Vec::new(),
        overlapping: Vec::new(),
        conflicting: Vec::new(),
        notes,
        checks: Vec::new(),
    };
    if !dry_run {
        let written = write::write(store, &mut plan).await?;
        report.stored = plan::Present {
            users: written.users,
            rooms: written.rooms,
            reservations: written.reservations,
        };
        report.raced = written.raced;
        report.checks = verify::verify(store, &plan).await?;
    }
    // In the source's order: users, rooms, reservations, then by line.
    let rank = |i: &Invalid| {
        let entity = ["user", "room", "reservation"]
            .iter()
            .position(|e| *e == i.entity);
        let line = i.at.spot.parse::<u64>().ok();
        (entity, i.at.file.clone(), line, i.at.spot.clone())
    };
    plan.invalid.sort_by_key(rank);
    report.invalid = plan.invalid;
    report.overlapping = plan.overlapping;
    report.conflicting = plan.conflicting;
    Ok(report)
}
