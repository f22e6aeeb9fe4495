//! Choosing custom groups on the Users page: the picker in Add users and Edit user
//! details, the filter above the table and the table's Groups cell. The Access matrix's
//! Group filter loads and lists them the same way.

use leptos::prelude::*;

/// A custom group as the Users page offers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GroupChoice {
    pub id: i64,
    pub name: String,
}

/// The workspace's custom groups, loaded once in the browser for the page's pickers and
/// its filter. Left empty when they can't be read: the table reports that failure.
pub(crate) fn load_custom_groups(slug: String) -> RwSignal<Vec<GroupChoice>> {
    let groups = RwSignal::new(Vec::new());
    Effect::new(move |_| {
        let slug = slug.clone();
        leptos::task::spawn_local(async move {
            if let Ok(all) = crate::groups::list_groups(slug).await {
                let custom = all
                    .into_iter()
                    .filter(|group| group.role.is_none())
                    .map(|group| GroupChoice {
                        id: group.id,
                        name: group.name,
                    })
                    .collect();
                groups.try_set(custom);
            }
        });
    });
    groups
}

/// Checkboxes for the custom groups, with a search box that narrows them by name.
#[component]
pub(super) fn GroupPicker(
    groups: RwSignal<Vec<GroupChoice>>,
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

/// Keeps the table to one custom group's members. Shown once the groups are loaded, and
/// only when there are some.
#[component]
pub(super) fn GroupFilter(
    groups: RwSignal<Vec<GroupChoice>>,
    chosen: RwSignal<Option<i64>>,
) -> impl IntoView {
    move || {
        let groups = groups.get();
        (!groups.is_empty()).then(|| {
            let options = group_options(groups, chosen);
            view! {
                <div class="field inline">
                    <label for="member-group">"Group"</label>
                    <select
                        id="member-group"
                        on:change=move |event| {
                            chosen.set(event_target_value(&event).parse::<i64>().ok());
                        }
                    >
                        {options}
                    </select>
                </div>
            }
        })
    }
}

/// "All groups" and then each group, as the options of a Group filter, the chosen one
/// selected. One list: a fixed option before generated ones doesn't hydrate inside
/// <select>.
pub(crate) fn group_options(
    groups: Vec<GroupChoice>,
    chosen: RwSignal<Option<i64>>,
) -> impl IntoView {
    std::iter::once((None, "All groups".to_string()))
        .chain(groups.into_iter().map(|group| (Some(group.id), group.name)))
        .map(|(id, name)| {
            let value = id.map(|id| id.to_string()).unwrap_or_default();
            view! {
                <option value=value selected=move || chosen.get_untracked() == id>
                    {name}
                </option>
            }
        })
        .collect_view()
}
