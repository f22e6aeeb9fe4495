//! The audit log with 1,000,000 events, on SQLite and on PostgreSQL: a filtered page of
//! 50 for each kind of filter (target: at most 10 ms), and an export of every event as
//! CSV and NDJSON (target: at least 50,000 events a second, memory flat; the peak
//! resident set size is printed before and after).
//!
//! The events: 10 workspaces, 1,000 people acting on each other, one event every 30
//! seconds for about a year, actions of every category, one in six about a resource.

use app::audit::operations::{ExportFormat, ExportPosition, export_batch};
use app::audit::store::{EventQuery, page};
use app::audit::{Action, ActionChoice, Category, Cursor};
use app::db::testing::TestDatabase;
use app::db::{Backend, Db};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const EVENTS: i64 = 1_000_000;
const PEOPLE: i64 = 1_000;
const WORKSPACES: i64 = 10;
const BATCH: i64 = 1_000;
const START: i64 = 1_700_000_000;
const USER_BASE: i64 = 1_000_000;
const WORKSPACE_BASE: i64 = 1_000;

async fn seed(db: &Db) {
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
    let people = (0..PEOPLE)
        .map(|n| {
            format!(
                "({}, 'person{n:04}@example.com', 'Person {n:04}', 'active', 0, 0)",
                USER_BASE + n
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    sqlx::query(&format!(
        "INSERT INTO users (id, email, full_name, status, created_at, updated_at) VALUES {people}"
    ))
    .execute(db)
    .await
    .expect("people");
    let actions = Action::ALL;
    for start in (0..EVENTS).step_by(BATCH as usize) {
        let rows = (start..start + BATCH)
            .map(|n| {
                // Every action in every workspace: the workspace is `n % WORKSPACES`.
                let action = actions[(n / WORKSPACES * 7 % actions.len() as i64) as usize];
                let resource = if n % 6 == 0 {
                    format!("{}", n % 5_000)
                } else {
                    "NULL".to_string()
                };
                format!(
                    "({}, {}, {}, {}, '{}', 'Detail {n}', {resource}, '198.51.100.{}')",
                    START + n * 30,
                    USER_BASE + n % PEOPLE,
                    WORKSPACE_BASE + n % WORKSPACES,
                    USER_BASE + (n * 13 + 1) % PEOPLE,
                    action.key(),
                    n % 250
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        sqlx::query(&format!(
            "INSERT INTO audit_events (occurred_at, actor_user_id, workspace_id, target_user_id,
                 action, detail, resource_id, source_address)
             VALUES {rows}"
        ))
        .execute(db)
        .await
        .expect("events");
    }
    if Backend::of_pool(db) == Backend::Postgres {
        sqlx::query("VACUUM ANALYZE audit_events")
            .execute(db)
            .await
            .expect("vacuum");
    } else {
        sqlx::query("ANALYZE")
            .execute(db)
            .await
            .expect("statistics");
    }
}

/// The peak resident set size of this process so far, in MiB.
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmHWM:"))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kib| kib.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

fn audit_log_benches(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let database = runtime.block_on(TestDatabase::of(backend));
        let db = database.db.clone();
        runtime.block_on(seed(&db));
        let workspace = Some(WORKSPACE_BASE + 3);
        // Half-way down the log: a page deep in it costs what the first does.
        let middle = Some(Cursor {
            occurred_at: START + EVENTS / 2 * 30,
            id: EVENTS / 2,
        });
        let cases: Vec<(&str, EventQuery, Option<Cursor>)> = vec![
            (
                "workspace, newest",
                EventQuery {
                    workspace_id: workspace,
                    ..Default::default()
                },
                None,
            ),
            (
                "workspace, one category, deep page",
                EventQuery {
                    workspace_id: workspace,
                    action: Some(ActionChoice::Category(Category::Members)),
                    ..Default::default()
                },
                middle,
            ),
            (
                "workspace, one action",
                EventQuery {
                    workspace_id: workspace,
                    action: Some(ActionChoice::One(Action::MemberRoleChanged)),
                    ..Default::default()
                },
                None,
            ),
            (
                "workspace, actor",
                EventQuery {
                    workspace_id: workspace,
                    actor_email: Some("person0123@example.com".into()),
                    ..Default::default()
                },
                None,
            ),
            (
                "target and a month",
                EventQuery {
                    target_email: Some("person0456@example.com".into()),
                    since: Some(START + 86_400 * 120),
                    until: Some(START + 86_400 * 150),
                    ..Default::default()
                },
                None,
            ),
            (
                "resource",
                EventQuery {
                    resource_id: Some(1_234),
                    ..Default::default()
                },
                None,
            ),
            (
                "instance, a week long ago",
                EventQuery {
                    since: Some(START + 86_400 * 30),
                    until: Some(START + 86_400 * 37),
                    ..Default::default()
                },
                None,
            ),
        ];
        let mut group = c.benchmark_group(format!("Audit log, 1M events on {backend:?}"));
        for (name, query, older_than) in cases {
            group.bench_function(format!("page of 50: {name}"), |b| {
                b.to_async(&runtime).iter(|| {
                    let (db, query) = (db.clone(), query.clone());
                    async move {
                        let mut conn = db.acquire().await.expect("a connection");
                        let (events, _) = page(&mut conn, &query, older_than, 50)
                            .await
                            .expect("a page");
                        assert!(!events.is_empty(), "{name}");
                        events
                    }
                })
            });
        }
        group.finish();

        let mut group = c.benchmark_group(format!("Audit log export, 1M events on {backend:?}"));
        group.sample_size(10);
        group.throughput(Throughput::Elements(EVENTS as u64));
        let before = peak_rss_mib();
        for format in [ExportFormat::Csv, ExportFormat::Ndjson] {
            group.bench_function(format!("every event as {}", format.extension()), |b| {
                b.to_async(&runtime).iter(|| {
                    let db = db.clone();
                    async move {
                        let query = EventQuery::default();
                        let (mut position, mut bytes) = (Some(ExportPosition::Start), 0_usize);
                        while let Some(at) = position {
                            let (batch, next) = export_batch(&db, &query, format, at)
                                .await
                                .expect("a batch");
                            bytes += batch.len();
                            position = next;
                        }
                        bytes
                    }
                })
            });
        }
        group.finish();
        println!(
            "peak resident set size on {backend:?}: {before:.0} MiB before the exports, {:.0} MiB after",
            peak_rss_mib()
        );
        runtime.block_on(database.remove());
    }
}

criterion_group!(benches, audit_log_benches);
criterion_main!(benches);
