//! Venues.

use std::collections::BTreeMap;

use bson::doc;
use bson::oid::ObjectId;
use futures::TryStreamExt;
use mongodb::ClientSession;
use mongodb::options::ReturnDocument;
use serde::{Deserialize, Serialize};
use shared::{CreateVenue, ErrorCode, SectionSpec, Venue, VenueId};

use super::Store;
use super::indexes::VENUES;
use super::outbox::{Actor, Fact, next_version};
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
    /// As chosen; tiers left out take the palette (`domain::venue::colors`).
    #[serde(default)]
    pub tier_colors: BTreeMap<String, String>,
    pub created_at: bson::DateTime,
    /// Counts its changes; its events' `seq`.
    #[serde(default = "first_version")]
    pub version: i64,
    /// Performances scheduled here, ever: creating one writes it, so that
    /// creation and a change of the seats cannot pass each other unseen.
    #[serde(default)]
    pub performances: i64,
}

fn first_version() -> i64 {
    1
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
            tier_colors: crate::domain::venue::colors(&self.tiers, self.tier_colors.clone())
                .unwrap_or_default(),
            seat_count: self.seat_count,
            created_at: self.created_at.to_chrono(),
        }
    }

    /// The stored layout, expanded to its seats again.
    pub fn layout(&self) -> Result<NewVenue, ApiError> {
        NewVenue::try_from(CreateVenue {
            name: self.name.clone(),
            location: self.location.clone(),
            time_zone: Some(self.time_zone.clone()),
            sections: self.sections.clone(),
            tier_colors: self.tier_colors.clone(),
        })
        .map_err(|e| {
            ApiError::Internal(format!(
                "stored venue {} is invalid: {}",
                self.id, e.message
            ))
        })
    }
}

fn name_taken(name: &str) -> ApiError {
    ApiError::conflict(
        ErrorCode::VenueNameTaken,
        format!("a venue named `{name}` already exists"),
    )
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
            tier_colors: venue.tier_colors.clone(),
            created_at: bson::DateTime::now(),
            version: 1,
            performances: 0,
        };
        let fact = Fact::new(shared::EventType::VenueCreated, doc.id, 1, &doc.to_dto())?;
        self.transaction(async |session| {
            self.venues()
                .insert_one(&doc)
                .session(&mut *session)
                .await
                .on_duplicate_key(|| name_taken(&venue.name))?;
            self.record_one(session, actor, fact.clone()).await
        })
        .await?;
        Ok(doc)
    }

    /// Replaces the venue's details and seat map. While performances here
    /// are on sale or yet to be played (not cancelled, not over), its seats,
    /// tier colours and time zone stay as they are; its name and location
    /// may change (performances keep the venue name they were announced
    /// under, as bookings keep their show's title).
    pub async fn update_venue(
        &self,
        id: ObjectId,
        venue: &NewVenue,
        actor: &Actor,
    ) -> Result<VenueDoc, ApiError> {
        let set = doc! {
            "name": &venue.name,
            "name_key": venue.name.to_lowercase(),
            "location": &venue.location,
            "time_zone": venue.time_zone.name(),
            "sections": bson::to_bson(&venue.sections).map_err(|e| ApiError::Internal(e.to_string()))?,
            "tiers": &venue.tiers,
            "seat_count": venue.seats.len() as u32,
            "tier_colors": bson::to_bson(&venue.tier_colors).map_err(|e| ApiError::Internal(e.to_string()))?,
        };
        self.transaction(async |session| {
            let current = self
                .venues()
                .find_one(doc! { "_id": id })
                .session(&mut *session)
                .await?
                .ok_or(ApiError::NotFound("venue"))?;
            let seats_change = current.sections != venue.sections
                || current.time_zone != venue.time_zone.name()
                || current.to_dto().tier_colors != venue.tier_colors;
            if seats_change {
                self.refuse_if_in_use(session, &current).await?;
            }
            let updated = self
                .venues()
                .find_one_and_update(
                    doc! { "_id": id },
                    doc! { "$set": set.clone(), "$inc": next_version() },
                )
                .return_document(ReturnDocument::After)
                .session(&mut *session)
                .await
                .on_duplicate_key(|| name_taken(&venue.name))?
                .ok_or(ApiError::NotFound("venue"))?;
            let fact = Fact::new(
                shared::EventType::VenueUpdated,
                id,
                updated.version,
                &updated.to_dto(),
            )?;
            self.record_one(session, actor, fact).await?;
            Ok(updated)
        })
        .await
    }

    /// Inside a transaction: `409 venue_in_use` when performances at the
    /// venue are on sale or yet to be played.
    async fn refuse_if_in_use(
        &self,
        session: &mut ClientSession,
        venue: &VenueDoc,
    ) -> Result<(), ApiError> {
        let upcoming = self
            .performances()
            .count_documents(doc! {
                "venue_id": venue.id,
                "ends_at": { "$gt": bson::DateTime::now() },
                "cancelled_at": { "$exists": false },
            })
            .session(&mut *session)
            .await?;
        if upcoming > 0 {
            return Err(ApiError::conflict(
                ErrorCode::VenueInUse,
                format!(
                    "{} has {upcoming} performance(s) on sale or yet to be played; \
                     its seats, tier colours and time zone cannot change until they are over or cancelled",
                    venue.name
                ),
            ));
        }
        Ok(())
    }

    /// Inside a transaction: counts a performance scheduled at the venue
    /// and returns the venue as the transaction sees it.
    pub(super) async fn touch_venue(
        &self,
        session: &mut ClientSession,
        id: ObjectId,
    ) -> Result<VenueDoc, ApiError> {
        self.venues()
            .find_one_and_update(
                doc! { "_id": id },
                doc! { "$inc": { "performances": 1_i64 } },
            )
            .return_document(ReturnDocument::After)
            .session(&mut *session)
            .await?
            .ok_or(ApiError::NotFound("venue"))
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
