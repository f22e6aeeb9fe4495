use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

use super::SetUpInstance;
use crate::ui::{Field, FormError, PlainForm, load_page};
use crate::users::PASSWORD_MIN_CHARS;

/// Works without JavaScript too, as the sign-in page does.
#[component]
pub fn SetupPage() -> impl IntoView {
    let full_name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let workspace_name = RwSignal::new(String::new());
    let set_up = ServerAction::<SetUpInstance>::new();

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
    let submit = move |()| {
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
            <PlainForm
                action=SetUpInstance::url()
                on_submit=submit
                class="auth-card"
                labelled_by="setup-title"
            >
                <h1 id="setup-title">"Set up Gatehouse"</h1>
                <p class="lead">
                    "Create the first account. It becomes the super admin of this instance "
                    "and the admin of its first workspace."
                </p>
                <Field label="Full name" id="full-name" name="full_name" autocomplete="name" value=full_name />
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
                    name="workspace_name"
                    autocomplete="organization"
                    value=workspace_name
                />
                <FormError message=error />
                <button type="submit" class="primary" disabled=move || set_up.pending().get()>
                    "Set up Gatehouse"
                </button>
            </PlainForm>
        </main>
    }
}
