//! Settings › Workspaces: every workspace of the instance; create, rename, archive and
//! unarchive.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{
    SettingsFrame, WorkspaceListing, all_workspaces, rename_workspace, set_workspace_archived,
};
use crate::ui::{
    ActionTable, ConfirmDialog, Field, FormDialog, Listing, MenuItem, NoticeBar, PagePanel,
    RowMenu, use_hydrated, when_list_loaded,
};
use crate::workspaces::CreateWorkspaceDialog;

#[component]
pub fn WorkspacesPage() -> impl IntoView {
    let listing = Listing::new();
    let workspaces = listing.load(all_workspaces);
    let hydrated = use_hydrated();
    let creating = RwSignal::new(false);
    view! {
        <Title text="Workspaces" />
        <SettingsFrame>
        <PagePanel
            title="Workspaces"
            actions=view! {
                <button
                    type="button"
                    class="primary"
                    disabled=move || !hydrated.get()
                    on:click=move |_| creating.set(true)
                >
                    "Create workspace"
                </button>
            }
                .into_any()
        >
            <p>"Every workspace of this instance."</p>
            <NoticeBar notice=listing.notice />
            {when_list_loaded(
                workspaces,
                move |workspaces| {
                    view! {
                        <ActionTable
                            caption="Workspaces"
                            columns=&["Name", "URL", "Status", "Active members"]
                        >
                            {workspaces
                                .into_iter()
                                .map(|workspace| view! { <WorkspaceRow workspace listing /> })
                                .collect_view()}
                        </ActionTable>
                    }
                },
            )}
        </PagePanel>
        <Show when=move || creating.get()>
            <CreateWorkspaceDialog on_close=move |()| creating.set(false) />
        </Show>
        </SettingsFrame>
    }
    .into_any()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowDialog {
    Rename,
    ConfirmArchive,
}

#[component]
fn WorkspaceRow(workspace: WorkspaceListing, listing: Listing) -> impl IntoView {
    let menu_open = RwSignal::new(false);
    let dialog = RwSignal::new(None::<RowDialog>);
    let slug = StoredValue::new(workspace.slug.clone());
    let name = StoredValue::new(workspace.name.clone());
    let archived = workspace.archived;
    let set_archived = move |archive: bool| {
        menu_open.set(false);
        dialog.set(None);
        let done = if archive {
            format!("{} has been archived.", name.get_value())
        } else {
            format!("{} is active again.", name.get_value())
        };
        listing.report(set_workspace_archived(slug.get_value(), archive), done);
    };
    let open = move |which: RowDialog| {
        menu_open.set(false);
        dialog.set(Some(which));
    };
    view! {
        <tr>
            <td>
                {if archived {
                    view! { <span>{workspace.name.clone()}</span> }.into_any()
                } else {
                    // Super admins manage every workspace, member or not.
                    view! {
                        <a href=format!("/{}/settings/users", workspace.slug)>{workspace.name.clone()}</a>
                    }
                        .into_any()
                }}
            </td>
            <td>{format!("/{}", workspace.slug)}</td>
            <td>{if archived { "Archived" } else { "Active" }}</td>
            <td>{workspace.active_members}</td>
            <td class="row-menu">
                <RowMenu label=format!("More actions for workspace {}", workspace.name) open=menu_open>
                    <MenuItem label="Rename" on_click=move |()| open(RowDialog::Rename) />
                    {if archived {
                        view! { <MenuItem label="Unarchive workspace" on_click=move |()| set_archived(false) /> }.into_any()
                    } else {
                        view! { <MenuItem label="Archive workspace" on_click=move |()| open(RowDialog::ConfirmArchive) /> }.into_any()
                    }}
                </RowMenu>
                {move || {
                    let close = move |()| dialog.set(None);
                    match dialog.get() {
                        Some(RowDialog::Rename) => {
                            view! { <RenameDialog slug=slug.get_value() name=name.get_value() listing on_close=close /> }
                                .into_any()
                        }
                        Some(RowDialog::ConfirmArchive) => {
                            view! {
                                <ConfirmDialog
                                    heading_id="archive-workspace-title"
                                    heading="Archive workspace"
                                    message=format!(
                                        "Nobody can enter {} while it is archived, and its invitation links stop working. Its members, apps and settings are kept.",
                                        name.get_value(),
                                    )
                                    confirm_label="Archive"
                                    on_confirm=move |()| set_archived(true)
                                    on_close=close
                                />
                            }
                                .into_any()
                        }
                        None => ().into_any(),
                    }
                }}
            </td>
        </tr>
    }
    .into_any()
}

#[component]
fn RenameDialog(
    slug: String,
    name: String,
    listing: Listing,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let new_name = RwSignal::new(name);
    let slug = StoredValue::new(slug);
    view! {
        <FormDialog
            heading_id="rename-workspace-title"
            heading="Rename workspace"
            submit_label="Rename"
            submit=move || rename_workspace(slug.get_value(), new_name.get_untracked())
            on_saved=move |()| listing.done("The workspace has been renamed.")
            on_close
        >
            <Field label="Workspace name" id="rename-workspace-name" value=new_name />
            <p class="hint">"Its URL stays the same, so links to it keep working."</p>
        </FormDialog>
    }
}
