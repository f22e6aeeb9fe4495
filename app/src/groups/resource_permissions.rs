//! The Permissions tab of an app, folder, workspace constant or data source: which
//! groups have which access to it, changed here for custom groups.

use leptos::prelude::*;

#[component]
pub fn ResourcePermissions(slug: String, resource_id: i64) -> impl IntoView {
    let _ = (slug, resource_id);
    view! { <p>"Permissions"</p> }
}
