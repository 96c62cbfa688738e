//! What the seat-map page knows about every seat and the user's picks.
//! The map's shape is drawn once; each poll only changes seat states here,
//! so focus and selection survive the refreshes.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use shared::{SeatEvent, SeatMap, SeatState};

/// One seat as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatStatus {
    pub tier: String,
    pub price: u32,
    pub state: SeatState,
    /// The caller holds or booked it.
    pub mine: bool,
    /// For a hold the live stream announced: when it runs out.
    pub held_until: Option<DateTime<Utc>>,
}

impl SeatStatus {
    pub fn is_available(&self) -> bool {
        self.state == SeatState::Available
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Board {
    /// Every seat by label, as of the last seat map (or what we just did).
    pub seats: RwSignal<HashMap<String, SeatStatus>>,
    /// The user's picks, in the order picked.
    pub selected: RwSignal<Vec<String>>,
    /// Picks someone else took first; shown until the next attempt.
    pub lost: RwSignal<Vec<String>>,
    /// The most seats one person may have of this performance, counting
    /// those already held or booked, once the server has said.
    pub limit: Signal<Option<u32>>,
    /// A pick was refused for the limit; cleared by the next change.
    pub refused: RwSignal<bool>,
}

impl Board {
    pub fn new(selected: Vec<String>, limit: Signal<Option<u32>>) -> Self {
        Self {
            seats: RwSignal::new(HashMap::new()),
            selected: RwSignal::new(selected),
            lost: RwSignal::new(Vec::new()),
            limit,
            refused: RwSignal::new(false),
        }
    }

    /// Takes in a fresh seat map. Picks that are no longer available leave
    /// the selection and are reported as lost.
    pub fn apply(&self, map: &SeatMap) {
        let seats: HashMap<String, SeatStatus> = map
            .sections
            .iter()
            .flat_map(|s| &s.rows)
            .flat_map(|r| &r.seats)
            .map(|seat| {
                let status = SeatStatus {
                    tier: seat.tier.clone(),
                    price: seat.price,
                    state: seat.state,
                    mine: seat.mine,
                    held_until: None,
                };
                (seat.label.clone(), status)
            })
            .collect();
        let gone = lost_picks(&self.selected.get_untracked(), &seats);
        self.seats.set(seats);
        self.drop_picks(gone);
    }

    /// Takes in one seat's change from the live stream. A pick someone
    /// else took leaves the selection and is reported as lost.
    pub fn patch(&self, event: &SeatEvent) {
        self.seats.update(|seats| {
            if let Some(seat) = seats.get_mut(&event.label) {
                seat.state = event.state;
                seat.mine = event.mine;
                seat.held_until = event.held_until;
            }
        });
        // A hold that runs out changes nothing in the database until the
        // server's sweep; the seat is free from `held_until` on, so show it
        // free then unless something newer came about it.
        if let (SeatState::Held, Some(until)) = (event.state, event.held_until) {
            let board = *self;
            let label = event.label.clone();
            let wait = (until - crate::time::now()).to_std().unwrap_or_default()
                + std::time::Duration::from_millis(250);
            set_timeout(move || board.hold_ran_out(&label, until), wait);
        }
        let taken = event.state != SeatState::Available && !event.mine;
        if taken && self.is_selected_untracked(&event.label) {
            self.drop_picks(vec![event.label.clone()]);
        }
    }

    fn hold_ran_out(&self, label: &str, until: DateTime<Utc>) {
        self.seats.try_update(|seats| {
            if let Some(seat) = seats.get_mut(label)
                && seat.state == SeatState::Held
                && seat.held_until == Some(until)
            {
                seat.state = SeatState::Available;
                seat.mine = false;
                seat.held_until = None;
            }
        });
    }

    fn is_selected_untracked(&self, label: &str) -> bool {
        self.selected
            .with_untracked(|picked| picked.iter().any(|l| l == label))
    }

    /// Marks seats as taken at once, before the next poll confirms it.
    pub fn mark(&self, labels: &[String], state: SeatState, mine: bool) {
        self.seats.update(|seats| {
            for label in labels {
                if let Some(seat) = seats.get_mut(label) {
                    seat.state = state;
                    seat.mine = mine;
                    seat.held_until = None;
                }
            }
        });
        self.refused.set(false);
        let gone: Vec<String> = if mine { Vec::new() } else { labels.to_vec() };
        self.selected
            .update(|picked| picked.retain(|l| !labels.contains(l)));
        if !gone.is_empty() {
            self.lost.set(gone);
        }
    }

    fn drop_picks(&self, gone: Vec<String>) {
        if gone.is_empty() {
            return;
        }
        self.selected
            .update(|picked| picked.retain(|l| !gone.contains(l)));
        self.lost.set(gone);
    }

    /// Picks or unpicks an available seat; taken seats do nothing, and a
    /// pick beyond the limit is refused (see [`Board::refused`]).
    pub fn toggle(&self, label: &str) {
        let available = self
            .seats
            .with_untracked(|s| s.get(label).is_some_and(SeatStatus::is_available));
        if !available {
            return;
        }
        let picked = self
            .selected
            .with_untracked(|p| p.iter().any(|l| l == label));
        let full = self.limit.get_untracked().is_some_and(|max| {
            let owned = self.seats.with_untracked(owned);
            let count = self.selected.with_untracked(Vec::len) as u32;
            owned + count >= max
        });
        if !picked && full {
            self.refused.set(true);
            return;
        }
        self.refused.set(false);
        self.selected.update(|picks| {
            if picked {
                picks.retain(|l| l != label);
            } else {
                picks.push(label.to_owned());
            }
        });
    }

    /// Seats the caller already holds or booked (tracked).
    pub fn owned(&self) -> u32 {
        self.seats.with(owned)
    }

    pub fn is_selected(&self, label: &str) -> bool {
        self.selected
            .with(|picked| picked.iter().any(|l| l == label))
    }

    /// The price of every pick (tracked).
    pub fn total(&self) -> u32 {
        let seats = self.seats;
        self.selected.with(|picked| {
            seats.with(|seats| {
                picked
                    .iter()
                    .filter_map(|l| seats.get(l))
                    .map(|s| s.price)
                    .sum()
            })
        })
    }

    /// How many seats are free now (tracked).
    pub fn available(&self) -> u32 {
        self.seats
            .with(|s| s.values().filter(|s| s.is_available()).count() as u32)
    }
}

fn owned(seats: &HashMap<String, SeatStatus>) -> u32 {
    seats
        .values()
        .filter(|s| s.mine && !s.is_available())
        .count() as u32
}

/// The picks that `seats` no longer shows as available.
fn lost_picks(picked: &[String], seats: &HashMap<String, SeatStatus>) -> Vec<String> {
    picked
        .iter()
        .filter(|l| !seats.get(*l).is_some_and(SeatStatus::is_available))
        .cloned()
        .collect()
}
