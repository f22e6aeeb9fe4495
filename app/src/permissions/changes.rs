//! The rules for changing groups: names, which groups take which changes, granular rule
//! drafts, and the consent needed before a change would make end-users builders.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::model::{Access, Group, GroupKind, ResourceKind, Rule, Scope};
use crate::error::AppError;
use crate::memberships::Role;

pub const GROUP_NAME_MAX: usize = 50;
pub const RULE_NAME_MAX: usize = 50;
/// The most resources one rule may choose; beyond that, a rule on All is the way.
pub const CHOSEN_RESOURCES_MAX: usize = 1_000;

/// A custom group's name: trimmed, present, not too long, and not a role's name.
pub fn normalise_group_name(input: &str) -> Result<String, AppError> {
    let name = input.trim();
    crate::users::refuse_control_characters(name)?;
    if name.is_empty() {
        return Err(AppError::GroupNameRequired);
    }
    if name.chars().count() > GROUP_NAME_MAX {
        return Err(AppError::GroupNameTooLong {
            max: GROUP_NAME_MAX,
        });
    }
    if Role::ALL.into_iter().any(|role| {
        role.key().eq_ignore_ascii_case(name) || role.label().eq_ignore_ascii_case(name)
    }) {
        return Err(AppError::GroupNameReserved {
            name: name.to_string(),
        });
    }
    Ok(name.to_string())
}

/// Names are compared without regard to case.
pub fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// The name of a duplicate: "{name} copy", then "{name} copy 2", "{name} copy 3", …,
/// the first that no group in `taken` has. The name is shortened to leave room.
pub fn copy_name(name: &str, taken: &BTreeSet<String>) -> String {
    (1..)
        .map(|n| {
            let suffix = if n == 1 {
                " copy".to_string()
            } else {
                format!(" copy {n}")
            };
            let room = GROUP_NAME_MAX.saturating_sub(suffix.chars().count());
            let base: String = name.chars().take(room).collect();
            format!("{}{suffix}", base.trim_end())
        })
        .find(|candidate| !taken.contains(&name_key(candidate)))
        .unwrap_or_else(|| name.to_string())
}

/// Only custom groups are renamed, deleted or given members directly: a role group's
/// members are the members with that role.
pub fn check_custom(group: &Group, attempt: CustomOnly) -> Result<(), AppError> {
    if group.is_custom() {
        Ok(())
    } else {
        Err(match attempt {
            CustomOnly::Rename => AppError::RoleGroupNotRenamable,
            CustomOnly::Delete => AppError::RoleGroupNotDeletable,
            CustomOnly::Members => AppError::RoleGroupMembersByRole,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomOnly {
    Rename,
    Delete,
    Members,
}

/// Admin holds everything and End-user holds no flags; Builder's and custom groups'
/// flags can be changed.
pub fn check_flags_editable(group: &Group) -> Result<(), AppError> {
    match group.kind {
        GroupKind::Role(Role::Admin) => Err(AppError::AdminGroupLocked),
        GroupKind::Role(Role::EndUser) => Err(AppError::EndUserGroupViewOnly),
        GroupKind::Role(Role::Builder) | GroupKind::Custom => Ok(()),
    }
}

/// A granular rule as an admin submits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleDraft {
    pub name: String,
    pub kind: ResourceKind,
    pub access: Access,
    pub hide_from_dashboard: bool,
    pub scope: Scope,
}

/// Checks a new or changed rule (`replacing` is the id of the rule it changes) against
/// the group it goes in, and returns it ready to store.
pub fn check_rule(
    group: &Group,
    draft: RuleDraft,
    replacing: Option<i64>,
) -> Result<Rule, AppError> {
    if group.kind == GroupKind::Role(Role::Admin) {
        return Err(AppError::AdminGroupLocked);
    }
    let name = draft.name.trim().to_string();
    if name.is_empty() {
        return Err(AppError::RuleNameRequired);
    }
    if name.chars().count() > RULE_NAME_MAX {
        return Err(AppError::RuleNameTooLong { max: RULE_NAME_MAX });
    }
    if group
        .rules
        .iter()
        .any(|rule| Some(rule.id) != replacing && name_key(&rule.name) == name_key(&name))
    {
        return Err(AppError::RuleNameTaken);
    }
    if !draft.kind.accesses().contains(&draft.access) {
        return Err(AppError::AccessNotForKind);
    }
    if draft.hide_from_dashboard && (draft.kind, draft.access) != (ResourceKind::App, Access::View)
    {
        return Err(AppError::HideNeedsView);
    }
    match (&draft.scope, group.kind) {
        (Scope::Only(_), GroupKind::Role(_)) => return Err(AppError::RoleGroupsTakeAll),
        (Scope::Only(ids), _) if ids.is_empty() => return Err(AppError::ChooseResources),
        (Scope::Only(ids), _) if ids.len() > CHOSEN_RESOURCES_MAX => {
            return Err(AppError::TooManyChosenResources {
                max: CHOSEN_RESOURCES_MAX,
            });
        }
        _ => {}
    }
    let rule = Rule {
        id: replacing.unwrap_or_default(),
        name,
        kind: draft.kind,
        access: draft.access,
        hide_from_dashboard: draft.hide_from_dashboard,
        scope: draft.scope,
    };
    if group.kind == GroupKind::Role(Role::EndUser) && rule.is_builder_level() {
        return Err(AppError::EndUserGroupViewOnly);
    }
    Ok(rule)
}

/// A member of a group, as consent checks list them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub user_id: i64,
    pub email: String,
    pub role: Role,
}

/// The end-users among `members` who would hold builder-level permissions if they were
/// in `group` as it would be after a change: the users a change has to make Builders.
pub fn end_users_to_promote<'a>(group: &Group, members: &'a [Candidate]) -> Vec<&'a Candidate> {
    if !group.is_builder_level() {
        return Vec::new();
    }
    members
        .iter()
        .filter(|member| member.role == Role::EndUser)
        .collect()
}

/// A change that would make end-users builders goes ahead only with the admin's consent,
/// given after seeing who they are.
pub fn require_consent(to_promote: &[&Candidate], allow_role_change: bool) -> Result<(), AppError> {
    if to_promote.is_empty() || allow_role_change {
        Ok(())
    } else {
        Err(AppError::RoleChangeNeeded {
            users: to_promote
                .iter()
                .map(|member| member.email.clone())
                .collect(),
        })
    }
}

/// The custom groups a member leaves when they become an End-user: the builder-level
/// ones. The others (View rules only) stay.
pub fn groups_left_as_end_user(custom_groups: &[Group]) -> Vec<&Group> {
    custom_groups
        .iter()
        .filter(|group| group.is_custom() && group.is_builder_level())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::permissions::model::{Flag, Flags};

    fn group(kind: GroupKind, flags: Flags, rules: Vec<Rule>) -> Group {
        Group {
            id: 1,
            name: "Engineering".into(),
            kind,
            flags,
            rules,
        }
    }

    fn draft(kind: ResourceKind, access: Access, hide: bool, scope: Scope) -> RuleDraft {
        RuleDraft {
            name: " Bug Tracker ".into(),
            kind,
            access,
            hide_from_dashboard: hide,
            scope,
        }
    }

    fn only(ids: &[i64]) -> Scope {
        Scope::Only(ids.iter().copied().collect())
    }

    #[test]
    fn group_names_are_trimmed_present_short_and_not_a_role() {
        assert_eq!(normalise_group_name("  Sales  "), Ok("Sales".to_string()));
        assert_eq!(normalise_group_name(" "), Err(AppError::GroupNameRequired));
        assert_eq!(
            normalise_group_name(&"x".repeat(51)),
            Err(AppError::GroupNameTooLong { max: 50 })
        );
        assert!(
            normalise_group_name(&"é".repeat(50)).is_ok(),
            "characters, not bytes"
        );
        for reserved in ["Admin", "admin", "BUILDER", "End-user", "end-user"] {
            assert_eq!(
                normalise_group_name(reserved),
                Err(AppError::GroupNameReserved {
                    name: reserved.to_string()
                }),
                "{reserved}"
            );
        }
        assert!(normalise_group_name("Admins").is_ok());
    }

    #[test]
    fn copies_take_the_first_free_number() {
        let taken = |names: &[&str]| names.iter().map(|name| name_key(name)).collect();
        assert_eq!(copy_name("Sales", &taken(&["Sales"])), "Sales copy");
        assert_eq!(
            copy_name("Sales", &taken(&["Sales", "sales copy"])),
            "Sales copy 2"
        );
        assert_eq!(
            copy_name("Sales", &taken(&["Sales", "Sales copy", "Sales copy 2"])),
            "Sales copy 3"
        );
        assert_eq!(copy_name("Admin", &taken(&["Admin"])), "Admin copy");
        let long = "x".repeat(50);
        let copy = copy_name(&long, &taken(&[&long]));
        assert_eq!(copy.chars().count(), 50);
        assert!(copy.ends_with(" copy"));
    }

    #[test]
    fn only_custom_groups_are_renamed_deleted_or_given_members() {
        let custom = group(GroupKind::Custom, Flags::NONE, vec![]);
        for attempt in [CustomOnly::Rename, CustomOnly::Delete, CustomOnly::Members] {
            assert_eq!(check_custom(&custom, attempt), Ok(()));
        }
        for role in Role::ALL {
            let role_group = group(GroupKind::Role(role), Flags::NONE, vec![]);
            assert_eq!(
                check_custom(&role_group, CustomOnly::Rename),
                Err(AppError::RoleGroupNotRenamable)
            );
            assert_eq!(
                check_custom(&role_group, CustomOnly::Delete),
                Err(AppError::RoleGroupNotDeletable)
            );
            assert_eq!(
                check_custom(&role_group, CustomOnly::Members),
                Err(AppError::RoleGroupMembersByRole)
            );
        }
    }

    #[test]
    fn only_builder_and_custom_groups_have_editable_flags() {
        let cases = [
            (
                GroupKind::Role(Role::Admin),
                Err(AppError::AdminGroupLocked),
            ),
            (GroupKind::Role(Role::Builder), Ok(())),
            (
                GroupKind::Role(Role::EndUser),
                Err(AppError::EndUserGroupViewOnly),
            ),
            (GroupKind::Custom, Ok(())),
        ];
        for (kind, expected) in cases {
            assert_eq!(
                check_flags_editable(&group(kind, Flags::NONE, vec![])),
                expected
            );
        }
    }

    #[test]
    fn rules_are_checked_against_their_group() {
        use Access::*;
        use ResourceKind::*;
        let custom = GroupKind::Custom;
        let builder = GroupKind::Role(Role::Builder);
        let end_user = GroupKind::Role(Role::EndUser);
        let admin = GroupKind::Role(Role::Admin);
        let cases: Vec<(GroupKind, RuleDraft, Result<(), AppError>)> = vec![
            (custom, draft(App, Edit, false, only(&[7])), Ok(())),
            (custom, draft(App, View, true, Scope::All), Ok(())),
            (custom, draft(Folder, View, false, only(&[3])), Ok(())),
            (custom, draft(Constant, Edit, false, Scope::All), Ok(())),
            (
                custom,
                draft(DataSource, BuildWith, false, only(&[2])),
                Ok(()),
            ),
            (
                custom,
                draft(DataSource, Edit, false, Scope::All),
                Err(AppError::AccessNotForKind),
            ),
            (
                custom,
                draft(App, Configure, false, Scope::All),
                Err(AppError::AccessNotForKind),
            ),
            (
                custom,
                draft(App, Edit, true, Scope::All),
                Err(AppError::HideNeedsView),
            ),
            (
                custom,
                draft(Folder, View, true, Scope::All),
                Err(AppError::HideNeedsView),
            ),
            (
                custom,
                draft(App, View, false, only(&[])),
                Err(AppError::ChooseResources),
            ),
            (builder, draft(App, Edit, false, Scope::All), Ok(())),
            (
                builder,
                draft(App, Edit, false, only(&[7])),
                Err(AppError::RoleGroupsTakeAll),
            ),
            (end_user, draft(App, View, true, Scope::All), Ok(())),
            (end_user, draft(Constant, View, false, Scope::All), Ok(())),
            (
                end_user,
                draft(App, Edit, false, Scope::All),
                Err(AppError::EndUserGroupViewOnly),
            ),
            (
                end_user,
                draft(DataSource, BuildWith, false, Scope::All),
                Err(AppError::EndUserGroupViewOnly),
            ),
            (
                end_user,
                draft(App, View, false, only(&[7])),
                Err(AppError::RoleGroupsTakeAll),
            ),
            (
                admin,
                draft(App, View, false, Scope::All),
                Err(AppError::AdminGroupLocked),
            ),
        ];
        for (kind, draft, expected) in cases {
            let result = check_rule(&group(kind, Flags::NONE, vec![]), draft.clone(), None);
            assert_eq!(result.map(|_| ()), expected, "{kind:?} {draft:?}");
        }
    }

    #[test]
    fn rule_names_are_trimmed_and_unique_in_their_group() {
        let existing = Rule {
            id: 5,
            name: "bug tracker".into(),
            kind: ResourceKind::App,
            access: Access::View,
            hide_from_dashboard: false,
            scope: Scope::All,
        };
        let engineering = group(GroupKind::Custom, Flags::NONE, vec![existing]);
        let new = draft(ResourceKind::App, Access::Edit, false, Scope::All);
        assert_eq!(
            check_rule(&engineering, new.clone(), None),
            Err(AppError::RuleNameTaken)
        );
        let changed = check_rule(&engineering, new.clone(), Some(5)).unwrap();
        assert_eq!((changed.id, changed.name.as_str()), (5, "Bug Tracker"));
        let blank = RuleDraft {
            name: "  ".into(),
            ..new.clone()
        };
        assert_eq!(
            check_rule(&engineering, blank, None),
            Err(AppError::RuleNameRequired)
        );
        let long = RuleDraft {
            name: "x".repeat(51),
            ..new
        };
        assert_eq!(
            check_rule(&engineering, long, None),
            Err(AppError::RuleNameTooLong { max: 50 })
        );
    }

    #[test]
    fn builder_level_changes_need_consent_for_each_end_user() {
        let members = vec![
            Candidate {
                user_id: 1,
                email: "bob@techcorp.example".into(),
                role: Role::EndUser,
            },
            Candidate {
                user_id: 2,
                email: "alice@techcorp.example".into(),
                role: Role::Builder,
            },
            Candidate {
                user_id: 3,
                email: "carol@techcorp.example".into(),
                role: Role::EndUser,
            },
        ];
        let viewing = group(GroupKind::Custom, Flags::NONE, vec![]);
        assert!(end_users_to_promote(&viewing, &members).is_empty());

        let creating = group(
            GroupKind::Custom,
            Flags::NONE.with(Flag::AppCreate, true),
            vec![],
        );
        let to_promote = end_users_to_promote(&creating, &members);
        let ids: Vec<i64> = to_promote.iter().map(|member| member.user_id).collect();
        assert_eq!(ids, [1, 3]);
        assert_eq!(
            require_consent(&to_promote, false),
            Err(AppError::RoleChangeNeeded {
                users: vec![
                    "bob@techcorp.example".to_string(),
                    "carol@techcorp.example".to_string()
                ]
            })
        );
        assert_eq!(require_consent(&to_promote, true), Ok(()));
        assert_eq!(require_consent(&[], false), Ok(()));
    }

    #[test]
    fn end_users_leave_only_the_builder_level_custom_groups() {
        let view_rule = Rule {
            id: 1,
            name: "Tickets".into(),
            kind: ResourceKind::Folder,
            access: Access::View,
            hide_from_dashboard: false,
            scope: Scope::All,
        };
        let edit_rule = Rule {
            access: Access::Edit,
            ..view_rule.clone()
        };
        let groups = vec![
            Group {
                id: 1,
                name: "Support".into(),
                ..group(GroupKind::Custom, Flags::NONE, vec![view_rule])
            },
            Group {
                id: 2,
                name: "Engineering".into(),
                ..group(GroupKind::Custom, Flags::NONE, vec![edit_rule])
            },
            Group {
                id: 3,
                name: "Makers".into(),
                ..group(
                    GroupKind::Custom,
                    Flags::NONE.with(Flag::FolderCreate, true),
                    vec![],
                )
            },
        ];
        let left: Vec<&str> = groups_left_as_end_user(&groups)
            .iter()
            .map(|group| group.name.as_str())
            .collect();
        assert_eq!(left, ["Engineering", "Makers"]);
    }
}
