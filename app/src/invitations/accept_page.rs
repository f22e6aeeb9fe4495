//! The page an invitation link opens.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{
    AcceptInvitation, InvitationDetails, JoinOutcome, JoinWithInvitation, open_invitation,
};
use crate::auth::sign_out;
use crate::single_sign_on::SignInWithProviders;
use crate::ui::{Field, FormError, load_page, use_hydrated};

#[component]
pub fn AcceptInvitationPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let details = Resource::new_blocking(token, open_invitation);
    view! {
        <Title text="Invitation" />
        <main class="auth-page">
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let token = token();
                    match details.await {
                        Ok(details) => view! { <Invitation details token /> }.into_any(),
                        Err(error) => {
                            #[cfg(feature = "ssr")]
                            if let Some(response) = use_context::<leptos_axum::ResponseOptions>()
                                && let Ok(status) = http::StatusCode::from_u16(error.status_code())
                            {
                                response.set_status(status);
                            }
                            view! {
                                <section class="auth-card" aria-labelledby="page-title">
                                    <h1 id="page-title">"This invitation can't be used"</h1>
                                    <p role="alert">{error.to_string()}</p>
                                    <p>
                                        <a href="/sign-in">"Go to sign in"</a>
                                    </p>
                                </section>
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn Invitation(details: InvitationDetails, token: String) -> impl IntoView {
    let title = format!("Join {}", details.workspace_name);
    let next = crate::invitations::invitation_path(&token);
    let sign_in_href = format!(
        "/sign-in?next={}",
        leptos_router::location::Url::escape(&next)
    );
    // Whoever is signed in as the invitee accepts; anyone else is asked to sign out.
    let body = match &details.signed_in_as {
        Some(email) if *email == details.email => view! { <AcceptAsSignedIn token /> }.into_any(),
        Some(email) => {
            view! { <SignedInAsSomeoneElse signed_in_as=email.clone() invited=details.email.clone() /> }
                .into_any()
        }
        None if details.needs_account => {
            view! {
                <CreateAccount details=details.clone() token />
                <p>
                    "Already have a Gatehouse account? " <a href=sign_in_href>"Sign in to accept"</a>
                </p>
            }
                .into_any()
        }
        None => {
            view! {
                <p>"You already have a Gatehouse account. Sign in to accept."</p>
                <a class="button primary" href=sign_in_href>
                    "Sign in to accept"
                </a>
            }
                .into_any()
        }
    };
    view! {
        <section class="auth-card" aria-labelledby="page-title">
            <h1 id="page-title">{title}</h1>
            <p>
                "You were invited to " <strong>{details.workspace_name.clone()}</strong> " as "
                <strong>{details.email.clone()}</strong> "."
            </p>
            {body}
            {details.signed_in_as.is_none().then(|| view! { <SignInWithProviders next=None /> })}
        </section>
    }
    .into_any()
}

#[component]
fn CreateAccount(details: InvitationDetails, token: String) -> impl IntoView {
    let full_name = RwSignal::new(details.full_name.clone());
    let password = RwSignal::new(String::new());
    let join = ServerAction::<JoinWithInvitation>::new();
    let hydrated = use_hydrated();
    Effect::new(move |_| {
        if let Some(Ok(JoinOutcome::Joined { path })) = join.value().get() {
            load_page(&path);
        }
    });
    let mailed_to = move || match join.value().get() {
        Some(Ok(JoinOutcome::ConfirmationMailed { email })) => Some(email),
        _ => None,
    };
    let error = Signal::derive(move || {
        join.value()
            .get()
            .and_then(Result::err)
            .map(|error| error.to_string())
    });
    let token = StoredValue::new(token);
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        join.dispatch(JoinWithInvitation {
            token: token.get_value(),
            full_name: full_name.get_untracked(),
            password: password.get_untracked(),
        });
    };
    view! {
        <Show when=move || mailed_to().is_some()>
            <p role="status">
                {move || {
                    format!(
                        "To make sure this account is yours, we've emailed a link to {}. Open it to choose your password and join.",
                        mailed_to().unwrap_or_default(),
                    )
                }}
            </p>
        </Show>
        <form on:submit=submit hidden=move || mailed_to().is_some()>
            <p>"Choose your name and a password to create your account."</p>
            <Field label="Full name" id="join-full-name" value=full_name autocomplete="name" />
            <Field
                label="Password"
                id="join-password"
                kind="password"
                autocomplete="new-password"
                value=password
                hint="At least 8 characters."
            />
            <FormError message=error />
            <button type="submit" class="primary" disabled=move || !hydrated.get() || join.pending().get()>
                "Join workspace"
            </button>
        </form>
    }
}

#[component]
fn AcceptAsSignedIn(token: String) -> impl IntoView {
    let accept = ServerAction::<AcceptInvitation>::new();
    let hydrated = use_hydrated();
    Effect::new(move |_| {
        if let Some(Ok(landing)) = accept.value().get() {
            load_page(&landing.path);
        }
    });
    let error = Signal::derive(move || {
        accept
            .value()
            .get()
            .and_then(Result::err)
            .map(|error| error.to_string())
    });
    let token = StoredValue::new(token);
    view! {
        <FormError message=error />
        <button
            type="button"
            class="primary"
            disabled=move || !hydrated.get() || accept.pending().get()
            on:click=move |_| {
                accept.dispatch(AcceptInvitation { token: token.get_value() });
            }
        >
            "Accept invitation"
        </button>
    }
}

#[component]
fn SignedInAsSomeoneElse(signed_in_as: String, invited: String) -> impl IntoView {
    let hydrated = use_hydrated();
    let sign_out_and_reload = move |_| {
        leptos::task::spawn_local(async move {
            if sign_out().await.is_ok() {
                window().location().reload().ok();
            }
        });
    };
    view! {
        <p role="alert">
            {format!(
                "You're signed in as {signed_in_as}, but this invitation is for {invited}. Sign out, then sign in as {invited} to accept.",
            )}
        </p>
        <button type="button" disabled=move || !hydrated.get() on:click=sign_out_and_reload>
            "Sign out"
        </button>
    }
}
