//! Choosing custom groups on the Users page: the picker in Add users and Edit user
//! details, the filter above the table and the table's Groups cell. The Access matrix's
//! Group filter loads and lists them the same way.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::groups::list_groups;
use crate::loading::{Loaded, load};
use crate::ui::once_loaded;

/// A custom group as the Users page offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct GroupChoice {
    pub id: i64,
    pub name: String,
}

/// The workspace's custom groups, for a page's pickers and its Group filter.
pub(crate) type CustomGroups = Loaded<Vec<GroupChoice>>;

/// Loads the custom groups of the workspace whose slug is `slug` for the page the server
/// renders, so that its Group filter arrives with its options. Called where the page
/// starts, never inside a loading boundary.
pub(crate) fn load_custom_groups(slug: Memo<String>) -> CustomGroups {
    load(move || slug.get(), custom_groups)
}

async fn custom_groups(slug: String) -> Result<Vec<GroupChoice>, AppError> {
    let all = list_groups(slug).await?;
    Ok(all
        .into_iter()
        .filter(|group| group.role.is_none())
        .map(|group| GroupChoice {
            id: group.id,
            name: group.name,
        })
        .collect())
}

/// The custom groups as a dialog opened after the page arrived lists them; none when
/// they couldn't be read, which the page's table reports.
pub(crate) fn loaded_groups(groups: CustomGroups) -> Signal<Vec<GroupChoice>> {
    Signal::derive(move || groups.get().and_then(Result::ok).unwrap_or_default())
}

/// Checkboxes for the custom groups, with a search box that narrows them by name.
#[component]
pub(super) fn GroupPicker(
    #[prop(into)] groups: Signal<Vec<GroupChoice>>,
    chosen: RwSignal<Vec<i64>>,
) -> impl IntoView {
    let search = RwSignal::new(String::new());
    let matches = move |name: &str| {
        let wanted = search.get().trim().to_lowercase();
        name.to_lowercase().contains(&wanted)
    };
    view! {
        <fieldset class="group-picker">
            <legend>"Groups"</legend>
            {move || {
                let groups = groups.get();
                if groups.is_empty() {
                    return view! {
                        <p class="hint">"No custom groups yet: create them on the Groups page."</p>
                    }
                        .into_any();
                }
                view! {
                    <input
                        type="search"
                        aria-label="Search groups"
                        placeholder="Search groups"
                        bind:value=search
                    />
                    <ul class="choices">
                        {groups
                            .into_iter()
                            .map(|group| {
                                let id = group.id;
                                let name = group.name.clone();
                                view! {
                                    <li hidden=move || !matches(&name)>
                                        <label>
                                            <input
                                                type="checkbox"
                                                prop:checked=move || chosen.with(|ids| ids.contains(&id))
                                                on:change=move |event| {
                                                    let on = event_target_checked(&event);
                                                    chosen
                                                        .update(|ids| {
                                                            ids.retain(|other| *other != id);
                                                            if on {
                                                                ids.push(id);
                                                            }
                                                        });
                                                }
                                            />
                                            {group.name}
                                        </label>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                    <p class="hint" aria-live="polite">
                        {move || match chosen.with(Vec::len) {
                            0 => "No groups chosen.".to_string(),
                            1 => "1 group chosen.".to_string(),
                            n => format!("{n} groups chosen."),
                        }}
                    </p>
                }
                    .into_any()
            }}
        </fieldset>
    }
    .into_any()
}

/// How many group names the table shows before "+N".
const GROUPS_SHOWN: usize = 2;

/// A member's custom groups in the table: the first few and how many more, the whole
/// list on hover or keyboard focus; screen readers get the whole list as the text.
#[component]
pub(super) fn GroupsCell(groups: Vec<String>) -> impl IntoView {
    if groups.is_empty() {
        return view! { <span>"—"</span> }.into_any();
    }
    let full = groups.join(", ");
    let shown = groups
        .iter()
        .take(GROUPS_SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    let more = groups.len().saturating_sub(GROUPS_SHOWN);
    if more == 0 {
        return view! { <span>{full}</span> }.into_any();
    }
    view! {
        <span class="member-groups" tabindex="0">
            <span aria-hidden="true">{format!("{shown} +{more}")}</span>
            <span class="visually-hidden">{full.clone()}</span>
            <span class="member-groups-full" role="tooltip" aria-hidden="true">{full}</span>
        </span>
    }
    .into_any()
}

/// Keeps a list of members to one custom group's, chosen in the select whose id is `id`,
/// and runs `on_change` after each choice. Rendered with the page once the groups are
/// loaded, and only when there are some.
#[component]
pub(crate) fn GroupFilter(
    id: &'static str,
    groups: CustomGroups,
    chosen: RwSignal<Option<i64>>,
    #[prop(optional, into)] on_change: Option<Callback<()>>,
) -> AnyView {
    once_loaded(groups, move |groups| {
        (!groups.is_empty()).then(|| {
            view! {
                <div class="field">
                    <label for=id>"Group"</label>
                    <select
                        id=id
                        on:change:target=move |event| {
                            chosen.set(event.target().value().parse::<i64>().ok());
                            if let Some(on_change) = on_change {
                                on_change.run(());
                            }
                        }
                    >
                        {group_options(groups, chosen)}
                    </select>
                </div>
            }
        })
    })
}

/// "All groups" and then each group, as the options of a Group filter, the chosen one
/// selected.
fn group_options(groups: Vec<GroupChoice>, chosen: RwSignal<Option<i64>>) -> impl IntoView {
    let is_chosen = move |id: Option<i64>| move || chosen.get_untracked() == id;
    view! {
        <option value="" selected=is_chosen(None)>
            "All groups"
        </option>
        {groups
            .into_iter()
            .map(|group| {
                view! {
                    <option value=group.id.to_string() selected=is_chosen(Some(group.id))>
                        {group.name}
                    </option>
                }
            })
            .collect_view()}
    }
}
