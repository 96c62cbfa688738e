//! Imports (admin only): users, rooms and reservations from a relational
//! export or an iCalendar file, as `api import` does from the command line.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What to import, and whether only to look.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ImportRequest {
    /// Only report what would be stored; write nothing.
    pub dry_run: bool,
    /// A relational export: the mapping (TOML, as for `api import
    /// --mapping`) and the CSV files it names, by file name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tables: Option<TablesUpload>,
    /// An iCalendar (`.ics`) file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<CalendarUpload>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TablesUpload {
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub mapping: String,
    /// File name -> the file's text (UTF-8 CSV).
    pub files: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CalendarUpload {
    /// The file's name: names the source unless `source` does.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub file_name: String,
    /// The file's text.
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub text: String,
    /// The room of events without a `LOCATION` naming one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<String>,
    /// The user (e-mail) of events without an `ORGANIZER`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Names the source; a second import of the same source recognises
    /// what the first stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// Per entity: rows read and what became of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportCounts {
    /// `users`, `rooms` or `reservations`.
    pub entity: String,
    /// Rows (or calendar occurrences) read.
    pub rows: u64,
    pub invalid: u64,
    /// Valid records the database held already (by e-mail, room name or
    /// import key).
    pub present: u64,
    /// Stored by this run, or that a dry run would store.
    pub stored: u64,
}

/// Why a record was not imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ImportProblemKind {
    /// The row breaks a rule or names what is not there.
    Invalid,
    /// The reservation overlaps another of the same source.
    Overlapping,
    /// The reservation overlaps one its room already holds.
    Conflicting,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportProblem {
    pub kind: ImportProblemKind,
    /// `user`, `room` or `reservation`.
    pub entity: String,
    /// `file:line`, or `file:UID occurrence` for a calendar.
    pub place: String,
    pub problem: String,
}

/// One entity's verification: the source's records against the database's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportCheck {
    pub entity: String,
    /// Records the source says should be stored, and those found.
    pub expected: u64,
    pub stored: u64,
    /// SHA-256 (hex) over the sorted records, field by field.
    pub source_checksum: String,
    pub stored_checksum: String,
    pub passed: bool,
    /// The first records that differ.
    pub differing: Vec<String>,
    /// Accounts or rooms that were there before, from elsewhere: linked
    /// to, kept as they were, and not compared.
    pub kept: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    pub source: String,
    pub dry_run: bool,
    pub counts: Vec<ImportCounts>,
    pub problems: Vec<ImportProblem>,
    /// What the reader did that the operator should know.
    pub notes: Vec<String>,
    /// After a real run: one per entity.
    pub checks: Vec<ImportCheck>,
    /// Every check passed (always true for a dry run).
    pub verified: bool,
}
