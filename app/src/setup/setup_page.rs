use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;

use super::SetUpInstance;
use crate::ui::{Field, FormError, load_page, use_hydrated};
use crate::users::PASSWORD_MIN_CHARS;

#[component]
pub fn SetupPage() -> impl IntoView {
    let full_name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let workspace_name = RwSignal::new(String::new());
    let set_up = ServerAction::<SetUpInstance>::new();
    let hydrated = use_hydrated();

    Effect::new(move |_| {
        if let Some(Ok(landing)) = set_up.value().get() {
            load_page(&landing.path);
        }
    });
    let error = Signal::derive(move || {
        set_up
            .value()
            .get()
            .and_then(Result::err)
            .map(|error| error.to_string())
    });
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        set_up.dispatch(SetUpInstance {
            full_name: full_name.get_untracked(),
            email: email.get_untracked(),
            password: password.get_untracked(),
            workspace_name: workspace_name.get_untracked(),
        });
    };

    view! {
        <Title text="Set up Gatehouse" />
        <main class="auth-page">
            <form class="auth-card" on:submit=submit aria-labelledby="setup-title">
                <h1 id="setup-title">"Set up Gatehouse"</h1>
                <p class="lead">
                    "Create the first account. It becomes the super admin of this instance "
                    "and the admin of its first workspace."
                </p>
                <Field label="Full name" id="full-name" autocomplete="name" value=full_name />
                <Field label="Email address" id="email" kind="email" autocomplete="email" value=email />
                <Field
                    label="Password"
                    id="password"
                    kind="password"
                    autocomplete="new-password"
                    hint=format!("At least {PASSWORD_MIN_CHARS} characters.")
                    value=password
                />
                <Field
                    label="Workspace name"
                    id="workspace-name"
                    autocomplete="organization"
                    value=workspace_name
                />
                <FormError message=error />
                <button
                    type="submit"
                    class="primary"
                    disabled=move || !hydrated.get() || set_up.pending().get()
                >
                    "Set up Gatehouse"
                </button>
            </form>
        </main>
    }
}
