//! The caller's points wallet.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use bson::oid::ObjectId;
use shared::{ChargeWallet, ErrorBody, LedgerEntry, Page, PageQuery, Wallet};

use super::AppConfig;
use crate::auth::AuthUser;
use crate::domain::booking::charge_amount;
use crate::domain::page::PageRequest;
use crate::error::ApiError;
use crate::extract::{Json, Query};
use crate::http::{IdempotencyHeader, replay_or};
use crate::store::Store;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(get_wallet)
        .service(charge_wallet)
        .service(get_ledger);
}

/// The caller's balance.
#[utoipa::path(
    tag = "wallet",
    responses(
        (status = 200, description = "The wallet", body = Wallet),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/wallet")]
async fn get_wallet(
    store: web::Data<Store>,
    user: AuthUser,
) -> Result<web::Json<Wallet>, ApiError> {
    Ok(web::Json(store.wallet(user.id()).await?))
}

/// Adds points to the caller's wallet. Accepts `Idempotency-Key`.
#[utoipa::path(
    tag = "wallet",
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeats with the same key and body return the first response; 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = "^[!-~]+$")),
    request_body = ChargeWallet,
    responses(
        (status = 200, description = "The wallet after the charge", body = Wallet),
        (status = 400, description = "`amount` below 1", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 422, description = "`idempotency_key_reused`", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/wallet/charge")]
#[tracing::instrument(skip_all, fields(user_id = %user.id()))]
async fn charge_wallet(
    store: web::Data<Store>,
    config: web::Data<AppConfig>,
    user: AuthUser,
    idempotency: IdempotencyHeader,
    body: Json<ChargeWallet>,
) -> Result<HttpResponse, ApiError> {
    let amount = charge_amount(body.0.amount, config.events.max_charge)?;
    let key = idempotency.key(&user, "charge", &body.0)?;
    let actor = user.actor();
    replay_or(
        &store,
        key.as_ref(),
        StatusCode::OK,
        store.charge(
            user.id(),
            amount,
            format!("charge:{}", ObjectId::new().to_hex()),
            (key.as_ref(), &actor),
        ),
    )
    .await
}

/// The caller's ledger, newest first. The entries sum to the balance.
#[utoipa::path(
    tag = "wallet",
    params(PageQuery),
    responses(
        (status = 200, description = "One page of entries", body = Page<LedgerEntry>),
        (status = 400, description = "Bad `limit`", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/wallet/ledger")]
async fn get_ledger(
    store: web::Data<Store>,
    user: AuthUser,
    query: Query<PageQuery>,
) -> Result<web::Json<Page<LedgerEntry>>, ApiError> {
    let page = PageRequest::parse(query.0.limit, query.0.cursor.as_deref())?;
    Ok(web::Json(store.ledger_page(user.id(), &page).await?))
}
