//! Settings › Single sign-on: the instance's identity providers, for super admins. Each
//! shows the redirect URI to register at the provider and can test its connection.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;

use super::{
    ConnectionReport, GroupsSource, ProviderForm, ProviderSummary, delete_sso_provider,
    list_sso_providers, save_sso_provider, test_sso_provider,
};
use crate::instance::SettingsFrame;
use crate::ui::{
    ActionTable, FormError, Listing, NoticeBar, Select, use_hydrated, when_list_loaded,
};

#[component]
pub fn SingleSignOnProvidersPage() -> impl IntoView {
    let listing = Listing::new();
    let providers = listing.load(list_sso_providers);
    let editing = RwSignal::new(None::<ProviderSummary>);
    let report = RwSignal::new(None::<(String, ConnectionReport)>);
    view! {
        <Title text="Single sign-on" />
        <SettingsFrame>
            <section class="panel" aria-labelledby="page-title">
                <h1 id="page-title">"Single sign-on"</h1>
                <p>
                    "Identity providers people can sign in with, over OpenID Connect. Register each provider's redirect URI at the provider; each workspace's admins then choose which providers their workspace accepts."
                </p>
                <NoticeBar notice=listing.notice />
                {when_list_loaded(
                    providers,
                    move |providers| {
                        view! { <ProviderTable providers editing report listing /> }
                    },
                )}
                {move || {
                    report
                        .get()
                        .map(|(name, report)| {
                            view! {
                                <section role="status" aria-labelledby="connection-title" class="connection-report">
                                    <h2 id="connection-title">{format!("Connection to {name}")}</h2>
                                    <p>{if report.ok { "It works." } else { "It doesn't work yet." }}</p>
                                    <ul>
                                        {report
                                            .findings
                                            .into_iter()
                                            .map(|finding| view! { <li>{finding}</li> })
                                            .collect_view()}
                                    </ul>
                                </section>
                            }
                        })
                }}
                {move || {
                    let current = editing.get();
                    view! { <ProviderEditor current listing editing /> }
                }}
            </section>
        </SettingsFrame>
    }
}

#[component]
fn ProviderTable(
    providers: Vec<ProviderSummary>,
    editing: RwSignal<Option<ProviderSummary>>,
    report: RwSignal<Option<(String, ConnectionReport)>>,
    listing: Listing,
) -> impl IntoView {
    if providers.is_empty() {
        return view! { <p>"No identity provider yet: people sign in with a password."</p> }
            .into_any();
    }
    let rows = providers
        .into_iter()
        .map(|provider| {
            let id = provider.id;
            let name = StoredValue::new(provider.display_name.clone());
            let chosen = StoredValue::new(provider.clone());
            let testing = RwSignal::new(false);
            let test = move |_| {
                testing.set(true);
                leptos::task::spawn_local(async move {
                    match test_sso_provider(id).await {
                        Ok(found) => report.set(Some((name.get_value(), found))),
                        Err(error) => listing.failed(error),
                    }
                    testing.set(false);
                });
            };
            let delete = move |_| {
                listing.report(
                    delete_sso_provider(id),
                    format!("{} has been deleted.", name.get_value()),
                );
            };
            view! {
                <tr>
                    <td>{provider.display_name.clone()}</td>
                    <td><code>{provider.issuer_url.clone()}</code></td>
                    <td><code>{provider.callback_url.clone()}</code></td>
                    <td>{provider.groups_source.label()}</td>
                    <td class="actions">
                        <button type="button" on:click=move |_| editing.set(Some(chosen.get_value()))>
                            {format!("Edit {}", provider.display_name)}
                        </button>
                        <button type="button" disabled=move || testing.get() on:click=test>
                            {format!("Test connection to {}", provider.display_name)}
                        </button>
                        <button type="button" class="danger" on:click=delete>
                            {format!("Delete {}", provider.display_name)}
                        </button>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <ActionTable caption="Identity providers" columns=&["Name", "Issuer", "Redirect URI", "Groups read from"]>
            {rows}
        </ActionTable>
    }
    .into_any()
}

/// A text input that may be left empty (the shared `Field` requires a value).
#[component]
fn OptionalField(
    label: &'static str,
    id: &'static str,
    value: RwSignal<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(into)] hint: String,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id name=id type=kind autocomplete="off" aria-describedby=hint_id.clone() bind:value=value />
            <p class="hint" id=hint_id>{hint}</p>
        </div>
    }
}

#[component]
fn ProviderEditor(
    current: Option<ProviderSummary>,
    listing: Listing,
    editing: RwSignal<Option<ProviderSummary>>,
) -> impl IntoView {
    let id = current.as_ref().map(|provider| provider.id);
    let text = |pick: fn(&ProviderSummary) -> String, default: &str| {
        RwSignal::new(current.as_ref().map_or_else(|| default.to_string(), pick))
    };
    let display_name = text(|p| p.display_name.clone(), "");
    let issuer_url = text(|p| p.issuer_url.clone(), "");
    let client_id = text(|p| p.client_id.clone(), "");
    let client_secret = RwSignal::new(String::new());
    let scopes = text(|p| p.scopes.clone(), "openid email profile");
    let email_claim = text(|p| p.email_claim.clone(), "email");
    let groups_claim = text(|p| p.groups_claim.clone(), "groups");
    let allowed_domains = text(|p| p.allowed_domains.clone(), "");
    let groups_source = RwSignal::new(
        current
            .as_ref()
            .map_or(GroupsSource::IdToken, |provider| provider.groups_source),
    );
    let heading = current.as_ref().map_or_else(
        || "Add an identity provider".to_string(),
        |provider| format!("Edit {}", provider.display_name),
    );
    let error = RwSignal::new(None::<String>);
    let hydrated = use_hydrated();
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let form = ProviderForm {
            id,
            display_name: display_name.get_untracked(),
            issuer_url: issuer_url.get_untracked(),
            client_id: client_id.get_untracked(),
            client_secret: client_secret.get_untracked(),
            scopes: scopes.get_untracked(),
            email_claim: email_claim.get_untracked(),
            groups_claim: groups_claim.get_untracked(),
            groups_source: groups_source.get_untracked().key().to_string(),
            allowed_domains: allowed_domains.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match save_sso_provider(form).await {
                Ok(saved) => {
                    error.set(None);
                    editing.set(None);
                    listing.done(format!(
                        "{} has been saved. Its redirect URI is {}.",
                        saved.display_name, saved.callback_url
                    ));
                }
                Err(failure) => error.set(Some(failure.to_string())),
            }
        });
    };
    let options = GroupsSource::ALL
        .into_iter()
        .map(|source| (source, source.label().to_string()))
        .collect();
    let secret_hint = if id.is_some() {
        "Stored sealed and never shown again. Leave empty to keep the current secret."
    } else {
        "Stored sealed and never shown again."
    };
    view! {
        <form on:submit=submit aria-labelledby="provider-form-title">
            <h2 id="provider-form-title">{heading}</h2>
            <OptionalField label="Display name" id="sso-display-name" value=display_name hint="Shown on the sign-in page as \u{201c}Sign in with\u{a0}\u{2026}\u{201d}." />
            <OptionalField label="Issuer URL" id="sso-issuer" value=issuer_url hint="The provider's issuer, exactly as its discovery document spells it." />
            <OptionalField label="Client ID" id="sso-client-id" value=client_id hint="From the application registered at the provider." />
            <OptionalField label="Client secret" id="sso-client-secret" kind="password" value=client_secret hint=secret_hint />
            <OptionalField label="Scopes" id="sso-scopes" value=scopes hint="Separated by spaces; openid is required. Add the scope that releases groups, if the provider has one." />
            <OptionalField label="Email claim" id="sso-email-claim" value=email_claim hint="The claim with the person's email; the provider must mark it verified (email_verified)." />
            <OptionalField label="Groups claim" id="sso-groups-claim" value=groups_claim hint="The claim with the person's groups; dots reach into nested claims, as in realm_access.roles." />
            <Select
                label="Read groups from"
                id="sso-groups-source"
                options
                key=|source: &GroupsSource| source.key().to_string()
                value=groups_source
            />
            <OptionalField label="Allowed email domains" id="sso-domains" value=allowed_domains hint="Separated by spaces or commas, such as example.com. Empty: any domain." />
            <FormError message=Signal::derive(move || error.get()) />
            <button type="submit" class="primary" disabled=move || !hydrated.get()>
                "Save identity provider"
            </button>
            {id.map(|_| view! {
                <button type="button" on:click=move |_| editing.set(None)>"Cancel editing"</button>
            })}
        </form>
    }
    .into_any()
}
