//! `api` serves the API; `api seed FILE` loads demo data; `api openapi`
//! prints the OpenAPI document.

use std::process::ExitCode;

use api::configuration::Settings;
use api::startup::Application;

const USAGE: &str = "usage: api [serve | seed <meeting-rooms.json> | openapi]";

#[actix_web::main]
async fn main() -> ExitCode {
    api::telemetry::init("info");
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] | ["serve"] => serve().await,
        ["seed", file] => seed(file).await,
        ["openapi"] => api::openapi::to_json()
            .map(|json| print!("{json}"))
            .map_err(|e| e.to_string()),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

async fn serve() -> Result<(), String> {
    let settings = Settings::load().map_err(|e| format!("configuration: {e}"))?;
    let app = Application::build(settings)
        .await
        .map_err(|e| format!("startup: {e}"))?;
    app.run_until_stopped()
        .await
        .map_err(|e| format!("server: {e}"))
}

async fn seed(file: &str) -> Result<(), String> {
    let settings = Settings::load().map_err(|e| format!("configuration: {e}"))?;
    api::seed::load_file(&settings, std::path::Path::new(file))
        .await
        .map_err(|e| format!("seeding {file}: {e}"))
}
