//! Delivering queued mail over SMTP with `lettre`.

use std::sync::Arc;
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use super::store::{self, Claimed};
use crate::config::Config;
use crate::db::Db;
use crate::error::AppError;
use crate::metadata::crypto::Keyring;

/// How often an instance looks for due mail when nothing woke it.
const POLL_INTERVAL: Duration = Duration::from_secs(5);
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Debug, thiserror::Error)]
#[error("GATEHOUSE_SMTP_URL is not valid: {0}")]
pub struct MailerError(String);

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// The configured SMTP server, if there is one.
    pub fn from_config(config: &Config) -> Result<Option<Mailer>, MailerError> {
        let Some(url) = &config.smtp_url else {
            return Ok(None);
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
            // The error may quote the URL, password and all, so only its kind is kept.
            .map_err(|_| MailerError("expected smtp://, or smtps:// for TLS".into()))?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        Ok(Some(Mailer {
            transport,
            from: config.mail_from.clone(),
        }))
    }

    async fn send(&self, claimed: &Claimed) -> Result<(), String> {
        let to: Mailbox = claimed
            .mail
            .to
            .parse()
            .map_err(|error| format!("bad recipient: {error}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&claimed.mail.subject)
            .body(claimed.mail.body.clone())
            .map_err(|error| format!("could not build the message: {error}"))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|error| error.to_string())
    }
}

/// What one round of delivery did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    pub failed: usize,
}

/// Delivers every mail that is due now.
pub async fn deliver_due(db: &Db, keys: &Keyring, mailer: &Mailer) -> Result<Round, AppError> {
    let mut round = Round::default();
    loop {
        let claimed = store::claim_due(db, keys, 20).await?;
        if claimed.is_empty() {
            return Ok(round);
        }
        for mail in claimed {
            match mailer.send(&mail).await {
                Ok(()) => {
                    store::mark_sent(db, mail.id).await?;
                    tracing::info!(mail_id = mail.id, "mail sent");
                    round.sent += 1;
                }
                Err(error) => {
                    tracing::warn!(mail_id = mail.id, attempt = mail.attempts, %error, "mail not sent");
                    store::mark_failed(db, &mail, &error).await?;
                    round.failed += 1;
                }
            }
        }
    }
}

/// Delivers mail for as long as the server runs: when woken, and every few seconds.
pub async fn run(db: Db, keys: Arc<Keyring>, mailer: Mailer, queued: Arc<tokio::sync::Notify>) {
    loop {
        if let Err(error) = deliver_due(&db, &keys, &mailer).await {
            tracing::error!(%error, "mail delivery round failed");
        }
        tokio::select! {
            () = queued.notified() => {}
            () = tokio::time::sleep(POLL_INTERVAL) => {}
        }
    }
}
