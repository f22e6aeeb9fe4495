//! Talking to an OpenID provider, through the `openidconnect` crate: discovery, the
//! authorization URL with PKCE and nonce, the code exchange, ID token verification
//! against the provider's keys, userinfo and RP-initiated logout.

use std::time::Duration;

use base64::Engine;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreIdTokenVerifier, CoreJsonWebKeySet,
    CoreJwsSigningAlgorithm, CoreTokenResponse,
};
use openidconnect::{
    AccessToken, AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken,
    IssuerUrl, LogoutRequest, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier,
    PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, Scope,
    SignatureVerificationError, reqwest,
};
use serde_json::Value;

use super::SsoRefusal;
use crate::error::AppError;

pub type Metadata = ProviderMetadataWithLogout;

/// How long a provider may take to answer one request.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);
/// An ID token may claim to be issued this far in the future (clock skew), and no
/// older than [`MAX_TOKEN_AGE`].
const CLOCK_SKEW_SECONDS: i64 = 120;
const MAX_TOKEN_AGE_SECONDS: i64 = 600;

/// A client that never follows redirects: the token endpoint must answer itself (the
/// `openidconnect` crate's advice against SSRF through redirects). One per process:
/// building one loads the TLS roots, which took longer than the rest of a sign-in, and
/// its connection pool is only a cache, so instances share nothing through it.
pub fn http_client() -> Result<reqwest::Client, AppError> {
    static CLIENT: std::sync::OnceLock<Option<reqwest::Client>> = std::sync::OnceLock::new();
    CLIENT
        .get_or_init(|| {
            reqwest::ClientBuilder::new()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(PROVIDER_TIMEOUT)
                .build()
                .inspect_err(|error| {
                    tracing::error!(%error, "could not build the HTTP client for identity providers");
                })
                .ok()
        })
        .clone()
        .ok_or(AppError::Internal)
}

/// The provider's discovery document and its keys, or what went wrong, in words.
pub async fn discover(
    http: &reqwest::Client,
    issuer_url: &str,
) -> Result<(Metadata, CoreJsonWebKeySet), String> {
    let issuer = IssuerUrl::new(issuer_url.to_string())
        .map_err(|_| "The issuer URL isn't a URL.".to_string())?;
    let metadata = Metadata::discover_async(issuer, http)
        .await
        .map_err(|error| describe_discovery_error(&error))?;
    let jwks = metadata.jwks().clone();
    Ok((metadata, jwks))
}

fn describe_discovery_error<E: std::error::Error>(
    error: &openidconnect::DiscoveryError<E>,
) -> String {
    use openidconnect::DiscoveryError;
    match error {
        DiscoveryError::Request(cause) => format!(
            "The discovery document or the signing keys couldn't be fetched: {}",
            innermost(cause)
        ),
        DiscoveryError::Response(status, _, _) => format!(
            "The provider answered the discovery document or the signing keys with HTTP status {status}."
        ),
        DiscoveryError::Parse(_) => {
            "The discovery document or the signing keys aren't valid JSON of the expected shape."
                .to_string()
        }
        DiscoveryError::Validation(detail) => format!(
            "The discovery document doesn't match this issuer URL ({detail}). Check the issuer URL, including any trailing slash."
        ),
        DiscoveryError::UrlParse(_) => {
            "The issuer URL can't be extended to its discovery document.".to_string()
        }
        DiscoveryError::Other(detail) => detail.clone(),
        _ => "The discovery document couldn't be read.".to_string(),
    }
}

fn innermost(error: &dyn std::error::Error) -> String {
    let mut current = error;
    while let Some(source) = current.source() {
        current = source;
    }
    current.to_string()
}

/// Fetches a provider's keys again, after a key rotation at the provider.
pub async fn fetch_jwks(
    http: &reqwest::Client,
    metadata: &Metadata,
) -> Result<CoreJsonWebKeySet, SsoRefusal> {
    CoreJsonWebKeySet::fetch_async(metadata.jwks_uri(), http)
        .await
        .map_err(|error| {
            tracing::warn!(%error, "could not fetch an identity provider's keys");
            SsoRefusal::ProviderUnreachable
        })
}

/// What the client needs to know about itself at one provider.
pub struct ClientIdentity<'a> {
    pub client_id: &'a str,
    pub client_secret: &'a str,
    pub redirect_url: &'a str,
}

fn client(
    metadata: &Metadata,
    identity: &ClientIdentity<'_>,
) -> Result<
    CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        openidconnect::EndpointMaybeSet,
    >,
    AppError,
> {
    let redirect = RedirectUrl::new(identity.redirect_url.to_string()).map_err(|error| {
        tracing::error!(%error, "the callback URL isn't a URL");
        AppError::Internal
    })?;
    Ok(CoreClient::from_provider_metadata(
        metadata.clone(),
        ClientId::new(identity.client_id.to_string()),
        Some(ClientSecret::new(identity.client_secret.to_string())),
    )
    .set_redirect_uri(redirect))
}

/// Where the browser goes to sign in, with the secrets that must come back with it.
pub struct Authorization {
    pub url: url::Url,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

pub fn authorization(
    metadata: &Metadata,
    identity: &ClientIdentity<'_>,
    scopes: &[String],
) -> Result<Authorization, AppError> {
    let client = client(metadata, identity)?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .set_pkce_challenge(challenge);
    // The crate asks for `openid` itself.
    for scope in scopes.iter().filter(|scope| *scope != "openid") {
        request = request.add_scope(Scope::new(scope.clone()));
    }
    let (url, state, nonce) = request.url();
    Ok(Authorization {
        url,
        state: state.secret().clone(),
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
    })
}

/// Exchanges the code for tokens at the provider's token endpoint.
pub async fn exchange_code(
    http: &reqwest::Client,
    metadata: &Metadata,
    identity: &ClientIdentity<'_>,
    code: &str,
    pkce_verifier: &str,
) -> Result<CoreTokenResponse, SsoRefusal> {
    let client = client(metadata, identity).map_err(|_| SsoRefusal::ProviderUnreachable)?;
    let request = client
        .exchange_code(AuthorizationCode::new(code.to_string()))
        .map_err(|_| SsoRefusal::ProviderUnreachable)?;
    request
        .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_string()))
        .request_async(http)
        .await
        .map_err(|error| {
            tracing::warn!(error = %innermost(&error), "the identity provider's token endpoint refused the code");
            match error {
                openidconnect::RequestTokenError::ServerResponse(_) => SsoRefusal::ProviderRefused,
                _ => SsoRefusal::ProviderUnreachable,
            }
        })
}

/// Why an ID token wasn't accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejected {
    /// Signed with a key the cached key set doesn't have: perhaps rotated at the provider.
    UnknownKey,
    Refused(SsoRefusal),
}

/// The algorithms an ID token may be signed with: what the provider announces, never
/// `none`.
fn allowed_algorithms(metadata: &Metadata) -> Vec<CoreJwsSigningAlgorithm> {
    metadata
        .id_token_signing_alg_values_supported()
        .iter()
        .filter(|alg| **alg != CoreJwsSigningAlgorithm::None)
        .cloned()
        .collect()
}

/// Checks an ID token: signature against the key its `kid` names, `iss`, `aud`, `exp`,
/// `iat` and `nonce`. Returns its claims.
pub fn verify_id_token(
    id_token: &CoreIdToken,
    metadata: &Metadata,
    jwks: &CoreJsonWebKeySet,
    identity: &ClientIdentity<'_>,
    nonce: &str,
    now: i64,
) -> Result<Value, Rejected> {
    let verifier = CoreIdTokenVerifier::new_confidential_client(
        ClientId::new(identity.client_id.to_string()),
        ClientSecret::new(identity.client_secret.to_string()),
        metadata.issuer().clone(),
        jwks.clone(),
    )
    .set_allowed_algs(allowed_algorithms(metadata))
    .set_issue_time_verifier_fn(move |issued| {
        let issued = issued.timestamp();
        if issued > now + CLOCK_SKEW_SECONDS {
            Err("issued in the future".to_string())
        } else if issued < now - MAX_TOKEN_AGE_SECONDS {
            Err("issued too long ago".to_string())
        } else {
            Ok(())
        }
    });
    id_token
        .claims(&verifier, &Nonce::new(nonce.to_string()))
        .map_err(|error| {
            tracing::warn!(%error, "an ID token was refused");
            match error {
                ClaimsVerificationError::SignatureVerification(
                    SignatureVerificationError::NoMatchingKey,
                ) => Rejected::UnknownKey,
                ClaimsVerificationError::Expired(_) => Rejected::Refused(SsoRefusal::TokenExpired),
                ClaimsVerificationError::InvalidNonce(_) => {
                    Rejected::Refused(SsoRefusal::NonceMismatch)
                }
                _ => Rejected::Refused(SsoRefusal::TokenInvalid),
            }
        })?;
    payload_claims(&id_token.to_string()).ok_or(Rejected::Refused(SsoRefusal::TokenInvalid))
}

/// The claims of a JWT as JSON. Only for tokens already verified, or received straight
/// from the token endpoint over TLS (an access token), never for one a browser brought.
pub fn payload_claims(jwt: &str) -> Option<Value> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice::<Value>(&bytes)
        .ok()
        .filter(Value::is_object)
}

/// The access token of a token response, for reading its claims or calling userinfo.
pub fn access_token(response: &CoreTokenResponse) -> &AccessToken {
    response.access_token()
}

/// The userinfo endpoint's claims for the signed-in person; its `sub` must be theirs.
pub async fn userinfo(
    http: &reqwest::Client,
    metadata: &Metadata,
    access_token: &AccessToken,
    subject: &str,
) -> Result<Value, SsoRefusal> {
    let endpoint = metadata
        .userinfo_endpoint()
        .ok_or(SsoRefusal::ProviderRefused)?;
    let response = http
        .get(endpoint.url().clone())
        .bearer_auth(access_token.secret())
        .header("accept", "application/json")
        .send()
        .await
        .map_err(|_| SsoRefusal::ProviderUnreachable)?;
    if !response.status().is_success() {
        return Err(SsoRefusal::ProviderRefused);
    }
    let body = response
        .bytes()
        .await
        .map_err(|_| SsoRefusal::ProviderUnreachable)?;
    let claims: Value = serde_json::from_slice(&body).map_err(|_| SsoRefusal::TokenInvalid)?;
    if claims.get("sub").and_then(Value::as_str) != Some(subject) {
        return Err(SsoRefusal::TokenInvalid);
    }
    Ok(claims)
}

/// Where to send the browser to sign out at the provider too, if it offers that.
pub fn logout_url(
    metadata: &Metadata,
    id_token: &str,
    client_id: &str,
    after: &str,
) -> Option<url::Url> {
    let endpoint = metadata
        .additional_metadata()
        .end_session_endpoint
        .clone()?;
    let id_token: CoreIdToken = id_token.parse().ok()?;
    let mut request = LogoutRequest::from(endpoint)
        .set_id_token_hint(&id_token)
        .set_client_id(ClientId::new(client_id.to_string()));
    if let Ok(after) = PostLogoutRedirectUrl::new(after.to_string()) {
        request = request.set_post_logout_redirect_uri(after);
    }
    Some(request.http_get_url())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_claims_reads_the_middle_part_only() {
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"sub":"ada","groups":["x"]}"#);
        let claims = payload_claims(&format!("e30.{payload}.sig")).unwrap();
        assert_eq!(claims["groups"][0], "x");
        assert_eq!(payload_claims("opaque-access-token"), None);
        assert_eq!(payload_claims("a.bm90IGpzb24.c"), None);
        let array = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b"[1]");
        assert_eq!(payload_claims(&format!("a.{array}.c")), None);
    }
}
