//! The REST admin API at `/api/v1`: the same operations as the pages, for scripts and
//! other systems, authenticated by personal access tokens. Its OpenAPI 3.1 document is
//! generated from the handlers below and served at `/api/v1/openapi.json`, with a docs
//! page at `/api/docs`.

mod auth;
pub mod error;
mod groups;
mod instance;
mod members;
mod resources;
mod vocabulary;
mod workspaces;

use std::sync::Arc;

use app::error::AppError;
use app::state::AppState;
use axum::Router;
use axum::extract::{FromRef, Request, State};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use auth::{TokenLimiter, bearer_secret};

/// Where the document and the docs page are served.
pub const DOCUMENT_PATH: &str = "/api/v1/openapi.json";
pub const DOCS_PATH: &str = "/api/docs";

#[derive(Clone)]
pub struct ApiState {
    pub app: AppState,
    pub limiter: Arc<TokenLimiter>,
}

impl FromRef<ApiState> for AppState {
    fn from_ref(state: &ApiState) -> AppState {
        state.app.clone()
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Gatehouse admin API",
        version = "1",
        description = "Users, groups and permissions of Gatehouse workspaces. Authenticate with a personal access token from your Profile: `Authorization: Bearer gatehouse_pat_…`. A token acts within its scopes and never beyond its owner's current rights. Every failure answers `{code, message, details}`."
    ),
    modifiers(&TokenSecurity),
    tags(
        (name = "workspaces", description = "The workspaces the token's owner belongs to"),
        (name = "members", description = "A workspace's members"),
        (name = "groups", description = "Role groups and custom groups"),
        (name = "resources", description = "Apps, folders, workspace constants and data sources, as the token's owner's groups allow"),
        (name = "audit", description = "The audit trail"),
        (name = "instance", description = "The instance's users, for super admins"),
    )
)]
struct ApiDoc;

struct TokenSecurity;

impl Modify for TokenSecurity {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The API's routes and its document.
fn routes() -> (Router<ApiState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(workspaces::list))
        .routes(routes!(members::list, members::invite))
        .routes(routes!(members::get, members::update, members::remove))
        .routes(routes!(members::archive))
        .routes(routes!(members::unarchive))
        .routes(routes!(members::invitation_link))
        .routes(routes!(members::permissions))
        .routes(routes!(groups::list, groups::create))
        .routes(routes!(groups::get, groups::rename, groups::delete))
        .routes(routes!(groups::add_member, groups::remove_member))
        .routes(routes!(groups::set_flag))
        .routes(routes!(groups::add_rule))
        .routes(routes!(groups::replace_rule, groups::delete_rule))
        .routes(routes!(groups::duplicate))
        .routes(routes!(resources::apps, resources::create_app))
        .routes(routes!(
            resources::app,
            resources::update_app,
            resources::delete_app
        ))
        .routes(routes!(resources::app_versions, resources::release_app))
        .routes(routes!(resources::create_folder))
        .routes(routes!(
            resources::folder,
            resources::rename_folder,
            resources::delete_folder
        ))
        .routes(routes!(resources::constants, resources::create_constant))
        .routes(routes!(
            resources::constant,
            resources::set_constant_value,
            resources::delete_constant
        ))
        .routes(routes!(
            resources::data_sources,
            resources::create_data_source
        ))
        .routes(routes!(
            resources::data_source,
            resources::configure_data_source,
            resources::delete_data_source
        ))
        .routes(routes!(workspaces::trail))
        .routes(routes!(workspaces::tokens))
        .routes(routes!(instance::users))
        .split_for_parts()
}

/// The OpenAPI document, as served.
pub fn document() -> utoipa::openapi::OpenApi {
    routes().1
}

/// The API, its document and the docs page, ready to merge into the server's router.
pub fn router<S: Clone + Send + Sync + 'static>(state: AppState) -> Router<S> {
    let limiter = auth::limiter(state.config.api_requests_per_minute);
    let (api, document) = routes();
    let docs: Router<S> = utoipa_swagger_ui::SwaggerUi::new(DOCS_PATH)
        .url(DOCUMENT_PATH, document)
        .into();
    let state = ApiState {
        app: state,
        limiter,
    };
    api.layer(from_fn_with_state(state.clone(), record_refusals))
        .with_state(state)
        .merge(docs)
}

/// Records in the audit trail each request a token's owner was refused (a scope or role
/// missing, a workspace they aren't in), as the server functions' refusals are.
async fn record_refusals(
    State(state): State<ApiState>,
    mut request: Request,
    next: Next,
) -> Response {
    let slot = auth::CallerSlot::default();
    request.extensions_mut().insert(slot.clone());
    let endpoint = format!("{} {}", request.method(), request.uri().path());
    let response = next.run(request).await;
    if let (Some(error::Refused(error)), Some(actor_user_id)) = (
        response.extensions().get::<error::Refused>(),
        slot.user_id(),
    ) {
        let workspace_slug = endpoint
            .split('/')
            .skip_while(|segment| *segment != "workspaces")
            .nth(1);
        let refusal = app::audit::Refusal {
            actor_user_id,
            endpoint: &endpoint,
            error,
            workspace_slug,
            target_user_id: None,
            resources: &[],
        };
        if let Err(failure) = app::audit::record_refusal(&state.app.db, refusal).await {
            tracing::error!(%failure, "could not record a refused API request");
        }
    }
    response
}

/// A page limit from a query: `default` 50, at most `max`.
fn page_limit(limit: Option<i64>, max: i64) -> Result<i64, AppError> {
    match limit {
        None => Ok(50.min(max)),
        Some(limit) if (1..=max).contains(&limit) => Ok(limit),
        Some(_) => Err(AppError::PageLimitOutOfRange { max }),
    }
}

/// A listing's position, opaque to clients so that its form can change.
struct Cursor;

impl Cursor {
    fn encode(key: &str) -> String {
        URL_SAFE_NO_PAD.encode(key.as_bytes())
    }

    fn decode(cursor: &str) -> Result<String, AppError> {
        URL_SAFE_NO_PAD
            .decode(cursor)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .ok_or(AppError::CursorUnreadable)
    }
}
