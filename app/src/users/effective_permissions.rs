//! A member's effective permissions on every resource, each allowed action with the
//! groups and rules that grant it.

use leptos::prelude::*;

use super::members::{ResourcePermissions, effective_permissions};
use super::users_page::UsersContext;
use crate::ui::{Modal, when_answered};

#[component]
pub(super) fn EffectivePermissionsDialog(
    user_id: i64,
    email: String,
    context: UsersContext,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let slug = context.slug.get_untracked();
    let answer = LocalResource::new(move || effective_permissions(slug.clone(), user_id));
    view! {
        <Modal labelled_by="effective-title" on_close>
            <h2 id="effective-title">{format!("Effective permissions of {email}")}</h2>
            {when_answered(answer, permissions_table)}
            <div class="actions">
                <button type="button" on:click=move |_| on_close.run(())>
                    "Close"
                </button>
            </div>
        </Modal>
    }
    .into_any()
}

/// Each resource with what the member may do there and why; a sentence when there are
/// none yet.
fn permissions_table(resources: Vec<ResourcePermissions>) -> AnyView {
    if resources.is_empty() {
        return view! { <p>"This workspace has no apps, folders, constants or data sources yet."</p> }
            .into_any();
    }
    view! {
        <table>
            <caption class="visually-hidden">"Effective permissions"</caption>
            <thead>
                <tr>
                    <th scope="col">"Resource"</th>
                    <th scope="col">"Allowed"</th>
                    <th scope="col">"Why"</th>
                </tr>
            </thead>
            <tbody>{resources.into_iter().map(resource_row).collect_view()}</tbody>
        </table>
    }
    .into_any()
}

fn resource_row(resource: ResourcePermissions) -> impl IntoView {
    let kind = resource.resource.kind;
    let allowed: Vec<_> = resource
        .explanations
        .iter()
        .filter(|explanation| explanation.allowed)
        .collect();
    let actions = if allowed.is_empty() {
        "No access".to_string()
    } else {
        allowed
            .iter()
            .map(|explanation| explanation.action.describe(kind))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let reasons = allowed
        .iter()
        .map(|explanation| view! { <li>{explanation.describe(kind)}</li> })
        .collect_view();
    view! {
        <tr>
            <th scope="row">{format!("{} ({})", resource.name, kind.noun())}</th>
            <td>{actions}</td>
            <td>
                <ul>{reasons}</ul>
            </td>
        </tr>
    }
}
