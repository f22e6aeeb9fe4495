//! Workspace settings › Single sign-on: which identity providers the workspace accepts,
//! who joins on first sign-in, and how the provider's groups map to Gatehouse groups.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;

use super::{
    GroupMapping, MappableGroup, SyncMode, WorkspaceSso, WorkspaceSsoForm, read_workspace_sso,
    save_workspace_sso,
};
use crate::memberships::Role;
use crate::provisioning::BuilderLevelGroups;
use crate::ui::{FormError, Listing, NoticeBar, Select, use_hydrated, when_list_loaded};
use crate::workspaces::{in_workspace, workspace_slug};

#[component]
pub fn WorkspaceSingleSignOnPage() -> impl IntoView {
    let slug = workspace_slug();
    let listing = Listing::new();
    let loaded = listing.load_in(slug, read_workspace_sso);
    view! {
        <Title text="Single sign-on" />
        {in_workspace(move |workspace| {
            view! {
                <section class="panel" aria-labelledby="page-title">
                    <h1 id="page-title">"Single sign-on"</h1>
                    <p>
                        "People sign in through an identity provider the instance's super admins have set up. Group sync keeps the groups you map here in line with the provider's at every sign-in; groups you don't map stay as you manage them."
                    </p>
                    <NoticeBar notice=listing.notice />
                    {when_list_loaded(
                        loaded,
                        move |settings| {
                            view! { <SettingsForm slug=workspace.slug.clone() settings listing /> }
                        },
                    )}
                </section>
            }
        })}
    }
}

/// One mapping row being edited; `key` keeps rows apart while they are added and removed.
#[derive(Clone, Copy)]
struct MappingRow {
    key: usize,
    idp_group: RwSignal<String>,
    group_id: RwSignal<i64>,
}

fn checkbox(id: &'static str, label: &'static str, value: RwSignal<bool>) -> impl IntoView {
    view! {
        <div class="field checkbox">
            <input id=id type="checkbox" bind:checked=value />
            <label for=id>{label}</label>
        </div>
    }
}

#[component]
fn SettingsForm(slug: String, settings: WorkspaceSso, listing: Listing) -> impl IntoView {
    let slug = StoredValue::new(slug);
    let providers: Vec<(i64, String, RwSignal<bool>)> = settings
        .providers
        .iter()
        .map(|provider| {
            (
                provider.id,
                provider.display_name.clone(),
                RwSignal::new(provider.accepted),
            )
        })
        .collect();
    let providers = StoredValue::new(providers);
    let require_sso = RwSignal::new(settings.require_sso);
    let join = RwSignal::new(settings.join_on_first_sign_in);
    let default_role = RwSignal::new(settings.default_role);
    let sync_mode = RwSignal::new(settings.sync_mode);
    let ignore_case = RwSignal::new(settings.ignore_case);
    let create_groups = RwSignal::new(settings.create_groups);
    let policy = RwSignal::new(settings.builder_level_groups);
    let groups = StoredValue::new(settings.groups.clone());
    let first_group = settings.groups.first().map_or(0, |group| group.id);
    let next_key = StoredValue::new(settings.mappings.len());
    let rows = RwSignal::new(
        settings
            .mappings
            .iter()
            .enumerate()
            .map(|(key, mapping)| MappingRow {
                key,
                idp_group: RwSignal::new(mapping.idp_group.clone()),
                group_id: RwSignal::new(mapping.group_id),
            })
            .collect::<Vec<_>>(),
    );
    let add_row = move |_| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        rows.update(|rows| {
            rows.push(MappingRow {
                key,
                idp_group: RwSignal::new(String::new()),
                group_id: RwSignal::new(first_group),
            })
        });
    };
    let error = RwSignal::new(None::<String>);
    let hydrated = use_hydrated();
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let form = WorkspaceSsoForm {
            accepted_providers: providers.with_value(|providers| {
                providers
                    .iter()
                    .filter(|(_, _, accepted)| accepted.get_untracked())
                    .map(|(id, _, _)| *id)
                    .collect()
            }),
            require_sso: require_sso.get_untracked(),
            join_on_first_sign_in: join.get_untracked(),
            default_role: default_role.get_untracked().key().to_string(),
            sync_mode: sync_mode.get_untracked().key().to_string(),
            ignore_case: ignore_case.get_untracked(),
            create_groups: create_groups.get_untracked(),
            builder_level_groups: policy.get_untracked().key().to_string(),
            mappings: rows
                .get_untracked()
                .iter()
                .map(|row| GroupMapping {
                    idp_group: row.idp_group.get_untracked(),
                    group_id: row.group_id.get_untracked(),
                })
                .collect(),
        };
        leptos::task::spawn_local(async move {
            match save_workspace_sso(slug.get_value(), form).await {
                Ok(()) => {
                    error.set(None);
                    listing.done("Single sign-on settings saved.");
                }
                Err(failure) => error.set(Some(failure.to_string())),
            }
        });
    };
    let role_options = Role::ALL
        .into_iter()
        .map(|role| (role, role.label().to_string()))
        .collect();
    let mode_options = SyncMode::ALL
        .into_iter()
        .map(|mode| (mode, mode.label().to_string()))
        .collect();
    let policy_options = vec![
        (
            BuilderLevelGroups::Refuse,
            "Skip that group, and show why on the member's row".to_string(),
        ),
        (
            BuilderLevelGroups::Promote,
            "Make them Builders".to_string(),
        ),
    ];
    let accepted = providers.get_value();
    let mapping_table =
        view! { <MappingTable rows groups=groups.get_value() add_row /> }.into_any();
    view! {
        <form on:submit=submit aria-labelledby="sso-settings-title">
            <h2 id="sso-settings-title">"Settings"</h2>
            <AcceptedProviders providers=accepted />
            {checkbox("require-sso", "Require single sign-on: members can't sign in with a password (super admins still can)", require_sso)}
            {checkbox("join-on-first-sign-in", "Let people from the provider's allowed domains join on their first sign-in", join)}
            <Select
                label="Role for people who join on first sign-in"
                id="sso-default-role"
                options=role_options
                key=|role: &Role| role.key().to_string()
                value=default_role
            />
            <fieldset>
                <legend>"Group sync"</legend>
                <Select
                    label="Group sync mode"
                    id="sso-sync-mode"
                    options=mode_options
                    key=|mode: &SyncMode| mode.key().to_string()
                    value=sync_mode
                />
                {checkbox("sso-ignore-case", "Match group names ignoring case", ignore_case)}
                {checkbox("sso-create-groups", "Create a custom group for each identity provider group no mapping names", create_groups)}
                <Select
                    label="When a group would give an End-user builder-level permissions"
                    id="sso-builder-level-groups"
                    options=policy_options
                    key=|choice: &BuilderLevelGroups| choice.key().to_string()
                    value=policy
                />
                <p class="hint">"Only mapped groups are synced; identity provider groups without a mapping are ignored."</p>
                {mapping_table}
            </fieldset>
            <FormError message=Signal::derive(move || error.get()) />
            <button type="submit" class="primary" disabled=move || !hydrated.get()>
                "Save single sign-on settings"
            </button>
        </form>
    }
}

#[component]
fn AcceptedProviders(providers: Vec<(i64, String, RwSignal<bool>)>) -> impl IntoView {
    let none = providers.is_empty();
    view! {
        <fieldset>
            <legend>"Identity providers this workspace accepts"</legend>
            {none.then(|| view! {
                <p class="hint">"The instance has no identity provider yet. A super admin adds them in Settings › Single sign-on."</p>
            })}
            {providers
                .into_iter()
                .map(|(id, name, accepted)| {
                    let input_id = format!("accept-provider-{id}");
                    view! {
                        <div class="field checkbox">
                            <input id=input_id.clone() type="checkbox" bind:checked=accepted />
                            <label for=input_id>{format!("Accept {name}")}</label>
                        </div>
                    }
                })
                .collect_view()}
        </fieldset>
    }
    .into_any()
}

#[component]
fn MappingTable(
    rows: RwSignal<Vec<MappingRow>>,
    groups: Vec<MappableGroup>,
    add_row: impl Fn(leptos::ev::MouseEvent) + 'static,
) -> impl IntoView {
    let hydrated = use_hydrated();
    let groups = StoredValue::new(groups);
    view! {
        <table>
            <caption>"Group mappings"</caption>
            <thead>
                <tr>
                    <th scope="col">"Identity provider group"</th>
                    <th scope="col">"Gatehouse group"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>
                <For each=move || rows.get() key=|row| row.key let:row>
                    <MappingEditor row rows groups=groups.get_value() />
                </For>
            </tbody>
        </table>
        <button type="button" on:click=add_row disabled=move || !hydrated.get()>"Add group mapping"</button>
    }
    .into_any()
}

#[component]
fn MappingEditor(
    row: MappingRow,
    rows: RwSignal<Vec<MappingRow>>,
    groups: Vec<MappableGroup>,
) -> impl IntoView {
    let number = move || {
        rows.with(|rows| rows.iter().position(|other| other.key == row.key))
            .map_or(0, |index| index + 1)
    };
    let initial = row.group_id.get_untracked();
    view! {
        <tr>
            <td>
                <input
                    type="text"
                    aria-label=move || format!("Identity provider group {}", number())
                    bind:value=row.idp_group
                />
            </td>
            <td>
                <select
                    aria-label=move || format!("Gatehouse group {}", number())
                    on:change:target=move |event| {
                        if let Ok(id) = event.target().value().parse() {
                            row.group_id.set(id);
                        }
                    }
                >
                    {groups
                        .into_iter()
                        .map(|group| {
                            view! {
                                <option value=group.id.to_string() selected=group.id == initial>
                                    {group.name}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </td>
            <td>
                <button
                    type="button"
                    on:click=move |_| rows.update(|rows| rows.retain(|other| other.key != row.key))
                >
                    {move || format!("Remove group mapping {}", number())}
                </button>
            </td>
        </tr>
    }
}
