//! A folder's page (`/{slug}/folders/{folder_id}`): the apps in it, Rename folder and
//! Delete folder for those allowed, and the Permissions section for admins.

use leptos::prelude::*;

use super::detail_page::{DeleteAndLeave, HeaderButton, ResourcePanel, detail_page};
use super::page::Page;
use super::widgets::AppLinks;
use super::{FolderDetails, delete_folder, open_folder, rename_folder};
use crate::ui::{Field, FormDialog};

#[component]
pub fn FolderPage() -> impl IntoView {
    detail_page("folder_id", open_folder, |folder, page| {
        view! { <FolderView folder page /> }
    })
}

#[component]
fn FolderView(folder: FolderDetails, page: Page) -> impl IntoView {
    let slug = page.slug.get_untracked();
    let renaming = RwSignal::new(false);
    let deleting = RwSignal::new(false);
    let folder_id = folder.id;
    let (can_rename, can_delete) = (folder.can_rename, folder.can_delete);
    let apps = if folder.apps.is_empty() {
        view! { <p class="empty">"There are no apps in this folder that you can open."</p> }
            .into_any()
    } else {
        view! { <AppLinks slug=slug.clone() apps=folder.apps.clone() /> }.into_any()
    };
    let name = StoredValue::new(folder.name.clone());

    view! {
        <ResourcePanel
            name=folder.name.clone()
            resource_id=folder_id
            is_admin=folder.is_admin
            page
            actions=move || {
                view! {
                    <div class="actions">
                        {can_rename
                            .then(|| view! { <HeaderButton label="Rename folder" opens=renaming /> })}
                        {can_delete
                            .then(|| {
                                view! {
                                    <HeaderButton label="Delete folder" class="danger" opens=deleting />
                                }
                            })}
                    </div>
                }
            }
        >
            <h2>"Apps in this folder"</h2>
            {apps}
        </ResourcePanel>
        <Show when=move || renaming.get()>
            <RenameFolderDialog
                page
                folder_id
                current=name.get_value()
                on_close=move |()| renaming.set(false)
            />
        </Show>
        <DeleteAndLeave
            open=deleting
            title="Delete folder"
            message=format!(
                "{} will be deleted. The apps in it stay, without a folder.",
                name.get_value(),
            )
            delete=delete_folder
            id=folder_id
            leave_to=format!("/{slug}")
            page
        />
    }
    .into_any()
}

#[component]
fn RenameFolderDialog(
    page: Page,
    folder_id: i64,
    current: String,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let name = RwSignal::new(current);
    let submit = move || rename_folder(page.slug.get_untracked(), folder_id, name.get_untracked());
    view! {
        <FormDialog
            heading_id="rename-folder-title"
            heading="Rename folder"
            submit_label="Rename"
            submit
            on_saved=move |()| page.listing.done("The folder has been renamed.".to_string())
            on_close
        >
            <Field label="Name" id="rename-folder-name" value=name autocomplete="off" />
        </FormDialog>
    }
    .into_any()
}
