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
        Box::pin(async move {
            if !is_json {
                return Err(ApiError::UnsupportedMediaType);
            }
            let bytes = body
                .await
                .map_err(|_| ApiError::PayloadTooLarge(MAX_BODY_BYTES))?;
            let mut de = serde_json::Deserializer::from_slice(&bytes);
            let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
                let data_error = e.inner().classify() == serde_json::error::Category::Data;
                let code = if data_error {
                    ErrorCode::InvalidInput
                } else {
                    ErrorCode::InvalidJson
                };
                described(code, e)
            })?;
            de.end().map_err(|e| ApiError::BadRequest {
                code: ErrorCode::InvalidJson,
                field: None,
                message: format!("the body has data after the JSON value: {e}"),
            })?;
            Ok(Json(value))
        })
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
}
