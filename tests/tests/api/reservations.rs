use serde_json::json;
use shared::{ErrorCode, Page, Reservation, ReservationStatus};
use tests::{TestApp, at, reservation_body, room_body, spawn_app};

async fn setup() -> (TestApp, String, shared::Room, String) {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let room = app.room(&admin).await;
    let (_, user) = app.new_user().await;
    (app, admin, room, user)
}

#[tokio::test]
async fn a_reservation_in_a_room_without_approval_is_approved() {
    let (app, _, room, user) = setup().await;

    let response = app.reserve(&user, &room.id, at(1, 10.0), at(1, 11.0)).await;

    response.assert_status(201);
    let reservation: Reservation = response.json();
    assert_eq!(reservation.status, ReservationStatus::Approved);
    assert_eq!(reservation.room_id, room.id);
    assert_eq!(reservation.room_name, room.name);
    assert_eq!(
        (reservation.start, reservation.end),
        (at(1, 10.0), at(1, 11.0))
    );
    let location = response.headers["location"].to_str().unwrap().to_owned();
    let fetched: Reservation = app.get(&location, Some(&user)).await.json();
    assert_eq!(fetched, reservation);
}

#[tokio::test]
async fn a_reservation_in_a_room_requiring_approval_is_pending_and_holds_its_time() {
    let (app, admin, _, user) = setup().await;
    let mut body = room_body("Boardroom");
    body.requires_approval = true;
    let room = app.create_room(&admin, &body).await;
    let (_, other) = app.new_user().await;

    let pending = app
        .reserve_ok(&user, &room.id, at(1, 10.0), at(1, 11.0))
        .await;

    assert_eq!(pending.status, ReservationStatus::Pending);
    app.reserve(&other, &room.id, at(1, 10.5), at(1, 11.5))
        .await
        .assert_error(409, ErrorCode::SlotTaken);
}

#[tokio::test]
async fn overlapping_reservations_are_refused_with_slot_taken() {
    let (app, _, room, user) = setup().await;
    let (_, other) = app.new_user().await;
    app.reserve_ok(&user, &room.id, at(1, 10.0), at(1, 11.0))
        .await;

    for (start, end) in [
        (10.0, 11.0),
        (9.5, 10.25),
        (10.75, 12.0),
        (10.25, 10.5),
        (9.0, 13.0),
    ] {
        let response = app
            .reserve(&other, &room.id, at(1, start), at(1, end))
            .await;

        response.assert_error(409, ErrorCode::SlotTaken);
        let message = response.body["error"]["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(message.contains(&room.name), "{message}");
    }
}

#[tokio::test]
async fn touching_ranges_both_succeed() {
    let (app, _, room, user) = setup().await;
    let (_, other) = app.new_user().await;

    app.reserve_ok(&user, &room.id, at(1, 10.0), at(1, 11.0))
        .await;
    app.reserve_ok(&other, &room.id, at(1, 11.0), at(1, 12.0))
        .await;
    app.reserve_ok(&other, &room.id, at(1, 9.0), at(1, 10.0))
        .await;
}

#[tokio::test]
async fn the_same_time_in_another_room_is_free() {
    let (app, admin, room, user) = setup().await;
    let second = app.room(&admin).await;

    app.reserve_ok(&user, &room.id, at(1, 10.0), at(1, 11.0))
        .await;
    app.reserve_ok(&user, &second.id, at(1, 10.0), at(1, 11.0))
        .await;
}

#[tokio::test]
async fn invalid_reservations_name_the_field() {
    let (app, _, room, user) = setup().await;
    // Each breaks a rule across fields, of the clock or of the settings
    // (422), but the blank purpose, which the document itself refuses (400).
    let cases = [
        (reservation_body(&room.id, at(1, 11.0), at(1, 10.0)), "end"),
        (reservation_body(&room.id, at(1, 10.0), at(1, 10.0)), "end"),
        (
            reservation_body(&room.id, at(-5, 10.0), at(-5, 11.0)),
            "start",
        ),
        (
            reservation_body(&room.id, at(1, 10.1), at(1, 11.0)),
            "start",
        ),
        (reservation_body(&room.id, at(1, 10.0), at(1, 10.6)), "end"),
        (reservation_body(&room.id, at(1, 0.0), at(1, 13.0)), "end"),
        (
            reservation_body(&room.id, at(400, 10.0), at(400, 11.0)),
            "start",
        ),
        (
            reservation_body(&room.id, at(1, 10.0), at(1, 11.0)).purpose(" "),
            "purpose",
        ),
    ];
    for (body, field) in cases {
        let response = app.post("/api/v1/reservations", Some(&user), &body).await;

        let status = if field == "purpose" { 400 } else { 422 };
        response.assert_error(status, ErrorCode::InvalidInput);
        assert_eq!(
            response.error_field().as_deref(),
            Some(field),
            "{:?}: {}",
            body,
            response.body
        );
    }
    let no_offset = json!({
        "room_id": room.id, "start": "2031-01-01T10:00:00", "end": "2031-01-01T11:00:00", "purpose": "x"
    });
    let response = app
        .post("/api/v1/reservations", Some(&user), &no_offset)
        .await;
    response.assert_status(400);
    assert_eq!(response.error_field().as_deref(), Some("start"));
    assert!(
        response.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("RFC 3339")
    );
    let db_count = app
        .db
        .collection::<mongodb::bson::Document>("reservations")
        .count_documents(mongodb::bson::doc! {})
        .await
        .unwrap();
    assert_eq!(db_count, 0, "nothing is stored for refused requests");
}

trait WithPurpose {
    fn purpose(self, purpose: &str) -> Self;
}

impl WithPurpose for shared::CreateReservation {
    fn purpose(mut self, purpose: &str) -> Self {
        self.purpose = purpose.into();
        self
    }
}

#[tokio::test]
async fn reservations_need_a_session_and_an_existing_room() {
    let (app, _, room, user) = setup().await;

    app.reserve("", &room.id, at(1, 10.0), at(1, 11.0))
        .await
        .assert_error(401, ErrorCode::Unauthenticated);
    let missing = shared::RoomId("0123456789abcdef01234567".into());
    app.reserve(&user, &missing, at(1, 10.0), at(1, 11.0))
        .await
        .assert_error(404, ErrorCode::NotFound);
}

#[tokio::test]
async fn users_see_only_their_own_reservations_and_admins_see_all() {
    let (app, admin, room, user) = setup().await;
    let (_, other) = app.new_user().await;
    let mine = app
        .reserve_ok(&user, &room.id, at(1, 10.0), at(1, 11.0))
        .await;
    let theirs = app
        .reserve_ok(&other, &room.id, at(1, 12.0), at(1, 13.0))
        .await;

    let own: Page<Reservation> = app.get("/api/v1/reservations", Some(&user)).await.json();
    let all: Page<Reservation> = app
        .get("/api/v1/reservations?all=true", Some(&admin))
        .await
        .json();

    assert_eq!(own.items, vec![mine.clone()]);
    assert_eq!(all.items, vec![mine, theirs.clone()]);
    app.get("/api/v1/reservations?all=true", Some(&user))
        .await
        .assert_error(403, ErrorCode::Forbidden);
    app.get(&format!("/api/v1/reservations/{}", theirs.id), Some(&user))
        .await
        .assert_error(404, ErrorCode::NotFound);
    app.get(&format!("/api/v1/reservations/{}", theirs.id), Some(&admin))
        .await
        .assert_status(200);
    app.get("/api/v1/reservations", None)
        .await
        .assert_error(401, ErrorCode::Unauthenticated);
}

#[tokio::test]
async fn reservation_lists_filter_by_room_status_and_time() {
    let (app, admin, room, user) = setup().await;
    let second = app.room(&admin).await;
    let early = app
        .reserve_ok(&user, &room.id, at(1, 8.0), at(1, 9.0))
        .await;
    let late = app
        .reserve_ok(&user, &room.id, at(2, 8.0), at(2, 9.0))
        .await;
    let elsewhere = app
        .reserve_ok(&user, &second.id, at(1, 8.0), at(1, 9.0))
        .await;
    app.post_empty(
        &format!("/api/v1/reservations/{}/cancel", late.id),
        Some(&user),
    )
    .await
    .assert_status(200);
    let list = |query: String| {
        let (app, user) = (&app, &user);
        async move {
            let response = app
                .get(&format!("/api/v1/reservations?{query}"), Some(user))
                .await;
            response.assert_status(200);
            response
                .json::<Page<Reservation>>()
                .items
                .into_iter()
                .map(|r| r.id)
                .collect::<Vec<_>>()
        }
    };
    let enc = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339().replace('+', "%2B");

    assert_eq!(
        list(format!("room_id={}", room.id)).await,
        [early.id.clone(), late.id.clone()]
    );
    assert_eq!(list("status=cancelled".into()).await, vec![late.id.clone()]);
    assert_eq!(
        list(format!("from={}&to={}", enc(at(1, 0.0)), enc(at(1, 23.0)))).await,
        [early.id.clone(), elsewhere.id.clone()]
    );
    assert_eq!(
        list("order=desc&limit=1".into()).await,
        vec![late.id.clone()]
    );
    app.get("/api/v1/reservations?status=lost", Some(&user))
        .await
        .assert_error(400, ErrorCode::InvalidQuery);
}

#[tokio::test]
async fn cancelling_frees_the_time_for_someone_else() {
    let (app, _, room, user) = setup().await;
    let (_, other) = app.new_user().await;
    let reservation = app
        .reserve_ok(&user, &room.id, at(1, 10.0), at(1, 11.0))
        .await;

    let response = app
        .post_empty(
            &format!("/api/v1/reservations/{}/cancel", reservation.id),
            Some(&user),
        )
        .await;

    response.assert_status(200);
    assert_eq!(
        response.json::<Reservation>().status,
        ReservationStatus::Cancelled
    );
    app.reserve_ok(&other, &room.id, at(1, 10.0), at(1, 11.0))
        .await;
}

#[tokio::test]
async fn cancelling_is_for_the_owner_or_an_admin_and_only_once() {
    let (app, admin, room, user) = setup().await;
    let (_, stranger) = app.new_user().await;
    let first = app
        .reserve_ok(&user, &room.id, at(1, 10.0), at(1, 11.0))
        .await;
    let second = app
        .reserve_ok(&user, &room.id, at(1, 12.0), at(1, 13.0))
        .await;
    let cancel = |id: String, token: String| {
        let app = &app;
        async move {
            app.post_empty(&format!("/api/v1/reservations/{id}/cancel"), Some(&token))
                .await
        }
    };

    cancel(first.id.0.clone(), stranger)
        .await
        .assert_error(404, ErrorCode::NotFound);
    cancel(first.id.0.clone(), user.clone())
        .await
        .assert_status(200);
    cancel(first.id.0.clone(), user.clone())
        .await
        .assert_error(409, ErrorCode::InvalidStatus);
    cancel(second.id.0.clone(), admin).await.assert_status(200);
}

#[tokio::test]
async fn admins_approve_or_reject_pending_reservations() {
    let (app, admin, _, user) = setup().await;
    let mut body = room_body("Needs approval");
    body.requires_approval = true;
    let room = app.create_room(&admin, &body).await;
    let (_, other) = app.new_user().await;
    let a = app
        .reserve_ok(&user, &room.id, at(1, 10.0), at(1, 11.0))
        .await;
    let b = app
        .reserve_ok(&user, &room.id, at(1, 12.0), at(1, 13.0))
        .await;
    let act = |id: &shared::ReservationId, action: &str, token: &str| {
        let app = &app;
        let path = format!("/api/v1/reservations/{id}/{action}");
        let token = token.to_owned();
        async move { app.post_empty(&path, Some(&token)).await }
    };

    act(&a.id, "approve", &user)
        .await
        .assert_error(403, ErrorCode::Forbidden);
    let approved = act(&a.id, "approve", &admin).await;
    approved.assert_status(200);
    assert_eq!(
        approved.json::<Reservation>().status,
        ReservationStatus::Approved
    );
    act(&a.id, "approve", &admin)
        .await
        .assert_error(409, ErrorCode::InvalidStatus);
    act(&a.id, "reject", &admin)
        .await
        .assert_error(409, ErrorCode::InvalidStatus);

    let rejected = act(&b.id, "reject", &admin).await;
    rejected.assert_status(200);
    assert_eq!(
        rejected.json::<Reservation>().status,
        ReservationStatus::Rejected
    );
    app.reserve_ok(&other, &room.id, at(1, 12.0), at(1, 13.0))
        .await;
    app.reserve(&other, &room.id, at(1, 10.0), at(1, 11.0))
        .await
        .assert_error(409, ErrorCode::SlotTaken);
    act(
        &shared::ReservationId("0123456789abcdef01234567".into()),
        "approve",
        &admin,
    )
    .await
    .assert_error(404, ErrorCode::NotFound);
}

#[tokio::test]
async fn admins_list_the_approval_queue() {
    let (app, admin, _, user) = setup().await;
    let mut body = room_body("Queue");
    body.requires_approval = true;
    let room = app.create_room(&admin, &body).await;
    let pending = app
        .reserve_ok(&user, &room.id, at(1, 10.0), at(1, 11.0))
        .await;

    let queue: Page<Reservation> = app
        .get("/api/v1/reservations?all=true&status=pending", Some(&admin))
        .await
        .json();

    assert_eq!(queue.items, vec![pending]);
}

#[tokio::test]
async fn past_reservations_are_those_that_have_ended() {
    let (app, _, room, user) = setup().await;
    let upcoming = app
        .reserve_ok(&user, &room.id, at(1, 10.0), at(1, 11.0))
        .await;
    let later = app
        .reserve_ok(&user, &room.id, at(3, 10.0), at(3, 11.0))
        .await;
    let enc = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339().replace('+', "%2B");

    let ended: Page<Reservation> = app
        .get(
            &format!("/api/v1/reservations?ends_before={}", enc(at(2, 0.0))),
            Some(&user),
        )
        .await
        .json();
    let window: Page<Reservation> = app
        .get(
            &format!(
                "/api/v1/reservations?from={}&ends_before={}",
                enc(at(2, 0.0)),
                enc(at(4, 0.0))
            ),
            Some(&user),
        )
        .await
        .json();

    assert_eq!(ended.items, vec![upcoming]);
    assert_eq!(window.items, vec![later]);
}

#[tokio::test]
async fn anyone_sees_when_a_room_is_busy_but_not_who_booked_it() {
    let (app, admin, _, user) = setup().await;
    let mut body = room_body("Busy room");
    body.requires_approval = true;
    let room = app.create_room(&admin, &body).await;
    app.reserve_ok(&user, &room.id, at(1, 9.0), at(1, 10.0))
        .await;
    let cancelled = app
        .reserve_ok(&user, &room.id, at(1, 12.0), at(1, 13.0))
        .await;
    app.post_empty(
        &format!("/api/v1/reservations/{}/cancel", cancelled.id),
        Some(&user),
    )
    .await
    .assert_status(200);
    let enc = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339().replace('+', "%2B");
    let path = |from, to| {
        format!(
            "/api/v1/rooms/{}/busy?from={}&to={}",
            room.id,
            enc(from),
            enc(to)
        )
    };

    let response = app.get(&path(at(1, 0.0), at(2, 0.0)), None).await;

    response.assert_status(200);
    let busy: Vec<shared::BusyRange> = response.json();
    assert_eq!(busy.len(), 1);
    assert_eq!(busy[0].reservation_id, None, "anonymous callers see no ids");
    let own: Vec<shared::BusyRange> = app
        .get(&path(at(1, 0.0), at(2, 0.0)), Some(&user))
        .await
        .json();
    assert!(
        own[0].reservation_id.is_some(),
        "the caller's own carry their id"
    );
    let (_, stranger) = app.new_user().await;
    let theirs: Vec<shared::BusyRange> = app
        .get(&path(at(1, 0.0), at(2, 0.0)), Some(&stranger))
        .await
        .json();
    assert_eq!(theirs[0].reservation_id, None);
    let for_admin: Vec<shared::BusyRange> = app
        .get(&path(at(1, 0.0), at(2, 0.0)), Some(&admin))
        .await
        .json();
    assert_eq!(
        for_admin[0].reservation_id, own[0].reservation_id,
        "admins may open every reservation"
    );
    assert_eq!((busy[0].start, busy[0].end), (at(1, 9.0), at(1, 10.0)));
    assert_eq!(busy[0].status, ReservationStatus::Pending);
    assert!(response.body[0].get("purpose").is_none() && response.body[0].get("user_id").is_none());
    app.get(&path(at(2, 0.0), at(1, 0.0)), None)
        .await
        .assert_error(422, ErrorCode::InvalidInput);
    app.get(&path(at(1, 0.0), at(80, 0.0)), None)
        .await
        .assert_error(422, ErrorCode::InvalidInput);
    app.get(&format!("/api/v1/rooms/{}/busy", room.id), None)
        .await
        .assert_error(400, ErrorCode::InvalidQuery);
}
