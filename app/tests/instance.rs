//! The instance's Total users and Builders counts, kept by triggers, on SQLite and
//! PostgreSQL: after every kind of change they equal a count made from scratch.

use app::db::Db;
use app::db::testing::on_each_backend;
use app::instance::UserCounts;
use app::instance::store::{archive_everywhere, counts};
use app::memberships::{MembershipStatus, Role};
use app::users::store::{NewUser, insert as insert_user};
use app::workspaces::store::{add_member, create_with_admin};

async fn user(db: &Db, email: &str) -> i64 {
    let mut conn = db.acquire().await.unwrap();
    insert_user(
        &mut conn,
        NewUser {
            email,
            full_name: email,
            password_hash: None,
            is_super_admin: false,
            default_workspace_id: None,
        },
    )
    .await
    .unwrap()
}

async fn membership(
    db: &Db,
    workspace_id: i64,
    user_id: i64,
    role: Role,
    status: MembershipStatus,
) {
    let mut conn = db.acquire().await.unwrap();
    add_member(&mut conn, workspace_id, user_id, role, status)
        .await
        .unwrap();
}

async fn run(db: &Db, sql: &str, binds: &[i64]) {
    let mut query = sqlx::query(sql);
    for bind in binds {
        query = query.bind(*bind);
    }
    query.execute(db).await.unwrap();
}

/// The counts by their definition, from every membership.
async fn recount(db: &Db) -> UserCounts {
    let live = "FROM memberships m JOIN workspaces w ON w.id = m.workspace_id
                WHERE m.status <> 'archived' AND w.status = 'active'";
    let total_users = sqlx::query_scalar(&format!("SELECT COUNT(DISTINCT m.user_id) {live}"))
        .fetch_one(db)
        .await
        .unwrap();
    let builders = sqlx::query_scalar(&format!(
        "SELECT COUNT(DISTINCT m.user_id) {live} AND m.role <> 'end-user'"
    ))
    .fetch_one(db)
    .await
    .unwrap();
    UserCounts {
        total_users,
        builders,
    }
}

#[track_caller]
fn expect(total_users: i64, builders: i64) -> UserCounts {
    UserCounts {
        total_users,
        builders,
    }
}

async fn assert_counts(db: &Db, expected: UserCounts, after: &str) {
    assert_eq!(
        counts(db).await.unwrap(),
        expected,
        "kept counts after {after}"
    );
    assert_eq!(recount(db).await, expected, "recount after {after}");
}

#[tokio::test]
async fn counts_follow_every_change_to_memberships_workspaces_and_users() {
    on_each_backend(|db| async move {
        use MembershipStatus::*;
        let ada = user(&db, "ada@example.com").await;
        let bo = user(&db, "bo@example.com").await;
        let cy = user(&db, "cy@example.com").await;
        let di = user(&db, "di@example.com").await;
        let ed = user(&db, "ed@example.com").await;
        let fay = user(&db, "fay@example.com").await;
        assert_counts(&db, expect(0, 0), "adding users without memberships").await;

        let mut conn = db.acquire().await.unwrap();
        let alpha = create_with_admin(&mut conn, "Alpha", ada).await.unwrap().id;
        let beta = create_with_admin(&mut conn, "Beta", fay).await.unwrap().id;
        drop(conn);
        // Bo builds in Alpha and only uses Beta; Cy is invited; Di's membership is
        // archived; Ed belongs nowhere.
        membership(&db, alpha, bo, Role::Builder, Active).await;
        membership(&db, beta, bo, Role::EndUser, Active).await;
        membership(&db, alpha, cy, Role::EndUser, Invited).await;
        membership(&db, beta, di, Role::Builder, Archived).await;
        let _ = ed;
        assert_counts(&db, expect(4, 3), "the memberships").await;

        let set_role = "UPDATE memberships SET role = $1 WHERE workspace_id = $2 AND user_id = $3";
        sqlx::query(set_role)
            .bind("end-user")
            .bind(alpha)
            .bind(bo)
            .execute(&db)
            .await
            .unwrap();
        assert_counts(&db, expect(4, 2), "Bo became an End-user in Alpha").await;
        sqlx::query(set_role)
            .bind("builder")
            .bind(beta)
            .bind(bo)
            .execute(&db)
            .await
            .unwrap();
        assert_counts(&db, expect(4, 3), "Bo became a Builder in Beta").await;

        run(
            &db,
            "UPDATE workspaces SET status = 'archived' WHERE id = $1",
            &[beta],
        )
        .await;
        assert_counts(&db, expect(3, 1), "archiving Beta").await;
        run(
            &db,
            "UPDATE workspaces SET status = 'active' WHERE id = $1",
            &[beta],
        )
        .await;
        assert_counts(&db, expect(4, 3), "unarchiving Beta").await;

        let set_status =
            "UPDATE memberships SET status = 'invited' WHERE workspace_id = $1 AND user_id = $2";
        run(&db, set_status, &[beta, di]).await;
        assert_counts(&db, expect(5, 4), "inviting Di again").await;

        let mut conn = db.acquire().await.unwrap();
        archive_everywhere(&mut conn, ada, bo).await.unwrap();
        drop(conn);
        assert_counts(&db, expect(4, 3), "archiving Bo from the instance").await;

        run(&db, "DELETE FROM memberships WHERE user_id = $1", &[cy]).await;
        assert_counts(&db, expect(3, 3), "removing Cy").await;

        run(&db, "DELETE FROM workspaces WHERE id = $1", &[beta]).await;
        assert_counts(&db, expect(1, 1), "deleting Beta").await;
        run(&db, "DELETE FROM users WHERE id = $1", &[ada]).await;
        assert_counts(&db, expect(0, 0), "deleting Ada").await;
    })
    .await;
}
