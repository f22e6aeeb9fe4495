//! Provisioning in the database: SCIM tokens, the workspace's choices, the request log,
//! and the SCIM side of members and groups. SCIM filters become SQL here, over indexed
//! columns of `memberships` and `groups`: nothing is filtered in memory.

use std::collections::HashMap;

use serde_json::Value;
use sqlx::AnyConnection;

use super::scim::filter::{self, Column, ColumnKind, Vocabulary};
use super::scim::{ScimError, user};
use super::{AttributeMapping, BuilderLevelGroups, ScimRequest, ScimTokenSummary};
use crate::access::{SignedInUser, WorkspaceRef};
use crate::db::{Backend, Db, SqlBuilder, SqlValue, now};
use crate::error::AppError;
use crate::metadata::crypto::{AssociatedData, Keyring, Sealed};

/// How long the Provisioning page's request log keeps a request.
const REQUEST_RETENTION_SECONDS: i64 = 30 * 86_400;

pub struct NewTokenRow<'a> {
    pub workspace_id: i64,
    pub created_by: i64,
    pub name: &'a str,
    pub secret_hash: &'a str,
    pub hint: &'a str,
    pub created_at: i64,
}

pub async fn insert_token(
    conn: &mut AnyConnection,
    token: NewTokenRow<'_>,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO scim_tokens (workspace_id, created_by, name, secret_hash, hint, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(token.workspace_id)
    .bind(token.created_by)
    .bind(token.name)
    .bind(token.secret_hash)
    .bind(token.hint)
    .bind(token.created_at)
    .fetch_one(conn)
    .await?)
}

type TokenRow = (i64, String, String, String, i64, Option<i64>, Option<i64>);

fn summary(
    (id, name, hint, created_by, created_at, last_used_at, revoked_at): TokenRow,
) -> ScimTokenSummary {
    ScimTokenSummary {
        id,
        name,
        hint,
        created_by,
        created_at,
        last_used_at,
        revoked: revoked_at.is_some(),
    }
}

const TOKEN_COLUMNS: &str =
    "t.id, t.name, t.hint, u.full_name, t.created_at, t.last_used_at, t.revoked_at
     FROM scim_tokens t JOIN users u ON u.id = t.created_by";

/// The workspace's SCIM tokens, newest first.
pub async fn tokens_of(
    conn: &mut AnyConnection,
    workspace_id: i64,
) -> Result<Vec<ScimTokenSummary>, AppError> {
    let rows: Vec<TokenRow> = sqlx::query_as(&format!(
        "SELECT {TOKEN_COLUMNS} WHERE t.workspace_id = $1 ORDER BY t.id DESC"
    ))
    .bind(workspace_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(summary).collect())
}

pub async fn find_token(
    conn: &mut AnyConnection,
    workspace_id: i64,
    token_id: i64,
) -> Result<Option<ScimTokenSummary>, AppError> {
    let row: Option<TokenRow> = sqlx::query_as(&format!(
        "SELECT {TOKEN_COLUMNS} WHERE t.workspace_id = $1 AND t.id = $2"
    ))
    .bind(workspace_id)
    .bind(token_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(summary))
}

/// Revokes a token; false when it already was.
pub async fn revoke_token(
    conn: &mut AnyConnection,
    token_id: i64,
    now: i64,
) -> Result<bool, AppError> {
    let revoked =
        sqlx::query("UPDATE scim_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now)
            .bind(token_id)
            .execute(conn)
            .await?;
    Ok(revoked.rows_affected() > 0)
}

/// The live token behind a secret hash, for the workspace at `slug`: the workspace and
/// the admin the token acts for.
pub struct Holder {
    pub token_id: i64,
    pub workspace: WorkspaceRef,
    pub creator: SignedInUser,
    pub last_used_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct HolderRow {
    token_id: i64,
    last_used_at: Option<i64>,
    workspace_id: i64,
    slug: String,
    workspace_name: String,
    user_id: i64,
    email: String,
    full_name: String,
    is_super_admin: i64,
}

pub async fn holder(db: &Db, secret_hash: &str, slug: &str) -> Result<Option<Holder>, AppError> {
    let row: Option<HolderRow> = sqlx::query_as(
        "SELECT t.id AS token_id, t.last_used_at, w.id AS workspace_id, w.slug,
                w.name AS workspace_name, u.id AS user_id, u.email, u.full_name, u.is_super_admin
         FROM scim_tokens t
         JOIN workspaces w ON w.id = t.workspace_id
         JOIN users u ON u.id = t.created_by
         WHERE t.secret_hash = $1 AND t.revoked_at IS NULL AND w.slug = $2",
    )
    .bind(secret_hash)
    .bind(slug)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| Holder {
        token_id: row.token_id,
        workspace: WorkspaceRef {
            id: row.workspace_id,
            slug: row.slug,
            name: row.workspace_name,
        },
        creator: SignedInUser {
            id: row.user_id,
            email: row.email,
            full_name: row.full_name,
            is_super_admin: row.is_super_admin == 1,
        },
        last_used_at: row.last_used_at,
    }))
}

pub async fn record_token_use(db: &Db, token_id: i64, now: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE scim_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(now)
        .bind(token_id)
        .execute(db)
        .await?;
    Ok(())
}

/// The workspace's choices; a workspace that never chose refuses builder-level groups
/// and maps nothing.
pub async fn settings(
    conn: &mut AnyConnection,
    workspace_id: i64,
) -> Result<(BuilderLevelGroups, Vec<AttributeMapping>), AppError> {
    let policy: Option<String> = sqlx::query_scalar(
        "SELECT builder_level_groups FROM provisioning_settings WHERE workspace_id = $1",
    )
    .bind(workspace_id)
    .fetch_optional(&mut *conn)
    .await?;
    let policy = policy
        .as_deref()
        .and_then(BuilderLevelGroups::from_key)
        .unwrap_or_default();
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT scim_path, meta_key FROM provisioning_attribute_map
         WHERE workspace_id = $1 ORDER BY meta_key",
    )
    .bind(workspace_id)
    .fetch_all(conn)
    .await?;
    let mappings = rows
        .into_iter()
        .map(|(scim_path, meta_key)| AttributeMapping {
            scim_path,
            meta_key,
        })
        .collect();
    Ok((policy, mappings))
}

pub async fn save_settings(
    conn: &mut AnyConnection,
    workspace_id: i64,
    policy: BuilderLevelGroups,
    mappings: &[AttributeMapping],
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO provisioning_settings (workspace_id, builder_level_groups) VALUES ($1, $2)
         ON CONFLICT (workspace_id) DO UPDATE SET builder_level_groups = excluded.builder_level_groups",
    )
    .bind(workspace_id)
    .bind(policy.key())
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM provisioning_attribute_map WHERE workspace_id = $1")
        .bind(workspace_id)
        .execute(&mut *conn)
        .await?;
    for mapping in mappings {
        sqlx::query(
            "INSERT INTO provisioning_attribute_map (workspace_id, scim_path, meta_key) VALUES ($1, $2, $3)",
        )
        .bind(workspace_id)
        .bind(&mapping.scim_path)
        .bind(&mapping.meta_key)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Logs one SCIM request and lets go of those past the retention period.
pub async fn record_request(
    db: &Db,
    workspace_id: i64,
    token_id: Option<i64>,
    request: &ScimRequest,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO scim_requests (workspace_id, token_id, occurred_at, method, path, status, outcome)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(workspace_id)
    .bind(token_id)
    .bind(request.occurred_at)
    .bind(&request.method)
    .bind(&request.path)
    .bind(i64::from(request.status))
    .bind(&request.outcome)
    .execute(db)
    .await?;
    sqlx::query("DELETE FROM scim_requests WHERE workspace_id = $1 AND occurred_at < $2")
        .bind(workspace_id)
        .bind(request.occurred_at - REQUEST_RETENTION_SECONDS)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn latest_requests(
    conn: &mut AnyConnection,
    workspace_id: i64,
    limit: i64,
) -> Result<Vec<ScimRequest>, AppError> {
    let rows: Vec<(i64, String, String, i64, String)> = sqlx::query_as(
        "SELECT occurred_at, method, path, status, outcome FROM scim_requests
         WHERE workspace_id = $1 ORDER BY occurred_at DESC, id DESC LIMIT $2",
    )
    .bind(workspace_id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(occurred_at, method, path, status, outcome)| ScimRequest {
            occurred_at,
            method,
            path,
            status: u16::try_from(status).unwrap_or(500),
            outcome,
        })
        .collect())
}

/// Where a provisioned member's SCIM document belongs, sealed into its ciphertext.
#[derive(Debug, Clone, Copy)]
pub struct DocumentBinding {
    pub workspace_id: i64,
    pub user_id: i64,
}

impl AssociatedData for DocumentBinding {
    fn associated_data(&self) -> Vec<u8> {
        format!(
            "gatehouse-scim-document-v1:{}:{}",
            self.workspace_id, self.user_id
        )
        .into_bytes()
    }
}

pub async fn store_document(
    conn: &mut AnyConnection,
    keys: &Keyring,
    workspace_id: i64,
    user_id: i64,
    document: &Value,
) -> Result<(), AppError> {
    let sealed = keys.seal(
        DocumentBinding {
            workspace_id,
            user_id,
        },
        &document.to_string(),
    )?;
    sqlx::query(
        "INSERT INTO scim_user_documents (workspace_id, user_id, ciphertext, key_id)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (workspace_id, user_id)
         DO UPDATE SET ciphertext = excluded.ciphertext, key_id = excluded.key_id",
    )
    .bind(workspace_id)
    .bind(user_id)
    .bind(sealed.ciphertext)
    .bind(sealed.key_id)
    .execute(conn)
    .await?;
    Ok(())
}

fn open_document(
    keys: &Keyring,
    workspace_id: i64,
    user_id: i64,
    sealed: Sealed,
) -> Result<Value, AppError> {
    let text = keys.open(
        DocumentBinding {
            workspace_id,
            user_id,
        },
        &sealed,
    )?;
    serde_json::from_str(&text).map_err(|error| {
        tracing::error!(%error, user_id, "a stored SCIM document is not JSON");
        AppError::Internal
    })
}

/// Which SCIM documents [`reseal_documents`] reseals: those sealed under a key other than
/// `$1`, the current one. A key rotation counts the same rows.
pub const DOCUMENT_UNDER_AN_OLD_KEY: &str = "key_id <> $1";

/// Seals every SCIM document under an old key again under the current one, calling
/// `looked_at` with how many it has looked at so far after each.
pub async fn reseal_documents(
    db: &Db,
    keys: &Keyring,
    looked_at: &(dyn Fn(u64) + Sync),
) -> Result<u64, AppError> {
    let current = keys.current_key_id();
    let rows: Vec<(i64, i64, String, String)> = sqlx::query_as(&format!(
        "SELECT workspace_id, user_id, ciphertext, key_id FROM scim_user_documents
         WHERE {DOCUMENT_UNDER_AN_OLD_KEY}"
    ))
    .bind(&current)
    .fetch_all(db)
    .await?;
    let mut resealed = 0;
    for (seen, (workspace_id, user_id, ciphertext, key_id)) in (1..).zip(rows) {
        let binding = DocumentBinding {
            workspace_id,
            user_id,
        };
        let value = keys.open(
            binding,
            &Sealed {
                key_id,
                ciphertext: ciphertext.clone(),
            },
        )?;
        let sealed = keys.seal(binding, &value)?;
        let updated = sqlx::query(
            "UPDATE scim_user_documents SET ciphertext = $1, key_id = $2
             WHERE workspace_id = $3 AND user_id = $4 AND ciphertext = $5",
        )
        .bind(sealed.ciphertext)
        .bind(sealed.key_id)
        .bind(workspace_id)
        .bind(user_id)
        .bind(ciphertext)
        .execute(db)
        .await?;
        resealed += updated.rows_affected();
        looked_at(seen);
    }
    Ok(resealed)
}

/// A member as SCIM sees them.
#[derive(Debug, Clone)]
pub struct ScimMember {
    pub user_id: i64,
    pub email: String,
    pub user_name: String,
    pub full_name: String,
    pub status: String,
    pub external_id: Option<String>,
    pub provisioned: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub has_password: bool,
    /// What the identity provider last sent, for provisioned members.
    pub document: Option<Value>,
}

#[derive(sqlx::FromRow)]
struct ScimMemberRow {
    user_id: i64,
    email: String,
    user_name: String,
    full_name: String,
    status: String,
    external_id: Option<String>,
    provisioned: i64,
    created_at: i64,
    updated_at: i64,
    has_password: i64,
    ciphertext: Option<String>,
    key_id: Option<String>,
}

const MEMBER_COLUMNS: &str = "m.user_id, m.email, COALESCE(m.scim_user_name, m.email) AS user_name,
        COALESCE(m.invited_name, u.full_name) AS full_name, m.status, m.external_id,
        m.provisioned, m.created_at, m.updated_at,
        CASE WHEN u.password_hash IS NULL THEN 0 ELSE 1 END AS has_password,
        d.ciphertext, d.key_id
     FROM memberships m JOIN users u ON u.id = m.user_id
     LEFT JOIN scim_user_documents d ON d.workspace_id = m.workspace_id AND d.user_id = m.user_id";

fn member_of(
    keys: &Keyring,
    workspace_id: i64,
    row: ScimMemberRow,
) -> Result<ScimMember, AppError> {
    let document = match (row.ciphertext, row.key_id) {
        (Some(ciphertext), Some(key_id)) => Some(open_document(
            keys,
            workspace_id,
            row.user_id,
            Sealed { key_id, ciphertext },
        )?),
        _ => None,
    };
    Ok(ScimMember {
        user_id: row.user_id,
        email: row.email,
        user_name: row.user_name,
        full_name: row.full_name,
        status: row.status,
        external_id: row.external_id,
        provisioned: row.provisioned == 1,
        created_at: row.created_at,
        updated_at: row.updated_at,
        has_password: row.has_password == 1,
        document,
    })
}

pub async fn member(
    conn: &mut AnyConnection,
    keys: &Keyring,
    workspace_id: i64,
    user_id: i64,
) -> Result<Option<ScimMember>, AppError> {
    let row: Option<ScimMemberRow> = sqlx::query_as(&format!(
        "SELECT {MEMBER_COLUMNS} WHERE m.workspace_id = $1 AND m.user_id = $2"
    ))
    .bind(workspace_id)
    .bind(user_id)
    .fetch_optional(conn)
    .await?;
    row.map(|row| member_of(keys, workspace_id, row))
        .transpose()
}

/// The filterable attributes of a SCIM User: columns of `memberships m`.
pub struct UserVocabulary;

impl Vocabulary for UserVocabulary {
    fn column(&self, path: &scim_v2::filter::AttrPath) -> Option<Column> {
        // An extension's attributes aren't columns.
        if path.uri.is_some() {
            return None;
        }
        let name = path.name.to_ascii_lowercase();
        let sub = path.sub_attr.as_deref().map(str::to_ascii_lowercase);
        let text = |sql| Column {
            sql,
            kind: ColumnKind::Text { case_exact: false },
        };
        match (name.as_str(), sub.as_deref()) {
            ("id", None) => Some(Column {
                sql: "m.user_id",
                kind: ColumnKind::Integer,
            }),
            ("username", None) => Some(text(USER_NAME)),
            ("emails", None | Some("value")) => Some(text("m.email")),
            ("externalid", None) => Some(Column {
                sql: "m.external_id",
                kind: ColumnKind::Text { case_exact: true },
            }),
            ("displayname", None) | ("name", Some("formatted")) => Some(text("m.name_key")),
            ("active", None) => Some(Column {
                sql: "m.status",
                kind: ColumnKind::Boolean {
                    when_true: "m.status <> 'archived'",
                },
            }),
            ("meta", Some("created")) => Some(Column {
                sql: "m.created_at",
                kind: ColumnKind::Timestamp,
            }),
            ("meta", Some("lastmodified")) => Some(Column {
                sql: "m.updated_at",
                kind: ColumnKind::Timestamp,
            }),
            _ => None,
        }
    }
}

/// SCIM's userName: the sign-in email unless the identity provider named the member
/// otherwise. The expression matches the index `memberships_by_user_name`.
const USER_NAME: &str = "COALESCE(m.scim_user_name, m.email)";

/// Which page of a listing, in SCIM's terms.
#[derive(Debug, Clone)]
pub struct Paging {
    /// 1-based, as SCIM counts.
    pub start_index: i64,
    pub count: i64,
    pub sort: Option<(&'static str, bool)>,
}

fn push_filter(
    builder: &mut SqlBuilder,
    filter: Option<&scim_v2::filter::Filter>,
    vocabulary: &dyn Vocabulary,
    backend: Backend,
) -> Result<(), ScimError> {
    if let Some(filter) = filter {
        builder.push(" AND (");
        filter::push_sql(builder, filter, vocabulary, backend)?;
        builder.push(")");
    }
    Ok(())
}

/// A page of the workspace's members and how many match in all.
pub async fn members_page(
    db: &Db,
    keys: &Keyring,
    workspace_id: i64,
    filter: Option<&scim_v2::filter::Filter>,
    paging: &Paging,
) -> Result<(i64, Vec<ScimMember>), ScimOrApp> {
    let backend = Backend::of_pool(db);
    let total = match filter {
        // The kept counts answer without counting every row.
        None => sqlx::query_scalar::<_, i64>(
            "SELECT CAST(COALESCE(SUM(members), 0) AS BIGINT) FROM member_counts WHERE workspace_id = $1",
        )
        .bind(workspace_id)
        .fetch_one(db)
        .await
        .map_err(AppError::from)?,
        Some(_) => {
            let mut count = SqlBuilder::new("SELECT COUNT(*) FROM memberships m WHERE m.workspace_id = ");
            count.push_bind(SqlValue::Integer(workspace_id));
            push_filter(&mut count, filter, &UserVocabulary, backend)?;
            count.query_scalar::<i64>().fetch_one(db).await.map_err(AppError::from)?
        }
    };
    if paging.count == 0 || total == 0 {
        return Ok((total, Vec::new()));
    }
    let mut page = SqlBuilder::new("SELECT m.user_id FROM memberships m WHERE m.workspace_id = ");
    page.push_bind(SqlValue::Integer(workspace_id));
    push_filter(&mut page, filter, &UserVocabulary, backend)?;
    page.push(" ORDER BY ");
    if let Some((attribute, ascending)) = paging.sort {
        let column = match attribute {
            "userName" => USER_NAME,
            "displayName" => "m.name_key",
            "meta.created" => "m.created_at",
            _ => "m.updated_at",
        };
        page.push(column)
            .push(if ascending { " ASC, " } else { " DESC, " });
    }
    page.push("m.user_id LIMIT ");
    page.push_bind(SqlValue::Integer(paging.count));
    page.push(" OFFSET ");
    page.push_bind(SqlValue::Integer(paging.start_index - 1));
    let ids: Vec<i64> = page
        .query_scalar()
        .fetch_all(db)
        .await
        .map_err(AppError::from)?;
    let mut conn = db.acquire().await.map_err(AppError::from)?;
    let rows: Vec<ScimMemberRow> = sqlx::query_as(&format!(
        "SELECT {MEMBER_COLUMNS} WHERE m.workspace_id = $1 AND m.user_id IN ({})",
        crate::db::id_list(&ids)
    ))
    .bind(workspace_id)
    .fetch_all(&mut *conn)
    .await
    .map_err(AppError::from)?;
    let mut by_id: HashMap<i64, ScimMemberRow> =
        rows.into_iter().map(|row| (row.user_id, row)).collect();
    let mut members = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(row) = by_id.remove(&id) {
            members.push(member_of(keys, workspace_id, row)?);
        }
    }
    Ok((total, members))
}

/// Either a SCIM error (a filter that can't be read) or anything else.
#[derive(Debug)]
pub enum ScimOrApp {
    Scim(ScimError),
    App(AppError),
}

impl From<ScimError> for ScimOrApp {
    fn from(error: ScimError) -> Self {
        ScimOrApp::Scim(error)
    }
}

impl From<AppError> for ScimOrApp {
    fn from(error: AppError) -> Self {
        ScimOrApp::App(error)
    }
}

/// An application error in SCIM's terms: its status (422 becomes SCIM's 400), and the
/// scimType that tells an identity provider what to do about it.
impl From<ScimOrApp> for ScimError {
    fn from(error: ScimOrApp) -> ScimError {
        let error = match error {
            ScimOrApp::Scim(error) => return error,
            ScimOrApp::App(error) => error,
        };
        let status = error.status_code();
        let detail = error.to_string();
        match error {
            AppError::AlreadyMember | AppError::GroupNameTaken => ScimError::uniqueness(detail),
            // A member invited by hand can't be changed in their current state: SCIM's
            // mutability error, a 400.
            AppError::NotProvisioned => ScimError::mutability(detail),
            _ if status == 422 || status == 400 => ScimError::invalid_value(detail),
            _ => ScimError {
                status,
                scim_type: None,
                detail,
            },
        }
    }
}

/// The groups of each of `user_ids`: custom groups by membership, and the role group
/// of their role.
pub async fn groups_of(
    conn: &mut AnyConnection,
    workspace_id: i64,
    user_ids: &[i64],
) -> Result<HashMap<i64, Vec<(i64, String)>>, AppError> {
    let mut groups: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
    if user_ids.is_empty() {
        return Ok(groups);
    }
    let ids = crate::db::id_list(user_ids);
    let rows: Vec<(i64, i64, String)> = sqlx::query_as(&format!(
        "SELECT gm.user_id, g.id, g.name FROM group_members gm JOIN groups g ON g.id = gm.group_id
         WHERE gm.workspace_id = $1 AND gm.user_id IN ({ids})
         UNION ALL
         SELECT m.user_id, g.id, g.name FROM memberships m
         JOIN groups g ON g.workspace_id = m.workspace_id AND g.role = m.role
         WHERE m.workspace_id = $1 AND m.user_id IN ({ids})
         ORDER BY 3"
    ))
    .bind(workspace_id)
    .fetch_all(conn)
    .await?;
    for (user_id, group_id, name) in rows {
        groups.entry(user_id).or_default().push((group_id, name));
    }
    Ok(groups)
}

/// The facts `user::render` needs about one member.
pub fn facts_of(member: &ScimMember, groups: Vec<(i64, String)>) -> user::UserFacts {
    user::UserFacts {
        id: member.user_id,
        active: member.status != "archived",
        created_at: member.created_at,
        updated_at: member.updated_at,
        groups,
    }
}

/// Whether another member of the workspace goes by this userName already.
pub async fn user_name_taken(
    conn: &mut AnyConnection,
    workspace_id: i64,
    user_name_key: &str,
    except_user_id: Option<i64>,
) -> Result<bool, AppError> {
    let taken: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT m.user_id FROM memberships m WHERE m.workspace_id = $1 AND {USER_NAME} = $2
           AND m.user_id <> $3"
    ))
    .bind(workspace_id)
    .bind(user_name_key)
    .bind(except_user_id.unwrap_or(0))
    .fetch_optional(conn)
    .await?;
    Ok(taken.is_some())
}

/// The SCIM columns of a membership: whether the identity provider owns it, its userName
/// when that isn't the email, and the provider's id for it.
pub async fn set_member_scim(
    conn: &mut AnyConnection,
    workspace_id: i64,
    user_id: i64,
    provisioned: bool,
    user_name_key: Option<&str>,
    external_id: Option<&str>,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE memberships SET provisioned = $1, scim_user_name = $2, external_id = $3, updated_at = $4
         WHERE workspace_id = $5 AND user_id = $6",
    )
    .bind(i64::from(provisioned))
    .bind(user_name_key)
    .bind(external_id)
    .bind(now())
    .bind(workspace_id)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether the account is a member of this workspace only, and no super admin.
pub async fn account_is_only_here(
    conn: &mut AnyConnection,
    workspace_id: i64,
    user_id: i64,
) -> Result<bool, AppError> {
    let elsewhere: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM memberships WHERE user_id = $1 AND workspace_id <> $2)
              + (SELECT is_super_admin FROM users WHERE id = $1)",
    )
    .bind(user_id)
    .bind(workspace_id)
    .fetch_one(conn)
    .await?;
    Ok(elsewhere == 0)
}

/// A new sign-in email for an account, and for its memberships' listings.
pub async fn change_account_email(
    conn: &mut AnyConnection,
    user_id: i64,
    email: &str,
) -> Result<(), AppError> {
    sqlx::query("UPDATE users SET email = $1, updated_at = $2 WHERE id = $3")
        .bind(email)
        .bind(now())
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE memberships SET email = $1, updated_at = $2 WHERE user_id = $3")
        .bind(email)
        .bind(now())
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_provisioned(
    conn: &mut AnyConnection,
    workspace_id: i64,
    user_id: i64,
    provisioned: bool,
) -> Result<bool, AppError> {
    let changed = sqlx::query(
        "UPDATE memberships SET provisioned = $1 WHERE workspace_id = $2 AND user_id = $3 AND provisioned <> $1",
    )
    .bind(i64::from(provisioned))
    .bind(workspace_id)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(changed.rows_affected() > 0)
}

/// A group as SCIM sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ScimGroup {
    pub id: i64,
    pub name: String,
    pub role: Option<String>,
    pub external_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub provisioned: i64,
}

const GROUP_COLUMNS: &str =
    "g.id, g.name, g.role, g.external_id, g.created_at, g.updated_at, g.provisioned FROM groups g";

/// The filterable attributes of a SCIM Group: columns of `groups g`.
pub struct GroupVocabulary;

impl Vocabulary for GroupVocabulary {
    fn column(&self, path: &scim_v2::filter::AttrPath) -> Option<Column> {
        // An extension's attributes aren't columns.
        if path.uri.is_some() {
            return None;
        }
        let name = path.name.to_ascii_lowercase();
        let sub = path.sub_attr.as_deref().map(str::to_ascii_lowercase);
        match (name.as_str(), sub.as_deref()) {
            ("id", None) => Some(Column { sql: "g.id", kind: ColumnKind::Integer }),
            ("displayname", None) => Some(Column {
                sql: "g.name_key",
                kind: ColumnKind::Text { case_exact: false },
            }),
            ("externalid", None) => Some(Column {
                sql: "g.external_id",
                kind: ColumnKind::Text { case_exact: true },
            }),
            ("members", None | Some("value")) => Some(Column {
                // A role group's members are the members with its role.
                sql: "(EXISTS (SELECT 1 FROM group_members gm WHERE gm.group_id = g.id AND gm.user_id = {})
                       OR EXISTS (SELECT 1 FROM memberships rm
                                  WHERE rm.workspace_id = g.workspace_id AND rm.role = g.role
                                    AND rm.user_id = {}))",
                kind: ColumnKind::MemberOf,
            }),
            ("meta", Some("created")) => Some(Column { sql: "g.created_at", kind: ColumnKind::Timestamp }),
            ("meta", Some("lastmodified")) => Some(Column { sql: "g.updated_at", kind: ColumnKind::Timestamp }),
            _ => None,
        }
    }
}

pub async fn group(
    conn: &mut AnyConnection,
    workspace_id: i64,
    group_id: i64,
) -> Result<Option<ScimGroup>, AppError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {GROUP_COLUMNS} WHERE g.workspace_id = $1 AND g.id = $2"
    ))
    .bind(workspace_id)
    .bind(group_id)
    .fetch_optional(conn)
    .await?)
}

pub async fn groups_page(
    db: &Db,
    workspace_id: i64,
    filter: Option<&scim_v2::filter::Filter>,
    paging: &Paging,
) -> Result<(i64, Vec<ScimGroup>), ScimOrApp> {
    let backend = Backend::of_pool(db);
    let mut count = SqlBuilder::new("SELECT COUNT(*) FROM groups g WHERE g.workspace_id = ");
    count.push_bind(SqlValue::Integer(workspace_id));
    push_filter(&mut count, filter, &GroupVocabulary, backend)?;
    let total: i64 = count
        .query_scalar()
        .fetch_one(db)
        .await
        .map_err(AppError::from)?;
    let mut page = SqlBuilder::new(&format!("SELECT {GROUP_COLUMNS} WHERE g.workspace_id = "));
    page.push_bind(SqlValue::Integer(workspace_id));
    push_filter(&mut page, filter, &GroupVocabulary, backend)?;
    page.push(" ORDER BY ");
    if let Some((_, ascending)) = paging.sort {
        page.push("g.name_key")
            .push(if ascending { " ASC, " } else { " DESC, " });
    }
    page.push("g.id LIMIT ");
    page.push_bind(SqlValue::Integer(paging.count));
    page.push(" OFFSET ");
    page.push_bind(SqlValue::Integer(paging.start_index - 1));
    let groups = page
        .query_as()
        .fetch_all(db)
        .await
        .map_err(AppError::from)?;
    Ok((total, groups))
}

/// The members of a group, by id and name: a role group's are the members with its role.
pub async fn group_members(
    conn: &mut AnyConnection,
    workspace_id: i64,
    group: &ScimGroup,
) -> Result<Vec<(i64, String)>, AppError> {
    let rows = match &group.role {
        Some(role) => {
            sqlx::query_as(
                "SELECT m.user_id, COALESCE(m.invited_name, u.full_name) FROM memberships m
                 JOIN users u ON u.id = m.user_id
                 WHERE m.workspace_id = $1 AND m.role = $2 ORDER BY m.user_id",
            )
            .bind(workspace_id)
            .bind(role)
            .fetch_all(conn)
            .await?
        }
        None => {
            sqlx::query_as(
                "SELECT gm.user_id, COALESCE(m.invited_name, u.full_name) FROM group_members gm
                 JOIN memberships m ON m.workspace_id = gm.workspace_id AND m.user_id = gm.user_id
                 JOIN users u ON u.id = gm.user_id
                 WHERE gm.group_id = $1 ORDER BY gm.user_id",
            )
            .bind(group.id)
            .fetch_all(conn)
            .await?
        }
    };
    Ok(rows)
}

pub async fn set_group_scim(
    conn: &mut AnyConnection,
    group_id: i64,
    external_id: Option<&str>,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE groups SET provisioned = 1, external_id = $1, updated_at = $2 WHERE id = $3",
    )
    .bind(external_id)
    .bind(now())
    .bind(group_id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn touch_group(conn: &mut AnyConnection, group_id: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE groups SET updated_at = $1 WHERE id = $2")
        .bind(now())
        .bind(group_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The workspace's members whose membership an identity provider owns, for the Users
/// page's badge.
pub async fn provisioned_among(
    db: &Db,
    workspace_id: i64,
    user_ids: &[i64],
) -> Result<Vec<i64>, AppError> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(sqlx::query_scalar(&format!(
        "SELECT user_id FROM memberships WHERE workspace_id = $1 AND provisioned = 1 AND user_id IN ({})",
        crate::db::id_list(user_ids)
    ))
    .bind(workspace_id)
    .fetch_all(db)
    .await?)
}
