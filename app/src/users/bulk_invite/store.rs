//! A bulk invite in the database: the facts the checks need, looked up for the whole file
//! in a few queries, and every invitee written with a handful of multi-row inserts.

use std::collections::HashMap;
use std::time::Duration;

use sqlx::AnyConnection;

use super::csv_file::{self, GroupFacts, Invitee, ReadFile, Workspace};
use crate::db::{insert_many, now, parameter_list};
use crate::error::AppError;
use crate::metadata::crypto::{Binding, Keyring};
use crate::tokens::SecretToken;

/// Emails per lookup query.
const EMAILS_PER_QUERY: usize = 1_000;

#[derive(sqlx::FromRow)]
struct AccountRecord {
    email: String,
    id: i64,
    member_here: i64,
}

/// What the checks need to know about the workspace for this file, and the ids of the
/// accounts that already exist for its emails.
pub async fn facts(
    conn: &mut AnyConnection,
    workspace_id: i64,
    file: &ReadFile,
) -> Result<(Workspace, HashMap<String, i64>), AppError> {
    let mut workspace = Workspace::default();
    for group in crate::groups::store::all_with_rules(conn, workspace_id).await? {
        if group.is_custom() {
            let facts = GroupFacts {
                id: group.id,
                builder_level: group.is_builder_level(),
                name: group.name,
            };
            workspace
                .groups
                .insert(crate::permissions::changes::name_key(&facts.name), facts);
        }
    }
    let emails: Vec<&str> = file
        .rows
        .iter()
        .filter_map(|row| row.email.as_deref())
        .collect();
    let mut accounts = HashMap::new();
    for chunk in emails.chunks(EMAILS_PER_QUERY) {
        let list = parameter_list(2, chunk.len());
        let sql = format!(
            "SELECT u.email, u.id, CASE WHEN m.id IS NULL THEN 0 ELSE 1 END AS member_here
             FROM users u
             LEFT JOIN memberships m ON m.user_id = u.id AND m.workspace_id = $1
             WHERE u.email IN ({list})"
        );
        let records: Vec<AccountRecord> = chunk
            .iter()
            .fold(sqlx::query_as(&sql).bind(workspace_id), |query, email| {
                query.bind(*email)
            })
            .fetch_all(&mut *conn)
            .await?;
        for record in records {
            if record.member_here != 0 {
                workspace.members.insert(record.email.clone());
            }
            accounts.insert(record.email, record.id);
        }
    }
    Ok((workspace, accounts))
}

/// What an import wrote: the invitees, and their links in the same order.
pub struct Imported {
    pub invitees: Vec<Invitee>,
    pub links: Vec<SecretToken>,
}

/// Reads and checks a file within `conn`'s transaction and, unless `dry_run`, invites
/// everyone in it. A file with any problem is refused with all of them and writes nothing.
pub async fn import(
    conn: &mut AnyConnection,
    keys: &Keyring,
    inviter: Inviter,
    file: &[u8],
    max_rows: usize,
    link_valid_for: Duration,
    dry_run: bool,
) -> Result<Imported, AppError> {
    let file = csv_file::read(file, max_rows);
    let (workspace, known) = facts(conn, inviter.workspace_id, &file).await?;
    let invitees = csv_file::check(file, &workspace).map_err(|problems| {
        let (problems, total) = csv_file::first_problems(problems);
        AppError::CsvRejected { problems, total }
    })?;
    let links = if dry_run {
        Vec::new()
    } else {
        invite_all(conn, keys, inviter, &invitees, &known, link_valid_for).await?
    };
    Ok(Imported { invitees, links })
}

/// Who invites, into which workspace.
#[derive(Debug, Clone, Copy)]
pub struct Inviter {
    pub user_id: i64,
    pub workspace_id: i64,
}

/// Invites everyone in the file: new accounts, memberships as Invited with their roles
/// and the names the file gives them, custom groups, sealed metadata, a mailed link each
/// and an audit event each. The links come back in the invitees' order, for the mails
/// sent after commit.
pub async fn invite_all(
    conn: &mut AnyConnection,
    keys: &Keyring,
    inviter: Inviter,
    invitees: &[Invitee],
    known: &HashMap<String, i64>,
    link_valid_for: Duration,
) -> Result<Vec<SecretToken>, AppError> {
    let now = now();
    let workspace_id = inviter.workspace_id;
    let new_accounts: Vec<&Invitee> = invitees
        .iter()
        .filter(|invitee| !known.contains_key(&invitee.email))
        .collect();
    insert_many::<_, ()>(
        conn,
        "INSERT INTO users (email, full_name, status, default_workspace_id, created_at, updated_at)",
        6,
        &new_accounts,
        |query, invitee| {
            query
                .bind(invitee.email.clone())
                .bind(invitee.full_name.clone())
                .bind("invited")
                .bind(workspace_id)
                .bind(now)
                .bind(now)
        },
        // Another workspace may have invited the same new address a moment ago; the ids
        // are read back below either way.
        "ON CONFLICT (email) DO NOTHING",
    )
    .await?;
    let user_ids = user_ids(conn, invitees).await?;
    let user_id_of = |invitee: &Invitee| user_ids.get(&invitee.email).copied();
    let people: Vec<(&Invitee, i64)> = invitees
        .iter()
        .map(|invitee| user_id_of(invitee).map(|id| (invitee, id)))
        .collect::<Option<_>>()
        .ok_or(AppError::Internal)?;

    let memberships: Vec<(i64, i64)> = insert_many(
        conn,
        "INSERT INTO memberships
            (workspace_id, user_id, role, status, email, name_key, invited_name, created_at,
             updated_at)",
        9,
        &people,
        |query, (invitee, user_id)| {
            query
                .bind(workspace_id)
                .bind(*user_id)
                .bind(invitee.role.key())
                .bind("invited")
                .bind(invitee.email.clone())
                .bind(crate::users::name_key(&invitee.full_name))
                .bind(invitee.full_name.clone())
                .bind(now)
                .bind(now)
        },
        "RETURNING user_id, id",
    )
    .await
    .map_err(|error| {
        if crate::db::is_unique_violation(&error) {
            AppError::AlreadyMember
        } else {
            error.into()
        }
    })?;
    let membership_of: HashMap<i64, i64> = memberships.into_iter().collect();
    let membership_ids: Vec<i64> = membership_of.values().copied().collect();
    crate::users::store::index_name_words(conn, &membership_ids).await?;

    let group_members: Vec<(i64, i64)> = people
        .iter()
        .flat_map(|(invitee, user_id)| {
            invitee
                .group_ids
                .iter()
                .map(move |group_id| (*group_id, *user_id))
        })
        .collect();
    insert_many::<_, ()>(
        conn,
        "INSERT INTO group_members (group_id, workspace_id, user_id, added_at)",
        4,
        &group_members,
        |query, (group_id, user_id)| {
            query
                .bind(*group_id)
                .bind(workspace_id)
                .bind(*user_id)
                .bind(now)
        },
        "",
    )
    .await?;

    let values: Vec<(Binding<'_>, &str)> = people
        .iter()
        .flat_map(|(invitee, user_id)| {
            invitee.metadata.iter().map(move |(key, value)| {
                let binding = Binding {
                    workspace_id,
                    user_id: *user_id,
                    key,
                };
                (binding, value.as_str())
            })
        })
        .collect();
    let sealed = keys.seal_many(&values)?;
    let metadata: Vec<_> = values
        .iter()
        .zip(sealed)
        .map(|((binding, _), sealed)| (binding.user_id, binding.key, sealed))
        .collect();
    insert_many::<_, ()>(
        conn,
        "INSERT INTO member_metadata (workspace_id, user_id, meta_key, ciphertext, key_id)",
        5,
        &metadata,
        |query, (user_id, key, sealed)| {
            query
                .bind(workspace_id)
                .bind(*user_id)
                .bind(key.to_string())
                .bind(sealed.ciphertext.clone())
                .bind(sealed.key_id.clone())
        },
        "",
    )
    .await?;

    let links: Vec<(i64, SecretToken)> = people
        .iter()
        .map(|(_, user_id)| {
            let membership_id = membership_of
                .get(user_id)
                .copied()
                .ok_or(AppError::Internal)?;
            Ok((membership_id, SecretToken::generate()?))
        })
        .collect::<Result<_, AppError>>()?;
    let expires_at = now + link_valid_for.as_secs() as i64;
    insert_many::<_, ()>(
        conn,
        "INSERT INTO invitations (membership_id, token_hash, created_at, expires_at, sent_by_mail)",
        5,
        &links,
        |query, (membership_id, token)| {
            query
                .bind(*membership_id)
                .bind(token.hash())
                .bind(now)
                .bind(expires_at)
                .bind(1_i64)
        },
        "",
    )
    .await?;

    insert_many::<_, ()>(
        conn,
        "INSERT INTO audit_events
            (occurred_at, actor_user_id, workspace_id, target_user_id, action, detail,
             source_address)",
        7,
        &people,
        |query, (invitee, user_id)| {
            query
                .bind(now)
                .bind(inviter.user_id)
                .bind(workspace_id)
                .bind(*user_id)
                .bind(crate::audit::Action::MemberInvited.key())
                .bind(invitee.role.key())
                .bind(crate::audit::source_address())
        },
        "",
    )
    .await?;
    Ok(links.into_iter().map(|(_, token)| token).collect())
}

/// The account ids of the invitees' emails, new and existing alike.
async fn user_ids(
    conn: &mut AnyConnection,
    invitees: &[Invitee],
) -> Result<HashMap<String, i64>, AppError> {
    let mut ids = HashMap::with_capacity(invitees.len());
    for chunk in invitees.chunks(EMAILS_PER_QUERY) {
        let list = parameter_list(1, chunk.len());
        let sql = format!("SELECT email, id FROM users WHERE email IN ({list})");
        let found: Vec<(String, i64)> = chunk
            .iter()
            .fold(sqlx::query_as(&sql), |query, invitee| {
                query.bind(invitee.email.clone())
            })
            .fetch_all(&mut *conn)
            .await?;
        ids.extend(found);
    }
    Ok(ids)
}
