//! The outbox through crashes: an `api` process killed with SIGKILL at a
//! random moment, under mixed traffic, leaves its transactions cut at
//! random points. Afterwards every change has its event and every event
//! its change (the invariants read the database directly).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use mongodb::bson::doc;
use serde_json::{Value, json};
use tests::events::stage;
use tests::process::ApiProcess;
use tests::{
    ADMIN_EMAIL, ADMIN_PASSWORD, at, heavy_test_turn, invariants, shared_server_uri,
    spawn_app_with, test_settings,
};

/// A random number below `n` (tests need no better randomness).
fn below(n: usize) -> usize {
    (uuid::Uuid::new_v4().as_u128() % n as u128) as usize
}

/// One random change through `base`, as `token` (`admin` may also manage
/// rooms). `Err` once the process no longer answers.
async fn random_change(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    admin: &str,
    (performance, rooms): (&str, &[String]),
) -> Result<(), reqwest::Error> {
    let seat = format!("{}{}", ["A", "B", "C", "D"][below(4)], 1 + below(10));
    let post = |path: String, who: &str, body: Value| {
        http.post(format!("{base}{path}"))
            .bearer_auth(who.to_owned())
            .json(&body)
            .send()
    };
    match below(7) {
        0 => {
            post(
                format!("/api/v1/performances/{performance}/bookings"),
                token,
                json!({ "seats": [seat] }),
            )
            .await?;
        }
        1 => {
            let hold = post(
                format!("/api/v1/performances/{performance}/holds"),
                token,
                json!({ "seats": [seat] }),
            )
            .await?;
            if hold.status() == 201 {
                let hold: Value = hold.json().await?;
                let id = hold["id"].as_str().unwrap_or_default().to_owned();
                if below(2) == 0 {
                    post(format!("/api/v1/holds/{id}/confirm"), token, json!({})).await?;
                } else {
                    http.delete(format!("{base}/api/v1/holds/{id}"))
                        .bearer_auth(token)
                        .send()
                        .await?;
                }
            }
        }
        2 => {
            let bookings: Value = http
                .get(format!("{base}/api/v1/bookings?status=confirmed"))
                .bearer_auth(token)
                .send()
                .await?
                .json()
                .await?;
            if let Some(id) = bookings["items"][0]["id"].as_str() {
                post(format!("/api/v1/bookings/{id}/cancel"), token, json!({})).await?;
            }
        }
        3 => {
            post(
                "/api/v1/wallet/charge".into(),
                token,
                json!({ "amount": 50 }),
            )
            .await?;
        }
        4 => {
            let start = at(1 + below(5) as i64, 8.0 + below(10) as f64);
            let reserved = post(
                "/api/v1/reservations".into(),
                token,
                json!({
                    "room_id": rooms[below(rooms.len())],
                    "start": start,
                    "end": start + chrono::Duration::minutes(30),
                    "purpose": "crash test",
                }),
            )
            .await?;
            if reserved.status() == 201 && below(2) == 0 {
                let reservation: Value = reserved.json().await?;
                let id = reservation["id"].as_str().unwrap_or_default().to_owned();
                post(
                    format!("/api/v1/reservations/{id}/cancel"),
                    token,
                    json!({}),
                )
                .await?;
            }
        }
        5 => {
            http.patch(format!("{base}/api/v1/rooms/{}", rooms[below(rooms.len())]))
                .bearer_auth(admin)
                .json(&json!({ "capacity": 2 + below(20) }))
                .send()
                .await?;
        }
        _ => {
            post(
                "/api/v1/rooms".into(),
                admin,
                json!({ "name": format!("Crash room {}", uuid::Uuid::new_v4().simple()), "location": "B1", "capacity": 4, "has_projector": false }),
            )
            .await?;
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn changes_and_their_events_stay_paired_when_the_api_is_killed_mid_transaction() {
    let _turn = heavy_test_turn().await;
    // Arrange: a seated performance, rooms and buyers, on one database that
    // a separate `api` process will serve (and be killed serving).
    let uri = shared_server_uri().await;
    let mut settings = test_settings(&uri);
    settings.webhooks.dispatch = false;
    let name = settings.database.name.clone();
    let witness = spawn_app_with(settings).await;
    let admin = witness.admin_token().await;
    let stage = stage(&witness, 4, 10, 100).await;
    let mut rooms = Vec::new();
    for _ in 0..3 {
        rooms.push(witness.room(&admin).await.id.0);
    }
    let mut buyers = Vec::new();
    for _ in 0..12 {
        buyers.push(witness.buyer(1_000).await);
    }
    let rooms = Arc::new(rooms);
    let performance = stage.performance.id.0.clone();
    let sent = Arc::new(AtomicUsize::new(0));

    // Act: three rounds of traffic, each ended by SIGKILL at a random moment.
    for _ in 0..3 {
        let api = ApiProcess::start(
            &uri,
            &[
                ("APP_DATABASE__NAME", name.clone()),
                ("APP_WEBHOOKS__DISPATCH", "false".into()),
                ("APP_AUTH__BOOTSTRAP_ADMIN_EMAIL", ADMIN_EMAIL.into()),
                ("APP_AUTH__BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD.into()),
            ],
        )
        .await;
        let base = api.url("");
        let workers: Vec<_> = buyers
            .iter()
            .map(|token| {
                let (base, token, admin) = (base.clone(), token.clone(), admin.clone());
                let (rooms, performance, sent) =
                    (Arc::clone(&rooms), performance.clone(), Arc::clone(&sent));
                tokio::spawn(async move {
                    let http = reqwest::Client::new();
                    while random_change(&http, &base, &token, &admin, (&performance, &rooms))
                        .await
                        .is_ok()
                    {
                        sent.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(400 + below(1200) as u64)).await;
        api.signal("KILL");
        for worker in workers {
            worker.await.expect("worker ends");
        }
    }

    // Assert
    assert!(sent.load(Ordering::Relaxed) > 30, "traffic ran");
    let events = witness.documents("events", doc! {}).await;
    assert!(events.len() > 60, "changes were recorded: {}", events.len());
    let problems = invariants::violations(&witness.db)
        .await
        .expect("database read");
    assert!(problems.is_empty(), "{problems:#?}");
}
