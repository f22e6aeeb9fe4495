//! The Add users drawer: invite one person by email, or many from a CSV file.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::bulk_invite::UploadPanel;
use super::group_picker::{GroupPicker, loaded_groups};
use super::members::InviteMember;
use super::role_select::RoleSelect;
use super::users_page::UsersContext;
use crate::error::AppError;
use crate::groups::PendingPromotion;
use crate::memberships::Role;
use crate::metadata::{MetadataEditor, MetadataRow, edits_of};
use crate::ui::{Field, FormError, Modal};

#[component]
pub(super) fn AddUsersDialog(
    context: UsersContext,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let full_name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let role = RwSignal::new(Role::EndUser);
    let metadata = RwSignal::new(Vec::<MetadataRow>::new());
    let group_ids = RwSignal::new(Vec::<i64>::new());
    let uploading_csv = RwSignal::new(false);
    let invite = ServerAction::<InviteMember>::new();
    // End-users that the chosen groups would make Builders, awaiting the admin's word.
    let consent = RwSignal::new(None::<Vec<String>>);
    Effect::new(move |_| {
        if let Some(Err(AppError::RoleChangeNeeded { users })) = invite.value().get() {
            consent.set(Some(users));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(sent)) = invite.value().get() {
            let message = if sent.mail_queued {
                format!("Invitation sent to {}.", sent.email)
            } else {
                format!(
                    "{} was invited, but the mail could not be queued. Use Copy link instead.",
                    sent.email
                )
            };
            context.listing.done(message);
            on_close.run(());
        }
    });
    let error = Signal::derive(move || {
        invite
            .value()
            .get()
            .and_then(Result::err)
            .filter(|error| !matches!(error, AppError::RoleChangeNeeded { .. }))
            .map(|error| error.to_string())
    });
    let send = move |allow_role_change: bool| {
        invite.dispatch(InviteMember {
            slug: context.slug.get_untracked(),
            full_name: full_name.get_untracked(),
            email: email.get_untracked(),
            role: role.get_untracked().key().to_string(),
            metadata: edits_of(&metadata.get_untracked()),
            group_ids: group_ids.get_untracked(),
            allow_role_change,
        });
    };
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        send(false);
    };

    view! {
        <Modal labelled_by="add-users-title" on_close>
            <h2 id="add-users-title">"Add users"</h2>
            <div role="tablist" aria-label="How to add users">
                <button
                    type="button"
                    role="tab"
                    id="invite-tab"
                    aria-controls="invite-panel"
                    aria-selected=move || (!uploading_csv.get()).to_string()
                    on:click=move |_| uploading_csv.set(false)
                >
                    "Invite with email"
                </button>
                <button
                    type="button"
                    role="tab"
                    id="upload-tab"
                    aria-controls="upload-panel"
                    aria-selected=move || uploading_csv.get().to_string()
                    on:click=move |_| uploading_csv.set(true)
                >
                    "Upload CSV file"
                </button>
            </div>
            <Show
                when=move || uploading_csv.get()
                fallback=move || {
                    view! {
                        <form id="invite-panel" role="tabpanel" aria-labelledby="invite-tab" on:submit=submit>
                            <Field
                                label="Full name"
                                id="invite-full-name"
                                value=full_name
                                autocomplete="off"
                                optional=true
                                hint="Optional: without one, the name comes from the email address until they set their own."
                            />
                            <Field label="Email address" id="invite-email" kind="email" value=email autocomplete="off" />
                            <RoleSelect id="invite-role" role />
                            <GroupPicker groups=loaded_groups(context.groups) chosen=group_ids />
                            <MetadataEditor rows=metadata />
                            <FormError message=error />
                            <div class="actions">
                                <button type="button" on:click=move |_| on_close.run(())>
                                    "Cancel"
                                </button>
                                <button type="submit" class="primary" disabled=move || invite.pending().get()>
                                    "Invite users"
                                </button>
                            </div>
                        </form>
                    }
                    .into_any()
                }
            >
                <UploadPanel context on_close />
            </Show>
        </Modal>
        <PendingPromotion waiting=consent on_continue=move |()| send(true) />
    }
    .into_any()
}
