//! Signing in and out, and who is signed in.

#[cfg(feature = "ssr")]
pub mod passwords;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod throttle;

mod sign_in_page;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::workspaces::WorkspaceSummary;

pub use sign_in_page::SignInPage;

pub use crate::access::SignedInUser;

/// What the browser knows about the person using it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub full_name: String,
    pub email: String,
    pub is_super_admin: bool,
    /// The workspaces the viewer is an active member of, by name.
    pub workspaces: Vec<WorkspaceSummary>,
    /// The slug of the workspace the viewer lands in.
    pub default_workspace: Option<String>,
}

/// Where the browser goes after signing in or setting up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Landing {
    pub path: String,
}

/// A `next` parameter is followed only to a path on this site, never elsewhere and never
/// back to the sign-in page itself. The path comes back with its dot segments resolved
/// (`%2e` counts as a dot, as browsers read it), so that what is checked is exactly where
/// the browser goes: `/.//evil.example` would otherwise pass as a path and leave as the
/// protocol-relative `//evil.example`.
pub fn safe_next_path(next: Option<&str>) -> Option<String> {
    let next = next?.trim();
    if !next.starts_with('/') || next.chars().any(|c| c.is_control() || c == '\\') {
        return None;
    }
    let split = next.find(['?', '#']).unwrap_or(next.len());
    let (path, rest) = next.split_at(split);
    let path = without_dot_segments(path);
    (!path.starts_with("//") && path != "/sign-in").then(|| format!("{path}{rest}"))
}

/// A path with its `.` and `..` segments resolved as RFC 3986 §5.2.4 does.
fn without_dot_segments(path: &str) -> String {
    let is_dot = |segment: &str| segment == "." || segment.eq_ignore_ascii_case("%2e");
    let is_dot_dot = |segment: &str| {
        let lower = segment.to_ascii_lowercase();
        matches!(lower.as_str(), ".." | ".%2e" | "%2e." | "%2e%2e")
    };
    let mut kept: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    for (index, segment) in segments.iter().enumerate() {
        let last = index + 1 == segments.len();
        if is_dot(segment) || is_dot_dot(segment) {
            if is_dot_dot(segment) {
                kept.pop();
            }
            // "/a/." and "/a/b/.." both end in a slash.
            if last {
                kept.push("");
            }
        } else {
            kept.push(segment);
        }
    }
    format!("/{}", kept.join("/"))
}

/// Signs in with a password and answers where to go: `next` when it is a safe path on
/// this site, otherwise the viewer's landing workspace.
#[server(endpoint = "sign-in")]
pub async fn sign_in(
    email: String,
    password: String,
    #[server(default)] next: Option<String>,
) -> Result<Landing, AppError> {
    use crate::{request, state::app_state, users, workspaces};

    let state = app_state()?;
    let parts = request::parts()?;
    let email = users::normalise_email(&email)?;
    let address = throttle::client_address(&parts, state.config.trust_proxy);
    if let Err(refused) =
        throttle::attempt(&state.db, state.config.sign_in_limits, &email, &address).await
    {
        tracing::warn!(%email, %address, "sign-in refused: too many attempts");
        return Err(refused);
    }

    let account = users::store::find_credentials(&state.db, &email).await?;
    // Verified even when there is no such account, so timing doesn't reveal which exist.
    let stored_hash = account
        .as_ref()
        .and_then(|account| account.password_hash.clone());
    let verified = passwords::verify(password, stored_hash).await;
    let account = match account {
        Some(account) if verified => account,
        _ => {
            tracing::warn!(%email, %address, "sign-in failed");
            return Err(AppError::InvalidCredentials);
        }
    };
    if account.archived {
        tracing::warn!(user_id = account.id, "archived account tried to sign in");
        return Err(AppError::AccountArchived);
    }
    crate::single_sign_on::operations::check_password_sign_in(
        &state.db,
        account.id,
        account.is_super_admin,
    )
    .await?;
    throttle::forgive(&state.db, &email, &address).await?;

    // A fresh token on every sign-in; whatever session this browser had ends here.
    if let Some(previous) = session::token_from_headers(&parts.headers, &state.config) {
        session::end(&state.db, &previous).await?;
    }
    let token = session::start(&state.db, account.id, state.config.session_ttl).await?;
    request::set_cookie(session::set_cookie_header(&token, &state.config))?;
    tracing::info!(user_id = account.id, "signed in");

    let path = match safe_next_path(next.as_deref()) {
        Some(next) => next,
        None => workspaces::store::landing_slug(&state.db, account.id)
            .await?
            .map_or_else(|| "/".to_string(), |slug| format!("/{slug}")),
    };
    request::send_plain_form_on_to(&path);
    Ok(Landing { path })
}

/// Where the browser goes after signing out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedOut {
    /// The identity provider's sign-out page, when the session began there and the
    /// provider offers one; it comes back to the sign-in page.
    pub provider_sign_out: Option<String>,
}

#[server(endpoint = "sign-out")]
pub async fn sign_out() -> Result<SignedOut, AppError> {
    use crate::{request, state::app_state};

    let state = app_state()?;
    let parts = request::parts()?;
    let mut provider_sign_out = None;
    if let Some(token) = session::token_from_headers(&parts.headers, &state.config) {
        provider_sign_out =
            crate::single_sign_on::operations::provider_sign_out(&state, &token).await?;
        session::end(&state.db, &token).await?;
    }
    request::set_cookie(session::clear_cookie_header(&state.config))?;
    if let Ok(user) = crate::access::signed_in() {
        tracing::info!(user_id = user.id, "signed out");
    }
    Ok(SignedOut { provider_sign_out })
}

#[server(endpoint = "viewer")]
pub async fn current_viewer() -> Result<Viewer, AppError> {
    use crate::{access, state::app_state, workspaces};

    let user = access::signed_in()?;
    let state = app_state()?;
    let active = workspaces::store::active_workspaces(&state.db, user.id).await?;
    let usable_default = workspaces::store::usable_default_slug(&state.db, user.id).await?;
    Ok(Viewer {
        full_name: user.full_name,
        email: user.email,
        is_super_admin: user.is_super_admin,
        default_workspace: workspaces::landing_among(usable_default, &active),
        workspaces: active,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_paths_on_this_site_are_kept() {
        for path in [
            "/",
            "/acme",
            "/acme/settings/users?status=invited",
            "/profile",
        ] {
            assert_eq!(safe_next_path(Some(path)), Some(path.to_string()));
        }
    }

    #[test]
    fn next_paths_that_leave_the_site_are_dropped() {
        for path in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/a\\b",
            "evil",
            "",
            "/a\nb",
            "/\t/evil.example",
            "\t//evil.example",
            " //evil.example",
            "/\r\n/evil.example",
            "javascript:alert(1)",
            // Dot segments that fold into a protocol-relative path.
            "/.//evil.example",
            "/%2e//evil.example",
            "/%2E//evil.example",
            "/..//evil.example",
            "/%2e%2e//evil.example",
            "/.%2E//evil.example",
            "/a/../..//evil.example",
            "/a/..//evil.example?x=1",
            "/././/evil.example#top",
        ] {
            assert_eq!(safe_next_path(Some(path)), None, "{path:?}");
        }
        assert_eq!(safe_next_path(None), None);
    }

    #[test]
    fn dot_segments_resolve_to_where_the_browser_goes() {
        let cases = [
            ("/a/./b", "/a/b"),
            ("/a/../b", "/b"),
            ("/a/%2e%2e/b?next=//x", "/b?next=//x"),
            ("/a/.", "/a/"),
            ("/a/b/..", "/a/"),
            ("/..", "/"),
            ("/./acme", "/acme"),
            // A space is a character of a segment, not a way off the site.
            ("/./ /evil.example", "/ /evil.example"),
            // Encoded slashes are not separators: this stays one segment on this site.
            ("/%2F%2Fevil.example", "/%2F%2Fevil.example"),
        ];
        for (next, expected) in cases {
            assert_eq!(
                safe_next_path(Some(next)).as_deref(),
                Some(expected),
                "{next:?}"
            );
        }
    }

    #[test]
    fn next_never_loops_back_to_sign_in() {
        assert_eq!(safe_next_path(Some("/sign-in")), None);
        assert_eq!(safe_next_path(Some("/sign-in?next=/x")), None);
        assert_eq!(
            safe_next_path(Some("/sign-in-help")),
            Some("/sign-in-help".into())
        );
    }
}
