//! Workspace constants: the list (`/{slug}/settings/constants`) with values masked, each
//! revealed on request to those who may view it, and a page per constant
//! (`/{slug}/constants/{constant_id}`).

use leptos::prelude::*;

use super::detail_page::{DeleteAndLeave, HeaderButton, ResourcePanel, detail_page};
use super::list_page::{DeleteRowButton, ListPage};
use super::page::Page;
use super::{
    ConstantDetails, ConstantList, ConstantRow, create_constant, delete_constant, list_constants,
    open_constant, reveal_constant, set_constant_value,
};
use crate::ui::{ActionTable, Field, FormDialog, use_hydrated};

/// How a value looks until it is revealed.
const MASK: &str = "••••••";

#[component]
pub fn ConstantsPage() -> impl IntoView {
    let page = Page::open();
    view! {
        <ListPage
            title="Workspace constants"
            intro="Values the apps of this workspace share, as {{constants.NAME}}. They are stored encrypted and shown only on request, to those who may view them."
            create_label="Create constant"
            page
            list=page.load(list_constants)
            can_create=|list: &ConstantList| list.can_create
            table=|list, page| view! { <ConstantTable list page /> }.into_any()
            create_dialog=|page, on_close| {
                view! { <CreateConstantDialog page on_close /> }.into_any()
            }
        />
    }
    .into_any()
}

#[component]
fn ConstantTable(list: ConstantList, page: Page) -> impl IntoView {
    if list.constants.is_empty() {
        return view! { <p class="empty">"There are no workspace constants you can see."</p> }
            .into_any();
    }
    view! {
        <ActionTable caption="Workspace constants" columns=&["Name", "Value"]>
            {list
                .constants
                .into_iter()
                .map(|constant| view! { <ConstantTableRow constant page /> })
                .collect_view()}
        </ActionTable>
    }
    .into_any()
}

#[component]
fn ConstantTableRow(constant: ConstantRow, page: Page) -> impl IntoView {
    let revealed = RwSignal::new(None::<String>);
    let editing = RwSignal::new(false);
    let id = constant.id;
    let name = StoredValue::new(constant.name.clone());
    let href = format!("/{}/constants/{id}", page.slug.get_untracked());
    view! {
        <tr>
            <td>
                <a href=href>
                    <code>{constant.name.clone()}</code>
                </a>
            </td>
            <td>
                <MaskedValue name=constant.name.clone() revealed />
            </td>
            <td class="row-actions">
                <RevealButton page constant_id=id name=constant.name.clone() revealed />
                {constant
                    .can_edit
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                aria-label=format!("Edit {}", constant.name)
                                on:click=move |_| editing.set(true)
                            >
                                "Edit"
                            </button>
                        }
                    })}
                {constant
                    .can_delete
                    .then(|| {
                        view! {
                            <DeleteRowButton
                                id
                                name=constant.name.clone()
                                title="Delete constant"
                                message=format!(
                                    "{} will be deleted. Apps that use it will find it empty.",
                                    constant.name,
                                )
                                done=format!("The constant {} has been deleted.", constant.name)
                                delete=delete_constant
                                page
                            />
                        }
                    })}
                <Show when=move || editing.get()>
                    <EditValueDialog
                        page
                        constant_id=id
                        name=name.get_value()
                        on_saved=move |()| {
                            revealed.set(None);
                            page.listing.done(format!("The value of {} has been changed.", name.get_value()));
                        }
                        on_close=move |()| editing.set(false)
                    />
                </Show>
            </td>
        </tr>
    }
    .into_any()
}

/// The value, masked until revealed.
#[component]
fn MaskedValue(name: String, revealed: RwSignal<Option<String>>) -> impl IntoView {
    let hidden_label = format!("Value of {name} hidden");
    view! {
        {move || match revealed.get() {
            Some(value) => view! { <code class="revealed">{value}</code> }.into_any(),
            None => {
                view! {
                    <span class="masked" aria-label=hidden_label.clone() title="Hidden">
                        {MASK}
                    </span>
                }
                    .into_any()
            }
        }}
    }
    .into_any()
}

/// Reveal fetches the value from the server, which checks the caller may view it; Hide
/// forgets it again.
#[component]
fn RevealButton(
    page: Page,
    constant_id: i64,
    name: String,
    revealed: RwSignal<Option<String>>,
) -> impl IntoView {
    let hydrated = use_hydrated();
    let label = {
        let name = name.clone();
        move || {
            if revealed.get().is_some() {
                format!("Hide {name}")
            } else {
                format!("Reveal {name}")
            }
        }
    };
    let toggle = move |_| {
        if revealed.get_untracked().is_some() {
            revealed.set(None);
            return;
        }
        let request = reveal_constant(page.slug.get_untracked(), constant_id);
        leptos::task::spawn_local(async move {
            match request.await {
                Ok(value) => {
                    revealed.try_set(Some(value));
                }
                Err(error) => page.listing.failed(error),
            }
        });
    };
    view! {
        <button type="button" aria-label=label disabled=move || !hydrated.get() on:click=toggle>
            {move || if revealed.get().is_some() { "Hide" } else { "Reveal" }}
        </button>
    }
    .into_any()
}

#[component]
fn CreateConstantDialog(page: Page, #[prop(into)] on_close: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let value = RwSignal::new(String::new());
    let submit = move || {
        let created = format!(
            "The constant {} has been created.",
            name.get_untracked().trim()
        );
        let request = create_constant(
            page.slug.get_untracked(),
            name.get_untracked(),
            value.get_untracked(),
        );
        async move { request.await.map(|_| created) }
    };
    view! {
        <FormDialog
            heading_id="create-constant-title"
            heading="Create constant"
            submit_label="Create constant"
            submit
            on_saved=move |created| page.listing.done(created)
            on_close
        >
            <Field
                label="Name"
                id="create-constant-name"
                value=name
                autocomplete="off"
                hint="Letters, digits and underscores, starting with a letter, such as API_KEY."
            />
            <Field label="Value" id="create-constant-value" value=value autocomplete="off" />
        </FormDialog>
    }
    .into_any()
}

/// Replaces a value. The current one isn't shown here: the new one is typed in full.
#[component]
fn EditValueDialog(
    page: Page,
    constant_id: i64,
    name: String,
    #[prop(into)] on_saved: Callback<()>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let value = RwSignal::new(String::new());
    let submit = move || {
        set_constant_value(
            page.slug.get_untracked(),
            constant_id,
            value.get_untracked(),
        )
    };
    view! {
        <FormDialog
            heading_id="edit-constant-title"
            heading=format!("Edit {name}")
            submit_label="Save"
            submit
            on_saved
            on_close
        >
            <Field label="New value" id="edit-constant-value" value=value autocomplete="off" />
        </FormDialog>
    }
    .into_any()
}

#[component]
pub fn ConstantPage() -> impl IntoView {
    detail_page("constant_id", open_constant, |details, page| {
        view! { <ConstantView details page /> }
    })
}

#[component]
fn ConstantView(details: ConstantDetails, page: Page) -> impl IntoView {
    let slug = page.slug.get_untracked();
    let revealed = RwSignal::new(None::<String>);
    let editing = RwSignal::new(false);
    let deleting = RwSignal::new(false);
    let ConstantRow {
        id,
        name,
        can_edit,
        can_delete,
    } = details.constant;
    let usage = format!("{{{{constants.{name}}}}}");
    let stored_name = StoredValue::new(name.clone());

    view! {
        <ResourcePanel
            name=name.clone()
            resource_id=id
            is_admin=details.is_admin
            page
            actions=move || {
                view! {
                    <div class="actions">
                        {can_edit.then(|| view! { <HeaderButton label="Edit value" opens=editing /> })}
                        {can_delete
                            .then(|| {
                                view! {
                                    <HeaderButton label="Delete constant" class="danger" opens=deleting />
                                }
                            })}
                    </div>
                }
            }
        >
            <dl class="facts">
                <dt>"Workspace constant"</dt>
                <dd>
                    <code>{usage}</code>
                </dd>
                <dt>"Value"</dt>
                <dd>
                    <MaskedValue name=name.clone() revealed />
                    " "
                    <RevealButton page constant_id=id name=name.clone() revealed />
                </dd>
            </dl>
        </ResourcePanel>
        <Show when=move || editing.get()>
            <EditValueDialog
                page
                constant_id=id
                name=stored_name.get_value()
                on_saved=move |()| {
                    revealed.set(None);
                    page.listing.done("The value has been changed.".to_string());
                }
                on_close=move |()| editing.set(false)
            />
        </Show>
        <DeleteAndLeave
            open=deleting
            title="Delete constant"
            message=format!(
                "{} will be deleted. Apps that use it will find it empty.",
                stored_name.get_value(),
            )
            delete=delete_constant
            id
            leave_to=format!("/{slug}/settings/constants")
            page
        />
    }
    .into_any()
}
