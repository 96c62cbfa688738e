//! The least a booking and a reservation can cost the database: the same
//! documents written in one transaction with the driver, with the same
//! write concern as the API (majority, journaled) and nothing else: no
//! seat limit, no second-line index, no idempotency, no HTTP.

use std::time::Duration;

use mongodb::bson::oid::ObjectId;
use mongodb::bson::{Document, doc};
use mongodb::options::{Acknowledgment, ReadConcern, TransactionOptions, WriteConcern};
use mongodb::{Client, Collection, Database};

pub struct Raw {
    client: Client,
    db: Database,
}

impl Raw {
    pub async fn connect(uri: &str, db: &str) -> Raw {
        let client = Client::with_uri_str(uri).await.expect("raw client");
        let db = client.database(db);
        Raw { client, db }
    }

    fn options() -> TransactionOptions {
        TransactionOptions::builder()
            .read_concern(ReadConcern::snapshot())
            .write_concern(
                WriteConcern::builder()
                    .w(Acknowledgment::Majority)
                    .journal(true)
                    .build(),
            )
            .build()
    }

    /// Runs `body` in a transaction, retrying it on transient errors as
    /// the driver's documentation prescribes.
    async fn transaction(
        &self,
        body: impl AsyncFn(&mut mongodb::ClientSession) -> mongodb::error::Result<bool>,
    ) -> bool {
        let mut session = self.client.start_session().await.expect("session");
        for _ in 0..20 {
            session
                .start_transaction()
                .with_options(Self::options())
                .await
                .expect("start");
            let outcome = match body(&mut session).await {
                Ok(true) => session.commit_transaction().await.map(|()| true),
                Ok(false) => {
                    let _ = session.abort_transaction().await;
                    return false;
                }
                Err(e) => Err(e),
            };
            match outcome {
                Ok(done) => return done,
                Err(e) if e.contains_label(mongodb::error::TRANSIENT_TRANSACTION_ERROR) => {
                    let _ = session.abort_transaction().await;
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                Err(e) => panic!("raw transaction: {e}"),
            }
        }
        false
    }

    fn coll(&self, name: &str) -> Collection<Document> {
        self.db.collection(name)
    }

    /// (e) Books `label` of `performance` for `user`: the seat, the
    /// booking, the wallet debit and the ledger entry.
    pub async fn book(
        &self,
        performance: ObjectId,
        label: &str,
        user: ObjectId,
        price: i64,
    ) -> bool {
        let (seats, bookings) = (self.coll("raw_seats"), self.coll("raw_bookings"));
        let (wallets, ledger) = (self.coll("raw_wallets"), self.coll("raw_ledger"));
        self.transaction(async |session| {
            let booking = ObjectId::new();
            let free = doc! { "$ne": ["$state", "booked"] };
            let seat = seats
                .update_one(
                    doc! { "performance_id": performance, "label": label },
                    vec![doc! { "$set": {
                        "state": { "$cond": [free.clone(), "booked", "$state"] },
                        "booking_id": { "$cond": [free, booking, "$booking_id"] },
                    } }],
                )
                .session(&mut *session)
                .await?;
            if seat.modified_count != 1 {
                return Ok(false);
            }
            bookings
                .insert_one(doc! {
                    "_id": booking, "user_id": user, "performance_id": performance,
                    "seats": [label], "total": price, "status": "confirmed",
                })
                .session(&mut *session)
                .await?;
            let wallet = wallets
                .update_one(
                    doc! { "_id": user },
                    vec![doc! { "$set": { "balance": { "$cond": [
                        { "$gte": ["$balance", price] },
                        { "$subtract": ["$balance", price] },
                        "$balance",
                    ] } } }],
                )
                .session(&mut *session)
                .await?;
            if wallet.modified_count != 1 {
                return Ok(false);
            }
            ledger
                .insert_one(doc! { "user_id": user, "amount": -price, "booking_id": booking })
                .session(&mut *session)
                .await?;
            Ok(true)
        })
        .await
    }

    /// Gives `user` a wallet to pay from in [`Raw::book`].
    pub async fn fund(&self, user: ObjectId, balance: i64) {
        self.coll("raw_wallets")
            .update_one(
                doc! { "_id": user },
                doc! { "$set": { "balance": balance } },
            )
            .upsert(true)
            .await
            .expect("wallet");
    }

    /// Lays out `labels` of `performance` as available seats.
    pub async fn seats(&self, performance: ObjectId, labels: &[String]) {
        let docs: Vec<Document> = labels
            .iter()
            .map(|l| doc! { "performance_id": performance, "label": l, "state": "available" })
            .collect();
        self.coll("raw_seats")
            .insert_many(docs)
            .await
            .expect("seats");
    }

    /// Creates the indexes the raw transactions rely on, as the API's.
    pub async fn prepare(&self) {
        for (name, keys) in [
            ("raw_seats", doc! { "performance_id": 1, "label": 1 }),
            ("raw_cells", doc! { "room_id": 1, "cell": 1 }),
        ] {
            self.coll(name)
                .create_index(
                    mongodb::IndexModel::builder()
                        .keys(keys)
                        .options(
                            mongodb::options::IndexOptions::builder()
                                .unique(true)
                                .build(),
                        )
                        .build(),
                )
                .await
                .expect("index");
        }
    }

    /// (f) Reserves `cells` five-minute cells of `room` from `start`: the
    /// reservation and its cells.
    pub async fn reserve(
        &self,
        room: ObjectId,
        start: chrono::DateTime<chrono::Utc>,
        cells: i64,
    ) -> bool {
        let (reservations, slots) = (self.coll("raw_reservations"), self.coll("raw_cells"));
        self.transaction(async |session| {
            let id = ObjectId::new();
            let docs: Vec<Document> = (0..cells)
                .map(|i| {
                    let cell = start + chrono::Duration::minutes(5 * i);
                    doc! { "room_id": room, "cell": mongodb::bson::DateTime::from_chrono(cell), "reservation_id": id }
                })
                .collect();
            slots.insert_many(docs).session(&mut *session).await?;
            reservations
                .insert_one(doc! {
                    "_id": id, "room_id": room, "start": mongodb::bson::DateTime::from_chrono(start),
                    "status": "approved", "purpose": "raw",
                })
                .session(&mut *session)
                .await?;
            Ok(true)
        })
        .await
    }
}
