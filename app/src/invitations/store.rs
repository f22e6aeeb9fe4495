//! Invitations in the database. Only a SHA-256 hash of each token is stored.

use std::time::Duration;

use sqlx::AnyConnection;

use super::{AccountClaim, Delivery, InvitationState};
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
    delivery: Delivery,
) -> Result<SecretToken, AppError> {
    let token = SecretToken::generate()?;
    let now = now();
    sqlx::query(
        "INSERT INTO invitations (membership_id, token_hash, created_at, expires_at, sent_by_mail)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(membership_id)
    .bind(token.hash())
    .bind(now)
    .bind(now + valid_for.as_secs() as i64)
    .bind(i64::from(delivery == Delivery::Mail))
    .execute(conn)
    .await?;
    Ok(token)
}

/// The actions that send someone an invitation, for the rate limits.
const INVITING_ACTIONS: &str = "('member.invited', 'invitation.resent', 'invitation.link_copied', \
     'member.unarchived', 'invitation.confirmation_mailed')";

/// How many invitations `admin_id` made within the rate window, in any workspace.
pub async fn recent_by_admin(conn: &mut AnyConnection, admin_id: i64) -> Result<i64, AppError> {
    let since = now() - super::INVITATION_WINDOW_SECONDS;
    Ok(sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM audit_events
         WHERE actor_user_id = $1 AND action IN {INVITING_ACTIONS} AND occurred_at > $2"
    ))
    .bind(admin_id)
    .bind(since)
    .fetch_one(conn)
    .await?)
}

/// How many invitations `user_id` received from one workspace within the rate window.
pub async fn recent_for_person(
    conn: &mut AnyConnection,
    workspace_id: i64,
    user_id: i64,
) -> Result<i64, AppError> {
    let since = now() - super::INVITATION_WINDOW_SECONDS;
    Ok(sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM audit_events
         WHERE target_user_id = $1 AND workspace_id = $2 AND action IN {INVITING_ACTIONS}
           AND occurred_at > $3"
    ))
    .bind(user_id)
    .bind(workspace_id)
    .bind(since)
    .fetch_one(conn)
    .await?)
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
    /// The name the link's workspace knows the person by.
    pub full_name: String,
    pub claim: AccountClaim,
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
    has_password: i64,
    password_from_copied_link: i64,
    known_elsewhere: i64,
    membership_status: String,
    expires_at: i64,
    used_at: Option<i64>,
    revoked_at: Option<i64>,
    sent_by_mail: i64,
}

/// The invitation a token belongs to. Accounts archived in the instance have none: their
/// links lead nowhere until a super admin restores them.
pub async fn find(
    conn: &mut AnyConnection,
    token: &SecretToken,
) -> Result<Option<Found>, AppError> {
    let row: Option<FoundRow> = sqlx::query_as(
        "SELECT i.membership_id, w.id AS workspace_id, w.slug AS workspace_slug,
                w.name AS workspace_name, w.status AS workspace_status, u.id AS user_id,
                u.email, COALESCE(m.invited_name, u.full_name) AS full_name,
                CASE WHEN u.password_hash IS NULL THEN 0 ELSE 1 END AS has_password,
                u.password_from_copied_link,
                CASE WHEN u.is_super_admin = 1 OR EXISTS (
                    SELECT 1 FROM memberships elsewhere
                    WHERE elsewhere.user_id = u.id AND elsewhere.workspace_id <> m.workspace_id
                ) THEN 1 ELSE 0 END AS known_elsewhere,
                m.status AS membership_status, i.expires_at, i.used_at, i.revoked_at,
                i.sent_by_mail
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
        claim: AccountClaim {
            delivery: if row.sent_by_mail != 0 {
                Delivery::Mail
            } else {
                Delivery::Copied
            },
            has_password: row.has_password != 0,
            password_from_copied_link: row.password_from_copied_link != 0,
            known_elsewhere: row.known_elsewhere != 0,
        },
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
    if !activate(conn, found.membership_id, found.workspace_id, user_id).await? {
        return Err(AppError::InvitationUsed);
    }
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

/// Makes an invited membership active, uses up its links and makes its workspace where
/// the person lands. False when the membership wasn't invited (any more).
pub async fn activate(
    conn: &mut AnyConnection,
    membership_id: i64,
    workspace_id: i64,
    user_id: i64,
) -> Result<bool, AppError> {
    let now = now();
    let activated = sqlx::query(
        "UPDATE memberships SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4",
    )
    .bind(MembershipStatus::Active.key())
    .bind(now)
    .bind(membership_id)
    .bind(MembershipStatus::Invited.key())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if activated != 1 {
        return Ok(false);
    }
    // Having joined, they go by their own name here too.
    let own_name: String = sqlx::query_scalar("SELECT full_name FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query("UPDATE memberships SET invited_name = NULL, name_key = $1 WHERE id = $2")
        .bind(crate::users::name_key(&own_name))
        .bind(membership_id)
        .execute(&mut *conn)
        .await?;
    crate::users::store::index_name_words(conn, &[membership_id]).await?;
    sqlx::query(
        "UPDATE invitations SET used_at = $1
         WHERE membership_id = $2 AND used_at IS NULL AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(membership_id)
    .execute(&mut *conn)
    .await?;
    // The workspace just joined is where they land, as after switching to it.
    sqlx::query("UPDATE users SET default_workspace_id = $1, updated_at = $2 WHERE id = $3")
        .bind(workspace_id)
        .bind(now)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(true)
}
