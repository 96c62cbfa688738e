//! A crowd for a performance's waiting room, against a running product
//! (e.g. `scripts/run.sh` after an admin turned the waiting room on in the
//! web app). Every simulated buyer registers, charges the wallet, joins the
//! line at the same moment, polls as the server says, and once admitted
//! books one free seat with the admission; then the crowd reports.
//!
//!   cargo run --release -p tests --bin queue-crowd -- --performance ID
//!       [--api http://127.0.0.1:8080] [--buyers 200]
//!
//! It prints how many were admitted and booked, whether anyone went
//! backwards in line, and by how much a later place saw its turn before an
//! earlier one (polls are up to `poll_after_ms` apart, so up to a few
//! seconds is the clients' lag, not the line's order). Exits non-zero on
//! any unexpected answer.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use futures::future::join_all;
use reqwest::Method;
use serde_json::{Value, json};
use shared::{QueueStatus, QueueTicket, SeatMap, SeatState};
use tests::storm::{Http, buyer};

struct Buyer {
    place: Option<u64>,
    admitted: Option<Instant>,
    booked: Option<String>,
    went_back: bool,
    sold_out: bool,
    problem: Option<String>,
}

fn argument(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// One of `labels` at random (std's randomly seeded hasher is enough).
fn pick(labels: &[&str]) -> Option<String> {
    use std::hash::{BuildHasher, Hasher};
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    let len = u64::try_from(labels.len()).ok().filter(|n| *n > 0)?;
    let index = usize::try_from(random % len).ok()?;
    labels.get(index).map(|l| (*l).to_owned())
}

fn ticket(reply: &Value) -> Result<QueueTicket, String> {
    serde_json::from_value(reply.clone()).map_err(|e| format!("not a ticket ({e}): {reply}"))
}

/// One buyer's life in line: join, poll, book.
async fn shop(http: &Http, base: &str, performance: &str, token: &str) -> Buyer {
    let mut me = Buyer {
        place: None,
        admitted: None,
        booked: None,
        went_back: false,
        sold_out: false,
        problem: None,
    };
    let url = |path: &str| format!("{base}/api/v1{path}");
    let joined = http
        .send(
            Method::POST,
            &url(&format!("/performances/{performance}/queue")),
            Some(token),
            None,
            None,
        )
        .await;
    let mut current = match (joined.status, ticket(&joined.body)) {
        (200 | 201, Ok(t)) => t,
        (status, _) => {
            me.problem = Some(format!("join: {status} {}", joined.body));
            return me;
        }
    };
    let mut last_ahead = current.ahead;
    while current.status == QueueStatus::Waiting {
        me.place = current.position.or(me.place);
        tokio::time::sleep(Duration::from_millis(current.poll_after_ms)).await;
        let polled = http
            .send(
                Method::GET,
                &url(&format!("/queue/{}", current.ticket)),
                None,
                None,
                None,
            )
            .await;
        current = match (polled.status, ticket(&polled.body)) {
            (200, Ok(t)) => t,
            (status, _) => {
                me.problem = Some(format!("poll: {status} {}", polled.body));
                return me;
            }
        };
        if let (Some(before), Some(now)) = (last_ahead, current.ahead) {
            me.went_back |= now > before;
        }
        last_ahead = current.ahead.or(last_ahead);
    }
    me.place = current.position.or(me.place);
    let Some(admission) = current
        .admission
        .filter(|_| current.status == QueueStatus::Admitted)
    else {
        me.problem = Some(format!("left the line as {:?}", current.status));
        return me;
    };
    me.admitted = Some(Instant::now());
    // Book a free seat picked at random, so buyers admitted together do
    // not all reach for the same one; another buyer may still take it first.
    for _ in 0..20 {
        let map = http
            .send(
                Method::GET,
                &url(&format!("/performances/{performance}/seats")),
                Some(token),
                None,
                None,
            )
            .await;
        let Ok(map) = serde_json::from_value::<SeatMap>(map.body) else {
            me.problem = Some("seat map unreadable".into());
            return me;
        };
        let free: Vec<&str> = map
            .sections
            .iter()
            .flat_map(|s| &s.rows)
            .flat_map(|r| &r.seats)
            .filter(|s| s.state == SeatState::Available)
            .map(|s| s.label.as_str())
            .collect();
        let Some(free) = pick(&free) else {
            me.sold_out = true;
            return me;
        };
        let reply = http
            .send_with(
                Method::POST,
                &url(&format!("/performances/{performance}/bookings")),
                Some(token),
                Some(&json!({ "seats": [free] })),
                &[("Admission-Token", admission.token.as_str())],
            )
            .await;
        match (reply.status, reply.body["error"]["code"].as_str()) {
            (201, _) => {
                me.booked = Some(free);
                return me;
            }
            (409, Some("seat_taken")) => continue,
            (status, _) => {
                me.problem = Some(format!("booking: {status} {}", reply.body));
                return me;
            }
        }
    }
    me.problem = Some("every seat tried was taken first".into());
    me
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let base = argument(&args, "--api").unwrap_or_else(|| "http://127.0.0.1:8080".into());
    let Some(performance) = argument(&args, "--performance") else {
        eprintln!("--performance ID is required (the id in the seat page's address)");
        return ExitCode::from(2);
    };
    let count: usize = argument(&args, "--buyers")
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let http = Http::new();
    let run = uuid::Uuid::new_v4().simple().to_string();
    let mut tokens = Vec::new();
    let made_in = Instant::now();
    for chunk in (0..count).collect::<Vec<_>>().chunks(50) {
        let made =
            join_all(
                chunk.iter().map(|i| {
                    let email = format!("crowd-{}-{i}@example.com", &run[..8]);
                    let (http, base) = (&http, &base);
                    async move {
                        buyer(http, base, &email, &format!("Crowd buyer {i}"), 1_000_000).await
                    }
                }),
            )
            .await;
        for made in made {
            match made {
                Ok((_, token)) => tokens.push(token),
                Err(e) => {
                    eprintln!("could not make a buyer: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
    }
    println!(
        "{count} buyers ready in {:.1} s; joining the line of performance {performance} at once",
        made_in.elapsed().as_secs_f64()
    );
    let start = Instant::now();
    let crowd = join_all(tokens.iter().map(|t| shop(&http, &base, &performance, t))).await;

    let admitted: Vec<&Buyer> = crowd.iter().filter(|b| b.admitted.is_some()).collect();
    let booked = crowd.iter().filter(|b| b.booked.is_some()).count();
    let went_back = crowd.iter().filter(|b| b.went_back).count();
    let sold_out = crowd.iter().filter(|b| b.sold_out).count();
    // How much earlier a later place saw its turn than an earlier one.
    let mut by_place: Vec<(u64, Instant)> = admitted
        .iter()
        .filter_map(|b| Some((b.place?, b.admitted?)))
        .collect();
    by_place.sort_by_key(|(place, _)| *place);
    let mut latest = None::<Instant>;
    let mut overtake = Duration::ZERO;
    for (_, at) in by_place.iter().rev() {
        if let Some(later_place_at) = latest {
            overtake = overtake.max(at.saturating_duration_since(later_place_at));
        }
        latest = Some(latest.map_or(*at, |l| l.min(*at)));
    }
    let problems: Vec<&String> = crowd.iter().filter_map(|b| b.problem.as_ref()).collect();
    println!(
        "admitted {} of {count}, booked {booked}, found it sold out {sold_out}, in {:.1} s",
        admitted.len(),
        start.elapsed().as_secs_f64()
    );
    println!("buyers who ever saw more people ahead than before: {went_back}");
    println!(
        "largest lead of a later place over an earlier one, as the clients saw it: {} ms",
        overtake.as_millis()
    );
    for problem in problems.iter().take(10) {
        println!("problem: {problem}");
    }
    if problems.is_empty() && went_back == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
