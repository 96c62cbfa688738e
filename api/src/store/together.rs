//! Inserts into several collections in few round trips.
//!
//! A booking stores its `booked_seats` records, ledger entry, booking and
//! events; a hold itself and its event; a reservation its cells, itself
//! and its event. They go as one `bulkWrite` command (MongoDB 8.0 and
//! later): one round trip inside the transaction instead of one per
//! collection, which is what keeps the outbox from slowing bookings down.
//! When the inserts open the transaction (a reservation's), the first
//! collection's documents go as a plain `insert` before the rest:
//! SecantusDB refuses the read concern a transaction's first command
//! carries on a `bulkWrite`.
//! Older servers get the same inserts one collection at a time, in the
//! same order.

use bson::Document;
use mongodb::ClientSession;
use mongodb::options::InsertOneModel;

use super::Store;

/// The first wire version with the `bulkWrite` command (MongoDB 8.0).
const BULK_WRITE_WIRE_VERSION: i32 = 25;

impl Store {
    /// Whether the server takes `bulkWrite`; asked once, with `hello`.
    async fn has_bulk_write(&self) -> Result<bool, mongodb::error::Error> {
        self.bulk_write
            .get_or_try_init(|| async {
                let hello = self.db.run_command(bson::doc! { "hello": 1 }).await?;
                let wire = hello
                    .get_i32("maxWireVersion")
                    .or_else(|_| hello.get_i64("maxWireVersion").map(|v| v as i32))
                    .unwrap_or(0);
                Ok(wire >= BULK_WRITE_WIRE_VERSION)
            })
            .await
            .copied()
    }

    /// Inside a transaction: inserts `documents`, each into its
    /// collection, in order; the first failure (a duplicate key, say)
    /// stops the rest and is returned as the driver reports it. `opened`:
    /// the transaction has run a command already, so all of them may go
    /// as one `bulkWrite`.
    pub async fn insert_together(
        &self,
        session: &mut ClientSession,
        documents: Vec<(&'static str, Document)>,
        opened: bool,
    ) -> Result<(), mongodb::error::Error> {
        let mut runs: Vec<(&'static str, Vec<Document>)> = Vec::new();
        for (collection, document) in documents {
            match runs.last_mut() {
                Some((last, docs)) if *last == collection => docs.push(document),
                _ => runs.push((collection, vec![document])),
            }
        }
        let bulk = self.has_bulk_write().await?;
        let mut runs = runs.into_iter();
        if !(opened && bulk)
            && let Some((collection, docs)) = runs.next()
        {
            self.db
                .collection::<Document>(collection)
                .insert_many(docs)
                .session(&mut *session)
                .await?;
        }
        if bulk {
            let models: Vec<InsertOneModel> = runs
                .flat_map(|(collection, docs)| {
                    let namespace = self.db.collection::<Document>(collection).namespace();
                    docs.into_iter().map(move |document| {
                        InsertOneModel::builder()
                            .namespace(namespace.clone())
                            .document(document)
                            .build()
                    })
                })
                .collect();
            if !models.is_empty() {
                self.client
                    .bulk_write(models)
                    .ordered(true)
                    .session(&mut *session)
                    .await?;
            }
            return Ok(());
        }
        for (collection, docs) in runs {
            self.db
                .collection::<Document>(collection)
                .insert_many(docs)
                .session(&mut *session)
                .await?;
        }
        Ok(())
    }
}
