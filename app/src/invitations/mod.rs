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

/// How a link reached whoever holds it, which decides what holding it proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Mailed to the address: its holder reads that address's mail.
    Mail,
    /// Copied by an admin, who passed it on some other way: it proves only their word.
    Copied,
}

/// What is known about the account an invitation is for, when its link is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountClaim {
    pub delivery: Delivery,
    pub has_password: bool,
    /// The password was chosen through a copied link: only that link's workspace vouched
    /// for whoever chose it.
    pub password_from_copied_link: bool,
    /// The account belongs to more than the link's workspace: another workspace invited
    /// it, or it is a super admin.
    pub known_elsewhere: bool,
}

/// What the holder of a link may do about the account it was sent to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// The account has a password its owner proved to be theirs: sign in, then accept.
    SignInToAccept,
    /// Choose the account's name and password. `proven` when the link was mailed, so the
    /// holder reads the address's mail; otherwise only the link's workspace vouches.
    ChoosePassword { proven: bool },
    /// Only a mailed link can settle who owns this account: one goes to the address.
    ConfirmByMail,
}

/// An identity is global, and a link proves only what it proves. A copied link may set
/// a password only on an account that nobody but its own workspace knows yet, so that an
/// admin of one workspace can never take over an account another workspace invited. A
/// mailed link may set one on any account whose password isn't proven yet, so that the
/// person reading the address's mail can always get in with a password of their own.
pub fn admission(claim: AccountClaim) -> Admission {
    let proven_password = claim.has_password && !claim.password_from_copied_link;
    match claim.delivery {
        _ if proven_password => Admission::SignInToAccept,
        Delivery::Mail => Admission::ChoosePassword { proven: true },
        Delivery::Copied if !claim.has_password && !claim.known_elsewhere => {
            Admission::ChoosePassword { proven: false }
        }
        Delivery::Copied => Admission::ConfirmByMail,
    }
}

/// Invitations (sent, resent or copied) one admin may make per [`INVITATION_WINDOW_SECONDS`].
pub const INVITATIONS_PER_ADMIN: i64 = 300;
/// Invitations one person may be sent per window by one workspace: enough to fix a
/// typo'd mail, too few to flood someone's inbox. Each workspace counts its own, so no
/// workspace can use up another's.
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

/// The query an invitation page is opened with after a form posted without JavaScript
/// mailed the invitee a confirmation link.
pub const CONFIRMATION_MAILED: &str = "confirmation=mailed";

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

/// The invitation mail. The link comes from the configured public URL. The inviter's
/// name is text an admin typed: it is named only when it is a plain name, so that a
/// name can't smuggle a web address into a mail that carries Gatehouse's authority.
pub fn invitation_mail(
    to: &str,
    workspace_name: &str,
    inviter_name: &str,
    link: &str,
    valid_for: &str,
) -> Mail {
    let who = if crate::users::is_plain_name(inviter_name) {
        format!("{inviter_name} invited you to join")
    } else {
        "You're invited to join".to_string()
    };
    Mail {
        to: to.to_string(),
        subject: format!("You're invited to {workspace_name} on Gatehouse"),
        body: format!(
            "Hello,\n\n\
             {who} the workspace {workspace_name} on Gatehouse.\n\n\
             Open this link to accept:\n\n\
             {link}\n\n\
             The link works once and expires in {valid_for}. If you weren't expecting this \
             invitation, you can ignore this mail.\n"
        ),
    }
}

/// The mail that settles who owns an account when a copied link can't: it carries a
/// link of its own, which proves its holder reads the address's mail.
pub fn confirmation_mail(to: &str, workspace_name: &str, link: &str, valid_for: &str) -> Mail {
    Mail {
        to: to.to_string(),
        subject: format!("Confirm your invitation to {workspace_name} on Gatehouse"),
        body: format!(
            "Hello,\n\n\
             Someone opened an invitation for this address to join the workspace \
             {workspace_name} on Gatehouse and asked to set up the account. To confirm \
             it's you and choose your password, open this link:\n\n\
             {link}\n\n\
             The link works once and expires in {valid_for}. If this wasn't you, ignore this \
             mail: nobody gets into your account without it.\n"
        ),
    }
}

/// What submitting the form of an invitation's page did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum JoinOutcome {
    /// The account is set up and signed in; the browser goes to `path`.
    Joined { path: String },
    /// A copied link couldn't settle who owns the account: a link went to `email`.
    ConfirmationMailed { email: String },
}

/// The link to an invitation, in the configured public URL, never in the request's Host.
#[cfg(feature = "ssr")]
pub fn link_for(config: &crate::config::Config, token: &crate::tokens::SecretToken) -> String {
    let path = invitation_path(token.expose());
    match config.public_url.join(path.trim_start_matches('/')) {
        Ok(url) => url.to_string(),
        Err(_) => format!(
            "{}{}",
            config.public_url.as_str().trim_end_matches('/'),
            path
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
        needs_account: admission(found.claim) != Admission::SignInToAccept,
        signed_in_as: crate::access::signed_in().ok().map(|user| user.email),
    })
}

/// Accepts an invitation as the signed-in user it was sent to.
#[server(endpoint = "invitations/accept")]
pub async fn accept_invitation(token: String) -> Result<Landing, AppError> {
    let accepted = server::accept(&token).await;
    server::back_to_invitation_on_error::<AcceptInvitation, _>(&token, &accepted)?;
    accepted
}

/// Accepts an invitation by setting up the account it was sent to: the person chooses
/// their name and password, and is signed in. When the link can't settle who owns the
/// account ([`admission`]), a link goes to the address instead.
#[server(endpoint = "invitations/join")]
pub async fn join_with_invitation(
    token: String,
    full_name: String,
    password: String,
) -> Result<JoinOutcome, AppError> {
    let page = invitation_path(&token);
    let joined = server::join(&token, &full_name, password, &page).await;
    server::back_to_invitation_on_error::<JoinWithInvitation, _>(&token, &joined)?;
    joined
}

#[cfg(feature = "ssr")]
mod server {
    use super::{CONFIRMATION_MAILED, JoinOutcome, check_usable, store};
    use crate::auth::Landing;
    use crate::error::AppError;
    use crate::state::AppState;
    use crate::tokens::SecretToken;

    /// Sends a form posted without JavaScript whose server function `S` failed back to
    /// the invitation page, with the error to show.
    pub fn back_to_invitation_on_error<S: leptos::server_fn::ServerFn, T>(
        token: &str,
        outcome: &Result<T, AppError>,
    ) -> Result<(), AppError> {
        if let Err(error) = outcome {
            crate::request::send_plain_form_back_to(
                &super::invitation_path(token),
                S::PATH,
                error,
            )?;
        }
        Ok(())
    }

    /// The invitation a token names, if it can still be used, read once more after
    /// locking its workspace's members: an admin may have removed or archived the member
    /// between the first read and the lock (the chaos harness found a removal there).
    /// The lock comes in the same order as the admins' changes to the workspace.
    async fn find_usable_locked(
        tx: &mut sqlx::AnyConnection,
        token: &SecretToken,
    ) -> Result<store::Found, AppError> {
        let found = store::find(tx, token)
            .await?
            .ok_or(AppError::InvitationUnknown)?;
        crate::db::lock_workspace(tx, found.workspace_id).await?;
        let found = store::find(tx, token)
            .await?
            .ok_or(AppError::InvitationUnknown)?;
        check_usable(found.state, crate::db::now())?;
        Ok(found)
    }

    /// What [`super::accept_invitation`] does.
    pub async fn accept(token: &str) -> Result<Landing, AppError> {
        use super::welcome;

        let user = crate::access::signed_in()?;
        let state = crate::state::app_state()?;
        let token = SecretToken::from_browser(token);
        let mut tx = crate::db::begin_write(&state.db).await?;
        let found = find_usable_locked(&mut tx, &token).await?;
        if found.user_id != user.id {
            return Err(AppError::InvitationForSomeoneElse { email: found.email });
        }
        store::accept(&mut tx, &found, user.id).await?;
        tx.commit().await?;
        tracing::info!(user_id = user.id, workspace = %found.workspace_slug, "invitation accepted");
        let path = welcome(&state, user.id, &found.workspace_slug).await?;
        Ok(Landing { path })
    }

    /// What [`super::join_with_invitation`] does; `page` is the invitation's page.
    pub async fn join(
        token: &str,
        full_name: &str,
        password: String,
        page: &str,
    ) -> Result<JoinOutcome, AppError> {
        use super::{Admission, admission, welcome};
        use crate::auth::passwords;
        use crate::users::store::PasswordTrust;

        let state = crate::state::app_state()?;
        let token = SecretToken::from_browser(token);
        let full_name = crate::users::normalise_full_name(full_name)?;
        crate::users::check_new_password(&password)?;
        // Decided before hashing, so a dead link costs no hashing; decided again below,
        // inside the transaction, because the link or the account may change meanwhile.
        let decide = |admission: Admission| match admission {
            Admission::SignInToAccept => Err(AppError::SignInToAccept),
            Admission::ConfirmByMail => Ok(None),
            Admission::ChoosePassword { proven: true } => Ok(Some(PasswordTrust::Instance)),
            Admission::ChoosePassword { proven: false } => Ok(Some(PasswordTrust::CopiedLink)),
        };
        let before = {
            let mut conn = state.db.acquire().await?;
            let found = store::find(&mut conn, &token)
                .await?
                .ok_or(AppError::InvitationUnknown)?;
            check_usable(found.state, crate::db::now())?;
            decide(admission(found.claim))?
        };
        if before.is_none() {
            return confirm_by_mail(&state, &token, page).await;
        }
        let hash = passwords::hash(password).await?;
        let mut tx = crate::db::begin_write(&state.db).await?;
        let found = find_usable_locked(&mut tx, &token).await?;
        let Some(trust) = decide(admission(found.claim))? else {
            drop(tx);
            return confirm_by_mail(&state, &token, page).await;
        };
        crate::users::store::rename(&mut tx, found.user_id, &full_name).await?;
        crate::users::store::set_password(&mut tx, found.user_id, &hash, trust).await?;
        // Whoever chose an earlier, unproven password is signed out with it.
        crate::auth::session::end_all(&mut tx, found.user_id).await?;
        store::accept(&mut tx, &found, found.user_id).await?;
        tx.commit().await?;
        tracing::info!(user_id = found.user_id, workspace = %found.workspace_slug, "account set up from an invitation");
        let path = welcome(&state, found.user_id, &found.workspace_slug).await?;
        Ok(JoinOutcome::Joined { path })
    }

    /// Mails the address a link of its own for the same membership: the person who reads
    /// that mail settles who owns the account. Limited like invitations, per workspace.
    /// A form posted without JavaScript goes back to the invitation's `page`, told so.
    pub async fn confirm_by_mail(
        state: &AppState,
        token: &SecretToken,
        page: &str,
    ) -> Result<JoinOutcome, AppError> {
        let mut tx = crate::db::begin_write(&state.db).await?;
        let found = find_usable_locked(&mut tx, token).await?;
        let for_person =
            store::recent_for_person(&mut tx, found.workspace_id, found.user_id).await?;
        super::check_invitation_rate(0, for_person)?;
        let link = store::issue(
            &mut tx,
            found.membership_id,
            state.config.invite_ttl,
            super::Delivery::Mail,
        )
        .await?;
        crate::audit::record(
            &mut tx,
            crate::audit::Event {
                actor_user_id: None,
                workspace_id: Some(found.workspace_id),
                target_user_id: Some(found.user_id),
                action: crate::audit::Action::InvitationConfirmationMailed,
                detail: "",
            },
        )
        .await?;
        tx.commit().await?;
        let mail = super::confirmation_mail(
            &found.email,
            &found.workspace_name,
            &super::link_for(&state.config, &link),
            &super::describe_validity(state.config.invite_ttl),
        );
        crate::mail::store::queue(state, &mail).await;
        tracing::info!(user_id = found.user_id, workspace = %found.workspace_slug, "invitation confirmation mailed");
        crate::request::send_plain_form_on_to(&format!("{page}?{CONFIRMATION_MAILED}"));
        Ok(JoinOutcome::ConfirmationMailed { email: found.email })
    }
}

/// Accepting signs the browser in as `user_id` under a new session token, ending whatever
/// session it had before, and answers the workspace's page, where a form posted without
/// JavaScript goes on to.
#[cfg(feature = "ssr")]
async fn welcome(
    state: &crate::state::AppState,
    user_id: i64,
    workspace_slug: &str,
) -> Result<String, AppError> {
    use crate::auth::session;
    use crate::request;

    let parts = request::parts()?;
    if let Some(previous) = session::token_from_headers(&parts.headers, &state.config) {
        session::end(&state.db, &previous).await?;
    }
    let token = session::start(&state.db, user_id, state.config.session_ttl).await?;
    request::set_cookie(session::set_cookie_header(&token, &state.config))?;
    let path = format!("/{workspace_slug}");
    request::send_plain_form_on_to(&path);
    Ok(path)
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

    #[test]
    fn an_inviter_name_that_is_not_a_plain_name_stays_out_of_the_mail() {
        for name in [
            "Claim your prize at https://evil.example",
            "Ada (evil.example)",
            "www.evil.example",
            "ada@evil.example",
        ] {
            let mail = invitation_mail(
                "bea@example.com",
                "TechCorp",
                name,
                "https://x/i/1",
                "7 days",
            );
            assert!(!mail.body.contains("evil.example"), "{name}");
            assert!(
                mail.body
                    .contains("You're invited to join the workspace TechCorp")
            );
        }
    }

    fn claim(delivery: Delivery) -> AccountClaim {
        AccountClaim {
            delivery,
            has_password: false,
            password_from_copied_link: false,
            known_elsewhere: false,
        }
    }

    #[test]
    fn a_copied_link_sets_a_password_only_on_an_account_nobody_else_knows() {
        use Admission::*;
        let copied = claim(Delivery::Copied);
        assert_eq!(admission(copied), ChoosePassword { proven: false });
        let invited_elsewhere = AccountClaim {
            known_elsewhere: true,
            ..copied
        };
        assert_eq!(admission(invited_elsewhere), ConfirmByMail);
        let chosen_through_a_copied_link = AccountClaim {
            has_password: true,
            password_from_copied_link: true,
            ..copied
        };
        assert_eq!(admission(chosen_through_a_copied_link), ConfirmByMail);
        let proven = AccountClaim {
            has_password: true,
            ..copied
        };
        assert_eq!(admission(proven), SignInToAccept);
    }

    #[test]
    fn a_mailed_link_replaces_any_password_not_proven_to_be_the_owners() {
        use Admission::*;
        let mailed = claim(Delivery::Mail);
        assert_eq!(admission(mailed), ChoosePassword { proven: true });
        for known_elsewhere in [false, true] {
            let unproven = AccountClaim {
                has_password: true,
                password_from_copied_link: true,
                known_elsewhere,
                ..mailed
            };
            assert_eq!(admission(unproven), ChoosePassword { proven: true });
            let proven = AccountClaim {
                has_password: true,
                known_elsewhere,
                ..mailed
            };
            assert_eq!(admission(proven), SignInToAccept);
        }
    }
}
