//! Loads the meeting-room demo data set (users, rooms, reservations).
//! Idempotent: whatever already exists is left as it is.

use super::demo_actor;
use std::path::Path;

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;
use shared::{CreateRoom, ErrorCode, ReservationStatus, Role};

use crate::auth::password::HashCost;
use crate::configuration::Settings;
use crate::domain::room::NewRoom;
use crate::domain::user::{Email, Password};
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::store::Store;
use crate::store::reservations::ReservationDraft;

#[derive(Debug, Deserialize)]
struct DataSet {
    users: Vec<SeedUser>,
    rooms: Vec<CreateRoom>,
    reservations: Vec<SeedReservation>,
}

#[derive(Debug, Deserialize)]
struct SeedUser {
    name: String,
    email: String,
    role: Role,
    password: String,
}

#[derive(Debug, Deserialize)]
struct SeedReservation {
    user_email: String,
    room: String,
    start: DateTime<FixedOffset>,
    end: DateTime<FixedOffset>,
    status: ReservationStatus,
    purpose: String,
}

#[derive(Debug, Default)]
struct Counts {
    users: usize,
    rooms: usize,
    reservations: usize,
}

pub async fn load_file(settings: &Settings, path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let data: DataSet = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let metrics = Metrics::new().map_err(|e| e.to_string())?;
    let store = Store::connect_for_command(&settings.database, metrics)
        .await
        .map_err(|e| e.to_string())?;
    store.ensure_indexes().await.map_err(|e| e.to_string())?;
    let cost = HashCost::from_settings(&settings.auth);
    let counts = load(&store, cost, data).await.map_err(|e| e.to_string())?;
    tracing::info!(
        users = counts.users,
        rooms = counts.rooms,
        reservations = counts.reservations,
        "demo data loaded (existing entries kept)"
    );
    Ok(())
}

async fn load(store: &Store, cost: HashCost, data: DataSet) -> Result<Counts, ApiError> {
    let mut counts = Counts::default();
    for user in data.users {
        let email = Email::parse(&user.email)?;
        if store.user_by_email(&email.key).await?.is_none() {
            let password = Password::parse(&user.password)?;
            let hash = cost.hash(&password.0)?;
            match store
                .insert_user(&email, &user.name, hash, user.role, &demo_actor())
                .await
            {
                Ok(_) => counts.users += 1,
                Err(ApiError::Conflict {
                    code: ErrorCode::EmailTaken,
                    ..
                }) => {}
                Err(e) => return Err(e),
            }
        }
    }
    for room in data.rooms {
        if store.room_by_name(&room.name).await?.is_none() {
            match store
                .insert_room(NewRoom::try_from(room)?, &demo_actor())
                .await
            {
                Ok(_) => counts.rooms += 1,
                Err(ApiError::Conflict {
                    code: ErrorCode::RoomNameTaken,
                    ..
                }) => {}
                Err(e) => return Err(e),
            }
        }
    }
    let mut touched = Vec::new();
    for r in data.reservations {
        let missing =
            |what: &str| ApiError::Internal(format!("demo reservation refers to unknown {what}"));
        let user = store
            .user_by_email(&Email::parse(&r.user_email)?.key)
            .await?
            .ok_or_else(|| missing("user"))?;
        let room = store
            .room_by_name(&r.room)
            .await?
            .ok_or_else(|| missing("room"))?;
        let (start, end) = (r.start.to_utc(), r.end.to_utc());
        if store
            .reservation_exists(room.id, user.id, start, end)
            .await?
        {
            continue;
        }
        let draft = ReservationDraft {
            room_id: room.id,
            user_id: user.id,
            user_name: user.name.clone(),
            start,
            end,
            purpose: r.purpose,
            status: Some(r.status),
            import_ref: None,
        };
        // Demo reservations may lie in the past, so only overlap is enforced.
        match store
            .create_reservation(&draft, &room, |_| Ok(()), &demo_actor())
            .await
        {
            Ok(_) => {
                counts.reservations += 1;
                touched.push(room.id);
            }
            Err(ApiError::SlotTaken { message, .. }) => {
                tracing::warn!(%message, "demo reservation skipped");
            }
            Err(e) => return Err(e),
        }
    }
    // Reservations in the past bypass the occupancy roll-ups: those rooms
    // are sealed again from their reservations.
    if !touched.is_empty() {
        touched.dedup();
        store.reset_occupancy(&touched).await?;
    }
    Ok(counts)
}
