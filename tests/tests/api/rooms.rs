use reqwest::Method;
use serde_json::json;
use shared::{ErrorCode, Page, Room};
use tests::{at, room_body, spawn_app};

#[tokio::test]
async fn an_admin_creates_a_room_with_defaults() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;

    let response = app
        .post("/api/v1/rooms", Some(&admin), &room_body("A101"))
        .await;

    response.assert_status(201);
    let room: Room = response.json();
    assert_eq!(room.name, "A101");
    assert_eq!(room.time_zone, "Asia/Seoul");
    assert_eq!(room.slot_minutes, 15);
    assert!(!room.requires_approval);
    assert_eq!(
        response.headers["location"].to_str().unwrap(),
        format!("/api/v1/rooms/{}", room.id)
    );
    let fetched: Room = app
        .get(&format!("/api/v1/rooms/{}", room.id), None)
        .await
        .json();
    assert_eq!(fetched, room);
}

#[tokio::test]
async fn only_admins_create_rooms() {
    let app = spawn_app().await;
    let (_, token) = app.new_user().await;

    app.post("/api/v1/rooms", Some(&token), &room_body("A101"))
        .await
        .assert_error(403, ErrorCode::Forbidden);
    app.post("/api/v1/rooms", None, &room_body("A101"))
        .await
        .assert_error(401, ErrorCode::Unauthenticated);
}

#[tokio::test]
async fn room_names_are_unique_regardless_of_case() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    app.create_room(&admin, &room_body("B201")).await;

    let response = app
        .post("/api/v1/rooms", Some(&admin), &room_body(" b201 "))
        .await;

    response.assert_error(409, ErrorCode::RoomNameTaken);
}

#[tokio::test]
async fn invalid_rooms_are_refused_naming_the_field() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let cases = [
        (json!({"name": "", "capacity": 5}), "name"),
        (json!({"name": "X", "capacity": 0}), "capacity"),
        (json!({"name": "X", "capacity": -1}), "capacity"),
        (
            json!({"name": "X", "capacity": 5, "time_zone": "Mars/Base"}),
            "time_zone",
        ),
        (
            json!({"name": "X", "capacity": 5, "slot_minutes": 7}),
            "slot_minutes",
        ),
        (json!({"name": "X"}), "capacity"),
        (json!({"name": "X", "capacity": 5.5}), "capacity"),
    ];
    for (body, field) in cases {
        let response = app.post("/api/v1/rooms", Some(&admin), &body).await;

        response.assert_status(400);
        assert_eq!(
            response.error_field().as_deref(),
            Some(field),
            "{body}: {}",
            response.body
        );
    }
}

#[tokio::test]
async fn a_whole_number_written_with_a_point_counts_as_that_integer() {
    // JSON has one number type; JSON Schema counts 8.0 as an integer.
    let app = spawn_app().await;
    let admin = app.admin_token().await;

    let response = app
        .post(
            "/api/v1/rooms",
            Some(&admin),
            &json!({"name": "X", "capacity": 8.0}),
        )
        .await;

    response.assert_status(201);
    assert_eq!(response.body["capacity"], 8);
}

#[tokio::test]
async fn unknown_and_malformed_room_ids_are_not_found() {
    let app = spawn_app().await;

    app.get("/api/v1/rooms/0123456789abcdef01234567", None)
        .await
        .assert_error(404, ErrorCode::NotFound);
    app.get("/api/v1/rooms/not-an-id", None)
        .await
        .assert_error(404, ErrorCode::NotFound);
}

#[tokio::test]
async fn patch_changes_only_the_given_fields() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let room = app.create_room(&admin, &room_body("C301")).await;

    let response = app
        .request(
            Method::PATCH,
            &format!("/api/v1/rooms/{}", room.id),
            Some(&admin),
            Some(&json!({"capacity": 20, "notes": "마이크 있음", "requires_approval": true})),
        )
        .await;

    response.assert_status(200);
    let updated: Room = response.json();
    assert_eq!(updated.capacity, 20);
    assert_eq!(updated.notes, "마이크 있음");
    assert!(updated.requires_approval);
    assert_eq!(updated.name, "C301");
    assert_eq!(updated.location, room.location);
}

#[tokio::test]
async fn patch_refuses_bad_input() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, user) = app.new_user().await;
    app.create_room(&admin, &room_body("Taken")).await;
    let room = app.create_room(&admin, &room_body("Mine")).await;
    let path = format!("/api/v1/rooms/{}", room.id);
    let patch = |token: String, body: serde_json::Value| {
        let (app, path) = (&app, &path);
        async move {
            app.request(Method::PATCH, path, Some(&token), Some(&body))
                .await
        }
    };

    // Nothing to change, whether no field or only nulls: 422.
    patch(admin.clone(), json!({}))
        .await
        .assert_error(422, ErrorCode::InvalidInput);
    patch(admin.clone(), json!({"name": null}))
        .await
        .assert_error(422, ErrorCode::InvalidInput);
    patch(admin.clone(), json!({"capacty": 3}))
        .await
        .assert_status(400);
    patch(admin.clone(), json!({"name": "TAKEN"}))
        .await
        .assert_error(409, ErrorCode::RoomNameTaken);
    patch(user, json!({"capacity": 3}))
        .await
        .assert_error(403, ErrorCode::Forbidden);
    let unchanged: Room = app.get(&path, None).await.json();
    assert_eq!(unchanged, room);
}

#[tokio::test]
async fn a_deleted_room_is_gone() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let room = app.create_room(&admin, &room_body("D401")).await;
    let path = format!("/api/v1/rooms/{}", room.id);

    app.request::<()>(Method::DELETE, &path, Some(&admin), None)
        .await
        .assert_status(204);

    app.get(&path, None)
        .await
        .assert_error(404, ErrorCode::NotFound);
    app.request::<()>(Method::DELETE, &path, Some(&admin), None)
        .await
        .assert_error(404, ErrorCode::NotFound);
}

#[tokio::test]
async fn a_room_with_upcoming_reservations_cannot_be_deleted() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, user) = app.new_user().await;
    let room = app.create_room(&admin, &room_body("D402")).await;
    let reservation = app
        .reserve_ok(&user, &room.id, at(1, 10.0), at(1, 11.0))
        .await;
    let path = format!("/api/v1/rooms/{}", room.id);

    app.request::<()>(Method::DELETE, &path, Some(&admin), None)
        .await
        .assert_error(409, ErrorCode::RoomInUse);
    app.post_empty(
        &format!("/api/v1/reservations/{}/cancel", reservation.id),
        Some(&user),
    )
    .await
    .assert_status(200);
    app.request::<()>(Method::DELETE, &path, Some(&admin), None)
        .await
        .assert_status(204);
}

async fn names(app: &tests::TestApp, query: &str) -> Vec<String> {
    let response = app.get(&format!("/api/v1/rooms?{query}"), None).await;
    response.assert_status(200);
    response
        .json::<Page<Room>>()
        .items
        .into_iter()
        .map(|r| r.name)
        .collect()
}

#[tokio::test]
async fn rooms_filter_by_capacity_projector_and_location() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    for (name, location, capacity, projector) in [
        ("A101", "1층 East", 10, true),
        ("A102", "1층 West", 8, false),
        ("E501", "5층", 25, true),
    ] {
        let mut body = room_body(name);
        body.location = location.into();
        body.capacity = capacity;
        body.has_projector = projector;
        app.create_room(&admin, &body).await;
    }

    assert_eq!(names(&app, "min_capacity=9").await, ["A101", "E501"]);
    assert_eq!(names(&app, "has_projector=false").await, ["A102"]);
    assert_eq!(names(&app, "location=1%EC%B8%B5").await, ["A101", "A102"]);
    assert_eq!(names(&app, "location=west").await, ["A102"]);
    assert_eq!(
        names(&app, "min_capacity=9&has_projector=true&location=5").await,
        ["E501"]
    );
    assert!(names(&app, "location=.*").await.is_empty());
}

#[tokio::test]
async fn rooms_filter_by_being_free_for_a_whole_range() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, user) = app.new_user().await;
    let busy = app.create_room(&admin, &room_body("Busy")).await;
    app.create_room(&admin, &room_body("Free")).await;
    app.reserve_ok(&user, &busy.id, at(1, 10.0), at(1, 11.0))
        .await;
    let range = |from: f64, to: f64| {
        format!(
            "from={}&to={}",
            at(1, from).to_rfc3339().replace('+', "%2B"),
            at(1, to).to_rfc3339().replace('+', "%2B")
        )
    };

    assert_eq!(names(&app, &range(10.5, 12.0)).await, ["Free"]);
    assert_eq!(names(&app, &range(9.0, 10.0)).await, ["Busy", "Free"]);
    assert_eq!(names(&app, &range(11.0, 12.0)).await, ["Busy", "Free"]);
    assert_eq!(names(&app, &range(10.95, 10.99)).await, ["Free"]);
}

#[tokio::test]
async fn malformed_room_filters_name_the_parameter() {
    let app = spawn_app().await;

    // 400 for what the document refuses, 422 for a rule it cannot state.
    for (query, field, status) in [
        ("min_capacity=many", "min_capacity", 400),
        ("min_capacity=10001", "min_capacity", 400),
        ("has_projector=maybe", "has_projector", 400),
        ("from=2030-01-01T10:00:00Z", "to", 422),
        ("from=yesterday&to=2030-01-01T10:00:00Z", "from", 400),
        (
            "from=2030-01-01T10:00:00Z&to=2030-01-01T09:00:00Z",
            "to",
            422,
        ),
        ("limit=0", "limit", 400),
        ("cursor=garbage", "cursor", 422),
        ("colour=red", "query", 400),
    ] {
        let response = app.get(&format!("/api/v1/rooms?{query}"), None).await;

        response.assert_status(status);
        let message = response.body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            response.error_field().as_deref() == Some(field) || message.contains("colour"),
            "{query}: {}",
            response.body
        );
    }
}

#[tokio::test]
async fn pages_of_rooms_cover_every_room_once() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    for i in 0..7 {
        app.create_room(&admin, &room_body(&format!("R{i:02}")))
            .await;
    }

    let mut seen = Vec::new();
    let mut path = "/api/v1/rooms?limit=3".to_owned();
    loop {
        let page: Page<Room> = app.get(&path, None).await.json();
        seen.extend(page.items.into_iter().map(|r| r.name));
        match page.next_cursor {
            Some(cursor) => path = format!("/api/v1/rooms?limit=3&cursor={cursor}"),
            None => break,
        }
    }

    let expected: Vec<String> = (0..7).map(|i| format!("R{i:02}")).collect();
    assert_eq!(seen, expected);
}
