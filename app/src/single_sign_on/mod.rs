//! Single sign-on with OpenID Connect, and group sync from the identity provider.
//!
//! A super admin adds identity providers for the whole instance (Settings › Single
//! sign-on); each workspace's admins choose which of them it accepts, who may join on
//! first sign-in, and how the provider's groups map to Gatehouse groups (Workspace
//! settings › Single sign-on). People then sign in with "Sign in with {provider}": the
//! authorization code flow with PKCE, `state` and `nonce`, the ID token checked by the
//! `openidconnect` crate against the provider's keys.

mod buttons;
mod provider_page;
mod workspace_page;

#[cfg(feature = "ssr")]
pub mod client;
#[cfg(feature = "ssr")]
pub mod operations;
#[cfg(feature = "ssr")]
pub mod rules;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod sync;
#[cfg(feature = "test-support")]
pub mod testing;

pub use buttons::{SignInProviders, SignInWithProviders, load_sign_in_providers};
pub use provider_page::SingleSignOnProvidersPage;
pub use workspace_page::WorkspaceSingleSignOnPage;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::Json;

use crate::error::AppError;
use crate::memberships::Role;
use crate::provisioning::BuilderLevelGroups;

/// Where sign-ins through a provider start and come back, below the public URL.
pub fn start_path(provider_slug: &str) -> String {
    format!("/sso/{provider_slug}/start")
}

pub fn callback_path(provider_slug: &str) -> String {
    format!("/sso/{provider_slug}/callback")
}

/// Where the groups claim is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum GroupsSource {
    #[default]
    IdToken,
    AccessToken,
    Userinfo,
}

impl GroupsSource {
    pub const ALL: [GroupsSource; 3] = [
        GroupsSource::IdToken,
        GroupsSource::AccessToken,
        GroupsSource::Userinfo,
    ];

    pub fn key(self) -> &'static str {
        match self {
            GroupsSource::IdToken => "id_token",
            GroupsSource::AccessToken => "access_token",
            GroupsSource::Userinfo => "userinfo",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            GroupsSource::IdToken => "ID token",
            GroupsSource::AccessToken => "Access token (JWT)",
            GroupsSource::Userinfo => "Userinfo endpoint",
        }
    }

    pub fn from_key(key: &str) -> Option<GroupsSource> {
        GroupsSource::ALL
            .into_iter()
            .find(|source| source.key() == key)
    }
}

/// When group sync runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum SyncMode {
    #[default]
    Off,
    Full,
    Additive,
    FirstSignIn,
}

impl SyncMode {
    pub const ALL: [SyncMode; 4] = [
        SyncMode::Off,
        SyncMode::Full,
        SyncMode::Additive,
        SyncMode::FirstSignIn,
    ];

    pub fn key(self) -> &'static str {
        match self {
            SyncMode::Off => "off",
            SyncMode::Full => "full",
            SyncMode::Additive => "additive",
            SyncMode::FirstSignIn => "first_sign_in",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SyncMode::Off => "Off: groups are managed in Gatehouse only",
            SyncMode::Full => "Full: at every sign-in, mapped groups match the identity provider's",
            SyncMode::Additive => "Additive: at every sign-in, mapped groups are only added",
            SyncMode::FirstSignIn => "First sign-in only: mapped groups are set once",
        }
    }

    pub fn from_key(key: &str) -> Option<SyncMode> {
        SyncMode::ALL.into_iter().find(|mode| mode.key() == key)
    }
}

/// Why a sign-in through a provider was refused: each has one message for the sign-in
/// page, and a key that travels in its URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum SsoRefusal {
    #[error("This sign-in expired or was already used. Start again.")]
    StateInvalid,
    #[error("The identity provider didn't let you sign in.")]
    ProviderRefused,
    #[error("Gatehouse couldn't reach the identity provider. Try again later.")]
    ProviderUnreachable,
    #[error("The identity provider's answer couldn't be checked, so you weren't signed in.")]
    TokenInvalid,
    #[error(
        "The identity provider's answer wasn't meant for this sign-in, so you weren't signed in."
    )]
    NonceMismatch,
    #[error(
        "The identity provider's answer isn't valid now: it has expired or is dated in the future. Sign in again, and tell your admin if it keeps happening (a clock may be wrong)."
    )]
    TokenExpired,
    #[error("The identity provider didn't send an email address.")]
    EmailMissing,
    #[error("The identity provider hasn't verified your email address.")]
    EmailUnverified,
    #[error("Your email address's domain may not sign in through this identity provider.")]
    DomainNotAllowed,
    #[error(
        "Your Gatehouse account is already linked to another account at this identity provider."
    )]
    LinkedToSomeoneElse,
    #[error(
        "No workspace here lets you in through this identity provider. Ask an admin to invite you."
    )]
    NoWorkspace,
}

impl SsoRefusal {
    pub const ALL: [SsoRefusal; 11] = [
        SsoRefusal::StateInvalid,
        SsoRefusal::ProviderRefused,
        SsoRefusal::ProviderUnreachable,
        SsoRefusal::TokenInvalid,
        SsoRefusal::NonceMismatch,
        SsoRefusal::TokenExpired,
        SsoRefusal::EmailMissing,
        SsoRefusal::EmailUnverified,
        SsoRefusal::DomainNotAllowed,
        SsoRefusal::LinkedToSomeoneElse,
        SsoRefusal::NoWorkspace,
    ];

    pub fn key(self) -> &'static str {
        match self {
            SsoRefusal::StateInvalid => "state_invalid",
            SsoRefusal::ProviderRefused => "provider_refused",
            SsoRefusal::ProviderUnreachable => "provider_unreachable",
            SsoRefusal::TokenInvalid => "token_invalid",
            SsoRefusal::NonceMismatch => "nonce_mismatch",
            SsoRefusal::TokenExpired => "token_expired",
            SsoRefusal::EmailMissing => "email_missing",
            SsoRefusal::EmailUnverified => "email_unverified",
            SsoRefusal::DomainNotAllowed => "domain_not_allowed",
            SsoRefusal::LinkedToSomeoneElse => "linked_to_someone_else",
            SsoRefusal::NoWorkspace => "no_workspace",
        }
    }

    pub fn from_key(key: &str) -> Option<SsoRefusal> {
        SsoRefusal::ALL
            .into_iter()
            .find(|refusal| refusal.key() == key)
    }
}

/// What the sign-in page says when a sign-in through a provider came back refused: the
/// callback names the refusal by key in `sso_error`.
pub fn sso_error_message(key: &str) -> String {
    match SsoRefusal::from_key(key) {
        Some(refusal) => refusal.to_string(),
        None if key == "account_archived" => AppError::AccountArchived.to_string(),
        None => "Single sign-on didn't work. Try again, and tell your admin if it keeps happening."
            .to_string(),
    }
}

/// A provider on the sign-in and invitation pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInOption {
    pub display_name: String,
    pub start_path: String,
}

/// A provider as super admins see it: never its client secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderSummary {
    pub id: i64,
    pub slug: String,
    pub display_name: String,
    pub issuer_url: String,
    pub client_id: String,
    pub scopes: String,
    pub email_claim: String,
    pub groups_claim: String,
    pub groups_source: GroupsSource,
    pub allowed_domains: String,
    /// The redirect URI to register at the provider.
    pub callback_url: String,
}

/// A provider as the settings form sends it. An empty secret keeps the stored one.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderForm {
    pub id: Option<i64>,
    pub display_name: String,
    pub issuer_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub scopes: String,
    pub email_claim: String,
    pub groups_claim: String,
    pub groups_source: String,
    pub allowed_domains: String,
}

impl std::fmt::Debug for ProviderForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderForm")
            .field("id", &self.id)
            .field("display_name", &self.display_name)
            .field("issuer_url", &self.issuer_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"…")
            .finish_non_exhaustive()
    }
}

/// What Test connection found, step by step, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionReport {
    pub ok: bool,
    pub findings: Vec<String>,
}

/// An IdP group mapped to a Gatehouse group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMapping {
    pub idp_group: String,
    pub group_id: i64,
}

/// A group a mapping may lead to: custom groups and the role groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappableGroup {
    pub id: i64,
    pub name: String,
}

/// A provider a workspace may accept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderChoice {
    pub id: i64,
    pub display_name: String,
    pub accepted: bool,
}

/// A workspace's single sign-on settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceSso {
    pub providers: Vec<ProviderChoice>,
    pub require_sso: bool,
    pub join_on_first_sign_in: bool,
    pub default_role: Role,
    pub sync_mode: SyncMode,
    pub ignore_case: bool,
    pub create_groups: bool,
    pub builder_level_groups: BuilderLevelGroups,
    pub mappings: Vec<GroupMapping>,
    pub groups: Vec<MappableGroup>,
}

/// The workspace settings form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceSsoForm {
    pub accepted_providers: Vec<i64>,
    pub require_sso: bool,
    pub join_on_first_sign_in: bool,
    pub default_role: String,
    pub sync_mode: String,
    pub ignore_case: bool,
    pub create_groups: bool,
    pub builder_level_groups: String,
    pub mappings: Vec<GroupMapping>,
}

/// The most mappings one workspace keeps.
pub const MAX_MAPPINGS: usize = 2_000;

/// The checked parts of a workspace settings form; group ids are checked against the
/// workspace by the operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceSsoSettings {
    pub accepted_providers: Vec<i64>,
    pub require_sso: bool,
    pub join_on_first_sign_in: bool,
    pub default_role: Role,
    pub sync_mode: SyncMode,
    pub ignore_case: bool,
    pub create_groups: bool,
    pub builder_level_groups: BuilderLevelGroups,
    pub mappings: Vec<GroupMapping>,
}

pub fn parse_workspace_form(form: WorkspaceSsoForm) -> Result<WorkspaceSsoSettings, AppError> {
    let default_role = Role::from_key(&form.default_role).ok_or(AppError::UnknownRole)?;
    let sync_mode = SyncMode::from_key(&form.sync_mode).ok_or(AppError::UnknownSyncMode)?;
    let builder_level_groups = BuilderLevelGroups::from_key(&form.builder_level_groups)
        .ok_or(AppError::UnknownBuilderLevelPolicy)?;
    if form.mappings.len() > MAX_MAPPINGS {
        return Err(AppError::TooManySsoMappings { max: MAX_MAPPINGS });
    }
    let mut mappings: Vec<GroupMapping> = Vec::with_capacity(form.mappings.len());
    for mapping in form.mappings {
        let idp_group = mapping.idp_group.trim().to_string();
        if idp_group.is_empty() || idp_group.chars().count() > 200 {
            return Err(AppError::SsoMappingInvalid);
        }
        crate::users::refuse_control_characters(&idp_group)?;
        let mapping = GroupMapping {
            idp_group,
            group_id: mapping.group_id,
        };
        if !mappings.contains(&mapping) {
            mappings.push(mapping);
        }
    }
    let mut accepted_providers = form.accepted_providers;
    accepted_providers.sort_unstable();
    accepted_providers.dedup();
    Ok(WorkspaceSsoSettings {
        accepted_providers,
        require_sso: form.require_sso,
        join_on_first_sign_in: form.join_on_first_sign_in,
        default_role,
        sync_mode,
        ignore_case: form.ignore_case,
        create_groups: form.create_groups,
        builder_level_groups,
        mappings,
    })
}

/// The providers anyone may sign in with, for the sign-in and invitation pages.
#[server(endpoint = "sso/sign-in-options")]
pub async fn sign_in_options() -> Result<Vec<SignInOption>, AppError> {
    let state = crate::state::app_state()?;
    operations::sign_in_options(&state).await
}

#[server(endpoint = "sso/providers")]
pub async fn list_sso_providers() -> Result<Vec<ProviderSummary>, AppError> {
    let (caller, state) = crate::access::session_caller()?;
    operations::list_providers(&state, &caller).await
}

#[server(endpoint = "sso/providers/save", input = Json)]
pub async fn save_sso_provider(form: ProviderForm) -> Result<ProviderSummary, AppError> {
    let (caller, state) = crate::access::session_caller()?;
    let settings = rules::parse_provider_form(form.clone())?;
    operations::save_provider(&state, &caller, form.id, settings).await
}

#[server(endpoint = "sso/providers/delete")]
pub async fn delete_sso_provider(provider_id: i64) -> Result<(), AppError> {
    let (caller, state) = crate::access::session_caller()?;
    operations::delete_provider(&state, &caller, provider_id).await
}

#[server(endpoint = "sso/providers/test")]
pub async fn test_sso_provider(provider_id: i64) -> Result<ConnectionReport, AppError> {
    let (caller, state) = crate::access::session_caller()?;
    operations::test_connection(&state, &caller, provider_id).await
}

#[server(endpoint = "sso/workspace")]
pub async fn read_workspace_sso(slug: String) -> Result<WorkspaceSso, AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::workspace_settings(&state, &actor).await
}

#[server(endpoint = "sso/workspace/save", input = Json)]
pub async fn save_workspace_sso(slug: String, form: WorkspaceSsoForm) -> Result<(), AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    let settings = parse_workspace_form(form)?;
    operations::save_workspace_settings(&state, &actor, settings).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> WorkspaceSsoForm {
        WorkspaceSsoForm {
            accepted_providers: vec![2, 1, 2],
            require_sso: true,
            join_on_first_sign_in: true,
            default_role: "end-user".into(),
            sync_mode: "additive".into(),
            ignore_case: true,
            create_groups: false,
            builder_level_groups: "refuse".into(),
            mappings: vec![
                GroupMapping {
                    idp_group: " Engineering ".into(),
                    group_id: 4,
                },
                GroupMapping {
                    idp_group: "Engineering".into(),
                    group_id: 4,
                },
            ],
        }
    }

    #[test]
    fn a_workspace_form_is_checked_and_tidied() {
        let settings = parse_workspace_form(form()).unwrap();
        assert_eq!(settings.accepted_providers, [1, 2]);
        assert_eq!(settings.sync_mode, SyncMode::Additive);
        assert_eq!(
            settings.mappings,
            [GroupMapping {
                idp_group: "Engineering".into(),
                group_id: 4
            }]
        );
    }

    #[test]
    fn a_workspace_form_with_unknown_choices_is_refused() {
        let unknown_mode = WorkspaceSsoForm {
            sync_mode: "sometimes".into(),
            ..form()
        };
        assert_eq!(
            parse_workspace_form(unknown_mode),
            Err(AppError::UnknownSyncMode)
        );
        let unknown_role = WorkspaceSsoForm {
            default_role: "owner".into(),
            ..form()
        };
        assert_eq!(
            parse_workspace_form(unknown_role),
            Err(AppError::UnknownRole)
        );
        let empty_group = WorkspaceSsoForm {
            mappings: vec![GroupMapping {
                idp_group: " ".into(),
                group_id: 4,
            }],
            ..form()
        };
        assert_eq!(
            parse_workspace_form(empty_group),
            Err(AppError::SsoMappingInvalid)
        );
    }

    #[test]
    fn refusals_travel_by_key() {
        for refusal in SsoRefusal::ALL {
            assert_eq!(SsoRefusal::from_key(refusal.key()), Some(refusal));
        }
        assert_eq!(SsoRefusal::from_key("<script>"), None);
    }

    #[test]
    fn a_provider_form_never_shows_its_secret_in_debug_output() {
        let form = ProviderForm {
            id: None,
            display_name: "Okta".into(),
            issuer_url: "https://acme.okta.com".into(),
            client_id: "0oa1".into(),
            client_secret: "very-secret".into(),
            scopes: "openid".into(),
            email_claim: "email".into(),
            groups_claim: "groups".into(),
            groups_source: "id_token".into(),
            allowed_domains: String::new(),
        };
        assert!(!format!("{form:?}").contains("very-secret"));
    }
}
