//! The effective-permission check for one user and one app, in a workspace of 10,000
//! users, 1,000 custom groups and 10,000 apps in 100 folders, against the `casbin` crate
//! given the same grants as an RBAC model with domains. Target: at least 5× faster than
//! casbin's `enforce`.
//!
//! The workspace is synthetic and deterministic (a small LCG). Builders hold no rules
//! through their role group here (its "all apps" rules are stripped), so whether they may
//! edit an app depends on their custom groups: chosen-app rules, folder rules and owning
//! the app. End users keep the seeded View on all apps and belong only to view-only
//! groups. Casbin gets the same grants: `g` puts users in groups within the workspace's
//! domain, `g2` puts apps in folders and folders in "all apps", one `p` per rule and
//! chosen resource (Edit implying View in the matcher), and one `p` per owned app. Its
//! matcher tests the cheap string comparisons before the role lookups, the fastest order
//! for it.
//!
//! Before timing, both sides must give the same answers on 200 (user, app, action)
//! triples and on the measured cases. Gatehouse is timed twice: computing the
//! user's permissions from their groups and then checking (what a request that loads the
//! groups pays), and checking on permissions computed beforehand. The run ends with the
//! casbin/Gatehouse ratios, from a short timing of its own.

use std::collections::{BTreeSet, HashSet};
use std::hint::black_box;
use std::time::{Duration, Instant};

use app::memberships::Role;
use app::permissions::{
    Access, Action, Group, GroupKind, Permissions, ResourceKind, ResourceRef, Rule, Scope, Subject,
    seeded_role_group,
};
use casbin::prelude::*;
use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};

const USERS: i64 = 10_000;
const GROUPS: i64 = 1_000;
const APPS: i64 = 10_000;
const FOLDERS: i64 = 100;
/// Apps a chosen-app rule lists (before duplicates drop out).
const APPS_PER_RULE: usize = 10;
/// Custom groups get ids from here on; role groups take 1 to 3.
const CUSTOM_GROUP_BASE: i64 = 100;
const TRIPLES_TO_COMPARE: usize = 200;

/// The workspace as casbin's domain.
const DOMAIN: &str = "workspace:1";
/// The object every folder is in, for rules on all apps.
const ALL_APPS: &str = "apps:all";

const CASBIN_MODEL: &str = r#"
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, dom, obj, act

[role_definition]
g = _, _, _
g2 = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.dom == p.dom && (r.act == p.act || r.act == "view" && p.act == "edit") && g2(r.obj, p.obj) && g(r.sub, p.sub, r.dom)
"#;

/// A linear congruential generator (Knuth's MMIX constants): enough to spread ids.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    /// A number in `0..n`.
    fn below(&mut self, n: i64) -> i64 {
        (self.next() % n as u64) as i64
    }

    /// A number in `low..=high`.
    fn between(&mut self, low: i64, high: i64) -> i64 {
        low + self.below(high - low + 1)
    }

    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: i64) -> bool {
        self.below(100) < percent
    }
}

struct User {
    id: i64,
    role: Role,
    /// Indices into `Workspace::custom_groups`.
    groups: Vec<usize>,
}

struct Workspace {
    /// Admin, Builder and End-user, in the order of `role_index`.
    role_groups: [Group; 3],
    custom_groups: Vec<Group>,
    /// User `id` is at `id - 1`.
    users: Vec<User>,
    /// App `id` is at `id - 1`.
    apps: Vec<ResourceRef>,
}

impl Workspace {
    fn user(&self, id: i64) -> &User {
        &self.users[(id - 1) as usize]
    }

    fn app(&self, id: i64) -> &ResourceRef {
        &self.apps[(id - 1) as usize]
    }

    /// What a request loads for the member: their role group, then their custom groups.
    fn groups_of(&self, user: &User) -> Vec<Group> {
        std::iter::once(&self.role_groups[role_index(user.role)])
            .chain(user.groups.iter().map(|&index| &self.custom_groups[index]))
            .cloned()
            .collect()
    }

    fn permissions_of(&self, user: &User) -> Permissions {
        Permissions::of(Subject {
            user_id: user.id,
            role: user.role,
            groups: &self.groups_of(user),
        })
    }
}

fn role_index(role: Role) -> usize {
    match role {
        Role::Admin => 0,
        Role::Builder => 1,
        Role::EndUser => 2,
    }
}

/// The seeded role groups, except that the Builder one lost its rules on all resources.
fn role_groups() -> [Group; 3] {
    [Role::Admin, Role::Builder, Role::EndUser].map(|role| {
        let (flags, drafts) = seeded_role_group(role);
        let rules = drafts
            .into_iter()
            .filter(|draft| role != Role::Builder || draft.scope != Scope::All)
            .zip(1..)
            .map(|(draft, n)| Rule {
                id: role_index(role) as i64 * 10 + n,
                name: draft.name,
                kind: draft.kind,
                access: draft.access,
                hide_from_dashboard: draft.hide_from_dashboard,
                scope: draft.scope,
            })
            .collect();
        Group {
            id: role_index(role) as i64 + 1,
            name: role.label().to_string(),
            kind: GroupKind::Role(role),
            flags,
            rules,
        }
    })
}

/// Even-numbered groups may grant Edit; odd-numbered ones only View, so end users can
/// join them.
fn custom_group(index: i64, editing: bool, rng: &mut Lcg, next_rule_id: &mut i64) -> Group {
    let mut rule = |kind, access, hide_from_dashboard, scope| {
        *next_rule_id += 1;
        Rule {
            id: *next_rule_id,
            name: format!("Rule {next_rule_id}"),
            kind,
            access,
            hide_from_dashboard,
            scope,
        }
    };
    let mut rules = Vec::new();
    for _ in 0..rng.between(1, 3) {
        let apps = (0..APPS_PER_RULE).map(|_| rng.between(1, APPS)).collect();
        let access = if editing && rng.chance(50) {
            Access::Edit
        } else {
            Access::View
        };
        let hidden = access == Access::View && rng.chance(25);
        rules.push(rule(ResourceKind::App, access, hidden, Scope::Only(apps)));
    }
    if rng.chance(30) {
        let folders = (0..rng.between(1, 2))
            .map(|_| rng.between(1, FOLDERS))
            .collect();
        let access = if editing && rng.chance(50) {
            Access::Edit
        } else {
            Access::View
        };
        rules.push(rule(
            ResourceKind::Folder,
            access,
            false,
            Scope::Only(folders),
        ));
    }
    Group {
        id: CUSTOM_GROUP_BASE + index,
        name: format!("Group {index}"),
        kind: GroupKind::Custom,
        flags: Default::default(),
        rules,
    }
}

/// 1% admins, 39% builders, 60% end users, each in 3 to 5 custom groups; apps in random
/// folders, owned by random builders.
fn workspace() -> Workspace {
    let mut rng = Lcg(2024);
    let mut next_rule_id = 1_000;
    let custom_groups: Vec<Group> = (0..GROUPS)
        .map(|index| custom_group(index, index % 2 == 0, &mut rng, &mut next_rule_id))
        .collect();
    let users: Vec<User> = (1..=USERS)
        .map(|id| {
            let role = match rng.below(100) {
                0 => Role::Admin,
                1..=39 => Role::Builder,
                _ => Role::EndUser,
            };
            let mut groups = Vec::new();
            for _ in 0..rng.between(3, 5) {
                let index = match role {
                    Role::EndUser => rng.below(GROUPS / 2) * 2 + 1,
                    _ => rng.below(GROUPS),
                } as usize;
                if !groups.contains(&index) {
                    groups.push(index);
                }
            }
            User { id, role, groups }
        })
        .collect();
    let builders: Vec<i64> = users
        .iter()
        .filter(|user| user.role == Role::Builder)
        .map(|user| user.id)
        .collect();
    let apps = (1..=APPS)
        .map(|id| ResourceRef {
            id,
            kind: ResourceKind::App,
            folder_id: Some(rng.between(1, FOLDERS)),
            owner_user_id: Some(builders[rng.below(builders.len() as i64) as usize]),
        })
        .collect();
    Workspace {
        role_groups: role_groups(),
        custom_groups,
        users,
        apps,
    }
}

fn user_name(id: i64) -> String {
    format!("user:{id}")
}

fn group_name(id: i64) -> String {
    format!("group:{id}")
}

fn app_name(id: i64) -> String {
    format!("app:{id}")
}

fn folder_name(id: i64) -> String {
    format!("folder:{id}")
}

fn action_name(action: Action) -> &'static str {
    match action {
        Action::View => "view",
        Action::Edit => "edit",
        other => unreachable!("no casbin policy for {other:?}"),
    }
}

/// One `p` per rule and resource it names; rules on all apps or all folders name
/// `ALL_APPS`.
fn group_policies(group: &Group) -> impl Iterator<Item = Vec<String>> + '_ {
    group.rules.iter().flat_map(move |rule| {
        let objects: Vec<String> = match (&rule.scope, rule.kind) {
            (Scope::All, ResourceKind::App | ResourceKind::Folder) => vec![ALL_APPS.to_string()],
            (Scope::Only(ids), ResourceKind::App) => ids.iter().map(|&id| app_name(id)).collect(),
            (Scope::Only(ids), ResourceKind::Folder) => {
                ids.iter().map(|&id| folder_name(id)).collect()
            }
            // Constants and data sources aren't part of this comparison.
            _ => Vec::new(),
        };
        let action = match rule.access {
            Access::Edit => "edit",
            _ => "view",
        };
        objects.into_iter().map(move |object| {
            vec![
                group_name(group.id),
                DOMAIN.to_string(),
                object,
                action.to_string(),
            ]
        })
    })
}

/// Casbin with the workspace's grants, memberships and folders, all in memory.
fn casbin_enforcer(workspace: &Workspace, runtime: &tokio::runtime::Runtime) -> Enforcer {
    let groups = workspace.role_groups.iter().chain(&workspace.custom_groups);
    let owners = workspace.apps.iter().filter_map(|app| {
        let owner = app.owner_user_id?;
        Some(vec![
            user_name(owner),
            DOMAIN.to_string(),
            app_name(app.id),
            "edit".to_string(),
        ])
    });
    // Casbin reads its policies in order and stops at the first that allows: keep the
    // order fixed (groups, then owners) so that every run measures the same work.
    let mut seen = HashSet::new();
    let policies: Vec<Vec<String>> = groups
        .flat_map(group_policies)
        .chain(owners)
        .filter(|policy| seen.insert(policy.clone()))
        .collect();
    let memberships: Vec<Vec<String>> = workspace
        .users
        .iter()
        .flat_map(|user| {
            let role_group = workspace.role_groups[role_index(user.role)].id;
            let custom = user
                .groups
                .iter()
                .map(|&index| workspace.custom_groups[index].id);
            std::iter::once(role_group)
                .chain(custom)
                .map(|group| vec![user_name(user.id), group_name(group), DOMAIN.to_string()])
        })
        .collect();
    let placements: Vec<Vec<String>> = workspace
        .apps
        .iter()
        .map(|app| {
            let folder = app.folder_id.expect("every app is in a folder");
            vec![app_name(app.id), folder_name(folder)]
        })
        .chain((1..=FOLDERS).map(|folder| vec![folder_name(folder), ALL_APPS.to_string()]))
        .collect();
    println!(
        "casbin: {} policies, {} memberships, {} app and folder placements",
        policies.len(),
        memberships.len(),
        placements.len()
    );
    runtime.block_on(async {
        let model = DefaultModel::from_str(CASBIN_MODEL)
            .await
            .expect("the casbin model");
        let mut enforcer = Enforcer::new(model, MemoryAdapter::default())
            .await
            .expect("an enforcer");
        assert!(enforcer.add_policies(policies).await.expect("policies"));
        assert!(
            enforcer
                .add_grouping_policies(memberships)
                .await
                .expect("memberships")
        );
        assert!(
            enforcer
                .add_named_grouping_policies("g2", placements)
                .await
                .expect("folders")
        );
        enforcer
    })
}

fn casbin_can(enforcer: &Enforcer, user: i64, app: i64, action: Action) -> bool {
    enforcer
        .enforce((user_name(user), DOMAIN, app_name(app), action_name(action)))
        .expect("casbin answers")
}

/// An app that one of the user's custom rules names, or one in a folder it names:
/// sampling near grants finds allowed and denied edits alike.
fn app_near_grants(workspace: &Workspace, user: &User, rng: &mut Lcg) -> Option<i64> {
    let &group = user
        .groups
        .get(rng.below(user.groups.len() as i64) as usize)?;
    let rules = &workspace.custom_groups[group].rules;
    let rule = rules.get(rng.below(rules.len() as i64) as usize)?;
    let Scope::Only(ids) = &rule.scope else {
        return None;
    };
    let id = *ids.iter().nth(rng.below(ids.len() as i64) as usize)?;
    match rule.kind {
        ResourceKind::App => Some(id),
        _ => workspace
            .apps
            .iter()
            .find(|app| app.folder_id == Some(id))
            .map(|app| app.id),
    }
}

/// Asserts that casbin and Gatehouse agree on random triples, half of them near the
/// user's grants (uniformly random apps are almost all plainly denied an edit).
fn assert_same_answers(workspace: &Workspace, enforcer: &Enforcer) {
    let mut rng = Lcg(42);
    let (mut allowed, mut denied) = (0, 0);
    for n in 0..TRIPLES_TO_COMPARE {
        let user = workspace.user(rng.between(1, USERS));
        let near = if n % 2 == 0 {
            app_near_grants(workspace, user, &mut rng)
        } else {
            None
        };
        let app = near.unwrap_or_else(|| rng.between(1, APPS));
        let action = if rng.chance(50) {
            Action::Edit
        } else {
            Action::View
        };
        let ours = workspace
            .permissions_of(user)
            .can(workspace.app(app), action);
        let theirs = casbin_can(enforcer, user.id, app, action);
        assert_eq!(
            ours, theirs,
            "user {} ({:?}), app {app}, {action:?}",
            user.id, user.role
        );
        if ours {
            allowed += 1;
        } else {
            denied += 1;
        }
    }
    assert!(
        allowed > TRIPLES_TO_COMPARE / 10 && denied > TRIPLES_TO_COMPARE / 10,
        "a comparison worth the name: {allowed} allowed, {denied} denied"
    );
    println!(
        "casbin and Gatehouse agree on {TRIPLES_TO_COMPARE} triples ({allowed} allowed, {denied} denied)"
    );
}

/// A measured check: one user, one app, Edit.
struct Case {
    name: &'static str,
    user: i64,
    app: i64,
    expected: bool,
}

/// The first builder with an app they may edit only through a chosen-app rule, one only
/// through a folder rule, and one they may not edit.
fn measured_cases(workspace: &Workspace) -> [Case; 3] {
    workspace
        .users
        .iter()
        .filter(|user| user.role == Role::Builder)
        .find_map(|user| {
            let groups: Vec<&Group> = user
                .groups
                .iter()
                .map(|&index| &workspace.custom_groups[index])
                .collect();
            let edited = |kind| -> BTreeSet<i64> {
                groups
                    .iter()
                    .flat_map(|group| &group.rules)
                    .filter(|rule| rule.kind == kind && rule.access == Access::Edit)
                    .flat_map(|rule| match &rule.scope {
                        Scope::Only(ids) => ids.clone(),
                        Scope::All => unreachable!("custom groups here choose"),
                    })
                    .collect()
            };
            let (apps, folders) = (edited(ResourceKind::App), edited(ResourceKind::Folder));
            let folder_of = |app: &ResourceRef| app.folder_id.expect("in a folder");
            let owned = |app: &ResourceRef| app.owner_user_id == Some(user.id);
            let pick = |test: &dyn Fn(&ResourceRef) -> bool| {
                workspace
                    .apps
                    .iter()
                    .find(|app| test(app))
                    .map(|app| app.id)
            };
            let via_app = pick(&|app| {
                apps.contains(&app.id) && !folders.contains(&folder_of(app)) && !owned(app)
            })?;
            let via_folder = pick(&|app| {
                folders.contains(&folder_of(app)) && !apps.contains(&app.id) && !owned(app)
            })?;
            let permissions = workspace.permissions_of(user);
            let denied = pick(&|app| !permissions.can(app, Action::Edit))?;
            Some(
                [
                    ("edit via a chosen-app rule", via_app, true),
                    ("edit via a folder rule", via_folder, true),
                    ("edit denied", denied, false),
                ]
                .map(|(name, app, expected)| Case {
                    name,
                    user: user.id,
                    app,
                    expected,
                }),
            )
        })
        .expect("a builder with all three cases")
}

/// Median time of one call, over `runs` timings of `batch` calls each.
fn median_per_call(runs: usize, batch: u32, mut call: impl FnMut() -> bool) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..batch {
                black_box(call());
            }
            start.elapsed() / batch
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn permission_benches(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let workspace = workspace();
    let enforcer = casbin_enforcer(&workspace, &runtime);
    assert_same_answers(&workspace, &enforcer);
    let cases = measured_cases(&workspace);

    let mut group = c.benchmark_group("effective permission check");
    // A casbin call takes milliseconds: flat sampling (as many calls in every sample) keeps
    // the run short.
    group.sampling_mode(SamplingMode::Flat);
    let mut ratios = Vec::new();
    for case in &cases {
        let user = workspace.user(case.user);
        let groups = workspace.groups_of(user);
        let subject = Subject {
            user_id: user.id,
            role: user.role,
            groups: &groups,
        };
        let app = *workspace.app(case.app);
        let permissions = Permissions::of(subject);
        let compute_and_check =
            || Permissions::of(black_box(subject)).can(black_box(&app), Action::Edit);
        let check = || black_box(&permissions).can(black_box(&app), Action::Edit);
        let enforce = || casbin_can(&enforcer, case.user, black_box(case.app), Action::Edit);
        assert_eq!(compute_and_check(), case.expected, "{}", case.name);
        assert_eq!(check(), case.expected, "{}", case.name);
        assert_eq!(enforce(), case.expected, "{}", case.name);

        group.bench_function(
            BenchmarkId::new("gatehouse: compute + check", case.name),
            |b| b.iter(compute_and_check),
        );
        group.bench_function(
            BenchmarkId::new("gatehouse: check (precomputed)", case.name),
            |b| b.iter(check),
        );
        group.bench_function(BenchmarkId::new("casbin: enforce", case.name), |b| {
            b.iter(enforce)
        });

        ratios.push((
            case.name,
            median_per_call(101, 1_000, compute_and_check),
            median_per_call(101, 10_000, check),
            median_per_call(21, 1, enforce),
        ));
    }
    group.finish();

    println!("\ncasbin / Gatehouse, median of a separate timing (target: at least 5×):");
    for (name, compute_and_check, check, enforce) in ratios {
        println!(
            "  {name}: casbin {enforce:?}; compute + check {compute_and_check:?} ({:.0}×); \
             check {check:?} ({:.0}×)",
            enforce.as_secs_f64() / compute_and_check.as_secs_f64(),
            enforce.as_secs_f64() / check.as_secs_f64(),
        );
    }
}

criterion_group!(benches, permission_benches);
criterion_main!(benches);
