//! What every request handler shares. Everything that must agree across several server
//! instances lives in the database; the one thing an instance keeps for itself, computed
//! permissions, it takes only while the database's permissions version says they are
//! current.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::config::Config;
use crate::db::Db;
use crate::error::AppError;
use crate::metadata::crypto::Keyring;
use crate::permissions::cache::PermissionsCache;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub leptos_options: LeptosOptions,
    pub keys: Arc<Keyring>,
    /// Wakes this instance's mail delivery when it has queued mail; instances also look
    /// for due mail on their own, so mail queued by another instance goes out too.
    pub mail_queued: Arc<tokio::sync::Notify>,
    pub permissions: Arc<PermissionsCache>,
}

impl AppState {
    pub fn new(
        db: Db,
        config: Arc<Config>,
        leptos_options: LeptosOptions,
        keys: Arc<Keyring>,
    ) -> AppState {
        AppState {
            db,
            config,
            leptos_options,
            keys,
            mail_queued: Arc::new(tokio::sync::Notify::new()),
            permissions: Arc::new(PermissionsCache::new()),
        }
    }

    /// The state benchmarks and tests call the operations with: the default
    /// configuration and the test keyring.
    #[cfg(feature = "test-support")]
    pub fn for_tests(db: Db) -> AppState {
        AppState::new(
            db,
            Arc::new(Config::from_lookup(|_| None).expect("the default configuration")),
            LeptosOptions::builder().output_name("gatehouse").build(),
            Arc::new(crate::db::testing::test_keyring()),
        )
    }
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
