//! `api` serves the API; `api seed FILE` loads the meeting-room demo data;
//! `api seed-catalog` generates the seated-event catalogue; `api openapi`
//! prints the OpenAPI document; `api reconcile [--repair] [--json]` checks
//! (and fixes) derived data against its source of truth.

use std::process::ExitCode;

use api::configuration::Settings;
use api::startup::Application;

const USAGE: &str = "usage: api [serve | seed <meeting-rooms.json> | seed-catalog [--shows N] \
[--performances N] [--rows N] [--seats-per-row N] [--seed N] [--demo-points N] | openapi | \
reconcile [--repair] [--json]]";

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
        ["seed-catalog", options @ ..] => seed_catalog(options).await,
        ["reconcile", options @ ..] => reconcile(options).await,
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
    app.stop_on_signals()
        .map_err(|e| format!("signal handlers: {e}"))?;
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

async fn seed_catalog(options: &[&str]) -> Result<(), String> {
    let spec =
        api::seed::catalog::CatalogSpec::from_args(options).map_err(|e| format!("{e}\n{USAGE}"))?;
    let settings = Settings::load().map_err(|e| format!("configuration: {e}"))?;
    let counts = api::seed::catalog::generate(&settings, &spec)
        .await
        .map_err(|e| format!("generating the catalogue: {e}"))?;
    tracing::info!(
        venues = counts.venues,
        shows = counts.shows,
        performances = counts.performances,
        wallets_granted = counts.wallets,
        "catalogue ready"
    );
    Ok(())
}

/// Exits non-zero while drift remains (found and not repaired), so a
/// script or a cron job notices.
async fn reconcile(options: &[&str]) -> Result<(), String> {
    let (mut repair, mut json) = (false, false);
    for option in options {
        match *option {
            "--repair" => repair = true,
            "--json" => json = true,
            other => return Err(format!("reconcile: unknown option {other}\n{USAGE}")),
        }
    }
    let settings = Settings::load().map_err(|e| format!("configuration: {e}"))?;
    let metrics = api::metrics::Metrics::new().map_err(|e| format!("metrics: {e}"))?;
    let store = api::store::Store::connect_for_command(&settings.database, metrics)
        .await
        .map_err(|e| format!("database: {e}"))?;
    let run = api::reconcile::run_once(&store, repair, shared::ReconcileTrigger::Command)
        .await
        .map_err(|e| format!("reconciliation: {e}"))?;
    if json {
        let text = serde_json::to_string_pretty(&run).map_err(|e| e.to_string())?;
        println!("{text}");
    } else {
        print!("{}", api::reconcile::report(&run));
    }
    let left = run.drift_count - run.repaired_count;
    if left > 0 {
        return Err(format!("{left} drift(s) remain"));
    }
    Ok(())
}
