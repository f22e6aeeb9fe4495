//! Throttling password checks (sign-in, and the current password on Profile) per email
//! and client address together, and per address. The counts live in the database so
//! that every server instance behind a load balancer enforces the same limit.
//!
//! Each attempt is recorded before the password is checked, and only then are attempts
//! counted: of many concurrent guesses, at most the limit get as far as a password check.
//! A refused attempt is taken back out, so hammering on a closed door keeps nothing
//! closed for longer, and the table holds at most the limit's worth of rows per address
//! within the window (older rows are swept on every attempt).
//!
//! No count is kept per email alone: anyone could then lock any account, a super admin's
//! included, by failing to sign in to it. Many attempts on one email from many addresses
//! only slow that email's password checks down.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::extract::ConnectInfo;
use http::request::Parts;

use crate::config::SignInLimits;
use crate::db::{Db, now};
use crate::error::AppError;

/// Attempts on one email from every address within the window beyond which each further
/// check waits [`SLOWDOWN`]: enough to spoil a guessing campaign spread over many
/// addresses, too little to keep the owner out.
pub const SLOW_AFTER_PER_EMAIL: i64 = 100;
pub const SLOWDOWN: Duration = Duration::from_secs(1);

/// Refuses an attempt that takes the email-and-address count or the address count over
/// its limit.
pub fn decide(
    attempts_for_email_and_address: i64,
    attempts_for_address: i64,
    limits: SignInLimits,
) -> Result<(), AppError> {
    if attempts_for_email_and_address > i64::from(limits.per_email_and_address)
        || attempts_for_address > i64::from(limits.per_address)
    {
        Err(AppError::TooManySignInAttempts {
            minutes: SignInLimits::WINDOW.as_secs() / 60,
        })
    } else {
        Ok(())
    }
}

/// How long a check waits, given the email's attempts from every address.
pub fn slowdown(attempts_for_email: i64) -> Duration {
    if attempts_for_email > SLOW_AFTER_PER_EMAIL {
        SLOWDOWN
    } else {
        Duration::ZERO
    }
}

/// Records an attempt and says whether it may go ahead. Attempts count until the window
/// passes or a successful check [`forgive`]s those of its email and address.
pub async fn attempt(
    db: &Db,
    limits: SignInLimits,
    email: &str,
    address: &str,
) -> Result<(), AppError> {
    let now = now();
    let since = now - SignInLimits::WINDOW.as_secs() as i64;
    sqlx::query("DELETE FROM sign_in_attempts WHERE attempted_at <= $1")
        .bind(since)
        .execute(db)
        .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO sign_in_attempts (email, address, attempted_at) VALUES ($1, $2, $3)
         RETURNING id",
    )
    .bind(email)
    .bind(address)
    .bind(now)
    .fetch_one(db)
    .await?;
    let (for_pair, for_address, for_email): (i64, i64, i64) = sqlx::query_as(
        "SELECT
            (SELECT COUNT(*) FROM sign_in_attempts
             WHERE email = $1 AND address = $2 AND attempted_at > $3),
            (SELECT COUNT(*) FROM sign_in_attempts WHERE address = $2 AND attempted_at > $3),
            (SELECT COUNT(*) FROM sign_in_attempts WHERE email = $1 AND attempted_at > $3)",
    )
    .bind(email)
    .bind(address)
    .bind(since)
    .fetch_one(db)
    .await?;
    if let Err(refused) = decide(for_pair, for_address, limits) {
        sqlx::query("DELETE FROM sign_in_attempts WHERE id = $1")
            .bind(id)
            .execute(db)
            .await?;
        return Err(refused);
    }
    let wait = slowdown(for_email);
    if !wait.is_zero() {
        tracing::warn!(%email, attempts = for_email, "password checks slowed: many attempts on one email");
        tokio::time::sleep(wait).await;
    }
    Ok(())
}

/// A successful check forgives the attempts of its email from its address: not those
/// from other addresses, nor other emails' from this one.
pub async fn forgive(db: &Db, email: &str, address: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM sign_in_attempts WHERE email = $1 AND address = $2")
        .bind(email)
        .bind(address)
        .execute(db)
        .await?;
    Ok(())
}

/// The client's address: the connecting peer, or behind a trusted proxy the last hop
/// that proxy appended to `X-Forwarded-For`. IPv6 clients are counted by their /64
/// network, since one host commonly holds a whole /64.
pub fn client_address(parts: &Parts, trust_proxy: bool) -> String {
    client_ip(parts, trust_proxy).map_or_else(|| "unknown".to_string(), throttling_bucket)
}

/// The client's IP address as it connected: the peer, or behind a trusted proxy the last
/// hop that proxy appended to `X-Forwarded-For`.
pub fn client_ip(parts: &Parts, trust_proxy: bool) -> Option<IpAddr> {
    let forwarded = trust_proxy
        .then(|| parts.headers.get("x-forwarded-for"))
        .flatten()
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.rsplit(',').next())
        .and_then(|hop| hop.trim().parse::<IpAddr>().ok());
    forwarded.or_else(|| {
        parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(peer)| peer.ip())
    })
}

fn throttling_bucket(address: IpAddr) -> String {
    match address.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let [a, b, c, d, ..] = v6.segments();
            format!("{a:x}:{b:x}:{c:x}:{d:x}::/64")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: SignInLimits = SignInLimits {
        per_email_and_address: 3,
        per_address: 5,
    };

    #[test]
    fn attempts_up_to_both_limits_go_ahead() {
        assert_eq!(decide(1, 1, LIMITS), Ok(()));
        assert_eq!(decide(3, 5, LIMITS), Ok(()));
    }

    #[test]
    fn an_attempt_past_either_limit_is_refused() {
        let refused = Err(AppError::TooManySignInAttempts { minutes: 15 });
        assert_eq!(decide(4, 1, LIMITS), refused);
        assert_eq!(decide(1, 6, LIMITS), refused);
    }

    #[test]
    fn many_attempts_on_one_email_only_slow_it_down() {
        assert_eq!(slowdown(SLOW_AFTER_PER_EMAIL), Duration::ZERO);
        assert_eq!(slowdown(SLOW_AFTER_PER_EMAIL + 1), SLOWDOWN);
        assert_eq!(slowdown(1_000_000), SLOWDOWN);
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
    fn a_forwarded_value_that_is_not_an_address_is_ignored() {
        let parts = parts(Some("1.2.3.4, not-an-address"), Some("10.0.0.2:5000"));
        assert_eq!(client_address(&parts, true), "10.0.0.2");
    }

    #[test]
    fn ipv6_clients_share_a_bucket_per_64_network() {
        let first = parts(None, Some("[2001:db8:1:2:aaaa::1]:443"));
        let second = parts(None, Some("[2001:db8:1:2:bbbb::2]:443"));
        assert_eq!(client_address(&first, false), "2001:db8:1:2::/64");
        assert_eq!(
            client_address(&first, false),
            client_address(&second, false)
        );
        let other_network = parts(None, Some("[2001:db8:1:3::1]:443"));
        assert_ne!(
            client_address(&first, false),
            client_address(&other_network, false)
        );
    }

    #[test]
    fn ipv4_mapped_addresses_count_as_ipv4() {
        let mapped = parts(None, Some("[::ffff:203.0.113.9]:443"));
        assert_eq!(client_address(&mapped, false), "203.0.113.9");
    }

    #[test]
    fn a_missing_address_is_still_a_bucket() {
        assert_eq!(client_address(&parts(None, None), true), "unknown");
    }
}
