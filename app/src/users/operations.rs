//! The member use cases of a workspace, for every adapter: the Users page's server
//! functions and the REST API call these with the actor they authenticated.

use super::members::server::{self, admit_account, mail_invitation, record_and_commit};
use super::members::{
    InvitationSent, MemberDetails, MemberPage, ResourcePermissions, RoleChangePreview, StatusFilter,
};
use super::store::{self, PagePosition};
use crate::access::{Scope, WorkspaceActor, begin_as_admin};
use crate::audit;
use crate::error::AppError;
use crate::groups::store::custom_group_ids_of;
use crate::invitations::Delivery;
use crate::memberships::Role;
use crate::metadata::MetadataEdit;
use crate::state::AppState;

/// Which members a listing asks for.
#[derive(Debug, Clone)]
pub struct MemberQuery {
    /// A prefix of an email or a name, already normalised by [`super::search_key`].
    pub search: Option<String>,
    pub status: StatusFilter,
    /// Only the members of this custom group.
    pub group_id: Option<i64>,
    pub position: PagePosition,
    pub limit: i64,
    /// The total and each member's metadata key count: two queries more, which the
    /// Users page shows and the API leaves out.
    pub with_counts: bool,
}

pub async fn list(
    state: &AppState,
    actor: &WorkspaceActor,
    query: MemberQuery,
) -> Result<MemberPage, AppError> {
    actor.authorise(Role::Admin, Scope::MembersRead)?;
    if let Some(group_id) = query.group_id {
        let mut conn = state.db.acquire().await?;
        let group = crate::groups::store::find(&mut conn, actor.workspace.id, group_id).await?;
        if !group.is_some_and(|group| group.is_custom()) {
            return Err(AppError::GroupNotFound);
        }
    }
    let filter = store::MemberFilter {
        search: query.search.as_deref(),
        status: query.status,
        group_id: query.group_id,
    };
    store::listing(
        &state.db,
        actor.workspace.id,
        filter,
        query.position,
        query.limit,
        query.with_counts,
    )
    .await
}

/// Someone to invite: checked input.
#[derive(Debug, Clone)]
pub struct Invitee {
    pub full_name: String,
    pub email: String,
    pub role: Role,
    pub metadata: std::collections::BTreeMap<String, String>,
    /// The custom groups they join with the invitation.
    pub group_ids: Vec<i64>,
}

impl Invitee {
    pub fn parse(
        full_name: &str,
        email: &str,
        role: &str,
        metadata: &[MetadataEdit],
        group_ids: Vec<i64>,
    ) -> Result<Invitee, AppError> {
        let email = super::normalise_email(email)?;
        Ok(Invitee {
            full_name: super::name_for_invitation(full_name, &email)?,
            email,
            role: Role::parse(role)?,
            metadata: crate::metadata::apply_edits(&Default::default(), metadata)?,
            group_ids,
        })
    }
}

/// The outcome of an invitation: who, and whether the mail went into the queue.
pub struct Invited {
    pub user_id: i64,
    pub sent: InvitationSent,
}

/// Invites someone by email: their membership starts as Invited, and a link goes out.
/// Groups that would give an End-user builder-level permissions need
/// `allow_role_change`, which makes them a Builder.
pub async fn invite(
    state: &AppState,
    actor: &WorkspaceActor,
    invitee: Invitee,
    allow_role_change: bool,
) -> Result<Invited, AppError> {
    actor.authorise(Role::Admin, Scope::MembersWrite)?;
    if !invitee.group_ids.is_empty() {
        actor.credential.permits(Scope::GroupsWrite)?;
    }
    // Two admins inviting one address at once take turns, so the second is told it is
    // already a member rather than meeting a unique index.
    let mut tx = begin_as_admin(state, actor).await?;
    let pending = invite_in(&mut tx, state, actor, invitee, allow_role_change).await?;
    tx.commit().await?;
    Ok(pending.send(state, actor).await)
}

/// An invitation written but not yet mailed: the mail goes once its change commits.
pub struct PendingInvitation {
    pub user_id: i64,
    email: String,
    token: crate::tokens::SecretToken,
}

impl PendingInvitation {
    pub async fn send(self, state: &AppState, actor: &WorkspaceActor) -> Invited {
        Invited {
            user_id: self.user_id,
            sent: mail_invitation(state, actor, self.email, &self.token).await,
        }
    }
}

/// Invites someone within the caller's change to the workspace (begun with
/// [`begin_as_admin`]).
pub async fn invite_in(
    tx: &mut sqlx::AnyConnection,
    state: &AppState,
    actor: &WorkspaceActor,
    invitee: Invitee,
    allow_role_change: bool,
) -> Result<PendingInvitation, AppError> {
    let Invitee {
        full_name,
        email,
        role,
        metadata,
        group_ids,
    } = invitee;
    let workspace_id = actor.workspace.id;
    let user_id = match store::account_id(tx, &email).await? {
        Some(account) => admit_account(tx, actor, account).await?,
        None => {
            server::within_invitation_rate(tx, actor, None).await?;
            match store::insert_invited(tx, &email, &full_name, workspace_id).await? {
                Some(created) => created,
                // Another workspace's invitation created the account a moment ago.
                None => {
                    let account = store::account_id(tx, &email)
                        .await?
                        .ok_or(AppError::Internal)?;
                    admit_account(tx, actor, account).await?
                }
            }
        }
    };
    let membership_id =
        crate::workspaces::store::add_invitee(tx, workspace_id, user_id, role, &full_name).await?;
    crate::metadata::store::replace(
        tx,
        &state.keys,
        workspace_id,
        user_id,
        &Default::default(),
        &metadata,
    )
    .await?;
    let token = crate::invitations::store::issue(
        tx,
        membership_id,
        state.config.invite_ttl,
        Delivery::Mail,
    )
    .await?;
    let action = match actor.credential {
        crate::access::Credential::ScimToken { .. } => audit::Action::MemberProvisioned,
        _ => audit::Action::MemberInvited,
    };
    audit::record_by(tx, actor, Some(user_id), action, role.key()).await?;
    // A new membership has no groups yet.
    crate::groups::operations::set_member_groups_in(
        tx,
        actor,
        user_id,
        &[],
        &group_ids,
        allow_role_change,
    )
    .await?;
    tracing::info!(actor = actor.user.id, user_id, workspace = %actor.workspace.slug, "member invited");
    Ok(PendingInvitation {
        user_id,
        email,
        token,
    })
}

/// A member with their metadata keys (never values) and custom groups.
pub async fn details(
    state: &AppState,
    actor: &WorkspaceActor,
    user_id: i64,
) -> Result<MemberDetails, AppError> {
    actor.authorise(Role::Admin, Scope::MembersRead)?;
    let mut conn = state.db.acquire().await?;
    details_on(&mut conn, actor, user_id).await
}

async fn details_on(
    conn: &mut sqlx::AnyConnection,
    actor: &WorkspaceActor,
    user_id: i64,
) -> Result<MemberDetails, AppError> {
    let member = server::member(conn, actor, user_id).await?;
    let metadata_keys = crate::metadata::store::keys_of(conn, actor.workspace.id, user_id).await?;
    let (group_ids, groups) =
        crate::groups::store::custom_groups_of(conn, actor.workspace.id, user_id)
            .await?
            .into_iter()
            .map(|group| (group.id, group.name))
            .unzip();
    Ok(MemberDetails {
        user_id,
        full_name: member.full_name,
        email: member.email,
        role: member.role,
        status: member.status,
        metadata_keys,
        groups,
        group_ids,
    })
}

/// How a change names the metadata a member ends up with.
#[derive(Debug, Clone)]
pub enum MetadataChange {
    /// Every key they keep, as the edit form sends it (a missing value keeps the stored
    /// one); keys not listed are removed.
    Whole(Vec<MetadataEdit>),
    /// Only the keys named: set to a value or removed; the rest stay.
    Patch(std::collections::BTreeMap<String, Option<String>>),
}

/// A change to a member's role, metadata and custom groups, made together or not at all.
#[derive(Debug, Clone)]
pub struct MemberChange {
    pub role: Option<Role>,
    pub metadata: MetadataChange,
    /// Every custom group they are to be in; `None` leaves their groups as they are.
    pub groups: Option<Vec<i64>>,
    /// Consent to make an End-user a Builder when a group they join needs it.
    pub allow_role_change: bool,
    /// The versions the change may apply to ([`versioned_details`]); refused if the
    /// member is at none of them. `None` applies it whatever the version.
    pub based_on: Option<Vec<String>>,
}

/// A member with their version: a digest of everything about them a change can touch
/// (metadata values included, sealed), so a client can ask that a change apply only to
/// what it read.
pub async fn versioned_details(
    state: &AppState,
    actor: &WorkspaceActor,
    user_id: i64,
) -> Result<(MemberDetails, String), AppError> {
    actor.authorise(Role::Admin, Scope::MembersRead)?;
    let mut conn = state.db.acquire().await?;
    versioned_on(&mut conn, actor, user_id).await
}

async fn versioned_on(
    conn: &mut sqlx::AnyConnection,
    actor: &WorkspaceActor,
    user_id: i64,
) -> Result<(MemberDetails, String), AppError> {
    use sha2::{Digest, Sha256};
    let details = details_on(conn, actor, user_id).await?;
    let sealed = crate::metadata::store::sealed_values(conn, actor.workspace.id, user_id).await?;
    let mut digest = Sha256::new();
    digest.update(serde_json::to_vec(&details).map_err(|_| AppError::Internal)?);
    for value in sealed {
        digest.update(value.as_bytes());
    }
    let version = hex::encode(&digest.finalize()[..16]);
    Ok((details, version))
}

/// Changes a member's role and metadata together. Returns the member as they are now,
/// with their new version.
pub async fn update(
    state: &AppState,
    actor: &WorkspaceActor,
    user_id: i64,
    change: MemberChange,
) -> Result<(MemberDetails, String), AppError> {
    actor.authorise(Role::Admin, Scope::MembersWrite)?;
    if change.groups.is_some() {
        actor.credential.permits(Scope::GroupsWrite)?;
    }
    let workspace_id = actor.workspace.id;
    let mut tx = begin_as_admin(state, actor).await?;
    if let Some(accepted) = &change.based_on {
        let (_, current) = versioned_on(&mut tx, actor, user_id).await?;
        if !accepted.contains(&current) {
            return Err(AppError::ChangedMeanwhile);
        }
    }
    let member = server::member(&mut tx, actor, user_id).await?;
    let stored = crate::metadata::store::load(&mut tx, &state.keys, workspace_id, user_id).await?;
    let edits = match change.metadata {
        MetadataChange::Whole(edits) => edits,
        MetadataChange::Patch(patch) => crate::metadata::edits_of_patch(&stored, &patch),
    };
    let wanted = crate::metadata::apply_edits(&stored, &edits)?;
    let groups_before = match &change.groups {
        Some(_) => custom_group_ids_of(&mut tx, workspace_id, user_id).await?,
        None => Vec::new(),
    };
    let role_changed = match change.role {
        Some(role) => {
            crate::memberships::operations::change_role(&mut tx, actor, &member, role).await?
        }
        None => false,
    };
    if let Some(mut wanted) = change.groups {
        let current = if role_changed {
            // A new role's consequences win over the groups the form sent unchanged: the
            // builder-level groups an End-user leaves (listed in the confirmation) stay
            // left.
            let groups_after = custom_group_ids_of(&mut tx, workspace_id, user_id).await?;
            wanted.retain(|id| !groups_before.contains(id) || groups_after.contains(id));
            groups_after
        } else {
            groups_before
        };
        crate::groups::operations::set_member_groups_in(
            &mut tx,
            actor,
            user_id,
            &current,
            &wanted,
            change.allow_role_change,
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
        audit::record_by(
            &mut tx,
            actor,
            Some(user_id),
            audit::Action::MemberMetadataChanged,
            &detail,
        )
        .await?;
    }
    let now = versioned_on(&mut tx, actor, user_id).await?;
    tx.commit().await?;
    tracing::info!(actor = actor.user.id, user_id, workspace = %actor.workspace.slug, "member updated");
    Ok(now)
}

/// What changing a member's role would do, for the confirmation before it.
pub async fn preview_role_change(
    state: &AppState,
    actor: &WorkspaceActor,
    user_id: i64,
    role: Role,
) -> Result<RoleChangePreview, AppError> {
    actor.authorise(Role::Admin, Scope::MembersRead)?;
    let mut conn = state.db.acquire().await?;
    let member = server::member(&mut conn, actor, user_id).await?;
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
/// action with its reasons: "why can X do Y".
pub async fn effective_permissions(
    state: &AppState,
    actor: &WorkspaceActor,
    user_id: i64,
) -> Result<Vec<ResourcePermissions>, AppError> {
    use crate::permissions::{Subject, explain};
    actor.authorise(Role::Admin, Scope::MembersRead)?;
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

/// Signs a member out in every browser. Sessions belong to the person, not to one
/// workspace, so this signs them out of every workspace.
pub async fn sign_out_everywhere(
    state: &AppState,
    actor: &WorkspaceActor,
    user_id: i64,
) -> Result<(), AppError> {
    actor.authorise(Role::Admin, Scope::MembersWrite)?;
    let mut tx = begin_as_admin(state, actor).await?;
    server::member(&mut tx, actor, user_id).await?;
    crate::auth::session::end_all(&mut tx, user_id).await?;
    record_and_commit(tx, actor, user_id, audit::Action::SessionsEnded).await
}

/// A fresh invitation link for an invited member, for the admin to pass on themselves.
/// Links sent earlier keep working until one of them is used.
pub async fn invitation_link(
    state: &AppState,
    actor: &WorkspaceActor,
    user_id: i64,
) -> Result<String, AppError> {
    actor.authorise(Role::Admin, Scope::MembersWrite)?;
    let mut tx = begin_as_admin(state, actor).await?;
    let (_, token) = server::new_link(&mut tx, state, actor, user_id, Delivery::Copied).await?;
    record_and_commit(tx, actor, user_id, audit::Action::InvitationLinkCopied).await?;
    Ok(crate::invitations::link_for(&state.config, &token))
}

/// Sends an invited member a new link; earlier links stop working.
pub async fn resend_invitation(
    state: &AppState,
    actor: &WorkspaceActor,
    user_id: i64,
) -> Result<InvitationSent, AppError> {
    actor.authorise(Role::Admin, Scope::MembersWrite)?;
    let mut tx = begin_as_admin(state, actor).await?;
    let (member, token) = server::new_link(&mut tx, state, actor, user_id, Delivery::Mail).await?;
    record_and_commit(tx, actor, user_id, audit::Action::InvitationResent).await?;
    Ok(mail_invitation(state, actor, member.email, &token).await)
}
