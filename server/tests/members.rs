//! Managing members over HTTP, on SQLite and PostgreSQL: inviting, accepting, editing,
//! archiving and removing, with every refusal shown to change nothing.

use std::collections::BTreeMap;

use crate::support::{PASSWORD, Reply, Session, TestApp, error_code, token_of};
use app::db::testing::{on_each_backend, test_keyring};
use app::mail::delivery::{Mailer, deliver_due};
use app::memberships::{MembershipStatus, Role};
use axum::http::StatusCode;
use serde_json::{Value, json};

/// Settings for an instance people reach at its public address.
const AT_PUBLIC_URL: &[(&str, &str)] = &[("GATEHOUSE_PUBLIC_URL", "https://gatehouse.example.com")];

const ALREADY_A_MEMBER: &str = "This email address already belongs to a member of this workspace.";

async fn invite(admin: &Session<'_>, email: &str, role: &str, metadata: Value) -> Reply {
    let arguments = json!({
        "full_name": "Bea Builder",
        "email": email,
        "role": role,
        "metadata": metadata,
    });
    admin.call_json("users/invite", arguments).await
}

/// Invites someone without metadata; returns the token of the link mailed to them.
async fn invite_by_mail(admin: &Session<'_>, email: &str, role: &str) -> String {
    invite(admin, email, role, json!([])).await.ok();
    admin.app.last_mailed_token().await
}

/// A new person joins with a token, choosing a name and the usual password.
async fn join(app: &TestApp, token: &str, name: &str) -> Reply {
    app.join(token, name, PASSWORD).await
}

/// Someone with an account accepts with a token.
async fn accept(app: &TestApp, token: &str, cookie: Option<&str>) -> Reply {
    app.call("invitations/accept", &[("token", token)], cookie)
        .await
}

/// The status of opening acme as the holder of `cookie`.
async fn acme_context(app: &TestApp, cookie: &str) -> StatusCode {
    app.workspace_context("acme", cookie).await.status
}

async fn list(admin: &Session<'_>, params: &[(&str, &str)]) -> Value {
    admin.ok("users/list", params).await
}

/// Calls a users function on one member.
async fn act(admin: &Session<'_>, endpoint: &str, user_id: i64) -> Reply {
    admin
        .call(endpoint, &[("user_id", &user_id.to_string())])
        .await
}

async fn update(admin: &Session<'_>, user_id: i64, role: &str, metadata: Value) -> Reply {
    let arguments = json!({ "user_id": user_id, "role": role, "metadata": metadata });
    admin.call_json("users/update", arguments).await
}

/// A member's metadata in acme, unsealed.
async fn metadata_of(app: &TestApp, user_id: i64) -> BTreeMap<String, String> {
    let acme = app.workspace_id("acme").await;
    let mut conn = app.db.acquire().await.unwrap();
    app::metadata::store::load(&mut conn, &test_keyring(), acme, user_id)
        .await
        .expect("metadata that opens with the test keys")
}

/// The mail outbox as super admins see it, newest first.
async fn outbox(app: &TestApp, cookie: &str) -> Value {
    app.call("instance/email-outbox", &[], Some(cookie))
        .await
        .json()
}

async fn change_password(app: &TestApp, cookie: &str, current: &str) -> Reply {
    let form = [
        ("current_password", current),
        ("new_password", "difference engine"),
    ];
    app.call("profile/password", &form, Some(cookie)).await
}

#[tokio::test]
async fn an_invitation_creates_an_invited_member_and_a_mail_with_a_hashed_expiring_link() {
    on_each_backend(|db| async move {
        let app = TestApp::with_settings(db, AT_PUBLIC_URL);
        let ada = app.set_up_session().await;
        let invited = invite(&ada, "  Bea@Example.COM ", "builder", json!([]))
            .await
            .ok();
        assert_eq!(invited["email"], "bea@example.com");
        assert_eq!(invited["mail_queued"], true);
        app.assert_membership("acme", "bea@example.com", Some("invited"))
            .await;

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
        let actions: Vec<String> =
            sqlx::query_scalar("SELECT action FROM audit_events ORDER BY id")
                .fetch_all(&app.db)
                .await
                .unwrap();
        assert_eq!(
            actions,
            ["workspace.created", "member.invited"],
            "set-up, then the invitation"
        );
    })
    .await;
}

#[tokio::test]
async fn the_link_comes_from_the_public_url_whatever_the_host_header_says() {
    on_each_backend(|db| async move {
        let app = TestApp::with_settings(db, AT_PUBLIC_URL);
        let ada = app.set_up_session().await;
        let request = axum::http::Request::post("/api/users/invite")
            .header("content-type", "application/json")
            .header("sec-fetch-site", "same-origin")
            .header("host", "evil.example")
            .header("x-forwarded-host", "evil.example")
            .header("cookie", &ada.cookie)
            .body(axum::body::Body::from(
                json!({"slug": "acme", "full_name": "Bea", "email": "bea@example.com",
                       "role": "end-user", "metadata": []})
                .to_string(),
            ))
            .unwrap();
        assert_eq!(app.send(request).await.status, StatusCode::OK);
        let link = app.last_mailed_link().await;
        assert!(link.starts_with("https://gatehouse.example.com/"), "{link}");
        let copied = ada.copied_link(app.user_id("bea@example.com").await).await;
        assert!(copied.starts_with("https://gatehouse.example.com/invitations/"));
    })
    .await;
}

#[tokio::test]
async fn refused_invitations_say_why_and_write_nothing() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        invite(&ada, "dora@example.com", "end-user", json!([]))
            .await
            .ok();
        app.member_of(
            "acme",
            "eve@example.com",
            Role::Builder,
            MembershipStatus::Archived,
        )
        .await;
        let before = app.footprint().await;

        let twice = json!([{"key": "team", "value": "a"}, {"key": "team", "value": "b"}]);
        let too_long = json!([{"key": "k", "value": "x".repeat(2_001)}]);
        let (invalid, taken) = (StatusCode::UNPROCESSABLE_ENTITY, StatusCode::CONFLICT);
        let cases = [
            (
                "not an email",
                "end-user",
                json!([]),
                invalid,
                "Enter a valid email address.",
            ),
            (
                "ada@example.com",
                "end-user",
                json!([]),
                taken,
                ALREADY_A_MEMBER,
            ),
            (
                "DORA@example.com",
                "admin",
                json!([]),
                taken,
                ALREADY_A_MEMBER,
            ),
            (
                "eve@example.com",
                "builder",
                json!([]),
                taken,
                ALREADY_A_MEMBER,
            ),
            (
                "fay@example.com",
                "owner",
                json!([]),
                invalid,
                "Choose a role: Admin, Builder or End-user.",
            ),
            (
                "fay@example.com",
                "builder",
                twice,
                invalid,
                "The metadata key \"team\" appears twice. Each key can be used once.",
            ),
            (
                "fay@example.com",
                "builder",
                too_long,
                invalid,
                "The value of \"k\" is longer than 2000 characters.",
            ),
        ];
        for (email, role, metadata, status, message) in cases {
            let reply = invite(&ada, email, role, metadata).await;
            assert_eq!(reply.status, status, "{email}: {}", reply.body);
            assert_eq!(reply.json()["message"], message, "{email}");
            assert_eq!(app.footprint().await, before, "{email} changed nothing");
        }
    })
    .await;
}

#[tokio::test]
async fn a_new_person_joins_through_the_link_once() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let token = invite_by_mail(&ada, "bea@example.com", "builder").await;

        let details = app.invitation(&token).await.ok();
        assert_eq!(details["workspace_name"], "Acme");
        assert_eq!(details["needs_account"], true);

        let short = app.join(&token, "Bea", "short").await;
        assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
        app.assert_membership("acme", "bea@example.com", Some("invited"))
            .await;

        let joined = join(&app, &token, "Bea  Builder").await;
        assert_eq!(joined.ok()["path"], "/acme");
        let cookie = joined.session_cookie();
        assert_eq!(acme_context(&app, &cookie).await, StatusCode::OK);
        app.assert_membership("acme", "bea@example.com", Some("active"))
            .await;
        let viewer = app.viewer(&cookie).await.json();
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
        let ada = app.set_up_session().await;
        let first = invite_by_mail(&ada, "bea@example.com", "builder").await;
        let bea = app.user_id("bea@example.com").await;
        let copied = token_of(&ada.copied_link(bea).await);

        assert_eq!(
            act(&ada, "users/resend-invitation", bea).await.status,
            StatusCode::OK
        );
        let resent = app.last_mailed_token().await;
        for old in [&first, &copied] {
            let reply = app.invitation(old).await;
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
        app.assert_membership("acme", "bea@example.com", Some("invited"))
            .await;

        let unknown = app.invitation(&"x".repeat(43)).await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
        assert_eq!(error_code(&unknown), "InvitationUnknown");

        // A fresh copy works, and using it uses up every other live link.
        let link = token_of(&ada.copied_link(bea).await);
        let second = token_of(&ada.copied_link(bea).await);
        assert_eq!(join(&app, &link, "Bea").await.status, StatusCode::OK);
        assert_eq!(join(&app, &second, "Bea").await.status, StatusCode::GONE);
    })
    .await;
}

#[tokio::test]
async fn someone_with_an_account_signs_in_and_accepts() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        // Olga has an account through another workspace.
        app.create_workspace("Other", &ada.cookie).await.ok();
        let olga_token = invite_by_mail(&ada, "olga@example.com", "builder").await;
        assert_eq!(join(&app, &olga_token, "Olga").await.status, StatusCode::OK);
        let olga = app.user_id("olga@example.com").await;
        assert_eq!(act(&ada, "users/remove", olga).await.status, StatusCode::OK);
        let token = invite_by_mail(&ada, "olga@example.com", "end-user").await;

        let details = app.invitation(&token).await.json();
        assert_eq!(details["needs_account"], false);
        assert_eq!(
            join(&app, &token, "Olga").await.status,
            StatusCode::CONFLICT
        );
        assert_eq!(
            accept(&app, &token, None).await.status,
            StatusCode::UNAUTHORIZED
        );
        let wrong = accept(&app, &token, Some(&ada.cookie)).await;
        assert_eq!(wrong.status, StatusCode::FORBIDDEN);
        assert_eq!(
            wrong.json()["message"],
            "This invitation is for olga@example.com. Sign out, then open the link again."
        );

        let olga_cookie = app
            .sign_in("olga@example.com", PASSWORD, None)
            .await
            .session_cookie();
        let accepted = accept(&app, &token, Some(&olga_cookie)).await;
        assert_eq!(accepted.ok()["path"], "/acme");
        let fresh = accepted.session_cookie();
        assert_ne!(fresh, olga_cookie, "accepting rotates the session");
        assert_eq!(
            app.viewer(&olga_cookie).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(acme_context(&app, &fresh).await, StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn the_listing_pages_searches_and_filters_by_index() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        for n in 0..120 {
            let status = if n % 3 == 0 {
                MembershipStatus::Invited
            } else {
                MembershipStatus::Active
            };
            let email = format!("user{n:03}@example.com");
            app.member_of("acme", &email, Role::EndUser, status).await;
        }
        let first = list(&ada, &[]).await;
        assert_eq!(first["total"], 121);
        let members = first["members"].as_array().unwrap();
        assert_eq!(members.len(), 50);
        assert_eq!(members[0]["email"], "ada@example.com");
        assert_eq!(first["previous_before"], Value::Null);
        let after = first["next_after"].as_str().unwrap().to_string();
        assert_eq!(after, "user048@example.com");

        let second = list(&ada, &[("after", &after)]).await;
        assert_eq!(second["members"][0]["email"], "user049@example.com");
        let third = list(&ada, &[("after", second["next_after"].as_str().unwrap())]).await;
        assert_eq!(third["members"].as_array().unwrap().len(), 21);
        assert_eq!(third["next_after"], Value::Null);
        let back = list(
            &ada,
            &[("before", third["previous_before"].as_str().unwrap())],
        )
        .await;
        assert_eq!(back["members"], second["members"]);

        let invited = list(&ada, &[("status", "invited")]).await;
        assert_eq!(invited["total"], 40);
        assert!(
            invited["members"]
                .as_array()
                .unwrap()
                .iter()
                .all(|m| m["status"] == "Invited")
        );

        let by_email = list(&ada, &[("search", " USER11")]).await;
        assert_eq!(by_email["total"], 10);
        let by_name = list(&ada, &[("search", "ada lov")]).await;
        assert_eq!(by_name["total"], 1);
        assert_eq!(by_name["members"][0]["full_name"], "Ada Lovelace");
        let both = list(&ada, &[("search", "user1"), ("status", "invited")]).await;
        assert_eq!(both["total"], 6, "user102, 105, 108, 111, 114 and 117");

        let bad = ada.call("users/list", &[("status", "gone")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    })
    .await;
}

#[tokio::test]
async fn metadata_values_are_sealed_and_never_sent_to_the_admin() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let secret = "s3cret-token-value";
        let metadata =
            json!([{"key": "api_key", "value": secret}, {"key": "region", "value": "eu"}]);
        invite(&ada, "bea@example.com", "builder", metadata)
            .await
            .ok();
        let bea = app.user_id("bea@example.com").await;

        let listing = list(&ada, &[]).await;
        assert!(!listing.to_string().contains(secret));
        let row = listing["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["email"] == "bea@example.com")
            .unwrap()
            .clone();
        assert_eq!(row["metadata_keys"], 2);
        let details = act(&ada, "users/details", bea).await;
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

        assert_eq!(metadata_of(&app, bea).await["api_key"], secret);
    })
    .await;
}

#[tokio::test]
async fn editing_changes_role_and_only_the_values_typed_again() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let metadata = json!([
            {"key": "region", "value": "eu"},
            {"key": "tier", "value": "gold"},
            {"key": "team", "value": "ops"},
        ]);
        invite(&ada, "bea@example.com", "builder", metadata)
            .await
            .ok();
        let bea = app.user_id("bea@example.com").await;
        let edited = json!([
            {"key": "region", "value": null},
            {"key": "tier", "value": "silver"},
            {"key": "new", "value": "1"},
        ]);
        update(&ada, bea, "end-user", edited).await.ok();
        let expected: BTreeMap<String, String> =
            [("new", "1"), ("region", "eu"), ("tier", "silver")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        assert_eq!(metadata_of(&app, bea).await, expected);
        assert_eq!(app.role_of("acme", bea).await, "end-user");
        let actions: Vec<(String, String)> =
            sqlx::query_as("SELECT action, detail FROM audit_events ORDER BY id")
                .fetch_all(&app.db)
                .await
                .unwrap();
        assert!(actions.contains(&("member.role_changed".into(), "builder -> end-user".into())));
        assert!(actions.contains(&("member.metadata_changed".into(), "new, team, tier".into())));

        let before = app.footprint().await;
        let unknown_key = json!([{"key": "brand-new", "value": null}]);
        let refused = update(&ada, bea, "builder", unknown_key).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.footprint().await, before);
        assert_eq!(
            app.role_of("acme", bea).await,
            "end-user",
            "a refused edit changes nothing, the role included"
        );
    })
    .await;
}

#[tokio::test]
async fn the_last_active_admin_cannot_be_demoted_archived_or_removed() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let ada_id = app.user_id("ada@example.com").await;
        let before = app.footprint().await;
        let message =
            "A workspace needs at least one active admin. Make another member an admin first.";
        for reply in [
            update(&ada, ada_id, "builder", json!([])).await,
            act(&ada, "users/archive", ada_id).await,
            act(&ada, "users/remove", ada_id).await,
        ] {
            assert_eq!(reply.status, StatusCode::CONFLICT);
            assert_eq!(reply.json()["message"], message);
        }
        assert_eq!(app.footprint().await, before);

        let (bob, _) = app.second_admin().await;
        for (user_id, role) in [(bob, "builder"), (bob, "admin"), (ada_id, "builder")] {
            let reply = update(&ada, user_id, role, json!([])).await;
            assert_eq!(reply.status, StatusCode::OK, "{user_id} as {role}");
        }
    })
    .await;
}

#[tokio::test]
async fn two_admins_demoting_each_other_at_once_leave_one_admin() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let ada_id = app.user_id("ada@example.com").await;
        let (bob, bob_admin) = app.second_admin().await;
        let (first, second) = tokio::join!(
            update(&ada, bob, "end-user", json!([])),
            update(&bob_admin, ada_id, "end-user", json!([])),
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
        let ada = app.set_up_session().await;
        let token = invite_by_mail(&ada, "bea@example.com", "builder").await;
        let bea_cookie = join(&app, &token, "Bea").await.session_cookie();
        let bea = app.user_id("bea@example.com").await;

        let archived = act(&ada, "users/archive", bea).await;
        assert_eq!(archived.status, StatusCode::OK);
        assert_eq!(acme_context(&app, &bea_cookie).await, StatusCode::NOT_FOUND);
        assert_eq!(
            act(&ada, "users/archive", bea).await.status,
            StatusCode::CONFLICT
        );

        let unarchived = act(&ada, "users/unarchive", bea).await;
        assert_eq!(unarchived.status, StatusCode::OK);
        app.assert_membership("acme", "bea@example.com", Some("invited"))
            .await;
        assert_eq!(
            act(&ada, "users/unarchive", bea).await.status,
            StatusCode::CONFLICT
        );
        let token = app.last_mailed_token().await;
        accept(&app, &token, Some(&bea_cookie)).await.ok();
        app.assert_membership("acme", "bea@example.com", Some("active"))
            .await;
    })
    .await;
}

#[tokio::test]
async fn archiving_an_invited_member_ends_their_links() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let token = invite_by_mail(&ada, "bea@example.com", "builder").await;
        let bea = app.user_id("bea@example.com").await;
        act(&ada, "users/archive", bea).await.ok();
        assert_eq!(join(&app, &token, "Bea").await.status, StatusCode::GONE);
    })
    .await;
}

#[tokio::test]
async fn removing_a_member_takes_their_metadata_and_links_with_it() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let metadata = json!([{"key": "k", "value": "v"}]);
        invite(&ada, "bea@example.com", "builder", metadata)
            .await
            .ok();
        let token = app.last_mailed_token().await;
        let bea = app.user_id("bea@example.com").await;
        let removed = act(&ada, "users/remove", bea).await;
        assert_eq!(removed.status, StatusCode::OK);
        app.assert_membership("acme", "bea@example.com", None).await;
        assert_eq!(app.count("member_metadata").await, 0);
        assert_eq!(app.count("invitations").await, 0);
        assert_eq!(
            join(&app, &token, "Bea").await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            act(&ada, "users/remove", bea).await.status,
            StatusCode::NOT_FOUND
        );
        // Invited again later, as a new member.
        invite(&ada, "bea@example.com", "end-user", json!([]))
            .await
            .ok();
    })
    .await;
}

#[tokio::test]
async fn an_admin_cannot_reach_members_of_another_workspace() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        app.set_up().await;
        let ada_id = app.user_id("ada@example.com").await;
        let olga = app
            .admin_of_new_workspace("olga@example.com", "Other")
            .await;
        let in_her_workspace = app.session("other", olga.cookie.clone());
        let in_acme = app.session("acme", olga.cookie);
        let before = app.footprint().await;
        for endpoint in [
            "users/details",
            "users/archive",
            "users/remove",
            "users/invitation-link",
        ] {
            let here = act(&in_her_workspace, endpoint, ada_id).await;
            assert_eq!(here.status, StatusCode::NOT_FOUND, "{endpoint}");
            assert_eq!(error_code(&here), "MemberNotFound");
            let there = act(&in_acme, endpoint, ada_id).await;
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
        let ada = app.set_up_session().await;
        let other_session = app.sign_ada_in().await;
        let renamed = app
            .call(
                "profile/name",
                &[("full_name", "  Augusta  Ada King ")],
                Some(&ada.cookie),
            )
            .await;
        assert_eq!(renamed.json(), "Augusta Ada King");
        assert_eq!(list(&ada, &[("search", "augusta")]).await["total"], 1);

        let wrong = change_password(&app, &ada.cookie, "nope nope").await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            wrong.json()["message"],
            "The current password is incorrect."
        );
        let changed = change_password(&app, &ada.cookie, PASSWORD).await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
        assert_eq!(app.viewer(&ada.cookie).await.status, StatusCode::OK);
        assert_eq!(
            app.viewer(&other_session).await.status,
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
        let ada = app.set_up_session().await;
        let invited = invite(&ada, "bea@example.com", "builder", json!([]))
            .await
            .ok();
        assert_eq!(invited["mail_queued"], true);
        let mailer = Mailer::from_config(&app.config).unwrap().unwrap();
        for attempt in 1..=5 {
            let round = deliver_due(&app.db, &test_keyring(), &mailer)
                .await
                .unwrap();
            assert_eq!(round.failed, 1, "attempt {attempt}");
            sqlx::query("UPDATE mail_outbox SET next_attempt_at = 0 WHERE status = 'queued'")
                .execute(&app.db)
                .await
                .unwrap();
        }
        let outbox = outbox(&app, &ada.cookie).await;
        assert_eq!(outbox[0]["status"], "Failed");
        assert_eq!(outbox[0]["attempts"], 5);
        assert!(
            outbox[0]["last_error"]
                .as_str()
                .is_some_and(|error| !error.is_empty())
        );
        app.assert_membership("acme", "bea@example.com", Some("invited"))
            .await;
        assert_eq!(
            deliver_due(&app.db, &test_keyring(), &mailer)
                .await
                .unwrap()
                .failed,
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
        let ada = app.set_up_session().await;
        invite_by_mail(&ada, "bea@example.com", "builder").await;
        let outbox = outbox(&app, &ada.cookie).await;
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
        let ada = app.set_up_session().await;
        invite_by_mail(&ada, "bea@example.com", "builder").await;
        let bea = app.user_id("bea@example.com").await;
        for _ in 0..9 {
            assert_eq!(
                act(&ada, "users/resend-invitation", bea).await.status,
                StatusCode::OK
            );
        }
        let before = app.footprint().await;
        let refused = act(&ada, "users/resend-invitation", bea).await;
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            refused.json()["message"],
            "Too many invitations in a short time. Wait 60 minutes and try again."
        );
        assert_eq!(
            act(&ada, "users/invitation-link", bea).await.status,
            StatusCode::TOO_MANY_REQUESTS
        );
        assert_eq!(app.footprint().await, before);
    })
    .await;
}

#[tokio::test]
async fn members_archived_in_the_instance_get_links_that_lead_nowhere() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        invite_by_mail(&ada, "bea@example.com", "builder").await;
        let bea = app.user_id("bea@example.com").await;
        app.archive_account(bea).await;
        // Acme's admin can't tell: resending and copying work as for anyone…
        for endpoint in ["users/resend-invitation", "users/invitation-link"] {
            let reply = act(&ada, endpoint, bea).await;
            assert_eq!(reply.status, StatusCode::OK, "{endpoint}: {}", reply.body);
        }
        // …but no link opens while the account is archived.
        let token = token_of(&ada.copied_link(bea).await);
        assert_eq!(app.invitation(&token).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            join(&app, &token, "Bea").await.status,
            StatusCode::NOT_FOUND
        );
    })
    .await;
}

#[tokio::test]
async fn an_admin_demoted_a_moment_ago_can_no_longer_change_members() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let (bob, bob_admin) = app.second_admin().await;
        assert_eq!(
            update(&ada, bob, "builder", json!([])).await.status,
            StatusCode::OK
        );
        let reply = invite(&bob_admin, "carl@example.com", "admin", json!([])).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        app.assert_membership("acme", "carl@example.com", None)
            .await;
    })
    .await;
}

/// Invites someone by email alone, with custom groups, perhaps consenting to make them a
/// Builder.
async fn invite_into_groups(
    admin: &Session<'_>,
    full_name: &str,
    email: &str,
    group_ids: &[i64],
    allow_role_change: bool,
) -> Reply {
    let arguments = json!({
        "full_name": full_name,
        "email": email,
        "role": "end-user",
        "metadata": [],
        "group_ids": group_ids,
        "allow_role_change": allow_role_change,
    });
    admin.call_json("users/invite", arguments).await
}

async fn group_names(admin: &Session<'_>, user_id: i64) -> Value {
    act(admin, "users/details", user_id).await.json()["groups"].clone()
}

fn emails(listing: &Value) -> Vec<String> {
    listing["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|member| member["email"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_search_finds_any_word_of_a_name_in_users_all_users_and_the_group_picker() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        for (name, email) in [
            ("Grace Brewster Hopper", "grace@example.com"),
            ("Lovelace Fan", "fan@example.com"),
            ("Mary Lovelace-Smith", "mary@example.com"),
        ] {
            invite_into_groups(&ada, name, email, &[], false).await.ok();
        }
        let found = |search: &'static str| {
            let ada = &ada;
            async move { emails(&list(ada, &[("search", search)]).await) }
        };
        assert_eq!(
            found("lovelace").await,
            ["ada@example.com", "fan@example.com", "mary@example.com"]
        );
        assert_eq!(found(" BREW").await, ["grace@example.com"]);
        assert_eq!(found("hopper").await, ["grace@example.com"]);
        assert_eq!(found("lovelace-s").await, ["mary@example.com"]);
        assert_eq!(
            found("grace b").await,
            ["grace@example.com"],
            "the whole name"
        );
        assert_eq!(found("mary@").await, ["mary@example.com"], "the email");
        assert!(
            found("ovelace").await.is_empty(),
            "words match from their start"
        );
        let counted = list(&ada, &[("search", "lovelace")]).await;
        assert_eq!(counted["total"], 3);

        let group = ada.custom_group("Support", false).await;
        let addable = ada
            .call_on(
                "groups/addable-members",
                ("group_id", group),
                &[("search", "hopper")],
            )
            .await
            .ok();
        assert_eq!(addable[0]["email"], "grace@example.com");
        assert_eq!(addable.as_array().unwrap().len(), 1);

        let everyone = app
            .call(
                "instance/users",
                &[("search", "brewster")],
                Some(&ada.cookie),
            )
            .await
            .ok();
        assert_eq!(everyone["users"][0]["email"], "grace@example.com");
        assert_eq!(everyone["users"].as_array().unwrap().len(), 1);

        // Joining under their own name: the words follow the name shown.
        let token = {
            invite_into_groups(&ada, "", "ida@example.com", &[], false)
                .await
                .ok();
            app.last_mailed_token().await
        };
        assert_eq!(found("ida").await, ["ida@example.com"]);
        join(&app, &token, "Ida Rhodes").await.ok();
        assert_eq!(found("rhodes").await, ["ida@example.com"]);
    })
    .await;
}

#[tokio::test]
async fn an_invitation_needs_only_an_email_and_the_name_comes_from_it_until_set() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        invite_into_groups(&ada, "  ", "katherine.johnson@example.com", &[], false)
            .await
            .ok();
        let listed = list(&ada, &[("search", "katherine")]).await;
        assert_eq!(listed["members"][0]["full_name"], "Katherine Johnson");
        let token = app.last_mailed_token().await;
        let invitation = app.invitation(&token).await.json();
        assert_eq!(invitation["full_name"], "Katherine Johnson");
        join(&app, &token, "Katherine Coleman Johnson").await.ok();
        let listed = list(&ada, &[("search", "coleman")]).await;
        assert_eq!(
            listed["members"][0]["full_name"],
            "Katherine Coleman Johnson"
        );

        let imported = ada
            .import_csv("Email,Role\ndorothy_vaughan@example.com,Builder\n", false)
            .await;
        assert_eq!(imported.status, StatusCode::OK, "{}", imported.body);
        let listed = list(&ada, &[("search", "vaughan")]).await;
        assert_eq!(listed["members"][0]["full_name"], "Dorothy Vaughan");

        let before = app.footprint().await;
        let refused = invite_into_groups(&ada, "example.com", "mary@example.com", &[], false).await;
        assert_eq!(error_code(&refused), "NameNotPlain");
        assert_eq!(app.footprint().await, before);
    })
    .await;
}

#[tokio::test]
async fn groups_are_chosen_when_inviting_and_editing_with_the_end_user_rule() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let support = ada.custom_group("Support", false).await;
        let makers = ada.custom_group("Makers", true).await;

        invite_into_groups(&ada, "Bea", "bea@example.com", &[support], false)
            .await
            .ok();
        let bea = app.user_id("bea@example.com").await;
        assert_eq!(group_names(&ada, bea).await, json!(["Support"]));

        // A builder-level group makes an End-user a Builder, only with consent.
        let before = app.footprint().await;
        let refused = invite_into_groups(&ada, "Cy", "cy@example.com", &[makers], false).await;
        assert_eq!(
            error_code(&refused),
            json!({"RoleChangeNeeded": {"users": ["cy@example.com"]}})
        );
        assert_eq!(app.footprint().await, before, "the invitation was not made");
        invite_into_groups(&ada, "Cy", "cy@example.com", &[makers, support], true)
            .await
            .ok();
        let cy = app.user_id("cy@example.com").await;
        assert_eq!(app.role_of("acme", cy).await, "builder");
        assert_eq!(group_names(&ada, cy).await, json!(["Makers", "Support"]));

        // Edit user details: the groups sent are the groups kept.
        let edit = |user_id: i64, groups: Vec<i64>, allow: bool| {
            let ada = &ada;
            async move {
                let arguments = json!({
                    "user_id": user_id, "role": "end-user", "metadata": [],
                    "group_ids": groups, "allow_role_change": allow,
                });
                ada.call_json("users/update", arguments).await
            }
        };
        let before = app.footprint().await;
        let refused = edit(bea, vec![makers], false).await;
        assert_eq!(
            error_code(&refused),
            json!({"RoleChangeNeeded": {"users": ["bea@example.com"]}})
        );
        assert_eq!(
            app.footprint().await,
            before,
            "a refused edit changes nothing"
        );
        edit(bea, vec![makers], true).await.ok();
        assert_eq!(app.role_of("acme", bea).await, "builder");
        assert_eq!(group_names(&ada, bea).await, json!(["Makers"]));

        // Made an End-user with the groups the form loaded, she leaves the builder-level
        // one, as the confirmation said, and keeps the others.
        edit(cy, vec![makers, support], false).await.ok();
        assert_eq!(app.role_of("acme", cy).await, "end-user");
        assert_eq!(group_names(&ada, cy).await, json!(["Support"]));
        edit(cy, vec![makers, support], true).await.ok();
        assert_eq!(
            app.role_of("acme", cy).await,
            "builder",
            "rejoining takes consent"
        );
        assert_eq!(group_names(&ada, cy).await, json!(["Makers", "Support"]));

        // Without group_ids an edit leaves the groups alone.
        update(&ada, cy, "builder", json!([])).await.ok();
        assert_eq!(group_names(&ada, cy).await, json!(["Makers", "Support"]));

        // The table shows each member's custom groups and filters by one.
        let in_support = list(&ada, &[("group", &support.to_string())]).await;
        assert_eq!(emails(&in_support), ["cy@example.com"]);
        assert_eq!(in_support["total"], 1);
        assert_eq!(
            in_support["members"][0]["groups"],
            json!(["Makers", "Support"])
        );
        let elsewhere = app
            .admin_of_new_workspace("grace@example.com", "Elsewhere")
            .await;
        let foreign = app
            .session("elsewhere", elsewhere.cookie)
            .custom_group("Theirs", false)
            .await;
        let refused = ada
            .call("users/list", &[("group", &foreign.to_string())])
            .await;
        assert_eq!(error_code(&refused), "GroupNotFound");
        let role_group: i64 = sqlx::query_scalar(
            "SELECT g.id FROM groups g JOIN workspaces w ON w.id = g.workspace_id
             WHERE w.slug = 'acme' AND g.role = 'admin'",
        )
        .fetch_one(&app.db)
        .await
        .unwrap();
        let refused = ada
            .call("users/list", &[("group", &role_group.to_string())])
            .await;
        assert_eq!(error_code(&refused), "GroupNotFound");
    })
    .await;
}

#[tokio::test]
async fn a_metadata_key_is_renamed_in_place_and_its_value_resealed_under_the_new_key() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let metadata = json!([{"key": "dept", "value": "Sales"}, {"key": "tier", "value": "gold"}]);
        invite(&ada, "bea@example.com", "builder", metadata)
            .await
            .ok();
        let bea = app.user_id("bea@example.com").await;
        let sealed_before: String =
            sqlx::query_scalar("SELECT ciphertext FROM member_metadata WHERE meta_key = 'dept'")
                .fetch_one(&app.db)
                .await
                .unwrap();

        let renamed = json!([
            {"key": "department", "value": null, "renamed_from": "dept"},
            {"key": "tier", "value": null},
        ]);
        update(&ada, bea, "builder", renamed).await.ok();
        let expected: BTreeMap<String, String> = [("department", "Sales"), ("tier", "gold")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(
            metadata_of(&app, bea).await,
            expected,
            "opens under the new key"
        );
        let sealed_after: String = sqlx::query_scalar(
            "SELECT ciphertext FROM member_metadata WHERE meta_key = 'department'",
        )
        .fetch_one(&app.db)
        .await
        .unwrap();
        assert_ne!(
            sealed_after, sealed_before,
            "sealed again, bound to the new key"
        );
        let detail: String = sqlx::query_scalar(
            "SELECT detail FROM audit_events WHERE action = 'member.metadata_changed'
             ORDER BY id DESC LIMIT 1",
        )
        .fetch_one(&app.db)
        .await
        .unwrap();
        assert_eq!(detail, "department, dept");
        assert!(!detail.contains("Sales"));
    })
    .await;
}
