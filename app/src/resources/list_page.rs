//! The frame of a settings page that lists one kind of resource (workspace constants,
//! data sources), and the Delete button of its rows.

use std::future::Future;

use leptos::prelude::*;
use leptos_meta::Title;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::page::Page;
use super::widgets::ConfirmDelete;
use crate::error::AppError;
use crate::loading::Loaded;
use crate::ui::{NoticeBar, PagePanel, once_loaded, use_hydrated, when_list_loaded};
use crate::workspaces::in_workspace;

/// The page's title and introduction, the create button for those allowed, what
/// happened last, and the table, rendered with the list on the server. The create button
/// is disabled until the page is interactive. `page` and `list` are made where the page
/// starts (`Page::open`, `Page::load`).
#[component]
pub fn ListPage<T>(
    title: &'static str,
    intro: &'static str,
    /// The create button's text, such as "Create constant".
    create_label: &'static str,
    page: Page,
    list: Loaded<T>,
    can_create: fn(&T) -> bool,
    table: fn(T, Page) -> AnyView,
    create_dialog: fn(Page, Callback<()>) -> AnyView,
) -> impl IntoView
where
    T: Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
{
    let creating = RwSignal::new(false);
    let hydrated = use_hydrated();
    let create_button = move |list: T| {
        can_create(&list).then(|| {
            view! {
                <button
                    type="button"
                    class="primary"
                    disabled=move || !hydrated.get()
                    on:click=move |_| creating.set(true)
                >
                    {create_label}
                </button>
            }
        })
    };
    view! {
        <Title text=title />
        {in_workspace(move |_| {
            view! {
                <PagePanel title actions=once_loaded(list, create_button)>
                    <p>{intro}</p>
                    <NoticeBar notice=page.listing.notice />
                    {when_list_loaded(list, move |list| table(list, page))}
                </PagePanel>
                <Show when=move || creating.get()>
                    {create_dialog(page, Callback::new(move |()| creating.set(false)))}
                </Show>
            }
        })}
    }
    .into_any()
}

/// A row's Delete button, named "Delete {name}" for assistive technology. It asks
/// first; then the page says `done` and loads the list again.
#[component]
pub fn DeleteRowButton<Delete, Fut>(
    id: i64,
    name: String,
    /// Names the dialog and its confirming button, such as "Delete constant".
    title: &'static str,
    /// What deleting it will do.
    message: String,
    done: String,
    /// The server function that deletes a resource of this kind by id.
    delete: Delete,
    page: Page,
) -> impl IntoView
where
    Delete: Fn(String, i64) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = Result<(), AppError>> + 'static,
{
    let confirming = RwSignal::new(false);
    let message = StoredValue::new(message);
    let done = StoredValue::new(done);
    view! {
        <button
            type="button"
            class="danger"
            aria-label=format!("Delete {name}")
            on:click=move |_| confirming.set(true)
        >
            "Delete"
        </button>
        <Show when=move || confirming.get()>
            <ConfirmDelete
                title
                message=message.get_value()
                on_confirm=move |()| page.listing.report(delete(page.slug.get_untracked(), id), done.get_value())
                on_close=move |()| confirming.set(false)
            />
        </Show>
    }
    .into_any()
}
