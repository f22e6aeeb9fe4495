//! What every resource page shares: the workspace it belongs to, loading what it shows
//! (on the server first, then again after each change), and saying what happened.

use std::future::Future;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::shell::when_loaded;
use crate::ui::Notice;
use crate::workspaces::CurrentWorkspace;

/// Where a page is, reloading what it shows and its notices, shared by its rows, forms
/// and dialogs.
#[derive(Clone, Copy)]
pub struct Page {
    /// The slug of the workspace the page belongs to.
    pub slug: StoredValue<String>,
    version: RwSignal<u64>,
    pub notice: RwSignal<Option<Notice>>,
}

impl Page {
    /// A page of the current workspace, with nothing to report yet.
    pub fn for_current_workspace() -> Page {
        let CurrentWorkspace(workspace) = expect_context::<CurrentWorkspace>();
        Page {
            slug: StoredValue::new(workspace.slug),
            version: RwSignal::new(0),
            notice: RwSignal::new(None),
        }
    }

    /// Reports a change and loads what the page shows again. Answers can arrive after
    /// the page was left, so nothing here insists on it still being there.
    pub fn done(&self, message: String) {
        self.notice.try_set(Some(Notice::Done(message)));
        self.version.try_update(|version| *version += 1);
    }

    pub fn failed(&self, message: String) {
        self.notice.try_set(Some(Notice::Failed(message)));
    }

    /// Waits for `change`, then reports it with `done`, or says why it failed.
    pub fn report<T>(
        self,
        change: impl Future<Output = Result<T, AppError>> + 'static,
        done: String,
    ) {
        leptos::task::spawn_local(async move {
            match change.await {
                Ok(_) => self.done(done),
                Err(error) => self.failed(error.to_string()),
            }
        });
    }

    /// Loads what a list page (or the dashboard) shows: on the server, into the page it
    /// sends, then in the browser again after each change.
    pub fn load<T, F, Fut>(&self, fetch: F) -> Resource<Result<T, AppError>>
    where
        T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
        F: Fn(String) -> Fut + Copy + Send + Sync + 'static,
        Fut: Future<Output = Result<T, AppError>> + Send + 'static,
    {
        let slug = self.slug.get_value();
        let version = self.version;
        Resource::new_blocking(move || version.get(), move |_| fetch(slug.clone()))
    }

    /// Loads what a page shows about the resource whose id is in the address parameter
    /// `param`, as [`Page::load`] does.
    fn load_by_id<T, F, Fut>(&self, param: &'static str, fetch: F) -> Resource<Result<T, AppError>>
    where
        T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
        F: Fn(String, i64) -> Fut + Copy + Send + Sync + 'static,
        Fut: Future<Output = Result<T, AppError>> + Send + 'static,
    {
        let slug = self.slug.get_value();
        let version = self.version;
        let params = use_params_map();
        // No such parameter: the page is being left for another route, and keeps its id.
        let id =
            Memo::new(
                move |kept: Option<&Option<Option<i64>>>| match params.read().get(param) {
                    Some(id) => Some(id.parse::<i64>().ok()),
                    None => kept.cloned().flatten(),
                },
            );
        Resource::new_blocking(
            move || (id.get(), version.get()),
            move |(id, _)| {
                let fetched = id.flatten().map(|id| fetch(slug.clone(), id));
                async move {
                    match fetched {
                        Some(fetched) => fetched.await,
                        None => Err(AppError::ResourceNotFound),
                    }
                }
            },
        )
    }
}

/// The page about the resource whose id is in the address parameter `param`:
/// "Loading…" until `fetch` answers, then `ready` with what it found and the page, or
/// the failure in a page of its own.
pub fn resource_page<T, F, Fut, V>(
    param: &'static str,
    fetch: F,
    ready: impl Fn(T, Page) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
    F: Fn(String, i64) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send + 'static,
    V: IntoView + 'static,
{
    let page = Page::for_current_workspace();
    let loaded = page.load_by_id(param, fetch);
    when_loaded(loaded, move |value| ready(value, page))
}
