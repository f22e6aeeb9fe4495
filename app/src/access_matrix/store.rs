//! The access matrix's reads: its rows (members, by name), their custom groups, and its
//! columns (resources, by name). The groups and rules come from
//! [`crate::groups::store::all_with_rules`], as everywhere.

use std::collections::HashMap;

use sqlx::AnyConnection;

use super::{MatrixFilter, MatrixMember, MatrixResource};
use crate::db::{SqlBuilder, SqlValue};
use crate::error::AppError;
use crate::permissions::{ResourceKind, ResourceRef};
use crate::workspaces::store::decode_role;

/// A row of the matrix with the key it sorts by.
#[derive(Debug, Clone)]
pub struct MemberEntry {
    pub member: MatrixMember,
    /// The lower-cased name the rows sort by, then the email: together unique, so the
    /// export can continue after the last row it wrote.
    pub name_key: String,
}

/// Where a read of the rows starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberPosition {
    /// After this many rows: a page of the matrix.
    Offset(i64),
    /// After the row with this name key and email: the export's next batch, which
    /// neither skips nor repeats anyone when a member joins or leaves meanwhile.
    After { name_key: String, email: String },
}

/// Adds the conditions on `m` (a membership of the workspace, bound first) that keep
/// the filter's rows. Archived members are left out: they can't use the workspace, and
/// the Groups page doesn't count them either. Invited ones stay: their access is what
/// they get the moment they join.
fn member_conditions(sql: &mut SqlBuilder, workspace_id: i64, filter: &MatrixFilter) {
    sql.push(" WHERE m.workspace_id = ")
        .push_bind(SqlValue::Integer(workspace_id))
        .push(" AND m.status <> 'archived'");
    if let Some(role) = filter.role {
        sql.push(" AND m.role = ")
            .push_bind(SqlValue::Text(role.key().to_string()));
    }
    if let Some(group_id) = filter.group_id {
        // Not correlated with `m`: PostgreSQL then reads the group's members once, as a
        // semi-join, instead of once per membership (a page of the benchmark's workspace
        // took 42 ms that way, 5 ms this way).
        sql.push(
            " AND m.user_id IN (SELECT gm.user_id FROM group_members gm WHERE gm.workspace_id = ",
        )
        .push_bind(SqlValue::Integer(workspace_id))
        .push(" AND gm.group_id = ")
        .push_bind(SqlValue::Integer(group_id))
        .push(")");
    }
}

/// How many rows the filter keeps.
pub async fn member_count(
    conn: &mut AnyConnection,
    workspace_id: i64,
    filter: &MatrixFilter,
) -> Result<i64, AppError> {
    let mut sql = SqlBuilder::new("SELECT COUNT(*) FROM memberships m");
    member_conditions(&mut sql, workspace_id, filter);
    Ok(sql.query_scalar().fetch_one(conn).await?)
}

type MemberRecord = (i64, String, String, String, String);

/// Up to `limit` rows the filter keeps, by name (then email), from `position` on.
pub async fn members(
    conn: &mut AnyConnection,
    workspace_id: i64,
    filter: &MatrixFilter,
    position: &MemberPosition,
    limit: i64,
) -> Result<Vec<MemberEntry>, AppError> {
    let mut sql = SqlBuilder::new(
        "SELECT m.user_id, COALESCE(m.invited_name, u.full_name) AS full_name, m.email, m.role,
                m.name_key
         FROM memberships m JOIN users u ON u.id = m.user_id",
    );
    member_conditions(&mut sql, workspace_id, filter);
    let offset = match position {
        MemberPosition::Offset(offset) => (*offset).max(0),
        MemberPosition::After { name_key, email } => {
            sql.push(" AND (m.name_key > ")
                .push_bind(SqlValue::Text(name_key.clone()))
                .push(" OR (m.name_key = ")
                .push_bind(SqlValue::Text(name_key.clone()))
                .push(" AND m.email > ")
                .push_bind(SqlValue::Text(email.clone()))
                .push("))");
            0
        }
    };
    // Integers only are written into the statement; everything else is bound.
    sql.push(&format!(
        " ORDER BY m.name_key, m.email LIMIT {} OFFSET {offset}",
        limit.max(0)
    ));
    sql.query_as::<MemberRecord>()
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|(user_id, full_name, email, role, name_key)| {
            Ok(MemberEntry {
                member: MatrixMember {
                    user_id,
                    full_name,
                    email,
                    role: decode_role(&role)?,
                },
                name_key,
            })
        })
        .collect()
}

/// The groups each of these members joined (`group_members`), by member. Their role
/// group comes from their role, as [`crate::groups::store::subject_groups`] has it.
pub async fn joined_groups(
    conn: &mut AnyConnection,
    workspace_id: i64,
    user_ids: &[i64],
) -> Result<HashMap<i64, Vec<i64>>, AppError> {
    let mut joined: HashMap<i64, Vec<i64>> = HashMap::new();
    for chunk in user_ids.chunks(crate::db::IDS_PER_STATEMENT) {
        // Ids from our own query: integers, listed inline.
        let rows: Vec<(i64, i64)> = sqlx::query_as(&format!(
            "SELECT gm.user_id, gm.group_id FROM group_members gm
             WHERE gm.workspace_id = $1 AND gm.user_id IN ({})",
            crate::db::id_list(chunk)
        ))
        .bind(workspace_id)
        .fetch_all(&mut *conn)
        .await?;
        for (user_id, group_id) in rows {
            joined.entry(user_id).or_default().push(group_id);
        }
    }
    Ok(joined)
}

/// How many columns: the workspace's resources, or those of one kind.
pub async fn resource_count(
    conn: &mut AnyConnection,
    workspace_id: i64,
    kind: Option<ResourceKind>,
) -> Result<i64, AppError> {
    let count = match kind {
        Some(kind) => {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM resources WHERE workspace_id = $1 AND kind = $2",
            )
            .bind(workspace_id)
            .bind(kind.key())
            .fetch_one(conn)
            .await?
        }
        None => {
            sqlx::query_scalar("SELECT COUNT(*) FROM resources WHERE workspace_id = $1")
                .bind(workspace_id)
                .fetch_one(conn)
                .await?
        }
    };
    Ok(count)
}

type ResourceRecord = (i64, String, Option<i64>, Option<i64>, String);

/// The columns by name (then kind and id), as the permission rules see each and as
/// the matrix heads it: `page` (how many to skip, how many to take) or, without one, all.
pub async fn resources(
    conn: &mut AnyConnection,
    workspace_id: i64,
    kind: Option<ResourceKind>,
    page: Option<(i64, i64)>,
) -> Result<Vec<(ResourceRef, MatrixResource)>, AppError> {
    let of_kind = if kind.is_some() { " AND kind = $2" } else { "" };
    // Integers only are written into the statement.
    let page = match page {
        Some((offset, limit)) => format!(" LIMIT {} OFFSET {}", limit.max(0), offset.max(0)),
        None => String::new(),
    };
    let sql = format!(
        "SELECT id, kind, folder_id, owner_user_id, name FROM resources
         WHERE workspace_id = $1{of_kind} ORDER BY name_key, kind, id{page}"
    );
    let mut query = sqlx::query_as::<_, ResourceRecord>(&sql).bind(workspace_id);
    if let Some(kind) = kind {
        query = query.bind(kind.key());
    }
    query
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|(id, kind, folder_id, owner_user_id, name)| {
            let kind = ResourceKind::from_key(&kind).ok_or_else(|| {
                tracing::error!(kind, "unknown resource kind in the database");
                AppError::Internal
            })?;
            Ok((
                ResourceRef {
                    id,
                    kind,
                    folder_id,
                    owner_user_id,
                },
                MatrixResource { id, name, kind },
            ))
        })
        .collect()
}
