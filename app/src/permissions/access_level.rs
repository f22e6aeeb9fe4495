//! A member's access to one resource in a word, as the access matrix shows it: the
//! highest of what the permission checks allow, read only through them
//! ([`Permissions::is_admin`], [`Permissions::owns`] and [`Permissions::can`]), so the
//! matrix can never say something the checks don't.

use serde::{Deserialize, Serialize};

use super::effective::{Action, Permissions, ResourceRef};
use super::model::ResourceKind;

/// Access to one resource, lowest first. Apps, folders and constants take View or
/// Edit; data sources Build with or Configure; Owner is an app's owner (who edits it
/// whatever their groups say) and Admin a workspace admin, who may do everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AccessLevel {
    None,
    View,
    BuildWith,
    Edit,
    Configure,
    Owner,
    Admin,
}

impl AccessLevel {
    pub const ALL: [AccessLevel; 7] = [
        AccessLevel::None,
        AccessLevel::View,
        AccessLevel::BuildWith,
        AccessLevel::Edit,
        AccessLevel::Configure,
        AccessLevel::Owner,
        AccessLevel::Admin,
    ];

    /// What the matrix and its CSV export show.
    pub fn label(self) -> &'static str {
        match self {
            AccessLevel::None => "None",
            AccessLevel::View => "View",
            AccessLevel::BuildWith => "Build with",
            AccessLevel::Edit => "Edit",
            AccessLevel::Configure => "Configure",
            AccessLevel::Owner => "Owner",
            AccessLevel::Admin => "Admin",
        }
    }

    /// A stable name for styling each level.
    pub fn key(self) -> &'static str {
        match self {
            AccessLevel::None => "none",
            AccessLevel::View => "view",
            AccessLevel::BuildWith => "build-with",
            AccessLevel::Edit => "edit",
            AccessLevel::Configure => "configure",
            AccessLevel::Owner => "owner",
            AccessLevel::Admin => "admin",
        }
    }
}

/// The member's access to `resource`: Admin for admins, then Owner for an app they own
/// under the owner rule, then the higher of the two accesses its kind takes (Edit over
/// View, Configure over Build with) that [`Permissions::can`] allows, else None.
pub fn access_level(permissions: &Permissions, resource: &ResourceRef) -> AccessLevel {
    if permissions.is_admin() {
        return AccessLevel::Admin;
    }
    if permissions.owns(resource) {
        return AccessLevel::Owner;
    }
    let (high, low) = match resource.kind {
        ResourceKind::DataSource => (
            (Action::Configure, AccessLevel::Configure),
            (Action::BuildWith, AccessLevel::BuildWith),
        ),
        ResourceKind::App | ResourceKind::Folder | ResourceKind::Constant => (
            (Action::Edit, AccessLevel::Edit),
            (Action::View, AccessLevel::View),
        ),
    };
    [high, low]
        .into_iter()
        .find(|(action, _)| permissions.can(resource, *action))
        .map_or(AccessLevel::None, |(_, level)| level)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memberships::Role;
    use crate::permissions::tests::{app, custom, only, resource, role_group};
    use crate::permissions::{Access, Flag, Flags, Group, Rule, Scope, Subject, explain};

    const ME: i64 = 10;
    const OTHER: i64 = 11;
    const FOLDER: i64 = 200;

    /// A rule named after what it grants, shown on the dashboard.
    fn rule(kind: ResourceKind, access: Access, scope: Scope) -> Rule {
        let name = format!("{kind:?} {access:?}");
        crate::permissions::tests::rule(&name, kind, access, false, scope)
    }

    fn level(role: Role, groups: &[Group], resource: &ResourceRef) -> AccessLevel {
        let permissions = Permissions::of(Subject {
            user_id: ME,
            role,
            groups,
        });
        access_level(&permissions, resource)
    }

    #[test]
    fn levels_follow_the_checks_kind_by_kind() {
        use AccessLevel as L;
        use ResourceKind::*;
        let bare_end_user = Group {
            rules: vec![],
            ..role_group(Role::EndUser)
        };
        let viewers = custom(
            "Viewers",
            Flags::NONE,
            vec![
                rule(App, Access::View, only(&[1])),
                rule(Folder, Access::View, only(&[FOLDER])),
                rule(Constant, Access::View, Scope::All),
            ],
        );
        let sources = custom(
            "Sources",
            Flags::NONE,
            vec![
                rule(DataSource, Access::BuildWith, Scope::All),
                rule(DataSource, Access::Configure, only(&[7])),
            ],
        );
        let constant_editors = custom(
            "Constants",
            Flags::NONE.with(Flag::ConstantUpdate, true),
            vec![],
        );
        let cases = [
            // role, groups, resource, level
            (Role::Admin, vec![], app(1, None, None), L::Admin),
            (Role::Admin, vec![], resource(7, DataSource), L::Admin),
            (
                Role::EndUser,
                vec![bare_end_user.clone()],
                app(1, None, None),
                L::None,
            ),
            (
                Role::EndUser,
                vec![role_group(Role::EndUser)],
                app(1, None, None),
                L::View,
            ),
            (
                Role::EndUser,
                vec![bare_end_user.clone(), viewers.clone()],
                app(1, None, None),
                L::View,
            ),
            (
                Role::EndUser,
                vec![bare_end_user.clone(), viewers.clone()],
                app(2, None, None),
                L::None,
            ),
            // A folder's View reaches the apps in it, and the folder itself.
            (
                Role::EndUser,
                vec![bare_end_user.clone(), viewers.clone()],
                app(2, Some(FOLDER), None),
                L::View,
            ),
            (
                Role::EndUser,
                vec![bare_end_user.clone(), viewers.clone()],
                resource(FOLDER, Folder),
                L::View,
            ),
            (
                Role::EndUser,
                vec![bare_end_user.clone(), viewers.clone()],
                resource(3, Constant),
                L::View,
            ),
            (
                Role::Builder,
                vec![role_group(Role::Builder)],
                app(1, None, Some(OTHER)),
                L::Edit,
            ),
            (
                Role::Builder,
                vec![role_group(Role::Builder)],
                resource(3, Constant),
                L::Edit,
            ),
            (
                Role::Builder,
                vec![role_group(Role::Builder)],
                resource(7, DataSource),
                L::Configure,
            ),
            (
                Role::Builder,
                vec![sources.clone()],
                resource(7, DataSource),
                L::Configure,
            ),
            (
                Role::Builder,
                vec![sources.clone()],
                resource(8, DataSource),
                L::BuildWith,
            ),
            (Role::Builder, vec![], resource(8, DataSource), L::None),
            // Changing any constant's value includes reading it.
            (
                Role::Builder,
                vec![constant_editors],
                resource(3, Constant),
                L::Edit,
            ),
            // Owners outrank every grant; an End-user owns nothing under the owner rule.
            (Role::Builder, vec![], app(1, None, Some(ME)), L::Owner),
            (
                Role::Builder,
                vec![role_group(Role::Builder)],
                app(1, None, Some(ME)),
                L::Owner,
            ),
            (
                Role::EndUser,
                vec![role_group(Role::EndUser)],
                app(1, None, Some(ME)),
                L::View,
            ),
            (
                Role::EndUser,
                vec![bare_end_user],
                app(1, None, Some(ME)),
                L::None,
            ),
            // Admins outrank owners.
            (Role::Admin, vec![], app(1, None, Some(ME)), L::Admin),
        ];
        for (role, groups, resource, expected) in cases {
            assert_eq!(
                level(role, &groups, &resource),
                expected,
                "{role:?} in {:?} on {resource:?}",
                groups.iter().map(|group| &group.name).collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn labels_and_keys_are_distinct() {
        let labels: std::collections::BTreeSet<_> =
            AccessLevel::ALL.iter().map(|level| level.label()).collect();
        let keys: std::collections::BTreeSet<_> =
            AccessLevel::ALL.iter().map(|level| level.key()).collect();
        assert_eq!(labels.len(), AccessLevel::ALL.len());
        assert_eq!(keys.len(), AccessLevel::ALL.len());
        assert_eq!(AccessLevel::BuildWith.label(), "Build with");
    }

    /// What `explain` allows, in the terms of a level: the level a cell shows must be
    /// the one its reasons add up to, for every combination of groups, roles and
    /// resources below.
    fn level_from_explanations(
        role: Role,
        groups: &[Group],
        resource: &ResourceRef,
    ) -> AccessLevel {
        let explanations = explain(
            Subject {
                user_id: ME,
                role,
                groups,
            },
            resource,
        );
        let allowed = |action: Action| {
            explanations
                .iter()
                .any(|explanation| explanation.action == action && explanation.allowed)
        };
        let owner_reason = explanations.iter().any(|explanation| {
            explanation
                .reasons
                .iter()
                .any(|reason| reason.group == "Owner")
        });
        if role == Role::Admin {
            AccessLevel::Admin
        } else if owner_reason {
            AccessLevel::Owner
        } else if resource.kind == ResourceKind::DataSource {
            if allowed(Action::Configure) {
                AccessLevel::Configure
            } else if allowed(Action::BuildWith) {
                AccessLevel::BuildWith
            } else {
                AccessLevel::None
            }
        } else if allowed(Action::Edit) {
            AccessLevel::Edit
        } else if allowed(Action::View) {
            AccessLevel::View
        } else {
            AccessLevel::None
        }
    }

    #[test]
    fn levels_agree_with_the_explanations() {
        use ResourceKind::*;
        let candidate_groups = [
            role_group(Role::Builder),
            role_group(Role::EndUser),
            custom("A", Flags::NONE, vec![rule(App, Access::Edit, only(&[1]))]),
            custom(
                "B",
                Flags::NONE,
                vec![rule(Folder, Access::View, only(&[FOLDER]))],
            ),
            custom(
                "C",
                Flags::NONE,
                vec![rule(Folder, Access::Edit, Scope::All)],
            ),
            custom(
                "D",
                Flags::NONE
                    .with(Flag::ConstantUpdate, true)
                    .with(Flag::AppDelete, true),
                vec![],
            ),
            custom(
                "E",
                Flags::NONE,
                vec![rule(Constant, Access::View, only(&[3]))],
            ),
            custom(
                "F",
                Flags::NONE,
                vec![rule(DataSource, Access::BuildWith, Scope::All)],
            ),
            custom(
                "G",
                Flags::NONE,
                vec![rule(DataSource, Access::Configure, only(&[7]))],
            ),
            custom(
                "H",
                Flags::NONE.with(Flag::FolderUpdate, true),
                vec![rule(App, Access::View, Scope::All)],
            ),
        ];
        let resources = [
            app(1, None, Some(OTHER)),
            app(2, Some(FOLDER), None),
            app(4, None, Some(ME)),
            app(5, Some(FOLDER), Some(ME)),
            app(6, Some(201), None),
            resource(FOLDER, Folder),
            resource(201, Folder),
            resource(3, Constant),
            resource(9, Constant),
            resource(7, DataSource),
            resource(8, DataSource),
        ];
        let mut checked = 0;
        for mask in 0u32..(1 << candidate_groups.len()) {
            let groups: Vec<Group> = candidate_groups
                .iter()
                .enumerate()
                .filter(|(index, _)| mask & (1 << index) != 0)
                .map(|(_, group)| group.clone())
                .collect();
            for role in Role::ALL {
                for resource in &resources {
                    assert_eq!(
                        level(role, &groups, resource),
                        level_from_explanations(role, &groups, resource),
                        "{role:?} on {resource:?} with groups {mask:b}"
                    );
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 1024 * 3 * resources.len());
    }

    #[test]
    fn folding_borrowed_groups_gives_the_same_permissions() {
        let groups = [
            role_group(Role::Builder),
            custom(
                "A",
                Flags::NONE,
                vec![rule(ResourceKind::App, Access::Edit, only(&[1]))],
            ),
        ];
        let of_subject = Permissions::of(Subject {
            user_id: ME,
            role: Role::Builder,
            groups: &groups,
        });
        assert_eq!(
            Permissions::of_groups(ME, Role::Builder, groups.iter()),
            of_subject
        );
    }
}
