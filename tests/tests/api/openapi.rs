//! The committed OpenAPI document matches the code and covers every route.

use serde_json::Value;
use tests::spawn_app;

const COMMITTED: &str = include_str!("../../../openapi/openapi.json");

#[test]
fn the_committed_openapi_document_is_up_to_date() {
    let generated = api::openapi::to_json().unwrap();

    assert!(
        generated == COMMITTED,
        "openapi/openapi.json is stale; regenerate it with \
         `cargo run -p api -- openapi > openapi/openapi.json`"
    );
}

#[test]
fn the_document_is_openapi_3_and_covers_every_route() {
    let doc: Value = serde_json::from_str(COMMITTED).unwrap();
    let expected = [
        ("get", "/api/v1/health"),
        ("get", "/api/v1/health/ready"),
        ("get", "/api/v1/limits"),
        ("post", "/api/v1/auth/register"),
        ("post", "/api/v1/auth/login"),
        ("post", "/api/v1/auth/logout"),
        ("get", "/api/v1/auth/oidc/providers"),
        ("get", "/api/v1/auth/oidc/{provider}/start"),
        ("get", "/api/v1/auth/oidc/{provider}/callback"),
        ("get", "/api/v1/auth/oidc/link"),
        ("post", "/api/v1/auth/oidc/link"),
        ("delete", "/api/v1/auth/oidc/link"),
        ("get", "/api/v1/me"),
        ("get", "/api/v1/users"),
        ("put", "/api/v1/users/{id}/role"),
        ("get", "/api/v1/rooms"),
        ("post", "/api/v1/rooms"),
        ("get", "/api/v1/rooms/{id}"),
        ("get", "/api/v1/rooms/{id}/busy"),
        ("patch", "/api/v1/rooms/{id}"),
        ("delete", "/api/v1/rooms/{id}"),
        ("post", "/api/v1/reservations"),
        ("get", "/api/v1/reservations"),
        ("get", "/api/v1/reservations/{id}"),
        ("post", "/api/v1/reservations/{id}/cancel"),
        ("post", "/api/v1/reservations/{id}/approve"),
        ("post", "/api/v1/reservations/{id}/reject"),
        ("post", "/api/v1/venues"),
        ("get", "/api/v1/venues"),
        ("get", "/api/v1/venues/{id}"),
        ("put", "/api/v1/venues/{id}"),
        ("get", "/api/v1/archive/reservations"),
        ("get", "/api/v1/archive/reservations/{id}"),
        ("get", "/api/v1/archive/bookings"),
        ("get", "/api/v1/archive/bookings/{id}"),
        ("get", "/api/v1/shows"),
        ("post", "/api/v1/shows"),
        ("get", "/api/v1/shows/{id}"),
        ("put", "/api/v1/shows/{id}"),
        ("put", "/api/v1/shows/{id}/poster"),
        ("get", "/api/v1/shows/{id}/poster"),
        ("post", "/api/v1/shows/{id}/performances"),
        ("get", "/api/v1/performances/{id}"),
        ("post", "/api/v1/performances/{id}/cancel"),
        ("get", "/api/v1/performances/{id}/seats"),
        ("get", "/api/v1/performances/{id}/seats/events"),
        ("post", "/api/v1/performances/{id}/holds"),
        ("post", "/api/v1/performances/{id}/bookings"),
        ("post", "/api/v1/holds/{id}/confirm"),
        ("delete", "/api/v1/holds/{id}"),
        ("post", "/api/v1/performances/{id}/queue"),
        ("put", "/api/v1/performances/{id}/queue"),
        ("get", "/api/v1/performances/{id}/queue"),
        (
            "delete",
            "/api/v1/performances/{id}/queue/admissions/{user_id}",
        ),
        ("get", "/api/v1/queue/{ticket}"),
        ("get", "/api/v1/bookings"),
        ("get", "/api/v1/bookings/{id}"),
        ("post", "/api/v1/bookings/{id}/cancel"),
        ("get", "/api/v1/wallet"),
        ("post", "/api/v1/wallet/charge"),
        ("get", "/api/v1/wallet/ledger"),
        ("post", "/api/v1/webhooks"),
        ("get", "/api/v1/webhooks"),
        ("get", "/api/v1/webhooks/{id}"),
        ("patch", "/api/v1/webhooks/{id}"),
        ("delete", "/api/v1/webhooks/{id}"),
        ("get", "/api/v1/webhooks/{id}/deliveries"),
        (
            "post",
            "/api/v1/webhooks/{id}/deliveries/{delivery}/redeliver",
        ),
        ("get", "/api/v1/audit"),
        ("get", "/api/v1/reconciliations"),
        ("post", "/api/v1/reconciliations"),
        ("get", "/api/v1/me/notifications"),
        ("put", "/api/v1/me/notifications"),
        ("get", "/api/v1/me/sessions"),
        ("delete", "/api/v1/me/sessions/{id}"),
        ("delete", "/api/v1/me/sessions"),
        ("put", "/api/v1/me/password"),
        ("post", "/api/v1/me/api-keys"),
        ("get", "/api/v1/me/api-keys"),
        ("delete", "/api/v1/me/api-keys/{id}"),
        ("post", "/api/v1/users/{id}/sessions/end"),
        ("put", "/api/v1/users/{id}/disabled"),
        ("get", "/api/v1/reports/sales"),
        ("get", "/api/v1/reports/occupancy"),
        ("post", "/api/v1/imports"),
    ];

    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for (method, path) in expected {
        let operation = &doc["paths"][path][method];
        assert!(operation.is_object(), "{method} {path} is missing");
        assert!(
            operation["responses"]
                .as_object()
                .is_some_and(|r| !r.is_empty()),
            "{method} {path} documents no responses"
        );
    }
    let documented: usize = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| item.as_object().unwrap().len())
        .sum();
    assert_eq!(
        documented,
        expected.len(),
        "an undocumented or untested route"
    );
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
}

#[tokio::test]
async fn the_interactive_docs_are_served_without_the_internet() {
    let app = spawn_app().await;

    let page = app.http.get(app.url("/api/docs/")).send().await.unwrap();
    let spec = app.get("/api/openapi.json", None).await;
    let bundle = app
        .http
        .get(app.url("/api/docs/swagger-ui-bundle.js"))
        .send()
        .await
        .unwrap();

    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("swagger"));
    spec.assert_status(200);
    assert_eq!(spec.body, serde_json::from_str::<Value>(COMMITTED).unwrap());
    assert_eq!(bundle.status(), 200);
}

/// Every documented path answers a method it does not list with `405` and
/// an `Allow` header naming exactly the methods it lists; unknown paths
/// stay `404`.
#[tokio::test]
async fn an_unlisted_method_on_a_known_path_is_405_with_the_methods_it_takes() {
    let app = spawn_app().await;
    let doc: Value = serde_json::from_str(COMMITTED).unwrap();
    let methods = ["delete", "get", "patch", "post", "put"];

    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let listed: Vec<&str> = methods
            .iter()
            .copied()
            .filter(|m| item.get(*m).is_some())
            .collect();
        let Some(unlisted) = methods.iter().find(|m| !listed.contains(m)) else {
            continue;
        };
        let concrete: String = path
            .split('/')
            .map(|s| {
                if s.starts_with('{') {
                    "6650f0f0f0f0f0f0f0f0f0f0"
                } else {
                    s
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let method = reqwest::Method::from_bytes(unlisted.to_uppercase().as_bytes()).unwrap();
        let response = app.request::<()>(method, &concrete, None, None).await;

        response.assert_error(405, shared::ErrorCode::MethodNotAllowed);
        let allow = response.headers["allow"].to_str().unwrap().to_owned();
        let expected: Vec<String> = listed.iter().map(|m| m.to_uppercase()).collect();
        assert_eq!(allow, expected.join(", "), "{unlisted} {path}");
        let message = response.body["error"]["message"].as_str().unwrap();
        assert!(message.contains(&allow), "{message}");
        checked += 1;
    }
    assert!(checked > 40, "only {checked} paths checked");

    app.get("/api/v1/no-such-thing", None)
        .await
        .assert_error(404, shared::ErrorCode::NotFound);
    app.request::<()>(reqwest::Method::DELETE, "/api/v1/rooms/a/b/c", None, None)
        .await
        .assert_error(404, shared::ErrorCode::NotFound);
}
