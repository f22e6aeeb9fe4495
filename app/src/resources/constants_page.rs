//! Workspace constants: the list (`/{slug}/settings/constants`) with values masked, each
//! revealed on request to those who may view it, and a page per constant
//! (`/{slug}/constants/{constant_id}`).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

use super::widgets::{
    ConfirmDelete, Listing, PermissionsSection, current_slug, load_by_id, when_ready,
};
use super::{
    ConstantDetails, ConstantList, ConstantRow, create_constant, delete_constant, list_constants,
    open_constant, reveal_constant, set_constant_value,
};
use crate::ui::{Field, FormError, Modal, Notice, NoticeBar, use_hydrated};

/// How a value looks until it is revealed.
const MASK: &str = "••••••";

#[component]
pub fn ConstantsPage() -> impl IntoView {
    let listing = Listing::for_page();
    let list = listing.load(list_constants);
    let creating = RwSignal::new(false);
    let can_create = move || {
        list.get()
            .and_then(Result::ok)
            .is_some_and(|list| list.can_create)
    };
    view! {
        <Title text="Workspace constants" />
        <section class="panel" aria-labelledby="page-title">
            <div class="panel-header">
                <h1 id="page-title">"Workspace constants"</h1>
                <Show when=can_create>
                    <button type="button" class="primary" on:click=move |_| creating.set(true)>
                        "Create constant"
                    </button>
                </Show>
            </div>
            <p>
                "Values the apps of this workspace share, as {{constants.NAME}}. They are stored encrypted and shown only on request, to those who may view them."
            </p>
            <NoticeBar notice=listing.notice />
            {move || match list.get() {
                None => view! { <p class="loading">"Loading…"</p> }.into_any(),
                Some(Ok(list)) => view! { <ConstantTable list listing /> }.into_any(),
                Some(Err(error)) => view! { <FormError message=Some(error.to_string()) /> }.into_any(),
            }}
        </section>
        <Show when=move || creating.get()>
            <CreateConstantDialog listing on_close=move |()| creating.set(false) />
        </Show>
    }
    .into_any()
}

#[component]
fn ConstantTable(list: ConstantList, listing: Listing) -> impl IntoView {
    if list.constants.is_empty() {
        return view! { <p class="empty">"There are no workspace constants you can see."</p> }
            .into_any();
    }
    view! {
        <table>
            <caption class="visually-hidden">"Workspace constants"</caption>
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Value"</th>
                    <th scope="col">
                        <span class="visually-hidden">"Actions"</span>
                    </th>
                </tr>
            </thead>
            <tbody>
                {list
                    .constants
                    .into_iter()
                    .map(|constant| view! { <ConstantTableRow constant listing /> })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowDialog {
    Edit,
    Delete,
}

#[component]
fn ConstantTableRow(constant: ConstantRow, listing: Listing) -> impl IntoView {
    let revealed = RwSignal::new(None::<String>);
    let dialog = RwSignal::new(None::<RowDialog>);
    let id = constant.id;
    let name = StoredValue::new(constant.name.clone());
    let href = format!("/{}/constants/{id}", listing.slug.get_value());
    let delete = move || {
        let request = delete_constant(listing.slug.get_value(), id);
        let done = format!("The constant {} has been deleted.", name.get_value());
        leptos::task::spawn_local(async move {
            match request.await {
                Ok(()) => listing.done(done),
                Err(error) => listing.failed(error.to_string()),
            }
        });
    };
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
                <RevealButton
                    slug=listing.slug.get_value()
                    constant_id=id
                    name=constant.name.clone()
                    revealed
                    notice=listing.notice
                />
                {constant
                    .can_edit
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                aria-label=format!("Edit {}", constant.name)
                                on:click=move |_| dialog.set(Some(RowDialog::Edit))
                            >
                                "Edit"
                            </button>
                        }
                    })}
                {constant
                    .can_delete
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="danger"
                                aria-label=format!("Delete {}", constant.name)
                                on:click=move |_| dialog.set(Some(RowDialog::Delete))
                            >
                                "Delete"
                            </button>
                        }
                    })}
                {move || match dialog.get() {
                    Some(RowDialog::Edit) => {
                        view! {
                            <EditValueDialog
                                slug=listing.slug.get_value()
                                constant_id=id
                                name=name.get_value()
                                on_saved=move |()| {
                                    revealed.set(None);
                                    listing.done(format!("The value of {} has been changed.", name.get_value()));
                                }
                                on_close=move |()| dialog.set(None)
                            />
                        }
                            .into_any()
                    }
                    Some(RowDialog::Delete) => {
                        view! {
                            <ConfirmDelete
                                title="Delete constant"
                                message=format!(
                                    "{} will be deleted. Apps that use it will find it empty.",
                                    name.get_value(),
                                )
                                on_confirm=move |()| delete()
                                on_close=move |()| dialog.set(None)
                            />
                        }
                            .into_any()
                    }
                    None => ().into_any(),
                }}
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
    slug: String,
    constant_id: i64,
    name: String,
    revealed: RwSignal<Option<String>>,
    notice: RwSignal<Option<Notice>>,
) -> impl IntoView {
    let hydrated = use_hydrated();
    let slug = StoredValue::new(slug);
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
        let request = reveal_constant(slug.get_value(), constant_id);
        leptos::task::spawn_local(async move {
            match request.await {
                Ok(value) => revealed.set(Some(value)),
                Err(error) => notice.set(Some(Notice::Failed(error.to_string()))),
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
fn CreateConstantDialog(listing: Listing, #[prop(into)] on_close: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let value = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        saving.set(true);
        let done = format!(
            "The constant {} has been created.",
            name.get_untracked().trim()
        );
        let request = create_constant(
            listing.slug.get_value(),
            name.get_untracked(),
            value.get_untracked(),
        );
        leptos::task::spawn_local(async move {
            match request.await {
                Ok(_) => {
                    listing.done(done);
                    on_close.try_run(());
                }
                Err(failure) => {
                    saving.set(false);
                    error.set(Some(failure.to_string()));
                }
            }
        });
    };
    view! {
        <Modal labelled_by="create-constant-title" on_close>
            <h2 id="create-constant-title">"Create constant"</h2>
            <form on:submit=submit>
                <Field
                    label="Name"
                    id="create-constant-name"
                    value=name
                    autocomplete="off"
                    hint="Letters, digits and underscores, starting with a letter, such as API_KEY."
                />
                <Field label="Value" id="create-constant-value" value=value autocomplete="off" />
                <FormError message=error />
                <div class="actions">
                    <button type="button" on:click=move |_| on_close.run(())>
                        "Cancel"
                    </button>
                    <button type="submit" class="primary" disabled=move || saving.get()>
                        "Create constant"
                    </button>
                </div>
            </form>
        </Modal>
    }
    .into_any()
}

/// Replaces a value. The current one isn't shown here: the new one is typed in full.
#[component]
fn EditValueDialog(
    slug: String,
    constant_id: i64,
    name: String,
    #[prop(into)] on_saved: Callback<()>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let value = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let slug = StoredValue::new(slug);
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        saving.set(true);
        let request = set_constant_value(slug.get_value(), constant_id, value.get_untracked());
        leptos::task::spawn_local(async move {
            match request.await {
                Ok(()) => {
                    on_saved.try_run(());
                    on_close.try_run(());
                }
                Err(failure) => {
                    saving.set(false);
                    error.set(Some(failure.to_string()));
                }
            }
        });
    };
    view! {
        <Modal labelled_by="edit-constant-title" on_close>
            <h2 id="edit-constant-title">{format!("Edit {name}")}</h2>
            <form on:submit=submit>
                <Field label="New value" id="edit-constant-value" value=value autocomplete="off" />
                <FormError message=error />
                <div class="actions">
                    <button type="button" on:click=move |_| on_close.run(())>
                        "Cancel"
                    </button>
                    <button type="submit" class="primary" disabled=move || saving.get()>
                        "Save"
                    </button>
                </div>
            </form>
        </Modal>
    }
    .into_any()
}

#[component]
pub fn ConstantPage() -> impl IntoView {
    let version = RwSignal::new(0_u64);
    let notice = RwSignal::new(None::<Notice>);
    let details = load_by_id("constant_id", version, open_constant);
    when_ready(details, move |details| {
        view! { <ConstantView details version notice /> }
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PageDialog {
    Edit,
    Delete,
}

#[component]
fn ConstantView(
    details: ConstantDetails,
    version: RwSignal<u64>,
    notice: RwSignal<Option<Notice>>,
) -> impl IntoView {
    let slug = current_slug();
    let hydrated = use_hydrated();
    let revealed = RwSignal::new(None::<String>);
    let dialog = RwSignal::new(None::<PageDialog>);
    let navigate = use_navigate();
    let ConstantRow {
        id,
        name,
        can_edit,
        can_delete,
    } = details.constant;
    let delete = {
        let slug = slug.clone();
        move || {
            let slug = slug.clone();
            let navigate = navigate.clone();
            leptos::task::spawn_local(async move {
                match delete_constant(slug.clone(), id).await {
                    Ok(()) => navigate(&format!("/{slug}/settings/constants"), Default::default()),
                    Err(error) => notice.set(Some(Notice::Failed(error.to_string()))),
                }
            });
        }
    };
    let button = move |label: &'static str, class: &'static str, which: PageDialog| {
        view! {
            <button
                type="button"
                class=class
                disabled=move || !hydrated.get()
                on:click=move |_| dialog.set(Some(which))
            >
                {label}
            </button>
        }
    };
    let usage = format!("{{{{constants.{name}}}}}");
    let stored_name = StoredValue::new(name.clone());

    view! {
        <Title text=name.clone() />
        <section class="panel" aria-labelledby="page-title">
            <div class="panel-header">
                <h1 id="page-title">{name.clone()}</h1>
                <div class="actions">
                    {can_edit.then(|| button("Edit value", "", PageDialog::Edit))}
                    {can_delete.then(|| button("Delete constant", "danger", PageDialog::Delete))}
                </div>
            </div>
            <NoticeBar notice />
            <dl class="facts">
                <dt>"Workspace constant"</dt>
                <dd>
                    <code>{usage}</code>
                </dd>
                <dt>"Value"</dt>
                <dd>
                    <MaskedValue name=name.clone() revealed />
                    " "
                    <RevealButton slug=slug.clone() constant_id=id name=name.clone() revealed notice />
                </dd>
            </dl>
        </section>
        {details.is_admin.then(|| view! { <PermissionsSection slug=slug.clone() resource_id=id /> })}
        {move || match dialog.get() {
            Some(PageDialog::Edit) => {
                view! {
                    <EditValueDialog
                        slug=slug.clone()
                        constant_id=id
                        name=stored_name.get_value()
                        on_saved=move |()| {
                            revealed.set(None);
                            notice.set(Some(Notice::Done("The value has been changed.".to_string())));
                            version.update(|version| *version += 1);
                        }
                        on_close=move |()| dialog.set(None)
                    />
                }
                    .into_any()
            }
            Some(PageDialog::Delete) => {
                let delete = delete.clone();
                view! {
                    <ConfirmDelete
                        title="Delete constant"
                        message=format!(
                            "{} will be deleted. Apps that use it will find it empty.",
                            stored_name.get_value(),
                        )
                        on_confirm=move |()| delete()
                        on_close=move |()| dialog.set(None)
                    />
                }
                    .into_any()
            }
            None => ().into_any(),
        }}
    }
    .into_any()
}
