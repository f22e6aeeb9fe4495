//! One page of the member listing (50 rows, the total and the metadata counts, exactly
//! what the Users page asks for) in a workspace of 100,000 members, on SQLite and on
//! PostgreSQL; with `GATEHOUSE_BENCH_USERS=1000000`, in an instance whose other 900,000
//! users are members of nine other workspaces. Target: at most 5 ms of server time, with
//! and without a search term, including a search by a later word of the name that 500
//! members share.

#[path = "support/population.rs"]
mod population;
#[path = "support/scale.rs"]
mod scale;
#[path = "support/settle.rs"]
mod settle;

use app::db::testing::TestDatabase;
use app::db::{Backend, Db};
use app::users::members::{PAGE_SIZE, StatusFilter};
use app::users::store::{MemberFilter, PagePosition, listing};
use criterion::{Criterion, criterion_group, criterion_main};

const MEMBERS: usize = 100_000;
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

/// The measured workspace of 100,000 members, and the rest of the instance's users in
/// workspaces of up to 100,000 each; returns the measured workspace's id.
async fn seed(db: &Db, users: usize) -> i64 {
    let workspace_id = population::create_workspace(db, "big").await;
    population::add_members(db, workspace_id, ID_BASE, MEMBERS, &measured_person).await;
    population::populate_elsewhere(db, ID_BASE + MEMBERS, users.saturating_sub(MEMBERS)).await;
    settle::settle(db).await;
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
