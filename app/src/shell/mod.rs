//! The frame around every signed-in page: sidebar navigation, the workspace switcher and
//! the account menu.

mod account_menu;
mod placeholders;
mod theme;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Outlet};
use leptos_router::hooks::use_location;
use leptos_router::location::{Location, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::auth::{Viewer, current_viewer};
use crate::error::AppError;
use crate::loading::{Loaded, load_blocking};
use crate::memberships::Role;
use crate::ui::{Icon, IconName, load_page, once_loaded, use_hydrated, when_resolved};
use crate::workspaces::WorkspaceSwitcher;

pub use placeholders::{NoWorkspacePage, NotFoundPage};
pub use theme::current_theme;

/// The viewer the frame loaded, for the pages inside it (`with_viewer`).
#[derive(Clone, Copy)]
struct SignedInViewer(Loaded<Viewer>);

/// The frame's `<Outlet/>` stays outside its loading boundary. On the server a boundary
/// renders its children more than once; a page inside it would be built each time and
/// would register its resources (the workspace layout's among them) under new ids, which
/// the browser, building it once, would not find: hydration would fail now and then.
#[component]
pub fn AppShell() -> impl IntoView {
    let viewer = load_blocking(|| (), |_| current_viewer());
    provide_context(SignedInViewer(viewer));
    let hydrated = use_hydrated();
    let menu_open = RwSignal::new(false);
    // Closed only once the menu button works: until then a narrow screen shows the
    // navigation, as it does without JavaScript.
    let menu = move || (hydrated.get() && !menu_open.get()).then_some("closed");
    // Following a link on a narrow screen folds the menu away again.
    let location = use_location();
    Effect::new(move |_| {
        location.pathname.track();
        menu_open.set(false);
    });
    view! {
        <div class="frame" data-menu=menu>
            <aside class="sidebar">
                <div class="sidebar-top">
                    <p class="brand">
                        <Icon name=IconName::Gate />
                        "Gatehouse"
                    </p>
                    <button
                        type="button"
                        class="menu-button"
                        aria-expanded=move || (!hydrated.get() || menu_open.get()).to_string()
                        aria-controls="sidebar-contents"
                        disabled=move || !hydrated.get()
                        on:click=move |_| menu_open.update(|open| *open = !*open)
                    >
                        <Icon name=IconName::Menu />
                        "Menu"
                    </button>
                </div>
                <div id="sidebar-contents" class="sidebar-contents">
                    // A viewer that failed to load leaves the sidebar empty: the page beside
                    // it says why.
                    {once_loaded(
                        viewer,
                        |viewer| {
                            view! {
                                <Navigation viewer=viewer.clone() />
                                <account_menu::AccountMenu viewer />
                            }
                        },
                    )}
                </div>
            </aside>
            <main class="content">
                // Until the page is interactive its controls are disabled: what someone
                // typed into a field before then would be replaced when the page is taken
                // over, and a button could not work yet.
                <fieldset class="page" role="none" disabled=move || !hydrated.get()>
                    <Outlet />
                </fieldset>
            </main>
        </div>
    }
}

/// Shows `ready` with the signed-in viewer, once the frame has loaded it.
pub fn with_viewer<V>(ready: impl Fn(Viewer) -> V + Clone + Send + Sync + 'static) -> impl IntoView
where
    V: IntoView + 'static,
{
    let SignedInViewer(viewer) = expect_context::<SignedInViewer>();
    when_loaded(viewer, ready)
}

/// The pages under Workspace settings, by label and path below `/{slug}`, and whether
/// only admins see them. Every member sees the constants and data sources they may use.
const WORKSPACE_SETTINGS: [(&str, &str, bool); 9] = [
    ("Users", "/settings/users", true),
    ("Groups", "/settings/groups", true),
    ("Access matrix", "/settings/access-matrix", true),
    ("Access tokens", "/settings/access-tokens", true),
    ("Provisioning", "/settings/provisioning", true),
    ("Single sign-on", "/settings/single-sign-on", true),
    ("Audit log", "/settings/audit-log", true),
    ("Workspace constants", "/settings/constants", false),
    ("Data sources", "/settings/data-sources", false),
];

/// The workspace switcher and the links to every page the viewer may open.
#[component]
fn Navigation(viewer: Viewer) -> impl IntoView {
    let location = use_location();
    let workspaces = viewer.workspaces.clone();
    let default_workspace = viewer.default_workspace.clone();
    let is_super_admin = viewer.is_super_admin;
    // The workspace in the URL when there is one, otherwise the viewer's default.
    let current = Memo::new(move |_| {
        let path = location.pathname.get();
        let first_segment = path
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or_default();
        workspaces
            .iter()
            .find(|workspace| workspace.slug == first_segment)
            .or_else(|| {
                workspaces
                    .iter()
                    .find(|workspace| Some(&workspace.slug) == default_workspace.as_ref())
            })
            .cloned()
    });
    let current_slug = Signal::derive(move || current.get().map(|workspace| workspace.slug));
    let is_admin = move || {
        current
            .get()
            .is_some_and(|workspace| workspace.role == Role::Admin)
    };
    let link = move |suffix: &'static str| {
        move || format!("/{}{suffix}", current_slug.get().unwrap_or_default())
    };

    view! {
        {(!viewer.workspaces.is_empty())
            .then(|| {
                view! {
                    <WorkspaceSwitcher
                        workspaces=viewer.workspaces.clone()
                        current=current_slug
                        can_create=is_super_admin
                    />
                }
            })}
        <nav aria-label="Main">
            <Show when=move || current_slug.get().is_some()>
                <ul>
                    <li>
                        <A href=link("")>"Dashboard"</A>
                    </li>
                </ul>
            </Show>
            <Show when=move || current_slug.get().is_some()>
                <h2 id="workspace-settings-heading">"Workspace settings"</h2>
                <ul aria-labelledby="workspace-settings-heading">
                    {WORKSPACE_SETTINGS
                        .into_iter()
                        .map(|(label, suffix, admins_only)| {
                            view! {
                                <Show when=move || !admins_only || is_admin()>
                                    <li>
                                        <A href=link(suffix)>{label}</A>
                                    </li>
                                </Show>
                            }
                        })
                        .collect_view()}
                </ul>
            </Show>
            {is_super_admin
                .then(|| {
                    view! {
                        <ul>
                            <li>
                                <A href="/settings">"Settings"</A>
                            </li>
                        </ul>
                    }
                })}
        </nav>
    }
    .into_any()
}

/// Shows `ready` with the resource's value once it has loaded, or the error as the page
/// (`ErrorPanel`).
pub fn when_loaded<T, V>(
    resource: Loaded<T>,
    ready: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
    V: IntoView + 'static,
{
    when_resolved(resource, ready, |error| view! { <ErrorPanel error /> })
}

/// A failure that stops a whole page, told in the error's own words and, when the page
/// is rendered on the server, sent with the error's status code. A session that ended
/// while the page was open leads to sign-in, and back here afterwards.
#[component]
pub fn ErrorPanel(error: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(status) = http::StatusCode::from_u16(error.status_code())
    {
        response.set_status(status);
    }
    if error == AppError::NotSignedIn {
        send_to_sign_in();
    }
    view! {
        <Title text="This page can't be shown" />
        <section class="panel error-panel" aria-labelledby="error-title">
            <h1 id="error-title">"This page can't be shown"</h1>
            <p role="alert">{error.to_string()}</p>
            <p>
                <a href="/">"Go to your workspace"</a>
            </p>
        </section>
    }
}

/// In the browser only: on the server the page gate has already redirected signed-out
/// visitors.
fn send_to_sign_in() {
    if cfg!(feature = "hydrate") {
        let Location {
            pathname, search, ..
        } = use_location();
        let search = search.get_untracked();
        let here = if search.is_empty() {
            pathname.get_untracked()
        } else {
            format!("{}?{search}", pathname.get_untracked())
        };
        load_page(&format!("/sign-in?next={}", Url::escape(&here)));
    }
}
