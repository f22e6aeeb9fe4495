//! Data sources: the list (`/{slug}/settings/data-sources`) of those the member may build
//! with, and a page per data source (`/{slug}/data-sources/{data_source_id}`) where those
//! who may configure it read and change its configuration.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

use super::widgets::{
    ConfirmDelete, Listing, PermissionsSection, TextArea, current_slug, load_by_id, when_ready,
};
use super::{
    DataSourceDetails, DataSourceList, DataSourceRow, SourceKind, configure_data_source,
    create_data_source, delete_data_source, list_data_sources, open_data_source,
    read_data_source_configuration,
};
use crate::ui::{Field, FormError, Modal, Notice, NoticeBar, use_hydrated};

const CONFIGURATION_HINT: &str = "Connection settings, such as a host, database and credentials. Stored encrypted and shown only to those who may configure the data source.";

#[component]
pub fn DataSourcesPage() -> impl IntoView {
    let listing = Listing::for_page();
    let list = listing.load(list_data_sources);
    let creating = RwSignal::new(false);
    let can_create = move || {
        list.get()
            .and_then(Result::ok)
            .is_some_and(|list| list.can_create)
    };
    view! {
        <Title text="Data sources" />
        <section class="panel" aria-labelledby="page-title">
            <div class="panel-header">
                <h1 id="page-title">"Data sources"</h1>
                <Show when=can_create>
                    <button type="button" class="primary" on:click=move |_| creating.set(true)>
                        "Create data source"
                    </button>
                </Show>
            </div>
            <p>"The databases and APIs the apps of this workspace use."</p>
            <NoticeBar notice=listing.notice />
            {move || match list.get() {
                None => view! { <p class="loading">"Loading…"</p> }.into_any(),
                Some(Ok(list)) => view! { <DataSourceTable list listing /> }.into_any(),
                Some(Err(error)) => view! { <FormError message=Some(error.to_string()) /> }.into_any(),
            }}
        </section>
        <Show when=move || creating.get()>
            <CreateDataSourceDialog listing on_close=move |()| creating.set(false) />
        </Show>
    }
    .into_any()
}

#[component]
fn DataSourceTable(list: DataSourceList, listing: Listing) -> impl IntoView {
    if list.data_sources.is_empty() {
        return view! { <p class="empty">"There are no data sources you can use."</p> }.into_any();
    }
    view! {
        <table>
            <caption class="visually-hidden">"Data sources"</caption>
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Kind"</th>
                    <th scope="col">
                        <span class="visually-hidden">"Actions"</span>
                    </th>
                </tr>
            </thead>
            <tbody>
                {list
                    .data_sources
                    .into_iter()
                    .map(|source| view! { <DataSourceTableRow source listing /> })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn DataSourceTableRow(source: DataSourceRow, listing: Listing) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let id = source.id;
    let name = StoredValue::new(source.name.clone());
    let href = format!("/{}/data-sources/{id}", listing.slug.get_value());
    let delete = move || {
        let request = delete_data_source(listing.slug.get_value(), id);
        let done = format!("The data source {} has been deleted.", name.get_value());
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
                <a href=href>{source.name.clone()}</a>
            </td>
            <td>{source.kind.label()}</td>
            <td class="row-actions">
                {source
                    .can_delete
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="danger"
                                aria-label=format!("Delete {}", source.name)
                                on:click=move |_| confirming.set(true)
                            >
                                "Delete"
                            </button>
                        }
                    })}
                <Show when=move || confirming.get()>
                    <ConfirmDelete
                        title="Delete data source"
                        message=format!(
                            "{} will be deleted, with its configuration.",
                            name.get_value(),
                        )
                        on_confirm=move |()| delete()
                        on_close=move |()| confirming.set(false)
                    />
                </Show>
            </td>
        </tr>
    }
    .into_any()
}

/// A labelled select of the kinds of data source, starting at `kind`'s value.
#[component]
fn KindSelect(id: &'static str, kind: RwSignal<SourceKind>) -> impl IntoView {
    let initial = kind.get_untracked();
    view! {
        <div class="field">
            <label for=id>"Kind"</label>
            <select
                id=id
                on:change:target=move |event| {
                    if let Ok(choice) = SourceKind::parse(&event.target().value()) {
                        kind.set(choice);
                    }
                }
            >
                {SourceKind::ALL
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
    .into_any()
}

#[component]
fn CreateDataSourceDialog(listing: Listing, #[prop(into)] on_close: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let kind = RwSignal::new(SourceKind::PostgreSql);
    let configuration = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        saving.set(true);
        let done = format!(
            "The data source {} has been created.",
            name.get_untracked().trim()
        );
        let request = create_data_source(
            listing.slug.get_value(),
            name.get_untracked(),
            kind.get_untracked().key().to_string(),
            configuration.get_untracked(),
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
        <Modal labelled_by="create-data-source-title" on_close>
            <h2 id="create-data-source-title">"Create data source"</h2>
            <form on:submit=submit>
                <Field label="Name" id="create-data-source-name" value=name autocomplete="off" />
                <KindSelect id="create-data-source-kind" kind />
                <TextArea
                    label="Configuration"
                    id="create-data-source-configuration"
                    value=configuration
                    rows=6
                    hint=CONFIGURATION_HINT
                />
                <FormError message=error />
                <div class="actions">
                    <button type="button" on:click=move |_| on_close.run(())>
                        "Cancel"
                    </button>
                    <button type="submit" class="primary" disabled=move || saving.get()>
                        "Create data source"
                    </button>
                </div>
            </form>
        </Modal>
    }
    .into_any()
}

#[component]
pub fn DataSourcePage() -> impl IntoView {
    let version = RwSignal::new(0_u64);
    let notice = RwSignal::new(None::<Notice>);
    let details = load_by_id("data_source_id", version, open_data_source);
    when_ready(details, move |details| {
        view! { <DataSourceView details version notice /> }
    })
}

#[component]
fn DataSourceView(
    details: DataSourceDetails,
    version: RwSignal<u64>,
    notice: RwSignal<Option<Notice>>,
) -> impl IntoView {
    let slug = current_slug();
    let hydrated = use_hydrated();
    let confirming = RwSignal::new(false);
    let navigate = use_navigate();
    let source = details.data_source;
    let id = source.id;
    let delete = {
        let slug = slug.clone();
        move || {
            let slug = slug.clone();
            let navigate = navigate.clone();
            leptos::task::spawn_local(async move {
                match delete_data_source(slug.clone(), id).await {
                    Ok(()) => navigate(
                        &format!("/{slug}/settings/data-sources"),
                        Default::default(),
                    ),
                    Err(error) => notice.set(Some(Notice::Failed(error.to_string()))),
                }
            });
        }
    };
    let configuration = if source.can_configure {
        view! { <ConfigureForm source=source.clone() version notice /> }.into_any()
    } else {
        view! {
            <p>
                "You can build apps with this data source. Its configuration is shown only to those who may configure it."
            </p>
        }
            .into_any()
    };
    let name = source.name.clone();

    view! {
        <Title text=source.name.clone() />
        <section class="panel" aria-labelledby="page-title">
            <div class="panel-header">
                <h1 id="page-title">{source.name.clone()}</h1>
                {source
                    .can_delete
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="danger"
                                disabled=move || !hydrated.get()
                                on:click=move |_| confirming.set(true)
                            >
                                "Delete data source"
                            </button>
                        }
                    })}
            </div>
            <NoticeBar notice />
            <dl class="facts">
                <dt>"Kind"</dt>
                <dd>{source.kind.label()}</dd>
            </dl>
            {configuration}
        </section>
        {details.is_admin.then(|| view! { <PermissionsSection slug=slug.clone() resource_id=id /> })}
        <Show when=move || confirming.get()>
            <ConfirmDelete
                title="Delete data source"
                message=format!("{name} will be deleted, with its configuration.")
                on_confirm={
                    let delete = delete.clone();
                    move |()| delete()
                }
                on_close=move |()| confirming.set(false)
            />
        </Show>
    }
    .into_any()
}

/// Name, kind and configuration. The configuration is fetched by the browser once the
/// page runs there, so it is never part of the page the server renders.
#[component]
fn ConfigureForm(
    source: DataSourceRow,
    version: RwSignal<u64>,
    notice: RwSignal<Option<Notice>>,
) -> impl IntoView {
    let slug = StoredValue::new(current_slug());
    let name = RwSignal::new(source.name.clone());
    let kind = RwSignal::new(source.kind);
    let configuration = RwSignal::new(String::new());
    let loaded = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let id = source.id;
    Effect::new(move |_| {
        let request = read_data_source_configuration(slug.get_value(), id);
        leptos::task::spawn_local(async move {
            match request.await {
                Ok(text) => {
                    configuration.set(text);
                    loaded.set(true);
                }
                Err(failure) => error.set(Some(failure.to_string())),
            }
        });
    });
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        saving.set(true);
        error.set(None);
        let request = configure_data_source(
            slug.get_value(),
            id,
            name.get_untracked(),
            kind.get_untracked().key().to_string(),
            configuration.get_untracked(),
        );
        leptos::task::spawn_local(async move {
            let saved = request.await;
            saving.set(false);
            match saved {
                Ok(()) => {
                    notice.set(Some(Notice::Done(
                        "The data source has been saved.".to_string(),
                    )));
                    version.update(|version| *version += 1);
                }
                Err(failure) => error.set(Some(failure.to_string())),
            }
        });
    };
    view! {
        <form class="configure" aria-labelledby="configure-title" on:submit=submit>
            <h2 id="configure-title">"Settings"</h2>
            <Field label="Name" id="data-source-name" value=name autocomplete="off" />
            <KindSelect id="data-source-kind" kind />
            <TextArea
                label="Configuration"
                id="data-source-configuration"
                value=configuration
                rows=8
                hint=CONFIGURATION_HINT
            />
            <FormError message=error />
            <div class="actions">
                <button
                    type="submit"
                    class="primary"
                    disabled=move || !loaded.get() || saving.get()
                >
                    "Save"
                </button>
            </div>
        </form>
    }
    .into_any()
}
