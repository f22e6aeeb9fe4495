//! Workspace settings › Users: the member table with search, status filter and pages,
//! and each row's actions.

use leptos::prelude::*;
use leptos_meta::Title;

use super::add_users::AddUsersDialog;
use super::edit_user::EditUserDialog;
use super::effective_permissions::EffectivePermissionsDialog;
use super::members::{
    MemberPage, MemberRow, StatusFilter, archive_member, invitation_link, list_members,
    remove_member, resend_invitation, unarchive_member,
};
use crate::memberships::MembershipStatus;
use crate::ui::{ActionTable, Modal, Notice, NoticeBar, use_hydrated, when_loaded};
use crate::workspaces::CurrentWorkspace;

/// Which page of the listing is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Position {
    First,
    After(String),
    Before(String),
}

/// Shared by the page's dialogs and rows: reload the listing and say what happened.
#[derive(Clone, Copy)]
pub(super) struct Listing {
    pub slug: StoredValue<String>,
    version: RwSignal<u64>,
    notice: RwSignal<Option<Notice>>,
}

impl Listing {
    pub fn done(&self, message: String) {
        self.notice.set(Some(Notice::Done(message)));
        self.version.update(|version| *version += 1);
    }

    pub fn failed(&self, message: String) {
        self.notice.set(Some(Notice::Failed(message)));
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let CurrentWorkspace(workspace) = expect_context::<CurrentWorkspace>();
    let listing = Listing {
        slug: StoredValue::new(workspace.slug.clone()),
        version: RwSignal::new(0),
        notice: RwSignal::new(None),
    };
    let search = RwSignal::new(String::new());
    let status = RwSignal::new(StatusFilter::All);
    let position = RwSignal::new(Position::First);
    // Loaded in the browser only, after hydration: the table follows every keystroke in
    // the search box, and the server-rendered page and the browser's first render both
    // show "Loading…", so they never disagree. Only the newest request's answer is shown.
    let page = RwSignal::new(None::<Result<MemberPage, crate::error::AppError>>);
    let latest_request = StoredValue::new(0_u64);
    Effect::new(move |_| {
        let (after, before) = match position.get() {
            Position::First => (None, None),
            Position::After(email) => (Some(email), None),
            Position::Before(email) => (None, Some(email)),
        };
        let search = search.get();
        let status = status.get().key().to_string();
        listing.version.track();
        let request = latest_request.get_value() + 1;
        latest_request.set_value(request);
        leptos::task::spawn_local(async move {
            let answer = list_members(
                listing.slug.get_value(),
                Some(search),
                Some(status),
                after,
                before,
            )
            .await;
            if latest_request.get_value() == request {
                page.set(Some(answer));
            }
        });
    });
    let hydrated = use_hydrated();
    let adding = RwSignal::new(false);

    view! {
        <Title text="Users" />
        <section class="panel" aria-labelledby="page-title">
            <div class="panel-header">
                <h1 id="page-title">"Users"</h1>
                <button
                    type="button"
                    class="primary"
                    disabled=move || !hydrated.get()
                    on:click=move |_| adding.set(true)
                >
                    "Add users"
                </button>
            </div>
            <NoticeBar notice=listing.notice />
            <div class="filters">
                <div class="field">
                    <label for="member-search">"Search by name or email"</label>
                    <input
                        id="member-search"
                        type="search"
                        prop:value=move || search.get()
                        on:input:target=move |event| {
                            search.set(event.target().value());
                            position.set(Position::First);
                        }
                    />
                </div>
                <div class="field">
                    <label for="member-status">"Status"</label>
                    <select
                        id="member-status"
                        on:change:target=move |event| {
                            status
                                .set(StatusFilter::parse(&event.target().value()).unwrap_or(StatusFilter::All));
                            position.set(Position::First);
                        }
                    >
                        // Written out rather than generated: a generated list after a
                        // fixed option doesn't hydrate inside <select> in Chromium.
                        <option value="all">"All"</option>
                        <option value="invited">"Invited"</option>
                        <option value="active">"Active"</option>
                        <option value="archived">"Archived"</option>
                    </select>
                </div>
            </div>
            {when_loaded(page, move |page| view! { <MemberTable page position listing /> })}
        </section>
        <Show when=move || adding.get()>
            <AddUsersDialog listing on_close=move |()| adding.set(false) />
        </Show>
    }
    .into_any()
}

#[component]
fn MemberTable(page: MemberPage, position: RwSignal<Position>, listing: Listing) -> impl IntoView {
    let total = page.total;
    let next = page.next_after.clone();
    let previous = page.previous_before.clone();
    let counted = if total == 1 {
        "1 user".to_string()
    } else {
        format!("{total} users")
    };
    view! {
        <p class="count">{counted}</p>
        <ActionTable
            caption="Members of this workspace"
            columns=&["Name", "Email", "Role", "Status", "Metadata"]
        >
            {page
                .members
                .into_iter()
                .map(|member| view! { <MemberTableRow member listing /> })
                .collect_view()}
        </ActionTable>
        <nav class="pages" aria-label="Pages">
            <button
                type="button"
                disabled=previous.is_none()
                on:click=move |_| {
                    if let Some(before) = previous.clone() {
                        position.set(Position::Before(before));
                    }
                }
            >
                "Previous page"
            </button>
            <button
                type="button"
                disabled=next.is_none()
                on:click=move |_| {
                    if let Some(after) = next.clone() {
                        position.set(Position::After(after));
                    }
                }
            >
                "Next page"
            </button>
        </nav>
    }
    .into_any()
}

/// What a row's menu is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowDialog {
    Edit,
    Permissions,
    ConfirmRemove,
    ShowLink,
}

#[component]
fn MemberTableRow(member: MemberRow, listing: Listing) -> impl IntoView {
    let menu_open = RwSignal::new(false);
    let dialog = RwSignal::new(None::<RowDialog>);
    let link = RwSignal::new(String::new());
    let user_id = member.user_id;
    let email = member.email.clone();
    let email_for_dialog = member.email.clone();
    let name = member.full_name.clone();
    let status = member.status;
    let metadata = if member.metadata_keys == 0 {
        view! { <span>"—"</span> }.into_any()
    } else {
        let keys = member.metadata_keys;
        let described = if keys == 1 {
            "1 key, values hidden".to_string()
        } else {
            format!("{keys} keys, values hidden")
        };
        view! {
            <span class="masked" aria-label=described.clone() title=described>
                "{••}"
            </span>
        }
        .into_any()
    };

    let run = move |action: RowAction| {
        menu_open.set(false);
        let slug = listing.slug.get_value();
        leptos::task::spawn_local(async move {
            let outcome = match action {
                RowAction::Archive => archive_member(slug, user_id)
                    .await
                    .map(|()| "The user has been archived.".to_string()),
                RowAction::Unarchive => unarchive_member(slug, user_id).await.map(|sent| {
                    format!("The user has been unarchived and invited again at {}.", sent.email)
                }),
                RowAction::Resend => resend_invitation(slug, user_id).await.map(|sent| {
                    if sent.mail_queued {
                        format!("A new invitation is on its way to {}.", sent.email)
                    } else {
                        "A new invitation was created, but its mail could not be queued. Copy the link instead.".to_string()
                    }
                }),
                RowAction::Remove => remove_member(slug, user_id)
                    .await
                    .map(|()| "The user has been removed from the workspace.".to_string()),
                RowAction::CopyLink => match invitation_link(slug, user_id).await {
                    Ok(url) => {
                        copy_to_clipboard(&url);
                        link.set(url);
                        dialog.set(Some(RowDialog::ShowLink));
                        Ok("Invitation link copied.".to_string())
                    }
                    Err(error) => Err(error),
                },
            };
            match outcome {
                Ok(message) if action == RowAction::CopyLink => {
                    listing.notice.set(Some(Notice::Done(message)));
                }
                Ok(message) => listing.done(message),
                Err(error) => listing.failed(error.to_string()),
            }
        });
    };

    view! {
        <tr>
            <td>{member.full_name.clone()}</td>
            <td>{member.email.clone()}</td>
            <td>{member.role.label()}</td>
            <td>{member.status.label()}</td>
            <td>{metadata}</td>
            <td class="row-menu">
                <button
                    type="button"
                    aria-label=format!("More actions for {email}")
                    aria-expanded=move || menu_open.get().to_string()
                    on:click=move |_| menu_open.update(|open| *open = !*open)
                >
                    "⋯"
                </button>
                <Show when=move || menu_open.get()>
                    <ul class="menu" aria-label=format!("Actions for {}", member.email)>
                        <li>
                            <button
                                type="button"
                                on:click=move |_| {
                                    menu_open.set(false);
                                    dialog.set(Some(RowDialog::Edit));
                                }
                            >
                                "Edit user details"
                            </button>
                        </li>
                        <li>
                            <button
                                type="button"
                                on:click=move |_| {
                                    menu_open.set(false);
                                    dialog.set(Some(RowDialog::Permissions));
                                }
                            >
                                "Effective permissions"
                            </button>
                        </li>
                        {(status == MembershipStatus::Invited)
                            .then(|| {
                                view! {
                                    <li>
                                        <button type="button" on:click=move |_| run(RowAction::CopyLink)>
                                            "Copy link"
                                        </button>
                                    </li>
                                    <li>
                                        <button type="button" on:click=move |_| run(RowAction::Resend)>
                                            "Resend invitation"
                                        </button>
                                    </li>
                                }
                            })}
                        <li>
                            {if status == MembershipStatus::Archived {
                                view! {
                                    <button type="button" on:click=move |_| run(RowAction::Unarchive)>
                                        "Unarchive"
                                    </button>
                                }
                                    .into_any()
                            } else {
                                view! {
                                    <button type="button" on:click=move |_| run(RowAction::Archive)>
                                        "Archive"
                                    </button>
                                }
                                    .into_any()
                            }}
                        </li>
                        <li>
                            <button
                                type="button"
                                on:click=move |_| {
                                    menu_open.set(false);
                                    dialog.set(Some(RowDialog::ConfirmRemove));
                                }
                            >
                                "Remove from workspace"
                            </button>
                        </li>
                    </ul>
                </Show>
                {move || match dialog.get() {
                    Some(RowDialog::Edit) => {
                        view! { <EditUserDialog user_id listing on_close=move |()| dialog.set(None) /> }
                            .into_any()
                    }
                    Some(RowDialog::Permissions) => {
                        view! {
                            <EffectivePermissionsDialog
                                user_id
                                email=email_for_dialog.clone()
                                listing
                                on_close=move |()| dialog.set(None)
                            />
                        }
                            .into_any()
                    }
                    Some(RowDialog::ConfirmRemove) => {
                        let name = name.clone();
                        view! {
                            <Modal labelled_by="remove-title" on_close=move |()| dialog.set(None)>
                                <h2 id="remove-title">"Remove from workspace"</h2>
                                <p>
                                    {format!(
                                        "{name} loses access to this workspace. Their role and metadata here are deleted.",
                                    )}
                                </p>
                                <div class="actions">
                                    <button type="button" on:click=move |_| dialog.set(None)>
                                        "Cancel"
                                    </button>
                                    <button
                                        type="button"
                                        class="danger"
                                        on:click=move |_| {
                                            dialog.set(None);
                                            run(RowAction::Remove);
                                        }
                                    >
                                        "Remove"
                                    </button>
                                </div>
                            </Modal>
                        }
                            .into_any()
                    }
                    Some(RowDialog::ShowLink) => {
                        view! {
                            <Modal labelled_by="link-title" on_close=move |()| dialog.set(None)>
                                <h2 id="link-title">"Invitation link"</h2>
                                <p>"Copied to your clipboard. It works once, for this person only."</p>
                                <label for="invitation-link" class="visually-hidden">
                                    "Invitation link"
                                </label>
                                <input id="invitation-link" readonly prop:value=move || link.get() />
                                <div class="actions">
                                    <button type="button" on:click=move |_| dialog.set(None)>
                                        "Done"
                                    </button>
                                </div>
                            </Modal>
                        }
                            .into_any()
                    }
                    None => ().into_any(),
                }}
            </td>
        </tr>
    }
    .into_any()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowAction {
    Archive,
    Unarchive,
    Resend,
    Remove,
    CopyLink,
}

/// Best effort: the link is also shown, for browsers that refuse clipboard access.
fn copy_to_clipboard(text: &str) {
    if cfg!(feature = "hydrate") {
        let _promise = window().navigator().clipboard().write_text(text);
    }
}
