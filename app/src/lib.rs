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
pub mod loading;
pub mod mail;
pub mod memberships;
pub mod metadata;
pub mod permissions;
pub mod provisioning;
pub mod rendering;
pub mod resources;
pub mod routes;
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
use leptos_router::{Lazy, SsrMode, path};

use routes::{
    AcceptInvitationRoute, AccessMatrixRoute, AccessTokensRoute, AllUsersRoute, AppEditRoute,
    AppRoute, ConstantRoute, ConstantsRoute, DashboardRoute, DataSourceRoute, DataSourcesRoute,
    EmailOutboxRoute, FolderRoute, FrameRoute, GroupsRoute, InstanceAuditLogRoute,
    NoWorkspaceRoute, ProfileRoute, ProvisioningRoute, SetupRoute, SignInRoute,
    SingleSignOnProvidersRoute, UsersRoute, WorkspaceAuditLogRoute, WorkspaceRoute,
    WorkspaceSingleSignOnRoute, WorkspacesRoute,
};
use shell::NotFoundPage;

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en" data-theme=shell::current_theme().attribute()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                // The font every page is set in (style/fonts), fetched with the page
                // rather than once the style sheet asks for it: no text shows in another
                // font first.
                <link
                    rel="preload"
                    href="/pkg/fonts/inter-latin-wght-normal.woff2"
                    r#as="font"
                    type="font/woff2"
                    crossorigin="anonymous"
                />
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
                <Route path=path!("/setup") view={Lazy::<SetupRoute>::new()} />
                <Route path=path!("/sign-in") view={Lazy::<SignInRoute>::new()} />
                // Sent whole, not streamed: the page works without JavaScript.
                <Route
                    path=path!("/invitations/:token")
                    view={Lazy::<AcceptInvitationRoute>::new()}
                    ssr=SsrMode::Async
                />
                // Every signed-in page too: each arrives with its data, JavaScript or not.
                <ParentRoute path=path!("") view={Lazy::<FrameRoute>::new()} ssr=SsrMode::Async>
                    <Route path=path!("") view={Lazy::<NoWorkspaceRoute>::new()} />
                    <Route path=path!("profile") view={Lazy::<ProfileRoute>::new()} />
                    <Route path=path!("settings") view={Lazy::<AllUsersRoute>::new()} />
                    <Route path=path!("settings/workspaces") view={Lazy::<WorkspacesRoute>::new()} />
                    <Route path=path!("settings/email-outbox") view={Lazy::<EmailOutboxRoute>::new()} />
                    <Route path=path!("settings/single-sign-on") view={Lazy::<SingleSignOnProvidersRoute>::new()} />
                    <Route path=path!("settings/audit-log") view={Lazy::<InstanceAuditLogRoute>::new()} />
                    <ParentRoute path=path!(":slug") view={Lazy::<WorkspaceRoute>::new()}>
                        <Route path=path!("") view={Lazy::<DashboardRoute>::new()} />
                        <Route path=path!("settings/users") view={Lazy::<UsersRoute>::new()} />
                        <Route path=path!("settings/groups") view={Lazy::<GroupsRoute>::new()} />
                        <Route path=path!("settings/groups/:group_id") view={Lazy::<GroupsRoute>::new()} />
                        <Route path=path!("settings/access-matrix") view={Lazy::<AccessMatrixRoute>::new()} />
                        <Route path=path!("settings/access-tokens") view={Lazy::<AccessTokensRoute>::new()} />
                        <Route path=path!("settings/provisioning") view={Lazy::<ProvisioningRoute>::new()} />
                        <Route path=path!("settings/single-sign-on") view={Lazy::<WorkspaceSingleSignOnRoute>::new()} />
                        <Route path=path!("settings/audit-log") view={Lazy::<WorkspaceAuditLogRoute>::new()} />
                        <Route path=path!("settings/constants") view={Lazy::<ConstantsRoute>::new()} />
                        <Route path=path!("settings/data-sources") view={Lazy::<DataSourcesRoute>::new()} />
                        <Route path=path!("apps/:app_id") view={Lazy::<AppRoute>::new()} />
                        <Route path=path!("apps/:app_id/edit") view={Lazy::<AppEditRoute>::new()} />
                        <Route path=path!("folders/:folder_id") view={Lazy::<FolderRoute>::new()} />
                        <Route path=path!("constants/:constant_id") view={Lazy::<ConstantRoute>::new()} />
                        <Route path=path!("data-sources/:data_source_id") view={Lazy::<DataSourceRoute>::new()} />
                    </ParentRoute>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
