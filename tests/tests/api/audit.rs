//! The outbox and the audit log: every change writes its event in its own
//! transaction, and admins read who did what, when and from where.

use reqwest::Method;
use serde_json::json;
use shared::{AuditEntry, ErrorCode, EventType, Page};
use tests::events::stage;
use tests::{at, invariants, room_body, spawn_app};

async fn audit(app: &tests::TestApp, admin: &str, query: &str) -> Vec<AuditEntry> {
    let response = app.get(&format!("/api/v1/audit{query}"), Some(admin)).await;
    response.assert_status(200);
    response.json::<Page<AuditEntry>>().items
}

#[tokio::test]
async fn every_change_is_in_the_audit_log_with_its_actor_origin_and_what_changed() {
    // Arrange
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (user, token) = app.new_user().await;
    let mut body = room_body("Audited room");
    body.requires_approval = true;
    let room = app.create_room(&admin, &body).await;

    // Act
    let reservation = app
        .reserve_ok(&token, &room.id, at(2, 9.0), at(2, 10.0))
        .await;
    app.post_empty(
        &format!("/api/v1/reservations/{}/approve", reservation.id),
        Some(&admin),
    )
    .await
    .assert_status(200);

    // Assert: newest first, the approval by the admin, from here.
    let entries = audit(&app, &admin, "").await;
    let approval = &entries[0];
    assert_eq!(approval.event_type, EventType::ReservationApproved);
    assert_eq!(approval.target_type, "reservation");
    assert_eq!(approval.target_id, reservation.id.0);
    assert_eq!(approval.seq, 2);
    assert_eq!(approval.actor.email.as_deref(), Some(tests::ADMIN_EMAIL));
    assert_eq!(approval.actor.address.as_deref(), Some("127.0.0.1"));
    assert!(
        approval
            .actor
            .request_id
            .as_deref()
            .is_some_and(|id| id.len() >= 32)
    );
    assert_eq!(approval.changes["status"], json!(["pending", "approved"]));
    assert_eq!(approval.data["status"], "approved");
    let created = &entries[1];
    assert_eq!(created.event_type, EventType::ReservationCreated);
    assert_eq!(created.actor.user_id.as_ref(), Some(&user.id));
    assert_eq!(
        created.changes["purpose"][0],
        json!(null),
        "a first change is all new"
    );
    assert!(
        entries
            .iter()
            .any(|e| e.event_type == EventType::UserCreated
                && e.actor.user_id.as_ref() == Some(&user.id)),
        "registering is the new account's own doing"
    );
    assert!(
        entries
            .iter()
            .any(|e| e.event_type == EventType::UserCreated
                && e.actor.job.as_deref() == Some("bootstrap-admin")),
        "the bootstrap admin is the system's doing"
    );
    assert!(
        invariants::outbox_violations(&app.db)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn the_audit_log_filters_by_actor_type_target_and_time() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let stage = stage(&app, 1, 4, 100).await;
    let buyer = app.buyer(1000).await;
    let booking = app.book_ok(&buyer, &stage, &["A1"]).await;
    app.request::<()>(
        Method::POST,
        &format!("/api/v1/bookings/{}/cancel", booking.id),
        Some(&buyer),
        None,
    )
    .await
    .assert_status(200);

    let cancelled = audit(&app, &admin, "?type=booking.cancelled").await;
    assert_eq!(cancelled.len(), 1);
    assert_eq!(
        cancelled[0].changes["status"],
        json!(["confirmed", "cancelled"])
    );
    let of_booking = audit(
        &app,
        &admin,
        &format!("?target_type=booking&target_id={}", booking.id),
    )
    .await;
    assert_eq!(
        of_booking.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [2, 1],
        "both changes of the booking, newest first"
    );
    let buyer_id = cancelled[0].actor.user_id.clone().expect("the buyer acted");
    let by_buyer = audit(&app, &admin, &format!("?actor={buyer_id}&limit=200")).await;
    let mut types: Vec<&str> = by_buyer.iter().map(|e| e.event_type.as_str()).collect();
    types.sort_unstable();
    assert_eq!(
        types,
        [
            "booking.cancelled",
            "booking.confirmed",
            "user.created",
            "wallet.charged",
            "wallet.debited",
            "wallet.refunded",
        ]
    );
    let later = chrono::Utc::now() + chrono::Duration::seconds(2);
    assert!(
        audit(
            &app,
            &admin,
            &format!("?from={}", later.format("%Y-%m-%dT%H:%M:%SZ"))
        )
        .await
        .is_empty()
    );
    let paged = audit(&app, &admin, "?limit=2").await;
    assert_eq!(paged.len(), 2);
    assert!(
        invariants::outbox_violations(&app.db)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn the_audit_log_is_for_admins_and_names_a_bad_filter() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, user) = app.new_user().await;

    app.get("/api/v1/audit", Some(&user))
        .await
        .assert_error(403, ErrorCode::Forbidden);
    // 400 for what the document refuses, 422 for a rule it cannot state.
    for (query, field, status) in [
        ("?type=room.exploded", "type", 400),
        ("?actor=nobody", "actor", 400),
        ("?target_id=65f000000000000000000000", "target_type", 422),
        ("?target_type=planet", "target_type", 400),
        ("?limit=0", "limit", 400),
        (
            "?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z",
            "to",
            422,
        ),
    ] {
        let response = app
            .get(&format!("/api/v1/audit{query}"), Some(&admin))
            .await;
        response.assert_error(status, ErrorCode::InvalidInput);
        assert_eq!(response.error_field().as_deref(), Some(field), "{query}");
    }
}
