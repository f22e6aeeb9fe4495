//! Groups, their members and granular rules in the database.
//!
//! A role group's members are the memberships with its role; a custom group's members
//! are rows of `group_members`. Rules keep their chosen resources in
//! `group_rule_resources`.

use std::collections::{BTreeSet, HashMap};

use sqlx::AnyConnection;

use super::{GroupMember, GroupSummary};
use crate::db::now;
use crate::error::AppError;
use crate::memberships::Role;
use crate::permissions::{
    Access, Flags, Group, GroupKind, ResourceKind, Rule, Scope, seeded_role_group,
};
use crate::workspaces::store::{decode_role, decode_status};

/// Creates a new workspace's Admin, Builder and End-user groups as SPEC §2 seeds them.
pub async fn seed_role_groups(conn: &mut AnyConnection, workspace_id: i64) -> Result<(), AppError> {
    for role in Role::ALL {
        let (flags, rules) = seeded_role_group(role);
        let group_id = insert_group(conn, workspace_id, role.label(), Some(role), flags).await?;
        for draft in rules {
            let rule = Rule {
                id: 0,
                name: draft.name,
                kind: draft.kind,
                access: draft.access,
                hide_from_dashboard: draft.hide_from_dashboard,
                scope: draft.scope,
            };
            insert_rule(conn, group_id, &rule).await?;
        }
    }
    Ok(())
}

async fn insert_group(
    conn: &mut AnyConnection,
    workspace_id: i64,
    name: &str,
    role: Option<Role>,
    flags: Flags,
) -> Result<i64, AppError> {
    sqlx::query_scalar(
        "INSERT INTO groups (workspace_id, name, name_key, role, flags, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(workspace_id)
    .bind(name)
    .bind(crate::permissions::changes::name_key(name))
    .bind(role.map(Role::key))
    .bind(flags.bits())
    .bind(now())
    .fetch_one(conn)
    .await
    .map_err(|error| {
        if crate::db::is_unique_violation(&error) {
            AppError::GroupNameTaken
        } else {
            AppError::from(error)
        }
    })
}

/// A new custom group with no permissions and no members.
pub async fn create(
    conn: &mut AnyConnection,
    workspace_id: i64,
    name: &str,
) -> Result<i64, AppError> {
    insert_group(conn, workspace_id, name, None, Flags::NONE).await
}

pub async fn rename(conn: &mut AnyConnection, group_id: i64, name: &str) -> Result<(), AppError> {
    sqlx::query("UPDATE groups SET name = $1, name_key = $2 WHERE id = $3")
        .bind(name)
        .bind(crate::permissions::changes::name_key(name))
        .bind(group_id)
        .execute(conn)
        .await
        .map_err(|error| {
            if crate::db::is_unique_violation(&error) {
                AppError::GroupNameTaken
            } else {
                AppError::from(error)
            }
        })?;
    Ok(())
}

/// Deletes a group; its members and rules go with it.
pub async fn delete(conn: &mut AnyConnection, group_id: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM groups WHERE id = $1")
        .bind(group_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_flags(
    conn: &mut AnyConnection,
    group_id: i64,
    flags: Flags,
) -> Result<(), AppError> {
    sqlx::query("UPDATE groups SET flags = $1 WHERE id = $2")
        .bind(flags.bits())
        .bind(group_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Every group name in the workspace, compared without case.
pub async fn name_keys(
    conn: &mut AnyConnection,
    workspace_id: i64,
) -> Result<BTreeSet<String>, AppError> {
    let keys: Vec<String> =
        sqlx::query_scalar("SELECT name_key FROM groups WHERE workspace_id = $1")
            .bind(workspace_id)
            .fetch_all(conn)
            .await?;
    Ok(keys.into_iter().collect())
}

#[derive(sqlx::FromRow)]
struct GroupRecord {
    id: i64,
    name: String,
    role: Option<String>,
    flags: i64,
}

impl GroupRecord {
    fn kind(&self) -> Result<GroupKind, AppError> {
        match &self.role {
            Some(role) => Ok(GroupKind::Role(decode_role(role)?)),
            None => Ok(GroupKind::Custom),
        }
    }
}

#[derive(sqlx::FromRow)]
struct SummaryRecord {
    id: i64,
    name: String,
    role: Option<String>,
    members: i64,
}

/// The workspace's groups with their member counts: role groups first (Admin, Builder,
/// End-user), then custom groups by name. Archived members aren't counted.
pub async fn list(
    conn: &mut AnyConnection,
    workspace_id: i64,
) -> Result<Vec<GroupSummary>, AppError> {
    let records: Vec<SummaryRecord> = sqlx::query_as(
        "SELECT g.id, g.name, g.role,
            CASE WHEN g.role IS NULL THEN
                (SELECT COUNT(*) FROM group_members gm
                 JOIN memberships m ON m.workspace_id = gm.workspace_id AND m.user_id = gm.user_id
                 WHERE gm.group_id = g.id AND m.status <> 'archived')
            ELSE
                (SELECT COUNT(*) FROM memberships m
                 WHERE m.workspace_id = g.workspace_id AND m.role = g.role
                   AND m.status <> 'archived')
            END AS members
         FROM groups g WHERE g.workspace_id = $1
         ORDER BY CASE g.role WHEN 'admin' THEN 0 WHEN 'builder' THEN 1
                  WHEN 'end-user' THEN 2 ELSE 3 END, g.name_key",
    )
    .bind(workspace_id)
    .fetch_all(conn)
    .await?;
    records
        .into_iter()
        .map(|record| {
            Ok(GroupSummary {
                id: record.id,
                name: record.name,
                role: record.role.as_deref().map(decode_role).transpose()?,
                members: record.members,
            })
        })
        .collect()
}

/// The custom groups of each of these members, by name, as the Users table shows them.
pub async fn custom_group_names_of(
    db: &crate::db::Db,
    workspace_id: i64,
    user_ids: &[i64],
) -> Result<std::collections::HashMap<i64, Vec<String>>, AppError> {
    let mut names: std::collections::HashMap<i64, Vec<String>> = Default::default();
    if user_ids.is_empty() {
        return Ok(names);
    }
    // Ids are integers from our own query: inline, as metadata's key_counts does.
    let ids = user_ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let rows: Vec<(i64, String)> = sqlx::query_as(&format!(
        "SELECT gm.user_id, g.name FROM group_members gm JOIN groups g ON g.id = gm.group_id
         WHERE gm.workspace_id = $1 AND gm.user_id IN ({ids}) AND g.role IS NULL
         ORDER BY g.name_key"
    ))
    .bind(workspace_id)
    .fetch_all(db)
    .await?;
    for (user_id, name) in rows {
        names.entry(user_id).or_default().push(name);
    }
    Ok(names)
}

/// A group of the workspace with its rules; ids from other workspaces aren't found.
pub async fn find(
    conn: &mut AnyConnection,
    workspace_id: i64,
    group_id: i64,
) -> Result<Option<Group>, AppError> {
    let record: Option<GroupRecord> = sqlx::query_as(
        "SELECT id, name, role, flags FROM groups WHERE workspace_id = $1 AND id = $2",
    )
    .bind(workspace_id)
    .bind(group_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(record) = record else {
        return Ok(None);
    };
    let mut groups = with_rules(conn, vec![record], "g.id = $1", group_id).await?;
    Ok(groups.pop())
}

/// Every group of the workspace with its rules, role groups first: one query for the
/// groups and two for all their rules.
pub async fn all_with_rules(
    conn: &mut AnyConnection,
    workspace_id: i64,
) -> Result<Vec<Group>, AppError> {
    let records: Vec<GroupRecord> = sqlx::query_as(
        "SELECT id, name, role, flags FROM groups WHERE workspace_id = $1
         ORDER BY CASE role WHEN 'admin' THEN 0 WHEN 'builder' THEN 1
                  WHEN 'end-user' THEN 2 ELSE 3 END, name_key",
    )
    .bind(workspace_id)
    .fetch_all(&mut *conn)
    .await?;
    with_rules(conn, records, "g.workspace_id = $1", workspace_id).await
}

pub async fn find_role_group(
    conn: &mut AnyConnection,
    workspace_id: i64,
    role: Role,
) -> Result<Group, AppError> {
    let record: GroupRecord = sqlx::query_as(
        "SELECT id, name, role, flags FROM groups WHERE workspace_id = $1 AND role = $2",
    )
    .bind(workspace_id)
    .bind(role.key())
    .fetch_one(&mut *conn)
    .await?;
    let id = record.id;
    let mut groups = with_rules(conn, vec![record], "g.id = $1", id).await?;
    groups.pop().ok_or(AppError::Internal)
}

/// A group with its rules and chosen resources as the database stores it for its members'
/// permissions (migration 0012): a JSON array of these fields in this order, and each
/// rule an array of [`RuleDocument`]'s.
#[derive(serde::Deserialize)]
struct GroupDocument {
    id: i64,
    name: String,
    name_key: String,
    role: Option<String>,
    flags: i64,
    rules: Option<Vec<RuleDocument>>,
}

#[derive(serde::Deserialize)]
struct RuleDocument {
    id: i64,
    name: String,
    kind: String,
    access: String,
    hide_from_dashboard: i64,
    all_resources: i64,
    chosen: Option<Vec<i64>>,
}

/// The groups of one member: their role group and the custom groups they joined.
const MEMBER_GROUP_IDS: &str = "SELECT rg.id FROM memberships m
     JOIN groups rg ON rg.workspace_id = m.workspace_id AND rg.role = m.role
     WHERE m.workspace_id = $1 AND m.user_id = $2
     UNION ALL
     SELECT gm.group_id FROM group_members gm
     WHERE gm.workspace_id = $1 AND gm.user_id = $2";

/// Each group's stored permissions document, joined into one JSON array. Each is looked
/// up by its key: as a join or an `IN`, PostgreSQL chose to read the workspace's every
/// group instead, which took half as long again.
fn member_groups_query(conn: &AnyConnection) -> String {
    let join = match crate::db::Backend::of(conn) {
        crate::db::Backend::Postgres => "string_agg",
        crate::db::Backend::Sqlite => "group_concat",
    };
    format!(
        "SELECT '[' || {join}(
                    (SELECT g.permissions_document FROM groups g WHERE g.id = member_groups.id),
                    ',') || ']'
         FROM ({MEMBER_GROUP_IDS}) member_groups"
    )
}

/// The member's role and every group they are in: their role group first, then their
/// custom groups by name, each with its rules. `None` when they aren't a member. One
/// query returning one row: this runs whenever a server computes a member's permissions.
pub async fn subject_groups(
    conn: &mut AnyConnection,
    workspace_id: i64,
    user_id: i64,
) -> Result<Option<(Role, Vec<Group>)>, AppError> {
    let query = member_groups_query(conn);
    let document: Option<String> = sqlx::query_scalar(&query)
        .bind(workspace_id)
        .bind(user_id)
        .fetch_one(conn)
        .await?;
    let mut documents: Vec<GroupDocument> = match document {
        Some(text) => serde_json::from_str(&text).map_err(|_| corrupt("member groups"))?,
        None => Vec::new(),
    };
    documents.sort_by(|a, b| (a.role.is_none(), &a.name_key).cmp(&(b.role.is_none(), &b.name_key)));
    let groups = documents
        .into_iter()
        .map(member_group)
        .collect::<Result<Vec<_>, _>>()?;
    // Role groups sort first; a member has exactly one.
    let role = match groups.first().map(|group| group.kind) {
        Some(GroupKind::Role(role)) => role,
        Some(GroupKind::Custom) => return Err(corrupt("membership without a role group")),
        None => return Ok(None),
    };
    Ok(Some((role, groups)))
}

fn member_group(document: GroupDocument) -> Result<Group, AppError> {
    let mut rules = document
        .rules
        .unwrap_or_default()
        .into_iter()
        .map(member_rule)
        .collect::<Result<Vec<_>, _>>()?;
    rules.sort_by_key(|rule| rule.id);
    Ok(Group {
        id: document.id,
        name: document.name,
        kind: match &document.role {
            Some(role) => GroupKind::Role(decode_role(role)?),
            None => GroupKind::Custom,
        },
        flags: Flags::from_bits(document.flags),
        rules,
    })
}

fn member_rule(document: RuleDocument) -> Result<Rule, AppError> {
    Ok(Rule {
        id: document.id,
        kind: ResourceKind::from_key(&document.kind).ok_or_else(|| corrupt("rule kind"))?,
        access: Access::from_key(&document.access).ok_or_else(|| corrupt("rule access"))?,
        hide_from_dashboard: document.hide_from_dashboard != 0,
        scope: if document.all_resources != 0 {
            Scope::All
        } else {
            Scope::Only(document.chosen.unwrap_or_default().into_iter().collect())
        },
        name: document.name,
    })
}

/// Adds one member to several custom groups at once; returns the groups they joined.
pub async fn join_groups(
    conn: &mut AnyConnection,
    workspace_id: i64,
    user_id: i64,
    group_ids: &[i64],
) -> Result<Vec<i64>, AppError> {
    let mut joined = Vec::with_capacity(group_ids.len());
    for chunk in group_ids.chunks(crate::db::IDS_PER_STATEMENT) {
        // Ids are integers, so listing them inline is safe; the rest is bound.
        let rows = chunk
            .iter()
            .map(|group_id| format!("({group_id}, $1, $2, $3)"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut inserted: Vec<i64> = sqlx::query_scalar(&format!(
            "INSERT INTO group_members (group_id, workspace_id, user_id, added_at)
             VALUES {rows} ON CONFLICT (group_id, user_id) DO NOTHING RETURNING group_id"
        ))
        .bind(workspace_id)
        .bind(user_id)
        .bind(now())
        .fetch_all(&mut *conn)
        .await?;
        joined.append(&mut inserted);
    }
    Ok(joined)
}

/// Takes one member out of several groups at once; returns the groups they left.
pub async fn leave_groups(
    conn: &mut AnyConnection,
    workspace_id: i64,
    user_id: i64,
    group_ids: &[i64],
) -> Result<Vec<i64>, AppError> {
    let mut left = Vec::with_capacity(group_ids.len());
    for chunk in group_ids.chunks(crate::db::IDS_PER_STATEMENT) {
        let mut deleted: Vec<i64> = sqlx::query_scalar(&format!(
            "DELETE FROM group_members
             WHERE workspace_id = $1 AND user_id = $2 AND group_id IN ({})
             RETURNING group_id",
            crate::db::id_list(chunk)
        ))
        .bind(workspace_id)
        .bind(user_id)
        .fetch_all(&mut *conn)
        .await?;
        left.append(&mut deleted);
    }
    Ok(left)
}

/// The ids of the custom groups a member is in.
pub async fn custom_group_ids_of(
    conn: &mut AnyConnection,
    workspace_id: i64,
    user_id: i64,
) -> Result<Vec<i64>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT gm.group_id FROM group_members gm JOIN groups g ON g.id = gm.group_id
         WHERE gm.workspace_id = $1 AND gm.user_id = $2 AND g.role IS NULL",
    )
    .bind(workspace_id)
    .bind(user_id)
    .fetch_all(conn)
    .await?)
}

/// The custom group of this name (in any case), if there is one.
pub async fn custom_group_named(
    conn: &mut AnyConnection,
    workspace_id: i64,
    name: &str,
) -> Result<Option<i64>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM groups WHERE workspace_id = $1 AND name_key = $2 AND role IS NULL",
    )
    .bind(workspace_id)
    .bind(crate::permissions::changes::name_key(name))
    .fetch_optional(conn)
    .await?)
}

pub async fn custom_groups_of(
    conn: &mut AnyConnection,
    workspace_id: i64,
    user_id: i64,
) -> Result<Vec<Group>, AppError> {
    Ok(subject_groups(conn, workspace_id, user_id)
        .await?
        .map(|(_, groups)| groups.into_iter().filter(Group::is_custom).collect())
        .unwrap_or_default())
}

#[derive(sqlx::FromRow)]
struct RuleRecord {
    id: i64,
    group_id: i64,
    name: String,
    kind: String,
    access: String,
    hide_from_dashboard: i64,
    all_resources: i64,
}

const RULE_COLUMNS: &str =
    "r.id, r.group_id, r.name, r.kind, r.access, r.hide_from_dashboard, r.all_resources";

/// Attaches their rules to groups picked by a condition on `g` with one parameter.
async fn with_rules(
    conn: &mut AnyConnection,
    records: Vec<GroupRecord>,
    condition: &str,
    parameter: i64,
) -> Result<Vec<Group>, AppError> {
    let rules: Vec<RuleRecord> = sqlx::query_as(&format!(
        "SELECT {RULE_COLUMNS} FROM group_rules r JOIN groups g ON g.id = r.group_id
         WHERE {condition} ORDER BY r.id"
    ))
    .bind(parameter)
    .fetch_all(&mut *conn)
    .await?;
    let chosen: Vec<(i64, i64)> = sqlx::query_as(&format!(
        "SELECT rr.rule_id, rr.resource_id FROM group_rule_resources rr
         JOIN group_rules r ON r.id = rr.rule_id JOIN groups g ON g.id = r.group_id
         WHERE {condition}"
    ))
    .bind(parameter)
    .fetch_all(conn)
    .await?;
    assemble(records, rules, chosen)
}

fn assemble(
    records: Vec<GroupRecord>,
    rules: Vec<RuleRecord>,
    chosen: Vec<(i64, i64)>,
) -> Result<Vec<Group>, AppError> {
    let mut resources: HashMap<i64, BTreeSet<i64>> = HashMap::new();
    for (rule_id, resource_id) in chosen {
        resources.entry(rule_id).or_default().insert(resource_id);
    }
    let mut rules_by_group: HashMap<i64, Vec<Rule>> = HashMap::new();
    for record in rules {
        let rule = Rule {
            id: record.id,
            kind: ResourceKind::from_key(&record.kind).ok_or_else(|| corrupt("rule kind"))?,
            access: Access::from_key(&record.access).ok_or_else(|| corrupt("rule access"))?,
            name: record.name,
            hide_from_dashboard: record.hide_from_dashboard != 0,
            scope: if record.all_resources != 0 {
                Scope::All
            } else {
                Scope::Only(resources.remove(&record.id).unwrap_or_default())
            },
        };
        rules_by_group
            .entry(record.group_id)
            .or_default()
            .push(rule);
    }
    records
        .into_iter()
        .map(|record| {
            Ok(Group {
                id: record.id,
                kind: record.kind()?,
                flags: Flags::from_bits(record.flags),
                rules: rules_by_group.remove(&record.id).unwrap_or_default(),
                name: record.name,
            })
        })
        .collect()
}

fn corrupt(what: &str) -> AppError {
    tracing::error!(what, "unreadable value in the database");
    AppError::Internal
}

pub async fn insert_rule(
    conn: &mut AnyConnection,
    group_id: i64,
    rule: &Rule,
) -> Result<i64, AppError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO group_rules
            (group_id, name, name_key, kind, access, hide_from_dashboard, all_resources, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(group_id)
    .bind(&rule.name)
    .bind(crate::permissions::changes::name_key(&rule.name))
    .bind(rule.kind.key())
    .bind(rule.access.key())
    .bind(i64::from(rule.hide_from_dashboard))
    .bind(i64::from(rule.scope == Scope::All))
    .bind(now())
    .fetch_one(&mut *conn)
    .await
    .map_err(rule_name_taken)?;
    insert_chosen(conn, id, &rule.scope).await?;
    Ok(id)
}

/// Replaces a rule's settings and chosen resources.
pub async fn update_rule(conn: &mut AnyConnection, rule: &Rule) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE group_rules SET name = $1, name_key = $2, kind = $3, access = $4,
            hide_from_dashboard = $5, all_resources = $6
         WHERE id = $7",
    )
    .bind(&rule.name)
    .bind(crate::permissions::changes::name_key(&rule.name))
    .bind(rule.kind.key())
    .bind(rule.access.key())
    .bind(i64::from(rule.hide_from_dashboard))
    .bind(i64::from(rule.scope == Scope::All))
    .bind(rule.id)
    .execute(&mut *conn)
    .await
    .map_err(rule_name_taken)?;
    sqlx::query("DELETE FROM group_rule_resources WHERE rule_id = $1")
        .bind(rule.id)
        .execute(&mut *conn)
        .await?;
    insert_chosen(conn, rule.id, &rule.scope).await
}

async fn insert_chosen(
    conn: &mut AnyConnection,
    rule_id: i64,
    scope: &Scope,
) -> Result<(), AppError> {
    if let Scope::Only(ids) = scope {
        let ids: Vec<i64> = ids.iter().copied().collect();
        crate::db::insert_many::<_, ()>(
            conn,
            "INSERT INTO group_rule_resources (rule_id, resource_id)",
            2,
            &ids,
            |query, resource_id| query.bind(rule_id).bind(*resource_id),
            "",
        )
        .await?;
    }
    Ok(())
}

fn rule_name_taken(error: sqlx::Error) -> AppError {
    if crate::db::is_unique_violation(&error) {
        AppError::RuleNameTaken
    } else {
        AppError::from(error)
    }
}

pub async fn delete_rule(conn: &mut AnyConnection, rule_id: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM group_rules WHERE id = $1")
        .bind(rule_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// How many of `ids` are resources of `kind` in the workspace: a rule may only choose
/// those. A few queries however many ids: each asks about a batch of them.
pub async fn count_resources(
    conn: &mut AnyConnection,
    workspace_id: i64,
    kind: ResourceKind,
    ids: &BTreeSet<i64>,
) -> Result<usize, AppError> {
    const IDS_PER_QUERY: usize = 500;
    let ids: Vec<i64> = ids.iter().copied().collect();
    let mut found = 0;
    for batch in ids.chunks(IDS_PER_QUERY) {
        let sql = format!(
            "SELECT COUNT(*) FROM resources WHERE workspace_id = $1 AND kind = $2 AND id IN ({})",
            crate::db::parameter_list(3, batch.len())
        );
        let query = sqlx::query_scalar(&sql).bind(workspace_id).bind(kind.key());
        let count: i64 = batch
            .iter()
            .fold(query, |query, id| query.bind(*id))
            .fetch_one(&mut *conn)
            .await?;
        found += count as usize;
    }
    Ok(found)
}

#[derive(sqlx::FromRow)]
struct MemberRecord {
    user_id: i64,
    full_name: String,
    email: String,
    role: String,
    status: String,
}

impl TryFrom<MemberRecord> for GroupMember {
    type Error = AppError;

    fn try_from(record: MemberRecord) -> Result<GroupMember, AppError> {
        Ok(GroupMember {
            user_id: record.user_id,
            full_name: record.full_name,
            email: record.email,
            role: decode_role(&record.role)?,
            status: decode_status(&record.status)?,
        })
    }
}

/// A group's members by email, archived ones left out: those the Users tab shows.
pub async fn members(
    conn: &mut AnyConnection,
    workspace_id: i64,
    group: &Group,
) -> Result<Vec<GroupMember>, AppError> {
    members_where(conn, workspace_id, group, "AND m.status <> 'archived'").await
}

/// Every member of a group by email, whatever their membership's status: those a change
/// to the group reaches.
pub async fn members_in_any_status(
    conn: &mut AnyConnection,
    workspace_id: i64,
    group: &Group,
) -> Result<Vec<GroupMember>, AppError> {
    members_where(conn, workspace_id, group, "").await
}

async fn members_where(
    conn: &mut AnyConnection,
    workspace_id: i64,
    group: &Group,
    status_condition: &str,
) -> Result<Vec<GroupMember>, AppError> {
    let records: Vec<MemberRecord> = match group.kind {
        GroupKind::Role(role) => {
            sqlx::query_as(&format!(
                "SELECT m.user_id, COALESCE(m.invited_name, u.full_name) AS full_name, m.email,
                        m.role, m.status
                 FROM memberships m JOIN users u ON u.id = m.user_id
                 WHERE m.workspace_id = $1 AND m.role = $2 {status_condition}
                 ORDER BY m.email"
            ))
            .bind(workspace_id)
            .bind(role.key())
            .fetch_all(conn)
            .await?
        }
        GroupKind::Custom => {
            sqlx::query_as(&format!(
                "SELECT m.user_id, COALESCE(m.invited_name, u.full_name) AS full_name, m.email,
                        m.role, m.status
                 FROM group_members gm
                 JOIN memberships m ON m.workspace_id = gm.workspace_id AND m.user_id = gm.user_id
                 JOIN users u ON u.id = m.user_id
                 WHERE gm.group_id = $1 {status_condition}
                 ORDER BY m.email"
            ))
            .bind(group.id)
            .fetch_all(conn)
            .await?
        }
    };
    records.into_iter().map(GroupMember::try_from).collect()
}

/// Members who could join a group: not archived, not in it yet (for a role group: not
/// of its role), matching the search as the member listing does (the start of the
/// email, the name or any word of it). At most `limit`.
pub async fn addable_members(
    conn: &mut AnyConnection,
    workspace_id: i64,
    group: &Group,
    search: Option<&str>,
    limit: i64,
) -> Result<Vec<GroupMember>, AppError> {
    let search = search.and_then(crate::users::search_key);
    let matching = match &search {
        Some(_) => format!(
            " AND {}",
            crate::users::store::search_condition("$1", "$4", "$5")
        ),
        None => String::new(),
    };
    let outside = match group.kind {
        GroupKind::Role(_) => "m.role <> $2",
        GroupKind::Custom => {
            "NOT EXISTS (SELECT 1 FROM group_members gm
                         WHERE gm.group_id = $2 AND gm.user_id = m.user_id)"
        }
    };
    let sql = format!(
        "SELECT m.user_id, COALESCE(m.invited_name, u.full_name) AS full_name, m.email, m.role,
                m.status
         FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.workspace_id = $1 AND m.status <> 'archived'{matching} AND {outside}
         ORDER BY m.email LIMIT $3"
    );
    let query = sqlx::query_as::<_, MemberRecord>(&sql).bind(workspace_id);
    let mut query = match group.kind {
        GroupKind::Role(role) => query.bind(role.key()),
        GroupKind::Custom => query.bind(group.id),
    }
    .bind(limit);
    if let Some(search) = search {
        let ceiling = crate::users::store::search_ceiling(&search);
        query = query.bind(search).bind(ceiling);
    }
    let records = query.fetch_all(conn).await?;
    records.into_iter().map(GroupMember::try_from).collect()
}

/// Adds a member to a custom group; adding someone already in it changes nothing.
pub async fn add_member(
    conn: &mut AnyConnection,
    group_id: i64,
    workspace_id: i64,
    user_id: i64,
) -> Result<bool, AppError> {
    let added = sqlx::query(
        "INSERT INTO group_members (group_id, workspace_id, user_id, added_at)
         VALUES ($1, $2, $3, $4) ON CONFLICT (group_id, user_id) DO NOTHING",
    )
    .bind(group_id)
    .bind(workspace_id)
    .bind(user_id)
    .bind(now())
    .execute(conn)
    .await?;
    Ok(added.rows_affected() > 0)
}

/// Adds the members not yet in the group; returns those it added.
pub async fn add_members(
    conn: &mut AnyConnection,
    group_id: i64,
    workspace_id: i64,
    user_ids: &[i64],
) -> Result<Vec<i64>, AppError> {
    let mut added = Vec::with_capacity(user_ids.len());
    for chunk in user_ids.chunks(crate::db::IDS_PER_STATEMENT) {
        // Ids are integers, so listing them inline is safe; the rest is bound.
        let rows = chunk
            .iter()
            .map(|user_id| format!("($1, $2, {user_id}, $3)"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut inserted: Vec<i64> = sqlx::query_scalar(&format!(
            "INSERT INTO group_members (group_id, workspace_id, user_id, added_at)
             VALUES {rows} ON CONFLICT (group_id, user_id) DO NOTHING RETURNING user_id"
        ))
        .bind(group_id)
        .bind(workspace_id)
        .bind(now())
        .fetch_all(&mut *conn)
        .await?;
        added.append(&mut inserted);
    }
    Ok(added)
}

/// Removes those of `user_ids` who are in the group; returns those it removed.
pub async fn remove_members(
    conn: &mut AnyConnection,
    group_id: i64,
    user_ids: &[i64],
) -> Result<Vec<i64>, AppError> {
    let mut removed = Vec::with_capacity(user_ids.len());
    for chunk in user_ids.chunks(crate::db::IDS_PER_STATEMENT) {
        let ids = crate::db::id_list(chunk);
        let mut deleted: Vec<i64> = sqlx::query_scalar(&format!(
            "DELETE FROM group_members WHERE group_id = $1 AND user_id IN ({ids}) RETURNING user_id"
        ))
        .bind(group_id)
        .fetch_all(&mut *conn)
        .await?;
        removed.append(&mut deleted);
    }
    Ok(removed)
}

/// The user ids of a custom group's members.
pub async fn member_ids(conn: &mut AnyConnection, group_id: i64) -> Result<Vec<i64>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT user_id FROM group_members WHERE group_id = $1")
            .bind(group_id)
            .fetch_all(conn)
            .await?,
    )
}

pub async fn remove_member(
    conn: &mut AnyConnection,
    group_id: i64,
    user_id: i64,
) -> Result<bool, AppError> {
    let removed = sqlx::query("DELETE FROM group_members WHERE group_id = $1 AND user_id = $2")
        .bind(group_id)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(removed.rows_affected() > 0)
}

/// The apps a member owns in the workspace, by name.
pub async fn owned_apps(
    conn: &mut AnyConnection,
    workspace_id: i64,
    user_id: i64,
) -> Result<Vec<(i64, String)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, name FROM resources
         WHERE workspace_id = $1 AND kind = 'app' AND owner_user_id = $2 ORDER BY name_key",
    )
    .bind(workspace_id)
    .bind(user_id)
    .fetch_all(conn)
    .await?)
}

pub async fn transfer_apps(
    conn: &mut AnyConnection,
    workspace_id: i64,
    from_user_id: i64,
    to_user_id: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE resources SET owner_user_id = $1, updated_at = $2
         WHERE workspace_id = $3 AND kind = 'app' AND owner_user_id = $4",
    )
    .bind(to_user_id)
    .bind(now())
    .bind(workspace_id)
    .bind(from_user_id)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ResourceRecord {
    id: i64,
    kind: String,
    folder_id: Option<i64>,
    owner_user_id: Option<i64>,
    name: String,
}

/// One resource of the workspace as the permission rules see it, with its name.
pub async fn resource_ref(
    conn: &mut AnyConnection,
    workspace_id: i64,
    resource_id: i64,
) -> Result<Option<(crate::permissions::ResourceRef, String)>, AppError> {
    let record: Option<ResourceRecord> = sqlx::query_as(
        "SELECT id, kind, folder_id, owner_user_id, name FROM resources
         WHERE workspace_id = $1 AND id = $2",
    )
    .bind(workspace_id)
    .bind(resource_id)
    .fetch_optional(conn)
    .await?;
    record.map(ResourceRecord::into_ref).transpose()
}

/// Every resource of the workspace as the permission rules see it, with its name.
pub async fn resource_refs(
    conn: &mut AnyConnection,
    workspace_id: i64,
) -> Result<Vec<(crate::permissions::ResourceRef, String)>, AppError> {
    let records: Vec<ResourceRecord> = sqlx::query_as(
        "SELECT id, kind, folder_id, owner_user_id, name FROM resources
         WHERE workspace_id = $1 ORDER BY kind, name_key",
    )
    .bind(workspace_id)
    .fetch_all(conn)
    .await?;
    records.into_iter().map(ResourceRecord::into_ref).collect()
}

impl ResourceRecord {
    fn into_ref(self) -> Result<(crate::permissions::ResourceRef, String), AppError> {
        let kind = ResourceKind::from_key(&self.kind).ok_or_else(|| corrupt("resource kind"))?;
        Ok((
            crate::permissions::ResourceRef {
                id: self.id,
                kind,
                folder_id: self.folder_id,
                owner_user_id: self.owner_user_id,
            },
            self.name,
        ))
    }
}
