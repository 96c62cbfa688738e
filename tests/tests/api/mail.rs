//! E-mail to users, from the outbox, received by a real SMTP server
//! (`aiosmtpd`, started by the test) and read back with Python's own
//! e-mail parser: the right kinds, in each user's language, with the
//! details; nothing for what the user turned off or did themselves; a
//! refusing server gets the e-mail later with the same `Message-ID`; no
//! server configured means the log.

use std::time::{Duration, Instant};

use mongodb::bson::{Document, doc};
use shared::{Language, MailKind, NotificationSettings, User};
use tests::events::stage;
use tests::smtp::SmtpSink;
use tests::{TestApp, at, room_body, shared_server_uri, spawn_app_with, test_settings};

async fn mail_settings(sink: Option<&SmtpSink>) -> api::configuration::Settings {
    let mut settings = test_settings(&shared_server_uri().await);
    settings.mail.send = true;
    settings.mail.reminder_minutes = 0;
    settings.mail.base_url = "https://rooms.example.com".into();
    settings.mail.from = "Reservations <no-reply@rooms.example.com>".into();
    if let Some(sink) = sink {
        settings.mail.smtp_host = "127.0.0.1".into();
        settings.mail.smtp_port = sink.port;
        settings.mail.smtp_security = api::configuration::SmtpSecurity::None;
    }
    settings
}

async fn set_language(app: &TestApp, token: &str, language: Language, muted: Vec<MailKind>) {
    let body = NotificationSettings { language, muted };
    let response = app
        .request(
            reqwest::Method::PUT,
            "/api/v1/me/notifications",
            Some(token),
            Some(&body),
        )
        .await;
    response.assert_status(200);
}

/// Waits until this test has `count` e-mail jobs and none is pending, and
/// returns them.
async fn settled(app: &TestApp, count: usize) -> Vec<Document> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let jobs = app.documents("mails", doc! {}).await;
        if jobs.len() >= count && jobs.iter().all(|j| j.get_str("status") != Ok("pending")) {
            return jobs;
        }
        assert!(Instant::now() < deadline, "e-mail still pending: {jobs:#?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn act(app: &TestApp, token: &str, path: String) {
    app.post_empty(&path, Some(token)).await.assert_status(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bookings_and_decisions_are_mailed_in_each_users_language_and_muted_kinds_are_not() {
    let sink = SmtpSink::start(0);
    let app = spawn_app_with(mail_settings(Some(&sink)).await).await;
    let admin = app.admin_token().await;
    let stage = stage(&app, 1, 6, 10).await;
    let (buyer, buyer_token) = app.new_user().await;
    app.charge(&buyer_token, 100).await.assert_status(200);
    set_language(&app, &buyer_token, Language::En, vec![]).await;

    // A booking and its cancellation, in English.
    let booking = app.book_ok(&buyer_token, &stage, &["A1", "A2"]).await;
    let confirmed = sink.wait_for(&buyer.email, "Booking confirmed").await;
    act(
        &app,
        &buyer_token,
        format!("/api/v1/bookings/{}/cancel", booking.id),
    )
    .await;
    let cancelled = sink.wait_for(&buyer.email, "Booking cancelled").await;

    let title = &stage.show.title;
    assert_eq!(confirmed.subject, format!("Booking confirmed: {title}"));
    assert_eq!(confirmed.content_language.as_deref(), Some("en"));
    assert_eq!(confirmed.from, "Reservations <no-reply@rooms.example.com>");
    assert!(confirmed.to.contains(&buyer.email), "{}", confirmed.to);
    let body = confirmed.body();
    for needed in [
        format!("Hello {},", buyer.name),
        "Your booking is confirmed.".to_owned(),
        "Seats: A1, A2".to_owned(),
        "Price: 20 points".to_owned(),
        format!("Booking: {}", booking.id),
        "https://rooms.example.com/bookings".to_owned(),
        "https://rooms.example.com/notifications".to_owned(),
    ] {
        assert!(body.contains(&needed), "{needed:?} missing from:\n{body}");
    }
    assert_eq!(
        cancelled.subject,
        format!("Booking cancelled: {title} (20 points refunded)")
    );
    assert!(
        cancelled.body().contains("20 points were refunded"),
        "{}",
        cancelled.body()
    );

    // Room decisions, in Korean (the default language).
    let mut body = room_body("결재 회의실");
    body.requires_approval = true;
    let room = app.create_room(&admin, &body).await;
    let (member, member_token) = app.new_user().await;
    let first = app
        .reserve_ok(&member_token, &room.id, at(1, 10.0), at(1, 11.0))
        .await;
    let second = app
        .reserve_ok(&member_token, &room.id, at(1, 12.0), at(1, 13.0))
        .await;
    let third = app
        .reserve_ok(&member_token, &room.id, at(1, 14.0), at(1, 15.0))
        .await;
    act(
        &app,
        &admin,
        format!("/api/v1/reservations/{}/approve", first.id),
    )
    .await;
    let approved = sink.wait_for(&member.email, "예약이 승인되었습니다").await;
    act(
        &app,
        &admin,
        format!("/api/v1/reservations/{}/reject", second.id),
    )
    .await;
    sink.wait_for(&member.email, "예약이 거절되었습니다").await;
    act(
        &app,
        &admin,
        format!("/api/v1/reservations/{}/cancel", first.id),
    )
    .await;
    let by_admin = sink
        .wait_for(&member.email, "관리자가 결재 회의실 예약을 취소했습니다")
        .await;
    act(
        &app,
        &admin,
        format!("/api/v1/reservations/{}/approve", third.id),
    )
    .await;
    // The member's own cancellation is not news to them.
    act(
        &app,
        &member_token,
        format!("/api/v1/reservations/{}/cancel", third.id),
    )
    .await;

    assert_eq!(approved.subject, "결재 회의실 예약이 승인되었습니다");
    assert_eq!(approved.content_language.as_deref(), Some("ko"));
    let body = approved.body();
    for needed in [
        format!("{}님, 안녕하세요.", member.name),
        "회의실: 결재 회의실".to_owned(),
        format!("예약 번호: {}", first.id),
        "목적: planning".to_owned(),
        "https://rooms.example.com/my".to_owned(),
    ] {
        assert!(body.contains(&needed), "{needed:?} missing from:\n{body}");
    }
    assert!(by_admin.body().contains("관리자가 예약을 취소했습니다"));

    // A muted kind is not sent, and the job says why.
    set_language(
        &app,
        &buyer_token,
        Language::En,
        vec![MailKind::BookingConfirmed],
    )
    .await;
    app.book_ok(&buyer_token, &stage, &["A3"]).await;

    let jobs = settled(&app, 7).await;
    let skipped: Vec<&Document> = jobs
        .iter()
        .filter(|j| j.get_str("status") == Ok("skipped"))
        .collect();
    assert_eq!(skipped.len(), 1, "{jobs:#?}");
    assert_eq!(skipped[0].get_str("note"), Ok("turned off by the user"));
    assert_eq!(
        sink.mails_to(&buyer.email).len(),
        2,
        "{:#?}",
        sink.mails_to(&buyer.email)
    );
    let member_mails: Vec<String> = sink
        .mails_to(&member.email)
        .into_iter()
        .map(|m| m.subject)
        .collect();
    assert_eq!(member_mails.len(), 4, "{member_mails:#?}");
    let sent = jobs
        .iter()
        .filter(|j| j.get_str("status") == Ok("sent"))
        .count();
    assert_eq!(sent, 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusing_server_gets_the_mail_later_with_the_same_message_id() {
    let sink = SmtpSink::start(2);
    let app = spawn_app_with(mail_settings(Some(&sink)).await).await;
    let stage = stage(&app, 1, 4, 10).await;
    // A name that is no plain display name in an address header.
    let email = "kim.minji@example.com";
    app.register(email, "Kim, Minji: \"MJ\"", tests::PASSWORD)
        .await
        .assert_status(201);
    let token = app
        .login(email, tests::PASSWORD)
        .await
        .json::<shared::LoginResponse>()
        .token;
    app.charge(&token, 100).await.assert_status(200);

    app.book_ok(&token, &stage, &["A1"]).await;
    let mail = sink.wait_for(email, "예매가 확정되었습니다").await;

    assert_eq!(sink.refused(), 2);
    assert!(mail.to.contains(email), "{}", mail.to);
    assert!(
        mail.body().contains("Kim, Minji: \"MJ\"님"),
        "{}",
        mail.body()
    );
    let jobs = settled(&app, 1).await;
    assert_eq!(jobs.len(), 1);
    assert_eq!(
        jobs[0]
            .get_i64("attempts")
            .or_else(|_| jobs[0].get_i32("attempts").map(i64::from)),
        Ok(3)
    );
    let key = jobs[0].get_str("_id").unwrap().replace(':', ".");
    assert_eq!(
        mail.message_id.as_deref(),
        Some(format!("<{key}@rooms.example.com>").as_str())
    );
    assert_eq!(sink.mails_to(email).len(), 1);
    let metrics = app.metrics_text().await;
    for line in [
        "reservations_mail_total{kind=\"booking_confirmed\",result=\"retried\"} 2",
        "reservations_mail_total{kind=\"booking_confirmed\",result=\"sent\"} 1",
    ] {
        assert!(metrics.contains(line), "{line} missing from:\n{metrics}");
    }
}

#[tokio::test]
async fn without_an_smtp_server_mail_is_written_to_the_log() {
    let app = spawn_app_with(mail_settings(None).await).await;
    let stage = stage(&app, 1, 4, 10).await;
    let (buyer, token): (User, String) = app.new_user().await;
    app.charge(&token, 100).await.assert_status(200);

    app.book_ok(&token, &stage, &["A1"]).await;

    let jobs = settled(&app, 1).await;
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].get_str("status"), Ok("logged"));
    assert_eq!(jobs[0].get_str("to"), Ok(buyer.email.as_str()));
    let subject = jobs[0].get_str("subject").unwrap();
    assert!(subject.contains("예매가 확정되었습니다"), "{subject}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminders_come_once_before_a_reservation_or_performance_still_on() {
    let sink = SmtpSink::start(0);
    let mut settings = mail_settings(Some(&sink)).await;
    // Everything this test makes starts within 40 days.
    settings.mail.reminder_minutes = 40 * 24 * 60;
    settings.mail.send = false;
    let quiet = spawn_app_with(settings.clone()).await;
    let admin = quiet.admin_token().await;
    let stage = stage(&quiet, 1, 4, 10).await;
    let (buyer, token) = quiet.new_user().await;
    quiet.charge(&token, 100).await.assert_status(200);
    set_language(
        &quiet,
        &token,
        Language::En,
        vec![MailKind::BookingConfirmed],
    )
    .await;
    quiet.book_ok(&token, &stage, &["A1"]).await;
    let room = quiet.create_room(&admin, &room_body("Reminder room")).await;
    let (member, member_token) = quiet.new_user().await;
    let kept = quiet
        .reserve_ok(&member_token, &room.id, at(1, 9.0), at(1, 10.0))
        .await;
    let dropped = quiet
        .reserve_ok(&member_token, &room.id, at(1, 11.0), at(1, 12.0))
        .await;
    act(
        &quiet,
        &member_token,
        format!("/api/v1/reservations/{}/cancel", dropped.id),
    )
    .await;

    // An instance that sends: its first scan finds what starts soon.
    settings.mail.send = true;
    let app = spawn_app_with(settings).await;
    let show = sink.wait_for(&buyer.email, "Starting soon").await;
    let meeting = sink
        .wait_for(&member.email, "곧 시작합니다: Reminder room")
        .await;
    settled(&app, 3).await;
    tokio::time::sleep(Duration::from_millis(500)).await;

    assert_eq!(show.subject, format!("Starting soon: {}", stage.show.title));
    assert!(
        meeting.body().contains(&format!("예약 번호: {}", kept.id)),
        "{}",
        meeting.body()
    );
    // Scanning again makes no second reminder.
    let store =
        api::store::Store::connect(&app_database(&app), api::metrics::Metrics::new().unwrap())
            .await
            .unwrap();
    let now = chrono::Utc::now();
    for _ in 0..2 {
        store
            .queue_reminders(now, now + chrono::Duration::days(40))
            .await
            .unwrap();
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(settled(&app, 3).await.len(), 3);
    assert_eq!(
        sink.mails_to(&buyer.email).len(),
        1,
        "the muted confirmation is not sent"
    );
    assert_eq!(
        sink.mails_to(&member.email).len(),
        1,
        "nothing for the cancelled one"
    );
}

/// The database settings of `app`, to reach its database through the store.
fn app_database(app: &TestApp) -> api::configuration::DatabaseSettings {
    let mut database = api::configuration::Settings::defaults().unwrap().database;
    database.uri = app.db_uri.clone().into();
    database.name = app.db_name.clone();
    database
}
