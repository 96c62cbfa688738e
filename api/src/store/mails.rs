//! E-mail jobs: made from the outbox by the fan-out (one per event that
//! tells a user something) and by the reminder scan, then claimed and sent
//! by every instance's mailer (`mail/`), like webhook deliveries.
//!
//! A job's `_id` says what it is about (`event:<event id>`, or
//! `reminder:booking:<id>:<start>`), so making it twice is refused by the
//! database, and the e-mail's `Message-ID` is derived from it: if an
//! instance dies after the SMTP server took a message but before the job
//! was marked sent, the repeat carries the same `Message-ID`, which mail
//! systems use to tell a duplicate.

use std::collections::HashMap;

use bson::oid::ObjectId;
use bson::{Document, doc};
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::options::ReturnDocument;
use serde::{Deserialize, Serialize};
use shared::{EventType, Language, MailKind, NotificationSettings};

use super::bookings::BookingDoc;
use super::deliveries::only_duplicates;
use super::indexes::{
    BOOKED_SEATS, BOOKINGS, MAILS, NOTIFICATION_SETTINGS, PERFORMANCES, RESERVATIONS,
};
use super::outbox::EventDoc;
use super::reservations::ReservationDoc;
use super::{Store, to_bson_time, to_document};
use crate::error::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailStatus {
    Pending,
    /// Taken by the SMTP server.
    Sent,
    /// Written to the log: no SMTP server is configured.
    Logged,
    /// Not sent on purpose: turned off by the user, the account is gone,
    /// or a reminder's booking or reservation is no longer on.
    Skipped,
    /// Refused for good by the server, or still failing after the retry
    /// period.
    Dead,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MailDoc {
    #[serde(rename = "_id")]
    pub key: String,
    pub kind: MailKind,
    pub user_id: ObjectId,
    pub target_type: String,
    pub target_id: ObjectId,
    /// The booking or reservation as its event recorded it.
    pub data: Document,
    pub status: MailStatus,
    pub due_at: bson::DateTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim: Option<ObjectId>,
    #[serde(default)]
    pub attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_attempt_at: Option<bson::DateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<bson::DateTime>,
    /// Why it was skipped, or the last failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub created_at: bson::DateTime,
}

/// How an attempt ended.
pub enum MailOutcome {
    Sent { to: String, subject: String },
    Logged { to: String, subject: String },
    Skipped(String),
    Retry { error: String, at: DateTime<Utc> },
    Dead(String),
}

impl MailOutcome {
    /// For metrics.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Sent { .. } => "sent",
            Self::Logged { .. } => "logged",
            Self::Skipped(_) => "skipped",
            Self::Retry { .. } => "retried",
            Self::Dead(_) => "dead",
        }
    }
}

/// The kind of e-mail an event calls for, if any.
fn kind_of(event: &EventDoc) -> Option<MailKind> {
    match event.event_type {
        EventType::BookingConfirmed => Some(MailKind::BookingConfirmed),
        EventType::BookingCancelled => Some(MailKind::BookingCancelled),
        EventType::ReservationApproved => Some(MailKind::ReservationApproved),
        EventType::ReservationRejected => Some(MailKind::ReservationRejected),
        // Only when someone else (an admin) cancelled it.
        EventType::ReservationCancelled => {
            let owner = event.data.get_str("user_id").ok()?;
            let by = event.actor.user_id.map(|id| id.to_hex());
            (by.as_deref() != Some(owner)).then_some(MailKind::ReservationCancelled)
        }
        _ => None,
    }
}

fn job(
    key: String,
    kind: MailKind,
    user: ObjectId,
    target: (&str, ObjectId),
    data: Document,
) -> MailDoc {
    let now = bson::DateTime::now();
    MailDoc {
        key,
        kind,
        user_id: user,
        target_type: target.0.to_owned(),
        target_id: target.1,
        data,
        status: MailStatus::Pending,
        due_at: now,
        claim: None,
        attempts: 0,
        first_attempt_at: None,
        finished_at: None,
        note: None,
        to: None,
        subject: None,
        created_at: now,
    }
}

impl Store {
    fn mails(&self) -> mongodb::Collection<MailDoc> {
        self.collection(MAILS)
    }

    async fn insert_jobs(&self, jobs: Vec<MailDoc>) -> Result<(), ApiError> {
        if jobs.is_empty() {
            return Ok(());
        }
        match self.mails().insert_many(jobs).ordered(false).await {
            Ok(_) => Ok(()),
            // Made already, by another instance or an earlier round.
            Err(e) if only_duplicates(&e) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Part of the fan-out: the e-mail jobs `events` call for.
    pub async fn make_mails(&self, events: &[EventDoc]) -> Result<(), ApiError> {
        let wanted: Vec<(&EventDoc, MailKind)> = events
            .iter()
            .filter_map(|event| kind_of(event).map(|kind| (event, kind)))
            .collect();
        if wanted.is_empty() {
            return Ok(());
        }
        // A booking's event does not name its buyer; the booking does.
        let booking_ids: Vec<ObjectId> = wanted
            .iter()
            .filter(|(event, _)| event.target_type == "booking")
            .map(|(event, _)| event.target_id)
            .collect();
        let buyers: HashMap<ObjectId, ObjectId> = if booking_ids.is_empty() {
            HashMap::new()
        } else {
            self.collection::<Document>(BOOKINGS)
                .find(doc! { "_id": { "$in": booking_ids } })
                .projection(doc! { "user_id": 1 })
                .await?
                .try_collect::<Vec<_>>()
                .await?
                .iter()
                .filter_map(|b| {
                    Some((
                        b.get_object_id("_id").ok()?,
                        b.get_object_id("user_id").ok()?,
                    ))
                })
                .collect()
        };
        let jobs = wanted
            .into_iter()
            .filter_map(|(event, kind)| {
                let user = match event.target_type.as_str() {
                    "booking" => buyers.get(&event.target_id).copied(),
                    _ => ObjectId::parse_str(event.data.get_str("user_id").ok()?).ok(),
                }?;
                let target = (event.target_type.as_str(), event.target_id);
                Some(job(
                    format!("event:{}", event.id),
                    kind,
                    user,
                    target,
                    event.data.clone(),
                ))
            })
            .collect();
        self.insert_jobs(jobs).await
    }

    /// Makes a reminder for each approved reservation and confirmed
    /// booking that starts after `from` and by `until`. Idempotent.
    pub async fn queue_reminders(
        &self,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        let window = doc! { "$gt": to_bson_time(from), "$lte": to_bson_time(until) };
        let reservations: Vec<ReservationDoc> = self
            .collection(RESERVATIONS)
            .find(doc! { "status": "approved", "start": window.clone() })
            .await?
            .try_collect()
            .await?;
        let mut jobs = Vec::new();
        for r in reservations {
            let key = format!(
                "reminder:reservation:{}:{}",
                r.id,
                r.start.timestamp_millis()
            );
            let data = to_document(&r.to_dto())?;
            jobs.push(job(
                key,
                MailKind::Reminder,
                r.user_id,
                ("reservation", r.id),
                data,
            ));
        }
        let performances: Vec<ObjectId> = self
            .collection::<Document>(PERFORMANCES)
            .find(doc! { "starts_at": window })
            .projection(doc! { "_id": 1 })
            .await?
            .try_collect::<Vec<_>>()
            .await?
            .iter()
            .filter_map(|p| p.get_object_id("_id").ok())
            .collect();
        if !performances.is_empty() {
            let mut booking_ids: Vec<ObjectId> = self
                .collection::<Document>(BOOKED_SEATS)
                .find(doc! { "performance_id": { "$in": performances } })
                .projection(doc! { "booking_id": 1 })
                .await?
                .try_collect::<Vec<_>>()
                .await?
                .iter()
                .filter_map(|b| b.get_object_id("booking_id").ok())
                .collect();
            booking_ids.sort();
            booking_ids.dedup();
            let bookings: Vec<BookingDoc> = self
                .collection(BOOKINGS)
                .find(doc! { "_id": { "$in": booking_ids }, "status": "confirmed" })
                .await?
                .try_collect()
                .await?;
            for b in bookings {
                let key = format!(
                    "reminder:booking:{}:{}",
                    b.id,
                    b.starts_at.timestamp_millis()
                );
                let data = to_document(&b.to_dto())?;
                jobs.push(job(
                    key,
                    MailKind::Reminder,
                    b.user_id,
                    ("booking", b.id),
                    data,
                ));
            }
        }
        self.insert_jobs(jobs).await
    }

    /// Whether a reminder's booking or reservation is still on, at the
    /// time the reminder was made for, and still ahead at `now`.
    pub async fn reminder_still_due(
        &self,
        mail: &MailDoc,
        now: DateTime<Utc>,
    ) -> Result<bool, ApiError> {
        let start = mail
            .key
            .rsplit(':')
            .next()
            .and_then(|ms| ms.parse::<i64>().ok());
        let current = match mail.target_type.as_str() {
            "booking" => self
                .collection::<BookingDoc>(BOOKINGS)
                .find_one(doc! { "_id": mail.target_id, "status": "confirmed" })
                .await?
                .map(|b| b.starts_at.timestamp_millis()),
            _ => self
                .collection::<ReservationDoc>(RESERVATIONS)
                .find_one(doc! { "_id": mail.target_id, "status": "approved" })
                .await?
                .map(|r| r.start.timestamp_millis()),
        };
        Ok(current.is_some() && current == start && start > Some(now.timestamp_millis()))
    }

    /// Claims the e-mail due first until `claim_until`; `None` when none is due.
    pub async fn claim_mail(
        &self,
        now: DateTime<Utc>,
        claim_until: DateTime<Utc>,
    ) -> Result<Option<MailDoc>, ApiError> {
        Ok(self
            .mails()
            .find_one_and_update(
                doc! { "status": "pending", "due_at": { "$lte": to_bson_time(now) } },
                doc! {
                    "$set": { "due_at": to_bson_time(claim_until), "claim": ObjectId::new() },
                    "$inc": { "attempts": 1 },
                },
            )
            .sort(doc! { "status": 1, "due_at": 1 })
            .return_document(ReturnDocument::After)
            .await?)
    }

    /// Writes how the attempt on `mail` ended, if its claim still holds.
    pub async fn finish_mail(&self, mail: &MailDoc, outcome: MailOutcome) -> Result<(), ApiError> {
        let now = bson::DateTime::now();
        let mut set = doc! { "finished_at": now };
        if mail.first_attempt_at.is_none() {
            set.insert("first_attempt_at", now);
        }
        let (status, note) = match outcome {
            MailOutcome::Sent { to, subject } => {
                set.insert("to", to);
                set.insert("subject", subject);
                (MailStatus::Sent, None)
            }
            MailOutcome::Logged { to, subject } => {
                set.insert("to", to);
                set.insert("subject", subject);
                (MailStatus::Logged, None)
            }
            MailOutcome::Skipped(why) => (MailStatus::Skipped, Some(why)),
            MailOutcome::Retry { error, at } => {
                set.remove("finished_at");
                set.insert("due_at", to_bson_time(at));
                (MailStatus::Pending, Some(error))
            }
            MailOutcome::Dead(error) => (MailStatus::Dead, Some(error)),
        };
        set.insert(
            "status",
            bson::to_bson(&status).map_err(|e| ApiError::Internal(e.to_string()))?,
        );
        if let Some(note) = note {
            set.insert("note", note);
        }
        self.mails()
            .update_one(
                doc! { "_id": &mail.key, "claim": mail.claim },
                doc! { "$set": set, "$unset": { "claim": "" } },
            )
            .await?;
        Ok(())
    }

    /// The user's e-mail language and muted kinds (`default` language
    /// until they choose).
    pub async fn notification_settings(
        &self,
        user: ObjectId,
        default: Language,
    ) -> Result<NotificationSettings, ApiError> {
        let stored = self
            .collection::<Document>(NOTIFICATION_SETTINGS)
            .find_one(doc! { "_id": user })
            .await?;
        let Some(mut stored) = stored else {
            return Ok(NotificationSettings {
                language: default,
                muted: Vec::new(),
            });
        };
        stored.remove("_id");
        bson::from_document(stored)
            .map_err(|e| ApiError::Internal(format!("stored notification settings: {e}")))
    }

    pub async fn set_notification_settings(
        &self,
        user: ObjectId,
        settings: &NotificationSettings,
    ) -> Result<(), ApiError> {
        let mut stored = to_document(settings)?;
        stored.insert("_id", user);
        self.collection::<Document>(NOTIFICATION_SETTINGS)
            .replace_one(doc! { "_id": user }, stored)
            .upsert(true)
            .await?;
        Ok(())
    }
}
