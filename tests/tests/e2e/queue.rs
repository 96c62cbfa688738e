//! The waiting room in the browser: a buyer takes a place in line, sees
//! the line move, keeps the place across a refresh, gets the seat map
//! when admitted and books with the admission; an admin sets the waiting
//! room up and watches the line. In English and Korean.

use std::time::Duration;

use futures::FutureExt;

use shared::{QueueStatus, QueueTicket};
use tests::events::{Stage, stage_with};
use tests::queue::settings;
use tests::{ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, TestApp, spawn_app_serving_web};

use crate::browser::Browser;
use crate::{account, log_in, production};

fn seats_path(stage: &Stage) -> String {
    format!(
        "/shows/{}/performances/{}",
        stage.show.id, stage.performance.id
    )
}

/// A buyer (through the API) who joined before the browser's user, waits
/// for the turn and then books `seat`, ending the turn.
async fn shopper_ahead(
    app: &TestApp,
    stage: &Stage,
    token: String,
    seat: &str,
    mut go: tokio::sync::watch::Receiver<bool>,
) {
    // Keep the place (joining again finds it) until told to move on.
    let mut ticket: QueueTicket = app.join_ok(&token, stage).await;
    while !*go.borrow() {
        ticket = app.poll(&ticket.ticket).await;
        let _ = tokio::time::timeout(Duration::from_millis(500), go.changed()).await;
    }
    let ticket = app.wait_turn(ticket, 300, Duration::from_secs(60)).await;
    assert_eq!(ticket.status, QueueStatus::Admitted, "{ticket:?}");
    let admission = ticket.admission.expect("an admission").token;
    app.book_admitted(&token, stage, &[seat], Some(&admission))
        .await
        .assert_status(201);
}

#[tokio::test]
async fn a_buyer_waits_in_line_keeps_the_place_on_refresh_and_books_when_admitted() {
    // Arrange: one buyer at a time; two buyers joined first.
    let app = spawn_app_serving_web().await;
    let stage = stage_with(
        &app,
        &production("Hamlet", "Daehakro Arts Theater", 3, 2, 6, 50_000),
    )
    .await;
    // Ten minutes to shop: a loaded machine's browser start, log-in and
    // refresh must not run the first shoppers' turns out.
    let rules = shared::QueueSettings {
        shop_seconds: 600,
        ..settings(None, Some(1))
    };
    app.set_queue(&stage, &rules).await;
    let (go, moves) = tokio::sync::watch::channel(false);
    let mut tokens = Vec::new();
    for name in ["Ahn Jiwoo", "Baek Sora"] {
        let (_, token) = account(&app, name, 100_000).await;
        app.join_ok(&token, &stage).await;
        tokens.push(token);
    }
    let shoppers = futures::future::join_all(
        tokens
            .into_iter()
            .zip(["A1", "A2"])
            .map(|(token, seat)| shopper_ahead(&app, &stage, token, seat, moves.clone())),
    );
    let (email, _) = account(&app, "Choi Yuna", 100_000).await;
    let path = seats_path(&stage);

    // The two ahead keep their places while the browser starts.
    let journey = async {
        let browser = Browser::start(&app.address).await;
        // Act: open the sale and log in.
        browser.goto(&path).await;
        browser.click("#reserve-login").await;
        log_in(&browser, &email, PASSWORD).await;
        browser.wait_path(&path).await;

        // Assert: in line, behind one buyer waiting (the other is shopping).
        browser.wait_text("#queue-title", "You are in line").await;
        browser
            .wait_text("#queue-ahead", "People ahead of you: 1")
            .await;
        browser
            .wait_text("#queue-position", "Your place in line: 3")
            .await;
        browser.find("#queue-progress").await;
        browser.find("#queue-eta").await;
        browser.screenshot("queue").await;

        // A refresh keeps the place; so does Korean.
        browser.goto(&path).await;
        browser
            .wait_text("#queue-position", "Your place in line: 3")
            .await;
        browser.click("button[data-lang='ko']").await;
        browser
            .wait_text("#queue-title", "대기열에 들어왔습니다")
            .await;
        browser
            .wait_text("#queue-ahead", "내 앞 대기 인원: 1명")
            .await;
        browser.wait_text("#queue-position", "대기 순번: 3번").await;
        browser.screenshot("queue-ko").await;

        // The two ahead book and leave; the browser's user gets the map.
        go.send_replace(true);
        browser
            .wait_text("#turn-timer", "예매하실 차례입니다")
            .await;
        browser.find("#seat-map").await;
        browser.find("#live-badge:not([hidden])").await;
        browser
            .wait_attr("#seat-map [data-seat='A1']", "class", "taken")
            .await;
        browser.screenshot("queue-admitted-ko").await;
        browser.click("button[data-lang='en']").await;
        browser.wait_text("#turn-timer", "It is your turn").await;
        browser.click("#seat-map [data-seat='B3']").await;
        browser.click("#reserve").await;
        browser.click("#confirm-book").await;
        browser.wait_text("#booking-done", "B3").await;
        // The booking used the turn: the confirmation stays, and more
        // seats need a new place.
        browser
            .wait_text("#turn-used", "take a new place in line")
            .await;
        browser.find("#queue-rejoin").await;
        browser.screenshot("queue-admitted").await;
        browser
    };
    let ((), browser) = tokio::join!(shoppers.map(drop), journey);
    browser.close().await;

    // The booking was made with the admission, and ended the turn.
    let overview = app.queue_overview(&stage).await;
    assert_eq!((overview.waiting, overview.active), (0, 0), "{overview:?}");
    assert_eq!(overview.admitted_total, 3);
}

#[tokio::test]
async fn an_admin_sets_up_a_waiting_room_and_watches_the_line() {
    // Arrange
    let app = spawn_app_serving_web().await;
    let stage = stage_with(&app, &production("Wicked", "Blue Square", 4, 2, 6, 70_000)).await;
    let browser = Browser::start(&app.address).await;
    browser
        .goto(&format!(
            "/admin/performances/{}/queue",
            stage.performance.id
        ))
        .await;
    log_in(&browser, ADMIN_EMAIL, ADMIN_PASSWORD).await;

    // Act: no pace at all is refused, in place; then a rate of 30 a minute.
    browser.find("#queue-form").await;
    browser.set_value("#queue-rate", "").await;
    browser.set_value("#queue-max-active", "").await;
    browser.click("#queue-save").await;
    browser.wait_text("#admit_per_minute-error", "pace").await;
    browser
        .wait_attr("#queue-rate", "aria-invalid", "true")
        .await;
    browser.set_value("#queue-rate", "30").await;
    browser.set_value("#queue-shop", "300").await;
    browser.click("#queue-save").await;
    browser.find("#queue-saved").await;

    // Assert: stored as set; buyers who join show up in the figures.
    let overview = app.queue_overview(&stage).await;
    let stored = overview.settings.expect("settings stored");
    assert!(stored.enabled);
    assert_eq!(
        (
            stored.admit_per_minute,
            stored.max_active,
            stored.shop_seconds
        ),
        (Some(30), None, 300)
    );
    for name in ["Kim Dahye", "Lim Jaewon", "Oh Seojin"] {
        let (_, token) = account(&app, name, 0).await;
        app.join_ok(&token, &stage).await;
    }
    browser.wait_text("#queue-total", "3").await;
    browser.screenshot("admin-queue").await;
    browser.click("button[data-lang='ko']").await;
    browser.wait_text("#queue-admin-title", "대기열").await;
    browser.wait_text("#queue-figures", "누적 입장").await;
    browser.screenshot("admin-queue-ko").await;
    browser.click("button[data-lang='en']").await;
    browser.close().await;
}
