//! Venues.

use bson::doc;
use bson::oid::ObjectId;
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use shared::{ErrorCode, SectionSpec, Venue, VenueId};

use super::Store;
use super::indexes::VENUES;
use super::outbox::{Actor, Fact};
use crate::domain::venue::NewVenue;
use crate::error::{ApiError, ResultExt};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VenueDoc {
    #[serde(rename = "_id")]
    pub id: ObjectId,
    pub name: String,
    pub name_key: String,
    pub location: String,
    #[serde(default = "crate::store::default_time_zone")]
    pub time_zone: String,
    /// The layout as created; seats are derived from it.
    pub sections: Vec<SectionSpec>,
    pub tiers: Vec<String>,
    pub seat_count: u32,
    pub created_at: bson::DateTime,
}

impl VenueDoc {
    pub fn to_dto(&self) -> Venue {
        Venue {
            id: VenueId(self.id.to_hex()),
            name: self.name.clone(),
            location: self.location.clone(),
            time_zone: self.time_zone.clone(),
            sections: self.sections.clone(),
            tiers: self.tiers.clone(),
            seat_count: self.seat_count,
            created_at: self.created_at.to_chrono(),
        }
    }
}

impl Store {
    fn venues(&self) -> mongodb::Collection<VenueDoc> {
        self.collection(VENUES)
    }

    pub async fn insert_venue(
        &self,
        venue: &NewVenue,
        actor: &Actor,
    ) -> Result<VenueDoc, ApiError> {
        let doc = VenueDoc {
            id: ObjectId::new(),
            name: venue.name.clone(),
            name_key: venue.name.to_lowercase(),
            location: venue.location.clone(),
            time_zone: venue.time_zone.name().to_owned(),
            sections: venue.sections.clone(),
            tiers: venue.tiers.clone(),
            seat_count: venue.seats.len() as u32,
            created_at: bson::DateTime::now(),
        };
        let fact = Fact::new(shared::EventType::VenueCreated, doc.id, 1, &doc.to_dto())?;
        self.transaction(async |session| {
            self.venues()
                .insert_one(&doc)
                .session(&mut *session)
                .await
                .on_duplicate_key(|| {
                    ApiError::conflict(
                        ErrorCode::VenueNameTaken,
                        format!("a venue named `{}` already exists", venue.name),
                    )
                })?;
            self.record_one(session, actor, fact.clone()).await
        })
        .await?;
        Ok(doc)
    }

    pub async fn venue(&self, id: ObjectId) -> Result<Option<VenueDoc>, ApiError> {
        Ok(self.venues().find_one(doc! { "_id": id }).await?)
    }

    pub async fn venue_by_name(&self, name: &str) -> Result<Option<VenueDoc>, ApiError> {
        Ok(self
            .venues()
            .find_one(doc! { "name_key": name.trim().to_lowercase() })
            .await?)
    }

    pub async fn list_venues(&self) -> Result<Vec<Venue>, ApiError> {
        let docs: Vec<VenueDoc> = self
            .venues()
            .find(doc! {})
            .sort(doc! { "name_key": 1 })
            .await?
            .try_collect()
            .await?;
        Ok(docs.iter().map(VenueDoc::to_dto).collect())
    }
}
