//! Drill against a running product: many users race for the same seats of
//! one performance (booking, cancelling, rebooking), then the drill checks
//! through the API that no seat is in two bookings, no balance is negative
//! and every balance equals the sum of its ledger.
//!
//!   cargo run -p tests --bin seat-drill -- [BASE_URL] [USERS]
//!
//! BASE_URL defaults to http://127.0.0.1:8080, USERS to 100. It registers
//! its own users and books seats of the first show's first performance.

use std::collections::HashMap;
use std::process::ExitCode;

use futures::future::join_all;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use shared::{
    Booking, BookingStatus, LedgerEntry, Page, SeatMap, SeatState, Show, ShowDetail, Wallet,
};
use tests::storm::{self, Http};

struct Api {
    http: Http,
    base: String,
}

impl Api {
    async fn send<T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Result<(StatusCode, Option<T>), String> {
        let url = format!("{}{path}", self.base);
        let reply = self
            .http
            .send(method, &url, token, body.as_ref(), None)
            .await;
        let status =
            StatusCode::from_u16(reply.status).map_err(|_| format!("{path}: no answer"))?;
        Ok((status, serde_json::from_value(reply.body).ok()))
    }

    async fn get<T: DeserializeOwned>(&self, path: &str, token: Option<&str>) -> Result<T, String> {
        match self.send(reqwest::Method::GET, path, token, None).await? {
            (status, Some(value)) if status.is_success() => Ok(value),
            (status, _) => Err(format!("GET {path}: {status}")),
        }
    }

    /// Every page of a list.
    async fn all<T: DeserializeOwned>(&self, path: &str, token: &str) -> Result<Vec<T>, String> {
        let mut items = Vec::new();
        let mut url = format!("{path}?limit=200");
        loop {
            let page: Page<T> = self.get(&url, Some(token)).await?;
            items.extend(page.items);
            match page.next_cursor {
                Some(cursor) => url = format!("{path}?limit=200&cursor={cursor}"),
                None => return Ok(items),
            }
        }
    }

    async fn user(&self, run: &str, i: usize) -> Result<String, String> {
        let email = format!("drill-{run}-{i}@example.com");
        let name = format!("Driller {i}");
        let (_, token) = storm::buyer(&self.http, &self.base, &email, &name, 1_000_000).await?;
        Ok(token)
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("FAILED: {problem}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let base = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "http://127.0.0.1:8080".into());
    let users: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(100);
    let api = Api {
        http: Http::new(),
        base,
    };
    let run = format!("{}", chrono::Utc::now().timestamp_millis());

    let shows: Page<Show> = api.get("/api/v1/shows?limit=1", None).await?;
    let show = shows
        .items
        .first()
        .ok_or("the product has no shows; load the demo data")?;
    let detail: ShowDetail = api.get(&format!("/api/v1/shows/{}", show.id), None).await?;
    let performance = detail
        .performances
        .first()
        .ok_or("the show has no performance")?;
    let seats_path = format!("/api/v1/performances/{}/seats", performance.id);
    let map: SeatMap = api.get(&seats_path, None).await?;
    let free: Vec<String> = map
        .sections
        .iter()
        .flat_map(|s| &s.rows)
        .flat_map(|r| &r.seats)
        .filter(|s| s.state == SeatState::Available)
        .map(|s| s.label.clone())
        .take(8)
        .collect();
    if free.len() < 4 {
        return Err("fewer than 4 free seats left in that performance".into());
    }
    println!(
        "{} on {}: racing {users} users for seats {}",
        detail.show.title,
        performance.starts_at,
        free.join(" ")
    );

    let tokens: Vec<String> = join_all((0..users).map(|i| api.user(&run, i)))
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;

    // Round 1: everyone wants two neighbouring seats of the same few.
    let book_path = format!("/api/v1/performances/{}/bookings", performance.id);
    let want = |i: usize| json!({ "seats": [free[i % (free.len() - 1)].clone(), free[i % (free.len() - 1) + 1].clone()] });
    let round1 = join_all(tokens.iter().enumerate().map(|(i, t)| {
        api.send::<Booking>(reqwest::Method::POST, &book_path, Some(t), Some(want(i)))
    }))
    .await;
    // Round 2: the winners cancel while everyone else tries again.
    let mut round2 = Vec::new();
    for (i, result) in round1.iter().enumerate() {
        if let Ok((StatusCode::CREATED, Some(booking))) = result {
            round2.push((i, Some(format!("/api/v1/bookings/{}/cancel", booking.id))));
        } else {
            round2.push((i, None));
        }
    }
    join_all(round2.iter().map(|(i, cancel)| {
        let (api, token, book_path) = (&api, &tokens[*i], &book_path);
        let body = want(*i + 1);
        async move {
            match cancel {
                Some(path) => {
                    api.send::<Value>(reqwest::Method::POST, path, Some(token), None)
                        .await
                }
                None => {
                    api.send::<Value>(reqwest::Method::POST, book_path, Some(token), Some(body))
                        .await
                }
            }
        }
    }))
    .await;
    let won = |round: &[Result<(StatusCode, Option<Booking>), String>]| {
        round
            .iter()
            .filter(|r| matches!(r, Ok((StatusCode::CREATED, _))))
            .count()
    };
    let won1 = won(&round1);
    // Round 3: everyone races again for the freed seats.
    let round3 = join_all(tokens.iter().enumerate().map(|(i, t)| {
        api.send::<Booking>(
            reqwest::Method::POST,
            &book_path,
            Some(t),
            Some(want(i + 2)),
        )
    }))
    .await;
    let won3 = won(&round3);

    // Checks, through the API only.
    let mut seat_owner: HashMap<String, String> = HashMap::new();
    let mut problems = Vec::new();
    for token in &tokens {
        let bookings: Vec<Booking> = api.all("/api/v1/bookings", token).await?;
        for booking in bookings
            .iter()
            .filter(|b| b.status == BookingStatus::Confirmed && b.performance_id == performance.id)
        {
            for seat in &booking.seats {
                if let Some(other) = seat_owner.insert(seat.clone(), booking.id.0.clone()) {
                    problems.push(format!(
                        "seat {seat} is in bookings {other} and {}",
                        booking.id
                    ));
                }
            }
        }
        let wallet: Wallet = api.get("/api/v1/wallet", Some(token)).await?;
        let ledger: Vec<LedgerEntry> = api.all("/api/v1/wallet/ledger", token).await?;
        let sum: i64 = ledger.iter().map(|e| e.amount).sum();
        if wallet.balance < 0 {
            problems.push(format!("negative balance {}", wallet.balance));
        }
        if wallet.balance != sum {
            problems.push(format!(
                "balance {} but ledger sums to {sum}",
                wallet.balance
            ));
        }
    }
    let map: SeatMap = api.get(&seats_path, None).await?;
    for seat in map
        .sections
        .iter()
        .flat_map(|s| &s.rows)
        .flat_map(|r| &r.seats)
    {
        if free.contains(&seat.label)
            && seat.state == SeatState::Booked
            && !seat_owner.contains_key(&seat.label)
        {
            problems.push(format!(
                "seat {} shows booked but no drill booking holds it",
                seat.label
            ));
        }
    }
    println!(
        "round 1: {won1} bookings won; round 2 cancelled them while the others retried; \
         round 3: {won3} won; now {} contested seats are booked, each by one booking",
        seat_owner.len()
    );
    println!("checked {} wallets against their ledgers", tokens.len());
    if problems.is_empty() {
        println!(
            "OK: no seat in two bookings, no negative balance, every balance equals its ledger"
        );
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}
