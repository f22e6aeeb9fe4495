//! "Sign in with {provider}" on the sign-in and invitation pages.

use leptos::prelude::*;

use super::{SignInOption, sign_in_options};
use crate::loading::{Loaded, load_blocking};

/// The identity providers to offer, loading.
pub type SignInProviders = Loaded<Vec<SignInOption>>;

/// Starts loading the identity providers. A page calls it where it starts, never inside a
/// loading boundary, which the server renders more than once: each pass would register
/// the resource anew, under an id the browser doesn't know.
pub fn load_sign_in_providers() -> SignInProviders {
    load_blocking(|| (), |_| sign_in_options())
}

/// One link per identity provider. They are plain links: signing in through a provider
/// leaves the app for the provider's own page.
#[component]
pub fn SignInWithProviders(providers: SignInProviders, next: Option<String>) -> impl IntoView {
    let next = StoredValue::new(next);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let options = providers.await.unwrap_or_default();
                (!options.is_empty()).then(|| {
                    view! {
                        <div class="sso-options" role="group" aria-label="Single sign-on">
                            <p class="divider">"or"</p>
                            {options
                                .into_iter()
                                .map(|option| {
                                    let href = match next.get_value() {
                                        Some(next) => format!(
                                            "{}?next={}",
                                            option.start_path,
                                            leptos_router::location::Url::escape(&next)
                                        ),
                                        None => option.start_path,
                                    };
                                    view! {
                                        <a class="button sso" href=href rel="external">
                                            {format!("Sign in with {}", option.display_name)}
                                        </a>
                                    }
                                })
                                .collect_view()}
                        </div>
                    }
                })
            })}
        </Suspense>
    }
}
