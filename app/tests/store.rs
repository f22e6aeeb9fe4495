//! The store on SQLite and PostgreSQL: every test runs once on each backend.

use std::time::Duration;

use app::access::standing;
use app::auth::{passwords, session, throttle};
use app::config::{BootstrapAdmin, SignInLimits};
use app::db::Db;
use app::db::testing::on_each_backend;
use app::error::AppError;
use app::memberships::{MembershipStatus, Role};
use app::setup::FirstAdmin;
use app::setup::store::{Bootstrap, is_set_up, set_up, set_up_from_config};
use app::tokens::SecretToken;
use app::users::store::{NewUser, find_credentials, insert as insert_user};
use app::workspaces::store::{
    active_workspaces, add_member, create_with_admin, landing_slug, set_default,
};

fn ada() -> FirstAdmin {
    FirstAdmin {
        full_name: "Ada Lovelace".into(),
        email: "ada@example.com".into(),
        workspace_name: "Acme Corp".into(),
    }
}

/// An admin as `GATEHOUSE_ADMIN_*` would configure it, for the workspace "Platform".
fn bootstrap_admin(email: &str, password: &str) -> BootstrapAdmin {
    BootstrapAdmin {
        email: email.into(),
        password: password.to_string().into(),
        full_name: "Operations".into(),
        workspace_name: "Platform".into(),
    }
}

async fn count(db: &Db, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(db)
        .await
        .unwrap()
}

async fn add_user(db: &Db, email: &str) -> i64 {
    let mut conn = db.acquire().await.unwrap();
    insert_user(
        &mut conn,
        NewUser {
            email,
            full_name: "Someone",
            password_hash: None,
            is_super_admin: false,
            default_workspace_id: None,
        },
    )
    .await
    .unwrap()
}

async fn add_workspace(db: &Db, name: &str, admin: i64) -> app::access::WorkspaceRef {
    let mut tx = db.begin().await.unwrap();
    let workspace = create_with_admin(&mut tx, name, admin).await.unwrap();
    tx.commit().await.unwrap();
    workspace
}

#[tokio::test]
async fn set_up_creates_a_super_admin_who_is_admin_of_the_first_workspace() {
    on_each_backend(|db| async move {
        assert!(!is_set_up(&db).await.unwrap());
        let created = set_up(&db, &ada(), "analytical engine".into())
            .await
            .unwrap();
        assert!(is_set_up(&db).await.unwrap());
        assert_eq!(created.workspace_slug, "acme-corp");

        let credentials = find_credentials(&db, "ada@example.com")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(credentials.id, created.user_id);
        assert!(!credentials.archived);
        assert!(passwords::verify("analytical engine".into(), credentials.password_hash).await);

        let super_admin: i64 = sqlx::query_scalar("SELECT is_super_admin FROM users WHERE id = $1")
            .bind(created.user_id)
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(super_admin, 1);
        let workspaces = active_workspaces(&db, created.user_id).await.unwrap();
        assert_eq!(workspaces.len(), 1);
        assert_eq!(workspaces[0].name, "Acme Corp");
        assert_eq!(workspaces[0].role, Role::Admin);
        assert_eq!(
            landing_slug(&db, created.user_id).await.unwrap().as_deref(),
            Some("acme-corp")
        );
        // The first workspace is created like every later one: in the audit trail, by
        // the person setting up (the chaos harness found every member but this one had
        // the event that made them a member).
        let created_by: Vec<(Option<i64>, String)> = sqlx::query_as(
            "SELECT actor_user_id, detail FROM audit_events WHERE action = 'workspace.created'",
        )
        .fetch_all(&db)
        .await
        .unwrap();
        assert_eq!(
            created_by,
            vec![(Some(created.user_id), "acme-corp".to_string())]
        );
    })
    .await;
}

#[tokio::test]
async fn a_second_set_up_is_refused_and_changes_nothing() {
    on_each_backend(|db| async move {
        set_up(&db, &ada(), "analytical engine".into())
            .await
            .unwrap();
        let intruder = FirstAdmin {
            full_name: "Mallory".into(),
            email: "mallory@example.com".into(),
            workspace_name: "Takeover".into(),
        };
        let refused = set_up(&db, &intruder, "password123".into()).await;
        assert_eq!(refused.err(), Some(AppError::AlreadySetUp));
        assert_eq!(count(&db, "users").await, 1);
        assert_eq!(count(&db, "workspaces").await, 1);
        assert_eq!(count(&db, "memberships").await, 1);
    })
    .await;
}

#[tokio::test]
async fn of_concurrent_set_ups_exactly_one_succeeds() {
    on_each_backend(|db| async move {
        let attempts = (0..4).map(|n| {
            let db = db.clone();
            tokio::spawn(async move {
                let admin = FirstAdmin {
                    full_name: format!("Admin {n}"),
                    email: format!("admin{n}@example.com"),
                    workspace_name: format!("Workspace {n}"),
                };
                set_up(&db, &admin, "password123".into()).await
            })
        });
        let mut succeeded = 0;
        for attempt in attempts {
            match attempt.await.unwrap() {
                Ok(_) => succeeded += 1,
                Err(error) => assert_eq!(error, AppError::AlreadySetUp),
            }
        }
        assert_eq!(succeeded, 1);
        assert_eq!(count(&db, "users").await, 1);
        assert_eq!(count(&db, "workspaces").await, 1);
    })
    .await;
}

#[tokio::test]
async fn the_configured_admin_is_created_once() {
    on_each_backend(|db| async move {
        let admin = bootstrap_admin("Ops@Example.com", "automation-secret");
        assert_eq!(
            set_up_from_config(&db, &admin).await,
            Ok(Bootstrap::Created {
                workspace_slug: "platform".into()
            })
        );
        assert_eq!(
            set_up_from_config(&db, &admin).await,
            Ok(Bootstrap::AlreadySetUp)
        );
        assert!(
            find_credentials(&db, "ops@example.com")
                .await
                .unwrap()
                .is_some()
        );
        assert_eq!(count(&db, "users").await, 1);
    })
    .await;
}

#[tokio::test]
async fn an_invalid_configured_admin_writes_nothing() {
    on_each_backend(|db| async move {
        let admin = bootstrap_admin("not an email", "automation-secret");
        assert_eq!(
            set_up_from_config(&db, &admin).await,
            Err(AppError::InvalidEmail)
        );
        assert!(!is_set_up(&db).await.unwrap());
        assert_eq!(count(&db, "users").await, 0);
    })
    .await;
}

#[tokio::test]
async fn once_set_up_the_configured_admin_is_ignored_even_if_invalid() {
    on_each_backend(|db| async move {
        set_up(&db, &ada(), "analytical engine".into())
            .await
            .unwrap();
        let stale = bootstrap_admin("not an email", "short");
        assert_eq!(
            set_up_from_config(&db, &stale).await,
            Ok(Bootstrap::AlreadySetUp)
        );
    })
    .await;
}

#[tokio::test]
async fn a_session_resolves_to_its_user_until_it_ends() {
    on_each_backend(|db| async move {
        let created = set_up(&db, &ada(), "analytical engine".into())
            .await
            .unwrap();
        let token = session::start(&db, created.user_id, Duration::from_secs(3600))
            .await
            .unwrap();
        let user = session::resolve(&db, &token).await.unwrap().unwrap();
        assert_eq!(user.id, created.user_id);
        assert_eq!(user.email, "ada@example.com");
        assert!(user.is_super_admin);

        let stored: String = sqlx::query_scalar("SELECT token_hash FROM sessions")
            .fetch_one(&db)
            .await
            .unwrap();
        assert_ne!(stored, token.expose(), "only the hash is stored");

        session::end(&db, &token).await.unwrap();
        assert_eq!(session::resolve(&db, &token).await.unwrap(), None);
    })
    .await;
}

#[tokio::test]
async fn unknown_expired_and_archived_sessions_resolve_to_nobody() {
    on_each_backend(|db| async move {
        let created = set_up(&db, &ada(), "analytical engine".into())
            .await
            .unwrap();
        let unknown = SecretToken::generate().unwrap();
        assert_eq!(session::resolve(&db, &unknown).await.unwrap(), None);

        let expired = session::start(&db, created.user_id, Duration::from_secs(3600))
            .await
            .unwrap();
        sqlx::query("UPDATE sessions SET expires_at = 0")
            .execute(&db)
            .await
            .unwrap();
        assert_eq!(session::resolve(&db, &expired).await.unwrap(), None);

        let live = session::start(&db, created.user_id, Duration::from_secs(3600))
            .await
            .unwrap();
        assert_eq!(
            count(&db, "sessions").await,
            1,
            "starting a session sweeps expired ones"
        );
        sqlx::query("UPDATE users SET status = 'archived'")
            .execute(&db)
            .await
            .unwrap();
        assert_eq!(session::resolve(&db, &live).await.unwrap(), None);
    })
    .await;
}

#[tokio::test]
async fn sign_in_attempts_are_limited_per_email_and_address_and_per_address() {
    on_each_backend(|db| async move {
        let limits = SignInLimits {
            per_email_and_address: 3,
            per_address: 5,
        };
        let refused = Err(AppError::TooManySignInAttempts { minutes: 15 });
        for _ in 0..3 {
            assert_eq!(
                throttle::attempt(&db, limits, "ada@example.com", "10.0.0.1").await,
                Ok(())
            );
        }
        assert_eq!(
            throttle::attempt(&db, limits, "ada@example.com", "10.0.0.1").await,
            refused
        );
        // The same email from another address has attempts of its own…
        assert_eq!(
            throttle::attempt(&db, limits, "ada@example.com", "10.0.0.2").await,
            Ok(())
        );
        // …and the first address has some left for other emails, until its own limit.
        assert_eq!(
            throttle::attempt(&db, limits, "bob@example.com", "10.0.0.1").await,
            Ok(())
        );
        assert_eq!(
            throttle::attempt(&db, limits, "carol@example.com", "10.0.0.1").await,
            Ok(())
        );
        assert_eq!(
            throttle::attempt(&db, limits, "dave@example.com", "10.0.0.1").await,
            refused
        );
        assert_eq!(
            count(&db, "sign_in_attempts").await,
            6,
            "refused attempts are not kept"
        );

        throttle::forgive(&db, "ada@example.com", "10.0.0.1")
            .await
            .unwrap();
        assert_eq!(
            count(&db, "sign_in_attempts").await,
            3,
            "only that email's attempts from that address are forgiven"
        );
    })
    .await;
}

#[tokio::test]
async fn attempts_older_than_the_window_no_longer_count() {
    on_each_backend(|db| async move {
        let limits = SignInLimits {
            per_email_and_address: 1,
            per_address: 100,
        };
        throttle::attempt(&db, limits, "ada@example.com", "10.0.0.1")
            .await
            .unwrap();
        sqlx::query("UPDATE sign_in_attempts SET attempted_at = $1")
            .bind(app::db::now() - SignInLimits::WINDOW.as_secs() as i64 - 1)
            .execute(&db)
            .await
            .unwrap();
        assert_eq!(
            throttle::attempt(&db, limits, "ada@example.com", "10.0.0.1").await,
            Ok(())
        );
        assert_eq!(
            count(&db, "sign_in_attempts").await,
            1,
            "old attempts are swept"
        );
    })
    .await;
}

#[tokio::test]
async fn new_workspaces_take_the_next_free_slug() {
    on_each_backend(|db| async move {
        let created = set_up(&db, &ada(), "analytical engine".into())
            .await
            .unwrap();
        let second = add_workspace(&db, "Acme Corp", created.user_id).await;
        let third = add_workspace(&db, "ACME corp!", created.user_id).await;
        let reserved = add_workspace(&db, "Settings", created.user_id).await;
        assert_eq!(second.slug, "acme-corp-2");
        assert_eq!(third.slug, "acme-corp-3");
        assert_eq!(reserved.slug, "settings-2");
    })
    .await;
}

#[tokio::test]
async fn only_active_memberships_of_active_workspaces_are_listed() {
    on_each_backend(|db| async move {
        let owner = set_up(&db, &ada(), "analytical engine".into())
            .await
            .unwrap()
            .user_id;
        let bob = add_user(&db, "bob@example.com").await;
        let zeta = add_workspace(&db, "Zeta", owner).await;
        let beta = add_workspace(&db, "beta", owner).await;
        let invited = add_workspace(&db, "Invited here", owner).await;
        let archived_membership = add_workspace(&db, "Left", owner).await;
        let archived_workspace = add_workspace(&db, "Closed", owner).await;
        let mut conn = db.acquire().await.unwrap();
        add_member(
            &mut conn,
            zeta.id,
            bob,
            Role::Builder,
            MembershipStatus::Active,
        )
        .await
        .unwrap();
        add_member(
            &mut conn,
            beta.id,
            bob,
            Role::EndUser,
            MembershipStatus::Active,
        )
        .await
        .unwrap();
        add_member(
            &mut conn,
            invited.id,
            bob,
            Role::Admin,
            MembershipStatus::Invited,
        )
        .await
        .unwrap();
        add_member(
            &mut conn,
            archived_membership.id,
            bob,
            Role::Admin,
            MembershipStatus::Archived,
        )
        .await
        .unwrap();
        add_member(
            &mut conn,
            archived_workspace.id,
            bob,
            Role::Admin,
            MembershipStatus::Active,
        )
        .await
        .unwrap();
        drop(conn);
        sqlx::query("UPDATE workspaces SET status = 'archived' WHERE id = $1")
            .bind(archived_workspace.id)
            .execute(&db)
            .await
            .unwrap();

        let listed: Vec<(String, Role)> = active_workspaces(&db, bob)
            .await
            .unwrap()
            .into_iter()
            .map(|workspace| (workspace.name, workspace.role))
            .collect();
        assert_eq!(
            listed,
            [
                ("beta".to_string(), Role::EndUser),
                ("Zeta".to_string(), Role::Builder)
            ]
        );

        let (_, standing_in_invited) = standing(&db, &invited.slug, bob).await.unwrap().unwrap();
        assert_eq!(
            standing_in_invited.membership,
            Some((Role::Admin, MembershipStatus::Invited))
        );
        let (_, standing_in_closed) = standing(&db, &archived_workspace.slug, bob)
            .await
            .unwrap()
            .unwrap();
        assert!(standing_in_closed.workspace_archived);
        assert!(standing(&db, "nowhere", bob).await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn users_land_in_their_default_workspace_while_they_may_enter_it() {
    on_each_backend(|db| async move {
        let owner = set_up(&db, &ada(), "analytical engine".into())
            .await
            .unwrap()
            .user_id;
        let bob = add_user(&db, "bob@example.com").await;
        assert_eq!(landing_slug(&db, bob).await.unwrap(), None);

        let alpha = add_workspace(&db, "Alpha", owner).await;
        let omega = add_workspace(&db, "Omega", owner).await;
        let mut conn = db.acquire().await.unwrap();
        add_member(
            &mut conn,
            alpha.id,
            bob,
            Role::Builder,
            MembershipStatus::Active,
        )
        .await
        .unwrap();
        add_member(
            &mut conn,
            omega.id,
            bob,
            Role::Builder,
            MembershipStatus::Active,
        )
        .await
        .unwrap();
        drop(conn);
        assert_eq!(
            landing_slug(&db, bob).await.unwrap().as_deref(),
            Some("alpha")
        );

        set_default(&db, bob, omega.id).await.unwrap();
        assert_eq!(
            landing_slug(&db, bob).await.unwrap().as_deref(),
            Some("omega")
        );

        sqlx::query(
            "UPDATE memberships SET status = 'archived' WHERE workspace_id = $1 AND user_id = $2",
        )
        .bind(omega.id)
        .bind(bob)
        .execute(&db)
        .await
        .unwrap();
        assert_eq!(
            landing_slug(&db, bob).await.unwrap().as_deref(),
            Some("alpha")
        );
    })
    .await;
}

#[tokio::test]
async fn a_membership_needs_a_known_role_and_status_and_one_row_per_workspace() {
    on_each_backend(|db| async move {
        let owner = set_up(&db, &ada(), "analytical engine".into()).await.unwrap().user_id;
        let workspace_id: i64 = sqlx::query_scalar("SELECT id FROM workspaces")
            .fetch_one(&db)
            .await
            .unwrap();
        let newcomer = add_user(&db, "newcomer@example.com").await;
        let insert = |user_id: i64, role: &'static str, status: &'static str| {
            sqlx::query(
                "INSERT INTO memberships (workspace_id, user_id, role, status, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, 0, 0)",
            )
            .bind(workspace_id)
            .bind(user_id)
            .bind(role)
            .bind(status)
            .execute(&db)
        };
        let unknown_role = insert(newcomer, "owner", "active").await.unwrap_err();
        assert!(!app::db::is_unique_violation(&unknown_role), "refused by the role check");
        let unknown_status = insert(newcomer, "builder", "verified").await.unwrap_err();
        assert!(!app::db::is_unique_violation(&unknown_status), "refused by the status check");
        assert_eq!(count(&db, "memberships").await, 1);
        let duplicate = insert(owner, "builder", "active").await.unwrap_err();
        assert!(app::db::is_unique_violation(&duplicate), "one membership per workspace");
        insert(newcomer, "builder", "active").await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn emails_are_stored_lower_case_only() {
    on_each_backend(|db| async move {
        let refused = sqlx::query(
            "INSERT INTO users (email, full_name, created_at, updated_at) VALUES ('Ada@Example.com', 'Ada', 0, 0)",
        )
        .execute(&db)
        .await;
        assert!(refused.is_err());
    })
    .await;
}

#[tokio::test]
async fn member_counts_follow_every_insert_status_change_and_delete() {
    on_each_backend(|db| async move {
        let owner = set_up(&db, &ada(), "analytical engine".into())
            .await
            .unwrap()
            .user_id;
        let acme = add_workspace(&db, "Counted", owner).await;
        let mut ids = Vec::new();
        for n in 0..5 {
            let id = add_user(&db, &format!("member{n}@example.com")).await;
            let mut conn = db.acquire().await.unwrap();
            add_member(
                &mut conn,
                acme.id,
                id,
                Role::EndUser,
                MembershipStatus::Invited,
            )
            .await
            .unwrap();
            ids.push(id);
        }
        sqlx::query("UPDATE memberships SET status = 'active' WHERE user_id IN ($1, $2)")
            .bind(ids[0])
            .bind(ids[1])
            .execute(&db)
            .await
            .unwrap();
        sqlx::query("DELETE FROM memberships WHERE user_id = $1")
            .bind(ids[2])
            .execute(&db)
            .await
            .unwrap();
        let kept: Vec<(String, i64)> = sqlx::query_as(
            "SELECT status, members FROM member_counts WHERE workspace_id = $1 AND members > 0
             ORDER BY status",
        )
        .bind(acme.id)
        .fetch_all(&db)
        .await
        .unwrap();
        let counted: Vec<(String, i64)> = sqlx::query_as(
            "SELECT status, COUNT(*) FROM memberships WHERE workspace_id = $1
             GROUP BY status ORDER BY status",
        )
        .bind(acme.id)
        .fetch_all(&db)
        .await
        .unwrap();
        assert_eq!(kept, counted);
        assert_eq!(
            kept,
            [("active".to_string(), 3), ("invited".to_string(), 2)],
            "the owner and two activated members are active"
        );
    })
    .await;
}

#[tokio::test]
async fn rotation_reseals_every_value_under_the_new_key_and_keeps_it() {
    use app::metadata::crypto::Keyring;
    use app::metadata::store::{load, replace, rotate};
    use std::collections::BTreeMap;

    const OLD: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    const NEW: &str = "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100";
    on_each_backend(|db| async move {
        let owner = set_up(&db, &ada(), "analytical engine".into())
            .await
            .unwrap()
            .user_id;
        let acme = add_workspace(&db, "Sealed", owner).await;
        let old_keys = Keyring::from_keys(&OLD.into(), &[]).unwrap();
        let mut expected = Vec::new();
        for n in 0..7 {
            let id = add_user(&db, &format!("sealed{n}@example.com")).await;
            let mut conn = db.acquire().await.unwrap();
            add_member(
                &mut conn,
                acme.id,
                id,
                Role::Builder,
                MembershipStatus::Active,
            )
            .await
            .unwrap();
            let values: BTreeMap<String, String> = (0..3)
                .map(|k| (format!("key{k}"), format!("value {n}/{k}")))
                .collect();
            replace(&mut conn, &old_keys, acme.id, id, &BTreeMap::new(), &values)
                .await
                .unwrap();
            expected.push((id, values));
        }

        let new_keys = Keyring::from_keys(&NEW.into(), &[OLD.into()]).unwrap();
        let rotation = rotate(&db, &new_keys, &|_| {}).await.unwrap();
        assert_eq!(rotation.resealed, 21);
        let key_ids: Vec<String> =
            sqlx::query_scalar("SELECT DISTINCT key_id FROM member_metadata")
                .fetch_all(&db)
                .await
                .unwrap();
        assert_eq!(key_ids, [new_keys.current_key_id()]);
        let only_new = Keyring::from_keys(&NEW.into(), &[]).unwrap();
        let mut conn = db.acquire().await.unwrap();
        for (id, values) in expected {
            assert_eq!(
                load(&mut conn, &only_new, acme.id, id).await.unwrap(),
                values
            );
        }
        drop(conn);
        assert_eq!(
            rotate(&db, &new_keys, &|_| {}).await.unwrap().resealed,
            0,
            "nothing left to do"
        );
    })
    .await;
}

#[tokio::test]
async fn the_audit_trail_cannot_be_rewritten() {
    on_each_backend(|db| async move {
        sqlx::query(
            "INSERT INTO audit_events (occurred_at, action, detail) VALUES (1, 'member.invited', '')",
        )
        .execute(&db)
        .await
        .unwrap();
        assert!(sqlx::query("UPDATE audit_events SET detail = 'changed'").execute(&db).await.is_err());
        assert!(sqlx::query("DELETE FROM audit_events").execute(&db).await.is_err());
        assert_eq!(count(&db, "audit_events").await, 1);
    })
    .await;
}

#[tokio::test]
async fn rotation_reseals_constants_and_data_source_configurations_too() {
    use app::metadata::crypto::Keyring;
    use app::metadata::store::{replace, rotate};
    use app::permissions::ResourceKind;
    use app::resources::store::{NewResource, binding, find, insert, open_secret, set_secret};
    use std::collections::BTreeMap;

    const OLD: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    const NEW: &str = "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100";
    on_each_backend(|db| async move {
        let owner = set_up(&db, &ada(), "analytical engine".into())
            .await
            .unwrap()
            .user_id;
        let workspace = add_workspace(&db, "Sealed", owner).await;
        let old_keys = Keyring::from_keys(&OLD.into(), &[]).unwrap();
        let mut conn = db.acquire().await.unwrap();
        let mut secrets = Vec::new();
        for (kind, name, value) in [
            (ResourceKind::Constant, "API_KEY", "sk-live-1"),
            (ResourceKind::Constant, "DB_URL", "postgres://app@db/app"),
            (
                ResourceKind::DataSource,
                "Reporting",
                "host=db password=hunter2",
            ),
        ] {
            let id = insert(
                &mut conn,
                NewResource {
                    workspace_id: workspace.id,
                    kind,
                    name,
                    folder_id: None,
                    owner_user_id: None,
                    body: if kind == ResourceKind::DataSource {
                        "postgresql"
                    } else {
                        ""
                    },
                },
            )
            .await
            .unwrap();
            set_secret(&mut conn, &old_keys, binding(workspace.id, id, kind), value)
                .await
                .unwrap();
            secrets.push((kind, id, value));
        }
        // An app has no secret, and a metadata value rotates alongside.
        insert(
            &mut conn,
            NewResource {
                workspace_id: workspace.id,
                kind: ResourceKind::App,
                name: "Billing",
                folder_id: None,
                owner_user_id: Some(owner),
                body: "{{constants.API_KEY}}",
            },
        )
        .await
        .unwrap();
        let metadata: BTreeMap<String, String> = [("region".to_string(), "eu".to_string())].into();
        replace(
            &mut conn,
            &old_keys,
            workspace.id,
            owner,
            &BTreeMap::new(),
            &metadata,
        )
        .await
        .unwrap();
        drop(conn);

        let new_keys = Keyring::from_keys(&NEW.into(), &[OLD.into()]).unwrap();
        let rotation = rotate(&db, &new_keys, &|_| {}).await.unwrap();
        assert_eq!(rotation.resealed, 4);
        assert_eq!(rotation.resource_secrets, 3);
        let key_ids: Vec<Option<String>> =
            sqlx::query_scalar("SELECT DISTINCT key_id FROM resources WHERE kind <> 'app'")
                .fetch_all(&db)
                .await
                .unwrap();
        assert_eq!(key_ids, [Some(new_keys.current_key_id())]);

        let only_new = Keyring::from_keys(&NEW.into(), &[]).unwrap();
        let mut conn = db.acquire().await.unwrap();
        for (kind, id, value) in &secrets {
            let resource = find(&mut conn, workspace.id, *kind, *id)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(open_secret(&only_new, &resource).unwrap(), *value);
        }
        drop(conn);
        assert_eq!(
            rotate(&db, &new_keys, &|_| {}).await.unwrap().resealed,
            0,
            "nothing left to do"
        );

        // A ciphertext copied onto another constant doesn't open there.
        let (_, api_key, _) = secrets[0];
        let (_, db_url, _) = secrets[1];
        sqlx::query(
            "UPDATE resources SET ciphertext = (SELECT ciphertext FROM resources WHERE id = $1)
             WHERE id = $2",
        )
        .bind(api_key)
        .bind(db_url)
        .execute(&db)
        .await
        .unwrap();
        let mut conn = db.acquire().await.unwrap();
        let moved = find(&mut conn, workspace.id, ResourceKind::Constant, db_url)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(open_secret(&only_new, &moved), Err(AppError::Internal));
    })
    .await;
}

#[tokio::test]
async fn every_seal_counts_toward_its_master_key_in_the_database() {
    use app::db::testing::test_keyring;
    use app::metadata::crypto::Binding;
    use app::metadata::store::{KeyUsage, count_key_usage};
    on_each_backend(|db| async move {
        // Two server instances with the same key add up.
        let (first, second) = (test_keyring(), test_keyring());
        let value = |key| Binding {
            workspace_id: 1,
            user_id: 1,
            key,
        };
        first.seal(value("a"), "1").unwrap();
        first
            .seal_many(&[(value("b"), "2"), (value("c"), "3")])
            .unwrap();
        let counted = |encryptions| {
            vec![KeyUsage {
                key_id: first.current_key_id(),
                encryptions,
            }]
        };
        assert_eq!(count_key_usage(&db, &first).await.unwrap(), counted(3));
        second.seal(value("d"), "4").unwrap();
        assert_eq!(count_key_usage(&db, &second).await.unwrap(), counted(4));
        assert_eq!(
            count_key_usage(&db, &first).await.unwrap(),
            counted(4),
            "nothing is counted twice"
        );
    })
    .await;
}

/// An identity provider's settings, as the provider tests store them.
fn okta_settings() -> app::single_sign_on::rules::ProviderSettings {
    app::single_sign_on::rules::ProviderSettings {
        display_name: "Okta".into(),
        issuer_url: "https://acme.okta.com".into(),
        client_id: "0oa1".into(),
        client_secret: None,
        scopes: vec!["openid".into()],
        email_claim: "email".into(),
        groups_claim: "groups".into(),
        groups_source: app::single_sign_on::GroupsSource::IdToken,
        allowed_domains: vec![],
    }
}

#[tokio::test]
async fn a_rotation_reseals_identity_providers_client_secrets() {
    use app::metadata::crypto::Keyring;
    use app::metadata::store::rotate;
    use app::single_sign_on::store::{insert_provider, provider};
    const OLD: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    const NEW: &str = "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100";

    on_each_backend(|db| async move {
        let old_keys = Keyring::from_keys(&OLD.into(), &[]).unwrap();
        let settings = okta_settings();
        let mut conn = db.acquire().await.unwrap();
        let id = insert_provider(&mut conn, &old_keys, "okta", &settings, "client-secret")
            .await
            .unwrap();
        drop(conn);

        let new_keys = Keyring::from_keys(&NEW.into(), &[OLD.into()]).unwrap();
        assert_eq!(rotate(&db, &new_keys, &|_| {}).await.unwrap().resealed, 1);
        let only_new = Keyring::from_keys(&NEW.into(), &[]).unwrap();
        let mut conn = db.acquire().await.unwrap();
        let stored = provider(&mut conn, id).await.unwrap().unwrap();
        assert_eq!(stored.client_secret_key_id, new_keys.current_key_id());
        assert_eq!(stored.open_secret(&only_new).unwrap(), "client-secret");
        assert!(!stored.client_secret.contains("client-secret"));
        drop(conn);
        assert_eq!(rotate(&db, &new_keys, &|_| {}).await.unwrap().resealed, 0);
    })
    .await;
}

#[tokio::test]
async fn a_rotation_reports_its_progress_through_each_kind_up_to_its_total() {
    use app::mail::Mail;
    use app::mail::store::enqueue_many;
    use app::metadata::crypto::Keyring;
    use app::metadata::store::{RotationProgress, SealedKind, replace, rotate};
    use app::permissions::ResourceKind;
    use app::provisioning::store::store_document;
    use app::resources::store::{NewResource, binding, insert, set_secret};
    use app::single_sign_on::store::insert_provider;
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    const OLD: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    const NEW: &str = "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100";
    // One more metadata value than a batch holds, so that the metadata pass reports twice.
    const METADATA_VALUES: u64 = 501;
    on_each_backend(|db| async move {
        let owner = set_up(&db, &ada(), "analytical engine".into())
            .await
            .unwrap()
            .user_id;
        let workspace = add_workspace(&db, "Sealed", owner).await;
        let old_keys = Keyring::from_keys(&OLD.into(), &[]).unwrap();

        let values: BTreeMap<String, String> = (0..METADATA_VALUES)
            .map(|n| (format!("key{n:03}"), format!("value {n}")))
            .collect();
        let mut tx = db.begin().await.unwrap();
        replace(
            &mut tx,
            &old_keys,
            workspace.id,
            owner,
            &BTreeMap::new(),
            &values,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let mut conn = db.acquire().await.unwrap();
        for name in ["API_KEY", "DB_URL"] {
            let kind = ResourceKind::Constant;
            let id = insert(
                &mut conn,
                NewResource {
                    workspace_id: workspace.id,
                    kind,
                    name,
                    folder_id: None,
                    owner_user_id: None,
                    body: "",
                },
            )
            .await
            .unwrap();
            set_secret(
                &mut conn,
                &old_keys,
                binding(workspace.id, id, kind),
                "secret",
            )
            .await
            .unwrap();
        }
        let document = serde_json::json!({"userName": "ada"});
        store_document(&mut conn, &old_keys, workspace.id, owner, &document)
            .await
            .unwrap();
        let settings = okta_settings();
        insert_provider(&mut conn, &old_keys, "okta", &settings, "client-secret")
            .await
            .unwrap();
        drop(conn);
        let mail = Mail {
            to: "grace@example.com".into(),
            subject: "Invitation".into(),
            body: "https://gatehouse.example/invitations/secret".into(),
        };
        enqueue_many(&db, &old_keys, &[mail], false).await.unwrap();

        let new_keys = Keyring::from_keys(&NEW.into(), &[OLD.into()]).unwrap();
        let reports = Mutex::new(Vec::<RotationProgress>::new());
        let rotation = rotate(&db, &new_keys, &|progress| {
            reports.lock().unwrap().push(progress)
        })
        .await
        .unwrap();
        let reports = reports.into_inner().unwrap();

        let mut kinds: Vec<SealedKind> = reports.iter().map(|report| report.kind).collect();
        kinds.dedup();
        assert_eq!(kinds, SealedKind::ALL, "every kind, once, in order");
        let expected_totals = [
            (SealedKind::MetadataValues, METADATA_VALUES),
            (SealedKind::ResourceSecrets, 2),
            (SealedKind::MailBodies, 1),
            (SealedKind::ScimDocuments, 1),
            (SealedKind::ClientSecrets, 1),
        ];
        for (kind, total) in expected_totals {
            let of_kind: Vec<(u64, u64)> = reports
                .iter()
                .filter(|report| report.kind == kind)
                .map(|report| (report.done, report.total))
                .collect();
            assert_eq!(of_kind.first(), Some(&(0, total)), "{kind:?} starts at 0");
            assert_eq!(
                of_kind.last(),
                Some(&(total, total)),
                "{kind:?} ends at its total"
            );
            assert!(
                of_kind.windows(2).all(|pair| pair[0].0 < pair[1].0),
                "{kind:?} only moves forward: {of_kind:?}"
            );
            assert!(of_kind.iter().all(|&(_, reported)| reported == total));
            assert_eq!(rotation.resealed_of(kind), total, "{kind:?} resealed");
        }
        let metadata_steps: Vec<u64> = reports
            .iter()
            .filter(|report| report.kind == SealedKind::MetadataValues)
            .map(|report| report.done)
            .collect();
        assert_eq!(
            metadata_steps,
            [0, 500, METADATA_VALUES],
            "after each batch"
        );
        assert_eq!(rotation.resealed, METADATA_VALUES + 5);

        // Nothing left: each kind still reports, once, with nothing to do.
        let again = Mutex::new(Vec::<RotationProgress>::new());
        rotate(&db, &new_keys, &|progress| {
            again.lock().unwrap().push(progress)
        })
        .await
        .unwrap();
        let again = again.into_inner().unwrap();
        assert_eq!(again.len(), SealedKind::ALL.len());
        assert!(
            again
                .iter()
                .all(|report| report.done == 0 && report.total == 0)
        );
    })
    .await;
}
