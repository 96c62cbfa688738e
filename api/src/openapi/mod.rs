//! The OpenAPI document, generated from the handlers' annotations and the
//! `shared` DTOs. `api openapi` prints it; `openapi/openapi.json` is that
//! output, committed, and a test fails when the two differ.

mod enums;
mod links;
mod text;

use enums::Enumerations;
use links::Links;
use text::TextRules;

use utoipa::openapi::path::ParameterIn;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder, Schema};
use utoipa::{Modify, OpenApi};

use crate::routes::{
    api_keys, archive, audit, auth, bookings, health, imports, limits, live, notifications, oidc,
    performances, queue, reconcile, reports, reservations, rooms, seats, sessions, show_edits,
    shows, users, venues, wallet, webhooks,
};

#[derive(OpenApi)]
#[openapi(
    paths(
        health::health,
        health::ready,
        limits::get_limits,
        auth::register_user,
        auth::log_in,
        auth::log_out,
        auth::get_me,
        oidc::list_providers,
        oidc::start,
        oidc::callback,
        oidc::pending_link,
        oidc::confirm_link,
        oidc::cancel_link,
        sessions::list_sessions,
        sessions::end_session,
        sessions::end_other_sessions,
        sessions::change_password,
        api_keys::create_api_key,
        api_keys::list_api_keys,
        api_keys::revoke_api_key,
        users::list_users,
        users::change_role,
        sessions::end_user_sessions,
        sessions::set_disabled,
        rooms::list_rooms,
        rooms::create_room,
        rooms::get_room,
        rooms::room_busy,
        rooms::update_room,
        rooms::delete_room,
        reservations::create_reservation,
        reservations::list_reservations,
        reservations::get_reservation,
        reservations::cancel_reservation,
        reservations::approve_reservation,
        reservations::reject_reservation,
        venues::create_venue,
        venues::list_venues,
        venues::get_venue,
        venues::update_venue,
        shows::list_shows,
        shows::create_show,
        shows::get_show,
        show_edits::update_show,
        show_edits::upload_poster,
        show_edits::get_poster,
        shows::create_performance,
        shows::get_performance,
        performances::cancel_performance,
        seats::get_seat_map,
        live::seat_events,
        seats::hold_seats,
        seats::book_seats,
        seats::confirm_hold,
        seats::release_hold,
        queue::join_queue,
        queue::poll_queue,
        queue::set_queue,
        queue::get_queue,
        queue::revoke_admission,
        bookings::list_bookings,
        bookings::get_booking,
        bookings::cancel_booking,
        wallet::get_wallet,
        wallet::charge_wallet,
        wallet::get_ledger,
        webhooks::create_webhook,
        webhooks::list_webhooks,
        webhooks::get_webhook,
        webhooks::update_webhook,
        webhooks::delete_webhook,
        webhooks::list_deliveries,
        webhooks::redeliver,
        audit::list_audit,
        archive::list_archived_reservations,
        archive::get_archived_reservation,
        archive::list_archived_bookings,
        archive::get_archived_booking,
        notifications::get_notifications,
        notifications::set_notifications,
        reconcile::list_reconciliations,
        reconcile::run_reconciliation,
        imports::run_import,
        reports::sales_report,
        reports::occupancy_report,
    ),
    components(schemas(
        shared::ErrorCode,
        shared::ReservationStatus,
        shared::SortOrder,
        shared::ShowSort,
        shared::SeatState,
        shared::SeatEvent,
        shared::BookingStatus,
        shared::LedgerKind,
        shared::QueueStatus,
        shared::EventType,
        shared::DeliveryStatus,
        shared::DriftKind,
        shared::ReconcileTrigger,
        shared::MailKind,
        shared::Language,
        shared::ApiKeyScope,
        shared::SsoProvider,
        shared::PendingLink,
        shared::ConfirmLink,
        shared::Bucket,
        shared::ReportFormat,
        shared::ImportProblemKind,
    ))
)]
struct V1;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Reservation platform API",
        description = "Meeting rooms and seated events, booked without double bookings.\n\n\
            Every error is `{\"error\": {\"code\", \"message\", \"field\"?}}` with a stable \
            snake_case `code`. Authenticate with `Authorization: Bearer <token>` from \
            `POST /api/v1/auth/login` (or an API key's secret), or with the `session` cookie \
            it sets. State-changing requests with the cookie must come from this site's own \
            pages. Rate limits answer `429` with `Retry-After`.",
        license(name = "MIT OR Apache-2.0")
    ),
    nest((path = "/api/v1", api = V1)),
    modifiers(
        &Security,
        &CommonAnswers,
        &Constraints,
        &Links,
        &TextRules,
        &Enumerations
    ),
    tags(
        (name = "health", description = "Liveness, readiness and the server's limits"),
        (name = "auth", description = "Accounts, sessions and single sign-on"),
        (name = "users", description = "Account administration (admins)"),
        (name = "rooms", description = "Meeting rooms"),
        (name = "reservations", description = "Room reservations"),
        (name = "venues", description = "Venues and seat maps"),
        (name = "shows", description = "Shows and performances"),
        (name = "seats", description = "Seat maps, holds and bookings of a performance"),
        (name = "queue", description = "Waiting rooms in front of busy sales"),
        (name = "bookings", description = "The caller's bookings"),
        (name = "wallet", description = "The caller's points wallet"),
        (name = "webhooks", description = "Signed event deliveries to other systems (admins)"),
        (name = "audit", description = "Who changed what, when and from where (admins)"),
        (name = "archive", description = "Finished reservations and past bookings moved out of the live data by `api archive` (admins, read-only)"),
        (name = "reconciliation", description = "Derived data checked against its source of truth (admins)"),
        (name = "reports", description = "Sales per performance, per show and over time; room occupancy (admins)"),
        (name = "imports", description = "Users, rooms and reservations from a relational export or an iCalendar file (admins)"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The `token` returned by `POST /api/v1/auth/login`, or the `secret` of \
                         an API key from `POST /api/v1/me/api-keys` (`rk_...`, limited to its scopes)",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::SESSION_COOKIE,
                "The HttpOnly cookie set by `POST /api/v1/auth/login`",
            ))),
        );
    }
}

/// Answers any operation may give that no handler states itself: `413`
/// and `415` wherever a body is taken (the JSON extractor), `422` wherever
/// a body or a query is (a rule this document cannot state), `429` for
/// every read (anonymous reads are rate-limited per address).
struct CommonAnswers;

/// `422 invalid_input`: what it means.
const UNACCEPTABLE: &str = "the request matches this document, but a rule \
     it cannot state refuses it (an end before its start, a time in the past, a cursor \
     from another list, a limit set by this deployment); `field` names the field.";

impl Modify for CommonAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let error = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
        };
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                (&mut item.get, true),
                (&mut item.post, false),
                (&mut item.put, false),
                (&mut item.patch, false),
                (&mut item.delete, false),
            ];
            for (operation, read) in operations {
                let Some(operation) = operation else {
                    continue;
                };
                let answers = &mut operation.responses.responses;
                if operation.request_body.is_some() {
                    answers.entry("413".into()).or_insert_with(|| {
                        error("`payload_too_large`: the body is over 64 KiB").into()
                    });
                    answers.entry("415".into()).or_insert_with(|| {
                        error(
                            "`unsupported_media_type`: the body is not sent as `application/json`",
                        )
                        .into()
                    });
                }
                let queried = operation
                    .parameters
                    .iter()
                    .flatten()
                    .any(|p| p.parameter_in == ParameterIn::Query);
                if operation.request_body.is_some() || queried {
                    match answers.get_mut("422") {
                        Some(RefOr::T(stated)) => {
                            stated.description = format!(
                                "{} Or `invalid_input`: {UNACCEPTABLE}",
                                stated.description
                            );
                        }
                        _ => {
                            answers.insert(
                                "422".into(),
                                error(&format!("`invalid_input`: {UNACCEPTABLE}")).into(),
                            );
                        }
                    }
                }
                if read {
                    answers.entry("429".into()).or_insert_with(|| {
                        error(
                            "`rate_limited`: too many reads without credentials from this \
                             address; see `Retry-After`",
                        )
                        .into()
                    });
                }
            }
        }
    }
}

/// Rules the derive cannot state: a `PATCH` names at least one field (the
/// handlers refuse `{}`); a seat request lists each seat once.
struct Constraints;

impl Modify for Constraints {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        for name in ["UpdateRoom", "UpdateWebhook"] {
            if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(name) {
                object.min_properties = Some(1);
            }
        }
        if let Some(RefOr::T(Schema::Object(request))) = components.schemas.get_mut("SeatRequest")
            && let Some(RefOr::T(Schema::Array(seats))) = request.properties.get_mut("seats")
        {
            seats.unique_items = true;
        }
    }
}

/// The document as served at `/api/openapi.json` and committed.
pub fn document() -> Result<serde_json::Value, serde_json::Error> {
    let mut doc = serde_json::to_value(ApiDoc::openapi())?;
    links::spell_links(&mut doc);
    Ok(doc)
}

/// The document as committed: pretty JSON with a trailing newline.
pub fn to_json() -> Result<String, serde_json::Error> {
    Ok(serde_json::to_string_pretty(&document()?)? + "\n")
}
