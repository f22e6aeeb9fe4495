//! The Permissions tab of an app, folder, workspace constant or data source: which
//! groups have which access to it. An admin changes a custom group's access here; it
//! edits that group's granular rules, so this tab and the group's page always agree.

use leptos::prelude::*;

use super::consent::{Change, ChangeRunner, ConsentDialog};
use super::{GroupAccess, resource_access};
use crate::error::AppError;
use crate::loading::{Loaded, load};
use crate::memberships::Role;
use crate::permissions::ResourceKind;
use crate::ui::{Listing, NoticeBar, when_list_loaded};
use crate::workspaces::loaded_workspace;

/// Which groups have which access to the resource a page is about: loaded where the page
/// starts, so that the server's page holds it, and again after each change made in it.
#[derive(Clone, Copy)]
pub struct GroupAccessTable {
    slug: Memo<String>,
    listing: Listing,
    rows: Loaded<Vec<GroupAccess>>,
}

impl GroupAccessTable {
    /// The table of the resource whose id `resource_id` reads from the address, in the
    /// workspace whose slug is `slug`. Only admins see it, so only theirs is asked for.
    pub fn load(
        slug: Memo<String>,
        resource_id: impl Fn() -> Option<i64> + Send + Sync + 'static,
    ) -> GroupAccessTable {
        let listing = Listing::new();
        let version = listing.version;
        let workspace = loaded_workspace();
        let rows = load(
            move || (slug.get(), resource_id(), version.get()),
            move |(slug, resource_id, _)| async move {
                if workspace.await?.role != Role::Admin {
                    return Ok(Vec::new());
                }
                match resource_id {
                    Some(resource_id) => resource_access(slug, resource_id).await,
                    None => Err(AppError::ResourceNotFound),
                }
            },
        );
        GroupAccessTable {
            slug,
            listing,
            rows,
        }
    }
}

#[component]
pub fn ResourcePermissions(table: GroupAccessTable, resource_id: i64) -> impl IntoView {
    let listing = table.listing;
    let runner = ChangeRunner::new(
        StoredValue::new(table.slug.get_untracked()),
        move |message| listing.done(message),
        move |message| listing.failed(message),
    );
    view! {
        <div class="resource-permissions">
            <p class="hint">
                "Which groups have access, and through which permission. Custom groups' access "
                "can be changed here; the Admin, Builder and End-user groups' under Groups."
            </p>
            <NoticeBar notice=listing.notice />
            {when_list_loaded(
                table.rows,
                move |rows| {
                    view! {
                        <table>
                            <caption class="visually-hidden">"Group access"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Group"</th>
                                    <th scope="col">"Access"</th>
                                    <th scope="col">"Granted by"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {rows
                                    .into_iter()
                                    .map(|row| view! { <AccessRow row resource_id runner /> })
                                    .collect_view()}
                            </tbody>
                        </table>
                    }
                },
            )}
            <ConsentDialog runner />
        </div>
    }
    .into_any()
}

#[component]
fn AccessRow(row: GroupAccess, resource_id: i64, runner: ChangeRunner) -> impl IntoView {
    let kind: ResourceKind = row.kind;
    let group_id = row.group_id;
    let current = row.access.map(|access| access.key()).unwrap_or("none");
    let label = match row.access {
        Some(access) => access.label(),
        None => "No access",
    };
    let select_id = format!("access-{group_id}");
    let access_cell = if row.editable {
        view! {
            <label for=select_id.clone() class="visually-hidden">
                {format!("Access for {}", row.group_name)}
            </label>
            <select
                id=select_id
                on:change:target=move |event| {
                    runner
                        .send(Change::SetResourceAccess {
                            resource_id,
                            group_id,
                            access: event.target().value(),
                        });
                }
            >
                <option value="none" selected=current == "none">
                    "No access"
                </option>
                {kind
                    .accesses()
                    .into_iter()
                    .map(|access| {
                        view! {
                            <option value=access.key() selected=current == access.key()>
                                {access.label()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        }
        .into_any()
    } else {
        view! { <span>{label}</span> }.into_any()
    };
    view! {
        <tr>
            <th scope="row">{row.group_name.clone()}</th>
            <td>{access_cell}</td>
            <td>{row.rules.join("; ")}</td>
        </tr>
    }
    .into_any()
}
