//! The waiting room in front of a seat map. A signed-in buyer who opens
//! the page of a performance whose waiting room is on takes a place in
//! line (joining is idempotent: a refresh or a second tab finds the same
//! place), sees how the line moves, and gets the map when admitted, with
//! the time left to book. Without a waiting room the map shows at once.

use std::time::Duration;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use shared::{ErrorCode, PerformanceId, QueueStatus, QueueTicket};

use crate::api::{self, ApiError};
use crate::components::Rounds;
use crate::i18n::use_i18n;
use crate::session::use_session;
use crate::{numbers, time};

/// The wait after a failed join or poll.
const RETRY_AFTER: Duration = Duration::from_secs(3);

/// Where the buyer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Asking the line.
    Checking,
    /// In line.
    Waiting,
    /// Free to book: no waiting room, or admitted.
    Shopping,
    /// The turn is over (timed out or left too long).
    Ended,
}

/// The line as the seat page sees it.
#[derive(Clone, Copy)]
pub struct Line {
    pub phase: RwSignal<Phase>,
    /// The latest ticket, while there is a waiting room.
    pub ticket: RwSignal<Option<QueueTicket>>,
    /// People ahead when the buyer first saw the line, for the progress bar.
    pub first_ahead: RwSignal<Option<u64>>,
    pub error: RwSignal<Option<ApiError>>,
    /// The turn was used for a booking: the confirmation stays, and more
    /// seats mean a new place in line.
    pub used: RwSignal<bool>,
    rounds: Rounds,
}

impl Line {
    /// The admission token to send with a booking, once admitted.
    pub fn admission(&self) -> Option<String> {
        self.ticket.with_untracked(|t| {
            t.as_ref()
                .and_then(|t| t.admission.as_ref())
                .map(|a| a.token.clone())
        })
    }

    /// A booking used the turn (the server ended it).
    pub fn finish(&self) {
        if self.admission().is_some() {
            self.used.set(true);
        }
    }

    /// Asks the line again (after a turn ended, or an admission refused).
    pub fn rejoin(&self) {
        self.used.set(false);
        self.ticket.set(None);
        self.first_ahead.set(None);
        self.phase.set(Phase::Checking);
        self.rounds.next_in(Duration::ZERO);
    }
}

fn first_ahead_key(id: &PerformanceId) -> String {
    format!("line-start:{id}")
}

/// Joins the line of performance `id` (once signed in) and follows it.
pub fn follow_line(id: PerformanceId) -> Line {
    let session = use_session();
    let line = Line {
        phase: RwSignal::new(Phase::Checking),
        ticket: RwSignal::new(None),
        first_ahead: RwSignal::new(None),
        error: RwSignal::new(None),
        used: RwSignal::new(false),
        rounds: Rounds::new(),
    };
    let schedule = move |after: Duration| line.rounds.next_in(after);
    let id_for_asks = id.clone();
    let asked = LocalResource::new(move || {
        line.rounds.get();
        let signed_in = session.checked() && session.user().is_some();
        let waiting = line.ticket.with_untracked(|t| {
            t.as_ref()
                .filter(|t| t.status == QueueStatus::Waiting)
                .map(|t| t.ticket.clone())
        });
        let call = match (session.checked(), signed_in, waiting) {
            (false, _, _) => None,
            (true, false, _) => Some(None),
            (true, true, Some(ticket)) => Some(Some(api::queue_ticket(&ticket))),
            (true, true, None) => Some(Some(api::join_queue(&id_for_asks))),
        };
        async move {
            match call {
                None => None,
                Some(None) => Some(None),
                Some(Some(call)) => Some(Some(call.await)),
            }
        }
    });
    let key = first_ahead_key(&id);
    Effect::new(move || {
        // Not loaded yet, or the session not known yet.
        let Some(Some(asked)) = asked.get() else {
            return;
        };
        let Some(answer) = asked else {
            // Not signed in: the map, with "log in to book".
            line.phase.set(Phase::Shopping);
            return;
        };
        match answer {
            Ok(ticket) => {
                line.error.set(None);
                take_ticket(line, &key, &ticket, schedule);
                line.ticket.set(Some(ticket));
            }
            Err(e)
                if matches!(
                    e.code,
                    Some(ErrorCode::QueueClosed | ErrorCode::PerformanceStarted)
                ) =>
            {
                line.ticket.set(None);
                line.phase.set(Phase::Shopping);
            }
            Err(e) => {
                line.error.set(Some(e));
                schedule(RETRY_AFTER);
            }
        }
    });
    line
}

fn take_ticket(line: Line, key: &str, ticket: &QueueTicket, schedule: impl Fn(Duration)) {
    let storage = crate::storage::local();
    match ticket.status {
        QueueStatus::Waiting => {
            // The first count of people ahead, kept across refreshes.
            let saved = storage
                .as_ref()
                .and_then(|s| s.get_item(key).ok().flatten())
                .and_then(|text| text.parse::<u64>().ok());
            let first = saved
                .or(ticket.ahead)
                .map(|first| first.max(ticket.ahead.unwrap_or(0)));
            if let (Some(storage), Some(first)) = (&storage, first) {
                let _ = storage.set_item(key, &first.to_string());
            }
            line.first_ahead.set(first);
            line.phase.set(Phase::Waiting);
            schedule(Duration::from_millis(ticket.poll_after_ms.max(250)));
        }
        QueueStatus::Admitted => {
            if let Some(storage) = &storage {
                let _ = storage.remove_item(key);
            }
            line.phase.set(Phase::Shopping);
        }
        QueueStatus::Expired => line.phase.set(Phase::Ended),
        QueueStatus::Closed => line.phase.set(Phase::Shopping),
    }
}

/// "mm:ss" until `end`.
fn left_until(end: DateTime<Utc>) -> (i64, String) {
    let seconds = (end - time::now()).num_seconds().max(0);
    (seconds, format!("{}:{:02}", seconds / 60, seconds % 60))
}

/// The place in line, the people ahead, a progress bar and the wait.
#[component]
pub fn QueueScreen(line: Line, zone: String) -> impl IntoView {
    let i18n = use_i18n();
    let ticket = move || line.ticket.get();
    let ahead = move || ticket().and_then(|t| t.ahead);
    let percent = move || match (line.first_ahead.get(), ahead()) {
        (Some(first), Some(now)) if first > 0 => 100 * first.saturating_sub(now) / first,
        _ => 0,
    };
    let zone = StoredValue::new(zone);
    view! {
        <section class="card waiting-line" id="queue" aria-labelledby="queue-title" aria-live="polite">
            <h2 id="queue-title">{move || i18n.t().queue_title}</h2>
            <p>{move || i18n.t().queue_intro}</p>
            {move || ticket().and_then(|t| t.sale_opens_at).filter(|at| *at > time::now()).map(|at| view! {
                <p class="notice" id="queue-pre-sale">
                    {move || (i18n.t().queue_pre_sale)(&zone.with_value(|z| time::format_occasion_zoned(at, z, i18n.lang())))}
                </p>
            })}
            <div class="waiting-figures">
                <p id="queue-position">
                    {move || ticket().and_then(|t| t.position).map(|p| (i18n.t().queue_position)(&numbers::number(p as i64, i18n.lang())))}
                </p>
                <p id="queue-ahead">
                    {move || ahead().map(|n| (i18n.t().queue_ahead)(&numbers::number(n as i64, i18n.lang())))}
                </p>
            </div>
            <progress id="queue-progress" max="100" value=move || percent().to_string()
                aria-label=move || i18n.t().queue_progress></progress>
            <p id="queue-eta">
                {move || match ticket().and_then(|t| t.estimated_wait_seconds) {
                    Some(seconds) if seconds < 60 => (i18n.t().queue_eta)(0),
                    Some(seconds) => (i18n.t().queue_eta)(seconds.div_ceil(60)),
                    None => i18n.t().queue_eta_unknown.to_owned(),
                }}
            </p>
            {move || line.error.get().map(|_| view! {
                <p class="notice warn" role="status">{move || i18n.t().queue_unreachable}</p>
            })}
            <p class="hint">{move || i18n.t().queue_keep_open}</p>
        </section>
    }
}

/// The buyer's turn is over: say why, and offer a new place.
#[component]
pub fn TurnEnded(line: Line) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card waiting-line" id="queue-ended" aria-labelledby="queue-ended-title">
            <h2 id="queue-ended-title">{move || i18n.t().queue_expired_title}</h2>
            <p>{move || i18n.t().queue_expired_body}</p>
            <button type="button" class="primary" id="queue-rejoin" on:click=move |_| line.rejoin()>
                {move || i18n.t().queue_rejoin}
            </button>
        </section>
    }
}

/// The time left to book while admitted; ends the turn at zero.
#[component]
pub fn TurnTimer(line: Line) -> impl IntoView {
    let i18n = use_i18n();
    let end = line.ticket.with_untracked(|t| {
        t.as_ref()
            .and_then(|t| t.admission.as_ref())
            .map(|a| a.expires_at)
    });
    let tick = RwSignal::new(0u32);
    if let Ok(handle) = set_interval_with_handle(
        move || {
            tick.try_update(|n| *n += 1);
        },
        Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }
    Effect::new(move || {
        tick.track();
        if !line.used.get_untracked() && end.is_some_and(|end| left_until(end).0 == 0) {
            line.phase.set(Phase::Ended);
        }
    });
    end.map(|end| {
        let text = move || {
            tick.track();
            (i18n.t().queue_your_turn)(&left_until(end).1)
        };
        view! {
            {move || if line.used.get() {
                view! {
                    <p class="notice" id="turn-used" role="status">
                        {move || i18n.t().queue_turn_used} " "
                        <button type="button" class="secondary" id="queue-rejoin" on:click=move |_| line.rejoin()>
                            {move || i18n.t().queue_rejoin}
                        </button>
                    </p>
                }.into_any()
            } else {
                view! { <p class="notice" id="turn-timer" role="timer">{text}</p> }.into_any()
            }}
        }
    })
}
