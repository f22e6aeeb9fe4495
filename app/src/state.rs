//! What every request handler shares. It holds no per-user state: everything that must
//! agree across several server instances lives in the database.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::config::Config;
use crate::db::Db;
use crate::error::AppError;
use crate::metadata::crypto::Keyring;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub leptos_options: LeptosOptions,
    pub keys: Arc<Keyring>,
    /// Wakes this instance's mail delivery when it has queued mail; instances also look
    /// for due mail on their own, so mail queued by another instance goes out too.
    pub mail_queued: Arc<tokio::sync::Notify>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> LeptosOptions {
        state.leptos_options.clone()
    }
}

/// The state, from inside a server function or a page rendered on the server.
pub fn app_state() -> Result<AppState, AppError> {
    leptos::prelude::use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState was not provided to the reactive context");
        AppError::Internal
    })
}
