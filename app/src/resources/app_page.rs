//! An app's page (`/{slug}/apps/{app_id}`): its folder and owner, the body read-only for
//! viewers, the editor for those who may edit it, Delete app for those who may delete
//! it, and the Permissions section for admins.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

use super::dashboard::FolderSelect;
use super::widgets::{
    ConfirmDelete, PermissionsSection, TextArea, current_slug, load_by_id, when_ready,
};
use super::{AppDetails, delete_app, open_app, save_app};
use crate::ui::{Field, FormError, Notice, NoticeBar, use_hydrated};

#[component]
pub fn AppPage() -> impl IntoView {
    let version = RwSignal::new(0_u64);
    let notice = RwSignal::new(None::<Notice>);
    let details = load_by_id("app_id", version, open_app);
    when_ready(details, move |app| view! { <AppView app version notice /> })
}

#[component]
fn AppView(
    app: AppDetails,
    version: RwSignal<u64>,
    notice: RwSignal<Option<Notice>>,
) -> impl IntoView {
    let slug = current_slug();
    let hydrated = use_hydrated();
    let confirming = RwSignal::new(false);
    let navigate = use_navigate();
    let app_id = app.id;
    let delete = {
        let slug = slug.clone();
        move || {
            let slug = slug.clone();
            let navigate = navigate.clone();
            leptos::task::spawn_local(async move {
                match delete_app(slug.clone(), app_id).await {
                    Ok(()) => navigate(&format!("/{slug}"), Default::default()),
                    Err(error) => notice.set(Some(Notice::Failed(error.to_string()))),
                }
            });
        }
    };
    let folder = match &app.folder {
        Some(folder) => {
            view! { <a href=format!("/{slug}/folders/{}", folder.id)>{folder.name.clone()}</a> }
                .into_any()
        }
        None => view! { <span>"No folder"</span> }.into_any(),
    };
    let owner = app.owner.clone().unwrap_or_else(|| "—".to_string());
    let content = if app.can_edit {
        view! { <AppEditor app=app.clone() version notice /> }.into_any()
    } else {
        view! {
            <section class="app-body" aria-labelledby="app-body-title">
                <h2 id="app-body-title">"App"</h2>
                <pre aria-label="App body">{app.body.clone()}</pre>
            </section>
        }
        .into_any()
    };
    let name = app.name.clone();

    view! {
        <Title text=app.name.clone() />
        <section class="panel" aria-labelledby="page-title">
            <div class="panel-header">
                <h1 id="page-title">{app.name.clone()}</h1>
                {app
                    .can_delete
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="danger"
                                disabled=move || !hydrated.get()
                                on:click=move |_| confirming.set(true)
                            >
                                "Delete app"
                            </button>
                        }
                    })}
            </div>
            <NoticeBar notice />
            <dl class="facts">
                <dt>"Folder"</dt>
                <dd>{folder}</dd>
                <dt>"Owner"</dt>
                <dd>{owner}</dd>
            </dl>
            {content}
        </section>
        {app.is_admin.then(|| view! { <PermissionsSection slug=slug.clone() resource_id=app.id /> })}
        <Show when=move || confirming.get()>
            <ConfirmDelete
                title="Delete app"
                message=format!("{name} will be deleted for everyone. This can't be undone.")
                on_confirm={
                    let delete = delete.clone();
                    move |()| delete()
                }
                on_close=move |()| confirming.set(false)
            />
        </Show>
    }
    .into_any()
}

/// Name, folder and body, saved together.
#[component]
fn AppEditor(
    app: AppDetails,
    version: RwSignal<u64>,
    notice: RwSignal<Option<Notice>>,
) -> impl IntoView {
    let slug = StoredValue::new(current_slug());
    let hydrated = use_hydrated();
    let name = RwSignal::new(app.name.clone());
    let folder = RwSignal::new(app.folder.as_ref().map(|folder| folder.id));
    let body = RwSignal::new(app.body.clone());
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let app_id = app.id;
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        saving.set(true);
        error.set(None);
        // Everything read before the request: the form may be gone when it answers.
        let request = save_app(
            slug.get_value(),
            app_id,
            name.get_untracked(),
            folder.get_untracked(),
            body.get_untracked(),
        );
        leptos::task::spawn_local(async move {
            let saved = request.await;
            saving.set(false);
            match saved {
                Ok(()) => {
                    notice.set(Some(Notice::Done("The app has been saved.".to_string())));
                    version.update(|version| *version += 1);
                }
                Err(failure) => error.set(Some(failure.to_string())),
            }
        });
    };
    view! {
        <form class="app-editor" aria-labelledby="app-editor-title" on:submit=submit>
            <h2 id="app-editor-title">"Editor"</h2>
            <Field label="Name" id="app-name" value=name autocomplete="off" />
            <FolderSelect id="app-folder" folders=app.folders.clone() folder />
            <TextArea
                label="Body"
                id="app-body"
                value=body
                rows=14
                hint="Text with {{ expression }} placeholders, such as {{globals.currentUser.email}} or {{constants.API_KEY}}."
            />
            <FormError message=error />
            <div class="actions">
                <button
                    type="submit"
                    class="primary"
                    disabled=move || !hydrated.get() || saving.get()
                >
                    "Save"
                </button>
            </div>
        </form>
    }
    .into_any()
}
