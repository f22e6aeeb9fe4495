//! The instance use cases the REST API shares with Settings: reading the users and their
//! counts. Super admins only.

use super::{AccountFilter, InstanceUserPage, store};
use crate::access::{Caller, Scope};
use crate::error::AppError;
use crate::state::AppState;
use crate::users::store::PagePosition;

pub async fn users(
    state: &AppState,
    caller: &Caller,
    search: Option<&str>,
    filter: AccountFilter,
    position: PagePosition,
) -> Result<InstanceUserPage, AppError> {
    caller.as_super_admin(Scope::InstanceRead)?;
    store::listing(&state.db, search, filter, position).await
}
