//! Stores a plan: users, then rooms, then reservations, each through the
//! product's own store functions, so every reservation claims its cells
//! like one made in the app and an overlap is still impossible.

use std::collections::HashMap;

use futures::StreamExt;
use shared::ErrorCode;

use super::plan::{Plan, Planned};
use super::records::Invalid;
use crate::error::ApiError;
use crate::store::Store;
use crate::store::indexes::{ROOMS, USERS};
use crate::store::outbox::Actor;
use crate::store::reservations::ReservationDraft;
use crate::store::rooms::RoomDoc;

/// Reservations stored at once.
const IN_FLIGHT: usize = 4;

/// What a run stored; reservations another run stored meanwhile count as
/// present.
#[derive(Debug, Default, Clone, Copy)]
pub struct Written {
    pub users: usize,
    pub rooms: usize,
    pub reservations: usize,
    /// Found stored by the time they were written (another run, the app).
    pub raced: usize,
}

pub fn actor() -> Actor {
    Actor::system("import")
}

/// Writes `plan`. A reservation whose time was taken meanwhile moves to
/// `plan.conflicting`.
pub async fn write(store: &Store, plan: &mut Plan) -> Result<Written, ApiError> {
    let mut written = Written::default();
    for user in &plan.users {
        // No password: the account signs in through single sign-on (the
        // product has no way yet for an admin to give it one).
        match store
            .insert_user(&user.email, &user.name, String::new(), user.role, &actor())
            .await
        {
            Ok(created) => {
                let reference = format!("{}:{}", plan.source, user.key);
                store.mark_imported(USERS, created.id, &reference).await?;
                written.users += 1;
            }
            Err(ApiError::Conflict {
                code: ErrorCode::EmailTaken,
                ..
            }) => written.raced += 1,
            Err(e) => return Err(e),
        }
    }
    for room in &plan.rooms {
        match store.insert_room(room.room.clone(), &actor()).await {
            Ok(created) => {
                let id = bson::oid::ObjectId::parse_str(&created.id.0)
                    .map_err(|e| ApiError::Internal(format!("a new room's id: {e}")))?;
                let reference = format!("{}:{}", plan.source, room.key);
                store.mark_imported(ROOMS, id, &reference).await?;
                written.rooms += 1;
            }
            Err(ApiError::Conflict {
                code: ErrorCode::RoomNameTaken,
                ..
            }) => written.raced += 1,
            Err(e) => return Err(e),
        }
    }
    let mut emails: Vec<String> = plan
        .reservations
        .iter()
        .map(|r| r.email_key.clone())
        .collect();
    emails.sort_unstable();
    emails.dedup();
    let users: HashMap<String, (bson::oid::ObjectId, String)> = store
        .users_by_email_keys(&emails)
        .await?
        .into_iter()
        .map(|u| (u.email_key, (u.id, u.name)))
        .collect();
    let mut names: Vec<String> = plan
        .reservations
        .iter()
        .map(|r| r.room_key.clone())
        .collect();
    names.sort_unstable();
    names.dedup();
    let rooms: HashMap<String, RoomDoc> = store
        .rooms_by_name_keys(&names)
        .await?
        .into_iter()
        .map(|r| (r.name_key.clone(), r))
        .collect();
    let outcomes: Vec<(Planned, Result<bool, ApiError>)> =
        futures::stream::iter(plan.reservations.iter().cloned())
            .map(|r| {
                let (users, rooms) = (&users, &rooms);
                async move {
                    let outcome = store_one(store, &r, users, rooms).await;
                    (r, outcome)
                }
            })
            .buffer_unordered(IN_FLIGHT)
            .collect()
            .await;
    let mut touched = Vec::new();
    for (r, outcome) in outcomes {
        match outcome {
            Ok(true) => {
                written.reservations += 1;
                if let Some(room) = rooms.get(&r.room_key) {
                    touched.push(room.id);
                }
            }
            Ok(false) => written.raced += 1,
            Err(ApiError::SlotTaken { message, .. }) => plan.conflicting.push(Invalid {
                entity: "reservation",
                at: r.at.clone(),
                problem: format!("room {} was taken meanwhile: {message}", r.room_name),
            }),
            Err(e) => return Err(e),
        }
    }
    // Reservations in the past bypass the occupancy roll-ups: those rooms
    // are sealed again from their reservations.
    touched.sort_unstable();
    touched.dedup();
    if !touched.is_empty() {
        store.reset_occupancy(&touched).await?;
    }
    Ok(written)
}

/// Stores one reservation; `false` when an earlier run stored it.
async fn store_one(
    store: &Store,
    r: &Planned,
    users: &HashMap<String, (bson::oid::ObjectId, String)>,
    rooms: &HashMap<String, RoomDoc>,
) -> Result<bool, ApiError> {
    let (user_id, user_name) = users
        .get(&r.email_key)
        .cloned()
        .ok_or_else(|| ApiError::Internal(format!("imported user {} vanished", r.email_key)))?;
    let room = rooms
        .get(&r.room_key)
        .ok_or_else(|| ApiError::Internal(format!("imported room {} vanished", r.room_key)))?;
    let draft = ReservationDraft {
        room_id: room.id,
        user_id,
        user_name,
        start: r.start,
        end: r.end,
        purpose: r.purpose.clone(),
        status: Some(r.status),
        import_ref: Some(r.reference.clone()),
    };
    match store
        .create_reservation(&draft, room, |_| Ok(()), &actor())
        .await
    {
        Ok(_) => Ok(true),
        Err(ApiError::SlotTaken { .. })
            if !store
                .reservations_imported_as(std::slice::from_ref(&r.reference))
                .await?
                .is_empty() =>
        {
            Ok(false)
        }
        Err(e) => Err(e),
    }
}
