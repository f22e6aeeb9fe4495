//! Rendering an app body with 1,000 placeholders (paths into `globals`, metadata keys and
//! constants, with text between them) for one viewer. Target: at most 200 µs.

use std::collections::BTreeMap;
use std::hint::black_box;

use app::memberships::Role;
use app::rendering::{CurrentUser, Scope, globals, render_html};
use criterion::{Criterion, criterion_group, criterion_main};

fn scope() -> Scope {
    let metadata = (0..20)
        .map(|n| {
            (
                format!("key_{n}"),
                format!("value number {n} <with markup>"),
            )
        })
        .collect();
    let user = CurrentUser {
        email: "grace@example.com".into(),
        full_name: "Grace Hopper".into(),
        role: Role::Builder,
        groups: vec!["Builder".into(), "Engineering".into(), "Support".into()],
        metadata,
    };
    let constants = (0..20)
        .map(|n| (format!("CONSTANT_{n}"), format!("constant value {n}")))
        .collect::<BTreeMap<_, _>>();
    Scope {
        globals: globals(&user),
        constants,
    }
}

fn body() -> String {
    let placeholders = [
        "globals.currentUser.email",
        "globals.currentUser.firstName",
        "globals.currentUser.role",
        "globals.currentUser.groups",
        "globals.currentUser.metadata.key_7",
        "globals.currentUser.metadata[\"key_12\"]",
        "globals.currentUser.metadata.missing",
        "constants.CONSTANT_3",
    ];
    (0..1_000)
        .map(|n| {
            format!(
                "Field {n}: {{{{ {} }}}}\n",
                placeholders[n % placeholders.len()]
            )
        })
        .collect()
}

fn rendering(c: &mut Criterion) {
    let scope = scope();
    let body = body();
    assert_eq!(body.matches("{{").count(), 1_000);
    c.bench_function("render a body with 1,000 placeholders", |b| {
        b.iter(|| render_html(black_box(&body), black_box(&scope)))
    });
}

criterion_group!(benches, rendering);
criterion_main!(benches);
