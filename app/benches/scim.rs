//! SCIM at scale, on SQLite and on PostgreSQL, through the provisioning operations (the
//! HTTP layer excluded): an instance of 1,000,000 users in ten workspaces of 100,000
//! members each.
//!
//! Targets: `GET /Users?filter=userName eq "…"` at most 5 ms; a page of 100 users with
//! `startIndex` deep in the list (90,001) at most 20 ms; one PATCH adding 1,000 members
//! to a group at most 200 ms.

use std::time::{Duration, Instant};

use app::access::{ActingAs, Credential, SignedInUser, WorkspaceActor, WorkspaceRef};
use app::db::testing::TestDatabase;
use app::db::{Backend, Db};
use app::memberships::Role;
use app::provisioning::operations::{Listing, list_users, patch_group};
use app::provisioning::scim::filter;
use app::provisioning::store::Paging;
use app::state::AppState;
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;

#[path = "support/settle.rs"]
mod settle;

const USERS: usize = 1_000_000;
const WORKSPACES: usize = 10;
const BATCH: usize = 1_000;
/// Explicit ids, so each membership names its user and workspace without a lookup.
const USER_BASE: usize = 1_000_000;
const WORKSPACE_BASE: usize = 1_000;
/// The workspace the benchmarks act in, and its admin (its first member).
const BIG: usize = 3;
const ADMIN: usize = USER_BASE + BIG;
const BASE_URL: &str = "http://127.0.0.1:3000/scim/v2/workspace-3";

/// Every user is a member of one workspace, user n of workspace n mod 10.
async fn seed(db: &Db) -> i64 {
    let workspaces = (0..WORKSPACES)
        .map(|w| {
            format!(
                "({}, 'Workspace {w}', 'workspace-{w}', 'active', 0)",
                WORKSPACE_BASE + w
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    sqlx::query(&format!(
        "INSERT INTO workspaces (id, name, slug, status, created_at) VALUES {workspaces}"
    ))
    .execute(db)
    .await
    .expect("workspaces");
    for start in (0..USERS).step_by(BATCH) {
        let mut tx = db.begin().await.expect("a transaction");
        let users = (start..start + BATCH)
            .map(|n| {
                format!(
                    "({}, 'user{n:07}@example.com', 'User {n:07}', 'active', 0, 0)",
                    USER_BASE + n
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        sqlx::query(&format!(
            "INSERT INTO users (id, email, full_name, status, created_at, updated_at) VALUES {users}"
        ))
        .execute(&mut *tx)
        .await
        .expect("users");
        let memberships = (start..start + BATCH)
            .map(|n| {
                let role = if USER_BASE + n == ADMIN {
                    "admin"
                } else {
                    "end-user"
                };
                format!(
                    "({}, {}, '{role}', 'active', 'user{n:07}@example.com', 'user {n:07}', 0, 0)",
                    WORKSPACE_BASE + n % WORKSPACES,
                    USER_BASE + n
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        sqlx::query(&format!(
            "INSERT INTO memberships
                (workspace_id, user_id, role, status, email, name_key, created_at, updated_at)
             VALUES {memberships}"
        ))
        .execute(&mut *tx)
        .await
        .expect("memberships");
        tx.commit().await.expect("committed");
    }
    let workspace_id = (WORKSPACE_BASE + BIG) as i64;
    let mut conn = db.acquire().await.expect("a connection");
    app::groups::store::seed_role_groups(&mut conn, workspace_id)
        .await
        .expect("role groups");
    let group_id = app::groups::store::create(&mut conn, workspace_id, "Everyone")
        .await
        .expect("a group");
    settle::settle(db).await;
    group_id
}

fn scim_benches(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let mut group = c.benchmark_group("scim");
    group.sample_size(20);
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let database = runtime.block_on(TestDatabase::of(backend));
        let state = AppState::for_tests(database.db.clone());
        let group_id = runtime.block_on(seed(&state.db));
        let actor = WorkspaceActor {
            user: SignedInUser {
                id: ADMIN as i64,
                email: format!("user{BIG:07}@example.com"),
                full_name: "Admin".into(),
                is_super_admin: false,
            },
            workspace: WorkspaceRef {
                id: (WORKSPACE_BASE + BIG) as i64,
                slug: "workspace-3".into(),
                name: "Workspace 3".into(),
            },
            role: Role::Admin,
            credential: Credential::ScimToken { id: 1 },
            acting_as: ActingAs::Member,
            permissions_version: None,
        };
        let by_user_name = || Listing {
            // Member 500,003 of the instance is in workspace 3.
            filter: Some(
                filter::parse("userName eq \"USER0500003@example.com\"").expect("a filter"),
            ),
            paging: Paging {
                start_index: 1,
                count: 100,
                sort: None,
            },
        };
        let found = runtime
            .block_on(list_users(&state, &actor, BASE_URL, by_user_name()))
            .unwrap_or_else(|_| panic!("a listing"));
        assert_eq!(found["totalResults"], 1, "{found}");
        group.bench_function(
            format!("{backend:?}: filter userName eq, 100,000 of 1,000,000"),
            |b| {
                b.to_async(&runtime).iter(|| async {
                    list_users(&state, &actor, BASE_URL, by_user_name())
                        .await
                        .unwrap_or_else(|_| panic!("a listing"))
                })
            },
        );
        let deep_page = || Listing {
            filter: None,
            paging: Paging {
                start_index: 90_001,
                count: 100,
                sort: None,
            },
        };
        let page = runtime
            .block_on(list_users(&state, &actor, BASE_URL, deep_page()))
            .unwrap_or_else(|_| panic!("a page"));
        assert_eq!(page["Resources"].as_array().map(Vec::len), Some(100));
        group.bench_function(
            format!("{backend:?}: a page of 100 at startIndex 90,001"),
            |b| {
                b.to_async(&runtime).iter(|| async {
                    list_users(&state, &actor, BASE_URL, deep_page())
                        .await
                        .unwrap_or_else(|_| panic!("a page"))
                })
            },
        );
        // A thousand members of the workspace, other than its admin.
        let joining: Vec<serde_json::Value> = (1..=1_000)
            .map(|k| json!({"value": (USER_BASE + BIG + k * WORKSPACES).to_string()}))
            .collect();
        let body = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "add", "path": "members", "value": joining}],
        });
        runtime
            .block_on(patch_group(
                &state, &actor, BASE_URL, group_id, &body, false,
            ))
            .unwrap_or_else(|_| panic!("members added"));
        let members: i64 = runtime
            .block_on(
                sqlx::query_scalar("SELECT COUNT(*) FROM group_members WHERE group_id = $1")
                    .bind(group_id)
                    .fetch_one(&state.db),
            )
            .expect("a count");
        assert_eq!(members, 1_000);
        let (state_ref, actor_ref, body_ref) = (&state, &actor, &body);
        group.bench_function(
            format!("{backend:?}: PATCH adding 1,000 members to a group"),
            |b| {
                // Each PATCH meets an empty group: emptying it again is left out of the time.
                b.to_async(&runtime).iter_custom(|iterations| async move {
                    let mut measured = Duration::ZERO;
                    for _ in 0..iterations {
                        sqlx::query("DELETE FROM group_members WHERE group_id = $1")
                            .bind(group_id)
                            .execute(&state_ref.db)
                            .await
                            .expect("an empty group");
                        let started = Instant::now();
                        patch_group(state_ref, actor_ref, BASE_URL, group_id, body_ref, false)
                            .await
                            .unwrap_or_else(|_| panic!("members added"));
                        measured += started.elapsed();
                    }
                    measured
                })
            },
        );
        runtime.block_on(database.remove());
    }
    group.finish();
}

criterion_group!(benches, scim_benches);
criterion_main!(benches);
