//! Writing the audit trail: who did what to whom, and when, in the same transaction as
//! the change itself, with the address the request came from. The table refuses updates,
//! and deletes of anything younger than the retention period.

use sqlx::AnyConnection;

use super::Action;
use crate::db::{Db, now};
use crate::error::AppError;

tokio::task_local! {
    /// The client address of the request being served, set once per request by the
    /// server so that every event the request writes carries it.
    static SOURCE_ADDRESS: String;
}

/// Runs `work` (serving one request) with every event it records marked as coming from
/// `address`.
pub async fn from_address<F: std::future::Future>(address: String, work: F) -> F::Output {
    SOURCE_ADDRESS.scope(address, work).await
}

/// The address of the request being served; none outside a request (command-line tools,
/// background work).
pub(crate) fn source_address() -> Option<String> {
    SOURCE_ADDRESS.try_with(Clone::clone).ok()
}

pub struct Event<'a> {
    pub actor_user_id: Option<i64>,
    pub workspace_id: Option<i64>,
    pub target_user_id: Option<i64>,
    pub action: Action,
    /// Names and roles, never secrets or metadata values.
    pub detail: &'a str,
}

/// The columns every insert writes, in the order of [`bind_event`]'s values.
const EVENT_COLUMNS: &str = "INSERT INTO audit_events
    (occurred_at, actor_user_id, workspace_id, target_user_id, action, detail, resource_id,
     source_address)";

pub async fn record(conn: &mut AnyConnection, event: Event<'_>) -> Result<(), AppError> {
    record_about(conn, event, None).await
}

async fn record_about(
    conn: &mut AnyConnection,
    event: Event<'_>,
    resource_id: Option<i64>,
) -> Result<(), AppError> {
    sqlx::query(&format!(
        "{EVENT_COLUMNS} VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    ))
    .bind(now())
    .bind(event.actor_user_id)
    .bind(event.workspace_id)
    .bind(event.target_user_id)
    .bind(event.action.key())
    .bind(event.detail)
    .bind(resource_id)
    .bind(source_address())
    .execute(conn)
    .await?;
    Ok(())
}

/// A change an actor made in their workspace, to one member or to the workspace. A
/// change made through an access token names the token, so that what a leaked token did
/// can be told from what its owner did.
pub async fn record_by(
    conn: &mut AnyConnection,
    actor: &crate::access::WorkspaceActor,
    target_user_id: Option<i64>,
    action: Action,
    detail: &str,
) -> Result<(), AppError> {
    let detail = with_credential(actor, detail);
    record(
        conn,
        Event {
            actor_user_id: Some(actor.user.id),
            workspace_id: Some(actor.workspace.id),
            target_user_id,
            action,
            detail: &detail,
        },
    )
    .await
}

/// A change an actor made to one resource of their workspace, findable by the resource.
pub async fn record_about_resource(
    conn: &mut AnyConnection,
    actor: &crate::access::WorkspaceActor,
    resource_id: i64,
    action: Action,
    detail: &str,
) -> Result<(), AppError> {
    let detail = with_credential(actor, detail);
    record_about(
        conn,
        Event {
            actor_user_id: Some(actor.user.id),
            workspace_id: Some(actor.workspace.id),
            target_user_id: None,
            action,
            detail: &detail,
        },
        Some(resource_id),
    )
    .await
}

/// A change made through a token names it, so that what a leaked token did can be told
/// from what its owner did.
fn with_credential(actor: &crate::access::WorkspaceActor, detail: &str) -> String {
    if actor.acting_as == crate::access::ActingAs::SuperAdmin {
        return format!("{detail} (as super admin)");
    }
    match actor.credential {
        crate::access::Credential::AccessToken { id, .. } => {
            format!("{detail} (access token {id})")
        }
        crate::access::Credential::ScimToken { id } => format!("{detail} (SCIM token {id})"),
        crate::access::Credential::SingleSignOn { provider_id } => {
            format!("{detail} (single sign-on, identity provider {provider_id})")
        }
        crate::access::Credential::Session => detail.to_string(),
    }
}

/// The same change to many members at once, in one statement per thousand members.
pub async fn record_many_by(
    conn: &mut AnyConnection,
    actor: &crate::access::WorkspaceActor,
    target_user_ids: &[i64],
    action: Action,
    detail: &str,
) -> Result<(), AppError> {
    let detail = with_credential(actor, detail);
    for chunk in target_user_ids.chunks(crate::db::IDS_PER_STATEMENT) {
        let rows = chunk
            .iter()
            .map(|target| format!("($1, $2, $3, {target}, $4, $5, NULL, $6)"))
            .collect::<Vec<_>>()
            .join(", ");
        sqlx::query(&format!("{EVENT_COLUMNS} VALUES {rows}"))
            .bind(now())
            .bind(actor.user.id)
            .bind(actor.workspace.id)
            .bind(action.key())
            .bind(&detail)
            .bind(source_address())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Changes of one kind to one member, each with its own detail (the groups they joined),
/// in one statement per hundred.
pub async fn record_each_by(
    conn: &mut AnyConnection,
    actor: &crate::access::WorkspaceActor,
    target_user_id: i64,
    action: Action,
    details: &[&str],
) -> Result<(), AppError> {
    for chunk in details.chunks(100) {
        let rows = (0..chunk.len())
            .map(|index| format!("($1, $2, $3, $4, $5, ${}, NULL, $6)", index + 7))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("{EVENT_COLUMNS} VALUES {rows}");
        let mut query = sqlx::query(&sql)
            .bind(now())
            .bind(actor.user.id)
            .bind(actor.workspace.id)
            .bind(target_user_id)
            .bind(action.key())
            .bind(source_address());
        for detail in chunk {
            query = query.bind(with_credential(actor, detail));
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// A change someone made to their own account.
pub async fn record_own(
    conn: &mut AnyConnection,
    user_id: i64,
    action: Action,
    detail: &str,
) -> Result<(), AppError> {
    record(
        conn,
        Event {
            actor_user_id: Some(user_id),
            workspace_id: None,
            target_user_id: Some(user_id),
            action,
            detail,
        },
    )
    .await
}

/// A server function that refused its caller: who asked, which function and why, and
/// what the request named.
pub struct Refusal<'a> {
    pub actor_user_id: i64,
    pub endpoint: &'a str,
    pub error: &'a AppError,
    /// The workspace the request named; recorded when one has that URL.
    pub workspace_slug: Option<&'a str>,
    pub target_user_id: Option<i64>,
    /// Other things the request named by id, as `group_id=7`.
    pub resources: &'a [String],
}

pub async fn record_refusal(db: &Db, refusal: Refusal<'_>) -> Result<(), AppError> {
    let code = serde_json::to_value(refusal.error)
        .ok()
        .and_then(|code| match code {
            serde_json::Value::String(name) => Some(name),
            serde_json::Value::Object(object) => object.keys().next().cloned(),
            _ => None,
        })
        .unwrap_or_default();
    let mut detail = format!("{}: {code}", refusal.endpoint);
    if !refusal.resources.is_empty() {
        detail.push_str(&format!(" ({})", refusal.resources.join(", ")));
    }
    sqlx::query(&format!(
        "{EVENT_COLUMNS}
         VALUES ($1, $2, (SELECT id FROM workspaces WHERE slug = $3), $4, $5, $6, NULL, $7)"
    ))
    .bind(now())
    .bind(refusal.actor_user_id)
    .bind(refusal.workspace_slug.unwrap_or_default())
    .bind(refusal.target_user_id)
    .bind(Action::AccessRefused.key())
    .bind(detail)
    .bind(source_address())
    .execute(db)
    .await?;
    Ok(())
}

/// One entry of a workspace's audit trail, with the people it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: i64,
    pub occurred_at: i64,
    pub action: String,
    pub actor_email: Option<String>,
    pub target_email: Option<String>,
    pub detail: String,
}

/// Which entries a reader asks for: newest first, before an entry id.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub action: Option<String>,
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// A page of the workspace's trail, and whether more entries lie beyond it.
pub async fn workspace_trail(
    state: &crate::state::AppState,
    actor: &crate::access::WorkspaceActor,
    query: Query,
) -> Result<(Vec<Entry>, bool), AppError> {
    actor.authorise(
        crate::memberships::Role::Admin,
        crate::access::Scope::AuditRead,
    )?;
    let mut conditions = String::from("e.workspace_id = $1");
    let mut next = 2;
    let mut placeholder = |conditions: &mut String, clause: &str| {
        conditions.push_str(&format!(" AND {clause} ${next}"));
        next += 1;
    };
    if query.action.is_some() {
        placeholder(&mut conditions, "e.action =");
    }
    if query.since.is_some() {
        placeholder(&mut conditions, "e.occurred_at >=");
    }
    if query.until.is_some() {
        placeholder(&mut conditions, "e.occurred_at <");
    }
    if query.before_id.is_some() {
        placeholder(&mut conditions, "e.id <");
    }
    let sql = format!(
        "SELECT e.id, e.occurred_at, e.action, a.email, t.email, e.detail
         FROM audit_events e
         LEFT JOIN users a ON a.id = e.actor_user_id
         LEFT JOIN users t ON t.id = e.target_user_id
         WHERE {conditions} ORDER BY e.id DESC LIMIT {}",
        query.limit + 1
    );
    let mut statement =
        sqlx::query_as::<_, (i64, i64, String, Option<String>, Option<String>, String)>(&sql)
            .bind(actor.workspace.id);
    if let Some(action) = query.action {
        statement = statement.bind(action);
    }
    for bound in [query.since, query.until, query.before_id]
        .into_iter()
        .flatten()
    {
        statement = statement.bind(bound);
    }
    let mut rows = statement.fetch_all(&state.db).await?;
    let more = rows.len() as i64 > query.limit;
    rows.truncate(query.limit as usize);
    Ok((
        rows.into_iter()
            .map(
                |(id, occurred_at, action, actor_email, target_email, detail)| Entry {
                    id,
                    occurred_at,
                    action,
                    actor_email,
                    target_email,
                    detail,
                },
            )
            .collect(),
        more,
    ))
}
