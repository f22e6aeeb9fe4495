//! Group sync: which Gatehouse groups and role a member should have after signing in,
//! given the groups the identity provider names and the workspace's mapping. Only mapped
//! groups are ever touched: groups an admin manages by hand stay as they are.

use std::collections::{BTreeSet, HashMap};

use super::SyncMode;
use crate::memberships::Role;

/// Where a mapping leads: a custom group, or a role group (Admin, Builder, End-user).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MappedTo {
    Group(i64),
    Role(Role),
}

/// A member's state before a sync, and the workspace's settings.
#[derive(Debug, Clone)]
pub struct SyncInput<'a> {
    pub idp_groups: &'a [String],
    pub mappings: &'a [(String, MappedTo)],
    /// The custom groups the member is in now.
    pub member_groups: &'a BTreeSet<i64>,
    pub member_role: Role,
    pub default_role: Role,
    pub mode: SyncMode,
    /// The member's first sign-in through single sign-on in this workspace.
    pub first_sign_in: bool,
    pub ignore_case: bool,
}

/// What a sync changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncPlan {
    pub role: Option<Role>,
    pub join: Vec<i64>,
    pub leave: Vec<i64>,
    /// IdP groups no mapping names: ignored, unless the workspace creates groups for them.
    pub unmapped: Vec<String>,
}

impl SyncPlan {
    pub fn is_empty(&self) -> bool {
        self.role.is_none() && self.join.is_empty() && self.leave.is_empty()
    }
}

/// How group names compare: exactly, or ignoring case (Unicode lower case).
pub fn group_key(name: &str, ignore_case: bool) -> String {
    let name = name.trim();
    if ignore_case {
        name.to_lowercase()
    } else {
        name.to_string()
    }
}

/// The changes that bring a member in line with the identity provider:
/// - full: mapped custom groups match the IdP's (joined and left); the role is the
///   highest mapped role, or the default role when role mappings exist and none applies;
/// - additive: groups are only joined, and the role only rises;
/// - first sign-in only: as full, on the first sign-in; nothing afterwards.
pub fn plan(input: &SyncInput<'_>) -> SyncPlan {
    let full = match input.mode {
        SyncMode::Off => return SyncPlan::default(),
        SyncMode::FirstSignIn if !input.first_sign_in => return SyncPlan::default(),
        SyncMode::Full | SyncMode::FirstSignIn => true,
        SyncMode::Additive => false,
    };
    let mut by_name: HashMap<String, Vec<MappedTo>> = HashMap::with_capacity(input.mappings.len());
    for (idp_group, target) in input.mappings {
        by_name
            .entry(group_key(idp_group, input.ignore_case))
            .or_default()
            .push(*target);
    }
    let mut wanted_groups = BTreeSet::new();
    let mut wanted_role: Option<Role> = None;
    let mut unmapped = Vec::new();
    for idp_group in input.idp_groups {
        match by_name.get(&group_key(idp_group, input.ignore_case)) {
            Some(targets) => {
                for target in targets {
                    match target {
                        MappedTo::Group(id) => {
                            wanted_groups.insert(*id);
                        }
                        MappedTo::Role(role) => {
                            wanted_role = wanted_role.max(Some(*role));
                        }
                    }
                }
            }
            None => {
                if !unmapped.contains(idp_group) {
                    unmapped.push(idp_group.clone());
                }
            }
        }
    }
    let join = wanted_groups
        .difference(input.member_groups)
        .copied()
        .collect();
    let leave = if full {
        let mapped_groups: BTreeSet<i64> = input
            .mappings
            .iter()
            .filter_map(|(_, target)| match target {
                MappedTo::Group(id) => Some(*id),
                MappedTo::Role(_) => None,
            })
            .collect();
        input
            .member_groups
            .intersection(&mapped_groups)
            .filter(|id| !wanted_groups.contains(id))
            .copied()
            .collect()
    } else {
        Vec::new()
    };
    let maps_roles = input
        .mappings
        .iter()
        .any(|(_, target)| matches!(target, MappedTo::Role(_)));
    let target_role = match wanted_role {
        Some(role) if full || role > input.member_role => Some(role),
        None if full && maps_roles => Some(input.default_role),
        _ => None,
    };
    SyncPlan {
        role: target_role.filter(|role| *role != input.member_role),
        join,
        leave,
        unmapped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENGINEERING: i64 = 10;
    const SALES: i64 = 11;
    const HAND_MADE: i64 = 12;

    fn mappings() -> Vec<(String, MappedTo)> {
        vec![
            ("Engineering".into(), MappedTo::Group(ENGINEERING)),
            ("Sales".into(), MappedTo::Group(SALES)),
            ("gatehouse-admins".into(), MappedTo::Role(Role::Admin)),
            ("gatehouse-builders".into(), MappedTo::Role(Role::Builder)),
        ]
    }

    fn run(
        mode: SyncMode,
        idp: &[&str],
        groups: &[i64],
        role: Role,
        first_sign_in: bool,
    ) -> SyncPlan {
        let idp_groups: Vec<String> = idp.iter().map(|group| group.to_string()).collect();
        let mappings = mappings();
        let member_groups: BTreeSet<i64> = groups.iter().copied().collect();
        plan(&SyncInput {
            idp_groups: &idp_groups,
            mappings: &mappings,
            member_groups: &member_groups,
            member_role: role,
            default_role: Role::EndUser,
            mode,
            first_sign_in,
            ignore_case: true,
        })
    }

    #[test]
    fn full_sync_joins_and_leaves_mapped_groups_only() {
        let plan = run(
            SyncMode::Full,
            &["engineering", "Unmapped"],
            &[SALES, HAND_MADE],
            Role::Builder,
            false,
        );
        assert_eq!(plan.join, [ENGINEERING]);
        assert_eq!(plan.leave, [SALES]);
        assert_eq!(plan.unmapped, ["Unmapped"]);
        // Role mappings exist and none applies: back to the default role.
        assert_eq!(plan.role, Some(Role::EndUser));
    }

    #[test]
    fn additive_sync_only_adds_and_only_raises_the_role() {
        let plan = run(
            SyncMode::Additive,
            &["Sales"],
            &[ENGINEERING],
            Role::Admin,
            false,
        );
        assert_eq!(plan.join, [SALES]);
        assert!(plan.leave.is_empty());
        assert_eq!(plan.role, None);
        let raised = run(
            SyncMode::Additive,
            &["gatehouse-builders"],
            &[],
            Role::EndUser,
            false,
        );
        assert_eq!(raised.role, Some(Role::Builder));
    }

    #[test]
    fn first_sign_in_only_syncs_once() {
        let first = run(
            SyncMode::FirstSignIn,
            &["Sales"],
            &[ENGINEERING],
            Role::EndUser,
            true,
        );
        assert_eq!(first.join, [SALES]);
        assert_eq!(first.leave, [ENGINEERING]);
        let later = run(
            SyncMode::FirstSignIn,
            &["Sales"],
            &[ENGINEERING],
            Role::EndUser,
            false,
        );
        assert!(later.is_empty());
    }

    #[test]
    fn off_changes_nothing() {
        assert!(
            run(
                SyncMode::Off,
                &["Sales", "gatehouse-admins"],
                &[],
                Role::EndUser,
                true
            )
            .is_empty()
        );
    }

    #[test]
    fn the_highest_mapped_role_wins() {
        let plan = run(
            SyncMode::Full,
            &["gatehouse-builders", "gatehouse-admins"],
            &[],
            Role::EndUser,
            false,
        );
        assert_eq!(plan.role, Some(Role::Admin));
        let same = run(
            SyncMode::Full,
            &["gatehouse-admins"],
            &[],
            Role::Admin,
            false,
        );
        assert_eq!(same.role, None);
    }

    #[test]
    fn case_matters_when_the_workspace_says_so() {
        let idp_groups = vec!["engineering".to_string()];
        let mappings = mappings();
        let member_groups = BTreeSet::new();
        let exact = plan(&SyncInput {
            idp_groups: &idp_groups,
            mappings: &mappings,
            member_groups: &member_groups,
            member_role: Role::EndUser,
            default_role: Role::EndUser,
            mode: SyncMode::Full,
            first_sign_in: false,
            ignore_case: false,
        });
        assert!(exact.join.is_empty());
        assert_eq!(exact.unmapped, ["engineering"]);
    }

    #[test]
    fn without_role_mappings_the_role_is_left_alone() {
        let idp_groups = vec!["Sales".to_string()];
        let mappings = vec![("Sales".to_string(), MappedTo::Group(SALES))];
        let member_groups = BTreeSet::new();
        let plan = plan(&SyncInput {
            idp_groups: &idp_groups,
            mappings: &mappings,
            member_groups: &member_groups,
            member_role: Role::Builder,
            default_role: Role::EndUser,
            mode: SyncMode::Full,
            first_sign_in: false,
            ignore_case: true,
        });
        assert_eq!(plan.role, None);
        assert_eq!(plan.join, [SALES]);
    }
}
