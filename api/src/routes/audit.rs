//! The audit log (admins only).

use actix_web::{get, web};
use shared::{AuditEntry, AuditQuery, ErrorBody, EventType, Page};

use crate::auth::Admin;
use crate::domain::page::PageRequest;
use crate::error::ApiError;
use crate::extract::Query;
use crate::store::Store;
use crate::store::audit::AuditFilter;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list_audit);
}

/// Every kind of thing the audit log names as a target, sorted.
pub fn targets() -> Vec<&'static str> {
    let mut targets: Vec<&str> = EventType::ALL.iter().map(|t| t.aggregate()).collect();
    targets.sort_unstable();
    targets.dedup();
    targets
}

fn parse(query: &AuditQuery) -> Result<AuditFilter, ApiError> {
    let id = |field: &'static str, value: &str| {
        bson::oid::ObjectId::parse_str(value)
            .map_err(|_| ApiError::invalid(field, "must be an id (24 hexadecimal characters)"))
    };
    let actor = query.actor.as_deref().map(|a| id("actor", a)).transpose()?;
    let event_type = query
        .event_type
        .as_deref()
        .map(|name| {
            EventType::parse(name).ok_or_else(|| {
                ApiError::invalid(
                    "type",
                    format!(
                        "is not an event type; one of: {}",
                        names(EventType::ALL.map(EventType::as_str))
                    ),
                )
            })
        })
        .transpose()?;
    let targets = targets();
    let target = match (&query.target_type, &query.target_id) {
        (None, None) => None,
        (None, Some(_)) => {
            return Err(ApiError::unacceptable(
                "target_type",
                "is needed with target_id",
            ));
        }
        (Some(kind), target_id) => {
            if !targets.contains(&kind.as_str()) {
                return Err(ApiError::invalid(
                    "target_type",
                    format!("is not a kind of target; one of: {}", names(targets)),
                ));
            }
            let target_id = target_id
                .as_deref()
                .map(|t| id("target_id", t))
                .transpose()?;
            Some((kind.clone(), target_id))
        }
    };
    if let (Some(from), Some(to)) = (query.from, query.to)
        && from >= to
    {
        return Err(ApiError::unacceptable("to", "must be after `from`"));
    }
    Ok(AuditFilter {
        actor,
        event_type,
        target,
        from: query.from,
        to: query.to,
    })
}

fn names<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    names.into_iter().collect::<Vec<_>>().join(", ")
}

/// Who did what to what, when and from where, newest first: every
/// change the API has committed, each with the fields it changed. The log
/// is append-only; filters narrow it.
#[utoipa::path(
    tag = "audit",
    params(AuditQuery),
    responses(
        (status = 200, description = "One page of changes", body = Page<AuditEntry>),
        (status = 400, description = "A malformed filter or a bad `limit`; `field` names it", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/audit")]
#[tracing::instrument(skip_all)]
async fn list_audit(
    store: web::Data<Store>,
    _admin: Admin,
    query: Query<AuditQuery>,
) -> Result<web::Json<Page<AuditEntry>>, ApiError> {
    let page = PageRequest::parse(query.0.limit, query.0.cursor.as_deref())?;
    let filter = parse(&query.0)?;
    Ok(web::Json(store.audit_page(&filter, &page).await?))
}
