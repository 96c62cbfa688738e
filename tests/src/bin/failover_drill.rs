//! Failover drill against a running product: a booking storm over one or
//! more API instances while the primary steps down (or while you kill
//! it), then an account of what was acknowledged against what is stored.
//!
//!   cargo run -p tests --bin failover-drill -- --api URL [--api URL ...]
//!       --mongodb-uri URI [--mode stepdown|kill] [--db-name NAME]
//!       [--clients N] [--stepdown-seconds N]
//!       [--admin-email E --admin-password P]
//!
//! Defaults fit `scripts/run.sh`: API http://127.0.0.1:8080, database
//! mongodb://127.0.0.1:27117/?replicaSet=secantus named `reservations`,
//! the demo admin, 32 clients, stepdown for 10 s. It makes its own venue,
//! show, rooms and users (all named "Storm ..."), so run it on a staging
//! copy rather than on the live system. `stepdown` needs a database user
//! allowed to run replSetStepDown (clusterManager); `kill` waits for you
//! to kill the primary (and, for a single server, to start it again).
//! Exits non-zero if anything acknowledged is missing, an invariant
//! broke, a request was answered otherwise than 201, 409 or 503 (or not at
//! all), or one waited more than 5 s for its answer.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;
use tests::failover::{Watch, readiness_summary, storm_through};
use tests::storm::{self, Http, text};

struct Options {
    apis: Vec<String>,
    uri: String,
    db_name: String,
    kill: bool,
    clients: usize,
    stepdown_seconds: u32,
    admin_email: String,
    admin_password: String,
}

impl Options {
    fn parse(args: &[String]) -> Result<Self, String> {
        let mut options = Options {
            apis: Vec::new(),
            uri: "mongodb://127.0.0.1:27117/?replicaSet=secantus".into(),
            db_name: "reservations".into(),
            kill: false,
            clients: 32,
            stepdown_seconds: 10,
            admin_email: "lee3@example.com".into(),
            admin_password: "demo-pass-3".into(),
        };
        let mut rest = args.iter();
        while let Some(flag) = rest.next() {
            let mut value = || {
                rest.next()
                    .cloned()
                    .ok_or_else(|| format!("{flag} needs a value"))
            };
            match flag.as_str() {
                "--api" => options.apis.push(value()?.trim_end_matches('/').to_owned()),
                "--mongodb-uri" => options.uri = value()?,
                "--db-name" => options.db_name = value()?,
                "--mode" => {
                    options.kill = match value()?.as_str() {
                        "stepdown" => false,
                        "kill" => true,
                        other => return Err(format!("--mode is stepdown or kill, not {other}")),
                    }
                }
                "--clients" => {
                    options.clients = value()?
                        .parse()
                        .ok()
                        .filter(|n| (1..=64).contains(n))
                        .ok_or("--clients is a number from 1 to 64")?;
                }
                "--stepdown-seconds" => {
                    options.stepdown_seconds = value()?
                        .parse()
                        .ok()
                        .filter(|n| (1..=600).contains(n))
                        .ok_or("--stepdown-seconds is a number from 1 to 600")?;
                }
                "--admin-email" => options.admin_email = value()?,
                "--admin-password" => options.admin_password = value()?,
                other => return Err(format!("unknown option {other}")),
            }
        }
        if options.apis.is_empty() {
            options.apis.push("http://127.0.0.1:8080".into());
        }
        Ok(options)
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match Options::parse(&args) {
        Ok(options) => drill(options).await,
        Err(problem) => Err(format!(
            "{problem}\nusage: failover-drill --api URL [--api URL ...] --mongodb-uri URI \
             [--mode stepdown|kill] [--db-name NAME] [--clients N] [--stepdown-seconds N] \
             [--admin-email E --admin-password P]"
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("FAILED: {problem}");
            ExitCode::FAILURE
        }
    }
}

async fn drill(o: Options) -> Result<(), String> {
    let http = Http::new();
    let watch = Watch::connect(&o.uri).await?;
    if !watch.primary_known().await {
        return Err(format!("no primary is known at {}; is it running?", o.uri));
    }
    let login = http
        .expect(
            200,
            Method::POST,
            &format!("{}/api/v1/auth/login", o.apis[0]),
            None,
            Some(&json!({ "email": o.admin_email, "password": o.admin_password })),
        )
        .await?;
    let admin = text(&login, "token")?;
    let tag = chrono::Utc::now().format("%Y%m%d-%H%M%S").to_string();
    println!(
        "preparing {} clients over {} instance(s) (everything named \"Storm ... {tag}\")",
        o.clients,
        o.apis.len()
    );
    let cast = storm::prepare(&http, &o.apis[0], &admin, o.clients, 12, &tag).await?;
    let stepdown_seconds = o.stepdown_seconds;
    let kill = o.kill;
    let storm = storm_through(
        &http,
        &o.apis,
        &cast,
        &watch,
        Duration::from_secs(3),
        || async {
            if kill {
                println!(
                    "storm running: kill the primary now (kill -9 its mongod, or stop its \
                     machine), then start it again if it is the only data member; waiting..."
                );
                watch.until(false, Duration::from_secs(600)).await
            } else {
                println!("storm running: stepping the primary down for {stepdown_seconds} s");
                let struck = Instant::now();
                watch.step_down(stepdown_seconds).await?;
                Ok(struck)
            }
        },
        Duration::from_secs(5),
    )
    .await?;
    let client = mongodb::Client::with_uri_str(&o.uri)
        .await
        .map_err(|e| format!("database client: {e}"))?;
    let report = storm::account(
        &client.database(&o.db_name),
        &storm.records,
        o.apis.len(),
        storm.fault,
        storm.back,
    )
    .await?;
    println!("{report}");
    for (i, (refused, ready)) in readiness_summary(&storm, o.apis.len()).iter().enumerate() {
        println!(
            "readiness         instance {i}: 503 during the window: {refused}; 200 naming a primary {} after its return",
            ready.map_or("never".to_owned(), |d| format!("{} ms", d.as_millis()))
        );
    }
    if !report.problems.is_empty() || !report.unexpected.is_empty() {
        return Err("see problems and unexpected answers above".into());
    }
    if report.unanswered > 0 {
        return Err(format!(
            "{} requests got no answer at all",
            report.unanswered
        ));
    }
    // The product's promise with default settings (database timeouts).
    if report.longest_wait > Duration::from_secs(5) {
        return Err(format!(
            "a request waited {} ms for its answer, more than 5 s",
            report.longest_wait.as_millis()
        ));
    }
    println!("OK: every acknowledged booking and reservation is stored; no 500");
    Ok(())
}
