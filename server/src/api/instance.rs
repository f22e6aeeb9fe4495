//! `/api/v1/instance`: every user of the instance and the counts, for super admins.

use app::instance::{AccountFilter, operations};
use app::users::store::PagePosition;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::Bearer;
use super::error::{ApiError, ErrorBody};
use super::vocabulary;
use super::{ApiState, Cursor};

#[derive(Debug, Serialize, ToSchema)]
pub struct InstanceUser {
    pub user_id: i64,
    pub full_name: String,
    pub email: String,
    pub is_super_admin: bool,
    /// Memberships in any status.
    pub workspaces: i64,
    #[schema(schema_with = vocabulary::status)]
    pub status: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InstanceUsers {
    pub users: Vec<InstanceUser>,
    /// Users with an invited or active membership in an active workspace.
    pub total_users: i64,
    /// Those of them who are Admin or Builder somewhere.
    pub builders: i64,
    pub next: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InstanceParams {
    /// A prefix of an email address or a name.
    pub search: Option<String>,
    /// Only users with this status; all when absent.
    #[param(schema_with = vocabulary::status_filter)]
    pub status: Option<String>,
    /// The cursor from the previous page's `next` link.
    pub after: Option<String>,
}

/// Every user of the instance, 50 a page by email, with the counts.
#[utoipa::path(
    get, operation_id = "instance_users", path = "/api/v1/instance/users", tag = "instance",
    params(InstanceParams),
    responses((status = 200, description = "Done", body = InstanceUsers), (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody)),
    security(("token" = ["instance:read"]))
)]
pub async fn users(
    State(state): State<ApiState>,
    bearer: Bearer,
    query: Result<Query<InstanceParams>, QueryRejection>,
) -> Result<Json<InstanceUsers>, ApiError> {
    let caller = bearer.caller(&state).await?;
    let Query(params) = query?;
    let filter = AccountFilter::parse(params.status.as_deref())?;
    let position = match params.after.as_deref() {
        Some(cursor) => PagePosition::After(Cursor::decode(cursor)?),
        None => PagePosition::First,
    };
    let search = params.search.as_deref().and_then(app::users::search_key);
    let page = operations::users(&state.app, &caller, search.as_deref(), filter, position).await?;
    let next = page.next_after.map(|after| {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("status", filter.key());
        if let Some(search) = &params.search {
            query.append_pair("search", search);
        }
        query.append_pair("after", &Cursor::encode(&after));
        format!("/api/v1/instance/users?{}", query.finish())
    });
    Ok(Json(InstanceUsers {
        users: page
            .users
            .into_iter()
            .map(|user| InstanceUser {
                user_id: user.user_id,
                full_name: user.full_name,
                email: user.email,
                is_super_admin: user.is_super_admin,
                workspaces: user.workspaces,
                status: user.status.key().into(),
            })
            .collect(),
        total_users: page.counts.total_users,
        builders: page.counts.builders,
        next,
    }))
}
