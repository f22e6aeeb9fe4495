//! A user's place in a workspace: one role and a status.

use serde::{Deserialize, Serialize};

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
    fn labels_match_the_specification() {
        let labels: Vec<_> = Role::ALL.iter().map(|role| role.label()).collect();
        assert_eq!(labels, ["Admin", "Builder", "End-user"]);
    }
}
