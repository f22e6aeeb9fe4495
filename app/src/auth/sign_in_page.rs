use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{SignIn, safe_next_path};
use crate::single_sign_on::{SignInWithProviders, load_sign_in_providers, sso_error_message};
use crate::ui::{Field, FormError, PlainForm, load_page};

/// Works without JavaScript too: the form then posts to the server function, which sends
/// the browser on, or back here with the error to show.
#[component]
pub fn SignInPage() -> impl IntoView {
    let query = use_query_map();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let sign_in = ServerAction::<SignIn>::new();
    let providers = load_sign_in_providers();

    Effect::new(move |_| {
        if let Some(Ok(landing)) = sign_in.value().get() {
            load_page(&landing.path);
        }
    });
    let error = Signal::derive(move || {
        sign_in
            .value()
            .get()
            .and_then(Result::err)
            .map(|error| error.to_string())
            .or_else(|| {
                query
                    .read()
                    .get("sso_error")
                    .map(|key| sso_error_message(&key))
            })
    });
    let next = safe_next_path(query.read_untracked().get("next").as_deref());
    let next_field = next.clone();
    let submit = move |()| {
        sign_in.dispatch(SignIn {
            email: email.get_untracked(),
            password: password.get_untracked(),
            next: next_field.clone(),
        });
    };

    view! {
        <Title text="Sign in" />
        <main class="auth-page">
            <PlainForm
                action=SignIn::url()
                on_submit=submit
                class="auth-card"
                labelled_by="sign-in-title"
            >
                <input type="hidden" name="next" value=next.clone() />
                <h1 id="sign-in-title">"Sign in"</h1>
                <Field label="Email address" id="email" kind="email" autocomplete="username" value=email />
                <Field
                    label="Password"
                    id="password"
                    kind="password"
                    autocomplete="current-password"
                    value=password
                />
                <FormError message=error />
                <button type="submit" class="primary" disabled=move || sign_in.pending().get()>
                    "Sign in"
                </button>
                <SignInWithProviders providers next />
            </PlainForm>
        </main>
    }
}
