//! The archive (`api archive --before DATE`): finished reservations and
//! the bookings of performances over before the date leave the live
//! collections for `reservations_archive` and `bookings_archive`, one
//! self-contained document each (the user, room, show and seats as they
//! were, so nothing needs a join to be read).
//!
//! Records move in batches, each one transaction: the archive documents
//! are inserted, counted back, and only then are the live documents (and
//! what derives from them: a reservation's room cells, a booking's
//! `booked_seats`) deleted, with a `reservation.archived` or
//! `booking.archived` event each. A run cut short leaves whole batches
//! moved and the rest live; running it again finishes the job.
//!
//! What the live data no longer holds is kept consistent: the occupancy
//! roll-ups of archived days stay (they are sealed first) and
//! reconciliation judges only days after the archive's horizon
//! (`archive_marks`); a performance whose bookings are archived is marked
//! `archived_at`, its seats are dropped, and reconciliation leaves it be.
//! Wallets' ledgers are untouched: entries still name archived bookings by
//! their unchanged ids.

mod bookings;
mod read;
mod reservations;

pub use read::ArchiveSearch;

use bson::oid::ObjectId;
use bson::{Document, doc};
use chrono::{DateTime, Utc};
use mongodb::ClientSession;
use serde::{Deserialize, Serialize};
use shared::{ArchiveCount, ArchivedUser, UserId};

use super::Store;
use super::outbox::{Actor, Fact};
use super::users::UserDoc;
use crate::error::ApiError;

pub const RESERVATIONS_ARCHIVE: &str = "reservations_archive";
pub const BOOKINGS_ARCHIVE: &str = "bookings_archive";
/// `{_id: "reservations", before}`: reservations ending before `before`
/// may have been archived.
pub const ARCHIVE_MARKS: &str = "archive_marks";

/// Records moved per transaction.
const BATCH: i64 = 100;

/// One archived record: the record itself (a shared DTO, as the API shows
/// it) and the keys it is searched by.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArchiveDoc {
    /// The live record's id.
    #[serde(rename = "_id")]
    pub id: ObjectId,
    /// A reservation's start; a booking's performance start.
    pub at: bson::DateTime,
    /// The user's e-mail address in lower case.
    pub user_key: String,
    /// A reservation's room name, a booking's show title, in lower case.
    pub subject_key: String,
    pub record: Document,
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArchiveRun {
    pub before: DateTime<Utc>,
    pub reservations: ArchiveCount,
    pub bookings: ArchiveCount,
    /// Performances whose bookings are all archived by now.
    pub performances: u64,
}

impl ArchiveRun {
    /// The verification as `api archive` prints it.
    pub fn report(&self) -> String {
        let line = |name: &str, c: &ArchiveCount| {
            format!(
                "{name:<13}{:>9} older{:>10} archived{:>7} left{:>10} in archive\n",
                c.eligible, c.archived, c.left, c.in_archive
            )
        };
        let mut text = format!("archive before {}\n", self.before.to_rfc3339());
        text.push_str(&line("reservations", &self.reservations));
        text.push_str(&line("bookings", &self.bookings));
        text.push_str(&format!(
            "performances {:>9} with every booking archived\n",
            self.performances
        ));
        text.push_str(if self.is_verified() {
            "verified: every archived record was read back before its live copy was deleted, and none older is left\n"
        } else {
            "NOT verified: live records older than the date remain (changed during the run?); run again\n"
        });
        text
    }

    pub fn is_verified(&self) -> bool {
        self.reservations.left == 0 && self.bookings.left == 0
    }
}

/// `--before`: a day (`2025-01-01`, its start in UTC) or an RFC 3339
/// instant.
pub fn parse_date(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(day) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(day.and_time(chrono::NaiveTime::MIN).and_utc());
    }
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            format!(
                "archive: --before `{text}` is neither a day (2025-01-01) nor an RFC 3339 instant"
            )
        })
}

fn lower(text: &str) -> String {
    text.trim().to_lowercase()
}

/// `doc` as a BSON document, for an archive record.
fn record(value: &impl Serialize) -> Result<Document, ApiError> {
    bson::to_document(value).map_err(|e| ApiError::Internal(format!("archive record: {e}")))
}

/// The user as archived: their account as it is now, or what the record
/// itself remembers if the account is gone.
fn archived_user(id: ObjectId, users: &[UserDoc], fallback_name: &str) -> ArchivedUser {
    let found = users.iter().find(|u| u.id == id);
    ArchivedUser {
        id: UserId(id.to_hex()),
        name: found.map_or_else(|| fallback_name.to_owned(), |u| u.name.clone()),
        email: found.map(|u| u.email.clone()).unwrap_or_default(),
    }
}

impl Store {
    fn archive(&self, name: &str) -> mongodb::Collection<ArchiveDoc> {
        self.collection(name)
    }

    /// Moves every finished reservation and every booking of a performance
    /// over before `before` into the archive, then verifies the counts.
    pub async fn archive_before(
        &self,
        before: DateTime<Utc>,
        longest_reservation: chrono::Duration,
    ) -> Result<ArchiveRun, ApiError> {
        let now = self.server_time().await?;
        let earliest = now - super::reports::seal_after();
        if before > earliest {
            return Err(ApiError::invalid(
                "before",
                format!(
                    "must be at least {} days ago ({} or earlier): later days are not yet in the occupancy roll-ups",
                    super::reports::seal_after().num_days(),
                    earliest.format("%Y-%m-%d")
                ),
            ));
        }
        // The roll-ups keep the archived days' occupancy: seal them first,
        // and archive nothing from a day no roll-up holds yet.
        self.seal_occupancy(now, longest_reservation).await?;
        let rooms: Vec<ObjectId> = self
            .collection::<Document>(super::indexes::ROOMS)
            .distinct("_id", doc! {})
            .await?
            .into_iter()
            .filter_map(|id| id.as_object_id())
            .collect();
        let sealed = self.occupancy_marks_of(&rooms).await?;
        if let Some(until) = sealed.iter().map(|(_, mark)| mark.until).min()
            && before > until
        {
            return Err(ApiError::invalid(
                "before",
                format!(
                    "must be {} or earlier: the occupancy roll-ups do not hold later days yet",
                    until.to_rfc3339()
                ),
            ));
        }
        let mut run = ArchiveRun {
            before,
            ..ArchiveRun::default()
        };
        run.reservations = self.archive_reservations(before).await?;
        let (bookings, performances) = self.archive_bookings(before).await?;
        run.bookings = bookings;
        run.performances = performances;
        Ok(run)
    }

    /// Inside a transaction: inserts `docs` into `archive` and counts
    /// them back; only then deletes the live records from `live` (every
    /// one, or nothing happens), what derives from them (`derived`:
    /// documents whose `field` names one of them), and records `facts`.
    async fn move_verified(
        &self,
        session: &mut ClientSession,
        (archive, live): (&str, &str),
        docs: &[ArchiveDoc],
        (derived, field): (&str, &str),
        facts: Vec<Fact>,
    ) -> Result<(), ApiError> {
        let ids: Vec<ObjectId> = docs.iter().map(|d| d.id).collect();
        self.archive(archive)
            .insert_many(docs)
            .session(&mut *session)
            .await?;
        let stored = self
            .archive(archive)
            .count_documents(doc! { "_id": { "$in": &ids } })
            .session(&mut *session)
            .await?;
        if stored != ids.len() as u64 {
            return Err(ApiError::Internal(format!(
                "{archive}: {stored} of {} records read back; nothing deleted",
                ids.len()
            )));
        }
        let deleted = self
            .collection::<Document>(live)
            .delete_many(doc! { "_id": { "$in": &ids } })
            .session(&mut *session)
            .await?
            .deleted_count;
        if deleted != ids.len() as u64 {
            return Err(ApiError::Internal(format!(
                "archiving {live}: {deleted} of {} deleted; nothing deleted",
                ids.len()
            )));
        }
        self.collection::<Document>(derived)
            .delete_many(doc! { field: { "$in": &ids } })
            .session(&mut *session)
            .await?;
        self.record(session, &Actor::system("archive"), facts).await
    }

    /// The archive's horizon for reservations: days before it may have
    /// lost reservations to the archive (reconciliation does not judge
    /// their roll-ups against the live reservations).
    pub async fn reservations_archived_before(&self) -> Result<Option<DateTime<Utc>>, ApiError> {
        let mark = self
            .collection::<Document>(ARCHIVE_MARKS)
            .find_one(doc! { "_id": "reservations" })
            .await?;
        Ok(mark
            .and_then(|m| m.get_datetime("before").ok().copied())
            .map(bson::DateTime::to_chrono))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_is_its_start_in_utc_and_an_instant_is_itself() {
        assert_eq!(
            parse_date("2025-01-01").unwrap().to_rfc3339(),
            "2025-01-01T00:00:00+00:00"
        );
        assert_eq!(
            parse_date("2025-01-01T09:00:00+09:00")
                .unwrap()
                .to_rfc3339(),
            "2025-01-01T00:00:00+00:00"
        );
        assert!(parse_date("01/01/2025").unwrap_err().contains("01/01/2025"));
    }
}
