//! Settings › All users with 100,000 users over 100 workspaces, on SQLite and on
//! PostgreSQL: the Total users and Builders counters alone, and the first page of the
//! listing with them (what the page asks for). Targets: the counts at most 1 ms, the
//! first page at most 10 ms. With `GATEHOUSE_BENCH_USERS=1000000`, a million users over
//! 1,000 workspaces.

#[path = "support/scale.rs"]
mod scale;
#[path = "support/settle.rs"]
mod settle;

use app::db::testing::TestDatabase;
use app::db::{Backend, Db};
use app::instance::AccountFilter;
use app::instance::store::{counts, listing};
use app::users::store::PagePosition;
use criterion::{Criterion, criterion_group, criterion_main};

/// Users per workspace, before a third of them join a second one.
const USERS_PER_WORKSPACE: usize = 1_000;
const BATCH: usize = 1_000;
/// Explicit ids, so each membership names its user and workspace without a lookup.
const USER_BASE: usize = 1_000_000;
const WORKSPACE_BASE: usize = 1_000;

/// Every user is a member of one workspace; every third of a second. One membership in
/// five is as a Builder, one in ten is invited and one in twenty archived.
async fn seed(db: &Db, users: usize) {
    let workspaces = users / USERS_PER_WORKSPACE;
    let workspaces = (0..workspaces)
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
    let workspace_count = users / USERS_PER_WORKSPACE;
    for start in (0..users).step_by(BATCH) {
        let mut tx = db.begin().await.expect("a transaction");
        let users = (start..start + BATCH)
            .map(|n| {
                format!(
                    "({}, 'user{n:06}@example.com', 'User {n:06}', 'active', 0, 0)",
                    USER_BASE + n
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        sqlx::query(&format!(
            "INSERT INTO users (id, email, full_name, status, created_at, updated_at)
             VALUES {users}"
        ))
        .execute(&mut *tx)
        .await
        .expect("users");
        let memberships = (start..start + BATCH)
            .flat_map(|n| {
                let second = (n % 3 == 0).then_some((n + 7) % workspace_count);
                std::iter::once(n % workspace_count)
                    .chain(second)
                    .map(move |w| (n, w))
            })
            .map(|(n, w)| {
                let role = if n % 5 == 0 { "builder" } else { "end-user" };
                let status = match n % 20 {
                    0 => "archived",
                    1 | 2 => "invited",
                    _ => "active",
                };
                format!(
                    "({}, {}, '{role}', '{status}', 'user{n:06}@example.com', 'user {n:06}', 0, 0)",
                    WORKSPACE_BASE + w,
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
    settle::settle(db).await;
}

fn all_users_benches(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let users = scale::instance_users(100_000);
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let database = runtime.block_on(TestDatabase::of(backend));
        let db = database.db.clone();
        runtime.block_on(seed(&db, users));
        let mut group = c.benchmark_group(format!(
            "All users, {} users on {backend:?}",
            scale::label(users)
        ));
        group.bench_function("counts", |b| {
            b.to_async(&runtime).iter(|| {
                let db = db.clone();
                async move {
                    let counts = counts(&db).await.expect("counts");
                    assert_eq!(counts.total_users as usize, users / 20 * 19);
                    counts
                }
            })
        });
        group.bench_function("first page with the counts", |b| {
            b.to_async(&runtime).iter(|| {
                let db = db.clone();
                async move {
                    let page = listing(&db, None, AccountFilter::All, PagePosition::First)
                        .await
                        .expect("a page");
                    assert_eq!(page.users.len(), 50);
                    page
                }
            })
        });
        group.finish();
        runtime.block_on(database.remove());
    }
}

criterion_group!(benches, all_users_benches);
criterion_main!(benches);
