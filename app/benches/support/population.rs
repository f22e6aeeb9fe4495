//! The people of an instance: members added to a workspace in batches, and the users of
//! the instance's other workspaces, which a benchmark of one workspace must find its way
//! past (`GATEHOUSE_BENCH_USERS`).

use app::db::Db;
use app::users::store::index_name_words;

/// Members a workspace of the rest of the instance holds, as the measured ones do.
const WORKSPACE_SIZE: usize = 100_000;
/// Rows a transaction: PostgreSQL's member counters are rows that every insert updates,
/// and one transaction of 100,000 makes each update walk all the versions before it.
const BATCH: usize = 1_000;

pub async fn create_workspace(db: &Db, slug: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO workspaces (name, slug, status, created_at) VALUES ($1, $1, 'active', 0)
         RETURNING id",
    )
    .bind(slug)
    .fetch_one(db)
    .await
    .expect("a workspace")
}

/// `count` new users with ids from `first_id`, the n-th of them `person(n)` (email, full
/// name), as End-users of the workspace, one in ten invited, the words of their names
/// indexed for search.
pub async fn add_members(
    db: &Db,
    workspace_id: i64,
    first_id: usize,
    count: usize,
    person: &dyn Fn(usize) -> (String, String),
) {
    for start in (0..count).step_by(BATCH) {
        let batch = BATCH.min(count - start);
        let people: Vec<(String, String)> = (start..start + batch).map(person).collect();
        let mut tx = db.begin().await.expect("a transaction");
        let users = tuples(batch, |i, texts| {
            format!("({}, {texts}, 'active', 0, 0)", first_id + start + i)
        });
        let sql = format!(
            "INSERT INTO users (id, email, full_name, status, created_at, updated_at) VALUES {users}"
        );
        let mut insert = sqlx::query(&sql);
        for (email, name) in &people {
            insert = insert.bind(email).bind(name);
        }
        insert.execute(&mut *tx).await.expect("users");
        let memberships = tuples(batch, |i, texts| {
            let status = if i % 10 == 0 { "invited" } else { "active" };
            format!(
                "({workspace_id}, {}, 'end-user', '{status}', {texts}, 0, 0)",
                first_id + start + i
            )
        });
        let sql = format!(
            "INSERT INTO memberships
                (workspace_id, user_id, role, status, email, name_key, created_at, updated_at)
             VALUES {memberships}
             RETURNING id"
        );
        let mut insert = sqlx::query_scalar(&sql);
        for (email, name) in &people {
            insert = insert.bind(email).bind(name.to_lowercase());
        }
        let membership_ids: Vec<i64> = insert.fetch_all(&mut *tx).await.expect("memberships");
        index_name_words(&mut tx, &membership_ids)
            .await
            .expect("the words of the names");
        tx.commit().await.expect("committed");
    }
}

/// The VALUES of `batch` rows, the i-th written by `row(i, texts)`, where `texts` holds the
/// placeholders of that row's two bound texts (email, then name).
fn tuples(batch: usize, row: impl Fn(usize, &str) -> String) -> String {
    (0..batch)
        .map(|i| row(i, &format!("${}, ${}", 2 * i + 1, 2 * i + 2)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `users` people, ids from `first_id`, in workspaces `other-0`, `other-1`, … of up to
/// 100,000 members each. No measured search finds them.
pub async fn populate_elsewhere(db: &Db, first_id: usize, users: usize) {
    let person = |n: usize| {
        (
            format!("elsewhere{n:07}@example.com"),
            format!("Someone Elsewhere{n:07}"),
        )
    };
    for (k, first) in (0..users).step_by(WORKSPACE_SIZE).enumerate() {
        let workspace_id = create_workspace(db, &format!("other-{k}")).await;
        let count = WORKSPACE_SIZE.min(users - first);
        let person = |n| person(first + n);
        add_members(db, workspace_id, first_id + first, count, &person).await;
    }
}
