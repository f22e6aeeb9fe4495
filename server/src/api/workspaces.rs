//! `/api/v1/workspaces`, the workspace's audit trail and its access-token inventory.

use app::access_tokens::InventoryRow;
use app::audit::{self, Query as TrailQuery};
use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::Bearer;
use super::error::{ApiError, ErrorBody};
use super::members::WorkspacePath;
use super::vocabulary;
use super::{ApiState, page_limit};

#[derive(Debug, Serialize, ToSchema)]
pub struct Workspace {
    pub slug: String,
    pub name: String,
    /// The token owner's role there.
    #[schema(schema_with = vocabulary::role)]
    pub role: String,
}

/// The workspaces the token's owner is an active member of, with their role: what any
/// token needs to find its way, so it takes no scope. It tells nothing the owner doesn't
/// know.
#[utoipa::path(
    get, operation_id = "workspaces_list", path = "/api/v1/workspaces", tag = "workspaces",
    responses((status = 200, description = "Done", body = Vec<Workspace>), (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody)),
    security(("token" = []))
)]
pub async fn list(
    State(state): State<ApiState>,
    bearer: Bearer,
) -> Result<Json<Vec<Workspace>>, ApiError> {
    let caller = bearer.caller(&state).await?;
    let workspaces =
        app::workspaces::store::active_workspaces(&state.app.db, caller.user.id).await?;
    Ok(Json(
        workspaces
            .into_iter()
            .map(|workspace| Workspace {
                slug: workspace.slug,
                name: workspace.name,
                role: workspace.role.key().into(),
            })
            .collect(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    /// Unix seconds.
    pub occurred_at: i64,
    /// Such as `member.invited`, `group.renamed`, `token.created`.
    pub action: String,
    pub actor_email: Option<String>,
    pub target_email: Option<String>,
    /// Names and roles the action concerns; never secrets or metadata values.
    pub detail: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// The next (older) page's address, absent on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Only this action, such as `member.archived`.
    pub action: Option<String>,
    /// From this time on (Unix seconds).
    pub since: Option<i64>,
    /// Before this time (Unix seconds).
    pub until: Option<i64>,
    /// Entries per page; 50 when absent.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The cursor from the previous page's `next` link: entries older than this id.
    pub before: Option<i64>,
}

/// The workspace's audit trail, newest first.
#[utoipa::path(
    get, operation_id = "audit_trail", path = "/api/v1/workspaces/{slug}/audit", tag = "audit",
    params(WorkspacePath, AuditParams),
    responses((status = 200, description = "Done", body = AuditPage), (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody)),
    security(("token" = ["audit:read"]))
)]
pub async fn trail(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<WorkspacePath>, PathRejection>,
    query: Result<Query<AuditParams>, QueryRejection>,
) -> Result<Json<AuditPage>, ApiError> {
    let Path(WorkspacePath { slug }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    let Query(params) = query?;
    let limit = page_limit(params.limit, 200)?;
    let (entries, more) = audit::workspace_trail(
        &state.app,
        &actor,
        TrailQuery {
            action: params.action.clone(),
            since: params.since,
            until: params.until,
            before_id: params.before,
            limit,
        },
    )
    .await?;
    let next = match (more, entries.last()) {
        (true, Some(last)) => {
            let mut query = url::form_urlencoded::Serializer::new(String::new());
            query.append_pair("limit", &limit.to_string());
            if let Some(action) = &params.action {
                query.append_pair("action", action);
            }
            if let Some(since) = params.since {
                query.append_pair("since", &since.to_string());
            }
            if let Some(until) = params.until {
                query.append_pair("until", &until.to_string());
            }
            query.append_pair("before", &last.id.to_string());
            Some(format!(
                "/api/v1/workspaces/{slug}/audit?{}",
                query.finish()
            ))
        }
        _ => None,
    };
    Ok(Json(AuditPage {
        entries: entries
            .into_iter()
            .map(|entry| AuditEntry {
                id: entry.id,
                occurred_at: entry.occurred_at,
                action: entry.action,
                actor_email: entry.actor_email,
                target_email: entry.target_email,
                detail: entry.detail,
            })
            .collect(),
        next,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenInventoryEntry {
    pub owner_email: String,
    pub name: String,
    /// The secret's prefix and first characters; never the secret.
    pub hint: String,
    pub scopes: Vec<String>,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    /// `active`, `expired` or `revoked`.
    pub state: String,
}

impl From<InventoryRow> for TokenInventoryEntry {
    fn from(row: InventoryRow) -> TokenInventoryEntry {
        TokenInventoryEntry {
            owner_email: row.owner_email,
            name: row.token.name,
            hint: row.token.hint,
            scopes: row
                .token
                .scopes
                .iter()
                .map(|scope| scope.key().to_string())
                .collect(),
            created_at: row.token.created_at,
            expires_at: row.token.expires_at,
            last_used_at: row.token.last_used_at,
            state: row.token.state.label().to_lowercase(),
        }
    }
}

/// Every access token of the workspace's members.
#[utoipa::path(
    get, operation_id = "access_tokens_inventory", path = "/api/v1/workspaces/{slug}/access-tokens", tag = "workspaces",
    params(WorkspacePath),
    responses((status = 200, description = "Done", body = Vec<TokenInventoryEntry>), (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody)),
    security(("token" = ["members:read"]))
)]
pub async fn tokens(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<WorkspacePath>, PathRejection>,
) -> Result<Json<Vec<TokenInventoryEntry>>, ApiError> {
    let Path(WorkspacePath { slug }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    let rows = app::access_tokens::operations::inventory(&state.app, &actor).await?;
    Ok(Json(
        rows.into_iter().map(TokenInventoryEntry::from).collect(),
    ))
}
