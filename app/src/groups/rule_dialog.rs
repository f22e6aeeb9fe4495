//! The dialog that adds or changes a granular rule: name, kind of resource, access,
//! Hide from dashboard, and All or a chosen list.

use leptos::prelude::*;

use super::consent::Change;
use super::{ResourceOption, RuleForm, RuleView, resource_options};
use crate::memberships::Role;
use crate::permissions::{Access, ResourceKind, Scope};
use crate::ui::{Field, FormError, Modal, when_answered};

#[component]
pub fn RuleDialog(
    slug: String,
    group_id: i64,
    /// The role of a role group; `None` for a custom group.
    role: Option<Role>,
    /// The rule being changed; `None` to add one.
    existing: Option<RuleView>,
    #[prop(into)] on_submit: Callback<Change>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let rule_id = existing.as_ref().map(|existing| existing.rule.id);
    let start = existing.map(|existing| existing.rule);
    let name = RwSignal::new(
        start
            .as_ref()
            .map(|rule| rule.name.clone())
            .unwrap_or_default(),
    );
    let kind = RwSignal::new(start.as_ref().map_or(ResourceKind::App, |rule| rule.kind));
    let access = RwSignal::new(start.as_ref().map_or(Access::View, |rule| rule.access));
    let hidden = RwSignal::new(start.as_ref().is_some_and(|rule| rule.hide_from_dashboard));
    let chosen = RwSignal::new(match start.as_ref().map(|rule| &rule.scope) {
        Some(Scope::Only(ids)) => Some(ids.iter().copied().collect::<Vec<_>>()),
        _ => None,
    });
    let error = RwSignal::new(None::<String>);
    let only_all = role.is_some();
    let view_only = role == Some(Role::EndUser);

    // The resources of the chosen kind, asked for again whenever the kind changes.
    let slug = StoredValue::new(slug);
    let options = LocalResource::new(move || {
        resource_options(slug.get_value(), kind.get().key().to_string())
    });
    let change_kind = move |key: String| {
        if let Some(new_kind) = ResourceKind::from_key(&key) {
            kind.set(new_kind);
            access.set(new_kind.accesses()[1]);
            hidden.set(false);
            if chosen.get_untracked().is_some() {
                chosen.set(Some(Vec::new()));
            }
        }
    };
    let can_hide = move || kind.get() == ResourceKind::App && access.get() == Access::View;

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let resource_ids = chosen.get_untracked();
        on_submit.run(Change::SaveRule {
            group_id,
            rule_id,
            rule: RuleForm {
                name: name.get_untracked(),
                kind: kind.get_untracked().key().to_string(),
                access: access.get_untracked().key().to_string(),
                hide_from_dashboard: hidden.get_untracked() && can_hide(),
                all: resource_ids.is_none(),
                resource_ids: resource_ids.unwrap_or_default(),
            },
        });
    };

    view! {
        <Modal labelled_by="rule-title" on_close>
            <h2 id="rule-title">
                {if rule_id.is_some() { "Edit permission" } else { "Add permission" }}
            </h2>
            <form on:submit=submit>
                <Field label="Permission name" id="rule-name" value=name />
                <div class="field">
                    <label for="rule-kind">"Resource"</label>
                    <select
                        id="rule-kind"
                        prop:value=move || kind.get().key()
                        on:change:target=move |event| change_kind(event.target().value())
                    >
                        {ResourceKind::ALL
                            .into_iter()
                            .map(|each| {
                                view! {
                                    <option value=each.key() selected=move || kind.get() == each>
                                        {each.plural_label()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <fieldset>
                    <legend>"Access"</legend>
                    {move || {
                        kind.get()
                            .accesses()
                            .into_iter()
                            .map(|each| {
                                let id = format!("rule-access-{}", each.key());
                                let blocked = view_only && each != Access::View;
                                view! {
                                    <div class="check">
                                        <input
                                            type="radio"
                                            name="rule-access"
                                            id=id.clone()
                                            disabled=blocked
                                            prop:checked=move || access.get() == each
                                            on:change=move |_| access.set(each)
                                        />
                                        <label for=id>{each.label()}</label>
                                    </div>
                                }
                            })
                            .collect_view()
                    }}
                </fieldset>
                <div class="check">
                    <input
                        type="checkbox"
                        id="rule-hidden"
                        aria-describedby="rule-hidden-help"
                        disabled=move || !can_hide()
                        prop:checked=move || hidden.get() && can_hide()
                        on:change:target=move |event| hidden.set(event.target().checked())
                    />
                    <label for="rule-hidden">"Hide from dashboard"</label>
                    <span class="hint" id="rule-hidden-help">
                        "The app opens by its address only. Only with View."
                    </span>
                </div>
                <fieldset>
                    <legend>"Applies to"</legend>
                    <div class="check">
                        <input
                            type="radio"
                            name="rule-scope"
                            id="rule-scope-all"
                            prop:checked=move || chosen.get().is_none()
                            on:change=move |_| chosen.set(None)
                        />
                        <label for="rule-scope-all">"All"</label>
                        <span class="hint">
                            {move || {
                                format!(
                                    "All {}, including ones created later",
                                    kind.get().plural_label().to_lowercase(),
                                )
                            }}
                        </span>
                    </div>
                    <div class="check">
                        <input
                            type="radio"
                            name="rule-scope"
                            id="rule-scope-custom"
                            disabled=only_all
                            prop:checked=move || chosen.get().is_some()
                            on:change=move |_| chosen.set(Some(Vec::new()))
                        />
                        <label for="rule-scope-custom">"Custom"</label>
                    </div>
                </fieldset>
                <Show when=move || chosen.get().is_some()>
                    <fieldset>
                        <legend>{move || format!("Choose {}", kind.get().plural_label().to_lowercase())}</legend>
                        {when_answered(
                            options,
                            move |found: Vec<ResourceOption>| {
                            if found.is_empty() {
                                view! { <p>"There are none yet."</p> }.into_any()
                            } else {
                                found
                                    .into_iter()
                                    .map(|option| {
                                        let id = format!("rule-resource-{}", option.id);
                                        let resource_id = option.id;
                                        view! {
                                            <div class="check">
                                                <input
                                                    type="checkbox"
                                                    id=id.clone()
                                                    prop:checked=move || {
                                                        chosen
                                                            .get()
                                                            .is_some_and(|ids| ids.contains(&resource_id))
                                                    }
                                                    on:change:target=move |event| {
                                                        let on = event.target().checked();
                                                        chosen
                                                            .update(|chosen| {
                                                                if let Some(ids) = chosen {
                                                                    ids.retain(|id| *id != resource_id);
                                                                    if on {
                                                                        ids.push(resource_id);
                                                                    }
                                                                }
                                                            });
                                                    }
                                                />
                                                <label for=id>{option.name}</label>
                                            </div>
                                        }
                                    })
                                    .collect_view()
                                    .into_any()
                            }
                            },
                        )}
                    </fieldset>
                </Show>
                <FormError message=error />
                <div class="actions">
                    <button type="button" on:click=move |_| on_close.run(())>
                        "Cancel"
                    </button>
                    <button type="submit" class="primary">
                        {if rule_id.is_some() { "Update" } else { "Add permission" }}
                    </button>
                </div>
            </form>
        </Modal>
    }
    .into_any()
}
