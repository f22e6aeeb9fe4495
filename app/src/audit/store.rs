//! Reading the audit trail: a page of events for any filter, newest first, keyset-paged by
//! (occurred_at, id) so that every page costs the same however deep it lies; and pruning
//! the events past the retention period.

use sqlx::AnyConnection;

use super::{Action, ActionChoice, Category, Cursor, EventRow};
use crate::db::{Db, now};
use crate::error::AppError;

/// Which events a reader asks for, checked and resolved from an [`super::AuditFilter`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventQuery {
    /// One workspace's events, or (super admins) every event.
    pub workspace_id: Option<i64>,
    pub actor_email: Option<String>,
    pub target_email: Option<String>,
    pub action: Option<ActionChoice>,
    pub resource_id: Option<i64>,
    /// From this time on (Unix seconds, included)…
    pub since: Option<i64>,
    /// …and before this one.
    pub until: Option<i64>,
}

/// A bound value of the page query.
enum Bound {
    Number(i64),
    Text(String),
}

type EventColumns = (
    i64,
    i64,
    String,
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Up to `limit` events older than `older_than` (from the newest when none), and the
/// cursor of the page after them when there are more.
pub async fn page(
    conn: &mut AnyConnection,
    query: &EventQuery,
    older_than: Option<Cursor>,
    limit: i64,
) -> Result<(Vec<EventRow>, Option<Cursor>), AppError> {
    let (sql, bounds) = page_sql(query, older_than, limit);
    let mut statement = sqlx::query_as::<_, EventColumns>(&sql);
    for bound in bounds {
        statement = match bound {
            Bound::Number(number) => statement.bind(number),
            Bound::Text(text) => statement.bind(text),
        };
    }
    let rows = statement.fetch_all(&mut *conn).await?;
    Ok(with_cursor(rows, limit))
}

/// [`page`] for exports. On SQLite the database hands the batch over as one JSON array:
/// read a row at a time, its driver spent about 15 µs on each (rows cross a channel one by
/// one) and a million events took 20 s instead of 7. PostgreSQL's rows come faster as
/// they are than as JSON (7 s instead of 10).
pub async fn export_page(
    conn: &mut AnyConnection,
    query: &EventQuery,
    older_than: Option<Cursor>,
    limit: i64,
) -> Result<(Vec<EventRow>, Option<Cursor>), AppError> {
    if crate::db::Backend::of(conn) == crate::db::Backend::Postgres {
        return page(conn, query, older_than, limit).await;
    }
    let (sql, bounds) = page_sql(query, older_than, limit);
    let sql = format!(
        "SELECT json_group_array(json_array(id, occurred_at, action, detail, source_address,
                actor_id, actor_name, actor_email, target_id, target_name, target_email,
                workspace))
         FROM ({sql}) AS page"
    );
    let mut statement = sqlx::query_scalar::<_, String>(&sql);
    for bound in bounds {
        statement = match bound {
            Bound::Number(number) => statement.bind(number),
            Bound::Text(text) => statement.bind(text),
        };
    }
    let json = statement.fetch_one(&mut *conn).await?;
    let mut rows: Vec<EventColumns> =
        serde_json::from_str(&json).map_err(|_| AppError::Internal)?;
    // An aggregate need not keep its input's order.
    rows.sort_unstable_by_key(|row| std::cmp::Reverse((row.1, row.0)));
    Ok(with_cursor(rows, limit))
}

/// The page query, newest first, one row more than `limit` to tell whether there are more.
fn page_sql(query: &EventQuery, older_than: Option<Cursor>, limit: i64) -> (String, Vec<Bound>) {
    let mut conditions = Vec::new();
    let mut bounds = Vec::new();
    let mut condition = |clause: &str, values: Vec<Bound>| {
        let mut clause = clause.to_string();
        for value in values {
            bounds.push(value);
            clause = clause.replacen('?', &format!("${}", bounds.len()), 1);
        }
        conditions.push(clause);
    };
    if let Some(workspace_id) = query.workspace_id {
        condition("e.workspace_id = ?", vec![Bound::Number(workspace_id)]);
    }
    // An unknown email matches no one, so asking tells nothing about who has an account.
    if let Some(email) = &query.actor_email {
        condition(
            "e.actor_user_id = (SELECT id FROM users WHERE email = ?)",
            vec![Bound::Text(email.clone())],
        );
    }
    if let Some(email) = &query.target_email {
        condition(
            "e.target_user_id = (SELECT id FROM users WHERE email = ?)",
            vec![Bound::Text(email.clone())],
        );
    }
    match query.action {
        Some(ActionChoice::Category(category)) => condition(
            "e.category = ?",
            vec![Bound::Text(category.key().to_string())],
        ),
        Some(ActionChoice::One(action)) => {
            condition("e.action = ?", vec![Bound::Text(action.key().to_string())])
        }
        Some(ActionChoice::Any) | None => {}
    }
    if let Some(resource_id) = query.resource_id {
        condition("e.resource_id = ?", vec![Bound::Number(resource_id)]);
    }
    if let Some(since) = query.since {
        condition("e.occurred_at >= ?", vec![Bound::Number(since)]);
    }
    if let Some(until) = query.until {
        condition("e.occurred_at < ?", vec![Bound::Number(until)]);
    }
    if let Some(cursor) = older_than {
        condition(
            "(e.occurred_at, e.id) < (?, ?)",
            vec![Bound::Number(cursor.occurred_at), Bound::Number(cursor.id)],
        );
    }
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let sql = format!(
        "SELECT e.id, e.occurred_at, e.action, e.detail, e.source_address,
                e.actor_user_id AS actor_id, a.full_name AS actor_name, a.email AS actor_email,
                e.target_user_id AS target_id, t.full_name AS target_name,
                t.email AS target_email, w.name AS workspace
         FROM audit_events e
         LEFT JOIN users a ON a.id = e.actor_user_id
         LEFT JOIN users t ON t.id = e.target_user_id
         LEFT JOIN workspaces w ON w.id = e.workspace_id
         {filter}
         ORDER BY e.occurred_at DESC, e.id DESC
         LIMIT {}",
        limit + 1
    );
    (sql, bounds)
}

/// Keeps `limit` rows, and the cursor after them when there were more.
fn with_cursor(mut rows: Vec<EventColumns>, limit: i64) -> (Vec<EventRow>, Option<Cursor>) {
    let older = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|row| Cursor {
            occurred_at: row.1,
            id: row.0,
        })
    } else {
        None
    };
    (rows.into_iter().map(event_row).collect(), older)
}

fn event_row(
    (
        id,
        occurred_at,
        action,
        detail,
        source_address,
        actor_id,
        actor_name,
        actor_email,
        target_id,
        target_name,
        target_email,
        workspace,
    ): EventColumns,
) -> EventRow {
    let actor_name = shown_name(actor_id, actor_name);
    let target_name = target_id.map(|id| shown_name(Some(id), target_name));
    let known = Action::from_key(&action);
    // The same as the column the filter reads, which SQLite would work out row by row.
    let category = known.map_or(Category::WorkspacesAndInstance, Action::category);
    let sentence = match known {
        Some(known) => known.sentence(&actor_name, target_name.as_deref().unwrap_or(""), &detail),
        None => format!("{actor_name}: {action} {detail}"),
    };
    EventRow {
        id,
        occurred_at,
        action_label: known.map_or_else(|| action.clone(), |known| known.label().to_string()),
        action,
        category: category.key().to_string(),
        actor_name,
        actor_email,
        target_name,
        target_email,
        workspace,
        source_address,
        sentence,
        detail,
    }
}

/// How an event names a person: their name now; an account deleted since, or the
/// instance itself when no one acted (pruning, say), said as such.
fn shown_name(user_id: Option<i64>, name: Option<String>) -> String {
    match (user_id, name) {
        (_, Some(name)) => name,
        (Some(_), None) => "A deleted user".to_string(),
        (None, None) => "Gatehouse".to_string(),
    }
}

/// How many days events are kept; none: forever.
pub async fn retention_days(conn: &mut AnyConnection) -> Result<Option<i64>, AppError> {
    Ok(
        sqlx::query_scalar::<_, Option<i64>>("SELECT audit_retention_days FROM instance")
            .fetch_optional(conn)
            .await?
            .flatten(),
    )
}

pub async fn set_retention_days(
    conn: &mut AnyConnection,
    days: Option<i64>,
) -> Result<(), AppError> {
    sqlx::query("UPDATE instance SET audit_retention_days = $1")
        .bind(days)
        .execute(conn)
        .await?;
    Ok(())
}

/// How many events one pruning statement deletes: small enough that each commits
/// quickly and never holds the table long.
pub const PRUNE_BATCH: i64 = 1_000;

/// Deletes one batch of events older than `days` days; how many it deleted. The database
/// refuses to delete anything younger than its own retention setting, so the cutoff keeps
/// a minute's margin for clocks that differ between this server and the database.
pub async fn prune_batch(db: &Db, days: i64) -> Result<u64, AppError> {
    let cutoff = now() - days * 86_400 - 60;
    let deleted = sqlx::query(&format!(
        "DELETE FROM audit_events WHERE id IN (
             SELECT id FROM audit_events WHERE occurred_at < $1
             ORDER BY occurred_at, id LIMIT {PRUNE_BATCH})"
    ))
    .bind(cutoff)
    .execute(db)
    .await?;
    Ok(deleted.rows_affected())
}
