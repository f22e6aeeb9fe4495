//! Small pieces the resource pages share: app lists, the delete confirmation and a
//! multi-line text field.

use leptos::prelude::*;

use super::AppCard;
use crate::ui::Modal;

/// Apps as a list: each name opens the app, with "Open" beside it and "Edit", to the
/// editor, where the viewer may edit it. An app never released, which only its editors
/// find listed, says "Draft only".
#[component]
pub fn AppLinks(slug: String, apps: Vec<AppCard>) -> impl IntoView {
    view! {
        <ul class="app-list">
            {apps
                .into_iter()
                .map(|app| {
                    let href = format!("/{slug}/apps/{}", app.id);
                    let edit = app.can_edit.then(|| {
                        view! {
                            " "
                            <a href=format!("{href}/edit") aria-label=format!("Edit {}", app.name) class="app-action">
                                "Edit"
                            </a>
                        }
                    });
                    let draft_only = app
                        .released
                        .is_none()
                        .then(|| view! { " " <span class="badge">"Draft only"</span> });
                    view! {
                        <li>
                            <span>
                                <a href=href.clone()>{app.name.clone()}</a>
                                {draft_only}
                            </span>
                            " "
                            <a href=href aria-label=format!("Open {}", app.name) class="app-action">
                                "Open"
                            </a>
                            {edit}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

/// Asks before deleting. `title` names the dialog and its button ("Delete app").
#[component]
pub fn ConfirmDelete(
    title: &'static str,
    #[prop(into)] message: String,
    #[prop(into)] on_confirm: Callback<()>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    view! {
        <Modal labelled_by="confirm-delete-title" on_close>
            <h2 id="confirm-delete-title">{title}</h2>
            <p>{message}</p>
            <div class="actions">
                <button type="button" on:click=move |_| on_close.run(())>
                    "Cancel"
                </button>
                <button
                    type="button"
                    class="danger"
                    on:click=move |_| {
                        // Confirm first: closing disposes whatever owns the callbacks.
                        on_confirm.run(());
                        on_close.run(());
                    }
                >
                    {title}
                </button>
            </div>
        </Modal>
    }
    .into_any()
}

/// A labelled multi-line text bound to `value`.
#[component]
pub fn TextArea(
    label: &'static str,
    id: &'static str,
    value: RwSignal<String>,
    #[prop(default = 8)] rows: u32,
    #[prop(optional, into)] hint: Option<String>,
) -> impl IntoView {
    let hint_id = hint.as_ref().map(|_| format!("{id}-hint"));
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <textarea id=id name=id rows=rows aria-describedby=hint_id.clone() bind:value=value></textarea>
            {hint.map(|hint| view! { <p class="hint" id=hint_id>{hint}</p> })}
        </div>
    }
    .into_any()
}
