//! Outgoing mail. Every mail is first written to the outbox table, after the change it
//! reports has committed; a worker in each server instance delivers queued mail over
//! SMTP and retries failures. Without SMTP the mail is held in the outbox, where super
//! admins read it (Settings › Email outbox).

#[cfg(feature = "ssr")]
pub mod delivery;
#[cfg(feature = "ssr")]
pub mod store;

mod outbox_page;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

pub use outbox_page::EmailOutboxPage;

/// A mail to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MailStatus {
    /// No SMTP server is configured: the mail stays here to be read.
    Held,
    Queued,
    Sending,
    Sent,
    /// Every attempt failed.
    Failed,
}

impl MailStatus {
    pub const ALL: [MailStatus; 5] = [
        MailStatus::Held,
        MailStatus::Queued,
        MailStatus::Sending,
        MailStatus::Sent,
        MailStatus::Failed,
    ];

    pub fn key(self) -> &'static str {
        match self {
            MailStatus::Held => "held",
            MailStatus::Queued => "queued",
            MailStatus::Sending => "sending",
            MailStatus::Sent => "sent",
            MailStatus::Failed => "failed",
        }
    }

    pub fn from_key(key: &str) -> Option<MailStatus> {
        MailStatus::ALL
            .into_iter()
            .find(|status| status.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            MailStatus::Held => "Held (no SMTP server)",
            MailStatus::Queued => "Queued",
            MailStatus::Sending => "Sending",
            MailStatus::Sent => "Sent",
            MailStatus::Failed => "Failed",
        }
    }

    /// Whether the outbox is how the mail reaches anyone, so super admins need to read it.
    pub fn shows_body(self) -> bool {
        matches!(self, MailStatus::Held | MailStatus::Failed)
    }
}

/// A mail as super admins see it in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    /// Only while the outbox is the way to deliver it; see [`MailStatus::shows_body`].
    pub body: Option<String>,
    pub status: MailStatus,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
}

/// The most recent mail, newest first (super admins only).
#[server(endpoint = "instance/email-outbox")]
pub async fn email_outbox() -> Result<Vec<OutboxEntry>, AppError> {
    let (caller, state) = crate::access::session_caller()?;
    crate::instance::operations::email_outbox(&state, &caller).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_through_their_stored_keys() {
        for status in MailStatus::ALL {
            assert_eq!(MailStatus::from_key(status.key()), Some(status));
        }
    }

    #[test]
    fn only_undeliverable_mail_shows_its_body() {
        let shown: Vec<MailStatus> = MailStatus::ALL
            .into_iter()
            .filter(|status| status.shows_body())
            .collect();
        assert_eq!(shown, [MailStatus::Held, MailStatus::Failed]);
    }
}
