//! Workspaces and memberships in the database.

use std::collections::HashSet;

use sqlx::AnyConnection;

use super::slugs::{choose_slug, slug_base};
use super::{WorkspaceSummary, landing_among};
use crate::access::WorkspaceRef;
use crate::db::{Db, now};
use crate::error::AppError;
use crate::instance::WorkspaceListing;
use crate::memberships::{MembershipStatus, Role};

/// The workspaces a user may enter, by name. Sorted here rather than in SQL, where SQLite
/// and PostgreSQL would each order names by their own collation.
pub async fn active_workspaces(db: &Db, user_id: i64) -> Result<Vec<WorkspaceSummary>, AppError> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT w.slug, w.name, m.role
         FROM memberships m JOIN workspaces w ON w.id = m.workspace_id
         WHERE m.user_id = $1 AND m.status = 'active' AND w.status = 'active'",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?;
    let mut workspaces = rows
        .into_iter()
        .map(|(slug, name, role)| {
            Ok(WorkspaceSummary {
                slug,
                name,
                role: decode_role(&role)?,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    workspaces
        .sort_by_cached_key(|workspace| (workspace.name.to_lowercase(), workspace.slug.clone()));
    Ok(workspaces)
}

/// Every workspace of the instance, by name, with how many active members each has.
pub async fn all_with_member_counts(db: &Db) -> Result<Vec<WorkspaceListing>, AppError> {
    let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT w.name, w.slug, w.status, COUNT(CASE WHEN m.status = 'active' THEN 1 END)
         FROM workspaces w LEFT JOIN memberships m ON m.workspace_id = w.id
         GROUP BY w.id, w.name, w.slug, w.status",
    )
    .fetch_all(db)
    .await?;
    let mut workspaces: Vec<WorkspaceListing> = rows
        .into_iter()
        .map(|(name, slug, status, active_members)| WorkspaceListing {
            name,
            slug,
            archived: status == "archived",
            active_members,
        })
        .collect();
    workspaces
        .sort_by_cached_key(|workspace| (workspace.name.to_lowercase(), workspace.slug.clone()));
    Ok(workspaces)
}

/// The user's default workspace, if they may still enter it.
pub async fn usable_default_slug(db: &Db, user_id: i64) -> Result<Option<String>, AppError> {
    let slug = sqlx::query_scalar(
        "SELECT w.slug
         FROM users u
         JOIN workspaces w ON w.id = u.default_workspace_id
         JOIN memberships m ON m.workspace_id = w.id AND m.user_id = u.id
         WHERE u.id = $1 AND m.status = 'active' AND w.status = 'active'",
    )
    .bind(user_id)
    .fetch_optional(db)
    .await?;
    Ok(slug)
}

/// Where a user lands (see [`landing_among`]).
pub async fn landing_slug(db: &Db, user_id: i64) -> Result<Option<String>, AppError> {
    match usable_default_slug(db, user_id).await? {
        Some(slug) => Ok(Some(slug)),
        None => Ok(landing_among(None, &active_workspaces(db, user_id).await?)),
    }
}

pub async fn set_default(db: &Db, user_id: i64, workspace_id: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE users SET default_workspace_id = $1, updated_at = $2 WHERE id = $3")
        .bind(workspace_id)
        .bind(now())
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Inserts a workspace at `slug`, which must be free, or when there is none under the
/// first free slug for its name.
pub async fn insert(
    conn: &mut AnyConnection,
    name: &str,
    slug: Option<&str>,
) -> Result<WorkspaceRef, AppError> {
    let requested = slug;
    let slug = match requested {
        Some(slug) => slug.to_string(),
        None => {
            let base = slug_base(name);
            let taken: Vec<String> =
                sqlx::query_scalar("SELECT slug FROM workspaces WHERE slug = $1 OR slug LIKE $2")
                    .bind(&base)
                    .bind(format!("{base}-%"))
                    .fetch_all(&mut *conn)
                    .await?;
            let taken: HashSet<String> = taken.into_iter().collect();
            choose_slug(name, &taken).ok_or(AppError::NoFreeWorkspaceUrl)?
        }
    };
    let id = sqlx::query_scalar(
        "INSERT INTO workspaces (name, slug, status, created_at) VALUES ($1, $2, 'active', $3)
         RETURNING id",
    )
    .bind(name)
    .bind(&slug)
    .bind(now())
    .fetch_one(&mut *conn)
    .await
    .map_err(|error| {
        // Taken already, or by another request between our look and our insert.
        if crate::db::is_unique_violation(&error) {
            match requested {
                Some(slug) => AppError::WorkspaceUrlTaken {
                    slug: slug.to_string(),
                },
                None => AppError::NoFreeWorkspaceUrl,
            }
        } else {
            AppError::from(error)
        }
    })?;
    crate::groups::store::seed_role_groups(conn, id).await?;
    Ok(WorkspaceRef {
        id,
        slug,
        name: name.to_string(),
    })
}

pub async fn add_member(
    conn: &mut AnyConnection,
    workspace_id: i64,
    user_id: i64,
    role: Role,
    status: MembershipStatus,
) -> Result<i64, AppError> {
    insert_membership(conn, workspace_id, user_id, role, status, None).await
}

/// Invites an account into a workspace under the name the workspace gives them, which
/// it shows until they join and go by their own.
pub async fn add_invitee(
    conn: &mut AnyConnection,
    workspace_id: i64,
    user_id: i64,
    role: Role,
    invited_name: &str,
) -> Result<i64, AppError> {
    let status = MembershipStatus::Invited;
    insert_membership(
        conn,
        workspace_id,
        user_id,
        role,
        status,
        Some(invited_name),
    )
    .await
}

/// The name this workspace shows for a member, as its identity provider gives it: the
/// account's own name is the person's, and other workspaces keep theirs.
pub async fn set_shown_name(
    conn: &mut AnyConnection,
    workspace_id: i64,
    user_id: i64,
    name: &str,
) -> Result<(), AppError> {
    let renamed: Vec<i64> = sqlx::query_scalar(
        "UPDATE memberships SET invited_name = $1, name_key = $2, updated_at = $3
         WHERE workspace_id = $4 AND user_id = $5
         RETURNING id",
    )
    .bind(name)
    .bind(crate::users::name_key(name))
    .bind(crate::db::now())
    .bind(workspace_id)
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    crate::users::store::index_name_words(conn, &renamed).await
}

pub async fn insert_membership(
    conn: &mut AnyConnection,
    workspace_id: i64,
    user_id: i64,
    role: Role,
    status: MembershipStatus,
    invited_name: Option<&str>,
) -> Result<i64, AppError> {
    let (email, own_name): (String, String) =
        sqlx::query_as("SELECT email, full_name FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&mut *conn)
            .await?;
    let shown_name = invited_name.unwrap_or(&own_name);
    let now = now();
    let id = sqlx::query_scalar(
        "INSERT INTO memberships
            (workspace_id, user_id, role, status, email, name_key, invited_name, created_at,
             updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
         RETURNING id",
    )
    .bind(workspace_id)
    .bind(user_id)
    .bind(role.key())
    .bind(status.key())
    .bind(email)
    .bind(crate::users::name_key(shown_name))
    .bind(invited_name)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    crate::users::store::index_name_words(conn, &[id]).await?;
    Ok(id)
}

/// A new workspace whose first member is `admin_user_id`, as its active Admin.
pub async fn create_with_admin(
    conn: &mut AnyConnection,
    name: &str,
    admin_user_id: i64,
) -> Result<WorkspaceRef, AppError> {
    create_with_admin_at(conn, name, None, admin_user_id).await
}

/// [`create_with_admin`] at the URL `slug`, or one made from the name.
pub async fn create_with_admin_at(
    conn: &mut AnyConnection,
    name: &str,
    slug: Option<&str>,
    admin_user_id: i64,
) -> Result<WorkspaceRef, AppError> {
    let workspace = insert(conn, name, slug).await?;
    add_member(
        conn,
        workspace.id,
        admin_user_id,
        Role::Admin,
        MembershipStatus::Active,
    )
    .await?;
    Ok(workspace)
}

pub(crate) fn decode_role(key: &str) -> Result<Role, AppError> {
    Role::from_key(key).ok_or_else(|| {
        tracing::error!(role = key, "unknown role in the database");
        AppError::Internal
    })
}

pub(crate) fn decode_status(key: &str) -> Result<MembershipStatus, AppError> {
    MembershipStatus::from_key(key).ok_or_else(|| {
        tracing::error!(status = key, "unknown membership status in the database");
        AppError::Internal
    })
}
