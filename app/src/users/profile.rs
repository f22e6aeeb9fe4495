//! Profile: people change their own full name and password.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::access_tokens::{AccessTokensSection, TokenSummary, load_my_tokens};
use crate::auth::Viewer;
use crate::error::AppError;
use crate::loading::Loaded;
use crate::shell::with_viewer;
use crate::ui::{Field, FormError, Listing, use_hydrated};

/// Changes the caller's full name, everywhere it shows.
#[server(endpoint = "profile/name")]
pub async fn change_full_name(full_name: String) -> Result<String, AppError> {
    let user = crate::access::signed_in()?;
    let full_name = super::normalise_full_name(&full_name)?;
    let state = crate::state::app_state()?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    super::store::rename(&mut tx, user.id, &full_name).await?;
    crate::audit::record_own(
        &mut tx,
        user.id,
        crate::audit::Action::UserDetailsChanged,
        "full name",
    )
    .await?;
    tx.commit().await?;
    tracing::info!(user_id = user.id, "full name changed");
    Ok(full_name)
}

/// Changes the caller's password, given the current one. Every other session of theirs
/// ends; this one goes on.
#[server(endpoint = "profile/password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    use crate::auth::{passwords, session, throttle};

    let user = crate::access::signed_in()?;
    let state = crate::state::app_state()?;
    super::check_new_password(&new_password)?;
    // Checking the current password is a sign-in by another door: the same limits
    // apply, so a stolen session can't guess its way to the password.
    let parts = crate::request::parts()?;
    let address = throttle::client_address(&parts, state.config.trust_proxy);
    if let Err(refused) = throttle::attempt(
        &state.db,
        state.config.sign_in_limits,
        &user.email,
        &address,
    )
    .await
    {
        tracing::warn!(user_id = user.id, %address, "password change refused: too many attempts");
        return Err(refused);
    }
    let stored = super::store::password_hash(&state.db, user.id).await?;
    if !passwords::verify(current_password, stored).await {
        tracing::warn!(
            user_id = user.id,
            "password change refused: wrong current password"
        );
        return Err(AppError::WrongCurrentPassword);
    }
    throttle::forgive(&state.db, &user.email, &address).await?;
    let hash = passwords::hash(new_password).await?;
    let current_session = session::token_from_headers(&parts.headers, &state.config);
    let mut tx = crate::db::begin_write(&state.db).await?;
    super::store::set_password(
        &mut tx,
        user.id,
        &hash,
        super::store::PasswordTrust::AsBefore,
    )
    .await?;
    session::end_others(&mut tx, user.id, current_session.as_ref()).await?;
    crate::audit::record_own(&mut tx, user.id, crate::audit::Action::PasswordChanged, "").await?;
    tx.commit().await?;
    tracing::info!(user_id = user.id, "password changed");
    Ok(())
}

#[component]
pub fn ProfilePage() -> impl IntoView {
    let listing = Listing::new();
    let tokens = load_my_tokens(listing);
    with_viewer(move |viewer| view! { <Profile viewer listing tokens /> })
}

#[component]
fn Profile(viewer: Viewer, listing: Listing, tokens: Loaded<Vec<TokenSummary>>) -> impl IntoView {
    view! {
        <Title text="Profile" />
        <section class="panel" aria-labelledby="page-title">
            <h1 id="page-title">"Profile"</h1>
            <dl class="facts">
                <dt>"Email address"</dt>
                <dd>{viewer.email.clone()}</dd>
            </dl>
            <NameForm current=viewer.full_name.clone() />
            <PasswordForm />
            <AccessTokensSection listing tokens />
        </section>
    }
    .into_any()
}

#[component]
fn NameForm(current: String) -> impl IntoView {
    let full_name = RwSignal::new(current);
    let save = ServerAction::<ChangeFullName>::new();
    let hydrated = use_hydrated();
    let error = Signal::derive(move || {
        save.value()
            .get()
            .and_then(Result::err)
            .map(|error| error.to_string())
    });
    let saved = move || {
        save.value()
            .get()
            .and_then(Result::ok)
            .map(|name| format!("Your name is now {name}."))
    };
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        save.dispatch(ChangeFullName {
            full_name: full_name.get_untracked(),
        });
    };
    view! {
        <form on:submit=submit aria-labelledby="name-title">
            <h2 id="name-title">"Name"</h2>
            <Field label="Full name" id="profile-full-name" value=full_name autocomplete="name" />
            <FormError message=error />
            <p role="status">{saved}</p>
            <button type="submit" class="primary" disabled=move || !hydrated.get() || save.pending().get()>
                "Save name"
            </button>
        </form>
    }
}

#[component]
fn PasswordForm() -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let change = ServerAction::<ChangePassword>::new();
    let hydrated = use_hydrated();
    let error = Signal::derive(move || {
        change
            .value()
            .get()
            .and_then(Result::err)
            .map(|error| error.to_string())
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = change.value().get() {
            current.set(String::new());
            new.set(String::new());
        }
    });
    let changed = move || {
        matches!(change.value().get(), Some(Ok(()))).then_some("Your password has been changed.")
    };
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        change.dispatch(ChangePassword {
            current_password: current.get_untracked(),
            new_password: new.get_untracked(),
        });
    };
    view! {
        <form on:submit=submit aria-labelledby="password-title">
            <h2 id="password-title">"Password"</h2>
            <Field
                label="Current password"
                id="current-password"
                kind="password"
                autocomplete="current-password"
                value=current
            />
            <Field
                label="New password"
                id="new-password"
                kind="password"
                autocomplete="new-password"
                value=new
                hint="At least 8 characters."
            />
            <FormError message=error />
            <p role="status">{changed}</p>
            <button type="submit" class="primary" disabled=move || !hydrated.get() || change.pending().get()>
                "Change password"
            </button>
        </form>
    }
}
