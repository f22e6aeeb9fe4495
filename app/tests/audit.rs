//! The audit trail in the store, on SQLite and PostgreSQL: the category the database
//! derives for each action is the one the Action filter lists it under, and pages of any
//! filter follow each other newest first, events of the same second included.

use app::audit::store::{EventQuery, export_page, page};
use app::audit::{Action, ActionChoice, Category};
use app::db::testing::on_each_backend;

#[tokio::test]
async fn the_database_files_every_action_under_its_category() {
    on_each_backend(|db| async move {
        for action in Action::ALL {
            sqlx::query("INSERT INTO audit_events (occurred_at, action) VALUES (1, $1)")
                .bind(action.key())
                .execute(&db)
                .await
                .unwrap();
            let stored: String =
                sqlx::query_scalar("SELECT category FROM audit_events WHERE action = $1")
                    .bind(action.key())
                    .fetch_one(&db)
                    .await
                    .unwrap();
            assert_eq!(stored, action.category().key(), "{}", action.key());
        }
    })
    .await;
}

#[tokio::test]
async fn pages_run_newest_first_through_events_of_the_same_second() {
    on_each_backend(|db| async move {
        // 7 seconds with 5 events each, of two categories, inserted out of order.
        for second in [3_i64, 1, 6, 0, 5, 2, 4] {
            for index in 0..5 {
                let action = if index % 2 == 0 {
                    "member.invited"
                } else {
                    "group.created"
                };
                sqlx::query(
                    "INSERT INTO audit_events (occurred_at, action, detail) VALUES ($1, $2, $3)",
                )
                .bind(1_000 + second)
                .bind(action)
                .bind(format!("{second}-{index}"))
                .execute(&db)
                .await
                .unwrap();
            }
        }
        // The pages people read and the batches exports read (SQLite's as JSON).
        let walk = |query: EventQuery| {
            let db = db.clone();
            async move {
                let mut conn = db.acquire().await.unwrap();
                let (mut seen, mut cursor) = (Vec::new(), None);
                loop {
                    let (events, older) = page(&mut conn, &query, cursor, 4).await.unwrap();
                    let (batch, batch_older) =
                        export_page(&mut conn, &query, cursor, 4).await.unwrap();
                    assert_eq!(batch, events);
                    assert_eq!(batch_older, older);
                    seen.extend(
                        events
                            .into_iter()
                            .map(|event| (event.occurred_at, event.id)),
                    );
                    match older {
                        Some(next) => cursor = Some(next),
                        None => return seen,
                    }
                }
            }
        };
        let everything = walk(EventQuery::default()).await;
        assert_eq!(everything.len(), 35);
        let mut expected = everything.clone();
        expected.sort_by(|a, b| b.cmp(a));
        assert_eq!(everything, expected, "newest first, no repeats, no gaps");

        let members = walk(EventQuery {
            action: Some(ActionChoice::Category(Category::Members)),
            since: Some(1_002),
            until: Some(1_005),
            ..EventQuery::default()
        })
        .await;
        assert_eq!(members.len(), 9, "3 seconds × 3 member events");
        assert!(members.iter().all(|(at, _)| (1_002..1_005).contains(at)));
    })
    .await;
}
