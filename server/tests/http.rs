//! Gatehouse over HTTP, through the real router without a socket, on SQLite and
//! PostgreSQL: the page gate, sign-in and sessions, request protections and the
//! authorisation matrix of every server function.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::support::{PASSWORD, TestApp, error_code};
use app::db::testing::on_each_backend;
use app::memberships::{MembershipStatus, Role};
use axum::http::StatusCode;

/// Calls a server function with `header` where a browser sends
/// `Sec-Fetch-Site: same-origin`.
async fn call_with_header(
    app: &TestApp,
    endpoint: &str,
    cookie: &str,
    header: (&str, &str),
) -> StatusCode {
    app.call_with(endpoint, &[], Some(cookie), &[header])
        .await
        .status
}

#[tokio::test]
async fn an_empty_instance_leads_every_page_to_set_up() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        for path in ["/", "/sign-in", "/acme", "/acme/settings/users", "/profile"] {
            let reply = app.get(path, None).await;
            assert_eq!(reply.status, StatusCode::SEE_OTHER, "{path}");
            assert_eq!(reply.location(), "/setup", "{path}");
        }
        let reply = app.get("/setup", None).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(reply.body.contains("Set up Gatehouse"));
    })
    .await;
}

#[tokio::test]
async fn set_up_signs_the_first_admin_in_and_closes_behind_them() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let reply = app
            .set_up_as(["Ada Lovelace", "Ada@Example.com", PASSWORD, "Acme Corp"])
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.json()["path"], "/acme-corp");
        let set_cookie = reply.header("set-cookie");
        assert!(set_cookie.starts_with("gatehouse_session="));
        for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=604800"] {
            assert!(
                set_cookie.contains(attribute),
                "{attribute} in {set_cookie}"
            );
        }
        assert!(
            !set_cookie.contains("Secure"),
            "plain http can't keep a Secure cookie"
        );

        let cookie = reply.session_cookie();
        let landing = app.get("/", Some(&cookie)).await;
        assert_eq!(landing.location(), "/acme-corp");
        assert_eq!(app.get("/setup", Some(&cookie)).await.location(), "/");
        assert_eq!(app.get("/setup", None).await.location(), "/");

        let again = app
            .set_up_as(["Mallory", "mallory@example.com", PASSWORD, "Mine"])
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert_eq!(
            again.json()["message"],
            "Gatehouse is already set up. Sign in instead."
        );
        assert_eq!(app.count("users").await, 1);
    })
    .await;
}

#[tokio::test]
async fn set_up_with_bad_input_says_what_is_wrong_and_writes_nothing() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let cases = [
            (
                ["", "ada@example.com", PASSWORD, "Acme"],
                "Enter a full name.",
            ),
            (
                ["Ada", "ada@", PASSWORD, "Acme"],
                "Enter a valid email address.",
            ),
            (
                ["Ada", "ada@example.com", "short", "Acme"],
                "A password must be at least 8 characters long.",
            ),
            (
                ["Ada", "ada@example.com", PASSWORD, "  "],
                "Enter a workspace name.",
            ),
        ];
        for (answers, message) in cases {
            let reply = app.set_up_as(answers).await;
            assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
            assert_eq!(reply.json()["message"], message);
            assert!(reply.header("set-cookie").is_empty());
        }
        assert_eq!(app.count("users").await, 0);
        assert_eq!(app.count("workspaces").await, 0);
        assert_eq!(app.get("/", None).await.location(), "/setup");
    })
    .await;
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        app.set_up().await;
        let wrong_password = app
            .sign_in("ada@example.com", "not the password", None)
            .await;
        let unknown_email = app
            .sign_in("nobody@example.com", "not the password", None)
            .await;
        assert_eq!(wrong_password.status, StatusCode::UNAUTHORIZED);
        assert_eq!(wrong_password.body, unknown_email.body);
        assert_eq!(unknown_email.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            wrong_password.json()["message"],
            "The email address or password is incorrect."
        );
        assert!(wrong_password.header("set-cookie").is_empty());
    })
    .await;
}

#[tokio::test]
async fn signing_in_starts_a_new_session_and_ends_the_browsers_old_one() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let first = app.set_up().await;
        let reply = app
            .sign_in(" ADA@example.com ", PASSWORD, Some(&first))
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.json()["path"], "/acme");
        let second = reply.session_cookie();
        assert_ne!(first, second);

        let old = app.viewer(&first).await;
        assert_eq!(old.status, StatusCode::UNAUTHORIZED);
        let new = app.viewer(&second).await;
        assert_eq!(new.status, StatusCode::OK);
        assert_eq!(new.json()["email"], "ada@example.com");
        assert_eq!(new.json()["default_workspace"], "acme");
    })
    .await;
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server_and_clears_the_cookie() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let cookie = app.set_up().await;
        let reply = app.call("sign-out", &[], Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(reply.header("set-cookie").contains("Max-Age=0"));
        assert_eq!(app.count("sessions").await, 0);
        // A copy of the cookie kept elsewhere no longer works either.
        assert_eq!(app.viewer(&cookie).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            app.get("/acme", Some(&cookie)).await.location(),
            "/sign-in?next=%2Facme"
        );
    })
    .await;
}

#[tokio::test]
async fn signed_out_visitors_are_sent_to_sign_in_and_back_after() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let cookie = app.set_up().await;
        let reply = app.get("/acme/settings/users?status=invited", None).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert_eq!(
            reply.location(),
            "/sign-in?next=%2Facme%2Fsettings%2Fusers%3Fstatus%3Dinvited"
        );
        assert_eq!(app.get("/sign-in", None).await.status, StatusCode::OK);
        // Already signed in: sign-in passes straight on to where the visitor was going.
        let reply = app.get("/sign-in?next=%2Fprofile", Some(&cookie)).await;
        assert_eq!(reply.location(), "/profile");
        let reply = app
            .get("/sign-in?next=https%3A%2F%2Fevil.example", Some(&cookie))
            .await;
        assert_eq!(reply.location(), "/acme");
    })
    .await;
}

#[tokio::test]
async fn sign_in_never_sends_a_signed_in_visitor_off_the_site() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let cookie = app.set_up().await;
        for next in [
            "%2F.%2F%2Fevil.example",
            "%2F%2e%2F%2Fevil.example",
            "%2F%252e%2F%2Fevil.example",
            "%2F..%2F%2Fevil.example",
            "%2Fa%2F..%2F..%2F%2Fevil.example",
            "%2F%2Fevil.example",
            "%2F%5Cevil.example",
            "%2F%09%2Fevil.example",
            "%09%2F%2Fevil.example",
            "%2F%0A%2Fevil.example",
            "https%3A%2F%2Fevil.example",
            "%2F%2F%2Fevil.example",
        ] {
            let reply = app
                .get(&format!("/sign-in?next={next}"), Some(&cookie))
                .await;
            assert_eq!(reply.status, StatusCode::SEE_OTHER, "{next}");
            assert_eq!(reply.location(), "/acme", "{next}");
        }
    })
    .await;
}

#[tokio::test]
async fn repeated_failures_from_one_address_lock_it_out_even_with_the_right_password() {
    on_each_backend(|db| async move {
        let app = TestApp::with_settings(
            db,
            &[("GATEHOUSE_SIGN_IN_LIMIT_PER_EMAIL_AND_ADDRESS", "3")],
        );
        app.set_up().await;
        for _ in 0..3 {
            let reply = app.sign_in("ada@example.com", "guess", None).await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        }
        let reply = app.sign_in("ada@example.com", PASSWORD, None).await;
        assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            reply.json()["message"],
            "Too many failed sign-in attempts. Wait 15 minutes and try again."
        );
        assert!(reply.header("set-cookie").is_empty());
    })
    .await;
}

#[tokio::test]
async fn archived_accounts_cannot_sign_in_and_their_sessions_stop_working() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let cookie = app.set_up().await;
        app.archive_account(app.user_id("ada@example.com").await)
            .await;
        assert_eq!(app.viewer(&cookie).await.status, StatusCode::UNAUTHORIZED);
        let wrong = app.sign_in("ada@example.com", "guess", None).await;
        assert_eq!(
            wrong.status,
            StatusCode::UNAUTHORIZED,
            "no hint without the password"
        );
        let right = app.sign_in("ada@example.com", PASSWORD, None).await;
        assert_eq!(right.status, StatusCode::FORBIDDEN);
        assert_eq!(
            right.json()["message"],
            "This account has been archived. Contact a super admin to restore access."
        );
        assert!(right.header("set-cookie").is_empty());
    })
    .await;
}

#[tokio::test]
async fn cross_site_calls_are_refused_before_they_run() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let cookie = app.set_up().await;
        let sign_out_from =
            |site| call_with_header(&app, "sign-out", &cookie, ("sec-fetch-site", site));
        for site in ["cross-site", "same-site"] {
            assert_eq!(sign_out_from(site).await, StatusCode::FORBIDDEN, "{site}");
        }
        assert_eq!(app.count("sessions").await, 1, "the session survived");
        assert_eq!(sign_out_from("none").await, StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn server_functions_refuse_get_requests() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let cookie = app.set_up().await;
        for path in [
            "/api/viewer",
            "/api/sign-out",
            "/api/workspaces/create?name=Sneaky",
        ] {
            let reply = app.get(path, Some(&cookie)).await;
            assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED, "{path}");
        }
        assert_eq!(app.count("sessions").await, 1);
        assert_eq!(app.count("workspaces").await, 1);
    })
    .await;
}

#[tokio::test]
async fn responses_carry_protective_headers() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let cookie = app.set_up().await;
        for reply in [
            app.get("/acme", Some(&cookie)).await,
            app.viewer(&cookie).await,
        ] {
            assert_eq!(reply.status, StatusCode::OK);
            assert_eq!(reply.header("cache-control"), "no-store");
            assert_eq!(reply.header("x-frame-options"), "DENY");
            assert_eq!(reply.header("x-content-type-options"), "nosniff");
            assert_eq!(reply.header("referrer-policy"), "same-origin");
        }
    })
    .await;
}

#[tokio::test]
async fn behind_https_the_cookie_is_secure_and_host_bound() {
    on_each_backend(|db| async move {
        let app =
            TestApp::with_settings(db, &[("GATEHOUSE_PUBLIC_URL", "https://gatehouse.example")]);
        let cookie = app.set_up().await;
        assert!(cookie.starts_with("__Host-gatehouse_session="));
        let reply = app.sign_in("ada@example.com", PASSWORD, None).await;
        let set_cookie = reply.header("set-cookie");
        assert!(set_cookie.contains("Secure"));
        assert!(set_cookie.contains("Path=/"));
        assert!(!set_cookie.contains("Domain"));
        let viewer = app.viewer(&reply.session_cookie()).await;
        assert_eq!(
            viewer.status,
            StatusCode::OK,
            "the prefixed cookie is read back"
        );
    })
    .await;
}

#[tokio::test]
async fn unknown_addresses_are_not_found() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let cookie = app.set_up().await;
        let reply = app.get("/acme/no/such/page", Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        assert!(reply.body.contains("Page not found"));
        // One segment is read as a workspace's address; an unknown one is not found either.
        for path in ["/nope.png", "/someone-elses-workspace"] {
            let reply = app.get(path, Some(&cookie)).await;
            assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
            assert!(
                reply.body.contains("you are not an active member of it"),
                "{path}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn the_health_check_answers_when_the_database_does() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        assert_eq!(app.get("/health", None).await.status, StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn concurrent_guesses_get_no_more_password_checks_than_the_limit() {
    on_each_backend(|db| async move {
        let app = Arc::new(TestApp::with_settings(
            db,
            &[("GATEHOUSE_SIGN_IN_LIMIT_PER_EMAIL_AND_ADDRESS", "3")],
        ));
        app.set_up().await;
        let guesses = (0..12).map(|n| {
            let app = app.clone();
            tokio::spawn(async move {
                app.sign_in("ada@example.com", &format!("guess {n}"), None)
                    .await
                    .status
            })
        });
        let mut checked = 0;
        for guess in guesses {
            match guess.await.unwrap() {
                StatusCode::UNAUTHORIZED => checked += 1,
                StatusCode::TOO_MANY_REQUESTS => {}
                other => panic!("unexpected {other}"),
            }
        }
        assert!(checked <= 3, "{checked} guesses were checked");
    })
    .await;
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_address_has_its_own_limit() {
    on_each_backend(|db| async move {
        let app = TestApp::with_settings(
            db,
            &[
                ("GATEHOUSE_TRUST_PROXY", "true"),
                ("GATEHOUSE_SIGN_IN_LIMIT_PER_ADDRESS", "2"),
            ],
        );
        app.set_up().await;
        // Different emails, same address: the address is spent after two guesses.
        for (email, address, expected) in [
            ("a@example.com", "203.0.113.1", StatusCode::UNAUTHORIZED),
            ("b@example.com", "203.0.113.1", StatusCode::UNAUTHORIZED),
            (
                "c@example.com",
                "203.0.113.1",
                StatusCode::TOO_MANY_REQUESTS,
            ),
            ("c@example.com", "203.0.113.2", StatusCode::UNAUTHORIZED),
        ] {
            let headers = [
                ("sec-fetch-site", "same-origin"),
                ("x-forwarded-for", address),
            ];
            let form = [("email", email), ("password", "guess")];
            let reply = app.call_with("sign-in", &form, None, &headers).await;
            assert_eq!(reply.status, expected, "{email} from {address}");
        }
    })
    .await;
}

#[tokio::test]
async fn without_fetch_metadata_a_foreign_origin_is_refused() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let cookie = app.set_up().await;
        let foreign = ("origin", "https://evil.example");
        let foreign = call_with_header(&app, "sign-out", &cookie, foreign).await;
        assert_eq!(foreign, StatusCode::FORBIDDEN);
        assert_eq!(app.count("sessions").await, 1);
        let own = ("origin", "http://127.0.0.1:3000");
        let own = call_with_header(&app, "viewer", &cookie, own).await;
        assert_eq!(own, StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn instance_settings_are_for_super_admins_only() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up().await;
        let (_, bob) = app.second_admin().await;

        let page = app.get("/settings", Some(&ada)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("aria-label=\"Settings\""),
            "{}",
            page.body
        );
        let listing = app
            .call("instance/workspaces", &[], Some(&ada))
            .await
            .json();
        assert_eq!(listing[0]["slug"], "acme");
        assert_eq!(listing[0]["active_members"], 2);

        let refused = app.get("/settings", Some(&bob.cookie)).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(refused.body.contains("Only super admins can do that."));
        assert!(!refused.body.contains("aria-label=\"Settings\""));
        let workspaces = app.get("/settings/workspaces", Some(&bob.cookie)).await;
        assert_eq!(workspaces.status, StatusCode::FORBIDDEN);
    })
    .await;
}

/// Who calls, in the order of the matrix columns.
#[derive(Debug, Clone, Copy)]
enum Caller {
    SignedOut,
    SuperAdmin,
    Builder,
    EndUser,
    OtherWorkspaceAdmin,
    Invited,
    Archived,
    AdminOfArchivedWorkspace,
    ArchivedAccount,
}

const CALLERS: [Caller; 9] = [
    Caller::SignedOut,
    Caller::SuperAdmin,
    Caller::Builder,
    Caller::EndUser,
    Caller::OtherWorkspaceAdmin,
    Caller::Invited,
    Caller::Archived,
    Caller::AdminOfArchivedWorkspace,
    Caller::ArchivedAccount,
];

/// A server function's arguments, as form fields.
type Form = &'static [(&'static str, &'static str)];

const ADMINS_ONLY: [u16; 9] = [401, 200, 403, 403, 404, 404, 404, 404, 401];
const ADMINS_REACH_NO_MEMBER: [u16; 9] = [401, 404, 403, 403, 404, 404, 404, 404, 401];
const NO_SUCH_MEMBER: Form = &[("slug", "acme"), ("user_id", "999999")];
/// Like [`ADMINS_REACH_NO_MEMBER`]: admins get past the admin check and find no such
/// group, rule or resource; everyone else is stopped before.
const ADMINS_REACH_NO_GROUP: [u16; 9] = ADMINS_REACH_NO_MEMBER;
const NO_SUCH_GROUP: Form = &[("slug", "acme"), ("group_id", "999999")];
/// Anyone signed in, whatever their workspaces; an archived account is signed out.
const SIGNED_IN: [u16; 9] = [401, 200, 200, 200, 200, 200, 200, 200, 401];
/// Active members of acme; no one else learns it exists.
const MEMBERS: [u16; 9] = [401, 200, 200, 200, 404, 404, 404, 404, 401];
const SUPER_ADMINS_ONLY: [u16; 9] = [401, 200, 403, 403, 403, 403, 403, 403, 401];
/// Ids nobody has: super admins learn there is no such user or workspace; everyone else
/// is stopped before.
const SUPER_ADMINS_REACH_NOBODY: [u16; 9] = [401, 404, 403, 403, 403, 403, 403, 403, 401];
const NO_SUCH_USER: Form = &[("user_id", "999999")];
/// Creating a resource: the super admin does; the builder gets past the permission check
/// and meets the name the super admin took; end-users may not; no one else gets in.
const CREATORS: [u16; 9] = [401, 200, 409, 403, 404, 404, 404, 404, 401];
/// Ids nobody has: callers who get past the membership check learn that no such resource
/// exists for them.
const MEMBERS_REACH_NO_RESOURCE: [u16; 9] = [401, 404, 404, 404, 404, 404, 404, 404, 401];
const IN_ACME: Form = &[("slug", "acme")];
const NO_SUCH_APP: Form = &[("slug", "acme"), ("app_id", "999999")];
const NO_SUCH_FOLDER: Form = &[("slug", "acme"), ("folder_id", "999999")];
const NO_SUCH_CONSTANT: Form = &[("slug", "acme"), ("constant_id", "999999")];
const NO_SUCH_DATA_SOURCE: Form = &[("slug", "acme"), ("data_source_id", "999999")];
/// Server functions that take JSON; the matrix sends their form as a JSON object.
const JSON_ENDPOINTS: &[&str] = &[
    "tokens/create",
    "provisioning/settings",
    "sso/providers/save",
    "sso/workspace/save",
    "users/invite",
    "users/import-csv",
    "users/update",
    "groups/add-members",
    "groups/save-rule",
    "audit/workspace",
    "audit/instance",
];

fn as_json(form: &[(&str, &str)]) -> serde_json::Value {
    let object = form
        .iter()
        .map(|(name, value)| {
            let value = match serde_json::from_str::<serde_json::Value>(value) {
                // Numbers, lists, booleans and nested objects (a rule) go as JSON.
                Ok(parsed)
                    if parsed.is_number()
                        || parsed.is_array()
                        || parsed.is_boolean()
                        || parsed.is_object() =>
                {
                    parsed
                }
                _ => serde_json::Value::String(value.to_string()),
            };
            (name.to_string(), value)
        })
        .collect();
    serde_json::Value::Object(object)
}

/// Every server function with the status each caller gets, acting on workspace `acme`.
/// Columns follow [`CALLERS`]: signed out, super admin (Admin of acme), Builder of acme,
/// End-user of acme, Admin of another workspace only, invited to acme, archived in acme,
/// Admin of an archived workspace (acting on that workspace, `closed`, instead of acme),
/// an archived account (Admin of acme).
const MATRIX: &[(&str, Form, [u16; 9])] = &[
    ("viewer", &[], SIGNED_IN),
    (
        "sign-in",
        &[("email", "x@example.com"), ("password", "wrong password")],
        [401; 9],
    ),
    (
        "set-up",
        &[
            ("full_name", "X"),
            ("email", "x@example.com"),
            ("password", "password1"),
            ("workspace_name", "X"),
        ],
        [409; 9],
    ),
    ("workspaces/context", IN_ACME, MEMBERS),
    ("tokens/mine", &[], SIGNED_IN),
    (
        "tokens/create",
        &[
            ("name", "script"),
            ("scopes", "[\"members:read\"]"),
            ("valid_for_days", "30"),
        ],
        SIGNED_IN,
    ),
    // Only one's own tokens can be revoked: everyone signed in learns there is no such
    // token of theirs.
    (
        "tokens/revoke",
        &[("token_id", "999999")],
        [401, 404, 404, 404, 404, 404, 404, 404, 401],
    ),
    ("tokens/inventory", IN_ACME, ADMINS_ONLY),
    ("provisioning/overview", IN_ACME, ADMINS_ONLY),
    (
        "provisioning/tokens/create",
        &[("slug", "acme"), ("name", "Okta")],
        ADMINS_ONLY,
    ),
    (
        "provisioning/tokens/revoke",
        &[("slug", "acme"), ("token_id", "999999")],
        ADMINS_REACH_NO_MEMBER,
    ),
    (
        "provisioning/settings",
        &[
            ("slug", "acme"),
            ("builder_level_groups", "refuse"),
            ("mappings", "[]"),
        ],
        ADMINS_ONLY,
    ),
    (
        "provisioning/hand-over",
        &[
            ("slug", "acme"),
            ("user_id", "999999"),
            ("provisioned", "true"),
        ],
        ADMINS_REACH_NO_MEMBER,
    ),
    // The sign-in page lists the providers to everyone.
    ("sso/sign-in-options", &[], [200; 9]),
    ("sso/providers", &[], SUPER_ADMINS_ONLY),
    (
        "sso/providers/save",
        &[(
            "form",
            r#"{"id": null, "display_name": "Okta", "issuer_url": "https://acme.okta.com", "client_id": "0oa1", "client_secret": "s3cret", "scopes": "openid email", "email_claim": "email", "groups_claim": "groups", "groups_source": "id_token", "allowed_domains": ""}"#,
        )],
        SUPER_ADMINS_ONLY,
    ),
    (
        "sso/providers/delete",
        &[("provider_id", "999999")],
        SUPER_ADMINS_REACH_NOBODY,
    ),
    (
        "sso/providers/test",
        &[("provider_id", "999999")],
        SUPER_ADMINS_REACH_NOBODY,
    ),
    ("sso/workspace", IN_ACME, ADMINS_ONLY),
    (
        "sso/workspace/save",
        &[
            ("slug", "acme"),
            (
                "form",
                r#"{"accepted_providers": [], "require_sso": false, "join_on_first_sign_in": true, "default_role": "end-user", "sync_mode": "off", "ignore_case": true, "create_groups": false, "builder_level_groups": "refuse", "mappings": []}"#,
            ),
        ],
        ADMINS_ONLY,
    ),
    ("workspaces/switch", IN_ACME, MEMBERS),
    ("workspaces/create", &[("name", "New")], SUPER_ADMINS_ONLY),
    ("instance/workspaces", &[], SUPER_ADMINS_ONLY),
    ("instance/users", &[], SUPER_ADMINS_ONLY),
    (
        "instance/user-details",
        NO_SUCH_USER,
        SUPER_ADMINS_REACH_NOBODY,
    ),
    (
        "instance/user-workspaces",
        NO_SUCH_USER,
        SUPER_ADMINS_REACH_NOBODY,
    ),
    (
        "instance/update-user",
        &[
            ("user_id", "999999"),
            ("full_name", "Nobody"),
            ("super_admin", "true"),
        ],
        SUPER_ADMINS_REACH_NOBODY,
    ),
    (
        "instance/reset-password",
        NO_SUCH_USER,
        SUPER_ADMINS_REACH_NOBODY,
    ),
    (
        "instance/archive-user",
        NO_SUCH_USER,
        SUPER_ADMINS_REACH_NOBODY,
    ),
    (
        "instance/sign-out-everywhere",
        NO_SUCH_USER,
        SUPER_ADMINS_REACH_NOBODY,
    ),
    (
        "instance/unarchive-user",
        NO_SUCH_USER,
        SUPER_ADMINS_REACH_NOBODY,
    ),
    (
        "instance/rename-workspace",
        &[("slug", "no-such-workspace"), ("name", "Renamed")],
        SUPER_ADMINS_REACH_NOBODY,
    ),
    (
        "instance/archive-workspace",
        &[("slug", "no-such-workspace"), ("archived", "true")],
        SUPER_ADMINS_REACH_NOBODY,
    ),
    ("instance/email-outbox", &[], SUPER_ADMINS_ONLY),
    (
        "audit/workspace",
        &[("slug", "acme"), ("filter", "{}")],
        ADMINS_ONLY,
    ),
    ("audit/workspace-resources", IN_ACME, ADMINS_ONLY),
    ("audit/instance", &[("filter", "{}")], SUPER_ADMINS_ONLY),
    ("audit/instance-settings", &[], SUPER_ADMINS_ONLY),
    ("audit/set-retention", &[("days", "")], SUPER_ADMINS_ONLY),
    (
        "access-matrix/page",
        &[
            ("slug", "acme"),
            ("member_offset", "0"),
            ("resource_offset", "0"),
        ],
        ADMINS_ONLY,
    ),
    ("users/list", IN_ACME, ADMINS_ONLY),
    (
        "users/invite",
        &[
            ("slug", "acme"),
            ("full_name", "New Person"),
            ("email", "new.person@example.com"),
            ("role", "builder"),
            ("metadata", "[]"),
        ],
        ADMINS_ONLY,
    ),
    (
        "users/import-csv",
        &[
            ("slug", "acme"),
            (
                "csv",
                "Full Name,Email,Role\nBulk Person,bulk.person@example.com,Builder\n",
            ),
            ("dry_run", "true"),
        ],
        ADMINS_ONLY,
    ),
    // An id nobody has: callers who get past the admin check learn it isn't a member.
    ("users/details", NO_SUCH_MEMBER, ADMINS_REACH_NO_MEMBER),
    (
        "users/update",
        &[
            ("slug", "acme"),
            ("user_id", "999999"),
            ("role", "builder"),
            ("metadata", "[]"),
        ],
        ADMINS_REACH_NO_MEMBER,
    ),
    ("users/archive", NO_SUCH_MEMBER, ADMINS_REACH_NO_MEMBER),
    ("users/unarchive", NO_SUCH_MEMBER, ADMINS_REACH_NO_MEMBER),
    ("users/remove", NO_SUCH_MEMBER, ADMINS_REACH_NO_MEMBER),
    (
        "users/sign-out-everywhere",
        NO_SUCH_MEMBER,
        ADMINS_REACH_NO_MEMBER,
    ),
    (
        "users/invitation-link",
        NO_SUCH_MEMBER,
        ADMINS_REACH_NO_MEMBER,
    ),
    (
        "users/resend-invitation",
        NO_SUCH_MEMBER,
        ADMINS_REACH_NO_MEMBER,
    ),
    (
        "users/role-change-preview",
        &[
            ("slug", "acme"),
            ("user_id", "999999"),
            ("role", "end-user"),
        ],
        ADMINS_REACH_NO_MEMBER,
    ),
    (
        "users/effective-permissions",
        NO_SUCH_MEMBER,
        ADMINS_REACH_NO_MEMBER,
    ),
    // Groups and permissions. Ids nobody has: admins learn the group, rule or resource
    // isn't there; everyone else is stopped before.
    ("groups/list", IN_ACME, ADMINS_ONLY),
    ("groups/details", NO_SUCH_GROUP, ADMINS_REACH_NO_GROUP),
    (
        "groups/create",
        &[("slug", "acme"), ("name", "Matrix group")],
        ADMINS_ONLY,
    ),
    (
        "groups/rename",
        &[
            ("slug", "acme"),
            ("group_id", "999999"),
            ("name", "Renamed"),
        ],
        ADMINS_REACH_NO_GROUP,
    ),
    ("groups/delete", NO_SUCH_GROUP, ADMINS_REACH_NO_GROUP),
    (
        "groups/duplicate",
        &[
            ("slug", "acme"),
            ("group_id", "999999"),
            ("users", "true"),
            ("permissions", "true"),
            ("granular", "true"),
            ("allow_role_change", "false"),
        ],
        ADMINS_REACH_NO_GROUP,
    ),
    (
        "groups/addable-members",
        NO_SUCH_GROUP,
        ADMINS_REACH_NO_GROUP,
    ),
    (
        "groups/add-members",
        &[
            ("slug", "acme"),
            ("group_id", "999999"),
            ("user_ids", "[]"),
            ("allow_role_change", "false"),
        ],
        ADMINS_REACH_NO_GROUP,
    ),
    (
        "groups/remove-member",
        &[
            ("slug", "acme"),
            ("group_id", "999999"),
            ("user_id", "999999"),
        ],
        ADMINS_REACH_NO_GROUP,
    ),
    (
        "groups/set-flag",
        &[
            ("slug", "acme"),
            ("group_id", "999999"),
            ("flag", "app_create"),
            ("on", "true"),
            ("allow_role_change", "false"),
        ],
        ADMINS_REACH_NO_GROUP,
    ),
    (
        "groups/save-rule",
        &[
            ("slug", "acme"),
            ("group_id", "999999"),
            (
                "rule",
                r#"{"name": "Matrix", "kind": "app", "access": "view",
                    "hide_from_dashboard": false, "all": true, "resource_ids": []}"#,
            ),
            ("allow_role_change", "false"),
        ],
        ADMINS_REACH_NO_GROUP,
    ),
    (
        "groups/delete-rule",
        &[
            ("slug", "acme"),
            ("group_id", "999999"),
            ("rule_id", "999999"),
        ],
        ADMINS_REACH_NO_GROUP,
    ),
    (
        "groups/resource-options",
        &[("slug", "acme"), ("kind", "app")],
        ADMINS_ONLY,
    ),
    (
        "groups/resource-access",
        &[("slug", "acme"), ("resource_id", "999999")],
        ADMINS_REACH_NO_GROUP,
    ),
    (
        "groups/set-resource-access",
        &[
            ("slug", "acme"),
            ("resource_id", "999999"),
            ("group_id", "999999"),
            ("access", "view"),
            ("allow_role_change", "false"),
        ],
        ADMINS_REACH_NO_GROUP,
    ),
    ("invitations/details", &[("token", "not-a-token")], [404; 9]),
    (
        "invitations/accept",
        &[("token", "not-a-token")],
        [401, 404, 404, 404, 404, 404, 404, 404, 401],
    ),
    (
        "invitations/join",
        &[
            ("token", "not-a-token"),
            ("full_name", "X"),
            ("password", "password1"),
        ],
        [404; 9],
    ),
    (
        "profile/name",
        &[("full_name", "Renamed Person")],
        SIGNED_IN,
    ),
    (
        "profile/password",
        &[
            ("current_password", "not the password"),
            ("new_password", "a new password"),
        ],
        [401, 422, 422, 422, 422, 422, 422, 422, 401],
    ),
    // Resources: members see what their permissions show them.
    ("dashboard", IN_ACME, MEMBERS),
    (
        "apps/create",
        &[("slug", "acme"), ("name", "Matrix app")],
        CREATORS,
    ),
    ("apps/details", NO_SUCH_APP, MEMBERS_REACH_NO_RESOURCE),
    ("apps/editor", NO_SUCH_APP, MEMBERS_REACH_NO_RESOURCE),
    (
        "apps/update",
        &[
            ("slug", "acme"),
            ("app_id", "999999"),
            ("name", "X"),
            ("body", ""),
        ],
        MEMBERS_REACH_NO_RESOURCE,
    ),
    (
        "apps/preview",
        &[
            ("slug", "acme"),
            ("app_id", "999999"),
            ("body", "{{globals.currentUser.email}}"),
        ],
        MEMBERS_REACH_NO_RESOURCE,
    ),
    ("apps/delete", NO_SUCH_APP, MEMBERS_REACH_NO_RESOURCE),
    (
        "apps/release",
        &[("slug", "acme"), ("app_id", "999999"), ("notes", "")],
        MEMBERS_REACH_NO_RESOURCE,
    ),
    (
        "apps/restore",
        &[("slug", "acme"), ("app_id", "999999"), ("number", "1")],
        MEMBERS_REACH_NO_RESOURCE,
    ),
    (
        "folders/create",
        &[("slug", "acme"), ("name", "Matrix")],
        CREATORS,
    ),
    ("folders/details", NO_SUCH_FOLDER, MEMBERS_REACH_NO_RESOURCE),
    (
        "folders/rename",
        &[("slug", "acme"), ("folder_id", "999999"), ("name", "X")],
        MEMBERS_REACH_NO_RESOURCE,
    ),
    ("folders/delete", NO_SUCH_FOLDER, MEMBERS_REACH_NO_RESOURCE),
    ("constants/list", IN_ACME, MEMBERS),
    (
        "constants/create",
        &[("slug", "acme"), ("name", "MATRIX"), ("value", "x")],
        CREATORS,
    ),
    (
        "constants/details",
        NO_SUCH_CONSTANT,
        MEMBERS_REACH_NO_RESOURCE,
    ),
    (
        "constants/reveal",
        NO_SUCH_CONSTANT,
        MEMBERS_REACH_NO_RESOURCE,
    ),
    (
        "constants/update",
        &[("slug", "acme"), ("constant_id", "999999"), ("value", "x")],
        MEMBERS_REACH_NO_RESOURCE,
    ),
    (
        "constants/delete",
        NO_SUCH_CONSTANT,
        MEMBERS_REACH_NO_RESOURCE,
    ),
    ("data-sources/list", IN_ACME, MEMBERS),
    (
        "data-sources/create",
        &[
            ("slug", "acme"),
            ("name", "Matrix"),
            ("kind", "rest_api"),
            ("configuration", "x"),
        ],
        CREATORS,
    ),
    (
        "data-sources/details",
        NO_SUCH_DATA_SOURCE,
        MEMBERS_REACH_NO_RESOURCE,
    ),
    (
        "data-sources/configuration",
        NO_SUCH_DATA_SOURCE,
        MEMBERS_REACH_NO_RESOURCE,
    ),
    (
        "data-sources/update",
        &[
            ("slug", "acme"),
            ("data_source_id", "999999"),
            ("name", "X"),
            ("kind", "rest_api"),
            ("configuration", "x"),
        ],
        MEMBERS_REACH_NO_RESOURCE,
    ),
    (
        "data-sources/delete",
        NO_SUCH_DATA_SOURCE,
        MEMBERS_REACH_NO_RESOURCE,
    ),
    // Last, because it ends each caller's session.
    ("sign-out", &[], [200; 9]),
];

#[tokio::test]
async fn every_server_function_is_in_the_authorisation_matrix() {
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _method)| path.trim_start_matches("/api/").to_string())
        .collect();
    let in_matrix: BTreeSet<String> = MATRIX
        .iter()
        .map(|(endpoint, _, _)| endpoint.to_string())
        .collect();
    assert_eq!(registered, in_matrix, "add new server functions to MATRIX");
}

#[tokio::test]
async fn the_authorisation_matrix_holds() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        app.set_up().await;
        let ada = app.sign_ada_in().await;
        let other_admin = app
            .admin_of_new_workspace("olga@example.com", "Other")
            .await;

        let mut cookies = Vec::new();
        for caller in CALLERS {
            let app = &app;
            let member_of_acme = |role, status| async move {
                let email = format!("{caller:?}@example.com").to_lowercase();
                Some(app.member_of("acme", &email, role, status).await.1)
            };
            let cookie = match caller {
                Caller::SignedOut => None,
                Caller::SuperAdmin => Some(ada.clone()),
                Caller::OtherWorkspaceAdmin => Some(other_admin.cookie.clone()),
                Caller::Builder => member_of_acme(Role::Builder, MembershipStatus::Active).await,
                Caller::EndUser => member_of_acme(Role::EndUser, MembershipStatus::Active).await,
                Caller::Invited => member_of_acme(Role::Admin, MembershipStatus::Invited).await,
                Caller::Archived => member_of_acme(Role::Admin, MembershipStatus::Archived).await,
                Caller::AdminOfArchivedWorkspace => {
                    let closer = app
                        .admin_of_new_workspace("closer@example.com", "Closed")
                        .await;
                    sqlx::query("UPDATE workspaces SET status = 'archived' WHERE slug = 'closed'")
                        .execute(&app.db)
                        .await
                        .unwrap();
                    Some(closer.cookie)
                }
                Caller::ArchivedAccount => {
                    let cookie = member_of_acme(Role::Admin, MembershipStatus::Active).await;
                    let id = app.user_id("archivedaccount@example.com").await;
                    app.archive_account(id).await;
                    cookie
                }
            };
            cookies.push((caller, cookie));
        }

        let mut failures = Vec::new();
        for (endpoint, form, expected) in MATRIX {
            for ((caller, cookie), expected) in cookies.iter().zip(expected) {
                let form: Vec<(&str, &str)> = form
                    .iter()
                    .map(|&(name, value)| match (caller, value) {
                        (Caller::AdminOfArchivedWorkspace, "acme") => (name, "closed"),
                        _ => (name, value),
                    })
                    .collect();
                let reply = if JSON_ENDPOINTS.contains(endpoint) {
                    app.call_json(endpoint, as_json(&form), cookie.as_deref())
                        .await
                } else {
                    app.call(endpoint, &form, cookie.as_deref()).await
                };
                if reply.status.as_u16() != *expected {
                    failures.push(format!(
                        "{endpoint} as {caller:?}: expected {expected}, got {} {}",
                        reply.status, reply.body
                    ));
                }
            }
        }
        assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    })
    .await;
}

#[tokio::test]
async fn a_member_of_one_workspace_cannot_read_another() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        app.set_up().await;
        let cookie = app
            .admin_of_new_workspace("olga@example.com", "Other")
            .await
            .cookie;
        let reply = app.workspace_context("acme", &cookie).await;
        let unknown = app.workspace_context("no-such-place", &cookie).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        assert_eq!(
            error_code(&reply),
            error_code(&unknown),
            "existence isn't revealed"
        );
        let viewer = app.viewer(&cookie).await.json();
        assert_eq!(viewer["workspaces"].as_array().unwrap().len(), 1);
        assert_eq!(viewer["workspaces"][0]["slug"], "other");
    })
    .await;
}

#[tokio::test]
async fn switching_workspace_changes_where_the_user_lands() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let cookie = app.set_up().await;
        let created = app.create_workspace("Second Team", &cookie).await;
        assert_eq!(created.status, StatusCode::OK);
        assert_eq!(created.json()["slug"], "second-team");
        assert_eq!(created.json()["role"], "Admin");
        assert_eq!(app.get("/", Some(&cookie)).await.location(), "/acme");

        let second_team = app.session("second-team", cookie.clone());
        let reply = second_team.call("workspaces/switch", &[]).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(app.get("/", Some(&cookie)).await.location(), "/second-team");
        let again = app.sign_in("ada@example.com", PASSWORD, None).await;
        assert_eq!(again.json()["path"], "/second-team");
    })
    .await;
}

#[tokio::test]
async fn creating_a_workspace_with_a_bad_name_writes_nothing() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let cookie = app.set_up().await;
        let reply = app.create_workspace("   ", &cookie).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(reply.json()["message"], "Enter a workspace name.");
        assert_eq!(app.count("workspaces").await, 1);
        assert_eq!(app.count("memberships").await, 1);
    })
    .await;
}

#[tokio::test]
async fn malformed_calls_are_bad_requests_not_server_errors() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let cookie = app.set_up().await;
        let reply = app.call("workspaces/create", &[], Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
        assert_eq!(app.count("workspaces").await, 1);
    })
    .await;
}

/// The first HTML of every signed-in page holds what the page shows: its data is loaded
/// on the server, not after the browser has taken the page over.
#[tokio::test]
async fn signed_in_pages_arrive_with_their_data() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        ada.invite("Grace Hopper", "grace@example.com", "builder")
            .await
            .ok();
        let pages = [
            (
                "/acme",
                "There are no apps yet. Create one with Create app.",
            ),
            ("/acme/settings/users", "grace@example.com"),
            ("/acme/settings/groups", "Admin (1)"),
            (
                "/acme/settings/access-matrix",
                "No apps, folders, workspace constants",
            ),
            (
                "/acme/settings/access-tokens",
                "No member has an access token.",
            ),
            ("/acme/settings/provisioning", "/scim/v2/acme"),
            ("/acme/settings/audit-log", "grace@example.com"),
            (
                "/acme/settings/constants",
                "There are no workspace constants you can see.",
            ),
            (
                "/acme/settings/data-sources",
                "There are no data sources you can use.",
            ),
            ("/profile", "You have no access tokens."),
            ("/settings", "grace@example.com"),
            ("/settings/workspaces", "Acme"),
            ("/settings/email-outbox", "grace@example.com"),
            ("/settings/single-sign-on", "No identity provider yet"),
        ];
        for (path, expected) in pages {
            let page = app.get(path, Some(&ada.cookie)).await;
            assert_eq!(page.status, StatusCode::OK, "{path}");
            assert!(
                page.body.contains(expected),
                "{path} lacks {expected:?}: {}",
                page.body
            );
            assert!(!page.body.contains("Loading…"), "{path} is still loading");
        }

        // The Users tab of the group shown offers whom it can add.
        let page = app.get("/acme/settings/groups", Some(&ada.cookie)).await;
        assert!(
            page.body.contains("Grace Hopper (grace@example.com)"),
            "{}",
            page.body
        );
        // A resource's page, with who has access to it, for admins.
        let ledger = app.insert_resource("acme", "app", "Ledger", None).await;
        let page = app
            .get(&format!("/acme/apps/{ledger}"), Some(&ada.cookie))
            .await;
        assert!(page.body.contains(">Permissions</h2>"), "{}", page.body);
        assert!(
            page.body.contains("Admins can do everything"),
            "{}",
            page.body
        );
        assert!(!page.body.contains("Loading…"), "{}", page.body);
    })
    .await;
}
