//! First run: on an empty instance every page leads to **Set up Gatehouse**, which creates
//! the first account (a super admin) and the first workspace (with that account as Admin).
//! `GATEHOUSE_ADMIN_EMAIL` and `GATEHOUSE_ADMIN_PASSWORD` do the same at start.

#[cfg(feature = "ssr")]
pub mod store;

mod setup_page;

use leptos::prelude::*;

use crate::auth::Landing;
use crate::error::AppError;
use crate::users::{check_new_password, normalise_email, normalise_full_name};
use crate::workspaces::normalise_workspace_name;

pub use setup_page::SetupPage;

/// The validated answers to the set-up form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstAdmin {
    pub full_name: String,
    pub email: String,
    pub workspace_name: String,
}

impl FirstAdmin {
    pub fn parse(
        full_name: &str,
        email: &str,
        password: &str,
        workspace_name: &str,
    ) -> Result<FirstAdmin, AppError> {
        let full_name = normalise_full_name(full_name)?;
        let email = normalise_email(email)?;
        check_new_password(password)?;
        let workspace_name = normalise_workspace_name(workspace_name)?;
        Ok(FirstAdmin {
            full_name,
            email,
            workspace_name,
        })
    }
}

#[server(endpoint = "set-up")]
pub async fn set_up_instance(
    full_name: String,
    email: String,
    password: String,
    workspace_name: String,
) -> Result<Landing, AppError> {
    use crate::auth::session;
    use crate::{request, state::app_state};

    let state = app_state()?;
    let first_admin = FirstAdmin::parse(&full_name, &email, &password, &workspace_name)?;
    let created = store::set_up(&state.db, &first_admin, password).await?;
    let token = session::start(&state.db, created.user_id, state.config.session_ttl).await?;
    request::set_cookie(session::set_cookie_header(&token, &state.config))?;
    tracing::info!(user_id = created.user_id, workspace = %created.workspace_slug, "instance set up");
    let path = format!("/{}", created.workspace_slug);
    request::send_plain_form_on_to(&path);
    Ok(Landing { path })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_answers_are_normalised() {
        assert_eq!(
            FirstAdmin::parse(" Ada  Lovelace ", "Ada@Example.COM", "analytical", " Acme "),
            Ok(FirstAdmin {
                full_name: "Ada Lovelace".into(),
                email: "ada@example.com".into(),
                workspace_name: "Acme".into(),
            })
        );
    }

    #[test]
    fn each_field_is_checked_in_form_order() {
        let cases = [
            (("", "a@b.co", "password1", "W"), AppError::FullNameRequired),
            (("A", "nope", "password1", "W"), AppError::InvalidEmail),
            (
                ("A", "a@b.co", "short", "W"),
                AppError::PasswordTooShort { min: 8 },
            ),
            (
                ("A", "a@b.co", "password1", " "),
                AppError::WorkspaceNameRequired,
            ),
        ];
        for ((name, email, password, workspace), expected) in cases {
            assert_eq!(
                FirstAdmin::parse(name, email, password, workspace),
                Err(expected.clone()),
                "{expected:?}"
            );
        }
    }
}
