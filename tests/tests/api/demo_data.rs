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

#[tokio::test]
async fn the_generated_catalogue_has_the_requested_shape_and_loads_once() {
    let settings = test_settings(&shared_server_uri().await);
    let app = spawn_app_with(settings.clone()).await;
    let (_, buyer) = app.new_user().await;
    let spec = api::seed::catalog::CatalogSpec::from_args(&[
        "--shows",
        "6",
        "--performances",
        "2",
        "--rows",
        "3",
        "--seats-per-row",
        "4",
        "--demo-points",
        "5000",
    ])
    .unwrap();

    let first = api::seed::catalog::generate(&settings, &spec)
        .await
        .unwrap();
    let second = api::seed::catalog::generate(&settings, &spec)
        .await
        .unwrap();

    assert_eq!((first.shows, first.performances), (6, 12));
    assert_eq!(
        (second.shows, second.performances, second.wallets),
        (0, 0, 0)
    );
    let shows: shared::Page<shared::Show> = app.get("/api/v1/shows?limit=200", None).await.json();
    assert_eq!(shows.items.len(), 6);
    for show in &shows.items {
        assert_eq!(show.availability.total_seats, 2 * 12, "{}", show.title);
        assert!(show.poster_url.starts_with("/posters/"));
    }
    let seats = app
        .db
        .collection::<Document>("seats")
        .count_documents(doc! {})
        .await
        .unwrap();
    assert_eq!(seats, 12 * 12);
    assert_eq!(app.balance(&buyer).await, 5000, "granted once");
    let poster = app
        .http
        .get(app.url(&shows.items[0].poster_url))
        .send()
        .await
        .unwrap();
    assert_eq!(poster.status(), 200);
    assert_eq!(poster.headers()["content-type"], "image/svg+xml");
}
