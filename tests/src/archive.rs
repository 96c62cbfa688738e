//! History to archive: the browser slice of the Orion export (five
//! reservations finished in 2025, five later) and a performance played
//! in November 2025 with two seats sold and one booking cancelled.

use std::path::Path;
use std::process::Output;

use chrono::{DateTime, Duration, TimeZone, Utc};
use mongodb::bson::{Document, doc, oid::ObjectId};
use serde_json::json;
use shared::Booking;

use crate::TestApp;
use crate::events::{Stage, stage};

pub const MAPPING: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/import/browser/mapping.toml"
);

pub struct History {
    pub stage: Stage,
    pub performance: ObjectId,
    pub played: DateTime<Utc>,
    pub buyer: String,
    pub booked: Booking,
}

pub async fn past_history(app: &TestApp) -> History {
    let store = app.store().await;
    let rules = api::import::rules(&api::configuration::Settings::defaults().unwrap());
    let mapping = api::import::mapping::Mapping::load(Path::new(MAPPING)).unwrap();
    let read = api::import::tables::read(&mapping).unwrap();
    let imported = api::import::run(&store, read, &rules, Utc::now(), false)
        .await
        .unwrap();
    assert!(imported.verified(), "{}", imported.text());
    let stage = stage(app, 2, 4, 100).await;
    let buyer = app.buyer(1_000).await;
    let booked = app.book_ok(&buyer, &stage, &["A1", "A2"]).await;
    let other = app.buyer(1_000).await;
    let cancelled = app.book_ok(&other, &stage, &["B1"]).await;
    app.post(
        &format!("/api/v1/bookings/{}/cancel", cancelled.id),
        Some(&other),
        &json!({}),
    )
    .await
    .assert_status(200);
    let performance = ObjectId::parse_str(&stage.performance.id.0).unwrap();
    let played = Utc.with_ymd_and_hms(2025, 11, 20, 10, 0, 0).unwrap();
    app.db
        .collection::<Document>("performances")
        .update_one(
            doc! { "_id": performance },
            doc! { "$set": {
                "starts_at": mongodb::bson::DateTime::from_chrono(played),
                "ends_at": mongodb::bson::DateTime::from_chrono(played + Duration::minutes(150)),
            } },
        )
        .await
        .unwrap();
    History {
        stage,
        performance,
        played,
        buyer,
        booked,
    }
}

/// `api archive --before {before}` against the app's database.
pub fn run_archive(app: &TestApp, before: &str) -> Output {
    std::process::Command::new(crate::process::api_binary())
        .args(["archive", "--before", before])
        .env("MONGODB_URI", app.db_uri.as_str())
        .env("APP_DATABASE__NAME", app.db_name.as_str())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}
