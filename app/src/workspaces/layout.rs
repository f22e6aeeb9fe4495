use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::use_params_map;

use super::{WorkspaceSummary, workspace_context};
use crate::loading::{Loaded, load_blocking};
use crate::shell::when_loaded;

/// The workspace in the address, for the pages under it: its slug at once, and the
/// workspace itself with the viewer's role in it, loading (`in_workspace`).
#[derive(Clone, Copy)]
struct WorkspaceInPath {
    slug: Memo<String>,
    workspace: Loaded<WorkspaceSummary>,
}

/// Checks on the server that the viewer may enter the workspace in the URL before any
/// of its pages render. Blocking, so that a refusal is sent with its real status code.
/// The pages await it each in a loading boundary of their own: a boundary here would
/// hold the `<Outlet/>`, whose pages the server would then build once per pass over it,
/// registering their resources under new ids each time (see `AppShell`).
#[component]
pub fn WorkspaceLayout() -> impl IntoView {
    let params = use_params_map();
    let slug = Memo::new(move |_| params.read().get("slug").unwrap_or_default());
    let workspace = load_blocking(move || slug.get(), workspace_context);
    provide_context(WorkspaceInPath { slug, workspace });
    view! { <Outlet /> }
}

/// Shows `ready` with the workspace in the address once it has loaded, or the refusal
/// instead. Only pages under `WorkspaceLayout` call it.
pub fn in_workspace<V>(
    ready: impl Fn(WorkspaceSummary) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    V: IntoView + 'static,
{
    let WorkspaceInPath { workspace, .. } = expect_context::<WorkspaceInPath>();
    when_loaded(workspace, ready)
}

/// The slug of the workspace in the address, known before the workspace has loaded: what
/// a page loads from it starts at once. Only pages under `WorkspaceLayout` call it.
pub fn workspace_slug() -> Memo<String> {
    expect_context::<WorkspaceInPath>().slug
}

/// The workspace in the address with the viewer's role in it, for what a page loads only
/// for some roles. Only pages under `WorkspaceLayout` call it.
pub fn loaded_workspace() -> Loaded<WorkspaceSummary> {
    expect_context::<WorkspaceInPath>().workspace
}
