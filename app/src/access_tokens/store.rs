//! Access tokens in the database.

use sqlx::AnyConnection;

use super::{InventoryRow, TokenState, TokenSummary, scopes_from_text, scopes_to_text};
use crate::access::{Scope, Standing, WorkspaceRef};
use crate::auth::SignedInUser;
use crate::db::Db;
use crate::error::AppError;

pub struct NewTokenRow<'a> {
    pub user_id: i64,
    pub name: &'a str,
    pub secret_hash: &'a str,
    pub hint: &'a str,
    pub scopes: &'a [Scope],
    pub created_at: i64,
    pub expires_at: Option<i64>,
}

pub async fn insert(conn: &mut AnyConnection, token: NewTokenRow<'_>) -> Result<i64, AppError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO access_tokens (user_id, name, secret_hash, hint, scopes, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(token.user_id)
    .bind(token.name)
    .bind(token.secret_hash)
    .bind(token.hint)
    .bind(scopes_to_text(token.scopes))
    .bind(token.created_at)
    .bind(token.expires_at)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

type SummaryRow = (
    i64,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

const SUMMARY_COLUMNS: &str =
    "t.id, t.name, t.hint, t.scopes, t.created_at, t.expires_at, t.revoked_at, t.last_used_at";

fn summary(now: i64, row: SummaryRow) -> TokenSummary {
    let (id, name, hint, scopes, created_at, expires_at, revoked_at, last_used_at) = row;
    TokenSummary {
        id,
        name,
        hint,
        scopes: scopes_from_text(&scopes),
        created_at,
        expires_at,
        last_used_at,
        state: TokenState::of(now, expires_at, revoked_at),
    }
}

pub async fn of_user(db: &Db, user_id: i64, now: i64) -> Result<Vec<TokenSummary>, AppError> {
    let rows: Vec<SummaryRow> = sqlx::query_as(&format!(
        "SELECT {SUMMARY_COLUMNS} FROM access_tokens t WHERE t.user_id = $1 ORDER BY t.id DESC"
    ))
    .bind(user_id)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|row| summary(now, row)).collect())
}

pub async fn find_of_user(
    conn: &mut AnyConnection,
    user_id: i64,
    token_id: i64,
    now: i64,
) -> Result<Option<TokenSummary>, AppError> {
    let row: Option<SummaryRow> = sqlx::query_as(&format!(
        "SELECT {SUMMARY_COLUMNS} FROM access_tokens t WHERE t.user_id = $1 AND t.id = $2"
    ))
    .bind(user_id)
    .bind(token_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|row| summary(now, row)))
}

/// Revokes a token; a token already revoked stays as it was.
pub async fn revoke(conn: &mut AnyConnection, token_id: i64, now: i64) -> Result<bool, AppError> {
    let done = sqlx::query(
        "UPDATE access_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(token_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(sqlx::FromRow)]
struct InventoryRecord {
    email: String,
    full_name: String,
    id: i64,
    name: String,
    hint: String,
    scopes: String,
    created_at: i64,
    expires_at: Option<i64>,
    revoked_at: Option<i64>,
    last_used_at: Option<i64>,
}

/// Revokes every live token of a user, as ending all their sessions does: a token made
/// from a stolen or unproven session must not outlive it.
pub async fn revoke_all_of(
    conn: &mut AnyConnection,
    user_id: i64,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE access_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// The tokens of everyone with a membership in the workspace, by owner and newest first.
pub async fn of_workspace_members(
    db: &Db,
    workspace_id: i64,
    now: i64,
) -> Result<Vec<InventoryRow>, AppError> {
    let records: Vec<InventoryRecord> = sqlx::query_as(
        "SELECT u.email, u.full_name, t.id, t.name, t.hint, t.scopes, t.created_at,
                t.expires_at, t.revoked_at, t.last_used_at
         FROM access_tokens t
         JOIN users u ON u.id = t.user_id
         JOIN memberships m ON m.user_id = t.user_id AND m.workspace_id = $1",
    )
    .bind(workspace_id)
    .fetch_all(db)
    .await?;
    // Sorted here: SQLite and PostgreSQL order text by their own collations.
    let mut rows: Vec<InventoryRow> = records
        .into_iter()
        .map(|record| InventoryRow {
            owner_email: record.email,
            owner_name: record.full_name,
            token: summary(
                now,
                (
                    record.id,
                    record.name,
                    record.hint,
                    record.scopes,
                    record.created_at,
                    record.expires_at,
                    record.revoked_at,
                    record.last_used_at,
                ),
            ),
        })
        .collect();
    rows.sort_by(|a, b| {
        (a.owner_email.as_str(), std::cmp::Reverse(a.token.id))
            .cmp(&(b.owner_email.as_str(), std::cmp::Reverse(b.token.id)))
    });
    Ok(rows)
}

/// A live token and its owner, with the owner's standing in the workspace a request
/// names: what authenticating a request needs, in one query.
pub struct Holder {
    pub token_id: i64,
    pub scopes: Vec<Scope>,
    pub last_used_at: Option<i64>,
    pub last_used_address: Option<String>,
    pub user: SignedInUser,
    pub workspace: Option<(WorkspaceRef, Standing)>,
}

#[derive(sqlx::FromRow)]
struct HolderRow {
    token_id: i64,
    scopes: String,
    last_used_at: Option<i64>,
    last_used_address: Option<String>,
    user_id: i64,
    email: String,
    full_name: String,
    is_super_admin: i64,
    workspace_id: Option<i64>,
    workspace_slug: Option<String>,
    workspace_name: Option<String>,
    workspace_status: Option<String>,
    permissions_version: Option<i64>,
    role: Option<String>,
    membership_status: Option<String>,
}

/// The token with this hash, if it is neither revoked nor expired and its owner's account
/// isn't archived; with the owner's standing in the workspace at `slug` when one is named.
pub async fn holder(
    db: &Db,
    secret_hash: &str,
    slug: Option<&str>,
    now: i64,
) -> Result<Option<Holder>, AppError> {
    let row: Option<HolderRow> = sqlx::query_as(
        "SELECT t.id AS token_id, t.scopes, t.last_used_at, t.last_used_address,
                u.id AS user_id, u.email, u.full_name, u.is_super_admin,
                w.id AS workspace_id, w.slug AS workspace_slug, w.name AS workspace_name,
                w.status AS workspace_status, v.version AS permissions_version,
                m.role, m.status AS membership_status
         FROM access_tokens t
         JOIN users u ON u.id = t.user_id
         LEFT JOIN workspaces w ON w.slug = $3
         LEFT JOIN permission_versions v ON v.workspace_id = w.id
         LEFT JOIN memberships m ON m.workspace_id = w.id AND m.user_id = u.id
         WHERE t.secret_hash = $1 AND t.revoked_at IS NULL
           AND (t.expires_at IS NULL OR t.expires_at > $2)
           AND u.status <> 'archived'",
    )
    .bind(secret_hash)
    .bind(now)
    .bind(slug.unwrap_or_default())
    .fetch_optional(db)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let workspace = match (
        row.workspace_id,
        row.workspace_slug,
        row.workspace_name,
        row.workspace_status,
        row.permissions_version,
    ) {
        (Some(id), Some(slug), Some(name), Some(status), Some(permissions_version)) => {
            let membership = match (row.role, row.membership_status) {
                (Some(role), Some(status)) => {
                    Some(crate::access::decode_membership(&role, &status)?)
                }
                _ => None,
            };
            Some((
                WorkspaceRef { id, slug, name },
                Standing {
                    workspace_archived: status == "archived",
                    membership,
                    permissions_version,
                },
            ))
        }
        _ => None,
    };
    Ok(Some(Holder {
        token_id: row.token_id,
        scopes: scopes_from_text(&row.scopes),
        last_used_at: row.last_used_at,
        last_used_address: row.last_used_address,
        user: SignedInUser {
            id: row.user_id,
            email: row.email,
            full_name: row.full_name,
            is_super_admin: row.is_super_admin == 1,
        },
        workspace,
    }))
}

pub async fn record_use(db: &Db, token_id: i64, now: i64, address: &str) -> Result<(), AppError> {
    sqlx::query("UPDATE access_tokens SET last_used_at = $1, last_used_address = $2 WHERE id = $3")
        .bind(now)
        .bind(address)
        .bind(token_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Remembers an address the token was used from; true when it is new.
pub async fn remember_address(
    conn: &mut AnyConnection,
    token_id: i64,
    address: &str,
    now: i64,
) -> Result<bool, AppError> {
    let done = sqlx::query(
        "INSERT INTO access_token_addresses (token_id, address, first_used_at)
         VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(token_id)
    .bind(address)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
