//! What a request pays to learn what its caller may do in a workspace, on SQLite and
//! PostgreSQL: a builder in 100 of the workspace's 1,000 custom groups (2–3 rules each,
//! about half choosing 5–10 of 4,000 resources), among 1,000 users; with
//! `GATEHOUSE_BENCH_USERS=1000000`, among 100,000 members (each other one in ten groups)
//! of an instance whose other 900,000 users are members of nine other workspaces.
//!
//! Cold: no server has computed their permissions since the last change, so their role
//! group and custom groups are read with every rule and chosen resource (one query) and
//! folded. Target: at most 1 ms. Warm: this server computed them at the workspace's
//! current permissions version, which the request read with the caller's standing (the
//! query that finds the workspace and the caller's membership in it, made for every
//! request anyway): what is left is finding the entry. Target: at most 50 µs.

#[path = "support/population.rs"]
mod population;
#[path = "support/scale.rs"]
mod scale;
#[path = "support/seeding.rs"]
mod seeding;
#[path = "support/settle.rs"]
mod settle;

use std::collections::BTreeSet;
use std::hint::black_box;
use std::time::Instant;

use app::access::{ActingAs, Credential, SignedInUser, WorkspaceActor, WorkspaceRef};
use app::db::testing::TestDatabase;
use app::db::{Backend, Db};
use app::groups::store::{seed_role_groups, subject_groups};
use app::permissions::{ResourceKind, Scope};
use app::resources::server::{caller, compute_permissions};
use app::state::AppState;
use criterion::{Criterion, criterion_group, criterion_main};
use seeding::{Lcg, insert_group_members, insert_rows};
use sqlx::AnyConnection;

/// Explicit ids, so each membership names its user without a lookup.
const ID_BASE: i64 = 1_000_000;
/// The permissions workspace: its users, groups, rules and resources get explicit ids
/// from these bases, so every row can name the others without a lookup.
const PERMISSION_USERS: i64 = 1_000;
/// The most members the measured workspace grows to with the instance.
const MOST_MEMBERS: usize = 100_000;
const CUSTOM_GROUPS: i64 = 1_000;
const GROUP_BASE: i64 = 1_000_000;
const RULE_BASE: i64 = 1_000_000;
const RESOURCE_BASE: i64 = 1_000_000;
/// Resources of each kind, in this order of ids: 4,000 in all.
const RESOURCE_KINDS: [(&str, i64); 4] = [
    ("folder", 100),
    ("app", 3_000),
    ("constant", 500),
    ("data_source", 400),
];
/// The measured builder is in one custom group of every ten, half of them with two rules
/// and half with three; the other users are in ten groups each.
const MEASURED_GROUPS: i64 = 100;
const GROUPS_PER_USER: i64 = 10;

/// The permissions workspace; returns its id and the measured builder's user id.
async fn seed_permissions(db: &Db, instance_users: usize) -> (i64, i64) {
    let mut rng = Lcg(0x6761_7465);
    let mut tx = db.begin().await.expect("a transaction");
    let workspace_id: i64 = sqlx::query_scalar(
        "INSERT INTO workspaces (name, slug, status, created_at)
         VALUES ('Permissions', 'permissions', 'active', 0) RETURNING id",
    )
    .fetch_one(&mut *tx)
    .await
    .expect("a workspace");
    seed_role_groups(&mut tx, workspace_id)
        .await
        .expect("role groups");

    let user_ids: Vec<i64> = (0..PERMISSION_USERS).map(|n| ID_BASE + n).collect();
    let measured = user_ids[0];
    let users: Vec<String> = user_ids
        .iter()
        .map(|id| format!("({id}, 'member{id}@example.com', 'Member {id}', 'active', 0, 0)"))
        .collect();
    insert_rows(
        &mut tx,
        "users (id, email, full_name, status, created_at, updated_at)",
        &users,
    )
    .await;
    let memberships: Vec<String> = user_ids
        .iter()
        .enumerate()
        .map(|(n, id)| {
            let role = match n % 10 {
                0..=2 => "builder",
                3 => "admin",
                _ => "end-user",
            };
            format!(
                "({workspace_id}, {id}, '{role}', 'active', 'member{id}@example.com',
                  'member {id}', 0, 0)"
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

    // Resources, each kind in its own range of ids; apps are spread over the folders.
    let mut ranges = Vec::new();
    let mut resources = Vec::new();
    let mut next_id = RESOURCE_BASE;
    for (kind, count) in RESOURCE_KINDS {
        ranges.push((kind, next_id, count));
        for n in 0..count {
            let id = next_id + n;
            let folder = if kind == "app" {
                (RESOURCE_BASE + n % RESOURCE_KINDS[0].1).to_string()
            } else {
                "NULL".into()
            };
            resources.push(format!(
                "({id}, {workspace_id}, '{kind}', '{kind} {n}', '{kind} {n}', {folder}, 0, 0)"
            ));
        }
        next_id += count;
    }
    insert_rows(
        &mut tx,
        "resources (id, workspace_id, kind, name, name_key, folder_id, created_at, updated_at)",
        &resources,
    )
    .await;

    // Custom groups of 2 or 3 rules; every other rule chooses 5 to 10 resources.
    let mut groups = Vec::new();
    let mut rules = Vec::new();
    let mut chosen = Vec::new();
    let mut rule_id = RULE_BASE;
    for g in 0..CUSTOM_GROUPS {
        let group_id = GROUP_BASE + g;
        let flags = if g % 5 == 0 { 1 } else { 0 };
        groups.push(format!(
            "({group_id}, {workspace_id}, 'Team {g:04}', 'team {g:04}', NULL, {flags}, 0)"
        ));
        for k in 0..2 + g % 2 {
            let (kind, first, count) = ranges[((g + k) % 4) as usize];
            let access = match (kind, (g + k) % 3 == 0) {
                ("data_source", true) => "configure",
                ("data_source", false) => "build_with",
                (_, true) => "edit",
                (_, false) => "view",
            };
            let all_resources = rule_id % 2;
            rules.push(format!(
                "({rule_id}, {group_id}, 'Rule {k}', 'rule {k}', '{kind}', '{access}', 0,
                  {all_resources}, 0)"
            ));
            if all_resources == 0 {
                let picked: BTreeSet<i64> = (0..5 + rng.below(6))
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

    let mut members = Vec::new();
    for &user_id in &user_ids {
        let their_groups: BTreeSet<i64> = if user_id == measured {
            (0..MEASURED_GROUPS)
                .map(|n| n * (CUSTOM_GROUPS / MEASURED_GROUPS) + n % 2)
                .collect()
        } else {
            (0..GROUPS_PER_USER)
                .map(|_| rng.below(CUSTOM_GROUPS))
                .collect()
        };
        members.extend(group_member_rows(workspace_id, user_id, their_groups));
    }
    insert_group_members(&mut tx, &members).await;
    tx.commit().await.expect("committed");
    let workspace_members = instance_users.clamp(PERMISSION_USERS as usize, MOST_MEMBERS);
    add_end_users(
        db,
        workspace_id,
        workspace_members - PERMISSION_USERS as usize,
        &mut rng,
    )
    .await;
    let first_elsewhere = ID_BASE as usize + workspace_members;
    population::populate_elsewhere(
        db,
        first_elsewhere,
        instance_users.saturating_sub(workspace_members),
    )
    .await;
    settle::settle(db).await;
    (workspace_id, measured)
}

/// `count` more End-users of the workspace after the first users, in ten custom groups
/// each, as the first users are.
async fn add_end_users(db: &Db, workspace_id: i64, count: usize, rng: &mut Lcg) {
    let first_id = (ID_BASE + PERMISSION_USERS) as usize;
    let person = |n: usize| {
        let id = first_id + n;
        (format!("member{id}@example.com"), format!("Member {id}"))
    };
    population::add_members(db, workspace_id, first_id, count, &person).await;
    for start in (0..count).step_by(1_000) {
        let mut members = Vec::new();
        for user_id in first_id + start..first_id + count.min(start + 1_000) {
            let their_groups: BTreeSet<i64> = (0..GROUPS_PER_USER)
                .map(|_| rng.below(CUSTOM_GROUPS))
                .collect();
            members.extend(group_member_rows(
                workspace_id,
                user_id as i64,
                their_groups,
            ));
        }
        let mut tx = db.begin().await.expect("a transaction");
        insert_group_members(&mut tx, &members).await;
        tx.commit().await.expect("committed");
    }
}

/// The `group_members` rows that put the user in each of the custom groups numbered.
fn group_member_rows(
    workspace_id: i64,
    user_id: i64,
    groups: BTreeSet<i64>,
) -> impl Iterator<Item = String> {
    groups
        .into_iter()
        .map(move |g| format!("({}, {workspace_id}, {user_id}, 0)", GROUP_BASE + g))
}

/// The measured builder acting in the workspace, with the permissions version read as
/// their standing would be.
async fn measured_actor(db: &Db, workspace_id: i64, user_id: i64) -> WorkspaceActor {
    let mut conn = db.acquire().await.expect("a connection");
    let version = app::access::permissions_version(&mut conn, workspace_id)
        .await
        .expect("a version");
    WorkspaceActor {
        user: SignedInUser {
            id: user_id,
            email: format!("member{user_id}@example.com"),
            full_name: format!("Member {user_id}"),
            is_super_admin: false,
        },
        workspace: WorkspaceRef {
            id: workspace_id,
            slug: "permissions".into(),
            name: "Permissions".into(),
        },
        role: app::memberships::Role::Builder,
        credential: Credential::Session,
        acting_as: ActingAs::Member,
        permissions_version: Some(version),
    }
}

async fn check_the_workspace(conn: &mut AnyConnection, workspace_id: i64, user_id: i64) {
    let (_, groups) = subject_groups(conn, workspace_id, user_id)
        .await
        .expect("the groups")
        .expect("a member");
    let custom = groups.iter().filter(|group| group.is_custom()).count();
    let rules: Vec<_> = groups.iter().flat_map(|group| &group.rules).collect();
    let chosen: usize = rules
        .iter()
        .map(|rule| match &rule.scope {
            Scope::All => 0,
            Scope::Only(ids) => ids.len(),
        })
        .sum();
    assert_eq!(custom as i64, MEASURED_GROUPS);
    assert_eq!(groups.len() as i64, MEASURED_GROUPS + 1);
    assert!(rules.len() >= 200 && chosen >= 500, "{} rules", rules.len());
}

fn request_permissions(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let users = scale::instance_users(PERMISSION_USERS as usize);
    let mut group = c.benchmark_group(format!(
        "a request's permissions among {} users",
        scale::label(users)
    ));
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let database = runtime.block_on(TestDatabase::of(backend));
        let state = AppState::for_tests(database.db.clone());
        let (workspace_id, user_id) = runtime.block_on(seed_permissions(&state.db, users));
        let actor = runtime.block_on(async {
            let mut conn = state.db.acquire().await.expect("a connection");
            check_the_workspace(&mut conn, workspace_id, user_id).await;
            measured_actor(&state.db, workspace_id, user_id).await
        });
        // One connection throughout, as a request holds one: the load, not the pool.
        group.bench_function(
            format!("cold, in 100 of 1,000 groups on {backend:?}"),
            |b| {
                b.to_async(&runtime).iter_custom(|iterations| {
                    let db = state.db.clone();
                    let actor = actor.clone();
                    async move {
                        let mut conn = db.acquire().await.expect("a connection");
                        let start = Instant::now();
                        for _ in 0..iterations {
                            black_box(
                                compute_permissions(&mut conn, &actor)
                                    .await
                                    .expect("permissions"),
                            );
                        }
                        start.elapsed()
                    }
                })
            },
        );
        let version = actor.permissions_version.expect("read with the standing");
        group.bench_function(
            format!("warm, in 100 of 1,000 groups on {backend:?}"),
            |b| {
                b.to_async(&runtime).iter_custom(|iterations| {
                    let state = state.clone();
                    let actor = actor.clone();
                    async move {
                        let mut conn = state.db.acquire().await.expect("a connection");
                        let start = Instant::now();
                        for _ in 0..iterations {
                            let found = caller(&state, &mut conn, actor.clone(), version)
                                .await
                                .expect("the caller");
                            black_box(found.permissions().can_create(ResourceKind::App));
                        }
                        start.elapsed()
                    }
                })
            },
        );
        runtime.block_on(database.remove());
    }
    group.finish();
}

criterion_group!(benches, request_permissions);
criterion_main!(benches);
