//! Resources in the database: one `resources` row per app, folder, workspace constant
//! and data source. Constants' values and data sources' configurations are sealed in
//! `ciphertext`, bound to their row ([`ResourceBinding`]). An app's `body` is its draft;
//! its releases are numbered rows of `app_versions`, the newest being what viewers see.

use std::collections::HashMap;

use sqlx::AnyConnection;

use crate::db::{Db, now};
use crate::error::AppError;
use crate::metadata::crypto::{Keyring, ResourceBinding, Sealed};
use crate::permissions::{ResourceKind, ResourceRef};

/// A resource as stored. Its sealed secret stays on the server: this type is never sent
/// anywhere.
#[derive(Debug, Clone)]
pub struct Resource {
    pub id: i64,
    pub workspace_id: i64,
    pub kind: ResourceKind,
    pub name: String,
    pub folder_id: Option<i64>,
    pub owner_user_id: Option<i64>,
    /// Apps: the draft body. Data sources: the kind of source.
    pub body: String,
    /// Apps: the number of the version viewers see; `None` until first released.
    pub released: Option<i64>,
    sealed: Option<Sealed>,
}

impl Resource {
    /// The resource as the permission rules see it.
    pub fn reference(&self) -> ResourceRef {
        ResourceRef {
            id: self.id,
            kind: self.kind,
            folder_id: self.folder_id,
            owner_user_id: self.owner_user_id,
        }
    }

    pub fn binding(&self) -> ResourceBinding {
        binding(self.workspace_id, self.id, self.kind)
    }
}

pub fn binding(workspace_id: i64, resource_id: i64, kind: ResourceKind) -> ResourceBinding {
    ResourceBinding {
        workspace_id,
        resource_id,
        kind,
    }
}

#[derive(sqlx::FromRow)]
struct ResourceRecord {
    id: i64,
    workspace_id: i64,
    kind: String,
    name: String,
    folder_id: Option<i64>,
    owner_user_id: Option<i64>,
    body: String,
    ciphertext: Option<String>,
    key_id: Option<String>,
    released: Option<i64>,
}

const COLUMNS: &str =
    "id, workspace_id, kind, name, folder_id, owner_user_id, body, ciphertext, key_id,
     (SELECT MAX(v.number) FROM app_versions v WHERE v.app_id = resources.id) AS released";

impl TryFrom<ResourceRecord> for Resource {
    type Error = AppError;

    fn try_from(record: ResourceRecord) -> Result<Resource, AppError> {
        let kind = ResourceKind::from_key(&record.kind).ok_or_else(|| {
            tracing::error!(id = record.id, "unreadable resource kind in the database");
            AppError::Internal
        })?;
        Ok(Resource {
            id: record.id,
            workspace_id: record.workspace_id,
            kind,
            name: record.name,
            folder_id: record.folder_id,
            owner_user_id: record.owner_user_id,
            body: record.body,
            released: record.released,
            sealed: match (record.ciphertext, record.key_id) {
                (Some(ciphertext), Some(key_id)) => Some(Sealed { key_id, ciphertext }),
                _ => None,
            },
        })
    }
}

/// A resource of `kind` in the workspace; ids of other kinds or workspaces aren't found.
pub async fn find(
    conn: &mut AnyConnection,
    workspace_id: i64,
    kind: ResourceKind,
    id: i64,
) -> Result<Option<Resource>, AppError> {
    let record: Option<ResourceRecord> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM resources WHERE workspace_id = $1 AND kind = $2 AND id = $3"
    ))
    .bind(workspace_id)
    .bind(kind.key())
    .bind(id)
    .fetch_optional(conn)
    .await?;
    record.map(Resource::try_from).transpose()
}

/// Every resource of `kind` in the workspace, by name.
pub async fn of_kind(
    conn: &mut AnyConnection,
    workspace_id: i64,
    kind: ResourceKind,
) -> Result<Vec<Resource>, AppError> {
    let records: Vec<ResourceRecord> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM resources WHERE workspace_id = $1 AND kind = $2 ORDER BY name_key"
    ))
    .bind(workspace_id)
    .bind(kind.key())
    .fetch_all(conn)
    .await?;
    records.into_iter().map(Resource::try_from).collect()
}

/// An app as a list names it, with the number of its released version.
#[derive(Debug, Clone)]
pub struct ListedApp {
    pub app: ResourceRef,
    pub name: String,
    /// `None` until the app is first released.
    pub released: Option<i64>,
}

/// The apps in a folder, by name.
pub async fn apps_in_folder(
    conn: &mut AnyConnection,
    workspace_id: i64,
    folder_id: i64,
) -> Result<Vec<ListedApp>, AppError> {
    let records: Vec<ListedAppRecord> = sqlx::query_as(
        "SELECT id, folder_id, owner_user_id, name,
                (SELECT MAX(v.number) FROM app_versions v WHERE v.app_id = resources.id)
                    AS released
         FROM resources
         WHERE workspace_id = $1 AND kind = 'app' AND folder_id = $2 ORDER BY name_key",
    )
    .bind(workspace_id)
    .bind(folder_id)
    .fetch_all(conn)
    .await?;
    Ok(records
        .into_iter()
        .map(|record| ListedApp {
            app: ResourceRef {
                id: record.id,
                kind: ResourceKind::App,
                folder_id: record.folder_id,
                owner_user_id: record.owner_user_id,
            },
            name: record.name,
            released: record.released,
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct ListedAppRecord {
    id: i64,
    folder_id: Option<i64>,
    owner_user_id: Option<i64>,
    name: String,
    released: Option<i64>,
}

/// The number of each released app's newest version, by app id. Apps never released
/// aren't in it.
pub async fn released_versions(
    conn: &mut AnyConnection,
    workspace_id: i64,
) -> Result<HashMap<i64, i64>, AppError> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT v.app_id, MAX(v.number) FROM app_versions v
         JOIN resources r ON r.id = v.app_id
         WHERE r.workspace_id = $1 GROUP BY v.app_id",
    )
    .bind(workspace_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().collect())
}

/// An app's released versions, newest first, without their bodies.
pub async fn versions(
    conn: &mut AnyConnection,
    app_id: i64,
) -> Result<Vec<super::AppVersion>, AppError> {
    let rows: Vec<(i64, String, Option<String>, i64)> = sqlx::query_as(&format!(
        "SELECT {VERSION_COLUMNS} {VERSIONS_FROM} WHERE v.app_id = $1 ORDER BY v.number DESC"
    ))
    .bind(app_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(version_of).collect())
}

/// One version of an app with its body.
pub async fn version(
    conn: &mut AnyConnection,
    app_id: i64,
    number: i64,
) -> Result<Option<(super::AppVersion, String)>, AppError> {
    let row: Option<(i64, String, Option<String>, i64, String)> = sqlx::query_as(&format!(
        "SELECT {VERSION_COLUMNS}, v.body {VERSIONS_FROM} WHERE v.app_id = $1 AND v.number = $2"
    ))
    .bind(app_id)
    .bind(number)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(number, notes, released_by, released_at, body)| {
        (version_of((number, notes, released_by, released_at)), body)
    }))
}

/// The version viewers see, with its body; `None` when the app was never released.
pub async fn released_version(
    conn: &mut AnyConnection,
    app: &Resource,
) -> Result<Option<(super::AppVersion, String)>, AppError> {
    match app.released {
        Some(number) => version(conn, app.id, number).await,
        None => Ok(None),
    }
}

/// A version's columns as [`version_of`] takes them, and where they come from: the
/// releaser's name is gone with their account.
const VERSION_COLUMNS: &str = "v.number, v.notes, u.full_name, v.released_at";
const VERSIONS_FROM: &str = "FROM app_versions v LEFT JOIN users u ON u.id = v.released_by";

fn version_of(
    (number, notes, released_by, released_at): (i64, String, Option<String>, i64),
) -> super::AppVersion {
    super::AppVersion {
        number,
        released_by,
        released_at,
        notes,
    }
}

/// Adds version `number` of an app, released by `released_by` now.
pub async fn insert_version(
    conn: &mut AnyConnection,
    app_id: i64,
    number: i64,
    body: &str,
    notes: &str,
    released_by: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO app_versions (app_id, number, body, notes, released_by, released_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(app_id)
    .bind(number)
    .bind(body)
    .bind(notes)
    .bind(released_by)
    .bind(now())
    .execute(conn)
    .await?;
    Ok(())
}

/// Replaces an app's draft body, leaving its name, folder and versions.
pub async fn set_draft(conn: &mut AnyConnection, app_id: i64, body: &str) -> Result<(), AppError> {
    sqlx::query("UPDATE resources SET body = $1, updated_at = $2 WHERE id = $3")
        .bind(body)
        .bind(now())
        .bind(app_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub struct NewResource<'a> {
    pub workspace_id: i64,
    pub kind: ResourceKind,
    pub name: &'a str,
    pub folder_id: Option<i64>,
    pub owner_user_id: Option<i64>,
    pub body: &'a str,
}

impl<'a> NewResource<'a> {
    /// A resource with a name and nothing else: no folder, owner or body.
    pub fn named(workspace_id: i64, kind: ResourceKind, name: &'a str) -> NewResource<'a> {
        NewResource {
            workspace_id,
            kind,
            name,
            folder_id: None,
            owner_user_id: None,
            body: "",
        }
    }
}

/// Inserts a resource and returns its id. Names are unique per kind in a workspace,
/// regardless of case.
pub async fn insert(conn: &mut AnyConnection, new: NewResource<'_>) -> Result<i64, AppError> {
    let at = now();
    sqlx::query_scalar(
        "INSERT INTO resources
            (workspace_id, kind, name, name_key, folder_id, owner_user_id, body, created_at,
             updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(new.workspace_id)
    .bind(new.kind.key())
    .bind(new.name)
    .bind(crate::permissions::changes::name_key(new.name))
    .bind(new.folder_id)
    .bind(new.owner_user_id)
    .bind(new.body)
    .bind(at)
    .bind(at)
    .fetch_one(conn)
    .await
    .map_err(name_taken(new.kind))
}

pub async fn update_app(
    conn: &mut AnyConnection,
    id: i64,
    name: &str,
    folder_id: Option<i64>,
    body: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE resources SET name = $1, name_key = $2, folder_id = $3, body = $4, updated_at = $5
         WHERE id = $6",
    )
    .bind(name)
    .bind(crate::permissions::changes::name_key(name))
    .bind(folder_id)
    .bind(body)
    .bind(now())
    .bind(id)
    .execute(conn)
    .await
    .map_err(name_taken(ResourceKind::App))?;
    Ok(())
}

/// Renames a resource and replaces its body (a data source's kind; empty for folders).
pub async fn update_name_and_body(
    conn: &mut AnyConnection,
    resource: &Resource,
    name: &str,
    body: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE resources SET name = $1, name_key = $2, body = $3, updated_at = $4 WHERE id = $5",
    )
    .bind(name)
    .bind(crate::permissions::changes::name_key(name))
    .bind(body)
    .bind(now())
    .bind(resource.id)
    .execute(conn)
    .await
    .map_err(name_taken(resource.kind))?;
    Ok(())
}

fn name_taken(kind: ResourceKind) -> impl FnOnce(sqlx::Error) -> AppError {
    move |error| {
        if crate::db::is_unique_violation(&error) {
            AppError::ResourceNameTaken {
                noun: kind.noun().to_string(),
            }
        } else {
            AppError::from(error)
        }
    }
}

/// Seals `value` as the resource's secret, under the keyring's current key.
pub async fn set_secret(
    conn: &mut AnyConnection,
    keys: &Keyring,
    binding: ResourceBinding,
    value: &str,
) -> Result<(), AppError> {
    let sealed = keys.seal(binding, value)?;
    sqlx::query("UPDATE resources SET ciphertext = $1, key_id = $2, updated_at = $3 WHERE id = $4")
        .bind(sealed.ciphertext)
        .bind(sealed.key_id)
        .bind(now())
        .bind(binding.resource_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The resource's secret, decrypted; empty when it has none. Only for a caller allowed
/// to read it.
pub fn open_secret(keys: &Keyring, resource: &Resource) -> Result<String, AppError> {
    match &resource.sealed {
        Some(sealed) => Ok(keys.open(resource.binding(), sealed)?),
        None => Ok(String::new()),
    }
}

/// Deletes a resource. Apps in a deleted folder stay, without a folder; rules that chose
/// the resource forget it.
pub async fn delete(conn: &mut AnyConnection, id: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM resources WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn full_name(conn: &mut AnyConnection, user_id: i64) -> Result<Option<String>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT full_name FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(conn)
            .await?,
    )
}

/// Which resources [`reseal_all`] reseals: those with a secret sealed under a key other
/// than `$1`, the current one. A key rotation counts the same rows.
pub const SEALED_UNDER_AN_OLD_KEY: &str = "ciphertext IS NOT NULL AND key_id <> $1";

/// Seals every resource secret that isn't under the keyring's current key again under
/// it, in small batches, as [`crate::metadata::store::rotate`] does for metadata, and
/// calls `looked_at` with how many it has looked at after each batch. Returns how many
/// were resealed.
pub async fn reseal_all(
    db: &Db,
    keys: &Keyring,
    looked_at: &(dyn Fn(u64) + Sync),
) -> Result<u64, AppError> {
    const BATCH: i64 = 500;
    let current = keys.current_key_id();
    let mut resealed = 0;
    let mut seen = 0;
    let mut after = i64::MIN;
    loop {
        let records: Vec<ResourceRecord> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM resources
             WHERE {SEALED_UNDER_AN_OLD_KEY} AND id > $2
             ORDER BY id LIMIT $3"
        ))
        .bind(&current)
        .bind(after)
        .bind(BATCH)
        .fetch_all(db)
        .await?;
        let Some(last) = records.last() else {
            return Ok(resealed);
        };
        after = last.id;
        let batch_size = records.len() as u64;
        let mut tx = crate::db::begin_write(db).await?;
        for record in records {
            let resource = Resource::try_from(record)?;
            let Some(sealed) = &resource.sealed else {
                continue;
            };
            let value = keys.open(resource.binding(), sealed)?;
            let fresh = keys.seal(resource.binding(), &value)?;
            // Only if nobody changed it meanwhile: a change seals under the current key
            // anyway.
            let updated = sqlx::query(
                "UPDATE resources SET ciphertext = $1, key_id = $2 WHERE id = $3 AND ciphertext = $4",
            )
            .bind(fresh.ciphertext)
            .bind(fresh.key_id)
            .bind(resource.id)
            .bind(&sealed.ciphertext)
            .execute(&mut *tx)
            .await?;
            resealed += updated.rows_affected();
        }
        tx.commit().await?;
        seen += batch_size;
        looked_at(seen);
    }
}
