//! The one typed API client. Every call goes through [`send`], which decodes
//! the API's error shape so pages can show the message to the user.

use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;
use shared::{ErrorBody, ErrorCode, Page, Room, RoomQuery};

/// A failed call, ready to show: the API's message, or what went wrong on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub code: Option<ErrorCode>,
    pub message: String,
    pub field: Option<String>,
}

impl ApiError {
    fn network(message: impl std::fmt::Display) -> Self {
        Self {
            code: None,
            message: format!("could not reach the server: {message}"),
            field: None,
        }
    }
}

async fn send<T: DeserializeOwned>(request: Request) -> Result<T, ApiError> {
    let response = request.send().await.map_err(ApiError::network)?;
    decode(response).await
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    if response.ok() {
        return response.json::<T>().await.map_err(|e| ApiError {
            code: None,
            message: format!("unexpected answer from the server: {e}"),
            field: None,
        });
    }
    let status = response.status();
    match response.json::<ErrorBody>().await {
        Ok(body) => Err(ApiError {
            code: Some(body.error.code),
            message: body.error.message,
            field: body.error.field,
        }),
        Err(_) => Err(ApiError {
            code: None,
            message: format!("the server answered {status}"),
            field: None,
        }),
    }
}

fn with_query(path: &str, query: &impl serde::Serialize) -> String {
    match serde_urlencoded::to_string(query) {
        Ok(q) if !q.is_empty() => format!("{path}?{q}"),
        _ => path.to_owned(),
    }
}

pub async fn list_rooms(query: RoomQuery) -> Result<Page<Room>, ApiError> {
    send(
        Request::get(&with_query("/api/v1/rooms", &query))
            .build()
            .map_err(ApiError::network)?,
    )
    .await
}
