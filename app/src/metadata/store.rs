//! Metadata in the database: one sealed row per key.

use std::collections::{BTreeMap, HashMap};

use sqlx::AnyConnection;

use super::crypto::{Binding, CryptoError, Keyring, Sealed};
use crate::db::Db;
use crate::error::AppError;

impl From<CryptoError> for AppError {
    fn from(error: CryptoError) -> Self {
        tracing::error!(%error, "metadata encryption failed");
        AppError::Internal
    }
}

/// A member's metadata, decrypted. Only for the member's own apps and for checking an
/// admin's edit on the server; never for an admin's browser.
pub async fn load(
    conn: &mut AnyConnection,
    keys: &Keyring,
    workspace_id: i64,
    user_id: i64,
) -> Result<BTreeMap<String, String>, AppError> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT meta_key, ciphertext, key_id FROM member_metadata
         WHERE workspace_id = $1 AND user_id = $2",
    )
    .bind(workspace_id)
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(key, ciphertext, key_id)| {
            let binding = Binding {
                workspace_id,
                user_id,
                key: &key,
            };
            let value = keys.open(binding, &Sealed { key_id, ciphertext })?;
            Ok((key, value))
        })
        .collect()
}

/// The keys of a member's metadata, sorted; the values stay sealed.
pub async fn keys_of(
    conn: &mut AnyConnection,
    workspace_id: i64,
    user_id: i64,
) -> Result<Vec<String>, AppError> {
    let mut keys: Vec<String> = sqlx::query_scalar(
        "SELECT meta_key FROM member_metadata WHERE workspace_id = $1 AND user_id = $2",
    )
    .bind(workspace_id)
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    keys.sort();
    Ok(keys)
}

/// The sealed values, in key order: they change whenever a value does (every seal takes
/// a new nonce), so a digest of them tells a changed value without opening any.
pub async fn sealed_values(
    conn: &mut AnyConnection,
    workspace_id: i64,
    user_id: i64,
) -> Result<Vec<String>, AppError> {
    let mut rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT meta_key, ciphertext FROM member_metadata WHERE workspace_id = $1 AND user_id = $2",
    )
    .bind(workspace_id)
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    rows.sort();
    Ok(rows.into_iter().map(|(_, sealed)| sealed).collect())
}

/// How many metadata keys each of `user_ids` has in the workspace.
pub async fn key_counts(
    db: &Db,
    workspace_id: i64,
    user_ids: &[i64],
) -> Result<HashMap<i64, i64>, AppError> {
    if user_ids.is_empty() {
        return Ok(HashMap::new());
    }
    // Ids are integers from our own query, so listing them inline is safe, and it keeps
    // this one round trip on both databases.
    let ids = user_ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let rows: Vec<(i64, i64)> = sqlx::query_as(&format!(
        "SELECT user_id, COUNT(*) FROM member_metadata
         WHERE workspace_id = $1 AND user_id IN ({ids}) GROUP BY user_id"
    ))
    .bind(workspace_id)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().collect())
}

/// Stores `after` as the member's metadata, given that `before` is what is stored now:
/// removed keys go, and only new or changed values are sealed again.
pub async fn replace(
    conn: &mut AnyConnection,
    keys: &Keyring,
    workspace_id: i64,
    user_id: i64,
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
) -> Result<(), AppError> {
    for key in before.keys().filter(|key| !after.contains_key(*key)) {
        sqlx::query(
            "DELETE FROM member_metadata WHERE workspace_id = $1 AND user_id = $2 AND meta_key = $3",
        )
        .bind(workspace_id)
        .bind(user_id)
        .bind(key)
        .execute(&mut *conn)
        .await?;
    }
    let changed: Vec<(Binding<'_>, &str)> = after
        .iter()
        .filter(|(key, value)| before.get(*key) != Some(*value))
        .map(|(key, value)| {
            let binding = Binding {
                workspace_id,
                user_id,
                key,
            };
            (binding, value.as_str())
        })
        .collect();
    let sealed = keys.seal_many(&changed)?;
    for ((binding, _), sealed) in changed.iter().zip(sealed) {
        sqlx::query(
            "INSERT INTO member_metadata (workspace_id, user_id, meta_key, ciphertext, key_id)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (workspace_id, user_id, meta_key)
             DO UPDATE SET ciphertext = excluded.ciphertext, key_id = excluded.key_id",
        )
        .bind(workspace_id)
        .bind(user_id)
        .bind(binding.key)
        .bind(sealed.ciphertext)
        .bind(sealed.key_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The kinds of sealed value a rotation reseals, in the order it reseals them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SealedKind {
    /// Members' metadata values.
    MetadataValues,
    /// Workspace constants' values and data sources' configurations.
    ResourceSecrets,
    /// Bodies of mail waiting in the outbox.
    MailBodies,
    /// What identity providers last sent about the members they provision.
    ScimDocuments,
    /// Identity providers' client secrets.
    ClientSecrets,
}

impl SealedKind {
    /// Every kind, in the order a rotation reseals them.
    pub const ALL: [SealedKind; 5] = [
        SealedKind::MetadataValues,
        SealedKind::ResourceSecrets,
        SealedKind::MailBodies,
        SealedKind::ScimDocuments,
        SealedKind::ClientSecrets,
    ];
}

/// How far a rotation has got with one kind of value. A rotation reports each kind as it
/// starts on it (`done` 0), then as it goes, after every batch written, so the last
/// report of a kind is where it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RotationProgress {
    pub kind: SealedKind,
    /// Values of this kind looked at so far: resealed, or left to whoever changed them
    /// meanwhile.
    pub done: u64,
    /// Values of this kind under an old key when the rotation came to them. A server
    /// that hasn't yet met the new key may still seal under the old one, adding rows
    /// that weren't counted, so this grows with `done` rather than fall behind it.
    pub total: u64,
}

/// How a rotation went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rotation {
    /// Every value sealed again: metadata values, resource secrets, mail bodies, SCIM
    /// documents and identity providers' client secrets.
    pub resealed: u64,
    /// Of those, members' metadata values.
    pub metadata_values: u64,
    /// Of those, workspace constants' values and data sources' configurations.
    pub resource_secrets: u64,
    /// Of those, bodies of mail waiting in the outbox.
    pub mail_bodies: u64,
    /// Of those, SCIM documents.
    pub scim_documents: u64,
    /// Of those, identity providers' client secrets.
    pub client_secrets: u64,
}

impl Rotation {
    /// How many values of `kind` were sealed again.
    pub fn resealed_of(&self, kind: SealedKind) -> u64 {
        match kind {
            SealedKind::MetadataValues => self.metadata_values,
            SealedKind::ResourceSecrets => self.resource_secrets,
            SealedKind::MailBodies => self.mail_bodies,
            SealedKind::ScimDocuments => self.scim_documents,
            SealedKind::ClientSecrets => self.client_secrets,
        }
    }

    fn record(&mut self, kind: SealedKind, resealed: u64) {
        let of_kind = match kind {
            SealedKind::MetadataValues => &mut self.metadata_values,
            SealedKind::ResourceSecrets => &mut self.resource_secrets,
            SealedKind::MailBodies => &mut self.mail_bodies,
            SealedKind::ScimDocuments => &mut self.scim_documents,
            SealedKind::ClientSecrets => &mut self.client_secrets,
        };
        *of_kind += resealed;
        self.resealed += resealed;
    }
}

/// Seals every value that isn't under the keyring's current key again under it, in
/// small batches so that the server keeps serving meanwhile: member metadata, then
/// workspace constants' values and data sources' configurations, then waiting mail, SCIM
/// documents and identity providers' client secrets ([`SealedKind::ALL`]). A value
/// someone changes during the pass is left to that change (it is sealed under the
/// current key anyway, or caught by running the rotation again).
///
/// `report` hears how far it has got ([`RotationProgress`]); pass `&|_| {}` to ignore it.
pub async fn rotate(
    db: &Db,
    keys: &Keyring,
    report: &(dyn Fn(RotationProgress) + Sync),
) -> Result<Rotation, AppError> {
    let mut rotation = Rotation::default();
    for kind in SealedKind::ALL {
        // Counted as the pass comes to each kind rather than all at the start, so that
        // what servers sealed under the old key meanwhile is counted too.
        let total = count_to_reseal(db, keys, kind).await?;
        let looked_at = |done: u64| {
            report(RotationProgress {
                kind,
                done,
                total: total.max(done),
            })
        };
        looked_at(0);
        let resealed = reseal(db, keys, kind, &looked_at).await?;
        rotation.record(kind, resealed);
    }
    Ok(rotation)
}

/// Which member metadata [`reseal_metadata`] reseals: values sealed under a key other
/// than `$1`, the current one.
const METADATA_UNDER_AN_OLD_KEY: &str = "key_id <> $1";

/// How many values of `kind` are sealed under a key other than the current one: the rows
/// each kind's reseal goes through, as its store names them.
async fn count_to_reseal(db: &Db, keys: &Keyring, kind: SealedKind) -> Result<u64, AppError> {
    let (table, under_an_old_key) = match kind {
        SealedKind::MetadataValues => ("member_metadata", METADATA_UNDER_AN_OLD_KEY),
        SealedKind::ResourceSecrets => (
            "resources",
            crate::resources::store::SEALED_UNDER_AN_OLD_KEY,
        ),
        SealedKind::MailBodies => ("mail_outbox", crate::mail::store::BODY_TO_SEAL),
        SealedKind::ScimDocuments => (
            "scim_user_documents",
            crate::provisioning::store::DOCUMENT_UNDER_AN_OLD_KEY,
        ),
        SealedKind::ClientSecrets => (
            "sso_providers",
            crate::single_sign_on::store::SECRET_UNDER_AN_OLD_KEY,
        ),
    };
    let count: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM {table} WHERE {under_an_old_key}"
    ))
    .bind(keys.current_key_id())
    .fetch_one(db)
    .await?;
    Ok(count.max(0) as u64)
}

/// Seals the values of `kind` under the current key; returns how many it resealed.
async fn reseal(
    db: &Db,
    keys: &Keyring,
    kind: SealedKind,
    looked_at: &(dyn Fn(u64) + Sync),
) -> Result<u64, AppError> {
    match kind {
        SealedKind::MetadataValues => reseal_metadata(db, keys, looked_at).await,
        SealedKind::ResourceSecrets => {
            crate::resources::store::reseal_all(db, keys, looked_at).await
        }
        SealedKind::MailBodies => crate::mail::store::seal_stored_bodies(db, keys, looked_at).await,
        SealedKind::ScimDocuments => {
            crate::provisioning::store::reseal_documents(db, keys, looked_at).await
        }
        SealedKind::ClientSecrets => {
            crate::single_sign_on::store::reseal_secrets(db, keys, looked_at).await
        }
    }
}

/// Reseals member metadata in batches, calling `looked_at` after each.
async fn reseal_metadata(
    db: &Db,
    keys: &Keyring,
    looked_at: &(dyn Fn(u64) + Sync),
) -> Result<u64, AppError> {
    const BATCH: i64 = 500;
    let current = keys.current_key_id();
    let mut resealed = 0;
    let mut seen = 0;
    let mut after: (i64, i64, String) = (i64::MIN, i64::MIN, String::new());
    loop {
        let rows: Vec<(i64, i64, String, String, String)> = sqlx::query_as(&format!(
            "SELECT workspace_id, user_id, meta_key, ciphertext, key_id FROM member_metadata
             WHERE {METADATA_UNDER_AN_OLD_KEY}
               AND (workspace_id > $2
                    OR (workspace_id = $2 AND user_id > $3)
                    OR (workspace_id = $2 AND user_id = $3 AND meta_key > $4))
             ORDER BY workspace_id, user_id, meta_key
             LIMIT $5"
        ))
        .bind(&current)
        .bind(after.0)
        .bind(after.1)
        .bind(&after.2)
        .bind(BATCH)
        .fetch_all(db)
        .await?;
        let Some(last) = rows.last() else {
            return Ok(resealed);
        };
        after = (last.0, last.1, last.2.clone());
        let batch_size = rows.len() as u64;
        let mut tx = crate::db::begin_write(db).await?;
        for (workspace_id, user_id, key, ciphertext, key_id) in rows {
            let binding = Binding {
                workspace_id,
                user_id,
                key: &key,
            };
            let value = keys.open(
                binding,
                &Sealed {
                    key_id,
                    ciphertext: ciphertext.clone(),
                },
            )?;
            let fresh = keys.seal(binding, &value)?;
            let updated = sqlx::query(
                "UPDATE member_metadata SET ciphertext = $1, key_id = $2
                 WHERE workspace_id = $3 AND user_id = $4 AND meta_key = $5 AND ciphertext = $6",
            )
            .bind(fresh.ciphertext)
            .bind(fresh.key_id)
            .bind(workspace_id)
            .bind(user_id)
            .bind(&key)
            .bind(ciphertext)
            .execute(&mut *tx)
            .await?;
            resealed += updated.rows_affected();
        }
        tx.commit().await?;
        seen += batch_size;
        looked_at(seen);
    }
}

/// A master key and how many values it has sealed, on every server instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyUsage {
    pub key_id: String,
    pub encryptions: u64,
}

/// Adds what this instance sealed since last time to the database's count for each key,
/// and returns every key's count. Counts live in the database so that instances add up;
/// should the database refuse, this instance keeps its counts for the next try.
pub async fn count_key_usage(db: &Db, keys: &Keyring) -> Result<Vec<KeyUsage>, AppError> {
    let sealed = keys.take_sealed_counts();
    let added = async {
        let mut tx = crate::db::begin_write(db).await?;
        for (key_id, count) in &sealed {
            sqlx::query(
                "INSERT INTO master_key_usage (key_id, encryptions) VALUES ($1, $2)
                 ON CONFLICT (key_id)
                 DO UPDATE SET encryptions = master_key_usage.encryptions + excluded.encryptions",
            )
            .bind(key_id)
            .bind(*count as i64)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }
    .await;
    if let Err(error) = added {
        keys.recount(sealed);
        return Err(error.into());
    }
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT key_id, encryptions FROM master_key_usage ORDER BY key_id")
            .fetch_all(db)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(key_id, encryptions)| KeyUsage {
            key_id,
            encryptions: encryptions.max(0) as u64,
        })
        .collect())
}
