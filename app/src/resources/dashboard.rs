//! The dashboard: the apps a member may see, by folder, with Create app and Create
//! folder for those allowed.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

use super::widgets::AppLinks;
use super::{Dashboard, FolderRef, create_app, create_folder, load_dashboard};
use crate::error::AppError;
use crate::ui::{Field, FormError, Modal, Notice, NoticeBar};
use crate::workspaces::CurrentWorkspace;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Creating {
    App,
    Folder,
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let CurrentWorkspace(workspace) = expect_context::<CurrentWorkspace>();
    let slug = StoredValue::new(workspace.slug.clone());
    let version = RwSignal::new(0_u64);
    let notice = RwSignal::new(None::<Notice>);
    // Loaded in the browser after hydration, like the Users table: the buttons and links
    // it brings appear only once they work.
    let board = RwSignal::new(None::<Result<Dashboard, AppError>>);
    Effect::new(move |_| {
        version.track();
        let request = load_dashboard(slug.get_value());
        leptos::task::spawn_local(async move {
            board.set(Some(request.await));
        });
    });
    let creating = RwSignal::new(None::<Creating>);
    let loaded = move || board.get().and_then(Result::ok);

    view! {
        <Title text=workspace.name.clone() />
        <section class="panel" aria-labelledby="page-title">
            <div class="panel-header">
                <h1 id="page-title">{workspace.name.clone()}</h1>
                <div class="actions">
                    {move || {
                        loaded()
                            .map(|board| {
                                view! {
                                    {board
                                        .can_create_folder
                                        .then(|| {
                                            view! {
                                                <button
                                                    type="button"
                                                    on:click=move |_| creating.set(Some(Creating::Folder))
                                                >
                                                    "Create folder"
                                                </button>
                                            }
                                        })}
                                    {board
                                        .can_create_app
                                        .then(|| {
                                            view! {
                                                <button
                                                    type="button"
                                                    class="primary"
                                                    on:click=move |_| creating.set(Some(Creating::App))
                                                >
                                                    "Create app"
                                                </button>
                                            }
                                        })}
                                }
                            })
                    }}
                </div>
            </div>
            <p>"You are " <strong>{workspace.role.label()}</strong> " in this workspace."</p>
            <NoticeBar notice />
            {move || match board.get() {
                None => view! { <p class="loading">"Loading…"</p> }.into_any(),
                Some(Ok(board)) => view! { <DashboardApps board slug=slug.get_value() /> }.into_any(),
                Some(Err(error)) => view! { <FormError message=Some(error.to_string()) /> }.into_any(),
            }}
        </section>
        {move || match creating.get() {
            Some(Creating::App) => {
                let folders = loaded()
                    .map(|board| {
                        board.folders.into_iter().map(|section| section.folder).collect()
                    })
                    .unwrap_or_default();
                view! {
                    <CreateAppDialog
                        slug=slug.get_value()
                        folders
                        on_close=move |()| creating.set(None)
                    />
                }
                    .into_any()
            }
            Some(Creating::Folder) => {
                view! {
                    <CreateFolderDialog
                        slug=slug.get_value()
                        on_created=move |name: String| {
                            notice.set(Some(Notice::Done(format!("The folder {name} has been created."))));
                            version.update(|version| *version += 1);
                        }
                        on_close=move |()| creating.set(None)
                    />
                }
                    .into_any()
            }
            None => ().into_any(),
        }}
    }
    .into_any()
}

#[component]
fn DashboardApps(board: Dashboard, slug: String) -> impl IntoView {
    if board.folders.is_empty() && board.unfiled.is_empty() {
        let hint = if board.can_create_app {
            "There are no apps yet. Create one with Create app."
        } else {
            "There are no apps for you here yet."
        };
        return view! { <p class="empty">{hint}</p> }.into_any();
    }
    let unfiled = (!board.unfiled.is_empty()).then(|| {
        let slug = slug.clone();
        view! {
            <section class="folder" aria-labelledby="unfiled-title">
                <h2 id="unfiled-title">"Apps without a folder"</h2>
                <AppLinks slug apps=board.unfiled />
            </section>
        }
    });
    view! {
        {board
            .folders
            .into_iter()
            .map(|section| {
                let heading_id = format!("folder-{}-title", section.folder.id);
                let labelled_by = heading_id.clone();
                let href = format!("/{slug}/folders/{}", section.folder.id);
                let apps = if section.apps.is_empty() {
                    view! { <p class="empty">"No apps in this folder yet."</p> }.into_any()
                } else {
                    view! { <AppLinks slug=slug.clone() apps=section.apps /> }.into_any()
                };
                view! {
                    <section class="folder" aria-labelledby=labelled_by>
                        <h2 id=heading_id>
                            <a href=href>{section.folder.name}</a>
                        </h2>
                        {apps}
                    </section>
                }
            })
            .collect_view()}
        {unfiled}
    }
    .into_any()
}

/// A select of "No folder" and `folders`, bound to `folder`. All options come from one
/// list: a fixed option before generated ones doesn't hydrate inside <select>.
#[component]
pub(super) fn FolderSelect(
    id: &'static str,
    folders: Vec<FolderRef>,
    folder: RwSignal<Option<i64>>,
) -> impl IntoView {
    let initial = folder.get_untracked();
    let options: Vec<(Option<i64>, String)> = std::iter::once((None, "No folder".to_string()))
        .chain(
            folders
                .into_iter()
                .map(|folder| (Some(folder.id), folder.name)),
        )
        .collect();
    view! {
        <div class="field">
            <label for=id>"Folder"</label>
            <select
                id=id
                on:change:target=move |event| {
                    folder.set(event.target().value().parse::<i64>().ok());
                }
            >
                {options
                    .into_iter()
                    .map(|(value, name)| {
                        view! {
                            <option
                                value=value.map(|id| id.to_string()).unwrap_or_default()
                                selected=value == initial
                            >
                                {name}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
    .into_any()
}

/// Create app: a name and a folder; the new app opens for editing.
#[component]
fn CreateAppDialog(
    slug: String,
    folders: Vec<FolderRef>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let folder = RwSignal::new(None::<i64>);
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let navigate = use_navigate();
    let slug = StoredValue::new(slug);
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        saving.set(true);
        let navigate = navigate.clone();
        let slug = slug.get_value();
        let request = create_app(slug.clone(), name.get_untracked(), folder.get_untracked());
        leptos::task::spawn_local(async move {
            match request.await {
                Ok(id) => {
                    on_close.try_run(());
                    navigate(&format!("/{slug}/apps/{id}"), Default::default());
                }
                Err(failure) => {
                    saving.set(false);
                    error.set(Some(failure.to_string()));
                }
            }
        });
    };
    view! {
        <Modal labelled_by="create-app-title" on_close>
            <h2 id="create-app-title">"Create app"</h2>
            <form on:submit=submit>
                <Field label="Name" id="create-app-name" value=name autocomplete="off" />
                <FolderSelect id="create-app-folder" folders folder />
                <FormError message=error />
                <div class="actions">
                    <button type="button" on:click=move |_| on_close.run(())>
                        "Cancel"
                    </button>
                    <button type="submit" class="primary" disabled=move || saving.get()>
                        "Create app"
                    </button>
                </div>
            </form>
        </Modal>
    }
    .into_any()
}

#[component]
fn CreateFolderDialog(
    slug: String,
    #[prop(into)] on_created: Callback<String>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let slug = StoredValue::new(slug);
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        saving.set(true);
        let request = create_folder(slug.get_value(), name.get_untracked());
        leptos::task::spawn_local(async move {
            match request.await {
                Ok(folder) => {
                    on_created.try_run(folder.name);
                    on_close.try_run(());
                }
                Err(failure) => {
                    saving.set(false);
                    error.set(Some(failure.to_string()));
                }
            }
        });
    };
    view! {
        <Modal labelled_by="create-folder-title" on_close>
            <h2 id="create-folder-title">"Create folder"</h2>
            <form on:submit=submit>
                <Field label="Name" id="create-folder-name" value=name autocomplete="off" />
                <FormError message=error />
                <div class="actions">
                    <button type="button" on:click=move |_| on_close.run(())>
                        "Cancel"
                    </button>
                    <button type="submit" class="primary" disabled=move || saving.get()>
                        "Create folder"
                    </button>
                </div>
            </form>
        </Modal>
    }
    .into_any()
}
