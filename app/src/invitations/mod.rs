//! Invitations: the single-use, expiring links that let someone join a workspace. A new
//! person sets their name and password through the link; someone with an account signs
//! in and accepts.

#[cfg(feature = "ssr")]
pub mod store;

mod accept_page;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::auth::Landing;
use crate::error::AppError;
use crate::mail::Mail;
use crate::memberships::MembershipStatus;

pub use accept_page::AcceptInvitationPage;

/// What the link's page shows before anyone accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationDetails {
    pub workspace_name: String,
    pub email: String,
    pub full_name: String,
    /// The invited person has no password yet, so accepting creates their account.
    pub needs_account: bool,
    /// Who this browser is signed in as, if anyone.
    pub signed_in_as: Option<String>,
}

/// An invitation's state as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvitationState {
    pub expires_at: i64,
    pub used: bool,
    pub revoked: bool,
    pub membership_status: MembershipStatus,
    pub workspace_archived: bool,
}

/// Whether an invitation can still be accepted at `now`, and if not, why not.
pub fn check_usable(state: InvitationState, now: i64) -> Result<(), AppError> {
    if state.workspace_archived {
        Err(AppError::InvitationUnknown)
    } else if state.used || state.membership_status == MembershipStatus::Active {
        Err(AppError::InvitationUsed)
    } else if state.revoked || state.membership_status != MembershipStatus::Invited {
        Err(AppError::InvitationReplaced)
    } else if state.expires_at <= now {
        Err(AppError::InvitationExpired)
    } else {
        Ok(())
    }
}

/// Invitations (sent, resent or copied) one admin may make per [`INVITATION_WINDOW_SECONDS`].
pub const INVITATIONS_PER_ADMIN: i64 = 300;
/// Invitations one person may be sent per window: enough to fix a typo'd mail, too few
/// to flood someone's inbox.
pub const INVITATIONS_PER_PERSON: i64 = 10;
pub const INVITATION_WINDOW_SECONDS: i64 = 3_600;

/// Refuses another invitation when the admin or the person invited has had their share
/// within the window.
pub fn check_invitation_rate(by_admin: i64, for_person: i64) -> Result<(), AppError> {
    if by_admin >= INVITATIONS_PER_ADMIN || for_person >= INVITATIONS_PER_PERSON {
        Err(AppError::TooManyInvitations {
            minutes: (INVITATION_WINDOW_SECONDS / 60) as u64,
        })
    } else {
        Ok(())
    }
}

/// The path of the page a token opens.
pub fn invitation_path(token: &str) -> String {
    format!("/invitations/{token}")
}

/// How long a link works, in words for the mail: "7 days", "12 hours", "30 minutes".
pub fn describe_validity(valid_for: std::time::Duration) -> String {
    let seconds = valid_for.as_secs();
    let (count, unit) = if seconds >= 86_400 && seconds.is_multiple_of(86_400) {
        (seconds / 86_400, "day")
    } else if seconds >= 3_600 && seconds.is_multiple_of(3_600) {
        (seconds / 3_600, "hour")
    } else {
        (seconds.div_ceil(60).max(1), "minute")
    };
    let plural = if count == 1 { "" } else { "s" };
    format!("{count} {unit}{plural}")
}

/// The invitation mail. The link comes from the configured public URL.
pub fn invitation_mail(
    to: &str,
    workspace_name: &str,
    inviter_name: &str,
    link: &str,
    valid_for: &str,
) -> Mail {
    Mail {
        to: to.to_string(),
        subject: format!("You're invited to {workspace_name} on Gatehouse"),
        body: format!(
            "Hello,\n\n\
             {inviter_name} invited you to join the workspace {workspace_name} on Gatehouse.\n\n\
             Open this link to accept:\n\n\
             {link}\n\n\
             The link works once and expires in {valid_for}. If you weren't expecting this \
             invitation, you can ignore this mail.\n"
        ),
    }
}

/// What the page at an invitation link shows.
#[server(endpoint = "invitations/details")]
pub async fn open_invitation(token: String) -> Result<InvitationDetails, AppError> {
    let state = crate::state::app_state()?;
    let mut conn = state.db.acquire().await?;
    let found = store::find(&mut conn, &crate::tokens::SecretToken::from_browser(&token))
        .await?
        .ok_or(AppError::InvitationUnknown)?;
    check_usable(found.state, crate::db::now())?;
    Ok(InvitationDetails {
        workspace_name: found.workspace_name,
        email: found.email,
        full_name: found.full_name,
        needs_account: !found.has_password,
        signed_in_as: crate::access::signed_in().ok().map(|user| user.email),
    })
}

/// Accepts an invitation as the signed-in user it was sent to.
#[server(endpoint = "invitations/accept")]
pub async fn accept_invitation(token: String) -> Result<Landing, AppError> {
    let user = crate::access::signed_in()?;
    let state = crate::state::app_state()?;
    let token = crate::tokens::SecretToken::from_browser(&token);
    let mut tx = crate::db::begin_write(&state.db).await?;
    let found = store::find(&mut tx, &token)
        .await?
        .ok_or(AppError::InvitationUnknown)?;
    check_usable(found.state, crate::db::now())?;
    if found.user_id != user.id {
        return Err(AppError::InvitationForSomeoneElse { email: found.email });
    }
    // The same lock order as the admins' changes to this workspace's members.
    crate::db::lock_workspace(&mut tx, found.workspace_id).await?;
    store::accept(&mut tx, &found, user.id).await?;
    tx.commit().await?;
    tracing::info!(user_id = user.id, workspace = %found.workspace_slug, "invitation accepted");
    start_fresh_session(&state, user.id).await?;
    Ok(Landing {
        path: format!("/{}", found.workspace_slug),
    })
}

/// Accepts an invitation by creating the account it was sent to: the person chooses
/// their name and password, and is signed in.
#[server(endpoint = "invitations/join")]
pub async fn join_with_invitation(
    token: String,
    full_name: String,
    password: String,
) -> Result<Landing, AppError> {
    use crate::auth::passwords;

    let state = crate::state::app_state()?;
    let token = crate::tokens::SecretToken::from_browser(&token);
    let full_name = crate::users::normalise_full_name(&full_name)?;
    crate::users::check_new_password(&password)?;
    // Checked before hashing, so a dead link costs no hashing; checked again below,
    // inside the transaction, because the link may be used meanwhile.
    {
        let mut conn = state.db.acquire().await?;
        let found = store::find(&mut conn, &token)
            .await?
            .ok_or(AppError::InvitationUnknown)?;
        check_usable(found.state, crate::db::now())?;
        if found.has_password {
            return Err(AppError::SignInToAccept);
        }
    }
    let hash = passwords::hash(password).await?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    let found = store::find(&mut tx, &token)
        .await?
        .ok_or(AppError::InvitationUnknown)?;
    check_usable(found.state, crate::db::now())?;
    if found.has_password {
        return Err(AppError::SignInToAccept);
    }
    crate::db::lock_workspace(&mut tx, found.workspace_id).await?;
    crate::users::store::rename(&mut tx, found.user_id, &full_name).await?;
    crate::users::store::set_password(&mut tx, found.user_id, &hash).await?;
    store::accept(&mut tx, &found, found.user_id).await?;
    tx.commit().await?;
    tracing::info!(user_id = found.user_id, workspace = %found.workspace_slug, "account created from an invitation");
    start_fresh_session(&state, found.user_id).await?;
    Ok(Landing {
        path: format!("/{}", found.workspace_slug),
    })
}

/// Accepting signs the browser in under a new session token, ending whatever session it
/// had before.
#[cfg(feature = "ssr")]
async fn start_fresh_session(state: &crate::state::AppState, user_id: i64) -> Result<(), AppError> {
    use crate::auth::session;
    use crate::request;

    let parts = request::parts()?;
    if let Some(previous) = session::token_from_headers(&parts.headers, &state.config) {
        session::end(&state.db, &previous).await?;
    }
    let token = session::start(&state.db, user_id, state.config.session_ttl).await?;
    request::set_cookie(session::set_cookie_header(&token, &state.config))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live() -> InvitationState {
        InvitationState {
            expires_at: 1_000,
            used: false,
            revoked: false,
            membership_status: MembershipStatus::Invited,
            workspace_archived: false,
        }
    }

    #[test]
    fn a_live_invitation_is_usable_until_it_expires() {
        assert_eq!(check_usable(live(), 999), Ok(()));
        assert_eq!(
            check_usable(live(), 1_000),
            Err(AppError::InvitationExpired)
        );
    }

    #[test]
    fn used_replaced_and_closed_invitations_say_why() {
        let used = InvitationState {
            used: true,
            ..live()
        };
        assert_eq!(check_usable(used, 0), Err(AppError::InvitationUsed));
        let accepted_elsewhere = InvitationState {
            membership_status: MembershipStatus::Active,
            ..live()
        };
        assert_eq!(
            check_usable(accepted_elsewhere, 0),
            Err(AppError::InvitationUsed)
        );
        let revoked = InvitationState {
            revoked: true,
            ..live()
        };
        assert_eq!(check_usable(revoked, 0), Err(AppError::InvitationReplaced));
        let archived_member = InvitationState {
            membership_status: MembershipStatus::Archived,
            ..live()
        };
        assert_eq!(
            check_usable(archived_member, 0),
            Err(AppError::InvitationReplaced)
        );
        let closed = InvitationState {
            workspace_archived: true,
            ..live()
        };
        assert_eq!(check_usable(closed, 0), Err(AppError::InvitationUnknown));
    }

    #[test]
    fn invitations_are_limited_per_admin_and_per_person() {
        assert_eq!(check_invitation_rate(299, 9), Ok(()));
        let refused = Err(AppError::TooManyInvitations { minutes: 60 });
        assert_eq!(check_invitation_rate(300, 0), refused);
        assert_eq!(check_invitation_rate(0, 10), refused);
    }

    #[test]
    fn validity_is_told_in_the_largest_whole_unit() {
        use std::time::Duration;
        assert_eq!(describe_validity(Duration::from_secs(7 * 86_400)), "7 days");
        assert_eq!(describe_validity(Duration::from_secs(86_400)), "1 day");
        assert_eq!(
            describe_validity(Duration::from_secs(12 * 3_600)),
            "12 hours"
        );
        assert_eq!(describe_validity(Duration::from_secs(90)), "2 minutes");
        assert_eq!(describe_validity(Duration::from_secs(1)), "1 minute");
    }

    #[test]
    fn the_mail_carries_the_link_and_says_when_it_expires() {
        let mail = invitation_mail(
            "bea@example.com",
            "TechCorp",
            "Ada Lovelace",
            "https://gatehouse.example.com/invitations/abc",
            "7 days",
        );
        assert_eq!(mail.to, "bea@example.com");
        assert_eq!(mail.subject, "You're invited to TechCorp on Gatehouse");
        assert!(
            mail.body
                .contains("Ada Lovelace invited you to join the workspace TechCorp")
        );
        assert!(
            mail.body
                .contains("\nhttps://gatehouse.example.com/invitations/abc\n")
        );
        assert!(mail.body.contains("expires in 7 days"));
    }
}
