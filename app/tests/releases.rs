//! Released apps in the store, on SQLite and PostgreSQL: the migration that introduced
//! versions released every app that existed, so that no viewer lost what they saw.

use app::db::testing::{on_each_backend, workspace_with_groups};
use app::permissions::ResourceKind;
use app::resources::store::{NewResource, insert};

#[tokio::test]
async fn the_migration_to_releases_releases_every_existing_app_as_version_1() {
    on_each_backend(|db| async move {
        let (ada, workspace_id, _) = workspace_with_groups(&db, &[]).await;
        // A database from before releases: the migration undone, then apps made.
        sqlx::query("DROP TABLE app_versions")
            .execute(&db)
            .await
            .unwrap();
        sqlx::query("DELETE FROM _sqlx_migrations WHERE version = 10")
            .execute(&db)
            .await
            .unwrap();
        let mut conn = db.acquire().await.unwrap();
        let mut apps = Vec::new();
        for (kind, name, body) in [
            (
                ResourceKind::App,
                "Billing",
                "Invoices for {{globals.currentUser.email}}",
            ),
            (ResourceKind::App, "Blank", ""),
            (ResourceKind::Folder, "Finance", ""),
        ] {
            let id = insert(
                &mut conn,
                NewResource {
                    workspace_id,
                    kind,
                    name,
                    folder_id: None,
                    owner_user_id: Some(ada),
                    body,
                },
            )
            .await
            .unwrap();
            if kind == ResourceKind::App {
                apps.push((id, 1_i64, body.to_string(), None::<i64>));
            }
        }
        sqlx::query("UPDATE resources SET updated_at = 1700000000")
            .execute(&mut *conn)
            .await
            .unwrap();
        drop(conn);

        // The server starts again and migrates.
        let url = db.connect_options().database_url.to_string();
        let migrated = app::db::connect(&url, 1).await.unwrap();
        let versions: Vec<(i64, i64, String, Option<i64>)> = sqlx::query_as(
            "SELECT app_id, number, body, released_by FROM app_versions ORDER BY app_id",
        )
        .fetch_all(&migrated)
        .await
        .unwrap();
        assert_eq!(versions, apps, "each app as it stood, released by nobody");
        let times: Vec<i64> = sqlx::query_scalar("SELECT DISTINCT released_at FROM app_versions")
            .fetch_all(&migrated)
            .await
            .unwrap();
        assert_eq!(times, [1_700_000_000], "when it was last changed");
        migrated.close().await;
    })
    .await;
}
