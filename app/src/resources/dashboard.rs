//! The dashboard: the apps a member may see, by folder, with Create app and Create
//! folder for those allowed.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

use super::page::Page;
use super::widgets::AppLinks;
use super::{Dashboard, FolderRef, create_app, create_folder, load_dashboard};
use crate::loading::Loaded;
use crate::ui::{
    Field, FormDialog, NoticeBar, PagePanel, Select, once_loaded, use_hydrated, when_list_loaded,
};
use crate::workspaces::{WorkspaceSummary, in_workspace};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Creating {
    App,
    Folder,
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let page = Page::open();
    let board = page.load(load_dashboard);
    in_workspace(move |workspace| view! { <DashboardPanel workspace page board /> })
}

#[component]
fn DashboardPanel(
    workspace: WorkspaceSummary,
    page: Page,
    board: Loaded<Dashboard>,
) -> impl IntoView {
    let creating = RwSignal::new(None::<Creating>);
    let hydrated = use_hydrated();
    let create_buttons = move |board: Dashboard| {
        view! {
            {board
                .can_create_folder
                .then(|| {
                    view! {
                        <button
                            type="button"
                            disabled=move || !hydrated.get()
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
                            disabled=move || !hydrated.get()
                            on:click=move |_| creating.set(Some(Creating::App))
                        >
                            "Create app"
                        </button>
                    }
                })}
        }
    };

    view! {
        <Title text=workspace.name.clone() />
        <PagePanel
            title=workspace.name.clone()
            actions=view! { <div class="actions">{once_loaded(board, create_buttons)}</div> }
                .into_any()
        >
            <p>"You are " <strong>{workspace.role.label()}</strong> " in this workspace."</p>
            <NoticeBar notice=page.listing.notice />
            {when_list_loaded(
                board,
                move |board| view! { <DashboardApps board slug=page.slug.get_untracked() /> },
            )}
        </PagePanel>
        {move || match creating.get() {
            Some(Creating::App) => {
                let folders = board
                    .get_untracked()
                    .and_then(Result::ok)
                    .map(|board| {
                        board.folders.into_iter().map(|section| section.folder).collect()
                    })
                    .unwrap_or_default();
                view! {
                    <CreateAppDialog
                        page
                        folders
                        on_close=move |()| creating.set(None)
                    />
                }
                    .into_any()
            }
            Some(Creating::Folder) => {
                view! { <CreateFolderDialog page on_close=move |()| creating.set(None) /> }
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

/// A select of "No folder" and `folders`, bound to `folder`.
#[component]
pub(super) fn FolderSelect(
    id: &'static str,
    folders: Vec<FolderRef>,
    folder: RwSignal<Option<i64>>,
) -> impl IntoView {
    let options = std::iter::once((None, "No folder".to_string()))
        .chain(
            folders
                .into_iter()
                .map(|folder| (Some(folder.id), folder.name)),
        )
        .collect();
    let key = |folder: &Option<i64>| folder.map(|id| id.to_string()).unwrap_or_default();
    view! { <Select label="Folder" id options key value=folder /> }.into_any()
}

/// Create app: a name and a folder; the new app opens in its editor.
#[component]
fn CreateAppDialog(
    page: Page,
    folders: Vec<FolderRef>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let folder = RwSignal::new(None::<i64>);
    let navigate = use_navigate();
    let submit = move || {
        create_app(
            page.slug.get_untracked(),
            name.get_untracked(),
            folder.get_untracked(),
        )
    };
    let open_editor = move |id: i64| {
        navigate(
            &format!("/{}/apps/{id}/edit", page.slug.get_untracked()),
            Default::default(),
        );
    };
    view! {
        <FormDialog
            heading_id="create-app-title"
            heading="Create app"
            submit_label="Create app"
            submit
            on_saved=open_editor
            on_close
        >
            <Field label="Name" id="create-app-name" value=name autocomplete="off" />
            <FolderSelect id="create-app-folder" folders folder />
        </FormDialog>
    }
    .into_any()
}

#[component]
fn CreateFolderDialog(page: Page, #[prop(into)] on_close: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let submit = move || create_folder(page.slug.get_untracked(), name.get_untracked());
    let created = move |folder: FolderRef| {
        page.listing
            .done(format!("The folder {} has been created.", folder.name))
    };
    view! {
        <FormDialog
            heading_id="create-folder-title"
            heading="Create folder"
            submit_label="Create folder"
            submit
            on_saved=created
            on_close
        >
            <Field label="Name" id="create-folder-name" value=name autocomplete="off" />
        </FormDialog>
    }
    .into_any()
}
