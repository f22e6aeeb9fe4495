//! Hostile workspace admins, hostile files and hostile links, over HTTP on SQLite and
//! PostgreSQL: each test here was written against an attack that once got through.

use std::sync::Arc;

use crate::support::{PASSWORD, Reply, Session, TestApp, error_code, token_of};
use app::db::testing::on_each_backend;
use app::memberships::{MembershipStatus, Role};
use axum::http::StatusCode;
use serde_json::json;

async fn invite(admin: &Session<'_>, name: &str, email: &str) -> Reply {
    admin.invite(name, email, "end-user").await
}

/// The token of a link the admin copies for an invited member.
async fn copied_token(admin: &Session<'_>, user_id: i64) -> String {
    token_of(&admin.copied_link(user_id).await)
}

/// The name a workspace's Users page shows for a member.
async fn listed_name(admin: &Session<'_>, email: &str) -> String {
    let page = admin.ok("users/list", &[("search", email)]).await;
    page["members"][0]["full_name"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn password_hash(app: &TestApp, user_id: i64) -> Option<String> {
    sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

async fn last_mail_recipient(app: &TestApp) -> String {
    sqlx::query_scalar("SELECT recipient FROM mail_outbox ORDER BY id DESC LIMIT 1")
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// Audit events of one action: actor, workspace, target and detail, oldest first.
async fn audited(
    app: &TestApp,
    action: &str,
) -> Vec<(Option<i64>, Option<i64>, Option<i64>, String)> {
    sqlx::query_as(
        "SELECT actor_user_id, workspace_id, target_user_id, detail FROM audit_events
         WHERE action = $1 ORDER BY id",
    )
    .bind(action)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

/// Ada, Admin of acme, and Mallory, Admin of her own workspace beta.
async fn two_workspaces(app: &TestApp) -> (Session<'_>, Session<'_>, i64) {
    let ada = app.set_up_session().await;
    let mallory = app
        .admin_of_new_workspace("mallory@example.com", "Beta")
        .await;
    (ada, app.session("beta", mallory.cookie), mallory.user_id)
}

// 1. A CSV file can't crash the server.

fn csv_with_metadata(metadata: &str) -> String {
    format!(
        "Full Name,Email,Role,Metadata\nAda Lovelace,ada2@example.com,Builder,\"{}\"\n",
        metadata.replace('"', "\"\"")
    )
}

#[tokio::test]
async fn a_deeply_nested_metadata_cell_is_refused_and_the_server_stays_up() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let before = app.footprint().await;
        for dry_run in [true, false] {
            let reply = ada
                .import_csv(&csv_with_metadata(&"[".repeat(300_000)), dry_run)
                .await;
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{}",
                reply.body
            );
            let problems = &reply.json()["code"]["CsvRejected"]["problems"];
            assert_eq!(
                problems,
                &json!([{ "row": 2, "column": "Metadata", "issue": "MetadataUnreadable" }])
            );
        }
        let too_long = format!("{{'k': '{}'}}", "x".repeat(400_000));
        let reply = ada.import_csv(&csv_with_metadata(&too_long), true).await;
        assert_eq!(
            reply.json()["code"]["CsvRejected"]["problems"][0]["issue"],
            json!({ "MetadataCellTooLong": { "max": 400_000 } })
        );
        assert_eq!(app.footprint().await, before);
        // Still serving, for everyone.
        let flat = ada
            .import_csv(&csv_with_metadata("{'team': 'core'}"), false)
            .await;
        assert_eq!(flat.ok()["invited"], 1);
    })
    .await;
}

#[tokio::test]
async fn a_file_with_thousands_of_problems_lists_the_first_thousand() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let mut csv = String::from("Full Name,Email,Role,Groups,Metadata\n");
        for n in 0..500 {
            csv.push_str(&format!("Person {n},person{n}@,Boss,Nobody,[]\n"));
        }
        let reply = ada.import_csv(&csv, true).await;
        let rejected = &reply.json()["code"]["CsvRejected"];
        assert_eq!(rejected["problems"].as_array().map(Vec::len), Some(1_000));
        assert_eq!(rejected["total"], 2_000);
        assert!(
            reply.json()["message"]
                .as_str()
                .unwrap()
                .ends_with("The first 1000 are listed.")
        );
        // Rows that can't even be read count toward the 500 people a file may hold.
        let mut short_rows = String::from("Full Name,Email,Role\n");
        for n in 0..=500 {
            short_rows.push_str(&format!("Person {n},person{n}@example.com\n"));
        }
        let reply = ada.import_csv(&short_rows, true).await;
        assert_eq!(
            reply.json()["code"]["CsvRejected"]["problems"],
            json!([{ "row": null, "column": null, "issue": { "TooManyRows": { "max": 500 } } }])
        );
    })
    .await;
}

// 2. One workspace's admin can't claim another workspace's invitee.

#[tokio::test]
async fn an_admin_of_another_workspace_cannot_take_over_an_invitee() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let (ada, mallory, _) = two_workspaces(&app).await;
        invite(&ada, "Victor Hugo", "victor@example.com").await.ok();
        let acme_link = app.last_mailed_token().await;
        let victor = app.user_id("victor@example.com").await;

        // Mallory invites the same address under a name of her choosing, which acme
        // never sees, copies her link and uses it herself.
        invite(&mallory, "Mallory's Puppet", "victor@example.com")
            .await
            .ok();
        assert_eq!(listed_name(&ada, "victor@example.com").await, "Victor Hugo");
        let copied = copied_token(&mallory, victor).await;
        let attempt = app
            .join(&copied, "Mallory's Puppet", "mallory's choice")
            .await
            .ok();
        assert_eq!(
            attempt,
            json!({ "outcome": "confirmation_mailed", "email": "victor@example.com" })
        );
        assert_eq!(
            password_hash(&app, victor).await,
            None,
            "no password was set"
        );
        assert_eq!(last_mail_recipient(&app).await, "victor@example.com");
        app.assert_membership("beta", "victor@example.com", Some("invited"))
            .await;
        let as_mallory = app
            .sign_in("victor@example.com", "mallory's choice", None)
            .await;
        assert_eq!(as_mallory.status, StatusCode::UNAUTHORIZED);
        assert_eq!(listed_name(&ada, "victor@example.com").await, "Victor Hugo");

        // Victor, holding acme's link, gets in with a password of his own.
        let opened = app.invitation(&acme_link).await.ok();
        assert_eq!(opened["needs_account"], true);
        assert_eq!(opened["full_name"], "Victor Hugo");
        let joined = app.join(&acme_link, "Victor Hugo", PASSWORD).await.ok();
        assert_eq!(joined, json!({ "outcome": "joined", "path": "/acme" }));
        app.assert_membership("acme", "victor@example.com", Some("active"))
            .await;
        assert_eq!(
            listed_name(&mallory, "victor@example.com").await,
            "Mallory's Puppet"
        );
    })
    .await;
}

#[tokio::test]
async fn a_password_chosen_through_a_copied_link_gives_way_to_the_owner() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let (ada, mallory, _) = two_workspaces(&app).await;
        // Nobody else knows nora@ yet, so Mallory's copied link sets her password.
        invite(&mallory, "Nora", "nora@example.com").await.ok();
        let nora = app.user_id("nora@example.com").await;
        let copied = copied_token(&mallory, nora).await;
        let claimed = app.join(&copied, "Nora", "mallory's choice").await;
        assert_eq!(claimed.ok()["outcome"], "joined");
        let mallorys_session = claimed.session_cookie();
        assert_eq!(app.viewer(&mallorys_session).await.status, StatusCode::OK);

        // Acme invites nora@ too; the person reading nora@'s mail sets her own password,
        // and whoever chose the earlier one is out.
        invite(&ada, "Nora Ephron", "nora@example.com").await.ok();
        let acme_link = app.last_mailed_token().await;
        assert_eq!(app.invitation(&acme_link).await.ok()["needs_account"], true);
        let joined = app.join(&acme_link, "Nora Ephron", PASSWORD).await;
        assert_eq!(joined.ok()["path"], "/acme");
        assert_eq!(
            app.viewer(&mallorys_session).await.status,
            StatusCode::UNAUTHORIZED
        );
        let old = app
            .sign_in("nora@example.com", "mallory's choice", None)
            .await;
        assert_eq!(old.status, StatusCode::UNAUTHORIZED);
        let own = app.sign_in("nora@example.com", PASSWORD, None).await;
        assert_eq!(own.status, StatusCode::OK);
        assert_eq!(
            listed_name(&mallory, "nora@example.com").await,
            "Nora Ephron"
        );
    })
    .await;
}

#[tokio::test]
async fn a_copied_link_for_someone_known_elsewhere_mails_them_a_link_of_their_own() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let (ada, mallory, _) = two_workspaces(&app).await;
        invite(&ada, "Olive", "olive@example.com").await.ok();
        invite(&mallory, "Olive", "olive@example.com").await.ok();
        let olive = app.user_id("olive@example.com").await;
        let copied = copied_token(&mallory, olive).await;
        assert_eq!(
            app.join(&copied, "Olive", PASSWORD).await.ok()["outcome"],
            "confirmation_mailed"
        );
        let body = app.last_mail_body().await;
        assert!(body.contains("To confirm it's you"), "{body}");
        let confirmation = app.last_mailed_token().await;
        let joined = app.join(&confirmation, "Olive Kitteridge", PASSWORD).await;
        assert_eq!(joined.ok()["path"], "/beta");
        assert_eq!(
            audited(&app, "invitation.confirmation_mailed").await.len(),
            1
        );
        // Mailed confirmations count toward the person's invitations from beta.
        let mut copies = Vec::new();
        invite(&mallory, "Pat", "pat@example.com").await.ok();
        invite(&ada, "Pat", "pat@example.com").await.ok();
        let pat = app.user_id("pat@example.com").await;
        for _ in 0..9 {
            copies.push(copied_token(&mallory, pat).await);
        }
        let refused = app.join(&copies[0], "Pat", PASSWORD).await;
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    })
    .await;
}

#[tokio::test]
async fn the_same_person_invited_by_two_workspaces_joins_both() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let (ada, mallory, _) = two_workspaces(&app).await;
        invite(&ada, "Carol from acme", "carol@example.com")
            .await
            .ok();
        let acme_link = app.last_mailed_token().await;
        invite(&mallory, "Carol from beta", "carol@example.com")
            .await
            .ok();
        let beta_link = app.last_mailed_token().await;
        let joined = app.join(&acme_link, "Carol Shields", PASSWORD).await;
        assert_eq!(joined.ok()["path"], "/acme");
        // With a password of her own, she signs in to accept beta's.
        assert_eq!(
            app.invitation(&beta_link).await.ok()["needs_account"],
            false
        );
        let refused = app.join(&beta_link, "Carol", "another password").await;
        assert_eq!(error_code(&refused), "SignInToAccept");
        let cookie = app
            .sign_in("carol@example.com", PASSWORD, None)
            .await
            .session_cookie();
        let accepted = app
            .call(
                "invitations/accept",
                &[("token", &beta_link)],
                Some(&cookie),
            )
            .await;
        assert_eq!(accepted.ok()["path"], "/beta");
        app.assert_membership("beta", "carol@example.com", Some("active"))
            .await;
        // Having joined, she goes by her own name in both.
        assert_eq!(
            listed_name(&mallory, "carol@example.com").await,
            "Carol Shields"
        );
        assert_eq!(
            listed_name(&ada, "carol@example.com").await,
            "Carol Shields"
        );
    })
    .await;
}

// 8b. Inviting tells a workspace admin nothing about other workspaces.

#[tokio::test]
async fn inviting_answers_alike_whoever_the_address_belongs_to() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let (ada, mallory, _) = two_workspaces(&app).await;
        let (archived, _) = app.user_with_session("archived@example.com").await;
        app.archive_account(archived).await;
        invite(&ada, "Member Elsewhere", "elsewhere@example.com")
            .await
            .ok();
        let mut answers = Vec::new();
        for email in [
            "archived@example.com",
            "elsewhere@example.com",
            "new@example.com",
        ] {
            let reply = invite(&mallory, "Guess", email).await;
            assert_eq!(reply.status, StatusCode::OK, "{email}: {}", reply.body);
            answers.push(reply.json()["mail_queued"].clone());
            assert_eq!(listed_name(&mallory, email).await, "Guess", "{email}");
            app.assert_membership("beta", email, Some("invited")).await;
        }
        assert!(answers.iter().all(|answer| *answer == answers[0]));
        // The archived account's links lead nowhere until a super admin restores it.
        let copied = copied_token(&mallory, archived).await;
        assert_eq!(app.invitation(&copied).await.status, StatusCode::NOT_FOUND);
        // A file answers alike too.
        let csv = "Full Name,Email,Role\nA,archived@example.com,End-user\nB,elsewhere@example.com,End-user\n";
        let gamma = app.admin_of_new_workspace("gus@example.com", "Gamma").await;
        let gamma = app.session("gamma", gamma.cookie);
        assert_eq!(gamma.import_csv(csv, false).await.ok()["invited"], 2);
    })
    .await;
}

// 8a. One workspace can't use up another's invitations to a person.

#[tokio::test]
async fn one_workspace_cannot_use_up_anothers_invitations_to_a_person() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let (ada, mallory, _) = two_workspaces(&app).await;
        invite(&mallory, "Victor", "victor@example.com").await.ok();
        let victor = app.user_id("victor@example.com").await;
        let resend = || async {
            mallory
                .call(
                    "users/resend-invitation",
                    &[("user_id", &victor.to_string())],
                )
                .await
                .status
        };
        for _ in 0..9 {
            assert_eq!(resend().await, StatusCode::OK);
        }
        assert_eq!(resend().await, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            invite(&ada, "Victor", "victor@example.com").await.status,
            StatusCode::OK
        );
    })
    .await;
}

// 3. End-users never hold builder-level permissions, archived or not.

#[tokio::test]
async fn archived_members_count_when_a_group_becomes_builder_level() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let (eve, eve_cookie) = app
            .member_of(
                "acme",
                "eve@example.com",
                Role::EndUser,
                MembershipStatus::Active,
            )
            .await;
        let group = ada.ok("groups/create", &[("name", "Support")]).await["id"]
            .as_i64()
            .unwrap();
        let arguments = json!({ "group_id": group, "user_ids": [eve], "allow_role_change": false });
        ada.call_json("groups/add-members", arguments).await.ok();
        ada.ok("users/archive", &[("user_id", &eve.to_string())])
            .await;

        let set_flag = |allow: &'static str| {
            let group = group.to_string();
            let ada = &ada;
            async move {
                ada.call(
                    "groups/set-flag",
                    &[
                        ("group_id", &group),
                        ("flag", "app_create"),
                        ("on", "true"),
                        ("allow_role_change", allow),
                    ],
                )
                .await
            }
        };
        let before = app.footprint().await;
        let refused = set_flag("false").await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
        assert_eq!(
            refused.json()["code"],
            json!({ "RoleChangeNeeded": { "users": ["eve@example.com"] } })
        );
        assert_eq!(app.footprint().await, before);
        set_flag("true").await.ok();
        assert_eq!(app.role_of("acme", eve).await, "builder");

        // Back from the archive, Eve holds the flag as the Builder she now is.
        ada.ok("users/unarchive", &[("user_id", &eve.to_string())])
            .await;
        let accepted = app
            .call(
                "invitations/accept",
                &[("token", &app.last_mailed_token().await)],
                Some(&eve_cookie),
            )
            .await;
        assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
        assert_eq!(app.role_of("acme", eve).await, "builder");
    })
    .await;
}

// 6. Apps don't stay with someone who left.

async fn create_app(app: &TestApp, cookie: &str, name: &str) -> Reply {
    app.call(
        "apps/create",
        &[("slug", "acme"), ("name", name)],
        Some(cookie),
    )
    .await
}

/// Releases an app's draft, so that those who may only view it see it.
async fn release_app(app: &TestApp, cookie: &str, app_id: &str) {
    app.call(
        "apps/release",
        &[("slug", "acme"), ("app_id", app_id), ("notes", "")],
        Some(cookie),
    )
    .await
    .ok();
}

async fn owner_of(app: &TestApp, app_id: i64) -> Option<i64> {
    sqlx::query_scalar("SELECT owner_user_id FROM resources WHERE id = $1")
        .bind(app_id)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_removed_member_leaves_their_apps_to_the_admin_and_owns_nothing_on_return() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let ada_id = app.user_id("ada@example.com").await;
        let (bea, bea_cookie) = app
            .member_of(
                "acme",
                "bea@example.com",
                Role::Builder,
                MembershipStatus::Active,
            )
            .await;
        let app_id = create_app(&app, &bea_cookie, "Bea's tracker").await.ok();
        let app_id = app_id.as_i64().unwrap();
        release_app(&app, &bea_cookie, &app_id.to_string()).await;
        assert_eq!(owner_of(&app, app_id).await, Some(bea));

        ada.ok("users/remove", &[("user_id", &bea.to_string())])
            .await;
        assert_eq!(owner_of(&app, app_id).await, Some(ada_id));
        let transferred = audited(&app, "apps.transferred").await;
        assert_eq!(transferred[0].2, Some(bea));
        assert_eq!(transferred[0].3, "Bea's tracker");

        // Invited again as an End-user, she views the app and nothing more.
        ada.invite("Bea", "bea@example.com", "end-user").await.ok();
        let cookie = app
            .join(&app.last_mailed_token().await, "Bea", PASSWORD)
            .await
            .session_cookie();
        let editor = app
            .call(
                "apps/editor",
                &[("slug", "acme"), ("app_id", &app_id.to_string())],
                Some(&cookie),
            )
            .await;
        assert_eq!(editor.status, StatusCode::FORBIDDEN);
        // Admins can't remove themselves: their apps would have nobody to pass to.
        app.second_admin().await;
        let myself = ada
            .call("users/remove", &[("user_id", &ada_id.to_string())])
            .await;
        assert_eq!(error_code(&myself), "CannotRemoveYourself");
    })
    .await;
}

#[tokio::test]
async fn an_end_user_who_still_owns_an_app_cannot_edit_it() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let app_id = create_app(&app, &ada.cookie, "Left behind").await.ok();
        let app_id = app_id.as_i64().unwrap().to_string();
        release_app(&app, &ada.cookie, &app_id).await;
        let (eve, eve_cookie) = app
            .member_of(
                "acme",
                "eve@example.com",
                Role::EndUser,
                MembershipStatus::Active,
            )
            .await;
        sqlx::query("UPDATE resources SET owner_user_id = $1 WHERE id = $2")
            .bind(eve)
            .bind(app_id.parse::<i64>().unwrap())
            .execute(&app.db)
            .await
            .unwrap();
        let app_form = [("slug", "acme"), ("app_id", app_id.as_str())];
        let editor = app.call("apps/editor", &app_form, Some(&eve_cookie)).await;
        assert_eq!(editor.status, StatusCode::FORBIDDEN);
        let update = [
            ("slug", "acme"),
            ("app_id", app_id.as_str()),
            ("name", "Defaced"),
            ("body", "pwned"),
        ];
        let changed = app.call("apps/update", &update, Some(&eve_cookie)).await;
        assert_eq!(changed.status, StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn creating_an_app_waits_for_a_demotion_under_way() {
    on_each_backend(|db| async move {
        let app = Arc::new(TestApp::new(db));
        app.set_up().await;
        let (bea, bea_cookie) = app
            .member_of(
                "acme",
                "bea@example.com",
                Role::Builder,
                MembershipStatus::Active,
            )
            .await;
        let acme = app.workspace_id("acme").await;
        // A demotion in progress: it holds the workspace, and hands Bea's apps over
        // before an app she is creating meanwhile exists.
        let mut demotion = app::db::begin_write(&app.db).await.unwrap();
        app::db::lock_workspace(&mut demotion, acme).await.unwrap();
        sqlx::query("UPDATE memberships SET role = 'end-user' WHERE user_id = $1")
            .bind(bea)
            .execute(&mut *demotion)
            .await
            .unwrap();
        sqlx::query("UPDATE resources SET owner_user_id = NULL WHERE owner_user_id = $1")
            .bind(bea)
            .execute(&mut *demotion)
            .await
            .unwrap();
        let creating = tokio::spawn({
            let app = app.clone();
            async move { create_app(&app, &bea_cookie, "Late").await.status }
        });
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        demotion.commit().await.unwrap();
        assert_eq!(creating.await.unwrap(), StatusCode::FORBIDDEN);
        let owned: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM resources WHERE owner_user_id = $1")
                .bind(bea)
                .fetch_one(&app.db)
                .await
                .unwrap();
        assert_eq!(owned, 0, "an End-user owns nothing");
    })
    .await;
}

// 7. Password checks are throttled, and can't be used to lock an owner out.

fn from(address: &str) -> [(&str, &str); 2] {
    [
        ("sec-fetch-site", "same-origin"),
        ("x-forwarded-for", address),
    ]
}

async fn sign_in_from(app: &TestApp, address: &str, password: &str) -> StatusCode {
    let form = [("email", "ada@example.com"), ("password", password)];
    app.call_with("sign-in", &form, None, &from(address))
        .await
        .status
}

#[tokio::test]
async fn a_guesser_elsewhere_never_locks_the_owner_out() {
    on_each_backend(|db| async move {
        let app = TestApp::with_settings(
            db,
            &[
                ("GATEHOUSE_TRUST_PROXY", "true"),
                ("GATEHOUSE_SIGN_IN_LIMIT_PER_EMAIL_AND_ADDRESS", "3"),
            ],
        );
        app.set_up().await;
        let guesser = "203.0.113.66";
        for _ in 0..3 {
            assert_eq!(
                sign_in_from(&app, guesser, "guess").await,
                StatusCode::UNAUTHORIZED
            );
        }
        for password in ["guess", PASSWORD, "guess", "guess"] {
            assert_eq!(
                sign_in_from(&app, guesser, password).await,
                StatusCode::TOO_MANY_REQUESTS
            );
        }
        // Refused attempts aren't kept: the table holds what was checked, no more.
        assert_eq!(app.count("sign_in_attempts").await, 3);
        // The owner, from her own address, signs in as ever.
        assert_eq!(
            sign_in_from(&app, "198.51.100.7", PASSWORD).await,
            StatusCode::OK
        );
    })
    .await;
}

#[tokio::test]
async fn checking_the_current_password_is_throttled_like_sign_in() {
    on_each_backend(|db| async move {
        let app = TestApp::with_settings(
            db,
            &[("GATEHOUSE_SIGN_IN_LIMIT_PER_EMAIL_AND_ADDRESS", "3")],
        );
        let cookie = app.set_up().await;
        let change = |current: &'static str| {
            let app = &app;
            let cookie = cookie.clone();
            async move {
                let form = [
                    ("current_password", current),
                    ("new_password", "difference engine"),
                ];
                app.call("profile/password", &form, Some(&cookie)).await
            }
        };
        for _ in 0..3 {
            assert_eq!(error_code(&change("guess").await), "WrongCurrentPassword");
        }
        let refused = change(PASSWORD).await;
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            app.sign_in("ada@example.com", PASSWORD, None).await.status,
            StatusCode::TOO_MANY_REQUESTS
        );
    })
    .await;
}

// 5. Mail at rest holds no usable link.

#[tokio::test]
async fn invitation_links_are_sealed_in_the_outbox() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        invite(&ada, "Bea", "bea@example.com").await.ok();
        let token = app.last_mailed_token().await;
        let (body, key_id): (String, Option<String>) =
            sqlx::query_as("SELECT body, key_id FROM mail_outbox")
                .fetch_one(&app.db)
                .await
                .unwrap();
        assert!(key_id.is_some());
        assert!(!body.contains(&token), "the token is sealed");
        assert!(!body.contains("/invitations/"));
        // A super admin still passes the held invitation on.
        let outbox = app
            .call("instance/email-outbox", &[], Some(&ada.cookie))
            .await;
        let shown = outbox.ok()[0]["body"].as_str().unwrap().to_string();
        assert!(shown.contains(&format!("/invitations/{token}")), "{shown}");
        assert_eq!(app.invitation(&token).await.status, StatusCode::OK);
    })
    .await;
}

// 8c. Constants read through a preview are audited like a reveal.

#[tokio::test]
async fn a_constant_read_through_an_apps_preview_is_audited() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        ada.ok(
            "constants/create",
            &[("name", "API_KEY"), ("value", "sk-secret")],
        )
        .await;
        let app_id = ada.ok("apps/create", &[("name", "Dashboard")]).await;
        let app_id = app_id.as_i64().unwrap().to_string();
        let rendered = ada
            .ok(
                "apps/preview",
                &[("app_id", &app_id), ("body", "key: {{constants.API_KEY}}")],
            )
            .await;
        assert_eq!(rendered, "key: sk-secret");
        let reveals = audited(&app, "resource.revealed").await;
        assert_eq!(reveals.len(), 1);
        assert_eq!(reveals[0].3, "constant API_KEY (app preview)");
    })
    .await;
}

// 8e. A rule chooses a bounded number of resources, checked in a few queries.

#[tokio::test]
async fn a_rule_chooses_at_most_a_thousand_resources() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let group = ada.ok("groups/create", &[("name", "Readers")]).await["id"]
            .as_i64()
            .unwrap();
        let save = |ids: Vec<i64>| {
            let ada = &ada;
            async move {
                let rule = json!({ "name": "Many", "kind": "app", "access": "view",
                                   "hide_from_dashboard": false, "all": false,
                                   "resource_ids": ids });
                ada.call_json(
                    "groups/save-rule",
                    json!({ "group_id": group, "rule_id": null, "rule": rule,
                            "allow_role_change": false }),
                )
                .await
            }
        };
        let before = app.footprint().await;
        let refused = save((1..=1_001).collect()).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            refused.json()["code"],
            json!({ "TooManyChosenResources": { "max": 1_000 } })
        );
        assert_eq!(app.footprint().await, before);

        let acme = app.workspace_id("acme").await;
        let mut ids = Vec::new();
        for n in 0..600 {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO resources (workspace_id, kind, name, name_key, body, created_at, updated_at)
                 VALUES ($1, 'app', $2, $2, '', 0, 0) RETURNING id",
            )
            .bind(acme)
            .bind(format!("app {n}"))
            .fetch_one(&app.db)
            .await
            .unwrap();
            ids.push(id);
        }
        save(ids).await.ok();
        assert_eq!(app.count("group_rule_resources").await, 600);
    })
    .await;
}

// 8f. A name is a name, in mail and everywhere else.

#[tokio::test]
async fn an_inviter_name_carrying_an_address_stays_out_of_the_mail() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let refused = app
            .call(
                "profile/name",
                &[("full_name", "Ada (claim at evil.example)")],
                Some(&ada.cookie),
            )
            .await;
        assert_eq!(error_code(&refused), "NameNotPlain");
        let invited = invite(&ada, "Visit https://evil.example", "bea@example.com").await;
        assert_eq!(error_code(&invited), "NameNotPlain");
        // A name stored before names were checked doesn't reach the mail either.
        sqlx::query("UPDATE users SET full_name = 'Ada via https://evil.example'")
            .execute(&app.db)
            .await
            .unwrap();
        invite(&ada, "Bea", "bea@example.com").await.ok();
        let body = app.last_mail_body().await;
        assert!(!body.contains("evil.example"), "{body}");
        assert!(body.contains("You're invited to join the workspace Acme"));
    })
    .await;
}

// Also: a real Content-Security-Policy, HSTS, signing members out, refusals audited.

fn nonce_in(policy: &str) -> String {
    policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn pages_run_only_scripts_carrying_their_own_nonce() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let cookie = app.set_up().await;
        let first = app.get("/acme", Some(&cookie)).await;
        let policy = first.header("content-security-policy").to_string();
        let nonce = nonce_in(&policy);
        assert!(nonce.len() >= 22, "{policy}");
        assert!(
            policy.contains("'strict-dynamic' 'wasm-unsafe-eval'"),
            "{policy}"
        );
        assert!(
            policy.contains("object-src 'none'; base-uri 'none'"),
            "{policy}"
        );
        assert!(first.body.contains(&format!("nonce=\"{nonce}\"")));
        let second = app.get("/acme", Some(&cookie)).await;
        assert_ne!(nonce_in(second.header("content-security-policy")), nonce);
        let api = app.viewer(&cookie).await;
        assert_eq!(
            api.header("content-security-policy"),
            "default-src 'none'; frame-ancestors 'none'"
        );
        assert_eq!(first.header("strict-transport-security"), "");
    })
    .await;
}

#[tokio::test]
async fn behind_https_browsers_are_told_to_stay_on_https() {
    on_each_backend(|db| async move {
        let app =
            TestApp::with_settings(db, &[("GATEHOUSE_PUBLIC_URL", "https://gatehouse.example")]);
        let reply = app.get("/health", None).await;
        assert_eq!(
            reply.header("strict-transport-security"),
            "max-age=63072000; includeSubDomains"
        );
    })
    .await;
}

#[tokio::test]
async fn admins_sign_a_member_out_everywhere() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let (ada, mallory, _) = two_workspaces(&app).await;
        let (bea, bea_cookie) = app
            .member_of(
                "acme",
                "bea@example.com",
                Role::Builder,
                MembershipStatus::Active,
            )
            .await;
        let bea_field = bea.to_string();
        let elsewhere = mallory
            .call("users/sign-out-everywhere", &[("user_id", &bea_field)])
            .await;
        assert_eq!(error_code(&elsewhere), "MemberNotFound");
        assert_eq!(app.viewer(&bea_cookie).await.status, StatusCode::OK);

        ada.ok("users/sign-out-everywhere", &[("user_id", &bea_field)])
            .await;
        assert_eq!(
            app.viewer(&bea_cookie).await.status,
            StatusCode::UNAUTHORIZED
        );
        let ended = audited(&app, "user.sessions_ended").await;
        assert_eq!(ended.len(), 1);
        assert_eq!(ended[0].2, Some(bea));

        // Super admins, for anyone in the instance.
        let mallory_cookie = mallory.cookie.clone();
        let mallory_id = app.user_id("mallory@example.com").await;
        app.call(
            "instance/sign-out-everywhere",
            &[("user_id", &mallory_id.to_string())],
            Some(&ada.cookie),
        )
        .await
        .ok();
        assert_eq!(
            app.viewer(&mallory_cookie).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(audited(&app, "user.sessions_ended").await.len(), 2);
    })
    .await;
}

#[tokio::test]
async fn refused_authorisations_are_audited_without_what_was_sent() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let (_, mallory, mallory_id) = two_workspaces(&app).await;
        let acme = app.workspace_id("acme").await;
        let ada = app.user_id("ada@example.com").await;
        let (bea, bea_cookie) = app
            .member_of(
                "acme",
                "bea@example.com",
                Role::Builder,
                MembershipStatus::Active,
            )
            .await;
        let as_bea = app.session("acme", bea_cookie);
        let archive = as_bea
            .call("users/archive", &[("user_id", &ada.to_string())])
            .await;
        assert_eq!(archive.status, StatusCode::FORBIDDEN);
        let rename = as_bea
            .call(
                "groups/rename",
                &[("group_id", "5"), ("name", "secret plans")],
            )
            .await;
        assert_eq!(rename.status, StatusCode::FORBIDDEN);
        let foreign = app
            .call("users/list", &[("slug", "acme")], Some(&mallory.cookie))
            .await;
        assert_eq!(foreign.status, StatusCode::NOT_FOUND);
        // Signed out: not an authorisation, and nobody to name.
        app.call("users/list", &[("slug", "acme")], None).await;

        let refused = audited(&app, "access.refused").await;
        assert_eq!(
            refused,
            vec![
                (
                    Some(bea),
                    Some(acme),
                    Some(ada),
                    "users/archive: AdminRequired".to_string()
                ),
                (
                    Some(bea),
                    Some(acme),
                    None,
                    "groups/rename: AdminRequired (group_id=5)".to_string()
                ),
                (
                    Some(mallory_id),
                    Some(acme),
                    None,
                    "users/list: WorkspaceUnavailable".to_string()
                ),
            ]
        );
        assert!(
            refused
                .iter()
                .all(|(_, _, _, detail)| !detail.contains("secret"))
        );
    })
    .await;
}
