//! `api` serves the API; `api seed FILE` loads the meeting-room demo data;
//! `api seed-catalog` generates the seated-event catalogue; `api openapi`
//! prints the OpenAPI document; `api reconcile [--repair] [--json]` checks
//! (and fixes) derived data against its source of truth; `api import`
//! reads users, rooms and reservations from an export (`import/`); `api
//! archive --before DATE` moves finished records to the archive.

use std::process::ExitCode;

use api::configuration::Settings;
use api::startup::Application;

const USAGE: &str = "usage: api [serve | seed <meeting-rooms.json> | seed-catalog [--shows N] \
[--performances N] [--rows N] [--seats-per-row N] [--seed N] [--demo-points N] | openapi | \
reconcile [--repair] [--json] | import [--dry-run] (--mapping <mapping.toml> | --ics <file.ics> \
[--room <name>] [--user <email>] [--source <name>]) | archive --before <YYYY-MM-DD | RFC 3339>]";

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
        ["import", options @ ..] => import(options).await,
        ["archive", "--before", date] => archive(date).await,
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

/// Prints what was (or would be) imported and the verification; exits
/// non-zero when the database does not hold what the source says.
async fn import(options: &[&str]) -> Result<(), String> {
    let (mut dry_run, mut mapping, mut ics) = (false, None, None);
    let mut defaults = api::import::calendar::CalendarDefaults::default();
    let mut rest = options.iter();
    while let Some(option) = rest.next() {
        let mut value = || {
            rest.next()
                .map(|v| (*v).to_owned())
                .ok_or(format!("import: {option} needs a value\n{USAGE}"))
        };
        match *option {
            "--dry-run" => dry_run = true,
            "--mapping" => mapping = Some(value()?),
            "--ics" => ics = Some(value()?),
            "--room" => defaults.room = Some(value()?),
            "--user" => defaults.user = Some(value()?),
            "--source" => defaults.source = value()?,
            other => return Err(format!("import: unknown option {other}\n{USAGE}")),
        }
    }
    let settings = Settings::load().map_err(|e| format!("configuration: {e}"))?;
    let rules = api::import::rules(&settings);
    let now = chrono::Utc::now();
    let source = match (mapping, ics) {
        (Some(path), None) => {
            let mapping = api::import::mapping::Mapping::load(std::path::Path::new(&path))?;
            api::import::tables::read(&mapping)?
        }
        (None, Some(path)) => {
            let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
            let file = std::path::Path::new(&path)
                .file_name()
                .map_or(path.clone(), |n| n.to_string_lossy().into_owned());
            api::import::calendar::read(&text, &file, &defaults, now + rules.max_ahead)?
        }
        _ => return Err(format!("import: give --mapping or --ics\n{USAGE}")),
    };
    let metrics = api::metrics::Metrics::new().map_err(|e| format!("metrics: {e}"))?;
    let store = api::store::Store::connect_for_command(&settings.database, metrics)
        .await
        .map_err(|e| format!("database: {e}"))?;
    store
        .ensure_indexes()
        .await
        .map_err(|e| format!("database indexes: {e}"))?;
    let report = api::import::run(&store, source, &rules, now, dry_run)
        .await
        .map_err(|e| format!("import: {e}"))?;
    print!("{}", report.text());
    if !report.verified() {
        return Err("import: the database does not hold what the source says (see above)".into());
    }
    Ok(())
}

/// Prints the verification; exits non-zero unless every record older
/// than the date left the live collections.
async fn archive(date: &str) -> Result<(), String> {
    let before = api::store::archive::parse_date(date).map_err(|e| format!("{e}\n{USAGE}"))?;
    let settings = Settings::load().map_err(|e| format!("configuration: {e}"))?;
    let metrics = api::metrics::Metrics::new().map_err(|e| format!("metrics: {e}"))?;
    let store = api::store::Store::connect_for_command(&settings.database, metrics)
        .await
        .map_err(|e| format!("database: {e}"))?;
    store
        .ensure_indexes()
        .await
        .map_err(|e| format!("database indexes: {e}"))?;
    let longest = api::import::rules(&settings).max_duration;
    let run = store
        .archive_before(before, longest)
        .await
        .map_err(|e| format!("archive: {e}"))?;
    print!("{}", run.report());
    if !run.is_verified() {
        return Err("archive: live records older than the date remain".into());
    }
    Ok(())
}
