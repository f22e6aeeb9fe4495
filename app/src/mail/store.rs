//! The outbox table. Bodies carry invitation links, so they are sealed with the master
//! key while they wait: a copy of the database yields no usable link.

use super::{Mail, MailStatus, OutboxEntry};
use crate::db::{Db, now};
use crate::error::AppError;
use crate::metadata::crypto::{Keyring, OutboxBinding, Sealed};
use crate::state::AppState;

/// Attempts before a mail is marked failed.
pub const MAX_ATTEMPTS: i64 = 5;
/// How long a claimed mail is left to the instance that claimed it; after that another
/// instance may take it over (the first one crashed, say).
pub const CLAIM_SECONDS: i64 = 300;
/// What remains of a delivered mail's body: links in it are secrets, and once sent the
/// outbox no longer needs them.
pub const DELIVERED_BODY: &str = "(delivered; the body is no longer stored)";

/// Queues a mail once the change it reports has committed, and wakes this instance's
/// delivery. A failure is logged and reported, and undoes nothing.
pub async fn queue(state: &AppState, mail: &Mail) -> bool {
    queue_many(state, std::slice::from_ref(mail)).await
}

/// Queues many mails at once, as a bulk invite does.
pub async fn queue_many(state: &AppState, mails: &[Mail]) -> bool {
    let smtp_configured = state.config.smtp_url.is_some();
    match enqueue_many(&state.db, &state.keys, mails, smtp_configured).await {
        Ok(()) => {
            state.mail_queued.notify_one();
            true
        }
        Err(error) => {
            tracing::error!(%error, mails = mails.len(), "mail could not be queued");
            false
        }
    }
}

/// Puts mails in the outbox in one transaction, their bodies sealed: queued for
/// delivery, or held when there is no SMTP server.
pub async fn enqueue_many(
    db: &Db,
    keys: &Keyring,
    mails: &[Mail],
    smtp_configured: bool,
) -> Result<(), AppError> {
    let status = if smtp_configured {
        MailStatus::Queued
    } else {
        MailStatus::Held
    };
    let bodies: Vec<(OutboxBinding<'_>, &str)> = mails
        .iter()
        .map(|mail| {
            (
                OutboxBinding {
                    recipient: &mail.to,
                },
                mail.body.as_str(),
            )
        })
        .collect();
    let sealed = keys.seal_many(&bodies)?;
    let rows: Vec<(&Mail, Sealed)> = mails.iter().zip(sealed).collect();
    let now = now();
    let mut tx = db.begin().await?;
    crate::db::insert_many::<_, ()>(
        &mut tx,
        "INSERT INTO mail_outbox
            (recipient, subject, body, key_id, status, next_attempt_at, created_at)",
        7,
        &rows,
        |query, (mail, sealed)| {
            query
                .bind(mail.to.clone())
                .bind(mail.subject.clone())
                .bind(sealed.ciphertext.clone())
                .bind(sealed.key_id.clone())
                .bind(status.key())
                .bind(now)
                .bind(now)
        },
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A body as stored: sealed under `key_id`, or, without one, text that holds no secret.
fn open_body(
    keys: &Keyring,
    recipient: &str,
    body: String,
    key_id: Option<String>,
) -> Result<String, AppError> {
    match key_id {
        Some(key_id) => Ok(keys.open(
            OutboxBinding { recipient },
            &Sealed {
                key_id,
                ciphertext: body,
            },
        )?),
        None => Ok(body),
    }
}

/// Which outbox rows [`seal_stored_bodies`] seals: undelivered mail whose body is plain
/// text (no key) or sealed under a key other than `$1`, the current one. A key rotation
/// counts the same rows.
pub const BODY_TO_SEAL: &str = "status <> 'sent' AND (key_id IS NULL OR key_id <> $1)";

/// Seals bodies that were stored as plain text before bodies were sealed, and bodies
/// sealed under an older master key: run at start and by a key rotation, which follows
/// along through `looked_at` (called with how many bodies it has looked at so far).
/// Delivered mail holds no body to seal.
pub async fn seal_stored_bodies(
    db: &Db,
    keys: &Keyring,
    looked_at: &(dyn Fn(u64) + Sync),
) -> Result<u64, AppError> {
    let current = keys.current_key_id();
    let rows: Vec<(i64, String, String, Option<String>)> = sqlx::query_as(&format!(
        "SELECT id, recipient, body, key_id FROM mail_outbox WHERE {BODY_TO_SEAL}"
    ))
    .bind(&current)
    .fetch_all(db)
    .await?;
    let mut sealed = 0;
    for (seen, (id, recipient, body, key_id)) in (1..).zip(rows) {
        let text = open_body(keys, &recipient, body.clone(), key_id)?;
        let fresh = keys.seal(
            OutboxBinding {
                recipient: &recipient,
            },
            &text,
        )?;
        // Only if delivery didn't change the row meanwhile.
        sealed += sqlx::query(
            "UPDATE mail_outbox SET body = $1, key_id = $2 WHERE id = $3 AND body = $4",
        )
        .bind(fresh.ciphertext)
        .bind(fresh.key_id)
        .bind(id)
        .bind(body)
        .execute(db)
        .await?
        .rows_affected();
        looked_at(seen);
    }
    Ok(sealed)
}

/// A mail this instance has claimed and now delivers.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    pub attempts: i64,
    pub mail: Mail,
}

/// Claims up to `limit` due mails. Each claim is a conditional update, so when several
/// instances look at once each mail goes to exactly one of them.
pub async fn claim_due(db: &Db, keys: &Keyring, limit: i64) -> Result<Vec<Claimed>, AppError> {
    let now = now();
    let due: Vec<(i64, String, String, String, Option<String>, i64)> = sqlx::query_as(
        "SELECT id, recipient, subject, body, key_id, attempts FROM mail_outbox
         WHERE status IN ('queued', 'sending') AND next_attempt_at <= $1
         ORDER BY next_attempt_at, id LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(db)
    .await?;
    let mut claimed = Vec::new();
    for (id, to, subject, body, key_id, attempts) in due {
        let taken = sqlx::query(
            "UPDATE mail_outbox SET status = 'sending', attempts = attempts + 1,
                    next_attempt_at = $1
             WHERE id = $2 AND status IN ('queued', 'sending') AND next_attempt_at <= $3
               AND attempts = $4",
        )
        .bind(now + CLAIM_SECONDS)
        .bind(id)
        .bind(now)
        .bind(attempts)
        .execute(db)
        .await?
        .rows_affected()
            == 1;
        if taken {
            let body = open_body(keys, &to, body, key_id)?;
            claimed.push(Claimed {
                id,
                attempts: attempts + 1,
                mail: Mail { to, subject, body },
            });
        }
    }
    Ok(claimed)
}

pub async fn mark_sent(db: &Db, id: i64) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE mail_outbox SET status = 'sent', sent_at = $1, body = $2, key_id = NULL,
                last_error = NULL
         WHERE id = $3",
    )
    .bind(now())
    .bind(DELIVERED_BODY)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// Records a failed attempt: tried again later, with the wait doubling each time, until
/// [`MAX_ATTEMPTS`] have failed.
pub async fn mark_failed(db: &Db, claimed: &Claimed, error: &str) -> Result<(), AppError> {
    let (status, next_attempt_at) = if claimed.attempts >= MAX_ATTEMPTS {
        (MailStatus::Failed, now())
    } else {
        (
            MailStatus::Queued,
            now() + retry_delay_seconds(claimed.attempts),
        )
    };
    sqlx::query(
        "UPDATE mail_outbox SET status = $1, next_attempt_at = $2, last_error = $3 WHERE id = $4",
    )
    .bind(status.key())
    .bind(next_attempt_at)
    .bind(error)
    .bind(claimed.id)
    .execute(db)
    .await?;
    Ok(())
}

/// 30 s after the first failure, then 60 s, 120 s, …
pub fn retry_delay_seconds(attempts: i64) -> i64 {
    30 * 2_i64.pow(attempts.clamp(1, 10) as u32 - 1)
}

#[derive(sqlx::FromRow)]
struct OutboxRow {
    id: i64,
    recipient: String,
    subject: String,
    body: String,
    key_id: Option<String>,
    status: String,
    attempts: i64,
    last_error: Option<String>,
    created_at: i64,
}

/// The latest mail, newest first, with the bodies of those the outbox is the way to
/// deliver opened for the super admin reading it.
pub async fn recent(db: &Db, keys: &Keyring, limit: i64) -> Result<Vec<OutboxEntry>, AppError> {
    let rows: Vec<OutboxRow> = sqlx::query_as(
        "SELECT id, recipient, subject, body, key_id, CAST(attempts AS BIGINT) AS attempts,
                status, last_error, created_at
         FROM mail_outbox ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|row| {
            let status = MailStatus::from_key(&row.status).ok_or_else(|| {
                tracing::error!(status = %row.status, "unknown mail status in the database");
                AppError::Internal
            })?;
            let body = if status.shows_body() {
                Some(open_body(keys, &row.recipient, row.body, row.key_id)?)
            } else {
                None
            };
            Ok(OutboxEntry {
                id: row.id,
                recipient: row.recipient,
                subject: row.subject,
                body,
                status,
                attempts: row.attempts,
                last_error: row.last_error,
                created_at: row.created_at,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time() {
        let delays: Vec<i64> = (1..=4).map(retry_delay_seconds).collect();
        assert_eq!(delays, [30, 60, 120, 240]);
    }
}
