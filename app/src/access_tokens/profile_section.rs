//! Profile › Access tokens: create a token (shown once), see when each was last used,
//! revoke one.

use std::collections::BTreeSet;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::{
    CreateToken, CreatedToken, TokenState, TokenSummary, VALIDITY_CHOICES, format_time_or_never,
    my_tokens, revoke_token,
};
use crate::access::Scope;
use crate::dates::format_time;
use crate::loading::Loaded;
use crate::ui::{
    ActionTable, Field, FormError, Listing, NoticeBar, Select, use_hydrated, when_list_loaded,
};

/// The viewer's tokens, loading: the page starts it, outside its loading boundary.
pub fn load_my_tokens(listing: Listing) -> Loaded<Vec<TokenSummary>> {
    listing.load(my_tokens)
}

#[component]
pub fn AccessTokensSection(listing: Listing, tokens: Loaded<Vec<TokenSummary>>) -> impl IntoView {
    view! {
        <section aria-labelledby="tokens-title">
            <h2 id="tokens-title">"Access tokens"</h2>
            <p>
                "A token lets a script use the REST API at /api/v1 as you, within the scopes you choose and never beyond your own rights. "
                <a href="/api/docs">"API documentation"</a>
            </p>
            <NewTokenForm listing />
            <NoticeBar notice=listing.notice />
            {when_list_loaded(
                tokens,
                move |tokens| {
                    if tokens.is_empty() {
                        return view! { <p>"You have no access tokens."</p> }.into_any();
                    }
                    view! {
                        <ActionTable
                            caption="Your access tokens"
                            columns=&["Name", "Token", "Scopes", "Created", "Expires", "Last used", "Status"]
                        >
                            {tokens
                                .into_iter()
                                .map(|token| view! { <TokenRow token listing /> })
                                .collect_view()}
                        </ActionTable>
                    }
                    .into_any()
                },
            )}
        </section>
    }
    .into_any()
}

fn validity_key(days: &Option<u32>) -> String {
    days.map(|days| days.to_string())
        .unwrap_or_else(|| "never".into())
}

#[component]
fn NewTokenForm(listing: Listing) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let validity = RwSignal::new(Some(30u32));
    let chosen = RwSignal::new(BTreeSet::<Scope>::new());
    let create = ServerAction::<CreateToken>::new();
    let hydrated = use_hydrated();
    let error = Signal::derive(move || {
        create
            .value()
            .get()
            .and_then(Result::err)
            .map(|error| error.to_string())
    });
    let created = move || create.value().get().and_then(Result::ok);
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get() {
            name.set(String::new());
            chosen.set(BTreeSet::new());
            listing.version.update(|version| *version += 1);
        }
    });
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        create.dispatch(CreateToken {
            name: name.get_untracked(),
            scopes: chosen
                .get_untracked()
                .iter()
                .map(|scope| scope.key().to_string())
                .collect(),
            valid_for_days: validity.get_untracked(),
        });
    };
    let validity_options = VALIDITY_CHOICES
        .iter()
        .map(|(days, label)| (*days, label.to_string()))
        .collect();
    view! {
        <form on:submit=submit aria-labelledby="new-token-title">
            <h3 id="new-token-title">"New access token"</h3>
            <Field label="Token name" id="token-name" value=name hint="What the token is for, such as the script that uses it." />
            <Select
                label="Expires after"
                id="token-validity"
                options=validity_options
                key=validity_key
                value=validity
            />
            <fieldset>
                <legend>"Scopes"</legend>
                {Scope::ALL
                    .into_iter()
                    .map(|scope| {
                        let id = format!("token-scope-{}", scope.key().replace(':', "-"));
                        view! {
                            <div class="checkbox">
                                <input
                                    type="checkbox"
                                    id=id.clone()
                                    prop:checked=move || chosen.with(|chosen| chosen.contains(&scope))
                                    on:change:target=move |event| {
                                        let on = event.target().checked();
                                        chosen.update(|chosen| {
                                            if on {
                                                chosen.insert(scope);
                                            } else {
                                                chosen.remove(&scope);
                                            }
                                        });
                                    }
                                />
                                <label for=id>{scope.key()}</label>
                                <span class="hint">{format!(" — {}", scope.description())}</span>
                            </div>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <FormError message=error />
            <button type="submit" class="primary" disabled=move || !hydrated.get() || create.pending().get()>
                "Create token"
            </button>
            {move || created().map(|created| view! { <NewSecret created /> })}
        </form>
    }
    .into_any()
}

/// The secret of a token just created: the only time anyone sees it.
#[component]
fn NewSecret(created: CreatedToken) -> impl IntoView {
    view! {
        <div class="new-secret" role="status">
            <p>
                {format!("Token {} created. Copy it now: it won't be shown again.", created.token.name)}
            </p>
            <label for="new-token-secret">"Your new token"</label>
            <input id="new-token-secret" type="text" readonly value=created.secret />
        </div>
    }
}

#[component]
fn TokenRow(token: TokenSummary, listing: Listing) -> impl IntoView {
    let name = StoredValue::new(token.name.clone());
    let id = token.id;
    let revoke = move |_| {
        listing.report(
            revoke_token(id),
            format!("Token {} has been revoked.", name.get_value()),
        );
    };
    let active = token.state == TokenState::Active;
    view! {
        <tr>
            <td>{token.name.clone()}</td>
            <td><code>{token.hint.clone()}</code></td>
            <td>{super::scopes_to_text(&token.scopes)}</td>
            <td>{format_time(token.created_at)}</td>
            <td>{format_time_or_never(token.expires_at)}</td>
            <td>{format_time_or_never(token.last_used_at)}</td>
            <td>{token.state.label()}</td>
            <td>
                {active.then(|| view! {
                    <button type="button" class="danger" on:click=revoke>
                        {format!("Revoke {}", token.name)}
                    </button>
                })}
            </td>
        </tr>
    }
}
