//! Users in the database.

use sqlx::AnyConnection;

use crate::auth::passwords::StoredHash;
use crate::db::{Db, now};
use crate::error::AppError;

/// What signing in needs to know about an account.
pub struct Credentials {
    pub id: i64,
    pub password_hash: Option<StoredHash>,
    pub archived: bool,
}

pub async fn find_credentials(db: &Db, email: &str) -> Result<Option<Credentials>, AppError> {
    let row: Option<(i64, Option<String>, String)> =
        sqlx::query_as("SELECT id, password_hash, status FROM users WHERE email = $1")
            .bind(email)
            .fetch_optional(db)
            .await?;
    Ok(row.map(|(id, password_hash, status)| Credentials {
        id,
        password_hash: password_hash.map(StoredHash),
        archived: status == "archived",
    }))
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub full_name: &'a str,
    pub password_hash: Option<&'a StoredHash>,
    pub is_super_admin: bool,
    pub default_workspace_id: Option<i64>,
}

pub async fn insert(conn: &mut AnyConnection, user: NewUser<'_>) -> Result<i64, AppError> {
    let now = now();
    let id = sqlx::query_scalar(
        "INSERT INTO users
            (email, full_name, password_hash, is_super_admin, status, default_workspace_id,
             created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'active', $5, $6, $6)
         RETURNING id",
    )
    .bind(user.email)
    .bind(user.full_name)
    .bind(user.password_hash.map(|hash| hash.0.clone()))
    .bind(i64::from(user.is_super_admin))
    .bind(user.default_workspace_id)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(id)
}
