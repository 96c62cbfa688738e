//! Points wallets and their ledger. Every balance change is a conditional
//! update plus a ledger entry in one transaction, so the balance is never
//! negative and always equals the sum of its ledger.

use bson::doc;
use bson::oid::ObjectId;
use futures::TryStreamExt;
use mongodb::ClientSession;
use mongodb::options::ReturnDocument;
use serde::{Deserialize, Serialize};
use shared::{BookingId, ErrorCode, EventType, LedgerEntry, LedgerKind, Page, Wallet};

use super::Store;
use super::indexes::{LEDGER, WALLETS};
use super::outbox::{Actor, Fact};
use super::page::newest_first;
use crate::domain::booking::IdempotencyKey;
use crate::domain::page::PageRequest;
use crate::error::{ApiError, is_duplicate_key};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WalletDoc {
    /// The owner's user id.
    #[serde(rename = "_id")]
    pub user_id: ObjectId,
    pub balance: i64,
    pub updated_at: bson::DateTime,
    /// Counts its changes; its events' `seq` (`store/outbox.rs`).
    #[serde(default)]
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LedgerDoc {
    #[serde(rename = "_id")]
    pub id: ObjectId,
    pub user_id: ObjectId,
    pub amount: i64,
    pub kind: LedgerKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking_id: Option<ObjectId>,
    pub balance_after: i64,
    /// Unique: a booking is paid once and refunded once.
    pub entry_key: String,
    pub created_at: bson::DateTime,
}

impl LedgerDoc {
    fn to_dto(&self) -> LedgerEntry {
        LedgerEntry {
            id: self.id.to_hex(),
            amount: self.amount,
            kind: self.kind,
            booking_id: self.booking_id.map(|b| BookingId(b.to_hex())),
            balance_after: self.balance_after,
            created_at: self.created_at.to_chrono(),
        }
    }
}

/// One balance change to apply inside a transaction.
pub struct Movement {
    pub user_id: ObjectId,
    pub amount: i64,
    pub kind: LedgerKind,
    pub booking_id: Option<ObjectId>,
    pub entry_key: String,
}

impl Store {
    fn wallets(&self) -> mongodb::Collection<WalletDoc> {
        self.collection(WALLETS)
    }

    fn ledger(&self) -> mongodb::Collection<LedgerDoc> {
        self.collection(LEDGER)
    }

    /// Applies a movement inside the caller's transaction, ledger entry
    /// included. Returns the wallet and the event for the caller to record.
    pub async fn move_points(
        &self,
        session: &mut ClientSession,
        movement: Movement,
    ) -> Result<(Wallet, Fact), ApiError> {
        let (wallet, entry, fact) = self.move_balance(session, movement).await?;
        self.ledger()
            .insert_one(&entry)
            .session(&mut *session)
            .await?;
        Ok((wallet, fact))
    }

    /// Changes the balance inside the caller's transaction and returns
    /// the ledger entry for the caller to insert (with its other writes)
    /// and the event to record. A debit only happens while the balance
    /// covers it (`409 insufficient_points`).
    pub async fn move_balance(
        &self,
        session: &mut ClientSession,
        movement: Movement,
    ) -> Result<(Wallet, LedgerDoc, Fact), ApiError> {
        let now = bson::DateTime::now();
        let wallet = if movement.amount < 0 {
            self.wallets()
                .find_one_and_update(
                    doc! { "_id": movement.user_id, "balance": { "$gte": -movement.amount } },
                    doc! {
                        "$inc": { "balance": movement.amount, "version": 1_i64 },
                        "$set": { "updated_at": now },
                    },
                )
                .return_document(ReturnDocument::After)
                .session(&mut *session)
                .await?
                .ok_or_else(|| {
                    ApiError::conflict(
                        ErrorCode::InsufficientPoints,
                        format!(
                            "your balance does not cover {} points; charge your wallet first",
                            -movement.amount
                        ),
                    )
                })?
        } else {
            self.wallets()
                .find_one_and_update(
                    doc! { "_id": movement.user_id },
                    doc! {
                        "$inc": { "balance": movement.amount, "version": 1_i64 },
                        "$set": { "updated_at": now },
                    },
                )
                .upsert(true)
                .return_document(ReturnDocument::After)
                .session(&mut *session)
                .await?
                .ok_or_else(|| ApiError::Internal("upserted wallet not returned".into()))?
        };
        let entry = LedgerDoc {
            id: ObjectId::new(),
            user_id: movement.user_id,
            amount: movement.amount,
            kind: movement.kind,
            booking_id: movement.booking_id,
            balance_after: wallet.balance,
            entry_key: movement.entry_key,
            created_at: now,
        };
        let event_type = match entry.kind {
            LedgerKind::Charge => EventType::WalletCharged,
            LedgerKind::Payment => EventType::WalletDebited,
            LedgerKind::Refund => EventType::WalletRefunded,
        };
        let fact = Fact::new(event_type, entry.user_id, wallet.version, &entry.to_dto())?;
        let wallet = Wallet {
            balance: wallet.balance,
            updated_at: Some(wallet.updated_at.to_chrono()),
        };
        Ok((wallet, entry, fact))
    }

    pub async fn wallet(&self, user_id: ObjectId) -> Result<Wallet, ApiError> {
        let wallet = self.wallets().find_one(doc! { "_id": user_id }).await?;
        Ok(Wallet {
            balance: wallet.as_ref().map_or(0, |w| w.balance),
            updated_at: wallet.map(|w| w.updated_at.to_chrono()),
        })
    }

    /// Adds points. `entry_key` makes the charge happen at most once.
    pub async fn charge(
        &self,
        user_id: ObjectId,
        amount: i64,
        entry_key: String,
        (idempotency, actor): (Option<&IdempotencyKey>, &Actor),
    ) -> Result<Wallet, ApiError> {
        self.transaction(async |session| {
            let (wallet, fact) = self
                .move_points(
                    session,
                    Movement {
                        user_id,
                        amount,
                        kind: LedgerKind::Charge,
                        booking_id: None,
                        entry_key: entry_key.clone(),
                    },
                )
                .await?;
            self.record_one(session, actor, fact).await?;
            self.record_response(session, idempotency, 200, &wallet)
                .await?;
            Ok(wallet)
        })
        .await
    }

    /// Gives every existing account `points` once (demo data): a second
    /// run finds the grant's ledger key taken and skips it. Returns how many
    /// accounts were granted points now.
    pub async fn grant_demo_points(&self, points: i64) -> Result<u32, ApiError> {
        let users: Vec<bson::Document> = self
            .collection::<bson::Document>(super::indexes::USERS)
            .find(doc! {})
            .projection(doc! { "_id": 1 })
            .await?
            .try_collect()
            .await?;
        let mut granted = 0;
        for user in users {
            let id = user
                .get_object_id("_id")
                .map_err(|e| ApiError::Internal(format!("user without id: {e}")))?;
            let actor = Actor::system("demo-data");
            match self
                .charge(
                    id,
                    points,
                    format!("demo-grant:{}", id.to_hex()),
                    (None, &actor),
                )
                .await
            {
                Ok(_) => granted += 1,
                Err(ApiError::Database(e)) if is_duplicate_key(&e) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(granted)
    }

    /// Newest entries first.
    pub async fn ledger_page(
        &self,
        user_id: ObjectId,
        page: &PageRequest,
    ) -> Result<Page<LedgerEntry>, ApiError> {
        newest_first(
            self.ledger(),
            doc! { "user_id": user_id },
            page,
            |e| e.id,
            LedgerDoc::to_dto,
        )
        .await
    }
}
