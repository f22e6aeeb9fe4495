//! Single sign-on through an OpenID provider that runs in the test: a real HTTP server
//! with a discovery document, keys, a token endpoint and userinfo, whose ID tokens the
//! test signs with test keys. Every way an answer can be wrong is refused; a right one
//! signs the person in, joins them to the workspace and syncs their groups.

use app::db::testing::on_each_backend;
use app::single_sign_on::testing::{CLIENT_ID, Provider, b64, signed};
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::support::{PASSWORD, Reply, Session, TestApp};

/// Makes an ID token for the nonce Gatehouse sent.
type TokenFor<'a> = Box<dyn Fn(&str) -> String + 'a>;

/// A sign-in begun at Gatehouse: the state and nonce it sent to the provider, and the
/// cookie it gave the browser.
struct Begun {
    state: String,
    nonce: String,
    cookie: String,
}

async fn begin(app: &TestApp) -> Begun {
    let reply = app.get("/sso/test-idp/start", None).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let location = url::Url::parse(reply.location()).unwrap();
    let parameter = |name: &str| {
        location
            .query_pairs()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
            .unwrap_or_else(|| panic!("{name} in {location}"))
    };
    assert_eq!(parameter("code_challenge_method"), "S256");
    assert_eq!(parameter("client_id"), CLIENT_ID);
    assert!(parameter("scope").split(' ').any(|scope| scope == "openid"));
    Begun {
        state: parameter("state"),
        nonce: parameter("nonce"),
        cookie: reply.session_cookie(),
    }
}

async fn finish(app: &TestApp, begun: &Begun) -> Reply {
    app.get(
        &format!("/sso/test-idp/callback?code=the-code&state={}", begun.state),
        Some(&begun.cookie),
    )
    .await
}

/// Signs in through the provider with an ID token made from the claims `make` returns
/// for the nonce Gatehouse sent.
async fn sign_in_with(app: &TestApp, provider: &Provider, make: impl Fn(&str) -> String) -> Reply {
    let begun = begin(app).await;
    provider.answers().id_token = make(&begun.nonce);
    finish(app, &begun).await
}

fn refusal_of(reply: &Reply) -> String {
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    reply
        .location()
        .strip_prefix("/sign-in?sso_error=")
        .unwrap_or_else(|| panic!("refused to the sign-in page, not {}", reply.location()))
        .to_string()
}

/// The session cookie a successful sign-in sets.
fn session_of(app: &TestApp, reply: &Reply) -> String {
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert!(
        !reply.location().contains("sso_error"),
        "{}",
        reply.location()
    );
    let name = app::auth::session::cookie_name(&app.config);
    reply
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|cookie| cookie.starts_with(&format!("{name}=")))
        .and_then(|cookie| cookie.split(';').next())
        .expect("a session cookie")
        .to_string()
}

/// Ada adds the provider for the instance, and acme accepts it with `settings`.
async fn configure(
    app: &TestApp,
    ada: &str,
    provider: &Provider,
    source: &str,
    groups_claim: &str,
    settings: Value,
) -> i64 {
    let reply = app
        .call_json(
            "sso/providers/save",
            json!({"form": {
                "id": null,
                "display_name": "Test IdP",
                "issuer_url": provider.issuer,
                "client_id": CLIENT_ID,
                "client_secret": "test-secret",
                "scopes": "openid email profile groups",
                "email_claim": "email",
                "groups_claim": groups_claim,
                "groups_source": source,
                "allowed_domains": "example.com",
            }}),
            Some(ada),
        )
        .await;
    let saved = reply.ok();
    assert_eq!(saved["slug"], "test-idp");
    assert_eq!(
        saved["callback_url"],
        "http://127.0.0.1:3000/sso/test-idp/callback"
    );
    let id = saved["id"].as_i64().unwrap();
    save_workspace(app, ada, id, settings).await;
    id
}

/// Saves acme's single sign-on settings: it accepts the provider, lets newcomers join
/// as End-users and syncs fully, but for what `settings` changes.
async fn save_workspace(app: &TestApp, ada: &str, provider_id: i64, settings: Value) {
    let mut form = json!({
        "accepted_providers": [provider_id],
        "require_sso": false,
        "join_on_first_sign_in": true,
        "default_role": "end-user",
        "sync_mode": "full",
        "ignore_case": true,
        "create_groups": false,
        "builder_level_groups": "refuse",
        "mappings": [],
    });
    for (key, value) in settings.as_object().unwrap() {
        form[key] = value.clone();
    }
    app.call_json(
        "sso/workspace/save",
        json!({"slug": "acme", "form": form}),
        Some(ada),
    )
    .await
    .ok();
}

async fn group(session: &Session<'_>, name: &str) -> i64 {
    session.ok("groups/create", &[("name", name)]).await["id"]
        .as_i64()
        .unwrap()
}

async fn role_group(app: &TestApp, role: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT g.id FROM groups g JOIN workspaces w ON w.id = g.workspace_id
         WHERE w.slug = 'acme' AND g.role = $1",
    )
    .bind(role)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

async fn groups_of(app: &TestApp, email: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT g.name FROM group_members gm JOIN groups g ON g.id = gm.group_id
         JOIN users u ON u.id = gm.user_id WHERE u.email = $1 ORDER BY g.name",
    )
    .bind(email)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

async fn audited(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = $1")
        .bind(action)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_first_sign_in_joins_the_workspace_with_its_mapped_groups_and_later_ones_follow_the_provider()
 {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let provider = Provider::start().await;
        let engineering = group(&ada, "Engineering").await;
        let sales = group(&ada, "Sales").await;
        let builder = role_group(&app, "builder").await;
        configure(
            &app,
            &ada.cookie,
            &provider,
            "id_token",
            "groups",
            json!({"mappings": [
                {"idp_group": "engineering", "group_id": engineering},
                {"idp_group": "Sales", "group_id": sales},
                {"idp_group": "builders", "group_id": builder},
            ]}),
        )
        .await;

        let reply = sign_in_with(&app, &provider, |nonce| {
            signed(
                0,
                "key-1",
                &provider.claims(
                    "grace-1",
                    "Grace@Example.com",
                    nonce,
                    &["Engineering", "Unmapped"],
                ),
            )
        })
        .await;
        let grace = session_of(&app, &reply);
        assert_eq!(reply.location(), "/acme");
        let viewer = app.viewer(&grace).await.json();
        assert_eq!(viewer["email"], "grace@example.com");
        assert_eq!(viewer["full_name"], "Grace Hopper");
        app.assert_membership("acme", "grace@example.com", Some("active"))
            .await;
        let grace_id = app.user_id("grace@example.com").await;
        assert_eq!(app.role_of("acme", grace_id).await, "end-user");
        assert_eq!(groups_of(&app, "grace@example.com").await, ["Engineering"]);
        assert_eq!(audited(&app, "sso.joined").await, 1);
        assert_eq!(audited(&app, "sso.identity_linked").await, 1);

        // Full sync: the provider moved her to Sales and made her a builder.
        let reply = sign_in_with(&app, &provider, |nonce| {
            signed(
                0,
                "key-1",
                &provider.claims(
                    "grace-1",
                    "grace@example.com",
                    nonce,
                    &["sales", "BUILDERS"],
                ),
            )
        })
        .await;
        session_of(&app, &reply);
        assert_eq!(groups_of(&app, "grace@example.com").await, ["Sales"]);
        assert_eq!(app.role_of("acme", grace_id).await, "builder");

        // Identities link by subject: a new address at the provider is still Grace.
        let reply = sign_in_with(&app, &provider, |nonce| {
            signed(
                0,
                "key-1",
                &provider.claims("grace-1", "grace.hopper@example.com", nonce, &["Sales"]),
            )
        })
        .await;
        let again = session_of(&app, &reply);
        assert_eq!(
            app.viewer(&again).await.json()["email"],
            "grace@example.com"
        );
        // No role mapping applies any more: back to the workspace's default role.
        assert_eq!(app.role_of("acme", grace_id).await, "end-user");

        // Someone else at the provider with Grace's address can't take her account.
        let reply = sign_in_with(&app, &provider, |nonce| {
            signed(
                0,
                "key-1",
                &provider.claims("mallory", "grace@example.com", nonce, &[]),
            )
        })
        .await;
        assert_eq!(refusal_of(&reply), "linked_to_someone_else");
    })
    .await;
}

#[tokio::test]
async fn additive_and_first_sign_in_modes_leave_groups_the_provider_dropped() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let provider = Provider::start().await;
        let engineering = group(&ada, "Engineering").await;
        let sales = group(&ada, "Sales").await;
        let mappings = json!([
            {"idp_group": "Engineering", "group_id": engineering},
            {"idp_group": "Sales", "group_id": sales},
        ]);
        let provider_id = configure(
            &app,
            &ada.cookie,
            &provider,
            "id_token",
            "groups",
            json!({"sync_mode": "additive", "mappings": mappings}),
        )
        .await;
        let sign_in = |sub: &'static str, email: &'static str, groups: &'static [&'static str]| {
            let provider = provider.clone();
            let app = &app;
            async move {
                let reply = sign_in_with(app, &provider, |nonce| {
                    signed(0, "key-1", &provider.claims(sub, email, nonce, groups))
                })
                .await;
                session_of(app, &reply);
            }
        };
        sign_in("g", "grace@example.com", &["Engineering"]).await;
        sign_in("g", "grace@example.com", &["Sales"]).await;
        assert_eq!(
            groups_of(&app, "grace@example.com").await,
            ["Engineering", "Sales"]
        );

        save_workspace(
            &app,
            &ada.cookie,
            provider_id,
            json!({"sync_mode": "first_sign_in", "mappings": mappings}),
        )
        .await;
        sign_in("l", "linus@example.com", &["Sales"]).await;
        sign_in("l", "linus@example.com", &["Engineering"]).await;
        assert_eq!(groups_of(&app, "linus@example.com").await, ["Sales"]);
    })
    .await;
}

#[tokio::test]
async fn groups_come_from_the_access_token_or_userinfo_at_a_claim_path() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let provider = Provider::start().await;
        let engineering = group(&ada, "Engineering").await;
        let provider_id = configure(
            &app,
            &ada.cookie,
            &provider,
            "access_token",
            "realm_access.roles",
            json!({"mappings": [{"idp_group": "Engineering", "group_id": engineering}]}),
        )
        .await;
        provider.answers().access_token = signed(
            0,
            "key-1",
            &json!({"sub": "grace", "realm_access": {"roles": ["Engineering"]}}),
        );
        let reply = sign_in_with(&app, &provider, |nonce| {
            signed(
                0,
                "key-1",
                &provider.claims("grace", "grace@example.com", nonce, &[]),
            )
        })
        .await;
        session_of(&app, &reply);
        assert_eq!(groups_of(&app, "grace@example.com").await, ["Engineering"]);

        // From userinfo, whose subject must be the ID token's.
        let reply = app
            .call_json(
                "sso/providers/save",
                json!({"form": {
                    "id": provider_id, "display_name": "Test IdP", "issuer_url": provider.issuer,
                    "client_id": CLIENT_ID, "client_secret": "", "scopes": "openid email",
                    "email_claim": "email", "groups_claim": "groups",
                    "groups_source": "userinfo", "allowed_domains": "example.com",
                }}),
                Some(&ada.cookie),
            )
            .await;
        reply.ok();
        provider.answers().userinfo = json!({"sub": "linus", "groups": ["Engineering"]});
        let reply = sign_in_with(&app, &provider, |nonce| {
            signed(
                0,
                "key-1",
                &provider.claims("linus", "linus@example.com", nonce, &[]),
            )
        })
        .await;
        session_of(&app, &reply);
        assert_eq!(groups_of(&app, "linus@example.com").await, ["Engineering"]);
        provider.answers().userinfo = json!({"sub": "someone-else", "groups": []});
        let reply = sign_in_with(&app, &provider, |nonce| {
            signed(
                0,
                "key-1",
                &provider.claims("linus", "linus@example.com", nonce, &[]),
            )
        })
        .await;
        assert_eq!(refusal_of(&reply), "token_invalid");
    })
    .await;
}

#[tokio::test]
async fn every_wrong_answer_is_refused_and_changes_nothing() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let provider = Provider::start().await;
        configure(
            &app,
            &ada.cookie,
            &provider,
            "id_token",
            "groups",
            json!({}),
        )
        .await;
        let before = app.footprint().await;
        let good = |nonce: &str| provider.claims("eve", "eve@example.com", nonce, &[]);
        let with = |nonce: &str, change: fn(&mut Value)| {
            let mut claims = good(nonce);
            change(&mut claims);
            claims
        };
        let cases: Vec<(&str, TokenFor<'_>, &str)> = vec![
            (
                "a signature by another key",
                Box::new(|nonce| signed(1, "key-1", &good(nonce))),
                "token_invalid",
            ),
            (
                "alg none",
                Box::new(|nonce| {
                    let header = b64(br#"{"alg":"none","typ":"JWT"}"#);
                    format!("{header}.{}.", b64(good(nonce).to_string().as_bytes()))
                }),
                "token_invalid",
            ),
            (
                "another audience",
                Box::new(|nonce| {
                    signed(
                        0,
                        "key-1",
                        &with(nonce, |c| c["aud"] = json!("someone-else")),
                    )
                }),
                "token_invalid",
            ),
            (
                "another issuer",
                Box::new(|nonce| {
                    signed(
                        0,
                        "key-1",
                        &with(nonce, |c| c["iss"] = json!("https://evil.example")),
                    )
                }),
                "token_invalid",
            ),
            (
                "expired",
                Box::new(|nonce| {
                    signed(
                        0,
                        "key-1",
                        &with(nonce, |c| {
                            c["exp"] = json!(app::db::now() - 3600);
                            c["iat"] = json!(app::db::now() - 4000);
                        }),
                    )
                }),
                "token_expired",
            ),
            (
                "issued in the future",
                Box::new(|nonce| {
                    signed(
                        0,
                        "key-1",
                        &with(nonce, |c| c["iat"] = json!(app::db::now() + 3600)),
                    )
                }),
                "token_expired",
            ),
            (
                "another nonce",
                Box::new(|_| signed(0, "key-1", &good("not-the-nonce"))),
                "nonce_mismatch",
            ),
            (
                "an unverified email",
                Box::new(|nonce| {
                    signed(
                        0,
                        "key-1",
                        &with(nonce, |c| c["email_verified"] = json!(false)),
                    )
                }),
                "email_unverified",
            ),
            (
                "a domain the provider isn't allowed",
                Box::new(|nonce| {
                    signed(
                        0,
                        "key-1",
                        &with(nonce, |c| c["email"] = json!("eve@evil.example")),
                    )
                }),
                "domain_not_allowed",
            ),
            (
                "no email",
                Box::new(|nonce| {
                    signed(
                        0,
                        "key-1",
                        &with(nonce, |c| {
                            c.as_object_mut().unwrap().remove("email");
                        }),
                    )
                }),
                "email_missing",
            ),
        ];
        for (case, make, expected) in cases {
            let reply = sign_in_with(&app, &provider, |nonce| make(nonce)).await;
            assert_eq!(refusal_of(&reply), expected, "{case}");
            assert!(
                reply
                    .headers
                    .get_all("set-cookie")
                    .iter()
                    .all(|cookie| { !cookie.to_str().unwrap().starts_with("gatehouse_session=") }),
                "{case}: no session"
            );
        }
        assert_eq!(app.footprint().await, before, "nothing changed");
        assert_eq!(app.membership_status("acme", "eve@example.com").await, None);

        // The provider's own refusal.
        let begun = begin(&app).await;
        let reply = app
            .get(
                &format!(
                    "/sso/test-idp/callback?error=access_denied&state={}",
                    begun.state
                ),
                Some(&begun.cookie),
            )
            .await;
        assert_eq!(refusal_of(&reply), "provider_refused");
    })
    .await;
}

#[tokio::test]
async fn a_state_is_used_once_and_only_by_the_browser_it_was_given_to() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let provider = Provider::start().await;
        configure(
            &app,
            &ada.cookie,
            &provider,
            "id_token",
            "groups",
            json!({}),
        )
        .await;

        let begun = begin(&app).await;
        provider.answers().id_token = signed(
            0,
            "key-1",
            &provider.claims("grace", "grace@example.com", &begun.nonce, &[]),
        );
        // Another browser, with its own sign-in under way, brings this state.
        let other = begin(&app).await;
        let stolen = Begun {
            state: begun.state.clone(),
            nonce: begun.nonce.clone(),
            cookie: other.cookie.clone(),
        };
        assert_eq!(refusal_of(&finish(&app, &stolen).await), "state_invalid");
        let missing = app
            .get(
                &format!("/sso/test-idp/callback?code=c&state={}", begun.state),
                None,
            )
            .await;
        assert_eq!(refusal_of(&missing), "state_invalid");

        session_of(&app, &finish(&app, &begun).await);
        // Replayed: the state went with its first use.
        assert_eq!(refusal_of(&finish(&app, &begun).await), "state_invalid");
    })
    .await;
}

#[tokio::test]
async fn an_unknown_key_id_fetches_the_keys_once_not_on_every_request() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let provider = Provider::start().await;
        configure(
            &app,
            &ada.cookie,
            &provider,
            "id_token",
            "groups",
            json!({}),
        )
        .await;
        let claims = |nonce: &str| provider.claims("grace", "grace@example.com", nonce, &[]);
        session_of(
            &app,
            &sign_in_with(&app, &provider, |nonce| signed(0, "key-1", &claims(nonce))).await,
        );
        let fetched = provider.answers().jwks_fetches;

        // The provider rotates to a new key, a while after Gatehouse fetched the keys.
        provider.answers().published = vec![(1, "key-2".into())];
        sqlx::query("UPDATE sso_providers SET jwks_fetched_at = 0")
            .execute(&app.db)
            .await
            .unwrap();
        session_of(
            &app,
            &sign_in_with(&app, &provider, |nonce| signed(1, "key-2", &claims(nonce))).await,
        );
        assert_eq!(provider.answers().jwks_fetches, fetched + 1);

        // Tokens naming a key nobody published: refused, with no further fetches.
        for _ in 0..3 {
            let reply =
                sign_in_with(&app, &provider, |nonce| signed(1, "key-9", &claims(nonce))).await;
            assert_eq!(refusal_of(&reply), "token_invalid");
        }
        assert_eq!(provider.answers().jwks_fetches, fetched + 1);
    })
    .await;
}

#[tokio::test]
async fn a_builder_level_group_is_skipped_for_an_end_user_and_the_row_says_why() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let provider = Provider::start().await;
        let creators = group(&ada, "App creators").await;
        ada.call_on(
            "groups/set-flag",
            ("group_id", creators),
            &[
                ("flag", "app_create"),
                ("on", "true"),
                ("allow_role_change", "false"),
            ],
        )
        .await
        .ok();
        let provider_id = configure(
            &app,
            &ada.cookie,
            &provider,
            "id_token",
            "groups",
            json!({"mappings": [{"idp_group": "creators", "group_id": creators}]}),
        )
        .await;
        let reply = sign_in_with(&app, &provider, |nonce| {
            signed(
                0,
                "key-1",
                &provider.claims("grace", "grace@example.com", nonce, &["creators"]),
            )
        })
        .await;
        session_of(&app, &reply);
        assert!(groups_of(&app, "grace@example.com").await.is_empty());
        let grace = app.user_id("grace@example.com").await;
        assert_eq!(app.role_of("acme", grace).await, "end-user");
        assert_eq!(audited(&app, "sso.group_skipped").await, 1);
        let members = ada.ok("users/list", &[]).await;
        let row = members["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|member| member["email"] == "grace@example.com")
            .unwrap()
            .clone();
        assert!(
            row["sso_sync_warning"]
                .as_str()
                .unwrap()
                .contains("App creators"),
            "{row}"
        );

        // Where the workspace allows it, the End-user becomes a Builder instead.
        save_workspace(
            &app,
            &ada.cookie,
            provider_id,
            json!({"builder_level_groups": "promote", "mappings": [{"idp_group": "creators", "group_id": creators}]}),
        )
        .await;
        let reply = sign_in_with(&app, &provider, |nonce| {
            signed(
                0,
                "key-1",
                &provider.claims("grace", "grace@example.com", nonce, &["creators"]),
            )
        })
        .await;
        session_of(&app, &reply);
        assert_eq!(groups_of(&app, "grace@example.com").await, ["App creators"]);
        assert_eq!(app.role_of("acme", grace).await, "builder");
    })
    .await;
}

#[tokio::test]
async fn a_workspace_that_requires_single_sign_on_refuses_passwords_except_a_super_admins() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let provider = Provider::start().await;
        let (bob, _) = app.second_admin().await;
        sqlx::query("UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE email = 'ada@example.com') WHERE id = $1")
            .bind(bob)
            .execute(&app.db)
            .await
            .unwrap();
        assert_eq!(app.sign_in("bob@example.com", PASSWORD, None).await.status, StatusCode::OK);
        configure(&app, &ada.cookie, &provider, "id_token", "groups", json!({"require_sso": true})).await;

        let refused = app.sign_in("bob@example.com", PASSWORD, None).await;
        refused.assert_refused(
            StatusCode::FORBIDDEN,
            json!("SsoRequired"),
            "Your workspace requires single sign-on. Sign in with your identity provider.",
        );
        // Break-glass: the super admin still signs in with a password.
        assert_eq!(app.sign_in("ada@example.com", PASSWORD, None).await.status, StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn signing_out_of_a_single_sign_on_session_signs_out_at_the_provider_too() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let provider = Provider::start().await;
        configure(
            &app,
            &ada.cookie,
            &provider,
            "id_token",
            "groups",
            json!({}),
        )
        .await;
        let reply = sign_in_with(&app, &provider, |nonce| {
            signed(
                0,
                "key-1",
                &provider.claims("grace", "grace@example.com", nonce, &[]),
            )
        })
        .await;
        let grace = session_of(&app, &reply);
        let signed_out = app.call("sign-out", &[], Some(&grace)).await.ok();
        let location = signed_out["provider_sign_out"].as_str().unwrap();
        assert!(
            location.starts_with(&format!("{}/logout?", provider.issuer)),
            "{location}"
        );
        assert!(location.contains("id_token_hint="), "{location}");
        assert!(
            location.contains("post_logout_redirect_uri=http%3A%2F%2F127.0.0.1%3A3000%2Fsign-in"),
            "{location}"
        );
        assert_eq!(app.viewer(&grace).await.status, StatusCode::UNAUTHORIZED);
        // A password session has nowhere else to go.
        let ada_again = app.sign_ada_in().await;
        let signed_out = app.call("sign-out", &[], Some(&ada_again)).await.ok();
        assert_eq!(signed_out["provider_sign_out"], Value::Null);
    })
    .await;
}

#[tokio::test]
async fn test_connection_says_what_it_found_and_the_client_secret_is_sealed() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let provider = Provider::start().await;
        let id = configure(
            &app,
            &ada.cookie,
            &provider,
            "id_token",
            "groups",
            json!({}),
        )
        .await;
        let report = app
            .call(
                "sso/providers/test",
                &[("provider_id", &id.to_string())],
                Some(&ada.cookie),
            )
            .await
            .ok();
        assert_eq!(report["ok"], true, "{report}");
        let findings = report["findings"].to_string();
        assert!(findings.contains("key-1"), "{findings}");
        assert!(findings.contains("sign out at the provider"), "{findings}");

        let stored: String = sqlx::query_scalar("SELECT client_secret FROM sso_providers")
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert!(!stored.contains("test-secret"));
        let listed = app.call("sso/providers", &[], Some(&ada.cookie)).await;
        assert!(!listed.body.contains("test-secret"));

        // A provider that isn't there is named in words.
        let reply = app
            .call_json(
                "sso/providers/save",
                json!({"form": {
                    "id": null, "display_name": "Nowhere", "issuer_url": "http://127.0.0.1:9",
                    "client_id": "x", "client_secret": "y", "scopes": "openid",
                    "email_claim": "email", "groups_claim": "groups",
                    "groups_source": "id_token", "allowed_domains": "",
                }}),
                Some(&ada.cookie),
            )
            .await;
        let nowhere = reply.ok()["id"].as_i64().unwrap();
        let report = app
            .call(
                "sso/providers/test",
                &[("provider_id", &nowhere.to_string())],
                Some(&ada.cookie),
            )
            .await
            .ok();
        assert_eq!(report["ok"], false);
        assert!(
            report["findings"][0]
                .as_str()
                .unwrap()
                .contains("couldn't be fetched"),
            "{report}"
        );
    })
    .await;
}

#[tokio::test]
async fn unmapped_groups_are_ignored_unless_the_workspace_creates_them() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let ada = app.set_up_session().await;
        let provider = Provider::start().await;
        let provider_id = configure(
            &app,
            &ada.cookie,
            &provider,
            "id_token",
            "groups",
            json!({}),
        )
        .await;
        let sign_in = |sub: &'static str, email: &'static str| {
            let provider = provider.clone();
            let app = &app;
            async move {
                let reply = sign_in_with(app, &provider, |nonce| {
                    signed(
                        0,
                        "key-1",
                        &provider.claims(sub, email, nonce, &["Research"]),
                    )
                })
                .await;
                session_of(app, &reply);
            }
        };
        sign_in("g", "grace@example.com").await;
        assert!(groups_of(&app, "grace@example.com").await.is_empty());

        save_workspace(
            &app,
            &ada.cookie,
            provider_id,
            json!({"create_groups": true}),
        )
        .await;
        sign_in("g", "grace@example.com").await;
        sign_in("l", "linus@example.com").await;
        assert_eq!(groups_of(&app, "grace@example.com").await, ["Research"]);
        assert_eq!(groups_of(&app, "linus@example.com").await, ["Research"]);
        let settings = ada.ok("sso/workspace", &[]).await;
        assert_eq!(settings["mappings"][0]["idp_group"], "Research");
        assert_eq!(audited(&app, "group.created").await, 1);
    })
    .await;
}
