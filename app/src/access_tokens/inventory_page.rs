//! Workspace settings › Access tokens: every token of the workspace's members, so admins
//! know which scripts act in their workspace. The secrets are never shown.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{InventoryRow, format_time_or_never, workspace_tokens};
use crate::loading::{Loaded, load};
use crate::ui::{ActionTable, when_list_loaded};
use crate::workspaces::{in_workspace, workspace_slug};

#[component]
pub fn AccessTokensPage() -> impl IntoView {
    let slug = workspace_slug();
    let rows = load(move || slug.get(), workspace_tokens);
    in_workspace(move |_| view! { <TokenInventory rows /> })
}

#[component]
fn TokenInventory(rows: Loaded<Vec<InventoryRow>>) -> impl IntoView {
    view! {
        <Title text="Access tokens" />
        <section class="panel" aria-labelledby="page-title">
            <h1 id="page-title">"Access tokens"</h1>
            <p>"The access tokens of this workspace's members. Each acts only within its scopes and its owner's current rights; owners revoke them in their Profile."</p>
            {when_list_loaded(
                rows,
                move |rows| {
                    if rows.is_empty() {
                        return view! { <p>"No member has an access token."</p> }.into_any();
                    }
                    view! {
                        <ActionTable
                            caption="Access tokens of members"
                            columns=&["Owner", "Name", "Token", "Scopes", "Expires", "Last used", "Status"]
                        >
                            {rows
                                .into_iter()
                                .map(|row| {
                                    view! {
                                        <tr>
                                            <td>{format!("{} ({})", row.owner_name, row.owner_email)}</td>
                                            <td>{row.token.name.clone()}</td>
                                            <td><code>{row.token.hint.clone()}</code></td>
                                            <td>{super::scopes_to_text(&row.token.scopes)}</td>
                                            <td>{format_time_or_never(row.token.expires_at)}</td>
                                            <td>{format_time_or_never(row.token.last_used_at)}</td>
                                            <td>{row.token.state.label()}</td>
                                            <td></td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </ActionTable>
                    }
                    .into_any()
                },
            )}
        </section>
    }
    .into_any()
}
