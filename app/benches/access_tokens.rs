//! Authenticating a REST API request by its access token, on SQLite and on PostgreSQL:
//! the hash lookup with the owner's standing in the named workspace, the scope and role
//! check. Target: at most 50 µs, the network excluded.

use app::access::{Caller, Credential, Scope};
use app::access_tokens::NewToken;
use app::access_tokens::operations::{authenticate, create};
use app::auth::SignedInUser;
use app::db::Backend;
use app::db::testing::{TestDatabase, workspace_with_groups};
use app::memberships::Role;
use app::state::AppState;
use criterion::{Criterion, criterion_group, criterion_main};

fn token_benches(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let mut group = c.benchmark_group("token authentication");
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let database = runtime.block_on(TestDatabase::of(backend));
        let state = AppState::for_tests(database.db.clone());
        let (ada, _, _) = runtime.block_on(workspace_with_groups(&state.db, &[]));
        let caller = Caller {
            user: SignedInUser {
                id: ada,
                email: "ada@example.com".into(),
                full_name: "Ada".into(),
                is_super_admin: false,
            },
            credential: Credential::Session,
        };
        let request =
            NewToken::parse("bench", &["members:read".into()], Some(30)).expect("a request");
        let secret = runtime
            .block_on(create(&state, &caller, request))
            .expect("a token")
            .secret;
        // The floor: the cheapest round trip through the same pool.
        group.bench_function(format!("{backend:?}: SELECT 1, for comparison"), |b| {
            b.to_async(&runtime).iter(|| async {
                let one: i64 = sqlx::query_scalar("SELECT 1")
                    .fetch_one(&state.db)
                    .await
                    .expect("one");
                one
            })
        });
        group.bench_function(format!("{backend:?}"), |b| {
            b.to_async(&runtime).iter(|| async {
                let actor = authenticate(&state, &secret, Some("acme"), "127.0.0.1", |_| true)
                    .await
                    .expect("authenticated")
                    .in_workspace()
                    .expect("a member");
                actor
                    .authorise(Role::Admin, Scope::MembersRead)
                    .expect("allowed");
            })
        });
        runtime.block_on(database.remove());
    }
    group.finish();
}

criterion_group!(benches, token_benches);
criterion_main!(benches);
