//! Values from a fixed set, stated as enumerations: time zones, slot
//! lengths, the audit log's filters; and the bounds the derive does not
//! state (a charge, a venue's sections, rows and seats, a seat label). A value the document allows is then one the server takes.

use serde_json::Value;
use utoipa::Modify;
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayItems, ObjectBuilder, OneOfBuilder, Type,
};
use utoipa::openapi::{OpenApi, Ref, RefOr, Schema};

use crate::domain::room::SLOT_MINUTES_ALLOWED;
use crate::domain::venue::{MAX_FIRST_NUMBER, MAX_SEATS_PER_ROW};

/// Where a time zone is asked for: `(schema, property)`; each is optional.
const TIME_ZONES: &[(&str, &str)] = &[
    ("CreateRoom", "time_zone"),
    ("UpdateRoom", "time_zone"),
    ("CreateVenue", "time_zone"),
];

pub struct Enumerations;

impl Modify for Enumerations {
    fn modify(&self, openapi: &mut OpenApi) {
        audit_filters(openapi);
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        let names: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
        components.schemas.insert(
            "TimeZone".into(),
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some("An IANA time zone name, e.g. `Asia/Seoul`."))
                .enum_values(Some(names))
                .into(),
        );
        for (schema, property) in TIME_ZONES {
            let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(*schema) else {
                continue;
            };
            let Some(RefOr::T(Schema::Object(field))) = object.properties.get(*property) else {
                continue;
            };
            let zone_or_null = OneOfBuilder::new()
                .item(Ref::from_schema_name("TimeZone"))
                .item(ObjectBuilder::new().schema_type(Type::Null))
                .description(field.description.clone());
            object
                .properties
                .insert((*property).to_owned(), zone_or_null.into());
        }
        for schema in ["CreateRoom", "UpdateRoom"] {
            if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(schema)
                && let Some(RefOr::T(Schema::Object(field))) =
                    object.properties.get_mut("slot_minutes")
            {
                let mut allowed: Vec<Value> =
                    SLOT_MINUTES_ALLOWED.iter().map(|&m| m.into()).collect();
                allowed.push(Value::Null);
                field.enum_values = Some(allowed);
                field.minimum = None;
            }
        }
        if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut("ChargeWallet")
            && let Some(RefOr::T(Schema::Object(amount))) = object.properties.get_mut("amount")
        {
            amount.minimum = Some(1.into());
        }
        // A venue has a section, every section a row, every row 1 to 200 seats.
        for (schema, property) in [("CreateVenue", "sections"), ("SectionSpec", "rows")] {
            if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(schema)
                && let Some(RefOr::T(Schema::Array(list))) = object.properties.get_mut(property)
            {
                list.min_items = Some(1);
            }
        }
        if let Some(RefOr::T(Schema::Object(row))) = components.schemas.get_mut("RowSpec")
            && let Some(RefOr::T(Schema::Object(seats))) = row.properties.get_mut("seats")
        {
            seats.minimum = Some(1.into());
            seats.maximum = Some((MAX_SEATS_PER_ROW as usize).into());
        }
        if let Some(RefOr::T(Schema::Object(row))) = components.schemas.get_mut("RowSpec")
            && let Some(RefOr::T(Schema::Object(first))) = row.properties.get_mut("first_number")
        {
            first.maximum = Some((MAX_FIRST_NUMBER as usize).into());
        }
        // A tier's colour is `#rrggbb`.
        if let Some(RefOr::T(Schema::Object(venue))) = components.schemas.get_mut("CreateVenue")
            && let Some(RefOr::T(Schema::Object(colors))) = venue.properties.get_mut("tier_colors")
            && let Some(extra) = colors.additional_properties.as_mut()
            && let AdditionalProperties::RefOr(RefOr::T(Schema::Object(color))) = extra.as_mut()
        {
            color.pattern = Some("^#[0-9A-Fa-f]{6}$".to_owned());
        }
        // A seat label has something besides white space (it is trimmed).
        if let Some(RefOr::T(Schema::Object(request))) = components.schemas.get_mut("SeatRequest")
            && let Some(RefOr::T(Schema::Array(seats))) = request.properties.get_mut("seats")
            && let ArrayItems::RefOrSchema(item) = &mut seats.items
            && let RefOr::T(Schema::Object(label)) = item.as_mut()
        {
            label.pattern = Some(super::text::SOMETHING.to_owned());
        }
    }
}

/// `GET /api/v1/audit`'s `type` and `target_type` name one of a set.
fn audit_filters(openapi: &mut OpenApi) {
    let Some(operation) = openapi
        .paths
        .paths
        .get_mut("/api/v1/audit")
        .and_then(|item| item.get.as_mut())
    else {
        return;
    };
    let types: Vec<&str> = shared::EventType::ALL.map(|t| t.as_str()).to_vec();
    for parameter in operation.parameters.iter_mut().flatten() {
        let values = match parameter.name.as_str() {
            "type" => &types,
            "target_type" => &crate::routes::audit::targets(),
            _ => continue,
        };
        if let Some(RefOr::T(Schema::Object(schema))) = parameter.schema.as_mut() {
            schema.enum_values = Some(values.iter().map(|&v| v.into()).collect());
        }
    }
}
