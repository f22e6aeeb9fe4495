//! An app's page (`/{slug}/apps/{app_id}`): its folder and owner; the app rendered for
//! viewers; for those who may edit it, the editor with a live preview and the Inspector
//! (their own `globals` tree); Delete app for those who may delete it, and the
//! Permissions section for admins. Rendering happens on the server.

use leptos::prelude::*;

use super::dashboard::FolderSelect;
use super::detail_page::{DeleteAndLeave, HeaderButton, ResourcePanel, SaveForm};
use super::page::{Page, resource_page};
use super::widgets::TextArea;
use super::{AppDetails, delete_app, open_app, open_app_editor, preview_app, save_app};
use crate::ui::{Field, NoticeBar, use_hydrated};

#[component]
pub fn AppPage() -> impl IntoView {
    resource_page(
        "app_id",
        open_app,
        |app, page| view! { <AppView app page /> },
    )
}

/// The editor on a page of its own (`/{slug}/apps/{app_id}/edit`), for those who may
/// edit the app; anyone else meets the refusal.
#[component]
pub fn AppEditPage() -> impl IntoView {
    resource_page("app_id", open_app_editor, |app, page| {
        let slug = page.slug.get_value();
        view! {
            <h1>{app.name.clone()}</h1>
            <p>
                <a href=format!("/{slug}/apps/{}", app.id)>"View app"</a>
            </p>
            <NoticeBar notice=page.notice />
            <AppEditor app page />
        }
    })
}

#[component]
fn AppView(app: AppDetails, page: Page) -> impl IntoView {
    let slug = page.slug.get_value();
    let deleting = RwSignal::new(false);
    let can_delete = app.can_delete;
    let folder = match &app.folder {
        Some(folder) => {
            view! { <a href=format!("/{slug}/folders/{}", folder.id)>{folder.name.clone()}</a> }
                .into_any()
        }
        None => view! { <span>"No folder"</span> }.into_any(),
    };
    let owner = app.owner.clone().unwrap_or_else(|| "—".to_string());
    let content = if app.can_edit {
        view! { <AppEditor app=app.clone() page /> }.into_any()
    } else {
        view! {
            <section class="app-body" aria-labelledby="app-body-title">
                <h2 id="app-body-title">"App"</h2>
                <div class="rendered-app" aria-label="Rendered app" inner_html=app.rendered.clone()></div>
            </section>
        }
        .into_any()
    };
    let name = app.name.clone();

    view! {
        <ResourcePanel
            name=app.name.clone()
            resource_id=app.id
            is_admin=app.is_admin
            page
            actions=move || {
                can_delete
                    .then(|| view! { <HeaderButton label="Delete app" class="danger" opens=deleting /> })
            }
        >
            <dl class="facts">
                <dt>"Folder"</dt>
                <dd>{folder}</dd>
                <dt>"Owner"</dt>
                <dd>{owner}</dd>
            </dl>
            {content}
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

/// Name, folder and body, saved together, beside the body rendered as it is typed and the
/// editing user's `globals`.
#[component]
fn AppEditor(app: AppDetails, page: Page) -> impl IntoView {
    let hydrated = use_hydrated();
    let name = RwSignal::new(app.name.clone());
    let folder = RwSignal::new(app.folder.as_ref().map(|folder| folder.id));
    let body = RwSignal::new(app.body.clone());
    let app_id = app.id;
    let preview = live_preview(page, app_id, body, app.rendered.clone());
    let submit = move || {
        save_app(
            page.slug.get_value(),
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
            <FolderSelect id="app-folder" folders=app.folders.clone() folder />
            <TextArea
                label="Body"
                id="app-body"
                value=body
                rows=14
                hint="Text with {{ expression }} placeholders, such as {{globals.currentUser.email}} or {{constants.API_KEY}}."
            />
        </SaveForm>
        <section class="app-body" aria-labelledby="app-preview-title">
            <h2 id="app-preview-title">"Preview"</h2>
            <div class="rendered-app" aria-label="Preview of the app" inner_html=move || preview.get()></div>
        </section>
        <section class="inspector" aria-labelledby="inspector-title">
            <h2 id="inspector-title">"Inspector"</h2>
            <pre aria-label="globals">{app.inspector.clone().unwrap_or_default()}</pre>
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
        let slug = page.slug.get_value();
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
