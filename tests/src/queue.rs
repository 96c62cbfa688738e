//! Helpers for waiting-room tests.

use reqwest::Method;
use serde_json::json;
use shared::{QueueOverview, QueueSettings, QueueStatus, QueueTicket};

use crate::events::Stage;
use crate::{TestApp, TestResponse};

/// Queue settings with the given pace, 60 s to shop and a 10 s grace.
pub fn settings(admit_per_minute: Option<u32>, max_active: Option<u32>) -> QueueSettings {
    QueueSettings {
        enabled: true,
        admit_per_minute,
        max_active,
        shop_seconds: 60,
        grace_seconds: 10,
        pre_queue: false,
    }
}

impl TestApp {
    pub async fn set_queue(&self, stage: &Stage, settings: &QueueSettings) -> QueueOverview {
        let response = self
            .request(
                Method::PUT,
                &stage.perf_path("/queue"),
                Some(&stage.admin),
                Some(settings),
            )
            .await;
        response.assert_status(200);
        response.json()
    }

    pub async fn queue_overview(&self, stage: &Stage) -> QueueOverview {
        let response = self
            .get(&stage.perf_path("/queue"), Some(&stage.admin))
            .await;
        response.assert_status(200);
        response.json()
    }

    pub async fn join(&self, token: &str, stage: &Stage) -> TestResponse {
        self.post_empty(&stage.perf_path("/queue"), Some(token))
            .await
    }

    pub async fn join_ok(&self, token: &str, stage: &Stage) -> QueueTicket {
        let response = self.join(token, stage).await;
        assert!(
            response.status == 201 || response.status == 200,
            "join answered {}: {}",
            response.status,
            response.body
        );
        response.json()
    }

    pub async fn poll(&self, ticket: &str) -> QueueTicket {
        let response = self.get(&format!("/api/v1/queue/{ticket}"), None).await;
        response.assert_status(200);
        response.json()
    }

    /// Polls as `poll_after_ms` says (at most every `cap_ms`) until the
    /// status is no longer `waiting`; gives up after `limit`.
    pub async fn wait_turn(
        &self,
        mut ticket: QueueTicket,
        cap_ms: u64,
        limit: std::time::Duration,
    ) -> QueueTicket {
        let start = std::time::Instant::now();
        while ticket.status == QueueStatus::Waiting {
            assert!(
                start.elapsed() < limit,
                "still waiting after {limit:?}: {ticket:?}"
            );
            let pause = ticket.poll_after_ms.min(cap_ms);
            tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
            ticket = self.poll(&ticket.ticket).await;
        }
        ticket
    }

    /// Books `seats` with an admission token (or none).
    pub async fn book_admitted(
        &self,
        token: &str,
        stage: &Stage,
        seats: &[&str],
        admission: Option<&str>,
    ) -> TestResponse {
        self.take_admitted("/bookings", token, stage, seats, admission)
            .await
    }

    /// Holds `seats` with an admission token (or none).
    pub async fn hold_admitted(
        &self,
        token: &str,
        stage: &Stage,
        seats: &[&str],
        admission: Option<&str>,
    ) -> TestResponse {
        self.take_admitted("/holds", token, stage, seats, admission)
            .await
    }

    async fn take_admitted(
        &self,
        what: &str,
        token: &str,
        stage: &Stage,
        seats: &[&str],
        admission: Option<&str>,
    ) -> TestResponse {
        let headers: Vec<(&str, &str)> = admission
            .map(|a| ("Admission-Token", a))
            .into_iter()
            .collect();
        self.request_with(
            Method::POST,
            &stage.perf_path(what),
            Some(token),
            Some(&json!({ "seats": seats })),
            &headers,
        )
        .await
    }
}
