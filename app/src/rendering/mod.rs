//! Rendered apps: what `{{ }}` placeholders in an app's body can reach, and the renderer.

pub mod expressions;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::memberships::Role;

pub use expressions::{Scope, render_html};

/// The viewer as `globals.currentUser` describes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentUser {
    pub email: String,
    pub full_name: String,
    pub role: Role,
    /// The names of their groups: their role's, then their custom groups.
    pub groups: Vec<String>,
    pub metadata: BTreeMap<String, String>,
}

/// The `globals` tree for one viewer, as ToolJet shapes it: `currentUser` with `email`,
/// `name`, `firstName`, `lastName`, `role` (its key, e.g. `end-user`), `groups` and
/// `metadata`. The first name is the first word of the full name; the last name the rest.
pub fn globals(user: &CurrentUser) -> Value {
    let (first_name, last_name) = user
        .full_name
        .split_once(' ')
        .unwrap_or((user.full_name.as_str(), ""));
    json!({
        "currentUser": {
            "email": user.email,
            "name": user.full_name,
            "firstName": first_name,
            "lastName": last_name,
            "role": user.role.key(),
            "groups": user.groups,
            "metadata": user.metadata,
        }
    })
}
