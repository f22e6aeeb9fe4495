//! Leaves freshly seeded tables as a database in steady use has them, so that a benchmark
//! measures the plan such a database runs rather than the minutes after a bulk load.

use app::db::{Backend, Db};

/// Statistics on both databases and, on PostgreSQL, the visibility map that autovacuum
/// would otherwise still be building while the benchmark runs: without it, index-only
/// scans read the heap and the planner prices index probes above a sequential scan
/// (measured on the member listing's word search: 37 ms instead of 4).
pub async fn settle(db: &Db) {
    let statement = match Backend::of_pool(db) {
        Backend::Sqlite => "ANALYZE",
        Backend::Postgres => "VACUUM ANALYZE",
    };
    sqlx::query(statement)
        .execute(db)
        .await
        .expect("statistics");
}
