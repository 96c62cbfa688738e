//! JSON body and query-string extractors whose errors name the offending
//! field (`capacity: invalid type: string "ten", expected u32`), which
//! actix's own extractors cannot do.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use shared::ErrorCode;

use crate::error::ApiError;

/// Largest JSON body accepted.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A route's own body limit where it takes more than [`MAX_BODY_BYTES`]
/// (set beside its `web::PayloadConfig`), so a refusal names it.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A JSON request body, sent with `Content-Type: application/json`.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|mime| {
                let mime = mime.trim().to_ascii_lowercase();
                mime == "application/json" || mime.ends_with("+json")
            })
            .unwrap_or(false);
        let body = web::Bytes::from_request(req, payload);
        let limit = req.app_data::<BodyLimit>().map_or(MAX_BODY_BYTES, |l| l.0);
        Box::pin(async move {
            if !is_json {
                return Err(ApiError::UnsupportedMediaType(
                    "send the body as JSON with `Content-Type: application/json`",
                ));
            }
            let bytes = body.await.map_err(|_| ApiError::PayloadTooLarge(limit))?;
            let mut parsed: serde_json::Value =
                serde_json::from_slice(&bytes).map_err(|e| ApiError::BadRequest {
                    code: ErrorCode::InvalidJson,
                    field: None,
                    message: format!("the body is not valid JSON: {e}"),
                })?;
            integral_numbers(&mut parsed);
            let value = serde_path_to_error::deserialize(parsed).map_err(|e| {
                let data_error = e.inner().classify() == serde_json::error::Category::Data;
                let code = if data_error {
                    ErrorCode::InvalidInput
                } else {
                    ErrorCode::InvalidJson
                };
                described(code, e)
            })?;
            Ok(Json(value))
        })
    }
}

/// A raw request body with its `Content-Type` (an uploaded file), within
/// the route's [`BodyLimit`].
#[derive(Debug)]
pub struct RawBody {
    pub content_type: String,
    pub bytes: web::Bytes,
}

impl FromRequest for RawBody {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = web::Bytes::from_request(req, payload);
        let limit = req.app_data::<BodyLimit>().map_or(MAX_BODY_BYTES, |l| l.0);
        Box::pin(async move {
            let bytes = body.await.map_err(|_| ApiError::PayloadTooLarge(limit))?;
            Ok(RawBody {
                content_type,
                bytes,
            })
        })
    }
}

/// Writes numbers such as `3.0` as the integers they are. JSON has one
/// number type, and JSON Schema counts `3.0` as an `integer`; without this
/// a client (or a generator) sending `"capacity": 8.0` would be refused.
/// Fractions and numbers beyond 64 bits stay as they are, and are refused
/// by name where an integer is expected.
fn integral_numbers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(number) => {
            if let Some(float) = number.as_f64()
                && number.is_f64()
                && float.fract() == 0.0
                && float.abs() < 9.0e15
            {
                // Within ±2^53 every integral f64 is exact, so the cast is too.
                #[allow(clippy::cast_possible_truncation)]
                let integer = float as i64;
                *value = Value::from(integer);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_numbers),
        Value::Object(fields) => fields.values_mut().for_each(integral_numbers),
        _ => {}
    }
}

/// Query-string parameters.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let pairs = form_urlencoded::parse(req.query_string().as_bytes());
        let de = serde_urlencoded::Deserializer::new(pairs);
        std::future::ready(
            serde_path_to_error::deserialize(de)
                .map(Query)
                .map_err(|e| described(ErrorCode::InvalidQuery, e)),
        )
    }
}

/// A 400 naming the field serde stopped at, or the missing one.
fn described<E: std::fmt::Display>(
    code: ErrorCode,
    error: serde_path_to_error::Error<E>,
) -> ApiError {
    let path = error.path().to_string();
    let inner = error.into_inner().to_string();
    // serde_json appends "at line 1 column 20"; the field name says more.
    let inner = inner.split(" at line ").next().unwrap_or(&inner).to_owned();
    let field = if path == "." || path.is_empty() {
        missing_field(&inner)
    } else {
        Some(path)
    };
    let message = match &field {
        Some(field) => format!("{field}: {inner}"),
        None => inner,
    };
    ApiError::BadRequest {
        code,
        field,
        message,
    }
}

/// The name in serde's "missing field `email`" message.
fn missing_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("missing field `")?;
    Some(rest.split('`').next()?.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_missing_field_is_read_from_serdes_message() {
        assert_eq!(
            missing_field("missing field `email`").as_deref(),
            Some("email")
        );
        assert_eq!(missing_field("expected value"), None);
    }

    #[test]
    fn integral_floats_become_integers_and_fractions_stay() {
        let mut value = serde_json::json!({
            "capacity": 8.0,
            "rows": [{ "seats": 12.0, "price": -3.0 }],
            "ratio": 0.5,
            "huge": 1.0e300,
            "plain": 7,
        });

        integral_numbers(&mut value);

        assert_eq!(
            value,
            serde_json::json!({
                "capacity": 8,
                "rows": [{ "seats": 12, "price": -3 }],
                "ratio": 0.5,
                "huge": 1.0e300,
                "plain": 7,
            })
        );
        assert!(value["capacity"].is_u64());
    }
}
