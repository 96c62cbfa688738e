//! An administrator approves a pending reservation and sees the admin pages.

use shared::{CreateReservation, Reservation, ReservationStatus};
use tests::{ADMIN_EMAIL, ADMIN_PASSWORD, at, reservation_body, room_body, spawn_app_serving_web};

use crate::browser::Browser;
use crate::{account, log_in, office};

#[tokio::test]
async fn an_admin_approves_a_pending_reservation() {
    // Arrange: a room that needs approval, and a pending reservation in it.
    let app = spawn_app_serving_web().await;
    let admin = app.admin_token().await;
    office(&app, &admin).await;
    let room = app
        .create_room(
            &admin,
            &shared::CreateRoom {
                requires_approval: true,
                location: "본관 12층".into(),
                capacity: 20,
                ..room_body("Board Room 1201")
            },
        )
        .await;
    let (_, user) = account(&app, "Lee Seoyeon", 0).await;
    account(&app, "Kim Minji", 0).await;
    let pending = app
        .post(
            "/api/v1/reservations",
            Some(&user),
            &CreateReservation {
                purpose: "Quarterly review".into(),
                ..reservation_body(&room.id, at(1, 1.0), at(1, 2.0))
            },
        )
        .await;
    pending.assert_status(201);
    let pending: Reservation = pending.json();
    assert_eq!(pending.status, ReservationStatus::Pending);
    let browser = Browser::start(&app.address).await;

    // Act
    browser.goto("/admin").await;
    browser.wait_path("/login?next=%2Fadmin").await;
    log_in(&browser, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let item = format!("#approvals li[data-reservation='{}']", pending.id);
    browser.wait_text(&item, "Board Room 1201").await;
    browser.screenshot("admin-approvals").await;
    browser.click(&format!("{item} .approve")).await;

    // Assert
    browser.wait_text(&item, "Approved").await;
    let stored: Reservation = app
        .get(
            &format!("/api/v1/reservations/{}", pending.id),
            Some(&admin),
        )
        .await
        .json();
    assert_eq!(stored.status, ReservationStatus::Approved);

    // The other admin pages render.
    browser.click(".subnav a[href='/admin/rooms']").await;
    browser.wait_text("#admin-rooms", "Board Room 1201").await;
    browser.screenshot("admin-rooms").await;
    browser.click(".subnav a[href='/admin/users']").await;
    browser.wait_text("#users", ADMIN_EMAIL).await;
    browser.screenshot("admin-users").await;
    browser.close().await;
}
