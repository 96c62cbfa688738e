//! Hot reads, and the same bytes served as a static file for comparison.

use std::path::PathBuf;

use api::configuration::Settings;
use tests::{TestApp, spawn_app_with};

use crate::figures::{Figures, drive};

/// `readers` clients reading `path` `10 * readers` times in all.
pub async fn hot(app: &TestApp, path: &str, readers: usize) -> Figures {
    drive(readers * 10, readers, |_, _| async move {
        app.get(path, None).await.status == 200
    })
    .await
}

/// Another instance of the API on the same database, serving a static
/// directory that holds `body` as `/twin.json`: what actix serves for a
/// file of the same size through the same stack.
pub async fn static_twin(settings: &Settings, body: &[u8]) -> (TestApp, PathBuf) {
    let dir = std::env::temp_dir().join(format!("booking-bench-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("static dir");
    std::fs::write(dir.join("index.html"), "<!doctype html>").expect("index.html");
    std::fs::write(dir.join("twin.json"), body).expect("twin.json");
    let mut settings = settings.clone();
    settings.application.static_dir = dir.display().to_string();
    (spawn_app_with(settings).await, dir)
}
