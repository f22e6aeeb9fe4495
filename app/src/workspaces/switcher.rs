use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::{WorkspaceSummary, switch_workspace};
use crate::instance::CreateWorkspace;
use crate::ui::{Field, FormError, Modal, load_page, use_hydrated};

/// Lists the viewer's active workspaces; choosing one opens it and makes it the one they
/// land in next time. Super admins can also create a workspace from here.
#[component]
pub fn WorkspaceSwitcher(
    workspaces: Vec<WorkspaceSummary>,
    #[prop(into)] current: Signal<Option<String>>,
    can_create: bool,
) -> impl IntoView {
    let hydrated = use_hydrated();
    let navigate = use_navigate();
    let select = NodeRef::<leptos::html::Select>::new();
    let switch_error = RwSignal::new(None::<String>);
    let switch_to = move |slug: String| {
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match switch_workspace(slug.clone()).await {
                Ok(()) => {
                    switch_error.set(None);
                    navigate(&format!("/{slug}"), Default::default());
                }
                Err(error) => {
                    switch_error.set(Some(error.to_string()));
                    // Show the workspace the viewer is still in.
                    if let Some(select) = select.get_untracked() {
                        select.set_value(&current.get_untracked().unwrap_or_default());
                    }
                }
            }
        });
    };
    let creating = RwSignal::new(false);

    view! {
        <div class="switcher">
            <label for="workspace-switcher">"Workspace"</label>
            <select
                id="workspace-switcher"
                node_ref=select
                disabled=move || !hydrated.get()
                on:change:target=move |event| switch_to(event.target().value())
                prop:value=move || current.get().unwrap_or_default()
            >
                {workspaces
                    .into_iter()
                    .map(|workspace| {
                        let slug = workspace.slug.clone();
                        // `selected` puts the choice into the server-rendered page too.
                        let selected = move || current.get().as_ref() == Some(&slug);
                        view! {
                            <option value=workspace.slug.clone() selected=selected>
                                {workspace.name}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <FormError message=switch_error />
            <Show when=move || can_create>
                <button
                    type="button"
                    class="link"
                    disabled=move || !hydrated.get()
                    on:click=move |_| creating.set(true)
                >
                    "Create workspace"
                </button>
            </Show>
            <Show when=move || creating.get()>
                <CreateWorkspaceDialog on_close=move |()| creating.set(false) />
            </Show>
        </div>
    }
    .into_any()
}

/// Creates a workspace with the viewer as its admin, then opens it.
#[component]
pub fn CreateWorkspaceDialog(#[prop(into)] on_close: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let url = RwSignal::new(String::new());
    let create = ServerAction::<CreateWorkspace>::new();
    Effect::new(move |_| {
        if let Some(Ok(workspace)) = create.value().get() {
            load_page(&format!("/{}", workspace.slug));
        }
    });
    let error = Signal::derive(move || {
        create
            .value()
            .get()
            .and_then(Result::err)
            .map(|error| error.to_string())
    });
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        create.dispatch(CreateWorkspace {
            name: name.get_untracked(),
            slug: Some(url.get_untracked()),
        });
    };

    view! {
        <Modal labelled_by="create-workspace-title" on_close>
            <form on:submit=submit>
                <h2 id="create-workspace-title">"Create workspace"</h2>
                <p class="lead">"You become the admin of the new workspace."</p>
                <Field label="Workspace name" id="new-workspace-name" value=name />
                <div class="field">
                    <label for="new-workspace-url">"Workspace URL (optional)"</label>
                    <input
                        id="new-workspace-url"
                        name="new-workspace-url"
                        aria-describedby="new-workspace-url-hint"
                        bind:value=url
                    />
                    <p class="hint" id="new-workspace-url-hint">
                        "Lower-case words joined by hyphens, as in support-desk. Leave it empty to make one from the name."
                    </p>
                </div>
                <FormError message=error />
                <div class="actions">
                    <button type="button" on:click=move |_| on_close.run(())>
                        "Cancel"
                    </button>
                    <button type="submit" class="primary" disabled=move || create.pending().get()>
                        "Create workspace"
                    </button>
                </div>
            </form>
        </Modal>
    }
    .into_any()
}
