//! The workspace's permissions version (migration 0012) moves with every change that can
//! alter what someone's computed permissions hold, whichever statement makes it, and
//! stays put for changes that can't; each server's cache of computed permissions trusts
//! exactly that. Each group's stored permissions document stays what its definition (the
//! view `group_permission_documents`) says through all of it.

use app::db::Db;
use app::db::testing::{on_each_backend, workspace_with_groups};
use serde_json::Value;

async fn version(db: &Db, workspace_id: i64) -> i64 {
    sqlx::query_scalar("SELECT version FROM permission_versions WHERE workspace_id = $1")
        .bind(workspace_id)
        .fetch_one(db)
        .await
        .unwrap()
}

/// A document with its rules in id order and their chosen resources sorted: the
/// databases aggregate in whatever order they read. A group is an array whose sixth item
/// is its rules; a rule one whose first is its id and seventh its chosen resources.
fn normalised(document: &str) -> Value {
    let mut document: Value = serde_json::from_str(document).unwrap();
    if let Some(rules) = document[5].as_array_mut() {
        for rule in rules.iter_mut() {
            if let Some(chosen) = rule[6].as_array_mut() {
                chosen.sort_by_key(|id| id.as_i64());
            }
        }
        rules.sort_by_key(|rule| rule[0].as_i64());
    }
    document
}

/// Every group whose stored document differs from what the view computes now.
async fn stale_documents(db: &Db) -> Vec<i64> {
    let rows: Vec<(i64, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT g.id, g.permissions_document, d.document
         FROM groups g JOIN group_permission_documents d ON d.group_id = g.id",
    )
    .fetch_all(db)
    .await
    .unwrap();
    rows.into_iter()
        .filter(|(_, stored, computed)| {
            stored.as_deref().map(normalised) != computed.as_deref().map(normalised)
        })
        .map(|(id, _, _)| id)
        .collect()
}

async fn run(db: &Db, sql: &str) {
    sqlx::query(sql)
        .execute(db)
        .await
        .unwrap_or_else(|error| panic!("{sql}: {error}"));
}

#[tokio::test]
async fn every_change_to_what_permissions_are_made_of_bumps_the_version() {
    on_each_backend(|db| async move {
        let (_, acme, groups) = workspace_with_groups(&db, &["Support"]).await;
        let other: i64 = sqlx::query_scalar(
            "INSERT INTO workspaces (name, slug, status, created_at)
             VALUES ('Other', 'other', 'active', 0) RETURNING id",
        )
        .fetch_one(&db)
        .await
        .unwrap();
        let support = groups[0];
        run(&db, "INSERT INTO users (id, email, full_name, status, created_at, updated_at)
                  VALUES (900, 'bea@example.com', 'Bea', 'active', 0, 0)").await;
        run(&db, &format!(
            "INSERT INTO resources (id, workspace_id, kind, name, name_key, created_at, updated_at)
             VALUES (800, {acme}, 'app', 'Billing', 'billing', 0, 0)"
        ))
        .await;
        let rule = format!(
            "INSERT INTO group_rules (id, group_id, name, name_key, kind, access, all_resources,
                                      created_at)
             VALUES (700, {support}, 'Billing', 'billing', 'app', 'view', 0, 0)"
        );
        let changes = [
            format!(
                "INSERT INTO memberships (workspace_id, user_id, role, status, email, name_key,
                                          created_at, updated_at)
                 VALUES ({acme}, 900, 'builder', 'invited', 'bea@example.com', 'bea', 0, 0)"
            ),
            format!("UPDATE memberships SET status = 'active' WHERE user_id = 900 AND workspace_id = {acme}"),
            format!("UPDATE memberships SET role = 'end-user' WHERE user_id = 900 AND workspace_id = {acme}"),
            format!("INSERT INTO group_members (group_id, workspace_id, user_id, added_at) VALUES ({support}, {acme}, 900, 0)"),
            format!("UPDATE groups SET flags = 1 WHERE id = {support}"),
            format!("UPDATE groups SET name = 'Helpdesk', name_key = 'helpdesk' WHERE id = {support}"),
            rule,
            "UPDATE group_rules SET access = 'edit' WHERE id = 700".to_string(),
            "INSERT INTO group_rule_resources (rule_id, resource_id) VALUES (700, 800)".to_string(),
            // Deleting a chosen resource takes it out of the rule.
            "DELETE FROM resources WHERE id = 800".to_string(),
            "DELETE FROM group_rules WHERE id = 700".to_string(),
            format!("DELETE FROM group_members WHERE group_id = {support} AND user_id = 900"),
            format!(
                "INSERT INTO groups (workspace_id, name, name_key, flags, created_at)
                 VALUES ({acme}, 'Finance', 'finance', 0, 0)"
            ),
            format!("DELETE FROM groups WHERE id = {support}"),
            format!("DELETE FROM memberships WHERE user_id = 900 AND workspace_id = {acme}"),
        ];
        for change in &changes {
            let (before, elsewhere) = (version(&db, acme).await, version(&db, other).await);
            run(&db, change).await;
            assert!(version(&db, acme).await > before, "not bumped by: {change}");
            assert_eq!(version(&db, other).await, elsewhere, "the other bumped by: {change}");
            assert_eq!(stale_documents(&db).await, Vec::<i64>::new(), "after: {change}");
        }
    })
    .await;
}

/// Resources and their owners are read with the resource on every request, and a
/// member's name or email isn't part of what they may do: changing them keeps every
/// computed permission.
#[tokio::test]
async fn changes_permissions_are_not_made_of_keep_the_version() {
    on_each_backend(|db| async move {
        let (ada, acme, _) = workspace_with_groups(&db, &[]).await;
        let changes = [
            format!(
                "INSERT INTO resources (id, workspace_id, kind, name, name_key, owner_user_id,
                                        created_at, updated_at)
                 VALUES (800, {acme}, 'app', 'Billing', 'billing', {ada}, 0, 0)"
            ),
            "UPDATE resources SET body = 'Invoices', owner_user_id = NULL WHERE id = 800"
                .to_string(),
            format!("UPDATE memberships SET name_key = 'ada king' WHERE user_id = {ada}"),
            format!("UPDATE users SET full_name = 'Ada King' WHERE id = {ada}"),
            "DELETE FROM resources WHERE id = 800".to_string(),
        ];
        for change in &changes {
            let before = version(&db, acme).await;
            run(&db, change).await;
            assert_eq!(version(&db, acme).await, before, "bumped by: {change}");
        }
    })
    .await;
}
