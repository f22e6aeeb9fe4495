//! The audit log over HTTP, on SQLite and PostgreSQL: admins read and export their
//! workspace's events, super admins everyone's, nobody else anything; filters, keyset
//! pages, exports that are themselves audited, spreadsheet-safe CSV, retention, and no
//! secret in any event.

use crate::support::{PASSWORD, Reply, TestApp, error_code};
use app::db::testing::on_each_backend;
use app::memberships::{MembershipStatus, Role};
use axum::http::StatusCode;
use serde_json::{Value, json};

const FROM_ADDRESS: &[(&str, &str)] = &[
    ("sec-fetch-site", "same-origin"),
    ("x-forwarded-for", "203.0.113.7"),
];

/// Behind a proxy Gatehouse trusts, so each request's address is the one forwarded.
fn behind_proxy(db: app::db::Db) -> TestApp {
    TestApp::with_settings(db, &[("GATEHOUSE_TRUST_PROXY", "true")])
}

async fn workspace_log(app: &TestApp, cookie: &str, slug: &str, filter: Value) -> Reply {
    let arguments = json!({ "slug": slug, "filter": filter, "older_than": null });
    app.call_json("audit/workspace", arguments, Some(cookie))
        .await
}

async fn workspace_page(app: &TestApp, cookie: &str, filter: Value, older_than: Value) -> Value {
    let arguments = json!({ "slug": "acme", "filter": filter, "older_than": older_than });
    app.call_json("audit/workspace", arguments, Some(cookie))
        .await
        .ok()
}

async fn instance_log(app: &TestApp, cookie: &str, filter: Value) -> Reply {
    let arguments = json!({ "filter": filter, "older_than": null });
    app.call_json("audit/instance", arguments, Some(cookie))
        .await
}

fn sentences(page: &Value) -> Vec<String> {
    page["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|event| event["sentence"].as_str().unwrap().to_string())
        .collect()
}

/// Invites Bea as an End-user and makes her a Builder.
async fn invite_and_promote_bea(app: &TestApp, ada: &str) -> i64 {
    let invite = json!({
        "slug": "acme", "full_name": "Bea Builder", "email": "bea@example.com",
        "role": "end-user", "metadata": [],
    });
    let reply = app.call_json("users/invite", invite, Some(ada)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let bea = app.user_id("bea@example.com").await;
    let update = json!({
        "slug": "acme", "user_id": bea, "role": "builder", "metadata": [],
    });
    app.call_json("users/update", update, Some(ada)).await.ok();
    bea
}

#[tokio::test]
async fn admins_read_their_workspace_newest_first_in_sentences() {
    on_each_backend(|db| async move {
        let app = behind_proxy(db);
        let ada = app.set_up().await;
        invite_and_promote_bea(&app, &ada).await;
        let page = workspace_log(&app, &ada, "acme", json!({})).await.ok();
        let said = sentences(&page);
        assert_eq!(
            said[0],
            "Ada Lovelace changed Bea Builder's role from End-user to Builder"
        );
        assert!(
            said.contains(&"Ada Lovelace invited Bea Builder as End-user".to_string()),
            "{said:?}"
        );
        let newest = &page["events"][0];
        assert_eq!(newest["actor_email"], "ada@example.com");
        assert_eq!(newest["target_email"], "bea@example.com");
        assert_eq!(newest["workspace"], "Acme");
        assert_eq!(newest["action"], "member.role_changed");
        assert_eq!(newest["category"], "members");
        let times: Vec<i64> = page["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|event| event["occurred_at"].as_i64().unwrap())
            .collect();
        assert!(times.windows(2).all(|pair| pair[0] >= pair[1]), "{times:?}");
    })
    .await;
}

#[tokio::test]
async fn each_event_keeps_the_address_its_request_came_from() {
    on_each_backend(|db| async move {
        let app = behind_proxy(db);
        let ada = app.set_up().await;
        let form = [("slug", "acme"), ("name", "Finance")];
        let reply = app
            .call_with("groups/create", &form, Some(&ada), FROM_ADDRESS)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let filter = json!({ "action": "group.created" });
        let page = workspace_log(&app, &ada, "acme", filter).await.ok();
        assert_eq!(page["events"][0]["source_address"], "203.0.113.7");
        assert_eq!(
            page["events"][0]["sentence"],
            "Ada Lovelace created a group: Finance"
        );
    })
    .await;
}

#[tokio::test]
async fn filters_narrow_the_events_and_bad_ones_are_refused() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        invite_and_promote_bea(&app, &ada).await;
        let session = app.session("acme", ada.clone());
        session.custom_group("Finance", false).await;

        let only = |filter: Value| {
            let (app, ada) = (&app, &ada);
            async move {
                let page = workspace_log(app, ada, "acme", filter).await.ok();
                page["events"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|event| event["action"].as_str().unwrap().to_string())
                    .collect::<Vec<_>>()
            }
        };
        let groups = only(json!({ "action": "groups_and_permissions" })).await;
        assert!(!groups.is_empty());
        assert!(
            groups.iter().all(|action| action.starts_with("group.")),
            "{groups:?}"
        );
        let about_bea = only(json!({ "target": "BEA@example.com" })).await;
        assert!(about_bea.contains(&"member.role_changed".to_string()));
        assert!(about_bea.contains(&"member.invited".to_string()));
        assert!(!about_bea.contains(&"group.created".to_string()));
        let by_bea = only(json!({ "actor": "bea@example.com" })).await;
        assert!(by_bea.is_empty(), "{by_bea:?}");
        let by_nobody = only(json!({ "actor": "nobody@example.com" })).await;
        assert!(by_nobody.is_empty());
        let long_ago = only(json!({ "from": "2001-01-01", "to": "2001-12-31" })).await;
        assert!(long_ago.is_empty());
        let since_2001 = only(json!({ "from": "2001-01-01" })).await;
        assert!(since_2001.len() >= 3, "{since_2001:?}");

        for (filter, code) in [
            (
                json!({ "from": "2026-02-30" }),
                json!({"AuditDateInvalid": {"field": "From"}}),
            ),
            (
                json!({ "to": "yesterday" }),
                json!({"AuditDateInvalid": {"field": "To"}}),
            ),
            (
                json!({ "from": "2026-05-02", "to": "2026-05-01" }),
                json!("AuditDatesReversed"),
            ),
            (
                json!({ "action": "member.exploded" }),
                json!("UnknownAuditAction"),
            ),
        ] {
            let refused = workspace_log(&app, &ada, "acme", filter).await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(error_code(&refused), code);
        }
    })
    .await;
}

#[tokio::test]
async fn pages_follow_each_other_without_gaps_or_repeats() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let session = app.session("acme", ada.clone());
        for number in 0..120 {
            session
                .custom_group(&format!("Team {number:03}"), false)
                .await;
        }
        let filter = json!({ "action": "group.created" });
        let mut seen = Vec::new();
        let mut cursor = Value::Null;
        loop {
            let page = workspace_page(&app, &ada, filter.clone(), cursor).await;
            let events = page["events"].as_array().unwrap();
            assert!(events.len() <= 50);
            seen.extend(
                events
                    .iter()
                    .map(|event| event["detail"].as_str().unwrap().to_string()),
            );
            cursor = page["older"].clone();
            if cursor.is_null() {
                break;
            }
        }
        let expected: Vec<String> = (0..120)
            .rev()
            .map(|number| format!("Team {number:03}"))
            .collect();
        assert_eq!(seen, expected);
    })
    .await;
}

#[tokio::test]
async fn only_admins_read_a_workspace_log_and_only_super_admins_the_instance_log() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let active = MembershipStatus::Active;
        let (_, builder) = app
            .member_of("acme", "bo@example.com", Role::Builder, active)
            .await;
        let (_, end_user) = app
            .member_of("acme", "eu@example.com", Role::EndUser, active)
            .await;
        let other = app
            .admin_of_new_workspace("olga@example.com", "Globex")
            .await;

        assert_eq!(
            workspace_log(&app, &ada, "acme", json!({})).await.status,
            StatusCode::OK
        );
        let globex = workspace_log(&app, &other.cookie, "globex", json!({}))
            .await
            .ok();
        assert!(
            sentences(&globex)
                .iter()
                .all(|sentence| !sentence.contains("Ada")),
            "an admin reads only their own workspace's events"
        );
        // Ada is a super admin: she reads Globex too, as its admin would.
        assert_eq!(
            workspace_log(&app, &ada, "globex", json!({})).await.status,
            StatusCode::OK
        );

        for cookie in [&builder, &end_user] {
            let refused = workspace_log(&app, cookie, "acme", json!({})).await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
            assert_eq!(error_code(&refused), "AdminRequired");
            let refused = instance_log(&app, cookie, json!({})).await;
            assert_eq!(error_code(&refused), "SuperAdminRequired");
        }
        let refused = workspace_log(&app, &other.cookie, "acme", json!({})).await;
        assert_eq!(error_code(&refused), "WorkspaceUnavailable");
        let refused = instance_log(&app, &other.cookie, json!({})).await;
        assert_eq!(error_code(&refused), "SuperAdminRequired");
        let signed_out = app
            .call_json(
                "audit/instance",
                json!({"filter": {}, "older_than": null}),
                None,
            )
            .await;
        assert_eq!(error_code(&signed_out), "NotSignedIn");

        // The downloads answer the same way.
        for (path, cookie, status) in [
            (
                "/acme/settings/audit-log/export?format=csv",
                &builder,
                StatusCode::FORBIDDEN,
            ),
            (
                "/acme/settings/audit-log/export?format=csv",
                &other.cookie,
                StatusCode::NOT_FOUND,
            ),
            (
                "/settings/audit-log/export?format=ndjson",
                &end_user,
                StatusCode::FORBIDDEN,
            ),
            (
                "/settings/audit-log/export?format=ndjson",
                &other.cookie,
                StatusCode::FORBIDDEN,
            ),
        ] {
            let reply = app.get(path, Some(cookie)).await;
            assert_eq!(reply.status, status, "{path}: {}", reply.body);
            assert!(!reply.body.contains("member."), "{path}: {}", reply.body);
        }
        let signed_out = app.get("/settings/audit-log/export?format=csv", None).await;
        assert_eq!(signed_out.status, StatusCode::SEE_OTHER);

        let everything = instance_log(&app, &ada, json!({})).await.ok();
        let workspaces: Vec<&str> = everything["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|event| event["workspace"].as_str())
            .collect();
        assert!(workspaces.contains(&"Globex") || workspaces.contains(&"Acme"));
        let only_globex = instance_log(&app, &ada, json!({ "workspace": "globex" }))
            .await
            .ok();
        assert!(
            only_globex["events"]
                .as_array()
                .unwrap()
                .iter()
                .all(|event| event["workspace"] == "Globex")
        );
        let unknown = instance_log(&app, &ada, json!({ "workspace": "nowhere" })).await;
        assert_eq!(error_code(&unknown), "WorkspaceNotFound");
    })
    .await;
}

/// Parses a CSV download into its rows, header first.
fn csv_rows(body: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body.as_bytes())
        .records()
        .map(|record| record.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[tokio::test]
async fn exports_hold_the_filtered_events_and_are_audited_themselves() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let session = app.session("acme", ada.clone());
        session.custom_group("=HYPERLINK(\"http://evil.example\")", false).await;
        session.custom_group("Finance", false).await;
        invite_and_promote_bea(&app, &ada).await;

        let path = "/acme/settings/audit-log/export?format=csv&action=group.created&actor=&target=&resource=&from=&to=";
        let csv = app.get(path, Some(&ada)).await;
        assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
        assert_eq!(csv.header("content-type"), "text/csv; charset=utf-8");
        assert!(csv.header("content-disposition").contains("audit-log-acme.csv"));
        let rows = csv_rows(&csv.body);
        assert_eq!(rows[0][0], "Time (UTC)");
        let details: Vec<&str> = rows[1..].iter().map(|row| row[12].as_str()).collect();
        assert_eq!(details, ["Finance", "'=HYPERLINK(\"http://evil.example\")"]);
        assert!(rows[1..].iter().all(|row| row[5] == "group.created"));

        // The same events as the page shows, in the same order.
        let page = workspace_log(&app, &ada, "acme", json!({ "action": "group.created" }))
            .await
            .ok();
        let shown: Vec<i64> = page["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|event| event["occurred_at"].as_i64().unwrap())
            .collect();
        let exported: Vec<i64> = rows[1..].iter().map(|row| row[1].parse().unwrap()).collect();
        assert_eq!(shown, exported);

        let ndjson = app
            .get("/acme/settings/audit-log/export?format=ndjson&target=bea%40example.com", Some(&ada))
            .await;
        assert_eq!(ndjson.header("content-type"), "application/x-ndjson");
        let lines: Vec<Value> = ndjson
            .body
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert!(lines.len() >= 2);
        assert!(lines.iter().all(|line| line["target"]["email"] == "bea@example.com"));

        let exports = workspace_log(&app, &ada, "acme", json!({ "action": "audit.exported" }))
            .await
            .ok();
        assert_eq!(
            sentences(&exports),
            [
                "Ada Lovelace exported the audit log: ndjson (target=bea@example.com)",
                "Ada Lovelace exported the audit log: csv (action=group.created)",
            ]
        );

        let refused = app
            .get("/acme/settings/audit-log/export?format=xlsx", Some(&ada))
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        let refused = app
            .get("/acme/settings/audit-log/export?format=csv&from=someday", Some(&ada))
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused.body, "From must be a date like 2026-11-30.");
    })
    .await;
}

#[tokio::test]
async fn no_secret_reaches_an_event() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let metadata_value = "sk-live-0123456789abcdef";
        let invite = json!({
            "slug": "acme", "full_name": "Bea Builder", "email": "bea@example.com",
            "role": "builder", "metadata": [{"key": "api_key", "value": metadata_value}],
        });
        app.call_json("users/invite", invite, Some(&ada)).await.ok();
        let token = app.token(&ada, &["members:read"]).await;
        let new_password = "a much newer passphrase";
        let form = [
            ("current_password", PASSWORD),
            ("new_password", new_password),
        ];
        let changed = app.call("profile/password", &form, Some(&ada)).await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
        let ada = app
            .sign_in("ada@example.com", new_password, None)
            .await
            .session_cookie();
        let link_token = app.last_mailed_token().await;

        let everything = app
            .get("/settings/audit-log/export?format=ndjson", Some(&ada))
            .await;
        assert_eq!(everything.status, StatusCode::OK);
        assert!(
            everything.body.contains("member.metadata_changed")
                || everything.body.contains("member.invited")
        );
        for secret in [metadata_value, &token, new_password, PASSWORD, &link_token] {
            assert!(!everything.body.contains(secret), "an event holds a secret");
        }
        let stored: Vec<String> = sqlx::query_scalar("SELECT detail FROM audit_events")
            .fetch_all(&app.db)
            .await
            .unwrap();
        for secret in [metadata_value, &token, new_password, &link_token] {
            assert!(stored.iter().all(|detail| !detail.contains(secret)));
        }
    })
    .await;
}

#[tokio::test]
async fn retention_prunes_only_expired_events_and_is_for_super_admins() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db.clone());
        let ada = app.set_up().await;
        let old = app::db::now() - 40 * 86_400;
        for _ in 0..3 {
            sqlx::query(
                "INSERT INTO audit_events (occurred_at, action, detail) VALUES ($1, 'group.created', 'Old')",
            )
            .bind(old)
            .execute(&db)
            .await
            .unwrap();
        }
        let state = app::state::AppState::new(
            db.clone(),
            app.config.clone(),
            leptos::config::LeptosOptions::builder()
                .output_name("gatehouse")
                .build(),
            std::sync::Arc::new(app::db::testing::test_keyring()),
        );
        // Forever by default: nothing goes, and nothing may be deleted by hand.
        assert_eq!(app::audit::operations::prune_expired(&state).await.unwrap(), 0);
        assert!(sqlx::query("DELETE FROM audit_events").execute(&db).await.is_err());

        let active = MembershipStatus::Active;
        let (_, admin) = app.member_of("acme", "al@example.com", Role::Admin, active).await;
        let refused = app.call("audit/set-retention", &[("days", "30")], Some(&admin)).await;
        assert_eq!(error_code(&refused), "SuperAdminRequired");
        for typed in ["0", "forty"] {
            let refused = app.call("audit/set-retention", &[("days", typed)], Some(&ada)).await;
            assert_eq!(
                error_code(&refused),
                json!({"AuditRetentionOutOfRange": {"max": 36_500}})
            );
        }
        let before = app.count("audit_events").await;
        let set = app.call("audit/set-retention", &[("days", "30")], Some(&ada)).await;
        assert_eq!(set.status, StatusCode::OK, "{}", set.body);
        let settings = app.call("audit/instance-settings", &[], Some(&ada)).await.ok();
        assert_eq!(settings["retention_days"], 30);

        assert_eq!(app::audit::operations::prune_expired(&state).await.unwrap(), 3);
        // The three old events went; the change of setting and the pruning were recorded.
        assert_eq!(app.count("audit_events").await, before - 3 + 2);
        let recent = sqlx::query("DELETE FROM audit_events").execute(&db).await;
        assert!(recent.is_err(), "events inside the period are still kept");
        let page = instance_log(&app, &ada, json!({ "action": "workspaces_and_instance" }))
            .await
            .ok();
        let said = sentences(&page);
        assert_eq!(said[0], "Gatehouse deleted audit events past their retention: 3 events older than 30 days");
        assert_eq!(said[1], "Ada Lovelace changed how long audit events are kept: keep 30 days");

        app.call("audit/set-retention", &[("days", "")], Some(&ada)).await.ok();
        let settings = app.call("audit/instance-settings", &[], Some(&ada)).await.ok();
        assert_eq!(settings["retention_days"], Value::Null);
    })
    .await;
}
