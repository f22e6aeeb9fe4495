//! Gatehouse's HTTP server: the leptos pages and server functions behind the page gate
//! and request protections, plus a health check for load balancers.

pub mod access_matrix_export;
pub mod api;
pub mod assets;
pub mod audit_export;
pub mod gate;
pub mod protection;
pub mod retry;
pub mod scim;
pub mod sso;

use app::state::AppState;
use app::{App, shell};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::ServeFile;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

/// The largest request body read. Server functions would otherwise read a body of any
/// size into memory; the largest legitimate one is a bulk-invite file of 1 MiB, which
/// JSON encoding can make at most about twice as long.
pub const MAX_REQUEST_BYTES: usize = 2 * app::users::bulk_invite::MAX_FILE_BYTES + 64 * 1024;

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            protection::provide_page_policy();
        }
    };
    let render = {
        let options = state.leptos_options.clone();
        move || shell(options.clone())
    };
    // Files at the site root would otherwise be taken for a workspace's `/{slug}`.
    let favicon = ServeFile::new(format!("{}/favicon.svg", state.leptos_options.site_root));
    Router::new()
        .route("/health", get(health))
        .route(app::users::bulk_invite::SAMPLE_CSV_PATH, get(sample_csv))
        .route_service("/favicon.svg", favicon)
        .merge(assets::router(&state.leptos_options.site_root))
        .merge(api::router(state.clone()))
        .merge(scim::router(state.clone()))
        .merge(sso::router())
        .merge(access_matrix_export::router())
        .merge(audit_export::router())
        .leptos_routes_with_context(&state, routes, context.clone(), render)
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(
            context, shell,
        ))
        // Layers run outside-in: the last one added sees the request first.
        .layer(axum::middleware::from_fn(retry::retry_when_busy))
        .layer(from_fn_with_state(state.clone(), gate::page_gate))
        .layer(from_fn_with_state(state.clone(), protection::record_refusals))
        .layer(from_fn_with_state(state.clone(), protection::resolve_user))
        .layer(from_fn_with_state(state.clone(), protection::same_origin_only))
        .layer(from_fn_with_state(state.clone(), protection::note_source_address))
        .layer(from_fn_with_state(state.clone(), protection::security_headers))
        .layer(RequestBodyLimitLayer::new(MAX_REQUEST_BYTES))
        .layer(
            TraceLayer::new_for_http()
                // The path only, and without tokens: query strings and invitation paths
                // carry them.
                .make_span_with(|request: &axum::extract::Request| {
                    tracing::info_span!("request", method = %request.method(), path = %loggable_path(request.uri().path()))
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

/// A request path as the log may show it: an invitation link's token is a secret.
pub fn loggable_path(path: &str) -> &str {
    if path.starts_with("/invitations/") {
        "/invitations/…"
    } else {
        path
    }
}

/// The sample file of the Add users drawer's Upload CSV file tab.
async fn sample_csv() -> impl axum::response::IntoResponse {
    (
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"gatehouse-users.csv\"",
            ),
        ],
        app::users::bulk_invite::SAMPLE_CSV,
    )
}

/// Ready when the database answers.
async fn health(State(state): State<AppState>) -> StatusCode {
    if app::db::ping(&state.db).await {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    }
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn invitation_tokens_never_reach_the_log() {
        assert_eq!(loggable_path("/invitations/abcdef123"), "/invitations/…");
        assert_eq!(
            loggable_path("/acme/settings/users"),
            "/acme/settings/users"
        );
    }
}
