//! Workspaces: tenants with a name and a URL slug; every workspace page lives under
//! `/{slug}/…`.

#[cfg(feature = "ssr")]
pub mod slugs;
#[cfg(feature = "ssr")]
pub mod store;

mod layout;
mod switcher;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::memberships::Role;

pub use layout::{WorkspaceLayout, in_workspace, loaded_workspace, workspace_slug};
pub use switcher::{CreateWorkspaceDialog, WorkspaceSwitcher};

pub const WORKSPACE_NAME_MAX_CHARS: usize = 50;

/// First path segments that belong to Gatehouse itself, so no workspace may take them.
pub const RESERVED_SLUGS: &[&str] = &[
    "api",
    "assets",
    "health",
    "invitations",
    "pkg",
    "profile",
    "settings",
    "setup",
    "sign-in",
    "sign-out",
    "sign-up",
];

/// A workspace as listed for someone who belongs to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceSummary {
    pub slug: String,
    pub name: String,
    pub role: Role,
}

pub fn normalise_workspace_name(input: &str) -> Result<String, AppError> {
    let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::users::refuse_control_characters(&name)?;
    if name.is_empty() {
        Err(AppError::WorkspaceNameRequired)
    } else if name.chars().count() > WORKSPACE_NAME_MAX_CHARS {
        Err(AppError::WorkspaceNameTooLong {
            max: WORKSPACE_NAME_MAX_CHARS,
        })
    } else {
        Ok(name)
    }
}

/// Where a user lands: their default workspace while they may still enter it (the store
/// only returns it then), otherwise the first of the workspaces they may enter.
pub fn landing_among(
    usable_default: Option<String>,
    workspaces: &[WorkspaceSummary],
) -> Option<String> {
    usable_default.or_else(|| workspaces.first().map(|workspace| workspace.slug.clone()))
}

/// The workspace a page under `/{slug}` shows, with the viewer's role in it.
#[server(endpoint = "workspaces/context")]
pub async fn workspace_context(slug: String) -> Result<WorkspaceSummary, AppError> {
    let (actor, _) = crate::access::session_actor(&slug).await?;
    Ok(WorkspaceSummary {
        slug: actor.workspace.slug,
        name: actor.workspace.name,
        role: actor.role,
    })
}

/// Remembers `slug` as the workspace the viewer lands in after signing in.
#[server(endpoint = "workspaces/switch")]
pub async fn switch_workspace(slug: String) -> Result<(), AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    store::set_default(&state.db, actor.user.id, actor.workspace.id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(slug: &str) -> WorkspaceSummary {
        WorkspaceSummary {
            slug: slug.into(),
            name: slug.into(),
            role: Role::Builder,
        }
    }

    #[test]
    fn users_land_in_their_default_else_their_first_workspace() {
        let workspaces = [summary("alpha"), summary("omega")];
        assert_eq!(
            landing_among(Some("omega".into()), &workspaces),
            Some("omega".into())
        );
        assert_eq!(landing_among(None, &workspaces), Some("alpha".into()));
        assert_eq!(landing_among(None, &[]), None);
    }

    #[test]
    fn workspace_names_are_trimmed_and_bounded() {
        assert_eq!(
            normalise_workspace_name("  Tech   Corp "),
            Ok("Tech Corp".into())
        );
        assert_eq!(
            normalise_workspace_name(" "),
            Err(AppError::WorkspaceNameRequired)
        );
        assert_eq!(
            normalise_workspace_name(&"x".repeat(51)),
            Err(AppError::WorkspaceNameTooLong { max: 50 })
        );
    }
}
