//! One OpenID Connect provider: its discovery document (cached), the
//! authorization request (code flow with PKCE, state and nonce), and the
//! callback's code exchange with the ID token checked against the
//! provider's published keys.

use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreIdTokenClaims, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, IssuerUrl,
    Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    SignatureVerificationError, TokenResponse,
};
use shared::SsoError;
use tokio::sync::RwLock;

/// How long a discovery document (and the keys it points to) is used
/// before it is read again. An ID token signed with a key not in it makes
/// it be read again at once, so a provider's key rotation costs nothing.
const DISCOVERY_TTL: Duration = Duration::from_secs(3600);

pub struct Provider {
    pub id: String,
    pub name: String,
    pub link_by_email: bool,
    issuer: IssuerUrl,
    client_id: ClientId,
    client_secret: Option<ClientSecret>,
    scopes: Vec<Scope>,
    redirect: RedirectUrl,
    discovered: RwLock<Option<(Instant, CoreProviderMetadata)>>,
}

/// What the browser is sent to, and what the callback needs to finish.
pub struct Authorization {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub verifier: String,
}

/// Who the provider says signed in.
#[derive(Debug, Clone)]
pub struct Identity {
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
}

/// A failure, as the user is told it, and what the log gets.
#[derive(Debug)]
pub struct Failure {
    pub error: SsoError,
    pub detail: String,
}

impl Failure {
    pub fn new(error: SsoError, detail: impl std::fmt::Display) -> Self {
        Self {
            error,
            detail: detail.to_string(),
        }
    }
}

impl From<SsoError> for Failure {
    fn from(error: SsoError) -> Self {
        Self::new(error, error.as_str())
    }
}

fn failure(error: SsoError, detail: impl std::fmt::Display) -> Failure {
    Failure::new(error, detail)
}

pub struct ProviderConfig {
    pub id: String,
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    pub scopes: Vec<String>,
    pub redirect: String,
    pub link_by_email: bool,
}

impl Provider {
    pub fn new(config: ProviderConfig) -> Result<Self, String> {
        let id = &config.id;
        let issuer = IssuerUrl::new(config.issuer.clone())
            .map_err(|e| format!("oidc.providers.{id}.issuer: {e}"))?;
        let redirect = RedirectUrl::new(config.redirect.clone())
            .map_err(|e| format!("oidc.providers.{id}: callback URL: {e}"))?;
        Ok(Self {
            id: config.id,
            name: config.name,
            link_by_email: config.link_by_email,
            issuer,
            client_id: ClientId::new(config.client_id),
            client_secret: config.client_secret.map(ClientSecret::new),
            scopes: config.scopes.into_iter().map(Scope::new).collect(),
            redirect,
            discovered: RwLock::new(None),
        })
    }

    /// The discovery document, read again when stale or when `fresh`.
    async fn metadata(
        &self,
        http: &reqwest::Client,
        fresh: bool,
    ) -> Result<CoreProviderMetadata, Failure> {
        if !fresh
            && let Some((at, metadata)) = self.discovered.read().await.as_ref()
            && at.elapsed() < DISCOVERY_TTL
        {
            return Ok(metadata.clone());
        }
        let metadata = CoreProviderMetadata::discover_async(self.issuer.clone(), http)
            .await
            .map_err(|e| failure(SsoError::ProviderUnavailable, error_chain(&e)))?;
        *self.discovered.write().await = Some((Instant::now(), metadata.clone()));
        Ok(metadata)
    }

    fn client(&self, metadata: CoreProviderMetadata) -> Client {
        CoreClient::from_provider_metadata(
            metadata,
            self.client_id.clone(),
            self.client_secret.clone(),
        )
        .set_redirect_uri(self.redirect.clone())
    }

    /// Where to send the browser, with a fresh state, nonce and PKCE pair.
    pub async fn authorize(&self, http: &reqwest::Client) -> Result<Authorization, Failure> {
        let client = self.client(self.metadata(http, false).await?);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scopes(self.scopes.iter().cloned())
            .set_pkce_challenge(challenge)
            .url();
        Ok(Authorization {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            verifier: verifier.secret().clone(),
        })
    }

    /// Exchanges the callback's code and checks the ID token (signature
    /// against the provider's keys, issuer, audience, expiry, nonce, and
    /// the access token's hash). The e-mail comes from the ID token, or
    /// from the UserInfo endpoint when the token leaves it out.
    pub async fn finish(
        &self,
        http: &reqwest::Client,
        code: String,
        verifier: String,
        nonce: String,
    ) -> Result<Identity, Failure> {
        let client = self.client(self.metadata(http, false).await?);
        let tokens = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| failure(SsoError::ProviderUnavailable, e))?
            .set_pkce_verifier(PkceCodeVerifier::new(verifier))
            .request_async(http)
            .await
            .map_err(|e| failure(SsoError::Rejected, error_chain(&e)))?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| failure(SsoError::InvalidToken, "no ID token in the token response"))?;
        let nonce = Nonce::new(nonce);
        let claims = match id_token.claims(&client.id_token_verifier(), &nonce) {
            Ok(claims) => claims.clone(),
            // Signed with a key published since the document was read.
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )) => {
                let client = self.client(self.metadata(http, true).await?);
                id_token
                    .claims(&client.id_token_verifier(), &nonce)
                    .map_err(|e| failure(SsoError::InvalidToken, e))?
                    .clone()
            }
            Err(e) => return Err(failure(SsoError::InvalidToken, e)),
        };
        check_access_token_hash(&claims, id_token, &tokens, &client)?;
        let mut identity = identity_of(&claims);
        if identity.email.is_none() {
            let info: CoreUserInfoClaims = client
                .user_info(
                    tokens.access_token().clone(),
                    Some(claims.subject().clone()),
                )
                .map_err(|e| failure(SsoError::EmailMissing, e))?
                .request_async(http)
                .await
                .map_err(|e| failure(SsoError::Rejected, error_chain(&e)))?;
            identity.email = info.email().map(|e| e.as_str().to_owned());
            identity.email_verified = info.email_verified().unwrap_or(false);
            if identity.name.is_none() {
                identity.name = info.name().and_then(|n| n.get(None)).map(|n| n.to_string());
            }
        }
        Ok(identity)
    }
}

type Client = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

/// An access token swapped in from someone else's sign-in would not match
/// the hash the ID token carries.
fn check_access_token_hash(
    claims: &CoreIdTokenClaims,
    id_token: &openidconnect::core::CoreIdToken,
    tokens: &openidconnect::core::CoreTokenResponse,
    client: &Client,
) -> Result<(), Failure> {
    let Some(expected) = claims.access_token_hash() else {
        return Ok(());
    };
    let verifier = client.id_token_verifier();
    let alg = id_token
        .signing_alg()
        .map_err(|e| failure(SsoError::InvalidToken, e))?;
    let key = id_token
        .signing_key(&verifier)
        .map_err(|e| failure(SsoError::InvalidToken, e))?;
    let actual = openidconnect::AccessTokenHash::from_token(tokens.access_token(), alg, key)
        .map_err(|e| failure(SsoError::InvalidToken, e))?;
    if actual != *expected {
        return Err(failure(
            SsoError::InvalidToken,
            "the access token does not match the ID token's at_hash",
        ));
    }
    Ok(())
}

fn identity_of(claims: &CoreIdTokenClaims) -> Identity {
    let name = claims
        .name()
        .and_then(|n| n.get(None))
        .map(|n| n.to_string())
        .or_else(|| claims.preferred_username().map(|n| n.to_string()));
    Identity {
        subject: claims.subject().to_string(),
        email: claims.email().map(|e| e.as_str().to_owned()),
        email_verified: claims.email_verified().unwrap_or(false),
        name,
    }
}

/// An error with its causes, for the log.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
