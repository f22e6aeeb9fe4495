//! Any bytes as a bulk-invite file: reading and checking them never panics.

#![no_main]

use std::sync::LazyLock;

use app::users::bulk_invite::csv_file::{GroupFacts, Workspace, check, read};
use libfuzzer_sys::fuzz_target;

/// A workspace with a group of each kind and a member, so that every check has something
/// to find.
static WORKSPACE: LazyLock<Workspace> = LazyLock::new(|| {
    let mut workspace = Workspace::default();
    for (id, name, builder_level) in [(1, "Support", false), (2, "Engineering", true)] {
        workspace.groups.insert(
            name.to_lowercase(),
            GroupFacts {
                id,
                name: name.to_string(),
                builder_level,
            },
        );
    }
    workspace.members.insert("member@example.com".to_string());
    workspace
});

fuzz_target!(|data: &[u8]| {
    // A small row limit lets the fuzzer reach it.
    let _ = check(read(data, 20), &WORKSPACE);
});
