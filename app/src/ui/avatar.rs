//! Avatars: a person's initials on a colour chosen from their email, drawn by the page
//! itself (no pictures from elsewhere). The initials are decoration: the name beside
//! them says who it is.

use leptos::prelude::*;

use super::badges::RoleBadge;
use crate::memberships::Role;

/// How many avatar colours the style sheet defines (`.avatar.hue-N`).
const HUES: u32 = 6;

/// Up to two letters: the first of the first and last words of the name, or of the
/// email when there is no name.
pub fn initials(full_name: &str, email: &str) -> String {
    let words: Vec<&str> = full_name.split_whitespace().collect();
    let letters: Vec<char> = match words.as_slice() {
        [] => email.chars().take(1).collect(),
        [only] => only.chars().take(1).collect(),
        [first, .., last] => first.chars().take(1).chain(last.chars().take(1)).collect(),
    };
    letters.into_iter().flat_map(char::to_uppercase).collect()
}

/// The same colour for the same person everywhere: from their email, which doesn't change
/// when they are renamed.
pub fn hue(email: &str) -> u32 {
    email.bytes().fold(0u32, |sum, byte| {
        sum.wrapping_mul(31).wrapping_add(u32::from(byte))
    }) % HUES
}

#[component]
pub fn Avatar(#[prop(into)] full_name: String, #[prop(into)] email: String) -> impl IntoView {
    view! {
        <span
            class=format!("avatar hue-{}", hue(&email))
            data-initials=initials(&full_name, &email)
            aria-hidden="true"
        ></span>
    }
}

/// A person's avatar and name, as a table's first cell shows them.
#[component]
pub fn Person(#[prop(into)] full_name: String, #[prop(into)] email: String) -> impl IntoView {
    view! {
        <span class="person">
            <Avatar full_name=full_name.clone() email />
            <span>{full_name}</span>
        </span>
    }
}

/// The first cells of a row of people: who (avatar and name), their email and their role.
#[component]
pub fn PersonCells(
    #[prop(into)] full_name: String,
    #[prop(into)] email: String,
    role: Role,
) -> impl IntoView {
    view! {
        <td data-label="Name">
            <Person full_name email=email.clone() />
        </td>
        <td data-label="Email">{email}</td>
        <td data-label="Role">
            <RoleBadge role />
        </td>
    }
}

#[cfg(test)]
mod tests {
    use super::{HUES, hue, initials};

    #[test]
    fn initials_come_from_the_first_and_last_names() {
        assert_eq!(initials("Ada Lovelace", "ada@example.com"), "AL");
        assert_eq!(
            initials("Jean-Luc de la Tour Picard", "j@example.com"),
            "JP"
        );
        assert_eq!(initials("  madonna ", "m@example.com"), "M");
        assert_eq!(initials("élodie durand", "e@example.com"), "ÉD");
    }

    #[test]
    fn without_a_name_the_email_gives_the_initial() {
        assert_eq!(initials("", "zoe@example.com"), "Z");
        assert_eq!(initials("   ", ""), "");
    }

    #[test]
    fn a_person_keeps_one_colour() {
        assert_eq!(hue("ada@example.com"), hue("ada@example.com"));
        let colours: std::collections::BTreeSet<u32> = [
            "a@x.io", "b@x.io", "c@x.io", "d@x.io", "e@x.io", "f@x.io", "g@x.io",
        ]
        .iter()
        .map(|email| hue(email))
        .collect();
        assert!(colours.iter().all(|colour| *colour < HUES));
        assert!(colours.len() > 1, "every email got the same colour");
    }
}
