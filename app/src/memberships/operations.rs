//! Every change to a membership's role or status: each applies the last-admin rule, the
//! end-user rule where it bears, and records the change in the same transaction.

use sqlx::AnyConnection;

use super::{MembershipStatus, Role, keep_an_active_admin};
use crate::access::{Scope, WorkspaceActor, begin_as_admin};
use crate::audit;
use crate::error::AppError;
use crate::state::AppState;
use crate::users::members::InvitationSent;
use crate::users::members::server::{
    mail_invitation, member, record_and_commit, within_invitation_rate,
};
use crate::users::store::{self, Member};

/// Changes a member's role inside the caller's transaction. Someone who becomes an
/// End-user leaves the builder-level custom groups and their apps pass to the actor.
/// Returns whether anything changed.
pub async fn change_role(
    conn: &mut AnyConnection,
    actor: &WorkspaceActor,
    member: &Member,
    role: Role,
) -> Result<bool, AppError> {
    if role == member.role {
        return Ok(false);
    }
    let admins = store::active_admin_count(conn, actor.workspace.id).await?;
    keep_an_active_admin(
        admins,
        (member.role, member.status),
        Some((role, member.status)),
    )?;
    // Apps pass to the admin who makes someone an End-user; making yourself one would
    // leave you owning them.
    if role == Role::EndUser && member.user_id == actor.user.id {
        return Err(AppError::CannotMakeYourselfEndUser);
    }
    store::set_role(conn, member.membership_id, role).await?;
    if role == Role::EndUser {
        leave_builder_level(conn, actor, member.user_id).await?;
    }
    let detail = format!("{} -> {}", member.role.key(), role.key());
    audit::record_by(
        conn,
        actor,
        Some(member.user_id),
        audit::Action::MemberRoleChanged,
        &detail,
    )
    .await?;
    Ok(true)
}

/// The end-user rule's consent path: an End-user who gains a builder-level permission
/// becomes a Builder, in the transaction of the change that gave it.
pub async fn promote_to_builder(
    conn: &mut AnyConnection,
    actor: &WorkspaceActor,
    user_id: i64,
) -> Result<(), AppError> {
    store::promote_end_user_to_builder(conn, actor.workspace.id, user_id).await?;
    audit::record_by(
        conn,
        actor,
        Some(user_id),
        audit::Action::MemberRoleChanged,
        "end-user -> builder",
    )
    .await
}

/// Archives a member: they can't use the workspace from their next request on.
pub async fn archive(
    state: &AppState,
    actor: &WorkspaceActor,
    user_id: i64,
) -> Result<(), AppError> {
    actor.authorise(Role::Admin, Scope::MembersWrite)?;
    let mut tx = begin_as_admin(state, actor).await?;
    archive_in(&mut tx, actor, user_id).await?;
    tx.commit().await?;
    Ok(())
}

/// Archives a member within the caller's change (begun with [`begin_as_admin`]).
pub async fn archive_in(
    conn: &mut AnyConnection,
    actor: &WorkspaceActor,
    user_id: i64,
) -> Result<(), AppError> {
    let member = member(conn, actor, user_id).await?;
    if member.status == MembershipStatus::Archived {
        return Err(AppError::AlreadyArchived);
    }
    let admins = store::active_admin_count(conn, actor.workspace.id).await?;
    keep_an_active_admin(
        admins,
        (member.role, member.status),
        Some((member.role, MembershipStatus::Archived)),
    )?;
    store::set_status(conn, member.membership_id, MembershipStatus::Archived).await?;
    crate::invitations::store::revoke_all(conn, member.membership_id).await?;
    audit::record_by(
        conn,
        actor,
        Some(user_id),
        audit::Action::MemberArchived,
        "",
    )
    .await?;
    tracing::info!(actor = actor.user.id, user_id, "member archived");
    Ok(())
}

/// Brings an archived member the identity provider vouches for back: Active when they
/// have a password to sign in with, else Invited with a new link to choose one.
/// Returns the link to mail once the change commits.
pub async fn reactivate_in(
    conn: &mut AnyConnection,
    state: &AppState,
    actor: &WorkspaceActor,
    user_id: i64,
    has_password: bool,
) -> Result<Option<crate::tokens::SecretToken>, AppError> {
    let member = member(conn, actor, user_id).await?;
    if member.status != MembershipStatus::Archived {
        return Err(AppError::NotArchived);
    }
    let token = if has_password {
        store::set_status(conn, member.membership_id, MembershipStatus::Active).await?;
        None
    } else {
        within_invitation_rate(conn, actor, Some(user_id)).await?;
        store::set_status(conn, member.membership_id, MembershipStatus::Invited).await?;
        Some(
            crate::invitations::store::issue(
                conn,
                member.membership_id,
                state.config.invite_ttl,
                crate::invitations::Delivery::Mail,
            )
            .await?,
        )
    };
    audit::record_by(
        conn,
        actor,
        Some(user_id),
        audit::Action::MemberUnarchived,
        "",
    )
    .await?;
    Ok(token)
}

/// Unarchives a member back to Invited, with a new invitation to accept.
pub async fn unarchive(
    state: &AppState,
    actor: &WorkspaceActor,
    user_id: i64,
) -> Result<InvitationSent, AppError> {
    actor.authorise(Role::Admin, Scope::MembersWrite)?;
    let mut tx = begin_as_admin(state, actor).await?;
    let member = member(&mut tx, actor, user_id).await?;
    if member.status != MembershipStatus::Archived {
        return Err(AppError::NotArchived);
    }
    within_invitation_rate(&mut tx, actor, Some(user_id)).await?;
    store::set_status(&mut tx, member.membership_id, MembershipStatus::Invited).await?;
    let token = crate::invitations::store::issue(
        &mut tx,
        member.membership_id,
        state.config.invite_ttl,
        crate::invitations::Delivery::Mail,
    )
    .await?;
    record_and_commit(tx, actor, user_id, audit::Action::MemberUnarchived).await?;
    Ok(mail_invitation(state, actor, member.email, &token).await)
}

/// Removes a member from the workspace, with their metadata and invitations.
pub async fn remove(
    state: &AppState,
    actor: &WorkspaceActor,
    user_id: i64,
) -> Result<(), AppError> {
    actor.authorise(Role::Admin, Scope::MembersWrite)?;
    let mut tx = begin_as_admin(state, actor).await?;
    let member = member(&mut tx, actor, user_id).await?;
    let admins = store::active_admin_count(&mut tx, actor.workspace.id).await?;
    keep_an_active_admin(admins, (member.role, member.status), None)?;
    // Their apps pass to the admin removing them, who can't be the one leaving.
    if user_id == actor.user.id {
        return Err(AppError::CannotRemoveYourself);
    }
    transfer_apps_to_actor(&mut tx, actor, user_id).await?;
    store::remove_member(&mut tx, &member, actor.workspace.id).await?;
    record_and_commit(tx, actor, user_id, audit::Action::MemberRemoved).await
}

/// A member who became an End-user leaves the builder-level custom groups, and the apps
/// they own pass to the admin who made the change.
async fn leave_builder_level(
    conn: &mut AnyConnection,
    actor: &WorkspaceActor,
    user_id: i64,
) -> Result<(), AppError> {
    use crate::groups::store as groups;
    let groups_held = groups::custom_groups_of(conn, actor.workspace.id, user_id).await?;
    for group in crate::permissions::groups_left_as_end_user(&groups_held) {
        groups::remove_member(conn, group.id, user_id).await?;
        audit::record_by(
            conn,
            actor,
            Some(user_id),
            audit::Action::GroupMemberRemoved,
            &group.name,
        )
        .await?;
    }
    transfer_apps_to_actor(conn, actor, user_id).await
}

/// The apps a member owns pass to the admin making the change, audited by name.
async fn transfer_apps_to_actor(
    conn: &mut AnyConnection,
    actor: &WorkspaceActor,
    user_id: i64,
) -> Result<(), AppError> {
    use crate::groups::store as groups;
    let apps = groups::owned_apps(conn, actor.workspace.id, user_id).await?;
    if !apps.is_empty() {
        groups::transfer_apps(conn, actor.workspace.id, user_id, actor.user.id).await?;
        let names: Vec<String> = apps.into_iter().map(|(_, name)| name).collect();
        audit::record_by(
            conn,
            actor,
            Some(user_id),
            audit::Action::AppsTransferred,
            &names.join(", "),
        )
        .await?;
    }
    Ok(())
}
