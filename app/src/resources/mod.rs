//! Resources: a workspace's apps, folders, workspace constants and data sources, with
//! the dashboard and a page for each.
//!
//! Every function decides on the server with the permission rules
//! ([`crate::permissions`]) over the caller's role group and custom groups. A resource
//! the caller can't see is not found, so its existence isn't revealed; one they see but
//! may not change that way is refused. An app's editors change its draft and release it
//! as numbered versions; its viewers see the newest version, and an app never released
//! exists only for its editors. Constants' values and data sources'
//! configurations are sealed at rest and leave the server only through the functions
//! that reveal them, to callers allowed to read them.

mod app_page;
mod app_releases;
mod constants_page;
mod dashboard;
mod data_sources_page;
mod detail_page;
mod folder_page;
mod list_page;
#[cfg(feature = "ssr")]
pub mod operations;
mod page;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod store;
mod widgets;

pub use app_page::{AppEditPage, AppPage};
pub use constants_page::{ConstantPage, ConstantsPage};
pub use dashboard::DashboardPage;
pub use data_sources_page::{DataSourcePage, DataSourcesPage};
pub use folder_page::FolderPage;
pub use rules::SourceKind;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A folder by id and name, as headings, links and the folder choice show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderRef {
    pub id: i64,
    pub name: String,
}

/// An app in a list, with whether the viewer may edit it (an "Edit" link) or only open
/// it ("Open").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppCard {
    pub id: i64,
    pub name: String,
    pub can_edit: bool,
    /// The number of the version its viewers see; `None` for a draft never released,
    /// which only its editors find listed.
    pub released: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderSection {
    pub folder: FolderRef,
    pub apps: Vec<AppCard>,
}

/// What the dashboard shows one member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub folders: Vec<FolderSection>,
    /// Listed apps without a folder.
    pub unfiled: Vec<AppCard>,
    pub can_create_app: bool,
    pub can_create_folder: bool,
}

/// An app's page: the version its viewers see, rendered for the caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppDetails {
    pub id: i64,
    pub name: String,
    pub folder: Option<FolderRef>,
    /// The owner's full name; `None` once their account is gone.
    pub owner: Option<String>,
    /// The version viewers see; `None` until the app is first released, when only its
    /// editors get this far.
    pub released: Option<AppVersion>,
    /// That version's body rendered for the caller, as HTML; `None` until released.
    pub rendered: Option<String>,
    pub can_edit: bool,
    pub can_delete: bool,
    pub is_admin: bool,
}

/// A released version of an app. Its body stays on the server but for the version viewers
/// see, which reaches them rendered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppVersion {
    /// 1 for the first release, then one more for each.
    pub number: i64,
    /// The full name of who released it; `None` once their account is gone, and for apps
    /// released when versions were introduced.
    pub released_by: Option<String>,
    /// Unix seconds.
    pub released_at: i64,
    pub notes: String,
}

/// An app in its editor: its draft and what goes with it. Only for those who may edit
/// the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppDraft {
    pub app: AppDetails,
    /// The draft body as written, with its placeholders.
    pub body: String,
    /// The draft rendered for the caller, as HTML, as the preview first shows it.
    pub preview: String,
    /// The caller's own `globals` tree as indented JSON, for the Inspector.
    pub inspector: String,
    /// The folders the app may move to.
    pub folders: Vec<FolderRef>,
    /// Every released version, newest first.
    pub versions: Vec<AppVersion>,
}

/// A folder's page: the apps in it the viewer may see listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderDetails {
    pub id: i64,
    pub name: String,
    pub apps: Vec<AppCard>,
    pub can_rename: bool,
    pub can_delete: bool,
    pub is_admin: bool,
}

/// A workspace constant by name. Its value is never part of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConstantRow {
    pub id: i64,
    pub name: String,
    pub can_edit: bool,
    pub can_delete: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConstantList {
    pub constants: Vec<ConstantRow>,
    pub can_create: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConstantDetails {
    pub constant: ConstantRow,
    pub is_admin: bool,
}

/// A data source by name and kind. Its configuration is never part of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataSourceRow {
    pub id: i64,
    pub name: String,
    pub kind: SourceKind,
    pub can_configure: bool,
    pub can_delete: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataSourceList {
    pub data_sources: Vec<DataSourceRow>,
    pub can_create: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataSourceDetails {
    pub data_source: DataSourceRow,
    pub is_admin: bool,
}

// Dashboard and apps

/// The apps the caller may see, by folder, and what they may create.
#[server(endpoint = "dashboard")]
pub async fn load_dashboard(slug: String) -> Result<Dashboard, AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::dashboard(&state, &actor).await
}

/// Creates an app owned by the caller, in a folder or none. Returns its id.
#[server(endpoint = "apps/create")]
pub async fn create_app(
    slug: String,
    name: String,
    folder_id: Option<i64>,
) -> Result<i64, AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::create_app(&state, &actor, name, folder_id).await
}

/// An app's page: the version its viewers see, rendered for the caller. An app never
/// released is not found but for its editors.
#[server(endpoint = "apps/details")]
pub async fn open_app(slug: String, app_id: i64) -> Result<AppDetails, AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::open_app(&state, &actor, app_id).await
}

/// An app opened in its editor (`/{slug}/apps/{app_id}/edit`): refused to those who may
/// only view it, whichever way they arrive.
#[server(endpoint = "apps/editor")]
pub async fn open_app_editor(slug: String, app_id: i64) -> Result<AppDraft, AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::open_app_editor(&state, &actor, app_id).await
}

/// A draft body rendered for the caller, for the editor's preview: only for those who may
/// edit the app, whatever page they call it from.
#[server(endpoint = "apps/preview")]
pub async fn preview_app(slug: String, app_id: i64, body: String) -> Result<String, AppError> {
    use crate::permissions::{Action, ResourceKind};
    let (actor, state) = crate::access::session_actor(&slug).await?;
    let (caller, mut conn) = server::read(&state, actor).await?;
    server::resource_for(&mut conn, &caller, ResourceKind::App, app_id, Action::Edit).await?;
    rules::Text::Body.check(&body)?;
    let scope = crate::rendering::server::scope_for(&mut conn, &caller, &body).await?;
    // A draft can name any constant its editor may view: reading one this way is a
    // reveal like any other, and audited as one.
    for name in scope.constants.keys() {
        server::record_reveal_in_preview(&mut conn, &caller, name).await?;
    }
    Ok(crate::rendering::render_html(&body, &scope))
}

/// Changes an app's name, folder and draft body; moving it to another folder is an edit
/// too. Viewers see the draft once it is released.
#[server(endpoint = "apps/update")]
pub async fn save_app(
    slug: String,
    app_id: i64,
    name: String,
    folder_id: Option<i64>,
    body: String,
) -> Result<(), AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    let change = operations::AppChange {
        name: Some(name),
        folder_id: Some(folder_id),
        body: Some(body),
    };
    operations::update_app(&state, &actor, app_id, change).await
}

/// Releases an app's saved draft as its next version, which its viewers then see.
#[server(endpoint = "apps/release")]
pub async fn release_app(slug: String, app_id: i64, notes: String) -> Result<AppVersion, AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::release_app(&state, &actor, app_id, notes).await
}

/// Makes a released version's body the app's draft again; viewers keep the version they
/// see until the next release.
#[server(endpoint = "apps/restore")]
pub async fn restore_app_version(slug: String, app_id: i64, number: i64) -> Result<(), AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::restore_version(&state, &actor, app_id, number).await
}

#[server(endpoint = "apps/delete")]
pub async fn delete_app(slug: String, app_id: i64) -> Result<(), AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::delete(
        &state,
        &actor,
        crate::permissions::ResourceKind::App,
        app_id,
    )
    .await
}

// Folders

#[server(endpoint = "folders/create")]
pub async fn create_folder(slug: String, name: String) -> Result<FolderRef, AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::create_folder(&state, &actor, name).await
}

#[server(endpoint = "folders/details")]
pub async fn open_folder(slug: String, folder_id: i64) -> Result<FolderDetails, AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::folder(&state, &actor, folder_id).await
}

#[server(endpoint = "folders/rename")]
pub async fn rename_folder(slug: String, folder_id: i64, name: String) -> Result<(), AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::rename_folder(&state, &actor, folder_id, name).await
}

/// Deletes a folder; the apps in it stay, without a folder.
#[server(endpoint = "folders/delete")]
pub async fn delete_folder(slug: String, folder_id: i64) -> Result<(), AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::delete(
        &state,
        &actor,
        crate::permissions::ResourceKind::Folder,
        folder_id,
    )
    .await
}

// Workspace constants

/// The constants the caller may see, by name, without their values.
#[server(endpoint = "constants/list")]
pub async fn list_constants(slug: String) -> Result<ConstantList, AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::constants(&state, &actor).await
}

#[server(endpoint = "constants/create")]
pub async fn create_constant(slug: String, name: String, value: String) -> Result<i64, AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::create_constant(&state, &actor, name, value).await
}

#[server(endpoint = "constants/details")]
pub async fn open_constant(slug: String, constant_id: i64) -> Result<ConstantDetails, AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::constant(&state, &actor, constant_id).await
}

/// A constant's value, for a caller who may view it. Each reveal is audited.
#[server(endpoint = "constants/reveal")]
pub async fn reveal_constant(slug: String, constant_id: i64) -> Result<String, AppError> {
    use crate::permissions::{Action, ResourceKind};
    let (actor, state) = crate::access::session_actor(&slug).await?;
    server::reveal(
        &state,
        actor,
        ResourceKind::Constant,
        constant_id,
        Action::View,
    )
    .await
}

/// Replaces a constant's value.
#[server(endpoint = "constants/update")]
pub async fn set_constant_value(
    slug: String,
    constant_id: i64,
    value: String,
) -> Result<(), AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::set_constant_value(&state, &actor, constant_id, value).await
}

#[server(endpoint = "constants/delete")]
pub async fn delete_constant(slug: String, constant_id: i64) -> Result<(), AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::delete(
        &state,
        &actor,
        crate::permissions::ResourceKind::Constant,
        constant_id,
    )
    .await
}

// Data sources

/// The data sources the caller may build with, without their configurations.
#[server(endpoint = "data-sources/list")]
pub async fn list_data_sources(slug: String) -> Result<DataSourceList, AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::data_sources(&state, &actor).await
}

#[server(endpoint = "data-sources/create")]
pub async fn create_data_source(
    slug: String,
    name: String,
    kind: String,
    configuration: String,
) -> Result<i64, AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::create_data_source(&state, &actor, name, kind, configuration).await
}

#[server(endpoint = "data-sources/details")]
pub async fn open_data_source(
    slug: String,
    data_source_id: i64,
) -> Result<DataSourceDetails, AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::data_source(&state, &actor, data_source_id).await
}

/// A data source's configuration, for a caller who may configure it. Each read is
/// audited.
#[server(endpoint = "data-sources/configuration")]
pub async fn read_data_source_configuration(
    slug: String,
    data_source_id: i64,
) -> Result<String, AppError> {
    use crate::permissions::{Action, ResourceKind};
    let (actor, state) = crate::access::session_actor(&slug).await?;
    server::reveal(
        &state,
        actor,
        ResourceKind::DataSource,
        data_source_id,
        Action::Configure,
    )
    .await
}

/// Changes a data source's name, kind and configuration.
#[server(endpoint = "data-sources/update")]
pub async fn configure_data_source(
    slug: String,
    data_source_id: i64,
    name: String,
    kind: String,
    configuration: String,
) -> Result<(), AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    let change = operations::DataSourceChange {
        name: Some(name),
        kind: Some(kind),
        configuration: Some(configuration),
    };
    operations::configure_data_source(&state, &actor, data_source_id, change).await
}

#[server(endpoint = "data-sources/delete")]
pub async fn delete_data_source(slug: String, data_source_id: i64) -> Result<(), AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::delete(
        &state,
        &actor,
        crate::permissions::ResourceKind::DataSource,
        data_source_id,
    )
    .await
}
