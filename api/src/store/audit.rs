//! The audit log: the outbox's events as admins read them, newest first,
//! each with what it changed (its state against the previous event's of
//! the same target).

use bson::oid::ObjectId;
use bson::{Bson, Document, doc};
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use serde_json::{Map, Value};
use shared::{AuditEntry, EventType, Page};

use super::Store;
use super::outbox::EventDoc;
use super::page::newest_first;
use crate::domain::page::PageRequest;
use crate::error::ApiError;

/// Parsed filters of the audit log.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<ObjectId>,
    pub event_type: Option<EventType>,
    pub target: Option<(String, Option<ObjectId>)>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// The smallest id made in `seconds` since the epoch: ids start with
/// their creation time, so a time range is an id range.
fn id_at(seconds: i64) -> ObjectId {
    let mut bytes = [0u8; 12];
    bytes[..4].copy_from_slice(
        &u32::try_from(seconds.max(0))
            .unwrap_or(u32::MAX)
            .to_be_bytes(),
    );
    ObjectId::from_bytes(bytes)
}

impl AuditFilter {
    fn query(&self) -> Result<Document, ApiError> {
        let mut query = Document::new();
        if let Some(actor) = self.actor {
            query.insert("actor.user_id", actor);
        }
        if let Some(event_type) = self.event_type {
            query.insert("type", event_type.as_str());
        }
        if let Some((target_type, target_id)) = &self.target {
            query.insert("target_type", target_type.as_str());
            if let Some(id) = target_id {
                query.insert("target_id", id);
            }
        }
        // Whole seconds, as ids carry them: `from` rounds down, `to` up.
        let mut range: Vec<Bson> = Vec::new();
        if let Some(from) = self.from {
            range.push(doc! { "_id": { "$gte": id_at(from.timestamp()) } }.into());
        }
        if let Some(to) = self.to {
            let end = to.timestamp() + i64::from(to.timestamp_subsec_nanos() > 0);
            range.push(doc! { "_id": { "$lt": id_at(end) } }.into());
        }
        if !range.is_empty() {
            query.insert("$and", range);
        }
        Ok(query)
    }
}

fn to_json(data: &Document) -> Value {
    Bson::Document(data.clone()).into_relaxed_extjson()
}

/// Top-level fields whose value differs, as `[before, after]`.
fn changes(before: Option<&Value>, after: &Value) -> Map<String, Value> {
    let empty = Map::new();
    let before = before.and_then(Value::as_object).unwrap_or(&empty);
    let after_fields = after.as_object().unwrap_or(&empty);
    let mut keys: Vec<&String> = before.keys().chain(after_fields.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|key| {
            let (old, new) = (
                before.get(key).cloned().unwrap_or(Value::Null),
                after_fields.get(key).cloned().unwrap_or(Value::Null),
            );
            (old != new).then(|| (key.clone(), Value::Array(vec![old, new])))
        })
        .collect()
}

impl Store {
    pub async fn audit_page(
        &self,
        filter: &AuditFilter,
        page: &PageRequest,
    ) -> Result<Page<AuditEntry>, ApiError> {
        let events =
            newest_first(self.events(), filter.query()?, page, |e| e.id, Clone::clone).await?;
        // The state before each change is its target's previous event's.
        let previous: Vec<Bson> = events
            .items
            .iter()
            .filter(|e| e.seq > 1)
            .map(|e| {
                doc! { "target_type": &e.target_type, "target_id": e.target_id, "seq": e.seq - 1 }
                    .into()
            })
            .collect();
        let earlier: Vec<EventDoc> = if previous.is_empty() {
            Vec::new()
        } else {
            self.events()
                .find(doc! { "$or": previous })
                .await?
                .try_collect()
                .await?
        };
        let items = events
            .items
            .iter()
            .map(|event| {
                let data = to_json(&event.data);
                let before = earlier
                    .iter()
                    .find(|e| {
                        e.target_type == event.target_type
                            && e.target_id == event.target_id
                            && e.seq == event.seq - 1
                    })
                    .map(|e| to_json(&e.data));
                AuditEntry {
                    id: event.id.to_hex(),
                    event_type: event.event_type,
                    target_type: event.target_type.clone(),
                    target_id: event.target_id.to_hex(),
                    seq: event.seq,
                    actor: event.actor.to_dto(),
                    occurred_at: event.occurred_at.to_chrono(),
                    changes: changes(before.as_ref(), &data),
                    data,
                }
            })
            .collect();
        Ok(Page {
            items,
            next_cursor: events.next_cursor,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changes_name_only_the_fields_that_differ() {
        let before = json!({"status": "pending", "purpose": "stand-up"});
        let after = json!({"status": "approved", "purpose": "stand-up"});

        let changed = changes(Some(&before), &after);

        assert_eq!(changed.len(), 1);
        assert_eq!(changed["status"], json!(["pending", "approved"]));
    }

    #[test]
    fn a_first_change_shows_every_field_as_new() {
        let changed = changes(None, &json!({"name": "A101"}));

        assert_eq!(changed["name"], json!([null, "A101"]));
    }

    #[test]
    fn a_time_range_becomes_an_id_range_in_whole_seconds() {
        assert_eq!(id_at(1).timestamp().timestamp_millis(), 1000);
        assert_eq!(id_at(-5), id_at(0));
    }
}
