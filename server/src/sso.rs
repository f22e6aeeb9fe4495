//! Single sign-on's two browser endpoints: `/sso/{provider}/start` sends the browser to
//! the identity provider, `/sso/{provider}/callback` takes it back, signs the person in
//! and lands them. Failures go to the sign-in page, which says what went wrong.

use app::auth::session;
use app::error::AppError;
use app::single_sign_on::operations::{self, CallbackQuery, SIGN_IN_TTL_SECONDS};
use app::state::AppState;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use cookie::{Cookie, SameSite};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sso/{provider}/start", get(start))
        .route("/sso/{provider}/callback", get(callback))
}

/// The cookie that ties a sign-in to the browser that began it: a callback is accepted
/// only with the state this browser was given (RFC 9700 §4.7.1).
fn state_cookie_name(state: &AppState) -> &'static str {
    if state.config.secure_cookies() {
        "__Host-gatehouse_sso_state"
    } else {
        "gatehouse_sso_state"
    }
}

fn state_cookie(state: &AppState, value: String, max_age: i64) -> String {
    // Lax, not Strict: the provider's redirect back is a cross-site navigation.
    Cookie::build((state_cookie_name(state), value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies())
        .max_age(cookie::time::Duration::seconds(max_age))
        .build()
        .to_string()
}

#[derive(serde::Deserialize)]
struct StartQuery {
    next: Option<String>,
}

async fn start(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    Query(query): Query<StartQuery>,
) -> Response {
    match operations::begin_sign_in(&state, &provider, query.next).await {
        Ok(redirect) => redirect_with_cookie(
            &redirect.url,
            &state_cookie(&state, redirect.state, SIGN_IN_TTL_SECONDS),
        ),
        Err(error) => to_sign_in(&error),
    }
}

async fn callback(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    Query(query): Query<CallbackQuery>,
    headers: HeaderMap,
) -> Response {
    let browser_state = cookie_value(&headers, state_cookie_name(&state));
    let cleared = state_cookie(&state, String::new(), 0);
    match operations::complete_sign_in(&state, &provider, query, browser_state).await {
        Ok(signed_in) => {
            // Whatever session this browser had ends here, as at a password sign-in.
            if let Some(previous) = session::token_from_headers(&headers, &state.config)
                && let Err(error) = session::end(&state.db, &previous).await
            {
                return to_sign_in(&error);
            }
            let mut response = redirect_with_cookie(
                &signed_in.landing,
                &session::set_cookie_header(&signed_in.session, &state.config),
            );
            append_cookie(&mut response, &cleared);
            response
        }
        Err(error) => {
            let mut response = to_sign_in(&error);
            append_cookie(&mut response, &cleared);
            response
        }
    }
}

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_string())
}

fn redirect_with_cookie(location: &str, cookie: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(location) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    append_cookie(&mut response, cookie);
    response
}

fn append_cookie(response: &mut Response, cookie: &str) {
    if let Ok(cookie) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
}

/// Back to the sign-in page, which names the refusal.
fn to_sign_in(error: &AppError) -> Response {
    let key = match error {
        AppError::SsoRefused { refusal } => refusal.key(),
        AppError::AccountArchived => "account_archived",
        _ => "failed",
    };
    if !matches!(error, AppError::SsoRefused { .. }) {
        tracing::warn!(%error, "single sign-on failed");
    }
    let location = format!("/sign-in?sso_error={key}");
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}
