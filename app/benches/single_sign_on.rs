//! Single sign-on's callback and group sync, on SQLite and on PostgreSQL, through the
//! operations (the HTTP layer excluded). The provider is the test provider on this
//! machine: its token endpoint answers at once, so what is measured is Gatehouse's own
//! work: the pending sign-in taken, the code exchanged, the ID token's signature and
//! claims checked, the account found, the membership settled, groups synced and the
//! session started.
//!
//! Targets: handling the callback at most 5 ms; a sync of 200 IdP groups against 1,000
//! mapped groups at most 10 ms.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use app::db::testing::{TestDatabase, workspace_with_groups};
use app::db::{Backend, Db};
use app::memberships::Role;
use app::provisioning::BuilderLevelGroups;
use app::single_sign_on::operations::{CallbackQuery, begin_sign_in, complete_sign_in};
use app::single_sign_on::rules::ProviderSettings;
use app::single_sign_on::sync::{MappedTo, SyncInput, plan};
use app::single_sign_on::testing::{CLIENT_ID, Provider, signed};
use app::single_sign_on::{GroupMapping, GroupsSource, SyncMode, WorkspaceSsoSettings, store};
use app::state::AppState;
use criterion::{Criterion, criterion_group, criterion_main};

const MAPPED_GROUPS: usize = 1_000;
const IDP_GROUPS: usize = 200;

fn idp_group(n: usize) -> String {
    format!("idp-group-{n:04}")
}

/// A workspace with 1,000 custom groups, each mapped from one IdP group, that accepts
/// the test provider with full sync.
async fn seed(db: &Db, provider: &Provider, keys: &app::metadata::crypto::Keyring) {
    let names: Vec<String> = (0..MAPPED_GROUPS)
        .map(|n| format!("Group {n:04}"))
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let (admin, workspace, groups) = workspace_with_groups(db, &names).await;
    let mut tx = db.begin().await.expect("a transaction");
    let provider_id = store::insert_provider(
        &mut tx,
        keys,
        "test-idp",
        &ProviderSettings {
            display_name: "Test IdP".into(),
            issuer_url: provider.issuer.clone(),
            client_id: CLIENT_ID.into(),
            client_secret: None,
            scopes: vec!["openid".into(), "email".into()],
            email_claim: "email".into(),
            groups_claim: "groups".into(),
            groups_source: GroupsSource::IdToken,
            allowed_domains: vec![],
        },
        "secret",
    )
    .await
    .expect("a provider");
    let settings = WorkspaceSsoSettings {
        accepted_providers: vec![provider_id],
        require_sso: false,
        join_on_first_sign_in: true,
        default_role: Role::EndUser,
        sync_mode: SyncMode::Full,
        ignore_case: true,
        create_groups: false,
        builder_level_groups: BuilderLevelGroups::Refuse,
        mappings: groups
            .iter()
            .enumerate()
            .map(|(n, group_id)| GroupMapping {
                idp_group: idp_group(n),
                group_id: *group_id,
            })
            .collect(),
    };
    store::save_workspace_settings(&mut tx, workspace, admin, &settings)
        .await
        .expect("settings");
    tx.commit().await.expect("committed");
}

/// One sign-in through the provider, timing only the callback.
async fn callback(state: &AppState, provider: &Provider, groups: &[String]) -> Duration {
    let begun = begin_sign_in(state, "test-idp", None).await.expect("begun");
    let url = url::Url::parse(&begun.url).expect("a URL");
    let nonce = url
        .query_pairs()
        .find(|(key, _)| key == "nonce")
        .map(|(_, value)| value.into_owned())
        .expect("a nonce");
    let groups: Vec<&str> = groups.iter().map(String::as_str).collect();
    provider.answers().id_token = signed(
        0,
        "key-1",
        &provider.claims("grace", "grace@example.com", &nonce, &groups),
    );
    let query = CallbackQuery {
        code: Some("code".into()),
        state: Some(begun.state.clone()),
        error: None,
    };
    let started = Instant::now();
    complete_sign_in(state, "test-idp", query, Some(begun.state))
        .await
        .expect("signed in");
    started.elapsed()
}

fn benches(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let database = runtime.block_on(TestDatabase::of(backend));
        let state = AppState::for_tests(database.db.clone());
        let provider = runtime.block_on(Provider::start());
        runtime.block_on(seed(&state.db, &provider, &state.keys));
        let first: Vec<String> = (0..IDP_GROUPS).map(idp_group).collect();
        let second: Vec<String> = (IDP_GROUPS..2 * IDP_GROUPS).map(idp_group).collect();
        runtime.block_on(callback(&state, &provider, &first));

        let mut group = c.benchmark_group(format!("single sign-on ({backend:?})"));
        group.sample_size(20);
        group.bench_function("callback, groups unchanged (200 of 1,000 mapped)", |b| {
            b.iter_custom(|iterations| {
                (0..iterations)
                    .map(|_| runtime.block_on(callback(&state, &provider, &first)))
                    .sum()
            })
        });
        group.bench_function(
            "callback, full sync moving 200 groups out and 200 in",
            |b| {
                b.iter_custom(|iterations| {
                    (0..iterations)
                        .map(|n| {
                            let groups = if n % 2 == 0 { &second } else { &first };
                            runtime.block_on(callback(&state, &provider, groups))
                        })
                        .sum()
                })
            },
        );
        group.finish();
        runtime.block_on(database.remove());
    }

    let mappings: Vec<(String, MappedTo)> = (0..MAPPED_GROUPS)
        .map(|n| (idp_group(n), MappedTo::Group(n as i64)))
        .collect();
    let idp_groups: Vec<String> = (0..IDP_GROUPS).map(|n| idp_group(n * 5)).collect();
    let member_groups: BTreeSet<i64> = (0..IDP_GROUPS as i64).collect();
    c.bench_function(
        "sync plan: 200 IdP groups against 1,000 mapped groups",
        |b| {
            b.iter(|| {
                plan(&SyncInput {
                    idp_groups: &idp_groups,
                    mappings: &mappings,
                    member_groups: &member_groups,
                    member_role: Role::EndUser,
                    default_role: Role::EndUser,
                    mode: SyncMode::Full,
                    first_sign_in: false,
                    ignore_case: true,
                })
            })
        },
    );
}

criterion_group!(single_sign_on, benches);
criterion_main!(single_sign_on);
