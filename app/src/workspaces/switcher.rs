use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::{CreateWorkspace, WorkspaceSummary, switch_workspace};
use crate::ui::{Field, FormError, load_page, use_hydrated};

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
    let switch_error = RwSignal::new(None::<String>);
    let switch_to = move |slug: String| {
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match switch_workspace(slug.clone()).await {
                Ok(()) => {
                    switch_error.set(None);
                    navigate(&format!("/{slug}"), Default::default());
                }
                Err(error) => switch_error.set(Some(error.to_string())),
            }
        });
    };
    let creating = RwSignal::new(false);

    view! {
        <div class="switcher">
            <label for="workspace-switcher">"Workspace"</label>
            <select
                id="workspace-switcher"
                disabled=move || !hydrated.get()
                on:change:target=move |event| switch_to(event.target().value())
                prop:value=move || current.get().unwrap_or_default()
            >
                {workspaces
                    .into_iter()
                    .map(|workspace| {
                        view! { <option value=workspace.slug.clone()>{workspace.name}</option> }
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
                <CreateWorkspaceDialog on_close=move || creating.set(false) />
            </Show>
        </div>
    }
    .into_any()
}

#[component]
fn CreateWorkspaceDialog(on_close: impl Fn() + Clone + Send + Sync + 'static) -> impl IntoView {
    let name = RwSignal::new(String::new());
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
        });
    };
    let close_on_escape = {
        let on_close = on_close.clone();
        move |event: leptos::ev::KeyboardEvent| {
            if event.key() == "Escape" {
                on_close();
            }
        }
    };

    view! {
        <div class="backdrop">
            <form
                class="dialog"
                role="dialog"
                aria-modal="true"
                aria-labelledby="create-workspace-title"
                on:submit=submit
                on:keydown=close_on_escape
            >
                <h2 id="create-workspace-title">"Create workspace"</h2>
                <p class="lead">"You become the admin of the new workspace."</p>
                <Field label="Workspace name" id="new-workspace-name" value=name />
                <FormError message=error />
                <div class="actions">
                    <button type="button" on:click=move |_| on_close()>
                        "Cancel"
                    </button>
                    <button type="submit" class="primary" disabled=move || create.pending().get()>
                        "Create workspace"
                    </button>
                </div>
            </form>
        </div>
    }
    .into_any()
}
