//! Apps, folders, workspace constants and data sources over HTTP, on SQLite and
//! PostgreSQL: what each role may do, what stays hidden, and that every refusal changes
//! nothing.

use std::collections::BTreeSet;

use crate::support::{Reply, Session, TestApp, error_code};
use app::db::testing::on_each_backend;
use app::memberships::{MembershipStatus, Role};
use app::permissions::{Access, ResourceKind, Rule, Scope};
use axum::http::StatusCode;
use serde_json::{Value, json};

const SECRET: &str = "sk-live-4f9a8b7c-do-not-leak";
const CONFIGURATION: &str = "host=db.internal user=reporting password=hunter2-config-secret";

/// id, name, folder, body and sealed secret.
type ResourceRow = (i64, String, Option<i64>, String, Option<String>);

/// An endpoint, its fields, the status and the error code it answers with.
type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, StatusCode, Value);

/// The instance with Ada (super admin, Admin of acme), a Builder and an End-user of acme.
struct World {
    app: TestApp,
    acme: i64,
    ada: String,
    builder: (i64, String),
    end_user: (i64, String),
}

impl World {
    async fn new(db: app::db::Db) -> World {
        let app = TestApp::new(db);
        app.set_up().await;
        let ada = app.sign_ada_in().await;
        let acme = app.workspace_id("acme").await;
        let active = MembershipStatus::Active;
        let builder = app
            .member_of("acme", "bea@example.com", Role::Builder, active)
            .await;
        let end_user = app
            .member_of("acme", "eve@example.com", Role::EndUser, active)
            .await;
        World {
            app,
            acme,
            ada,
            builder,
            end_user,
        }
    }

    /// The holder of `cookie`, calling acme's server functions.
    fn session(&self, cookie: &str) -> Session<'_> {
        self.app.session("acme", cookie.to_string())
    }

    async fn call(&self, cookie: &str, endpoint: &str, form: &[(&str, &str)]) -> Reply {
        self.session(cookie).call(endpoint, form).await
    }

    /// Calls and expects success, returning the JSON answer.
    async fn ok(&self, cookie: &str, endpoint: &str, form: &[(&str, &str)]) -> Value {
        self.session(cookie).ok(endpoint, form).await
    }

    /// Calls a function on one resource, named by its id field (`app_id`, `folder_id`, …).
    async fn on(
        &self,
        cookie: &str,
        endpoint: &str,
        resource: (&str, i64),
        form: &[(&str, &str)],
    ) -> Reply {
        self.session(cookie).call_on(endpoint, resource, form).await
    }

    /// A custom group of acme, made in the store, with one rule and one member.
    async fn custom_group(&self, name: &str, rule: &Rule, member: i64) {
        let mut conn = self.app.db.acquire().await.unwrap();
        let group = app::groups::store::create(&mut conn, self.acme, name)
            .await
            .unwrap();
        app::groups::store::insert_rule(&mut conn, group, rule)
            .await
            .unwrap();
        app::groups::store::add_member(&mut conn, group, self.acme, member)
            .await
            .unwrap();
    }

    async fn create_app(&self, cookie: &str, name: &str, folder: Option<i64>) -> i64 {
        let folder = folder.map(|id| id.to_string()).unwrap_or_default();
        let mut form = vec![("name", name)];
        if !folder.is_empty() {
            form.push(("folder_id", &folder));
        }
        self.ok(cookie, "apps/create", &form)
            .await
            .as_i64()
            .unwrap()
    }

    /// Releases the app's draft as it stands, so that those who may view it see it.
    async fn release(&self, cookie: &str, app_id: i64) {
        self.on(cookie, "apps/release", ("app_id", app_id), &[("notes", "")])
            .await
            .ok();
    }

    async fn create_folder(&self, cookie: &str, name: &str) -> i64 {
        self.ok(cookie, "folders/create", &[("name", name)]).await["id"]
            .as_i64()
            .unwrap()
    }

    async fn create_constant(&self, cookie: &str, name: &str, value: &str) -> i64 {
        self.ok(
            cookie,
            "constants/create",
            &[("name", name), ("value", value)],
        )
        .await
        .as_i64()
        .unwrap()
    }

    async fn create_data_source(&self, cookie: &str, name: &str) -> i64 {
        self.ok(
            cookie,
            "data-sources/create",
            &[
                ("name", name),
                ("kind", "postgresql"),
                ("configuration", CONFIGURATION),
            ],
        )
        .await
        .as_i64()
        .unwrap()
    }

    /// Every row of the tables a resource change may touch, to show that a refused change
    /// wrote nothing.
    async fn footprint(&self) -> Vec<String> {
        let resources: Vec<ResourceRow> = sqlx::query_as(
            "SELECT id, name, folder_id, body, ciphertext FROM resources ORDER BY id",
        )
        .fetch_all(&self.app.db)
        .await
        .unwrap();
        let mut rows: Vec<String> = resources
            .into_iter()
            .map(|row| format!("{row:?}"))
            .collect();
        for table in ["resources", "groups", "group_rules"] {
            rows.push(format!("{table}: {}", self.app.count(table).await));
        }
        rows.push(format!(
            "changes audited: {}",
            self.app.changes_audited().await
        ));
        rows
    }

    async fn audit_actions(&self) -> Vec<(String, String)> {
        sqlx::query_as(
            "SELECT action, detail FROM audit_events WHERE action LIKE 'resource.%' ORDER BY id",
        )
        .fetch_all(&self.app.db)
        .await
        .unwrap()
    }
}

fn ids_of(apps: &Value) -> BTreeSet<i64> {
    apps.as_array()
        .unwrap()
        .iter()
        .map(|app| app["id"].as_i64().unwrap())
        .collect()
}

/// Every app the dashboard lists, in folders or not.
fn dashboard_apps(board: &Value) -> BTreeSet<i64> {
    let mut ids = ids_of(&board["unfiled"]);
    for section in board["folders"].as_array().unwrap() {
        ids.extend(ids_of(&section["apps"]));
    }
    ids
}

#[tokio::test]
async fn builders_create_edit_and_delete_apps_and_folders() {
    on_each_backend(|db| async move {
        let world = World::new(db).await;
        let bea = world.builder.1.clone();
        let folder = world.create_folder(&bea, "  Finance ").await;
        let app_id = world.create_app(&bea, "Billing", Some(folder)).await;
        let (this_app, this_folder) = (("app_id", app_id), ("folder_id", folder));

        let details = world.on(&bea, "apps/details", this_app, &[]).await.ok();
        assert_eq!(details["name"], "Billing");
        assert_eq!(details["folder"]["name"], "Finance");
        assert_eq!(details["owner"], "bea@example.com");
        assert_eq!(details["can_edit"], true);
        assert_eq!(details["can_delete"], true);
        assert_eq!(details["is_admin"], false);

        let folder_id = folder.to_string();
        let body = "Hello {{globals.currentUser.firstName}}";
        let edit = [
            ("name", "Billing v2"),
            ("folder_id", &folder_id),
            ("body", body),
        ];
        world.on(&bea, "apps/update", this_app, &edit).await.ok();
        let draft = world.on(&bea, "apps/editor", this_app, &[]).await.ok();
        assert_eq!(draft["app"]["name"], "Billing v2");
        assert_eq!(draft["body"], body);
        let first_name = draft["preview"].as_str().expect("the draft rendered");
        assert!(
            first_name.starts_with("Hello ") && first_name.len() > 6,
            "{first_name}"
        );
        let inspector = draft["inspector"]
            .as_str()
            .expect("the inspector for an editor");
        assert!(
            inspector.contains("\"email\": \"bea@example.com\""),
            "{inspector}"
        );
        let preview = world
            .on(
                &bea,
                "apps/preview",
                this_app,
                &[("body", "<{{globals.currentUser.email}}>")],
            )
            .await
            .ok();
        assert_eq!(preview, "&lt;bea@example.com&gt;");

        let board = world.ok(&bea, "dashboard", &[]).await;
        assert_eq!(board["can_create_app"], true);
        assert_eq!(board["can_create_folder"], true);
        assert_eq!(board["folders"][0]["folder"]["name"], "Finance");
        assert_eq!(board["folders"][0]["apps"][0]["name"], "Billing v2");
        assert_eq!(board["folders"][0]["apps"][0]["can_edit"], true);

        let rename = [("name", "Accounts")];
        world
            .on(&bea, "folders/rename", this_folder, &rename)
            .await
            .ok();
        let opened = world
            .on(&bea, "folders/details", this_folder, &[])
            .await
            .ok();
        assert_eq!(opened["name"], "Accounts");
        assert_eq!(ids_of(&opened["apps"]), BTreeSet::from([app_id]));

        world.on(&bea, "apps/delete", this_app, &[]).await.ok();
        world
            .on(&bea, "folders/delete", this_folder, &[])
            .await
            .ok();
        assert_eq!(world.app.count("resources").await, 0);
        let reply = world.on(&bea, "apps/details", this_app, &[]).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);

        assert_eq!(
            world.audit_actions().await,
            [
                ("resource.created", "folder Finance"),
                ("resource.created", "app Billing"),
                ("resource.changed", "app Billing v2"),
                ("resource.changed", "folder Accounts"),
                ("resource.deleted", "app Billing v2"),
                ("resource.deleted", "folder Accounts"),
            ]
            .map(|(action, detail)| (action.to_string(), detail.to_string()))
        );
    })
    .await;
}

#[tokio::test]
async fn an_end_user_views_apps_but_an_edit_posted_directly_is_refused() {
    on_each_backend(|db| async move {
        let world = World::new(db).await;
        let eve = world.end_user.1.clone();
        let app_id = world.create_app(&world.ada, "Inventory", None).await;
        let this_app = ("app_id", app_id);
        let stocked = [("name", "Inventory"), ("body", "Stock levels")];
        world
            .on(&world.ada, "apps/update", this_app, &stocked)
            .await
            .ok();
        world.release(&world.ada, app_id).await;

        let board = world.ok(&eve, "dashboard", &[]).await;
        assert_eq!(board["can_create_app"], false);
        assert_eq!(board["can_create_folder"], false);
        assert_eq!(board["unfiled"][0]["name"], "Inventory");
        assert_eq!(board["unfiled"][0]["can_edit"], false);
        let details = world.on(&eve, "apps/details", this_app, &[]).await.ok();
        assert_eq!(details["rendered"], "Stock levels");
        for draft_only in ["body", "preview", "inspector", "folders", "versions"] {
            assert_eq!(
                details[draft_only],
                Value::Null,
                "{draft_only} is for editors"
            );
        }
        assert_eq!(details["can_edit"], false);
        let preview = world
            .on(
                &eve,
                "apps/preview",
                this_app,
                &[("body", "{{globals.currentUser.email}}")],
            )
            .await;
        assert_eq!(preview.status, StatusCode::FORBIDDEN, "{}", preview.body);
        let editor = world.on(&eve, "apps/editor", this_app, &[]).await;
        assert_eq!(editor.status, StatusCode::FORBIDDEN, "{}", editor.body);
        assert_eq!(error_code(&editor), "PermissionDenied");

        // The view-only user posts an edit straight to the server function.
        let before = world.footprint().await;
        let defaced = [("name", "Hijacked"), ("body", "defaced")];
        let edit = world.on(&eve, "apps/update", this_app, &defaced).await;
        assert_eq!(edit.status, StatusCode::FORBIDDEN, "{}", edit.body);
        assert_eq!(error_code(&edit), "PermissionDenied");
        assert_eq!(
            edit.json()["message"],
            "You don't have permission to do that."
        );
        let app_id = app_id.to_string();
        for (endpoint, form) in [
            ("apps/delete", vec![("app_id", app_id.as_str())]),
            ("apps/create", vec![("name", "Mine")]),
            ("folders/create", vec![("name", "Mine")]),
            ("constants/create", vec![("name", "MINE"), ("value", "x")]),
            (
                "data-sources/create",
                vec![("name", "Mine"), ("kind", "mysql"), ("configuration", "x")],
            ),
        ] {
            let reply = world.call(&eve, endpoint, &form).await;
            assert_eq!(
                reply.status,
                StatusCode::FORBIDDEN,
                "{endpoint}: {}",
                reply.body
            );
        }
        assert_eq!(world.footprint().await, before, "nothing was written");
    })
    .await;
}

#[tokio::test]
async fn resources_of_another_workspace_are_not_found() {
    on_each_backend(|db| async move {
        let world = World::new(db).await;
        let olga = world
            .app
            .admin_of_new_workspace("olga@example.com", "Other")
            .await;
        let in_other = world.app.session("other", olga.cookie.clone());
        let theirs = in_other
            .ok("apps/create", &[("name", "Theirs")])
            .await
            .as_i64()
            .unwrap();
        let folder = in_other.ok("folders/create", &[("name", "Theirs")]).await["id"]
            .as_i64()
            .unwrap();
        let constant = in_other
            .ok("constants/create", &[("name", "THEIRS"), ("value", SECRET)])
            .await
            .as_i64()
            .unwrap();
        let source = in_other
            .ok(
                "data-sources/create",
                &[
                    ("name", "Theirs"),
                    ("kind", "rest_api"),
                    ("configuration", CONFIGURATION),
                ],
            )
            .await
            .as_i64()
            .unwrap();

        let ours_id = world.create_app(&world.ada, "Ours", None).await;
        let before = world.footprint().await;
        let (theirs, folder, constant, source, ours) = (
            theirs.to_string(),
            folder.to_string(),
            constant.to_string(),
            source.to_string(),
            ours_id.to_string(),
        );
        let attempts: Vec<(&str, Vec<(&str, &str)>)> = vec![
            ("apps/details", vec![("app_id", &theirs)]),
            (
                "apps/update",
                vec![("app_id", &theirs), ("name", "Mine now"), ("body", "")],
            ),
            ("apps/delete", vec![("app_id", &theirs)]),
            // Filing our app into their folder.
            (
                "apps/update",
                vec![
                    ("app_id", &ours),
                    ("name", "Ours"),
                    ("folder_id", &folder),
                    ("body", ""),
                ],
            ),
            (
                "apps/create",
                vec![("name", "Sneaky"), ("folder_id", &folder)],
            ),
            ("folders/details", vec![("folder_id", &folder)]),
            ("folders/delete", vec![("folder_id", &folder)]),
            ("constants/details", vec![("constant_id", &constant)]),
            ("constants/reveal", vec![("constant_id", &constant)]),
            (
                "constants/update",
                vec![("constant_id", &constant), ("value", "x")],
            ),
            ("data-sources/details", vec![("data_source_id", &source)]),
            (
                "data-sources/configuration",
                vec![("data_source_id", &source)],
            ),
            // An id of another kind is not found either.
            ("apps/details", vec![("app_id", &folder)]),
            ("constants/reveal", vec![("constant_id", &ours)]),
        ];
        for (endpoint, form) in attempts {
            let reply = world.call(&world.ada, endpoint, &form).await;
            assert_eq!(
                reply.status,
                StatusCode::NOT_FOUND,
                "{endpoint} {form:?}: {}",
                reply.body
            );
            assert_eq!(error_code(&reply), "ResourceNotFound");
            assert!(!reply.body.contains(SECRET));
        }
        assert_eq!(world.footprint().await, before, "nothing was written");
        // And from outside the workspace, acme's resources are out of reach entirely.
        let reply = world
            .on(&olga.cookie, "apps/details", ("app_id", ours_id), &[])
            .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        assert_eq!(error_code(&reply), "WorkspaceUnavailable");
    })
    .await;
}

#[tokio::test]
async fn secrets_are_masked_everywhere_and_revealed_only_to_those_who_may_view_them() {
    on_each_backend(|db| async move {
        let world = World::new(db).await;
        let (bea, eve) = (world.builder.1.clone(), world.end_user.1.clone());
        let constant = world.create_constant(&bea, "API_KEY", SECRET).await;
        let source = world.create_data_source(&bea, "Reporting").await;
        let (constant_id, source_id) = (constant.to_string(), source.to_string());

        for cookie in [&world.ada, &bea] {
            for (endpoint, form) in [
                ("constants/list", vec![]),
                (
                    "constants/details",
                    vec![("constant_id", constant_id.as_str())],
                ),
                ("data-sources/list", vec![]),
                (
                    "data-sources/details",
                    vec![("data_source_id", source_id.as_str())],
                ),
                ("dashboard", vec![]),
            ] {
                let reply = world.call(cookie, endpoint, &form).await;
                assert_eq!(reply.status, StatusCode::OK, "{endpoint}");
                assert!(!reply.body.contains(SECRET), "{endpoint}: {}", reply.body);
                assert!(
                    !reply.body.contains("hunter2"),
                    "{endpoint}: {}",
                    reply.body
                );
            }
            for path in [
                "/acme/settings/constants".to_string(),
                format!("/acme/constants/{constant}"),
                format!("/acme/data-sources/{source}"),
            ] {
                let page = world.app.get(&path, Some(cookie)).await;
                assert_eq!(page.status, StatusCode::OK, "{path}");
                assert!(!page.body.contains(SECRET), "{path}");
                assert!(!page.body.contains("hunter2"), "{path}");
            }
        }
        let listed = world.ok(&bea, "constants/list", &[]).await;
        assert_eq!(listed["constants"][0]["name"], "API_KEY");
        assert_eq!(listed["constants"][0]["can_edit"], true);
        assert_eq!(
            listed["constants"][0]
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            ["can_delete", "can_edit", "id", "name"],
            "no value, not even masked"
        );
        let stored: String = sqlx::query_scalar("SELECT ciphertext FROM resources WHERE id = $1")
            .bind(constant)
            .fetch_one(&world.app.db)
            .await
            .unwrap();
        assert!(!stored.contains(SECRET), "sealed at rest");

        // Reveal: admins and builders may view constants; end-users don't see them.
        let revealed = world
            .ok(&bea, "constants/reveal", &[("constant_id", &constant_id)])
            .await;
        assert_eq!(revealed, SECRET);
        assert_eq!(
            world.ok(&eve, "constants/list", &[]).await["constants"],
            json!([])
        );
        let refused = world
            .call(&eve, "constants/reveal", &[("constant_id", &constant_id)])
            .await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND);
        assert!(!refused.body.contains(SECRET));

        // A custom group's View rule on the constant lets Eve reveal it, not change it.
        let key = rule("Key", ResourceKind::Constant, Access::View, &[constant]);
        world.custom_group("Readers", &key, world.end_user.0).await;
        let listed = world.ok(&eve, "constants/list", &[]).await;
        assert_eq!(listed["constants"][0]["can_edit"], false);
        assert_eq!(listed["can_create"], false);
        assert_eq!(
            world
                .ok(&eve, "constants/reveal", &[("constant_id", &constant_id)])
                .await,
            SECRET
        );
        let change = world
            .call(
                &eve,
                "constants/update",
                &[("constant_id", &constant_id), ("value", "overwritten")],
            )
            .await;
        assert_eq!(change.status, StatusCode::FORBIDDEN);

        // A builder changes the value; the new one is what is revealed.
        world
            .ok(
                &bea,
                "constants/update",
                &[("constant_id", &constant_id), ("value", "sk-rotated")],
            )
            .await;
        assert_eq!(
            world
                .ok(
                    &world.ada,
                    "constants/reveal",
                    &[("constant_id", &constant_id)]
                )
                .await,
            "sk-rotated"
        );

        // Data sources: Configure reads the configuration; end-users don't see them.
        assert_eq!(
            world
                .ok(
                    &bea,
                    "data-sources/configuration",
                    &[("data_source_id", &source_id)]
                )
                .await,
            CONFIGURATION
        );
        assert_eq!(
            world.ok(&eve, "data-sources/list", &[]).await["data_sources"],
            json!([])
        );
        for endpoint in ["data-sources/configuration", "data-sources/details"] {
            let reply = world
                .call(&eve, endpoint, &[("data_source_id", &source_id)])
                .await;
            assert_eq!(reply.status, StatusCode::NOT_FOUND, "{endpoint}");
        }
        let listed = world.ok(&bea, "data-sources/list", &[]).await;
        assert_eq!(listed["data_sources"][0]["kind"], "PostgreSql");
        assert_eq!(listed["data_sources"][0]["can_configure"], true);

        // The audit trail names what was read or changed, never a value.
        let trail = world.audit_actions().await;
        assert!(trail.contains(&("resource.revealed".into(), "constant API_KEY".into())));
        assert!(trail.contains(&("resource.revealed".into(), "data_source Reporting".into())));
        for (_, detail) in &trail {
            assert!(
                !detail.contains(SECRET)
                    && !detail.contains("hunter2")
                    && !detail.contains("sk-rotated")
            );
        }
    })
    .await;
}

fn rule(name: &str, kind: ResourceKind, access: Access, ids: &[i64]) -> Rule {
    Rule {
        id: 0,
        name: name.into(),
        kind,
        access,
        hide_from_dashboard: false,
        scope: Scope::Only(ids.iter().copied().collect()),
    }
}

#[tokio::test]
async fn a_custom_group_rule_on_one_app_grants_exactly_that_app() {
    on_each_backend(|db| async move {
        let world = World::new(db).await;
        let bea = world.builder.1.clone();
        let billing = world.create_app(&world.ada, "Billing", None).await;
        let payroll = world.create_app(&world.ada, "Payroll", None).await;
        for app_id in [billing, payroll] {
            world.release(&world.ada, app_id).await;
        }

        // The Builder group no longer edits every app; Bea's custom group edits Billing.
        let mut conn = world.app.db.acquire().await.unwrap();
        let builders = app::groups::store::find_role_group(&mut conn, world.acme, Role::Builder)
            .await
            .unwrap();
        for rule in builders
            .rules
            .iter()
            .filter(|rule| rule.kind == ResourceKind::App)
        {
            app::groups::store::delete_rule(&mut conn, rule.id)
                .await
                .unwrap();
        }
        drop(conn);
        let billing_only = rule("Billing", ResourceKind::App, Access::Edit, &[billing]);
        world
            .custom_group("Billing team", &billing_only, world.builder.0)
            .await;

        let board = world.ok(&bea, "dashboard", &[]).await;
        assert_eq!(dashboard_apps(&board), BTreeSet::from([billing]));
        assert_eq!(board["unfiled"][0]["can_edit"], true);
        let invoices = [("name", "Billing"), ("body", "Invoices")];
        world
            .on(&bea, "apps/update", ("app_id", billing), &invoices)
            .await
            .ok();

        let before = world.footprint().await;
        for (endpoint, form) in [
            ("apps/details", vec![]),
            ("apps/update", vec![("name", "Payroll"), ("body", "x")]),
            // The Apps › Delete flag reaches every app, but not one Bea can't see.
            ("apps/delete", vec![]),
        ] {
            let reply = world.on(&bea, endpoint, ("app_id", payroll), &form).await;
            assert_eq!(
                reply.status,
                StatusCode::NOT_FOUND,
                "{endpoint}: {}",
                reply.body
            );
        }
        assert_eq!(world.footprint().await, before);

        // Everyone else keeps what their role gives.
        let board = world.ok(&world.end_user.1, "dashboard", &[]).await;
        assert_eq!(dashboard_apps(&board), BTreeSet::from([billing, payroll]));
    })
    .await;
}

#[tokio::test]
async fn deleting_a_folder_unfiles_its_apps() {
    on_each_backend(|db| async move {
        let world = World::new(db).await;
        let folder = world.create_folder(&world.ada, "Operations").await;
        let first = world.create_app(&world.ada, "Rota", Some(folder)).await;
        let second = world.create_app(&world.ada, "Shifts", Some(folder)).await;
        for app_id in [first, second] {
            world.release(&world.ada, app_id).await;
        }
        let board = world.ok(&world.end_user.1, "dashboard", &[]).await;
        assert_eq!(board["folders"][0]["folder"]["name"], "Operations");
        assert_eq!(
            ids_of(&board["folders"][0]["apps"]),
            BTreeSet::from([first, second])
        );

        // End-users can't delete it; builders can.
        let this_folder = ("folder_id", folder);
        let reply = world
            .on(&world.end_user.1, "folders/delete", this_folder, &[])
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        world
            .on(&world.builder.1, "folders/delete", this_folder, &[])
            .await
            .ok();

        let folders: Vec<Option<i64>> =
            sqlx::query_scalar("SELECT folder_id FROM resources WHERE kind = 'app' ORDER BY id")
                .fetch_all(&world.app.db)
                .await
                .unwrap();
        assert_eq!(folders, [None, None]);
        let board = world.ok(&world.end_user.1, "dashboard", &[]).await;
        assert_eq!(board["folders"], json!([]));
        assert_eq!(ids_of(&board["unfiled"]), BTreeSet::from([first, second]));
    })
    .await;
}

#[tokio::test]
async fn invalid_or_taken_names_are_refused_and_write_nothing() {
    on_each_backend(|db| async move {
        let world = World::new(db).await;
        let bea = world.builder.1.clone();
        world.create_app(&bea, "Billing", None).await;
        world.create_constant(&bea, "API_KEY", "x").await;
        // Names are unique per kind: a folder may share an app's name.
        world.create_folder(&bea, "Billing").await;

        let before = world.footprint().await;
        let (long_name, long_value) = ("x".repeat(101), "v".repeat(10_001));
        let cases: Vec<Case> = vec![
            (
                "apps/create",
                vec![("name", " billing ")],
                StatusCode::CONFLICT,
                json!({"ResourceNameTaken": {"noun": "app"}}),
            ),
            (
                "apps/create",
                vec![("name", "   ")],
                StatusCode::UNPROCESSABLE_ENTITY,
                json!("ResourceNameRequired"),
            ),
            (
                "folders/create",
                vec![("name", &long_name)],
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({"ResourceNameTooLong": {"max": 100}}),
            ),
            (
                "constants/create",
                vec![("name", "api_key"), ("value", "y")],
                StatusCode::CONFLICT,
                json!({"ResourceNameTaken": {"noun": "workspace constant"}}),
            ),
            (
                "constants/create",
                vec![("name", "API-KEY"), ("value", "y")],
                StatusCode::UNPROCESSABLE_ENTITY,
                json!("ConstantNameInvalid"),
            ),
            (
                "constants/create",
                vec![("name", "BIG"), ("value", &long_value)],
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({"ResourceTextTooLong": {"field": "value", "max": 10_000}}),
            ),
            (
                "data-sources/create",
                vec![
                    ("name", "Warehouse"),
                    ("kind", "oracle"),
                    ("configuration", ""),
                ],
                StatusCode::UNPROCESSABLE_ENTITY,
                json!("UnknownDataSourceKind"),
            ),
        ];
        for (endpoint, form, status, code) in cases {
            let reply = world.call(&bea, endpoint, &form).await;
            assert_eq!(reply.status, status, "{endpoint}: {}", reply.body);
            assert_eq!(error_code(&reply), code, "{endpoint}");
        }
        let reply = world
            .call(&bea, "apps/create", &[("name", "billing")])
            .await;
        assert_eq!(
            reply.json()["message"],
            "Another app in this workspace already has this name."
        );
        assert_eq!(world.footprint().await, before);
    })
    .await;
}

#[tokio::test]
async fn moving_an_app_takes_edit_on_it_and_a_folder_the_mover_sees() {
    on_each_backend(|db| async move {
        let world = World::new(db).await;
        let folder = world.create_folder(&world.ada, "Finance").await;
        let this_app = (
            "app_id",
            world.create_app(&world.ada, "Billing", None).await,
        );
        world.release(&world.ada, this_app.1).await;
        let (world, bea, eve) = (&world, &world.builder.1, &world.end_user.1);
        let move_to = |cookie, folder: Option<i64>| async move {
            let folder = folder.map(|id| id.to_string()).unwrap_or_default();
            let form = [("name", "Billing"), ("folder_id", &folder), ("body", "")];
            world.on(cookie, "apps/update", this_app, &form).await
        };
        let refused = move_to(eve, Some(folder)).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        move_to(bea, Some(folder)).await.ok();
        let details = world.on(eve, "apps/details", this_app, &[]).await.ok();
        assert_eq!(details["folder"]["id"], folder);
        let missing = move_to(bea, Some(999_999)).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        // An empty folder field takes it out again.
        move_to(bea, None).await.ok();
        let details = world.on(bea, "apps/details", this_app, &[]).await.ok();
        assert_eq!(details["folder"], Value::Null);
    })
    .await;
}

#[tokio::test]
async fn resource_pages_answer_as_their_data_does_and_every_member_finds_constants_and_data_sources()
 {
    on_each_backend(|db| async move {
        let world = World::new(db).await;
        let app_id = world.create_app(&world.ada, "Inventory", None).await;
        let folder = world.create_folder(&world.ada, "Stock").await;
        let constant = world.create_constant(&world.ada, "API_KEY", SECRET).await;
        let source = world.create_data_source(&world.ada, "Warehouse").await;
        let (_, olga_cookie) = world.app.user_with_session("olga@example.com").await;
        // Each page is rendered with what its server function answers the viewer, and with
        // its status: an end-user sees no app before it is released.
        for (path, details) in [
            (
                format!("/acme/apps/{app_id}"),
                Some(("apps/details", ("app_id", app_id))),
            ),
            (
                format!("/acme/folders/{folder}"),
                Some(("folders/details", ("folder_id", folder))),
            ),
            (
                format!("/acme/constants/{constant}"),
                Some(("constants/details", ("constant_id", constant))),
            ),
            (
                format!("/acme/data-sources/{source}"),
                Some(("data-sources/details", ("data_source_id", source))),
            ),
            ("/acme/settings/constants".to_string(), None),
            ("/acme/settings/data-sources".to_string(), None),
        ] {
            let page = world.app.get(&path, Some(&world.end_user.1)).await;
            let expected = match details {
                Some((endpoint, resource)) => {
                    world
                        .on(&world.end_user.1, endpoint, resource, &[])
                        .await
                        .status
                }
                None => StatusCode::OK,
            };
            assert_eq!(page.status, expected, "{path}");
            assert!(!page.body.contains(SECRET), "{path}");
            let outsider = world.app.get(&path, Some(&olga_cookie)).await;
            assert_eq!(outsider.status, StatusCode::NOT_FOUND, "{path}");
        }
        let unreleased = world
            .app
            .get(&format!("/acme/apps/{app_id}"), Some(&world.end_user.1))
            .await;
        assert_eq!(unreleased.status, StatusCode::NOT_FOUND);
        let page = world.app.get("/acme", Some(&world.end_user.1)).await;
        assert_eq!(page.status, StatusCode::OK);
        let nav = &page.body[page.body.find("<nav").unwrap()..page.body.find("</nav>").unwrap()];
        assert!(nav.contains(">Workspace constants</a>"), "{nav}");
        assert!(nav.contains(">Data sources</a>"), "{nav}");
        assert!(!nav.contains(">Users</a>"), "users stay admin-only: {nav}");
        assert!(!nav.contains(">Groups</a>"), "{nav}");
        let page = world.app.get("/acme", Some(&world.ada)).await;
        assert!(page.body.contains(">Users</a>"));
        assert!(
            page.body
                .contains("You are <strong>Admin</strong> in this workspace.")
        );
    })
    .await;
}

#[tokio::test]
async fn each_viewer_sees_their_own_metadata_and_only_constants_they_may_view() {
    on_each_backend(|db| async move {
        let world = World::new(db).await;
        let acme = world.app.session("acme", world.ada.clone());
        for (user_id, department) in [
            (world.builder.0, "Engineering"),
            (world.end_user.0, "<i>Support</i>"),
        ] {
            acme.call_json(
                "users/update",
                json!({
                    "user_id": user_id,
                    "role": if user_id == world.builder.0 { "builder" } else { "end-user" },
                    "metadata": [{ "key": "department", "value": department }],
                }),
            )
            .await
            .ok();
        }
        world
            .ok(
                &world.ada,
                "constants/create",
                &[("name", "REGION"), ("value", "eu-west")],
            )
            .await;
        let app_id = world.create_app(&world.ada, "Directory", None).await;
        let body = [
            ("name", "Directory"),
            (
                "body",
                "Dept: {{globals.currentUser.metadata.department}}; {{constants.REGION}}",
            ),
        ];
        world
            .on(&world.ada, "apps/update", ("app_id", app_id), &body)
            .await
            .ok();
        world.release(&world.ada, app_id).await;

        let rendered_for = |cookie: String| {
            let world = &world;
            async move {
                world
                    .on(&cookie, "apps/details", ("app_id", app_id), &[])
                    .await
                    .ok()["rendered"]
                    .clone()
            }
        };
        // Metadata renders for its owner only; constants for those who may view them,
        // which End-users by default may not.
        assert_eq!(
            rendered_for(world.builder.1.clone()).await,
            "Dept: Engineering; eu-west"
        );
        assert_eq!(
            rendered_for(world.end_user.1.clone()).await,
            "Dept: &lt;i&gt;Support&lt;/i&gt;; "
        );
        assert_eq!(rendered_for(world.ada.clone()).await, "Dept: ; eu-west");
    })
    .await;
}
