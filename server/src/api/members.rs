//! `/api/v1/workspaces/{slug}/members`: list, invite, read, change, archive, unarchive,
//! remove, invitation links and effective permissions.

use std::collections::BTreeMap;

use app::error::AppError;
use app::memberships::Role;
use app::metadata::MetadataEdit;
use app::users::members::{MemberDetails, MemberRow, StatusFilter};
use app::users::operations::{self, Invitee, MemberChange, MemberQuery, MetadataChange};
use app::users::store::PagePosition;
use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::Bearer;
use super::error::{ApiError, ApiJson, ErrorBody};
use super::vocabulary;
use super::{ApiState, Cursor, page_limit};

pub const MAX_PAGE: i64 = 100;

#[derive(Debug, Serialize, ToSchema)]
pub struct Member {
    pub user_id: i64,
    pub full_name: String,
    pub email: String,
    #[schema(schema_with = vocabulary::role)]
    pub role: String,
    #[schema(schema_with = vocabulary::status)]
    pub status: String,
}

impl From<MemberRow> for Member {
    fn from(row: MemberRow) -> Member {
        Member {
            user_id: row.user_id,
            full_name: row.full_name,
            email: row.email,
            role: row.role.key().into(),
            status: row.status.key().into(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberList {
    pub members: Vec<Member>,
    /// The next page's address, absent on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberDetail {
    pub user_id: i64,
    pub full_name: String,
    pub email: String,
    #[schema(schema_with = vocabulary::role)]
    pub role: String,
    #[schema(schema_with = vocabulary::status)]
    pub status: String,
    /// Metadata keys; values are sealed and never leave the server through the API.
    pub metadata_keys: Vec<String>,
    /// The custom groups they are in.
    pub groups: Vec<String>,
}

impl From<MemberDetails> for MemberDetail {
    fn from(details: MemberDetails) -> MemberDetail {
        MemberDetail {
            user_id: details.user_id,
            full_name: details.full_name,
            email: details.email,
            role: details.role.key().into(),
            status: details.status.key().into(),
            metadata_keys: details.metadata_keys,
            groups: details.groups,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// A prefix of an email address or a name.
    pub search: Option<String>,
    /// Only members with this status; all when absent.
    #[param(schema_with = vocabulary::status_filter)]
    pub status: Option<String>,
    /// Members per page; 50 when absent.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// The cursor from the previous page's `next` link.
    pub after: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    /// Optional: without one, the name shown is read from the email until the person
    /// sets their own.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub full_name: String,
    #[schema(format = "email")]
    pub email: String,
    #[schema(schema_with = vocabulary::role)]
    pub role: String,
    /// Metadata to seal for them, key to value.
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Invitation {
    pub user_id: i64,
    pub email: String,
    /// Whether the invitation mail went into the outbox.
    pub mail_queued: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberUpdate {
    /// The new role.
    #[schema(schema_with = vocabulary::optional_role)]
    pub role: Option<String>,
    /// Metadata to set (a string) or remove (null), key by key; keys not named stay.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub metadata: BTreeMap<String, Option<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationLink {
    /// The link to pass on; it works once.
    pub link: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResourceAccess {
    pub resource_id: i64,
    #[schema(schema_with = vocabulary::kind)]
    pub kind: String,
    pub name: String,
    pub actions: Vec<ActionAccess>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActionAccess {
    pub action: String,
    pub allowed: bool,
    /// Each grant that allows it, with the group it comes from.
    pub reasons: Vec<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct MemberPath {
    /// The workspace's URL name.
    pub slug: String,
    pub user_id: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct WorkspacePath {
    /// The workspace's URL name.
    pub slug: String,
}

/// The members of a workspace, by email.
#[utoipa::path(
    get, operation_id = "members_list", path = "/api/v1/workspaces/{slug}/members", tag = "members",
    params(WorkspacePath, ListParams),
    responses(
        (status = 200, description = "Done", body = MemberList, headers(("Link" = String, description = "rel=\"next\" when there is a next page"))),
        (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody),
    ),
    security(("token" = ["members:read"]))
)]
pub async fn list(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<WorkspacePath>, PathRejection>,
    query: Result<Query<ListParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Path(WorkspacePath { slug }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    let Query(params) = query?;
    let limit = page_limit(params.limit, MAX_PAGE)?;
    let position = match params.after.as_deref() {
        Some(cursor) => PagePosition::After(Cursor::decode(cursor)?),
        None => PagePosition::First,
    };
    let status = StatusFilter::parse(params.status.as_deref())?;
    let search = params.search.as_deref().and_then(app::users::search_key);
    let page = operations::list(
        &state.app,
        &actor,
        MemberQuery {
            search: search.clone(),
            status,
            group_id: None,
            position,
            limit,
            with_counts: false,
        },
    )
    .await?;
    let next = page.next_after.map(|after| {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("limit", &limit.to_string());
        query.append_pair("status", status.key());
        if let Some(search) = &params.search {
            query.append_pair("search", search);
        }
        query.append_pair("after", &Cursor::encode(&after));
        format!("/api/v1/workspaces/{slug}/members?{}", query.finish())
    });
    let mut headers = HeaderMap::new();
    if let Some(next) = &next
        && let Ok(link) = HeaderValue::from_str(&format!("<{next}>; rel=\"next\""))
    {
        headers.insert(header::LINK, link);
    }
    let body = MemberList {
        members: page.members.into_iter().map(Member::from).collect(),
        next,
    };
    Ok((headers, Json(body)).into_response())
}

/// Invites someone: they become an Invited member and get the invitation mail.
#[utoipa::path(
    post, operation_id = "members_invite", path = "/api/v1/workspaces/{slug}/members", tag = "members",
    params(WorkspacePath),
    request_body = InviteRequest,
    responses(
        (status = 201, description = "Created", body = Invitation, headers(("Location" = String, description = "The new member"))),
        (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody),
    ),
    security(("token" = ["members:write"]))
)]
pub async fn invite(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<WorkspacePath>, PathRejection>,
    body: Result<ApiJson<InviteRequest>, ApiError>,
) -> Result<Response, ApiError> {
    let Path(WorkspacePath { slug }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    let ApiJson(request) = body?;
    let metadata: Vec<MetadataEdit> = request
        .metadata
        .into_iter()
        .map(|(key, value)| MetadataEdit {
            key,
            value: Some(value),
            renamed_from: None,
        })
        .collect();
    let invitee = Invitee::parse(
        &request.full_name,
        &request.email,
        &request.role,
        &metadata,
        Vec::new(),
    )?;
    let invited = operations::invite(&state.app, &actor, invitee, false).await?;
    let location = format!("/api/v1/workspaces/{slug}/members/{}", invited.user_id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(Invitation {
            user_id: invited.user_id,
            email: invited.sent.email,
            mail_queued: invited.sent.mail_queued,
        }),
    )
        .into_response())
}

fn with_version(details: MemberDetails, version: &str) -> Response {
    let mut response = Json(MemberDetail::from(details)).into_response();
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{version}\"")) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    response
}

/// One member, with an `ETag` to make a later change conditional on.
#[utoipa::path(
    get, operation_id = "members_get", path = "/api/v1/workspaces/{slug}/members/{user_id}", tag = "members",
    params(MemberPath),
    responses(
        (status = 200, description = "Done", body = MemberDetail, headers(("ETag" = String, description = "The member's version"))),
        (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody),
    ),
    security(("token" = ["members:read"]))
)]
pub async fn get(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<MemberPath>, PathRejection>,
) -> Result<Response, ApiError> {
    let Path(MemberPath { slug, user_id }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    let (details, version) = operations::versioned_details(&state.app, &actor, user_id).await?;
    Ok(with_version(details, &version))
}

/// Changes a member's role and metadata together. With `If-Match`, only if the member is
/// still as that version shows them (412 otherwise).
#[utoipa::path(
    patch, operation_id = "members_update", path = "/api/v1/workspaces/{slug}/members/{user_id}", tag = "members",
    params(MemberPath, ("If-Match" = Option<String>, Header, description = "An ETag from reading the member")),
    request_body = MemberUpdate,
    responses(
        (status = 200, description = "Done", body = MemberDetail, headers(("ETag" = String, description = "The member's new version"))),
        (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody),
    ),
    security(("token" = ["members:write"]))
)]
pub async fn update(
    State(state): State<ApiState>,
    bearer: Bearer,
    headers: HeaderMap,
    path: Result<Path<MemberPath>, PathRejection>,
    body: Result<ApiJson<MemberUpdate>, ApiError>,
) -> Result<Response, ApiError> {
    let Path(MemberPath { slug, user_id }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    let ApiJson(request) = body?;
    let role = request.role.as_deref().map(Role::parse).transpose()?;
    let based_on = match headers.get(header::IF_MATCH) {
        Some(value) => accepted_versions(value.to_str().map_err(|_| AppError::BadRequest)?),
        None => None,
    };
    let change = MemberChange {
        role,
        metadata: MetadataChange::Patch(request.metadata),
        groups: None,
        allow_role_change: false,
        based_on,
    };
    let (details, version) = operations::update(&state.app, &actor, user_id, change).await?;
    Ok(with_version(details, &version))
}

/// The versions an `If-Match` header accepts (RFC 9110 §13.1.1): `*` any, otherwise its
/// strong entity tags. Weak tags never match an `If-Match`, so a header of weak tags only
/// accepts nothing.
fn accepted_versions(header: &str) -> Option<Vec<String>> {
    if header.trim() == "*" {
        return None;
    }
    Some(
        header
            .split(',')
            .map(str::trim)
            .filter(|tag| !tag.starts_with("W/"))
            .map(|tag| tag.trim_matches('"').to_string())
            .collect(),
    )
}

/// Removes a member from the workspace; their apps pass to the caller.
#[utoipa::path(
    delete, operation_id = "members_remove", path = "/api/v1/workspaces/{slug}/members/{user_id}", tag = "members",
    params(MemberPath),
    responses((status = 204, description = "Done; nothing to return"), (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody)),
    security(("token" = ["members:write"]))
)]
pub async fn remove(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<MemberPath>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let Path(MemberPath { slug, user_id }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    app::memberships::operations::remove(&state.app, &actor, user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Archives a member: they lose access from their next request.
#[utoipa::path(
    post, operation_id = "members_archive", path = "/api/v1/workspaces/{slug}/members/{user_id}/archive", tag = "members",
    params(MemberPath),
    responses((status = 204, description = "Done; nothing to return"), (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody)),
    security(("token" = ["members:write"]))
)]
pub async fn archive(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<MemberPath>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let Path(MemberPath { slug, user_id }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    app::memberships::operations::archive(&state.app, &actor, user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Brings an archived member back as Invited, with a new invitation mail.
#[utoipa::path(
    post, operation_id = "members_unarchive", path = "/api/v1/workspaces/{slug}/members/{user_id}/unarchive", tag = "members",
    params(MemberPath),
    responses((status = 200, description = "Done", body = Invitation), (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody)),
    security(("token" = ["members:write"]))
)]
pub async fn unarchive(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<MemberPath>, PathRejection>,
) -> Result<Json<Invitation>, ApiError> {
    let Path(MemberPath { slug, user_id }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    let sent = app::memberships::operations::unarchive(&state.app, &actor, user_id).await?;
    Ok(Json(Invitation {
        user_id,
        email: sent.email,
        mail_queued: sent.mail_queued,
    }))
}

/// A fresh invitation link for an Invited member, to pass on yourself.
#[utoipa::path(
    post, operation_id = "members_invitation_link", path = "/api/v1/workspaces/{slug}/members/{user_id}/invitation-link", tag = "members",
    params(MemberPath),
    responses((status = 200, description = "Done", body = InvitationLink), (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody)),
    security(("token" = ["members:write"]))
)]
pub async fn invitation_link(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<MemberPath>, PathRejection>,
) -> Result<Json<InvitationLink>, ApiError> {
    let Path(MemberPath { slug, user_id }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    let link = operations::invitation_link(&state.app, &actor, user_id).await?;
    Ok(Json(InvitationLink { link }))
}

/// What a member may do with each resource of the workspace, and why.
#[utoipa::path(
    get, operation_id = "members_permissions", path = "/api/v1/workspaces/{slug}/members/{user_id}/permissions", tag = "members",
    params(MemberPath),
    responses((status = 200, description = "Done", body = Vec<ResourceAccess>), (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody)),
    security(("token" = ["members:read"]))
)]
pub async fn permissions(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<MemberPath>, PathRejection>,
) -> Result<Json<Vec<ResourceAccess>>, ApiError> {
    let Path(MemberPath { slug, user_id }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    let resources = operations::effective_permissions(&state.app, &actor, user_id).await?;
    Ok(Json(
        resources
            .into_iter()
            .map(|resource| ResourceAccess {
                resource_id: resource.resource.id,
                kind: resource.resource.kind.key().into(),
                name: resource.name,
                actions: resource
                    .explanations
                    .into_iter()
                    .map(|explanation| ActionAccess {
                        action: explanation.action.describe(resource.resource.kind).into(),
                        allowed: explanation.allowed,
                        reasons: explanation
                            .reasons
                            .into_iter()
                            .map(|reason| format!("{} ({})", reason.grant, reason.group))
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::accepted_versions;

    #[test]
    fn if_match_takes_any_strong_tag_in_its_list_and_star_for_any() {
        assert_eq!(accepted_versions("*"), None);
        assert_eq!(accepted_versions("\"a1\""), Some(vec!["a1".to_string()]));
        assert_eq!(
            accepted_versions("\"a1\", \"b2\""),
            Some(vec!["a1".to_string(), "b2".to_string()])
        );
        assert_eq!(accepted_versions("W/\"a1\""), Some(vec![]));
    }
}
