//! Workspaces: tenants with a name and a URL slug; every workspace page lives under
//! `/{slug}/…`.

#[cfg(feature = "ssr")]
pub mod store;

mod layout;
mod switcher;

use std::collections::HashSet;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::memberships::Role;

pub use layout::{CurrentWorkspace, WorkspaceLayout};
pub use switcher::WorkspaceSwitcher;

pub const WORKSPACE_NAME_MAX_CHARS: usize = 50;
const SLUG_BASE_MAX_CHARS: usize = 40;
const SLUG_SUFFIXES_TRIED: usize = 100;

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

/// The slug a name asks for: lower-case ASCII words joined by hyphens.
pub fn slug_base(name: &str) -> String {
    let slug = slug::slugify(name);
    let mut base: String = slug.chars().take(SLUG_BASE_MAX_CHARS).collect();
    while base.ends_with('-') {
        base.pop();
    }
    if base.is_empty() {
        "workspace".to_string()
    } else {
        base
    }
}

/// The first free slug for `name`: its base, else the base with `-2`, `-3`, …
pub fn choose_slug(name: &str, taken: &HashSet<String>) -> Option<String> {
    let base = slug_base(name);
    std::iter::once(base.clone())
        .chain((2..=SLUG_SUFFIXES_TRIED).map(|n| format!("{base}-{n}")))
        .find(|slug| !taken.contains(slug) && !RESERVED_SLUGS.contains(&slug.as_str()))
}

/// The workspace a page under `/{slug}` shows, with the viewer's role in it.
#[server(endpoint = "workspaces/context")]
pub async fn workspace_context(slug: String) -> Result<WorkspaceSummary, AppError> {
    let actor = crate::access::member_of(&slug).await?;
    Ok(WorkspaceSummary {
        slug: actor.workspace.slug,
        name: actor.workspace.name,
        role: actor.role,
    })
}

/// Remembers `slug` as the workspace the viewer lands in after signing in.
#[server(endpoint = "workspaces/switch")]
pub async fn switch_workspace(slug: String) -> Result<(), AppError> {
    let actor = crate::access::member_of(&slug).await?;
    let state = crate::state::app_state()?;
    store::set_default(&state.db, actor.user.id, actor.workspace.id).await
}

/// Creates a workspace with the caller as its admin (super admins only).
#[server(endpoint = "workspaces/create")]
pub async fn create_workspace(name: String) -> Result<WorkspaceSummary, AppError> {
    let user = crate::access::super_admin()?;
    let name = normalise_workspace_name(&name)?;
    let state = crate::state::app_state()?;
    let mut tx = state.db.begin().await?;
    let workspace = store::create_with_admin(&mut tx, &name, user.id).await?;
    tx.commit().await?;
    tracing::info!(user_id = user.id, workspace = %workspace.slug, "workspace created");
    Ok(WorkspaceSummary {
        slug: workspace.slug,
        name: workspace.name,
        role: Role::Admin,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taken(slugs: &[&str]) -> HashSet<String> {
        slugs.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn slugs_are_lower_case_words_joined_by_hyphens() {
        assert_eq!(slug_base("TechCorp Engineering"), "techcorp-engineering");
        assert_eq!(slug_base("  Ünïcödé  & Co. "), "unicode-co");
        assert_eq!(slug_base("!!!"), "workspace");
    }

    #[test]
    fn long_names_give_bounded_slugs_without_a_trailing_hyphen() {
        let slug = slug_base(&format!("{} b", "a".repeat(39)));
        assert_eq!(slug, "a".repeat(39));
    }

    #[test]
    fn a_taken_slug_gets_the_next_free_number() {
        assert_eq!(choose_slug("Acme", &taken(&[])), Some("acme".into()));
        assert_eq!(
            choose_slug("Acme", &taken(&["acme"])),
            Some("acme-2".into())
        );
        assert_eq!(
            choose_slug("Acme", &taken(&["acme", "acme-2"])),
            Some("acme-3".into())
        );
    }

    #[test]
    fn reserved_paths_are_never_chosen() {
        assert_eq!(
            choose_slug("Settings", &taken(&[])),
            Some("settings-2".into())
        );
        assert_eq!(
            choose_slug("Sign in", &taken(&[])),
            Some("sign-in-2".into())
        );
    }

    #[test]
    fn running_out_of_numbers_is_reported_not_looped() {
        let mut all = taken(&["acme"]);
        all.extend((2..=100).map(|n| format!("acme-{n}")));
        assert_eq!(choose_slug("Acme", &all), None);
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
