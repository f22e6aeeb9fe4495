//! The pages the router shows, as lazy routes: the browser bundle is split into areas of
//! pages people use together (`xtask split-bundle`), and the browser fetches an area's
//! code when one of its pages is first shown, so that no page waits for the code of all
//! the others. The server renders these pages as any other, and names the parts a page
//! needs in it for the browser to fetch them early.
//!
//! An area is one split rather than one per page: code that several splits share goes
//! into a module for each combination of them, so a split per page meant hundreds of
//! small modules and a page fetching over two hundred of them.

use leptos::prelude::*;
use leptos_router::LazyRoute;

/// An area: its pages, each shown by a lazy route, and one lazily loaded function that
/// renders the one asked for. `area_name { Route => page component, ... }`.
macro_rules! lazy_area {
    ($(#[$doc:meta])* $area:ident { $($route:ident => $page:path),* $(,)? }) => {
        $(#[$doc])*
        mod $area {
            use leptos::prelude::*;

            /// Which page of the area to show.
            #[derive(Clone, Copy)]
            #[allow(clippy::enum_variant_names)]
            pub enum Page {
                $($route),*
            }

            /// Renders `page`. The area's code, this function's, is a split of the
            /// bundle named after the area, which the browser fetches the first time this
            /// is called, or earlier through `__preload_show`.
            #[lazy($area)]
            pub fn show(page: Page) -> AnyView {
                match page {
                    $(Page::$route => $page().into_any()),*
                }
            }
        }

        $(
            #[doc = concat!("Shows [`", stringify!($page), "`].")]
            pub struct $route;

            impl LazyRoute for $route {
                fn data() -> Self {
                    Self
                }

                async fn view(_route: Self) -> AnyView {
                    $area::show($area::Page::$route).await
                }

                // Awaited before a page the server rendered is hydrated: the area's code
                // must be there to take over that page's HTML.
                async fn preload() {
                    #[cfg(feature = "hydrate")]
                    $area::__preload_show().await;
                }
            }
        )*
    };
}

lazy_area! {
    /// What someone who isn't signed in sees.
    signed_out {
        SetupRoute => crate::setup::SetupPage,
        SignInRoute => crate::auth::SignInPage,
        AcceptInvitationRoute => crate::invitations::AcceptInvitationPage,
    }
}

lazy_area! {
    /// The frame around every signed-in page, and a workspace's around its pages.
    frame {
        FrameRoute => crate::shell::AppShell,
        WorkspaceRoute => crate::workspaces::WorkspaceLayout,
    }
}

lazy_area! {
    /// People: a workspace's users, and someone's own profile.
    people {
        UsersRoute => crate::users::UsersPage,
        ProfileRoute => crate::users::ProfilePage,
    }
}

lazy_area! {
    /// Groups and what they may do.
    groups {
        GroupsRoute => crate::groups::GroupsPage,
        AccessMatrixRoute => crate::access_matrix::AccessMatrixPage,
    }
}

lazy_area! {
    /// A workspace's resources and its other settings.
    workspace {
        NoWorkspaceRoute => crate::shell::NoWorkspacePage,
        DashboardRoute => crate::resources::DashboardPage,
        AccessTokensRoute => crate::access_tokens::AccessTokensPage,
        ProvisioningRoute => crate::provisioning::ProvisioningPage,
        WorkspaceSingleSignOnRoute => crate::single_sign_on::WorkspaceSingleSignOnPage,
        WorkspaceAuditLogRoute => crate::audit::WorkspaceAuditLogPage,
        ConstantsRoute => crate::resources::ConstantsPage,
        DataSourcesRoute => crate::resources::DataSourcesPage,
        AppRoute => crate::resources::AppPage,
        AppEditRoute => crate::resources::AppEditPage,
        FolderRoute => crate::resources::FolderPage,
        ConstantRoute => crate::resources::ConstantPage,
        DataSourceRoute => crate::resources::DataSourcePage,
    }
}

lazy_area! {
    /// The instance's settings, for super admins.
    instance {
        AllUsersRoute => crate::instance::AllUsersPage,
        WorkspacesRoute => crate::instance::WorkspacesPage,
        EmailOutboxRoute => crate::mail::EmailOutboxPage,
        SingleSignOnProvidersRoute => crate::single_sign_on::SingleSignOnProvidersPage,
        InstanceAuditLogRoute => crate::audit::InstanceAuditLogPage,
    }
}
