//! `[oidc]` settings: the single sign-on providers.

use std::collections::BTreeMap;

use secrecy::SecretString;
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcSettings {
    /// Where browsers reach this site; providers send users back to
    /// `{base_url}/api/v1/auth/oidc/{id}/callback`. Empty: `mail.base_url`.
    #[serde(default)]
    pub base_url: String,
    /// The providers by id (lower-case letters, digits and `-`).
    #[serde(default)]
    pub providers: BTreeMap<String, ProviderSettings>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderSettings {
    /// `google` fills in the issuer and the name. A provider whose id is
    /// `google` gets it without asking.
    #[serde(default)]
    pub preset: String,
    /// The button's "Continue with <name>". Empty: the preset's, or the id.
    #[serde(default)]
    pub name: String,
    /// The issuer URL; `{issuer}/.well-known/openid-configuration` is read.
    #[serde(default)]
    pub issuer: String,
    pub client_id: String,
    /// Empty for a public client (PKCE alone).
    #[serde(default)]
    pub client_secret: Option<SecretString>,
    /// Space-separated; `openid` is always asked for. Empty: `openid email profile`.
    #[serde(default)]
    pub scopes: String,
    /// Trust this provider's verified e-mail addresses enough to link a
    /// first sign-in to the existing account with that address without
    /// asking for its password (e.g. the company's own identity provider).
    #[serde(default)]
    pub link_by_email: bool,
}

/// Issuer and name a preset stands for.
pub fn preset(name: &str) -> Option<(&'static str, &'static str)> {
    match name {
        "google" => Some(("https://accounts.google.com", "Google")),
        _ => None,
    }
}
