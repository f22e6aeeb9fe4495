//! Single sign-on's use cases: providers (super admins), workspace settings (admins),
//! and the sign-in itself, from the redirect to the provider to the session, with
//! just-in-time membership and group sync.

use std::collections::{BTreeSet, HashMap, HashSet};

use openidconnect::TokenResponse;
use openidconnect::core::CoreJsonWebKeySet;
use serde_json::Value;
use sqlx::AnyConnection;

use super::client::{self, ClientIdentity, Metadata, Rejected};
use super::rules::{self, ProviderSettings};
use super::store::{self, PendingSignIn, ProviderRow};
use super::sync::{self, MappedTo, SyncInput};
use super::{
    ConnectionReport, GroupsSource, MappableGroup, ProviderChoice, ProviderSummary, SignInOption,
    SsoRefusal, SyncMode, WorkspaceSso, WorkspaceSsoSettings,
};
use crate::access::{Caller, Credential, Scope, WorkspaceActor, WorkspaceRef, begin_as_admin};
use crate::audit::{self, Action};
use crate::db::{Db, begin_write, now};
use crate::error::AppError;
use crate::memberships::{MembershipStatus, Role};
use crate::permissions::Group;
use crate::provisioning::BuilderLevelGroups;
use crate::state::AppState;
use crate::tokens::SecretToken;

/// How long a sign-in may stay at the provider.
pub const SIGN_IN_TTL_SECONDS: i64 = 600;
/// A cached discovery document (and the keys fetched with it) is used this long.
const DISCOVERY_TTL_SECONDS: i64 = 3_600;
/// At most one fetch of a provider's keys in this time, however many tokens name a key
/// Gatehouse doesn't know.
pub const JWKS_REFRESH_COOLDOWN_SECONDS: i64 = 60;

fn summary(state: &AppState, row: &ProviderRow) -> ProviderSummary {
    ProviderSummary {
        id: row.id,
        slug: row.slug.clone(),
        display_name: row.display_name.clone(),
        issuer_url: row.issuer_url.clone(),
        client_id: row.client_id.clone(),
        scopes: row.scopes.clone(),
        email_claim: row.email_claim.clone(),
        groups_claim: row.groups_claim.clone(),
        groups_source: row.groups_source(),
        allowed_domains: row.allowed_domains.clone(),
        callback_url: callback_url(state, &row.slug),
    }
}

fn callback_url(state: &AppState, slug: &str) -> String {
    let base = state.config.public_url.as_str().trim_end_matches('/');
    format!("{base}{}", super::callback_path(slug))
}

pub async fn sign_in_options(state: &AppState) -> Result<Vec<SignInOption>, AppError> {
    let mut conn = state.db.acquire().await?;
    Ok(store::providers(&mut conn)
        .await?
        .into_iter()
        .map(|row| SignInOption {
            start_path: super::start_path(&row.slug),
            display_name: row.display_name,
        })
        .collect())
}

pub async fn list_providers(
    state: &AppState,
    caller: &Caller,
) -> Result<Vec<ProviderSummary>, AppError> {
    caller.as_super_admin_in_session()?;
    let mut conn = state.db.acquire().await?;
    Ok(store::providers(&mut conn)
        .await?
        .iter()
        .map(|row| summary(state, row))
        .collect())
}

/// Adds a provider (`provider_id` none) or changes one.
pub async fn save_provider(
    state: &AppState,
    caller: &Caller,
    provider_id: Option<i64>,
    settings: ProviderSettings,
) -> Result<ProviderSummary, AppError> {
    let admin = caller.as_super_admin_in_session()?;
    let mut tx = begin_write(&state.db).await?;
    let id = match provider_id {
        Some(id) => {
            store::provider(&mut tx, id)
                .await?
                .ok_or(AppError::SsoProviderNotFound)?;
            store::update_provider(&mut tx, &state.keys, id, &settings).await?;
            record_instance(
                &mut tx,
                admin.id,
                Action::SsoProviderChanged,
                &settings.display_name,
            )
            .await?;
            id
        }
        None => {
            let secret = settings
                .client_secret
                .as_deref()
                .ok_or(AppError::SsoClientSecretRequired)?;
            let slug = free_slug(&mut tx, &settings.display_name).await?;
            let id = store::insert_provider(&mut tx, &state.keys, &slug, &settings, secret).await?;
            record_instance(
                &mut tx,
                admin.id,
                Action::SsoProviderAdded,
                &settings.display_name,
            )
            .await?;
            id
        }
    };
    let row = store::provider(&mut tx, id)
        .await?
        .ok_or(AppError::SsoProviderNotFound)?;
    tx.commit().await?;
    Ok(summary(state, &row))
}

async fn free_slug(conn: &mut AnyConnection, display_name: &str) -> Result<String, AppError> {
    let base = crate::workspaces::slugs::slug_base(display_name);
    let base = if base.is_empty() {
        "idp".to_string()
    } else {
        base
    };
    for n in 1..=100 {
        let slug = if n == 1 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        if !store::slug_taken(conn, &slug).await? {
            return Ok(slug);
        }
    }
    Err(AppError::NoFreeWorkspaceUrl)
}

async fn record_instance(
    conn: &mut AnyConnection,
    actor_user_id: i64,
    action: Action,
    detail: &str,
) -> Result<(), AppError> {
    audit::record(
        conn,
        audit::Event {
            actor_user_id: Some(actor_user_id),
            workspace_id: None,
            target_user_id: None,
            action,
            detail,
        },
    )
    .await
}

pub async fn delete_provider(
    state: &AppState,
    caller: &Caller,
    provider_id: i64,
) -> Result<(), AppError> {
    let admin = caller.as_super_admin_in_session()?;
    let mut tx = begin_write(&state.db).await?;
    let row = store::provider(&mut tx, provider_id)
        .await?
        .ok_or(AppError::SsoProviderNotFound)?;
    store::delete_provider(&mut tx, provider_id).await?;
    record_instance(
        &mut tx,
        admin.id,
        Action::SsoProviderDeleted,
        &row.display_name,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Fetches the provider's discovery document and keys and says, in words, what they
/// hold and what is wrong.
pub async fn test_connection(
    state: &AppState,
    caller: &Caller,
    provider_id: i64,
) -> Result<ConnectionReport, AppError> {
    caller.as_super_admin_in_session()?;
    let mut conn = state.db.acquire().await?;
    let row = store::provider(&mut conn, provider_id)
        .await?
        .ok_or(AppError::SsoProviderNotFound)?;
    drop(conn);
    let http = client::http_client()?;
    let (metadata, jwks) = match client::discover(&http, &row.issuer_url).await {
        Ok(found) => found,
        Err(problem) => {
            return Ok(ConnectionReport {
                ok: false,
                findings: vec![problem],
            });
        }
    };
    cache(&state.db, &row, &metadata, &jwks).await?;
    Ok(describe_connection(&row, &metadata, &jwks))
}

fn describe_connection(
    row: &ProviderRow,
    metadata: &Metadata,
    jwks: &CoreJsonWebKeySet,
) -> ConnectionReport {
    let mut findings = vec![format!(
        "The discovery document was found, and its issuer is {}.",
        metadata.issuer().as_str()
    )];
    let mut ok = true;
    let key_ids: Vec<String> = jwks
        .keys()
        .iter()
        .filter_map(|key| {
            use openidconnect::JsonWebKey;
            key.key_id().map(|id| id.to_string())
        })
        .collect();
    if jwks.keys().is_empty() {
        ok = false;
        findings.push(
            "The provider publishes no signing keys, so no ID token could be checked.".into(),
        );
    } else {
        findings.push(format!(
            "{} signing key(s) found{}.",
            jwks.keys().len(),
            if key_ids.is_empty() {
                String::new()
            } else {
                format!(" (key ids: {})", key_ids.join(", "))
            }
        ));
    }
    if metadata.token_endpoint().is_none() {
        ok = false;
        findings.push("The provider has no token endpoint, so the code can't be exchanged.".into());
    }
    let supports_code = metadata
        .response_types_supported()
        .iter()
        .any(|types| types.contains(&openidconnect::core::CoreResponseType::Code));
    if !supports_code {
        ok = false;
        findings.push("The provider doesn't offer the authorization code flow.".into());
    }
    if row.groups_source() == GroupsSource::Userinfo && metadata.userinfo_endpoint().is_none() {
        ok = false;
        findings.push(
            "Groups are to be read from userinfo, but the provider has no userinfo endpoint."
                .into(),
        );
    }
    if let Some(supported) = metadata.scopes_supported() {
        let missing: Vec<&str> = row
            .scopes
            .split_whitespace()
            .filter(|scope| !supported.iter().any(|known| known.as_str() == *scope))
            .collect();
        if !missing.is_empty() {
            findings.push(format!(
                "The provider doesn't list these scopes as supported: {}. It may refuse them.",
                missing.join(", ")
            ));
        }
    }
    if metadata
        .additional_metadata()
        .end_session_endpoint
        .is_some()
    {
        findings.push("Signing out of Gatehouse will sign out at the provider too.".into());
    } else {
        findings.push("The provider offers no sign-out endpoint: signing out ends the Gatehouse session only.".into());
    }
    if ok {
        findings.insert(0, "The connection works.".into());
    }
    ConnectionReport { ok, findings }
}

async fn cache(
    db: &Db,
    row: &ProviderRow,
    metadata: &Metadata,
    jwks: &CoreJsonWebKeySet,
) -> Result<(), AppError> {
    let (Ok(discovery), Ok(keys)) = (serde_json::to_string(metadata), serde_json::to_string(jwks))
    else {
        tracing::error!(
            provider = row.id,
            "could not serialise a discovery document"
        );
        return Err(AppError::Internal);
    };
    store::cache_discovery(db, row.id, &discovery, &keys).await
}

/// The provider's discovery document and keys: cached while fresh, fetched otherwise.
async fn connection(
    db: &Db,
    http: &openidconnect::reqwest::Client,
    row: &ProviderRow,
) -> Result<(Metadata, CoreJsonWebKeySet), SsoRefusal> {
    let fresh = row
        .discovered_at
        .is_some_and(|at| at > now() - DISCOVERY_TTL_SECONDS);
    if fresh && let (Some(discovery), Some(jwks)) = (&row.discovery, &row.jwks) {
        let metadata = serde_json::from_str::<Metadata>(discovery);
        let jwks = serde_json::from_str::<CoreJsonWebKeySet>(jwks);
        if let (Ok(metadata), Ok(jwks)) = (metadata, jwks) {
            return Ok((metadata, jwks));
        }
    }
    let (metadata, jwks) = client::discover(http, &row.issuer_url)
        .await
        .map_err(|problem| {
            tracing::warn!(provider = row.id, %problem, "identity provider discovery failed");
            SsoRefusal::ProviderUnreachable
        })?;
    cache(db, row, &metadata, &jwks)
        .await
        .map_err(|_| SsoRefusal::ProviderUnreachable)?;
    Ok((metadata, jwks))
}

/// Where the browser goes to sign in at a provider, and the state it must bring back.
pub struct SignInRedirect {
    pub url: String,
    pub state: String,
}

pub async fn begin_sign_in(
    state: &AppState,
    provider_slug: &str,
    next: Option<String>,
) -> Result<SignInRedirect, AppError> {
    let row = store::provider_by_slug(&state.db, provider_slug)
        .await?
        .ok_or(AppError::SsoProviderNotFound)?;
    let http = client::http_client()?;
    let (metadata, _) = connection(&state.db, &http, &row)
        .await
        .map_err(|refusal| AppError::SsoRefused { refusal })?;
    let secret = row.open_secret(&state.keys)?;
    let redirect_url = callback_url(state, &row.slug);
    let scopes: Vec<String> = row.scopes.split_whitespace().map(str::to_string).collect();
    let authorization = client::authorization(
        &metadata,
        &ClientIdentity {
            client_id: &row.client_id,
            client_secret: &secret,
            redirect_url: &redirect_url,
        },
        &scopes,
    )?;
    store::insert_pending(
        &state.db,
        &SecretToken::from_browser(&authorization.state).hash(),
        &PendingSignIn {
            provider_id: row.id,
            nonce: authorization.nonce,
            pkce_verifier: authorization.pkce_verifier,
            next_path: crate::auth::safe_next_path(next.as_deref()),
            expires_at: now() + SIGN_IN_TTL_SECONDS,
        },
    )
    .await?;
    Ok(SignInRedirect {
        url: authorization.url.to_string(),
        state: authorization.state,
    })
}

/// What the provider sent back to the callback.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
}

/// A finished sign-in: the session to set and where the browser goes.
pub struct SignedIn {
    pub user_id: i64,
    pub session: SecretToken,
    pub landing: String,
}

/// The person the provider vouched for.
struct Vouched {
    subject: String,
    email: String,
    full_name: String,
    /// `None` when the groups claim was absent: sync then leaves groups alone rather
    /// than removing everything.
    groups: Option<Vec<String>>,
    id_token: String,
}

/// Completes a sign-in at the callback. `browser_state` is the state this browser was
/// given with the redirect (a cookie): a callback carrying another state, or one used
/// already, is refused.
pub async fn complete_sign_in(
    state: &AppState,
    provider_slug: &str,
    query: CallbackQuery,
    browser_state: Option<String>,
) -> Result<SignedIn, AppError> {
    let refused = |refusal| AppError::SsoRefused { refusal };
    let row = store::provider_by_slug(&state.db, provider_slug)
        .await?
        .ok_or(AppError::SsoProviderNotFound)?;
    let returned_state = query.state.ok_or(refused(SsoRefusal::StateInvalid))?;
    if browser_state.as_deref() != Some(returned_state.as_str()) {
        return Err(refused(SsoRefusal::StateInvalid));
    }
    let pending = store::take_pending(
        &state.db,
        &SecretToken::from_browser(&returned_state).hash(),
    )
    .await?
    .filter(|pending| pending.provider_id == row.id && pending.expires_at > now())
    .ok_or(refused(SsoRefusal::StateInvalid))?;
    if let Some(error) = query.error {
        tracing::info!(provider = row.id, %error, "the identity provider refused a sign-in");
        return Err(refused(SsoRefusal::ProviderRefused));
    }
    let code = query.code.ok_or(refused(SsoRefusal::ProviderRefused))?;
    let vouched = vouch(state, &row, &pending, &code).await.map_err(refused)?;
    let email_domain_allowed = rules::domain_allowed(&vouched.email, &row.allowed_domains());
    if !email_domain_allowed {
        return Err(refused(SsoRefusal::DomainNotAllowed));
    }
    let user_id = admit(state, &row, &vouched).await?;
    let session = crate::auth::session::start(&state.db, user_id, state.config.session_ttl).await?;
    store::mark_session(&state.db, &session.hash(), row.id, &vouched.id_token).await?;
    let landing = match pending.next_path {
        Some(next) => next,
        None => crate::workspaces::store::landing_slug(&state.db, user_id)
            .await?
            .map_or_else(|| "/".to_string(), |slug| format!("/{slug}")),
    };
    tracing::info!(
        user_id,
        provider = row.id,
        "signed in through single sign-on"
    );
    Ok(SignedIn {
        user_id,
        session,
        landing,
    })
}

/// Exchanges the code and checks what the provider says about the person.
async fn vouch(
    state: &AppState,
    row: &ProviderRow,
    pending: &PendingSignIn,
    code: &str,
) -> Result<Vouched, SsoRefusal> {
    let http = client::http_client().map_err(|_| SsoRefusal::ProviderUnreachable)?;
    let (metadata, jwks) = connection(&state.db, &http, row).await?;
    let secret = row
        .open_secret(&state.keys)
        .map_err(|_| SsoRefusal::ProviderUnreachable)?;
    let redirect_url = callback_url(state, &row.slug);
    let identity = ClientIdentity {
        client_id: &row.client_id,
        client_secret: &secret,
        redirect_url: &redirect_url,
    };
    let response =
        client::exchange_code(&http, &metadata, &identity, code, &pending.pkce_verifier).await?;
    let id_token = response.id_token().ok_or(SsoRefusal::TokenInvalid)?;
    let checked =
        client::verify_id_token(id_token, &metadata, &jwks, &identity, &pending.nonce, now());
    let claims = match checked {
        Ok(claims) => claims,
        Err(Rejected::Refused(refusal)) => return Err(refusal),
        Err(Rejected::UnknownKey) => {
            // The provider may have rotated its keys: fetch them once, then try again.
            let refreshed = refresh_keys(&state.db, &http, row, &metadata).await?;
            client::verify_id_token(
                id_token,
                &metadata,
                &refreshed,
                &identity,
                &pending.nonce,
                now(),
            )
            .map_err(|rejected| match rejected {
                Rejected::Refused(refusal) => refusal,
                Rejected::UnknownKey => SsoRefusal::TokenInvalid,
            })?
        }
    };
    let subject = claims
        .get("sub")
        .and_then(Value::as_str)
        .ok_or(SsoRefusal::TokenInvalid)?
        .to_string();
    let email = rules::verified_email(&claims, &row.email_claim)?;
    let groups = match row.groups_source() {
        GroupsSource::IdToken => rules::groups_in(&claims, &row.groups_claim),
        GroupsSource::AccessToken => {
            client::payload_claims(client::access_token(&response).secret())
                .and_then(|access| rules::groups_in(&access, &row.groups_claim))
        }
        GroupsSource::Userinfo => {
            let info =
                client::userinfo(&http, &metadata, client::access_token(&response), &subject)
                    .await?;
            rules::groups_in(&info, &row.groups_claim)
        }
    };
    if groups.is_none() {
        tracing::info!(provider = row.id, claim = %row.groups_claim, "no groups claim in the provider's answer");
    }
    Ok(Vouched {
        full_name: rules::full_name_from(&claims, &email),
        subject,
        email,
        groups,
        id_token: id_token.to_string(),
    })
}

async fn refresh_keys(
    db: &Db,
    http: &openidconnect::reqwest::Client,
    row: &ProviderRow,
    metadata: &Metadata,
) -> Result<CoreJsonWebKeySet, SsoRefusal> {
    let claimed = store::claim_jwks_refresh(db, row.id, JWKS_REFRESH_COOLDOWN_SECONDS)
        .await
        .map_err(|_| SsoRefusal::ProviderUnreachable)?;
    if !claimed {
        // Refreshed a moment ago, here or on another instance: the key isn't there.
        return Err(SsoRefusal::TokenInvalid);
    }
    let jwks = client::fetch_jwks(http, metadata).await?;
    if let Ok(text) = serde_json::to_string(&jwks) {
        store::cache_jwks(db, row.id, &text)
            .await
            .map_err(|_| SsoRefusal::ProviderUnreachable)?;
    }
    Ok(jwks)
}

/// Links the identity to an account (creating one when a workspace will take them in),
/// brings them into the workspaces that accept this provider and syncs their groups, in
/// one transaction. Returns the account.
async fn admit(state: &AppState, row: &ProviderRow, vouched: &Vouched) -> Result<i64, AppError> {
    let refused = |refusal| AppError::SsoRefused { refusal };
    let issuer = row.issuer_url.as_str();
    let mut tx = begin_write(&state.db).await?;
    let workspaces = store::accepting_workspaces(&mut tx, row.id).await?;
    for (workspace_id, _, _) in &workspaces {
        crate::db::lock_workspace(&mut tx, *workspace_id).await?;
    }
    let linked = store::linked_user(&mut tx, issuer, &vouched.subject).await?;
    let user_id = match linked {
        Some(user_id) => {
            store::touch_identity(&mut tx, issuer, &vouched.subject).await?;
            user_id
        }
        None => {
            let existing = crate::users::store::account_id(&mut tx, &vouched.email).await?;
            let user_id = match existing {
                // After the first link, an identity is known by its subject alone: an
                // account linked to another subject at this issuer isn't theirs.
                Some(user_id) if store::linked_at_issuer(&mut tx, user_id, issuer).await? => {
                    return Err(refused(SsoRefusal::LinkedToSomeoneElse));
                }
                Some(user_id) => user_id,
                None => {
                    let will_join = any_workspace_takes_newcomers(&mut tx, &workspaces).await?;
                    if !will_join {
                        return Err(refused(SsoRefusal::NoWorkspace));
                    }
                    new_account(&mut tx, vouched).await?
                }
            };
            store::link(&mut tx, issuer, &vouched.subject, user_id, row.id).await?;
            audit::record_own(
                &mut tx,
                user_id,
                Action::SsoIdentityLinked,
                &row.display_name,
            )
            .await?;
            user_id
        }
    };
    let (account_status, is_super_admin): (String, i64) =
        sqlx::query_as("SELECT status, is_super_admin FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await?;
    if account_status == "archived" {
        return Err(AppError::AccountArchived);
    }
    if account_status == "invited" {
        sqlx::query("UPDATE users SET status = 'active', updated_at = $1 WHERE id = $2")
            .bind(now())
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
    }
    let mut active_somewhere = false;
    for (workspace_id, slug, name) in workspaces {
        let workspace = WorkspaceRef {
            id: workspace_id,
            slug,
            name,
        };
        active_somewhere |= settle_membership(&mut tx, row, &workspace, user_id, vouched).await?;
    }
    let member_elsewhere = store::active_anywhere(&mut tx, user_id).await?;
    if !active_somewhere && !member_elsewhere && is_super_admin == 0 {
        return Err(refused(SsoRefusal::NoWorkspace));
    }
    audit::record_own(&mut tx, user_id, Action::SsoSignedIn, &row.display_name).await?;
    tx.commit().await?;
    Ok(user_id)
}

async fn any_workspace_takes_newcomers(
    conn: &mut AnyConnection,
    workspaces: &[(i64, String, String)],
) -> Result<bool, AppError> {
    for (workspace_id, _, _) in workspaces {
        if store::workspace_settings(conn, *workspace_id)
            .await?
            .settings
            .join_on_first_sign_in
        {
            return Ok(true);
        }
    }
    Ok(false)
}

async fn new_account(conn: &mut AnyConnection, vouched: &Vouched) -> Result<i64, AppError> {
    let user_id = crate::users::store::insert(
        conn,
        crate::users::store::NewUser {
            email: &vouched.email,
            full_name: &vouched.full_name,
            password_hash: None,
            is_super_admin: false,
            default_workspace_id: None,
        },
    )
    .await?;
    // Without a password, an account starts invited; this one has proven its owner.
    sqlx::query("UPDATE users SET status = 'active' WHERE id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(user_id)
}

/// Brings one membership in line with a sign-in: joins the workspace just in time,
/// activates an invitation, leaves an archived membership archived, and syncs groups.
/// Returns whether the member is active in this workspace afterwards.
async fn settle_membership(
    tx: &mut AnyConnection,
    row: &ProviderRow,
    workspace: &WorkspaceRef,
    user_id: i64,
    vouched: &Vouched,
) -> Result<bool, AppError> {
    let stored = store::workspace_settings(tx, workspace.id).await?;
    let settings = &stored.settings;
    let member = crate::users::store::find_member(tx, workspace.id, user_id).await?;
    let joined = match &member {
        Some(member) if member.status == MembershipStatus::Archived => return Ok(false),
        Some(member) if member.status == MembershipStatus::Invited => {
            crate::invitations::store::activate(tx, member.membership_id, workspace.id, user_id)
                .await?;
            record_member(
                tx,
                workspace.id,
                user_id,
                Action::InvitationAccepted,
                &row.display_name,
            )
            .await?;
            false
        }
        Some(_) => false,
        None if settings.join_on_first_sign_in => {
            crate::workspaces::store::insert_membership(
                tx,
                workspace.id,
                user_id,
                settings.default_role,
                MembershipStatus::Active,
                None,
            )
            .await?;
            record_member(
                tx,
                workspace.id,
                user_id,
                Action::SsoJoined,
                settings.default_role.key(),
            )
            .await?;
            true
        }
        None => return Ok(false),
    };
    if settings.sync_mode != SyncMode::Off
        && let Some(groups) = &vouched.groups
    {
        sync_member(tx, row, workspace, &stored, user_id, groups, joined).await?;
    }
    Ok(true)
}

async fn record_member(
    conn: &mut AnyConnection,
    workspace_id: i64,
    user_id: i64,
    action: Action,
    detail: &str,
) -> Result<(), AppError> {
    audit::record(
        conn,
        audit::Event {
            actor_user_id: Some(user_id),
            workspace_id: Some(workspace_id),
            target_user_id: Some(user_id),
            action,
            detail,
        },
    )
    .await
}

/// The admin group sync acts for: whoever last saved the workspace's settings, while
/// they are its active admin.
async fn sync_actor(
    conn: &mut AnyConnection,
    workspace: &WorkspaceRef,
    saved_by: Option<i64>,
    provider_id: i64,
) -> Result<Option<WorkspaceActor>, AppError> {
    let Some(admin_id) = saved_by else {
        return Ok(None);
    };
    let Some(admin) = crate::users::store::find_member(conn, workspace.id, admin_id).await? else {
        return Ok(None);
    };
    if admin.role != Role::Admin
        || admin.status != MembershipStatus::Active
        || admin.account_archived
    {
        return Ok(None);
    }
    let (email, full_name, is_super_admin): (String, String, i64) =
        sqlx::query_as("SELECT email, full_name, is_super_admin FROM users WHERE id = $1")
            .bind(admin_id)
            .fetch_one(&mut *conn)
            .await?;
    Ok(Some(WorkspaceActor {
        user: crate::access::SignedInUser {
            id: admin_id,
            email,
            full_name,
            is_super_admin: is_super_admin == 1,
        },
        workspace: workspace.clone(),
        role: Role::Admin,
        credential: Credential::SingleSignOn { provider_id },
        acting_as: crate::access::ActingAs::Member,
        permissions_version: None,
    }))
}

/// Applies group sync to one member. A group whose change the workspace's rules refuse
/// (the end-user rule, the last admin) is skipped, recorded and shown on the member's row;
/// the sign-in goes on.
async fn sync_member(
    tx: &mut AnyConnection,
    row: &ProviderRow,
    workspace: &WorkspaceRef,
    stored: &store::StoredSettings,
    user_id: i64,
    idp_groups: &[String],
    joined_now: bool,
) -> Result<(), AppError> {
    let settings = &stored.settings;
    let Some(actor) = sync_actor(tx, workspace, stored.saved_by, row.id).await? else {
        store::mark_synced(
            tx,
            workspace.id,
            user_id,
            Some("Group sync is paused: the admin who saved the single sign-on settings is no longer an admin. An admin saves them again."),
        )
        .await?;
        return Ok(());
    };
    let synced_before: Option<i64> = sqlx::query_scalar(
        "SELECT sso_synced_at FROM memberships WHERE workspace_id = $1 AND user_id = $2",
    )
    .bind(workspace.id)
    .bind(user_id)
    .fetch_one(&mut *tx)
    .await?;
    let first_sign_in = joined_now || synced_before.is_none();
    let mut mappings = store::mapped_targets(tx, workspace.id).await?;
    if settings.create_groups {
        create_unmapped_groups(tx, &actor, settings, idp_groups, &mut mappings).await?;
    }
    let Some(member) = crate::users::store::find_member(tx, workspace.id, user_id).await? else {
        return Ok(());
    };
    let member_groups: BTreeSet<i64> =
        crate::groups::store::custom_group_ids_of(tx, workspace.id, user_id)
            .await?
            .into_iter()
            .collect();
    let plan = sync::plan(&SyncInput {
        idp_groups,
        mappings: &mappings,
        member_groups: &member_groups,
        member_role: member.role,
        default_role: settings.default_role,
        mode: settings.sync_mode,
        first_sign_in,
        ignore_case: settings.ignore_case,
    });
    let mut skipped: Vec<String> = Vec::new();
    let mut role_now = member.role;
    if let Some(role) = plan.role {
        match crate::memberships::operations::change_role(tx, &actor, &member, role).await {
            Ok(_) => role_now = role,
            Err(error @ (AppError::LastActiveAdmin | AppError::CannotMakeYourselfEndUser)) => {
                let reason = format!("{}: {error}", role.label());
                audit::record_by(tx, &actor, Some(user_id), Action::SsoGroupSkipped, &reason)
                    .await?;
                skipped.push(reason);
            }
            Err(other) => return Err(other),
        }
    }
    if !plan.join.is_empty() || !plan.leave.is_empty() {
        let groups: HashMap<i64, Group> = crate::groups::store::all_with_rules(tx, workspace.id)
            .await?
            .into_iter()
            .map(|group| (group.id, group))
            .collect();
        let promote = settings.builder_level_groups == BuilderLevelGroups::Promote;
        let mut admitted = Vec::with_capacity(plan.join.len());
        let mut promotes = false;
        for group in plan.join.iter().filter_map(|id| groups.get(id)) {
            // The end-user rule: an End-user never holds a builder-level permission.
            if role_now == Role::EndUser && group.is_builder_level() {
                if promote {
                    promotes = true;
                } else {
                    let reason = format!(
                        "{}: it gives builder-level permissions, and this workspace doesn't make End-users Builders through single sign-on",
                        group.name
                    );
                    audit::record_by(tx, &actor, Some(user_id), Action::SsoGroupSkipped, &reason)
                        .await?;
                    skipped.push(reason);
                    continue;
                }
            }
            admitted.push(group.id);
        }
        if promotes {
            crate::memberships::operations::promote_to_builder(tx, &actor, user_id).await?;
        }
        let name_of = |id: &i64| groups.get(id).map_or("", |group| group.name.as_str());
        let joined =
            crate::groups::store::join_groups(tx, workspace.id, user_id, &admitted).await?;
        let names: Vec<&str> = joined.iter().map(name_of).collect();
        audit::record_each_by(tx, &actor, user_id, Action::GroupMemberAdded, &names).await?;
        let left =
            crate::groups::store::leave_groups(tx, workspace.id, user_id, &plan.leave).await?;
        let names: Vec<&str> = left.iter().map(name_of).collect();
        audit::record_each_by(tx, &actor, user_id, Action::GroupMemberRemoved, &names).await?;
    }
    let warning =
        (!skipped.is_empty()).then(|| format!("Skipped by group sync: {}", skipped.join("; ")));
    store::mark_synced(tx, workspace.id, user_id, warning.as_deref()).await
}

/// With "create groups" on, an IdP group no mapping names gets a custom group of its own
/// name (or the existing one of that name) and a mapping to it.
async fn create_unmapped_groups(
    tx: &mut AnyConnection,
    actor: &WorkspaceActor,
    settings: &WorkspaceSsoSettings,
    idp_groups: &[String],
    mappings: &mut Vec<(String, MappedTo)>,
) -> Result<(), AppError> {
    let mapped: HashSet<String> = mappings
        .iter()
        .map(|(name, _)| sync::group_key(name, settings.ignore_case))
        .collect();
    for idp_group in idp_groups {
        if mapped.contains(&sync::group_key(idp_group, settings.ignore_case)) {
            continue;
        }
        let Ok(name) = crate::permissions::changes::normalise_group_name(idp_group) else {
            continue;
        };
        let existing =
            crate::groups::store::custom_group_named(tx, actor.workspace.id, &name).await?;
        let group_id = match existing {
            Some(group_id) => group_id,
            None => {
                let group_id = crate::groups::store::create(tx, actor.workspace.id, &name).await?;
                audit::record_by(tx, actor, None, Action::GroupCreated, &name).await?;
                group_id
            }
        };
        store::add_mapping(tx, actor.workspace.id, idp_group, group_id).await?;
        mappings.push((idp_group.clone(), MappedTo::Group(group_id)));
    }
    Ok(())
}

pub async fn workspace_settings(
    state: &AppState,
    actor: &WorkspaceActor,
) -> Result<WorkspaceSso, AppError> {
    actor.authorise(Role::Admin, Scope::GroupsWrite)?;
    let mut conn = state.db.acquire().await?;
    let stored = store::workspace_settings(&mut conn, actor.workspace.id).await?;
    let settings = stored.settings;
    let providers = store::providers(&mut conn)
        .await?
        .into_iter()
        .map(|row| ProviderChoice {
            accepted: settings.accepted_providers.contains(&row.id),
            id: row.id,
            display_name: row.display_name,
        })
        .collect();
    let groups = crate::groups::store::list(&mut conn, actor.workspace.id)
        .await?
        .into_iter()
        .map(|group| MappableGroup {
            id: group.id,
            name: group.name,
        })
        .collect();
    Ok(WorkspaceSso {
        providers,
        require_sso: settings.require_sso,
        join_on_first_sign_in: settings.join_on_first_sign_in,
        default_role: settings.default_role,
        sync_mode: settings.sync_mode,
        ignore_case: settings.ignore_case,
        create_groups: settings.create_groups,
        builder_level_groups: settings.builder_level_groups,
        mappings: settings.mappings,
        groups,
    })
}

pub async fn save_workspace_settings(
    state: &AppState,
    actor: &WorkspaceActor,
    settings: WorkspaceSsoSettings,
) -> Result<(), AppError> {
    actor.authorise(Role::Admin, Scope::GroupsWrite)?;
    let mut tx = begin_as_admin(state, actor).await?;
    let known: HashSet<i64> = store::providers(&mut tx)
        .await?
        .into_iter()
        .map(|row| row.id)
        .collect();
    if settings
        .accepted_providers
        .iter()
        .any(|id| !known.contains(id))
    {
        return Err(AppError::SsoProviderNotFound);
    }
    if settings.require_sso && settings.accepted_providers.is_empty() {
        return Err(AppError::SsoRequiresProvider);
    }
    let groups: HashSet<i64> = crate::groups::store::list(&mut tx, actor.workspace.id)
        .await?
        .into_iter()
        .map(|group| group.id)
        .collect();
    if settings
        .mappings
        .iter()
        .any(|mapping| !groups.contains(&mapping.group_id))
    {
        return Err(AppError::SsoMappingGroupUnknown);
    }
    store::save_workspace_settings(&mut tx, actor.workspace.id, actor.user.id, &settings).await?;
    let detail = format!(
        "providers: {}; require: {}; sync: {}; mappings: {}",
        settings.accepted_providers.len(),
        settings.require_sso,
        settings.sync_mode.key(),
        settings.mappings.len()
    );
    audit::record_by(&mut tx, actor, None, Action::SsoSettingsChanged, &detail).await?;
    tx.commit().await?;
    Ok(())
}

/// Refuses a password sign-in for someone whose workspace requires single sign-on;
/// super admins keep their password, so that a broken provider can't lock everyone out.
pub async fn check_password_sign_in(
    db: &Db,
    user_id: i64,
    is_super_admin: bool,
) -> Result<(), AppError> {
    if !is_super_admin && store::sso_required_for(db, user_id).await? {
        return Err(AppError::SsoRequired);
    }
    Ok(())
}

/// Where the browser goes after signing out, when the session began at a provider that
/// offers RP-initiated logout.
pub async fn provider_sign_out(
    state: &AppState,
    session: &SecretToken,
) -> Result<Option<String>, AppError> {
    let Some((row, id_token)) = store::session_origin(&state.db, &session.hash()).await? else {
        return Ok(None);
    };
    let Some(discovery) = &row.discovery else {
        return Ok(None);
    };
    let Ok(metadata) = serde_json::from_str::<Metadata>(discovery) else {
        return Ok(None);
    };
    let after = format!(
        "{}/sign-in",
        state.config.public_url.as_str().trim_end_matches('/')
    );
    Ok(client::logout_url(&metadata, &id_token, &row.client_id, &after).map(|url| url.to_string()))
}
