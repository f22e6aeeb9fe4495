//! Sign-in, set-up and invitation forms posted by a browser without JavaScript, on SQLite
//! and PostgreSQL: the browser asks for a page (`Accept: text/html`) and gets a redirect,
//! on to where the person goes, or back to the form with the error it shows.

use crate::support::{PASSWORD, Reply, TestApp, token_of};
use app::db::testing::on_each_backend;
use axum::http::StatusCode;

const SITE: &str = "http://127.0.0.1:3000";

/// Posts a form the way a browser without JavaScript does, from the page at `from`.
async fn post_form(
    app: &TestApp,
    endpoint: &str,
    form: &[(&str, &str)],
    from: Option<&str>,
    cookie: Option<&str>,
) -> Reply {
    let referer = from.map(|page| format!("{SITE}{page}"));
    let mut headers = vec![
        ("sec-fetch-site", "same-origin"),
        ("accept", "text/html,application/xhtml+xml"),
    ];
    if let Some(referer) = &referer {
        headers.push(("referer", referer));
    }
    app.call_with(endpoint, form, cookie, &headers).await
}

/// The redirect's target, and the page it opens rendered for `cookie`.
async fn follow(app: &TestApp, reply: &Reply, cookie: Option<&str>) -> (String, String) {
    assert_eq!(reply.status, StatusCode::FOUND, "{}", reply.body);
    let location = reply.location().trim_start_matches(SITE).to_string();
    let page = app.get(&location, cookie).await;
    (location, page.body)
}

#[tokio::test]
async fn set_up_and_sign_in_work_as_plain_forms() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let mut set_up = [
            ("full_name", "Ada Lovelace"),
            ("email", "ada@example.com"),
            ("password", "short"),
            ("workspace_name", "Acme"),
        ];
        let refused = post_form(&app, "set-up", &set_up, Some("/setup"), None).await;
        let (back, page) = follow(&app, &refused, None).await;
        assert!(back.starts_with("/setup?__path="), "{back}");
        assert!(page.contains("A password must be at least 8 characters long."));
        assert_eq!(app.count("users").await, 0);

        set_up[2].1 = PASSWORD;
        let done = post_form(&app, "set-up", &set_up, Some("/setup"), None).await;
        assert_eq!(done.location(), "/acme");
        let cookie = done.session_cookie();
        assert!(app.get("/acme", Some(&cookie)).await.body.contains("Acme"));

        let from = "/sign-in?next=%2Facme%2Fsettings%2Fusers";
        let mut sign_in = [
            ("email", "ada@example.com"),
            ("password", "not the password"),
            ("next", "/acme/settings/users"),
        ];
        let refused = post_form(&app, "sign-in", &sign_in, Some(from), None).await;
        assert!(refused.headers.get("set-cookie").is_none());
        let (back, page) = follow(&app, &refused, None).await;
        assert!(back.starts_with(&format!("{from}&__path=")), "{back}");
        assert!(page.contains("The email address or password is incorrect."));

        sign_in[1].1 = PASSWORD;
        let signed_in = post_form(&app, "sign-in", &sign_in, Some(from), None).await;
        let cookie = signed_in.session_cookie();
        let (landing, page) = follow(&app, &signed_in, Some(&cookie)).await;
        assert_eq!(landing, "/acme/settings/users");
        assert!(page.contains(r#"<h1 id="page-title">Users</h1>"#), "{page}");

        // Only paths on this site: anything else lands in the workspace.
        sign_in[2].1 = "//evil.example/acme";
        let signed_in = post_form(&app, "sign-in", &sign_in, Some("/sign-in"), None).await;
        assert_eq!(signed_in.location(), "/acme");
    })
    .await;
}

#[tokio::test]
async fn an_invitation_page_without_a_referer_gets_its_errors_back() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let admin = app.set_up_session().await;
        admin
            .invite("Grace Hopper", "grace@example.com", "end-user")
            .await
            .ok();
        let token = token_of(&app.last_mailed_link().await);
        let page = format!("/invitations/{token}");

        // The invitation page sends no Referer (its address holds the token).
        let mut join = [
            ("token", token.as_str()),
            ("full_name", "Grace Hopper"),
            ("password", "short"),
        ];
        let refused = post_form(&app, "invitations/join", &join, None, None).await;
        let (back, body) = follow(&app, &refused, None).await;
        assert!(back.starts_with(&format!("{page}?__path=")), "{back}");
        assert!(body.contains("A password must be at least 8 characters long."));

        join[2].1 = "compiler pioneer";
        let joined = post_form(&app, "invitations/join", &join, None, None).await;
        assert_eq!(joined.location(), "/acme");
        let cookie = joined.session_cookie();
        assert!(
            app.get("/acme", Some(&cookie))
                .await
                .body
                .contains("End-user")
        );

        // Used once: the link now refuses, and says so on its page.
        let again = post_form(&app, "invitations/join", &join, None, None).await;
        let (_, body) = follow(&app, &again, None).await;
        assert!(body.contains("This invitation can"), "{body}");
    })
    .await;
}

#[tokio::test]
async fn the_pages_own_script_still_gets_data() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        app.set_up().await;
        let signed_in = app
            .call(
                "sign-in",
                &[("email", "ada@example.com"), ("password", PASSWORD)],
                None,
            )
            .await;
        assert_eq!(signed_in.status, StatusCode::OK);
        assert_eq!(signed_in.json()["path"], "/acme");
        assert!(signed_in.headers.get("location").is_none());
    })
    .await;
}
