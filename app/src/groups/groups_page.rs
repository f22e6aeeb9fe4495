use leptos::prelude::*;

#[component]
pub fn GroupsPage() -> impl IntoView {
    view! { <p>"Groups"</p> }
}
