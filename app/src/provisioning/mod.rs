//! Provisioning: identity providers (Okta, Microsoft Entra ID, Google, JumpCloud) create,
//! update and deactivate a workspace's members and manage its custom groups over SCIM 2.0.
//!
//! A workspace admin creates a SCIM token on Workspace settings › Provisioning and gives
//! it, with the workspace's SCIM base URL, to the identity provider. The provider may then
//! change only what it provisioned: members invited by hand are listed to it, never
//! deactivated or removed by a sync.

mod page;

#[cfg(feature = "ssr")]
pub mod operations;
#[cfg(feature = "ssr")]
pub mod scim;
#[cfg(feature = "ssr")]
pub mod store;

pub use page::ProvisioningPage;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::Json;

use crate::error::AppError;

/// What every SCIM secret starts with, so secret scanners can recognise a leaked one.
pub const SECRET_PREFIX: &str = "gatehouse_scim_";
pub const MAX_TOKEN_NAME_CHARS: usize = 100;
/// Where a workspace's SCIM service lives, below the instance's public URL.
pub const BASE_PATH: &str = "/scim/v2";

/// A SCIM token as admins see it: never the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScimTokenSummary {
    pub id: i64,
    pub name: String,
    /// The secret's prefix and first characters, to tell tokens apart.
    pub hint: String,
    pub created_by: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked: bool,
}

/// A new SCIM token: its summary, and the secret, this once. Its `Debug` leaves the
/// secret out, so that it can't reach a log line by accident.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedScimToken {
    pub token: ScimTokenSummary,
    pub secret: String,
}

impl std::fmt::Debug for CreatedScimToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedScimToken")
            .field("token", &self.token)
            .field("secret", &"…")
            .finish()
    }
}

/// What a SCIM group change does when it would give an End-user a builder-level
/// permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum BuilderLevelGroups {
    /// Refuse the change with a SCIM error naming the users.
    #[default]
    Refuse,
    /// Make those End-users Builders.
    Promote,
}

impl BuilderLevelGroups {
    pub fn key(self) -> &'static str {
        match self {
            BuilderLevelGroups::Refuse => "refuse",
            BuilderLevelGroups::Promote => "promote",
        }
    }

    pub fn from_key(key: &str) -> Option<BuilderLevelGroups> {
        match key {
            "refuse" => Some(BuilderLevelGroups::Refuse),
            "promote" => Some(BuilderLevelGroups::Promote),
            _ => None,
        }
    }
}

/// A SCIM attribute copied into a member metadata key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeMapping {
    /// The attribute's path as [`MAPPABLE_ATTRIBUTES`] names it.
    pub scim_path: String,
    pub meta_key: String,
}

/// The SCIM attributes that can become metadata: (path, label).
pub const MAPPABLE_ATTRIBUTES: [(&str, &str); 10] = [
    ("title", "Title"),
    ("displayName", "Display name"),
    ("name.givenName", "Given name"),
    ("name.familyName", "Family name"),
    ("externalId", "External id"),
    (
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
        "Employee number (enterprise)",
    ),
    (
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter",
        "Cost center (enterprise)",
    ),
    (
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:organization",
        "Organization (enterprise)",
    ),
    (
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:division",
        "Division (enterprise)",
    ),
    (
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
        "Department (enterprise)",
    ),
];

/// The label of a mappable attribute, for the page and for errors.
pub fn attribute_label(scim_path: &str) -> Option<&'static str> {
    MAPPABLE_ATTRIBUTES
        .iter()
        .find(|(path, _)| *path == scim_path)
        .map(|(_, label)| *label)
}

/// Checks a whole attribute mapping: known attributes, each once; valid metadata keys,
/// each once.
pub fn parse_mapping(mappings: Vec<AttributeMapping>) -> Result<Vec<AttributeMapping>, AppError> {
    let mut checked: Vec<AttributeMapping> = Vec::with_capacity(mappings.len());
    for mapping in mappings {
        let meta_key = mapping.meta_key.trim().to_string();
        if attribute_label(&mapping.scim_path).is_none() {
            return Err(AppError::UnknownScimAttribute {
                attribute: mapping.scim_path,
            });
        }
        crate::metadata::check_key(&meta_key)?;
        if checked
            .iter()
            .any(|other| other.scim_path == mapping.scim_path || other.meta_key == meta_key)
        {
            return Err(AppError::AttributeMappedTwice { key: meta_key });
        }
        checked.push(AttributeMapping {
            scim_path: mapping.scim_path,
            meta_key,
        });
    }
    Ok(checked)
}

/// One SCIM request as the Provisioning page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScimRequest {
    pub occurred_at: i64,
    pub method: String,
    pub path: String,
    pub status: u16,
    pub outcome: String,
}

/// Everything the Provisioning page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisioningOverview {
    pub base_url: String,
    pub tokens: Vec<ScimTokenSummary>,
    pub builder_level_groups: BuilderLevelGroups,
    pub mappings: Vec<AttributeMapping>,
    pub requests: Vec<ScimRequest>,
}

#[server(endpoint = "provisioning/overview")]
pub async fn read_provisioning(slug: String) -> Result<ProvisioningOverview, AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::overview(&state, &actor).await
}

#[server(endpoint = "provisioning/tokens/create")]
pub async fn create_scim_token(slug: String, name: String) -> Result<CreatedScimToken, AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::create_token(&state, &actor, &name).await
}

#[server(endpoint = "provisioning/tokens/revoke")]
pub async fn revoke_scim_token(slug: String, token_id: i64) -> Result<(), AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::revoke_token(&state, &actor, token_id).await
}

#[server(endpoint = "provisioning/settings", input = Json)]
pub async fn save_provisioning_settings(
    slug: String,
    builder_level_groups: String,
    mappings: Vec<AttributeMapping>,
) -> Result<(), AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    let policy = BuilderLevelGroups::from_key(&builder_level_groups)
        .ok_or(AppError::UnknownBuilderLevelPolicy)?;
    let mappings = parse_mapping(mappings)?;
    operations::save_settings(&state, &actor, policy, mappings).await
}

/// Hands a member invited by hand over to the identity provider, or takes one back.
#[server(endpoint = "provisioning/hand-over")]
pub async fn set_member_provisioned(
    slug: String,
    user_id: i64,
    provisioned: bool,
) -> Result<(), AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::set_provisioned(&state, &actor, user_id, provisioned).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapping(path: &str, key: &str) -> AttributeMapping {
        AttributeMapping {
            scim_path: path.into(),
            meta_key: key.into(),
        }
    }

    #[test]
    fn a_mapping_names_known_attributes_and_distinct_keys() {
        let department = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department";
        assert_eq!(
            parse_mapping(vec![
                mapping(department, " department "),
                mapping("title", "title")
            ]),
            Ok(vec![
                mapping(department, "department"),
                mapping("title", "title")
            ])
        );
        assert_eq!(
            parse_mapping(vec![mapping("password", "pw")]),
            Err(AppError::UnknownScimAttribute {
                attribute: "password".into()
            })
        );
        assert_eq!(
            parse_mapping(vec![mapping("title", "role"), mapping(department, "role")]),
            Err(AppError::AttributeMappedTwice { key: "role".into() })
        );
        assert_eq!(
            parse_mapping(vec![mapping("title", "role"), mapping("title", "job")]),
            Err(AppError::AttributeMappedTwice { key: "job".into() })
        );
        assert!(parse_mapping(vec![mapping("title", "")]).is_err());
    }

    #[test]
    fn a_new_scim_secret_never_shows_in_debug_output() {
        let created = CreatedScimToken {
            token: ScimTokenSummary {
                id: 1,
                name: "Okta".into(),
                hint: "gatehouse_scim_abcd…".into(),
                created_by: "Ada".into(),
                created_at: 0,
                last_used_at: None,
                revoked: false,
            },
            secret: "gatehouse_scim_secret-part".into(),
        };
        assert!(!format!("{created:?}").contains("secret-part"));
    }
}
