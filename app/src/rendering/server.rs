//! What an app's placeholders reach for one caller, read from the database: their own
//! decrypted metadata and the constants they may view. Server only: plaintext metadata
//! leaves the server only inside the app rendered for the person it belongs to.

use std::collections::BTreeMap;

use sqlx::AnyConnection;

use super::{CurrentUser, Scope, globals};
use crate::error::AppError;
use crate::permissions::{Action, ResourceKind};
use crate::resources::server::{Caller, visible};
use crate::resources::store::open_secret;

/// The scope for rendering `body`: only constants whose names appear in it are decrypted,
/// since every app view renders and most bodies name few constants or none.
pub async fn scope_for(
    conn: &mut AnyConnection,
    caller: &Caller,
    body: &str,
) -> Result<Scope, AppError> {
    let state = crate::state::app_state()?;
    let actor = &caller.actor;
    let metadata =
        crate::metadata::store::load(conn, &state.keys, actor.workspace.id, actor.user.id).await?;
    let user = CurrentUser {
        email: actor.user.email.clone(),
        full_name: actor.user.full_name.clone(),
        role: actor.role,
        groups: caller.group_names().to_vec(),
        metadata,
    };
    let mut constants = BTreeMap::new();
    for constant in visible(conn, caller, ResourceKind::Constant).await? {
        if body.contains(constant.name.as_str())
            && caller
                .permissions()
                .can(&constant.reference(), Action::View)
        {
            let value = open_secret(&state.keys, &constant)?;
            constants.insert(constant.name, value);
        }
    }
    Ok(Scope {
        globals: globals(&user),
        constants,
    })
}
