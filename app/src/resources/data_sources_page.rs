//! Data sources: the list (`/{slug}/settings/data-sources`) of those the member may build
//! with, and a page per data source (`/{slug}/data-sources/{data_source_id}`) where those
//! who may configure it read and change its configuration.

use leptos::prelude::*;

use super::detail_page::{DeleteAndLeave, HeaderButton, ResourcePanel, SaveForm, detail_page};
use super::list_page::{DeleteRowButton, ListPage};
use super::page::Page;
use super::widgets::TextArea;
use super::{
    DataSourceDetails, DataSourceList, DataSourceRow, SourceKind, configure_data_source,
    create_data_source, delete_data_source, list_data_sources, open_data_source,
    read_data_source_configuration,
};
use crate::ui::{ActionTable, Field, FormDialog, Select};

const CONFIGURATION_HINT: &str = "Connection settings, such as a host, database and credentials. Stored encrypted and shown only to those who may configure the data source.";

#[component]
pub fn DataSourcesPage() -> impl IntoView {
    let page = Page::open();
    view! {
        <ListPage
            title="Data sources"
            intro="The databases and APIs the apps of this workspace use."
            create_label="Create data source"
            page
            list=page.load(list_data_sources)
            can_create=|list: &DataSourceList| list.can_create
            table=|list, page| view! { <DataSourceTable list page /> }.into_any()
            create_dialog=|page, on_close| {
                view! { <CreateDataSourceDialog page on_close /> }.into_any()
            }
        />
    }
    .into_any()
}

#[component]
fn DataSourceTable(list: DataSourceList, page: Page) -> impl IntoView {
    if list.data_sources.is_empty() {
        return view! { <p class="empty">"There are no data sources you can use."</p> }.into_any();
    }
    view! {
        <ActionTable caption="Data sources" columns=&["Name", "Kind"]>
            {list
                .data_sources
                .into_iter()
                .map(|source| view! { <DataSourceTableRow source page /> })
                .collect_view()}
        </ActionTable>
    }
    .into_any()
}

#[component]
fn DataSourceTableRow(source: DataSourceRow, page: Page) -> impl IntoView {
    let href = format!("/{}/data-sources/{}", page.slug.get_untracked(), source.id);
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
                            <DeleteRowButton
                                id=source.id
                                name=source.name.clone()
                                title="Delete data source"
                                message=format!(
                                    "{} will be deleted, with its configuration.",
                                    source.name,
                                )
                                done=format!("The data source {} has been deleted.", source.name)
                                delete=delete_data_source
                                page
                            />
                        }
                    })}
            </td>
        </tr>
    }
    .into_any()
}

/// A labelled select of the kinds of data source, starting at `kind`'s value.
#[component]
fn KindSelect(id: &'static str, kind: RwSignal<SourceKind>) -> impl IntoView {
    let options = SourceKind::ALL
        .into_iter()
        .map(|option| (option, option.label().to_string()))
        .collect();
    let key = |option: &SourceKind| option.key().to_string();
    view! { <Select label="Kind" id options key value=kind /> }.into_any()
}

#[component]
fn CreateDataSourceDialog(page: Page, #[prop(into)] on_close: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let kind = RwSignal::new(SourceKind::PostgreSql);
    let configuration = RwSignal::new(String::new());
    let submit = move || {
        let created = format!(
            "The data source {} has been created.",
            name.get_untracked().trim()
        );
        let request = create_data_source(
            page.slug.get_untracked(),
            name.get_untracked(),
            kind.get_untracked().key().to_string(),
            configuration.get_untracked(),
        );
        async move { request.await.map(|_| created) }
    };
    view! {
        <FormDialog
            heading_id="create-data-source-title"
            heading="Create data source"
            submit_label="Create data source"
            submit
            on_saved=move |created| page.listing.done(created)
            on_close
        >
            <Field label="Name" id="create-data-source-name" value=name autocomplete="off" />
            <KindSelect id="create-data-source-kind" kind />
            <TextArea
                label="Configuration"
                id="create-data-source-configuration"
                value=configuration
                rows=6
                hint=CONFIGURATION_HINT
            />
        </FormDialog>
    }
    .into_any()
}

#[component]
pub fn DataSourcePage() -> impl IntoView {
    detail_page("data_source_id", open_data_source, |details, page| {
        view! { <DataSourceView details page /> }
    })
}

#[component]
fn DataSourceView(details: DataSourceDetails, page: Page) -> impl IntoView {
    let slug = page.slug.get_untracked();
    let deleting = RwSignal::new(false);
    let source = details.data_source;
    let can_delete = source.can_delete;
    let configuration = if source.can_configure {
        view! { <ConfigureForm source=source.clone() page /> }.into_any()
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
        <ResourcePanel
            name=source.name.clone()
            resource_id=source.id
            is_admin=details.is_admin
            page
            actions=move || {
                can_delete
                    .then(|| {
                        view! {
                            <HeaderButton label="Delete data source" class="danger" opens=deleting />
                        }
                    })
            }
        >
            <dl class="facts">
                <dt>"Kind"</dt>
                <dd>{source.kind.label()}</dd>
            </dl>
            {configuration}
        </ResourcePanel>
        <DeleteAndLeave
            open=deleting
            title="Delete data source"
            message=format!("{name} will be deleted, with its configuration.")
            delete=delete_data_source
            id=source.id
            leave_to=format!("/{slug}/settings/data-sources")
            page
        />
    }
    .into_any()
}

/// Name, kind and configuration. The configuration is fetched by the browser once the
/// page runs there, so it is never part of the page the server renders.
#[component]
fn ConfigureForm(source: DataSourceRow, page: Page) -> impl IntoView {
    let name = RwSignal::new(source.name.clone());
    let kind = RwSignal::new(source.kind);
    let configuration = RwSignal::new(String::new());
    let loaded = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let id = source.id;
    Effect::new(move |_| {
        let request = read_data_source_configuration(page.slug.get_untracked(), id);
        leptos::task::spawn_local(async move {
            match request.await {
                Ok(text) => {
                    configuration.try_set(text);
                    loaded.try_set(true);
                }
                Err(failure) => {
                    error.try_set(Some(failure.to_string()));
                }
            }
        });
    });
    let submit = move || {
        configure_data_source(
            page.slug.get_untracked(),
            id,
            name.get_untracked(),
            kind.get_untracked().key().to_string(),
            configuration.get_untracked(),
        )
    };
    view! {
        <SaveForm
            class="configure"
            heading_id="configure-title"
            heading="Settings"
            ready=loaded
            submit
            saved="The data source has been saved."
            page
            error
        >
            <Field label="Name" id="data-source-name" value=name autocomplete="off" />
            <KindSelect id="data-source-kind" kind />
            <TextArea
                label="Configuration"
                id="data-source-configuration"
                value=configuration
                rows=8
                hint=CONFIGURATION_HINT
            />
        </SaveForm>
    }
    .into_any()
}
