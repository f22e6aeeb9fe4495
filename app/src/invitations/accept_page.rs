//! The page an invitation link opens. Its forms work without JavaScript too: they then
//! post to their server functions, which send the browser on.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_params_map};

use super::{
    AcceptInvitation, CONFIRMATION_MAILED, InvitationDetails, JoinOutcome, JoinWithInvitation,
    open_invitation,
};
use crate::auth::{SignOut, sign_out};
use crate::loading::load_blocking;
use crate::single_sign_on::{SignInProviders, SignInWithProviders, load_sign_in_providers};
use crate::ui::{Field, FormError, PlainForm, load_page};

#[component]
pub fn AcceptInvitationPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let details = load_blocking(token, open_invitation);
    let providers = load_sign_in_providers();
    view! {
        <Title text="Invitation" />
        <main class="auth-page">
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let token = token();
                    match details.await {
                        Ok(details) => view! { <Invitation details token providers /> }.into_any(),
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
fn Invitation(
    details: InvitationDetails,
    token: String,
    providers: SignInProviders,
) -> impl IntoView {
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
            {details.signed_in_as.is_none().then(|| view! { <SignInWithProviders providers next=None /> })}
        </section>
    }
    .into_any()
}

#[component]
fn CreateAccount(details: InvitationDetails, token: String) -> impl IntoView {
    let full_name = RwSignal::new(details.full_name.clone());
    let password = RwSignal::new(String::new());
    let join = ServerAction::<JoinWithInvitation>::new();
    Effect::new(move |_| {
        if let Some(Ok(JoinOutcome::Joined { path })) = join.value().get() {
            load_page(&path);
        }
    });
    let search = use_location().search;
    let invited = StoredValue::new(details.email.clone());
    let mailed_to = move || match join.value().get() {
        Some(Ok(JoinOutcome::ConfirmationMailed { email })) => Some(email),
        _ if search.with(|search| search == CONFIRMATION_MAILED) => Some(invited.get_value()),
        _ => None,
    };
    let error = Signal::derive(move || {
        join.value()
            .get()
            .and_then(Result::err)
            .map(|error| error.to_string())
    });
    let token = StoredValue::new(token);
    let submit = move |()| {
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
        <PlainForm
            action=JoinWithInvitation::url()
            on_submit=submit
            hidden=Signal::derive(move || mailed_to().is_some())
        >
            <input type="hidden" name="token" value=token.get_value() />
            <p>"Choose your name and a password to create your account."</p>
            <Field
                label="Full name"
                id="join-full-name"
                name="full_name"
                value=full_name
                autocomplete="name"
            />
            <Field
                label="Password"
                id="join-password"
                name="password"
                kind="password"
                autocomplete="new-password"
                value=password
                hint="At least 8 characters."
            />
            <FormError message=error />
            <button type="submit" class="primary" disabled=move || join.pending().get()>
                "Join workspace"
            </button>
        </PlainForm>
    }
}

#[component]
fn AcceptAsSignedIn(token: String) -> impl IntoView {
    let accept = ServerAction::<AcceptInvitation>::new();
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
    let submit = {
        let token = token.clone();
        move |()| {
            accept.dispatch(AcceptInvitation {
                token: token.clone(),
            });
        }
    };
    view! {
        <PlainForm action=AcceptInvitation::url() on_submit=submit>
            <input type="hidden" name="token" value=token />
            <FormError message=error />
            <button type="submit" class="primary" disabled=move || accept.pending().get()>
                "Accept invitation"
            </button>
        </PlainForm>
    }
}

#[component]
fn SignedInAsSomeoneElse(signed_in_as: String, invited: String) -> impl IntoView {
    // Without JavaScript the form posts, and the signed-out browser goes on to sign in.
    let sign_out_and_reload = move |()| {
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
        <PlainForm action=SignOut::url() on_submit=sign_out_and_reload>
            <button type="submit">"Sign out"</button>
        </PlainForm>
    }
}
