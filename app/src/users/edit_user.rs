//! The Edit user details drawer: role and metadata, with a confirmation before a role
//! change.

use leptos::prelude::*;

use super::members::{MemberDetails, member_for_editing, update_member};
use super::role_select::RoleSelect;
use super::users_page::Listing;
use crate::memberships::role_change_summary;
use crate::metadata::{MetadataEditor, MetadataRow, edits_of};
use crate::ui::{FormError, Modal};

#[component]
pub(super) fn EditUserDialog(
    user_id: i64,
    listing: Listing,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let details = Resource::new(
        move || (),
        move |_| member_for_editing(listing.slug.get_value(), user_id),
    );
    view! {
        <Modal labelled_by="edit-user-title" on_close>
            <h2 id="edit-user-title">"Edit user details"</h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match details.await {
                        Ok(details) => view! { <EditUserForm details listing on_close /> }.into_any(),
                        Err(error) => view! { <FormError message=Some(error.to_string()) /> }.into_any(),
                    }
                })}
            </Suspense>
        </Modal>
    }
    .into_any()
}

#[component]
fn EditUserForm(details: MemberDetails, listing: Listing, on_close: Callback<()>) -> impl IntoView {
    let original_role = details.role;
    let role = RwSignal::new(details.role);
    let metadata = RwSignal::new(
        details
            .metadata_keys
            .iter()
            .enumerate()
            .map(|(index, key)| MetadataRow::stored(index, key.clone()))
            .collect::<Vec<_>>(),
    );
    let confirming = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let user_id = details.user_id;
    let save = move || {
        confirming.set(false);
        saving.set(true);
        let slug = listing.slug.get_value();
        let role = role.get_untracked();
        let edits = edits_of(&metadata.get_untracked());
        leptos::task::spawn_local(async move {
            match update_member(slug, user_id, role.key().to_string(), edits).await {
                Ok(()) => {
                    listing.done("The user has been updated.".to_string());
                    on_close.run(());
                }
                Err(failure) => {
                    saving.set(false);
                    error.set(Some(failure.to_string()));
                }
            }
        });
    };
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if role.get_untracked() == original_role {
            save();
        } else {
            confirming.set(true);
        }
    };
    let name = details.full_name.clone();
    let summary = Signal::derive(move || role_change_summary(&name, original_role, role.get()));

    view! {
        <form on:submit=submit>
            <div class="field">
                <label for="edit-name">"Name"</label>
                <input id="edit-name" readonly value=details.full_name.clone() />
            </div>
            <div class="field">
                <label for="edit-email">"Email address"</label>
                <input id="edit-email" readonly value=details.email.clone() />
            </div>
            <RoleSelect id="edit-role" role />
            <MetadataEditor rows=metadata />
            <FormError message=error />
            <div class="actions">
                <button type="button" on:click=move |_| on_close.run(())>
                    "Cancel"
                </button>
                <button type="submit" class="primary" disabled=move || saving.get()>
                    "Update"
                </button>
            </div>
        </form>
        <Show when=move || confirming.get()>
            <Modal labelled_by="role-change-title" on_close=move |()| confirming.set(false)>
                <h2 id="role-change-title">"Edit user role"</h2>
                <p>{summary}</p>
                <div class="actions">
                    <button type="button" on:click=move |_| confirming.set(false)>
                        "Cancel"
                    </button>
                    <button type="button" class="primary" on:click=move |_| save()>
                        "Continue"
                    </button>
                </div>
            </Modal>
        </Show>
    }
    .into_any()
}
