//! One page of the member listing (50 rows, the total and the metadata counts, exactly
//! what the Users page asks for) in a workspace of 100,000 members, on SQLite and on
//! PostgreSQL; with `GATEHOUSE_BENCH_USERS=1000000`, in an instance whose other 900,000
//! users are members of nine other workspaces. Target: at most 5 ms of server time, with and without a search term,
//! including a search by a later word of the name that 500 members share.

#[path = "support/scale.rs"]
mod scale;

use app::db::testing::TestDatabase;
use app::db::{Backend, Db};
use app::users::members::{PAGE_SIZE, StatusFilter};
use app::users::store::{MemberFilter, PagePosition, index_name_words, listing};
use criterion::{Criterion, criterion_group, criterion_main};

const MEMBERS: usize = 100_000;
const BATCH: usize = 1_000;
/// Explicit ids, so each membership names its user without a lookup.
const ID_BASE: usize = 1_000_000;
const FIRST_NAMES: [&str; 20] = [
    "Ada", "Alan", "Barbara", "Claude", "Dennis", "Edsger", "Frances", "Grace", "Hedy", "Ivan",
    "Joan", "Ken", "Lynn", "Margaret", "Niklaus", "Olga", "Radia", "Shafi", "Tim", "Yukihiro",
];

/// A person of the measured workspace: the last word of the name is shared by every
/// 200th member, so a word search finds 500.
fn measured_person(n: usize) -> (String, String) {
    let name = format!(
        "{} Person{n:06} Family{:03}",
        FIRST_NAMES[n % FIRST_NAMES.len()],
        n % 200
    );
    (format!("person{n:06}@example.com"), name)
}

/// Someone of the instance's other workspaces, never found by the measured searches.
fn other_person(n: usize) -> (String, String) {
    let name = format!("{} Elsewhere{n:07}", FIRST_NAMES[n % FIRST_NAMES.len()]);
    (format!("elsewhere{n:07}@example.com"), name)
}

/// A workspace of `count` new users (ids from `first_id`), one in ten invited; returns
/// its id.
async fn seed_workspace(
    db: &Db,
    slug: &str,
    first_id: usize,
    count: usize,
    person: &dyn Fn(usize) -> (String, String),
) -> i64 {
    let workspace_id: i64 = sqlx::query_scalar(
        "INSERT INTO workspaces (name, slug, status, created_at) VALUES ($1, $1, 'active', 0)
         RETURNING id",
    )
    .bind(slug)
    .fetch_one(db)
    .await
    .expect("a workspace");
    for start in (0..count).step_by(BATCH) {
        let mut tx = db.begin().await.expect("a transaction");
        let people: Vec<(String, String)> = (start..start + BATCH).map(person).collect();
        let users = (0..BATCH)
            .map(|i| {
                format!(
                    "({}, ${}, ${}, 'active', 0, 0)",
                    first_id + start + i,
                    2 * i + 1,
                    2 * i + 2
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO users (id, email, full_name, status, created_at, updated_at) VALUES {users}"
        );
        let mut insert = sqlx::query(&sql);
        for (email, name) in &people {
            insert = insert.bind(email).bind(name);
        }
        insert.execute(&mut *tx).await.expect("users");
        let memberships = (0..BATCH)
            .map(|i| {
                let status = if i % 10 == 0 { "invited" } else { "active" };
                format!(
                    "({workspace_id}, {}, 'end-user', '{status}', ${}, ${}, 0, 0)",
                    first_id + start + i,
                    2 * i + 1,
                    2 * i + 2
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO memberships
                (workspace_id, user_id, role, status, email, name_key, created_at, updated_at)
             VALUES {memberships}"
        );
        let mut insert = sqlx::query(&sql);
        for (email, name) in &people {
            insert = insert.bind(email).bind(name.to_lowercase());
        }
        insert.execute(&mut *tx).await.expect("memberships");
        tx.commit().await.expect("committed");
    }
    let memberships: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM memberships WHERE workspace_id = $1")
            .bind(workspace_id)
            .fetch_all(db)
            .await
            .expect("memberships");
    let mut conn = db.acquire().await.expect("a connection");
    index_name_words(&mut conn, &memberships)
        .await
        .expect("the words of the names");
    workspace_id
}

/// The measured workspace of 100,000 members, and the rest of the instance's users in
/// workspaces of up to 100,000 each; returns the measured workspace's id.
async fn seed(db: &Db, users: usize) -> i64 {
    let workspace_id = seed_workspace(db, "big", ID_BASE, MEMBERS, &measured_person).await;
    let others = users.saturating_sub(MEMBERS);
    for (k, first) in (0..others).step_by(MEMBERS).enumerate() {
        let count = MEMBERS.min(others - first);
        let first_id = ID_BASE + MEMBERS + first;
        let person = |n| other_person(first + n);
        seed_workspace(db, &format!("other-{k}"), first_id, count, &person).await;
    }
    // PostgreSQL's autovacuum visits freshly loaded tables soon after; until it has, the
    // visibility map is empty, index-only scans read the heap, and the planner prices the
    // word search's index probes above a sequential scan (measured: 37 ms instead of 4).
    let statistics = match Backend::of_pool(db) {
        Backend::Sqlite => "ANALYZE",
        Backend::Postgres => "VACUUM ANALYZE",
    };
    sqlx::query(statistics)
        .execute(db)
        .await
        .expect("statistics");
    workspace_id
}

fn listing_benches(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let users = scale::instance_users(MEMBERS);
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let database = runtime.block_on(TestDatabase::of(backend));
        let db = database.db.clone();
        let workspace_id = runtime.block_on(seed(&db, users));
        let cases = [
            ("first page", None, StatusFilter::All, PagePosition::First),
            (
                "a page deep in the list",
                None,
                StatusFilter::All,
                PagePosition::After("person073000@example.com".into()),
            ),
            (
                "invited only",
                None,
                StatusFilter::Only(app::memberships::MembershipStatus::Invited),
                PagePosition::First,
            ),
            (
                "search by email",
                Some("person0421"),
                StatusFilter::All,
                PagePosition::First,
            ),
            (
                "search by name",
                Some("grace person01"),
                StatusFilter::All,
                PagePosition::First,
            ),
            (
                "search by a later word of the name (500 matches)",
                Some("family017"),
                StatusFilter::All,
                PagePosition::First,
            ),
        ];
        let mut group = c.benchmark_group(format!(
            "100k members of {} users on {backend:?}",
            scale::label(users)
        ));
        for (name, search, status, position) in cases {
            group.bench_function(name, |b| {
                b.to_async(&runtime).iter(|| {
                    let db = db.clone();
                    let position = position.clone();
                    async move {
                        let filter = MemberFilter {
                            search,
                            status,
                            group_id: None,
                        };
                        let page = listing(&db, workspace_id, filter, position, PAGE_SIZE, true)
                            .await
                            .expect("a page");
                        assert!(!page.members.is_empty());
                        page
                    }
                })
            });
        }
        group.finish();
        runtime.block_on(database.remove());
    }
}

criterion_group!(benches, listing_benches);
criterion_main!(benches);
