//! The Edit user details drawer: role and metadata, with a confirmation before a role
//! change.

use leptos::prelude::*;

use super::group_picker::{GroupPicker, loaded_groups};
use super::members::{
    MemberDetails, RoleChangePreview, member_for_editing, preview_role_change, update_member,
};
use super::role_select::RoleSelect;
use super::users_page::UsersContext;
use crate::error::AppError;
use crate::groups::PendingPromotion;
use crate::loading::load;
use crate::metadata::{MetadataEditor, MetadataRow, edits_of};
use crate::ui::{FormError, Modal};

#[component]
pub(super) fn EditUserDialog(
    user_id: i64,
    context: UsersContext,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let details = load(
        move || (),
        move |_| member_for_editing(context.slug.get_untracked(), user_id),
    );
    view! {
        <Modal labelled_by="edit-user-title" on_close>
            <h2 id="edit-user-title">"Edit user details"</h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match details.await {
                        Ok(details) => view! { <EditUserForm details context on_close /> }.into_any(),
                        Err(error) => view! { <FormError message=Some(error.to_string()) /> }.into_any(),
                    }
                })}
            </Suspense>
        </Modal>
    }
    .into_any()
}

#[component]
fn EditUserForm(
    details: MemberDetails,
    context: UsersContext,
    on_close: Callback<()>,
) -> impl IntoView {
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
    let group_ids = RwSignal::new(details.group_ids.clone());
    let confirming = RwSignal::new(None::<RoleChangePreview>);
    // End-users that the chosen groups would make Builders, awaiting the admin's word.
    let consent = RwSignal::new(None::<Vec<String>>);
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let user_id = details.user_id;
    let save = move |allow_role_change: bool| {
        confirming.set(None);
        consent.set(None);
        saving.set(true);
        let slug = context.slug.get_untracked();
        let role = role.get_untracked();
        let edits = edits_of(&metadata.get_untracked());
        let groups = group_ids.get_untracked();
        leptos::task::spawn_local(async move {
            let outcome = update_member(
                slug,
                user_id,
                role.key().to_string(),
                edits,
                Some(groups),
                allow_role_change,
            )
            .await;
            match outcome {
                Ok(()) => {
                    context
                        .listing
                        .done("The user has been updated.".to_string());
                    on_close.run(());
                }
                Err(AppError::RoleChangeNeeded { users }) => {
                    saving.set(false);
                    consent.set(Some(users));
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
        let new_role = role.get_untracked();
        if new_role == original_role {
            save(false);
            return;
        }
        // What the change would do comes from the server: which custom groups the member
        // would leave and which apps would pass to you.
        let slug = context.slug.get_untracked();
        leptos::task::spawn_local(async move {
            match preview_role_change(slug, user_id, new_role.key().to_string()).await {
                Ok(preview) => confirming.set(Some(preview)),
                Err(failure) => error.set(Some(failure.to_string())),
            }
        });
    };

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
            <GroupPicker groups=loaded_groups(context.groups) chosen=group_ids />
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
        {move || {
            confirming
                .get()
                .map(|preview| {
                    view! {
                        <Modal labelled_by="role-change-title" on_close=move |()| confirming.set(None)>
                            <h2 id="role-change-title">"Edit user role"</h2>
                            <p>{preview.summary.clone()}</p>
                            <ConsequenceList
                                label="Custom groups they will leave"
                                items=preview.groups_to_leave.clone()
                            />
                            <ConsequenceList
                                label="Apps that will be transferred to you"
                                items=preview.apps_to_transfer.clone()
                            />
                            <div class="actions">
                                <button type="button" on:click=move |_| confirming.set(None)>
                                    "Cancel"
                                </button>
                                <button type="button" class="primary" on:click=move |_| save(false)>
                                    "Continue"
                                </button>
                            </div>
                        </Modal>
                    }
                })
        }}
        <PendingPromotion waiting=consent on_continue=move |()| save(true) />
    }
    .into_any()
}

/// A labelled list of what a role change does, left out when there is nothing.
#[component]
pub(crate) fn ConsequenceList(label: &'static str, items: Vec<String>) -> impl IntoView {
    (!items.is_empty()).then(|| {
        view! {
            <p>{label}":"</p>
            <ul aria-label=label>
                {items.into_iter().map(|item| view! { <li>{item}</li> }).collect_view()}
            </ul>
        }
    })
}
