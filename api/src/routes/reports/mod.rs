//! Reports (admins only): how sales are going and how rooms are used,
//! as JSON or CSV.

mod csv;

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use chrono::Utc;
use shared::{ErrorBody, OccupancyQuery, OccupancyReport, ReportFormat, SalesQuery, SalesReport};

use super::AppConfig;
use crate::auth::Admin;
use crate::error::ApiError;
use crate::extract::Query;
use crate::store::Store;
use crate::store::reports::{OccupancyFilter, SalesFilter};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(sales_report).service(occupancy_report);
}

/// Seats sold, held and free, revenue and refunds per performance and per
/// show, and the bookings made and cancelled over time, read from the
/// database now. `format=csv` gives one line per performance.
#[utoipa::path(
    tag = "reports",
    params(SalesQuery),
    responses(
        (status = 200, description = "The report", content(
            (SalesReport = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, description = "A malformed filter; `field` names it", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/reports/sales")]
#[tracing::instrument(skip_all)]
async fn sales_report(
    store: web::Data<Store>,
    _admin: Admin,
    query: Query<SalesQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.0;
    let filter = SalesFilter {
        show: id_filter(query.show_id.as_deref(), "show_id", "show")?,
        from: query.from.map(|t| t.to_utc()),
        to: query.to.map(|t| t.to_utc()),
    };
    if let (Some(from), Some(to)) = (filter.from, filter.to)
        && to <= from
    {
        return Err(ApiError::unacceptable("to", "must be after from"));
    }
    let report = store
        .sales_report(&filter, query.bucket.unwrap_or_default(), Utc::now())
        .await?;
    Ok(match query.format.unwrap_or_default() {
        ReportFormat::Json => HttpResponse::Ok().json(report),
        ReportFormat::Csv => csv_file("sales.csv", csv::sales(&report)?),
    })
}

/// The longest period an occupancy report covers.
const MAX_PERIOD_DAYS: i64 = 366;

/// Minutes reserved per room over the period and per hour of the week in
/// each room's own time zone (a heatmap), busiest room first, from
/// approved reservations. `format=csv` gives one line per room, weekday
/// and hour.
#[utoipa::path(
    tag = "reports",
    params(OccupancyQuery),
    responses(
        (status = 200, description = "The report", content(
            (OccupancyReport = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, description = "A malformed filter; `field` names it", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/reports/occupancy")]
#[tracing::instrument(skip_all)]
async fn occupancy_report(
    store: web::Data<Store>,
    config: web::Data<AppConfig>,
    _admin: Admin,
    query: Query<OccupancyQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.0;
    let now = Utc::now();
    let to = query.to.map_or(now, |t| t.to_utc());
    let from = query
        .from
        .map_or(to - chrono::Duration::days(30), |t| t.to_utc());
    if to <= from {
        return Err(ApiError::unacceptable("to", "must be after from"));
    }
    if to - from > chrono::Duration::days(MAX_PERIOD_DAYS) {
        return Err(ApiError::unacceptable(
            "to",
            format!("must be at most {MAX_PERIOD_DAYS} days after from"),
        ));
    }
    let filter = OccupancyFilter {
        rooms: id_filter(query.room_id.as_deref(), "room_id", "room")?.map(|id| vec![id]),
        from,
        to,
        longest: config.reservation_rules.max_duration,
        rolled: true,
    };
    let report = store.occupancy_report(&filter, now).await?;
    Ok(match query.format.unwrap_or_default() {
        ReportFormat::Json => HttpResponse::Ok().json(report),
        ReportFormat::Csv => csv_file("occupancy.csv", csv::occupancy(&report)?),
    })
}

/// An optional id filter: a malformed one is a `400` naming `field`.
fn id_filter(
    value: Option<&str>,
    field: &'static str,
    what: &str,
) -> Result<Option<bson::oid::ObjectId>, ApiError> {
    value
        .map(|id| {
            bson::oid::ObjectId::parse_str(id).map_err(|_| {
                ApiError::invalid(
                    field,
                    format!("must be a {what} id (24 hexadecimal characters)"),
                )
            })
        })
        .transpose()
}

/// A CSV download named `name`.
fn csv_file(name: &str, body: String) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(body)
}
