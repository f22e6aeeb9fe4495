use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::use_params_map;

use super::{WorkspaceSummary, workspace_context};
use crate::shell::when_loaded;

/// The workspace every page under `/{slug}` belongs to, with the viewer's role in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentWorkspace(pub WorkspaceSummary);

/// Checks on the server that the viewer may enter the workspace in the URL before any
/// of its pages render. Blocking, so that a refusal is sent with its real status code.
/// The pages are built inside the loading boundary, which the server renders more than
/// once: they load their data in the browser and must create no resources of their own,
/// or those would be registered under new ids on each pass (see `AppShell`).
#[component]
pub fn WorkspaceLayout() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let workspace = Resource::new_blocking(slug, workspace_context);
    when_loaded(workspace, |workspace| view! { <WithWorkspace workspace /> })
}

#[component]
fn WithWorkspace(workspace: WorkspaceSummary) -> impl IntoView {
    provide_context(CurrentWorkspace(workspace));
    view! { <Outlet /> }
}
