//! Managing members over HTTP, on SQLite and PostgreSQL: inviting, accepting, editing,
//! archiving and removing, with every refusal shown to change nothing.

mod support;

use app::db::testing::{on_each_backend, test_keyring};
use app::mail::delivery::{Mailer, deliver_due};
use app::memberships::{MembershipStatus, Role};
use axum::http::StatusCode;
use serde_json::{Value, json};
use support::{PASSWORD, Reply, TestApp, error_code};

async fn invite(app: &TestApp, cookie: &str, email: &str, role: &str, metadata: Value) -> Reply {
    app.call_json(
        "users/invite",
        json!({
            "slug": "acme",
            "full_name": "Bea Builder",
            "email": email,
            "role": role,
            "metadata": metadata,
        }),
        Some(cookie),
    )
    .await
}

fn token_of(link: &str) -> String {
    link.rsplit('/').next().unwrap().to_string()
}

async fn join(app: &TestApp, token: &str, name: &str) -> Reply {
    app.call(
        "invitations/join",
        &[
            ("token", token),
            ("full_name", name),
            ("password", PASSWORD),
        ],
        None,
    )
    .await
}

async fn list(app: &TestApp, cookie: &str, params: &[(&str, &str)]) -> Value {
    let mut form = vec![("slug", "acme")];
    form.extend_from_slice(params);
    let reply = app.call("users/list", &form, Some(cookie)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()
}

async fn act(app: &TestApp, cookie: &str, endpoint: &str, user_id: i64) -> Reply {
    app.call(
        endpoint,
        &[("slug", "acme"), ("user_id", &user_id.to_string())],
        Some(cookie),
    )
    .await
}

async fn update(app: &TestApp, cookie: &str, user_id: i64, role: &str, metadata: Value) -> Reply {
    app.call_json(
        "users/update",
        json!({ "slug": "acme", "user_id": user_id, "role": role, "metadata": metadata }),
        Some(cookie),
    )
    .await
}

#[tokio::test]
async fn an_invitation_creates_an_invited_member_and_a_mail_with_a_hashed_expiring_link() {
    on_each_backend(|db| async move {
        let app = TestApp::with_settings(
            db,
            &[("GATEHOUSE_PUBLIC_URL", "https://gatehouse.example.com")],
        );
        let ada = app.set_up().await;
        let reply = invite(&app, &ada, "  Bea@Example.COM ", "builder", json!([])).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.json()["email"], "bea@example.com");
        assert_eq!(reply.json()["mail_queued"], true);
        assert_eq!(
            app.membership_status("acme", "bea@example.com")
                .await
                .as_deref(),
            Some("invited")
        );

        let link = app.last_mailed_link().await;
        assert!(
            link.starts_with("https://gatehouse.example.com/invitations/"),
            "{link}"
        );
        let token = token_of(&link);
        assert!(token.len() >= 43, "at least 256 bits in base64");
        let (hash, ttl): (String, i64) =
            sqlx::query_as("SELECT token_hash, expires_at - created_at FROM invitations")
                .fetch_one(&app.db)
                .await
                .unwrap();
        assert_ne!(hash, token, "only a hash is stored");
        assert_eq!(ttl, 7 * 24 * 3600);
        let status: String = sqlx::query_scalar("SELECT status FROM mail_outbox")
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(status, "held", "without SMTP the mail waits in the outbox");
        let action: String = sqlx::query_scalar("SELECT action FROM audit_events")
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(action, "member.invited");
    })
    .await;
}

#[tokio::test]
async fn the_link_comes_from_the_public_url_whatever_the_host_header_says() {
    on_each_backend(|db| async move {
        let app = TestApp::with_settings(
            db,
            &[("GATEHOUSE_PUBLIC_URL", "https://gatehouse.example.com")],
        );
        let ada = app.set_up().await;
        let request = axum::http::Request::post("/api/users/invite")
            .header("content-type", "application/json")
            .header("sec-fetch-site", "same-origin")
            .header("host", "evil.example")
            .header("x-forwarded-host", "evil.example")
            .header("cookie", &ada)
            .body(axum::body::Body::from(
                json!({"slug": "acme", "full_name": "Bea", "email": "bea@example.com",
                       "role": "end-user", "metadata": []})
                .to_string(),
            ))
            .unwrap();
        assert_eq!(app.send(request).await.status, StatusCode::OK);
        let link = app.last_mailed_link().await;
        assert!(link.starts_with("https://gatehouse.example.com/"), "{link}");
        let reply = act(
            &app,
            &ada,
            "users/invitation-link",
            app.user_id("bea@example.com").await,
        )
        .await;
        assert!(
            reply
                .json()
                .as_str()
                .unwrap()
                .starts_with("https://gatehouse.example.com/invitations/")
        );
    })
    .await;
}

#[tokio::test]
async fn refused_invitations_say_why_and_write_nothing() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let (carl, _) = app.user_with_session("carl@example.com").await;
        sqlx::query("UPDATE users SET status = 'archived' WHERE id = $1")
            .bind(carl)
            .execute(&app.db)
            .await
            .unwrap();
        assert_eq!(
            invite(&app, &ada, "dora@example.com", "end-user", json!([]))
                .await
                .status,
            StatusCode::OK
        );
        let (eve, _) = app.user_with_session("eve@example.com").await;
        let acme = app.workspace_id("acme").await;
        app.add_member(acme, eve, Role::Builder, MembershipStatus::Archived)
            .await;
        let before = app.footprint().await;

        let cases: [(&str, &str, Value, StatusCode, &str); 7] = [
            (
                "not an email",
                "end-user",
                json!([]),
                StatusCode::UNPROCESSABLE_ENTITY,
                "Enter a valid email address.",
            ),
            (
                "ada@example.com",
                "end-user",
                json!([]),
                StatusCode::CONFLICT,
                "This email address already belongs to a member of this workspace.",
            ),
            (
                "DORA@example.com",
                "admin",
                json!([]),
                StatusCode::CONFLICT,
                "This email address already belongs to a member of this workspace.",
            ),
            (
                "eve@example.com",
                "builder",
                json!([]),
                StatusCode::CONFLICT,
                "This email address already belongs to a member of this workspace.",
            ),
            (
                "carl@example.com",
                "builder",
                json!([]),
                StatusCode::CONFLICT,
                "This user is archived in the instance. Ask a super admin to restore them first.",
            ),
            (
                "fay@example.com",
                "owner",
                json!([]),
                StatusCode::UNPROCESSABLE_ENTITY,
                "Choose a role: Admin, Builder or End-user.",
            ),
            (
                "fay@example.com",
                "builder",
                json!([{"key": "team", "value": "a"}, {"key": "team", "value": "b"}]),
                StatusCode::UNPROCESSABLE_ENTITY,
                "The metadata key \"team\" appears twice. Each key can be used once.",
            ),
        ];
        for (email, role, metadata, status, message) in cases {
            let reply = invite(&app, &ada, email, role, metadata).await;
            assert_eq!(reply.status, status, "{email}: {}", reply.body);
            assert_eq!(reply.json()["message"], message, "{email}");
            assert_eq!(app.footprint().await, before, "{email} changed nothing");
        }
        let long_value = "x".repeat(2_001);
        let reply = invite(
            &app,
            &ada,
            "fay@example.com",
            "builder",
            json!([{"key": "k", "value": long_value}]),
        )
        .await;
        assert_eq!(
            reply.json()["message"],
            "The value of \"k\" is longer than 2000 characters."
        );
        assert_eq!(app.footprint().await, before);
    })
    .await;
}

#[tokio::test]
async fn a_new_person_joins_through_the_link_once() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        invite(&app, &ada, "bea@example.com", "builder", json!([])).await;
        let token = token_of(&app.last_mailed_link().await);

        let details = app
            .call("invitations/details", &[("token", &token)], None)
            .await;
        assert_eq!(details.status, StatusCode::OK);
        assert_eq!(details.json()["workspace_name"], "Acme");
        assert_eq!(details.json()["needs_account"], true);

        let short = app
            .call(
                "invitations/join",
                &[
                    ("token", &token),
                    ("full_name", "Bea"),
                    ("password", "short"),
                ],
                None,
            )
            .await;
        assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            app.membership_status("acme", "bea@example.com")
                .await
                .as_deref(),
            Some("invited")
        );

        let joined = join(&app, &token, "Bea  Builder").await;
        assert_eq!(joined.status, StatusCode::OK, "{}", joined.body);
        assert_eq!(joined.json()["path"], "/acme");
        let cookie = joined.session_cookie();
        assert_eq!(
            app.call("workspaces/context", &[("slug", "acme")], Some(&cookie))
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(
            app.membership_status("acme", "bea@example.com")
                .await
                .as_deref(),
            Some("active")
        );
        let viewer = app.call("viewer", &[], Some(&cookie)).await.json();
        assert_eq!(viewer["full_name"], "Bea Builder");

        let again = join(&app, &token, "Mallory").await;
        assert_eq!(again.status, StatusCode::GONE);
        assert_eq!(
            again.json()["message"],
            "This invitation has already been used. Sign in to continue."
        );
        let signed_in = app.sign_in("bea@example.com", PASSWORD, None).await;
        assert_eq!(signed_in.status, StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn expired_replaced_and_unknown_links_say_so() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        invite(&app, &ada, "bea@example.com", "builder", json!([])).await;
        let first = token_of(&app.last_mailed_link().await);
        let bea = app.user_id("bea@example.com").await;
        let copied = act(&app, &ada, "users/invitation-link", bea).await.json();
        let copied = token_of(copied.as_str().unwrap());

        assert_eq!(
            act(&app, &ada, "users/resend-invitation", bea).await.status,
            StatusCode::OK
        );
        let resent = token_of(&app.last_mailed_link().await);
        for old in [&first, &copied] {
            let reply = app
                .call("invitations/details", &[("token", old)], None)
                .await;
            assert_eq!(reply.status, StatusCode::GONE);
            assert_eq!(reply.json()["code"], "InvitationReplaced");
        }

        sqlx::query(
            "UPDATE invitations SET expires_at = 0 WHERE used_at IS NULL AND revoked_at IS NULL",
        )
        .execute(&app.db)
        .await
        .unwrap();
        let expired = join(&app, &resent, "Bea").await;
        assert_eq!(expired.status, StatusCode::GONE);
        assert_eq!(
            expired.json()["message"],
            "This invitation has expired. Ask your workspace admin to send a new one."
        );
        assert_eq!(
            app.membership_status("acme", "bea@example.com")
                .await
                .as_deref(),
            Some("invited")
        );

        let unknown = app
            .call(
                "invitations/details",
                &[("token", "x".repeat(43).as_str())],
                None,
            )
            .await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
        assert_eq!(error_code(&unknown), "InvitationUnknown");

        // A fresh copy works, and using it uses up every other live link.
        let link = act(&app, &ada, "users/invitation-link", bea).await.json();
        let second = act(&app, &ada, "users/invitation-link", bea).await.json();
        assert_eq!(
            join(&app, &token_of(link.as_str().unwrap()), "Bea")
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(
            join(&app, &token_of(second.as_str().unwrap()), "Bea")
                .await
                .status,
            StatusCode::GONE
        );
    })
    .await;
}

#[tokio::test]
async fn someone_with_an_account_signs_in_and_accepts() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        // Olga has an account through another workspace.
        let other = app
            .call("workspaces/create", &[("name", "Other")], Some(&ada))
            .await;
        assert_eq!(other.status, StatusCode::OK);
        invite(&app, &ada, "olga@example.com", "builder", json!([])).await;
        let olga_token = token_of(&app.last_mailed_link().await);
        assert_eq!(join(&app, &olga_token, "Olga").await.status, StatusCode::OK);
        let olga = app.user_id("olga@example.com").await;
        assert_eq!(
            act(&app, &ada, "users/remove", olga).await.status,
            StatusCode::OK
        );
        invite(&app, &ada, "olga@example.com", "end-user", json!([])).await;
        let token = token_of(&app.last_mailed_link().await);

        let details = app
            .call("invitations/details", &[("token", &token)], None)
            .await
            .json();
        assert_eq!(details["needs_account"], false);
        assert_eq!(
            join(&app, &token, "Olga").await.status,
            StatusCode::CONFLICT
        );
        assert_eq!(
            app.call("invitations/accept", &[("token", &token)], None)
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        let wrong = app
            .call("invitations/accept", &[("token", &token)], Some(&ada))
            .await;
        assert_eq!(wrong.status, StatusCode::FORBIDDEN);
        assert_eq!(
            wrong.json()["message"],
            "This invitation is for olga@example.com. Sign out, then open the link again."
        );

        let olga_cookie = app
            .sign_in("olga@example.com", PASSWORD, None)
            .await
            .session_cookie();
        let accepted = app
            .call(
                "invitations/accept",
                &[("token", &token)],
                Some(&olga_cookie),
            )
            .await;
        assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
        assert_eq!(accepted.json()["path"], "/acme");
        let fresh = accepted.session_cookie();
        assert_ne!(fresh, olga_cookie, "accepting rotates the session");
        assert_eq!(
            app.call("viewer", &[], Some(&olga_cookie)).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.call("workspaces/context", &[("slug", "acme")], Some(&fresh))
                .await
                .status,
            StatusCode::OK
        );
    })
    .await;
}

#[tokio::test]
async fn the_listing_pages_searches_and_filters_by_index() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let acme = app.workspace_id("acme").await;
        for n in 0..120 {
            let (id, _) = app
                .user_with_session(&format!("user{n:03}@example.com"))
                .await;
            let status = if n % 3 == 0 {
                MembershipStatus::Invited
            } else {
                MembershipStatus::Active
            };
            app.add_member(acme, id, Role::EndUser, status).await;
        }
        let first = list(&app, &ada, &[]).await;
        assert_eq!(first["total"], 121);
        let members = first["members"].as_array().unwrap();
        assert_eq!(members.len(), 50);
        assert_eq!(members[0]["email"], "ada@example.com");
        assert_eq!(first["previous_before"], Value::Null);
        let after = first["next_after"].as_str().unwrap().to_string();
        assert_eq!(after, "user048@example.com");

        let second = list(&app, &ada, &[("after", &after)]).await;
        assert_eq!(second["members"][0]["email"], "user049@example.com");
        let third = list(
            &app,
            &ada,
            &[("after", second["next_after"].as_str().unwrap())],
        )
        .await;
        assert_eq!(third["members"].as_array().unwrap().len(), 21);
        assert_eq!(third["next_after"], Value::Null);
        let back = list(
            &app,
            &ada,
            &[("before", third["previous_before"].as_str().unwrap())],
        )
        .await;
        assert_eq!(back["members"], second["members"]);

        let invited = list(&app, &ada, &[("status", "invited")]).await;
        assert_eq!(invited["total"], 40);
        assert!(
            invited["members"]
                .as_array()
                .unwrap()
                .iter()
                .all(|m| m["status"] == "Invited")
        );

        let by_email = list(&app, &ada, &[("search", " USER11")]).await;
        assert_eq!(by_email["total"], 10);
        let by_name = list(&app, &ada, &[("search", "ada lov")]).await;
        assert_eq!(by_name["total"], 1);
        assert_eq!(by_name["members"][0]["full_name"], "Ada Lovelace");
        let both = list(&app, &ada, &[("search", "user1"), ("status", "invited")]).await;
        assert_eq!(both["total"], 6, "user102, 105, 108, 111, 114 and 117");

        let bad = app
            .call(
                "users/list",
                &[("slug", "acme"), ("status", "gone")],
                Some(&ada),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    })
    .await;
}

#[tokio::test]
async fn metadata_values_are_sealed_and_never_sent_to_the_admin() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let secret = "s3cret-token-value";
        let reply = invite(
            &app,
            &ada,
            "bea@example.com",
            "builder",
            json!([{"key": "api_key", "value": secret}, {"key": "region", "value": "eu"}]),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let bea = app.user_id("bea@example.com").await;

        let listing = list(&app, &ada, &[]).await;
        assert!(!listing.to_string().contains(secret));
        let row = listing["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["email"] == "bea@example.com")
            .unwrap()
            .clone();
        assert_eq!(row["metadata_keys"], 2);
        let details = act(&app, &ada, "users/details", bea).await;
        assert!(!details.body.contains(secret));
        assert_eq!(
            details.json()["metadata_keys"],
            json!(["api_key", "region"])
        );

        let stored: Vec<String> = sqlx::query_scalar("SELECT ciphertext FROM member_metadata")
            .fetch_all(&app.db)
            .await
            .unwrap();
        assert!(stored.iter().all(|ciphertext| !ciphertext.contains(secret)));
        let audit: Vec<String> = sqlx::query_scalar("SELECT detail FROM audit_events")
            .fetch_all(&app.db)
            .await
            .unwrap();
        assert!(audit.iter().all(|detail| !detail.contains(secret)));

        let mut conn = app.db.acquire().await.unwrap();
        let acme = app.workspace_id("acme").await;
        let opened = app::metadata::store::load(&mut conn, &test_keyring(), acme, bea)
            .await
            .unwrap();
        assert_eq!(opened["api_key"], secret);
    })
    .await;
}

#[tokio::test]
async fn editing_changes_role_and_only_the_values_typed_again() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        invite(
            &app,
            &ada,
            "bea@example.com",
            "builder",
            json!([{"key": "region", "value": "eu"}, {"key": "tier", "value": "gold"}, {"key": "team", "value": "ops"}]),
        )
        .await;
        let bea = app.user_id("bea@example.com").await;
        let acme = app.workspace_id("acme").await;
        let reply = update(
            &app,
            &ada,
            bea,
            "end-user",
            json!([{"key": "region", "value": null}, {"key": "tier", "value": "silver"}, {"key": "new", "value": "1"}]),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let mut conn = app.db.acquire().await.unwrap();
        let opened = app::metadata::store::load(&mut conn, &test_keyring(), acme, bea).await.unwrap();
        drop(conn);
        let expected: std::collections::BTreeMap<String, String> =
            [("new", "1"), ("region", "eu"), ("tier", "silver")].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        assert_eq!(opened, expected);
        let role: String = sqlx::query_scalar("SELECT role FROM memberships WHERE user_id = $1")
            .bind(bea)
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(role, "end-user");
        let actions: Vec<(String, String)> = sqlx::query_as("SELECT action, detail FROM audit_events ORDER BY id")
            .fetch_all(&app.db)
            .await
            .unwrap();
        assert!(actions.contains(&("member.role_changed".into(), "builder -> end-user".into())));
        assert!(actions.contains(&("member.metadata_changed".into(), "new, team, tier".into())));

        let before = app.footprint().await;
        let refused = update(&app, &ada, bea, "builder", json!([{"key": "brand-new", "value": null}])).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.footprint().await, before);
        let role: String = sqlx::query_scalar("SELECT role FROM memberships WHERE user_id = $1")
            .bind(bea)
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(role, "end-user", "a refused edit changes nothing, the role included");
    })
    .await;
}

#[tokio::test]
async fn the_last_active_admin_cannot_be_demoted_archived_or_removed() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let ada_id = app.user_id("ada@example.com").await;
        let before = app.footprint().await;
        let message =
            "A workspace needs at least one active admin. Make another member an admin first.";
        for reply in [
            update(&app, &ada, ada_id, "builder", json!([])).await,
            act(&app, &ada, "users/archive", ada_id).await,
            act(&app, &ada, "users/remove", ada_id).await,
        ] {
            assert_eq!(reply.status, StatusCode::CONFLICT);
            assert_eq!(reply.json()["message"], message);
        }
        assert_eq!(app.footprint().await, before);

        let (bob, _) = app.user_with_session("bob@example.com").await;
        let acme = app.workspace_id("acme").await;
        app.add_member(acme, bob, Role::Admin, MembershipStatus::Active)
            .await;
        assert_eq!(
            update(&app, &ada, bob, "builder", json!([])).await.status,
            StatusCode::OK
        );
        assert_eq!(
            update(&app, &ada, bob, "admin", json!([])).await.status,
            StatusCode::OK
        );
        assert_eq!(
            update(&app, &ada, ada_id, "builder", json!([]))
                .await
                .status,
            StatusCode::OK
        );
    })
    .await;
}

#[tokio::test]
async fn two_admins_demoting_each_other_at_once_leave_one_admin() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let ada_id = app.user_id("ada@example.com").await;
        let (bob, bob_cookie) = app.user_with_session("bob@example.com").await;
        let acme = app.workspace_id("acme").await;
        app.add_member(acme, bob, Role::Admin, MembershipStatus::Active)
            .await;
        let (first, second) = tokio::join!(
            update(&app, &ada, bob, "end-user", json!([])),
            update(&app, &bob_cookie, ada_id, "end-user", json!([])),
        );
        let statuses = [first.status, second.status];
        assert!(statuses.contains(&StatusCode::OK), "{statuses:?}");
        let admins: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM memberships WHERE role = 'admin' AND status = 'active'",
        )
        .fetch_one(&app.db)
        .await
        .unwrap();
        assert_eq!(admins, 1);
    })
    .await;
}

#[tokio::test]
async fn archiving_locks_a_member_out_until_they_accept_again() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        invite(&app, &ada, "bea@example.com", "builder", json!([])).await;
        let bea_cookie = join(&app, &token_of(&app.last_mailed_link().await), "Bea")
            .await
            .session_cookie();
        let bea = app.user_id("bea@example.com").await;

        let archived = act(&app, &ada, "users/archive", bea).await;
        assert_eq!(archived.status, StatusCode::OK);
        assert_eq!(
            app.call("workspaces/context", &[("slug", "acme")], Some(&bea_cookie))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            act(&app, &ada, "users/archive", bea).await.status,
            StatusCode::CONFLICT
        );

        let unarchived = act(&app, &ada, "users/unarchive", bea).await;
        assert_eq!(unarchived.status, StatusCode::OK);
        assert_eq!(
            app.membership_status("acme", "bea@example.com")
                .await
                .as_deref(),
            Some("invited")
        );
        assert_eq!(
            act(&app, &ada, "users/unarchive", bea).await.status,
            StatusCode::CONFLICT
        );
        let token = token_of(&app.last_mailed_link().await);
        let accepted = app
            .call(
                "invitations/accept",
                &[("token", &token)],
                Some(&bea_cookie),
            )
            .await;
        assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
        assert_eq!(
            app.membership_status("acme", "bea@example.com")
                .await
                .as_deref(),
            Some("active")
        );
    })
    .await;
}

#[tokio::test]
async fn archiving_an_invited_member_ends_their_links() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        invite(&app, &ada, "bea@example.com", "builder", json!([])).await;
        let token = token_of(&app.last_mailed_link().await);
        act(
            &app,
            &ada,
            "users/archive",
            app.user_id("bea@example.com").await,
        )
        .await;
        assert_eq!(join(&app, &token, "Bea").await.status, StatusCode::GONE);
    })
    .await;
}

#[tokio::test]
async fn removing_a_member_takes_their_metadata_and_links_with_it() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        invite(
            &app,
            &ada,
            "bea@example.com",
            "builder",
            json!([{"key": "k", "value": "v"}]),
        )
        .await;
        let token = token_of(&app.last_mailed_link().await);
        let bea = app.user_id("bea@example.com").await;
        let removed = act(&app, &ada, "users/remove", bea).await;
        assert_eq!(removed.status, StatusCode::OK);
        assert_eq!(app.membership_status("acme", "bea@example.com").await, None);
        assert_eq!(app.count("member_metadata").await, 0);
        assert_eq!(app.count("invitations").await, 0);
        assert_eq!(
            join(&app, &token, "Bea").await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            act(&app, &ada, "users/remove", bea).await.status,
            StatusCode::NOT_FOUND
        );
        // Invited again later, as a new member.
        assert_eq!(
            invite(&app, &ada, "bea@example.com", "end-user", json!([]))
                .await
                .status,
            StatusCode::OK
        );
    })
    .await;
}

#[tokio::test]
async fn an_admin_cannot_reach_members_of_another_workspace() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        app.set_up().await;
        let ada_id = app.user_id("ada@example.com").await;
        let (olga, olga_cookie) = app.user_with_session("olga@example.com").await;
        let mut conn = app.db.acquire().await.unwrap();
        app::workspaces::store::create_with_admin(&mut conn, "Other", olga)
            .await
            .unwrap();
        drop(conn);
        let before = app.footprint().await;
        for endpoint in [
            "users/details",
            "users/archive",
            "users/remove",
            "users/invitation-link",
        ] {
            let here = app
                .call(
                    endpoint,
                    &[("slug", "other"), ("user_id", &ada_id.to_string())],
                    Some(&olga_cookie),
                )
                .await;
            assert_eq!(here.status, StatusCode::NOT_FOUND, "{endpoint}");
            assert_eq!(error_code(&here), "MemberNotFound");
            let there = app
                .call(
                    endpoint,
                    &[("slug", "acme"), ("user_id", &ada_id.to_string())],
                    Some(&olga_cookie),
                )
                .await;
            assert_eq!(there.status, StatusCode::NOT_FOUND, "{endpoint}");
        }
        assert_eq!(app.footprint().await, before);
    })
    .await;
}

#[tokio::test]
async fn people_change_their_own_name_and_password() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let other_session = app
            .sign_in("ada@example.com", PASSWORD, None)
            .await
            .session_cookie();
        let renamed = app
            .call(
                "profile/name",
                &[("full_name", "  Augusta  Ada King ")],
                Some(&ada),
            )
            .await;
        assert_eq!(renamed.json(), "Augusta Ada King");
        assert_eq!(list(&app, &ada, &[("search", "augusta")]).await["total"], 1);

        let wrong = app
            .call(
                "profile/password",
                &[
                    ("current_password", "nope nope"),
                    ("new_password", "difference engine"),
                ],
                Some(&ada),
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            wrong.json()["message"],
            "The current password is incorrect."
        );
        let changed = app
            .call(
                "profile/password",
                &[
                    ("current_password", PASSWORD),
                    ("new_password", "difference engine"),
                ],
                Some(&ada),
            )
            .await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
        assert_eq!(
            app.call("viewer", &[], Some(&ada)).await.status,
            StatusCode::OK
        );
        assert_eq!(
            app.call("viewer", &[], Some(&other_session)).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.sign_in("ada@example.com", "difference engine", None)
                .await
                .status,
            StatusCode::OK
        );
    })
    .await;
}

#[tokio::test]
async fn a_mail_server_that_fails_never_undoes_the_invitation_and_shows_in_the_outbox() {
    on_each_backend(|db| async move {
        // Nothing listens on port 9 here: every delivery attempt fails for real.
        let app = TestApp::with_settings(db, &[("GATEHOUSE_SMTP_URL", "smtp://127.0.0.1:9")]);
        let ada = app.set_up().await;
        let reply = invite(&app, &ada, "bea@example.com", "builder", json!([])).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.json()["mail_queued"], true);
        let mailer = Mailer::from_config(&app.config).unwrap().unwrap();
        for attempt in 1..=5 {
            let round = deliver_due(&app.db, &mailer).await.unwrap();
            assert_eq!(round.failed, 1, "attempt {attempt}");
            sqlx::query("UPDATE mail_outbox SET next_attempt_at = 0 WHERE status = 'queued'")
                .execute(&app.db)
                .await
                .unwrap();
        }
        let outbox = app
            .call("instance/email-outbox", &[], Some(&ada))
            .await
            .json();
        assert_eq!(outbox[0]["status"], "Failed");
        assert_eq!(outbox[0]["attempts"], 5);
        assert!(
            outbox[0]["last_error"]
                .as_str()
                .is_some_and(|error| !error.is_empty())
        );
        assert_eq!(
            app.membership_status("acme", "bea@example.com")
                .await
                .as_deref(),
            Some("invited")
        );
        assert_eq!(
            deliver_due(&app.db, &mailer).await.unwrap().failed,
            0,
            "failed mail stays failed"
        );
    })
    .await;
}

#[tokio::test]
async fn held_mail_is_readable_by_super_admins_in_the_outbox() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        invite(&app, &ada, "bea@example.com", "builder", json!([])).await;
        let outbox = app
            .call("instance/email-outbox", &[], Some(&ada))
            .await
            .json();
        assert_eq!(outbox[0]["recipient"], "bea@example.com");
        assert_eq!(outbox[0]["status"], "Held");
        assert!(
            outbox[0]["body"]
                .as_str()
                .unwrap()
                .contains("/invitations/")
        );
    })
    .await;
}

#[tokio::test]
async fn invitations_to_one_person_are_rate_limited() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        invite(&app, &ada, "bea@example.com", "builder", json!([])).await;
        let bea = app.user_id("bea@example.com").await;
        for _ in 0..9 {
            assert_eq!(
                act(&app, &ada, "users/resend-invitation", bea).await.status,
                StatusCode::OK
            );
        }
        let before = app.footprint().await;
        let refused = act(&app, &ada, "users/resend-invitation", bea).await;
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            refused.json()["message"],
            "Too many invitations in a short time. Wait 60 minutes and try again."
        );
        assert_eq!(
            act(&app, &ada, "users/invitation-link", bea).await.status,
            StatusCode::TOO_MANY_REQUESTS
        );
        assert_eq!(app.footprint().await, before);
    })
    .await;
}

#[tokio::test]
async fn members_archived_in_the_instance_get_no_new_invitations() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        invite(&app, &ada, "bea@example.com", "builder", json!([])).await;
        let bea = app.user_id("bea@example.com").await;
        sqlx::query("UPDATE users SET status = 'archived' WHERE id = $1")
            .bind(bea)
            .execute(&app.db)
            .await
            .unwrap();
        let before = app.footprint().await;
        for endpoint in ["users/resend-invitation", "users/invitation-link"] {
            let reply = act(&app, &ada, endpoint, bea).await;
            assert_eq!(reply.status, StatusCode::CONFLICT, "{endpoint}");
            assert_eq!(error_code(&reply), "ArchivedInInstance");
        }
        assert_eq!(app.footprint().await, before);
    })
    .await;
}

#[tokio::test]
async fn an_admin_demoted_a_moment_ago_can_no_longer_change_members() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let (bob, bob_cookie) = app.user_with_session("bob@example.com").await;
        let acme = app.workspace_id("acme").await;
        app.add_member(acme, bob, Role::Admin, MembershipStatus::Active)
            .await;
        assert_eq!(
            update(&app, &ada, bob, "builder", json!([])).await.status,
            StatusCode::OK
        );
        let reply = invite(&app, &bob_cookie, "carl@example.com", "admin", json!([])).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        assert_eq!(
            app.membership_status("acme", "carl@example.com").await,
            None
        );
    })
    .await;
}
