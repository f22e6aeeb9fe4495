//! `/api/v1/workspaces/{slug}/apps`, `folders`, `constants` and `data-sources`: what the
//! token's owner may see and do with them, as their groups allow. Constant values and
//! data source configurations never leave through the API, nor do app bodies: an app's
//! draft is written here and released as a version, which its viewers see.

use app::permissions::ResourceKind;
use app::resources::operations;
use app::resources::{AppCard, AppVersion, ConstantRow, DataSourceRow};
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
use super::members::WorkspacePath;
use super::vocabulary;

#[derive(Debug, Serialize, ToSchema)]
pub struct App {
    pub id: i64,
    pub name: String,
    /// Its folder, if it is in one the owner of the token sees.
    pub folder_id: Option<i64>,
    /// Whether the token's owner may edit it.
    pub can_edit: bool,
    /// The number of the version its viewers see; null until it is first released, and
    /// until then only those who may edit it find it.
    pub released_version: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Folder {
    pub id: i64,
    pub name: String,
    /// The apps in it that the token's owner sees listed.
    pub apps: Vec<App>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AppsOverview {
    pub folders: Vec<Folder>,
    /// Listed apps without a folder.
    pub unfiled: Vec<App>,
    pub can_create_app: bool,
    pub can_create_folder: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Constant {
    pub id: i64,
    pub name: String,
    pub can_edit: bool,
    pub can_delete: bool,
}

impl From<ConstantRow> for Constant {
    fn from(row: ConstantRow) -> Constant {
        Constant {
            id: row.id,
            name: row.name,
            can_edit: row.can_edit,
            can_delete: row.can_delete,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Constants {
    pub constants: Vec<Constant>,
    pub can_create: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DataSource {
    pub id: i64,
    pub name: String,
    #[schema(schema_with = vocabulary::source_kind)]
    pub kind: String,
    pub can_configure: bool,
    pub can_delete: bool,
}

impl From<DataSourceRow> for DataSource {
    fn from(row: DataSourceRow) -> DataSource {
        DataSource {
            id: row.id,
            name: row.name,
            kind: row.kind.key().into(),
            can_configure: row.can_configure,
            can_delete: row.can_delete,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DataSources {
    pub data_sources: Vec<DataSource>,
    pub can_create: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

fn app_of(card: AppCard, folder_id: Option<i64>) -> App {
    App {
        id: card.id,
        name: card.name,
        folder_id,
        can_edit: card.can_edit,
        released_version: card.released,
    }
}

fn created(location: String, id: i64) -> Response {
    (
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(Created { id }),
    )
        .into_response()
}

/// The apps the token's owner sees, by folder, and what they may create.
#[utoipa::path(
    get, operation_id = "resources_apps", path = "/api/v1/workspaces/{slug}/apps", tag = "resources",
    params(WorkspacePath),
    responses((status = 200, description = "Done", body = AppsOverview), (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody)),
    security(("token" = ["resources:read"]))
)]
pub async fn apps(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<WorkspacePath>, PathRejection>,
) -> Result<Json<AppsOverview>, ApiError> {
    let Path(WorkspacePath { slug }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    let dashboard = operations::dashboard(&state.app, &actor).await?;
    Ok(Json(AppsOverview {
        folders: dashboard
            .folders
            .into_iter()
            .map(|section| Folder {
                id: section.folder.id,
                apps: section
                    .apps
                    .into_iter()
                    .map(|card| app_of(card, Some(section.folder.id)))
                    .collect(),
                name: section.folder.name,
            })
            .collect(),
        unfiled: dashboard
            .unfiled
            .into_iter()
            .map(|card| app_of(card, None))
            .collect(),
        can_create_app: dashboard.can_create_app,
        can_create_folder: dashboard.can_create_folder,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApp {
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// A folder the token's owner sees; none for no folder.
    pub folder_id: Option<i64>,
}

/// Creates an app owned by the token's owner, who needs the permission to create apps.
#[utoipa::path(
    post, operation_id = "resources_create_app", path = "/api/v1/workspaces/{slug}/apps", tag = "resources",
    params(WorkspacePath),
    request_body = NewApp,
    responses(
        (status = 201, description = "Created", body = Created, headers(("Location" = String, description = "The new app"))),
        (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody),
    ),
    security(("token" = ["resources:write"]))
)]
pub async fn create_app(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<WorkspacePath>, PathRejection>,
    body: Result<ApiJson<NewApp>, ApiError>,
) -> Result<Response, ApiError> {
    let Path(WorkspacePath { slug }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    let ApiJson(request) = body?;
    let id = operations::create_app(&state.app, &actor, request.name, request.folder_id).await?;
    Ok(created(format!("/api/v1/workspaces/{slug}/apps/{id}"), id))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ResourcePath {
    /// The workspace's URL name.
    pub slug: String,
    pub id: i64,
}

/// One app the token's owner sees.
#[utoipa::path(
    get, operation_id = "resources_app", path = "/api/v1/workspaces/{slug}/apps/{id}", tag = "resources",
    params(ResourcePath),
    responses((status = 200, description = "Done", body = App), (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody)),
    security(("token" = ["resources:read"]))
)]
pub async fn app(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<ResourcePath>, PathRejection>,
) -> Result<Json<App>, ApiError> {
    let Path(ResourcePath { slug, id }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    let (card, folder_id) = operations::app(&state.app, &actor, id).await?;
    Ok(Json(app_of(card, folder_id)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFolder {
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
}

/// Creates a folder; the token's owner needs the permission to create folders.
#[utoipa::path(
    post, operation_id = "resources_create_folder", path = "/api/v1/workspaces/{slug}/folders", tag = "resources",
    params(WorkspacePath),
    request_body = NewFolder,
    responses(
        (status = 201, description = "Created", body = Created, headers(("Location" = String, description = "The new folder"))),
        (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody),
    ),
    security(("token" = ["resources:write"]))
)]
pub async fn create_folder(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<WorkspacePath>, PathRejection>,
    body: Result<ApiJson<NewFolder>, ApiError>,
) -> Result<Response, ApiError> {
    let Path(WorkspacePath { slug }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    let ApiJson(request) = body?;
    let folder = operations::create_folder(&state.app, &actor, request.name).await?;
    Ok(created(
        format!("/api/v1/workspaces/{slug}/folders/{}", folder.id),
        folder.id,
    ))
}

/// One folder the token's owner sees, with the apps it lists to them.
#[utoipa::path(
    get, operation_id = "resources_folder", path = "/api/v1/workspaces/{slug}/folders/{id}", tag = "resources",
    params(ResourcePath),
    responses((status = 200, description = "Done", body = Folder), (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody)),
    security(("token" = ["resources:read"]))
)]
pub async fn folder(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<ResourcePath>, PathRejection>,
) -> Result<Json<Folder>, ApiError> {
    let Path(ResourcePath { slug, id }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    let folder = operations::folder(&state.app, &actor, id).await?;
    Ok(Json(Folder {
        id: folder.id,
        name: folder.name,
        apps: folder
            .apps
            .into_iter()
            .map(|card| app_of(card, Some(id)))
            .collect(),
    }))
}

/// The workspace constants the token's owner sees, without their values.
#[utoipa::path(
    get, operation_id = "resources_constants", path = "/api/v1/workspaces/{slug}/constants", tag = "resources",
    params(WorkspacePath),
    responses((status = 200, description = "Done", body = Constants), (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody)),
    security(("token" = ["resources:read"]))
)]
pub async fn constants(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<WorkspacePath>, PathRejection>,
) -> Result<Json<Constants>, ApiError> {
    let Path(WorkspacePath { slug }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    let list = operations::constants(&state.app, &actor).await?;
    Ok(Json(Constants {
        constants: list.constants.into_iter().map(Constant::from).collect(),
        can_create: list.can_create,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewConstant {
    /// Letters, digits and underscores, starting with a letter.
    #[schema(pattern = "^[A-Za-z][A-Za-z0-9_]*$", max_length = 100)]
    pub name: String,
    /// Sealed at rest; shown only to those who may view it, in the pages.
    pub value: String,
}

/// Creates a workspace constant; the token's owner needs the permission to create them.
#[utoipa::path(
    post, operation_id = "resources_create_constant", path = "/api/v1/workspaces/{slug}/constants", tag = "resources",
    params(WorkspacePath),
    request_body = NewConstant,
    responses(
        (status = 201, description = "Created", body = Created, headers(("Location" = String, description = "The new constant"))),
        (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody),
    ),
    security(("token" = ["resources:write"]))
)]
pub async fn create_constant(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<WorkspacePath>, PathRejection>,
    body: Result<ApiJson<NewConstant>, ApiError>,
) -> Result<Response, ApiError> {
    let Path(WorkspacePath { slug }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    let ApiJson(request) = body?;
    let id = operations::create_constant(&state.app, &actor, request.name, request.value).await?;
    Ok(created(
        format!("/api/v1/workspaces/{slug}/constants/{id}"),
        id,
    ))
}

/// One workspace constant the token's owner sees, without its value.
#[utoipa::path(
    get, operation_id = "resources_constant", path = "/api/v1/workspaces/{slug}/constants/{id}", tag = "resources",
    params(ResourcePath),
    responses((status = 200, description = "Done", body = Constant), (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody)),
    security(("token" = ["resources:read"]))
)]
pub async fn constant(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<ResourcePath>, PathRejection>,
) -> Result<Json<Constant>, ApiError> {
    let Path(ResourcePath { slug, id }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    let details = operations::constant(&state.app, &actor, id).await?;
    Ok(Json(details.constant.into()))
}

/// The data sources the token's owner sees, without their configurations.
#[utoipa::path(
    get, operation_id = "resources_data_sources", path = "/api/v1/workspaces/{slug}/data-sources", tag = "resources",
    params(WorkspacePath),
    responses((status = 200, description = "Done", body = DataSources), (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody)),
    security(("token" = ["resources:read"]))
)]
pub async fn data_sources(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<WorkspacePath>, PathRejection>,
) -> Result<Json<DataSources>, ApiError> {
    let Path(WorkspacePath { slug }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    let list = operations::data_sources(&state.app, &actor).await?;
    Ok(Json(DataSources {
        data_sources: list
            .data_sources
            .into_iter()
            .map(DataSource::from)
            .collect(),
        can_create: list.can_create,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDataSource {
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    #[schema(schema_with = vocabulary::source_kind)]
    pub kind: String,
    /// Sealed at rest; never returned through the API.
    pub configuration: String,
}

/// Creates a data source; the token's owner needs the permission to create them.
#[utoipa::path(
    post, operation_id = "resources_create_data_source", path = "/api/v1/workspaces/{slug}/data-sources", tag = "resources",
    params(WorkspacePath),
    request_body = NewDataSource,
    responses(
        (status = 201, description = "Created", body = Created, headers(("Location" = String, description = "The new data source"))),
        (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody),
    ),
    security(("token" = ["resources:write"]))
)]
pub async fn create_data_source(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<WorkspacePath>, PathRejection>,
    body: Result<ApiJson<NewDataSource>, ApiError>,
) -> Result<Response, ApiError> {
    let Path(WorkspacePath { slug }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    let ApiJson(request) = body?;
    let id = operations::create_data_source(
        &state.app,
        &actor,
        request.name,
        request.kind,
        request.configuration,
    )
    .await?;
    Ok(created(
        format!("/api/v1/workspaces/{slug}/data-sources/{id}"),
        id,
    ))
}

/// One data source the token's owner sees, without its configuration.
#[utoipa::path(
    get, operation_id = "resources_data_source", path = "/api/v1/workspaces/{slug}/data-sources/{id}", tag = "resources",
    params(ResourcePath),
    responses((status = 200, description = "Done", body = DataSource), (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody)),
    security(("token" = ["resources:read"]))
)]
pub async fn data_source(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<ResourcePath>, PathRejection>,
) -> Result<Json<DataSource>, ApiError> {
    let Path(ResourcePath { slug, id }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    let details = operations::data_source(&state.app, &actor, id).await?;
    Ok(Json(details.data_source.into()))
}

async fn delete_of(
    state: ApiState,
    bearer: Bearer,
    path: Result<Path<ResourcePath>, PathRejection>,
    kind: ResourceKind,
) -> Result<StatusCode, ApiError> {
    let Path(ResourcePath { slug, id }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    operations::delete(&state.app, &actor, kind, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes an app the token's owner may delete.
#[utoipa::path(
    delete, operation_id = "resources_delete_app", path = "/api/v1/workspaces/{slug}/apps/{id}", tag = "resources",
    params(ResourcePath),
    responses((status = 204, description = "Done; nothing to return"), (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody)),
    security(("token" = ["resources:write"]))
)]
pub async fn delete_app(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<ResourcePath>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    delete_of(state, bearer, path, ResourceKind::App).await
}

/// Deletes a folder the token's owner may delete; its apps stay, without a folder.
#[utoipa::path(
    delete, operation_id = "resources_delete_folder", path = "/api/v1/workspaces/{slug}/folders/{id}", tag = "resources",
    params(ResourcePath),
    responses((status = 204, description = "Done; nothing to return"), (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody)),
    security(("token" = ["resources:write"]))
)]
pub async fn delete_folder(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<ResourcePath>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    delete_of(state, bearer, path, ResourceKind::Folder).await
}

/// Deletes a workspace constant the token's owner may delete.
#[utoipa::path(
    delete, operation_id = "resources_delete_constant", path = "/api/v1/workspaces/{slug}/constants/{id}", tag = "resources",
    params(ResourcePath),
    responses((status = 204, description = "Done; nothing to return"), (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody)),
    security(("token" = ["resources:write"]))
)]
pub async fn delete_constant(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<ResourcePath>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    delete_of(state, bearer, path, ResourceKind::Constant).await
}

/// Deletes a data source the token's owner may delete.
#[utoipa::path(
    delete, operation_id = "resources_delete_data_source", path = "/api/v1/workspaces/{slug}/data-sources/{id}", tag = "resources",
    params(ResourcePath),
    responses((status = 204, description = "Done; nothing to return"), (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody)),
    security(("token" = ["resources:write"]))
)]
pub async fn delete_data_source(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<ResourcePath>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    delete_of(state, bearer, path, ResourceKind::DataSource).await
}

/// Tells a field set to null from one left out: `Some(None)` against `None`.
fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppUpdate {
    #[schema(min_length = 1, max_length = 100)]
    pub name: Option<String>,
    /// A folder the token's owner sees, or null to take the app out of its folder.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub folder_id: Option<Option<i64>>,
    /// The app's draft body, with `{{ }}` placeholders. Viewers see it once it is
    /// released.
    pub body: Option<String>,
}

/// Changes an app the token's owner may edit: the fields given.
#[utoipa::path(
    patch, operation_id = "resources_update_app", path = "/api/v1/workspaces/{slug}/apps/{id}", tag = "resources",
    params(ResourcePath),
    request_body = AppUpdate,
    responses((status = 200, description = "Done", body = App), (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody)),
    security(("token" = ["resources:write"]))
)]
pub async fn update_app(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<ResourcePath>, PathRejection>,
    body: Result<ApiJson<AppUpdate>, ApiError>,
) -> Result<Json<App>, ApiError> {
    let Path(ResourcePath { slug, id }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    let ApiJson(request) = body?;
    let change = operations::AppChange {
        name: request.name,
        folder_id: request.folder_id,
        body: request.body,
    };
    operations::update_app(&state.app, &actor, id, change).await?;
    let (card, folder_id) = operations::app(&state.app, &actor, id).await?;
    Ok(Json(app_of(card, folder_id)))
}

/// Renames a folder the token's owner may rename.
#[utoipa::path(
    patch, operation_id = "resources_rename_folder", path = "/api/v1/workspaces/{slug}/folders/{id}", tag = "resources",
    params(ResourcePath),
    request_body = NewFolder,
    responses((status = 204, description = "Done; nothing to return"), (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody)),
    security(("token" = ["resources:write"]))
)]
pub async fn rename_folder(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<ResourcePath>, PathRejection>,
    body: Result<ApiJson<NewFolder>, ApiError>,
) -> Result<StatusCode, ApiError> {
    let Path(ResourcePath { slug, id }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    let ApiJson(request) = body?;
    operations::rename_folder(&state.app, &actor, id, request.name).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConstantValue {
    /// Sealed at rest; never returned through the API.
    pub value: String,
}

/// Replaces the value of a workspace constant the token's owner may edit.
#[utoipa::path(
    patch, operation_id = "resources_set_constant_value", path = "/api/v1/workspaces/{slug}/constants/{id}", tag = "resources",
    params(ResourcePath),
    request_body = ConstantValue,
    responses((status = 204, description = "Done; nothing to return"), (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody)),
    security(("token" = ["resources:write"]))
)]
pub async fn set_constant_value(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<ResourcePath>, PathRejection>,
    body: Result<ApiJson<ConstantValue>, ApiError>,
) -> Result<StatusCode, ApiError> {
    let Path(ResourcePath { slug, id }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    let ApiJson(request) = body?;
    operations::set_constant_value(&state.app, &actor, id, request.value).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DataSourceUpdate {
    #[schema(min_length = 1, max_length = 100)]
    pub name: Option<String>,
    #[schema(schema_with = vocabulary::optional_source_kind)]
    pub kind: Option<String>,
    /// Sealed at rest; never returned through the API. Left out, it stays as it is.
    pub configuration: Option<String>,
}

/// Changes a data source the token's owner may configure: the fields given.
#[utoipa::path(
    patch, operation_id = "resources_configure_data_source", path = "/api/v1/workspaces/{slug}/data-sources/{id}", tag = "resources",
    params(ResourcePath),
    request_body = DataSourceUpdate,
    responses((status = 200, description = "Done", body = DataSource), (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody)),
    security(("token" = ["resources:write"]))
)]
pub async fn configure_data_source(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<ResourcePath>, PathRejection>,
    body: Result<ApiJson<DataSourceUpdate>, ApiError>,
) -> Result<Json<DataSource>, ApiError> {
    let Path(ResourcePath { slug, id }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    let ApiJson(request) = body?;
    let change = operations::DataSourceChange {
        name: request.name,
        kind: request.kind,
        configuration: request.configuration,
    };
    operations::configure_data_source(&state.app, &actor, id, change).await?;
    let details = operations::data_source(&state.app, &actor, id).await?;
    Ok(Json(details.data_source.into()))
}

/// A released version of an app.
#[derive(Debug, Serialize, ToSchema)]
pub struct Version {
    /// 1 for the first release, then one more for each.
    pub number: i64,
    /// The full name of who released it; null once their account is gone.
    pub released_by: Option<String>,
    /// Unix seconds.
    pub released_at: i64,
    pub notes: String,
}

impl From<AppVersion> for Version {
    fn from(version: AppVersion) -> Version {
        Version {
            number: version.number,
            released_by: version.released_by,
            released_at: version.released_at,
            notes: version.notes,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Versions {
    /// Newest first; the first is the one viewers see.
    pub versions: Vec<Version>,
}

/// The released versions of an app the token's owner may edit.
#[utoipa::path(
    get, operation_id = "resources_app_versions", path = "/api/v1/workspaces/{slug}/apps/{id}/versions", tag = "resources",
    params(ResourcePath),
    responses((status = 200, description = "Done", body = Versions), (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody)),
    security(("token" = ["resources:read"]))
)]
pub async fn app_versions(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<ResourcePath>, PathRejection>,
) -> Result<Json<Versions>, ApiError> {
    let Path(ResourcePath { slug, id }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    let versions = operations::app_versions(&state.app, &actor, id).await?;
    Ok(Json(Versions {
        versions: versions.into_iter().map(Version::from).collect(),
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Release {
    /// What changed, for the app's other editors.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub notes: String,
}

/// Releases the saved draft of an app the token's owner may edit as its next version,
/// which its viewers then see. A draft the same as the newest version is refused.
#[utoipa::path(
    post, operation_id = "resources_release_app", path = "/api/v1/workspaces/{slug}/apps/{id}/versions", tag = "resources",
    params(ResourcePath),
    request_body(content = Option<Release>),
    responses(
        (status = 201, description = "Released", body = Version),
        (status = "4XX", description = "Refused: the body says why (`code`, `message`, `details`)", body = ErrorBody),
    ),
    security(("token" = ["resources:write"]))
)]
pub async fn release_app(
    State(state): State<ApiState>,
    bearer: Bearer,
    path: Result<Path<ResourcePath>, PathRejection>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let Path(ResourcePath { slug, id }) = path?;
    let actor = bearer.in_workspace(&state, &slug).await?;
    let release: Release = super::error::optional_object(&body)?;
    let version = operations::release_app(&state.app, &actor, id, release.notes).await?;
    Ok((StatusCode::CREATED, Json(Version::from(version))).into_response())
}
