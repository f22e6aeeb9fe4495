//! Pages with nothing to load: where someone without a workspace lands, and the page for
//! addresses that lead nowhere.

use leptos::prelude::*;
use leptos_meta::Title;

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
