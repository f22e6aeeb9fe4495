//! Bulk invite from a CSV file over HTTP, on SQLite and PostgreSQL: every problem at
//! once and nothing written, or everyone invited.

use crate::support::{Reply, TestApp};
use app::db::testing::{on_each_backend, test_keyring};
use app::memberships::{MembershipStatus, Role};
use app::users::bulk_invite::{MAX_FILE_BYTES, SAMPLE_CSV};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

/// The problems of a refused file as (row, column, issue kind).
fn problems(reply: &Reply) -> Vec<(Value, Value, String)> {
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    reply.json()["code"]["CsvRejected"]["problems"]
        .as_array()
        .expect("the problems")
        .iter()
        .map(|problem| {
            let issue = match &problem["issue"] {
                Value::String(kind) => kind.clone(),
                Value::Object(kind) => kind.keys().next().cloned().unwrap_or_default(),
                other => panic!("an issue, got {other}"),
            };
            (problem["row"].clone(), problem["column"].clone(), issue)
        })
        .collect()
}

#[tokio::test]
async fn the_sample_file_invites_everyone_in_it_with_mail_and_metadata() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let admin = app.set_up_session().await;
        let reply = admin.import_csv(SAMPLE_CSV, false).await;
        assert_eq!(
            reply.ok(),
            json!({ "invited": 2, "dry_run": false, "mails_queued": true })
        );
        app.assert_membership("acme", "jane.doe@example.com", Some("invited"))
            .await;
        app.assert_membership("acme", "john.smith@example.com", Some("invited"))
            .await;
        assert_eq!(
            app.role_of("acme", app.user_id("jane.doe@example.com").await)
                .await,
            "builder"
        );
        let recipients: Vec<String> =
            sqlx::query_scalar("SELECT recipient FROM mail_outbox ORDER BY recipient")
                .fetch_all(&app.db)
                .await
                .expect("the outbox");
        assert_eq!(
            recipients,
            ["jane.doe@example.com", "john.smith@example.com"]
        );
        let john = app.user_id("john.smith@example.com").await;
        let mut conn = app.db.acquire().await.expect("a connection");
        let metadata = app::metadata::store::load(
            &mut conn,
            &test_keyring(),
            app.workspace_id("acme").await,
            john,
        )
        .await
        .expect("John's metadata");
        assert_eq!(
            metadata.get("department").map(String::as_str),
            Some("Sales")
        );
        // The mailed link lets John join.
        let link = app.last_mailed_link().await;
        assert!(link.contains("/invitations/"), "{link}");
    })
    .await;
}

#[tokio::test]
async fn a_file_with_problems_reports_them_all_and_invites_nobody() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let admin = app.set_up_session().await;
        admin.custom_group("Support", false).await;
        admin.custom_group("Engineering", true).await;
        app.member_of("acme", "bea@example.com", Role::Builder, MembershipStatus::Active)
            .await;
        let before = app.footprint().await;
        let csv = "Full Name,Email,Role,Groups\n\
                   Ann,ann@example.com,Owner,Support\n\
                   Ann again,ann@example.com,Builder,Sales\n\
                   Bea,bea@example.com,Builder,\n\
                   Eve,eve@example.com,End-user,Engineering\n\
                   Nobody,not-an-email,Builder,\n";
        for dry_run in [true, false] {
            let reply = admin.import_csv(csv, dry_run).await;
            assert_eq!(
                problems(&reply),
                vec![
                    (json!(2), json!("Role"), "UnknownRole".to_string()),
                    (json!(3), json!("Email"), "DuplicateEmail".to_string()),
                    (json!(3), json!("Groups"), "UnknownGroup".to_string()),
                    (json!(4), json!("Email"), "AlreadyMember".to_string()),
                    (json!(5), json!("Groups"), "EndUserInBuilderGroup".to_string()),
                    (json!(6), json!("Email"), "EmailInvalid".to_string()),
                ]
            );
            assert_eq!(
                reply.json()["message"],
                "The file has 6 problems, so nobody was invited. Fix them and upload the file again."
            );
            assert_eq!(app.footprint().await, before);
        }
    })
    .await;
}

#[tokio::test]
async fn a_dry_run_reports_what_would_happen_and_writes_nothing() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let admin = app.set_up_session().await;
        let before = app.footprint().await;
        let reply = admin.import_csv(SAMPLE_CSV, true).await;
        assert_eq!(
            reply.ok(),
            json!({ "invited": 2, "dry_run": true, "mails_queued": false })
        );
        assert_eq!(app.footprint().await, before);
    })
    .await;
}

#[tokio::test]
async fn groups_are_joined_and_builder_level_groups_take_builders() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let admin = app.set_up_session().await;
        let support = admin.custom_group("Support", false).await;
        let engineering = admin.custom_group("Engineering", true).await;
        let csv = "Full Name,Email,Role,Groups\n\
                   Eve,eve@example.com,End-user,support\n\
                   Bo,bo@example.com,Builder,Support|Engineering\n";
        admin.import_csv(csv, false).await.ok();
        let members_of = |group_id: i64| {
            let db = app.db.clone();
            async move {
                sqlx::query_scalar::<_, String>(
                    "SELECT u.email FROM group_members gm JOIN users u ON u.id = gm.user_id
                     WHERE gm.group_id = $1 ORDER BY u.email",
                )
                .bind(group_id)
                .fetch_all(&db)
                .await
                .expect("the members")
            }
        };
        assert_eq!(
            members_of(support).await,
            ["bo@example.com", "eve@example.com"]
        );
        assert_eq!(members_of(engineering).await, ["bo@example.com"]);
    })
    .await;
}

#[tokio::test]
async fn files_over_the_limits_are_refused() {
    on_each_backend(|db| async move {
        let app = TestApp::new(db);
        let admin = app.set_up_session().await;
        let mut too_large = String::from(SAMPLE_CSV);
        too_large.push_str(&" ".repeat(MAX_FILE_BYTES));
        let reply = admin.import_csv(&too_large, false).await;
        assert_eq!(
            problems(&reply),
            vec![(Value::Null, Value::Null, "FileTooLarge".to_string())]
        );

        // A body announced far past any file's encoding is refused unread; one that
        // doesn't announce its length is cut off at the limit.
        let huge =
            json!({ "slug": "acme", "csv": "x".repeat(3 * MAX_FILE_BYTES), "dry_run": false })
                .to_string();
        let announced = Request::post("/api/users/import-csv")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::CONTENT_LENGTH, huge.len())
            .header(header::COOKIE, &admin.cookie)
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(huge.clone()))
            .expect("a request");
        assert_eq!(
            app.send(announced).await.status,
            StatusCode::PAYLOAD_TOO_LARGE
        );
        let unannounced = admin
            .import_csv(&"x".repeat(3 * MAX_FILE_BYTES), false)
            .await;
        assert_eq!(unannounced.status, StatusCode::PAYLOAD_TOO_LARGE);

        let mut rows = String::from("Full Name,Email,Role\n");
        for n in 0..501 {
            rows.push_str(&format!("P{n},p{n}@example.com,Builder\n"));
        }
        let reply = admin.import_csv(&rows, false).await;
        assert_eq!(
            problems(&reply),
            vec![(Value::Null, Value::Null, "TooManyRows".to_string())]
        );
        assert_eq!(app.count("invitations").await, 0);
    })
    .await;
}
