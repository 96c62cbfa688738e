//! Editing a show and uploading its poster.

use chrono::Duration;
use mongodb::bson::{doc, oid::ObjectId};
use reqwest::header;
use serde_json::json;
use shared::{ErrorCode, Show, ShowDetail};
use tests::events::stage;
use tests::{TestApp, spawn_app};

/// A PNG as far as its first bytes go (the server checks no more).
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01";

async fn upload(
    app: &TestApp,
    show: &str,
    token: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    app.http
        .put(app.url(&format!("/api/v1/shows/{show}/poster")))
        .bearer_auth(token)
        .header(header::CONTENT_TYPE, content_type)
        .body(bytes)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_admin_edits_a_show_and_its_performances_follow() {
    // Arrange
    let app = spawn_app().await;
    let stage = stage(&app, 1, 2, 10).await;
    let path = format!("/api/v1/shows/{}", stage.show.id);
    let (_, user) = app.new_user().await;
    let body = json!({
        "title": "Les Misérables (25th anniversary)",
        "description": "Now with a revolving stage.",
        "location": "Seoul",
        "running_minutes": 170,
        "poster_url": "/posters/2.svg",
    });

    // Act + Assert: buyers may not; bad fields are named; unknown shows are 404.
    app.request(reqwest::Method::PUT, &path, Some(&user), Some(&body))
        .await
        .assert_status(403);
    let mut blank = body.clone();
    blank["title"] = json!(" ");
    let refused = app
        .request(
            reqwest::Method::PUT,
            &path,
            Some(&stage.admin),
            Some(&blank),
        )
        .await;
    refused.assert_error(400, ErrorCode::InvalidInput);
    assert_eq!(refused.error_field().as_deref(), Some("title"));
    app.request(
        reqwest::Method::PUT,
        "/api/v1/shows/0123456789abcdef01234567",
        Some(&stage.admin),
        Some(&body),
    )
    .await
    .assert_status(404);

    // Act
    let changed = app
        .request(reqwest::Method::PUT, &path, Some(&stage.admin), Some(&body))
        .await;

    // Assert: the answer, what everyone reads, and the database.
    changed.assert_status(200);
    let changed: Show = changed.json();
    assert_eq!(changed.title, "Les Misérables (25th anniversary)");
    assert_eq!(changed.running_minutes, 170);
    let detail: ShowDetail = app.get(&path, None).await.json();
    assert_eq!(detail.show.title, changed.title);
    let performance = &detail.performances[0];
    assert_eq!(performance.show_title, changed.title);
    assert_eq!(
        performance.ends_at,
        performance.starts_at + Duration::minutes(170)
    );
    let id = ObjectId::parse_str(&stage.show.id.0).unwrap();
    let stored = app.documents("shows", doc! { "_id": id }).await;
    assert_eq!(stored[0].get_i64("version"), Ok(2));
    let events = app
        .documents("events", doc! { "type": "show.updated", "target_id": id })
        .await;
    assert_eq!(events.len(), 1);
}

#[tokio::test]
async fn an_uploaded_poster_is_stored_checked_and_served_with_caching() {
    // Arrange
    let app = spawn_app().await;
    let stage = stage(&app, 1, 2, 10).await;
    let show = stage.show.id.0.clone();
    let (_, user) = app.new_user().await;
    let poster_path = format!("/api/v1/shows/{show}/poster");
    app.get(&poster_path, None).await.assert_status(404);

    // Act + Assert: refusals, each naming the problem, nothing stored.
    assert_eq!(
        upload(&app, &show, &user, "image/png", PNG.to_vec())
            .await
            .status(),
        403
    );
    let wrong_type = upload(
        &app,
        &show,
        &stage.admin,
        "image/svg+xml",
        b"<svg/>".to_vec(),
    )
    .await;
    assert_eq!(wrong_type.status(), 415);
    let body: serde_json::Value = wrong_type.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unsupported_media_type");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("image/png")
    );
    let mislabelled = upload(&app, &show, &stage.admin, "image/jpeg", PNG.to_vec()).await;
    assert_eq!(mislabelled.status(), 422);
    let body: serde_json::Value = mislabelled.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("the file is not a JPEG image"),
        "{body}"
    );
    let mut huge = PNG.to_vec();
    huge.resize(2 * 1024 * 1024 + 1, 0);
    assert_eq!(
        upload(&app, &show, &stage.admin, "image/png", huge)
            .await
            .status(),
        413
    );
    assert!(app.documents("posters", doc! {}).await.is_empty());

    // Act: a real upload.
    let stored = upload(&app, &show, &stage.admin, "image/png", PNG.to_vec()).await;

    // Assert: the show points at it, and it is served as sent.
    assert_eq!(stored.status(), 200);
    let stored: Show = stored.json().await.unwrap();
    assert!(
        stored.poster_url.starts_with(&format!("{poster_path}?v=")),
        "{}",
        stored.poster_url
    );
    let listed: ShowDetail = app.get(&format!("/api/v1/shows/{show}"), None).await.json();
    assert_eq!(listed.show.poster_url, stored.poster_url);
    let served = app
        .http
        .get(app.url(&stored.poster_url))
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()[header::CONTENT_TYPE], "image/png");
    assert!(
        served.headers()[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let etag = served.headers()[header::ETAG].clone();
    assert_eq!(served.bytes().await.unwrap().as_ref(), PNG);
    let again = app
        .http
        .get(app.url(&poster_path))
        .header(header::IF_NONE_MATCH, etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()[header::CACHE_CONTROL], "public, no-cache");
    let id = ObjectId::parse_str(&show).unwrap();
    let posters = app.documents("posters", doc! { "_id": id }).await;
    assert_eq!(posters.len(), 1);
    assert_eq!(posters[0].get_str("content_type"), Ok("image/png"));
}
