//! The frame of a page about one app, folder, constant or data source: its heading with
//! the actions beside it, the Permissions section for admins, deleting the resource and
//! leaving, and saving it in place.

use std::future::Future;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::page::{Page, id_in_address, resource_page};
use super::widgets::ConfirmDelete;
use crate::error::AppError;
use crate::groups::{GroupAccessTable, ResourcePermissions};
use crate::ui::{FormError, NoticeBar, PagePanel, use_hydrated};
use crate::workspaces::workspace_slug;

/// The page about the resource whose id is in the address parameter `param`, with its
/// Permissions section: as `resource_page`, and who has access to it loading alongside.
pub fn detail_page<T, F, Fut, V>(
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
    provide_context(GroupAccessTable::load(
        workspace_slug(),
        id_in_address(param),
    ));
    resource_page(param, fetch, ready)
}

/// The resource's name as the page's title and heading with `actions` beside it, what
/// happened last, `children`, and for admins the Permissions section below. Only pages
/// made with `detail_page` hold one.
#[component]
pub fn ResourcePanel(
    name: String,
    resource_id: i64,
    is_admin: bool,
    page: Page,
    #[prop(into)] actions: ViewFnOnce,
    children: Children,
) -> impl IntoView {
    let access = expect_context::<GroupAccessTable>();
    view! {
        <Title text=name.clone() />
        <PagePanel title=name actions=actions.run()>
            <NoticeBar notice=page.listing.notice />
            {children()}
        </PagePanel>
        {is_admin.then(|| view! { <PermissionsSection access resource_id /> })}
    }
    .into_any()
}

/// Admins only: which groups have which access to the resource.
#[component]
fn PermissionsSection(access: GroupAccessTable, resource_id: i64) -> impl IntoView {
    view! {
        <section class="panel permissions" aria-labelledby="permissions-title">
            <h2 id="permissions-title">"Permissions"</h2>
            <ResourcePermissions table=access resource_id />
        </section>
    }
    .into_any()
}

/// A button beside the page's heading that opens one of its dialogs. The dialogs need
/// the browser, so the button waits for hydration.
#[component]
pub fn HeaderButton(
    label: &'static str,
    /// "danger" for a button that deletes.
    #[prop(default = "")]
    class: &'static str,
    /// Set when the button is pressed: whether its dialog is open.
    opens: RwSignal<bool>,
) -> impl IntoView {
    let hydrated = use_hydrated();
    view! {
        <button
            type="button"
            class=class
            disabled=move || !hydrated.get()
            on:click=move |_| opens.set(true)
        >
            {label}
        </button>
    }
    .into_any()
}

/// Asks before deleting the page's resource with `delete`, while `open`; once the
/// resource is gone the page leaves for `leave_to`, and a failure shows in the page's
/// notice.
#[component]
pub fn DeleteAndLeave<Delete, Fut>(
    /// Whether the dialog is open: the header's Delete button opens it.
    open: RwSignal<bool>,
    /// Names the dialog and its confirming button, such as "Delete app".
    title: &'static str,
    /// What deleting it will do.
    message: String,
    /// The server function that deletes a resource of this kind by id.
    delete: Delete,
    id: i64,
    leave_to: String,
    page: Page,
) -> impl IntoView
where
    Delete: Fn(String, i64) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = Result<(), AppError>> + 'static,
{
    let navigate = use_navigate();
    let message = StoredValue::new(message);
    let confirm = Callback::new(move |()| {
        let request = delete(page.slug.get_untracked(), id);
        let navigate = navigate.clone();
        let leave_to = leave_to.clone();
        leptos::task::spawn_local(async move {
            match request.await {
                Ok(()) => navigate(&leave_to, Default::default()),
                Err(error) => page.listing.failed(error),
            }
        });
    });
    view! {
        <Show when=move || open.get()>
            <ConfirmDelete
                title
                message=message.get_value()
                on_confirm=confirm
                on_close=move |()| open.set(false)
            />
        </Show>
    }
    .into_any()
}

/// A form that saves the page's resource in place: its heading, `children` for the
/// fields, what went wrong, and Save, which waits until the form is `ready` and while a
/// request is out. Once saved, the page says `saved` and loads the resource again.
#[component]
pub fn SaveForm<Submit, Fut>(
    class: &'static str,
    /// The heading's id, which names the form.
    heading_id: &'static str,
    heading: &'static str,
    #[prop(into)] ready: Signal<bool>,
    /// Makes the request from the fields as they are when the form is submitted: the
    /// form may be gone when it answers.
    submit: Submit,
    saved: &'static str,
    page: Page,
    /// Where failures show, for a form that reports some of its own there too.
    #[prop(optional)]
    error: Option<RwSignal<Option<String>>>,
    children: Children,
) -> impl IntoView
where
    Submit: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = Result<(), AppError>> + 'static,
{
    let error = error.unwrap_or_else(|| RwSignal::new(None));
    let saving = RwSignal::new(false);
    let send = move |event: SubmitEvent| {
        event.prevent_default();
        saving.set(true);
        error.set(None);
        let request = submit();
        leptos::task::spawn_local(async move {
            let answer = request.await;
            saving.try_set(false);
            match answer {
                Ok(()) => page.listing.done(saved.to_string()),
                Err(failure) => {
                    error.try_set(Some(failure.to_string()));
                }
            }
        });
    };
    view! {
        <form class=class aria-labelledby=heading_id on:submit=send>
            <h2 id=heading_id>{heading}</h2>
            {children()}
            <FormError message=error />
            <div class="actions">
                <button
                    type="submit"
                    class="primary"
                    disabled=move || !ready.get() || saving.get()
                >
                    "Save"
                </button>
            </div>
        </form>
    }
    .into_any()
}
