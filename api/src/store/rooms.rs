//! Rooms.

use bson::oid::ObjectId;
use bson::{Document, doc};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared::{ErrorCode, EventType, Page, Room, RoomId};

use super::indexes::{ROOM_SLOTS, ROOMS};
use super::outbox::{Actor, Fact, next_version};
use super::page::{Order, SortField, keyset_page};
use super::{Store, regex_escape, to_bson_time};
use crate::domain::page::PageRequest;
use crate::domain::reservation::cell_floor;
use crate::domain::room::{NewRoom, RoomChanges, name_key};
use crate::error::{ApiError, ResultExt};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RoomDoc {
    #[serde(rename = "_id")]
    pub id: ObjectId,
    pub name: String,
    pub name_key: String,
    pub location: String,
    pub capacity: u32,
    pub has_projector: bool,
    pub notes: String,
    pub time_zone: String,
    pub requires_approval: bool,
    pub slot_minutes: u32,
    pub created_at: bson::DateTime,
    pub updated_at: bson::DateTime,
    /// Counts its changes; its events' `seq` (`store/outbox.rs`).
    #[serde(default)]
    pub version: i64,
}

impl RoomDoc {
    pub fn to_dto(&self) -> Room {
        Room {
            id: RoomId(self.id.to_hex()),
            name: self.name.clone(),
            location: self.location.clone(),
            capacity: self.capacity,
            has_projector: self.has_projector,
            notes: self.notes.clone(),
            time_zone: self.time_zone.clone(),
            requires_approval: self.requires_approval,
            slot_minutes: self.slot_minutes,
            created_at: self.created_at.to_chrono(),
            updated_at: self.updated_at.to_chrono(),
        }
    }
}

/// Parsed filters of the room list.
#[derive(Debug, Default)]
pub struct RoomFilter {
    pub min_capacity: Option<u32>,
    pub has_projector: Option<bool>,
    pub location: Option<String>,
    pub free_between: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

fn name_taken(name: &str) -> ApiError {
    ApiError::conflict(
        ErrorCode::RoomNameTaken,
        format!("a room named `{name}` already exists"),
    )
}

impl Store {
    pub(crate) fn rooms(&self) -> mongodb::Collection<RoomDoc> {
        self.collection(ROOMS)
    }

    pub async fn insert_room(&self, room: NewRoom, actor: &Actor) -> Result<Room, ApiError> {
        let now = bson::DateTime::now();
        let doc = RoomDoc {
            id: ObjectId::new(),
            name_key: name_key(&room.name),
            name: room.name,
            location: room.location,
            capacity: room.capacity,
            has_projector: room.has_projector,
            notes: room.notes,
            time_zone: room.time_zone.name().to_owned(),
            requires_approval: room.requires_approval,
            slot_minutes: room.slot_minutes,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let dto = doc.to_dto();
        let fact = Fact::new(EventType::RoomCreated, doc.id, 1, &dto)?;
        self.transaction(async |session| {
            self.rooms()
                .insert_one(&doc)
                .session(&mut *session)
                .await
                .on_duplicate_key(|| name_taken(&doc.name))?;
            self.record_one(session, actor, fact.clone()).await
        })
        .await?;
        Ok(dto)
    }

    pub async fn room(&self, id: ObjectId) -> Result<Option<RoomDoc>, ApiError> {
        Ok(self.rooms().find_one(doc! { "_id": id }).await?)
    }

    pub async fn room_by_name(&self, name: &str) -> Result<Option<RoomDoc>, ApiError> {
        Ok(self
            .rooms()
            .find_one(doc! { "name_key": name_key(name) })
            .await?)
    }

    /// Rooms matching every filter, ordered by name. A public catalogue
    /// read: it may come from a secondary (`database.read_preference`).
    pub async fn list_rooms(
        &self,
        filter: &RoomFilter,
        page: &PageRequest,
    ) -> Result<Page<Room>, ApiError> {
        let mut query = Document::new();
        if let Some(min) = filter.min_capacity {
            query.insert("capacity", doc! { "$gte": min });
        }
        if let Some(projector) = filter.has_projector {
            query.insert("has_projector", projector);
        }
        if let Some(location) = &filter.location {
            query.insert(
                "location",
                doc! { "$regex": regex_escape(location), "$options": "i" },
            );
        }
        if let Some((from, to)) = filter.free_between {
            let busy = self
                .catalogue_collection::<Document>(ROOM_SLOTS)
                .distinct(
                    "room_id",
                    doc! { "cell": { "$gte": to_bson_time(cell_floor(from)), "$lt": to_bson_time(to) } },
                )
                .await?;
            query.insert("_id", doc! { "$nin": busy });
        }
        keyset_page(
            self.catalogue_collection::<RoomDoc>(ROOMS),
            query,
            page,
            Order::ascending(SortField::Text("name_key")),
            |r| (r.name_key.clone().into(), r.id),
            RoomDoc::to_dto,
        )
        .await
    }

    pub async fn update_room(
        &self,
        id: ObjectId,
        changes: RoomChanges,
        actor: &Actor,
    ) -> Result<Room, ApiError> {
        let mut set = doc! { "updated_at": bson::DateTime::now() };
        if let Some(name) = &changes.name {
            set.insert("name", name);
            set.insert("name_key", name_key(name));
        }
        if let Some(location) = changes.location {
            set.insert("location", location);
        }
        if let Some(capacity) = changes.capacity {
            set.insert("capacity", capacity);
        }
        if let Some(projector) = changes.has_projector {
            set.insert("has_projector", projector);
        }
        if let Some(notes) = changes.notes {
            set.insert("notes", notes);
        }
        if let Some(tz) = changes.time_zone {
            set.insert("time_zone", tz.name());
        }
        if let Some(approval) = changes.requires_approval {
            set.insert("requires_approval", approval);
        }
        if let Some(slot) = changes.slot_minutes {
            set.insert("slot_minutes", slot);
        }
        let name = changes.name.as_deref().unwrap_or_default();
        self.transaction(async |session| {
            let updated = self
                .rooms()
                .find_one_and_update(
                    doc! { "_id": id },
                    doc! { "$set": set.clone(), "$inc": next_version() },
                )
                .return_document(mongodb::options::ReturnDocument::After)
                .session(&mut *session)
                .await
                .on_duplicate_key(|| name_taken(name))?
                .ok_or(ApiError::NotFound("room"))?;
            let dto = updated.to_dto();
            let fact = Fact::new(EventType::RoomUpdated, id, updated.version, &dto)?;
            self.record_one(session, actor, fact).await?;
            Ok(dto)
        })
        .await
    }
}
