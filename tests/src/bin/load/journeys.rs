//! What the load test's users do: readers browse the show list, show
//! pages and seat maps; buyers sign up once, then hold a free seat, pay for
//! it and cancel it (so the run never sells the house out).

use std::sync::OnceLock;

use goose::prelude::*;
use serde_json::{Value, json};

/// Shows and performances on sale, read once before the run.
struct Catalogue {
    shows: Vec<String>,
    performances: Vec<String>,
}

static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();

/// Reads the show list and the shows' performances that are on sale.
pub async fn discover(host: &str) -> Result<(), String> {
    let http = reqwest::Client::new();
    let get = async |path: String| -> Result<Value, String> {
        http.get(format!("{host}{path}"))
            .send()
            .await
            .map_err(|e| e.to_string())?
            .error_for_status()
            .map_err(|e| e.to_string())?
            .json::<Value>()
            .await
            .map_err(|e| e.to_string())
    };
    let page = get("/api/v1/shows?limit=50".into()).await?;
    let shows: Vec<String> = page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["id"].as_str().map(str::to_owned))
        .collect();
    let now = chrono::Utc::now();
    let mut performances = Vec::new();
    for show in &shows {
        let detail = get(format!("/api/v1/shows/{show}")).await?;
        for p in detail["performances"].as_array().into_iter().flatten() {
            let opens = p["sale_opens_at"].as_str().and_then(|t| t.parse().ok());
            let starts = p["starts_at"].as_str().and_then(|t| t.parse().ok());
            if opens.is_none_or(|t: chrono::DateTime<chrono::Utc>| t <= now)
                && starts.is_some_and(|t: chrono::DateTime<chrono::Utc>| t > now)
                && let Some(id) = p["id"].as_str()
            {
                performances.push(id.to_owned());
            }
        }
    }
    if shows.is_empty() || performances.is_empty() {
        return Err(format!(
            "{} shows and {} performances on sale: load the demo catalogue first (scripts/run.sh does)",
            shows.len(),
            performances.len()
        ));
    }
    CATALOGUE
        .set(Catalogue {
            shows,
            performances,
        })
        .map_err(|_| "the catalogue was read twice".to_owned())
}

fn catalogue() -> Result<&'static Catalogue, Box<TransactionError>> {
    CATALOGUE
        .get()
        .ok_or_else(|| Box::new(TransactionError::Custom("no catalogue".into())))
}

/// A random index below `n` (uniform enough for choosing what to read).
fn pick(n: usize) -> usize {
    (uuid::Uuid::new_v4().as_u128() % n.max(1) as u128) as usize
}

pub async fn show_list(user: &mut GooseUser) -> TransactionResult {
    user.get_named("/api/v1/shows", "show list").await?;
    Ok(())
}

pub async fn show_page(user: &mut GooseUser) -> TransactionResult {
    let shows = &catalogue()?.shows;
    let path = format!("/api/v1/shows/{}", shows[pick(shows.len())]);
    user.get_named(&path, "show page").await?;
    Ok(())
}

pub async fn seat_map(user: &mut GooseUser) -> TransactionResult {
    let performances = &catalogue()?.performances;
    let path = format!(
        "/api/v1/performances/{}/seats",
        performances[pick(performances.len())]
    );
    user.get_named(&path, "seat map").await?;
    Ok(())
}

#[derive(Clone)]
struct Buyer {
    token: String,
}

/// Sends `body` (or nothing) with the buyer's token; `ok` lists the
/// statuses that are normal outcomes rather than errors.
async fn call(
    user: &mut GooseUser,
    method: GooseMethod,
    path: &str,
    name: &str,
    body: Option<Value>,
    ok: &[u16],
) -> Result<Option<Value>, Box<TransactionError>> {
    let mut builder = user.get_request_builder(&method, path)?;
    if let Some(buyer) = user.get_session_data::<Buyer>() {
        builder = builder.bearer_auth(&buyer.token);
    }
    if let Some(body) = body {
        builder = builder.json(&body);
    }
    let request = GooseRequest::builder()
        .method(method)
        .path(path)
        .name(name)
        .set_request_builder(builder)
        .build();
    let mut goose = user.request(request).await?;
    let Ok(response) = goose.response else {
        return Ok(None);
    };
    let status = response.status().as_u16();
    let value = response.json::<Value>().await.ok();
    if status >= 400 {
        // Goose counted it as failed; a normal outcome is put right.
        if ok.contains(&status) {
            user.set_success(&mut goose.request)?;
        }
        return Ok(None);
    }
    Ok(value)
}

pub async fn sign_up(user: &mut GooseUser) -> TransactionResult {
    let email = format!("load-{}@example.com", uuid::Uuid::new_v4().simple());
    let password = "load-test-password";
    let account = json!({ "email": email, "name": "Load tester", "password": password });
    call(
        user,
        GooseMethod::Post,
        "/api/v1/auth/register",
        "register",
        Some(account),
        &[],
    )
    .await?;
    let login = json!({ "email": email, "password": password });
    let session = call(
        user,
        GooseMethod::Post,
        "/api/v1/auth/login",
        "login",
        Some(login),
        &[],
    )
    .await?;
    let token = session
        .as_ref()
        .and_then(|s| s["token"].as_str())
        .ok_or_else(|| Box::new(TransactionError::Custom("login gave no token".into())))?;
    user.set_session_data(Buyer {
        token: token.to_owned(),
    });
    let charge = json!({ "amount": 1_000_000 });
    call(
        user,
        GooseMethod::Post,
        "/api/v1/wallet/charge",
        "charge wallet",
        Some(charge),
        &[],
    )
    .await?;
    Ok(())
}

/// Reads a seat map, holds a free seat (409 when someone was faster),
/// confirms the hold and cancels the booking.
pub async fn buy(user: &mut GooseUser) -> TransactionResult {
    let performances = &catalogue()?.performances;
    let performance = &performances[pick(performances.len())];
    let map_path = format!("/api/v1/performances/{performance}/seats");
    let Some(map) = call(
        user,
        GooseMethod::Get,
        &map_path,
        "seat map (buyer)",
        None,
        &[],
    )
    .await?
    else {
        return Ok(());
    };
    let free: Vec<&str> = map["sections"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["rows"].as_array().into_iter().flatten())
        .flat_map(|r| r["seats"].as_array().into_iter().flatten())
        .filter(|s| s["state"] == "available")
        .filter_map(|s| s["label"].as_str())
        .collect();
    if free.is_empty() {
        return Ok(());
    }
    let seat = free[pick(free.len())];
    let hold_path = format!("/api/v1/performances/{performance}/holds");
    let Some(hold) = call(
        user,
        GooseMethod::Post,
        &hold_path,
        "hold",
        Some(json!({ "seats": [seat] })),
        &[409],
    )
    .await?
    else {
        return Ok(());
    };
    let Some(hold_id) = hold["id"].as_str() else {
        return Ok(());
    };
    let confirm = format!("/api/v1/holds/{hold_id}/confirm");
    let Some(booking) = call(user, GooseMethod::Post, &confirm, "confirm", None, &[]).await? else {
        return Ok(());
    };
    if let Some(id) = booking["id"].as_str() {
        let cancel = format!("/api/v1/bookings/{id}/cancel");
        call(user, GooseMethod::Post, &cancel, "cancel", None, &[]).await?;
    }
    Ok(())
}
