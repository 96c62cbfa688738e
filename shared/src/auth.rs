//! Accounts and sessions.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::UserId;

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Books rooms and seats for themselves.
    User,
    /// Also manages rooms, approvals and other users' roles.
    Admin,
}

impl Role {
    /// The snake_case form used on the wire and in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Admin => "admin",
        }
    }
}

/// An account as the API shows it. Never includes the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    /// The account's id.
    pub id: UserId,
    /// Email address as registered (matched case-insensitively).
    pub email: String,
    /// Display name.
    pub name: String,
    /// The account's role.
    pub role: Role,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
    /// An admin disabled the account: it cannot log in, and its sessions
    /// were ended.
    #[serde(default)]
    pub disabled: bool,
}

/// `POST /api/v1/auth/register`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegisterUser {
    /// Email address; unique regardless of letter case.
    pub email: String,
    /// Display name, 1 to 100 characters.
    pub name: String,
    /// Password, 8 to 128 characters.
    pub password: String,
}

/// `POST /api/v1/auth/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginUser {
    /// The account's email address.
    pub email: String,
    /// The account's password.
    pub password: String,
}

/// A new session. The token is also set as the HttpOnly `session` cookie.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginResponse {
    /// Opaque session token; send it as `Authorization: Bearer <token>`.
    pub token: String,
    /// When the session stops being valid.
    pub expires_at: DateTime<Utc>,
    /// The logged-in account.
    pub user: User,
}

/// `PUT /api/v1/users/{id}/role`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangeRole {
    /// The role the account should have.
    pub role: Role,
}

/// One logged-in session of the caller (`GET /api/v1/me/sessions`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Session {
    /// The session's id (not its token), to end it with.
    pub id: String,
    /// When it logged in.
    pub created_at: DateTime<Utc>,
    /// When it was last used, to within five minutes.
    pub last_seen_at: DateTime<Utc>,
    /// When it ends on its own.
    pub expires_at: DateTime<Utc>,
    /// The browser or program, as its `User-Agent` said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// The client's address when last seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Whether this is the session making the request.
    pub current: bool,
}

/// How many sessions a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionsEnded {
    pub ended: u64,
}

/// `PUT /api/v1/me/password`. Every other session of the account ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    /// The password now, to prove it is the owner asking.
    pub current_password: String,
    /// The new password, 8 to 128 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 8, max_length = 128))]
    pub new_password: String,
}

/// `PUT /api/v1/users/{id}/disabled`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetDisabled {
    /// `true` disables the account and ends its sessions; `false` enables it.
    pub disabled: bool,
}
