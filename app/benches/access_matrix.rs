//! The access matrix of a workspace of 1,000 members and 1,000 resources (50 folders,
//! 700 apps, 150 workspace constants, 100 data sources) with 20 custom groups of 2 to 4
//! rules each, half of them on chosen resources, on SQLite and on PostgreSQL, through the
//! operations (HTTP excluded).
//!
//! Target: at most 200 ms of server time for the whole matrix (all 1,000,000 cells' levels,
//! what the CSV export computes), and so far less for a page of 25 × 10 cells with their
//! reasons. Measured: a page (first, deep, filtered), the whole matrix's levels, and the
//! whole CSV export's bytes.

#[path = "support/seeding.rs"]
mod seeding;
#[path = "support/settle.rs"]
mod settle;

use std::collections::BTreeSet;
use std::time::Duration;

use app::access::{ActingAs, Credential, SignedInUser, WorkspaceActor, WorkspaceRef};
use app::access_matrix::MatrixFilter;
use app::access_matrix::operations::{matrix_page, prepare_export};
use app::access_matrix::store::MemberPosition;
use app::db::testing::TestDatabase;
use app::db::{Backend, Db};
use app::groups::store::seed_role_groups;
use app::memberships::Role;
use app::permissions::ResourceKind;
use app::state::AppState;
use criterion::{Criterion, criterion_group, criterion_main};
use seeding::{Lcg, insert_group_members, insert_rows};

const MEMBERS: i64 = 1_000;
const CUSTOM_GROUPS: i64 = 20;
/// Explicit ids, so every row can name the others without a lookup.
const USER_BASE: i64 = 1_000_000;
const GROUP_BASE: i64 = 1_000_000;
const RULE_BASE: i64 = 1_000_000;
const RESOURCE_BASE: i64 = 1_000_000;
/// Resources of each kind, in this order of ids: 1,000 in all.
const RESOURCE_KINDS: [(&str, i64); 4] = [
    ("folder", 50),
    ("app", 700),
    ("constant", 150),
    ("data_source", 100),
];

/// Member `n`'s role: 2% admins, 30% builders, the rest end-users.
fn role_of(n: i64) -> &'static str {
    match n % 50 {
        0 => "admin",
        1..=15 => "builder",
        _ => "end-user",
    }
}

/// The workspace; returns its id and its first admin's user id.
async fn seed(db: &Db) -> (i64, i64) {
    let mut rng = Lcg(0x6d61_7472);
    let mut tx = db.begin().await.expect("a transaction");
    let workspace_id: i64 = sqlx::query_scalar(
        "INSERT INTO workspaces (name, slug, status, created_at)
         VALUES ('Matrix', 'matrix', 'active', 0) RETURNING id",
    )
    .fetch_one(&mut *tx)
    .await
    .expect("a workspace");
    seed_role_groups(&mut tx, workspace_id)
        .await
        .expect("role groups");

    let users: Vec<String> = (0..MEMBERS)
        .map(|n| {
            let id = USER_BASE + n;
            format!("({id}, 'member{n:04}@example.com', 'Member {n:04}', 'active', 0, 0)")
        })
        .collect();
    insert_rows(
        &mut tx,
        "users (id, email, full_name, status, created_at, updated_at)",
        &users,
    )
    .await;
    let memberships: Vec<String> = (0..MEMBERS)
        .map(|n| {
            format!(
                "({workspace_id}, {}, '{}', 'active', 'member{n:04}@example.com',
                  'member {n:04}', 0, 0)",
                USER_BASE + n,
                role_of(n)
            )
        })
        .collect();
    insert_rows(
        &mut tx,
        "memberships (workspace_id, user_id, role, status, email, name_key, created_at,
                      updated_at)",
        &memberships,
    )
    .await;
    let builders: Vec<i64> = (0..MEMBERS)
        .filter(|n| role_of(*n) == "builder")
        .map(|n| USER_BASE + n)
        .collect();

    // Resources, each kind in its own range of ids. Two apps in three are in a folder,
    // one in five is owned by a builder.
    let mut ranges = Vec::new();
    let mut resources = Vec::new();
    let mut next_id = RESOURCE_BASE;
    for (kind, count) in RESOURCE_KINDS {
        ranges.push((kind, next_id, count));
        for n in 0..count {
            let id = next_id + n;
            let (folder, owner) = if kind == "app" {
                let folder = if n % 3 == 0 {
                    "NULL".to_string()
                } else {
                    (RESOURCE_BASE + n % RESOURCE_KINDS[0].1).to_string()
                };
                let owner = if n % 5 == 0 {
                    builders[(n as usize) % builders.len()].to_string()
                } else {
                    "NULL".to_string()
                };
                (folder, owner)
            } else {
                ("NULL".to_string(), "NULL".to_string())
            };
            resources.push(format!(
                "({id}, {workspace_id}, '{kind}', '{kind} {n:04}', '{kind} {n:04}', {folder},
                  {owner}, 0, 0)"
            ));
        }
        next_id += count;
    }
    insert_rows(
        &mut tx,
        "resources (id, workspace_id, kind, name, name_key, folder_id, owner_user_id,
                    created_at, updated_at)",
        &resources,
    )
    .await;

    // Custom groups of 2 to 4 rules, every other rule on 10 to 40 chosen resources.
    // Odd groups hold only View rules on apps, folders and constants, so end-users may
    // be in them.
    let mut groups = Vec::new();
    let mut rules = Vec::new();
    let mut chosen = Vec::new();
    let mut rule_id = RULE_BASE;
    for g in 0..CUSTOM_GROUPS {
        let group_id = GROUP_BASE + g;
        let view_only = g % 2 == 1;
        let flags = if view_only { 0 } else { 1 };
        groups.push(format!(
            "({group_id}, {workspace_id}, 'Team {g:02}', 'team {g:02}', NULL, {flags}, 0)"
        ));
        for k in 0..2 + g % 3 {
            let kinds = if view_only { 3 } else { 4 };
            let (kind, first, count) = ranges[((g + k) % kinds) as usize];
            let access = match (kind, view_only || (g + k) % 3 != 0) {
                ("data_source", true) => "build_with",
                ("data_source", false) => "configure",
                (_, true) => "view",
                (_, false) => "edit",
            };
            let all_resources = rule_id % 2;
            rules.push(format!(
                "({rule_id}, {group_id}, 'Rule {k}', 'rule {k}', '{kind}', '{access}', 0,
                  {all_resources}, 0)"
            ));
            if all_resources == 0 {
                let picked: BTreeSet<i64> = (0..10 + rng.below(31))
                    .map(|_| first + rng.below(count))
                    .collect();
                chosen.extend(
                    picked
                        .into_iter()
                        .map(|resource_id| format!("({rule_id}, {resource_id})")),
                );
            }
            rule_id += 1;
        }
    }
    insert_rows(
        &mut tx,
        "groups (id, workspace_id, name, name_key, role, flags, created_at)",
        &groups,
    )
    .await;
    insert_rows(
        &mut tx,
        "group_rules (id, group_id, name, name_key, kind, access, hide_from_dashboard,
                      all_resources, created_at)",
        &rules,
    )
    .await;
    insert_rows(
        &mut tx,
        "group_rule_resources (rule_id, resource_id)",
        &chosen,
    )
    .await;

    // Each member in up to three custom groups; end-users only in view-only ones.
    let mut members = Vec::new();
    for n in 0..MEMBERS {
        let end_user = role_of(n) == "end-user";
        let their_groups: BTreeSet<i64> = (0..rng.below(4))
            .map(|_| {
                let g = rng.below(CUSTOM_GROUPS);
                if end_user { g | 1 } else { g }
            })
            .collect();
        members.extend(
            their_groups
                .into_iter()
                .map(|g| format!("({}, {workspace_id}, {}, 0)", GROUP_BASE + g, USER_BASE + n)),
        );
    }
    insert_group_members(&mut tx, &members).await;
    tx.commit().await.expect("committed");
    settle::settle(db).await;
    (workspace_id, USER_BASE)
}

fn matrix_benches(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let mut group = c.benchmark_group("access matrix 1,000 × 1,000");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(10));
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let database = runtime.block_on(TestDatabase::of(backend));
        let state = AppState::for_tests(database.db.clone());
        let (workspace_id, admin) = runtime.block_on(seed(&state.db));
        let actor = WorkspaceActor {
            user: SignedInUser {
                id: admin,
                email: "member0000@example.com".into(),
                full_name: "Member 0000".into(),
                is_super_admin: false,
            },
            workspace: WorkspaceRef {
                id: workspace_id,
                slug: "matrix".into(),
                name: "Matrix".into(),
            },
            role: Role::Admin,
            credential: Credential::Session,
            acting_as: ActingAs::Member,
            permissions_version: None,
        };

        // What is measured, checked once first.
        let first = runtime
            .block_on(matrix_page(&state, &actor, MatrixFilter::default(), 0, 0))
            .expect("a page");
        assert_eq!((first.member_total, first.resource_total), (MEMBERS, 1_000));
        assert_eq!(first.cells.len(), 25);
        assert!(first.cells.iter().all(|row| row.len() == 10));
        let (cells, bytes) = runtime.block_on(async {
            let export = prepare_export(&state, &actor, MatrixFilter::default())
                .await
                .expect("an export");
            let mut position = Some(MemberPosition::Offset(0));
            let (mut cells, mut bytes) = (0, 0);
            while let Some(at) = position {
                let (rows, next) = export.rows(&at).await.expect("rows");
                cells += rows.iter().map(|row| row.levels.len()).sum::<usize>();
                let (csv, _) = export.batch(at).await.expect("a batch");
                bytes += csv.len();
                position = next;
            }
            (cells, bytes)
        });
        assert_eq!(cells, 1_000_000);
        println!("{backend:?}: the CSV export is {bytes} bytes");

        let filtered = MatrixFilter {
            group_id: Some(GROUP_BASE + 1),
            role: None,
            kind: Some(ResourceKind::App),
        };
        let pages = [
            ("a page: the first 25 × 10", MatrixFilter::default(), 0, 0),
            ("a page deep in both", MatrixFilter::default(), 500, 500),
            ("a page of one group's members on apps", filtered, 0, 0),
        ];
        for (name, filter, members_from, resources_from) in pages {
            group.bench_function(format!("{name} on {backend:?}"), |b| {
                b.to_async(&runtime).iter(|| async {
                    matrix_page(&state, &actor, filter, members_from, resources_from)
                        .await
                        .expect("a page")
                })
            });
        }
        group.bench_function(format!("the whole matrix's levels on {backend:?}"), |b| {
            b.to_async(&runtime).iter(|| async {
                let export = prepare_export(&state, &actor, MatrixFilter::default())
                    .await
                    .expect("an export");
                let mut position = Some(MemberPosition::Offset(0));
                let mut cells = 0;
                while let Some(at) = position {
                    let (rows, next) = export.rows(&at).await.expect("rows");
                    cells += rows.iter().map(|row| row.levels.len()).sum::<usize>();
                    position = next;
                }
                cells
            })
        });
        group.bench_function(format!("the whole CSV export on {backend:?}"), |b| {
            b.to_async(&runtime).iter(|| async {
                let export = prepare_export(&state, &actor, MatrixFilter::default())
                    .await
                    .expect("an export");
                let mut position = Some(MemberPosition::Offset(0));
                let mut bytes = 0;
                while let Some(at) = position {
                    let (csv, next) = export.batch(at).await.expect("a batch");
                    bytes += csv.len();
                    position = next;
                }
                bytes
            })
        });
        runtime.block_on(database.remove());
    }
    group.finish();
}

criterion_group!(benches, matrix_benches);
criterion_main!(benches);
