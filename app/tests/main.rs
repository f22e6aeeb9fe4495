//! The store's tests on SQLite and PostgreSQL, linked into one test binary: each binary
//! links the whole crate, and one link is far cheaper in time and disk.

mod audit;
mod bulk_invite;
mod contention;
mod instance;
mod permission_versions;
mod releases;
mod schema;
mod store;
