//! Redrawing a venue's seat map: aisles, tier colours, and the rule that
//! seats sold or on sale never change under their buyers.

use mongodb::bson::{doc, oid::ObjectId};
use reqwest::Method;
use serde_json::{Value, json};
use shared::{ErrorCode, Performance, SeatMap, Venue};
use tests::events::stage;
use tests::{TestApp, spawn_app};

fn layout(name: &str, seats: u32) -> Value {
    json!({
        "name": name,
        "location": "Jongno",
        "sections": [
            { "name": "Floor", "rows": [
                { "label": "A", "seats": seats, "tier": "VIP", "gaps_after": [2] },
                { "label": "B", "seats": seats, "tier": "R" },
            ] },
        ],
        "tier_colors": { "VIP": "#C2255C" },
    })
}

async fn put_venue(app: &TestApp, id: &str, admin: &str, body: &Value) -> tests::TestResponse {
    app.request(
        Method::PUT,
        &format!("/api/v1/venues/{id}"),
        Some(admin),
        Some(body),
    )
    .await
}

async fn new_show(app: &TestApp, admin: &str) -> String {
    let show = app
        .post(
            "/api/v1/shows",
            Some(admin),
            &json!({ "title": "Hamlet", "running_minutes": 120 }),
        )
        .await;
    show.assert_status(201);
    let show: Value = show.json();
    show["id"].as_str().unwrap().to_owned()
}

async fn schedule(app: &TestApp, admin: &str, venue: &str, show: &str) -> tests::TestResponse {
    let starts = chrono::Utc::now() + chrono::Duration::days(20);
    app.post(
        &format!("/api/v1/shows/{show}/performances"),
        Some(admin),
        &json!({
            "venue_id": venue,
            "starts_at": starts.to_rfc3339(),
            "prices": { "VIP": 90, "R": 50 },
        }),
    )
    .await
}

#[tokio::test]
async fn an_admin_redraws_a_venue_and_buyers_see_its_aisles_and_colours() {
    // Arrange
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, user) = app.new_user().await;
    let created = app
        .post("/api/v1/venues", Some(&admin), &layout("Arko Hall", 4))
        .await;
    created.assert_status(201);
    let venue: Venue = created.json();
    let id = venue.id.0.clone();

    // Act + Assert: buyers may not; each bad layout is named, nothing stored.
    put_venue(&app, &id, &user, &layout("Arko Hall", 6))
        .await
        .assert_status(403);
    let mut outside = layout("Arko Hall", 6);
    outside["sections"][0]["rows"][0]["gaps_after"] = json!([6]);
    let refused = put_venue(&app, &id, &admin, &outside).await;
    refused.assert_error(422, ErrorCode::InvalidInput);
    assert!(
        refused.message().contains("after seat 6"),
        "{}",
        refused.message()
    );
    let mut colour = layout("Arko Hall", 6);
    colour["tier_colors"] = json!({ "VIP": "pink" });
    let refused = put_venue(&app, &id, &admin, &colour).await;
    refused.assert_error(400, ErrorCode::InvalidInput);
    assert_eq!(refused.error_field().as_deref(), Some("tier_colors"));
    let mut unused = layout("Arko Hall", 6);
    unused["tier_colors"] = json!({ "S": "#000000" });
    put_venue(&app, &id, &admin, &unused)
        .await
        .assert_status(422);
    let stored: Venue = app.get(&format!("/api/v1/venues/{id}"), None).await.json();
    assert_eq!(stored.seat_count, 8);

    // Act: six seats a row now, an aisle after A2 and after B3.
    let mut redrawn = layout("Arko Arts Theatre", 6);
    redrawn["sections"][0]["rows"][1]["gaps_after"] = json!([3]);
    let changed = put_venue(&app, &id, &admin, &redrawn).await;

    // Assert: the answer, the database, the event, and the buyers' map.
    changed.assert_status(200);
    let changed: Venue = changed.json();
    assert_eq!(changed.name, "Arko Arts Theatre");
    assert_eq!(changed.seat_count, 12);
    assert_eq!(changed.tier_colors["VIP"], "#c2255c");
    assert_eq!(changed.tier_colors["R"], shared::TIER_PALETTE[1]);
    let oid = ObjectId::parse_str(&id).unwrap();
    let doc = &app.documents("venues", doc! { "_id": oid }).await[0];
    assert_eq!(doc.get_i64("version"), Ok(2));
    assert_eq!(doc.get_i32("seat_count"), Ok(12));
    let events = app
        .documents("events", doc! { "type": "venue.updated", "target_id": oid })
        .await;
    assert_eq!(events.len(), 1);
    let show = new_show(&app, &admin).await;
    let performance = schedule(&app, &admin, &id, &show).await;
    performance.assert_status(201);
    let performance: Performance = performance.json();
    let map: SeatMap = app
        .get(
            &format!("/api/v1/performances/{}/seats", performance.id),
            None,
        )
        .await
        .json();
    let gapped: Vec<&str> = map.sections[0]
        .rows
        .iter()
        .flat_map(|r| &r.seats)
        .filter(|s| s.gap_after)
        .map(|s| s.label.as_str())
        .collect();
    assert_eq!(gapped, ["A2", "B3"]);
    assert_eq!(map.available, 12);
    assert_eq!(map.tier_colors["VIP"], "#c2255c");
    assert!(
        tests::invariants::outbox_violations(&app.db)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_venue_with_a_performance_to_come_keeps_its_seats_until_it_is_cancelled() {
    // Arrange
    let app = spawn_app().await;
    let stage = stage(&app, 2, 5, 10).await;
    let id = stage.venue.id.0.clone();
    let buyer = app.buyer(100).await;
    app.book(&buyer, &stage, &["A1"]).await.assert_status(201);
    let wider = json!({
        "name": stage.venue.name,
        "sections": [{ "name": "Floor", "rows": [{ "label": "A", "seats": 9, "tier": "R" }] }],
    });

    // Act + Assert: the seats are on sale, so they stay; the name may change.
    let refused = put_venue(&app, &id, &stage.admin, &wider).await;
    refused.assert_error(409, ErrorCode::VenueInUse);
    assert!(
        refused.message().contains("1 performance"),
        "{}",
        refused.message()
    );
    let mut recoloured = json!({
        "name": stage.venue.name,
        "sections": stage.venue.sections,
        "tier_colors": { "R": "#000000" },
    });
    put_venue(&app, &id, &stage.admin, &recoloured)
        .await
        .assert_error(409, ErrorCode::VenueInUse);
    recoloured["tier_colors"] = json!({});
    recoloured["name"] = json!("Renamed Hall");
    recoloured["location"] = json!("Daehak-ro");
    put_venue(&app, &id, &stage.admin, &recoloured)
        .await
        .assert_status(200);
    let stored: Venue = app.get(&format!("/api/v1/venues/{id}"), None).await.json();
    assert_eq!(
        (stored.name.as_str(), stored.seat_count),
        ("Renamed Hall", 10)
    );
    let seats = app
        .documents(
            "seats",
            doc! { "performance_id": ObjectId::parse_str(&stage.performance.id.0).unwrap() },
        )
        .await;
    assert_eq!(seats.len(), 10, "the performance's seats are untouched");

    // Act: cancelled, the performance no longer holds the seats.
    app.post(
        &stage.perf_path("/cancel"),
        Some(&stage.admin),
        &json!({ "reason": "rebuilding" }),
    )
    .await
    .assert_status(200);
    let changed = put_venue(&app, &id, &stage.admin, &wider).await;

    // Assert
    changed.assert_status(200);
    assert_eq!(changed.json::<Venue>().seat_count, 9);
    assert!(
        tests::invariants::violations(&app.db)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn scheduling_and_redrawing_at_once_never_leave_a_performance_on_a_stale_map() {
    // Arrange: rounds of one redraw racing one new performance.
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let show = new_show(&app, &admin).await;
    let mut outcomes = (0, 0);
    for round in 0..10 {
        let venue: Venue = app
            .post(
                "/api/v1/venues",
                Some(&admin),
                &layout(&format!("Race {round}"), 4),
            )
            .await
            .json();
        let id = venue.id.0.clone();

        // Act
        let redraw = layout(&format!("Race {round}"), 7);
        let (changed, scheduled) = if round % 2 == 0 {
            tokio::join!(
                put_venue(&app, &id, &admin, &redraw),
                schedule(&app, &admin, &id, &show)
            )
        } else {
            let (scheduled, changed) = tokio::join!(
                schedule(&app, &admin, &id, &show),
                put_venue(&app, &id, &admin, &redraw)
            );
            (changed, scheduled)
        };

        // Assert: the performance exists; the venue changed only if the
        // performance was scheduled on the map it has now.
        scheduled.assert_status(201);
        let performance: Performance = scheduled.json();
        let seats = app
            .documents(
                "seats",
                doc! { "performance_id": ObjectId::parse_str(&performance.id.0).unwrap() },
            )
            .await
            .len();
        let stored: Venue = app.get(&format!("/api/v1/venues/{id}"), None).await.json();
        match changed.status.as_u16() {
            200 => {
                outcomes.0 += 1;
                assert_eq!((stored.seat_count, seats), (14, 14), "round {round}");
            }
            409 => {
                outcomes.1 += 1;
                assert_eq!((stored.seat_count, seats), (8, 8), "round {round}");
            }
            other => panic!("round {round}: the redraw answered {other}"),
        }
    }
    println!(
        "redraw first: {}, performance first: {}",
        outcomes.0, outcomes.1
    );
}
