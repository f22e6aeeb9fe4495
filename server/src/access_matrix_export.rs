//! The access matrix as a CSV download for the signed-in browser: the page's filters,
//! every member and every resource they keep, streamed [`EXPORT_BATCH`] members at a
//! time so that a matrix of a million cells never sits in memory.
//!
//! [`EXPORT_BATCH`]: app::access_matrix::operations::EXPORT_BATCH

use std::sync::Arc;

use app::access::{self, Credential, CurrentUser};
use app::access_matrix::MatrixFilter;
use app::access_matrix::operations;
use app::access_matrix::store::MemberPosition;
use app::error::AppError;
use app::state::AppState;
use axum::Router;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/{slug}/settings/access-matrix/export.csv", get(export))
}

/// The page's filters as its Export CSV link carries them; empty or absent is "all".
#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    group: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    kind: String,
}

impl ExportQuery {
    fn read(&self) -> Result<MatrixFilter, AppError> {
        // A group id that isn't a number names no group of the workspace.
        let group_id = match self.group.trim() {
            "" => None,
            id => Some(id.parse().map_err(|_| AppError::GroupNotFound)?),
        };
        MatrixFilter::parse(group_id, Some(&self.role), Some(&self.kind))
    }
}

async fn export(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Extension(current): Extension<CurrentUser>,
    Query(query): Query<ExportQuery>,
) -> Response {
    let started = async {
        let user = current.0.ok_or(AppError::NotSignedIn)?;
        let actor = access::actor_in(&state, user, Credential::Session, &slug).await?;
        let filter = query.read()?;
        operations::prepare_export(&state, &actor, filter).await
    };
    match started.await {
        Ok(export) => {
            let file_name = export.file_name();
            let export = Arc::new(export);
            app::exports::download(
                &file_name,
                "text/csv; charset=utf-8",
                MemberPosition::Offset(0),
                move |position| {
                    let export = export.clone();
                    async move { export.batch(position).await }
                },
            )
        }
        Err(error) => refusal(&slug, error),
    }
}

/// A refused or failed export: its status and its one message, as plain text, as the
/// audit log's export answers.
fn refusal(slug: &str, error: AppError) -> Response {
    if error.is_refused_authorisation() {
        tracing::warn!(workspace = slug, code = ?error, "access matrix export refused");
    }
    let status =
        StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, error.to_string()).into_response()
}
