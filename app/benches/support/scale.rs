//! How many users the benchmarks that grow with the instance put in it: their usual size
//! unless `GATEHOUSE_BENCH_USERS` asks for another (`make bench-million` sets 1,000,000),
//! so that the README can show how each figure grows.

/// The instance's users: `usual`, or `GATEHOUSE_BENCH_USERS` when set.
pub fn instance_users(usual: usize) -> usize {
    std::env::var("GATEHOUSE_BENCH_USERS")
        .ok()
        .and_then(|users| users.replace('_', "").parse().ok())
        .unwrap_or(usual)
}

/// A short name for a number of users in a benchmark's name: 100k, 1M.
pub fn label(users: usize) -> String {
    if users >= 1_000_000 && users.is_multiple_of(1_000_000) {
        format!("{}M", users / 1_000_000)
    } else if users >= 1_000 && users.is_multiple_of(1_000) {
        format!("{}k", users / 1_000)
    } else {
        users.to_string()
    }
}
