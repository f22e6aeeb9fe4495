//! A SCIM User and a Gatehouse member, each way.
//!
//! The identity provider's document (what it last sent, canonical, see
//! [`super::patch`]) is kept as sent, so what it reads back is what it wrote. What
//! Gatehouse itself decides comes from the database instead: the id, whether the
//! membership is active, the groups, the times. [`derive`] reads from the document what
//! Gatehouse needs of a person: a sign-in email and a full name.

use std::time::{Duration, UNIX_EPOCH};

use serde_json::{Map, Value, json};

use super::ScimError;
use super::discovery::location;
use super::schema::{CORE_USER, ENTERPRISE_USER, Located, Target, USER_SCHEMAS, resolve};
use crate::users::{normalise_email, normalise_full_name};

/// What the database knows of a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserFacts {
    pub id: i64,
    pub active: bool,
    /// Unix seconds.
    pub created_at: i64,
    pub updated_at: i64,
    /// The member's groups: (id, name).
    pub groups: Vec<(i64, String)>,
}

/// The SCIM representation of a member: the document's attributes, and the facts.
pub fn render(document: &Value, facts: &UserFacts, base_url: &str) -> Value {
    let mut resource = match document {
        Value::Object(attributes) => attributes.clone(),
        _ => Map::new(),
    };
    let has_extension = resource
        .get(ENTERPRISE_USER)
        .and_then(Value::as_object)
        .is_some_and(|extension| !extension.is_empty());
    let schemas = if has_extension {
        vec![CORE_USER, ENTERPRISE_USER]
    } else {
        resource.remove(ENTERPRISE_USER);
        vec![CORE_USER]
    };
    let id = facts.id.to_string();
    resource.insert("schemas".into(), json!(schemas));
    resource.insert("active".into(), Value::Bool(facts.active));
    if facts.groups.is_empty() {
        resource.remove("groups");
    } else {
        let groups = facts
            .groups
            .iter()
            .map(|(group_id, name)| {
                json!({
                    "value": group_id.to_string(),
                    "$ref": location(base_url, &format!("Groups/{group_id}")),
                    "display": name,
                })
            })
            .collect();
        resource.insert("groups".into(), Value::Array(groups));
    }
    resource.insert(
        "meta".into(),
        json!({
            "resourceType": "User",
            "created": rfc3339(facts.created_at),
            "lastModified": rfc3339(facts.updated_at),
            "location": location(base_url, &format!("Users/{id}")),
        }),
    );
    resource.insert("id".into(), Value::String(id));
    Value::Object(resource)
}

/// Unix seconds as an RFC 3339 date-time in UTC, as `meta` carries times.
pub fn rfc3339(unix_seconds: i64) -> String {
    let since_epoch = Duration::from_secs(u64::try_from(unix_seconds).unwrap_or(0));
    humantime::format_rfc3339_seconds(UNIX_EPOCH + since_epoch).to_string()
}

/// What Gatehouse takes from a user's document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derived {
    pub user_name: String,
    /// The lower-cased `userName`: unique in the workspace without regard to case.
    pub user_name_key: String,
    /// The lower-cased email the member signs in with.
    pub email: String,
    pub full_name: String,
    pub external_id: Option<String>,
    /// `active` when the document sets it. The membership's status is the truth, so the
    /// caller applies it and keeps it out of the stored document.
    pub active: Option<bool>,
}

/// Reads a canonical user document (from [`super::patch::normalise_resource`] or
/// [`super::patch::apply`]).
///
/// The sign-in email is `userName` when that is an email address, else the primary
/// email, else the first. The full name is the first of `name.formatted`, `givenName
/// familyName`, `displayName` and the email's local part that makes a valid Gatehouse
/// name (an identity provider's name may be too long, or hold an address).
pub fn derive(document: &Value) -> Result<Derived, ScimError> {
    let user_name = text(document, "userName")
        .map(str::trim)
        .filter(|user_name| !user_name.is_empty())
        .ok_or_else(|| ScimError::invalid_value("userName is required."))?;
    let email = sign_in_email(user_name, document)?;
    Ok(Derived {
        user_name: user_name.to_string(),
        user_name_key: user_name.to_lowercase(),
        full_name: full_name(document, &email)?,
        email,
        external_id: text(document, "externalId").map(str::to_string),
        active: document.get("active").and_then(Value::as_bool),
    })
}

fn text<'d>(value: &'d Value, name: &str) -> Option<&'d str> {
    value.get(name).and_then(Value::as_str)
}

fn sign_in_email(user_name: &str, document: &Value) -> Result<String, ScimError> {
    if let Ok(email) = normalise_email(user_name) {
        return Ok(email);
    }
    let emails = document
        .get("emails")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let chosen = emails
        .iter()
        .find(|email| email.get("primary") == Some(&Value::Bool(true)))
        .or(emails.first())
        .and_then(|email| text(email, "value"));
    let Some(address) = chosen else {
        return Err(ScimError::invalid_value(
            "A user needs an email address: in userName or in emails.",
        ));
    };
    normalise_email(address).map_err(|_| {
        ScimError::invalid_value(format!("{address:?} in emails is not an email address."))
    })
}

fn full_name(document: &Value, email: &str) -> Result<String, ScimError> {
    let name = document.get("name");
    let part = |sub: &str| name.and_then(|name| text(name, sub));
    let given_and_family = [part("givenName"), part("familyName")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    // "ada.lovelace" would read as a domain name; "ada lovelace" is a name.
    let local_part = email
        .split('@')
        .next()
        .unwrap_or_default()
        .replace(['.', '_', '+'], " ");
    [
        part("formatted").map(str::to_string),
        Some(given_and_family),
        text(document, "displayName").map(str::to_string),
        Some(local_part),
    ]
    .into_iter()
    .flatten()
    .find_map(|candidate| normalise_full_name(&candidate).ok())
    .ok_or_else(|| {
        ScimError::invalid_value(
            "The user has no usable name: send name.formatted, name.givenName or displayName.",
        )
    })
}

/// For each (SCIM path, metadata key) of a workspace's mapping, the key and the string
/// at that path in the document (`None` when it has none). Paths are as
/// [`crate::provisioning::MAPPABLE_ATTRIBUTES`] names them.
pub fn mapped_values(
    document: &Value,
    mapping: &[(String, String)],
) -> Vec<(String, Option<String>)> {
    mapping
        .iter()
        .map(|(path, key)| (key.clone(), string_at(document, path)))
        .collect()
}

fn string_at(document: &Value, path: &str) -> Option<String> {
    let Some(Target::Attribute(Located {
        extension,
        attribute,
        sub,
    })) = resolve(USER_SCHEMAS, path)
    else {
        return None;
    };
    let container = match extension {
        None => document,
        Some(extension) => document.get(extension.id)?,
    };
    let value = container.get(attribute.name)?;
    let value = match sub {
        None => value,
        Some(sub) => value.get(sub.name)?,
    };
    value.as_str().map(str::to_string)
}

/// What users may be sorted by (`sortBy`), as the store names the order.
const SORTABLE: [&str; 4] = [
    "userName",
    "displayName",
    "meta.created",
    "meta.lastModified",
];

/// The order `sortBy` asks for: one of [`SORTABLE`]'s names, matched like any path
/// (without regard to case, with or without the core schema's URN).
pub fn sort_column(sort_by: &str) -> Result<&'static str, ScimError> {
    let canonical = match resolve(USER_SCHEMAS, sort_by.trim()) {
        Some(Target::Attribute(Located {
            extension: None,
            attribute,
            sub,
        })) => match sub {
            None => attribute.name.to_string(),
            Some(sub) => format!("{}.{}", attribute.name, sub.name),
        },
        _ => String::new(),
    };
    SORTABLE
        .into_iter()
        .find(|sortable| *sortable == canonical)
        .ok_or_else(|| {
            ScimError::invalid_value(format!(
                "Users are sorted by userName, displayName, meta.created or \
                 meta.lastModified, not {sort_by:?}."
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provisioning::scim::ScimType;

    const BASE: &str = "https://gatehouse.example/scim/v2/acme";

    fn facts() -> UserFacts {
        UserFacts {
            id: 42,
            active: false,
            created_at: 1_305_261_754,
            updated_at: 1_700_000_000,
            groups: vec![(7, "Engineering".into())],
        }
    }

    #[test]
    fn a_user_renders_the_document_with_the_facts() {
        let document = json!({
            "userName": "Ada",
            "active": true,
            "emails": [{ "value": "ada@example.com", "primary": true }],
            ENTERPRISE_USER: { "department": "Maths" },
        });
        assert_eq!(
            render(&document, &facts(), BASE),
            json!({
                "schemas": [CORE_USER, ENTERPRISE_USER],
                "id": "42",
                "userName": "Ada",
                "active": false,
                "emails": [{ "value": "ada@example.com", "primary": true }],
                ENTERPRISE_USER: { "department": "Maths" },
                "groups": [{
                    "value": "7",
                    "$ref": "https://gatehouse.example/scim/v2/acme/Groups/7",
                    "display": "Engineering",
                }],
                "meta": {
                    "resourceType": "User",
                    "created": "2011-05-13T04:42:34Z",
                    "lastModified": "2023-11-14T22:13:20Z",
                    "location": "https://gatehouse.example/scim/v2/acme/Users/42",
                },
            })
        );
    }

    #[test]
    fn a_user_without_groups_or_extension_has_neither() {
        let facts = UserFacts {
            groups: vec![],
            ..facts()
        };
        let rendered = render(
            &json!({ "userName": "ada@example.com", ENTERPRISE_USER: {} }),
            &facts,
            BASE,
        );
        assert_eq!(rendered["schemas"], json!([CORE_USER]));
        assert_eq!(rendered.get("groups"), None);
        assert_eq!(rendered.get(ENTERPRISE_USER), None);
        assert_eq!(rfc3339(-5), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn the_sign_in_email_is_the_user_name_or_an_email() {
        let email = |document: Value| derive(&document).map(|derived| derived.email);
        assert_eq!(
            email(json!({ "userName": " Ada@Example.COM ", "emails": [{ "value": "x@y.co" }] })),
            Ok("ada@example.com".into())
        );
        assert_eq!(
            email(json!({
                "userName": "ada",
                "emails": [{ "value": "home@y.co" }, { "value": "Work@Y.co", "primary": true }],
            })),
            Ok("work@y.co".into())
        );
        assert_eq!(
            email(
                json!({ "userName": "ada", "emails": [{ "value": "first@y.co" }, { "value": "second@y.co" }] })
            ),
            Ok("first@y.co".into())
        );
        let none = derive(&json!({ "userName": "ada" })).expect_err("no email");
        assert_eq!(none.scim_type, Some(ScimType::InvalidValue));
        assert_eq!(
            none.detail,
            "A user needs an email address: in userName or in emails."
        );
        assert_eq!(
            email(json!({ "userName": "ada", "emails": [{ "value": "not an email" }] }))
                .map_err(|error| error.scim_type),
            Err(Some(ScimType::InvalidValue))
        );
        for missing in [
            json!({}),
            json!({ "userName": "  " }),
            json!({ "userName": 3 }),
        ] {
            assert_eq!(
                derive(&missing).map_err(|error| error.scim_type),
                Err(Some(ScimType::InvalidValue)),
                "{missing}"
            );
        }
    }

    #[test]
    fn the_full_name_is_the_first_usable_one() {
        let name = |document: Value| derive(&document).map(|derived| derived.full_name);
        assert_eq!(
            name(json!({
                "userName": "ada@example.com",
                "name": { "formatted": " Ada  Lovelace ", "givenName": "A" },
                "displayName": "Countess",
            })),
            Ok("Ada Lovelace".into())
        );
        assert_eq!(
            name(json!({
                "userName": "ada@example.com",
                "name": { "givenName": "Ada", "familyName": "Lovelace" },
            })),
            Ok("Ada Lovelace".into())
        );
        assert_eq!(
            name(json!({ "userName": "ada@example.com", "name": { "familyName": "Lovelace" } })),
            Ok("Lovelace".into())
        );
        assert_eq!(
            name(json!({
                "userName": "ada@example.com",
                "name": { "formatted": "ada@example.com" },
                "displayName": "Ada",
            })),
            Ok("Ada".into())
        );
        assert_eq!(
            name(json!({ "userName": "ada.lovelace+scim@example.com" })),
            Ok("ada lovelace scim".into())
        );
    }

    #[test]
    fn derived_facts_come_from_the_document() {
        let derived = derive(&json!({
            "userName": "Ada@Example.com",
            "externalId": "00u1",
            "active": false,
        }))
        .expect("derived");
        assert_eq!(
            derived,
            Derived {
                user_name: "Ada@Example.com".into(),
                user_name_key: "ada@example.com".into(),
                email: "ada@example.com".into(),
                // The lower-cased email's local part: no better name was sent.
                full_name: "ada".into(),
                external_id: Some("00u1".into()),
                active: Some(false),
            }
        );
        assert_eq!(
            derive(&json!({ "userName": "a@b.co" })).map(|d| d.active),
            Ok(None)
        );
    }

    #[test]
    fn mapped_values_follow_scim_paths() {
        let document = json!({
            "title": "Countess",
            "name": { "givenName": "Ada" },
            "externalId": "00u1",
            ENTERPRISE_USER: { "department": "Maths" },
        });
        let mapping = [
            ("title", "role"),
            ("name.givenName", "first_name"),
            ("name.familyName", "last_name"),
            ("externalId", "okta_id"),
            (
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
                "department",
            ),
            (
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:division",
                "division",
            ),
        ]
        .map(|(path, key)| (path.to_string(), key.to_string()));
        assert_eq!(
            mapped_values(&document, &mapping),
            vec![
                ("role".to_string(), Some("Countess".to_string())),
                ("first_name".into(), Some("Ada".into())),
                ("last_name".into(), None),
                ("okta_id".into(), Some("00u1".into())),
                ("department".into(), Some("Maths".into())),
                ("division".into(), None),
            ]
        );
    }

    #[test]
    fn users_sort_by_four_attributes() {
        assert_eq!(sort_column("username"), Ok("userName"));
        assert_eq!(sort_column("displayName"), Ok("displayName"));
        assert_eq!(sort_column("META.CREATED"), Ok("meta.created"));
        assert_eq!(
            sort_column("urn:ietf:params:scim:schemas:core:2.0:User:meta.lastModified"),
            Ok("meta.lastModified")
        );
        for refused in ["title", "emails.value", "meta", "", "nonsense"] {
            assert_eq!(
                sort_column(refused).map_err(|error| error.scim_type),
                Err(Some(ScimType::InvalidValue)),
                "{refused}"
            );
        }
    }
}
