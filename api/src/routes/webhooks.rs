//! Webhook endpoints and their deliveries (admins only).

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use shared::{
    CreateWebhook, CreatedWebhook, DeliveryQuery, ErrorBody, Page, UpdateWebhook, WebhookDelivery,
    WebhookEndpoint,
};

use crate::auth::Admin;
use crate::domain::page::PageRequest;
use crate::domain::webhook::{EndpointChanges, NewEndpoint};
use crate::error::ApiError;
use crate::extract::{Json, Query};
use crate::store::webhooks::WebhookDoc;
use crate::store::{Store, object_id};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(create_webhook)
        .service(list_webhooks)
        .service(get_webhook)
        .service(update_webhook)
        .service(delete_webhook)
        .service(list_deliveries)
        .service(redeliver);
}

async fn endpoint_dto(store: &Store, doc: &WebhookDoc) -> Result<WebhookEndpoint, ApiError> {
    Ok(doc.to_dto(store.delivery_counts(doc.id).await?))
}

async fn existing(store: &Store, id: &str) -> Result<WebhookDoc, ApiError> {
    store
        .webhook(object_id(id, "webhook")?)
        .await?
        .ok_or(ApiError::NotFound("webhook"))
}

/// Registers an endpoint. Events committed from now on whose type it
/// takes are POSTed to it, signed with the secret in the answer (shown
/// only this once), as the Standard Webhooks specification describes.
#[utoipa::path(
    tag = "webhooks",
    request_body = CreateWebhook,
    responses(
        (status = 201, description = "Registered; keep the secret", body = CreatedWebhook),
        (status = 400, description = "A bad URL or description; `field` names it", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/webhooks")]
#[tracing::instrument(skip_all)]
async fn create_webhook(
    store: web::Data<Store>,
    _admin: Admin,
    body: Json<CreateWebhook>,
) -> Result<HttpResponse, ApiError> {
    let doc = store.insert_webhook(NewEndpoint::try_from(body.0)?).await?;
    tracing::info!(webhook_id = %doc.id, url = %doc.url, "webhook registered");
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/webhooks/{}", doc.id)))
        .json(CreatedWebhook {
            endpoint: doc.to_dto(shared::DeliveryCounts::default()),
            secret: doc.secret.clone(),
        }))
}

/// Every endpoint with its delivery counts, oldest first.
#[utoipa::path(
    tag = "webhooks",
    responses(
        (status = 200, description = "The endpoints", body = Vec<WebhookEndpoint>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/webhooks")]
#[tracing::instrument(skip_all)]
async fn list_webhooks(
    store: web::Data<Store>,
    _admin: Admin,
) -> Result<web::Json<Vec<WebhookEndpoint>>, ApiError> {
    let mut endpoints = Vec::new();
    for doc in store.all_webhooks().await? {
        endpoints.push(endpoint_dto(&store, &doc).await?);
    }
    Ok(web::Json(endpoints))
}

/// One endpoint with its delivery counts.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint's id")),
    responses(
        (status = 200, description = "The endpoint", body = WebhookEndpoint),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such endpoint", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/webhooks/{id}")]
#[tracing::instrument(skip_all, fields(webhook_id = %path))]
async fn get_webhook(
    store: web::Data<Store>,
    _admin: Admin,
    path: web::Path<String>,
) -> Result<web::Json<WebhookEndpoint>, ApiError> {
    let doc = existing(&store, &path).await?;
    Ok(web::Json(endpoint_dto(&store, &doc).await?))
}

/// Changes an endpoint's URL, description, event types, or turns it on
/// or off. While off, new events are not sent to it, and deliveries
/// already made wait until it is on again.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint's id")),
    request_body = UpdateWebhook,
    responses(
        (status = 200, description = "The endpoint as changed", body = WebhookEndpoint),
        (status = 400, description = "A bad field", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such endpoint", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[patch("/webhooks/{id}")]
#[tracing::instrument(skip_all, fields(webhook_id = %path))]
async fn update_webhook(
    store: web::Data<Store>,
    _admin: Admin,
    path: web::Path<String>,
    body: Json<UpdateWebhook>,
) -> Result<web::Json<WebhookEndpoint>, ApiError> {
    let id = object_id(&path, "webhook")?;
    let changes = EndpointChanges::try_from(body.0)?;
    if changes.is_empty() {
        return Err(ApiError::unacceptable("body", "names no field to change"));
    }
    let doc = store.update_webhook(id, changes).await?;
    Ok(web::Json(endpoint_dto(&store, &doc).await?))
}

/// Removes an endpoint and its delivery history; nothing more is sent.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint's id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such endpoint", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[delete("/webhooks/{id}")]
#[tracing::instrument(skip_all, fields(webhook_id = %path))]
async fn delete_webhook(
    store: web::Data<Store>,
    _admin: Admin,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    store.delete_webhook(object_id(&path, "webhook")?).await?;
    tracing::info!("webhook removed");
    Ok(HttpResponse::NoContent().finish())
}

/// An endpoint's deliveries, newest first: status, attempts, the last
/// answer and its latency. `status=dead` lists the dead letters.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint's id"), DeliveryQuery),
    responses(
        (status = 200, description = "One page of deliveries", body = Page<WebhookDelivery>),
        (status = 400, description = "Bad `status` or `limit`", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such endpoint", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/webhooks/{id}/deliveries")]
#[tracing::instrument(skip_all, fields(webhook_id = %path))]
async fn list_deliveries(
    store: web::Data<Store>,
    _admin: Admin,
    path: web::Path<String>,
    query: Query<DeliveryQuery>,
) -> Result<web::Json<Page<WebhookDelivery>>, ApiError> {
    let page = PageRequest::parse(query.0.limit, query.0.cursor.as_deref())?;
    let endpoint = existing(&store, &path).await?;
    Ok(web::Json(
        store
            .endpoint_deliveries(endpoint.id, query.0.status, &page)
            .await?,
    ))
}

/// Sends a delivered or dead delivery again, now, with the same
/// `webhook-id`; its retry period starts over.
#[utoipa::path(
    tag = "webhooks",
    params(
        ("id" = String, Path, description = "The endpoint's id"),
        ("delivery" = String, Path, description = "The delivery's id"),
    ),
    responses(
        (status = 200, description = "Queued again", body = WebhookDelivery),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such endpoint or delivery", body = ErrorBody),
        (status = 409, description = "`invalid_status`: still being attempted", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/webhooks/{id}/deliveries/{delivery}/redeliver")]
#[tracing::instrument(skip_all)]
async fn redeliver(
    store: web::Data<Store>,
    admin: Admin,
    path: web::Path<(String, String)>,
) -> Result<web::Json<WebhookDelivery>, ApiError> {
    let (endpoint, delivery) = path.into_inner();
    let endpoint = existing(&store, &endpoint).await?;
    let delivery = object_id(&delivery, "delivery")?;
    let queued = store.redeliver(endpoint.id, delivery).await?;
    tracing::info!(delivery = %delivery, admin = %admin.0.id(), "webhook redelivery queued");
    Ok(web::Json(queued))
}
