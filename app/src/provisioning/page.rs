//! Workspace settings › Provisioning: the SCIM base URL and tokens an identity provider
//! needs, what provisioning does with builder-level groups and which attributes become
//! metadata, and the latest requests, so an admin can see what the provider did.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;

use super::{
    AttributeMapping, BuilderLevelGroups, CreateScimToken, MAPPABLE_ATTRIBUTES,
    ProvisioningOverview, ScimRequest, ScimTokenSummary, read_provisioning, revoke_scim_token,
    save_provisioning_settings,
};
use crate::access_tokens::format_time_or_never;
use crate::dates::format_time;
use crate::loading::Loaded;
use crate::ui::{
    ActionTable, Field, FormError, Listing, NoticeBar, Select, use_hydrated, when_list_loaded,
};
use crate::workspaces::{in_workspace, workspace_slug};

#[component]
pub fn ProvisioningPage() -> impl IntoView {
    let slug = workspace_slug();
    let listing = Listing::new();
    let overview = listing.load_in(slug, read_provisioning);
    in_workspace(move |workspace| {
        view! { <Provisioning slug=workspace.slug listing overview /> }
    })
}

#[component]
fn Provisioning(
    slug: String,
    listing: Listing,
    overview: Loaded<ProvisioningOverview>,
) -> impl IntoView {
    let slug = StoredValue::new(slug);
    view! {
        <Title text="Provisioning" />
        <section class="panel" aria-labelledby="page-title">
            <h1 id="page-title">"Provisioning"</h1>
            <p>
                "Your identity provider (Okta, Microsoft Entra ID, Google, JumpCloud) can create, update and deactivate this workspace's members and manage its custom groups over SCIM 2.0. It may deactivate or delete only the members it provisioned."
            </p>
            <NoticeBar notice=listing.notice />
            {when_list_loaded(
                overview,
                move |overview| {
                    view! {
                        <div class="field">
                            <label for="scim-base-url">"SCIM base URL"</label>
                            <input id="scim-base-url" type="text" readonly value=overview.base_url.clone() />
                        </div>
                        <TokensSection slug=slug.get_value() tokens=overview.tokens.clone() listing />
                        <SettingsForm
                            slug=slug.get_value()
                            policy=overview.builder_level_groups
                            mappings=overview.mappings.clone()
                            listing
                        />
                        <RequestLog requests=overview.requests.clone() />
                    }
                    .into_any()
                },
            )}
        </section>
    }
    .into_any()
}

#[component]
fn TokensSection(slug: String, tokens: Vec<ScimTokenSummary>, listing: Listing) -> impl IntoView {
    let slug = StoredValue::new(slug);
    let name = RwSignal::new(String::new());
    let create = ServerAction::<CreateScimToken>::new();
    let hydrated = use_hydrated();
    let error = Signal::derive(move || {
        create
            .value()
            .get()
            .and_then(Result::err)
            .map(|error| error.to_string())
    });
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        create.dispatch(CreateScimToken {
            slug: slug.get_value(),
            name: name.get_untracked(),
        });
    };
    let created = move || create.value().get().and_then(Result::ok);
    // A new token joins the list at once; its secret stays on show until the page
    // reloads.
    let tokens = RwSignal::new(tokens);
    Effect::new(move |_| {
        if let Some(Ok(created)) = create.value().get() {
            tokens.update(|tokens| tokens.insert(0, created.token));
            name.set(String::new());
        }
    });
    let rows = move || {
        tokens
            .get()
            .into_iter()
            .map(|token| view! { <TokenRow slug=slug.get_value() token listing /> })
            .collect_view()
    };
    view! {
        <section aria-labelledby="scim-tokens-title">
            <h2 id="scim-tokens-title">"SCIM tokens"</h2>
            <form on:submit=submit>
                <Field label="SCIM token name" id="scim-token-name" value=name hint="The identity provider that will use it, such as Okta." />
                <FormError message=error />
                <button type="submit" class="primary" disabled=move || !hydrated.get() || create.pending().get()>
                    "Create SCIM token"
                </button>
            </form>
            {move || {
                created()
                    .map(|created| {
                        view! {
                            <div class="new-secret" role="status">
                                <p>{format!("SCIM token {} created. Copy it now: it won't be shown again.", created.token.name)}</p>
                                <label for="new-scim-secret">"Your new SCIM token"</label>
                                <input id="new-scim-secret" type="text" readonly value=created.secret />
                            </div>
                        }
                    })
            }}
            <ActionTable caption="SCIM tokens" columns=&["Name", "Token", "Created by", "Created", "Last used", "Status"]>
                {rows}
            </ActionTable>
        </section>
    }
}

#[component]
fn TokenRow(slug: String, token: ScimTokenSummary, listing: Listing) -> impl IntoView {
    let name = StoredValue::new(token.name.clone());
    let slug = StoredValue::new(slug);
    let id = token.id;
    let revoke = move |_| {
        listing.report(
            revoke_scim_token(slug.get_value(), id),
            format!("SCIM token {} has been revoked.", name.get_value()),
        );
    };
    view! {
        <tr>
            <td>{token.name.clone()}</td>
            <td><code>{token.hint.clone()}</code></td>
            <td>{token.created_by.clone()}</td>
            <td>{format_time(token.created_at)}</td>
            <td>{format_time_or_never(token.last_used_at)}</td>
            <td>{if token.revoked { "Revoked" } else { "Active" }}</td>
            <td>
                {(!token.revoked).then(|| view! {
                    <button type="button" class="danger" on:click=revoke>
                        {format!("Revoke {}", token.name)}
                    </button>
                })}
            </td>
        </tr>
    }
}

#[component]
fn SettingsForm(
    slug: String,
    policy: BuilderLevelGroups,
    mappings: Vec<AttributeMapping>,
    listing: Listing,
) -> impl IntoView {
    let slug = StoredValue::new(slug);
    let policy = RwSignal::new(policy);
    let keys: Vec<(&'static str, &'static str, RwSignal<String>)> = MAPPABLE_ATTRIBUTES
        .iter()
        .map(|(path, label)| {
            let current = mappings
                .iter()
                .find(|mapping| mapping.scim_path == *path)
                .map(|mapping| mapping.meta_key.clone())
                .unwrap_or_default();
            (*path, *label, RwSignal::new(current))
        })
        .collect();
    let keys = StoredValue::new(keys);
    let error = RwSignal::new(None::<String>);
    let hydrated = use_hydrated();
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let mappings: Vec<AttributeMapping> = keys.with_value(|keys| {
            keys.iter()
                .filter(|(_, _, key)| !key.get_untracked().trim().is_empty())
                .map(|(path, _, key)| AttributeMapping {
                    scim_path: path.to_string(),
                    meta_key: key.get_untracked(),
                })
                .collect()
        });
        let chosen = policy.get_untracked().key().to_string();
        leptos::task::spawn_local(async move {
            match save_provisioning_settings(slug.get_value(), chosen, mappings).await {
                Ok(()) => {
                    error.set(None);
                    listing.done("Provisioning settings saved.");
                }
                Err(failure) => error.set(Some(failure.to_string())),
            }
        });
    };
    let options = vec![
        (
            BuilderLevelGroups::Refuse,
            "Refuse the change, naming the users".to_string(),
        ),
        (
            BuilderLevelGroups::Promote,
            "Make them Builders".to_string(),
        ),
    ];
    view! {
        <form on:submit=submit aria-labelledby="provisioning-settings-title">
            <h2 id="provisioning-settings-title">"Settings"</h2>
            <Select
                label="When a group change would give an End-user builder-level permissions"
                id="builder-level-groups"
                options
                key=|choice: &BuilderLevelGroups| choice.key().to_string()
                value=policy
            />
            <fieldset>
                <legend>"Attributes to metadata"</legend>
                <p class="hint">"Each SCIM attribute given a key is copied into that member metadata key, sealed like all metadata, so apps read it as {{globals.currentUser.metadata.<key>}}."</p>
                {keys
                    .get_value()
                    .into_iter()
                    .map(|(path, label, key)| {
                        let id = format!("map-{}", path.rsplit(':').next().unwrap_or(path).replace('.', "-"));
                        view! {
                            <div class="field">
                                <label for=id.clone()>{format!("Metadata key for {label}")}</label>
                                <input
                                    id=id
                                    type="text"
                                    prop:value=move || key.get()
                                    on:input:target=move |event| key.set(event.target().value())
                                />
                            </div>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <FormError message=Signal::derive(move || error.get()) />
            <button type="submit" class="primary" disabled=move || !hydrated.get()>
                "Save provisioning settings"
            </button>
        </form>
    }
}

#[component]
fn RequestLog(requests: Vec<ScimRequest>) -> impl IntoView {
    view! {
        <section aria-labelledby="scim-requests-title">
            <h2 id="scim-requests-title">"Latest requests"</h2>
            {if requests.is_empty() {
                view! { <p>"The identity provider hasn't sent a request yet."</p> }.into_any()
            } else {
                view! {
                    <ActionTable caption="Latest SCIM requests" columns=&["Time", "Request", "Status", "Result"]>
                        {requests
                            .into_iter()
                            .map(|request| {
                                view! {
                                    <tr>
                                        <td>{format_time(request.occurred_at)}</td>
                                        <td><code>{format!("{} {}", request.method, request.path)}</code></td>
                                        <td>{request.status}</td>
                                        <td>{request.outcome}</td>
                                        <td></td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </ActionTable>
                }
                .into_any()
            }}
        </section>
    }
}
