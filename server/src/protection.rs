//! Request-level protections that apply to every route.

use app::audit;
use app::auth::session::{self, CurrentUser};
use app::error::AppError;
use app::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The REST API and its document and docs page: authenticated by bearer tokens only,
/// never by cookies, so cross-site requests can't act with anyone's rights there.
pub fn is_token_api(path: &str) -> bool {
    path.starts_with("/api/v1/")
        || path == "/api/docs"
        || path.starts_with("/api/docs/")
        || path.starts_with("/scim/v2/")
}

/// Resolves the session cookie once per request, so the page gate and every server
/// function see the same signed-in user without querying for it again.
pub async fn resolve_user(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    // The token API reads no cookie: a session never works there.
    if request.uri().path().starts_with("/pkg/") || is_token_api(request.uri().path()) {
        return next.run(request).await;
    }
    let user = match session::token_from_headers(request.headers(), &state.config) {
        Some(token) => match session::resolve(&state.db, &token).await {
            Ok(user) => user,
            Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
        },
        None => None,
    };
    request.extensions_mut().insert(CurrentUser(user));
    next.run(request).await
}

/// Every audit event a request writes carries the address the request came from: the
/// peer, or behind a trusted proxy the address it forwarded.
pub async fn note_source_address(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let address = app::auth::throttle::client_ip(&parts, state.config.trust_proxy);
    let request = Request::from_parts(parts, body);
    match address {
        Some(address) => audit::from_address(address.to_string(), next.run(request)).await,
        None => next.run(request).await,
    }
}

/// Server functions change state, and leptos' server functions check no origin, so a
/// request that a browser marks as coming from another site is refused before it runs.
/// Clients that aren't browsers send no such marks and pass (they hold no cookie of ours
/// unless given one).
pub async fn same_origin_only(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let public_origin = state.config.public_url.origin().ascii_serialization();
    if request.uri().path().starts_with("/api/")
        && !is_token_api(request.uri().path())
        && !is_same_origin(request.headers(), &public_origin)
    {
        tracing::warn!(path = request.uri().path(), "cross-site request refused");
        return (
            StatusCode::FORBIDDEN,
            "Cross-site requests are not accepted.",
        )
            .into_response();
    }
    next.run(request).await
}

pub fn is_same_origin(headers: &HeaderMap, public_origin: &str) -> bool {
    let header = |name| {
        headers
            .get(name)
            .and_then(|value: &HeaderValue| value.to_str().ok())
    };
    match header("sec-fetch-site") {
        Some(site) => site == "same-origin" || site == "none",
        // Browsers too old to send Sec-Fetch-Site still send Origin on cross-site posts.
        None => header("origin").is_none_or(|origin| origin == public_origin),
    }
}

/// The Content-Security-Policy of a page: only scripts carrying this response's nonce
/// run, and what they load in turn (`'strict-dynamic'`: the WASM glue and its imports);
/// WebAssembly may compile; nothing else runs, embeds or frames the page.
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// The policy of every other response (server functions, files, the health check):
/// nothing in it may run or be framed.
const RESPONSE_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// The API docs page: the bundled Swagger UI's own scripts and styles (it sets styles
/// inline), nothing from elsewhere.
const DOCS_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// Sets the page's Content-Security-Policy while a page renders: leptos_axum has put a
/// fresh nonce for this response in context, and stamps it on the hydration script and
/// every inline script it streams.
pub fn provide_page_policy() {
    if let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
    ) && let Ok(policy) = HeaderValue::from_str(&page_policy(&nonce))
    {
        response.insert_header(header::CONTENT_SECURITY_POLICY, policy);
    }
}

/// Headers that keep pages out of frames and caches, stop content sniffing, and over
/// https keep browsers on https.
pub async fn security_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let is_static_asset = request.uri().path().starts_with("/pkg/");
    let is_docs = request.uri().path().starts_with(crate::api::DOCS_PATH);
    // An invitation page's address holds its token: no request from it may carry that on.
    let referrer_policy = if request.uri().path().starts_with("/invitations/") {
        "no-referrer"
    } else {
        "same-origin"
    };
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(if is_docs {
                DOCS_POLICY
            } else {
                RESPONSE_POLICY
            }),
        );
    }
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static(referrer_policy),
    );
    if state.config.secure_cookies() {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    if !is_static_asset {
        // Pages and server-function responses are per user; nothing may keep them.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Every refused authorisation of a server function is logged and written to the audit
/// trail: who asked, which function, the workspace and the member or resource it named.
/// The request body is read for those names only, never logged.
pub async fn record_refusals(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let actor = request
        .extensions()
        .get::<CurrentUser>()
        .and_then(|current| current.0.as_ref().map(|user| user.id));
    let (Some(actor), Some(endpoint)) = (actor, request.uri().path().strip_prefix("/api/")) else {
        return next.run(request).await;
    };
    let endpoint = endpoint.to_string();
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, crate::MAX_REQUEST_BYTES).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let is_json = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    let response = next
        .run(Request::from_parts(parts, Body::from(body.clone())))
        .await;
    if !matches!(
        response.status(),
        StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
    ) {
        return response;
    }
    let (parts, answer) = response.into_parts();
    let Ok(answer) = axum::body::to_bytes(answer, 64 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Some(error) = refused_authorisation(&answer) {
        let named = NamedInRequest::read(&body, is_json);
        tracing::warn!(actor, %endpoint, code = ?error, "authorisation refused");
        let refusal = audit::Refusal {
            actor_user_id: actor,
            endpoint: &endpoint,
            error: &error,
            workspace_slug: named.slug.as_deref(),
            target_user_id: named.user_id,
            resources: &named.resources,
        };
        if let Err(failure) = audit::record_refusal(&state.db, refusal).await {
            tracing::error!(%failure, "a refused authorisation could not be audited");
        }
    }
    Response::from_parts(parts, Body::from(answer))
}

/// The error a refused server function answered with, when it refused an authorisation.
fn refused_authorisation(answer: &[u8]) -> Option<AppError> {
    let body: serde_json::Value = serde_json::from_slice(answer).ok()?;
    let error: AppError = serde_json::from_value(body.get("code")?.clone()).ok()?;
    error.is_refused_authorisation().then_some(error)
}

/// What a server function's arguments name: the workspace, a member, and other things
/// by id (`group_id=7`).
#[derive(Debug, Default, PartialEq, Eq)]
struct NamedInRequest {
    slug: Option<String>,
    user_id: Option<i64>,
    resources: Vec<String>,
}

impl NamedInRequest {
    fn read(body: &[u8], is_json: bool) -> NamedInRequest {
        let fields: Vec<(String, String)> = if is_json {
            match serde_json::from_slice::<serde_json::Value>(body) {
                Ok(serde_json::Value::Object(object)) => object
                    .into_iter()
                    .filter_map(|(key, value)| match value {
                        serde_json::Value::String(text) => Some((key, text)),
                        serde_json::Value::Number(number) => Some((key, number.to_string())),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            }
        } else {
            url::form_urlencoded::parse(body).into_owned().collect()
        };
        let mut named = NamedInRequest::default();
        for (key, value) in fields {
            match key.as_str() {
                "slug" => named.slug = Some(value),
                "user_id" => named.user_id = value.parse().ok(),
                _ if key.ends_with("_id") && value.parse::<i64>().is_ok() => {
                    named.resources.push(format!("{key}={value}"));
                }
                _ => {}
            }
        }
        named
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| {
                (
                    header::HeaderName::from_static(name),
                    HeaderValue::from_static(value),
                )
            })
            .collect()
    }

    const ORIGIN: &str = "https://gatehouse.example";

    #[test]
    fn browsers_marking_a_request_as_ours_pass() {
        assert!(is_same_origin(
            &headers(&[("sec-fetch-site", "same-origin")]),
            ORIGIN
        ));
        assert!(is_same_origin(
            &headers(&[("sec-fetch-site", "none")]),
            ORIGIN
        ));
    }

    #[test]
    fn browsers_marking_a_request_as_foreign_are_refused() {
        assert!(!is_same_origin(
            &headers(&[("sec-fetch-site", "cross-site")]),
            ORIGIN
        ));
        assert!(!is_same_origin(
            &headers(&[("sec-fetch-site", "same-site")]),
            ORIGIN
        ));
        assert!(!is_same_origin(
            &headers(&[
                ("sec-fetch-site", "cross-site"),
                ("origin", "https://gatehouse.example")
            ]),
            ORIGIN
        ));
    }

    #[test]
    fn a_refusal_is_read_for_the_names_in_its_request_only() {
        let form = b"slug=acme&user_id=7&group_id=3&name=secret+plans";
        assert_eq!(
            NamedInRequest::read(form, false),
            NamedInRequest {
                slug: Some("acme".into()),
                user_id: Some(7),
                resources: vec!["group_id=3".into()],
            }
        );
        let json = br#"{"slug": "acme", "user_id": 7, "metadata": [{"key": "k", "value": "v"}]}"#;
        assert_eq!(
            NamedInRequest::read(json, true),
            NamedInRequest {
                slug: Some("acme".into()),
                user_id: Some(7),
                resources: vec![],
            }
        );
        assert_eq!(
            NamedInRequest::read(b"not json", true),
            NamedInRequest::default()
        );
    }

    #[test]
    fn only_authorisation_refusals_count_as_refusals() {
        let answer = |error: AppError| {
            serde_json::to_vec(&serde_json::json!({ "code": error, "message": "" })).unwrap()
        };
        assert_eq!(
            refused_authorisation(&answer(AppError::AdminRequired)),
            Some(AppError::AdminRequired)
        );
        assert_eq!(
            refused_authorisation(&answer(AppError::MemberNotFound)),
            None
        );
        assert_eq!(
            refused_authorisation(b"Cross-site requests are not accepted."),
            None
        );
    }

    #[test]
    fn a_page_runs_only_scripts_with_its_nonce() {
        let policy = page_policy("abc123");
        for directive in [
            "script-src 'nonce-abc123' 'strict-dynamic' 'wasm-unsafe-eval'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ] {
            assert!(policy.contains(directive), "{directive} in {policy}");
        }
        assert!(!policy.contains("unsafe-inline"));
    }

    #[test]
    fn without_fetch_metadata_the_origin_decides() {
        assert!(is_same_origin(&headers(&[]), ORIGIN));
        assert!(is_same_origin(
            &headers(&[("origin", "https://gatehouse.example")]),
            ORIGIN
        ));
        assert!(!is_same_origin(
            &headers(&[("origin", "https://evil.example")]),
            ORIGIN
        ));
        assert!(!is_same_origin(&headers(&[("origin", "null")]), ORIGIN));
    }
}
