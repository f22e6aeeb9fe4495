//! A folder's page (`/{slug}/folders/{folder_id}`): the apps in it, Rename folder and
//! Delete folder for those allowed, and the Permissions section for admins.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

use super::widgets::{
    AppLinks, ConfirmDelete, PermissionsSection, current_slug, load_by_id, when_ready,
};
use super::{FolderDetails, delete_folder, open_folder, rename_folder};
use crate::ui::{Field, FormError, Modal, Notice, NoticeBar, use_hydrated};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialog {
    Rename,
    Delete,
}

#[component]
pub fn FolderPage() -> impl IntoView {
    let version = RwSignal::new(0_u64);
    let notice = RwSignal::new(None::<Notice>);
    let details = load_by_id("folder_id", version, open_folder);
    when_ready(
        details,
        move |folder| view! { <FolderView folder version notice /> },
    )
}

#[component]
fn FolderView(
    folder: FolderDetails,
    version: RwSignal<u64>,
    notice: RwSignal<Option<Notice>>,
) -> impl IntoView {
    let slug = current_slug();
    let hydrated = use_hydrated();
    let dialog = RwSignal::new(None::<Dialog>);
    let navigate = use_navigate();
    let folder_id = folder.id;
    let delete = {
        let slug = slug.clone();
        move || {
            let slug = slug.clone();
            let navigate = navigate.clone();
            leptos::task::spawn_local(async move {
                match delete_folder(slug.clone(), folder_id).await {
                    Ok(()) => navigate(&format!("/{slug}"), Default::default()),
                    Err(error) => notice.set(Some(Notice::Failed(error.to_string()))),
                }
            });
        }
    };
    let apps = if folder.apps.is_empty() {
        view! { <p class="empty">"There are no apps in this folder that you can open."</p> }
            .into_any()
    } else {
        view! { <AppLinks slug=slug.clone() apps=folder.apps.clone() /> }.into_any()
    };
    let name = folder.name.clone();
    let button = move |label: &'static str, class: &'static str, which: Dialog| {
        view! {
            <button
                type="button"
                class=class
                disabled=move || !hydrated.get()
                on:click=move |_| dialog.set(Some(which))
            >
                {label}
            </button>
        }
    };

    view! {
        <Title text=folder.name.clone() />
        <section class="panel" aria-labelledby="page-title">
            <div class="panel-header">
                <h1 id="page-title">{folder.name.clone()}</h1>
                <div class="actions">
                    {folder.can_rename.then(|| button("Rename folder", "", Dialog::Rename))}
                    {folder.can_delete.then(|| button("Delete folder", "danger", Dialog::Delete))}
                </div>
            </div>
            <NoticeBar notice />
            <h2>"Apps in this folder"</h2>
            {apps}
        </section>
        {folder
            .is_admin
            .then(|| view! { <PermissionsSection slug=slug.clone() resource_id=folder.id /> })}
        {move || match dialog.get() {
            Some(Dialog::Rename) => {
                view! {
                    <RenameFolderDialog
                        slug=slug.clone()
                        folder_id
                        current=name.clone()
                        on_renamed=move |()| {
                            notice.set(Some(Notice::Done("The folder has been renamed.".to_string())));
                            version.update(|version| *version += 1);
                        }
                        on_close=move |()| dialog.set(None)
                    />
                }
                    .into_any()
            }
            Some(Dialog::Delete) => {
                let delete = delete.clone();
                view! {
                    <ConfirmDelete
                        title="Delete folder"
                        message=format!(
                            "{name} will be deleted. The apps in it stay, without a folder.",
                        )
                        on_confirm=move |()| delete()
                        on_close=move |()| dialog.set(None)
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
fn RenameFolderDialog(
    slug: String,
    folder_id: i64,
    current: String,
    #[prop(into)] on_renamed: Callback<()>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let name = RwSignal::new(current);
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let slug = StoredValue::new(slug);
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        saving.set(true);
        let request = rename_folder(slug.get_value(), folder_id, name.get_untracked());
        leptos::task::spawn_local(async move {
            match request.await {
                Ok(()) => {
                    on_renamed.try_run(());
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
        <Modal labelled_by="rename-folder-title" on_close>
            <h2 id="rename-folder-title">"Rename folder"</h2>
            <form on:submit=submit>
                <Field label="Name" id="rename-folder-name" value=name autocomplete="off" />
                <FormError message=error />
                <div class="actions">
                    <button type="button" on:click=move |_| on_close.run(())>
                        "Cancel"
                    </button>
                    <button type="submit" class="primary" disabled=move || saving.get()>
                        "Rename"
                    </button>
                </div>
            </form>
        </Modal>
    }
    .into_any()
}
