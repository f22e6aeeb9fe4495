//! One error shape for every failure of the REST API: `{code, message, details}`.

use app::error::AppError;
use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// What every failure answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable and machine-readable, in snake case: `member_not_found`.
    pub code: String,
    /// One sentence for people.
    pub message: String,
    /// What the failure names, when it names anything (limits, users, rows).
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Value>,
}

#[derive(Debug)]
pub enum ApiError {
    App(AppError),
    /// A request the API can't read: bad JSON, a path or query that doesn't parse. The
    /// status says which: 400 unreadable, 413 too large, 415 not JSON, 422 not the
    /// documented shape.
    Unreadable {
        status: StatusCode,
        reason: String,
    },
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> ApiError {
        ApiError::App(error)
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> ApiError {
        ApiError::Unreadable {
            status: rejection.status(),
            reason: rejection.body_text(),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> ApiError {
        ApiError::Unreadable {
            status: rejection.status(),
            reason: rejection.body_text(),
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> ApiError {
        ApiError::Unreadable {
            status: rejection.status(),
            reason: rejection.body_text(),
        }
    }
}

impl ApiError {
    pub fn body(&self) -> (StatusCode, ErrorBody) {
        match self {
            ApiError::App(error) => {
                let status = StatusCode::from_u16(error.status_code())
                    .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let (code, details) = code_and_details(error);
                (
                    status,
                    ErrorBody {
                        code,
                        message: error.to_string(),
                        details,
                    },
                )
            }
            ApiError::Unreadable { status, reason } => (
                *status,
                ErrorBody {
                    code: "unreadable_request".into(),
                    message: "The request could not be read.".into(),
                    details: Some(serde_json::json!({ "reason": reason })),
                },
            ),
        }
    }
}

/// Marks a response that refused someone something they aren't allowed, with the reason,
/// for the audit trail.
#[derive(Clone)]
pub struct Refused(pub AppError);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = self.body();
        let mut response = (status, Json(body)).into_response();
        if let ApiError::App(error) = self {
            if error == AppError::Busy {
                response
                    .headers_mut()
                    .insert(app::error::BUSY_HEADER, HeaderValue::from_static("1"));
            }
            if error.is_refused_authorisation() {
                response.extensions_mut().insert(Refused(error));
            }
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"gatehouse\""),
            );
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        }
        response
    }
}

/// The variant's name in snake case, and its fields when it has any.
fn code_and_details(error: &AppError) -> (String, Option<serde_json::Value>) {
    match serde_json::to_value(error) {
        Ok(serde_json::Value::String(name)) => (snake_case(&name), None),
        Ok(serde_json::Value::Object(object)) => match object.into_iter().next() {
            Some((name, details)) => (snake_case(&name), Some(details)),
            None => ("internal".into(), None),
        },
        _ => ("internal".into(), None),
    }
}

fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (index, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if index > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A JSON request body: an object of the documented fields and nothing else. serde would
/// also read a struct from an array of its fields in order; the API doesn't.
pub struct ApiJson<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        let Json(value) = Json::<serde_json::Value>::from_request(request, state).await?;
        object_of(value).map(ApiJson)
    }
}

/// Reads an optional body: none at all stands for the defaults.
pub fn optional_object<T: serde::de::DeserializeOwned + Default>(
    bytes: &[u8],
) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    let value = serde_json::from_slice(bytes).map_err(|error| ApiError::Unreadable {
        status: StatusCode::BAD_REQUEST,
        reason: format!("Failed to parse the request body as JSON: {error}"),
    })?;
    object_of(value)
}

fn object_of<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    let unfit = |reason: String| ApiError::Unreadable {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        reason,
    };
    if !value.is_object() {
        return Err(unfit("The request body must be a JSON object.".into()));
    }
    serde_json::from_value(value).map_err(|error| unfit(error.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_variant_names_in_snake_case_with_their_fields() {
        let (status, body) = ApiError::App(AppError::MemberNotFound).body();
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body.code, "member_not_found");
        assert_eq!(body.details, None);
        let (status, body) = ApiError::App(AppError::ScopeMissing {
            scope: "groups:write".into(),
        })
        .body();
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(body.code, "scope_missing");
        assert_eq!(
            body.details,
            Some(serde_json::json!({ "scope": "groups:write" }))
        );
        assert_eq!(
            body.message,
            "This access token doesn't have the groups:write scope."
        );
    }
}
