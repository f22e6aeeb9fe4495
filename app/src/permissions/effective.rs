//! What a member may do: the union over their role group and custom groups, the highest
//! grant winning, builders always editing the apps they own and admins doing everything. The same
//! rules decide what the browser offers and what the server allows, and can explain any
//! answer.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::model::{Access, Flag, Flags, Group, ResourceKind, Rule, Scope};
use crate::memberships::Role;

/// A resource as the rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceRef {
    pub id: i64,
    pub kind: ResourceKind,
    /// Apps: the folder they are in.
    pub folder_id: Option<i64>,
    /// Apps: who owns them.
    pub owner_user_id: Option<i64>,
}

/// Something to do with one resource. Which actions apply depends on its kind
/// ([`Action::for_kind`]); on a folder, View and Edit are about the apps inside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Action {
    View,
    Edit,
    Configure,
    BuildWith,
    Rename,
    Delete,
}

impl Action {
    pub fn for_kind(kind: ResourceKind) -> &'static [Action] {
        match kind {
            ResourceKind::App => &[Action::View, Action::Edit, Action::Delete],
            ResourceKind::Folder => &[Action::View, Action::Edit, Action::Rename, Action::Delete],
            ResourceKind::Constant => &[Action::View, Action::Edit, Action::Delete],
            ResourceKind::DataSource => &[Action::BuildWith, Action::Configure, Action::Delete],
        }
    }

    /// In a sentence about a resource of `kind`: "view it", "edit the apps in it".
    pub fn describe(self, kind: ResourceKind) -> &'static str {
        match (self, kind) {
            (Action::View, ResourceKind::Folder) => "View the apps in it",
            (Action::Edit, ResourceKind::Folder) => "Edit the apps in it",
            (Action::View, _) => "View",
            (Action::Edit, _) => "Edit",
            (Action::Configure, _) => "Configure",
            (Action::BuildWith, _) => "Build with",
            (Action::Rename, _) => "Rename",
            (Action::Delete, _) => "Delete",
        }
    }

    /// The flag that allows it on every resource of `kind`, if one does. Changing any
    /// constant's value includes reading it.
    fn flag(self, kind: ResourceKind) -> Option<Flag> {
        match (self, kind) {
            (Action::Delete, ResourceKind::App) => Some(Flag::AppDelete),
            (Action::Rename, ResourceKind::Folder) => Some(Flag::FolderUpdate),
            (Action::Delete, ResourceKind::Folder) => Some(Flag::FolderDelete),
            (Action::View | Action::Edit, ResourceKind::Constant) => Some(Flag::ConstantUpdate),
            (Action::Delete, ResourceKind::Constant) => Some(Flag::ConstantDelete),
            (Action::Delete, ResourceKind::DataSource) => Some(Flag::DataSourceDelete),
            _ => None,
        }
    }

    /// The rule access level it needs (2 = Edit/Configure, 1 = View/Build with), for
    /// the actions rules grant.
    fn level(self) -> Option<u8> {
        match self {
            Action::View | Action::BuildWith => Some(1),
            Action::Edit | Action::Configure => Some(2),
            Action::Rename | Action::Delete => None,
        }
    }
}

/// A member and the groups they belong to in one workspace: their role group first, then
/// their custom groups.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub user_id: i64,
    pub role: Role,
    pub groups: &'a [Group],
}

/// Access to one kind of resource, folded from every rule of every group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct KindAccess {
    /// The level granted on every resource of the kind.
    all: Grant,
    /// Levels granted on single resources.
    chosen: HashMap<i64, Grant>,
}

/// The highest level granted, and whether some View grant lists the resource on the
/// dashboard (an Edit always does).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Grant {
    level: u8,
    listed: bool,
}

impl Grant {
    fn of(rule: &Rule) -> Grant {
        Grant {
            level: rule.access.level(),
            listed: !rule.hide_from_dashboard,
        }
    }

    fn join(self, other: Grant) -> Grant {
        Grant {
            level: self.level.max(other.level),
            listed: self.listed || other.listed,
        }
    }

    fn is_listed(self) -> bool {
        self.level >= 2 || (self.level == 1 && self.listed)
    }
}

/// A member's effective permissions in a workspace, computed once and then asked about
/// any resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permissions {
    user_id: i64,
    role: Role,
    flags: Flags,
    apps: KindAccess,
    folders: KindAccess,
    constants: KindAccess,
    data_sources: KindAccess,
}

impl Permissions {
    pub fn of(subject: Subject<'_>) -> Permissions {
        Permissions::of_groups(subject.user_id, subject.role, subject.groups)
    }

    /// The same as [`Permissions::of`], for groups held elsewhere: the access matrix
    /// folds a thousand members' permissions from one copy of the workspace's groups
    /// rather than cloning each member's groups into a [`Subject`] first.
    pub fn of_groups<'g>(
        user_id: i64,
        role: Role,
        groups: impl IntoIterator<Item = &'g Group>,
    ) -> Permissions {
        let mut permissions = Permissions {
            user_id,
            role,
            flags: Flags::NONE,
            apps: KindAccess::default(),
            folders: KindAccess::default(),
            constants: KindAccess::default(),
            data_sources: KindAccess::default(),
        };
        for group in groups {
            permissions.flags = permissions.flags.union(group.flags);
            for rule in &group.rules {
                let grant = Grant::of(rule);
                let access = permissions.kind_mut(rule.kind);
                match &rule.scope {
                    Scope::All => access.all = access.all.join(grant),
                    Scope::Only(ids) => {
                        for id in ids {
                            let entry = access.chosen.entry(*id).or_default();
                            *entry = entry.join(grant);
                        }
                    }
                }
            }
        }
        permissions
    }

    pub fn role(&self) -> Role {
        self.role
    }

    /// How many single resources the member's rules name, over every kind: what holding
    /// these permissions costs.
    pub fn chosen_resources(&self) -> usize {
        [
            &self.apps,
            &self.folders,
            &self.constants,
            &self.data_sources,
        ]
        .iter()
        .map(|access| access.chosen.len())
        .sum()
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Creating a resource of `kind` (and, for folders, moving apps between them).
    pub fn can_create(&self, kind: ResourceKind) -> bool {
        let flag = match kind {
            ResourceKind::App => Flag::AppCreate,
            ResourceKind::Folder => Flag::FolderCreate,
            ResourceKind::Constant => Flag::ConstantCreate,
            ResourceKind::DataSource => Flag::DataSourceCreate,
        };
        self.has_flag(flag)
    }

    pub fn has_flag(&self, flag: Flag) -> bool {
        self.is_admin() || self.flags.contains(flag)
    }

    pub fn can(&self, resource: &ResourceRef, action: Action) -> bool {
        if self.is_admin() {
            return Action::for_kind(resource.kind).contains(&action);
        }
        if !Action::for_kind(resource.kind).contains(&action) {
            return false;
        }
        if let Some(flag) = action.flag(resource.kind)
            && self.flags.contains(flag)
        {
            return true;
        }
        match action.level() {
            Some(needed) => self.grant_on(resource).level >= needed,
            None => false,
        }
    }

    /// Whether the member owns `resource` in the sense of the owner rule: an app they
    /// own, with a role that lets owners edit (see [`owner_edits`]).
    pub fn owns(&self, resource: &ResourceRef) -> bool {
        owner_edits(self.role, self.user_id, resource)
    }

    /// Whether the dashboard lists the app: viewable, and not hidden by every View
    /// grant that reaches it.
    pub fn lists_on_dashboard(&self, app: &ResourceRef) -> bool {
        self.is_admin() || self.grant_on(app).is_listed()
    }

    fn grant_on(&self, resource: &ResourceRef) -> Grant {
        let access = self.kind(resource.kind);
        let mut grant = access.all.join(chosen(access, resource.id));
        if resource.kind == ResourceKind::App {
            if let Some(folder) = resource.folder_id {
                let folder_grant = self.folders.all.join(chosen(&self.folders, folder));
                grant = grant.join(folder_grant.into_app_grant());
            }
            if owner_edits(self.role, self.user_id, resource) {
                grant = grant.join(Grant {
                    level: 2,
                    listed: true,
                });
            }
        }
        grant
    }

    fn kind(&self, kind: ResourceKind) -> &KindAccess {
        match kind {
            ResourceKind::App => &self.apps,
            ResourceKind::Folder => &self.folders,
            ResourceKind::Constant => &self.constants,
            ResourceKind::DataSource => &self.data_sources,
        }
    }

    fn kind_mut(&mut self, kind: ResourceKind) -> &mut KindAccess {
        match kind {
            ResourceKind::App => &mut self.apps,
            ResourceKind::Folder => &mut self.folders,
            ResourceKind::Constant => &mut self.constants,
            ResourceKind::DataSource => &mut self.data_sources,
        }
    }
}

/// An app's owner edits it, as long as their role lets them edit apps at all: ownership
/// never lifts an End-user above what the role allows (an app can outlive its owner's
/// builder role, say if a demotion and the app's creation crossed).
fn owner_edits(role: Role, user_id: i64, resource: &ResourceRef) -> bool {
    resource.kind == ResourceKind::App
        && resource.owner_user_id == Some(user_id)
        && role >= Role::Builder
}

fn chosen(access: &KindAccess, id: i64) -> Grant {
    access.chosen.get(&id).copied().unwrap_or_default()
}

impl Grant {
    /// A folder rule reaches the apps inside with its level; folders have no hiding.
    fn into_app_grant(self) -> Grant {
        Grant {
            level: self.level,
            listed: self.level > 0,
        }
    }
}

/// Why a member may do something: the group and what in it grants the action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub group: String,
    pub grant: String,
}

/// One action on a resource, whether the member may take it, and every reason they may.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    pub action: Action,
    pub allowed: bool,
    pub reasons: Vec<Reason>,
}

impl Explanation {
    /// The action and every reason for it, as the Effective permissions dialog and the
    /// access matrix show them: "Edit: Apps: Edit on all apps (Builder); Owners can
    /// always edit their apps (Owner)".
    pub fn describe(&self, kind: ResourceKind) -> String {
        let why = self
            .reasons
            .iter()
            .map(|reason| format!("{} ({})", reason.grant, reason.group))
            .collect::<Vec<_>>()
            .join("; ");
        format!("{}: {why}", self.action.describe(kind))
    }
}

/// For each action on `resource`, which groups and rules grant it to the member.
pub fn explain(subject: Subject<'_>, resource: &ResourceRef) -> Vec<Explanation> {
    Action::for_kind(resource.kind)
        .iter()
        .map(|&action| {
            let reasons = reasons_for(subject, resource, action);
            Explanation {
                action,
                allowed: !reasons.is_empty(),
                reasons,
            }
        })
        .collect()
}

fn reasons_for(subject: Subject<'_>, resource: &ResourceRef, action: Action) -> Vec<Reason> {
    let mut reasons = Vec::new();
    if subject.role == Role::Admin {
        reasons.push(Reason {
            group: Role::Admin.label().to_string(),
            grant: "Admins can do everything".to_string(),
        });
        return reasons;
    }
    if owner_edits(subject.role, subject.user_id, resource)
        && matches!(action, Action::View | Action::Edit)
    {
        reasons.push(Reason {
            group: "Owner".to_string(),
            grant: "Owners can always edit their apps".to_string(),
        });
    }
    for group in subject.groups {
        if let Some(flag) = action.flag(resource.kind)
            && group.flags.contains(flag)
        {
            reasons.push(Reason {
                group: group.name.clone(),
                grant: format!(
                    "{} › {} permission",
                    flag.resource_kind().plural_label(),
                    flag.label()
                ),
            });
        }
        let Some(needed) = action.level() else {
            continue;
        };
        for rule in &group.rules {
            if rule.access.level() < needed {
                continue;
            }
            let reaches = if rule.kind == resource.kind {
                rule.scope.covers(resource.id)
            } else {
                resource.kind == ResourceKind::App
                    && rule.kind == ResourceKind::Folder
                    && resource
                        .folder_id
                        .is_some_and(|folder| rule.scope.covers(folder))
            };
            if reaches {
                reasons.push(Reason {
                    group: group.name.clone(),
                    grant: describe_rule(rule),
                });
            }
        }
    }
    reasons
}

/// "Bug Tracker access: Edit on chosen apps", "Apps: View on all apps (hidden from the
/// dashboard)".
pub fn describe_rule(rule: &Rule) -> String {
    let scope = match &rule.scope {
        Scope::All => "all",
        Scope::Only(_) => "chosen",
    };
    let target = match rule.kind {
        ResourceKind::App => "apps",
        ResourceKind::Folder => "folders",
        ResourceKind::Constant => "workspace constants",
        ResourceKind::DataSource => "data sources",
    };
    let hidden = if rule.hide_from_dashboard {
        " (hidden from the dashboard)"
    } else {
        ""
    };
    let access: &str = match rule.access {
        Access::Edit => "Edit",
        Access::View => "View",
        Access::Configure => "Configure",
        Access::BuildWith => "Build with",
    };
    format!("{}: {access} on {scope} {target}{hidden}", rule.name)
}
