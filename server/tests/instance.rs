//! Instance settings over HTTP, on SQLite and PostgreSQL: All users with its counters,
//! search, filter and pages; super admins; password resets; archiving from the instance;
//! and the workspaces. Every refusal is shown to change nothing.

use app::db::testing::on_each_backend;
use app::memberships::{MembershipStatus, Role};
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::support::{PASSWORD, Reply, TestApp, error_code};

async fn users(app: &TestApp, cookie: &str, form: &[(&str, &str)]) -> Value {
    app.call("instance/users", form, Some(cookie)).await.ok()
}

fn emails(page: &Value) -> Vec<String> {
    page["users"]
        .as_array()
        .expect("a list of users")
        .iter()
        .map(|user| user["email"].as_str().unwrap().to_string())
        .collect()
}

/// Calls an instance function on one user, with more fields after the id.
async fn on_user(
    app: &TestApp,
    cookie: &str,
    endpoint: &str,
    user_id: i64,
    form: &[(&str, &str)],
) -> Reply {
    let id = user_id.to_string();
    let mut fields = vec![("user_id", id.as_str())];
    fields.extend_from_slice(form);
    app.call(endpoint, &fields, Some(cookie)).await
}

async fn is_super_admin(app: &TestApp, user_id: i64) -> bool {
    let flag: i64 = sqlx::query_scalar("SELECT is_super_admin FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    flag == 1
}

#[tokio::test]
async fn all_users_pages_through_everyone_with_search_filter_and_counts() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        for n in 0..60 {
            let (role, status) = if n < 5 {
                (Role::Builder, MembershipStatus::Invited)
            } else {
                (Role::EndUser, MembershipStatus::Active)
            };
            app.member_of("acme", &format!("person{n:02}@example.com"), role, status)
                .await;
        }

        let first = users(&app, &ada, &[]).await;
        assert_eq!(first["counts"], json!({ "total_users": 61, "builders": 6 }));
        let listed = emails(&first);
        assert_eq!(listed.len(), 50);
        assert_eq!(listed[0], "ada@example.com");
        assert_eq!(listed[1], "person00@example.com");
        let mut sorted = listed.clone();
        sorted.sort();
        assert_eq!(listed, sorted, "in email order");
        assert_eq!(first["users"][0]["is_super_admin"], true);
        assert_eq!(first["users"][0]["workspaces"], 1);
        assert_eq!(first["users"][0]["status"], "Active");
        assert_eq!(first["previous_before"], Value::Null);

        let after = first["next_after"].as_str().unwrap().to_string();
        let second = users(&app, &ada, &[("after", &after)]).await;
        assert_eq!(emails(&second).len(), 11);
        assert_eq!(emails(&second)[10], "person59@example.com");
        assert_eq!(second["next_after"], Value::Null);
        let before = second["previous_before"].as_str().unwrap().to_string();
        let back = users(&app, &ada, &[("before", &before)]).await;
        assert_eq!(emails(&back), listed);

        let found = users(&app, &ada, &[("search", " PERSON05 ")]).await;
        assert_eq!(emails(&found), ["person05@example.com"]);
        // Invited members have no password yet: their accounts are invited too.
        let active = users(&app, &ada, &[("status", "active")]).await;
        assert_eq!(emails(&active), ["ada@example.com"]);
        let archived = users(&app, &ada, &[("status", "archived")]).await;
        assert!(emails(&archived).is_empty());

        let grace = app.user_id("person07@example.com").await;
        on_user(
            &app,
            &ada,
            "instance/update-user",
            grace,
            &[("full_name", "Grace Hopper"), ("super_admin", "false")],
        )
        .await
        .ok();
        let by_name = users(&app, &ada, &[("search", "grace h")]).await;
        assert_eq!(emails(&by_name), ["person07@example.com"]);
        assert_eq!(by_name["users"][0]["full_name"], "Grace Hopper");

        let refused = app
            .call("instance/users", &[("status", "gone")], Some(&ada))
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    })
    .await;
}

#[tokio::test]
async fn super_admins_are_made_and_revoked_but_the_last_one_stays() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let ada_id = app.user_id("ada@example.com").await;
        let (bob_id, bob) = app.second_admin().await;
        let update = |cookie: String, user_id: i64, name: &'static str, flag: &'static str| {
            let app = &app;
            async move {
                on_user(
                    app,
                    &cookie,
                    "instance/update-user",
                    user_id,
                    &[("full_name", name), ("super_admin", flag)],
                )
                .await
            }
        };

        let before = app.footprint().await;
        update(ada.clone(), ada_id, "Ada Lovelace", "false")
            .await
            .assert_refused(
                StatusCode::CONFLICT,
                json!("LastSuperAdmin"),
                "The instance needs at least one super admin. Make another user a super admin first.",
            );
        let blank = update(ada.clone(), bob_id, " ", "true").await;
        assert_eq!(error_code(&blank), json!("FullNameRequired"));
        assert_eq!(app.footprint().await, before);
        assert!(is_super_admin(&app, ada_id).await);
        assert!(!is_super_admin(&app, bob_id).await);

        let refused = app.call("instance/users", &[], Some(&bob.cookie)).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        update(ada.clone(), bob_id, "Bob Babbage", "true").await.ok();
        // Bob's session sees the change at once.
        assert_eq!(app.viewer(&bob.cookie).await.ok()["is_super_admin"], true);
        users(&app, &bob.cookie, &[]).await;

        update(bob.cookie.clone(), ada_id, "Ada Lovelace", "false")
            .await
            .ok();
        let refused = app.call("instance/users", &[], Some(&ada)).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let last = update(bob.cookie.clone(), bob_id, "Bob Babbage", "false").await;
        assert_eq!(error_code(&last), json!("LastSuperAdmin"));
        assert_eq!(app.viewer(&bob.cookie).await.ok()["full_name"], "Bob Babbage");
    })
    .await;
}

#[tokio::test]
async fn a_password_reset_ends_the_users_sessions() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let (bob_id, bob) = app.second_admin().await;

        let reset = on_user(&app, &ada, "instance/reset-password", bob_id, &[])
            .await
            .ok();
        let generated = reset["generated"].as_str().unwrap().to_string();
        assert!(generated.len() >= 22, "{generated}");
        assert_eq!(
            app.viewer(&bob.cookie).await.status,
            StatusCode::UNAUTHORIZED
        );
        let bob = app
            .sign_in("bob@example.com", &generated, None)
            .await
            .session_cookie();

        let before = app.footprint().await;
        let short = on_user(
            &app,
            &ada,
            "instance/reset-password",
            bob_id,
            &[("password", "short")],
        )
        .await;
        short.assert_refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({ "PasswordTooShort": { "min": 8 } }),
            "A password must be at least 8 characters long.",
        );
        assert_eq!(app.footprint().await, before);
        app.viewer(&bob).await.ok();

        let chosen = on_user(
            &app,
            &ada,
            "instance/reset-password",
            bob_id,
            &[("password", "difference engine")],
        )
        .await
        .ok();
        assert_eq!(chosen["generated"], Value::Null);
        let old = app.sign_in("bob@example.com", &generated, None).await;
        assert_eq!(old.status, StatusCode::UNAUTHORIZED);
        app.sign_in("bob@example.com", "difference engine", None)
            .await
            .ok();

        // A super admin resetting their own password stays signed in.
        let ada_id = app.user_id("ada@example.com").await;
        on_user(&app, &ada, "instance/reset-password", ada_id, &[])
            .await
            .ok();
        app.viewer(&ada).await.ok();
        let stale = app.sign_in("ada@example.com", PASSWORD, None).await;
        assert_eq!(stale.status, StatusCode::UNAUTHORIZED);
    })
    .await;
}

#[tokio::test]
async fn archiving_from_the_instance_closes_every_door_until_unarchived() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let ada_id = app.user_id("ada@example.com").await;
        let (bob_id, bob) = app.second_admin().await;
        let carol = app
            .admin_of_new_workspace("carol@example.com", "Carol Co")
            .await;
        on_user(
            &app,
            &ada,
            "instance/reset-password",
            bob_id,
            &[("password", "difference engine")],
        )
        .await
        .ok();
        let bob = app
            .sign_in("bob@example.com", "difference engine", Some(&bob.cookie))
            .await
            .session_cookie();

        let before = app.footprint().await;
        on_user(&app, &ada, "instance/archive-user", ada_id, &[])
            .await
            .assert_refused(
                StatusCode::CONFLICT,
                json!("CannotArchiveYourself"),
                "You can't archive yourself. Ask another super admin to do it.",
            );
        on_user(&app, &ada, "instance/archive-user", carol.user_id, &[])
            .await
            .assert_refused(
                StatusCode::CONFLICT,
                json!({ "OnlyActiveAdminOf": { "workspaces": ["Carol Co"] } }),
                "This user is the only active admin of Carol Co. Make another member an admin there first.",
            );
        assert_eq!(app.footprint().await, before);
        let counts = users(&app, &ada, &[]).await["counts"].clone();
        assert_eq!(counts, json!({ "total_users": 3, "builders": 3 }));

        on_user(&app, &ada, "instance/archive-user", bob_id, &[])
            .await
            .ok();
        assert_eq!(app.viewer(&bob).await.status, StatusCode::UNAUTHORIZED);
        app.assert_membership("acme", "bob@example.com", Some("archived"))
            .await;
        app.sign_in("bob@example.com", "difference engine", None)
            .await
            .assert_refused(
                StatusCode::FORBIDDEN,
                json!("AccountArchived"),
                "This account has been archived. Contact a super admin to restore access.",
            );
        let counts = users(&app, &ada, &[]).await["counts"].clone();
        assert_eq!(counts, json!({ "total_users": 2, "builders": 2 }));
        let again = on_user(&app, &ada, "instance/archive-user", bob_id, &[]).await;
        assert_eq!(error_code(&again), json!("AlreadyArchivedInInstance"));
        // Acme may invite Bob again, as it may anyone; the link leads nowhere while the
        // account is archived.
        let reinvite = app
            .session("acme", ada.clone())
            .call("users/unarchive", &[("user_id", &bob_id.to_string())])
            .await;
        assert_eq!(reinvite.status, StatusCode::OK, "{}", reinvite.body);
        let token = app.last_mailed_token().await;
        let dead = app.invitation(&token).await;
        assert_eq!(dead.status, StatusCode::NOT_FOUND);
        let archive = app
            .session("acme", ada.clone())
            .call("users/archive", &[("user_id", &bob_id.to_string())])
            .await;
        assert_eq!(archive.status, StatusCode::OK, "{}", archive.body);

        on_user(&app, &ada, "instance/unarchive-user", bob_id, &[])
            .await
            .ok();
        let bob = app
            .sign_in("bob@example.com", "difference engine", None)
            .await
            .session_cookie();
        // The account is back; the membership waits for acme to invite Bob again.
        assert_eq!(
            app.workspace_context("acme", &bob).await.status,
            StatusCode::NOT_FOUND
        );
        let listed = users(&app, &ada, &[("search", "bob")]).await;
        assert_eq!(listed["users"][0]["status"], "Active");
        app.session("acme", ada.clone())
            .ok("users/unarchive", &[("user_id", &bob_id.to_string())])
            .await;
        app.assert_membership("acme", "bob@example.com", Some("invited"))
            .await;
        let again = on_user(&app, &ada, "instance/unarchive-user", bob_id, &[]).await;
        assert_eq!(error_code(&again), json!("NotArchivedInInstance"));

        let workspaces = on_user(&app, &ada, "instance/user-workspaces", bob_id, &[])
            .await
            .ok();
        assert_eq!(
            workspaces,
            json!([{
                "name": "Acme",
                "slug": "acme",
                "role": "Admin",
                "status": "Invited",
                "workspace_archived": false,
            }])
        );
    })
    .await;
}

#[tokio::test]
async fn super_admins_create_rename_archive_and_unarchive_workspaces() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let (_, bob) = app.second_admin().await;
        let create = |name: &'static str, slug: &'static str| {
            let app = &app;
            let ada = ada.clone();
            async move {
                app.call(
                    "workspaces/create",
                    &[("name", name), ("slug", slug)],
                    Some(&ada),
                )
                .await
            }
        };

        let created = create("Support", "support-desk").await.ok();
        assert_eq!(created["slug"], "support-desk");
        assert_eq!(
            app.workspace_context("support-desk", &ada).await.ok()["role"],
            "Admin"
        );
        let before = app.footprint().await;
        let workspaces_before = app.count("workspaces").await;
        create("Support two", "support-desk").await.assert_refused(
            StatusCode::CONFLICT,
            json!({ "WorkspaceUrlTaken": { "slug": "support-desk" } }),
            "The workspace URL \"support-desk\" is taken. Choose another.",
        );
        let reserved = create("Settings", "settings").await;
        assert_eq!(reserved.status, StatusCode::CONFLICT);
        let invalid = create("Bad", "Bad URL").await;
        assert_eq!(
            error_code(&invalid),
            json!({ "WorkspaceUrlInvalid": { "max": 40 } })
        );
        assert_eq!(app.footprint().await, before);
        assert_eq!(app.count("workspaces").await, workspaces_before);

        app.call(
            "instance/rename-workspace",
            &[("slug", "support-desk"), ("name", "  Help   Desk ")],
            Some(&ada),
        )
        .await
        .ok();
        let listing = app.call("instance/workspaces", &[], Some(&ada)).await.ok();
        assert!(
            listing
                .as_array()
                .unwrap()
                .iter()
                .any(|workspace| workspace["name"] == "Help Desk"
                    && workspace["slug"] == "support-desk"),
            "{listing}"
        );

        // An invitation sent before the workspace is archived stops working with it.
        let admin = app.session("acme", ada.clone());
        admin
            .call_json(
                "users/invite",
                json!({
                    "full_name": "New Person",
                    "email": "new@example.com",
                    "role": "end-user",
                    "metadata": [],
                }),
            )
            .await
            .ok();
        let token = app.last_mailed_token().await;
        let archive = |archived: &'static str| {
            let app = &app;
            let ada = ada.clone();
            async move {
                app.call(
                    "instance/archive-workspace",
                    &[("slug", "acme"), ("archived", archived)],
                    Some(&ada),
                )
                .await
            }
        };
        archive("true").await.ok();
        assert_eq!(
            app.workspace_context("acme", &bob.cookie).await.status,
            StatusCode::NOT_FOUND
        );
        let opened = app
            .call("invitations/details", &[("token", &token)], None)
            .await;
        assert_eq!(error_code(&opened), json!("InvitationUnknown"));
        assert_eq!(
            error_code(&archive("true").await),
            json!("WorkspaceAlreadyArchived")
        );

        archive("false").await.ok();
        app.workspace_context("acme", &bob.cookie).await.ok();
        app.call("invitations/details", &[("token", &token)], None)
            .await
            .ok();
        assert_eq!(
            error_code(&archive("false").await),
            json!("WorkspaceNotArchived")
        );
    })
    .await;
}

#[tokio::test]
async fn two_super_admins_revoking_each_other_at_once_leave_one() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let ada_id = app.user_id("ada@example.com").await;
        let (bob_id, bob) = app.second_admin().await;
        on_user(
            &app,
            &ada,
            "instance/update-user",
            bob_id,
            &[("full_name", "Bob"), ("super_admin", "true")],
        )
        .await
        .ok();

        let revoke = |cookie: String, user_id: i64, name: &'static str| {
            let app = &app;
            async move {
                on_user(
                    app,
                    &cookie,
                    "instance/update-user",
                    user_id,
                    &[("full_name", name), ("super_admin", "false")],
                )
                .await
            }
        };
        let (by_ada, by_bob) = tokio::join!(
            revoke(ada.clone(), bob_id, "Bob"),
            revoke(bob.cookie.clone(), ada_id, "Ada Lovelace"),
        );
        // The loser is refused either way: before its change, as no longer a super
        // admin, or inside it, as the last one.
        let (won, lost) = if by_ada.status == StatusCode::OK {
            (&by_ada, &by_bob)
        } else {
            (&by_bob, &by_ada)
        };
        assert_eq!(won.status, StatusCode::OK, "{}", won.body);
        let code = error_code(lost);
        assert!(
            code == json!("SuperAdminRequired") || code == json!("LastSuperAdmin"),
            "{}",
            lost.body
        );
        let left = [
            is_super_admin(&app, ada_id).await,
            is_super_admin(&app, bob_id).await,
        ];
        assert_eq!(left.iter().filter(|is| **is).count(), 1, "{left:?}");
    })
    .await;
}

#[tokio::test]
async fn super_admins_manage_every_workspace_without_being_members() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        app.admin_of_new_workspace("grace@example.com", "Elsewhere")
            .await;
        let elsewhere = app.workspace_id("elsewhere").await;
        let as_ada = app.session("elsewhere", ada.cookie.clone());

        let context = app.workspace_context("elsewhere", &ada.cookie).await.ok();
        assert_eq!(context["role"], "Admin");
        let listed = as_ada.ok("users/list", &[]).await;
        assert_eq!(listed["total"], 1, "only Grace: Ada is not a member");
        assert_eq!(listed["members"][0]["email"], "grace@example.com");
        as_ada.ok("dashboard", &[]).await;
        as_ada.ok("groups/list", &[]).await;

        as_ada
            .invite("Hedy Lamarr", "hedy@example.com", "builder")
            .await
            .ok();
        let (actor, detail): (i64, String) = sqlx::query_as(
            "SELECT actor_user_id, detail FROM audit_events
             WHERE workspace_id = $1 AND action = 'member.invited'",
        )
        .bind(elsewhere)
        .fetch_one(&app.db)
        .await
        .unwrap();
        assert_eq!(actor, app.user_id("ada@example.com").await);
        assert_eq!(detail, "builder (as super admin)");
        assert_eq!(
            app.membership_status("elsewhere", "ada@example.com").await,
            None,
            "acting there made Ada no member"
        );

        // Someone who is neither a member nor a super admin finds nothing there.
        let (_, bob) = app.user_with_session("bob@example.com").await;
        let refused = app.workspace_context("elsewhere", &bob).await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.body);

        // Nor does a super admin once the workspace is archived.
        app.call(
            "instance/archive-workspace",
            &[("slug", "elsewhere"), ("archived", "true")],
            Some(&ada.cookie),
        )
        .await
        .ok();
        let refused = as_ada.call("users/list", &[]).await;
        assert_eq!(error_code(&refused), "WorkspaceUnavailable");
    })
    .await;
}
