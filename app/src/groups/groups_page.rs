//! Workspace settings › Groups: the groups on the left, the chosen group on the right
//! with its Users, Permissions and Granular permissions tabs.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use serde::{Deserialize, Serialize};

use super::consent::{Change, ChangeRunner, ConsentDialog};
use super::rule_dialog::RuleDialog;
use super::{
    GroupDetails, GroupMember, GroupSummary, RuleView, addable_members, create_group, delete_group,
    delete_group_rule, list_groups, open_group, remove_group_member, rename_group,
};
use crate::error::AppError;
use crate::loading::{Loaded, load};
use crate::memberships::Role;
use crate::permissions::{Flag, ResourceKind};
use crate::ui::{
    ActionTable, EmptyState, Field, FormDialog, FormError, Icon, IconName, Listing, Modal,
    NoticeBar, PagePanel, PersonCells, use_hydrated, when_list_loaded,
};
use crate::users::ConsequenceList;
use crate::users::members::{RoleChangePreview, preview_role_change};
use crate::workspaces::{in_workspace, workspace_slug};

/// What every part of the page shares: where it is, its listing, and how to send a
/// change that may need the admin's consent.
#[derive(Clone, Copy)]
struct GroupsContext {
    slug: StoredValue<String>,
    listing: Listing,
    runner: ChangeRunner,
    /// Kept here so that the open tab stays open when the group reloads after a change.
    tab: RwSignal<Tab>,
    addable: MemberSearch,
}

/// The Users tab's search for people to add to the group shown, and what it finds:
/// loaded with the page, and again as the search changes and after each change.
#[derive(Clone, Copy)]
struct MemberSearch {
    text: RwSignal<String>,
    found: Loaded<Vec<GroupMember>>,
}

impl GroupsContext {
    fn link(self, group_id: i64) -> String {
        format!("/{}/settings/groups/{group_id}", self.slug.get_value())
    }
}

/// The groups in the list, and the one shown in full: the chosen one, or the first.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct GroupsShown {
    groups: Vec<GroupSummary>,
    shown: Option<i64>,
    details: Option<Result<GroupDetails, AppError>>,
}

async fn load_groups_shown(slug: String, chosen: Option<i64>) -> Result<GroupsShown, AppError> {
    let groups = list_groups(slug.clone()).await?;
    let shown = chosen.or_else(|| groups.first().map(|group| group.id));
    let details = match shown {
        Some(group_id) => Some(open_group(slug, group_id).await),
        None => None,
    };
    Ok(GroupsShown {
        groups,
        shown,
        details,
    })
}

#[component]
pub fn GroupsPage() -> impl IntoView {
    let slug = workspace_slug();
    let listing = Listing::new();
    let params = use_params_map();
    let chosen = Memo::new(move |_| {
        params
            .get()
            .get("group_id")
            .and_then(|id| id.parse::<i64>().ok())
    });
    // Rendered on the server with the list and the group in it, then loaded again after
    // each change and for each group chosen.
    let loaded = load(
        move || (slug.get(), chosen.get(), listing.version.get()),
        |(slug, chosen, _)| load_groups_shown(slug, chosen),
    );
    let text = RwSignal::new(String::new());
    let found = load(
        move || (slug.get(), chosen.get(), listing.version.get(), text.get()),
        move |(slug, _, _, text)| async move {
            match loaded.await?.shown {
                Some(group_id) => addable_members(slug, group_id, Some(text)).await,
                None => Ok(Vec::new()),
            }
        },
    );
    let addable = MemberSearch { text, found };
    in_workspace(move |_| view! { <Groups loaded listing addable /> })
}

#[component]
fn Groups(loaded: Loaded<GroupsShown>, listing: Listing, addable: MemberSearch) -> impl IntoView {
    let slug = StoredValue::new(workspace_slug().get_untracked());
    let runner = ChangeRunner::new(
        slug,
        move |message| listing.done(message),
        move |message| listing.failed(message),
    );
    let page = GroupsContext {
        slug,
        listing,
        runner,
        tab: RwSignal::new(Tab::Users),
        addable,
    };
    let hydrated = use_hydrated();
    let creating = RwSignal::new(false);
    view! {
        <Title text="Groups" />
        <PagePanel
            title="Groups"
            actions=view! {
                <button
                    type="button"
                    class="primary with-icon"
                    disabled=move || !hydrated.get()
                    on:click=move |_| creating.set(true)
                >
                    <Icon name=IconName::Plus />
                    "Create new group"
                </button>
            }
                .into_any()
        >
            <NoticeBar notice=listing.notice />
            <div class="groups-layout">
                <nav aria-label="Groups" class="group-list">
                    {when_list_loaded(
                        loaded,
                        move |loaded| {
                            view! {
                                <GroupList
                                    groups=loaded.groups
                                    page
                                    shown=loaded.shown
                                    on_create=move || creating.set(true)
                                />
                            }
                        },
                    )}
                </nav>
                <div class="group-panel">
                    {when_list_loaded(
                        loaded,
                        move |loaded| match loaded.details {
                            Some(Ok(details)) => view! { <GroupPanel details page /> }.into_any(),
                            Some(Err(error)) => {
                                view! { <FormError message=Some(error.to_string()) /> }.into_any()
                            }
                            None => ().into_any(),
                        },
                    )}
                </div>
            </div>
        </PagePanel>
        <Show when=move || creating.get()>
            <CreateGroupDialog page on_close=move |()| creating.set(false) />
        </Show>
        <ConsentDialog runner />
    }
    .into_any()
}

#[component]
fn GroupList(
    groups: Vec<GroupSummary>,
    page: GroupsContext,
    shown: Option<i64>,
    on_create: impl Fn() + Send + Sync + 'static,
) -> impl IntoView {
    let (roles, custom): (Vec<_>, Vec<_>) =
        groups.into_iter().partition(|group| group.role.is_some());
    let entry = move |group: GroupSummary| {
        let id = group.id;
        view! {
            <li>
                <A
                    href=page.link(id)
                    attr:aria-current=(shown == Some(id)).then_some("page")
                >
                    {format!("{} ({})", group.name, group.members)}
                </A>
            </li>
        }
    };
    view! {
        <h2 id="role-groups-heading">"USER ROLE"</h2>
        <ul aria-labelledby="role-groups-heading">
            {roles.into_iter().map(entry).collect_view()}
        </ul>
        <h2 id="custom-groups-heading">"CUSTOM GROUPS"</h2>
        {if custom.is_empty() {
            view! {
                <EmptyState
                    title="No custom groups yet"
                    hint="Give sets of users permissions beyond their role."
                >
                    <button type="button" class="with-icon" on:click=move |_| on_create()>
                        <Icon name=IconName::Plus />
                        "Create your first group"
                    </button>
                </EmptyState>
            }
                .into_any()
        } else {
            view! {
                <ul aria-labelledby="custom-groups-heading">
                    {custom.into_iter().map(entry).collect_view()}
                </ul>
            }
                .into_any()
        }}
    }
    .into_any()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    Users,
    Permissions,
    Granular,
}

impl Tab {
    fn label(self) -> &'static str {
        match self {
            Tab::Users => "Users",
            Tab::Permissions => "Permissions",
            Tab::Granular => "Granular permissions",
        }
    }

    fn id(self) -> &'static str {
        match self {
            Tab::Users => "tab-users",
            Tab::Permissions => "tab-permissions",
            Tab::Granular => "tab-granular",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GroupDialog {
    Rename,
    Duplicate,
    Delete,
}

#[component]
fn GroupPanel(details: GroupDetails, page: GroupsContext) -> impl IntoView {
    let tab = page.tab;
    let menu_open = RwSignal::new(false);
    let dialog = RwSignal::new(None::<GroupDialog>);
    let name = details.name.clone();
    let is_custom = details.role.is_none();
    let group_id = details.id;
    let details = StoredValue::new(details);
    let heading = format!(
        "{name} ({})",
        details.with_value(|details| details.members.len())
    );
    let open = move |which| {
        menu_open.set(false);
        dialog.set(Some(which));
    };
    view! {
        <div class="panel-header">
            <h2 id="group-title">{heading}</h2>
            {(!is_custom).then(|| view! { <span class="badge">"Default group"</span> })}
            <div class="row-menu">
                <button
                    type="button"
                    aria-label=format!("More actions for group {name}")
                    aria-expanded=move || menu_open.get().to_string()
                    class="icon-only"
                    on:click=move |_| menu_open.update(|open| *open = !*open)
                >
                    <Icon name=IconName::More />
                </button>
                <Show when=move || menu_open.get()>
                    <ul class="menu" aria-label="Group actions">
                        <li>
                            <button
                                type="button"
                                disabled=!is_custom
                                on:click=move |_| open(GroupDialog::Rename)
                            >
                                "Rename"
                            </button>
                        </li>
                        <li>
                            <button type="button" on:click=move |_| open(GroupDialog::Duplicate)>
                                "Duplicate"
                            </button>
                        </li>
                        <li>
                            <button
                                type="button"
                                disabled=!is_custom
                                on:click=move |_| open(GroupDialog::Delete)
                            >
                                "Delete"
                            </button>
                        </li>
                    </ul>
                </Show>
            </div>
        </div>
        <div role="tablist" aria-label="Group settings">
            {[Tab::Users, Tab::Permissions, Tab::Granular]
                .into_iter()
                .map(|each| {
                    view! {
                        <button
                            type="button"
                            role="tab"
                            id=each.id()
                            aria-selected=move || (tab.get() == each).to_string()
                            on:click=move |_| tab.set(each)
                        >
                            {each.label()}
                        </button>
                    }
                })
                .collect_view()}
        </div>
        <div role="tabpanel" aria-labelledby=move || tab.get().id()>
            {move || match tab.get() {
                Tab::Users => view! { <UsersTab details=details.get_value() page /> }.into_any(),
                Tab::Permissions => {
                    view! { <PermissionsTab details=details.get_value() page /> }.into_any()
                }
                Tab::Granular => view! { <GranularTab details=details.get_value() page /> }.into_any(),
            }}
        </div>
        {move || match dialog.get() {
            Some(GroupDialog::Rename) => {
                view! {
                    <RenameGroupDialog
                        group_id
                        current=details.with_value(|details| details.name.clone())
                        page
                        on_close=move |()| dialog.set(None)
                    />
                }
                    .into_any()
            }
            Some(GroupDialog::Duplicate) => {
                view! { <DuplicateGroupDialog group_id page on_close=move |()| dialog.set(None) /> }
                    .into_any()
            }
            Some(GroupDialog::Delete) => {
                view! { <DeleteGroupDialog group_id page on_close=move |()| dialog.set(None) /> }
                    .into_any()
            }
            None => ().into_any(),
        }}
    }
    .into_any()
}

#[component]
fn UsersTab(details: GroupDetails, page: GroupsContext) -> impl IntoView {
    let group_id = details.id;
    let group_name = details.name.clone();
    let is_custom = details.role.is_none();
    let members = details.members.clone();
    let role = details.role;
    view! {
        {role.map(|role| view! {
            <p class="hint">
                {format!(
                    "Members of this group are the users whose role is {}: adding someone here changes their role.",
                    role.label(),
                )}
            </p>
        })}
        <AddMembers group_id role page />
        {if members.is_empty() {
            view! {
                <EmptyState
                    title="No users added yet."
                    hint="Add users to this group to configure permissions for them."
                />
            }
                .into_any()
        } else {
            view! {
                <ActionTable
                    cards=true
                    caption=format!("Members of {group_name}")
                    columns=&["Name", "Email", "Role"]
                >
                    {members
                        .into_iter()
                        .map(|member| view! { <MemberRow member group_id is_custom page /> })
                        .collect_view()}
                </ActionTable>
            }
                .into_any()
        }}
    }
    .into_any()
}

#[component]
fn MemberRow(
    member: GroupMember,
    group_id: i64,
    is_custom: bool,
    page: GroupsContext,
) -> impl IntoView {
    let user_id = member.user_id;
    let remove = move |_| {
        page.listing.report(
            remove_group_member(page.slug.get_value(), group_id, user_id),
            "The user was removed from the group.",
        );
    };
    view! {
        <tr>
            <PersonCells full_name=member.full_name.clone() email=member.email.clone() role=member.role />
            <td>
                {is_custom
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                aria-label=format!("Remove {} from the group", member.email)
                                on:click=remove
                            >
                                "Remove"
                            </button>
                        }
                    })}
            </td>
        </tr>
    }
    .into_any()
}

/// Search for members and add the chosen ones. Adding to a role group changes roles, so
/// it is confirmed first with what each change does, as in Edit user details.
#[component]
fn AddMembers(group_id: i64, role: Option<Role>, page: GroupsContext) -> impl IntoView {
    let search = page.addable.text;
    let chosen = RwSignal::new(Vec::<i64>::new());
    let confirming = RwSignal::new(None::<Vec<RoleChangePreview>>);
    let add = move |_| {
        let user_ids = chosen.get_untracked();
        if user_ids.is_empty() {
            page.listing
                .failed("Choose at least one user to add.".to_string());
            return;
        }
        let Some(role) = role else {
            chosen.set(Vec::new());
            page.runner.send(Change::AddMembers { group_id, user_ids });
            return;
        };
        let slug = page.slug.get_value();
        leptos::task::spawn_local(async move {
            let mut previews = Vec::with_capacity(user_ids.len());
            for user_id in user_ids {
                match preview_role_change(slug.clone(), user_id, role.key().to_string()).await {
                    Ok(preview) => previews.push(preview),
                    Err(error) => {
                        page.listing.failed(error);
                        return;
                    }
                }
            }
            confirming.try_set(Some(previews));
        });
    };
    let confirm = move |_| {
        confirming.set(None);
        let user_ids = chosen.get_untracked();
        chosen.set(Vec::new());
        page.runner.send(Change::AddMembers { group_id, user_ids });
    };
    view! {
        <div class="add-members">
            <div class="field">
                <label for="member-search">"Search users to add"</label>
                <input
                    id="member-search"
                    type="search"
                    prop:value=move || search.get()
                    on:input:target=move |event| search.set(event.target().value())
                />
            </div>
            <fieldset>
                <legend>"Users who can join"</legend>
                {when_list_loaded(
                    page.addable.found,
                    move |members: Vec<GroupMember>| {
                    if members.is_empty() {
                        view! { <p>"No users found."</p> }.into_any()
                    } else {
                        members
                            .into_iter()
                            .map(|member| {
                                let user_id = member.user_id;
                                let id = format!("add-member-{user_id}");
                                view! {
                                    <div class="check">
                                        <input
                                            type="checkbox"
                                            id=id.clone()
                                            prop:checked=move || chosen.get().contains(&user_id)
                                            on:change:target=move |event| {
                                                let on = event.target().checked();
                                                chosen
                                                    .update(|chosen| {
                                                        chosen.retain(|id| *id != user_id);
                                                        if on {
                                                            chosen.push(user_id);
                                                        }
                                                    });
                                            }
                                        />
                                        <label for=id>
                                            {format!("{} ({})", member.full_name, member.email)}
                                        </label>
                                    </div>
                                }
                            })
                            .collect_view()
                            .into_any()
                    }
                    },
                )}
            </fieldset>
            <button type="button" class="primary" on:click=add>
                "Add users"
            </button>
        </div>
        {move || {
            confirming
                .get()
                .map(|previews| {
                    view! {
                        <Modal labelled_by="role-change-title" on_close=move |()| confirming.set(None)>
                            <h2 id="role-change-title">"Change user roles"</h2>
                            <ul aria-label="Role changes">
                                {previews
                                    .into_iter()
                                    .map(|preview| view! { <RoleChangeItem preview /> })
                                    .collect_view()}
                            </ul>
                            <div class="actions">
                                <button type="button" on:click=move |_| confirming.set(None)>
                                    "Cancel"
                                </button>
                                <button type="button" class="primary" on:click=confirm>
                                    "Continue"
                                </button>
                            </div>
                        </Modal>
                    }
                })
        }}
    }
    .into_any()
}

/// One member's role change: the summary, and the groups and apps it takes from them.
#[component]
fn RoleChangeItem(preview: RoleChangePreview) -> impl IntoView {
    view! {
        <li>
            <p>{preview.summary}</p>
            <ConsequenceList label="Custom groups they will leave" items=preview.groups_to_leave />
            <ConsequenceList
                label="Apps that will be transferred to you"
                items=preview.apps_to_transfer
            />
        </li>
    }
}

#[component]
fn PermissionsTab(details: GroupDetails, page: GroupsContext) -> impl IntoView {
    let group_id = details.id;
    let flags = details.flags;
    let locked = match details.role {
        Some(Role::Admin) => Some("Admin has all permissions. This is not editable."),
        Some(Role::EndUser) => Some("End-user can only have permission to view apps."),
        _ => None,
    };
    view! {
        {locked.map(|note| view! { <p class="hint">{note}</p> })}
        {ResourceKind::ALL
            .into_iter()
            .map(|kind| {
                view! {
                    <fieldset class="flags">
                        <legend>{kind.plural_label()}</legend>
                        {Flag::ALL
                            .into_iter()
                            .filter(|flag| flag.resource_kind() == kind)
                            .map(|flag| {
                                let id = format!("flag-{}", flag.key());
                                let help_id = format!("{id}-help");
                                view! {
                                    <div class="check">
                                        <input
                                            type="checkbox"
                                            id=id.clone()
                                            aria-describedby=help_id.clone()
                                            checked=flags.contains(flag)
                                            disabled=locked.is_some()
                                            on:change:target=move |event| {
                                                page.runner
                                                    .send(Change::SetFlag {
                                                        group_id,
                                                        flag,
                                                        on: event.target().checked(),
                                                    });
                                            }
                                        />
                                        <label for=id>{flag.label()}</label>
                                        <span class="hint" id=help_id>
                                            {flag.help()}
                                        </span>
                                    </div>
                                }
                            })
                            .collect_view()}
                    </fieldset>
                }
            })
            .collect_view()}
    }
    .into_any()
}

#[component]
fn GranularTab(details: GroupDetails, page: GroupsContext) -> impl IntoView {
    let group_id = details.id;
    let role = details.role;
    let editing = RwSignal::new(None::<Option<RuleView>>);
    let deleting = RwSignal::new(None::<RuleView>);
    let rules = details.rules.clone();
    let admin = role == Some(Role::Admin);
    view! {
        {if admin {
            view! { <p class="hint">"Admin has all permissions. This is not editable."</p> }.into_any()
        } else {
            view! {
                <button type="button" class="primary" on:click=move |_| editing.set(Some(None))>
                    "Add permission"
                </button>
            }
                .into_any()
        }}
        {if rules.is_empty() {
            view! { <p>"No permissions added yet."</p> }.into_any()
        } else {
            view! {
                <ActionTable
                    caption="Granular permissions"
                    columns=&["Name", "Resource", "Access", "Applies to"]
                >
                    {rules
                        .into_iter()
                        .map(|view_of_rule| {
                            let rule = view_of_rule.rule.clone();
                            let applies_to = match &rule.scope {
                                crate::permissions::Scope::All => {
                                    format!("All {}", rule.kind.plural_label().to_lowercase())
                                }
                                crate::permissions::Scope::Only(_) => {
                                    view_of_rule
                                        .resources
                                        .iter()
                                        .map(|resource| resource.name.clone())
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                }
                            };
                            let access = if rule.hide_from_dashboard {
                                format!("{} (hidden from the dashboard)", rule.access.label())
                            } else {
                                rule.access.label().to_string()
                            };
                            let for_edit = view_of_rule.clone();
                            let for_delete = view_of_rule.clone();
                            view! {
                                <tr>
                                    <td>{rule.name.clone()}</td>
                                    <td>{rule.kind.plural_label()}</td>
                                    <td>{access}</td>
                                    <td>{applies_to}</td>
                                    <td>
                                        {(!admin)
                                            .then(|| {
                                                view! {
                                                    <button
                                                        type="button"
                                                        aria-label=format!("Edit permission {}", rule.name)
                                                        on:click=move |_| editing.set(Some(Some(for_edit.clone())))
                                                    >
                                                        "Edit"
                                                    </button>
                                                    <button
                                                        type="button"
                                                        aria-label=format!("Delete permission {}", rule.name)
                                                        on:click=move |_| deleting.set(Some(for_delete.clone()))
                                                    >
                                                        "Delete"
                                                    </button>
                                                }
                                            })}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </ActionTable>
            }
                .into_any()
        }}
        {move || {
            editing
                .get()
                .map(|existing| {
                    view! {
                        <RuleDialog
                            slug=page.slug.get_value()
                            group_id
                            role
                            existing
                            on_submit=move |change| {
                                editing.set(None);
                                page.runner.send(change);
                            }
                            on_close=move |()| editing.set(None)
                        />
                    }
                })
        }}
        {move || {
            deleting
                .get()
                .map(|rule| {
                    let rule_id = rule.rule.id;
                    view! {
                        <Modal labelled_by="delete-rule-title" on_close=move |()| deleting.set(None)>
                            <h2 id="delete-rule-title">"Delete permission"</h2>
                            <p>
                                {format!(
                                    "The permission {} will be permanently deleted. Do you want to continue?",
                                    rule.rule.name,
                                )}
                            </p>
                            <div class="actions">
                                <button type="button" on:click=move |_| deleting.set(None)>
                                    "Cancel"
                                </button>
                                <button
                                    type="button"
                                    class="danger"
                                    on:click=move |_| {
                                        deleting.set(None);
                                        page.listing
                                            .report(
                                                delete_group_rule(page.slug.get_value(), group_id, rule_id),
                                                "Permission deleted.",
                                            );
                                    }
                                >
                                    "Delete permission"
                                </button>
                            </div>
                        </Modal>
                    }
                })
        }}
    }
    .into_any()
}

#[component]
fn CreateGroupDialog(page: GroupsContext, #[prop(into)] on_close: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let navigate = use_navigate();
    let created = move |group: GroupSummary| {
        page.listing.done("Group has been created.");
        navigate(&page.link(group.id), Default::default());
    };
    view! {
        <FormDialog
            heading_id="create-group-title"
            heading="Create new group"
            submit_label="Create group"
            submit=move || create_group(page.slug.get_value(), name.get_untracked())
            on_saved=created
            on_close
        >
            <Field label="Group name" id="group-name" value=name />
        </FormDialog>
    }
    .into_any()
}

#[component]
fn RenameGroupDialog(
    group_id: i64,
    current: String,
    page: GroupsContext,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let name = RwSignal::new(current);
    view! {
        <FormDialog
            heading_id="rename-group-title"
            heading="Rename group"
            submit_label="Save"
            submit=move || rename_group(page.slug.get_value(), group_id, name.get_untracked())
            on_saved=move |()| page.listing.done("Group name updated.")
            on_close
        >
            <Field label="Group name" id="group-new-name" value=name />
        </FormDialog>
    }
    .into_any()
}

#[component]
fn DuplicateGroupDialog(
    group_id: i64,
    page: GroupsContext,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let users = RwSignal::new(true);
    let permissions = RwSignal::new(true);
    let granular = RwSignal::new(true);
    let check = move |id: &'static str, label: &'static str, value: RwSignal<bool>| {
        view! {
            <div class="check">
                <input type="checkbox" id=id bind:checked=value />
                <label for=id>{label}</label>
            </div>
        }
    };
    view! {
        <Modal labelled_by="duplicate-group-title" on_close>
            <h2 id="duplicate-group-title">"Duplicate group"</h2>
            <fieldset>
                <legend>"Duplicate the following parts of the group"</legend>
                {check("duplicate-users", "Users", users)}
                {check("duplicate-permissions", "Permissions", permissions)}
                {check("duplicate-granular", "Granular permissions", granular)}
            </fieldset>
            <div class="actions">
                <button type="button" on:click=move |_| on_close.run(())>
                    "Cancel"
                </button>
                <button
                    type="button"
                    class="primary"
                    on:click=move |_| {
                        on_close.run(());
                        page.runner
                            .send(Change::Duplicate {
                                group_id,
                                users: users.get_untracked(),
                                permissions: permissions.get_untracked(),
                                granular: granular.get_untracked(),
                            });
                    }
                >
                    "Duplicate"
                </button>
            </div>
        </Modal>
    }
    .into_any()
}

#[component]
fn DeleteGroupDialog(
    group_id: i64,
    page: GroupsContext,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let navigate = use_navigate();
    let delete = move |_| {
        let slug = page.slug.get_value();
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match delete_group(slug.clone(), group_id).await {
                Ok(()) => {
                    on_close.run(());
                    page.listing.done("The group was deleted.".to_string());
                    navigate(&format!("/{slug}/settings/groups"), Default::default());
                }
                Err(error) => {
                    on_close.run(());
                    page.listing.failed(error);
                }
            }
        });
    };
    view! {
        <Modal labelled_by="delete-group-title" on_close>
            <h2 id="delete-group-title">"Delete group"</h2>
            <p>"This group will be permanently deleted. Do you want to continue?"</p>
            <div class="actions">
                <button type="button" on:click=move |_| on_close.run(())>
                    "Cancel"
                </button>
                <button type="button" class="danger" on:click=delete>
                    "Delete group"
                </button>
            </div>
        </Modal>
    }
    .into_any()
}
