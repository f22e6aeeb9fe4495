//! The User role choice of the invite and edit forms.

use leptos::prelude::*;

use crate::memberships::Role;

/// A labelled select of the three roles, starting at `role`'s value.
#[component]
pub(super) fn RoleSelect(id: &'static str, role: RwSignal<Role>) -> impl IntoView {
    let initial = role.get_untracked();
    view! {
        <div class="field">
            <label for=id>"User role"</label>
            <select
                id=id
                on:change:target=move |event| {
                    if let Ok(choice) = Role::parse(&event.target().value()) {
                        role.set(choice);
                    }
                }
            >
                {Role::ALL
                    .into_iter()
                    .map(|option| {
                        view! {
                            <option value=option.key() selected=option == initial>
                                {option.label()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}
