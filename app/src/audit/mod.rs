//! The audit trail: who did what to whom, and when. Every change writes its event in the
//! same transaction as the change ([`record`]); admins read their workspace's events and
//! super admins everyone's on the Audit log pages, filter them, and export them.

#[cfg(feature = "ssr")]
pub mod operations;
mod page;
#[cfg(feature = "ssr")]
mod record;
#[cfg(feature = "ssr")]
pub mod store;

pub use page::{InstanceAuditLogPage, WorkspaceAuditLogPage};
#[cfg(feature = "ssr")]
pub use record::*;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::Json;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::memberships::Role;

/// Everything the trail records. Stored by [`Action::key`], which never changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    MemberInvited,
    InvitationResent,
    InvitationLinkCopied,
    InvitationAccepted,
    InvitationConfirmationMailed,
    MemberRoleChanged,
    MemberMetadataChanged,
    MemberArchived,
    MemberUnarchived,
    MemberRemoved,
    PasswordChanged,
    GroupCreated,
    GroupRenamed,
    GroupDeleted,
    GroupDuplicated,
    GroupMemberAdded,
    GroupMemberRemoved,
    GroupPermissionsChanged,
    GroupRuleSaved,
    GroupRuleDeleted,
    AppsTransferred,
    ResourceCreated,
    ResourceChanged,
    ResourceDeleted,
    ResourceRevealed,
    AppReleased,
    AppVersionRestored,
    UserDetailsChanged,
    SuperAdminGranted,
    SuperAdminRevoked,
    PasswordReset,
    UserArchivedFromInstance,
    UserUnarchivedInInstance,
    WorkspaceCreated,
    WorkspaceRenamed,
    WorkspaceArchived,
    WorkspaceUnarchived,
    SessionsEnded,
    AccessRefused,
    TokenCreated,
    TokenRevoked,
    TokenUsedFromNewAddress,
    ScimTokenCreated,
    ScimTokenRevoked,
    ProvisioningSettingsChanged,
    MemberHandedOver,
    MemberTakenBack,
    MemberProvisioned,
    MemberDetailsProvisioned,
    SsoProviderAdded,
    SsoProviderChanged,
    SsoProviderDeleted,
    SsoSettingsChanged,
    SsoSignedIn,
    SsoIdentityLinked,
    SsoJoined,
    SsoGroupSkipped,
    AuditExported,
    AuditRetentionChanged,
    AuditPruned,
}

impl Action {
    pub const ALL: [Action; 60] = [
        Action::MemberInvited,
        Action::InvitationResent,
        Action::InvitationLinkCopied,
        Action::InvitationAccepted,
        Action::InvitationConfirmationMailed,
        Action::MemberRoleChanged,
        Action::MemberMetadataChanged,
        Action::MemberArchived,
        Action::MemberUnarchived,
        Action::MemberRemoved,
        Action::PasswordChanged,
        Action::GroupCreated,
        Action::GroupRenamed,
        Action::GroupDeleted,
        Action::GroupDuplicated,
        Action::GroupMemberAdded,
        Action::GroupMemberRemoved,
        Action::GroupPermissionsChanged,
        Action::GroupRuleSaved,
        Action::GroupRuleDeleted,
        Action::AppsTransferred,
        Action::ResourceCreated,
        Action::ResourceChanged,
        Action::ResourceDeleted,
        Action::ResourceRevealed,
        Action::AppReleased,
        Action::AppVersionRestored,
        Action::UserDetailsChanged,
        Action::SuperAdminGranted,
        Action::SuperAdminRevoked,
        Action::PasswordReset,
        Action::UserArchivedFromInstance,
        Action::UserUnarchivedInInstance,
        Action::WorkspaceCreated,
        Action::WorkspaceRenamed,
        Action::WorkspaceArchived,
        Action::WorkspaceUnarchived,
        Action::SessionsEnded,
        Action::AccessRefused,
        Action::TokenCreated,
        Action::TokenRevoked,
        Action::TokenUsedFromNewAddress,
        Action::ScimTokenCreated,
        Action::ScimTokenRevoked,
        Action::ProvisioningSettingsChanged,
        Action::MemberHandedOver,
        Action::MemberTakenBack,
        Action::MemberProvisioned,
        Action::MemberDetailsProvisioned,
        Action::SsoProviderAdded,
        Action::SsoProviderChanged,
        Action::SsoProviderDeleted,
        Action::SsoSettingsChanged,
        Action::SsoSignedIn,
        Action::SsoIdentityLinked,
        Action::SsoJoined,
        Action::SsoGroupSkipped,
        Action::AuditExported,
        Action::AuditRetentionChanged,
        Action::AuditPruned,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Action::MemberInvited => "member.invited",
            Action::InvitationResent => "invitation.resent",
            Action::InvitationLinkCopied => "invitation.link_copied",
            Action::InvitationAccepted => "invitation.accepted",
            Action::InvitationConfirmationMailed => "invitation.confirmation_mailed",
            Action::MemberRoleChanged => "member.role_changed",
            Action::MemberMetadataChanged => "member.metadata_changed",
            Action::MemberArchived => "member.archived",
            Action::MemberUnarchived => "member.unarchived",
            Action::MemberRemoved => "member.removed",
            Action::PasswordChanged => "user.password_changed",
            Action::GroupCreated => "group.created",
            Action::GroupRenamed => "group.renamed",
            Action::GroupDeleted => "group.deleted",
            Action::GroupDuplicated => "group.duplicated",
            Action::GroupMemberAdded => "group.member_added",
            Action::GroupMemberRemoved => "group.member_removed",
            Action::GroupPermissionsChanged => "group.permissions_changed",
            Action::GroupRuleSaved => "group.rule_saved",
            Action::GroupRuleDeleted => "group.rule_deleted",
            Action::AppsTransferred => "apps.transferred",
            Action::ResourceCreated => "resource.created",
            Action::ResourceChanged => "resource.changed",
            Action::ResourceDeleted => "resource.deleted",
            Action::ResourceRevealed => "resource.revealed",
            Action::AppReleased => "app.released",
            Action::AppVersionRestored => "app.version_restored",
            Action::UserDetailsChanged => "user.details_changed",
            Action::SuperAdminGranted => "user.super_admin_granted",
            Action::SuperAdminRevoked => "user.super_admin_revoked",
            Action::PasswordReset => "user.password_reset",
            Action::UserArchivedFromInstance => "user.archived",
            Action::UserUnarchivedInInstance => "user.unarchived",
            Action::WorkspaceCreated => "workspace.created",
            Action::WorkspaceRenamed => "workspace.renamed",
            Action::WorkspaceArchived => "workspace.archived",
            Action::WorkspaceUnarchived => "workspace.unarchived",
            Action::SessionsEnded => "user.sessions_ended",
            Action::AccessRefused => "access.refused",
            Action::TokenCreated => "token.created",
            Action::TokenRevoked => "token.revoked",
            Action::TokenUsedFromNewAddress => "token.used_from_new_address",
            Action::ScimTokenCreated => "scim_token.created",
            Action::ScimTokenRevoked => "scim_token.revoked",
            Action::ProvisioningSettingsChanged => "provisioning.settings_changed",
            Action::MemberHandedOver => "member.handed_over_to_provisioning",
            Action::MemberTakenBack => "member.taken_back_from_provisioning",
            Action::MemberProvisioned => "member.provisioned",
            Action::MemberDetailsProvisioned => "member.details_provisioned",
            Action::SsoProviderAdded => "sso.provider_added",
            Action::SsoProviderChanged => "sso.provider_changed",
            Action::SsoProviderDeleted => "sso.provider_deleted",
            Action::SsoSettingsChanged => "sso.settings_changed",
            Action::SsoSignedIn => "sso.signed_in",
            Action::SsoIdentityLinked => "sso.identity_linked",
            Action::SsoJoined => "sso.joined",
            Action::SsoGroupSkipped => "sso.group_skipped",
            Action::AuditExported => "audit.exported",
            Action::AuditRetentionChanged => "audit.retention_changed",
            Action::AuditPruned => "audit.pruned",
        }
    }
    pub fn from_key(key: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|action| action.key() == key)
    }

    /// The group the Action filter lists it under. The `category` column that the
    /// filter reads is derived from the key by the database (migration 0011), the same way.
    pub fn category(self) -> Category {
        use crate::audit::Action::*;
        match self {
            MemberHandedOver
            | MemberTakenBack
            | MemberProvisioned
            | MemberDetailsProvisioned
            | SsoProviderAdded
            | SsoProviderChanged
            | SsoProviderDeleted
            | SsoSettingsChanged
            | SsoGroupSkipped
            | TokenCreated
            | TokenRevoked
            | TokenUsedFromNewAddress
            | ScimTokenCreated
            | ScimTokenRevoked
            | ProvisioningSettingsChanged => Category::TokensAndProvisioning,
            MemberInvited
            | InvitationResent
            | InvitationLinkCopied
            | InvitationAccepted
            | InvitationConfirmationMailed
            | MemberRoleChanged
            | MemberMetadataChanged
            | MemberArchived
            | MemberUnarchived
            | MemberRemoved => Category::Members,
            GroupCreated
            | GroupRenamed
            | GroupDeleted
            | GroupDuplicated
            | GroupMemberAdded
            | GroupMemberRemoved
            | GroupPermissionsChanged
            | GroupRuleSaved
            | GroupRuleDeleted
            | AppsTransferred => Category::GroupsAndPermissions,
            ResourceCreated | ResourceChanged | ResourceDeleted | ResourceRevealed
            | AppReleased | AppVersionRestored => Category::Resources,
            PasswordChanged | PasswordReset | SessionsEnded | AccessRefused | SsoSignedIn
            | SsoIdentityLinked | SsoJoined => Category::SignInAndSessions,
            UserDetailsChanged
            | SuperAdminGranted
            | SuperAdminRevoked
            | UserArchivedFromInstance
            | UserUnarchivedInInstance
            | WorkspaceCreated
            | WorkspaceRenamed
            | WorkspaceArchived
            | WorkspaceUnarchived
            | AuditExported
            | AuditRetentionChanged
            | AuditPruned => Category::WorkspacesAndInstance,
        }
    }

    /// How the Action filter names it.
    pub fn label(self) -> &'static str {
        use crate::audit::Action::*;
        match self {
            MemberInvited => "Member invited",
            InvitationResent => "Invitation resent",
            InvitationLinkCopied => "Invitation link copied",
            InvitationAccepted => "Invitation accepted",
            InvitationConfirmationMailed => "Invitation confirmation mailed",
            MemberRoleChanged => "Role changed",
            MemberMetadataChanged => "Metadata changed",
            MemberArchived => "Member archived",
            MemberUnarchived => "Member unarchived",
            MemberRemoved => "Member removed",
            PasswordChanged => "Password changed",
            GroupCreated => "Group created",
            GroupRenamed => "Group renamed",
            GroupDeleted => "Group deleted",
            GroupDuplicated => "Group duplicated",
            GroupMemberAdded => "Added to a group",
            GroupMemberRemoved => "Removed from a group",
            GroupPermissionsChanged => "Group permissions changed",
            GroupRuleSaved => "Granular permission saved",
            GroupRuleDeleted => "Granular permission deleted",
            AppsTransferred => "Apps transferred",
            ResourceCreated => "Resource created",
            ResourceChanged => "Resource changed",
            ResourceDeleted => "Resource deleted",
            ResourceRevealed => "Secret value read",
            AppReleased => "App released",
            AppVersionRestored => "App version restored",
            UserDetailsChanged => "Account details changed",
            SuperAdminGranted => "Super admin granted",
            SuperAdminRevoked => "Super admin revoked",
            PasswordReset => "Password reset",
            UserArchivedFromInstance => "User archived from the instance",
            UserUnarchivedInInstance => "User unarchived in the instance",
            WorkspaceCreated => "Workspace created",
            WorkspaceRenamed => "Workspace renamed",
            WorkspaceArchived => "Workspace archived",
            WorkspaceUnarchived => "Workspace unarchived",
            SessionsEnded => "Signed out everywhere",
            AccessRefused => "Access refused",
            TokenCreated => "Access token created",
            TokenRevoked => "Access token revoked",
            TokenUsedFromNewAddress => "Access token used from a new address",
            ScimTokenCreated => "SCIM token created",
            ScimTokenRevoked => "SCIM token revoked",
            ProvisioningSettingsChanged => "Provisioning settings changed",
            MemberHandedOver => "Member handed over to provisioning",
            MemberTakenBack => "Member taken back from provisioning",
            MemberProvisioned => "Member provisioned",
            MemberDetailsProvisioned => "Member details provisioned",
            SsoProviderAdded => "Identity provider added",
            SsoProviderChanged => "Identity provider changed",
            SsoProviderDeleted => "Identity provider deleted",
            SsoSettingsChanged => "Single sign-on settings changed",
            SsoSignedIn => "Signed in with single sign-on",
            SsoIdentityLinked => "Single sign-on identity linked",
            SsoJoined => "Joined through single sign-on",
            SsoGroupSkipped => "Single sign-on group skipped",
            AuditExported => "Audit log exported",
            AuditRetentionChanged => "Audit retention changed",
            AuditPruned => "Expired audit events pruned",
        }
    }

    /// What happened, as a sentence: "Ada Lovelace changed Bob Kahn's role from
    /// End-user to Builder". Written by the server into each event it reads out. `detail` is what the event recorded (names, roles, keys:
    /// never a secret), added where the sentence needs it.
    #[cfg(feature = "ssr")]
    pub fn sentence(self, actor: &str, target: &str, detail: &str) -> String {
        use crate::audit::Action::*;
        let with = |text: String| {
            if detail.is_empty() {
                text
            } else {
                format!("{text}: {detail}")
            }
        };
        match self {
            MemberInvited | MemberProvisioned => match Role::parse(detail) {
                Ok(role) => format!("{actor} invited {target} as {}", role.label()),
                Err(_) => with(format!("{actor} invited {target}")),
            },
            MemberRoleChanged => match role_change(detail) {
                Some((from, to, rest)) => format!(
                    "{actor} changed {target}'s role from {} to {}{rest}",
                    from.label(),
                    to.label()
                ),
                None => with(format!("{actor} changed {target}'s role")),
            },
            InvitationResent => with(format!("{actor} sent {target} a new invitation")),
            InvitationLinkCopied => with(format!("{actor} copied an invitation link for {target}")),
            InvitationAccepted => with(format!("{target} accepted their invitation")),
            InvitationConfirmationMailed => with(format!(
                "{target} was mailed that their invitation was accepted"
            )),
            MemberMetadataChanged => with(format!("{actor} changed {target}'s metadata")),
            MemberArchived => with(format!("{actor} archived {target}")),
            MemberUnarchived => with(format!("{actor} unarchived {target}")),
            MemberRemoved => with(format!("{actor} removed {target} from the workspace")),
            PasswordChanged => with(format!("{actor} changed their password")),
            PasswordReset => with(format!("{actor} reset {target}'s password")),
            GroupCreated => with(format!("{actor} created a group")),
            GroupRenamed => with(format!("{actor} renamed a group")),
            GroupDeleted => with(format!("{actor} deleted a group")),
            GroupDuplicated => with(format!("{actor} duplicated a group")),
            GroupMemberAdded => with(format!("{actor} added {target} to a group")),
            GroupMemberRemoved => with(format!("{actor} removed {target} from a group")),
            GroupPermissionsChanged => with(format!("{actor} changed a group's permissions")),
            GroupRuleSaved => with(format!("{actor} saved a granular permission")),
            GroupRuleDeleted => with(format!("{actor} deleted a granular permission")),
            AppsTransferred => with(format!("{target}'s apps passed to {actor}")),
            ResourceCreated => with(format!("{actor} created a resource")),
            ResourceChanged => with(format!("{actor} changed a resource")),
            ResourceDeleted => with(format!("{actor} deleted a resource")),
            ResourceRevealed => with(format!("{actor} read a secret value")),
            AppReleased => with(format!("{actor} released an app")),
            AppVersionRestored => with(format!("{actor} restored an app version as its draft")),
            UserDetailsChanged => with(format!("{actor} changed {target}'s account details")),
            SuperAdminGranted => with(format!("{actor} made {target} a super admin")),
            SuperAdminRevoked => with(format!("{actor} ended {target}'s super admin rights")),
            UserArchivedFromInstance => with(format!("{actor} archived {target}'s account")),
            UserUnarchivedInInstance => with(format!("{actor} unarchived {target}'s account")),
            WorkspaceCreated => with(format!("{actor} created a workspace")),
            WorkspaceRenamed => with(format!("{actor} renamed a workspace")),
            WorkspaceArchived => with(format!("{actor} archived a workspace")),
            WorkspaceUnarchived => with(format!("{actor} unarchived a workspace")),
            SessionsEnded => with(format!("{actor} signed {target} out everywhere")),
            AccessRefused => with(format!("{actor} was refused access")),
            TokenCreated => with(format!("{actor} created an access token")),
            TokenRevoked => with(format!("{actor} revoked an access token")),
            TokenUsedFromNewAddress => with(format!(
                "{actor}'s access token was used from a new address"
            )),
            ScimTokenCreated => with(format!("{actor} created a SCIM token")),
            ScimTokenRevoked => with(format!("{actor} revoked a SCIM token")),
            ProvisioningSettingsChanged => {
                with(format!("{actor} changed the provisioning settings"))
            }
            MemberHandedOver => with(format!("{actor} handed {target} over to provisioning")),
            MemberTakenBack => with(format!("{actor} took {target} back from provisioning")),
            MemberDetailsProvisioned => with(format!("{actor} provisioned {target}'s details")),
            SsoProviderAdded => with(format!("{actor} added an identity provider")),
            SsoProviderChanged => with(format!("{actor} changed an identity provider")),
            SsoProviderDeleted => with(format!("{actor} deleted an identity provider")),
            SsoSettingsChanged => with(format!("{actor} changed the single sign-on settings")),
            SsoSignedIn => with(format!("{actor} signed in with single sign-on")),
            SsoIdentityLinked => with(format!("{actor} linked a single sign-on identity")),
            SsoJoined => with(format!("{actor} joined through single sign-on")),
            SsoGroupSkipped => with(format!("{actor}'s single sign-on skipped a group")),
            AuditExported => with(format!("{actor} exported the audit log")),
            AuditRetentionChanged => {
                with(format!("{actor} changed how long audit events are kept"))
            }
            AuditPruned => with(format!("{actor} deleted audit events past their retention")),
        }
    }
}

/// "builder -> end-user (as super admin)": the two roles and what follows them.
#[cfg(feature = "ssr")]
fn role_change(detail: &str) -> Option<(Role, Role, &str)> {
    let (from, rest) = detail.split_once(" -> ")?;
    let end = rest.find(' ').unwrap_or(rest.len());
    let to = &rest[..end];
    Some((Role::parse(from).ok()?, Role::parse(to).ok()?, &rest[end..]))
}

/// The groups the Action filter offers, each stored as its key in `audit_events.category`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Category {
    Members,
    GroupsAndPermissions,
    Resources,
    SignInAndSessions,
    TokensAndProvisioning,
    WorkspacesAndInstance,
}

impl Category {
    pub const ALL: [Category; 6] = [
        Category::Members,
        Category::GroupsAndPermissions,
        Category::Resources,
        Category::SignInAndSessions,
        Category::TokensAndProvisioning,
        Category::WorkspacesAndInstance,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Category::Members => "members",
            Category::GroupsAndPermissions => "groups_and_permissions",
            Category::Resources => "resources",
            Category::SignInAndSessions => "sign_in_and_sessions",
            Category::TokensAndProvisioning => "tokens_and_provisioning",
            Category::WorkspacesAndInstance => "workspaces_and_instance",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Category::Members => "Members",
            Category::GroupsAndPermissions => "Groups and permissions",
            Category::Resources => "Resources",
            Category::SignInAndSessions => "Sign-in and sessions",
            Category::TokensAndProvisioning => "Tokens and provisioning",
            Category::WorkspacesAndInstance => "Workspaces and instance",
        }
    }

    pub fn actions(self) -> impl Iterator<Item = Action> {
        Action::ALL
            .into_iter()
            .filter(move |action| action.category() == self)
    }
}

/// What the Action filter asks for: everything, one category, or one action. Sent as
/// one string: empty, a category's key, or an action's key (which always has a dot).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionChoice {
    Any,
    Category(Category),
    One(Action),
}

impl ActionChoice {
    pub fn parse(text: &str) -> Result<ActionChoice, AppError> {
        if text.is_empty() {
            return Ok(ActionChoice::Any);
        }
        Category::ALL
            .into_iter()
            .find(|category| category.key() == text)
            .map(ActionChoice::Category)
            .or_else(|| Action::from_key(text).map(ActionChoice::One))
            .ok_or(AppError::UnknownAuditAction)
    }
}

/// The filters of an Audit log page, as typed: checked on the server.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    /// The instance-wide log only: one workspace's slug, or empty for every workspace.
    #[serde(default)]
    pub workspace: String,
    /// Whose actions: an email address, or empty.
    #[serde(default)]
    pub actor: String,
    /// Whom the actions concerned: an email address, or empty.
    #[serde(default)]
    pub target: String,
    /// An [`ActionChoice`] in its string form.
    #[serde(default)]
    pub action: String,
    /// The workspace log only: one resource's id.
    #[serde(default)]
    pub resource: Option<i64>,
    /// The first day, `YYYY-MM-DD` in UTC, or empty.
    #[serde(default)]
    pub from: String,
    /// The last day, included, or empty.
    #[serde(default)]
    pub to: String,
}

/// Where a page of events ends: the next page starts with the events older than this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub occurred_at: i64,
    pub id: i64,
}

/// One event as the Audit log shows and exports it. Names are as they are now (a
/// renamed person shows their new name); the sentence reads like the page does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRow {
    pub id: i64,
    pub occurred_at: i64,
    pub action: String,
    pub action_label: String,
    pub category: String,
    pub actor_name: String,
    pub actor_email: Option<String>,
    pub target_name: Option<String>,
    pub target_email: Option<String>,
    pub workspace: Option<String>,
    pub source_address: Option<String>,
    pub sentence: String,
    pub detail: String,
}

/// A page of events, newest first, and where the next (older) page starts, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub events: Vec<EventRow>,
    pub older: Option<Cursor>,
}

/// Something a filter can choose from a list: a workspace (by slug) or a resource (by id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// How many events a page of the Audit log shows.
pub const PAGE_SIZE: i64 = 50;
/// The longest retention period that can be set: a hundred years.
pub const MAX_RETENTION_DAYS: i64 = 36_500;

/// A page of the workspace's events, for its admins.
#[server(endpoint = "audit/workspace", input = Json)]
pub async fn workspace_audit_page(
    slug: String,
    filter: AuditFilter,
    older_than: Option<Cursor>,
) -> Result<AuditPage, AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::workspace_page(&state, &actor, &filter, older_than).await
}

/// The workspace's resources, for the Resource filter.
#[server(endpoint = "audit/workspace-resources")]
pub async fn workspace_audit_resources(slug: String) -> Result<Vec<Choice>, AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::resource_choices(&state, &actor).await
}

/// A page of every workspace's and the instance's events, for super admins.
#[server(endpoint = "audit/instance", input = Json)]
pub async fn instance_audit_page(
    filter: AuditFilter,
    older_than: Option<Cursor>,
) -> Result<AuditPage, AppError> {
    let (caller, state) = crate::access::session_caller()?;
    operations::instance_page(&state, &caller, &filter, older_than).await
}

/// The instance's workspaces, for the Workspace filter, and how many days events are
/// kept (none: forever).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditSettings {
    pub workspaces: Vec<Choice>,
    pub retention_days: Option<i64>,
}

#[server(endpoint = "audit/instance-settings")]
pub async fn instance_audit_settings() -> Result<AuditSettings, AppError> {
    let (caller, state) = crate::access::session_caller()?;
    operations::instance_settings(&state, &caller).await
}

/// Sets how many days audit events are kept; empty keeps them forever. Older events are
/// deleted in the background, a batch at a time.
#[server(endpoint = "audit/set-retention")]
pub async fn set_audit_retention(days: String) -> Result<(), AppError> {
    let (caller, state) = crate::access::session_caller()?;
    let days = parse_retention(&days)?;
    operations::set_retention(&state, &caller, days).await
}

/// The retention field as typed: empty is forever, otherwise a whole number of days.
pub fn parse_retention(text: &str) -> Result<Option<i64>, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<i64>() {
        Ok(days) if (1..=MAX_RETENTION_DAYS).contains(&days) => Ok(Some(days)),
        _ => Err(AppError::AuditRetentionOutOfRange {
            max: MAX_RETENTION_DAYS,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_read_back() {
        let keys: std::collections::BTreeSet<_> = Action::ALL.iter().map(|a| a.key()).collect();
        assert_eq!(keys.len(), Action::ALL.len());
        for action in Action::ALL {
            assert_eq!(Action::from_key(action.key()), Some(action));
            assert!(action.key().contains('.'), "{}", action.key());
        }
    }

    #[test]
    fn the_action_filter_reads_categories_and_actions() {
        assert_eq!(ActionChoice::parse(""), Ok(ActionChoice::Any));
        assert_eq!(
            ActionChoice::parse("members"),
            Ok(ActionChoice::Category(Category::Members))
        );
        assert_eq!(
            ActionChoice::parse("member.role_changed"),
            Ok(ActionChoice::One(Action::MemberRoleChanged))
        );
        assert_eq!(
            ActionChoice::parse("member.exploded"),
            Err(AppError::UnknownAuditAction)
        );
        for category in Category::ALL {
            assert!(category.actions().next().is_some(), "{category:?} is empty");
        }
    }

    #[test]
    fn sentences_read_like_what_happened() {
        assert_eq!(
            Action::MemberRoleChanged.sentence("Ada Lovelace", "Bob Kahn", "end-user -> builder"),
            "Ada Lovelace changed Bob Kahn's role from End-user to Builder"
        );
        assert_eq!(
            Action::MemberRoleChanged.sentence(
                "Ada Lovelace",
                "Bob Kahn",
                "admin -> end-user (as super admin)"
            ),
            "Ada Lovelace changed Bob Kahn's role from Admin to End-user (as super admin)"
        );
        assert_eq!(
            Action::MemberInvited.sentence("Ada Lovelace", "Bob Kahn", "builder"),
            "Ada Lovelace invited Bob Kahn as Builder"
        );
        assert_eq!(
            Action::GroupCreated.sentence("Ada Lovelace", "", "Finance"),
            "Ada Lovelace created a group: Finance"
        );
        assert_eq!(
            Action::MemberArchived.sentence("Ada Lovelace", "Bob Kahn", ""),
            "Ada Lovelace archived Bob Kahn"
        );
    }

    #[test]
    fn retention_is_a_number_of_days_or_forever() {
        assert_eq!(parse_retention(""), Ok(None));
        assert_eq!(parse_retention(" 90 "), Ok(Some(90)));
        for refused in ["0", "-1", "36501", "ninety", "1.5"] {
            assert_eq!(
                parse_retention(refused),
                Err(AppError::AuditRetentionOutOfRange { max: 36_500 }),
                "{refused}"
            );
        }
    }
}
