//! The parts of a permission: workspace-level flags, granular rules and the groups that
//! hold them.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::memberships::Role;

/// A workspace-level permission a group can hold (the Permissions tab).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Flag {
    AppCreate,
    AppDelete,
    FolderCreate,
    FolderUpdate,
    FolderDelete,
    ConstantCreate,
    ConstantUpdate,
    ConstantDelete,
    DataSourceCreate,
    DataSourceDelete,
}

impl Flag {
    pub const ALL: [Flag; 10] = [
        Flag::AppCreate,
        Flag::AppDelete,
        Flag::FolderCreate,
        Flag::FolderUpdate,
        Flag::FolderDelete,
        Flag::ConstantCreate,
        Flag::ConstantUpdate,
        Flag::ConstantDelete,
        Flag::DataSourceCreate,
        Flag::DataSourceDelete,
    ];

    /// Its bit in the stored `groups.flags`. The order of [`Flag::ALL`] is part of the
    /// schema: new flags go at the end.
    fn bit(self) -> u32 {
        1 << (self as u32)
    }

    /// The kind of resource it concerns, under which the Permissions tab lists it.
    pub fn resource_kind(self) -> ResourceKind {
        match self {
            Flag::AppCreate | Flag::AppDelete => ResourceKind::App,
            Flag::FolderCreate | Flag::FolderUpdate | Flag::FolderDelete => ResourceKind::Folder,
            Flag::ConstantCreate | Flag::ConstantUpdate | Flag::ConstantDelete => {
                ResourceKind::Constant
            }
            Flag::DataSourceCreate | Flag::DataSourceDelete => ResourceKind::DataSource,
        }
    }

    /// The checkbox label, read after its kind's heading: "Apps › Create".
    pub fn label(self) -> &'static str {
        match self {
            Flag::AppCreate
            | Flag::FolderCreate
            | Flag::ConstantCreate
            | Flag::DataSourceCreate => "Create",
            Flag::FolderUpdate | Flag::ConstantUpdate => "Update",
            Flag::AppDelete
            | Flag::FolderDelete
            | Flag::ConstantDelete
            | Flag::DataSourceDelete => "Delete",
        }
    }

    pub fn help(self) -> &'static str {
        match self {
            Flag::AppCreate => "Create apps in this workspace",
            Flag::AppDelete => "Delete any app in this workspace",
            Flag::FolderCreate => "Create folders",
            Flag::FolderUpdate => "Rename any folder",
            Flag::FolderDelete => "Delete any folder",
            Flag::ConstantCreate => "Create workspace constants",
            Flag::ConstantUpdate => "Change the value of any workspace constant",
            Flag::ConstantDelete => "Delete any workspace constant",
            Flag::DataSourceCreate => "Connect new data sources",
            Flag::DataSourceDelete => "Delete any data source",
        }
    }

    /// The form an API client names it by.
    pub fn key(self) -> &'static str {
        match self {
            Flag::AppCreate => "app_create",
            Flag::AppDelete => "app_delete",
            Flag::FolderCreate => "folder_create",
            Flag::FolderUpdate => "folder_update",
            Flag::FolderDelete => "folder_delete",
            Flag::ConstantCreate => "constant_create",
            Flag::ConstantUpdate => "constant_update",
            Flag::ConstantDelete => "constant_delete",
            Flag::DataSourceCreate => "data_source_create",
            Flag::DataSourceDelete => "data_source_delete",
        }
    }

    pub fn from_key(key: &str) -> Option<Flag> {
        Flag::ALL.into_iter().find(|flag| flag.key() == key)
    }
}

/// A set of flags, stored as one integer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Flags(u32);

impl Flags {
    pub const NONE: Flags = Flags(0);
    pub const ALL: Flags = Flags((1 << Flag::ALL.len()) - 1);

    /// Reads the stored integer; bits no flag uses are dropped.
    pub fn from_bits(bits: i64) -> Flags {
        Flags((bits as u32) & Flags::ALL.0)
    }

    pub fn bits(self) -> i64 {
        i64::from(self.0)
    }

    pub fn contains(self, flag: Flag) -> bool {
        self.0 & flag.bit() != 0
    }

    pub fn with(self, flag: Flag, on: bool) -> Flags {
        if on {
            Flags(self.0 | flag.bit())
        } else {
            Flags(self.0 & !flag.bit())
        }
    }

    pub fn union(self, other: Flags) -> Flags {
        Flags(self.0 | other.0)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Flag> {
        Flag::ALL
            .into_iter()
            .filter(move |flag| self.contains(*flag))
    }
}

impl FromIterator<Flag> for Flags {
    fn from_iter<I: IntoIterator<Item = Flag>>(flags: I) -> Flags {
        flags
            .into_iter()
            .fold(Flags::NONE, |set, flag| set.with(flag, true))
    }
}

/// What permissions are about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ResourceKind {
    App,
    Folder,
    Constant,
    DataSource,
}

impl ResourceKind {
    pub const ALL: [ResourceKind; 4] = [
        ResourceKind::App,
        ResourceKind::Folder,
        ResourceKind::Constant,
        ResourceKind::DataSource,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ResourceKind::App => "app",
            ResourceKind::Folder => "folder",
            ResourceKind::Constant => "constant",
            ResourceKind::DataSource => "data_source",
        }
    }

    pub fn from_key(key: &str) -> Option<ResourceKind> {
        ResourceKind::ALL.into_iter().find(|kind| kind.key() == key)
    }

    /// One of them, in a sentence: "app", "workspace constant".
    pub fn noun(self) -> &'static str {
        match self {
            ResourceKind::App => "app",
            ResourceKind::Folder => "folder",
            ResourceKind::Constant => "workspace constant",
            ResourceKind::DataSource => "data source",
        }
    }

    /// A heading: "Apps", "Workspace constants".
    pub fn plural_label(self) -> &'static str {
        match self {
            ResourceKind::App => "Apps",
            ResourceKind::Folder => "Folders",
            ResourceKind::Constant => "Workspace constants",
            ResourceKind::DataSource => "Data sources",
        }
    }

    /// The access levels a rule on this kind chooses between, highest first.
    pub fn accesses(self) -> [Access; 2] {
        match self {
            ResourceKind::DataSource => [Access::Configure, Access::BuildWith],
            _ => [Access::Edit, Access::View],
        }
    }
}

/// The access a granular rule grants. Apps, folders and constants take Edit or View;
/// data sources take Configure or Build with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Access {
    Edit,
    View,
    Configure,
    BuildWith,
}

impl Access {
    pub const ALL: [Access; 4] = [
        Access::Edit,
        Access::View,
        Access::Configure,
        Access::BuildWith,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Access::Edit => "edit",
            Access::View => "view",
            Access::Configure => "configure",
            Access::BuildWith => "build_with",
        }
    }

    pub fn from_key(key: &str) -> Option<Access> {
        Access::ALL.into_iter().find(|access| access.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Access::Edit => "Edit",
            Access::View => "View",
            Access::Configure => "Configure",
            Access::BuildWith => "Build with",
        }
    }

    /// Within its kind: 2 for the higher access (Edit, Configure), 1 for the lower.
    pub(crate) fn level(self) -> u8 {
        match self {
            Access::Edit | Access::Configure => 2,
            Access::View | Access::BuildWith => 1,
        }
    }
}

/// Which resources of its kind a rule covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    /// Every resource of the kind, including ones created later.
    All,
    /// The chosen resources, by id.
    Only(BTreeSet<i64>),
}

impl Scope {
    pub fn covers(&self, resource_id: i64) -> bool {
        match self {
            Scope::All => true,
            Scope::Only(ids) => ids.contains(&resource_id),
        }
    }
}

/// A granular rule of a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub id: i64,
    pub name: String,
    pub kind: ResourceKind,
    pub access: Access,
    /// Apps with View only: they open by their address but aren't listed.
    pub hide_from_dashboard: bool,
    pub scope: Scope,
}

impl Rule {
    /// Edit on apps, folders or constants, and any access to data sources, are for
    /// builders.
    pub fn is_builder_level(&self) -> bool {
        self.kind == ResourceKind::DataSource || self.access == Access::Edit
    }
}

/// A role group stands for its role; custom groups are named by admins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GroupKind {
    Role(Role),
    Custom,
}

/// A group with its flags and rules, as the permission rules read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub id: i64,
    pub name: String,
    pub kind: GroupKind,
    pub flags: Flags,
    pub rules: Vec<Rule>,
}

impl Group {
    /// A group whose permissions only builders (and admins) may hold.
    pub fn is_builder_level(&self) -> bool {
        !self.flags.is_empty() || self.rules.iter().any(Rule::is_builder_level)
    }

    pub fn is_custom(&self) -> bool {
        self.kind == GroupKind::Custom
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_round_trip_through_their_stored_bits() {
        for flag in Flag::ALL {
            let flags = Flags::NONE.with(flag, true);
            assert!(flags.contains(flag));
            assert_eq!(Flags::from_bits(flags.bits()), flags);
            assert_eq!(flags.iter().collect::<Vec<_>>(), [flag]);
            assert_eq!(Flag::from_key(flag.key()), Some(flag));
        }
        assert_eq!(
            Flags::ALL.bits(),
            1023,
            "the seeded value in migration 0003"
        );
        assert_eq!(Flags::ALL.iter().count(), Flag::ALL.len());
        assert_eq!(Flags::from_bits(-1), Flags::ALL, "unknown bits are dropped");
        assert_eq!(
            Flags::ALL.with(Flag::AppDelete, false).iter().count(),
            Flag::ALL.len() - 1
        );
    }

    #[test]
    fn each_kind_offers_its_two_accesses_highest_first() {
        for kind in ResourceKind::ALL {
            let [high, low] = kind.accesses();
            assert!(high.level() > low.level(), "{kind:?}");
            assert_eq!(ResourceKind::from_key(kind.key()), Some(kind));
        }
        assert_eq!(
            ResourceKind::DataSource.accesses(),
            [Access::Configure, Access::BuildWith]
        );
        for access in [
            Access::Edit,
            Access::View,
            Access::Configure,
            Access::BuildWith,
        ] {
            assert_eq!(Access::from_key(access.key()), Some(access));
        }
    }

    #[test]
    fn builder_level_means_a_flag_an_edit_or_any_data_source_rule() {
        let rule = |kind, access| Rule {
            id: 1,
            name: "r".into(),
            kind,
            access,
            hide_from_dashboard: false,
            scope: Scope::All,
        };
        let group = |flags, rules| Group {
            id: 1,
            name: "g".into(),
            kind: GroupKind::Custom,
            flags,
            rules,
        };
        let cases = [
            (group(Flags::NONE, vec![]), false),
            (
                group(Flags::NONE, vec![rule(ResourceKind::App, Access::View)]),
                false,
            ),
            (
                group(Flags::NONE, vec![rule(ResourceKind::Folder, Access::View)]),
                false,
            ),
            (
                group(
                    Flags::NONE,
                    vec![rule(ResourceKind::Constant, Access::View)],
                ),
                false,
            ),
            (
                group(Flags::NONE, vec![rule(ResourceKind::App, Access::Edit)]),
                true,
            ),
            (
                group(Flags::NONE, vec![rule(ResourceKind::Folder, Access::Edit)]),
                true,
            ),
            (
                group(
                    Flags::NONE,
                    vec![rule(ResourceKind::Constant, Access::Edit)],
                ),
                true,
            ),
            (
                group(
                    Flags::NONE,
                    vec![rule(ResourceKind::DataSource, Access::BuildWith)],
                ),
                true,
            ),
            (
                group(Flags::NONE.with(Flag::FolderCreate, true), vec![]),
                true,
            ),
        ];
        for (group, expected) in cases {
            assert_eq!(group.is_builder_level(), expected, "{group:?}");
        }
    }
}
