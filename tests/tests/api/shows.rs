//! Venues, shows and performances.

use chrono::{Duration, Utc};
use reqwest::header::{ETAG, IF_NONE_MATCH};
use serde_json::json;
use shared::{ErrorCode, Page, Show, ShowDetail, Venue};
use tests::events::stage;
use tests::spawn_app;

#[tokio::test]
async fn a_venue_expands_its_rows_into_labelled_seats() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;

    let response = app
        .post(
            "/api/v1/venues",
            Some(&admin),
            &json!({ "name": "Charlotte", "sections": [
                { "name": "Floor", "rows": [{ "label": "A", "seats": 14, "tier": "R" }, { "label": "B", "seats": 14, "tier": "S" }] },
                { "name": "Balcony", "rows": [{ "label": "C", "seats": 10, "tier": "A" }] },
            ] }),
        )
        .await;

    response.assert_status(201);
    let venue: Venue = response.json();
    assert_eq!(venue.seat_count, 38);
    assert_eq!(venue.time_zone, "Asia/Seoul");
    assert_eq!(venue.tiers, ["R", "S", "A"]);
    let fetched: Venue = app
        .get(&format!("/api/v1/venues/{}", venue.id), None)
        .await
        .json();
    assert_eq!(fetched, venue);
}

#[tokio::test]
async fn invalid_venues_are_refused_with_the_reason() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, user) = app.new_user().await;
    let row = |label: &str| json!({ "label": label, "seats": 2, "tier": "R" });

    let duplicate = app
        .post(
            "/api/v1/venues",
            Some(&admin),
            &json!({ "name": "Dup", "sections": [{ "name": "F", "rows": [row("A"), row("A")] }] }),
        )
        .await;
    let empty = app
        .post(
            "/api/v1/venues",
            Some(&admin),
            &json!({ "name": "Empty", "sections": [] }),
        )
        .await;
    let forbidden = app
        .post(
            "/api/v1/venues",
            Some(&user),
            &json!({ "name": "Mine", "sections": [{ "name": "F", "rows": [row("A")] }] }),
        )
        .await;

    // Two rows giving the same seat label break a rule across rows: 422.
    duplicate.assert_error(422, ErrorCode::InvalidInput);
    assert!(
        duplicate.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("A1")
    );
    empty.assert_error(400, ErrorCode::InvalidInput);
    assert_eq!(empty.error_field().as_deref(), Some("sections"));
    let bad_zone = app
        .post(
            "/api/v1/venues",
            Some(&admin),
            &json!({ "name": "Zone", "time_zone": "Moon/Base", "sections": [{ "name": "F", "rows": [row("A")] }] }),
        )
        .await;
    bad_zone.assert_error(400, ErrorCode::InvalidInput);
    assert_eq!(bad_zone.error_field().as_deref(), Some("time_zone"));
    forbidden.assert_error(403, ErrorCode::Forbidden);
}

#[tokio::test]
async fn a_performance_needs_a_price_for_every_tier_and_a_future_start() {
    let app = spawn_app().await;
    let stage = stage(&app, 2, 4, 100).await;
    let path = format!("/api/v1/shows/{}/performances", stage.show.id);
    let future = (Utc::now() + Duration::days(3)).to_rfc3339();

    let missing_tier = app
        .post(
            &path,
            Some(&stage.admin),
            &json!({ "venue_id": stage.venue.id, "starts_at": future, "prices": {} }),
        )
        .await;
    let unknown_tier = app
        .post(&path, Some(&stage.admin), &json!({ "venue_id": stage.venue.id, "starts_at": future, "prices": { "R": 1, "VIP": 2 } }))
        .await;
    let past = app
        .post(&path, Some(&stage.admin), &json!({ "venue_id": stage.venue.id, "starts_at": "2020-01-01T19:00:00Z", "prices": { "R": 1 } }))
        .await;
    let unknown_venue = app
        .post(&path, Some(&stage.admin), &json!({ "venue_id": "0123456789abcdef01234567", "starts_at": future, "prices": { "R": 1 } }))
        .await;

    // Rules across the venue and the clock: 422.
    missing_tier.assert_error(422, ErrorCode::InvalidInput);
    assert_eq!(missing_tier.error_field().as_deref(), Some("prices"));
    unknown_tier.assert_error(422, ErrorCode::InvalidInput);
    past.assert_error(422, ErrorCode::InvalidInput);
    assert_eq!(past.error_field().as_deref(), Some("starts_at"));
    unknown_venue.assert_error(404, ErrorCode::NotFound);
}

#[tokio::test]
async fn the_show_list_counts_seats_and_marks_my_bookings_and_sold_out_shows() {
    let app = spawn_app().await;
    let stage = stage(&app, 1, 2, 100).await;
    let buyer = app.buyer(1_000).await;
    let other = app.buyer(1_000).await;

    app.book_ok(&buyer, &stage, &["A1"]).await;
    let mine: Page<Show> = app.get("/api/v1/shows", Some(&buyer)).await.json();
    let theirs: Page<Show> = app.get("/api/v1/shows", Some(&other)).await.json();
    let anonymous: Page<Show> = app.get("/api/v1/shows", None).await.json();

    let show = &mine.items[0];
    assert_eq!(show.availability.total_seats, 2);
    assert_eq!(show.availability.remaining_seats, 1);
    assert_eq!(show.availability.booked_seats, 1);
    assert!(!show.availability.sold_out);
    assert_eq!(show.booked_by_me, Some(true));
    assert_eq!(theirs.items[0].booked_by_me, Some(false));
    assert_eq!(anonymous.items[0].booked_by_me, None);

    app.book_ok(&other, &stage, &["A2"]).await;
    let after: Page<Show> = app.get("/api/v1/shows", None).await.json();
    assert!(
        after.items[0].availability.sold_out,
        "a booking on this instance shows at once"
    );
}

#[tokio::test]
async fn shows_sort_by_latest_or_by_popularity_page_by_page() {
    let app = spawn_app().await;
    let first = stage(&app, 1, 4, 10).await;
    let second = stage(&app, 1, 4, 10).await;
    let buyer = app.buyer(1_000).await;
    app.book_ok(&buyer, &first, &["A1", "A2"]).await;

    let latest: Page<Show> = app.get("/api/v1/shows?sort=latest", None).await.json();
    let popular: Page<Show> = app
        .get("/api/v1/shows?sort=popular&limit=1", None)
        .await
        .json();
    let rest: Page<Show> = app
        .get(
            &format!(
                "/api/v1/shows?sort=popular&limit=1&cursor={}",
                popular.next_cursor.clone().unwrap()
            ),
            None,
        )
        .await
        .json();

    let ids = |page: &Page<Show>| page.items.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
    assert_eq!(
        ids(&latest),
        [second.show.id.clone(), first.show.id.clone()]
    );
    assert_eq!(ids(&popular), vec![first.show.id.clone()]);
    assert_eq!(ids(&rest), vec![second.show.id.clone()]);
    assert!(rest.next_cursor.is_none());
    app.get("/api/v1/shows?sort=random", None)
        .await
        .assert_error(400, ErrorCode::InvalidQuery);
}

#[tokio::test]
async fn a_show_page_lists_its_performances() {
    let app = spawn_app().await;
    let stage = stage(&app, 2, 3, 70).await;

    let detail: ShowDetail = app
        .get(&format!("/api/v1/shows/{}", stage.show.id), None)
        .await
        .json();

    assert_eq!(detail.show.title, "Les Misérables");
    assert_eq!(detail.performances[0].show_title, "Les Misérables");
    assert_eq!(detail.performances[0].time_zone, "Asia/Seoul");
    assert_eq!(detail.performances, vec![stage.performance.clone()]);
    assert_eq!(detail.show.min_price, Some(70));
    assert_eq!(stage.performance.availability.total_seats, 6);
    app.get("/api/v1/shows/0123456789abcdef01234567", None)
        .await
        .assert_error(404, ErrorCode::NotFound);
}

#[tokio::test]
async fn hot_reads_answer_304_to_a_matching_etag_until_something_changes() {
    let app = spawn_app().await;
    let stage = stage(&app, 1, 3, 10).await;
    let buyer = app.buyer(100).await;
    let seats_url = app.url(&stage.perf_path("/seats"));

    let first = app.http.get(&seats_url).send().await.unwrap();
    let etag = first.headers()[ETAG].clone();
    let again = app
        .http
        .get(&seats_url)
        .header(IF_NONE_MATCH, etag.clone())
        .send()
        .await
        .unwrap();
    app.book_ok(&buyer, &stage, &["A1"]).await;
    let changed = app
        .http
        .get(&seats_url)
        .header(IF_NONE_MATCH, etag)
        .send()
        .await
        .unwrap();

    assert_eq!(first.status(), 200);
    assert_eq!(again.status(), 304);
    assert_eq!(changed.status(), 200);
}
