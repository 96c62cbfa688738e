//! Account administration (admins only).

use actix_web::{get, put, web};
use shared::{ChangeRole, ErrorBody, Page, PageQuery, User};

use crate::auth::Admin;
use crate::domain::page::PageRequest;
use crate::error::ApiError;
use crate::extract::{Json, Query};
use crate::store::{Store, object_id};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list_users).service(change_role);
}

/// Every account, ordered by email.
#[utoipa::path(
    tag = "users",
    params(PageQuery),
    responses(
        (status = 200, description = "One page of accounts", body = Page<User>),
        (status = 400, description = "Bad `limit`", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/users")]
#[tracing::instrument(skip_all)]
async fn list_users(
    store: web::Data<Store>,
    _admin: Admin,
    query: Query<PageQuery>,
) -> Result<web::Json<Page<User>>, ApiError> {
    let page = PageRequest::parse(query.0.limit, query.0.cursor.as_deref())?;
    Ok(web::Json(store.list_users(&page).await?))
}

/// Gives an account the `user` or `admin` role. Admins cannot demote themselves.
#[utoipa::path(
    tag = "users",
    params(("id" = String, Path, description = "The account's id")),
    request_body = ChangeRole,
    responses(
        (status = 200, description = "The account with its new role", body = User),
        (status = 400, description = "Unknown role", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such account", body = ErrorBody),
        (status = 409, description = "`last_admin`: an admin cannot remove their own role", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[put("/users/{id}/role")]
#[tracing::instrument(skip_all, fields(user_id = %path))]
async fn change_role(
    store: web::Data<Store>,
    admin: Admin,
    path: web::Path<String>,
    body: Json<ChangeRole>,
) -> Result<web::Json<User>, ApiError> {
    let target = object_id(&path, "user")?;
    let user = store
        .set_role(&admin.0.actor(), target, body.0.role)
        .await?;
    tracing::info!(role = user.role.as_str(), "role changed");
    Ok(web::Json(user))
}
