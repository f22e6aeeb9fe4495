//! SCIM 2.0 provisioning: the workspace's token, Users and Groups with the request
//! shapes Okta and Microsoft Entra ID send, filters and paging in SQL, the end-user
//! rule, attributes copied into metadata, and the rule that an identity provider
//! changes only what it provisioned.

use app::db::testing::on_each_backend;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::support::{Reply, TestApp};

const USERS: &str = "/scim/v2/acme/Users";
const GROUPS: &str = "/scim/v2/acme/Groups";
const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// A SCIM token for acme, made by Ada on the Provisioning page.
async fn scim_token(app: &TestApp, cookie: &str) -> String {
    let reply = app
        .call(
            "provisioning/tokens/create",
            &[("slug", "acme"), ("name", "Okta")],
            Some(cookie),
        )
        .await;
    reply.ok()["secret"].as_str().unwrap().to_string()
}

async fn scim(app: &TestApp, method: &str, path: &str, token: &str, body: Option<Value>) -> Reply {
    app.api(method, path, Some(token), body).await
}

/// Okta's first request for a new person.
fn okta_user(user_name: &str, given: &str, family: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
        "name": {"givenName": given, "familyName": family},
        "emails": [{"primary": true, "value": user_name, "type": "work"}],
        "displayName": format!("{given} {family}"),
        "active": true,
        "externalId": format!("okta-{given}"),
    })
}

fn patch(operations: Value) -> Value {
    json!({"schemas": [PATCH_OP], "Operations": operations})
}

fn scim_type(reply: &Reply) -> Value {
    reply.json()["scimType"].clone()
}

async fn created_user(app: &TestApp, token: &str, body: Value) -> String {
    let reply = scim(app, "POST", USERS, token, Some(body)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.json()["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn an_identity_provider_creates_finds_deactivates_and_restores_a_user() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let token = scim_token(&app, &ada).await;
        assert!(token.starts_with("gatehouse_scim_"), "{token}");

        let reply = scim(
            &app,
            "POST",
            USERS,
            &token,
            Some(okta_user("Bea@Example.com", "Bea", "Bee")),
        )
        .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        assert_eq!(reply.header("content-type"), "application/scim+json");
        let bea = reply.json();
        let id = bea["id"].as_str().unwrap().to_string();
        assert_eq!(
            reply.location(),
            format!("http://127.0.0.1:3000/scim/v2/acme/Users/{id}")
        );
        assert_eq!(bea["userName"], "Bea@Example.com");
        assert_eq!(bea["active"], true);
        assert_eq!(bea["name"]["givenName"], "Bea");
        assert_eq!(bea["meta"]["resourceType"], "User");
        app.assert_membership("acme", "bea@example.com", Some("invited"))
            .await;
        assert!(app.last_mail_body().await.contains("/invitations/"));

        // userName is case-insensitive.
        let found = scim(
            &app,
            "GET",
            &format!("{USERS}?filter=userName%20eq%20%22BEA@example.COM%22"),
            &token,
            None,
        )
        .await;
        assert_eq!(found.json()["totalResults"], 1, "{}", found.body);
        assert_eq!(found.json()["Resources"][0]["id"], id.as_str());

        // Entra ID deactivates with a string boolean.
        let off = patch(json!([{"op": "Replace", "path": "active", "value": "False"}]));
        let reply = scim(&app, "PATCH", &format!("{USERS}/{id}"), &token, Some(off)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.json()["active"], false);
        app.assert_membership("acme", "bea@example.com", Some("archived"))
            .await;

        // Okta restores with a value object; without a password yet she is invited again.
        let on = patch(json!([{"op": "replace", "value": {"active": true}}]));
        let reply = scim(&app, "PATCH", &format!("{USERS}/{id}"), &token, Some(on)).await;
        assert_eq!(reply.json()["active"], true, "{}", reply.body);
        app.assert_membership("acme", "bea@example.com", Some("invited"))
            .await;

        let detail: String = sqlx::query_scalar(
            "SELECT detail FROM audit_events WHERE action = 'member.archived' ORDER BY id DESC",
        )
        .fetch_one(&app.db)
        .await
        .unwrap();
        assert!(detail.contains("(SCIM token "), "{detail}");
        let provisioned: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'member.provisioned'",
        )
        .fetch_one(&app.db)
        .await
        .unwrap();
        assert_eq!(provisioned, 1);

        let gone = scim(&app, "DELETE", &format!("{USERS}/{id}"), &token, None).await;
        assert_eq!(gone.status, StatusCode::NO_CONTENT, "{}", gone.body);
        app.assert_membership("acme", "bea@example.com", None).await;
        let missing = scim(&app, "GET", &format!("{USERS}/{id}"), &token, None).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert_eq!(
            missing.json()["schemas"][0],
            "urn:ietf:params:scim:api:messages:2.0:Error"
        );
    })
    .await;
}

#[tokio::test]
async fn a_returning_member_with_a_password_comes_back_active_and_signed_in_members_lose_access() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let token = scim_token(&app, &ada).await;
        let id = created_user(&app, &token, okta_user("bea@example.com", "Bea", "Bee")).await;
        let link = app.last_mailed_token().await;
        let joined = app.join(&link, "Bea Bee", "a long enough password").await;
        assert_eq!(joined.status, StatusCode::OK, "{}", joined.body);
        let bea = joined.session_cookie();
        assert_eq!(
            app.workspace_context("acme", &bea).await.status,
            StatusCode::OK
        );

        let off = patch(json!([{"op": "replace", "path": "active", "value": false}]));
        scim(&app, "PATCH", &format!("{USERS}/{id}"), &token, Some(off))
            .await
            .ok();
        assert_eq!(
            app.workspace_context("acme", &bea).await.status,
            StatusCode::NOT_FOUND
        );

        let on = patch(json!([{"op": "replace", "path": "active", "value": true}]));
        scim(&app, "PATCH", &format!("{USERS}/{id}"), &token, Some(on))
            .await
            .ok();
        app.assert_membership("acme", "bea@example.com", Some("active"))
            .await;
    })
    .await;
}

#[tokio::test]
async fn an_identity_provider_never_changes_members_invited_by_hand_until_handed_over() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let token = scim_token(&app, &ada).await;
        let session = app.session("acme", ada.clone());
        session
            .invite("Cy Sea", "cy@example.com", "builder")
            .await
            .ok();
        let cy = app.user_id("cy@example.com").await;

        let listed = scim(&app, "GET", USERS, &token, None).await;
        assert_eq!(listed.json()["totalResults"], 2, "{}", listed.body);
        for (method, body) in [
            (
                "PATCH",
                Some(patch(
                    json!([{"op": "replace", "path": "active", "value": false}]),
                )),
            ),
            ("PUT", Some(okta_user("cy@example.com", "Cy", "Sea"))),
            ("DELETE", None),
        ] {
            let refused = scim(&app, method, &format!("{USERS}/{cy}"), &token, body).await;
            assert_eq!(
                refused.status,
                StatusCode::BAD_REQUEST,
                "{method}: {}",
                refused.body
            );
            assert_eq!(scim_type(&refused), "mutability");
        }
        app.assert_membership("acme", "cy@example.com", Some("invited"))
            .await;

        session
            .ok(
                "provisioning/hand-over",
                &[("user_id", &cy.to_string()), ("provisioned", "true")],
            )
            .await;
        let off = patch(json!([{"op": "replace", "path": "active", "value": false}]));
        let reply = scim(&app, "PATCH", &format!("{USERS}/{cy}"), &token, Some(off)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        app.assert_membership("acme", "cy@example.com", Some("archived"))
            .await;
    })
    .await;
}

#[tokio::test]
async fn groups_take_members_in_the_forms_okta_and_entra_send() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let token = scim_token(&app, &ada).await;
        let bea = created_user(&app, &token, okta_user("bea@example.com", "Bea", "Bee")).await;
        let cy = created_user(&app, &token, okta_user("cy@example.com", "Cy", "Sea")).await;
        let di = created_user(&app, &token, okta_user("di@example.com", "Di", "Dee")).await;

        let reply = scim(
            &app,
            "POST",
            GROUPS,
            &token,
            Some(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                        "displayName": "Support", "externalId": "g-1",
                        "members": [{"value": bea}]})),
        )
        .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        let group = reply.json()["id"].as_str().unwrap().to_string();
        let path = format!("{GROUPS}/{group}");
        let members = |reply: &Reply| -> Vec<String> {
            let mut ids: Vec<String> = reply.json()["members"]
                .as_array()
                .map(|members| members.iter().map(|m| m["value"].as_str().unwrap().to_string()).collect())
                .unwrap_or_default();
            ids.sort();
            ids
        };

        // Okta adds a list, removes by a value filter, renames with a value object.
        let add = patch(json!([{"op": "add", "path": "members", "value": [{"value": cy, "display": "Cy"}, {"value": di}]}]));
        let reply = scim(&app, "PATCH", &path, &token, Some(add)).await;
        assert_eq!(members(&reply), sorted(&[&bea, &cy, &di]), "{}", reply.body);
        let remove = patch(json!([{"op": "remove", "path": format!("members[value eq \"{bea}\"]")}]));
        let reply = scim(&app, "PATCH", &path, &token, Some(remove)).await;
        assert_eq!(members(&reply), sorted(&[&cy, &di]));
        let rename = patch(json!([{"op": "replace", "value": {"id": group, "displayName": "Helpdesk"}}]));
        assert_eq!(scim(&app, "PATCH", &path, &token, Some(rename)).await.ok()["displayName"], "Helpdesk");

        // Entra ID removes with a value list and replaces members wholesale.
        let remove = patch(json!([{"op": "Remove", "path": "members", "value": [{"value": cy}]}]));
        assert_eq!(members(&scim(&app, "PATCH", &path, &token, Some(remove)).await), sorted(&[&di]));
        let replace = patch(json!([{"op": "Replace", "path": "members", "value": [{"value": bea}, {"value": cy}]}]));
        assert_eq!(members(&scim(&app, "PATCH", &path, &token, Some(replace)).await), sorted(&[&bea, &cy]));

        // Filters: by name, and Entra's membership check.
        let by_name = scim(&app, "GET", &format!("{GROUPS}?filter=displayName%20eq%20%22helpdesk%22&excludedAttributes=members"), &token, None).await;
        assert_eq!(by_name.json()["totalResults"], 1, "{}", by_name.body);
        assert!(by_name.json()["Resources"][0].get("members").is_none());
        let with_bea = scim(&app, "GET", &format!("{GROUPS}?filter=members%5Bvalue%20eq%20%22{bea}%22%5D"), &token, None).await;
        assert_eq!(with_bea.json()["totalResults"], 2, "the role group End-user and Helpdesk: {}", with_bea.body);

        // The role groups are read, never changed.
        let listed = scim(&app, "GET", GROUPS, &token, None).await.ok();
        let end_users = listed["Resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|group| group["displayName"] == "End-user")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let refused = scim(&app, "PATCH", &format!("{GROUPS}/{end_users}"), &token, Some(patch(json!([{"op": "add", "path": "members", "value": [{"value": bea}]}])))).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
        assert_eq!(scim_type(&refused), "mutability");

        let deleted = scim(&app, "DELETE", &path, &token, None).await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
        assert_eq!(scim(&app, "GET", &path, &token, None).await.status, StatusCode::NOT_FOUND);
    })
    .await;
}

fn sorted(ids: &[&String]) -> Vec<String> {
    let mut ids: Vec<String> = ids.iter().map(|id| id.to_string()).collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn a_builder_level_group_refuses_end_users_unless_the_workspace_promotes_them() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let token = scim_token(&app, &ada).await;
        let bea = created_user(&app, &token, okta_user("bea@example.com", "Bea", "Bee")).await;
        let group = scim(
            &app,
            "POST",
            GROUPS,
            &token,
            Some(json!({"displayName": "Makers"})),
        )
        .await
        .json()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let session = app.session("acme", ada.clone());
        session
            .ok(
                "groups/set-flag",
                &[
                    ("group_id", &group),
                    ("flag", "app_create"),
                    ("on", "true"),
                    ("allow_role_change", "false"),
                ],
            )
            .await;

        let add = patch(json!([{"op": "add", "path": "members", "value": [{"value": bea}]}]));
        let refused = scim(
            &app,
            "PATCH",
            &format!("{GROUPS}/{group}"),
            &token,
            Some(add.clone()),
        )
        .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
        assert_eq!(scim_type(&refused), "invalidValue");
        assert!(
            refused.json()["detail"]
                .as_str()
                .unwrap()
                .contains("bea@example.com"),
            "{}",
            refused.body
        );
        assert_eq!(app.role_of("acme", bea.parse().unwrap()).await, "end-user");

        app.call_json(
            "provisioning/settings",
            json!({"slug": "acme", "builder_level_groups": "promote", "mappings": []}),
            Some(&ada),
        )
        .await
        .ok();
        let added = scim(
            &app,
            "PATCH",
            &format!("{GROUPS}/{group}"),
            &token,
            Some(add),
        )
        .await;
        assert_eq!(added.status, StatusCode::OK, "{}", added.body);
        assert_eq!(app.role_of("acme", bea.parse().unwrap()).await, "builder");
    })
    .await;
}

#[tokio::test]
async fn chosen_attributes_become_sealed_metadata() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let token = scim_token(&app, &ada).await;
        app.call_json(
            "provisioning/settings",
            json!({"slug": "acme", "builder_level_groups": "refuse",
                   "mappings": [{"scim_path": format!("{ENTERPRISE}:department"), "meta_key": "department"},
                                {"scim_path": "title", "meta_key": "title"}]}),
            Some(&ada),
        )
        .await
        .ok();
        let mut bea = okta_user("bea@example.com", "Bea", "Bee");
        bea[ENTERPRISE] = json!({"department": "Research", "employeeNumber": "E-7"});
        bea["title"] = json!("Analyst");
        let id = created_user(&app, &token, bea).await;

        let mut conn = app.db.acquire().await.unwrap();
        let workspace_id = app.workspace_id("acme").await;
        let keys = app::db::testing::test_keyring();
        let metadata = app::metadata::store::load(&mut conn, &keys, workspace_id, id.parse().unwrap()).await.unwrap();
        assert_eq!(metadata.get("department").map(String::as_str), Some("Research"));
        assert_eq!(metadata.get("title").map(String::as_str), Some("Analyst"));
        let sealed: Vec<String> = sqlx::query_scalar("SELECT ciphertext FROM member_metadata UNION ALL SELECT ciphertext FROM scim_user_documents")
            .fetch_all(&app.db)
            .await
            .unwrap();
        assert!(sealed.iter().all(|text| !text.contains("Research") && !text.contains("E-7")));

        // Entra sends the extension attribute as a flat, prefixed path.
        let moved = patch(json!([{"op": "Replace", "path": format!("{ENTERPRISE}:department"), "value": "Sales"}]));
        let reply = scim(&app, "PATCH", &format!("{USERS}/{id}"), &token, Some(moved)).await;
        assert_eq!(reply.json()[ENTERPRISE]["department"], "Sales", "{}", reply.body);
        let metadata = app::metadata::store::load(&mut conn, &keys, workspace_id, id.parse().unwrap()).await.unwrap();
        assert_eq!(metadata.get("department").map(String::as_str), Some("Sales"));
        let cleared = patch(json!([{"op": "remove", "path": "title"}]));
        scim(&app, "PATCH", &format!("{USERS}/{id}"), &token, Some(cleared)).await.ok();
        let metadata = app::metadata::store::load(&mut conn, &keys, workspace_id, id.parse().unwrap()).await.unwrap();
        assert_eq!(metadata.get("title"), None);
    })
    .await;
}

#[tokio::test]
async fn filters_paging_and_sorting_run_in_the_database() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let token = scim_token(&app, &ada).await;
        for (name, given) in [("bea", "Bea"), ("cy", "Cy"), ("di", "Di"), ("ed", "Ed")] {
            created_user(
                &app,
                &token,
                okta_user(&format!("{name}@example.com"), given, "Test"),
            )
            .await;
        }
        let count = |filter: &'static str| {
            let app = &app;
            let token = &token;
            async move {
                let path = format!("{USERS}?filter={}", urlencode(filter));
                let reply = scim(app, "GET", &path, token, None).await;
                assert_eq!(reply.status, StatusCode::OK, "{filter}: {}", reply.body);
                reply.json()["totalResults"].as_i64().unwrap()
            }
        };
        assert_eq!(count("userName sw \"b\"").await, 1);
        assert_eq!(count("userName co \"example\"").await, 5);
        assert_eq!(
            count("userName ew \"@example.com\" and not (userName eq \"ada@example.com\")").await,
            4
        );
        assert_eq!(
            count("externalId eq \"okta-Cy\" or externalId eq \"okta-Di\"").await,
            2
        );
        assert_eq!(
            count("externalId eq \"okta-cy\"").await,
            0,
            "externalId is case-exact"
        );
        assert_eq!(count("externalId pr").await, 4);
        assert_eq!(count("emails[value sw \"ed@\"]").await, 1);
        assert_eq!(count("active eq true").await, 5);
        assert_eq!(count("meta.created gt \"2000-01-01T00:00:00Z\"").await, 5);

        let page = scim(
            &app,
            "GET",
            &format!("{USERS}?startIndex=2&count=2&sortBy=userName&sortOrder=descending"),
            &token,
            None,
        )
        .await
        .ok();
        assert_eq!(page["totalResults"], 5);
        assert_eq!(page["startIndex"], 2);
        assert_eq!(page["itemsPerPage"], 2);
        let names: Vec<&str> = page["Resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|user| user["userName"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["di@example.com", "cy@example.com"]);

        let slim = scim(
            &app,
            "GET",
            &format!("{USERS}?attributes=userName&count=1"),
            &token,
            None,
        )
        .await
        .ok();
        let first = &slim["Resources"][0];
        assert!(first.get("userName").is_some() && first.get("id").is_some());
        assert!(first.get("emails").is_none(), "{first}");
    })
    .await;
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// A request, the status it must meet and its scimType, if it has one.
type ErrorCase = (
    &'static str,
    String,
    Option<Value>,
    StatusCode,
    Option<&'static str>,
);

#[tokio::test]
async fn every_error_is_a_scim_error_with_its_type_and_changes_nothing() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let token = scim_token(&app, &ada).await;
        created_user(&app, &token, okta_user("bea@example.com", "Bea", "Bee")).await;
        let before = app.footprint().await;

        let cases: Vec<ErrorCase> = vec![
            (
                "GET",
                format!("{USERS}?filter=userName%20eq"),
                None,
                StatusCode::BAD_REQUEST,
                Some("invalidFilter"),
            ),
            (
                "GET",
                format!("{USERS}?filter=password%20eq%20%22x%22"),
                None,
                StatusCode::BAD_REQUEST,
                Some("invalidFilter"),
            ),
            (
                "POST",
                USERS.to_string(),
                Some(okta_user("BEA@example.com", "Bea", "Bee")),
                StatusCode::CONFLICT,
                Some("uniqueness"),
            ),
            (
                "POST",
                USERS.to_string(),
                Some(json!({"name": {"givenName": "No"}})),
                StatusCode::BAD_REQUEST,
                Some("invalidValue"),
            ),
            (
                "POST",
                USERS.to_string(),
                Some(json!({"userName": "not-an-email"})),
                StatusCode::BAD_REQUEST,
                Some("invalidValue"),
            ),
            (
                "PATCH",
                format!("{USERS}/999999"),
                Some(patch(
                    json!([{"op": "replace", "path": "active", "value": false}]),
                )),
                StatusCode::NOT_FOUND,
                None,
            ),
            (
                "POST",
                GROUPS.to_string(),
                Some(json!({"displayName": "Admin"})),
                StatusCode::BAD_REQUEST,
                Some("invalidValue"),
            ),
            (
                "POST",
                GROUPS.to_string(),
                Some(json!({"displayName": "Ops", "members": [{"value": "424242"}]})),
                StatusCode::BAD_REQUEST,
                Some("invalidValue"),
            ),
            (
                "GET",
                "/scim/v2/acme/Nothing".to_string(),
                None,
                StatusCode::NOT_FOUND,
                None,
            ),
        ];
        for (method, path, body, status, kind) in cases {
            let reply = scim(&app, method, &path, &token, body).await;
            assert_eq!(reply.status, status, "{method} {path}: {}", reply.body);
            assert_eq!(
                reply.json()["schemas"][0],
                "urn:ietf:params:scim:api:messages:2.0:Error",
                "{}",
                reply.body
            );
            assert_eq!(reply.json()["status"], status.as_u16().to_string());
            if let Some(kind) = kind {
                assert_eq!(scim_type(&reply), kind, "{method} {path}: {}", reply.body);
            }
        }
        let malformed = app
            .send(
                axum::http::Request::builder()
                    .method("POST")
                    .uri(USERS)
                    .header("authorization", format!("Bearer {token}"))
                    .header("content-type", "application/scim+json")
                    .body(axum::body::Body::from("{not json"))
                    .unwrap(),
            )
            .await;
        assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
        assert_eq!(scim_type(&malformed), "invalidSyntax");
        let mut after = app.footprint().await;
        after.retain(|(table, _)| *table != "audit_events");
        let mut before = before;
        before.retain(|(table, _)| *table != "audit_events");
        assert_eq!(before, after);
    })
    .await;
}

#[tokio::test]
async fn only_a_live_token_of_the_workspace_gets_in() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let token = scim_token(&app, &ada).await;
        let other = app.create_workspace("Globex", &ada).await;
        assert_eq!(other.status, StatusCode::OK, "{}", other.body);

        for (path, secret) in [
            (USERS.to_string(), None),
            (USERS.to_string(), Some("gatehouse_scim_made-up")),
            ("/scim/v2/globex/Users".to_string(), Some(token.as_str())),
        ] {
            let reply = app.api("GET", &path, secret, None).await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{path}");
            assert_eq!(reply.json()["status"], "401");
        }
        // A personal access token is not a SCIM token, and the reverse.
        let pat = app.token(&ada, &["members:write"]).await;
        assert_eq!(
            app.api("GET", USERS, Some(&pat), None).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.api("GET", "/api/v1/workspaces/acme/members", Some(&token), None)
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );

        assert_eq!(
            app.api("GET", USERS, Some(&token), None).await.status,
            StatusCode::OK
        );
        let tokens = app
            .call("provisioning/overview", &[("slug", "acme")], Some(&ada))
            .await
            .ok();
        let id = tokens["tokens"][0]["id"].as_i64().unwrap();
        app.call(
            "provisioning/tokens/revoke",
            &[("slug", "acme"), ("token_id", &id.to_string())],
            Some(&ada),
        )
        .await
        .ok();
        assert_eq!(
            app.api("GET", USERS, Some(&token), None).await.status,
            StatusCode::UNAUTHORIZED
        );
        let requests = app
            .call("provisioning/overview", &[("slug", "acme")], Some(&ada))
            .await
            .ok();
        assert!(!requests["requests"].as_array().unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_token_reaches_no_member_or_group_of_another_workspace() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let token = scim_token(&app, &ada).await;
        let grace = app.admin_of_new_workspace("grace@example.com", "Globex").await;
        let theirs = app
            .call("groups/create", &[("slug", "globex"), ("name", "Navy")], Some(&grace.cookie))
            .await
            .ok()["id"]
            .as_i64()
            .unwrap();
        let before = app.footprint().await;

        let user = format!("{USERS}/{}", grace.user_id);
        let group = format!("{GROUPS}/{theirs}");
        let deactivate = patch(json!([{"op": "replace", "path": "active", "value": false}]));
        let add = patch(json!([{"op": "add", "path": "members", "value": [{"value": grace.user_id.to_string()}]}]));
        for (method, path, body) in [
            ("GET", &user, None),
            ("PATCH", &user, Some(deactivate)),
            ("PUT", &user, Some(okta_user("grace@example.com", "Grace", "Hopper"))),
            ("DELETE", &user, None),
            ("GET", &group, None),
            ("PATCH", &group, Some(add.clone())),
            ("DELETE", &group, None),
        ] {
            let reply = scim(&app, method, path, &token, body).await;
            assert_eq!(reply.status, StatusCode::NOT_FOUND, "{method} {path}: {}", reply.body);
        }
        // Nor can a member of another workspace join one of this workspace's groups.
        let ours = scim(&app, "POST", GROUPS, &token, Some(json!({"displayName": "Ops"}))).await.json()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let reply = scim(&app, "PATCH", &format!("{GROUPS}/{ours}"), &token, Some(add)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
        let listed = scim(&app, "GET", &format!("{USERS}?filter=userName%20eq%20%22grace@example.com%22"), &token, None).await;
        assert_eq!(listed.json()["totalResults"], 0);
        // Members, invitations, metadata, mail and sessions are as they were; only the
        // new group's creation was audited.
        let mut after = app.footprint().await;
        after.retain(|(table, _)| *table != "audit_events");
        let mut before = before;
        before.retain(|(table, _)| *table != "audit_events");
        assert_eq!(before, after);
    })
    .await;
}

#[tokio::test]
async fn a_sign_in_email_changes_only_for_an_account_of_this_workspace_alone() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let token = scim_token(&app, &ada).await;
        let bea = created_user(&app, &token, okta_user("bea@example.com", "Bea", "Bee")).await;
        let renamed = patch(json!([{"op": "replace", "path": "userName", "value": "bea.bee@example.com"},
                                   {"op": "replace", "path": "emails", "value": [{"value": "bea.bee@example.com", "primary": true}]}]));
        let reply = scim(&app, "PATCH", &format!("{USERS}/{bea}"), &token, Some(renamed)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        app.assert_membership("acme", "bea.bee@example.com", Some("invited")).await;
        assert!(app.last_mailed_link().await.contains("/invitations/"));
        let to: String = sqlx::query_scalar("SELECT recipient FROM mail_outbox ORDER BY id DESC")
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(to, "bea.bee@example.com", "her new link goes to her new address");

        // Once Bea is a member of another workspace too, her address stays.
        let grace = app.admin_of_new_workspace("grace@example.com", "Globex").await;
        let globex = app.workspace_id("globex").await;
        app.add_member(globex, app.user_id("bea.bee@example.com").await, app::memberships::Role::EndUser, app::memberships::MembershipStatus::Active).await;
        drop(grace);
        let moved = patch(json!([{"op": "replace", "path": "userName", "value": "attacker@example.com"}]));
        let refused = scim(&app, "PATCH", &format!("{USERS}/{bea}"), &token, Some(moved)).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
        assert_eq!(scim_type(&refused), "mutability");
        app.assert_membership("acme", "bea.bee@example.com", Some("invited")).await;
    })
    .await;
}

#[tokio::test]
async fn a_token_stops_when_its_creator_is_no_longer_an_admin() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        app.set_up().await;
        let (bob, admin) = app.second_admin().await;
        let token = scim_token(&app, &admin.cookie).await;
        assert_eq!(
            scim(&app, "GET", USERS, &token, None).await.status,
            StatusCode::OK
        );

        sqlx::query("UPDATE memberships SET role = 'builder' WHERE user_id = $1")
            .bind(bob)
            .execute(&app.db)
            .await
            .unwrap();
        let refused = scim(&app, "GET", USERS, &token, None).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
        assert!(
            refused.json()["detail"]
                .as_str()
                .unwrap()
                .contains("no longer an admin"),
            "{}",
            refused.body
        );
    })
    .await;
}
