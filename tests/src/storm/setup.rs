//! What a storm books: users, rooms and seats, made through the API.

use chrono::{DateTime, DurationRound, Utc};
use futures::future::join_all;
use reqwest::Method;
use serde_json::{Value, json};

use super::http::{Http, text};
use super::{CLIENTS_PER_ROOM, SEATS_PER_CLIENT_AND_PERFORMANCE};

/// The users, rooms and seats a storm books, made through the API.
#[derive(Debug, Clone)]
pub struct Cast {
    /// One session token per client.
    pub tokens: Vec<String>,
    pub rooms: Vec<String>,
    /// Each performance with its seat labels, client `c` owning labels
    /// `4c..4c+4` of every performance.
    pub performances: Vec<(String, Vec<String>)>,
    /// Midnight UTC of the first day the storm reserves rooms on.
    pub first_day: DateTime<Utc>,
}

/// Makes a venue with four seats per client, a show with `performances`
/// performances of it, one room per four clients and `clients` users
/// with points enough for every seat, all named after `tag`. `base` is
/// one API instance; `admin` an admin's token.
pub async fn prepare(
    http: &Http,
    base: &str,
    admin: &str,
    clients: usize,
    performances: usize,
    tag: &str,
) -> Result<Cast, String> {
    let url = |path: &str| format!("{base}/api/v1{path}");
    let seats = clients * SEATS_PER_CLIENT_AND_PERFORMANCE;
    let per_row = 20;
    let rows: Vec<Value> = (0..seats.div_ceil(per_row))
        .map(|r| json!({ "label": format!("R{}", r + 1), "seats": per_row, "tier": "R" }))
        .collect();
    let venue = http
        .expect(
            201,
            Method::POST,
            &url("/venues"),
            Some(admin),
            Some(&json!({ "name": format!("Storm hall {tag}"), "sections": [{ "name": "Floor", "rows": rows }] })),
        )
        .await?;
    let show = http
        .expect(
            201,
            Method::POST,
            &url("/shows"),
            Some(admin),
            Some(
                &json!({ "title": format!("Storm {tag}"), "description": "failover drill",
                "location": "Seoul", "running_minutes": 90, "poster_url": "/posters/1.svg" }),
            ),
        )
        .await?;
    let show_id = text(&show, "id")?;
    let labels: Vec<String> = (0..seats)
        .map(|i| format!("R{}{}", i / per_row + 1, i % per_row + 1))
        .collect();
    let starts = Utc::now() + chrono::Duration::days(60);
    let mut stages = Vec::new();
    for p in 0..performances {
        let performance = http
            .expect(
                201,
                Method::POST,
                &url(&format!("/shows/{show_id}/performances")),
                Some(admin),
                Some(&json!({ "venue_id": text(&venue, "id")?,
                    "starts_at": (starts + chrono::Duration::hours(p as i64)).to_rfc3339(),
                    "prices": { "R": 1000 } })),
            )
            .await?;
        stages.push((text(&performance, "id")?, labels.clone()));
    }
    let mut rooms = Vec::new();
    for r in 0..clients.div_ceil(CLIENTS_PER_ROOM) {
        let room = http
            .expect(
                201,
                Method::POST,
                &url("/rooms"),
                Some(admin),
                Some(
                    &json!({ "name": format!("Storm room {tag} {r}"), "location": "Drill floor",
                    "capacity": 8, "has_projector": false, "notes": "", "time_zone": "UTC",
                    "requires_approval": false, "slot_minutes": 30 }),
                ),
            )
            .await?;
        rooms.push(text(&room, "id")?);
    }
    let points = 1000 * (SEATS_PER_CLIENT_AND_PERFORMANCE * performances) as i64;
    let users = join_all((0..clients).map(|c| user(http, base, tag, c, points))).await;
    let tokens = users
        .into_iter()
        .map(|user| user.map(|(_, token)| token))
        .collect::<Result<Vec<_>, _>>()?;
    let first_day = (Utc::now() + chrono::Duration::days(2))
        .duration_trunc(chrono::Duration::days(1))
        .map_err(|e| e.to_string())?;
    Ok(Cast {
        tokens,
        rooms,
        performances: stages,
        first_day,
    })
}

async fn user(
    http: &Http,
    base: &str,
    tag: &str,
    c: usize,
    points: i64,
) -> Result<(String, String), String> {
    let email = format!("storm-{tag}-{c}@example.com");
    buyer(http, base, &email, &format!("Storm client {c}"), points).await
}

/// Registers `email` through the API at `base`, logs in and charges
/// `points` to the wallet; the account's id and session token.
pub async fn buyer(
    http: &Http,
    base: &str,
    email: &str,
    name: &str,
    points: i64,
) -> Result<(String, String), String> {
    let url = |path: &str| format!("{base}/api/v1{path}");
    let password = "a drill password";
    http.expect(
        201,
        Method::POST,
        &url("/auth/register"),
        None,
        Some(&json!({ "email": email, "name": name, "password": password })),
    )
    .await?;
    let login = http
        .expect(
            200,
            Method::POST,
            &url("/auth/login"),
            None,
            Some(&json!({ "email": email, "password": password })),
        )
        .await?;
    let token = text(&login, "token")?;
    let user_id = text(&login["user"], "id")?;
    http.expect(
        200,
        Method::POST,
        &url("/wallet/charge"),
        Some(&token),
        Some(&json!({ "amount": points })),
    )
    .await?;
    Ok((user_id, token))
}
