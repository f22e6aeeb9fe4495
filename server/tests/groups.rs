//! Groups and permissions over HTTP, on SQLite and PostgreSQL: the role groups a new
//! workspace starts with, custom groups with their members, flags and granular rules,
//! the consent needed before end-users become builders, and what members may then do.
//! Every refusal is shown to change nothing.

use crate::support::{Refusal, Reply, Session, TestApp, error_code};
use app::db::testing::on_each_backend;
use app::memberships::{MembershipStatus, Role};
use axum::http::StatusCode;
use serde_json::{Value, json};

const ADMIN_GROUP_LOCKED: Refusal = Refusal {
    status: StatusCode::CONFLICT,
    code: "AdminGroupLocked",
    message: "Admin has all permissions. This is not editable.",
};
const END_USER_GROUP_VIEW_ONLY: Refusal = Refusal {
    status: StatusCode::UNPROCESSABLE_ENTITY,
    code: "EndUserGroupViewOnly",
    message: "End-users can only be given View access to apps, folders and workspace \
              constants.",
};
const ROLE_GROUPS_TAKE_ALL: Refusal = Refusal {
    status: StatusCode::UNPROCESSABLE_ENTITY,
    code: "RoleGroupsTakeAll",
    message: "The Admin, Builder and End-user groups only take permissions on all resources \
              of a kind.",
};
const ROLE_GROUP_MEMBERS_BY_ROLE: Refusal = Refusal {
    status: StatusCode::CONFLICT,
    code: "RoleGroupMembersByRole",
    message: "Members join the Admin, Builder and End-user groups through their role. Change \
              the user's role instead.",
};
const GROUP_NAME_TAKEN: Refusal = Refusal {
    status: StatusCode::CONFLICT,
    code: "GroupNameTaken",
    message: "A group with this name already exists in this workspace.",
};
const MEMBER_CANNOT_JOIN_GROUP: Refusal = Refusal {
    status: StatusCode::CONFLICT,
    code: "MemberCannotJoinGroup",
    message: "Archived and removed members can't be added to groups.",
};
const MEMBER_NOT_FOUND: Refusal = Refusal {
    status: StatusCode::NOT_FOUND,
    code: "MemberNotFound",
    message: "That user isn't a member of this workspace.",
};
const RULE_NAME_TAKEN: Refusal = Refusal {
    status: StatusCode::CONFLICT,
    code: "RuleNameTaken",
    message: "A permission with this name already exists in this group.",
};
const HIDE_NEEDS_VIEW: Refusal = Refusal {
    status: StatusCode::UNPROCESSABLE_ENTITY,
    code: "HideNeedsView",
    message: "Only View access to apps can hide them from the dashboard.",
};
const RULE_NOT_FOUND: Refusal = Refusal {
    status: StatusCode::NOT_FOUND,
    code: "RuleNotFound",
    message: "That permission doesn't exist in this workspace.",
};
const RESOURCE_NOT_FOUND: Refusal = Refusal {
    status: StatusCode::NOT_FOUND,
    code: "ResourceNotFound",
    message: "That resource doesn't exist in this workspace, or you can't see it.",
};

/// A group's rule as `rules_of` describes it: name, kind, access, hidden from the
/// dashboard, and the chosen resources (none for all of the kind).
type StoredRule = (String, String, String, i64, Vec<i64>);

/// An audit event as `audit_since` describes it: action, target user and detail.
type Event = (String, Option<i64>, String);

/// A member of acme with a role, active; their full name is their email.
async fn member(app: &TestApp, email: &str, role: Role) -> i64 {
    let (id, _) = app
        .member_of("acme", email, role, MembershipStatus::Active)
        .await;
    id
}

/// Calls a groups function on one group of the session's workspace.
async fn on_group(
    admin: &Session<'_>,
    endpoint: &str,
    group_id: i64,
    form: &[(&str, &str)],
) -> Reply {
    admin.call_on(endpoint, ("group_id", group_id), form).await
}

async fn list(admin: &Session<'_>) -> Value {
    admin.ok("groups/list", &[]).await
}

async fn create(admin: &Session<'_>, name: &str) -> Reply {
    admin.call("groups/create", &[("name", name)]).await
}

/// A new custom group of the session's workspace, by id.
async fn new_group(admin: &Session<'_>, name: &str) -> i64 {
    create(admin, name).await.ok()["id"].as_i64().unwrap()
}

async fn details(admin: &Session<'_>, group_id: i64) -> Reply {
    on_group(admin, "groups/details", group_id, &[]).await
}

async fn rename(admin: &Session<'_>, group_id: i64, name: &str) -> Reply {
    on_group(admin, "groups/rename", group_id, &[("name", name)]).await
}

async fn delete(admin: &Session<'_>, group_id: i64) -> Reply {
    on_group(admin, "groups/delete", group_id, &[]).await
}

async fn add_members(
    admin: &Session<'_>,
    group_id: i64,
    user_ids: &[i64],
    allow_role_change: bool,
) -> Reply {
    let arguments = json!({
        "group_id": group_id,
        "user_ids": user_ids,
        "allow_role_change": allow_role_change,
    });
    admin.call_json("groups/add-members", arguments).await
}

async fn remove_member(admin: &Session<'_>, group_id: i64, user_id: i64) -> Reply {
    let user_id = user_id.to_string();
    on_group(
        admin,
        "groups/remove-member",
        group_id,
        &[("user_id", &user_id)],
    )
    .await
}

/// The emails of the members who could still join a group, matching `search` if given.
async fn addable(admin: &Session<'_>, group_id: i64, search: Option<&str>) -> Vec<String> {
    let form: Vec<(&str, &str)> = search
        .map(|search| ("search", search))
        .into_iter()
        .collect();
    let found = on_group(admin, "groups/addable-members", group_id, &form)
        .await
        .ok();
    found
        .as_array()
        .unwrap()
        .iter()
        .map(|member| member["email"].as_str().unwrap().to_string())
        .collect()
}

async fn set_flag(
    admin: &Session<'_>,
    group_id: i64,
    flag: &str,
    on: bool,
    allow_role_change: bool,
) -> Reply {
    let (on, allow_role_change) = (on.to_string(), allow_role_change.to_string());
    let form = [
        ("flag", flag),
        ("on", &on),
        ("allow_role_change", &allow_role_change),
    ];
    on_group(admin, "groups/set-flag", group_id, &form).await
}

/// A rule as the dialog submits it: on all resources of the kind when `resource_ids`
/// is empty.
fn rule(name: &str, kind: &str, access: &str, resource_ids: &[i64]) -> Value {
    json!({
        "name": name,
        "kind": kind,
        "access": access,
        "hide_from_dashboard": false,
        "all": resource_ids.is_empty(),
        "resource_ids": resource_ids,
    })
}

async fn save_rule(
    admin: &Session<'_>,
    group_id: i64,
    rule_id: Option<i64>,
    rule: Value,
    allow_role_change: bool,
) -> Reply {
    let arguments = json!({
        "group_id": group_id,
        "rule_id": rule_id,
        "rule": rule,
        "allow_role_change": allow_role_change,
    });
    admin.call_json("groups/save-rule", arguments).await
}

/// Adds a new rule to a group, without consent to role changes; returns its id.
async fn add_rule(admin: &Session<'_>, group_id: i64, rule: Value) -> i64 {
    let saved = save_rule(admin, group_id, None, rule, false).await.ok();
    saved.as_i64().expect("the new rule's id")
}

async fn delete_rule(admin: &Session<'_>, group_id: i64, rule_id: i64) -> Reply {
    let rule_id = rule_id.to_string();
    on_group(
        admin,
        "groups/delete-rule",
        group_id,
        &[("rule_id", &rule_id)],
    )
    .await
}

/// Duplicates a group with the chosen parts: its users, permissions and granular rules.
async fn duplicate(
    admin: &Session<'_>,
    group_id: i64,
    parts: [bool; 3],
    allow_role_change: bool,
) -> Reply {
    let [users, permissions, granular, allow_role_change] =
        [parts[0], parts[1], parts[2], allow_role_change].map(|on| on.to_string());
    let form = [
        ("users", users.as_str()),
        ("permissions", &permissions),
        ("granular", &granular),
        ("allow_role_change", &allow_role_change),
    ];
    on_group(admin, "groups/duplicate", group_id, &form).await
}

async fn set_access(
    admin: &Session<'_>,
    resource_id: i64,
    group_id: i64,
    access: &str,
    allow_role_change: bool,
) -> Reply {
    let (resource_id, allow_role_change) = (resource_id.to_string(), allow_role_change.to_string());
    let form = [
        ("resource_id", resource_id.as_str()),
        ("access", access),
        ("allow_role_change", &allow_role_change),
    ];
    on_group(admin, "groups/set-resource-access", group_id, &form).await
}

/// What the resource's Permissions tab shows for one group.
async fn access_of(admin: &Session<'_>, resource_id: i64, group: &str) -> Value {
    let resource_id = resource_id.to_string();
    let table = admin
        .ok("groups/resource-access", &[("resource_id", &resource_id)])
        .await;
    table
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["group_name"] == group)
        .unwrap_or_else(|| panic!("{group} in {table}"))
        .clone()
}

async fn effective(admin: &Session<'_>, user_id: i64) -> Value {
    let user_id = user_id.to_string();
    admin
        .ok("users/effective-permissions", &[("user_id", &user_id)])
        .await
}

/// One action on one named resource in an effective-permissions answer.
fn explanation(permissions: &Value, resource: &str, action: &str) -> Value {
    permissions
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["name"] == resource)
        .unwrap_or_else(|| panic!("{resource} in {permissions}"))["explanations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|explanation| explanation["action"] == action)
        .unwrap_or_else(|| panic!("{action} on {resource}"))
        .clone()
}

/// Apps of acme without an owner, by id, in the order named.
async fn acme_apps<const N: usize>(app: &TestApp, names: [&str; N]) -> [i64; N] {
    let mut ids = [0; N];
    for (id, name) in ids.iter_mut().zip(names) {
        *id = app.insert_resource("acme", "app", name, None).await;
    }
    ids
}

async fn group_id(app: &TestApp, name: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT g.id FROM groups g JOIN workspaces w ON w.id = g.workspace_id
         WHERE w.slug = 'acme' AND g.name = $1",
    )
    .bind(name)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

async fn rule_id(app: &TestApp, group_id: i64, name: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM group_rules WHERE group_id = $1 AND name = $2")
        .bind(group_id)
        .bind(name)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

async fn members_of(app: &TestApp, group_id: i64) -> Vec<i64> {
    sqlx::query_scalar("SELECT user_id FROM group_members WHERE group_id = $1 ORDER BY user_id")
        .bind(group_id)
        .fetch_all(&app.db)
        .await
        .unwrap()
}

async fn flags_of(app: &TestApp, group_id: i64) -> i64 {
    sqlx::query_scalar("SELECT flags FROM groups WHERE id = $1")
        .bind(group_id)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// A group's rules, oldest first.
async fn rules_of(app: &TestApp, group_id: i64) -> Vec<StoredRule> {
    let rules: Vec<(i64, String, String, String, i64)> = sqlx::query_as(
        "SELECT id, name, kind, access, hide_from_dashboard FROM group_rules
         WHERE group_id = $1 ORDER BY id",
    )
    .bind(group_id)
    .fetch_all(&app.db)
    .await
    .unwrap();
    let mut described = Vec::new();
    for (id, name, kind, access, hidden) in rules {
        described.push((name, kind, access, hidden, chosen_by(app, id).await));
    }
    described
}

/// The resources a rule chose, by id.
async fn chosen_by(app: &TestApp, rule_id: i64) -> Vec<i64> {
    sqlx::query_scalar(
        "SELECT resource_id FROM group_rule_resources WHERE rule_id = $1 ORDER BY resource_id",
    )
    .bind(rule_id)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

/// A rule as `rules_of` describes one that doesn't hide apps from the dashboard.
fn stored(name: &str, kind: &str, access: &str, chosen: &[i64]) -> StoredRule {
    (name.into(), kind.into(), access.into(), 0, chosen.to_vec())
}

/// What a copy holds of one part of a group: all of it when chosen, else nothing.
fn part_copy<T: Clone>(chosen: bool, original: &[T]) -> Vec<T> {
    if chosen {
        original.to_vec()
    } else {
        Vec::new()
    }
}

/// Audit events after the first `skip`.
async fn audit_since(app: &TestApp, skip: i64) -> Vec<Event> {
    sqlx::query_as(
        "SELECT action, target_user_id, detail FROM audit_events ORDER BY id LIMIT 1000 OFFSET $1",
    )
    .bind(skip)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

fn event(action: &str, user: Option<i64>, detail: &str) -> Event {
    (action.into(), user, detail.into())
}

/// The event of an end-user made a Builder by consent.
fn promoted(user: i64) -> Event {
    event("member.role_changed", Some(user), "end-user -> builder")
}

/// Everything a group change may write, to show that a refused one wrote nothing.
async fn snapshot(app: &TestApp) -> Vec<String> {
    let mut rows = Vec::new();
    let memberships: Vec<(i64, i64, String, String)> = sqlx::query_as(
        "SELECT workspace_id, user_id, role, status FROM memberships
         ORDER BY workspace_id, user_id",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    rows.extend(memberships.iter().map(|row| format!("membership {row:?}")));
    let groups: Vec<(i64, i64, String, i64)> =
        sqlx::query_as("SELECT id, workspace_id, name, flags FROM groups ORDER BY id")
            .fetch_all(&app.db)
            .await
            .unwrap();
    rows.extend(groups.iter().map(|row| format!("group {row:?}")));
    let members: Vec<(i64, i64)> =
        sqlx::query_as("SELECT group_id, user_id FROM group_members ORDER BY group_id, user_id")
            .fetch_all(&app.db)
            .await
            .unwrap();
    rows.extend(members.iter().map(|row| format!("group member {row:?}")));
    let rules: Vec<(i64, i64, String, String, String, i64, i64)> = sqlx::query_as(
        "SELECT id, group_id, name, kind, access, hide_from_dashboard, all_resources
         FROM group_rules ORDER BY id",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    rows.extend(rules.iter().map(|row| format!("rule {row:?}")));
    let chosen: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT rule_id, resource_id FROM group_rule_resources ORDER BY rule_id, resource_id",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    rows.extend(chosen.iter().map(|row| format!("chosen {row:?}")));
    rows.extend(
        owners(app)
            .await
            .iter()
            .map(|row| format!("resource {row:?}")),
    );
    rows.push(format!("audit events: {}", app.changes_audited().await));
    rows
}

/// Every resource with its owner, by id.
async fn owners(app: &TestApp) -> Vec<(i64, Option<i64>)> {
    sqlx::query_as("SELECT id, owner_user_id FROM resources ORDER BY id")
        .fetch_all(&app.db)
        .await
        .unwrap()
}

/// The answer to a change that would make these users Builders without consent.
fn assert_role_change_needed(reply: &Reply, emails: &[&str]) {
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
    assert_eq!(
        error_code(reply),
        json!({ "RoleChangeNeeded": { "users": emails } })
    );
    assert_eq!(
        reply.json()["message"],
        format!(
            "End-users can only view apps, folders and workspace constants. To go ahead, \
             these users become Builders: {}.",
            emails.join(", ")
        )
    );
}

/// The answer to a group name that is a role's.
fn assert_name_reserved(reply: &Reply, name: &str) {
    reply.assert_refused(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({ "GroupNameReserved": { "name": name } }),
        &format!("\"{name}\" is the name of a role. Choose another name for the group."),
    );
}

/// A call refused as not found with this error code; `what` names the call.
fn assert_not_found(reply: &Reply, code: &str, what: &str) {
    assert_eq!(
        reply.status,
        StatusCode::NOT_FOUND,
        "{what}: {}",
        reply.body
    );
    assert_eq!(error_code(reply), code, "{what}");
}

#[tokio::test]
async fn a_new_workspace_has_the_three_role_groups_as_seeded() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        app.create_workspace("Second Team", &ada.cookie).await.ok();

        for slug in ["acme", "second-team"] {
            let stored: Vec<(String, Option<String>, i64)> = sqlx::query_as(
                "SELECT g.name, g.role, g.flags FROM groups g
                 JOIN workspaces w ON w.id = g.workspace_id WHERE w.slug = $1 ORDER BY g.id",
            )
            .bind(slug)
            .fetch_all(&app.db)
            .await
            .unwrap();
            assert_eq!(
                stored,
                [
                    ("Admin".to_string(), Some("admin".to_string()), 1023),
                    ("Builder".to_string(), Some("builder".to_string()), 1023),
                    ("End-user".to_string(), Some("end-user".to_string()), 0),
                ],
                "{slug}"
            );
            let everything = vec![
                ("Apps", "App", "Edit"),
                ("Data sources", "DataSource", "Configure"),
                ("Workspace constants", "Constant", "Edit"),
            ];
            let expected = [
                ("Admin", "Admin", 1023, true, everything.clone()),
                ("Builder", "Builder", 1023, true, everything),
                (
                    "End-user",
                    "EndUser",
                    0,
                    false,
                    vec![("Apps", "App", "View")],
                ),
            ];
            let admin = app.session(slug, ada.cookie.clone());
            let groups = list(&admin).await;
            for (index, (name, role, flags, builder_level, rules)) in
                expected.into_iter().enumerate()
            {
                let summary = &groups[index];
                assert_eq!(summary["name"], name, "{slug}");
                assert_eq!(summary["role"], role, "{slug}");
                let opened = details(&admin, summary["id"].as_i64().unwrap()).await.ok();
                assert_eq!(opened["flags"], flags, "{slug} {name}");
                assert_eq!(opened["builder_level"], builder_level, "{slug} {name}");
                let seen: Vec<(String, String, String, Value)> = opened["rules"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|view| {
                        let rule = &view["rule"];
                        assert_eq!(rule["hide_from_dashboard"], false);
                        assert_eq!(view["resources"], json!([]));
                        (
                            rule["name"].as_str().unwrap().to_string(),
                            rule["kind"].as_str().unwrap().to_string(),
                            rule["access"].as_str().unwrap().to_string(),
                            rule["scope"].clone(),
                        )
                    })
                    .collect();
                let rules: Vec<(String, String, String, Value)> = rules
                    .into_iter()
                    .map(|(name, kind, access)| {
                        (name.into(), kind.into(), access.into(), json!("All"))
                    })
                    .collect();
                assert_eq!(seen, rules, "{slug} {name}");
            }
        }

        // Role groups come first with their members counted by role; custom groups follow
        // by name, counting their members. Archived members aren't counted.
        let bob = member(&app, "bob@example.com", Role::Builder).await;
        member(&app, "eve@example.com", Role::EndUser).await;
        let carl = member(&app, "carl@example.com", Role::EndUser).await;
        new_group(&ada, "zeta").await;
        let alpha = new_group(&ada, "Alpha").await;
        add_members(&ada, alpha, &[bob, carl], false).await.ok();
        sqlx::query("UPDATE memberships SET status = 'archived' WHERE user_id = $1")
            .bind(carl)
            .execute(&app.db)
            .await
            .unwrap();
        let summaries: Vec<(String, Value, i64)> = list(&ada)
            .await
            .as_array()
            .unwrap()
            .iter()
            .map(|group| {
                (
                    group["name"].as_str().unwrap().to_string(),
                    group["role"].clone(),
                    group["members"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            summaries,
            [
                ("Admin".to_string(), json!("Admin"), 1),
                ("Builder".to_string(), json!("Builder"), 1),
                ("End-user".to_string(), json!("EndUser"), 1),
                ("Alpha".to_string(), Value::Null, 1),
                ("zeta".to_string(), Value::Null, 0),
            ]
        );
        let admin_group = group_id(&app, "Admin").await;
        let admins = details(&ada, admin_group).await.ok()["members"].clone();
        assert_eq!(admins.as_array().unwrap().len(), 1);
        assert_eq!(admins[0]["email"], "ada@example.com");
        assert_eq!(admins[0]["role"], "Admin");
        assert_eq!(admins[0]["status"], "Active");
    })
    .await;
}

#[tokio::test]
async fn custom_groups_are_created_renamed_and_deleted_with_their_members_and_rules() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let audit_before = app.count("audit_events").await;
        let created = create(&ada, "  Support  ").await.ok();
        assert_eq!(created["name"], "Support");
        assert_eq!(created["role"], Value::Null);
        assert_eq!(created["members"], 0);
        let support = created["id"].as_i64().unwrap();
        let stored: (String, String, Option<String>, i64) =
            sqlx::query_as("SELECT name, name_key, role, flags FROM groups WHERE id = $1")
                .bind(support)
                .fetch_one(&app.db)
                .await
                .unwrap();
        assert_eq!(
            stored,
            ("Support".to_string(), "support".to_string(), None, 0)
        );
        assert!(rules_of(&app, support).await.is_empty());
        assert_eq!(
            audit_since(&app, audit_before).await,
            [event("group.created", None, "Support")]
        );

        let before = snapshot(&app).await;
        create(&ada, "   ").await.assert_refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!("GroupNameRequired"),
            "Enter a group name.",
        );
        for role_name in ["Admin", "end-user"] {
            assert_name_reserved(&create(&ada, role_name).await, role_name);
        }
        create(&ada, " SUPPORT ")
            .await
            .assert_refusal(&GROUP_NAME_TAKEN);
        assert_eq!(
            snapshot(&app).await,
            before,
            "refused names changed nothing"
        );

        // Renaming: trimmed, checked like a new name, and only for custom groups.
        rename(&ada, support, " Helpdesk ").await.ok();
        assert_eq!(details(&ada, support).await.ok()["name"], "Helpdesk");
        new_group(&ada, "Sales").await;
        let before = snapshot(&app).await;
        rename(&ada, support, "sales")
            .await
            .assert_refusal(&GROUP_NAME_TAKEN);
        assert_name_reserved(&rename(&ada, support, "Builder").await, "Builder");
        for role_group in ["Admin", "Builder", "End-user"] {
            let id = group_id(&app, role_group).await;
            rename(&ada, id, "Renamed").await.assert_refused(
                StatusCode::CONFLICT,
                json!("RoleGroupNotRenamable"),
                "The Admin, Builder and End-user groups can't be renamed.",
            );
            delete(&ada, id).await.assert_refused(
                StatusCode::CONFLICT,
                json!("RoleGroupNotDeletable"),
                "The Admin, Builder and End-user groups can't be deleted.",
            );
        }
        assert_eq!(snapshot(&app).await, before, "refusals changed nothing");

        // Deleting takes the group's members and rules with it, and leaves the resources.
        let bob = member(&app, "bob@example.com", Role::Builder).await;
        let [bug_tracker] = acme_apps(&app, ["Bug Tracker"]).await;
        add_members(&ada, support, &[bob], false).await.ok();
        add_rule(
            &ada,
            support,
            rule("Tickets", "app", "view", &[bug_tracker]),
        )
        .await;
        let tickets = rule_id(&app, support, "Tickets").await;
        let audit_before = app.count("audit_events").await;
        delete(&ada, support).await.ok();
        assert_eq!(
            app.count("groups").await,
            3 + 1,
            "the role groups and Sales"
        );
        assert!(members_of(&app, support).await.is_empty());
        assert!(rules_of(&app, support).await.is_empty());
        assert!(chosen_by(&app, tickets).await.is_empty());
        assert_eq!(app.count("resources").await, 1);
        assert_eq!(app.role_of("acme", bob).await, "builder");
        assert_eq!(
            audit_since(&app, audit_before).await,
            [event("group.deleted", None, "Helpdesk")]
        );
        details(&ada, support).await.assert_refused(
            StatusCode::NOT_FOUND,
            json!("GroupNotFound"),
            "That group doesn't exist in this workspace.",
        );
    })
    .await;
}

#[tokio::test]
async fn adding_members_is_idempotent_and_refuses_archived_members_and_role_groups() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let bob = member(&app, "bob@example.com", Role::Builder).await;
        let eve = member(&app, "eve@example.com", Role::EndUser).await;
        let frank = member(&app, "frank@example.com", Role::Builder).await;
        let (carl, _) = app
            .member_of(
                "acme",
                "carl@example.com",
                Role::Builder,
                MembershipStatus::Archived,
            )
            .await;
        // Archived in the instance but invited again here: to this workspace's admin, an
        // invited member like any other.
        let dan = member(&app, "dan@example.com", Role::Builder).await;
        app.archive_account(dan).await;
        let viewers = new_group(&ada, "Viewers").await;

        let audit_before = app.count("audit_events").await;
        add_members(&ada, viewers, &[bob, eve], false).await.ok();
        assert_eq!(members_of(&app, viewers).await, [bob, eve]);
        assert_eq!(
            app.role_of("acme", eve).await,
            "end-user",
            "no builder-level permission here"
        );
        add_members(&ada, viewers, &[bob, eve, bob], false)
            .await
            .ok();
        assert_eq!(members_of(&app, viewers).await, [bob, eve], "idempotent");
        assert_eq!(
            audit_since(&app, audit_before).await,
            [
                event("group.member_added", Some(bob), "Viewers"),
                event("group.member_added", Some(eve), "Viewers"),
            ],
            "only the first adding is recorded"
        );

        let before = snapshot(&app).await;
        for (user_ids, refusal) in [
            (vec![carl], &MEMBER_CANNOT_JOIN_GROUP),
            (vec![frank, carl], &MEMBER_CANNOT_JOIN_GROUP),
            (vec![frank, 999999], &MEMBER_NOT_FOUND),
        ] {
            add_members(&ada, viewers, &user_ids, false)
                .await
                .assert_refusal(refusal);
        }
        for role_group in ["Admin", "Builder", "End-user"] {
            let id = group_id(&app, role_group).await;
            remove_member(&ada, id, frank)
                .await
                .assert_refusal(&ROLE_GROUP_MEMBERS_BY_ROLE);
            add_members(&ada, id, &[carl], false)
                .await
                .assert_refusal(&MEMBER_CANNOT_JOIN_GROUP);
        }
        assert_eq!(snapshot(&app).await, before, "refusals changed nothing");

        // Who could still join: not archived here, not in it yet, matching the search.
        assert_eq!(
            addable(&ada, viewers, None).await,
            ["ada@example.com", "dan@example.com", "frank@example.com"]
        );
        assert_eq!(
            addable(&ada, viewers, Some(" FRA ")).await,
            ["frank@example.com"]
        );

        let audit_before = app.count("audit_events").await;
        remove_member(&ada, viewers, bob).await.ok();
        assert_eq!(members_of(&app, viewers).await, [eve]);
        assert_eq!(
            audit_since(&app, audit_before).await,
            [event("group.member_removed", Some(bob), "Viewers")]
        );
        remove_member(&ada, viewers, bob)
            .await
            .assert_refusal(&MEMBER_NOT_FOUND);
        add_members(&ada, viewers, &[dan], false).await.ok();
        assert!(members_of(&app, viewers).await.contains(&dan));
    })
    .await;
}

#[tokio::test]
async fn joining_a_role_group_changes_the_role_and_keeps_an_active_admin() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let ada_id = app.user_id("ada@example.com").await;
        let bob = member(&app, "bob@example.com", Role::Builder).await;
        let eve = member(&app, "eve@example.com", Role::EndUser).await;
        let admins = group_id(&app, "Admin").await;
        let end_users = group_id(&app, "End-user").await;

        // Who could join a role group: everyone not archived whose role is another.
        assert_eq!(
            addable(&ada, admins, None).await,
            ["bob@example.com", "eve@example.com"]
        );
        assert_eq!(
            addable(&ada, end_users, Some("bo")).await,
            ["bob@example.com"]
        );

        let audit_before = app.count("audit_events").await;
        add_members(&ada, admins, &[bob, eve], false).await.ok();
        assert_eq!(app.role_of("acme", bob).await, "admin");
        assert_eq!(app.role_of("acme", eve).await, "admin");
        assert_eq!(
            audit_since(&app, audit_before).await,
            [
                event("member.role_changed", Some(bob), "builder -> admin"),
                event("member.role_changed", Some(eve), "end-user -> admin"),
            ]
        );
        let listed = details(&ada, admins).await.ok()["members"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(listed, 3, "Ada, Bob and Eve");

        // Down to one admin again, who can't leave the role by joining another group.
        add_members(&ada, end_users, &[bob, eve], false).await.ok();
        assert_eq!(app.role_of("acme", bob).await, "end-user");
        let before = snapshot(&app).await;
        let refused = add_members(&ada, group_id(&app, "Builder").await, &[ada_id], false).await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
        assert_eq!(app.role_of("acme", ada_id).await, "admin");
        assert_eq!(snapshot(&app).await, before, "the refusal changed nothing");
    })
    .await;
}

#[tokio::test]
async fn end_users_join_a_builder_level_group_only_as_builders_with_consent() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let bob = member(&app, "bob@example.com", Role::Builder).await;
        let eve = member(&app, "eve@example.com", Role::EndUser).await;
        let erin = member(&app, "erin@example.com", Role::EndUser).await;
        let makers = new_group(&ada, "Makers").await;
        set_flag(&ada, makers, "app_create", true, false).await.ok();

        // Each end-user is listed once, however often the request names them.
        let before = snapshot(&app).await;
        let refused = add_members(&ada, makers, &[eve, bob, erin, eve], false).await;
        assert_role_change_needed(&refused, &["eve@example.com", "erin@example.com"]);
        assert_eq!(snapshot(&app).await, before, "nothing changed");
        assert_eq!(app.role_of("acme", eve).await, "end-user");

        let audit_before = app.count("audit_events").await;
        add_members(&ada, makers, &[eve, bob, erin, eve], true)
            .await
            .ok();
        assert_eq!(app.role_of("acme", eve).await, "builder");
        assert_eq!(app.role_of("acme", erin).await, "builder");
        assert_eq!(app.role_of("acme", bob).await, "builder");
        assert_eq!(members_of(&app, makers).await, [bob, eve, erin]);
        let added = |user| event("group.member_added", Some(user), "Makers");
        assert_eq!(
            audit_since(&app, audit_before).await,
            [
                promoted(eve),
                promoted(erin),
                added(eve),
                added(bob),
                added(erin),
            ]
        );
        // The users listing shows them as Builders now.
        let listed = ada.ok("users/list", &[("search", "erin")]).await;
        assert_eq!(listed["members"][0]["role"], "Builder");
    })
    .await;
}

#[tokio::test]
async fn flags_change_on_builder_and_custom_groups_and_need_consent_for_end_users() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let bob = member(&app, "bob@example.com", Role::Builder).await;
        let eve = member(&app, "eve@example.com", Role::EndUser).await;
        let admin = group_id(&app, "Admin").await;
        let builder = group_id(&app, "Builder").await;
        let end_user = group_id(&app, "End-user").await;

        let before = snapshot(&app).await;
        set_flag(&ada, admin, "app_delete", false, true)
            .await
            .assert_refusal(&ADMIN_GROUP_LOCKED);
        set_flag(&ada, end_user, "app_create", true, true)
            .await
            .assert_refusal(&END_USER_GROUP_VIEW_ONLY);
        set_flag(&ada, builder, "launch_rockets", true, true)
            .await
            .assert_refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                json!("UnknownFlag"),
                "Choose a permission: one of the flags on the Permissions tab.",
            );
        assert_eq!(snapshot(&app).await, before, "refusals changed nothing");

        set_flag(&ada, builder, "app_delete", false, false)
            .await
            .ok();
        assert_eq!(flags_of(&app, builder).await, 1023 - 2);
        assert_eq!(details(&ada, builder).await.ok()["flags"], 1021);
        set_flag(&ada, builder, "app_delete", true, false)
            .await
            .ok();
        assert_eq!(flags_of(&app, builder).await, 1023);

        // A flag is builder-level: the group's end-users need to become Builders first.
        let viewers = new_group(&ada, "Viewers").await;
        add_members(&ada, viewers, &[bob, eve], false).await.ok();
        let before = snapshot(&app).await;
        let refused = set_flag(&ada, viewers, "folder_create", true, false).await;
        assert_role_change_needed(&refused, &["eve@example.com"]);
        assert_eq!(snapshot(&app).await, before, "nothing changed");

        let audit_before = app.count("audit_events").await;
        set_flag(&ada, viewers, "folder_create", true, true)
            .await
            .ok();
        assert_eq!(flags_of(&app, viewers).await, 4);
        assert_eq!(app.role_of("acme", eve).await, "builder");
        assert_eq!(app.role_of("acme", bob).await, "builder");
        assert_eq!(members_of(&app, viewers).await, [bob, eve]);
        assert_eq!(
            audit_since(&app, audit_before).await,
            [
                promoted(eve),
                event(
                    "group.permissions_changed",
                    None,
                    "Viewers: folder_create on"
                ),
            ]
        );
        set_flag(&ada, viewers, "folder_create", false, false)
            .await
            .ok();
        assert_eq!(flags_of(&app, viewers).await, 0);
        assert_eq!(details(&ada, viewers).await.ok()["builder_level"], false);
    })
    .await;
}

#[tokio::test]
async fn granular_rules_are_checked_saved_and_deleted() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        app.admin_of_new_workspace("olga@example.com", "Other")
            .await;
        let [bug_tracker, roadmap] = acme_apps(&app, ["Bug Tracker", "Roadmap"]).await;
        let tickets_folder = app.insert_resource("acme", "folder", "Tickets", None).await;
        let payroll = app.insert_resource("other", "app", "Payroll", None).await;
        let eve = member(&app, "eve@example.com", Role::EndUser).await;
        let support = new_group(&ada, "Support").await;
        add_members(&ada, support, &[eve], false).await.ok();

        let audit_before = app.count("audit_events").await;
        let draft = rule(" Tickets ", "app", "view", &[roadmap, bug_tracker]);
        let created = save_rule(&ada, support, None, draft, false).await.ok();
        let tickets = rule_id(&app, support, "Tickets").await;
        assert_eq!(created, tickets);
        let mut sorted = vec![bug_tracker, roadmap];
        sorted.sort();
        assert_eq!(
            rules_of(&app, support).await,
            [stored("Tickets", "app", "view", &sorted)]
        );
        assert_eq!(
            audit_since(&app, audit_before).await,
            [event(
                "group.rule_saved",
                None,
                "Support: Tickets: View on chosen apps"
            )]
        );
        let opened = details(&ada, support).await.ok();
        let names: Vec<&str> = opened["rules"][0]["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|option| option["name"].as_str().unwrap())
            .collect();
        assert_eq!(names.len(), 2);
        assert!(names.contains(&"Bug Tracker") && names.contains(&"Roadmap"));
        assert_eq!(opened["builder_level"], false);

        // Refused drafts write nothing.
        let before = snapshot(&app).await;
        let hidden_edit = json!({
            "name": "Hidden", "kind": "app", "access": "edit", "hide_from_dashboard": true,
            "all": true, "resource_ids": [],
        });
        let builder = group_id(&app, "Builder").await;
        let end_user = group_id(&app, "End-user").await;
        let admin = group_id(&app, "Admin").await;
        let cases = [
            (
                support,
                None,
                rule("TICKETS", "folder", "view", &[]),
                &RULE_NAME_TAKEN,
            ),
            (support, None, hidden_edit, &HIDE_NEEDS_VIEW),
            (
                support,
                None,
                rule("Payroll", "app", "view", &[payroll]),
                &RESOURCE_NOT_FOUND,
            ),
            (
                support,
                None,
                rule("Folder as app", "app", "view", &[tickets_folder]),
                &RESOURCE_NOT_FOUND,
            ),
            (
                support,
                Some(999999),
                rule("Ghost", "app", "view", &[]),
                &RULE_NOT_FOUND,
            ),
            (
                builder,
                None,
                rule("Bug Tracker", "app", "edit", &[bug_tracker]),
                &ROLE_GROUPS_TAKE_ALL,
            ),
            (
                end_user,
                None,
                rule("Everything", "app", "edit", &[]),
                &END_USER_GROUP_VIEW_ONLY,
            ),
            (
                admin,
                None,
                rule("More", "app", "view", &[]),
                &ADMIN_GROUP_LOCKED,
            ),
        ];
        for (group, rule_id, draft, refusal) in cases {
            save_rule(&ada, group, rule_id, draft, true)
                .await
                .assert_refusal(refusal);
        }
        // Edit is builder-level: Eve needs to become a Builder first.
        let editing = rule("Tickets", "app", "edit", &[bug_tracker]);
        let refused = save_rule(&ada, support, Some(tickets), editing, false).await;
        assert_role_change_needed(&refused, &["eve@example.com"]);
        assert_eq!(snapshot(&app).await, before, "refusals changed nothing");

        let editing = rule("Ticket editing", "app", "edit", &[bug_tracker]);
        let edited = save_rule(&ada, support, Some(tickets), editing, true)
            .await
            .ok();
        assert_eq!(edited, tickets);
        assert_eq!(app.role_of("acme", eve).await, "builder");
        assert_eq!(
            rules_of(&app, support).await,
            [stored("Ticket editing", "app", "edit", &[bug_tracker])]
        );

        // Role groups take rules on all resources of a kind.
        add_rule(&ada, builder, rule("Folders", "folder", "edit", &[])).await;
        add_rule(&ada, end_user, rule("Constants", "constant", "view", &[])).await;
        let folders = rule_id(&app, builder, "Folders").await;
        let all: i64 = sqlx::query_scalar("SELECT all_resources FROM group_rules WHERE id = $1")
            .bind(folders)
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(all, 1);

        // Deleting a rule takes its chosen resources with it; only in its own group.
        let before = snapshot(&app).await;
        delete_rule(&ada, builder, tickets)
            .await
            .assert_refusal(&RULE_NOT_FOUND);
        let admin_apps = rule_id(&app, admin, "Apps").await;
        delete_rule(&ada, admin, admin_apps)
            .await
            .assert_refusal(&ADMIN_GROUP_LOCKED);
        assert_eq!(snapshot(&app).await, before);
        let audit_before = app.count("audit_events").await;
        delete_rule(&ada, support, tickets).await.ok();
        assert!(rules_of(&app, support).await.is_empty());
        assert!(chosen_by(&app, tickets).await.is_empty());
        assert_eq!(
            audit_since(&app, audit_before).await,
            [event("group.rule_deleted", None, "Support: Ticket editing")]
        );
        assert_eq!(
            delete_rule(&ada, support, tickets).await.status,
            StatusCode::NOT_FOUND
        );
        delete_rule(&ada, builder, folders).await.ok();
    })
    .await;
}

#[tokio::test]
async fn duplicating_copies_exactly_the_chosen_parts() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let [bug_tracker, roadmap] = acme_apps(&app, ["Bug Tracker", "Roadmap"]).await;
        let bob = member(&app, "bob@example.com", Role::Builder).await;
        let frank = member(&app, "frank@example.com", Role::Builder).await;
        let support = new_group(&ada, "Support").await;
        set_flag(&ada, support, "app_create", true, false)
            .await
            .ok();
        set_flag(&ada, support, "folder_create", true, false)
            .await
            .ok();
        let tickets = rule("Tickets", "app", "edit", &[bug_tracker, roadmap]);
        add_rule(&ada, support, tickets).await;
        add_rule(&ada, support, rule("Docs", "folder", "view", &[])).await;
        add_members(&ada, support, &[frank, bob], false).await.ok();
        let original_rules = rules_of(&app, support).await;
        let original_members = members_of(&app, support).await;

        let audit_before = app.count("audit_events").await;
        let copy = duplicate(&ada, support, [true, true, true], false)
            .await
            .ok();
        assert_eq!(copy["name"], "Support copy");
        assert_eq!(copy["role"], Value::Null);
        assert_eq!(copy["members"], 2);
        let copy = copy["id"].as_i64().unwrap();
        assert_eq!(flags_of(&app, copy).await, 1 + 4);
        assert_eq!(rules_of(&app, copy).await, original_rules);
        assert_eq!(members_of(&app, copy).await, original_members);
        assert_eq!(
            audit_since(&app, audit_before).await,
            [event("group.duplicated", None, "Support -> Support copy")]
        );
        let original_view = details(&ada, support).await.ok();
        let copy_view = details(&ada, copy).await.ok();
        assert_eq!(copy_view["members"], original_view["members"]);
        for field in ["rules", "members"] {
            assert_eq!(
                copy_view[field].as_array().unwrap().len(),
                original_view[field].as_array().unwrap().len()
            );
        }
        assert_eq!(
            copy_view["rules"][0]["resources"],
            original_view["rules"][0]["resources"]
        );

        // Each part alone, and numbered names.
        let cases = [
            ([false, false, false], "Support copy 2", 0, false, false),
            ([true, false, false], "Support copy 3", 0, false, true),
            ([false, true, false], "Support copy 4", 5, false, false),
            ([false, false, true], "Support copy 5", 0, true, false),
        ];
        for (parts, name, flags, rules, members) in cases {
            let summary = duplicate(&ada, support, parts, false).await.ok();
            assert_eq!(summary["name"], name);
            let id = summary["id"].as_i64().unwrap();
            assert_eq!(flags_of(&app, id).await, flags, "{name}");
            let (copied_rules, copied_members) = (
                part_copy(rules, &original_rules),
                part_copy(members, &original_members),
            );
            assert_eq!(rules_of(&app, id).await, copied_rules, "{name}");
            assert_eq!(members_of(&app, id).await, copied_members, "{name}");
        }
        // The original is untouched.
        assert_eq!(flags_of(&app, support).await, 5);
        assert_eq!(rules_of(&app, support).await, original_rules);
        assert_eq!(members_of(&app, support).await, original_members);

        // A role group's copy is a custom group.
        let builder = group_id(&app, "Builder").await;
        let builder_copy = duplicate(&ada, builder, [true, true, true], false)
            .await
            .ok();
        assert_eq!(builder_copy["name"], "Builder copy");
        let builder_copy = builder_copy["id"].as_i64().unwrap();
        let role: Option<String> = sqlx::query_scalar("SELECT role FROM groups WHERE id = $1")
            .bind(builder_copy)
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(role, None);
        assert_eq!(flags_of(&app, builder_copy).await, 1023);
        assert_eq!(members_of(&app, builder_copy).await, [bob, frank]);
    })
    .await;
}

#[tokio::test]
async fn duplicating_a_builder_level_group_with_an_end_user_needs_consent() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let acme = app.workspace_id("acme").await;
        let eve = member(&app, "eve@example.com", Role::EndUser).await;
        let makers = new_group(&ada, "Makers").await;
        set_flag(&ada, makers, "app_create", true, false).await.ok();
        // An end-user in a builder-level group: data from before the rule held (ToolJet
        // never checked duplicates), put in directly.
        sqlx::query(
            "INSERT INTO group_members (group_id, workspace_id, user_id, added_at)
             VALUES ($1, $2, $3, 0)",
        )
        .bind(makers)
        .bind(acme)
        .bind(eve)
        .execute(&app.db)
        .await
        .unwrap();

        let before = snapshot(&app).await;
        let refused = duplicate(&ada, makers, [true, true, false], false).await;
        assert_role_change_needed(&refused, &["eve@example.com"]);
        assert_eq!(snapshot(&app).await, before, "no copy, no promotion");

        // Without the flags the copy isn't builder-level: Eve stays an End-user.
        let members_only = duplicate(&ada, makers, [true, false, true], false)
            .await
            .ok();
        assert_eq!(members_only["name"], "Makers copy");
        assert_eq!(app.role_of("acme", eve).await, "end-user");

        let audit_before = app.count("audit_events").await;
        let copy = duplicate(&ada, makers, [true, true, false], true)
            .await
            .ok();
        assert_eq!(copy["name"], "Makers copy 2");
        let copy = copy["id"].as_i64().unwrap();
        assert_eq!(app.role_of("acme", eve).await, "builder");
        assert_eq!(members_of(&app, copy).await, [eve]);
        assert_eq!(flags_of(&app, copy).await, 1);
        assert_eq!(
            audit_since(&app, audit_before).await,
            [
                promoted(eve),
                event("group.duplicated", None, "Makers -> Makers copy 2"),
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn a_resources_permissions_tab_sets_access_through_a_rule_named_after_it() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let [bug_tracker, roadmap] = acme_apps(&app, ["Bug Tracker", "Roadmap"]).await;
        let bob = member(&app, "bob@example.com", Role::Builder).await;
        let support = new_group(&ada, "Support").await;
        add_members(&ada, support, &[bob], false).await.ok();
        let several = rule("Several", "app", "view", &[bug_tracker, roadmap]);
        add_rule(&ada, support, several).await;

        let before = access_of(&ada, bug_tracker, "Support").await;
        assert_eq!(before["access"], "View");
        assert_eq!(before["rules"], json!(["Several: View on chosen apps"]));

        // Edit or View: the app leaves the rules that chose it, and a rule named after it
        // grants; no access takes that rule away.
        let several_left = stored("Several", "app", "view", &[roadmap]);
        let named_after = |access| stored("Bug Tracker", "app", access, &[bug_tracker]);
        for (access, shown, rules, grants) in [
            (
                "edit",
                json!("Edit"),
                vec![several_left.clone(), named_after("edit")],
                json!(["Bug Tracker: Edit on chosen apps"]),
            ),
            (
                "view",
                json!("View"),
                vec![several_left.clone(), named_after("view")],
                json!(["Bug Tracker: View on chosen apps"]),
            ),
            ("", Value::Null, vec![several_left.clone()], json!([])),
        ] {
            set_access(&ada, bug_tracker, support, access, false)
                .await
                .ok();
            assert_eq!(rules_of(&app, support).await, rules, "{access:?}");
            let row = access_of(&ada, bug_tracker, "Support").await;
            assert_eq!(row["access"], shown, "{access:?}");
            assert_eq!(row["rules"], grants, "{access:?}");
            if access == "edit" {
                assert_eq!(row["editable"], true);
                assert_eq!(row["role"], Value::Null);
                // Role groups' rows show what their role grants, and can't be edited here.
                for (role_group, shown, grants) in [
                    ("Admin", "Edit", Some(json!(["Admins can do everything"]))),
                    ("Builder", "Edit", Some(json!(["Apps: Edit on all apps"]))),
                    ("End-user", "View", None),
                ] {
                    let row = access_of(&ada, bug_tracker, role_group).await;
                    assert_eq!(row["access"], shown, "{role_group}");
                    if let Some(grants) = grants {
                        assert_eq!(row["rules"], grants, "{role_group}");
                    }
                    assert_eq!(row["editable"], false, "{role_group}");
                }
            }
        }
        assert_eq!(
            access_of(&ada, roadmap, "Support").await["access"],
            "View",
            "the other app keeps its access"
        );

        // Role groups take rules on all apps only; Admin takes none.
        let before = snapshot(&app).await;
        for (role_group, refusal) in [
            ("Builder", &ROLE_GROUPS_TAKE_ALL),
            ("End-user", &ROLE_GROUPS_TAKE_ALL),
            ("Admin", &ADMIN_GROUP_LOCKED),
        ] {
            let id = group_id(&app, role_group).await;
            set_access(&ada, bug_tracker, id, "view", true)
                .await
                .assert_refusal(refusal);
        }
        set_access(&ada, bug_tracker, support, "own", false)
            .await
            .assert_refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                json!("UnknownAccess"),
                "Choose an access level the kind of resource takes.",
            );
        assert_eq!(snapshot(&app).await, before, "refusals changed nothing");

        // Edit for a group with an end-user needs consent, as everywhere.
        let eve = member(&app, "eve@example.com", Role::EndUser).await;
        add_members(&ada, support, &[eve], false).await.ok();
        let before_consent = snapshot(&app).await;
        let refused = set_access(&ada, bug_tracker, support, "edit", false).await;
        assert_role_change_needed(&refused, &["eve@example.com"]);
        assert_eq!(snapshot(&app).await, before_consent);
        set_access(&ada, bug_tracker, support, "edit", true)
            .await
            .ok();
        assert_eq!(app.role_of("acme", eve).await, "builder");
        assert_eq!(
            access_of(&ada, bug_tracker, "Support").await["access"],
            "Edit"
        );
    })
    .await;
}

#[tokio::test]
async fn demoting_a_builder_to_end_user_leaves_builder_level_groups_and_hands_over_their_apps() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let ada_id = app.user_id("ada@example.com").await;
        let bob = member(&app, "bob@example.com", Role::Builder).await;
        let frank = member(&app, "frank@example.com", Role::Builder).await;
        let bug_tracker = app.insert_resource("acme", "app", "Bug Tracker", Some(bob)).await;
        let roadmap = app.insert_resource("acme", "app", "Roadmap", Some(bob)).await;
        let wiki = app.insert_resource("acme", "app", "Wiki", Some(frank)).await;
        let makers = new_group(&ada, "Makers").await;
        set_flag(&ada, makers, "app_create", true, false).await.ok();
        let editors = new_group(&ada, "Editors").await;
        add_rule(&ada, editors, rule("Wiki", "app", "edit", &[wiki])).await;
        let viewers = new_group(&ada, "Viewers").await;
        add_rule(&ada, viewers, rule("Everything", "app", "view", &[])).await;
        for group in [makers, editors, viewers] {
            add_members(&ada, group, &[bob, frank], false).await.ok();
        }

        let before = snapshot(&app).await;
        let bob_id = bob.to_string();
        let preview = |role: &'static str| {
            let form = [("user_id", bob_id.as_str()), ("role", role)];
            let ada = &ada;
            async move { ada.ok("users/role-change-preview", &form).await }
        };
        assert_eq!(
            preview("end-user").await,
            json!({
                "summary": "bob@example.com will become an End-user and will no longer be able \
                            to create and edit apps, folders, workspace constants and data sources.",
                "groups_to_leave": ["Editors", "Makers"],
                "apps_to_transfer": ["Bug Tracker", "Roadmap"],
            })
        );
        let sideways = preview("admin").await;
        assert_eq!(sideways["groups_to_leave"], json!([]));
        assert_eq!(sideways["apps_to_transfer"], json!([]));
        assert_eq!(snapshot(&app).await, before, "a preview changes nothing");

        let audit_before = app.count("audit_events").await;
        ada.call_json(
            "users/update",
            json!({ "user_id": bob, "role": "end-user", "metadata": [] }),
        )
        .await
        .ok();
        assert_eq!(app.role_of("acme", bob).await, "end-user");
        assert_eq!(members_of(&app, makers).await, [frank]);
        assert_eq!(members_of(&app, editors).await, [frank]);
        assert_eq!(members_of(&app, viewers).await, [bob, frank], "view-only stays");
        assert_eq!(
            owners(&app).await,
            [
                (bug_tracker, Some(ada_id)),
                (roadmap, Some(ada_id)),
                (wiki, Some(frank))
            ]
        );
        let mut events = audit_since(&app, audit_before).await;
        events.sort();
        assert_eq!(
            events,
            [
                event("apps.transferred", Some(bob), "Bug Tracker, Roadmap"),
                event("group.member_removed", Some(bob), "Editors"),
                event("group.member_removed", Some(bob), "Makers"),
                event("member.role_changed", Some(bob), "builder -> end-user"),
            ]
        );
        // As an End-user, the app Bob no longer owns is no longer his to edit.
        let permissions = effective(&ada, bob).await;
        assert_eq!(explanation(&permissions, "Bug Tracker", "Edit")["allowed"], false);
        assert_eq!(explanation(&permissions, "Bug Tracker", "View")["allowed"], true);
    })
    .await;
}

/// Builders see every app but edit none through their role; Bob edits Bug Tracker through
/// the Editors group.
async fn editor_of_one_app(ada: &Session<'_>) -> (i64, i64) {
    let app = ada.app;
    let [bug_tracker, _wiki] = acme_apps(app, ["Bug Tracker", "Wiki"]).await;
    let builder = group_id(app, "Builder").await;
    let apps = rule_id(app, builder, "Apps").await;
    let view_only = rule("Apps", "app", "view", &[]);
    save_rule(ada, builder, Some(apps), view_only, false)
        .await
        .ok();
    let bob = member(app, "bob@example.com", Role::Builder).await;
    let editors = new_group(ada, "Editors").await;
    let editing = rule("Bug Tracker editing", "app", "edit", &[bug_tracker]);
    add_rule(ada, editors, editing).await;
    add_members(ada, editors, &[bob], false).await.ok();
    (bob, editors)
}

#[tokio::test]
async fn effective_permissions_name_the_group_and_rule_that_grant_them() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let (bob, _) = editor_of_one_app(&ada).await;
        let permissions = effective(&ada, bob).await;
        let edit = explanation(&permissions, "Bug Tracker", "Edit");
        assert_eq!(edit["allowed"], true);
        assert_eq!(
            edit["reasons"],
            json!([{ "group": "Editors", "grant": "Bug Tracker editing: Edit on chosen apps" }])
        );
        let view = explanation(&permissions, "Bug Tracker", "View");
        assert_eq!(
            view["reasons"],
            json!([
                { "group": "Builder", "grant": "Apps: View on all apps" },
                { "group": "Editors", "grant": "Bug Tracker editing: Edit on chosen apps" },
            ])
        );
        let wiki = explanation(&permissions, "Wiki", "Edit");
        assert_eq!(wiki["allowed"], false);
        assert_eq!(wiki["reasons"], json!([]));
        let delete = explanation(&permissions, "Wiki", "Delete");
        assert_eq!(
            delete["reasons"],
            json!([{ "group": "Builder", "grant": "Apps › Delete permission" }])
        );

        let admin = effective(&ada, app.user_id("ada@example.com").await).await;
        assert_eq!(
            explanation(&admin, "Wiki", "Edit")["reasons"],
            json!([{ "group": "Admin", "grant": "Admins can do everything" }])
        );
        ada.call("users/effective-permissions", &[("user_id", "999999")])
            .await
            .assert_refusal(&MEMBER_NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn leaving_a_group_takes_its_permissions_away_at_once() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let (bob, editors) = editor_of_one_app(&ada).await;
        let permissions = effective(&ada, bob).await;
        assert_eq!(
            explanation(&permissions, "Bug Tracker", "Edit")["allowed"],
            true
        );

        remove_member(&ada, editors, bob).await.ok();
        let permissions = effective(&ada, bob).await;
        let edit = explanation(&permissions, "Bug Tracker", "Edit");
        assert_eq!(edit["allowed"], false);
        assert_eq!(edit["reasons"], json!([]));
        assert_eq!(
            explanation(&permissions, "Bug Tracker", "View")["allowed"],
            true
        );

        // Taking the rule away works the same way for everyone still in the group.
        add_members(&ada, editors, &[bob], false).await.ok();
        let editing = rule_id(&app, editors, "Bug Tracker editing").await;
        delete_rule(&ada, editors, editing).await.ok();
        let permissions = effective(&ada, bob).await;
        assert_eq!(
            explanation(&permissions, "Bug Tracker", "Edit")["allowed"],
            false
        );
    })
    .await;
}

#[tokio::test]
async fn an_admin_of_another_workspace_reaches_no_group_rule_or_resource_here() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let [bug_tracker] = acme_apps(&app, ["Bug Tracker"]).await;
        let bob = member(&app, "bob@example.com", Role::Builder).await;
        let support = new_group(&ada, "Support").await;
        add_rule(
            &ada,
            support,
            rule("Tickets", "app", "view", &[bug_tracker]),
        )
        .await;
        add_members(&ada, support, &[bob], false).await.ok();
        let tickets = rule_id(&app, support, "Tickets").await;
        let acme_builder = group_id(&app, "Builder").await;

        let outsider = app
            .admin_of_new_workspace("olga@example.com", "Other")
            .await;
        let olga = app.session("other", outsider.cookie.clone());
        let olgas_group = new_group(&olga, "Olga's").await;
        let olgas_app = app
            .insert_resource("other", "app", "Olga's app", None)
            .await;

        let before = snapshot(&app).await;
        for group in [support, acme_builder] {
            let form_calls: [(&str, Vec<(&str, &str)>); 9] = [
                ("groups/details", vec![]),
                ("groups/rename", vec![("name", "Mine now")]),
                ("groups/delete", vec![]),
                (
                    "groups/duplicate",
                    vec![
                        ("users", "true"),
                        ("permissions", "true"),
                        ("granular", "true"),
                        ("allow_role_change", "true"),
                    ],
                ),
                ("groups/addable-members", vec![]),
                ("groups/remove-member", vec![("user_id", "1")]),
                (
                    "groups/set-flag",
                    vec![
                        ("flag", "app_create"),
                        ("on", "false"),
                        ("allow_role_change", "true"),
                    ],
                ),
                ("groups/delete-rule", vec![("rule_id", "1")]),
                (
                    "groups/set-resource-access",
                    vec![
                        ("resource_id", "0"),
                        ("access", ""),
                        ("allow_role_change", "true"),
                    ],
                ),
            ];
            let (own_app, acme_rule, acme_member) =
                (olgas_app.to_string(), tickets.to_string(), bob.to_string());
            for (endpoint, extra) in form_calls {
                let form: Vec<(&str, &str)> = extra
                    .into_iter()
                    .map(|(name, value)| match name {
                        "resource_id" => (name, own_app.as_str()),
                        "rule_id" => (name, acme_rule.as_str()),
                        "user_id" => (name, acme_member.as_str()),
                        _ => (name, value),
                    })
                    .collect();
                let reply = on_group(&olga, endpoint, group, &form).await;
                assert_not_found(&reply, "GroupNotFound", endpoint);
            }
            let reply = add_members(&olga, group, &[outsider.user_id], true).await;
            assert_not_found(&reply, "GroupNotFound", "groups/add-members");
            let mine = rule("Mine", "app", "edit", &[]);
            let reply = save_rule(&olga, group, Some(tickets), mine, true).await;
            assert_not_found(&reply, "GroupNotFound", "groups/save-rule");
            // Through the workspace's own address, Olga isn't let in at all.
            let olga_in_acme = app.session("acme", outsider.cookie.clone());
            let reply = details(&olga_in_acme, group).await;
            assert_not_found(&reply, "WorkspaceUnavailable", "acme's groups/details");
        }

        // Acme's resources, rules and members aren't reachable from Olga's own group.
        let bug = bug_tracker.to_string();
        let reply = olga
            .call("groups/resource-access", &[("resource_id", &bug)])
            .await;
        assert_not_found(&reply, "ResourceNotFound", "groups/resource-access");
        let reply = set_access(&olga, bug_tracker, olgas_group, "edit", true).await;
        assert_not_found(&reply, "ResourceNotFound", "groups/set-resource-access");
        let theirs = rule("Theirs", "app", "edit", &[bug_tracker]);
        let reply = save_rule(&olga, olgas_group, None, theirs, true).await;
        assert_not_found(
            &reply,
            "ResourceNotFound",
            "groups/save-rule with acme's app",
        );
        let acme_rule = rule("Tickets", "app", "edit", &[]);
        let reply = save_rule(&olga, olgas_group, Some(tickets), acme_rule, true).await;
        assert_not_found(&reply, "RuleNotFound", "groups/save-rule with acme's rule");
        let reply = delete_rule(&olga, olgas_group, tickets).await;
        assert_not_found(
            &reply,
            "RuleNotFound",
            "groups/delete-rule with acme's rule",
        );
        let reply = add_members(&olga, olgas_group, &[bob], true).await;
        assert_not_found(
            &reply,
            "MemberNotFound",
            "groups/add-members with acme's member",
        );
        let acme_member = bob.to_string();
        for (endpoint, form) in [
            (
                "users/effective-permissions",
                vec![("user_id", acme_member.as_str())],
            ),
            (
                "users/role-change-preview",
                vec![("user_id", acme_member.as_str()), ("role", "end-user")],
            ),
        ] {
            let reply = olga.call(endpoint, &form).await;
            assert_not_found(&reply, "MemberNotFound", endpoint);
        }
        let options = olga.ok("groups/resource-options", &[("kind", "app")]).await;
        assert_eq!(options, json!([{ "id": olgas_app, "name": "Olga's app" }]));
        let groups = list(&olga).await;
        assert!(
            groups
                .as_array()
                .unwrap()
                .iter()
                .all(|group| group["id"] != support && group["id"] != acme_builder)
        );
        assert_eq!(snapshot(&app).await, before, "nothing changed anywhere");
    })
    .await;
}
