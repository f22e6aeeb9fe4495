//! The effective-permission rules, case by case: role groups as seeded, custom groups
//! alone and in conflict, All and chosen scopes, folders, owners and hiding.

use super::*;
use Action::*;

const ME: i64 = 10;
const SOMEONE_ELSE: i64 = 11;
const BUG_TRACKER: i64 = 100;
const WIKI: i64 = 101;
const UNFILED: i64 = 102;
const TICKETS_FOLDER: i64 = 200;
const OTHER_FOLDER: i64 = 201;
const API_KEY: i64 = 300;
const WAREHOUSE: i64 = 400;

pub(super) fn app(id: i64, folder: Option<i64>, owner: Option<i64>) -> ResourceRef {
    ResourceRef {
        id,
        kind: ResourceKind::App,
        folder_id: folder,
        owner_user_id: owner,
    }
}

pub(super) fn resource(id: i64, kind: ResourceKind) -> ResourceRef {
    ResourceRef {
        id,
        kind,
        folder_id: None,
        owner_user_id: None,
    }
}

fn bug_tracker() -> ResourceRef {
    app(BUG_TRACKER, None, Some(SOMEONE_ELSE))
}

fn wiki() -> ResourceRef {
    app(WIKI, Some(TICKETS_FOLDER), Some(SOMEONE_ELSE))
}

pub(super) fn rule(
    name: &str,
    kind: ResourceKind,
    access: Access,
    hide: bool,
    scope: Scope,
) -> Rule {
    Rule {
        id: 0,
        name: name.into(),
        kind,
        access,
        hide_from_dashboard: hide,
        scope,
    }
}

pub(super) fn only(ids: &[i64]) -> Scope {
    Scope::Only(ids.iter().copied().collect())
}

pub(super) fn custom(name: &str, flags: Flags, rules: Vec<Rule>) -> Group {
    Group {
        id: 0,
        name: name.into(),
        kind: GroupKind::Custom,
        flags,
        rules,
    }
}

pub(super) fn role_group(role: Role) -> Group {
    let (flags, drafts) = seeded_role_group(role);
    Group {
        id: 0,
        name: role.label().into(),
        kind: GroupKind::Role(role),
        flags,
        rules: drafts
            .into_iter()
            .map(|draft| rule(&draft.name, draft.kind, draft.access, false, draft.scope))
            .collect(),
    }
}

/// An end-user's role group with nothing in it, so custom groups show alone.
fn bare_end_user() -> Group {
    Group {
        rules: vec![],
        ..role_group(Role::EndUser)
    }
}

fn permissions(role: Role, groups: &[Group]) -> Permissions {
    Permissions::of(Subject {
        user_id: ME,
        role,
        groups,
    })
}

fn allowed(permissions: &Permissions, resource: &ResourceRef) -> Vec<Action> {
    Action::for_kind(resource.kind)
        .iter()
        .copied()
        .filter(|action| permissions.can(resource, *action))
        .collect()
}

#[test]
fn seeded_role_groups_grant_what_the_specification_says() {
    let admin = permissions(Role::Admin, &[role_group(Role::Admin)]);
    let builder = permissions(Role::Builder, &[role_group(Role::Builder)]);
    let end_user = permissions(Role::EndUser, &[role_group(Role::EndUser)]);
    let api_key = resource(API_KEY, ResourceKind::Constant);
    let warehouse = resource(WAREHOUSE, ResourceKind::DataSource);
    let folder = resource(TICKETS_FOLDER, ResourceKind::Folder);

    for everything in [&admin, &builder] {
        assert_eq!(allowed(everything, &bug_tracker()), [View, Edit, Delete]);
        assert_eq!(allowed(everything, &api_key), [View, Edit, Delete]);
        assert_eq!(
            allowed(everything, &warehouse),
            [BuildWith, Configure, Delete]
        );
        assert!(allowed(everything, &folder).ends_with(&[Rename, Delete]));
        for kind in ResourceKind::ALL {
            assert!(everything.can_create(kind), "{kind:?}");
        }
    }
    assert_eq!(allowed(&end_user, &bug_tracker()), [View]);
    assert_eq!(allowed(&end_user, &wiki()), [View]);
    assert!(allowed(&end_user, &api_key).is_empty());
    assert!(allowed(&end_user, &warehouse).is_empty());
    assert!(allowed(&end_user, &folder).is_empty());
    for kind in ResourceKind::ALL {
        assert!(!end_user.can_create(kind), "{kind:?}");
    }
    assert!(end_user.lists_on_dashboard(&bug_tracker()));
}

#[test]
fn admins_can_do_everything_whatever_their_groups() {
    let admin = permissions(Role::Admin, &[]);
    assert_eq!(allowed(&admin, &bug_tracker()), [View, Edit, Delete]);
    assert!(admin.can_create(ResourceKind::DataSource));
    assert!(admin.lists_on_dashboard(&bug_tracker()));
    assert!(
        !admin.can(&bug_tracker(), Configure),
        "actions of another kind stay meaningless"
    );
}

#[test]
fn granular_rules_grant_per_resource_with_the_highest_grant_winning() {
    use ResourceKind::*;
    let engineering = custom(
        "Engineering",
        Flags::NONE,
        vec![rule(
            "Bug Tracker",
            App,
            Access::Edit,
            false,
            only(&[BUG_TRACKER]),
        )],
    );
    let everyone_views = custom(
        "Everyone",
        Flags::NONE,
        vec![rule("All apps", App, Access::View, false, Scope::All)],
    );
    let support = custom(
        "Support",
        Flags::NONE,
        vec![rule(
            "Tickets",
            Folder,
            Access::View,
            false,
            only(&[TICKETS_FOLDER]),
        )],
    );
    let tickets_editors = custom(
        "Ticket editors",
        Flags::NONE,
        vec![rule("All folders", Folder, Access::Edit, false, Scope::All)],
    );
    let unfiled = app(UNFILED, None, Some(SOMEONE_ELSE));
    let elsewhere = app(WIKI, Some(OTHER_FOLDER), Some(SOMEONE_ELSE));

    struct Case {
        groups: Vec<Group>,
        resource: ResourceRef,
        expected: Vec<Action>,
    }
    let cases = [
        // A chosen app only.
        Case {
            groups: vec![bare_end_user(), engineering.clone()],
            resource: bug_tracker(),
            expected: vec![View, Edit],
        },
        Case {
            groups: vec![bare_end_user(), engineering.clone()],
            resource: wiki(),
            expected: vec![],
        },
        // View on all apps plus Edit on one: Edit wins there, View elsewhere.
        Case {
            groups: vec![bare_end_user(), everyone_views.clone(), engineering.clone()],
            resource: bug_tracker(),
            expected: vec![View, Edit],
        },
        Case {
            groups: vec![bare_end_user(), engineering, everyone_views.clone()],
            resource: wiki(),
            expected: vec![View],
        },
        // A folder rule reaches the apps inside, and only those.
        Case {
            groups: vec![bare_end_user(), support.clone()],
            resource: wiki(),
            expected: vec![View],
        },
        Case {
            groups: vec![bare_end_user(), support.clone()],
            resource: elsewhere,
            expected: vec![],
        },
        Case {
            groups: vec![bare_end_user(), support.clone()],
            resource: unfiled,
            expected: vec![],
        },
        Case {
            groups: vec![bare_end_user(), support.clone()],
            resource: resource(TICKETS_FOLDER, Folder),
            expected: vec![View],
        },
        // All folders: every app in a folder, none outside.
        Case {
            groups: vec![bare_end_user(), support, tickets_editors.clone()],
            resource: wiki(),
            expected: vec![View, Edit],
        },
        Case {
            groups: vec![bare_end_user(), tickets_editors],
            resource: unfiled,
            expected: vec![],
        },
        // Owners always edit their own apps, and nothing more.
        Case {
            groups: vec![bare_end_user()],
            resource: app(UNFILED, None, Some(ME)),
            expected: vec![View, Edit],
        },
    ];
    for (index, case) in cases.into_iter().enumerate() {
        let permissions = permissions(Role::Builder, &case.groups);
        assert_eq!(
            allowed(&permissions, &case.resource),
            case.expected,
            "case {index}"
        );
    }
}

#[test]
fn constants_and_data_sources_follow_their_rules_and_flags() {
    use ResourceKind::*;
    let api_key = resource(API_KEY, Constant);
    let other_constant = resource(API_KEY + 1, Constant);
    let warehouse = resource(WAREHOUSE, DataSource);
    let cases = [
        (
            custom(
                "Engineering",
                Flags::NONE,
                vec![rule(
                    "API key",
                    Constant,
                    Access::View,
                    false,
                    only(&[API_KEY]),
                )],
            ),
            vec![(api_key, vec![View]), (other_constant, vec![])],
        ),
        (
            custom(
                "Keepers",
                Flags::NONE.with(Flag::ConstantUpdate, true),
                vec![],
            ),
            vec![
                (api_key, vec![View, Edit]),
                (other_constant, vec![View, Edit]),
            ],
        ),
        (
            custom(
                "Cleaners",
                Flags::NONE.with(Flag::ConstantDelete, true),
                vec![],
            ),
            vec![(api_key, vec![Delete])],
        ),
        (
            custom(
                "Analysts",
                Flags::NONE,
                vec![rule(
                    "Warehouse",
                    DataSource,
                    Access::BuildWith,
                    false,
                    only(&[WAREHOUSE]),
                )],
            ),
            vec![(warehouse, vec![BuildWith])],
        ),
        (
            custom(
                "Owners",
                Flags::NONE,
                vec![rule(
                    "Sources",
                    DataSource,
                    Access::Configure,
                    false,
                    Scope::All,
                )],
            ),
            vec![(warehouse, vec![BuildWith, Configure])],
        ),
        (
            custom(
                "Tidy",
                Flags::NONE.with(Flag::DataSourceDelete, true),
                vec![],
            ),
            vec![(warehouse, vec![Delete])],
        ),
    ];
    for (group, expectations) in cases {
        let permissions = permissions(Role::Builder, &[bare_end_user(), group.clone()]);
        for (resource, expected) in expectations {
            assert_eq!(
                allowed(&permissions, &resource),
                expected,
                "{} on {resource:?}",
                group.name
            );
        }
    }
}

#[test]
fn flags_are_the_union_over_every_group() {
    let creators = custom("Creators", Flags::NONE.with(Flag::AppCreate, true), vec![]);
    let folders = custom(
        "Folders",
        Flags::NONE.with(Flag::FolderCreate, true),
        vec![],
    );
    let permissions = permissions(Role::Builder, &[bare_end_user(), creators, folders]);
    assert!(permissions.can_create(ResourceKind::App));
    assert!(permissions.can_create(ResourceKind::Folder));
    assert!(!permissions.can_create(ResourceKind::Constant));
    assert!(!permissions.can(&bug_tracker(), Delete));
}

#[test]
fn hiding_holds_only_while_every_grant_hides() {
    use ResourceKind::*;
    let hidden_all = custom(
        "Hidden",
        Flags::NONE,
        vec![rule("Quiet", App, Access::View, true, Scope::All)],
    );
    let hidden_one = custom(
        "Hidden one",
        Flags::NONE,
        vec![rule(
            "Quiet one",
            App,
            Access::View,
            true,
            only(&[BUG_TRACKER]),
        )],
    );
    let shown_one = custom(
        "Shown",
        Flags::NONE,
        vec![rule("Loud", App, Access::View, false, only(&[BUG_TRACKER]))],
    );
    let editors = custom(
        "Editors",
        Flags::NONE,
        vec![rule("Edit", App, Access::Edit, false, only(&[BUG_TRACKER]))],
    );
    let folder_view = custom(
        "Folder",
        Flags::NONE,
        vec![rule(
            "Tickets",
            Folder,
            Access::View,
            false,
            only(&[TICKETS_FOLDER]),
        )],
    );
    let cases = [
        (vec![hidden_all.clone()], bug_tracker(), false),
        (vec![hidden_one.clone()], bug_tracker(), false),
        (vec![hidden_one.clone(), shown_one], bug_tracker(), true),
        (vec![hidden_all.clone(), editors], bug_tracker(), true),
        (vec![hidden_all.clone(), folder_view], wiki(), true),
        // Owning an app lifts no End-user above what their groups give.
        (
            vec![hidden_all.clone()],
            app(UNFILED, None, Some(ME)),
            false,
        ),
        (vec![], bug_tracker(), false),
    ];
    for (index, (groups, app, listed)) in cases.into_iter().enumerate() {
        let mut all = vec![bare_end_user()];
        all.extend(groups);
        let permissions = permissions(Role::EndUser, &all);
        assert_eq!(permissions.lists_on_dashboard(&app), listed, "case {index}");
    }
    let hidden = permissions(Role::EndUser, &[bare_end_user(), hidden_all]);
    assert!(
        hidden.can(&bug_tracker(), View),
        "a hidden app still opens by its address"
    );
}

#[test]
fn explanations_name_every_group_and_rule_that_grants() {
    use ResourceKind::*;
    let engineering = custom(
        "Engineering",
        Flags::NONE,
        vec![rule(
            "Bug Tracker",
            App,
            Access::Edit,
            false,
            only(&[BUG_TRACKER]),
        )],
    );
    let makers = custom("Makers", Flags::NONE.with(Flag::AppDelete, true), vec![]);
    let groups = [role_group(Role::EndUser), engineering, makers];
    let subject = Subject {
        user_id: ME,
        role: Role::Builder,
        groups: &groups,
    };
    let explained = explain(subject, &bug_tracker());
    let summary: Vec<(Action, Vec<(&str, &str)>)> = explained
        .iter()
        .map(|explanation| {
            (
                explanation.action,
                explanation
                    .reasons
                    .iter()
                    .map(|reason| (reason.group.as_str(), reason.grant.as_str()))
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                View,
                vec![
                    ("End-user", "Apps: View on all apps"),
                    ("Engineering", "Bug Tracker: Edit on chosen apps"),
                ]
            ),
            (
                Edit,
                vec![("Engineering", "Bug Tracker: Edit on chosen apps")]
            ),
            (Delete, vec![("Makers", "Apps › Delete permission")]),
        ]
    );

    let admin = explain(
        Subject {
            user_id: ME,
            role: Role::Admin,
            groups: &[],
        },
        &bug_tracker(),
    );
    assert!(admin.iter().all(|explanation| explanation.allowed));

    let owned = explain(
        Subject {
            user_id: ME,
            role: Role::Builder,
            groups: &[],
        },
        &app(UNFILED, None, Some(ME)),
    );
    assert_eq!(owned[1].reasons[0].group, "Owner");
}

#[test]
fn owning_an_app_never_lifts_an_end_user_above_their_role() {
    let mine = app(UNFILED, None, Some(ME));
    let as_end_user = permissions(Role::EndUser, &[bare_end_user()]);
    assert_eq!(allowed(&as_end_user, &mine), Vec::<Action>::new());
    let with_view = permissions(Role::EndUser, &[role_group(Role::EndUser)]);
    assert_eq!(allowed(&with_view, &mine), vec![View]);
    let explained = explain(
        Subject {
            user_id: ME,
            role: Role::EndUser,
            groups: &[],
        },
        &mine,
    );
    assert!(explained.iter().all(|explanation| !explanation.allowed));
}

/// `can` and `explain` are two readings of one rule set: over many combinations of
/// groups and resources, an action is allowed exactly when it has a reason.
#[test]
fn explanations_agree_with_the_checks() {
    use ResourceKind::*;
    let candidate_groups = [
        role_group(Role::Builder),
        role_group(Role::EndUser),
        custom(
            "A",
            Flags::NONE,
            vec![rule("a", App, Access::Edit, false, only(&[BUG_TRACKER]))],
        ),
        custom(
            "B",
            Flags::NONE,
            vec![rule(
                "b",
                Folder,
                Access::View,
                false,
                only(&[TICKETS_FOLDER]),
            )],
        ),
        custom(
            "C",
            Flags::NONE,
            vec![rule("c", Folder, Access::Edit, false, Scope::All)],
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
            vec![rule("e", Constant, Access::View, true, only(&[API_KEY]))],
        ),
        custom(
            "F",
            Flags::NONE,
            vec![rule("f", DataSource, Access::BuildWith, false, Scope::All)],
        ),
        custom(
            "G",
            Flags::NONE.with(Flag::FolderUpdate, true),
            vec![rule("g", App, Access::View, true, Scope::All)],
        ),
    ];
    let resources = [
        bug_tracker(),
        wiki(),
        app(UNFILED, None, Some(ME)),
        app(WIKI, Some(OTHER_FOLDER), None),
        resource(TICKETS_FOLDER, Folder),
        resource(OTHER_FOLDER, Folder),
        resource(API_KEY, Constant),
        resource(WAREHOUSE, DataSource),
    ];
    for mask in 0u32..(1 << candidate_groups.len()) {
        let groups: Vec<Group> = candidate_groups
            .iter()
            .enumerate()
            .filter(|(index, _)| mask & (1 << index) != 0)
            .map(|(_, group)| group.clone())
            .collect();
        for role in [Role::Builder, Role::EndUser] {
            let subject = Subject {
                user_id: ME,
                role,
                groups: &groups,
            };
            let permissions = Permissions::of(subject);
            for resource in &resources {
                for explanation in explain(subject, resource) {
                    assert_eq!(
                        permissions.can(resource, explanation.action),
                        explanation.allowed,
                        "{:?} on {resource:?} with groups {mask:b}",
                        explanation.action
                    );
                }
            }
        }
    }
}
