//! The caller's e-mail settings: language, and kinds turned off.

use actix_web::{get, put, web};
use shared::{ErrorBody, NotificationSettings};

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::extract::Json;
use crate::routes::AppConfig;
use crate::store::Store;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(get_notifications).service(set_notifications);
}

/// The language e-mail to the caller is written in, and the kinds of
/// e-mail they turned off (booking confirmed or cancelled, reservation
/// approved, rejected or cancelled by an admin, reminders).
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, description = "The caller's e-mail settings", body = NotificationSettings),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/me/notifications")]
#[tracing::instrument(skip_all)]
async fn get_notifications(
    store: web::Data<Store>,
    config: web::Data<AppConfig>,
    user: AuthUser,
) -> Result<web::Json<NotificationSettings>, ApiError> {
    Ok(web::Json(
        store
            .notification_settings(user.0.id, config.mail_language)
            .await?,
    ))
}

/// Sets the caller's e-mail language and the kinds they do not want;
/// e-mail not sent yet follows the new settings.
#[utoipa::path(
    tag = "auth",
    request_body = NotificationSettings,
    responses(
        (status = 200, description = "Saved", body = NotificationSettings),
        (status = 400, description = "An unknown language or kind; the message names it", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[put("/me/notifications")]
#[tracing::instrument(skip_all)]
async fn set_notifications(
    store: web::Data<Store>,
    user: AuthUser,
    body: Json<NotificationSettings>,
) -> Result<web::Json<NotificationSettings>, ApiError> {
    let mut settings = body.0;
    settings.muted.sort();
    settings.muted.dedup();
    store
        .set_notification_settings(user.0.id, &settings)
        .await?;
    Ok(web::Json(settings))
}
