//! The outbox table.

use super::{Mail, MailStatus, OutboxEntry};
use crate::db::{Db, now};
use crate::error::AppError;

/// Attempts before a mail is marked failed.
pub const MAX_ATTEMPTS: i64 = 5;
/// How long a claimed mail is left to the instance that claimed it; after that another
/// instance may take it over (the first one crashed, say).
pub const CLAIM_SECONDS: i64 = 300;
/// What remains of a delivered mail's body: links in it are secrets, and once sent the
/// outbox no longer needs them.
pub const DELIVERED_BODY: &str = "(delivered; the body is no longer stored)";

/// Puts a mail in the outbox: queued for delivery, or held when there is no SMTP server.
pub async fn enqueue(db: &Db, mail: &Mail, smtp_configured: bool) -> Result<i64, AppError> {
    let status = if smtp_configured {
        MailStatus::Queued
    } else {
        MailStatus::Held
    };
    let now = now();
    let id = sqlx::query_scalar(
        "INSERT INTO mail_outbox (recipient, subject, body, status, next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(&mail.to)
    .bind(&mail.subject)
    .bind(&mail.body)
    .bind(status.key())
    .bind(now)
    .fetch_one(db)
    .await?;
    Ok(id)
}

/// Puts many mails in the outbox at once, in one transaction: a bulk invite's.
pub async fn enqueue_many(db: &Db, mails: &[Mail], smtp_configured: bool) -> Result<(), AppError> {
    let status = if smtp_configured {
        MailStatus::Queued
    } else {
        MailStatus::Held
    };
    let now = now();
    let mut tx = db.begin().await?;
    crate::db::insert_many::<_, ()>(
        &mut tx,
        "INSERT INTO mail_outbox (recipient, subject, body, status, next_attempt_at, created_at)",
        6,
        mails,
        |query, mail| {
            query
                .bind(mail.to.clone())
                .bind(mail.subject.clone())
                .bind(mail.body.clone())
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

/// A mail this instance has claimed and now delivers.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    pub attempts: i64,
    pub mail: Mail,
}

/// Claims up to `limit` due mails. Each claim is a conditional update, so when several
/// instances look at once each mail goes to exactly one of them.
pub async fn claim_due(db: &Db, limit: i64) -> Result<Vec<Claimed>, AppError> {
    let now = now();
    let due: Vec<(i64, String, String, String, i64)> = sqlx::query_as(
        "SELECT id, recipient, subject, body, attempts FROM mail_outbox
         WHERE status IN ('queued', 'sending') AND next_attempt_at <= $1
         ORDER BY next_attempt_at, id LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(db)
    .await?;
    let mut claimed = Vec::new();
    for (id, to, subject, body, attempts) in due {
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
        "UPDATE mail_outbox SET status = 'sent', sent_at = $1, body = $2, last_error = NULL
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
    status: String,
    attempts: i64,
    last_error: Option<String>,
    created_at: i64,
}

pub async fn recent(db: &Db, limit: i64) -> Result<Vec<OutboxEntry>, AppError> {
    let rows: Vec<OutboxRow> = sqlx::query_as(
        "SELECT id, recipient, subject, body, status, CAST(attempts AS BIGINT) AS attempts,
                last_error, created_at
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
            Ok(OutboxEntry {
                id: row.id,
                recipient: row.recipient,
                subject: row.subject,
                body: status.shows_body().then_some(row.body),
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
