//! `GET /metrics` after real traffic: checked by Prometheus's own
//! `promtool check metrics`, and read with a parser of the text format.

use prom_text_format_parser::{Scrape, Type, ValueType};
use shared::ErrorCode;
use tests::events::stage;
use tests::{TestApp, at, promtool, spawn_app};

async fn scrape(app: &TestApp) -> Scrape {
    let response = app.http.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let text = response.text().await.unwrap();
    let lint = promtool(&["check", "metrics"], Some(&text));
    assert!(lint.status.success(), "promtool check metrics: {lint:?}");
    Scrape::parse(&text).expect("the Prometheus text format")
}

/// The samples of `metric` whose labels include `labels`, as numbers
/// (histograms: their `_count`).
fn values(scrape: &Scrape, metric: &str, labels: &[(&str, &str)]) -> Vec<f64> {
    scrape
        .metrics
        .iter()
        .filter(|m| m.name == metric)
        .flat_map(|m| {
            m.samples.iter().filter(move |s| match m.kind {
                Type::Histogram | Type::Summary => s.value.value_type == ValueType::Count,
                _ => true,
            })
        })
        .filter(|s| {
            labels
                .iter()
                .all(|(k, v)| s.labels.iter().any(|l| l.key == *k && l.value == *v))
        })
        .map(|s| s.value.value.as_f64())
        .collect()
}

fn count(scrape: &Scrape, metric: &str, labels: &[(&str, &str)]) -> f64 {
    values(scrape, metric, labels).iter().sum::<f64>() + 0.0
}

fn kind(scrape: &Scrape, metric: &str) -> Type {
    scrape
        .metrics
        .iter()
        .find(|m| m.name == metric)
        .unwrap_or_else(|| panic!("no {metric}"))
        .kind
}

#[tokio::test]
async fn metrics_count_requests_by_route_pattern_and_outcomes_by_code() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let room = app.room(&admin).await;
    let (_, user) = app.new_user().await;
    app.get(&format!("/api/v1/rooms/{}", room.id), None)
        .await
        .assert_status(200);
    app.reserve_ok(&user, &room.id, at(1, 9.0), at(1, 10.0))
        .await;
    app.reserve(&user, &room.id, at(1, 9.5), at(1, 10.5))
        .await
        .assert_error(409, ErrorCode::SlotTaken);
    let stage = stage(&app, 1, 4, 100).await;
    let buyer = app.buyer(1000).await;
    app.book_ok(&buyer, &stage, &["A1"]).await;
    app.book(&buyer, &stage, &["A1"])
        .await
        .assert_error(409, ErrorCode::SeatTaken);
    for _ in 0..3 {
        app.get(&stage.perf_path("/seats"), None)
            .await
            .assert_status(200);
    }
    app.get("/api/v1/no-such-thing", None)
        .await
        .assert_status(404);

    let scrape = scrape(&app).await;

    let room_reads = [
        ("endpoint", "/api/v1/rooms/{id}"),
        ("method", "GET"),
        ("status", "200"),
    ];
    assert_eq!(
        count(&scrape, "reservations_http_requests_total", &room_reads),
        1.0
    );
    assert_eq!(
        kind(&scrape, "reservations_http_requests_duration_seconds"),
        Type::Histogram
    );
    assert_eq!(
        values(
            &scrape,
            "reservations_http_requests_duration_seconds",
            &room_reads
        ),
        vec![1.0],
        "a latency histogram per method, route and status"
    );
    let endpoints: Vec<&str> = scrape
        .metrics
        .iter()
        .filter(|m| m.name == "reservations_http_requests_total")
        .flat_map(|m| &m.samples)
        .flat_map(|s| s.labels.iter().filter(|l| l.key == "endpoint"))
        .map(|l| l.value.as_str())
        .collect();
    assert!(endpoints.contains(&"UNKNOWN"), "{endpoints:?}");
    for endpoint in endpoints {
        assert!(
            !endpoint.contains(&room.id.0) && !endpoint.contains("no-such-thing"),
            "raw paths must not become labels: {endpoint}"
        );
    }
    let outcome = |kind, operation, result| {
        count(
            &scrape,
            "reservations_booking_outcomes_total",
            &[("kind", kind), ("operation", operation), ("result", result)],
        )
    };
    assert_eq!(outcome("room", "reserve", "ok"), 1.0);
    assert_eq!(outcome("room", "reserve", "slot_taken"), 1.0);
    assert_eq!(outcome("seat", "book", "ok"), 1.0);
    assert_eq!(outcome("seat", "book", "seat_taken"), 1.0);
    assert!(
        count(
            &scrape,
            "reservations_cache_hits_total",
            &[("cache", "seat_map")]
        ) >= 1.0
            && count(
                &scrape,
                "reservations_cache_misses_total",
                &[("cache", "seat_map")]
            ) >= 1.0
    );
    assert_eq!(count(&scrape, "reservations_db_primary_known", &[]), 1.0);
    assert!(count(&scrape, "reservations_db_pool_connections", &[]) >= 1.0);
    let inserts = values(
        &scrape,
        "reservations_db_command_duration_seconds",
        &[("command", "insert"), ("outcome", "ok")],
    );
    assert!(
        matches!(&inserts[..], [n] if *n >= 1.0),
        "command latency from the driver's events: {inserts:?}"
    );
    for reason in ["write_conflict", "unknown_commit_result", "unavailable"] {
        assert_eq!(
            values(
                &scrape,
                "reservations_db_transaction_retries_total",
                &[("reason", reason)]
            )
            .len(),
            1,
            "retries by {reason} are exported, zero or not"
        );
    }
    for reason in ["busy", "unknown_commit_result", "unavailable"] {
        assert_eq!(
            values(
                &scrape,
                "reservations_db_transaction_giveups_total",
                &[("reason", reason)]
            )
            .len(),
            1
        );
    }
}
