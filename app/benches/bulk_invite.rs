//! A bulk invite read, checked and committed: 500 rows (the file limit) and 10,000 rows
//! (the limit raised, to show the cost grows linearly), on SQLite and PostgreSQL.
//! Targets on SQLite: 500 rows in at most 300 ms, 10,000 in at most 3 s.
//!
//! Every row has a role; every other row joins a custom group and has two metadata keys.
//! Each iteration invites new addresses into a workspace that grows as it runs.

use std::hint::black_box;
use std::time::{Duration, Instant};

use app::db::testing::{TestDatabase, test_keyring, workspace_with_groups};
use app::db::{Backend, Db, begin_write};
use app::users::bulk_invite::store::{Inviter, import};
use criterion::{Criterion, criterion_group, criterion_main};

async fn workspace(db: &Db) -> Inviter {
    let (admin, workspace_id, _) =
        workspace_with_groups(db, &["Support", "Sales", "Finance"]).await;
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
    let mut group = c.benchmark_group("bulk invite");
    group.sample_size(10);
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let database = runtime.block_on(TestDatabase::of(backend));
        let db = database.db.clone();
        let inviter = runtime.block_on(workspace(&db));
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
