//! The rules for resources, pure and shared by server and browser: names and texts,
//! the kinds of data source, who sees which resource, releasing apps, and the
//! dashboard's grouping of apps by folder.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{AppCard, Dashboard, FolderRef, FolderSection};
use crate::error::AppError;
use crate::permissions::{Action, Permissions, ResourceKind, ResourceRef};

pub const NAME_MAX_CHARS: usize = 100;

/// A long text a resource holds, with its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    /// An app's body.
    Body,
    /// A workspace constant's value.
    Value,
    /// A data source's configuration.
    Configuration,
    /// The notes that go with an app's release.
    ReleaseNotes,
}

impl Text {
    pub fn max_chars(self) -> usize {
        match self {
            Text::Body => 100_000,
            Text::Value => 10_000,
            Text::Configuration => 20_000,
            Text::ReleaseNotes => 2_000,
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Text::Body => "body",
            Text::Value => "value",
            Text::Configuration => "configuration",
            Text::ReleaseNotes => "release notes",
        }
    }

    pub fn check(self, text: &str) -> Result<(), AppError> {
        if text.chars().count() > self.max_chars() {
            Err(AppError::ResourceTextTooLong {
                field: self.noun().to_string(),
                max: self.max_chars(),
            })
        } else {
            Ok(())
        }
    }
}

/// An app's, folder's or data source's name: trimmed, present and not too long.
pub fn normalise_name(input: &str) -> Result<String, AppError> {
    let name = input.trim();
    if name.is_empty() {
        return Err(AppError::ResourceNameRequired);
    }
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(AppError::ResourceNameTooLong {
            max: NAME_MAX_CHARS,
        });
    }
    Ok(name.to_string())
}

/// A workspace constant's name, as apps write it in `{{constants.API_KEY}}`: ASCII
/// letters, digits and underscores, starting with a letter.
pub fn normalise_constant_name(input: &str) -> Result<String, AppError> {
    let name = normalise_name(input)?;
    let mut chars = name.chars();
    let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    if starts_with_letter && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        Ok(name)
    } else {
        Err(AppError::ConstantNameInvalid)
    }
}

/// What a data source connects to. Stored by key in the resource's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SourceKind {
    PostgreSql,
    MySql,
    RestApi,
    GraphQl,
    GoogleSheets,
}

impl SourceKind {
    pub const ALL: [SourceKind; 5] = [
        SourceKind::PostgreSql,
        SourceKind::MySql,
        SourceKind::RestApi,
        SourceKind::GraphQl,
        SourceKind::GoogleSheets,
    ];

    pub fn key(self) -> &'static str {
        match self {
            SourceKind::PostgreSql => "postgresql",
            SourceKind::MySql => "mysql",
            SourceKind::RestApi => "rest_api",
            SourceKind::GraphQl => "graphql",
            SourceKind::GoogleSheets => "google_sheets",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SourceKind::PostgreSql => "PostgreSQL",
            SourceKind::MySql => "MySQL",
            SourceKind::RestApi => "REST API",
            SourceKind::GraphQl => "GraphQL",
            SourceKind::GoogleSheets => "Google Sheets",
        }
    }

    pub fn from_key(key: &str) -> Option<SourceKind> {
        SourceKind::ALL.into_iter().find(|kind| kind.key() == key)
    }

    /// A key or a label, as forms and API clients send it.
    pub fn parse(input: &str) -> Result<SourceKind, AppError> {
        let input = input.trim();
        SourceKind::ALL
            .into_iter()
            .find(|kind| {
                kind.key().eq_ignore_ascii_case(input) || kind.label().eq_ignore_ascii_case(input)
            })
            .ok_or(AppError::UnknownDataSourceKind)
    }
}

/// Whether the member sees an app, a workspace constant or a data source at all: View
/// on apps and constants, Build with (or more) on data sources. Folders depend on what
/// they hold ([`sees_folder`]). What a member doesn't see doesn't exist for them.
pub fn sees(permissions: &Permissions, resource: &ResourceRef) -> bool {
    match resource.kind {
        ResourceKind::App | ResourceKind::Constant => permissions.can(resource, Action::View),
        ResourceKind::DataSource => {
            permissions.can(resource, Action::BuildWith)
                || permissions.can(resource, Action::Configure)
        }
        ResourceKind::Folder => sees_folder(permissions, resource, &[]),
    }
}

/// Each released app's newest version number, which is what its viewers see, by app id.
/// An app not in it was never released.
pub type Releases = HashMap<i64, i64>;

/// Whether an app exists for the member at all, whatever else they may do: one never
/// released exists only for those who may edit it, until its first release.
pub fn app_exists_for(permissions: &Permissions, app: &ResourceRef, released: bool) -> bool {
    released || permissions.can(app, Action::Edit)
}

/// Whether the member sees an app: [`sees`] it, and it exists for them
/// ([`app_exists_for`]).
pub fn sees_app(permissions: &Permissions, app: &ResourceRef, released: bool) -> bool {
    sees(permissions, app) && app_exists_for(permissions, app, released)
}

/// The number a release of `draft` gets: one after the newest version, given with its
/// body, or 1 for the first. A draft the same as the newest version, which viewers see
/// already, has nothing to release.
pub fn next_release(newest: Option<(i64, &str)>, draft: &str) -> Result<i64, AppError> {
    match newest {
        None => Ok(1),
        Some((number, body)) if body == draft => Err(AppError::NothingToRelease { number }),
        Some((number, _)) => Ok(number + 1),
    }
}

/// A folder is seen by those who may do something with it or file apps into it, and by
/// anyone the dashboard lists one of its apps to. `apps` may hold any of the workspace's
/// apps; only those in the folder count.
pub fn sees_folder(permissions: &Permissions, folder: &ResourceRef, apps: &[ResourceRef]) -> bool {
    Action::for_kind(ResourceKind::Folder)
        .iter()
        .any(|action| permissions.can(folder, *action))
        || permissions.can_create(ResourceKind::Folder)
        || permissions.can_create(ResourceKind::App)
        || apps.iter().any(|app| {
            app.kind == ResourceKind::App
                && app.folder_id == Some(folder.id)
                && permissions.lists_on_dashboard(app)
        })
}

/// Lets an action on a resource through, or says why not: a resource the member can't
/// see is not found (its existence isn't revealed); one they see but may not change
/// this way is refused.
pub fn authorise(
    permissions: &Permissions,
    resource: &ResourceRef,
    seen: bool,
    action: Action,
) -> Result<(), AppError> {
    if !seen {
        Err(AppError::ResourceNotFound)
    } else if permissions.can(resource, action) {
        Ok(())
    } else {
        Err(AppError::PermissionDenied)
    }
}

/// Refuses to create a resource of `kind` without the workspace permission to.
pub fn authorise_create(permissions: &Permissions, kind: ResourceKind) -> Result<(), AppError> {
    if permissions.can_create(kind) {
        Ok(())
    } else {
        Err(AppError::PermissionDenied)
    }
}

/// The folders the member sees, in the order given (by name). Apps that don't exist for
/// the member ([`app_exists_for`]) don't show them a folder.
pub fn visible_folders(
    permissions: &Permissions,
    resources: &[(ResourceRef, String)],
    releases: &Releases,
) -> Vec<FolderRef> {
    let apps: Vec<ResourceRef> = resources
        .iter()
        .filter(|(resource, _)| {
            resource.kind == ResourceKind::App
                && app_exists_for(permissions, resource, releases.contains_key(&resource.id))
        })
        .map(|(resource, _)| *resource)
        .collect();
    resources
        .iter()
        .filter(|(resource, _)| {
            resource.kind == ResourceKind::Folder && sees_folder(permissions, resource, &apps)
        })
        .map(|(resource, name)| FolderRef {
            id: resource.id,
            name: name.clone(),
        })
        .collect()
}

/// An app as the dashboard and folder pages list it, with the version its viewers see.
pub fn app_card(
    permissions: &Permissions,
    app: &ResourceRef,
    name: &str,
    released: Option<i64>,
) -> AppCard {
    AppCard {
        id: app.id,
        name: name.to_string(),
        can_edit: permissions.can(app, Action::Edit),
        released,
    }
}

/// Whether a list shows the member an app: listed on their dashboard, and existing for
/// them ([`app_exists_for`]).
pub fn lists_app(permissions: &Permissions, app: &ResourceRef, released: bool) -> bool {
    permissions.lists_on_dashboard(app) && app_exists_for(permissions, app, released)
}

/// The dashboard: the folders the member sees, each with the apps it lists to them,
/// then the listed apps without a folder. `resources` is the workspace's resources by
/// name; apps hidden from the member's dashboard are left out, and so are apps never
/// released, but for those who may edit them.
pub fn dashboard(
    permissions: &Permissions,
    resources: &[(ResourceRef, String)],
    releases: &Releases,
) -> Dashboard {
    let card = |(app, name): &(&ResourceRef, &String)| {
        app_card(permissions, app, name, releases.get(&app.id).copied())
    };
    let listed: Vec<(&ResourceRef, &String)> = resources
        .iter()
        .filter(|(resource, _)| {
            resource.kind == ResourceKind::App
                && lists_app(permissions, resource, releases.contains_key(&resource.id))
        })
        .map(|(resource, name)| (resource, name))
        .collect();
    let folders = visible_folders(permissions, resources, releases)
        .into_iter()
        .map(|folder| FolderSection {
            apps: listed
                .iter()
                .filter(|(app, _)| app.folder_id == Some(folder.id))
                .map(card)
                .collect(),
            folder,
        })
        .collect::<Vec<_>>();
    let filed: Vec<i64> = folders.iter().map(|section| section.folder.id).collect();
    let unfiled = listed
        .iter()
        .filter(|(app, _)| app.folder_id.is_none_or(|folder| !filed.contains(&folder)))
        .map(card)
        .collect();
    Dashboard {
        folders,
        unfiled,
        can_create_app: permissions.can_create(ResourceKind::App),
        can_create_folder: permissions.can_create(ResourceKind::Folder),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::memberships::Role;
    use crate::permissions::{
        Access, Flag, Flags, Group, GroupKind, Rule, Scope, Subject, seeded_role_group,
    };

    const ME: i64 = 10;

    fn role_group(role: Role) -> Group {
        let (flags, drafts) = seeded_role_group(role);
        Group {
            id: 1,
            name: role.label().into(),
            kind: GroupKind::Role(role),
            flags,
            rules: drafts
                .into_iter()
                .enumerate()
                .map(|(index, draft)| Rule {
                    id: index as i64,
                    name: draft.name,
                    kind: draft.kind,
                    access: draft.access,
                    hide_from_dashboard: draft.hide_from_dashboard,
                    scope: draft.scope,
                })
                .collect(),
        }
    }

    fn custom(flags: Flags, rules: Vec<Rule>) -> Group {
        Group {
            id: 2,
            name: "Custom".into(),
            kind: GroupKind::Custom,
            flags,
            rules,
        }
    }

    fn rule(kind: ResourceKind, access: Access, ids: &[i64], hidden: bool) -> Rule {
        Rule {
            id: 99,
            name: "r".into(),
            kind,
            access,
            hide_from_dashboard: hidden,
            scope: if ids.is_empty() {
                Scope::All
            } else {
                Scope::Only(ids.iter().copied().collect::<BTreeSet<_>>())
            },
        }
    }

    fn permissions(role: Role, extra: Vec<Group>) -> Permissions {
        let mut groups = vec![role_group(role)];
        groups.extend(extra);
        Permissions::of(Subject {
            user_id: ME,
            role,
            groups: &groups,
        })
    }

    fn resource(id: i64, kind: ResourceKind) -> ResourceRef {
        ResourceRef {
            id,
            kind,
            folder_id: None,
            owner_user_id: None,
        }
    }

    fn app(id: i64, folder: Option<i64>) -> ResourceRef {
        ResourceRef {
            folder_id: folder,
            ..resource(id, ResourceKind::App)
        }
    }

    #[test]
    fn names_are_trimmed_required_and_bounded() {
        assert_eq!(normalise_name("  Sales  "), Ok("Sales".into()));
        assert_eq!(normalise_name(" \t "), Err(AppError::ResourceNameRequired));
        assert_eq!(normalise_name(&"é".repeat(100)), Ok("é".repeat(100)));
        assert_eq!(
            normalise_name(&"x".repeat(101)),
            Err(AppError::ResourceNameTooLong { max: 100 })
        );
    }

    #[test]
    fn constant_names_are_identifiers() {
        for good in ["API_KEY", "a", "Db2_url", " TOKEN "] {
            assert_eq!(
                normalise_constant_name(good),
                Ok(good.trim().to_string()),
                "{good}"
            );
        }
        for bad in ["2FA", "_KEY", "API-KEY", "API KEY", "clé", "a.b"] {
            assert_eq!(
                normalise_constant_name(bad),
                Err(AppError::ConstantNameInvalid),
                "{bad}"
            );
        }
        assert_eq!(
            normalise_constant_name(""),
            Err(AppError::ResourceNameRequired)
        );
        assert_eq!(
            normalise_constant_name(&"K".repeat(101)),
            Err(AppError::ResourceNameTooLong { max: 100 })
        );
    }

    #[test]
    fn texts_are_bounded_in_characters() {
        for text in [
            Text::Body,
            Text::Value,
            Text::Configuration,
            Text::ReleaseNotes,
        ] {
            assert!(text.check(&"é".repeat(text.max_chars())).is_ok());
            assert!(matches!(
                text.check(&"x".repeat(text.max_chars() + 1)),
                Err(AppError::ResourceTextTooLong { max, .. }) if max == text.max_chars()
            ));
        }
        assert_eq!(
            Text::Value
                .check(&"x".repeat(10_001))
                .unwrap_err()
                .to_string(),
            "The value can be at most 10000 characters long."
        );
        assert_eq!(
            Text::ReleaseNotes
                .check(&"x".repeat(2_001))
                .unwrap_err()
                .to_string(),
            "The release notes can be at most 2000 characters long."
        );
    }

    #[test]
    fn data_source_kinds_parse_from_key_or_label() {
        for kind in SourceKind::ALL {
            assert_eq!(SourceKind::parse(kind.key()), Ok(kind));
            assert_eq!(SourceKind::parse(kind.label()), Ok(kind));
            assert_eq!(SourceKind::from_key(kind.key()), Some(kind));
        }
        assert_eq!(SourceKind::parse(" rest api "), Ok(SourceKind::RestApi));
        assert_eq!(
            SourceKind::parse("oracle"),
            Err(AppError::UnknownDataSourceKind)
        );
    }

    #[test]
    fn what_each_role_sees_and_may_change() {
        let constant = resource(3, ResourceKind::Constant);
        let source = resource(4, ResourceKind::DataSource);
        let folder = resource(5, ResourceKind::Folder);
        let some_app = app(6, Some(5));
        let check = |perms: &Permissions, resource: &ResourceRef, action| {
            authorise(perms, resource, sees(perms, resource), action)
        };
        let builder = permissions(Role::Builder, vec![]);
        let end_user = permissions(Role::EndUser, vec![]);
        for action in [Action::View, Action::Edit, Action::Delete] {
            assert_eq!(check(&builder, &some_app, action), Ok(()));
        }
        assert_eq!(check(&builder, &constant, Action::Edit), Ok(()));
        assert_eq!(check(&builder, &source, Action::Configure), Ok(()));
        assert_eq!(check(&builder, &folder, Action::Rename), Ok(()));
        assert!(sees_folder(&builder, &folder, &[]), "builders file apps");

        assert_eq!(check(&end_user, &some_app, Action::View), Ok(()));
        assert_eq!(
            check(&end_user, &some_app, Action::Edit),
            Err(AppError::PermissionDenied),
            "seen but not editable"
        );
        assert_eq!(
            check(&end_user, &some_app, Action::Delete),
            Err(AppError::PermissionDenied)
        );
        for (resource, action) in [
            (constant, Action::View),
            (source, Action::BuildWith),
            (source, Action::Configure),
        ] {
            assert_eq!(
                check(&end_user, &resource, action),
                Err(AppError::ResourceNotFound),
                "{resource:?} isn't revealed"
            );
        }
        assert!(!sees_folder(&end_user, &folder, &[]), "an empty folder");
        assert!(sees_folder(&end_user, &folder, &[some_app]));
        assert!(!sees_folder(&end_user, &folder, &[app(7, Some(99))]));
        assert_eq!(
            authorise_create(&end_user, ResourceKind::App),
            Err(AppError::PermissionDenied)
        );
        assert_eq!(authorise_create(&builder, ResourceKind::Constant), Ok(()));
    }

    #[test]
    fn a_view_rule_on_constants_reveals_but_does_not_change_them() {
        let constant = resource(3, ResourceKind::Constant);
        let viewer = permissions(
            Role::EndUser,
            vec![custom(
                Flags::NONE,
                vec![rule(ResourceKind::Constant, Access::View, &[3], false)],
            )],
        );
        assert!(sees(&viewer, &constant));
        assert_eq!(
            authorise(&viewer, &constant, true, Action::Edit),
            Err(AppError::PermissionDenied)
        );
        assert!(!sees(&viewer, &resource(4, ResourceKind::Constant)));
    }

    #[test]
    fn build_with_shows_a_data_source_and_configure_opens_its_configuration() {
        let source = resource(4, ResourceKind::DataSource);
        // Builders configure every data source through their role group; a custom
        // group on its own shows the difference between the two accesses.
        let only = |access| {
            let groups = [custom(
                Flags::NONE,
                vec![rule(ResourceKind::DataSource, access, &[4], false)],
            )];
            Permissions::of(Subject {
                user_id: ME,
                role: Role::Builder,
                groups: &groups,
            })
        };
        let builds = only(Access::BuildWith);
        assert!(sees(&builds, &source));
        assert_eq!(
            authorise(&builds, &source, true, Action::Configure),
            Err(AppError::PermissionDenied)
        );
        assert_eq!(
            authorise(&only(Access::Configure), &source, true, Action::Configure),
            Ok(())
        );
        assert!(!sees(&builds, &resource(5, ResourceKind::DataSource)));
    }

    #[test]
    fn the_dashboard_groups_listed_apps_by_folder() {
        let folder = |id| resource(id, ResourceKind::Folder);
        let resources = vec![
            (app(10, Some(1)), "Billing".to_string()),
            (app(11, None), "Inventory".to_string()),
            (app(12, Some(2)), "Payroll".to_string()),
            (app(13, Some(1)), "Secret".to_string()),
            (folder(1), "Finance".to_string()),
            (folder(2), "HR".to_string()),
            (folder(3), "Empty".to_string()),
            (resource(20, ResourceKind::Constant), "API_KEY".to_string()),
        ];
        // An end-user who may view apps 10 and 11, app 13 only by its address.
        let end_user = {
            let groups = [
                custom(
                    Flags::NONE,
                    vec![rule(ResourceKind::App, Access::View, &[10, 11], false)],
                ),
                Group {
                    id: 3,
                    ..custom(
                        Flags::NONE,
                        vec![rule(ResourceKind::App, Access::View, &[13], true)],
                    )
                },
            ];
            Permissions::of(Subject {
                user_id: ME,
                role: Role::EndUser,
                groups: &groups,
            })
        };
        let every_app_released = Releases::from([(10, 1), (11, 1), (12, 1), (13, 1)]);
        let board = dashboard(&end_user, &resources, &every_app_released);
        let names = |apps: &[AppCard]| apps.iter().map(|a| a.name.clone()).collect::<Vec<_>>();
        assert_eq!(board.folders.len(), 1, "only the folder with a listed app");
        assert_eq!(board.folders[0].folder.name, "Finance");
        assert_eq!(names(&board.folders[0].apps), ["Billing"]);
        assert_eq!(names(&board.unfiled), ["Inventory"]);
        assert!(!board.can_create_app && !board.can_create_folder);
        assert!(board.unfiled.iter().all(|card| !card.can_edit));

        let admin = permissions(Role::Admin, vec![]);
        let board = dashboard(&admin, &resources, &every_app_released);
        let folders: Vec<&str> = board
            .folders
            .iter()
            .map(|section| section.folder.name.as_str())
            .collect();
        assert_eq!(folders, ["Finance", "HR", "Empty"]);
        assert_eq!(names(&board.folders[0].apps), ["Billing", "Secret"]);
        assert!(board.folders[2].apps.is_empty());
        assert!(board.can_create_app && board.can_create_folder);
        assert!(board.folders[0].apps.iter().all(|card| card.can_edit));
        assert_eq!(board.folders[0].apps[0].released, Some(1));
    }

    #[test]
    fn an_app_never_released_exists_only_for_its_editors() {
        let folder = resource(1, ResourceKind::Folder);
        let resources = vec![
            (app(10, Some(1)), "Billing".to_string()),
            (app(11, None), "Inventory".to_string()),
            (folder, "Finance".to_string()),
        ];
        // Only Inventory was released, as version 3.
        let releases = Releases::from([(11, 3)]);
        let end_user = permissions(Role::EndUser, vec![]);
        let builder = permissions(Role::Builder, vec![]);

        let board = dashboard(&end_user, &resources, &releases);
        assert!(board.folders.is_empty(), "no folder through a draft");
        assert_eq!(board.unfiled.len(), 1);
        assert_eq!(
            (board.unfiled[0].name.as_str(), board.unfiled[0].released),
            ("Inventory", Some(3))
        );
        assert!(visible_folders(&end_user, &resources, &releases).is_empty());
        assert!(!sees_app(&end_user, &resources[0].0, false));
        assert!(sees_app(&end_user, &resources[1].0, true));
        assert!(!lists_app(&end_user, &resources[0].0, false));

        let board = dashboard(&builder, &resources, &releases);
        assert_eq!(board.folders[0].apps[0].name, "Billing");
        assert_eq!(board.folders[0].apps[0].released, None, "a draft only");
        assert!(sees_app(&builder, &resources[0].0, false));
        assert!(app_exists_for(&builder, &resources[0].0, false));
    }

    #[test]
    fn releases_are_numbered_in_turn_and_need_a_changed_draft() {
        assert_eq!(next_release(None, ""), Ok(1));
        assert_eq!(next_release(None, "Hello"), Ok(1));
        assert_eq!(next_release(Some((1, "Hello")), "Hello again"), Ok(2));
        assert_eq!(next_release(Some((7, "")), " "), Ok(8));
        assert_eq!(
            next_release(Some((2, "Hello")), "Hello"),
            Err(AppError::NothingToRelease { number: 2 })
        );
        assert_eq!(
            AppError::NothingToRelease { number: 2 }.to_string(),
            "The draft is the same as version 2, which viewers see already. Change the draft before releasing it."
        );
    }

    #[test]
    fn builders_edit_the_apps_they_own_and_flags_reach_every_resource() {
        let mine = ResourceRef {
            owner_user_id: Some(ME),
            ..app(30, None)
        };
        let builder = permissions(Role::Builder, vec![]);
        assert!(app_card(&builder, &mine, "Mine", None).can_edit);
        let end_user = permissions(Role::EndUser, vec![]);
        assert!(!app_card(&end_user, &mine, "Mine", Some(1)).can_edit);
        let deleter = permissions(
            Role::Builder,
            vec![custom(Flags::NONE.with(Flag::AppDelete, true), vec![])],
        );
        assert_eq!(
            authorise(&deleter, &app(31, None), true, Action::Delete),
            Ok(())
        );
    }
}
