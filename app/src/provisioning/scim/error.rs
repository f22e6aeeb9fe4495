//! SCIM's own error shape (RFC 7644 §3.12). Identity providers act on `scimType` (Entra
//! retries a `uniqueness` conflict as an update, Okta shows `detail` to its admin), so
//! every refusal here names one, and its status is the one the RFC pairs with it.

use serde_json::{Value, json};

pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// The `scimType` keywords of RFC 7644 §3.12, Table 9.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScimType {
    InvalidFilter,
    TooMany,
    Uniqueness,
    Mutability,
    InvalidSyntax,
    InvalidPath,
    NoTarget,
    InvalidValue,
    InvalidVers,
    Sensitive,
}

impl ScimType {
    pub fn key(self) -> &'static str {
        match self {
            ScimType::InvalidFilter => "invalidFilter",
            ScimType::TooMany => "tooMany",
            ScimType::Uniqueness => "uniqueness",
            ScimType::Mutability => "mutability",
            ScimType::InvalidSyntax => "invalidSyntax",
            ScimType::InvalidPath => "invalidPath",
            ScimType::NoTarget => "noTarget",
            ScimType::InvalidValue => "invalidValue",
            ScimType::InvalidVers => "invalidVers",
            ScimType::Sensitive => "sensitive",
        }
    }
}

/// A refused SCIM request: its HTTP status, its `scimType` when the RFC has one for it,
/// and a sentence for the identity provider's admin.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{detail}")]
pub struct ScimError {
    pub status: u16,
    pub scim_type: Option<ScimType>,
    pub detail: String,
}

impl ScimError {
    fn new(status: u16, scim_type: Option<ScimType>, detail: impl Into<String>) -> ScimError {
        ScimError {
            status,
            scim_type,
            detail: detail.into(),
        }
    }

    pub fn invalid_filter(detail: impl Into<String>) -> ScimError {
        ScimError::new(400, Some(ScimType::InvalidFilter), detail)
    }

    pub fn invalid_value(detail: impl Into<String>) -> ScimError {
        ScimError::new(400, Some(ScimType::InvalidValue), detail)
    }

    pub fn invalid_path(detail: impl Into<String>) -> ScimError {
        ScimError::new(400, Some(ScimType::InvalidPath), detail)
    }

    pub fn no_target(detail: impl Into<String>) -> ScimError {
        ScimError::new(400, Some(ScimType::NoTarget), detail)
    }

    pub fn mutability(detail: impl Into<String>) -> ScimError {
        ScimError::new(400, Some(ScimType::Mutability), detail)
    }

    /// A conflict with an existing resource: 409, as RFC 7644 §3.3 asks for a POST or PUT
    /// that would duplicate a unique attribute.
    pub fn uniqueness(detail: impl Into<String>) -> ScimError {
        ScimError::new(409, Some(ScimType::Uniqueness), detail)
    }

    pub fn invalid_syntax(detail: impl Into<String>) -> ScimError {
        ScimError::new(400, Some(ScimType::InvalidSyntax), detail)
    }

    pub fn too_many(detail: impl Into<String>) -> ScimError {
        ScimError::new(400, Some(ScimType::TooMany), detail)
    }

    /// RFC 7644 §3.12 gives 404 no `scimType`.
    pub fn not_found(detail: impl Into<String>) -> ScimError {
        ScimError::new(404, None, detail)
    }

    /// A malformed request that none of the `scimType` keywords describes.
    pub fn bad_request(detail: impl Into<String>) -> ScimError {
        ScimError::new(400, None, detail)
    }

    /// The response body. `status` is a string: RFC 7644 §3.12 defines it so, and
    /// Entra's parser expects it.
    pub fn to_json(&self) -> Value {
        let mut body = json!({
            "schemas": [ERROR_SCHEMA],
            "status": self.status.to_string(),
            "detail": self.detail,
        });
        if let Some(scim_type) = self.scim_type {
            body["scimType"] = Value::from(scim_type.key());
        }
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_body_follows_rfc_7644() {
        assert_eq!(
            ScimError::invalid_filter("bad filter").to_json(),
            json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                "status": "400",
                "scimType": "invalidFilter",
                "detail": "bad filter",
            })
        );
        assert_eq!(
            ScimError::not_found("no such user").to_json(),
            json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                "status": "404",
                "detail": "no such user",
            })
        );
        assert_eq!(ScimError::mutability("read-only").to_string(), "read-only");
    }

    #[test]
    fn each_constructor_pairs_a_status_with_its_keyword() {
        let cases = [
            (ScimError::invalid_filter("x"), 400, Some("invalidFilter")),
            (ScimError::invalid_value("x"), 400, Some("invalidValue")),
            (ScimError::invalid_path("x"), 400, Some("invalidPath")),
            (ScimError::no_target("x"), 400, Some("noTarget")),
            (ScimError::mutability("x"), 400, Some("mutability")),
            (ScimError::uniqueness("x"), 409, Some("uniqueness")),
            (ScimError::invalid_syntax("x"), 400, Some("invalidSyntax")),
            (ScimError::too_many("x"), 400, Some("tooMany")),
            (ScimError::not_found("x"), 404, None),
            (ScimError::bad_request("x"), 400, None),
        ];
        for (error, status, key) in cases {
            assert_eq!(error.status, status, "{error:?}");
            assert_eq!(error.scim_type.map(ScimType::key), key, "{error:?}");
        }
        assert_eq!(ScimType::InvalidVers.key(), "invalidVers");
        assert_eq!(ScimType::Sensitive.key(), "sensitive");
    }
}
