//! Single sign-on with OpenID Connect providers from `[oidc]` settings.
//! The providers are read at startup; each one's discovery document is
//! fetched on first use and cached (`provider.rs`). What a sign-in in
//! progress needs lives in the database, so any instance can finish what
//! another started (`store/identities.rs`).

pub mod provider;
pub mod settings;

use std::sync::Arc;
use std::time::Duration;

use secrecy::ExposeSecret;
use shared::SsoProvider;

use provider::ProviderConfig;
pub use provider::{Failure, Identity, Provider};
use settings::{OidcSettings, preset};

/// The configured providers and the HTTP client that talks to them.
#[derive(Clone)]
pub struct Providers {
    providers: Arc<Vec<Provider>>,
    http: reqwest::Client,
    /// Where browsers reach this site, without a trailing `/`.
    pub base_url: String,
}

impl Providers {
    /// Checks the settings; `fallback_base_url` is `mail.base_url`.
    pub fn from_settings(settings: &OidcSettings, fallback_base_url: &str) -> Result<Self, String> {
        let base_url = if settings.base_url.is_empty() {
            fallback_base_url
        } else {
            &settings.base_url
        }
        .trim_end_matches('/')
        .to_owned();
        let mut providers = Vec::new();
        for (id, provider) in &settings.providers {
            providers.push(Provider::new(provider_config(id, provider, &base_url)?)?);
        }
        let http = reqwest::Client::builder()
            // Following redirects would let a provider's answer point the
            // API at any address (SSRF).
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| format!("oidc: HTTP client: {e}"))?;
        Ok(Self {
            providers: Arc::new(providers),
            http,
            base_url,
        })
    }

    pub fn get(&self, id: &str) -> Option<&Provider> {
        self.providers.iter().find(|p| p.id == id)
    }

    pub fn list(&self) -> Vec<SsoProvider> {
        self.providers
            .iter()
            .map(|p| SsoProvider {
                id: p.id.clone(),
                name: p.name.clone(),
            })
            .collect()
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }
}

fn provider_config(
    id: &str,
    settings: &settings::ProviderSettings,
    base_url: &str,
) -> Result<ProviderConfig, String> {
    let valid_id = !id.is_empty()
        && id.len() <= 32
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid_id {
        return Err(format!(
            "oidc.providers.{id}: a provider id is 1 to 32 lower-case letters, digits or `-`"
        ));
    }
    let preset_name = if settings.preset.is_empty() && id == "google" {
        "google"
    } else {
        settings.preset.as_str()
    };
    let preset = match preset_name {
        "" => None,
        name => Some(preset(name).ok_or_else(|| {
            format!("oidc.providers.{id}.preset: `{name}` is no preset (there is `google`)")
        })?),
    };
    let issuer = match (settings.issuer.as_str(), preset) {
        ("", Some((issuer, _))) => issuer.to_owned(),
        ("", None) => return Err(format!("oidc.providers.{id}.issuer is required")),
        (issuer, _) => issuer.to_owned(),
    };
    check_issuer(id, &issuer)?;
    let name = match (settings.name.trim(), preset) {
        ("", Some((_, name))) => name.to_owned(),
        ("", None) => id.to_owned(),
        (name, _) => name.to_owned(),
    };
    if settings.client_id.trim().is_empty() {
        return Err(format!("oidc.providers.{id}.client_id is required"));
    }
    if base_url.is_empty() {
        return Err("oidc.base_url (or mail.base_url) is required for sign-in providers".into());
    }
    let mut scopes: Vec<String> = if settings.scopes.trim().is_empty() {
        vec!["email".into(), "profile".into()]
    } else {
        settings
            .scopes
            .split_whitespace()
            .map(str::to_owned)
            .collect()
    };
    // `openid` goes in by itself (the crate adds it), so not twice.
    scopes.retain(|s| s != "openid");
    Ok(ProviderConfig {
        id: id.to_owned(),
        name,
        issuer,
        client_id: settings.client_id.trim().to_owned(),
        client_secret: settings
            .client_secret
            .as_ref()
            .map(|s| s.expose_secret().to_owned())
            .filter(|s| !s.is_empty()),
        scopes,
        redirect: format!("{base_url}/api/v1/auth/oidc/{id}/callback"),
        link_by_email: settings.link_by_email,
    })
}

/// HTTPS, except on this machine (a provider run for development or tests).
fn check_issuer(id: &str, issuer: &str) -> Result<(), String> {
    let url = url::Url::parse(issuer)
        .map_err(|e| format!("oidc.providers.{id}.issuer `{issuer}`: {e}"))?;
    let local = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    if url.scheme() == "https" || (url.scheme() == "http" && local) {
        Ok(())
    } else {
        Err(format!(
            "oidc.providers.{id}.issuer `{issuer}` must be an https URL (http only on this machine)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use settings::ProviderSettings;

    fn provider(issuer: &str) -> ProviderSettings {
        ProviderSettings {
            preset: String::new(),
            name: String::new(),
            issuer: issuer.into(),
            client_id: "client".into(),
            client_secret: None,
            scopes: String::new(),
            link_by_email: false,
        }
    }

    #[test]
    fn google_needs_only_a_client() {
        let config = provider_config("google", &provider(""), "https://book.example").unwrap();
        assert_eq!(config.issuer, "https://accounts.google.com");
        assert_eq!(config.name, "Google");
        assert_eq!(
            config.redirect,
            "https://book.example/api/v1/auth/oidc/google/callback"
        );
        assert_eq!(config.scopes, ["email", "profile"]);
    }

    #[test]
    fn bad_settings_are_named() {
        let base = "https://book.example";
        let error = provider_config("Corp", &provider("https://id.example"), base)
            .err()
            .unwrap();
        assert!(error.contains("oidc.providers.Corp"), "{error}");
        let error = provider_config("corp", &provider(""), base).err().unwrap();
        assert!(error.contains("issuer is required"), "{error}");
        let error = provider_config("corp", &provider("http://id.example"), base)
            .err()
            .unwrap();
        assert!(error.contains("must be an https URL"), "{error}");
        let mut unknown = provider("");
        unknown.preset = "okta".into();
        let error = provider_config("corp", &unknown, base).err().unwrap();
        assert!(error.contains("no preset"), "{error}");
        let mut no_client = provider("https://id.example");
        no_client.client_id = " ".into();
        let error = provider_config("corp", &no_client, base).err().unwrap();
        assert!(error.contains("client_id is required"), "{error}");
        assert!(provider_config("corp", &provider("http://127.0.0.1:9"), base).is_ok());
    }
}
