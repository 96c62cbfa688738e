//! The demo data set the run command loads.

use std::path::Path;

use mongodb::bson::{Document, doc};
use shared::{LoginResponse, Role};
use tests::{shared_server_uri, spawn_app_with, test_settings};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../deploy/demo/meeting-rooms.json"
);

#[tokio::test]
async fn the_demo_data_loads_once_however_often_it_is_loaded() {
    let settings = test_settings(&shared_server_uri().await);
    let app = spawn_app_with(settings.clone()).await;

    api::seed::load_file(&settings, Path::new(FIXTURE))
        .await
        .unwrap();
    api::seed::load_file(&settings, Path::new(FIXTURE))
        .await
        .unwrap();

    let count = |name: &'static str| {
        let db = app.db.clone();
        async move {
            db.collection::<Document>(name)
                .count_documents(doc! {})
                .await
                .unwrap()
        }
    };
    assert_eq!(
        count("users").await,
        5 + 1,
        "five demo users and the bootstrap admin"
    );
    assert_eq!(count("rooms").await, 10);
    assert_eq!(count("reservations").await, 3);
    let login = app.login("lee3@example.com", "demo-pass-3").await;
    login.assert_status(200);
    assert_eq!(login.json::<LoginResponse>().user.role, Role::Admin);
    let pending = app
        .db
        .collection::<Document>("reservations")
        .count_documents(doc! { "status": "pending" })
        .await
        .unwrap();
    assert_eq!(pending, 1);
}
