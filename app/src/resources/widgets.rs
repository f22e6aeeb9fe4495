//! Pieces the resource pages share: loading a page's resource by the id in its address,
//! the Permissions section, app lists and the delete confirmation.

use std::future::Future;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::AppCard;
use crate::error::AppError;
use crate::shell::ErrorPanel;
use crate::ui::{Modal, Notice};
use crate::workspaces::CurrentWorkspace;

/// The slug of the workspace the page belongs to.
pub fn current_slug() -> String {
    let CurrentWorkspace(workspace) = expect_context::<CurrentWorkspace>();
    workspace.slug
}

/// Loads what a page shows about the resource whose id is in the address, in the browser
/// after hydration (as the Users table does), and again whenever `version` changes. Only
/// the newest answer is kept.
pub fn load_by_id<T, F, Fut>(
    param: &'static str,
    version: RwSignal<u64>,
    fetch: F,
) -> RwSignal<Option<Result<T, AppError>>>
where
    T: Send + Sync + 'static,
    F: Fn(String, i64) -> Fut + Copy + 'static,
    Fut: Future<Output = Result<T, AppError>> + 'static,
{
    let slug = StoredValue::new(current_slug());
    let params = use_params_map();
    let loaded = RwSignal::new(None);
    let latest = StoredValue::new(0_u64);
    Effect::new(move |_| {
        // No such parameter: the page is being left for another route.
        let Some(id) = params.read().get(param) else {
            return;
        };
        version.track();
        let (Some(slug), Some(previous)) = (slug.try_get_value(), latest.try_get_value()) else {
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
                loaded.set(Some(answer));
            }
        });
    });
    loaded
}

/// "Loading…" until `loaded` holds an answer, then `ready` with the value, or the
/// failure in a page of its own.
pub fn when_ready<T, V>(
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

/// Admins only: which groups have which access to the resource.
#[component]
pub fn PermissionsSection(slug: String, resource_id: i64) -> impl IntoView {
    view! {
        <section class="panel permissions" aria-labelledby="permissions-title">
            <h2 id="permissions-title">"Permissions"</h2>
            <crate::groups::ResourcePermissions slug resource_id />
        </section>
    }
    .into_any()
}

/// Apps as a list of links, each with an "Edit" or an "Open" link as the viewer may.
#[component]
pub fn AppLinks(slug: String, apps: Vec<AppCard>) -> impl IntoView {
    view! {
        <ul class="app-list">
            {apps
                .into_iter()
                .map(|app| {
                    let href = format!("/{slug}/apps/{}", app.id);
                    let (verb, label) = if app.can_edit {
                        ("Edit", format!("Edit {}", app.name))
                    } else {
                        ("Open", format!("Open {}", app.name))
                    };
                    view! {
                        <li>
                            <a href=href.clone()>{app.name.clone()}</a>
                            " "
                            <a href=href aria-label=label class="app-action">
                                {verb}
                            </a>
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

/// What a list page's dialogs and rows share: where it is, reloading the list and saying
/// what happened.
#[derive(Clone, Copy)]
pub struct Listing {
    pub slug: StoredValue<String>,
    pub version: RwSignal<u64>,
    pub notice: RwSignal<Option<Notice>>,
}

impl Listing {
    pub fn for_page() -> Listing {
        Listing {
            slug: StoredValue::new(current_slug()),
            version: RwSignal::new(0),
            notice: RwSignal::new(None),
        }
    }

    /// Reports a change and loads the list again.
    pub fn done(&self, message: String) {
        self.notice.set(Some(Notice::Done(message)));
        self.version.update(|version| *version += 1);
    }

    pub fn failed(&self, message: String) {
        self.notice.set(Some(Notice::Failed(message)));
    }

    /// Loads the list in the browser after hydration, and again after each change.
    pub fn load<T, F, Fut>(&self, fetch: F) -> RwSignal<Option<Result<T, AppError>>>
    where
        T: Send + Sync + 'static,
        F: Fn(String) -> Fut + Copy + 'static,
        Fut: Future<Output = Result<T, AppError>> + 'static,
    {
        let list = RwSignal::new(None);
        let Listing { slug, version, .. } = *self;
        Effect::new(move |_| {
            version.track();
            let Some(slug) = slug.try_get_value() else {
                return;
            };
            let request = fetch(slug);
            leptos::task::spawn_local(async move {
                list.set(Some(request.await));
            });
        });
        list
    }
}
