//! The instance use cases: reading the users and their counts (which the REST API shares
//! with Settings), and the super admins' changes. Every change is a super admin's,
//! through a session: access tokens may read the users and counts, but not change the
//! instance.

use super::*;
use crate::access::{Caller, Scope};
use crate::state::AppState;
use crate::users::store::PagePosition;

pub async fn users(
    state: &AppState,
    caller: &Caller,
    search: Option<&str>,
    filter: AccountFilter,
    position: PagePosition,
) -> Result<InstanceUserPage, AppError> {
    caller.as_super_admin(Scope::InstanceRead)?;
    store::listing(&state.db, search, filter, position).await
}

pub async fn user_details(
    state: &AppState,
    caller: &Caller,
    user_id: i64,
) -> Result<AccountDetails, AppError> {
    caller.as_super_admin(Scope::InstanceRead)?;
    let mut conn = state.db.acquire().await?;
    Ok(store::existing_account(&mut conn, user_id).await?.details())
}

pub async fn user_workspaces(
    state: &AppState,
    caller: &Caller,
    user_id: i64,
) -> Result<Vec<UserWorkspace>, AppError> {
    caller.as_super_admin(Scope::InstanceRead)?;
    let mut conn = state.db.acquire().await?;
    store::existing_account(&mut conn, user_id).await?;
    store::user_workspaces(&mut conn, user_id).await
}

pub async fn update_user(
    state: &AppState,
    caller: &Caller,
    user_id: i64,
    full_name: String,
    super_admin: bool,
) -> Result<(), AppError> {
    let actor = caller.as_super_admin_in_session()?;
    let full_name = crate::users::normalise_full_name(&full_name)?;
    let mut tx = store::begin_instance_change(&state.db, actor.id).await?;
    let account = store::existing_account(&mut tx, user_id).await?;
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

pub async fn reset_password(
    state: &AppState,
    caller: &Caller,
    user_id: i64,
    password: Option<String>,
    current_session: Option<crate::tokens::SecretToken>,
) -> Result<PasswordReset, AppError> {
    let actor = caller.as_super_admin_in_session()?;
    let (password, generated) = match password.filter(|password| !password.is_empty()) {
        Some(password) => {
            crate::users::check_new_password(&password)?;
            (password, false)
        }
        None => (store::generate_password()?, true),
    };
    let hash = crate::auth::passwords::hash(password.clone()).await?;
    // A super admin resetting their own password stays signed in where they are.
    let own_session = current_session.filter(|_| actor.id == user_id);
    let mut tx = store::begin_instance_change(&state.db, actor.id).await?;
    store::existing_account(&mut tx, user_id).await?;
    store::set_password(&mut tx, actor.id, user_id, &hash, own_session.as_ref()).await?;
    tx.commit().await?;
    tracing::info!(actor = actor.id, user_id, generated, "password reset");
    Ok(PasswordReset {
        generated: generated.then_some(password),
    })
}

pub async fn archive_user(state: &AppState, caller: &Caller, user_id: i64) -> Result<(), AppError> {
    let actor = caller.as_super_admin_in_session()?;
    let mut tx = store::begin_instance_change(&state.db, actor.id).await?;
    let account = store::existing_account(&mut tx, user_id).await?;
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

pub async fn sign_out_everywhere(
    state: &AppState,
    caller: &Caller,
    user_id: i64,
) -> Result<(), AppError> {
    let actor = caller.as_super_admin_in_session()?;
    let mut tx = store::begin_instance_change(&state.db, actor.id).await?;
    store::existing_account(&mut tx, user_id).await?;
    store::end_sessions(&mut tx, actor.id, user_id).await?;
    tx.commit().await?;
    tracing::info!(actor = actor.id, user_id, "user signed out everywhere");
    Ok(())
}

pub async fn unarchive_user(
    state: &AppState,
    caller: &Caller,
    user_id: i64,
) -> Result<(), AppError> {
    let actor = caller.as_super_admin_in_session()?;
    let mut tx = store::begin_instance_change(&state.db, actor.id).await?;
    let account = store::existing_account(&mut tx, user_id).await?;
    let restored = status_after_unarchive(account.status, account.has_password)?;
    store::unarchive(&mut tx, actor.id, user_id, restored).await?;
    tx.commit().await?;
    tracing::info!(actor = actor.id, user_id, "user unarchived in the instance");
    Ok(())
}

pub async fn workspaces(
    state: &AppState,
    caller: &Caller,
) -> Result<Vec<WorkspaceListing>, AppError> {
    caller.as_super_admin(Scope::InstanceRead)?;
    crate::workspaces::store::all_with_member_counts(&state.db).await
}

pub async fn rename_workspace(
    state: &AppState,
    caller: &Caller,
    slug: String,
    name: String,
) -> Result<(), AppError> {
    let actor = caller.as_super_admin_in_session()?;
    let name = crate::workspaces::normalise_workspace_name(&name)?;
    let mut tx = store::begin_instance_change(&state.db, actor.id).await?;
    let workspace = store::workspace(&mut tx, &slug)
        .await?
        .ok_or(AppError::WorkspaceNotFound)?;
    store::rename_workspace(&mut tx, actor.id, workspace.id, &name).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn set_workspace_archived(
    state: &AppState,
    caller: &Caller,
    slug: String,
    archived: bool,
) -> Result<(), AppError> {
    let actor = caller.as_super_admin_in_session()?;
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

pub async fn create_workspace(
    state: &AppState,
    caller: &Caller,
    name: String,
    slug: Option<String>,
) -> Result<WorkspaceSummary, AppError> {
    let user = caller.as_super_admin_in_session()?;
    let name = crate::workspaces::normalise_workspace_name(&name)?;
    let slug = match slug.as_deref().map(str::trim) {
        Some(slug) if !slug.is_empty() => Some(check_workspace_url(slug)?),
        _ => None,
    };
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

/// The newest mail of the outbox, for super admins: what went out and what waits.
pub async fn email_outbox(
    state: &AppState,
    caller: &Caller,
) -> Result<Vec<crate::mail::OutboxEntry>, AppError> {
    caller.as_super_admin_in_session()?;
    crate::mail::store::recent(&state.db, &state.keys, 200).await
}
