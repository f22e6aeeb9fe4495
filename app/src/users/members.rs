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
    /// Their custom groups' names, in name order (the Users page only).
    pub groups: Vec<String>,
    /// Owned by the workspace's identity provider, through SCIM.
    pub provisioned: bool,
    /// What single sign-on's group sync last had to skip for this member, and why.
    pub sso_sync_warning: Option<String>,
    /// Invited, and every link they were sent has run out (the Users page only).
    pub invitation_expired: bool,
}

/// How many members the workspace has in each status, whatever the search.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCounts {
    pub active: i64,
    pub invited: i64,
    pub archived: i64,
}

impl StatusCounts {
    pub fn of(&self, status: MembershipStatus) -> i64 {
        match status {
            MembershipStatus::Active => self.active,
            MembershipStatus::Invited => self.invited,
            MembershipStatus::Archived => self.archived,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberPage {
    pub members: Vec<MemberRow>,
    /// How many members match the search and filter, on every page, when asked for.
    pub total: Option<i64>,
    /// The workspace's members by status, asked for with the total.
    pub status_counts: Option<StatusCounts>,
    /// The email to continue after, when there is a next page.
    pub next_after: Option<String>,
    /// The email to go back before, when there is a previous page.
    pub previous_before: Option<String>,
}

/// A member opened for editing: metadata keys, never values, and their custom groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberDetails {
    pub user_id: i64,
    pub full_name: String,
    pub email: String,
    pub role: Role,
    pub status: MembershipStatus,
    pub metadata_keys: Vec<String>,
    /// Their custom groups' names, and the same groups' ids in the same order.
    pub groups: Vec<String>,
    pub group_ids: Vec<i64>,
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
    /// No filter or `"all"` for everyone, else a status key; anything else, an empty
    /// field included, is refused.
    pub fn parse(input: Option<&str>) -> Result<StatusFilter, AppError> {
        match input.map(str::trim) {
            None | Some("all") => Ok(StatusFilter::All),
            Some(key) => MembershipStatus::from_key(key)
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

/// One page of the workspace's members, by email; `group` keeps the members of one
/// custom group.
#[server(endpoint = "users/list")]
pub async fn list_members(
    slug: String,
    search: Option<String>,
    status: Option<String>,
    group: Option<i64>,
    after: Option<String>,
    before: Option<String>,
) -> Result<MemberPage, AppError> {
    use super::operations::MemberQuery;
    use super::store::PagePosition;

    let (actor, state) = crate::access::session_actor(&slug).await?;
    let position = match (after, before) {
        (Some(after), _) if !after.is_empty() => PagePosition::After(after),
        (_, Some(before)) if !before.is_empty() => PagePosition::Before(before),
        _ => PagePosition::First,
    };
    let query = MemberQuery {
        search: search.as_deref().and_then(super::search_key),
        status: StatusFilter::parse(status.as_deref())?,
        group_id: group,
        position,
        limit: PAGE_SIZE,
        with_counts: true,
    };
    super::operations::list(&state, &actor, query).await
}

/// Invites someone by email: their membership starts as Invited, and a link goes out.
/// Custom groups that would make an End-user a Builder need `allow_role_change`.
#[server(endpoint = "users/invite", input = Json)]
pub async fn invite_member(
    slug: String,
    full_name: String,
    email: String,
    role: String,
    metadata: Vec<MetadataEdit>,
    #[server(default)] group_ids: Vec<i64>,
    #[server(default)] allow_role_change: bool,
) -> Result<InvitationSent, AppError> {
    use super::operations::Invitee;
    let (actor, state) = crate::access::session_actor(&slug).await?;
    let invitee = Invitee::parse(&full_name, &email, &role, &metadata, group_ids)?;
    Ok(
        super::operations::invite(&state, &actor, invitee, allow_role_change)
            .await?
            .sent,
    )
}

/// A member, for the edit form.
#[server(endpoint = "users/details")]
pub async fn member_for_editing(slug: String, user_id: i64) -> Result<MemberDetails, AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    super::operations::details(&state, &actor, user_id).await
}

/// Changes a member's role, metadata and custom groups together (`group_ids`, when
/// given, is every custom group they are to be in). Groups that would make an End-user
/// a Builder need `allow_role_change`.
#[server(endpoint = "users/update", input = Json)]
pub async fn update_member(
    slug: String,
    user_id: i64,
    role: String,
    metadata: Vec<MetadataEdit>,
    #[server(default)] group_ids: Option<Vec<i64>>,
    #[server(default)] allow_role_change: bool,
) -> Result<(), AppError> {
    use super::operations::{MemberChange, MetadataChange};
    let (actor, state) = crate::access::session_actor(&slug).await?;
    let change = MemberChange {
        role: Some(Role::parse(&role)?),
        metadata: MetadataChange::Whole(metadata),
        groups: group_ids,
        allow_role_change,
        based_on: None,
    };
    super::operations::update(&state, &actor, user_id, change).await?;
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
    let (actor, state) = crate::access::session_actor(&slug).await?;
    let role = Role::parse(&role)?;
    super::operations::preview_role_change(&state, &actor, user_id, role).await
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
    let (actor, state) = crate::access::session_actor(&slug).await?;
    super::operations::effective_permissions(&state, &actor, user_id).await
}

/// Archives a member: they can't use the workspace from their next request on.
#[server(endpoint = "users/archive")]
pub async fn archive_member(slug: String, user_id: i64) -> Result<(), AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    crate::memberships::operations::archive(&state, &actor, user_id).await
}

/// Unarchives a member back to Invited, with a new invitation to accept.
#[server(endpoint = "users/unarchive")]
pub async fn unarchive_member(slug: String, user_id: i64) -> Result<InvitationSent, AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    crate::memberships::operations::unarchive(&state, &actor, user_id).await
}

/// Removes a member from the workspace, with their metadata and invitations.
#[server(endpoint = "users/remove")]
pub async fn remove_member(slug: String, user_id: i64) -> Result<(), AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    crate::memberships::operations::remove(&state, &actor, user_id).await
}

/// Signs a member out in every browser: every session of theirs ends. Sessions belong to
/// the person, not to one workspace, so this signs them out of every workspace; they sign
/// in again to go on.
#[server(endpoint = "users/sign-out-everywhere")]
pub async fn sign_member_out_everywhere(slug: String, user_id: i64) -> Result<(), AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    super::operations::sign_out_everywhere(&state, &actor, user_id).await
}

/// A fresh invitation link for an invited member, for the admin to pass on themselves.
/// Links sent earlier keep working until one of them is used.
#[server(endpoint = "users/invitation-link")]
pub async fn invitation_link(slug: String, user_id: i64) -> Result<String, AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    super::operations::invitation_link(&state, &actor, user_id).await
}

/// Sends an invited member a new link; earlier links stop working.
#[server(endpoint = "users/resend-invitation")]
pub async fn resend_invitation(slug: String, user_id: i64) -> Result<InvitationSent, AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    super::operations::resend_invitation(&state, &actor, user_id).await
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
        // Identity providers provision in bulk (a first sync brings everyone), so SCIM
        // isn't held to an admin's rate; the limit per person still guards inboxes.
        let by_admin = match actor.credential {
            crate::access::Credential::ScimToken { .. } => 0,
            _ => recent_by_admin(conn, actor.user.id).await?,
        };
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
        audit::record_by(&mut tx, actor, Some(user_id), action, "").await?;
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
        email: String,
        token: &SecretToken,
    ) -> super::InvitationSent {
        let mail = invitation_mail_to(state, actor, &email, token);
        let mail_queued = crate::mail::store::queue(state, &mail).await;
        super::InvitationSent { email, mail_queued }
    }
}
