//! Invitations in the database. Only a SHA-256 hash of each token is stored.

use std::time::Duration;

use sqlx::AnyConnection;

use super::InvitationState;
use crate::db::now;
use crate::error::AppError;
use crate::memberships::MembershipStatus;
use crate::tokens::SecretToken;
use crate::workspaces::store::decode_status;

/// Issues a new link for a membership, alongside any it already has.
pub async fn issue(
    conn: &mut AnyConnection,
    membership_id: i64,
    valid_for: Duration,
) -> Result<SecretToken, AppError> {
    let token = SecretToken::generate()?;
    let now = now();
    sqlx::query(
        "INSERT INTO invitations (membership_id, token_hash, created_at, expires_at)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(membership_id)
    .bind(token.hash())
    .bind(now)
    .bind(now + valid_for.as_secs() as i64)
    .execute(conn)
    .await?;
    Ok(token)
}

/// How many invitations `admin_id` made, and `user_id` received, within the rate window.
pub async fn recent_invitations(
    conn: &mut AnyConnection,
    admin_id: i64,
    user_id: Option<i64>,
) -> Result<(i64, i64), AppError> {
    const ACTIONS: &str =
        "('member.invited', 'invitation.resent', 'invitation.link_copied', 'member.unarchived')";
    let since = now() - super::INVITATION_WINDOW_SECONDS;
    let by_admin: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM audit_events
         WHERE actor_user_id = $1 AND action IN {ACTIONS} AND occurred_at > $2"
    ))
    .bind(admin_id)
    .bind(since)
    .fetch_one(&mut *conn)
    .await?;
    let for_person: i64 = match user_id {
        Some(user_id) => {
            sqlx::query_scalar(&format!(
                "SELECT COUNT(*) FROM audit_events
                 WHERE target_user_id = $1 AND action IN {ACTIONS} AND occurred_at > $2"
            ))
            .bind(user_id)
            .bind(since)
            .fetch_one(&mut *conn)
            .await?
        }
        None => 0,
    };
    Ok((by_admin, for_person))
}

/// Ends every live link of a membership: a resend or an archive replaces them.
pub async fn revoke_all(conn: &mut AnyConnection, membership_id: i64) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE invitations SET revoked_at = $1
         WHERE membership_id = $2 AND used_at IS NULL AND revoked_at IS NULL",
    )
    .bind(now())
    .bind(membership_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// An invitation found by its token, with what accepting it touches.
#[derive(Debug, Clone)]
pub struct Found {
    pub membership_id: i64,
    pub workspace_id: i64,
    pub workspace_slug: String,
    pub workspace_name: String,
    pub user_id: i64,
    pub email: String,
    pub full_name: String,
    pub has_password: bool,
    pub state: InvitationState,
}

#[derive(sqlx::FromRow)]
struct FoundRow {
    membership_id: i64,
    workspace_id: i64,
    workspace_slug: String,
    workspace_name: String,
    workspace_status: String,
    user_id: i64,
    email: String,
    full_name: String,
    password_hash: Option<String>,
    membership_status: String,
    expires_at: i64,
    used_at: Option<i64>,
    revoked_at: Option<i64>,
}

pub async fn find(
    conn: &mut AnyConnection,
    token: &SecretToken,
) -> Result<Option<Found>, AppError> {
    let row: Option<FoundRow> = sqlx::query_as(
        "SELECT i.membership_id, w.id AS workspace_id, w.slug AS workspace_slug,
                w.name AS workspace_name, w.status AS workspace_status, u.id AS user_id,
                u.email, u.full_name, u.password_hash, m.status AS membership_status,
                i.expires_at, i.used_at, i.revoked_at
         FROM invitations i
         JOIN memberships m ON m.id = i.membership_id
         JOIN workspaces w ON w.id = m.workspace_id
         JOIN users u ON u.id = m.user_id
         WHERE i.token_hash = $1 AND u.status <> 'archived'",
    )
    .bind(token.hash())
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    Ok(Some(Found {
        membership_id: row.membership_id,
        workspace_id: row.workspace_id,
        workspace_slug: row.workspace_slug,
        workspace_name: row.workspace_name,
        user_id: row.user_id,
        email: row.email,
        full_name: row.full_name,
        has_password: row.password_hash.is_some(),
        state: InvitationState {
            expires_at: row.expires_at,
            used: row.used_at.is_some(),
            revoked: row.revoked_at.is_some(),
            membership_status: decode_status(&row.membership_status)?,
            workspace_archived: row.workspace_status == "archived",
        },
    }))
}

/// Makes the membership active and uses up every link it had. The status check in the
/// update makes a second, concurrent acceptance fail instead of succeeding twice.
pub async fn accept(conn: &mut AnyConnection, found: &Found, user_id: i64) -> Result<(), AppError> {
    let now = now();
    let activated = sqlx::query(
        "UPDATE memberships SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4",
    )
    .bind(MembershipStatus::Active.key())
    .bind(now)
    .bind(found.membership_id)
    .bind(MembershipStatus::Invited.key())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if activated != 1 {
        return Err(AppError::InvitationUsed);
    }
    sqlx::query(
        "UPDATE invitations SET used_at = $1
         WHERE membership_id = $2 AND used_at IS NULL AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(found.membership_id)
    .execute(&mut *conn)
    .await?;
    // The workspace just joined is where they land, as after switching to it.
    sqlx::query("UPDATE users SET default_workspace_id = $1, updated_at = $2 WHERE id = $3")
        .bind(found.workspace_id)
        .bind(now)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    crate::audit::record(
        conn,
        crate::audit::Event {
            actor_user_id: Some(user_id),
            workspace_id: Some(found.workspace_id),
            target_user_id: Some(user_id),
            action: crate::audit::Action::InvitationAccepted,
            detail: "",
        },
    )
    .await
}
