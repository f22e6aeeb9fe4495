//! `/api/v1/workspaces/{slug}/groups`: the role groups and custom groups, and custom
//! groups' members.

use app::groups::operations;
use app::groups::{GroupDetails, GroupSummary, RuleForm};
use app::permissions::Scope;
use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ApiState;
use super::auth::Bearer;
use super::error::{ApiError, ApiJson, ErrorBody};
use super::members::{Member, WorkspacePath};
use super::vocabulary;

#[derive(Debug, Serialize, ToSchema)]
pub struct Group {
    pub id: i64,
    pub name: String,
    /// The role a role group stands for; absent for custom groups.
    #[schema(schema_with = vocabulary::optional_role)]
    pub role: Option<String>,
    pub members: i64,
}

impl From<GroupSummary> for Group {
    fn from(group: GroupSummary) -> Group {
        Group {
            id: group.id,
            name: group.name,
            role: group.role.map(|role| role.key().to_string()),
            members: group.members,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupDetail {
    pub id: i64,
    pub name: String,
    #[schema(schema_with = vocabulary::optional_role)]
    pub role: Option<String>,
    /// Whether its permissions reach builder level (End-users can't be in it).
    pub builder_level: bool,
    /// The workspace-level permissions it grants.
    #[schema(schema_with = vocabulary::flags)]
    pub flags: Vec<String>,
    /// Its granular rules.
    pub rules: Vec<GranularRule>,
    pub members: Vec<Member>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GranularRule {
    pub id: i64,
    pub name: String,
    #[schema(schema_with = vocabulary::kind)]
    pub kind: String,
    #[schema(schema_with = vocabulary::access)]
    pub access: String,
    pub hide_from_dashboard: bool,
    /// The resources it covers; absent when it covers every resource of its kind.
    pub resource_ids: Option<Vec<i64>>,
}

impl From<GroupDetails> for GroupDetail {
    fn from(group: GroupDetails) -> GroupDetail {
        GroupDetail {
            id: group.id,
            name: group.name,
            role: group.role.map(|role| role.key().to_string()),
            builder_level: group.builder_level,
            flags: group
                .flags
                .iter()
                .map(|flag| flag.key().to_string())
                .collect(),
            rules: group
                .rules
                .into_iter()
                .map(|view| GranularRule {
                    id: view.rule.id,
                    name: view.rule.name,
                    kind: view.rule.kind.key().into(),
                    access: view.rule.access.key().into(),
                    hide_from_dashboard: view.rule.hide_from_dashboard,
                    resource_ids: match view.rule.scope {
                        Scope::All => None,
                        Scope::Only(ids) => Some(ids.into_iter().collect()),
                    },
                })
                .collect(),
            members: group
                .members
                .into_iter()
                .map(|member| Member {
                    user_id: member.user_id,
                    full_name: member.full_name,
                    email: member.email,
                    role: member.role.key().into(),
                    status: member.status.key().into(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupName {
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct GroupPath {
    /// The workspace's URL name.
    pub slug: String,
    pub group_id: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct GroupMemberPath {
    /// The workspace's URL name.
    pub slug: String,
    pub group_id: i64,
    pub user_id: i64,
}

#[derive(Debug, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct JoinOptions {
    /// Make an End-user a Builder when the group's permissions need it; without it such
    /// a change is refused with the users it concerns.
    #[serde(default)]
    pub allow_role_change: bool,
}

/// Every group of the workspace: Admin, Builder, End-user, then the custom groups.
#[utoipa::path(
    get, operation_id = "groups_list", path = "/api/v1/workspaces/{slug}/groups", tag = "groups",
    params(WorkspacePath),
    responses((status = 200, description = "Done", body = Vec<Group>), (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody)),
    security(("token" = ["groups:read"]))
)]
pub async fn list(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<WorkspacePath>, PathRejection>,
) -> Result<Json<Vec<Group>>, ApiError> {
    let Path(WorkspacePath { slug }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    let groups = operations::list(&state.app, &actor).await?;
    Ok(Json(groups.into_iter().map(Group::from).collect()))
}

/// Creates a custom group.
#[utoipa::path(
    post, operation_id = "groups_create", path = "/api/v1/workspaces/{slug}/groups", tag = "groups",
    params(WorkspacePath),
    request_body = GroupName,
    responses(
        (status = 201, description = "Created", body = Group, headers(("Location" = String, description = "The new group"))),
        (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody),
    ),
    security(("token" = ["groups:write"]))
)]
pub async fn create(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<WorkspacePath>, PathRejection>,
    body: Result<ApiJson<GroupName>, ApiError>,
) -> Result<Response, ApiError> {
    let Path(WorkspacePath { slug }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    let ApiJson(GroupName { name }) = body?;
    let group = operations::create(&state.app, &actor, &name).await?;
    let location = format!("/api/v1/workspaces/{slug}/groups/{}", group.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(Group::from(group)),
    )
        .into_response())
}

/// One group with its members.
#[utoipa::path(
    get, operation_id = "groups_get", path = "/api/v1/workspaces/{slug}/groups/{group_id}", tag = "groups",
    params(GroupPath),
    responses((status = 200, description = "Done", body = GroupDetail), (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody)),
    security(("token" = ["groups:read"]))
)]
pub async fn get(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<GroupPath>, PathRejection>,
) -> Result<Json<GroupDetail>, ApiError> {
    let Path(GroupPath { slug, group_id }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    Ok(Json(
        operations::details(&state.app, &actor, group_id)
            .await?
            .into(),
    ))
}

/// Renames a custom group.
#[utoipa::path(
    patch, operation_id = "groups_rename", path = "/api/v1/workspaces/{slug}/groups/{group_id}", tag = "groups",
    params(GroupPath),
    request_body = GroupName,
    responses((status = 200, description = "Done", body = GroupDetail), (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody)),
    security(("token" = ["groups:write"]))
)]
pub async fn rename(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<GroupPath>, PathRejection>,
    body: Result<ApiJson<GroupName>, ApiError>,
) -> Result<Json<GroupDetail>, ApiError> {
    let Path(GroupPath { slug, group_id }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    let ApiJson(GroupName { name }) = body?;
    operations::rename(&state.app, &actor, group_id, &name).await?;
    Ok(Json(
        operations::details(&state.app, &actor, group_id)
            .await?
            .into(),
    ))
}

/// Deletes a custom group.
#[utoipa::path(
    delete, operation_id = "groups_delete", path = "/api/v1/workspaces/{slug}/groups/{group_id}", tag = "groups",
    params(GroupPath),
    responses((status = 204, description = "Done; nothing to return"), (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody)),
    security(("token" = ["groups:write"]))
)]
pub async fn delete(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<GroupPath>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let Path(GroupPath { slug, group_id }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    operations::delete(&state.app, &actor, group_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Puts a member in a custom group; putting them in again changes nothing.
#[utoipa::path(
    put, operation_id = "groups_add_member", path = "/api/v1/workspaces/{slug}/groups/{group_id}/members/{user_id}", tag = "groups",
    params(GroupMemberPath),
    request_body(content = Option<JoinOptions>),
    responses((status = 204, description = "Done; nothing to return"), (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody)),
    security(("token" = ["groups:write"]))
)]
pub async fn add_member(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<GroupMemberPath>, PathRejection>,
    body: axum::body::Bytes,
) -> Result<StatusCode, ApiError> {
    let Path(GroupMemberPath {
        slug,
        group_id,
        user_id,
    }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    let options: JoinOptions = super::error::optional_object(&body)?;
    operations::add_members(
        &state.app,
        &actor,
        group_id,
        vec![user_id],
        options.allow_role_change,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Takes a member out of a custom group.
#[utoipa::path(
    delete, operation_id = "groups_remove_member", path = "/api/v1/workspaces/{slug}/groups/{group_id}/members/{user_id}", tag = "groups",
    params(GroupMemberPath),
    responses((status = 204, description = "Done; nothing to return"), (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody)),
    security(("token" = ["groups:write"]))
)]
pub async fn remove_member(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<GroupMemberPath>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let Path(GroupMemberPath {
        slug,
        group_id,
        user_id,
    }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    operations::remove_member(&state.app, &actor, group_id, user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct FlagPath {
    /// The workspace's URL name.
    pub slug: String,
    pub group_id: i64,
    /// A workspace-level permission, as the group's `flags` name them: `app_create`,
    /// `app_delete`, `folder_create`, `folder_update`, `folder_delete`,
    /// `constant_create`, `constant_update`, `constant_delete`, `data_source_create` or
    /// `data_source_delete`.
    pub flag: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FlagSetting {
    pub on: bool,
    /// Make End-users Builders where the flag needs it.
    #[serde(default)]
    pub allow_role_change: bool,
}

/// Turns one workspace-level permission of a group on or off.
#[utoipa::path(
    put, operation_id = "groups_set_flag", path = "/api/v1/workspaces/{slug}/groups/{group_id}/flags/{flag}", tag = "groups",
    params(FlagPath),
    request_body = FlagSetting,
    responses((status = 200, description = "Done", body = GroupDetail), (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody)),
    security(("token" = ["groups:write"]))
)]
pub async fn set_flag(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<FlagPath>, PathRejection>,
    body: Result<ApiJson<FlagSetting>, ApiError>,
) -> Result<Json<GroupDetail>, ApiError> {
    let Path(FlagPath {
        slug,
        group_id,
        flag,
    }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    let ApiJson(setting) = body?;
    operations::set_flag(
        &state.app,
        &actor,
        group_id,
        flag,
        setting.on,
        setting.allow_role_change,
    )
    .await?;
    Ok(Json(
        operations::details(&state.app, &actor, group_id)
            .await?
            .into(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleRequest {
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    #[schema(schema_with = vocabulary::kind)]
    pub kind: String,
    /// As the kind allows: apps view or edit, folders and constants view or edit, data
    /// sources configure or build_with.
    #[schema(schema_with = vocabulary::access)]
    pub access: String,
    #[serde(default)]
    pub hide_from_dashboard: bool,
    /// The resources it covers; absent or null for every resource of its kind.
    pub resource_ids: Option<Vec<i64>>,
    /// Make End-users Builders where the rule needs it.
    #[serde(default)]
    pub allow_role_change: bool,
}

impl RuleRequest {
    fn form(self) -> (RuleForm, bool) {
        let all = self.resource_ids.is_none();
        (
            RuleForm {
                name: self.name,
                kind: self.kind,
                access: self.access,
                hide_from_dashboard: self.hide_from_dashboard,
                all,
                resource_ids: self.resource_ids.unwrap_or_default(),
            },
            self.allow_role_change,
        )
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct RulePath {
    /// The workspace's URL name.
    pub slug: String,
    pub group_id: i64,
    pub rule_id: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RuleCreated {
    pub id: i64,
}

/// Adds a granular rule to a group.
#[utoipa::path(
    post, operation_id = "groups_add_rule", path = "/api/v1/workspaces/{slug}/groups/{group_id}/rules", tag = "groups",
    params(GroupPath),
    request_body = RuleRequest,
    responses(
        (status = 201, description = "Created", body = RuleCreated, headers(("Location" = String, description = "The new rule"))),
        (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody),
    ),
    security(("token" = ["groups:write"]))
)]
pub async fn add_rule(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<GroupPath>, PathRejection>,
    body: Result<ApiJson<RuleRequest>, ApiError>,
) -> Result<Response, ApiError> {
    let Path(GroupPath { slug, group_id }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    let ApiJson(request) = body?;
    let (form, allow_role_change) = request.form();
    let id =
        operations::save_rule(&state.app, &actor, group_id, None, form, allow_role_change).await?;
    let location = format!("/api/v1/workspaces/{slug}/groups/{group_id}/rules/{id}");
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(RuleCreated { id }),
    )
        .into_response())
}

/// Replaces a granular rule.
#[utoipa::path(
    put, operation_id = "groups_replace_rule", path = "/api/v1/workspaces/{slug}/groups/{group_id}/rules/{rule_id}", tag = "groups",
    params(RulePath),
    request_body = RuleRequest,
    responses((status = 200, description = "Done", body = GroupDetail), (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody)),
    security(("token" = ["groups:write"]))
)]
pub async fn replace_rule(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<RulePath>, PathRejection>,
    body: Result<ApiJson<RuleRequest>, ApiError>,
) -> Result<Json<GroupDetail>, ApiError> {
    let Path(RulePath {
        slug,
        group_id,
        rule_id,
    }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    let ApiJson(request) = body?;
    let (form, allow_role_change) = request.form();
    operations::save_rule(
        &state.app,
        &actor,
        group_id,
        Some(rule_id),
        form,
        allow_role_change,
    )
    .await?;
    Ok(Json(
        operations::details(&state.app, &actor, group_id)
            .await?
            .into(),
    ))
}

/// Deletes a granular rule.
#[utoipa::path(
    delete, operation_id = "groups_delete_rule", path = "/api/v1/workspaces/{slug}/groups/{group_id}/rules/{rule_id}", tag = "groups",
    params(RulePath),
    responses((status = 204, description = "Done; nothing to return"), (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody)),
    security(("token" = ["groups:write"]))
)]
pub async fn delete_rule(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<RulePath>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let Path(RulePath {
        slug,
        group_id,
        rule_id,
    }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    operations::delete_rule(&state.app, &actor, group_id, rule_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct DuplicateRequest {
    /// Copy its members.
    #[serde(default)]
    pub users: bool,
    /// Copy its workspace-level permissions.
    #[serde(default)]
    pub permissions: bool,
    /// Copy its granular rules.
    #[serde(default)]
    pub granular: bool,
    #[serde(default)]
    pub allow_role_change: bool,
}

/// Copies a group into a new custom group named "{name} copy", with the parts chosen.
#[utoipa::path(
    post, operation_id = "groups_duplicate", path = "/api/v1/workspaces/{slug}/groups/{group_id}/duplicate", tag = "groups",
    params(GroupPath),
    request_body = DuplicateRequest,
    responses(
        (status = 201, description = "Created", body = Group, headers(("Location" = String, description = "The copy"))),
        (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody),
    ),
    security(("token" = ["groups:write"]))
)]
pub async fn duplicate(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<GroupPath>, PathRejection>,
    body: Result<ApiJson<DuplicateRequest>, ApiError>,
) -> Result<Response, ApiError> {
    let Path(GroupPath { slug, group_id }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    let ApiJson(request) = body?;
    let copy = operations::duplicate(
        &state.app,
        &actor,
        group_id,
        request.users,
        request.permissions,
        request.granular,
        request.allow_role_change,
    )
    .await?;
    let location = format!("/api/v1/workspaces/{slug}/groups/{}", copy.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(Group::from(copy)),
    )
        .into_response())
}
