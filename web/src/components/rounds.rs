//! A round counter that a timer moves on: a resource that tracks it asks
//! again each round. One timer at most is pending, and leaving the page
//! (the owner) clears it.

use std::time::Duration;

use leptos::prelude::*;

#[derive(Debug, Clone, Copy)]
pub struct Rounds {
    round: RwSignal<u32>,
    timer: StoredValue<Option<TimeoutHandle>>,
}

impl Rounds {
    pub fn new() -> Self {
        let rounds = Self {
            round: RwSignal::new(0),
            timer: StoredValue::new(None),
        };
        on_cleanup(move || rounds.cancel());
        rounds
    }

    /// The current round (tracked).
    pub fn get(&self) -> u32 {
        self.round.get()
    }

    /// Starts the next round after `after`, instead of any already planned.
    pub fn next_in(&self, after: Duration) {
        self.cancel();
        let round = self.round;
        let next = set_timeout_with_handle(
            move || {
                round.try_update(|n| *n += 1);
            },
            after,
        );
        self.timer.try_set_value(next.ok());
    }

    fn cancel(&self) {
        if let Some(Some(timer)) = self.timer.try_get_value() {
            timer.clear();
        }
    }
}
