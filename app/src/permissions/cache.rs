//! Computed permissions, kept by each server instance so that a request whose caller's
//! permissions haven't changed doesn't read and fold their groups again.
//!
//! Every entry remembers the workspace's permissions version it was computed at
//! (`permission_versions`, which database triggers bump in the same transaction as any
//! change to roles, memberships, groups, group members, flags, rules or their chosen
//! resources). A request reads the workspace's current version with the caller's standing
//! and takes an entry only if it was computed at that version or later: once a change has
//! committed, every instance's next request sees the new version and computes afresh, so
//! two instances on one database never disagree about a committed change.
//!
//! What the entries hold is only what `permissions_version` covers. Resources, and who
//! owns an app, are read with the resource on every request.

use std::sync::Arc;

use quick_cache::Weighter;
use quick_cache::sync::Cache;

use super::Permissions;
use crate::access::ActingAs;

/// A caller's computed permissions in one workspace, and the names of the groups they
/// were computed from (their role group first), which apps show them.
#[derive(Debug, PartialEq, Eq)]
pub struct CallerPermissions {
    pub permissions: Permissions,
    pub group_names: Vec<String>,
}

/// Whose permissions: a super admin acting as a workspace's admin has the Admin group's,
/// whatever their own membership holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CacheKey {
    pub workspace_id: i64,
    pub user_id: i64,
    pub acting_as: ActingAs,
}

#[derive(Clone)]
struct Entry {
    version: i64,
    computed: Arc<CallerPermissions>,
}

/// Entries cost what they hold: one unit each, and one per chosen resource and group.
#[derive(Clone)]
struct BySize;

impl Weighter<CacheKey, Entry> for BySize {
    fn weight(&self, _key: &CacheKey, entry: &Entry) -> u64 {
        let computed = &entry.computed;
        1 + computed.permissions.chosen_resources() as u64 + computed.group_names.len() as u64
    }
}

pub struct PermissionsCache {
    entries: Cache<CacheKey, Entry, BySize>,
}

impl PermissionsCache {
    /// About a million units: tens of megabytes however the weight is spread, enough for
    /// a hundred thousand members of a few groups each.
    pub const CAPACITY: u64 = 1_000_000;
    const EXPECTED_ENTRIES: usize = 100_000;

    pub fn new() -> PermissionsCache {
        PermissionsCache::with_capacity(PermissionsCache::CAPACITY)
    }

    pub fn with_capacity(capacity: u64) -> PermissionsCache {
        let expected = PermissionsCache::EXPECTED_ENTRIES.min(capacity as usize);
        PermissionsCache {
            entries: Cache::with_weighter(expected, capacity, BySize),
        }
    }

    /// The permissions computed for `key` at `version` or since, if this instance has
    /// them.
    pub fn get(&self, key: &CacheKey, version: i64) -> Option<Arc<CallerPermissions>> {
        self.entries
            .get(key)
            .filter(|entry| entry.version >= version)
            .map(|entry| entry.computed)
    }

    /// Keeps what was computed after reading `version`. A slower request may put back an
    /// older entry over a newer one; the next request at the newer version then computes
    /// again, never takes the older.
    pub fn put(&self, key: CacheKey, version: i64, computed: Arc<CallerPermissions>) {
        self.entries.insert(key, Entry { version, computed });
    }
}

impl Default for PermissionsCache {
    fn default() -> PermissionsCache {
        PermissionsCache::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memberships::Role;
    use crate::permissions::Subject;

    fn computed(role: Role, names: &[&str]) -> Arc<CallerPermissions> {
        Arc::new(CallerPermissions {
            permissions: Permissions::of(Subject {
                user_id: 7,
                role,
                groups: &[],
            }),
            group_names: names.iter().map(|name| name.to_string()).collect(),
        })
    }

    const ADA: CacheKey = CacheKey {
        workspace_id: 1,
        user_id: 7,
        acting_as: ActingAs::Member,
    };

    #[test]
    fn an_entry_serves_its_version_and_older_reads_never_newer() {
        let cache = PermissionsCache::new();
        cache.put(ADA, 5, computed(Role::Builder, &["Builder"]));
        assert!(
            cache.get(&ADA, 4).is_some(),
            "read before the entry was computed"
        );
        assert!(cache.get(&ADA, 5).is_some());
        assert!(cache.get(&ADA, 6).is_none(), "a change committed since");
    }

    #[test]
    fn a_newer_computation_replaces_the_entry() {
        let cache = PermissionsCache::new();
        cache.put(ADA, 5, computed(Role::Builder, &["Builder"]));
        cache.put(ADA, 6, computed(Role::EndUser, &["End-user"]));
        let now = cache.get(&ADA, 6).expect("the newer entry");
        assert_eq!(now.permissions.role(), Role::EndUser);
    }

    #[test]
    fn workspaces_people_and_standings_are_kept_apart() {
        let cache = PermissionsCache::new();
        cache.put(ADA, 1, computed(Role::Builder, &["Builder"]));
        let others = [
            CacheKey {
                workspace_id: 2,
                ..ADA
            },
            CacheKey { user_id: 8, ..ADA },
            CacheKey {
                acting_as: ActingAs::SuperAdmin,
                ..ADA
            },
        ];
        for key in others {
            assert!(cache.get(&key, 1).is_none(), "{key:?}");
        }
    }

    #[test]
    fn it_holds_no_more_than_its_capacity() {
        let cache = PermissionsCache::with_capacity(100);
        for user_id in 0..1_000 {
            let key = CacheKey { user_id, ..ADA };
            cache.put(key, 1, computed(Role::EndUser, &["End-user"]));
        }
        let kept = (0..1_000)
            .filter(|&user_id| cache.get(&CacheKey { user_id, ..ADA }, 1).is_some())
            .count();
        assert!(kept <= 100, "{kept} entries kept");
        assert!(kept > 0);
    }
}
