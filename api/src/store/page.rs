//! Keyset pagination: every list is sorted by one field and then `_id`,
//! and a page's cursor is the last item's sort value and id, so pages stay
//! right while documents come and go.

use bson::oid::ObjectId;
use bson::{Bson, Document, doc};
use futures::TryStreamExt;
use mongodb::Collection;
use serde::de::DeserializeOwned;
use shared::Page;

use crate::domain::page::{PageRequest, encode_cursor};
use crate::error::ApiError;

/// The field a list is sorted by, with how its values travel in a cursor.
#[derive(Debug, Clone, Copy)]
pub enum SortField {
    /// A string field, carried as is.
    Text(&'static str),
    /// A date field, carried as milliseconds since the epoch.
    Time(&'static str),
}

/// A list's order: its field, then `_id`, both the same way.
#[derive(Debug, Clone, Copy)]
pub struct Order {
    pub field: SortField,
    pub descending: bool,
}

impl Order {
    pub fn ascending(field: SortField) -> Self {
        Self {
            field,
            descending: false,
        }
    }

    fn name(self) -> &'static str {
        match self.field {
            SortField::Text(name) | SortField::Time(name) => name,
        }
    }

    fn decode(self, key: &str) -> Option<Bson> {
        match self.field {
            SortField::Text(_) => Some(Bson::String(key.to_owned())),
            SortField::Time(_) => key
                .parse()
                .ok()
                .map(|millis| Bson::DateTime(bson::DateTime::from_millis(millis))),
        }
    }
}

/// How a sort value is written into a cursor (the inverse of
/// [`Order::decode`]).
fn encode_key(value: &Bson) -> String {
    match value {
        Bson::DateTime(time) => time.timestamp_millis().to_string(),
        Bson::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn invalid_cursor() -> ApiError {
    ApiError::unacceptable("cursor", "is not a cursor this list returned")
}

/// One page of the documents matching `filter` in `order`; `key_of` gives a
/// document's sort value and id.
pub async fn keyset_page<D, T>(
    collection: Collection<D>,
    mut filter: Document,
    page: &PageRequest,
    order: Order,
    key_of: impl Fn(&D) -> (Bson, ObjectId),
    to_dto: impl Fn(&D) -> T,
) -> Result<Page<T>, ApiError>
where
    D: DeserializeOwned + Send + Sync,
{
    let field = order.name();
    let op = if order.descending { "$lt" } else { "$gt" };
    if let Some((key, id)) = &page.after {
        let id = ObjectId::parse_str(id).map_err(|_| invalid_cursor())?;
        let value = order.decode(key).ok_or_else(invalid_cursor)?;
        let position = doc! {
            "$or": [
                { field: { op: value.clone() } },
                { field: value, "_id": { op: id } },
            ]
        };
        match filter.get_array_mut("$and") {
            Ok(and) => and.push(position.into()),
            Err(_) => {
                filter.insert("$and", vec![Bson::Document(position)]);
            }
        }
    }
    let direction = if order.descending { -1 } else { 1 };
    let docs = fetch(
        collection,
        filter,
        doc! { field: direction, "_id": direction },
        page,
    )
    .await?;
    Ok(paginate(docs, page.limit, |d| {
        let (value, id) = key_of(d);
        (encode_cursor(&encode_key(&value), &id.to_hex()), to_dto(d))
    }))
}

/// One page of the documents matching `filter`, newest `_id` first; the
/// cursor is the last `_id` shown.
pub async fn newest_first<D, T>(
    collection: Collection<D>,
    mut filter: Document,
    page: &PageRequest,
    id_of: impl Fn(&D) -> ObjectId,
    to_dto: impl Fn(&D) -> T,
) -> Result<Page<T>, ApiError>
where
    D: DeserializeOwned + Send + Sync,
{
    if let Some((_, id)) = &page.after {
        let id = ObjectId::parse_str(id).map_err(|_| invalid_cursor())?;
        filter.insert("_id", doc! { "$lt": id });
    }
    let docs = fetch(collection, filter, doc! { "_id": -1 }, page).await?;
    Ok(paginate(docs, page.limit, |d| {
        (encode_cursor("id", &id_of(d).to_hex()), to_dto(d))
    }))
}

/// A page's documents and one more, which says whether another page follows.
async fn fetch<D>(
    collection: Collection<D>,
    filter: Document,
    sort: Document,
    page: &PageRequest,
) -> Result<Vec<D>, ApiError>
where
    D: DeserializeOwned + Send + Sync,
{
    Ok(collection
        .find(filter)
        .sort(sort)
        .limit(i64::from(page.limit) + 1)
        .await?
        .try_collect()
        .await?)
}

/// Splits a `limit + 1` fetch into a page and the next cursor.
fn paginate<D, T>(
    mut docs: Vec<D>,
    limit: u32,
    mut convert: impl FnMut(&D) -> (String, T),
) -> Page<T> {
    let more = docs.len() > limit as usize;
    docs.truncate(limit as usize);
    let mut next_cursor = None;
    let items = docs
        .iter()
        .map(|d| {
            let (cursor, item) = convert(d);
            next_cursor = Some(cursor);
            item
        })
        .collect();
    Page {
        items,
        next_cursor: if more { next_cursor } else { None },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_keys_round_trip_for_text_and_time() {
        let time = bson::DateTime::from_millis(1_790_000_000_123);
        let by_time = Order::ascending(SortField::Time("start"));
        let by_text = Order::ascending(SortField::Text("name_key"));

        assert_eq!(
            by_time.decode(&encode_key(&Bson::DateTime(time))),
            Some(Bson::DateTime(time))
        );
        assert_eq!(
            by_text.decode(&encode_key(&Bson::from("a1"))),
            Some(Bson::from("a1"))
        );
        assert_eq!(by_time.decode("yesterday"), None);
    }
}
