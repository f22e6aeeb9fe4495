//! Small building blocks every page uses.

use std::fmt::Display;
use std::future::Future;
use std::sync::Arc;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::loading::{Loaded, load};

mod avatar;
mod badges;
mod icons;

pub use avatar::{Avatar, Person, PersonCells};
pub use badges::{ExpiredBadge, ProvisionedBadge, RoleBadge, StatusBadge, SuperAdminBadge};
pub use icons::{Icon, IconName};

thread_local! {
    /// One for the whole page. With lazy routes, the browser takes a page over only once
    /// their code has arrived, after the first effects have run: an effect would say
    /// "hydrated" too early.
    static HYDRATED: ArcRwSignal<bool> = ArcRwSignal::new(false);
}

/// Becomes true once the browser has hydrated the whole page (the frontend's entry point
/// says so through [`hydration_completed`]). Controls that need the WASM stay disabled
/// until then, so nobody (person or test) clicks a button that can't work yet or types
/// into a field whose text hydration would replace.
pub fn use_hydrated() -> Signal<bool> {
    let hydrated = HYDRATED.with(Clone::clone);
    Signal::derive(move || hydrated.get())
}

/// Called by the browser's entry point once it has taken the page over.
pub fn hydration_completed() {
    HYDRATED.with(|hydrated| hydrated.set(true));
}

/// Loads `path` as a new page. Used after signing in or out, when everything on screen
/// must be rendered again for the new session.
pub fn load_page(path: &str) {
    if let Err(error) = window().location().assign(path) {
        leptos::logging::error!("could not open {path}: {error:?}");
    }
}

/// A labelled input bound to `value`. Everything a person typed stays in `value`, so a
/// refused submission loses nothing, and so does what they typed before the page became
/// interactive: the input starts from the server's `value` attribute and, once hydrated,
/// hands its contents to `value` instead of overwriting them. In a form that works
/// without JavaScript, `name` is the server function's argument it fills.
#[component]
pub fn Field(
    label: &'static str,
    id: &'static str,
    value: RwSignal<String>,
    #[prop(optional)] name: Option<&'static str>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional, into)] hint: Option<String>,
    /// May be left empty.
    #[prop(optional)]
    optional: bool,
) -> impl IntoView {
    let hint_id = hint.as_ref().map(|_| format!("{id}-hint"));
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |typed_read: Option<bool>| {
        let Some(input) = input.get() else {
            return false;
        };
        let wanted = value.get();
        if typed_read != Some(true) {
            let typed = input.value();
            if !typed.is_empty() && typed != wanted {
                value.set(typed);
            }
        } else if input.value() != wanted {
            input.set_value(&wanted);
        }
        true
    });
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                node_ref=input
                id=id
                name=name.unwrap_or(id)
                type=kind
                autocomplete=autocomplete
                aria-describedby=hint_id.clone()
                required=!optional
                value=value.get_untracked()
                on:input:target=move |event| value.set(event.target().value())
            />
            {hint.map(|hint| view! { <p class="hint" id=hint_id>{hint}</p> })}
        </div>
    }
}

/// A form that works without JavaScript too: it then posts to the server function at
/// `action`, whose answer sends the browser on, or back to this page with the error to
/// show. Once the page is interactive, `on_submit` handles the submission in place.
#[component]
pub fn PlainForm(
    action: &'static str,
    #[prop(into)] on_submit: Callback<()>,
    #[prop(optional)] class: Option<&'static str>,
    /// The id of the heading that names the form.
    #[prop(optional)]
    labelled_by: Option<&'static str>,
    #[prop(optional, into)] hidden: Signal<bool>,
    children: Children,
) -> impl IntoView {
    view! {
        <form
            class=class
            method="post"
            action=action
            aria-labelledby=labelled_by
            hidden=move || hidden.get()
            on:submit=move |event: SubmitEvent| {
                event.prevent_default();
                on_submit.run(());
            }
        >
            {children()}
        </form>
    }
}

/// A labelled select of `options`, each a choice and the text it shows, bound to
/// `value`. `key` gives the value a choice carries in the page.
#[component]
pub fn Select<T>(
    label: &'static str,
    id: &'static str,
    options: Vec<(T, String)>,
    key: fn(&T) -> String,
    value: RwSignal<T>,
) -> impl IntoView
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    let initial = value.get_untracked();
    let options = StoredValue::new(options);
    let choose = move |chosen: String| {
        let choice = options.with_value(|options| {
            options
                .iter()
                .find(|(option, _)| key(option) == chosen)
                .map(|(option, _)| option.clone())
        });
        if let Some(choice) = choice {
            value.set(choice);
        }
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id on:change:target=move |event| choose(event.target().value())>
                {options
                    .get_value()
                    .into_iter()
                    .map(|(option, text)| {
                        view! {
                            <option value=key(&option) selected=option == initial>
                                {text}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

/// Where a form says what went wrong. The live region is always present so that screen
/// readers announce a message as soon as it appears.
#[component]
pub fn FormError(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    view! {
        <p role="alert" class="form-error">
            {move || message.get()}
        </p>
    }
}

/// A modal dialog. The browser's own `<dialog>` opened with `showModal()` moves focus into
/// it, keeps focus there, makes the page behind inert and closes on Escape.
#[component]
pub fn Modal(
    /// The id of the element that names the dialog, usually its heading.
    labelled_by: &'static str,
    #[prop(into)] on_close: Callback<()>,
    children: Children,
) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    Effect::new(move |_| {
        if let Some(dialog) = dialog.get()
            && !dialog.open()
            && let Err(error) = dialog.show_modal()
        {
            leptos::logging::error!("could not open a dialog: {error:?}");
        }
    });
    // However the dialog goes away, close it properly so the browser returns focus to
    // where it was before.
    on_cleanup(move || {
        if let Some(dialog) = dialog.get_untracked() {
            dialog.close();
        }
    });
    view! {
        <dialog
            node_ref=dialog
            class="dialog"
            aria-labelledby=labelled_by
            // `try_run`: when the dialog is closed during cleanup, the callback's owner may
            // already be gone, and then there is nobody left to tell.
            on:close=move |_| {
                on_close.try_run(());
            }
        >
            {children()}
        </dialog>
    }
}

/// A dialog around one form: the heading that names it, `children` for the fields, then
/// what went wrong, Cancel, and the submit button, disabled while a request is out.
/// Submitting sends the request `submit` makes; once it succeeds `on_saved` gets the
/// answer and the dialog closes, and when it fails the reason shows and every field
/// keeps what was typed.
#[component]
pub fn FormDialog<T, E, Fut, Submit>(
    /// The heading's id, which names the dialog.
    heading_id: &'static str,
    #[prop(into)] heading: String,
    submit_label: &'static str,
    /// Makes the request from the fields as they are when the form is submitted.
    submit: Submit,
    #[prop(into)] on_saved: Callback<T>,
    #[prop(into)] on_close: Callback<()>,
    children: Children,
) -> impl IntoView
where
    T: 'static,
    E: Display + 'static,
    Fut: Future<Output = Result<T, E>> + 'static,
    Submit: Fn() -> Fut + Send + 'static,
{
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let send = move |event: SubmitEvent| {
        event.prevent_default();
        saving.set(true);
        let request = submit();
        leptos::task::spawn_local(async move {
            match request.await {
                Ok(answer) => {
                    // Saved first: closing disposes whatever owns the callbacks.
                    on_saved.try_run(answer);
                    on_close.try_run(());
                }
                Err(failure) => {
                    saving.try_set(false);
                    error.try_set(Some(failure.to_string()));
                }
            }
        });
    };
    view! {
        <Modal labelled_by=heading_id on_close>
            <h2 id=heading_id>{heading}</h2>
            <form on:submit=send>
                {children()}
                <FormError message=error />
                <div class="actions">
                    <button type="button" on:click=move |_| on_close.run(())>
                        "Cancel"
                    </button>
                    <button type="submit" class="primary" disabled=move || saving.get()>
                        {submit_label}
                    </button>
                </div>
            </form>
        </Modal>
    }
}

/// A page's panel: its title, the page's one `h1`, with what acts on the whole page
/// beside it (`actions`), and the page's content below (`children`).
#[component]
pub fn PagePanel(
    #[prop(into)] title: String,
    #[prop(optional)] actions: Option<AnyView>,
    children: Children,
) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="page-title">
            <div class="panel-header">
                <h1 id="page-title">{title}</h1>
                {actions}
            </div>
            {children()}
        </section>
    }
}

/// A table of things that each have actions: a caption for assistive technology, a
/// heading per column in `columns`, and a last column, without a visible heading, for
/// each row's actions. `children` are the rows. On a narrow screen the table scrolls
/// sideways, or with `cards` (for rows whose cells each carry a `data-label`) each row
/// becomes a card.
#[component]
pub fn ActionTable(
    #[prop(into)] caption: String,
    columns: &'static [&'static str],
    #[prop(optional)] cards: bool,
    children: Children,
) -> impl IntoView {
    view! {
        // Not around cards: a scrolling box would clip what a cell shows on hover.
        <div class:table-scroll=!cards>
            <table class:stacking=cards>
                <caption class="visually-hidden">{caption}</caption>
                <thead>
                    <tr>
                        {columns
                            .iter()
                            .map(|column| view! { <th scope="col">{*column}</th> })
                            .collect_view()}
                        <th scope="col">
                            <span class="visually-hidden">"Actions"</span>
                        </th>
                    </tr>
                </thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}

/// "Loading…" until the browser has the answer it asked for, then `ready` with the
/// value, or the failure as an alert. For what a dialog loads when it opens, after the
/// page has arrived.
pub fn when_answered<T, V>(
    answer: LocalResource<Result<T, AppError>>,
    ready: impl Fn(T) -> V + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + 'static,
    V: IntoView + 'static,
{
    move || match answer.get() {
        None => view! { <p class="loading">"Loading…"</p> }.into_any(),
        Some(Ok(value)) => ready(value).into_any(),
        Some(Err(error)) => view! { <FormError message=Some(error.to_string()) /> }.into_any(),
    }
}

/// What a loading boundary shows once its data is in, as one type whatever the data: a
/// `Transition` over a closure of its own would be compiled again for every kind of data,
/// and the browser's bundle would carry each copy.
type Awaited = Arc<dyn Fn() -> Suspend<AnyView> + Send + Sync>;

fn transition(awaited: Awaited) -> AnyView {
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || awaited()}
        </Transition>
    }
    .into_any()
}

/// Nothing until `resource` has loaded, then `ready` with its value; nothing if it failed,
/// which the page says elsewhere. For what comes with a page's data, such as its create
/// buttons.
pub fn once_loaded<T, V>(
    resource: Loaded<T>,
    ready: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> AnyView
where
    T: Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let awaited: Awaited = Arc::new(move || {
        let ready = ready.clone();
        Suspend::new(async move { resource.await.ok().map(ready).into_any() })
    });
    view! { <Transition>{move || awaited()}</Transition> }.into_any()
}

/// "Loading…" until `resource` has loaded, then `ready` with its value, or `failed` with
/// the error. Rendered on the server with the value in it; the last answer stays in view
/// while a new one loads.
pub fn when_resolved<T, V, W>(
    resource: Loaded<T>,
    ready: impl Fn(T) -> V + Clone + Send + Sync + 'static,
    failed: fn(AppError) -> W,
) -> AnyView
where
    T: Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
    V: IntoView + 'static,
    W: IntoView + 'static,
{
    transition(Arc::new(move || {
        let ready = ready.clone();
        Suspend::new(async move {
            match resource.await {
                Ok(value) => ready(value).into_any(),
                Err(error) => failed(error).into_any(),
            }
        })
    }))
}

/// A list in a page, once loaded, or why it failed as an alert (`when_resolved`).
pub fn when_list_loaded<T, V>(
    list: Loaded<T>,
    ready: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
    V: IntoView + 'static,
{
    when_resolved(list, ready, |error| {
        view! { <FormError message=Some(error.to_string()) /> }
    })
}

/// Tells screen readers, in a status region that stays in the page, what each search,
/// filter or page found (`describe`), as sighted people see the table change. Empty in
/// the page the server renders, with its first answer, and as the browser takes it over.
#[component]
pub fn ResultsAnnouncer<T>(results: Loaded<T>, describe: fn(&T) -> String) -> impl IntoView
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
{
    let said = RwSignal::new(String::new());
    Effect::new(move |first_seen: Option<()>| {
        let described = results.with(|answer| match answer {
            Some(Ok(value)) => describe(value),
            _ => String::new(),
        });
        if first_seen.is_some() {
            said.set(described);
        }
    });
    view! {
        <p role="status" class="visually-hidden">
            {said}
        </p>
    }
}

/// What a search found, said as "No user found.", "1 user found.", "12 users found." or,
/// when more follow, "50 users found on this page; more on the next."
pub fn found(shown: usize, more_follow: bool, (one, many): (&str, &str)) -> String {
    match (shown, more_follow) {
        (0, _) => format!("No {one} found."),
        (1, false) => format!("1 {one} found."),
        (shown, false) => format!("{shown} {many} found."),
        (shown, true) => format!("{shown} {many} found on this page; more on the next."),
    }
}

/// What a list shows when it has nothing in it: what is missing, what to do about it
/// (`hint`), and the control that does it, if any (`children`).
#[component]
pub fn EmptyState(
    title: &'static str,
    hint: &'static str,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="empty-state">
            <Icon name=IconName::People />
            <p>
                <strong>{title}</strong>
            </p>
            <p>{hint}</p>
            {children.map(|children| children())}
        </div>
    }
}

#[cfg(not(feature = "ssr"))]
fn focus_page_title() {
    use wasm_bindgen::JsCast;

    // Made focusable from code only when needed, so Tab never stops on the heading.
    if let Some(title) = document()
        .get_element_by_id("page-title")
        .and_then(|title| title.dyn_into::<web_sys::HtmlElement>().ok())
        && let Err(error) = title
            .set_attribute("tabindex", "-1")
            .and_then(|()| title.focus())
    {
        leptos::logging::error!("could not move focus to the page title: {error:?}");
    }
}

/// Nobody clicks on the server.
#[cfg(feature = "ssr")]
fn focus_page_title() {}

/// What a page tells the admin after an action: a confirmation or what went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    Done(String),
    Failed(String),
}

/// Shows the latest notice: a confirmation as a toast, a failure as an alert where the
/// page's work is. The toast is a status region, announced without taking focus from
/// where the person is, and stays until dismissed or replaced: nothing vanishes before
/// it could be read.
#[component]
pub fn NoticeBar(notice: RwSignal<Option<Notice>>) -> impl IntoView {
    let confirmed = move || match notice.get() {
        Some(Notice::Done(message)) => Some(message),
        _ => None,
    };
    view! {
        <div class="toast">
            <p role="status" class="notice">
                {confirmed}
            </p>
            <Show when=move || confirmed().is_some()>
                <button
                    type="button"
                    class="icon-only"
                    aria-label="Dismiss notification"
                    on:click=move |_| {
                        // The button goes with the toast: focus goes to the page's title
                        // rather than to the start of the document.
                        focus_page_title();
                        notice.set(None);
                    }
                >
                    <Icon name=IconName::Close />
                </button>
            </Show>
        </div>
        <FormError message=Signal::derive(move || match notice.get() {
            Some(Notice::Failed(message)) => Some(message),
            _ => None,
        }) />
    }
}

/// What a page shares with its rows, forms and dialogs: loading what it shows (on the
/// server for the first HTML, then again after each change), and telling the person
/// what happened. Every page that changes what it lists has one; a page that needs more
/// (the workspace it is in, the groups it offers) holds it beside those.
#[derive(Clone, Copy)]
pub struct Listing {
    /// Bumped after every change; the page's loaders track it.
    pub version: RwSignal<u64>,
    pub notice: RwSignal<Option<Notice>>,
}

impl Listing {
    pub fn new() -> Listing {
        Listing {
            version: RwSignal::new(0),
            notice: RwSignal::new(None),
        }
    }

    /// Loads what the page lists for the page the server renders, and again after each
    /// change. Called where the page starts, never inside a loading boundary.
    pub fn load<T, Fut>(&self, fetch: impl Fn() -> Fut + Send + Sync + 'static) -> Loaded<T>
    where
        T: Serialize + DeserializeOwned + Send + Sync + 'static,
        Fut: Future<Output = Result<T, AppError>> + Send + 'static,
    {
        let version = self.version;
        load(move || version.get(), move |_| fetch())
    }

    /// As `load`, for a page of the workspace whose slug is `slug`.
    pub fn load_in<T, Fut>(
        &self,
        slug: Memo<String>,
        fetch: impl Fn(String) -> Fut + Send + Sync + 'static,
    ) -> Loaded<T>
    where
        T: Serialize + DeserializeOwned + Send + Sync + 'static,
        Fut: Future<Output = Result<T, AppError>> + Send + 'static,
    {
        let version = self.version;
        load(
            move || (slug.get(), version.get()),
            move |(slug, _)| fetch(slug),
        )
    }

    /// Reports a change and loads what the page shows again. Answers can arrive after
    /// the page was left, so nothing here insists on it still being there.
    pub fn done(&self, message: impl Into<String>) {
        self.notice.try_set(Some(Notice::Done(message.into())));
        self.version.try_update(|version| *version += 1);
    }

    /// Tells what happened where nothing in the listing changed, so it stays as it is
    /// (with any dialog a row has open).
    pub fn say(&self, message: impl Into<String>) {
        self.notice.try_set(Some(Notice::Done(message.into())));
    }

    pub fn failed(&self, error: impl Display) {
        self.notice.try_set(Some(Notice::Failed(error.to_string())));
    }

    /// Waits for `change`, then reports it with `done`, or says why it failed.
    pub fn report<T>(
        self,
        change: impl Future<Output = Result<T, AppError>> + 'static,
        done: impl Into<String> + 'static,
    ) {
        leptos::task::spawn_local(async move {
            match change.await {
                Ok(_) => self.done(done),
                Err(error) => self.failed(error),
            }
        });
    }
}

impl Default for Listing {
    fn default() -> Self {
        Listing::new()
    }
}

/// Which page of a listing in key order is shown: the first, the one after a key or the
/// one before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageCursor {
    First,
    After(String),
    Before(String),
}

impl PageCursor {
    /// The `after` and `before` arguments a listing's server function takes.
    pub fn bounds(self) -> (Option<String>, Option<String>) {
        match self {
            PageCursor::First => (None, None),
            PageCursor::After(key) => (Some(key), None),
            PageCursor::Before(key) => (None, Some(key)),
        }
    }
}

/// Previous page and Next page, each disabled where there is nothing more that way.
#[component]
pub fn Pager(
    cursor: RwSignal<PageCursor>,
    previous_before: Option<String>,
    next_after: Option<String>,
) -> impl IntoView {
    let has_previous = previous_before.is_some();
    let has_next = next_after.is_some();
    let previous = StoredValue::new(previous_before);
    let next = StoredValue::new(next_after);
    view! {
        <nav class="pages" aria-label="Pages">
            <button
                type="button"
                disabled=!has_previous
                on:click=move |_| {
                    if let Some(before) = previous.get_value() {
                        cursor.set(PageCursor::Before(before));
                    }
                }
            >
                "Previous page"
            </button>
            <button
                type="button"
                disabled=!has_next
                on:click=move |_| {
                    if let Some(after) = next.get_value() {
                        cursor.set(PageCursor::After(after));
                    }
                }
            >
                "Next page"
            </button>
        </nav>
    }
}

/// A row's "⋯" button, named `label`, and the menu of `children` it opens and closes.
#[component]
pub fn RowMenu(
    #[prop(into)] label: String,
    open: RwSignal<bool>,
    children: ChildrenFn,
) -> impl IntoView {
    let menu_label = label.replacen("More actions for", "Actions for", 1);
    view! {
        <button
            type="button"
            aria-label=label
            aria-expanded=move || open.get().to_string()
            class="icon-only"
            on:click=move |_| open.update(|open| *open = !*open)
        >
            <Icon name=IconName::More />
        </button>
        <Show when=move || open.get()>
            <ul class="menu" aria-label=menu_label.clone()>
                {children()}
            </ul>
        </Show>
    }
}

/// Asks before something that can't simply be undone: `message`, then Cancel and the
/// button `confirm_label`, which runs `on_confirm`.
#[component]
pub fn ConfirmDialog(
    heading_id: &'static str,
    heading: &'static str,
    #[prop(into)] message: String,
    confirm_label: &'static str,
    #[prop(into)] on_confirm: Callback<()>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    view! {
        <Modal labelled_by=heading_id on_close>
            <h2 id=heading_id>{heading}</h2>
            <p>{message}</p>
            <div class="actions">
                <button type="button" on:click=move |_| on_close.run(())>
                    "Cancel"
                </button>
                <button type="button" class="danger" on:click=move |_| on_confirm.run(())>
                    {confirm_label}
                </button>
            </div>
        </Modal>
    }
}

/// The search box and status filter above a listing of people. Either change goes back
/// to the first page. `status` holds the chosen status key, or `all`.
#[component]
pub fn PeopleFilters(
    id_prefix: &'static str,
    search: RwSignal<String>,
    status: RwSignal<String>,
    cursor: RwSignal<PageCursor>,
) -> impl IntoView {
    let search_id = format!("{id_prefix}-search");
    let status_id = format!("{id_prefix}-status");
    view! {
        <div class="filters">
            <div class="field">
                <label for=search_id.clone()>"Search by name or email"</label>
                <input
                    id=search_id
                    type="search"
                    prop:value=move || search.get()
                    on:input:target=move |event| {
                        search.set(event.target().value());
                        cursor.set(PageCursor::First);
                    }
                />
            </div>
            <div class="field">
                <label for=status_id.clone()>"Status"</label>
                <select
                    id=status_id
                    prop:value=move || status.get()
                    on:change:target=move |event| {
                        status.set(event.target().value());
                        cursor.set(PageCursor::First);
                    }
                >
                    <option value="all">"All"</option>
                    <option value="active">"Active"</option>
                    <option value="invited">"Invited"</option>
                    <option value="archived">"Archived"</option>
                </select>
            </div>
        </div>
    }
}

/// One action in a [`RowMenu`].
#[component]
pub fn MenuItem(label: &'static str, #[prop(into)] on_click: Callback<()>) -> impl IntoView {
    view! {
        <li>
            <button type="button" on:click=move |_| on_click.run(())>
                {label}
            </button>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::found;

    #[test]
    fn what_a_search_found_is_said_in_words() {
        let users = ("user", "users");
        assert_eq!(found(0, false, users), "No user found.");
        assert_eq!(found(0, true, users), "No user found.");
        assert_eq!(found(1, false, users), "1 user found.");
        assert_eq!(found(12, false, users), "12 users found.");
        assert_eq!(
            found(50, true, users),
            "50 users found on this page; more on the next."
        );
    }
}
