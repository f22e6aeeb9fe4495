//! Two servers on one database, as behind a load balancer. Each keeps the permissions it
//! computed (`app::permissions::cache`); a change made through one must be what the other
//! answers by at the very next request.

use crate::support::{Reply, Session, TestApp, error_code};
use app::db::testing::on_each_backend;
use app::memberships::{MembershipStatus, Role};
use axum::http::StatusCode;
use serde_json::json;

async fn scalar(app: &TestApp, sql: &str, bind: i64) -> i64 {
    sqlx::query_scalar(sql)
        .bind(bind)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// Bea edits Billing (and sees its body rendered for her) through `session`.
async fn edit(session: &Session<'_>, app_id: i64) -> Reply {
    let form = [
        ("name", "Billing"),
        ("body", "Groups: {{globals.currentUser.groups}}"),
    ];
    session
        .call_on("apps/update", ("app_id", app_id), &form)
        .await
}

fn assert_refused(reply: &Reply, after: &str) {
    assert_eq!(
        reply.status,
        StatusCode::NOT_FOUND,
        "{after}: {}",
        reply.body
    );
    assert_eq!(error_code(reply), "ResourceNotFound", "{after}");
}

#[tokio::test]
async fn a_change_through_one_server_holds_on_the_other_at_its_next_request() {
    on_each_backend(|db| async move {
        let first = TestApp::new(db.clone());
        let second = TestApp::new(db);
        first.set_up().await;
        let ada = first.session("acme", first.sign_ada_in().await);
        let (bea_id, bea_cookie) = first
            .member_of(
                "acme",
                "bea@example.com",
                Role::Builder,
                MembershipStatus::Active,
            )
            .await;
        let bea = second.session("acme", bea_cookie);
        let billing = ada
            .ok("apps/create", &[("name", "Billing")])
            .await
            .as_i64()
            .unwrap();
        let acme = first.workspace_id("acme").await;
        let builders = scalar(
            &first,
            "SELECT id FROM groups WHERE workspace_id = $1 AND role = 'builder'",
            acme,
        )
        .await;
        let all_apps = scalar(
            &first,
            "SELECT id FROM group_rules WHERE group_id = $1 AND kind = 'app'",
            builders,
        )
        .await;

        // The second server computes Bea's permissions once and then answers from them.
        for _ in 0..2 {
            edit(&bea, billing).await.ok();
        }

        // The Builder group no longer edits every app.
        let rule_id = all_apps.to_string();
        ada.call_on(
            "groups/delete-rule",
            ("group_id", builders),
            &[("rule_id", &rule_id)],
        )
        .await
        .ok();
        assert_refused(
            &edit(&bea, billing).await,
            "the Builder group's rule deleted",
        );

        // A custom group gives Billing back, and taking Bea out of it takes it away.
        let team = ada.custom_group("Billing team", false).await;
        let only_billing = json!({
            "group_id": team, "rule_id": null, "allow_role_change": false,
            "rule": {"name": "Billing", "kind": "app", "access": "edit",
                     "hide_from_dashboard": false, "all": false, "resource_ids": [billing]},
        });
        ada.call_json("groups/save-rule", only_billing).await.ok();
        let joining = json!({"group_id": team, "user_ids": [bea_id], "allow_role_change": false});
        ada.call_json("groups/add-members", joining.clone())
            .await
            .ok();
        edit(&bea, billing).await.ok();
        let bea_id_text = bea_id.to_string();
        ada.call_on(
            "groups/remove-member",
            ("group_id", team),
            &[("user_id", &bea_id_text)],
        )
        .await
        .ok();
        assert_refused(&edit(&bea, billing).await, "Bea taken out of the group");

        // What apps show as her groups follows a rename at once.
        ada.call_json("groups/add-members", joining).await.ok();
        ada.ok(
            "apps/release",
            &[("app_id", &billing.to_string()), ("notes", "")],
        )
        .await;
        let shown = bea
            .call_on("apps/details", ("app_id", billing), &[])
            .await
            .ok();
        assert!(shown.to_string().contains("Billing team"), "{shown}");
        ada.call_on(
            "groups/rename",
            ("group_id", team),
            &[("name", "Invoicing")],
        )
        .await
        .ok();
        let shown = bea
            .call_on("apps/details", ("app_id", billing), &[])
            .await
            .ok();
        assert!(shown.to_string().contains("Invoicing"), "{shown}");

        // And an archived member is out of the workspace on both.
        ada.call("users/archive", &[("user_id", &bea_id_text)])
            .await
            .ok();
        let archived = edit(&bea, billing).await;
        assert_eq!(
            error_code(&archived),
            "WorkspaceUnavailable",
            "{}",
            archived.body
        );
    })
    .await;
}
