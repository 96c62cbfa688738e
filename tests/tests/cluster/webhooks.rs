//! Webhook dispatchers on several instances and through crashes: every
//! event is delivered, none by two dispatchers at once, and a delivery
//! whose dispatcher dies is sent again with the same `webhook-id`.

use std::collections::HashMap;
use std::time::Duration;

use mongodb::bson::doc;
use serde_json::json;
use shared::CreatedWebhook;
use tests::process::ApiProcess;
use tests::receiver::{Behaviour, Receiver};
use tests::{
    ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, heavy_test_turn, invariants, shared_server_uri,
    spawn_app_with, spawn_cluster, test_settings,
};

async fn register(app: &TestApp, admin: &str, url: &str, types: &[&str]) -> CreatedWebhook {
    let response = app
        .post(
            "/api/v1/webhooks",
            Some(admin),
            &json!({ "url": url, "event_types": types }),
        )
        .await;
    response.assert_status(201);
    response.json()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_delivery_whose_dispatcher_is_killed_mid_request_is_sent_again_by_another_instance() {
    let _turn = heavy_test_turn().await;
    // Arrange: one `api` process dispatches; the test's own instance on
    // the same database does not, yet.
    let uri = shared_server_uri().await;
    let mut settings = test_settings(&uri);
    settings.webhooks.dispatch = false;
    let name = settings.database.name.clone();
    let witness = spawn_app_with(settings.clone()).await;
    let dispatcher = ApiProcess::start(
        &uri,
        &[
            ("APP_DATABASE__NAME", name),
            ("APP_WEBHOOKS__TIMEOUT_SECONDS", "2".into()),
            ("APP_WEBHOOKS__POLL_MS", "100".into()),
            ("APP_AUTH__BOOTSTRAP_ADMIN_EMAIL", ADMIN_EMAIL.into()),
            ("APP_AUTH__BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD.into()),
        ],
    )
    .await;
    let admin = witness.admin_token().await;
    let receiver = Receiver::start(Behaviour {
        hang_first: true,
        ..Behaviour::default()
    })
    .await;
    register(&witness, &admin, &receiver.url, &["room.created"]).await;

    // Act: the first attempt hangs at the receiver; its sender is killed.
    witness.room(&admin).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while receiver.started().is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "never attempted");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    dispatcher.signal("KILL");
    settings.webhooks.dispatch = true;
    let rescuer = spawn_app_with(settings).await;

    // Assert: sent again once the dead claim ran out, same id, once.
    let requests = receiver
        .wait_for(Duration::from_secs(40), |r| {
            r.iter().any(|r| r.answered == 204)
        })
        .await;
    let first = receiver.started()[0].clone();
    let delivered: Vec<_> = requests.iter().filter(|r| r.answered == 204).collect();
    assert_eq!(delivered.len(), 1, "{requests:?}");
    assert_eq!(delivered[0].id, first, "the same webhook-id");
    let stored = rescuer.documents("deliveries", doc! {}).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].get_str("status").unwrap(), "delivered");
    drop(witness);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_dispatchers_deliver_every_event_once_and_never_one_event_at_the_same_moment() {
    let _turn = heavy_test_turn().await;
    // Arrange: two instances, a slow receiver that fails each first attempt.
    let cluster = spawn_cluster(2, test_settings(&shared_server_uri().await)).await;
    let admin = cluster[0].admin_token().await;
    let receiver = Receiver::start(Behaviour {
        fail_first: 1,
        delay: Duration::from_millis(150),
        ..Behaviour::default()
    })
    .await;
    register(
        &cluster[0],
        &admin,
        &receiver.url,
        &["room.created", "wallet.charged"],
    )
    .await;
    let (_, buyer) = cluster[1].new_user().await;

    // Act: 15 rooms (15 targets) and 15 charges of one wallet (one target).
    let rooms = futures::future::join_all((0..15).map(|i| cluster[i % 2].room(&admin)));
    let charges = async {
        for i in 0..15 {
            cluster[i % 2]
                .post(
                    "/api/v1/wallet/charge",
                    Some(&buyer),
                    &json!({ "amount": 10 }),
                )
                .await
                .assert_status(200);
        }
    };
    futures::join!(rooms, charges);

    // Assert
    let delivered =
        |r: &[tests::receiver::Received]| r.iter().filter(|r| r.answered == 204).count();
    let requests = receiver
        .wait_for(Duration::from_secs(60), |r| delivered(r) >= 30)
        .await;
    assert_eq!(
        receiver.overlaps(),
        Vec::<String>::new(),
        "one event at once"
    );
    let mut successes: HashMap<String, usize> = HashMap::new();
    for request in requests.iter().filter(|r| r.answered == 204) {
        *successes.entry(request.id.clone()).or_default() += 1;
    }
    if successes.len() != 30 {
        let stuck = cluster[0]
            .documents("deliveries", doc! { "status": { "$ne": "delivered" } })
            .await;
        let brief: Vec<String> = stuck
            .iter()
            .map(|d| {
                format!(
                    "{} seq {} attempts {} due {} claim {}",
                    d.get_str("event_type").unwrap_or_default(),
                    d.get_i64("seq").unwrap_or_default(),
                    d.get_i64("attempts").unwrap_or_default(),
                    d.get_datetime("due_at")
                        .map(|t| t.to_string())
                        .unwrap_or_default(),
                    d.get_object_id("claim")
                        .map(|c| c.to_hex())
                        .unwrap_or_default(),
                )
            })
            .collect();
        panic!(
            "{} of 30 delivered at {}; not delivered: {brief:#?}",
            successes.len(),
            chrono::Utc::now()
        );
    }
    assert!(
        successes.values().all(|n| *n == 1),
        "none twice: {successes:?}"
    );
    let wallet: Vec<i64> = requests
        .iter()
        .filter(|r| r.answered == 204)
        .map(|r| r.json())
        .filter(|b| b["type"] == "wallet.charged")
        .map(|b| b["data"]["seq"].as_i64().unwrap_or(0))
        .collect();
    assert_eq!(
        wallet,
        (1..=15).collect::<Vec<_>>(),
        "the wallet's changes in order"
    );
    let pending = cluster[0]
        .documents("deliveries", doc! { "status": { "$ne": "delivered" } })
        .await;
    assert!(pending.is_empty(), "{pending:?}");
    let problems = invariants::violations(&cluster[0].db).await.unwrap();
    assert!(problems.is_empty(), "{problems:?}");
}
