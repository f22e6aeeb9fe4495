//! Writing a bulk invite, on SQLite and PostgreSQL: all of it, or none of it.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use app::db::testing::{on_each_backend, test_keyring, workspace_with_groups};
use app::db::{Db, begin_write};
use app::memberships::Role;
use app::metadata::crypto::Keyring;
use app::tokens::SecretToken;
use app::users::bulk_invite::csv_file::Invitee;
use app::users::bulk_invite::store::{Inviter, invite_all};

/// An admin, their workspace and one custom group.
async fn workspace_with_group(db: &Db) -> (Inviter, i64) {
    let (admin, workspace_id, groups) = workspace_with_groups(db, &["Support"]).await;
    let inviter = Inviter {
        user_id: admin,
        workspace_id,
    };
    (inviter, groups[0])
}

fn invitee(n: usize, group_ids: Vec<i64>) -> Invitee {
    Invitee {
        full_name: format!("Person {n}"),
        email: format!("person{n}@example.com"),
        role: Role::EndUser,
        group_ids,
        metadata: BTreeMap::from([("department".to_string(), format!("Team {n}"))]),
    }
}

/// Invites everyone in one committed transaction, with links valid for an hour.
async fn invite_for_an_hour(
    db: &Db,
    keys: &Keyring,
    inviter: Inviter,
    invitees: &[Invitee],
) -> Vec<SecretToken> {
    let mut tx = begin_write(db).await.expect("a transaction");
    let links = invite_all(
        &mut tx,
        keys,
        inviter,
        invitees,
        &HashMap::new(),
        Duration::from_secs(3600),
    )
    .await
    .expect("invited");
    tx.commit().await.expect("committed");
    links
}

/// Every table a bulk invite writes to, as rows of text: enough to see any trace.
async fn snapshot(db: &Db) -> Vec<String> {
    let mut lines = Vec::new();
    for (table, columns) in [
        ("users", "email || ' ' || full_name || ' ' || status"),
        ("memberships", "email || ' ' || role || ' ' || status"),
        (
            "member_counts",
            "CAST(workspace_id AS TEXT) || ' ' || status || ' ' || CAST(members AS TEXT)",
        ),
        (
            "group_members",
            "CAST(group_id AS TEXT) || ' ' || CAST(user_id AS TEXT)",
        ),
        (
            "member_metadata",
            "CAST(user_id AS TEXT) || ' ' || meta_key",
        ),
        (
            "invitations",
            "CAST(membership_id AS TEXT) || ' ' || token_hash",
        ),
        ("audit_events", "action || ' ' || detail"),
        ("mail_outbox", "recipient"),
    ] {
        let rows: Vec<String> =
            sqlx::query_scalar(&format!("SELECT {columns} FROM {table} ORDER BY 1"))
                .fetch_all(db)
                .await
                .expect("the rows");
        lines.extend(rows.into_iter().map(|row| format!("{table}: {row}")));
    }
    lines
}

#[tokio::test]
async fn a_failure_at_the_last_row_leaves_no_trace() {
    on_each_backend(|db| async move {
        let (inviter, group) = workspace_with_group(&db).await;
        let before = snapshot(&db).await;
        let mut invitees: Vec<Invitee> = (0..20).map(|n| invitee(n, vec![group])).collect();
        // A group that doesn't exist fails the last row's group membership, after every
        // account and membership of the file has been written.
        invitees.push(invitee(20, vec![group, 999_999]));
        let mut tx = begin_write(&db).await.expect("a transaction");
        let outcome = invite_all(
            &mut tx,
            &test_keyring(),
            inviter,
            &invitees,
            &HashMap::new(),
            Duration::from_secs(3600),
        )
        .await;
        assert!(outcome.is_err(), "the missing group must fail the import");
        drop(tx);
        assert_eq!(snapshot(&db).await, before);
    })
    .await;
}

#[tokio::test]
async fn everyone_is_invited_with_their_role_groups_metadata_and_link() {
    on_each_backend(|db| async move {
        let (inviter, group) = workspace_with_group(&db).await;
        let invitees: Vec<Invitee> = (0..3).map(|n| invitee(n, vec![group])).collect();
        let keys = test_keyring();
        let links = invite_for_an_hour(&db, &keys, inviter, &invitees).await;
        assert_eq!(links.len(), 3);
        let snapshot = snapshot(&db).await;
        for n in 0..3 {
            let email = format!("person{n}@example.com");
            assert!(snapshot.contains(&format!("users: {email} Person {n} invited")));
            assert!(snapshot.contains(&format!("memberships: {email} end-user invited")));
        }
        let counted = |prefix: &str| {
            snapshot
                .iter()
                .filter(|line| line.starts_with(prefix))
                .count()
        };
        assert_eq!(counted("group_members: "), 3);
        assert_eq!(counted("invitations: "), 3);
        assert_eq!(counted("audit_events: member.invited end-user"), 3);
        assert!(snapshot.contains(&format!(
            "member_counts: {} invited 3",
            inviter.workspace_id
        )));
        let user_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind("person2@example.com")
            .fetch_one(&db)
            .await
            .expect("the account");
        let mut conn = db.acquire().await.expect("a connection");
        let metadata = app::metadata::store::load(&mut conn, &keys, inviter.workspace_id, user_id)
            .await
            .expect("the metadata");
        assert_eq!(
            metadata.get("department").map(String::as_str),
            Some("Team 2")
        );
        let token_hashes: Vec<String> = links.iter().map(|token| token.hash()).collect();
        for hash in token_hashes {
            assert!(snapshot.iter().any(|line| line.ends_with(&hash)));
        }
    })
    .await;
}

#[tokio::test]
async fn the_listing_counts_members_by_status_and_marks_links_that_ran_out() {
    use app::users::members::{StatusCounts, StatusFilter};
    use app::users::store::{MemberFilter, PagePosition, listing};

    on_each_backend(|db| async move {
        let (inviter, group) = workspace_with_group(&db).await;
        let keys = test_keyring();
        let invitees: Vec<Invitee> = (0..3).map(|n| invitee(n, vec![group])).collect();
        invite_for_an_hour(&db, &keys, inviter, &invitees).await;
        // person0's link ran out an hour ago; person1's was replaced by one that ran out
        // too; person2's still works.
        for (email, set) in [
            ("person0@example.com", "expires_at = expires_at - 7200"),
            (
                "person1@example.com",
                "expires_at = expires_at - 7200, revoked_at = created_at",
            ),
        ] {
            sqlx::query(&format!(
                "UPDATE invitations SET {set} WHERE membership_id =
                   (SELECT id FROM memberships WHERE email = $1)"
            ))
            .bind(email)
            .execute(&db)
            .await
            .expect("the link aged");
        }

        let filter = MemberFilter {
            search: None,
            status: StatusFilter::All,
            group_id: None,
        };
        let page = listing(
            &db,
            inviter.workspace_id,
            filter,
            PagePosition::First,
            50,
            true,
        )
        .await
        .expect("the listing");
        let expired: Vec<(&str, bool)> = page
            .members
            .iter()
            .map(|member| (member.email.as_str(), member.invitation_expired))
            .collect();
        assert_eq!(
            expired,
            [
                ("ada@example.com", false),
                ("person0@example.com", true),
                ("person1@example.com", true),
                ("person2@example.com", false),
            ]
        );
        assert_eq!(
            page.status_counts,
            Some(StatusCounts {
                active: 1,
                invited: 3,
                archived: 0,
            })
        );

        // Without the counts (the REST API's listing), neither is read.
        let bare = listing(
            &db,
            inviter.workspace_id,
            filter,
            PagePosition::First,
            50,
            false,
        )
        .await
        .expect("the listing");
        assert_eq!(bare.status_counts, None);
        assert!(bare.members.iter().all(|member| !member.invitation_expired));
    })
    .await;
}
