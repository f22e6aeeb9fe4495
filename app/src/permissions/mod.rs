//! Permissions: what members may do with a workspace's apps, folders, workspace
//! constants and data sources, through their role group and custom groups.
//!
//! Everything here is pure: the same functions decide what the browser offers and what
//! the server allows. [`model`] holds the parts (flags, granular rules, groups),
//! [`effective`] computes and explains a member's effective permissions, [`access_level`]
//! sums them up per resource for the access matrix, and [`changes`] holds the rules for
//! changing groups. On the server, [`cache`] keeps computed permissions per instance until
//! the workspace's permissions version moves.

pub mod access_level;
#[cfg(feature = "ssr")]
pub mod cache;
pub mod changes;
pub mod effective;
pub mod model;

pub use access_level::{AccessLevel, access_level};
pub use changes::{
    Candidate, CustomOnly, RuleDraft, check_custom, check_flags_editable, check_rule, copy_name,
    end_users_to_promote, groups_left_as_end_user, normalise_group_name, require_consent,
};
pub use effective::{Action, Explanation, Permissions, Reason, ResourceRef, Subject, explain};
pub use model::{Access, Flag, Flags, Group, GroupKind, ResourceKind, Rule, Scope};

use crate::memberships::Role;

/// How each role group starts in a new workspace (SPEC §2): Admin and Builder with every
/// flag, Edit on all apps and constants and Configure on all data sources; End-user with
/// View on all apps. Migration 0003 seeds existing workspaces the same way.
pub fn seeded_role_group(role: Role) -> (Flags, Vec<RuleDraft>) {
    let all = |name: &str, kind, access| RuleDraft {
        name: name.to_string(),
        kind,
        access,
        hide_from_dashboard: false,
        scope: Scope::All,
    };
    match role {
        Role::Admin | Role::Builder => (
            Flags::ALL,
            vec![
                all("Apps", ResourceKind::App, Access::Edit),
                all("Data sources", ResourceKind::DataSource, Access::Configure),
                all("Workspace constants", ResourceKind::Constant, Access::Edit),
            ],
        ),
        Role::EndUser => (
            Flags::NONE,
            vec![all("Apps", ResourceKind::App, Access::View)],
        ),
    }
}

#[cfg(test)]
mod tests;
