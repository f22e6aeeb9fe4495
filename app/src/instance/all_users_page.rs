//! Settings › All users: every user of the instance with the Total users and Builders
//! counters, search, a status filter and pages, and each row's actions.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{
    AccountDetails, AccountStatus, InstanceUser, InstanceUserPage, PasswordReset, SettingsFrame,
    UserCounts, archive_instance_user, instance_user_details, instance_user_workspaces,
    list_instance_users, reset_password, sign_out_instance_user_everywhere,
    unarchive_instance_user, update_instance_user,
};
use crate::loading::load;
use crate::ui::{
    ActionTable, ConfirmDialog, Field, FormDialog, FormError, Listing, MenuItem, Modal, NoticeBar,
    PageCursor, PagePanel, Pager, PeopleFilters, Person, ResultsAnnouncer, RowMenu, StatusBadge,
    SuperAdminBadge, found, once_loaded, when_answered, when_list_loaded,
};

#[component]
pub fn AllUsersPage() -> impl IntoView {
    let listing = Listing::new();
    let search = RwSignal::new(String::new());
    let status = RwSignal::new(String::from("all"));
    let cursor = RwSignal::new(PageCursor::First);
    // Rendered on the server with the first page in it, then loaded again for every
    // keystroke, filter, page and change.
    let users = load(
        move || {
            let (after, before) = cursor.get().bounds();
            (
                search.get(),
                status.get(),
                after,
                before,
                listing.version.get(),
            )
        },
        |(search, status, after, before, _)| {
            list_instance_users(Some(search), Some(status), after, before)
        },
    );

    view! {
        <Title text="All users" />
        <SettingsFrame>
            <PagePanel
                title="All users"
                actions=once_loaded(users, |page| view! { <Counters counts=page.counts /> })
            >
                <NoticeBar notice=listing.notice />
                <PeopleFilters id_prefix="instance-user" search status cursor />
                <ResultsAnnouncer results=users describe=users_found />
                {when_list_loaded(users, move |page| view! { <UserTable page cursor listing /> })}
            </PagePanel>
        </SettingsFrame>
    }
    .into_any()
}

/// The two counters at the top right, each an output named by its label.
#[component]
fn Counters(counts: UserCounts) -> impl IntoView {
    view! {
        <div class="counters">
            <div class="counter">
                <span id="total-users-label">"Total users"</span>
                <output aria-labelledby="total-users-label">{counts.total_users}</output>
            </div>
            <div class="counter">
                <span id="builders-label">"Builders"</span>
                <output aria-labelledby="builders-label">{counts.builders}</output>
            </div>
        </div>
    }
}

/// What a search found, for screen readers.
fn users_found(page: &InstanceUserPage) -> String {
    found(
        page.users.len(),
        page.next_after.is_some(),
        ("user", "users"),
    )
}

#[component]
fn UserTable(
    page: InstanceUserPage,
    cursor: RwSignal<PageCursor>,
    listing: Listing,
) -> impl IntoView {
    let empty = page.users.is_empty();
    view! {
        {empty.then(|| view! { <p class="empty-state">"No user matches. Try another search, status or workspace."</p> })}
        <ActionTable
            cards=true
            caption="Users of this instance"
            columns=&["Name", "Email", "Type", "Workspaces", "Status"]
        >
            {page
                .users
                .into_iter()
                .map(|user| view! { <UserRow user listing /> })
                .collect_view()}
        </ActionTable>
        <Pager cursor previous_before=page.previous_before next_after=page.next_after />
    }
    .into_any()
}

/// What a row's menu is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
enum RowDialog {
    Edit,
    Workspaces,
    ResetPassword,
    ShowPassword(String),
    ConfirmArchive,
    ConfirmSignOut,
}

#[component]
fn UserRow(user: InstanceUser, listing: Listing) -> impl IntoView {
    let menu_open = RwSignal::new(false);
    let dialog = RwSignal::new(None::<RowDialog>);
    let user_id = user.user_id;
    let email = StoredValue::new(user.email.clone());
    let name = StoredValue::new(user.full_name.clone());
    let archived = user.status == AccountStatus::Archived;
    let open = move |which: RowDialog| {
        menu_open.set(false);
        dialog.set(Some(which));
    };
    let unarchive = move || {
        menu_open.set(false);
        listing.report(
            unarchive_instance_user(user_id),
            format!(
                "{} can sign in again. Each workspace must invite them again.",
                email.get_value()
            ),
        );
    };
    let archive = move || {
        dialog.set(None);
        listing.report(
            archive_instance_user(user_id),
            format!(
                "{} has been archived from this instance.",
                email.get_value()
            ),
        );
    };

    let sign_out = move || {
        dialog.set(None);
        listing.report(
            sign_out_instance_user_everywhere(user_id),
            format!("{} has been signed out everywhere.", email.get_value()),
        );
    };

    view! {
        <tr>
            <td data-label="Name">
                <Person full_name=user.full_name.clone() email=user.email.clone() />
            </td>
            <td data-label="Email">{user.email.clone()}</td>
            <td data-label="Type">
                {if user.is_super_admin {
                    view! { <SuperAdminBadge /> }.into_any()
                } else {
                    user.type_label().into_any()
                }}
            </td>
            <td data-label="Workspaces">{user.workspaces}</td>
            <td data-label="Status">
                <StatusBadge status=user.status />
            </td>
            <td class="row-menu">
                <RowMenu label=format!("More actions for {}", user.email) open=menu_open>
                    <MenuItem label="Edit user details" on_click=move |()| open(RowDialog::Edit) />
                    <MenuItem label="Workspaces" on_click=move |()| open(RowDialog::Workspaces) />
                    <MenuItem label="Reset password" on_click=move |()| open(RowDialog::ResetPassword) />
                    <MenuItem
                        label="Sign out everywhere"
                        on_click=move |()| open(RowDialog::ConfirmSignOut)
                    />
                    {if archived {
                        view! { <MenuItem label="Unarchive" on_click=move |()| unarchive() /> }.into_any()
                    } else {
                        view! { <MenuItem label="Archive from instance" on_click=move |()| open(RowDialog::ConfirmArchive) /> }.into_any()
                    }}
                </RowMenu>
                {move || {
                    let close = move |()| dialog.set(None);
                    match dialog.get() {
                        Some(RowDialog::Edit) => {
                            view! { <EditAccountDialog user_id listing on_close=close /> }.into_any()
                        }
                        Some(RowDialog::Workspaces) => {
                            view! {
                                <WorkspacesDialog user_id email=email.get_value() on_close=close />
                            }
                                .into_any()
                        }
                        Some(RowDialog::ResetPassword) => {
                            view! {
                                <ResetPasswordDialog
                                    user_id
                                    email=email.get_value()
                                    listing
                                    dialog
                                />
                            }
                                .into_any()
                        }
                        Some(RowDialog::ShowPassword(password)) => {
                            view! { <GeneratedPassword password email=email.get_value() on_close=close /> }
                                .into_any()
                        }
                        Some(RowDialog::ConfirmArchive) => {
                            view! {
                                <ConfirmDialog
                                    heading_id="archive-user-title"
                                    heading="Archive from instance"
                                    message=format!(
                                        "{} is archived in every workspace and signed out everywhere, and can't sign in or join a workspace until a super admin unarchives them.",
                                        name.get_value(),
                                    )
                                    confirm_label="Archive"
                                    on_confirm=move |()| archive()
                                    on_close=close
                                />
                            }
                                .into_any()
                        }
                        Some(RowDialog::ConfirmSignOut) => {
                            view! {
                                <ConfirmDialog
                                    heading_id="sign-out-user-title"
                                    heading="Sign out everywhere"
                                    message=format!(
                                        "{} is signed out in every browser and signs in again to go on.",
                                        email.get_value(),
                                    )
                                    confirm_label="Sign out everywhere"
                                    on_confirm=move |()| sign_out()
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

/// Full name, the email it can't change, and the Super admin switch.
#[component]
fn EditAccountDialog(
    user_id: i64,
    listing: Listing,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let details = LocalResource::new(move || instance_user_details(user_id));
    move || match details.get() {
        Some(Ok(account)) => view! { <EditAccountForm account listing on_close /> }.into_any(),
        loading_or_failed => view! {
            <Modal labelled_by="edit-account-title" on_close>
                <h2 id="edit-account-title">"Edit user details"</h2>
                {match loading_or_failed {
                    Some(Err(error)) => {
                        view! { <FormError message=Some(error.to_string()) /> }.into_any()
                    }
                    _ => view! { <p class="loading">"Loading…"</p> }.into_any(),
                }}
                <div class="actions">
                    <button type="button" on:click=move |_| on_close.run(())>
                        "Cancel"
                    </button>
                </div>
            </Modal>
        }
        .into_any(),
    }
}

#[component]
fn EditAccountForm(
    account: AccountDetails,
    listing: Listing,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let full_name = RwSignal::new(account.full_name.clone());
    let super_admin = RwSignal::new(account.is_super_admin);
    let user_id = account.user_id;
    view! {
        <FormDialog
            heading_id="edit-account-title"
            heading="Edit user details"
            submit_label="Update"
            submit=move || {
                update_instance_user(user_id, full_name.get_untracked(), super_admin.get_untracked())
            }
            on_saved=move |()| listing.done("The user's details have been updated.")
            on_close
        >
            <Field label="Full name" id="account-full-name" value=full_name />
            <div class="field">
                <span class="label" id="account-email-label">"Email address"</span>
                <p aria-labelledby="account-email-label">{account.email.clone()}</p>
            </div>
            <div class="field checkbox">
                <input
                    id="account-super-admin"
                    type="checkbox"
                    bind:checked=super_admin
                    aria-describedby="account-super-admin-hint"
                />
                <label for="account-super-admin">"Super admin"</label>
                <p class="hint" id="account-super-admin-hint">
                    "Super admins manage every user and workspace of this instance."
                </p>
            </div>
        </FormDialog>
    }
}

/// Generate a password, or set one. A generated password is shown once afterwards.
#[component]
fn ResetPasswordDialog(
    user_id: i64,
    email: String,
    listing: Listing,
    dialog: RwSignal<Option<RowDialog>>,
) -> impl IntoView {
    let generate = RwSignal::new(true);
    let password = RwSignal::new(String::new());
    let saved = move |reset: PasswordReset| {
        listing.say(format!("The password of {email} has been reset."));
        dialog.set(reset.generated.map(RowDialog::ShowPassword));
    };
    // Closing after a save must leave the generated password on screen.
    let close = move |()| {
        if dialog.get_untracked() == Some(RowDialog::ResetPassword) {
            dialog.set(None);
        }
    };
    view! {
        <FormDialog
            heading_id="reset-password-title"
            heading="Reset password"
            submit_label="Reset password"
            submit=move || {
                let chosen = (!generate.get_untracked()).then(|| password.get_untracked());
                reset_password(user_id, chosen)
            }
            on_saved=saved
            on_close=close
        >
            <p>"Every session of this user ends."</p>
            <fieldset>
                <legend>"New password"</legend>
                <div class="field checkbox">
                    <input
                        id="password-generate"
                        type="radio"
                        name="password-mode"
                        prop:checked=move || generate.get()
                        on:change=move |_| generate.set(true)
                    />
                    <label for="password-generate">"Generate a password"</label>
                </div>
                <div class="field checkbox">
                    <input
                        id="password-set"
                        type="radio"
                        name="password-mode"
                        prop:checked=move || !generate.get()
                        on:change=move |_| generate.set(false)
                    />
                    <label for="password-set">"Set a password"</label>
                </div>
            </fieldset>
            <Show when=move || !generate.get()>
                <Field
                    label="Password"
                    id="reset-password-value"
                    kind="password"
                    autocomplete="new-password"
                    value=password
                    hint="At least 8 characters."
                />
            </Show>
        </FormDialog>
    }
}

#[component]
fn GeneratedPassword(
    password: String,
    email: String,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    view! {
        <Modal labelled_by="generated-password-title" on_close>
            <h2 id="generated-password-title">"New password"</h2>
            <p>
                {format!(
                    "Pass this password on to {email}. It is shown only now; Gatehouse keeps only a hash of it.",
                )}
            </p>
            <label for="generated-password">"Generated password"</label>
            <input id="generated-password" readonly prop:value=password />
            <div class="actions">
                <button type="button" on:click=move |_| on_close.run(())>
                    "Done"
                </button>
            </div>
        </Modal>
    }
}

/// The user's workspaces with their role and status in each.
#[component]
fn WorkspacesDialog(
    user_id: i64,
    email: String,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let workspaces = LocalResource::new(move || instance_user_workspaces(user_id));
    let caption = format!("Workspaces of {email}");
    view! {
        <Modal labelled_by="user-workspaces-title" on_close>
            <h2 id="user-workspaces-title">{caption.clone()}</h2>
            {when_answered(
                workspaces,
                move |workspaces| {
                    view! {
                        <table>
                            <caption class="visually-hidden">{caption.clone()}</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Workspace"</th>
                                    <th scope="col">"Role"</th>
                                    <th scope="col">"Status"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {workspaces
                                    .into_iter()
                                    .map(|workspace| {
                                        let status = if workspace.workspace_archived {
                                            format!("{} (workspace archived)", workspace.status.label())
                                        } else {
                                            workspace.status.label().to_string()
                                        };
                                        view! {
                                            <tr>
                                                <td>{workspace.name}</td>
                                                <td>{workspace.role.label()}</td>
                                                <td>{status}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    }
                },
            )}
            <div class="actions">
                <button type="button" on:click=move |_| on_close.run(())>
                    "Done"
                </button>
            </div>
        </Modal>
    }
}
