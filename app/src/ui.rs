//! Small building blocks every page uses.

use leptos::prelude::*;

/// Becomes true once the browser has hydrated the page. Controls that need the WASM stay
/// disabled until then, so nobody (person or test) clicks a button that can't work yet.
pub fn use_hydrated() -> ReadSignal<bool> {
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    hydrated
}

/// Loads `path` as a new page. Used after signing in or out, when everything on screen
/// must be rendered again for the new session.
pub fn load_page(path: &str) {
    if let Err(error) = window().location().assign(path) {
        leptos::logging::error!("could not open {path}: {error:?}");
    }
}

/// A labelled input bound to `value`. Everything a person typed stays in `value`, so a
/// refused submission loses nothing.
#[component]
pub fn Field(
    label: &'static str,
    id: &'static str,
    value: RwSignal<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional, into)] hint: Option<String>,
) -> impl IntoView {
    let hint_id = hint.as_ref().map(|_| format!("{id}-hint"));
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                name=id
                type=kind
                autocomplete=autocomplete
                aria-describedby=hint_id.clone()
                required
                bind:value=value
            />
            {hint.map(|hint| view! { <p class="hint" id=hint_id>{hint}</p> })}
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

/// What a page tells the admin after an action: a confirmation or what went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    Done(String),
    Failed(String),
}

/// Shows the latest notice: a confirmation in a status region, a failure as an alert.
#[component]
pub fn NoticeBar(notice: RwSignal<Option<Notice>>) -> impl IntoView {
    view! {
        <p role="status" class="notice">
            {move || match notice.get() {
                Some(Notice::Done(message)) => Some(message),
                _ => None,
            }}
        </p>
        <FormError message=Signal::derive(move || match notice.get() {
            Some(Notice::Failed(message)) => Some(message),
            _ => None,
        }) />
    }
}
