//! The REST admin API: access tokens, every endpoint's authorisation, paging, versions,
//! errors and the OpenAPI document.

use app::db::testing::on_each_backend;
use app::memberships::{MembershipStatus, Role};
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApp, error_code};

const ALL_SCOPES: [&str; 8] = [
    "members:read",
    "members:write",
    "groups:read",
    "groups:write",
    "resources:read",
    "resources:write",
    "audit:read",
    "instance:read",
];

async fn audited(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = $1")
        .bind(action)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_token_invites_reads_and_changes_members_until_it_is_revoked() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let token = app.token(&ada, &["members:write"]).await;
        assert!(token.starts_with("gatehouse_pat_"), "{token}");
        assert_eq!(audited(&app, "token.created").await, 1);
        // Only the hash is stored.
        let stored: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM access_tokens WHERE secret_hash = $1 OR hint = $1",
        )
        .bind(&token)
        .fetch_one(&app.db)
        .await
        .unwrap();
        assert_eq!(stored, 0);

        let invite = json!({"full_name": "Bea Bee", "email": "Bea@Example.com", "role": "builder",
                            "metadata": {"department": "R&D"}});
        let reply = app
            .api(
                "POST",
                "/api/v1/workspaces/acme/members",
                Some(&token),
                Some(invite),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        let bea = reply.json()["user_id"].as_i64().unwrap();
        assert_eq!(
            reply.location(),
            format!("/api/v1/workspaces/acme/members/{bea}")
        );
        assert_eq!(reply.json()["email"], "bea@example.com");
        app.assert_membership("acme", "bea@example.com", Some("invited"))
            .await;
        assert_eq!(audited(&app, "token.used_from_new_address").await, 1);

        let read = app.api("GET", reply.location(), Some(&token), None).await;
        let member = read.ok();
        assert_eq!(member["role"], "builder");
        assert_eq!(member["metadata_keys"], json!(["department"]));
        assert!(
            !read.body.contains("R&D"),
            "metadata values never leave: {}",
            read.body
        );
        let etag = read.header("etag").to_string();
        assert!(etag.starts_with('"'), "{etag}");

        let change =
            json!({"role": "end-user", "metadata": {"department": null, "title": "Engineer"}});
        let changed = app
            .api_with(
                "PATCH",
                reply.location(),
                Some(&token),
                Some(change.clone()),
                &[("if-match", &etag)],
            )
            .await;
        assert_eq!(changed.ok()["role"], "end-user");
        assert_eq!(changed.json()["metadata_keys"], json!(["title"]));
        assert_ne!(changed.header("etag"), etag);

        let invited_by: String =
            sqlx::query_scalar("SELECT detail FROM audit_events WHERE action = 'member.invited'")
                .fetch_one(&app.db)
                .await
                .unwrap();
        assert!(
            invited_by.starts_with("builder (access token "),
            "{invited_by}"
        );
        let weak = format!("W/{}", changed.header("etag"));
        let weak_only = app
            .api_with(
                "PATCH",
                reply.location(),
                Some(&token),
                Some(json!({})),
                &[("if-match", &weak)],
            )
            .await;
        assert_eq!(weak_only.status, StatusCode::PRECONDITION_FAILED);
        let any = app
            .api_with(
                "PATCH",
                reply.location(),
                Some(&token),
                Some(json!({})),
                &[("if-match", "*")],
            )
            .await;
        assert_eq!(any.status, StatusCode::OK, "{}", any.body);

        // A second script working from the old version is refused and changes nothing.
        let before = app.footprint().await;
        let stale = app
            .api_with(
                "PATCH",
                reply.location(),
                Some(&token),
                Some(json!({"role": "admin"})),
                &[("if-match", &etag)],
            )
            .await;
        assert_eq!(
            stale.status,
            StatusCode::PRECONDITION_FAILED,
            "{}",
            stale.body
        );
        assert_eq!(stale.json()["code"], "changed_meanwhile");
        assert_eq!(app.role_of("acme", bea).await, "end-user");
        assert_eq!(app.footprint().await, before);

        let token_id: i64 = sqlx::query_scalar("SELECT id FROM access_tokens")
            .fetch_one(&app.db)
            .await
            .unwrap();
        app.call(
            "tokens/revoke",
            &[("token_id", &token_id.to_string())],
            Some(&ada),
        )
        .await
        .ok();
        assert_eq!(audited(&app, "token.revoked").await, 1);
        let refused = app
            .api("GET", "/api/v1/workspaces/acme/members", Some(&token), None)
            .await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
        assert_eq!(refused.json()["code"], "access_token_invalid");
        assert!(refused.header("www-authenticate").starts_with("Bearer"));
    })
    .await;
}

/// Every endpoint, with a request that would succeed for an admin with every scope, in
/// an order in which each does.
fn endpoints(
    member: i64,
    group: i64,
    rule: i64,
) -> Vec<(&'static str, String, Option<Value>, &'static str)> {
    let acme = "/api/v1/workspaces/acme";
    let member_path = format!("{acme}/members/{member}");
    let group_path = format!("{acme}/groups/{group}");
    vec![
        ("GET", format!("{acme}/members"), None, "members:read"),
        (
            "POST",
            format!("{acme}/members"),
            Some(json!({"full_name": "Cy", "email": "cy@example.com", "role": "end-user"})),
            "members:write",
        ),
        ("GET", member_path.clone(), None, "members:read"),
        (
            "PATCH",
            member_path.clone(),
            Some(json!({"role": "admin"})),
            "members:write",
        ),
        (
            "POST",
            format!("{member_path}/invitation-link"),
            None,
            "members:write",
        ),
        (
            "GET",
            format!("{member_path}/permissions"),
            None,
            "members:read",
        ),
        ("GET", format!("{acme}/groups"), None, "groups:read"),
        (
            "POST",
            format!("{acme}/groups"),
            Some(json!({"name": "Ops"})),
            "groups:write",
        ),
        ("GET", group_path.clone(), None, "groups:read"),
        (
            "PATCH",
            group_path.clone(),
            Some(json!({"name": "Finance"})),
            "groups:write",
        ),
        (
            "PUT",
            format!("{group_path}/members/{member}"),
            None,
            "groups:write",
        ),
        (
            "PUT",
            format!("{group_path}/flags/app_create"),
            Some(json!({"on": true})),
            "groups:write",
        ),
        (
            "POST",
            format!("{group_path}/rules"),
            Some(json!({"name": "Apps to view", "kind": "app", "access": "view"})),
            "groups:write",
        ),
        (
            "PUT",
            format!("{group_path}/rules/{rule}"),
            Some(json!({"name": "Folders to view", "kind": "folder", "access": "view"})),
            "groups:write",
        ),
        (
            "DELETE",
            format!("{group_path}/rules/{rule}"),
            None,
            "groups:write",
        ),
        (
            "POST",
            format!("{group_path}/duplicate"),
            Some(json!({"users": true, "permissions": true, "granular": true})),
            "groups:write",
        ),
        (
            "DELETE",
            format!("{group_path}/members/{member}"),
            None,
            "groups:write",
        ),
        ("DELETE", group_path.clone(), None, "groups:write"),
        (
            "POST",
            format!("{member_path}/archive"),
            None,
            "members:write",
        ),
        (
            "POST",
            format!("{member_path}/unarchive"),
            None,
            "members:write",
        ),
        ("DELETE", member_path, None, "members:write"),
        ("GET", format!("{acme}/audit"), None, "audit:read"),
        ("GET", format!("{acme}/access-tokens"), None, "members:read"),
        (
            "GET",
            "/api/v1/instance/users".into(),
            None,
            "instance:read",
        ),
        ("GET", "/api/v1/workspaces".into(), None, "none"),
    ]
}

#[tokio::test]
async fn every_endpoint_refuses_what_the_token_or_its_owner_may_not_do_and_changes_nothing() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let (bea, _) = app
            .member_of(
                "acme",
                "bea@example.com",
                Role::Builder,
                MembershipStatus::Invited,
            )
            .await;
        let (_, builder) = app
            .member_of(
                "acme",
                "bo@example.com",
                Role::Builder,
                MembershipStatus::Active,
            )
            .await;
        let outsider = app
            .admin_of_new_workspace("oz@example.com", "Elsewhere")
            .await;
        let (archived_id, archived) = app
            .member_of(
                "acme",
                "ari@example.com",
                Role::Admin,
                MembershipStatus::Active,
            )
            .await;
        let group = app
            .call(
                "groups/create",
                &[("slug", "acme"), ("name", "Analysts")],
                Some(&ada),
            )
            .await
            .ok()["id"]
            .as_i64()
            .unwrap();

        let every = app.token(&ada, &ALL_SCOPES).await;
        let revoked = app.token(&ada, &ALL_SCOPES).await;
        let expired = app.token(&ada, &ALL_SCOPES).await;
        let builder_token = app.token(&builder, &ALL_SCOPES).await;
        let outsider_token = app.token(&outsider.cookie, &ALL_SCOPES).await;
        let archived_token = app.token(&archived, &ALL_SCOPES).await;
        let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM access_tokens ORDER BY id")
            .fetch_all(&app.db)
            .await
            .unwrap();
        app.call(
            "tokens/revoke",
            &[("token_id", &ids[1].to_string())],
            Some(&ada),
        )
        .await
        .ok();
        sqlx::query("UPDATE access_tokens SET expires_at = 1 WHERE id = $1")
            .bind(ids[2])
            .execute(&app.db)
            .await
            .unwrap();
        app.archive_account(archived_id).await;

        let rule = app
            .api(
                "POST",
                &format!("/api/v1/workspaces/acme/groups/{group}/rules"),
                Some(&every),
                Some(json!({"name": "Everything", "kind": "constant", "access": "view"})),
            )
            .await
            .json()["id"]
            .as_i64()
            .unwrap();
        for (method, path, body, scope) in endpoints(bea, group, rule) {
            let others: Vec<&str> = ALL_SCOPES
                .iter()
                .copied()
                .filter(|s| {
                    *s != scope
                        && !(scope.ends_with(":read") && *s == scope.replace(":read", ":write"))
                })
                .collect();
            let narrow = app.token(&ada, &others).await;
            let refusals: Vec<(&str, Option<&str>, StatusCode, &str)> = vec![
                (
                    "no token",
                    None,
                    StatusCode::UNAUTHORIZED,
                    "access_token_invalid",
                ),
                (
                    "unknown token",
                    Some("gatehouse_pat_unknown"),
                    StatusCode::UNAUTHORIZED,
                    "access_token_invalid",
                ),
                (
                    "a session secret",
                    Some("not-a-token"),
                    StatusCode::UNAUTHORIZED,
                    "access_token_invalid",
                ),
                (
                    "revoked",
                    Some(&revoked),
                    StatusCode::UNAUTHORIZED,
                    "access_token_invalid",
                ),
                (
                    "expired",
                    Some(&expired),
                    StatusCode::UNAUTHORIZED,
                    "access_token_invalid",
                ),
                (
                    "archived owner",
                    Some(&archived_token),
                    StatusCode::UNAUTHORIZED,
                    "access_token_invalid",
                ),
            ];
            let mut refusals = refusals;
            if scope != "none" {
                refusals.push((
                    "scope missing",
                    Some(&narrow),
                    StatusCode::FORBIDDEN,
                    "scope_missing",
                ));
            }
            if path.starts_with("/api/v1/instance") {
                refusals.push((
                    "not a super admin",
                    Some(&builder_token),
                    StatusCode::FORBIDDEN,
                    "super_admin_required",
                ));
            } else if path.starts_with("/api/v1/workspaces/acme") {
                refusals.push((
                    "builder",
                    Some(&builder_token),
                    StatusCode::FORBIDDEN,
                    "admin_required",
                ));
                refusals.push((
                    "another workspace's admin",
                    Some(&outsider_token),
                    StatusCode::NOT_FOUND,
                    "workspace_unavailable",
                ));
            }
            for (who, token, status, code) in refusals {
                let before = app.footprint().await;
                let reply = app.api(method, &path, token, body.clone()).await;
                assert_eq!(
                    reply.status, status,
                    "{method} {path} as {who}: {}",
                    reply.body
                );
                assert_eq!(error_code(&reply), code, "{method} {path} as {who}");
                assert!(
                    reply.json()["message"]
                        .as_str()
                        .is_some_and(|m| !m.is_empty())
                );
                assert_eq!(
                    app.footprint().await,
                    before,
                    "{method} {path} as {who} changed something"
                );
            }
            let reply = app.api(method, &path, Some(&every), body.clone()).await;
            assert!(
                reply.status.is_success(),
                "{method} {path} with every scope: {} {}",
                reply.status,
                reply.body
            );
        }
    })
    .await;
}

#[tokio::test]
async fn sessions_never_work_on_the_token_api_nor_tokens_on_server_functions() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let token = app.token(&ada, &ALL_SCOPES).await;
        let with_cookie = app
            .api_with(
                "GET",
                "/api/v1/workspaces/acme/members",
                None,
                None,
                &[("cookie", &ada)],
            )
            .await;
        assert_eq!(
            with_cookie.status,
            StatusCode::UNAUTHORIZED,
            "{}",
            with_cookie.body
        );
        let server_fn = app
            .call_with(
                "users/list",
                &[("slug", "acme")],
                None,
                &[
                    ("sec-fetch-site", "same-origin"),
                    ("authorization", &format!("Bearer {token}")),
                ],
            )
            .await;
        assert_eq!(
            server_fn.status,
            StatusCode::UNAUTHORIZED,
            "{}",
            server_fn.body
        );
        // Cross-site marks don't matter to the token API: it reads no cookie.
        let cross_site = app
            .api_with(
                "GET",
                "/api/v1/workspaces",
                Some(&token),
                None,
                &[("sec-fetch-site", "cross-site")],
            )
            .await;
        assert_eq!(cross_site.ok()[0]["slug"], "acme");
    })
    .await;
}

#[tokio::test]
async fn a_token_loses_what_its_owner_loses_at_once() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let (bob, bob_cookie) = app
            .member_of(
                "acme",
                "bob@example.com",
                Role::Admin,
                MembershipStatus::Active,
            )
            .await;
        let token = app.token(&bob_cookie, &ALL_SCOPES).await;
        app.api("GET", "/api/v1/workspaces/acme/groups", Some(&token), None)
            .await
            .ok();
        app.call_json(
            "users/update",
            json!({"slug": "acme", "user_id": bob, "role": "builder", "metadata": []}),
            Some(&ada),
        )
        .await
        .ok();
        let reply = app
            .api("GET", "/api/v1/workspaces/acme/groups", Some(&token), None)
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        assert_eq!(reply.json()["code"], "admin_required");
        let refusal: (i64, Option<i64>, String) = sqlx::query_as(
            "SELECT actor_user_id, workspace_id, detail FROM audit_events
             WHERE action = 'access.refused'",
        )
        .fetch_one(&app.db)
        .await
        .unwrap();
        assert_eq!(refusal.0, bob);
        assert_eq!(refusal.1, Some(app.workspace_id("acme").await));
        assert_eq!(
            refusal.2,
            "GET /api/v1/workspaces/acme/groups: AdminRequired"
        );
        // Signing someone out everywhere ends their tokens too: a token made from a
        // stolen session must not outlive it.
        app.call(
            "users/sign-out-everywhere",
            &[("slug", "acme"), ("user_id", &bob.to_string())],
            Some(&ada),
        )
        .await
        .ok();
        let after = app
            .api("GET", "/api/v1/workspaces", Some(&token), None)
            .await;
        assert_eq!(after.status, StatusCode::UNAUTHORIZED, "{}", after.body);
    })
    .await;
}

#[tokio::test]
async fn members_come_in_pages_with_next_links_and_filters() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let workspace = app.workspace_id("acme").await;
        for n in 0..120 {
            let (id, _) = app
                .user_with_session(&format!("user{n:03}@example.com"))
                .await;
            let status = if n % 4 == 0 {
                MembershipStatus::Archived
            } else {
                MembershipStatus::Active
            };
            app.add_member(workspace, id, Role::EndUser, status).await;
        }
        let token = app.token(&ada, &["members:read"]).await;
        let mut path = "/api/v1/workspaces/acme/members?limit=50".to_string();
        let mut seen = Vec::new();
        loop {
            let reply = app.api("GET", &path, Some(&token), None).await;
            let page = reply.ok();
            seen.extend(
                page["members"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| m["email"].as_str().unwrap().to_string()),
            );
            match page["next"].as_str() {
                Some(next) => {
                    assert_eq!(reply.header("link"), format!("<{next}>; rel=\"next\""));
                    path = next.to_string();
                }
                None => break,
            }
        }
        assert_eq!(seen.len(), 121, "Ada and 120 others");
        let mut sorted = seen.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, seen, "in email order, each once");

        let archived = app
            .api(
                "GET",
                "/api/v1/workspaces/acme/members?status=archived&limit=100",
                Some(&token),
                None,
            )
            .await
            .ok();
        assert_eq!(archived["members"].as_array().unwrap().len(), 30);
        let searched = app
            .api(
                "GET",
                "/api/v1/workspaces/acme/members?search=USER11",
                Some(&token),
                None,
            )
            .await
            .ok();
        assert_eq!(searched["members"].as_array().unwrap().len(), 10);

        for bad in [
            "?limit=0",
            "?limit=101",
            "?limit=ten",
            "?after=%%%",
            "?status=gone",
            "?status=",
        ] {
            let reply = app
                .api(
                    "GET",
                    &format!("/api/v1/workspaces/acme/members{bad}"),
                    Some(&token),
                    None,
                )
                .await;
            assert!(
                reply.status == StatusCode::BAD_REQUEST
                    || reply.status == StatusCode::UNPROCESSABLE_ENTITY,
                "{bad}: {}",
                reply.status
            );
            assert!(reply.json()["code"].is_string(), "{bad}: {}", reply.body);
        }
    })
    .await;
}

#[tokio::test]
async fn bad_input_gets_one_error_shape_and_writes_nothing() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let token = app.token(&ada, &ALL_SCOPES).await;
        let cases = [
            (json!({"full_name": "Cy", "email": "not an email", "role": "builder"}), "invalid_email"),
            (json!({"full_name": "Cy", "email": "cy@example.com", "role": "owner"}), "unknown_role"),
            (json!({"full_name": "example.com", "email": "cy@example.com", "role": "builder"}), "name_not_plain"),
            (json!({"full_name": "Cy", "email": "cy@example.com", "role": "builder", "extra": 1}), "unreadable_request"),
            (json!(["not", "an", "object"]), "unreadable_request"),
            (json!({"full_name": "Ada", "email": "ada@example.com", "role": "builder"}), "already_member"),
        ];
        for (body, code) in cases {
            let before = app.footprint().await;
            let reply = app.api("POST", "/api/v1/workspaces/acme/members", Some(&token), Some(body.clone())).await;
            assert!(reply.status.is_client_error(), "{body}: {}", reply.status);
            let error = reply.json();
            assert_eq!(error["code"], code, "{body}");
            assert!(error["message"].is_string() && error.get("details").is_some(), "{}", reply.body);
            assert_eq!(app.footprint().await, before, "{body}");
        }
        let anonymous = app
            .api(
                "POST",
                "/api/v1/workspaces/acme/members",
                None,
                Some(json!(["not", "an", "object"])),
            )
            .await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "the token before the body");
        let missing = app.api("GET", "/api/v1/workspaces/acme/members/99999", Some(&token), None).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert_eq!(missing.json()["code"], "member_not_found");
    })
    .await;
}

#[tokio::test]
async fn requests_beyond_the_per_token_rate_are_refused_with_429() {
    on_each_backend(|db| async move {
        let app = TestApp::with_settings(db, &[("GATEHOUSE_API_REQUESTS_PER_MINUTE", "3")]);
        let ada = app.set_up().await;
        let token = app.token(&ada, &ALL_SCOPES).await;
        let other = app.token(&ada, &ALL_SCOPES).await;
        for _ in 0..3 {
            app.api("GET", "/api/v1/workspaces", Some(&token), None)
                .await
                .ok();
        }
        let limited = app
            .api("GET", "/api/v1/workspaces", Some(&token), None)
            .await;
        assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(limited.json()["code"], "too_many_requests");
        assert_eq!(limited.header("retry-after"), "60");
        app.api("GET", "/api/v1/workspaces", Some(&other), None)
            .await
            .ok();
    })
    .await;
}

#[tokio::test]
async fn admins_see_every_token_of_their_members_but_never_a_secret() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let (_, bob) = app
            .member_of(
                "acme",
                "bob@example.com",
                Role::Builder,
                MembershipStatus::Active,
            )
            .await;
        let outsider = app
            .admin_of_new_workspace("oz@example.com", "Elsewhere")
            .await;
        let bobs = app.token(&bob, &["members:read"]).await;
        app.token(&outsider.cookie, &["members:read"]).await;
        let reply = app
            .call("tokens/inventory", &[("slug", "acme")], Some(&ada))
            .await;
        let rows = reply.ok();
        let owners: Vec<&str> = rows
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row["owner_email"].as_str().unwrap())
            .collect();
        assert_eq!(owners, ["bob@example.com"]);
        assert!(
            !reply.body.contains(&bobs[14..]),
            "no secret in {}",
            reply.body
        );
        let refused = app
            .call("tokens/inventory", &[("slug", "acme")], Some(&bob))
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn the_openapi_document_describes_every_route_and_the_docs_page_is_served() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let document = app.get("/api/v1/openapi.json", None).await.ok();
        assert!(document["openapi"].as_str().unwrap().starts_with("3.1"));
        let paths = document["paths"].as_object().unwrap();
        let documented: std::collections::BTreeSet<String> = paths
            .iter()
            .flat_map(|(path, operations)| {
                operations
                    .as_object()
                    .unwrap()
                    .keys()
                    .map(move |method| format!("{} {path}", method.to_uppercase()))
            })
            .collect();
        // The matrix above, and the resources test's endpoints.
        let mut tested: std::collections::BTreeSet<String> = endpoints(1, 1, 1)
            .into_iter()
            .map(|(method, path, _, _)| {
                let templated = path
                    .replace("/members/1", "/members/{user_id}")
                    .replace("/groups/1", "/groups/{group_id}")
                    .replace("/rules/1", "/rules/{rule_id}")
                    .replace("/flags/app_create", "/flags/{flag}")
                    .replace("/acme", "/{slug}");
                format!("{method} {templated}")
            })
            .collect();
        for kind in ["apps", "folders", "constants", "data-sources"] {
            let list = format!("/api/v1/workspaces/{{slug}}/{kind}");
            tested.insert(format!("POST {list}"));
            tested.insert(format!("GET {list}/{{id}}"));
            tested.insert(format!("DELETE {list}/{{id}}"));
            tested.insert(format!("PATCH {list}/{{id}}"));
            if kind != "folders" {
                tested.insert(format!("GET {list}"));
            }
        }
        // The releases test's.
        for method in ["GET", "POST"] {
            tested.insert(format!("{method} /api/v1/workspaces/{{slug}}/apps/{{id}}/versions"));
        }
        assert_eq!(documented, tested, "every documented operation is tested, and only those");
        assert!(document["components"]["securitySchemes"]["token"].is_object());
        let flag = &paths["/api/v1/workspaces/{slug}/groups/{group_id}/flags/{flag}"]["put"]
            ["parameters"][2];
        for key in app::permissions::Flag::ALL.map(|flag| flag.key()) {
            let described = flag["description"].as_str().unwrap_or_default();
            assert!(described.contains(&format!("`{key}`")), "{key} in {described}");
        }
        let docs = app.get("/api/docs/", None).await;
        assert_eq!(docs.status, StatusCode::OK);
        assert!(
            docs.body.contains("swagger"),
            "{}",
            &docs.body[..200.min(docs.body.len())]
        );
    })
    .await;
}

#[tokio::test]
async fn resources_follow_the_token_owners_permissions_and_never_show_secrets() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let (_, end_user) = app
            .member_of("acme", "eve@example.com", Role::EndUser, MembershipStatus::Active)
            .await;
        let outsider = app.admin_of_new_workspace("oz@example.com", "Elsewhere").await;
        let writer = app.token(&ada, &["resources:write"]).await;
        let reader = app.token(&ada, &["resources:read"]).await;
        let members_only = app.token(&ada, &["members:write"]).await;
        let end_user_token = app.token(&end_user, &ALL_SCOPES).await;
        let outsider_token = app.token(&outsider.cookie, &ALL_SCOPES).await;
        let acme = "/api/v1/workspaces/acme";

        let create = |path: &'static str, body: Value| {
            let app = &app;
            let writer = writer.clone();
            async move {
                let reply = app.api("POST", &format!("{acme}/{path}"), Some(&writer), Some(body)).await;
                assert_eq!(reply.status, StatusCode::CREATED, "{path}: {}", reply.body);
                let id = reply.json()["id"].as_i64().unwrap();
                assert_eq!(reply.location(), format!("{acme}/{path}/{id}"));
                id
            }
        };
        let folder = create("folders", json!({"name": "Finance"})).await;
        let report = create("apps", json!({"name": "Report", "folder_id": folder})).await;
        // Released, so that those who may only view apps see it.
        let released = app
            .api("POST", &format!("{acme}/apps/{report}/versions"), Some(&writer), None)
            .await;
        assert_eq!(released.status, StatusCode::CREATED, "{}", released.body);
        let constant = create("constants", json!({"name": "API_KEY", "value": "s3cr3t-value"})).await;
        let source = create(
            "data-sources",
            json!({"name": "Ledger", "kind": "postgresql", "configuration": "postgres://u:pw-hidden@db/ledger"}),
        )
        .await;

        let overview = app.api("GET", &format!("{acme}/apps"), Some(&reader), None).await.ok();
        assert_eq!(overview["folders"][0]["name"], "Finance");
        assert_eq!(overview["folders"][0]["apps"][0]["id"], report);
        let read_app = app.api("GET", &format!("{acme}/apps/{report}"), Some(&reader), None).await.ok();
        assert_eq!(read_app["folder_id"], folder);
        app.api("GET", &format!("{acme}/folders/{folder}"), Some(&reader), None).await.ok();
        for path in [
            format!("{acme}/constants"),
            format!("{acme}/constants/{constant}"),
            format!("{acme}/data-sources"),
            format!("{acme}/data-sources/{source}"),
        ] {
            let reply = app.api("GET", &path, Some(&reader), None).await;
            assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
            assert!(!reply.body.contains("s3cr3t") && !reply.body.contains("pw-hidden"), "{path}: {}", reply.body);
        }

        // Refusals change nothing: the scope, the owner's permissions, another workspace.
        let refusals = [
            ("POST", format!("{acme}/apps"), Some(json!({"name": "X"})), &reader, StatusCode::FORBIDDEN, "scope_missing"),
            ("GET", format!("{acme}/apps"), None, &members_only, StatusCode::FORBIDDEN, "scope_missing"),
            ("POST", format!("{acme}/apps"), Some(json!({"name": "X"})), &end_user_token, StatusCode::FORBIDDEN, "permission_denied"),
            ("POST", format!("{acme}/constants"), Some(json!({"name": "X", "value": "v"})), &end_user_token, StatusCode::FORBIDDEN, "permission_denied"),
            ("DELETE", format!("{acme}/apps/{report}"), None, &end_user_token, StatusCode::FORBIDDEN, "permission_denied"),
            ("GET", format!("{acme}/data-sources/{source}"), None, &end_user_token, StatusCode::NOT_FOUND, "resource_not_found"),
            ("DELETE", format!("{acme}/constants/{constant}"), None, &outsider_token, StatusCode::NOT_FOUND, "workspace_unavailable"),
            ("GET", format!("/api/v1/workspaces/elsewhere/apps/{report}"), None, &outsider_token, StatusCode::NOT_FOUND, "resource_not_found"),
        ];
        for (method, path, body, token, status, code) in refusals {
            let before = app.footprint().await;
            let reply = app.api(method, &path, Some(token), body).await;
            assert_eq!(reply.status, status, "{method} {path}: {}", reply.body);
            assert_eq!(reply.json()["code"], code, "{method} {path}");
            assert_eq!(app.footprint().await, before, "{method} {path}");
        }
        // Changes: only the fields given change; secrets stay sealed and unread.
        let moved = app
            .api(
                "PATCH",
                &format!("{acme}/apps/{report}"),
                Some(&writer),
                Some(json!({"name": "Quarterly report", "folder_id": null})),
            )
            .await
            .ok();
        assert_eq!(moved["name"], "Quarterly report");
        assert_eq!(moved["folder_id"], Value::Null);
        for (path, body) in [
            (format!("{acme}/folders/{folder}"), json!({"name": "Accounts"})),
            (format!("{acme}/constants/{constant}"), json!({"value": "rotated-value"})),
        ] {
            let reply = app.api("PATCH", &path, Some(&writer), Some(body)).await;
            assert_eq!(reply.status, StatusCode::NO_CONTENT, "{path}: {}", reply.body);
        }
        let renamed = app
            .api(
                "PATCH",
                &format!("{acme}/data-sources/{source}"),
                Some(&writer),
                Some(json!({"name": "General ledger"})),
            )
            .await
            .ok();
        assert_eq!(renamed["name"], "General ledger");
        assert_eq!(renamed["kind"], "postgresql");
        let configuration = app
            .call(
                "data-sources/configuration",
                &[("slug", "acme"), ("data_source_id", &source.to_string())],
                Some(&ada),
            )
            .await
            .ok();
        assert_eq!(configuration, "postgres://u:pw-hidden@db/ledger", "kept as it was");
        let value = app
            .call(
                "constants/reveal",
                &[("slug", "acme"), ("constant_id", &constant.to_string())],
                Some(&ada),
            )
            .await
            .ok();
        assert_eq!(value, "rotated-value");
        let refused = app
            .api(
                "PATCH",
                &format!("{acme}/apps/{report}"),
                Some(&end_user_token),
                Some(json!({"body": "mine now"})),
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);

        // The End-user sees the app as their role group allows, and may not edit it.
        let sees = app
            .api("GET", &format!("{acme}/apps"), Some(&end_user_token), None)
            .await
            .ok();
        let seen: Vec<&Value> = sees["folders"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|folder| folder["apps"].as_array().unwrap())
            .chain(sees["unfiled"].as_array().unwrap())
            .collect();
        assert!(
            !seen.is_empty() && seen.iter().all(|app| app["can_edit"] == false),
            "{sees}"
        );
        for (kind, id) in [("apps", report), ("folders", folder), ("constants", constant), ("data-sources", source)] {
            let path = format!("{acme}/{kind}/{id}");
            let reply = app.api("DELETE", &path, Some(&writer), None).await;
            assert_eq!(reply.status, StatusCode::NO_CONTENT, "{path}: {}", reply.body);
            let gone = app.api("GET", &path, Some(&reader), None).await;
            assert_eq!(gone.status, StatusCode::NOT_FOUND, "{path}");
        }
        let document = app.get("/api/v1/openapi.json", None).await.ok();
        for path in ["apps", "apps/{id}", "folders", "folders/{id}", "constants", "constants/{id}", "data-sources", "data-sources/{id}"] {
            assert!(document["paths"][format!("/api/v1/workspaces/{{slug}}/{path}")].is_object(), "{path}");
        }
    })
    .await;
}
