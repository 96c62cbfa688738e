//! Seat maps, holds, bookings and cancellations.

use chrono::{Duration, Utc};
use mongodb::bson::{Document, doc};
use shared::{Booking, BookingStatus, ErrorCode, Page, SeatMap, SeatState};
use tests::events::{stage, stage_at};
use tests::{shared_server_uri, spawn_app, spawn_app_with, test_settings};

fn state_of(map: &SeatMap, label: &str) -> (SeatState, bool) {
    map.sections
        .iter()
        .flat_map(|s| &s.rows)
        .flat_map(|r| &r.seats)
        .find(|s| s.label == label)
        .map(|s| (s.state, s.mine))
        .unwrap_or_else(|| panic!("no seat {label}"))
}

#[tokio::test]
async fn the_seat_map_shows_each_seat_and_marks_mine() {
    let app = spawn_app().await;
    let stage = stage(&app, 2, 3, 100).await;
    let me = app.buyer(1_000).await;
    let other = app.buyer(1_000).await;
    app.hold_ok(&me, &stage, &["A1"]).await;
    app.book_ok(&other, &stage, &["B3"]).await;

    let mine: SeatMap = app.get(&stage.perf_path("/seats"), Some(&me)).await.json();
    let anonymous: SeatMap = app.get(&stage.perf_path("/seats"), None).await.json();

    assert_eq!(mine.sections[0].rows.len(), 2);
    assert_eq!(mine.sections[0].rows[0].seats.len(), 3);
    assert_eq!(state_of(&mine, "A1"), (SeatState::Held, true));
    assert_eq!(state_of(&mine, "B3"), (SeatState::Booked, false));
    assert_eq!(state_of(&mine, "A2"), (SeatState::Available, false));
    assert_eq!(state_of(&anonymous, "A1"), (SeatState::Held, false));
    assert_eq!(mine.available, 4);
}

#[tokio::test]
async fn a_hold_takes_all_its_seats_or_none_and_names_the_taken_ones() {
    let app = spawn_app().await;
    let stage = stage(&app, 1, 4, 100).await;
    let first = app.buyer(0).await;
    let second = app.buyer(0).await;
    app.hold_ok(&first, &stage, &["A2"]).await;

    let response = app.hold(&second, &stage, &["A1", "A2", "A3"]).await;

    response.assert_error(409, ErrorCode::SeatTaken);
    assert_eq!(response.body["error"]["seats"], serde_json::json!(["A2"]));
    let map: SeatMap = app.get(&stage.perf_path("/seats"), None).await.json();
    assert_eq!(
        state_of(&map, "A1").0,
        SeatState::Available,
        "no partial hold"
    );
    assert_eq!(
        state_of(&map, "A3").0,
        SeatState::Available,
        "no partial hold"
    );
}

#[tokio::test]
async fn a_hold_reports_its_price_and_expiry() {
    let app = spawn_app().await;
    let stage = stage(&app, 1, 4, 120).await;
    let buyer = app.buyer(0).await;

    let hold = app.hold_ok(&buyer, &stage, &["A1", "A2"]).await;

    assert_eq!(hold.total, 240);
    assert_eq!(hold.seats, ["A1", "A2"]);
    let ttl = hold.expires_at - Utc::now();
    assert!(
        ttl > Duration::minutes(4) && ttl <= Duration::minutes(5),
        "{ttl}"
    );
}

#[tokio::test]
async fn bad_seat_requests_are_refused_naming_the_problem() {
    let app = spawn_app().await;
    let stage = stage(&app, 1, 4, 100).await;
    let buyer = app.buyer(0).await;

    let unknown = app.hold(&buyer, &stage, &["Z9"]).await;
    let twice = app.hold(&buyer, &stage, &["A1", "A1"]).await;
    let none = app.hold(&buyer, &stage, &[]).await;
    let anonymous = app.hold("", &stage, &["A1"]).await;
    let missing = app
        .post(
            "/api/v1/performances/0123456789abcdef01234567/holds",
            Some(&buyer),
            &serde_json::json!({"seats": ["A1"]}),
        )
        .await;

    // A label the seat map lacks is a 422 (the document cannot know the
    // map); the same label twice and no seat at all, the document refuses.
    unknown.assert_error(422, ErrorCode::InvalidInput);
    assert!(
        unknown.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Z9")
    );
    twice.assert_error(400, ErrorCode::InvalidInput);
    none.assert_error(400, ErrorCode::InvalidInput);
    anonymous.assert_error(401, ErrorCode::Unauthenticated);
    missing.assert_error(404, ErrorCode::NotFound);
}

#[tokio::test]
async fn releasing_a_hold_frees_its_seats_at_once() {
    let app = spawn_app().await;
    let stage = stage(&app, 1, 4, 100).await;
    let first = app.buyer(0).await;
    let second = app.buyer(0).await;
    let hold = app.hold_ok(&first, &stage, &["A1"]).await;

    let released = app
        .request::<()>(
            reqwest::Method::DELETE,
            &format!("/api/v1/holds/{}", hold.id),
            Some(&first),
            None,
        )
        .await;

    released.assert_status(204);
    app.hold_ok(&second, &stage, &["A1"]).await;
    app.request::<()>(
        reqwest::Method::DELETE,
        &format!("/api/v1/holds/{}", hold.id),
        Some(&second),
        None,
    )
    .await
    .assert_error(404, ErrorCode::NotFound);
}

#[tokio::test]
async fn confirming_a_hold_pays_for_it_from_the_wallet() {
    let app = spawn_app().await;
    let stage = stage(&app, 1, 4, 300).await;
    let buyer = app.buyer(1_000).await;
    let hold = app.hold_ok(&buyer, &stage, &["A1", "A2"]).await;

    let response = app
        .post_empty(&format!("/api/v1/holds/{}/confirm", hold.id), Some(&buyer))
        .await;

    response.assert_status(201);
    let booking: Booking = response.json();
    assert_eq!(booking.seats, ["A1", "A2"]);
    assert_eq!(booking.total, 600);
    assert_eq!(booking.status, BookingStatus::Confirmed);
    assert_eq!(booking.show_title, "Les Misérables");
    assert_eq!(app.balance(&buyer).await, 400);
    let map: SeatMap = app
        .get(&stage.perf_path("/seats"), Some(&buyer))
        .await
        .json();
    assert_eq!(state_of(&map, "A1"), (SeatState::Booked, true));
    app.post_empty(&format!("/api/v1/holds/{}/confirm", hold.id), Some(&buyer))
        .await
        .assert_error(409, ErrorCode::InvalidStatus);
}

#[tokio::test]
async fn a_hold_the_wallet_cannot_cover_stays_unpaid() {
    let app = spawn_app().await;
    let stage = stage(&app, 1, 4, 300).await;
    let buyer = app.buyer(299).await;
    let hold = app.hold_ok(&buyer, &stage, &["A1"]).await;

    let response = app
        .post_empty(&format!("/api/v1/holds/{}/confirm", hold.id), Some(&buyer))
        .await;

    response.assert_error(409, ErrorCode::InsufficientPoints);
    assert_eq!(app.balance(&buyer).await, 299);
    let bookings: Page<Booking> = app.get("/api/v1/bookings", Some(&buyer)).await.json();
    assert!(bookings.items.is_empty());
    app.charge(&buyer, 1).await.assert_status(200);
    app.post_empty(&format!("/api/v1/holds/{}/confirm", hold.id), Some(&buyer))
        .await
        .assert_status(201);
}

#[tokio::test]
async fn an_expired_holds_seat_can_be_taken_by_someone_else() {
    let mut settings = test_settings(&shared_server_uri().await);
    settings.events.hold_ttl_seconds = 1;
    let app = spawn_app_with(settings).await;
    let stage = stage(&app, 1, 2, 100).await;
    let first = app.buyer(1_000).await;
    let second = app.buyer(1_000).await;
    let hold = app.hold_ok(&first, &stage, &["A1"]).await;

    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let taken = app.hold(&second, &stage, &["A1"]).await;
    let late_confirm = app
        .post_empty(&format!("/api/v1/holds/{}/confirm", hold.id), Some(&first))
        .await;

    taken.assert_status(201);
    late_confirm.assert_error(409, ErrorCode::HoldExpired);
    assert_eq!(app.balance(&first).await, 1_000);
}

#[tokio::test]
async fn one_user_may_hold_only_the_configured_number_of_seats() {
    let mut settings = test_settings(&shared_server_uri().await);
    settings.events.max_seats_per_user = 2;
    let app = spawn_app_with(settings).await;
    let stage = stage(&app, 1, 6, 10).await;
    let buyer = app.buyer(1_000).await;

    app.hold_ok(&buyer, &stage, &["A1"]).await;
    app.book_ok(&buyer, &stage, &["A2"]).await;
    let over = app.hold(&buyer, &stage, &["A3"]).await;
    let too_many = app.hold(&buyer, &stage, &["A4", "A5", "A6"]).await;

    over.assert_error(409, ErrorCode::SeatLimitExceeded);
    // The most seats per request is this deployment's setting: a 422.
    too_many.assert_error(422, ErrorCode::InvalidInput);
    let map: SeatMap = app.get(&stage.perf_path("/seats"), None).await.json();
    assert_eq!(state_of(&map, "A3").0, SeatState::Available);
}

#[tokio::test]
async fn seats_are_not_sold_before_the_sale_opens() {
    let app = spawn_app().await;
    let stage = stage(&app, 1, 2, 10).await;
    let opens = Utc::now() + Duration::days(1);
    let performance = app
        .post(
            &format!("/api/v1/shows/{}/performances", stage.show.id),
            Some(&stage.admin),
            &serde_json::json!({
                "venue_id": stage.venue.id,
                "starts_at": (Utc::now() + Duration::days(2)).to_rfc3339(),
                "sale_opens_at": opens.to_rfc3339(),
                "prices": { "R": 10 },
            }),
        )
        .await;
    performance.assert_status(201);
    let id = performance.body["id"].as_str().unwrap().to_owned();
    let buyer = app.buyer(100).await;

    let response = app
        .post(
            &format!("/api/v1/performances/{id}/holds"),
            Some(&buyer),
            &serde_json::json!({ "seats": ["A1"] }),
        )
        .await;

    response.assert_error(409, ErrorCode::SaleNotOpen);
}

#[tokio::test]
async fn cancelling_refunds_the_price_and_frees_the_seats() {
    let app = spawn_app().await;
    let stage = stage(&app, 1, 4, 250).await;
    let buyer = app.buyer(1_000).await;
    let other = app.buyer(1_000).await;
    let booking = app.book_ok(&buyer, &stage, &["A1", "A2"]).await;
    assert_eq!(app.balance(&buyer).await, 500);

    let response = app
        .post_empty(
            &format!("/api/v1/bookings/{}/cancel", booking.id),
            Some(&buyer),
        )
        .await;

    response.assert_status(200);
    let cancelled: Booking = response.json();
    assert_eq!(cancelled.status, BookingStatus::Cancelled);
    assert_eq!(cancelled.refunded, Some(500));
    assert_eq!(app.balance(&buyer).await, 1_000);
    app.book_ok(&other, &stage, &["A1", "A2"]).await;
    app.post_empty(
        &format!("/api/v1/bookings/{}/cancel", booking.id),
        Some(&buyer),
    )
    .await
    .assert_error(409, ErrorCode::InvalidStatus);
}

#[tokio::test]
async fn bookings_filter_by_status_and_by_whether_the_performance_has_started() {
    let app = spawn_app().await;
    // The slow setup first, so the soon performance is still ahead when booked.
    let later = stage(&app, 1, 2, 10).await;
    let buyer = app.buyer(1_000).await;
    let soon = stage_at(&app, 1, 2, 10, Utc::now() + Duration::seconds(8)).await;
    let early = app.book_ok(&buyer, &soon, &["A1"]).await;
    let upcoming = app.book_ok(&buyer, &later, &["A1"]).await;
    let cancelled = app.book_ok(&buyer, &later, &["A2"]).await;
    app.post_empty(
        &format!("/api/v1/bookings/{}/cancel", cancelled.id),
        Some(&buyer),
    )
    .await
    .assert_status(200);
    let until_start = soon.performance.starts_at - Utc::now() + Duration::milliseconds(100);
    tokio::time::sleep(until_start.to_std().unwrap_or_default()).await;
    let ids = |query: &'static str| {
        let (app, buyer) = (&app, &buyer);
        async move {
            let page: Page<Booking> = app
                .get(&format!("/api/v1/bookings?{query}"), Some(buyer))
                .await
                .json();
            page.items.into_iter().map(|b| b.id).collect::<Vec<_>>()
        }
    };

    assert_eq!(
        ids("upcoming=true&status=confirmed").await,
        vec![upcoming.id.clone()]
    );
    assert_eq!(ids("upcoming=false").await, vec![early.id.clone()]);
    assert_eq!(ids("status=cancelled").await, vec![cancelled.id.clone()]);
    assert_eq!(upcoming.time_zone, "Asia/Seoul");
    app.get("/api/v1/bookings?upcoming=soon", Some(&buyer))
        .await
        .assert_error(400, ErrorCode::InvalidQuery);
}

#[tokio::test]
async fn bookings_sort_by_the_performance_start_in_either_direction() {
    let app = spawn_app().await;
    let in_days = |days| Utc::now() + Duration::days(days);
    let third = stage_at(&app, 1, 2, 10, in_days(30)).await;
    let first = stage_at(&app, 1, 2, 10, in_days(10)).await;
    let second = stage_at(&app, 1, 2, 10, in_days(20)).await;
    let buyer = app.buyer(1_000).await;
    let mut booked = Vec::new();
    for stage in [&third, &first, &second] {
        booked.push(app.book_ok(&buyer, stage, &["A1"]).await.id);
    }
    let [late, soon, middle] = [0, 1, 2].map(|i| booked[i].clone());
    let pages = |query: &'static str| {
        let (app, buyer) = (&app, &buyer);
        async move {
            let mut ids = Vec::new();
            let mut cursor = String::new();
            loop {
                let page: Page<Booking> = app
                    .get(
                        &format!("/api/v1/bookings?limit=1&{query}{cursor}"),
                        Some(buyer),
                    )
                    .await
                    .json();
                ids.extend(page.items.into_iter().map(|b| b.id));
                match page.next_cursor {
                    Some(next) => cursor = format!("&cursor={next}"),
                    None => return ids,
                }
            }
        }
    };

    assert_eq!(
        pages("order=asc").await,
        vec![soon.clone(), middle.clone(), late.clone()]
    );
    assert_eq!(
        pages("order=desc&upcoming=true").await,
        vec![late.clone(), middle.clone(), soon.clone()]
    );
    assert_eq!(
        pages("").await,
        vec![middle, soon, late],
        "newest booking first"
    );
    app.get("/api/v1/bookings?order=soonest", Some(&buyer))
        .await
        .assert_error(400, ErrorCode::InvalidQuery);
    app.get("/api/v1/bookings?order=asc&cursor=bogus", Some(&buyer))
        .await
        .assert_error(422, ErrorCode::InvalidInput);
}

#[tokio::test]
async fn bookings_are_private_to_their_buyer() {
    let app = spawn_app().await;
    let stage = stage(&app, 1, 4, 10).await;
    let buyer = app.buyer(100).await;
    let stranger = app.buyer(100).await;
    let booking = app.book_ok(&buyer, &stage, &["A1"]).await;
    let path = format!("/api/v1/bookings/{}", booking.id);

    let own: Page<Booking> = app.get("/api/v1/bookings", Some(&buyer)).await.json();
    let theirs: Page<Booking> = app.get("/api/v1/bookings", Some(&stranger)).await.json();

    assert_eq!(own.items, vec![booking.clone()]);
    assert!(theirs.items.is_empty());
    app.get(&path, Some(&buyer)).await.assert_status(200);
    app.get(&path, Some(&stranger))
        .await
        .assert_error(404, ErrorCode::NotFound);
    app.post_empty(&format!("{path}/cancel"), Some(&stranger))
        .await
        .assert_error(404, ErrorCode::NotFound);
    app.get(&path, Some(&stage.admin)).await.assert_status(200);
}

#[tokio::test]
async fn a_booking_cannot_be_cancelled_once_the_performance_has_started() {
    let app = spawn_app().await;
    // The buyer first (password hashing is the slow part), then a curtain
    // far enough ahead that a loaded machine still books before it.
    let buyer = app.buyer(100).await;
    let stage = stage_at(&app, 1, 2, 10, Utc::now() + Duration::seconds(10)).await;
    let booking = app.book_ok(&buyer, &stage, &["A1"]).await;

    let until_start = stage.performance.starts_at - Utc::now() + Duration::milliseconds(100);
    tokio::time::sleep(until_start.to_std().unwrap_or_default()).await;
    let cancel = app
        .post_empty(
            &format!("/api/v1/bookings/{}/cancel", booking.id),
            Some(&buyer),
        )
        .await;
    let late_hold = app.hold(&buyer, &stage, &["A2"]).await;

    cancel.assert_error(409, ErrorCode::PerformanceStarted);
    late_hold.assert_error(409, ErrorCode::PerformanceStarted);
    assert_eq!(app.balance(&buyer).await, 90);
}

#[tokio::test]
async fn the_sweep_tidies_expired_holds() {
    let mut settings = test_settings(&shared_server_uri().await);
    settings.events.hold_ttl_seconds = 1;
    settings.events.sweep_interval_seconds = 1;
    let app = spawn_app_with(settings).await;
    let stage = stage(&app, 1, 2, 10).await;
    let buyer = app.buyer(0).await;
    app.hold_ok(&buyer, &stage, &["A1", "A2"]).await;

    let seats = app.db.collection::<Document>("seats");
    let holds = app.db.collection::<Document>("holds");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let held = seats
            .count_documents(doc! { "state": "held" })
            .await
            .unwrap();
        let expired = holds
            .count_documents(doc! { "status": "expired" })
            .await
            .unwrap();
        if (held, expired) == (0, 1) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "expired holds were never tidied: {held} seats held, {expired} holds expired"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}
