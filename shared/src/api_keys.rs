//! API keys: long-lived credentials for integrations, scoped, shown once.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ApiKeyScope {
    /// Read what the owner may read (`GET` only).
    Read,
    /// Also change what the owner may change: reservations, holds,
    /// bookings, the wallet, settings.
    Book,
    /// Also the admin endpoints; only admins may create such keys.
    Admin,
}

impl ApiKeyScope {
    pub const ALL: [ApiKeyScope; 3] = [Self::Read, Self::Book, Self::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Book => "book",
            Self::Admin => "admin",
        }
    }
}

/// `POST /api/v1/me/api-keys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateApiKey {
    /// What the key is for, 1 to 100 characters, e.g. "Room display, 3rd floor".
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub name: String,
    /// At least one; `admin` only for admins.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 3))]
    pub scopes: Vec<ApiKeyScope>,
    /// When the key stops working: in the future, at most 5 years ahead.
    /// Absent: it works until revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
}

/// A key as listed: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiKey {
    pub id: String,
    pub name: String,
    pub scopes: Vec<ApiKeyScope>,
    /// The secret's first characters, to tell keys apart (`rk_AbCd`).
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// When the key was last used, to within five minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<DateTime<Utc>>,
}

/// The answer to creating a key: the only time its secret is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedApiKey {
    pub key: ApiKey,
    /// Send as `Authorization: Bearer <secret>`. Stored only hashed: it
    /// cannot be shown again.
    pub secret: String,
}
