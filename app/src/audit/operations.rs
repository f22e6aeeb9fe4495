//! Reading, exporting and pruning the audit trail: workspace admins read their workspace's
//! events, super admins every event and the retention setting.

use super::store::{self, EventQuery};
use super::{
    Action, ActionChoice, AuditFilter, AuditPage, AuditSettings, Choice, Cursor, EventRow,
    PAGE_SIZE,
};
use crate::access::{Caller, Scope, WorkspaceActor};
use crate::error::AppError;
use crate::memberships::Role;
use crate::state::AppState;

/// Whose events a reader may see: one workspace's (its admins), or all (super admins).
#[derive(Debug, Clone)]
pub enum Reader {
    Workspace(WorkspaceActor),
    Instance(Caller),
}

impl Reader {
    fn user_id(&self) -> i64 {
        match self {
            Reader::Workspace(actor) => actor.user.id,
            Reader::Instance(caller) => caller.user.id,
        }
    }
}

/// A page of the workspace's events.
pub async fn workspace_page(
    state: &AppState,
    actor: &WorkspaceActor,
    filter: &AuditFilter,
    older_than: Option<Cursor>,
) -> Result<AuditPage, AppError> {
    let query = workspace_query(actor, filter)?;
    page(state, &query, older_than).await
}

/// A page of every event of the instance, or of one workspace's.
pub async fn instance_page(
    state: &AppState,
    caller: &Caller,
    filter: &AuditFilter,
    older_than: Option<Cursor>,
) -> Result<AuditPage, AppError> {
    let query = instance_query(state, caller, filter).await?;
    page(state, &query, older_than).await
}

async fn page(
    state: &AppState,
    query: &EventQuery,
    older_than: Option<Cursor>,
) -> Result<AuditPage, AppError> {
    let mut conn = state.db.acquire().await?;
    let (events, older) = store::page(&mut conn, query, older_than, PAGE_SIZE).await?;
    Ok(AuditPage { events, older })
}

/// The filter of a workspace's log, checked, for an admin of it.
pub fn workspace_query(
    actor: &WorkspaceActor,
    filter: &AuditFilter,
) -> Result<EventQuery, AppError> {
    actor.authorise(Role::Admin, Scope::AuditRead)?;
    let mut query = checked(filter)?;
    query.workspace_id = Some(actor.workspace.id);
    query.resource_id = filter.resource;
    Ok(query)
}

/// The filter of the instance-wide log, checked, for a super admin.
pub async fn instance_query(
    state: &AppState,
    caller: &Caller,
    filter: &AuditFilter,
) -> Result<EventQuery, AppError> {
    caller.as_super_admin(Scope::AuditRead)?;
    let mut query = checked(filter)?;
    if !filter.workspace.is_empty() {
        let mut conn = state.db.acquire().await?;
        let workspace = crate::instance::store::workspace(&mut conn, &filter.workspace)
            .await?
            .ok_or(AppError::WorkspaceNotFound)?;
        query.workspace_id = Some(workspace.id);
        query.resource_id = filter.resource;
    }
    Ok(query)
}

/// The filters both logs share, as a query: emails compared as stored (lower case), days
/// as UTC, the To day included.
fn checked(filter: &AuditFilter) -> Result<EventQuery, AppError> {
    let day = |text: &str, field: &str| -> Result<Option<i64>, AppError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        crate::dates::start_of_day(text)
            .map(Some)
            .ok_or_else(|| AppError::AuditDateInvalid {
                field: field.to_string(),
            })
    };
    let since = day(&filter.from, "From")?;
    let until = day(&filter.to, "To")?.map(|start| start + 86_400);
    if let (Some(since), Some(until)) = (since, until)
        && since >= until
    {
        return Err(AppError::AuditDatesReversed);
    }
    let email = |text: &str| {
        let text = text.trim();
        (!text.is_empty()).then(|| text.to_lowercase())
    };
    Ok(EventQuery {
        workspace_id: None,
        actor_email: email(&filter.actor),
        target_email: email(&filter.target),
        action: Some(ActionChoice::parse(filter.action.trim())?),
        resource_id: None,
        since,
        until,
    })
}

/// The workspace's resources, for the Resource filter.
pub async fn resource_choices(
    state: &AppState,
    actor: &WorkspaceActor,
) -> Result<Vec<Choice>, AppError> {
    actor.authorise(Role::Admin, Scope::AuditRead)?;
    let mut conn = state.db.acquire().await?;
    let mut choices: Vec<Choice> =
        crate::groups::store::resource_refs(&mut conn, actor.workspace.id)
            .await?
            .into_iter()
            .map(|(resource, name)| Choice {
                value: resource.id.to_string(),
                label: format!("{name} ({})", resource.kind.noun()),
            })
            .collect();
    choices.sort_by_cached_key(|choice| choice.label.to_lowercase());
    Ok(choices)
}

/// The Workspace filter's choices and the retention setting, for super admins.
pub async fn instance_settings(
    state: &AppState,
    caller: &Caller,
) -> Result<AuditSettings, AppError> {
    caller.as_super_admin(Scope::AuditRead)?;
    let workspaces = crate::workspaces::store::all_with_member_counts(&state.db)
        .await?
        .into_iter()
        .map(|workspace| Choice {
            label: workspace.name,
            value: workspace.slug,
        })
        .collect();
    let mut conn = state.db.acquire().await?;
    Ok(AuditSettings {
        workspaces,
        retention_days: store::retention_days(&mut conn).await?,
    })
}

/// Sets how many days events are kept (none: forever). The change is itself an event,
/// which the new period then keeps as long as any other.
pub async fn set_retention(
    state: &AppState,
    caller: &Caller,
    days: Option<i64>,
) -> Result<(), AppError> {
    let actor = caller.as_super_admin_in_session()?;
    let mut tx = crate::instance::store::begin_instance_change(&state.db, actor.id).await?;
    store::set_retention_days(&mut tx, days).await?;
    let detail = match days {
        Some(days) => format!("keep {days} days"),
        None => "keep forever".to_string(),
    };
    super::record_own(&mut tx, actor.id, Action::AuditRetentionChanged, &detail).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes the events past the retention period, a batch per statement, and records how
/// many went. Several servers may prune at once: each batch deletes what is still there.
pub async fn prune_expired(state: &AppState) -> Result<u64, AppError> {
    let mut conn = state.db.acquire().await?;
    let Some(days) = store::retention_days(&mut conn).await? else {
        return Ok(0);
    };
    drop(conn);
    let mut pruned = 0;
    loop {
        let deleted = store::prune_batch(&state.db, days).await?;
        pruned += deleted;
        if deleted < store::PRUNE_BATCH as u64 {
            break;
        }
    }
    if pruned > 0 {
        let mut conn = state.db.acquire().await?;
        super::record(
            &mut conn,
            super::Event {
                actor_user_id: None,
                workspace_id: None,
                target_user_id: None,
                action: Action::AuditPruned,
                detail: &format!("{pruned} events older than {days} days"),
            },
        )
        .await?;
        tracing::info!(pruned, days, "expired audit events pruned");
    }
    Ok(pruned)
}

/// The formats the log exports to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Ndjson,
}

impl ExportFormat {
    pub fn parse(text: &str) -> Result<ExportFormat, AppError> {
        match text {
            "csv" => Ok(ExportFormat::Csv),
            "ndjson" => Ok(ExportFormat::Ndjson),
            _ => Err(AppError::BadRequest),
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Ndjson => "application/x-ndjson",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Ndjson => "ndjson",
        }
    }
}

/// How many events an export reads and writes at a time.
pub const EXPORT_BATCH: i64 = 2_000;

/// The columns of an exported CSV file.
pub const CSV_HEADER: [&str; 13] = [
    "Time (UTC)",
    "Unix time",
    "Actor",
    "Actor email",
    "Action",
    "Action key",
    "Category",
    "Target",
    "Target email",
    "Workspace",
    "Source address",
    "What happened",
    "Detail",
];

/// Records an export, with its filters, before its first event is read: the file is then
/// written batch by batch ([`export_batch`]).
pub async fn record_export(
    state: &AppState,
    reader: &Reader,
    filter: &AuditFilter,
    format: ExportFormat,
) -> Result<(), AppError> {
    let detail = format!("{}{}", format.extension(), describe_filter(filter));
    let mut conn = state.db.acquire().await?;
    match reader {
        Reader::Workspace(actor) => {
            super::record_by(&mut conn, actor, None, Action::AuditExported, &detail).await
        }
        Reader::Instance(_) => {
            super::record_own(&mut conn, reader.user_id(), Action::AuditExported, &detail).await
        }
    }
}

/// The next batch of an export: its bytes (the CSV header first) and where the batch
/// after it starts, if there is one.
pub async fn export_batch(
    db: &crate::db::Db,
    query: &EventQuery,
    format: ExportFormat,
    position: ExportPosition,
) -> Result<(Vec<u8>, Option<ExportPosition>), AppError> {
    let (older_than, mut bytes) = match position {
        ExportPosition::Start => (
            None,
            match format {
                ExportFormat::Csv => crate::exports::csv_record(CSV_HEADER),
                ExportFormat::Ndjson => Vec::new(),
            },
        ),
        ExportPosition::OlderThan(cursor) => (Some(cursor), Vec::new()),
    };
    let mut conn = db.acquire().await?;
    let (events, older) = store::export_page(&mut conn, query, older_than, EXPORT_BATCH).await?;
    for event in &events {
        match format {
            ExportFormat::Csv => bytes.extend(csv_line(event)),
            ExportFormat::Ndjson => {
                serde_json::to_writer(&mut bytes, &NdjsonEvent::from(event))
                    .map_err(|_| AppError::Internal)?;
                bytes.push(b'\n');
            }
        }
    }
    Ok((bytes, older.map(ExportPosition::OlderThan)))
}

/// Where an export has got to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportPosition {
    Start,
    OlderThan(Cursor),
}

fn csv_line(event: &EventRow) -> Vec<u8> {
    let time = crate::dates::format_time(event.occurred_at);
    let unix_time = event.occurred_at.to_string();
    crate::exports::csv_record([
        time.as_str(),
        unix_time.as_str(),
        event.actor_name.as_str(),
        event.actor_email.as_deref().unwrap_or(""),
        event.action_label.as_str(),
        event.action.as_str(),
        event.category.as_str(),
        event.target_name.as_deref().unwrap_or(""),
        event.target_email.as_deref().unwrap_or(""),
        event.workspace.as_deref().unwrap_or(""),
        event.source_address.as_deref().unwrap_or(""),
        event.sentence.as_str(),
        event.detail.as_str(),
    ])
}

/// One line of an NDJSON export.
#[derive(serde::Serialize)]
struct NdjsonEvent<'a> {
    id: i64,
    occurred_at: i64,
    time: String,
    action: &'a str,
    category: &'a str,
    actor: Person<'a>,
    target: Option<Person<'a>>,
    workspace: Option<&'a str>,
    source_address: Option<&'a str>,
    sentence: &'a str,
    detail: &'a str,
}

#[derive(serde::Serialize)]
struct Person<'a> {
    name: &'a str,
    email: Option<&'a str>,
}

impl<'a> From<&'a EventRow> for NdjsonEvent<'a> {
    fn from(event: &'a EventRow) -> Self {
        NdjsonEvent {
            id: event.id,
            occurred_at: event.occurred_at,
            time: crate::dates::format_time(event.occurred_at),
            action: &event.action,
            category: &event.category,
            actor: Person {
                name: &event.actor_name,
                email: event.actor_email.as_deref(),
            },
            target: event.target_name.as_deref().map(|name| Person {
                name,
                email: event.target_email.as_deref(),
            }),
            workspace: event.workspace.as_deref(),
            source_address: event.source_address.as_deref(),
            sentence: &event.sentence,
            detail: &event.detail,
        }
    }
}

/// The filters of an export as its event records them: " (action=members, from=…)".
fn describe_filter(filter: &AuditFilter) -> String {
    let resource = filter.resource.map(|id| id.to_string()).unwrap_or_default();
    let parts: Vec<String> = [
        ("workspace", filter.workspace.as_str()),
        ("actor", filter.actor.as_str()),
        ("target", filter.target.as_str()),
        ("action", filter.action.as_str()),
        ("resource", resource.as_str()),
        ("from", filter.from.as_str()),
        ("to", filter.to.as_str()),
    ]
    .into_iter()
    .filter(|(_, value)| !value.trim().is_empty())
    .map(|(name, value)| format!("{name}={}", value.trim()))
    .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}
