//! `gatehouse`: serves Gatehouse on the configured address.
//!
//! `gatehouse rotate-key` seals every metadata value, workspace constant and data source
//! configuration under a new master key while the servers keep running (see the README).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use app::config::{Config, ConfigError};
use app::db::{Backend, ConnectError};
use app::error::AppError;
use app::mail::delivery::{Mailer, MailerError};
use app::metadata::crypto::{CryptoError, KeyOrigin, Keyring};
use app::metadata::store::{Rotation, RotationProgress, SealedKind};
use app::setup::store::{Bootstrap, set_up_from_config};
use app::state::AppState;
use indicatif::{HumanCount, ProgressBar, ProgressStyle};
use secrecy::ExposeSecret;
use tracing_subscriber::EnvFilter;

#[derive(Debug, thiserror::Error)]
enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("could not create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("could not read the leptos site configuration: {0}")]
    Site(String),
    #[error(transparent)]
    Database(#[from] ConnectError),
    #[error("master key: {0}")]
    Keys(#[from] CryptoError),
    #[error(transparent)]
    Mailer(#[from] MailerError),
    #[error("could not re-encrypt the sealed values: {0}")]
    Rotation(AppError),
    #[error("unknown command {0:?}; run without arguments to serve, or with rotate-key")]
    UnknownCommand(String),
    #[error(
        "could not create the admin from GATEHOUSE_ADMIN_EMAIL and GATEHOUSE_ADMIN_PASSWORD: {0}"
    )]
    Bootstrap(AppError),
    #[error("could not listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    init_logging();
    let outcome = match std::env::args().nth(1).as_deref() {
        None => serve().await,
        Some("rotate-key") => rotate_key().await,
        Some(other) => Err(StartError::UnknownCommand(other.to_string())),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            ExitCode::FAILURE
        }
    }
}

/// `RUST_LOG` filters (default `info`); `GATEHOUSE_LOG_FORMAT=json` writes JSON lines.
fn init_logging() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt().with_env_filter(filter);
    if std::env::var("GATEHOUSE_LOG_FORMAT").is_ok_and(|format| format == "json") {
        logs.json().init();
    } else {
        logs.init();
    }
}

/// The configuration, the data directory, the database and the master keys: what both
/// serving and rotating keys start from.
async fn open() -> Result<(Config, app::db::Db, Keyring), StartError> {
    let config = Config::from_env()?;
    std::fs::create_dir_all(&config.data_dir).map_err(|source| StartError::DataDir {
        path: config.data_dir.display().to_string(),
        source,
    })?;
    // The URL may hold a password, so only the kind of database is logged.
    let database_url = config.database_url.expose_secret();
    tracing::info!(backend = ?Backend::of_url(database_url), "opening the database");
    let db = app::db::connect(database_url, config.database_max_connections).await?;
    let (keys, origin) = Keyring::from_config(&config)?;
    match origin {
        KeyOrigin::Environment => {
            tracing::info!(key_id = %keys.current_key_id(), "master key from GATEHOUSE_MASTER_KEY");
        }
        KeyOrigin::KeyFile {
            path,
            generated: true,
        } => {
            tracing::warn!(
                path = %path.display(),
                key_id = %keys.current_key_id(),
                "generated a new master key file; back it up, as metadata can't be read without it"
            );
        }
        KeyOrigin::KeyFile {
            path,
            generated: false,
        } => {
            tracing::info!(path = %path.display(), key_id = %keys.current_key_id(), "master key from the key file");
        }
    }
    if config.key_file_beside_database() {
        tracing::warn!(
            key_file = %config.master_key_file.display(),
            "the master key file is in the same directory as the SQLite database, so a copy \
             of that directory holds both the sealed values and their key; move the key \
             (GATEHOUSE_MASTER_KEY_FILE) or give it as GATEHOUSE_MASTER_KEY (see the README)"
        );
    }
    Ok((config, db, keys))
}

/// How often each instance adds the values it sealed to the master keys' counts.
const KEY_USAGE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(60);

/// Adds this instance's seals to the master keys' counts and warns about worn keys.
async fn count_key_usage(db: &app::db::Db, keys: &Keyring) {
    use app::metadata::crypto::{ENCRYPTIONS_PER_KEY_LIMIT, KeyWear};
    match app::metadata::store::count_key_usage(db, keys).await {
        Ok(usage) => {
            for key in usage {
                let limit = ENCRYPTIONS_PER_KEY_LIMIT;
                match KeyWear::of(key.encryptions) {
                    KeyWear::Fresh => {}
                    KeyWear::RotateSoon => tracing::warn!(
                        key_id = %key.key_id, encryptions = key.encryptions, limit,
                        "a master key has sealed a quarter of what AES-GCM allows; rotate it soon (gatehouse rotate-key)"
                    ),
                    KeyWear::RotateNow => tracing::error!(
                        key_id = %key.key_id, encryptions = key.encryptions, limit,
                        "a master key has sealed half of what AES-GCM allows; rotate it now (gatehouse rotate-key)"
                    ),
                }
            }
        }
        Err(error) => tracing::error!(%error, "could not count the master keys' use"),
    }
}

/// Seals every sealed value under a new key. With a key file, a new key is added at
/// its head; with GATEHOUSE_MASTER_KEY, the operator has already put the new key there
/// and the old one in GATEHOUSE_PREVIOUS_MASTER_KEYS. Shows its progress on stderr and
/// ends with a summary on stdout.
async fn rotate_key() -> Result<(), StartError> {
    let (_config, db, keys) = open().await?;
    if let Some(key_id) = keys.add_key_to_file()? {
        tracing::info!(%key_id, "added a new master key to the key file");
    }
    let started = Instant::now();
    let bar = RotationBar::new();
    let rotation =
        match app::metadata::store::rotate(&db, &keys, &|progress| bar.show(progress)).await {
            Ok(rotation) => rotation,
            Err(error) => {
                bar.abandon();
                return Err(StartError::Rotation(error));
            }
        };
    let took = started.elapsed();
    bar.finish_and_clear();
    count_key_usage(&db, &keys).await;
    tracing::info!(
        resealed = rotation.resealed,
        resource_secrets = rotation.resource_secrets,
        key_id = %keys.current_key_id(),
        "every metadata value, workspace constant and data source configuration is sealed under the current key"
    );
    println!(
        "{}",
        rotation_summary(&rotation, &keys.current_key_id(), took)
    );
    Ok(())
}

/// `rotate-key`'s progress bar: one kind of sealed value at a time, with its own count
/// and ETA. It draws on stderr, and nothing at all when stderr isn't a terminal, so
/// that logs (scripts/chaos.py's, say) hold only the log lines and the summary.
struct RotationBar {
    style: ProgressStyle,
    /// The bar of the kind being resealed. A kind with nothing to reseal gets none, so
    /// that it doesn't flash an empty bar by.
    current: Mutex<Option<(SealedKind, ProgressBar)>>,
}

impl RotationBar {
    const TEMPLATE: &str = "Resealing {msg:<26} [{wide_bar}] {pos}/{len} (ETA {eta})";

    fn new() -> Self {
        // The template is ours and tested below; should it ever fail to parse, a plain
        // bar still beats failing the rotation.
        let style = ProgressStyle::with_template(Self::TEMPLATE)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        RotationBar {
            style,
            current: Mutex::new(None),
        }
    }

    fn show(&self, progress: RotationProgress) {
        // A panic while drawing would poison the lock; the bar it holds is still right.
        let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        let showing_this_kind = matches!(&*current, Some((kind, _)) if *kind == progress.kind);
        if !showing_this_kind {
            if let Some((_, finished)) = current.take() {
                finished.finish_and_clear();
            }
            if progress.total == 0 {
                return;
            }
            // A fresh bar rather than the last one reset: each kind's ETA comes from its
            // own pace, and nothing is drawn until it has its label and length.
            let bar = ProgressBar::new(progress.total)
                .with_style(self.style.clone())
                .with_message(bar_label(progress.kind));
            *current = Some((progress.kind, bar));
        }
        if let Some((_, bar)) = &*current {
            bar.set_length(progress.total);
            bar.set_position(progress.done);
        }
    }

    /// Leaves the bar where it stopped: worth seeing beside the error that follows.
    fn abandon(&self) {
        let current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, bar)) = &*current {
            bar.abandon();
        }
    }

    fn finish_and_clear(&self) {
        let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, bar)) = current.take() {
            bar.finish_and_clear();
        }
    }
}

/// What the progress bar calls a kind: short, to leave the bar room on the line.
fn bar_label(kind: SealedKind) -> &'static str {
    match kind {
        SealedKind::MetadataValues => "metadata values",
        SealedKind::ResourceSecrets => "constants and data sources",
        SealedKind::MailBodies => "waiting mail bodies",
        SealedKind::ScimDocuments => "SCIM documents",
        SealedKind::ClientSecrets => "SSO client secrets",
    }
}

/// `count` values of `kind` in words, with thousands separators: "12,345 metadata values".
fn counted(kind: SealedKind, count: u64) -> String {
    let (one, many) = match kind {
        SealedKind::MetadataValues => ("metadata value", "metadata values"),
        SealedKind::ResourceSecrets => (
            "workspace constant or data source configuration",
            "workspace constants and data source configurations",
        ),
        SealedKind::MailBodies => ("waiting mail body", "waiting mail bodies"),
        SealedKind::ScimDocuments => ("SCIM document", "SCIM documents"),
        SealedKind::ClientSecrets => (
            "identity provider client secret",
            "identity provider client secrets",
        ),
    };
    let noun = if count == 1 { one } else { many };
    format!("{} {noun}", HumanCount(count))
}

/// The line `rotate-key` ends with: what it resealed of each kind, under which key, and
/// how long it took.
fn rotation_summary(rotation: &Rotation, key_id: &str, took: Duration) -> String {
    let seconds = took.as_secs_f64();
    let resealed: Vec<String> = SealedKind::ALL
        .into_iter()
        .map(|kind| (kind, rotation.resealed_of(kind)))
        .filter(|&(_, count)| count > 0)
        .map(|(kind, count)| counted(kind, count))
        .collect();
    match resealed.as_slice() {
        [] => {
            format!("Nothing to reseal: every value is sealed under key {key_id} ({seconds:.1} s).")
        }
        [only] => format!("Resealed {only} under key {key_id} in {seconds:.1} s."),
        [first @ .., last] => format!(
            "Resealed {} and {last} under key {key_id} in {seconds:.1} s.",
            first.join(", ")
        ),
    }
}

fn hash_file_beside_binary(name: &str) -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|binary| binary.parent().map(|folder| folder.join(name).is_file()))
        .unwrap_or(false)
}

async fn serve() -> Result<(), StartError> {
    let (config, db, keys) = open().await?;
    let mut leptos_options = leptos::config::get_configuration(None)
        .map_err(|error| StartError::Site(error.to_string()))?
        .leptos_options;
    // `scripts/build.sh` names the browser files by their hashes and lists them beside
    // the binary; pages then refer to those names.
    leptos_options.hash_files |= hash_file_beside_binary(&leptos_options.hash_file);
    if let Some(admin) = &config.bootstrap_admin {
        match set_up_from_config(&db, admin)
            .await
            .map_err(StartError::Bootstrap)?
        {
            Bootstrap::Created { workspace_slug } => {
                tracing::info!(email = %admin.email, workspace = %workspace_slug, "created the first super admin");
            }
            Bootstrap::AlreadySetUp => {
                tracing::info!("instance already set up; GATEHOUSE_ADMIN_EMAIL is ignored");
            }
        }
    }

    let addr = config.listen_addr;
    let public_url = config.public_url.to_string();
    let keys = Arc::new(keys);
    // Mail queued before bodies were sealed is sealed now.
    match app::mail::store::seal_stored_bodies(&db, &keys, &|_| {}).await {
        Ok(0) => {}
        Ok(sealed) => tracing::info!(sealed, "sealed the bodies of waiting mail"),
        Err(error) => tracing::error!(%error, "could not seal the bodies of waiting mail"),
    }
    count_key_usage(&db, &keys).await;
    tokio::spawn({
        let (db, keys) = (db.clone(), keys.clone());
        async move {
            loop {
                tokio::time::sleep(KEY_USAGE_INTERVAL).await;
                count_key_usage(&db, &keys).await;
            }
        }
    });
    let mail_queued = Arc::new(tokio::sync::Notify::new());
    match Mailer::from_config(&config)? {
        Some(mailer) => {
            tracing::info!("delivering mail over SMTP");
            tokio::spawn(app::mail::delivery::run(
                db.clone(),
                keys.clone(),
                mailer,
                mail_queued.clone(),
            ));
        }
        None => tracing::info!("no GATEHOUSE_SMTP_URL: mail is held in the outbox under Settings"),
    }
    let state = AppState {
        mail_queued,
        ..AppState::new(db.clone(), Arc::new(config), leptos_options, keys.clone())
    };
    tokio::spawn(prune_audit_events(state.clone()));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Listen { addr, source })?;
    tracing::info!(%addr, %public_url, "Gatehouse is listening");
    let served = axum::serve(
        listener,
        server::router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await;
    count_key_usage(&db, &keys).await;
    served.map_err(|source| StartError::Listen { addr, source })
}

/// How often each instance deletes the audit events past the retention period.
const AUDIT_PRUNING_INTERVAL: std::time::Duration = std::time::Duration::from_secs(3600);

async fn prune_audit_events(state: AppState) {
    loop {
        if let Err(error) = app::audit::operations::prune_expired(&state).await {
            tracing::error!(%error, "could not prune expired audit events");
        }
        tokio::time::sleep(AUDIT_PRUNING_INTERVAL).await;
    }
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_progress_bar_template_parses() {
        assert!(ProgressStyle::with_template(RotationBar::TEMPLATE).is_ok());
    }

    #[test]
    fn the_summary_counts_each_kind_resealed_with_thousands_separators() {
        let rotation = Rotation {
            resealed: 12_413,
            metadata_values: 12_345,
            resource_secrets: 67,
            client_secrets: 1,
            ..Rotation::default()
        };
        assert_eq!(
            rotation_summary(&rotation, "k2", Duration::from_millis(3_240)),
            "Resealed 12,345 metadata values, 67 workspace constants and data source \
             configurations and 1 identity provider client secret under key k2 in 3.2 s."
        );
        assert_eq!(
            rotation_summary(&Rotation::default(), "k2", Duration::from_millis(40)),
            "Nothing to reseal: every value is sealed under key k2 (0.0 s)."
        );
    }
}
