//! An app's pages. The app's page (`/{slug}/apps/{app_id}`) shows its folder and owner
//! and the version its viewers see, rendered for the person looking; Edit app for those
//! who may edit it, Delete app for those who may delete it, and the Permissions section
//! for admins. The editor (`/{slug}/apps/{app_id}/edit`), for those who may edit the app,
//! changes its draft with a live preview and the Inspector (their own `globals` tree),
//! releases it and restores earlier versions. Rendering happens on the server.

use leptos::prelude::*;
use leptos_meta::Title;

use super::app_releases::{ReleasePanel, VersionList, released_on};
use super::dashboard::FolderSelect;
use super::detail_page::{DeleteAndLeave, HeaderButton, ResourcePanel, SaveForm, detail_page};
use super::page::{Page, resource_page};
use super::widgets::TextArea;
use super::{AppDetails, AppDraft, delete_app, open_app, open_app_editor, preview_app, save_app};
use crate::ui::{Field, NoticeBar, use_hydrated};

#[component]
pub fn AppPage() -> impl IntoView {
    detail_page(
        "app_id",
        open_app,
        |app, page| view! { <AppView app page /> },
    )
}

/// The editor on a page of its own, for those who may edit the app; anyone else meets
/// the refusal.
#[component]
pub fn AppEditPage() -> impl IntoView {
    resource_page("app_id", open_app_editor, |draft, page| {
        let slug = page.slug.get_untracked();
        let name = draft.app.name.clone();
        view! {
            <Title text=format!("Edit {name}") />
            <h1>{name}</h1>
            <p>
                <a href=format!("/{slug}/apps/{}", draft.app.id)>"View app"</a>
            </p>
            <NoticeBar notice=page.listing.notice />
            <AppEditor draft page />
        }
    })
}

#[component]
fn AppView(app: AppDetails, page: Page) -> impl IntoView {
    let slug = page.slug.get_untracked();
    let editor = format!("/{slug}/apps/{}/edit", app.id);
    let deleting = RwSignal::new(false);
    let (can_edit, can_delete) = (app.can_edit, app.can_delete);
    let folder = match &app.folder {
        Some(folder) => {
            view! { <a href=format!("/{slug}/folders/{}", folder.id)>{folder.name.clone()}</a> }
                .into_any()
        }
        None => view! { <span>"No folder"</span> }.into_any(),
    };
    let owner = app.owner.clone().unwrap_or_else(|| "—".to_string());
    let version = app.released.as_ref().map(|version| {
        view! {
            <dt>"Version"</dt>
            <dd>{format!("{}, {}", version.number, released_on(version))}</dd>
        }
    });
    let content = match app.rendered.clone() {
        Some(rendered) => {
            view! { <div class="rendered-app" aria-label="Rendered app" inner_html=rendered></div> }
                .into_any()
        }
        // Only its editors reach an app never released.
        None => view! {
            <p class="empty">"Not released yet."</p>
            <p>
                "Only those who may edit this app can open it until it is released. "
                <a href=editor.clone()>"Open the editor"</a>
                " to release it."
            </p>
        }
        .into_any(),
    };
    let name = app.name.clone();

    view! {
        <ResourcePanel
            name=app.name.clone()
            resource_id=app.id
            is_admin=app.is_admin
            page
            actions=move || {
                view! {
                    <div class="actions">
                        {can_edit.then(|| view! { <a href=editor.clone()>"Edit app"</a> })}
                        {can_delete
                            .then(|| {
                                view! { <HeaderButton label="Delete app" class="danger" opens=deleting /> }
                            })}
                    </div>
                }
            }
        >
            <dl class="facts">
                <dt>"Folder"</dt>
                <dd>{folder}</dd>
                <dt>"Owner"</dt>
                <dd>{owner}</dd>
                {version}
            </dl>
            <section class="app-body" aria-labelledby="app-body-title">
                <h2 id="app-body-title">"App"</h2>
                {content}
            </section>
        </ResourcePanel>
        <DeleteAndLeave
            open=deleting
            title="Delete app"
            message=format!("{name} will be deleted for everyone. This can't be undone.")
            delete=delete_app
            id=app.id
            leave_to=format!("/{slug}")
            page
        />
    }
    .into_any()
}

/// Name, folder and draft body, saved together, beside the draft rendered as it is typed
/// and the editing user's `globals`; then releasing the saved draft and its versions.
#[component]
fn AppEditor(draft: AppDraft, page: Page) -> impl IntoView {
    let hydrated = use_hydrated();
    let saved_name = draft.app.name.clone();
    let saved_folder = draft.app.folder.as_ref().map(|folder| folder.id);
    let name = RwSignal::new(saved_name.clone());
    let folder = RwSignal::new(saved_folder);
    let body = RwSignal::new(draft.body.clone());
    let saved = StoredValue::new((saved_name, saved_folder, draft.body.clone()));
    // A release publishes what is saved, so it waits for changes to be saved first.
    let unsaved = Signal::derive(move || {
        saved.with_value(|(saved_name, saved_folder, saved_body)| {
            name.with(|name| name != saved_name)
                || folder.get() != *saved_folder
                || body.with(|body| body != saved_body)
        })
    });
    let app_id = draft.app.id;
    let preview = live_preview(page, app_id, body, draft.preview.clone());
    let submit = move || {
        save_app(
            page.slug.get_untracked(),
            app_id,
            name.get_untracked(),
            folder.get_untracked(),
            body.get_untracked(),
        )
    };
    view! {
        <SaveForm
            class="app-editor"
            heading_id="app-editor-title"
            heading="Editor"
            ready=hydrated
            submit
            saved="The app has been saved."
            page
        >
            <Field label="Name" id="app-name" value=name autocomplete="off" />
            <FolderSelect id="app-folder" folders=draft.folders.clone() folder />
            <TextArea
                label="Body"
                id="app-body"
                value=body
                rows=14
                hint="Text with {{ expression }} placeholders, such as {{globals.currentUser.email}} or {{constants.API_KEY}}. Viewers see it once it is released."
            />
        </SaveForm>
        <section class="app-body" aria-labelledby="app-preview-title">
            <h2 id="app-preview-title">"Preview"</h2>
            <p class="hint">"The draft as a viewer sees it, rendered with your own globals."</p>
            <div class="rendered-app" aria-label="Preview of the app" inner_html=move || preview.get()></div>
        </section>
        <ReleasePanel app_id released=draft.app.released.clone() unsaved page />
        <VersionList app_id versions=draft.versions.clone() page />
        <section class="inspector" aria-labelledby="inspector-title">
            <h2 id="inspector-title">"Inspector"</h2>
            <pre aria-label="globals">{draft.inspector.clone()}</pre>
        </section>
    }
    .into_any()
}

/// The draft body rendered by the server each time it changes; a reply that a newer
/// change has overtaken is dropped.
fn live_preview(
    page: Page,
    app_id: i64,
    body: RwSignal<String>,
    saved: String,
) -> RwSignal<String> {
    let preview = RwSignal::new(saved);
    let latest = StoredValue::new(0_u64);
    Effect::new(move |already_rendered: Option<()>| {
        let draft = body.get();
        if already_rendered.is_none() {
            return;
        }
        let ticket = latest.get_value() + 1;
        latest.set_value(ticket);
        let slug = page.slug.get_untracked();
        leptos::task::spawn_local(async move {
            if let Ok(html) = preview_app(slug, app_id, draft).await
                && latest.try_get_value() == Some(ticket)
            {
                let _ = preview.try_set(html);
            }
        });
    });
    preview
}
