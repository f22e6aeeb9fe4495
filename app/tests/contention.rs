//! Transactions that lose a race, and a database that can't be reached, become the errors
//! the server acts on: `Busy`, which it runs again (`server/src/retry.rs`), and
//! `DatabaseUnavailable`, a 503 that says so. Both are met here for real.

use std::time::Duration;

use app::db::testing::TestDatabase;
use app::db::{Backend, Failure, begin_write};
use app::error::AppError;

async fn two_users(db: &app::db::Db) {
    for email in ["one@example.com", "two@example.com"] {
        sqlx::query(
            "INSERT INTO users (email, full_name, created_at, updated_at) VALUES ($1, 'x', 0, 0)",
        )
        .bind(email)
        .execute(db)
        .await
        .expect("a user");
    }
}

async fn rename(tx: &mut sqlx::AnyConnection, email: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET full_name = full_name || 'y' WHERE email = $1")
        .bind(email)
        .execute(tx)
        .await
        .map(|_| ())
}

#[tokio::test]
async fn a_deadlock_on_postgres_is_a_lost_race() {
    let database = TestDatabase::of(Backend::Postgres).await;
    let db = database.db.clone();
    two_users(&db).await;
    let mut first = begin_write(&db).await.expect("a transaction");
    let mut second = begin_write(&db).await.expect("another transaction");
    rename(&mut first, "one@example.com")
        .await
        .expect("locks one");
    rename(&mut second, "two@example.com")
        .await
        .expect("locks two");
    // Each now waits for the row the other holds; PostgreSQL ends one of them.
    let (a, b) = tokio::join!(
        rename(&mut first, "two@example.com"),
        rename(&mut second, "one@example.com")
    );
    let error = a
        .err()
        .or(b.err())
        .expect("one of them was chosen as the deadlock's victim");
    assert_eq!(Failure::of(&error), Failure::LostRace, "{error}");
    assert_eq!(AppError::from(error), AppError::Busy);
    drop((first, second));
    database.remove().await;
}

#[tokio::test]
async fn sqlites_write_lock_held_too_long_is_a_lost_race() {
    let database = TestDatabase::of(Backend::Sqlite).await;
    let db = database.db.clone();
    let holder = begin_write(&db).await.expect("the write lock");
    let mut waiter = db.acquire().await.expect("a second connection");
    sqlx::query("PRAGMA busy_timeout = 0")
        .execute(&mut *waiter)
        .await
        .expect("no waiting");
    let error = sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut *waiter)
        .await
        .expect_err("the lock is taken");
    assert_eq!(Failure::of(&error), Failure::LostRace, "{error}");
    assert_eq!(AppError::from(error), AppError::Busy);
    drop((holder, waiter));
    database.remove().await;
}

#[tokio::test]
async fn a_database_nobody_answers_for_is_unavailable_within_seconds() {
    sqlx::any::install_default_drivers();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a port")
        .port();
    // Nothing listens on the port once the listener above is gone.
    let db = sqlx::any::AnyPoolOptions::new()
        .acquire_timeout(Duration::from_millis(500))
        .connect_lazy(&format!("postgres://postgres@127.0.0.1:{port}/test"))
        .expect("a lazy pool");
    let error = sqlx::query("SELECT 1")
        .execute(&db)
        .await
        .expect_err("nobody answers");
    assert_eq!(Failure::of(&error), Failure::Unavailable, "{error}");
    assert_eq!(AppError::from(error), AppError::DatabaseUnavailable);
    assert_eq!(AppError::DatabaseUnavailable.status_code(), 503);
    assert!(!app::db::ping(&db).await);
}

#[test]
fn other_database_errors_stay_faults() {
    assert_eq!(Failure::of(&sqlx::Error::RowNotFound), Failure::Fault);
    assert_eq!(AppError::from(sqlx::Error::RowNotFound), AppError::Internal);
}
