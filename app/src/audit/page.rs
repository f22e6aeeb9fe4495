//! Workspace settings › Audit log and Settings › Audit log: the events newest first, a
//! page of 50 at a time, filtered by actor, action, target, resource or workspace and
//! days, exported as CSV or NDJSON; and, for super admins, how long events are kept.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;

use super::{
    AuditFilter, AuditPage, Category, Choice, Cursor, EventRow, instance_audit_page,
    instance_audit_settings, set_audit_retention, workspace_audit_page, workspace_audit_resources,
};
use crate::dates::format_time;
use crate::instance::SettingsFrame;
use crate::loading::{Loaded, load};
use crate::ui::{
    FormError, PagePanel, ResultsAnnouncer, found, once_loaded, use_hydrated, when_list_loaded,
};
use crate::workspaces::{WorkspaceSummary, in_workspace, workspace_slug};

/// Whose events a log shows.
#[derive(Debug, Clone, PartialEq, Eq)]
enum LogScope {
    Workspace(String),
    Instance,
}

impl LogScope {
    fn export_path(&self) -> String {
        match self {
            LogScope::Workspace(slug) => format!("/{slug}/settings/audit-log/export"),
            LogScope::Instance => "/settings/audit-log/export".to_string(),
        }
    }
}

/// The events a log shows and where in the log they are: made where the page starts,
/// outside any loading boundary, so that the first page arrives in the server's HTML.
#[derive(Clone, Copy)]
struct EventsShown {
    applied: RwSignal<AuditFilter>,
    /// The cursors of the pages before this one, so that Newer events can go back.
    trail: RwSignal<Vec<Option<Cursor>>>,
    position: RwSignal<Option<Cursor>>,
    page: Loaded<AuditPage>,
}

impl EventsShown {
    /// The newest events of `scope`, loaded again whenever the filters or the page change.
    fn load(scope: impl Fn() -> LogScope + Send + Sync + 'static) -> EventsShown {
        let applied = RwSignal::new(AuditFilter::default());
        let position = RwSignal::new(None::<Cursor>);
        let page = load(
            move || (scope(), applied.get(), position.get()),
            |(scope, filter, older_than)| async move {
                match scope {
                    LogScope::Workspace(slug) => {
                        workspace_audit_page(slug, filter, older_than).await
                    }
                    LogScope::Instance => instance_audit_page(filter, older_than).await,
                }
            },
        );
        EventsShown {
            applied,
            trail: RwSignal::new(Vec::new()),
            position,
            page,
        }
    }
}

/// The choices of a filter whose options depend on what exists: the workspace's
/// resources or the instance's workspaces.
type Choices = Loaded<Vec<Choice>>;

#[component]
pub fn WorkspaceAuditLogPage() -> impl IntoView {
    let slug = workspace_slug();
    let events = EventsShown::load(move || LogScope::Workspace(slug.get()));
    let resources: Choices = load(move || slug.get(), workspace_audit_resources);
    in_workspace(move |workspace| view! { <WorkspaceAuditLog workspace events resources /> })
}

#[component]
fn WorkspaceAuditLog(
    workspace: WorkspaceSummary,
    events: EventsShown,
    resources: Choices,
) -> impl IntoView {
    view! {
        <Title text="Audit log" />
        <AuditLog
            scope=LogScope::Workspace(workspace.slug)
            events
            resources=Some(resources)
            workspaces=None
        />
    }
}

#[component]
pub fn InstanceAuditLogPage() -> impl IntoView {
    let events = EventsShown::load(|| LogScope::Instance);
    let settings = load(|| (), |()| instance_audit_settings());
    let workspaces: Choices = load(
        || (),
        move |()| async move { settings.await.map(|settings| settings.workspaces) },
    );
    view! {
        <Title text="Audit log" />
        <SettingsFrame>
            <AuditLog scope=LogScope::Instance events resources=None workspaces=Some(workspaces) />
            {when_list_loaded(
                settings,
                |settings| view! { <RetentionForm days=settings.retention_days /> },
            )}
        </SettingsFrame>
    }
}

#[component]
fn AuditLog(
    scope: LogScope,
    events: EventsShown,
    /// The workspace's resources, for the Resource filter (the workspace log only).
    resources: Option<Choices>,
    /// The instance's workspaces, for the Workspace filter (the instance log only).
    workspaces: Option<Choices>,
) -> impl IntoView {
    let EventsShown {
        applied,
        trail,
        position,
        page,
    } = events;
    let draft = RwSignal::new(applied.get_untracked());
    let apply = move |event: SubmitEvent| {
        event.prevent_default();
        trail.set(Vec::new());
        position.set(None);
        applied.set(draft.get_untracked());
    };
    let clear = move |_| {
        draft.set(AuditFilter::default());
        trail.set(Vec::new());
        position.set(None);
        applied.set(AuditFilter::default());
    };
    let hydrated = use_hydrated();
    let instance_wide = scope == LogScope::Instance;
    let export_path = scope.export_path();
    let caption = if instance_wide {
        "Events of this instance"
    } else {
        "Events of this workspace"
    };

    view! {
        <PagePanel title="Audit log">
            <form class="filters audit-filters" aria-label="Filter events" on:submit=apply>
                {workspaces
                    .map(|workspaces| {
                        view! {
                            <ChoiceSelect
                                label="Workspace"
                                id="audit-workspace"
                                every="All workspaces"
                                choices=workspaces
                                value=Signal::derive(move || draft.get().workspace)
                                on_choose=move |value: String| {
                                    draft.update(|filter| {
                                        filter.workspace = value;
                                        filter.resource = None;
                                    })
                                }
                            />
                        }
                    })}
                <TypedFilter
                    kind="email"
                    label="Actor's email"
                    id="audit-actor"
                    value=Signal::derive(move || draft.get().actor)
                    on_input=move |value| draft.update(|filter| filter.actor = value)
                />
                <ActionSelect draft />
                <TypedFilter
                    kind="email"
                    label="Target's email"
                    id="audit-target"
                    value=Signal::derive(move || draft.get().target)
                    on_input=move |value| draft.update(|filter| filter.target = value)
                />
                {resources
                    .map(|resources| {
                        view! {
                            <ChoiceSelect
                                label="Resource"
                                id="audit-resource"
                                every="All resources"
                                choices=resources
                                value=Signal::derive(move || {
                                    draft.get().resource.map(|id| id.to_string()).unwrap_or_default()
                                })
                                on_choose=move |value: String| {
                                    draft.update(|filter| filter.resource = value.parse().ok())
                                }
                            />
                        }
                    })}
                <TypedFilter
                    kind="date"
                    label="From (UTC)"
                    id="audit-from"
                    value=Signal::derive(move || draft.get().from)
                    on_input=move |value| draft.update(|filter| filter.from = value)
                />
                <TypedFilter
                    kind="date"
                    label="To (UTC)"
                    id="audit-to"
                    value=Signal::derive(move || draft.get().to)
                    on_input=move |value| draft.update(|filter| filter.to = value)
                />
                <div class="actions">
                    <button type="submit" class="primary" disabled=move || !hydrated.get()>
                        "Apply filters"
                    </button>
                    <button type="button" disabled=move || !hydrated.get() on:click=clear>
                        "Clear filters"
                    </button>
                </div>
            </form>
            <ExportForm path=export_path applied />
            <ResultsAnnouncer results=page describe=events_found />
            {when_list_loaded(
                page,
                move |page| view! { <EventTable page caption trail position /> },
            )}
        </PagePanel>
    }
    .into_any()
}

/// The applied filters as a plain GET form, so the browser downloads the file it
/// answers with, streamed, whatever its size.
#[component]
fn ExportForm(path: String, applied: RwSignal<AuditFilter>) -> impl IntoView {
    let hidden = move |name: &'static str, value: String| {
        view! { <input type="hidden" name=name value=value /> }
    };
    view! {
        <form class="export" method="get" action=path aria-label="Export events">
            {move || {
                let filter = applied.get();
                view! {
                    {hidden("workspace", filter.workspace)}
                    {hidden("actor", filter.actor)}
                    {hidden("target", filter.target)}
                    {hidden("action", filter.action)}
                    {hidden("resource", filter.resource.map(|id| id.to_string()).unwrap_or_default())}
                    {hidden("from", filter.from)}
                    {hidden("to", filter.to)}
                }
            }}
            <button type="submit" name="format" value="csv">
                "Export CSV"
            </button>
            <button type="submit" name="format" value="ndjson">
                "Export NDJSON"
            </button>
        </form>
    }
}

/// A filter typed into an input of `kind`: an email address, or a day.
#[component]
fn TypedFilter(
    label: &'static str,
    id: &'static str,
    kind: &'static str,
    #[prop(into)] value: Signal<String>,
    #[prop(into)] on_input: Callback<String>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                type=kind
                autocomplete="off"
                prop:value=value
                on:input:target=move |event| on_input.run(event.target().value())
            />
        </div>
    }
}

/// A select over a list loaded after the page: the first option chooses everything.
#[component]
fn ChoiceSelect(
    label: &'static str,
    id: &'static str,
    every: &'static str,
    choices: Choices,
    #[prop(into)] value: Signal<String>,
    #[prop(into)] on_choose: Callback<String>,
) -> AnyView {
    once_loaded(choices, move |choices| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <select
                    id=id
                    prop:value=value
                    on:change:target=move |event| on_choose.run(event.target().value())
                >
                    <option value="">{every}</option>
                    {choices
                        .into_iter()
                        .map(|choice| {
                            let selected = choice.value == value.get_untracked();
                            view! {
                                <option value=choice.value selected=selected>
                                    {choice.label}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
        }
    })
}

/// Every action, grouped by category; each group can also be chosen whole.
#[component]
fn ActionSelect(draft: RwSignal<AuditFilter>) -> impl IntoView {
    view! {
        <div class="field">
            <label for="audit-action">"Action"</label>
            <select
                id="audit-action"
                prop:value=move || draft.get().action
                on:change:target=move |event| {
                    let value = event.target().value();
                    draft.update(|filter| filter.action = value)
                }
            >
                <option value="">"All actions"</option>
                {Category::ALL
                    .into_iter()
                    .map(|category| {
                        view! {
                            <optgroup label=category.label()>
                                <option value=category.key()>
                                    {format!("All {}", category.label().to_lowercase())}
                                </option>
                                {category
                                    .actions()
                                    .map(|action| {
                                        view! { <option value=action.key()>{action.label()}</option> }
                                    })
                                    .collect_view()}
                            </optgroup>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

/// What the filters found, for screen readers.
fn events_found(page: &AuditPage) -> String {
    found(page.events.len(), page.older.is_some(), ("event", "events"))
}

#[component]
fn EventTable(
    page: AuditPage,
    caption: &'static str,
    trail: RwSignal<Vec<Option<Cursor>>>,
    position: RwSignal<Option<Cursor>>,
) -> impl IntoView {
    let older = page.older;
    let has_newer = !trail.get_untracked().is_empty();
    let newer = move |_| {
        let mut before = trail.get_untracked();
        let previous = before.pop().flatten();
        trail.set(before);
        position.set(previous);
    };
    let go_older = move |_| {
        if let Some(cursor) = older {
            trail.update(|before| before.push(position.get_untracked()));
            position.set(Some(cursor));
        }
    };
    let empty = page.events.is_empty();
    view! {
        {empty.then(|| view! { <p>"No events match these filters."</p> })}
        // Focusable, so that keyboard users can scroll a table wider than the screen.
        <div class="table-scroll" tabindex="0" role="region" aria-label="Events">
            <table class="audit-events">
                <caption class="visually-hidden">{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Time"</th>
                        <th scope="col">"Actor"</th>
                        <th scope="col">"Action"</th>
                        <th scope="col">"Target"</th>
                        <th scope="col">"Workspace"</th>
                        <th scope="col">"Source address"</th>
                        <th scope="col">"What happened"</th>
                    </tr>
                </thead>
                <tbody>{page.events.into_iter().map(event_row).collect_view()}</tbody>
            </table>
        </div>
        <nav class="pager" aria-label="Audit log pages">
            <button type="button" disabled=!has_newer on:click=newer>
                "Newer events"
            </button>
            <button type="button" disabled=older.is_none() on:click=go_older>
                "Older events"
            </button>
        </nav>
    }
    .into_any()
}

fn event_row(event: EventRow) -> impl IntoView {
    let person = |name: String, email: Option<String>| match email {
        Some(email) => view! {
            <span>{name}</span>
            <span class="email">{email}</span>
        }
        .into_any(),
        None => view! { <span>{name}</span> }.into_any(),
    };
    view! {
        <tr>
            <td>
                <time datetime=event.occurred_at.to_string()>{format_time(event.occurred_at)}</time>
            </td>
            <td class="person">{person(event.actor_name, event.actor_email)}</td>
            <td>{event.action_label}</td>
            <td class="person">
                {event.target_name.map(|name| person(name, event.target_email))}
            </td>
            <td>{event.workspace}</td>
            <td>{event.source_address}</td>
            <td>{event.sentence}</td>
        </tr>
    }
}

/// How long events are kept: a number of days, or forever when empty.
#[component]
fn RetentionForm(days: Option<i64>) -> impl IntoView {
    let typed = RwSignal::new(days.map(|days| days.to_string()).unwrap_or_default());
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(None::<String>);
    let hydrated = use_hydrated();
    let save = move |event: SubmitEvent| {
        event.prevent_default();
        let days = typed.get_untracked();
        leptos::task::spawn_local(async move {
            match set_audit_retention(days.clone()).await {
                Ok(()) => {
                    error.set(None);
                    saved.set(Some(if days.trim().is_empty() {
                        "Audit events are kept forever.".to_string()
                    } else {
                        format!("Audit events are kept for {} days.", days.trim())
                    }));
                }
                Err(failure) => {
                    saved.set(None);
                    error.set(Some(failure.to_string()));
                }
            }
        });
    };
    view! {
        <section class="panel" aria-labelledby="retention-title">
            <h2 id="retention-title">"Retention"</h2>
            <form on:submit=save>
                <div class="field">
                    <label for="audit-retention">"Keep events for (days)"</label>
                    <input
                        id="audit-retention"
                        inputmode="numeric"
                        aria-describedby="audit-retention-hint"
                        bind:value=typed
                    />
                    <p class="hint" id="audit-retention-hint">
                        "Leave empty to keep events forever. Older events are deleted in the background."
                    </p>
                </div>
                <FormError message=error />
                <p role="status" class="notice">{move || saved.get()}</p>
                <button type="submit" class="primary" disabled=move || !hydrated.get()>
                    "Save retention"
                </button>
            </form>
        </section>
    }
}
