//! The access matrix's use cases: a page of it, and the whole of it as CSV. Both read
//! the workspace's groups and rules once and fold each member's permissions from their
//! role group and custom groups with [`Permissions::of_groups`], in the order
//! [`crate::groups::store::subject_groups`] gives them to every other check, so a cell
//! says exactly what the checks and Effective permissions say.

use std::collections::HashMap;

use super::store::{self, MemberEntry, MemberPosition};
use super::{
    MEMBERS_PER_PAGE, MatrixCell, MatrixFilter, MatrixMember, MatrixPage, MatrixResource,
    RESOURCES_PER_PAGE,
};
use crate::access::{Scope, WorkspaceActor};
use crate::db::Db;
use crate::error::AppError;
use crate::memberships::Role;
use crate::permissions::changes::name_key;
use crate::permissions::{
    AccessLevel, Group, GroupKind, Permissions, ResourceRef, Subject, access_level, explain,
};
use crate::state::AppState;

/// Members per batch of the CSV export: a batch of rows is all it holds at a time.
pub const EXPORT_BATCH: i64 = 200;

/// The workspace's groups with their rules, read once for every member shown.
struct WorkspaceGroups {
    /// Role groups first, then custom groups by name key, compared as
    /// [`crate::groups::store::subject_groups`] compares them (byte by byte, whatever
    /// the database's collation), so that reasons come in its order.
    groups: Vec<Group>,
    /// Each group's place in `groups`, by id.
    position: HashMap<i64, usize>,
}

impl WorkspaceGroups {
    async fn load(db: &Db, workspace_id: i64) -> Result<WorkspaceGroups, AppError> {
        let mut conn = db.acquire().await?;
        let mut groups = crate::groups::store::all_with_rules(&mut conn, workspace_id).await?;
        groups.sort_by_cached_key(|group| (group.is_custom(), name_key(&group.name)));
        let position = groups
            .iter()
            .enumerate()
            .map(|(index, group)| (group.id, index))
            .collect();
        Ok(WorkspaceGroups { groups, position })
    }

    /// Only a custom group of the workspace filters the rows, as on the Users page.
    fn check(&self, filter: &MatrixFilter) -> Result<(), AppError> {
        match filter.group_id {
            None => Ok(()),
            Some(id) => match self.position.get(&id).map(|&index| &self.groups[index]) {
                Some(group) if group.is_custom() => Ok(()),
                _ => Err(AppError::GroupNotFound),
            },
        }
    }

    /// A member's groups as a permission check reads them: their role group, then the
    /// groups they joined, custom groups by name.
    fn of(&self, role: Role, joined: &[i64]) -> Result<Vec<&Group>, AppError> {
        let role_group = self
            .groups
            .iter()
            .find(|group| group.kind == GroupKind::Role(role))
            .ok_or_else(|| {
                tracing::error!(?role, "a workspace without its role group");
                AppError::Internal
            })?;
        let mut places: Vec<usize> = joined
            .iter()
            .filter_map(|id| self.position.get(id).copied())
            .collect();
        places.sort_unstable();
        places.dedup();
        Ok(std::iter::once(role_group)
            .chain(places.into_iter().map(|index| &self.groups[index]))
            .collect())
    }
}

/// A page of the matrix: [`MEMBERS_PER_PAGE`] members from `member_offset` on, by name,
/// against [`RESOURCES_PER_PAGE`] resources from `resource_offset` on, by name; each cell
/// with its reasons.
pub async fn matrix_page(
    state: &AppState,
    actor: &WorkspaceActor,
    filter: MatrixFilter,
    member_offset: i64,
    resource_offset: i64,
) -> Result<MatrixPage, AppError> {
    actor.authorise(Role::Admin, Scope::MembersRead)?;
    let workspace_id = actor.workspace.id;
    let groups = WorkspaceGroups::load(&state.db, workspace_id).await?;
    groups.check(&filter)?;
    let member_offset = member_offset.max(0);
    let resource_offset = resource_offset.max(0);
    let mut conn = state.db.acquire().await?;
    let member_total = store::member_count(&mut conn, workspace_id, &filter).await?;
    let entries = store::members(
        &mut conn,
        workspace_id,
        &filter,
        &MemberPosition::Offset(member_offset),
        MEMBERS_PER_PAGE,
    )
    .await?;
    let ids: Vec<i64> = entries.iter().map(|entry| entry.member.user_id).collect();
    let joined = store::joined_groups(&mut conn, workspace_id, &ids).await?;
    let resource_total = store::resource_count(&mut conn, workspace_id, filter.kind).await?;
    let resources = store::resources(
        &mut conn,
        workspace_id,
        filter.kind,
        Some((resource_offset, RESOURCES_PER_PAGE)),
    )
    .await?;
    drop(conn);

    let mut cells = Vec::with_capacity(entries.len());
    for MemberEntry { member, .. } in &entries {
        let their_groups: Vec<Group> = groups
            .of(member.role, joined_of(&joined, member.user_id))?
            .into_iter()
            .cloned()
            .collect();
        let subject = Subject {
            user_id: member.user_id,
            role: member.role,
            groups: &their_groups,
        };
        let permissions = Permissions::of(subject);
        cells.push(
            resources
                .iter()
                .map(|(resource, _)| cell(&permissions, subject, resource))
                .collect(),
        );
    }
    Ok(MatrixPage {
        members: entries.into_iter().map(|entry| entry.member).collect(),
        resources: resources.into_iter().map(|(_, column)| column).collect(),
        cells,
        member_offset,
        member_total,
        resource_offset,
        resource_total,
    })
}

fn joined_of(joined: &HashMap<i64, Vec<i64>>, user_id: i64) -> &[i64] {
    joined.get(&user_id).map(Vec::as_slice).unwrap_or_default()
}

/// A cell: the level the checks allow, and the reasons [`explain`] gives for each allowed
/// action, worded as Effective permissions words them.
fn cell(permissions: &Permissions, subject: Subject<'_>, resource: &ResourceRef) -> MatrixCell {
    MatrixCell {
        level: access_level(permissions, resource),
        reasons: explain(subject, resource)
            .into_iter()
            .filter(|explanation| explanation.allowed)
            .map(|explanation| explanation.describe(resource.kind))
            .collect(),
    }
}

/// The whole matrix on its way out as CSV: the groups and the columns read once when it
/// starts, then the rows read and written [`EXPORT_BATCH`] at a time.
pub struct MatrixExport {
    db: Db,
    workspace_id: i64,
    slug: String,
    filter: MatrixFilter,
    groups: WorkspaceGroups,
    resources: Vec<(ResourceRef, MatrixResource)>,
}

/// One member's row of the export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRow {
    pub member: MatrixMember,
    /// Their access to each of the export's resources, in its column order.
    pub levels: Vec<AccessLevel>,
}

/// Starts an export of the matrix as the page shows it with `filter`, for the same
/// people the page is for. Everything that can refuse it does so here, before the first
/// byte leaves.
pub async fn prepare_export(
    state: &AppState,
    actor: &WorkspaceActor,
    filter: MatrixFilter,
) -> Result<MatrixExport, AppError> {
    actor.authorise(Role::Admin, Scope::MembersRead)?;
    let workspace_id = actor.workspace.id;
    let groups = WorkspaceGroups::load(&state.db, workspace_id).await?;
    groups.check(&filter)?;
    let mut conn = state.db.acquire().await?;
    let resources = store::resources(&mut conn, workspace_id, filter.kind, None).await?;
    Ok(MatrixExport {
        db: state.db.clone(),
        workspace_id,
        slug: actor.workspace.slug.clone(),
        filter,
        groups,
        resources,
    })
}

impl MatrixExport {
    /// The file's name: the workspace's URL name is letters, digits and hyphens only.
    pub fn file_name(&self) -> String {
        format!("access-matrix-{}.csv", self.slug)
    }

    /// The export's columns.
    pub fn resources(&self) -> impl Iterator<Item = &MatrixResource> {
        self.resources.iter().map(|(_, column)| column)
    }

    /// The heading row: Member, Email, then each resource as "Name (kind)".
    pub fn header(&self) -> Vec<u8> {
        let headings: Vec<String> = self.resources().map(MatrixResource::heading).collect();
        crate::exports::csv_record(
            ["Member", "Email"]
                .into_iter()
                .chain(headings.iter().map(String::as_str)),
        )
    }

    /// Up to [`EXPORT_BATCH`] rows from `position` on, and where the next batch starts
    /// when there may be more.
    pub async fn rows(
        &self,
        position: &MemberPosition,
    ) -> Result<(Vec<ExportRow>, Option<MemberPosition>), AppError> {
        let mut conn = self.db.acquire().await?;
        let entries = store::members(
            &mut conn,
            self.workspace_id,
            &self.filter,
            position,
            EXPORT_BATCH,
        )
        .await?;
        let ids: Vec<i64> = entries.iter().map(|entry| entry.member.user_id).collect();
        let joined = store::joined_groups(&mut conn, self.workspace_id, &ids).await?;
        drop(conn);
        let next = match entries.last() {
            Some(last) if entries.len() as i64 == EXPORT_BATCH => Some(MemberPosition::After {
                name_key: last.name_key.clone(),
                email: last.member.email.clone(),
            }),
            _ => None,
        };
        let mut rows = Vec::with_capacity(entries.len());
        for MemberEntry { member, .. } in entries {
            let their_groups = self
                .groups
                .of(member.role, joined_of(&joined, member.user_id))?;
            let permissions = Permissions::of_groups(member.user_id, member.role, their_groups);
            let levels = self
                .resources
                .iter()
                .map(|(resource, _)| access_level(&permissions, resource))
                .collect();
            rows.push(ExportRow { member, levels });
        }
        Ok((rows, next))
    }

    /// The CSV of the batch of rows at `position`, after the heading row for the first
    /// batch, and where the next batch starts. Pass [`MemberPosition::Offset`]`(0)` first.
    pub async fn batch(
        &self,
        position: MemberPosition,
    ) -> Result<(Vec<u8>, Option<MemberPosition>), AppError> {
        let mut bytes = if position == MemberPosition::Offset(0) {
            self.header()
        } else {
            Vec::new()
        };
        let (rows, next) = self.rows(&position).await?;
        for row in rows {
            bytes.extend(crate::exports::csv_record(
                [row.member.full_name.as_str(), row.member.email.as_str()]
                    .into_iter()
                    .chain(row.levels.iter().map(|level| level.label())),
            ));
        }
        Ok((bytes, next))
    }
}
