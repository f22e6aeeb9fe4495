//! SCIM 2.0 at `/scim/v2/{workspace}`: identity providers provision a workspace's
//! members and custom groups with the workspace's SCIM token. Thin: each handler reads
//! the request, calls a provisioning operation and answers in SCIM's JSON, errors
//! included. Every request is logged for the Provisioning page.

use app::access::WorkspaceActor;
use app::error::AppError;
use app::provisioning::operations::{self as provisioning, Listing};
use app::provisioning::scim::{ScimError, discovery, projection, schema, user};
use app::provisioning::store::{Paging, ScimOrApp};
use app::provisioning::{ScimRequest, store};
use app::state::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::Value;

const MEDIA_TYPE: &str = "application/scim+json";
/// The most resources one page returns, as ServiceProviderConfig says.
const MAX_RESULTS: i64 = 200;
const DEFAULT_COUNT: i64 = 100;

pub fn router(state: AppState) -> Router<AppState> {
    let workspace = Router::new()
        .route("/ServiceProviderConfig", get(service_provider_config))
        .route("/ResourceTypes", get(resource_types))
        .route("/ResourceTypes/{name}", get(resource_type))
        .route("/Schemas", get(schemas))
        .route("/Schemas/{id}", get(one_schema))
        .route("/.search", post(search_everything))
        .route("/Users", get(list_users).post(create_user))
        .route("/Users/.search", post(search_users))
        .route(
            "/Users/{id}",
            get(get_user)
                .put(replace_user)
                .patch(patch_user)
                .delete(delete_user),
        )
        .route("/Groups", get(list_groups).post(create_group))
        .route("/Groups/.search", post(search_groups))
        .route(
            "/Groups/{id}",
            get(get_group)
                .put(replace_group)
                .patch(patch_group)
                .delete(delete_group),
        )
        .fallback(unknown_endpoint)
        .layer(from_fn_with_state(state, authenticate));
    Router::new().nest("/scim/v2/{workspace}", workspace)
}

/// A SCIM answer: a resource, a list, nothing, or an error.
struct Scim(StatusCode, Option<Value>);

impl IntoResponse for Scim {
    fn into_response(self) -> Response {
        let Scim(status, body) = self;
        let mut response = match body {
            Some(body) => (status, body.to_string()).into_response(),
            None => status.into_response(),
        };
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(MEDIA_TYPE));
        response
    }
}

/// The one error answer: the status, scimType and detail of RFC 7644 §3.12.
fn error_response(error: &ScimError) -> Response {
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = Scim(status, Some(error.to_json())).into_response();
    // SCIM's error keeps only the message; each AppError has exactly one.
    if error.detail == AppError::Busy.to_string() {
        response
            .headers_mut()
            .insert(app::error::BUSY_HEADER, HeaderValue::from_static("1"));
    }
    response
        .extensions_mut()
        .insert(Outcome(error.detail.clone()));
    response
}

/// What the request log says about a failed request.
#[derive(Clone)]
struct Outcome(String);

/// A refused request, answered as RFC 7644 §3.12 says.
struct Refusal(ScimError);

impl From<ScimError> for Refusal {
    fn from(error: ScimError) -> Refusal {
        Refusal(error)
    }
}

impl From<ScimOrApp> for Refusal {
    fn from(error: ScimOrApp) -> Refusal {
        Refusal(error.into())
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        error_response(&self.0)
    }
}

type Answer = Result<Scim, Refusal>;

fn answer(result: Result<Value, ScimOrApp>, status: StatusCode) -> Answer {
    Ok(Scim(status, Some(result?)))
}

/// Checks the SCIM token of every request, puts the actor in the request, and logs the
/// request with its result once answered.
async fn authenticate(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    // Inside the nested router the URI lost its prefix; the original keeps the slug.
    let original = request
        .extensions()
        .get::<axum::extract::OriginalUri>()
        .map_or_else(
            || request.uri().path().to_string(),
            |uri| uri.path().to_string(),
        );
    let slug = original
        .strip_prefix("/scim/v2/")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_default()
        .to_string();
    let secret = crate::api::bearer_secret(request.headers());
    let actor = match secret {
        Some(secret) => provisioning::authenticate(&state, &secret, &slug).await,
        None => Err(AppError::ScimTokenInvalid),
    };
    let actor = match actor {
        Ok(actor) => actor,
        Err(error) => {
            let mut response = error_response(&ScimError::from(ScimOrApp::App(error)));
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"SCIM\""),
            );
            return response;
        }
    };
    let method = request.method().to_string();
    let path = request.uri().path().to_string();
    request.extensions_mut().insert(actor.clone());
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let outcome = response
        .extensions()
        .get::<Outcome>()
        .map_or_else(|| "OK".to_string(), |outcome| outcome.0.clone());
    let logged = ScimRequest {
        occurred_at: app::db::now(),
        method,
        path,
        status,
        outcome,
    };
    let token_id = match actor.credential {
        app::access::Credential::ScimToken { id } => Some(id),
        _ => None,
    };
    if let Err(error) =
        store::record_request(&state.db, actor.workspace.id, token_id, &logged).await
    {
        tracing::warn!(?error, "a SCIM request could not be logged");
    }
    response
}

fn base_url(state: &AppState, actor: &WorkspaceActor) -> String {
    provisioning::base_url(state, &actor.workspace.slug)
}

fn actor_of(
    request_actor: Option<axum::Extension<WorkspaceActor>>,
) -> Result<WorkspaceActor, Refusal> {
    request_actor
        .map(|axum::Extension(actor)| actor)
        .ok_or_else(|| ScimOrApp::App(AppError::ScimTokenInvalid).into())
}

type Actor = Option<axum::Extension<WorkspaceActor>>;

async fn service_provider_config(State(state): State<AppState>, actor: Actor) -> Answer {
    let actor = actor_of(actor)?;
    Ok(Scim(
        StatusCode::OK,
        Some(discovery::service_provider_config(&base_url(
            &state, &actor,
        ))),
    ))
}

async fn resource_types(State(state): State<AppState>, actor: Actor) -> Answer {
    let actor = actor_of(actor)?;
    Ok(Scim(
        StatusCode::OK,
        Some(discovery::resource_types(&base_url(&state, &actor))),
    ))
}

async fn resource_type(
    State(state): State<AppState>,
    actor: Actor,
    Path((_, name)): Path<(String, String)>,
) -> Answer {
    let actor = actor_of(actor)?;
    let found = discovery::resource_type(&base_url(&state, &actor), &name)
        .ok_or_else(|| ScimError::not_found(format!("No resource type {name}.")))?;
    Ok(Scim(StatusCode::OK, Some(found)))
}

async fn schemas(State(state): State<AppState>, actor: Actor) -> Answer {
    let actor = actor_of(actor)?;
    Ok(Scim(
        StatusCode::OK,
        Some(discovery::schemas(&base_url(&state, &actor))),
    ))
}

async fn one_schema(
    State(state): State<AppState>,
    actor: Actor,
    Path((_, id)): Path<(String, String)>,
) -> Answer {
    let actor = actor_of(actor)?;
    let found = discovery::schema(&base_url(&state, &actor), &id)
        .ok_or_else(|| ScimError::not_found(format!("No schema {id}.")))?;
    Ok(Scim(StatusCode::OK, Some(found)))
}

async fn unknown_endpoint(method: Method) -> Response {
    error_response(&ScimError::not_found(format!(
        "This SCIM service has no such endpoint for {method}."
    )))
}

/// A listing's parameters, from the query string or a `.search` body.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListParameters {
    filter: Option<String>,
    start_index: Option<Value>,
    count: Option<Value>,
    attributes: Option<Value>,
    excluded_attributes: Option<Value>,
    sort_by: Option<String>,
    sort_order: Option<String>,
}

/// Attributes may come as a comma-separated string (query) or a list (`.search`).
fn attribute_list(value: &Option<Value>) -> Result<Option<String>, ScimError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(Value::Array(items)) => Ok(Some(
            items
                .iter()
                .map(|item| {
                    item.as_str().map(str::to_string).ok_or_else(|| {
                        ScimError::invalid_value("attributes are strings.".to_string())
                    })
                })
                .collect::<Result<Vec<_>, _>>()?
                .join(","),
        )),
        Some(_) => Err(ScimError::invalid_value(
            "attributes are a list of names.".to_string(),
        )),
    }
}

fn integer(value: &Option<Value>, name: &str) -> Result<Option<i64>, ScimError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) => number
            .as_i64()
            .map(Some)
            .ok_or_else(|| ScimError::invalid_value(format!("{name} is an integer."))),
        Some(Value::String(text)) => text
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| ScimError::invalid_value(format!("{name} is an integer."))),
        Some(_) => Err(ScimError::invalid_value(format!("{name} is an integer."))),
    }
}

struct Projection {
    attributes: Option<String>,
    excluded: Option<String>,
}

impl Projection {
    fn apply(&self, resource: Value, schemas: &[&schema::Schema]) -> Result<Value, ScimError> {
        projection::project(
            resource,
            self.attributes.as_deref(),
            self.excluded.as_deref(),
            schemas,
        )
    }

    /// Whether a group's members are wanted: they are the costly part.
    fn wants(&self, attribute: &str) -> bool {
        let named = |list: &Option<String>| {
            list.as_deref().is_some_and(|list| {
                list.split(',').any(|name| {
                    name.trim().eq_ignore_ascii_case(attribute)
                        || name
                            .trim()
                            .to_ascii_lowercase()
                            .starts_with(&format!("{}.", attribute.to_ascii_lowercase()))
                })
            })
        };
        if self.attributes.is_some() {
            named(&self.attributes)
        } else {
            !named(&self.excluded)
        }
    }
}

fn read_listing(
    parameters: &ListParameters,
    sortable: fn(&str) -> Result<&'static str, ScimError>,
) -> Result<(Listing, Projection), ScimError> {
    let filter = parameters
        .filter
        .as_deref()
        .map(app::provisioning::scim::filter::parse)
        .transpose()?;
    let start_index = integer(&parameters.start_index, "startIndex")?
        .unwrap_or(1)
        .max(1);
    let count = integer(&parameters.count, "count")?
        .unwrap_or(DEFAULT_COUNT)
        .clamp(0, MAX_RESULTS);
    let sort = match &parameters.sort_by {
        Some(attribute) => {
            let ascending = !parameters
                .sort_order
                .as_deref()
                .is_some_and(|order| order.eq_ignore_ascii_case("descending"));
            Some((sortable(attribute)?, ascending))
        }
        None => None,
    };
    Ok((
        Listing {
            filter,
            paging: Paging {
                start_index,
                count,
                sort,
            },
        },
        Projection {
            attributes: attribute_list(&parameters.attributes)?,
            excluded: attribute_list(&parameters.excluded_attributes)?,
        },
    ))
}

fn group_sortable(attribute: &str) -> Result<&'static str, ScimError> {
    if attribute.eq_ignore_ascii_case("displayName") {
        Ok("displayName")
    } else {
        Err(ScimError::invalid_value(format!(
            "Groups can be sorted by displayName, not by {attribute}."
        )))
    }
}

fn project_list(
    mut list: Value,
    projection: &Projection,
    schemas: &[&schema::Schema],
) -> Result<Value, ScimError> {
    if let Some(resources) = list.get_mut("Resources").and_then(Value::as_array_mut) {
        for resource in resources.iter_mut() {
            *resource = projection.apply(resource.take(), schemas)?;
        }
    }
    Ok(list)
}

fn projection_of(parameters: &ListParameters) -> Result<Projection, ScimError> {
    Ok(Projection {
        attributes: attribute_list(&parameters.attributes)?,
        excluded: attribute_list(&parameters.excluded_attributes)?,
    })
}

fn id_of(id: &str, kind: &str) -> Result<i64, ScimError> {
    id.parse()
        .map_err(|_| ScimError::not_found(format!("No {kind} {id} in this workspace.")))
}

fn body_of(bytes: &Bytes) -> Result<Value, ScimError> {
    serde_json::from_slice(bytes).map_err(|error| {
        ScimError::invalid_syntax(format!("The request body isn't JSON: {error}."))
    })
}

fn created(resource: Value) -> Answer {
    Ok(Scim(StatusCode::CREATED, Some(resource)))
}

async fn list_users(
    State(state): State<AppState>,
    actor: Actor,
    Query(parameters): Query<ListParameters>,
) -> Answer {
    users_listing(&state, actor, &parameters).await
}

async fn search_users(State(state): State<AppState>, actor: Actor, body: Bytes) -> Answer {
    users_listing(&state, actor, &search_parameters(&body)?).await
}

async fn users_listing(state: &AppState, actor: Actor, parameters: &ListParameters) -> Answer {
    let actor = actor_of(actor)?;
    let (listing, projection) = read_listing(parameters, user::sort_column)?;
    let list = provisioning::list_users(state, &actor, &base_url(state, &actor), listing).await?;
    Ok(Scim(
        StatusCode::OK,
        Some(project_list(list, &projection, schema::USER_SCHEMAS)?),
    ))
}

async fn search_everything(State(state): State<AppState>, actor: Actor, body: Bytes) -> Answer {
    let actor = actor_of(actor)?;
    let parameters = search_parameters(&body)?;
    let (listing, projection) = read_listing(&parameters, |attribute| {
        Err(ScimError::invalid_value(format!(
            "A search of every resource type isn't sorted; sortBy {attribute} can't be used."
        )))
    })?;
    let mut list =
        provisioning::search_everything(&state, &actor, &base_url(&state, &actor), listing).await?;
    if let Some(resources) = list.get_mut("Resources").and_then(Value::as_array_mut) {
        for resource in resources.iter_mut() {
            let is_group = resource["meta"]["resourceType"] == "Group";
            let schemas = if is_group {
                schema::GROUP_SCHEMAS
            } else {
                schema::USER_SCHEMAS
            };
            *resource = projection.apply(resource.take(), schemas)?;
        }
    }
    Ok(Scim(StatusCode::OK, Some(list)))
}

/// The parameters of a `POST …/.search`, from its body.
fn search_parameters(body: &Bytes) -> Result<ListParameters, ScimError> {
    serde_json::from_value(body_of(body)?).map_err(|error| {
        ScimError::invalid_syntax(format!("The search request can't be read: {error}."))
    })
}

async fn get_user(
    State(state): State<AppState>,
    actor: Actor,
    Path((_, id)): Path<(String, String)>,
    Query(parameters): Query<ListParameters>,
) -> Answer {
    let actor = actor_of(actor)?;
    let user = provisioning::get_user(
        &state,
        &actor,
        &base_url(&state, &actor),
        id_of(&id, "user")?,
    )
    .await?;
    Ok(Scim(
        StatusCode::OK,
        Some(projection_of(&parameters)?.apply(user, schema::USER_SCHEMAS)?),
    ))
}

async fn create_user(State(state): State<AppState>, actor: Actor, body: Bytes) -> Response {
    let result = async {
        let actor = actor_of(actor)?;
        let user =
            provisioning::create_user(&state, &actor, &base_url(&state, &actor), &body_of(&body)?)
                .await?;
        created(user)
    }
    .await;
    with_location(result)
}

/// A created resource's answer carries its location (RFC 7644 §3.3).
fn with_location(result: Answer) -> Response {
    match result {
        Ok(Scim(status, Some(resource))) => {
            let location = resource
                .pointer("/meta/location")
                .and_then(Value::as_str)
                .and_then(|location| HeaderValue::from_str(location).ok());
            let mut response = Scim(status, Some(resource)).into_response();
            if let Some(location) = location {
                response.headers_mut().insert(LOCATION, location);
            }
            response
        }
        Ok(other) => other.into_response(),
        Err(refusal) => refusal.into_response(),
    }
}

async fn replace_user(
    State(state): State<AppState>,
    actor: Actor,
    Path((_, id)): Path<(String, String)>,
    body: Bytes,
) -> Answer {
    let actor = actor_of(actor)?;
    let id = id_of(&id, "user")?;
    answer(
        provisioning::replace_user(
            &state,
            &actor,
            &base_url(&state, &actor),
            id,
            &body_of(&body)?,
        )
        .await,
        StatusCode::OK,
    )
}

async fn patch_user(
    State(state): State<AppState>,
    actor: Actor,
    Path((_, id)): Path<(String, String)>,
    body: Bytes,
) -> Answer {
    let actor = actor_of(actor)?;
    let id = id_of(&id, "user")?;
    answer(
        provisioning::patch_user(
            &state,
            &actor,
            &base_url(&state, &actor),
            id,
            &body_of(&body)?,
        )
        .await,
        StatusCode::OK,
    )
}

async fn delete_user(
    State(state): State<AppState>,
    actor: Actor,
    Path((_, id)): Path<(String, String)>,
) -> Answer {
    let actor = actor_of(actor)?;
    provisioning::delete_user(&state, &actor, id_of(&id, "user")?).await?;
    Ok(Scim(StatusCode::NO_CONTENT, None))
}

async fn list_groups(
    State(state): State<AppState>,
    actor: Actor,
    Query(parameters): Query<ListParameters>,
) -> Answer {
    groups_listing(&state, actor, &parameters).await
}

async fn search_groups(State(state): State<AppState>, actor: Actor, body: Bytes) -> Answer {
    groups_listing(&state, actor, &search_parameters(&body)?).await
}

async fn groups_listing(state: &AppState, actor: Actor, parameters: &ListParameters) -> Answer {
    let actor = actor_of(actor)?;
    let (listing, projection) = read_listing(parameters, group_sortable)?;
    let with_members = projection.wants("members");
    let list = provisioning::list_groups(
        state,
        &actor,
        &base_url(state, &actor),
        listing,
        with_members,
    )
    .await?;
    Ok(Scim(
        StatusCode::OK,
        Some(project_list(list, &projection, schema::GROUP_SCHEMAS)?),
    ))
}

async fn get_group(
    State(state): State<AppState>,
    actor: Actor,
    Path((_, id)): Path<(String, String)>,
    Query(parameters): Query<ListParameters>,
) -> Answer {
    let actor = actor_of(actor)?;
    let projection = projection_of(&parameters)?;
    let group = provisioning::get_group(
        &state,
        &actor,
        &base_url(&state, &actor),
        id_of(&id, "group")?,
        projection.wants("members"),
    )
    .await?;
    Ok(Scim(
        StatusCode::OK,
        Some(projection.apply(group, schema::GROUP_SCHEMAS)?),
    ))
}

async fn create_group(State(state): State<AppState>, actor: Actor, body: Bytes) -> Response {
    let result = async {
        let actor = actor_of(actor)?;
        let group =
            provisioning::create_group(&state, &actor, &base_url(&state, &actor), &body_of(&body)?)
                .await?;
        created(group)
    }
    .await;
    with_location(result)
}

async fn replace_group(
    State(state): State<AppState>,
    actor: Actor,
    Path((_, id)): Path<(String, String)>,
    body: Bytes,
) -> Answer {
    let actor = actor_of(actor)?;
    let id = id_of(&id, "group")?;
    answer(
        provisioning::replace_group(
            &state,
            &actor,
            &base_url(&state, &actor),
            id,
            &body_of(&body)?,
        )
        .await,
        StatusCode::OK,
    )
}

async fn patch_group(
    State(state): State<AppState>,
    actor: Actor,
    Path((_, id)): Path<(String, String)>,
    Query(parameters): Query<ListParameters>,
    body: Bytes,
) -> Answer {
    let actor = actor_of(actor)?;
    let id = id_of(&id, "group")?;
    let projection = projection_of(&parameters)?;
    let group = provisioning::patch_group(
        &state,
        &actor,
        &base_url(&state, &actor),
        id,
        &body_of(&body)?,
        projection.wants("members"),
    )
    .await?;
    Ok(Scim(
        StatusCode::OK,
        Some(projection.apply(group, schema::GROUP_SCHEMAS)?),
    ))
}

async fn delete_group(
    State(state): State<AppState>,
    actor: Actor,
    Path((_, id)): Path<(String, String)>,
) -> Answer {
    let actor = actor_of(actor)?;
    provisioning::delete_group(&state, &actor, id_of(&id, "group")?).await?;
    Ok(Scim(StatusCode::NO_CONTENT, None))
}
