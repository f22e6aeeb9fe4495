//! Groups and permissions over HTTP, on SQLite and PostgreSQL: the role groups a new
//! workspace starts with, custom groups with their members, flags and granular rules,
//! the consent needed before end-users become builders, and what members may then do.
//! Every refusal is shown to change nothing.

mod support;

use app::db::testing::on_each_backend;
use app::memberships::{MembershipStatus, Role};
use axum::http::StatusCode;
use serde_json::{Value, json};
use support::{Reply, TestApp, error_code};

/// A member of acme with a role, active; their full name is their email.
async fn member(app: &TestApp, email: &str, role: Role) -> i64 {
    member_with(app, email, role, MembershipStatus::Active).await
}

async fn member_with(app: &TestApp, email: &str, role: Role, status: MembershipStatus) -> i64 {
    let (id, _) = app.user_with_session(email).await;
    let acme = app.workspace_id("acme").await;
    app.add_member(acme, id, role, status).await;
    id
}

/// Calls a groups or users function on acme with form fields.
async fn call(app: &TestApp, cookie: &str, endpoint: &str, form: &[(&str, &str)]) -> Reply {
    let mut fields = vec![("slug", "acme")];
    fields.extend_from_slice(form);
    app.call(endpoint, &fields, Some(cookie)).await
}

fn ok(reply: Reply) -> Value {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()
}

async fn list(app: &TestApp, cookie: &str, slug: &str) -> Value {
    ok(app
        .call("groups/list", &[("slug", slug)], Some(cookie))
        .await)
}

async fn create(app: &TestApp, cookie: &str, name: &str) -> Reply {
    call(app, cookie, "groups/create", &[("name", name)]).await
}

/// A new custom group of acme, by id.
async fn new_group(app: &TestApp, cookie: &str, name: &str) -> i64 {
    ok(create(app, cookie, name).await)["id"].as_i64().unwrap()
}

async fn details(app: &TestApp, cookie: &str, group_id: i64) -> Reply {
    call(
        app,
        cookie,
        "groups/details",
        &[("group_id", &group_id.to_string())],
    )
    .await
}

async fn add_members(
    app: &TestApp,
    cookie: &str,
    group_id: i64,
    user_ids: &[i64],
    allow_role_change: bool,
) -> Reply {
    app.call_json(
        "groups/add-members",
        json!({
            "slug": "acme",
            "group_id": group_id,
            "user_ids": user_ids,
            "allow_role_change": allow_role_change,
        }),
        Some(cookie),
    )
    .await
}

async fn remove_member(app: &TestApp, cookie: &str, group_id: i64, user_id: i64) -> Reply {
    call(
        app,
        cookie,
        "groups/remove-member",
        &[
            ("group_id", &group_id.to_string()),
            ("user_id", &user_id.to_string()),
        ],
    )
    .await
}

async fn set_flag(
    app: &TestApp,
    cookie: &str,
    group_id: i64,
    flag: &str,
    on: bool,
    allow_role_change: bool,
) -> Reply {
    call(
        app,
        cookie,
        "groups/set-flag",
        &[
            ("group_id", &group_id.to_string()),
            ("flag", flag),
            ("on", &on.to_string()),
            ("allow_role_change", &allow_role_change.to_string()),
        ],
    )
    .await
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
    app: &TestApp,
    cookie: &str,
    group_id: i64,
    rule_id: Option<i64>,
    rule: Value,
    allow_role_change: bool,
) -> Reply {
    app.call_json(
        "groups/save-rule",
        json!({
            "slug": "acme",
            "group_id": group_id,
            "rule_id": rule_id,
            "rule": rule,
            "allow_role_change": allow_role_change,
        }),
        Some(cookie),
    )
    .await
}

async fn delete_rule(app: &TestApp, cookie: &str, group_id: i64, rule_id: i64) -> Reply {
    call(
        app,
        cookie,
        "groups/delete-rule",
        &[
            ("group_id", &group_id.to_string()),
            ("rule_id", &rule_id.to_string()),
        ],
    )
    .await
}

async fn duplicate(
    app: &TestApp,
    cookie: &str,
    group_id: i64,
    [users, permissions, granular]: [bool; 3],
    allow_role_change: bool,
) -> Reply {
    call(
        app,
        cookie,
        "groups/duplicate",
        &[
            ("group_id", &group_id.to_string()),
            ("users", &users.to_string()),
            ("permissions", &permissions.to_string()),
            ("granular", &granular.to_string()),
            ("allow_role_change", &allow_role_change.to_string()),
        ],
    )
    .await
}

async fn set_access(
    app: &TestApp,
    cookie: &str,
    resource_id: i64,
    group_id: i64,
    access: &str,
    allow_role_change: bool,
) -> Reply {
    call(
        app,
        cookie,
        "groups/set-resource-access",
        &[
            ("resource_id", &resource_id.to_string()),
            ("group_id", &group_id.to_string()),
            ("access", access),
            ("allow_role_change", &allow_role_change.to_string()),
        ],
    )
    .await
}

/// What the resource's Permissions tab shows for one group.
async fn access_of(app: &TestApp, cookie: &str, resource_id: i64, group: &str) -> Value {
    let table = ok(call(
        app,
        cookie,
        "groups/resource-access",
        &[("resource_id", &resource_id.to_string())],
    )
    .await);
    table
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["group_name"] == group)
        .unwrap_or_else(|| panic!("{group} in {table}"))
        .clone()
}

async fn effective(app: &TestApp, cookie: &str, user_id: i64) -> Value {
    ok(call(
        app,
        cookie,
        "users/effective-permissions",
        &[("user_id", &user_id.to_string())],
    )
    .await)
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

/// A resource put straight into the database.
async fn resource(
    app: &TestApp,
    workspace_id: i64,
    kind: &str,
    name: &str,
    owner: Option<i64>,
) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO resources
            (workspace_id, kind, name, name_key, owner_user_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 0, 0) RETURNING id",
    )
    .bind(workspace_id)
    .bind(kind)
    .bind(name)
    .bind(name.to_lowercase())
    .bind(owner)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

async fn group_id(app: &TestApp, slug: &str, name: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT g.id FROM groups g JOIN workspaces w ON w.id = g.workspace_id
         WHERE w.slug = $1 AND g.name = $2",
    )
    .bind(slug)
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

async fn role_of(app: &TestApp, user_id: i64) -> String {
    sqlx::query_scalar(
        "SELECT m.role FROM memberships m JOIN workspaces w ON w.id = m.workspace_id
         WHERE w.slug = 'acme' AND m.user_id = $1",
    )
    .bind(user_id)
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

/// A group's rules as (name, kind, access, hidden, chosen resources; empty for all).
async fn rules_of(app: &TestApp, group_id: i64) -> Vec<(String, String, String, i64, Vec<i64>)> {
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
        let chosen: Vec<i64> = sqlx::query_scalar(
            "SELECT resource_id FROM group_rule_resources WHERE rule_id = $1 ORDER BY resource_id",
        )
        .bind(id)
        .fetch_all(&app.db)
        .await
        .unwrap();
        described.push((name, kind, access, hidden, chosen));
    }
    described
}

/// Audit events after the first `skip`, as (action, target user, detail).
async fn audit_since(app: &TestApp, skip: i64) -> Vec<(String, Option<i64>, String)> {
    sqlx::query_as(
        "SELECT action, target_user_id, detail FROM audit_events ORDER BY id LIMIT 1000 OFFSET $1",
    )
    .bind(skip)
    .fetch_all(&app.db)
    .await
    .unwrap()
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
    let owners: Vec<(i64, Option<i64>)> =
        sqlx::query_as("SELECT id, owner_user_id FROM resources ORDER BY id")
            .fetch_all(&app.db)
            .await
            .unwrap();
    rows.extend(owners.iter().map(|row| format!("resource {row:?}")));
    rows.push(format!("audit events: {}", app.count("audit_events").await));
    rows
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

fn assert_refused(reply: &Reply, status: StatusCode, code: Value, message: &str) {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(error_code(reply), code, "{}", reply.body);
    assert_eq!(reply.json()["message"], message);
}

#[tokio::test]
async fn a_new_workspace_has_the_three_role_groups_as_seeded() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let created = app
            .call("workspaces/create", &[("name", "Second Team")], Some(&ada))
            .await;
        assert_eq!(created.status, StatusCode::OK, "{}", created.body);

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
            let groups = list(&app, &ada, slug).await;
            for (index, (name, role, flags, builder_level, rules)) in
                expected.into_iter().enumerate()
            {
                let summary = &groups[index];
                assert_eq!(summary["name"], name, "{slug}");
                assert_eq!(summary["role"], role, "{slug}");
                let opened = ok(app
                    .call(
                        "groups/details",
                        &[("slug", slug), ("group_id", &summary["id"].to_string())],
                        Some(&ada),
                    )
                    .await);
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
        new_group(&app, &ada, "zeta").await;
        let alpha = new_group(&app, &ada, "Alpha").await;
        ok(add_members(&app, &ada, alpha, &[bob, carl], false).await);
        sqlx::query("UPDATE memberships SET status = 'archived' WHERE user_id = $1")
            .bind(carl)
            .execute(&app.db)
            .await
            .unwrap();
        let summaries: Vec<(String, Value, i64)> = list(&app, &ada, "acme")
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
        let admin_group = group_id(&app, "acme", "Admin").await;
        let admins = ok(details(&app, &ada, admin_group).await)["members"].clone();
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
        let ada = app.set_up().await;
        let acme = app.workspace_id("acme").await;
        let audit_before = app.count("audit_events").await;
        let created = ok(create(&app, &ada, "  Support  ").await);
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
            [("group.created".to_string(), None, "Support".to_string())]
        );

        let before = snapshot(&app).await;
        let refusals = [
            (
                "   ",
                StatusCode::UNPROCESSABLE_ENTITY,
                json!("GroupNameRequired"),
                "Enter a group name.".to_string(),
            ),
            (
                "Admin",
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({ "GroupNameReserved": { "name": "Admin" } }),
                "\"Admin\" is the name of a role. Choose another name for the group.".to_string(),
            ),
            (
                "end-user",
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({ "GroupNameReserved": { "name": "end-user" } }),
                "\"end-user\" is the name of a role. Choose another name for the group."
                    .to_string(),
            ),
            (
                " SUPPORT ",
                StatusCode::CONFLICT,
                json!("GroupNameTaken"),
                "A group with this name already exists in this workspace.".to_string(),
            ),
        ];
        for (name, status, code, message) in refusals {
            assert_refused(&create(&app, &ada, name).await, status, code, &message);
        }
        assert_eq!(
            snapshot(&app).await,
            before,
            "refused names changed nothing"
        );

        // Renaming: trimmed, checked like a new name, and only for custom groups.
        let rename = |group: i64, name: &'static str| {
            let (app, ada) = (&app, &ada);
            async move {
                call(
                    app,
                    ada,
                    "groups/rename",
                    &[("group_id", &group.to_string()), ("name", name)],
                )
                .await
            }
        };
        ok(rename(support, " Helpdesk ").await);
        assert_eq!(ok(details(&app, &ada, support).await)["name"], "Helpdesk");
        new_group(&app, &ada, "Sales").await;
        let before = snapshot(&app).await;
        assert_refused(
            &rename(support, "sales").await,
            StatusCode::CONFLICT,
            json!("GroupNameTaken"),
            "A group with this name already exists in this workspace.",
        );
        assert_refused(
            &rename(support, "Builder").await,
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({ "GroupNameReserved": { "name": "Builder" } }),
            "\"Builder\" is the name of a role. Choose another name for the group.",
        );
        for role_group in ["Admin", "Builder", "End-user"] {
            let id = group_id(&app, "acme", role_group).await;
            assert_refused(
                &rename(id, "Renamed").await,
                StatusCode::CONFLICT,
                json!("RoleGroupNotRenamable"),
                "The Admin, Builder and End-user groups can't be renamed.",
            );
            assert_refused(
                &call(
                    &app,
                    &ada,
                    "groups/delete",
                    &[("group_id", &id.to_string())],
                )
                .await,
                StatusCode::CONFLICT,
                json!("RoleGroupNotDeletable"),
                "The Admin, Builder and End-user groups can't be deleted.",
            );
        }
        assert_eq!(snapshot(&app).await, before, "refusals changed nothing");

        // Deleting takes the group's members and rules with it, and leaves the resources.
        let bob = member(&app, "bob@example.com", Role::Builder).await;
        let bug_tracker = resource(&app, acme, "app", "Bug Tracker", None).await;
        ok(add_members(&app, &ada, support, &[bob], false).await);
        ok(save_rule(
            &app,
            &ada,
            support,
            None,
            rule("Tickets", "app", "view", &[bug_tracker]),
            false,
        )
        .await);
        let tickets = rule_id(&app, support, "Tickets").await;
        let audit_before = app.count("audit_events").await;
        ok(call(
            &app,
            &ada,
            "groups/delete",
            &[("group_id", &support.to_string())],
        )
        .await);
        assert_eq!(
            app.count("groups").await,
            3 + 1,
            "the role groups and Sales"
        );
        assert!(members_of(&app, support).await.is_empty());
        assert!(rules_of(&app, support).await.is_empty());
        let chosen: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM group_rule_resources WHERE rule_id = $1")
                .bind(tickets)
                .fetch_one(&app.db)
                .await
                .unwrap();
        assert_eq!(chosen, 0);
        assert_eq!(app.count("resources").await, 1);
        assert_eq!(role_of(&app, bob).await, "builder");
        assert_eq!(
            audit_since(&app, audit_before).await,
            [("group.deleted".to_string(), None, "Helpdesk".to_string())]
        );
        let gone = details(&app, &ada, support).await;
        assert_refused(
            &gone,
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
        let ada = app.set_up().await;
        let bob = member(&app, "bob@example.com", Role::Builder).await;
        let eve = member(&app, "eve@example.com", Role::EndUser).await;
        let frank = member(&app, "frank@example.com", Role::Builder).await;
        let carl = member_with(
            &app,
            "carl@example.com",
            Role::Builder,
            MembershipStatus::Archived,
        )
        .await;
        let dan = member(&app, "dan@example.com", Role::Builder).await;
        sqlx::query("UPDATE users SET status = 'archived' WHERE id = $1")
            .bind(dan)
            .execute(&app.db)
            .await
            .unwrap();
        let viewers = new_group(&app, &ada, "Viewers").await;

        let audit_before = app.count("audit_events").await;
        ok(add_members(&app, &ada, viewers, &[bob, eve], false).await);
        assert_eq!(members_of(&app, viewers).await, [bob, eve]);
        assert_eq!(
            role_of(&app, eve).await,
            "end-user",
            "no builder-level permission here"
        );
        ok(add_members(&app, &ada, viewers, &[bob, eve, bob], false).await);
        assert_eq!(members_of(&app, viewers).await, [bob, eve], "idempotent");
        assert_eq!(
            audit_since(&app, audit_before).await,
            [
                (
                    "group.member_added".to_string(),
                    Some(bob),
                    "Viewers".to_string()
                ),
                (
                    "group.member_added".to_string(),
                    Some(eve),
                    "Viewers".to_string()
                ),
            ],
            "only the first adding is recorded"
        );

        let before = snapshot(&app).await;
        for (user_ids, status, code, message) in [
            (
                vec![carl],
                StatusCode::CONFLICT,
                json!("MemberCannotJoinGroup"),
                "Archived and removed members can't be added to groups.",
            ),
            (
                vec![frank, dan],
                StatusCode::CONFLICT,
                json!("MemberCannotJoinGroup"),
                "Archived and removed members can't be added to groups.",
            ),
            (
                vec![frank, 999999],
                StatusCode::NOT_FOUND,
                json!("MemberNotFound"),
                "That user isn't a member of this workspace.",
            ),
        ] {
            let reply = add_members(&app, &ada, viewers, &user_ids, false).await;
            assert_refused(&reply, status, code, message);
        }
        for role_group in ["Admin", "Builder", "End-user"] {
            let id = group_id(&app, "acme", role_group).await;
            let by_role = json!("RoleGroupMembersByRole");
            let message = "Members join the Admin, Builder and End-user groups through their \
                           role. Change the user's role instead.";
            assert_refused(
                &add_members(&app, &ada, id, &[frank], true).await,
                StatusCode::CONFLICT,
                by_role.clone(),
                message,
            );
            assert_refused(
                &remove_member(&app, &ada, id, frank).await,
                StatusCode::CONFLICT,
                by_role.clone(),
                message,
            );
            assert_refused(
                &call(
                    &app,
                    &ada,
                    "groups/addable-members",
                    &[("group_id", &id.to_string())],
                )
                .await,
                StatusCode::CONFLICT,
                by_role,
                message,
            );
        }
        assert_eq!(snapshot(&app).await, before, "refusals changed nothing");

        // Who could still join: not archived, not in it yet, matching the search.
        let addable = |search: Option<&'static str>| {
            let (app, ada) = (&app, &ada);
            async move {
                let group = viewers.to_string();
                let mut form = vec![("group_id", group.as_str())];
                form.extend(search.map(|search| ("search", search)));
                let found = ok(call(app, ada, "groups/addable-members", &form).await);
                found
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|member| member["email"].as_str().unwrap().to_string())
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(
            addable(None).await,
            ["ada@example.com", "frank@example.com"]
        );
        assert_eq!(addable(Some(" FRA ")).await, ["frank@example.com"]);

        let audit_before = app.count("audit_events").await;
        ok(remove_member(&app, &ada, viewers, bob).await);
        assert_eq!(members_of(&app, viewers).await, [eve]);
        assert_eq!(
            audit_since(&app, audit_before).await,
            [(
                "group.member_removed".to_string(),
                Some(bob),
                "Viewers".to_string()
            )]
        );
        assert_refused(
            &remove_member(&app, &ada, viewers, bob).await,
            StatusCode::NOT_FOUND,
            json!("MemberNotFound"),
            "That user isn't a member of this workspace.",
        );
    })
    .await;
}

#[tokio::test]
async fn end_users_join_a_builder_level_group_only_as_builders_with_consent() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let bob = member(&app, "bob@example.com", Role::Builder).await;
        let eve = member(&app, "eve@example.com", Role::EndUser).await;
        let erin = member(&app, "erin@example.com", Role::EndUser).await;
        let makers = new_group(&app, &ada, "Makers").await;
        ok(set_flag(&app, &ada, makers, "app_create", true, false).await);

        // Each end-user is listed once, however often the request names them.
        let before = snapshot(&app).await;
        let refused = add_members(&app, &ada, makers, &[eve, bob, erin, eve], false).await;
        assert_role_change_needed(&refused, &["eve@example.com", "erin@example.com"]);
        assert_eq!(snapshot(&app).await, before, "nothing changed");
        assert_eq!(role_of(&app, eve).await, "end-user");

        let audit_before = app.count("audit_events").await;
        ok(add_members(&app, &ada, makers, &[eve, bob, erin, eve], true).await);
        assert_eq!(role_of(&app, eve).await, "builder");
        assert_eq!(role_of(&app, erin).await, "builder");
        assert_eq!(role_of(&app, bob).await, "builder");
        assert_eq!(members_of(&app, makers).await, [bob, eve, erin]);
        let promoted = "end-user -> builder".to_string();
        let added = |user| {
            (
                "group.member_added".to_string(),
                Some(user),
                "Makers".to_string(),
            )
        };
        assert_eq!(
            audit_since(&app, audit_before).await,
            [
                (
                    "member.role_changed".to_string(),
                    Some(eve),
                    promoted.clone()
                ),
                ("member.role_changed".to_string(), Some(erin), promoted),
                added(eve),
                added(bob),
                added(erin),
            ]
        );
        // The users listing shows them as Builders now.
        let listed = ok(app
            .call(
                "users/list",
                &[("slug", "acme"), ("search", "erin")],
                Some(&ada),
            )
            .await);
        assert_eq!(listed["members"][0]["role"], "Builder");
    })
    .await;
}

#[tokio::test]
async fn flags_change_on_builder_and_custom_groups_and_need_consent_for_end_users() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let bob = member(&app, "bob@example.com", Role::Builder).await;
        let eve = member(&app, "eve@example.com", Role::EndUser).await;
        let admin = group_id(&app, "acme", "Admin").await;
        let builder = group_id(&app, "acme", "Builder").await;
        let end_user = group_id(&app, "acme", "End-user").await;

        let before = snapshot(&app).await;
        assert_refused(
            &set_flag(&app, &ada, admin, "app_delete", false, true).await,
            StatusCode::CONFLICT,
            json!("AdminGroupLocked"),
            "Admin has all permissions. This is not editable.",
        );
        assert_refused(
            &set_flag(&app, &ada, end_user, "app_create", true, true).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            json!("EndUserGroupViewOnly"),
            "End-users can only be given View access to apps, folders and workspace constants.",
        );
        assert_refused(
            &set_flag(&app, &ada, builder, "launch_rockets", true, true).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            json!("UnknownFlag"),
            "Choose a permission: one of the flags on the Permissions tab.",
        );
        assert_eq!(snapshot(&app).await, before, "refusals changed nothing");

        ok(set_flag(&app, &ada, builder, "app_delete", false, false).await);
        assert_eq!(flags_of(&app, builder).await, 1023 - 2);
        assert_eq!(ok(details(&app, &ada, builder).await)["flags"], 1021);
        ok(set_flag(&app, &ada, builder, "app_delete", true, false).await);
        assert_eq!(flags_of(&app, builder).await, 1023);

        // A flag is builder-level: the group's end-users need to become Builders first.
        let viewers = new_group(&app, &ada, "Viewers").await;
        ok(add_members(&app, &ada, viewers, &[bob, eve], false).await);
        let before = snapshot(&app).await;
        let refused = set_flag(&app, &ada, viewers, "folder_create", true, false).await;
        assert_role_change_needed(&refused, &["eve@example.com"]);
        assert_eq!(snapshot(&app).await, before, "nothing changed");

        let audit_before = app.count("audit_events").await;
        ok(set_flag(&app, &ada, viewers, "folder_create", true, true).await);
        assert_eq!(flags_of(&app, viewers).await, 4);
        assert_eq!(role_of(&app, eve).await, "builder");
        assert_eq!(role_of(&app, bob).await, "builder");
        assert_eq!(members_of(&app, viewers).await, [bob, eve]);
        assert_eq!(
            audit_since(&app, audit_before).await,
            [
                (
                    "member.role_changed".to_string(),
                    Some(eve),
                    "end-user -> builder".to_string()
                ),
                (
                    "group.permissions_changed".to_string(),
                    None,
                    "Viewers: folder_create on".to_string()
                ),
            ]
        );
        ok(set_flag(&app, &ada, viewers, "folder_create", false, false).await);
        assert_eq!(flags_of(&app, viewers).await, 0);
        assert_eq!(
            ok(details(&app, &ada, viewers).await)["builder_level"],
            false
        );
    })
    .await;
}

#[tokio::test]
async fn granular_rules_are_checked_saved_and_deleted() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let acme = app.workspace_id("acme").await;
        let (olga, _) = app.user_with_session("olga@example.com").await;
        let mut conn = app.db.acquire().await.unwrap();
        let other = app::workspaces::store::create_with_admin(&mut conn, "Other", olga)
            .await
            .unwrap();
        drop(conn);
        let bug_tracker = resource(&app, acme, "app", "Bug Tracker", None).await;
        let roadmap = resource(&app, acme, "app", "Roadmap", None).await;
        let tickets_folder = resource(&app, acme, "folder", "Tickets", None).await;
        let payroll = resource(&app, other.id, "app", "Payroll", None).await;
        let eve = member(&app, "eve@example.com", Role::EndUser).await;
        let support = new_group(&app, &ada, "Support").await;
        ok(add_members(&app, &ada, support, &[eve], false).await);

        let audit_before = app.count("audit_events").await;
        let created = ok(save_rule(
            &app,
            &ada,
            support,
            None,
            rule(" Tickets ", "app", "view", &[roadmap, bug_tracker]),
            false,
        )
        .await);
        let tickets = rule_id(&app, support, "Tickets").await;
        assert_eq!(created, tickets);
        let mut sorted = vec![bug_tracker, roadmap];
        sorted.sort();
        assert_eq!(
            rules_of(&app, support).await,
            [(
                "Tickets".to_string(),
                "app".to_string(),
                "view".to_string(),
                0,
                sorted.clone()
            )]
        );
        assert_eq!(
            audit_since(&app, audit_before).await,
            [(
                "group.rule_saved".to_string(),
                None,
                "Support: Tickets: View on chosen apps".to_string()
            )]
        );
        let opened = ok(details(&app, &ada, support).await);
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
        let builder = group_id(&app, "acme", "Builder").await;
        let end_user = group_id(&app, "acme", "End-user").await;
        let admin = group_id(&app, "acme", "Admin").await;
        let cases = [
            (
                support,
                None,
                rule("TICKETS", "folder", "view", &[]),
                StatusCode::CONFLICT,
                json!("RuleNameTaken"),
                "A permission with this name already exists in this group.",
            ),
            (
                support,
                None,
                hidden_edit,
                StatusCode::UNPROCESSABLE_ENTITY,
                json!("HideNeedsView"),
                "Only View access to apps can hide them from the dashboard.",
            ),
            (
                support,
                None,
                rule("Payroll", "app", "view", &[payroll]),
                StatusCode::NOT_FOUND,
                json!("ResourceNotFound"),
                "That resource doesn't exist in this workspace, or you can't see it.",
            ),
            (
                support,
                None,
                rule("Folder as app", "app", "view", &[tickets_folder]),
                StatusCode::NOT_FOUND,
                json!("ResourceNotFound"),
                "That resource doesn't exist in this workspace, or you can't see it.",
            ),
            (
                support,
                Some(999999),
                rule("Ghost", "app", "view", &[]),
                StatusCode::NOT_FOUND,
                json!("RuleNotFound"),
                "That permission doesn't exist in this workspace.",
            ),
            (
                builder,
                None,
                rule("Bug Tracker", "app", "edit", &[bug_tracker]),
                StatusCode::UNPROCESSABLE_ENTITY,
                json!("RoleGroupsTakeAll"),
                "The Admin, Builder and End-user groups only take permissions on all \
                 resources of a kind.",
            ),
            (
                end_user,
                None,
                rule("Everything", "app", "edit", &[]),
                StatusCode::UNPROCESSABLE_ENTITY,
                json!("EndUserGroupViewOnly"),
                "End-users can only be given View access to apps, folders and workspace \
                 constants.",
            ),
            (
                admin,
                None,
                rule("More", "app", "view", &[]),
                StatusCode::CONFLICT,
                json!("AdminGroupLocked"),
                "Admin has all permissions. This is not editable.",
            ),
        ];
        for (group, rule_id, draft, status, code, message) in cases {
            let reply = save_rule(&app, &ada, group, rule_id, draft, true).await;
            assert_refused(&reply, status, code, message);
        }
        // Edit is builder-level: Eve needs to become a Builder first.
        let refused = save_rule(
            &app,
            &ada,
            support,
            Some(tickets),
            rule("Tickets", "app", "edit", &[bug_tracker]),
            false,
        )
        .await;
        assert_role_change_needed(&refused, &["eve@example.com"]);
        assert_eq!(snapshot(&app).await, before, "refusals changed nothing");

        let edited = ok(save_rule(
            &app,
            &ada,
            support,
            Some(tickets),
            rule("Ticket editing", "app", "edit", &[bug_tracker]),
            true,
        )
        .await);
        assert_eq!(edited, tickets);
        assert_eq!(role_of(&app, eve).await, "builder");
        assert_eq!(
            rules_of(&app, support).await,
            [(
                "Ticket editing".to_string(),
                "app".to_string(),
                "edit".to_string(),
                0,
                vec![bug_tracker]
            )]
        );

        // Role groups take rules on all resources of a kind.
        ok(save_rule(
            &app,
            &ada,
            builder,
            None,
            rule("Folders", "folder", "edit", &[]),
            false,
        )
        .await);
        ok(save_rule(
            &app,
            &ada,
            end_user,
            None,
            rule("Constants", "constant", "view", &[]),
            false,
        )
        .await);
        let folders = rule_id(&app, builder, "Folders").await;
        let all: i64 = sqlx::query_scalar("SELECT all_resources FROM group_rules WHERE id = $1")
            .bind(folders)
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(all, 1);

        // Deleting a rule takes its chosen resources with it; only in its own group.
        let before = snapshot(&app).await;
        assert_refused(
            &delete_rule(&app, &ada, builder, tickets).await,
            StatusCode::NOT_FOUND,
            json!("RuleNotFound"),
            "That permission doesn't exist in this workspace.",
        );
        let admin_apps = rule_id(&app, admin, "Apps").await;
        assert_refused(
            &delete_rule(&app, &ada, admin, admin_apps).await,
            StatusCode::CONFLICT,
            json!("AdminGroupLocked"),
            "Admin has all permissions. This is not editable.",
        );
        assert_eq!(snapshot(&app).await, before);
        let audit_before = app.count("audit_events").await;
        ok(delete_rule(&app, &ada, support, tickets).await);
        assert!(rules_of(&app, support).await.is_empty());
        let chosen: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM group_rule_resources WHERE rule_id = $1")
                .bind(tickets)
                .fetch_one(&app.db)
                .await
                .unwrap();
        assert_eq!(chosen, 0);
        assert_eq!(
            audit_since(&app, audit_before).await,
            [(
                "group.rule_deleted".to_string(),
                None,
                "Support: Ticket editing".to_string()
            )]
        );
        assert_eq!(
            delete_rule(&app, &ada, support, tickets).await.status,
            StatusCode::NOT_FOUND
        );
        ok(delete_rule(&app, &ada, builder, folders).await);
    })
    .await;
}

#[tokio::test]
async fn duplicating_copies_exactly_the_chosen_parts() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let acme = app.workspace_id("acme").await;
        let bug_tracker = resource(&app, acme, "app", "Bug Tracker", None).await;
        let roadmap = resource(&app, acme, "app", "Roadmap", None).await;
        let bob = member(&app, "bob@example.com", Role::Builder).await;
        let frank = member(&app, "frank@example.com", Role::Builder).await;
        let support = new_group(&app, &ada, "Support").await;
        ok(set_flag(&app, &ada, support, "app_create", true, false).await);
        ok(set_flag(&app, &ada, support, "folder_create", true, false).await);
        ok(save_rule(
            &app,
            &ada,
            support,
            None,
            rule("Tickets", "app", "edit", &[bug_tracker, roadmap]),
            false,
        )
        .await);
        ok(save_rule(
            &app,
            &ada,
            support,
            None,
            rule("Docs", "folder", "view", &[]),
            false,
        )
        .await);
        ok(add_members(&app, &ada, support, &[frank, bob], false).await);
        let original_rules = rules_of(&app, support).await;
        let original_members = members_of(&app, support).await;

        let audit_before = app.count("audit_events").await;
        let copy = ok(duplicate(&app, &ada, support, [true, true, true], false).await);
        assert_eq!(copy["name"], "Support copy");
        assert_eq!(copy["role"], Value::Null);
        assert_eq!(copy["members"], 2);
        let copy = copy["id"].as_i64().unwrap();
        assert_eq!(flags_of(&app, copy).await, 1 + 4);
        assert_eq!(rules_of(&app, copy).await, original_rules);
        assert_eq!(members_of(&app, copy).await, original_members);
        assert_eq!(
            audit_since(&app, audit_before).await,
            [(
                "group.duplicated".to_string(),
                None,
                "Support -> Support copy".to_string()
            )]
        );
        let (original_view, copy_view) = (
            ok(details(&app, &ada, support).await),
            ok(details(&app, &ada, copy).await),
        );
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
            let summary = ok(duplicate(&app, &ada, support, parts, false).await);
            assert_eq!(summary["name"], name);
            let id = summary["id"].as_i64().unwrap();
            assert_eq!(flags_of(&app, id).await, flags, "{name}");
            assert_eq!(
                rules_of(&app, id).await,
                if rules {
                    original_rules.clone()
                } else {
                    Vec::new()
                },
                "{name}"
            );
            assert_eq!(
                members_of(&app, id).await,
                if members {
                    original_members.clone()
                } else {
                    Vec::new()
                },
                "{name}"
            );
        }
        // The original is untouched.
        assert_eq!(flags_of(&app, support).await, 5);
        assert_eq!(rules_of(&app, support).await, original_rules);
        assert_eq!(members_of(&app, support).await, original_members);

        // A role group's copy is a custom group.
        let builder = group_id(&app, "acme", "Builder").await;
        let builder_copy = ok(duplicate(&app, &ada, builder, [true, true, true], false).await);
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
        let ada = app.set_up().await;
        let acme = app.workspace_id("acme").await;
        let eve = member(&app, "eve@example.com", Role::EndUser).await;
        let makers = new_group(&app, &ada, "Makers").await;
        ok(set_flag(&app, &ada, makers, "app_create", true, false).await);
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
        let refused = duplicate(&app, &ada, makers, [true, true, false], false).await;
        assert_role_change_needed(&refused, &["eve@example.com"]);
        assert_eq!(snapshot(&app).await, before, "no copy, no promotion");

        // Without the flags the copy isn't builder-level: Eve stays an End-user.
        let members_only = ok(duplicate(&app, &ada, makers, [true, false, true], false).await);
        assert_eq!(members_only["name"], "Makers copy");
        assert_eq!(role_of(&app, eve).await, "end-user");

        let audit_before = app.count("audit_events").await;
        let copy = ok(duplicate(&app, &ada, makers, [true, true, false], true).await);
        assert_eq!(copy["name"], "Makers copy 2");
        let copy = copy["id"].as_i64().unwrap();
        assert_eq!(role_of(&app, eve).await, "builder");
        assert_eq!(members_of(&app, copy).await, [eve]);
        assert_eq!(flags_of(&app, copy).await, 1);
        assert_eq!(
            audit_since(&app, audit_before).await,
            [
                (
                    "member.role_changed".to_string(),
                    Some(eve),
                    "end-user -> builder".to_string()
                ),
                (
                    "group.duplicated".to_string(),
                    None,
                    "Makers -> Makers copy 2".to_string()
                ),
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn a_resources_permissions_tab_sets_access_through_a_rule_named_after_it() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let acme = app.workspace_id("acme").await;
        let bug_tracker = resource(&app, acme, "app", "Bug Tracker", None).await;
        let roadmap = resource(&app, acme, "app", "Roadmap", None).await;
        let bob = member(&app, "bob@example.com", Role::Builder).await;
        let support = new_group(&app, &ada, "Support").await;
        ok(add_members(&app, &ada, support, &[bob], false).await);
        ok(save_rule(
            &app,
            &ada,
            support,
            None,
            rule("Several", "app", "view", &[bug_tracker, roadmap]),
            false,
        )
        .await);

        let before = access_of(&app, &ada, bug_tracker, "Support").await;
        assert_eq!(before["access"], "View");
        assert_eq!(before["rules"], json!(["Several: View on chosen apps"]));

        // Edit: the app leaves the rules that chose it, and a rule named after it grants.
        ok(set_access(&app, &ada, bug_tracker, support, "edit", false).await);
        assert_eq!(
            rules_of(&app, support).await,
            [
                (
                    "Several".to_string(),
                    "app".to_string(),
                    "view".to_string(),
                    0,
                    vec![roadmap]
                ),
                (
                    "Bug Tracker".to_string(),
                    "app".to_string(),
                    "edit".to_string(),
                    0,
                    vec![bug_tracker]
                ),
            ]
        );
        let row = access_of(&app, &ada, bug_tracker, "Support").await;
        assert_eq!(row["access"], "Edit");
        assert_eq!(row["rules"], json!(["Bug Tracker: Edit on chosen apps"]));
        assert_eq!(row["editable"], true);
        assert_eq!(row["role"], Value::Null);
        let admin = access_of(&app, &ada, bug_tracker, "Admin").await;
        assert_eq!(admin["access"], "Edit");
        assert_eq!(admin["rules"], json!(["Admins can do everything"]));
        assert_eq!(admin["editable"], false);
        let builders = access_of(&app, &ada, bug_tracker, "Builder").await;
        assert_eq!(builders["access"], "Edit");
        assert_eq!(builders["rules"], json!(["Apps: Edit on all apps"]));
        assert_eq!(builders["editable"], false);
        let end_users = access_of(&app, &ada, bug_tracker, "End-user").await;
        assert_eq!(end_users["access"], "View");
        assert_eq!(end_users["editable"], false);

        ok(set_access(&app, &ada, bug_tracker, support, "view", false).await);
        assert_eq!(
            rules_of(&app, support).await,
            [
                (
                    "Several".to_string(),
                    "app".to_string(),
                    "view".to_string(),
                    0,
                    vec![roadmap]
                ),
                (
                    "Bug Tracker".to_string(),
                    "app".to_string(),
                    "view".to_string(),
                    0,
                    vec![bug_tracker]
                ),
            ]
        );
        let row = access_of(&app, &ada, bug_tracker, "Support").await;
        assert_eq!(row["access"], "View");
        assert_eq!(row["rules"], json!(["Bug Tracker: View on chosen apps"]));

        ok(set_access(&app, &ada, bug_tracker, support, "", false).await);
        assert_eq!(
            rules_of(&app, support).await,
            [(
                "Several".to_string(),
                "app".to_string(),
                "view".to_string(),
                0,
                vec![roadmap]
            )],
            "the rule named after the app is gone"
        );
        let row = access_of(&app, &ada, bug_tracker, "Support").await;
        assert_eq!(row["access"], Value::Null);
        assert_eq!(row["rules"], json!([]));
        assert_eq!(
            access_of(&app, &ada, roadmap, "Support").await["access"],
            "View",
            "the other app keeps its access"
        );

        // Role groups take rules on all apps only; Admin takes none.
        let before = snapshot(&app).await;
        for (role_group, status, code, message) in [
            (
                "Builder",
                StatusCode::UNPROCESSABLE_ENTITY,
                json!("RoleGroupsTakeAll"),
                "The Admin, Builder and End-user groups only take permissions on all \
                 resources of a kind.",
            ),
            (
                "End-user",
                StatusCode::UNPROCESSABLE_ENTITY,
                json!("RoleGroupsTakeAll"),
                "The Admin, Builder and End-user groups only take permissions on all \
                 resources of a kind.",
            ),
            (
                "Admin",
                StatusCode::CONFLICT,
                json!("AdminGroupLocked"),
                "Admin has all permissions. This is not editable.",
            ),
        ] {
            let id = group_id(&app, "acme", role_group).await;
            let reply = set_access(&app, &ada, bug_tracker, id, "view", true).await;
            assert_refused(&reply, status, code, message);
        }
        assert_refused(
            &set_access(&app, &ada, bug_tracker, support, "own", false).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            json!("UnknownAccess"),
            "Choose an access level the kind of resource takes.",
        );
        assert_eq!(snapshot(&app).await, before, "refusals changed nothing");

        // Edit for a group with an end-user needs consent, as everywhere.
        let eve = member(&app, "eve@example.com", Role::EndUser).await;
        ok(add_members(&app, &ada, support, &[eve], false).await);
        let before_consent = snapshot(&app).await;
        let refused = set_access(&app, &ada, bug_tracker, support, "edit", false).await;
        assert_role_change_needed(&refused, &["eve@example.com"]);
        assert_eq!(snapshot(&app).await, before_consent);
        ok(set_access(&app, &ada, bug_tracker, support, "edit", true).await);
        assert_eq!(role_of(&app, eve).await, "builder");
        assert_eq!(
            access_of(&app, &ada, bug_tracker, "Support").await["access"],
            "Edit"
        );
    })
    .await;
}

#[tokio::test]
async fn demoting_a_builder_to_end_user_leaves_builder_level_groups_and_hands_over_their_apps() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let acme = app.workspace_id("acme").await;
        let ada_id = app.user_id("ada@example.com").await;
        let bob = member(&app, "bob@example.com", Role::Builder).await;
        let frank = member(&app, "frank@example.com", Role::Builder).await;
        let bug_tracker = resource(&app, acme, "app", "Bug Tracker", Some(bob)).await;
        let roadmap = resource(&app, acme, "app", "Roadmap", Some(bob)).await;
        let wiki = resource(&app, acme, "app", "Wiki", Some(frank)).await;
        let makers = new_group(&app, &ada, "Makers").await;
        ok(set_flag(&app, &ada, makers, "app_create", true, false).await);
        let editors = new_group(&app, &ada, "Editors").await;
        ok(save_rule(
            &app,
            &ada,
            editors,
            None,
            rule("Wiki", "app", "edit", &[wiki]),
            false,
        )
        .await);
        let viewers = new_group(&app, &ada, "Viewers").await;
        ok(save_rule(
            &app,
            &ada,
            viewers,
            None,
            rule("Everything", "app", "view", &[]),
            false,
        )
        .await);
        for group in [makers, editors, viewers] {
            ok(add_members(&app, &ada, group, &[bob, frank], false).await);
        }

        let before = snapshot(&app).await;
        let preview = ok(call(
            &app,
            &ada,
            "users/role-change-preview",
            &[("user_id", &bob.to_string()), ("role", "end-user")],
        )
        .await);
        assert_eq!(
            preview,
            json!({
                "summary": "bob@example.com will become an End-user and will no longer be able \
                            to create and edit apps, folders, workspace constants and data sources.",
                "groups_to_leave": ["Editors", "Makers"],
                "apps_to_transfer": ["Bug Tracker", "Roadmap"],
            })
        );
        let sideways = ok(call(
            &app,
            &ada,
            "users/role-change-preview",
            &[("user_id", &bob.to_string()), ("role", "admin")],
        )
        .await);
        assert_eq!(sideways["groups_to_leave"], json!([]));
        assert_eq!(sideways["apps_to_transfer"], json!([]));
        assert_eq!(snapshot(&app).await, before, "a preview changes nothing");

        let audit_before = app.count("audit_events").await;
        let reply = app
            .call_json(
                "users/update",
                json!({ "slug": "acme", "user_id": bob, "role": "end-user", "metadata": [] }),
                Some(&ada),
            )
            .await;
        ok(reply);
        assert_eq!(role_of(&app, bob).await, "end-user");
        assert_eq!(members_of(&app, makers).await, [frank]);
        assert_eq!(members_of(&app, editors).await, [frank]);
        assert_eq!(members_of(&app, viewers).await, [bob, frank], "view-only stays");
        let owners: Vec<(i64, Option<i64>)> =
            sqlx::query_as("SELECT id, owner_user_id FROM resources ORDER BY id")
                .fetch_all(&app.db)
                .await
                .unwrap();
        assert_eq!(
            owners,
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
                (
                    "apps.transferred".to_string(),
                    Some(bob),
                    "Bug Tracker, Roadmap".to_string()
                ),
                ("group.member_removed".to_string(), Some(bob), "Editors".to_string()),
                ("group.member_removed".to_string(), Some(bob), "Makers".to_string()),
                (
                    "member.role_changed".to_string(),
                    Some(bob),
                    "builder -> end-user".to_string()
                ),
            ]
        );
        // As an End-user, the app Bob no longer owns is no longer his to edit.
        let permissions = effective(&app, &ada, bob).await;
        assert_eq!(explanation(&permissions, "Bug Tracker", "Edit")["allowed"], false);
        assert_eq!(explanation(&permissions, "Bug Tracker", "View")["allowed"], true);
    })
    .await;
}

/// Builders see every app but edit none through their role; Bob edits Bug Tracker through
/// the Editors group.
async fn editor_of_one_app(app: &TestApp, ada: &str) -> (i64, i64) {
    let acme = app.workspace_id("acme").await;
    let bug_tracker = resource(app, acme, "app", "Bug Tracker", None).await;
    resource(app, acme, "app", "Wiki", None).await;
    let builder = group_id(app, "acme", "Builder").await;
    let apps = rule_id(app, builder, "Apps").await;
    ok(save_rule(
        app,
        ada,
        builder,
        Some(apps),
        rule("Apps", "app", "view", &[]),
        false,
    )
    .await);
    let bob = member(app, "bob@example.com", Role::Builder).await;
    let editors = new_group(app, ada, "Editors").await;
    ok(save_rule(
        app,
        ada,
        editors,
        None,
        rule("Bug Tracker editing", "app", "edit", &[bug_tracker]),
        false,
    )
    .await);
    ok(add_members(app, ada, editors, &[bob], false).await);
    (bob, editors)
}

#[tokio::test]
async fn effective_permissions_name_the_group_and_rule_that_grant_them() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let (bob, _) = editor_of_one_app(&app, &ada).await;
        let permissions = effective(&app, &ada, bob).await;
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

        let admin = effective(&app, &ada, app.user_id("ada@example.com").await).await;
        assert_eq!(
            explanation(&admin, "Wiki", "Edit")["reasons"],
            json!([{ "group": "Admin", "grant": "Admins can do everything" }])
        );
        assert_refused(
            &call(
                &app,
                &ada,
                "users/effective-permissions",
                &[("user_id", "999999")],
            )
            .await,
            StatusCode::NOT_FOUND,
            json!("MemberNotFound"),
            "That user isn't a member of this workspace.",
        );
    })
    .await;
}

#[tokio::test]
async fn leaving_a_group_takes_its_permissions_away_at_once() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let (bob, editors) = editor_of_one_app(&app, &ada).await;
        let permissions = effective(&app, &ada, bob).await;
        assert_eq!(
            explanation(&permissions, "Bug Tracker", "Edit")["allowed"],
            true
        );

        ok(remove_member(&app, &ada, editors, bob).await);
        let permissions = effective(&app, &ada, bob).await;
        let edit = explanation(&permissions, "Bug Tracker", "Edit");
        assert_eq!(edit["allowed"], false);
        assert_eq!(edit["reasons"], json!([]));
        assert_eq!(
            explanation(&permissions, "Bug Tracker", "View")["allowed"],
            true
        );

        // Taking the rule away works the same way for everyone still in the group.
        ok(add_members(&app, &ada, editors, &[bob], false).await);
        let editing = rule_id(&app, editors, "Bug Tracker editing").await;
        ok(delete_rule(&app, &ada, editors, editing).await);
        let permissions = effective(&app, &ada, bob).await;
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
        let ada = app.set_up().await;
        let acme = app.workspace_id("acme").await;
        let bug_tracker = resource(&app, acme, "app", "Bug Tracker", None).await;
        let bob = member(&app, "bob@example.com", Role::Builder).await;
        let support = new_group(&app, &ada, "Support").await;
        ok(save_rule(
            &app,
            &ada,
            support,
            None,
            rule("Tickets", "app", "view", &[bug_tracker]),
            false,
        )
        .await);
        ok(add_members(&app, &ada, support, &[bob], false).await);
        let tickets = rule_id(&app, support, "Tickets").await;
        let acme_builder = group_id(&app, "acme", "Builder").await;

        let (olga, olga_cookie) = app.user_with_session("olga@example.com").await;
        let mut conn = app.db.acquire().await.unwrap();
        let other = app::workspaces::store::create_with_admin(&mut conn, "Other", olga)
            .await
            .unwrap();
        drop(conn);
        let olgas_group = {
            let reply = app
                .call(
                    "groups/create",
                    &[("slug", "other"), ("name", "Olga's")],
                    Some(&olga_cookie),
                )
                .await;
            ok(reply)["id"].as_i64().unwrap()
        };
        let olgas_app = resource(&app, other.id, "app", "Olga's app", None).await;

        let before = snapshot(&app).await;
        let session = olga_cookie.as_str();
        let not_found = |reply: Reply, code: &str, what: &str| {
            assert_eq!(
                reply.status,
                StatusCode::NOT_FOUND,
                "{what}: {}",
                reply.body
            );
            assert_eq!(error_code(&reply), code, "{what}");
        };
        for group in [support, acme_builder] {
            let id = group.to_string();
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
                let mut form = vec![("slug", "other"), ("group_id", id.as_str())];
                for (name, value) in extra {
                    let value = match name {
                        "resource_id" => own_app.as_str(),
                        "rule_id" => acme_rule.as_str(),
                        "user_id" => acme_member.as_str(),
                        _ => value,
                    };
                    form.push((name, value));
                }
                let reply = app.call(endpoint, &form, Some(session)).await;
                not_found(reply, "GroupNotFound", endpoint);
            }
            let reply = app
                .call_json(
                    "groups/add-members",
                    json!({ "slug": "other", "group_id": group, "user_ids": [olga],
                            "allow_role_change": true }),
                    Some(session),
                )
                .await;
            not_found(reply, "GroupNotFound", "groups/add-members");
            let reply = app
                .call_json(
                    "groups/save-rule",
                    json!({ "slug": "other", "group_id": group, "rule_id": tickets,
                            "rule": rule("Mine", "app", "edit", &[]), "allow_role_change": true }),
                    Some(session),
                )
                .await;
            not_found(reply, "GroupNotFound", "groups/save-rule");
            // Through the workspace's own address, Olga isn't let in at all.
            let reply = app
                .call(
                    "groups/details",
                    &[("slug", "acme"), ("group_id", &id)],
                    Some(session),
                )
                .await;
            not_found(reply, "WorkspaceUnavailable", "acme's groups/details");
        }

        // Acme's resources, rules and members aren't reachable from Olga's own group.
        let olgas_group_id = olgas_group.to_string();
        let bug = bug_tracker.to_string();
        let reply = app
            .call(
                "groups/resource-access",
                &[("slug", "other"), ("resource_id", &bug)],
                Some(session),
            )
            .await;
        not_found(reply, "ResourceNotFound", "groups/resource-access");
        let reply = app
            .call(
                "groups/set-resource-access",
                &[
                    ("slug", "other"),
                    ("resource_id", &bug),
                    ("group_id", &olgas_group_id),
                    ("access", "edit"),
                    ("allow_role_change", "true"),
                ],
                Some(session),
            )
            .await;
        not_found(reply, "ResourceNotFound", "groups/set-resource-access");
        let reply = app
            .call_json(
                "groups/save-rule",
                json!({ "slug": "other", "group_id": olgas_group, "rule_id": null,
                        "rule": rule("Theirs", "app", "edit", &[bug_tracker]),
                        "allow_role_change": true }),
                Some(session),
            )
            .await;
        not_found(
            reply,
            "ResourceNotFound",
            "groups/save-rule with acme's app",
        );
        let reply = app
            .call_json(
                "groups/save-rule",
                json!({ "slug": "other", "group_id": olgas_group, "rule_id": tickets,
                        "rule": rule("Tickets", "app", "edit", &[]),
                        "allow_role_change": true }),
                Some(session),
            )
            .await;
        not_found(reply, "RuleNotFound", "groups/save-rule with acme's rule");
        let reply = app
            .call(
                "groups/delete-rule",
                &[
                    ("slug", "other"),
                    ("group_id", &olgas_group_id),
                    ("rule_id", &tickets.to_string()),
                ],
                Some(session),
            )
            .await;
        not_found(reply, "RuleNotFound", "groups/delete-rule with acme's rule");
        let reply = app
            .call_json(
                "groups/add-members",
                json!({ "slug": "other", "group_id": olgas_group, "user_ids": [bob],
                        "allow_role_change": true }),
                Some(session),
            )
            .await;
        not_found(
            reply,
            "MemberNotFound",
            "groups/add-members with acme's member",
        );
        let acme_member = bob.to_string();
        for (endpoint, form) in [
            (
                "users/effective-permissions",
                vec![("slug", "other"), ("user_id", acme_member.as_str())],
            ),
            (
                "users/role-change-preview",
                vec![
                    ("slug", "other"),
                    ("user_id", acme_member.as_str()),
                    ("role", "end-user"),
                ],
            ),
        ] {
            let reply = app.call(endpoint, &form, Some(session)).await;
            not_found(reply, "MemberNotFound", endpoint);
        }
        let options = ok(app
            .call(
                "groups/resource-options",
                &[("slug", "other"), ("kind", "app")],
                Some(session),
            )
            .await);
        assert_eq!(options, json!([{ "id": olgas_app, "name": "Olga's app" }]));
        let groups = list(&app, session, "other").await;
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
