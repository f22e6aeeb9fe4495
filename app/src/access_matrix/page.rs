//! Workspace settings › Access matrix: the filters, a page of the matrix with its pagers,
//! and the Export CSV link. Each cell is focusable and explains itself in a tooltip that
//! is also its accessible description.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{
    MEMBERS_PER_PAGE, MatrixCell, MatrixFilter, MatrixPage, RESOURCES_PER_PAGE, access_matrix_page,
    export_path,
};
use crate::loading::load;
use crate::memberships::Role;
use crate::permissions::ResourceKind;
use crate::ui::{use_hydrated, when_list_loaded};
use crate::users::group_picker::{GroupFilter, load_custom_groups};
use crate::workspaces::{in_workspace, workspace_slug};

#[component]
pub fn AccessMatrixPage() -> impl IntoView {
    let slug = workspace_slug();
    let groups = load_custom_groups(slug);
    let group = RwSignal::new(None::<i64>);
    let role = RwSignal::new(None::<Role>);
    let kind = RwSignal::new(None::<ResourceKind>);
    let member_offset = RwSignal::new(0_i64);
    let resource_offset = RwSignal::new(0_i64);
    let filter = Memo::new(move |_| MatrixFilter {
        group_id: group.get(),
        role: role.get(),
        kind: kind.get(),
    });
    // Rendered on the server with the first page in it, then loaded again for every
    // filter and page.
    let page = load(
        move || {
            (
                slug.get(),
                filter.get(),
                member_offset.get(),
                resource_offset.get(),
            )
        },
        |(slug, filter, members_from, resources_from)| {
            access_matrix_page(
                slug,
                filter.group_id,
                filter.role.map(|role| role.key().to_string()),
                filter.kind.map(|kind| kind.key().to_string()),
                members_from,
                resources_from,
            )
        },
    );
    // A new filter starts again from the first page on both sides.
    let refilter = move || {
        member_offset.set(0);
        resource_offset.set(0);
    };
    let hydrated = use_hydrated();
    let export_href = move || export_path(&slug.get(), &filter.get());

    view! {
        <Title text="Access matrix" />
        {in_workspace(move |_| view! {
        <section class="panel matrix-panel" aria-labelledby="page-title">
            <div class="panel-header">
                <h1 id="page-title">"Access matrix"</h1>
                <a class="button" href=export_href download="">
                    "Export CSV"
                </a>
            </div>
            <p>
                "What each member may do with each app, folder, workspace constant and data source, from their role and groups. Focus or point at a cell to see the groups and permissions behind it."
            </p>
            <div class="filters">
                <GroupFilter id="matrix-group" groups chosen=group on_change=move |()| refilter() />
                <div class="field">
                    <label for="matrix-role">"Role"</label>
                    <select
                        id="matrix-role"
                        disabled=move || !hydrated.get()
                        on:change:target=move |event| {
                            role.set(Role::from_key(&event.target().value()));
                            refilter();
                        }
                    >
                        <option value="">"All roles"</option>
                        <option value="admin">"Admin"</option>
                        <option value="builder">"Builder"</option>
                        <option value="end-user">"End-user"</option>
                    </select>
                </div>
                <div class="field">
                    <label for="matrix-kind">"Resource kind"</label>
                    <select
                        id="matrix-kind"
                        disabled=move || !hydrated.get()
                        on:change:target=move |event| {
                            kind.set(ResourceKind::from_key(&event.target().value()));
                            refilter();
                        }
                    >
                        <option value="">"All kinds"</option>
                        <option value="app">"Apps"</option>
                        <option value="folder">"Folders"</option>
                        <option value="constant">"Workspace constants"</option>
                        <option value="data_source">"Data sources"</option>
                    </select>
                </div>
            </div>
            {when_list_loaded(
                page,
                move |page| view! { <MatrixTable page member_offset resource_offset /> },
            )}
        </section>
        })}
    }
    .into_any()
}

/// "Members 1–25 of 130"; "No members" when the filters leave none.
fn position_text(noun: &str, offset: i64, shown: usize, total: i64) -> String {
    if shown == 0 {
        return format!("No {}", noun.to_lowercase());
    }
    format!("{noun} {}–{} of {total}", offset + 1, offset + shown as i64)
}

#[component]
fn MatrixTable(
    page: MatrixPage,
    member_offset: RwSignal<i64>,
    resource_offset: RwSignal<i64>,
) -> impl IntoView {
    let members_text = position_text(
        "Members",
        page.member_offset,
        page.members.len(),
        page.member_total,
    );
    let resources_text = position_text(
        "Resources",
        page.resource_offset,
        page.resources.len(),
        page.resource_total,
    );
    let pagers = view! {
        <SidePager
            label="Members"
            status=members_text
            offset=page.member_offset
            step=MEMBERS_PER_PAGE
            total=page.member_total
            target=member_offset
        />
        <SidePager
            label="Resources"
            status=resources_text
            offset=page.resource_offset
            step=RESOURCES_PER_PAGE
            total=page.resource_total
            target=resource_offset
        />
    };
    if page.members.is_empty() || page.resources.is_empty() {
        let empty = if page.members.is_empty() {
            "No members match these filters."
        } else {
            "No apps, folders, workspace constants or data sources match these filters."
        };
        return view! {
            <div class="matrix-pagers">{pagers}</div>
            <p class="empty">{empty}</p>
        }
        .into_any();
    }
    let headings = page
        .resources
        .iter()
        .map(|resource| {
            view! {
                <th scope="col">
                    <span class="matrix-resource">{resource.name.clone()}</span>
                    " "
                    <span class="matrix-kind">{format!("({})", resource.kind.noun())}</span>
                </th>
            }
        })
        .collect_view();
    let rows = page
        .members
        .into_iter()
        .zip(page.cells)
        .enumerate()
        .map(|(m, (member, cells))| {
            let cells = cells
                .into_iter()
                .enumerate()
                .map(|(r, cell)| {
                    view! {
                        <td>
                            <CellView cell id=format!("matrix-why-{m}-{r}") />
                        </td>
                    }
                })
                .collect_view();
            view! {
                <tr>
                    <th scope="row">
                        <span class="matrix-name">{member.full_name}</span>
                        " "
                        <span class="matrix-email">{member.email}</span>
                    </th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="matrix-pagers">{pagers}</div>
        <table class="matrix">
            <caption class="visually-hidden">"Access of members to resources"</caption>
            <thead>
                <tr>
                    <th scope="col">"Member"</th>
                    {headings}
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

/// One cell: the level in a word, focusable, described by the reasons behind it, which
/// show in a tooltip on focus and on hover.
#[component]
fn CellView(cell: MatrixCell, id: String) -> impl IntoView {
    let reasons = if cell.reasons.is_empty() {
        view! { <p>"No access"</p> }.into_any()
    } else {
        view! {
            <ul>
                {cell
                    .reasons
                    .into_iter()
                    .map(|reason| view! { <li>{reason}</li> })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    let described_by = id.clone();
    view! {
        <div
            class=format!("matrix-cell level-{}", cell.level.key())
            tabindex="0"
            aria-describedby=described_by
        >
            <span class="matrix-level">{cell.level.label()}</span>
            <div class="matrix-why" role="tooltip" id=id>
                {reasons}
            </div>
        </div>
    }
}

/// Previous and Next for one side of the matrix, with where the page is: "Members 1–25
/// of 130". Each button is disabled where there is nothing more that way.
#[component]
fn SidePager(
    label: &'static str,
    status: String,
    offset: i64,
    step: i64,
    total: i64,
    target: RwSignal<i64>,
) -> impl IntoView {
    let has_previous = offset > 0;
    let has_next = offset + step < total;
    let lower = label.to_lowercase();
    let previous_label = format!("Previous {lower}");
    view! {
        <nav class="pages" aria-label=format!("{label} pages")>
            <button
                type="button"
                disabled=!has_previous
                on:click=move |_| target.set((offset - step).max(0))
            >
                {previous_label}
            </button>
            <span role="status">{status}</span>
            <button
                type="button"
                disabled=!has_next
                on:click=move |_| target.set(offset + step)
            >
                {format!("Next {lower}")}
            </button>
        </nav>
    }
}

#[cfg(test)]
mod tests {
    use super::position_text;

    #[test]
    fn the_pager_says_where_the_page_is() {
        assert_eq!(position_text("Members", 0, 25, 130), "Members 1–25 of 130");
        assert_eq!(
            position_text("Members", 125, 5, 130),
            "Members 126–130 of 130"
        );
        assert_eq!(position_text("Resources", 0, 0, 0), "No resources");
    }
}
