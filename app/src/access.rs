//! Who may act where. Every operation receives an actor: a person acting through their
//! browser session, or through one of their access tokens, limited to its scopes. The
//! adapters find the actor ([`session_caller`] and [`session_actor`] for server
//! functions, the REST API's token check for `/api/v1`); the operations check that the
//! actor's role and scopes allow what they do.

use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::memberships::{MembershipStatus, Role};

/// The signed-in user as the server sees them. Carries no secret, but stays on the
/// server; the browser gets a [`crate::auth::Viewer`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedInUser {
    pub id: i64,
    pub email: String,
    pub full_name: String,
    pub is_super_admin: bool,
}

/// Set by the server on every request: who is signed in by their session, if anyone.
#[derive(Clone, Debug)]
pub struct CurrentUser(pub Option<SignedInUser>);

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
    /// The workspace's permissions version as this request read it
    /// ([`crate::permissions::cache`]).
    pub permissions_version: i64,
}

/// Only an active membership in an active workspace lets someone in. Everything else
/// looks the same from outside as a workspace that doesn't exist.
pub fn role_in_workspace(standing: &Standing) -> Result<Role, AppError> {
    match standing {
        Standing {
            workspace_archived: false,
            membership: Some((role, MembershipStatus::Active)),
            ..
        } => Ok(*role),
        _ => Err(AppError::WorkspaceUnavailable),
    }
}

/// How a signed-in person holds the rights they act with in a workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActingAs {
    Member,
    /// A super admin acting as the workspace's admin without being one of its active
    /// admins: ToolJet gives super admins admin rights in every workspace.
    SuperAdmin,
}

/// The role someone acts with in a workspace, and on what standing: their own active
/// membership, or, for a super admin, admin rights in any workspace that isn't
/// archived.
pub fn rights_in_workspace(
    standing: &Standing,
    is_super_admin: bool,
) -> Result<(Role, ActingAs), AppError> {
    match role_in_workspace(standing) {
        Ok(Role::Admin) => Ok((Role::Admin, ActingAs::Member)),
        _ if is_super_admin && !standing.workspace_archived => {
            Ok((Role::Admin, ActingAs::SuperAdmin))
        }
        other => other.map(|role| (role, ActingAs::Member)),
    }
}

/// What an access token may be used for. A session may do whatever its person's role
/// allows; a token only what its scopes name as well.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Scope {
    MembersRead,
    MembersWrite,
    GroupsRead,
    GroupsWrite,
    ResourcesRead,
    ResourcesWrite,
    AuditRead,
    InstanceRead,
}

impl Scope {
    /// What a SCIM token may do: provision members and groups, nothing else.
    pub const SCIM: [Scope; 2] = [Scope::MembersWrite, Scope::GroupsWrite];

    pub const ALL: [Scope; 8] = [
        Scope::MembersRead,
        Scope::MembersWrite,
        Scope::GroupsRead,
        Scope::GroupsWrite,
        Scope::ResourcesRead,
        Scope::ResourcesWrite,
        Scope::AuditRead,
        Scope::InstanceRead,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Scope::MembersRead => "members:read",
            Scope::MembersWrite => "members:write",
            Scope::GroupsRead => "groups:read",
            Scope::GroupsWrite => "groups:write",
            Scope::ResourcesRead => "resources:read",
            Scope::ResourcesWrite => "resources:write",
            Scope::AuditRead => "audit:read",
            Scope::InstanceRead => "instance:read",
        }
    }

    /// What the scope allows, in words for the token form.
    pub fn description(self) -> &'static str {
        match self {
            Scope::MembersRead => "List members, their details and permissions",
            Scope::MembersWrite => "Invite, edit, archive and remove members",
            Scope::GroupsRead => "List groups and their members",
            Scope::GroupsWrite => "Create, rename and delete groups; change their members",
            Scope::ResourcesRead => {
                "List the apps, folders, workspace constants and data sources you may see"
            }
            Scope::ResourcesWrite => {
                "Create and delete apps, folders, workspace constants and data sources, as your groups allow"
            }
            Scope::AuditRead => "Read the audit trail",
            Scope::InstanceRead => "Read the instance's users and counts (super admins)",
        }
    }

    pub fn from_key(key: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|scope| scope.key() == key)
    }

    /// Writing implies reading the same things.
    fn includes(self, needed: Scope) -> bool {
        self == needed
            || matches!(
                (self, needed),
                (Scope::MembersWrite, Scope::MembersRead)
                    | (Scope::GroupsWrite, Scope::GroupsRead)
                    | (Scope::ResourcesWrite, Scope::ResourcesRead)
            )
    }
}

/// How the actor proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    Session,
    AccessToken {
        id: i64,
        scopes: Vec<Scope>,
    },
    /// A workspace's SCIM token, acting for the admin who created it: members and
    /// groups only.
    ScimToken {
        id: i64,
    },
    /// Group sync at a sign-in through an identity provider, acting for the admin who
    /// last saved the workspace's single sign-on settings: members and groups only.
    SingleSignOn {
        provider_id: i64,
    },
}

impl Credential {
    /// Refuses a token whose scopes don't include `needed`; sessions pass.
    pub fn permits(&self, needed: Scope) -> Result<(), AppError> {
        match self {
            Credential::Session => Ok(()),
            Credential::AccessToken { scopes, .. } => {
                if scopes.iter().any(|scope| scope.includes(needed)) {
                    Ok(())
                } else {
                    Err(AppError::ScopeMissing {
                        scope: needed.key().to_string(),
                    })
                }
            }
            Credential::ScimToken { .. } | Credential::SingleSignOn { .. } => {
                if Scope::SCIM.iter().any(|scope| scope.includes(needed)) {
                    Ok(())
                } else {
                    Err(AppError::ScopeMissing {
                        scope: needed.key().to_string(),
                    })
                }
            }
        }
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
    use crate::db::Db;
    use crate::request;
    use crate::state::{AppState, app_state};
    use sqlx::{Any, Transaction};

    #[derive(sqlx::FromRow)]
    struct StandingRow {
        id: i64,
        slug: String,
        name: String,
        workspace_status: String,
        permissions_version: i64,
        role: Option<String>,
        membership_status: Option<String>,
    }

    /// The workspace at `slug` and the user's standing in it, if the workspace exists.
    pub async fn standing(
        db: &Db,
        slug: &str,
        user_id: i64,
    ) -> Result<Option<(WorkspaceRef, Standing)>, AppError> {
        let row: Option<StandingRow> = sqlx::query_as(
            "SELECT w.id, w.slug, w.name, w.status AS workspace_status,
                    v.version AS permissions_version, m.role, m.status AS membership_status
             FROM workspaces w
             JOIN permission_versions v ON v.workspace_id = w.id
             LEFT JOIN memberships m ON m.workspace_id = w.id AND m.user_id = $2
             WHERE w.slug = $1",
        )
        .bind(slug)
        .bind(user_id)
        .fetch_optional(db)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let membership = match (row.role, row.membership_status) {
            (Some(role), Some(status)) => Some(decode_membership(&role, &status)?),
            _ => None,
        };
        Ok(Some((
            WorkspaceRef {
                id: row.id,
                slug: row.slug,
                name: row.name,
            },
            Standing {
                workspace_archived: row.workspace_status == "archived",
                membership,
                permissions_version: row.permissions_version,
            },
        )))
    }

    /// The workspace's permissions version now ([`crate::permissions::cache`]).
    pub async fn permissions_version(
        conn: &mut sqlx::AnyConnection,
        workspace_id: i64,
    ) -> Result<i64, AppError> {
        sqlx::query_scalar("SELECT version FROM permission_versions WHERE workspace_id = $1")
            .bind(workspace_id)
            .fetch_optional(conn)
            .await?
            .ok_or(AppError::WorkspaceUnavailable)
    }

    /// A stored role and status; anything else in the database is a bug, logged.
    pub fn decode_membership(
        role: &str,
        status: &str,
    ) -> Result<(Role, MembershipStatus), AppError> {
        match (Role::from_key(role), MembershipStatus::from_key(status)) {
            (Some(role), Some(status)) => Ok((role, status)),
            _ => {
                tracing::error!(role, status, "unknown role or status in the database");
                Err(AppError::Internal)
            }
        }
    }

    /// A signed-in person, not yet in any workspace: for their own account and, for
    /// super admins, the instance.
    #[derive(Debug, Clone)]
    pub struct Caller {
        pub user: SignedInUser,
        pub credential: Credential,
    }

    impl Caller {
        /// A super admin in their session: the instance's changes and its secrets (the
        /// outbox holds invitation links) are not open to access tokens.
        pub fn as_super_admin_in_session(&self) -> Result<&SignedInUser, AppError> {
            if self.credential != Credential::Session {
                return Err(AppError::SessionRequired);
            }
            if !self.user.is_super_admin {
                return Err(AppError::SuperAdminRequired);
            }
            Ok(&self.user)
        }

        /// A super admin, with `scope` when acting through a token.
        pub fn as_super_admin(&self, scope: Scope) -> Result<&SignedInUser, AppError> {
            if !self.user.is_super_admin {
                return Err(AppError::SuperAdminRequired);
            }
            self.credential.permits(scope)?;
            Ok(&self.user)
        }
    }

    /// A signed-in person acting in a workspace: an active member of it, or a super
    /// admin with admin rights in it.
    #[derive(Debug, Clone)]
    pub struct WorkspaceActor {
        pub user: SignedInUser,
        pub workspace: WorkspaceRef,
        pub role: Role,
        pub credential: Credential,
        pub acting_as: ActingAs,
        /// The workspace's permissions version, when it was read with the actor's
        /// standing; otherwise it is read when their permissions are needed.
        pub permissions_version: Option<i64>,
    }

    impl WorkspaceActor {
        pub fn require(&self, needed: Role) -> Result<(), AppError> {
            require_role(self.role, needed)
        }

        /// What every operation checks first: the role it takes and, for a token, the
        /// scope.
        pub fn authorise(&self, needed: Role, scope: Scope) -> Result<(), AppError> {
            self.require(needed)?;
            self.credential.permits(scope)
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

    /// The caller of a server function, with their state.
    pub fn session_caller() -> Result<(Caller, AppState), AppError> {
        let user = signed_in()?;
        Ok((
            Caller {
                user,
                credential: Credential::Session,
            },
            app_state()?,
        ))
    }

    /// The caller of a server function in the workspace at `slug`, with the state. The
    /// operation it calls checks the role.
    pub async fn session_actor(slug: &str) -> Result<(WorkspaceActor, AppState), AppError> {
        let user = signed_in()?;
        let state = app_state()?;
        let actor = actor_in(&state, user, Credential::Session, slug).await?;
        Ok((actor, state))
    }

    /// `user` acting in the workspace at `slug` through `credential`, if they are an
    /// active member of it or, in their session, a super admin.
    pub async fn actor_in(
        state: &AppState,
        user: SignedInUser,
        credential: Credential,
        slug: &str,
    ) -> Result<WorkspaceActor, AppError> {
        let (workspace, standing) = standing(&state.db, slug, user.id)
            .await?
            .ok_or(AppError::WorkspaceUnavailable)?;
        // A token acts for its owner as the member they are; a super admin's rights in
        // other workspaces are theirs in person.
        let super_admin = user.is_super_admin && credential == Credential::Session;
        let (role, acting_as) = rights_in_workspace(&standing, super_admin)?;
        Ok(WorkspaceActor {
            user,
            workspace,
            role,
            credential,
            acting_as,
            permissions_version: Some(standing.permissions_version),
        })
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
        if actor.acting_as == ActingAs::SuperAdmin {
            // Still a super admin, with an account in use, in a workspace in use.
            let still: Option<i64> = sqlx::query_scalar(
                "SELECT 1 FROM users u, workspaces w
                 WHERE u.id = $1 AND u.is_super_admin = 1 AND u.status <> 'archived'
                   AND w.id = $2 AND w.status = 'active'",
            )
            .bind(actor.user.id)
            .bind(actor.workspace.id)
            .fetch_optional(&mut *tx)
            .await?;
            return match still {
                Some(_) => Ok(tx),
                None => Err(AppError::WorkspaceUnavailable),
            };
        }
        let me: Option<(String, String, String)> = sqlx::query_as(
            "SELECT m.role, m.status, u.status FROM memberships m JOIN users u ON u.id = m.user_id
             WHERE m.workspace_id = $1 AND m.user_id = $2",
        )
        .bind(actor.workspace.id)
        .bind(actor.user.id)
        .fetch_optional(&mut *tx)
        .await?;
        let me = match me {
            Some((role, status, account)) => {
                Some((decode_membership(&role, &status)?, account == "archived"))
            }
            None => None,
        };
        match me {
            Some(((Role::Admin, MembershipStatus::Active), false)) => Ok(tx),
            Some(((_, MembershipStatus::Active), false)) => Err(AppError::AdminRequired),
            _ => Err(AppError::WorkspaceUnavailable),
        }
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
            permissions_version: 0,
        }
    }

    #[test]
    fn super_admins_act_as_admins_in_every_active_workspace() {
        use ActingAs::*;
        let cases = [
            (standing(false, None), Ok((Role::Admin, SuperAdmin))),
            (
                standing(false, Some((Role::EndUser, Active))),
                Ok((Role::Admin, SuperAdmin)),
            ),
            (
                standing(false, Some((Role::Builder, Archived))),
                Ok((Role::Admin, SuperAdmin)),
            ),
            (
                standing(false, Some((Role::Admin, Active))),
                Ok((Role::Admin, Member)),
            ),
            (
                standing(true, Some((Role::Admin, Active))),
                Err(AppError::WorkspaceUnavailable),
            ),
            (standing(true, None), Err(AppError::WorkspaceUnavailable)),
        ];
        for (standing, expected) in cases {
            assert_eq!(
                rights_in_workspace(&standing, true),
                expected,
                "{standing:?}"
            );
        }
        assert_eq!(
            rights_in_workspace(&standing(false, None), false),
            Err(AppError::WorkspaceUnavailable)
        );
        assert_eq!(
            rights_in_workspace(&standing(false, Some((Role::Builder, Active))), false),
            Ok((Role::Builder, Member))
        );
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
    fn scim_tokens_reach_members_and_groups_only() {
        let scim = Credential::ScimToken { id: 1 };
        for scope in [
            Scope::MembersRead,
            Scope::MembersWrite,
            Scope::GroupsRead,
            Scope::GroupsWrite,
        ] {
            assert_eq!(scim.permits(scope), Ok(()), "{scope:?}");
        }
        for scope in [
            Scope::ResourcesRead,
            Scope::ResourcesWrite,
            Scope::AuditRead,
            Scope::InstanceRead,
        ] {
            assert!(scim.permits(scope).is_err(), "{scope:?}");
        }
    }

    #[test]
    fn tokens_need_the_scope_sessions_do_not() {
        let token = Credential::AccessToken {
            id: 1,
            scopes: vec![Scope::MembersWrite, Scope::AuditRead],
        };
        assert_eq!(token.permits(Scope::MembersWrite), Ok(()));
        assert_eq!(
            token.permits(Scope::MembersRead),
            Ok(()),
            "write includes read"
        );
        assert_eq!(token.permits(Scope::AuditRead), Ok(()));
        assert_eq!(
            token.permits(Scope::GroupsRead),
            Err(AppError::ScopeMissing {
                scope: "groups:read".into()
            })
        );
        let reader = Credential::AccessToken {
            id: 2,
            scopes: vec![Scope::GroupsRead],
        };
        assert!(
            reader.permits(Scope::GroupsWrite).is_err(),
            "read never includes write"
        );
        for scope in Scope::ALL {
            assert_eq!(Credential::Session.permits(scope), Ok(()));
            assert_eq!(Scope::from_key(scope.key()), Some(scope));
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
