//! A user's place in a workspace: one role and a status, and the rules for changing them.
//! The rules are pure; [`operations`] is the one place that changes roles and statuses,
//! applying the last-admin rule, the end-user rule and the audit record.

#[cfg(feature = "ssr")]
pub mod operations;

use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The default role every membership has exactly one of. Ordered by what it allows, so
/// `role >= Role::Builder` reads as "at least a builder".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Role {
    EndUser,
    Builder,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Builder, Role::EndUser];

    /// The stored form.
    pub fn key(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Builder => "builder",
            Role::EndUser => "end-user",
        }
    }

    /// The name people see.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Admin",
            Role::Builder => "Builder",
            Role::EndUser => "End-user",
        }
    }

    pub fn from_key(key: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.key() == key)
    }

    /// A role as a form or an API client names it: its key or its label.
    pub fn parse(input: &str) -> Result<Role, AppError> {
        let input = input.trim();
        Role::ALL
            .into_iter()
            .find(|role| role.key() == input || role.label().eq_ignore_ascii_case(input))
            .ok_or(AppError::UnknownRole)
    }

    /// What this role can do beyond the one below it, for explaining a role change.
    fn abilities(self) -> &'static [&'static str] {
        match self {
            Role::Admin => &["manage users, groups and workspace settings"],
            Role::Builder => {
                &["create and edit apps, folders, workspace constants and data sources"]
            }
            Role::EndUser => &[],
        }
    }
}

/// What a member gains or loses when their role changes from `from` to `to`, in words
/// for the confirmation an admin sees before applying it.
pub fn role_change_summary(name: &str, from: Role, to: Role) -> String {
    let between = |low: Role, high: Role| -> Vec<&'static str> {
        Role::ALL
            .into_iter()
            .filter(|role| *role > low && *role <= high)
            .flat_map(|role| role.abilities().iter().copied())
            .collect()
    };
    let list = |abilities: Vec<&'static str>| abilities.join(", and ");
    match from.cmp(&to) {
        std::cmp::Ordering::Less => format!(
            "{name} will become {article} {label} and will be able to {abilities}.",
            article = article(to),
            label = to.label(),
            abilities = list(between(from, to)),
        ),
        std::cmp::Ordering::Greater => format!(
            "{name} will become {article} {label} and will no longer be able to {abilities}.",
            article = article(to),
            label = to.label(),
            abilities = list(between(to, from)),
        ),
        std::cmp::Ordering::Equal => format!("{name} stays {} {}.", article(to), to.label()),
    }
}

fn article(role: Role) -> &'static str {
    match role {
        Role::Admin | Role::EndUser => "an",
        Role::Builder => "a",
    }
}

/// A workspace always keeps an active admin: a change that takes the last one away
/// (demoting, archiving or removing them) is refused. `active_admins` counts the
/// workspace's active admins before the change.
pub fn keep_an_active_admin(
    active_admins: i64,
    before: (Role, MembershipStatus),
    after: Option<(Role, MembershipStatus)>,
) -> Result<(), AppError> {
    let is_active_admin =
        |standing: (Role, MembershipStatus)| standing == (Role::Admin, MembershipStatus::Active);
    let loses_one = is_active_admin(before) && !after.is_some_and(is_active_admin);
    if loses_one && active_admins <= 1 {
        Err(AppError::LastActiveAdmin)
    } else {
        Ok(())
    }
}

/// Invited → Active ⇄ Archived; unarchiving goes back to Invited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MembershipStatus {
    Invited,
    Active,
    Archived,
}

impl MembershipStatus {
    pub const ALL: [MembershipStatus; 3] = [
        MembershipStatus::Invited,
        MembershipStatus::Active,
        MembershipStatus::Archived,
    ];

    pub fn key(self) -> &'static str {
        match self {
            MembershipStatus::Invited => "invited",
            MembershipStatus::Active => "active",
            MembershipStatus::Archived => "archived",
        }
    }

    pub fn from_key(key: &str) -> Option<MembershipStatus> {
        MembershipStatus::ALL
            .into_iter()
            .find(|status| status.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            MembershipStatus::Invited => "Invited",
            MembershipStatus::Active => "Active",
            MembershipStatus::Archived => "Archived",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_stored_keys() {
        for role in Role::ALL {
            assert_eq!(Role::from_key(role.key()), Some(role));
        }
        assert_eq!(Role::from_key("Admin"), None);
        assert_eq!(Role::from_key("owner"), None);
    }

    #[test]
    fn roles_are_ordered_by_what_they_allow() {
        assert!(Role::Admin > Role::Builder);
        assert!(Role::Builder > Role::EndUser);
    }

    #[test]
    fn statuses_round_trip_through_their_stored_keys() {
        for status in MembershipStatus::ALL {
            assert_eq!(MembershipStatus::from_key(status.key()), Some(status));
        }
        assert_eq!(MembershipStatus::from_key("verified"), None);
    }

    #[test]
    fn roles_parse_from_keys_and_labels() {
        assert_eq!(Role::parse("end-user"), Ok(Role::EndUser));
        assert_eq!(Role::parse(" End-user "), Ok(Role::EndUser));
        assert_eq!(Role::parse("ADMIN"), Ok(Role::Admin));
        assert_eq!(Role::parse("owner"), Err(AppError::UnknownRole));
        assert_eq!(Role::parse(""), Err(AppError::UnknownRole));
    }

    #[test]
    fn a_role_change_says_what_is_gained_or_lost() {
        assert_eq!(
            role_change_summary("Bea", Role::EndUser, Role::Builder),
            "Bea will become a Builder and will be able to create and edit apps, folders, \
             workspace constants and data sources."
        );
        assert_eq!(
            role_change_summary("Bea", Role::Admin, Role::EndUser),
            "Bea will become an End-user and will no longer be able to manage users, groups and \
             workspace settings, and create and edit apps, folders, workspace constants and \
             data sources."
        );
        assert_eq!(
            role_change_summary("Bea", Role::Builder, Role::Admin),
            "Bea will become an Admin and will be able to manage users, groups and workspace \
             settings."
        );
        assert_eq!(
            role_change_summary("Bea", Role::Admin, Role::Builder),
            "Bea will become a Builder and will no longer be able to manage users, groups and \
             workspace settings."
        );
    }

    #[test]
    fn the_last_active_admin_cannot_be_taken_away() {
        use MembershipStatus::*;
        let admin = (Role::Admin, Active);
        let refused = Err(AppError::LastActiveAdmin);
        // Demoted, archived, removed.
        assert_eq!(
            keep_an_active_admin(1, admin, Some((Role::Builder, Active))),
            refused
        );
        assert_eq!(
            keep_an_active_admin(1, admin, Some((Role::Admin, Archived))),
            refused
        );
        assert_eq!(keep_an_active_admin(1, admin, None), refused);
        // With a second admin, or when the member isn't an active admin, anything goes.
        assert_eq!(keep_an_active_admin(2, admin, None), Ok(()));
        assert_eq!(
            keep_an_active_admin(1, (Role::Admin, Invited), None),
            Ok(())
        );
        assert_eq!(
            keep_an_active_admin(1, (Role::Builder, Active), None),
            Ok(())
        );
        assert_eq!(keep_an_active_admin(1, admin, Some(admin)), Ok(()));
    }

    #[test]
    fn labels_match_the_specification() {
        let labels: Vec<_> = Role::ALL.iter().map(|role| role.label()).collect();
        assert_eq!(labels, ["Admin", "Builder", "End-user"]);
    }
}
