//! Audit log downloads for the signed-in browser: the events the Audit log pages show,
//! with the same filters, as CSV or NDJSON, streamed a batch at a time so that a million
//! events never sit in memory.

use app::access::{self, Caller, Credential, CurrentUser};
use app::audit::AuditFilter;
use app::audit::operations::{self, ExportFormat, ExportPosition, Reader};
use app::audit::store::EventQuery;
use app::error::AppError;
use app::state::AppState;
use axum::Router;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/audit-log/export", get(instance_export))
        .route("/{slug}/settings/audit-log/export", get(workspace_export))
}

/// The export form's fields, all text as a form sends them.
#[derive(Debug, Deserialize)]
pub struct ExportForm {
    format: String,
    #[serde(default)]
    workspace: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    resource: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

impl ExportForm {
    fn read(self) -> Result<(AuditFilter, ExportFormat), AppError> {
        let format = ExportFormat::parse(&self.format)?;
        let resource = match self.resource.trim() {
            "" => None,
            id => Some(id.parse().map_err(|_| AppError::ResourceNotFound)?),
        };
        let filter = AuditFilter {
            workspace: self.workspace,
            actor: self.actor,
            target: self.target,
            action: self.action,
            resource,
            from: self.from,
            to: self.to,
        };
        Ok((filter, format))
    }
}

async fn workspace_export(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Extension(current): Extension<CurrentUser>,
    Query(form): Query<ExportForm>,
) -> Response {
    let started = async {
        let user = current.0.ok_or(AppError::NotSignedIn)?;
        let actor = access::actor_in(&state, user, Credential::Session, &slug).await?;
        let (filter, format) = form.read()?;
        let query = operations::workspace_query(&actor, &filter)?;
        operations::record_export(&state, &Reader::Workspace(actor), &filter, format).await?;
        Ok(download(&state, query, format, &slug))
    };
    started.await.unwrap_or_else(refusal)
}

async fn instance_export(
    State(state): State<AppState>,
    Extension(current): Extension<CurrentUser>,
    Query(form): Query<ExportForm>,
) -> Response {
    let started = async {
        let user = current.0.ok_or(AppError::NotSignedIn)?;
        let caller = Caller {
            user,
            credential: Credential::Session,
        };
        let (filter, format) = form.read()?;
        let query = operations::instance_query(&state, &caller, &filter).await?;
        operations::record_export(&state, &Reader::Instance(caller), &filter, format).await?;
        Ok(download(&state, query, format, "instance"))
    };
    started.await.unwrap_or_else(refusal)
}

fn download(state: &AppState, query: EventQuery, format: ExportFormat, name: &str) -> Response {
    let db = state.db.clone();
    app::exports::download(
        &format!("audit-log-{name}.{}", format.extension()),
        format.content_type(),
        ExportPosition::Start,
        move |position| {
            let (db, query) = (db.clone(), query.clone());
            async move { operations::export_batch(&db, &query, format, position).await }
        },
    )
}

/// A refused or failed export: its status and its one message, as plain text.
fn refusal(error: AppError) -> Response {
    let status =
        StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, error.to_string()).into_response()
}
