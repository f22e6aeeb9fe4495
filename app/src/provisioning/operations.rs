//! The provisioning use cases: the admin's (tokens, settings, handing members over) and
//! the identity provider's (SCIM Users and Groups), each in one transaction.

use std::collections::{BTreeMap, HashSet};

use serde_json::{Value, json};

use super::scim::{ScimError, group_patch, patch, schema, user};
use super::store::{self, Paging, ScimGroup, ScimMember, ScimOrApp};
use super::{
    AttributeMapping, BuilderLevelGroups, CreatedScimToken, MAX_TOKEN_NAME_CHARS,
    ProvisioningOverview, SECRET_PREFIX,
};
use crate::access::{Credential, Scope, WorkspaceActor, actor_in, begin_as_admin};
use crate::audit::{self, Action};
use crate::db::now;
use crate::error::AppError;
use crate::memberships::Role;
use crate::state::AppState;
use crate::tokens::SecretToken;

/// How long a token's last-used time may lag behind: recording every request would
/// make every SCIM read a write.
const LAST_USED_GRANULARITY_SECONDS: i64 = 60;
const HINT_CHARS: usize = 4;
/// How many requests the Provisioning page lists.
const LISTED_REQUESTS: i64 = 50;

fn in_session(actor: &WorkspaceActor) -> Result<(), AppError> {
    actor.authorise(Role::Admin, Scope::MembersWrite)?;
    if actor.credential != Credential::Session {
        return Err(AppError::SessionRequired);
    }
    Ok(())
}

/// The workspace's SCIM URL for the instance's public address.
pub fn base_url(state: &AppState, slug: &str) -> String {
    let public = state.config.public_url.as_str().trim_end_matches('/');
    format!("{public}{}/{slug}", super::BASE_PATH)
}

pub async fn overview(
    state: &AppState,
    actor: &WorkspaceActor,
) -> Result<ProvisioningOverview, AppError> {
    in_session(actor)?;
    let mut conn = state.db.acquire().await?;
    let tokens = store::tokens_of(&mut conn, actor.workspace.id).await?;
    let (builder_level_groups, mappings) = store::settings(&mut conn, actor.workspace.id).await?;
    let requests = store::latest_requests(&mut conn, actor.workspace.id, LISTED_REQUESTS).await?;
    Ok(ProvisioningOverview {
        base_url: base_url(state, &actor.workspace.slug),
        tokens,
        builder_level_groups,
        mappings,
        requests,
    })
}

pub async fn create_token(
    state: &AppState,
    actor: &WorkspaceActor,
    name: &str,
) -> Result<CreatedScimToken, AppError> {
    in_session(actor)?;
    let name = name.trim();
    crate::users::refuse_control_characters(name)?;
    if name.is_empty() {
        return Err(AppError::TokenNameRequired);
    }
    if name.chars().count() > MAX_TOKEN_NAME_CHARS {
        return Err(AppError::TokenNameTooLong {
            max: MAX_TOKEN_NAME_CHARS,
        });
    }
    let random = SecretToken::generate()?;
    let secret = format!("{SECRET_PREFIX}{}", random.expose());
    let hint = format!(
        "{SECRET_PREFIX}{}…",
        random.expose().chars().take(HINT_CHARS).collect::<String>()
    );
    let mut tx = begin_as_admin(state, actor).await?;
    let id = store::insert_token(
        &mut tx,
        store::NewTokenRow {
            workspace_id: actor.workspace.id,
            created_by: actor.user.id,
            name,
            secret_hash: &SecretToken::from_browser(&secret).hash(),
            hint: &hint,
            created_at: now(),
        },
    )
    .await?;
    audit::record_by(&mut tx, actor, None, Action::ScimTokenCreated, name).await?;
    let token = store::find_token(&mut tx, actor.workspace.id, id)
        .await?
        .ok_or(AppError::Internal)?;
    tx.commit().await?;
    tracing::info!(actor = actor.user.id, token_id = id, "SCIM token created");
    Ok(CreatedScimToken { token, secret })
}

pub async fn revoke_token(
    state: &AppState,
    actor: &WorkspaceActor,
    token_id: i64,
) -> Result<(), AppError> {
    in_session(actor)?;
    let mut tx = begin_as_admin(state, actor).await?;
    let token = store::find_token(&mut tx, actor.workspace.id, token_id)
        .await?
        .ok_or(AppError::ScimTokenNotFound)?;
    if store::revoke_token(&mut tx, token_id, now()).await? {
        audit::record_by(&mut tx, actor, None, Action::ScimTokenRevoked, &token.name).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn save_settings(
    state: &AppState,
    actor: &WorkspaceActor,
    policy: BuilderLevelGroups,
    mappings: Vec<AttributeMapping>,
) -> Result<(), AppError> {
    in_session(actor)?;
    let mut tx = begin_as_admin(state, actor).await?;
    store::save_settings(&mut tx, actor.workspace.id, policy, &mappings).await?;
    let detail = std::iter::once(format!("builder-level groups: {}", policy.key()))
        .chain(
            mappings
                .iter()
                .map(|m| format!("{} -> {}", m.scim_path, m.meta_key)),
        )
        .collect::<Vec<_>>()
        .join("; ");
    audit::record_by(
        &mut tx,
        actor,
        None,
        Action::ProvisioningSettingsChanged,
        &detail,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Hands a member over to the identity provider (it may then deactivate and delete
/// them), or takes them back.
pub async fn set_provisioned(
    state: &AppState,
    actor: &WorkspaceActor,
    user_id: i64,
    provisioned: bool,
) -> Result<(), AppError> {
    actor.authorise(Role::Admin, Scope::MembersWrite)?;
    let mut tx = begin_as_admin(state, actor).await?;
    crate::users::members::server::member(&mut tx, actor, user_id).await?;
    if store::set_provisioned(&mut tx, actor.workspace.id, user_id, provisioned).await? {
        let action = if provisioned {
            Action::MemberHandedOver
        } else {
            Action::MemberTakenBack
        };
        audit::record_by(&mut tx, actor, Some(user_id), action, "").await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The identity provider behind a SCIM bearer secret, acting in the workspace at `slug`
/// with the rights of the admin who created the token, while they are one.
pub async fn authenticate(
    state: &AppState,
    secret: &str,
    slug: &str,
) -> Result<WorkspaceActor, AppError> {
    if !secret.starts_with(SECRET_PREFIX) {
        return Err(AppError::ScimTokenInvalid);
    }
    let hash = SecretToken::from_browser(secret).hash();
    let holder = store::holder(&state.db, &hash, slug)
        .await?
        .ok_or(AppError::ScimTokenInvalid)?;
    let actor = actor_in(
        state,
        holder.creator,
        Credential::ScimToken {
            id: holder.token_id,
        },
        slug,
    )
    .await
    .map_err(|_| AppError::ScimTokenCreatorGone)?;
    if actor.role != Role::Admin {
        return Err(AppError::ScimTokenCreatorGone);
    }
    let now = now();
    if holder
        .last_used_at
        .is_none_or(|last| now - last >= LAST_USED_GRANULARITY_SECONDS)
    {
        store::record_token_use(&state.db, holder.token_id, now).await?;
    }
    Ok(actor)
}

/// A listing request, read from the query string.
pub struct Listing {
    pub filter: Option<scim_v2::filter::Filter>,
    pub paging: Paging,
}

/// A SCIM ListResponse.
fn list_response(total: i64, start_index: i64, resources: Vec<Value>) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": total,
        "startIndex": start_index,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

/// `POST /.search` at the service's root (RFC 7644 §3.4.3): Users, then Groups, as one
/// list paged across both. A filter naming an attribute only one of them has leaves
/// the other out.
pub async fn search_everything(
    state: &AppState,
    actor: &WorkspaceActor,
    base_url: &str,
    listing: Listing,
) -> Result<Value, ScimOrApp> {
    let Listing { filter, paging } = listing;
    let only = |start_index, count| Listing {
        filter: filter.clone(),
        paging: Paging {
            start_index,
            count,
            sort: None,
        },
    };
    let users = list_users(state, actor, base_url, only(1, 0)).await;
    let groups = list_groups(state, actor, base_url, only(1, 0), false).await;
    let (users_total, groups_total) = match (&users, &groups) {
        (Err(error), Err(_)) => return Err(clone_error(error)),
        _ => (total_of(&users), total_of(&groups)),
    };
    let start = paging.start_index;
    let users_count = (users_total - start + 1).clamp(0, paging.count);
    let groups_count = paging.count - users_count;
    let mut resources = Vec::new();
    if users_count > 0 {
        let page = list_users(state, actor, base_url, only(start, users_count)).await?;
        resources.extend(resources_of(page));
    }
    if groups_count > 0 && groups_total > 0 {
        let groups_start = (start - users_total).max(1);
        let page = list_groups(
            state,
            actor,
            base_url,
            only(groups_start, groups_count),
            true,
        )
        .await?;
        resources.extend(resources_of(page));
    }
    Ok(list_response(users_total + groups_total, start, resources))
}

fn total_of(listing: &Result<Value, ScimOrApp>) -> i64 {
    listing
        .as_ref()
        .ok()
        .and_then(|list| list["totalResults"].as_i64())
        .unwrap_or(0)
}

fn resources_of(mut list: Value) -> Vec<Value> {
    match list["Resources"].take() {
        Value::Array(resources) => resources,
        _ => Vec::new(),
    }
}

fn clone_error(error: &ScimOrApp) -> ScimOrApp {
    match error {
        ScimOrApp::Scim(error) => ScimOrApp::Scim(error.clone()),
        ScimOrApp::App(error) => ScimOrApp::App(error.clone()),
    }
}

/// What Gatehouse knows of a member invited by hand, in SCIM's terms.
fn document_of(member: &ScimMember) -> Value {
    match &member.document {
        Some(document) => document.clone(),
        None => json!({
            "userName": member.user_name,
            "name": { "formatted": member.full_name },
            "displayName": member.full_name,
            "emails": [{ "value": member.email, "primary": true }],
        }),
    }
}

async fn render_members(
    state: &AppState,
    actor: &WorkspaceActor,
    base_url: &str,
    members: Vec<ScimMember>,
) -> Result<Vec<Value>, AppError> {
    let ids: Vec<i64> = members.iter().map(|member| member.user_id).collect();
    let mut conn = state.db.acquire().await?;
    let mut groups = store::groups_of(&mut conn, actor.workspace.id, &ids).await?;
    Ok(members
        .iter()
        .map(|member| {
            let facts = store::facts_of(member, groups.remove(&member.user_id).unwrap_or_default());
            user::render(&document_of(member), &facts, base_url)
        })
        .collect())
}

pub async fn list_users(
    state: &AppState,
    actor: &WorkspaceActor,
    base_url: &str,
    listing: Listing,
) -> Result<Value, ScimOrApp> {
    actor.authorise(Role::Admin, Scope::MembersRead)?;
    let (total, members) = store::members_page(
        &state.db,
        &state.keys,
        actor.workspace.id,
        listing.filter.as_ref(),
        &listing.paging,
    )
    .await?;
    let resources = render_members(state, actor, base_url, members).await?;
    Ok(list_response(total, listing.paging.start_index, resources))
}

pub async fn get_user(
    state: &AppState,
    actor: &WorkspaceActor,
    base_url: &str,
    user_id: i64,
) -> Result<Value, ScimOrApp> {
    actor.authorise(Role::Admin, Scope::MembersRead)?;
    let mut conn = state.db.acquire().await.map_err(AppError::from)?;
    let member = store::member(&mut conn, &state.keys, actor.workspace.id, user_id)
        .await?
        .ok_or_else(|| ScimError::not_found(format!("No user {user_id} in this workspace.")))?;
    drop(conn);
    let mut rendered = render_members(state, actor, base_url, vec![member]).await?;
    rendered.pop().ok_or(ScimOrApp::App(AppError::Internal))
}

fn user_schemas() -> &'static [&'static schema::Schema] {
    schema::USER_SCHEMAS
}

/// Creates a member from a SCIM User: an End-user, invited by mail to choose a password
/// until single sign-on exists, and owned by the identity provider.
pub async fn create_user(
    state: &AppState,
    actor: &WorkspaceActor,
    base_url: &str,
    body: &Value,
) -> Result<Value, ScimOrApp> {
    actor.authorise(Role::Admin, Scope::MembersWrite)?;
    let mut document = patch::normalise_resource(body, user_schemas())?;
    let derived = user::derive(&document)?;
    strip_active(&mut document);
    let mut tx = begin_as_admin(state, actor).await?;
    if store::user_name_taken(&mut tx, actor.workspace.id, &derived.user_name_key, None).await? {
        return Err(ScimError::uniqueness(format!(
            "A member with userName {} exists already.",
            derived.user_name
        ))
        .into());
    }
    let (_, mappings) = store::settings(&mut tx, actor.workspace.id).await?;
    let metadata = mapped_metadata(&document, &mappings, &BTreeMap::new())?;
    let invitee = crate::users::operations::Invitee {
        full_name: derived.full_name.clone(),
        email: derived.email.clone(),
        role: Role::EndUser,
        metadata,
        group_ids: Vec::new(),
    };
    let pending = crate::users::operations::invite_in(&mut tx, state, actor, invitee, false)
        .await
        .map_err(|error| match error {
            AppError::AlreadyMember => ScimOrApp::Scim(ScimError::uniqueness(format!(
                "{} is a member of this workspace already.",
                derived.email
            ))),
            other => ScimOrApp::App(other),
        })?;
    let user_id = pending.user_id;
    let user_name_key =
        (derived.user_name_key != derived.email).then_some(derived.user_name_key.as_str());
    store::set_member_scim(
        &mut tx,
        actor.workspace.id,
        user_id,
        true,
        user_name_key,
        derived.external_id.as_deref(),
    )
    .await?;
    store::store_document(&mut tx, &state.keys, actor.workspace.id, user_id, &document).await?;
    let inactive = derived.active == Some(false);
    if inactive {
        crate::memberships::operations::archive_in(&mut tx, actor, user_id).await?;
    }
    tx.commit().await.map_err(AppError::from)?;
    if !inactive {
        pending.send(state, actor).await;
    }
    get_user(state, actor, base_url, user_id).await
}

/// Replaces a provisioned member's attributes with a whole SCIM User (PUT).
pub async fn replace_user(
    state: &AppState,
    actor: &WorkspaceActor,
    base_url: &str,
    user_id: i64,
    body: &Value,
) -> Result<Value, ScimOrApp> {
    let document = patch::normalise_resource(body, user_schemas())?;
    change_user(
        state,
        actor,
        base_url,
        user_id,
        UserChange::Replace(document),
    )
    .await
}

/// Applies a SCIM PatchOp to a provisioned member.
pub async fn patch_user(
    state: &AppState,
    actor: &WorkspaceActor,
    base_url: &str,
    user_id: i64,
    body: &Value,
) -> Result<Value, ScimOrApp> {
    let operations = patch::parse_patch_request(body)?;
    change_user(
        state,
        actor,
        base_url,
        user_id,
        UserChange::Patch(operations),
    )
    .await
}

enum UserChange {
    Replace(Value),
    Patch(Vec<patch::PatchOperation>),
}

async fn change_user(
    state: &AppState,
    actor: &WorkspaceActor,
    base_url: &str,
    user_id: i64,
    change: UserChange,
) -> Result<Value, ScimOrApp> {
    actor.authorise(Role::Admin, Scope::MembersWrite)?;
    let mut tx = begin_as_admin(state, actor).await?;
    let member = provisioned_member(&mut tx, state, actor, user_id).await?;
    let document = match change {
        UserChange::Replace(document) => document,
        UserChange::Patch(operations) => {
            let mut document = document_of(&member);
            if let Some(object) = document.as_object_mut() {
                object.insert("active".into(), Value::Bool(member.status != "archived"));
            }
            patch::apply(&mut document, &operations, user_schemas())?;
            document
        }
    };
    let mail = save_user(&mut tx, state, actor, &member, document).await?;
    tx.commit().await.map_err(AppError::from)?;
    send_link(state, actor, mail).await;
    get_user(state, actor, base_url, user_id).await
}

/// Removes a provisioned member from the workspace.
pub async fn delete_user(
    state: &AppState,
    actor: &WorkspaceActor,
    user_id: i64,
) -> Result<(), ScimOrApp> {
    actor.authorise(Role::Admin, Scope::MembersWrite)?;
    {
        let mut tx = begin_as_admin(state, actor).await?;
        provisioned_member(&mut tx, state, actor, user_id).await?;
    }
    crate::memberships::operations::remove(state, actor, user_id).await?;
    Ok(())
}

async fn provisioned_member(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    actor: &WorkspaceActor,
    user_id: i64,
) -> Result<ScimMember, ScimOrApp> {
    let member = store::member(conn, &state.keys, actor.workspace.id, user_id)
        .await?
        .ok_or_else(|| ScimError::not_found(format!("No user {user_id} in this workspace.")))?;
    if !member.provisioned {
        return Err(AppError::NotProvisioned.into());
    }
    Ok(member)
}

fn strip_active(document: &mut Value) {
    if let Some(object) = document.as_object_mut() {
        object.remove("active");
    }
}

/// The member's metadata once the mapped attributes are copied in: mapped keys follow
/// the document (absent attributes remove their key); other keys stay.
fn mapped_metadata(
    document: &Value,
    mappings: &[AttributeMapping],
    current: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, AppError> {
    let pairs: Vec<(String, String)> = mappings
        .iter()
        .map(|mapping| (mapping.scim_path.clone(), mapping.meta_key.clone()))
        .collect();
    let mut edits: BTreeMap<String, Option<String>> = current
        .iter()
        .map(|(key, value)| (key.clone(), Some(value.clone())))
        .collect();
    for (key, value) in user::mapped_values(document, &pairs) {
        edits.insert(key, value);
    }
    let edits: Vec<crate::metadata::MetadataEdit> = edits
        .into_iter()
        .filter_map(|(key, value)| {
            value.map(|value| crate::metadata::MetadataEdit {
                key,
                value: Some(value),
                renamed_from: None,
            })
        })
        .collect();
    crate::metadata::apply_edits(current, &edits)
}

/// Writes a provisioned member's new document and what follows from it: userName,
/// external id, the name this workspace shows, mapped metadata and the status.
/// Returns an invitation to mail, and where, when the member came back without a
/// password or an invited member's address changed.
async fn save_user(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    actor: &WorkspaceActor,
    member: &ScimMember,
    mut document: Value,
) -> Result<Option<(String, SecretToken)>, ScimOrApp> {
    let workspace_id = actor.workspace.id;
    let derived = user::derive(&document)?;
    strip_active(&mut document);
    let mut link = None;
    if derived.email != member.email {
        link = change_email(conn, state, actor, member, &derived.email).await?;
    }
    if store::user_name_taken(
        conn,
        workspace_id,
        &derived.user_name_key,
        Some(member.user_id),
    )
    .await?
    {
        return Err(ScimError::uniqueness(format!(
            "A member with userName {} exists already.",
            derived.user_name
        ))
        .into());
    }
    let user_name_key =
        (derived.user_name_key != derived.email).then_some(derived.user_name_key.as_str());
    store::set_member_scim(
        conn,
        workspace_id,
        member.user_id,
        true,
        user_name_key,
        derived.external_id.as_deref(),
    )
    .await?;
    if derived.full_name != member.full_name {
        crate::workspaces::store::set_shown_name(
            conn,
            workspace_id,
            member.user_id,
            &derived.full_name,
        )
        .await?;
    }
    store::store_document(conn, &state.keys, workspace_id, member.user_id, &document).await?;
    let (_, mappings) = store::settings(conn, workspace_id).await?;
    if !mappings.is_empty() {
        let current =
            crate::metadata::store::load(conn, &state.keys, workspace_id, member.user_id).await?;
        let after = mapped_metadata(&document, &mappings, &current)?;
        let changed = crate::metadata::changed_keys(&current, &after);
        if !changed.is_empty() {
            crate::metadata::store::replace(
                conn,
                &state.keys,
                workspace_id,
                member.user_id,
                &current,
                &after,
            )
            .await?;
            audit::record_by(
                conn,
                actor,
                Some(member.user_id),
                Action::MemberMetadataChanged,
                &changed.into_iter().collect::<Vec<_>>().join(", "),
            )
            .await?;
        }
    }
    audit::record_by(
        conn,
        actor,
        Some(member.user_id),
        Action::MemberDetailsProvisioned,
        "",
    )
    .await?;
    let archived = member.status == "archived";
    match derived.active {
        Some(false) if !archived => {
            crate::memberships::operations::archive_in(conn, actor, member.user_id).await?;
            link = None;
        }
        Some(true) if archived => {
            link = crate::memberships::operations::reactivate_in(
                conn,
                state,
                actor,
                member.user_id,
                member.has_password,
            )
            .await?
            .map(|token| (derived.email.clone(), token));
        }
        _ => {}
    }
    Ok(link)
}

/// Changes a provisioned member's sign-in email. The account must be this workspace's
/// alone: another workspace's member (or a super admin) keeps their address, or this
/// identity provider could send their password resets anywhere. An invited member's
/// links go to the new address instead.
async fn change_email(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    actor: &WorkspaceActor,
    member: &ScimMember,
    email: &str,
) -> Result<Option<(String, SecretToken)>, ScimOrApp> {
    if !store::account_is_only_here(conn, actor.workspace.id, member.user_id).await? {
        return Err(ScimError::mutability(format!(
            "{} belongs to other workspaces too, so their sign-in email can't change through SCIM.",
            member.email
        ))
        .into());
    }
    if crate::users::store::account_id(conn, email)
        .await?
        .is_some()
    {
        return Err(ScimError::uniqueness(format!("Another account signs in as {email}.")).into());
    }
    store::change_account_email(conn, member.user_id, email).await?;
    audit::record_by(
        conn,
        actor,
        Some(member.user_id),
        Action::UserDetailsChanged,
        "email",
    )
    .await?;
    if member.status != "invited" {
        return Ok(None);
    }
    let membership = crate::users::members::server::member(conn, actor, member.user_id).await?;
    crate::invitations::store::revoke_all(conn, membership.membership_id).await?;
    let token = crate::invitations::store::issue(
        conn,
        membership.membership_id,
        state.config.invite_ttl,
        crate::invitations::Delivery::Mail,
    )
    .await?;
    Ok(Some((email.to_string(), token)))
}

async fn send_link(state: &AppState, actor: &WorkspaceActor, link: Option<(String, SecretToken)>) {
    if let Some((email, token)) = link {
        crate::users::members::server::mail_invitation(state, actor, email, &token).await;
    }
}

/// The role groups follow members' roles: SCIM reads them and changes none.
fn custom_only(group: &ScimGroup) -> Result<(), ScimError> {
    if group.role.is_some() {
        Err(ScimError::mutability(format!(
            "{} is a role group: its members are the members with that role, changed on the Users page.",
            group.name
        )))
    } else {
        Ok(())
    }
}

fn render_group(group: &ScimGroup, members: Option<Vec<(i64, String)>>, base_url: &str) -> Value {
    let mut rendered = json!({
        "schemas": [schema::CORE_GROUP],
        "id": group.id.to_string(),
        "displayName": group.name,
        "meta": {
            "resourceType": "Group",
            "created": user::rfc3339(group.created_at),
            "lastModified": user::rfc3339(group.updated_at.max(group.created_at)),
            "location": format!("{base_url}/Groups/{}", group.id),
        },
    });
    if let Some(external_id) = &group.external_id {
        rendered["externalId"] = Value::String(external_id.clone());
    }
    if let Some(members) = members
        && !members.is_empty()
    {
        rendered["members"] = members
            .into_iter()
            .map(|(user_id, _)| {
                json!({
                    "value": user_id.to_string(),
                    "$ref": format!("{base_url}/Users/{user_id}"),
                    "type": "User",
                })
            })
            .collect();
    }
    rendered
}

async fn find_group(
    conn: &mut sqlx::AnyConnection,
    actor: &WorkspaceActor,
    group_id: i64,
) -> Result<ScimGroup, ScimOrApp> {
    store::group(conn, actor.workspace.id, group_id)
        .await?
        .ok_or_else(|| {
            ScimOrApp::Scim(ScimError::not_found(format!(
                "No group {group_id} in this workspace."
            )))
        })
}

pub async fn list_groups(
    state: &AppState,
    actor: &WorkspaceActor,
    base_url: &str,
    listing: Listing,
    with_members: bool,
) -> Result<Value, ScimOrApp> {
    actor.authorise(Role::Admin, Scope::GroupsRead)?;
    let (total, groups) = store::groups_page(
        &state.db,
        actor.workspace.id,
        listing.filter.as_ref(),
        &listing.paging,
    )
    .await?;
    let mut conn = state.db.acquire().await.map_err(AppError::from)?;
    let mut resources = Vec::with_capacity(groups.len());
    for group in &groups {
        let members = if with_members {
            Some(store::group_members(&mut conn, actor.workspace.id, group).await?)
        } else {
            None
        };
        resources.push(render_group(group, members, base_url));
    }
    Ok(list_response(total, listing.paging.start_index, resources))
}

pub async fn get_group(
    state: &AppState,
    actor: &WorkspaceActor,
    base_url: &str,
    group_id: i64,
    with_members: bool,
) -> Result<Value, ScimOrApp> {
    actor.authorise(Role::Admin, Scope::GroupsRead)?;
    let mut conn = state.db.acquire().await.map_err(AppError::from)?;
    let group = find_group(&mut conn, actor, group_id).await?;
    let members = if with_members {
        Some(store::group_members(&mut conn, actor.workspace.id, &group).await?)
    } else {
        None
    };
    Ok(render_group(&group, members, base_url))
}

/// The user ids a Group names as members.
fn member_ids(values: &[String]) -> Result<Vec<i64>, ScimError> {
    values
        .iter()
        .map(|value| {
            value.parse::<i64>().map_err(|_| {
                ScimError::invalid_value(format!(
                    "{value} is not the id of a user in this workspace."
                ))
            })
        })
        .collect()
}

/// The members and name a whole Group resource (POST or PUT) gives.
struct GroupResource {
    display_name: String,
    external_id: Option<String>,
    members: Vec<i64>,
}

fn read_group(body: &Value) -> Result<GroupResource, ScimError> {
    let object = body
        .as_object()
        .ok_or_else(|| ScimError::invalid_syntax("A Group is a JSON object.".to_string()))?;
    let field = |name: &str| {
        object
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
    };
    let display_name = field("displayName")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .ok_or_else(|| ScimError::invalid_value("A Group needs a displayName.".to_string()))?
        .to_string();
    let external_id = match field("externalId") {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) => Some(id.clone()),
        Some(_) => {
            return Err(ScimError::invalid_value(
                "externalId is a string.".to_string(),
            ));
        }
    };
    let members = match field("members") {
        Some(members) => member_ids(&group_patch::member_ids(members)?)?,
        None => Vec::new(),
    };
    Ok(GroupResource {
        display_name,
        external_id,
        members,
    })
}

/// A group change refused by the end-user rule names the users; anything else keeps
/// its own message.
fn group_error(error: AppError) -> ScimOrApp {
    match error {
        AppError::RoleChangeNeeded { .. }
        | AppError::MemberCannotJoinGroup
        | AppError::MemberNotFound => ScimOrApp::Scim(ScimError::invalid_value(error.to_string())),
        AppError::GroupNameTaken => ScimOrApp::Scim(ScimError::uniqueness(error.to_string())),
        other => ScimOrApp::App(other),
    }
}

async fn add_group_members(
    conn: &mut sqlx::AnyConnection,
    actor: &WorkspaceActor,
    group_id: i64,
    user_ids: Vec<i64>,
) -> Result<(), ScimOrApp> {
    if user_ids.is_empty() {
        return Ok(());
    }
    let (policy, _) = store::settings(conn, actor.workspace.id).await?;
    let group = crate::groups::server::group(conn, actor.workspace.id, group_id).await?;
    crate::groups::operations::add_members_in(
        conn,
        actor,
        &group,
        user_ids,
        policy == BuilderLevelGroups::Promote,
        crate::groups::operations::Archived::Admitted,
    )
    .await
    .map_err(group_error)
}

async fn remove_group_members(
    conn: &mut sqlx::AnyConnection,
    actor: &WorkspaceActor,
    group: &ScimGroup,
    user_ids: &[i64],
) -> Result<(), AppError> {
    let removed = crate::groups::store::remove_members(conn, group.id, user_ids).await?;
    audit::record_many_by(
        conn,
        actor,
        &removed,
        Action::GroupMemberRemoved,
        &group.name,
    )
    .await
}

pub async fn create_group(
    state: &AppState,
    actor: &WorkspaceActor,
    base_url: &str,
    body: &Value,
) -> Result<Value, ScimOrApp> {
    actor.authorise(Role::Admin, Scope::GroupsWrite)?;
    let resource = read_group(body)?;
    let name = crate::permissions::normalise_group_name(&resource.display_name)
        .map_err(|error| ScimError::invalid_value(error.to_string()))?;
    let mut tx = begin_as_admin(state, actor).await?;
    let group_id = crate::groups::store::create(&mut tx, actor.workspace.id, &name)
        .await
        .map_err(group_error)?;
    audit::record_by(&mut tx, actor, None, Action::GroupCreated, &name).await?;
    store::set_group_scim(&mut tx, group_id, resource.external_id.as_deref()).await?;
    add_group_members(&mut tx, actor, group_id, resource.members).await?;
    tx.commit().await.map_err(AppError::from)?;
    get_group(state, actor, base_url, group_id, true).await
}

pub async fn replace_group(
    state: &AppState,
    actor: &WorkspaceActor,
    base_url: &str,
    group_id: i64,
    body: &Value,
) -> Result<Value, ScimOrApp> {
    actor.authorise(Role::Admin, Scope::GroupsWrite)?;
    let resource = read_group(body)?;
    let mut tx = begin_as_admin(state, actor).await?;
    let group = find_group(&mut tx, actor, group_id).await?;
    custom_only(&group)?;
    rename_group(&mut tx, actor, &group, &resource.display_name).await?;
    store::set_group_scim(&mut tx, group.id, resource.external_id.as_deref()).await?;
    replace_group_members(&mut tx, actor, &group, resource.members).await?;
    tx.commit().await.map_err(AppError::from)?;
    get_group(state, actor, base_url, group_id, true).await
}

async fn rename_group(
    conn: &mut sqlx::AnyConnection,
    actor: &WorkspaceActor,
    group: &ScimGroup,
    display_name: &str,
) -> Result<(), ScimOrApp> {
    let name = crate::permissions::normalise_group_name(display_name)
        .map_err(|error| ScimError::invalid_value(error.to_string()))?;
    if name != group.name {
        crate::groups::store::rename(conn, group.id, &name)
            .await
            .map_err(group_error)?;
        let detail = format!("{} -> {name}", group.name);
        audit::record_by(conn, actor, None, Action::GroupRenamed, &detail).await?;
    }
    Ok(())
}

async fn replace_group_members(
    conn: &mut sqlx::AnyConnection,
    actor: &WorkspaceActor,
    group: &ScimGroup,
    wanted: Vec<i64>,
) -> Result<(), ScimOrApp> {
    let current: HashSet<i64> = crate::groups::store::member_ids(conn, group.id)
        .await?
        .into_iter()
        .collect();
    let wanted_set: HashSet<i64> = wanted.iter().copied().collect();
    let leaving: Vec<i64> = current.difference(&wanted_set).copied().collect();
    let joining: Vec<i64> = wanted
        .into_iter()
        .filter(|id| !current.contains(id))
        .collect();
    remove_group_members(conn, actor, group, &leaving).await?;
    add_group_members(conn, actor, group.id, joining).await
}

pub async fn patch_group(
    state: &AppState,
    actor: &WorkspaceActor,
    base_url: &str,
    group_id: i64,
    body: &Value,
    with_members: bool,
) -> Result<Value, ScimOrApp> {
    use group_patch::GroupChange;
    actor.authorise(Role::Admin, Scope::GroupsWrite)?;
    let operations = patch::parse_patch_request(body)?;
    let changes = group_patch::interpret(&operations)?;
    let mut tx = begin_as_admin(state, actor).await?;
    let group = find_group(&mut tx, actor, group_id).await?;
    custom_only(&group)?;
    for change in changes {
        match change {
            GroupChange::Rename(name) => rename_group(&mut tx, actor, &group, &name).await?,
            GroupChange::SetExternalId(external_id) => {
                store::set_group_scim(&mut tx, group.id, external_id.as_deref()).await?
            }
            GroupChange::AddMembers(values) => {
                add_group_members(&mut tx, actor, group.id, member_ids(&values)?).await?
            }
            GroupChange::RemoveMembers(values) => {
                remove_group_members(&mut tx, actor, &group, &member_ids(&values)?).await?
            }
            GroupChange::ReplaceMembers(values) => {
                replace_group_members(&mut tx, actor, &group, member_ids(&values)?).await?
            }
            GroupChange::RemoveAllMembers => {
                let everyone = crate::groups::store::member_ids(&mut tx, group.id).await?;
                remove_group_members(&mut tx, actor, &group, &everyone).await?
            }
        }
    }
    store::touch_group(&mut tx, group.id).await?;
    tx.commit().await.map_err(AppError::from)?;
    get_group(state, actor, base_url, group_id, with_members).await
}

/// Deletes a custom group the identity provider created.
pub async fn delete_group(
    state: &AppState,
    actor: &WorkspaceActor,
    group_id: i64,
) -> Result<(), ScimOrApp> {
    actor.authorise(Role::Admin, Scope::GroupsWrite)?;
    let mut tx = begin_as_admin(state, actor).await?;
    let group = find_group(&mut tx, actor, group_id).await?;
    custom_only(&group)?;
    if group.provisioned != 1 {
        return Err(ScimError::mutability(format!(
            "{} was made in Gatehouse, not by the identity provider, so SCIM can't delete it.",
            group.name
        ))
        .into());
    }
    crate::groups::store::delete(&mut tx, group.id).await?;
    audit::record_by(&mut tx, actor, None, Action::GroupDeleted, &group.name).await?;
    tx.commit().await.map_err(AppError::from)?;
    Ok(())
}
