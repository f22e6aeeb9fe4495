//! Managing a workspace's members (Workspace settings › Users): the listing, inviting,
//! editing, archiving and removing. Admins only; every function checks on the server.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::Json;

use crate::error::AppError;
use crate::memberships::{MembershipStatus, Role};
use crate::metadata::MetadataEdit;

/// Members per page of the listing.
pub const PAGE_SIZE: i64 = 50;

/// A member as the listing shows them. Metadata appears only as a count of keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRow {
    pub user_id: i64,
    pub full_name: String,
    pub email: String,
    pub role: Role,
    pub status: MembershipStatus,
    pub metadata_keys: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberPage {
    pub members: Vec<MemberRow>,
    /// How many members match the search and filter, on every page.
    pub total: i64,
    /// The email to continue after, when there is a next page.
    pub next_after: Option<String>,
    /// The email to go back before, when there is a previous page.
    pub previous_before: Option<String>,
}

/// A member opened for editing: metadata keys, never values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberDetails {
    pub user_id: i64,
    pub full_name: String,
    pub email: String,
    pub role: Role,
    pub status: MembershipStatus,
    pub metadata_keys: Vec<String>,
}

/// The outcome of sending an invitation. The invitation stands even when its mail could
/// not be queued; the admin can copy the link instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationSent {
    pub email: String,
    pub mail_queued: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StatusFilter {
    All,
    Only(MembershipStatus),
}

impl StatusFilter {
    /// `""` or `"all"` for everyone, else a status key.
    pub fn parse(input: &str) -> Result<StatusFilter, AppError> {
        match input.trim() {
            "" | "all" => Ok(StatusFilter::All),
            key => MembershipStatus::from_key(key)
                .map(StatusFilter::Only)
                .ok_or(AppError::UnknownStatus),
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            StatusFilter::All => "all",
            StatusFilter::Only(status) => status.key(),
        }
    }
}

/// One page of the workspace's members, by email.
#[server(endpoint = "users/list")]
pub async fn list_members(
    slug: String,
    search: Option<String>,
    status: Option<String>,
    after: Option<String>,
    before: Option<String>,
) -> Result<MemberPage, AppError> {
    use super::store::{PagePosition, listing};

    let (actor, state) = crate::access::admin_of(&slug).await?;
    let search = search.as_deref().and_then(super::search_key);
    let status = StatusFilter::parse(status.as_deref().unwrap_or_default())?;
    let position = match (after, before) {
        (Some(after), _) if !after.is_empty() => PagePosition::After(after),
        (_, Some(before)) if !before.is_empty() => PagePosition::Before(before),
        _ => PagePosition::First,
    };
    listing(
        &state.db,
        actor.workspace.id,
        search.as_deref(),
        status,
        position,
    )
    .await
}

/// Invites someone by email: their membership starts as Invited, and a link goes out.
#[server(endpoint = "users/invite", input = Json)]
pub async fn invite_member(
    slug: String,
    full_name: String,
    email: String,
    role: String,
    metadata: Vec<MetadataEdit>,
) -> Result<InvitationSent, AppError> {
    use crate::audit;
    use crate::invitations::Delivery;
    use crate::users::store;

    let (actor, state) = crate::access::admin_of(&slug).await?;
    let full_name = super::normalise_full_name(&full_name)?;
    let email = super::normalise_email(&email)?;
    let role = Role::parse(&role)?;
    let metadata = crate::metadata::apply_edits(&Default::default(), &metadata)?;
    let workspace_id = actor.workspace.id;

    // Two admins inviting one address at once take turns, so the second is told it is
    // already a member rather than meeting a unique index.
    let mut tx = crate::access::begin_as_admin(&state, &actor).await?;
    let user_id = match store::account_id(&mut tx, &email).await? {
        Some(account) => server::admit_account(&mut tx, &actor, account).await?,
        None => {
            server::within_invitation_rate(&mut tx, &actor, None).await?;
            match store::insert_invited(&mut tx, &email, &full_name, workspace_id).await? {
                Some(created) => created,
                // Another workspace's invitation created the account a moment ago.
                None => {
                    let account = store::account_id(&mut tx, &email)
                        .await?
                        .ok_or(AppError::Internal)?;
                    server::admit_account(&mut tx, &actor, account).await?
                }
            }
        }
    };
    let membership_id =
        crate::workspaces::store::add_invitee(&mut tx, workspace_id, user_id, role, &full_name)
            .await?;
    crate::metadata::store::replace(
        &mut tx,
        &state.keys,
        workspace_id,
        user_id,
        &Default::default(),
        &metadata,
    )
    .await?;
    let token = crate::invitations::store::issue(
        &mut tx,
        membership_id,
        state.config.invite_ttl,
        Delivery::Mail,
    )
    .await?;
    audit::record(
        &mut tx,
        audit::Event {
            actor_user_id: Some(actor.user.id),
            workspace_id: Some(workspace_id),
            target_user_id: Some(user_id),
            action: audit::Action::MemberInvited,
            detail: role.key(),
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(actor = actor.user.id, user_id, workspace = %actor.workspace.slug, "member invited");
    let mail_queued = server::mail_invitation(&state, &actor, &email, &token).await;
    Ok(InvitationSent { email, mail_queued })
}

/// A member, for the edit form.
#[server(endpoint = "users/details")]
pub async fn member_for_editing(slug: String, user_id: i64) -> Result<MemberDetails, AppError> {
    let (actor, state) = crate::access::admin_of(&slug).await?;
    let mut conn = state.db.acquire().await?;
    let member = server::member(&mut conn, &actor, user_id).await?;
    drop(conn);
    let metadata_keys =
        crate::metadata::store::keys_of(&state.db, actor.workspace.id, user_id).await?;
    Ok(MemberDetails {
        user_id,
        full_name: member.full_name,
        email: member.email,
        role: member.role,
        status: member.status,
        metadata_keys,
    })
}

/// Changes a member's role and metadata together.
#[server(endpoint = "users/update", input = Json)]
pub async fn update_member(
    slug: String,
    user_id: i64,
    role: String,
    metadata: Vec<MetadataEdit>,
) -> Result<(), AppError> {
    use crate::audit;
    use crate::memberships::keep_an_active_admin;
    use crate::users::store;

    let (actor, state) = crate::access::admin_of(&slug).await?;
    let role = Role::parse(&role)?;
    let workspace_id = actor.workspace.id;
    let mut tx = crate::access::begin_as_admin(&state, &actor).await?;
    let member = server::member(&mut tx, &actor, user_id).await?;
    let stored = crate::metadata::store::load(&mut tx, &state.keys, workspace_id, user_id).await?;
    let wanted = crate::metadata::apply_edits(&stored, &metadata)?;
    if role != member.role {
        let admins = store::active_admin_count(&mut tx, workspace_id).await?;
        keep_an_active_admin(
            admins,
            (member.role, member.status),
            Some((role, member.status)),
        )?;
        // Apps pass to the admin who makes someone an End-user; making yourself one
        // would leave you owning them.
        if role == Role::EndUser && user_id == actor.user.id {
            return Err(AppError::CannotMakeYourselfEndUser);
        }
        store::set_role(&mut tx, member.membership_id, role).await?;
        if role == Role::EndUser {
            server::leave_builder_level(&mut tx, &actor, user_id).await?;
        }
        let detail = format!("{} -> {}", member.role.key(), role.key());
        audit::record(
            &mut tx,
            audit::Event {
                actor_user_id: Some(actor.user.id),
                workspace_id: Some(workspace_id),
                target_user_id: Some(user_id),
                action: audit::Action::MemberRoleChanged,
                detail: &detail,
            },
        )
        .await?;
    }
    let changed = crate::metadata::changed_keys(&stored, &wanted);
    if !changed.is_empty() {
        crate::metadata::store::replace(
            &mut tx,
            &state.keys,
            workspace_id,
            user_id,
            &stored,
            &wanted,
        )
        .await?;
        let detail = changed.into_iter().collect::<Vec<_>>().join(", ");
        audit::record(
            &mut tx,
            audit::Event {
                actor_user_id: Some(actor.user.id),
                workspace_id: Some(workspace_id),
                target_user_id: Some(user_id),
                action: audit::Action::MemberMetadataChanged,
                detail: &detail,
            },
        )
        .await?;
    }
    tx.commit().await?;
    tracing::info!(actor = actor.user.id, user_id, workspace = %actor.workspace.slug, "member updated");
    Ok(())
}

/// What changing a member's role would do, for the confirmation before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleChangePreview {
    pub summary: String,
    /// Custom groups they would leave: the builder-level ones, when they become an
    /// End-user.
    pub groups_to_leave: Vec<String>,
    /// Apps they own that would pass to the acting admin.
    pub apps_to_transfer: Vec<String>,
}

#[server(endpoint = "users/role-change-preview")]
pub async fn preview_role_change(
    slug: String,
    user_id: i64,
    role: String,
) -> Result<RoleChangePreview, AppError> {
    let (actor, state) = crate::access::admin_of(&slug).await?;
    let role = Role::parse(&role)?;
    let mut conn = state.db.acquire().await?;
    let member = server::member(&mut conn, &actor, user_id).await?;
    let (groups_to_leave, apps_to_transfer) = if role == Role::EndUser && member.role != role {
        let groups =
            crate::groups::store::custom_groups_of(&mut conn, actor.workspace.id, user_id).await?;
        let apps = crate::groups::store::owned_apps(&mut conn, actor.workspace.id, user_id).await?;
        (
            crate::permissions::groups_left_as_end_user(&groups)
                .into_iter()
                .map(|group| group.name.clone())
                .collect(),
            apps.into_iter().map(|(_, name)| name).collect(),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(RoleChangePreview {
        summary: crate::memberships::role_change_summary(&member.full_name, member.role, role),
        groups_to_leave,
        apps_to_transfer,
    })
}

/// A member's effective permissions on every resource of the workspace, each allowed
/// action with its reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourcePermissions {
    pub resource: crate::permissions::ResourceRef,
    pub name: String,
    pub explanations: Vec<crate::permissions::Explanation>,
}

#[server(endpoint = "users/effective-permissions")]
pub async fn effective_permissions(
    slug: String,
    user_id: i64,
) -> Result<Vec<ResourcePermissions>, AppError> {
    use crate::permissions::{Subject, explain};
    let (actor, state) = crate::access::admin_of(&slug).await?;
    let mut conn = state.db.acquire().await?;
    let (role, groups) =
        crate::groups::store::subject_groups(&mut conn, actor.workspace.id, user_id)
            .await?
            .ok_or(AppError::MemberNotFound)?;
    let subject = Subject {
        user_id,
        role,
        groups: &groups,
    };
    Ok(
        crate::groups::store::resource_refs(&mut conn, actor.workspace.id)
            .await?
            .into_iter()
            .map(|(resource, name)| ResourcePermissions {
                explanations: explain(subject, &resource),
                resource,
                name,
            })
            .collect(),
    )
}

/// Archives a member: they can't use the workspace from their next request on.
#[server(endpoint = "users/archive")]
pub async fn archive_member(slug: String, user_id: i64) -> Result<(), AppError> {
    use crate::memberships::keep_an_active_admin;
    use crate::users::store;

    let (actor, state) = crate::access::admin_of(&slug).await?;
    let workspace_id = actor.workspace.id;
    let mut tx = crate::access::begin_as_admin(&state, &actor).await?;
    let member = server::member(&mut tx, &actor, user_id).await?;
    if member.status == MembershipStatus::Archived {
        return Err(AppError::AlreadyArchived);
    }
    let admins = store::active_admin_count(&mut tx, workspace_id).await?;
    keep_an_active_admin(
        admins,
        (member.role, member.status),
        Some((member.role, MembershipStatus::Archived)),
    )?;
    store::set_status(&mut tx, member.membership_id, MembershipStatus::Archived).await?;
    crate::invitations::store::revoke_all(&mut tx, member.membership_id).await?;
    server::record_and_commit(tx, &actor, user_id, crate::audit::Action::MemberArchived).await?;
    Ok(())
}

/// Unarchives a member back to Invited, with a new invitation to accept.
#[server(endpoint = "users/unarchive")]
pub async fn unarchive_member(slug: String, user_id: i64) -> Result<InvitationSent, AppError> {
    use crate::users::store;

    let (actor, state) = crate::access::admin_of(&slug).await?;
    let mut tx = crate::access::begin_as_admin(&state, &actor).await?;
    let member = server::member(&mut tx, &actor, user_id).await?;
    if member.status != MembershipStatus::Archived {
        return Err(AppError::NotArchived);
    }
    server::within_invitation_rate(&mut tx, &actor, Some(user_id)).await?;
    store::set_status(&mut tx, member.membership_id, MembershipStatus::Invited).await?;
    let token = crate::invitations::store::issue(
        &mut tx,
        member.membership_id,
        state.config.invite_ttl,
        crate::invitations::Delivery::Mail,
    )
    .await?;
    server::record_and_commit(tx, &actor, user_id, crate::audit::Action::MemberUnarchived).await?;
    let mail_queued = server::mail_invitation(&state, &actor, &member.email, &token).await;
    Ok(InvitationSent {
        email: member.email,
        mail_queued,
    })
}

/// Removes a member from the workspace, with their metadata and invitations.
#[server(endpoint = "users/remove")]
pub async fn remove_member(slug: String, user_id: i64) -> Result<(), AppError> {
    use crate::memberships::keep_an_active_admin;
    use crate::users::store;

    let (actor, state) = crate::access::admin_of(&slug).await?;
    let workspace_id = actor.workspace.id;
    let mut tx = crate::access::begin_as_admin(&state, &actor).await?;
    let member = server::member(&mut tx, &actor, user_id).await?;
    let admins = store::active_admin_count(&mut tx, workspace_id).await?;
    keep_an_active_admin(admins, (member.role, member.status), None)?;
    // Their apps pass to the admin removing them, who can't be the one leaving.
    if user_id == actor.user.id {
        return Err(AppError::CannotRemoveYourself);
    }
    // Apps outlive their owner's membership: they pass to the admin, as on a demotion.
    server::transfer_apps_to_actor(&mut tx, &actor, user_id).await?;
    store::remove_member(&mut tx, &member, workspace_id).await?;
    server::record_and_commit(tx, &actor, user_id, crate::audit::Action::MemberRemoved).await?;
    Ok(())
}

/// Signs a member out in every browser: every session of theirs ends. Sessions belong to
/// the person, not to one workspace, so this signs them out of every workspace; they sign
/// in again to go on.
#[server(endpoint = "users/sign-out-everywhere")]
pub async fn sign_member_out_everywhere(slug: String, user_id: i64) -> Result<(), AppError> {
    let (actor, state) = crate::access::admin_of(&slug).await?;
    let mut tx = crate::access::begin_as_admin(&state, &actor).await?;
    server::member(&mut tx, &actor, user_id).await?;
    crate::auth::session::end_all(&mut tx, user_id).await?;
    server::record_and_commit(tx, &actor, user_id, crate::audit::Action::SessionsEnded).await
}

/// A fresh invitation link for an invited member, for the admin to pass on themselves.
/// Links sent earlier keep working until one of them is used.
#[server(endpoint = "users/invitation-link")]
pub async fn invitation_link(slug: String, user_id: i64) -> Result<String, AppError> {
    use crate::invitations::Delivery;
    let (actor, state) = crate::access::admin_of(&slug).await?;
    let mut tx = crate::access::begin_as_admin(&state, &actor).await?;
    let (_, token) = server::new_link(&mut tx, &state, &actor, user_id, Delivery::Copied).await?;
    server::record_and_commit(
        tx,
        &actor,
        user_id,
        crate::audit::Action::InvitationLinkCopied,
    )
    .await?;
    Ok(crate::invitations::link_for(&state.config, &token))
}

/// Sends an invited member a new link; earlier links stop working.
#[server(endpoint = "users/resend-invitation")]
pub async fn resend_invitation(slug: String, user_id: i64) -> Result<InvitationSent, AppError> {
    use crate::invitations::Delivery;
    let (actor, state) = crate::access::admin_of(&slug).await?;
    let mut tx = crate::access::begin_as_admin(&state, &actor).await?;
    let (member, token) =
        server::new_link(&mut tx, &state, &actor, user_id, Delivery::Mail).await?;
    server::record_and_commit(tx, &actor, user_id, crate::audit::Action::InvitationResent).await?;
    let mail_queued = server::mail_invitation(&state, &actor, &member.email, &token).await;
    Ok(InvitationSent {
        email: member.email,
        mail_queued,
    })
}

#[cfg(feature = "ssr")]
pub(crate) mod server {
    //! What the member functions share on the server.

    use sqlx::{Any, AnyConnection, Transaction};

    use crate::access::WorkspaceActor;
    use crate::audit;
    use crate::error::AppError;
    use crate::invitations::Delivery;
    use crate::memberships::MembershipStatus;
    use crate::state::AppState;
    use crate::tokens::SecretToken;
    use crate::users::store::{Member, find_member};

    /// A member who became an End-user leaves the builder-level custom groups, and the
    /// apps they own pass to the admin who made the change.
    pub async fn leave_builder_level(
        conn: &mut AnyConnection,
        actor: &WorkspaceActor,
        user_id: i64,
    ) -> Result<(), AppError> {
        use crate::groups::store;
        let workspace_id = actor.workspace.id;
        let groups = store::custom_groups_of(conn, workspace_id, user_id).await?;
        for group in crate::permissions::groups_left_as_end_user(&groups) {
            store::remove_member(conn, group.id, user_id).await?;
            crate::groups::server::record_for(
                conn,
                actor,
                user_id,
                audit::Action::GroupMemberRemoved,
                &group.name,
            )
            .await?;
        }
        transfer_apps_to_actor(conn, actor, user_id).await
    }

    /// The apps a member owns pass to the admin making the change, audited by name.
    pub async fn transfer_apps_to_actor(
        conn: &mut AnyConnection,
        actor: &WorkspaceActor,
        user_id: i64,
    ) -> Result<(), AppError> {
        use crate::groups::store;
        let workspace_id = actor.workspace.id;
        let apps = store::owned_apps(conn, workspace_id, user_id).await?;
        if !apps.is_empty() {
            store::transfer_apps(conn, workspace_id, user_id, actor.user.id).await?;
            let names: Vec<String> = apps.into_iter().map(|(_, name)| name).collect();
            crate::groups::server::record_for(
                conn,
                actor,
                user_id,
                audit::Action::AppsTransferred,
                &names.join(", "),
            )
            .await?;
        }
        Ok(())
    }

    /// A member of the actor's workspace; ids from elsewhere are simply not found.
    pub async fn member(
        conn: &mut AnyConnection,
        actor: &WorkspaceActor,
        user_id: i64,
    ) -> Result<Member, AppError> {
        find_member(conn, actor.workspace.id, user_id)
            .await?
            .ok_or(AppError::MemberNotFound)
    }

    /// A new link for an invited member, within the rate limits. A mailed link replaces
    /// the links they have, as a resend does; a copied link goes alongside them.
    pub async fn new_link(
        conn: &mut AnyConnection,
        state: &AppState,
        actor: &WorkspaceActor,
        user_id: i64,
        delivery: Delivery,
    ) -> Result<(Member, SecretToken), AppError> {
        let member = member(conn, actor, user_id).await?;
        if member.status != MembershipStatus::Invited {
            return Err(AppError::NotInvited);
        }
        within_invitation_rate(conn, actor, Some(user_id)).await?;
        if delivery == Delivery::Mail {
            crate::invitations::store::revoke_all(conn, member.membership_id).await?;
        }
        let token = crate::invitations::store::issue(
            conn,
            member.membership_id,
            state.config.invite_ttl,
            delivery,
        )
        .await?;
        Ok((member, token))
    }

    /// An existing account being invited into the actor's workspace: refused only when it
    /// is already a member here. Whatever else is true of the account (a member
    /// elsewhere, archived in the instance) answers alike: a workspace admin learns
    /// nothing about other workspaces by inviting someone.
    pub async fn admit_account(
        conn: &mut AnyConnection,
        actor: &WorkspaceActor,
        user_id: i64,
    ) -> Result<i64, AppError> {
        within_invitation_rate(conn, actor, Some(user_id)).await?;
        if find_member(conn, actor.workspace.id, user_id)
            .await?
            .is_some()
        {
            return Err(AppError::AlreadyMember);
        }
        Ok(user_id)
    }

    /// Rate limits on invitations, counted from the audit trail: the admin's in every
    /// workspace, the person's from this workspace only.
    pub async fn within_invitation_rate(
        conn: &mut AnyConnection,
        actor: &WorkspaceActor,
        user_id: Option<i64>,
    ) -> Result<(), AppError> {
        use crate::invitations::store::{recent_by_admin, recent_for_person};
        let by_admin = recent_by_admin(conn, actor.user.id).await?;
        let for_person = match user_id {
            Some(user_id) => recent_for_person(conn, actor.workspace.id, user_id).await?,
            None => 0,
        };
        crate::invitations::check_invitation_rate(by_admin, for_person).inspect_err(|_| {
            tracing::warn!(
                actor = actor.user.id,
                ?user_id,
                "invitation refused: rate limit"
            );
        })
    }

    /// Ends a change to one member: its audit event goes into the same transaction,
    /// which then commits.
    pub async fn record_and_commit(
        mut tx: Transaction<'static, Any>,
        actor: &WorkspaceActor,
        user_id: i64,
        action: audit::Action,
    ) -> Result<(), AppError> {
        audit::record(
            &mut tx,
            audit::Event {
                actor_user_id: Some(actor.user.id),
                workspace_id: Some(actor.workspace.id),
                target_user_id: Some(user_id),
                action,
                detail: "",
            },
        )
        .await?;
        tx.commit().await?;
        tracing::info!(
            actor = actor.user.id,
            user_id,
            workspace = %actor.workspace.slug,
            action = action.key(),
            "member changed"
        );
        Ok(())
    }

    /// The invitation mail with `token`'s link, from the actor in their workspace.
    pub fn invitation_mail_to(
        state: &AppState,
        actor: &WorkspaceActor,
        email: &str,
        token: &SecretToken,
    ) -> crate::mail::Mail {
        crate::invitations::invitation_mail(
            email,
            &actor.workspace.name,
            &actor.user.full_name,
            &crate::invitations::link_for(&state.config, token),
            &crate::invitations::describe_validity(state.config.invite_ttl),
        )
    }

    /// Queues the invitation mail once the invitation is committed. A failure here is
    /// logged and reported, and leaves the invitation in place.
    pub async fn mail_invitation(
        state: &AppState,
        actor: &WorkspaceActor,
        email: &str,
        token: &SecretToken,
    ) -> bool {
        let mail = invitation_mail_to(state, actor, email, token);
        crate::mail::store::queue(state, &mail).await
    }
}
