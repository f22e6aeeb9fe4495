//! Pages whose features arrive later. Each says plainly what will live there, so the
//! navigation is complete from the start.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::workspaces::CurrentWorkspace;

#[component]
fn Placeholder(title: &'static str, summary: &'static str) -> impl IntoView {
    view! {
        <Title text=title />
        <section class="panel" aria-labelledby="page-title">
            <h1 id="page-title">{title}</h1>
            <p>{summary}</p>
        </section>
    }
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let CurrentWorkspace(workspace) = expect_context::<CurrentWorkspace>();
    view! {
        <Title text=workspace.name.clone() />
        <section class="panel" aria-labelledby="page-title">
            <h1 id="page-title">{workspace.name.clone()}</h1>
            <p>"You are " <strong>{workspace.role.label()}</strong> " in this workspace."</p>
            <p>"The apps you can open will be listed here, by folder."</p>
        </section>
    }
}

#[component]
pub fn WorkspaceConstantsPage() -> impl IntoView {
    view! {
        <Placeholder
            title="Workspace constants"
            summary="Store values that apps in this workspace share, encrypted, here."
        />
    }
}

#[component]
pub fn DataSourcesPage() -> impl IntoView {
    view! {
        <Placeholder
            title="Data sources"
            summary="Connect the databases and APIs that apps in this workspace use here."
        />
    }
}

/// Where someone lands who isn't an active member of any workspace.
#[component]
pub fn NoWorkspacePage() -> impl IntoView {
    view! {
        <Placeholder
            title="No workspace yet"
            summary="You are not an active member of any workspace. Ask a workspace admin to invite you."
        />
    }
}

#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found" />
        <main class="auth-page">
            <section class="auth-card" aria-labelledby="page-title">
                <h1 id="page-title">"Page not found"</h1>
                <p>"There is nothing at this address."</p>
                <p>
                    <a href="/">"Go to your workspace"</a>
                </p>
            </section>
        </main>
    }
}
