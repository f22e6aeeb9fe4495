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

    /// `""` or `"all"` for everyone, else a status key.
    pub fn parse(input: &str) -> Result<AccountFilter, AppError> {
        match input.trim() {
            "" | "all" => Ok(AccountFilter::All),
            key => AccountStatus::from_key(key)
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
    let filter = AccountFilter::parse(status.as_deref().unwrap_or_default())?;
    let position = match (after, before) {
        (Some(after), _) if !after.is_empty() => PagePosition::After(after),
        (_, Some(before)) if !before.is_empty() => PagePosition::Before(before),
        _ => PagePosition::First,
    };
    operations::users(&state, &caller, search.as_deref(), filter, position).await
}

#[server(endpoint = "instance/user-details")]
pub async fn instance_user_details(user_id: i64) -> Result<AccountDetails, AppError> {
    crate::access::super_admin()?;
    let state = crate::state::app_state()?;
    let mut conn = state.db.acquire().await?;
    store::account(&mut conn, user_id)
        .await?
        .map(|account| account.details())
        .ok_or(AppError::UserNotFound)
}

/// Every workspace a user has a membership in, with their role and status there.
#[server(endpoint = "instance/user-workspaces")]
pub async fn instance_user_workspaces(user_id: i64) -> Result<Vec<UserWorkspace>, AppError> {
    crate::access::super_admin()?;
    let state = crate::state::app_state()?;
    let mut conn = state.db.acquire().await?;
    store::account(&mut conn, user_id)
        .await?
        .ok_or(AppError::UserNotFound)?;
    store::user_workspaces(&mut conn, user_id).await
}

/// Changes a user's full name and whether they are a super admin.
#[server(endpoint = "instance/update-user")]
pub async fn update_instance_user(
    user_id: i64,
    full_name: String,
    super_admin: bool,
) -> Result<(), AppError> {
    let actor = crate::access::super_admin()?;
    let full_name = crate::users::normalise_full_name(&full_name)?;
    let state = crate::state::app_state()?;
    let mut tx = store::begin_instance_change(&state.db, actor.id).await?;
    let account = store::account(&mut tx, user_id)
        .await?
        .ok_or(AppError::UserNotFound)?;
    let super_admins = store::count_super_admins(&mut tx).await?;
    check_super_admin_change(account.is_super_admin, super_admin, super_admins)?;
    store::update_account(&mut tx, actor.id, &account, &full_name, super_admin).await?;
    tx.commit().await?;
    tracing::info!(
        actor = actor.id,
        user_id,
        super_admin,
        "user details changed"
    );
    Ok(())
}

/// Gives a user a new password: the one given, or a generated one returned once. Every
/// session of theirs ends, except the caller's own when they reset their own password.
#[server(endpoint = "instance/reset-password")]
pub async fn reset_password(
    user_id: i64,
    password: Option<String>,
) -> Result<PasswordReset, AppError> {
    let actor = crate::access::super_admin()?;
    let (password, generated) = match password.filter(|password| !password.is_empty()) {
        Some(password) => {
            crate::users::check_new_password(&password)?;
            (password, false)
        }
        None => (store::generate_password()?, true),
    };
    let state = crate::state::app_state()?;
    let hash = crate::auth::passwords::hash(password.clone()).await?;
    let parts = crate::request::parts()?;
    let own_session = (actor.id == user_id)
        .then(|| crate::auth::session::token_from_headers(&parts.headers, &state.config))
        .flatten();
    let mut tx = store::begin_instance_change(&state.db, actor.id).await?;
    store::account(&mut tx, user_id)
        .await?
        .ok_or(AppError::UserNotFound)?;
    store::set_password(&mut tx, actor.id, user_id, &hash, own_session.as_ref()).await?;
    tx.commit().await?;
    tracing::info!(actor = actor.id, user_id, generated, "password reset");
    Ok(PasswordReset {
        generated: generated.then_some(password),
    })
}

/// Archives a user from the whole instance: every membership, every session, sign-in.
#[server(endpoint = "instance/archive-user")]
pub async fn archive_instance_user(user_id: i64) -> Result<(), AppError> {
    let actor = crate::access::super_admin()?;
    let state = crate::state::app_state()?;
    let mut tx = store::begin_instance_change(&state.db, actor.id).await?;
    let account = store::account(&mut tx, user_id)
        .await?
        .ok_or(AppError::UserNotFound)?;
    check_archive(actor.id, user_id, account.status)?;
    let only_admin_of = store::workspaces_only_administered_by(&mut tx, user_id).await?;
    if !only_admin_of.is_empty() {
        return Err(AppError::OnlyActiveAdminOf {
            workspaces: only_admin_of,
        });
    }
    store::archive_everywhere(&mut tx, actor.id, user_id).await?;
    tx.commit().await?;
    tracing::info!(actor = actor.id, user_id, "user archived from the instance");
    Ok(())
}

/// Ends every session of a user: they are signed out in every browser, and sign in again
/// to go on.
#[server(endpoint = "instance/sign-out-everywhere")]
pub async fn sign_out_instance_user_everywhere(user_id: i64) -> Result<(), AppError> {
    let actor = crate::access::super_admin()?;
    let state = crate::state::app_state()?;
    let mut tx = store::begin_instance_change(&state.db, actor.id).await?;
    store::account(&mut tx, user_id)
        .await?
        .ok_or(AppError::UserNotFound)?;
    store::end_sessions(&mut tx, actor.id, user_id).await?;
    tx.commit().await?;
    tracing::info!(actor = actor.id, user_id, "user signed out everywhere");
    Ok(())
}

/// Lets an archived user sign in again. Their memberships stay archived until each
/// workspace invites them again.
#[server(endpoint = "instance/unarchive-user")]
pub async fn unarchive_instance_user(user_id: i64) -> Result<(), AppError> {
    let actor = crate::access::super_admin()?;
    let state = crate::state::app_state()?;
    let mut tx = store::begin_instance_change(&state.db, actor.id).await?;
    let account = store::account(&mut tx, user_id)
        .await?
        .ok_or(AppError::UserNotFound)?;
    let restored = status_after_unarchive(account.status, account.has_password)?;
    store::unarchive(&mut tx, actor.id, user_id, restored).await?;
    tx.commit().await?;
    tracing::info!(actor = actor.id, user_id, "user unarchived in the instance");
    Ok(())
}

#[server(endpoint = "instance/workspaces")]
pub async fn all_workspaces() -> Result<Vec<WorkspaceListing>, AppError> {
    crate::access::super_admin()?;
    let state = crate::state::app_state()?;
    crate::workspaces::store::all_with_member_counts(&state.db).await
}

#[server(endpoint = "instance/rename-workspace")]
pub async fn rename_workspace(slug: String, name: String) -> Result<(), AppError> {
    let actor = crate::access::super_admin()?;
    let name = crate::workspaces::normalise_workspace_name(&name)?;
    let state = crate::state::app_state()?;
    let mut tx = store::begin_instance_change(&state.db, actor.id).await?;
    let workspace = store::workspace(&mut tx, &slug)
        .await?
        .ok_or(AppError::WorkspaceNotFound)?;
    store::rename_workspace(&mut tx, actor.id, workspace.id, &name).await?;
    tx.commit().await?;
    Ok(())
}

/// Archives a workspace, or brings it back with `archived: false`. While archived nobody
/// enters it and its invitation links don't work.
#[server(endpoint = "instance/archive-workspace")]
pub async fn set_workspace_archived(slug: String, archived: bool) -> Result<(), AppError> {
    let actor = crate::access::super_admin()?;
    let state = crate::state::app_state()?;
    let mut tx = store::begin_instance_change(&state.db, actor.id).await?;
    let workspace = store::workspace(&mut tx, &slug)
        .await?
        .ok_or(AppError::WorkspaceNotFound)?;
    check_workspace_archive(workspace.archived, archived)?;
    store::set_workspace_archived(&mut tx, actor.id, workspace.id, archived).await?;
    tx.commit().await?;
    tracing::info!(actor = actor.id, workspace = %slug, archived, "workspace status changed");
    Ok(())
}

/// Creates a workspace with the caller as its Admin, at the URL given or one made from
/// its name.
#[server(endpoint = "workspaces/create")]
pub async fn create_workspace(
    name: String,
    slug: Option<String>,
) -> Result<WorkspaceSummary, AppError> {
    let user = crate::access::super_admin()?;
    let name = crate::workspaces::normalise_workspace_name(&name)?;
    let slug = match slug.as_deref().map(str::trim) {
        Some(slug) if !slug.is_empty() => Some(check_workspace_url(slug)?),
        _ => None,
    };
    let state = crate::state::app_state()?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    let workspace =
        crate::workspaces::store::create_with_admin_at(&mut tx, &name, slug.as_deref(), user.id)
            .await?;
    store::record_workspace_created(&mut tx, user.id, workspace.id, &workspace.slug).await?;
    tx.commit().await?;
    tracing::info!(user_id = user.id, workspace = %workspace.slug, "workspace created");
    Ok(WorkspaceSummary {
        slug: workspace.slug,
        name: workspace.name,
        role: Role::Admin,
    })
}
