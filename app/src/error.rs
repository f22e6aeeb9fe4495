//! The one error type that crosses the wire.
//!
//! Every failure a person or an API client can meet is a variant here, with exactly one
//! user-facing message (its `Display`) and one HTTP status. Internal details (database
//! errors, I/O) are logged on the server and reach the client only as [`AppError::Internal`].

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AppError {
    // Authentication
    #[error("Please sign in to continue.")]
    NotSignedIn,
    #[error("The email address or password is incorrect.")]
    InvalidCredentials,
    #[error("Too many failed sign-in attempts. Wait {minutes} minutes and try again.")]
    TooManySignInAttempts { minutes: u64 },
    #[error("This account has been archived. Contact a super admin to restore access.")]
    AccountArchived,

    // Authorisation
    #[error("This workspace doesn't exist, or you are not an active member of it.")]
    WorkspaceUnavailable,
    #[error("Only workspace admins can do that.")]
    AdminRequired,
    #[error("Only builders and admins can do that.")]
    BuilderRequired,
    #[error("Only super admins can do that.")]
    SuperAdminRequired,
    #[error("The access token is missing, unknown, expired or revoked.")]
    AccessTokenInvalid,
    #[error("Access tokens are made and revoked in Profile, signed in, not with a token.")]
    SessionRequired,
    #[error("This access token doesn't have the {scope} scope.")]
    ScopeMissing { scope: String },
    #[error("Too many requests with this access token. Wait a minute and try again.")]
    TooManyRequests,
    #[error("This member changed since you read them. Read them again and repeat the change.")]
    ChangedMeanwhile,

    // First run
    #[error("Gatehouse is already set up. Sign in instead.")]
    AlreadySetUp,

    // Input
    #[error("{}", csv_rejected(problems.len(), *total))]
    CsvRejected {
        /// The first problems, at most [`crate::users::bulk_invite::MAX_LISTED_PROBLEMS`].
        problems: Vec<crate::users::bulk_invite::CsvProblem>,
        /// How many problems the file has in all.
        total: usize,
    },
    #[error("Enter a valid email address.")]
    InvalidEmail,
    #[error("A page holds 1 to {max} entries.")]
    PageLimitOutOfRange { max: i64 },
    #[error("That page cursor isn't one this API gave out. Start from the first page.")]
    CursorUnreadable,
    #[error("Enter a name for the token.")]
    TokenNameRequired,
    #[error("A token name can be at most {max} characters long.")]
    TokenNameTooLong { max: usize },
    #[error("Choose at least one scope.")]
    NoScopeChosen,
    #[error("Unknown scope. The scopes are: {known}.")]
    UnknownScope { known: String },
    #[error("A token can be valid for 1 to {max} days, or without expiry.")]
    TokenValidityOutOfRange { max: u32 },
    #[error("Enter a full name.")]
    FullNameRequired,
    #[error("A full name can be at most {max} characters long.")]
    FullNameTooLong { max: usize },
    #[error("A name can't contain a web address, an email address or a domain name.")]
    NameNotPlain,
    #[error("A name can't contain control characters.")]
    NameHasControlCharacters,
    #[error("A password must be at least {min} characters long.")]
    PasswordTooShort { min: usize },
    #[error("A password can be at most {max} characters long.")]
    PasswordTooLong { max: usize },
    #[error("Enter a workspace name.")]
    WorkspaceNameRequired,
    #[error("A workspace name can be at most {max} characters long.")]
    WorkspaceNameTooLong { max: usize },
    #[error("No workspace URL is free for that name. Choose a different name.")]
    NoFreeWorkspaceUrl,
    #[error("The request was malformed. Reload the page and try again.")]
    BadRequest,
    #[error("Choose a role: Admin, Builder or End-user.")]
    UnknownRole,
    #[error("Choose a status to filter by: Invited, Active or Archived.")]
    UnknownStatus,
    #[error("The current password is incorrect.")]
    WrongCurrentPassword,

    // Metadata
    #[error("Enter a key for every metadata row.")]
    MetadataKeyRequired,
    #[error("A metadata key can be at most {max} characters long.")]
    MetadataKeyTooLong { max: usize },
    #[error("Enter a value for the new metadata key \"{key}\".")]
    MetadataValueRequired { key: String },
    #[error("The value of \"{key}\" is longer than {max} characters.")]
    MetadataValueTooLong { key: String, max: usize },
    #[error("The metadata key \"{key}\" appears twice. Each key can be used once.")]
    DuplicateMetadataKey { key: String },
    #[error("Metadata can hold at most {max} characters in all.")]
    MetadataTooLarge { max: usize },

    // Members
    #[error("That user isn't a member of this workspace.")]
    MemberNotFound,
    #[error("This email address already belongs to a member of this workspace.")]
    AlreadyMember,
    #[error("A workspace needs at least one active admin. Make another member an admin first.")]
    LastActiveAdmin,
    #[error("This member is already archived.")]
    AlreadyArchived,
    #[error("Only archived members can be unarchived.")]
    NotArchived,
    #[error("Only invited members have an invitation to send or copy.")]
    NotInvited,
    #[error("You can't make yourself an End-user. Ask another admin to change your role.")]
    CannotMakeYourselfEndUser,
    #[error("You can't remove yourself from the workspace. Ask another admin to do it.")]
    CannotRemoveYourself,
    #[error("Too many invitations in a short time. Wait {minutes} minutes and try again.")]
    TooManyInvitations { minutes: u64 },

    // Groups and permissions
    #[error("That group doesn't exist in this workspace.")]
    GroupNotFound,
    #[error("Enter a group name.")]
    GroupNameRequired,
    #[error("A group name can be at most {max} characters long.")]
    GroupNameTooLong { max: usize },
    #[error("\"{name}\" is the name of a role. Choose another name for the group.")]
    GroupNameReserved { name: String },
    #[error("A group with this name already exists in this workspace.")]
    GroupNameTaken,
    #[error("The Admin, Builder and End-user groups can't be renamed.")]
    RoleGroupNotRenamable,
    #[error("The Admin, Builder and End-user groups can't be deleted.")]
    RoleGroupNotDeletable,
    #[error(
        "Members join the Admin, Builder and End-user groups through their role. Change the user's role instead."
    )]
    RoleGroupMembersByRole,
    #[error("Admin has all permissions. This is not editable.")]
    AdminGroupLocked,
    #[error("End-users can only be given View access to apps, folders and workspace constants.")]
    EndUserGroupViewOnly,
    #[error(
        "End-users can only view apps, folders and workspace constants. To go ahead, these users become Builders: {}.",
        users.join(", ")
    )]
    RoleChangeNeeded { users: Vec<String> },
    #[error("Archived and removed members can't be added to groups.")]
    MemberCannotJoinGroup,
    #[error("Enter a name for the permission.")]
    RuleNameRequired,
    #[error("A permission name can be at most {max} characters long.")]
    RuleNameTooLong { max: usize },
    #[error("A permission with this name already exists in this group.")]
    RuleNameTaken,
    #[error("That permission doesn't exist in this workspace.")]
    RuleNotFound,
    #[error(
        "Apps, folders and workspace constants take Edit or View; data sources take Configure or Build with."
    )]
    AccessNotForKind,
    #[error("Only View access to apps can hide them from the dashboard.")]
    HideNeedsView,
    #[error(
        "The Admin, Builder and End-user groups only take permissions on all resources of a kind."
    )]
    RoleGroupsTakeAll,
    #[error("Choose at least one resource, or choose All.")]
    ChooseResources,
    #[error("A permission can choose at most {max} resources. Choose All instead.")]
    TooManyChosenResources { max: usize },
    #[error("Choose a permission: one of the flags on the Permissions tab.")]
    UnknownFlag,
    #[error("Choose a kind of resource: app, folder, workspace constant or data source.")]
    UnknownResourceKind,
    #[error("Choose an access level the kind of resource takes.")]
    UnknownAccess,

    // Resources
    #[error("That resource doesn't exist in this workspace, or you can't see it.")]
    ResourceNotFound,
    #[error("You don't have permission to do that.")]
    PermissionDenied,
    #[error("Enter a name.")]
    ResourceNameRequired,
    #[error("A name can be at most {max} characters long.")]
    ResourceNameTooLong { max: usize },
    #[error("Another {noun} in this workspace already has this name.")]
    ResourceNameTaken { noun: String },
    #[error(
        "A constant name can only hold letters, digits and underscores, and must start with a letter."
    )]
    ConstantNameInvalid,
    #[error("The {field} can be at most {max} characters long.")]
    ResourceTextTooLong { field: String, max: usize },
    #[error("Choose a kind of data source from the list.")]
    UnknownDataSourceKind,
    #[error(
        "The draft is the same as version {number}, which viewers see already. Change the draft before releasing it."
    )]
    NothingToRelease { number: i64 },
    #[error("That version of the app doesn't exist.")]
    AppVersionNotFound,

    // Instance
    #[error("That user doesn't exist in this instance.")]
    UserNotFound,
    #[error("That workspace doesn't exist in this instance.")]
    WorkspaceNotFound,
    #[error("That access token doesn't exist.")]
    AccessTokenNotFound,

    // Provisioning
    #[error("That SCIM token doesn't exist.")]
    ScimTokenNotFound,
    #[error("The SCIM token is missing, unknown or revoked.")]
    ScimTokenInvalid,
    #[error(
        "The admin who created this SCIM token is no longer an admin of the workspace. An admin creates a new one on the Provisioning page."
    )]
    ScimTokenCreatorGone,
    #[error("Gatehouse can't copy the SCIM attribute {attribute} into metadata.")]
    UnknownScimAttribute { attribute: String },
    #[error("Each SCIM attribute and each metadata key can be mapped once; {key} is mapped twice.")]
    AttributeMappedTwice { key: String },
    #[error("Choose whether to refuse such changes or to make those members Builders.")]
    UnknownBuilderLevelPolicy,
    #[error(
        "This member was invited by hand, so the identity provider can't change them. An admin can hand them over on the Users page."
    )]
    NotProvisioned,
    // Single sign-on
    #[error("That identity provider doesn't exist.")]
    SsoProviderNotFound,
    #[error("Give the identity provider a display name of at most {max} characters.")]
    SsoDisplayNameInvalid { max: usize },
    #[error(
        "The issuer URL must be an https URL without a query or fragment (plain http only for localhost)."
    )]
    SsoIssuerInvalid,
    #[error("Enter the client ID the identity provider gave Gatehouse.")]
    SsoClientIdRequired,
    #[error("Enter the client secret the identity provider gave Gatehouse.")]
    SsoClientSecretRequired,
    #[error("Scopes are words separated by spaces, and must include openid.")]
    SsoScopesInvalid,
    #[error("The {field} must be a claim name, or names separated by dots for a nested claim.")]
    SsoClaimInvalid { field: String },
    #[error("\"{domain}\" isn't an email domain such as example.com.")]
    SsoDomainInvalid { domain: String },
    #[error("Choose where the groups are read: the ID token, the access token or userinfo.")]
    UnknownGroupsSource,
    #[error("Choose a group sync mode: off, full, additive or first sign-in only.")]
    UnknownSyncMode,
    #[error("Each group mapping needs the identity provider's group name and a Gatehouse group.")]
    SsoMappingInvalid,
    #[error("A group mapping names a group that isn't in this workspace. Reload the page.")]
    SsoMappingGroupUnknown,
    #[error("A workspace keeps at most {max} group mappings.")]
    TooManySsoMappings { max: usize },
    #[error("Choose at least one identity provider before requiring single sign-on.")]
    SsoRequiresProvider,
    #[error("Your workspace requires single sign-on. Sign in with your identity provider.")]
    SsoRequired,
    #[error("{refusal}")]
    SsoRefused {
        refusal: crate::single_sign_on::SsoRefusal,
    },
    #[error("The instance needs at least one super admin. Make another user a super admin first.")]
    LastSuperAdmin,
    #[error(
        "This user is the only active admin of {}. Make another member an admin there first.",
        workspaces.join(", ")
    )]
    OnlyActiveAdminOf { workspaces: Vec<String> },
    #[error("You can't archive yourself. Ask another super admin to do it.")]
    CannotArchiveYourself,
    #[error("This user is already archived from the instance.")]
    AlreadyArchivedInInstance,
    #[error("Only users archived from the instance can be unarchived.")]
    NotArchivedInInstance,
    #[error(
        "A workspace URL can hold lower-case letters, digits and single hyphens, at most {max} characters."
    )]
    WorkspaceUrlInvalid { max: usize },
    #[error("The workspace URL \"{slug}\" is taken. Choose another.")]
    WorkspaceUrlTaken { slug: String },
    #[error("This workspace is already archived.")]
    WorkspaceAlreadyArchived,
    #[error("Only archived workspaces can be unarchived.")]
    WorkspaceNotArchived,

    // Invitations
    #[error(
        "This invitation link isn't valid. Check that you copied all of it, or ask your admin for a new one."
    )]
    InvitationUnknown,
    #[error("This invitation has already been used. Sign in to continue.")]
    InvitationUsed,
    #[error("This invitation has expired. Ask your workspace admin to send a new one.")]
    InvitationExpired,
    #[error("This invitation was replaced by a newer one. Use the link in the latest email.")]
    InvitationReplaced,
    #[error("This invitation is for {email}. Sign out, then open the link again.")]
    InvitationForSomeoneElse { email: String },
    #[error("You already have an account. Sign in to accept the invitation.")]
    SignInToAccept,

    // Audit log
    #[error("{field} must be a date like 2026-11-30.")]
    AuditDateInvalid { field: String },
    #[error("The From date is after the To date.")]
    AuditDatesReversed,
    #[error("Choose an action from the list.")]
    UnknownAuditAction,
    #[error("Keep audit events for 1 to {max} days, or forever.")]
    AuditRetentionOutOfRange { max: i64 },

    // Infrastructure
    #[error(
        "Something went wrong on our side. Try again, and tell your admin if it keeps happening."
    )]
    Internal,
    #[error("Gatehouse could not be reached. Check your connection and try again.")]
    Unreachable,
    #[error("Gatehouse can't reach its database right now. Try again in a few seconds.")]
    DatabaseUnavailable,
    /// Other changes to the same data kept winning the race. The server runs a request
    /// that meets this again ([`BUSY_HEADER`]), so people only see it when that failed too.
    #[error("Other changes to the same data kept getting in the way. Try again.")]
    Busy,
}

/// Marks a response whose request lost a race in the database and changed nothing, so
/// that the server runs it again. The server removes it before answering.
pub const BUSY_HEADER: &str = "x-gatehouse-busy";

impl AppError {
    /// Whether this error refuses someone something they aren't allowed: the refusals
    /// the audit trail records.
    pub fn is_refused_authorisation(&self) -> bool {
        matches!(
            self,
            Self::AdminRequired
                | Self::BuilderRequired
                | Self::SuperAdminRequired
                | Self::ScopeMissing { .. }
                | Self::PermissionDenied
                | Self::WorkspaceUnavailable
                | Self::InvitationForSomeoneElse { .. }
        )
    }

    /// The HTTP status an API client receives with this error.
    pub fn status_code(&self) -> u16 {
        match self {
            Self::NotSignedIn
            | Self::SsoRefused { .. }
            | Self::InvalidCredentials
            | Self::AccessTokenInvalid
            | Self::ScimTokenInvalid
            | Self::ScimTokenCreatorGone => 401,
            Self::TooManyRequests => 429,
            Self::ChangedMeanwhile => 412,
            Self::AccountArchived
            | Self::SsoRequired
            | Self::ScopeMissing { .. }
            | Self::SessionRequired
            | Self::AdminRequired
            | Self::BuilderRequired
            | Self::SuperAdminRequired => 403,
            Self::WorkspaceUnavailable
            | Self::MemberNotFound
            | Self::InvitationUnknown
            | Self::GroupNotFound
            | Self::RuleNotFound
            | Self::ResourceNotFound
            | Self::AppVersionNotFound
            | Self::UserNotFound
            | Self::AccessTokenNotFound
            | Self::ScimTokenNotFound
            | Self::SsoProviderNotFound
            | Self::WorkspaceNotFound => 404,
            Self::PermissionDenied => 403,
            Self::AlreadySetUp
            | Self::NoFreeWorkspaceUrl
            | Self::AlreadyMember
            | Self::LastActiveAdmin
            | Self::AlreadyArchived
            | Self::NotArchived
            | Self::NotInvited
            | Self::CannotMakeYourselfEndUser
            | Self::CannotRemoveYourself
            | Self::SignInToAccept
            | Self::GroupNameTaken
            | Self::RoleGroupNotRenamable
            | Self::RoleGroupNotDeletable
            | Self::RoleGroupMembersByRole
            | Self::AdminGroupLocked
            | Self::RoleChangeNeeded { .. }
            | Self::MemberCannotJoinGroup
            | Self::RuleNameTaken
            | Self::ResourceNameTaken { .. }
            | Self::NothingToRelease { .. }
            | Self::LastSuperAdmin
            | Self::OnlyActiveAdminOf { .. }
            | Self::CannotArchiveYourself
            | Self::AlreadyArchivedInInstance
            | Self::NotArchivedInInstance
            | Self::WorkspaceUrlTaken { .. }
            | Self::WorkspaceAlreadyArchived
            | Self::WorkspaceNotArchived
            | Self::NotProvisioned => 409,
            Self::InvitationUsed | Self::InvitationExpired | Self::InvitationReplaced => 410,
            Self::InvitationForSomeoneElse { .. } => 403,
            Self::InvalidEmail
            | Self::AuditDateInvalid { .. }
            | Self::AuditDatesReversed
            | Self::UnknownAuditAction
            | Self::AuditRetentionOutOfRange { .. }
            | Self::TokenNameRequired
            | Self::PageLimitOutOfRange { .. }
            | Self::CursorUnreadable
            | Self::TokenNameTooLong { .. }
            | Self::NoScopeChosen
            | Self::UnknownScope { .. }
            | Self::TokenValidityOutOfRange { .. }
            | Self::FullNameRequired
            | Self::FullNameTooLong { .. }
            | Self::NameNotPlain
            | Self::NameHasControlCharacters
            | Self::PasswordTooShort { .. }
            | Self::PasswordTooLong { .. }
            | Self::WorkspaceNameRequired
            | Self::WorkspaceNameTooLong { .. }
            | Self::UnknownRole
            | Self::UnknownStatus
            | Self::WrongCurrentPassword
            | Self::MetadataKeyRequired
            | Self::MetadataKeyTooLong { .. }
            | Self::MetadataValueRequired { .. }
            | Self::MetadataValueTooLong { .. }
            | Self::DuplicateMetadataKey { .. }
            | Self::MetadataTooLarge { .. }
            | Self::GroupNameRequired
            | Self::GroupNameTooLong { .. }
            | Self::GroupNameReserved { .. }
            | Self::EndUserGroupViewOnly
            | Self::RuleNameRequired
            | Self::RuleNameTooLong { .. }
            | Self::AccessNotForKind
            | Self::HideNeedsView
            | Self::RoleGroupsTakeAll
            | Self::ChooseResources
            | Self::TooManyChosenResources { .. }
            | Self::UnknownFlag
            | Self::UnknownResourceKind
            | Self::UnknownAccess
            | Self::ResourceNameRequired
            | Self::ResourceNameTooLong { .. }
            | Self::ConstantNameInvalid
            | Self::ResourceTextTooLong { .. }
            | Self::UnknownDataSourceKind
            | Self::WorkspaceUrlInvalid { .. }
            | Self::UnknownScimAttribute { .. }
            | Self::AttributeMappedTwice { .. }
            | Self::UnknownBuilderLevelPolicy
            | Self::SsoDisplayNameInvalid { .. }
            | Self::SsoIssuerInvalid
            | Self::SsoClientIdRequired
            | Self::SsoClientSecretRequired
            | Self::SsoScopesInvalid
            | Self::SsoClaimInvalid { .. }
            | Self::SsoDomainInvalid { .. }
            | Self::UnknownGroupsSource
            | Self::UnknownSyncMode
            | Self::SsoMappingInvalid
            | Self::SsoMappingGroupUnknown
            | Self::TooManySsoMappings { .. }
            | Self::SsoRequiresProvider
            | Self::CsvRejected { .. } => 422,
            Self::BadRequest => 400,
            Self::TooManySignInAttempts { .. } | Self::TooManyInvitations { .. } => 429,
            Self::Internal => 500,
            Self::Unreachable | Self::DatabaseUnavailable | Self::Busy => 503,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::Deserialization(_) => Self::BadRequest,
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => Self::Unreachable,
            _ => Self::Internal,
        }
    }

    fn ser(&self) -> server_fn::Bytes {
        // `ser` runs inside the server function's request, so this is the one place where
        // every error gets its status code instead of server_fn's blanket 500. A form
        // posted without JavaScript keeps its redirect back to the form.
        #[cfg(feature = "ssr")]
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            if *self == Self::Busy {
                response.insert_header(
                    http::HeaderName::from_static(BUSY_HEADER),
                    http::HeaderValue::from_static("1"),
                );
            }
            if !crate::request::wants_a_page()
                && let Ok(status) = http::StatusCode::from_u16(self.status_code())
            {
                response.set_status(status);
            }
        }
        let body = WireError {
            code: self.clone(),
            message: self.to_string(),
        };
        serde_json::to_vec(&body)
            .map(server_fn::Bytes::from)
            .unwrap_or_else(|_| server_fn::Bytes::from_static(br#"{"code":"Internal"}"#))
    }

    fn de(data: server_fn::Bytes) -> Self {
        serde_json::from_slice::<WireError>(&data)
            .map(|body| body.code)
            .unwrap_or(AppError::Unreachable)
    }
}

fn csv_rejected(listed: usize, total: usize) -> String {
    let summary = match total {
        1 => "The file has a problem, so nobody was invited. Fix it and upload the file again."
            .to_string(),
        count => format!(
            "The file has {count} problems, so nobody was invited. Fix them and upload the file again."
        ),
    };
    if listed < total {
        format!("{summary} The first {listed} are listed.")
    } else {
        summary
    }
}

/// An error as API clients receive it: a stable code to branch on and the message to show.
#[derive(Serialize, Deserialize)]
struct WireError {
    code: AppError,
    #[serde(default)]
    message: String,
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    #[track_caller]
    fn from(error: sqlx::Error) -> Self {
        use crate::db::Failure;
        let location = std::panic::Location::caller();
        match Failure::of(&error) {
            Failure::LostRace => {
                tracing::warn!(%error, %location, "a transaction lost a race; the request runs again");
                Self::Busy
            }
            Failure::Unavailable => {
                tracing::warn!(%error, %location, "the database can't be reached");
                Self::DatabaseUnavailable
            }
            Failure::Fault => {
                tracing::error!(%error, %location, "database error");
                Self::Internal
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_round_trip_through_the_wire_encoding() {
        let errors = [
            AppError::NotSignedIn,
            AppError::TooManySignInAttempts { minutes: 15 },
            AppError::PasswordTooShort { min: 8 },
            AppError::WorkspaceUnavailable,
            AppError::Internal,
        ];
        for error in errors {
            assert_eq!(AppError::de(error.ser()), error);
        }
    }

    #[test]
    fn api_clients_get_a_code_and_the_message() {
        let body: serde_json::Value =
            serde_json::from_slice(&AppError::PasswordTooShort { min: 8 }.ser()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({
                "code": { "PasswordTooShort": { "min": 8 } },
                "message": "A password must be at least 8 characters long.",
            })
        );
    }

    #[test]
    fn an_unreadable_error_body_is_reported_as_unreachable() {
        assert_eq!(
            AppError::de(server_fn::Bytes::from_static(b"<html>proxy error</html>")),
            AppError::Unreachable
        );
    }

    #[test]
    fn messages_name_the_limits() {
        assert_eq!(
            AppError::PasswordTooShort { min: 8 }.to_string(),
            "A password must be at least 8 characters long."
        );
        assert_eq!(
            AppError::TooManySignInAttempts { minutes: 15 }.to_string(),
            "Too many failed sign-in attempts. Wait 15 minutes and try again."
        );
    }

    #[test]
    fn transport_failures_map_to_client_facing_errors() {
        assert_eq!(
            AppError::from_server_fn_error(ServerFnErrorErr::Args("x".into())),
            AppError::BadRequest
        );
        assert_eq!(
            AppError::from_server_fn_error(ServerFnErrorErr::Request("x".into())),
            AppError::Unreachable
        );
        assert_eq!(
            AppError::from_server_fn_error(ServerFnErrorErr::ServerError("x".into())),
            AppError::Internal
        );
    }

    #[test]
    fn authorisation_failures_are_forbidden_not_server_errors() {
        for error in [
            AppError::AdminRequired,
            AppError::BuilderRequired,
            AppError::SuperAdminRequired,
        ] {
            assert_eq!(error.status_code(), 403);
        }
        assert_eq!(AppError::NotSignedIn.status_code(), 401);
    }
}
