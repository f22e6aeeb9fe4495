//! A bulk invite read, checked and committed: 500 rows (the file limit) and 10,000 rows
//! (the limit raised, to show the cost grows linearly), on SQLite and PostgreSQL.
//! Targets on SQLite: 500 rows in at most 300 ms, 10,000 in at most 3 s.
//!
//! Every row has a role; every other row joins a custom group and has two metadata keys.
//! Each iteration invites new addresses into a workspace that grows as it runs, from 1,000
//! members, or with `GATEHOUSE_BENCH_USERS=1000000` from 100,000 in an instance whose
//! other 900,000 users are members of nine other workspaces.

#[path = "support/population.rs"]
mod population;
#[path = "support/scale.rs"]
mod scale;
#[path = "support/settle.rs"]
mod settle;

use std::hint::black_box;
use std::time::{Duration, Instant};

use app::db::testing::{TestDatabase, test_keyring, workspace_with_groups};
use app::db::{Backend, Db, begin_write};
use app::users::bulk_invite::store::{Inviter, import};
use criterion::{Criterion, criterion_group, criterion_main};

/// The members the workspace starts with: the instance's users, at most 100,000.
const USUAL_USERS: usize = 1_000;
const MOST_MEMBERS: usize = 100_000;
/// Ids of the seeded users: far above those the invitations take from the sequence.
const ID_BASE: usize = 10_000_000;

/// The workspace, with as many of the instance's `users` as members as it takes (the rest
/// in other workspaces).
async fn workspace(db: &Db, users: usize) -> Inviter {
    let (admin, workspace_id, _) =
        workspace_with_groups(db, &["Support", "Sales", "Finance"]).await;
    let members = users.min(MOST_MEMBERS);
    let person = |n: usize| {
        (
            format!("member{n:06}@example.com"),
            format!("Member {n:06}"),
        )
    };
    population::add_members(db, workspace_id, ID_BASE, members, &person).await;
    population::populate_elsewhere(db, ID_BASE + members, users - members).await;
    // Statistics of tables with rows in them, as autovacuum keeps them (it is off on this
    // machine's PostgreSQL). Planned against tables believed empty, the foreign key checks
    // of group members and metadata read far more than one index entry each: 44 s for
    // 10,000 rows on PostgreSQL instead of 3.
    settle::settle(db).await;
    Inviter {
        user_id: admin,
        workspace_id,
    }
}

/// A file of `rows` people whose addresses no earlier `batch` used.
fn file(batch: u64, rows: usize) -> Vec<u8> {
    let mut text = String::from("Full Name,Email,Role,Groups,Metadata\n");
    for n in 0..rows {
        let email = format!("person{n}.batch{batch}@example.com");
        if n % 2 == 0 {
            text.push_str(&format!(
                "Person {n},{email},End-user,Support,\"{{'department': 'Team {n}', 'region': 'EMEA'}}\"\n"
            ));
        } else {
            text.push_str(&format!("Person {n},{email},Builder,,\n"));
        }
    }
    text.into_bytes()
}

fn bulk_invite(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let keys = test_keyring();
    let users = scale::instance_users(USUAL_USERS);
    let mut group = c.benchmark_group(format!("bulk invite among {} users", scale::label(users)));
    group.sample_size(10);
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let database = runtime.block_on(TestDatabase::of(backend));
        let db = database.db.clone();
        let inviter = runtime.block_on(workspace(&db, users));
        let mut batch = 0;
        for rows in [500, 10_000] {
            group.bench_function(format!("{rows} rows on {backend:?}"), |b| {
                b.to_async(&runtime).iter_custom(|iterations| {
                    let db = db.clone();
                    let keys = &keys;
                    let files: Vec<Vec<u8>> = (0..iterations)
                        .map(|_| {
                            batch += 1;
                            file(batch, rows)
                        })
                        .collect();
                    async move {
                        let mut spent = Duration::ZERO;
                        for file in files {
                            let start = Instant::now();
                            let mut tx = begin_write(&db).await.expect("a transaction");
                            let imported = import(
                                &mut tx,
                                keys,
                                inviter,
                                &file,
                                rows,
                                Duration::from_secs(3600),
                                false,
                            )
                            .await
                            .expect("a valid file");
                            tx.commit().await.expect("committed");
                            spent += start.elapsed();
                            assert_eq!(black_box(imported.links).len(), rows);
                        }
                        spent
                    }
                })
            });
        }
        runtime.block_on(database.remove());
    }
    group.finish();
}

criterion_group!(benches, bulk_invite);
criterion_main!(benches);
