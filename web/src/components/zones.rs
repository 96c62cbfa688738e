//! Reservations carry no time zone; their rooms do. Lists of reservations
//! load the rooms once to show each time in its room's zone.

use std::collections::HashMap;

use leptos::prelude::*;
use shared::{RoomId, RoomQuery};

use crate::api;
use crate::time;

#[derive(Clone, Copy)]
pub struct RoomZones(LocalResource<HashMap<RoomId, String>>);

impl RoomZones {
    /// Starts loading the rooms (up to 200, the API's page limit).
    pub fn load() -> Self {
        Self(LocalResource::new(|| {
            let call = api::list_rooms(&RoomQuery {
                limit: Some(200),
                ..Default::default()
            });
            async move {
                call.await
                    .map(|page| {
                        page.items
                            .into_iter()
                            .map(|r| (r.id, r.time_zone))
                            .collect()
                    })
                    .unwrap_or_default()
            }
        }))
    }

    /// The room's zone once known; the browser's until then (tracked).
    pub fn of(&self, room: &RoomId) -> String {
        self.0
            .get()
            .and_then(|zones| zones.get(room).cloned())
            .unwrap_or_else(time::browser_zone)
    }
}
