//! What the benchmarks that build a workspace row by row share: spreading ids
//! deterministically, and inserting many rows a statement.

use sqlx::AnyConnection;

/// A linear congruential generator (Knuth's MMIX constants): enough to spread ids.
pub struct Lcg(pub u64);

impl Lcg {
    /// A number in `0..n`.
    pub fn below(&mut self, n: i64) -> i64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as i64 % n
    }
}

const ROWS_PER_STATEMENT: usize = 500;

/// Inserts rows given as SQL tuples, a few hundred to a statement.
pub async fn insert_rows(conn: &mut AnyConnection, into: &str, rows: &[String]) {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        sqlx::query(&format!("INSERT INTO {into} VALUES {}", chunk.join(", ")))
            .execute(&mut *conn)
            .await
            .unwrap_or_else(|error| panic!("rows of {into}: {error}"));
    }
}

/// Inserts `group_members` rows given as `(group_id, workspace_id, user_id, added_at)`.
pub async fn insert_group_members(conn: &mut AnyConnection, rows: &[String]) {
    insert_rows(
        conn,
        "group_members (group_id, workspace_id, user_id, added_at)",
        rows,
    )
    .await;
}
