//! Changes that meet: what the fault and load harness (`scripts/chaos.py`) found when it
//! ran many people against two servers at once, each pinned down here so it stays fixed.

use std::time::Duration;

use crate::support::{PASSWORD, TestApp, error_code, token_of};
use app::db::testing::on_each_backend;
use axum::http::StatusCode;

/// An admin removed a member while that member's copied link was being used. The link
/// then leads nowhere (404), as it would a moment later, instead of a database error: the
/// mailed link it wanted to write belonged to a membership that no longer existed.
#[tokio::test]
async fn a_link_used_while_its_member_is_removed_is_unknown() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db.clone());
        let ada = app.set_up_session().await;
        ada.invite("Bea", "bea@example.com", "builder").await.ok();
        let bea = app.user_id("bea@example.com").await;
        let link = token_of(&ada.copied_link(bea).await);
        // Bea belongs to another workspace too, so a copied link can't choose her
        // password: using it mails her a link of her own, a new invitation row.
        app.create_workspace("Beta", &ada.cookie).await.ok();
        app.session("beta", ada.cookie.clone())
            .invite("Bea", "bea@example.com", "builder")
            .await
            .ok();
        let acme: i64 = sqlx::query_scalar("SELECT id FROM workspaces WHERE slug = 'acme'")
            .fetch_one(&db)
            .await
            .unwrap();

        // The removal holds the workspace's members while the link is used.
        let mut removal = app::db::begin_write(&db).await.unwrap();
        app::db::lock_workspace(&mut removal, acme).await.unwrap();
        sqlx::query("DELETE FROM memberships WHERE workspace_id = $1 AND user_id = $2")
            .bind(acme)
            .bind(bea)
            .execute(&mut *removal)
            .await
            .unwrap();
        let (used, ()) = tokio::join!(app.join(&link, "Bea", PASSWORD), async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            removal.commit().await.unwrap();
        });

        assert_eq!(used.status, StatusCode::NOT_FOUND, "{:?}", used.json());
        assert_eq!(error_code(&used), "InvitationUnknown");
    })
    .await;
}
