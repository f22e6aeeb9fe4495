//! Setting up the instance, in one transaction.

use secrecy::ExposeSecret;

use super::FirstAdmin;
use crate::auth::passwords;
use crate::config::BootstrapAdmin;
use crate::db::{Db, begin_write, is_unique_violation, now};
use crate::error::AppError;
use crate::memberships::{MembershipStatus, Role};
use crate::users::store::{NewUser, insert as insert_user};
use crate::workspaces::store::{add_member, insert as insert_workspace};

pub struct SetUp {
    pub user_id: i64,
    pub workspace_slug: String,
}

pub async fn is_set_up(db: &Db) -> Result<bool, AppError> {
    let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM instance")
        .fetch_optional(db)
        .await?;
    Ok(found.is_some())
}

/// Creates the first super admin and workspace. Of two concurrent attempts, on one server
/// or several, exactly one succeeds: the single `instance` row decides.
pub async fn set_up(db: &Db, admin: &FirstAdmin, password: String) -> Result<SetUp, AppError> {
    // Refused before hashing, so that calling set-up again costs the server nothing.
    if is_set_up(db).await? {
        return Err(AppError::AlreadySetUp);
    }
    let password_hash = passwords::hash(password).await?;
    let mut tx = begin_write(db).await?;
    sqlx::query("INSERT INTO instance (id, set_up_at) VALUES (1, $1)")
        .bind(now())
        .execute(&mut *tx)
        .await
        .map_err(|error| {
            if is_unique_violation(&error) {
                AppError::AlreadySetUp
            } else {
                AppError::from(error)
            }
        })?;
    let workspace = insert_workspace(&mut tx, &admin.workspace_name, None).await?;
    let user_id = insert_user(
        &mut tx,
        NewUser {
            email: &admin.email,
            full_name: &admin.full_name,
            password_hash: Some(&password_hash),
            is_super_admin: true,
            default_workspace_id: Some(workspace.id),
        },
    )
    .await?;
    add_member(
        &mut tx,
        workspace.id,
        user_id,
        Role::Admin,
        MembershipStatus::Active,
    )
    .await?;
    crate::instance::store::record_workspace_created(
        &mut tx,
        user_id,
        workspace.id,
        &workspace.slug,
    )
    .await?;
    tx.commit().await?;
    Ok(SetUp {
        user_id,
        workspace_slug: workspace.slug,
    })
}

/// What happened to the configured bootstrap admin at start.
#[derive(Debug, PartialEq, Eq)]
pub enum Bootstrap {
    Created { workspace_slug: String },
    AlreadySetUp,
}

/// Once the instance is set up the configured admin is ignored, valid or not.
pub async fn set_up_from_config(db: &Db, admin: &BootstrapAdmin) -> Result<Bootstrap, AppError> {
    if is_set_up(db).await? {
        return Ok(Bootstrap::AlreadySetUp);
    }
    let password = admin.password.expose_secret().to_string();
    let first_admin = FirstAdmin::parse(
        &admin.full_name,
        &admin.email,
        &password,
        &admin.workspace_name,
    )?;
    match set_up(db, &first_admin, password).await {
        Ok(created) => Ok(Bootstrap::Created {
            workspace_slug: created.workspace_slug,
        }),
        Err(AppError::AlreadySetUp) => Ok(Bootstrap::AlreadySetUp),
        Err(error) => Err(error),
    }
}
