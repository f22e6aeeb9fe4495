//! Who may act where. Every server function starts here: [`signed_in`], [`super_admin`]
//! or [`member_of`] authenticate the caller and check their standing; feature rules build
//! on the [`WorkspaceActor`] these return instead of querying memberships themselves.

use crate::error::AppError;
use crate::memberships::{MembershipStatus, Role};

/// A workspace as the access rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceRef {
    pub id: i64,
    pub slug: String,
    pub name: String,
}

/// What the database says about a workspace and the caller's membership in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub workspace_archived: bool,
    pub membership: Option<(Role, MembershipStatus)>,
}

/// Only an active membership in an active workspace lets someone in. Everything else
/// looks the same from outside as a workspace that doesn't exist.
pub fn role_in_workspace(standing: &Standing) -> Result<Role, AppError> {
    match standing {
        Standing {
            workspace_archived: false,
            membership: Some((role, MembershipStatus::Active)),
        } => Ok(*role),
        _ => Err(AppError::WorkspaceUnavailable),
    }
}

/// Refuses a role below `needed`, naming what it takes.
pub fn require_role(role: Role, needed: Role) -> Result<(), AppError> {
    if role >= needed {
        Ok(())
    } else if needed == Role::Admin {
        Err(AppError::AdminRequired)
    } else {
        Err(AppError::BuilderRequired)
    }
}

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use super::*;
    use crate::auth::SignedInUser;
    use crate::auth::session::CurrentUser;
    use crate::request;
    use crate::state::{AppState, app_state};
    use crate::workspaces;
    use sqlx::{Any, Transaction};

    /// A signed-in user acting in a workspace they are an active member of.
    #[derive(Debug, Clone)]
    pub struct WorkspaceActor {
        pub user: SignedInUser,
        pub workspace: WorkspaceRef,
        pub role: Role,
    }

    impl WorkspaceActor {
        pub fn require(&self, needed: Role) -> Result<(), AppError> {
            require_role(self.role, needed)
        }
    }

    /// The caller, resolved from their session cookie once per request by the server.
    pub fn signed_in() -> Result<SignedInUser, AppError> {
        request::parts()?
            .extensions
            .get::<CurrentUser>()
            .and_then(|current| current.0.clone())
            .ok_or(AppError::NotSignedIn)
    }

    pub fn super_admin() -> Result<SignedInUser, AppError> {
        let user = signed_in()?;
        if user.is_super_admin {
            Ok(user)
        } else {
            Err(AppError::SuperAdminRequired)
        }
    }

    /// The caller, who must be an admin of the workspace at `slug`.
    pub async fn admin_of(slug: &str) -> Result<(WorkspaceActor, AppState), AppError> {
        let actor = member_of(slug).await?;
        actor.require(Role::Admin)?;
        Ok((actor, app_state()?))
    }

    /// Starts a change to the actor's workspace: the workspace's member changes take
    /// turns from here, and the actor must still be one of its active admins, even if
    /// another admin changed that a moment ago.
    pub async fn begin_as_admin(
        state: &AppState,
        actor: &WorkspaceActor,
    ) -> Result<Transaction<'static, Any>, AppError> {
        let mut tx = crate::db::begin_write(&state.db).await?;
        crate::db::lock_workspace(&mut tx, actor.workspace.id).await?;
        match crate::users::store::find_member(&mut tx, actor.workspace.id, actor.user.id).await? {
            Some(me)
                if me.status == MembershipStatus::Active
                    && me.role == Role::Admin
                    && !me.account_archived =>
            {
                Ok(tx)
            }
            Some(me) if me.status == MembershipStatus::Active && !me.account_archived => {
                Err(AppError::AdminRequired)
            }
            _ => Err(AppError::WorkspaceUnavailable),
        }
    }

    pub async fn member_of(slug: &str) -> Result<WorkspaceActor, AppError> {
        let user = signed_in()?;
        let state = app_state()?;
        let (workspace, standing) = workspaces::store::standing(&state.db, slug, user.id)
            .await?
            .ok_or(AppError::WorkspaceUnavailable)?;
        let role = role_in_workspace(&standing)?;
        Ok(WorkspaceActor {
            user,
            workspace,
            role,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use MembershipStatus::*;

    fn standing(archived: bool, membership: Option<(Role, MembershipStatus)>) -> Standing {
        Standing {
            workspace_archived: archived,
            membership,
        }
    }

    #[test]
    fn only_active_members_of_active_workspaces_get_in() {
        let unavailable = Err(AppError::WorkspaceUnavailable);
        let cases = [
            (
                standing(false, Some((Role::Admin, Active))),
                Ok(Role::Admin),
            ),
            (
                standing(false, Some((Role::Builder, Active))),
                Ok(Role::Builder),
            ),
            (
                standing(false, Some((Role::EndUser, Active))),
                Ok(Role::EndUser),
            ),
            (
                standing(false, Some((Role::Admin, Invited))),
                unavailable.clone(),
            ),
            (
                standing(false, Some((Role::Admin, Archived))),
                unavailable.clone(),
            ),
            (standing(false, None), unavailable.clone()),
            (standing(true, Some((Role::Admin, Active))), unavailable),
        ];
        for (standing, expected) in cases {
            assert_eq!(role_in_workspace(&standing), expected, "{standing:?}");
        }
    }

    #[test]
    fn roles_satisfy_what_they_include() {
        let cases = [
            (Role::Admin, Role::Admin, Ok(())),
            (Role::Admin, Role::Builder, Ok(())),
            (Role::Admin, Role::EndUser, Ok(())),
            (Role::Builder, Role::Admin, Err(AppError::AdminRequired)),
            (Role::Builder, Role::Builder, Ok(())),
            (Role::Builder, Role::EndUser, Ok(())),
            (Role::EndUser, Role::Admin, Err(AppError::AdminRequired)),
            (Role::EndUser, Role::Builder, Err(AppError::BuilderRequired)),
            (Role::EndUser, Role::EndUser, Ok(())),
        ];
        for (role, needed, expected) in cases {
            assert_eq!(
                require_role(role, needed),
                expected,
                "{role:?} needs {needed:?}"
            );
        }
    }
}
