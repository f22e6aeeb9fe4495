//! The access matrix over HTTP, on SQLite and PostgreSQL: who may see it (a page and the
//! CSV export), that its cells say what Effective permissions says, its filters and
//! pages, and that it follows a change to a group at once.

use std::collections::BTreeMap;

use crate::support::{Reply, Session, TestApp};
use app::db::testing::on_each_backend;
use app::memberships::{MembershipStatus, Role};
use axum::http::StatusCode;
use serde_json::{Value, json};

const PAGE: &str = "access-matrix/page";

/// A page of the matrix as the page asks for it; `filters` are `group_id`, `role` and
/// `kind` fields.
async fn page(
    session: &Session<'_>,
    filters: &[(&str, &str)],
    member_offset: i64,
    resource_offset: i64,
) -> Reply {
    let (members, resources) = (member_offset.to_string(), resource_offset.to_string());
    let mut form = vec![
        ("member_offset", members.as_str()),
        ("resource_offset", resources.as_str()),
    ];
    form.extend_from_slice(filters);
    session.call(PAGE, &form).await
}

/// The CSV export of the workspace at `slug`, with a query string or none.
async fn export(app: &TestApp, slug: &str, query: &str, cookie: Option<&str>) -> Reply {
    let path = if query.is_empty() {
        format!("/{slug}/settings/access-matrix/export.csv")
    } else {
        format!("/{slug}/settings/access-matrix/export.csv?{query}")
    };
    app.get(&path, cookie).await
}

/// The records of a CSV answer, each a list of cells. The test data holds no quotes,
/// commas or line breaks in names, so splitting is reading.
fn records(reply: &Reply) -> Vec<Vec<String>> {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.body.ends_with("\r\n"), "{:?}", reply.body);
    reply
        .body
        .trim_end_matches("\r\n")
        .split("\r\n")
        .map(|line| line.split(',').map(str::to_string).collect())
        .collect()
}

/// The cells of a page by member email and resource name: level and reasons.
fn cells(page: &Value) -> BTreeMap<(String, String), (String, Vec<String>)> {
    let mut cells = BTreeMap::new();
    let resources = page["resources"].as_array().unwrap();
    for (member, row) in page["members"]
        .as_array()
        .unwrap()
        .iter()
        .zip(page["cells"].as_array().unwrap())
    {
        for (resource, cell) in resources.iter().zip(row.as_array().unwrap()) {
            let reasons = cell["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .map(|reason| reason.as_str().unwrap().to_string())
                .collect();
            cells.insert(
                (
                    member["email"].as_str().unwrap().to_string(),
                    resource["name"].as_str().unwrap().to_string(),
                ),
                (cell["level"].as_str().unwrap().to_string(), reasons),
            );
        }
    }
    cells
}

fn emails(page: &Value) -> Vec<String> {
    page["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|member| member["email"].as_str().unwrap().to_string())
        .collect()
}

fn resource_names(page: &Value) -> Vec<String> {
    page["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|resource| resource["name"].as_str().unwrap().to_string())
        .collect()
}

/// The instance with Ada (super admin, Admin of acme), a Builder and an End-user of acme,
/// and one resource of each kind: Billing (an app Ada owns, in the Finance folder),
/// Finance, API_KEY and Warehouse.
struct World {
    app: TestApp,
    ada: String,
    bea: (i64, String),
    eve: (i64, String),
    billing: i64,
    api_key: i64,
}

impl World {
    async fn new(db: app::db::Db) -> World {
        let app = TestApp::new(db);
        app.set_up().await;
        let ada = app.sign_ada_in().await;
        let ada_id = app.user_id("ada@example.com").await;
        let active = MembershipStatus::Active;
        let bea = app
            .member_of("acme", "bea@example.com", Role::Builder, active)
            .await;
        let eve = app
            .member_of("acme", "eve@example.com", Role::EndUser, active)
            .await;
        let finance = app.insert_resource("acme", "folder", "Finance", None).await;
        let billing = app
            .insert_resource("acme", "app", "Billing", Some(ada_id))
            .await;
        sqlx::query("UPDATE resources SET folder_id = $1 WHERE id = $2")
            .bind(finance)
            .bind(billing)
            .execute(&app.db)
            .await
            .unwrap();
        let api_key = app
            .insert_resource("acme", "constant", "API_KEY", None)
            .await;
        app.insert_resource("acme", "data_source", "Warehouse", None)
            .await;
        World {
            app,
            ada,
            bea,
            eve,
            billing,
            api_key,
        }
    }

    fn admin(&self) -> Session<'_> {
        self.app.session("acme", self.ada.clone())
    }
}

/// Who asks, and what the page and the export answer them; the columns of the
/// authorisation matrix in `http.rs`.
#[tokio::test]
async fn admins_of_the_workspace_and_super_admins_see_the_matrix_nobody_else() {
    on_each_backend(|db| async move {
        let world = World::new(db).await;
        let app = &world.app;
        let active = MembershipStatus::Active;
        let (_, bob) = app.second_admin().await;
        let olga = app
            .admin_of_new_workspace("olga@example.com", "Other")
            .await;
        let (_, invited) = app
            .member_of(
                "acme",
                "ivy@example.com",
                Role::Admin,
                MembershipStatus::Invited,
            )
            .await;
        let (_, archived) = app
            .member_of(
                "acme",
                "arch@example.com",
                Role::Admin,
                MembershipStatus::Archived,
            )
            .await;
        let (gone, gone_cookie) = app
            .member_of("acme", "gone@example.com", Role::Admin, active)
            .await;
        app.archive_account(gone).await;
        let closer = app
            .admin_of_new_workspace("closer@example.com", "Closed")
            .await;
        sqlx::query("UPDATE workspaces SET status = 'archived' WHERE slug = 'closed'")
            .execute(&app.db)
            .await
            .unwrap();

        // Caller, workspace asked about, status of the page, status of the export.
        let cases: Vec<(&str, Option<String>, &str, u16, u16)> = vec![
            (
                "Ada, super admin and Admin",
                Some(world.ada.clone()),
                "acme",
                200,
                200,
            ),
            ("Bob, Admin", Some(bob.cookie.clone()), "acme", 200, 200),
            (
                "Ada, super admin, not a member",
                Some(world.ada.clone()),
                "other",
                200,
                200,
            ),
            (
                "Olga, Admin of other",
                Some(olga.cookie.clone()),
                "other",
                200,
                200,
            ),
            ("a Builder", Some(world.bea.1.clone()), "acme", 403, 403),
            ("an End-user", Some(world.eve.1.clone()), "acme", 403, 403),
            (
                "another workspace's Admin",
                Some(olga.cookie.clone()),
                "acme",
                404,
                404,
            ),
            ("an invited Admin", Some(invited), "acme", 404, 404),
            ("an archived Admin", Some(archived), "acme", 404, 404),
            (
                "an Admin of an archived workspace",
                Some(closer.cookie),
                "closed",
                404,
                404,
            ),
            // Signed out, or with an archived account's session: the server function
            // says so; the export is a page address, which leads to sign-in.
            ("an archived account", Some(gone_cookie), "acme", 401, 303),
            ("signed out", None, "acme", 401, 303),
        ];
        let mut failures = Vec::new();
        for (who, cookie, slug, page_status, export_status) in cases {
            let form = [
                ("slug", slug),
                ("member_offset", "0"),
                ("resource_offset", "0"),
            ];
            let reply = app.call(PAGE, &form, cookie.as_deref()).await;
            if reply.status.as_u16() != page_status {
                failures.push(format!("page as {who}: {} {}", reply.status, reply.body));
            }
            let reply = export(app, slug, "", cookie.as_deref()).await;
            if reply.status.as_u16() != export_status {
                failures.push(format!("export as {who}: {} {}", reply.status, reply.body));
            }
            if export_status == 200 {
                assert_eq!(reply.header("content-type"), "text/csv; charset=utf-8");
                assert_eq!(
                    reply.header("content-disposition"),
                    format!("attachment; filename=\"access-matrix-{slug}.csv\"")
                );
                assert_eq!(reply.header("cache-control"), "no-store");
            }
            if export_status == 303 {
                assert!(
                    reply.location().starts_with("/sign-in?next="),
                    "{}",
                    reply.location()
                );
            }
        }
        assert!(failures.is_empty(), "\n{}", failures.join("\n"));

        // Refusals say why, in the page's words.
        let builder = app.session("acme", world.bea.1.clone());
        page(&builder, &[], 0, 0).await.assert_refused(
            StatusCode::FORBIDDEN,
            json!("AdminRequired"),
            "Only workspace admins can do that.",
        );
        let reply = export(app, "acme", "", Some(&world.bea.1)).await;
        assert_eq!(reply.body, "Only workspace admins can do that.");
        // A super admin who isn't a member sees the members, not themselves.
        let other = app.session("other", world.ada.clone());
        let matrix = page(&other, &[], 0, 0).await.ok();
        assert_eq!(emails(&matrix), ["olga@example.com"]);
    })
    .await;
}

#[tokio::test]
async fn each_cell_says_what_effective_permissions_says() {
    on_each_backend(|db| async move {
        let world = World::new(db).await;
        let admin = world.admin();
        let matrix = page(&admin, &[], 0, 0).await.ok();
        assert_eq!(
            emails(&matrix),
            ["ada@example.com", "bea@example.com", "eve@example.com"],
            "members by name: Ada Lovelace, then the others named by their email"
        );
        assert_eq!(
            resource_names(&matrix),
            ["API_KEY", "Billing", "Finance", "Warehouse"]
        );
        let cells = cells(&matrix);
        let level =
            |email: &str, name: &str| cells[&(email.to_string(), name.to_string())].0.clone();
        let expected = [
            ("ada@example.com", ["Admin", "Admin", "Admin", "Admin"]),
            // Builders: Edit on all apps and constants, Configure on all data sources,
            // and no rule on folders.
            ("bea@example.com", ["Edit", "Edit", "None", "Configure"]),
            ("eve@example.com", ["None", "View", "None", "None"]),
        ];
        for (email, levels) in expected {
            for (name, wanted) in ["API_KEY", "Billing", "Finance", "Warehouse"]
                .into_iter()
                .zip(levels)
            {
                assert_eq!(level(email, name), wanted, "{email} on {name}");
            }
        }

        // Every cell's reasons are Effective permissions' allowed actions, worded as
        // its dialog words them.
        for (user_id, email) in [
            (
                world.app.user_id("ada@example.com").await,
                "ada@example.com",
            ),
            (world.bea.0, "bea@example.com"),
            (world.eve.0, "eve@example.com"),
        ] {
            let user_id = user_id.to_string();
            let effective = admin
                .ok("users/effective-permissions", &[("user_id", &user_id)])
                .await;
            for entry in effective.as_array().unwrap() {
                let kind = entry["resource"]["kind"].as_str().unwrap();
                let lines: Vec<String> = entry["explanations"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|explanation| explanation["allowed"] == true)
                    .map(|explanation| dialog_line(explanation, kind))
                    .collect();
                let name = entry["name"].as_str().unwrap().to_string();
                assert_eq!(
                    cells[&(email.to_string(), name.clone())].1,
                    lines,
                    "{email} on {name}"
                );
            }
        }
        let (_, eve_reasons) = &cells[&("eve@example.com".into(), "Billing".into())];
        assert_eq!(eve_reasons, &["View: Apps: View on all apps (End-user)"]);
        let (_, ada_reasons) = &cells[&("ada@example.com".into(), "Warehouse".into())];
        assert_eq!(
            ada_reasons,
            &[
                "Build with: Admins can do everything (Admin)",
                "Configure: Admins can do everything (Admin)",
                "Delete: Admins can do everything (Admin)",
            ]
        );
    })
    .await;
}

/// An allowed action as the Effective permissions dialog shows it
/// (`app/src/users/effective_permissions.rs`), written out here from the JSON the dialog
/// reads, so that the two formats are compared, not one with itself.
fn dialog_line(explanation: &Value, kind: &str) -> String {
    let action = match (explanation["action"].as_str().unwrap(), kind) {
        ("View", "Folder") => "View the apps in it",
        ("Edit", "Folder") => "Edit the apps in it",
        ("BuildWith", _) => "Build with",
        (action, _) => action,
    };
    let why: Vec<String> = explanation["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|reason| {
            format!(
                "{} ({})",
                reason["grant"].as_str().unwrap(),
                reason["group"].as_str().unwrap()
            )
        })
        .collect();
    format!("{action}: {}", why.join("; "))
}

#[tokio::test]
async fn owners_and_custom_groups_show_with_their_reasons() {
    on_each_backend(|db| async move {
        let world = World::new(db).await;
        let admin = world.admin();
        // Bea owns an app of her own.
        let ledger = world.app.insert_resource("acme", "app", "Ledger", Some(world.bea.0)).await;
        let support = admin.custom_group("Support", false).await;
        let reply = admin
            .call_json(
                "groups/add-members",
                json!({"group_id": support, "user_ids": [world.eve.0], "allow_role_change": false}),
            )
            .await;
        reply.ok();
        let reply = admin
            .call_json(
                "groups/save-rule",
                json!({
                    "group_id": support,
                    "rule_id": null,
                    "rule": {"name": "Ledger readers", "kind": "app", "access": "view",
                             "hide_from_dashboard": false, "all": false,
                             "resource_ids": [ledger]},
                    "allow_role_change": false,
                }),
            )
            .await;
        reply.ok();
        let matrix = page(&admin, &[("kind", "app")], 0, 0).await.ok();
        let cells = cells(&matrix);
        let (level, reasons) = &cells[&("bea@example.com".into(), "Ledger".into())];
        assert_eq!(level, "Owner");
        assert_eq!(
            reasons,
            &[
                "View: Owners can always edit their apps (Owner); Apps: Edit on all apps (Builder)",
                "Edit: Owners can always edit their apps (Owner); Apps: Edit on all apps (Builder)",
                "Delete: Apps › Delete permission (Builder)",
            ]
        );
        let (level, reasons) = &cells[&("eve@example.com".into(), "Ledger".into())];
        assert_eq!(level, "View");
        assert_eq!(
            reasons,
            &["View: Apps: View on all apps (End-user); Ledger readers: View on chosen apps (Support)"]
        );
        // Ada owns Billing, but admins rank above owners.
        let (level, _) = &cells[&("ada@example.com".into(), "Billing".into())];
        assert_eq!(level, "Admin");
    })
    .await;
}

#[tokio::test]
async fn filters_keep_a_group_a_role_or_a_kind() {
    on_each_backend(|db| async move {
        let world = World::new(db).await;
        let admin = world.admin();
        let support = admin.custom_group("Support", false).await;
        admin
            .call_json(
                "groups/add-members",
                json!({"group_id": support, "user_ids": [world.eve.0], "allow_role_change": false}),
            )
            .await
            .ok();
        let support_id = support.to_string();

        let by_group = page(&admin, &[("group_id", &support_id)], 0, 0).await.ok();
        assert_eq!(emails(&by_group), ["eve@example.com"]);
        assert_eq!(by_group["member_total"], 1);
        let by_role = page(&admin, &[("role", "builder")], 0, 0).await.ok();
        assert_eq!(emails(&by_role), ["bea@example.com"]);
        let admins = page(&admin, &[("role", "admin")], 0, 0).await.ok();
        assert_eq!(emails(&admins), ["ada@example.com"]);
        let constants = page(&admin, &[("kind", "constant")], 0, 0).await.ok();
        assert_eq!(resource_names(&constants), ["API_KEY"]);
        assert_eq!(constants["resource_total"], 1);
        assert_eq!(emails(&constants).len(), 3);
        let nobody = page(
            &admin,
            &[("group_id", &support_id), ("role", "builder")],
            0,
            0,
        )
        .await
        .ok();
        assert_eq!(emails(&nobody), Vec::<String>::new());
        assert_eq!(nobody["cells"], json!([]));
        // Empty filters are "all", as the page's first options send them.
        let all = page(&admin, &[("role", ""), ("kind", "")], 0, 0).await.ok();
        assert_eq!(all["member_total"], 3);
        assert_eq!(all["resource_total"], 4);
        // Archived members are left out; invited ones are in.
        world
            .app
            .member_of(
                "acme",
                "ivy@example.com",
                Role::EndUser,
                MembershipStatus::Invited,
            )
            .await;
        world
            .app
            .member_of(
                "acme",
                "arch@example.com",
                Role::EndUser,
                MembershipStatus::Archived,
            )
            .await;
        let end_users = page(&admin, &[("role", "end-user")], 0, 0).await.ok();
        assert_eq!(emails(&end_users), ["eve@example.com", "ivy@example.com"]);

        // The export keeps the same rows and columns.
        let csv = records(
            &export(
                &world.app,
                "acme",
                &format!("group={support}&kind=constant"),
                Some(&world.ada),
            )
            .await,
        );
        assert_eq!(
            csv,
            [
                vec!["Member", "Email", "API_KEY (workspace constant)"],
                vec!["eve@example.com", "eve@example.com", "None"],
            ]
        );

        // Filters that name nothing in the workspace are refused, on both.
        let builder_group = app_group_id(&world.app, "Builder").await.to_string();
        for group in [builder_group.as_str(), "999999"] {
            page(&admin, &[("group_id", group)], 0, 0)
                .await
                .assert_refused(
                    StatusCode::NOT_FOUND,
                    json!("GroupNotFound"),
                    "That group doesn't exist in this workspace.",
                );
            let reply = export(
                &world.app,
                "acme",
                &format!("group={group}"),
                Some(&world.ada),
            )
            .await;
            assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.body);
        }
        let reply = export(&world.app, "acme", "group=abc", Some(&world.ada)).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        page(&admin, &[("role", "owner")], 0, 0)
            .await
            .assert_refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                json!("UnknownRole"),
                "Choose a role: Admin, Builder or End-user.",
            );
        let reply = export(&world.app, "acme", "kind=apps", Some(&world.ada)).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        // Another workspace's custom group filters nothing here.
        let olga = world
            .app
            .admin_of_new_workspace("olga@example.com", "Other")
            .await;
        let theirs = world
            .app
            .session("other", olga.cookie)
            .custom_group("Theirs", false)
            .await;
        page(&admin, &[("group_id", &theirs.to_string())], 0, 0)
            .await
            .assert_refused(
                StatusCode::NOT_FOUND,
                json!("GroupNotFound"),
                "That group doesn't exist in this workspace.",
            );
    })
    .await;
}

async fn app_group_id(app: &TestApp, name: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT g.id FROM groups g JOIN workspaces w ON w.id = g.workspace_id
         WHERE w.slug = 'acme' AND g.name = $1",
    )
    .bind(name)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_cell_changes_as_soon_as_a_group_does() {
    on_each_backend(|db| async move {
        let world = World::new(db).await;
        let admin = world.admin();
        let eve_on_key =
            |matrix: &Value| cells(matrix)[&("eve@example.com".into(), "API_KEY".into())].clone();
        let before = page(&admin, &[], 0, 0).await.ok();
        assert_eq!(eve_on_key(&before), ("None".to_string(), vec![]));

        // End-users may view constants: a custom group's rule gives Eve API_KEY.
        let support = admin.custom_group("Support", false).await;
        admin
            .call_json(
                "groups/add-members",
                json!({"group_id": support, "user_ids": [world.eve.0], "allow_role_change": false}),
            )
            .await
            .ok();
        let rule_id = admin
            .call_json(
                "groups/save-rule",
                json!({
                    "group_id": support,
                    "rule_id": null,
                    "rule": {"name": "Keys", "kind": "constant", "access": "view",
                             "hide_from_dashboard": false, "all": false,
                             "resource_ids": [world.api_key]},
                    "allow_role_change": false,
                }),
            )
            .await
            .ok();
        let after = page(&admin, &[], 0, 0).await.ok();
        assert_eq!(
            eve_on_key(&after),
            (
                "View".to_string(),
                vec!["View: Keys: View on chosen workspace constants (Support)".to_string()]
            )
        );
        let csv = records(&export(&world.app, "acme", "kind=constant", Some(&world.ada)).await);
        assert_eq!(csv[3], ["eve@example.com", "eve@example.com", "View"]);

        // Taking the rule away takes the access away.
        let reply = admin
            .call_on(
                "groups/delete-rule",
                ("group_id", support),
                &[("rule_id", &rule_id.to_string())],
            )
            .await;
        reply.ok();
        let again = page(&admin, &[], 0, 0).await.ok();
        assert_eq!(eve_on_key(&again), ("None".to_string(), vec![]));
        // And a role change shows at once too.
        sqlx::query("UPDATE memberships SET role = 'admin' WHERE user_id = $1")
            .bind(world.eve.0)
            .execute(&world.app.db)
            .await
            .unwrap();
        let promoted = page(&admin, &[], 0, 0).await.ok();
        assert_eq!(eve_on_key(&promoted).0, "Admin");
        let _ = world.billing;
    })
    .await;
}

/// Members named alike (every one "Same Name"), so the rows sort by email within the
/// name, `count` of them, put straight into the database.
async fn many_members(app: &TestApp, count: usize) {
    let workspace_id = app.workspace_id("acme").await;
    for n in 0..count {
        let email = format!("same{n:04}@example.com");
        let user_id: i64 = sqlx::query_scalar(
            "INSERT INTO users (email, full_name, status, created_at, updated_at)
             VALUES ($1, 'Same Name', 'active', 0, 0) RETURNING id",
        )
        .bind(&email)
        .fetch_one(&app.db)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO memberships
                (workspace_id, user_id, role, status, email, name_key, created_at, updated_at)
             VALUES ($1, $2, 'end-user', 'active', $3, 'same name', 0, 0)",
        )
        .bind(workspace_id)
        .bind(user_id)
        .bind(&email)
        .execute(&app.db)
        .await
        .unwrap();
    }
}

#[tokio::test]
async fn pages_and_the_export_cover_the_whole_matrix_once() {
    on_each_backend(|db| async move {
        let world = World::new(db).await;
        let admin = world.admin();
        // 3 + 207 members: more than one batch of the export (200) and nine pages of 25;
        // 4 + 8 resources: two pages of 10.
        many_members(&world.app, 207).await;
        for n in 0..8 {
            world
                .app
                .insert_resource("acme", "app", &format!("Tool {n}"), None)
                .await;
        }
        // A name a spreadsheet would run as a formula is written as text.
        world
            .app
            .insert_resource("acme", "app", "+Totals", None)
            .await;

        let mut seen_members = Vec::new();
        let mut page_cells = BTreeMap::new();
        let mut member_offset = 0;
        loop {
            let mut resource_offset = 0;
            let mut first_side = None;
            loop {
                let matrix = page(&admin, &[], member_offset, resource_offset).await.ok();
                assert_eq!(matrix["member_total"], 210);
                assert_eq!(matrix["resource_total"], 13);
                assert_eq!(matrix["member_offset"], member_offset);
                assert_eq!(matrix["resource_offset"], resource_offset);
                let shown = resource_names(&matrix).len() as i64;
                assert_eq!(shown, (13 - resource_offset).min(10));
                first_side.get_or_insert_with(|| emails(&matrix));
                page_cells.extend(cells(&matrix));
                resource_offset += 10;
                if resource_offset >= 13 {
                    break;
                }
            }
            let members = first_side.unwrap();
            assert_eq!(members.len() as i64, (210 - member_offset).min(25));
            seen_members.extend(members);
            member_offset += 25;
            if member_offset >= 210 {
                break;
            }
        }
        let mut sorted = seen_members.clone();
        sorted.dedup();
        assert_eq!(sorted.len(), 210, "no member twice, none missed");
        assert_eq!(seen_members[0], "ada@example.com");
        assert_eq!(seen_members[3], "same0000@example.com");
        assert_eq!(seen_members[209], "same0206@example.com");
        // Past the end: an empty page that still says where the end is.
        let beyond = page(&admin, &[], 500, 0).await.ok();
        assert_eq!(emails(&beyond), Vec::<String>::new());
        assert_eq!(beyond["member_total"], 210);

        let csv = records(&export(&world.app, "acme", "", Some(&world.ada)).await);
        assert_eq!(csv.len(), 211, "the heading and one row per member");
        let headings = &csv[0];
        assert_eq!(headings[..2], ["Member", "Email"]);
        assert_eq!(headings[2], "'+Totals (app)");
        assert_eq!(headings[3], "API_KEY (workspace constant)");
        assert_eq!(headings.len(), 15);
        let csv_emails: Vec<&str> = csv[1..].iter().map(|row| row[1].as_str()).collect();
        assert_eq!(
            csv_emails, seen_members,
            "the export's rows in the page's order"
        );
        // Every cell of the export is the cell the pages showed.
        let names: Vec<String> = headings[2..]
            .iter()
            .map(|heading| {
                let name = heading.rsplit_once(" (").unwrap().0;
                name.trim_start_matches('\'').to_string()
            })
            .collect();
        for row in &csv[1..] {
            for (name, level) in names.iter().zip(&row[2..]) {
                assert_eq!(
                    &page_cells[&(row[1].clone(), name.clone())].0,
                    level,
                    "{} on {name}",
                    row[1]
                );
            }
        }
        assert_eq!(csv[1][0], "Ada Lovelace");
        assert_eq!(csv[4][0], "Same Name");
    })
    .await;
}

#[tokio::test]
async fn admins_find_the_page_under_workspace_settings() {
    on_each_backend(|db| async move {
        let world = World::new(db).await;
        let page = world
            .app
            .get("/acme/settings/access-matrix", Some(&world.ada))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        let nav = &page.body[page.body.find("<nav").unwrap()..page.body.find("</nav>").unwrap()];
        assert!(nav.contains(">Access matrix</a>"), "{nav}");
        assert!(page.body.contains(">Access matrix</h1>"));
        assert!(
            page.body
                .contains("href=\"/acme/settings/access-matrix/export.csv\""),
            "the export link, without filters at first"
        );
        for label in ["Role", "Resource kind"] {
            assert!(page.body.contains(&format!(">{label}</label>")), "{label}");
        }
        // A Group filter only where there are custom groups to choose from.
        assert!(!page.body.contains(">Group</label>"));
        world.admin().custom_group("Support", false).await;
        let page = world
            .app
            .get("/acme/settings/access-matrix", Some(&world.ada))
            .await;
        assert!(page.body.contains(">Group</label>"));
        assert!(page.body.contains(">Support</option>"));
        // Other members don't see the link; the matrix itself refuses them (above).
        let page = world.app.get("/acme", Some(&world.eve.1)).await;
        let nav = &page.body[page.body.find("<nav").unwrap()..page.body.find("</nav>").unwrap()];
        assert!(!nav.contains(">Access matrix</a>"), "{nav}");
    })
    .await;
}
