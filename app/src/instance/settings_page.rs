use leptos::prelude::*;
use leptos_meta::Title;

use super::{WorkspaceListing, all_workspaces};
use crate::shell::when_loaded;

#[component]
pub fn InstanceSettingsPage() -> impl IntoView {
    let workspaces = Resource::new_blocking(|| (), |_| all_workspaces());
    view! {
        <Title text="Settings" />
        {when_loaded(workspaces, |workspaces| view! { <WorkspaceTable workspaces /> })}
    }
}

#[component]
fn WorkspaceTable(workspaces: Vec<WorkspaceListing>) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="page-title">
            <h1 id="page-title">"Settings"</h1>
            <p>"Every workspace of this instance."</p>
            <p>
                <a href="/settings/email-outbox">"Email outbox"</a>
            </p>
            <table>
                <caption>"Workspaces"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"URL"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Active members"</th>
                    </tr>
                </thead>
                <tbody>
                    {workspaces
                        .into_iter()
                        .map(|workspace| {
                            view! {
                                <tr>
                                    <td>{workspace.name}</td>
                                    <td>{format!("/{}", workspace.slug)}</td>
                                    <td>{if workspace.archived { "Archived" } else { "Active" }}</td>
                                    <td>{workspace.active_members}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
    }
    .into_any()
}
