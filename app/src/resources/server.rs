//! What the resource functions share on the server: who the caller is and what they may
//! do, finding resources they see, and ending a change with its audit event.

use std::sync::Arc;

use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, Transaction};

use super::store::{self, Resource};
use super::{ConstantRow, DataSourceRow, SourceKind, rules};
use crate::access::{ActingAs, Scope, WorkspaceActor, permissions_version};
use crate::audit;
use crate::error::AppError;
use crate::memberships::Role;
use crate::permissions::cache::{CacheKey, CallerPermissions};
use crate::permissions::{Action, Permissions, ResourceKind, Subject};
use crate::state::AppState;

/// An active member of the workspace, or a super admin acting as its admin, with their
/// effective permissions in it.
pub struct Caller {
    pub actor: WorkspaceActor,
    computed: Arc<CallerPermissions>,
}

impl Caller {
    pub fn permissions(&self) -> &Permissions {
        &self.computed.permissions
    }

    /// The names of the caller's groups: their role group first, then custom groups.
    pub fn group_names(&self) -> &[String] {
        &self.computed.group_names
    }
}

/// The actor's permissions as of `version` of the workspace's permissions: this
/// instance's, if it computed them at that version or since, otherwise computed now.
pub async fn caller(
    state: &AppState,
    conn: &mut AnyConnection,
    actor: WorkspaceActor,
    version: i64,
) -> Result<Caller, AppError> {
    let key = CacheKey {
        workspace_id: actor.workspace.id,
        user_id: actor.user.id,
        acting_as: actor.acting_as,
    };
    let computed = match state.permissions.get(&key, version) {
        Some(computed) => computed,
        None => {
            let computed = Arc::new(compute_permissions(conn, &actor).await?);
            state.permissions.put(key, version, computed.clone());
            computed
        }
    };
    Ok(Caller { actor, computed })
}

/// Reads the actor's groups with their rules and folds them: what a request costs when
/// no instance has computed them since the last change.
pub async fn compute_permissions(
    conn: &mut AnyConnection,
    actor: &WorkspaceActor,
) -> Result<CallerPermissions, AppError> {
    let (role, groups) = match actor.acting_as {
        ActingAs::Member => {
            crate::groups::store::subject_groups(conn, actor.workspace.id, actor.user.id)
                .await?
                .ok_or(AppError::WorkspaceUnavailable)?
        }
        // A super admin has the Admin group's permissions, member or not.
        ActingAs::SuperAdmin => {
            let admins =
                crate::groups::store::find_role_group(conn, actor.workspace.id, Role::Admin)
                    .await?;
            (Role::Admin, vec![admins])
        }
    };
    let permissions = Permissions::of(Subject {
        user_id: actor.user.id,
        role,
        groups: &groups,
    });
    let group_names = groups.into_iter().map(|group| group.name).collect();
    Ok(CallerPermissions {
        permissions,
        group_names,
    })
}

/// For reading: the caller and a connection. The permissions version is the one read
/// with the caller's standing at the start of the request.
pub async fn read(
    state: &AppState,
    actor: WorkspaceActor,
) -> Result<(Caller, PoolConnection<Any>), AppError> {
    actor.credential.permits(Scope::ResourcesRead)?;
    let mut conn = state.db.acquire().await?;
    let version = match actor.permissions_version {
        Some(version) => version,
        None => permissions_version(&mut conn, actor.workspace.id).await?,
    };
    let caller = caller(state, &mut conn, actor, version).await?;
    Ok((caller, conn))
}

/// For a change: a write transaction, and the caller's permissions as they stand inside
/// it. Changes to resources take turns with changes to the workspace's members, so a
/// demotion and an app's creation can't cross: whichever comes second sees the first
/// (an app created a moment after its creator became an End-user is refused, not left
/// behind their demotion's hand-over). The permissions version is read again once the
/// workspace is held, so a change that committed since the request began counts.
pub async fn write(
    state: &AppState,
    actor: WorkspaceActor,
) -> Result<(Caller, Transaction<'static, Any>), AppError> {
    actor.credential.permits(Scope::ResourcesWrite)?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    crate::db::lock_workspace(&mut tx, actor.workspace.id).await?;
    let version = permissions_version(&mut tx, actor.workspace.id).await?;
    let caller = caller(state, &mut tx, actor, version).await?;
    Ok((caller, tx))
}

/// An app, folder, workspace constant or data source of the caller's workspace that they
/// see; anything else is not found. An app never released is seen by its editors only.
pub async fn resource(
    conn: &mut AnyConnection,
    caller: &Caller,
    kind: ResourceKind,
    id: i64,
) -> Result<Resource, AppError> {
    let resource = store::find(conn, caller.actor.workspace.id, kind, id)
        .await?
        .ok_or(AppError::ResourceNotFound)?;
    let seen = match kind {
        ResourceKind::Folder => {
            let apps: Vec<_> = store::apps_in_folder(conn, caller.actor.workspace.id, id)
                .await?
                .into_iter()
                .filter(|listed| {
                    rules::app_exists_for(
                        caller.permissions(),
                        &listed.app,
                        listed.released.is_some(),
                    )
                })
                .map(|listed| listed.app)
                .collect();
            rules::sees_folder(caller.permissions(), &resource.reference(), &apps)
        }
        ResourceKind::App => rules::sees_app(
            caller.permissions(),
            &resource.reference(),
            resource.released.is_some(),
        ),
        _ => rules::sees(caller.permissions(), &resource.reference()),
    };
    if seen {
        Ok(resource)
    } else {
        Err(AppError::ResourceNotFound)
    }
}

/// A resource of the caller's workspace that they see and may `action`: one they don't
/// see is not found, one they see but may not change that way is refused.
pub async fn resource_for(
    conn: &mut AnyConnection,
    caller: &Caller,
    kind: ResourceKind,
    id: i64,
    action: Action,
) -> Result<Resource, AppError> {
    let resource = resource(conn, caller, kind, id).await?;
    rules::authorise(caller.permissions(), &resource.reference(), true, action)?;
    Ok(resource)
}

/// The caller's workspace's resources of `kind` that they see, by name.
pub async fn visible(
    conn: &mut AnyConnection,
    caller: &Caller,
    kind: ResourceKind,
) -> Result<Vec<Resource>, AppError> {
    let mut resources = store::of_kind(conn, caller.actor.workspace.id, kind).await?;
    resources.retain(|resource| rules::sees(caller.permissions(), &resource.reference()));
    Ok(resources)
}

/// A folder of the caller's workspace that they see.
pub async fn folder(
    conn: &mut AnyConnection,
    caller: &Caller,
    folder_id: i64,
) -> Result<Resource, AppError> {
    resource(conn, caller, ResourceKind::Folder, folder_id).await
}

pub fn constant_row(caller: &Caller, constant: &Resource) -> ConstantRow {
    let reference = constant.reference();
    ConstantRow {
        id: constant.id,
        name: constant.name.clone(),
        can_edit: caller.permissions().can(&reference, Action::Edit),
        can_delete: caller.permissions().can(&reference, Action::Delete),
    }
}

pub fn data_source_row(caller: &Caller, source: &Resource) -> Result<DataSourceRow, AppError> {
    let reference = source.reference();
    let kind = SourceKind::from_key(&source.body).ok_or_else(|| {
        tracing::error!(
            id = source.id,
            "unreadable data source kind in the database"
        );
        AppError::Internal
    })?;
    Ok(DataSourceRow {
        id: source.id,
        name: source.name.clone(),
        kind,
        can_configure: caller.permissions().can(&reference, Action::Configure),
        can_delete: caller.permissions().can(&reference, Action::Delete),
    })
}

/// Adds a resource and audits it, once the caller has been allowed to and its fields
/// checked. `secret`, a constant's value or a data source's configuration, is sealed in
/// the same transaction. Returns the new id.
pub async fn create(
    state: &AppState,
    mut tx: Transaction<'static, Any>,
    caller: &Caller,
    new: store::NewResource<'_>,
    secret: Option<&str>,
) -> Result<i64, AppError> {
    let (kind, name) = (new.kind, new.name);
    let id = store::insert(&mut tx, new).await?;
    if let Some(secret) = secret {
        let binding = store::binding(caller.actor.workspace.id, id, kind);
        store::set_secret(&mut tx, &state.keys, binding, secret).await?;
    }
    finish(tx, caller, Change::Created, kind, id, name).await?;
    Ok(id)
}

/// A constant's value or a data source's configuration, for a caller allowed `action` on
/// it. Every reading is audited.
pub async fn reveal(
    state: &AppState,
    actor: WorkspaceActor,
    kind: ResourceKind,
    id: i64,
    action: Action,
) -> Result<String, AppError> {
    let (caller, mut tx) = write(state, actor).await?;
    let resource = resource_for(&mut tx, &caller, kind, id, action).await?;
    let secret = store::open_secret(&state.keys, &resource)?;
    finish(
        tx,
        &caller,
        Change::Revealed,
        kind,
        resource.id,
        &resource.name,
    )
    .await?;
    Ok(secret)
}

/// Audits a constant's value read through an app's preview.
pub async fn record_reveal_in_preview(
    conn: &mut AnyConnection,
    caller: &Caller,
    constant_name: &str,
) -> Result<(), AppError> {
    let detail = format!(
        "{} {constant_name} (app preview)",
        ResourceKind::Constant.key()
    );
    audit::record_by(
        conn,
        &caller.actor,
        None,
        audit::Action::ResourceRevealed,
        &detail,
    )
    .await
}

/// Deletes a resource the caller may delete, and audits it.
pub async fn delete(
    state: &AppState,
    actor: WorkspaceActor,
    kind: ResourceKind,
    id: i64,
) -> Result<(), AppError> {
    let (caller, mut tx) = write(state, actor).await?;
    let resource = resource_for(&mut tx, &caller, kind, id, Action::Delete).await?;
    store::delete(&mut tx, resource.id).await?;
    finish(
        tx,
        &caller,
        Change::Deleted,
        kind,
        resource.id,
        &resource.name,
    )
    .await
}

/// What happened to a resource, for the audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Created,
    Changed,
    Deleted,
    /// A secret was read: a constant's value or a data source's configuration.
    Revealed,
    /// An app's draft was released as version `number`.
    Released {
        number: i64,
    },
    /// Version `number` of an app became its draft again.
    Restored {
        number: i64,
    },
}

impl Change {
    fn action(self) -> audit::Action {
        match self {
            Change::Created => audit::Action::ResourceCreated,
            Change::Changed => audit::Action::ResourceChanged,
            Change::Deleted => audit::Action::ResourceDeleted,
            Change::Revealed => audit::Action::ResourceRevealed,
            Change::Released { .. } => audit::Action::AppReleased,
            Change::Restored { .. } => audit::Action::AppVersionRestored,
        }
    }
}

/// Ends a change: its audit event (the kind and name, and a version's number, never a
/// value) goes into the same transaction, which then commits.
pub async fn finish(
    mut tx: Transaction<'static, Any>,
    caller: &Caller,
    change: Change,
    kind: ResourceKind,
    resource_id: i64,
    name: &str,
) -> Result<(), AppError> {
    let action = change.action();
    let detail = match change {
        Change::Released { number } | Change::Restored { number } => {
            format!("{} {name} v{number}", kind.key())
        }
        _ => format!("{} {name}", kind.key()),
    };
    audit::record_about_resource(&mut tx, &caller.actor, resource_id, action, &detail).await?;
    tx.commit().await?;
    tracing::info!(
        actor = caller.actor.user.id,
        workspace = %caller.actor.workspace.slug,
        action = action.key(),
        kind = kind.key(),
        resource_id,
        "resource"
    );
    Ok(())
}
