//! Workspace settings › Access matrix: every member (rows) against every app, folder,
//! workspace constant and data source (columns), each cell the member's access in a word
//! ([`AccessLevel`]) and the reasons behind it, exactly as Effective permissions gives
//! them. It is read from the permission rules every check uses
//! ([`crate::permissions::Permissions`], [`crate::permissions::explain`]), never worked
//! out a second way. Pages of [`MEMBERS_PER_PAGE`] × [`RESOURCES_PER_PAGE`] keep the
//! browser to a screenful; the whole matrix leaves as a CSV download instead.

mod page;

#[cfg(feature = "ssr")]
pub mod operations;
#[cfg(feature = "ssr")]
pub mod store;

pub use page::AccessMatrixPage;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::memberships::Role;
use crate::permissions::{AccessLevel, ResourceKind};

/// Rows of a page: members.
pub const MEMBERS_PER_PAGE: i64 = 25;
/// Columns of a page: resources.
pub const RESOURCES_PER_PAGE: i64 = 10;

/// Which part of the matrix to show: members of one custom group, members of one role,
/// resources of one kind; `None` leaves that side whole.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixFilter {
    pub group_id: Option<i64>,
    pub role: Option<Role>,
    pub kind: Option<ResourceKind>,
}

impl MatrixFilter {
    /// The filters as the page and the export link send them; an empty text is "all".
    pub fn parse(
        group_id: Option<i64>,
        role: Option<&str>,
        kind: Option<&str>,
    ) -> Result<MatrixFilter, AppError> {
        fn chosen(text: Option<&str>) -> Option<&str> {
            text.map(str::trim).filter(|text| !text.is_empty())
        }
        Ok(MatrixFilter {
            group_id,
            role: chosen(role).map(Role::parse).transpose()?,
            kind: chosen(kind)
                .map(|key| ResourceKind::from_key(key).ok_or(AppError::UnknownResourceKind))
                .transpose()?,
        })
    }

    /// The query string of the export link for these filters: `group=3&role=builder`.
    pub fn query(&self) -> String {
        let mut pairs = Vec::new();
        if let Some(group_id) = self.group_id {
            pairs.push(format!("group={group_id}"));
        }
        if let Some(role) = self.role {
            pairs.push(format!("role={}", role.key()));
        }
        if let Some(kind) = self.kind {
            pairs.push(format!("kind={}", kind.key()));
        }
        pairs.join("&")
    }
}

/// Where the CSV export of the matrix of the workspace at `slug` is downloaded.
pub fn export_path(slug: &str, filter: &MatrixFilter) -> String {
    let query = filter.query();
    if query.is_empty() {
        format!("/{slug}/settings/access-matrix/export.csv")
    } else {
        format!("/{slug}/settings/access-matrix/export.csv?{query}")
    }
}

/// A row of the matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixMember {
    pub user_id: i64,
    pub full_name: String,
    pub email: String,
    pub role: Role,
}

/// A column of the matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixResource {
    pub id: i64,
    pub name: String,
    pub kind: ResourceKind,
}

impl MatrixResource {
    /// The column's heading in the CSV export: "Billing (app)".
    pub fn heading(&self) -> String {
        format!("{} ({})", self.name, self.kind.noun())
    }
}

/// One member's access to one resource, with one line per allowed action naming every
/// group and rule that grants it ("Edit: Apps: Edit on all apps (Builder)"), as the
/// Effective permissions dialog words them. No lines: no access.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixCell {
    pub level: AccessLevel,
    pub reasons: Vec<String>,
}

/// A page of the matrix: `cells[m][r]` is `members[m]`'s access to `resources[r]`; the
/// offsets and totals place the page in the whole (filtered) matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixPage {
    pub members: Vec<MatrixMember>,
    pub resources: Vec<MatrixResource>,
    pub cells: Vec<Vec<MatrixCell>>,
    pub member_offset: i64,
    pub member_total: i64,
    pub resource_offset: i64,
    pub resource_total: i64,
}

/// A page of the workspace's access matrix, for its admins. `role` and `kind` take a
/// role or kind key, or nothing for all.
#[server(endpoint = "access-matrix/page")]
pub async fn access_matrix_page(
    slug: String,
    group_id: Option<i64>,
    role: Option<String>,
    kind: Option<String>,
    member_offset: i64,
    resource_offset: i64,
) -> Result<MatrixPage, AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    let filter = MatrixFilter::parse(group_id, role.as_deref(), kind.as_deref())?;
    operations::matrix_page(&state, &actor, filter, member_offset, resource_offset).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_read_keys_and_labels_and_leave_empty_ones_out() {
        assert_eq!(
            MatrixFilter::parse(None, Some(""), Some(" ")),
            Ok(MatrixFilter::default())
        );
        assert_eq!(
            MatrixFilter::parse(Some(3), Some("end-user"), Some("data_source")),
            Ok(MatrixFilter {
                group_id: Some(3),
                role: Some(Role::EndUser),
                kind: Some(ResourceKind::DataSource),
            })
        );
        assert_eq!(
            MatrixFilter::parse(None, Some("Builder"), None).map(|filter| filter.role),
            Ok(Some(Role::Builder))
        );
        assert_eq!(
            MatrixFilter::parse(None, Some("owner"), None),
            Err(AppError::UnknownRole)
        );
        assert_eq!(
            MatrixFilter::parse(None, None, Some("apps")),
            Err(AppError::UnknownResourceKind)
        );
    }

    #[test]
    fn the_export_link_carries_the_filters_the_page_shows() {
        assert_eq!(
            export_path("acme", &MatrixFilter::default()),
            "/acme/settings/access-matrix/export.csv"
        );
        let filter = MatrixFilter {
            group_id: Some(7),
            role: Some(Role::EndUser),
            kind: Some(ResourceKind::Constant),
        };
        assert_eq!(
            export_path("acme", &filter),
            "/acme/settings/access-matrix/export.csv?group=7&role=end-user&kind=constant"
        );
        // What the link carries, the server reads back the same.
        assert_eq!(
            MatrixFilter::parse(Some(7), Some("end-user"), Some("constant")),
            Ok(filter)
        );
    }
}
