//! Helpers for seated-event tests: a venue, a show and a performance ready to sell.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use shared::{Booking, Hold, Performance, Show, Venue};

use crate::{TestApp, TestResponse};

/// A performance on sale in a venue of `rows` x `seats_per_row` seats
/// (rows A, B, ...), every seat costing `price`.
pub struct Stage {
    pub admin: String,
    pub venue: Venue,
    pub show: Show,
    pub performance: Performance,
}

impl Stage {
    pub fn perf_path(&self, rest: &str) -> String {
        format!("/api/v1/performances/{}{rest}", self.performance.id)
    }
}

pub async fn stage(app: &TestApp, rows: u32, seats_per_row: u32, price: u32) -> Stage {
    stage_at(
        app,
        rows,
        seats_per_row,
        price,
        Utc::now() + Duration::days(30),
    )
    .await
}

pub async fn stage_at(
    app: &TestApp,
    rows: u32,
    seats_per_row: u32,
    price: u32,
    starts_at: DateTime<Utc>,
) -> Stage {
    stage_titled(app, "Les Misérables", rows, seats_per_row, price, starts_at).await
}

/// Like [`stage_at`], for a show called `title`.
pub async fn stage_titled(
    app: &TestApp,
    title: &str,
    rows: u32,
    seats_per_row: u32,
    price: u32,
    starts_at: DateTime<Utc>,
) -> Stage {
    let spec = StageSpec {
        title: title.into(),
        ..StageSpec::new(rows, seats_per_row, price, starts_at)
    };
    stage_with(app, &spec).await
}

/// Everything [`stage_with`] puts on stage. [`StageSpec::new`] fills in a
/// uniquely named hall in Seoul, one tier and the demo's first poster;
/// browser tests name things as a real catalogue would.
#[derive(Debug, Clone)]
pub struct StageSpec {
    pub title: String,
    pub description: String,
    /// The show's `location` (city or area).
    pub location: String,
    /// Which generated poster (`/posters/{n}.svg`).
    pub poster: u32,
    /// Venue names are unique per database.
    pub venue: String,
    /// The venue's IANA zone; `None` takes the API's default (Asia/Seoul).
    pub time_zone: Option<String>,
    /// The one section's name.
    pub section: String,
    pub seats_per_row: u32,
    /// Tiers front to back: name, price, and how many rows (A, B, ...).
    pub tiers: Vec<(String, u32, u32)>,
    pub starts_at: DateTime<Utc>,
    /// When seats go on sale; `None`: at once.
    pub sale_opens_at: Option<DateTime<Utc>>,
}

impl StageSpec {
    pub fn new(rows: u32, seats_per_row: u32, price: u32, starts_at: DateTime<Utc>) -> Self {
        Self {
            title: "Les Misérables".into(),
            description: String::new(),
            location: String::new(),
            poster: 1,
            venue: format!("Hall {}", uuid::Uuid::new_v4().simple()),
            time_zone: None,
            section: "Floor".into(),
            seats_per_row,
            tiers: vec![("R".into(), price, rows)],
            starts_at,
            sale_opens_at: None,
        }
    }
}

/// A venue, a show and one performance on sale, as `spec` says.
pub async fn stage_with(app: &TestApp, spec: &StageSpec) -> Stage {
    let admin = app.admin_token().await;
    let mut rows_spec = Vec::new();
    for (tier, _, rows) in &spec.tiers {
        for _ in 0..*rows {
            let label = ((b'A' + rows_spec.len() as u8) as char).to_string();
            rows_spec.push(json!({ "label": label, "seats": spec.seats_per_row, "tier": tier }));
        }
    }
    let mut venue =
        json!({ "name": spec.venue, "sections": [{ "name": spec.section, "rows": rows_spec }] });
    if let Some(zone) = &spec.time_zone {
        venue["time_zone"] = json!(zone);
    }
    let venue = app.post("/api/v1/venues", Some(&admin), &venue).await;
    venue.assert_status(201);
    let venue: Venue = venue.json();
    let show = app
        .post(
            "/api/v1/shows",
            Some(&admin),
            &json!({
                "title": spec.title,
                "description": spec.description,
                "location": spec.location,
                "running_minutes": 150,
                "poster_url": format!("/posters/{}.svg", spec.poster),
            }),
        )
        .await;
    show.assert_status(201);
    let show: Show = show.json();
    let prices: serde_json::Map<String, serde_json::Value> = spec
        .tiers
        .iter()
        .map(|(tier, price, _)| (tier.clone(), json!(price)))
        .collect();
    let mut body =
        json!({ "venue_id": venue.id, "starts_at": spec.starts_at.to_rfc3339(), "prices": prices });
    if let Some(opens) = spec.sale_opens_at {
        body["sale_opens_at"] = json!(opens.to_rfc3339());
    }
    let performance = app
        .post(
            &format!("/api/v1/shows/{}/performances", show.id),
            Some(&admin),
            &body,
        )
        .await;
    performance.assert_status(201);
    Stage {
        admin,
        venue,
        show,
        performance: performance.json(),
    }
}

impl TestApp {
    pub async fn charge(&self, token: &str, amount: i64) -> TestResponse {
        self.post(
            "/api/v1/wallet/charge",
            Some(token),
            &json!({ "amount": amount }),
        )
        .await
    }

    /// A new user with `points` in their wallet.
    pub async fn buyer(&self, points: i64) -> String {
        let (_, token) = self.new_user().await;
        if points > 0 {
            self.charge(&token, points).await.assert_status(200);
        }
        token
    }

    pub async fn hold(&self, token: &str, stage: &Stage, seats: &[&str]) -> TestResponse {
        self.post(
            &stage.perf_path("/holds"),
            Some(token),
            &json!({ "seats": seats }),
        )
        .await
    }

    pub async fn hold_ok(&self, token: &str, stage: &Stage, seats: &[&str]) -> Hold {
        let response = self.hold(token, stage, seats).await;
        response.assert_status(201);
        response.json()
    }

    pub async fn book(&self, token: &str, stage: &Stage, seats: &[&str]) -> TestResponse {
        self.post(
            &stage.perf_path("/bookings"),
            Some(token),
            &json!({ "seats": seats }),
        )
        .await
    }

    pub async fn book_ok(&self, token: &str, stage: &Stage, seats: &[&str]) -> Booking {
        let response = self.book(token, stage, seats).await;
        response.assert_status(201);
        response.json()
    }

    pub async fn balance(&self, token: &str) -> i64 {
        let response = self.get("/api/v1/wallet", Some(token)).await;
        response.assert_status(200);
        response.json::<shared::Wallet>().balance
    }
}

/// `n` buyers with `points` each, registered through `apps` in turn (50
/// at a time); their sessions work on every instance.
pub async fn buyers_across(apps: &[&TestApp], n: usize, points: i64) -> Vec<String> {
    let mut tokens = Vec::with_capacity(n);
    for chunk in (0..n).collect::<Vec<_>>().chunks(50) {
        tokens.extend(
            futures::future::join_all(chunk.iter().map(|i| apps[i % apps.len()].buyer(points)))
                .await,
        );
    }
    tokens
}
