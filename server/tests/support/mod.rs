//! What the HTTP test files share: the router over a fresh database, and calling it as a
//! browser or an API client would.
// Each test file is its own crate and uses only some of these helpers.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use app::auth::session;
use app::config::Config;
use app::db::Db;
use app::db::testing::test_keyring;
use app::memberships::{MembershipStatus, Role};
use app::state::AppState;
use app::users::store::{NewUser, insert as insert_user};
use app::workspaces::store::add_member;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::response::Response;
use leptos::config::LeptosOptions;
use serde_json::Value;
use tower::ServiceExt;

pub const PASSWORD: &str = "analytical engine";

pub struct TestApp {
    pub router: Router,
    pub db: Db,
    pub config: Arc<Config>,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|_| panic!("JSON body, got {:?}", self.body))
    }

    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
    }

    /// The session cookie as a browser would send it back.
    pub fn session_cookie(&self) -> String {
        let set_cookie = self.header("set-cookie");
        set_cookie.split(';').next().unwrap_or_default().to_string()
    }
}

impl TestApp {
    pub fn new(db: Db) -> TestApp {
        TestApp::with_settings(db, &[])
    }

    pub fn with_settings(db: Db, settings: &[(&str, &str)]) -> TestApp {
        let settings: Vec<(String, String)> = settings
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        let config = Config::from_lookup(|name| {
            settings
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
        })
        .expect("test configuration");
        let config = Arc::new(config);
        let state = AppState {
            db: db.clone(),
            config: config.clone(),
            leptos_options: LeptosOptions::builder().output_name("gatehouse").build(),
            keys: Arc::new(test_keyring()),
            mail_queued: Arc::new(tokio::sync::Notify::new()),
        };
        TestApp {
            router: server::router(state),
            db,
            config,
        }
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response: Response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Reply {
        let mut request = Request::get(path);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    /// Calls a server function the way the browser does: a same-origin form post.
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)], cookie: Option<&str>) -> Reply {
        self.call_with(endpoint, form, cookie, &[("sec-fetch-site", "same-origin")])
            .await
    }

    pub async fn call_with(
        &self,
        endpoint: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let mut request = Request::post(format!("/api/{endpoint}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::from(body)).unwrap()).await
    }

    /// Calls a server function that takes JSON, as API clients and the browser do for
    /// structured input.
    pub async fn call_json(&self, endpoint: &str, body: Value, cookie: Option<&str>) -> Reply {
        let mut request = Request::post(format!("/api/{endpoint}"))
            .header(header::CONTENT_TYPE, "application/json")
            .header("sec-fetch-site", "same-origin");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::from(body.to_string())).unwrap())
            .await
    }

    /// The invitation link in the newest mail of the outbox.
    pub async fn last_mailed_link(&self) -> String {
        let body: String =
            sqlx::query_scalar("SELECT body FROM mail_outbox ORDER BY id DESC LIMIT 1")
                .fetch_one(&self.db)
                .await
                .unwrap();
        body.lines()
            .find(|line| line.contains("/invitations/"))
            .unwrap_or_else(|| panic!("a link in {body:?}"))
            .trim()
            .to_string()
    }

    pub async fn user_id(&self, email: &str) -> i64 {
        sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(email)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }

    pub async fn membership_status(&self, slug: &str, email: &str) -> Option<String> {
        sqlx::query_scalar(
            "SELECT m.status FROM memberships m JOIN workspaces w ON w.id = m.workspace_id
             JOIN users u ON u.id = m.user_id WHERE w.slug = $1 AND u.email = $2",
        )
        .bind(slug)
        .bind(email)
        .fetch_optional(&self.db)
        .await
        .unwrap()
    }

    /// Row counts of every table a member change may touch, to show that a refused
    /// change wrote nothing.
    pub async fn footprint(&self) -> Vec<(&'static str, i64)> {
        let mut counts = Vec::new();
        for table in [
            "users",
            "memberships",
            "invitations",
            "member_metadata",
            "mail_outbox",
            "audit_events",
            "sessions",
        ] {
            counts.push((table, self.count(table).await));
        }
        counts
    }

    /// Sets the instance up as Ada, returning her session cookie.
    pub async fn set_up(&self) -> String {
        let reply = self
            .call(
                "set-up",
                &[
                    ("full_name", "Ada Lovelace"),
                    ("email", "ada@example.com"),
                    ("password", PASSWORD),
                    ("workspace_name", "Acme"),
                ],
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.session_cookie()
    }

    pub async fn sign_in(&self, email: &str, password: &str, cookie: Option<&str>) -> Reply {
        self.call(
            "sign-in",
            &[("email", email), ("password", password)],
            cookie,
        )
        .await
    }

    /// A user with a live session, without going through sign-in.
    pub async fn user_with_session(&self, email: &str) -> (i64, String) {
        let mut conn = self.db.acquire().await.unwrap();
        let id = insert_user(
            &mut conn,
            NewUser {
                email,
                full_name: email,
                password_hash: None,
                is_super_admin: false,
                default_workspace_id: None,
            },
        )
        .await
        .unwrap();
        drop(conn);
        let token = session::start(&self.db, id, Duration::from_secs(3600))
            .await
            .unwrap();
        (
            id,
            format!("{}={}", session::cookie_name(&self.config), token.expose()),
        )
    }

    pub async fn workspace_id(&self, slug: &str) -> i64 {
        sqlx::query_scalar("SELECT id FROM workspaces WHERE slug = $1")
            .bind(slug)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }

    pub async fn add_member(
        &self,
        workspace_id: i64,
        user_id: i64,
        role: Role,
        status: MembershipStatus,
    ) {
        let mut conn = self.db.acquire().await.unwrap();
        add_member(&mut conn, workspace_id, user_id, role, status)
            .await
            .unwrap();
    }

    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&self.db)
            .await
            .unwrap()
    }
}

pub fn error_code(reply: &Reply) -> Value {
    reply.json()["code"].clone()
}
