//! An OpenID provider for tests and benchmarks: a real HTTP server on this machine with a
//! discovery document, keys, a token endpoint and userinfo, whose answers the test sets
//! and whose ID tokens it signs with the test keys in `app/tests/fixtures` (made for
//! this purpose, never used elsewhere).

use std::sync::{Arc, Mutex, MutexGuard};

use axum::Json;
use axum::extract::State;
use axum::routing::{get, post};
use base64::Engine;
use openidconnect::core::{CoreJwsSigningAlgorithm, CoreRsaPrivateSigningKey};
use openidconnect::{JsonWebKeyId, PrivateSigningKey};
use serde_json::{Value, json};

pub const CLIENT_ID: &str = "gatehouse";
const KEYS: [&str; 2] = [
    include_str!("../../tests/fixtures/oidc-test-key-1.pem"),
    include_str!("../../tests/fixtures/oidc-test-key-2.pem"),
];

fn signing_key(index: usize, kid: &str) -> CoreRsaPrivateSigningKey {
    CoreRsaPrivateSigningKey::from_pem(KEYS[index], Some(JsonWebKeyId::new(kid.to_string())))
        .expect("a test key")
}

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A JWT over `claims`, signed with test key `index` (0 or 1) and naming `kid`.
pub fn signed(index: usize, kid: &str, claims: &Value) -> String {
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": kid});
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let signature = signing_key(index, kid)
        .sign(
            &CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
            input.as_bytes(),
        )
        .expect("signing");
    format!("{input}.{}", b64(&signature))
}

/// What the provider answers, as the test sets it.
#[derive(Default)]
pub struct Answers {
    /// Published keys: (test key index, kid).
    pub published: Vec<(usize, String)>,
    pub jwks_fetches: usize,
    pub id_token: String,
    pub access_token: String,
    pub userinfo: Value,
}

#[derive(Clone)]
pub struct Provider {
    pub issuer: String,
    answers: Arc<Mutex<Answers>>,
}

impl Provider {
    /// Starts the provider on a free port, publishing test key 0 as `key-1`.
    pub async fn start() -> Provider {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let issuer = format!("http://{}", listener.local_addr().expect("an address"));
        let provider = Provider {
            issuer,
            answers: Arc::new(Mutex::new(Answers {
                published: vec![(0, "key-1".into())],
                access_token: "opaque-access-token".into(),
                ..Answers::default()
            })),
        };
        let router = axum::Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/token", post(token))
            .route("/userinfo", get(userinfo))
            .with_state(provider.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
        provider
    }

    pub fn answers(&self) -> MutexGuard<'_, Answers> {
        self.answers.lock().expect("the provider's answers")
    }

    /// The claims of a good ID token for `sub`, with its groups also at
    /// `realm_access.roles`.
    pub fn claims(&self, sub: &str, email: &str, nonce: &str, groups: &[&str]) -> Value {
        let now = crate::db::now();
        json!({
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": sub,
            "exp": now + 300,
            "iat": now,
            "nonce": nonce,
            "email": email,
            "email_verified": true,
            "name": "Grace Hopper",
            "groups": groups,
            "realm_access": {"roles": groups},
        })
    }
}

async fn discovery(State(provider): State<Provider>) -> Json<Value> {
    let issuer = &provider.issuer;
    Json(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "userinfo_endpoint": format!("{issuer}/userinfo"),
        "jwks_uri": format!("{issuer}/jwks"),
        "end_session_endpoint": format!("{issuer}/logout"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "profile", "groups"],
        "code_challenge_methods_supported": ["S256"],
    }))
}

async fn jwks(State(provider): State<Provider>) -> Json<Value> {
    let mut answers = provider.answers();
    answers.jwks_fetches += 1;
    let keys: Vec<Value> = answers
        .published
        .iter()
        .map(|(index, kid)| {
            serde_json::to_value(signing_key(*index, kid).as_verification_key()).expect("a JWK")
        })
        .collect();
    Json(json!({ "keys": keys }))
}

async fn token(State(provider): State<Provider>) -> Json<Value> {
    let answers = provider.answers();
    Json(json!({
        "access_token": answers.access_token,
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": answers.id_token,
    }))
}

async fn userinfo(State(provider): State<Provider>) -> Json<Value> {
    Json(provider.answers().userinfo.clone())
}
