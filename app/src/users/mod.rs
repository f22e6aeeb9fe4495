//! Users: instance-wide identities, addressed by a lower-case email.
//!
//! The rules here are pure so that the browser can show the same messages the server
//! enforces.

#[cfg(feature = "ssr")]
pub mod operations;
#[cfg(feature = "ssr")]
pub mod store;

mod add_users;
pub mod bulk_invite;
mod edit_user;
mod effective_permissions;
pub(crate) mod group_picker;
pub mod members;
mod profile;
mod role_select;
mod users_page;

use crate::error::AppError;

pub(crate) use edit_user::ConsequenceList;
pub use profile::ProfilePage;
pub use users_page::UsersPage;

pub const FULL_NAME_MAX_CHARS: usize = 100;
pub const PASSWORD_MIN_CHARS: usize = 8;
/// Long enough for any passphrase, short enough that hashing it can't be used to tie up
/// the server.
pub const PASSWORD_MAX_CHARS: usize = 128;

/// Trims and lower-cases an email address, and refuses anything that isn't one.
pub fn normalise_email(input: &str) -> Result<String, AppError> {
    let email = input.trim().to_lowercase();
    if email_address::EmailAddress::is_valid(&email) && email.contains('.') {
        Ok(email)
    } else {
        Err(AppError::InvalidEmail)
    }
}

/// Refuses text with control characters: they have no place in a name, and some (bidi
/// overrides aside, which are format characters) make it print as something else.
pub fn refuse_control_characters(text: &str) -> Result<(), AppError> {
    if text.chars().any(char::is_control) {
        Err(AppError::NameHasControlCharacters)
    } else {
        Ok(())
    }
}

pub fn normalise_full_name(input: &str) -> Result<String, AppError> {
    let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
    refuse_control_characters(&name)?;
    if name.is_empty() {
        Err(AppError::FullNameRequired)
    } else if name.chars().count() > FULL_NAME_MAX_CHARS {
        Err(AppError::FullNameTooLong {
            max: FULL_NAME_MAX_CHARS,
        })
    } else if !is_plain_name(&name) {
        Err(AppError::NameNotPlain)
    } else {
        Ok(name)
    }
}

/// The name an invitation gives someone: the one entered, or when none was, one read
/// from their email address, which they replace with their own when they accept.
pub fn name_for_invitation(full_name: &str, email: &str) -> Result<String, AppError> {
    if full_name.trim().is_empty() {
        Ok(name_from_email(email))
    } else {
        normalise_full_name(full_name)
    }
}

/// A name read from an email address: the words of its local part, capitalised
/// ("ada.lovelace@example.com" is "Ada Lovelace"). Only letters and digits make words,
/// so the result is always a plain name.
pub fn name_from_email(email: &str) -> String {
    let local = email.split('@').next().unwrap_or_default();
    let name = local
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut letters = word.chars();
            letters
                .next()
                .map(|first| first.to_uppercase().chain(letters).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ");
    let name: String = name.chars().take(FULL_NAME_MAX_CHARS).collect();
    match name.trim() {
        "" => "New user".to_string(),
        trimmed => trimmed.to_string(),
    }
}

/// Whether a name is just a name: no web address, email address or domain name. Names
/// appear in mail and on other people's screens, where a link or a domain in someone's
/// name would borrow Gatehouse's voice ("Ada from it-support.example asks you to…").
/// Initials ("J. R. R. Tolkien") stay names; "example.com" is a domain however it's
/// capitalised.
pub fn is_plain_name(name: &str) -> bool {
    let marks_an_address = |c: char| matches!(c, '@' | '/' | '\\' | '<' | '>' | ':');
    !name.chars().any(marks_an_address)
        && !name.split_whitespace().any(|word| {
            let word = word.trim_matches(|c: char| !c.is_alphanumeric());
            let mut labels = word.split('.');
            let first = labels.next().unwrap_or_default();
            let rest: Vec<&str> = labels.collect();
            // A domain: labels joined by dots, ending in a top-level domain of letters.
            !first.is_empty()
                && rest.last().is_some_and(|top| {
                    top.chars().count() >= 2 && top.chars().all(|c| c.is_alphabetic())
                })
                && rest.iter().all(|label| !label.is_empty())
        })
}

/// The form of a full name that the member listing sorts and searches by.
pub fn name_key(full_name: &str) -> String {
    full_name.to_lowercase()
}

/// The words a search finds a name by: each word of its [`name_key`], once.
pub fn name_words(name_key: &str) -> Vec<String> {
    let mut words: Vec<String> = name_key.split_whitespace().map(str::to_string).collect();
    words.sort();
    words.dedup();
    words
}

/// A search box's text as the member listing matches it: a prefix of the email address,
/// of the full name or of any word of the name, compared without case. `None` when
/// there is nothing to match.
pub fn search_key(input: &str) -> Option<String> {
    let key: String = input
        .trim()
        .to_lowercase()
        .chars()
        .take(FULL_NAME_MAX_CHARS)
        .collect();
    (!key.is_empty()).then_some(key)
}

/// A new password must satisfy this; existing ones are only ever verified.
pub fn check_new_password(password: &str) -> Result<(), AppError> {
    let length = password.chars().count();
    if length < PASSWORD_MIN_CHARS {
        Err(AppError::PasswordTooShort {
            min: PASSWORD_MIN_CHARS,
        })
    } else if length > PASSWORD_MAX_CHARS {
        Err(AppError::PasswordTooLong {
            max: PASSWORD_MAX_CHARS,
        })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(
            normalise_email("  Alice@TechCorp.COM "),
            Ok("alice@techcorp.com".to_string())
        );
    }

    #[test]
    fn malformed_emails_are_refused() {
        for input in [
            "",
            "   ",
            "alice",
            "alice@",
            "@techcorp.com",
            "alice@@techcorp.com",
            "alice@localhost",
            "alice smith@techcorp.com",
        ] {
            assert_eq!(
                normalise_email(input),
                Err(AppError::InvalidEmail),
                "{input:?}"
            );
        }
    }

    #[test]
    fn names_with_control_characters_are_refused_but_whitespace_collapses() {
        for name in ["Ada\u{0}", "Ada\u{8a}Lovelace", "\u{1b}[31mAda"] {
            assert_eq!(
                normalise_full_name(name),
                Err(AppError::NameHasControlCharacters),
                "{name:?}"
            );
        }
        assert_eq!(
            normalise_full_name("Ada\tLovelace\n"),
            Ok("Ada Lovelace".into())
        );
    }

    #[test]
    fn full_names_collapse_whitespace() {
        assert_eq!(
            normalise_full_name("  Ada   Lovelace "),
            Ok("Ada Lovelace".into())
        );
    }

    #[test]
    fn names_are_plain_names() {
        for name in [
            "Ada Lovelace",
            "J. R. R. Tolkien",
            "Mary-Jane O'Neil",
            "José Ñúñez",
            "李小龙",
            "Dr. Jekyll",
            "Ada (Support)",
            "St. John Smith",
        ] {
            assert!(is_plain_name(name), "{name}");
        }
        for name in [
            "Visit https://evil.example",
            "evil.example",
            "Ada from it-support.example",
            "Ada (Evil.Com)",
            "www.evil.example",
            "ada@evil.example",
            "Ada <ada@evil.example>",
            "evil.example/claim",
            "sub.evil.example.",
            "javascript:alert(1)",
        ] {
            assert!(!is_plain_name(name), "{name}");
            assert_eq!(normalise_full_name(name), Err(AppError::NameNotPlain));
        }
    }

    #[test]
    fn full_names_must_be_present_and_bounded() {
        assert_eq!(normalise_full_name(" \t"), Err(AppError::FullNameRequired));
        let long = "a".repeat(FULL_NAME_MAX_CHARS + 1);
        assert_eq!(
            normalise_full_name(&long),
            Err(AppError::FullNameTooLong {
                max: FULL_NAME_MAX_CHARS
            })
        );
        assert!(normalise_full_name(&"a".repeat(FULL_NAME_MAX_CHARS)).is_ok());
    }

    #[test]
    fn searches_ignore_case_and_surrounding_space() {
        assert_eq!(search_key("  Ada L "), Some("ada l".into()));
        assert_eq!(search_key("   "), None);
        assert_eq!(search_key(&"x".repeat(500)).map(|key| key.len()), Some(100));
        assert_eq!(name_key("Ada LOVELACE"), "ada lovelace");
    }

    #[test]
    fn an_invitation_without_a_name_takes_one_from_the_email() {
        let cases = [
            ("ada.lovelace@example.com", "Ada Lovelace"),
            ("grace_hopper+test@example.com", "Grace Hopper Test"),
            ("jsmith42@example.com", "Jsmith42"),
            ("élodie-durand@example.fr", "Élodie Durand"),
            ("+++@example.com", "New user"),
        ];
        for (email, name) in cases {
            assert_eq!(
                name_for_invitation("  ", email),
                Ok(name.to_string()),
                "{email}"
            );
            assert_eq!(normalise_full_name(name), Ok(name.to_string()), "{email}");
        }
        assert_eq!(
            name_for_invitation(" Ada  Byron ", "ada.lovelace@example.com"),
            Ok("Ada Byron".to_string())
        );
        assert_eq!(
            name_for_invitation("example.com", "ada@example.com"),
            Err(AppError::NameNotPlain)
        );
        let long = format!("{}@example.com", "a".repeat(64));
        assert!(name_from_email(&long).chars().count() <= FULL_NAME_MAX_CHARS);
    }

    #[test]
    fn a_name_is_found_by_each_of_its_words_once() {
        assert_eq!(
            name_words("ada byron lovelace byron"),
            ["ada", "byron", "lovelace"]
        );
        assert!(name_words("").is_empty());
    }

    #[test]
    fn passwords_have_a_length_window_counted_in_characters() {
        assert_eq!(
            check_new_password("1234567"),
            Err(AppError::PasswordTooShort { min: 8 })
        );
        assert_eq!(check_new_password("12345678"), Ok(()));
        // Seven characters in fourteen bytes: still too short.
        assert_eq!(
            check_new_password("ééééééé"),
            Err(AppError::PasswordTooShort { min: 8 })
        );
        assert_eq!(
            check_new_password(&"x".repeat(PASSWORD_MAX_CHARS + 1)),
            Err(AppError::PasswordTooLong { max: 128 })
        );
    }
}
