//! Password hashing with Argon2id (the `argon2` crate's defaults: 19 MiB, 2 passes).

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use tokio::sync::oneshot;

use crate::error::AppError;

/// A stored hash in PHC string form. Not `Serialize`: it never travels to a browser.
#[derive(Clone)]
pub struct StoredHash(pub String);

/// Compared against when an account has no password, so that a wrong email costs as much
/// time as a wrong password and response times don't reveal which accounts exist.
static DECOY: LazyLock<Option<String>> = LazyLock::new(|| {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(b"decoy password", &salt)
        .map(|hash| hash.to_string())
        .ok()
});

/// The threads that hash: one fewer than there are cores, at least one, each at the lowest
/// scheduling priority; further hashes wait their turn. Each hash takes 19 MiB and a core
/// for tens of milliseconds, so without a bound anyone able to reach the sign-in endpoint
/// could exhaust the server's memory. With a thread per core, sign-ins kept busy took the
/// list of members from 2,500 to 660 requests a second and its p99 from 13 to 55 ms; at
/// the normal priority, the one thread still took PostgreSQL's list from 1,677 to 948
/// requests a second (`scripts/load-test.sh`, two cores). At the lowest, hashing runs when
/// every other request has had its turn.
static HASHERS: LazyLock<Option<rayon::ThreadPool>> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, |cores| cores.get());
    rayon::ThreadPoolBuilder::new()
        .num_threads(cores.saturating_sub(1).max(1))
        .thread_name(|n| format!("password-hashing-{n}"))
        .start_handler(|_| {
            let lowered =
                thread_priority::set_current_thread_priority(thread_priority::ThreadPriority::Min);
            if let Err(error) = lowered {
                tracing::warn!(?error, "password hashing runs at the normal priority");
            }
        })
        // Without a handler, a panic in a spawned job would end the process; here it
        // ends that one hash, whose request then answers with an internal error.
        .panic_handler(|_| tracing::error!("password hashing panicked"))
        .build()
        .map_err(|error| tracing::error!(%error, "no password hashing threads"))
        .ok()
});

async fn off_the_runtime<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    let hashers = HASHERS.as_ref().ok_or(AppError::Internal)?;
    let (done, result) = oneshot::channel();
    hashers.spawn(move || {
        // The request may have gone; then nobody waits for the answer.
        let _ = done.send(work());
    });
    result.await.map_err(|_| {
        tracing::error!("a password hashing task ended without an answer");
        AppError::Internal
    })
}

/// Hashes off the async runtime: Argon2 is deliberately slow.
pub async fn hash(password: String) -> Result<StoredHash, AppError> {
    off_the_runtime(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| StoredHash(hash.to_string()))
    })
    .await?
    .map_err(|error| {
        tracing::error!(%error, "password hashing failed");
        AppError::Internal
    })
}

/// Whether `password` matches `stored`; an account without a password never matches.
pub async fn verify(password: String, stored: Option<StoredHash>) -> bool {
    off_the_runtime(move || {
        let (candidate, real) = match &stored {
            Some(StoredHash(hash)) => (hash.as_str(), true),
            None => (DECOY.as_deref().unwrap_or_default(), false),
        };
        let matches = PasswordHash::new(candidate)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        real && matches
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let stored = hash("correct horse battery".into()).await.unwrap();
        assert!(stored.0.starts_with("$argon2id$"));
        assert!(verify("correct horse battery".into(), Some(stored.clone())).await);
        assert!(!verify("Correct horse battery".into(), Some(stored)).await);
    }

    #[tokio::test]
    async fn the_same_password_hashes_differently_each_time() {
        let first = hash("same password".into()).await.unwrap();
        let second = hash("same password".into()).await.unwrap();
        assert_ne!(first.0, second.0);
    }

    #[tokio::test]
    async fn no_password_never_verifies_not_even_the_decoy() {
        assert!(!verify("decoy password".into(), None).await);
        assert!(!verify(String::new(), None).await);
    }

    #[tokio::test]
    async fn a_corrupt_stored_hash_does_not_verify() {
        assert!(!verify("x".into(), Some(StoredHash("not a hash".into()))).await);
    }
}
