//! Leases: one instance at a time does a job, judged by the database's
//! clock, and another takes over once the holder stops renewing.

use bson::{Document, doc};
use chrono::{DateTime, Duration, Utc};

use super::indexes::LEASES;
use super::{Store, to_bson_time};
use crate::error::{ApiError, is_duplicate_key};

impl Store {
    /// Takes or renews lease `name` for `holder` until `ttl` from the
    /// database's now. Returns that now while `holder` has the lease,
    /// `None` while another holder's lease runs.
    pub async fn acquire_lease(
        &self,
        name: &str,
        holder: &str,
        ttl: Duration,
    ) -> Result<Option<DateTime<Utc>>, ApiError> {
        let now = self.server_time().await?;
        let free_or_mine = doc! {
            "_id": name,
            "$or": [
                { "holder": holder },
                { "until": { "$lte": to_bson_time(now) } },
            ],
        };
        let taken = self
            .collection::<Document>(LEASES)
            .update_one(
                free_or_mine,
                doc! { "$set": { "holder": holder, "until": to_bson_time(now + ttl) } },
            )
            .upsert(true)
            .await;
        match taken {
            Ok(_) => Ok(Some(now)),
            // The lease exists and runs for another holder: the upsert's
            // insert met the existing `_id`.
            Err(e) if is_duplicate_key(&e) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Gives the lease up at once (on shutdown), if `holder` has it.
    pub async fn release_lease(&self, name: &str, holder: &str) -> Result<(), ApiError> {
        self.collection::<Document>(LEASES)
            .delete_one(doc! { "_id": name, "holder": holder })
            .await?;
        Ok(())
    }
}
