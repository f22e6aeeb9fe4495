//! Instance settings, for super admins only: every user of the instance with the counts
//! a licence is measured by, archiving from the whole instance, super admins, password
//! resets, and every workspace.

mod all_users_page;
mod frame;
#[cfg(feature = "ssr")]
pub mod operations;
mod rules;
#[cfg(feature = "ssr")]
pub mod store;
mod workspaces_page;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::memberships::{MembershipStatus, Role};
use crate::workspaces::WorkspaceSummary;

pub use all_users_page::AllUsersPage;
pub use frame::SettingsFrame;
pub use rules::*;
pub use workspaces_page::WorkspacesPage;

/// Rows per page of All users.
pub const USERS_PAGE_SIZE: i64 = 50;

/// An account's standing in the whole instance, apart from any workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AccountStatus {
    Invited,
    Active,
    Archived,
}

impl AccountStatus {
    pub const ALL: [AccountStatus; 3] = [
        AccountStatus::Invited,
        AccountStatus::Active,
        AccountStatus::Archived,
    ];

    pub fn key(self) -> &'static str {
        match self {
            AccountStatus::Invited => "invited",
            AccountStatus::Active => "active",
            AccountStatus::Archived => "archived",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AccountStatus::Invited => "Invited",
            AccountStatus::Active => "Active",
            AccountStatus::Archived => "Archived",
        }
    }

    pub fn from_key(key: &str) -> Option<AccountStatus> {
        AccountStatus::ALL
            .into_iter()
            .find(|status| status.key() == key)
    }
}

/// Which accounts All users shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountFilter {
    All,
    Only(AccountStatus),
}

impl AccountFilter {
    pub fn key(self) -> &'static str {
        match self {
            AccountFilter::All => "all",
            AccountFilter::Only(status) => status.key(),
        }
    }

    /// No filter or `"all"` for everyone, else a status key; anything else, an empty
    /// field included, is refused.
    pub fn parse(input: Option<&str>) -> Result<AccountFilter, AppError> {
        match input.map(str::trim) {
            None | Some("all") => Ok(AccountFilter::All),
            Some(key) => AccountStatus::from_key(key)
                .map(AccountFilter::Only)
                .ok_or(AppError::UnknownStatus),
        }
    }
}

/// One row of All users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceUser {
    pub user_id: i64,
    pub full_name: String,
    pub email: String,
    pub is_super_admin: bool,
    /// How many workspaces the user has a membership in, whatever its status.
    pub workspaces: i64,
    pub status: AccountStatus,
}

impl InstanceUser {
    /// The Type column: ToolJet's "workspace" and "instance" users.
    pub fn type_label(&self) -> &'static str {
        if self.is_super_admin {
            "Super admin"
        } else {
            "Workspace"
        }
    }
}

/// The counters at the top of All users (see the migration that keeps them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserCounts {
    /// Users with an invited or active membership in an active workspace.
    pub total_users: i64,
    /// Those of them who are Admin or Builder in at least one such membership.
    pub builders: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceUserPage {
    pub users: Vec<InstanceUser>,
    pub counts: UserCounts,
    /// The email to continue after, when there is a next page.
    pub next_after: Option<String>,
    /// The email to go back before, when there is a previous page.
    pub previous_before: Option<String>,
}

/// One of a user's workspaces, as the per-user view lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserWorkspace {
    pub name: String,
    pub slug: String,
    pub role: Role,
    pub status: MembershipStatus,
    pub workspace_archived: bool,
}

/// A user opened for editing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountDetails {
    pub user_id: i64,
    pub full_name: String,
    pub email: String,
    pub is_super_admin: bool,
    pub status: AccountStatus,
}

/// The outcome of a password reset: the generated password, shown once, or nothing when
/// the super admin chose it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordReset {
    pub generated: Option<String>,
}

/// A workspace as the instance's super admins see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceListing {
    pub name: String,
    pub slug: String,
    pub archived: bool,
    pub active_members: i64,
}

/// One page of every user of the instance, by email, with the counters.
#[server(endpoint = "instance/users")]
pub async fn list_instance_users(
    search: Option<String>,
    status: Option<String>,
    after: Option<String>,
    before: Option<String>,
) -> Result<InstanceUserPage, AppError> {
    use crate::users::store::PagePosition;

    let (caller, state) = crate::access::session_caller()?;
    let search = search.as_deref().and_then(crate::users::search_key);
    let filter = AccountFilter::parse(status.as_deref())?;
    let position = match (after, before) {
        (Some(after), _) if !after.is_empty() => PagePosition::After(after),
        (_, Some(before)) if !before.is_empty() => PagePosition::Before(before),
        _ => PagePosition::First,
    };
    operations::users(&state, &caller, search.as_deref(), filter, position).await
}

#[server(endpoint = "instance/user-details")]
pub async fn instance_user_details(user_id: i64) -> Result<AccountDetails, AppError> {
    let (caller, state) = crate::access::session_caller()?;
    operations::user_details(&state, &caller, user_id).await
}

/// Every workspace a user has a membership in, with their role and status there.
#[server(endpoint = "instance/user-workspaces")]
pub async fn instance_user_workspaces(user_id: i64) -> Result<Vec<UserWorkspace>, AppError> {
    let (caller, state) = crate::access::session_caller()?;
    operations::user_workspaces(&state, &caller, user_id).await
}

/// Changes a user's full name and whether they are a super admin.
#[server(endpoint = "instance/update-user")]
pub async fn update_instance_user(
    user_id: i64,
    full_name: String,
    super_admin: bool,
) -> Result<(), AppError> {
    let (caller, state) = crate::access::session_caller()?;
    operations::update_user(&state, &caller, user_id, full_name, super_admin).await
}

/// Gives a user a new password: the one given, or a generated one returned once. Every
/// session of theirs ends, except the caller's own when they reset their own password.
#[server(endpoint = "instance/reset-password")]
pub async fn reset_password(
    user_id: i64,
    password: Option<String>,
) -> Result<PasswordReset, AppError> {
    let (caller, state) = crate::access::session_caller()?;
    let parts = crate::request::parts()?;
    let current_session = crate::auth::session::token_from_headers(&parts.headers, &state.config);
    operations::reset_password(&state, &caller, user_id, password, current_session).await
}

/// Archives a user from the whole instance: every membership, every session, sign-in.
#[server(endpoint = "instance/archive-user")]
pub async fn archive_instance_user(user_id: i64) -> Result<(), AppError> {
    let (caller, state) = crate::access::session_caller()?;
    operations::archive_user(&state, &caller, user_id).await
}

/// Ends every session of a user: they are signed out in every browser, and sign in again
/// to go on.
#[server(endpoint = "instance/sign-out-everywhere")]
pub async fn sign_out_instance_user_everywhere(user_id: i64) -> Result<(), AppError> {
    let (caller, state) = crate::access::session_caller()?;
    operations::sign_out_everywhere(&state, &caller, user_id).await
}

/// Lets an archived user sign in again. Their memberships stay archived until each
/// workspace invites them again.
#[server(endpoint = "instance/unarchive-user")]
pub async fn unarchive_instance_user(user_id: i64) -> Result<(), AppError> {
    let (caller, state) = crate::access::session_caller()?;
    operations::unarchive_user(&state, &caller, user_id).await
}

#[server(endpoint = "instance/workspaces")]
pub async fn all_workspaces() -> Result<Vec<WorkspaceListing>, AppError> {
    let (caller, state) = crate::access::session_caller()?;
    operations::workspaces(&state, &caller).await
}

#[server(endpoint = "instance/rename-workspace")]
pub async fn rename_workspace(slug: String, name: String) -> Result<(), AppError> {
    let (caller, state) = crate::access::session_caller()?;
    operations::rename_workspace(&state, &caller, slug, name).await
}

/// Archives a workspace, or brings it back with `archived: false`. While archived nobody
/// enters it and its invitation links don't work.
#[server(endpoint = "instance/archive-workspace")]
pub async fn set_workspace_archived(slug: String, archived: bool) -> Result<(), AppError> {
    let (caller, state) = crate::access::session_caller()?;
    operations::set_workspace_archived(&state, &caller, slug, archived).await
}

/// Creates a workspace with the caller as its Admin, at the URL given or one made from
/// its name.
#[server(endpoint = "workspaces/create")]
pub async fn create_workspace(
    name: String,
    slug: Option<String>,
) -> Result<WorkspaceSummary, AppError> {
    let (caller, state) = crate::access::session_caller()?;
    operations::create_workspace(&state, &caller, name, slug).await
}
