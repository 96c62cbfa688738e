//! What an import (`import/`) reads to meet its source with the database.

use bson::{doc, oid::ObjectId};
use chrono::{DateTime, Utc};
use futures::TryStreamExt;

use super::reservations::ReservationDoc;
use super::rooms::RoomDoc;
use super::users::UserDoc;
use super::{Store, to_bson_time};
use crate::error::ApiError;

impl Store {
    pub async fn users_by_email_keys(&self, keys: &[String]) -> Result<Vec<UserDoc>, ApiError> {
        Ok(self
            .users()
            .find(doc! { "email_key": { "$in": keys } })
            .await?
            .try_collect()
            .await?)
    }

    pub async fn users_by_ids(&self, ids: &[ObjectId]) -> Result<Vec<UserDoc>, ApiError> {
        Ok(self
            .users()
            .find(doc! { "_id": { "$in": ids } })
            .await?
            .try_collect()
            .await?)
    }

    pub async fn rooms_by_name_keys(&self, keys: &[String]) -> Result<Vec<RoomDoc>, ApiError> {
        Ok(self
            .rooms()
            .find(doc! { "name_key": { "$in": keys } })
            .await?
            .try_collect()
            .await?)
    }

    /// The reservations imported under any of `refs`.
    pub async fn reservations_imported_as(
        &self,
        refs: &[String],
    ) -> Result<Vec<ReservationDoc>, ApiError> {
        let mut found = Vec::new();
        // Bounded queries: an export may hold many thousand rows.
        for chunk in refs.chunks(1000) {
            let part: Vec<ReservationDoc> = self
                .reservations()
                .find(doc! { "import_ref": { "$in": chunk } })
                .await?
                .try_collect()
                .await?;
            found.extend(part);
        }
        Ok(found)
    }

    /// The reservations holding time in `room` within `[from, to)`.
    pub async fn reservations_holding(
        &self,
        room: ObjectId,
        (from, to): (DateTime<Utc>, DateTime<Utc>),
        longest: chrono::Duration,
    ) -> Result<Vec<ReservationDoc>, ApiError> {
        Ok(self
            .reservations()
            .find(doc! {
                "room_id": room,
                "status": { "$in": ["approved", "pending"] },
                "start": { "$gte": to_bson_time(from - longest), "$lt": to_bson_time(to) },
                "end": { "$gt": to_bson_time(from) },
            })
            .await?
            .try_collect()
            .await?)
    }
}

impl Store {
    /// Marks a user or room an import created with its `source:key`.
    pub async fn mark_imported(
        &self,
        collection: &str,
        id: ObjectId,
        reference: &str,
    ) -> Result<(), ApiError> {
        self.collection::<bson::Document>(collection)
            .update_one(
                doc! { "_id": id },
                doc! { "$set": { "import_ref": reference } },
            )
            .await?;
        Ok(())
    }

    /// For each stored document whose `key_field` is one of `keys`: the
    /// import that created it, if one did.
    pub async fn import_refs(
        &self,
        collection: &str,
        key_field: &str,
        keys: &[String],
    ) -> Result<std::collections::HashMap<String, Option<String>>, ApiError> {
        let found: Vec<bson::Document> = self
            .collection::<bson::Document>(collection)
            .find(doc! { key_field: { "$in": keys } })
            .projection(doc! { key_field: 1, "import_ref": 1 })
            .await?
            .try_collect()
            .await?;
        Ok(found
            .iter()
            .filter_map(|d| {
                let key = d.get_str(key_field).ok()?.to_owned();
                Some((key, d.get_str("import_ref").ok().map(str::to_owned)))
            })
            .collect())
    }
}
