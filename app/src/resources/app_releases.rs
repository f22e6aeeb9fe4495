//! Releasing an app, in its editor: Release publishes the saved draft as the next
//! version, which viewers then see; Versions lists what was released, and Restore as
//! draft makes an earlier version's body the draft again without changing what viewers
//! see.

use leptos::prelude::*;

use super::page::Page;
use super::widgets::TextArea;
use super::{AppVersion, release_app, restore_app_version};
use crate::dates::format_time;
use crate::ui::{ActionTable, ConfirmDialog, FormDialog, use_hydrated};

/// When and by whom a version was released, as a sentence's end: "released by Ada
/// Lovelace on 2026-03-01 09:30 UTC".
pub fn released_on(version: &AppVersion) -> String {
    let at = format_time(version.released_at);
    match &version.released_by {
        Some(name) => format!("released by {name} on {at}"),
        None => format!("released on {at}"),
    }
}

/// What viewers see now, and Release, which waits while the editor holds `unsaved`
/// changes: it publishes the saved draft.
#[component]
pub fn ReleasePanel(
    app_id: i64,
    /// The version viewers see, if any.
    released: Option<AppVersion>,
    #[prop(into)] unsaved: Signal<bool>,
    page: Page,
) -> impl IntoView {
    let hydrated = use_hydrated();
    let releasing = RwSignal::new(false);
    let next = released.as_ref().map_or(1, |version| version.number + 1);
    let status = match &released {
        Some(version) => format!(
            "Viewers see version {}, {}.",
            version.number,
            released_on(version)
        ),
        None => "Not released yet: only those who may edit this app can open it.".to_string(),
    };
    let hint = move || {
        if unsaved.get() {
            "Save your changes first: Release publishes the saved draft.".to_string()
        } else {
            format!(
                "Release publishes the saved draft as version {next}, for everyone who may view the app."
            )
        }
    };
    view! {
        <section class="release" aria-labelledby="release-title">
            <h2 id="release-title">"Release"</h2>
            <p>{status}</p>
            <p class="hint" id="release-hint">{hint}</p>
            <div class="actions">
                <button
                    type="button"
                    class="primary"
                    aria-describedby="release-hint"
                    disabled=move || !hydrated.get() || unsaved.get()
                    on:click=move |_| releasing.set(true)
                >
                    "Release"
                </button>
            </div>
        </section>
        <Show when=move || releasing.get()>
            <ReleaseDialog app_id next page on_close=move |()| releasing.set(false) />
        </Show>
    }
    .into_any()
}

/// Release notes for version `next`, then Release.
#[component]
fn ReleaseDialog(
    app_id: i64,
    next: i64,
    page: Page,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let notes = RwSignal::new(String::new());
    let submit = move || release_app(page.slug.get_untracked(), app_id, notes.get_untracked());
    let released = move |version: AppVersion| {
        page.listing.done(format!(
            "Version {} has been released. Viewers see it now.",
            version.number
        ));
    };
    view! {
        <FormDialog
            heading_id="release-dialog-title"
            heading=format!("Release version {next}")
            submit_label="Release"
            submit
            on_saved=released
            on_close
        >
            <TextArea
                label="Release notes"
                id="release-notes"
                value=notes
                rows=4
                hint="Optional: what changed, for the other editors."
            />
        </FormDialog>
    }
    .into_any()
}

/// The app's versions, newest first, each with Restore as draft, which asks first: the
/// draft in the editor is replaced.
#[component]
pub fn VersionList(app_id: i64, versions: Vec<AppVersion>, page: Page) -> impl IntoView {
    let hydrated = use_hydrated();
    let restoring = RwSignal::new(None::<i64>);
    let list = if versions.is_empty() {
        view! { <p class="empty">"No versions yet. Release the draft to make version 1."</p> }
            .into_any()
    } else {
        view! {
            <ActionTable
                caption="Released versions, newest first"
                columns=&["Version", "Released by", "Released at", "Notes"]
            >
                {versions
                    .into_iter()
                    .map(|version| {
                        let number = version.number;
                        view! {
                            <tr>
                                <td>{format!("v{number}")}</td>
                                <td>{version.released_by.unwrap_or_else(|| "—".to_string())}</td>
                                <td>{format_time(version.released_at)}</td>
                                <td>{version.notes}</td>
                                <td class="row-actions">
                                    <button
                                        type="button"
                                        aria-label=format!("Restore as draft: version {number}")
                                        disabled=move || !hydrated.get()
                                        on:click=move |_| restoring.set(Some(number))
                                    >
                                        "Restore as draft"
                                    </button>
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </ActionTable>
        }
        .into_any()
    };
    view! {
        <section class="versions" aria-labelledby="versions-title">
            <h2 id="versions-title">"Versions"</h2>
            {list}
        </section>
        {move || {
            restoring
                .get()
                .map(|number| {
                    view! {
                        <ConfirmDialog
                            heading_id="restore-version-title"
                            heading="Restore as draft"
                            message=format!(
                                "The draft becomes version {number} again, and any change to it that isn't released is lost. Viewers keep the version they see until the next release.",
                            )
                            confirm_label="Restore as draft"
                            on_confirm=move |()| {
                                restoring.set(None);
                                let request = restore_app_version(
                                    page.slug.get_untracked(),
                                    app_id,
                                    number,
                                );
                                page.listing.report(request, format!("Version {number} is the draft again."));
                            }
                            on_close=move |()| restoring.set(None)
                        />
                    }
                })
        }}
    }
    .into_any()
}
