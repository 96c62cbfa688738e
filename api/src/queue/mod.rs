//! The waiting room: buyers take a place in line and poll with a signed
//! ticket; one instance at a time (the lease holder) admits them in order;
//! admitted buyers shop with a signed admission token.
//!
//! A poll costs no database round trip while the buyer is still behind
//! the line's frontier: the ticket carries its position, and every
//! instance keeps a board of each line's frontier, refreshed every
//! `queue.board_refresh_ms`. Polls are recorded in memory and written as
//! one heartbeat update per `queue.heartbeat_flush_ms`.

mod board;
mod scheduler;
pub mod token;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use base64::Engine;
use bson::oid::ObjectId;
use chrono::{DateTime, Utc};
use secrecy::ExposeSecret;
use shared::{ErrorCode, QueueStatus, QueueTicket};
use tokio::sync::OnceCell;

use board::Board;
pub use board::LineView;
use token::{AdmissionClaims, Key, TicketClaims};

use crate::background::Stopped;
use crate::configuration::WaitingRoomSettings;
use crate::domain::queue::{estimated_wait, poll_after_ms};
use crate::error::ApiError;
use crate::store::Store;
use crate::store::queue::{TicketDoc, TicketStatus};

/// Cheap to clone; every worker shares one.
#[derive(Clone)]
pub struct WaitingRoom {
    inner: Arc<Inner>,
}

struct Inner {
    configured_key: Option<Vec<u8>>,
    key: OnceCell<Key>,
    board: Board,
    heard: Mutex<HashSet<ObjectId>>,
    settings: WaitingRoomSettings,
}

fn refused(code: ErrorCode, message: &str) -> ApiError {
    ApiError::Refused {
        code,
        message: message.to_owned(),
    }
}

impl WaitingRoom {
    pub fn new(settings: WaitingRoomSettings) -> Result<Self, String> {
        let configured = settings.signing_key.expose_secret().trim().to_owned();
        let configured_key = if configured.is_empty() {
            None
        } else {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(&configured)
                .map_err(|e| format!("queue.signing_key is not base64: {e}"))?;
            Key::new(&bytes)?;
            Some(bytes)
        };
        Ok(Self {
            inner: Arc::new(Inner {
                configured_key,
                key: OnceCell::new(),
                board: Board::default(),
                heard: Mutex::new(HashSet::new()),
                settings,
            }),
        })
    }

    /// Starts this instance's board refresh, heartbeat flush and scheduler.
    pub fn spawn(&self, store: Store, stopped: Stopped) {
        board::spawn_refresh(self.clone(), store.clone(), stopped.clone());
        scheduler::spawn(self.clone(), store, stopped);
    }

    pub fn settings(&self) -> &WaitingRoomSettings {
        &self.inner.settings
    }

    async fn key(&self, store: &Store) -> Result<&Key, ApiError> {
        self.inner
            .key
            .get_or_try_init(|| async {
                let bytes = match &self.inner.configured_key {
                    Some(bytes) => bytes.clone(),
                    None => store.shared_secret("queue_signing_key").await?,
                };
                Key::new(&bytes).map_err(ApiError::Internal)
            })
            .await
    }

    /// This instance's view of a performance's line, if its queue is on.
    pub fn line(&self, performance: ObjectId) -> Option<LineView> {
        self.inner.board.get(performance)
    }

    /// Reloads the board now (after an admin change on this instance).
    pub async fn refresh(&self, store: &Store) -> Result<(), ApiError> {
        self.inner.board.reload(store).await
    }

    fn heard(&self, ticket: ObjectId) {
        if let Ok(mut heard) = self.inner.heard.lock() {
            heard.insert(ticket);
        }
    }

    fn take_heard(&self) -> Vec<ObjectId> {
        match self.inner.heard.lock() {
            Ok(mut heard) => heard.drain().collect(),
            Err(_) => Vec::new(),
        }
    }

    /// What a buyer with `ticket` is told.
    pub async fn describe(
        &self,
        store: &Store,
        ticket: &TicketDoc,
        now: DateTime<Utc>,
    ) -> Result<QueueTicket, ApiError> {
        let key = self.key(store).await?;
        let line = self.line(ticket.performance_id);
        let claims = TicketClaims {
            performance: ticket.performance_id,
            ticket: ticket.id,
            position: ticket.position.and_then(|p| u64::try_from(p).ok()),
        };
        let mut view = waiting(key.ticket(&claims), &claims, line.as_ref());
        match (line, ticket.status) {
            (None, _) => view.status = QueueStatus::Closed,
            (Some(_), TicketStatus::Waiting) => self.heard(ticket.id),
            (Some(_), TicketStatus::Admitted) if ticket.is_shopping(now) => {
                let expires_at = ticket.admitted_until.map_or(now, |u| u.to_chrono());
                view.status = QueueStatus::Admitted;
                view.admission = Some(shared::Admission {
                    token: key.admission(&AdmissionClaims {
                        performance: ticket.performance_id,
                        ticket: ticket.id,
                        user: ticket.user_id,
                        expires_at,
                    }),
                    expires_at,
                });
            }
            (Some(_), _) => view.status = QueueStatus::Expired,
        }
        if view.status != QueueStatus::Waiting {
            view.ahead = None;
            view.estimated_wait_seconds = None;
            view.sale_opens_at = None;
        }
        Ok(view)
    }

    /// `GET /queue/{ticket}`: answered from the board while the buyer is
    /// behind the frontier; from the ticket's document otherwise.
    pub async fn poll(&self, store: &Store, token: &str) -> Result<QueueTicket, ApiError> {
        let key = self.key(store).await?;
        let claims = key
            .read_ticket(token)
            .ok_or(ApiError::NotFound("queue ticket"))?;
        if let Some(line) = self.line(claims.performance) {
            let behind = match claims.position {
                Some(p) => p > line.frontier,
                None => !line.drawn,
            };
            if behind {
                self.heard(claims.ticket);
                return Ok(waiting(token.to_owned(), &claims, Some(&line)));
            }
        }
        let ticket = store
            .queue_ticket(claims.ticket)
            .await?
            .ok_or(ApiError::NotFound("queue ticket"))?;
        self.describe(store, &ticket, Utc::now()).await
    }

    /// While `performance`'s queue is on, the request must carry a valid
    /// admission for `user`: signed by us, for this performance and buyer,
    /// not expired, and still standing in the database.
    pub async fn check_admission(
        &self,
        store: &Store,
        performance: ObjectId,
        user: ObjectId,
        token: Option<&str>,
    ) -> Result<(), ApiError> {
        if self.line(performance).is_none() {
            return Ok(());
        }
        let Some(token) = token else {
            return Err(refused(
                ErrorCode::AdmissionRequired,
                "this sale has a waiting room: join the queue, and send the \
                 Admission-Token it gives you once admitted",
            ));
        };
        let key = self.key(store).await?;
        let invalid = |why: &str| refused(ErrorCode::AdmissionInvalid, why);
        let claims = key
            .read_admission(token)
            .ok_or_else(|| invalid("the Admission-Token is not one this service issued"))?;
        if claims.performance != performance {
            return Err(invalid("the Admission-Token is for another performance"));
        }
        if claims.user != user {
            return Err(invalid("the Admission-Token was issued to another buyer"));
        }
        let expired = || {
            refused(
                ErrorCode::AdmissionExpired,
                "your turn is over (shopping time ended, or it was used for a booking); \
                 join the queue again",
            )
        };
        let now = Utc::now();
        if claims.expires_at <= now {
            return Err(expired());
        }
        let ticket = store
            .queue_ticket(claims.ticket)
            .await?
            .ok_or_else(expired)?;
        match ticket.status {
            TicketStatus::Admitted if ticket.is_shopping(now) => Ok(()),
            TicketStatus::Revoked => Err(refused(
                ErrorCode::AdmissionRevoked,
                "an administrator withdrew this admission",
            )),
            _ => Err(expired()),
        }
    }

    /// After a booking: the buyer's turn is over if the sale is queued.
    pub async fn finish(&self, store: &Store, performance: ObjectId, user: ObjectId) {
        if self.line(performance).is_none() {
            return;
        }
        // The turn also ends by itself when its shopping time runs out.
        if let Err(e) = store
            .end_admission(performance, user, TicketStatus::Done)
            .await
        {
            tracing::warn!(error = %e, "admission not marked used");
        }
    }
}

/// A waiting buyer's answer from `line` alone.
fn waiting(ticket: String, claims: &TicketClaims, line: Option<&LineView>) -> QueueTicket {
    let ahead = match (claims.position, line) {
        (Some(p), Some(line)) => Some(p.saturating_sub(line.frontier).saturating_sub(1)),
        _ => None,
    };
    let grace = line.map_or(30, |l| l.rules.grace_seconds);
    let poll_after = match ahead {
        Some(ahead) => poll_after_ms(ahead, grace),
        None => poll_after_ms(0, grace),
    };
    QueueTicket {
        ticket,
        performance_id: shared::PerformanceId(claims.performance.to_hex()),
        status: QueueStatus::Waiting,
        position: claims.position,
        ahead,
        estimated_wait_seconds: ahead
            .zip(line)
            .and_then(|(ahead, line)| estimated_wait(ahead, line.per_minute())),
        sale_opens_at: line.filter(|l| !l.drawn).map(|l| l.sale_opens_at),
        poll_after_ms: poll_after,
        admission: None,
    }
}
