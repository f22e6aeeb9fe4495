//! Sign-in throttling per email and per client address. The counts live in the database
//! so that every server instance behind a load balancer enforces the same limit.

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use http::request::Parts;

use crate::config::SignInLimits;
use crate::db::{Db, now};
use crate::error::AppError;

/// Refuses further attempts once either limit has been reached within the window.
pub fn decide(
    failures_for_email: i64,
    failures_for_address: i64,
    limits: SignInLimits,
) -> Result<(), AppError> {
    if failures_for_email >= i64::from(limits.per_email)
        || failures_for_address >= i64::from(limits.per_address)
    {
        Err(AppError::TooManySignInAttempts {
            minutes: SignInLimits::WINDOW.as_secs() / 60,
        })
    } else {
        Ok(())
    }
}

pub async fn check(
    db: &Db,
    limits: SignInLimits,
    email: &str,
    address: &str,
) -> Result<(), AppError> {
    let since = window_start();
    let (for_email, for_address): (i64, i64) = sqlx::query_as(
        "SELECT
            (SELECT COUNT(*) FROM sign_in_failures WHERE email = $1 AND failed_at > $3),
            (SELECT COUNT(*) FROM sign_in_failures WHERE address = $2 AND failed_at > $3)",
    )
    .bind(email)
    .bind(address)
    .bind(since)
    .fetch_one(db)
    .await?;
    decide(for_email, for_address, limits)
}

pub async fn record_failure(db: &Db, email: &str, address: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM sign_in_failures WHERE failed_at <= $1")
        .bind(window_start())
        .execute(db)
        .await?;
    sqlx::query("INSERT INTO sign_in_failures (email, address, failed_at) VALUES ($1, $2, $3)")
        .bind(email)
        .bind(address)
        .bind(now())
        .execute(db)
        .await?;
    Ok(())
}

/// A successful sign-in forgives the email's earlier mistakes (not the address's).
pub async fn forgive(db: &Db, email: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM sign_in_failures WHERE email = $1")
        .bind(email)
        .execute(db)
        .await?;
    Ok(())
}

fn window_start() -> i64 {
    now() - SignInLimits::WINDOW.as_secs() as i64
}

/// The client's address: the connecting peer, or behind a trusted proxy the last hop
/// that proxy appended to `X-Forwarded-For`.
pub fn client_address(parts: &Parts, trust_proxy: bool) -> String {
    let forwarded = trust_proxy
        .then(|| parts.headers.get("x-forwarded-for"))
        .flatten()
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.rsplit(',').next())
        .map(|hop| hop.trim().to_string())
        .filter(|hop| !hop.is_empty());
    forwarded
        .or_else(|| {
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(peer)| peer.ip().to_string())
        })
        .unwrap_or_else(|| "unknown".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: SignInLimits = SignInLimits {
        per_email: 3,
        per_address: 5,
    };

    #[test]
    fn attempts_pass_below_both_limits() {
        assert_eq!(decide(0, 0, LIMITS), Ok(()));
        assert_eq!(decide(2, 4, LIMITS), Ok(()));
    }

    #[test]
    fn either_limit_stops_further_attempts() {
        let refused = Err(AppError::TooManySignInAttempts { minutes: 15 });
        assert_eq!(decide(3, 0, LIMITS), refused);
        assert_eq!(decide(0, 5, LIMITS), refused);
    }

    fn parts(forwarded: Option<&str>, peer: Option<&str>) -> Parts {
        let mut request = http::Request::builder();
        if let Some(value) = forwarded {
            request = request.header("x-forwarded-for", value);
        }
        let (mut parts, ()) = request.body(()).unwrap().into_parts();
        if let Some(peer) = peer {
            parts
                .extensions
                .insert(ConnectInfo::<SocketAddr>(peer.parse().unwrap()));
        }
        parts
    }

    #[test]
    fn the_peer_address_is_used_unless_a_proxy_is_trusted() {
        let parts = parts(Some("203.0.113.9"), Some("10.0.0.2:5000"));
        assert_eq!(client_address(&parts, false), "10.0.0.2");
        assert_eq!(client_address(&parts, true), "203.0.113.9");
    }

    #[test]
    fn behind_a_proxy_the_last_hop_counts_not_what_the_client_claims() {
        let parts = parts(Some("1.2.3.4, 203.0.113.9"), Some("10.0.0.2:5000"));
        assert_eq!(client_address(&parts, true), "203.0.113.9");
    }

    #[test]
    fn a_missing_address_is_still_a_bucket() {
        assert_eq!(client_address(&parts(None, None), true), "unknown");
    }
}
