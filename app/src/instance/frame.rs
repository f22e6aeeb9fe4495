use leptos::prelude::*;
use leptos_router::components::A;

use crate::error::AppError;
use crate::shell::{ErrorPanel, with_viewer};

/// The pages of instance Settings, by label and path.
const SETTINGS_PAGES: [(&str, &str); 5] = [
    ("All users", "/settings"),
    ("Workspaces", "/settings/workspaces"),
    ("Single sign-on", "/settings/single-sign-on"),
    ("Email outbox", "/settings/email-outbox"),
    ("Audit log", "/settings/audit-log"),
];

/// Around every Settings page: the links between them, or, for anyone but a super admin,
/// the refusal (with its status code when rendered on the server). The server functions
/// behind the pages refuse them too; this only spares them a page that can't load.
#[component]
pub fn SettingsFrame(children: ChildrenFn) -> impl IntoView {
    with_viewer(move |viewer| {
        if !viewer.is_super_admin {
            return view! { <ErrorPanel error=AppError::SuperAdminRequired /> }.into_any();
        }
        view! {
            <nav class="tabs" aria-label="Settings">
                <ul>
                    {SETTINGS_PAGES
                        .into_iter()
                        .map(|(label, path)| {
                            view! {
                                <li>
                                    <A href=path exact=true>
                                        {label}
                                    </A>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </nav>
            {children()}
        }
        .into_any()
    })
}
