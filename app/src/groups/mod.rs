//! Groups (Workspace settings › Groups): the role groups and custom groups, their
//! members, workspace-level flags and granular rules. Admins only; every function
//! checks on the server, and every change that would make end-users builders needs the
//! admin's consent, given after seeing who they are.

mod consent;
mod groups_page;
#[cfg(feature = "ssr")]
pub mod operations;
mod resource_permissions;
mod rule_dialog;
#[cfg(feature = "ssr")]
pub mod store;

pub use consent::PendingPromotion;
pub use groups_page::GroupsPage;
pub use resource_permissions::{GroupAccessTable, ResourcePermissions};

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
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::list(&state, &actor).await
}

#[server(endpoint = "groups/details")]
pub async fn open_group(slug: String, group_id: i64) -> Result<GroupDetails, AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::details(&state, &actor, group_id).await
}

#[server(endpoint = "groups/create")]
pub async fn create_group(slug: String, name: String) -> Result<GroupSummary, AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::create(&state, &actor, &name).await
}

#[server(endpoint = "groups/rename")]
pub async fn rename_group(slug: String, group_id: i64, name: String) -> Result<(), AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::rename(&state, &actor, group_id, &name).await
}

#[server(endpoint = "groups/delete")]
pub async fn delete_group(slug: String, group_id: i64) -> Result<(), AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::delete(&state, &actor, group_id).await
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
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::duplicate(
        &state,
        &actor,
        group_id,
        users,
        permissions,
        granular,
        allow_role_change,
    )
    .await
}

/// Members who could join a custom group, matching a search on name or email.
#[server(endpoint = "groups/addable-members")]
pub async fn addable_members(
    slug: String,
    group_id: i64,
    search: Option<String>,
) -> Result<Vec<GroupMember>, AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::addable_members(&state, &actor, group_id, search).await
}

#[server(endpoint = "groups/add-members", input = Json)]
pub async fn add_group_members(
    slug: String,
    group_id: i64,
    user_ids: Vec<i64>,
    allow_role_change: bool,
) -> Result<(), AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::add_members(&state, &actor, group_id, user_ids, allow_role_change).await
}

#[server(endpoint = "groups/remove-member")]
pub async fn remove_group_member(
    slug: String,
    group_id: i64,
    user_id: i64,
) -> Result<(), AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::remove_member(&state, &actor, group_id, user_id).await
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
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::set_flag(&state, &actor, group_id, flag, on, allow_role_change).await
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
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::save_rule(&state, &actor, group_id, rule_id, rule, allow_role_change).await
}

#[server(endpoint = "groups/delete-rule")]
pub async fn delete_group_rule(slug: String, group_id: i64, rule_id: i64) -> Result<(), AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::delete_rule(&state, &actor, group_id, rule_id).await
}

/// The workspace's resources of one kind, for a rule's picker.
#[server(endpoint = "groups/resource-options")]
pub async fn resource_options(slug: String, kind: String) -> Result<Vec<ResourceOption>, AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::resource_options(&state, &actor, kind).await
}

/// Which groups have which access to one resource: its Permissions tab.
#[server(endpoint = "groups/resource-access")]
pub async fn resource_access(slug: String, resource_id: i64) -> Result<Vec<GroupAccess>, AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::resource_access(&state, &actor, resource_id).await
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
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::set_resource_access(
        &state,
        &actor,
        resource_id,
        group_id,
        access,
        allow_role_change,
    )
    .await
}

#[cfg(feature = "ssr")]
pub(crate) mod server;
