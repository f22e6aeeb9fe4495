//! Gatehouse: user, group and permission administration for internal-tool platforms.
//!
//! This crate is compiled twice: natively with `ssr` for the server, and to WASM with
//! `hydrate` for the browser. Domain modules hold their rules (pure functions, tested
//! without a database), their `#[server]` functions and their pages side by side; code
//! that only the server runs (queries, hashing, sessions) sits in `ssr`-gated modules.

pub mod access;
pub mod access_matrix;
pub mod access_tokens;
pub mod audit;
pub mod auth;
pub mod dates;
pub mod error;
pub mod groups;
pub mod instance;
pub mod invitations;
pub mod mail;
pub mod memberships;
pub mod metadata;
pub mod permissions;
pub mod provisioning;
pub mod rendering;
pub mod resources;
pub mod setup;
pub mod shell;
pub mod single_sign_on;
pub mod ui;
pub mod users;
pub mod workspaces;

#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod exports;
#[cfg(feature = "ssr")]
pub mod request;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod tokens;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, Html, MetaTags, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{SsrMode, path};

use access_matrix::AccessMatrixPage;
use access_tokens::AccessTokensPage;
use audit::{InstanceAuditLogPage, WorkspaceAuditLogPage};
use auth::SignInPage;
use groups::GroupsPage;
use instance::{AllUsersPage, WorkspacesPage};
use invitations::AcceptInvitationPage;
use mail::EmailOutboxPage;
use provisioning::ProvisioningPage;
use resources::{
    AppEditPage, AppPage, ConstantPage, ConstantsPage, DashboardPage, DataSourcePage,
    DataSourcesPage, FolderPage,
};
use setup::SetupPage;
use shell::{AppShell, NoWorkspacePage, NotFoundPage};
use single_sign_on::{SingleSignOnProvidersPage, WorkspaceSingleSignOnPage};
use users::{ProfilePage, UsersPage};
use workspaces::WorkspaceLayout;

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HashedStylesheet id="leptos" options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Forms work before the page is interactive too, but differently (a full page load
    // for each submission): tests that check the interactive behaviour wait for this.
    let hydrated = ui::use_hydrated();

    view! {
        <Html {..} data-hydrated=move || hydrated.get().then_some("true") />
        <Title formatter=|page: String| format!("{page} · Gatehouse") />
        <Router>
            <Routes fallback=NotFoundPage>
                <Route path=path!("/setup") view=SetupPage />
                <Route path=path!("/sign-in") view=SignInPage />
                // Sent whole, not streamed: the page works without JavaScript.
                <Route
                    path=path!("/invitations/:token")
                    view=AcceptInvitationPage
                    ssr=SsrMode::Async
                />
                // Every signed-in page too: each arrives with its data, JavaScript or not.
                <ParentRoute path=path!("") view=AppShell ssr=SsrMode::Async>
                    <Route path=path!("") view=NoWorkspacePage />
                    <Route path=path!("profile") view=ProfilePage />
                    <Route path=path!("settings") view=AllUsersPage />
                    <Route path=path!("settings/workspaces") view=WorkspacesPage />
                    <Route path=path!("settings/email-outbox") view=EmailOutboxPage />
                    <Route path=path!("settings/single-sign-on") view=SingleSignOnProvidersPage />
                    <Route path=path!("settings/audit-log") view=InstanceAuditLogPage />
                    <ParentRoute path=path!(":slug") view=WorkspaceLayout>
                        <Route path=path!("") view=DashboardPage />
                        <Route path=path!("settings/users") view=UsersPage />
                        <Route path=path!("settings/groups") view=GroupsPage />
                        <Route path=path!("settings/groups/:group_id") view=GroupsPage />
                        <Route path=path!("settings/access-matrix") view=AccessMatrixPage />
                        <Route path=path!("settings/access-tokens") view=AccessTokensPage />
                        <Route path=path!("settings/provisioning") view=ProvisioningPage />
                        <Route path=path!("settings/single-sign-on") view=WorkspaceSingleSignOnPage />
                        <Route path=path!("settings/audit-log") view=WorkspaceAuditLogPage />
                        <Route path=path!("settings/constants") view=ConstantsPage />
                        <Route path=path!("settings/data-sources") view=DataSourcesPage />
                        <Route path=path!("apps/:app_id") view=AppPage />
                        <Route path=path!("apps/:app_id/edit") view=AppEditPage />
                        <Route path=path!("folders/:folder_id") view=FolderPage />
                        <Route path=path!("constants/:constant_id") view=ConstantPage />
                        <Route path=path!("data-sources/:data_source_id") view=DataSourcePage />
                    </ParentRoute>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
