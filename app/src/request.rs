//! The HTTP request and response around the server function being run.

use http::header::{HeaderValue, SET_COOKIE};
use http::request::Parts;
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use crate::error::AppError;

pub fn parts() -> Result<Parts, AppError> {
    use_context::<Parts>().ok_or_else(|| {
        tracing::error!("request parts were not provided to the reactive context");
        AppError::Internal
    })
}

pub fn set_cookie(cookie: String) -> Result<(), AppError> {
    let response = use_context::<ResponseOptions>().ok_or_else(|| {
        tracing::error!("response options were not provided to the reactive context");
        AppError::Internal
    })?;
    let value = HeaderValue::from_str(&cookie).map_err(|_| AppError::Internal)?;
    response.append_header(SET_COOKIE, value);
    Ok(())
}

/// Sends a browser that posted a form without JavaScript (turned off, or not loaded yet)
/// on to `path`, as a page would. Called from the page's own script, which asks for data
/// rather than a page, it changes nothing: the page goes on by itself.
pub fn send_plain_form_on_to(path: &str) {
    if wants_a_page() {
        leptos_axum::redirect(path);
    }
}

/// Sends a browser that posted a form without JavaScript back to `page` with `error` in
/// the query, where the page's action for `server_fn_path` finds it and shows it. Server
/// functions do that by themselves, going back to the Referer, but an invitation page
/// sends none: its address holds the invitation's token.
pub fn send_plain_form_back_to(
    page: &str,
    server_fn_path: &str,
    error: &AppError,
) -> Result<(), AppError> {
    if !wants_a_page() {
        return Ok(());
    }
    // Any origin does: only the path and the query are kept.
    let url = server_fn::error::ServerFnUrlError::new(server_fn_path, error.clone())
        .to_url(&format!("http://gatehouse.invalid{page}"))
        .map_err(|_| AppError::Internal)?;
    leptos_axum::redirect(&format!(
        "{}?{}",
        url.path(),
        url.query().unwrap_or_default()
    ));
    Ok(())
}

/// Whether the browser asks for a page rather than data: a form posted without
/// JavaScript, not the page's own script calling a server function. It then gets a
/// redirect, whatever the outcome.
pub fn wants_a_page() -> bool {
    use_context::<Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(http::header::ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
    })
}
