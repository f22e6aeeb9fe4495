//! User metadata: key → string pairs per membership, which apps read through
//! `globals.currentUser.metadata`. Values are encrypted at rest ([`crypto`]) and never
//! sent to an admin's browser: admins see keys, and replace a value only by typing a new
//! one.

#[cfg(feature = "ssr")]
pub mod crypto;
#[cfg(feature = "ssr")]
pub mod store;

mod editor;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::error::AppError;

pub use editor::{MetadataEditor, MetadataRow, edits_of};

pub const VALUE_MAX_CHARS: usize = 2_000;
/// Over all keys and values of one member.
pub const TOTAL_MAX_CHARS: usize = 200_000;
pub const KEY_MAX_CHARS: usize = 100;

/// One metadata row as an admin submits it. `value: None` keeps the stored value of an
/// existing key, which the admin never saw; a key that isn't submitted is removed. A
/// saved row whose key was changed names the key it had (`renamed_from`), so that its
/// value moves to the new key unseen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetadataEdit {
    pub key: String,
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
}

/// The edits a partial change makes: keys it names are set (a value) or removed (none);
/// every other stored key stays as it is.
pub fn edits_of_patch(
    stored: &BTreeMap<String, String>,
    patch: &BTreeMap<String, Option<String>>,
) -> Vec<MetadataEdit> {
    let named = |key: &str| patch.keys().any(|named| named.trim() == key);
    stored
        .keys()
        .filter(|key| !named(key))
        .map(|key| MetadataEdit {
            key: key.clone(),
            value: None,
            renamed_from: None,
        })
        .chain(patch.iter().filter_map(|(key, value)| {
            value.as_ref().map(|value| MetadataEdit {
                key: key.clone(),
                value: Some(value.clone()),
                renamed_from: None,
            })
        }))
        .collect()
}

/// A metadata key is named and fits.
pub fn check_key(key: &str) -> Result<(), AppError> {
    if key.is_empty() {
        return Err(AppError::MetadataKeyRequired);
    }
    if key.chars().count() > KEY_MAX_CHARS {
        return Err(AppError::MetadataKeyTooLong { max: KEY_MAX_CHARS });
    }
    Ok(())
}

/// The metadata a member ends up with once `edits` are applied to what is stored.
/// Checks every rule before anything is written.
pub fn apply_edits(
    stored: &BTreeMap<String, String>,
    edits: &[MetadataEdit],
) -> Result<BTreeMap<String, String>, AppError> {
    let mut result = BTreeMap::new();
    for edit in edits {
        let key = edit.key.trim();
        check_key(key)?;
        let stored_key = edit.renamed_from.as_deref().map_or(key, str::trim);
        let value = match &edit.value {
            Some(value) => value.clone(),
            None => stored
                .get(stored_key)
                .cloned()
                .ok_or_else(|| AppError::MetadataValueRequired { key: key.into() })?,
        };
        if value.chars().count() > VALUE_MAX_CHARS {
            return Err(AppError::MetadataValueTooLong {
                key: key.into(),
                max: VALUE_MAX_CHARS,
            });
        }
        if result.insert(key.to_string(), value).is_some() {
            return Err(AppError::DuplicateMetadataKey { key: key.into() });
        }
    }
    let total: usize = result
        .iter()
        .map(|(key, value)| key.chars().count() + value.chars().count())
        .sum();
    if total > TOTAL_MAX_CHARS {
        return Err(AppError::MetadataTooLarge {
            max: TOTAL_MAX_CHARS,
        });
    }
    Ok(result)
}

/// What changes between two versions of a member's metadata, for the audit trail: key
/// names only, never values.
pub fn changed_keys(
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
) -> BTreeSet<String> {
    before
        .keys()
        .chain(after.keys())
        .filter(|key| before.get(*key) != after.get(*key))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(key: &str, value: Option<&str>) -> MetadataEdit {
        MetadataEdit {
            key: key.into(),
            value: value.map(String::from),
            renamed_from: None,
        }
    }

    fn rename(from: &str, to: &str, value: Option<&str>) -> MetadataEdit {
        MetadataEdit {
            renamed_from: Some(from.into()),
            ..edit(to, value)
        }
    }

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect()
    }

    #[test]
    fn new_values_replace_and_missing_keys_are_removed() {
        let stored = map(&[("region", "eu"), ("tier", "gold"), ("team", "ops")]);
        let result = apply_edits(
            &stored,
            &[edit("region", None), edit("tier", Some("silver"))],
        )
        .unwrap();
        assert_eq!(result, map(&[("region", "eu"), ("tier", "silver")]));
    }

    #[test]
    fn a_patch_sets_and_removes_the_keys_it_names_and_keeps_the_rest() {
        let stored = map(&[("region", "eu"), ("tier", "gold"), ("team", "ops")]);
        let patch: BTreeMap<String, Option<String>> = [
            ("tier".to_string(), Some("silver".to_string())),
            ("team".to_string(), None),
            ("title".to_string(), Some("Engineer".to_string())),
            ("absent".to_string(), None),
        ]
        .into();
        let result = apply_edits(&stored, &edits_of_patch(&stored, &patch)).unwrap();
        assert_eq!(
            result,
            map(&[("region", "eu"), ("tier", "silver"), ("title", "Engineer")])
        );
    }

    #[test]
    fn keys_are_trimmed_required_and_unique() {
        let stored = BTreeMap::new();
        assert_eq!(
            apply_edits(&stored, &[edit("  ", Some("x"))]),
            Err(AppError::MetadataKeyRequired)
        );
        assert_eq!(
            apply_edits(&stored, &[edit("a", Some("1")), edit(" a ", Some("2"))]),
            Err(AppError::DuplicateMetadataKey { key: "a".into() })
        );
        assert_eq!(
            apply_edits(&stored, &[edit(" a ", Some(""))]),
            Ok(map(&[("a", "")]))
        );
    }

    #[test]
    fn a_renamed_key_keeps_its_value_unless_given_a_new_one() {
        let stored = map(&[("dept", "Sales"), ("tier", "gold"), ("team", "ops")]);
        let result = apply_edits(
            &stored,
            &[
                rename("dept", " department ", None),
                rename("tier", "level", Some("platinum")),
                edit("team", None),
            ],
        );
        assert_eq!(
            result,
            Ok(map(&[
                ("department", "Sales"),
                ("level", "platinum"),
                ("team", "ops")
            ]))
        );
        let swapped = apply_edits(
            &stored,
            &[rename("dept", "team", None), rename("team", "dept", None)],
        );
        assert_eq!(swapped, Ok(map(&[("dept", "ops"), ("team", "Sales")])));
        assert_eq!(
            apply_edits(&stored, &[rename("dept", "team", None), edit("team", None)]),
            Err(AppError::DuplicateMetadataKey { key: "team".into() })
        );
        assert_eq!(
            apply_edits(&stored, &[rename("gone", "back", None)]),
            Err(AppError::MetadataValueRequired { key: "back".into() })
        );
    }

    #[test]
    fn keeping_a_value_needs_one_to_keep() {
        assert_eq!(
            apply_edits(&BTreeMap::new(), &[edit("new", None)]),
            Err(AppError::MetadataValueRequired { key: "new".into() })
        );
    }

    #[test]
    fn values_and_totals_are_bounded_in_characters() {
        let stored = BTreeMap::new();
        let at_limit = "é".repeat(VALUE_MAX_CHARS);
        assert!(apply_edits(&stored, &[edit("k", Some(&at_limit))]).is_ok());
        let over = "x".repeat(VALUE_MAX_CHARS + 1);
        assert_eq!(
            apply_edits(&stored, &[edit("k", Some(&over))]),
            Err(AppError::MetadataValueTooLong {
                key: "k".into(),
                max: 2_000
            })
        );
        let many: Vec<MetadataEdit> = (0..101)
            .map(|i| edit(&format!("key{i:03}"), Some(&"v".repeat(1_990))))
            .collect();
        assert_eq!(
            apply_edits(&stored, &many),
            Err(AppError::MetadataTooLarge { max: 200_000 })
        );
        assert_eq!(
            apply_edits(&stored, &[edit(&"k".repeat(101), Some("v"))]),
            Err(AppError::MetadataKeyTooLong { max: 100 })
        );
    }

    #[test]
    fn changed_keys_lists_added_removed_and_altered_keys() {
        let before = map(&[("a", "1"), ("b", "2"), ("c", "3")]);
        let after = map(&[("a", "1"), ("b", "20"), ("d", "4")]);
        let changed: Vec<String> = changed_keys(&before, &after).into_iter().collect();
        assert_eq!(changed, ["b", "c", "d"]);
    }
}
