//! What the HTTP test files share: the router over a fresh database, calling it as a
//! browser or an API client would, and the people and workspaces the tests start from.

use std::sync::Arc;
use std::time::Duration;

use app::auth::session;
use app::config::Config;
use app::db::Db;
use app::db::testing::test_keyring;
use app::memberships::{MembershipStatus, Role};
use app::state::AppState;
use app::users::store::{NewUser, insert as insert_user};
use app::workspaces::store::{add_member, create_with_admin};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::response::Response;
use leptos::config::LeptosOptions;
use serde_json::Value;
use tower::ServiceExt;

pub const PASSWORD: &str = "analytical engine";

/// Far longer than any request takes, even on a loaded machine.
const ANSWER_WITHIN: std::time::Duration = std::time::Duration::from_secs(30);

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

/// Someone signed in, calling the server functions of one workspace: every call carries
/// the workspace's slug and the session cookie.
pub struct Session<'a> {
    pub app: &'a TestApp,
    pub slug: &'a str,
    pub cookie: String,
}

impl Session<'_> {
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> Reply {
        let mut fields = vec![("slug", self.slug)];
        fields.extend_from_slice(form);
        self.app.call(endpoint, &fields, Some(&self.cookie)).await
    }

    /// Calls a server function on one thing, named by its id field (`group_id`, `app_id`, …),
    /// with more fields after it.
    pub async fn call_on(
        &self,
        endpoint: &str,
        (id_field, id): (&str, i64),
        form: &[(&str, &str)],
    ) -> Reply {
        let id = id.to_string();
        let mut fields = vec![(id_field, id.as_str())];
        fields.extend_from_slice(form);
        self.call(endpoint, &fields).await
    }

    /// Calls a server function that takes JSON; `arguments` is an object without the slug.
    pub async fn call_json(&self, endpoint: &str, mut arguments: Value) -> Reply {
        arguments
            .as_object_mut()
            .expect("server function arguments are a JSON object")
            .insert("slug".to_string(), Value::from(self.slug));
        self.app
            .call_json(endpoint, arguments, Some(&self.cookie))
            .await
    }

    /// Invites `email` by name with `role` (a role key) and no metadata.
    pub async fn invite(&self, full_name: &str, email: &str, role: &str) -> Reply {
        let arguments = serde_json::json!({
            "full_name": full_name, "email": email, "role": role, "metadata": [],
        });
        self.call_json("users/invite", arguments).await
    }

    /// Uploads a bulk-invite file, or with `dry_run` only checks it.
    pub async fn import_csv(&self, csv: &str, dry_run: bool) -> Reply {
        let arguments = serde_json::json!({ "csv": csv, "dry_run": dry_run });
        self.call_json("users/import-csv", arguments).await
    }

    /// A new custom group of the session's workspace, by id; `builder_level` gives it
    /// the "create apps" flag, a builder-level permission.
    pub async fn custom_group(&self, name: &str, builder_level: bool) -> i64 {
        let id = self.ok("groups/create", &[("name", name)]).await["id"]
            .as_i64()
            .expect("the new group's id");
        if builder_level {
            let form = [
                ("flag", "app_create"),
                ("on", "true"),
                ("allow_role_change", "false"),
            ];
            self.call_on("groups/set-flag", ("group_id", id), &form)
                .await
                .ok();
        }
        id
    }

    /// The link the admin copies for an invited member.
    pub async fn copied_link(&self, user_id: i64) -> String {
        let reply = self
            .call(
                "users/invitation-link",
                &[("user_id", &user_id.to_string())],
            )
            .await;
        reply.ok().as_str().expect("a link").to_string()
    }

    /// Calls and expects success, returning the JSON answer.
    pub async fn ok(&self, endpoint: &str, form: &[(&str, &str)]) -> Value {
        let reply = self.call(endpoint, form).await;
        assert_eq!(reply.status, StatusCode::OK, "{endpoint}: {}", reply.body);
        reply.json()
    }
}

/// A refusal the server gives in several places: its status, error code and message.
pub struct Refusal {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: &'static str,
}

/// An Admin of a workspace of their own and of nothing else, signed in.
pub struct WorkspaceAdmin {
    pub user_id: i64,
    pub cookie: String,
}

impl Reply {
    /// Expects success and returns the JSON answer.
    #[track_caller]
    pub fn ok(&self) -> Value {
        assert_eq!(self.status, StatusCode::OK, "{}", self.body);
        self.json()
    }

    /// Expects a refusal with this status, error code and message.
    #[track_caller]
    pub fn assert_refused(&self, status: StatusCode, code: Value, message: &str) {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(error_code(self), code, "{}", self.body);
        assert_eq!(self.json()["message"], message);
    }

    /// Expects one of the refusals several tests meet.
    #[track_caller]
    pub fn assert_refusal(&self, expected: &Refusal) {
        self.assert_refused(
            expected.status,
            Value::from(expected.code),
            expected.message,
        );
    }

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
        let state = AppState::new(
            db.clone(),
            config.clone(),
            LeptosOptions::builder().output_name("gatehouse").build(),
            Arc::new(test_keyring()),
        );
        TestApp {
            router: server::router(state),
            db,
            config,
        }
    }

    /// Sends a request and reads the whole answer. A request with no answer within
    /// [`ANSWER_WITHIN`] fails the test, naming it, rather than leaving the run hanging.
    pub async fn send(&self, request: Request<Body>) -> Reply {
        let described = format!("{} {}", request.method(), request.uri());
        let answer = async {
            let response: Response = self.router.clone().oneshot(request).await.unwrap();
            let status = response.status();
            let headers = response.headers().clone();
            let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            let mut body = String::from_utf8_lossy(&bytes).into_owned();
            let is_page = headers
                .get(axum::http::header::CONTENT_TYPE)
                .is_some_and(|kind| kind.as_bytes().starts_with(b"text/html"));
            if is_page {
                body = without_hydration_markers(&body);
            }
            Reply {
                status,
                headers,
                body,
            }
        };
        tokio::time::timeout(ANSWER_WITHIN, answer)
            .await
            .unwrap_or_else(|_| panic!("{described}: no answer within {ANSWER_WITHIN:?}"))
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

    /// Calls the REST API with a bearer token, as a script would: no cookie, no browser
    /// headers.
    pub async fn api(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        self.api_with(method, path, token, body, &[]).await
    }

    pub async fn api_with(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let body = match body {
            Some(body) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(body.to_string())
            }
            None => Body::empty(),
        };
        self.send(request.body(body).unwrap()).await
    }

    /// A new access token of the holder of `cookie`, made in Profile: its secret.
    pub async fn token(&self, cookie: &str, scopes: &[&str]) -> String {
        let reply = self
            .call_json(
                "tokens/create",
                serde_json::json!({"name": "script", "scopes": scopes, "valid_for_days": 30}),
                Some(cookie),
            )
            .await;
        reply.ok()["secret"].as_str().unwrap().to_string()
    }

    /// The invitation link in the newest mail of the outbox.
    pub async fn last_mailed_link(&self) -> String {
        let body = self.last_mail_body().await;
        body.lines()
            .find(|line| line.contains("/invitations/"))
            .unwrap_or_else(|| panic!("a link in {body:?}"))
            .trim()
            .to_string()
    }

    /// The token of the newest mail's invitation link.
    pub async fn last_mailed_token(&self) -> String {
        token_of(&self.last_mailed_link().await)
    }

    /// What the invitation page shows for a token.
    pub async fn invitation(&self, token: &str) -> Reply {
        self.call("invitations/details", &[("token", token)], None)
            .await
    }

    /// Submits an invitation page's form: a name and a password for the account.
    pub async fn join(&self, token: &str, name: &str, password: &str) -> Reply {
        let form = [
            ("token", token),
            ("full_name", name),
            ("password", password),
        ];
        self.call("invitations/join", &form, None).await
    }

    /// The newest mail's body, unsealed with the test keys.
    pub async fn last_mail_body(&self) -> String {
        let (recipient, body, key_id): (String, String, Option<String>) = sqlx::query_as(
            "SELECT recipient, body, key_id FROM mail_outbox ORDER BY id DESC LIMIT 1",
        )
        .fetch_one(&self.db)
        .await
        .unwrap();
        let key_id = key_id.expect("a sealed body");
        let sealed = app::metadata::crypto::Sealed {
            key_id,
            ciphertext: body,
        };
        let binding = app::metadata::crypto::OutboxBinding {
            recipient: &recipient,
        };
        test_keyring()
            .open(binding, &sealed)
            .expect("a body the test keys open")
    }

    pub async fn user_id(&self, email: &str) -> i64 {
        sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(email)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }

    /// A member's role in the workspace at `slug`, as stored (`admin`, `end-user`, …).
    pub async fn role_of(&self, slug: &str, user_id: i64) -> String {
        sqlx::query_scalar(
            "SELECT m.role FROM memberships m JOIN workspaces w ON w.id = m.workspace_id
             WHERE w.slug = $1 AND m.user_id = $2",
        )
        .bind(slug)
        .bind(user_id)
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
    /// change wrote nothing (but for the audit trail's record of the refusal).
    pub async fn footprint(&self) -> Vec<(&'static str, i64)> {
        let mut counts = Vec::new();
        for table in [
            "users",
            "memberships",
            "invitations",
            "member_metadata",
            "mail_outbox",
            "sessions",
        ] {
            counts.push((table, self.count(table).await));
        }
        counts.push(("audit_events", self.changes_audited().await));
        counts
    }

    /// Audit events of changes: every event but the records of refused authorisations
    /// and of tokens used from a new address.
    pub async fn changes_audited(&self) -> i64 {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_events
             WHERE action NOT IN ('access.refused', 'token.used_from_new_address')",
        )
        .fetch_one(&self.db)
        .await
        .unwrap()
    }

    /// Sets the instance up as Ada, returning her session cookie.
    pub async fn set_up(&self) -> String {
        let reply = self
            .set_up_as(["Ada Lovelace", "ada@example.com", PASSWORD, "Acme"])
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.session_cookie()
    }

    /// Submits the set-up form: full name, email, password and the workspace's name.
    pub async fn set_up_as(
        &self,
        [full_name, email, password, workspace_name]: [&str; 4],
    ) -> Reply {
        self.call(
            "set-up",
            &[
                ("full_name", full_name),
                ("email", email),
                ("password", password),
                ("workspace_name", workspace_name),
            ],
            None,
        )
        .await
    }

    /// Sets the instance up as Ada, who then calls acme's server functions.
    pub async fn set_up_session(&self) -> Session<'_> {
        let cookie = self.set_up().await;
        self.session("acme", cookie)
    }

    /// The holder of `cookie`, calling the server functions of the workspace at `slug`.
    pub fn session<'a>(&'a self, slug: &'a str, cookie: String) -> Session<'a> {
        Session {
            app: self,
            slug,
            cookie,
        }
    }

    /// Creates a workspace as the holder of `cookie`.
    pub async fn create_workspace(&self, name: &str, cookie: &str) -> Reply {
        self.call("workspaces/create", &[("name", name)], Some(cookie))
            .await
    }

    /// Opens the workspace at `slug` as the holder of `cookie`, as every workspace page does.
    pub async fn workspace_context(&self, slug: &str, cookie: &str) -> Reply {
        self.call("workspaces/context", &[("slug", slug)], Some(cookie))
            .await
    }

    /// Signs Ada in with her password, returning the new session's cookie.
    pub async fn sign_ada_in(&self) -> String {
        let reply = self.sign_in("ada@example.com", PASSWORD, None).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.session_cookie()
    }

    /// Who the holder of `cookie` is, as the browser asks on every page.
    pub async fn viewer(&self, cookie: &str) -> Reply {
        self.call("viewer", &[], Some(cookie)).await
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

    /// A user with a live session and a membership of the workspace at `slug`.
    pub async fn member_of(
        &self,
        slug: &str,
        email: &str,
        role: Role,
        status: MembershipStatus,
    ) -> (i64, String) {
        let (id, cookie) = self.user_with_session(email).await;
        let workspace_id = self.workspace_id(slug).await;
        self.add_member(workspace_id, id, role, status).await;
        (id, cookie)
    }

    /// Bob, a second active Admin of acme, with his session.
    pub async fn second_admin(&self) -> (i64, Session<'_>) {
        let (bob, cookie) = self
            .member_of(
                "acme",
                "bob@example.com",
                Role::Admin,
                MembershipStatus::Active,
            )
            .await;
        (bob, self.session("acme", cookie))
    }

    /// A user with a live session who creates a workspace of their own, named `workspace`.
    pub async fn admin_of_new_workspace(&self, email: &str, workspace: &str) -> WorkspaceAdmin {
        let (user_id, cookie) = self.user_with_session(email).await;
        let mut conn = self.db.acquire().await.unwrap();
        create_with_admin(&mut conn, workspace, user_id)
            .await
            .expect("a new workspace with its admin");
        WorkspaceAdmin { user_id, cookie }
    }

    /// Archives a user's account in the instance, as a super admin would.
    pub async fn archive_account(&self, user_id: i64) {
        sqlx::query("UPDATE users SET status = 'archived' WHERE id = $1")
            .bind(user_id)
            .execute(&self.db)
            .await
            .unwrap();
    }

    /// Asserts a user's membership status in the workspace at `slug`; `None` for none.
    pub async fn assert_membership(&self, slug: &str, email: &str, expected: Option<&str>) {
        let status = self.membership_status(slug, email).await;
        assert_eq!(status.as_deref(), expected, "{email} in {slug}");
    }

    /// A resource of the workspace at `slug`, put straight into the database.
    pub async fn insert_resource(
        &self,
        slug: &str,
        kind: &str,
        name: &str,
        owner: Option<i64>,
    ) -> i64 {
        sqlx::query_scalar(
            "INSERT INTO resources
                (workspace_id, kind, name, name_key, owner_user_id, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, 0, 0) RETURNING id",
        )
        .bind(self.workspace_id(slug).await)
        .bind(kind)
        .bind(name)
        .bind(name.to_lowercase())
        .bind(owner)
        .fetch_one(&self.db)
        .await
        .unwrap()
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

/// The token at the end of an invitation link.
pub fn token_of(link: &str) -> String {
    link.rsplit('/').next().unwrap_or_default().to_string()
}

pub fn error_code(reply: &Reply) -> Value {
    reply.json()["code"].clone()
}

/// A page as the tests read it: without the empty comments Leptos marks its structure
/// with for hydration (`<!>`, and `<!--<() />-->` where a component rendered nothing),
/// which split the text a person sees, such as `Users<!>` in a heading.
fn without_hydration_markers(page: &str) -> String {
    page.replace("<!>", "").replace("<!--<() />-->", "")
}
