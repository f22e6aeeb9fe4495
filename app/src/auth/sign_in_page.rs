use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{SignIn, safe_next_path};
use crate::single_sign_on::{SignInWithProviders, sso_error_message};
use crate::ui::{Field, FormError, load_page, use_hydrated};

#[component]
pub fn SignInPage() -> impl IntoView {
    let query = use_query_map();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let sign_in = ServerAction::<SignIn>::new();
    let hydrated = use_hydrated();

    Effect::new(move |_| {
        if let Some(Ok(landing)) = sign_in.value().get() {
            let next = safe_next_path(query.read_untracked().get("next").as_deref());
            load_page(&next.unwrap_or(landing.path));
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
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        sign_in.dispatch(SignIn {
            email: email.get_untracked(),
            password: password.get_untracked(),
        });
    };

    view! {
        <Title text="Sign in" />
        <main class="auth-page">
            <form class="auth-card" on:submit=submit aria-labelledby="sign-in-title">
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
                <button
                    type="submit"
                    class="primary"
                    disabled=move || !hydrated.get() || sign_in.pending().get()
                >
                    "Sign in"
                </button>
                <SignInWithProviders next />
            </form>
        </main>
    }
}
