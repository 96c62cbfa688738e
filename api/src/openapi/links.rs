//! OpenAPI links: which answer supplies which later request's parameters
//! (a created room's id to reading, changing and deleting it, a list's
//! `next_cursor` to its next page). Generated clients and stateful fuzzing
//! follow them from one operation to the next.

use serde_json::Value;
use utoipa::Modify;
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::{OpenApi, RefOr};

/// `(from operation, its status, parameter, value expression, to operations)`.
type Edge = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);

const ID: &str = "$response.body#/id";

const EDGES: &[Edge] = &[
    (
        "create_room",
        "201",
        "id",
        ID,
        &["get_room", "update_room", "delete_room", "room_busy"],
    ),
    (
        "create_reservation",
        "201",
        "id",
        ID,
        &[
            "get_reservation",
            "cancel_reservation",
            "approve_reservation",
            "reject_reservation",
        ],
    ),
    (
        "create_venue",
        "201",
        "id",
        ID,
        &["get_venue", "update_venue"],
    ),
    (
        "create_show",
        "201",
        "id",
        ID,
        &["get_show", "create_performance"],
    ),
    (
        "create_performance",
        "201",
        "id",
        ID,
        &[
            "get_performance",
            "get_seat_map",
            "seat_events",
            "hold_seats",
            "book_seats",
            "get_queue",
            "set_queue",
            "join_queue",
        ],
    ),
    (
        "hold_seats",
        "201",
        "id",
        ID,
        &["confirm_hold", "release_hold"],
    ),
    (
        "book_seats",
        "201",
        "id",
        ID,
        &["get_booking", "cancel_booking"],
    ),
    (
        "confirm_hold",
        "201",
        "id",
        ID,
        &["get_booking", "cancel_booking"],
    ),
    (
        "register_user",
        "201",
        "id",
        ID,
        &["set_disabled", "change_role", "end_user_sessions"],
    ),
    (
        "create_api_key",
        "201",
        "id",
        "$response.body#/key/id",
        &["revoke_api_key"],
    ),
    (
        "create_webhook",
        "201",
        "id",
        "$response.body#/endpoint/id",
        &[
            "get_webhook",
            "update_webhook",
            "delete_webhook",
            "list_deliveries",
        ],
    ),
    (
        "list_deliveries",
        "200",
        "id",
        "$request.path.id",
        &["redeliver"],
    ),
    (
        "list_deliveries",
        "200",
        "delivery",
        "$response.body#/items/0/id",
        &["redeliver"],
    ),
    (
        "join_queue",
        "200",
        "ticket",
        "$response.body#/ticket",
        &["poll_queue"],
    ),
    (
        "join_queue",
        "201",
        "ticket",
        "$response.body#/ticket",
        &["poll_queue"],
    ),
    (
        "list_sessions",
        "200",
        "id",
        "$response.body#/0/id",
        &["end_session"],
    ),
    (
        "list_api_keys",
        "200",
        "id",
        "$response.body#/0/id",
        &["revoke_api_key"],
    ),
];

/// Lists whose next page is asked for with the `next_cursor` they return.
const PAGED: &[&str] = &[
    "list_audit",
    "list_bookings",
    "list_reservations",
    "list_rooms",
    "list_shows",
    "list_users",
    "get_ledger",
    "list_deliveries",
];

pub struct Links;

impl Modify for Links {
    fn modify(&self, openapi: &mut OpenApi) {
        let mut edges: Vec<(&str, &str, &str, String, &str)> = Vec::new();
        for (from, status, parameter, value, targets) in EDGES {
            for to in *targets {
                edges.push((from, status, parameter, (*value).to_owned(), to));
            }
        }
        for list in PAGED {
            let value = "$response.body#/next_cursor".to_owned();
            edges.push((list, "200", "cursor", value, list));
        }
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                let Some(id) = operation.operation_id.clone() else {
                    continue;
                };
                for (from, status, parameter, value, to) in &edges {
                    if *from != id {
                        continue;
                    }
                    let Some(RefOr::T(response)) = operation.responses.responses.get_mut(*status)
                    else {
                        continue;
                    };
                    let name = if *parameter == "cursor" {
                        "next_page".to_owned()
                    } else {
                        (*to).to_owned()
                    };
                    let link = match response.links.remove(&name) {
                        Some(RefOr::T(link)) => LinkBuilder::from(link),
                        _ => LinkBuilder::new().operation_id(*to),
                    };
                    response.links.insert(
                        name,
                        link.parameter(*parameter, value.as_str()).build().into(),
                    );
                }
            }
        }
    }
}

/// utoipa 5 writes a link's fields as Rust spells them (`operation_id`);
/// the specification spells them `operationId`, `operationRef` and
/// `requestBody`, and clients ignore anything else.
pub fn spell_links(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    let operations = paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut());
    let responses = operations
        .filter_map(|operation| operation.get_mut("responses"))
        .filter_map(Value::as_object_mut)
        .flat_map(|responses| responses.values_mut());
    let links = responses
        .filter_map(|response| response.get_mut("links"))
        .filter_map(Value::as_object_mut)
        .flat_map(|links| links.values_mut())
        .filter_map(Value::as_object_mut);
    for link in links {
        for (rust, spec) in [
            ("operation_id", "operationId"),
            ("operation_ref", "operationRef"),
            ("request_body", "requestBody"),
        ] {
            if let Some(value) = link.remove(rust) {
                link.insert(spec.to_owned(), value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use utoipa::OpenApi;

    use super::*;

    /// Every link names operations and answers that exist: a renamed
    /// handler must not leave a link pointing nowhere.
    #[test]
    fn every_link_joins_existing_operations() {
        let doc = crate::openapi::ApiDoc::openapi();
        let mut answers = BTreeSet::new();
        for item in doc.paths.paths.values() {
            for operation in [&item.get, &item.post, &item.put, &item.patch, &item.delete]
                .into_iter()
                .flatten()
            {
                let id = operation.operation_id.clone().unwrap();
                for status in operation.responses.responses.keys() {
                    answers.insert((id.clone(), status.clone()));
                }
                answers.insert((id, String::new()));
            }
        }
        for (from, status, _, _, targets) in EDGES {
            assert!(
                answers.contains(&((*from).to_owned(), (*status).to_owned())),
                "{from} {status}"
            );
            for to in *targets {
                assert!(answers.contains(&((*to).to_owned(), String::new())), "{to}");
            }
        }
        for list in PAGED {
            assert!(
                answers.contains(&((*list).to_owned(), "200".to_owned())),
                "{list}"
            );
        }
    }

    #[test]
    fn links_are_written_as_the_specification_spells_them() {
        let doc: Value = serde_json::from_str(&crate::openapi::to_json().unwrap()).unwrap();
        let link = &doc["paths"]["/api/v1/rooms"]["post"]["responses"]["201"]["links"]["get_room"];
        assert_eq!(link["operationId"], "get_room");
        assert_eq!(link["parameters"]["id"], "$response.body#/id");
        assert!(link.get("operation_id").is_none(), "{link}");
    }
}
