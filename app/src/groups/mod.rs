//! Groups (Workspace settings › Groups): the role groups and custom groups, their
//! members, workspace-level flags and granular rules. Admins only; every function
//! checks on the server, and every change that would make end-users builders needs the
//! admin's consent, given after seeing who they are.

mod consent;
mod groups_page;
mod resource_permissions;
mod rule_dialog;
#[cfg(feature = "ssr")]
pub mod store;

pub use groups_page::GroupsPage;
pub use resource_permissions::ResourcePermissions;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::Json;

use crate::error::AppError;
use crate::memberships::{MembershipStatus, Role};
use crate::permissions::{Flags, ResourceKind, Rule};

/// A group in the list on the left, with its member count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupSummary {
    pub id: i64,
    pub name: String,
    /// The role a role group stands for; `None` for custom groups.
    pub role: Option<Role>,
    pub members: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMember {
    pub user_id: i64,
    pub full_name: String,
    pub email: String,
    pub role: Role,
    pub status: MembershipStatus,
}

/// A granular rule with the names of the resources it chose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleView {
    pub rule: Rule,
    pub resources: Vec<ResourceOption>,
}

/// A resource as pickers and rule lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceOption {
    pub id: i64,
    pub name: String,
}

/// Everything the group page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupDetails {
    pub id: i64,
    pub name: String,
    pub role: Option<Role>,
    pub flags: Flags,
    pub rules: Vec<RuleView>,
    pub members: Vec<GroupMember>,
    pub builder_level: bool,
}

/// One group's access to one resource, as a resource's Permissions tab shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupAccess {
    pub group_id: i64,
    pub group_name: String,
    pub role: Option<Role>,
    pub kind: ResourceKind,
    /// The access the group's rules give, highest first; `None` for no access.
    pub access: Option<crate::permissions::Access>,
    /// The rules it comes from.
    pub rules: Vec<String>,
    /// Whether an admin can change it here: custom groups only, and not Admin.
    pub editable: bool,
}

#[server(endpoint = "groups/list")]
pub async fn list_groups(slug: String) -> Result<Vec<GroupSummary>, AppError> {
    let (actor, state) = crate::access::admin_of(&slug).await?;
    let mut conn = state.db.acquire().await?;
    store::list(&mut conn, actor.workspace.id).await
}

#[server(endpoint = "groups/details")]
pub async fn open_group(slug: String, group_id: i64) -> Result<GroupDetails, AppError> {
    let (actor, state) = crate::access::admin_of(&slug).await?;
    let mut conn = state.db.acquire().await?;
    let group = server::group(&mut conn, actor.workspace.id, group_id).await?;
    server::details(&mut conn, actor.workspace.id, group).await
}

#[server(endpoint = "groups/create")]
pub async fn create_group(slug: String, name: String) -> Result<GroupSummary, AppError> {
    let (actor, state) = crate::access::admin_of(&slug).await?;
    let name = crate::permissions::normalise_group_name(&name)?;
    let mut tx = crate::access::begin_as_admin(&state, &actor).await?;
    let id = store::create(&mut tx, actor.workspace.id, &name).await?;
    server::record(&mut tx, &actor, crate::audit::Action::GroupCreated, &name).await?;
    tx.commit().await?;
    Ok(GroupSummary {
        id,
        name,
        role: None,
        members: 0,
    })
}

#[server(endpoint = "groups/rename")]
pub async fn rename_group(slug: String, group_id: i64, name: String) -> Result<(), AppError> {
    use crate::permissions::{CustomOnly, check_custom};
    let (actor, state) = crate::access::admin_of(&slug).await?;
    let mut tx = crate::access::begin_as_admin(&state, &actor).await?;
    let group = server::group(&mut tx, actor.workspace.id, group_id).await?;
    check_custom(&group, CustomOnly::Rename)?;
    let name = crate::permissions::normalise_group_name(&name)?;
    store::rename(&mut tx, group.id, &name).await?;
    let detail = format!("{} -> {name}", group.name);
    server::record(&mut tx, &actor, crate::audit::Action::GroupRenamed, &detail).await?;
    tx.commit().await?;
    Ok(())
}

#[server(endpoint = "groups/delete")]
pub async fn delete_group(slug: String, group_id: i64) -> Result<(), AppError> {
    use crate::permissions::{CustomOnly, check_custom};
    let (actor, state) = crate::access::admin_of(&slug).await?;
    let mut tx = crate::access::begin_as_admin(&state, &actor).await?;
    let group = server::group(&mut tx, actor.workspace.id, group_id).await?;
    check_custom(&group, CustomOnly::Delete)?;
    store::delete(&mut tx, group.id).await?;
    server::record(
        &mut tx,
        &actor,
        crate::audit::Action::GroupDeleted,
        &group.name,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Copies a group into a new custom group named "{name} copy", with the chosen parts.
#[server(endpoint = "groups/duplicate")]
pub async fn duplicate_group(
    slug: String,
    group_id: i64,
    users: bool,
    permissions: bool,
    granular: bool,
    allow_role_change: bool,
) -> Result<GroupSummary, AppError> {
    use crate::permissions::{Group, GroupKind, copy_name};
    let (actor, state) = crate::access::admin_of(&slug).await?;
    let workspace_id = actor.workspace.id;
    let mut tx = crate::access::begin_as_admin(&state, &actor).await?;
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
        &actor,
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
        &actor,
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

/// Members who could join a custom group, matching a search on name or email.
#[server(endpoint = "groups/addable-members")]
pub async fn addable_members(
    slug: String,
    group_id: i64,
    search: Option<String>,
) -> Result<Vec<GroupMember>, AppError> {
    use crate::permissions::{CustomOnly, check_custom};
    let (actor, state) = crate::access::admin_of(&slug).await?;
    let mut conn = state.db.acquire().await?;
    let group = server::group(&mut conn, actor.workspace.id, group_id).await?;
    check_custom(&group, CustomOnly::Members)?;
    store::addable_members(
        &mut conn,
        actor.workspace.id,
        group.id,
        search.as_deref().map(str::trim),
        20,
    )
    .await
}

#[server(endpoint = "groups/add-members", input = Json)]
pub async fn add_group_members(
    slug: String,
    group_id: i64,
    user_ids: Vec<i64>,
    allow_role_change: bool,
) -> Result<(), AppError> {
    use crate::permissions::{CustomOnly, check_custom};
    let (actor, state) = crate::access::admin_of(&slug).await?;
    let workspace_id = actor.workspace.id;
    let mut tx = crate::access::begin_as_admin(&state, &actor).await?;
    let group = server::group(&mut tx, workspace_id, group_id).await?;
    check_custom(&group, CustomOnly::Members)?;
    let mut joining = Vec::new();
    // Each user once, however often the request names them: the consent dialog lists
    // them once and each promotion is recorded once.
    let mut seen = std::collections::HashSet::new();
    for user_id in user_ids.into_iter().filter(|user_id| seen.insert(*user_id)) {
        let member = crate::users::store::find_member(&mut tx, workspace_id, user_id)
            .await?
            .ok_or(AppError::MemberNotFound)?;
        if member.status == MembershipStatus::Archived {
            return Err(AppError::MemberCannotJoinGroup);
        }
        joining.push(GroupMember {
            user_id,
            full_name: member.full_name,
            email: member.email,
            role: member.role,
            status: member.status,
        });
    }
    server::keep_end_users_view_only(
        &mut tx,
        &actor,
        &group,
        server::Reaching::Joining(&joining),
        allow_role_change,
    )
    .await?;
    for member in &joining {
        if store::add_member(&mut tx, group.id, workspace_id, member.user_id).await? {
            server::record_for(
                &mut tx,
                &actor,
                member.user_id,
                crate::audit::Action::GroupMemberAdded,
                &group.name,
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

#[server(endpoint = "groups/remove-member")]
pub async fn remove_group_member(
    slug: String,
    group_id: i64,
    user_id: i64,
) -> Result<(), AppError> {
    use crate::permissions::{CustomOnly, check_custom};
    let (actor, state) = crate::access::admin_of(&slug).await?;
    let mut tx = crate::access::begin_as_admin(&state, &actor).await?;
    let group = server::group(&mut tx, actor.workspace.id, group_id).await?;
    check_custom(&group, CustomOnly::Members)?;
    if !store::remove_member(&mut tx, group.id, user_id).await? {
        return Err(AppError::MemberNotFound);
    }
    server::record_for(
        &mut tx,
        &actor,
        user_id,
        crate::audit::Action::GroupMemberRemoved,
        &group.name,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Turns one workspace-level flag on or off.
#[server(endpoint = "groups/set-flag")]
pub async fn set_group_flag(
    slug: String,
    group_id: i64,
    flag: String,
    on: bool,
    allow_role_change: bool,
) -> Result<(), AppError> {
    use crate::permissions::{Flag, check_flags_editable};
    let (actor, state) = crate::access::admin_of(&slug).await?;
    let flag = Flag::from_key(&flag).ok_or(AppError::UnknownFlag)?;
    let workspace_id = actor.workspace.id;
    let mut tx = crate::access::begin_as_admin(&state, &actor).await?;
    let mut group = server::group(&mut tx, workspace_id, group_id).await?;
    check_flags_editable(&group)?;
    group.flags = group.flags.with(flag, on);
    server::keep_end_users_view_only(
        &mut tx,
        &actor,
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
        &actor,
        crate::audit::Action::GroupPermissionsChanged,
        &detail,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A granular rule as the dialog submits it. `resource_ids` empty with `all` true.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleForm {
    pub name: String,
    pub kind: String,
    pub access: String,
    pub hide_from_dashboard: bool,
    pub all: bool,
    pub resource_ids: Vec<i64>,
}

/// Adds a granular rule, or changes one when `rule_id` is given.
#[server(endpoint = "groups/save-rule", input = Json)]
pub async fn save_group_rule(
    slug: String,
    group_id: i64,
    rule_id: Option<i64>,
    rule: RuleForm,
    allow_role_change: bool,
) -> Result<i64, AppError> {
    let (actor, state) = crate::access::admin_of(&slug).await?;
    let workspace_id = actor.workspace.id;
    let draft = server::draft_of(rule)?;
    let mut tx = crate::access::begin_as_admin(&state, &actor).await?;
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
        &actor,
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
        &actor,
        crate::audit::Action::GroupRuleSaved,
        &detail,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[server(endpoint = "groups/delete-rule")]
pub async fn delete_group_rule(slug: String, group_id: i64, rule_id: i64) -> Result<(), AppError> {
    let (actor, state) = crate::access::admin_of(&slug).await?;
    let mut tx = crate::access::begin_as_admin(&state, &actor).await?;
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
        &actor,
        crate::audit::Action::GroupRuleDeleted,
        &detail,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The workspace's resources of one kind, for a rule's picker.
#[server(endpoint = "groups/resource-options")]
pub async fn resource_options(slug: String, kind: String) -> Result<Vec<ResourceOption>, AppError> {
    let (actor, state) = crate::access::admin_of(&slug).await?;
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

/// Which groups have which access to one resource: its Permissions tab.
#[server(endpoint = "groups/resource-access")]
pub async fn resource_access(slug: String, resource_id: i64) -> Result<Vec<GroupAccess>, AppError> {
    let (actor, state) = crate::access::admin_of(&slug).await?;
    let mut conn = state.db.acquire().await?;
    let resource = server::resource(&mut conn, actor.workspace.id, resource_id).await?;
    server::access_table(&mut conn, actor.workspace.id, &resource).await
}

/// Gives one custom group an access to one resource, or takes it away (`access` empty).
/// It edits the group's granular rules: the resource leaves the group's chosen-resource
/// rules of its kind, and a rule named after the resource grants the new access.
#[server(endpoint = "groups/set-resource-access")]
pub async fn set_resource_access(
    slug: String,
    resource_id: i64,
    group_id: i64,
    access: String,
    allow_role_change: bool,
) -> Result<(), AppError> {
    let (actor, state) = crate::access::admin_of(&slug).await?;
    let access = match access.trim() {
        "" | "none" => None,
        key => Some(crate::permissions::Access::from_key(key).ok_or(AppError::UnknownAccess)?),
    };
    let workspace_id = actor.workspace.id;
    let mut tx = crate::access::begin_as_admin(&state, &actor).await?;
    let (resource, resource_name) = server::resource(&mut tx, workspace_id, resource_id).await?;
    let group = server::group(&mut tx, workspace_id, group_id).await?;
    server::set_access(
        &mut tx,
        &actor,
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

#[cfg(feature = "ssr")]
pub(crate) mod server;
