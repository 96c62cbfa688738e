//! Reconciliation: every derived fact re-derived from its source of truth.
//!
//! | derived fact                      | source of truth                        |
//! |-----------------------------------|----------------------------------------|
//! | seat states (`seats`)             | confirmed bookings and live holds      |
//! | booked-seat guards (`booked_seats`) | confirmed bookings                   |
//! | seat-limit guards (`seat_guards`) | confirmed bookings and live holds      |
//! | a performance's `total_seats`     | its seat documents                     |
//! | room cells (`room_slots`)         | active reservations                    |
//! | wallet balances                   | their ledgers                          |
//! | sealed occupancy days (`occupancy_days`) | approved reservations           |
//!
//! Each check runs in two steps so it can run beside live traffic: a
//! scan of whole collections finds the targets (performances, rooms,
//! wallets) that look wrong, then each of those is read again in one
//! snapshot transaction, judged again, and (with `repair`) fixed in that
//! same transaction. A booking that commits between the scan's reads is
//! seen whole by the second look, and a fix that races a booking meets a
//! write conflict and is tried again on the newer state, so a busy sale
//! yields no false drift and no fix ever undoes a booking.
//!
//! Fixes change derived data only. Drift whose only fix would change a
//! source of truth (a seat in two confirmed bookings, two active
//! reservations over one cell, a wallet without its document) is
//! reported, never "repaired".

mod fixes;
mod occupancy;
mod rooms;
mod seat_check;
mod seats;
mod wallets;

use std::collections::BTreeMap;

use bson::oid::ObjectId;
use bson::{Document, doc};
use chrono::Utc;
use futures::TryStreamExt;
use mongodb::ClientSession;
use serde::de::DeserializeOwned;
use shared::{Drift, DriftKind, ReconcileCounts, ReconcileTrigger, Reconciliation};

use super::indexes::RECONCILIATIONS;
use super::{Store, to_document};
use crate::error::ApiError;
use fixes::Fix;

/// Drifts kept in a run's report; `drift_count` counts them all.
pub const MAX_REPORTED: usize = 1000;

/// One disagreement and, when only derived data needs to change, its fix.
struct Finding {
    kind: DriftKind,
    detail: String,
    fix: Option<Fix>,
    /// The source documents (collection, id) the fix was judged from. The
    /// repair writes a mark on each, so that a change to any of them (a
    /// cancellation, a confirmation) committing meanwhile conflicts with
    /// the repair, which is then judged again, instead of both committing.
    relies_on: Vec<(&'static str, ObjectId)>,
}

impl Finding {
    fn new(kind: DriftKind, detail: String, fix: Option<Fix>) -> Self {
        Self {
            kind,
            detail,
            fix,
            relies_on: Vec::new(),
        }
    }

    fn relying_on(mut self, collection: &'static str, id: ObjectId) -> Self {
        self.relies_on.push((collection, id));
        self
    }
}

/// Inside the judging transaction: applies every fix, each after marking
/// the documents it relies on.
async fn repair(
    store: &Store,
    session: &mut ClientSession,
    findings: &[Finding],
) -> Result<(), ApiError> {
    let now = bson::DateTime::now();
    for finding in findings {
        let Some(fix) = &finding.fix else { continue };
        for (collection, id) in &finding.relies_on {
            store
                .collection::<Document>(collection)
                .update_one(
                    doc! { "_id": id },
                    doc! { "$set": { "reconciled_at": now } },
                )
                .session(&mut *session)
                .await?;
        }
        fix.apply(store, session).await?;
    }
    Ok(())
}

/// What a run has found so far.
struct Tally {
    repair: bool,
    checked: ReconcileCounts,
    drifts: Vec<Drift>,
    count: u64,
    by_kind: BTreeMap<DriftKind, u64>,
    repaired: u64,
}

impl Tally {
    fn add(&mut self, target_type: &str, target: ObjectId, findings: Vec<Finding>, repaired: bool) {
        for finding in findings {
            self.count += 1;
            *self.by_kind.entry(finding.kind).or_default() += 1;
            let repaired = repaired && finding.fix.is_some();
            self.repaired += u64::from(repaired);
            if self.drifts.len() < MAX_REPORTED {
                self.drifts.push(Drift {
                    kind: finding.kind,
                    target_type: target_type.to_owned(),
                    target_id: target.to_hex(),
                    detail: finding.detail,
                    repaired,
                });
            }
        }
    }
}

impl Store {
    /// Checks every derived fact against its source of truth; with
    /// `repair`, fixes the derived data that drifted. The run is not
    /// stored: see [`Store::record_reconciliation`].
    pub async fn reconcile(
        &self,
        repair: bool,
        trigger: ReconcileTrigger,
    ) -> Result<Reconciliation, ApiError> {
        let started_at = Utc::now();
        let mut tally = Tally {
            repair,
            checked: ReconcileCounts::default(),
            drifts: Vec::new(),
            count: 0,
            by_kind: BTreeMap::new(),
            repaired: 0,
        };
        self.reconcile_performances(&mut tally).await?;
        self.reconcile_rooms(&mut tally).await?;
        self.reconcile_occupancy(&mut tally).await?;
        self.reconcile_wallets(&mut tally).await?;
        Ok(Reconciliation {
            id: ObjectId::new().to_hex(),
            trigger,
            repair,
            started_at,
            finished_at: Utc::now(),
            checked: tally.checked,
            drifts: tally.drifts,
            drift_count: tally.count,
            drift_by_kind: tally.by_kind,
            repaired_count: tally.repaired,
        })
    }

    /// Keeps a run for the admin page and the metrics of every instance.
    pub async fn record_reconciliation(&self, run: &Reconciliation) -> Result<(), ApiError> {
        let mut stored = to_document(run)?;
        stored.remove("id");
        let id = ObjectId::parse_str(&run.id)
            .map_err(|e| ApiError::Internal(format!("reconciliation id: {e}")))?;
        stored.insert("_id", id);
        self.collection::<Document>(RECONCILIATIONS)
            .insert_one(stored)
            .await?;
        Ok(())
    }

    /// The latest `limit` runs, newest first.
    pub async fn reconciliations(&self, limit: i64) -> Result<Vec<Reconciliation>, ApiError> {
        let stored: Vec<Document> = self
            .collection::<Document>(RECONCILIATIONS)
            .find(doc! {})
            .sort(doc! { "_id": -1 })
            .limit(limit)
            .await?
            .try_collect()
            .await?;
        stored
            .into_iter()
            .map(|mut run| {
                let id = run
                    .get_object_id("_id")
                    .map_err(|e| ApiError::Internal(format!("stored reconciliation: {e}")))?;
                run.insert("id", id.to_hex());
                bson::from_document(run)
                    .map_err(|e| ApiError::Internal(format!("stored reconciliation: {e}")))
            })
            .collect()
    }
}

/// Every document of `collection` matching `filter`, read in `session`.
pub(crate) async fn read_in<T>(
    store: &Store,
    session: &mut ClientSession,
    collection: &str,
    filter: Document,
) -> Result<Vec<T>, ApiError>
where
    T: DeserializeOwned + Send + Sync,
{
    let mut cursor = store
        .collection::<T>(collection)
        .find(filter)
        .session(&mut *session)
        .await?;
    let mut all = Vec::new();
    while let Some(item) = cursor.next(&mut *session).await.transpose()? {
        all.push(item);
    }
    Ok(all)
}

/// Every document of `collection` matching `filter`, outside any session.
async fn read_all<T>(store: &Store, collection: &str, filter: Document) -> Result<Vec<T>, ApiError>
where
    T: DeserializeOwned + Send + Sync,
{
    Ok(store
        .collection::<T>(collection)
        .find(filter)
        .await?
        .try_collect()
        .await?)
}
