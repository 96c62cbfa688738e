//! The original load test, reproduced with goose against a running product.
//!
//! The ticketing service this product replaces ran k6 on its show list and
//! seat maps, ramping 0 -> 50 -> 150 -> 300 -> 600 virtual users (30 s,
//! 50 s, 50 s, 20 s, hold 30 s, down 20 s) with 0.1 s think time, and
//! passed at p90 < 3 s, p95 < 5 s and errors < 20 %. The `seed` profile is
//! that plan; `smoke` is a short one for CI. Besides the readers, a share
//! of the users are buyers: they register and log in once, charge their
//! wallet, then hold a free seat, pay for it and cancel it again.
//!
//!   cargo run --release -p tests --bin load -- --profile seed|smoke [--host http://127.0.0.1:8080]
//!
//! Prints a percentile table per request and the original thresholds and
//! ours (no errors, reads p99 under 200 ms). Exits non-zero on any error
//! (a refused seat is not one: another buyer took it first).

#[path = "load/journeys.rs"]
mod journeys;
#[path = "load/report.rs"]
mod report;

use std::process::ExitCode;
use std::time::Duration;

use goose::prelude::*;
use journeys::{buy, seat_map, show_list, show_page, sign_up};

struct Profile {
    plan: &'static str,
    about: &'static str,
}

fn profile(name: &str) -> Option<Profile> {
    match name {
        "seed" => Some(Profile {
            plan: "50,30s;150,50s;300,50s;600,20s;600,30s;0,20s",
            about: "the original k6 plan: 0 -> 50 -> 150 -> 300 -> 600 users over 3 min 20 s",
        }),
        "smoke" => Some(Profile {
            plan: "20,5s;20,10s;0,2s",
            about: "20 users for 15 s",
        }),
        _ => None,
    }
}

fn argument(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let profile_name = argument(&args, "--profile").unwrap_or_else(|| "smoke".into());
    let Some(profile) = profile(&profile_name) else {
        eprintln!("--profile must be seed or smoke, not {profile_name}");
        return ExitCode::from(2);
    };
    let host = argument(&args, "--host").unwrap_or_else(|| "http://127.0.0.1:8080".into());
    if let Err(e) = journeys::discover(&host).await {
        eprintln!("cannot read the catalogue at {host}: {e}");
        return ExitCode::from(2);
    }
    println!(
        "load profile {profile_name} ({}) against {host}",
        profile.about
    );
    let think = Duration::from_millis(100);
    let attack = async {
        GooseAttack::initialize_with_config(goose::config::GooseConfiguration::default())?
            .register_scenario(
                scenario!("reader")
                    .set_weight(9)?
                    .set_wait_time(think, think)?
                    .register_transaction(transaction!(show_list).set_weight(2)?)
                    .register_transaction(transaction!(show_page).set_weight(1)?)
                    .register_transaction(transaction!(seat_map).set_weight(2)?),
            )
            .register_scenario(
                scenario!("buyer")
                    .set_weight(1)?
                    .set_wait_time(think, think)?
                    .register_transaction(transaction!(sign_up).set_on_start())
                    .register_transaction(transaction!(buy)),
            )
            .set_default(GooseDefault::Host, host.as_str())?
            .set_default(GooseDefault::TestPlan, profile.plan)?
            .set_default(GooseDefault::NoTelnet, true)?
            .set_default(GooseDefault::NoPrintMetrics, true)?
            .set_default(GooseDefault::Quiet, 1usize)?
            .set_default(GooseDefault::Timeout, "30")?
            .execute()
            .await
    };
    match attack.await {
        Ok(metrics) => {
            let errors = report::print(&metrics);
            if errors == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("the load test could not run: {e}");
            ExitCode::FAILURE
        }
    }
}
