//! What every resource page shares: the workspace it belongs to, loading what it shows
//! (on the server for the first HTML, then again after each change), and saying what
//! happened.

use std::future::Future;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::shell::when_loaded;
use crate::ui::Notice;
use crate::workspaces::{in_workspace, workspace_slug};

/// Where a page is, reloading what it shows and its notices, shared by its rows, forms
/// and dialogs.
#[derive(Clone, Copy)]
pub struct Page {
    /// The slug of the workspace the page belongs to, as the address gives it.
    pub slug: Memo<String>,
    version: RwSignal<u64>,
    pub notice: RwSignal<Option<Notice>>,
}

impl Page {
    /// A page of the workspace in the address, with nothing to report yet. Made where
    /// the page starts, with what it loads, never inside a loading boundary.
    pub fn open() -> Page {
        Page {
            slug: workspace_slug(),
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

    /// Loads a list (or the dashboard) for the page the server renders, and again after
    /// each change.
    pub fn load<T, F, Fut>(&self, fetch: F) -> Resource<Result<T, AppError>>
    where
        T: Serialize + DeserializeOwned + Send + Sync + 'static,
        F: Fn(String) -> Fut + Copy + Send + Sync + 'static,
        Fut: Future<Output = Result<T, AppError>> + Send + 'static,
    {
        let Page { slug, version, .. } = *self;
        Resource::new(
            move || (slug.get(), version.get()),
            move |(slug, _)| fetch(slug),
        )
    }

    /// Loads what a page shows about the resource whose id is in the address parameter
    /// `param`, and again after each change.
    fn load_by_id<T, F, Fut>(&self, param: &'static str, fetch: F) -> Resource<Result<T, AppError>>
    where
        T: Serialize + DeserializeOwned + Send + Sync + 'static,
        F: Fn(String, i64) -> Fut + Copy + Send + Sync + 'static,
        Fut: Future<Output = Result<T, AppError>> + Send + 'static,
    {
        let Page { slug, version, .. } = *self;
        let params = use_params_map();
        let id = move || {
            params
                .read()
                .get(param)
                .and_then(|id| id.parse::<i64>().ok())
        };
        Resource::new(
            move || (slug.get(), id(), version.get()),
            move |(slug, id, _)| async move {
                match id {
                    Some(id) => fetch(slug, id).await,
                    None => Err(AppError::ResourceNotFound),
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
    T: Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
    F: Fn(String, i64) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send + 'static,
    V: IntoView + 'static,
{
    let page = Page::open();
    let loaded = page.load_by_id(param, fetch);
    in_workspace(move |_| {
        let ready = ready.clone();
        when_loaded(loaded, move |value| ready(value, page))
    })
}
