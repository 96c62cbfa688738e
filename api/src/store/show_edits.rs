//! Changing a show after it was created: its details, and the poster an
//! admin uploads, kept in the database (one document per show) so every
//! instance serves it and a backup holds it.

use bson::oid::ObjectId;
use bson::spec::BinarySubtype;
use bson::{Binary, doc};
use chrono::Duration;
use mongodb::ClientSession;
use mongodb::options::ReturnDocument;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use shared::EventType;

use super::indexes::POSTERS;
use super::outbox::{Actor, Fact, next_version};
use super::shows::{PerformanceDoc, ShowDoc};
use super::{Store, to_bson_time};
use crate::domain::show::NewShow;
use crate::error::ApiError;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PosterDoc {
    /// The show's id.
    #[serde(rename = "_id")]
    pub show_id: ObjectId,
    pub content_type: String,
    pub data: Binary,
    /// Hex SHA-256 of `data`: the `ETag`, and the version in the URL.
    pub sha256: String,
    pub updated_at: bson::DateTime,
}

/// Where an uploaded poster is served; the digest in the query changes
/// with the image, so caches never show an old one.
pub fn poster_path(show: ObjectId, sha256: &str) -> String {
    let version = sha256.get(..16).unwrap_or(sha256);
    format!("/api/v1/shows/{}/poster?v={version}", show.to_hex())
}

impl Store {
    /// Replaces the show's details; its performances take the new title
    /// and running time (so their end). Bookings keep the title they were
    /// bought under.
    pub async fn update_show(
        &self,
        id: ObjectId,
        show: NewShow,
        actor: &Actor,
    ) -> Result<ShowDoc, ApiError> {
        let set = doc! {
            "title": &show.title,
            "poster_url": &show.poster_url,
            "description": &show.description,
            "location": &show.location,
            "running_minutes": show.running_minutes,
        };
        self.transaction(async |session| {
            let updated = self.change_show(session, id, set.clone(), actor).await?;
            self.follow_show(session, &updated).await?;
            Ok(updated)
        })
        .await
    }

    /// Stores `bytes` (checked by `domain::poster`) as the show's poster
    /// and points the show at it.
    pub async fn set_poster(
        &self,
        id: ObjectId,
        content_type: &str,
        bytes: Vec<u8>,
        actor: &Actor,
    ) -> Result<ShowDoc, ApiError> {
        let sha256: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let poster = PosterDoc {
            show_id: id,
            content_type: content_type.to_owned(),
            data: Binary {
                subtype: BinarySubtype::Generic,
                bytes,
            },
            sha256: sha256.clone(),
            updated_at: bson::DateTime::now(),
        };
        let set = doc! { "poster_url": poster_path(id, &sha256) };
        self.transaction(async |session| {
            let updated = self.change_show(session, id, set.clone(), actor).await?;
            self.collection::<PosterDoc>(POSTERS)
                .replace_one(doc! { "_id": id }, &poster)
                .upsert(true)
                .session(&mut *session)
                .await?;
            Ok(updated)
        })
        .await
    }

    /// The show's uploaded poster, if it has one: a public read that may
    /// come from a secondary.
    pub async fn poster(&self, show: ObjectId) -> Result<Option<PosterDoc>, ApiError> {
        Ok(self
            .catalogue_collection::<PosterDoc>(POSTERS)
            .find_one(doc! { "_id": show })
            .await?)
    }

    /// Inside a transaction: the show's performances take its title and
    /// running time.
    async fn follow_show(
        &self,
        session: &mut ClientSession,
        show: &ShowDoc,
    ) -> Result<(), ApiError> {
        let mut cursor = self
            .performances()
            .find(doc! { "show_id": show.id })
            .session(&mut *session)
            .await?;
        let mut performances: Vec<PerformanceDoc> = Vec::new();
        while let Some(performance) = cursor.next(&mut *session).await.transpose()? {
            performances.push(performance);
        }
        let running = Duration::minutes(i64::from(show.running_minutes));
        for performance in performances {
            let ends_at = performance.starts_at.to_chrono() + running;
            self.performances()
                .update_one(
                    doc! { "_id": performance.id },
                    doc! { "$set": {
                        "show_title": &show.title,
                        "ends_at": to_bson_time(ends_at),
                    } },
                )
                .session(&mut *session)
                .await?;
        }
        Ok(())
    }

    /// Inside a transaction: sets `set` on the show, counts the change and
    /// records its `show.updated`; returns the show as changed.
    async fn change_show(
        &self,
        session: &mut ClientSession,
        id: ObjectId,
        set: bson::Document,
        actor: &Actor,
    ) -> Result<ShowDoc, ApiError> {
        let show = self
            .shows()
            .find_one_and_update(
                doc! { "_id": id },
                doc! { "$set": set, "$inc": next_version() },
            )
            .return_document(ReturnDocument::After)
            .session(&mut *session)
            .await?
            .ok_or(ApiError::NotFound("show"))?;
        let dto = crate::catalogue::view::show_dto(show.clone());
        let fact = Fact::new(EventType::ShowUpdated, show.id, show.version, &dto)?;
        self.record_one(session, actor, fact).await?;
        Ok(show)
    }
}
