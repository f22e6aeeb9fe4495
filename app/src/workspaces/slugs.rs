//! Choosing a workspace's URL slug. Only the server does this, which keeps the `slug`
//! crate's transliteration tables out of the browser bundle.

use std::collections::HashSet;

use super::RESERVED_SLUGS;

const SLUG_BASE_MAX_CHARS: usize = 40;
const SLUG_SUFFIXES_TRIED: usize = 100;

/// The slug a name asks for: lower-case ASCII words joined by hyphens.
pub fn slug_base(name: &str) -> String {
    let slug = slug::slugify(name);
    let mut base: String = slug.chars().take(SLUG_BASE_MAX_CHARS).collect();
    while base.ends_with('-') {
        base.pop();
    }
    if base.is_empty() {
        "workspace".to_string()
    } else {
        base
    }
}

/// The first free slug for `name`: its base, else the base with `-2`, `-3`, …
pub fn choose_slug(name: &str, taken: &HashSet<String>) -> Option<String> {
    let base = slug_base(name);
    std::iter::once(base.clone())
        .chain((2..=SLUG_SUFFIXES_TRIED).map(|n| format!("{base}-{n}")))
        .find(|slug| !taken.contains(slug) && !RESERVED_SLUGS.contains(&slug.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taken(slugs: &[&str]) -> HashSet<String> {
        slugs.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn slugs_are_lower_case_words_joined_by_hyphens() {
        assert_eq!(slug_base("TechCorp Engineering"), "techcorp-engineering");
        assert_eq!(slug_base("  Ünïcödé  & Co. "), "unicode-co");
        assert_eq!(slug_base("!!!"), "workspace");
    }

    #[test]
    fn long_names_give_bounded_slugs_without_a_trailing_hyphen() {
        let slug = slug_base(&format!("{} b", "a".repeat(39)));
        assert_eq!(slug, "a".repeat(39));
    }

    #[test]
    fn a_taken_slug_gets_the_next_free_number() {
        assert_eq!(choose_slug("Acme", &taken(&[])), Some("acme".into()));
        assert_eq!(
            choose_slug("Acme", &taken(&["acme"])),
            Some("acme-2".into())
        );
        assert_eq!(
            choose_slug("Acme", &taken(&["acme", "acme-2"])),
            Some("acme-3".into())
        );
    }

    #[test]
    fn reserved_paths_are_never_chosen() {
        assert_eq!(
            choose_slug("Settings", &taken(&[])),
            Some("settings-2".into())
        );
        assert_eq!(
            choose_slug("Sign in", &taken(&[])),
            Some("sign-in-2".into())
        );
    }

    #[test]
    fn running_out_of_numbers_is_reported_not_looped() {
        let mut all = taken(&["acme"]);
        all.extend((2..=100).map(|n| format!("acme-{n}")));
        assert_eq!(choose_slug("Acme", &all), None);
    }
}
