//! Personal access tokens: how scripts and other systems act for a person through the
//! REST admin API. A token is created in Profile, shown once, stored as a hash, limited
//! to the scopes chosen for it and never beyond its owner's rights at the moment of each
//! request. Workspace admins see an inventory of their members' tokens, never the
//! secrets.

mod inventory_page;
mod profile_section;

#[cfg(feature = "ssr")]
pub mod operations;
#[cfg(feature = "ssr")]
pub mod store;

pub use inventory_page::AccessTokensPage;
pub use profile_section::{AccessTokensSection, load_my_tokens};

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::Json;

use crate::access::Scope;
use crate::error::AppError;

/// What every secret starts with, so secret scanners can recognise a leaked one.
pub const SECRET_PREFIX: &str = "gatehouse_pat_";
pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_VALIDITY_DAYS: u32 = 366;
/// The validity choices the Profile form offers; `None` never expires.
pub const VALIDITY_CHOICES: [(Option<u32>, &str); 5] = [
    (Some(7), "7 days"),
    (Some(30), "30 days"),
    (Some(90), "90 days"),
    (Some(366), "1 year"),
    (None, "No expiry"),
];

/// A token as its owner and admins see it: never the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSummary {
    pub id: i64,
    pub name: String,
    /// The secret's prefix and first characters, to tell tokens apart.
    pub hint: String,
    pub scopes: Vec<Scope>,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub state: TokenState,
}

/// A token in a workspace's inventory, with its owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryRow {
    pub owner_email: String,
    pub owner_name: String,
    pub token: TokenSummary,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenState {
    Active,
    Expired,
    Revoked,
}

impl TokenState {
    pub fn of(now: i64, expires_at: Option<i64>, revoked_at: Option<i64>) -> TokenState {
        if revoked_at.is_some() {
            TokenState::Revoked
        } else if expires_at.is_some_and(|expiry| expiry <= now) {
            TokenState::Expired
        } else {
            TokenState::Active
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TokenState::Active => "Active",
            TokenState::Expired => "Expired",
            TokenState::Revoked => "Revoked",
        }
    }
}

/// A new token: its summary, and the secret, this once. Its `Debug` leaves the secret
/// out, so that it can't reach a log line by accident.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedToken {
    pub token: TokenSummary,
    pub secret: String,
}

impl std::fmt::Debug for CreatedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedToken")
            .field("token", &self.token)
            .field("secret", &"…")
            .finish()
    }
}

/// A token's request, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    pub name: String,
    pub scopes: Vec<Scope>,
    pub valid_for_days: Option<u32>,
}

impl NewToken {
    pub fn parse(
        name: &str,
        scopes: &[String],
        valid_for_days: Option<u32>,
    ) -> Result<NewToken, AppError> {
        let name = name.trim();
        crate::users::refuse_control_characters(name)?;
        if name.is_empty() {
            return Err(AppError::TokenNameRequired);
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(AppError::TokenNameTooLong {
                max: MAX_NAME_CHARS,
            });
        }
        let mut parsed = scopes
            .iter()
            .map(|key| Scope::from_key(key.trim()).ok_or_else(unknown_scope))
            .collect::<Result<Vec<_>, _>>()?;
        parsed.sort();
        parsed.dedup();
        if parsed.is_empty() {
            return Err(AppError::NoScopeChosen);
        }
        if valid_for_days.is_some_and(|days| days == 0 || days > MAX_VALIDITY_DAYS) {
            return Err(AppError::TokenValidityOutOfRange {
                max: MAX_VALIDITY_DAYS,
            });
        }
        Ok(NewToken {
            name: name.to_string(),
            scopes: parsed,
            valid_for_days,
        })
    }
}

fn unknown_scope() -> AppError {
    AppError::UnknownScope {
        known: Scope::ALL.map(Scope::key).join(", "),
    }
}

/// Scopes as stored: keys separated by spaces.
pub fn scopes_to_text(scopes: &[Scope]) -> String {
    scopes
        .iter()
        .map(|scope| scope.key())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Scopes from their stored form; keys this version doesn't know are dropped, so a
/// token never gains a scope by a rename.
pub fn scopes_from_text(text: &str) -> Vec<Scope> {
    text.split_whitespace()
        .filter_map(Scope::from_key)
        .collect()
}

/// The caller's own tokens, newest first.
#[server(endpoint = "tokens/mine")]
pub async fn my_tokens() -> Result<Vec<TokenSummary>, AppError> {
    let (caller, state) = crate::access::session_caller()?;
    operations::list_own(&state, &caller).await
}

#[server(endpoint = "tokens/create", input = Json)]
pub async fn create_token(
    name: String,
    scopes: Vec<String>,
    valid_for_days: Option<u32>,
) -> Result<CreatedToken, AppError> {
    let (caller, state) = crate::access::session_caller()?;
    let request = NewToken::parse(&name, &scopes, valid_for_days)?;
    operations::create(&state, &caller, request).await
}

#[server(endpoint = "tokens/revoke")]
pub async fn revoke_token(token_id: i64) -> Result<(), AppError> {
    let (caller, state) = crate::access::session_caller()?;
    operations::revoke_own(&state, &caller, token_id).await
}

/// Every token of the workspace's members, for its admins.
#[server(endpoint = "tokens/inventory")]
pub async fn workspace_tokens(slug: String) -> Result<Vec<InventoryRow>, AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::inventory(&state, &actor).await
}

/// An expiry or last use as the token tables show it: "Never" when there is none.
pub fn format_time_or_never(unix_seconds: Option<i64>) -> String {
    unix_seconds.map_or_else(|| "Never".into(), crate::dates::format_time)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_request_is_checked_and_tidied() {
        let parsed = NewToken::parse(
            "  CI job ",
            &[
                "members:write".into(),
                "audit:read".into(),
                "members:write".into(),
            ],
            Some(30),
        )
        .unwrap();
        assert_eq!(parsed.name, "CI job");
        assert_eq!(parsed.scopes, [Scope::MembersWrite, Scope::AuditRead]);
        assert_eq!(
            NewToken::parse(" ", &["audit:read".into()], None),
            Err(AppError::TokenNameRequired)
        );
        assert_eq!(
            NewToken::parse(&"x".repeat(101), &["audit:read".into()], None),
            Err(AppError::TokenNameTooLong { max: 100 })
        );
        assert_eq!(
            NewToken::parse("ci\u{8}job", &["audit:read".into()], None),
            Err(AppError::NameHasControlCharacters)
        );
        assert_eq!(
            NewToken::parse("ci", &[], None),
            Err(AppError::NoScopeChosen)
        );
        assert!(matches!(
            NewToken::parse("ci", &["members:delete".into()], None),
            Err(AppError::UnknownScope { .. })
        ));
        for days in [0, 367] {
            assert_eq!(
                NewToken::parse("ci", &["audit:read".into()], Some(days)),
                Err(AppError::TokenValidityOutOfRange { max: 366 })
            );
        }
    }

    #[test]
    fn scopes_round_trip_through_their_stored_text_and_unknown_ones_drop() {
        let scopes = [Scope::MembersRead, Scope::GroupsWrite];
        assert_eq!(scopes_from_text(&scopes_to_text(&scopes)), scopes);
        assert_eq!(
            scopes_from_text("members:read admin:everything"),
            [Scope::MembersRead]
        );
    }

    #[test]
    fn a_token_is_revoked_expired_or_active() {
        assert_eq!(TokenState::of(100, None, None), TokenState::Active);
        assert_eq!(TokenState::of(100, Some(101), None), TokenState::Active);
        assert_eq!(TokenState::of(100, Some(100), None), TokenState::Expired);
        assert_eq!(
            TokenState::of(100, Some(200), Some(50)),
            TokenState::Revoked
        );
    }

    #[test]
    fn a_new_tokens_secret_never_shows_in_debug_output() {
        let created = CreatedToken {
            token: TokenSummary {
                id: 1,
                name: "ci".into(),
                hint: "gatehouse_pat_abcd…".into(),
                scopes: vec![Scope::AuditRead],
                created_at: 0,
                expires_at: None,
                last_used_at: None,
                state: TokenState::Active,
            },
            secret: "gatehouse_pat_secret-part".into(),
        };
        assert!(!format!("{created:?}").contains("secret-part"));
    }
}
