//! The Permissions tab of an app, folder, workspace constant or data source: which
//! groups have which access to it. An admin changes a custom group's access here; it
//! edits that group's granular rules, so this tab and the group's page always agree.

use leptos::prelude::*;

use super::consent::{Change, ChangeRunner, ConsentDialog};
use super::{GroupAccess, resource_access};
use crate::error::AppError;
use crate::permissions::ResourceKind;
use crate::ui::{FormError, Notice, NoticeBar};

#[component]
pub fn ResourcePermissions(slug: String, resource_id: i64) -> impl IntoView {
    let slug = StoredValue::new(slug);
    let version = RwSignal::new(0_u64);
    let notice = RwSignal::new(None::<Notice>);
    let runner = ChangeRunner::new(
        slug,
        move |message| {
            notice.try_set(Some(Notice::Done(message)));
            version.try_update(|version| *version += 1);
        },
        move |message| {
            notice.try_set(Some(Notice::Failed(message)));
        },
    );
    let table = RwSignal::new(None::<Result<Vec<GroupAccess>, AppError>>);
    Effect::new(move |_| {
        version.track();
        leptos::task::spawn_local(async move {
            let loaded = resource_access(slug.get_value(), resource_id).await;
            table.try_set(Some(loaded));
        });
    });
    view! {
        <div class="resource-permissions">
            <p class="hint">
                "Which groups have access, and through which permission. Custom groups' access "
                "can be changed here; the Admin, Builder and End-user groups' under Groups."
            </p>
            <NoticeBar notice />
            {move || match table.get() {
                None => view! { <p class="loading">"Loading…"</p> }.into_any(),
                Some(Err(error)) => view! { <FormError message=Some(error.to_string()) /> }.into_any(),
                Some(Ok(rows)) => {
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
                        .into_any()
                }
            }}
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
