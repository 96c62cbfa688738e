//! Single sign-on through OpenID Connect providers.

use serde::{Deserialize, Serialize};

/// A configured sign-in provider: `GET /api/v1/auth/oidc/providers`.
/// Browsers start at `GET /api/v1/auth/oidc/{id}/start`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SsoProvider {
    /// The provider's id in the URLs, e.g. `google`.
    pub id: String,
    /// What the "Continue with ..." button says, e.g. `Google`.
    pub name: String,
}

/// A provider sign-in waiting to be linked to an existing account with
/// the same e-mail: `GET /api/v1/auth/oidc/link`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PendingLink {
    /// The provider's id.
    pub provider: String,
    /// The provider's display name.
    pub provider_name: String,
    /// The existing account's e-mail address.
    pub email: String,
    /// Where the web app goes once linked (a path on this site).
    pub return_to: String,
    /// When the offer lapses.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// `POST /api/v1/auth/oidc/link`: the existing account's password, proving
/// that whoever signed in with the provider also owns the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConfirmLink {
    /// The existing account's password.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 128))]
    pub password: String,
}

/// Why a provider sign-in failed: the `sso_error` the API's callback puts
/// in the web app's `/login` address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SsoError {
    /// The provider could not be reached or its discovery document is bad.
    ProviderUnavailable,
    /// The user (or the provider) declined.
    Denied,
    /// The sign-in took too long, was already used, or was never started here.
    Expired,
    /// The sign-in was started in another browser.
    BrowserMismatch,
    /// The provider refused to exchange the code.
    Rejected,
    /// The ID token failed its checks (signature, issuer, audience, nonce, expiry).
    InvalidToken,
    /// The provider did not say which e-mail address the user has.
    EmailMissing,
    /// The provider has not verified the user's e-mail address.
    EmailUnverified,
    /// An administrator disabled the account.
    Disabled,
}

impl SsoError {
    pub const ALL: [SsoError; 9] = [
        Self::ProviderUnavailable,
        Self::Denied,
        Self::Expired,
        Self::BrowserMismatch,
        Self::Rejected,
        Self::InvalidToken,
        Self::EmailMissing,
        Self::EmailUnverified,
        Self::Disabled,
    ];

    /// The name in the address, e.g. `email_unverified`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ProviderUnavailable => "provider_unavailable",
            Self::Denied => "denied",
            Self::Expired => "expired",
            Self::BrowserMismatch => "browser_mismatch",
            Self::Rejected => "rejected",
            Self::InvalidToken => "invalid_token",
            Self::EmailMissing => "email_missing",
            Self::EmailUnverified => "email_unverified",
            Self::Disabled => "disabled",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_reads_back_from_its_name() {
        for error in SsoError::ALL {
            assert_eq!(SsoError::parse(error.as_str()), Some(error));
            let json = serde_json::to_string(&error).unwrap();
            assert_eq!(json, format!("\"{}\"", error.as_str()));
        }
        assert_eq!(SsoError::parse("nonsense"), None);
    }
}
