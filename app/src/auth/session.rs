//! Server-side sessions: the browser holds a random token in an HttpOnly cookie, the
//! database holds its hash. Sessions live in the database rather than in a
//! session-middleware store because Gatehouse must be able to end every session of one
//! user at once (archiving, password resets), which needs them queryable by user.

use std::time::Duration;

use cookie::{Cookie, SameSite};
use http::HeaderMap;
use http::header::COOKIE;

use super::SignedInUser;
use crate::config::Config;
use crate::db::{Db, now};
use crate::error::AppError;
use crate::tokens::SecretToken;

pub use crate::access::CurrentUser;

/// `__Host-` binds the cookie to this exact origin, but browsers accept it only over https.
pub fn cookie_name(config: &Config) -> &'static str {
    if config.secure_cookies() {
        "__Host-gatehouse_session"
    } else {
        "gatehouse_session"
    }
}

pub fn token_from_headers(headers: &HeaderMap, config: &Config) -> Option<SecretToken> {
    let name = cookie_name(config);
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .map(|cookie| SecretToken::from_browser(cookie.value()))
}

pub fn set_cookie_header(token: &SecretToken, config: &Config) -> String {
    session_cookie(token.expose().to_string(), config.session_ttl, config)
}

pub fn clear_cookie_header(config: &Config) -> String {
    session_cookie(String::new(), Duration::ZERO, config)
}

fn session_cookie(value: String, max_age: Duration, config: &Config) -> String {
    Cookie::build((cookie_name(config), value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(config.secure_cookies())
        .max_age(cookie::time::Duration::seconds(max_age.as_secs() as i64))
        .build()
        .to_string()
}

/// Starts a session for `user_id`, clearing out sessions that have expired meanwhile.
pub async fn start(db: &Db, user_id: i64, ttl: Duration) -> Result<SecretToken, AppError> {
    let token = SecretToken::generate()?;
    let now = now();
    sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(db)
        .await?;
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token.hash())
    .bind(user_id)
    .bind(now)
    .bind(now + ttl.as_secs() as i64)
    .execute(db)
    .await?;
    Ok(token)
}

/// The user behind a token, if the session is live and the account isn't archived.
pub async fn resolve(db: &Db, token: &SecretToken) -> Result<Option<SignedInUser>, AppError> {
    let row: Option<(i64, String, String, i64)> = sqlx::query_as(
        "SELECT u.id, u.email, u.full_name, u.is_super_admin
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.status <> 'archived'",
    )
    .bind(token.hash())
    .bind(now())
    .fetch_optional(db)
    .await?;
    Ok(
        row.map(|(id, email, full_name, is_super_admin)| SignedInUser {
            id,
            email,
            full_name,
            is_super_admin: is_super_admin == 1,
        }),
    )
}

pub async fn end(db: &Db, token: &SecretToken) -> Result<(), AppError> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token.hash())
        .execute(db)
        .await?;
    Ok(())
}

/// Ends every session of a user, in every browser, and revokes their access tokens.
pub async fn end_all(conn: &mut sqlx::AnyConnection, user_id: i64) -> Result<(), AppError> {
    end_all_but(conn, user_id, None).await
}

/// Ends every session of a user except `keep`, and revokes their access tokens: what
/// someone else's reset of their password or their archiving does.
pub async fn end_all_but(
    conn: &mut sqlx::AnyConnection,
    user_id: i64,
    keep: Option<&SecretToken>,
) -> Result<(), AppError> {
    end_others(&mut *conn, user_id, keep).await?;
    crate::access_tokens::store::revoke_all_of(conn, user_id, now()).await
}

/// Ends every session of a user except `keep`, as after a password change.
pub async fn end_others(
    conn: &mut sqlx::AnyConnection,
    user_id: i64,
    keep: Option<&SecretToken>,
) -> Result<(), AppError> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user_id)
        .bind(keep.map(SecretToken::hash).unwrap_or_default())
        .execute(conn)
        .await?;
    Ok(())
}
