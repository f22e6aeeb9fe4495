//! Workspace settings › Users: the member table with search, status filter and pages,
//! and each row's actions.

use leptos::prelude::*;
use leptos_meta::Title;

use super::add_users::AddUsersDialog;
use super::edit_user::EditUserDialog;
use super::effective_permissions::EffectivePermissionsDialog;
use super::group_picker::{CustomGroups, GroupFilter, GroupsCell, load_custom_groups};
use super::members::{
    MemberPage, MemberRow, StatusCounts, archive_member, invitation_link, list_members,
    remove_member, resend_invitation, sign_member_out_everywhere, unarchive_member,
};
use crate::loading::{Loaded, load};
use crate::memberships::MembershipStatus;
use crate::ui::{
    ActionTable, ConfirmDialog, EmptyState, ExpiredBadge, Icon, IconName, Listing, MenuItem, Modal,
    NoticeBar, PageCursor, PagePanel, Pager, PeopleFilters, PersonCells, ProvisionedBadge,
    ResultsAnnouncer, RowMenu, StatusBadge, once_loaded, use_hydrated, when_list_loaded,
};
use crate::workspaces::{in_workspace, workspace_slug};

/// What the page's rows and dialogs share: the workspace, its custom groups for the
/// pickers and the filter, and the listing to reload and report to.
#[derive(Clone, Copy)]
pub(super) struct UsersContext {
    /// The workspace's slug, as the address gives it.
    pub slug: Memo<String>,
    pub groups: CustomGroups,
    pub listing: Listing,
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let slug = workspace_slug();
    let context = UsersContext {
        slug,
        groups: load_custom_groups(slug),
        listing: Listing::new(),
    };
    let search = RwSignal::new(String::new());
    let status = RwSignal::new(String::from("all"));
    let group = RwSignal::new(None::<i64>);
    let cursor = RwSignal::new(PageCursor::First);
    // A new group starts from the first page, as a new search or status does.
    Effect::new(move |previous: Option<Option<i64>>| {
        let chosen = group.get();
        if previous.is_some_and(|previous| previous != chosen) {
            cursor.set(PageCursor::First);
        }
        chosen
    });
    // Rendered on the server with the first page in it, then loaded again for every
    // keystroke in the search box, filter, page and change.
    let members = load(
        move || {
            let (after, before) = cursor.get().bounds();
            let filters = (search.get(), status.get(), group.get());
            (
                slug.get(),
                filters,
                after,
                before,
                context.listing.version.get(),
            )
        },
        |(slug, (search, status, group), after, before, _)| {
            list_members(slug, Some(search), Some(status), group, after, before)
        },
    );
    in_workspace(move |_| view! { <Members context members search status group cursor /> })
}

#[component]
fn Members(
    context: UsersContext,
    members: Loaded<MemberPage>,
    search: RwSignal<String>,
    status: RwSignal<String>,
    group: RwSignal<Option<i64>>,
    cursor: RwSignal<PageCursor>,
) -> impl IntoView {
    let hydrated = use_hydrated();
    let adding = RwSignal::new(false);
    view! {
        <Title text="Users" />
        <PagePanel
            title="Users"
            actions=view! {
                <button
                    type="button"
                    class="primary with-icon"
                    disabled=move || !hydrated.get()
                    on:click=move |_| adding.set(true)
                >
                    <Icon name=IconName::Plus />
                    "Add users"
                </button>
            }
                .into_any()
        >
            <NoticeBar notice=context.listing.notice />
            {once_loaded(
                members,
                move |page| {
                    page.status_counts
                        .map(|counts| view! { <StatusCountFilters counts status cursor /> })
                },
            )}
            <div class="filter-bar">
                <PeopleFilters id_prefix="member" search status cursor />
                <GroupFilter id="member-group" groups=context.groups chosen=group />
            </div>
            <ResultsAnnouncer results=members describe=|page| format!("{} found.", counted(page)) />
            {when_list_loaded(members, move |page| view! { <MemberTable page cursor context /> })}
        </PagePanel>
        <Show when=move || adding.get()>
            <AddUsersDialog context on_close=move |()| adding.set(false) />
        </Show>
    }
    .into_any()
}

/// "1 user", "12 users": how many members the search and filters found.
fn counted(page: &MemberPage) -> String {
    match page.total.unwrap_or_default() {
        1 => "1 user".to_string(),
        total => format!("{total} users"),
    }
}

/// What needs attention at a glance: how many members are in each status, each count a
/// filter to show just them (pressed again, it shows everyone).
#[component]
fn StatusCountFilters(
    counts: StatusCounts,
    status: RwSignal<String>,
    cursor: RwSignal<PageCursor>,
) -> impl IntoView {
    let statuses = [
        MembershipStatus::Active,
        MembershipStatus::Invited,
        MembershipStatus::Archived,
    ];
    view! {
        <ul class="status-counts" aria-label="Member counts">
            {statuses
                .into_iter()
                .map(|each| {
                    let key = each.key();
                    let pressed = move || status.get() == key;
                    view! {
                        <li>
                            <button
                                type="button"
                                aria-pressed=move || pressed().to_string()
                                on:click=move |_| {
                                    status.set(if pressed() { "all".into() } else { key.into() });
                                    cursor.set(PageCursor::First);
                                }
                            >
                                <strong>{counts.of(each)}</strong>
                                {format!(" {}", each.label().to_lowercase())}
                            </button>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

#[component]
fn MemberTable(
    page: MemberPage,
    cursor: RwSignal<PageCursor>,
    context: UsersContext,
) -> impl IntoView {
    let is_empty = page.members.is_empty();
    view! {
        <p class="count">{counted(&page)}</p>
        <ActionTable
            cards=true
            caption="Members of this workspace"
            columns=&["Name", "Email", "Role", "Groups", "Status", "Metadata"]
        >
            {page
                .members
                .into_iter()
                .map(|member| view! { <MemberTableRow member context /> })
                .collect_view()}
        </ActionTable>
        {is_empty
            .then(|| {
                view! {
                    <EmptyState
                        title="No users match"
                        hint="Try another search, status or group, or add users to this workspace."
                    />
                }
            })}
        <Pager cursor previous_before=page.previous_before next_after=page.next_after />
    }
    .into_any()
}

/// What a row's menu is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowDialog {
    Edit,
    Permissions,
    ConfirmRemove,
    ConfirmSignOut,
    ShowLink,
}

#[component]
fn MemberTableRow(member: MemberRow, context: UsersContext) -> impl IntoView {
    let menu_open = RwSignal::new(false);
    let dialog = RwSignal::new(None::<RowDialog>);
    let link = RwSignal::new(String::new());
    let user_id = member.user_id;
    let email = member.email.clone();
    let email_for_dialog = member.email.clone();
    let email_for_sign_out = member.email.clone();
    let name = member.full_name.clone();
    let status = member.status;
    let provisioned = member.provisioned;
    // A copied link is a fresh one, so the row stops saying Expired without a reload.
    let invitation_expired = RwSignal::new(member.invitation_expired);
    let resend_name = format!("Resend invitation to {}", member.email);
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

    let open = move |which: RowDialog| {
        menu_open.set(false);
        dialog.set(Some(which));
    };
    let run = move |action: RowAction| {
        menu_open.set(false);
        let slug = context.slug.get_untracked();
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
                RowAction::HandOver => crate::provisioning::set_member_provisioned(slug, user_id, true)
                    .await
                    .map(|()| "The identity provider now manages this user.".to_string()),
                RowAction::TakeBack => crate::provisioning::set_member_provisioned(slug, user_id, false)
                    .await
                    .map(|()| "The identity provider no longer manages this user.".to_string()),
                RowAction::SignOut => sign_member_out_everywhere(slug, user_id)
                    .await
                    .map(|()| "The user has been signed out everywhere.".to_string()),
                RowAction::CopyLink => match invitation_link(slug, user_id).await {
                    Ok(url) => {
                        copy_to_clipboard(&url);
                        link.set(url);
                        invitation_expired.set(false);
                        dialog.set(Some(RowDialog::ShowLink));
                        Ok("Invitation link copied.".to_string())
                    }
                    Err(error) => Err(error),
                },
            };
            match outcome {
                Ok(message) if action == RowAction::CopyLink => {
                    context.listing.say(message);
                }
                Ok(message) => context.listing.done(message),
                Err(error) => context.listing.failed(error),
            }
        });
    };

    view! {
        <tr>
            <PersonCells full_name=member.full_name.clone() email=member.email.clone() role=member.role />
            <td data-label="Groups">
                <GroupsCell groups=member.groups.clone() />
            </td>
            <td data-label="Status">
                <div class="status-cell">
                    <StatusBadge status />
                    {move || invitation_expired.get().then(|| view! { <ExpiredBadge /> })}
                    {(status == MembershipStatus::Invited).then(|| view! {
                        <InlineAction
                            icon=IconName::Copy
                            label="Copy link"
                            name=format!("Copy link for {}", member.email)
                            on_click=move || run(RowAction::CopyLink)
                        />
                    })}
                    // An expired link is fixed in one click, without opening the menu.
                    {move || invitation_expired.get().then(|| view! {
                        <InlineAction
                            icon=IconName::Send
                            label="Resend"
                            name=resend_name.clone()
                            on_click=move || run(RowAction::Resend)
                        />
                    })}
                    {member.provisioned.then(|| view! { <ProvisionedBadge /> })}
                </div>
                {member.sso_sync_warning.clone().map(|warning| view! {
                    <p class="warning" role="note">{warning}</p>
                })}
            </td>
            <td data-label="Metadata">{metadata}</td>
            <td class="row-menu">
                <RowMenu label=format!("More actions for {email}") open=menu_open>
                    <MenuItem label="Edit user details" on_click=move |()| open(RowDialog::Edit) />
                    <MenuItem
                        label="Effective permissions"
                        on_click=move |()| open(RowDialog::Permissions)
                    />
                    {(status == MembershipStatus::Invited)
                        .then(|| {
                            view! {
                                <MenuItem label="Copy link" on_click=move |()| run(RowAction::CopyLink) />
                                <MenuItem label="Resend invitation" on_click=move |()| run(RowAction::Resend) />
                            }
                        })}
                    {if status == MembershipStatus::Archived {
                        view! { <MenuItem label="Unarchive" on_click=move |()| run(RowAction::Unarchive) /> }
                            .into_any()
                    } else {
                        view! { <MenuItem label="Archive" on_click=move |()| run(RowAction::Archive) /> }
                            .into_any()
                    }}
                    {if provisioned {
                        view! {
                            <MenuItem label="Take back from identity provider" on_click=move |()| run(RowAction::TakeBack) />
                        }
                            .into_any()
                    } else {
                        view! {
                            <MenuItem label="Hand over to identity provider" on_click=move |()| run(RowAction::HandOver) />
                        }
                            .into_any()
                    }}
                    <MenuItem
                        label="Sign out everywhere"
                        on_click=move |()| open(RowDialog::ConfirmSignOut)
                    />
                    <MenuItem
                        label="Remove from workspace"
                        on_click=move |()| open(RowDialog::ConfirmRemove)
                    />
                </RowMenu>
                {move || match dialog.get() {
                    Some(RowDialog::Edit) => {
                        view! { <EditUserDialog user_id context on_close=move |()| dialog.set(None) /> }
                            .into_any()
                    }
                    Some(RowDialog::Permissions) => {
                        view! {
                            <EffectivePermissionsDialog
                                user_id
                                email=email_for_dialog.clone()
                                context
                                on_close=move |()| dialog.set(None)
                            />
                        }
                            .into_any()
                    }
                    Some(RowDialog::ConfirmRemove) => {
                        view! {
                            <ConfirmDialog
                                heading_id="remove-title"
                                heading="Remove from workspace"
                                message=format!(
                                    "{name} loses access to this workspace. Their role and metadata here are deleted, and the apps they own pass to you.",
                                )
                                confirm_label="Remove"
                                on_confirm=move |()| {
                                    dialog.set(None);
                                    run(RowAction::Remove);
                                }
                                on_close=move |()| dialog.set(None)
                            />
                        }
                            .into_any()
                    }
                    Some(RowDialog::ConfirmSignOut) => {
                        view! {
                            <ConfirmDialog
                                heading_id="sign-out-title"
                                heading="Sign out everywhere"
                                message=format!(
                                    "{} is signed out in every browser, of every workspace, and signs in again to go on.",
                                    email_for_sign_out.clone(),
                                )
                                confirm_label="Sign out everywhere"
                                on_confirm=move |()| {
                                    dialog.set(None);
                                    run(RowAction::SignOut);
                                }
                                on_close=move |()| dialog.set(None)
                            />
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

/// A small button beside a row's status: an icon and a short `label`, named in full
/// (`name`) for whoever can't see which row it sits in.
#[component]
fn InlineAction(
    icon: IconName,
    label: &'static str,
    name: String,
    on_click: impl Fn() + 'static,
) -> impl IntoView {
    view! {
        <button
            type="button"
            class="inline-action with-icon"
            aria-label=name
            on:click=move |_| on_click()
        >
            <Icon name=icon />
            {label}
        </button>
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowAction {
    Archive,
    Unarchive,
    Resend,
    Remove,
    SignOut,
    CopyLink,
    HandOver,
    TakeBack,
}

/// Best effort: the link is also shown, for browsers that refuse clipboard access.
fn copy_to_clipboard(text: &str) {
    if cfg!(feature = "hydrate") {
        let _promise = window().navigator().clipboard().write_text(text);
    }
}
