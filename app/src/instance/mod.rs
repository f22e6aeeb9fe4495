//! Instance settings, for super admins only: the views that span every workspace.

mod settings_page;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

pub use settings_page::InstanceSettingsPage;

/// A workspace as the instance's super admins see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceListing {
    pub name: String,
    pub slug: String,
    pub archived: bool,
    pub active_members: i64,
}

#[server(endpoint = "instance/workspaces")]
pub async fn all_workspaces() -> Result<Vec<WorkspaceListing>, AppError> {
    crate::access::super_admin()?;
    let state = crate::state::app_state()?;
    crate::workspaces::store::all_with_member_counts(&state.db).await
}
