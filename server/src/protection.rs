//! Request-level protections that apply to every route.

use app::auth::session::{self, CurrentUser};
use app::state::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Resolves the session cookie once per request, so the page gate and every server
/// function see the same signed-in user without querying for it again.
pub async fn resolve_user(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if request.uri().path().starts_with("/pkg/") {
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

/// Headers that keep pages out of frames and caches and stop content sniffing.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let is_static_asset = request.uri().path().starts_with("/pkg/");
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
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("frame-ancestors 'none'"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static(referrer_policy),
    );
    if !is_static_asset {
        // Pages and server-function responses are per user; nothing may keep them.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
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
