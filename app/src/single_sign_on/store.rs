//! Single sign-on's tables: providers (their secret sealed), workspace settings and
//! mappings, linked identities, and sign-ins under way.

use sqlx::AnyConnection;

use super::rules::ProviderSettings;
use super::sync::MappedTo;
use super::{GroupMapping, GroupsSource, SyncMode, WorkspaceSsoSettings};
use crate::db::{Db, now};
use crate::error::AppError;
use crate::memberships::Role;
use crate::metadata::crypto::{AssociatedData, Keyring, Sealed};
use crate::provisioning::BuilderLevelGroups;

/// Where a provider's client secret belongs: that one provider (ids are never reused).
#[derive(Debug, Clone, Copy)]
pub struct ClientSecretBinding {
    pub provider_id: i64,
}

impl AssociatedData for ClientSecretBinding {
    fn associated_data(&self) -> Vec<u8> {
        format!("gatehouse-sso-client-secret-v1:{}", self.provider_id).into_bytes()
    }
}

/// A provider as the server uses it, its secret still sealed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProviderRow {
    pub id: i64,
    pub slug: String,
    pub display_name: String,
    pub issuer_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub client_secret_key_id: String,
    pub scopes: String,
    pub email_claim: String,
    pub groups_claim: String,
    pub groups_source: String,
    pub allowed_domains: String,
    pub discovery: Option<String>,
    pub discovered_at: Option<i64>,
    pub jwks: Option<String>,
    pub jwks_fetched_at: Option<i64>,
}

impl ProviderRow {
    pub fn groups_source(&self) -> GroupsSource {
        GroupsSource::from_key(&self.groups_source).unwrap_or_default()
    }

    pub fn allowed_domains(&self) -> Vec<String> {
        self.allowed_domains
            .split_whitespace()
            .map(str::to_string)
            .collect()
    }

    pub fn open_secret(&self, keys: &Keyring) -> Result<String, AppError> {
        Ok(keys.open(
            ClientSecretBinding {
                provider_id: self.id,
            },
            &Sealed {
                key_id: self.client_secret_key_id.clone(),
                ciphertext: self.client_secret.clone(),
            },
        )?)
    }
}

const PROVIDER_COLUMNS: &str = "id, slug, display_name, issuer_url, client_id, client_secret,
    client_secret_key_id, scopes, email_claim, groups_claim, groups_source, allowed_domains,
    discovery, discovered_at, jwks, jwks_fetched_at";

pub async fn providers(conn: &mut AnyConnection) -> Result<Vec<ProviderRow>, AppError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {PROVIDER_COLUMNS} FROM sso_providers ORDER BY display_name, id"
    ))
    .fetch_all(conn)
    .await?)
}

pub async fn provider(
    conn: &mut AnyConnection,
    provider_id: i64,
) -> Result<Option<ProviderRow>, AppError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {PROVIDER_COLUMNS} FROM sso_providers WHERE id = $1"
    ))
    .bind(provider_id)
    .fetch_optional(conn)
    .await?)
}

pub async fn provider_by_slug(db: &Db, slug: &str) -> Result<Option<ProviderRow>, AppError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {PROVIDER_COLUMNS} FROM sso_providers WHERE slug = $1"
    ))
    .bind(slug)
    .fetch_optional(db)
    .await?)
}

pub async fn slug_taken(conn: &mut AnyConnection, slug: &str) -> Result<bool, AppError> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM sso_providers WHERE slug = $1")
        .bind(slug)
        .fetch_optional(conn)
        .await?;
    Ok(found.is_some())
}

/// Adds a provider; its secret is sealed once its id is known.
pub async fn insert_provider(
    conn: &mut AnyConnection,
    keys: &Keyring,
    slug: &str,
    settings: &ProviderSettings,
    client_secret: &str,
) -> Result<i64, AppError> {
    let now = now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO sso_providers
            (slug, display_name, issuer_url, client_id, client_secret, client_secret_key_id,
             scopes, email_claim, groups_claim, groups_source, allowed_domains, created_at,
             updated_at)
         VALUES ($1, $2, $3, $4, '', '', $5, $6, $7, $8, $9, $10, $10)
         RETURNING id",
    )
    .bind(slug)
    .bind(&settings.display_name)
    .bind(&settings.issuer_url)
    .bind(&settings.client_id)
    .bind(settings.scopes.join(" "))
    .bind(&settings.email_claim)
    .bind(&settings.groups_claim)
    .bind(settings.groups_source.key())
    .bind(settings.allowed_domains.join(" "))
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    set_secret(conn, keys, id, client_secret).await?;
    Ok(id)
}

/// Changes a provider's settings. A new issuer drops the cached discovery and keys.
pub async fn update_provider(
    conn: &mut AnyConnection,
    keys: &Keyring,
    provider_id: i64,
    settings: &ProviderSettings,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE sso_providers SET
            display_name = $1, client_id = $2, scopes = $3, email_claim = $4,
            groups_claim = $5, groups_source = $6, allowed_domains = $7, updated_at = $8,
            discovery = CASE WHEN issuer_url = $9 THEN discovery END,
            discovered_at = CASE WHEN issuer_url = $9 THEN discovered_at END,
            jwks = CASE WHEN issuer_url = $9 THEN jwks END,
            jwks_fetched_at = CASE WHEN issuer_url = $9 THEN jwks_fetched_at END,
            issuer_url = $9
         WHERE id = $10",
    )
    .bind(&settings.display_name)
    .bind(&settings.client_id)
    .bind(settings.scopes.join(" "))
    .bind(&settings.email_claim)
    .bind(&settings.groups_claim)
    .bind(settings.groups_source.key())
    .bind(settings.allowed_domains.join(" "))
    .bind(now())
    .bind(&settings.issuer_url)
    .bind(provider_id)
    .execute(&mut *conn)
    .await?;
    if let Some(secret) = &settings.client_secret {
        set_secret(conn, keys, provider_id, secret).await?;
    }
    Ok(())
}

async fn set_secret(
    conn: &mut AnyConnection,
    keys: &Keyring,
    provider_id: i64,
    secret: &str,
) -> Result<(), AppError> {
    let sealed = keys.seal(ClientSecretBinding { provider_id }, secret)?;
    sqlx::query(
        "UPDATE sso_providers SET client_secret = $1, client_secret_key_id = $2 WHERE id = $3",
    )
    .bind(sealed.ciphertext)
    .bind(sealed.key_id)
    .bind(provider_id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete_provider(conn: &mut AnyConnection, provider_id: i64) -> Result<bool, AppError> {
    let deleted = sqlx::query("DELETE FROM sso_providers WHERE id = $1")
        .bind(provider_id)
        .execute(conn)
        .await?;
    Ok(deleted.rows_affected() == 1)
}

/// Keeps a fresh discovery document (and keys fetched with it) for every instance.
pub async fn cache_discovery(
    db: &Db,
    provider_id: i64,
    discovery: &str,
    jwks: &str,
) -> Result<(), AppError> {
    let now = now();
    sqlx::query(
        "UPDATE sso_providers SET discovery = $1, discovered_at = $2, jwks = $3,
            jwks_fetched_at = $2
         WHERE id = $4",
    )
    .bind(discovery)
    .bind(now)
    .bind(jwks)
    .bind(provider_id)
    .execute(db)
    .await?;
    Ok(())
}

/// Claims the right to refresh a provider's keys: true for exactly one caller per
/// cooldown, whichever server instance asks, so unknown key ids can't make Gatehouse
/// fetch the keys on every request.
pub async fn claim_jwks_refresh(
    db: &Db,
    provider_id: i64,
    cooldown_seconds: i64,
) -> Result<bool, AppError> {
    let now = now();
    let claimed = sqlx::query(
        "UPDATE sso_providers SET jwks_fetched_at = $1
         WHERE id = $2 AND (jwks_fetched_at IS NULL OR jwks_fetched_at <= $3)",
    )
    .bind(now)
    .bind(provider_id)
    .bind(now - cooldown_seconds)
    .execute(db)
    .await?;
    Ok(claimed.rows_affected() == 1)
}

pub async fn cache_jwks(db: &Db, provider_id: i64, jwks: &str) -> Result<(), AppError> {
    sqlx::query("UPDATE sso_providers SET jwks = $1 WHERE id = $2")
        .bind(jwks)
        .bind(provider_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Which identity providers [`reseal_secrets`] reseals: those whose client secret is
/// sealed under a key other than `$1`, the current one. A key rotation counts the same
/// rows.
pub const SECRET_UNDER_AN_OLD_KEY: &str = "client_secret_key_id <> $1";

/// Seals every client secret under an old key again under the current one, calling
/// `looked_at` with how many it has looked at so far after each.
pub async fn reseal_secrets(
    db: &Db,
    keys: &Keyring,
    looked_at: &(dyn Fn(u64) + Sync),
) -> Result<u64, AppError> {
    let current = keys.current_key_id();
    let rows: Vec<(i64, String, String)> = sqlx::query_as(&format!(
        "SELECT id, client_secret, client_secret_key_id FROM sso_providers
             WHERE {SECRET_UNDER_AN_OLD_KEY}"
    ))
    .bind(&current)
    .fetch_all(db)
    .await?;
    let mut resealed = 0;
    for (seen, (provider_id, ciphertext, key_id)) in (1..).zip(rows) {
        let binding = ClientSecretBinding { provider_id };
        let secret = keys.open(
            binding,
            &Sealed {
                key_id,
                ciphertext: ciphertext.clone(),
            },
        )?;
        let sealed = keys.seal(binding, &secret)?;
        let updated = sqlx::query(
            "UPDATE sso_providers SET client_secret = $1, client_secret_key_id = $2
             WHERE id = $3 AND client_secret = $4",
        )
        .bind(sealed.ciphertext)
        .bind(sealed.key_id)
        .bind(provider_id)
        .bind(ciphertext)
        .execute(db)
        .await?;
        resealed += updated.rows_affected();
        looked_at(seen);
    }
    Ok(resealed)
}

/// A sign-in sent to a provider, waiting for its return.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingSignIn {
    pub provider_id: i64,
    pub nonce: String,
    pub pkce_verifier: String,
    pub next_path: Option<String>,
    pub expires_at: i64,
}

pub async fn insert_pending(
    db: &Db,
    state_hash: &str,
    pending: &PendingSignIn,
) -> Result<(), AppError> {
    let now = now();
    sqlx::query("DELETE FROM sso_sign_ins WHERE expires_at <= $1")
        .bind(now)
        .execute(db)
        .await?;
    sqlx::query(
        "INSERT INTO sso_sign_ins
            (state_hash, provider_id, nonce, pkce_verifier, next_path, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(state_hash)
    .bind(pending.provider_id)
    .bind(&pending.nonce)
    .bind(&pending.pkce_verifier)
    .bind(&pending.next_path)
    .bind(now)
    .bind(pending.expires_at)
    .execute(db)
    .await?;
    Ok(())
}

/// Takes a pending sign-in: the row goes in the same statement, so a state is used once
/// even when two requests bring it at the same moment.
pub async fn take_pending(db: &Db, state_hash: &str) -> Result<Option<PendingSignIn>, AppError> {
    Ok(sqlx::query_as(
        "DELETE FROM sso_sign_ins WHERE state_hash = $1
         RETURNING provider_id, nonce, pkce_verifier, next_path, expires_at",
    )
    .bind(state_hash)
    .fetch_optional(db)
    .await?)
}

/// The account an identity is linked to.
pub async fn linked_user(
    conn: &mut AnyConnection,
    issuer: &str,
    subject: &str,
) -> Result<Option<i64>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT user_id FROM sso_identities WHERE issuer = $1 AND subject = $2")
            .bind(issuer)
            .bind(subject)
            .fetch_optional(conn)
            .await?,
    )
}

/// Whether an account is already linked to some identity at this issuer.
pub async fn linked_at_issuer(
    conn: &mut AnyConnection,
    user_id: i64,
    issuer: &str,
) -> Result<bool, AppError> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT subject FROM sso_identities WHERE user_id = $1 AND issuer = $2")
            .bind(user_id)
            .bind(issuer)
            .fetch_optional(conn)
            .await?;
    Ok(found.is_some())
}

pub async fn link(
    conn: &mut AnyConnection,
    issuer: &str,
    subject: &str,
    user_id: i64,
    provider_id: i64,
) -> Result<(), AppError> {
    let now = now();
    sqlx::query(
        "INSERT INTO sso_identities
            (issuer, subject, user_id, provider_id, linked_at, last_sign_in_at)
         VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(issuer)
    .bind(subject)
    .bind(user_id)
    .bind(provider_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn touch_identity(
    conn: &mut AnyConnection,
    issuer: &str,
    subject: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE sso_identities SET last_sign_in_at = $1 WHERE issuer = $2 AND subject = $3",
    )
    .bind(now())
    .bind(issuer)
    .bind(subject)
    .execute(conn)
    .await?;
    Ok(())
}

/// A workspace's settings; defaults when it never saved any.
#[derive(Debug, Clone)]
pub struct StoredSettings {
    pub saved_by: Option<i64>,
    pub settings: WorkspaceSsoSettings,
}

pub async fn workspace_settings(
    conn: &mut AnyConnection,
    workspace_id: i64,
) -> Result<StoredSettings, AppError> {
    type Row = (Option<i64>, i64, i64, String, String, i64, i64, String);
    let row: Option<Row> = sqlx::query_as(
        "SELECT saved_by, require_sso, join_on_first_sign_in, default_role, sync_mode,
                ignore_case, create_groups, builder_level_groups
         FROM workspace_sso_settings WHERE workspace_id = $1",
    )
    .bind(workspace_id)
    .fetch_optional(&mut *conn)
    .await?;
    let accepted_providers: Vec<i64> = sqlx::query_scalar(
        "SELECT provider_id FROM workspace_sso_providers WHERE workspace_id = $1
         ORDER BY provider_id",
    )
    .bind(workspace_id)
    .fetch_all(&mut *conn)
    .await?;
    let mappings: Vec<(String, i64)> = sqlx::query_as(
        "SELECT idp_group, group_id FROM sso_group_mappings WHERE workspace_id = $1
         ORDER BY idp_group, group_id",
    )
    .bind(workspace_id)
    .fetch_all(&mut *conn)
    .await?;
    let mappings = mappings
        .into_iter()
        .map(|(idp_group, group_id)| GroupMapping {
            idp_group,
            group_id,
        })
        .collect();
    let Some((saved_by, require, join, role, mode, ignore_case, create, policy)) = row else {
        return Ok(StoredSettings {
            saved_by: None,
            settings: WorkspaceSsoSettings {
                accepted_providers,
                require_sso: false,
                join_on_first_sign_in: true,
                default_role: Role::EndUser,
                sync_mode: SyncMode::Off,
                ignore_case: true,
                create_groups: false,
                builder_level_groups: BuilderLevelGroups::Refuse,
                mappings,
            },
        });
    };
    Ok(StoredSettings {
        saved_by,
        settings: WorkspaceSsoSettings {
            accepted_providers,
            require_sso: require == 1,
            join_on_first_sign_in: join == 1,
            default_role: Role::from_key(&role).unwrap_or(Role::EndUser),
            sync_mode: SyncMode::from_key(&mode).unwrap_or_default(),
            ignore_case: ignore_case == 1,
            create_groups: create == 1,
            builder_level_groups: BuilderLevelGroups::from_key(&policy).unwrap_or_default(),
            mappings,
        },
    })
}

pub async fn save_workspace_settings(
    conn: &mut AnyConnection,
    workspace_id: i64,
    saved_by: i64,
    settings: &WorkspaceSsoSettings,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO workspace_sso_settings
            (workspace_id, saved_by, require_sso, join_on_first_sign_in, default_role,
             sync_mode, ignore_case, create_groups, builder_level_groups)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (workspace_id) DO UPDATE SET
            saved_by = excluded.saved_by, require_sso = excluded.require_sso,
            join_on_first_sign_in = excluded.join_on_first_sign_in,
            default_role = excluded.default_role, sync_mode = excluded.sync_mode,
            ignore_case = excluded.ignore_case, create_groups = excluded.create_groups,
            builder_level_groups = excluded.builder_level_groups",
    )
    .bind(workspace_id)
    .bind(saved_by)
    .bind(i64::from(settings.require_sso))
    .bind(i64::from(settings.join_on_first_sign_in))
    .bind(settings.default_role.key())
    .bind(settings.sync_mode.key())
    .bind(i64::from(settings.ignore_case))
    .bind(i64::from(settings.create_groups))
    .bind(settings.builder_level_groups.key())
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM workspace_sso_providers WHERE workspace_id = $1")
        .bind(workspace_id)
        .execute(&mut *conn)
        .await?;
    for provider_id in &settings.accepted_providers {
        sqlx::query(
            "INSERT INTO workspace_sso_providers (workspace_id, provider_id) VALUES ($1, $2)",
        )
        .bind(workspace_id)
        .bind(provider_id)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query("DELETE FROM sso_group_mappings WHERE workspace_id = $1")
        .bind(workspace_id)
        .execute(&mut *conn)
        .await?;
    for mapping in &settings.mappings {
        add_mapping(conn, workspace_id, &mapping.idp_group, mapping.group_id).await?;
    }
    Ok(())
}

pub async fn add_mapping(
    conn: &mut AnyConnection,
    workspace_id: i64,
    idp_group: &str,
    group_id: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO sso_group_mappings (workspace_id, idp_group, group_id) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
    )
    .bind(workspace_id)
    .bind(idp_group)
    .bind(group_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// A workspace's mappings with where each leads.
pub async fn mapped_targets(
    conn: &mut AnyConnection,
    workspace_id: i64,
) -> Result<Vec<(String, MappedTo)>, AppError> {
    let rows: Vec<(String, i64, Option<String>)> = sqlx::query_as(
        "SELECT m.idp_group, g.id, g.role FROM sso_group_mappings m
         JOIN groups g ON g.id = m.group_id
         WHERE m.workspace_id = $1",
    )
    .bind(workspace_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(idp_group, group_id, role)| {
            let target = match role.as_deref().and_then(Role::from_key) {
                Some(role) => MappedTo::Role(role),
                None => MappedTo::Group(group_id),
            };
            (idp_group, target)
        })
        .collect())
}

/// The workspaces that accept a provider.
pub async fn accepting_workspaces(
    conn: &mut AnyConnection,
    provider_id: i64,
) -> Result<Vec<(i64, String, String)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT w.id, w.slug, w.name FROM workspace_sso_providers p
         JOIN workspaces w ON w.id = p.workspace_id
         WHERE p.provider_id = $1 AND w.status = 'active'
         ORDER BY w.id",
    )
    .bind(provider_id)
    .fetch_all(conn)
    .await?)
}

/// Whether someone belongs to a workspace that requires single sign-on.
pub async fn sso_required_for(db: &Db, user_id: i64) -> Result<bool, AppError> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT m.workspace_id FROM memberships m
         JOIN workspace_sso_settings s ON s.workspace_id = m.workspace_id
         JOIN workspaces w ON w.id = m.workspace_id
         WHERE m.user_id = $1 AND m.status <> 'archived' AND s.require_sso = 1
           AND w.status = 'active'
         LIMIT 1",
    )
    .bind(user_id)
    .fetch_optional(db)
    .await?;
    Ok(found.is_some())
}

/// Whether someone is an active member of any active workspace.
pub async fn active_anywhere(conn: &mut AnyConnection, user_id: i64) -> Result<bool, AppError> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT m.workspace_id FROM memberships m JOIN workspaces w ON w.id = m.workspace_id
         WHERE m.user_id = $1 AND m.status = 'active' AND w.status = 'active'
         LIMIT 1",
    )
    .bind(user_id)
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

/// Records that a membership's group sync ran, with what it had to skip.
pub async fn mark_synced(
    conn: &mut AnyConnection,
    workspace_id: i64,
    user_id: i64,
    warning: Option<&str>,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE memberships SET sso_synced_at = COALESCE(sso_synced_at, $1), sso_sync_warning = $2
         WHERE workspace_id = $3 AND user_id = $4",
    )
    .bind(now())
    .bind(warning)
    .bind(workspace_id)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Remembers which provider began a session, and its ID token for signing out there.
pub async fn mark_session(
    db: &Db,
    token_hash: &str,
    provider_id: i64,
    id_token: &str,
) -> Result<(), AppError> {
    sqlx::query("UPDATE sessions SET sso_provider_id = $1, id_token = $2 WHERE token_hash = $3")
        .bind(provider_id)
        .bind(id_token)
        .bind(token_hash)
        .execute(db)
        .await?;
    Ok(())
}

/// The provider and ID token behind a session, if it began through single sign-on.
pub async fn session_origin(
    db: &Db,
    token_hash: &str,
) -> Result<Option<(ProviderRow, String)>, AppError> {
    let found: Option<(i64, String)> = sqlx::query_as(
        "SELECT sso_provider_id, id_token FROM sessions
         WHERE token_hash = $1 AND sso_provider_id IS NOT NULL AND id_token IS NOT NULL",
    )
    .bind(token_hash)
    .fetch_optional(db)
    .await?;
    let Some((provider_id, id_token)) = found else {
        return Ok(None);
    };
    let mut conn = db.acquire().await?;
    Ok(provider(&mut conn, provider_id)
        .await?
        .map(|provider| (provider, id_token)))
}
