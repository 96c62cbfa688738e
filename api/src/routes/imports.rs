//! Imports (admins only): a relational export or an iCalendar file sent
//! from the browser, planned, stored and verified as `api import` does.

use actix_web::{HttpResponse, web};
use shared::{ErrorBody, ImportReport, ImportRequest};

use super::AppConfig;
use crate::auth::Admin;
use crate::error::ApiError;
use crate::extract::{BodyLimit, Json};
use crate::import::calendar::CalendarDefaults;
use crate::import::mapping::Mapping;
use crate::store::Store;

/// Largest import body: an export of some hundred thousand rows.
pub const MAX_IMPORT_BYTES: usize = 16 * 1024 * 1024;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/imports")
            .app_data(web::PayloadConfig::new(MAX_IMPORT_BYTES))
            .app_data(BodyLimit(MAX_IMPORT_BYTES))
            .route(web::post().to(run_import))
            // Another method: `405` with `Allow`, like every route.
            .default_service(web::to(crate::startup::api_not_found)),
    );
}

/// Imports users, rooms and reservations: a relational export (the
/// mapping, as for `api import --mapping`, and the CSV files it names) or
/// an iCalendar file, exactly one of the two. With `dry_run` nothing is
/// written; otherwise the valid, non-overlapping records are stored (once,
/// however often the same source is imported) and verified against the
/// database. Answers when done.
#[utoipa::path(
    post,
    path = "/imports",
    tag = "imports",
    request_body = ImportRequest,
    responses(
        (status = 200, description = "The dry run's report: nothing written", body = ImportReport),
        (status = 201, description = "What was stored, and its verification", body = ImportReport),
        (status = 400, description = "A malformed body", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 422, description = "A mapping or calendar that does not read, a file the mapping names missing, or both or neither of `tables` and `calendar`", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn run_import(
    store: web::Data<Store>,
    config: web::Data<AppConfig>,
    admin: Admin,
    body: Json<ImportRequest>,
) -> Result<HttpResponse, ApiError> {
    let request = body.0;
    let rules = config.reservation_rules;
    let now = chrono::Utc::now();
    // The bounds the document states (a `400` like any schema refusal).
    if let Some(tables) = &request.tables
        && tables.mapping.is_empty()
    {
        return Err(ApiError::invalid("tables.mapping", "must not be empty"));
    }
    if let Some(calendar) = &request.calendar {
        if !(1..=200).contains(&calendar.file_name.chars().count()) {
            return Err(ApiError::invalid(
                "calendar.file_name",
                "must be 1 to 200 characters",
            ));
        }
        if calendar.text.is_empty() {
            return Err(ApiError::invalid("calendar.text", "must not be empty"));
        }
    }
    let source = match (&request.tables, &request.calendar) {
        (Some(tables), None) => {
            let mapping = Mapping::parse(&tables.mapping)
                .map_err(|e| ApiError::unacceptable("tables.mapping", e))?;
            crate::import::tables::read_uploaded(&mapping, &tables.files)
                .map_err(|e| ApiError::unacceptable("tables.files", e))?
        }
        (None, Some(calendar)) => {
            let defaults = CalendarDefaults {
                source: calendar.source.clone().unwrap_or_default(),
                room: calendar.room.clone(),
                user: calendar.user.clone(),
            };
            crate::import::calendar::read(
                &calendar.text,
                &calendar.file_name,
                &defaults,
                now + rules.max_ahead,
            )
            .map_err(|e| ApiError::unacceptable("calendar.text", e))?
        }
        _ => {
            return Err(ApiError::unacceptable(
                "tables",
                "send either `tables` or `calendar`, not both or neither",
            ));
        }
    };
    tracing::info!(admin = %admin.0.0.id, source = %source.name, dry_run = request.dry_run, "import asked for");
    let report = crate::import::run(&store, source, &rules, now, request.dry_run).await?;
    let body = report.to_dto();
    Ok(if request.dry_run {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::Created().json(body)
    })
}
