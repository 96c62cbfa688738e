//! Takes turns, on this instance, among requests for the same seats.
//!
//! Correctness never depends on this: the database decides every seat. It
//! only keeps a rush on one seat from becoming a storm of transactions that
//! all conflict with the one that will win, which slowed that winner (and
//! so every loser's answer) by seconds. Requests for other seats never
//! wait: seats map to one of many stripes, not to one lock. A request that
//! had to wait first looks at the seats, so the losers of a rush are told
//! at once instead of each running a doomed transaction.

use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::Mutex as SyncMutex;
use std::time::{Duration, Instant};

use bson::oid::ObjectId;
use tokio::sync::{Mutex, MutexGuard};

pub struct SeatQueue {
    stripes: Box<[Mutex<()>]>,
    /// Past this, a request stops queueing and lets the database decide.
    patience: Duration,
    /// Seats taken through this instance, and when: a request that was
    /// already waiting when its seats were taken is refused without asking
    /// the database. Its refusal is true as of that moment, which fell
    /// within the request. (The losers of a 1000-request rush each read
    /// the seats in turn otherwise: 0.8 s for the last of them.)
    taken: SyncMutex<HashMap<(ObjectId, String), Instant>>,
}

/// How long a record of a taken seat is kept: longer than any wait.
const REMEMBERED: Duration = Duration::from_secs(60);

/// A request's turn at its seats, held until dropped.
pub struct Turn<'a> {
    _guards: Vec<MutexGuard<'a, ()>>,
    /// Whether another request for one of these seats went first.
    pub waited: bool,
}

impl SeatQueue {
    pub fn new(stripes: usize, patience: Duration) -> Self {
        Self {
            stripes: (0..stripes.max(1)).map(|_| Mutex::new(())).collect(),
            patience,
            taken: SyncMutex::new(HashMap::new()),
        }
    }

    /// Records that `labels` of `performance` were just taken.
    pub fn record_taken(&self, performance: ObjectId, labels: &[String]) {
        let now = Instant::now();
        let mut taken = self
            .taken
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if taken.len() > 10_000 {
            taken.retain(|_, at| now.duration_since(*at) < REMEMBERED);
        }
        for label in labels {
            taken.insert((performance, label.clone()), now);
        }
    }

    /// Which of `labels` were taken through this instance after `since`.
    pub fn taken_since(
        &self,
        performance: ObjectId,
        labels: &[String],
        since: Instant,
    ) -> Vec<String> {
        let taken = self
            .taken
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        labels
            .iter()
            .filter(|l| {
                taken
                    .get(&(performance, (*l).clone()))
                    .is_some_and(|at| *at > since)
            })
            .cloned()
            .collect()
    }

    fn stripe(&self, performance: ObjectId, label: &str) -> usize {
        let mut hasher = DefaultHasher::new();
        performance.bytes().hash(&mut hasher);
        label.hash(&mut hasher);
        (hasher.finish() % self.stripes.len() as u64) as usize
    }

    /// Waits until no other request on this instance is taking any of
    /// these seats. Stripes are taken in ascending order, so two requests
    /// can never wait for each other.
    pub async fn turn(&self, performance: ObjectId, labels: &[String]) -> Turn<'_> {
        let mut stripes: Vec<usize> = labels.iter().map(|l| self.stripe(performance, l)).collect();
        stripes.sort_unstable();
        stripes.dedup();
        let mut guards = Vec::with_capacity(stripes.len());
        let mut waited = false;
        for index in stripes {
            let stripe = &self.stripes[index];
            if let Ok(guard) = stripe.try_lock() {
                guards.push(guard);
                continue;
            }
            waited = true;
            match tokio::time::timeout(self.patience, stripe.lock()).await {
                Ok(guard) => guards.push(guard),
                // Something is slow (the database, most likely): stop
                // queueing rather than make every request wait in line.
                Err(_) => {
                    return Turn {
                        _guards: Vec::new(),
                        waited,
                    };
                }
            }
        }
        Turn {
            _guards: guards,
            waited,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seats(labels: &[&str]) -> Vec<String> {
        labels.iter().map(|s| (*s).to_owned()).collect()
    }

    #[tokio::test]
    async fn a_second_request_for_a_seat_waits_for_the_first() {
        let queue = SeatQueue::new(64, Duration::from_secs(5));
        let performance = ObjectId::new();
        let first = queue.turn(performance, &seats(&["A1"])).await;
        assert!(!first.waited);

        let wanted = seats(&["A1", "A2"]);
        let second = queue.turn(performance, &wanted);
        tokio::pin!(second);
        assert!(
            tokio::time::timeout(Duration::from_millis(50), &mut second)
                .await
                .is_err(),
            "the second request must wait"
        );
        drop(first);
        assert!(second.await.waited);
    }

    #[test]
    fn only_seats_taken_after_a_request_arrived_refuse_it() {
        let queue = SeatQueue::new(4, Duration::from_secs(5));
        let performance = ObjectId::new();
        queue.record_taken(performance, &seats(&["A1"]));
        let arrived = Instant::now();
        std::thread::sleep(Duration::from_millis(2));
        queue.record_taken(performance, &seats(&["A2"]));

        let wanted = seats(&["A1", "A2", "A3"]);
        assert_eq!(
            queue.taken_since(performance, &wanted, arrived),
            seats(&["A2"])
        );
        assert!(
            queue
                .taken_since(ObjectId::new(), &wanted, arrived)
                .is_empty()
        );
    }

    #[tokio::test]
    async fn a_request_that_waits_too_long_goes_ahead() {
        let queue = SeatQueue::new(1, Duration::from_millis(20));
        let performance = ObjectId::new();
        let _first = queue.turn(performance, &seats(&["A1"])).await;

        let second = queue.turn(performance, &seats(&["B7"])).await;

        assert!(second.waited);
    }
}
