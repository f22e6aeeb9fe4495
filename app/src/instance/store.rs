//! The instance's users and workspaces in the database.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sqlx::{Any, AnyConnection, Transaction};

use super::{
    AccountDetails, AccountFilter, AccountStatus, InstanceUser, InstanceUserPage, USERS_PAGE_SIZE,
    UserCounts, UserWorkspace,
};
use crate::audit::{self, Action, Event};
use crate::auth::passwords::StoredHash;
use crate::db::{Db, now};
use crate::error::AppError;
use crate::tokens::SecretToken;
use crate::users::store::PagePosition;
use crate::workspaces::store::{decode_role, decode_status};

/// Starts a change to the instance's users or workspaces made by `actor_id`. Such
/// changes take turns, so that two super admins revoking each other at once can't leave
/// the instance without one (on SQLite, [`crate::db::begin_write`] already holds the
/// write lock), and the actor must still be a super admin, even if another revoked that
/// a moment ago.
pub async fn begin_instance_change(
    db: &Db,
    actor_id: i64,
) -> Result<Transaction<'static, Any>, AppError> {
    let mut tx = crate::db::begin_write(db).await?;
    if crate::db::Backend::of(&tx).locks_rows() {
        sqlx::query("SELECT id FROM instance WHERE id = 1 FOR UPDATE")
            .execute(&mut *tx)
            .await?;
    }
    let still_super_admin: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM users WHERE id = $1 AND is_super_admin = 1 AND status <> 'archived'",
    )
    .bind(actor_id)
    .fetch_optional(&mut *tx)
    .await?;
    match still_super_admin {
        Some(_) => Ok(tx),
        None => Err(AppError::SuperAdminRequired),
    }
}

/// An account as the instance's rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub email: String,
    pub full_name: String,
    pub is_super_admin: bool,
    pub status: AccountStatus,
    pub has_password: bool,
}

impl Account {
    pub fn details(self) -> AccountDetails {
        AccountDetails {
            user_id: self.id,
            full_name: self.full_name,
            email: self.email,
            is_super_admin: self.is_super_admin,
            status: self.status,
        }
    }
}

fn decode_account_status(key: &str) -> Result<AccountStatus, AppError> {
    AccountStatus::from_key(key).ok_or_else(|| {
        tracing::error!(status = key, "unknown account status in the database");
        AppError::Internal
    })
}

/// An account the request names, which must exist.
pub async fn existing_account(conn: &mut AnyConnection, user_id: i64) -> Result<Account, AppError> {
    account(conn, user_id).await?.ok_or(AppError::UserNotFound)
}

pub async fn account(conn: &mut AnyConnection, user_id: i64) -> Result<Option<Account>, AppError> {
    let row: Option<(i64, String, String, i64, String, Option<String>)> = sqlx::query_as(
        "SELECT id, email, full_name, is_super_admin, status, password_hash
         FROM users WHERE id = $1",
    )
    .bind(user_id)
    .fetch_optional(conn)
    .await?;
    row.map(
        |(id, email, full_name, is_super_admin, status, password_hash)| {
            Ok(Account {
                id,
                email,
                full_name,
                is_super_admin: is_super_admin == 1,
                status: decode_account_status(&status)?,
                has_password: password_hash.is_some(),
            })
        },
    )
    .transpose()
}

/// Super admins who can still sign in.
pub async fn count_super_admins(conn: &mut AnyConnection) -> Result<i64, AppError> {
    let count = sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE is_super_admin = 1 AND status <> 'archived'",
    )
    .fetch_one(conn)
    .await?;
    Ok(count)
}

/// Writes what Edit user details changed, with an audit event for each change.
pub async fn update_account(
    conn: &mut AnyConnection,
    actor_id: i64,
    account: &Account,
    full_name: &str,
    super_admin: bool,
) -> Result<(), AppError> {
    if full_name != account.full_name {
        crate::users::store::rename(conn, account.id, full_name).await?;
        record(
            conn,
            actor_id,
            account.id,
            Action::UserDetailsChanged,
            "full name",
        )
        .await?;
    }
    if super_admin != account.is_super_admin {
        sqlx::query("UPDATE users SET is_super_admin = $1, updated_at = $2 WHERE id = $3")
            .bind(i64::from(super_admin))
            .bind(now())
            .bind(account.id)
            .execute(&mut *conn)
            .await?;
        let action = if super_admin {
            Action::SuperAdminGranted
        } else {
            Action::SuperAdminRevoked
        };
        record(conn, actor_id, account.id, action, "").await?;
    }
    Ok(())
}

/// A password of 128 random bits, readable enough to pass on.
pub fn generate_password() -> Result<String, AppError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|error| {
        tracing::error!(%error, "the operating system's random number generator failed");
        AppError::Internal
    })?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Sets the new password and ends every session of the user but `keep`. A super admin
/// stands behind it for the whole instance.
pub async fn set_password(
    conn: &mut AnyConnection,
    actor_id: i64,
    user_id: i64,
    hash: &StoredHash,
    keep: Option<&SecretToken>,
) -> Result<(), AppError> {
    use crate::users::store::PasswordTrust;
    crate::users::store::set_password(conn, user_id, hash, PasswordTrust::Instance).await?;
    crate::auth::session::end_all_but(conn, user_id, keep).await?;
    record(conn, actor_id, user_id, Action::PasswordReset, "").await
}

/// Ends every session of the user, as a super admin's "Sign out everywhere".
pub async fn end_sessions(
    conn: &mut AnyConnection,
    actor_id: i64,
    user_id: i64,
) -> Result<(), AppError> {
    crate::auth::session::end_all(conn, user_id).await?;
    record(conn, actor_id, user_id, Action::SessionsEnded, "").await
}

/// The names of the active workspaces whose only active admin is `user_id`, locking
/// each so that no admin leaves them meanwhile.
pub async fn workspaces_only_administered_by(
    conn: &mut AnyConnection,
    user_id: i64,
) -> Result<Vec<String>, AppError> {
    let workspace_ids: Vec<i64> =
        sqlx::query_scalar("SELECT workspace_id FROM memberships WHERE user_id = $1 ORDER BY 1")
            .bind(user_id)
            .fetch_all(&mut *conn)
            .await?;
    for workspace_id in workspace_ids {
        crate::db::lock_workspace(conn, workspace_id).await?;
    }
    let mut names: Vec<String> = sqlx::query_scalar(
        "SELECT w.name
         FROM memberships m JOIN workspaces w ON w.id = m.workspace_id
         WHERE m.user_id = $1 AND m.role = 'admin' AND m.status = 'active'
           AND w.status = 'active'
           AND NOT EXISTS (
               SELECT 1 FROM memberships other JOIN users u ON u.id = other.user_id
               WHERE other.workspace_id = m.workspace_id AND other.user_id <> m.user_id
                 AND other.role = 'admin' AND other.status = 'active'
                 AND u.status <> 'archived')",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    names.sort_by_key(|name| name.to_lowercase());
    Ok(names)
}

/// Archives the user from every workspace and the instance: their invitation links stop
/// working and every session ends.
pub async fn archive_everywhere(
    conn: &mut AnyConnection,
    actor_id: i64,
    user_id: i64,
) -> Result<(), AppError> {
    let now = now();
    sqlx::query(
        "UPDATE invitations SET revoked_at = $1
         WHERE used_at IS NULL AND revoked_at IS NULL
           AND membership_id IN (SELECT id FROM memberships WHERE user_id = $2)",
    )
    .bind(now)
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE memberships SET status = 'archived', updated_at = $1
         WHERE user_id = $2 AND status <> 'archived'",
    )
    .bind(now)
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE users SET status = 'archived', updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    crate::auth::session::end_all(conn, user_id).await?;
    record(
        conn,
        actor_id,
        user_id,
        Action::UserArchivedFromInstance,
        "",
    )
    .await
}

pub async fn unarchive(
    conn: &mut AnyConnection,
    actor_id: i64,
    user_id: i64,
    status: AccountStatus,
) -> Result<(), AppError> {
    sqlx::query("UPDATE users SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(status.key())
        .bind(now())
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    record(
        conn,
        actor_id,
        user_id,
        Action::UserUnarchivedInInstance,
        "",
    )
    .await
}

/// Every workspace the user has a membership in. Sorted here rather than in SQL, where
/// SQLite and PostgreSQL would each order names by their own collation.
pub async fn user_workspaces(
    conn: &mut AnyConnection,
    user_id: i64,
) -> Result<Vec<UserWorkspace>, AppError> {
    let rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT w.name, w.slug, m.role, m.status, w.status
         FROM memberships m JOIN workspaces w ON w.id = m.workspace_id
         WHERE m.user_id = $1",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    let mut workspaces = rows
        .into_iter()
        .map(|(name, slug, role, status, workspace_status)| {
            Ok(UserWorkspace {
                name,
                slug,
                role: decode_role(&role)?,
                status: decode_status(&status)?,
                workspace_archived: workspace_status == "archived",
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    workspaces
        .sort_by_cached_key(|workspace| (workspace.name.to_lowercase(), workspace.slug.clone()));
    Ok(workspaces)
}

/// Read from the row the database's triggers keep (see the migration `0004_instance`).
pub async fn counts(db: &Db) -> Result<UserCounts, AppError> {
    let (total_users, builders): (i64, i64) =
        sqlx::query_as("SELECT users, builders FROM user_counts WHERE id = 1")
            .fetch_one(db)
            .await?;
    Ok(UserCounts {
        total_users,
        builders,
    })
}

/// A page of All users with the counters and the cursors to either side.
pub async fn listing(
    db: &Db,
    search: Option<&str>,
    filter: AccountFilter,
    position: PagePosition,
) -> Result<InstanceUserPage, AppError> {
    let (users, more) = user_page(db, search, filter, &position, USERS_PAGE_SIZE).await?;
    let (next_after, previous_before) = position.cursors(
        users.first().map(|user| user.email.clone()),
        users.last().map(|user| user.email.clone()),
        more,
    );
    Ok(InstanceUserPage {
        users,
        counts: counts(db).await?,
        next_after,
        previous_before,
    })
}

/// One page of users in email order, and whether more lie beyond it in the direction of
/// travel. A search matches the start of the email or of the name the user has in any
/// workspace (memberships keep it folded for exactly that).
pub async fn user_page(
    db: &Db,
    search: Option<&str>,
    filter: AccountFilter,
    position: &PagePosition,
    size: i64,
) -> Result<(Vec<InstanceUser>, bool), AppError> {
    let mut conditions: Vec<String> = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    let mut placeholder = |value: String| {
        texts.push(value);
        format!("${}", texts.len())
    };
    if let AccountFilter::Only(status) = filter {
        conditions.push(format!(
            "u.status = {}",
            placeholder(status.key().to_string())
        ));
    }
    if let Some(search) = search {
        let low = placeholder(search.to_string());
        let high = placeholder(format!("{search}{}", char::MAX));
        conditions.push(format!(
            "((u.email >= {low} AND u.email < {high}) OR EXISTS (
                SELECT 1 FROM memberships n
                WHERE n.user_id = u.id AND n.name_key >= {low} AND n.name_key < {high})
              OR EXISTS (
                SELECT 1 FROM member_name_words w
                WHERE w.user_id = u.id AND w.word >= {low} AND w.word < {high}))"
        ));
    }
    let order = match position {
        PagePosition::First => "ORDER BY u.email",
        PagePosition::After(email) => {
            conditions.push(format!("u.email > {}", placeholder(email.clone())));
            "ORDER BY u.email"
        }
        PagePosition::Before(email) => {
            conditions.push(format!("u.email < {}", placeholder(email.clone())));
            "ORDER BY u.email DESC"
        }
    };
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let sql = format!(
        "SELECT u.id, u.full_name, u.email, u.is_super_admin, u.status,
                (SELECT COUNT(*) FROM memberships m WHERE m.user_id = u.id)
         FROM users u {filter} {order} LIMIT {}",
        size + 1
    );
    let mut query = sqlx::query_as::<_, (i64, String, String, i64, String, i64)>(&sql);
    for text in texts {
        query = query.bind(text);
    }
    let mut rows = query.fetch_all(db).await?;
    let more = position.take_page(&mut rows, size);
    let users = rows
        .into_iter()
        .map(
            |(user_id, full_name, email, is_super_admin, status, workspaces)| {
                Ok(InstanceUser {
                    user_id,
                    full_name,
                    email,
                    is_super_admin: is_super_admin == 1,
                    workspaces,
                    status: decode_account_status(&status)?,
                })
            },
        )
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok((users, more))
}

/// A workspace found by its URL, whatever its status.
pub struct WorkspaceRow {
    pub id: i64,
    pub archived: bool,
}

pub async fn workspace(
    conn: &mut AnyConnection,
    slug: &str,
) -> Result<Option<WorkspaceRow>, AppError> {
    let row: Option<(i64, String)> =
        sqlx::query_as("SELECT id, status FROM workspaces WHERE slug = $1")
            .bind(slug)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|(id, status)| WorkspaceRow {
        id,
        archived: status == "archived",
    }))
}

pub async fn rename_workspace(
    conn: &mut AnyConnection,
    actor_id: i64,
    workspace_id: i64,
    name: &str,
) -> Result<(), AppError> {
    sqlx::query("UPDATE workspaces SET name = $1 WHERE id = $2")
        .bind(name)
        .bind(workspace_id)
        .execute(&mut *conn)
        .await?;
    record_for_workspace(conn, actor_id, workspace_id, Action::WorkspaceRenamed, name).await
}

/// Archives or unarchives a workspace. Its memberships keep their status: while the
/// workspace is archived, nobody enters it and its invitation links are refused.
pub async fn set_workspace_archived(
    conn: &mut AnyConnection,
    actor_id: i64,
    workspace_id: i64,
    archived: bool,
) -> Result<(), AppError> {
    let (status, action) = if archived {
        ("archived", Action::WorkspaceArchived)
    } else {
        ("active", Action::WorkspaceUnarchived)
    };
    sqlx::query("UPDATE workspaces SET status = $1 WHERE id = $2")
        .bind(status)
        .bind(workspace_id)
        .execute(&mut *conn)
        .await?;
    record_for_workspace(conn, actor_id, workspace_id, action, "").await
}

pub async fn record_workspace_created(
    conn: &mut AnyConnection,
    actor_id: i64,
    workspace_id: i64,
    slug: &str,
) -> Result<(), AppError> {
    record_for_workspace(conn, actor_id, workspace_id, Action::WorkspaceCreated, slug).await
}

async fn record(
    conn: &mut AnyConnection,
    actor_id: i64,
    user_id: i64,
    action: Action,
    detail: &str,
) -> Result<(), AppError> {
    audit::record(
        conn,
        Event {
            actor_user_id: Some(actor_id),
            workspace_id: None,
            target_user_id: Some(user_id),
            action,
            detail,
        },
    )
    .await
}

async fn record_for_workspace(
    conn: &mut AnyConnection,
    actor_id: i64,
    workspace_id: i64,
    action: Action,
    detail: &str,
) -> Result<(), AppError> {
    audit::record(
        conn,
        Event {
            actor_user_id: Some(actor_id),
            workspace_id: Some(workspace_id),
            target_user_id: None,
            action,
            detail,
        },
    )
    .await
}
