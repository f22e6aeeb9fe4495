//! The group use cases every adapter shares: listing and reading groups, creating,
//! renaming and deleting custom groups, and changing their members.

use std::collections::HashSet;

use super::server::{self, Reaching, keep_end_users_view_only, record_for};
use super::{
    GroupAccess, GroupDetails, GroupMember, GroupSummary, ResourceOption, RuleForm, store,
};
use crate::access::{Scope, WorkspaceActor, begin_as_admin};
use crate::audit::Action;
use crate::error::AppError;
use crate::memberships::{MembershipStatus, Role};
use crate::permissions::{CustomOnly, Flags, ResourceKind, check_custom, normalise_group_name};
use crate::state::AppState;

pub async fn list(state: &AppState, actor: &WorkspaceActor) -> Result<Vec<GroupSummary>, AppError> {
    actor.authorise(Role::Admin, Scope::GroupsRead)?;
    let mut conn = state.db.acquire().await?;
    store::list(&mut conn, actor.workspace.id).await
}

pub async fn details(
    state: &AppState,
    actor: &WorkspaceActor,
    group_id: i64,
) -> Result<GroupDetails, AppError> {
    actor.authorise(Role::Admin, Scope::GroupsRead)?;
    let mut conn = state.db.acquire().await?;
    let group = server::group(&mut conn, actor.workspace.id, group_id).await?;
    server::details(&mut conn, actor.workspace.id, group).await
}

pub async fn create(
    state: &AppState,
    actor: &WorkspaceActor,
    name: &str,
) -> Result<GroupSummary, AppError> {
    actor.authorise(Role::Admin, Scope::GroupsWrite)?;
    let name = normalise_group_name(name)?;
    let mut tx = begin_as_admin(state, actor).await?;
    let id = store::create(&mut tx, actor.workspace.id, &name).await?;
    server::record(&mut tx, actor, Action::GroupCreated, &name).await?;
    tx.commit().await?;
    Ok(GroupSummary {
        id,
        name,
        role: None,
        members: 0,
    })
}

pub async fn rename(
    state: &AppState,
    actor: &WorkspaceActor,
    group_id: i64,
    name: &str,
) -> Result<(), AppError> {
    actor.authorise(Role::Admin, Scope::GroupsWrite)?;
    let mut tx = begin_as_admin(state, actor).await?;
    let group = server::group(&mut tx, actor.workspace.id, group_id).await?;
    check_custom(&group, CustomOnly::Rename)?;
    let name = normalise_group_name(name)?;
    store::rename(&mut tx, group.id, &name).await?;
    let detail = format!("{} -> {name}", group.name);
    server::record(&mut tx, actor, Action::GroupRenamed, &detail).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn delete(
    state: &AppState,
    actor: &WorkspaceActor,
    group_id: i64,
) -> Result<(), AppError> {
    actor.authorise(Role::Admin, Scope::GroupsWrite)?;
    let mut tx = begin_as_admin(state, actor).await?;
    let group = server::group(&mut tx, actor.workspace.id, group_id).await?;
    check_custom(&group, CustomOnly::Delete)?;
    store::delete(&mut tx, group.id).await?;
    server::record(&mut tx, actor, Action::GroupDeleted, &group.name).await?;
    tx.commit().await?;
    Ok(())
}

/// Adds members to a group. Members already in it stay as they are. In a custom group,
/// an End-user who would gain a builder-level permission needs `allow_role_change`; a
/// role group's members are the members with its role, so joining one changes the
/// member's role, as Edit user details does (the last active admin keeps theirs).
pub async fn add_members(
    state: &AppState,
    actor: &WorkspaceActor,
    group_id: i64,
    user_ids: Vec<i64>,
    allow_role_change: bool,
) -> Result<(), AppError> {
    actor.authorise(Role::Admin, Scope::GroupsWrite)?;
    actor.credential.permits(Scope::MembersWrite)?;
    let mut tx = begin_as_admin(state, actor).await?;
    let group = server::group(&mut tx, actor.workspace.id, group_id).await?;
    if let crate::permissions::GroupKind::Role(role) = group.kind {
        let members =
            crate::users::store::find_members(&mut tx, actor.workspace.id, &user_ids).await?;
        if members.len() != user_ids.iter().collect::<HashSet<_>>().len() {
            return Err(AppError::MemberNotFound);
        }
        for member in members {
            if member.status == MembershipStatus::Archived {
                return Err(AppError::MemberCannotJoinGroup);
            }
            crate::memberships::operations::change_role(&mut tx, actor, &member, role).await?;
        }
        tx.commit().await?;
        return Ok(());
    }
    add_members_in(
        &mut tx,
        actor,
        &group,
        user_ids,
        allow_role_change,
        Archived::Refused,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Whether archived members may join a group. An admin adding one is more likely a
/// mistake; an identity provider's directory keeps the groups of people it deactivated,
/// and they come back with them. The end-user rule counts them either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Archived {
    Refused,
    Admitted,
}

/// Adds members to a custom group within the caller's change, a few queries whatever
/// their number: identity providers add thousands at once.
pub async fn add_members_in(
    conn: &mut sqlx::AnyConnection,
    actor: &WorkspaceActor,
    group: &crate::permissions::Group,
    user_ids: Vec<i64>,
    allow_role_change: bool,
    archived: Archived,
) -> Result<(), AppError> {
    let workspace_id = actor.workspace.id;
    // Each user once, however often the request names them: the consent dialog lists
    // them once and each promotion is recorded once.
    let mut seen = HashSet::new();
    let user_ids: Vec<i64> = user_ids
        .into_iter()
        .filter(|user_id| seen.insert(*user_id))
        .collect();
    let found = crate::users::store::find_members(conn, workspace_id, &user_ids).await?;
    if found.len() != user_ids.len() {
        return Err(AppError::MemberNotFound);
    }
    let mut joining = Vec::with_capacity(found.len());
    for member in found {
        if member.status == MembershipStatus::Archived && archived == Archived::Refused {
            return Err(AppError::MemberCannotJoinGroup);
        }
        joining.push(GroupMember {
            user_id: member.user_id,
            full_name: member.full_name,
            email: member.email,
            role: member.role,
            status: member.status,
        });
    }
    keep_end_users_view_only(
        conn,
        actor,
        group,
        Reaching::Joining(&joining),
        allow_role_change,
    )
    .await?;
    let added = store::add_members(conn, group.id, workspace_id, &user_ids).await?;
    crate::audit::record_many_by(conn, actor, &added, Action::GroupMemberAdded, &group.name).await
}

/// Moves a member from the custom groups `current` (those they are in, which the caller
/// has read) to exactly the groups `wanted`, within the caller's change (an invitation
/// or Edit user details): the groups they join go through the end-user rule, as adding
/// them on the Groups page does, and each join and leave is audited.
pub async fn set_member_groups_in(
    conn: &mut sqlx::AnyConnection,
    actor: &WorkspaceActor,
    user_id: i64,
    current: &[i64],
    wanted: &[i64],
    allow_role_change: bool,
) -> Result<(), AppError> {
    let workspace_id = actor.workspace.id;
    let wanted: HashSet<i64> = wanted.iter().copied().collect();
    for group_id in current {
        if !wanted.contains(group_id) {
            let group = server::group(conn, workspace_id, *group_id).await?;
            store::remove_member(conn, group.id, user_id).await?;
            record_for(
                conn,
                actor,
                user_id,
                Action::GroupMemberRemoved,
                &group.name,
            )
            .await?;
        }
    }
    let mut joining: Vec<i64> = wanted
        .into_iter()
        .filter(|group_id| !current.contains(group_id))
        .collect();
    joining.sort_unstable();
    for group_id in joining {
        let group = server::group(conn, workspace_id, group_id).await?;
        check_custom(&group, CustomOnly::Members)?;
        add_members_in(
            conn,
            actor,
            &group,
            vec![user_id],
            allow_role_change,
            Archived::Refused,
        )
        .await?;
    }
    Ok(())
}

pub async fn remove_member(
    state: &AppState,
    actor: &WorkspaceActor,
    group_id: i64,
    user_id: i64,
) -> Result<(), AppError> {
    actor.authorise(Role::Admin, Scope::GroupsWrite)?;
    let mut tx = begin_as_admin(state, actor).await?;
    let group = server::group(&mut tx, actor.workspace.id, group_id).await?;
    check_custom(&group, CustomOnly::Members)?;
    if !store::remove_member(&mut tx, group.id, user_id).await? {
        return Err(AppError::MemberNotFound);
    }
    record_for(
        &mut tx,
        actor,
        user_id,
        Action::GroupMemberRemoved,
        &group.name,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn duplicate(
    state: &AppState,
    actor: &WorkspaceActor,
    group_id: i64,
    users: bool,
    permissions: bool,
    granular: bool,
    allow_role_change: bool,
) -> Result<GroupSummary, AppError> {
    use crate::permissions::{Group, GroupKind, copy_name};
    actor.authorise(Role::Admin, Scope::GroupsWrite)?;
    let workspace_id = actor.workspace.id;
    let mut tx = begin_as_admin(state, actor).await?;
    let original = server::group(&mut tx, workspace_id, group_id).await?;
    let name = copy_name(
        &original.name,
        &store::name_keys(&mut tx, workspace_id).await?,
    );
    let copy = Group {
        id: 0,
        name: name.clone(),
        kind: GroupKind::Custom,
        flags: if permissions {
            original.flags
        } else {
            Flags::NONE
        },
        rules: if granular {
            original.rules.clone()
        } else {
            Vec::new()
        },
    };
    // Archived members come along too: they are members, only away for now.
    let members = if users {
        store::members_in_any_status(&mut tx, workspace_id, &original).await?
    } else {
        Vec::new()
    };
    server::keep_end_users_view_only(
        &mut tx,
        actor,
        &copy,
        server::Reaching::Joining(&members),
        allow_role_change,
    )
    .await?;
    let id = store::create(&mut tx, workspace_id, &name).await?;
    store::set_flags(&mut tx, id, copy.flags).await?;
    for rule in &copy.rules {
        store::insert_rule(&mut tx, id, rule).await?;
    }
    for member in &members {
        store::add_member(&mut tx, id, workspace_id, member.user_id).await?;
    }
    let detail = format!("{} -> {name}", original.name);
    server::record(
        &mut tx,
        actor,
        crate::audit::Action::GroupDuplicated,
        &detail,
    )
    .await?;
    tx.commit().await?;
    Ok(GroupSummary {
        id,
        name,
        role: None,
        members: members.len() as i64,
    })
}

pub async fn addable_members(
    state: &AppState,
    actor: &WorkspaceActor,
    group_id: i64,
    search: Option<String>,
) -> Result<Vec<GroupMember>, AppError> {
    actor.authorise(Role::Admin, Scope::GroupsRead)?;
    let mut conn = state.db.acquire().await?;
    let group = server::group(&mut conn, actor.workspace.id, group_id).await?;
    store::addable_members(
        &mut conn,
        actor.workspace.id,
        &group,
        search.as_deref().map(str::trim),
        20,
    )
    .await
}

pub async fn set_flag(
    state: &AppState,
    actor: &WorkspaceActor,
    group_id: i64,
    flag: String,
    on: bool,
    allow_role_change: bool,
) -> Result<(), AppError> {
    use crate::permissions::{Flag, check_flags_editable};
    actor.authorise(Role::Admin, Scope::GroupsWrite)?;
    let flag = Flag::from_key(&flag).ok_or(AppError::UnknownFlag)?;
    let workspace_id = actor.workspace.id;
    let mut tx = begin_as_admin(state, actor).await?;
    let mut group = server::group(&mut tx, workspace_id, group_id).await?;
    check_flags_editable(&group)?;
    group.flags = group.flags.with(flag, on);
    server::keep_end_users_view_only(
        &mut tx,
        actor,
        &group,
        server::Reaching::EveryMember,
        allow_role_change,
    )
    .await?;
    store::set_flags(&mut tx, group.id, group.flags).await?;
    let detail = format!(
        "{}: {} {}",
        group.name,
        flag.key(),
        if on { "on" } else { "off" }
    );
    server::record(
        &mut tx,
        actor,
        crate::audit::Action::GroupPermissionsChanged,
        &detail,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn save_rule(
    state: &AppState,
    actor: &WorkspaceActor,
    group_id: i64,
    rule_id: Option<i64>,
    rule: RuleForm,
    allow_role_change: bool,
) -> Result<i64, AppError> {
    actor.authorise(Role::Admin, Scope::GroupsWrite)?;
    let workspace_id = actor.workspace.id;
    let draft = server::draft_of(rule)?;
    let mut tx = begin_as_admin(state, actor).await?;
    let mut group = server::group(&mut tx, workspace_id, group_id).await?;
    if let Some(rule_id) = rule_id
        && !group.rules.iter().any(|rule| rule.id == rule_id)
    {
        return Err(AppError::RuleNotFound);
    }
    let checked = crate::permissions::check_rule(&group, draft, rule_id)?;
    if let crate::permissions::Scope::Only(ids) = &checked.scope
        && store::count_resources(&mut tx, workspace_id, checked.kind, ids).await? != ids.len()
    {
        return Err(AppError::ResourceNotFound);
    }
    match rule_id {
        Some(rule_id) => {
            if let Some(existing) = group.rules.iter_mut().find(|rule| rule.id == rule_id) {
                *existing = checked.clone();
            }
        }
        None => group.rules.push(checked.clone()),
    }
    server::keep_end_users_view_only(
        &mut tx,
        actor,
        &group,
        server::Reaching::EveryMember,
        allow_role_change,
    )
    .await?;
    let id = match rule_id {
        Some(rule_id) => {
            store::update_rule(&mut tx, &checked).await?;
            rule_id
        }
        None => store::insert_rule(&mut tx, group.id, &checked).await?,
    };
    let detail = format!(
        "{}: {}",
        group.name,
        crate::permissions::effective::describe_rule(&checked)
    );
    server::record(
        &mut tx,
        actor,
        crate::audit::Action::GroupRuleSaved,
        &detail,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn delete_rule(
    state: &AppState,
    actor: &WorkspaceActor,
    group_id: i64,
    rule_id: i64,
) -> Result<(), AppError> {
    actor.authorise(Role::Admin, Scope::GroupsWrite)?;
    let mut tx = begin_as_admin(state, actor).await?;
    let group = server::group(&mut tx, actor.workspace.id, group_id).await?;
    if group.kind == crate::permissions::GroupKind::Role(Role::Admin) {
        return Err(AppError::AdminGroupLocked);
    }
    let rule = group
        .rules
        .iter()
        .find(|rule| rule.id == rule_id)
        .ok_or(AppError::RuleNotFound)?;
    store::delete_rule(&mut tx, rule.id).await?;
    let detail = format!("{}: {}", group.name, rule.name);
    server::record(
        &mut tx,
        actor,
        crate::audit::Action::GroupRuleDeleted,
        &detail,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn resource_options(
    state: &AppState,
    actor: &WorkspaceActor,
    kind: String,
) -> Result<Vec<ResourceOption>, AppError> {
    actor.authorise(Role::Admin, Scope::GroupsRead)?;
    let kind = ResourceKind::from_key(&kind).ok_or(AppError::UnknownResourceKind)?;
    let mut conn = state.db.acquire().await?;
    Ok(store::resource_refs(&mut conn, actor.workspace.id)
        .await?
        .into_iter()
        .filter(|(resource, _)| resource.kind == kind)
        .map(|(resource, name)| ResourceOption {
            id: resource.id,
            name,
        })
        .collect())
}

pub async fn resource_access(
    state: &AppState,
    actor: &WorkspaceActor,
    resource_id: i64,
) -> Result<Vec<GroupAccess>, AppError> {
    actor.authorise(Role::Admin, Scope::GroupsRead)?;
    let mut conn = state.db.acquire().await?;
    let resource = server::resource(&mut conn, actor.workspace.id, resource_id).await?;
    server::access_table(&mut conn, actor.workspace.id, &resource).await
}

pub async fn set_resource_access(
    state: &AppState,
    actor: &WorkspaceActor,
    resource_id: i64,
    group_id: i64,
    access: String,
    allow_role_change: bool,
) -> Result<(), AppError> {
    actor.authorise(Role::Admin, Scope::GroupsWrite)?;
    let access = match access.trim() {
        "" | "none" => None,
        key => Some(crate::permissions::Access::from_key(key).ok_or(AppError::UnknownAccess)?),
    };
    let workspace_id = actor.workspace.id;
    let mut tx = begin_as_admin(state, actor).await?;
    let (resource, resource_name) = server::resource(&mut tx, workspace_id, resource_id).await?;
    let group = server::group(&mut tx, workspace_id, group_id).await?;
    server::set_access(
        &mut tx,
        actor,
        group,
        resource,
        &resource_name,
        access,
        allow_role_change,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
