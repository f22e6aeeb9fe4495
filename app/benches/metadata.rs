//! Sealing and opening one member's metadata: 20 keys with realistic values.
//! Target: both together in at most 20 µs.

use std::hint::black_box;

use app::metadata::crypto::{Binding, Keyring, Sealed};
use criterion::{Criterion, criterion_group, criterion_main};

const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

fn metadata() -> Vec<(String, String)> {
    (0..20)
        .map(|n| {
            (
                format!("attribute_{n:02}"),
                format!("value number {n} for this member, e.g. eu-west-{n}"),
            )
        })
        .collect()
}

fn binding(key: &str) -> Binding<'_> {
    Binding {
        workspace_id: 42,
        user_id: 4_242,
        key,
    }
}

fn seal_all(keys: &Keyring, map: &[(String, String)]) -> Vec<Sealed> {
    let values: Vec<(Binding<'_>, &str)> = map
        .iter()
        .map(|(key, value)| (binding(key), value.as_str()))
        .collect();
    keys.seal_many(&values).expect("sealed")
}

fn open_all(keys: &Keyring, map: &[(String, String)], sealed: &[Sealed]) -> Vec<String> {
    map.iter()
        .zip(sealed)
        .map(|((key, _), sealed)| keys.open(binding(key), sealed).expect("opened"))
        .collect()
}

fn metadata_crypto(c: &mut Criterion) {
    let keys = Keyring::from_keys(&KEY.into(), &[]).expect("a valid key");
    let map = metadata();
    let sealed = seal_all(&keys, &map);
    c.bench_function("seal a 20-key metadata map", |b| {
        b.iter(|| seal_all(&keys, black_box(&map)))
    });
    c.bench_function("open a 20-key metadata map", |b| {
        b.iter(|| open_all(&keys, black_box(&map), black_box(&sealed)))
    });
    c.bench_function("seal and open a 20-key metadata map", |b| {
        b.iter(|| {
            let sealed = seal_all(&keys, black_box(&map));
            open_all(&keys, &map, &sealed)
        })
    });
}

criterion_group!(benches, metadata_crypto);
criterion_main!(benches);
