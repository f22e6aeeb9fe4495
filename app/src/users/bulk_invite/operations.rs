//! Bulk invite as an operation, for every adapter: the Upload CSV file tab's server
//! function today, SCIM and the REST API later.

use super::{CsvImport, store};
use crate::access::{Scope, WorkspaceActor};
use crate::error::AppError;
use crate::memberships::Role;
use crate::state::AppState;

/// Invites everyone in a CSV file, or only checks it (`dry_run`): every row or none.
pub async fn import(
    state: &AppState,
    actor: &WorkspaceActor,
    csv: &str,
    dry_run: bool,
) -> Result<CsvImport, AppError> {
    actor.authorise(Role::Admin, Scope::MembersWrite)?;
    let mut tx = crate::access::begin_as_admin(state, actor).await?;
    if !dry_run {
        // An admin who has used up their hourly share of invitations can't start a bulk
        // invite either; the file's own limit bounds what one upload sends.
        crate::users::members::server::within_invitation_rate(&mut tx, actor, None).await?;
    }
    let inviter = store::Inviter {
        user_id: actor.user.id,
        workspace_id: actor.workspace.id,
    };
    let store::Imported { invitees, links } = store::import(
        &mut tx,
        &state.keys,
        inviter,
        csv.as_bytes(),
        state.config.bulk_invite_max_rows,
        state.config.invite_ttl,
        dry_run,
    )
    .await?;
    if dry_run {
        return Ok(CsvImport {
            invited: invitees.len(),
            dry_run,
            mails_queued: false,
        });
    }
    tx.commit().await?;
    tracing::info!(actor = actor.user.id, workspace = %actor.workspace.slug, invited = invitees.len(), "members invited from a CSV file");
    let mails: Vec<_> = invitees
        .iter()
        .zip(&links)
        .map(|(invitee, token)| {
            crate::users::members::server::invitation_mail_to(state, actor, &invitee.email, token)
        })
        .collect();
    let mails_queued = crate::mail::store::queue_many(state, &mails).await;
    Ok(CsvImport {
        invited: invitees.len(),
        dry_run,
        mails_queued,
    })
}
