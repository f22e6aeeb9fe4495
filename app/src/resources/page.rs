//! What every resource page shares: the workspace it belongs to, loading what it shows
//! in the browser and again after each change, and saying what happened.

use std::future::Future;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::error::AppError;
use crate::shell::ErrorPanel;
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

    /// Loads a list (or the dashboard) in the browser after hydration, as the Users table
    /// does, and again after each change.
    pub fn load<T, F, Fut>(&self, fetch: F) -> RwSignal<Option<Result<T, AppError>>>
    where
        T: Send + Sync + 'static,
        F: Fn(String) -> Fut + Copy + 'static,
        Fut: Future<Output = Result<T, AppError>> + 'static,
    {
        let loaded = RwSignal::new(None);
        let Page { slug, version, .. } = *self;
        Effect::new(move |_| {
            version.track();
            let Some(slug) = slug.try_get_value() else {
                return;
            };
            let request = fetch(slug);
            leptos::task::spawn_local(async move {
                loaded.try_set(Some(request.await));
            });
        });
        loaded
    }

    /// Loads what a page shows about the resource whose id is in the address parameter
    /// `param`, in the browser after hydration, and again after each change. Only the
    /// newest answer is kept.
    fn load_by_id<T, F, Fut>(
        &self,
        param: &'static str,
        fetch: F,
    ) -> RwSignal<Option<Result<T, AppError>>>
    where
        T: Send + Sync + 'static,
        F: Fn(String, i64) -> Fut + Copy + 'static,
        Fut: Future<Output = Result<T, AppError>> + 'static,
    {
        let Page { slug, version, .. } = *self;
        let params = use_params_map();
        let loaded = RwSignal::new(None);
        let latest = StoredValue::new(0_u64);
        Effect::new(move |_| {
            // No such parameter: the page is being left for another route.
            let Some(id) = params.read().get(param) else {
                return;
            };
            version.track();
            let (Some(slug), Some(previous)) = (slug.try_get_value(), latest.try_get_value())
            else {
                return;
            };
            let request = previous + 1;
            latest.set_value(request);
            let fetched = id.parse::<i64>().ok().map(|id| fetch(slug, id));
            leptos::task::spawn_local(async move {
                let answer = match fetched {
                    Some(fetched) => fetched.await,
                    None => Err(AppError::ResourceNotFound),
                };
                // Only the newest answer, and only while the page is still there.
                if latest.try_get_value() == Some(request) {
                    loaded.try_set(Some(answer));
                }
            });
        });
        loaded
    }
}

/// The page about the resource whose id is in the address parameter `param`:
/// "Loading…" until `fetch` answers, then `ready` with what it found and the page, or
/// the failure in a page of its own.
pub fn resource_page<T, F, Fut, V>(
    param: &'static str,
    fetch: F,
    ready: impl Fn(T, Page) -> V + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    F: Fn(String, i64) -> Fut + Copy + 'static,
    Fut: Future<Output = Result<T, AppError>> + 'static,
    V: IntoView + 'static,
{
    let page = Page::for_current_workspace();
    let loaded = page.load_by_id(param, fetch);
    when_ready(loaded, move |value| ready(value, page))
}

fn when_ready<T, V>(
    loaded: RwSignal<Option<Result<T, AppError>>>,
    ready: impl Fn(T) -> V + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    move || match loaded.get() {
        None => view! { <p class="loading">"Loading…"</p> }.into_any(),
        Some(Ok(value)) => ready(value).into_any(),
        Some(Err(error)) => view! { <ErrorPanel error /> }.into_any(),
    }
}
