//! Released apps over HTTP, on SQLite and PostgreSQL: editors change an app's draft and
//! release it as numbered versions; viewers see the newest version and never a draft; an
//! app never released exists only for its editors; restoring a version changes the draft
//! alone. Every refusal changes nothing.

use std::collections::BTreeSet;

use crate::support::{Reply, TestApp, error_code};
use app::db::testing::on_each_backend;
use app::memberships::{MembershipStatus, Role};
use axum::http::StatusCode;
use serde_json::{Value, json};

/// Ada (super admin, Admin of acme), Bea (Builder) and Eve (End-user).
struct World {
    app: TestApp,
    ada: String,
    bea: String,
    eve: String,
}

impl World {
    async fn new(db: app::db::Db) -> World {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let active = MembershipStatus::Active;
        let (_, bea) = app
            .member_of("acme", "bea@example.com", Role::Builder, active)
            .await;
        let (_, eve) = app
            .member_of("acme", "eve@example.com", Role::EndUser, active)
            .await;
        World { app, ada, bea, eve }
    }

    async fn call(&self, cookie: &str, endpoint: &str, form: &[(&str, &str)]) -> Reply {
        self.app
            .session("acme", cookie.to_string())
            .call(endpoint, form)
            .await
    }

    /// Calls a function on one app, with more fields after its id.
    async fn on(&self, cookie: &str, endpoint: &str, app_id: i64, form: &[(&str, &str)]) -> Reply {
        self.app
            .session("acme", cookie.to_string())
            .call_on(endpoint, ("app_id", app_id), form)
            .await
    }

    async fn create_app(&self, cookie: &str, name: &str, folder: Option<i64>) -> i64 {
        let folder = folder.map(|id| id.to_string()).unwrap_or_default();
        let mut form = vec![("name", name)];
        if !folder.is_empty() {
            form.push(("folder_id", &folder));
        }
        self.call(cookie, "apps/create", &form)
            .await
            .ok()
            .as_i64()
            .unwrap()
    }

    /// Saves the app's draft body, keeping its name and leaving it without a folder.
    async fn save_draft(&self, cookie: &str, app_id: i64, name: &str, body: &str) {
        let draft = [("name", name), ("body", body)];
        self.on(cookie, "apps/update", app_id, &draft).await.ok();
    }

    async fn release(&self, cookie: &str, app_id: i64, notes: &str) -> Reply {
        self.on(cookie, "apps/release", app_id, &[("notes", notes)])
            .await
    }

    async fn restore(&self, cookie: &str, app_id: i64, number: i64) -> Reply {
        let number = number.to_string();
        self.on(cookie, "apps/restore", app_id, &[("number", &number)])
            .await
    }

    /// What the app's page shows the holder of `cookie`, rendered.
    async fn rendered_for(&self, cookie: &str, app_id: i64) -> Value {
        self.on(cookie, "apps/details", app_id, &[]).await.ok()["rendered"].clone()
    }

    async fn draft(&self, cookie: &str, app_id: i64) -> Value {
        self.on(cookie, "apps/editor", app_id, &[]).await.ok()
    }

    /// The ids of every app the holder of `cookie` finds on the dashboard, with the
    /// version each is released as.
    async fn dashboard(&self, cookie: &str) -> BTreeSet<(i64, Option<i64>)> {
        let board = self.call(cookie, "dashboard", &[]).await.ok();
        let mut apps: Vec<&Value> = board["unfiled"].as_array().unwrap().iter().collect();
        for section in board["folders"].as_array().unwrap() {
            apps.extend(section["apps"].as_array().unwrap());
        }
        apps.into_iter()
            .map(|app| (app["id"].as_i64().unwrap(), app["released"].as_i64()))
            .collect()
    }

    /// The rows a release or a restore writes, to show that a refused one wrote nothing.
    async fn footprint(&self) -> Vec<String> {
        let versions: Vec<(i64, i64, String, String)> = sqlx::query_as(
            "SELECT app_id, number, body, notes FROM app_versions ORDER BY app_id, number",
        )
        .fetch_all(&self.app.db)
        .await
        .unwrap();
        let drafts: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, body FROM resources WHERE kind = 'app' ORDER BY id")
                .fetch_all(&self.app.db)
                .await
                .unwrap();
        vec![
            format!("{versions:?}"),
            format!("{drafts:?}"),
            format!("changes audited: {}", self.app.changes_audited().await),
        ]
    }

    async fn audited(&self, action: &str) -> Vec<String> {
        sqlx::query_scalar("SELECT detail FROM audit_events WHERE action = $1 ORDER BY id")
            .bind(action)
            .fetch_all(&self.app.db)
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn viewers_see_the_released_version_and_never_the_draft() {
    on_each_backend(|db| async move {
        let world = World::new(db).await;
        let (ada, bea, eve) = (&world.ada, &world.bea, &world.eve);
        let app_id = world.create_app(ada, "Billing", None).await;
        world
            .save_draft(
                ada,
                app_id,
                "Billing",
                "One for <{{globals.currentUser.email}}>",
            )
            .await;

        // Never released: its editors find it, marked as a draft; viewers don't.
        assert_eq!(world.dashboard(bea).await, BTreeSet::from([(app_id, None)]));
        assert_eq!(world.dashboard(eve).await, BTreeSet::new());
        let hidden = world.on(eve, "apps/details", app_id, &[]).await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{}", hidden.body);
        assert_eq!(error_code(&hidden), "ResourceNotFound");
        let unreleased = world.on(bea, "apps/details", app_id, &[]).await.ok();
        assert_eq!(unreleased["released"], Value::Null);
        assert_eq!(unreleased["rendered"], Value::Null);
        assert_eq!(unreleased["can_edit"], true);

        // The editor shows the draft, rendered for its editor, escaped.
        let draft = world.draft(bea, app_id).await;
        assert_eq!(draft["body"], "One for <{{globals.currentUser.email}}>");
        assert_eq!(draft["preview"], "One for &lt;bea@example.com&gt;");
        assert_eq!(draft["versions"], json!([]));

        let first = world.release(ada, app_id, "  First cut  ").await.ok();
        assert_eq!(first["number"], 1);
        assert_eq!(first["released_by"], "Ada Lovelace");
        assert_eq!(first["notes"], "First cut");
        assert!(first["released_at"].as_i64().unwrap() > 1_700_000_000);
        assert_eq!(
            world.dashboard(eve).await,
            BTreeSet::from([(app_id, Some(1))])
        );
        assert_eq!(
            world.rendered_for(eve, app_id).await,
            "One for &lt;eve@example.com&gt;"
        );
        let details = world.on(eve, "apps/details", app_id, &[]).await.ok();
        assert_eq!(details["released"]["number"], 1);
        assert!(
            !details.to_string().contains("{{"),
            "the body as written is for editors: {details}"
        );

        // A change to the draft stays with the editors until it is released.
        world
            .save_draft(
                bea,
                app_id,
                "Billing",
                "Two for {{globals.currentUser.email}}",
            )
            .await;
        assert_eq!(
            world.rendered_for(eve, app_id).await,
            "One for &lt;eve@example.com&gt;"
        );
        assert_eq!(
            world.rendered_for(bea, app_id).await,
            "One for &lt;bea@example.com&gt;",
            "the app's page shows editors what viewers see"
        );
        let second = world.release(bea, app_id, "").await.ok();
        assert_eq!(second["number"], 2);
        assert_eq!(second["released_by"], "bea@example.com");
        assert_eq!(
            world.rendered_for(eve, app_id).await,
            "Two for eve@example.com"
        );
        assert_eq!(
            world.dashboard(eve).await,
            BTreeSet::from([(app_id, Some(2))])
        );

        let versions = &world.draft(ada, app_id).await["versions"];
        let numbers: Vec<i64> = versions
            .as_array()
            .unwrap()
            .iter()
            .map(|version| version["number"].as_i64().unwrap())
            .collect();
        assert_eq!(numbers, [2, 1], "newest first");
        assert_eq!(versions[1]["notes"], "First cut");
    })
    .await;
}

#[tokio::test]
async fn restoring_a_version_changes_the_draft_and_not_what_viewers_see() {
    on_each_backend(|db| async move {
        let world = World::new(db).await;
        let (ada, eve) = (&world.ada, &world.eve);
        let app_id = world.create_app(ada, "Rota", None).await;
        for body in ["Monday", "Tuesday"] {
            world.save_draft(ada, app_id, "Rota", body).await;
            world.release(ada, app_id, body).await.ok();
        }
        world
            .save_draft(ada, app_id, "Rota", "Wednesday, unreleased")
            .await;

        world.restore(ada, app_id, 1).await.ok();
        assert_eq!(world.draft(ada, app_id).await["body"], "Monday");
        assert_eq!(world.rendered_for(eve, app_id).await, "Tuesday");
        assert_eq!(world.rendered_for(ada, app_id).await, "Tuesday");

        let missing = world.restore(ada, app_id, 9).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{}", missing.body);
        assert_eq!(error_code(&missing), "AppVersionNotFound");
        assert_eq!(
            missing.json()["message"],
            "That version of the app doesn't exist."
        );

        // Releasing the restored draft rolls viewers back, as a version of its own.
        let third = world.release(ada, app_id, "Back to Monday").await.ok();
        assert_eq!(third["number"], 3);
        assert_eq!(world.rendered_for(eve, app_id).await, "Monday");
        let stored: Vec<(i64, String)> = sqlx::query_as(
            "SELECT number, body FROM app_versions WHERE app_id = $1 ORDER BY number",
        )
        .bind(app_id)
        .fetch_all(&world.app.db)
        .await
        .unwrap();
        assert_eq!(
            stored,
            [(1, "Monday"), (2, "Tuesday"), (3, "Monday")].map(|(n, b)| (n, b.to_string()))
        );

        assert_eq!(
            world.audited("app.released").await,
            ["app Rota v1", "app Rota v2", "app Rota v3"]
        );
        assert_eq!(world.audited("app.version_restored").await, ["app Rota v1"]);
    })
    .await;
}

#[tokio::test]
async fn only_those_who_may_edit_an_app_release_it_or_restore_its_versions() {
    on_each_backend(|db| async move {
        let world = World::new(db).await;
        let (ada, eve) = (&world.ada, &world.eve);
        let released = world.create_app(ada, "Inventory", None).await;
        world.save_draft(ada, released, "Inventory", "Stock").await;
        world.release(ada, released, "").await.ok();
        world
            .save_draft(ada, released, "Inventory", "Stock, unreleased")
            .await;
        let draft_only = world.create_app(ada, "Payroll", None).await;
        world
            .save_draft(ada, draft_only, "Payroll", "Salaries")
            .await;

        let token = world
            .app
            .token(eve, &["resources:read", "resources:write"])
            .await;
        let before = world.footprint().await;
        // Eve views Inventory: she is refused what she may not do to it.
        for (endpoint, form) in [
            ("apps/release", vec![("notes", "mine")]),
            ("apps/restore", vec![("number", "1")]),
            ("apps/editor", vec![]),
            (
                "apps/preview",
                vec![("body", "{{globals.currentUser.email}}")],
            ),
        ] {
            let reply = world.on(eve, endpoint, released, &form).await;
            assert_eq!(
                reply.status,
                StatusCode::FORBIDDEN,
                "{endpoint}: {}",
                reply.body
            );
            assert_eq!(error_code(&reply), "PermissionDenied", "{endpoint}");
        }
        // Payroll doesn't exist for her at all.
        for (endpoint, form) in [
            ("apps/details", vec![]),
            ("apps/release", vec![("notes", "mine")]),
            ("apps/restore", vec![("number", "1")]),
            ("apps/editor", vec![]),
            (
                "apps/update",
                vec![("name", "Payroll"), ("body", "defaced")],
            ),
            ("apps/delete", vec![]),
        ] {
            let reply = world.on(eve, endpoint, draft_only, &form).await;
            assert_eq!(
                reply.status,
                StatusCode::NOT_FOUND,
                "{endpoint}: {}",
                reply.body
            );
            assert_eq!(error_code(&reply), "ResourceNotFound", "{endpoint}");
        }
        // Nor through the REST API.
        let acme = "/api/v1/workspaces/acme/apps";
        for (method, path, status, code) in [
            (
                "GET",
                format!("{acme}/{draft_only}"),
                404,
                "resource_not_found",
            ),
            (
                "GET",
                format!("{acme}/{draft_only}/versions"),
                404,
                "resource_not_found",
            ),
            (
                "POST",
                format!("{acme}/{draft_only}/versions"),
                404,
                "resource_not_found",
            ),
            (
                "GET",
                format!("{acme}/{released}/versions"),
                403,
                "permission_denied",
            ),
            (
                "POST",
                format!("{acme}/{released}/versions"),
                403,
                "permission_denied",
            ),
        ] {
            let reply = world.app.api(method, &path, Some(&token), None).await;
            assert_eq!(
                reply.status.as_u16(),
                status,
                "{method} {path}: {}",
                reply.body
            );
            assert_eq!(reply.json()["code"], code, "{method} {path}");
        }
        assert_eq!(world.footprint().await, before, "nothing was written");
        assert_eq!(world.rendered_for(eve, released).await, "Stock");
    })
    .await;
}

#[tokio::test]
async fn a_release_needs_a_changed_draft_and_short_notes() {
    on_each_backend(|db| async move {
        let world = World::new(db).await;
        let ada = &world.ada;
        let app_id = world.create_app(ada, "Directory", None).await;
        // An empty draft is a draft like any other.
        assert_eq!(world.release(ada, app_id, "").await.ok()["number"], 1);

        let before = world.footprint().await;
        let again = world.release(ada, app_id, "Nothing new").await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
        assert_eq!(error_code(&again), json!({"NothingToRelease": {"number": 1}}));
        assert_eq!(
            again.json()["message"],
            "The draft is the same as version 1, which viewers see already. Change the draft before releasing it."
        );
        world.save_draft(ada, app_id, "Directory", "People").await;
        let before_long = world.footprint().await;
        let long = world.release(ada, app_id, &"n".repeat(2_001)).await;
        assert_eq!(long.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", long.body);
        assert_eq!(
            error_code(&long),
            json!({"ResourceTextTooLong": {"field": "release notes", "max": 2_000}})
        );
        assert_eq!(world.footprint().await, before_long, "nothing was written");
        assert_ne!(before, before_long, "the draft was saved in between");
        assert_eq!(world.release(ada, app_id, "").await.ok()["number"], 2);

        // Deleting the app deletes its versions with it.
        world.on(ada, "apps/delete", app_id, &[]).await.ok();
        assert_eq!(world.app.count("app_versions").await, 0);
    })
    .await;
}

#[tokio::test]
async fn a_folder_holding_only_drafts_stays_hidden_from_viewers() {
    on_each_backend(|db| async move {
        let world = World::new(db).await;
        let (ada, eve) = (&world.ada, &world.eve);
        let folder = world
            .call(ada, "folders/create", &[("name", "Plans")])
            .await
            .ok()["id"]
            .as_i64()
            .unwrap();
        let app_id = world.create_app(ada, "Roadmap", Some(folder)).await;
        let folder_id = folder.to_string();
        let open_folder = [("folder_id", folder_id.as_str())];

        let board = world.call(eve, "dashboard", &[]).await.ok();
        assert_eq!(board["folders"], json!([]));
        let hidden = world.call(eve, "folders/details", &open_folder).await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{}", hidden.body);
        let listed = world.call(ada, "folders/details", &open_folder).await.ok();
        assert_eq!(listed["apps"][0]["released"], Value::Null);

        world.release(ada, app_id, "").await.ok();
        let board = world.call(eve, "dashboard", &[]).await.ok();
        assert_eq!(board["folders"][0]["folder"]["name"], "Plans");
        let opened = world.call(eve, "folders/details", &open_folder).await.ok();
        assert_eq!(opened["apps"][0]["id"], app_id);
        assert_eq!(opened["apps"][0]["released"], 1);
    })
    .await;
}

#[tokio::test]
async fn the_api_releases_apps_and_lists_their_versions() {
    on_each_backend(|db| async move {
        let world = World::new(db).await;
        let token = world
            .app
            .token(&world.ada, &["resources:read", "resources:write"])
            .await;
        let apps = "/api/v1/workspaces/acme/apps";
        let api = |method: &'static str, path: String, body: Option<Value>| {
            let (app, token) = (&world.app, token.clone());
            async move { app.api(method, &path, Some(&token), body).await }
        };
        let created = api("POST", apps.to_string(), Some(json!({"name": "Report"}))).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let id = created.json()["id"].as_i64().unwrap();
        let read = api("GET", format!("{apps}/{id}"), None).await.ok();
        assert_eq!(read["released_version"], Value::Null);
        let drafted = api(
            "PATCH",
            format!("{apps}/{id}"),
            Some(json!({"body": "Totals for {{globals.currentUser.name}}"})),
        )
        .await
        .ok();
        assert_eq!(drafted["released_version"], Value::Null);

        // Refused bodies release nothing.
        let before = world.footprint().await;
        for body in [
            json!({"notes": "x", "publish": true}),
            json!(["notes"]),
            json!({"notes": "n".repeat(2_001)}),
        ] {
            let reply = api("POST", format!("{apps}/{id}/versions"), Some(body.clone())).await;
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{body}: {}",
                reply.body
            );
        }
        assert_eq!(world.footprint().await, before);

        let first = api("POST", format!("{apps}/{id}/versions"), None).await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
        assert_eq!(first.json()["number"], 1);
        assert_eq!(first.json()["notes"], "");
        api(
            "PATCH",
            format!("{apps}/{id}"),
            Some(json!({"body": "Totals, by region"})),
        )
        .await
        .ok();
        let second = api(
            "POST",
            format!("{apps}/{id}/versions"),
            Some(json!({"notes": "By region"})),
        )
        .await;
        assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
        let again = api("POST", format!("{apps}/{id}/versions"), None).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert_eq!(again.json()["code"], "nothing_to_release");

        let listed = api("GET", format!("{apps}/{id}/versions"), None).await.ok();
        assert_eq!(listed["versions"][0]["number"], 2);
        assert_eq!(listed["versions"][0]["notes"], "By region");
        assert_eq!(listed["versions"][0]["released_by"], "Ada Lovelace");
        assert_eq!(listed["versions"][1]["number"], 1);
        assert!(
            !listed.to_string().contains("Totals"),
            "bodies stay out of the API: {listed}"
        );
        let read = api("GET", format!("{apps}/{id}"), None).await.ok();
        assert_eq!(read["released_version"], 2);
        let overview = api("GET", apps.to_string(), None).await.ok();
        assert_eq!(overview["unfiled"][0]["released_version"], 2);
        assert_eq!(
            world.audited("app.released").await.len(),
            2,
            "each release audited, with the token named"
        );
        assert!(world.audited("app.released").await[0].contains("(access token "));
        let document = world.app.get("/api/v1/openapi.json", None).await.ok();
        let versions = &document["paths"]["/api/v1/workspaces/{slug}/apps/{id}/versions"];
        assert!(versions["get"].is_object() && versions["post"].is_object());
    })
    .await;
}
