//! Reading the archive: newest first, by user, room or show and dates.

use bson::oid::ObjectId;
use bson::{Bson, Document, doc};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use shared::{ArchivedBooking, ArchivedReservation, Page};

use super::{ArchiveDoc, BOOKINGS_ARCHIVE, RESERVATIONS_ARCHIVE, lower};
use crate::domain::page::PageRequest;
use crate::error::ApiError;
use crate::store::Store;
use crate::store::page::{Order, SortField, keyset_page};

/// What an archive search asks for.
#[derive(Debug, Clone, Default)]
pub struct ArchiveSearch {
    pub user: Option<String>,
    /// A room's name or a show's title.
    pub subject: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

impl ArchiveSearch {
    fn filter(&self) -> Document {
        let mut filter = doc! {};
        if let Some(user) = self.user.as_deref().filter(|u| !u.trim().is_empty()) {
            filter.insert("user_key", lower(user));
        }
        if let Some(subject) = self.subject.as_deref().filter(|s| !s.trim().is_empty()) {
            filter.insert("subject_key", lower(subject));
        }
        let mut at = doc! {};
        if let Some(from) = self.from {
            at.insert("$gte", bson::DateTime::from_chrono(from));
        }
        if let Some(to) = self.to {
            at.insert("$lt", bson::DateTime::from_chrono(to));
        }
        if !at.is_empty() {
            filter.insert("at", at);
        }
        filter
    }
}

fn decode<T: DeserializeOwned>(doc: &ArchiveDoc) -> Result<T, ApiError> {
    bson::from_document(doc.record.clone())
        .map_err(|e| ApiError::Internal(format!("archived record {}: {e}", doc.id)))
}

impl Store {
    async fn archive_page<T: DeserializeOwned>(
        &self,
        name: &str,
        search: &ArchiveSearch,
        page: &PageRequest,
    ) -> Result<Page<T>, ApiError> {
        let order = Order {
            field: SortField::Time("at"),
            descending: true,
        };
        let page = keyset_page(
            self.archive(name),
            search.filter(),
            page,
            order,
            |d: &ArchiveDoc| (Bson::DateTime(d.at), d.id),
            |d: &ArchiveDoc| decode::<T>(d),
        )
        .await?;
        Ok(Page {
            items: page.items.into_iter().collect::<Result<_, _>>()?,
            next_cursor: page.next_cursor,
        })
    }

    pub async fn archived_reservations(
        &self,
        search: &ArchiveSearch,
        page: &PageRequest,
    ) -> Result<Page<ArchivedReservation>, ApiError> {
        self.archive_page(RESERVATIONS_ARCHIVE, search, page).await
    }

    pub async fn archived_bookings(
        &self,
        search: &ArchiveSearch,
        page: &PageRequest,
    ) -> Result<Page<ArchivedBooking>, ApiError> {
        self.archive_page(BOOKINGS_ARCHIVE, search, page).await
    }

    pub async fn archived_reservation(
        &self,
        id: ObjectId,
    ) -> Result<Option<ArchivedReservation>, ApiError> {
        let found = self
            .archive(RESERVATIONS_ARCHIVE)
            .find_one(doc! { "_id": id })
            .await?;
        found.as_ref().map(decode).transpose()
    }

    pub async fn archived_booking(
        &self,
        id: ObjectId,
    ) -> Result<Option<ArchivedBooking>, ApiError> {
        let found = self
            .archive(BOOKINGS_ARCHIVE)
            .find_one(doc! { "_id": id })
            .await?;
        found.as_ref().map(decode).transpose()
    }
}
