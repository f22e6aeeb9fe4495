//! The page gate: before a page renders, send visitors where they belong. An empty
//! instance leads every page to set-up; signed-out visitors go to sign-in and come back
//! afterwards; signed-in visitors skip sign-in and land in their workspace.
//!
//! This only shapes navigation. Every server function checks access on its own.

use app::auth::safe_next_path;
use app::auth::session::CurrentUser;
use app::state::AppState;
use app::{setup, workspaces};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visitor {
    InstanceNotSetUp,
    SignedOut,
    SignedIn,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Render,
    RedirectTo(String),
    /// To the signed-in user's workspace; which one takes a database lookup.
    RedirectToLanding,
}

pub fn decide(path: &str, query: Option<&str>, visitor: Visitor) -> Decision {
    match (visitor, path) {
        (Visitor::InstanceNotSetUp, "/setup") => Decision::Render,
        (Visitor::InstanceNotSetUp, _) => Decision::RedirectTo("/setup".into()),
        (_, "/setup") => Decision::RedirectTo("/".into()),
        (Visitor::SignedOut, "/sign-in") => Decision::Render,
        // An invitation link is for people who may not have an account yet.
        (Visitor::SignedOut, path) if path.starts_with("/invitations/") => Decision::Render,
        (Visitor::SignedOut, "/") => Decision::RedirectTo("/sign-in".into()),
        (Visitor::SignedOut, _) => {
            let here = match query {
                Some(query) => format!("{path}?{query}"),
                None => path.to_string(),
            };
            let next: String = url::form_urlencoded::byte_serialize(here.as_bytes()).collect();
            Decision::RedirectTo(format!("/sign-in?next={next}"))
        }
        (Visitor::SignedIn, "/sign-in") => {
            match safe_next_path(query.and_then(next_parameter).as_deref()).and_then(as_location) {
                Some(next) => Decision::RedirectTo(next),
                None => Decision::RedirectToLanding,
            }
        }
        (Visitor::SignedIn, "/") => Decision::RedirectToLanding,
        (Visitor::SignedIn, _) => Decision::Render,
    }
}

fn next_parameter(query: &str) -> Option<String> {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == "next")
        .map(|(_, value)| value.into_owned())
}

/// A path on this site in the form a `Location` header can carry: a decoded `next` may
/// hold characters (non-ASCII, spaces) that must be percent-encoded again. Whatever the
/// encoding does, what leaves is checked once more to be a path on this site.
fn as_location(path: String) -> Option<String> {
    let url = url::Url::parse("http://gatehouse.invalid/")
        .ok()?
        .join(&path)
        .ok()?;
    let location = &url[url::Position::BeforePath..];
    (url.host_str() == Some("gatehouse.invalid")
        && safe_next_path(Some(location)).as_deref() == Some(location))
    .then(|| location.to_string())
}

/// Pages are what a browser navigates to: everything but server functions, the built
/// assets, the favicon and the health check.
fn is_page(method: &Method, uri: &Uri) -> bool {
    let path = uri.path();
    (method == Method::GET || method == Method::HEAD)
        && !path.starts_with("/api/")
        && !path.starts_with("/scim/")
        && !path.starts_with("/sso/")
        && !path.starts_with("/pkg/")
        && !matches!(path, "/health" | "/favicon.svg")
}

pub async fn page_gate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !is_page(request.method(), request.uri()) {
        return next.run(request).await;
    }
    let user = request
        .extensions()
        .get::<CurrentUser>()
        .and_then(|current| current.0.clone());
    let visitor = match &user {
        Some(_) => Visitor::SignedIn,
        None => match setup::store::is_set_up(&state.db).await {
            Ok(true) => Visitor::SignedOut,
            Ok(false) => Visitor::InstanceNotSetUp,
            Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
        },
    };
    let uri = request.uri();
    let location = match decide(uri.path(), uri.query(), visitor) {
        Decision::Render => return next.run(request).await,
        Decision::RedirectTo(location) => location,
        Decision::RedirectToLanding => {
            let Some(user) = user else {
                return next.run(request).await;
            };
            match workspaces::store::landing_slug(&state.db, user.id).await {
                Ok(Some(slug)) => format!("/{slug}"),
                // No workspace to land in: "/" explains that.
                Ok(None) if uri.path() == "/" => return next.run(request).await,
                Ok(None) => "/".to_string(),
                Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
            }
        }
    };
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Decision::*;
    use Visitor::*;

    fn to(location: &str) -> Decision {
        RedirectTo(location.to_string())
    }

    #[test]
    fn every_page_leads_to_set_up_on_an_empty_instance() {
        for path in ["/", "/sign-in", "/acme", "/acme/settings/users", "/profile"] {
            assert_eq!(decide(path, None, InstanceNotSetUp), to("/setup"), "{path}");
        }
        assert_eq!(decide("/setup", None, InstanceNotSetUp), Render);
    }

    #[test]
    fn set_up_is_closed_once_done() {
        assert_eq!(decide("/setup", None, SignedOut), to("/"));
        assert_eq!(decide("/setup", None, SignedIn), to("/"));
    }

    #[test]
    fn signed_out_visitors_sign_in_and_come_back() {
        assert_eq!(decide("/sign-in", None, SignedOut), Render);
        assert_eq!(decide("/", None, SignedOut), to("/sign-in"));
        assert_eq!(
            decide("/acme/settings/users", None, SignedOut),
            to("/sign-in?next=%2Facme%2Fsettings%2Fusers")
        );
        assert_eq!(
            decide(
                "/acme/settings/users",
                Some("status=invited&q=a b"),
                SignedOut
            ),
            to("/sign-in?next=%2Facme%2Fsettings%2Fusers%3Fstatus%3Dinvited%26q%3Da+b")
        );
    }

    #[test]
    fn invitation_links_open_for_everyone_once_set_up() {
        assert_eq!(decide("/invitations/abc", None, SignedOut), Render);
        assert_eq!(decide("/invitations/abc", None, SignedIn), Render);
        assert_eq!(
            decide("/invitations/abc", None, InstanceNotSetUp),
            to("/setup")
        );
    }

    #[test]
    fn signed_in_visitors_skip_sign_in() {
        assert_eq!(decide("/sign-in", None, SignedIn), RedirectToLanding);
        assert_eq!(
            decide("/sign-in", Some("next=%2Facme%2Fsettings"), SignedIn),
            to("/acme/settings")
        );
        assert_eq!(
            decide(
                "/sign-in",
                Some("next=https%3A%2F%2Fevil.example"),
                SignedIn
            ),
            RedirectToLanding
        );
    }

    #[test]
    fn only_paths_on_this_site_come_out_as_locations() {
        let landing_for = |next: &str| {
            let query: String = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("next", next)
                .finish();
            decide("/sign-in", Some(&query), SignedIn)
        };
        for next in [
            "//evil.example",
            "/\\evil.example",
            "/.//evil.example",
            "/%2e//evil.example",
            "/%2E%2E//evil.example",
            "/a/../..//evil.example",
            "https://evil.example",
            "http:evil.example",
            "/\t/evil.example",
            "\t//evil.example",
            "/\n/evil.example",
            "/\r/evil.example",
        ] {
            assert_eq!(landing_for(next), RedirectToLanding, "{next:?}");
        }
        // Encoded once more on the way in: still a path on this site.
        assert_eq!(
            decide("/sign-in", Some("next=%252F%252Fevil.example"), SignedIn),
            RedirectToLanding
        );
        assert_eq!(
            decide("/sign-in", Some("next=%2F%252F%252Fevil.example"), SignedIn),
            to("/%2F%2Fevil.example")
        );
    }

    #[test]
    fn a_next_path_is_encoded_for_the_location_header() {
        assert_eq!(
            decide("/sign-in", Some("next=%2Fcaf%C3%A9%3Fq%3Da%20b"), SignedIn),
            to("/caf%C3%A9?q=a%20b")
        );
    }

    #[test]
    fn signed_in_visitors_land_in_their_workspace_and_see_pages() {
        assert_eq!(decide("/", None, SignedIn), RedirectToLanding);
        assert_eq!(decide("/acme", None, SignedIn), Render);
        assert_eq!(decide("/profile", None, SignedIn), Render);
    }

    #[test]
    fn only_page_navigations_pass_through_the_gate() {
        let page = |method: Method, path: &str| is_page(&method, &path.parse().unwrap());
        assert!(page(Method::GET, "/"));
        assert!(page(Method::GET, "/acme/settings/users"));
        assert!(page(Method::HEAD, "/acme"));
        assert!(!page(Method::POST, "/acme"));
        assert!(!page(Method::POST, "/api/sign_in"));
        assert!(!page(Method::GET, "/pkg/gatehouse.wasm"));
        assert!(!page(Method::GET, "/favicon.svg"));
        assert!(!page(Method::GET, "/health"));
        // A dot doesn't make a page a file.
        assert!(page(Method::GET, "/acme.v2"));
    }
}
