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
