//! What the group functions share on the server.

use std::collections::HashMap;

use sqlx::AnyConnection;

use super::{GroupAccess, GroupDetails, GroupMember, ResourceOption, RuleView, store};
use crate::access::WorkspaceActor;
use crate::audit;
use crate::error::AppError;
use crate::memberships::Role;
use crate::permissions::{
    Access, Candidate, Group, GroupKind, ResourceKind, ResourceRef, RuleDraft, Scope,
    end_users_to_promote, require_consent,
};

/// A group of the actor's workspace; ids from elsewhere are simply not found.
pub async fn group(
    conn: &mut AnyConnection,
    workspace_id: i64,
    group_id: i64,
) -> Result<Group, AppError> {
    store::find(conn, workspace_id, group_id)
        .await?
        .ok_or(AppError::GroupNotFound)
}

/// A resource of the workspace with its name.
pub async fn resource(
    conn: &mut AnyConnection,
    workspace_id: i64,
    resource_id: i64,
) -> Result<(ResourceRef, String), AppError> {
    store::resource_ref(conn, workspace_id, resource_id)
        .await?
        .ok_or(AppError::ResourceNotFound)
}

pub async fn details(
    conn: &mut AnyConnection,
    workspace_id: i64,
    group: Group,
) -> Result<GroupDetails, AppError> {
    let names: HashMap<i64, String> = store::resource_refs(conn, workspace_id)
        .await?
        .into_iter()
        .map(|(resource, name)| (resource.id, name))
        .collect();
    let members = store::members(conn, workspace_id, &group).await?;
    let rules = group
        .rules
        .iter()
        .map(|rule| RuleView {
            resources: match &rule.scope {
                Scope::All => Vec::new(),
                Scope::Only(ids) => ids
                    .iter()
                    .filter_map(|id| {
                        names.get(id).map(|name| ResourceOption {
                            id: *id,
                            name: name.clone(),
                        })
                    })
                    .collect(),
            },
            rule: rule.clone(),
        })
        .collect();
    Ok(GroupDetails {
        id: group.id,
        builder_level: group.is_builder_level(),
        name: group.name,
        role: match group.kind {
            GroupKind::Role(role) => Some(role),
            GroupKind::Custom => None,
        },
        flags: group.flags,
        rules,
        members,
    })
}

/// Who a change to a group reaches: everyone in it, or only those joining it.
pub enum Reaching<'a> {
    EveryMember,
    Joining(&'a [GroupMember]),
}

/// The end-user rule, kept in this one place: an End-user never holds a builder-level
/// permission, whatever their membership's status. Every change that could give them one
/// (a flag, a rule, access to one resource, a duplicate, new members) ends here with the
/// group as the change leaves it and the members it reaches, invited and archived ones
/// included: an archived member comes back with the groups they had. Without the
/// admin's consent the change is refused with the users it concerns; with it, they
/// become Builders in the change's transaction.
pub async fn keep_end_users_view_only(
    conn: &mut AnyConnection,
    actor: &WorkspaceActor,
    group: &Group,
    reaching: Reaching<'_>,
    allow_role_change: bool,
) -> Result<(), AppError> {
    let everyone;
    let members = match reaching {
        Reaching::Joining(members) => members,
        Reaching::EveryMember => {
            everyone = store::members_in_any_status(conn, actor.workspace.id, group).await?;
            &everyone
        }
    };
    let candidates: Vec<Candidate> = members
        .iter()
        .map(|member| Candidate {
            user_id: member.user_id,
            email: member.email.clone(),
            role: member.role,
        })
        .collect();
    let to_promote = end_users_to_promote(group, &candidates);
    require_consent(&to_promote, allow_role_change)?;
    for candidate in to_promote {
        crate::memberships::operations::promote_to_builder(conn, actor, candidate.user_id).await?;
    }
    Ok(())
}

pub fn draft_of(form: super::RuleForm) -> Result<RuleDraft, AppError> {
    let kind = ResourceKind::from_key(&form.kind).ok_or(AppError::UnknownResourceKind)?;
    let access = Access::from_key(&form.access).ok_or(AppError::UnknownAccess)?;
    Ok(RuleDraft {
        name: form.name,
        kind,
        access,
        hide_from_dashboard: form.hide_from_dashboard,
        scope: if form.all {
            Scope::All
        } else {
            Scope::Only(form.resource_ids.into_iter().collect())
        },
    })
}

/// Every group's access to one resource through rules of its kind.
pub async fn access_table(
    conn: &mut AnyConnection,
    workspace_id: i64,
    resource: &(ResourceRef, String),
) -> Result<Vec<GroupAccess>, AppError> {
    let (resource, _) = resource;
    let mut table = Vec::new();
    for group in store::all_with_rules(conn, workspace_id).await? {
        let reaching: Vec<_> = group
            .rules
            .iter()
            .filter(|rule| rule.kind == resource.kind && rule.scope.covers(resource.id))
            .collect();
        let access = reaching
            .iter()
            .map(|rule| rule.access)
            .max_by_key(|access| access.level());
        let admin = group.kind == GroupKind::Role(Role::Admin);
        table.push(GroupAccess {
            group_id: group.id,
            group_name: group.name.clone(),
            role: match group.kind {
                GroupKind::Role(role) => Some(role),
                GroupKind::Custom => None,
            },
            kind: resource.kind,
            access: if admin {
                Some(resource.kind.accesses()[0])
            } else {
                access
            },
            rules: if admin {
                vec!["Admins can do everything".to_string()]
            } else {
                reaching
                    .iter()
                    .map(|rule| crate::permissions::effective::describe_rule(rule))
                    .collect()
            },
            editable: group.is_custom(),
        });
    }
    Ok(table)
}

/// Sets one custom group's access to one resource by editing its granular rules.
pub async fn set_access(
    conn: &mut AnyConnection,
    actor: &WorkspaceActor,
    mut group: Group,
    resource: ResourceRef,
    resource_name: &str,
    access: Option<Access>,
    allow_role_change: bool,
) -> Result<(), AppError> {
    if group.kind == GroupKind::Role(Role::Admin) {
        return Err(AppError::AdminGroupLocked);
    }
    if !group.is_custom() {
        return Err(AppError::RoleGroupsTakeAll);
    }
    // The resource leaves the group's chosen-resource rules of its kind.
    let mut emptied = Vec::new();
    let mut narrowed = Vec::new();
    for rule in group.rules.iter_mut() {
        if rule.kind != resource.kind {
            continue;
        }
        if let Scope::Only(ids) = &mut rule.scope
            && ids.remove(&resource.id)
        {
            if ids.is_empty() {
                emptied.push(rule.id);
            } else {
                narrowed.push(rule.clone());
            }
        }
    }
    group.rules.retain(|rule| !emptied.contains(&rule.id));
    let added = match access {
        Some(access) => {
            let draft = RuleDraft {
                name: free_rule_name(&group, resource_name),
                kind: resource.kind,
                access,
                hide_from_dashboard: false,
                scope: Scope::Only([resource.id].into_iter().collect()),
            };
            let rule = crate::permissions::check_rule(&group, draft, None)?;
            group.rules.push(rule.clone());
            Some(rule)
        }
        None => None,
    };
    keep_end_users_view_only(
        conn,
        actor,
        &group,
        Reaching::EveryMember,
        allow_role_change,
    )
    .await?;
    for rule_id in emptied {
        store::delete_rule(conn, rule_id).await?;
    }
    for rule in &narrowed {
        store::update_rule(conn, rule).await?;
    }
    if let Some(rule) = &added {
        store::insert_rule(conn, group.id, rule).await?;
    }
    let detail = format!(
        "{}: {} {}",
        group.name,
        resource_name,
        access.map(Access::label).unwrap_or("no access")
    );
    record(conn, actor, audit::Action::GroupPermissionsChanged, &detail).await
}

/// The resource's name as a rule name, numbered when the group has a rule by that name.
fn free_rule_name(group: &Group, resource_name: &str) -> String {
    let taken: std::collections::BTreeSet<String> = group
        .rules
        .iter()
        .map(|rule| crate::permissions::changes::name_key(&rule.name))
        .collect();
    let base: String = resource_name
        .chars()
        .take(crate::permissions::changes::RULE_NAME_MAX - 4)
        .collect();
    std::iter::once(base.clone())
        .chain((2..).map(|n| format!("{base} {n}")))
        .find(|name| !taken.contains(&crate::permissions::changes::name_key(name)))
        .unwrap_or(base)
}

/// An audit event about the workspace's groups.
pub async fn record(
    conn: &mut AnyConnection,
    actor: &WorkspaceActor,
    action: audit::Action,
    detail: &str,
) -> Result<(), AppError> {
    audit::record_by(conn, actor, None, action, detail).await
}

/// An audit event about one member.
pub(crate) async fn record_for(
    conn: &mut AnyConnection,
    actor: &WorkspaceActor,
    user_id: i64,
    action: audit::Action,
    detail: &str,
) -> Result<(), AppError> {
    audit::record_by(conn, actor, Some(user_id), action, detail).await
}
