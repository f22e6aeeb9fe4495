//! The User role choice of the invite and edit forms.

use leptos::prelude::*;

use crate::memberships::Role;
use crate::ui::Select;

/// A labelled select of the three roles, starting at `role`'s value.
#[component]
pub(super) fn RoleSelect(id: &'static str, role: RwSignal<Role>) -> impl IntoView {
    let options = Role::ALL
        .into_iter()
        .map(|option| (option, option.label().to_string()))
        .collect();
    let key = |option: &Role| option.key().to_string();
    view! { <Select label="User role" id options key value=role /> }
}
