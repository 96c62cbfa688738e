//! An administrator imports a relational export in the browser: a dry run
//! first (nothing written, bad rows and a double booking listed), then the
//! import, verified against the source.

use mongodb::bson::{Document, doc};
use tests::{ADMIN_EMAIL, ADMIN_PASSWORD, spawn_app_serving_web};

use crate::browser::Browser;
use crate::log_in;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/import");

async fn reservations(app: &tests::TestApp) -> u64 {
    app.db
        .collection::<Document>("reservations")
        .count_documents(doc! {})
        .await
        .unwrap()
}

/// Chooses `files` (paths under the fixtures) in the file input `css`.
async fn choose(browser: &Browser, css: &str, files: &[&str]) {
    let paths: Vec<String> = files.iter().map(|f| format!("{FIXTURES}/{f}")).collect();
    browser
        .find(css)
        .await
        .send_keys(&paths.join("\n"))
        .await
        .unwrap_or_else(|e| panic!("cannot choose files in `{css}`: {e}"));
}

#[tokio::test]
async fn an_admin_dry_runs_then_imports_an_export_and_sees_it_verified() {
    // Arrange: Orion's mapping and a slice of its export
    // (tests/fixtures/import/browser): 14 members and 12 rooms (one bad
    // each), 14 bookings: ten good, a double-booked pair, two bad rows.
    let app = spawn_app_serving_web().await;
    let browser = Browser::start(&app.address).await;
    browser.goto("/admin/import").await;
    log_in(&browser, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    browser.find("#import-form").await;
    choose(&browser, "#import-mapping", &["orion/mapping.toml"]).await;
    choose(
        &browser,
        "#import-tables",
        &["browser/members.csv", "browser/rooms.csv"],
    )
    .await;

    // Act: a dry run without the bookings table the mapping names.
    browser.click("#import-dry-run").await;

    // Assert: the missing file is named.
    browser
        .wait_text("#import-form .notice.error", "bookings.csv")
        .await;

    // Act: with it.
    choose(
        &browser,
        "#import-tables",
        &[
            "browser/members.csv",
            "browser/rooms.csv",
            "browser/bookings.csv",
        ],
    )
    .await;
    browser.click("#import-dry-run").await;

    // Assert: what would be stored, and why the rest would not.
    browser
        .wait_attr("#import-report", "data-dry-run", "true")
        .await;
    let row = "#import-counts tr[data-entity='reservations']";
    browser.wait_attr(row, "data-stored", "10").await;
    browser.wait_attr(row, "data-invalid", "2").await;
    browser
        .wait_attr(
            "#import-counts tr[data-entity='users']",
            "data-stored",
            "13",
        )
        .await;
    browser
        .wait_text("#import-problems", "does not exist in Europe/Berlin")
        .await;
    browser
        .wait_text("#import-problems", "overlaps bookings.csv:")
        .await;
    assert_eq!(reservations(&app).await, 0, "a dry run writes nothing");
    browser.scroll_to("import-report").await;
    browser.screenshot("admin-import-dry-run-en").await;

    // Act: the import.
    browser.scroll_to("import-form").await;
    browser.click("#import-run").await;

    // Assert: stored and verified.
    browser
        .wait_attr("#import-report", "data-dry-run", "false")
        .await;
    browser
        .wait_attr("#import-report", "data-verified", "true")
        .await;
    browser
        .wait_attr(
            "#import-checks tr[data-entity='reservations']",
            "data-passed",
            "true",
        )
        .await;
    browser
        .wait_text("#import-verified", "checksums agree")
        .await;
    assert_eq!(reservations(&app).await, 10);
    browser.scroll_to("import-report").await;
    browser.screenshot("admin-import-en").await;

    // The same report in Korean, and the calendar form.
    browser.click("button[data-lang='ko']").await;
    browser
        .wait_text("#import-report h3", "가져오기 완료")
        .await;
    browser.wait_text("#import-verified", "체크섬").await;
    browser.scroll_to("import-report").await;
    browser.screenshot("admin-import-ko").await;
    browser.scroll_to("import-form").await;
    browser.click("#import-kind-calendar").await;
    browser
        .wait_text("label[for='import-calendar']", "캘린더 파일")
        .await;
    browser.screenshot("admin-import-calendar-ko").await;
    browser.close().await;
}
