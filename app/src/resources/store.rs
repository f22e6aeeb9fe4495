//! Resources in the database: one `resources` row per app, folder, workspace constant
//! and data source. Constants' values and data sources' configurations are sealed in
//! `ciphertext`, bound to their row ([`ResourceBinding`]).

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
    /// Apps: the body. Data sources: the kind of source.
    pub body: String,
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
}

const COLUMNS: &str =
    "id, workspace_id, kind, name, folder_id, owner_user_id, body, ciphertext, key_id";

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

/// The apps in a folder, by name.
pub async fn apps_in_folder(
    conn: &mut AnyConnection,
    workspace_id: i64,
    folder_id: i64,
) -> Result<Vec<(ResourceRef, String)>, AppError> {
    let rows: Vec<(i64, Option<i64>, Option<i64>, String)> = sqlx::query_as(
        "SELECT id, folder_id, owner_user_id, name FROM resources
         WHERE workspace_id = $1 AND kind = 'app' AND folder_id = $2 ORDER BY name_key",
    )
    .bind(workspace_id)
    .bind(folder_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, folder_id, owner_user_id, name)| {
            (
                ResourceRef {
                    id,
                    kind: ResourceKind::App,
                    folder_id,
                    owner_user_id,
                },
                name,
            )
        })
        .collect())
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

/// Seals every resource secret that isn't under the keyring's current key again under
/// it, in small batches, as [`crate::metadata::store::rotate`] does for metadata.
/// Returns how many were resealed.
pub async fn reseal_all(db: &Db, keys: &Keyring) -> Result<u64, AppError> {
    const BATCH: i64 = 500;
    let current = keys.current_key_id();
    let mut resealed = 0;
    let mut after = i64::MIN;
    loop {
        let records: Vec<ResourceRecord> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM resources
             WHERE ciphertext IS NOT NULL AND key_id <> $1 AND id > $2
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
    }
}
