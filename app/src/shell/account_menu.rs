use leptos::prelude::*;
use leptos_router::components::A;

use super::theme::ThemeSwitch;
use crate::auth::{SignOut, Viewer};
use crate::ui::{Avatar, load_page, use_hydrated};

/// The signed-in user's menu: who they are, their profile, and signing out. A disclosure
/// (button plus the list it reveals), which needs no arrow-key handling to be accessible.
#[component]
pub fn AccountMenu(viewer: Viewer) -> impl IntoView {
    let open = RwSignal::new(false);
    let hydrated = use_hydrated();
    let sign_out = ServerAction::<SignOut>::new();
    Effect::new(move |_| {
        if let Some(Ok(signed_out)) = sign_out.value().get() {
            load_page(
                signed_out
                    .provider_sign_out
                    .as_deref()
                    .unwrap_or("/sign-in"),
            );
        }
    });

    view! {
        <div class="account">
            <button
                type="button"
                class="account-button"
                aria-expanded=move || open.get().to_string()
                aria-controls="account-menu"
                disabled=move || !hydrated.get()
                on:click=move |_| open.update(|open| *open = !*open)
            >
                <Avatar full_name=viewer.full_name.clone() email=viewer.email.clone() />
                <span class="visually-hidden">"Account menu for "</span>
                {viewer.full_name.clone()}
            </button>
            <div id="account-menu" class="account-menu" hidden=move || !open.get()>
                <p class="account-email">{viewer.email.clone()}</p>
                <ThemeSwitch />
                <ul>
                    <li>
                        <A href="/profile" on:click=move |_| open.set(false)>
                            "Profile"
                        </A>
                    </li>
                    <li>
                        <button
                            type="button"
                            class="link"
                            disabled=move || sign_out.pending().get()
                            on:click=move |_| {
                                sign_out.dispatch(SignOut {});
                            }
                        >
                            "Sign out"
                        </button>
                    </li>
                </ul>
                {move || {
                    sign_out
                        .value()
                        .get()
                        .and_then(Result::err)
                        .map(|error| view! { <p role="alert" class="form-error">{error.to_string()}</p> })
                }}
            </div>
        </div>
    }
    .into_any()
}
