//! The resource use cases every adapter shares: what a member sees (the dashboard, an
//! app, the constants, the data sources), creating and deleting resources, releasing
//! apps. Each works from the actor's permissions in the workspace, as the pages do.

use sqlx::AnyConnection;

use super::server::{self, Caller};
use super::store::{self, Resource};
use super::{
    AppDetails, AppDraft, AppVersion, ConstantDetails, ConstantList, Dashboard, DataSourceDetails,
    DataSourceList, FolderDetails, FolderRef, SourceKind, rules,
};
use crate::access::WorkspaceActor;
use crate::error::AppError;
use crate::permissions::{Action, ResourceKind};
use crate::state::AppState;

/// Deletes a resource the actor may delete.
pub async fn delete(
    state: &AppState,
    actor: &WorkspaceActor,
    kind: ResourceKind,
    id: i64,
) -> Result<(), AppError> {
    server::delete(state, actor.clone(), kind, id).await
}

pub async fn dashboard(state: &AppState, actor: &WorkspaceActor) -> Result<Dashboard, AppError> {
    let (caller, mut conn) = server::read(state, actor.clone()).await?;
    let workspace_id = caller.actor.workspace.id;
    let resources = crate::groups::store::resource_refs(&mut conn, workspace_id).await?;
    let releases = store::released_versions(&mut conn, workspace_id).await?;
    Ok(rules::dashboard(
        caller.permissions(),
        &resources,
        &releases,
    ))
}

pub async fn create_app(
    state: &AppState,
    actor: &WorkspaceActor,
    name: String,
    folder_id: Option<i64>,
) -> Result<i64, AppError> {
    let (caller, mut tx) = server::write(state, actor.clone()).await?;
    rules::authorise_create(caller.permissions(), ResourceKind::App)?;
    let name = rules::normalise_name(&name)?;
    if let Some(folder_id) = folder_id {
        server::folder(&mut tx, &caller, folder_id).await?;
    }
    let app = store::NewResource {
        folder_id,
        owner_user_id: Some(caller.actor.user.id),
        ..store::NewResource::named(caller.actor.workspace.id, ResourceKind::App, &name)
    };
    server::create(state, tx, &caller, app, None).await
}

pub async fn create_folder(
    state: &AppState,
    actor: &WorkspaceActor,
    name: String,
) -> Result<FolderRef, AppError> {
    let (caller, tx) = server::write(state, actor.clone()).await?;
    rules::authorise_create(caller.permissions(), ResourceKind::Folder)?;
    let name = rules::normalise_name(&name)?;
    let folder = store::NewResource::named(caller.actor.workspace.id, ResourceKind::Folder, &name);
    let id = server::create(state, tx, &caller, folder, None).await?;
    Ok(FolderRef { id, name })
}

pub async fn folder(
    state: &AppState,
    actor: &WorkspaceActor,
    folder_id: i64,
) -> Result<FolderDetails, AppError> {
    let (caller, mut conn) = server::read(state, actor.clone()).await?;
    let folder = server::folder(&mut conn, &caller, folder_id).await?;
    let permissions = caller.permissions();
    let reference = folder.reference();
    let apps = store::apps_in_folder(&mut conn, caller.actor.workspace.id, folder.id)
        .await?
        .into_iter()
        .filter(|listed| rules::lists_app(permissions, &listed.app, listed.released.is_some()))
        .map(|listed| rules::app_card(permissions, &listed.app, &listed.name, listed.released))
        .collect();
    Ok(FolderDetails {
        id: folder.id,
        name: folder.name,
        apps,
        can_rename: permissions.can(&reference, Action::Rename),
        can_delete: permissions.can(&reference, Action::Delete),
        is_admin: permissions.is_admin(),
    })
}

pub async fn constants(state: &AppState, actor: &WorkspaceActor) -> Result<ConstantList, AppError> {
    let (caller, mut conn) = server::read(state, actor.clone()).await?;
    let constants = server::visible(&mut conn, &caller, ResourceKind::Constant)
        .await?
        .iter()
        .map(|constant| server::constant_row(&caller, constant))
        .collect();
    Ok(ConstantList {
        constants,
        can_create: caller.permissions().can_create(ResourceKind::Constant),
    })
}

pub async fn create_constant(
    state: &AppState,
    actor: &WorkspaceActor,
    name: String,
    value: String,
) -> Result<i64, AppError> {
    let (caller, tx) = server::write(state, actor.clone()).await?;
    rules::authorise_create(caller.permissions(), ResourceKind::Constant)?;
    let name = rules::normalise_constant_name(&name)?;
    rules::Text::Value.check(&value)?;
    let constant =
        store::NewResource::named(caller.actor.workspace.id, ResourceKind::Constant, &name);
    server::create(state, tx, &caller, constant, Some(&value)).await
}

pub async fn constant(
    state: &AppState,
    actor: &WorkspaceActor,
    constant_id: i64,
) -> Result<ConstantDetails, AppError> {
    let (caller, mut conn) = server::read(state, actor.clone()).await?;
    let constant =
        server::resource(&mut conn, &caller, ResourceKind::Constant, constant_id).await?;
    Ok(ConstantDetails {
        constant: server::constant_row(&caller, &constant),
        is_admin: caller.permissions().is_admin(),
    })
}

pub async fn data_sources(
    state: &AppState,
    actor: &WorkspaceActor,
) -> Result<DataSourceList, AppError> {
    let (caller, mut conn) = server::read(state, actor.clone()).await?;
    let data_sources = server::visible(&mut conn, &caller, ResourceKind::DataSource)
        .await?
        .iter()
        .map(|source| server::data_source_row(&caller, source))
        .collect::<Result<_, _>>()?;
    Ok(DataSourceList {
        data_sources,
        can_create: caller.permissions().can_create(ResourceKind::DataSource),
    })
}

pub async fn create_data_source(
    state: &AppState,
    actor: &WorkspaceActor,
    name: String,
    kind: String,
    configuration: String,
) -> Result<i64, AppError> {
    let (caller, tx) = server::write(state, actor.clone()).await?;
    rules::authorise_create(caller.permissions(), ResourceKind::DataSource)?;
    let name = rules::normalise_name(&name)?;
    let kind = SourceKind::parse(&kind)?;
    rules::Text::Configuration.check(&configuration)?;
    let source = store::NewResource {
        body: kind.key(),
        ..store::NewResource::named(caller.actor.workspace.id, ResourceKind::DataSource, &name)
    };
    server::create(state, tx, &caller, source, Some(&configuration)).await
}

pub async fn data_source(
    state: &AppState,
    actor: &WorkspaceActor,
    data_source_id: i64,
) -> Result<DataSourceDetails, AppError> {
    let (caller, mut conn) = server::read(state, actor.clone()).await?;
    let source =
        server::resource(&mut conn, &caller, ResourceKind::DataSource, data_source_id).await?;
    Ok(DataSourceDetails {
        data_source: server::data_source_row(&caller, &source)?,
        is_admin: caller.permissions().is_admin(),
    })
}

/// An app the actor sees, as a list shows it, with its folder.
pub async fn app(
    state: &AppState,
    actor: &WorkspaceActor,
    app_id: i64,
) -> Result<(super::AppCard, Option<i64>), AppError> {
    let (caller, mut conn) = server::read(state, actor.clone()).await?;
    let app = server::resource(&mut conn, &caller, ResourceKind::App, app_id).await?;
    let card = rules::app_card(
        caller.permissions(),
        &app.reference(),
        &app.name,
        app.released,
    );
    Ok((card, app.folder_id))
}

/// An app's page: the version its viewers see, rendered for the actor.
pub async fn open_app(
    state: &AppState,
    actor: &WorkspaceActor,
    app_id: i64,
) -> Result<AppDetails, AppError> {
    let (caller, mut conn) = server::read(state, actor.clone()).await?;
    let app = server::resource(&mut conn, &caller, ResourceKind::App, app_id).await?;
    app_details(&mut conn, &caller, &app).await
}

/// An app in its editor: its draft rendered for the actor with their `globals`, the
/// folders it may move to and its versions. Only for those who may edit it.
pub async fn open_app_editor(
    state: &AppState,
    actor: &WorkspaceActor,
    app_id: i64,
) -> Result<AppDraft, AppError> {
    let (caller, mut conn) = server::read(state, actor.clone()).await?;
    let app =
        server::resource_for(&mut conn, &caller, ResourceKind::App, app_id, Action::Edit).await?;
    let details = app_details(&mut conn, &caller, &app).await?;
    let scope = crate::rendering::server::scope_for(&mut conn, &caller, &app.body).await?;
    let inspector = serde_json::to_string_pretty(&scope.globals).map_err(|_| AppError::Internal)?;
    let workspace_id = caller.actor.workspace.id;
    let resources = crate::groups::store::resource_refs(&mut conn, workspace_id).await?;
    let releases = store::released_versions(&mut conn, workspace_id).await?;
    Ok(AppDraft {
        app: details,
        preview: crate::rendering::render_html(&app.body, &scope),
        inspector,
        folders: rules::visible_folders(caller.permissions(), &resources, &releases),
        versions: store::versions(&mut conn, app.id).await?,
        body: app.body,
    })
}

/// What an app's page shows the caller, who sees the app.
async fn app_details(
    conn: &mut AnyConnection,
    caller: &Caller,
    app: &Resource,
) -> Result<AppDetails, AppError> {
    let permissions = caller.permissions();
    let reference = app.reference();
    // The folder is named only to those who see it.
    let folder = match app.folder_id {
        Some(folder_id) => match server::folder(conn, caller, folder_id).await {
            Ok(folder) => Some(FolderRef {
                id: folder.id,
                name: folder.name,
            }),
            Err(AppError::ResourceNotFound) => None,
            Err(error) => return Err(error),
        },
        None => None,
    };
    let owner = match app.owner_user_id {
        Some(user_id) => store::full_name(conn, user_id).await?,
        None => None,
    };
    let (released, rendered) = match store::released_version(conn, app).await? {
        Some((version, body)) => {
            let scope = crate::rendering::server::scope_for(conn, caller, &body).await?;
            (
                Some(version),
                Some(crate::rendering::render_html(&body, &scope)),
            )
        }
        None => (None, None),
    };
    Ok(AppDetails {
        id: app.id,
        name: app.name.clone(),
        folder,
        owner,
        released,
        rendered,
        can_edit: permissions.can(&reference, Action::Edit),
        can_delete: permissions.can(&reference, Action::Delete),
        is_admin: permissions.is_admin(),
    })
}

/// Releases an app's saved draft as its next version, with `notes`, and audits it.
pub async fn release_app(
    state: &AppState,
    actor: &WorkspaceActor,
    app_id: i64,
    notes: String,
) -> Result<AppVersion, AppError> {
    let (caller, mut tx) = server::write(state, actor.clone()).await?;
    let app =
        server::resource_for(&mut tx, &caller, ResourceKind::App, app_id, Action::Edit).await?;
    rules::Text::ReleaseNotes.check(&notes)?;
    let newest = store::released_version(&mut tx, &app).await?;
    let newest = newest
        .as_ref()
        .map(|(version, body)| (version.number, body.as_str()));
    let number = rules::next_release(newest, &app.body)?;
    store::insert_version(
        &mut tx,
        app.id,
        number,
        &app.body,
        notes.trim(),
        caller.actor.user.id,
    )
    .await?;
    let (version, _) = store::version(&mut tx, app.id, number)
        .await?
        .ok_or(AppError::Internal)?;
    let change = server::Change::Released { number };
    server::finish(tx, &caller, change, ResourceKind::App, app.id, &app.name).await?;
    Ok(version)
}

/// An app's released versions, newest first, for those who may edit it.
pub async fn app_versions(
    state: &AppState,
    actor: &WorkspaceActor,
    app_id: i64,
) -> Result<Vec<AppVersion>, AppError> {
    let (caller, mut conn) = server::read(state, actor.clone()).await?;
    let app =
        server::resource_for(&mut conn, &caller, ResourceKind::App, app_id, Action::Edit).await?;
    store::versions(&mut conn, app.id).await
}

/// Makes version `number`'s body the app's draft again, and audits it. What viewers see
/// stays as it is until the next release.
pub async fn restore_version(
    state: &AppState,
    actor: &WorkspaceActor,
    app_id: i64,
    number: i64,
) -> Result<(), AppError> {
    let (caller, mut tx) = server::write(state, actor.clone()).await?;
    let app =
        server::resource_for(&mut tx, &caller, ResourceKind::App, app_id, Action::Edit).await?;
    let (_, body) = store::version(&mut tx, app.id, number)
        .await?
        .ok_or(AppError::AppVersionNotFound)?;
    store::set_draft(&mut tx, app.id, &body).await?;
    let change = server::Change::Restored { number };
    server::finish(tx, &caller, change, ResourceKind::App, app.id, &app.name).await
}

/// A change to an app: the fields given change, the others stay. `folder_id` of
/// `Some(None)` takes the app out of its folder.
#[derive(Debug, Clone, Default)]
pub struct AppChange {
    pub name: Option<String>,
    pub folder_id: Option<Option<i64>>,
    pub body: Option<String>,
}

/// Changes an app's name, folder and draft body; moving it to another folder is an edit
/// too.
pub async fn update_app(
    state: &AppState,
    actor: &WorkspaceActor,
    app_id: i64,
    change: AppChange,
) -> Result<(), AppError> {
    let (caller, mut tx) = server::write(state, actor.clone()).await?;
    let app =
        server::resource_for(&mut tx, &caller, ResourceKind::App, app_id, Action::Edit).await?;
    let name = match change.name {
        Some(name) => rules::normalise_name(&name)?,
        None => app.name.clone(),
    };
    let body = change.body.unwrap_or_else(|| app.body.clone());
    rules::Text::Body.check(&body)?;
    let folder_id = change.folder_id.unwrap_or(app.folder_id);
    if let Some(folder_id) = folder_id
        && app.folder_id != Some(folder_id)
    {
        server::folder(&mut tx, &caller, folder_id).await?;
    }
    store::update_app(&mut tx, app.id, &name, folder_id, &body).await?;
    server::finish(
        tx,
        &caller,
        server::Change::Changed,
        ResourceKind::App,
        app.id,
        &name,
    )
    .await
}

pub async fn rename_folder(
    state: &AppState,
    actor: &WorkspaceActor,
    folder_id: i64,
    name: String,
) -> Result<(), AppError> {
    let (caller, mut tx) = server::write(state, actor.clone()).await?;
    let folder = server::resource_for(
        &mut tx,
        &caller,
        ResourceKind::Folder,
        folder_id,
        Action::Rename,
    )
    .await?;
    let name = rules::normalise_name(&name)?;
    store::update_name_and_body(&mut tx, &folder, &name, "").await?;
    server::finish(
        tx,
        &caller,
        server::Change::Changed,
        ResourceKind::Folder,
        folder.id,
        &name,
    )
    .await
}

/// Replaces a constant's value.
pub async fn set_constant_value(
    state: &AppState,
    actor: &WorkspaceActor,
    constant_id: i64,
    value: String,
) -> Result<(), AppError> {
    let (caller, mut tx) = server::write(state, actor.clone()).await?;
    let constant = server::resource_for(
        &mut tx,
        &caller,
        ResourceKind::Constant,
        constant_id,
        Action::Edit,
    )
    .await?;
    rules::Text::Value.check(&value)?;
    store::set_secret(&mut tx, &state.keys, constant.binding(), &value).await?;
    server::finish(
        tx,
        &caller,
        server::Change::Changed,
        ResourceKind::Constant,
        constant.id,
        &constant.name,
    )
    .await
}

/// A change to a data source: the fields given change, the others stay.
#[derive(Debug, Clone, Default)]
pub struct DataSourceChange {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub configuration: Option<String>,
}

/// Changes a data source's name, kind and configuration.
pub async fn configure_data_source(
    state: &AppState,
    actor: &WorkspaceActor,
    data_source_id: i64,
    change: DataSourceChange,
) -> Result<(), AppError> {
    let (caller, mut tx) = server::write(state, actor.clone()).await?;
    let source = server::resource_for(
        &mut tx,
        &caller,
        ResourceKind::DataSource,
        data_source_id,
        Action::Configure,
    )
    .await?;
    let name = match change.name {
        Some(name) => rules::normalise_name(&name)?,
        None => source.name.clone(),
    };
    let kind = match change.kind {
        Some(kind) => SourceKind::parse(&kind)?,
        None => SourceKind::parse(&source.body)?,
    };
    if let Some(configuration) = &change.configuration {
        rules::Text::Configuration.check(configuration)?;
    }
    store::update_name_and_body(&mut tx, &source, &name, kind.key()).await?;
    if let Some(configuration) = &change.configuration {
        store::set_secret(&mut tx, &state.keys, source.binding(), configuration).await?;
    }
    server::finish(
        tx,
        &caller,
        server::Change::Changed,
        ResourceKind::DataSource,
        source.id,
        &name,
    )
    .await
}
