//! The access-token use cases: a person's own tokens, a workspace's inventory, and
//! turning a request's bearer secret into an actor.

use super::store::{self, NewTokenRow};
use super::{CreatedToken, InventoryRow, NewToken, SECRET_PREFIX, TokenSummary};
use crate::access::{
    ActingAs, Caller, Credential, Scope, Standing, WorkspaceActor, WorkspaceRef, role_in_workspace,
};
use crate::audit;
use crate::db::now;
use crate::error::AppError;
use crate::memberships::Role;
use crate::state::AppState;
use crate::tokens::SecretToken;

/// How long a token's last-used time may lag behind: recording every request would
/// make every API read a write.
const LAST_USED_GRANULARITY_SECONDS: i64 = 60;
/// How many characters of the secret, after its prefix, the token lists show.
const HINT_CHARS: usize = 4;

pub async fn list_own(state: &AppState, caller: &Caller) -> Result<Vec<TokenSummary>, AppError> {
    if caller.credential != Credential::Session {
        return Err(AppError::SessionRequired);
    }
    store::of_user(&state.db, caller.user.id, now()).await
}

/// Creates a token for the caller. Only a session may: a token can't mint tokens.
pub async fn create(
    state: &AppState,
    caller: &Caller,
    request: NewToken,
) -> Result<CreatedToken, AppError> {
    if caller.credential != Credential::Session {
        return Err(AppError::SessionRequired);
    }
    let random = SecretToken::generate()?;
    let secret = format!("{SECRET_PREFIX}{}", random.expose());
    let hint: String = format!(
        "{SECRET_PREFIX}{}…",
        random.expose().chars().take(HINT_CHARS).collect::<String>()
    );
    let created_at = now();
    let expires_at = request
        .valid_for_days
        .map(|days| created_at + i64::from(days) * 86_400);
    let mut tx = crate::db::begin_write(&state.db).await?;
    let id = store::insert(
        &mut tx,
        NewTokenRow {
            user_id: caller.user.id,
            name: &request.name,
            secret_hash: &SecretToken::from_browser(&secret).hash(),
            hint: &hint,
            scopes: &request.scopes,
            created_at,
            expires_at,
        },
    )
    .await?;
    let detail = format!(
        "{}: {}",
        request.name,
        super::scopes_to_text(&request.scopes)
    );
    audit::record_own(
        &mut tx,
        caller.user.id,
        audit::Action::TokenCreated,
        &detail,
    )
    .await?;
    let token = store::find_of_user(&mut tx, caller.user.id, id, created_at)
        .await?
        .ok_or(AppError::Internal)?;
    tx.commit().await?;
    tracing::info!(
        user_id = caller.user.id,
        token_id = id,
        "access token created"
    );
    Ok(CreatedToken { token, secret })
}

/// Revokes one of the caller's tokens. Revoking it again changes nothing.
pub async fn revoke_own(state: &AppState, caller: &Caller, token_id: i64) -> Result<(), AppError> {
    if caller.credential != Credential::Session {
        return Err(AppError::SessionRequired);
    }
    let mut tx = crate::db::begin_write(&state.db).await?;
    let token = store::find_of_user(&mut tx, caller.user.id, token_id, now())
        .await?
        .ok_or(AppError::AccessTokenNotFound)?;
    if store::revoke(&mut tx, token_id, now()).await? {
        audit::record_own(
            &mut tx,
            caller.user.id,
            audit::Action::TokenRevoked,
            &token.name,
        )
        .await?;
    }
    tx.commit().await?;
    tracing::info!(user_id = caller.user.id, token_id, "access token revoked");
    Ok(())
}

/// Every token of the workspace's members, for its admins.
pub async fn inventory(
    state: &AppState,
    actor: &WorkspaceActor,
) -> Result<Vec<InventoryRow>, AppError> {
    actor.authorise(Role::Admin, Scope::MembersRead)?;
    store::of_workspace_members(&state.db, actor.workspace.id, now()).await
}

/// A request authenticated by an access token: its owner, with the token's scopes, and
/// the owner's standing in the workspace the request names.
pub struct TokenCaller {
    pub caller: Caller,
    workspace: Option<(WorkspaceRef, Standing)>,
}

impl TokenCaller {
    /// The owner acting in the workspace the request named, if they are an active
    /// member of it now.
    pub fn in_workspace(self) -> Result<WorkspaceActor, AppError> {
        let (workspace, standing) = self.workspace.ok_or(AppError::WorkspaceUnavailable)?;
        let role = role_in_workspace(&standing)?;
        Ok(WorkspaceActor {
            user: self.caller.user,
            workspace,
            role,
            credential: self.caller.credential,
            acting_as: ActingAs::Member,
            permissions_version: Some(standing.permissions_version),
        })
    }
}

/// The person behind a bearer secret. Unknown, revoked and expired tokens, and tokens of
/// archived accounts, are all refused alike. `admit` is asked, with the token's id,
/// whether its rate allows one more request, before anything is written: a refused
/// request leaves no last-used time, address or audit record. The first use from a new
/// address is audited.
pub async fn authenticate(
    state: &AppState,
    secret: &str,
    workspace_slug: Option<&str>,
    address: &str,
    admit: impl FnOnce(i64) -> bool,
) -> Result<TokenCaller, AppError> {
    if !secret.starts_with(SECRET_PREFIX) {
        return Err(AppError::AccessTokenInvalid);
    }
    let now = now();
    let hash = SecretToken::from_browser(secret).hash();
    let holder = store::holder(&state.db, &hash, workspace_slug, now)
        .await?
        .ok_or(AppError::AccessTokenInvalid)?;
    if !admit(holder.token_id) {
        return Err(AppError::TooManyRequests);
    }
    if holder.last_used_address.as_deref() != Some(address) {
        let mut tx = crate::db::begin_write(&state.db).await?;
        if store::remember_address(&mut tx, holder.token_id, address, now).await? {
            let detail = format!("token {} from {address}", holder.token_id);
            audit::record_own(
                &mut tx,
                holder.user.id,
                audit::Action::TokenUsedFromNewAddress,
                &detail,
            )
            .await?;
        }
        tx.commit().await?;
        store::record_use(&state.db, holder.token_id, now, address).await?;
    } else if holder
        .last_used_at
        .is_none_or(|last| now - last >= LAST_USED_GRANULARITY_SECONDS)
    {
        store::record_use(&state.db, holder.token_id, now, address).await?;
    }
    Ok(TokenCaller {
        caller: Caller {
            user: holder.user,
            credential: Credential::AccessToken {
                id: holder.token_id,
                scopes: holder.scopes,
            },
        },
        workspace: holder.workspace,
    })
}
